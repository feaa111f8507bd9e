//! Whether a manifest may be used: verified against the trust file before anything parses it
//! or reads the environment, then judged by the caller's policy. Refusals are recorded.

use std::path::Path;

use crate::core::manifest::{Manifest, MAX_MANIFEST_BYTES};
use crate::core::manifest_parse::parse_manifest;
use crate::core::text::timestamp_seconds;
use crate::core::trust::scope::scope_list;
use crate::core::trust::self_test::self_test;
use crate::core::trust::{
    accept, check_rollback, verify_token, Previous, SignatureError, SignedClaims, TrustStore,
    VerifiedSignature,
};
use crate::effects::bounded_read::{read_bounded, BoundedReadError};
use crate::effects::signature_file::{read_signature, signature_path};
use crate::effects::store::{NewRun, Store, StoreError};
use crate::effects::trust_file::{load_trust_file, TrustLocation};
use crate::render::SignatureState;

use super::manifest_file::{absolute_parent, sha256_hex, ManifestFile};
use super::state_store::StateStore;

/// What a command does with a manifest that has no valid signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Refuse it (apply, watch, `plan --require-signature`).
    Require,
    /// Use it, loudly, recorded as unsigned (`--allow-unsigned`).
    AllowUnsigned,
    /// Use it and say why apply would refuse it (plan).
    Report,
}

/// Any change to the account store, as the plan computed it from the store itself, needs a
/// signature with the `users` scope: comparing with the last manifest of the same name is
/// not enough, since another name may have changed the store since (a packages-only key
/// would otherwise re-create an account another manifest deleted). An unsigned manifest
/// changes accounts only with `--allow-unsigned-users`, so it is never easier.
pub fn refuse_user_changes_without_scope(
    authenticity: &Authenticity,
    plan: &crate::core::plan::Plan,
    allowed: bool,
) -> anyhow::Result<()> {
    let count = plan.users.len();
    let plural = if count == 1 { "" } else { "s" };
    match authenticity {
        _ if plan.users.is_empty() => return Ok(()),
        Authenticity::Signed(signature) => {
            if signature
                .scopes
                .contains(&crate::core::trust::scope::Scope::Users)
            {
                return Ok(());
            }
            anyhow::bail!(
                "refusing to change {count} user account{plural}: the store differs from `{}`'s \
                 `users:`, and the signature by `{}` lacks the `users` scope\n\
                 hint: another manifest may have changed the accounts since; sign with a key \
                 that has the `users` scope (`pkgm sign --scope packages,users`) if this change \
                 is meant",
                signature.name,
                signature.kid
            )
        }
        Authenticity::Unsigned { .. } if allowed => return Ok(()),
        Authenticity::Unsigned { .. } => {}
    }
    anyhow::bail!(
        "refusing to change {count} user account{plural} from a manifest without a valid signature\n\
         hint: sign it with a key that has the `users` scope, or add `--allow-unsigned-users` \
         for a local experiment"
    )
}

/// How a manifest was accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authenticity {
    Signed(VerifiedSignature),
    /// No valid signature; `reason` says why, with a `hint:` line.
    Unsigned {
        reason: String,
        /// There is no signature file at all (rather than one that was not accepted).
        missing: bool,
    },
}

impl Authenticity {
    pub fn signed_by(&self) -> Option<String> {
        match self {
            Self::Signed(signature) => Some(signature.kid.clone()),
            Self::Unsigned { .. } => None,
        }
    }

    /// How plans and records describe the signature.
    pub fn state(&self) -> SignatureState {
        match self {
            Self::Signed(signature) => SignatureState::Valid {
                kid: signature.kid.clone(),
            },
            Self::Unsigned {
                missing: true,
                reason,
            } => SignatureState::Missing {
                problem: first_line(reason).to_string(),
            },
            Self::Unsigned { reason, .. } => SignatureState::Refused {
                problem: first_line(reason).to_string(),
            },
        }
    }
}

