//! A target's deviations as a maintainer reads them: grouped by the rule they break, with what
//! the rule says, what was answered, what the model accepts, and a curl command that
//! reproduces the step against `$ENDPOINT`. Generated from a `report.json`
//! (`remediation-suite deviations`), so it never disagrees with the run.
//!
//! A step is filed under the first rule its scenario names for it (what the step was written
//! to check); a step that names none goes under the first rule the model exercised answering
//! it. Expected deviations (listed in the target's expectation file) are shown with their
//! reason, so a maintainer sees which ones the suite's authors already agree with.

use reference_model::Operation;
use super::{Report, ScenarioResult, StepKind, StepResult};
use crate::judge::ActualReply;
use crate::verdict::Verdict;
use reference_model::clauses::RuleId;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One non-conforming step.
#[derive(Debug, Clone)]
pub struct Deviation<'a> {
    pub scenario: &'a ScenarioResult,
    pub step: &'a StepResult,
}

/// The rule a step is filed under (see the module docs); `None` for a step that names none and
/// exercised none.
fn filed_under(step: &StepResult) -> Option<RuleId> {
    step.rules.first().or_else(|| step.clauses.first()).copied()
}

/// FAIL and ERROR call steps of the run's scenarios, by rule, in catalogue order; steps under
/// no rule (`None`) last.
pub fn by_rule(report: &Report) -> Vec<(Option<RuleId>, Vec<Deviation<'_>>)> {
    let mut groups: BTreeMap<Option<RuleId>, Vec<Deviation<'_>>> = BTreeMap::new();
    for scenario in &report.scenarios {
        for step in scenario.steps.iter().filter(|s| s.kind == StepKind::Call && matches!(s.verdict, Verdict::Fail | Verdict::Error)) {
            groups.entry(filed_under(step)).or_default().push(Deviation { scenario, step });
        }
    }
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by_key(|(rule, _)| rule.map_or(usize::MAX, RuleId::position));
    groups
}

