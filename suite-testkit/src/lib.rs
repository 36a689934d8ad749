//! # suite-testkit
//!
//! Test support for `remediation-suite`, a dev-only crate (`publish = false`): what the suite's
//! integration tests, benchmarks, examples and fuzz targets need, and the shipped suite does not.
//!
//! * Scripted peers (below) and [`faulty_reference`], the reference endpoint with a planted
//!   fault (`reference_endpoint::FaultHook`).
//! * [`mutate`]: the answer mutator (wrong answers and acceptable variants planted into a run
//!   through `remediation_suite::runner::AnswerHook`).
//! * [`fuzzing`]: the entry points of the fuzz targets in `fuzz/fuzz_targets/`.
//!
//! It depends on the suite, so the suite's own unit tests (inside `suite/src`) do not use it:
//! they would see a second copy of the suite's types. Tests that need a peer live in
//! `suite/tests/`.
//!
//! ## Scripted peers
//!
//! Real HTTP servers on 127.0.0.1 that misbehave on purpose, so tests can prove
//! that the suite notices (in the spirit of h2's test-support crate).
//!
//! Every peer listens on an ephemeral port, runs on its own thread with its own tokio runtime
//! (so synchronous tests and tests that spawn the CLI can use it too), counts the requests it
//! gets ([`Peer::requests`]), and stops when its [`Peer`] handle is dropped (or on
//! [`Peer::shutdown`]); open connections, such as the ones [`hang`] holds, are cut then.
//!
//! | peer | what it does | verdict it provokes |
//! | --- | --- | --- |
//! | [`faulty_reference`]`(Fault::None)` | the reference endpoint, control API included | `PASS` |
//! | [`faulty_reference`]`(fault)` | the reference endpoint with one broken rule ([`Fault`]) | `FAIL` (with a scenario that checks the rule) |
//! | [`recorded`]`(Alteration::ErrorMessage)` | the reference's answers, error messages reworded (a MAY detail) | `NON-STRICT` |
//! | [`wrong_content_type`] | the reference's answers as `text/html`, without a request id (SHOULD details) | `NON-STRICT` |
//! | [`not_implemented_501`] | 501 `InternalFailure` "…action has not been implemented", as LocalStack answers | `UNIMPLEMENTED` |
//! | [`html_500`] | 500 with an HTML page, as moto answers an operation it lacks | `UNIMPLEMENTED` (moto profile), `ERROR` (others) |
//! | [`garbage_json`] | 200 with a body that is not JSON | `ERROR` |
//! | [`server_error`] | 500 JSON `InternalFailure` | `ERROR` |
//! | [`missing_error_type`] | 400 with `{}`: no `__type`, no `X-Amzn-ErrorType` | `ERROR` |
//! | [`hang`] | accepts and never answers | `ERROR` (client timeout) |
//! | [`closed_port_url`] | nothing listens there | `ERROR` (connection refused) |
//!
//! Besides the peers: [`TempDir`] (a directory removed on drop, for `--out` and `--fixtures`),
//! [`http_target`] and [`scenario`] to build the runner's inputs in a few lines.

mod faulty;
pub mod fuzzing;
pub mod mutate;
mod scripted;

pub use faulty::{faulty_reference, recorded, wrong_content_type, Alteration, Fault, REWORDED_SUFFIX};
pub use scripted::{garbage_json, hang, html_500, missing_error_type, not_implemented_501, reset_connections, server_error, slow_drip};

use remediation_suite::profile::TargetProfile;
use remediation_suite::scenario::Scenario;
use remediation_suite::target::{Endpoint, HttpTarget, SigningCredentials};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// A running peer. Dropping it stops the server and waits for its thread.
pub struct Peer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    pub addr: SocketAddr,
    requests: Arc<AtomicUsize>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Peer {
    /// How many HTTP requests (API and control alike) reached the peer so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Stops the peer without blocking the caller's runtime.
    pub async fn shutdown(self) {
        let _ = tokio::task::spawn_blocking(move || drop(self)).await;
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Peer").field("url", &self.url).field("requests", &self.requests()).finish()
    }
}

async fn count(State(counter): State<Arc<AtomicUsize>>, request: Request, next: Next) -> Response {
    counter.fetch_add(1, Ordering::SeqCst);
    next.run(request).await
}

