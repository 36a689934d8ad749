//! Fuzzing automation (issue 12, items 2 and 7): `cargo xtask fuzz-regress ARTIFACT` turns a
//! crash into a regression input and shows it failing, and the fuzz steps of `cargo xtask test`
//! build every target once, check the ClusterFuzzLite build from that build, and prove that
//! libFuzzer finds the planted bug (`reference-model`'s `planted-bug` feature) in bounded time.
//!
//! cargo-fuzz is installed under `target/tools` when cargo has none (as
//! `scripts/ci/check-clusterfuzzlite.sh` does), so CI needs nothing beyond cargo.

use crate::{root, run};
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The target the planted bug lives behind, and what finds it.
pub const PLANTED_TARGET: &str = "model_sequence";
/// The fuzz crate's feature that plants it (forwarded to `reference-model/planted-bug`).
pub const PLANTED_FEATURE: &str = "planted-bug";
/// Most seconds of fuzzing the planted bug may take to be found, in CI.
pub const PLANTED_BUDGET_SECONDS: u64 = 60;

/// What went wrong, for the step's error line.
#[derive(Debug)]
pub enum FuzzError {
    /// A command could not start or failed.
    Command(String),
    /// A file could not be read, written or listed.
    Io { path: PathBuf, error: std::io::Error },
    /// The artifact's target cannot be told from its path; `--target` names it.
    UnknownTarget(PathBuf),
    /// `cargo fuzz tmin` ran but named no minimised file.
    NotMinimised(String),
    /// The regression input does not fail where it must (before the fix).
    DoesNotFail { input: PathBuf, how: String },
    /// The regression input fails where it must not (the model without the planted bug).
    FailsWithoutTheBug { input: PathBuf, output: String },
    /// libFuzzer did not find the planted bug in its time budget.
    NotFound { seconds: u64, output: String },
}

impl fmt::Display for FuzzError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FuzzError::Command(e) => f.write_str(e),
            FuzzError::Io { path, error } => write!(f, "{}: {error}", path.display()),
            FuzzError::UnknownTarget(p) => {
                write!(f, "cannot tell the fuzz target of {} (not under fuzz/artifacts/<target>/): pass --target NAME", p.display())
            }
            FuzzError::NotMinimised(out) => write!(f, "cargo fuzz tmin named no minimised artifact:\n{out}"),
            FuzzError::DoesNotFail { input, how } => write!(f, "{} does not fail {how}: not a regression input", input.display()),
            FuzzError::FailsWithoutTheBug { input, output } => {
                write!(f, "{} also fails without the planted bug:\n{output}", input.display())
            }
            FuzzError::NotFound { seconds, output } => write!(f, "the planted bug was not found in {seconds} s of fuzzing:\n{output}"),
        }
    }
}

impl From<String> for FuzzError {
    fn from(e: String) -> Self {
        FuzzError::Command(e)
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FuzzError + '_ {
    move |error| FuzzError::Io { path: path.to_owned(), error }
}

/// Which of cargo-fuzz's builds. Each has its own compiler flags, so switching between them
/// rebuilds every crate (minutes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// cargo-fuzz's default: optimised, with debug assertions; what `cargo xtask fuzz` and the
    /// nightly fuzz with, so their artifacts reproduce here.
    Fuzzing,
    /// `-O`: optimised without debug assertions, as `.clusterfuzzlite/build.sh` builds; CI uses
    /// it so that the ClusterFuzzLite check reuses its build.
    Optimised,
    /// `--dev`: unoptimised (a third quicker to build cold, about 100 times slower to fuzz).
    Dev,
}

/// How the fuzz targets are built: the same flags for build, run and tmin, so that none of
/// them rebuilds what another built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Build {
    pub mode: Mode,
    pub features: Vec<String>,
}

impl Build {
    pub fn new(mode: Mode) -> Self {
        Build { mode, features: Vec::new() }
    }

    fn flags(&self) -> Vec<String> {
        let mut flags = vec!["--sanitizer".to_owned(), "none".to_owned()];
        match self.mode {
            Mode::Fuzzing => {}
            Mode::Optimised => flags.push("-O".into()),
            Mode::Dev => flags.push("--dev".into()),
        }
        if !self.features.is_empty() {
            flags.push("--features".into());
            flags.push(self.features.join(","));
        }
        flags
    }

    /// Where cargo-fuzz leaves the binaries of this build.
    pub fn bin_dir(&self) -> PathBuf {
        root().join("fuzz").join("target").join(host_triple()).join(if self.mode == Mode::Dev { "debug" } else { "release" })
    }
}

fn host_triple() -> String {
    let out = Command::new("rustc").arg("-vV").output().map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
    out.lines().find_map(|l| l.strip_prefix("host: ")).unwrap_or("x86_64-unknown-linux-gnu").to_owned()
}

