//! Automatic remediation on the virtual clock: which resources are remediated, retries, the
//! exception Config places after MaximumAutomaticAttempts failures within RetryAttemptSeconds,
//! and the SSM concurrency and error percentages, with the documented examples (5 attempts in
//! 50 s; 40 % of 10 resources stops at the 5th error). SSM outcomes are scripted.

mod common;

use common::*;
use reference_model::auto::{ExecutionState, SsmRun, QUEUE_DELAY, RUN_TIME};
use reference_model::names::{ResourceRef, RuleName};
use reference_model::{ComplianceType, Control, Operation, World};
use serde_json::{json, Value};

/// One attempt from queueing to its end.
const ATTEMPT: i64 = QUEUE_DELAY.0 + RUN_TIME.0;

fn fail(message: &str) -> SsmRun {
    SsmRun::Fail { message: message.into() }
}

fn default_ssm(world: &mut World, outcome: SsmRun) {
    let now = world.now();
    world.control(&Control::SetDefaultSsm { outcome }, now);
}

fn script(world: &mut World, id: &str, outcomes: Vec<SsmRun>) {
    let now = world.now();
    world.control(&Control::ScriptSsm { rule: "r".into(), resource_type: BUCKET.into(), resource_id: id.into(), outcomes }, now);
}

fn ssm(concurrency: Option<i32>, errors: Option<i32>) -> Value {
    let mut s = json!({});
    if let Some(c) = concurrency {
        s["ConcurrentExecutionRatePercentage"] = json!(c);
    }
    if let Some(e) = errors {
        s["ErrorPercentage"] = json!(e);
    }
    json!({"ExecutionControls": {"SsmControls": s}})
}

fn count(world: &World, state: ExecutionState) -> usize {
    world.executions().filter(|(_, e)| e.state() == state).count()
}

fn exception_message(world: &World, id: &str) -> Option<String> {
    world.exception(&RuleName::new("r"), &ResourceRef::new(BUCKET, id)).map(|e| e.message.clone().unwrap_or_default())
}

/// Samples the number of runs in progress every 100 ms until nothing is queued or running.
fn max_parallel_runs(world: &mut World, limit_ms: i64) -> usize {
    let mut max = 0;
    let end = world.now() + reference_model::Millis(limit_ms);
    while world.now() < end {
        max = max.max(count(world, ExecutionState::InProgress));
        if world.executions().all(|(_, e)| !e.is_active()) {
            return max;
        }
        advance(world, 100);
    }
    panic!("still running after {limit_ms} ms");
}

// ------------------------------------------------------------------ who is remediated

