//! PutConfigRule, DeleteConfigRule and DescribeConfigRules: the rules remediation hangs off
//! (rules PCR, DCR, DCRs, and the errors they raise).

mod common;

use common::*;
use reference_model::names::RuleName;
use reference_model::{ApiError, ComplianceType, Control, ErrorCode, Level, Operation, Reply, World};
use rstest::rstest;
use serde_json::{json, Value};

fn put(world: &mut World, rule: Value) -> reference_model::Outcome {
    call(world, Operation::PutConfigRule, json!({"ConfigRule": rule}))
}

fn put_ok(world: &mut World, rule: Value) {
    assert_eq!(put(world, rule).preferred().reply, Reply::Success(Value::Null));
}

fn refused(world: &mut World, rule: Value, clause: &str) -> String {
    let outcome = put(world, rule);
    let e = err(&outcome);
    assert_eq!(e.code, ErrorCode::InvalidParameterValueException, "{}", e.message);
    assert!(outcome.clauses.iter().any(|id| *id == clause), "{:?}", outcome.clauses);
    e.message
}

fn managed(name: &str) -> Value {
    json!({"ConfigRuleName": name, "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}})
}

fn with(mut v: Value, extra: Value) -> Value {
    merge(&mut v, extra);
    v
}

fn rules(world: &mut World, body: Value) -> Vec<Value> {
    call_ok(world, Operation::DescribeConfigRules, body)["ConfigRules"].as_array().unwrap().clone()
}

fn described(world: &mut World, name: &str) -> Value {
    let mut r = rules(world, json!({"ConfigRuleNames": [name]}));
    assert_eq!(r.len(), 1);
    r.remove(0)
}

fn names(rules: &[Value]) -> Vec<String> {
    rules.iter().map(|r| r["ConfigRuleName"].as_str().unwrap().to_owned()).collect()
}

// ------------------------------------------------------------------ PutConfigRule

#[test]
fn r_pcr_01_put_config_rule_is_an_upsert() {
    let mut w = world();
    put_ok(&mut w, with(managed("r"), json!({"Description": "first"})));
    let first = described(&mut w, "r");
    put_ok(&mut w, with(managed("r"), json!({"Description": "second", "InputParameters": "{\"a\":1}"})));
    let second = described(&mut w, "r");
    assert_eq!(rules(&mut w, json!({})).len(), 1);
    assert_eq!(second["ConfigRuleArn"], first["ConfigRuleArn"]);
    assert_eq!(second["ConfigRuleId"], first["ConfigRuleId"]);
    assert_eq!(second["Description"], "second");
    assert_eq!(second["InputParameters"], "{\"a\":1}");
    assert_eq!(second["ConfigRuleState"], "ACTIVE");
}

#[test]
fn r_pcr_01_at_most_1000_rules() {
    let mut w = world();
    for i in 0..1000 {
        put_ok(&mut w, managed(&format!("rule-{i:04}")));
    }
    let outcome = put(&mut w, managed("one-too-many"));
    assert_eq!(err(&outcome).code, ErrorCode::MaxNumberOfConfigRulesExceededException);
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PCR-01")));
    // Updating one of the thousand is still fine; deleting one makes room.
    put_ok(&mut w, with(managed("rule-0007"), json!({"Description": "updated"})));
    call_ok(&mut w, Operation::DeleteConfigRule, json!({"ConfigRuleName": "rule-0000"}));
    put_ok(&mut w, managed("one-too-many"));
}

#[test]
fn r_err_08_max_number_of_config_rules() {
    let mut w = world();
    for i in 0..1000 {
        put_rule(&mut w, &format!("r{i}"));
    }
    let e = err(&put(&mut w, managed("r1000")));
    assert_eq!(e.code, ErrorCode::MaxNumberOfConfigRulesExceededException);
    assert!(e.message.contains("1000"), "{}", e.message);
    // A-45: the real service's words, with the documented limit.
    assert_eq!(
        e.message,
        "Failed to put config rule 'r1000' because the account already contains 1000 config rules. Please consider deleting deactivated rules if you have any before adding new rules."
    );
    assert!(w.rule(&RuleName::new("r1000")).is_none());
}

#[rstest]
#[case::managed(json!({"Owner": "AWS", "SourceIdentifier": "IAM_PASSWORD_POLICY"}))]
#[case::custom_lambda(json!({"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": "arn:aws:lambda:us-east-1:123456789012:function:check",
    "SourceDetails": [{"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"}]}))]
#[case::custom_policy(json!({"Owner": "CUSTOM_POLICY",
    "SourceDetails": [{"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"}],
    "CustomPolicyDetails": {"PolicyRuntime": "guard-2.x.x", "PolicyText": "rule ok {}"}}))]
fn r_pcr_02_managed_and_custom_rules_are_created(#[case] source: Value) {
    let mut w = world();
    let outcome = put(&mut w, json!({"ConfigRuleName": "r", "Source": source.clone()}));
    assert_eq!(outcome.preferred().reply, Reply::Success(Value::Null));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PCR-02")));
    assert_eq!(described(&mut w, "r")["Source"], source);
}

