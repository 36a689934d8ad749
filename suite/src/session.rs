//! One conformance run, from options to reports: start the reference endpoint when no other
//! endpoint is given, load and filter scenarios, run them, apply the expectation file, write
//! the reports. The CLI only fills in [`RunOptions`].

use crate::expect::{self, ExpectationFile};
use crate::generate::{run_generated_with, GenerateOptions};
use crate::profile::TargetProfile;
use crate::report::{self, render, Report, TargetInfo};
use crate::runner::{run_scenario, RunSettings};
use crate::runner::NAME_PREFIX;
use crate::scenario::{self, Scenario, ScenarioError};
use crate::expect::ExpectationError;
use crate::snapshot::SnapshotError;
use crate::teardown::{Leftover, TeardownError};
use reference_endpoint::{self as server, ServerConfig};
use crate::shard::Shard;
use crate::target::{Endpoint, EndpointError, HttpTarget, SigningCredentials, Target};
use reference_model::clauses::RuleId;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Everything a run needs to know.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// `None`: start the reference endpoint in-process.
    pub endpoint: Option<String>,
    /// What `--target` named, resolved (`None`: [`TargetProfile::default_for`] the endpoint).
    pub profile: Option<TargetProfile>,
    pub region: String,
    pub scenarios_dir: PathBuf,
    pub filters: Vec<String>,
    pub rules: Vec<RuleId>,
    pub expectations: Option<PathBuf>,
    pub out_dir: Option<PathBuf>,
    pub seed: u64,
    pub allow_remote: bool,
    pub timeout: Duration,
    pub quiet: bool,
    /// Generated sequences to run after the scenarios (0: none).
    pub sequences: u32,
    pub max_steps: usize,
    pub time_limit: Option<Duration>,
    /// Scenarios in a row without a single answer after which the run stops (0: never).
    pub max_unanswered: u32,
    /// `--shard K/N`: run only this shard's scenarios and generated sequences, and record it
    /// in report.json (`None`: the whole run, no `shard` field).
    pub shard: Option<Shard>,
    /// `--snapshots DIR`: compare every scenario with its recording too (`snapshot`).
    pub snapshots: Option<crate::snapshot::SnapshotOptions>,
}

impl RunOptions {
    /// The profile the run is judged with.
    pub fn target_profile(&self) -> TargetProfile {
        self.profile.clone().unwrap_or_else(|| TargetProfile::default_for(self.endpoint.is_some()))
    }

    /// Every scenario against the embedded reference endpoint, quietly, without generated
    /// sequences or reports: the start the CLI, the tests and the benchmarks adjust.
    pub fn embedded(seed: u64) -> Self {
        RunOptions {
            endpoint: None,
            profile: None,
            region: "us-east-1".into(),
            scenarios_dir: default_fixtures(),
            filters: Vec::new(),
            rules: Vec::new(),
            expectations: None,
            out_dir: None,
            seed,
            allow_remote: false,
            timeout: Duration::from_secs(10),
            quiet: true,
            sequences: 0,
            max_steps: 25,
            time_limit: None,
            max_unanswered: 3,
            shard: None,
            snapshots: None,
        }
    }
}

