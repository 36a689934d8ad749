//! Recordings as an oracle (issue 10): compare any target with what it, or another target,
//! answered before.
//!
//! `run --snapshots DIR` judges every step against the model as always **and** compares the
//! scenario's normalised transcript ([`crate::transcript`]) with the recording in DIR. Where
//! the model accepts several outcomes (a MAY or SHOULD alternative) and the recording holds
//! one, the recording decides: any difference is a snapshot deviation. Verdicts:
//!
//! * a step that differs from its recording fails the run (exit 1) unless the target's
//!   expectation file lists it with a `[[snapshot]]` entry ([`SnapshotEntries`]);
//! * a scenario without a recording is NEW: reported, and it fails the run only when
//!   `CI=true` (as insta does);
//! * with `--update-snapshots` new and changed recordings are written as pending files
//!   (`<stem>.snap.new`), never over an accepted one: `snapshots review` shows them and
//!   `snapshots accept` (or `cargo insta review`) makes them the recording.
//!
//! Generated sequences are not recorded: they depend on the seed.
//!
//! [`findings`] turns recordings into findings about the model: a recorded answer outside
//! every outcome the model accepts at MUST.

pub mod compare;
pub mod file;
pub mod findings;
pub mod remote;
pub mod review;

pub use compare::{differences, StepDifference};
pub use file::{SnapshotDir, SnapshotFile};

use crate::report::ScenarioResult;
use crate::transcript::{transcript_with, Normalisation};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A recording could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: not a recording: {why}", path.display())]
    Malformed { path: PathBuf, why: String },
    #[error("{}: [[snapshot]] entry {entry}: {why}", path.display())]
    Entry { path: PathBuf, entry: usize, why: String },
    #[error("{}: {source}", path.display())]
    Toml { path: PathBuf, source: Box<toml::de::Error> },
}

/// What `run --snapshots` was asked to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotOptions {
    /// The recordings to compare with.
    pub dir: PathBuf,
    /// `--update-snapshots`: write new and changed recordings as pending files.
    pub update: bool,
    /// `CI=true`: a scenario without a recording fails the run.
    pub ci: bool,
}

/// True when the `CI` variable says this is a CI run (set and not `false` or `0`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// How one scenario compared with its recording.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SnapshotState {
    /// Same as the recording.
    Matches,
    /// Differs from the recording.
    Differs,
    /// No recording yet.
    New,
}

/// One scenario that did not match its recording.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioSnapshot {
    pub scenario: String,
    pub state: SnapshotState,
    /// The recording compared with (or that would be written).
    pub file: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<StepDifference>,
    /// Steps whose differences the expectation file lists, with the entry's reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listed: Vec<(usize, String)>,
    /// The pending file written for review (`--update-snapshots`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
}

impl ScenarioSnapshot {
    /// Steps that differ and no entry lists: each fails the run.
    pub fn unlisted_steps(&self) -> Vec<usize> {
        let mut steps: Vec<usize> = self.differences.iter().map(|d| d.step).filter(|s| !self.listed.iter().any(|(l, _)| l == s)).collect();
        steps.dedup();
        steps
    }
}

/// The snapshot section of a report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SnapshotSummary {
    /// The directory compared with.
    pub dir: String,
    /// Scenarios compared with a recording.
    pub compared: usize,
    pub matching: usize,
    pub differing: usize,
    pub new: usize,
    /// Steps that differ, listed or not.
    pub differing_steps: usize,
    /// Pending files this run wrote.
    pub pending_written: usize,
    /// True when new scenarios fail the run (`CI=true`).
    pub ci: bool,
    /// Every scenario that did not match, in run order.
    pub scenarios: Vec<ScenarioSnapshot>,
}

/// `[[snapshot]]` entries of an expectation file: snapshot differences a target is known to
/// have, each with a reason. An entry lists one step of one scenario (optionally only the
/// differences under `path`); like `[[deviation]]` entries, one that no longer matches is stale.
///
/// ```toml
/// [[snapshot]]
/// scenario = "rules/put"
/// step = 2
/// path = "answer/ConfigRules/0/ConfigRuleArn"   # optional: only differences at or under it
/// reason = "the Arn's uuid is random in this emulator"
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SnapshotEntries {
    pub entries: Vec<SnapshotEntry>,
}

