//! Command-line arguments (clap derives only). Doc comments are the `--help` text.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "pkgm",
    version,
    about = "Reconcile Python environments and application accounts from signed, declarative manifests",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// The heading global options appear under, apart from each command's own.
const GLOBAL: &str = "Global options";

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The state database (history, last applied manifests, accounts) [default:
    /// $XDG_STATE_HOME/pkgm/state.db, /var/lib/pkgm/state.db for root, else
    /// ~/.local/state/pkgm/state.db]
    #[arg(long, global = true, env = "PKGM_STATE", hide_env_values = true, value_name = "PATH", help_heading = GLOBAL)]
    pub state: Option<PathBuf>,
    /// The trust file listing the keys whose signatures are accepted
    #[arg(long, global = true, env = "PKGM_TRUST", hide_env_values = true, value_name = "PATH", help_heading = GLOBAL)]
    pub trust: Option<PathBuf>,
    /// More output; repeat for more (-vv). apply, watch, install, upgrade and uninstall
    /// stream the installer's own output
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = GLOBAL)]
    pub verbose: u8,
    /// Only errors
    #[arg(short, long, global = true, conflicts_with = "verbose", help_heading = GLOBAL)]
    pub quiet: bool,
    /// Format of log lines on stderr
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, help_heading = GLOBAL)]
    pub log_format: LogFormat,
    /// When to colour output (NO_COLOR is honoured with `auto`)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, help_heading = GLOBAL)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what apply would do; changes nothing
    #[command(
        after_help = "Examples:\n  pkgm plan manifest.yaml\n  pkgm plan manifest.yaml --diff --detailed-exitcode\n  pkgm plan manifest.yaml --output json"
    )]
    Plan(PlanArgs),
    /// Verify, plan, apply, check convergence and record the outcome
    #[command(
        after_help = "Examples:\n  pkgm apply manifest.yaml\n  pkgm apply manifest.yaml --yes --output json"
    )]
    Apply(ApplyArgs),
    /// Reconcile now, then on every change of the manifest or its signature, and every interval
    #[command(
        after_help = "Examples:\n  pkgm watch /srv/app/manifest.yaml --interval 5m\n  pkgm watch manifest.yaml --once --check"
    )]
    Watch(WatchArgs),
    /// Installed packages, marked declared, dependency or undeclared
    #[command(
        after_help = "Examples:\n  pkgm list --manifest manifest.yaml\n  pkgm list --python .venv/bin/python --output json"
    )]
    List(ListArgs),
    /// The last applied revision of each manifest and the latest run's outcome
    #[command(after_help = "Examples:\n  pkgm status\n  pkgm status --output json")]
    Status(OutputArgs),
    /// Recorded runs, or one run in full
    #[command(after_help = "Examples:\n  pkgm history --limit 10\n  pkgm history 42")]
    History(HistoryArgs),
    /// Scaffold a signed manifest, a key pair and a trust entry, ready to plan
    #[command(after_help = "Examples:\n  pkgm init demo --name demo")]
    Init(InitArgs),
    /// Write a new key pair: the private key (PKCS#8 PEM, mode 0600) and KEY.pub
    #[command(after_help = "Examples:\n  pkgm keygen --out ~/.config/pkgm/keys/ops-2026.pem")]
    Keygen(KeygenArgs),
    /// Sign a manifest: writes MANIFEST.sig
    #[command(
        after_help = "Examples:\n  pkgm sign manifest.yaml --key ops-2026.pem --kid ops-2026\n  pkgm sign manifest.yaml --key ops-2026.pem --bump --strict"
    )]
    Sign(SignArgs),
    /// Check a manifest's signature: who signed which revision, until when, and whether apply
    /// would accept it now
    #[command(
        after_help = "Examples:\n  pkgm verify manifest.yaml\n  pkgm verify manifest.yaml --output json"
    )]
    Verify(VerifyArgs),
    /// Print a JSON Schema (the files under `schemas/` are exactly this output)
    #[command(after_help = "Examples:\n  pkgm schema manifest > manifest.schema.json")]
    Schema(SchemaArgs),
    /// Print shell completions
    #[command(
        after_help = "Examples:\n  pkgm completions bash > ~/.local/share/bash-completion/completions/pkgm"
    )]
    Completions(CompletionsArgs),
    /// Install packages into an environment (needs a maintainer session; recorded)
    #[command(
        after_help = "Examples:\n  pkgm install --manifest manifest.yaml 'requests==2.32.3'\n  pkgm install --python .venv/bin/python 'flask[async]'"
    )]
    Install(PackagesArgs),
    /// Upgrade installed packages (needs a maintainer session; recorded)
    #[command(after_help = "Examples:\n  pkgm upgrade --manifest manifest.yaml requests")]
    Upgrade(PackagesArgs),
    /// Remove installed packages (needs a maintainer session; recorded)
    #[command(after_help = "Examples:\n  pkgm uninstall --manifest manifest.yaml requests")]
    Uninstall(PackagesArgs),
    /// Log in with a password from the user store; saves a session token
    #[command(
        after_help = "Examples:\n  pkgm login --user alice\n  pkgm login --user alice --password-stdin < password.txt"
    )]
    Login(LoginArgs),
    /// Delete the saved session token
    Logout,
    /// Show who is logged in, with which role, until when
    #[command(after_help = "Examples:\n  pkgm whoami")]
    Whoami(OutputArgs),
    /// Accounts in the user store
    #[command(after_help = "Examples:\n  pkgm users list\n  pkgm users show alice")]
    Users(UsersArgs),
    /// Read a password (no echo) and print an argon2id PHC string for `password_hash`
    #[command(after_help = "Examples:\n  pkgm hash-password")]
    HashPassword(HashPasswordArgs),
}

