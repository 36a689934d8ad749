//! Expectation files: the known deviations of a target, each named precisely, with a reason.
//!
//! `fixtures/expectations/<profile>.toml`, one `[[deviation]]` per scenario:
//!
//! ```toml
//! [[deviation]]
//! scenario = "exceptions/upsert"               # exactly one scenario id (no wildcards)
//! step = 2                                     # the step (1-based) where the deviation shows
//! operation = "PutRemediationExceptions"       # that step's operation ("control" or "advance"
//!                                              # for those steps)
//! verdict = "UNIMPLEMENTED"                    # NON-STRICT, FAIL, ERROR or UNIMPLEMENTED
//! kind = "not-implemented"                     # or "wont-fix"
//! reason = "moto implements no remediation operation"
//! link = "https://github.com/getmoto/moto/blob/master/IMPLEMENTATION_COVERAGE.md"
//! # code = "InternalFailure"                   # optional: the error code answered there
//! ```
//!
//! An entry for a FAIL or NON-STRICT may also name the rule broken and its evidence, which an
//! audit of an emulator that implements the operations needs (`fakecloud.toml` has them on
//! every entry):
//!
//! ```toml
//! rule = "R-RC-01"                             # a rule ID of the catalogue; the deviating step
//!                                              # must be judged under it, or the entry mismatches
//! evidence = "API reference, RemediationConfiguration.TargetType: Valid Values: SSM_DOCUMENT"
//! answered = "200 {\"FailedBatches\":[]}"       # what the target answered there (information)
//! ```
//!
//! Failing generated sequences are listed with `scenario = "generated"`, the `operation` and
//! `verdict` of the failing step and, optionally, the error `code` it answered (no `step`: a
//! generated sequence has no fixed steps). Every failing sequence of a run is matched against
//! these entries; generation goes on after a listed one.
//!
//! As in WPT and wasmtime's should-fail lists, listed deviations still run and must deviate
//! exactly as listed:
//!
//! * a deviation at another step, operation, or with another verdict or code is an unexpected
//!   deviation; so is an unlisted one;
//! * a listed scenario that conforms is an *unexpected pass* (remove the entry);
//! * an entry whose scenario does not exist, or was SKIPPED, is *stale* (remove it);
//! * with an expectation file, a scenario that ends `NON-STRICT` (a SHOULD or MAY detail
//!   differs) must be listed as `NON-STRICT` too, so that SHOULD-level regressions show up.
//!   Without a file `NON-STRICT` conforms.
//!
//! All of these fail the run. Entries for scenarios a `--filter` left out are not checked.
//! A `generated` entry that no sequence of the run matched is only reported: which sequences
//! a run meets depends on its seed and count.
//!
//! `[[snapshot]]` entries list differences from a recording (`run --snapshots`); their format
//! is [`crate::snapshot::SnapshotEntries`]'s.
//!
//! [`draft`] writes a new file from a `report.json`, keeping the reason of every entry that
//! still matches, for a person to review.

use crate::generate::GeneratedSummary;
use crate::report::{ExpectationSummary, Report, ScenarioResult, StepKind, StepResult};
use crate::verdict::Verdict;
use reference_model::clauses::RuleId;
use reference_model::Operation;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

/// The `scenario` of an entry that lists failing generated sequences.
pub const GENERATED: &str = "generated";

/// Why a target deviates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviationKind {
    /// The target means to implement it.
    NotImplemented,
    /// The target will not follow the documented behaviour.
    WontFix,
}

impl DeviationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviationKind::NotImplemented => "not-implemented",
            DeviationKind::WontFix => "wont-fix",
        }
    }
}

/// What a step did: an API call, a control action, or a move of the virtual clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum StepAction {
    Call(Operation),
    Control,
    Advance,
}

impl StepAction {
    /// An operation name as in the service model, `control` or `advance`.
    pub fn parse(s: &str) -> Option<StepAction> {
        match s {
            "control" => Some(StepAction::Control),
            "advance" => Some(StepAction::Advance),
            _ => s.parse().ok().map(StepAction::Call),
        }
    }

    /// The action of a recorded step.
    pub fn of(step: &StepResult) -> Option<StepAction> {
        match step.kind {
            StepKind::Call => step.operation.map(StepAction::Call),
            StepKind::Control => Some(StepAction::Control),
            StepKind::Advance => Some(StepAction::Advance),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StepAction::Call(op) => op.name(),
            StepAction::Control => "control",
            StepAction::Advance => "advance",
        }
    }
}

impl fmt::Display for StepAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<StepAction> for String {
    fn from(a: StepAction) -> String {
        a.as_str().to_owned()
    }
}

impl TryFrom<String> for StepAction {
    type Error = EntryProblem;
    fn try_from(s: String) -> Result<StepAction, EntryProblem> {
        StepAction::parse(&s).ok_or(EntryProblem::UnknownOperation(s))
    }
}

/// Whether a `NON-STRICT` ending needs an entry: only when the target has an expectation file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NonStrictPolicy {
    /// No expectation file: `NON-STRICT` conforms.
    Conforms,
    /// An expectation file: `NON-STRICT` must be listed as such.
    MustBeListed,
}

/// Where and how a scenario or a generated sequence deviates: what an entry must name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviationPoint {
    pub verdict: Verdict,
    /// The step (1-based) that decided the verdict; `None` when the scenario ended before its
    /// first step (a target that could not be reset, an interruption).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<StepAction>,
    /// The error code the target answered at that step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The rule IDs the deciding step was judged under.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleId>,
    /// What the target answered at that step, shortened (for drafts and findings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<String>,
}

/// An answer in one line: `400 Code: message` or `200 {body}`, at most 300 characters.
pub fn answered(actual: &crate::judge::ActualReply) -> String {
    let text = match actual {
        crate::judge::ActualReply::Failure { status, code, message } => match message {
            Some(m) => format!("{status} {code}: {m}"),
            None => format!("{status} {code}"),
        },
        crate::judge::ActualReply::Success { status, body } => format!("{status} {body}"),
    };
    match text.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

impl DeviationPoint {
    /// The deviation of a result, or `None` when it conforms (under `policy`) or was skipped.
    /// The deciding step is the first with the scenario's verdict: the step a FAIL, ERROR or
    /// UNIMPLEMENTED stopped at, or the first NON-STRICT step.
    pub fn of(result: &ScenarioResult, policy: NonStrictPolicy) -> Option<DeviationPoint> {
        let deviates = match result.verdict {
            Verdict::Pass | Verdict::Skipped => false,
            Verdict::NonStrict => policy == NonStrictPolicy::MustBeListed,
            Verdict::Fail | Verdict::Error | Verdict::Unimplemented => true,
        };
        if !deviates {
            return None;
        }
        let step = result.verdict_step();
        Some(DeviationPoint {
            verdict: result.verdict,
            step: step.map(|s| s.index),
            action: step.and_then(StepAction::of),
            code: step.and_then(|s| match &s.actual {
                Some(crate::judge::ActualReply::Failure { code, .. }) => Some(code.clone()),
                _ => None,
            }),
            rules: step.map(|s| s.clauses.clone()).unwrap_or_default(),
            answered: step.and_then(|s| s.actual.as_ref()).map(answered),
        })
    }
}

impl fmt::Display for DeviationPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.verdict)?;
        match (self.step, self.action) {
            (Some(step), Some(action)) => write!(f, " at step {step} {action}")?,
            (Some(step), None) => write!(f, " at step {step}")?,
            (None, Some(action)) => write!(f, " at {action}")?,
            (None, None) => f.write_str(" before any step")?,
        }
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
        }
        Ok(())
    }
}

