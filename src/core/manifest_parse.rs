//! Reads manifest bytes (YAML or TOML, one model) into a validated `Manifest`.
//!
//! Validation happens inside deserialisation so that every error carries the line and column
//! of the offending value. This is the only module that names the YAML crate, so swapping it
//! for a maintained fork is a one-line change.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, IntoDeserializer, MapAccess, Visitor};
use serde::Deserialize;

use super::manifest::{
    EnvironmentSpec, InstallerKind, Manifest, ManifestFormat, Target, MAX_MANIFEST_BYTES,
};
use super::manifest_error::{line_column, ManifestError};
use super::names::{parse_extra, parse_package_name, ExtraName, ManifestName, PackageName};
use super::package_spec::{PackageDecl, PackageWanted, VersionWanted};
use super::user_spec::{Email, PasswordHash, Role, UserDecl, UserName, UserWanted};

/// Parses and validates a manifest. `path` only labels errors and picks the format.
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
    let raw = match format {
        ManifestFormat::Yaml => parse_yaml(path, text)?,
        ManifestFormat::Toml => parse_toml(path, text)?,
    };
    raw.validate().map_err(|message| fail(&message))
}

fn parse_yaml(path: &Path, text: &str) -> Result<RawManifest, ManifestError> {
    serde_yaml::from_str(text).map_err(|err| {
        let location = err.location().map(|at| (at.line(), at.column()));
        let message = err.to_string();
        // The YAML crate appends its own " at line L column C"; we print the location first.
        let message = match message.rfind(" at line ") {
            Some(index) if location.is_some() => message[..index].to_string(),
            _ => message,
        };
        ManifestError::new(path.to_path_buf(), location, &message)
    })
}

fn parse_toml(path: &Path, text: &str) -> Result<RawManifest, ManifestError> {
    toml::from_str(text).map_err(|err| {
        let location = err.span().map(|span| line_column(text, span.start));
        ManifestError::new(path.to_path_buf(), location, err.message().trim_end())
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

/// A value validated from text at deserialisation time, so errors keep their location.
struct Parsed<T>(T);

trait FromText: Sized {
    const EXPECTING: &'static str;
    /// What to say when a YAML scalar arrived as a number.
    const NUMBER_HINT: &'static str = "quote the value";
    fn from_text(text: &str) -> Result<Self, String>;
}

impl<'de, T: FromText> Deserialize<'de> for Parsed<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(TextVisitor(PhantomData))
            .map(Parsed)
    }
}

struct TextVisitor<T>(PhantomData<T>);

/// The error for a scalar that YAML or TOML read as a number where text was expected.
fn number_error<T: FromText, E: de::Error>(number: impl fmt::Display) -> E {
    E::custom(format!(
        "expected {}, found the number `{number}`\nhint: {}",
        T::EXPECTING,
        T::NUMBER_HINT
    ))
}

impl<'de, T: FromText> Visitor<'de> for TextVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        T::from_text(text).map_err(E::custom)
    }

    fn visit_f64<E: de::Error>(self, number: f64) -> Result<T, E> {
        Err(number_error::<T, E>(number))
    }

    fn visit_i64<E: de::Error>(self, number: i64) -> Result<T, E> {
        Err(number_error::<T, E>(number))
    }

    fn visit_u64<E: de::Error>(self, number: u64) -> Result<T, E> {
        Err(number_error::<T, E>(number))
    }
}

impl FromText for ManifestName {
    const EXPECTING: &'static str = "a manifest name";
    fn from_text(text: &str) -> Result<Self, String> {
        ManifestName::parse(text)
    }
}

impl FromText for PackageName {
    const EXPECTING: &'static str = "a package name";
    fn from_text(text: &str) -> Result<Self, String> {
        parse_package_name(text)
    }
}

impl FromText for ExtraName {
    const EXPECTING: &'static str = "an extra name";
    fn from_text(text: &str) -> Result<Self, String> {
        parse_extra(text)
    }
}

impl FromText for VersionWanted {
    const EXPECTING: &'static str = "a version specifier string";
    const NUMBER_HINT: &'static str =
        "an unquoted version such as 1.10 is read as a number (1.1); quote it, e.g. \"==1.10\"";
    fn from_text(text: &str) -> Result<Self, String> {
        VersionWanted::parse(text)
    }
}

impl FromText for Email {
    const EXPECTING: &'static str = "an email address";
    fn from_text(text: &str) -> Result<Self, String> {
        Email::parse(text)
    }
}

impl FromText for PasswordHash {
    const EXPECTING: &'static str = "an argon2id PHC string";
    fn from_text(text: &str) -> Result<Self, String> {
        PasswordHash::parse(text)
    }
}

