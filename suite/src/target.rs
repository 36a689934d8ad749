//! The client side: sending raw AWS JSON 1.1 requests to any endpoint.
//!
//! Requests are signed with SigV4 by the `aws-sigv4` crate (service `config`), with credentials
//! from the standard environment variables, and sent exactly as built: the suite must be able
//! to send what official SDKs refuse to (missing members, wrong types, malformed JSON). Every
//! request has a timeout; nothing is retried.

use crate::profile::TargetProfile;
use reference_model::{Control, Operation};
use serde::Serialize;
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

/// An HTTP answer as received: what [`Target::call`] observed, before any judging.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Observed {
    pub status: u16,
    /// Lower-cased names.
    pub headers: Vec<(String, String)>,
    #[serde(skip)]
    pub body: Vec<u8>,
}

impl Observed {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Why no answer came back. The texts are what reports and reproductions show.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The request could not be signed (SigV4 with `aws-sigv4`).
    #[error("cannot sign: {0}")]
    Sign(String),
    /// No answer within the endpoint's timeout.
    #[error("timed out")]
    TimedOut,
    /// No connection; `causes` are the underlying errors, each after `": "`.
    #[error("cannot connect{causes}")]
    Connect { causes: String },
    /// Any other HTTP failure, with its causes.
    #[error("{0}")]
    Http(String),
    /// The answer grew past [`MAX_ANSWER_BYTES`]: a broken target must not exhaust memory.
    #[error("answer larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// The run was interrupted while the call was in flight.
    #[error("interrupted")]
    Interrupted,
}

/// Why a control action, a move of the clock or a reset did not happen.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    /// No answer came back.
    #[error("control call {call} failed: {reason}")]
    Transport { call: String, reason: TransportError },
    /// The target answered with an HTTP error.
    #[error("control call {call} answered HTTP {status}: {body}")]
    Status { call: String, status: u16, body: String },
    /// A 2xx that is not JSON is not the reference control API (an endpoint that answers 200 to
    /// everything must not pass for one).
    #[error("control call {call} answered HTTP {status} without JSON: {body}")]
    NotJson { call: String, status: u16, body: String },
    /// The profile says the target can be reset, but not where.
    #[error("the {0} profile names no reset route")]
    NoResetRoute(String),
    /// The target understood the action and refused it.
    #[error("control refused: {0}")]
    Refused(String),
    /// The action cannot be sent as asked (a time that is none, a clock moved back).
    #[error("{0}")]
    Invalid(String),
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

/// The command that rebuilds the suite with TLS; the refusal below names it.
pub const TLS_REBUILD_COMMAND: &str = "cargo install --path suite --features tls";

/// Whether this build can speak https:// (the `tls` cargo feature, off by default).
pub const TLS_BUILT_IN: bool = cfg!(feature = "tls");

/// An https:// endpoint (the real service, `--target aws` without `--endpoint`) asked of a build
/// without the `tls` feature. Refused before any connection, with the command that fixes it:
/// reqwest alone would only say the scheme is unsupported once the first request is sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{url} needs TLS, and this remediation-suite was built without it (the `tls` feature is off by \
     default: a run against a loopback http:// endpoint needs none); rebuild with `{TLS_REBUILD_COMMAND}` \
     (from a checkout), or run `cargo run --release -p remediation-suite --features tls -- ...`"
)]
pub struct TlsNotBuiltIn {
    pub url: String,
}

/// `Err` when `url` is https:// and this build has no TLS. Anything else (http://, or a URL
/// that does not parse, which the callers report themselves) passes.
pub fn check_tls_support(url: &str) -> Result<(), TlsNotBuiltIn> {
    let needs_tls = reqwest::Url::parse(url).is_ok_and(|u| u.scheme() == "https");
    if needs_tls && !TLS_BUILT_IN {
        return Err(TlsNotBuiltIn { url: url.to_owned() });
    }
    Ok(())
}

