//! Raising `metadata.revision` in a manifest's text (`pkgm sign --bump`), touching nothing
//! else: comments, order and formatting stay as the author wrote them.

use regex::Regex;

/// `text` with its one `revision` of `old` replaced by `new`. Refused when the text does
/// not hold exactly one such `revision` (the caller parses the result to confirm it).
pub fn raise_revision(text: &str, old: u64, new: u64) -> Result<String, String> {
    let pattern = Regex::new(&format!(r#"(\brevision["']?\s*[:=]\s*["']?){old}\b"#))
        .map_err(|error| error.to_string())?;
    let found = pattern.find_iter(text).count();
    if found != 1 {
        return Err(format!(
            "cannot raise the revision: the manifest holds {found} `revision: {old}` entries, \
             not one\nhint: edit `metadata.revision` by hand, then sign"
        ));
    }
    Ok(pattern
        .replace(text, |captures: &regex::Captures<'_>| {
            format!("{}{new}", &captures[1])
        })
        .into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_revision_is_raised_in_place() {
        let yaml =
            "metadata:\n  name: demo\n  revision: 7   # bump on every change\npackages: {}\n";
        assert_eq!(
            raise_revision(yaml, 7, 8).unwrap(),
            "metadata:\n  name: demo\n  revision: 8   # bump on every change\npackages: {}\n"
        );
        assert_eq!(
            raise_revision("metadata: {name: x, revision: 1}\n", 1, 12).unwrap(),
            "metadata: {name: x, revision: 12}\n"
        );
        assert_eq!(
            raise_revision("[metadata]\nname = \"x\"\nrevision = 41\n", 41, 42).unwrap(),
            "[metadata]\nname = \"x\"\nrevision = 42\n"
        );
        // 1 is not the start of 10.
        assert!(raise_revision("metadata: {name: x, revision: 10}\n", 1, 2).is_err());
        assert!(raise_revision("revision: 3\n# revision: 3\n", 3, 4)
            .unwrap_err()
            .contains("2 `revision: 3` entries"));
    }
}