/// `PATH` with `target/tools/bin` first, installing cargo-fuzz there when cargo has none.
pub fn path_with_cargo_fuzz() -> Result<OsString, FuzzError> {
    let tools = root().join("target").join("tools");
    let mut paths = vec![tools.join("bin")];
    paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    let path = std::env::join_paths(paths).map_err(|e| FuzzError::Command(format!("PATH: {e}")))?;
    let found = Command::new("cargo").args(["fuzz", "--version"]).env("PATH", &path).output().is_ok_and(|o| o.status.success());
    if !found {
        run(Command::new("cargo").args(["install", "cargo-fuzz", "--locked", "--root"]).arg(&tools))?;
    }
    Ok(path)
}

fn cargo_fuzz(path: &OsString, subcommand: &str, build: &Build) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.env("PATH", path).arg("fuzz").arg(subcommand).args(build.flags());
    cmd
}

/// Runs a command, capturing its output (echoed first as `run` does).
fn capture(cmd: &mut Command) -> Result<Output, FuzzError> {
    eprintln!("+ {}", crate::describe(cmd));
    cmd.current_dir(root()).output().map_err(|e| FuzzError::Command(format!("cannot start {}: {e}", crate::describe(cmd))))
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// The last `lines` lines of `s`.
fn tail(s: &str, lines: usize) -> String {
    let all: Vec<&str> = s.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The fuzz target of an artifact at `fuzz/artifacts/<target>/<file>`.
pub fn target_of(artifact: &Path) -> Option<String> {
    let parent = artifact.parent()?;
    let grandparent = parent.parent()?;
    (grandparent.file_name()? == "artifacts").then(|| parent.file_name().map(|n| n.to_string_lossy().into_owned())).flatten()
}

/// The smallest input `cargo fuzz tmin` left: the path after "Minimized artifact:" (relative
/// to the root, where cargo fuzz runs), or the artifact itself when libFuzzer "failed to
/// minimize beyond" it (it was minimal already; tmin then names no file of its own).
fn minimised_path(tmin_output: &str, artifact: &Path) -> Option<PathBuf> {
    let named = tmin_output
        .split("Minimized artifact:")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .map(|p| root().join(p.trim_matches(|c| c == '\'' || c == '"')));
    match named {
        Some(path) => path.is_file().then_some(path),
        None => tmin_output.contains("failed to minimize beyond").then(|| artifact.to_owned()),
    }
}

/// What `fuzz-regress` was asked.
#[derive(Debug, PartialEq, Eq)]
pub struct Regress {
    pub artifact: PathBuf,
    pub target: Option<String>,
    pub build: Build,
    /// The regression directory (`fuzz/regressions` by default); the input goes to
    /// `<out>/<target>/`, where `suite/tests/fuzz_corpus.rs` replays it.
    pub out: Option<PathBuf>,
    /// Skip the `cargo test` run (CI checks the input through the fuzz binary instead).
    pub no_test: bool,
}

/// What a person needs of a failing `cargo test` run: every panic with its message (long
/// inputs cut), the names of the failed tests and the result line.
fn test_run_summary(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.contains("panicked at") {
            out.push(line.to_string());
            if let Some(message) = lines.get(i + 1) {
                let cut: String = message.chars().take(300).collect();
                out.push(if cut.len() < message.len() { format!("{cut} ...") } else { cut });
            }
        } else if line.starts_with("failures:") || line.starts_with("    ") && !line.contains(" at ") || line.starts_with("test result:") {
            out.push(line.to_string());
        }
    }
    out.join("\n")
}

/// FNV-1a, for a stable name of the regression input (std has no digest).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// Runs one input through a built fuzz binary: `Ok(output)` if it passes, `Err(output)` if it
/// crashes.
fn replay(binary: &Path, input: &Path) -> Result<Result<String, String>, FuzzError> {
    let output = capture(Command::new(binary).arg("-runs=1").arg(input))?;
    let text = text(&output);
    Ok(if output.status.success() { Ok(text) } else { Err(text) })
}

/// `cargo xtask fuzz-regress`: minimise the artifact (`cargo fuzz tmin`), write it as a
/// regression input, and show it failing: through the fuzz binary, then (unless `no_test`)
/// through `cargo test`, whose output is printed. Returns the regression input's path.
pub fn regress(args: &Regress) -> Result<PathBuf, FuzzError> {
    let artifact = if args.artifact.is_absolute() { args.artifact.clone() } else { std::env::current_dir().map_err(io(Path::new(".")))?.join(&args.artifact) };
    std::fs::metadata(&artifact).map_err(io(&artifact))?;
    let target = match &args.target {
        Some(t) => t.clone(),
        None => target_of(&artifact).ok_or_else(|| FuzzError::UnknownTarget(artifact.clone()))?,
    };
    let path = path_with_cargo_fuzz()?;

    // 1. Minimise. tmin builds the target first (a no-op when it is built with these flags).
    let started = Instant::now();
    let output = capture(cargo_fuzz(&path, "tmin", &args.build).args([&target, "--runs", "2000"]).arg(&artifact))?;
    let out = text(&output);
    let minimised = minimised_path(&out, &artifact).ok_or_else(|| FuzzError::NotMinimised(tail(&out, 30)))?;
    let before = std::fs::metadata(&artifact).map_err(io(&artifact))?.len();
    let data = std::fs::read(&minimised).map_err(io(&minimised))?;
    eprintln!("fuzz-regress: minimised {before} -> {} bytes in {:.0} s", data.len(), started.elapsed().as_secs_f64());

    // 2. Write the regression input where the corpus replay test reads it.
    let dir = args.out.clone().unwrap_or_else(|| root().join("fuzz").join("regressions")).join(&target);
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let input = dir.join(format!("crash-{:016x}", fnv1a(&data)));
    std::fs::write(&input, &data).map_err(io(&input))?;
    eprintln!("fuzz-regress: wrote {}", input.display());

    // 3. Show it failing before the fix: the fuzz binary (what tmin just built) ...
    let binary = args.build.bin_dir().join(&target);
    match replay(&binary, &input)? {
        Ok(_) => return Err(FuzzError::DoesNotFail { input, how: format!("through {}", binary.display()) }),
        Err(output) => {
            let panic = output.lines().find(|l| l.contains("panicked at")).map(str::to_owned);
            let message = output.lines().skip_while(|l| !l.contains("panicked at")).nth(1).unwrap_or_default();
            eprintln!("fuzz-regress: {} fails it: {} {message}", binary.display(), panic.unwrap_or_else(|| tail(&output, 5)));
        }
    }
    // ... and the ordinary test that replays fuzz/regressions (only there: another --out is
    // not read by it).
    if !args.no_test {
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.args(["test", "-p", "remediation-suite", "--test", "fuzz_corpus"]);
        // The fuzz crate's features are reference-model's of the same name.
        let features: Vec<String> = args.build.features.iter().map(|f| format!("reference-model/{f}")).collect();
        if !features.is_empty() {
            cmd.arg("--features").arg(features.join(","));
        }
        let output = capture(&mut cmd)?;
        println!("{}", test_run_summary(&text(&output)));
        if output.status.success() {
            return Err(FuzzError::DoesNotFail { input, how: "in `cargo test --test fuzz_corpus`".into() });
        }
        eprintln!("fuzz-regress: the test run above fails on it, as it must until the bug is fixed; commit {}", input.display());
    }
    Ok(input)
}

/// A fresh directory under the system's temporary directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(label: &str) -> Result<Self, FuzzError> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!("xtask-{label}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The CI proof of item 7: build model_sequence with the planted bug, fuzz it from the
/// committed seeds and dictionary for at most [`PLANTED_BUDGET_SECONDS`], which must crash;
/// `fuzz-regress` the crash; the regression input must fail with the bug and pass without.
/// The build without the bug is the one `build` made for every target (shared with the
/// ClusterFuzzLite check).
pub fn planted_bug(build: &Build) -> Result<(), FuzzError> {
    let path = path_with_cargo_fuzz()?;
    let scratch = Scratch::new("planted-bug")?;
    let planted = Build { features: vec![PLANTED_FEATURE.to_owned()], ..build.clone() };
    run(cargo_fuzz(&path, "build", &planted).arg(PLANTED_TARGET))?;
    // Kept aside: the build without the feature replaces the binary at the same path.
    let with_bug = scratch.0.join(format!("{PLANTED_TARGET}-planted"));
    std::fs::copy(planted.bin_dir().join(PLANTED_TARGET), &with_bug).map_err(io(&with_bug))?;

    let corpus = scratch.0.join("corpus");
    std::fs::create_dir_all(&corpus).map_err(io(&corpus))?;
    let artifacts = scratch.0.join("artifacts");
    std::fs::create_dir_all(&artifacts).map_err(io(&artifacts))?;
    let fuzz_dir = root().join("fuzz");
    let started = Instant::now();
    let output = capture(
        Command::new(&with_bug)
            .arg(&corpus)
            .arg(fuzz_dir.join("corpus").join(PLANTED_TARGET))
            .arg(format!("-dict={}", fuzz_dir.join("dictionaries").join(format!("{PLANTED_TARGET}.dict")).display()))
            .arg(format!("-max_total_time={PLANTED_BUDGET_SECONDS}"))
            .arg(format!("-artifact_prefix={}/", artifacts.display())),
    )?;
    let found_in = started.elapsed();
    let out = text(&output);
    let crash = std::fs::read_dir(&artifacts)
        .map_err(io(&artifacts))?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("crash-")));
    let crash = match (output.status.success(), crash) {
        (false, Some(crash)) => crash,
        _ => return Err(FuzzError::NotFound { seconds: PLANTED_BUDGET_SECONDS, output: tail(&out, 20) }),
    };
    let execs = out.lines().rev().find(|l| l.starts_with('#')).unwrap_or_default().to_owned();
    eprintln!("planted bug: found in {:.1} s ({execs})", found_in.as_secs_f64());
    if let Some(line) = out.lines().find(|l| l.contains("breaks a limit")) {
        eprintln!("planted bug: {line}");
    }

    // tmin leaves its steps in fuzz/artifacts/<target>/: CI's are removed again.
    let artifacts_dir = fuzz_dir.join("artifacts").join(PLANTED_TARGET);
    let listing = |dir: &Path| -> Vec<PathBuf> { std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default() };
    let existing = listing(&artifacts_dir);
    let regression = regress(&Regress {
        artifact: crash,
        target: Some(PLANTED_TARGET.to_owned()),
        build: planted,
        out: Some(scratch.0.join("regressions")),
        no_test: true,
    });
    for left in listing(&artifacts_dir).into_iter().filter(|p| !existing.contains(p)) {
        let _ = std::fs::remove_file(left);
    }
    let regression = regression?;
    // regress() showed it failing with the bug; without it, it must pass.
    run(cargo_fuzz(&path, "build", build).arg(PLANTED_TARGET))?;
    match replay(&build.bin_dir().join(PLANTED_TARGET), &regression)? {
        Ok(_) => eprintln!("planted bug: the regression input passes without the bug"),
        Err(output) => return Err(FuzzError::FailsWithoutTheBug { input: regression, output: tail(&output, 20) }),
    }
    Ok(())
}

