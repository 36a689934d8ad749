//! The client side: sending raw AWS JSON 1.1 requests to any endpoint.
//!
//! Requests are signed with SigV4 by the `aws-sigv4` crate (service `config`), with credentials
//! from the standard environment variables, and sent exactly as built: the suite must be able
//! to send what official SDKs refuse to (missing members, wrong types, malformed JSON). Every
//! request has a timeout; nothing is retried.

use crate::judge::Observed;
use crate::profile::TargetProfile;
use reference_model::{Control, Operation};
use serde_json::Value;
use std::time::{Duration, SystemTime};

/// One request as it goes on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireRequest {
    /// `X-Amz-Target`; `None` sends no such header.
    pub target_header: Option<String>,
    pub body: Vec<u8>,
}

impl WireRequest {
    pub fn for_operation(op: Operation, body: Vec<u8>) -> Self {
        WireRequest { target_header: Some(op.target()), body }
    }
}

/// Why no answer came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportError(pub String);

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Credentials for signing; never printed.
#[derive(Clone)]
pub struct SigningCredentials {
    access_key: String,
    secret_key: String,
    session_token: Option<String>,
}

impl std::fmt::Debug for SigningCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningCredentials(<redacted>)")
    }
}

impl SigningCredentials {
    /// From `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
    pub fn from_env() -> Option<Self> {
        let access_key = std::env::var("AWS_ACCESS_KEY_ID").ok().filter(|s| !s.is_empty())?;
        let secret_key = std::env::var("AWS_SECRET_ACCESS_KEY").ok().filter(|s| !s.is_empty())?;
        let session_token = std::env::var("AWS_SESSION_TOKEN").ok().filter(|s| !s.is_empty());
        Some(SigningCredentials { access_key, secret_key, session_token })
    }
    /// Placeholder credentials for local emulators, which accept any.
    pub fn local() -> Self {
        SigningCredentials { access_key: "AKIDLOCALSUITE".into(), secret_key: "local-suite-secret".into(), session_token: None }
    }
    /// Both secrets, for redacting them from any output.
    pub fn secrets(&self) -> Vec<&str> {
        let mut v = vec![self.access_key.as_str(), self.secret_key.as_str()];
        v.extend(self.session_token.as_deref());
        v
    }
}

/// Where and how to reach a target.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub url: String,
    pub region: String,
    pub credentials: SigningCredentials,
    pub timeout: Duration,
}

impl Endpoint {
    /// Opens and closes a TCP connection to the endpoint's host and port, so that an endpoint
    /// nobody listens on is a set-up error before any scenario runs.
    pub async fn check_reachable(&self) -> Result<(), String> {
        let url = reqwest::Url::parse(&self.url).map_err(|e| format!("invalid endpoint URL {:?}: {e}", self.url))?;
        let host = url.host_str().ok_or_else(|| format!("endpoint URL {:?} has no host", self.url))?.trim_matches(['[', ']']).to_owned();
        let port = url.port_or_known_default().ok_or_else(|| format!("endpoint URL {:?} has no port", self.url))?;
        match tokio::time::timeout(self.timeout, tokio::net::TcpStream::connect((host.as_str(), port))).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(format!("cannot reach {}: {e}", self.url)),
            Err(_) => Err(format!("cannot reach {}: no connection within {:?}", self.url, self.timeout)),
        }
    }

    /// True when the URL's host is on this machine.
    pub fn is_loopback(&self) -> bool {
        let Ok(url) = reqwest::Url::parse(&self.url) else { return false };
        match url.host() {
            Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        }
    }
}

/// A target the runner can talk to. One small trait between the engine and every kind of
/// target (the shape of sqllogictest's `AsyncDB`).
pub trait Target {
    /// What this target can arrange.
    fn profile(&self) -> &TargetProfile;
    /// Sends one API request.
    fn call(&self, request: &WireRequest) -> impl std::future::Future<Output = Result<Observed, TransportError>> + Send;
    /// Applies a control action (needs [`crate::profile::Capability::Control`]); returns the answer's JSON.
    fn control(&self, action: &Control) -> impl std::future::Future<Output = Result<Value, String>> + Send;
    /// Sets the target's clock to `epoch_seconds` (needs `VirtualClock`).
    fn set_clock(&self, epoch_seconds: f64) -> impl std::future::Future<Output = Result<(), String>> + Send;
    /// Empties the account (needs `Reset`).
    fn reset(&self) -> impl std::future::Future<Output = Result<(), String>> + Send;
    /// A self-contained command line that sends the same request (for reproductions).
    fn reproduction(&self, request: &WireRequest) -> String;
}

/// Any endpoint over HTTP(S).
pub struct HttpTarget {
    client: reqwest::Client,
    endpoint: Endpoint,
    profile: TargetProfile,
}

/// Answers bigger than this are cut (a broken target must not exhaust memory).
const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