/// Serves `app` on an ephemeral loopback port from a thread of its own. The port is bound
/// before this returns, so the URL is usable at once.
pub(crate) fn spawn(name: &str, app: Router) -> Peer {
    let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a loopback port for a test peer");
    listener.set_nonblocking(true).expect("a non-blocking listener");
    let addr = listener.local_addr().expect("the peer's address");
    let requests = Arc::new(AtomicUsize::new(0));
    let app = app.layer(axum::middleware::from_fn_with_state(requests.clone(), count));
    let (stop, stopped) = oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name(format!("testkit-{name}"))
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime for a test peer");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                let serve = std::future::IntoFuture::into_future(axum::serve(listener, app));
                tokio::select! {
                    _ = serve => {}
                    _ = stopped => {}
                }
            });
            // Dropping the runtime here cancels every open connection (even a hanging one).
        })
        .expect("a thread for a test peer");
    Peer { url: format!("http://{addr}"), addr, requests, stop: Some(stop), thread: Some(thread) }
}

/// A URL on 127.0.0.1 where nothing listens (the port was bound, then released), so a
/// connection is refused.
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a loopback port");
    let port = listener.local_addr().expect("its address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// An HTTP target for `url` with a built-in profile (`reference`, `moto`, `generic`, …), local
/// placeholder credentials and the given timeout per request.
pub fn http_target(url: &str, profile: &str, timeout: Duration) -> HttpTarget {
    let profile = TargetProfile::builtin(profile).unwrap_or_else(|| panic!("no built-in profile {profile:?}"));
    let endpoint =
        Endpoint { url: url.to_owned(), region: "us-east-1".into(), credentials: SigningCredentials::local(), timeout };
    HttpTarget::new(endpoint, profile).expect("a valid target")
}

/// Parses a scenario written in a test; panics with the linter's message if it is malformed.
pub fn scenario(json: &serde_json::Value) -> Scenario {
    Scenario::parse(&json.to_string(), Path::new("<test>")).unwrap_or_else(|e| panic!("test scenario: {e}"))
}

/// A fresh directory under the system's temporary directory, removed with its contents on drop
/// (the `tempfile` crate underneath; a test-support crate may add it, the shipped suite does
/// not carry it).
#[derive(Debug)]
pub struct TempDir {
    dir: tempfile::TempDir,
}

impl TempDir {
    /// A directory named `remediation-suite-<label>-<random>`, so a leftover one says whose it is.
    pub fn new(label: &str) -> TempDir {
        let dir = tempfile::Builder::new()
            .prefix(&format!("remediation-suite-{label}-"))
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary directory for {label}: {e}"));
        TempDir { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `contents` to `relative` (creating parent directories) and returns the full path.
    pub fn write(&self, relative: &str, contents: &str) -> PathBuf {
        let path = self.path().join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
        }
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::time::Instant;

    fn raw_get(addr: SocketAddr, path: &str) -> String {
        let mut stream = std::net::TcpStream::connect(addr).expect("connects");
        stream.set_read_timeout(Some(Duration::from_secs(5))).expect("a read timeout");
        write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").expect("sends");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("reads");
        answer
    }

    #[test]
    fn faulty_reference_serves_the_control_api_and_counts_requests() {
        let peer = faulty_reference(Fault::None);
        let answer = raw_get(peer.addr, "/_reference/health");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with(r#"{"status":"ok"}"#), "{answer}");
        assert!(answer.to_ascii_lowercase().contains("x-amzn-requestid: "), "{answer}");
        assert_eq!(peer.requests(), 1);
    }

    #[test]
    fn dropping_a_hanging_peer_cuts_its_open_connections() {
        let peer = hang();
        let mut stream = std::net::TcpStream::connect(peer.addr).expect("connects");
        write!(stream, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{{}}").expect("sends");
        while peer.requests() == 0 {
            std::thread::sleep(Duration::from_millis(5));
        }
        let started = Instant::now();
        drop(peer);
        assert!(started.elapsed() < Duration::from_secs(2), "stopped at once: {:?}", started.elapsed());
        stream.set_read_timeout(Some(Duration::from_secs(2))).expect("a read timeout");
        let mut rest = Vec::new();
        match stream.read_to_end(&mut rest) {
            Ok(n) => assert_eq!(n, 0, "no answer, just the end of the connection"),
            Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "closed, not hanging: {e}"),
        }
    }

    #[test]
    fn a_closed_port_refuses_connections() {
        let url = closed_port_url();
        let addr: SocketAddr = url.trim_start_matches("http://").parse().expect("an address");
        assert!(std::net::TcpStream::connect(addr).is_err());
    }

    #[tokio::test]
    async fn peers_shut_down_from_async_code() {
        let peer = garbage_json();
        let url = peer.url.clone();
        peer.shutdown().await;
        let addr: SocketAddr = url.trim_start_matches("http://").parse().expect("an address");
        assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    }

    #[test]
    fn temp_dirs_are_removed_on_drop() {
        let dir = TempDir::new("testkit");
        let file = dir.write("a/b.txt", "x");
        assert_eq!(std::fs::read_to_string(&file).expect("written"), "x");
        let path = dir.path().to_owned();
        drop(dir);
        assert!(!path.exists());
    }
}