/// A file system path given as text; never empty and never option-like.
struct PathText(PathBuf);

impl FromText for PathText {
    const EXPECTING: &'static str = "a path";
    fn from_text(text: &str) -> Result<Self, String> {
        if text.is_empty() || text.starts_with('-') || text.contains('\0') {
            return Err(format!("`{text}` is not a usable path"));
        }
        Ok(Self(PathBuf::from(text)))
    }
}

/// A package index URL.
struct IndexUrl(String);

impl FromText for IndexUrl {
    const EXPECTING: &'static str = "an index URL";
    fn from_text(text: &str) -> Result<Self, String> {
        let scheme_ok = ["https://", "http://", "file://"]
            .iter()
            .any(|scheme| text.starts_with(scheme));
        if !scheme_ok || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "`{text}` is not an index URL (expected `https://`, `http://` or `file://`)"
            ));
        }
        Ok(Self(text.to_string()))
    }
}

/// A `find_links` entry: a URL or a folder of distributions.
struct FindLink(String);

impl FromText for FindLink {
    const EXPECTING: &'static str = "a URL or a folder";
    fn from_text(text: &str) -> Result<Self, String> {
        if text.contains("://") {
            return IndexUrl::from_text(text).map(|url| Self(url.0));
        }
        PathText::from_text(text).map(|_| Self(text.to_string()))
    }
}

/// The name of a `PIP_*` or `UV_*` environment variable the installer may see.
struct InstallerVariable(String);

impl FromText for InstallerVariable {
    const EXPECTING: &'static str = "a PIP_* or UV_* variable name";
    fn from_text(text: &str) -> Result<Self, String> {
        let rest = text
            .strip_prefix("PIP_")
            .or_else(|| text.strip_prefix("UV_"));
        match rest {
            Some(rest)
                if !rest.is_empty()
                    && rest
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') =>
            {
                Ok(Self(text.to_string()))
            }
            _ => Err(format!(
                "`{text}` is not a PIP_* or UV_* variable name; only those can be passed"
            )),
        }
    }
}

/// `packages:`, keyed by normalised name; two keys that normalise alike are an error.
#[derive(Default)]
struct Packages(BTreeMap<PackageName, PackageDecl>);

impl<'de> Deserialize<'de> for Packages {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_map(NormalisedMapVisitor::<PackageName, PackageEntry>::new())
            .map(|map| Self(map.into_iter().map(|(k, v)| (k, v.0)).collect()))
    }
}

/// `users:`, keyed by account name.
struct Users(BTreeMap<UserName, UserDecl>);

impl<'de> Deserialize<'de> for Users {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_map(NormalisedMapVisitor::<UserName, UserEntry>::new())
            .map(|map| Self(map.into_iter().map(|(k, v)| (k, v.0)).collect()))
    }
}

/// A map key parsed from text; two texts may parse to the same key.
trait MapKey: Ord + fmt::Display + Sized {
    const WHAT: &'static str;
    fn parse_key(text: &str) -> Result<Self, String>;
}

impl MapKey for PackageName {
    const WHAT: &'static str = "package";
    fn parse_key(text: &str) -> Result<Self, String> {
        parse_package_name(text)
    }
}

impl MapKey for UserName {
    const WHAT: &'static str = "user";
    fn parse_key(text: &str) -> Result<Self, String> {
        UserName::parse(text)
    }
}

struct NormalisedMapVisitor<K, V>(PhantomData<(K, V)>);

impl<K, V> NormalisedMapVisitor<K, V> {
    fn new() -> Self {
        Self(PhantomData)
    }
}

impl<'de, K: MapKey, V: Deserialize<'de>> Visitor<'de> for NormalisedMapVisitor<K, V> {
    type Value = BTreeMap<K, V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a table of {}s", K::WHAT)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = BTreeMap::new();
        let mut spelled = BTreeMap::new();
        while let Some(key) = map.next_key_seed(KeySeed::<K> {
            spelled: &mut spelled,
            key: PhantomData,
        })? {
            let value = map.next_value::<V>()?;
            entries.insert(key, value);
        }
        Ok(entries)
    }
}

/// Parses one map key and refuses a second spelling of a key already seen. Doing this while
/// the key is read (not after) makes the error point at the duplicate key itself.
struct KeySeed<'a, K> {
    spelled: &'a mut BTreeMap<String, String>,
    key: PhantomData<K>,
}

