//! `pkgm sign`: writes `MANIFEST.sig`, a compact JWS over the manifest's exact bytes.

use std::process::ExitCode;

use crate::cli::{ScopeArg, SignArgs};
use crate::core::trust::scope::{scope_list, Scope, ScopeSet};
use crate::core::trust::self_test::self_test;
use crate::core::trust::verify::{span, timestamp};
use crate::core::trust::DEFAULT_MAX_LIFETIME_SECONDS;
use crate::effects::keys::read_signing_key;
use crate::effects::trust_file::{load_trust_file, TrustLocation};

use super::authenticity::superseded;
use super::signing::sign_manifest_file;
use super::state_store::StateStore;
use super::{now_ms, print, Settings};

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
    let signed = sign_manifest_file(&args.manifest, &key, &kid, args.expires, scopes, now)?;
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
        timestamp(request.expires_at),
        signed.signature_path.display(),
    ))?;
    warn_if_this_machine_would_refuse(settings, &request.kid, &request.scopes);
    warn_if_already_superseded(settings, &request.name, request.revision, &request.sha256);
    Ok(ExitCode::SUCCESS)
}

/// When this machine's state already applied this revision with other bytes (or a later
/// one), apply here will refuse the signature: say so while the revision can still be raised.
fn warn_if_already_superseded(settings: &Settings, name: &str, revision: u64, sha256: &str) {
    let state = StateStore::new(&settings.state, false);
    let Ok(Some(store)) = state.get() else {
        return;
    };
    if let Ok(Some(stale)) = superseded(store, name, revision, sha256) {
        tracing::warn!(
            "the state `{}` would refuse this signature: {stale}",
            settings.state.display()
        );
    }
}

/// Signing happens where the trust file may be: if this machine's would refuse the
/// signature (unknown key id, a scope not granted), say so now rather than at apply.
fn warn_if_this_machine_would_refuse(settings: &Settings, kid: &str, scopes: &ScopeSet) {
    let location = TrustLocation::find(settings.trust.as_deref());
    let Some(path) = location.path().filter(|path| path.exists()) else {
        return;
    };
    let Ok(trust) = load_trust_file(path) else {
        return;
    };
    let Some(key) = trust.get(kid) else {
        tracing::warn!(
            "the trust file `{}` does not list `{kid}`: apply on this machine would refuse this signature",
            path.display()
        );
        return;
    };
    let missing = key.ungranted(scopes);
    if !missing.is_empty() {
        tracing::warn!(
            "the trust file `{}` does not grant `{kid}` the scope {}: apply on this machine would refuse this signature\n\
             hint: add {} to `scopes` in the `{kid}` entry of that trust file",
            path.display(),
            scope_list(&missing),
            missing
                .iter()
                .map(|scope| format!("\"{}\"", scope.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
}
