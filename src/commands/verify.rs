//! `pkgm verify`: who signed the manifest, which revision, which scopes, until when, and
//! whether apply would accept it now (rollback included). Exit 1 with the reason if not.

use std::process::ExitCode;

use anyhow::anyhow;
use serde_json::json;

use crate::cli::{OutputFormat, VerifyArgs};
use crate::core::text::timestamp_seconds;
use crate::core::trust::scope::scope_list;
use crate::core::trust::verify::span;

use super::{now_ms, print, print_json, Settings};
use crate::app::authenticity::{authenticate, Authenticity, Policy};
use crate::app::state_store::StateStore;

pub fn run(settings: &Settings, args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let now_ms = now_ms();
    // Without a state database nothing was applied yet; verify does not create one.
    let state = StateStore::new(&settings.state, false);
    let path = &args.manifest;
    let (file, authenticity) = authenticate(
        settings.trust.as_deref(),
        path,
        Policy::Report,
        &state,
        "verify",
        true,
        now_ms,
    )?;
    let signature = match authenticity {
        Authenticity::Signed(signature) => signature,
        Authenticity::Unsigned { reason, .. } => {
            if args.output.output == OutputFormat::Json {
                let (message, hint) = reason.split_once("\nhint: ").unwrap_or((&reason, ""));
                print_json(&json!({
                    "manifest": path.to_string_lossy(),
                    "accepted": false,
                    "reason": message,
                    "hint": hint,
                }))?;
            }
            return Err(anyhow!("apply would refuse `{}`: {reason}", path.display()));
        }
    };
    let now = now_ms / 1000;
    if args.output.output == OutputFormat::Json {
        print_json(&json!({
            "manifest": path.to_string_lossy(),
            "accepted": true,
            "kid": signature.kid,
            "algorithm": signature.algorithm,
            "issuer": signature.issuer,
            "name": signature.name,
            "revision": signature.revision,
            "sha256": signature.sha256,
            "bytes": file.bytes.len(),
            "scopes": signature.scopes,
            "needs": signature.needs,
            "issued_at": timestamp_seconds(signature.issued_at),
            "expires_at": timestamp_seconds(signature.expires_at),
            "reapply": signature.reapply,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let reapply = if signature.reapply {
        "\n  note:     this revision is already applied with these bytes; apply converges again"
    } else {
        ""
    };
    print(&format!(
        "`{}`: valid signature; apply would accept it now.\n  \
         key:      `{}` ({}), issuer `{}`\n  \
         manifest: `{}` revision {}, sha256 {}…, {} bytes\n  \
         scopes:   {} (this change needs: {})\n  \
         issued:   {}\n  \
         expires:  {} ({}){reapply}\n",
        path.display(),
        signature.kid,
        signature.algorithm,
        signature.issuer.escape_debug(),
        signature.name,
        signature.revision,
        &signature.sha256[..12],
        file.bytes.len(),
        scope_list(&signature.scopes),
        match signature.needs.is_empty() {
            true => "nothing".to_string(),
            false => scope_list(&signature.needs),
        },
        timestamp_seconds(signature.issued_at),
        timestamp_seconds(signature.expires_at),
        match signature.expires_at - now {
            left if left >= 0 => format!("in {}", span(left)),
            over => format!(
                "{} ago; still accepted within the clock leeway",
                span(-over)
            ),
        },
    ))?;
    Ok(ExitCode::SUCCESS)
}
