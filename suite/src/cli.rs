//! The command line: it only parses and wires; the work is in `session`, `runner` and the `reference-endpoint` crate.
//!
//! Exit codes: 0 conformant (or only listed deviations), 1 unexpected deviations, 2 usage or
//! set-up error (bad flag, unreachable endpoint, malformed scenario or expectation file).

use crate::report::render;
use crate::session::{self, RunOptions};
use reference_model::clauses::RuleId;
use clap::{Parser, Subcommand};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Conformance and fuzz suite for the AWS Config remediation APIs.
#[derive(Parser, Debug)]
#[command(name = "remediation-suite", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the conformance scenarios (default target: the embedded reference endpoint).
    Run(RunArgs),
    /// Serve the reference endpoint.
    Serve(reference_endpoint::ServeArgs),
    /// List scenarios, or rules with the scenarios that check them.
    List(ListArgs),
    /// Run one scenario and print every step with a curl command that reproduces it.
    Replay(ReplayArgs),
    /// Delete the Config rules and remediation configurations the suite created (names rsuite-*).
    // `cleanup` has no embedded endpoint to fall back on (a fresh one is empty), so its help
    // must not promise one: the endpoint is required, from the flag or the environment.
    #[command(mut_arg("endpoint", |a| a.help(
        "Endpoint to clean up (required: --endpoint, AWS_ENDPOINT_URL_CONFIG_SERVICE or AWS_ENDPOINT_URL); there is no embedded endpoint here, since a fresh one is empty"
    )))]
    #[command(mut_arg("allow_remote", |a| a.help("Needed to clean up an endpoint that is not on this machine")))]
    Cleanup(TargetArgs),
    /// Run the scenarios and write each one's normalised transcript to snapshots/<target>/ as a
    /// pending recording (<scenario>.snap.new), to review and accept with `snapshots`.
    Record(RecordArgs),
    /// Review, accept or reject pending recordings (`cargo insta review` works on them too).
    #[command(subcommand)]
    Snapshots(SnapshotsCommand),
    /// List recorded answers outside every outcome the model accepts at MUST: findings about
    /// the model, with the step, the recorded answer and the model's outcomes.
    Findings(FindingsArgs),
    /// Write a draft expectation file from a report.json, keeping the reason of every entry
    /// that still matches; new entries get an empty reason for a person to write.
    DraftExpectations(DraftArgs),
    /// Build the conformance matrix of several runs: one row per rule, one column per target
    /// (matrix.md and matrix.html).
    Matrix(MatrixArgs),
    /// Summarise a run's deviations for the target's maintainers: grouped by rule, with what
    /// was answered, what the model accepts, and a curl reproduction using $ENDPOINT.
    Deviations(DeviationsArgs),
    /// Everything the suite has of one rule: its text, the code that implements and judges it,
    /// the tests and scenarios that check it, the assumptions behind it.
    Explain(ExplainArgs),
}

