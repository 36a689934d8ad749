//! `cargo xtask <command>`: the project's automation, in Rust so it needs nothing but cargo.
//!
//! * `test`: everything CI runs: the workflow lint (`scripts/ci/lint-workflows.sh`), the workspace
//!   tests (which replay the fuzz corpora), the conformance run against the embedded reference
//!   endpoint, the same suite against real moto and LocalStack servers with their expectation
//!   files, and the fuzz steps (`fuzz-ci`).
//! * `fuzz-ci`: one build of every fuzz target, the ClusterFuzzLite build check on it, and the
//!   planted bug found by fuzzing and turned into a regression input.
//! * `peers`: only the moto and LocalStack runs.
//! * `fuzz`: every cargo-fuzz target for a while (installs cargo-fuzz if missing).
//! * `fuzz-regress ARTIFACT`: a crash minimised into a regression input, shown failing.
//! * `bench`: every speed figure of issue 13 (model, endpoint, echo, moto), printed and written
//!   into the README's Speed table (`bench.rs`).
//! * `wheel`: the pip-installable wheel that ships the binary (`wheel.rs`, pyproject.toml).
//!
//! Python tools live in venvs under `target/` that this program creates on first use.

mod bench;
mod fuzz;
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

pub(crate) fn describe(cmd: &Command) -> String {
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
        // fakecloud only when built: its build takes half an hour here; the nightly builds it.
        if peers::Peer::Fakecloud.is_built() {
            step("fakecloud", || peers::run_against(peers::Peer::Fakecloud))?;
        } else {
            eprintln!(
                "fakecloud: NOT RUN: {} is not built (`cargo xtask peers fakecloud` builds fakecloud {} once, about 30 minutes on 2 cores, then runs it)",
                peers::Peer::fakecloud_binary().display(),
                peers::FAKECLOUD_VERSION
            );
        }
        // One page for the runs above: a row per rule, a column per target (README, "matrix").
        step("conformance matrix", || {
            let mut columns = vec![
                "reference=target/conformance/reference/report.json".to_owned(),
                "moto 5.2.5=target/conformance/moto/report.json".to_owned(),
                "LocalStack 4.14.0=target/conformance/localstack/report.json".to_owned(),
            ];
            if peers::Peer::Fakecloud.is_built() {
                columns.push(format!("fakecloud {}=target/conformance/fakecloud/report.json", peers::FAKECLOUD_VERSION));
            }
            run(Command::new(suite_binary()).arg("matrix").args(&columns).args(["--out", "target/conformance"]))
        })?;
    }
    // The fuzz corpora are replayed by the workspace tests (suite/tests/fuzz_corpus.rs).
    fuzz_ci()
}

