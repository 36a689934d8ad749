//! `snapshots review` and `snapshots accept`: the review flow of pending recordings, for those
//! without `cargo insta review` (the files are insta's, so both work).

use super::file::{accepted_of, SnapshotFile};
use super::{differences, SnapshotDir, SnapshotError, StepDifference};
use std::path::PathBuf;

/// One pending file and what accepting it would change.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingReview {
    pub pending: PathBuf,
    pub accepted: PathBuf,
    /// `None`: there is no accepted recording yet (a new scenario).
    pub differences: Option<Vec<StepDifference>>,
}

fn matches(path: &std::path::Path, filters: &[String]) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().replace("__", "/");
    filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
}

/// Every pending file of `dir` (whose scenario id contains one of `filters`, when given),
/// with its differences from the accepted recording.
pub fn review(dir: &SnapshotDir, filters: &[String]) -> Result<Vec<PendingReview>, SnapshotError> {
    let mut out = Vec::new();
    for pending in dir.pending_files()?.into_iter().filter(|p| matches(p, filters)) {
        let new = SnapshotFile::read(&pending)?.ok_or_else(|| SnapshotError::Malformed { path: pending.clone(), why: "vanished".into() })?;
        let accepted = accepted_of(&pending);
        let differences = SnapshotFile::read(&accepted)?.map(|old| differences(&old.body, &new.body));
        out.push(PendingReview { pending, accepted, differences });
    }
    Ok(out)
}

/// The review as text: per file, each difference with its step, path, recorded and new value.
pub fn render(reviews: &[PendingReview]) -> String {
    let mut text = String::new();
    for r in reviews {
        match &r.differences {
            None => text.push_str(&format!("NEW      {} (no accepted recording)\n", r.pending.display())),
            Some(d) if d.is_empty() => text.push_str(&format!("SAME     {} (only the header differs)\n", r.pending.display())),
            Some(d) => {
                text.push_str(&format!("CHANGED  {} ({} difference(s))\n", r.pending.display(), d.len()));
                for diff in d {
                    text.push_str(&format!("    {}\n", diff.describe()));
                }
            }
        }
    }
    text.push_str(&format!("{} pending file(s)\n", reviews.len()));
    text
}

/// Makes pending files the recordings: each `x.snap.new` replaces `x.snap`. Returns the
/// recordings written.
pub fn accept(dir: &SnapshotDir, filters: &[String]) -> Result<Vec<PathBuf>, SnapshotError> {
    let mut done = Vec::new();
    for pending in dir.pending_files()?.into_iter().filter(|p| matches(p, filters)) {
        // A pending file that does not parse must not become a recording.
        SnapshotFile::read(&pending)?;
        let accepted = accepted_of(&pending);
        std::fs::rename(&pending, &accepted).map_err(|source| SnapshotError::Io { path: pending.clone(), source })?;
        done.push(accepted);
    }
    Ok(done)
}

/// Deletes pending files, keeping the recordings as they are.
pub fn reject(dir: &SnapshotDir, filters: &[String]) -> Result<Vec<PathBuf>, SnapshotError> {
    let mut done = Vec::new();
    for pending in dir.pending_files()?.into_iter().filter(|p| matches(p, filters)) {
        std::fs::remove_file(&pending).map_err(|source| SnapshotError::Io { path: pending.clone(), source })?;
        done.push(pending);
    }
    Ok(done)
}
