//! Helpers shared by the integration tests of the reference model: worlds with rules, calls
//! through the whole request pipeline, and short ways to read an [`Outcome`].
#![allow(dead_code)]

use reference_model::auto::ExecutionState;
use reference_model::names::{ResourceRef, RuleName};
use reference_model::{handle_value, Alternative, ApiError, ComplianceType, Control, ErrorCode, Millis, Operation, Outcome, Reply, Timestamp, World};
use serde_json::{json, Value};

/// Where every test world's clock starts.
pub const T0: Timestamp = Timestamp::EPOCH_2026;
pub const BUCKET: &str = "AWS::S3::Bucket";
pub const ROLE: &str = "arn:aws:iam::123456789012:role/remediation";

/// A fresh reference world (account 123456789012, us-east-1) at [`T0`].
pub fn world() -> World {
    World::reference(T0)
}

/// The body of a PutConfigRule request for a managed rule.
pub fn rule_body(name: &str) -> Value {
    json!({"ConfigRule": {"ConfigRuleName": name, "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}})
}

/// Creates a managed rule and asserts that it worked.
pub fn put_rule(world: &mut World, name: &str) {
    let outcome = call(world, Operation::PutConfigRule, rule_body(name));
    assert_eq!(outcome.preferred().reply, Reply::Success(Value::Null), "PutConfigRule {name}");
}

/// A fresh world holding one managed rule.
pub fn world_with_rule(name: &str) -> World {
    let mut w = world();
    put_rule(&mut w, name);
    w
}

/// One request through validation and the operation, at the world's current time.
pub fn call(world: &mut World, op: Operation, body: Value) -> Outcome {
    let outcome = handle_value(world, op, &body);
    assert!(!outcome.alternatives.is_empty(), "{op}: an outcome without alternatives");
    outcome
}

/// The preferred reply's body, which must be a success.
pub fn ok(outcome: &Outcome) -> Value {
    match &outcome.preferred().reply {
        Reply::Success(v) => v.clone(),
        Reply::Failure(e) => panic!("expected success, got {e}"),
    }
}

/// The preferred reply's error, which must be a failure.
pub fn err(outcome: &Outcome) -> ApiError {
    match &outcome.preferred().reply {
        Reply::Failure(e) => e.clone(),
        Reply::Success(v) => panic!("expected an error, got success {v}"),
    }
}

/// The preferred reply's error code, or `None` for a success.
pub fn code(outcome: &Outcome) -> Option<ErrorCode> {
    outcome.preferred().reply.error_code()
}

/// Calls `op` and returns the successful body.
pub fn call_ok(world: &mut World, op: Operation, body: Value) -> Value {
    ok(&call(world, op, body))
}

/// Calls `op` and returns the error of the preferred reply.
pub fn call_err(world: &mut World, op: Operation, body: Value) -> ApiError {
    err(&call(world, op, body))
}

/// Records an evaluation through the control API (as the rule's Lambda function would).
pub fn set_compliance(world: &mut World, rule: &str, id: &str, compliance: ComplianceType) {
    let now = world.now();
    let answer = world.control(
        &Control::SetCompliance {
            rule: rule.into(),
            resource_type: BUCKET.into(),
            resource_id: id.into(),
            compliance,
            annotation: None,
        },
        now,
    );
    assert_eq!(answer.error, None);
}

/// A ResultToken for a rule, as Config hands one to the rule's Lambda function.
pub fn token(world: &mut World, rule: &str) -> String {
    let now = world.now();
    world.control(&Control::IssueResultToken { rule: rule.into() }, now).result_token.expect("token issued")
}

/// The compliance of a bucket under a rule, as stored.
pub fn compliance_of(world: &World, rule: &str, id: &str) -> Option<ComplianceType> {
    world.compliance(&RuleName::new(rule), &ResourceRef::new(BUCKET, id))
}

/// An exception key (`ResourceType`/`ResourceId`) for a bucket.
pub fn exc_key(id: &str) -> Value {
    json!({"ResourceType": BUCKET, "ResourceId": id})
}

/// An execution key (`resourceType`/`resourceId`) for a bucket.
pub fn exec_key(id: &str) -> Value {
    json!({"resourceType": BUCKET, "resourceId": id})
}

/// A minimal manual remediation configuration for a rule, with `extra` members merged in.
pub fn config(rule: &str, extra: Value) -> Value {
    let mut c = json!({"ConfigRuleName": rule, "TargetType": "SSM_DOCUMENT", "TargetId": "AWS-EnableS3BucketEncryption"});
    merge(&mut c, extra);
    c
}

/// An automatic configuration (with the AutomationAssumeRole it needs), `extra` merged in.
pub fn auto_config(rule: &str, extra: Value) -> Value {
    let mut c = config(
        rule,
        json!({
            "Automatic": true,
            "Parameters": {
                "AutomationAssumeRole": {"StaticValue": {"Values": [ROLE]}},
                "BucketName": {"ResourceValue": {"Value": "RESOURCE_ID"}}
            }
        }),
    );
    merge(&mut c, extra);
    c
}

/// Merges the members of `extra` (an object) into `target`.
pub fn merge(target: &mut Value, extra: Value) {
    if let (Some(t), Value::Object(e)) = (target.as_object_mut(), extra) {
        t.extend(e);
    }
}

/// Puts configurations and asserts the documented success body.
pub fn put_configs(world: &mut World, configs: Vec<Value>) {
    let body = call_ok(world, Operation::PutRemediationConfigurations, json!({"RemediationConfigurations": configs}));
    assert_eq!(body, json!({"FailedBatches": []}));
}

/// Moves the world's clock forward by `ms` milliseconds.
pub fn advance(world: &mut World, ms: i64) {
    let t = world.now() + Millis(ms);
    world.advance_to(t);
}

/// Seconds since the epoch of an instant, as the wire carries it.
pub fn secs(t: Timestamp) -> i64 {
    t.millis() / 1000
}

/// The execution state of a bucket's latest execution under a rule.
pub fn state_of(world: &World, rule: &str, id: &str) -> Option<ExecutionState> {
    world.execution(&RuleName::new(rule), &ResourceRef::new(BUCKET, id)).map(|e| e.state())
}

/// DescribeRemediationExecutionStatus for the whole rule (all pages), as JSON statuses.
pub fn statuses(world: &mut World, rule: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut body = json!({"ConfigRuleName": rule});
        if let Some(t) = &next {
            body["NextToken"] = json!(t);
        }
        let page = call_ok(world, Operation::DescribeRemediationExecutionStatus, body);
        out.extend(page["RemediationExecutionStatuses"].as_array().unwrap().iter().cloned());
        match page.get("NextToken").and_then(Value::as_str) {
            Some(t) => next = Some(t.to_owned()),
            None => return out,
        }
    }
}

/// The state of every status, keyed by resource id.
pub fn states_by_id(world: &mut World, rule: &str) -> Vec<(String, String)> {
    statuses(world, rule)
        .iter()
        .map(|s| (s["ResourceKey"]["resourceId"].as_str().unwrap().to_owned(), s["State"].as_str().unwrap().to_owned()))
        .collect()
}

/// The exceptions of a rule as DescribeRemediationExceptions lists them (first page, Limit 100).
pub fn exceptions_of(world: &mut World, rule: &str) -> Vec<Value> {
    let body = call_ok(world, Operation::DescribeRemediationExceptions, json!({"ConfigRuleName": rule, "Limit": 100}));
    body["RemediationExceptions"].as_array().unwrap().clone()
}

/// Bucket ids `b00`, `b01`, …
pub fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("b{i:02}")).collect()
}