#[derive(clap::Args, Debug, Clone)]
pub struct ExplainArgs {
    /// A rule ID of the catalogue, e.g. R-PRE-04 (any case).
    pub rule: String,
    #[arg(long)]
    pub fixtures: Option<PathBuf>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct DeviationsArgs {
    /// The run's report.json.
    #[arg(long, default_value = "target/conformance/report.json")]
    pub report: PathBuf,
    /// Write the Markdown here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct MatrixArgs {
    /// The runs' report.json files, each optionally labelled: `"moto 5.2.5=target/conformance/moto/report.json"`.
    #[arg(required = true, value_name = "[LABEL=]REPORT")]
    pub reports: Vec<String>,
    /// Where to write matrix.md and matrix.html.
    #[arg(long, default_value = "target/conformance")]
    pub out: PathBuf,
    /// Also replace the table between `<!-- matrix:start -->` and `<!-- matrix:end -->` in this file.
    #[arg(long)]
    pub readme: Option<PathBuf>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct DraftArgs {
    /// The report.json of a run against the target.
    #[arg(long, default_value = "target/conformance/report.json")]
    pub report: PathBuf,
    /// The expectation file whose reasons to keep (default: the one the run used, else
    /// fixtures/expectations/<target>.toml when it exists).
    #[arg(long)]
    pub expectations: Option<PathBuf>,
    /// Where to write the draft (default: expectations.draft.toml beside the report).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the file at --out if it exists (never done without this flag).
    #[arg(long)]
    pub force: bool,
}

#[derive(clap::Args, Debug, Clone)]
pub struct RecordArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Only scenarios whose id contains this; repeatable.
    #[arg(long)]
    pub filter: Vec<String>,
    /// Where to write (default: snapshots/<target>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long)]
    pub fixtures: Option<PathBuf>,
    /// Print the plan (endpoint, names, calls per operation, cleanup) and stop before any request.
    #[arg(long)]
    pub plan_only: bool,
}

#[derive(Subcommand, Debug, Clone)]
pub enum SnapshotsCommand {
    /// Show every pending recording of DIR with its differences (step, path, recorded, new).
    Review(SnapshotDirArgs),
    /// Make the pending recordings of DIR the recordings (each x.snap.new replaces x.snap).
    Accept(SnapshotDirArgs),
    /// Delete the pending recordings of DIR.
    Reject(SnapshotDirArgs),
}

#[derive(clap::Args, Debug, Clone)]
pub struct SnapshotDirArgs {
    /// The recordings' directory, e.g. snapshots/moto.
    pub dir: PathBuf,
    /// Only scenarios whose id contains this; repeatable.
    #[arg(long)]
    pub filter: Vec<String>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct FindingsArgs {
    /// The recordings' directory, e.g. snapshots/aws.
    pub dir: PathBuf,
    /// The target the recordings are of (its capabilities decide which steps ran); default:
    /// the directory's name when it is a built-in target, else reference.
    #[arg(long = "target")]
    pub profile: Option<String>,
    /// Only scenarios whose id contains this; repeatable.
    #[arg(long)]
    pub filter: Vec<String>,
    #[arg(long)]
    pub fixtures: Option<PathBuf>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct TargetArgs {
    /// Endpoint to test; without it the embedded reference endpoint is started.
    #[arg(long, env = "AWS_ENDPOINT_URL_CONFIG_SERVICE")]
    pub endpoint: Option<String>,
    /// What the target is: reference, moto, localstack, fakecloud, aws, generic, or a profile
    /// file (`*.toml`). Decides capabilities and the default expectation file.
    #[arg(long = "target")]
    pub profile: Option<String>,
    /// Region to sign for (else AWS_REGION, AWS_DEFAULT_REGION, us-east-1).
    #[arg(long, env = "AWS_REGION")]
    pub region: Option<String>,
    /// Needed to run against an endpoint that is not on this machine.
    #[arg(long)]
    pub allow_remote: bool,
    /// Seconds to wait for each answer.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
}

#[derive(clap::Args, Debug, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Only scenarios whose id contains this (`*` is a wildcard); repeatable.
    #[arg(long)]
    pub filter: Vec<String>,
    /// Only scenarios that check this rule ID; repeatable.
    #[arg(long)]
    pub rule: Vec<RuleId>,
    /// Expectation file (default: fixtures/expectations/<target>.toml when it exists).
    #[arg(long)]
    pub expectations: Option<PathBuf>,
    /// Directory for report.json, junit.xml, report.md and report.html.
    #[arg(long, default_value = "target/conformance")]
    pub out: PathBuf,
    /// Fixtures directory (scenarios/ and expectations/).
    #[arg(long)]
    pub fixtures: Option<PathBuf>,
    /// Seed of the run: names its resources and drives generated sequences.
    #[arg(long)]
    pub seed: Option<u64>,
    /// No progress bar and only the summary (also when CI is set).
    #[arg(long)]
    pub quiet: bool,
    /// Generated sequences to run after the scenarios (0: none).
    #[arg(long, default_value_t = 100)]
    pub sequences: u32,
    /// Most steps in one generated sequence.
    #[arg(long, default_value_t = 25)]
    pub max_steps: usize,
    /// Stop starting new generated sequences after this many seconds.
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// Stop the run (exit 2) after this many scenarios in a row got no answer at all from the
    /// target (connection refused or reset, timeouts); 0 never stops.
    #[arg(long, default_value_t = 3)]
    pub max_unanswered: u32,
    /// Run only shard K of N (1 ≤ K ≤ N, e.g. 2/4): every N-th selected scenario by id, and
    /// `--sequences / N` generated sequences (the remainder to the first shards) with a seed
    /// derived from `--seed` and K. The N shards of one seed partition the run.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<crate::shard::Shard>,
    /// Compare every scenario with its recording in DIR too (e.g. snapshots/moto): a step that
    /// differs fails the run unless the expectation file lists it ([[snapshot]]).
    #[arg(long, value_name = "DIR")]
    pub snapshots: Option<PathBuf>,
    /// With --snapshots: write new and changed recordings as pending files (x.snap.new) for
    /// review; an accepted recording is never overwritten. Without --snapshots it does nothing
    /// (so the variable can stay set for a whole `cargo xtask test`).
    #[arg(long, env = "RSUITE_UPDATE_SNAPSHOTS")]
    pub update_snapshots: bool,
}

#[derive(clap::Args, Debug, Clone)]
pub struct ListArgs {
    /// List rules and the scenarios that check them instead of scenarios.
    #[arg(long)]
    pub rules: bool,
    #[arg(long)]
    pub filter: Vec<String>,
    #[arg(long)]
    pub rule: Vec<RuleId>,
    #[arg(long)]
    pub fixtures: Option<PathBuf>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct ReplayArgs {
    /// A scenario id, or the path of a scenario file.
    pub scenario: String,
    /// Print only this step (1-based).
    #[arg(long)]
    pub step: Option<usize>,
    #[command(flatten)]
    pub target: TargetArgs,
    #[arg(long)]
    pub fixtures: Option<PathBuf>,
    #[arg(long)]
    pub seed: Option<u64>,
}

const EXIT_DEVIATIONS: u8 = 1;
const EXIT_SETUP: u8 = 2;

fn setup_error(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_SETUP)
}

/// What ends a command before it has a verdict to give: printed as `error: …`, exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(String);

impl UsageError {
    fn new(message: impl std::fmt::Display) -> Self {
        UsageError(message.to_string())
    }
}

/// A command's exit code, or the usage error that stopped it.
type CommandResult = Result<ExitCode, UsageError>;

/// `?` for the errors commands meet (file, parse, set-up, report errors): each becomes a usage
/// error carrying its message.
trait OrUsage<T> {
    fn or_usage(self) -> Result<T, UsageError>;
}

impl<T, E: std::fmt::Display> OrUsage<T> for Result<T, E> {
    fn or_usage(self) -> Result<T, UsageError> {
        self.map_err(UsageError::new)
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, UsageError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| UsageError::new(format!("cannot start the async runtime: {e}")))
}

fn run_options(target: &TargetArgs, fixtures: Option<PathBuf>, seed: Option<u64>) -> Result<RunOptions, UsageError> {
    if !(target.timeout > 0.0 && target.timeout.is_finite()) {
        return Err(UsageError::new("--timeout must be a positive number of seconds"));
    }
    let region = target
        .region
        .clone()
        .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "us-east-1".to_owned());
    let endpoint = target.endpoint.clone().or_else(|| std::env::var("AWS_ENDPOINT_URL").ok().filter(|s| !s.is_empty()));
    // `--target aws` means the real service: its regional endpoint unless one is given.
    let profile = target.profile.as_deref().map(crate::profile::TargetProfile::resolve).transpose().or_usage()?;
    let endpoint = endpoint.or_else(|| profile.as_ref().is_some_and(|p| p.name == "aws").then(|| crate::profile::aws_endpoint(&region)));
    if let Some(given) = &endpoint {
        check_endpoint_url(given).or_usage()?;
    }
    let mut options = RunOptions::embedded(seed.unwrap_or_else(fresh_seed));
    options.endpoint = endpoint;
    options.profile = profile;
    options.region = region;
    options.scenarios_dir = fixtures.unwrap_or_else(session::default_fixtures);
    options.allow_remote = target.allow_remote;
    options.timeout = Duration::from_secs_f64(target.timeout);
    Ok(options)
}

/// Why an endpoint is not a URL the suite can send requests to. Checked before the loopback
/// test, so that `127.0.0.1:1` is not mistaken for a remote host.
#[derive(Debug, PartialEq, Eq)]
enum EndpointUrlError {
    /// `host:port` without `http://`: the URL crate reads no URL at all (an IP first) or takes
    /// the host for the scheme (`localhost:4566`).
    NoScheme { given: String },
    /// A URL, but not one spoken over HTTP.
    UnsupportedScheme { given: String, scheme: String },
    /// Not a URL, or one without a host.
    Invalid { given: String, reason: String },
}

impl std::fmt::Display for EndpointUrlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoScheme { given } => {
                write!(f, "endpoint {given} has no scheme; the URL needs one, e.g. http://{given}")
            }
            Self::UnsupportedScheme { given, scheme } => {
                write!(f, "endpoint {given} has the scheme {scheme:?}; the URL needs http:// or https://")
            }
            Self::Invalid { given, reason } => write!(f, "endpoint {given:?} is not a URL: {reason}"),
        }
    }
}