/// Why a target cannot be built or reached: a set-up error, before any scenario runs. Each
/// text is what the command line prints after `error: ` (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    /// An https:// endpoint and a build without TLS.
    #[error(transparent)]
    TlsNotBuiltIn(#[from] TlsNotBuiltIn),
    #[error("invalid endpoint URL {url:?}: {source}")]
    InvalidUrl { url: String, source: url::ParseError },
    #[error("endpoint URL {url:?} has no host")]
    NoHost { url: String },
    #[error("endpoint URL {url:?} has no port")]
    NoPort { url: String },
    /// The TCP connection was refused or failed.
    #[error("cannot reach {url}: {source}")]
    Unreachable { url: String, source: std::io::Error },
    /// No TCP connection within the run's timeout (a host that drops packets).
    #[error("cannot reach {url}: no connection within {timeout:?}")]
    NoConnectionWithin { url: String, timeout: Duration },
    /// reqwest could not build its client.
    #[error("cannot build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
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
    pub async fn check_reachable(&self) -> Result<(), EndpointError> {
        // Before the TCP check: an https:// port that answers must not pass for reachable.
        check_tls_support(&self.url)?;
        let url = self.parsed_url()?;
        let no_host = || EndpointError::NoHost { url: self.url.clone() };
        let host = url.host_str().ok_or_else(no_host)?.trim_matches(['[', ']']).to_owned();
        let port = url.port_or_known_default().ok_or_else(|| EndpointError::NoPort { url: self.url.clone() })?;
        match tokio::time::timeout(self.timeout, tokio::net::TcpStream::connect((host.as_str(), port))).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(source)) => Err(EndpointError::Unreachable { url: self.url.clone(), source }),
            Err(_) => Err(EndpointError::NoConnectionWithin { url: self.url.clone(), timeout: self.timeout }),
        }
    }

    fn parsed_url(&self) -> Result<reqwest::Url, EndpointError> {
        reqwest::Url::parse(&self.url).map_err(|source| EndpointError::InvalidUrl { url: self.url.clone(), source })
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
    fn control(&self, action: &Control) -> impl std::future::Future<Output = Result<Value, ControlError>> + Send;
    /// Sets the target's clock to `epoch_seconds` (needs `VirtualClock`).
    fn set_clock(&self, epoch_seconds: f64) -> impl std::future::Future<Output = Result<(), ControlError>> + Send;
    /// Empties the account (needs `Reset`).
    fn reset(&self) -> impl std::future::Future<Output = Result<(), ControlError>> + Send;
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
    pub fn new(endpoint: Endpoint, profile: TargetProfile) -> Result<Self, EndpointError> {
        check_tls_support(&endpoint.url)?;
        // reqwest is built without a crypto provider of its own (`rustls-no-provider`): ring is
        // the process default. `Err` only means one is installed already, which is as good.
        #[cfg(feature = "tls")]
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(endpoint.timeout)
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(EndpointError::Client)?;
        endpoint.parsed_url()?;
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
            .map_err(|e| TransportError::Sign(e.to_string()))?
            .into();
        let signable = SignableRequest::new(
            "POST",
            &self.endpoint.url,
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(&request.body),
        )
        .map_err(|e| TransportError::Sign(e.to_string()))?;
        let (instructions, _) =
            sign(signable, &params).map_err(|e| TransportError::Sign(e.to_string()))?.into_parts();
        for (name, value) in instructions.headers() {
            headers.push((name.to_owned(), value.to_owned()));
        }
        headers.retain(|(k, _)| k != "host");
        Ok(headers)
    }

    async fn control_post(&self, path: &str, body: &Value) -> Result<Value, ControlError> {
        let url = format!("{}/_reference/{path}", self.endpoint.url.trim_end_matches('/'));
        let call = path.to_owned();
        let answer = self
            .client
            .post(&url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| ControlError::Transport { call: call.clone(), reason: describe_reqwest(&e) })?;
        let status = answer.status().as_u16();
        let text = answer.text().await.map_err(|e| ControlError::Transport { call: call.clone(), reason: TransportError::Http(e.to_string()) })?;
        if status >= 300 {
            return Err(ControlError::Status { call, status, body: text });
        }
        serde_json::from_str(&text).map_err(|_| ControlError::NotJson { call, status, body: text })
    }
}

