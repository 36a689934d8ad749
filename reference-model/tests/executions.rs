//! StartRemediationExecution and DescribeRemediationExecutionStatus: rules SRE and DRES, on the
//! virtual clock (an execution waits `QUEUE_DELAY`, then runs for `RUN_TIME`, A-08).

mod common;

use common::*;
use reference_model::auto::{ExecutionState, SsmRun, QUEUE_DELAY, RUN_TIME, STEP_NAME};
use reference_model::{ComplianceType, Control, ErrorCode, Level, Operation, Outcome, Reply, World};
use serde_json::{json, Value};

const ALREADY_COMPLIANT: &str = "The resource is already compliant.";
const STILL_RUNNING: &str = "A remediation execution is already in progress for the resource.";
const NOT_EVALUATED: &str = "The resource has no NON_COMPLIANT evaluation under the rule.";

/// A rule `r` with a manual configuration and `n` NON_COMPLIANT buckets `b00..`.
fn manual(n: usize, extra: Value) -> World {
    let mut w = world_with_non_compliant("r", n);
    put_configs(&mut w, vec![config("r", extra)]);
    w
}

fn start(world: &mut World, ids: &[&str]) -> Outcome {
    call(
        world,
        Operation::StartRemediationExecution,
        json!({"ConfigRuleName": "r", "ResourceKeys": ids.iter().map(|i| exec_key(i)).collect::<Vec<_>>()}),
    )
}

fn start_all(world: &mut World, n: usize) {
    let all = ids(n);
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    assert_eq!(ok(&start(world, &refs)), json!({}));
}

fn fail_everything(world: &mut World) {
    let now = world.now();
    world.control(&Control::SetDefaultSsm { outcome: SsmRun::Fail { message: "Step fails: access denied".into() } }, now);
}

