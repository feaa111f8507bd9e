//! Making whole outputs comparable: temporary paths, timestamps, durations and digests
//! become placeholders such as `[TMP]`, `[TIMESTAMP]`, `[DURATION]`, `[SHA256]`.

use std::path::Path;
use std::sync::OnceLock;

use regex::Regex;

/// Replacements applied in order: literal texts (longest first), then patterns.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    literals: Vec<(String, String)>,
    patterns: Vec<(Regex, String)>,
    keep_volatile: bool,
}

impl Filter {
    /// Only the built-in patterns (timestamps, durations, SHA-256 digests).
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces `text` with `placeholder`.
    pub fn literal(mut self, text: &str, placeholder: &str) -> Self {
        if !text.is_empty() {
            self.literals
                .push((text.to_owned(), placeholder.to_owned()));
        }
        self
    }

    /// Replaces a path, and its canonical form if that differs (a symlinked `/tmp`).
    pub fn path(self, path: &Path, placeholder: &str) -> Self {
        let canonical = path.canonicalize().ok();
        let filter = self.literal(&path.to_string_lossy(), placeholder);
        match canonical {
            Some(canonical) if canonical != path => {
                filter.literal(&canonical.to_string_lossy(), placeholder)
            }
            _ => filter,
        }
    }

    /// Replaces every match of `pattern` (a `regex` crate pattern) with `replacement`.
    pub fn pattern(mut self, pattern: &str, replacement: &str) -> Self {
        let regex = Regex::new(pattern).unwrap_or_else(|err| panic!("bad filter {pattern}: {err}"));
        self.patterns.push((regex, replacement.to_owned()));
        self
    }

    /// Leaves timestamps, durations and digests alone (for tests about them).
    pub fn keep_volatile(mut self) -> Self {
        self.keep_volatile = true;
        self
    }

    pub fn apply(&self, text: &str) -> String {
        let mut literals: Vec<&(String, String)> = self.literals.iter().collect();
        // Longest first, so `/tmp/x/.venv` is not half-replaced by `/tmp/x`'s rule.
        literals.sort_by_key(|(text, _)| std::cmp::Reverse(text.len()));
        let mut filtered = text.to_owned();
        for (text, placeholder) in literals {
            filtered = filtered.replace(text.as_str(), placeholder);
        }
        if !self.keep_volatile {
            for (regex, replacement) in volatile_patterns() {
                filtered = regex
                    .replace_all(&filtered, replacement.as_str())
                    .into_owned();
            }
        }
        for (regex, replacement) in &self.patterns {
            filtered = regex
                .replace_all(&filtered, replacement.as_str())
                .into_owned();
        }
        filtered
    }
}

fn volatile_patterns() -> &'static [(Regex, String)] {
    static PATTERNS: OnceLock<Vec<(Regex, String)>> = OnceLock::new();
    const UNIT: &str = r"(?:ns|us|µs|ms|s|m|h|d)";
    PATTERNS.get_or_init(|| {
        let timestamp = r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2}|\s?UTC)?";
        // `1.5s`, `120ms`, humantime's `1h 2m 3s`, and spelled-out `3 seconds`.
        let duration = format!(
            r"\b\d+(?:\.\d+)?{UNIT}(?:\s\d+(?:\.\d+)?{UNIT})*\b|\b\d+(?:\.\d+)?\s(?:milliseconds?|seconds?|minutes?|hours?)\b"
        );
        [
            (timestamp, "[TIMESTAMP]"),
            (duration.as_str(), "[DURATION]"),
            (r"\b[0-9a-f]{64}\b", "[SHA256]"),
        ]
        .into_iter()
        .map(|(pattern, placeholder)| {
            let regex = Regex::new(pattern).expect("the built-in filter patterns compile");
            (regex, placeholder.to_owned())
        })
        .collect()
    })
}