/// Why the signature check failed, as one line and a hint, and who signed if known.
struct Problem {
    reason: String,
    kid: Option<String>,
    /// No signature file at all: the history marks such a run unsigned.
    no_signature: bool,
}

impl Problem {
    fn new(reason: impl ToString) -> Self {
        Self {
            reason: reason.to_string(),
            kid: None,
            no_signature: false,
        }
    }
}

/// Reads, verifies and parses the manifest at `path` under `policy`. `now_ms` is the run's
/// single clock reading. A refusal is recorded in the history before it is returned, unless
/// `record_refusal` is false (watch, refused the same bytes already). Without
/// a store (no state yet), nothing was applied before: there is no rollback to check.
pub fn authenticate(
    trust: Option<&Path>,
    path: &Path,
    policy: Policy,
    state: &StateStore<'_>,
    command: &str,
    record_refusal: bool,
    now_ms: i64,
) -> anyhow::Result<(ManifestFile, Authenticity)> {
    // `unsigned` is set where it is known (no signature file at all), not assumed.
    let mut run = NewRun {
        command: command.to_string(),
        file: Some(path.to_string_lossy().into_owned()),
        ..NewRun::default()
    };
    let refuse = |run: &NewRun, error: anyhow::Error| -> anyhow::Error {
        if record_refusal && policy != Policy::Report {
            let recorded = state.get().and_then(|store| match store {
                Some(store) => Ok(store.record_refused(run, &format!("{error:#}"), now_ms)?),
                None => Ok(0),
            });
            if let Err(record_error) = recorded {
                tracing::warn!("could not record the refusal: {record_error:#}");
            }
        }
        error
    };
    // A manifest that cannot be read or parsed is an error, not a refusal: nothing is
    // recorded, and the state is not even opened. An oversized one is refused.
    let bytes = match read_bounded(path, MAX_MANIFEST_BYTES) {
        Ok(bytes) => bytes,
        Err(BoundedReadError::Io { error, .. }) => {
            return Err(anyhow::Error::new(error)
                .context(format!("cannot read the manifest `{}`", path.display())))
        }
        Err(error) => {
            let error = anyhow::anyhow!(
                "refusing the manifest: {error}\n\
                 hint: a manifest is at most {MAX_MANIFEST_BYTES} bytes; split it"
            );
            return Err(refuse(&run, error));
        }
    };
    let signed = check_token(trust, path, &bytes, now_ms / 1000);
    let signed = match signed {
        Ok(signed) => signed,
        Err(Fatal(error)) => return Err(refuse(&run, error)),
    };
    // Bytes no trusted key vouches for are not even parsed when a signature is required:
    // the parser is not the place where an attacker's input should first be read.
    let refusal = |mut run: NewRun, problem: &Problem| -> anyhow::Error {
        run.signed_by = problem.kid.clone();
        run.unsigned = problem.no_signature;
        let error = anyhow::anyhow!(
            "refusing the manifest `{}`: {}",
            path.display(),
            problem.reason
        );
        refuse(&run, error)
    };
    if let (Err(problem), Policy::Require) = (&signed, policy) {
        run.sha256 = Some(sha256_hex(&bytes));
        return Err(refusal(run, problem));
    }
    let file = ManifestFile::from_bytes(path, bytes)?;
    run.manifest_name = Some(file.manifest.name.to_string());
    run.revision = Some(file.manifest.revision);
    run.sha256 = Some(file.sha256.clone());
    let verdict = match signed {
        Ok(signed) => judge(&signed, &file, state).map_err(|problem| Problem {
            kid: Some(signed.kid.clone()),
            ..problem
        }),
        Err(problem) => Err(problem),
    };
    match (verdict, policy) {
        (Ok(signature), _) => Ok((file, Authenticity::Signed(signature))),
        (Err(problem), Policy::Require) => Err(refusal(run, &problem)),
        (Err(problem), Policy::AllowUnsigned) => {
            tracing::warn!(
                "using `{}` without a valid signature (--allow-unsigned; recorded as unsigned): {}",
                path.display(),
                first_line(&problem.reason)
            );
            Ok((file, unsigned(problem)))
        }
        (Err(problem), Policy::Report) => Ok((file, unsigned(problem))),
    }
}

