//! A `Requires-Dist` entry of an installed distribution: name, extras, specifiers and a
//! marker we evaluate ourselves (see `marker`). Pure.

use std::str::FromStr;
use std::sync::LazyLock;

use pep440_rs::VersionSpecifiers;
use pep508_rs::VersionOrUrl;

use super::marker::{Marker, MarkerEnvironment};
use crate::core::names::{parse_package_name, ExtraName, PackageName};

/// When a dependency applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Always,
    Marker(Marker),
    /// The line could not be read; its dependency is kept as needed, never pruned.
    Unreadable,
}

/// One dependency of an installed distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub name: PackageName,
    pub extras: Vec<ExtraName>,
    /// `None` for any version or a URL.
    pub specifiers: Option<VersionSpecifiers>,
    pub condition: Condition,
}

/// A line that is not a PEP 508 requirement at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a PEP 508 requirement")]
pub struct UnreadableLine {
    pub text: String,
}

impl Dependency {
    /// Parses a line; a line whose marker (or version part) cannot be read is kept, by the
    /// name it starts with, as `Condition::Unreadable`, and the reason is returned with it.
    pub fn parse(text: &str) -> Result<(Self, Option<String>), UnreadableLine> {
        let (head, marker) = split_marker(text);
        let parsed = pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(head.trim());
        let (name, extras, specifiers, mut problem) = match parsed {
            Ok(requirement) => {
                let specifiers = match requirement.version_or_url {
                    Some(VersionOrUrl::VersionSpecifier(specifiers)) if !specifiers.is_empty() => {
                        Some(specifiers)
                    }
                    _ => None,
                };
                (requirement.name, requirement.extras, specifiers, None)
            }
            Err(err) => {
                let name = leading_name(text).ok_or_else(|| UnreadableLine {
                    text: text.to_string(),
                })?;
                (name, Vec::new(), None, Some(first_line(&err.to_string())))
            }
        };
        let condition = match marker.map(|m| m.trim_matches([' ', '\t'])) {
            _ if problem.is_some() => Condition::Unreadable,
            None => Condition::Always,
            Some(marker) => match Marker::parse(marker) {
                Ok(marker) => Condition::Marker(marker),
                Err(err) => {
                    problem = Some(format!("its marker `{marker}` is not valid: {err}"));
                    Condition::Unreadable
                }
            },
        };
        let dependency = Self {
            name,
            extras,
            specifiers,
            condition,
        };
        Ok((dependency, problem))
    }

    /// Whether the dependency is needed, by pip's rule: its marker holds for one of the
    /// requested extras, or (none requested) for no extra. A marker that has no truth
    /// value is an error; callers keep such a dependency.
    pub fn applies(
        &self,
        environment: &MarkerEnvironment,
        extras: &[ExtraName],
    ) -> Result<bool, super::marker::MarkerEvaluationError> {
        let marker = match &self.condition {
            Condition::Always | Condition::Unreadable => return Ok(true),
            Condition::Marker(marker) => marker,
        };
        if extras.is_empty() {
            return marker.evaluate(environment, "");
        }
        let mut any = false;
        for extra in extras {
            any |= marker.evaluate(environment, extra.as_ref())?;
        }
        Ok(any)
    }

    /// Like `applies`, but a marker without a truth value counts as needed.
    pub fn is_needed(&self, environment: &MarkerEnvironment, extras: &[ExtraName]) -> bool {
        self.applies(environment, extras).unwrap_or(true)
    }
}

/// Splits `head ; marker`. After a URL (`name @ URL`) the `;` must follow whitespace, as
/// PEP 508 says, since a URL may contain `;`.
fn split_marker(text: &str) -> (&str, Option<&str>) {
    let first_semicolon = text.find(';');
    let at = text
        .find('@')
        .filter(|at| first_semicolon.is_none_or(|s| *at < s));
    let Some(at) = at else {
        return match first_semicolon {
            Some(index) => (&text[..index], Some(&text[index + 1..])),
            None => (text, None),
        };
    };
    let after = &text[at + 1..];
    let url_start = after.len() - after.trim_start().len();
    let url_end = after[url_start..]
        .find(char::is_whitespace)
        .map_or(after.len(), |end| url_start + end);
    match after[url_end..].find(';') {
        Some(index) => {
            let split = at + 1 + url_end + index;
            (&text[..split], Some(&text[split + 1..]))
        }
        None => (text, None),
    }
}

/// The project name a broken line starts with, so its dependency can still be kept.
fn leading_name(text: &str) -> Option<PackageName> {
    static NAME: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
            .unwrap_or_else(|err| panic!("the name pattern: {err}"))
    });
    let name = NAME.captures(text)?.get(1)?.as_str();
    parse_package_name(name).ok()
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim().to_string()
}

#[cfg(test)]
#[path = "requirement_tests.rs"]
mod tests;
