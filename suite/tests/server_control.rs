//! The control API under `/_reference/`: health, the clock, control actions, reset, and its
//! error answers; plus an execution driven to completion by the virtual clock.

mod support;

use reference_endpoint::{ClockMode, ServerConfig};
use reqwest::Method;
use rstest::rstest;
use serde_json::{json, Value};
use support::*;

const EPOCH_2026: f64 = 1_767_225_600.0;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_ok() {
    let server = serve(ServerConfig::default()).await;
    let answer = control_raw(&client(), &server.url, Method::GET, "health", None).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.json(), json!({"status": "ok"}));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn virtual_clock_moves_only_when_told() {
    let server = serve(ServerConfig::default()).await;
    let client = client();
    let now = |a: &Answer| a.json()["now"].as_f64().expect("now");
    let answer = control_raw(&client, &server.url, Method::GET, "clock", None).await;
    assert_eq!(answer.json(), json!({"now": 1_767_225_600}));
    assert_eq!(advance(&client, &server.url, 90.0).await, EPOCH_2026 + 90.0);
    assert_eq!(advance(&client, &server.url, 0.5).await, EPOCH_2026 + 90.5);
    let answer = control_raw(&client, &server.url, Method::POST, "clock", Some(r#"{"set": 1767230000}"#)).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(now(&answer), 1_767_230_000.0);
    let answer = control_raw(&client, &server.url, Method::GET, "clock", None).await;
    assert_eq!(now(&answer), 1_767_230_000.0);
    server.shutdown().await;
}

#[rstest]
#[case::backwards(r#"{"set": 1767225599}"#, "never moves backwards")]
#[case::negative_advance(r#"{"advance_seconds": -1}"#, "advance_seconds must be between 0")]
#[case::both_members(r#"{"advance_seconds": 1, "set": 1767230000}"#, "exactly one")]
#[case::no_member("{}", "exactly one")]
#[case::unknown_member(r#"{"advance": 1}"#, "unknown field")]
#[case::not_json("soon", "expected {\"advance_seconds\": N}")]
#[case::string_seconds(r#"{"advance_seconds": "5"}"#, "invalid type")]
#[case::absurd_time(r#"{"set": 1e300}"#, "set must be epoch seconds")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clock_changes_that_are_refused(#[case] body: &str, #[case] message: &str) {
    let server = serve(ServerConfig::default()).await;
    let client = client();
    let answer = control_raw(&client, &server.url, Method::POST, "clock", Some(body)).await;
    assert_eq!(answer.status, 400, "{body}: {}", answer.text());
    let error = answer.json()["error"].as_str().unwrap_or_default().to_owned();
    assert!(error.contains(message), "{body}: {error:?} lacks {message:?}");
    // The clock did not move.
    let answer = control_raw(&client, &server.url, Method::GET, "clock", None).await;
    assert_eq!(answer.json(), json!({"now": 1_767_225_600}));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wall_clock_reads_system_time_and_can_be_pushed_forward() {
    let server = serve(ServerConfig { clock: ClockMode::Wall, ..ServerConfig::default() }).await;
    let client = client();
    let system = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_secs_f64();
    let answer = control_raw(&client, &server.url, Method::GET, "clock", None).await;
    let now = answer.json()["now"].as_f64().expect("now");
    assert!((now - system).abs() < 60.0, "{now} vs system {system}");
    let later = advance(&client, &server.url, 86_400.0).await;
    assert!(later >= now + 86_400.0 && later < now + 86_400.0 + 60.0, "{later} after {now}");
    server.shutdown().await;
}

#[rstest]
#[case::unknown_rule(json!({"action": "set_compliance", "rule": "nope", "resource_type": "AWS::S3::Bucket", "resource_id": "b", "compliance": "NON_COMPLIANT"}), "no Config rule named nope")]
#[case::token_for_unknown_rule(json!({"action": "issue_result_token", "rule": "nope"}), "no Config rule named nope")]
#[case::service_linked_unknown_rule(json!({"action": "mark_service_linked", "rule": "nope", "service": "securityhub.amazonaws.com"}), "no Config rule named nope")]
#[case::unknown_action(json!({"action": "launch_rockets"}), "not a control action")]
#[case::no_action(json!({"rule": "r"}), "not a control action")]
#[case::bad_compliance(json!({"action": "set_compliance", "rule": "r", "resource_type": "AWS::S3::Bucket", "resource_id": "b", "compliance": "MOSTLY"}), "not a control action")]
#[case::missing_member(json!({"action": "set_recorder"}), "missing field `available`")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_actions_that_are_refused(#[case] action: Value, #[case] message: &str) {
    let server = serve(ServerConfig::default()).await;
    let answer = control_raw(&client(), &server.url, Method::POST, "control", Some(&action.to_string())).await;
    assert_eq!(answer.status, 400, "{action}: {}", answer.text());
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let error = answer.json()["error"].as_str().unwrap_or_default().to_owned();
    assert!(error.contains(message), "{action}: {error:?} lacks {message:?}");
    server.shutdown().await;
}

#[rstest]
#[case::unknown_route(Method::GET, "nowhere", 404, "no control route /_reference/nowhere")]
#[case::nested_unknown_route(Method::POST, "clock/extra", 404, "no control route")]
#[case::health_by_post(Method::POST, "health", 405, "use GET")]
#[case::reset_by_get(Method::GET, "reset", 405, "use POST")]
#[case::control_by_delete(Method::DELETE, "control", 405, "use POST")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_routes_and_methods(#[case] method: Method, #[case] path: &str, #[case] status: u16, #[case] message: &str) {
    let server = serve(ServerConfig::default()).await;
    let answer = control_raw(&client(), &server.url, method.clone(), path, None).await;
    assert_eq!(answer.status, status, "{method} {path}: {}", answer.text());
    let error = answer.json()["error"].as_str().unwrap_or_default().to_owned();
    assert!(error.contains(message), "{error:?} lacks {message:?}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn result_token_from_the_control_api_is_accepted_by_put_evaluations() {
    let server = serve(ServerConfig::default()).await;
    let client = client();
    ok(&client, &server.url, "PutConfigRule", &rule_body("r1")).await;
    let answer = control(&client, &server.url, &json!({"action": "issue_result_token", "rule": "r1"})).await;
    let token = answer["ResultToken"].as_str().expect("a ResultToken").to_owned();
    let evaluation = json!({"ComplianceResourceType": "AWS::S3::Bucket", "ComplianceResourceId": "b1",
                            "ComplianceType": "NON_COMPLIANT", "OrderingTimestamp": 1_767_225_600});
    let put = ok(&client, &server.url, "PutEvaluations", &json!({"Evaluations": [evaluation], "ResultToken": token})).await;
    assert_eq!(put, json!({"FailedEvaluations": []}));
    let details = ok(&client, &server.url, "GetComplianceDetailsByConfigRule", &json!({"ConfigRuleName": "r1"})).await;
    let results = details["EvaluationResults"].as_array().expect("EvaluationResults");
    assert_eq!(results.len(), 1, "{details}");
    assert_eq!(results[0]["ComplianceType"], "NON_COMPLIANT");

    // A made-up token is refused by the model.
    let answer = call(&client, &server.url, "PutEvaluations", &json!({"Evaluations": [], "ResultToken": "forged"})).await;
    assert_eq!(answer.status, 400, "{}", answer.text());
    assert_eq!(answer.error_type(), "InvalidResultTokenException");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_gives_a_fresh_account_and_clock() {
    let server = serve(ServerConfig::default()).await;
    let client = client();
    rule_with_non_compliant(&client, &server.url, "r1", &["b1".to_owned()]).await;
    advance(&client, &server.url, 3600.0).await;
    let answer = control_raw(&client, &server.url, Method::POST, "reset", None).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.json(), json!({"now": 1_767_225_600}));
    assert_eq!(ok(&client, &server.url, "DescribeConfigRules", &json!({})).await, json!({"ConfigRules": []}));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_linked_rule_refuses_exceptions() {
    let server = serve(ServerConfig::default()).await;
    let client = client();
    rule_with_non_compliant(&client, &server.url, "r1", &["b1".to_owned()]).await;
    ok(&client, &server.url, "PutRemediationConfigurations", &remediation_body("r1")).await;
    let answer = control(&client, &server.url, &json!({"action": "mark_service_linked", "rule": "r1", "service": "securityhub.amazonaws.com"})).await;
    assert_eq!(answer, json!({}));
    let answer = call(&client, &server.url, "PutRemediationExceptions",
        &json!({"ConfigRuleName": "r1", "ResourceKeys": exception_keys(&["b1".to_owned()])})).await;
    assert_eq!(answer.status, 400, "{}", answer.text());
    assert_eq!(answer.error_type(), "InvalidParameterValueException");
    server.shutdown().await;
}

/// The life of a manual execution on the virtual clock: queued for 1 s, running for 2 s, then
/// SUCCEEDED (or FAILED when SSM is scripted to fail).
#[rstest]
#[case::succeeds(None, "SUCCEEDED")]
#[case::scripted_failure(Some(json!([{"result": "fail", "message": "Access denied"}])), "FAILED")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn execution_finishes_when_the_clock_is_advanced(#[case] script: Option<Value>, #[case] final_state: &str) {
    let server = serve(ServerConfig::default()).await;
    let client = client();
    rule_with_non_compliant(&client, &server.url, "r1", &["b1".to_owned()]).await;
    ok(&client, &server.url, "PutRemediationConfigurations", &remediation_body("r1")).await;
    if let Some(outcomes) = script {
        control(&client, &server.url, &json!({"action": "script_ssm", "rule": "r1", "resource_type": "AWS::S3::Bucket",
                                              "resource_id": "b1", "outcomes": outcomes})).await;
    }
    let keys = json!([{"resourceType": "AWS::S3::Bucket", "resourceId": "b1"}]);
    let started = ok(&client, &server.url, "StartRemediationExecution", &json!({"ConfigRuleName": "r1", "ResourceKeys": keys})).await;
    assert_eq!(started, json!({}), "full success leaves both members out");

    let state = |v: &Value| v["RemediationExecutionStatuses"][0]["State"].as_str().unwrap_or_default().to_owned();
    let describe = json!({"ConfigRuleName": "r1", "ResourceKeys": keys});
    let status = ok(&client, &server.url, "DescribeRemediationExecutionStatus", &describe).await;
    assert_eq!(state(&status), "QUEUED", "{status}");
    advance(&client, &server.url, 1.0).await;
    let status = ok(&client, &server.url, "DescribeRemediationExecutionStatus", &describe).await;
    assert_eq!(state(&status), "IN_PROGRESS", "{status}");
    advance(&client, &server.url, 5.0).await;
    let status = ok(&client, &server.url, "DescribeRemediationExecutionStatus", &describe).await;
    assert_eq!(state(&status), final_state, "{status}");
    assert_eq!(status["RemediationExecutionStatuses"][0]["InvocationTime"], json!(1_767_225_600));
    server.shutdown().await;
}
