//! A unified, coloured diff of a manifest against the last applied one, so a reviewer sees
//! what the signer changed as well as what the machine will do. Never prints.

use anstyle::{AnsiColor, Style};
use similar::TextDiff;

const GREEN: Style = AnsiColor::Green.on_default();
const RED: Style = AnsiColor::Red.on_default();
const CYAN: Style = AnsiColor::Cyan.on_default();
const BOLD: Style = Style::new().bold();

/// The earlier bytes of a manifest and a label for them (`revision 6, applied …`).
pub struct Earlier<'a> {
    pub bytes: &'a [u8],
    pub label: String,
}

/// The diff from `earlier` to `current`, or a sentence saying there is nothing to compare.
pub fn manifest_diff(earlier: Option<Earlier<'_>>, current: &[u8], current_label: &str) -> String {
    let Some(earlier) = earlier else {
        return "No manifest of this name has been applied yet: all of it is new.\n".into();
    };
    if earlier.bytes == current {
        return format!(
            "The manifest is byte for byte the one applied ({}).\n",
            earlier.label
        );
    }
    let old = String::from_utf8_lossy(earlier.bytes);
    let new = String::from_utf8_lossy(current);
    let diff = TextDiff::from_lines(old.as_ref(), new.as_ref());
    let unified = diff
        .unified_diff()
        .context_radius(3)
        .header(&earlier.label, current_label)
        .to_string();
    let mut out = String::new();
    for line in unified.lines() {
        let style = if line.starts_with("+++") || line.starts_with("---") {
            BOLD
        } else if line.starts_with('+') {
            GREEN
        } else if line.starts_with('-') {
            RED
        } else if line.starts_with("@@") {
            CYAN
        } else {
            Style::new()
        };
        // A reviewer reads this to see what was signed: a bidirectional override in a
        // comment must not reorder what the line shows.
        let line = crate::core::text::shown_line(line);
        out.push_str(&format!("{style}{line}{style:#}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> String {
        anstream::adapter::strip_str(text).to_string()
    }

    #[test]
    fn changed_lines_are_shown_in_unified_form() {
        let old = b"metadata:\n  revision: 6\npackages:\n  numpy: \"==1.25\"\n";
        let new = b"metadata:\n  revision: 7\npackages:\n  numpy: \"==1.26\"\n";
        let earlier = Earlier {
            bytes: old,
            label: "revision 6 (applied)".into(),
        };
        assert_eq!(
            plain(&manifest_diff(Some(earlier), new, "revision 7 (m.yaml)")),
            "--- revision 6 (applied)\n+++ revision 7 (m.yaml)\n@@ -1,4 +1,4 @@\n metadata:\n\
             -  revision: 6\n+  revision: 7\n packages:\n-  numpy: \"==1.25\"\n+  numpy: \"==1.26\"\n"
        );
    }

    #[test]
    fn lines_show_what_they_hold() {
        let earlier = Earlier {
            bytes: b"a: 1\n",
            label: "then".into(),
        };
        let shown = plain(&manifest_diff(
            Some(earlier),
            "a: 1 # \u{202e}2 :b\n".as_bytes(),
            "now",
        ));
        assert!(shown.contains("+a: 1 # \\u{202e}2 :b\n"), "{shown}");
        let earlier = Earlier {
            bytes: b"index_url: https://u:OLD@h/simple\n",
            label: "then".into(),
        };
        let shown = plain(&manifest_diff(
            Some(earlier),
            b"index_url: https://u:NEW@h/simple\n",
            "now",
        ));
        assert!(!shown.contains("OLD") && !shown.contains("NEW"), "{shown}");
        assert!(
            shown.contains("+index_url: https://u:****@h/simple"),
            "{shown}"
        );
    }

    #[test]
    fn nothing_to_compare_is_said_plainly() {
        assert!(manifest_diff(None, b"x", "now").contains("all of it is new"));
        let same = Earlier {
            bytes: b"x",
            label: "revision 1".into(),
        };
        assert!(manifest_diff(Some(same), b"x", "now").contains("byte for byte"));
    }
}