fn check_endpoint_url(given: &str) -> Result<(), EndpointUrlError> {
    let with_http_has_host = || url::Url::parse(&format!("http://{given}")).is_ok_and(|u| u.host().is_some());
    match url::Url::parse(given) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => match u.host() {
            Some(_) => Ok(()),
            None => Err(EndpointUrlError::Invalid { given: given.to_owned(), reason: "it has no host".to_owned() }),
        },
        // `localhost:4566` parses with the scheme "localhost" and no authority.
        Ok(_) if !given.contains("://") && with_http_has_host() => Err(EndpointUrlError::NoScheme { given: given.to_owned() }),
        Ok(u) => Err(EndpointUrlError::UnsupportedScheme { given: given.to_owned(), scheme: u.scheme().to_owned() }),
        Err(url::ParseError::RelativeUrlWithoutBase) if with_http_has_host() => {
            Err(EndpointUrlError::NoScheme { given: given.to_owned() })
        }
        Err(e) => Err(EndpointUrlError::Invalid { given: given.to_owned(), reason: e.to_string() }),
    }
}

fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    (nanos as u64) ^ (u64::from(std::process::id()) << 32)
}

/// Runs the command; returns the process exit code.
pub fn main_with(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Serve(args) => Ok(reference_endpoint::run_serve(args)),
        Command::Run(args) => run(args),
        Command::List(args) => list(args),
        Command::Replay(args) => replay(args),
        Command::Cleanup(args) => cleanup(args),
        Command::Record(args) => record(args),
        Command::DraftExpectations(args) => draft_expectations(args),
        Command::Snapshots(command) => snapshots(command),
        Command::Findings(args) => findings(args),
        Command::Matrix(args) => matrix(args),
        Command::Deviations(args) => deviations(args),
        Command::Explain(args) => explain(args),
    };
    result.unwrap_or_else(setup_error)
}