/// What stops a run before it has a verdict to give (exit code 2): each variant wraps the
/// lower layer's typed error where there is one. The texts are what the command line prints
/// after `error: `.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// `--target aws` signs for the real service: never with the placeholder credentials.
    #[error(
        "--target aws needs credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones)"
    )]
    NoCredentials,
    /// A remote endpoint without `--allow-remote`: the suite creates and deletes resources there.
    #[error("{url} is not on this machine; pass --allow-remote to run against it (the suite creates and deletes resources named {NAME_PREFIX}*)")]
    RemoteNotAllowed { url: String },
    /// The endpoint cannot be used: not a usable URL, unreachable, or https:// without TLS.
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    /// The embedded reference endpoint did not start.
    #[error("cannot start the reference endpoint: {0}")]
    ReferenceEndpoint(#[source] std::io::Error),
    /// A scenario file is missing or malformed.
    #[error(transparent)]
    Scenarios(#[from] ScenarioError),
    /// The filters (`--filter`, `--rule`) left nothing to run.
    #[error("no scenario matches the filters")]
    NoScenarioMatches,
    /// The expectation file cannot be read or is malformed.
    #[error(transparent)]
    Expectations(#[from] ExpectationError),
    /// The expectation file's `[[snapshot]]` entries cannot be read.
    #[error(transparent)]
    SnapshotEntries(SnapshotError),
    /// The recordings could not be compared (or the pending ones written).
    #[error("snapshots: {0}")]
    Snapshots(#[source] SnapshotError),
    /// Ctrl-C or SIGTERM during the scenarios.
    #[error("interrupted in scenario {ran} of {selected} ({at}); {cleaned}")]
    Interrupted { ran: usize, selected: usize, at: String, cleaned: Cleaned },
    /// Ctrl-C or SIGTERM during the generated sequences, which delete what they create.
    #[error("interrupted during the generated sequences; what they created was deleted")]
    InterruptedInSequences,
    /// `--max-unanswered` scenarios in a row got no answer; the report of what ran is written.
    #[error("{why}{}", report_note(.report_dir))]
    StoppedAnswering { why: Unanswered, report_dir: Option<PathBuf> },
    /// report.json and the formats beside it could not be written.
    #[error("cannot write reports to {}: {source}", dir.display())]
    ReportsNotWritten { dir: PathBuf, source: std::io::Error },
    /// `cleanup` could not list the suite's rules.
    #[error(transparent)]
    SuiteRules(#[from] TeardownError),
}

fn report_note(dir: &Option<PathBuf>) -> String {
    dir.as_ref().map(|d| format!("; the report of what ran is in {}", d.display())).unwrap_or_default()
}

/// What an interrupted run leaves behind, told with the interruption.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cleaned {
    /// Everything the run created was deleted.
    Everything,
    /// What could not be deleted in the shortened budget, for `cleanup` to finish.
    LeftBehind(Vec<Leftover>),
}

impl std::fmt::Display for Cleaned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cleaned::Everything => f.write_str("what the run created was deleted"),
            Cleaned::LeftBehind(left) => {
                let left: Vec<String> = left.iter().map(Leftover::to_string).collect();
                write!(f, "left behind: {} (run `remediation-suite cleanup --endpoint …` later)", left.join("; "))
            }
        }
    }
}

/// Why a run stopped early: the target stopped answering (`--max-unanswered`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the target stopped answering: {in_a_row} scenarios in a row got no answer ({last_note}); stopped after {ran} of {selected} scenarios"
)]
pub struct Unanswered {
    pub in_a_row: u32,
    /// The last step's note (the transport error).
    pub last_note: String,
    pub ran: usize,
    pub selected: usize,
}

/// Where the repository's fixtures are: next to the working directory, or where this crate was
/// built from.
pub fn default_fixtures() -> PathBuf {
    let local = PathBuf::from("fixtures");
    if local.join("scenarios").is_dir() {
        return local;
    }
    // Installed from the wheel: the scenarios travel with the binary, in
    // `<prefix>/share/remediation-suite/fixtures` beside `<prefix>/bin/remediation-suite`.
    let installed = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().and_then(Path::parent).map(|prefix| prefix.join("share").join("remediation-suite").join("fixtures")));
    if let Some(dir) = installed.filter(|d| d.join("scenarios").is_dir()) {
        return dir;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("fixtures")
}

/// Selects scenarios by id substring (`*` matches anything) and by rule ID.
pub fn select(scenarios: Vec<Scenario>, filters: &[String], rules: &[RuleId]) -> Vec<Scenario> {
    scenarios
        .into_iter()
        .filter(|s| filters.is_empty() || filters.iter().any(|f| matches_filter(&s.id, f)))
        .filter(|s| rules.is_empty() || rules.iter().any(|r| s.all_rules().contains(r)))
        .collect()
}

/// A substring, or a glob whose only wildcard is `*` (`glob`, rust-lang's crate without
/// dependencies; globset would bring regex-automata, aho-corasick and bstr into the main build
/// for this one flag). Every other character is literal, so a filter can never be malformed.
fn matches_filter(id: &str, filter: &str) -> bool {
    if !filter.contains('*') {
        return id.contains(filter);
    }
    let pattern: Vec<String> = filter.split('*').map(glob::Pattern::escape).collect();
    glob::Pattern::new(&pattern.join("*")).is_ok_and(|p| p.matches(id))
}

/// The target of a run, with the in-process server it may own.
pub struct PreparedTarget {
    pub target: HttpTarget,
    pub server: Option<server::RunningServer>,
}