/// What an entry lists: one scenario at one step, or failing generated sequences.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    Scenario { id: String, step: NonZeroUsize },
    Generated,
}

/// One known deviation, checked when the file was loaded.
#[derive(Clone, Debug, PartialEq)]
pub struct Deviation {
    pub subject: Subject,
    pub action: StepAction,
    /// NON-STRICT, FAIL, ERROR or UNIMPLEMENTED (not UNIMPLEMENTED for `generated`).
    pub verdict: Verdict,
    /// When given, the error code the target must answer at that step.
    pub code: Option<String>,
    pub kind: DeviationKind,
    pub reason: String,
    pub link: Option<String>,
    /// The rule the deviation breaks: the deciding step must be judged under it.
    pub rule: Option<RuleId>,
    /// The documentation sentence or observed case the rule rests on.
    pub evidence: Option<String>,
    /// What the target answered (information only: ids and times vary between runs).
    pub answered: Option<String>,
}

impl Deviation {
    /// True when the deviation seen is exactly the one listed.
    pub fn matches(&self, point: &DeviationPoint) -> bool {
        let step_ok = match &self.subject {
            Subject::Scenario { step, .. } => point.step == Some(step.get()),
            Subject::Generated => true,
        };
        step_ok
            && point.verdict == self.verdict
            && point.action == Some(self.action)
            && self.code.as_ref().is_none_or(|c| point.code.as_ref() == Some(c))
            && self.rule.as_ref().is_none_or(|r| point.rules.contains(r))
    }

    /// The scenario id, or [`GENERATED`].
    pub fn scenario(&self) -> &str {
        match &self.subject {
            Subject::Scenario { id, .. } => id,
            Subject::Generated => GENERATED,
        }
    }

    /// What the entry lists, in the words of [`DeviationPoint`]'s display.
    pub fn listed(&self) -> String {
        let point = DeviationPoint {
            verdict: self.verdict,
            step: match &self.subject {
                Subject::Scenario { step, .. } => Some(step.get()),
                Subject::Generated => None,
            },
            action: Some(self.action),
            code: self.code.clone(),
            rules: Vec::new(),
            answered: None,
        };
        match &self.rule {
            Some(rule) => format!("{point} under {rule}"),
            None => point.to_string(),
        }
    }
}

/// What is wrong with one entry of an expectation file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryProblem {
    /// PASS, SKIPPED, or not a verdict at all.
    Verdict(String),
    /// `scenario` holds a `*`.
    Wildcard(String),
    /// A scenario entry without `step`, or with step 0.
    Step(String),
    /// No `operation`.
    MissingOperation(String),
    UnknownOperation(String),
    /// A `generated` entry with a `step`.
    StepOnGenerated,
    /// A `generated` entry with verdict UNIMPLEMENTED: a sequence stopped by an unimplemented
    /// operation is not a failure.
    UnimplementedGenerated,
    NoReason,
    /// `rule` names no rule of the catalogue.
    UnknownRule(String),
    /// `rule` without `evidence`: no FAIL without the sentence or case it rests on.
    RuleWithoutEvidence(String),
    /// The same scenario listed twice (the entry number of the first).
    Duplicate { scenario: String, first: usize },
}

impl fmt::Display for EntryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryProblem::Verdict(v) => write!(
                f,
                "verdict must be FAIL, ERROR or UNIMPLEMENTED, not {v:?} (or NON-STRICT, for a scenario that differs only in a SHOULD or MAY detail)"
            ),
            EntryProblem::Wildcard(s) => {
                write!(f, "scenario {s:?} is a wildcard; list each scenario on its own, with its step and operation")
            }
            EntryProblem::Step(s) => write!(f, "scenario {s:?} needs the step (1-based) where the deviation shows"),
            EntryProblem::MissingOperation(s) => write!(f, "scenario {s:?} needs the operation of the step where the deviation shows"),
            EntryProblem::UnknownOperation(op) => {
                write!(f, "unknown operation {op:?} (an operation name as in the service model, \"control\" or \"advance\")")
            }
            EntryProblem::StepOnGenerated => f.write_str("a \"generated\" entry names no step (generated sequences have none fixed)"),
            EntryProblem::UnimplementedGenerated => {
                f.write_str("a generated sequence that stops at an UNIMPLEMENTED operation is not a failure: nothing to list")
            }
            EntryProblem::NoReason => f.write_str("needs a reason"),
            EntryProblem::UnknownRule(r) => write!(f, "rule {r:?} is not in the catalogue (reference-model/src/clauses.rs)"),
            EntryProblem::RuleWithoutEvidence(r) => {
                write!(f, "rule {r:?} needs its evidence: the documentation sentence or observed case the deviation breaks")
            }
            EntryProblem::Duplicate { scenario, first } => write!(f, "scenario {scenario:?} is already listed by deviation {first}"),
        }
    }
}

/// Why an expectation file (or a draft of one) cannot be used.
#[derive(Debug)]
pub enum ExpectationError {
    Read { path: PathBuf, source: std::io::Error },
    Parse { path: PathBuf, source: Box<toml::de::Error> },
    /// `entry` counts from 1.
    Entry { path: PathBuf, entry: usize, problem: EntryProblem },
    /// A report that is not a report, for [`draft`].
    Report { path: PathBuf, source: serde_json::Error },
}

impl fmt::Display for ExpectationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectationError::Read { path, source } => write!(f, "{}: cannot read: {source}", path.display()),
            ExpectationError::Parse { path, source } => write!(f, "{}: {source}", path.display()),
            ExpectationError::Entry { path, entry, problem } => write!(f, "{}: deviation {entry}: {problem}", path.display()),
            ExpectationError::Report { path, source } => write!(f, "{}: not a report: {source}", path.display()),
        }
    }
}

impl std::error::Error for ExpectationError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExpectationError::Read { source, .. } => Some(source),
            ExpectationError::Parse { source, .. } => Some(source.as_ref()),
            ExpectationError::Report { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// An entry as written; [`ExpectationFile::parse`] checks it, [`draft`] reads older files with it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeviation {
    scenario: String,
    #[serde(default)]
    step: Option<usize>,
    #[serde(default)]
    operation: Option<String>,
    verdict: String,
    #[serde(default)]
    code: Option<String>,
    kind: DeviationKind,
    reason: String,
    #[serde(default)]
    link: Option<String>,
    #[serde(default)]
    rule: Option<String>,
    #[serde(default)]
    evidence: Option<String>,
    #[serde(default)]
    answered: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default, rename = "deviation")]
    deviations: Vec<RawDeviation>,
    /// `[[snapshot]]` entries: differences from a recording, checked by
    /// [`crate::snapshot::SnapshotEntries`], not here.
    #[serde(default, rename = "snapshot")]
    _snapshots: Vec<toml::Value>,
}

