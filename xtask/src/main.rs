//! `cargo xtask <command>`: the project's automation, in Rust so it needs nothing but cargo.
//!
//! * `test`: everything CI runs: the workflow lint (`scripts/ci/lint-workflows.sh`), the workspace
//!   tests (which replay the fuzz corpora), the conformance run against the embedded reference
//!   endpoint, and the same suite against real moto and LocalStack servers with their
//!   expectation files.
//! * `peers`: only the moto and LocalStack runs.
//! * `fuzz`: every cargo-fuzz target for a while (installs cargo-fuzz if missing).
//! * `bench`: every speed figure of issue 13 (model, endpoint, echo, moto), printed and written
//!   into the README's Speed table (`bench.rs`).
//! * `wheel`: the pip-installable wheel that ships the binary (`wheel.rs`, pyproject.toml).
//!
//! Python tools live in venvs under `target/` that this program creates on first use.

mod bench;
mod peers;
mod wheel;

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

fn test(with_peers: bool) -> Result<(), String> {
    // First because it takes seconds: a broken workflow should not wait for the long steps.
    // The ClusterFuzzLite build check (scripts/ci/check-clusterfuzzlite.sh) is not here: a cold
    // release build of the fuzz targets takes over 7 minutes on 2 cores; the nightly runs it.
    step("workflow lint", || run(Command::new("bash").arg("scripts/ci/lint-workflows.sh")))?;
    step("workspace tests", || run(cargo().args(["test", "--workspace", "--no-fail-fast"])))?;
    // `cargo test` has built the binary for the CLI tests; `cargo build` now would recompile
    // some forty crates whose features the dev-dependencies changed.
    if !suite_binary().is_file() {
        step("build the suite binary", || run(cargo().args(["build", "-p", "remediation-suite"])))?;
    }
    step("conformance run against the embedded reference endpoint", || {
        run(Command::new(suite_binary()).args(["run", "--quiet", "--seed", "1", "--sequences", "300", "--out", "target/conformance/reference", "--snapshots", "snapshots/reference"]))
    })?;
    // The release build it makes is the one `cargo xtask bench` uses too.
    step("wheel: build, install into a fresh venv, run and serve from it", || wheel::check(&wheel::build()?))?;
    if with_peers {
        step("moto", || peers::run_against(peers::Peer::Moto))?;
        step("LocalStack", || peers::run_against(peers::Peer::LocalStack))?;
    }
    // The fuzz corpora are replayed by the workspace tests (suite/tests/fuzz_corpus.rs); the
    // fuzzer itself runs in `cargo xtask fuzz` (nightly), not here.
    Ok(())
}

fn fuzz(seconds: u64) -> Result<(), String> {
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
    step("speed figures (model, endpoint, echo, moto)", bench::run)
}

/// What `cargo xtask ...` was asked to do, parsed before anything runs: `--help` must never
/// start the suite, and a flag it does not know is a usage error, not silently ignored.
#[derive(Debug, PartialEq, Eq)]
enum Task {
    Test { with_peers: bool },
    Peers(Option<peers::Peer>),
    Fuzz { seconds: u64 },
    Bench,
    Wheel,
    /// `--help`/`-h`, alone or after a subcommand: print this usage and exit 0.
    Help(&'static str),
}

const USAGE: &str = "usage: cargo xtask <command> [options]

commands:
  test [--no-peers]          workflow lint, workspace tests, conformance run, moto, LocalStack
  peers [moto|localstack]    only the moto and LocalStack runs (both by default)
  fuzz [--seconds N]         every cargo-fuzz target for N seconds each (default 60)
  bench                      every speed figure, printed and written into the README
  wheel                      the wheel that ships the binary (target/wheels)

`cargo xtask <command> --help` describes one command.
";

const USAGE_TEST: &str = "usage: cargo xtask test [--no-peers]

Runs everything CI runs: the workflow lint (actionlint and shellcheck, installed under
target/), `cargo test --workspace`, the conformance run against the embedded reference
endpoint, and the suite against moto and LocalStack (venvs under target/).