/// Builds the target: the given endpoint, or a fresh reference endpoint on an ephemeral port.
pub async fn prepare_target(options: &RunOptions) -> Result<PreparedTarget, SetupError> {
    let profile = options.target_profile();
    // The real service needs real credentials: never sign for it with the placeholders.
    if profile.name == "aws" && SigningCredentials::from_env().is_none() {
        return Err(SetupError::NoCredentials);
    }
    let credentials = SigningCredentials::from_env().unwrap_or_else(SigningCredentials::local);
    let (url, server) = match &options.endpoint {
        Some(url) => {
            let endpoint = Endpoint { url: url.clone(), region: options.region.clone(), credentials: credentials.clone(), timeout: options.timeout };
            if !endpoint.is_loopback() && !options.allow_remote {
                return Err(SetupError::RemoteNotAllowed { url: url.clone() });
            }
            endpoint.check_reachable().await?;
            (url.clone(), None)
        }
        None => {
            let running = server::start(ServerConfig::default(), ([127, 0, 0, 1], 0).into())
                .await
                .map_err(SetupError::ReferenceEndpoint)?;
            (running.url.clone(), Some(running))
        }
    };
    let endpoint = Endpoint { url, region: options.region.clone(), credentials, timeout: options.timeout };
    let target = HttpTarget::new(endpoint, profile)?;
    Ok(PreparedTarget { target, server })
}

