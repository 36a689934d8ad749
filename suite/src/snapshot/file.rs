//! The file format of a recording: an insta snapshot, so that `cargo insta review` works on
//! pending files too.
//!
//! ```text
//! ---
//! source: remediation-suite record
//! ---
//! { "scenario": "…", "steps": [ { "step": 1, … }, … ] }
//! ```
//!
//! The header is insta's (a YAML mapping between `---` lines; only `source` is written), the
//! body the normalised transcript as pretty JSON (two spaces, members in a fixed order, one
//! step per block), ending with a newline. An accepted recording is `<stem>.snap`, a pending
//! one `<stem>.snap.new` beside it (insta's names).

use super::SnapshotError;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Suffix of an accepted recording.
pub const ACCEPTED: &str = ".snap";
/// Suffix of a pending recording, waiting for review.
pub const PENDING: &str = ".snap.new";

/// One recording file, read back.
#[derive(Clone, Debug, PartialEq)]
pub struct SnapshotFile {
    /// The header's `source`, when it has one.
    pub source: Option<String>,
    /// The normalised transcript.
    pub body: Value,
}

impl SnapshotFile {
    /// Parses the text of a `.snap` or `.snap.new` file.
    pub fn parse(text: &str, path: &Path) -> Result<SnapshotFile, SnapshotError> {
        let malformed = |why: &str| SnapshotError::Malformed { path: path.to_owned(), why: why.to_owned() };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text).replace("\r\n", "\n");
        let rest = text.strip_prefix("---\n").ok_or_else(|| malformed("no insta header (the file must start with ---)"))?;
        let (header, body) = match rest.strip_prefix("---\n") {
            Some(body) => ("", body),
            None => {
                let end = rest.find("\n---\n").ok_or_else(|| malformed("the header is not closed by ---"))?;
                (&rest[..end], &rest[end + "\n---\n".len()..])
            }
        };
        let source = header.lines().find_map(|l| l.strip_prefix("source:")).map(|s| s.trim().trim_matches('"').to_owned());
        let body: Value = serde_json::from_str(body).map_err(|e| malformed(&format!("the body is not JSON: {e}")))?;
        if !body.get("steps").is_some_and(Value::is_array) {
            return Err(malformed("the body has no \"steps\" list"));
        }
        Ok(SnapshotFile { source, body })
    }

    /// The file's text: insta's header and the pretty JSON body.
    pub fn render(&self) -> String {
        let source = self.source.as_deref().unwrap_or("remediation-suite");
        let body = serde_json::to_string_pretty(&self.body).unwrap_or_else(|_| "null".into());
        format!("---\nsource: {source}\n---\n{body}\n")
    }

    /// Reads a file; `Ok(None)` when there is none.
    pub fn read(path: &Path) -> Result<Option<SnapshotFile>, SnapshotError> {
        match std::fs::read_to_string(path) {
            Ok(text) => SnapshotFile::parse(&text, path).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(SnapshotError::Io { path: path.to_owned(), source }),
        }
    }
}

/// A directory of recordings of one target (`snapshots/<target>/`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotDir {
    pub path: PathBuf,
}

impl SnapshotDir {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        SnapshotDir { path: path.into() }
    }

    /// `<dir>/<stem>.snap` of a scenario.
    pub fn accepted(&self, scenario: &str) -> PathBuf {
        self.path.join(format!("{}{ACCEPTED}", crate::transcript::file_stem(scenario)))
    }

    /// `<dir>/<stem>.snap.new` of a scenario.
    pub fn pending(&self, scenario: &str) -> PathBuf {
        self.path.join(format!("{}{PENDING}", crate::transcript::file_stem(scenario)))
    }

    /// Writes a pending recording (never the accepted one: that needs `snapshots accept`).
    pub fn write_pending(&self, scenario: &str, file: &SnapshotFile) -> Result<PathBuf, SnapshotError> {
        let path = self.pending(scenario);
        std::fs::create_dir_all(&self.path).map_err(|source| SnapshotError::Io { path: self.path.clone(), source })?;
        std::fs::write(&path, file.render()).map_err(|source| SnapshotError::Io { path: path.clone(), source })?;
        Ok(path)
    }

    /// Removes a pending recording that is no longer needed (the run matched the accepted one).
    pub fn drop_pending(&self, scenario: &str) -> Result<bool, SnapshotError> {
        let path = self.pending(scenario);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(source) => Err(SnapshotError::Io { path, source }),
        }
    }

    /// Files of the directory with the suffix, sorted by name.
    fn files(&self, suffix: &str) -> Result<Vec<PathBuf>, SnapshotError> {
        let entries = match std::fs::read_dir(&self.path) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(SnapshotError::Io { path: self.path.clone(), source }),
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(suffix)))
            .collect();
        files.sort();
        Ok(files)
    }

    /// Every pending file, sorted.
    pub fn pending_files(&self) -> Result<Vec<PathBuf>, SnapshotError> {
        self.files(PENDING)
    }

    /// Every accepted file, sorted.
    pub fn accepted_files(&self) -> Result<Vec<PathBuf>, SnapshotError> {
        self.files(ACCEPTED)
    }
}

/// The accepted path a pending file replaces (`x.snap.new` → `x.snap`).
pub fn accepted_of(pending: &Path) -> PathBuf {
    let name = pending.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    pending.with_file_name(name.strip_suffix(".new").unwrap_or(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_file_reads_back_as_written_and_keeps_member_order() {
        let file = SnapshotFile { source: Some("suite/tests/snapshots.rs".into()), body: json!({"scenario": "a/b", "steps": [{"step": 1, "op": "X", "request": {"Z": 1, "A": 2}}]}) };
        let text = file.render();
        assert!(text.starts_with("---\nsource: suite/tests/snapshots.rs\n---\n{\n  \"scenario\": \"a/b\""), "{text}");
        assert!(text.find("\"Z\"") < text.find("\"A\""), "member order kept: {text}");
        assert_eq!(SnapshotFile::parse(&text, Path::new("x.snap")).expect("parses"), file);
    }

    #[test]
    fn malformed_files_are_refused_with_the_reason() {
        for (text, why) in [("{}", "no insta header"), ("---\nsource: x\n{}", "not closed"), ("---\n---\n{", "not JSON"), ("---\n---\n{}", "no \"steps\"")] {
            let err = SnapshotFile::parse(text, Path::new("x.snap")).expect_err(text).to_string();
            assert!(err.contains(why) && err.contains("x.snap"), "{text:?}: {err}");
        }
    }

    #[test]
    fn pending_names_are_insta_s() {
        let dir = SnapshotDir::new("snapshots/moto");
        assert_eq!(dir.pending("exceptions/delete"), Path::new("snapshots/moto/exceptions__delete.snap.new"));
        assert_eq!(accepted_of(&dir.pending("exceptions/delete")), dir.accepted("exceptions/delete"));
    }
}