/// A rule with `n` NON_COMPLIANT buckets `b00..`.
pub fn world_with_non_compliant(rule: &str, n: usize) -> World {
    let mut w = world_with_rule(rule);
    for id in ids(n) {
        set_compliance(&mut w, rule, &id, ComplianceType::NonCompliant);
    }
    w
}

/// Checks that an Arn has the remediation-configuration format with a version-4 UUID.
pub fn assert_remediation_arn(arn: &str, rule: &str) {
    let prefix = format!("arn:aws:config:us-east-1:123456789012:remediation-configuration/{rule}/");
    let uuid = arn.strip_prefix(&prefix).unwrap_or_else(|| panic!("{arn} does not start with {prefix}"));
    let groups: Vec<&str> = uuid.split('-').collect();
    assert_eq!(groups.iter().map(|g| g.len()).collect::<Vec<_>>(), vec![8, 4, 4, 4, 12], "{uuid}");
    assert!(uuid.chars().all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{uuid}");
    assert!(groups[2].starts_with('4'), "not a version-4 UUID: {uuid}");
    assert!(matches!(groups[3].chars().next(), Some('8' | '9' | 'a' | 'b')), "not an RFC 4122 variant: {uuid}");
}

/// The rules exercised when a target gives alternative `i` of an outcome: the outcome's own
/// and that alternative's `covers`.
pub fn exercised(outcome: &Outcome, i: usize) -> Vec<&'static str> {
    outcome.clauses.iter().chain(&outcome.alternatives[i].covers).map(|id| id.as_str()).collect()
}