impl HttpTarget {
    pub fn new(endpoint: Endpoint, profile: TargetProfile) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(endpoint.timeout)
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        reqwest::Url::parse(&endpoint.url).map_err(|e| format!("invalid endpoint URL {:?}: {e}", endpoint.url))?;
        Ok(HttpTarget { client, endpoint, profile })
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    fn signed_headers(&self, request: &WireRequest) -> Result<Vec<(String, String)>, TransportError> {
        use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
        use aws_sigv4::sign::v4;
        let mut headers = vec![("content-type".to_owned(), "application/x-amz-json-1.1".to_owned())];
        if let Some(t) = &request.target_header {
            headers.push(("x-amz-target".to_owned(), t.clone()));
        }
        let host = reqwest::Url::parse(&self.endpoint.url)
            .ok()
            .and_then(|u| u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_owned(),
            }))
            .unwrap_or_default();
        headers.push(("host".to_owned(), host));
        let creds = &self.endpoint.credentials;
        let identity = aws_credential_types::Credentials::new(
            &creds.access_key,
            &creds.secret_key,
            creds.session_token.clone(),
            None,
            "remediation-suite",
        )
        .into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.endpoint.region)
            .name("config")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| TransportError(format!("cannot sign: {e}")))?
            .into();
        let signable = SignableRequest::new(
            "POST",
            &self.endpoint.url,
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(&request.body),
        )
        .map_err(|e| TransportError(format!("cannot sign: {e}")))?;
        let (instructions, _) =
            sign(signable, &params).map_err(|e| TransportError(format!("cannot sign: {e}")))?.into_parts();
        for (name, value) in instructions.headers() {
            headers.push((name.to_owned(), value.to_owned()));
        }
        headers.retain(|(k, _)| k != "host");
        Ok(headers)
    }

    async fn control_post(&self, path: &str, body: &Value) -> Result<Value, String> {
        let url = format!("{}/_reference/{path}", self.endpoint.url.trim_end_matches('/'));
        let answer = self
            .client
            .post(&url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| format!("control call {path} failed: {}", describe_reqwest(&e)))?;
        let status = answer.status().as_u16();
        let text = answer.text().await.map_err(|e| format!("control call {path}: {e}"))?;
        if status >= 300 {
            return Err(format!("control call {path} answered HTTP {status}: {text}"));
        }
        // A 2xx that is not JSON is not the reference control API (an endpoint that answers
        // 200 to everything must not pass for one).
        serde_json::from_str(&text).map_err(|_| format!("control call {path} answered HTTP {status} without JSON: {text}"))
    }
}

/// The whole error chain, so "connection refused" is not lost behind "client error (Connect)".
fn describe_reqwest(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".to_owned();
    }
    let mut text = if e.is_connect() { "cannot connect".to_owned() } else { e.to_string() };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

impl Target for HttpTarget {
    fn profile(&self) -> &TargetProfile {
        &self.profile
    }

    async fn call(&self, request: &WireRequest) -> Result<Observed, TransportError> {
        let headers = self.signed_headers(request)?;
        let mut builder = self.client.post(&self.endpoint.url).body(request.body.clone());
        for (k, v) in &headers {
            builder = builder.header(k, v);
        }
        let mut answer = builder.send().await.map_err(|e| TransportError(describe_reqwest(&e)))?;
        let status = answer.status().as_u16();
        let headers = answer
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_ascii_lowercase(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let mut body = Vec::new();
        while let Some(chunk) = answer.chunk().await.map_err(|e| TransportError(describe_reqwest(&e)))? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_ANSWER_BYTES {
                return Err(TransportError(format!("answer larger than {MAX_ANSWER_BYTES} bytes")));
            }
        }
        Ok(Observed { status, headers, body })
    }

    async fn control(&self, action: &Control) -> Result<Value, String> {
        let body = serde_json::to_value(action).map_err(|e| e.to_string())?;
        self.control_post("control", &body).await
    }

    async fn set_clock(&self, epoch_seconds: f64) -> Result<(), String> {
        self.control_post("clock", &serde_json::json!({ "set": epoch_seconds })).await.map(|_| ())
    }

    async fn reset(&self) -> Result<(), String> {
        let Some(path) = self.profile.reset_path.as_deref() else {
            return Err(format!("the {} profile names no reset route", self.profile.name));
        };
        let url = format!("{}{path}", self.endpoint.url.trim_end_matches('/'));
        let answer = self
            .client
            .post(&url)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .map_err(|e| format!("control call reset failed: {}", describe_reqwest(&e)))?;
        let status = answer.status().as_u16();
        if status >= 300 {
            let text = answer.text().await.unwrap_or_default();
            return Err(format!("control call reset answered HTTP {status}: {text}"));
        }
        Ok(())
    }

    fn reproduction(&self, request: &WireRequest) -> String {
        let body = String::from_utf8_lossy(&request.body).replace('\'', r"'\''");
        let target = request
            .target_header
            .as_deref()
            .map(|t| format!(" \\\n  -H 'X-Amz-Target: {t}'"))
            .unwrap_or_default();
        format!(
            "curl -sS -i -X POST \"$ENDPOINT\" \\\n  --aws-sigv4 'aws:amz:{region}:config' --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\" \\\n  -H 'Content-Type: application/x-amz-json-1.1'{target} \\\n  --data-binary '{body}'",
            region = self.endpoint.region,
        )
    }
}
