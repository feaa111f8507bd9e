//! `pkgm keygen`: a new key pair, the private key never written over an existing file, and
//! the trust-file entry to paste on the machines that should accept its signatures.

use std::process::ExitCode;

use anyhow::bail;

use crate::cli::{KeyAlgorithm, KeygenArgs};
use crate::core::trust::scope::{Scope, ScopeSet};
use crate::core::trust::trust_entry::trust_entry;
use crate::core::trust::trust_store::check_kid;
use crate::core::trust::SigningAlgorithm;
use crate::effects::keys::{generate, write_key_pair};

use super::print;

pub fn run(args: &KeygenArgs) -> anyhow::Result<ExitCode> {
    let algorithm = match args.algorithm {
        KeyAlgorithm::Ed25519 => SigningAlgorithm::EdDSA,
        KeyAlgorithm::Es256 => SigningAlgorithm::ES256,
        KeyAlgorithm::Rs256 => SigningAlgorithm::RS256,
    };
    let kid = match &args.kid {
        Some(kid) => kid.clone(),
        None => args
            .out
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    if let Err(problem) = check_kid(&kid) {
        bail!(
            "`{}` cannot be a key id: {problem}\nhint: pass `--kid ID`",
            kid.escape_debug()
        );
    }
    let pair = generate(algorithm)?;
    let public = write_key_pair(&args.out, &pair)?;
    let entry = trust_entry(
        &kid,
        algorithm,
        &pair.public_pem,
        &ScopeSet::from([Scope::Packages]),
    );
    print(&format!(
        "Wrote the private key `{}` (mode 0600; keep it secret) and the public key `{}`.\n\
         Add this entry to the trust file of each machine that should accept what it signs\n\
         (`~/.config/pkgm/trust.toml`, or the file named by `--trust` / `PKGM_TRUST`):\n\n{entry}",
        args.out.display(),
        public.display(),
    ))?;
    Ok(ExitCode::SUCCESS)
}
