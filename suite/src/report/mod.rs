//! The report of a run. One JSON document is the source of truth; JUnit XML, Markdown, HTML
//! and the terminal table are derived from it (`render`).

pub mod deviations;
pub mod matrix;
pub mod render;

use reference_model::Operation;
use crate::generate::GeneratedSummary;
use crate::judge::{ActualReply, Difference};
use crate::scenario::Scenario;
use crate::verdict::Verdict;
use reference_model::clauses::{Coverage as ClauseCoverage, RuleId};
use reference_model::Level;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One acceptable answer, as the report shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExpectedReply {
    pub provenance: Level,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub code_level: Level,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub message_level: Level,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Call,
    Control,
    Advance,
}

/// One step's record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    pub index: usize,
    pub kind: StepKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<Operation>,
    /// Rule IDs the scenario file names for this step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleId>,
    /// Rule IDs the model exercised answering it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clauses: Vec<RuleId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_header: Option<String>,
    /// The body sent to the target (JSON, or the raw text when it is not JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expected: Vec<ExpectedReply>,
    /// Which expected reply the answer matched best.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternative: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<ActualReply>,
    pub verdict: Verdict,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<Difference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A self-contained command that sends the same request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reproduction: Option<String>,
    pub duration_ms: u64,
}

impl StepResult {
    /// A call that was answered and judged against the model: PASS, NON-STRICT or FAIL. Its
    /// `clauses` are rules the run really checked; control and clock steps, calls without a
    /// usable answer (ERROR) and calls the target does not implement check none.
    pub fn judged(&self) -> bool {
        self.kind == StepKind::Call && matches!(self.verdict, Verdict::Pass | Verdict::NonStrict | Verdict::Fail)
    }

    pub fn new(index: usize, step: &crate::scenario::Step) -> Self {
        StepResult {
            index,
            kind: StepKind::Call,
            operation: None,
            rules: step.rules.clone(),
            clauses: Vec::new(),
            target_header: None,
            request: None,
            expected: Vec::new(),
            alternative: None,
            status: None,
            actual: None,
            verdict: Verdict::Pass,
            differences: Vec::new(),
            note: step.note.clone(),
            reproduction: None,
            duration_ms: 0,
        }
    }
}

/// One scenario's record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResult {
    pub id: String,
    pub title: String,
    pub source: String,
    pub rules: Vec<RuleId>,
    pub verdict: Verdict,
    /// The prefix of the names this scenario created.
    #[serde(default)]
    pub prefix: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Set when an expectation file lists this scenario's deviation: the entry's reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_deviation: Option<String>,
    /// The rule and evidence of the entry that lists it, when the entry names them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_evidence: Option<String>,
    /// Set when this scenario fails the run: an unlisted deviation, one that differs from its
    /// entry, or an unexpected pass. Every report format counts these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unexpected: Option<String>,
    pub steps: Vec<StepResult>,
    pub duration_ms: u64,
    /// What the scenario created and cleanup could not delete (never silently left).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leftovers: Vec<crate::teardown::Leftover>,
}

impl ScenarioResult {
    pub fn new(scenario: &Scenario) -> Self {
        ScenarioResult {
            id: scenario.id.clone(),
            title: scenario.title.clone(),
            source: scenario.source.display().to_string(),
            rules: scenario.all_rules().into_iter().collect(),
            verdict: Verdict::Pass,
            prefix: String::new(),
            note: None,
            expected_deviation: None,
            expected_evidence: None,
            unexpected: None,
            steps: Vec::new(),
            duration_ms: 0,
            leftovers: Vec::new(),
        }
    }

    /// The first step that decided a non-conforming verdict.
    pub fn deciding_step(&self) -> Option<&StepResult> {
        self.steps.iter().find(|s| !s.verdict.conforms())
    }

    /// The step that decided the scenario's verdict, NON-STRICT included: the first step with
    /// that verdict.
    pub fn verdict_step(&self) -> Option<&StepResult> {
        self.steps.iter().find(|s| s.verdict == self.verdict && s.verdict != Verdict::Pass)
    }
}

/// Which target was run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetInfo {
    pub profile: String,
    pub endpoint: String,
    pub region: String,
}

/// Counts by verdict.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts(pub BTreeMap<Verdict, usize>);

impl Counts {
    pub fn add(&mut self, v: Verdict) {
        *self.0.entry(v).or_default() += 1;
    }
    pub fn get(&self, v: Verdict) -> usize {
        self.0.get(&v).copied().unwrap_or(0)
    }
    pub fn total(&self) -> usize {
        self.0.values().sum()
    }
}

/// How one rule fared.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCoverage {
    /// Verdicts of the scenarios that declare the rule (in their file), skipped ones included.
    pub scenarios: Counts,
    /// Verdicts of the judged steps whose model answer exercised the rule (see
    /// [`StepResult::judged`]): what the run really checked.
    #[serde(default)]
    pub steps: Counts,
}

impl RuleCoverage {
    /// Declared by a scenario of the run.
    pub fn declared(&self) -> bool {
        self.scenarios.total() > 0
    }
    /// Exercised by at least one judged step.
    pub fn exercised(&self) -> bool {
        self.steps.total() > 0
    }
}

/// How one operation fared.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationCoverage {
    pub calls: usize,
    /// Calls answered with 2xx.
    pub successes: usize,
    /// Error codes seen, with counts.
    pub errors: BTreeMap<String, usize>,
    pub steps: Counts,
}