#[test]
fn r_pcr_03_managed_and_lambda_rules_need_a_source_identifier() {
    let mut w = world();
    refused(&mut w, json!({"ConfigRuleName": "m", "Source": {"Owner": "AWS"}}), "R-PCR-03");
    refused(&mut w, json!({"ConfigRuleName": "l", "Source": {"Owner": "CUSTOM_LAMBDA"}}), "R-PCR-03");
    // Ignored for a custom policy rule.
    put_ok(&mut w, json!({"ConfigRuleName": "p", "Source": {"Owner": "CUSTOM_POLICY", "SourceIdentifier": "ignored",
        "CustomPolicyDetails": {"PolicyRuntime": "guard-2.x.x", "PolicyText": ""}}}));
    assert_eq!(names(&rules(&mut w, json!({}))), vec!["p"]);
}

#[test]
fn r_pcr_05_a_new_rule_needs_a_name_and_gets_its_arn_and_id_from_config() {
    let mut w = world();
    let outcome = put(&mut w, json!({"Source": {"Owner": "AWS", "SourceIdentifier": "IAM_PASSWORD_POLICY"}}));
    assert_eq!(err(&outcome).message, "One or more identifiers needs to be provided. Provide Name or Id or Arn");
    assert_eq!(outcome.preferred().message_level, Level::Should);
    let e = refused(&mut w, with(managed("n"), json!({"ConfigRuleId": "config-rule-abcdef"})), "R-PCR-05");
    assert!(e.starts_with("ConfigRule Arn and Id can not be specified when creating a new ConfigRule."), "{e}");
    refused(&mut w, with(managed("n"), json!({"ConfigRuleArn": "arn:aws:config:us-east-1:123456789012:config-rule/config-rule-abcdef"})), "R-PCR-05");
    assert_eq!(rules(&mut w, json!({})).len(), 0);
    put_ok(&mut w, managed("n"));
    let r = described(&mut w, "n");
    let id = r["ConfigRuleId"].as_str().unwrap();
    let suffix = id.strip_prefix("config-rule-").expect(id);
    assert_eq!(suffix.len(), 6);
    assert!(suffix.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()), "{id}");
    assert_eq!(r["ConfigRuleArn"], json!(format!("arn:aws:config:us-east-1:123456789012:config-rule/{id}")));
}

#[test]
fn r_pcr_06_an_update_may_name_the_rule_by_arn_or_id() {
    let mut w = world();
    put_ok(&mut w, managed("r"));
    let r = described(&mut w, "r");
    let (arn, id) = (r["ConfigRuleArn"].clone(), r["ConfigRuleId"].clone());
    put_ok(&mut w, json!({"ConfigRuleArn": arn, "Description": "by arn", "Source": {"Owner": "AWS", "SourceIdentifier": "IAM_PASSWORD_POLICY"}}));
    assert_eq!(described(&mut w, "r")["Description"], "by arn");
    put_ok(&mut w, json!({"ConfigRuleId": id, "Description": "by id", "Source": {"Owner": "AWS", "SourceIdentifier": "IAM_PASSWORD_POLICY"}}));
    let updated = described(&mut w, "r");
    assert_eq!(updated["Description"], "by id");
    assert_eq!((updated["ConfigRuleArn"].clone(), updated["ConfigRuleId"].clone()), (arn, id));
    assert_eq!(rules(&mut w, json!({})).len(), 1);
    // An Arn or Id that names no rule.
    let outcome = put(&mut w, json!({"ConfigRuleId": "config-rule-zzzzzz", "Source": {"Owner": "AWS", "SourceIdentifier": "IAM_PASSWORD_POLICY"}}));
    assert_eq!(err(&outcome).code, ErrorCode::InvalidParameterValueException);
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PCR-06")));
}

#[test]
fn r_pcr_07_a_later_put_with_other_tags_is_a_repeat() {
    let mut w = world();
    let rule = managed("r");
    let outcome = call(&mut w, Operation::PutConfigRule, json!({"ConfigRule": rule, "Tags": [{"Key": "team", "Value": "a"}]}));
    assert_eq!(outcome.preferred().reply, Reply::Success(Value::Null));
    let first = described(&mut w, "r");
    let outcome = call(&mut w, Operation::PutConfigRule, json!({"ConfigRule": rule, "Tags": [{"Key": "team", "Value": "b"}, {"Key": "x"}]}));
    assert_eq!(outcome.preferred().reply, Reply::Success(Value::Null));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PCR-07")));
    assert_eq!(described(&mut w, "r"), first);
}

#[test]
fn r_pcr_10_no_configuration_recorder() {
    let mut w = world();
    w.control(&Control::SetRecorder { available: false }, T0);
    let outcome = put(&mut w, managed("r"));
    assert_eq!(err(&outcome).code, ErrorCode::NoAvailableConfigurationRecorderException);
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PCR-10")));
    assert!(w.rule(&RuleName::new("r")).is_none());
    w.control(&Control::SetRecorder { available: true }, T0);
    put_ok(&mut w, managed("r"));
}

