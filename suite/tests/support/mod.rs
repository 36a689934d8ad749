//! Shared helpers of the `server_*` integration tests: a raw AWS JSON 1.1 client (reqwest,
//! so tests see exactly what is on the wire), the control API, and a SigV4 signer.
#![allow(dead_code)] // each test binary uses its own subset

pub mod binary;

use reference_endpoint::{start, RunningServer, ServerConfig};
use serde_json::{json, Value};
use std::net::{Ipv4Addr, SocketAddr};

pub const AMZ_JSON: &str = "application/x-amz-json-1.1";

/// Starts an endpoint on an ephemeral loopback port of the test's runtime.
pub async fn serve(config: ServerConfig) -> RunningServer {
    start(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.expect("the endpoint starts")
}

/// What came back, as bytes and as headers.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// `__type` of an error answer.
    pub fn error_type(&self) -> String {
        self.json()["__type"].as_str().unwrap_or_default().to_owned()
    }
}

async fn collect(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.expect("the body arrives").to_vec();
    Answer { status, headers, body }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().build().expect("a reqwest client")
}

/// A raw AWS JSON request: `target` is the whole X-Amz-Target value (None: no header).
pub async fn raw(client: &reqwest::Client, url: &str, target: Option<&str>, body: impl Into<Vec<u8>>) -> Answer {
    let mut request = client.post(format!("{url}/")).header("content-type", AMZ_JSON).body(body.into());
    if let Some(target) = target {
        request = request.header("x-amz-target", target);
    }
    collect(request.send().await.expect("the request is answered")).await
}

/// One operation with a JSON body.
pub async fn call(client: &reqwest::Client, url: &str, operation: &str, body: &Value) -> Answer {
    raw(client, url, Some(&format!("StarlingDoveService.{operation}")), body.to_string()).await
}

/// One operation that must succeed; returns its JSON body (`Null` for an empty body).
pub async fn ok(client: &reqwest::Client, url: &str, operation: &str, body: &Value) -> Value {
    let answer = call(client, url, operation, body).await;
    assert_eq!(answer.status, 200, "{operation} {body}: {}", answer.text());
    if answer.body.is_empty() {
        Value::Null
    } else {
        answer.json()
    }
}

/// `method` on a control route.
pub async fn control_raw(client: &reqwest::Client, url: &str, method: reqwest::Method, path: &str, body: Option<&str>) -> Answer {
    let mut request = client.request(method, format!("{url}/_reference/{path}"));
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_owned());
    }
    collect(request.send().await.expect("the control request is answered")).await
}

/// A control action that must succeed.
pub async fn control(client: &reqwest::Client, url: &str, action: &Value) -> Value {
    let answer = control_raw(client, url, reqwest::Method::POST, "control", Some(&action.to_string())).await;
    assert_eq!(answer.status, 200, "{action}: {}", answer.text());
    answer.json()
}

/// Advances the endpoint's clock; returns the new time.
pub async fn advance(client: &reqwest::Client, url: &str, seconds: f64) -> f64 {
    let answer = control_raw(client, url, reqwest::Method::POST, "clock", Some(&json!({"advance_seconds": seconds}).to_string())).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()["now"].as_f64().expect("now is a number")
}

/// A custom Lambda rule (needs no recorder).
pub fn rule_body(name: &str) -> Value {
    json!({"ConfigRule": {
        "ConfigRuleName": name,
        "Source": {
            "Owner": "CUSTOM_LAMBDA",
            "SourceIdentifier": "arn:aws:lambda:us-east-1:123456789012:function:check",
            "SourceDetails": [{"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"}]
        },
        "Scope": {"ComplianceResourceTypes": ["AWS::S3::Bucket"]}
    }})
}

/// A manual remediation configuration for `rule`.
pub fn remediation_body(rule: &str) -> Value {
    json!({"RemediationConfigurations": [{
        "ConfigRuleName": rule,
        "TargetType": "SSM_DOCUMENT",
        "TargetId": "AWS-EnableS3BucketEncryption",
        "Parameters": {"BucketName": {"ResourceValue": {"Value": "RESOURCE_ID"}}},
        "ResourceType": "AWS::S3::Bucket",
        "Automatic": false
    }]})
}

/// A rule whose `buckets` are NON_COMPLIANT.
pub async fn rule_with_non_compliant(client: &reqwest::Client, url: &str, rule: &str, buckets: &[String]) {
    ok(client, url, "PutConfigRule", &rule_body(rule)).await;
    for bucket in buckets {
        control(
            client,
            url,
            &json!({"action": "set_compliance", "rule": rule, "resource_type": "AWS::S3::Bucket",
                    "resource_id": bucket, "compliance": "NON_COMPLIANT"}),
        )
        .await;
    }
}

/// Exception keys for these buckets.
pub fn exception_keys(buckets: &[String]) -> Value {
    Value::Array(buckets.iter().map(|b| json!({"ResourceType": "AWS::S3::Bucket", "ResourceId": b})).collect())
}

/// Sends an AWS JSON request signed with SigV4 by the `aws-sigv4` crate, as an SDK would.
pub async fn signed(
    client: &reqwest::Client,
    url: &str,
    operation: &str,
    body: &str,
    (access_key, secret_key): (&str, &str),
) -> Answer {
    signed_with(client, url, operation, body, body, (access_key, secret_key)).await
}

/// As [`signed`], but signs `signed_body` and sends `sent_body` (to test tampering).
pub async fn signed_with(
    client: &reqwest::Client,
    url: &str,
    operation: &str,
    signed_body: &str,
    sent_body: &str,
    (access_key, secret_key): (&str, &str),
) -> Answer {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    use aws_sigv4::sign::v4;
    let target = format!("StarlingDoveService.{operation}");
    let uri = format!("{url}/");
    let headers = [("content-type", AMZ_JSON), ("x-amz-target", target.as_str())];
    let identity = aws_credential_types::Credentials::new(access_key, secret_key, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("config")
        .time(std::time::SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .expect("signing params")
        .into();
    let signable =
        SignableRequest::new("POST", uri.as_str(), headers.iter().copied(), SignableBody::Bytes(signed_body.as_bytes()))
            .expect("signable request");
    let (instructions, _) = sign(signable, &params).expect("signed").into_parts();
    let mut request = client.post(&uri).body(sent_body.to_owned());
    for (name, value) in headers.iter().copied().chain(instructions.headers()) {
        request = request.header(name, value);
    }
    collect(request.send().await.expect("the request is answered")).await
}