fn status(world: &mut World, id: &str) -> Value {
    let body = call_ok(world, Operation::DescribeRemediationExecutionStatus, json!({"ConfigRuleName": "r", "ResourceKeys": [exec_key(id)]}));
    let list = body["RemediationExecutionStatuses"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{body}");
    list[0].clone()
}

fn describe_page(world: &mut World, body: Value) -> (Vec<String>, Option<String>) {
    let page = call_ok(world, Operation::DescribeRemediationExecutionStatus, body);
    let ids = page["RemediationExecutionStatuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["ResourceKey"]["resourceId"].as_str().unwrap().to_owned())
        .collect();
    (ids, page.get("NextToken").map(|t| t.as_str().unwrap().to_owned()))
}

// ------------------------------------------------------------------ StartRemediationExecution

#[test]
fn r_sre_01_start_runs_the_configuration_on_demand() {
    let mut w = manual(1, json!({}));
    let outcome = start(&mut w, &["b00"]);
    assert!(outcome.clauses.contains(&reference_model::rule!("R-SRE-01")));
    assert_eq!(outcome.preferred().provenance, Level::Must);
    assert_eq!(state_of(&w, "r", "b00"), Some(ExecutionState::Queued));
    advance(&mut w, 10_000);
    assert_eq!(state_of(&w, "r", "b00"), Some(ExecutionState::Succeeded));
    // The fix is followed by a COMPLIANT evaluation (A-10).
    assert_eq!(compliance_of(&w, "r", "b00"), Some(ComplianceType::Compliant));
}

#[test]
fn r_sre_01_the_most_recent_configuration_is_used() {
    let mut w = manual(4, json!({}));
    // Upsert to 50 % before starting: two of the four run at once.
    put_configs(&mut w, vec![config("r", json!({"ExecutionControls": {"SsmControls": {"ConcurrentExecutionRatePercentage": 50}}}))]);
    start_all(&mut w, 4);
    advance(&mut w, QUEUE_DELAY.0);
    let running = ids(4).iter().filter(|i| state_of(&w, "r", i) == Some(ExecutionState::InProgress)).count();
    assert_eq!(running, 2);
}

#[test]
fn r_sre_02_execution_is_asynchronous() {
    let mut w = manual(1, json!({}));
    start(&mut w, &["b00"]);
    let queued = status(&mut w, "b00");
    assert_eq!(queued["State"], "QUEUED");
    assert_eq!(queued["StepDetails"], json!([]));
    assert_eq!(queued["InvocationTime"], json!(secs(T0)));
    advance(&mut w, QUEUE_DELAY.0);
    let running = status(&mut w, "b00");
    assert_eq!(running["State"], "IN_PROGRESS");
    let started = T0 + QUEUE_DELAY;
    assert_eq!(running["StepDetails"], json!([{"Name": STEP_NAME, "State": "IN_PROGRESS", "StartTime": secs(started)}]));
    advance(&mut w, RUN_TIME.0 - 1);
    assert_eq!(status(&mut w, "b00")["State"], "IN_PROGRESS");
    advance(&mut w, 1);
    let done = status(&mut w, "b00");
    assert_eq!(done["State"], "SUCCEEDED");
    assert_eq!(
        done["StepDetails"],
        json!([{"Name": STEP_NAME, "State": "SUCCEEDED", "StartTime": secs(started), "StopTime": secs(started + RUN_TIME)}])
    );
    assert_eq!(done["LastUpdatedTime"], json!(secs(started + RUN_TIME)));
}

#[test]
fn r_sre_03_a_hundred_keys_start_together() {
    let mut w = manual(100, json!({"ExecutionControls": {"SsmControls": {"ConcurrentExecutionRatePercentage": 100}}}));
    let outcome = start(&mut w, &ids(100).iter().map(String::as_str).collect::<Vec<_>>());
    assert!(outcome.clauses.contains(&reference_model::rule!("R-SRE-03")));
    assert_eq!(ok(&outcome), json!({}));
    advance(&mut w, QUEUE_DELAY.0);
    assert_eq!(w.executions().filter(|(_, e)| e.state() == ExecutionState::InProgress).count(), 100);
    let too_many: Vec<Value> = (0..101).map(|i| exec_key(&format!("x{i}"))).collect();
    let e = call_err(&mut w, Operation::StartRemediationExecution, json!({"ConfigRuleName": "r", "ResourceKeys": too_many}));
    assert_eq!(e.code, ErrorCode::ValidationException);
}

#[test]
fn r_sre_04_a_second_start_for_a_running_key_is_refused() {
    let mut w = manual(2, json!({}));
    fail_everything(&mut w); // stays NON_COMPLIANT, so it can be started again later
    ok(&start(&mut w, &["b00"]));
    let before = w.clone();
    let outcome = start(&mut w, &["b00", "b01"]);
    assert!(outcome.clauses.contains(&reference_model::rule!("R-SRE-04")));
    // Preferred: the running key comes back in FailedItems, the other starts.
    assert_eq!(ok(&outcome), json!({"FailureMessage": STILL_RUNNING, "FailedItems": [exec_key("b00")]}));
    assert_eq!(state_of(&w, "r", "b01"), Some(ExecutionState::Queued));
    // Also acceptable (A-17): the whole request refused, nothing started.
    let alt = outcome.alternatives.last().unwrap();
    assert_eq!(alt.reply.error_code(), Some(ErrorCode::InvalidParameterValueException));
    assert_eq!(alt.world.as_deref(), Some(&before));
    assert_eq!((alt.provenance, alt.basis), (Level::May, "A-17"));
    assert_eq!((outcome.preferred().provenance, outcome.preferred().basis), (Level::May, "A-17"));
    assert!(exercised(&outcome, 0).contains(&"R-SRE-06"));
    assert!(!exercised(&outcome, outcome.alternatives.len() - 1).contains(&"R-SRE-06"));
    // While IN_PROGRESS it is still running; once finished it may be started again.
    advance(&mut w, QUEUE_DELAY.0 + 10);
    assert_eq!(state_of(&w, "r", "b00"), Some(ExecutionState::InProgress));
    assert_eq!(ok(&start(&mut w, &["b00"]))["FailedItems"], json!([exec_key("b00")]));
    advance(&mut w, 60_000);
    assert_eq!(state_of(&w, "r", "b00"), Some(ExecutionState::Failed));
    assert_eq!(ok(&start(&mut w, &["b00"])), json!({}));
    assert_eq!(state_of(&w, "r", "b00"), Some(ExecutionState::Queued));
}

#[test]
fn r_sre_06_compliant_resources_come_back_in_failed_items() {
    let mut w = manual(1, json!({}));
    set_compliance(&mut w, "r", "fine", ComplianceType::Compliant);
    set_compliance(&mut w, "r", "na", ComplianceType::NotApplicable);
    let outcome = start(&mut w, &["fine", "b00", "na"]);
    // Documented (the doc's own example): the only answer, and it reports the refusal.
    assert_eq!(outcome.alternatives.len(), 1);
    assert_eq!(outcome.preferred().provenance, Level::Must);
    assert!(exercised(&outcome, 0).contains(&"R-SRE-06"));
    assert_eq!(ok(&outcome), json!({"FailureMessage": ALREADY_COMPLIANT, "FailedItems": [exec_key("fine"), exec_key("na")]}));
    assert_eq!(state_of(&w, "r", "b00"), Some(ExecutionState::Queued));
    assert_eq!(state_of(&w, "r", "fine"), None);
    assert_eq!(state_of(&w, "r", "na"), None);
}

#[test]
fn r_sre_06_resources_never_evaluated_start_or_are_refused() {
    let mut w = manual(0, json!({}));
    let outcome = start(&mut w, &["new"]);
    // Preferred (A-16): the run acts on the current state, so it starts.
    assert_eq!(ok(&outcome), json!({}));
    assert_eq!(state_of(&w, "r", "new"), Some(ExecutionState::Queued));
    assert_eq!((outcome.preferred().provenance, outcome.preferred().basis), (Level::May, "A-16"));
    assert!(!exercised(&outcome, 0).contains(&"R-SRE-06"), "nothing was refused");
    // Also acceptable: refused in FailedItems, nothing started.
    assert_eq!(outcome.alternatives.len(), 2);
    let alt = &outcome.alternatives[1];
    assert!(exercised(&outcome, 1).contains(&"R-SRE-06"));
    assert_eq!(alt.reply, Reply::Success(json!({"FailureMessage": NOT_EVALUATED, "FailedItems": [exec_key("new")]})));
    assert_eq!(alt.world.as_ref().unwrap().executions().count(), 0);
}

#[test]
fn r_err_04_no_remediation_configuration() {
    let mut w = world_with_non_compliant("r", 1);
    for (op, body) in [
        (Operation::StartRemediationExecution, json!({"ConfigRuleName": "r", "ResourceKeys": [exec_key("b00")]})),
        (Operation::DescribeRemediationExecutionStatus, json!({"ConfigRuleName": "r"})),
        (Operation::DeleteRemediationConfiguration, json!({"ConfigRuleName": "r"})),
        (Operation::StartRemediationExecution, json!({"ConfigRuleName": "no-rule", "ResourceKeys": [exec_key("b00")]})),
    ] {
        let outcome = call(&mut w, op, body);
        let e = err(&outcome);
        assert_eq!(e.code, ErrorCode::NoSuchRemediationConfigurationException, "{op}");
        assert!(e.message.starts_with("No RemediationConfiguration for rule exists: "), "{}", e.message);
    }
    assert_eq!(w.executions().count(), 0);
}

#[test]
fn m_06_full_success_leaves_failed_items_out() {
    // FailedItems has a minimum of one item even as output, so a full success has neither
    // FailedItems nor FailureMessage (A-18).
    let mut w = manual(3, json!({}));
    let outcome = start(&mut w, &["b00", "b01", "b02"]);
    assert_eq!(outcome.preferred().reply, Reply::Success(json!({})));
    set_compliance(&mut w, "r", "c", ComplianceType::Compliant);
    let body = ok(&start(&mut w, &["c"]));
    assert_eq!(body["FailedItems"].as_array().unwrap().len(), 1);
}

#[test]
fn m_01_executions_use_lower_camel_keys() {
    let mut w = manual(1, json!({}));
    // The exception key shape is refused here: both members of ResourceKey are required.
    let e = call_err(&mut w, Operation::StartRemediationExecution, json!({"ConfigRuleName": "r", "ResourceKeys": [exc_key("b00")]}));
    assert_eq!(
        e.message,
        "2 validation errors detected: \
         Value null at 'resourceKeys.1.member.resourceType' failed to satisfy constraint: Member must not be null; \
         Value null at 'resourceKeys.1.member.resourceId' failed to satisfy constraint: Member must not be null"
    );
    ok(&start(&mut w, &["b00"]));
    // And the status answers with the same lower-camel key.
    assert_eq!(status(&mut w, "b00")["ResourceKey"], exec_key("b00"));
    // While the exception operations read Pascal-case keys (optional members).
    let body = call_ok(&mut w, Operation::PutRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": [exc_key("b00")]}));
    assert_eq!(body, json!({"FailedBatches": []}));
    assert_eq!(exceptions_of(&mut w, "r")[0]["ResourceId"], "b00");
}

// ------------------------------------------------------------------ DescribeRemediationExecutionStatus

#[test]
fn r_dres_01_status_details_the_execution_and_its_failed_step() {
    let mut w = manual(1, json!({}));
    fail_everything(&mut w);
    start(&mut w, &["b00"]);
    advance(&mut w, 10_000);
    let outcome = call(&mut w, Operation::DescribeRemediationExecutionStatus, json!({"ConfigRuleName": "r"}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-DRES-01")));
    let started = T0 + QUEUE_DELAY;
    assert_eq!(
        ok(&outcome),
        json!({"RemediationExecutionStatuses": [{
            "ResourceKey": exec_key("b00"),
            "State": "FAILED",
            "StepDetails": [{"Name": STEP_NAME, "State": "FAILED", "ErrorMessage": "Step fails: access denied",
                             "StartTime": secs(started), "StopTime": secs(started + RUN_TIME)}],
            "InvocationTime": secs(T0),
            "LastUpdatedTime": secs(started + RUN_TIME)
        }]})
    );
    // A failed manual run is not retried, and the resource stays NON_COMPLIANT.
    assert_eq!(compliance_of(&w, "r", "b00"), Some(ComplianceType::NonCompliant));
}

#[test]
fn r_dres_02_limit_and_next_token_page_the_statuses() {
    let mut w = manual(5, json!({}));
    start_all(&mut w, 5);
    let (p1, t1) = describe_page(&mut w, json!({"ConfigRuleName": "r", "Limit": 2}));
    let (p2, t2) = describe_page(&mut w, json!({"ConfigRuleName": "r", "Limit": 2, "NextToken": t1.unwrap()}));
    let (p3, t3) = describe_page(&mut w, json!({"ConfigRuleName": "r", "Limit": 2, "NextToken": t2.unwrap()}));
    assert_eq!((p1, p2, p3), (ids(5)[..2].to_vec(), ids(5)[2..4].to_vec(), ids(5)[4..].to_vec()));
    assert_eq!(t3, None);
    let e = call_err(&mut w, Operation::DescribeRemediationExecutionStatus, json!({"ConfigRuleName": "r", "NextToken": "0123"}));
    assert_eq!(e.code, ErrorCode::InvalidNextTokenException);
}

#[test]
fn r_dres_03_the_default_page_is_the_maximum() {
    let mut w = manual(101, json!({}));
    let all = ids(101);
    ok(&start(&mut w, &all[..100].iter().map(String::as_str).collect::<Vec<_>>()));
    ok(&start(&mut w, &[all[100].as_str()]));
    for body in [json!({"ConfigRuleName": "r"}), json!({"ConfigRuleName": "r", "Limit": 0})] {
        let outcome = call(&mut w, Operation::DescribeRemediationExecutionStatus, body.clone());
        let (page, token) = describe_page(&mut w, body);
        assert_eq!(page.len(), 100);
        assert!(token.is_some());
        assert!(outcome.clauses.contains(&reference_model::rule!("R-DRES-03")));
    }
    let (page, token) = describe_page(&mut w, json!({"ConfigRuleName": "r", "Limit": 100}));
    assert_eq!((page.len(), token.is_some()), (100, true));
}

#[test]
fn r_dres_05_resource_keys_filter_the_statuses() {
    let mut w = manual(3, json!({}));
    start_all(&mut w, 3);
    let keys = json!([exec_key("b02"), exec_key("b00"), exec_key("never-started")]);
    let outcome = call(&mut w, Operation::DescribeRemediationExecutionStatus, json!({"ConfigRuleName": "r", "ResourceKeys": keys}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-DRES-05")));
    // Sorted by resource; keys without an execution are left out (A-19).
    let (page, _) = describe_page(&mut w, json!({"ConfigRuleName": "r", "ResourceKeys": keys}));
    assert_eq!(page, vec!["b00", "b02"]);
}

#[test]
fn r_dres_06_a_status_has_key_state_steps_and_times() {
    let mut w = manual(1, json!({}));
    advance(&mut w, 5_000);
    start(&mut w, &["b00"]);
    let invoked = w.now();
    advance(&mut w, 60_000);
    let s = status(&mut w, "b00");
    let members: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(members, vec!["ResourceKey", "State", "StepDetails", "InvocationTime", "LastUpdatedTime"]);
    assert_eq!(s["ResourceKey"], json!({"resourceType": BUCKET, "resourceId": "b00"}));
    assert_eq!(s["InvocationTime"], json!(secs(invoked)));
    // Last updated when it finished, not when it was asked.
    assert_eq!(s["LastUpdatedTime"], json!(secs(invoked + QUEUE_DELAY + RUN_TIME)));
}

#[test]
fn r_dres_07_states_only_move_forward() {
    let mut w = manual(3, json!({}));
    w.control(&Control::ScriptSsm { rule: "r".into(), resource_type: BUCKET.into(), resource_id: "b01".into(), outcomes: vec![SsmRun::Fail { message: "no".into() }] }, T0);
    start_all(&mut w, 3);
    let mut last: Vec<ExecutionState> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..40 {
        let now: Vec<ExecutionState> = states_by_id(&mut w, "r")
            .iter()
            .map(|(_, s)| ExecutionState::parse(s).unwrap_or_else(|| panic!("unknown state {s}")))
            .collect();
        for (before, after) in last.iter().zip(&now) {
            assert!(before.can_reach(*after), "{before:?} -> {after:?}");
        }
        seen.extend(now.iter().copied());
        last = now;
        advance(&mut w, 250);
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        vec![ExecutionState::Queued, ExecutionState::InProgress, ExecutionState::Succeeded, ExecutionState::Failed]
    );
    assert_eq!(last, vec![ExecutionState::Succeeded, ExecutionState::Failed, ExecutionState::Succeeded]);
}

#[test]
fn r_dres_08_steps_carry_name_state_error_and_times() {
    let mut w = manual(2, json!({"ExecutionControls": {"SsmControls": {"ConcurrentExecutionRatePercentage": 100}}}));
    w.control(&Control::ScriptSsm { rule: "r".into(), resource_type: BUCKET.into(), resource_id: "b01".into(), outcomes: vec![SsmRun::Fail { message: "denied".into() }] }, T0);
    start_all(&mut w, 2);
    advance(&mut w, 10_000);
    let ok_step = &status(&mut w, "b00")["StepDetails"][0];
    let failed_step = &status(&mut w, "b01")["StepDetails"][0];
    assert_eq!(ok_step.get("ErrorMessage"), None, "only an interrupted step has an error message");
    assert_eq!(failed_step["ErrorMessage"], "denied");
    for step in [ok_step, failed_step] {
        assert_eq!(step["Name"], STEP_NAME);
        assert!(step["StartTime"].as_i64().unwrap() < step["StopTime"].as_i64().unwrap());
    }
}

#[test]
fn r_dres_09_step_states_come_from_the_step_enum() {
    const STEP_STATES: [&str; 6] = ["SUCCEEDED", "PENDING", "FAILED", "IN_PROGRESS", "EXITED", "UNKNOWN"];
    let mut w = manual(6, json!({"ExecutionControls": {"SsmControls": {"ConcurrentExecutionRatePercentage": 50, "ErrorPercentage": 10}}}));
    fail_everything(&mut w);
    start_all(&mut w, 6);
    let mut step_states = std::collections::BTreeSet::new();
    for _ in 0..20 {
        for s in statuses(&mut w, "r") {
            for step in s["StepDetails"].as_array().unwrap() {
                let state = step["State"].as_str().unwrap().to_owned();
                assert!(STEP_STATES.contains(&state.as_str()), "{state}");
                step_states.insert(state);
            }
            if s["State"] == "QUEUED" {
                assert_eq!(s["StepDetails"], json!([]), "a queued execution has no step yet");
            }
        }
        advance(&mut w, 500);
    }
    assert!(step_states.contains("IN_PROGRESS") && step_states.contains("FAILED"), "{step_states:?}");
    assert!(!step_states.contains("QUEUED"));
}

#[test]
fn r_dres_10_the_paginator_walks_every_status_once() {
    let mut w = manual(10, json!({}));
    start_all(&mut w, 10);
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"ConfigRuleName": "r", "Limit": 3});
        if let Some(t) = &token {
            body["NextToken"] = json!(t);
        }
        let (page, next) = describe_page(&mut w, body);
        seen.extend(page);
        match next {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert_eq!(seen, ids(10));
}
