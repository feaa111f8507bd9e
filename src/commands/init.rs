//! `pkgm init [DIR]`: a manifest, a key pair, a trust entry and a signature, so that
//! `pkgm plan` works at once. The private key and the trust file go to the user's config
//! folder, not beside the manifest: whoever controls the manifest's folder must not
//! control trust.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};

use crate::cli::InitArgs;
use crate::core::names::ManifestName;
use crate::core::text::timestamp_seconds;
use crate::core::trust::scope::{Scope, ScopeSet};
use crate::core::trust::self_test::self_test;
use crate::core::trust::trust_entry::trust_entry;
use crate::core::trust::SigningAlgorithm;
use crate::effects::keys::{generate, read_signing_key, write_key_pair};
use crate::effects::process::quote;
use crate::effects::trust_file::{config_dir, load_trust_file, TrustLocation};

use super::{now_ms, print, Settings};
use crate::app::signing::sign_manifest_file;

const MANIFEST_FILE: &str = "pkgm.yaml";

pub fn run(settings: &Settings, args: &InitArgs) -> anyhow::Result<ExitCode> {
    self_test()?;
    let name = manifest_name(args)?;
    let manifest_path = args.dir.join(MANIFEST_FILE);
    if manifest_path.exists() {
        bail!(
            "`{}` already exists; init never overwrites a manifest\nhint: sign it with `pkgm sign`",
            manifest_path.display()
        );
    }
    let trust_path = match TrustLocation::find(settings.trust.as_deref()).path() {
        Some(path) => path.to_path_buf(),
        None => bail!("cannot find a config folder for the trust file\nhint: set `XDG_CONFIG_HOME` or pass `--trust FILE`"),
    };
    let kid = format!("{name}-local");
    if trust_path.exists() && load_trust_file(&trust_path)?.get(&kid).is_some() {
        bail!(
            "the trust file `{}` already lists a key `{kid}`\nhint: pass `--name` to start another manifest, or sign this one with `pkgm sign`",
            trust_path.display()
        );
    }
    let key_path = key_folder()?.join(format!("{kid}.pem"));

    let pair = generate(SigningAlgorithm::EdDSA)?;
    let public_path = write_key_pair(&key_path, &pair)?;
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create `{}`", args.dir.display()))?;
    write_new(&manifest_path, &manifest_text(&name), 0o644)?;
    let scopes = ScopeSet::from([Scope::Packages]);
    append_trust_entry(
        &trust_path,
        &trust_entry(&kid, pair.algorithm, &pair.public_pem, &scopes),
    )?;
    let key = read_signing_key(&key_path)?;
    let signed = sign_manifest_file(
        &manifest_path,
        &key,
        &kid,
        Duration::from_secs(30 * 24 * 3600),
        ScopeSet::new(),
        now_ms() / 1000,
    )?;
    let created = [
        (
            manifest_path.display().to_string(),
            format!("the manifest (`{name}`, revision 1)"),
        ),
        (
            signed.signature_path.display().to_string(),
            format!(
                "its signature, valid until {}",
                timestamp_seconds(signed.request.expires_at)
            ),
        ),
        (
            key_path.display().to_string(),
            "the private key (mode 0600; keep it secret)".to_string(),
        ),
        (
            public_path.display().to_string(),
            "the public key".to_string(),
        ),
        (
            trust_path.display().to_string(),
            format!("trust entry `{kid}` (packages scope; add \"users\" to sign accounts)"),
        ),
    ];
    let width = created.iter().map(|(path, _)| path.chars().count()).max();
    let mut text = String::from("Created:\n");
    for (path, what) in &created {
        text.push_str(&format!(
            "  {path:<width$}  {what}\n",
            width = width.unwrap_or(0)
        ));
    }
    text.push_str(&format!(
        "\nNext:\n  pkgm plan {manifest}\n  pkgm apply {manifest}\n\
         After every change, raise the revision and sign again:\n  pkgm sign {manifest} --key {} --kid {kid} --bump\n",
        quote(&key_path.to_string_lossy()),
        manifest = quote(&manifest_path.to_string_lossy()),
    ));
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn manifest_name(args: &InitArgs) -> anyhow::Result<String> {
    let text = match &args.name {
        Some(name) => name.clone(),
        None => {
            let folder = std::path::absolute(&args.dir).unwrap_or_else(|_| args.dir.clone());
            let base = folder
                .file_name()
                .map(|name| name.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            let cleaned: String = base
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            let cleaned = cleaned.trim_start_matches(['-', '_', '.']).to_string();
            let chosen = if ManifestName::parse(&cleaned).is_ok() {
                cleaned
            } else {
                "example".to_string()
            };
            if chosen != base {
                tracing::warn!(
                    "named the manifest `{chosen}` after the folder `{base}` (a name is ASCII \
                     letters, digits, `-`, `_` and `.`); pass `--name` to choose another"
                );
            }
            chosen
        }
    };
    ManifestName::parse(&text)
        .map_err(|problem| anyhow::anyhow!("`--name`: {problem}"))
        .map(|name| name.to_string())
}

fn key_folder() -> anyhow::Result<PathBuf> {
    match config_dir() {
        Some(config) => Ok(config.join("pkgm").join("keys")),
        None => bail!("cannot find a config folder for the key\nhint: set `XDG_CONFIG_HOME`"),
    }
}

fn manifest_text(name: &str) -> String {
    format!(
        "# A pkgm manifest: what this machine's Python environment must hold.\n\
         # After every change, raise metadata.revision and sign again (`pkgm sign`).\n\
         apiVersion: pkgm/v1\n\
         kind: Manifest\n\
         metadata:\n  name: {name}\n  revision: 1\n\
         environment:\n  venv: .venv\n  prune: false\n\
         packages: {{}}\n\
         # packages:\n#   requests: \"==2.32.3\"\n#   rich: \"*\"\n"
    )
}

fn write_new(path: &Path, text: &str, mode: u32) -> anyhow::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .with_context(|| format!("cannot create `{}`", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write `{}`", path.display()))
}

/// Creates the trust file, or adds the entry at its end.
fn append_trust_entry(path: &Path, entry: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        // Not private: a trust file named with `--trust` (e.g. under /etc) is read by others.
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    let mut file = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o644)
        .open(path)
        .with_context(|| format!("cannot open the trust file `{}`", path.display()))?;
    let text = format!("\n# Added by `pkgm init`.\n{entry}");
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write the trust file `{}`", path.display()))
}