#[test]
fn r_err_11_no_available_configuration_recorder() {
    let mut w = world_with_rule("r");
    w.control(&Control::SetRecorder { available: false }, T0);
    // Updates are refused too; other calls are unaffected.
    let e = err(&put(&mut w, with(managed("r"), json!({"Description": "x"}))));
    assert_eq!(e.code, ErrorCode::NoAvailableConfigurationRecorderException);
    assert_eq!(e.message, "You must create a configuration recorder before you can create or update a Config rule.");
    assert_eq!(described(&mut w, "r").get("Description"), None);
    call_ok(&mut w, Operation::DeleteConfigRule, json!({"ConfigRuleName": "r"}));
}

#[test]
fn r_pcr_12_a_resource_id_needs_exactly_one_resource_type() {
    let mut w = world();
    let scoped = |scope: Value| with(managed("r"), json!({"Scope": scope}));
    refused(&mut w, scoped(json!({"ComplianceResourceId": "b"})), "R-PCR-12");
    refused(&mut w, scoped(json!({"ComplianceResourceId": "b", "ComplianceResourceTypes": [BUCKET, "AWS::EC2::Instance"]})), "R-PCR-12");
    put_ok(&mut w, scoped(json!({"ComplianceResourceId": "b", "ComplianceResourceTypes": [BUCKET]})));
    put_ok(&mut w, scoped(json!({"ComplianceResourceTypes": [BUCKET, "AWS::EC2::Instance"]})));
    assert_eq!(described(&mut w, "r")["Scope"]["ComplianceResourceTypes"], json!([BUCKET, "AWS::EC2::Instance"]));
}

#[test]
fn r_pcr_13_a_tag_value_needs_a_tag_key() {
    let mut w = world();
    refused(&mut w, with(managed("r"), json!({"Scope": {"TagValue": "prod"}})), "R-PCR-13");
    put_ok(&mut w, with(managed("r"), json!({"Scope": {"TagKey": "env", "TagValue": "prod"}})));
    put_ok(&mut w, with(managed("r"), json!({"Scope": {"TagKey": "env"}})));
}

#[test]
fn r_pcr_14_created_by_is_set_only_for_service_linked_rules() {
    let mut w = world();
    put_ok(&mut w, with(managed("r"), json!({"CreatedBy": "me"})));
    assert_eq!(described(&mut w, "r").get("CreatedBy"), None, "a user rule has no CreatedBy");
    w.control(&Control::MarkServiceLinked { rule: "r".into(), service: "securityhub.amazonaws.com".into() }, T0);
    assert_eq!(described(&mut w, "r")["CreatedBy"], "securityhub.amazonaws.com");
    // An update keeps it.
    put_ok(&mut w, with(managed("r"), json!({"Description": "d"})));
    assert_eq!(described(&mut w, "r")["CreatedBy"], "securityhub.amazonaws.com");
}

#[test]
fn r_pcr_16_source_details_only_on_custom_rules_and_a_frequency_needs_scheduled_notification() {
    let mut w = world();
    let detail = |m: &str, f: Option<&str>| {
        let mut d = json!({"EventSource": "aws.config", "MessageType": m});
        if let Some(f) = f {
            d["MaximumExecutionFrequency"] = json!(f);
        }
        d
    };
    refused(
        &mut w,
        json!({"ConfigRuleName": "m", "Source": {"Owner": "AWS", "SourceIdentifier": "IAM_PASSWORD_POLICY", "SourceDetails": [detail("ScheduledNotification", None)]}}),
        "R-PCR-16",
    );
    let lambda = |details: Vec<Value>| json!({"ConfigRuleName": "l", "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": "arn:aws:lambda:us-east-1:123456789012:function:f", "SourceDetails": details}});
    refused(&mut w, lambda(vec![detail("ConfigurationItemChangeNotification", Some("Three_Hours"))]), "R-PCR-16");
    put_ok(&mut w, lambda(vec![detail("ScheduledNotification", Some("Three_Hours"))]));
    put_ok(&mut w, lambda(vec![detail("ConfigurationItemChangeNotification", None), detail("OversizedConfigurationItemChangeNotification", None)]));
    assert_eq!(described(&mut w, "l")["Source"]["SourceDetails"].as_array().unwrap().len(), 2);
}

#[test]
fn r_pcr_18_custom_policy_rules_need_details_and_change_triggers() {
    let mut w = world();
    let policy = json!({"PolicyRuntime": "guard-2.x.x", "PolicyText": "rule x {}"});
    refused(&mut w, json!({"ConfigRuleName": "p", "Source": {"Owner": "CUSTOM_POLICY"}}), "R-PCR-18");
    for bad in ["ScheduledNotification", "ConfigurationSnapshotDeliveryCompleted"] {
        refused(
            &mut w,
            json!({"ConfigRuleName": "p", "Source": {"Owner": "CUSTOM_POLICY", "CustomPolicyDetails": policy, "SourceDetails": [{"MessageType": bad}]}}),
            "R-PCR-18",
        );
    }
    put_ok(
        &mut w,
        json!({"ConfigRuleName": "p", "Source": {"Owner": "CUSTOM_POLICY", "CustomPolicyDetails": policy,
            "SourceDetails": [{"MessageType": "ConfigurationItemChangeNotification"}, {"MessageType": "OversizedConfigurationItemChangeNotification"}]}}),
    );
}

