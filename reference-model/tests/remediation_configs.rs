//! PutRemediationConfigurations, DescribeRemediationConfigurations and
//! DeleteRemediationConfiguration: rules PRC, RC, DRC and DelRC.

mod common;

use common::*;
use reference_model::limits::defaults;
use reference_model::names::RuleName;
use reference_model::{ComplianceType, Control, ErrorCode, Level, Millis, Operation, Reply, World};
use rstest::rstest;
use serde_json::{json, Value};

fn put(world: &mut World, configs: Vec<Value>) -> reference_model::Outcome {
    call(world, Operation::PutRemediationConfigurations, json!({"RemediationConfigurations": configs}))
}

fn describe(world: &mut World, names: &[&str]) -> Vec<Value> {
    let body = call_ok(world, Operation::DescribeRemediationConfigurations, json!({"ConfigRuleNames": names}));
    body["RemediationConfigurations"].as_array().unwrap().clone()
}

fn arn_of(world: &mut World, rule: &str) -> String {
    describe(world, &[rule])[0]["Arn"].as_str().unwrap().to_owned()
}

/// The configuration as sent, plus the Arn Config assigned.
fn with_arn(mut sent: Value, arn: &str) -> Value {
    sent["Arn"] = json!(arn);
    sent
}

// ------------------------------------------------------------------ PutRemediationConfigurations