/// A body on one line, cut at `max` characters.
fn compact(body: &serde_json::Value, max: usize) -> String {
    let text = body.to_string();
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

fn answered(step: &StepResult) -> String {
    match &step.actual {
        Some(ActualReply::Success { status, body }) => format!("{status} {}", compact(body, 400)),
        Some(ActualReply::Failure { status, code, message }) => {
            format!("{status} {code}{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())
        }
        None => step.note.clone().unwrap_or_else(|| "no usable answer".to_owned()),
    }
}

fn accepted(step: &StepResult) -> Vec<String> {
    step.expected
        .iter()
        .map(|e| {
            let what = match (&e.code, &e.body) {
                (Some(code), _) => format!("{} {code}", e.status),
                (None, Some(body)) => format!("{} {}", e.status, compact(body, 300)),
                (None, None) => e.status.to_string(),
            };
            let basis = e.basis.as_deref().map(|b| format!(", {b}")).unwrap_or_default();
            format!("{what} ({}{basis})", e.provenance)
        })
        .collect()
}

/// The Markdown summary.
pub fn markdown(report: &Report) -> String {
    let groups = by_rule(report);
    let total: usize = groups.iter().map(|(_, d)| d.len()).sum();
    let mut out = String::new();
    let _ = writeln!(out, "# Deviations of {} ({})\n", report.target.profile, report.target.endpoint);
    let _ = writeln!(
        out,
        "Run of {} with suite {}, seed {}. {total} steps did not conform (FAIL or ERROR), under {} rules. \
         Each step is reproduced against `$ENDPOINT` by the curl command after the earlier steps of its \
         scenario (`remediation-suite replay <scenario> --endpoint \"$ENDPOINT\"` runs them all and prints each).\n",
        report.started_at,
        report.suite_version,
        report.seed,
        groups.len()
    );
    for (rule, deviations) in &groups {
        match rule {
            Some(rule) => {
                let c = rule.clause();
                let _ = writeln!(out, "## {rule} ({}): {}\n", c.level, c.summary);
            }
            None => {
                let _ = writeln!(out, "## (no rule)\n");
            }
        }
        for d in deviations {
            let op = d.step.operation.map_or("(call)", Operation::name);
            let _ = writeln!(out, "### `{}` step {}: {op} → {}\n", d.scenario.id, d.step.index, d.step.verdict);
            if let Some(reason) = &d.scenario.expected_deviation {
                let _ = writeln!(out, "Expected deviation (listed): {reason}\n");
            }
            if let Some(evidence) = &d.scenario.expected_evidence {
                let _ = writeln!(out, "Evidence: {evidence}\n");
            }
            let _ = writeln!(out, "- answered: `{}`", answered(d.step).replace('`', "'"));
            for a in accepted(d.step) {
                let _ = writeln!(out, "- the model accepts: `{}`", a.replace('`', "'"));
            }
            for diff in d.step.differences.iter().filter(|x| x.level == reference_model::Level::Must) {
                let _ = writeln!(out, "- differs at `{}`: expected {}, got {}", diff.path, diff.expected, diff.actual);
            }
            if let Some(curl) = &d.step.reproduction {
                let _ = writeln!(out, "\n```sh\n{curl}\n```");
            }
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::Difference;
    use crate::report::{ExpectedReply, TargetInfo};
    use reference_model::Level;

    fn step(index: usize, verdict: Verdict, rules: &[&str], clauses: &[&str]) -> StepResult {
        StepResult {
            index,
            kind: StepKind::Call,
            operation: Some(Operation::PutRemediationExceptions),
            rules: rules.iter().map(|r| RuleId::parse(r).unwrap()).collect(),
            clauses: clauses.iter().map(|r| RuleId::parse(r).unwrap()).collect(),
            target_header: None,
            request: None,
            expected: vec![ExpectedReply {
                provenance: Level::Must,
                status: 400,
                code: Some("InvalidParameterValueException".into()),
                code_level: Level::Must,
                message: None,
                message_level: Level::May,
                body: None,
                basis: None,
            }],
            alternative: Some(0),
            status: Some(200),
            actual: Some(ActualReply::Success { status: 200, body: serde_json::json!({"FailedBatches": []}) }),
            verdict,
            differences: vec![Difference { path: "status".into(), expected: "400".into(), actual: "200".into(), level: Level::Must }],
            note: None,
            reproduction: Some("curl -X POST \"$ENDPOINT\"".into()),
            duration_ms: 1,
        }
    }

    fn report(steps: Vec<StepResult>) -> Report {
        let scenario = ScenarioResult {
            id: "a".into(),
            prefix: String::new(),
            title: "t".into(),
            source: "a.json".into(),
            rules: vec![],
            verdict: Verdict::Fail,
            note: None,
            expected_deviation: None,
            expected_evidence: None,
            unexpected: None,
            steps,
            duration_ms: 1,
            leftovers: Vec::new(),
        };
        let target = TargetInfo { profile: "fake".into(), endpoint: "http://127.0.0.1:1".into(), region: "us-east-1".into() };
        Report::new(target, "2026-11-27T00:00:00Z".into(), 1, "rsuite-1-".into(), vec![scenario])
    }

    #[test]
    fn steps_are_filed_under_their_first_declared_rule_in_catalogue_order() {
        let report = report(vec![
            step(1, Verdict::Pass, &["R-PRE-01"], &["R-PRE-01"]),
            step(2, Verdict::Fail, &["R-PRE-04"], &["R-PRE-01", "R-PRE-04"]),
            step(3, Verdict::Error, &[], &["R-PRC-02"]),
            step(4, Verdict::Unimplemented, &["R-PRE-05"], &[]),
        ]);
        let groups = by_rule(&report);
        let shape: Vec<(&str, Vec<usize>)> =
            groups.iter().map(|(r, d)| (r.map_or("", RuleId::as_str), d.iter().map(|x| x.step.index).collect())).collect();
        assert_eq!(shape, vec![("R-PRC-02", vec![3]), ("R-PRE-04", vec![2])]);
        let md = markdown(&report);
        assert!(md.contains("## R-PRE-04 (MUST): "), "{md}");
        assert!(md.contains("### `a` step 2: PutRemediationExceptions → FAIL"), "{md}");
        assert!(md.contains("- answered: `200 {\"FailedBatches\":[]}`"), "{md}");
        assert!(md.contains("- the model accepts: `400 InvalidParameterValueException (MUST)`"), "{md}");
        assert!(md.contains("- differs at `status`: expected 400, got 200"), "{md}");
        assert!(md.contains("```sh\ncurl -X POST \"$ENDPOINT\"\n```"), "{md}");
        assert!(!md.contains("step 4"), "UNIMPLEMENTED is not a deviation to fix: {md}");
        assert!(!md.contains("Evidence:"), "{md}");
    }

    /// An audited entry's reason and evidence reach the maintainer beside the step.
    #[test]
    fn listed_deviations_show_their_reason_and_evidence() {
        let mut report = report(vec![step(1, Verdict::Fail, &["R-PRC-02"], &["R-PRC-02"])]);
        report.scenarios[0].expected_deviation = Some("stores it anyway".into());
        report.scenarios[0].expected_evidence = Some("R-PRC-02: the rule must already exist".into());
        let md = markdown(&report);
        assert!(md.contains("Expected deviation (listed): stores it anyway\n\nEvidence: R-PRC-02: the rule must already exist\n"), "{md}");
    }
}
