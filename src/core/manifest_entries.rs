//! The `packages:` and `users:` tables: keys normalised and checked for duplicates as they
//! are read, values that may be `absent`, a specifier, or a table.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use super::manifest_values::{number_error, Parsed};
use super::names::{parse_package_name, ExtraName, PackageName};
use super::package_spec::{PackageDecl, PackageWanted, VersionWanted};
use super::user_spec::{Email, PasswordHash, Role, UserDecl, UserName, UserWanted};

/// `packages:`, keyed by normalised name; two keys that normalise alike are an error.
#[derive(Default)]
pub(super) struct Packages(pub(super) BTreeMap<PackageName, PackageDecl>);

impl<'de> Deserialize<'de> for Packages {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_map(NormalisedMapVisitor::<PackageName, PackageEntry>::new())
            .map(|map| Self(map.into_iter().map(|(k, v)| (k, v.0)).collect()))
    }
}

/// `users:`, keyed by account name.
pub(super) struct Users(pub(super) BTreeMap<UserName, UserDecl>);

impl<'de> Deserialize<'de> for Users {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_map(NormalisedMapVisitor::<UserName, UserEntry>::new())
            .map(|map| Self(map.into_iter().map(|(k, v)| (k, v.0)).collect()))
    }
}

/// A map key parsed from text; two texts may parse to the same key.
pub(super) trait MapKey: Ord + fmt::Display + Sized {
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

pub(super) struct NormalisedMapVisitor<K, V>(PhantomData<(K, V)>);

impl<K, V> NormalisedMapVisitor<K, V> {
    fn new() -> Self {
        Self(PhantomData)
    }
}

impl<'de, K: MapKey, V: Deserialize<'de>> Visitor<'de> for NormalisedMapVisitor<K, V> {
    type Value = BTreeMap<K, V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a mapping of {} names to their settings, one per line (`name: ...`), not a list",
            K::WHAT
        )
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
pub(super) struct KeySeed<'a, K> {
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
            return Err(E::custom(if first == text {
                format!("{} `{text}` appears twice", K::WHAT)
            } else {
                format!("`{text}` and `{first}` name the same {} (`{key}`)", K::WHAT)
            }));
        }
        self.spelled.insert(normalised, text.to_string());
        Ok(key)
    }
}

/// One `packages:` value: `absent`, a specifier string, or `{ version, extras }`.
pub(super) struct PackageEntry(pub(super) PackageDecl);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PackageTable {
    version: Option<Parsed<VersionWanted>>,
    #[serde(default)]
    extras: Vec<Parsed<ExtraName>>,
}

impl<'de> Deserialize<'de> for PackageEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PackageEntryVisitor)
    }
}

pub(super) struct PackageEntryVisitor;

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
pub(super) struct UserEntry(pub(super) UserDecl);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UserTable {
    email: Parsed<Email>,
    role: Role,
    password_hash: Parsed<PasswordHash>,
    #[serde(default)]
    #[allow(dead_code)]
    password: Option<Plaintext>,
}

/// A plaintext `password` field: always refused, wherever it appears.
pub(super) struct Plaintext;

impl<'de> Deserialize<'de> for Plaintext {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Refusing inside the visitor lets the parser point at the password itself.
        deserializer.deserialize_any(PlaintextVisitor)
    }
}

pub(super) struct PlaintextVisitor;

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

pub(super) struct UserEntryVisitor;

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
