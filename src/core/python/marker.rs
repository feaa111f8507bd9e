//! PEP 508 environment markers, parsed and evaluated the way `packaging` 26 does.
//!
//! Ours rather than `pep508_rs`'s, whose marker algebra rewrites `python_version` into
//! `python_full_version` ranges (so `python_version >= "3.13"` is false on 3.13.0rc1),
//! drops `===`, loses the `.0` of `~= "3.11.0"` and treats `"2.7" in python_version` as
//! always true. Pure: values in, values out.

use serde::{Deserialize, Serialize};

use std::sync::OnceLock;

use super::specifier::Specifier;

/// The marker values of one interpreter, as its probe printed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkerEnvironment {
    pub implementation_name: String,
    pub implementation_version: String,
    pub os_name: String,
    pub platform_machine: String,
    pub platform_python_implementation: String,
    pub platform_release: String,
    pub platform_system: String,
    pub platform_version: String,
    pub python_full_version: String,
    pub python_version: String,
    pub sys_platform: String,
}

impl MarkerEnvironment {
    fn get(&self, key: &str) -> Option<&str> {
        Some(match key {
            "implementation_name" => &self.implementation_name,
            "implementation_version" => &self.implementation_version,
            "os_name" => &self.os_name,
            "platform_machine" => &self.platform_machine,
            "platform_python_implementation" => &self.platform_python_implementation,
            "platform_release" => &self.platform_release,
            "platform_system" => &self.platform_system,
            "platform_version" => &self.platform_version,
            "python_full_version" => &self.python_full_version,
            "python_version" => &self.python_version,
            "sys_platform" => &self.sys_platform,
            _ => return None,
        })
    }
}

/// Why a marker could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at column {column}")]
pub struct MarkerSyntaxError {
    pub message: &'static str,
    /// 1-based position in the marker text.
    pub column: usize,
}

/// Why a parsed marker has no truth value, as `packaging` raises it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkerEvaluationError {
    #[error("`{operator}` is undefined on `{left}` and `{right}`")]
    UndefinedComparison {
        operator: &'static str,
        left: String,
        right: String,
    },
    #[error("the marker names `{0}`, which has no value here")]
    UndefinedName(String),
}

/// Keys whose comparisons are made as versions when the other side is a valid specifier.
const VERSION_KEYS: [&str; 4] = [
    "implementation_version",
    "platform_release",
    "python_full_version",
    "python_version",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    LessEqual,
    Less,
    NotEqual,
    ArbitraryEqual,
    Equal,
    Compatible,
    GreaterEqual,
    Greater,
    In,
    NotIn,
}