fn draft_expectations(args: DraftArgs) -> CommandResult {
    let report = crate::expect::read_report(&args.report).or_usage()?;
    let old_path = args
        .expectations
        .clone()
        .or_else(|| report.expectations.file.as_ref().map(PathBuf::from).filter(|p| p.is_file()))
        .or_else(|| {
            let p = session::default_fixtures().join("expectations").join(format!("{}.toml", report.target.profile));
            p.is_file().then_some(p)
        });
    let old_text = match &old_path {
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) => Some(t),
            Err(e) => return Err(UsageError::new(format!("{}: cannot read: {e}", p.display()))),
        },
        None => None,
    };
    let draft = crate::expect::draft(&report, old_text.as_deref().zip(old_path.as_deref())).or_usage()?;
    let out = args.out.unwrap_or_else(|| args.report.parent().unwrap_or(std::path::Path::new(".")).join("expectations.draft.toml"));
    // A draft never replaces a file (the committed expectation file above all) unasked.
    if out.exists() && !args.force {
        return Err(UsageError::new(format!("{} exists; pass --force to replace it", out.display())));
    }
    if let Err(e) = std::fs::write(&out, &draft.text) {
        return Err(UsageError::new(format!("cannot write {}: {e}", out.display())));
    }
    let from = old_path.as_ref().map(|p| format!(" and {}", p.display())).unwrap_or_default();
    println!("draft written to {} from {}{from}", out.display(), args.report.display());
    println!(
        "{} entries keep their reason, {} are new (write their reason: the file is refused until then), {} carried over unchanged",
        draft.kept, draft.new, draft.carried
    );
    for d in &draft.dropped {
        println!("dropped (matches nothing in the report): {d}");
    }
    for u in &draft.unlistable {
        println!("cannot be listed (deviated before its first step): {u}");
    }
    println!("review it, then replace the expectation file with it");
    Ok(ExitCode::SUCCESS)
}

