//! Cleanup against an account whose rule deletions take time: a rule left DELETING is
//! on its way out, so cleanup ends at once instead of retrying until its budget runs out and
//! naming the rule as left behind.

use reference_model::Operation;
use remediation_suite::profile::TargetProfile;
use reference_endpoint::{self as server, AccountOptions, ServerConfig};
use remediation_suite::target::{Endpoint, HttpTarget, SigningCredentials, Target, WireRequest};
use remediation_suite::teardown;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn call(target: &HttpTarget, op: Operation, body: Value) -> Value {
    let observed = target.call(&WireRequest::for_operation(op, body.to_string().into_bytes())).await.expect("an answer");
    assert_eq!(observed.status, 200, "{op:?}: {observed:?}");
    serde_json::from_slice(&observed.body).unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_left_deleting_is_not_a_leftover() {
    let account = AccountOptions { rule_deletion_seconds: 300, ..AccountOptions::default() };
    let server = server::start_with(ServerConfig::default(), ([127, 0, 0, 1], 0).into(), account).await.expect("the endpoint starts");
    let endpoint = Endpoint { url: server.url.clone(), region: "us-east-1".into(), credentials: SigningCredentials::local(), timeout: Duration::from_secs(10) };
    // As a foreign target: no control, no clock, so nobody ends the deletion for the suite.
    let target = HttpTarget::new(endpoint, TargetProfile::builtin("generic").expect("built-in profile")).expect("a target");
    let rule = "rsuite-00000001-deleting";
    let config_rule = json!({"ConfigRule": {"ConfigRuleName": rule, "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}});
    call(&target, Operation::PutConfigRule, config_rule).await;
    // The scenario deleted it; cleanup then meets a second delete's ResourceInUseException.
    call(&target, Operation::DeleteConfigRule, json!({"ConfigRuleName": rule})).await;

    let started = Instant::now();
    let cleaned = teardown::delete_rule(&target, rule, None, Duration::from_secs(20)).await;
    assert!(cleaned.is_ok(), "a DELETING rule is gone for the suite: {cleaned:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "no retrying until the budget ends: {:?}", started.elapsed());

    // The account still lists it as DELETING: cleanup did not pretend, the rule is on its way out.
    let listed = call(&target, Operation::DescribeConfigRules, json!({"ConfigRuleNames": [rule]})).await;
    assert_eq!(listed["ConfigRules"][0]["ConfigRuleState"], "DELETING", "{listed}");
    server.shutdown().await;
}
