//! # reference-endpoint
//!
//! The reference endpoint: the reference model (`reference_model`) served over AWS JSON 1.1, as
//! AWS Config speaks it, so that official clients (boto3, the AWS CLI, the AWS SDKs) work
//! against it unchanged. `remediation-suite serve` runs it as a process, `--target reference`
//! in the suite's own process; it imports nothing from the suite.
//!
//! * [`protocol`]: `POST /` with `X-Amz-Target: StarlingDoveService.<Operation>`, the model's
//!   preferred answer on the wire (status, `__type`, `X-Amzn-ErrorType`, empty bodies).
//! * [`control`]: the control API below.
//! * [`state`]: one `World` and one [`clock::Clock`] behind one mutex (requests are applied one at a
//!   time, in the order they take the lock: a serial history, no lost writes).
//! * [`clock`]: virtual or wall time, never going backwards.
//! * [`signature`]: optional SigV4 verification.
//! * [`cli`]: the `serve` command.
//! * [`fault`]: the hook through which test support plants a fault ([`router_with_fault`]).
//!
//! Every response carries `x-amzn-RequestId`. Limits against abuse: bodies over
//! [`ServerConfig::max_body_bytes`] get 413 `RequestEntityTooLargeException`; the model bounds
//! every table (`reference_model::world::MAX_RESOURCE_ROWS` and `MAX_ITEMS_PER_TABLE`, A-49); no
//! input bytes make it panic.
//!
//! ## Control API
//!
//! Under the reserved prefix `/_reference/`. JSON in, JSON out; errors are
//! `{"error": "<what went wrong>"}` with status 400 (404 unknown route, 405 wrong method,
//! 413 body too large). Signatures are never checked here.
//!
//! | route | body | answer |
//! | --- | --- | --- |
//! | `GET /_reference/health` | | `{"status": "ok"}` |
//! | `GET /_reference/clock` | | `{"now": <epoch seconds>}` |
//! | `POST /_reference/clock` | `{"advance_seconds": N}` or `{"set": <epoch seconds>}` | `{"now": <epoch seconds>}`; 400 if it would move time backwards. Executions and exception expiries that fall due run at once. |
//! | `POST /_reference/control` | one action, below | `{}`, or `{"ResultToken": "…"}`; 400 with `{"error": …}` if refused |
//! | `POST /_reference/reset` | | a fresh, empty account and clock: `{"now": <epoch seconds>}` |
//!
//! Actions of `POST /_reference/control` (`reference_model::Control`, tagged by `"action"`):
//!
//! ```json
//! {"action": "set_compliance", "rule": "r", "resource_type": "AWS::S3::Bucket", "resource_id": "b",
//!  "compliance": "NON_COMPLIANT", "annotation": "optional"}
//! {"action": "issue_result_token", "rule": "r"}                  → {"ResultToken": "rt-…"}
//! {"action": "mark_service_linked", "rule": "r", "service": "securityhub.amazonaws.com"}
//! {"action": "script_ssm", "rule": "r", "resource_type": "AWS::S3::Bucket", "resource_id": "b",
//!  "outcomes": [{"result": "fail", "message": "optional"}, {"result": "succeed"}]}
//! {"action": "set_default_ssm", "outcome": {"result": "succeed"}}
//! {"action": "set_recorder", "available": false}
//! {"action": "set_rule_deletion", "seconds": 30}
//! {"action": "set_rule_state_times", "evaluating_seconds": 60, "deleting_results_seconds": 10}
//! ```
//!
//! `compliance` is one of `COMPLIANT`, `NON_COMPLIANT`, `NOT_APPLICABLE` (no evaluation
//! result can hold `INSUFFICIENT_DATA`). The rule must exist (PutConfigRule) for every action
//! that names one. `set_recorder` with `false` leaves the account without recorder and delivery
//! channel; with `true` it restores the starting set-up if no recorder exists.
//!
//! ## The account's starting state (A-40)
//!
//! A fresh account (at start and after `/_reference/reset`) has Config set up as the console
//! leaves it, so that PutConfigRule works: a configuration recorder named `default` (the
//! service-linked role, every supported resource type, recording) and a delivery channel named
//! `default` (bucket `config-bucket-<account>`). `serve --no-recorder` starts every account
//! with neither, as a new real account is: PutConfigRule is then refused with
//! NoAvailableConfigurationRecorderException until PutConfigurationRecorder makes one.
//!
//! Rule deletion is over at once by default (A-22). `serve --rule-deletion-seconds N` (or the
//! control action `{"action": "set_rule_deletion", "seconds": N}`) makes DeleteConfigRule's
//! deletions run N seconds of the clock (A-43): meanwhile DescribeConfigRules lists the rule
//! with `ConfigRuleState` `DELETING`, and a second DeleteConfigRule or a PutConfigRule of the
//! name answers ResourceInUseException, as the API reference describes.
//!
//! The virtual clock starts at
//! 2026-01-01T00:00:00Z (1767225600); an execution is queued for 1 s and runs for 2 s of
//! clock time.
//!
//! ## Starting it
//!
//! ```no_run
//! use reference_endpoint::{start_in_background, ServerConfig};
//! let server = start_in_background(ServerConfig::default()).unwrap();
//! println!("{}", server.url); // http://127.0.0.1:<port>; dropping `server` stops it
//! ```