fn record(args: RecordArgs) -> CommandResult {
    let mut options = run_options(&args.target, args.fixtures.clone(), Some(0))?;
    options.filters = args.filter;
    let target_profile = options.target_profile();
    let out = args.out.unwrap_or_else(|| PathBuf::from("snapshots").join(&target_profile.name));
    options.snapshots = Some(crate::snapshot::SnapshotOptions { dir: out.clone(), update: true, ci: false });
    // The plan comes before anything is created: always for a remote endpoint.
    let remote = options.endpoint.as_deref().is_some_and(|url| {
        !crate::target::Endpoint { url: url.to_owned(), region: options.region.clone(), credentials: crate::target::SigningCredentials::local(), timeout: options.timeout }.is_loopback()
    });
    if remote || args.plan_only || target_profile.name == "aws" {
        let scenarios = match crate::scenario::load_dir(&options.scenarios_dir.join("scenarios")) {
            Ok(all) => session::select(all, &options.filters, &[]),
            Err(e) => return Err(UsageError::new(e)),
        };
        let endpoint = options.endpoint.clone().unwrap_or_else(|| "the embedded reference endpoint".into());
        let run_prefix = crate::runner::RunSettings::new(options.seed).with_fresh_names().prefix;
        print!("{}", crate::snapshot::remote::plan(&scenarios, &target_profile, &endpoint, &options.region, &run_prefix));
        println!("  out        {} (pending files, to review)", out.display());
        if args.plan_only {
            return Ok(ExitCode::SUCCESS);
        }
    }
    let rt = runtime()?;
    let report = rt.block_on(session::run(&options)).or_usage()?;
    let Some(s) = &report.snapshots else { return Err(UsageError::new("no snapshot comparison was made")) };
    println!(
        "{} scenario(s) recorded into {}: {} unchanged, {} changed, {} new; {} pending file(s) written",
        s.matching + s.differing + s.new,
        out.display(),
        s.matching,
        s.differing,
        s.new,
        s.pending_written
    );
    if s.pending_written > 0 {
        println!(
            "review: remediation-suite snapshots review {0}; accept: remediation-suite snapshots accept {0}",
            out.display()
        );
    }
    if !report.expectations.leftovers.is_empty() {
        for leftover in &report.expectations.leftovers {
            eprintln!("left behind: {leftover}");
        }
        return Ok(ExitCode::from(EXIT_DEVIATIONS));
    }
    Ok(ExitCode::SUCCESS)
}

fn snapshots(command: SnapshotsCommand) -> CommandResult {
    use crate::snapshot::{review, SnapshotDir};
    let result = match &command {
        SnapshotsCommand::Review(a) => review::review(&SnapshotDir::new(&a.dir), &a.filter).map(|r| review::render(&r)),
        SnapshotsCommand::Accept(a) => review::accept(&SnapshotDir::new(&a.dir), &a.filter).map(|done| {
            done.iter().map(|p| format!("accepted {}\n", p.display())).collect::<String>() + &format!("{} recording(s) accepted\n", done.len())
        }),
        SnapshotsCommand::Reject(a) => review::reject(&SnapshotDir::new(&a.dir), &a.filter).map(|done| {
            done.iter().map(|p| format!("deleted {}\n", p.display())).collect::<String>() + &format!("{} pending file(s) deleted\n", done.len())
        }),
    };
    match result {
        Ok(text) => emit(&text),
        Err(e) => Err(UsageError::new(e)),
    }
}

fn explain(args: ExplainArgs) -> CommandResult {
    let clause = crate::explain::find(&args.rule).or_usage()?;
    let dir = args.fixtures.unwrap_or_else(session::default_fixtures).join("scenarios");
    match crate::scenario::load_dir(&dir) {
        Ok(scenarios) => emit(&crate::explain::explain(clause, &scenarios)),
        Err(e) => Err(UsageError::new(e)),
    }
}

fn deviations(args: DeviationsArgs) -> CommandResult {
    let report = match crate::report::matrix::Column::read(&args.report.display().to_string()) {
        Ok(column) => column.report,
        Err(e) => return Err(UsageError::new(e)),
    };
    let text = crate::report::deviations::markdown(&report);
    match &args.out {
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => Ok(ExitCode::SUCCESS),
            Err(e) => Err(UsageError::new(format!("{}: {e}", path.display()))),
        },
        None => emit(&text),
    }
}

