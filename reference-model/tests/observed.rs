//! The cases of `fixtures/real-service/observed.json` (the repository's copy of the team's
//! file; see its SOURCE.md) the model can express, one test per case id
//! (requests as recorded; placeholders such as `<n>` filled in). Each holds as a SHOULD-level
//! fact of the real service.

mod common;

use common::*;
use reference_model::names::RuleName;
use reference_model::{handle, ApiError, Control, ErrorCode, Level, Operation, Reply, Timestamp, World};
use serde_json::{json, Value};

const MANAGED_RULE: &str = "test-enable-config-managed-rule";

/// The request of rc-put-ok, verbatim.
fn rc_put_ok_request() -> Value {
    json!({"RemediationConfigurations": [{
        "ConfigRuleName": MANAGED_RULE,
        "TargetType": "SSM_DOCUMENT",
        "TargetId": "AWS-DisableS3BucketPublicReadWrite",
        "Automatic": true,
        "MaximumAutomaticAttempts": 5,
        "RetryAttemptSeconds": 211,
        "Parameters": {
            "AutomationAssumeRole": {"StaticValue": {"Values": ["arn:aws:iam::644160558196:role/myrole"]}},
            "S3BucketName": {"ResourceValue": {"Value": "RESOURCE_ID"}}
        }
    }]})
}

/// The precondition of rc-put-ok: the managed rule S3_BUCKET_PUBLIC_WRITE_PROHIBITED scoped to buckets.
fn with_managed_rule() -> World {
    let mut w = world();
    let outcome = call(
        &mut w,
        Operation::PutConfigRule,
        json!({"ConfigRule": {"ConfigRuleName": MANAGED_RULE, "Scope": {"ComplianceResourceTypes": [BUCKET]},
            "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_PUBLIC_WRITE_PROHIBITED"}}}),
    );
    assert_eq!(outcome.preferred().reply, Reply::Success(Value::Null));
    w
}

