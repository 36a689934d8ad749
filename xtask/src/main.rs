//! `cargo xtask <command>`: the project's automation, in Rust so it needs nothing but cargo.
//!
//! * `test`: everything CI runs: the workspace tests (which replay the fuzz corpora), the
//!   conformance run against the embedded reference endpoint, and the same suite against real
//!   moto and LocalStack servers with their expectation files.
//! * `peers`: only the moto and LocalStack runs.
//! * `fuzz`: every cargo-fuzz target for a while (installs cargo-fuzz if missing).
//! * `bench`: the throughput benchmarks whose figures are in the README.
//!
//! Python tools live in venvs under `target/` that this program creates on first use.

mod peers;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// The workspace root (this crate lives in `<root>/xtask`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is inside the workspace").to_owned()
}

/// Runs a command in the workspace root, echoing it; `Err` names what failed.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    eprintln!("+ {}", describe(cmd));
    let status = cmd.current_dir(root()).status().map_err(|e| format!("cannot start {}: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", describe(cmd)))
    }
}

fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program().to_string_lossy().into_owned())
        .chain(cmd.get_args().map(|a| a.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// The suite binary built by `cargo test` (debug profile).
pub fn suite_binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    target.join("debug").join("remediation-suite")
}

fn step(name: &str, f: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    let started = Instant::now();
    eprintln!("\n=== {name}");
    let result = f();
    eprintln!("=== {name}: {} in {:.0} s", if result.is_ok() { "ok" } else { "FAILED" }, started.elapsed().as_secs_f64());
    result.map_err(|e| format!("{name}: {e}"))
}

fn test(args: &[String]) -> Result<(), String> {
    let with_peers = !args.iter().any(|a| a == "--no-peers");
    step("workspace tests", || run(cargo().args(["test", "--workspace", "--no-fail-fast"])))?;
    // `cargo test` has built the binary for the CLI tests; `cargo build` now would recompile
    // some forty crates whose features the dev-dependencies changed.
    if !suite_binary().is_file() {
        step("build the suite binary", || run(cargo().args(["build", "-p", "remediation-suite"])))?;
    }
    step("conformance run against the embedded reference endpoint", || {
        run(Command::new(suite_binary()).args(["run", "--quiet", "--seed", "1", "--sequences", "300", "--out", "target/conformance/reference"]))
    })?;
    if with_peers {
        step("moto", || peers::run_against(peers::Peer::Moto))?;
        step("LocalStack", || peers::run_against(peers::Peer::LocalStack))?;
    }
    // The fuzz corpora are replayed by the workspace tests (suite/tests/fuzz_corpus.rs); the
    // fuzzer itself runs in `cargo xtask fuzz` (nightly), not here.
    Ok(())
}

fn fuzz(args: &[String]) -> Result<(), String> {
    let seconds = args.iter().position(|a| a == "--seconds").and_then(|i| args.get(i + 1)).cloned().unwrap_or_else(|| "60".into());
    if Command::new("cargo").args(["fuzz", "--version"]).output().map(|o| !o.status.success()).unwrap_or(true) {
        run(cargo().args(["install", "cargo-fuzz", "--locked"]))?;
    }
    let list = Command::new("cargo").args(["fuzz", "list"]).current_dir(root()).output().map_err(|e| e.to_string())?;
    for target in String::from_utf8_lossy(&list.stdout).lines().filter(|l| !l.trim().is_empty()) {
        let dict = root().join("fuzz").join("dictionaries").join(format!("{target}.dict"));
        let mut cmd = cargo();
        cmd.args(["fuzz", "run", "--sanitizer", "none", target, "--"]).arg(format!("-max_total_time={seconds}"));
        if dict.is_file() {
            cmd.arg(format!("-dict={}", dict.display()));
        }
        run(&mut cmd)?;
    }
    Ok(())
}

fn bench() -> Result<(), String> {
    step("model and generator benchmarks", || run(cargo().args(["bench", "--workspace"])))?;
    step("endpoint throughput against moto", || run(Command::new("bash").arg("scripts/server/bench.sh")))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let started = Instant::now();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(&args[1..]),
        Some("peers") => match args.get(1).map(String::as_str) {
            Some("moto") => peers::run_against(peers::Peer::Moto),
            Some("localstack") => peers::run_against(peers::Peer::LocalStack),
            _ => peers::run_against(peers::Peer::Moto).and_then(|_| peers::run_against(peers::Peer::LocalStack)),
        },
        Some("fuzz") => fuzz(&args[1..]),
        Some("bench") => bench(),
        _ => {
            eprintln!("usage: cargo xtask <test [--no-peers] | peers [moto|localstack] | fuzz [--seconds N] | bench>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => {
            eprintln!("\nall done in {:.0} s", started.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("\nerror: {e}");
            ExitCode::FAILURE
        }
    }
}
