//! Reads manifest bytes (YAML or TOML, one model) into a validated `Manifest`.
//!
//! Validation happens inside deserialisation so that every error carries the line and column
//! of the offending value. This is the only module that names the YAML crate (`yaml_serde`,
//! the maintained fork of `serde_yaml`, imported under the old name in Cargo.toml).

use std::path::{Path, PathBuf};

use serde::de::{self, IntoDeserializer};
use serde::Deserialize;

use super::manifest::{
    EnvironmentSpec, InstallerKind, Manifest, ManifestFormat, Target, MAX_MANIFEST_BYTES,
};
use super::manifest_entries::{PackageEntry, Packages, Users};
use super::manifest_error::{line_column, ManifestError};
use super::manifest_values::{FindLink, IndexUrl, InstallerVariable, Parsed, PathText};
use super::names::{parse_package_name, ManifestName, PackageName};
use super::package_spec::PackageDecl;

/// Parses and validates a manifest. `path` only labels errors and picks the format.
/// Deeper `[`/`{` nesting than this is refused before parsing: the YAML parser's time grows
/// with the square of it (1 MiB of `[` took minutes), and no manifest needs more than a few.
pub const MAX_NESTING: usize = 64;

/// Where `[`/`{` outside quoted strings and comments first nest deeper than
/// [`MAX_NESTING`]: a linear scan, made before any parser sees the text.
fn too_deeply_nested(text: &str) -> Option<(usize, usize)> {
    let (mut depth, mut line, mut column) = (0usize, 1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut previous = '\n';
    for character in text.chars() {
        column += 1;
        if character == '\n' {
            // Quoted scalars may span lines in YAML: the quote state carries over.
            (line, column, comment) = (line + 1, 0, false);
        } else if comment {
            // Nothing in a comment counts.
        } else if let Some(open) = quote {
            if character == open && previous != '\\' {
                quote = None;
            }
        } else {
            match character {
                // A quote opens a string only where a scalar can start (`don't` is text).
                '\'' | '"' if previous.is_whitespace() || "[{,:=".contains(previous) => {
                    quote = Some(character);
                }
                '#' if previous.is_whitespace() || previous == '\n' => comment = true,
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Some((line, column));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        previous = character;
    }
    None
}

pub fn parse_manifest(path: &Path, bytes: &[u8]) -> Result<Manifest, ManifestError> {
    let fail = |message: &str| ManifestError::new(path.to_path_buf(), None, message);
    if bytes.len() > MAX_MANIFEST_BYTES {
        return Err(fail(&format!(
            "the manifest is {} bytes; the limit is {MAX_MANIFEST_BYTES} bytes",
            bytes.len()
        )));
    }
    let format = ManifestFormat::from_path(path).ok_or_else(|| {
        fail("unknown manifest format\nhint: name the file `*.yaml`, `*.yml` or `*.toml`")
    })?;
    let text = std::str::from_utf8(bytes).map_err(|err| {
        let (line, column) = line_column(
            &String::from_utf8_lossy(&bytes[..err.valid_up_to()]),
            err.valid_up_to(),
        );
        ManifestError::new(
            path.to_path_buf(),
            Some((line, column)),
            "the manifest is not valid UTF-8",
        )
    })?;
    // Some editors start UTF-8 files with a byte-order mark; it is not part of the document.
    // (The signature still covers the file's exact bytes, mark included.)
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some((line, column)) = too_deeply_nested(text) {
        return Err(ManifestError::new(
            path.to_path_buf(),
            Some((line, column)),
            &format!(
                "brackets nest deeper than {MAX_NESTING} levels\n\
                 hint: a manifest needs a few levels; this file is not one"
            ),
        ));
    }
    let blank = text
        .lines()
        .all(|line| line.trim().is_empty() || line.trim_start().starts_with('#'));
    if blank {
        return Err(ManifestError::new(
            path.to_path_buf(),
            Some((1, 1)),
            "the manifest is empty\nhint: `pkgm init` writes one to start from",
        ));
    }
    let raw = match format {
        ManifestFormat::Yaml => parse_yaml(path, text)?,
        ManifestFormat::Toml => parse_toml(path, text)?,
    };
    raw.validate().map_err(|message| {
        // Checks across fields have no parser location: point at the key they name.
        let location = message
            .contains("names both `venv` and `python`")
            .then(|| key_location(text, "python"))
            .flatten();
        ManifestError::new(path.to_path_buf(), location, &message)
    })
}

/// Where `key` first starts a line as a mapping key (`key:` or `key =`), 1-based.
fn key_location(text: &str, key: &str) -> Option<(usize, usize)> {
    text.lines().enumerate().find_map(|(index, line)| {
        let indent = line.len() - line.trim_start().len();
        let rest = line.trim_start().strip_prefix(key)?;
        rest.trim_start()
            .starts_with([':', '='])
            .then_some((index + 1, indent + 1))
    })
}

/// Parser words a manifest author should not need to know.
fn plain_words(message: &str, text: &str, location: Option<(usize, usize)>) -> String {
    let mut message = message
        .replace("expected u64", "expected a whole number")
        .replace("expected i64", "expected a whole number");
    let tab_at_line = location
        .and_then(|(line, _)| text.lines().nth(line.checked_sub(1)?))
        .is_some_and(|line| {
            line.starts_with('\t') || line.trim_start_matches(' ').starts_with('\t')
        });
    if message.contains("cannot start any token") && tab_at_line {
        message.push_str("\nhint: YAML does not allow tabs for indentation; indent with spaces");
    }
    message
}

fn parse_yaml(path: &Path, text: &str) -> Result<RawManifest, ManifestError> {
    let fail = |err: serde_yaml::Error| {
        let location = err.location().map(|at| (at.line(), at.column()));
        // The YAML crate says " at line L column C" of the error; we print it first. Other
        // places it names (where an unclosed quote began) stay in the message.
        let message = match location {
            Some((line, column)) => {
                err.to_string()
                    .replacen(&format!(" at line {line} column {column}"), "", 1)
            }
            None => err.to_string(),
        };
        // A duplicate key is placed at the start of its mapping; point at the duplicate.
        let location = location.map(|start| {
            duplicated_key(&message)
                .and_then(|key| second_occurrence(text, start, key))
                .unwrap_or(start)
        });
        let message = plain_words(&message, text, location);
        ManifestError::new(path.to_path_buf(), location, &message)
    };
    // The typed pass stops at the first field it rejects, before the scanner reaches an
    // unclosed quote or bracket further on; when it fails, a syntax-only pass (`IgnoredAny`,
    // which leaves duplicates to the typed messages) says whether the text is broken first.
    // A valid manifest, the no-op plan's case, is parsed once.
    serde_yaml::from_str(text).map_err(|typed| match serde_yaml::from_str::<de::IgnoredAny>(text) {
        Err(syntax) => fail(syntax),
        Ok(_) => not_a_manifest(path, &typed.to_string()).unwrap_or_else(|| fail(typed)),
    })
}

/// A file whose top level is not a mapping (a PEM key, a script, a word) is not a
/// manifest: say so without quoting it, since the parser's message would quote all of it.
fn not_a_manifest(path: &Path, message: &str) -> Option<ManifestError> {
    let found = message.strip_prefix("invalid type: ")?;
    let (found, _) = found.split_once(", expected struct RawManifest")?;
    let kind = found.split([' ', '`', '"']).next().unwrap_or("a value");
    Some(ManifestError::new(
        path.to_path_buf(),
        Some((1, 1)),
        &format!(
            "this is not a manifest: the file is a YAML {kind}, not a mapping\n\
             hint: a manifest starts with `apiVersion: pkgm/v1` and `kind: Manifest`; \
             check that the path names the manifest"
        ),
    ))
}

/// The key a YAML duplicate-field message names: ``duplicate field `k` ``. (Packages and
/// users report their own duplicates with a location of their own.)
fn duplicated_key(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once("duplicate field `")?;
    rest.split_once('`').map(|(key, _)| key)
}

/// Where `key` appears for the second time among the keys of the block mapping that starts
/// at `start` (1-based line and column): same indentation, before the mapping ends.
fn second_occurrence(text: &str, start: (usize, usize), key: &str) -> Option<(usize, usize)> {
    let (first_line, column) = start;
    let indent = column.checked_sub(1)?;
    // A flow mapping, an anchor or a tag at the start: keys are not one to a line.
    let opening = text
        .lines()
        .nth(first_line.checked_sub(1)?)?
        .get(indent..)?;
    if opening.starts_with(['{', '&', '!']) {
        return None;
    }
    let mut seen = 0;
    for (index, row) in text.lines().enumerate().skip(first_line.checked_sub(1)?) {
        let trimmed = row.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if trimmed.matches('"').count() % 2 == 1 {
            // A quoted value continues on the next line: rows are no longer keys.
            return None;
        }
        let row_indent = row.len() - trimmed.len();
        let entry = if index + 1 == first_line {
            // The mapping may begin mid-line, after a `- `.
            row.get(indent..)?
        } else if row_indent < indent {
            return None;
        } else if row_indent == indent {
            trimmed
        } else {
            continue;
        };
        if mapping_key(entry) == Some(key) {
            seen += 1;
            if seen == 2 {
                return Some((index + 1, column));
            }
        }
    }
    None
}

/// `k` in `k: v`, `"k": v` or `'k': v`.
fn mapping_key(entry: &str) -> Option<&str> {
    let (key, rest) = match entry.chars().next()? {
        quote @ ('"' | '\'') => {
            let inner = &entry[1..];
            let end = inner.find(quote)?;
            (&inner[..end], &inner[end + 1..])
        }
        _ => {
            let end = entry.find(':')?;
            (entry[..end].trim_end(), &entry[end..])
        }
    };
    rest.trim_start().starts_with(':').then_some(key)
}

fn parse_toml(path: &Path, text: &str) -> Result<RawManifest, ManifestError> {
    let fail = |err: &toml::de::Error, field: Option<String>| {
        let location = err.span().map(|span| line_column(text, span.start));
        let message = plain_words(err.message().trim_end(), text, location);
        let message = match field {
            Some(field) => format!("{field}: {message}"),
            None => message,
        };
        ManifestError::new(path.to_path_buf(), location, &message)
    };
    let document = toml::de::Deserializer::parse(text).map_err(|err| fail(&err, None))?;
    serde_path_to_error::deserialize(document).map_err(|err| {
        // The path of the field, as the YAML errors give it (`packages.six`); none at the
        // top, and not the unknown or repeated field itself (the message names it).
        let inner = err.inner().message();
        let mut segments: Vec<String> = err
            .path()
            .iter()
            .map(|segment| segment.to_string())
            .collect();
        if inner.starts_with("unknown field") || inner.starts_with("duplicate field") {
            segments.pop();
        }
        let field = (!segments.is_empty()).then(|| segments.join("."));
        fail(err.inner(), field)
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(rename = "apiVersion")]
    #[allow(dead_code)]
    api_version: ApiVersion,
    #[allow(dead_code)]
    kind: Kind,
    metadata: RawMetadata,
    environment: Option<RawEnvironment>,
    #[serde(default)]
    packages: Packages,
    users: Option<Users>,
}

#[derive(Deserialize)]
enum ApiVersion {
    #[serde(rename = "pkgm/v1")]
    V1,
}

#[derive(Deserialize)]
enum Kind {
    Manifest,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetadata {
    name: Parsed<ManifestName>,
    revision: u64,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawEnvironment {
    venv: Option<Parsed<PathText>>,
    python: Option<Parsed<PathText>>,
    installer: Option<InstallerKind>,
    index_url: Option<Parsed<IndexUrl>>,
    #[serde(default)]
    extra_index_urls: Vec<Parsed<IndexUrl>>,
    #[serde(default)]
    find_links: Vec<Parsed<FindLink>>,
    #[serde(default)]
    no_index: bool,
    #[serde(default)]
    prune: bool,
    protected: Option<Vec<Parsed<PackageName>>>,
    #[serde(default)]
    pass_env: Vec<Parsed<InstallerVariable>>,
}

/// The packages never pruned unless the manifest says otherwise.
pub const DEFAULT_PROTECTED: &[&str] = &["pip", "setuptools", "wheel"];

impl RawManifest {
    fn validate(self) -> Result<Manifest, String> {
        let environment = self.environment.unwrap_or_default().validate()?;
        let pip = parse_package_name("pip")?;
        if matches!(self.packages.0.get(&pip), Some(PackageDecl::Absent)) {
            return Err("`packages.pip` is declared absent, but pip is never removed".into());
        }
        Ok(Manifest {
            name: self.metadata.name.0,
            revision: self.metadata.revision,
            environment,
            packages: self.packages.0,
            declares_users: self.users.is_some(),
            users: self.users.map(|users| users.0).unwrap_or_default(),
        })
    }
}

impl RawEnvironment {
    fn validate(self) -> Result<EnvironmentSpec, String> {
        let target = match (self.venv, self.python) {
            (Some(_), Some(_)) => {
                return Err("`environment` names both `venv` and `python`\n\
                            hint: use `venv` for a virtual environment pkgm creates, or `python` \
                            to manage an existing interpreter"
                    .into())
            }
            (Some(venv), None) => Target::Venv(venv.0 .0),
            (None, Some(python)) => Target::Interpreter(python.0 .0),
            (None, None) => Target::Venv(PathBuf::from(".venv")),
        };
        let protected = match self.protected {
            Some(names) => names.into_iter().map(|name| name.0).collect(),
            None => DEFAULT_PROTECTED
                .iter()
                .map(|name| parse_package_name(name))
                .collect::<Result<_, _>>()?,
        };
        Ok(EnvironmentSpec {
            target,
            installer: self.installer.unwrap_or(InstallerKind::Pip),
            index_url: self.index_url.map(|url| url.0 .0),
            extra_index_urls: self.extra_index_urls.into_iter().map(|u| u.0 .0).collect(),
            find_links: self.find_links.into_iter().map(|l| l.0 .0).collect(),
            no_index: self.no_index,
            prune: self.prune,
            protected,
            pass_env: self.pass_env.into_iter().map(|v| v.0 .0).collect(),
        })
    }
}

/// Parses a lone specifier string the way a manifest value would be parsed (used by the CLI).
pub fn parse_package_entry(text: &str) -> Result<PackageDecl, String> {
    let deserializer: de::value::StrDeserializer<'_, de::value::Error> = text.into_deserializer();
    PackageEntry::deserialize(deserializer)
        .map(|entry| entry.0)
        .map_err(|err| err.to_string())
}

#[cfg(test)]
#[path = "manifest_parse_tests.rs"]
mod tests;