/// One `[[snapshot]]` entry.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotEntry {
    pub scenario: String,
    pub step: usize,
    #[serde(default)]
    pub path: Option<String>,
    pub reason: String,
}

impl SnapshotEntry {
    fn covers(&self, scenario: &str, d: &StepDifference) -> bool {
        self.scenario == scenario
            && self.step == d.step
            && self.path.as_deref().is_none_or(|p| d.path == p || d.path.starts_with(&format!("{p}/")))
    }
}

impl SnapshotEntries {
    /// The `[[snapshot]]` entries of an expectation file (its `[[deviation]]` entries are
    /// [`crate::expect`]'s).
    pub fn parse(text: &str, path: &Path) -> Result<SnapshotEntries, SnapshotError> {
        #[derive(Deserialize)]
        struct Loose {
            #[serde(default)]
            snapshot: Vec<toml::Value>,
        }
        let loose: Loose = toml::from_str(text).map_err(|e| SnapshotError::Toml { path: path.to_owned(), source: Box::new(e) })?;
        let mut entries = Vec::new();
        for (i, raw) in loose.snapshot.into_iter().enumerate() {
            let entry = i + 1;
            let bad = |why: String| SnapshotError::Entry { path: path.to_owned(), entry, why };
            let e: SnapshotEntry = raw.try_into().map_err(|e: toml::de::Error| bad(e.message().to_owned()))?;
            if e.step == 0 {
                return Err(bad("step counts from 1".into()));
            }
            if e.reason.trim().is_empty() {
                return Err(bad("every entry needs a reason".into()));
            }
            entries.push(e);
        }
        Ok(SnapshotEntries { entries })
    }

    /// Reads the entries of an expectation file.
    pub fn load(path: &Path) -> Result<SnapshotEntries, SnapshotError> {
        let text = std::fs::read_to_string(path).map_err(|source| SnapshotError::Io { path: path.to_owned(), source })?;
        SnapshotEntries::parse(&text, path)
    }
}

/// What comparing a run with its recordings found, for the report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Comparison {
    pub summary: SnapshotSummary,
    /// One line per unlisted differing step, and per new scenario under CI: each fails the run.
    pub failures: Vec<String>,
    /// Entries that matched no difference of a scenario that ran: stale, they fail the run.
    pub stale: Vec<String>,
}