#[test]
fn r_pcr_19_custom_policy_details_are_stored() {
    let mut w = world();
    let details = json!({"PolicyRuntime": "guard-2.x.x", "PolicyText": "rule s3 { resourceType == \"AWS::S3::Bucket\" }", "EnableDebugLogDelivery": true});
    put_ok(&mut w, json!({"ConfigRuleName": "p", "Source": {"Owner": "CUSTOM_POLICY", "CustomPolicyDetails": details}}));
    assert_eq!(described(&mut w, "p")["Source"]["CustomPolicyDetails"], details);
    let e = call_err(
        &mut w,
        Operation::PutConfigRule,
        json!({"ConfigRule": {"ConfigRuleName": "p", "Source": {"Owner": "CUSTOM_POLICY", "CustomPolicyDetails": {"PolicyRuntime": "guard-3.x.x", "PolicyText": ""}}}}),
    );
    assert_eq!(
        e.message,
        "1 validation error detected: Value 'guard-3.x.x' at 'configRule.source.customPolicyDetails.policyRuntime' failed to satisfy constraint: Member must satisfy regular expression pattern: guard\\-2\\.x\\.x"
    );
}

#[test]
fn r_pcr_20_the_event_source_is_aws_config() {
    let mut w = world();
    let source = json!({"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": "arn:aws:lambda:us-east-1:123456789012:function:f",
        "SourceDetails": [{"EventSource": "aws.config", "MessageType": "ConfigurationSnapshotDeliveryCompleted"}]});
    put_ok(&mut w, json!({"ConfigRuleName": "l", "Source": source}));
    assert_eq!(described(&mut w, "l")["Source"]["SourceDetails"][0]["EventSource"], "aws.config");
    let mut bad = source.clone();
    bad["SourceDetails"][0]["EventSource"] = json!("aws.s3");
    let e = call_err(&mut w, Operation::PutConfigRule, json!({"ConfigRule": {"ConfigRuleName": "l", "Source": bad}}));
    assert!(e.message.ends_with("Member must satisfy enum value set: [aws.config]"), "{}", e.message);
}

#[test]
fn r_pcr_21_input_parameters_are_stored_as_sent() {
    let mut w = world();
    let params = format!("{{\"k\":\"{}\"}}", "v".repeat(1016));
    assert_eq!(params.len(), 1024);
    put_ok(&mut w, with(managed("r"), json!({"InputParameters": params})));
    assert_eq!(described(&mut w, "r")["InputParameters"], json!(params));
}

#[test]
fn r_pcr_22_evaluation_modes_are_distinct_and_default_to_detective() {
    let mut w = world();
    put_ok(&mut w, managed("d"));
    assert_eq!(described(&mut w, "d")["EvaluationModes"], json!([{"Mode": "DETECTIVE"}]));
    refused(&mut w, with(managed("x"), json!({"EvaluationModes": [{"Mode": "DETECTIVE"}, {"Mode": "DETECTIVE"}]})), "R-PCR-22");
    put_ok(&mut w, with(managed("both"), json!({"EvaluationModes": [{"Mode": "DETECTIVE"}, {"Mode": "PROACTIVE"}]})));
    assert_eq!(described(&mut w, "both")["EvaluationModes"], json!([{"Mode": "DETECTIVE"}, {"Mode": "PROACTIVE"}]));
}

#[test]
fn r_pcr_23_visibility_is_stored() {
    let mut w = world();
    put_ok(&mut w, with(managed("int"), json!({"RuleEvaluationVisibility": "INTERNAL"})));
    put_ok(&mut w, with(managed("ext"), json!({"RuleEvaluationVisibility": "EXTERNAL"})));
    assert_eq!(described(&mut w, "int")["RuleEvaluationVisibility"], "INTERNAL");
    assert_eq!(described(&mut w, "ext")["RuleEvaluationVisibility"], "EXTERNAL");
}

#[test]
fn r_pcr_25_the_description_may_be_empty() {
    let mut w = world();
    put_ok(&mut w, with(managed("r"), json!({"Description": ""})));
    assert_eq!(described(&mut w, "r")["Description"], "");
    put_ok(&mut w, with(managed("r"), json!({"Description": "d".repeat(256)})));
    assert_eq!(described(&mut w, "r")["Description"], json!("d".repeat(256)));
}

#[test]
fn r_pcr_26_fifty_tags_are_accepted() {
    let mut w = world();
    let tags: Vec<Value> = (0..50).map(|i| json!({"Key": format!("k{i}"), "Value": ""})).collect();
    let outcome = call(&mut w, Operation::PutConfigRule, json!({"ConfigRule": managed("r"), "Tags": tags}));
    assert_eq!(outcome.preferred().reply, Reply::Success(Value::Null));
    let mut tags = tags;
    tags.push(json!({"Key": "k50"}));
    let e = call_err(&mut w, Operation::PutConfigRule, json!({"ConfigRule": managed("s"), "Tags": tags}));
    assert!(e.message.starts_with("1 validation error detected: Value '[") && e.message.contains("at 'tags'"), "{}", e.message);
}

