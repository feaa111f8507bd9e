//! Scalars of a manifest validated from text while they are read, so that every error keeps
//! the line and column of the value: names, specifiers, paths, URLs, variable names.

use std::fmt;
use std::marker::PhantomData;
use std::path::PathBuf;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use super::names::{parse_extra, parse_package_name, ExtraName, ManifestName, PackageName};
use super::package_spec::VersionWanted;
use super::text::escape;
use super::user_spec::{Email, PasswordHash};

/// A value validated from text at deserialisation time, so errors keep their location.
pub(super) struct Parsed<T>(pub(super) T);

pub(super) trait FromText: Sized {
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

pub(super) struct TextVisitor<T>(pub(super) PhantomData<T>);

/// The error for a scalar that YAML or TOML read as a number where text was expected.
pub(super) fn number_error<T: FromText, E: de::Error>(number: impl fmt::Display) -> E {
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
pub(super) struct PathText(pub(super) PathBuf);

impl FromText for PathText {
    const EXPECTING: &'static str = "a path";
    fn from_text(text: &str) -> Result<Self, String> {
        if text.is_empty() || text.starts_with('-') || text.contains('\0') {
            return Err(format!("`{text}` is not a usable path"));
        }
        if escape(text) != text {
            return Err(format!(
                "`{text}` is not a usable path: it holds a control character\n\
                 hint: paths in a manifest are printed and passed to the installer; \
                 rename the folder"
            ));
        }
        Ok(Self(PathBuf::from(text)))
    }
}

/// A package index URL.
pub(super) struct IndexUrl(pub(super) String);

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
pub(super) struct FindLink(pub(super) String);

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
pub(super) struct InstallerVariable(pub(super) String);

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
