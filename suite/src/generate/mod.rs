//! Model-driven generated request sequences, shrunk to the smallest failing one.
//!
//! A sequence is a list of [`GenStep`]s over small pools of names (three rules, four
//! resources), so that random steps meet each other: an exception lands on a resource a
//! previous step made NON_COMPLIANT, an execution on a configured rule. Steps mix valid
//! requests with requests that break exactly one limit or one rule ([`Breakage`]), weighted so
//! that every operation and every error path is reached.
//!
//! Every subsequence of a sequence is still a meaningful test (the model answers any request
//! in any state), so plain proptest `Vec` shrinking (dropping and simplifying steps) finds the
//! smallest failing sequence without state-machine preconditions. Each sequence becomes an
//! ordinary [`Scenario`](crate::scenario::Scenario) and is judged by the same runner; the shrunk failure is written out
//! as a scenario file that `replay` runs and that can be committed as a regression case.
//! With the target's expectation file ([`run_generated_with`]), a deviating sequence that a
//! `generated` entry lists (by operation, verdict and error code) is recorded and generation
//! goes on; the first unlisted one is shrunk and ends it.
//!
//! The module follows a sequence's life: `strategy` draws steps, `render` turns them into a
//! scenario, and this file runs them and shrinks the first unlisted deviation.

mod render;
mod strategy;

pub use render::{to_scenario, to_scenario_json};
pub use strategy::{step_strategy, Breakage, GenStep, TokenKind};

use crate::expect::{DeviationPoint, ExpectationFile, NonStrictPolicy};
use crate::report::ScenarioResult;
use crate::runner::{run_scenario, RunSettings};
use crate::target::Target;
use crate::verdict::Verdict;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use reference_model::clauses::RuleId;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Bounds of a generated run.
#[derive(Clone, Debug)]
pub struct GenerateOptions {
    pub seed: u64,
    pub sequences: u32,
    pub max_steps: usize,
    /// Stop generating new sequences after this long.
    pub time_limit: Option<std::time::Duration>,
}

/// What the generated sequences did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GeneratedSummary {
    pub seed: u64,
    pub sequences: u32,
    /// The verdict of each sequence, in the order they ran (shrinking runs not included).
    #[serde(default)]
    pub outcomes: Vec<Verdict>,
    /// Every deviating sequence: the listed ones, then the first unlisted one (which ends the
    /// generation and is shrunk into `failure`).
    #[serde(default)]
    pub deviations: Vec<GeneratedDeviation>,
    pub steps: usize,
    pub seconds: f64,
    pub verdicts: BTreeMap<Verdict, usize>,
    /// Operations called, with counts.
    pub operations: BTreeMap<String, usize>,
    /// Error codes answered by the target, with counts.
    pub error_codes: BTreeMap<String, usize>,
    /// Rule IDs the model exercised.
    pub rules: BTreeSet<RuleId>,
    /// The smallest failing sequence, when one failed unlisted.
    pub failure: Option<GeneratedFailure>,
    /// What sequences created and their cleanup could not delete yet (retried by the session).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leftovers: Vec<crate::teardown::Leftover>,
}

/// One deviating generated sequence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeneratedDeviation {
    /// Which sequence (1-based).
    pub sequence: u32,
    pub steps: usize,
    /// Its deciding step, before any shrinking.
    pub point: DeviationPoint,
    /// The reason of the expectation entry that lists it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeneratedFailure {
    pub verdict: Verdict,
    /// The deciding step of the shrunk sequence.
    pub point: DeviationPoint,
    /// Steps of the original failing sequence and of the shrunk one.
    pub original_steps: usize,
    pub shrunk_steps: usize,
    pub scenario: Value,
    pub result: ScenarioResult,
}

/// Most sequences run while shrinking one failure.
const MAX_SHRINK_RUNS: usize = 2000;

/// A generated sequence deviates on FAIL or ERROR, and on NON-STRICT when the target has an
/// expectation file (which must list it). UNIMPLEMENTED is left to the scenarios and the
/// expectation file: an emulator without the operation is not a finding worth shrinking.
fn deviation(result: &ScenarioResult, policy: NonStrictPolicy) -> Option<DeviationPoint> {
    match result.verdict {
        Verdict::Unimplemented => None,
        _ => DeviationPoint::of(result, policy),
    }
}

