//! The judge, measured: wrong answers and acceptable variants (`testkit::mutate`) are planted
//! into the reference endpoint's answers, one per run of a scenario of `fixtures/scenarios/`,
//! and the scenario's verdict is read. A wrong answer is caught when the scenario ends FAIL or
//! ERROR; an acceptable variant must not end it so.
//!
//! Which plants: every scenario is first run as it is (it must PASS), recording each call's
//! answer and outcome. At each call every kind is tried ([`mutate::plant`], which decides from
//! the model's data whether the changed answer is really wrong, or really acceptable); of the
//! kinds that fit, [`PLANTS_PER_CALL`] are planted, the ones planted least so far first (ties in
//! kind order), so that rare kinds are planted wherever they fit and every call gets several
//! plants. Scenarios longer than [`LONG_SCENARIO`] steps (the 1000-rule one) get fewer
//! ([`planted_calls`]). The site
//! of a kind (which member, which code) rotates with a hash of scenario, call and kind.
//!
//! The test prints a table per kind and every miss with the judge's differences; the figures
//! it must reach are [`MIN_CAUGHT`] of the wrong answers and no acceptable variant failed.

use remediation_suite::judge::Difference;
use remediation_suite::target::Observed;
use remediation_suite::report::ScenarioResult;
use remediation_suite::runner::{run_scenario_hooked, RunSettings};
use remediation_suite::scenario::{load_dir, Scenario};
use suite_testkit::mutate::{self, Context, Kind, NotPlanted, Planter, RecordedCall, Recorder};
use suite_testkit::{faulty_reference, http_target, Fault};
use remediation_suite::verdict::Verdict;
use reference_model::Operation;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

/// Kinds planted at each call (fewer where fewer fit).
const PLANTS_PER_CALL: usize = 3;
/// Scenarios with more steps get plants only where they reach their limit ([`planted_calls`]).
const LONG_SCENARIO: usize = 40;
const LONG_PLANTS_PER_CALL: usize = 2;
/// The share of wrong answers that must be caught.
const MIN_CAUGHT: f64 = 0.99;
/// Every kind must be planted at least this often, or the figure says nothing about it.
const MIN_PLANTS_PER_KIND: usize = 10;

/// One planned plant.
struct Planned {
    scenario: usize,
    call: usize,
    /// 1-based step index of the call.
    step: usize,
    op: Operation,
    plant: mutate::Plant,
    base: Observed,
}

/// What the run with one plant gave.
struct Measured {
    planned: Planned,
    verdict: Verdict,
    /// The verdict of the planted step itself.
    step_verdict: Verdict,
    /// The step the scenario stopped at, when it stopped.
    stopped_at: Option<usize>,
    differences: Vec<Difference>,
    note: Option<String>,
    drifted: bool,
}

impl Measured {
    fn ends_badly(&self) -> bool {
        matches!(self.verdict, Verdict::Fail | Verdict::Error)
    }
}

/// FNV-1a of the scenario, call and kind: which site of a kind is tried first.
fn site_choice(scenario: &str, call: usize, kind: usize) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in scenario.bytes().chain(call.to_le_bytes()).chain(kind.to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 8) as usize
}

fn corpus() -> Vec<Scenario> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/scenarios");
    let scenarios = load_dir(&dir).unwrap_or_else(|e| panic!("malformed scenario file: {e}"));
    assert!(!scenarios.is_empty(), "no scenario in {}", dir.display());
    scenarios
}

/// The calls of a scenario that get plants, and how many kinds each gets. A long scenario exists
/// to reach a limit (the 1000-rule one repeats one step 1000 times): it gets plants at its
/// first call and at the calls the limit refuses (its error answers), [`LONG_PLANTS_PER_CALL`]
/// kinds each, since every run of it costs a thousand calls.
fn planted_calls(scenario: &Scenario, calls: &[RecordedCall]) -> Vec<(usize, usize)> {
    if scenario.steps.len() <= LONG_SCENARIO {
        return (0..calls.len()).map(|c| (c, PLANTS_PER_CALL)).collect();
    }
    let refused = |c: &usize| calls[*c].observed.status >= 400;
    std::iter::once(0).chain((1..calls.len()).filter(refused)).map(|c| (c, LONG_PLANTS_PER_CALL)).collect()
}

fn describe(m: &Measured, scenarios: &[Scenario]) -> String {
    let p = &m.planned;
    let mut out = format!(
        "{} step {} {} [{}] {}\n    scenario {} (planted step {}{})",
        scenarios[p.scenario].id,
        p.step,
        p.op,
        p.plant.kind,
        p.plant.site,
        m.verdict,
        m.step_verdict,
        m.stopped_at.map(|s| format!(", stopped at step {s}")).unwrap_or_default(),
    );
    if let Some(note) = &m.note {
        let _ = write!(out, " — {note}");
    }
    for d in &m.differences {
        let _ = write!(out, "\n    {} {}: expected {} | actual {}", d.level, d.path, d.expected, d.actual);
    }
    out
}