impl RawDeviation {
    fn check(&self) -> Result<Deviation, EntryProblem> {
        let verdict = match Verdict::parse(&self.verdict) {
            Some(v @ (Verdict::NonStrict | Verdict::Fail | Verdict::Error | Verdict::Unimplemented)) => v,
            _ => return Err(EntryProblem::Verdict(self.verdict.clone())),
        };
        if self.scenario.contains('*') {
            return Err(EntryProblem::Wildcard(self.scenario.clone()));
        }
        let subject = if self.scenario == GENERATED {
            if self.step.is_some() {
                return Err(EntryProblem::StepOnGenerated);
            }
            if verdict == Verdict::Unimplemented {
                return Err(EntryProblem::UnimplementedGenerated);
            }
            Subject::Generated
        } else {
            let step = self.step.and_then(NonZeroUsize::new).ok_or_else(|| EntryProblem::Step(self.scenario.clone()))?;
            Subject::Scenario { id: self.scenario.clone(), step }
        };
        let operation = self.operation.as_deref().ok_or_else(|| EntryProblem::MissingOperation(self.scenario.clone()))?;
        let action = StepAction::parse(operation).ok_or_else(|| EntryProblem::UnknownOperation(operation.to_owned()))?;
        if self.reason.trim().is_empty() {
            return Err(EntryProblem::NoReason);
        }
        let rule = match &self.rule {
            None => None,
            Some(text) => {
                let rule = RuleId::parse(text).map_err(|_| EntryProblem::UnknownRule(text.clone()))?;
                if self.evidence.as_deref().is_none_or(|e| e.trim().is_empty()) {
                    return Err(EntryProblem::RuleWithoutEvidence(text.clone()));
                }
                Some(rule)
            }
        };
        Ok(Deviation {
            subject,
            action,
            verdict,
            code: self.code.clone(),
            kind: self.kind,
            reason: self.reason.clone(),
            link: self.link.clone(),
            rule,
            evidence: self.evidence.clone(),
            answered: self.answered.clone(),
        })
    }
}

/// A checked expectation file.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectationFile {
    pub deviations: Vec<Deviation>,
    pub path: PathBuf,
}

impl ExpectationFile {
    /// Reads and checks a file.
    pub fn load(path: &Path) -> Result<ExpectationFile, ExpectationError> {
        let text = std::fs::read_to_string(path).map_err(|source| ExpectationError::Read { path: path.to_owned(), source })?;
        ExpectationFile::parse(&text, path)
    }

    /// Checks the text of a file; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<ExpectationFile, ExpectationError> {
        let raw: RawFile =
            toml::from_str(text).map_err(|e| ExpectationError::Parse { path: path.to_owned(), source: Box::new(e) })?;
        let mut deviations = Vec::with_capacity(raw.deviations.len());
        let mut first_entry: BTreeMap<String, usize> = BTreeMap::new();
        for (i, d) in raw.deviations.iter().enumerate() {
            let entry = i + 1;
            let checked = d.check().map_err(|problem| ExpectationError::Entry { path: path.to_owned(), entry, problem })?;
            if let Subject::Scenario { id, .. } = &checked.subject {
                if let Some(first) = first_entry.insert(id.clone(), entry) {
                    let problem = EntryProblem::Duplicate { scenario: id.clone(), first };
                    return Err(ExpectationError::Entry { path: path.to_owned(), entry, problem });
                }
            }
            deviations.push(checked);
        }
        Ok(ExpectationFile { deviations, path: path.to_owned() })
    }

    /// The entry that lists this failing generated sequence, if any.
    pub fn generated_entry(&self, point: &DeviationPoint) -> Option<&Deviation> {
        self.deviations.iter().find(|d| d.subject == Subject::Generated && d.matches(point))
    }

    /// [`apply_in`](Self::apply_in) with the results as the whole corpus.
    pub fn apply(&self, results: &mut [ScenarioResult]) -> ExpectationSummary {
        let corpus: BTreeSet<String> = results.iter().map(|r| r.id.clone()).collect();
        self.apply_in(results, &corpus)
    }

    /// Marks every result as expected or unexpected and sums up. `corpus` holds the id of every
    /// scenario that exists (run or filtered out): an entry for a scenario outside it is stale,
    /// an entry for one the filters left out is not checked.
    pub fn apply_in(&self, results: &mut [ScenarioResult], corpus: &BTreeSet<String>) -> ExpectationSummary {
        let mut summary = ExpectationSummary { file: Some(self.path.display().to_string()), ..Default::default() };
        let by_id: BTreeMap<&str, &Deviation> = self
            .deviations
            .iter()
            .filter_map(|d| match &d.subject {
                Subject::Scenario { id, .. } => Some((id.as_str(), d)),
                Subject::Generated => None,
            })
            .collect();
        for r in results.iter_mut() {
            classify(r, by_id.get(r.id.as_str()).copied(), NonStrictPolicy::MustBeListed, &mut summary);
        }
        for (id, d) in &by_id {
            if !corpus.contains(*id) {
                summary.stale_entries.push(format!("{id} ({}): no scenario has this id", d.listed()));
            }
        }
        summary
    }
}

fn classify(r: &mut ScenarioResult, entry: Option<&Deviation>, policy: NonStrictPolicy, summary: &mut ExpectationSummary) {
    r.expected_deviation = None;
    r.expected_evidence = None;
    r.unexpected = None;
    let point = DeviationPoint::of(r, policy);
    match (r.verdict, point, entry) {
        (Verdict::Skipped, _, Some(d)) => {
            let why = r.note.as_deref().unwrap_or("the target lacks a capability it needs");
            summary.stale_entries.push(format!("{} ({}): the scenario was SKIPPED ({why})", r.id, d.listed()));
        }
        (_, None, None) => {}
        (_, None, Some(d)) => {
            summary.unexpected_passes.push(format!("{} (listed as {}: {})", r.id, d.listed(), d.reason));
            r.unexpected = Some(format!("{} but listed as {}: remove the entry", r.verdict, d.listed()));
        }
        (_, Some(point), Some(d)) if d.matches(&point) => {
            r.expected_deviation = Some(d.reason.clone());
            r.expected_evidence = d.rule.as_ref().zip(d.evidence.as_ref()).map(|(rule, evidence)| format!("{rule}: {evidence}"));
            summary.expected.push(r.id.clone());
        }
        (_, Some(point), Some(d)) => {
            let what = format!("{point}, listed as {}", d.listed());
            summary.unexpected.push(format!("{}: {what}", r.id));
            r.unexpected = Some(what);
        }
        (_, Some(point), None) => {
            let what = format!("{point}, not listed");
            summary.unexpected.push(format!("{}: {what}", r.id));
            r.unexpected = Some(what);
        }
    }
}

/// Without an expectation file every FAIL, ERROR and UNIMPLEMENTED is unexpected; NON-STRICT
/// conforms.
pub fn without_file(results: &mut [ScenarioResult]) -> ExpectationSummary {
    let mut summary = ExpectationSummary::default();
    for r in results.iter_mut() {
        classify(r, None, NonStrictPolicy::Conforms, &mut summary);
    }
    summary
}