fn matrix(args: MatrixArgs) -> CommandResult {
    use crate::report::matrix::{Column, Matrix};
    let built = args.reports.iter().map(|a| Column::read(a)).collect::<Result<Vec<_>, _>>().and_then(Matrix::build);
    let matrix = built.or_usage()?;
    let written = matrix.write(&args.out).and_then(|paths| {
        if let Some(readme) = &args.readme {
            matrix.update_readme(readme)?;
        }
        Ok(paths)
    });
    match written {
        Ok((md, html)) => {
            println!("wrote {} and {}", md.display(), html.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Err(UsageError::new(e)),
    }
}

fn findings(args: FindingsArgs) -> CommandResult {
    let dir = args.fixtures.unwrap_or_else(session::default_fixtures).join("scenarios");
    let scenarios = match crate::scenario::load_dir(&dir) {
        Ok(s) => session::select(s, &args.filter, &[]),
        Err(e) => return Err(UsageError::new(e)),
    };
    let recorded = args.profile.clone().unwrap_or_else(|| {
        let name = args.dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if crate::profile::TargetProfile::builtin(name).is_some() { name.to_owned() } else { "reference".to_owned() }
    });
    let rt = runtime()?;
    let snapshot_dir = crate::snapshot::SnapshotDir::new(&args.dir);
    // An empty or mistyped directory must not pass for "no findings".
    match snapshot_dir.accepted_files() {
        Ok(files) if files.is_empty() => return Err(UsageError::new(format!("no recordings (*.snap) in {}", args.dir.display()))),
        Ok(_) => {}
        Err(e) => return Err(UsageError::new(e)),
    }
    match rt.block_on(crate::snapshot::findings::findings(&snapshot_dir, &scenarios, &recorded)) {
        Err(e) => Err(UsageError::new(e)),
        Ok(found) => {
            emit(&crate::snapshot::findings::render(&found))?;
            Ok(if found.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_DEVIATIONS) })
        }
    }
}

fn run(args: RunArgs) -> CommandResult {
    let mut options = run_options(&args.target, args.fixtures.clone(), args.seed)?;
    options.filters = args.filter;
    options.rules = args.rule;
    options.expectations = args.expectations;
    options.out_dir = Some(args.out.clone());
    options.sequences = args.sequences;
    options.max_steps = args.max_steps;
    options.max_unanswered = args.max_unanswered;
    options.shard = args.shard;
    options.snapshots = args.snapshots.clone().map(|dir| crate::snapshot::SnapshotOptions {
        dir,
        update: args.update_snapshots,
        ci: crate::snapshot::in_ci(),
    });
    if let Some(limit) = args.time_limit {
        if !(limit > 0.0 && limit.is_finite()) {
            return Err(UsageError::new("--time-limit must be a positive number of seconds"));
        }
        options.time_limit = Some(Duration::from_secs_f64(limit));
    }
    if args.max_steps == 0 {
        return Err(UsageError::new("--max-steps must be at least 1"));
    }
    let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    options.quiet = args.quiet || in_ci || !std::io::IsTerminal::is_terminal(&std::io::stderr());
    let rt = runtime()?;
    match rt.block_on(session::run(&options)) {
        Err(e) => Err(UsageError::new(e)),
        Ok(report) => {
            let color = !options.quiet && std::io::IsTerminal::is_terminal(&std::io::stdout());
            print!("{}", render::terminal(&report, color, !options.quiet));
            let shard = args.shard.map(|s| format!(" · shard {s}")).unwrap_or_default();
            println!("seed {}{shard} · reports in {}", report.seed, args.out.display());
            if report.is_conformant() {
                Ok(ExitCode::SUCCESS)
            } else {
                Ok(ExitCode::from(EXIT_DEVIATIONS))
            }
        }
    }
}

fn list(args: ListArgs) -> CommandResult {
    let dir = args.fixtures.unwrap_or_else(session::default_fixtures).join("scenarios");
    let scenarios = match crate::scenario::load_dir(&dir) {
        Ok(s) => session::select(s, &args.filter, &args.rule),
        Err(e) => return Err(UsageError::new(e)),
    };
    let mut text = String::new();
    if args.rules {
        for id in RuleId::all() {
            let clause = id.clause();
            let checking: Vec<&str> = scenarios.iter().filter(|s| s.all_rules().contains(&id)).map(|s| s.id.as_str()).collect();
            let coverage = match clause.coverage {
                reference_model::clauses::Coverage::Modelled if checking.is_empty() => "NOT COVERED".to_owned(),
                reference_model::clauses::Coverage::Modelled => format!("{} scenario(s)", checking.len()),
                reference_model::clauses::Coverage::NotModelled(why) => format!("not testable: {why}"),
            };
            let _ = writeln!(text, "{:<11} {:<60} {}", clause.id, clause.summary, coverage);
        }
    } else {
        for s in &scenarios {
            let needs: Vec<String> = s.needs.iter().map(|c| c.to_string()).collect();
            let _ = writeln!(text, "{:<55} {:>2} steps  rules {}  {}", s.id, s.steps.len(), s.rules.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(","), if needs.is_empty() { String::new() } else { format!("needs {}", needs.join(",")) });
        }
        let _ = writeln!(text, "{} scenarios", scenarios.len());
    }
    emit(&text)
}

