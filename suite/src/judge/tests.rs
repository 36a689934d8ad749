//! Hand-made answers against hand-made outcomes: every way the judge can rule on one answer.

use super::*;
use crate::profile::TargetProfile;
use reference_model::{Alternative, ErrorCode};
use rstest::rstest;
use serde_json::{json, Value};

const RC_ARN: &str = "arn:aws:config:us-east-1:123456789012:remediation-configuration/r/0f8fad5b-d9cb-469f-a165-70867728950e";

fn answer(status: u16, body: Value) -> Observed {
    Observed {
        status,
        headers: vec![
            ("content-type".into(), "application/x-amz-json-1.1".into()),
            ("x-amzn-requestid".into(), "3f1b2c4d-0000-4000-8000-000000000001".into()),
        ],
        body: body.to_string().into_bytes(),
    }
}

fn error(code: &str, message: &str) -> Observed {
    answer(400, json!({"__type": code, "message": message}))
}

fn verdict_with(op: Operation, clock_shared: bool, outcome: &Outcome, observed: &Observed) -> Judgement {
    let profile = TargetProfile::builtin("generic").expect("a built-in profile");
    Judge { op, profile: &profile, clock_shared }.judge(outcome, observed, &mut Identities::default())
}

fn verdict(op: Operation, outcome: &Outcome, observed: &Observed) -> Verdict {
    verdict_with(op, false, outcome, observed).verdict
}

fn validation() -> Outcome {
    Outcome::new(
        Alternative::error(ErrorCode::ValidationException, "1 validation error detected").code_level(Level::Should),
    )
}

fn no_such_rule() -> Outcome {
    Outcome::err(ErrorCode::NoSuchConfigRuleException, "The rule does not exist.")
}

#[rstest]
#[case::same_code(error("ValidationException", "1 validation error detected"), Verdict::Pass)]
#[case::namespaced_code(error("com.amazonaws.starlingdove#ValidationException", "1 validation error detected"), Verdict::Pass)]
#[case::code_with_a_url_suffix(error("com.amazonaws.config#ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/", "1 validation error detected"), Verdict::Pass)]
#[case::message_reworded(error("ValidationException", "bad input"), Verdict::NonStrict)]
#[case::known_variant(error("InvalidParameterValueException", "1 validation error detected"), Verdict::NonStrict)]
#[case::declared_elsewhere(error("NoSuchConfigRuleException", "1 validation error detected"), Verdict::Fail)]
#[case::declared_here(error("InvalidNextTokenException", "1 validation error detected"), Verdict::Fail)]
#[case::not_declared(error("ResourceNotFoundException", "1 validation error detected"), Verdict::Fail)]
#[case::status_404(answer(404, json!({"__type": "ValidationException", "message": "1 validation error detected"})), Verdict::Fail)]
#[case::status_500(answer(500, json!({"__type": "ValidationException"})), Verdict::Error)]
#[case::answered_200(answer(200, json!({"__type": "ValidationException"})), Verdict::Fail)]
#[case::throttled(error("ThrottlingException", "Rate exceeded"), Verdict::Error)]
#[case::credentials_refused(error("UnrecognizedClientException", "The security token is invalid"), Verdict::Error)]
fn error_codes_are_judged_by_the_operations_error_set(#[case] observed: Observed, #[case] expected: Verdict) {
    assert_eq!(verdict(Operation::DescribeRemediationExceptions, &validation(), &observed), expected);
}

#[test]
fn a_code_the_operation_does_not_declare_is_named_in_the_note() {
    let j = verdict_with(Operation::PutRemediationExceptions, false, &no_such_rule(), &error("NotFoundException", "x"));
    assert_eq!(j.verdict, Verdict::Fail);
    assert!(j.note.as_deref().is_some_and(|n| n.contains("NotFoundException is neither")), "{:?}", j.note);
}

fn failed_batch(message: &str, items: Value) -> Value {
    json!({"FailedBatches": [{"FailureMessage": message, "FailedItems": items}]})
}