/// Runs the selected scenarios and returns the report (reports are written when `out_dir` is set).
pub async fn run(options: &RunOptions) -> Result<Report, SetupError> {
    let started = Instant::now();
    let all = scenario::load_dir(&options.scenarios_dir.join("scenarios"))?;
    // Every scenario that exists: an expectation entry for one the filters left out is not
    // checked, an entry for one that does not exist is stale.
    let corpus: std::collections::BTreeSet<String> = all.iter().map(|s| s.id.clone()).collect();
    let selected = select(all, &options.filters, &options.rules);
    if selected.is_empty() {
        return Err(SetupError::NoScenarioMatches);
    }
    // After the filters, so that the N shards split what the filters chose. A shard may be
    // left with none (N above the number chosen): that is its share, not a usage error.
    // Scenarios of the other shards stay in `corpus`, so their expectation entries are not
    // stale: they are treated as filtered out.
    let selected = select_shard(selected, options.shard);
    // A profile file may name its own expectation file; otherwise fixtures/expectations/<name>.toml.
    let profile = options.target_profile();
    let expectation_path = options.expectations.clone().or_else(|| profile.expectations.clone()).or_else(|| {
        let p = options.scenarios_dir.join("expectations").join(format!("{}.toml", profile.name));
        p.is_file().then_some(p)
    });
    // Read before anything runs: a malformed file must not cost a whole run.
    let expectations = expectation_path.as_deref().map(ExpectationFile::load).transpose()?;
    let prepared = prepare_target(options).await?;
    // Against a target that keeps its state (no reset), a repeated seed must not meet the
    // names an earlier run left or is still using.
    let settings = if prepared.target.profile().has(crate::profile::Capability::Reset) {
        RunSettings::new(options.seed)
    } else {
        RunSettings::new(options.seed).with_fresh_names()
    };
    let progress = (!options.quiet).then(|| progress_bar(selected.len()));
    let mut results = Vec::with_capacity(selected.len());
    let watcher = tokio::spawn(async {
        let terminate = async {
            #[cfg(unix)]
            if let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                term.recv().await;
                return;
            }
            std::future::pending::<()>().await
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate => {}
        }
        crate::runner::interrupt();
    });
    let mut unanswered = 0;
    // Why the run stopped early, when it did: the report of what ran is still written.
    let mut stopped: Option<Unanswered> = None;
    for s in &selected {
        if crate::runner::interrupted() {
            break;
        }
        if let Some(p) = &progress {
            p.set_message(s.id.clone());
        }
        let result = run_scenario(&prepared.target, s, &settings).await;
        unanswered = if got_no_answer(&result) { unanswered + 1 } else { 0 };
        results.push(result);
        if let Some(p) = &progress {
            p.inc(1);
        }
        if options.max_unanswered > 0 && unanswered >= options.max_unanswered {
            let last = results.last().and_then(|r| r.steps.last()).and_then(|s| s.note.clone()).unwrap_or_default();
            stopped = Some(Unanswered { in_a_row: unanswered, last_note: last, ran: results.len(), selected: selected.len() });
            break;
        }
    }
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    // What was still busy when its scenario ended gets the rest of the budget now.
    let pending: Vec<_> = results.iter_mut().flat_map(|r| std::mem::take(&mut r.leftovers).into_iter().map(|l| (r.id.clone(), l))).collect();
    if !pending.is_empty() {
        // An interrupted run waits less: the user asked it to stop, and is told what is left.
        let budget = if crate::runner::interrupted() { Duration::from_secs(10) } else { crate::teardown::DEFAULT_BUDGET };
        let still = crate::teardown::retry(&prepared.target, pending.iter().map(|(_, l)| l.clone()).collect(), budget).await;
        for (id, leftover) in pending {
            if let Some(l) = still.iter().find(|l| l.rule == leftover.rule) {
                if let Some(r) = results.iter_mut().find(|r| r.id == id) {
                    r.leftovers.push(l.clone());
                }
            }
        }
    }
    if crate::runner::interrupted() {
        watcher.abort();
        if let Some(server) = prepared.server {
            server.shutdown().await;
        }
        let at = results.last().map(|r| r.id.clone()).unwrap_or_default();
        let left: Vec<Leftover> = results.iter().flat_map(|r| r.leftovers.iter().cloned()).collect();
        let cleaned = if left.is_empty() { Cleaned::Everything } else { Cleaned::LeftBehind(left) };
        return Err(SetupError::Interrupted { ran: results.len(), selected: selected.len(), at, cleaned });
    }
    let summary = match &expectations {
        Some(file) => file.apply_in(&mut results, &corpus),
        None => expect::without_file(&mut results),
    };
    let endpoint = prepared.target.endpoint();
    let mut report = Report::new(
        TargetInfo {
            profile: prepared.target.profile().name.clone(),
            endpoint: if prepared.server.is_some() { "embedded reference endpoint".into() } else { endpoint.url.clone() },
            region: endpoint.region.clone(),
        },
        report::now_rfc3339(),
        options.seed,
        settings.prefix.clone(),
        results,
    );
    report.expectations = summary;
    if let Some(snapshots) = &options.snapshots {
        compare_snapshots(&mut report, snapshots, expectation_path.as_deref(), &prepared.target)?;
    }
    report.shard = options.shard.map(|s| s.to_string());
    for r in &report.scenarios {
        for leftover in &r.leftovers {
            report.expectations.leftovers.push(format!("{}: {leftover}", r.id));
        }
    }
    let shard = options.shard.unwrap_or(Shard::WHOLE);
    if shard.sequences(options.sequences) > 0 && stopped.is_none() {
        let generate_options = GenerateOptions {
            seed: shard.sequence_seed(options.seed),
            sequences: shard.sequences(options.sequences),
            max_steps: options.max_steps,
            time_limit: options.time_limit,
        };
        let handle = tokio::runtime::Handle::current();
        let generated = tokio::task::block_in_place(|| {
            run_generated_with(&prepared.target, &settings, &generate_options, &|future| handle.block_on(future), expectations.as_ref())
        });
        let mut replay = None;
        if let (Some(failure), Some(dir)) = (&generated.failure, &options.out_dir) {
            // Named by the seed the sequences ran with, as the scenario inside it is.
            let path = dir.join("regressions").join(format!("generated-{:016x}.json", generate_options.seed));
            let written = std::fs::create_dir_all(dir.join("regressions"))
                .and_then(|_| std::fs::write(&path, serde_json::to_string_pretty(&failure.scenario).unwrap_or_default()));
            if written.is_ok() {
                replay = Some(path);
            }
        }
        let mut generated = generated;
        expect::record_generated(&mut report.expectations, expectations.as_ref(), &generated, replay.as_deref());
        if !generated.leftovers.is_empty() {
            let pending = std::mem::take(&mut generated.leftovers);
            generated.leftovers = crate::teardown::retry(&prepared.target, pending, crate::teardown::DEFAULT_BUDGET).await;
            for leftover in &generated.leftovers {
                report.expectations.leftovers.push(format!("generated sequences: {leftover}"));
            }
        }
        report.generated = Some(generated);
    }
    watcher.abort();
    if crate::runner::interrupted() {
        return Err(SetupError::InterruptedInSequences);
    }
    report.duration_ms = started.elapsed().as_millis() as u64;
    if let Some(server) = prepared.server {
        server.shutdown().await;
    }
    if let Some(dir) = &options.out_dir {
        write_reports(&report, dir).map_err(|source| SetupError::ReportsNotWritten { dir: dir.clone(), source })?;
    }
    if let Some(why) = stopped {
        return Err(SetupError::StoppedAnswering { why, report_dir: options.out_dir.clone() });
    }
    Ok(report)
}