pub mod cli;
pub mod clock;
pub mod control;
pub mod fault;
pub mod protocol;
pub mod signature;
pub mod state;

pub use cli::{run_serve, ServeArgs};
pub use clock::ClockMode;
pub use fault::{FaultHook, OmitRequestId};

use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderValue;
use axum::response::Response;
use axum::routing::{any, get, post};
use axum::Router;
pub use reference_model::world::{AccountOptions, AccountStart};
use state::AppState;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// 1 MiB: far above the largest valid request (25 remediation configurations), far below
/// anything that could hurt the machine.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;

/// How the endpoint is set up.
#[derive(Clone)]
pub struct ServerConfig {
    pub account_id: String,
    pub region: String,
    pub clock: ClockMode,
    /// `(access key id, secret access key)`: check SigV4 signatures against this key pair.
    /// `None` accepts any request, signed or not.
    pub verify_signatures: Option<(String, String)>,
    /// Largest request body accepted (413 above it).
    pub max_body_bytes: usize,
}

/// Shows the access key id but never the secret, so a logged config leaks nothing.
impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("account_id", &self.account_id)
            .field("region", &self.region)
            .field("clock", &self.clock)
            .field("verify_signatures", &self.verify_signatures.as_ref().map(|(key, _)| (key, "** redacted **")))
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            account_id: "123456789012".to_owned(),
            region: "us-east-1".to_owned(),
            clock: ClockMode::Virtual,
            verify_signatures: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

/// The HTTP application: AWS JSON at `POST /`, the control API under `/_reference/`; the
/// account starts with Config set up ([`AccountStart::ConfigEnabled`], A-40).
pub fn router(config: ServerConfig) -> Router {
    router_with(config, AccountOptions::default())
}

/// [`router`] for accounts set up as `account` says (`serve --no-recorder`,
/// `--rule-deletion-seconds`; A-40, A-43).
pub fn router_with(config: ServerConfig, account: AccountOptions) -> Router {
    router_with_fault(config, account, None)
}

