//! Whether a version satisfies a PEP 440 specifier, decided the way `packaging` decides it.
//!
//! Parsing and ordering of versions come from `pep440_rs`; membership is ours, because the
//! crate's `contains` disagrees with `packaging` where it matters to apply (`<2.0rc2` must
//! hold for `2.0rc1`; `==1.0.1.*` must not hold for `1.0`). Pre-releases are always
//! admitted: pip asks `contains(version, prereleases=True)` of an installed version, and so
//! do markers. Pure: no I/O.

use std::str::FromStr;
use std::sync::LazyLock;

use pep440_rs::{Operator, Version, VersionSpecifier, VersionSpecifiers};

/// Whether `version` satisfies every specifier of the set (an empty set holds for all).
pub fn set_contains(specifiers: &VersionSpecifiers, version: &Version) -> bool {
    specifiers
        .iter()
        .all(|specifier| contains(specifier, version))
}

/// Whether `version` satisfies one specifier.
pub fn contains(specifier: &VersionSpecifier, version: &Version) -> bool {
    let wanted = specifier.version();
    // Local labels of the candidate are ignored unless the specifier names one (`==`/`!=`).
    let public = version.clone().without_local();
    let candidate = if wanted.is_local() { version } else { &public };
    match specifier.operator() {
        Operator::Equal => candidate == wanted,
        Operator::NotEqual => candidate != wanted,
        Operator::EqualStar => prefix_matches(wanted, version),
        Operator::NotEqualStar => !prefix_matches(wanted, version),
        Operator::TildeEqual => {
            let release = wanted.release();
            let prefix = Version::new(&release[..release.len().saturating_sub(1)])
                .with_epoch(wanted.epoch());
            &public >= wanted && prefix_matches(&prefix, version)
        }
        Operator::LessThanEqual => &public <= wanted,
        Operator::GreaterThanEqual => &public >= wanted,
        Operator::LessThan => less_than(&public, wanted),
        Operator::GreaterThan => greater_than(&public, wanted),
        // `===` compares the text; an installed version's text is its normalised form.
        Operator::ExactEqual => version
            .to_string()
            .eq_ignore_ascii_case(&wanted.to_string()),
    }
}

/// `==V.*`: same epoch, and the candidate's release (padded with zeros) starts with V's.
fn prefix_matches(prefix: &Version, version: &Version) -> bool {
    if prefix.epoch() != version.epoch() {
        return false;
    }
    let release = version.release();
    prefix
        .release()
        .iter()
        .enumerate()
        .all(|(index, part)| release.get(index).copied().unwrap_or(0) == *part)
}

/// Whether two versions share epoch and release (trailing zeros aside).
fn same_release(a: &Version, b: &Version) -> bool {
    let length = a.release().len().max(b.release().len());
    let part = |version: &Version, index: usize| version.release().get(index).copied();
    a.epoch() == b.epoch()
        && (0..length).all(|index| part(a, index).unwrap_or(0) == part(b, index).unwrap_or(0))
}

/// `<V` is `<V.dev0` unless V is a pre-release or dev release itself: it never admits
/// V's own pre-releases.
fn less_than(candidate: &Version, wanted: &Version) -> bool {
    if wanted.any_prerelease() {
        candidate < wanted
    } else {
        candidate < &wanted.clone().with_dev(Some(0))
    }
}

/// `>V` excludes V's post-releases unless V is a post or dev release itself.
fn greater_than(candidate: &Version, wanted: &Version) -> bool {
    if candidate <= wanted {
        return false;
    }
    if wanted.is_post() || wanted.is_dev() || !same_release(candidate, wanted) {
        return true;
    }
    candidate.pre() != wanted.pre()
}

/// A specifier as `packaging.specifiers.Specifier` accepts it: `===` takes any text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Specifier {
    Version(VersionSpecifier),
    /// `===TEXT`, matched case-insensitively against the candidate's own text.
    Arbitrary(String),
}

impl Specifier {
    /// Parses one specifier exactly where `packaging` would; `None` where it would raise.
    pub fn parse(text: &str) -> Option<Self> {
        let captures = SPECIFIER.captures(text)?;
        if let Some(arbitrary) = captures.name("arbitrary") {
            return Some(Self::Arbitrary(arbitrary.as_str().to_string()));
        }
        VersionSpecifier::from_str(text.trim())
            .ok()
            .map(Self::Version)
    }

    /// Membership with pre-releases admitted; `candidate` is a version's text as given.
    pub fn contains(&self, candidate: &str) -> bool {
        match self {
            Self::Arbitrary(text) => candidate.eq_ignore_ascii_case(text),
            Self::Version(specifier) => Version::from_str(candidate.trim())
                .is_ok_and(|version| contains(specifier, &version)),
        }
    }
}

/// `packaging`'s specifier grammar (its `_specifier_regex_str`), anchored.
static SPECIFIER: LazyLock<regex::Regex> = LazyLock::new(|| {
    const PRE: &str = r"(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?";
    const POST: &str = r"(?:(?:-[0-9]+)|(?:[-_.]?(?:post|rev|r)[-_.]?[0-9]*))?";
    const DEV: &str = r"(?:[-_.]?dev[-_.]?[0-9]*)?";
    const LOCAL: &str = r"(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?";
    let release = r"v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*";
    let compatible_release = r"v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)+";
    let pattern = format!(
        r"(?i)^\s*(?:(?:===\s*(?P<arbitrary>[^\s;)]+))|(?:(?:==|!=)\s*{release}(?:\.\*|{PRE}{POST}{DEV}{LOCAL}))|(?:~=\s*{compatible_release}{PRE}{POST}{DEV})|(?:(?:<=|>=|<|>)\s*{release}{PRE}{POST}{DEV}))\s*$"
    );
    regex::Regex::new(&pattern).unwrap_or_else(|err| panic!("the specifier pattern: {err}"))
});

#[cfg(test)]
#[path = "specifier_tests.rs"]
mod tests;