/// Compares the run's scenarios with their recordings; unlisted differences (and new scenarios
/// under CI) join what fails the run, stale `[[snapshot]]` entries the stale entries.
fn compare_snapshots(
    report: &mut Report,
    options: &crate::snapshot::SnapshotOptions,
    expectation_path: Option<&Path>,
    target: &HttpTarget,
) -> Result<(), SetupError> {
    let entries = expectation_path
        .map(crate::snapshot::SnapshotEntries::load)
        .transpose()
        .map_err(SetupError::SnapshotEntries)?
        .unwrap_or_default();
    let how = crate::transcript::Normalisation {
        keep_times: target.profile().has(crate::profile::Capability::VirtualClock),
        secrets: target.endpoint().credentials.secrets().into_iter().map(str::to_owned).collect(),
    };
    let source = format!("remediation-suite run --target {}", target.profile().name);
    let comparison = crate::snapshot::compare_run(&report.scenarios, options, &how, &entries, &source)
        .map_err(SetupError::Snapshots)?;
    report.expectations.snapshot_unexpected = comparison.failures;
    report.expectations.stale_entries.extend(comparison.stale);
    report.snapshots = Some(comparison.summary);
    Ok(())
}

/// True when a scenario called the target and never got an HTTP answer back.
fn got_no_answer(result: &crate::report::ScenarioResult) -> bool {
    let calls = || result.steps.iter().filter(|s| s.kind == crate::report::StepKind::Call);
    calls().next().is_some() && calls().all(|s| s.status.is_none())
}

fn progress_bar(len: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}") {
        bar.set_style(style);
    }
    bar
}

/// Writes report.json and the formats derived from it.
pub fn write_reports(report: &Report, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("report.json"), serde_json::to_string_pretty(report).map_err(std::io::Error::other)?)?;
    std::fs::write(dir.join("junit.xml"), render::junit(report))?;
    std::fs::write(dir.join("report.md"), render::markdown(report))?;
    std::fs::write(dir.join("report.html"), render::html(report))?;
    Ok(())
}