impl Operator {
    fn text(self) -> &'static str {
        match self {
            Self::LessEqual => "<=",
            Self::Less => "<",
            Self::NotEqual => "!=",
            Self::ArbitraryEqual => "===",
            Self::Equal => "==",
            Self::Compatible => "~=",
            Self::GreaterEqual => ">=",
            Self::Greater => ">",
            Self::In => "in",
            Self::NotIn => "not in",
        }
    }

    /// The operators of `packaging`'s `OP` token, longest first.
    const SYMBOLS: [Self; 8] = [
        Self::ArbitraryEqual,
        Self::Equal,
        Self::Compatible,
        Self::NotEqual,
        Self::LessEqual,
        Self::GreaterEqual,
        Self::Less,
        Self::Greater,
    ];
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Operand {
    /// An environment key, already in its canonical spelling (`os.name` is `os_name`).
    Variable(&'static str),
    Literal(String),
}

impl Operand {
    fn text(&self) -> &str {
        match self {
            Self::Variable(name) => name,
            Self::Literal(text) => text,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Atom {
    Compare {
        left: Operand,
        operator: Operator,
        right: Operand,
        /// For `version_key OP "literal"`, the specifier `OP literal`, parsed at its first
        /// evaluation and kept (most markers of installed distributions are never evaluated;
        /// the needed ones are evaluated for every extra). `None` inside: not a specifier.
        specifier: OnceLock<Option<Specifier>>,
    },
    Group(Marker),
}

/// A parsed marker: `or` of `and` groups, as `packaging` evaluates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    any_of: Vec<Vec<Atom>>,
}

/// The deepest nesting of parentheses `packaging` accepts.
const MAX_NESTING: usize = 200;

impl Marker {
    pub fn parse(text: &str) -> Result<Self, MarkerSyntaxError> {
        let mut parser = Parser { text, position: 0 };
        let marker = parser.marker(0)?;
        if parser.position != text.len() {
            return Err(parser.error("expected the end of the marker"));
        }
        Ok(marker)
    }

    /// Evaluates for one interpreter and one requested extra (`""` for none).
    ///
    /// Every comparison is evaluated, as `packaging` does, so an undefined one is an
    /// error even where `and`/`or` would not need it.
    pub fn evaluate(
        &self,
        environment: &MarkerEnvironment,
        extra: &str,
    ) -> Result<bool, MarkerEvaluationError> {
        let extra = canonical_name(extra);
        let mut any = false;
        for group in &self.any_of {
            let mut all = true;
            for atom in group {
                all &= atom.evaluate(environment, &extra)?;
            }
            any |= all;
        }
        Ok(any)
    }
}

impl Atom {
    fn evaluate(
        &self,
        environment: &MarkerEnvironment,
        extra: &str,
    ) -> Result<bool, MarkerEvaluationError> {
        let lookup = |key: &str| -> Result<String, MarkerEvaluationError> {
            match key {
                "extra" => Ok(extra.to_string()),
                _ => environment
                    .get(key)
                    .map(repair_full_version(key))
                    .ok_or_else(|| MarkerEvaluationError::UndefinedName(key.to_string())),
            }
        };
        let (left, operator, right) = match self {
            Self::Group(marker) => return marker.evaluate(environment, extra),
            Self::Compare {
                left: Operand::Variable(key),
                operator,
                right: Operand::Literal(text),
                specifier,
            } if VERSION_KEYS.contains(key) => {
                let specifier = specifier
                    .get_or_init(|| Specifier::parse(&format!("{}{text}", operator.text())));
                if let Some(specifier) = specifier {
                    return Ok(specifier.contains(&lookup(key)?));
                }
                return compare(key, &lookup(key)?, *operator, text);
            }
            Self::Compare {
                left,
                operator,
                right,
                ..
            } => (left, *operator, right),
        };
        // The key is the variable on the left, else whatever the right side names.
        let (key, left_value, right_value) = match left {
            Operand::Variable(key) => (*key, lookup(key)?, right.text().to_string()),
            Operand::Literal(text) => (right.text(), text.clone(), lookup(right.text())?),
        };
        compare(key, &left_value, operator, &right_value)
    }
}

/// `platform.python_version()` of an untagged build ends in `+`, which is no version.
fn repair_full_version(key: &str) -> impl Fn(&str) -> String + '_ {
    move |value| {
        if key == "python_full_version" && value.ends_with('+') {
            format!("{value}local")
        } else {
            value.to_string()
        }
    }
}

fn compare(
    key: &str,
    left: &str,
    operator: Operator,
    right: &str,
) -> Result<bool, MarkerEvaluationError> {
    if VERSION_KEYS.contains(&key) {
        if let Some(specifier) = Specifier::parse(&format!("{}{right}", operator.text())) {
            return Ok(specifier.contains(left));
        }
    }
    Ok(match operator {
        Operator::In => right.contains(left),
        Operator::NotIn => !right.contains(left),
        Operator::Less | Operator::Greater => false,
        Operator::LessEqual | Operator::Equal | Operator::GreaterEqual => left == right,
        Operator::NotEqual => left != right,
        Operator::Compatible | Operator::ArbitraryEqual => {
            return Err(MarkerEvaluationError::UndefinedComparison {
                operator: operator.text(),
                left: left.to_string(),
                right: right.to_string(),
            })
        }
    })
}

/// PEP 503 normalisation, as `packaging.utils.canonicalize_name`.
pub fn canonical_name(name: &str) -> String {
    let mut result = String::with_capacity(name.len());
    for character in name.chars() {
        let character = match character {
            '_' | '.' | '-' => '-',
            other => other.to_ascii_lowercase(),
        };
        if character == '-' && result.ends_with('-') {
            continue;
        }
        result.push(character);
    }
    result
}

/// The environment keys `packaging`'s tokenizer knows, as written, with their canonical key.
const VARIABLES: [(&str, &str); 20] = [
    ("python_version", "python_version"),
    ("python_full_version", "python_full_version"),
    ("os_name", "os_name"),
    ("os.name", "os_name"),
    ("sys_platform", "sys_platform"),
    ("sys.platform", "sys_platform"),
    ("platform_release", "platform_release"),
    ("platform_system", "platform_system"),
    ("platform_version", "platform_version"),
    ("platform.version", "platform_version"),
    ("platform_machine", "platform_machine"),
    ("platform.machine", "platform_machine"),
    (
        "platform_python_implementation",
        "platform_python_implementation",
    ),
    (
        "platform.python_implementation",
        "platform_python_implementation",
    ),
    ("python_implementation", "platform_python_implementation"),
    ("implementation_name", "implementation_name"),
    ("implementation_version", "implementation_version"),
    ("extras", "extras"),
    ("extra", "extra"),
    ("dependency_groups", "dependency_groups"),
];

struct Parser<'a> {
    text: &'a str,
    position: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.position..]
    }

    fn error(&self, message: &'static str) -> MarkerSyntaxError {
        MarkerSyntaxError {
            message,
            column: self.text[..self.position].chars().count() + 1,
        }
    }

    /// `packaging`'s `WS` token: spaces and tabs only.
    fn skip_whitespace(&mut self) {
        let skipped = self.rest().len() - self.rest().trim_start_matches([' ', '\t']).len();
        self.position += skipped;
    }

    /// A word (`and`, `or`, `in`, `not`) followed by a word boundary.
    fn word(&mut self, word: &str) -> bool {
        let rest = self.rest();
        if rest.starts_with(word) && !starts_with_word_character(&rest[word.len()..]) {
            self.position += word.len();
            true
        } else {
            false
        }
    }

    fn marker(&mut self, depth: usize) -> Result<Marker, MarkerSyntaxError> {
        let mut any_of = vec![vec![self.atom(depth)?]];
        loop {
            if self.word("or") {
                any_of.push(vec![self.atom(depth)?]);
            } else if self.word("and") {
                let atom = self.atom(depth)?;
                if let Some(group) = any_of.last_mut() {
                    group.push(atom);
                }
            } else {
                return Ok(Marker { any_of });
            }
        }
    }

    fn atom(&mut self, depth: usize) -> Result<Atom, MarkerSyntaxError> {
        self.skip_whitespace();
        let atom = if self.rest().starts_with('(') {
            if depth >= MAX_NESTING {
                return Err(self.error("the marker is nested too deeply"));
            }
            self.position += 1;
            let inner = self.marker(depth + 1)?;
            if !self.rest().starts_with(')') {
                return Err(self.error("expected `)` to close the marker expression"));
            }
            self.position += 1;
            Atom::Group(inner)
        } else {
            let left = self.operand()?;
            self.skip_whitespace();
            let operator = self.operator()?;
            self.skip_whitespace();
            let right = self.operand()?;
            let (left, right) = normalise_extra_literal(left, right);
            Atom::Compare {
                left,
                operator,
                right,
                specifier: OnceLock::new(),
            }
        };
        self.skip_whitespace();
        Ok(atom)
    }

    fn operand(&mut self) -> Result<Operand, MarkerSyntaxError> {
        let rest = self.rest();
        let mut best: Option<(&str, &'static str)> = None;
        for (spelling, key) in VARIABLES {
            let fits = rest.starts_with(spelling)
                && !starts_with_word_character(&rest[spelling.len()..])
                && best.is_none_or(|(longest, _)| spelling.len() > longest.len());
            if fits {
                best = Some((spelling, key));
            }
        }
        if let Some((spelling, key)) = best {
            self.position += spelling.len();
            return Ok(Operand::Variable(key));
        }
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            return Err(self.error("expected a marker variable or a quoted string"));
        };
        let Some(length) = rest[1..].find(quote) else {
            return Err(self.error("the quoted string is not closed"));
        };
        let inner = &rest[1..1 + length];
        if inner.contains(['\n', '\r']) {
            return Err(self.error("invalid quoted string"));
        }
        let value = if inner.contains('\\') {
            unescape(inner).ok_or_else(|| self.error("invalid quoted string"))?
        } else {
            inner.to_string()
        };
        self.position += length + 2;
        Ok(Operand::Literal(value))
    }

    fn operator(&mut self) -> Result<Operator, MarkerSyntaxError> {
        if self.word("in") {
            return Ok(Operator::In);
        }
        if self.word("not") {
            let before = self.position;
            self.skip_whitespace();
            if self.position == before || !self.word("in") {
                return Err(self.error("expected `in` after `not`"));
            }
            return Ok(Operator::NotIn);
        }
        for operator in Operator::SYMBOLS {
            if self.rest().starts_with(operator.text()) {
                self.position += operator.text().len();
                return Ok(operator);
            }
        }
        Err(self.error("expected a marker operator (<=, <, !=, ==, >=, >, ~=, ===, in, not in)"))
    }
}