/// The fuzz steps of `test`: every fuzz target built once, optimised as `.clusterfuzzlite/build.sh`
/// builds them, so its check reuses that build; the planted bug then rebuilds only the model and
/// the suite. (An unoptimised build is a third quicker cold but fuzzes about 100 times slower:
/// the planted bug was then not found in 60 s.)
fn fuzz_ci() -> Result<(), String> {
    let ci_build = fuzz::Build::new(fuzz::Mode::Optimised);
    step("fuzz targets: build", || fuzz::build_all(&ci_build).map(|_| ()).map_err(|e| e.to_string()))?;
    step("fuzz targets: ClusterFuzzLite build.sh", || run(Command::new("bash").arg("scripts/ci/check-clusterfuzzlite.sh")))?;
    step("fuzz targets: the planted bug is found and becomes a regression", || fuzz::planted_bug(&ci_build).map_err(|e| e.to_string()))
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
    FuzzRegress(fuzz::Regress),
    /// Only the fuzz steps of `test`.
    FuzzCi,
    Bench,
    Wheel,
    /// `--help`/`-h`, alone or after a subcommand: print this usage and exit 0.
    Help(&'static str),
}

const USAGE: &str = "usage: cargo xtask <command> [options]

commands:
  test [--no-peers]          workflow lint, workspace tests, conformance run, moto, LocalStack,
                             fakecloud (when built), matrix, fuzz-ci
  peers [moto|localstack|fakecloud]
                             only the emulator runs (moto and LocalStack by default;
                             fakecloud builds itself first, about 30 minutes, once)
  fuzz [--seconds N]         every cargo-fuzz target for N seconds each (default 60)
  fuzz-regress ARTIFACT      minimise a crash, write it as a regression input, show it failing
  fuzz-ci                    only the fuzz steps of `test` (build, ClusterFuzzLite, planted bug)
  bench                      every speed figure, printed and written into the README
  wheel                      the wheel that ships the binary (target/wheels)

`cargo xtask <command> --help` describes one command.
";

const USAGE_TEST: &str = "usage: cargo xtask test [--no-peers]

Runs everything CI runs: the workflow lint (actionlint and shellcheck, installed under
target/), `cargo test --workspace`, the conformance run against the embedded reference
endpoint, the suite against moto and LocalStack (venvs under target/), and the fuzz steps of
`cargo xtask fuzz-ci` (cargo-fuzz installed under target/tools when missing).

  --no-peers    skip the moto and LocalStack runs
";

const USAGE_PEERS: &str = "usage: cargo xtask peers [moto|localstack]

Installs (target/venv-<peer>), starts and runs the suite against moto, LocalStack or both.
";

const USAGE_FUZZ: &str = "usage: cargo xtask fuzz [--seconds N]

Runs every cargo-fuzz target for N seconds (default 60); installs cargo-fuzz if missing.
";

const USAGE_FUZZ_REGRESS: &str = "usage: cargo xtask fuzz-regress ARTIFACT [--target NAME] [--features F] [-O|--dev] [--out DIR] [--no-test]

Minimises a crash artifact with `cargo fuzz tmin`, writes it to fuzz/regressions/<target>/
(where `cargo test` replays it through the same function the fuzz target calls), and shows it
failing: once through the fuzz binary, once in `cargo test -p remediation-suite --test
fuzz_corpus`, whose output is printed. Commit the file with the fix.

  --target NAME   the fuzz target (default: from fuzz/artifacts/<target>/ in the path)
  --features F    build the target with these fuzz-crate features (planted-bug)
  -O              the build without debug assertions (build.sh's and CI's), instead of
                  cargo-fuzz's default (`cargo xtask fuzz`'s and the nightly's)
  --dev           unoptimised build (quicker to build cold, far slower to run)
  --out DIR       write to DIR/<target>/ instead (the test run is skipped: it reads fuzz/regressions)
  --no-test       skip the `cargo test` run
";

const USAGE_FUZZ_CI: &str = "usage: cargo xtask fuzz-ci

The fuzz steps of `cargo xtask test`: builds every fuzz target once (optimised, no
sanitizer), checks .clusterfuzzlite/build.sh on that build (nothing to rebuild), then builds
model_sequence with the planted bug (reference-model's `planted-bug` feature), fuzzes it from the
committed seeds and dictionary for at most 60 s, which must find it, runs fuzz-regress on the
crash, and checks the regression input fails with the bug and passes without.
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
        "fuzz-regress" => USAGE_FUZZ_REGRESS,
        "fuzz-ci" => USAGE_FUZZ_CI,
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
        "fuzz-regress" => "fuzz-regress",
        "fuzz-ci" => "fuzz-ci",
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
                Some("fakecloud") => peers::Peer::Fakecloud,
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
        "fuzz-regress" => {
            let mut artifact = None;
            let mut regress =
                fuzz::Regress { artifact: PathBuf::new(), target: None, build: fuzz::Build::new(fuzz::Mode::Fuzzing), out: None, no_test: false };
            let mut it = rest.iter();
            while let Some(a) = it.next() {
                let mut value = |flag: &'static str| it.next().cloned().ok_or(UsageError::MissingValue { command, flag });
                match a.as_str() {
                    "--target" => regress.target = Some(value("--target")?),
                    "--features" => regress.build.features = value("--features")?.split(',').map(str::to_owned).collect(),
                    "--out" => regress.out = Some(PathBuf::from(value("--out")?)),
                    "--dev" => regress.build.mode = fuzz::Mode::Dev,
                    "-O" => regress.build.mode = fuzz::Mode::Optimised,
                    "--no-test" => regress.no_test = true,
                    other if !other.starts_with('-') && artifact.is_none() => artifact = Some(PathBuf::from(other)),
                    _ => return Err(unexpected(a)),
                }
            }
            regress.artifact = artifact.ok_or(UsageError::MissingValue { command, flag: "ARTIFACT" })?;
            // Another directory is not the one the test replays.
            regress.no_test |= regress.out.is_some();
            Ok(Task::FuzzRegress(regress))
        }
        "fuzz-ci" => match rest.first() {
            None => Ok(Task::FuzzCi),
            Some(a) => Err(unexpected(a)),
        },
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
        Task::FuzzCi => fuzz_ci(),
        Task::FuzzRegress(args) => fuzz::regress(&args).map(|_| ()).map_err(|e| e.to_string()),
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
            ("fuzz-regress --help", USAGE_FUZZ_REGRESS),
            ("fuzz-ci -h", USAGE_FUZZ_CI),
            ("help fuzz-regress", USAGE_FUZZ_REGRESS),
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
            ("peers fakecloud", Task::Peers(Some(peers::Peer::Fakecloud))),
            ("fuzz", Task::Fuzz { seconds: 60 }),
            ("fuzz --seconds 20", Task::Fuzz { seconds: 20 }),
            (
                "fuzz-regress fuzz/artifacts/model_sequence/crash-1",
                Task::FuzzRegress(fuzz::Regress {
                    artifact: "fuzz/artifacts/model_sequence/crash-1".into(),
                    target: None,
                    build: fuzz::Build::new(fuzz::Mode::Fuzzing),
                    out: None,
                    no_test: false,
                }),
            ),
            (
                "fuzz-regress /tmp/crash --target model_sequence --features planted-bug -O --out /tmp/r",
                Task::FuzzRegress(fuzz::Regress {
                    artifact: "/tmp/crash".into(),
                    target: Some("model_sequence".into()),
                    build: fuzz::Build { mode: fuzz::Mode::Optimised, features: vec!["planted-bug".into()] },
                    out: Some("/tmp/r".into()),
                    no_test: true,
                }),
            ),
            ("bench", Task::Bench),
            ("fuzz-ci", Task::FuzzCi),
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
            ("fuzz-regress", UsageError::MissingValue { command: "fuzz-regress", flag: "ARTIFACT" }),
            ("fuzz-regress a b", unexpected("fuzz-regress", "b")),
            ("fuzz-regress a --target", UsageError::MissingValue { command: "fuzz-regress", flag: "--target" }),
            ("fuzz-regress a --fast", unexpected("fuzz-regress", "--fast")),
            ("fuzz-ci --quick", unexpected("fuzz-ci", "--quick")),
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
