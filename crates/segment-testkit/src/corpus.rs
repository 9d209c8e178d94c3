//! Corpora of canonical segment files, kept as data: `tests/corpus/<name>/` at the repository
//! root holds one canonical JSON file per segment (`{"version": 1, ...}`), read in file-name
//! order (a numeric prefix keeps the order stable). Adding a case is adding a file.
//!
//! A case's title is its file name without the numeric prefix and the extension, dashes read as
//! spaces (`042-in-the-last-30-days.json` is "in the last 30 days"), unless `titles.json` beside
//! the files names it (for titles with punctuation). Expectations (counts, …) live in other files
//! beside the segments, never inside them: the canonical parser refuses unknown fields.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Files of a corpus folder that are not segments.
const SIDECARS: &[&str] = &["titles.json", "expected.json"];

/// One segment file of a corpus.
#[derive(Clone, Debug)]
pub struct Case {
    /// The file name, e.g. `042-in-the-last-30-days.json`.
    pub file: String,
    /// The case's title (see the module documentation).
    pub title: String,
    /// The file's text, a canonical segment.
    pub text: String,
}

/// The folder of the corpus `name` (`tests/corpus/<name>` at the repository root).
pub fn corpus_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/corpus")
        .join(name)
}

/// Every segment file of the corpus `name`, in file-name order.
pub fn corpus(name: &str) -> Vec<Case> {
    let dir = corpus_dir(name);
    let titles: BTreeMap<String, String> = match std::fs::read_to_string(dir.join("titles.json")) {
        Ok(text) => serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.join("titles.json").display())),
        Err(_) => BTreeMap::new(),
    };
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").file_name())
        .map(|name| name.into_string().expect("a UTF-8 file name"))
        .filter(|name| name.ends_with(".json") && !SIDECARS.contains(&name.as_str()))
        .collect();
    files.sort();
    for file in titles.keys() {
        assert!(
            files.contains(file),
            "{}: titles.json names {file}, which is not in the corpus",
            dir.display()
        );
    }
    assert!(!files.is_empty(), "{}: no segment files", dir.display());
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(dir.join(&file))
                .unwrap_or_else(|e| panic!("{}: {e}", dir.join(&file).display()));
            let title = titles
                .get(&file)
                .cloned()
                .unwrap_or_else(|| title_of(&file));
            Case { file, title, text }
        })
        .collect()
}

/// `042-in-the-last-30-days.json` → "in the last 30 days".
fn title_of(file: &str) -> String {
    let stem = file.strip_suffix(".json").unwrap_or(file);
    let stem = match stem.split_once('-') {
        Some((prefix, rest)) if prefix.chars().all(|c| c.is_ascii_digit()) => rest,
        _ => stem,
    };
    stem.replace('-', " ")
}

#[cfg(test)]
mod tests {
    use super::title_of;

    #[test]
    fn titles_come_from_file_names() {
        assert_eq!(
            title_of("042-in-the-last-30-days.json"),
            "in the last 30 days"
        );
        assert_eq!(title_of("is-null.json"), "is null");
        assert_eq!(title_of("is.json"), "is");
    }
}