/// Adds what the generated sequences did to the summary: each listed failing sequence is
/// expected, the unlisted one (shrunk, written to `replay` when given) is unexpected, and a
/// `generated` entry no sequence matched is reported as not seen.
pub fn record_generated(
    summary: &mut ExpectationSummary,
    file: Option<&ExpectationFile>,
    generated: &GeneratedSummary,
    replay: Option<&Path>,
) {
    for d in &generated.deviations {
        let line = format!("generated sequence {} of seed {} ({} steps): {}", d.sequence, generated.seed, d.steps, d.point);
        match &d.listed {
            Some(reason) => summary.expected.push(format!("{line} (listed: {reason})")),
            None => {
                let mut line = line;
                if let Some(f) = &generated.failure {
                    line.push_str(&format!("; shrunk from {} to {} steps: {}", f.original_steps, f.shrunk_steps, f.point));
                }
                if let Some(path) = replay {
                    line.push_str(&format!("; replay with: remediation-suite replay {}", path.display()));
                }
                summary.unexpected.push(line);
            }
        }
    }
    if let Some(file) = file {
        for entry in file.deviations.iter().filter(|d| d.subject == Subject::Generated) {
            let seen = generated.deviations.iter().any(|d| d.listed.is_some() && entry.matches(&d.point));
            if !seen {
                summary.generated_not_seen.push(format!("{GENERATED} ({})", entry.listed()));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Drafts

/// A draft expectation file made from a report, and what became of the old entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub text: String,
    /// Entries whose old reason still matches the deviation seen.
    pub kept: usize,
    /// Entries for deviations no old entry matched: their reason is empty, so the file is
    /// refused until a person writes one.
    pub new: usize,
    /// Old entries for scenarios (or generated sequences) this report did not meet, copied as
    /// they were.
    pub carried: usize,
    /// Old entries that matched nothing of the report and were left out, as they were written.
    pub dropped: Vec<String>,
    /// Scenarios that deviated before their first step: no entry can name them.
    pub unlistable: Vec<String>,
}

/// An entry of a draft, before it is written.
#[derive(Clone, Debug)]
struct DraftEntry {
    scenario: String,
    step: Option<usize>,
    action: Option<String>,
    verdict: String,
    code: Option<String>,
    kind: DeviationKind,
    reason: String,
    link: Option<String>,
    rule: Option<String>,
    evidence: Option<String>,
    answered: Option<String>,
    /// Comment lines written just above the entry (the old entry it replaces, not seen…).
    note: Option<String>,
    /// The old file's comment group (0: none), or `usize::MAX` for new entries.
    group: usize,
}

/// An old entry with the comment group it stood in.
struct OldEntry {
    raw: RawDeviation,
    group: usize,
    used: bool,
}

impl OldEntry {
    /// An old entry matches as its own (possibly older, looser) form says: a `prefix*`
    /// scenario, and step, operation and code only where it names them.
    fn matches(&self, id: &str, point: &DeviationPoint) -> bool {
        let raw = &self.raw;
        let scenario_ok = match raw.scenario.strip_suffix('*') {
            Some(prefix) => id != GENERATED && id.starts_with(prefix),
            None => raw.scenario == id,
        };
        scenario_ok
            && Verdict::parse(&raw.verdict) == Some(point.verdict)
            && (id == GENERATED || raw.step.is_none_or(|s| point.step == Some(s)))
            && raw.operation.as_deref().is_none_or(|op| point.action.map(StepAction::as_str) == Some(op))
            && raw.code.as_ref().is_none_or(|c| point.code.as_ref() == Some(c))
    }

    /// Names the scenario (not a generated sequence: `generated` entries of other kinds stand
    /// side by side).
    fn names(&self, id: &str) -> bool {
        if id == GENERATED {
            return false;
        }
        match self.raw.scenario.strip_suffix('*') {
            Some(prefix) => id != GENERATED && id.starts_with(prefix),
            None => self.raw.scenario == id,
        }
    }

    fn describe(&self) -> String {
        let raw = &self.raw;
        let mut s = format!("{} {}", raw.scenario, raw.verdict);
        if let Some(step) = raw.step {
            s.push_str(&format!(" at step {step}"));
        }
        if let Some(op) = &raw.operation {
            s.push_str(&format!(" {op}"));
        }
        if let Some(code) = &raw.code {
            s.push_str(&format!(" ({code})"));
        }
        s
    }

    fn as_draft(&self, note: Option<String>) -> DraftEntry {
        let raw = &self.raw;
        DraftEntry {
            scenario: raw.scenario.clone(),
            step: raw.step,
            action: raw.operation.clone(),
            verdict: raw.verdict.clone(),
            code: raw.code.clone(),
            kind: raw.kind,
            reason: raw.reason.clone(),
            link: raw.link.clone(),
            rule: raw.rule.clone(),
            evidence: raw.evidence.clone(),
            answered: raw.answered.clone(),
            note,
            group: self.group,
        }
    }
}

/// The comment paragraphs of an old file: its header (every paragraph before the one just
/// above the first entry), and the paragraph that opens each group of entries.
struct OldComments {
    header: Vec<String>,
    groups: Vec<Vec<String>>,
    /// The group of each entry, in file order (0: none).
    entry_groups: Vec<usize>,
}

fn old_comments(text: &str) -> OldComments {
    // Paragraphs of comments seen since the last entry's fields.
    let mut pending: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut header: Option<Vec<String>> = None;
    let mut groups: Vec<Vec<String>> = vec![Vec::new()];
    let mut entry_groups = Vec::new();
    let mut group = 0;
    let blank = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') {
            current.push(line.to_owned());
            continue;
        }
        if !current.is_empty() {
            pending.push(std::mem::take(&mut current));
        }
        if trimmed.is_empty() {
            continue;
        }
        if trimmed == "[[deviation]]" {
            if header.is_none() {
                // Before the first entry, the last paragraph opens the first group unless it is
                // the only one: then it is the header.
                let opening = if pending.len() > 1 { pending.pop() } else { None };
                header = Some(pending.join(&blank));
                if let Some(p) = opening {
                    groups.push(p);
                    group = groups.len() - 1;
                }
            } else if !pending.is_empty() {
                groups.push(pending.join(&blank));
                group = groups.len() - 1;
            }
            entry_groups.push(group);
        }
        // A comment among an entry's fields belongs to no group.
        pending.clear();
    }
    if !current.is_empty() {
        pending.push(current);
    }
    OldComments { header: header.unwrap_or_else(|| pending.join(&blank)), groups, entry_groups }
}

/// Escapes a TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The line a draft's header gets (and loses when drafted again).
const DRAFT_LINE: &str = "# Draft written by `remediation-suite draft-expectations`";

fn guess_kind(verdict: Verdict) -> DeviationKind {
    if verdict == Verdict::Unimplemented {
        DeviationKind::NotImplemented
    } else {
        DeviationKind::WontFix
    }
}

/// Writes a draft expectation file for the report's target: one entry for each deviation of
/// the report (scenarios, and each kind of failing generated sequence), keeping the reason,
/// kind and link of the old entry that still matches it (old entries may be wildcards: the
/// draft names each scenario). New entries get an empty reason, which [`ExpectationFile::load`]
/// refuses, so a draft is never used before a person has read it. Old entries for scenarios
/// the report did not run are carried over unchanged.
pub fn draft(report: &Report, old: Option<(&str, &Path)>) -> Result<Draft, ExpectationError> {
    let (mut olds, comments) = match old {
        Some((text, path)) => {
            let raw: RawFile =
                toml::from_str(text).map_err(|e| ExpectationError::Parse { path: path.to_owned(), source: Box::new(e) })?;
            let comments = old_comments(text);
            let olds: Vec<OldEntry> = raw
                .deviations
                .into_iter()
                .enumerate()
                .map(|(i, raw)| OldEntry { raw, group: comments.entry_groups.get(i).copied().unwrap_or(0), used: false })
                .collect();
            (olds, Some(comments))
        }
        None => (Vec::new(), None),
    };
    let mut draft = Draft { text: String::new(), kept: 0, new: 0, carried: 0, dropped: Vec::new(), unlistable: Vec::new() };
    let mut entries: Vec<DraftEntry> = Vec::new();
    let mut run_ids: BTreeSet<&str> = BTreeSet::new();
    let new_entry = |scenario: &str, point: &DeviationPoint, with_step: bool, olds: &mut Vec<OldEntry>, draft: &mut Draft| {
        let matched = olds.iter_mut().find(|o| o.matches(scenario, point));
        let (kind, reason, link, note, group, evidence) = match matched {
            Some(o) => {
                o.used = true;
                draft.kept += 1;
                (o.raw.kind, o.raw.reason.clone(), o.raw.link.clone(), None, o.group, Some((o.raw.rule.clone(), o.raw.evidence.clone())))
            }
            None => {
                draft.new += 1;
                let was = olds.iter_mut().find(|o| o.names(scenario)).map(|o| {
                    o.used = true;
                    format!("# was: {}: {}", o.describe(), o.raw.reason)
                });
                let link = olds.iter().find(|o| o.names(scenario)).and_then(|o| o.raw.link.clone());
                (guess_kind(point.verdict), String::new(), link, was, usize::MAX, None)
            }
        };
        // A kept entry keeps its rule and evidence (or their absence); a new FAIL or NON-STRICT
        // gets the deciding step's first rule and an empty evidence to write.
        let judged = matches!(point.verdict, Verdict::Fail | Verdict::NonStrict) && with_step;
        let (rule, evidence) = match evidence {
            Some(old) => old,
            None if judged => (point.rules.first().map(RuleId::to_string), point.rules.first().map(|_| String::new())),
            None => (None, None),
        };
        DraftEntry {
            scenario: scenario.to_owned(),
            step: if with_step { point.step } else { None },
            action: point.action.map(|a| a.as_str().to_owned()),
            verdict: point.verdict.as_str().to_owned(),
            code: if with_step { None } else { point.code.clone() },
            kind,
            reason,
            link,
            rule,
            answered: evidence.as_ref().and(point.answered.clone()),
            evidence,
            note,
            group,
        }
    };
    for r in &report.scenarios {
        run_ids.insert(r.id.as_str());
        let Some(point) = DeviationPoint::of(r, NonStrictPolicy::MustBeListed) else { continue };
        if point.step.is_none() {
            draft.unlistable.push(format!("{}: {point}", r.id));
            continue;
        }
        entries.push(new_entry(&r.id, &point, true, &mut olds, &mut draft));
    }
    // One entry per kind of failing generated sequence (operation, verdict, code).
    let mut seen_generated: BTreeSet<(Option<StepAction>, Verdict, Option<String>)> = BTreeSet::new();
    if let Some(generated) = &report.generated {
        for d in &generated.deviations {
            let key = (d.point.action, d.point.verdict, d.point.code.clone());
            if d.point.action.is_none() || !seen_generated.insert(key) {
                continue;
            }
            entries.push(new_entry(GENERATED, &d.point, false, &mut olds, &mut draft));
        }
    }
    for o in olds.iter_mut().filter(|o| !o.used) {
        let exact = !o.raw.scenario.contains('*');
        if o.raw.scenario == GENERATED {
            // Which sequences a run meets depends on its seed and count.
            entries.push(o.as_draft(Some("# not seen in this report's generated sequences".into())));
            draft.carried += 1;
        } else if exact && !run_ids.contains(o.raw.scenario.as_str()) {
            entries.push(o.as_draft(Some("# not run in this report: kept as it was".into())));
            draft.carried += 1;
        } else {
            draft.dropped.push(format!("{}: {}", o.describe(), o.raw.reason));
        }
    }
    entries.sort_by(|a, b| {
        (a.group, a.scenario == GENERATED, &a.scenario, &a.action).cmp(&(b.group, b.scenario == GENERATED, &b.scenario, &b.action))
    });
    let mut out = String::new();
    match &comments {
        Some(c) if !c.header.is_empty() => {
            // A draft of a draft does not pile up the line below.
            for line in c.header.iter().filter(|l| !l.starts_with(DRAFT_LINE)) {
                out.push_str(line);
                out.push('\n');
            }
            while out.ends_with("#\n") {
                out.truncate(out.len() - 2);
            }
        }
        _ => {
            out.push_str(&format!("# Known deviations of the {} target. Format: suite/src/expect.rs.\n", report.target.profile));
        }
    }
    out.push_str(&format!("#\n{DRAFT_LINE} from a report of {} (seed {}): review it.\n", report.started_at, report.seed));
    let mut last_group = None;
    for e in &entries {
        if last_group != Some(e.group) {
            if !out.ends_with("\n\n") {
                out.push('\n');
            }
            if e.group == usize::MAX {
                out.push_str("# NEW: no old entry matches these deviations. Write each reason (what the target does, and\n");
                out.push_str("# why that is a deviation), check the kind, add a link. An empty reason is refused.\n\n");
            } else if let Some(lines) = comments.as_ref().and_then(|c| c.groups.get(e.group)).filter(|l| !l.is_empty()) {
                for line in lines {
                    out.push_str(line);
                    out.push('\n');
                }
                out.push('\n');
            }
            last_group = Some(e.group);
        }
        if let Some(note) = &e.note {
            out.push_str(note);
            out.push('\n');
        }
        out.push_str("[[deviation]]\n");
        out.push_str(&format!("scenario = {}\n", toml_string(&e.scenario)));
        if let Some(step) = e.step {
            out.push_str(&format!("step = {step}\n"));
        }
        if let Some(action) = &e.action {
            out.push_str(&format!("operation = {}\n", toml_string(action)));
        }
        out.push_str(&format!("verdict = {}\n", toml_string(&e.verdict)));
        if let Some(code) = &e.code {
            out.push_str(&format!("code = {}\n", toml_string(code)));
        }
        out.push_str(&format!("kind = {}\n", toml_string(e.kind.as_str())));
        out.push_str(&format!("reason = {}\n", toml_string(&e.reason)));
        if let Some(rule) = &e.rule {
            out.push_str(&format!("rule = {}\n", toml_string(rule)));
        }
        if let Some(evidence) = &e.evidence {
            out.push_str(&format!("evidence = {}\n", toml_string(evidence)));
        }
        if let Some(answered) = &e.answered {
            out.push_str(&format!("answered = {}\n", toml_string(answered)));
        }
        if let Some(link) = &e.link {
            out.push_str(&format!("link = {}\n", toml_string(link)));
        }
        out.push('\n');
    }
    // `[[snapshot]]` entries are not drafted from a report: they are kept as they were written.
    if let Some((text, _)) = old {
        let blocks = snapshot_blocks(text);
        if !blocks.is_empty() {
            out.push_str("# Differences from the recording (snapshots/<target>/), kept as written.\n\n");
            for block in blocks {
                out.push_str(&block);
                out.push('\n');
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    draft.text = out;
    Ok(draft)
}

/// The `[[snapshot]]` tables of an expectation file's text, each from its header to the next
/// table header, trailing blank lines left out.
fn snapshot_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            blocks.extend(current.take());
            if trimmed == "[[snapshot]]" {
                current = Some(String::new());
            }
        }
        if let Some(block) = current.as_mut() {
            block.push_str(line);
            block.push('\n');
        }
    }
    blocks.extend(current);
    blocks.into_iter().map(|b| format!("{}\n", b.trim_end())).collect()
}

/// Reads a `report.json` for [`draft`].
pub fn read_report(path: &Path) -> Result<Report, ExpectationError> {
    let text = std::fs::read_to_string(path).map_err(|source| ExpectationError::Read { path: path.to_owned(), source })?;
    serde_json::from_str(&text).map_err(|source| ExpectationError::Report { path: path.to_owned(), source })
}

#[cfg(test)]
mod snapshot_entry_tests {
    use super::*;

    #[test]
    fn snapshot_blocks_are_cut_at_the_next_table() {
        let text = "[[deviation]]\nscenario = \"a\"\n\n[[snapshot]]\nscenario = \"b\"\nstep = 2\nreason = \"r\"\n\n[[deviation]]\nscenario = \"c\"\n";
        assert_eq!(snapshot_blocks(text), vec!["[[snapshot]]\nscenario = \"b\"\nstep = 2\nreason = \"r\"\n".to_owned()]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::ActualReply;
    use crate::report::{StepKind, StepResult, TargetInfo};
    use rstest::rstest;

    fn step(index: usize, op: &str, verdict: Verdict, code: Option<&str>) -> StepResult {
        StepResult {
            index,
            kind: StepKind::Call,
            operation: Some(op.parse().expect("an operation name")),
            rules: vec![],
            clauses: vec![],
            target_header: None,
            request: None,
            expected: vec![],
            alternative: None,
            status: Some(if code.is_some() { 500 } else { 200 }),
            actual: code.map(|c| ActualReply::Failure { status: 500, code: c.into(), message: None }),
            verdict,
            differences: vec![],
            note: None,
            reproduction: None,
            duration_ms: 0,
        }
    }

    /// A result whose steps pass up to `at`, which gets `verdict` (on `op`).
    fn result(id: &str, verdict: Verdict, at: usize, op: &str) -> ScenarioResult {
        let mut steps: Vec<StepResult> = (1..at).map(|i| step(i, "PutConfigRule", Verdict::Pass, None)).collect();
        if verdict != Verdict::Skipped && verdict != Verdict::Pass {
            let code = (verdict == Verdict::Unimplemented).then_some("InternalFailure");
            steps.push(step(at, op, verdict, code));
        }
        ScenarioResult {
            id: id.into(),
            prefix: String::new(),
            title: String::new(),
            source: String::new(),
            rules: vec![],
            verdict,
            note: (verdict == Verdict::Skipped).then(|| "the target (moto) lacks control".into()),
            expected_deviation: None,
            expected_evidence: None,
            unexpected: None,
            steps,
            duration_ms: 0,
            leftovers: Vec::new(),
        }
    }

    fn parse(text: &str) -> Result<ExpectationFile, ExpectationError> {
        ExpectationFile::parse(text, Path::new("moto.toml"))
    }

    fn file(text: &str) -> ExpectationFile {
        parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    const ENTRIES: &str = r#"
[[deviation]]
scenario = "exceptions/a"
step = 2
operation = "PutRemediationExceptions"
verdict = "UNIMPLEMENTED"
kind = "not-implemented"
reason = "not there yet"

[[deviation]]
scenario = "rules/put"
step = 1
operation = "PutConfigRule"
verdict = "FAIL"
kind = "wont-fix"
reason = "different"

[[deviation]]
scenario = "rules/soft"
step = 3
operation = "DescribeConfigRules"
verdict = "NON-STRICT"
kind = "wont-fix"
reason = "an extra member"

[[deviation]]
scenario = "gone/never"
step = 1
operation = "PutConfigRule"
verdict = "FAIL"
kind = "wont-fix"
reason = "nothing matches"

[[deviation]]
scenario = "skipped/one"
step = 1
operation = "PutConfigRule"
verdict = "FAIL"
kind = "wont-fix"
reason = "never runs here"

[[deviation]]
scenario = "generated"
operation = "PutEvaluations"
verdict = "ERROR"
kind = "not-implemented"
reason = "PutEvaluations without TestMode crashes"
"#;

    /// One case per way a result meets (or misses) its entry: what the summary says.
    #[rstest]
    #[case::listed("exceptions/a", Verdict::Unimplemented, 2, "PutRemediationExceptions", "expected", "exceptions/a")]
    #[case::other_step(
        "exceptions/a", Verdict::Unimplemented, 1, "PutRemediationExceptions", "unexpected",
        "exceptions/a: UNIMPLEMENTED at step 1 PutRemediationExceptions (InternalFailure), listed as UNIMPLEMENTED at step 2 PutRemediationExceptions"
    )]
    #[case::other_operation(
        "exceptions/a", Verdict::Unimplemented, 2, "DeleteRemediationExceptions", "unexpected",
        "exceptions/a: UNIMPLEMENTED at step 2 DeleteRemediationExceptions (InternalFailure), listed as UNIMPLEMENTED at step 2 PutRemediationExceptions"
    )]
    #[case::other_verdict(
        "exceptions/a", Verdict::Fail, 2, "PutRemediationExceptions", "unexpected",
        "exceptions/a: FAIL at step 2 PutRemediationExceptions, listed as UNIMPLEMENTED at step 2 PutRemediationExceptions"
    )]
    #[case::unexpected_pass("rules/put", Verdict::Pass, 1, "PutConfigRule", "unexpected_pass", "rules/put (listed as FAIL at step 1 PutConfigRule: different)")]
    #[case::non_strict_listed("rules/soft", Verdict::NonStrict, 3, "DescribeConfigRules", "expected", "rules/soft")]
    #[case::non_strict_where_fail_listed(
        "rules/put", Verdict::NonStrict, 1, "PutConfigRule", "unexpected",
        "rules/put: NON-STRICT at step 1 PutConfigRule, listed as FAIL at step 1 PutConfigRule"
    )]
    #[case::non_strict_unlisted("rules/other", Verdict::NonStrict, 2, "DescribeConfigRules", "unexpected", "rules/other: NON-STRICT at step 2 DescribeConfigRules, not listed")]
    #[case::unlisted("rules/other", Verdict::Error, 4, "PutEvaluations", "unexpected", "rules/other: ERROR at step 4 PutEvaluations, not listed")]
    #[case::unlisted_pass("rules/other", Verdict::Pass, 1, "PutConfigRule", "none", "")]
    #[case::skipped_entry("skipped/one", Verdict::Skipped, 1, "PutConfigRule", "stale", "skipped/one (FAIL at step 1 PutConfigRule): the scenario was SKIPPED (the target (moto) lacks control)")]
    fn each_result_against_its_entry(
        #[case] id: &str,
        #[case] verdict: Verdict,
        #[case] at: usize,
        #[case] op: &str,
        #[case] outcome: &str,
        #[case] line: &str,
    ) {
        let f = file(ENTRIES);
        // Every listed scenario exists; only `id` runs, so the other entries are not checked.
        let corpus: BTreeSet<String> =
            ["exceptions/a", "rules/put", "rules/soft", "rules/other", "skipped/one", "gone/never"].map(String::from).into();
        let mut results = vec![result(id, verdict, at, op)];
        let s = f.apply_in(&mut results, &corpus);
        let (list, other_lists): (&Vec<String>, [&Vec<String>; 3]) = match outcome {
            "expected" => (&s.expected, [&s.unexpected, &s.unexpected_passes, &s.stale_entries]),
            "unexpected" => (&s.unexpected, [&s.expected, &s.unexpected_passes, &s.stale_entries]),
            "unexpected_pass" => (&s.unexpected_passes, [&s.expected, &s.unexpected, &s.stale_entries]),
            "stale" => (&s.stale_entries, [&s.expected, &s.unexpected, &s.unexpected_passes]),
            _ => {
                assert_eq!(s.failures(), 0, "{s:?}");
                assert!(s.expected.is_empty() && results[0].unexpected.is_none(), "{s:?}");
                return;
            }
        };
        assert_eq!(list, &vec![line.to_owned()], "{s:?}");
        assert!(other_lists.iter().all(|l| l.is_empty()), "{s:?}");
        // The result carries the same judgement as the summary: what junit.xml reads.
        let r = &results[0];
        match outcome {
            "expected" => assert!(r.expected_deviation.is_some() && r.unexpected.is_none()),
            "unexpected" | "unexpected_pass" => assert!(r.unexpected.is_some() && r.expected_deviation.is_none()),
            _ => assert!(r.unexpected.is_none() && r.expected_deviation.is_none()),
        }
    }

    #[test]
    fn entries_for_missing_scenarios_are_stale_and_filtered_ones_are_not_checked() {
        let f = file(ENTRIES);
        // gone/never exists nowhere; rules/put exists but was filtered out of this run.
        let corpus: BTreeSet<String> = ["exceptions/a", "rules/put", "rules/soft", "skipped/one"].map(String::from).into();
        let mut results = vec![result("exceptions/a", Verdict::Unimplemented, 2, "PutRemediationExceptions")];
        let s = f.apply_in(&mut results, &corpus);
        assert_eq!(s.stale_entries, vec!["gone/never (FAIL at step 1 PutConfigRule): no scenario has this id"]);
        assert_eq!(s.expected, vec!["exceptions/a"]);
        assert_eq!(s.failures(), 1, "a stale entry fails the run");
    }

    #[test]
    fn without_a_file_non_strict_conforms() {
        let mut results = vec![result("a", Verdict::NonStrict, 1, "PutConfigRule"), result("b", Verdict::Unimplemented, 1, "PutConfigRule")];
        let s = without_file(&mut results);
        assert_eq!(s.unexpected, vec!["b: UNIMPLEMENTED at step 1 PutConfigRule (InternalFailure), not listed"]);
        assert!(results[0].unexpected.is_none());
        assert!(results[1].unexpected.is_some());
    }

    #[test]
    fn a_code_narrows_an_entry() {
        let f = file(
            "[[deviation]]\nscenario = \"generated\"\noperation = \"PutEvaluations\"\nverdict = \"ERROR\"\ncode = \"InternalError\"\nkind = \"wont-fix\"\nreason = \"r\"\n",
        );
        let point = |code: Option<&str>| DeviationPoint {
            verdict: Verdict::Error,
            step: Some(3),
            action: Some(StepAction::Call(Operation::PutEvaluations)),
            code: code.map(str::to_owned),
            rules: Vec::new(),
            answered: None,
        };
        assert!(f.generated_entry(&point(Some("InternalError"))).is_some());
        assert!(f.generated_entry(&point(Some("InternalFailure"))).is_none());
        assert!(f.generated_entry(&point(None)).is_none());
        let mut other_op = point(Some("InternalError"));
        other_op.action = Some(StepAction::Call(Operation::PutConfigRule));
        assert!(f.generated_entry(&other_op).is_none());
    }

    const ENTRY_TAIL: &str = "kind = \"wont-fix\"\nreason = \"r\"\n";

    #[rstest]
    #[case::wildcard(
        "scenario = \"exceptions/*\"\nstep = 1\noperation = \"PutConfigRule\"\nverdict = \"FAIL\"\n",
        "moto.toml: deviation 1: scenario \"exceptions/*\" is a wildcard; list each scenario on its own"
    )]
    #[case::pass("scenario = \"x\"\nstep = 1\noperation = \"PutConfigRule\"\nverdict = \"PASS\"\n", "moto.toml: deviation 1: verdict must be FAIL, ERROR or UNIMPLEMENTED, not \"PASS\"")]
    #[case::skipped("scenario = \"x\"\nstep = 1\noperation = \"PutConfigRule\"\nverdict = \"SKIPPED\"\n", "not \"SKIPPED\"")]
    #[case::no_step("scenario = \"x\"\noperation = \"PutConfigRule\"\nverdict = \"FAIL\"\n", "moto.toml: deviation 1: scenario \"x\" needs the step")]
    #[case::step_zero("scenario = \"x\"\nstep = 0\noperation = \"PutConfigRule\"\nverdict = \"FAIL\"\n", "needs the step (1-based)")]
    #[case::no_operation("scenario = \"x\"\nstep = 1\nverdict = \"FAIL\"\n", "scenario \"x\" needs the operation")]
    #[case::unknown_operation("scenario = \"x\"\nstep = 1\noperation = \"PutRule\"\nverdict = \"FAIL\"\n", "unknown operation \"PutRule\"")]
    #[case::generated_step("scenario = \"generated\"\nstep = 1\noperation = \"PutEvaluations\"\nverdict = \"ERROR\"\n", "names no step")]
    #[case::generated_unimplemented(
        "scenario = \"generated\"\noperation = \"PutEvaluations\"\nverdict = \"UNIMPLEMENTED\"\n",
        "stops at an UNIMPLEMENTED operation is not a failure"
    )]
    #[case::unknown_rule(
        "scenario = \"x\"\nstep = 1\noperation = \"PutConfigRule\"\nverdict = \"FAIL\"\nrule = \"R-XYZ-01\"\nevidence = \"e\"\n",
        "rule \"R-XYZ-01\" is not in the catalogue"
    )]
    #[case::rule_without_evidence(
        "scenario = \"x\"\nstep = 1\noperation = \"PutConfigRule\"\nverdict = \"FAIL\"\nrule = \"R-RC-01\"\nevidence = \" \"\n",
        "rule \"R-RC-01\" needs its evidence"
    )]
    fn bad_entries_are_refused_naming_file_and_entry(#[case] entry: &str, #[case] message: &str) {
        let text = format!("[[deviation]]\n{entry}{ENTRY_TAIL}");
        let e = parse(&text).expect_err("refused").to_string();
        assert!(e.contains(message), "{e}");
        assert!(e.starts_with("moto.toml: "), "{e}");
    }

    /// An entry that names its rule matches only a step judged under that rule.
    #[rstest]
    #[case::judged_under_it(&["R-RC-01", "R-PRC-11"], true)]
    #[case::other_rule(&["R-RC-05"], false)]
    #[case::no_rules(&[], false)]
    fn a_rule_narrows_an_entry(#[case] rules: &[&str], #[case] matches: bool) {
        let f = file(
            "[[deviation]]\nscenario = \"v\"\nstep = 2\noperation = \"PutRemediationConfigurations\"\nverdict = \"FAIL\"\nkind = \"wont-fix\"\nreason = \"r\"\nrule = \"R-RC-01\"\nevidence = \"TargetType: Valid Values: SSM_DOCUMENT\"\nanswered = \"200 {}\"\n",
        );
        let point = DeviationPoint {
            verdict: Verdict::Fail,
            step: Some(2),
            action: Some(StepAction::Call(Operation::PutRemediationConfigurations)),
            code: None,
            rules: rules.iter().map(|r| RuleId::parse(r).unwrap()).collect(),
            answered: None,
        };
        assert_eq!(f.deviations[0].matches(&point), matches);
        assert_eq!(f.deviations[0].listed(), "FAIL at step 2 PutRemediationConfigurations under R-RC-01");
    }

    #[test]
    fn duplicates_and_empty_reasons_are_refused() {
        let one = "[[deviation]]\nscenario = \"x\"\nstep = 1\noperation = \"control\"\nverdict = \"ERROR\"\nkind = \"wont-fix\"\nreason = \"r\"\n";
        let e = parse(&format!("{one}\n{one}")).expect_err("refused").to_string();
        assert_eq!(e, "moto.toml: deviation 2: scenario \"x\" is already listed by deviation 1");
        let e = parse(&one.replace("reason = \"r\"", "reason = \"  \"")).expect_err("refused").to_string();
        assert_eq!(e, "moto.toml: deviation 1: needs a reason");
        let e = parse("[[deviation]]\nscenario = \"x\"\n").expect_err("refused").to_string();
        assert!(e.contains("missing field"), "{e}");
        assert!(parse(one).is_ok(), "control steps can be listed");
    }

    fn report_of(results: Vec<ScenarioResult>) -> Report {
        let target = TargetInfo { profile: "moto".into(), endpoint: "http://127.0.0.1:1".into(), region: "us-east-1".into() };
        Report::new(target, "2026-01-01T00:00:00Z".into(), 1, "rsuite-00000001-".into(), results)
    }

    const OLD: &str = r#"# Known deviations of moto.