#[derive(Debug, Args)]
pub struct ManifestArgs {
    /// The manifest (`.yaml`, `.yml` or `.toml`)
    #[arg(value_name = "MANIFEST")]
    pub manifest: PathBuf,
    /// Accept a manifest without a valid signature (local experiments only; recorded as unsigned)
    #[arg(long)]
    pub allow_unsigned: bool,
    /// With --allow-unsigned, also let an unsigned manifest change user accounts
    #[arg(long, requires = "allow_unsigned")]
    pub allow_unsigned_users: bool,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub manifest: ManifestArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Exit 0 when in sync, 2 when there are changes, 1 on error
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Refuse a manifest without a valid signature, as apply does
    #[arg(long, conflicts_with = "allow_unsigned")]
    pub require_signature: bool,
    /// Also show a unified diff of the manifest against the last applied one
    #[arg(long)]
    pub diff: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub manifest: ManifestArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Apply without asking (required when stdin is not a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Let this manifest manage an environment bound to another manifest name or state
    #[arg(long)]
    pub take_over: bool,
    /// How long to wait for another apply on the same state to finish
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub lock_timeout: Duration,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub manifest: ManifestArgs,
    /// How often to check for drift when nothing else triggers a cycle
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_interval)]
    pub interval: Duration,
    /// Reconcile once and exit with apply's exit code (with --check: 2 when there is drift)
    #[arg(long)]
    pub once: bool,
    /// Report drift without changing anything
    #[arg(long)]
    pub check: bool,
    /// How long a cycle waits for another apply on the same state to finish
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub lock_timeout: Duration,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// The manifest whose environment to list
    #[arg(long, value_name = "MANIFEST", conflicts_with = "python")]
    pub manifest: Option<PathBuf>,
    /// List this interpreter's packages instead
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Let an unsigned --manifest run the interpreter it names (to learn its site folders)
    #[arg(long, requires = "manifest")]
    pub allow_unsigned: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PackagesArgs {
    /// Packages, optionally with extras and a specifier: `requests==2.32.3`, `flask[async]`
    /// (`uninstall` takes names only)
    #[arg(value_name = "PKG", required = true)]
    pub packages: Vec<String>,
    /// Act on this manifest's environment (its `environment:` and index settings)
    #[arg(long, value_name = "MANIFEST", conflicts_with = "python")]
    pub manifest: Option<PathBuf>,
    /// Act on this interpreter's environment instead
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Accept a --manifest without a valid signature (its interpreter and index settings are
    /// used as written)
    #[arg(long, requires = "manifest")]
    pub allow_unsigned: bool,
    /// How long to wait for an apply or another change on the same state to finish
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub lock_timeout: Duration,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The account to log in as (default: `$USER`)
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Read the password from the first line of stdin instead of prompting
    #[arg(long)]
    pub password_stdin: bool,
    /// How long the session lasts (at most 24h)
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_duration)]
    pub ttl: Duration,
}

