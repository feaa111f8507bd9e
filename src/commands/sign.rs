//! `pkgm sign`: writes `MANIFEST.sig`, a compact JWS over the manifest's exact bytes.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::cli::{ScopeArg, SignArgs};
use crate::core::text::timestamp_seconds;
use crate::core::trust::scope::{scope_list, Scope, ScopeSet};
use crate::core::trust::self_test::self_test;
use crate::core::trust::signature_error::SignatureError;
use crate::core::trust::verify::span;
use crate::core::trust::verify_token;
use crate::core::trust::DEFAULT_MAX_LIFETIME_SECONDS;
use crate::effects::keys::read_signing_key;
use crate::effects::replace_file::replace_file;
use crate::effects::trust_file::{load_trust_file, TrustLocation};

use crate::core::manifest_edit::raise_revision;

use super::{now_ms, print, Settings};
use crate::app::authenticity::superseded;
use crate::app::manifest_file::ManifestFile;
use crate::app::signing::{prepare_signature, Prepared};
use crate::app::state_store::StateStore;

pub fn run(settings: &Settings, args: &SignArgs) -> anyhow::Result<ExitCode> {
    self_test()?;
    let key = read_signing_key(&args.key)?;
    if key.readable_by_others {
        tracing::warn!(
            "the private key `{}` is readable by other users; run `chmod 600 {}`",
            args.key.display(),
            args.key.display()
        );
    }
    if args.expires.as_secs() > DEFAULT_MAX_LIFETIME_SECONDS as u64 {
        tracing::warn!(
            "the signature is valid for {}; trust files refuse more than {} unless their `max_lifetime` allows it",
            span(args.expires.as_secs() as i64),
            span(DEFAULT_MAX_LIFETIME_SECONDS)
        );
    }
    let scopes: ScopeSet = args
        .scope
        .iter()
        .map(|scope| match scope {
            ScopeArg::Packages => Scope::Packages,
            ScopeArg::Users => Scope::Users,
        })
        .collect();
    let now = now_ms() / 1000;
    let kid = match &args.kid {
        Some(kid) => kid.clone(),
        None => args
            .key
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    if args.bump {
        bump(settings, &args.manifest)?;
    }
    let prepared = prepare_signature(&args.manifest, &key, &kid, args.expires, scopes, now)?;
    let mut warnings = prepared.warnings.clone();
    warnings.extend(this_machine_would_refuse(
        settings, &args.key, &prepared, now,
    )?);
    let request = &prepared.request;
    warnings.extend(already_superseded(
        settings,
        &request.name,
        request.revision,
        &request.sha256,
    ));
    if args.strict && !warnings.is_empty() {
        bail!(
            "not signing `{}` (--strict): {}\nhint: fix what the warnings say, or sign without `--strict`",
            args.manifest.display(),
            warnings.join("; ")
        );
    }
    for warning in &warnings {
        tracing::warn!("{warning}");
    }
    let signed = prepared.write()?;
    let request = &signed.request;
    print(&format!(
        "Signed `{}` revision {} (sha256 {}…, {} bytes) with `{}` ({}), scopes {}, valid until {}.\n\
         Wrote `{}`.\n",
        request.name,
        request.revision,
        &request.sha256[..12],
        request.len,
        request.kid,
        key.algorithm,
        scope_list(&request.scopes),
        timestamp_seconds(request.expires_at),
        signed.signature_path.display(),
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// Raises the manifest's revision past its own and past the last this state applied
/// under its name, editing only that number, and rewrites the file in one rename.
fn bump(settings: &Settings, path: &Path) -> anyhow::Result<()> {
    if std::fs::symlink_metadata(path).is_ok_and(|metadata| metadata.file_type().is_symlink()) {
        bail!(
            "`{}` is a symbolic link; `--bump` edits only a manifest file itself\n\
             hint: run it on the file the link points to",
            path.display()
        );
    }
    let bytes = ManifestFile::read_bytes(path)?;
    let file = ManifestFile::from_bytes(path, bytes)?;
    let name = file.manifest.name.to_string();
    let own = file.manifest.revision;
    let state = StateStore::new(&settings.state, false);
    let applied = match state.get()? {
        Some(store) => store.last_applied(&name)?.map(|applied| applied.revision),
        None => None,
    };
    let new = own.max(applied.unwrap_or(0)) + 1;
    let text = String::from_utf8(file.bytes.clone())
        .map_err(|_| anyhow::anyhow!("`{}` is not UTF-8", path.display()))?;
    let raised = raise_revision(&text, own, new).map_err(anyhow::Error::msg)?;
    // The edit must parse to the same manifest with the new revision, or nothing is written.
    let check = ManifestFile::from_bytes(path, raised.clone().into_bytes())?;
    if check.manifest.revision != new || check.manifest.name.as_str() != name {
        bail!(
            "cannot raise the revision of `{}` safely\nhint: edit `metadata.revision` by hand, then sign",
            path.display()
        );
    }
    let permissions = std::fs::metadata(path)
        .with_context(|| format!("cannot read `{}`", path.display()))?
        .permissions();
    replace_file(path, raised.as_bytes(), permissions)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    eprintln!("Raised `{name}` to revision {new} in `{}`.", path.display());
    Ok(())
}

/// When this machine's state already applied this revision with other bytes (or a later
/// one), apply here will refuse the signature: say so while the revision can still be raised.
fn already_superseded(
    settings: &Settings,
    name: &str,
    revision: u64,
    sha256: &str,
) -> Option<String> {
    let state = StateStore::new(&settings.state, false);
    let Ok(Some(store)) = state.get() else {
        return None;
    };
    match superseded(store, name, revision, sha256) {
        Ok(Some(stale)) => Some(format!(
            "the state `{}` would refuse this signature: {stale}",
            settings.state.display()
        )),
        _ => None,
    }
}

/// Signing happens where the trust file may be: the new token is checked against it as
/// apply would check it. A private key that does not match the public key listed for its
/// kid is an error (nothing is written); other refusals are warnings.
fn this_machine_would_refuse(
    settings: &Settings,
    key_path: &Path,
    prepared: &Prepared,
    now: i64,
) -> anyhow::Result<Vec<String>> {
    let location = TrustLocation::find(settings.trust.as_deref());
    let Some(path) = location.path().filter(|path| path.exists()) else {
        return Ok(Vec::new());
    };
    let Ok(trust) = load_trust_file(path) else {
        return Ok(Vec::new());
    };
    let kid = &prepared.request.kid;
    let Some(entry) = trust.get(kid) else {
        return Ok(vec![format!(
            "the trust file `{}` does not list `{kid}`: apply on this machine would refuse this signature",
            path.display()
        )]);
    };
    let missing = entry.ungranted(&prepared.request.scopes);
    if !missing.is_empty() {
        return Ok(vec![format!(
            "the trust file `{}` does not grant `{kid}` the scope {}: apply on this machine would refuse this signature\n\
             hint: add {} to `scopes` in the `{kid}` entry of that trust file",
            path.display(),
            scope_list(&missing),
            missing
                .iter()
                .map(|scope| format!("\"{}\"", scope.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
        )]);
    }
    match verify_token(&prepared.token, &prepared.manifest_bytes, &trust, now) {
        Ok(_) => Ok(Vec::new()),
        Err(SignatureError::BadSignature { .. } | SignatureError::AlgorithmMismatch { .. }) => bail!(
            "the key `{}` is not the one the trust file `{}` lists for `{kid}`: apply would refuse \
             every signature it makes under that id; nothing was written\n\
             hint: sign with the private key of `{kid}`, or pass the `--kid` its public key is listed under",
            key_path.display(),
            path.display()
        ),
        Err(problem) => Ok(vec![format!(
            "apply on this machine would refuse this signature: {}",
            problem.to_string().replace('\n', "; ")
        )]),
    }
}
