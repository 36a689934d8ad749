//! Formats derived from the JSON report: the terminal summary, JUnit XML, Markdown, a static
//! HTML page, and the step-by-step replay. Each reads only the [`Report`], so any of them can be
//! re-made from a saved `report.json`.

use reference_model::Operation;
use super::{Report, ScenarioResult, StepResult};
use crate::generate::GeneratedSummary;
use crate::verdict::Verdict;
use std::fmt::Write as _;

fn paint(text: &str, verdict: Verdict, color: bool) -> String {
    if !color {
        return text.to_owned();
    }
    let code = match verdict {
        Verdict::Pass => "32",
        Verdict::NonStrict => "36",
        Verdict::Skipped => "2",
        Verdict::Unimplemented => "33",
        Verdict::Fail | Verdict::Error => "31",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

fn counts_line(counts: &super::Counts) -> String {
    Verdict::ALL
        .iter()
        .filter(|v| counts.get(**v) > 0)
        .map(|v| format!("{} {}", counts.get(*v), v))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn verdicts_line(verdicts: &std::collections::BTreeMap<Verdict, usize>) -> String {
    counts_line(&super::Counts(verdicts.clone()))
}

/// What a scenario's deciding step said, on one line.
fn why(s: &ScenarioResult) -> String {
    if let Some(step) = s.verdict_step() {
        let op = step.operation.map_or("step", Operation::name);
        let detail = step
            .differences
            .iter()
            .max_by_key(|d| d.level)
            .map(|d| format!("{}: expected {}, got {}", d.path, d.expected, d.actual))
            .or_else(|| step.note.clone())
            .unwrap_or_default();
        return format!("step {} {op}: {detail}", step.index);
    }
    s.note.clone().unwrap_or_default()
}

/// "97 exercised of 141 declared": rules judged steps really checked, beside the rules the
/// scenarios of the run name.
fn rules_line(report: &Report) -> String {
    format!("{} exercised of {} declared", report.rules_exercised, report.rules_declared)
}

/// One line on the generated sequences.
fn generated_line(g: &GeneratedSummary) -> String {
    let listed = g.deviations.iter().filter(|d| d.listed.is_some()).count();
    format!(
        "generated: {} sequences ({}), {} steps in {:.1} s; {} deviated ({listed} listed, {} unexpected)",
        g.sequences,
        verdicts_line(&g.verdicts),
        g.steps,
        g.seconds,
        g.deviations.len(),
        g.deviations.len() - listed
    )
}

/// The totals every format shows beside "conformant": they add up to the exit code.
fn expectation_totals(report: &Report) -> String {
    let e = &report.expectations;
    format!(
        "{} expected deviation(s), {} unexpected, {} unexpected pass(es), {} stale entr{}",
        e.expected.len(),
        e.unexpected.len(),
        e.unexpected_passes.len(),
        e.stale_entries.len(),
        if e.stale_entries.len() == 1 { "y" } else { "ies" }
    )
}

/// The snapshot section (`run --snapshots`): the counts, then every scenario that differs from
/// its recording with each difference (step, path, recorded and actual value); new scenarios
/// by name.
pub fn snapshot_lines(s: &crate::snapshot::SnapshotSummary, verbose: bool) -> String {
    use crate::snapshot::SnapshotState;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "snapshots {}: {} compared, {} match, {} differ ({} step(s)), {} new{}{}",
        s.dir,
        s.compared,
        s.matching,
        s.differing,
        s.differing_steps,
        s.new,
        if s.new > 0 && !s.ci { " (new ones fail the run only with CI=true)" } else { "" },
        if s.pending_written > 0 { format!("; {} pending file(s) written for review", s.pending_written) } else { String::new() }
    );
    for scenario in &s.scenarios {
        match scenario.state {
            SnapshotState::New if verbose || s.ci => {
                let _ = writeln!(out, "SNAPSHOT NEW  {} (no recording {})", scenario.scenario, scenario.file);
            }
            SnapshotState::Differs => {
                let _ = writeln!(out, "SNAPSHOT DIFFERS  {} ({})", scenario.scenario, scenario.file);
                for d in &scenario.differences {
                    let listed = scenario.listed.iter().find(|(step, _)| *step == d.step).map(|(_, r)| format!(" (listed: {r})")).unwrap_or_default();
                    let _ = writeln!(out, "    {}{listed}", d.describe());
                }
            }
            _ => {}
        }
    }
    out
}

/// The summary printed at the end of a run: one line per scenario that needs attention, then
/// counts per verdict, per operation, and what the expectation file said.
pub fn terminal(report: &Report, color: bool, verbose: bool) -> String {
    let mut out = String::new();
    for s in &report.scenarios {
        let listed = s.expected_deviation.is_some();
        let needs_attention = s.unexpected.is_some();
        if !needs_attention && (s.verdict == Verdict::Pass || (!verbose && (listed || s.verdict == Verdict::Skipped))) {
            continue;
        }
        let tag = if listed { " (expected)" } else { "" };
        let _ = writeln!(out, "{:<13} {}{tag}  {}", paint(s.verdict.as_str(), s.verdict, color), s.id, why(s));
    }
    if !report.operations.is_empty() {
        let _ = writeln!(out, "\n{:<38} {:>6} {:>6}  verdicts", "operation", "calls", "2xx");
        for (op, c) in &report.operations {
            let _ = writeln!(out, "{op:<38} {:>6} {:>6}  {}", c.calls, c.successes, counts_line(&c.steps));
        }
    }
    let _ = writeln!(
        out,
        "\n{} scenarios ({}), {} steps ({}); rules checked: {}, {} modelled rules not exercised; {:.1} s",
        report.scenarios.len(),
        counts_line(&report.scenario_counts),
        report.step_counts.total(),
        counts_line(&report.step_counts),
        rules_line(report),
        report.rules_not_covered.len(),
        report.duration_ms as f64 / 1000.0
    );
    if let Some(g) = &report.generated {
        let _ = writeln!(out, "{}", generated_line(g));
    }
    if let Some(snapshots) = &report.snapshots {
        out.push_str(&snapshot_lines(snapshots, verbose));
    }
    let e = &report.expectations;
    if let Some(file) = &e.file {
        let _ = writeln!(out, "expectations {file}: {}", expectation_totals(report));
    }
    for u in &e.unexpected {
        let _ = writeln!(out, "UNEXPECTED deviation: {u}");
    }
    for u in &e.unexpected_passes {
        let _ = writeln!(out, "UNEXPECTED PASS (remove the entry): {u}");
    }
    for u in &e.stale_entries {
        let _ = writeln!(out, "STALE expectation entry (remove it): {u}");
    }
    for u in &e.leftovers {
        let _ = writeln!(out, "LEFT BEHIND (delete it, or run cleanup): {u}");
    }
    for u in &e.snapshot_unexpected {
        let _ = writeln!(out, "UNEXPECTED snapshot difference: {u}");
    }
    for u in &e.generated_not_seen {
        let _ = writeln!(out, "expectation entry not met by this run's generated sequences: {u}");
    }
    let _ = writeln!(
        out,
        "{}",
        if report.is_conformant() { paint("conformant", Verdict::Pass, color) } else { paint("NOT conformant", Verdict::Fail, color) }
    );
    out
}

fn status(kind: quick_junit::NonSuccessKind, message: String, kind_name: &str) -> quick_junit::TestCaseStatus {
    let mut st = quick_junit::TestCaseStatus::non_success(kind);
    st.set_message(message);
    st.set_type(kind_name);
    st
}

fn skipped(message: String) -> quick_junit::TestCaseStatus {
    let mut st = quick_junit::TestCaseStatus::skipped();
    st.set_message(message);
    st
}

/// A failure, or an error for ERROR (JUnit's two kinds of non-success).
fn failing(verdict: Verdict, message: String) -> quick_junit::TestCaseStatus {
    use quick_junit::NonSuccessKind;
    let kind = if verdict == Verdict::Error { NonSuccessKind::Error } else { NonSuccessKind::Failure };
    status(kind, message, verdict.as_str())
}

/// JUnit XML: one suite per scenario group (the id's first segment), one case per scenario; a
/// `generated` suite with one case per generated sequence; an `expectations` suite with one
/// case per stale entry. A case fails exactly when it fails the run (unlisted or mismatched
/// deviations, unexpected passes, stale entries): failures and errors add up to
/// [`ExpectationSummary::failures`](super::ExpectationSummary::failures). Listed deviations,
/// SKIPPED scenarios and sequences stopped by an unimplemented operation are `skipped`.
pub fn junit(report: &Report) -> String {
    use quick_junit::{Report as JReport, TestCase, TestCaseStatus, TestSuite};
    let mut junit = JReport::new("remediation-suite");
    let mut groups: std::collections::BTreeMap<&str, Vec<&ScenarioResult>> = Default::default();
    for s in &report.scenarios {
        groups.entry(s.id.split('/').next().unwrap_or(&s.id)).or_default().push(s);
    }
    for (group, scenarios) in groups {
        let mut suite = TestSuite::new(group);
        for s in scenarios {
            let mut status = match (&s.unexpected, &s.expected_deviation) {
                (Some(what), _) if s.verdict.conforms() => status(quick_junit::NonSuccessKind::Failure, what.clone(), "UNEXPECTED-PASS"),
                (Some(what), _) => failing(s.verdict, format!("{what}: {}", why(s))),
                (None, Some(reason)) => skipped(format!("expected {}: {reason}", s.verdict)),
                (None, None) if s.verdict == Verdict::Skipped => skipped(s.note.clone().unwrap_or_default()),
                (None, None) if s.verdict.conforms() => TestCaseStatus::success(),
                // Never judged against expectations: a deviation fails, as without a file.
                (None, None) => failing(s.verdict, why(s)),
            };
            if let Some(step) = s.verdict_step() {
                status.set_description(step_text(step));
            }
            let mut case = TestCase::new(s.id.clone(), status);
            case.set_classname(group);
            case.set_time(std::time::Duration::from_millis(s.duration_ms));
            if s.verdict == Verdict::NonStrict {
                case.set_system_out(format!("NON-STRICT: {}", non_strict_details(s)));
            }
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    if let Some(g) = &report.generated {
        let mut suite = TestSuite::new("generated");
        for (i, verdict) in g.outcomes.iter().enumerate() {
            let sequence = i as u32 + 1;
            let deviation = g.deviations.iter().find(|d| d.sequence == sequence);
            let status = match deviation {
                Some(d) => match &d.listed {
                    Some(reason) => skipped(format!("expected {}: {reason}", d.point)),
                    None => {
                        let mut message = format!("{}, not listed", d.point);
                        if let Some(f) = &g.failure {
                            message.push_str(&format!("; shrunk from {} to {} steps: {}", f.original_steps, f.shrunk_steps, f.point));
                        }
                        let mut st = failing(d.point.verdict, message);
                        if let Some(step) = g.failure.as_ref().and_then(|f| f.result.verdict_step()) {
                            st.set_description(step_text(step));
                        }
                        st
                    }
                },
                None if verdict.conforms() => TestCaseStatus::success(),
                None if *verdict == Verdict::Unimplemented => skipped("stopped at an operation the target does not implement".into()),
                None if *verdict == Verdict::Skipped => skipped(String::new()),
                None => failing(*verdict, format!("{verdict}: a deviating sequence the generator did not record")),
            };
            let mut case = TestCase::new(format!("generated/sequence-{sequence:04}"), status);
            case.set_classname("generated");
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    if !report.expectations.stale_entries.is_empty() {
        let mut suite = TestSuite::new("expectations");
        for entry in &report.expectations.stale_entries {
            let st = status(quick_junit::NonSuccessKind::Failure, format!("stale entry: {entry}; remove it"), "STALE");
            let mut case = TestCase::new(format!("stale {}", entry.split(' ').next().unwrap_or(entry)), st);
            case.set_classname("expectations");
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    if let Some(snapshots) = &report.snapshots {
        // One failing case per unlisted differing step (and per new scenario under CI), one
        // skipped case per listed step, one passing case for the scenarios that match.
        let mut suite = TestSuite::new("snapshots");
        for failure in &report.expectations.snapshot_unexpected {
            let st = status(quick_junit::NonSuccessKind::Failure, failure.clone(), "SNAPSHOT");
            let mut case = TestCase::new(format!("snapshot {}", failure.split(':').next().unwrap_or(failure)), st);
            case.set_classname("snapshots");
            suite.add_test_case(case);
        }
        for scenario in &snapshots.scenarios {
            for (step, reason) in &scenario.listed {
                let mut case = TestCase::new(format!("snapshot {} step {step}", scenario.scenario), skipped(format!("listed: {reason}")));
                case.set_classname("snapshots");
                suite.add_test_case(case);
            }
        }
        let mut case = TestCase::new(format!("{} scenario(s) match their recording", snapshots.matching), TestCaseStatus::success());
        case.set_classname("snapshots");
        suite.add_test_case(case);
        junit.add_test_suite(suite);
    }
    if !report.expectations.leftovers.is_empty() {
        let mut suite = TestSuite::new("cleanup");
        for leftover in &report.expectations.leftovers {
            let st = status(quick_junit::NonSuccessKind::Failure, format!("left behind: {leftover}"), "LEFTOVER");
            let mut case = TestCase::new(format!("left behind {}", leftover.split(' ').next().unwrap_or(leftover)), st);
            case.set_classname("cleanup");
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    junit.set_time(std::time::Duration::from_millis(report.duration_ms));
    junit.to_string().unwrap_or_else(|e| format!("<!-- cannot write JUnit: {e} -->"))
}

fn non_strict_details(s: &ScenarioResult) -> String {
    s.steps
        .iter()
        .flat_map(|st| st.differences.iter().map(move |d| format!("step {} {} {}: expected {}, got {}", st.index, d.level, d.path, d.expected, d.actual)))
        .collect::<Vec<_>>()
        .join("; ")
}

fn step_text(step: &StepResult) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "step {} {} -> {}", step.index, step.operation.map_or("", Operation::name), step.verdict);
    if let Some(r) = &step.request {
        let _ = writeln!(out, "request: {r}");
    }
    for (i, e) in step.expected.iter().enumerate() {
        let what = match (&e.code, &e.body) {
            (Some(code), _) => format!("{} {code} {}", e.status, e.message.as_deref().unwrap_or("")),
            (None, Some(body)) => format!("{} {body}", e.status),
            (None, None) => e.status.to_string(),
        };
        let _ = writeln!(out, "acceptable #{i} ({}): {what}", e.provenance);
    }
    if let Some(a) = &step.actual {
        let _ = writeln!(out, "actual: {}", serde_json::to_string(a).unwrap_or_default());
    }
    for d in &step.differences {
        let _ = writeln!(out, "  {} {}: expected {}, got {}", d.level, d.path, d.expected, d.actual);
    }
    if let Some(n) = &step.note {
        let _ = writeln!(out, "note: {n}");
    }
    if let Some(r) = &step.reproduction {
        // The answer depends on the state the earlier steps built: they come first.
        let after = if step.index > 1 {
            format!(" (after steps 1–{} of the scenario, which built the state: `replay` runs them in order)", step.index - 1)
        } else {
            String::new()
        };
        let _ = writeln!(out, "reproduce{after}:\n{r}");
    }
    out
}

/// Longest line of a step shown in report.html: a page a person opens stays small; the whole
/// text is in report.json.
const HTML_LINE_LIMIT: usize = 600;

/// `text` with every line longer than [`HTML_LINE_LIMIT`] characters cut, saying how long it was.
fn summarised(text: &str) -> String {
    text.lines()
        .map(|line| {
            let len = line.chars().count();
            if len <= HTML_LINE_LIMIT {
                line.to_owned()
            } else {
                let head: String = line.chars().take(HTML_LINE_LIMIT).collect();
                format!("{head}… ({len} characters; the whole line is in report.json)")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// How to set `$ENDPOINT` for the reproductions: the target's URL, or for the embedded endpoint
/// (gone with the run) a reference endpoint started by hand.
fn endpoint_hint(report: &Report) -> String {
    if report.target.endpoint.starts_with("http") {
        format!("`export ENDPOINT={}`", report.target.endpoint)
    } else {
        "the embedded endpoint is gone with the run: `remediation-suite serve --port 4599`, then `export ENDPOINT=http://127.0.0.1:4599`".to_owned()
    }
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn rate(c: &super::Counts) -> String {
    let judged = c.total() - c.get(Verdict::Skipped);
    if judged == 0 {
        return "–".into();
    }
    format!("{:.0} %", 100.0 * (c.get(Verdict::Pass) + c.get(Verdict::NonStrict)) as f64 / judged as f64)
}

/// The deviating generated sequences: which, where, and whether listed.
fn generated_rows(g: &GeneratedSummary) -> Vec<(u32, usize, String, String)> {
    g.deviations
        .iter()
        .map(|d| {
            let listed = match &d.listed {
                Some(reason) => format!("expected: {reason}"),
                None => "UNEXPECTED".to_owned(),
            };
            (d.sequence, d.steps, d.point.to_string(), listed)
        })
        .collect()
}

/// A Markdown summary: totals, per operation, per rule ID, the generated sequences, and the
/// details of every scenario that does not conform.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Conformance report: {} ({})\n", report.target.profile, report.target.endpoint);
    let _ = writeln!(
        out,
        "suite {} · service model {} · {} · seed {}{} · {:.1} s\n",
        report.suite_version,
        report.service_model,
        report.started_at,
        report.seed,
        report.shard.as_ref().map(|s| format!(" · shard {s}")).unwrap_or_default(),
        report.duration_ms as f64 / 1000.0
    );
    let _ = writeln!(
        out,
        "**{}** · {} · scenarios: {} · steps: {}\n",
        if report.is_conformant() { "conformant" } else { "NOT conformant" },
        expectation_totals(report),
        counts_line(&report.scenario_counts),
        counts_line(&report.step_counts)
    );
    let _ = writeln!(out, "Rules checked: {} (a rule counts as exercised when a judged call step checked it).\n", rules_line(report));
    let _ = writeln!(out, "Reproductions read `$ENDPOINT` and the AWS credentials from the environment: {}.\n", endpoint_hint(report));
    if let Some(g) = &report.generated {
        let _ = writeln!(out, "{}\n", md_escape(&generated_line(g)));
    }
    let _ = writeln!(out, "## Per operation\n\n| operation | calls | 2xx | conforming | verdicts | error codes |\n|---|---:|---:|---:|---|---|");
    for (op, c) in &report.operations {
        let codes: Vec<String> = c.errors.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
        let _ = writeln!(out, "| {op} | {} | {} | {} | {} | {} |", c.calls, c.successes, rate(&c.steps), counts_line(&c.steps), codes.join(", "));
    }
    let _ = writeln!(
        out,
        "\n## Per rule\n\n| rule | declared by scenarios | judged steps | steps conforming | summary |\n|---|---:|---:|---:|---|"
    );
    for (rule, c) in &report.rules {
        let summary = rule.clause().summary;
        let _ = writeln!(out, "| {rule} | {} | {} | {} | {} |", c.scenarios.total(), c.steps.total(), rate(&c.steps), md_escape(summary));
    }
    if !report.rules_not_covered.is_empty() {
        let _ = writeln!(out, "\nModelled rules no judged step of this run exercised: {}", report.rules_not_covered.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "));
    }
    if let Some(g) = report.generated.as_ref().filter(|g| !g.deviations.is_empty()) {
        let _ = writeln!(out, "\n## Deviating generated sequences\n\n| sequence | steps | deviation | expectation |\n|---:|---:|---|---|");
        for (sequence, steps, point, listed) in generated_rows(g) {
            let _ = writeln!(out, "| {sequence} | {steps} | {} | {} |", md_escape(&point), md_escape(&listed));
        }
        if let Some(f) = &g.failure {
            let _ = writeln!(out, "\nThe unexpected one, shrunk from {} to {} steps: {}\n", f.original_steps, f.shrunk_steps, md_escape(&f.point.to_string()));
            if let Some(step) = f.result.verdict_step() {
                let _ = writeln!(out, "```\n{}```", step_text(step));
            }
        }
    }
    let e = &report.expectations;
    if e.failures() > 0 || !e.generated_not_seen.is_empty() {
        let _ = writeln!(out, "\n## Expectations\n");
        for (title, list) in [
            ("Unexpected deviation", &e.unexpected),
            ("Unexpected pass", &e.unexpected_passes),
            ("Stale entry", &e.stale_entries),
            ("Left behind", &e.leftovers),
            ("Snapshot difference", &e.snapshot_unexpected),
            ("Not met by this run's generated sequences", &e.generated_not_seen),
        ] {
            for item in list {
                let _ = writeln!(out, "- {title}: {}", md_escape(item));
            }
        }
    }
    if let Some(snap) = &report.snapshots {
        let _ = writeln!(
            out,
            "\n## Snapshots\n\n`{}`: {} compared, {} match, {} differ ({} steps), {} new, {} pending file(s) written\n",
            md_escape(&snap.dir), snap.compared, snap.matching, snap.differing, snap.differing_steps, snap.new, snap.pending_written
        );
        let rows: Vec<_> = snap.scenarios.iter().flat_map(|s| s.differences.iter().map(move |d| (s, d))).collect();
        if !rows.is_empty() {
            let _ = writeln!(out, "| scenario | step | path | recorded | now | listed |\n|---|---:|---|---|---|---|");
            let show = |v: &Option<serde_json::Value>| v.as_ref().map_or_else(|| "(absent)".to_owned(), |v| summarised(&v.to_string()));
            for (s, d) in rows {
                let listed = s.listed.iter().find(|(step, _)| *step == d.step).map(|(_, r)| r.as_str()).unwrap_or("");
                let path = if d.path.is_empty() { "(whole step)" } else { d.path.as_str() };
                let _ = writeln!(out, "| {} | {} | {} | {} | {} | {} |", md_escape(&s.scenario), d.step, md_escape(path), md_escape(&show(&d.recorded)), md_escape(&show(&d.actual)), md_escape(listed));
            }
        }
    }
    let failing: Vec<&ScenarioResult> =
        report.scenarios.iter().filter(|s| s.unexpected.is_some() || s.expected_deviation.is_some()).collect();
    if !failing.is_empty() {
        let _ = writeln!(out, "\n## Scenarios that deviate\n");
        for s in failing {
            let listed = match (&s.unexpected, &s.expected_deviation) {
                (Some(what), _) => format!(" (UNEXPECTED: {what})"),
                (None, Some(r)) => format!(" (expected: {r})"),
                (None, None) => String::new(),
            };
            let _ = writeln!(out, "### {} {}{}\n\n{}\n", s.verdict, s.id, md_escape(&listed), md_escape(&s.title));
            if let Some(step) = s.verdict_step() {
                let _ = writeln!(out, "```\n{}```\n", step_text(step));
            }
        }
    }
    out
}

pub(super) fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A static, self-contained HTML page (no scripts, no external assets).
pub fn html(report: &Report) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Conformance: {}</title><style>\
body{{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}}table{{border-collapse:collapse;margin:1em 0}}\
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:left}}pre{{background:#f6f6f6;padding:8px;overflow:auto}}\
.PASS{{color:#176f2c}}.NON-STRICT{{color:#0b6a8a}}.FAIL,.ERROR,.UNEXPECTED{{color:#b00020;font-weight:bold}}.UNIMPLEMENTED{{color:#9a6700}}.SKIPPED{{color:#777}}\
</style></head><body>",
        html_escape(&report.target.profile)
    );
    let _ = write!(
        out,
        "<h1>Conformance report: {} <small>{}</small></h1><p>suite {} · {} · {} · seed {} · {:.1} s</p><p><b>{}</b> · {} · scenarios: {} · steps: {}</p><p>Rules checked: {}</p>",
        html_escape(&report.target.profile),
        html_escape(&report.target.endpoint),
        html_escape(&report.suite_version),
        html_escape(&report.service_model),
        html_escape(&report.started_at),
        report.seed,
        report.duration_ms as f64 / 1000.0,
        if report.is_conformant() { "conformant" } else { "NOT conformant" },
        html_escape(&expectation_totals(report)),
        html_escape(&counts_line(&report.scenario_counts)),
        html_escape(&counts_line(&report.step_counts)),
        html_escape(&rules_line(report)),
    );
    if let Some(g) = &report.generated {
        let _ = write!(out, "<p>{}</p>", html_escape(&generated_line(g)));
    }
    if let Some(snap) = &report.snapshots {
        let _ = write!(out, "<h2>Snapshots</h2><pre>{}</pre>", html_escape(&snapshot_lines(snap, true)));
    }
    let e = &report.expectations;
    if e.failures() > 0 || !e.generated_not_seen.is_empty() {
        let _ = write!(out, "<h2>Expectations</h2><ul>");
        for (class, title, list) in [
            ("UNEXPECTED", "Unexpected deviation", &e.unexpected),
            ("UNEXPECTED", "Unexpected pass", &e.unexpected_passes),
            ("UNEXPECTED", "Stale entry", &e.stale_entries),
            ("UNEXPECTED", "Left behind", &e.leftovers),
            ("UNEXPECTED", "Snapshot difference", &e.snapshot_unexpected),
            ("SKIPPED", "Not met by this run's generated sequences", &e.generated_not_seen),
        ] {
            for item in list {
                let _ = write!(out, "<li><span class=\"{class}\">{title}</span>: {}</li>", html_escape(item));
            }
        }
        let _ = write!(out, "</ul>");
    }
    let _ = write!(out, "<h2>Per operation</h2><table><tr><th>operation</th><th>calls</th><th>2xx</th><th>conforming</th><th>verdicts</th></tr>");
    for (op, c) in &report.operations {
        let _ = write!(out, "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", html_escape(op), c.calls, c.successes, rate(&c.steps), html_escape(&counts_line(&c.steps)));
    }
    out.push_str("</table>");
    let _ = write!(out, "<h2>Per rule</h2><table><tr><th>rule</th><th>declared by scenarios</th><th>judged steps</th><th>steps conforming</th><th>summary</th></tr>");
    for (rule, c) in &report.rules {
        let summary = rule.clause().summary;
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            html_escape(rule.as_str()),
            c.scenarios.total(),
            c.steps.total(),
            rate(&c.steps),
            html_escape(summary)
        );
    }
    out.push_str("</table>");
    let _ = write!(out, "<h2>Scenarios</h2>");
    for s in &report.scenarios {
        let listed = match (&s.unexpected, &s.expected_deviation) {
            (Some(what), _) => format!(" — <span class=\"UNEXPECTED\">UNEXPECTED</span>: {}", html_escape(what)),
            (None, Some(r)) => format!(" — expected: {}", html_escape(r)),
            (None, None) => String::new(),
        };
        let _ = write!(
            out,
            "<details id=\"{anchor}\"><summary><span class=\"{v}\">{v}</span> {id} — {title}{listed}</summary>",
            anchor = super::matrix::step_anchor(&s.id, 0).trim_end_matches("-0"),
            v = s.verdict.as_str(),
            id = html_escape(&s.id),
            title = html_escape(&s.title)
        );
        // A step that passed in every part is one line; the others show everything.
        for step in &s.steps {
            let text = if step.verdict == Verdict::Pass && step.differences.is_empty() {
                format!("step {} {} -> PASS", step.index, step.operation.map_or("(control)", Operation::name))
            } else {
                summarised(&step_text(step))
            };
            // The matrix links here (`report::matrix::step_anchor`).
            let _ = write!(out, "<pre id=\"{}\">{}</pre>", super::matrix::step_anchor(&s.id, step.index), html_escape(&text));
        }
        let _ = write!(out, "</details>");
    }
    if let Some(g) = report.generated.as_ref().filter(|g| !g.deviations.is_empty()) {
        let _ = write!(out, "<h2>Deviating generated sequences</h2><table><tr><th>sequence</th><th>steps</th><th>deviation</th><th>expectation</th></tr>");
        for (sequence, steps, point, listed) in generated_rows(g) {
            let class = if listed == "UNEXPECTED" { "UNEXPECTED" } else { "SKIPPED" };
            let _ = write!(out, "<tr><td>{sequence}</td><td>{steps}</td><td>{}</td><td class=\"{class}\">{}</td></tr>", html_escape(&point), html_escape(&listed));
        }
        let _ = write!(out, "</table>");
        if let Some(f) = &g.failure {
            let _ = write!(out, "<p>The unexpected one, shrunk from {} to {} steps: {}</p>", f.original_steps, f.shrunk_steps, html_escape(&f.point.to_string()));
            for step in &f.result.steps {
                let _ = write!(out, "<pre>{}</pre>", html_escape(&step_text(step)));
            }
        }
    }
    out.push_str("</body></html>\n");
    out
}

/// One scenario, step by step, each with the curl command that reproduces it.
pub fn replay(result: &ScenarioResult, only_step: Option<usize>) -> String {
    let mut out = format!("{} {}: {}\n", result.verdict, result.id, result.title);
    if let Some(n) = &result.note {
        let _ = writeln!(out, "{n}");
    }
    for step in result.steps.iter().filter(|s| only_step.is_none_or(|n| n == s.index)) {
        let _ = write!(out, "\n{}", step_text(step));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::{ActualReply, Difference};
    use crate::report::{ExpectedReply, StepKind, TargetInfo};
    use reference_model::Level;

    fn sample() -> Report {
        let step = |verdict, diffs: Vec<Difference>| StepResult {
            index: 1,
            kind: StepKind::Call,
            operation: Some(Operation::PutRemediationExceptions),
            rules: vec![],
            clauses: vec![reference_model::rule!("R-PRE-04")],
            target_header: Some("StarlingDoveService.PutRemediationExceptions".into()),
            request: Some(serde_json::json!({"ConfigRuleName": "rsuite-0-a"})),
            expected: vec![ExpectedReply {
                provenance: Level::May,
                status: 200,
                code: None,
                code_level: Level::Must,
                message: None,
                message_level: Level::May,
                body: Some(serde_json::json!({"FailedBatches": []})),
                basis: Some("A-11".into()),
            }],
            alternative: Some(0),
            status: Some(400),
            actual: Some(ActualReply::Failure { status: 400, code: "ValidationException".into(), message: Some("<bad> & co".into()) }),
            verdict,
            differences: diffs,
            note: None,
            reproduction: Some("curl …".into()),
            duration_ms: 3,
        };
        let scenario = |id: &str, verdict, diffs| ScenarioResult {
            id: id.into(),
            prefix: String::new(),
            title: "t <i>".into(),
            source: "s.json".into(),
            rules: vec![reference_model::rule!("R-PRE-04")],
            verdict,
            note: None,
            expected_deviation: None,
            expected_evidence: None,
            unexpected: None,
            steps: vec![step(verdict, diffs)],
            duration_ms: 5,
            leftovers: Vec::new(),
        };
        let diff = |level| Difference { path: "status".into(), expected: "200".into(), actual: "400".into(), level };
        let mut r = Report::new(
            TargetInfo { profile: "moto".into(), endpoint: "http://127.0.0.1:1".into(), region: "us-east-1".into() },
            "2026-11-24T00:00:00Z".into(),
            7,
            "rsuite-00000007-".into(),
            vec![
                scenario("exceptions/a", Verdict::Pass, vec![]),
                scenario("exceptions/b", Verdict::Fail, vec![diff(Level::Must)]),
                scenario("rules/c", Verdict::NonStrict, vec![diff(Level::May)]),
            ],
        );
        r.expectations = crate::expect::without_file(&mut r.scenarios);
        r
    }

    #[test]
    fn terminal_names_the_failure_and_the_counts() {
        let text = terminal(&sample(), false, true);
        assert!(text.contains("FAIL          exceptions/b  step 1 PutRemediationExceptions: status: expected 200, got 400"), "{text}");
        assert!(text.contains("3 scenarios (1 PASS · 1 NON-STRICT · 1 FAIL)"), "{text}");
        assert!(text.contains("UNEXPECTED deviation: exceptions/b: FAIL"), "{text}");
        assert!(text.ends_with("NOT conformant\n"), "{text}");
    }

    #[test]
    fn snapshot_differences_are_shown_with_step_path_and_values_and_fail_in_junit() {
        use crate::snapshot::{ScenarioSnapshot, SnapshotState, SnapshotSummary, StepDifference};
        let mut r = sample();
        let diff = |step, path: &str| StepDifference { step, path: path.into(), recorded: Some(serde_json::json!(500)), actual: Some(serde_json::json!(200)) };
        r.snapshots = Some(SnapshotSummary {
            dir: "snapshots/moto".into(),
            compared: 2,
            matching: 1,
            differing: 1,
            differing_steps: 2,
            scenarios: vec![ScenarioSnapshot {
                scenario: "exceptions/a".into(),
                state: SnapshotState::Differs,
                file: "snapshots/moto/exceptions__a.snap".into(),
                differences: vec![diff(2, "status"), diff(3, "answer/X")],
                listed: vec![(3, "known".into())],
                pending: None,
            }],
            ..Default::default()
        });
        r.expectations.snapshot_unexpected = vec!["exceptions/a: step 2 differs from its recording at status".into()];
        let failures = r.expectations.failures();
        let xml = junit(&r);
        assert_eq!(xml.matches("<failure").count() + xml.matches("<error").count(), failures, "{xml}");
        assert!(xml.contains("SNAPSHOT") && xml.contains("listed: known"), "{xml}");
        let text = terminal(&r, false, false);
        assert!(text.contains("step 2 status: recorded 500, now 200") && text.contains("step 3 answer/X: recorded 500, now 200 (listed: known)"), "{text}");
        assert!(text.contains("NOT conformant"), "{text}");
        let md = markdown(&r);
        assert!(md.contains("| exceptions/a | 2 | status | 500 | 200 |  |"), "{md}");
    }

    #[test]
    fn junit_has_one_case_per_scenario_with_failures() {
        let xml = junit(&sample());
        assert_eq!(xml.matches("<testcase ").count(), 3, "{xml}");
        assert_eq!(xml.matches("<failure").count(), 1, "{xml}");
        assert!(xml.contains("name=\"exceptions\""), "{xml}");
        assert!(xml.contains("NON-STRICT: step 1 MAY status"), "{xml}");
    }

    #[test]
    fn markdown_and_html_escape_and_list_failures() {
        let md = markdown(&sample());
        assert!(md.contains("| PutRemediationExceptions | 3 | 0 | 67 % |"), "{md}");
        assert!(md.contains("### FAIL exceptions/b"), "{md}");
        let html = html(&sample());
        assert!(html.contains("&lt;bad&gt; &amp; co"), "{html}");
        assert!(!html.contains("<bad>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        let tables = html.find("<h2>Per rule</h2>").expect("a per-rule table");
        assert!(tables < html.find("<h2>Scenarios</h2>").expect("scenarios"), "the tables come first");
    }

    #[test]
    fn long_lines_are_summarised_for_the_page() {
        let long = "x".repeat(HTML_LINE_LIMIT + 10);
        let text = summarised(&format!("short\n{long}"));
        assert!(text.starts_with("short\n"));
        assert!(text.ends_with(&format!("… ({} characters; the whole line is in report.json)", HTML_LINE_LIMIT + 10)), "{text}");
        assert!(text.chars().count() < HTML_LINE_LIMIT + 80);
    }
}