/// Writes a command's output to stdout. A reader that stops early (`list | head -1`) closes
/// the pipe: that ends the command quietly with success, where `println!` would panic.
fn emit(text: &str) -> CommandResult {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(UsageError::new(format!("cannot write to stdout: {e}"))),
    }
}

/// An I/O error as a person reads it: `No such file or directory`, without `(os error 2)`.
fn io_message(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// True when a `replay` argument names a file rather than a scenario id: it exists, or it has
/// a directory part and the `.json` extension (ids have a `/` but never the extension).
fn looks_like_a_path(arg: &str) -> bool {
    std::path::Path::new(arg).exists() || (arg.contains('/') && arg.ends_with(".json"))
}

fn replay(args: ReplayArgs) -> CommandResult {
    let mut options = run_options(&args.target, args.fixtures.clone(), args.seed)?;
    let path = PathBuf::from(&args.scenario);
    let scenario = if looks_like_a_path(&args.scenario) {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => return Err(UsageError::new(format!("cannot read {}: {}", args.scenario, io_message(&e)))),
        };
        match crate::scenario::Scenario::parse(&text, &path) {
            Ok(s) => s,
            Err(e) => return Err(UsageError::new(e)),
        }
    } else {
        match crate::scenario::load_dir(&options.scenarios_dir.join("scenarios")) {
            Ok(all) => match all.into_iter().find(|s| s.id == args.scenario) {
                Some(s) => s,
                None => return Err(UsageError::new(format!("no scenario with id {:?} (give an id from `list` or a file path)", args.scenario))),
            },
            Err(e) => return Err(UsageError::new(e)),
        }
    };
    // A step the scenario does not have would print a bare header and pass for a replay.
    if let Some(step) = args.step {
        let len = scenario.steps.len();
        if step == 0 || step > len {
            return Err(UsageError::new(format!(
                "--step {step}: scenario {} has {len} {}; give a step from 1 to {len}",
                scenario.id,
                if len == 1 { "step" } else { "steps" }
            )));
        }
    }
    options.quiet = true;
    let rt = runtime()?;
    let outcome = rt.block_on(async {
        let prepared = session::prepare_target(&options).await?;
        let settings = crate::runner::RunSettings::new(options.seed);
        let result = crate::runner::run_scenario(&prepared.target, &scenario, &settings).await;
        if let Some(server) = prepared.server {
            server.shutdown().await;
        }
        Ok::<_, session::SetupError>(result)
    });
    match outcome {
        Err(e) => Err(UsageError::new(e)),
        Ok(result) => {
            emit(&render::replay(&result, args.step))?;
            let conforms = result.verdict.conforms() || result.verdict == crate::verdict::Verdict::Skipped;
            Ok(if conforms { ExitCode::SUCCESS } else { ExitCode::from(EXIT_DEVIATIONS) })
        }
    }
}

fn cleanup(args: TargetArgs) -> CommandResult {
    let options = run_options(&args, None, None)?;
    if options.endpoint.is_none() {
        return Err(UsageError::new("cleanup needs --endpoint (the embedded endpoint starts empty)"));
    }
    let rt = runtime()?;
    match rt.block_on(crate::cleanup::delete_suite_resources(&options)) {
        Ok(report) => {
            for name in &report.deleted {
                println!("deleted {name}");
            }
            println!("{} rule(s) deleted", report.deleted.len());
            if report.leftovers.is_empty() {
                return Ok(ExitCode::SUCCESS);
            }
            for leftover in &report.leftovers {
                eprintln!("could not delete {leftover}");
            }
            eprintln!("{} rule(s) left behind: delete them by hand, or run cleanup again", report.leftovers.len());
            Ok(ExitCode::from(EXIT_DEVIATIONS))
        }
        Err(e) => Err(UsageError::new(e)),
    }
}