/// R-PRC-01: the recorded response of a successful put.
#[test]
fn observed_rc_put_ok() {
    let mut w = with_managed_rule();
    let outcome = call(&mut w, Operation::PutRemediationConfigurations, rc_put_ok_request());
    assert_eq!(outcome.alternatives.len(), 1);
    assert_eq!(outcome.preferred().reply, Reply::Success(json!({"FailedBatches": []})));
    assert_eq!(outcome.preferred().reply.status(), 200);
    // The wire body is exactly `{"FailedBatches":[]}`.
    let Reply::Success(body) = &outcome.preferred().reply else { unreachable!() };
    assert_eq!(body.to_string(), r#"{"FailedBatches":[]}"#);
}

/// R-DRC-01, R-RC-13: Describe echoes what was sent, plus the Arn, and nothing else.
#[test]
fn observed_rc_describe_echo() {
    let mut w = with_managed_rule();
    call_ok(&mut w, Operation::PutRemediationConfigurations, rc_put_ok_request());
    let body = call_ok(&mut w, Operation::DescribeRemediationConfigurations, json!({"ConfigRuleNames": [MANAGED_RULE]}));
    let configs = body["RemediationConfigurations"].as_array().unwrap();
    assert_eq!(configs.len(), 1);
    let arn = configs[0]["Arn"].as_str().unwrap();
    assert_remediation_arn(arn, MANAGED_RULE);
    let mut expected = rc_put_ok_request()["RemediationConfigurations"][0].clone();
    expected["Arn"] = json!(arn);
    assert_eq!(configs[0], expected);
    // The members the observed response does not have.
    for absent in ["TargetVersion", "ResourceType", "ExecutionControls", "CreatedByService"] {
        assert_eq!(configs[0].get(absent), None, "{absent}");
    }
    // The observed member order.
    let order: Vec<&str> = configs[0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        order,
        vec!["ConfigRuleName", "TargetType", "TargetId", "Parameters", "Automatic", "MaximumAutomaticAttempts", "RetryAttemptSeconds", "Arn"]
    );
}

/// R-DelRC-01, R-DelRC-05: delete after the put answers `{}`.
#[test]
fn observed_rc_delete_ok() {
    let mut w = with_managed_rule();
    call_ok(&mut w, Operation::PutRemediationConfigurations, rc_put_ok_request());
    // The put made automatic remediation possible, but no resource is NON_COMPLIANT: nothing runs.
    assert_eq!(w.executions().count(), 0);
    let outcome = call(&mut w, Operation::DeleteRemediationConfiguration, json!({"ConfigRuleName": MANAGED_RULE}));
    assert_eq!(outcome.preferred().reply, Reply::Success(json!({})));
    assert!(w.remediation(&RuleName::new(MANAGED_RULE)).is_none());
}

/// R-DCR-03: the quoted ResourceInUseException text.
#[test]
fn observed_rule_delete_with_rc() {
    let rule = "iam-user-unused-credentials-check";
    let mut w = world_with_rule(rule);
    put_configs(&mut w, vec![config(rule, json!({}))]);
    let outcome = call(&mut w, Operation::DeleteConfigRule, json!({"ConfigRuleName": rule}));
    let e = err(&outcome);
    assert_eq!(e.code, ErrorCode::ResourceInUseException);
    assert_eq!(outcome.preferred().reply.status(), 400);
    assert_eq!(
        e.message,
        "The rule iam-user-unused-credentials-check currently has a RemediationConfiguration. Please delete the RemediationConfiguration and try again."
    );
    // message_pattern: ^The rule (\S+) currently has a RemediationConfiguration\. Please delete the RemediationConfiguration and try again\.$
    let name = e
        .message
        .strip_prefix("The rule ")
        .and_then(|m| m.strip_suffix(" currently has a RemediationConfiguration. Please delete the RemediationConfiguration and try again."))
        .expect("the message matches the observed pattern");
    assert!(!name.is_empty() && !name.chars().any(char::is_whitespace), "{name}");
    assert_eq!(name, rule);
    assert_eq!(outcome.preferred().message_level, Level::Should);
    assert_eq!(outcome.preferred().basis, "rule-delete-with-rc");
}

/// R-DRC-01 (M-04): the retry fields are stored as sent even though remediation is manual.
#[test]
fn observed_rc_manual_stores_retry_fields() {
    let rule = "Original-tf-acc-test-4242";
    let mut w = world_with_rule(rule);
    let sent = json!({
        "ConfigRuleName": rule,
        "ResourceType": BUCKET,
        "TargetId": "AWS-EnableS3BucketEncryption",
        "TargetType": "SSM_DOCUMENT",
        "TargetVersion": "1",
        "Parameters": {
            "AutomationAssumeRole": {"StaticValue": {"Values": ["arn:aws:iam::123456789012:role/tf-acc"]}},
            "BucketName": {"ResourceValue": {"Value": "RESOURCE_ID"}},
            "SSEAlgorithm": {"StaticValue": {"Values": ["AES256"]}}
        },
        "MaximumAutomaticAttempts": 24,
        "RetryAttemptSeconds": 2_677_999,
        "ExecutionControls": {"SsmControls": {"ConcurrentExecutionRatePercentage": 99, "ErrorPercentage": 99}}
    });
    put_configs(&mut w, vec![sent.clone()]);
    let body = call_ok(&mut w, Operation::DescribeRemediationConfigurations, json!({"ConfigRuleNames": [rule]}));
    let stored = &body["RemediationConfigurations"][0];
    for member in ["MaximumAutomaticAttempts", "RetryAttemptSeconds", "ExecutionControls", "TargetVersion", "ResourceType", "Parameters"] {
        assert_eq!(stored[member], sent[member], "{member}");
    }
    assert_eq!(stored.get("Automatic"), None, "Automatic was omitted and must stay omitted");
}

/// R-PE-06 (validation): the exact message of an unknown ComplianceType.
#[test]
fn observed_pe_bad_compliance_type() {
    let mut w = world_with_rule("r");
    let t = token(&mut w, "r");
    let body = json!({
        "Evaluations": [{
            "ComplianceResourceType": "AWS::::Account",
            "ComplianceResourceId": "123456789012",
            "ComplianceType": "ERROR",
            "Annotation": "Bedrock invocation logging is not configured",
            "OrderingTimestamp": 1_767_225_600
        }],
        "ResultToken": t
    });
    let before = w.clone();
    let outcome = call(&mut w, Operation::PutEvaluations, body);
    assert_eq!(
        outcome.preferred().reply,
        Reply::Failure(ApiError::new(
            ErrorCode::ValidationException,
            "1 validation error detected: Value 'ERROR' at 'evaluations.1.member.complianceType' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, NON_COMPLIANT, NOT_APPLICABLE, COMPLIANT]"
        ))
    );
    assert_eq!(outcome.preferred().reply.status(), 400);
    assert_eq!(w, before);
}

/// R-PE-01, R-PE-11: success answers an empty FailedEvaluations list, 24 bytes on the wire.
#[test]
fn observed_pe_success() {
    let mut w = world_with_rule("appelb-checker");
    let t = token(&mut w, "appelb-checker");
    // OrderingTimestamp 2018-09-14T10:38:48.177Z as the SDK sends it: epoch seconds.
    let body = json!({
        "Evaluations": [{
            "ComplianceResourceType": "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "ComplianceResourceId": "arn:aws:elasticloadbalancing:us-east-1:644160558196:loadbalancer/app/test/7299960b1f36557d",
            "ComplianceType": "NON_COMPLIANT",
            "Annotation": "Resource is not compliant with policy:appelb-checker",
            "OrderingTimestamp": 1_536_921_528.177
        }],
        "ResultToken": t
    });
    let outcome = handle(&mut w, Operation::PutEvaluations, body.to_string().as_bytes(), Timestamp::from_seconds(1_536_921_530));
    let Reply::Success(reply) = &outcome.preferred().reply else { panic!("{:?}", outcome.preferred().reply) };
    let raw = reply.to_string();
    assert_eq!(raw, r#"{"FailedEvaluations":[]}"#);
    assert_eq!(raw.len(), 24, "content-length");
    let results = call_ok(&mut w, Operation::GetComplianceDetailsByConfigRule, json!({"ConfigRuleName": "appelb-checker"}));
    assert_eq!(results["EvaluationResults"][0]["ComplianceType"], "NON_COMPLIANT");
    assert_eq!(results["EvaluationResults"][0]["EvaluationResultIdentifier"]["OrderingTimestamp"], json!(1_536_921_528.177));
}

/// R-PCR-10: without a configuration recorder, the quoted error.
#[test]
fn observed_rule_put_no_recorder() {
    let mut w = world();
    w.control(&Control::SetRecorder { available: false }, T0);
    let outcome = call(
        &mut w,
        Operation::PutConfigRule,
        json!({"ConfigRule": {"ConfigRuleName": "s3-bucket-versioning", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}}),
    );
    assert_eq!(
        outcome.preferred().reply,
        Reply::Failure(ApiError::new(
            ErrorCode::NoAvailableConfigurationRecorderException,
            "You must create a configuration recorder before you can create or update a Config rule."
        ))
    );
    assert_eq!(outcome.preferred().reply.status(), 400);
    assert_eq!(outcome.preferred().message_level, Level::Should);
    assert!(w.rule(&RuleName::new("s3-bucket-versioning")).is_none());
}

/// The case ids of observed.json the model expresses.
const KNOWN_CASES: [&str; 8] = reference_model::clauses::OBSERVED_CASES;

#[test]
fn every_observed_case_has_a_test() {
    let source = include_str!("observed.rs");
    // Every case of the repository's copy needs a test here, and the model's list must be
    // exactly those cases. A missing copy is a failure, never a smaller check.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/real-service/observed.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let cases: Value = serde_json::from_str(&text).expect("observed.json is JSON");
    let ids: Vec<String> = cases
        .as_array()
        .expect("observed.json is an array")
        .iter()
        .map(|c| c["id"].as_str().expect("every case has an id").to_owned())
        .collect();
    let mut sorted_ids = ids.clone();
    sorted_ids.sort();
    let mut known: Vec<String> = KNOWN_CASES.iter().map(|s| s.to_string()).collect();
    known.sort();
    assert_eq!(sorted_ids, known, "OBSERVED_CASES must list exactly the cases of {}", path.display());
    for id in ids {
        let name = format!("fn observed_{}", id.replace('-', "_"));
        assert!(source.contains(&name), "observed case {id} has no test {name}");
    }
}