/// This shard's scenarios of those selected (all of them without `--shard`).
pub fn select_shard(selected: Vec<Scenario>, shard: Option<Shard>) -> Vec<Scenario> {
    match shard {
        Some(shard) => shard.select(selected, |s| s.id.as_str()),
        None => selected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn leftover(rule: &str, reason: &str) -> Leftover {
        Leftover { rule: rule.into(), reason: reason.into() }
    }

    /// Every variant prints what the `String` it replaced said (the CLI tests and the README
    /// quote several of them).
    #[rstest]
    #[case::no_credentials(
        SetupError::NoCredentials,
        "--target aws needs credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones)"
    )]
    #[case::remote(
        SetupError::RemoteNotAllowed { url: "http://10.0.0.1:4566".into() },
        "http://10.0.0.1:4566 is not on this machine; pass --allow-remote to run against it (the suite creates and deletes resources named rsuite-*)"
    )]
    #[case::endpoint(SetupError::from(EndpointError::NoHost { url: "file:///x".into() }), r#"endpoint URL "file:///x" has no host"#)]
    #[case::reference_endpoint(
        SetupError::ReferenceEndpoint(std::io::Error::other("address in use")),
        "cannot start the reference endpoint: address in use"
    )]
    #[case::scenarios(
        SetupError::from(ScenarioError { file: "fixtures/scenarios/a.json".into(), message: "unknown field".into() }),
        "fixtures/scenarios/a.json: unknown field"
    )]
    #[case::no_scenario(SetupError::NoScenarioMatches, "no scenario matches the filters")]
    #[case::expectations(
        SetupError::from(ExpectationError::Read { path: "e.toml".into(), source: std::io::Error::other("gone") }),
        "e.toml: cannot read: gone"
    )]
    #[case::snapshot_entries(
        SetupError::SnapshotEntries(SnapshotError::Entry { path: "e.toml".into(), entry: 2, why: "no scenario".into() }),
        "e.toml: [[snapshot]] entry 2: no scenario"
    )]
    #[case::snapshots(
        SetupError::Snapshots(SnapshotError::Malformed { path: "a.snap".into(), why: "no header".into() }),
        "snapshots: a.snap: not a recording: no header"
    )]
    #[case::interrupted_clean(
        SetupError::Interrupted { ran: 1, selected: 1, at: "calls/describe-exceptions".into(), cleaned: Cleaned::Everything },
        "interrupted in scenario 1 of 1 (calls/describe-exceptions); what the run created was deleted"
    )]
    #[case::interrupted_left(
        SetupError::Interrupted {
            ran: 2,
            selected: 5,
            at: "rules/put".into(),
            cleaned: Cleaned::LeftBehind(vec![leftover("rsuite-0a1b2c3d-a", "timed out"), leftover("rsuite-0a1b2c3d-b", "busy")]),
        },
        "interrupted in scenario 2 of 5 (rules/put); left behind: rsuite-0a1b2c3d-a (timed out); rsuite-0a1b2c3d-b (busy) \
         (run `remediation-suite cleanup --endpoint …` later)"
    )]
    #[case::interrupted_sequences(
        SetupError::InterruptedInSequences,
        "interrupted during the generated sequences; what they created was deleted"
    )]
    #[case::stopped_with_reports(
        SetupError::StoppedAnswering {
            why: Unanswered { in_a_row: 3, last_note: "no answer: cannot connect".into(), ran: 4, selected: 40 },
            report_dir: Some("target/conformance".into()),
        },
        "the target stopped answering: 3 scenarios in a row got no answer (no answer: cannot connect); stopped after 4 of 40 \
         scenarios; the report of what ran is in target/conformance"
    )]
    #[case::stopped_without_reports(
        SetupError::StoppedAnswering { why: Unanswered { in_a_row: 1, last_note: String::new(), ran: 1, selected: 2 }, report_dir: None },
        "the target stopped answering: 1 scenarios in a row got no answer (); stopped after 1 of 2 scenarios"
    )]
    #[case::reports(
        SetupError::ReportsNotWritten { dir: "out".into(), source: std::io::Error::other("read-only file system") },
        "cannot write reports to out: read-only file system"
    )]
    #[case::suite_rules(
        SetupError::from(TeardownError::Unimplemented { op: reference_model::Operation::DescribeConfigRules }),
        "the target does not implement DescribeConfigRules"
    )]
    fn setup_errors_read_as_before(#[case] error: SetupError, #[case] text: &str) {
        assert_eq!(error.to_string(), text);
    }

    /// The lower layer's error stays reachable as the source, for callers that look past the text.
    #[test]
    fn a_wrapped_error_is_the_source() {
        use std::error::Error as _;
        let e = SetupError::ReportsNotWritten { dir: "out".into(), source: std::io::Error::other("read-only file system") };
        assert_eq!(e.source().map(|s| s.to_string()).as_deref(), Some("read-only file system"));
        let e = SetupError::Snapshots(SnapshotError::Malformed { path: "a.snap".into(), why: "no header".into() });
        assert!(e.source().is_some_and(|s| s.is::<SnapshotError>()));
    }

    #[test]
    fn filters_match_substrings_and_globs() {
        assert!(matches_filter("exceptions/only-non-compliant", "exceptions/"));
        assert!(matches_filter("exceptions/only-non-compliant", "exc*compliant"));
        assert!(!matches_filter("exceptions/only-non-compliant", "rules/*"));
        assert!(matches_filter("rules/put", "*put"));
        assert!(!matches_filter("rules/put-x", "*put"));
        assert!(matches_filter("a/b/c", "a*c"), "* crosses slashes");
        // Only `*` is a wildcard: glob's other metacharacters are literal.
        assert!(!matches_filter("rules/put", "rules/pu?*"));
        assert!(matches_filter("x/[a]-1", "x/[a]*"));
        assert!(!matches_filter("x/a-1", "x/[a]*"));
        assert!(matches_filter("aba", "a*ba"));
        assert!(!matches_filter("ab", "ab*b"));
    }
}
