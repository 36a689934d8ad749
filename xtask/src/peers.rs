//! Real emulators on 127.0.0.1: install (a venv under `target/`), start, run the suite against
//! them with their expectation file and their recording (`snapshots/<peer>/`), stop. Neither
//! implements the remediation operations; the runs prove the suite names exactly what they get
//! wrong, and nothing else, and that their answers are still the recorded ones.
//!
//! With `RSUITE_UPDATE_SNAPSHOTS=1` each peer is recorded instead (`record`): new and changed
//! recordings become pending files in `snapshots/<peer>/`, for `remediation-suite snapshots
//! review` and `accept`.

use crate::{root, run, suite_binary};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Peer {
    Moto,
    LocalStack,
    /// The first open emulator that implements the remediation operations (Rust, AGPL-3.0: run
    /// as a separate program, never linked). Its build takes about 30 minutes on 2 cores, so
    /// `cargo xtask test` runs it only when it is already built.
    Fakecloud,
}

/// The fakecloud release the suite is measured against.
pub const FAKECLOUD_VERSION: &str = "0.51.0";

impl Peer {
    fn name(self) -> &'static str {
        match self {
            Peer::Moto => "moto",
            Peer::LocalStack => "localstack",
            Peer::Fakecloud => "fakecloud",
        }
    }
    /// fakecloud's binary, installed by `cargo install --root target/fakecloud`.
    pub fn fakecloud_binary() -> PathBuf {
        root().join("target").join("fakecloud").join("bin").join("fakecloud")
    }
    /// True when the peer can start without a long build first (fakecloud's 30 minutes).
    pub fn is_built(self) -> bool {
        match self {
            Peer::Fakecloud => Peer::fakecloud_binary().is_file(),
            _ => true,
        }
    }
    fn venv(self) -> PathBuf {
        root().join("target").join(format!("venv-{}", self.name()))
    }
    /// Versions known to work here (the team's peers notes): LocalStack 4.14.0 is the newest that runs
    /// on Python 3.11, with four pins.
    fn packages(self) -> &'static [&'static str] {
        match self {
            Peer::Moto => &["moto[server]==5.2.5"],
            Peer::LocalStack => &["localstack-core[runtime]==4.14.0", "cbor2<6", "pyopenssl==25.1.0", "cryptography>=45,<46", "service-identity"],
            Peer::Fakecloud => &[],
        }
    }
    fn ready_marker(self) -> PathBuf {
        self.venv().join(".installed")
    }
}

fn install(peer: Peer) -> Result<(), String> {
    if peer == Peer::Fakecloud {
        if Peer::fakecloud_binary().is_file() {
            return Ok(());
        }
        eprintln!("fakecloud {FAKECLOUD_VERSION} is not built yet: building it from crates.io into target/fakecloud (about 30 minutes on 2 cores, once)");
        let root_dir = root().join("target").join("fakecloud");
        return run(Command::new("cargo").args(["install", "fakecloud", "--version", FAKECLOUD_VERSION, "--locked", "--root"]).arg(root_dir));
    }
    if peer.ready_marker().is_file() {
        return Ok(());
    }
    run(Command::new("python3").arg("-m").arg("venv").arg(peer.venv()))?;
    run(Command::new(peer.venv().join("bin").join("pip")).args(["install", "--quiet", "--disable-pip-version-check"]).args(peer.packages()))?;
    std::fs::write(peer.ready_marker(), peer.packages().join("\n")).map_err(|e| e.to_string())
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).map_err(|e| e.to_string())
}

/// A running peer; killed when dropped.
struct Running {
    child: Child,
    log: PathBuf,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(peer: Peer, port: u16) -> Result<Running, String> {
    let log = root().join("target").join(format!("{}.log", peer.name()));
    let out = std::fs::File::create(&log).map_err(|e| e.to_string())?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let bin = peer.venv().join("bin");
    let mut cmd = match peer {
        Peer::Moto => {
            let mut c = Command::new(bin.join("moto_server"));
            c.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
            c
        }
        // Its default address is 0.0.0.0: the loopback address must be given.
        Peer::Fakecloud => {
            let mut c = Command::new(Peer::fakecloud_binary());
            c.args(["--addr", &format!("127.0.0.1:{port}"), "--log-level", "warn"]);
            c
        }
        Peer::LocalStack => {
            let volume = root().join("target").join("localstack-volume");
            let mut c = Command::new(bin.join("python"));
            c.args(["-m", "localstack.runtime.main"])
                .env("GATEWAY_LISTEN", format!("127.0.0.1:{port}"))
                .env("SERVICES", "config")
                .env("EAGER_SERVICE_LOADING", "1")
                .env("DNS_ADDRESS", "0")
                .env("LOCALSTACK_VOLUME_DIR", volume)
                .env("SKIP_SSL_CERT_DOWNLOAD", "1")
                .env("DISABLE_EVENTS", "1");
            c
        }
    };
    let child = cmd.stdout(Stdio::from(out)).stderr(Stdio::from(err)).spawn().map_err(|e| format!("cannot start {}: {e}", peer.name()))?;
    let running = Running { child, log };
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() && ready(peer, port) {
            return Ok(running);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(format!("{} did not become ready on port {port} within 120 s; see {}", peer.name(), running.log.display()))
}

/// moto answers its API root; LocalStack reports the config service as running.
fn ready(peer: Peer, port: u16) -> bool {
    let path = match peer {
        Peer::Moto => "/moto-api/",
        Peer::LocalStack => "/_localstack/health",
        Peer::Fakecloud => "/_fakecloud/health",
    };
    let Ok(out) = Command::new("curl").args(["-s", "-m", "2"]).arg(format!("http://127.0.0.1:{port}{path}")).output() else {
        return false;
    };
    let body = String::from_utf8_lossy(&out.stdout);
    match peer {
        Peer::Moto | Peer::Fakecloud => out.status.success() && !body.is_empty(),
        Peer::LocalStack => body.contains("\"config\": \"running\"") || body.contains("\"config\":\"running\""),
    }
}

/// True when `RSUITE_UPDATE_SNAPSHOTS` asks for new recordings (set, and not `0` or `false`).
fn updating_snapshots() -> bool {
    std::env::var("RSUITE_UPDATE_SNAPSHOTS").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Installs, starts and runs the suite against one peer; the run must pass with the peer's
/// expectation file (every deviation listed, no unexpected pass) and match its recording in
/// `snapshots/<peer>/`. With `RSUITE_UPDATE_SNAPSHOTS` set, records the peer instead.
pub fn run_against(peer: Peer) -> Result<(), String> {
    install(peer)?;
    let port = free_port()?;
    let _running = start(peer, port)?;
    let snapshots = format!("snapshots/{}", peer.name());
    let mut cmd = Command::new(suite_binary());
    if updating_snapshots() {
        cmd.args(["record", "--target", peer.name(), "--out", &snapshots]);
    } else {
        let out = format!("target/conformance/{}", peer.name());
        cmd.args(["run", "--quiet", "--seed", "1", "--sequences", "50", "--target", peer.name(), "--out", &out, "--snapshots", &snapshots]);
    }
    run(cmd
        .arg("--endpoint")
        .arg(format!("http://127.0.0.1:{port}"))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing"))
}
