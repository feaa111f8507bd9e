//! Why a manifest signature is refused: one variant per reason, each a one-line message
//! followed by a `hint:` line saying what to do.

use super::scope::Scope;
use super::SigningAlgorithm;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error(
        "the signature is {size} bytes; the limit is {limit} bytes\n\
         hint: a manifest signature is a compact JWS of about a kilobyte; re-create it with `pkgm sign`"
    )]
    TooLarge { size: usize, limit: usize },
    #[error("the signature is not a compact JWS: {reason}\nhint: re-create it with `pkgm sign`")]
    Malformed { reason: String },
    #[error(
        "the signature uses `alg: none`, which signs nothing\n\
         hint: sign the manifest with `pkgm sign` and a trusted key"
    )]
    AlgorithmNone,
    #[error("the signature part of the token is empty\nhint: re-create it with `pkgm sign`")]
    EmptySignature,
    #[error(
        "the token is not a manifest signature (`typ` is {found}, expected `pkgm-manifest+jwt`)\n\
         hint: only tokens made by `pkgm sign` are accepted; session tokens and other JWTs are not"
    )]
    WrongType { found: String },
    #[error(
        "the token is not a manifest signature (`aud` is {found}, expected `pkgm-manifest`)\n\
         hint: only tokens made by `pkgm sign` are accepted; session tokens and other JWTs are not"
    )]
    WrongAudience { found: String },
    #[error(
        "the signature has critical header extensions ({names}) that pkgm does not understand\n\
         hint: sign the manifest with `pkgm sign`, which sets no `crit` header"
    )]
    CriticalHeader { names: String },
    #[error("the signature names no key (`kid` header)\nhint: sign with `pkgm sign --kid ID`")]
    MissingKeyId,
    #[error(
        "the signature is by key {kid}, which the trust file does not list\n\
         hint: add the key to the trust file (`pkgm keygen` prints the entry), or sign with a trusted key"
    )]
    UnknownKey { kid: String },
    #[error(
        "the signature uses `{found}`, but the trust file pins key `{kid}` to `{pinned}`\n\
         hint: sign with the private key of `{kid}`; a key is only ever accepted with its own algorithm"
    )]
    AlgorithmMismatch {
        kid: String,
        pinned: SigningAlgorithm,
        found: String,
    },
    #[error(
        "the signature does not verify with the trusted key `{kid}`\n\
         hint: the token was altered or made with another key; sign again with the private key of `{kid}`"
    )]
    BadSignature { kid: String },
    #[error("the claim `{claim}` {problem}\nhint: re-create the signature with `pkgm sign`")]
    Claim { claim: String, problem: String },
    #[error(
        "the key `{kid}` may not sign the manifest `{name}` (the trust file limits it to {allowed})\n\
         hint: sign `{name}` with a key whose `names` include it, or add it to the key's `names`"
    )]
    NameNotAllowed {
        kid: String,
        name: String,
        allowed: String,
    },
    #[error(
        "the signature's issuer ({issuer}) is not its key `{kid}`\n\
         hint: a signature speaks only for the key that made it; sign with `pkgm sign --kid {kid}`"
    )]
    IssuerMismatch { kid: String, issuer: String },
    #[error(
        "the signature is for other bytes (signed sha256 {signed}…, the manifest has {actual}…)\n\
         hint: the manifest changed after it was signed; review the change, then sign it with \
         `pkgm sign --bump`, which also raises `metadata.revision` past the last one applied"
    )]
    DigestMismatch { signed: String, actual: String },
    #[error(
        "the signature expired at {expired_at} (now {now})\n\
         hint: sign the manifest again (`pkgm sign --expires DURATION`)"
    )]
    Expired { expired_at: String, now: String },
    #[error(
        "the signature is not valid before {valid_from} (`{claim}`; now {now})\n\
         hint: check the clocks of the signing machine and this one"
    )]
    NotYetValid {
        claim: &'static str,
        valid_from: String,
        now: String,
    },
    #[error(
        "the signature is valid for {lifetime}, longer than the {max} the trust file allows for `{kid}`\n\
         hint: sign with a shorter `--expires`, or raise `max_lifetime` in the trust file"
    )]
    LifetimeTooLong {
        kid: String,
        lifetime: String,
        max: String,
    },
    #[error(
        "the signature is for manifest `{signed}`, but this manifest is `{name}`\n\
         hint: a signature cannot be moved to another manifest; sign this one"
    )]
    SubjectMismatch { signed: String, name: String },
    #[error(
        "the signature is for revision {signed}, but the manifest says revision {revision}\n\
         hint: sign the manifest again after changing its revision"
    )]
    RevisionMismatch { signed: u64, revision: u64 },
    #[error(
        "revision {revision} of `{name}` is older than revision {last}, already applied (rollback)\n\
         hint: increase `metadata.revision` above {last} and sign again"
    )]
    Rollback {
        name: String,
        revision: u64,
        last: u64,
    },
    #[error(
        "revision {revision} of `{name}` was already applied with other bytes (equivocation)\n\
         hint: every signed change needs a new revision: increase `metadata.revision` and sign again (`pkgm sign --bump` does both)"
    )]
    Equivocation { name: String, revision: u64 },
    #[error(
        "the signature claims the scope `{scope}`, which the trust file does not grant to `{kid}`\n\
         hint: to let `{kid}` sign {scope}, add \"{scope}\" to `scopes` in its `[[key]]` entry of the trust file; if the manifest changes no {scope}, sign with `--scope` limited to what `{kid}` may sign"
    )]
    ScopeNotGranted { kid: String, scope: Scope },
    #[error(
        "the manifest changes {scope}, but its signature does not cover the scope `{scope}`\n\
         hint: sign it again with `--scope` including `{scope}`, by a key whose `[[key]]` entry in the trust file lists \"{scope}\" in `scopes`"
    )]
    ScopeMissing { scope: Scope },
    #[error(
        "the signature self-test failed: {reason}\n\
         hint: this build of pkgm cannot verify signatures; reinstall it"
    )]
    SelfTest { reason: String },
}

/// Shows attacker-controlled text safely: quoted, escaped, and cut to a readable length.
pub fn quoted(text: &str) -> String {
    let mut shown: String = text.chars().take(64).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    format!("`{}`", shown.escape_debug())
}