# Format: suite/src/expect.rs.

# Remediation operations are missing.

[[deviation]]
scenario = "exceptions/*"
verdict = "UNIMPLEMENTED"
kind = "not-implemented"
reason = "moto has no remediation operation"
link = "https://example.org/coverage"

[[deviation]]
scenario = "rules/changed"
step = 2
operation = "PutConfigRule"
verdict = "FAIL"
kind = "wont-fix"
reason = "the old \"reason\""

# Elsewhere.

[[deviation]]
scenario = "rules/not-run"
step = 1
operation = "PutConfigRule"
verdict = "ERROR"
kind = "wont-fix"
reason = "kept for other runs"

[[deviation]]
scenario = "rules/fixed"
step = 1
operation = "PutConfigRule"
verdict = "ERROR"
kind = "wont-fix"
reason = "fixed since"
"#;

    #[test]
    fn a_draft_keeps_matching_reasons_and_leaves_new_ones_empty() {
        let report = report_of(vec![
            result("exceptions/a", Verdict::Unimplemented, 2, "PutRemediationExceptions"),
            result("exceptions/b", Verdict::Unimplemented, 1, "DescribeRemediationExceptions"),
            result("rules/changed", Verdict::Fail, 3, "DescribeConfigRules"),
            result("rules/fixed", Verdict::Pass, 1, "PutConfigRule"),
            result("rules/soft", Verdict::NonStrict, 1, "DescribeConfigRules"),
            result("rules/skipped", Verdict::Skipped, 1, "PutConfigRule"),
        ]);
        let d = draft(&report, Some((OLD, Path::new("moto.toml")))).expect("a draft");
        assert_eq!((d.kept, d.new, d.carried), (2, 2, 1), "{}", d.text);
        assert_eq!(d.dropped, vec!["rules/fixed ERROR at step 1 PutConfigRule: fixed since"]);
        assert!(d.text.starts_with("# Known deviations of moto.\n# Format: suite/src/expect.rs.\n#\n# Draft written by"), "{}", d.text);
        assert!(d.text.contains("# Remediation operations are missing.\n\n[[deviation]]\nscenario = \"exceptions/a\"\nstep = 2\noperation = \"PutRemediationExceptions\"\nverdict = \"UNIMPLEMENTED\"\nkind = \"not-implemented\"\nreason = \"moto has no remediation operation\"\nlink = \"https://example.org/coverage\"\n"), "{}", d.text);
        assert!(d.text.contains("# was: rules/changed FAIL at step 2 PutConfigRule: the old \"reason\"\n[[deviation]]\nscenario = \"rules/changed\"\nstep = 3\n"), "{}", d.text);
        assert!(d.text.contains("# Elsewhere.\n\n# not run in this report: kept as it was\n[[deviation]]\nscenario = \"rules/not-run\""), "{}", d.text);
        // New entries (empty reasons) keep the draft from being used unread.
        let e = ExpectationFile::parse(&d.text, Path::new("draft.toml")).expect_err("empty reasons are refused").to_string();
        assert!(e.ends_with("needs a reason"), "{e}");
        // Once a person writes the reasons, the draft is a valid file that the same run meets.
        let reviewed = d.text.replace("reason = \"\"", "reason = \"reviewed\"");
        let f = ExpectationFile::parse(&reviewed, Path::new("draft.toml")).unwrap_or_else(|e| panic!("{e}\n{reviewed}"));
        let mut results = report.scenarios.clone();
        let corpus: BTreeSet<String> = results.iter().map(|r| r.id.clone()).chain(["rules/not-run".to_owned()]).collect();
        let s = f.apply_in(&mut results, &corpus);
        assert_eq!(s.expected, vec!["exceptions/a", "exceptions/b", "rules/changed", "rules/soft"], "{s:?}");
        assert!(s.unexpected.is_empty() && s.stale_entries.is_empty(), "{s:?}");
        assert_eq!(s.unexpected_passes, Vec::<String>::new());
    }

    #[test]
    fn toml_strings_round_trip() {
        for s in ["plain", "a \"quote\" and a \\ backslash", "line\nbreak\ttab", "bell \u{7}", "ünïcode … '"] {
            let text = format!("v = {}\n", toml_string(s));
            let back: BTreeMap<String, String> = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
            assert_eq!(back["v"], s);
        }
    }
}