/// Compares every scenario result with its recording in `options.dir`; writes pending files
/// when `options.update`. Scenarios SKIPPED from their first step have nothing to record and
/// are left out.
pub fn compare_run(
    results: &[ScenarioResult],
    options: &SnapshotOptions,
    how: &Normalisation,
    entries: &SnapshotEntries,
    source: &str,
) -> Result<Comparison, SnapshotError> {
    let dir = SnapshotDir::new(&options.dir);
    let mut out = Comparison { summary: SnapshotSummary { dir: options.dir.display().to_string(), ci: options.ci, ..Default::default() }, ..Default::default() };
    let mut used = vec![false; entries.entries.len()];
    for result in results.iter().filter(|r| !r.steps.is_empty()) {
        let actual = transcript_with(result, &result.prefix, how);
        let accepted = dir.accepted(&result.id);
        let recorded = SnapshotFile::read(&accepted)?;
        let (state, diffs) = match &recorded {
            None => (SnapshotState::New, Vec::new()),
            Some(file) => {
                out.summary.compared += 1;
                let d = differences(&file.body, &actual);
                (if d.is_empty() { SnapshotState::Matches } else { SnapshotState::Differs }, d)
            }
        };
        if state == SnapshotState::Matches {
            out.summary.matching += 1;
            if options.update {
                dir.drop_pending(&result.id)?;
            }
            continue;
        }
        let mut entry = ScenarioSnapshot {
            scenario: result.id.clone(),
            state,
            file: accepted.display().to_string(),
            differences: diffs,
            listed: Vec::new(),
            pending: None,
        };
        for d in &entry.differences {
            if let Some((i, e)) = entries.entries.iter().enumerate().find(|(_, e)| e.covers(&result.id, d)) {
                used[i] = true;
                if !entry.listed.iter().any(|(s, _)| *s == d.step) {
                    entry.listed.push((d.step, e.reason.clone()));
                }
            }
        }
        // A step is listed only when every one of its differences is.
        let uncovered: Vec<usize> =
            entry.differences.iter().filter(|d| !entries.entries.iter().any(|e| e.covers(&result.id, d))).map(|d| d.step).collect();
        entry.listed.retain(|(s, _)| !uncovered.contains(s));
        match state {
            SnapshotState::New => {
                out.summary.new += 1;
                if options.ci {
                    out.failures.push(format!("{}: no recording in {} (new; CI=true)", result.id, options.dir.display()));
                }
            }
            _ => {
                out.summary.differing += 1;
                let mut steps: Vec<usize> = entry.differences.iter().map(|d| d.step).collect();
                steps.dedup();
                out.summary.differing_steps += steps.len();
                for step in entry.unlisted_steps() {
                    let paths: Vec<&str> = entry
                        .differences
                        .iter()
                        .filter(|d| d.step == step)
                        .map(|d| if d.path.is_empty() { "(whole step)" } else { d.path.as_str() })
                        .collect();
                    out.failures.push(format!("{}: step {step} differs from its recording at {}", result.id, paths.join(", ")));
                }
            }
        }
        if options.update {
            let file = SnapshotFile { source: recorded.and_then(|r| r.source).or_else(|| Some(source.to_owned())), body: actual };
            entry.pending = Some(dir.write_pending(&result.id, &file)?.display().to_string());
            out.summary.pending_written += 1;
        }
        out.summary.scenarios.push(entry);
    }
    let ran: std::collections::BTreeSet<&str> = results.iter().map(|r| r.id.as_str()).collect();
    for (e, used) in entries.entries.iter().zip(used) {
        if !used && ran.contains(e.scenario.as_str()) {
            out.stale.push(format!("[[snapshot]] {} step {}{}: no such difference any more", e.scenario, e.step, e.path.as_deref().map(|p| format!(" {p}")).unwrap_or_default()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_entries_need_a_step_and_a_reason() {
        let ok = "[[deviation]]\nscenario = \"x\"\n\n[[snapshot]]\nscenario = \"a/b\"\nstep = 2\npath = \"answer/X\"\nreason = \"why\"\n";
        let entries = SnapshotEntries::parse(ok, Path::new("e.toml")).expect("valid");
        assert_eq!(entries.entries, vec![SnapshotEntry { scenario: "a/b".into(), step: 2, path: Some("answer/X".into()), reason: "why".into() }]);
        for (text, says) in [
            ("[[snapshot]]\nscenario = \"a\"\nstep = 0\nreason = \"r\"\n", "from 1"),
            ("[[snapshot]]\nscenario = \"a\"\nstep = 1\nreason = \" \"\n", "needs a reason"),
            ("[[snapshot]]\nscenario = \"a\"\nstep = 1\nreason = \"r\"\ncolour = 1\n", "unknown field"),
        ] {
            let err = SnapshotEntries::parse(text, Path::new("e.toml")).expect_err(text).to_string();
            assert!(err.contains(says) && err.contains("entry 1"), "{err}");
        }
    }

    #[test]
    fn an_entry_covers_its_path_and_below_only() {
        let e = SnapshotEntry { scenario: "s".into(), step: 2, path: Some("answer/A".into()), reason: "r".into() };
        let d = |step, path: &str| StepDifference { step, path: path.into(), recorded: None, actual: None };
        assert!(e.covers("s", &d(2, "answer/A")) && e.covers("s", &d(2, "answer/A/0")));
        assert!(!e.covers("s", &d(2, "answer/AB")) && !e.covers("s", &d(3, "answer/A")) && !e.covers("t", &d(2, "answer/A")));
    }
}
