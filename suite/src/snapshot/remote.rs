//! Recording the real service (`record --target aws`): the plan printed before anything is
//! created.
//!
//! A recording from a real account costs money and touches a shared account, so before the
//! first request the suite says where it will go, under which names, which calls it will make
//! (those that create something first), and how what it creates is removed: after every
//! scenario, at the end of the run for what was still busy, on Ctrl-C or SIGTERM, and by
//! `remediation-suite cleanup` after a killed run. Redaction of what is written is the
//! transcript's ([`crate::transcript`]): account ids (also inside Arns), request and execution
//! ids, tokens; credentials never reach a file.

use crate::profile::TargetProfile;
use crate::scenario::{Action, Scenario};
use reference_model::Operation;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Operations that create or change something in the account.
const CREATING: [Operation; 7] = [
    Operation::PutConfigRule,
    Operation::PutRemediationConfigurations,
    Operation::PutRemediationExceptions,
    Operation::StartRemediationExecution,
    Operation::PutEvaluations,
    Operation::StartConfigRulesEvaluation,
    Operation::DeleteEvaluationResults,
];

/// Calls per operation the selected scenarios will make on this target: every step up to the
/// first that needs a capability the target lacks (where the runner stops the scenario).
pub fn planned_calls(scenarios: &[Scenario], profile: &TargetProfile) -> BTreeMap<Operation, usize> {
    let mut calls = BTreeMap::new();
    for s in scenarios.iter().filter(|s| s.needs_from_start.iter().all(|c| profile.has(*c))) {
        for step in s.steps.iter().take_while(|step| step.needs().is_none_or(|c| profile.has(c))) {
            if let Action::Call { op, .. } = &step.action {
                *calls.entry(*op).or_default() += 1;
            }
        }
    }
    calls
}

/// The plan of a recording against `endpoint`, as printed before the first request.
pub fn plan(scenarios: &[Scenario], profile: &TargetProfile, endpoint: &str, region: &str, run_prefix: &str) -> String {
    let calls = planned_calls(scenarios, profile);
    let mut text = String::new();
    let _ = writeln!(text, "Recording plan");
    let _ = writeln!(text, "  endpoint   {endpoint} (region {region}, target {})", profile.name);
    let _ = writeln!(
        text,
        "  names      every rule is {}<8 hex>-<name>: one prefix per scenario, derived from this run's {run_prefix}",
        crate::runner::NAME_PREFIX
    );
    let _ = writeln!(text, "  scenarios  {} selected", scenarios.len());
    let _ = writeln!(text, "  creates    (calls per operation)");
    for op in CREATING {
        if let Some(n) = calls.get(&op) {
            let what = match op {
                Operation::PutConfigRule => "AWS managed Config rules (no Lambda); a configuration recorder must exist",
                Operation::PutRemediationConfigurations => "remediation configurations on those rules",
                Operation::PutRemediationExceptions => "remediation exceptions on those rules",
                Operation::StartRemediationExecution => "SSM Automation executions on the named resources",
                Operation::StartConfigRulesEvaluation => "evaluations of those rules (billed as rule evaluations)",
                Operation::DeleteEvaluationResults => "deletions of those rules' evaluation results",
                _ => "evaluations (most in TestMode, which stores nothing)",
            };
            let _ = writeln!(text, "    {:<32} {n:>4}  {what}", op.name());
        }
    }
    let reads: usize = calls.iter().filter(|(op, _)| !CREATING.contains(op)).map(|(_, n)| n).sum();
    let _ = writeln!(text, "    {:<32} {reads:>4}  reads and deletions", "other calls");
    let _ = writeln!(
        text,
        "  cleanup    after each scenario its exceptions, configurations and rules are deleted; what is busy is retried at \
         the end (60 s); Ctrl-C or SIGTERM stop at the next step and clean up; after a killed run: \
         remediation-suite cleanup --target aws --allow-remote"
    );
    let _ = writeln!(text, "  written    transcripts only, with account ids, request and execution ids and tokens redacted; no credential");
    text
}