/// Runs a scenario's future to completion (a runtime handle's `block_on`).
pub type BlockOn<'c> = dyn for<'a> Fn(std::pin::Pin<Box<dyn std::future::Future<Output = ScenarioResult> + 'a>>) -> ScenarioResult + 'c;

/// Runs generated sequences against a target from inside a blocking context, stopping at the
/// first deviating one (shrunk).
pub fn run_generated<T: Target>(
    target: &T,
    settings: &RunSettings,
    options: &GenerateOptions,
    block_on: &BlockOn<'_>,
) -> GeneratedSummary {
    run_generated_with(target, settings, options, block_on, None)
}

/// [`run_generated`] with the target's expectation file: a deviating sequence that a
/// `generated` entry lists is recorded and generation goes on; the first unlisted one is shrunk
/// (keeping only candidates that still deviate unlisted, with the same verdict) and ends it.
pub fn run_generated_with<T: Target>(
    target: &T,
    settings: &RunSettings,
    options: &GenerateOptions,
    block_on: &BlockOn<'_>,
    expectations: Option<&ExpectationFile>,
) -> GeneratedSummary {
    let policy = if expectations.is_some() { NonStrictPolicy::MustBeListed } else { NonStrictPolicy::Conforms };
    let listed = |point: &DeviationPoint| expectations.and_then(|f| f.generated_entry(point)).map(|d| d.reason.clone());
    let started = std::time::Instant::now();
    let mut summary = GeneratedSummary { seed: options.seed, ..Default::default() };
    let strategy = proptest::collection::vec(step_strategy(&target.profile().capabilities), 1..=options.max_steps.max(1));
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&options.seed.to_le_bytes());
    let config = Config { cases: options.sequences, max_shrink_iters: 2000, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes));
    // Every sequence and every shrinking attempt gets names of its own (the scenario id derives
    // the prefix): on a target without reset, one must never meet what another left running.
    let attempts = std::cell::Cell::new(0u64);
    let run = |steps: &[GenStep], summary: &mut GeneratedSummary| -> ScenarioResult {
        let attempt = attempts.get();
        attempts.set(attempt + 1);
        let scenario = to_scenario(&format!("generated/sequence-{attempt}"), steps);
        let mut result = block_on(Box::pin(run_scenario(target, &scenario, settings)));
        summary.leftovers.append(&mut result.leftovers);
        for step in &result.steps {
            summary.steps += 1;
            if let Some(op) = &step.operation {
                *summary.operations.entry(op.name().to_owned()).or_default() += 1;
            }
            if let Some(crate::judge::ActualReply::Failure { code, .. }) = &step.actual {
                *summary.error_codes.entry(code.clone()).or_default() += 1;
            }
            summary.rules.extend(step.clauses.iter().cloned());
        }
        result
    };
    for sequence in 1..=options.sequences {
        if options.time_limit.is_some_and(|limit| started.elapsed() >= limit) || crate::runner::interrupted() {
            break;
        }
        let Ok(mut tree) = strategy.new_tree(&mut runner) else { break };
        let steps = tree.current();
        let result = run(&steps, &mut summary);
        if crate::runner::interrupted() {
            break;
        }
        summary.sequences += 1;
        summary.outcomes.push(result.verdict);
        *summary.verdicts.entry(result.verdict).or_default() += 1;
        let Some(point) = deviation(&result, policy) else { continue };
        let reason = listed(&point);
        summary.deviations.push(GeneratedDeviation { sequence, steps: steps.len(), point: point.clone(), listed: reason.clone() });
        if reason.is_some() {
            continue;
        }
        // Shrink as proptest does: simplify while the candidate still fails the same way, step
        // back (complicate) when it no longer does. The loop drives proptest's own value tree
        // rather than `TestRunner::run`, because a run must go on past deviations the
        // expectation file lists, stop at its time limit or an interruption, and keep the
        // shrunk sequence's result for the report: `run` offers none of the three.
        let verdict = result.verdict;
        let original_steps = steps.len();
        let mut best = (steps, result, point);
        let mut current_fails = true;
        for _ in 0..MAX_SHRINK_RUNS {
            if crate::runner::interrupted() {
                break;
            }
            let moved = if current_fails { tree.simplify() } else { tree.complicate() };
            if !moved {
                break;
            }
            let candidate = tree.current();
            let r = run(&candidate, &mut summary);
            let still = if r.verdict == verdict { deviation(&r, policy).filter(|p| listed(p).is_none()) } else { None };
            current_fails = still.is_some();
            if let Some(p) = still {
                best = (candidate, r, p);
            }
        }
        let (steps, result, point) = best;
        summary.failure = Some(GeneratedFailure {
            verdict,
            point,
            original_steps,
            shrunk_steps: steps.len(),
            scenario: to_scenario_json(&format!("regressions/generated-{:016x}", options.seed), &steps),
            result,
        });
        break;
    }
    summary.seconds = started.elapsed().as_secs_f64();
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use super::strategy::BREAKAGES;

    #[test]
    fn every_breakage_and_step_kind_makes_a_parsable_scenario() {
        let mut steps: Vec<GenStep> = BREAKAGES.iter().map(|b| GenStep::Invalid { breakage: *b, rule: 0 }).collect();
        steps.extend([
            GenStep::PutRule { rule: 0 },
            GenStep::SetCompliance { rule: 0, resource: 0, compliance: "NON_COMPLIANT" },
            GenStep::PutEvaluations { rule: 0, resource: 1, compliance: "NON_COMPLIANT", token: TokenKind::Valid },
            GenStep::PutConfiguration { rule: 0, automatic: true, attempts: Some(2), retry_seconds: Some(50), concurrency: Some(50), errors: Some(40) },
            GenStep::DescribeExceptions { rule: 0, resources: None, limit: 1, continue_paging: false },
            GenStep::DescribeExceptions { rule: 0, resources: None, limit: 1, continue_paging: true },
            GenStep::ScriptSsm { rule: 0, resource: 0, failures: 2 },
            GenStep::Advance { seconds: 3 },
        ]);
        let scenario = to_scenario("t", &steps);
        assert!(scenario.steps.len() > steps.len());
    }

    #[test]
    fn paging_token_is_used_only_after_it_is_bound() {
        let steps = [GenStep::DescribeExceptions { rule: 0, resources: None, limit: 0, continue_paging: true }];
        let json = to_scenario_json("t", &steps);
        assert!(!json.to_string().contains("${bind:page}"));
    }
}
