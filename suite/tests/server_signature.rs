//! SigV4 verification: off by default (anything goes), on when configured (a valid signature
//! from the `aws-sigv4` crate passes, everything else is refused with AWS's codes), protocol
//! errors before authentication, and credentials never echoed.

mod support;

use reference_endpoint::ServerConfig;
use serde_json::json;
use support::*;

const KEY: &str = "AKIDREFERENCETEST";
const SECRET: &str = "reference/secret+KEY/do-not-print";

fn verifying() -> ServerConfig {
    ServerConfig { verify_signatures: Some((KEY.to_owned(), SECRET.to_owned())), ..ServerConfig::default() }
}

/// No secret, key or signature material in what the endpoint sends back.
fn assert_no_credentials(answer: &Answer) {
    let text = answer.text();
    assert!(!text.contains(SECRET) && !text.contains("do-not-print"), "secret in body: {text}");
    for (name, value) in &answer.headers {
        let value = value.to_str().unwrap_or_default();
        assert!(!value.contains(SECRET), "secret in header {name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_verification_any_request_is_served() {
    let server = serve(ServerConfig::default()).await;
    let client = client();
    let unsigned = call(&client, &server.url, "DescribeConfigRules", &json!({})).await;
    assert_eq!(unsigned.status, 200, "{}", unsigned.text());
    let wrongly_signed = signed(&client, &server.url, "DescribeConfigRules", "{}", ("ANYKEY", "any secret")).await;
    assert_eq!(wrongly_signed.status, 200, "{}", wrongly_signed.text());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_signature_is_accepted() {
    let server = serve(verifying()).await;
    let client = client();
    let answer = signed(&client, &server.url, "DescribeConfigRules", "{}", (KEY, SECRET)).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.json(), json!({"ConfigRules": []}));
    // And a model error still comes through as the model's error.
    let answer = signed(&client, &server.url, "DescribeConfigRules", r#"{"ConfigRuleNames": ["nope"]}"#, (KEY, SECRET)).await;
    assert_eq!(answer.status, 400, "{}", answer.text());
    assert_eq!(answer.error_type(), "NoSuchConfigRuleException");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_signature_is_refused() {
    let server = serve(verifying()).await;
    let answer = call(&client(), &server.url, "DescribeConfigRules", &json!({})).await;
    assert_eq!(answer.status, 403, "{}", answer.text());
    assert_eq!(answer.json(), json!({"__type": "MissingAuthenticationTokenException", "message": "Missing Authentication Token"}));
    assert_eq!(answer.header("x-amzn-errortype"), Some("MissingAuthenticationTokenException"));
    assert_eq!(answer.header("content-type"), Some(AMZ_JSON));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_is_an_invalid_signature() {
    let server = serve(verifying()).await;
    let answer = signed(&client(), &server.url, "DescribeConfigRules", "{}", (KEY, "not the secret")).await;
    assert_eq!(answer.status, 403, "{}", answer.text());
    assert_eq!(answer.error_type(), "InvalidSignatureException");
    assert_eq!(answer.header("x-amzn-errortype"), Some("InvalidSignatureException"));
    assert!(answer.json()["message"].as_str().is_some_and(|m| m.starts_with("The request signature we calculated does not match")));
    assert_no_credentials(&answer);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_body_is_an_invalid_signature() {
    let server = serve(verifying()).await;
    let client = client();
    let answer = signed_with(&client, &server.url, "DeleteConfigRule", r#"{"ConfigRuleName": "a"}"#, r#"{"ConfigRuleName": "b"}"#, (KEY, SECRET)).await;
    assert_eq!(answer.status, 403, "{}", answer.text());
    assert_eq!(answer.error_type(), "InvalidSignatureException");
    assert_no_credentials(&answer);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_access_key_is_unrecognized() {
    let server = serve(verifying()).await;
    let answer = signed(&client(), &server.url, "DescribeConfigRules", "{}", ("AKIDSOMEONEELSE", SECRET)).await;
    assert_eq!(answer.status, 400, "{}", answer.text());
    assert_eq!(answer.error_type(), "UnrecognizedClientException");
    assert_no_credentials(&answer);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_garbled_authorization_header_is_an_incomplete_signature() {
    let server = serve(verifying()).await;
    let response = client()
        .post(format!("{}/", server.url))
        .header("x-amz-target", "StarlingDoveService.DescribeConfigRules")
        .header("authorization", "AWS4-HMAC-SHA256 Credential=AKID")
        .body("{}")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 400);
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.expect("body")).expect("JSON");
    assert_eq!(body["__type"], "IncompleteSignatureException", "{body}");
    server.shutdown().await;
}

/// Protocol checks come before authentication, as on the real service (research Q12).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_errors_come_before_authentication() {
    let server = serve(verifying()).await;
    let client = client();
    let answer = raw(&client, &server.url, Some("StarlingDoveService.Nope"), "{}").await;
    assert_eq!((answer.status, answer.error_type()), (400, "UnknownOperationException".to_owned()));
    let answer = raw(&client, &server.url, Some("StarlingDoveService.DescribeConfigRules"), "{nope").await;
    assert_eq!((answer.status, answer.error_type()), (400, "SerializationException".to_owned()));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_control_api_needs_no_signature() {
    let server = serve(verifying()).await;
    let answer = control_raw(&client(), &server.url, reqwest::Method::GET, "health", None).await;
    assert_eq!(answer.status, 200);
    server.shutdown().await;
}

#[test]
fn a_debug_printed_config_hides_the_secret() {
    let printed = format!("{:?}", verifying());
    assert!(printed.contains(KEY), "{printed}");
    assert!(!printed.contains(SECRET) && !printed.contains("do-not-print"), "{printed}");
}