#[test]
fn r_prc_01_put_is_an_upsert_that_keeps_the_arn() {
    let mut w = world_with_rule("r");
    let first = config("r", json!({"TargetVersion": "1", "ResourceType": BUCKET}));
    let outcome = put(&mut w, vec![first.clone()]);
    assert_eq!(ok(&outcome), json!({"FailedBatches": []}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PRC-01")));
    let arn = arn_of(&mut w, "r");
    assert_remediation_arn(&arn, "r");
    assert_eq!(describe(&mut w, &["r"]), vec![with_arn(first, &arn)]);

    // The second put replaces the whole configuration (no merge) but keeps the Arn.
    let second = config("r", json!({"TargetId": "AWS-DisableS3BucketPublicReadWrite"}));
    put_configs(&mut w, vec![second.clone()]);
    assert_eq!(describe(&mut w, &["r"]), vec![with_arn(second, &arn)]);
    assert_eq!(w.remediation_arn(&RuleName::new("r")), Some(arn.as_str()));
}

#[test]
fn r_prc_01_each_rule_gets_its_own_arn() {
    let mut w = world_with_rule("a");
    put_rule(&mut w, "b");
    put_configs(&mut w, vec![config("a", json!({})), config("b", json!({}))]);
    let (a, b) = (arn_of(&mut w, "a"), arn_of(&mut w, "b"));
    assert_remediation_arn(&a, "a");
    assert_remediation_arn(&b, "b");
    assert_ne!(a.rsplit('/').next(), b.rsplit('/').next(), "two configurations share a uuid");
}

#[test]
fn r_prc_02_the_rule_must_exist() {
    let mut w = world();
    let sent = config("missing", json!({}));
    let outcome = put(&mut w, vec![sent.clone()]);
    let e = err(&outcome);
    assert_eq!(e.code, ErrorCode::InvalidParameterValueException);
    assert!(e.message.contains("missing"), "{}", e.message);
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PRC-02")));
    // Also acceptable (A-03): success, with the configuration in FailedBatches.
    assert_eq!(outcome.alternatives.len(), 2);
    let alt = &outcome.alternatives[1];
    assert_eq!(alt.provenance, Level::May);
    assert_eq!(
        alt.reply,
        Reply::Success(json!({"FailedBatches": [{"FailureMessage": e.message, "FailedItems": [sent]}]}))
    );
    assert!(w.remediation(&RuleName::new("missing")).is_none());
}

#[test]
fn r_prc_02_one_unknown_rule_refuses_the_request_or_only_its_configuration() {
    let mut w = world_with_rule("r");
    let outcome = put(&mut w, vec![config("r", json!({})), config("missing", json!({}))]);
    // Preferred: the whole request is refused and nothing is stored.
    assert_eq!(code(&outcome), Some(ErrorCode::InvalidParameterValueException));
    assert!(w.remediation(&RuleName::new("r")).is_none());
    // Alternative: the good one is stored, the other listed.
    let alt = &outcome.alternatives[1];
    let alt_world = alt.world.as_ref().expect("the partial success changes the world");
    assert_remediation_arn(alt_world.remediation_arn(&RuleName::new("r")).unwrap(), "r");
    let Reply::Success(body) = &alt.reply else { panic!("{:?}", alt.reply) };
    assert_eq!(body["FailedBatches"][0]["FailedItems"], json!([config("missing", json!({}))]));
}

#[test]
fn r_prc_05_service_linked_rules_are_refused() {
    let mut w = world_with_rule("r");
    w.control(&Control::MarkServiceLinked { rule: "r".into(), service: "securityhub.amazonaws.com".into() }, T0);
    let outcome = put(&mut w, vec![config("r", json!({}))]);
    assert_eq!(code(&outcome), Some(ErrorCode::InvalidParameterValueException));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PRC-05")));
    assert!(w.remediation(&RuleName::new("r")).is_none());
    let Reply::Success(alt) = &outcome.alternatives[1].reply else { panic!() };
    assert_eq!(alt["FailedBatches"][0]["FailedItems"][0]["ConfigRuleName"], "r");
}

#[rstest]
#[case::no_parameters(json!({}))]
#[case::role_from_the_resource(json!({"AutomationAssumeRole": {"ResourceValue": {"Value": "RESOURCE_ID"}}}))]
#[case::role_without_a_value(json!({"AutomationAssumeRole": {"StaticValue": {"Values": []}}}))]
#[case::another_parameter_name(json!({"assumeRole": {"StaticValue": {"Values": [ROLE]}}}))]
#[case::case_matters(json!({"automationAssumeRole": {"StaticValue": {"Values": [ROLE]}}}))]
fn r_prc_07_automatic_remediation_needs_an_automation_assume_role(#[case] parameters: Value) {
    let mut w = world_with_rule("r");
    let sent = config("r", json!({"Automatic": true, "Parameters": parameters}));
    let outcome = put(&mut w, vec![sent.clone()]);
    // Preferred: refused as a whole (A-03); also the configuration listed in FailedBatches.
    assert_eq!(code(&outcome), Some(ErrorCode::InvalidParameterValueException));
    assert!(w.remediation(&RuleName::new("r")).is_none());
    assert_eq!(outcome.alternatives.len(), 3);
    let listed = alternative(&outcome, "A-03", None);
    assert_eq!(body_of(listed)["FailedBatches"][0]["FailedItems"], json!([sent]));
    // A-39: the documentation says the role is needed to remediate, not that the call fails:
    // accepting and storing it is acceptable too.
    let accepted = alternative(&outcome, "A-39", None);
    assert_eq!(accepted.provenance, Level::May);
    assert_eq!(body_of(accepted), &json!({"FailedBatches": []}));
    let stored = world_after(accepted, &w).remediation(&RuleName::new("r")).expect("stored");
    assert_eq!(stored.config.automatic, Some(true));
    // R-PRC-07 is exercised by the refusals only.
    for (i, a) in outcome.alternatives.iter().enumerate() {
        assert_eq!(exercised(&outcome, i).contains(&"R-PRC-07"), a.basis == "A-03", "{}", a.basis);
    }
}

#[test]
fn r_prc_07_a_missing_role_beside_another_refusal() {
    let mut w = world_with_rule("r");
    let no_role = config("r", json!({"Automatic": true}));
    let no_rule = config("missing", json!({}));
    let outcome = put(&mut w, vec![no_role.clone(), no_rule.clone()]);
    assert_eq!(code(&outcome), Some(ErrorCode::InvalidParameterValueException));
    // Strict listing: both refused, nothing stored.
    let strict = alternative(&outcome, "A-03", None);
    let strict_items: Vec<&Value> =
        body_of(strict)["FailedBatches"].as_array().unwrap().iter().flat_map(|b| b["FailedItems"].as_array().unwrap()).collect();
    assert_eq!(strict_items, vec![&no_role, &no_rule]);
    // Lenient listing (A-39): the one without a role stored, the unknown rule still refused.
    let lenient = alternative(&outcome, "A-39", None);
    assert_eq!(body_of(lenient)["FailedBatches"], json!([{"FailureMessage": body_of(lenient)["FailedBatches"][0]["FailureMessage"], "FailedItems": [no_rule]}]));
    assert!(world_after(lenient, &w).remediation(&RuleName::new("r")).is_some());
    let i = outcome.alternatives.iter().position(|a| a.basis == "A-39").unwrap();
    assert!(exercised(&outcome, i).contains(&"R-PRC-10") && exercised(&outcome, i).contains(&"R-PRC-02"));
    assert!(!exercised(&outcome, i).contains(&"R-PRC-07"));
    assert_eq!(outcome.alternatives.len(), 3, "the whole-request refusal is not listed twice");
}

#[test]
fn r_prc_07_manual_remediation_does_not_need_the_role() {
    let mut w = world_with_rule("r");
    put_configs(&mut w, vec![config("r", json!({"Automatic": false}))]);
    put_configs(&mut w, vec![config("r", json!({"Parameters": {"assumeRole": {"StaticValue": {"Values": [ROLE]}}}}))]);
    put_configs(&mut w, vec![auto_config("r", json!({}))]);
    assert_eq!(describe(&mut w, &["r"])[0]["Automatic"], true);
}

#[test]
fn r_prc_10_failed_batches_list_what_was_not_stored() {
    let mut w = world_with_rule("r");
    put_rule(&mut w, "s");
    let ambiguous = json!({"P": {"ResourceValue": {"Value": "RESOURCE_ID"}, "StaticValue": {"Values": ["x"]}}});
    let bad_r = config("r", json!({"Parameters": ambiguous.clone()}));
    let bad_s = config("s", json!({"Parameters": ambiguous}));
    let missing = config("missing", json!({}));
    put_rule(&mut w, "good");
    let good = config("good", json!({}));
    let outcome = put(&mut w, vec![bad_r.clone(), good, missing.clone(), bad_s.clone()]);
    // Only the listing exercises R-PRC-10; the whole-request refusal does not.
    assert!(exercised(&outcome, 1).contains(&"R-PRC-10"));
    assert!(!exercised(&outcome, 0).contains(&"R-PRC-10"));
    let Reply::Success(body) = &outcome.alternatives[1].reply else { panic!() };
    // Refusals with the same message share a batch; each batch has its message and items.
    let batches = body["FailedBatches"].as_array().unwrap();
    assert_eq!(batches.len(), 2, "{body}");
    assert_eq!(
        batches[0],
        json!({"FailureMessage": "There were invalid RemediationParameterValues for configurations for AWS Config Rules",
               "FailedItems": [bad_r, bad_s]})
    );
    assert_eq!(batches[1]["FailedItems"], json!([missing]));
    let alt_world = outcome.alternatives[1].world.as_ref().unwrap();
    assert!(alt_world.remediation(&RuleName::new("good")).is_some());
    assert!(alt_world.remediation(&RuleName::new("r")).is_none());
}

#[test]
fn r_prc_11_zero_and_twenty_five_configurations_are_accepted() {
    let mut w = world();
    let outcome = put(&mut w, vec![]);
    assert_eq!(ok(&outcome), json!({"FailedBatches": []}));
    assert_eq!(w, world(), "an empty put changed the world");
    let names: Vec<String> = (0..25).map(|i| format!("rule-{i}")).collect();
    for n in &names {
        put_rule(&mut w, n);
    }
    put_configs(&mut w, names.iter().map(|n| config(n, json!({}))).collect());
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(describe(&mut w, &refs).len(), 25);
}

// ------------------------------------------------------------------ RemediationConfiguration members

#[test]
fn r_rc_01_ssm_document_is_the_only_target_type() {
    let mut w = world_with_rule("r");
    put_configs(&mut w, vec![config("r", json!({"TargetType": "SSM_DOCUMENT"}))]);
    assert_eq!(describe(&mut w, &["r"])[0]["TargetType"], "SSM_DOCUMENT");
    let e = call_err(&mut w, Operation::PutRemediationConfigurations, json!({"RemediationConfigurations": [config("r", json!({"TargetType": "LAMBDA"}))]}));
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert!(e.message.ends_with("Member must satisfy enum value set: [SSM_DOCUMENT]"), "{}", e.message);
}

#[rstest]
#[case::both(json!({"ResourceValue": {"Value": "RESOURCE_ID"}, "StaticValue": {"Values": ["x"]}}))]
#[case::neither(json!({}))]
fn r_rc_10_a_parameter_value_is_either_resource_or_static(#[case] value: Value) {
    let mut w = world_with_rule("r");
    let outcome = put(&mut w, vec![config("r", json!({"Parameters": {"BucketName": value}}))]);
    let e = err(&outcome);
    assert_eq!(e.code, ErrorCode::InvalidParameterValueException);
    // Observed text (research: terraform-provider-aws issue 31428).
    assert_eq!(e.message, "There were invalid RemediationParameterValues for configurations for AWS Config Rules");
    assert_eq!(outcome.preferred().message_level, Level::Should);
    assert!(outcome.clauses.contains(&reference_model::rule!("R-RC-10")));
    assert!(w.remediation(&RuleName::new("r")).is_none());
}

#[test]
fn r_rc_10_resource_and_static_values_are_stored_as_sent() {
    let mut w = world_with_rule("r");
    let parameters = json!({
        "BucketName": {"ResourceValue": {"Value": "RESOURCE_ID"}},
        "SSEAlgorithm": {"StaticValue": {"Values": ["AES256"]}}
    });
    put_configs(&mut w, vec![config("r", json!({"Parameters": parameters.clone()}))]);
    assert_eq!(describe(&mut w, &["r"])[0]["Parameters"], parameters);
}

#[test]
fn r_rc_11_resource_id_is_the_dynamic_value() {
    let mut w = world_with_rule("r");
    put_configs(&mut w, vec![config("r", json!({"Parameters": {"Id": {"ResourceValue": {"Value": "RESOURCE_ID"}}}}))]);
    assert_eq!(describe(&mut w, &["r"])[0]["Parameters"]["Id"], json!({"ResourceValue": {"Value": "RESOURCE_ID"}}));
    let e = call_err(
        &mut w,
        Operation::PutRemediationConfigurations,
        json!({"RemediationConfigurations": [config("r", json!({"Parameters": {"Id": {"ResourceValue": {"Value": "RESOURCE_ARN"}}}}))]}),
    );
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert!(e.message.contains("parameters.Id.resourceValue.value"), "{}", e.message);
}

#[test]
fn r_rc_12_static_values_are_required_but_may_be_empty() {
    let mut w = world_with_rule("r");
    // 0 values is within the model's 0..25 for a parameter other than the role.
    put_configs(&mut w, vec![config("r", json!({"Parameters": {"Tags": {"StaticValue": {"Values": []}}}}))]);
    assert_eq!(describe(&mut w, &["r"])[0]["Parameters"]["Tags"]["StaticValue"]["Values"], json!([]));
    let e = call_err(
        &mut w,
        Operation::PutRemediationConfigurations,
        json!({"RemediationConfigurations": [config("r", json!({"Parameters": {"Tags": {"StaticValue": {}}}}))]}),
    );
    assert_eq!(
        e.message,
        "1 validation error detected: Value null at 'remediationConfigurations.1.member.parameters.Tags.staticValue.values' failed to satisfy constraint: Member must not be null"
    );
}

#[test]
fn r_rc_13_config_sets_the_arn_and_ignores_one_sent() {
    let mut w = world_with_rule("r");
    let bogus = "arn:aws:config:eu-west-1:999999999999:remediation-configuration/r/not-mine";
    put_configs(&mut w, vec![config("r", json!({"Arn": bogus}))]);
    let arn = arn_of(&mut w, "r");
    assert_ne!(arn, bogus);
    assert_remediation_arn(&arn, "r");
    put_configs(&mut w, vec![config("r", json!({"Arn": bogus}))]);
    assert_eq!(arn_of(&mut w, "r"), arn);
}

#[test]
fn r_rc_14_created_by_service_names_the_service_of_a_linked_rule() {
    let mut w = world_with_rule("r");
    // What a caller sends is ignored (A-07): a user's configuration has none.
    put_configs(&mut w, vec![config("r", json!({"CreatedByService": "me"}))]);
    assert_eq!(describe(&mut w, &["r"])[0].get("CreatedByService"), None);
    w.control(&Control::MarkServiceLinked { rule: "r".into(), service: "config-conforms.amazonaws.com".into() }, T0);
    assert_eq!(describe(&mut w, &["r"])[0]["CreatedByService"], "config-conforms.amazonaws.com");
}

#[test]
fn m_04_absent_boxed_numerics_mean_the_documented_defaults() {
    let mut w = world_with_rule("r");
    let sent = config("r", json!({}));
    put_configs(&mut w, vec![sent.clone()]);
    // Describe does not invent the defaults …
    let stored = describe(&mut w, &["r"])[0].clone();
    for member in ["MaximumAutomaticAttempts", "RetryAttemptSeconds", "ExecutionControls", "Automatic"] {
        assert_eq!(stored.get(member), None, "{member} was invented");
    }
    // … but they govern behaviour: 5 attempts, 60 s, 10 %, 50 %, manual.
    let c = w.effective_controls(&RuleName::new("r")).unwrap();
    assert_eq!((c.max_attempts, c.retry_window, c.concurrency_percent, c.error_percent, c.automatic), (5, Millis::seconds(60), 10, 50, false));
    assert_eq!(
        (defaults::MAXIMUM_AUTOMATIC_ATTEMPTS, defaults::RETRY_ATTEMPT_SECONDS, defaults::CONCURRENT_EXECUTION_RATE_PERCENTAGE, defaults::ERROR_PERCENTAGE),
        (5, 60, 10, 50)
    );
    // What is sent is what counts.
    put_configs(
        &mut w,
        vec![config("r", json!({"MaximumAutomaticAttempts": 3, "RetryAttemptSeconds": 7,
            "ExecutionControls": {"SsmControls": {"ConcurrentExecutionRatePercentage": 40, "ErrorPercentage": 20}}}))],
    );
    let c = w.effective_controls(&RuleName::new("r")).unwrap();
    assert_eq!((c.max_attempts, c.retry_window, c.concurrency_percent, c.error_percent), (3, Millis::seconds(7), 40, 20));
    // An SsmControls without members also falls back to the defaults.
    put_configs(&mut w, vec![config("r", json!({"ExecutionControls": {"SsmControls": {}}}))]);
    let c = w.effective_controls(&RuleName::new("r")).unwrap();
    assert_eq!((c.concurrency_percent, c.error_percent), (10, 50));
    assert_eq!(describe(&mut w, &["r"])[0]["ExecutionControls"], json!({"SsmControls": {}}));
}

// ------------------------------------------------------------------ DescribeRemediationConfigurations

#[test]
fn r_drc_01_describe_returns_what_was_stored() {
    let mut w = world_with_rule("r");
    let sent = config(
        "r",
        json!({
            "TargetVersion": "3", "ResourceType": BUCKET, "Automatic": false,
            "Parameters": {"AutomationAssumeRole": {"StaticValue": {"Values": [ROLE]}}},
            "ExecutionControls": {"SsmControls": {"ConcurrentExecutionRatePercentage": 25, "ErrorPercentage": 15}},
            "MaximumAutomaticAttempts": 24, "RetryAttemptSeconds": 2_677_999
        }),
    );
    put_configs(&mut w, vec![sent.clone()]);
    let outcome = call(&mut w, Operation::DescribeRemediationConfigurations, json!({"ConfigRuleNames": ["r"]}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-DRC-01")));
    let arn = w.remediation_arn(&RuleName::new("r")).unwrap().to_owned();
    assert_eq!(ok(&outcome), json!({"RemediationConfigurations": [with_arn(sent, &arn)]}));
}

#[test]
fn r_drc_01_describe_follows_the_names_asked_for() {
    let mut w = world();
    for r in ["a", "b", "c"] {
        put_rule(&mut w, r);
    }
    put_configs(&mut w, vec![config("a", json!({})), config("c", json!({}))]);
    let names: Vec<Value> = describe(&mut w, &["c", "b", "a", "c"]).iter().map(|c| c["ConfigRuleName"].clone()).collect();
    assert_eq!(names, vec![json!("c"), json!("a")]);
}

#[test]
fn r_drc_03_no_errors_and_no_paging() {
    let mut w = world();
    // Unknown rules are simply left out (no error is modelled).
    assert_eq!(
        call_ok(&mut w, Operation::DescribeRemediationConfigurations, json!({"ConfigRuleNames": ["nope", "nada"]})),
        json!({"RemediationConfigurations": []})
    );
    assert_eq!(
        call_ok(&mut w, Operation::DescribeRemediationConfigurations, json!({"ConfigRuleNames": []})),
        json!({"RemediationConfigurations": []})
    );
    // 25 names, 25 configurations, one answer without a NextToken (a NextToken sent is ignored).
    let names: Vec<String> = (0..25).map(|i| format!("r{i}")).collect();
    for n in &names {
        put_rule(&mut w, n);
    }
    put_configs(&mut w, names.iter().map(|n| config(n, json!({}))).collect());
    let body = call_ok(&mut w, Operation::DescribeRemediationConfigurations, json!({"ConfigRuleNames": names, "NextToken": "x"}));
    assert_eq!(body["RemediationConfigurations"].as_array().unwrap().len(), 25);
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
}

// ------------------------------------------------------------------ DeleteRemediationConfiguration

#[test]
fn r_delrc_01_delete_removes_the_configuration() {
    let mut w = world_with_rule("r");
    put_configs(&mut w, vec![config("r", json!({}))]);
    let before = w.clone();
    let outcome = call(&mut w, Operation::DeleteRemediationConfiguration, json!({"ConfigRuleName": "r", "ResourceType": "AWS::EC2::Instance"}));
    // Preferred: ResourceType does not narrow the deletion (A-26) …
    assert_eq!(ok(&outcome), json!({}));
    assert_eq!((outcome.preferred().provenance, outcome.preferred().basis), (Level::May, "A-26"));
    assert!(exercised(&outcome, 0).contains(&"R-DelRC-01"));
    // … also acceptable: no configuration for that type, nothing deleted.
    assert_eq!(outcome.alternatives.len(), 2);
    let refusal = alternative(&outcome, "A-26", Some(ErrorCode::NoSuchRemediationConfigurationException));
    assert_eq!(refusal.provenance, Level::May);
    assert_eq!(refusal.world.as_deref(), Some(&before));
    assert!(exercised(&outcome, 1).contains(&"R-DelRC-02") && !exercised(&outcome, 1).contains(&"R-DelRC-01"));
    assert!(describe(&mut w, &["r"]).is_empty());
    assert!(w.remediation(&RuleName::new("r")).is_none());
    // The rule itself stays, and can now be deleted.
    assert!(w.rule(&RuleName::new("r")).is_some());
    call_ok(&mut w, Operation::DeleteConfigRule, json!({"ConfigRuleName": "r"}));
}

/// A-26: the stored configuration's own ResourceType, or none given, leaves no choice.
#[rstest]
#[case::same_type(json!({"ConfigRuleName": "r", "ResourceType": BUCKET}))]
#[case::no_type(json!({"ConfigRuleName": "r"}))]
fn r_delrc_01_the_stored_resource_type_or_none_deletes_without_alternative(#[case] body: Value) {
    let mut w = world_with_rule("r");
    put_configs(&mut w, vec![config("r", json!({"ResourceType": BUCKET}))]);
    let outcome = call(&mut w, Operation::DeleteRemediationConfiguration, body);
    assert_eq!(ok(&outcome), json!({}));
    assert_eq!(outcome.alternatives.len(), 1);
    assert_eq!(outcome.preferred().provenance, Level::Must);
    assert!(outcome.clauses.contains(&reference_model::rule!("R-DelRC-01")));
}

#[test]
fn r_delrc_03_in_progress_with_another_resource_type() {
    let mut w = world_with_non_compliant("r", 1);
    put_configs(&mut w, vec![config("r", json!({"ResourceType": BUCKET}))]);
    call_ok(&mut w, Operation::StartRemediationExecution, json!({"ConfigRuleName": "r", "ResourceKeys": [exec_key("b00")]}));
    let outcome = call(&mut w, Operation::DeleteRemediationConfiguration, json!({"ConfigRuleName": "r", "ResourceType": "AWS::IAM::User"}));
    assert_eq!(code(&outcome), Some(ErrorCode::RemediationInProgressException));
    assert!(exercised(&outcome, 0).contains(&"R-DelRC-03"));
    let refusal = alternative(&outcome, "A-26", Some(ErrorCode::NoSuchRemediationConfigurationException));
    assert!(refusal.world.is_none(), "both refusals leave the same state");
    assert!(!exercised(&outcome, 1).contains(&"R-DelRC-03"));
}

#[test]
fn r_delrc_02_without_a_configuration_is_no_such_remediation_configuration() {
    let mut w = world_with_rule("r");
    let outcome = call(&mut w, Operation::DeleteRemediationConfiguration, json!({"ConfigRuleName": "r"}));
    assert_eq!(err(&outcome).code, ErrorCode::NoSuchRemediationConfigurationException);
    assert_eq!(err(&outcome).message, "No RemediationConfiguration for rule exists: r");
    assert!(outcome.clauses.contains(&reference_model::rule!("R-DelRC-02")));
    // Deleting twice: the second one finds nothing.
    put_configs(&mut w, vec![config("r", json!({}))]);
    call_ok(&mut w, Operation::DeleteRemediationConfiguration, json!({"ConfigRuleName": "r"}));
    assert_eq!(
        call_err(&mut w, Operation::DeleteRemediationConfiguration, json!({"ConfigRuleName": "r"})).code,
        ErrorCode::NoSuchRemediationConfigurationException
    );
}

#[test]
fn r_delrc_03_delete_while_running_is_refused() {
    let mut w = world_with_non_compliant("r", 1);
    put_configs(&mut w, vec![config("r", json!({}))]);
    call_ok(&mut w, Operation::StartRemediationExecution, json!({"ConfigRuleName": "r", "ResourceKeys": [exec_key("b00")]}));
    let delete = json!({"ConfigRuleName": "r"});
    for (step, expected_state) in [(0, "QUEUED"), (1_500, "IN_PROGRESS")] {
        advance(&mut w, step);
        assert_eq!(state_of(&w, "r", "b00").unwrap().as_str(), expected_state);
        let outcome = call(&mut w, Operation::DeleteRemediationConfiguration, delete.clone());
        assert_eq!(err(&outcome).code, ErrorCode::RemediationInProgressException);
        assert!(outcome.clauses.contains(&reference_model::rule!("R-DelRC-03")));
        assert!(w.remediation(&RuleName::new("r")).is_some());
    }
    advance(&mut w, 10_000);
    assert_eq!(call_ok(&mut w, Operation::DeleteRemediationConfiguration, delete), json!({}));
}

#[test]
fn r_err_06_remediation_in_progress_only_for_the_running_rule() {
    let mut w = world_with_non_compliant("busy", 1);
    put_rule(&mut w, "idle");
    put_configs(&mut w, vec![config("busy", json!({})), config("idle", json!({}))]);
    call_ok(&mut w, Operation::StartRemediationExecution, json!({"ConfigRuleName": "busy", "ResourceKeys": [exec_key("b00")]}));
    let e = call_err(&mut w, Operation::DeleteRemediationConfiguration, json!({"ConfigRuleName": "busy"}));
    assert_eq!(e.code, ErrorCode::RemediationInProgressException);
    assert!(e.message.contains("busy"), "{}", e.message);
    call_ok(&mut w, Operation::DeleteRemediationConfiguration, json!({"ConfigRuleName": "idle"}));
}

#[test]
fn r_delrc_05_success_is_an_empty_structure() {
    let mut w = world_with_rule("r");
    put_configs(&mut w, vec![config("r", json!({}))]);
    let outcome = call(&mut w, Operation::DeleteRemediationConfiguration, json!({"ConfigRuleName": "r"}));
    assert_eq!(outcome.preferred().reply, Reply::Success(json!({})));
    assert_eq!(outcome.alternatives.len(), 1);
    assert!(outcome.clauses.contains(&reference_model::rule!("R-DelRC-05")));
}

#[test]
fn r_delrc_01_delete_forgets_the_executions_but_not_the_exceptions() {
    let mut w = world_with_non_compliant("r", 2);
    put_configs(&mut w, vec![config("r", json!({}))]);
    call_ok(&mut w, Operation::PutRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": [exc_key("b01")]}));
    call_ok(&mut w, Operation::StartRemediationExecution, json!({"ConfigRuleName": "r", "ResourceKeys": [exec_key("b00")]}));
    advance(&mut w, 5_000);
    call_ok(&mut w, Operation::DeleteRemediationConfiguration, json!({"ConfigRuleName": "r"}));
    assert_eq!(w.executions().count(), 0);
    assert_eq!(exceptions_of(&mut w, "r").len(), 1);
    assert_eq!(compliance_of(&w, "r", "b00"), Some(ComplianceType::Compliant));
}