#[derive(Debug, Args)]
pub struct UsersArgs {
    #[command(subcommand)]
    pub command: UsersCommand,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Every account (admin only)
    List(OutputArgs),
    /// One account (yourself, or anyone as admin)
    Show(UsersShowArgs),
}

#[derive(Debug, Args)]
pub struct UsersShowArgs {
    #[arg(value_name = "NAME")]
    pub name: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct HashPasswordArgs {
    /// Read the password from the first line of stdin instead of prompting twice
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Show this run in full
    pub id: Option<i64>,
    /// How many runs to list (at least 1)
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder for the manifest (created when missing)
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// The manifest's `metadata.name` (default: from the folder's name)
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyAlgorithm {
    Ed25519,
    Es256,
    Rs256,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the private key; the public key goes to KEY.pub. Never overwritten
    #[arg(long, value_name = "KEY")]
    pub out: PathBuf,
    /// The key type (Ed25519 signs as EdDSA, ES256 is P-256, RS256 is RSA 3072)
    #[arg(long, value_enum, default_value_t = KeyAlgorithm::Ed25519)]
    pub algorithm: KeyAlgorithm,
    /// The key id for the printed trust entry (default: the file name without extension)
    #[arg(long, value_name = "ID")]
    pub kid: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScopeArg {
    Packages,
    Users,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The manifest to sign
    #[arg(value_name = "MANIFEST")]
    pub manifest: PathBuf,
    /// The private key (PKCS#8 PEM from `pkgm keygen`)
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// The key id under which the trust file lists the public key (default: the key file's
    /// name without extension, as `keygen` chose it)
    #[arg(long, value_name = "ID")]
    pub kid: Option<String>,
    /// How long the signature stays valid
    #[arg(long, value_name = "DURATION", default_value = "30d", value_parser = parse_duration)]
    pub expires: Duration,
    /// What the signature covers (default: the sections the manifest has)
    #[arg(long, value_enum, value_delimiter = ',')]
    pub scope: Vec<ScopeArg>,
    /// Refuse to sign (exit 1, nothing written) when there is anything to warn about
    #[arg(long)]
    pub strict: bool,
    /// First raise `metadata.revision` in the file, past both its own revision and the last
    /// one this state applied under its name
    #[arg(long)]
    pub bump: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The manifest whose signature (MANIFEST.sig) to check
    #[arg(value_name = "MANIFEST")]
    pub manifest: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    Manifest,
    Plan,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which document's schema to print
    #[arg(value_enum, default_value_t = SchemaKind::Manifest)]
    pub kind: SchemaKind,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write completions for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Parses durations such as `30s`, `5m`, `1h 30m`, `30d`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid =
        || format!("`{text}` is not a duration: write a number and a unit, like 90s, 5m or 1h30m");
    // A year is 365 days here (humantime's is 365.25, which shows as `365d 6h`).
    let years = text.trim().strip_suffix('y').map(str::trim_end);
    if let Some(Ok(years)) = years.map(str::parse::<u64>) {
        return Ok(Duration::from_secs(years.saturating_mul(365 * 24 * 3600)));
    }
    humantime::parse_duration(text).map_err(|_| invalid())
}

/// A duration of at least a second, for `watch --interval`.
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    let interval = parse_duration(text)?;
    if interval < Duration::from_secs(1) {
        return Err(format!("`{text}`: the interval must be at least 1s"));
    }
    Ok(interval)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5").unwrap_err().contains("like 90s, 5m"));
        assert_eq!(
            parse_duration("1y"),
            Ok(Duration::from_secs(365 * 24 * 3600))
        );
        assert_eq!(
            parse_duration("2 y"),
            Ok(Duration::from_secs(2 * 365 * 24 * 3600))
        );
        assert_eq!(parse_duration("1day"), Ok(Duration::from_secs(24 * 3600)));
    }

    #[test]
    fn watch_intervals_are_at_least_a_second() {
        assert_eq!(parse_interval("2s"), Ok(Duration::from_secs(2)));
        assert!(parse_interval("0s").is_err());
        assert!(parse_interval("500ms").is_err());
    }
}