fn unsigned(problem: Problem) -> Authenticity {
    Authenticity::Unsigned {
        reason: problem.reason,
        missing: problem.no_signature,
    }
}

pub fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// An error that no policy can excuse: an unreadable or invalid trust file, a broken backend.
struct Fatal(anyhow::Error);

/// The checks that need only the bytes: signature file, trust file, token.
fn check_token(
    trust: Option<&Path>,
    path: &Path,
    bytes: &[u8],
    now: i64,
) -> Result<Result<SignedClaims, Problem>, Fatal> {
    let signature_file = signature_path(path);
    let token = match read_signature(&signature_file) {
        Ok(Some(token)) => token,
        Ok(None) => {
            return Ok(Err(Problem {
                no_signature: true,
                ..Problem::new(format!(
                    "it has no signature (`{}` does not exist)\n\
                     hint: sign it with `pkgm sign {} --key KEY --kid ID`; for a local experiment pass `--allow-unsigned`",
                    signature_file.display(),
                    path.display()
                ))
            }))
        }
        Err(error) => {
            return Ok(Err(Problem::new(format!(
                "{error}\nhint: a signature is a compact JWS of about a kilobyte; re-create it with `pkgm sign`"
            ))))
        }
    };
    let trust = match find_trust(trust)? {
        Ok(trust) => trust,
        Err(problem) => return Ok(Err(problem)),
    };
    self_test().map_err(|error| Fatal(error.into()))?;
    Ok(verify_token(&token, bytes, &trust, now).map_err(Problem::new))
}

/// The trust file, found from `--trust`, `PKGM_TRUST` or the default location. None there
/// is a problem with this manifest (it cannot be verified); one that does not load is fatal.
fn find_trust(trust: Option<&Path>) -> Result<Result<TrustStore, Problem>, Fatal> {
    let location = TrustLocation::find(trust);
    let trust_path = match &location {
        TrustLocation::Named(path) => path.clone(),
        TrustLocation::Default(path) if path.exists() => path.clone(),
        _ => {
            let looked = location.path().map_or(String::new(), |p| {
                format!(" (looked for `{}`)", p.display())
            });
            return Ok(Err(Problem::new(format!(
                "no trust file lists the keys to verify it with{looked}\n\
                 hint: create it with the entry `pkgm keygen` printed, or pass `--trust FILE` (or set `PKGM_TRUST`)"
            ))));
        }
    };
    load_trust_file(&trust_path).map(Ok).map_err(|error| {
        let text = error.to_string();
        let hint = if text.contains("\nhint: ") {
            ""
        } else if !trust_path.exists() {
            "\nhint: check the path given with `--trust` or `PKGM_TRUST`"
        } else {
            "\nhint: fix the trust file; `pkgm keygen` prints an entry that loads"
        };
        // "the trust file `PATH`: …" already names it; an unreadable one says why.
        match error {
            crate::effects::trust_file::TrustFileError::Read(_) => {
                Fatal(anyhow::anyhow!("cannot use the trust file: {text}{hint}"))
            }
            _ => Fatal(anyhow::anyhow!("cannot use {text}{hint}")),
        }
    })
}

/// For long-running commands: fails now, rather than on every cycle, when no trust file
/// can verify anything.
pub fn require_trust(trust: Option<&Path>) -> anyhow::Result<()> {
    match find_trust(trust) {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(problem)) => Err(anyhow::anyhow!(problem.reason)),
        Err(Fatal(error)) => Err(error),
    }
}

