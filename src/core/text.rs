//! Text from outside (manifests, package metadata, installer output, the state) made safe
//! to print: control characters and bidirectional overrides shown as escapes, so that
//! none of it can move the cursor, retitle the terminal, write the clipboard or forge a
//! line of pkgm's own output; and long excerpts clipped.

use std::borrow::Cow;
use std::fmt::Write;

/// Characters that change how the terminal shows the rest of the text, rather than
/// showing as themselves: C0, DEL and C1 controls, bidirectional marks, embeddings,
/// overrides and isolates, and the Unicode line and paragraph separators.
fn is_unprintable(character: char) -> bool {
    character.is_control()
        || matches!(
            character,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
                | '\u{2028}' | '\u{2029}'
        )
}

/// `text` with every unprintable character escaped (`\n`, `\t`, `\r`, `\u{1b}`).
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_where(text, is_unprintable)
}

/// Like [`escape`], but newlines are kept: for multi-line messages whose lines are
/// pkgm's own (an error and its `hint:`), with values inside already single-line.
pub fn escape_keeping_newlines(text: &str) -> Cow<'_, str> {
    escape_where(text, |character| {
        character != '\n' && is_unprintable(character)
    })
}

fn escape_where(text: &str, unprintable: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&unprintable) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for character in text.chars() {
        match character {
            _ if !unprintable(character) => escaped.push(character),
            '\n' => escaped.push_str("\\n"),
            '\t' => escaped.push_str("\\t"),
            '\r' => escaped.push_str("\\r"),
            _ => {
                let _ = write!(escaped, "\\u{{{:x}}}", u32::from(character));
            }
        }
    }
    Cow::Owned(escaped)
}

/// Text from outside as it may reach the terminal or a record: credentials masked and
/// every unprintable character escaped, the text's own line breaks kept (a message and
/// its `hint:`). For one line whose newlines belong to the value, use [`shown_line`].
pub fn shown(text: &str) -> String {
    escape_keeping_newlines(&mask_credentials(text)).into_owned()
}

/// Like [`shown`], for one line: newlines are escaped too.
pub fn shown_line(text: &str) -> String {
    escape(&mask_credentials(text)).into_owned()
}

/// At most `limit` characters of `text`, with `…` where it was cut.
pub fn clip(text: &str, limit: usize) -> Cow<'_, str> {
    match text.char_indices().nth(limit) {
        None => Cow::Borrowed(text),
        Some((end, _)) => Cow::Owned(format!("{}…", &text[..end])),
    }
}

/// A parser's message about a file that may not be a manifest at all: every quoted span
/// (`"…"` or `` `…` ``) clipped to `limit` characters, and every unprintable character
/// escaped (newlines too inside quotes, where they are the file's, not the message's), so
/// the message never carries more than a short, inert excerpt of the file.
pub fn clip_quoted(message: &str, limit: usize) -> String {
    let mut out = String::with_capacity(message.len().min(512));
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest.as_bytes()[open] as char;
        out.push_str(&rest[..=open]);
        let inner = &rest[open + 1..];
        let close = closing_quote(inner, quote);
        match close {
            Some(close) => {
                out.push_str(&escape(&clip(&inner[..close], limit)));
                out.push(quote);
                rest = &inner[close + 1..];
            }
            None => {
                out.push_str(&escape(&clip(inner, limit)));
                rest = "";
            }
        }
    }
    out.push_str(rest);
    escape_keeping_newlines(&out).into_owned()
}

/// Where the quote closes: the next `quote` not escaped by a backslash (serde quotes
/// strings with Rust's escapes).
fn closing_quote(inner: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (index, character) in inner.char_indices() {
        match character {
            '\\' if quote == '"' && !escaped => escaped = true,
            _ if character == quote && !escaped => return Some(index),
            _ => escaped = false,
        }
    }
    None
}