  --no-peers    skip the moto and LocalStack runs
";

const USAGE_PEERS: &str = "usage: cargo xtask peers [moto|localstack]

Installs (target/venv-<peer>), starts and runs the suite against moto, LocalStack or both.
";

const USAGE_FUZZ: &str = "usage: cargo xtask fuzz [--seconds N]

Runs every cargo-fuzz target for N seconds (default 60); installs cargo-fuzz if missing.
";

const USAGE_BENCH: &str = "usage: cargo xtask bench

Measures the model (cargo bench -p reference-model --bench model) and the endpoint next to a
bare axum echo and moto (scripts/server/bench.sh, wrk), prints the figures with the machine and
the ratios, and rewrites the README's Speed table between its markers.
";

const USAGE_WHEEL: &str = "usage: cargo xtask wheel

Builds the wheel that ships the remediation-suite binary (maturin, pyproject.toml) into
target/wheels; `pip install target/wheels/*.whl` then gives the command.
";

/// Why the command line is refused; printed with the usage of what was asked for.
#[derive(Debug, PartialEq, Eq)]
enum UsageError {
    NoCommand,
    UnknownCommand(String),
    UnexpectedArgument { command: &'static str, argument: String },
    MissingValue { command: &'static str, flag: &'static str },
    BadValue { command: &'static str, flag: &'static str, value: String },
}

impl UsageError {
    fn usage(&self) -> &'static str {
        match self {
            UsageError::NoCommand | UsageError::UnknownCommand(_) => USAGE,
            UsageError::UnexpectedArgument { command, .. } | UsageError::MissingValue { command, .. } | UsageError::BadValue { command, .. } => {
                usage_of(command)
            }
        }
    }
}

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UsageError::NoCommand => write!(f, "no command given"),
            UsageError::UnknownCommand(c) => write!(f, "unknown command {c:?}"),
            UsageError::UnexpectedArgument { command, argument } => write!(f, "`{command}` does not take {argument:?}"),
            UsageError::MissingValue { command, flag } => write!(f, "`{command} {flag}` needs a value"),
            UsageError::BadValue { command, flag, value } => write!(f, "`{command} {flag}`: {value:?} is not a whole number of seconds"),
        }
    }
}

fn usage_of(command: &str) -> &'static str {
    match command {
        "test" => USAGE_TEST,
        "peers" => USAGE_PEERS,
        "fuzz" => USAGE_FUZZ,
        "bench" => USAGE_BENCH,
        "wheel" => USAGE_WHEEL,
        _ => USAGE,
    }
}