#[test]
fn r_prc_08_enabling_automatic_remediation_starts_it_for_every_non_compliant_resource() {
    let mut w = world_with_non_compliant("r", 3);
    set_compliance(&mut w, "r", "ok", ComplianceType::Compliant);
    set_compliance(&mut w, "r", "na", ComplianceType::NotApplicable);
    put_configs(&mut w, vec![config("r", json!({}))]);
    assert_eq!(w.executions().count(), 0, "a manual configuration remediated");
    let outcome = call(&mut w, Operation::PutRemediationConfigurations, json!({"RemediationConfigurations": [auto_config("r", ssm(Some(100), None))]}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PRC-08")));
    let started: Vec<String> = w.executions().map(|((_, res), _)| res.resource_id.clone()).collect();
    assert_eq!(started, ids(3));
    assert_eq!(count(&w, ExecutionState::Queued), 3);
    advance(&mut w, ATTEMPT);
    assert_eq!(count(&w, ExecutionState::Succeeded), 3);
    for id in ids(3) {
        assert_eq!(compliance_of(&w, "r", &id), Some(ComplianceType::Compliant));
    }
    assert_eq!(compliance_of(&w, "r", "ok"), Some(ComplianceType::Compliant));
}

#[test]
fn r_rc_04_automatic_remediates_on_its_own_and_manual_does_not() {
    let mut w = world_with_rule("r");
    put_configs(&mut w, vec![config("r", json!({"Automatic": false}))]);
    set_compliance(&mut w, "r", "manual", ComplianceType::NonCompliant);
    advance(&mut w, 60_000);
    assert_eq!(state_of(&w, "r", "manual"), None);
    put_configs(&mut w, vec![auto_config("r", json!({}))]);
    // Turning it on picks up the resource already NON_COMPLIANT …
    assert_eq!(state_of(&w, "r", "manual"), Some(ExecutionState::Queued));
    // … and a resource that becomes NON_COMPLIANT later is remediated as it is evaluated.
    set_compliance(&mut w, "r", "later", ComplianceType::NonCompliant);
    assert_eq!(state_of(&w, "r", "later"), Some(ExecutionState::Queued));
    advance(&mut w, 60_000);
    assert_eq!(state_of(&w, "r", "later"), Some(ExecutionState::Succeeded));
    // Successful remediation makes the resource COMPLIANT, as GetComplianceDetails shows.
    let details = call_ok(&mut w, Operation::GetComplianceDetailsByConfigRule, json!({"ConfigRuleName": "r"}));
    let types: Vec<&str> = details["EvaluationResults"].as_array().unwrap().iter().map(|r| r["ComplianceType"].as_str().unwrap()).collect();
    assert_eq!(types, vec!["COMPLIANT", "COMPLIANT"]);
}

#[test]
fn r_rc_04_a_resource_still_non_compliant_is_not_remediated_twice_at_once() {
    let mut w = world_with_non_compliant("r", 1);
    put_configs(&mut w, vec![auto_config("r", json!({}))]);
    let first = w.execution(&RuleName::new("r"), &ResourceRef::new(BUCKET, "b00")).unwrap().clone();
    // Another NON_COMPLIANT result while the run is queued starts nothing new.
    set_compliance(&mut w, "r", "b00", ComplianceType::NonCompliant);
    put_configs(&mut w, vec![auto_config("r", json!({}))]);
    assert_eq!(w.execution(&RuleName::new("r"), &ResourceRef::new(BUCKET, "b00")), Some(&first));
}

// ------------------------------------------------------------------ attempts and the retry window

#[test]
fn r_rc_05_five_failures_in_fifty_seconds_place_an_exception() {
    let mut w = world_with_non_compliant("r", 1);
    default_ssm(&mut w, fail("Step fails"));
    put_configs(&mut w, vec![auto_config("r", json!({"MaximumAutomaticAttempts": 5, "RetryAttemptSeconds": 50}))]);
    // Each failed attempt is retried at once: four failures leave no exception.
    advance(&mut w, 4 * ATTEMPT);
    assert_eq!(exception_message(&w, "b00"), None);
    assert_eq!(state_of(&w, "r", "b00"), Some(ExecutionState::Queued), "the 5th attempt is queued");
    advance(&mut w, ATTEMPT - 1);
    assert_eq!(exception_message(&w, "b00"), None);
    assert_eq!(state_of(&w, "r", "b00"), Some(ExecutionState::InProgress));
    // The 5th failure, 15 s after the first attempt: Config places the exception itself.
    advance(&mut w, 1);
    assert_eq!(exception_message(&w, "b00").as_deref(), Some("Auto-remediation failed after 5 attempts within 50 seconds."));
    assert!(w.exception(&RuleName::new("r"), &ResourceRef::new(BUCKET, "b00")).unwrap().placed_by_config);
    assert_eq!(
        exceptions_of(&mut w, "r"),
        vec![json!({"ConfigRuleName": "r", "ResourceType": BUCKET, "ResourceId": "b00",
                    "Message": "Auto-remediation failed after 5 attempts within 50 seconds."})]
    );
    // No more attempts: the last execution stays FAILED.
    let last = w.execution(&RuleName::new("r"), &ResourceRef::new(BUCKET, "b00")).unwrap().clone();
    assert_eq!(last.state(), ExecutionState::Failed);
    advance(&mut w, 600_000);
    assert_eq!(w.execution(&RuleName::new("r"), &ResourceRef::new(BUCKET, "b00")), Some(&last));
    assert_eq!(compliance_of(&w, "r", "b00"), Some(ComplianceType::NonCompliant));
}

#[test]
fn r_rc_05_the_default_is_five_attempts_in_sixty_seconds() {
    let mut w = world_with_non_compliant("r", 1);
    default_ssm(&mut w, fail("Step fails"));
    put_configs(&mut w, vec![auto_config("r", json!({}))]);
    advance(&mut w, 5 * ATTEMPT - 1);
    assert_eq!(exception_message(&w, "b00"), None);
    advance(&mut w, 1);
    assert_eq!(exception_message(&w, "b00").as_deref(), Some("Auto-remediation failed after 5 attempts within 60 seconds."));
}

#[test]
fn r_rc_05_a_success_before_the_last_attempt_places_no_exception() {
    let mut w = world_with_non_compliant("r", 1);
    script(&mut w, "b00", vec![fail("1"), fail("2"), fail("3"), fail("4"), SsmRun::Succeed]);
    put_configs(&mut w, vec![auto_config("r", json!({"MaximumAutomaticAttempts": 5, "RetryAttemptSeconds": 50}))]);
    advance(&mut w, 600_000);
    assert_eq!(exception_message(&w, "b00"), None);
    assert_eq!(state_of(&w, "r", "b00"), Some(ExecutionState::Succeeded));
    assert_eq!(compliance_of(&w, "r", "b00"), Some(ComplianceType::Compliant));
}

#[test]
fn r_rc_05_one_attempt_means_an_exception_after_the_first_failure() {
    let mut w = world_with_non_compliant("r", 1);
    default_ssm(&mut w, fail("x"));
    put_configs(&mut w, vec![auto_config("r", json!({"MaximumAutomaticAttempts": 1, "RetryAttemptSeconds": 1}))]);
    advance(&mut w, ATTEMPT);
    assert_eq!(exception_message(&w, "b00").as_deref(), Some("Auto-remediation failed after 1 attempt within 1 seconds."));
}

#[test]
fn r_rc_05_manual_failures_do_not_count() {
    let mut w = world_with_non_compliant("r", 1);
    default_ssm(&mut w, fail("x"));
    put_configs(&mut w, vec![config("r", json!({"MaximumAutomaticAttempts": 1}))]);
    for _ in 0..3 {
        call_ok(&mut w, Operation::StartRemediationExecution, json!({"ConfigRuleName": "r", "ResourceKeys": [exec_key("b00")]}));
        advance(&mut w, ATTEMPT);
        assert_eq!(state_of(&w, "r", "b00"), Some(ExecutionState::Failed));
    }
    assert_eq!(w.exceptions().count(), 0);
}

#[test]
fn r_rc_06_a_window_too_small_for_five_attempts_places_no_exception() {
    let mut w = world_with_non_compliant("r", 1);
    default_ssm(&mut w, fail("Step fails"));
    // Attempts are 3 s apart: 5 s never holds 5 of them.
    put_configs(&mut w, vec![auto_config("r", json!({"MaximumAutomaticAttempts": 5, "RetryAttemptSeconds": 5}))]);
    let mut invocations = std::collections::BTreeSet::new();
    for _ in 0..600 {
        advance(&mut w, 200);
        invocations.insert(w.execution(&RuleName::new("r"), &ResourceRef::new(BUCKET, "b00")).unwrap().invocation_time);
    }
    assert_eq!(w.exceptions().count(), 0);
    // It keeps retrying: one attempt every 3 s for two minutes.
    assert_eq!(invocations.len() as i64, 120_000 / ATTEMPT + 1);
    assert!(state_of(&w, "r", "b00").unwrap() != ExecutionState::Succeeded);
}

#[test]
fn r_rc_06_the_window_spans_the_invocations_of_the_attempts() {
    // Attempts are invoked 3 s apart, so five of them span 12 s: a 12 s window holds them, an
    // 11 s one never does.
    for (window, expected) in [(12, true), (11, false)] {
        let mut w = world_with_non_compliant("r", 1);
        default_ssm(&mut w, fail("x"));
        put_configs(&mut w, vec![auto_config("r", json!({"MaximumAutomaticAttempts": 5, "RetryAttemptSeconds": window}))]);
        advance(&mut w, 120_000);
        assert_eq!(w.exceptions().count() == 1, expected, "window {window}");
    }
}

// ------------------------------------------------------------------ concurrency

#[test]
fn r_rc_07_ten_percent_of_ten_runs_one_at_a_time() {
    let mut w = world_with_non_compliant("r", 10);
    put_configs(&mut w, vec![auto_config("r", ssm(Some(10), None))]);
    assert_eq!(max_parallel_runs(&mut w, 60_000), 1);
    assert_eq!(count(&w, ExecutionState::Succeeded), 10);
    // One after the other: the last one finishes 10 runs after the queue delay.
    assert_eq!(w.now(), T0 + QUEUE_DELAY + reference_model::Millis(10 * RUN_TIME.0));
}

#[test]
fn r_rc_07_fifty_percent_of_ten_runs_five_at_a_time() {
    let mut w = world_with_non_compliant("r", 10);
    put_configs(&mut w, vec![auto_config("r", ssm(Some(50), None))]);
    assert_eq!(max_parallel_runs(&mut w, 60_000), 5);
    assert_eq!(count(&w, ExecutionState::Succeeded), 10);
    assert_eq!(w.now(), T0 + QUEUE_DELAY + reference_model::Millis(2 * RUN_TIME.0));
}

#[test]
fn r_rc_07_the_default_is_ten_percent_rounded_up() {
    let mut w = world_with_non_compliant("r", 20);
    put_configs(&mut w, vec![auto_config("r", json!({}))]);
    assert_eq!(max_parallel_runs(&mut w, 120_000), 2);
    // 1 % of 3 still lets one run.
    let mut w = world_with_non_compliant("r", 3);
    put_configs(&mut w, vec![auto_config("r", ssm(Some(1), None))]);
    assert_eq!(max_parallel_runs(&mut w, 60_000), 1);
    assert_eq!(count(&w, ExecutionState::Succeeded), 3);
}

/// A-32: a resource that becomes NON_COMPLIANT while the rule's automatic run is going joins
/// that run: it waits for a slot, and the run's size (10, so 2 at a time at 20 %) is not
/// recomputed (11 would allow 3).
#[test]
fn r_rc_07_a_new_non_compliant_resource_joins_the_running_batch() {
    let mut w = world_with_non_compliant("r", 10);
    put_configs(&mut w, vec![auto_config("r", ssm(Some(20), None))]);
    let run = w.automatic_run(&RuleName::new("r")).expect("the put started the rule's run");
    advance(&mut w, QUEUE_DELAY.0);
    assert_eq!(count(&w, ExecutionState::InProgress), 2);
    set_compliance(&mut w, "r", "late", ComplianceType::NonCompliant);
    let late = w.execution(&RuleName::new("r"), &ResourceRef::new(BUCKET, "late")).expect("queued").clone();
    assert_eq!(late.batch, run, "joined the rule's run");
    assert_eq!(max_parallel_runs(&mut w, 60_000), 2, "the denominator stays 10");
    assert_eq!(count(&w, ExecutionState::Succeeded), 11);
    // Queued behind the ten: it started only when a slot was free, after four rounds.
    let done = w.execution(&RuleName::new("r"), &ResourceRef::new(BUCKET, "late")).unwrap();
    let reference_model::auto::Phase::Succeeded { started, .. } = done.phase else { panic!("{:?}", done.phase) };
    assert!(started >= T0 + QUEUE_DELAY + reference_model::Millis(4 * RUN_TIME.0), "{started:?}");
}

/// A-32: once the run is over, the next automatic attempt starts a new run whose size is the
/// rule's NON_COMPLIANT resources at that moment.
#[test]
fn r_rc_07_a_new_run_counts_the_non_compliant_resources_when_it_starts() {
    let mut w = world_with_non_compliant("r", 4);
    put_configs(&mut w, vec![auto_config("r", ssm(Some(50), None))]);
    let first = w.automatic_run(&RuleName::new("r")).unwrap();
    advance(&mut w, 60_000);
    assert_eq!(w.automatic_run(&RuleName::new("r")), None, "the run is over");
    set_compliance(&mut w, "r", "new", ComplianceType::NonCompliant);
    let second = w.automatic_run(&RuleName::new("r")).expect("a new run");
    assert_ne!(first, second);
    assert_eq!(max_parallel_runs(&mut w, 60_000), 1, "a run of one");
}

/// A-32: the denominator is every NON_COMPLIANT resource of the rule, excepted ones included:
/// four NON_COMPLIANT, two of them excepted, at 50 %: the two others run together.
#[test]
fn r_rc_07_excepted_resources_count_in_the_denominator() {
    let mut w = world_with_non_compliant("r", 4);
    call_ok(&mut w, Operation::PutRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": [exc_key("b00"), exc_key("b01")]}));
    put_configs(&mut w, vec![auto_config("r", ssm(Some(50), None))]);
    assert_eq!(max_parallel_runs(&mut w, 60_000), 2);
    assert_eq!(count(&w, ExecutionState::Succeeded), 2);
}

/// A-32: manual starts are batches of their own and never join the automatic run.
#[test]
fn r_rc_07_a_manual_start_is_its_own_batch() {
    let mut w = world_with_non_compliant("r", 10);
    put_configs(&mut w, vec![auto_config("r", ssm(Some(10), None))]);
    let run = w.automatic_run(&RuleName::new("r")).unwrap();
    set_compliance(&mut w, "r", "m", ComplianceType::NonCompliant);
    let joined = w.execution(&RuleName::new("r"), &ResourceRef::new(BUCKET, "m")).unwrap().batch;
    assert_eq!(joined, run);
    let mut manual = world_with_non_compliant("r", 2);
    put_configs(&mut manual, vec![config("r", json!({}))]);
    call_ok(&mut manual, Operation::StartRemediationExecution, json!({"ConfigRuleName": "r", "ResourceKeys": [exec_key("b00"), exec_key("b01")]}));
    assert_eq!(manual.automatic_run(&RuleName::new("r")), None);
}

// ------------------------------------------------------------------ error percentage

/// Which executions failed after running, and which failed without ever starting.
fn failed_with_and_without_steps(world: &mut World) -> (usize, usize) {
    let all = statuses(world, "r");
    assert!(all.iter().all(|s| s["State"] == "FAILED" || s["State"] == "SUCCEEDED"), "{all:?}");
    let failed: Vec<&Value> = all.iter().filter(|s| s["State"] == "FAILED").collect();
    let with = failed.iter().filter(|s| s["StepDetails"].as_array().unwrap().len() == 1).count();
    let without = failed.iter().filter(|s| s["StepDetails"] == json!([])).count();
    assert_eq!(with + without, failed.len());
    (with, without)
}

#[test]
fn r_rc_08_forty_percent_of_ten_stops_at_the_fifth_error() {
    let mut w = world_with_non_compliant("r", 10);
    default_ssm(&mut w, fail("Step fails"));
    put_configs(&mut w, vec![config("r", ssm(None, Some(40)))]);
    let all = ids(10);
    call_ok(&mut w, Operation::StartRemediationExecution, json!({"ConfigRuleName": "r", "ResourceKeys": all.iter().map(|i| exec_key(i)).collect::<Vec<_>>()}));
    // One at a time (10 %): the 4th error does not stop the run …
    advance(&mut w, QUEUE_DELAY.0 + 4 * RUN_TIME.0);
    assert_eq!(count(&w, ExecutionState::Failed), 4);
    assert_eq!(count(&w, ExecutionState::InProgress), 1);
    // … the 5th does: what had not started fails without a step.
    advance(&mut w, RUN_TIME.0);
    assert_eq!(count(&w, ExecutionState::Failed), 10);
    assert_eq!(failed_with_and_without_steps(&mut w), (5, 5));
    let stopped = statuses(&mut w, "r").into_iter().filter(|s| s["StepDetails"] == json!([])).collect::<Vec<_>>();
    for s in &stopped {
        assert_eq!(s["LastUpdatedTime"], json!(secs(T0 + QUEUE_DELAY + reference_model::Millis(5 * RUN_TIME.0))));
    }
}

#[test]
fn r_rc_08_forty_percent_under_automatic_remediation() {
    let mut w = world_with_non_compliant("r", 10);
    default_ssm(&mut w, fail("Step fails"));
    // One attempt each, so that a failure is not retried but excepted at once.
    put_configs(&mut w, vec![auto_config("r", json!({"MaximumAutomaticAttempts": 1, "ExecutionControls": {"SsmControls": {"ErrorPercentage": 40}}}))]);
    advance(&mut w, 120_000);
    assert_eq!(failed_with_and_without_steps(&mut w), (5, 5));
    // Config excepted the five that failed; the five never run are not excepted.
    let excepted: Vec<String> = exceptions_of(&mut w, "r").iter().map(|e| e["ResourceId"].as_str().unwrap().to_owned()).collect();
    assert_eq!(excepted, ids(5));
}

#[test]
fn r_rc_08_the_default_fifty_percent_of_ten_stops_at_the_sixth_error() {
    let mut w = world_with_non_compliant("r", 10);
    default_ssm(&mut w, fail("Step fails"));
    put_configs(&mut w, vec![config("r", json!({}))]);
    let all = ids(10);
    call_ok(&mut w, Operation::StartRemediationExecution, json!({"ConfigRuleName": "r", "ResourceKeys": all.iter().map(|i| exec_key(i)).collect::<Vec<_>>()}));
    advance(&mut w, 120_000);
    assert_eq!(failed_with_and_without_steps(&mut w), (6, 4));
}

#[test]
fn r_rc_08_errors_within_the_threshold_do_not_stop_the_run() {
    let mut w = world_with_non_compliant("r", 10);
    for id in ["b01", "b03", "b05", "b07"] {
        script(&mut w, id, vec![fail("no")]);
    }
    put_configs(&mut w, vec![config("r", ssm(None, Some(40)))]);
    let all = ids(10);
    call_ok(&mut w, Operation::StartRemediationExecution, json!({"ConfigRuleName": "r", "ResourceKeys": all.iter().map(|i| exec_key(i)).collect::<Vec<_>>()}));
    advance(&mut w, 120_000);
    assert_eq!(failed_with_and_without_steps(&mut w), (4, 0));
    assert_eq!(count(&w, ExecutionState::Succeeded), 6);
}

// ------------------------------------------------------------------ Config's own exceptions

#[test]
fn r_pre_02_the_exception_config_placed_blocks_until_it_is_deleted() {
    let mut w = world_with_non_compliant("r", 1);
    default_ssm(&mut w, fail("x"));
    put_configs(&mut w, vec![auto_config("r", json!({"MaximumAutomaticAttempts": 2}))]);
    advance(&mut w, 60_000);
    assert!(exception_message(&w, "b00").is_some());
    let excepted_run = w.execution(&RuleName::new("r"), &ResourceRef::new(BUCKET, "b00")).unwrap().clone();
    // A new NON_COMPLIANT result and a re-put of the configuration start nothing.
    set_compliance(&mut w, "r", "b00", ComplianceType::Compliant);
    set_compliance(&mut w, "r", "b00", ComplianceType::NonCompliant);
    put_configs(&mut w, vec![auto_config("r", json!({"MaximumAutomaticAttempts": 2}))]);
    advance(&mut w, 60_000);
    assert_eq!(w.execution(&RuleName::new("r"), &ResourceRef::new(BUCKET, "b00")), Some(&excepted_run));
    // Once deleted, remediation resumes (and now succeeds).
    default_ssm(&mut w, SsmRun::Succeed);
    call_ok(&mut w, Operation::DeleteRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": [exc_key("b00")]}));
    put_configs(&mut w, vec![auto_config("r", json!({"MaximumAutomaticAttempts": 2}))]);
    advance(&mut w, 60_000);
    assert_eq!(state_of(&w, "r", "b00"), Some(ExecutionState::Succeeded));
    assert_eq!(compliance_of(&w, "r", "b00"), Some(ComplianceType::Compliant));
}

#[test]
fn r_pre_02_an_exception_put_while_a_retry_is_queued_cancels_it() {
    let mut w = world_with_non_compliant("r", 1);
    script(&mut w, "b00", vec![fail("once")]);
    put_configs(&mut w, vec![auto_config("r", json!({}))]);
    advance(&mut w, ATTEMPT); // first attempt failed, the retry is queued
    assert_eq!(state_of(&w, "r", "b00"), Some(ExecutionState::Queued));
    call_ok(&mut w, Operation::PutRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": [exc_key("b00")]}));
    advance(&mut w, ATTEMPT);
    let s = &statuses(&mut w, "r")[0];
    assert_eq!(s["State"], "FAILED");
    assert_eq!(s["StepDetails"], json!([]), "the blocked retry never ran");
    assert_eq!(compliance_of(&w, "r", "b00"), Some(ComplianceType::NonCompliant));
}