#[rstest]
#[case::same(failed_batch("Not NON_COMPLIANT.", json!([{"ConfigRuleName": "r", "ResourceType": "T", "ResourceId": "a", "Message": "m"}])), Verdict::Pass)]
#[case::reworded(failed_batch("Resource is compliant", json!([{"ConfigRuleName": "r", "ResourceType": "T", "ResourceId": "a", "Message": "m"}])), Verdict::NonStrict)]
#[case::message_not_a_string(json!({"FailedBatches": [{"FailureMessage": 3, "FailedItems": [{"ConfigRuleName": "r", "ResourceType": "T", "ResourceId": "a", "Message": "m"}]}]}), Verdict::Fail)]
#[case::caller_message_changed(failed_batch("Not NON_COMPLIANT.", json!([{"ConfigRuleName": "r", "ResourceType": "T", "ResourceId": "a", "Message": "other"}])), Verdict::Fail)]
#[case::item_dropped(failed_batch("Not NON_COMPLIANT.", json!([])), Verdict::Fail)]
#[case::nothing_reported(json!({"FailedBatches": []}), Verdict::Fail)]
fn service_text_is_never_must_and_stored_values_are(#[case] body: Value, #[case] expected: Verdict) {
    let outcome = Outcome::ok(failed_batch("Not NON_COMPLIANT.", json!([{"ConfigRuleName": "r", "ResourceType": "T", "ResourceId": "a", "Message": "m"}])));
    assert_eq!(verdict(Operation::PutRemediationExceptions, &outcome, &answer(200, body)), expected);
}