impl<'de, K: MapKey> de::DeserializeSeed<'de> for KeySeed<'_, K> {
    type Value = K;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<K, D::Error> {
        // Validating inside the visitor (not after) lets the YAML parser attach the key's mark.
        deserializer.deserialize_str(self)
    }
}

impl<'de, K: MapKey> Visitor<'de> for KeySeed<'_, K> {
    type Value = K;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} name", K::WHAT)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<K, E> {
        let key = K::parse_key(text).map_err(E::custom)?;
        let normalised = key.to_string();
        if let Some(first) = self.spelled.get(&normalised) {
            return Err(E::custom(format!(
                "`{text}` and `{first}` name the same {} (`{key}`)",
                K::WHAT
            )));
        }
        self.spelled.insert(normalised, text.to_string());
        Ok(key)
    }
}

/// One `packages:` value: `absent`, a specifier string, or `{ version, extras }`.
struct PackageEntry(PackageDecl);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PackageTable {
    version: Option<Parsed<VersionWanted>>,
    #[serde(default)]
    extras: Vec<Parsed<ExtraName>>,
}

impl<'de> Deserialize<'de> for PackageEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PackageEntryVisitor)
    }
}

struct PackageEntryVisitor;

impl<'de> Visitor<'de> for PackageEntryVisitor {
    type Value = PackageEntry;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a version specifier, `absent`, or a table with `version` and `extras`")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<PackageEntry, E> {
        if text == "absent" {
            return Ok(PackageEntry(PackageDecl::Absent));
        }
        let version = VersionWanted::parse(text).map_err(E::custom)?;
        Ok(PackageEntry(PackageDecl::Present(PackageWanted {
            version,
            extras: Vec::new(),
        })))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PackageEntry, A::Error> {
        let table = PackageTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(PackageEntry(PackageDecl::Present(PackageWanted {
            version: table.version.map_or(VersionWanted::Any, |v| v.0),
            extras: table.extras.into_iter().map(|extra| extra.0).collect(),
        })))
    }

    fn visit_f64<E: de::Error>(self, number: f64) -> Result<PackageEntry, E> {
        Err(number_error::<VersionWanted, E>(number))
    }

    fn visit_i64<E: de::Error>(self, number: i64) -> Result<PackageEntry, E> {
        Err(number_error::<VersionWanted, E>(number))
    }

    fn visit_u64<E: de::Error>(self, number: u64) -> Result<PackageEntry, E> {
        Err(number_error::<VersionWanted, E>(number))
    }

    fn visit_unit<E: de::Error>(self) -> Result<PackageEntry, E> {
        Err(E::custom(
            "missing version specifier\nhint: write \"*\" to accept any version, or `absent`",
        ))
    }
}

/// One `users:` value: `absent` or `{ email, role, password_hash }`.
struct UserEntry(UserDecl);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserTable {
    email: Parsed<Email>,
    role: Role,
    password_hash: Parsed<PasswordHash>,
    #[serde(default)]
    #[allow(dead_code)]
    password: Option<Plaintext>,
}

/// A plaintext `password` field: always refused, wherever it appears.
struct Plaintext;

impl<'de> Deserialize<'de> for Plaintext {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Refusing inside the visitor lets the parser point at the password itself.
        deserializer.deserialize_any(PlaintextVisitor)
    }
}

struct PlaintextVisitor;

impl PlaintextVisitor {
    fn refuse<E: de::Error>() -> Result<Plaintext, E> {
        Err(E::custom(
            "a plaintext `password` is not allowed in a manifest\n\
             hint: run `pkgm hash-password` and put its output in `password_hash`",
        ))
    }
}

impl<'de> Visitor<'de> for PlaintextVisitor {
    type Value = Plaintext;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no plaintext password")
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Plaintext, E> {
        Self::refuse()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Plaintext, E> {
        Self::refuse()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Plaintext, E> {
        Self::refuse()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Plaintext, E> {
        Self::refuse()
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Plaintext, E> {
        Self::refuse()
    }
}

impl<'de> Deserialize<'de> for UserEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UserEntryVisitor)
    }
}

struct UserEntryVisitor;

impl<'de> Visitor<'de> for UserEntryVisitor {
    type Value = UserEntry;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`absent` or a table with `email`, `role` and `password_hash`")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<UserEntry, E> {
        if text == "absent" {
            return Ok(UserEntry(UserDecl::Absent));
        }
        Err(de::Error::invalid_value(de::Unexpected::Str(text), &self))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<UserEntry, A::Error> {
        let table = UserTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(UserEntry(UserDecl::Present(UserWanted {
            email: table.email.0,
            role: table.role,
            password_hash: table.password_hash.0,
        })))
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