/// The checks that need the parsed manifest and the state: subject, revision, rollback, scopes.
fn judge(
    signed: &SignedClaims,
    file: &ManifestFile,
    state: &StateStore<'_>,
) -> Result<VerifiedSignature, Problem> {
    let last = match state.get().map_err(Problem::new)? {
        Some(store) => store
            .last_signed_apply(file.manifest.name.as_str())
            .map_err(Problem::new)?,
        None => None,
    };
    let previous_manifest = last
        .as_ref()
        .and_then(|last| last.manifest.as_ref())
        .and_then(|(file_name, bytes)| previous_manifest(file, file_name, bytes));
    let previous = last.as_ref().map(|last| Previous {
        revision: last.revision,
        sha256: last.sha256.clone(),
        manifest: previous_manifest.as_ref(),
    });
    accept(signed, &file.manifest, previous.as_ref()).map_err(Problem::new)
}

/// The last signed manifest, parsed and resolved like the new one so that they compare.
/// One that no longer parses counts as unknown: every section then needs its scope.
fn previous_manifest(file: &ManifestFile, file_name: &str, bytes: &[u8]) -> Option<Manifest> {
    let mut manifest = parse_manifest(Path::new(file_name), bytes).ok()?;
    let folder = absolute_parent(&file.path).ok()?;
    manifest.environment = manifest.environment.resolved(&folder);
    Some(manifest)
}

/// `Signature: ...` above a plan: who signed, or why apply would refuse the manifest.
pub fn signature_line(file: &ManifestFile, authenticity: &Authenticity, now: i64) -> String {
    match authenticity {
        Authenticity::Signed(signature) => format!(
            "Signature: valid, key `{}` ({}), scopes {}, expires {}{}.\n",
            signature.kid,
            signature.algorithm,
            scope_list(&signature.scopes),
            timestamp_seconds(signature.expires_at),
            if signature.expires_at <= now {
                format!(
                    " ({}s ago; still accepted within the clock leeway)",
                    now - signature.expires_at
                )
            } else {
                String::new()
            },
        ),
        Authenticity::Unsigned { reason, .. } => format!(
            "Signature: not valid, apply would refuse `{}`: {}\n",
            file.path.display(),
            first_line(reason),
        ),
    }
}

/// Why the last signed apply of `name` in `store` rules out this revision with these bytes
/// (a rollback or an equivocation), if it does.
pub fn superseded(
    store: &Store,
    name: &str,
    revision: u64,
    sha256: &str,
) -> Result<Option<SignatureError>, StoreError> {
    let Some(last) = store.last_signed_apply(name)? else {
        return Ok(None);
    };
    let previous = Previous {
        revision: last.revision,
        sha256: last.sha256,
        manifest: None,
    };
    Ok(check_rollback(revision, sha256, name, &previous).err())
}

/// Checks the rollback mark again once the state lock is held: a signed manifest verified
/// before another apply finished must not undo it. The refusal is recorded like any other.
pub fn recheck_rollback(
    store: &Store,
    file: &ManifestFile,
    authenticity: &Authenticity,
    command: &str,
    now_ms: i64,
) -> anyhow::Result<()> {
    let Authenticity::Signed(signature) = authenticity else {
        return Ok(());
    };
    let Some(stale) = superseded(
        store,
        &signature.name,
        signature.revision,
        &signature.sha256,
    )?
    else {
        return Ok(());
    };
    let error = anyhow::anyhow!("refusing the manifest `{}`: {stale}", file.path.display());
    let run = NewRun {
        command: command.to_string(),
        manifest_name: Some(signature.name.clone()),
        revision: Some(signature.revision),
        sha256: Some(signature.sha256.clone()),
        signed_by: Some(signature.kid.clone()),
        file: Some(file.path.to_string_lossy().into_owned()),
        ..NewRun::default()
    };
    if let Err(record_error) = store.record_refused(&run, &format!("{error:#}"), now_ms) {
        tracing::warn!("could not record the refusal: {record_error}");
    }
    Err(error)
}