/// Builds every fuzz target once, the way `.clusterfuzzlite/build.sh` in its CI mode does.
pub fn build_all(build: &Build) -> Result<Duration, FuzzError> {
    let path = path_with_cargo_fuzz()?;
    let started = Instant::now();
    run(&mut cargo_fuzz(&path, "build", build))?;
    Ok(started.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_of_an_artifact_is_its_directory_under_artifacts() {
        assert_eq!(target_of(Path::new("fuzz/artifacts/model_sequence/crash-abc")).as_deref(), Some("model_sequence"));
        assert_eq!(target_of(Path::new("/w/fuzz/artifacts/judge_answer/minimized-from-1")).as_deref(), Some("judge_answer"));
        assert_eq!(target_of(Path::new("/tmp/crash-abc")), None);
        assert_eq!(target_of(Path::new("fuzz/corpus/model_sequence/seed-00")), None);
    }

    #[test]
    fn the_minimised_input_is_the_one_tmin_names_or_the_artifact_when_minimal_already() {
        let artifact = Path::new("/tmp/crash-1");
        let minimal = "CRASH_MIN: failed to minimize beyond /tmp/crash-1 (13 bytes), exiting";
        assert_eq!(minimised_path(minimal, artifact).as_deref(), Some(artifact));
        assert_eq!(minimised_path("error: could not compile", artifact), None);
        // A named file that is not there is no answer (the path is relative to the root).
        let named = "CRASH_MIN: ...\n\nMinimized artifact:\n\n\tfuzz/artifacts/x/minimized-from-none\n\nOutput of";
        assert_eq!(minimised_path(named, artifact), None);
        let named = "Minimized artifact:\n\n\txtask/Cargo.toml\n";
        assert_eq!(minimised_path(named, artifact), Some(root().join("xtask/Cargo.toml")));
    }

    #[test]
    fn build_flags_are_the_same_for_every_cargo_fuzz_command() {
        assert_eq!(Build::new(Mode::Fuzzing).flags(), ["--sanitizer", "none"]);
        assert_eq!(Build::new(Mode::Optimised).flags(), ["--sanitizer", "none", "-O"]);
        let planted = Build { mode: Mode::Dev, features: vec![PLANTED_FEATURE.into()] };
        assert_eq!(planted.flags(), ["--sanitizer", "none", "--dev", "--features", "planted-bug"]);
        assert!(planted.bin_dir().ends_with("debug"));
        assert!(Build::new(Mode::Optimised).bin_dir().ends_with("release"));
        assert!(Build::new(Mode::Fuzzing).bin_dir().ends_with("release"));
    }
}