#[test]
fn r_pcr_27_a_rule_needs_only_a_source_with_an_owner() {
    let mut w = world();
    put_ok(&mut w, json!({"ConfigRuleName": "minimal", "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": "arn:aws:lambda:us-east-1:123456789012:function:f"}}));
    let e = call_err(&mut w, Operation::PutConfigRule, json!({"ConfigRule": {"ConfigRuleName": "x", "Source": {}}}));
    assert_eq!(
        e.message,
        "1 validation error detected: Value null at 'configRule.source.owner' failed to satisfy constraint: Member must not be null"
    );
    let e = call_err(&mut w, Operation::PutConfigRule, json!({"ConfigRule": {"ConfigRuleName": "x"}}));
    assert_eq!(
        e.message,
        "1 validation error detected: Value null at 'configRule.source' failed to satisfy constraint: Member must not be null"
    );
}

#[test]
fn r_err_01_invalid_parameter_value() {
    // The model's InvalidParameterValueExceptions: relations between members the shapes cannot
    // express. The request changes nothing.
    let mut w = world_with_rule("r");
    let before = w.clone();
    for body in [
        json!({"ConfigRule": {"ConfigRuleName": "x", "Source": {"Owner": "AWS"}}}),
        json!({"ConfigRule": with(managed("x"), json!({"Scope": {"TagValue": "v"}}))}),
    ] {
        assert_eq!(call_err(&mut w, Operation::PutConfigRule, body).code, ErrorCode::InvalidParameterValueException);
    }
    let outcome = call(&mut w, Operation::GetComplianceDetailsByConfigRule, json!({"ConfigRuleName": "r", "ComplianceTypes": ["INSUFFICIENT_DATA"]}));
    assert_eq!(code(&outcome), Some(ErrorCode::InvalidParameterValueException));
    let outcome = call(&mut w, Operation::DescribeComplianceByResource, json!({"ResourceId": "b"}));
    assert_eq!(code(&outcome), Some(ErrorCode::InvalidParameterValueException));
    assert_eq!(w, before);
}

#[test]
fn m_09_rule_calls_have_no_output_and_delete_configuration_returns_an_empty_object() {
    let mut w = world();
    assert_eq!(put(&mut w, managed("r")).preferred().reply, Reply::Success(Value::Null));
    put_configs(&mut w, vec![config("r", json!({}))]);
    assert_eq!(
        call(&mut w, Operation::DeleteRemediationConfiguration, json!({"ConfigRuleName": "r"})).preferred().reply,
        Reply::Success(json!({}))
    );
    assert_eq!(call(&mut w, Operation::DeleteConfigRule, json!({"ConfigRuleName": "r"})).preferred().reply, Reply::Success(Value::Null));
}

// ------------------------------------------------------------------ DeleteConfigRule

