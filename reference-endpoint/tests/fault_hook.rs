//! The hook for planted faults (`reference_endpoint::fault`): it answers `POST /` in the model's
//! place under the endpoint's lock, may rewrite the response and drop the request id, hears
//! every reset, and leaves the control API as the endpoint serves it.

use reference_endpoint::fault::{FaultHook, OmitRequestId};
use reference_endpoint::protocol::WireError;
use reference_endpoint::state::Shared;
use reference_endpoint::{router_with_fault, AccountOptions, ServerConfig};
use reference_model::{ApiError, ErrorCode, Operation, Reply};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Refuses every request with one code, or panics, and counts what it is told.
#[derive(Default)]
struct Recording {
    answers: AtomicUsize,
    resets: AtomicUsize,
    panic: bool,
}

impl FaultHook for Recording {
    fn answer(&self, shared: &mut Shared, op: Operation, body: &[u8]) -> Result<Reply, WireError> {
        self.answers.fetch_add(1, Ordering::SeqCst);
        assert!(!self.panic, "planted panic");
        // The world is the endpoint's: the model's own answer is one call away.
        let now = shared.clock.now();
        let preferred = reference_model::handle(&mut shared.world, op, body, now).preferred().reply.clone();
        assert!(matches!(preferred, Reply::Success(_)), "{preferred:?}");
        Ok(Reply::Failure(ApiError::new(ErrorCode::NoSuchConfigRuleException, format!("planted on {}", op.name()))))
    }

    fn response(&self, mut response: axum::response::Response) -> axum::response::Response {
        response.extensions_mut().insert(OmitRequestId);
        response
    }

    fn reset(&self) {
        self.resets.fetch_add(1, Ordering::SeqCst);
    }
}

/// Serves `hook` on an ephemeral port and sends each raw request on its own connection.
fn exchange(hook: Option<Arc<Recording>>, requests: &[String]) -> Vec<String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let listener = runtime.block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0))).expect("a port");
    let addr: SocketAddr = listener.local_addr().expect("its address");
    let app = router_with_fault(ServerConfig::default(), AccountOptions::default(), hook.map(|h| h as Arc<dyn FaultHook>));
    let server = runtime.spawn(async move { axum::serve(listener, app).await });
    let answers = requests
        .iter()
        .map(|request| {
            let request = request.clone();
            // The client blocks on its own thread while the runtime's one thread serves it.
            let client = move || {
                let mut stream = std::net::TcpStream::connect(addr).expect("connects");
                stream.set_read_timeout(Some(Duration::from_secs(5))).expect("a read timeout");
                stream.write_all(request.as_bytes()).expect("sends");
                let mut answer = String::new();
                stream.read_to_string(&mut answer).expect("reads");
                answer.to_ascii_lowercase()
            };
            runtime.block_on(async { tokio::task::spawn_blocking(client).await }).expect("the client thread")
        })
        .collect();
    server.abort();
    answers
}

fn post(path: &str, headers: &str, body: &str) -> String {
    format!("POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n{body}", body.len())
}

fn describe_rules() -> String {
    post("/", "X-Amz-Target: StarlingDoveService.DescribeConfigRules\r\n", "{}")
}

#[test]
fn the_hook_answers_post_and_hears_resets_while_the_control_api_stays_the_endpoints() {
    let hook = Arc::new(Recording::default());
    let health = "GET /_reference/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_owned();
    let answers = exchange(Some(hook.clone()), &[describe_rules(), health, post("/_reference/reset", "", "")]);
    assert!(answers[0].starts_with("http/1.1 400"), "{}", answers[0]);
    assert!(answers[0].contains(r#""__type":"nosuchconfigruleexception""#), "{}", answers[0]);
    assert!(answers[0].contains("planted on describeconfigrules"), "{}", answers[0]);
    assert!(!answers[0].contains("x-amzn-requestid"), "marked OmitRequestId: {}", answers[0]);
    assert!(answers[1].starts_with("http/1.1 200") && answers[1].contains("x-amzn-requestid: "), "{}", answers[1]);
    assert!(answers[2].starts_with("http/1.1 200"), "{}", answers[2]);
    assert_eq!(hook.answers.load(Ordering::SeqCst), 1);
    assert_eq!(hook.resets.load(Ordering::SeqCst), 1);
}

#[test]
fn requests_the_endpoint_refuses_before_the_model_never_reach_the_hook() {
    let hook = Arc::new(Recording::default());
    let answers = exchange(Some(hook.clone()), &[post("/", "X-Amz-Target: StarlingDoveService.NoSuchThing\r\n", "{}")]);
    assert!(answers[0].contains(r#"{"__type":"unknownoperationexception"}"#), "{}", answers[0]);
    assert_eq!(hook.answers.load(Ordering::SeqCst), 0);
}

#[test]
fn a_panicking_hook_is_answered_500_and_the_endpoint_goes_on() {
    let hook = Arc::new(Recording { panic: true, ..Recording::default() });
    let answers = exchange(Some(hook.clone()), &[describe_rules(), describe_rules()]);
    for answer in &answers {
        assert!(answer.starts_with("http/1.1 500"), "{answer}");
        assert!(answer.contains(r#""__type":"internalfailure""#), "{answer}");
    }
    assert_eq!(hook.answers.load(Ordering::SeqCst), 2);
}

#[test]
fn without_a_hook_the_model_answers_with_a_request_id() {
    let answers = exchange(None, &[describe_rules()]);
    assert!(answers[0].starts_with("http/1.1 200"), "{}", answers[0]);
    assert!(answers[0].contains(r#""configrules":[]"#), "{}", answers[0]);
    assert!(answers[0].contains("x-amzn-requestid: "), "{}", answers[0]);
}