fn configuration(arn: &str) -> Value {
    json!({"RemediationConfigurations": [{"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "d", "Arn": arn}]})
}

#[rstest]
#[case::same(RC_ARN, Verdict::Pass)]
#[case::other_account_and_region("arn:aws:config:eu-west-1:000000000000:remediation-configuration/r/a5e5f48d-45e5-4e1b-bf6e-9af5d222ad38", Verdict::Pass)]
#[case::id_not_a_uuid("arn:aws:config:us-east-1:123456789012:remediation-configuration/r/17", Verdict::NonStrict)]
#[case::other_rule("arn:aws:config:us-east-1:123456789012:remediation-configuration/q/0f8fad5b-d9cb-469f-a165-70867728950e", Verdict::Fail)]
#[case::malformed("arn:aws:config:us-east-1:remediation-configuration/r", Verdict::Fail)]
#[case::not_an_arn("0f8fad5b-d9cb-469f-a165-70867728950e", Verdict::Fail)]
fn generated_arns_are_checked_for_their_structure(#[case] arn: &str, #[case] expected: Verdict) {
    let outcome = Outcome::ok(configuration(RC_ARN));
    assert_eq!(verdict(Operation::DescribeRemediationConfigurations, &outcome, &answer(200, configuration(arn))), expected);
}

#[test]
fn every_arn_of_a_scenario_keeps_its_account() {
    let profile = TargetProfile::builtin("generic").expect("a built-in profile");
    let judge = Judge { op: Operation::DescribeRemediationConfigurations, profile: &profile, clock_shared: false };
    let mut identities = Identities::default();
    let first = "arn:aws:config:us-east-1:000000000000:remediation-configuration/r/a5e5f48d-45e5-4e1b-bf6e-9af5d222ad38";
    assert_eq!(judge.judge(&Outcome::ok(configuration(RC_ARN)), &answer(200, configuration(first)), &mut identities).verdict, Verdict::Pass);
    let other_rule_arn = "arn:aws:config:us-east-1:123456789012:remediation-configuration/q/1f8fad5b-d9cb-469f-a165-70867728950e";
    let model_arn = "arn:aws:config:us-east-1:123456789012:remediation-configuration/q/2f8fad5b-d9cb-469f-a165-70867728950e";
    let another_account = json!({"RemediationConfigurations": [{"ConfigRuleName": "q", "TargetType": "SSM_DOCUMENT", "TargetId": "d", "Arn": other_rule_arn}]});
    let expected = json!({"RemediationConfigurations": [{"ConfigRuleName": "q", "TargetType": "SSM_DOCUMENT", "TargetId": "d", "Arn": model_arn}]});
    let j = judge.judge(&Outcome::ok(expected), &answer(200, another_account), &mut identities);
    assert_eq!(j.verdict, Verdict::Fail, "{:#?}", j.differences);
}

/// A-50: an unboxed member the model leaves absent may come back as its zero value, and only as
/// that; a boxed member (M-04) or a stored value may not appear from nowhere.
#[rstest]
#[case::as_stored(None, Verdict::Pass)]
#[case::unboxed_false(Some(("Automatic", json!(false))), Verdict::NonStrict)]
#[case::unboxed_true(Some(("Automatic", json!(true))), Verdict::Fail)]
#[case::boxed_default(Some(("MaximumAutomaticAttempts", json!(5))), Verdict::Fail)]
#[case::boxed_zero(Some(("RetryAttemptSeconds", json!(0))), Verdict::Fail)]
fn an_unboxed_zero_value_may_stand_for_an_absent_member(#[case] extra: Option<(&str, Value)>, #[case] expected: Verdict) {
    let outcome = Outcome::ok(configuration(RC_ARN));
    let mut body = configuration(RC_ARN);
    if let Some((member, value)) = extra {
        body["RemediationConfigurations"][0][member] = value;
    }
    assert_eq!(verdict(Operation::DescribeRemediationConfigurations, &outcome, &answer(200, body)), expected);
}

/// A-51: after a put replaced a configuration, its Arn may change once, then holds; it may
/// never take an Arn already given for something else.
#[test]
fn a_replaced_configuration_may_get_a_new_arn_once() {
    const NEW: &str = "arn:aws:config:us-east-1:123456789012:remediation-configuration/r/1b4e28ba-2fa1-11d2-883f-0016d3cca427";
    const OTHER: &str = "arn:aws:config:us-east-1:123456789012:remediation-configuration/r/6fa459ea-ee8a-3ca4-894e-db77e160355e";
    let op = Operation::DescribeRemediationConfigurations;
    let outcome = Outcome::ok(configuration(RC_ARN));
    let profile = TargetProfile::builtin("generic").expect("a built-in profile");
    let judge = Judge { op, profile: &profile, clock_shared: false };
    let mut ids = Identities::default();
    let read = |ids: &mut Identities, arn: &str| judge.judge(&outcome, &answer(200, configuration(arn)), ids).verdict;
    assert_eq!(read(&mut ids, RC_ARN), Verdict::Pass);
    assert_eq!(read(&mut ids, NEW), Verdict::Fail, "no put in between: the Arn must hold");
    ids.renew(RC_ARN);
    assert_eq!(read(&mut ids, NEW), Verdict::NonStrict, "after a put, a new Arn is a MAY difference");
    assert_eq!(read(&mut ids, NEW), Verdict::Pass, "and it holds from then on");
    assert_eq!(read(&mut ids, OTHER), Verdict::Fail);
    ids.renew(RC_ARN);
    assert_eq!(read(&mut ids, NEW), Verdict::Pass, "keeping the Arn after a put is the model's own answer");
}

/// "Not implemented" means UNIMPLEMENTED only for an operation the service has; for a call
/// naming one it does not have, it is an answer, and a wrong one (S-12).
#[rstest]
#[case::real_operation_lacking(false, 501, Verdict::Unimplemented)]
#[case::unknown_operation_501(true, 501, Verdict::Fail)]
#[case::unknown_operation_400(true, 400, Verdict::Fail)]
fn not_implemented_is_unimplemented_only_for_real_operations(#[case] unknown: bool, #[case] status: u16, #[case] expected: Verdict) {
    let outcome = if unknown {
        Outcome::new(Alternative::error(ErrorCode::UnknownOperationException, ""))
    } else {
        Outcome::ok(json!({"FailedBatches": []}))
    };
    let observed = answer(status, json!({"__type": "InvalidAction", "message": "action DescribeEverything not implemented for service config"}));
    assert_eq!(verdict(Operation::PutRemediationConfigurations, &outcome, &observed), expected);
}

fn statuses(status: Value) -> Value {
    json!({"RemediationExecutionStatuses": [status]})
}

fn model_status() -> Value {
    json!({
        "ResourceKey": {"resourceType": "AWS::S3::Bucket", "resourceId": "b"},
        "State": "IN_PROGRESS",
        "StepDetails": [{"Name": "step1", "State": "PENDING", "StartTime": 1767225601}],
        "InvocationTime": 1767225600,
        "LastUpdatedTime": 1767225601
    })
}

fn with(mut base: Value, member: &str, value: Value) -> Value {
    base[member] = value;
    base
}

#[rstest]
#[case::as_modelled(model_status(), Verdict::Pass)]
#[case::another_reachable_state(with(model_status(), "State", json!("SUCCEEDED")), Verdict::Pass)]
#[case::other_steps(with(model_status(), "StepDetails", json!([{"Name": "a", "State": "SUCCEEDED", "StartTime": 1, "StopTime": 2}])), Verdict::Pass)]
#[case::state_not_a_string(with(model_status(), "State", json!([])), Verdict::Fail)]
#[case::state_not_in_the_enum(with(model_status(), "State", json!("RUNNING")), Verdict::Fail)]
#[case::steps_not_a_list(with(model_status(), "StepDetails", json!("FAILED")), Verdict::Fail)]
#[case::step_of_wrong_types(with(model_status(), "StepDetails", json!([{"Name": 1, "State": "DONE"}])), Verdict::Fail)]
#[case::step_stops_before_it_starts(with(model_status(), "StepDetails", json!([{"Name": "a", "State": "SUCCEEDED", "StartTime": 5, "StopTime": 4}])), Verdict::Fail)]
#[case::negative_time(with(model_status(), "InvocationTime", json!(-1)), Verdict::Fail)]
#[case::time_as_text(with(model_status(), "InvocationTime", json!("now")), Verdict::Fail)]
#[case::updated_before_invoked(with(model_status(), "LastUpdatedTime", json!(1767225599)), Verdict::Fail)]
fn execution_statuses_are_checked_without_a_shared_clock(#[case] status: Value, #[case] expected: Verdict) {
    let outcome = Outcome::ok(statuses(model_status()));
    assert_eq!(verdict(Operation::DescribeRemediationExecutionStatus, &outcome, &answer(200, statuses(status))), expected);
}

#[test]
fn with_a_shared_clock_execution_statuses_are_exact() {
    let outcome = Outcome::ok(statuses(model_status()));
    let other = answer(200, statuses(with(model_status(), "State", json!("SUCCEEDED"))));
    assert_eq!(verdict_with(Operation::DescribeRemediationExecutionStatus, true, &outcome, &other).verdict, Verdict::Fail);
}

fn rule(modes: Option<Value>) -> Value {
    let mut rule = json!({
        "ConfigRuleName": "r",
        "ConfigRuleArn": "arn:aws:config:us-east-1:123456789012:config-rule/config-rule-ab12cd",
        "ConfigRuleId": "config-rule-ab12cd",
        "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"},
        "ConfigRuleState": "ACTIVE"
    });
    if let Some(modes) = modes {
        rule["EvaluationModes"] = modes;
    }
    json!({"ConfigRules": [rule]})
}

#[rstest]
#[case::default_dropped(json!([{"Mode": "DETECTIVE"}]), Verdict::NonStrict)]
#[case::sent_value_dropped(json!([{"Mode": "PROACTIVE"}]), Verdict::Fail)]
fn an_observed_default_may_be_left_out_but_a_stored_value_may_not(#[case] modes: Value, #[case] expected: Verdict) {
    let outcome = Outcome::ok(rule(Some(modes)));
    assert_eq!(verdict(Operation::DescribeConfigRules, &outcome, &answer(200, rule(None))), expected);
}

#[rstest]
#[case::same_order(json!(["a", "b"]), Verdict::Pass)]
#[case::other_order(json!(["b", "a"]), Verdict::Pass)]
#[case::one_missing(json!(["b"]), Verdict::Fail)]
#[case::one_twice(json!(["a", "a", "b"]), Verdict::Fail)]
fn undocumented_orders_compare_as_sets(#[case] ids: Value, #[case] expected: Verdict) {
    let item = |id: &Value| json!({"ConfigRuleName": "r", "ResourceType": "T", "ResourceId": id});
    let list = |ids: &Value| json!({"RemediationExceptions": ids.as_array().unwrap().iter().map(item).collect::<Vec<_>>()});
    let outcome = Outcome::ok(list(&json!(["a", "b"])));
    assert_eq!(verdict(Operation::DescribeRemediationExceptions, &outcome, &answer(200, list(&ids))), expected);
}

#[test]
fn a_listed_silent_refusal_is_the_only_way_to_report_nothing() {
    let reported = failed_batch("Not NON_COMPLIANT.", json!([{"ConfigRuleName": "r", "ResourceType": "T", "ResourceId": "a"}]));
    let outcome = Outcome::ok(reported).or(Alternative::success(json!({"FailedBatches": []})).provenance(Level::May).basis("A-11"));
    let j = verdict_with(Operation::PutRemediationExceptions, false, &outcome, &answer(200, json!({"FailedBatches": []})));
    assert_eq!((j.verdict, j.alternative), (Verdict::Pass, Some(1)));
}
