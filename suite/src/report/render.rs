//! Formats derived from the JSON report: terminal table, JUnit XML, Markdown, HTML, replay.
//! (Minimal versions; the full renderers replace them.)

use super::{Report, ScenarioResult};
use crate::verdict::Verdict;

/// The summary table printed at the end of a run.
pub fn terminal(report: &Report, _color: bool, _verbose: bool) -> String {
    let mut out = String::new();
    for s in &report.scenarios {
        if !s.verdict.conforms() {
            out.push_str(&format!("{:<13} {}  {}\n", s.verdict.as_str(), s.id, s.note.as_deref().unwrap_or("")));
        }
    }
    let counts: Vec<String> = Verdict::ALL.iter().map(|v| format!("{} {}", report.scenario_counts.get(*v), v)).collect();
    out.push_str(&format!("{} scenarios: {}\n", report.scenarios.len(), counts.join(", ")));
    out
}

pub fn junit(_report: &Report) -> String {
    String::new()
}

pub fn markdown(_report: &Report) -> String {
    String::new()
}

pub fn html(_report: &Report) -> String {
    String::new()
}

/// One scenario, step by step, with reproductions.
pub fn replay(result: &ScenarioResult, only_step: Option<usize>) -> String {
    let mut out = format!("{} {}: {}\n", result.verdict, result.id, result.title);
    for step in result.steps.iter().filter(|s| only_step.is_none_or(|n| n == s.index)) {
        out.push_str(&format!("\n#{} {:?} {} → {}\n", step.index, step.kind, step.operation.as_deref().unwrap_or(""), step.verdict));
        if let Some(r) = &step.request {
            out.push_str(&format!("request: {r}\n"));
        }
        for d in &step.differences {
            out.push_str(&format!("  {} {}: expected {} got {}\n", d.level, d.path, d.expected, d.actual));
        }
        if let Some(n) = &step.note {
            out.push_str(&format!("  note: {n}\n"));
        }
        if let Some(r) = &step.reproduction {
            out.push_str(&format!("{r}\n"));
        }
    }
    out
}