/// What the expectation file said of this run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectationSummary {
    pub file: Option<String>,
    /// Deviations listed in the file and seen.
    pub expected: Vec<String>,
    /// Deviations not listed: these fail the run.
    pub unexpected: Vec<String>,
    /// Listed deviations that passed: these fail the run too (strict expected failures).
    pub unexpected_passes: Vec<String>,
    /// Entries for a scenario that does not exist or was SKIPPED: these fail the run.
    pub stale_entries: Vec<String>,
    /// `generated` entries no generated sequence of this run matched (reported only: which
    /// sequences a run meets depends on its seed and count).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub generated_not_seen: Vec<String>,
    /// What the run created and could not delete, with why: these fail the run (the suite
    /// never leaves something behind silently).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leftovers: Vec<String>,
    /// Steps that differ from their recording and no `[[snapshot]]` entry lists, and, under
    /// `CI=true`, scenarios without a recording (`run --snapshots`): these fail the run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snapshot_unexpected: Vec<String>,
}

impl ExpectationSummary {
    /// What fails the run: unexpected deviations, unexpected passes, stale entries,
    /// leftovers and unlisted snapshot differences. JUnit has exactly this many failures and
    /// errors.
    pub fn failures(&self) -> usize {
        self.unexpected.len()
            + self.unexpected_passes.len()
            + self.stale_entries.len()
            + self.leftovers.len()
            + self.snapshot_unexpected.len()
    }
}

/// The whole run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub suite_version: String,
    pub service_model: String,
    pub target: TargetInfo,
    pub started_at: String,
    pub duration_ms: u64,
    pub seed: u64,
    /// `K/N` when the run was one shard of N (`--shard`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    pub prefix: String,
    pub scenarios: Vec<ScenarioResult>,
    pub scenario_counts: Counts,
    pub step_counts: Counts,
    /// Every rule a scenario of the run declares or a judged step exercised.
    pub rules: BTreeMap<RuleId, RuleCoverage>,
    /// Rules declared by the scenarios of the run (skipped ones included).
    #[serde(default)]
    pub rules_declared: usize,
    /// Rules exercised by a judged step: the honest "rules checked" figure for this target.
    #[serde(default)]
    pub rules_exercised: usize,
    /// Modelled rules no judged step of this run exercised.
    pub rules_not_covered: Vec<RuleId>,
    pub operations: BTreeMap<String, OperationCoverage>,
    pub expectations: ExpectationSummary,
    /// Generated sequences, when the run had any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<GeneratedSummary>,
    /// The comparison with recorded transcripts, when the run had `--snapshots`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshots: Option<crate::snapshot::SnapshotSummary>,
}

impl Report {
    /// Builds the summaries from the scenario results.
    pub fn new(target: TargetInfo, started_at: String, seed: u64, prefix: String, scenarios: Vec<ScenarioResult>) -> Report {
        let model = reference_model::service_model::ServiceModel::get();
        let mut report = Report {
            suite_version: env!("CARGO_PKG_VERSION").to_owned(),
            service_model: format!("{} (config {})", model.source_version, model.api_version),
            target,
            started_at,
            duration_ms: 0,
            seed,
            shard: None,
            prefix,
            scenarios,
            scenario_counts: Counts::default(),
            step_counts: Counts::default(),
            rules: BTreeMap::new(),
            rules_declared: 0,
            rules_exercised: 0,
            rules_not_covered: Vec::new(),
            operations: BTreeMap::new(),
            expectations: ExpectationSummary::default(),
            generated: None,
            snapshots: None,
        };
        report.summarise();
        report
    }

    /// Recomputes counts and coverage.
    pub fn summarise(&mut self) {
        self.scenario_counts = Counts::default();
        self.step_counts = Counts::default();
        self.rules.clear();
        self.operations.clear();
        for s in &self.scenarios {
            self.scenario_counts.add(s.verdict);
            for rule in &s.rules {
                self.rules.entry(*rule).or_default().scenarios.add(s.verdict);
            }
            for step in &s.steps {
                self.step_counts.add(step.verdict);
                if step.judged() {
                    for rule in &step.clauses {
                        self.rules.entry(*rule).or_default().steps.add(step.verdict);
                    }
                }
                if let Some(op) = &step.operation {
                    let entry = self.operations.entry(op.name().to_owned()).or_default();
                    entry.calls += 1;
                    entry.steps.add(step.verdict);
                    match &step.actual {
                        Some(ActualReply::Success { .. }) => entry.successes += 1,
                        Some(ActualReply::Failure { code, .. }) => *entry.errors.entry(code.clone()).or_default() += 1,
                        None => {}
                    }
                }
            }
        }
        self.rules_declared = self.rules.values().filter(|c| c.declared()).count();
        self.rules_exercised = self.rules.values().filter(|c| c.exercised()).count();
        self.rules_not_covered = RuleId::all()
            .filter(|id| id.clause().coverage == ClauseCoverage::Modelled && !self.rules.get(id).is_some_and(RuleCoverage::exercised))
            .collect();
    }

    /// True when nothing needs fixing: every deviation is listed as it happened, nothing
    /// listed passed, and no entry is stale.
    pub fn is_conformant(&self) -> bool {
        self.expectations.failures() == 0
    }
}

/// Now, as RFC 3339.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}