#[test]
fn r_dcr_01_delete_removes_the_rule_and_everything_hanging_off_it() {
    let mut w = world_with_non_compliant("r", 2);
    put_rule(&mut w, "other");
    set_compliance(&mut w, "other", "b00", ComplianceType::NonCompliant);
    call_ok(&mut w, Operation::PutRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": [exc_key("b00")]}));
    call_ok(&mut w, Operation::PutRemediationExceptions, json!({"ConfigRuleName": "other", "ResourceKeys": [exc_key("b00")]}));
    let outcome = call(&mut w, Operation::DeleteConfigRule, json!({"ConfigRuleName": "r"}));
    assert_eq!(outcome.preferred().reply, Reply::Success(Value::Null));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-DCR-01")));
    assert!(w.rule(&RuleName::new("r")).is_none());
    assert_eq!(compliance_of(&w, "r", "b00"), None);
    assert_eq!(exceptions_of(&mut w, "r"), Vec::<Value>::new());
    // Another rule's results and exceptions stay.
    assert_eq!(compliance_of(&w, "other", "b00"), Some(ComplianceType::NonCompliant));
    assert_eq!(exceptions_of(&mut w, "other").len(), 1);
    // The name can be used again, without the old results.
    put_rule(&mut w, "r");
    let results = call_ok(&mut w, Operation::GetComplianceDetailsByConfigRule, json!({"ConfigRuleName": "r"}));
    assert_eq!(results, json!({"EvaluationResults": []}));
}

/// A-22: deletion is asynchronous (R-DCR-02). The model deletes at once (preferred), and a
/// target still deleting may show the rule as DELETING in DescribeConfigRules (R-PCR-24).
#[rstest]
#[case::all_rules(json!({}))]
#[case::by_name(json!({"ConfigRuleNames": ["r"]}))]
fn r_pcr_24_a_deleted_rule_may_still_be_described_as_deleting(#[case] body: Value) {
    let mut w = world_with_rule("r");
    put_rule(&mut w, "s");
    let shown = described(&mut w, "r");
    call_ok(&mut w, Operation::DeleteConfigRule, json!({"ConfigRuleName": "r"}));
    let before = w.clone();
    let outcome = call(&mut w, Operation::DescribeConfigRules, body.clone());
    let still = alternative(&outcome, "A-22", None);
    assert_eq!((still.provenance, still.code_level), (Level::May, Level::Must));
    let listed = body_of(still)["ConfigRules"].as_array().unwrap();
    let deleting = listed.iter().find(|r| r["ConfigRuleName"] == "r").expect("the deleting rule is listed");
    let mut expected = shown.clone();
    expected["ConfigRuleState"] = json!("DELETING");
    assert_eq!(deleting, &expected, "the same rule, Arn and Id, in the DELETING state");
    let i = outcome.alternatives.iter().position(|a| a.basis == "A-22").unwrap();
    assert!(exercised(&outcome, i).contains(&"R-PCR-24") && exercised(&outcome, i).contains(&"R-DCR-02"));
    assert!(!exercised(&outcome, 0).contains(&"R-PCR-24"));
    // Following the target that still deletes, it may show DELETING again; following the
    // preferred answer, the deletion is over and no alternative is left.
    assert_eq!(still.world.as_deref(), Some(&before));
    let mut again = before.clone();
    assert!(call(&mut again, Operation::DescribeConfigRules, body.clone()).alternatives.iter().any(|a| a.basis == "A-22"));
    assert!(call(&mut w, Operation::DescribeConfigRules, body).alternatives.iter().all(|a| a.basis != "A-22"));
}

#[test]
fn r_dcr_02_a_rule_being_deleted_refuses_delete_and_put() {
    let mut w = world_with_rule("r");
    call_ok(&mut w, Operation::DeleteConfigRule, json!({"ConfigRuleName": "r"}));
    let deleting = w.clone();
    // A second delete: gone for the model (preferred), in use for a target still deleting
    // (R-DCR-03, in the real service's words).
    let outcome = call(&mut w.clone(), Operation::DeleteConfigRule, json!({"ConfigRuleName": "r"}));
    assert_eq!(err(&outcome).code, ErrorCode::NoSuchConfigRuleException);
    let in_use = alternative(&outcome, "A-22", Some(ErrorCode::ResourceInUseException));
    assert_eq!((in_use.provenance, in_use.message_level), (Level::May, Level::Should));
    let Reply::Failure(e) = &in_use.reply else { unreachable!() };
    assert_eq!(e.message, "The rule r is currently being deleted. Please retry after some time.");
    assert_eq!(in_use.world.as_deref(), Some(&deleting));
    assert!(exercised(&outcome, 1).contains(&"R-DCR-03") && !exercised(&outcome, 1).contains(&"R-ERR-03"));
    assert!(exercised(&outcome, 0).contains(&"R-ERR-03"));
    // Creating the name again: created (preferred) or refused while the old one is deleted.
    let outcome = call(&mut w, Operation::PutConfigRule, rule_body("r"));
    assert_eq!(outcome.preferred().reply, Reply::Success(Value::Null));
    let refused = alternative(&outcome, "A-22", Some(ErrorCode::ResourceInUseException));
    assert_eq!(refused.world.as_deref(), Some(&deleting));
    assert!(exercised(&outcome, 1).contains(&"R-DCR-02"));
    // Once created, the old deletion is over: nothing DELETING is left to show.
    assert!(w.deleting_rule(&RuleName::new("r")).is_none());
    assert_eq!(call(&mut w, Operation::DescribeConfigRules, json!({})).alternatives.len(), 1);
    assert_eq!(call(&mut w, Operation::PutConfigRule, rule_body("r")).alternatives.len(), 1);
}

/// A-43: in an account whose deletions take time (here 30 s of the virtual clock), while the
/// model's deletion runs the preferred answers are those of a rule in DELETING: listed with
/// that state, a second delete and a put of the name refused as in use; the answers of a
/// finished deletion stay acceptable. Once the time is over, the preference turns.
#[test]
fn r_dcr_02_while_the_deletion_runs_the_rule_is_deleting() {
    let mut w = world();
    w.control(&Control::SetRuleDeletion { seconds: 30 }, T0);
    put_rule(&mut w, "r");
    let shown = described(&mut w, "r");
    call_ok(&mut w, Operation::DeleteConfigRule, json!({"ConfigRuleName": "r"}));
    advance(&mut w, 30_000 - 1);
    assert!(w.deletion_running(&RuleName::new("r")));
    let listed = call(&mut w, Operation::DescribeConfigRules, json!({"ConfigRuleNames": ["r"]}));
    let mut expected = shown.clone();
    expected["ConfigRuleState"] = json!("DELETING");
    assert_eq!(ok(&listed), json!({"ConfigRules": [expected]}));
    assert_eq!(listed.preferred().basis, "A-22");
    assert!(listed.alternatives.iter().skip(1).any(|a| a.reply.error_code() == Some(ErrorCode::NoSuchConfigRuleException)));
    let all = call_ok(&mut w, Operation::DescribeConfigRules, json!({}));
    assert_eq!(all["ConfigRules"][0]["ConfigRuleState"], "DELETING");
    let again = call(&mut w, Operation::DeleteConfigRule, json!({"ConfigRuleName": "r"}));
    assert_eq!(err(&again), ApiError::new(ErrorCode::ResourceInUseException, "The rule r is currently being deleted. Please retry after some time."));
    assert!(again.alternatives.iter().skip(1).any(|a| a.reply.error_code() == Some(ErrorCode::NoSuchConfigRuleException)));
    let put = call(&mut w, Operation::PutConfigRule, rule_body("r"));
    assert_eq!(err(&put).code, ErrorCode::ResourceInUseException);
    assert_eq!(put.preferred().world, None, "the refusal leaves the preferred state");
    assert!(put.alternatives.iter().skip(1).any(|a| a.reply == Reply::Success(Value::Null)));
    assert!(w.rule(&RuleName::new("r")).is_none(), "the preferred refusal made nothing");
    // Other calls already treat the rule as gone (A-43).
    let e = call_err(&mut w, Operation::GetComplianceDetailsByConfigRule, json!({"ConfigRuleName": "r"}));
    assert_eq!(e.code, ErrorCode::NoSuchConfigRuleException);
    // One millisecond later the deletion is over.
    advance(&mut w, 1);
    assert!(!w.deletion_running(&RuleName::new("r")));
    assert_eq!(err(&call(&mut w.clone(), Operation::DescribeConfigRules, json!({"ConfigRuleNames": ["r"]}))).code, ErrorCode::NoSuchConfigRuleException);
    assert_eq!(call(&mut w, Operation::PutConfigRule, rule_body("r")).preferred().reply, Reply::Success(Value::Null));
    // By default (and with 0 seconds) a deletion is over at once: A-22's preferred answers.
    let mut quick = world_with_rule("q");
    call_ok(&mut quick, Operation::DeleteConfigRule, json!({"ConfigRuleName": "q"}));
    assert!(!quick.deletion_running(&RuleName::new("q")));
    assert_eq!(err(&call(&mut quick, Operation::DeleteConfigRule, json!({"ConfigRuleName": "q"}))).code, ErrorCode::NoSuchConfigRuleException);
}

#[test]
fn r_dcr_02_an_unknown_name_beside_a_deleting_one_is_an_error_either_way() {
    let mut w = world_with_rule("r");
    call_ok(&mut w, Operation::DeleteConfigRule, json!({"ConfigRuleName": "r"}));
    let outcome = call(&mut w, Operation::DescribeConfigRules, json!({"ConfigRuleNames": ["r", "never"]}));
    assert!(outcome.alternatives.iter().all(|a| a.reply.error_code() == Some(ErrorCode::NoSuchConfigRuleException)));
    // Nothing was learnt about the deletion: it may still be shown later.
    assert!(w.deleting_rule(&RuleName::new("r")).is_some());
}

#[test]
fn r_dcrs_02_a_deleted_name_is_unknown_whatever_the_filters() {
    let mut w = world_with_rule("r");
    call_ok(&mut w, Operation::DeleteConfigRule, json!({"ConfigRuleName": "r"}));
    let body = json!({"ConfigRuleNames": ["r"], "Filters": {"EvaluationMode": "PROACTIVE"}});
    let outcome = call(&mut w, Operation::DescribeConfigRules, body);
    assert_eq!(err(&outcome).code, ErrorCode::NoSuchConfigRuleException);
    // Still deleting, the rule exists but the filter leaves it out.
    assert_eq!(body_of(alternative(&outcome, "A-22", None)), &json!({"ConfigRules": []}));
}

#[test]
fn r_dcr_03_a_rule_with_a_remediation_configuration_is_in_use() {
    let mut w = world_with_rule("r");
    put_configs(&mut w, vec![config("r", json!({}))]);
    let outcome = call(&mut w, Operation::DeleteConfigRule, json!({"ConfigRuleName": "r"}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-DCR-03")));
    let e = err(&outcome);
    assert_eq!(e.code, ErrorCode::ResourceInUseException);
    assert_eq!(e.message, "The rule r currently has a RemediationConfiguration. Please delete the RemediationConfiguration and try again.");
    assert!(w.rule(&RuleName::new("r")).is_some());
    // Delete the configuration first, then retry.
    call_ok(&mut w, Operation::DeleteRemediationConfiguration, json!({"ConfigRuleName": "r"}));
    call_ok(&mut w, Operation::DeleteConfigRule, json!({"ConfigRuleName": "r"}));
}

#[test]
fn r_err_07_resource_in_use() {
    let mut w = world_with_rule("r");
    put_configs(&mut w, vec![config("r", json!({}))]);
    let outcome = call(&mut w, Operation::DeleteConfigRule, json!({"ConfigRuleName": "r"}));
    assert_eq!(code(&outcome), Some(ErrorCode::ResourceInUseException));
    assert_eq!(outcome.alternatives.len(), 1);
    assert_eq!(outcome.preferred().message_level, Level::Should);
}

#[test]
fn r_err_03_no_such_config_rule() {
    let mut w = world();
    let e = call_err(&mut w, Operation::DeleteConfigRule, json!({"ConfigRuleName": "ghost"}));
    assert_eq!(e.code, ErrorCode::NoSuchConfigRuleException);
    assert_eq!(e.message, "The ConfigRule 'ghost' provided in the request is invalid. Please check the configRule name.");
    for (op, body) in [
        (Operation::GetComplianceDetailsByConfigRule, json!({"ConfigRuleName": "ghost"})),
        (Operation::DescribeComplianceByConfigRule, json!({"ConfigRuleNames": ["ghost"]})),
        (Operation::DescribeConfigRules, json!({"ConfigRuleNames": ["ghost"]})),
    ] {
        assert_eq!(call_err(&mut w, op, body).code, ErrorCode::NoSuchConfigRuleException, "{op}");
    }
}

// ------------------------------------------------------------------ DescribeConfigRules

#[test]
fn r_dcrs_01_named_rules_or_all_of_them() {
    let mut w = world();
    for n in ["c", "a", "b"] {
        put_rule(&mut w, n);
    }
    assert_eq!(names(&rules(&mut w, json!({}))), vec!["a", "b", "c"]);
    assert_eq!(names(&rules(&mut w, json!({"ConfigRuleNames": []}))), vec!["a", "b", "c"]);
    assert_eq!(names(&rules(&mut w, json!({"ConfigRuleNames": ["c", "a", "c"]}))), vec!["a", "c"]);
    // An unknown name is an error, in either observed wording (S-08).
    let outcome = call(&mut w, Operation::DescribeConfigRules, json!({"ConfigRuleNames": ["a", "zzz"]}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-DCRs-01")));
    let messages: Vec<String> = outcome
        .alternatives
        .iter()
        .map(|a| match &a.reply {
            Reply::Failure(e) if e.code == ErrorCode::NoSuchConfigRuleException => e.message.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        messages,
        vec![
            "The ConfigRule 'zzz' provided in the request is invalid. Please check the configRule name.",
            "One or more ConfigRules provided in the request are invalid. Please check the configRule names."
        ]
    );
    // A described rule has the members Config fills in.
    let r = described(&mut w, "a");
    for member in ["ConfigRuleName", "ConfigRuleArn", "ConfigRuleId", "Source", "ConfigRuleState", "EvaluationModes"] {
        assert!(r.get(member).is_some(), "{member} missing from {r}");
    }
}

#[test]
fn r_dcrs_02_filters_by_evaluation_mode_and_visibility() {
    let mut w = world();
    put_ok(&mut w, managed("detective"));
    put_ok(&mut w, with(managed("proactive"), json!({"EvaluationModes": [{"Mode": "PROACTIVE"}], "RuleEvaluationVisibility": "INTERNAL"})));
    put_ok(&mut w, with(managed("both"), json!({"EvaluationModes": [{"Mode": "DETECTIVE"}, {"Mode": "PROACTIVE"}], "RuleEvaluationVisibility": "EXTERNAL"})));
    assert_eq!(names(&rules(&mut w, json!({"Filters": {"EvaluationMode": "PROACTIVE"}}))), vec!["both", "proactive"]);
    assert_eq!(names(&rules(&mut w, json!({"Filters": {"EvaluationMode": "DETECTIVE"}}))), vec!["both", "detective"]);
    // A rule without a visibility is listed under either (nothing says otherwise).
    assert_eq!(names(&rules(&mut w, json!({"Filters": {"RuleEvaluationVisibility": "INTERNAL"}}))), vec!["detective", "proactive"]);
    assert_eq!(names(&rules(&mut w, json!({"Filters": {}}))), vec!["both", "detective", "proactive"]);
    assert_eq!(
        names(&rules(&mut w, json!({"Filters": {"EvaluationMode": "PROACTIVE", "RuleEvaluationVisibility": "EXTERNAL"}}))),
        vec!["both"]
    );
}

/// R-PCR-03, A-44: a managed rule's SourceIdentifier is checked against the published list:
/// unknown, refused in the real words (nothing made), its acceptance a MAY; every listed one
/// is accepted.
#[test]
fn r_pcr_03_managed_identifiers_are_checked_against_the_published_list() {
    let mut w = world();
    let body = json!({"ConfigRule": {"ConfigRuleName": "m", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLE"}}});
    let outcome = call(&mut w, Operation::PutConfigRule, body);
    assert_eq!(
        err(&outcome),
        ApiError::new(
            ErrorCode::InvalidParameterValueException,
            "The sourceIdentifier S3_BUCKET_VERSIONING_ENABLE is invalid. Please refer to the documentation for a list of valid sourceIdentifiers that can be used when AWS is the Owner."
        )
    );
    assert_eq!((outcome.preferred().provenance, outcome.preferred().message_level), (Level::Should, Level::Should));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PCR-03")));
    assert!(w.rule(&RuleName::new("m")).is_none());
    let accepted = &outcome.alternatives[1];
    assert_eq!((accepted.reply.clone(), accepted.provenance, accepted.basis), (Reply::Success(Value::Null), Level::May, "A-44"));
    assert!(accepted.world.as_deref().is_some_and(|s| s.rule(&RuleName::new("m")).is_some()));
    // Custom rules are not checked against the list.
    let custom = json!({"ConfigRule": {"ConfigRuleName": "c", "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": "arn:aws:lambda:us-east-1:123456789012:function:f"}}});
    assert_eq!(call(&mut w, Operation::PutConfigRule, custom).preferred().reply, Reply::Success(Value::Null));
    // Every listed identifier is accepted.
    for (i, id) in reference_model::managed_rules::identifiers().iter().enumerate() {
        let body = json!({"ConfigRule": {"ConfigRuleName": format!("listed-{i}"), "Source": {"Owner": "AWS", "SourceIdentifier": id}}});
        let outcome = call(&mut w, Operation::PutConfigRule, body);
        assert_eq!(outcome.preferred().reply, Reply::Success(Value::Null), "{id}");
        assert!(outcome.alternatives.iter().all(|a| a.basis != "A-44"), "{id}");
    }
    assert_eq!(w.rule_names().count(), reference_model::managed_rules::LIST_COUNT + 1);
}