/// The alternative with this basis (ASSUMPTIONS.md id) and error code (`None`: a success),
/// which must be unique.
pub fn alternative<'a>(outcome: &'a Outcome, basis: &str, code: Option<ErrorCode>) -> &'a Alternative {
    let found: Vec<&Alternative> =
        outcome.alternatives.iter().filter(|a| a.basis == basis && a.reply.error_code() == code).collect();
    assert_eq!(found.len(), 1, "alternatives with basis {basis} and code {code:?}: {:#?}", outcome.alternatives);
    found[0]
}

/// The body of a success alternative.
pub fn body_of(alternative: &Alternative) -> &Value {
    match &alternative.reply {
        Reply::Success(v) => v,
        Reply::Failure(e) => panic!("expected a success alternative, got {e}"),
    }
}

/// The state a target that gave `alternative` is in, given the preferred one's.
pub fn world_after<'a>(alternative: &'a Alternative, preferred: &'a World) -> &'a World {
    alternative.world.as_deref().unwrap_or(preferred)
}

/// A body of a recorder or delivery channel call with every input member present and valid
/// (for the boundary, attribution and property tests).
pub fn account_setup_body(op: Operation) -> Value {
    match op {
        Operation::PutConfigurationRecorder => json!({"ConfigurationRecorder": {
            "arn": "arn:aws:config:us-east-1:123456789012:configuration-recorder/default/x",
            "name": "default", "roleARN": "arn:aws:iam::123456789012:role/config",
            "recordingGroup": {"allSupported": false, "includeGlobalResourceTypes": false,
                               "resourceTypes": ["AWS::S3::Bucket"], "exclusionByResourceTypes": {"resourceTypes": ["AWS::EC2::VPC"]},
                               "recordingStrategy": {"useOnly": "INCLUSION_BY_RESOURCE_TYPES"}},
            "recordingMode": {"recordingFrequency": "CONTINUOUS", "recordingModeOverrides": [
                {"description": "d", "resourceTypes": ["AWS::S3::Bucket"], "recordingFrequency": "DAILY"}]},
            "recordingScope": "PAID", "servicePrincipal": "config.amazonaws.com",
            "connectorArn": "arn:aws:config:us-east-1:123456789012:connector/c",
            "scopeConfiguration": {"scopeType": "t", "scopeValues": ["v"], "allRegions": false, "includedRegions": ["r"]}
        }, "Tags": [{"Key": "k", "Value": "v"}]}),
        Operation::DescribeConfigurationRecorders | Operation::DescribeConfigurationRecorderStatus => json!({
            "ConfigurationRecorderNames": ["default"], "ServicePrincipal": "config.amazonaws.com",
            "Arn": "arn:aws:config:us-east-1:123456789012:configuration-recorder/default/x"
        }),
        Operation::StartConfigurationRecorder | Operation::StopConfigurationRecorder | Operation::DeleteConfigurationRecorder => {
            json!({"ConfigurationRecorderName": "default"})
        }
        Operation::PutDeliveryChannel => json!({"DeliveryChannel": {
            "name": "default", "s3BucketName": "b", "s3KeyPrefix": "p", "s3KmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k",
            "snsTopicARN": "arn:aws:sns:us-east-1:123456789012:t", "configSnapshotDeliveryProperties": {"deliveryFrequency": "One_Hour"}
        }}),
        Operation::DescribeDeliveryChannels => json!({"DeliveryChannelNames": ["default"]}),
        Operation::DeleteDeliveryChannel => json!({"DeliveryChannelName": "default"}),
        other => panic!("{other} is not a recorder or delivery channel call"),
    }
}