fn parse(args: &[String]) -> Result<Task, UsageError> {
    let is_help = |a: &String| a == "--help" || a == "-h";
    let Some((command, rest)) = args.split_first() else { return Err(UsageError::NoCommand) };
    if is_help(command) || command == "help" {
        return Ok(Task::Help(rest.first().map_or(USAGE, |c| usage_of(c))));
    }
    let command: &'static str = match command.as_str() {
        "test" => "test",
        "peers" => "peers",
        "fuzz" => "fuzz",
        "bench" => "bench",
        "wheel" => "wheel",
        other => return Err(UsageError::UnknownCommand(other.to_owned())),
    };
    // Help anywhere after the command wins over everything else on the line.
    if rest.iter().any(is_help) {
        return Ok(Task::Help(usage_of(command)));
    }
    let unexpected = |a: &String| UsageError::UnexpectedArgument { command, argument: a.clone() };
    match command {
        "test" => {
            let mut with_peers = true;
            for a in rest {
                match a.as_str() {
                    "--no-peers" => with_peers = false,
                    _ => return Err(unexpected(a)),
                }
            }
            Ok(Task::Test { with_peers })
        }
        "peers" => {
            let peer = match rest.first().map(String::as_str) {
                None => return Ok(Task::Peers(None)),
                Some("moto") => peers::Peer::Moto,
                Some("localstack") => peers::Peer::LocalStack,
                Some(_) => return Err(unexpected(&rest[0])),
            };
            match rest.get(1) {
                None => Ok(Task::Peers(Some(peer))),
                Some(extra) => Err(unexpected(extra)),
            }
        }
        "fuzz" => {
            let mut seconds = 60;
            let mut it = rest.iter();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "--seconds" => {
                        let value = it.next().ok_or(UsageError::MissingValue { command, flag: "--seconds" })?;
                        seconds = value
                            .parse()
                            .map_err(|_| UsageError::BadValue { command, flag: "--seconds", value: value.clone() })?;
                    }
                    _ => return Err(unexpected(a)),
                }
            }
            Ok(Task::Fuzz { seconds })
        }
        "wheel" => match rest.first() {
            None => Ok(Task::Wheel),
            Some(a) => Err(unexpected(a)),
        },
        _ => match rest.first() {
            None => Ok(Task::Bench),
            Some(a) => Err(unexpected(a)),
        },
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = match parse(&args) {
        Ok(Task::Help(usage)) => {
            print!("{usage}");
            return ExitCode::SUCCESS;
        }
        Ok(task) => task,
        Err(e) => {
            eprintln!("error: {e}\n\n{}", e.usage());
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let result = match task {
        Task::Test { with_peers } => test(with_peers),
        Task::Peers(Some(peer)) => peers::run_against(peer),
        Task::Peers(None) => peers::run_against(peers::Peer::Moto).and_then(|_| peers::run_against(peers::Peer::LocalStack)),
        Task::Fuzz { seconds } => fuzz(seconds),
        Task::Bench => bench(),
        Task::Wheel => wheel::build().map(|w| eprintln!("built {}", w.display())),
        Task::Help(_) => unreachable!("answered above"),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn help_is_answered_for_every_command_and_runs_nothing() {
        let cases = [
            ("--help", USAGE),
            ("-h", USAGE),
            ("help", USAGE),
            ("help fuzz", USAGE_FUZZ),
            ("test --help", USAGE_TEST),
            ("test -h", USAGE_TEST),
            ("test --no-peers --help", USAGE_TEST),
            ("test --bogus --help", USAGE_TEST),
            ("peers --help", USAGE_PEERS),
            ("peers moto -h", USAGE_PEERS),
            ("fuzz --help", USAGE_FUZZ),
            ("fuzz --seconds -h", USAGE_FUZZ),
            ("bench --help", USAGE_BENCH),
            ("wheel -h", USAGE_WHEEL),
        ];
        for (line, usage) in cases {
            assert_eq!(parse(&args(line)), Ok(Task::Help(usage)), "{line}");
        }
    }

    #[test]
    fn commands_and_their_options() {
        let cases = [
            ("test", Task::Test { with_peers: true }),
            ("test --no-peers", Task::Test { with_peers: false }),
            ("peers", Task::Peers(None)),
            ("peers moto", Task::Peers(Some(peers::Peer::Moto))),
            ("peers localstack", Task::Peers(Some(peers::Peer::LocalStack))),
            ("fuzz", Task::Fuzz { seconds: 60 }),
            ("fuzz --seconds 20", Task::Fuzz { seconds: 20 }),
            ("bench", Task::Bench),
            ("wheel", Task::Wheel),
        ];
        for (line, task) in cases {
            assert_eq!(parse(&args(line)), Ok(task), "{line}");
        }
    }

    #[test]
    fn unknown_commands_flags_and_values_are_refused() {
        let unexpected = |command, argument: &str| UsageError::UnexpectedArgument { command, argument: argument.to_owned() };
        let cases = [
            ("", UsageError::NoCommand),
            ("tset", UsageError::UnknownCommand("tset".into())),
            ("test --bogus", unexpected("test", "--bogus")),
            ("test --no-peer", unexpected("test", "--no-peer")),
            ("peers docker", unexpected("peers", "docker")),
            ("peers moto localstack", unexpected("peers", "localstack")),
            ("fuzz --seconds", UsageError::MissingValue { command: "fuzz", flag: "--seconds" }),
            ("fuzz --seconds soon", UsageError::BadValue { command: "fuzz", flag: "--seconds", value: "soon".into() }),
            ("fuzz 20", unexpected("fuzz", "20")),
            ("bench --quick", unexpected("bench", "--quick")),
            ("wheel --release", unexpected("wheel", "--release")),
        ];
        for (line, error) in cases {
            assert_eq!(parse(&args(line)), Err(error), "{line}");
        }
    }

    #[test]
    fn a_refusal_shows_the_usage_of_the_command_asked_for() {
        assert_eq!(parse(&args("test --bogus")).map_err(|e| e.usage()), Err(USAGE_TEST));
        assert_eq!(parse(&args("tset")).map_err(|e| e.usage()), Err(USAGE));
    }
}