/// The whole error chain, so "connection refused" is not lost behind "client error (Connect)".
fn describe_reqwest(e: &reqwest::Error) -> TransportError {
    if e.is_timeout() {
        return TransportError::TimedOut;
    }
    // reqwest's own text says little ("error sending request"): its causes say what happened.
    const CONNECT: &str = "cannot connect";
    let mut text = if e.is_connect() { CONNECT.to_owned() } else { e.to_string() };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    if e.is_connect() {
        TransportError::Connect { causes: text.split_off(CONNECT.len()) }
    } else {
        TransportError::Http(text)
    }
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
        let mut answer = builder.send().await.map_err(|e| describe_reqwest(&e))?;
        let status = answer.status().as_u16();
        let headers = answer
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_ascii_lowercase(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let mut body = Vec::new();
        while let Some(chunk) = answer.chunk().await.map_err(|e| describe_reqwest(&e))? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_ANSWER_BYTES {
                return Err(TransportError::TooLarge { limit: MAX_ANSWER_BYTES });
            }
        }
        Ok(Observed { status, headers, body })
    }

    async fn control(&self, action: &Control) -> Result<Value, ControlError> {
        let body = serde_json::to_value(action).map_err(|e| ControlError::Invalid(e.to_string()))?;
        self.control_post("control", &body).await
    }

    async fn set_clock(&self, epoch_seconds: f64) -> Result<(), ControlError> {
        self.control_post("clock", &serde_json::json!({ "set": epoch_seconds })).await.map(|_| ())
    }

    async fn reset(&self) -> Result<(), ControlError> {
        let Some(path) = self.profile.reset_path.as_deref() else {
            return Err(ControlError::NoResetRoute(self.profile.name.clone()));
        };
        let url = format!("{}{path}", self.endpoint.url.trim_end_matches('/'));
        let call = "reset".to_owned();
        let answer = self
            .client
            .post(&url)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .map_err(|e| ControlError::Transport { call: call.clone(), reason: describe_reqwest(&e) })?;
        let status = answer.status().as_u16();
        if status >= 300 {
            let body = answer.text().await.unwrap_or_default();
            return Err(ControlError::Status { call, status, body });
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

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// Each transport failure reads as the text reports and reproductions showed before it was
    /// an enum.
    #[rstest]
    #[case::sign(TransportError::Sign("no region".into()), "cannot sign: no region")]
    #[case::timed_out(TransportError::TimedOut, "timed out")]
    #[case::connect(TransportError::Connect { causes: ": tcp connect error: Connection refused (os error 111)".into() }, "cannot connect: tcp connect error: Connection refused (os error 111)")]
    #[case::connect_bare(TransportError::Connect { causes: String::new() }, "cannot connect")]
    #[case::http(TransportError::Http("error decoding response body".into()), "error decoding response body")]
    #[case::too_large(TransportError::TooLarge { limit: MAX_ANSWER_BYTES }, "answer larger than 16777216 bytes")]
    #[case::interrupted(TransportError::Interrupted, "interrupted")]
    fn transport_errors_read_as_before(#[case] error: TransportError, #[case] text: &str) {
        assert_eq!(error.to_string(), text);
    }

    /// Nothing listening: a connection failure, whose text starts as it always did.
    #[tokio::test]
    async fn a_closed_port_is_a_connection_failure() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("its address").port();
        let endpoint = Endpoint {
            url: format!("http://127.0.0.1:{port}"),
            region: "us-east-1".into(),
            credentials: SigningCredentials::local(),
            timeout: Duration::from_secs(5),
        };
        let target = HttpTarget::new(endpoint, TargetProfile::builtin("generic").expect("built-in profile")).expect("a target");
        let request = WireRequest::for_operation(Operation::DescribeConfigRules, b"{}".to_vec());
        let error = target.call(&request).await.expect_err("nothing listens there");
        let TransportError::Connect { causes } = &error else { panic!("not a connection failure: {error:?}") };
        // The causes follow the fixed words, each after ": " (the split point of describe_reqwest).
        assert!(causes.starts_with(": "), "{causes:?}");
        assert_eq!(error.to_string(), format!("cannot connect{causes}"));
    }

    #[rstest]
    #[case::loopback_http("http://127.0.0.1:4566", false)]
    #[case::named_http("http://localhost:5000/", false)]
    #[case::loopback_https("https://127.0.0.1:4566", true)]
    #[case::real_service("https://config.eu-west-3.amazonaws.com", true)]
    #[case::not_a_url("127.0.0.1:4566", false)]
    fn only_https_needs_tls(#[case] url: &str, #[case] needs_tls: bool) {
        let refused = check_tls_support(url).is_err();
        assert_eq!(refused, needs_tls && !TLS_BUILT_IN, "{url}");
    }

    fn endpoint(url: &str) -> Endpoint {
        Endpoint { url: url.into(), region: "us-east-1".into(), credentials: SigningCredentials::local(), timeout: Duration::from_secs(1) }
    }

    /// Each variant says what the `String` it replaced said (the CLI prints it after `error: `).
    #[rstest]
    #[case::invalid_url(
        EndpointError::InvalidUrl { url: "a b".into(), source: url::ParseError::RelativeUrlWithoutBase },
        r#"invalid endpoint URL "a b": relative URL without a base"#
    )]
    #[case::no_host(EndpointError::NoHost { url: "file:///x".into() }, r#"endpoint URL "file:///x" has no host"#)]
    #[case::no_port(EndpointError::NoPort { url: "foo://h".into() }, r#"endpoint URL "foo://h" has no port"#)]
    #[case::unreachable(
        EndpointError::Unreachable { url: "http://127.0.0.1:9".into(), source: std::io::Error::other("Connection refused (os error 111)") },
        "cannot reach http://127.0.0.1:9: Connection refused (os error 111)"
    )]
    #[case::no_connection(
        EndpointError::NoConnectionWithin { url: "http://10.255.255.1:80".into(), timeout: Duration::from_millis(2500) },
        "cannot reach http://10.255.255.1:80: no connection within 2.5s"
    )]
    #[case::tls(
        EndpointError::TlsNotBuiltIn(TlsNotBuiltIn { url: "https://h".into() }),
        "https://h needs TLS, and this remediation-suite was built without it (the `tls` feature is off by default: \
         a run against a loopback http:// endpoint needs none); rebuild with `cargo install --path suite --features tls` \
         (from a checkout), or run `cargo run --release -p remediation-suite --features tls -- ...`"
    )]
    fn endpoint_errors_read_as_before(#[case] error: EndpointError, #[case] text: &str) {
        assert_eq!(error.to_string(), text);
    }

    /// What the URL lacks is found before any connection is tried.
    #[rstest]
    #[case::not_a_url("a b", r#"invalid endpoint URL "a b": relative URL without a base"#)]
    #[case::no_host("file:///x", r#"endpoint URL "file:///x" has no host"#)]
    #[case::no_port("foo://h", r#"endpoint URL "foo://h" has no port"#)]
    #[tokio::test]
    async fn an_endpoint_without_host_or_port_is_not_checked_for_reachability(#[case] url: &str, #[case] text: &str) {
        let e = endpoint(url).check_reachable().await.expect_err("not reachable");
        assert_eq!(e.to_string(), text);
    }

    /// A port nobody listens on is `Unreachable`, with the system's reason after the URL.
    #[tokio::test]
    async fn a_closed_port_is_unreachable() {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("a loopback port");
        let url = format!("http://127.0.0.1:{}", listener.local_addr().expect("its address").port());
        drop(listener);
        let e = endpoint(&url).check_reachable().await.expect_err("nobody listens");
        let EndpointError::Unreachable { source, .. } = &e else { panic!("{e:?}") };
        assert_eq!(e.to_string(), format!("cannot reach {url}: {source}"));
    }

    #[test]
    fn the_aws_target_default_endpoint_needs_tls() {
        let url = crate::profile::aws_endpoint("us-east-1");
        assert_eq!(check_tls_support(&url).is_err(), !TLS_BUILT_IN);
    }

    #[cfg(not(feature = "tls"))]
    #[test]
    fn the_refusal_names_the_url_and_the_rebuild_command() {
        let e = check_tls_support("https://config.us-east-1.amazonaws.com").expect_err("no TLS in this build");
        let text = e.to_string();
        assert!(text.starts_with("https://config.us-east-1.amazonaws.com needs TLS"), "{text}");
        assert!(text.contains("`cargo install --path suite --features tls`"), "{text}");
        assert!(text.contains("--features tls -- ..."), "{text}");
    }

    /// The run refuses before connecting: port 1 on loopback has nobody listening, so a TCP
    /// check first would say "cannot reach" instead.
    #[cfg(not(feature = "tls"))]
    #[tokio::test]
    async fn a_run_against_https_stops_with_the_refusal() {
        use crate::session::{prepare_target, RunOptions};
        let mut options = RunOptions::embedded(1);
        options.endpoint = Some("https://127.0.0.1:1".into());
        let Err(e) = prepare_target(&options).await else { panic!("an https endpoint was accepted without TLS") };
        let crate::session::SetupError::Endpoint(EndpointError::TlsNotBuiltIn(refused)) = &e else { panic!("{e:?}") };
        assert_eq!(refused, &TlsNotBuiltIn { url: "https://127.0.0.1:1".into() });
        assert_eq!(e.to_string(), refused.to_string());
        let built = HttpTarget::new(
            Endpoint { url: "https://127.0.0.1:1".into(), region: "us-east-1".into(), credentials: SigningCredentials::local(), timeout: Duration::from_secs(1) },
            crate::profile::TargetProfile::builtin("generic").expect("built in"),
        );
        assert!(built.is_err_and(|e| matches!(e, EndpointError::TlsNotBuiltIn(_)) && e.to_string().contains(TLS_REBUILD_COMMAND)));
    }

    /// With TLS the client builds for https:// (ring installed as the provider: reqwest has
    /// none of its own and would panic without one).
    #[cfg(feature = "tls")]
    #[test]
    fn with_tls_an_https_target_builds() {
        let built = HttpTarget::new(
            Endpoint { url: "https://127.0.0.1:1".into(), region: "us-east-1".into(), credentials: SigningCredentials::local(), timeout: Duration::from_secs(1) },
            crate::profile::TargetProfile::builtin("generic").expect("built in"),
        );
        assert!(built.is_ok(), "{:?}", built.err());
    }

    /// The command line maps the refusal to exit 2 (a set-up error), like every other refusal
    /// that comes before the first verdict.
    #[cfg(not(feature = "tls"))]
    #[test]
    fn the_command_line_exits_2() {
        use clap::Parser;
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures");
        let cli = crate::cli::Cli::try_parse_from(["remediation-suite", "run", "--endpoint", "https://127.0.0.1:1", "--fixtures", fixtures, "--quiet"])
            .expect("a valid command line");
        assert_eq!(crate::cli::main_with(cli), std::process::ExitCode::from(2));
    }
}
