//! Wire-level tests of the reference endpoint's AWS JSON 1.1 face: raw HTTP, every error path
//! (status, `__type`, `X-Amzn-ErrorType`, body), empty and `{}` success bodies, headers, and
//! arbitrary bytes.

mod support;

use reference_endpoint::ServerConfig;
use rstest::rstest;
use serde_json::{json, Value};
use support::*;

/// What an error answer must look like.
enum Message {
    /// The body is exactly `{"__type":"<code>"}` (the real service's protocol errors, research Q12).
    Bare,
    /// `message` starts with this.
    StartsWith(&'static str),
}

fn long_name() -> String {
    "r".repeat(129)
}

#[rstest]
#[case::unknown_operation(Some("StarlingDoveService.NoSuchOperation"), "{}".to_owned(), 400, "UnknownOperationException", Message::Bare)]
#[case::missing_target(None, "{}".to_owned(), 400, "UnknownOperationException", Message::Bare)]
#[case::other_service_prefix(Some("Kinesis_20131202.ListStreams"), "{}".to_owned(), 400, "UnknownOperationException", Message::Bare)]
#[case::target_without_dot(Some("StarlingDoveServiceDescribeConfigRules"), "{}".to_owned(), 400, "UnknownOperationException", Message::Bare)]
#[case::operation_name_wrong_case(Some("StarlingDoveService.describeConfigRules"), "{}".to_owned(), 400, "UnknownOperationException", Message::Bare)]
#[case::malformed_json(Some("StarlingDoveService.DescribeConfigRules"), "{\"ConfigRuleNames\": [".to_owned(), 400, "SerializationException", Message::Bare)]
#[case::not_json_at_all(Some("StarlingDoveService.PutRemediationExceptions"), "ConfigRuleName=r".to_owned(), 400, "SerializationException", Message::Bare)]
#[case::body_not_an_object(Some("StarlingDoveService.DescribeConfigRules"), "[1, 2]".to_owned(), 400, "SerializationException", Message::StartsWith("START_ARRAY can not be converted to a DescribeConfigRulesRequest"))]
#[case::wrong_member_type(Some("StarlingDoveService.DescribeConfigRules"), r#"{"ConfigRuleNames": "r"}"#.to_owned(), 400, "SerializationException", Message::StartsWith(""))]
#[case::wrong_nested_type(Some("StarlingDoveService.StartRemediationExecution"), r#"{"ConfigRuleName": "r", "ResourceKeys": [{"resourceType": 7, "resourceId": "b"}]}"#.to_owned(), 400, "SerializationException", Message::StartsWith(""))]
#[case::validation_too_long(Some("StarlingDoveService.PutRemediationExceptions"), json!({"ConfigRuleName": long_name(), "ResourceKeys": [{"ResourceType": "AWS::S3::Bucket", "ResourceId": "b"}]}).to_string(), 400, "ValidationException", Message::StartsWith("1 validation error detected: Value '"))]
#[case::validation_missing_required(Some("StarlingDoveService.DeleteRemediationConfiguration"), "{}".to_owned(), 400, "ValidationException", Message::StartsWith("1 validation error detected: Value null at 'configRuleName' failed to satisfy constraint: Member must not be null"))]
#[case::no_such_config_rule(Some("StarlingDoveService.DescribeConfigRules"), r#"{"ConfigRuleNames": ["nope"]}"#.to_owned(), 400, "NoSuchConfigRuleException", Message::StartsWith("The ConfigRule 'nope' provided in the request is invalid."))]
#[case::no_such_remediation_configuration(Some("StarlingDoveService.StartRemediationExecution"), r#"{"ConfigRuleName": "nope", "ResourceKeys": [{"resourceType": "AWS::S3::Bucket", "resourceId": "b"}]}"#.to_owned(), 400, "NoSuchRemediationConfigurationException", Message::StartsWith("No RemediationConfiguration for rule exists: nope"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_paths(
    #[case] target: Option<&str>,
    #[case] body: String,
    #[case] status: u16,
    #[case] code: &str,
    #[case] message: Message,
) {
    let server = serve(ServerConfig::default()).await;
    let answer = raw(&client(), &server.url, target, body.clone()).await;
    assert_eq!(answer.status, status, "{target:?} {body}: {}", answer.text());
    assert_eq!(answer.header("content-type"), Some(AMZ_JSON));
    assert_eq!(answer.header("x-amzn-errortype"), Some(code), "X-Amzn-ErrorType");
    assert!(answer.header("x-amzn-requestid").is_some_and(|id| id.len() == 36), "x-amzn-RequestId");
    let value = answer.json();
    assert_eq!(value["__type"], code, "{}", answer.text());
    match message {
        Message::Bare => assert_eq!(answer.text(), format!(r#"{{"__type":"{code}"}}"#)),
        Message::StartsWith(prefix) => {
            let text = value["message"].as_str().unwrap_or_else(|| panic!("no message: {}", answer.text()));
            assert!(!text.is_empty(), "an empty message must be left out: {}", answer.text());
            assert!(text.starts_with(prefix), "{text:?} does not start with {prefix:?}");
            assert_eq!(value.as_object().map(|o| o.len()), Some(2), "only __type and message: {}", answer.text());
        }
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_over_the_limit_is_413_and_at_the_limit_is_served() {
    let server = serve(ServerConfig { max_body_bytes: 1024, ..ServerConfig::default() }).await;
    let client = client();
    let target = Some("StarlingDoveService.DescribeConfigRules");

    let too_big = format!("{{\"ConfigRuleNames\": [\"{}\"]}}", "x".repeat(2000));
    let answer = raw(&client, &server.url, target, too_big).await;
    assert_eq!(answer.status, 413, "{}", answer.text());
    assert_eq!(answer.error_type(), "RequestEntityTooLargeException");
    assert_eq!(answer.header("x-amzn-errortype"), Some("RequestEntityTooLargeException"));
    assert_eq!(answer.header("content-type"), Some(AMZ_JSON));
    assert!(answer.json()["message"].as_str().is_some_and(|m| m.contains("1024 bytes")), "{}", answer.text());

    // Exactly 1024 bytes: `{}` padded with spaces.
    let at_limit = format!("{{}}{}", " ".repeat(1022));
    assert_eq!(at_limit.len(), 1024);
    let answer = raw(&client, &server.url, target, at_limit).await;
    assert_eq!(answer.status, 200, "{}", answer.text());

    // The control API has the same limit.
    let answer = control_raw(&client, &server.url, reqwest::Method::POST, "control", Some(&" ".repeat(4096))).await;
    assert_eq!(answer.status, 413, "{}", answer.text());
    assert!(answer.json()["error"].as_str().is_some_and(|m| m.contains("1024")), "{}", answer.text());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_without_output_answer_an_empty_body() {
    let server = serve(ServerConfig::default()).await;
    let client = client();
    for (operation, body) in [("PutConfigRule", rule_body("r1")), ("DeleteConfigRule", json!({"ConfigRuleName": "r1"}))] {
        let answer = call(&client, &server.url, operation, &body).await;
        assert_eq!(answer.status, 200, "{operation}: {}", answer.text());
        assert!(answer.body.is_empty(), "{operation}: {:?}", answer.text());
        assert_eq!(answer.header("content-length"), Some("0"), "{operation}");
        assert_eq!(answer.header("content-type"), Some(AMZ_JSON), "{operation}");
        assert_eq!(answer.header("x-amzn-errortype"), None, "{operation}");
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_remediation_configuration_answers_an_empty_object() {
    let server = serve(ServerConfig::default()).await;
    let client = client();
    ok(&client, &server.url, "PutConfigRule", &rule_body("r1")).await;
    let put = ok(&client, &server.url, "PutRemediationConfigurations", &remediation_body("r1")).await;
    assert_eq!(put, json!({"FailedBatches": []}));
    let described = ok(&client, &server.url, "DescribeRemediationConfigurations", &json!({"ConfigRuleNames": ["r1"]})).await;
    let arn = described["RemediationConfigurations"][0]["Arn"].as_str().unwrap_or_default().to_owned();
    assert!(arn.starts_with("arn:aws:config:us-east-1:123456789012:remediation-configuration/r1/"), "{described}");

    let answer = call(&client, &server.url, "DeleteRemediationConfiguration", &json!({"ConfigRuleName": "r1"})).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.text(), "{}");
    assert_eq!(answer.header("content-type"), Some(AMZ_JSON));

    // Deleting again: the model's error for a missing configuration.
    let answer = call(&client, &server.url, "DeleteRemediationConfiguration", &json!({"ConfigRuleName": "r1"})).await;
    assert_eq!(answer.status, 400, "{}", answer.text());
    assert_eq!(answer.error_type(), "NoSuchRemediationConfigurationException");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_has_a_fresh_request_id() {
    let server = serve(ServerConfig::default()).await;
    let client = client();
    let mut ids = Vec::new();
    let answers = [
        call(&client, &server.url, "DescribeConfigRules", &json!({})).await,
        call(&client, &server.url, "DescribeConfigRules", &json!({})).await,
        raw(&client, &server.url, None, "{}").await,
        control_raw(&client, &server.url, reqwest::Method::GET, "health", None).await,
        control_raw(&client, &server.url, reqwest::Method::GET, "nowhere", None).await,
        collect_get(&client, &format!("{}/", server.url)).await,
    ];
    for answer in &answers {
        let id = answer.header("x-amzn-requestid").unwrap_or_else(|| panic!("no request id: {answer:?}")).to_owned();
        let lengths: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(lengths, [8, 4, 4, 4, 12], "{id}");
        ids.push(id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), answers.len(), "request ids repeat");
    server.shutdown().await;
}

async fn collect_get(client: &reqwest::Client, url: &str) -> Answer {
    let response = client.get(url).send().await.expect("answered");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.expect("body").to_vec();
    Answer { status, headers, body }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_methods_and_paths_are_refused_in_json() {
    let server = serve(ServerConfig::default()).await;
    let client = client();
    let answer = collect_get(&client, &format!("{}/", server.url)).await;
    assert_eq!(answer.status, 404, "{}", answer.text());
    assert_eq!(answer.error_type(), "UnknownOperationException");
    assert!(answer.json()["message"].as_str().is_some_and(|m| m.contains("POST /")), "{}", answer.text());

    let answer = collect_get(&client, &format!("{}/some/path", server.url)).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.error_type(), "UnknownOperationException");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_body_reads_as_an_empty_object() {
    let server = serve(ServerConfig::default()).await;
    let answer = raw(&client(), &server.url, Some("StarlingDoveService.DescribeConfigRules"), "").await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.json(), json!({"ConfigRules": []}));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_header_that_is_not_text_is_an_unknown_operation() {
    let server = serve(ServerConfig::default()).await;
    let value = reqwest::header::HeaderValue::from_bytes(b"StarlingDoveService.\xff\xfe").expect("opaque header bytes");
    let response = client()
        .post(format!("{}/", server.url))
        .header("x-amz-target", value)
        .body("{}")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = serde_json::from_slice(&response.bytes().await.expect("body")).expect("JSON");
    assert_eq!(body, json!({"__type": "UnknownOperationException"}));
    server.shutdown().await;
}

/// splitmix64: a deterministic byte source, so a failure reproduces.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Bytes that are sometimes JSON-ish: random bytes, mutated valid bodies, deep nesting.
fn arbitrary_body(state: &mut u64) -> Vec<u8> {
    let templates: [&[u8]; 5] = [
        br#"{"ConfigRuleName": "r", "ResourceKeys": [{"ResourceType": "AWS::S3::Bucket", "ResourceId": "b"}], "ExpirationTime": 1767225600}"#,
        br#"{"RemediationConfigurations": [{"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "d", "Parameters": {"p": {"StaticValue": {"Values": ["v"]}}}}]}"#,
        br#"{"ConfigRuleNames": ["r"], "NextToken": "t", "Limit": 5}"#,
        br#"{"Evaluations": [{"ComplianceResourceType": "AWS::S3::Bucket", "ComplianceResourceId": "b", "ComplianceType": "NON_COMPLIANT", "OrderingTimestamp": 1e300}], "ResultToken": "x"}"#,
        br#"{"ConfigRule": {"ConfigRuleName": "r", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}}"#,
    ];
    match next(state) % 4 {
        0 => (0..next(state) % 300).map(|_| next(state) as u8).collect(),
        1 => {
            let mut body = templates[(next(state) % 5) as usize].to_vec();
            for _ in 0..1 + next(state) % 4 {
                let i = (next(state) as usize) % body.len();
                body[i] = next(state) as u8;
            }
            body
        }
        2 => {
            let depth = (next(state) % 5000) as usize;
            let mut body = b"{\"ConfigRuleNames\": ".to_vec();
            body.extend(std::iter::repeat_n(b'[', depth));
            body.extend(std::iter::repeat_n(b']', depth));
            body.push(b'}');
            body
        }
        _ => templates[(next(state) % 5) as usize].to_vec(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arbitrary_bytes_never_break_the_endpoint() {
    let server = serve(ServerConfig::default()).await;
    let client = client();
    let mut state = 0x5eed_u64;
    for round in 0..40 {
        for op in reference_model::Operation::ALL {
            let body = arbitrary_body(&mut state);
            let answer = raw(&client, &server.url, Some(&op.target()), body.clone()).await;
            assert!(
                answer.status == 200 || answer.status == 400,
                "round {round} {op} {:?} → {} {}",
                String::from_utf8_lossy(&body),
                answer.status,
                answer.text()
            );
            if answer.status == 400 {
                let code = answer.error_type();
                assert!(reference_model::ErrorCode::parse(&code).is_some(), "{code}");
                assert_eq!(answer.header("x-amzn-errortype"), Some(code.as_str()));
            }
        }
    }
    // Still serving.
    assert!(ok(&client, &server.url, "DescribeConfigRules", &json!({})).await["ConfigRules"].is_array());
    server.shutdown().await;
}