#[tokio::test(flavor = "current_thread")]
async fn the_judge_catches_wrong_answers_and_accepts_variants() {
    let started = Instant::now();
    let scenarios = corpus();
    let peer = faulty_reference(Fault::None);
    let target = http_target(&peer.url, "reference", Duration::from_secs(10));
    let settings = RunSettings::new(0x6d75_7461);
    let mut problems: Vec<String> = Vec::new();

    // 1. Every scenario as it is, recorded.
    let mut plans: Vec<Planned> = Vec::new();
    let mut planted_so_far: BTreeMap<Kind, usize> = BTreeMap::new();
    let mut not_planted: BTreeMap<(Kind, String), usize> = BTreeMap::new();
    let kinds = Kind::all();
    let mut calls_seen = 0;
    let mut planning = Duration::ZERO;
    for (si, scenario) in scenarios.iter().enumerate() {
        let recorder = Recorder::new();
        let result: ScenarioResult = run_scenario_hooked(&target, scenario, &settings, Some(&recorder)).await;
        if result.verdict != Verdict::Pass {
            problems.push(format!("{}: {} without a plant ({})", scenario.id, result.verdict, result.note.unwrap_or_default()));
            continue;
        }
        let calls = recorder.into_calls();
        let Some(histories) = mutate::histories(&result, &calls) else {
            problems.push(format!("{}: the run's call steps do not match the answers the hook saw", scenario.id));
            continue;
        };
        let steps = mutate::call_steps(&result);
        let planning_started = Instant::now();
        // 2. The plants of each call.
        for (c, per_call) in planted_calls(scenario, &calls) {
            calls_seen += 1;
            let call = &calls[c];
            let ctx = Context { op: call.op, outcome: &call.outcome, clock_shared: true, history: &histories[c] };
            let mut fitting = Vec::new();
            for (ki, kind) in kinds.iter().enumerate() {
                match mutate::plant(*kind, &ctx, &call.observed, site_choice(&scenario.id, c, ki)) {
                    Ok(p) => fitting.push(p),
                    Err(NotPlanted::BaseNotAcceptable) => {
                        problems.push(format!("{} step {}: the reference's own answer is not acceptable by the model's data", scenario.id, steps[c].index));
                        break;
                    }
                    Err(why) => {
                        let reason = match why {
                            NotPlanted::AcceptableAnyway(_) => "acceptable anyway".to_owned(),
                            other => other.to_string(),
                        };
                        *not_planted.entry((*kind, reason)).or_default() += 1;
                    }
                }
            }
            fitting.sort_by_key(|p| (planted_so_far.get(&p.kind).copied().unwrap_or(0), p.kind));
            for plant in fitting.into_iter().take(per_call) {
                *planted_so_far.entry(plant.kind).or_default() += 1;
                plans.push(Planned { scenario: si, call: c, step: steps[c].index, op: call.op, plant, base: call.observed.clone() });
            }
        }
        planning += planning_started.elapsed();
    }
    let recorded = started.elapsed();

    // 3. One run per plant.
    let mut measured = Vec::with_capacity(plans.len());
    let mut steps_run = 0;
    for planned in plans {
        let planter = Planter::new(planned.call, planned.base.clone(), planned.plant.observed.clone());
        let result = run_scenario_hooked(&target, &scenarios[planned.scenario], &settings, Some(&planter)).await;
        steps_run += result.steps.len();
        let steps = mutate::call_steps(&result);
        let Some(step) = steps.get(planned.call) else {
            problems.push(format!("{} step {}: the planted call was never made", scenarios[planned.scenario].id, planned.step));
            continue;
        };
        let stopped_at = result.verdict.stops_scenario().then(|| result.steps.last().map(|s| s.index)).flatten();
        measured.push(Measured {
            step_verdict: step.verdict,
            differences: step.differences.clone(),
            note: step.note.clone(),
            verdict: result.verdict,
            stopped_at,
            drifted: planter.drifted(),
            planned,
        });
    }
    peer.shutdown().await;
    let elapsed = started.elapsed();

    // 4. The figures.
    let mut table = String::new();
    let _ = writeln!(table, "{:<36} {:>8} {:>8} {:>8} {:>8}", "wrong answer", "planted", "caught", "%", "at step");
    let (mut wrong_total, mut caught_total) = (0, 0);
    for kind in kinds.iter().filter(|k| k.is_wrong()) {
        let of_kind: Vec<&Measured> = measured.iter().filter(|m| m.planned.plant.kind == *kind).collect();
        let caught = of_kind.iter().filter(|m| m.ends_badly()).count();
        let at_step = of_kind.iter().filter(|m| matches!(m.step_verdict, Verdict::Fail | Verdict::Error)).count();
        wrong_total += of_kind.len();
        caught_total += caught;
        let pct = if of_kind.is_empty() { 0.0 } else { 100.0 * caught as f64 / of_kind.len() as f64 };
        let _ = writeln!(table, "{:<36} {:>8} {:>8} {:>7.1}% {:>8}", kind.name(), of_kind.len(), caught, pct, at_step);
    }
    let share = if wrong_total == 0 { 0.0 } else { caught_total as f64 / wrong_total as f64 };
    let _ = writeln!(table, "{:<36} {:>8} {:>8} {:>7.1}%", "all wrong answers", wrong_total, caught_total, 100.0 * share);
    let _ = writeln!(table, "\n{:<36} {:>8} {:>8} {:>10}", "acceptable variant", "planted", "failed", "non-strict");
    let mut acceptable_failed = 0;
    for kind in kinds.iter().filter(|k| !k.is_wrong()) {
        let of_kind: Vec<&Measured> = measured.iter().filter(|m| m.planned.plant.kind == *kind).collect();
        let failed = of_kind.iter().filter(|m| m.ends_badly()).count();
        let non_strict = of_kind.iter().filter(|m| m.verdict == Verdict::NonStrict).count();
        acceptable_failed += failed;
        let _ = writeln!(table, "{:<36} {:>8} {:>8} {:>10}", kind.name(), of_kind.len(), failed, non_strict);
    }
    let _ = writeln!(
        table,
        "\n{} plants ({steps_run} steps run) at {calls_seen} calls of {} scenarios in {:.1} s ({:.1} s recording, {:.1} s of it choosing plants)",
        measured.len(),
        scenarios.len(),
        elapsed.as_secs_f64(),
        recorded.as_secs_f64(),
        planning.as_secs_f64()
    );
    let _ = writeln!(table, "\nnot planted (kind, why, calls):");
    for ((kind, why), n) in &not_planted {
        if why != "nothing of this kind in the answer" {
            let _ = writeln!(table, "  {kind}: {why}: {n}");
        }
    }
    let misses: Vec<String> = measured.iter().filter(|m| m.planned.plant.kind.is_wrong() && !m.ends_badly()).map(|m| describe(m, &scenarios)).collect();
    let late: Vec<String> = measured
        .iter()
        .filter(|m| m.planned.plant.kind.is_wrong() && m.ends_badly() && !matches!(m.step_verdict, Verdict::Fail | Verdict::Error))
        .map(|m| describe(m, &scenarios))
        .collect();
    let failed: Vec<String> = measured.iter().filter(|m| !m.planned.plant.kind.is_wrong() && m.ends_badly()).map(|m| describe(m, &scenarios)).collect();
    for m in measured.iter().filter(|m| m.drifted) {
        problems.push(format!("{}: the live answer differed from the recorded one", describe(m, &scenarios)));
    }
    for kind in &kinds {
        let n = planted_so_far.get(kind).copied().unwrap_or(0);
        if n < MIN_PLANTS_PER_KIND {
            problems.push(format!("{kind}: planted {n} times, fewer than {MIN_PLANTS_PER_KIND}"));
        }
    }
    let mut report = table;
    let _ = write!(report, "\nwrong answers missed ({}):\n{}\n", misses.len(), misses.join("\n"));
    let _ = write!(report, "\nacceptable variants failed ({}):\n{}\n", failed.len(), failed.join("\n"));
    let _ = write!(report, "\nwrong answers caught only at a later step ({}):\n{}\n", late.len(), late.join("\n"));
    eprintln!("{report}");

    assert!(problems.is_empty(), "the measurement itself is broken:\n{}", problems.join("\n"));
    assert!(
        share >= MIN_CAUGHT && acceptable_failed == 0,
        "{:.2} % of {wrong_total} wrong answers caught (at least {:.0} % needed); {acceptable_failed} acceptable variants failed (none allowed); the table and every miss are printed above",
        100.0 * share,
        100.0 * MIN_CAUGHT,
    );
}

/// The judge's fuzz target runs scenarios against the model in process (`ModelTarget`): each
/// must PASS there as it does against the reference endpoint, or the fuzz target would report
/// the target and not the judge.
#[tokio::test(flavor = "current_thread")]
async fn every_scenario_passes_against_the_in_process_model() {
    let target = mutate::ModelTarget::new();
    let settings = RunSettings::new(0x6d6f_6465);
    let mut failures = Vec::new();
    for scenario in corpus().iter().filter(|s| s.steps.len() <= LONG_SCENARIO) {
        let recorder = Recorder::new();
        let result = run_scenario_hooked(&target, scenario, &settings, Some(&recorder)).await;
        if result.verdict != Verdict::Pass {
            failures.push(format!("{}: {} {}", scenario.id, result.verdict, result.note.as_deref().unwrap_or_default()));
        }
        if mutate::histories(&result, &recorder.into_calls()).is_none() {
            failures.push(format!("{}: the call steps do not match the answers the hook saw", scenario.id));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