/// [`router_with`] with a planted fault answering `POST /` in the model's place ([`FaultHook`]):
/// the control API, limits and request ids stay the endpoint's own. Test support only; `fault`
/// `None` is [`router_with`].
pub fn router_with_fault(config: ServerConfig, account: AccountOptions, fault: Option<Arc<dyn FaultHook>>) -> Router {
    let max_body_bytes = config.max_body_bytes;
    let mut state = AppState::with_options(
        config.account_id,
        config.region,
        config.clock,
        config.verify_signatures,
        max_body_bytes,
        account,
    );
    if let Some(fault) = fault {
        state = state.with_fault(fault);
    }
    let state = Arc::new(state);
    Router::new()
        .route("/", post(protocol::handle_aws_json).fallback(protocol::not_found))
        .route("/_reference/health", get(control::health).fallback(control::wrong_method))
        .route("/_reference/clock", get(control::get_clock).post(control::post_clock).fallback(control::wrong_method))
        .route("/_reference/control", post(control::post_control).fallback(control::wrong_method))
        .route("/_reference/reset", post(control::post_reset).fallback(control::wrong_method))
        .route("/_reference/{*rest}", any(control::not_found))
        .fallback(protocol::not_found)
        .layer(axum::middleware::map_response_with_state(state.clone(), add_request_id))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(state)
}

/// Every response gets a fresh `x-amzn-RequestId`, as every AWS response does, unless a planted
/// fault marked it [`OmitRequestId`].
async fn add_request_id(State(state): State<Arc<AppState>>, mut response: Response) -> Response {
    if response.extensions().get::<OmitRequestId>().is_some() {
        return response;
    }
    if let Ok(value) = HeaderValue::from_str(&state.next_request_id()) {
        response.headers_mut().insert("x-amzn-requestid", value);
    }
    response
}

/// How long [`RunningServer::shutdown`] lets open requests finish before cutting them off.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// An endpoint running on the caller's tokio runtime.
pub struct RunningServer {
    /// `http://<ip>:<port>`, to use as the endpoint URL.
    pub url: String,
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Stops accepting, lets requests in flight finish (up to a few seconds), and returns.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let mut task = self.task;
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut task).await.is_err() {
            task.abort();
        }
    }
}

/// Starts the endpoint on `addr` (port 0: an ephemeral port) on the current tokio runtime.
pub async fn start(config: ServerConfig, addr: SocketAddr) -> std::io::Result<RunningServer> {
    start_with(config, addr, AccountOptions::default()).await
}

/// [`start`] for accounts set up as `account` says (A-40, A-43).
pub async fn start_with(config: ServerConfig, addr: SocketAddr, account: AccountOptions) -> std::io::Result<RunningServer> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let app = router_with(config, account);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    Ok(RunningServer { url: format!("http://{addr}"), addr, stop, task })
}

/// An endpoint on its own thread with its own tokio runtime, for synchronous callers and
/// tests. Dropping it stops the endpoint and waits for its thread.
pub struct BackgroundServer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for BackgroundServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts the endpoint on an ephemeral port of 127.0.0.1 in the background.
pub fn start_in_background(config: ServerConfig) -> std::io::Result<BackgroundServer> {
    start_in_background_on(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
}

/// As [`start_in_background`], on a given address.
pub fn start_in_background_on(config: ServerConfig, addr: SocketAddr) -> std::io::Result<BackgroundServer> {
    type Ready = std::io::Result<(String, SocketAddr, oneshot::Sender<()>)>;
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Ready>();
    let thread = std::thread::Builder::new().name("reference-endpoint".to_owned()).spawn(move || {
        let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
            Ok(rt) => rt,
            Err(e) => {
                let _ = ready_tx.send(Err(e));
                return;
            }
        };
        runtime.block_on(async move {
            match start(config, addr).await {
                Ok(server) => {
                    let (stop, stopped) = oneshot::channel();
                    let _ = ready_tx.send(Ok((server.url.clone(), server.addr, stop)));
                    // Also stops when the BackgroundServer is dropped without sending.
                    let _ = stopped.await;
                    server.shutdown().await;
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                }
            }
        });
    })?;
    match ready_rx.recv() {
        Ok(Ok((url, addr, stop))) => Ok(BackgroundServer { url, addr, stop: Some(stop), thread: Some(thread) }),
        Ok(Err(e)) => {
            let _ = thread.join();
            Err(e)
        }
        Err(_) => {
            let _ = thread.join();
            Err(std::io::Error::other("the reference endpoint's thread stopped before it was ready"))
        }
    }
}