/// A literal compared with `extra` is PEP 685-normalised when parsed, as `packaging` does.
fn normalise_extra_literal(left: Operand, right: Operand) -> (Operand, Operand) {
    match (left, right) {
        (Operand::Variable("extra"), Operand::Literal(text)) => (
            Operand::Variable("extra"),
            Operand::Literal(canonical_name(&text)),
        ),
        (Operand::Literal(text), Operand::Variable("extra")) => (
            Operand::Literal(canonical_name(&text)),
            Operand::Variable("extra"),
        ),
        other => other,
    }
}

/// A regex `\b` after a word: the next character is not a word character.
fn starts_with_word_character(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// Python string-literal escapes (`ast.literal_eval`), for the rare quoted value with `\`.
fn unescape(text: &str) -> Option<String> {
    let mut result = String::with_capacity(text.len());
    let mut characters = text.chars();
    while let Some(character) = characters.next() {
        if character != '\\' {
            result.push(character);
            continue;
        }
        let escaped = characters.next()?;
        let mut hex = |digits: usize| -> Option<char> {
            let code: String = characters.by_ref().take(digits).collect();
            (code.len() == digits)
                .then(|| u32::from_str_radix(&code, 16).ok())
                .flatten()
                .and_then(char::from_u32)
        };
        match escaped {
            '\\' | '\'' | '"' => result.push(escaped),
            'n' => result.push('\n'),
            't' => result.push('\t'),
            'r' => result.push('\r'),
            'a' => result.push('\u{7}'),
            'b' => result.push('\u{8}'),
            'f' => result.push('\u{c}'),
            'v' => result.push('\u{b}'),
            '0'..='7' => return None,
            'x' => result.push(hex(2)?),
            'u' => result.push(hex(4)?),
            'U' => result.push(hex(8)?),
            'N' => return None,
            other => {
                // Python keeps unknown escapes as written.
                result.push('\\');
                result.push(other);
            }
        }
    }
    Some(result)
}

#[cfg(test)]
#[path = "marker_tests.rs"]
mod tests;
