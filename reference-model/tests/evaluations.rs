//! PutEvaluations: how compliance gets into the world (rules PE), with ResultTokens handed out
//! by `Control::IssueResultToken` as Config hands them to a rule's Lambda function.

mod common;

use common::*;
use reference_model::{ComplianceType, ErrorCode, Level, Operation, Outcome, Reply, World};
use serde_json::{json, Value};

fn evaluation(id: &str, compliance: &str, ordering: i64) -> Value {
    json!({"ComplianceResourceType": BUCKET, "ComplianceResourceId": id, "ComplianceType": compliance, "OrderingTimestamp": ordering})
}

fn put_evaluations(world: &mut World, token: &str, evaluations: Vec<Value>) -> Outcome {
    call(world, Operation::PutEvaluations, json!({"Evaluations": evaluations, "ResultToken": token}))
}

fn results(world: &mut World, rule: &str) -> Vec<Value> {
    let body = call_ok(world, Operation::GetComplianceDetailsByConfigRule, json!({"ConfigRuleName": rule, "Limit": 100}));
    body["EvaluationResults"].as_array().unwrap().clone()
}

fn result_types(world: &mut World, rule: &str) -> Vec<(String, String)> {
    results(world, rule)
        .iter()
        .map(|r| {
            (
                r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"].as_str().unwrap().to_owned(),
                r["ComplianceType"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

const TS: i64 = 1_767_225_000;

#[test]
fn r_pe_01_put_evaluations_delivers_results_to_config() {
    let mut w = world_with_rule("r");
    let t = token(&mut w, "r");
    let outcome = put_evaluations(
        &mut w,
        &t,
        vec![evaluation("a", "COMPLIANT", TS), evaluation("b", "NON_COMPLIANT", TS), evaluation("c", "NOT_APPLICABLE", TS)],
    );
    assert_eq!(outcome.preferred().reply, Reply::Success(json!({"FailedEvaluations": []})));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PE-01")));
    assert_eq!(
        result_types(&mut w, "r"),
        vec![("a".into(), "COMPLIANT".into()), ("b".into(), "NON_COMPLIANT".into()), ("c".into(), "NOT_APPLICABLE".into())]
    );
}

#[test]
fn r_pe_01_evaluations_set_the_compliance_exceptions_and_executions_read() {
    let mut w = world_with_rule("r");
    put_configs(&mut w, vec![config("r", json!({}))]);
    let t = token(&mut w, "r");
    ok(&put_evaluations(&mut w, &t, vec![evaluation("bad", "NON_COMPLIANT", TS), evaluation("good", "COMPLIANT", TS)]));
    // An exception is possible only for the NON_COMPLIANT one …
    let body = call_ok(&mut w, Operation::PutRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": [exc_key("bad"), exc_key("good")]}));
    assert_eq!(body["FailedBatches"][0]["FailedItems"][0]["ResourceId"], "good");
    // … and the compliant one is refused by StartRemediationExecution.
    let body = call_ok(&mut w, Operation::StartRemediationExecution, json!({"ConfigRuleName": "r", "ResourceKeys": [exec_key("good"), exec_key("bad")]}));
    assert_eq!(body, json!({"FailureMessage": "The resource is already compliant.", "FailedItems": [exec_key("good")]}));
}

#[test]
fn r_pe_01_evaluations_trigger_automatic_remediation() {
    let mut w = world_with_rule("r");
    put_configs(&mut w, vec![auto_config("r", json!({}))]);
    let t = token(&mut w, "r");
    ok(&put_evaluations(&mut w, &t, vec![evaluation("b", "NON_COMPLIANT", TS)]));
    assert!(state_of(&w, "r", "b").is_some());
}

#[test]
fn r_pe_02_the_evaluations_member_is_optional_and_holds_up_to_100() {
    let mut w = world_with_rule("r");
    let t = token(&mut w, "r");
    let before = w.clone();
    assert_eq!(call_ok(&mut w, Operation::PutEvaluations, json!({"ResultToken": t})), json!({"FailedEvaluations": []}));
    assert_eq!(ok(&put_evaluations(&mut w, &t, vec![])), json!({"FailedEvaluations": []}));
    assert_eq!(w, before);
    let hundred: Vec<Value> = (0..100).map(|i| evaluation(&format!("b{i:03}"), "NON_COMPLIANT", TS)).collect();
    let outcome = put_evaluations(&mut w, &t, hundred);
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PE-02")));
    assert_eq!(results(&mut w, "r").len(), 100);
}

#[test]
fn r_pe_03_the_result_token_names_the_rule() {
    let mut w = world_with_rule("a");
    put_rule(&mut w, "b");
    let ta = token(&mut w, "a");
    let tb = token(&mut w, "b");
    assert_ne!(ta, tb);
    ok(&put_evaluations(&mut w, &ta, vec![evaluation("x", "NON_COMPLIANT", TS)]));
    ok(&put_evaluations(&mut w, &tb, vec![evaluation("x", "COMPLIANT", TS)]));
    assert_eq!(compliance_of(&w, "a", "x"), Some(ComplianceType::NonCompliant));
    assert_eq!(compliance_of(&w, "b", "x"), Some(ComplianceType::Compliant));
    // A token Config did not issue is refused and nothing is stored.
    let before = w.clone();
    let outcome = put_evaluations(&mut w, "eyJlbmNyeXB0ZWREYXRh", vec![evaluation("y", "NON_COMPLIANT", TS)]);
    assert_eq!(err(&outcome).code, ErrorCode::InvalidResultTokenException);
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PE-03")));
    assert_eq!(w, before);
}

#[test]
fn r_err_10_invalid_result_token() {
    let mut w = world_with_rule("r");
    for bogus in ["", "rt-", "x"] {
        let e = err(&put_evaluations(&mut w, bogus, vec![]));
        assert_eq!(e.code, ErrorCode::InvalidResultTokenException, "{bogus:?}");
        assert_eq!(e.message, "The specified ResultToken is invalid.");
    }
}

#[test]
fn r_pe_04_test_mode_stores_nothing() {
    let mut w = world_with_rule("r");
    put_configs(&mut w, vec![auto_config("r", json!({}))]);
    let t = token(&mut w, "r");
    let before = w.clone();
    let outcome = call(
        &mut w,
        Operation::PutEvaluations,
        json!({"Evaluations": [evaluation("b", "NON_COMPLIANT", TS)], "ResultToken": t, "TestMode": true}),
    );
    assert_eq!(ok(&outcome), json!({"FailedEvaluations": []}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PE-04")));
    assert_eq!(w, before, "a dry run changed the world");
    assert!(results(&mut w, "r").is_empty());
    // TestMode false is an ordinary call.
    ok(&call(&mut w, Operation::PutEvaluations, json!({"Evaluations": [evaluation("b", "COMPLIANT", TS)], "ResultToken": t, "TestMode": false})));
    assert_eq!(results(&mut w, "r").len(), 1);
}

#[test]
fn r_pe_05_test_mode_needs_a_token_but_not_a_valid_one() {
    let mut w = world();
    let outcome = call(&mut w, Operation::PutEvaluations, json!({"Evaluations": [evaluation("b", "NON_COMPLIANT", TS)], "ResultToken": "anything", "TestMode": true}));
    assert_eq!(ok(&outcome), json!({"FailedEvaluations": []}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PE-05")));
    for body in [json!({"TestMode": true}), json!({"TestMode": true, "ResultToken": null})] {
        let e = call_err(&mut w, Operation::PutEvaluations, body);
        assert_eq!(
            e.message,
            "1 validation error detected: Value null at 'resultToken' failed to satisfy constraint: Member must not be null"
        );
    }
}

#[test]
fn r_pe_06_insufficient_data_is_refused() {
    let mut w = world_with_rule("r");
    let t = token(&mut w, "r");
    let before = w.clone();
    let refused = evaluation("unsure", "INSUFFICIENT_DATA", TS);
    let outcome = put_evaluations(&mut w, &t, vec![evaluation("bad", "NON_COMPLIANT", TS), refused.clone()]);
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PE-06")));
    assert_eq!(outcome.preferred().basis, "A-20");
    // Preferred: the whole call is refused, nothing stored.
    assert_eq!(err(&outcome).code, ErrorCode::InvalidParameterValueException);
    assert_eq!(w, before);
    // Also acceptable (A-20): the INSUFFICIENT_DATA one comes back in FailedEvaluations, the
    // others are stored.
    assert_eq!(outcome.alternatives.len(), 2);
    let alt = &outcome.alternatives[1];
    assert_eq!(alt.provenance, Level::May);
    assert_eq!(alt.reply, Reply::Success(json!({"FailedEvaluations": [refused]})));
    let alt_world = alt.world.as_deref().expect("the partial success stores the rest");
    assert_eq!(compliance_of(alt_world, "r", "bad"), Some(ComplianceType::NonCompliant));
    assert_eq!(compliance_of(alt_world, "r", "unsure"), None);
}

#[test]
fn r_pe_07_the_ordering_timestamp_orders_the_results() {
    let mut w = world_with_rule("r");
    let t = token(&mut w, "r");
    ok(&put_evaluations(&mut w, &t, vec![evaluation("b", "NON_COMPLIANT", TS)]));
    assert_eq!(results(&mut w, "r")[0]["EvaluationResultIdentifier"]["OrderingTimestamp"], json!(TS));
    // An older event does not replace a newer result (A-21) …
    ok(&put_evaluations(&mut w, &t, vec![evaluation("b", "COMPLIANT", TS - 60)]));
    assert_eq!(compliance_of(&w, "r", "b"), Some(ComplianceType::NonCompliant));
    // … a newer (or equally new) one does; fractions of seconds are kept.
    ok(&put_evaluations(&mut w, &t, vec![evaluation("b", "COMPLIANT", TS)]));
    assert_eq!(compliance_of(&w, "r", "b"), Some(ComplianceType::Compliant));
    ok(&call(&mut w, Operation::PutEvaluations, json!({"Evaluations": [{"ComplianceResourceType": BUCKET, "ComplianceResourceId": "b", "ComplianceType": "NON_COMPLIANT", "OrderingTimestamp": TS as f64 + 0.5}], "ResultToken": t})));
    assert_eq!(results(&mut w, "r")[0]["EvaluationResultIdentifier"]["OrderingTimestamp"], json!(TS as f64 + 0.5));
    assert_eq!(compliance_of(&w, "r", "b"), Some(ComplianceType::NonCompliant));
}

#[test]
fn r_pe_08_the_annotation_is_kept() {
    let mut w = world_with_rule("r");
    let t = token(&mut w, "r");
    let mut annotated = evaluation("a", "NON_COMPLIANT", TS);
    annotated["Annotation"] = json!("x".repeat(256));
    ok(&put_evaluations(&mut w, &t, vec![annotated, evaluation("b", "COMPLIANT", TS)]));
    let r = results(&mut w, "r");
    assert_eq!(r[0]["Annotation"], json!("x".repeat(256)));
    assert_eq!(r[1].get("Annotation"), None, "an annotation was invented");
}

#[test]
fn r_pe_09_the_resource_type_is_a_free_string() {
    let mut w = world_with_rule("r");
    let t = token(&mut w, "r");
    let outcome = call(
        &mut w,
        Operation::PutEvaluations,
        json!({"Evaluations": [
            {"ComplianceResourceType": "AWS::::Account", "ComplianceResourceId": "123456789012", "ComplianceType": "NON_COMPLIANT", "OrderingTimestamp": TS},
            {"ComplianceResourceType": "Custom::Thing", "ComplianceResourceId": "i".repeat(768), "ComplianceType": "COMPLIANT", "OrderingTimestamp": TS}
        ], "ResultToken": t}),
    );
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PE-09")));
    ok(&outcome);
    let types: Vec<Value> = results(&mut w, "r")
        .iter()
        .map(|r| r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceType"].clone())
        .collect();
    assert_eq!(types, vec![json!("AWS::::Account"), json!("Custom::Thing")]);
}

#[test]
fn r_pe_11_rejected_evaluations_come_back_in_failed_evaluations() {
    let mut w = world_with_rule("r");
    let t = token(&mut w, "r");
    let refused: Vec<Value> = ["p", "q"].iter().map(|i| evaluation(i, "INSUFFICIENT_DATA", TS)).collect();
    let outcome = put_evaluations(&mut w, &t, refused.clone());
    assert_eq!(outcome.alternatives[1].reply, Reply::Success(json!({"FailedEvaluations": refused})));
    // Only the answer that lists them exercises R-PE-11; both refuse (R-PE-06).
    assert!(exercised(&outcome, 1).contains(&"R-PE-11"));
    assert!(!exercised(&outcome, 0).contains(&"R-PE-11"));
    assert!(exercised(&outcome, 0).contains(&"R-PE-06") && exercised(&outcome, 1).contains(&"R-PE-06"));
}

/// A-20 under TestMode: a dry run may refuse INSUFFICIENT_DATA as a real call does (preferred,
/// as a whole or listed), or accept it silently; nothing is stored either way (R-PE-04).
#[test]
fn r_pe_04_test_mode_with_insufficient_data() {
    let mut w = world_with_rule("r");
    let before = w.clone();
    let unsure = evaluation("unsure", "INSUFFICIENT_DATA", TS);
    let outcome = call(
        &mut w,
        Operation::PutEvaluations,
        json!({"Evaluations": [evaluation("b", "NON_COMPLIANT", TS), unsure.clone()], "ResultToken": "anything", "TestMode": true}),
    );
    assert_eq!(err(&outcome).code, ErrorCode::InvalidParameterValueException);
    let (listed, silent) = (&outcome.alternatives[1], &outcome.alternatives[2]);
    assert_eq!(listed.reply, Reply::Success(json!({"FailedEvaluations": [unsure]})));
    assert_eq!(silent.reply, Reply::Success(json!({"FailedEvaluations": []})));
    assert_eq!(outcome.alternatives.len(), 3);
    for (i, alt) in outcome.alternatives.iter().enumerate() {
        assert_eq!((alt.provenance, alt.basis), (Level::May, "A-20"), "alternative {i}");
        assert!(alt.world.is_none(), "a dry run stored something");
        assert!(exercised(&outcome, i).contains(&"R-PE-04"));
        // The silent answer does not exercise the refusal of INSUFFICIENT_DATA.
        assert_eq!(exercised(&outcome, i).contains(&"R-PE-06"), i < 2, "alternative {i}");
    }
    assert_eq!(w, before);
}

/// A-21: an evaluation older than the stored one is ignored (preferred) or stored; both
/// answers are the same body, so only the state tells them apart.
#[test]
fn r_pe_07_an_older_evaluation_is_ignored_or_stored() {
    let mut w = world_with_rule("r");
    let t = token(&mut w, "r");
    ok(&put_evaluations(&mut w, &t, vec![evaluation("b", "NON_COMPLIANT", TS)]));
    let outcome = put_evaluations(&mut w, &t, vec![evaluation("b", "COMPLIANT", TS - 60), evaluation("c", "COMPLIANT", TS)]);
    assert_eq!(outcome.alternatives.len(), 2);
    for alt in &outcome.alternatives {
        assert_eq!((alt.provenance, alt.basis), (Level::May, "A-21"));
        assert_eq!(alt.reply, Reply::Success(json!({"FailedEvaluations": []})));
    }
    assert_eq!(compliance_of(&w, "r", "b"), Some(ComplianceType::NonCompliant));
    let stored = outcome.alternatives[1].world.as_deref().expect("the older one stored is another state");
    assert_eq!(compliance_of(stored, "r", "b"), Some(ComplianceType::Compliant));
    // The newer evaluation of the same call is stored in both.
    assert_eq!(compliance_of(&w, "r", "c"), Some(ComplianceType::Compliant));
    assert_eq!(compliance_of(stored, "r", "c"), Some(ComplianceType::Compliant));
    // Older within one call counts too; an evaluation as new as the stored one has no choice.
    let outcome = put_evaluations(&mut w, &t, vec![evaluation("d", "COMPLIANT", TS), evaluation("d", "NON_COMPLIANT", TS - 1)]);
    assert_eq!(outcome.alternatives.len(), 2);
    assert_eq!(put_evaluations(&mut w, &t, vec![evaluation("b", "COMPLIANT", TS)]).alternatives.len(), 1);
}

#[test]
fn r_err_03_evaluations_for_a_deleted_rule() {
    let mut w = world_with_rule("r");
    let t = token(&mut w, "r");
    call_ok(&mut w, Operation::DeleteConfigRule, json!({"ConfigRuleName": "r"}));
    let outcome = put_evaluations(&mut w, &t, vec![evaluation("b", "NON_COMPLIANT", TS)]);
    let e = err(&outcome);
    assert_eq!(e.code, ErrorCode::NoSuchConfigRuleException);
    assert_eq!(e.message, "The ConfigRule 'r' provided in the request is invalid. Please check the configRule name.");
    // A rule of the same name created again does not revive the old token's results.
    put_rule(&mut w, "r");
    assert!(results(&mut w, "r").is_empty());
}

#[test]
fn r_pe_10_a_token_of_a_deleted_rule_does_not_write_into_a_new_rule_of_the_same_name() {
    let mut w = world_with_rule("r");
    let old_token = token(&mut w, "r");
    call_ok(&mut w, Operation::DeleteConfigRule, json!({"ConfigRuleName": "r"}));
    put_rule(&mut w, "r");
    let e = call_err(
        &mut w,
        Operation::PutEvaluations,
        json!({"ResultToken": old_token, "Evaluations": [{"ComplianceResourceType": BUCKET, "ComplianceResourceId": "b",
               "ComplianceType": "NON_COMPLIANT", "OrderingTimestamp": 1767225600}]}),
    );
    assert_eq!(e.code, ErrorCode::NoSuchConfigRuleException);
    assert_eq!(compliance_of(&w, "r", "b"), None);
}