/// `text` with the password (or lone token) in every URL's userinfo replaced by `****`,
/// as pip shows them: `https://user:****@host/`, `https://****@host/`. For anything
/// printed or recorded that may hold an index URL.
pub fn mask_credentials(text: &str) -> Cow<'_, str> {
    if !text.contains("://") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(scheme_end) = rest.find("://") {
        let authority_start = scheme_end + 3;
        out.push_str(&rest[..authority_start]);
        let after = &rest[authority_start..];
        let authority_len = after
            .find(|c: char| "/?#\"'`<>()[]{},;".contains(c) || c.is_whitespace())
            .unwrap_or(after.len());
        let authority = &after[..authority_len];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                match userinfo.split_once(':') {
                    Some((user, _)) => {
                        out.push_str(user);
                        out.push_str(":****");
                    }
                    None => out.push_str("****"),
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[authority_len..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// An RFC 3339 UTC time, to the second, from milliseconds since the epoch: the one way
/// pkgm writes a time (signatures count in seconds: pass `seconds * 1000`). Times outside
/// 1970..=9999 (a forged `exp`, say) are shown clamped rather than refused or overflowed.
pub fn timestamp(ms: i64) -> String {
    const LAST_MS: i64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
    let ms = ms.clamp(0, LAST_MS) as u64;
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms);
    humantime::format_rfc3339_seconds(time).to_string()
}

/// [`timestamp`] for a time in seconds since the epoch, as JWT claims count.
pub fn timestamp_seconds(seconds: i64) -> String {
    timestamp(seconds.saturating_mul(1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_urls_are_masked_as_pip_does() {
        assert_eq!(
            mask_credentials("--index-url https://user:TOKEN@host:8080/simple -- x"),
            "--index-url https://user:****@host:8080/simple -- x"
        );
        assert_eq!(
            mask_credentials("`https://TOKEN@host/simple` and http://a:b:c@h"),
            "`https://****@host/simple` and http://a:****@h"
        );
        assert_eq!(
            mask_credentials("index_url: \"https://__token__:pypi-AgEI@host/x\""),
            "index_url: \"https://__token__:****@host/x\""
        );
        // No userinfo, or an `@` only in the path: unchanged.
        assert_eq!(
            mask_credentials("https://host/simple/@scope and file:///tmp/a@b"),
            "https://host/simple/@scope and file:///tmp/a@b"
        );
        assert_eq!(mask_credentials("no urls here"), "no urls here");
    }

    #[test]
    fn terminal_controls_are_escaped() {
        assert_eq!(escape("plain / path"), "plain / path");
        assert_eq!(escape("a\u{1b}]0;owned\u{7}b"), "a\\u{1b}]0;owned\\u{7}b");
        assert_eq!(escape("x\nSignature: valid"), "x\\nSignature: valid");
        assert_eq!(escape("\u{9b}2J\u{202e}txt"), "\\u{9b}2J\\u{202e}txt");
        assert_eq!(escape("tab\there\r"), "tab\\there\\r");
        assert_eq!(
            escape_keeping_newlines("error: \u{1b}[2J\nhint: x"),
            "error: \\u{1b}[2J\nhint: x"
        );
        // Printable text outside ASCII stays as it is.
        assert_eq!(escape("café → ✓"), "café → ✓");
    }

    #[test]
    fn excerpts_are_clipped_on_character_boundaries() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "abc…");
        assert_eq!(clip("ééééé", 2), "éé…");
    }

    #[test]
    fn quoted_spans_in_parser_messages_are_clipped() {
        let message = "invalid type: string \"-----BEGIN PRIVATE KEY----- MFECAQEwBQYDK2VwBCIEID4V\", expected a map";
        assert_eq!(
            clip_quoted(message, 12),
            "invalid type: string \"-----BEGIN P…\", expected a map"
        );
        assert_eq!(
            clip_quoted("unknown field `averyveryverylongkey`, expected `kind`", 8),
            "unknown field `averyver…`, expected `kind`"
        );
        // Escaped quotes inside do not end the span; an unclosed span is clipped too.
        assert_eq!(
            clip_quoted("string \"a\\\"bcdefgh\" and \"unclosed text", 4),
            "string \"a\\\"b…\" and \"uncl…"
        );
        assert_eq!(clip_quoted("`\u{1b}[2J`", 10), "`\\u{1b}[2J`");
        assert_eq!(
            clip_quoted("`a\nSignature: valid` is bad\nsecond line", 40),
            "`a\\nSignature: valid` is bad\nsecond line"
        );
    }

    #[test]
    fn times_are_rfc3339_and_never_overflow() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(1_700_000_000_999), "2023-11-14T22:13:20Z");
        assert_eq!(timestamp_seconds(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(timestamp(-5), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp_seconds(i64::MAX), "9999-12-31T23:59:59Z");
    }
}
