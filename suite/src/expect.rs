//! Expectation files: the known deviations of a target, with reasons.
//!
//! `fixtures/expectations/<profile>.toml`:
//!
//! ```toml
//! [[deviation]]
//! scenario = "exceptions/*"          # a scenario id, or a prefix ending in `*`
//! verdict = "UNIMPLEMENTED"          # what the target does instead of conforming
//! kind = "not-implemented"           # or "wont-fix"
//! reason = "moto implements no remediation operation"
//! link = "https://github.com/getmoto/moto/blob/master/IMPLEMENTATION_COVERAGE.md"
//! ```
//!
//! As in WPT and wasmtime's should-fail lists, listed deviations still run: a listed scenario
//! that conforms is an *unexpected pass* and fails the run (remove the entry), an unlisted
//! deviation fails the run, and an entry that matches no scenario of the run is reported stale.

use crate::report::{ExpectationSummary, ScenarioResult};
use crate::verdict::Verdict;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviationKind {
    /// The target means to implement it.
    NotImplemented,
    /// The target will not follow the documented behaviour.
    WontFix,
}

/// One known deviation.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deviation {
    pub scenario: String,
    pub verdict: String,
    pub kind: DeviationKind,
    pub reason: String,
    #[serde(default)]
    pub link: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectationFile {
    #[serde(default, rename = "deviation")]
    pub deviations: Vec<Deviation>,
    #[serde(skip)]
    pub path: PathBuf,
}

impl Deviation {
    fn matches(&self, id: &str) -> bool {
        match self.scenario.strip_suffix('*') {
            Some(prefix) => id.starts_with(prefix),
            None => self.scenario == id,
        }
    }
    fn verdict(&self) -> Verdict {
        Verdict::parse(&self.verdict).expect("checked when loading")
    }
}

impl ExpectationFile {
    /// Reads and checks a file.
    pub fn load(path: &Path) -> Result<ExpectationFile, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let mut file: ExpectationFile = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        file.path = path.to_owned();
        for (i, d) in file.deviations.iter().enumerate() {
            let at = format!("{}: deviation {}", path.display(), i + 1);
            match Verdict::parse(&d.verdict) {
                Some(v) if !v.conforms() && v != Verdict::Skipped => {}
                _ => return Err(format!("{at}: verdict must be FAIL, ERROR or UNIMPLEMENTED, not {:?}", d.verdict)),
            }
            if d.reason.trim().is_empty() {
                return Err(format!("{at}: needs a reason"));
            }
        }
        Ok(file)
    }

    /// Marks listed deviations on the results and sums up.
    pub fn apply(&self, results: &mut [ScenarioResult]) -> ExpectationSummary {
        let mut summary = ExpectationSummary { file: Some(self.path.display().to_string()), ..Default::default() };
        let mut used = vec![false; self.deviations.len()];
        for r in results.iter_mut() {
            let entry = self.deviations.iter().enumerate().find(|(_, d)| d.matches(&r.id));
            if let Some((i, _)) = entry {
                used[i] = true;
            }
            classify(r, entry.map(|(_, d)| d), &mut summary);
        }
        summary.stale_entries = self
            .deviations
            .iter()
            .zip(&used)
            .filter(|(_, u)| !**u)
            .map(|(d, _)| format!("{} ({})", d.scenario, d.verdict))
            .collect();
        summary
    }
}

fn classify(r: &mut ScenarioResult, entry: Option<&Deviation>, summary: &mut ExpectationSummary) {
    match (r.verdict, entry) {
        (Verdict::Skipped, _) => {}
        (v, Some(d)) if v.conforms() => summary.unexpected_passes.push(format!("{} (listed as {}: {})", r.id, d.verdict, d.reason)),
        (_, None) if r.verdict.conforms() => {}
        (v, Some(d)) if v == d.verdict() => {
            r.expected_deviation = Some(d.reason.clone());
            summary.expected.push(r.id.clone());
        }
        (v, Some(d)) => summary.unexpected.push(format!("{}: {} (listed as {})", r.id, v, d.verdict)),
        (v, None) => summary.unexpected.push(format!("{}: {}", r.id, v)),
    }
}

impl ExpectationFile {
    /// Whether the first failing generated sequence was listed (`scenario = "generated"`).
    pub fn lists_generated(&self, verdict: Verdict) -> Option<&Deviation> {
        self.deviations.iter().find(|d| d.scenario == GENERATED && d.verdict() == verdict)
    }
}

/// The name under which an expectation file lists the first failing generated sequence.
pub const GENERATED: &str = "generated";

/// Without an expectation file every deviation is unexpected.
pub fn without_file(results: &[ScenarioResult]) -> ExpectationSummary {
    let mut summary = ExpectationSummary::default();
    for r in results {
        if !r.verdict.conforms() && r.verdict != Verdict::Skipped {
            summary.unexpected.push(format!("{}: {}", r.id, r.verdict));
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(id: &str, verdict: Verdict) -> ScenarioResult {
        ScenarioResult {
            id: id.into(),
            prefix: String::new(),
            title: String::new(),
            source: String::new(),
            rules: vec![],
            verdict,
            note: None,
            expected_deviation: None,
            steps: vec![],
            duration_ms: 0,
            leftovers: Vec::new(),
        }
    }

    fn file(entries: &str) -> ExpectationFile {
        let dir = std::env::temp_dir().join(format!("expect-{}-{}", std::process::id(), entries.len()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.toml");
        std::fs::write(&path, entries).unwrap();
        ExpectationFile::load(&path).unwrap()
    }

    #[test]
    fn listed_unlisted_unexpected_pass_and_stale() {
        let f = file(
            r#"
[[deviation]]
scenario = "exceptions/*"
verdict = "UNIMPLEMENTED"
kind = "not-implemented"
reason = "not there yet"

[[deviation]]
scenario = "rules/put"
verdict = "FAIL"
kind = "wont-fix"
reason = "different"

[[deviation]]
scenario = "gone/*"
verdict = "FAIL"
kind = "wont-fix"
reason = "nothing matches"
"#,
        );
        let mut results = vec![
            result("exceptions/a", Verdict::Unimplemented),
            result("exceptions/b", Verdict::Fail),
            result("rules/put", Verdict::Pass),
            result("other", Verdict::Error),
            result("fine", Verdict::Pass),
        ];
        let s = f.apply(&mut results);
        assert_eq!(s.expected, vec!["exceptions/a"]);
        assert_eq!(s.unexpected, vec!["exceptions/b: FAIL (listed as UNIMPLEMENTED)", "other: ERROR"]);
        assert_eq!(s.unexpected_passes.len(), 1);
        assert!(s.unexpected_passes[0].starts_with("rules/put"));
        assert_eq!(s.stale_entries, vec!["gone/* (FAIL)"]);
        assert_eq!(results[0].expected_deviation.as_deref(), Some("not there yet"));
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let dir = std::env::temp_dir().join(format!("expect-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.toml");
        std::fs::write(&path, "[[deviation]]\nscenario = \"x\"\nverdict = \"PASS\"\nkind = \"wont-fix\"\nreason = \"r\"\n").unwrap();
        assert!(ExpectationFile::load(&path).unwrap_err().contains("verdict must be FAIL, ERROR or UNIMPLEMENTED"));
        std::fs::write(&path, "[[deviation]]\nscenario = \"x\"\n").unwrap();
        assert!(ExpectationFile::load(&path).unwrap_err().contains("missing field"));
    }
}
