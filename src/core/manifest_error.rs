//! Errors found while reading a manifest, each pointing at a file, line and column.

use std::fmt;
use std::path::PathBuf;

use super::text::{clip_quoted, escape};

/// A manifest that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ManifestError {
    pub path: PathBuf,
    /// 1-based line and column, when the parser knows them.
    pub location: Option<(usize, usize)>,
    pub message: String,
    pub hint: Option<String>,
}

/// The most of any one quoted value an error shows: the file may be a key or a secret that
/// happened to parse, and a short excerpt is enough to find the spot.
pub const EXCERPT_CHARS: usize = 48;

impl ManifestError {
    /// Builds an error from a message that may carry a `\nhint: ...` tail. Quoted values in
    /// it are clipped and control characters escaped: the text came from the file.
    pub fn new(path: PathBuf, location: Option<(usize, usize)>, message: &str) -> Self {
        let (message, hint) = match message.split_once("\nhint: ") {
            Some((message, hint)) => (
                clip_quoted(message, EXCERPT_CHARS),
                Some(clip_quoted(hint, EXCERPT_CHARS)),
            ),
            None => (clip_quoted(message, EXCERPT_CHARS), None),
        };
        Self {
            path,
            location,
            message,
            hint,
        }
    }
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", escape(&self.path.to_string_lossy()))?;
        if let Some((line, column)) = self.location {
            write!(f, ":{line}:{column}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

/// Turns a byte offset into a 1-based line and column.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let text = "a: 1\nbb: 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 5), (2, 1));
        assert_eq!(line_column(text, 8), (2, 4));
    }

    #[test]
    fn hints_are_split_from_messages() {
        let err = ManifestError::new("m.yaml".into(), Some((3, 5)), "bad\nhint: fix it");
        assert_eq!(err.to_string(), "m.yaml:3:5: bad\nhint: fix it");
    }
}
