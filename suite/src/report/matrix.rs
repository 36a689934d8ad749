//! The conformance matrix across targets: one row per documented rule, grouped by the
//! operation its section of `rules.md` describes, one column per target's `report.json`.
//!
//! The kind of page test262.fyi and Autobahn publish: a person sees at a glance which rule
//! which target breaks, and one click leads to the failing step in that target's own report.
//! A cell counts the call steps whose model answer exercised the rule, by verdict, and takes
//! the colour of the worst of them; a rule no step exercised is "not checked", which is not
//! the same as PASS.
//!
//! [`Matrix::markdown`] is the table the README embeds; [`Matrix::html`] is a standalone page.

use super::render::html_escape;
use super::{Report, StepKind};
use crate::verdict::Verdict;
use reference_model::clauses::RuleId;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The sections of `rules.md`, by the prefix of their rule IDs (`R-PRC-01` → `PRC`).
const SECTIONS: &[(&str, &str)] = &[
    ("PRC", "PutRemediationConfigurations"),
    ("RC", "RemediationConfiguration shapes"),
    ("DRC", "DescribeRemediationConfigurations"),
    ("DelRC", "DeleteRemediationConfiguration"),
    ("PRE", "PutRemediationExceptions"),
    ("DRE", "DescribeRemediationExceptions"),
    ("DelRE", "DeleteRemediationExceptions"),
    ("SRE", "StartRemediationExecution"),
    ("DRES", "DescribeRemediationExecutionStatus"),
    ("PE", "PutEvaluations"),
    ("PCR", "PutConfigRule"),
    ("DCR", "DeleteConfigRule"),
    ("DCRs", "DescribeConfigRules"),
    ("DCBR", "DescribeComplianceByResource"),
    ("GCD", "GetComplianceDetailsByConfigRule"),
    ("DCBC", "DescribeComplianceByConfigRule"),
    ("CMP", "Compliance shapes"),
    ("ERR", "Error shapes"),
    ("PAG", "Pagination"),
    ("M", "Service-model structure"),
];

/// A matrix could not be built or written.
#[derive(Debug, thiserror::Error)]
pub enum MatrixError {
    #[error("{}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}: not a report.json of this suite: {source}", path.display())]
    Parse { path: PathBuf, source: serde_json::Error },
    #[error("{}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{}: no `{MARK_START}` ... `{MARK_END}` block to replace", path.display())]
    NoReadmeBlock { path: PathBuf },
    #[error("no report given: name at least one report.json")]
    Empty,
}

/// Where the README's copy of the table starts and ends.
pub const MARK_START: &str = "<!-- matrix:start -->";
pub const MARK_END: &str = "<!-- matrix:end -->";

/// One target's column: a report and how to name it.
#[derive(Debug, Clone)]
pub struct Column {
    /// What the header says (`--label`, else the report's profile).
    pub label: String,
    /// Where the target's report.html is, for links (beside its report.json).
    pub report_html: PathBuf,
    pub report: Report,
}

impl Column {
    /// Reads `[LABEL=]PATH`: a report.json, with an optional label for the header.
    pub fn read(arg: &str) -> Result<Column, MatrixError> {
        let (label, path) = match arg.split_once('=') {
            Some((label, path)) if !label.is_empty() => (Some(label.to_owned()), PathBuf::from(path)),
            _ => (None, PathBuf::from(arg)),
        };
        let text = std::fs::read_to_string(&path).map_err(|source| MatrixError::Read { path: path.clone(), source })?;
        let report: Report =
            serde_json::from_str(&text).map_err(|source| MatrixError::Parse { path: path.clone(), source })?;
        Ok(Column {
            label: label.unwrap_or_else(|| report.target.profile.clone()),
            report_html: path.with_file_name("report.html"),
            report,
        })
    }
}

/// A failing step, as a link target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRef {
    pub scenario: String,
    pub step: usize,
    pub verdict: Verdict,
}

impl StepRef {
    /// The anchor `report.html` gives the step (see `render::html`).
    pub fn anchor(&self) -> String {
        step_anchor(&self.scenario, self.step)
    }
}

/// The anchor of one step in `report.html`.
pub fn step_anchor(scenario: &str, step: usize) -> String {
    format!("s-{}-{step}", scenario.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-"))
}

/// How one rule fared on one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// The worst verdict of the steps that exercised the rule; `None` when none did.
    pub worst: Option<Verdict>,
    /// Judged steps that exercised the rule, by verdict.
    pub counts: BTreeMap<Verdict, usize>,
    /// Steps that did not conform, in run order.
    pub failing: Vec<StepRef>,
}

/// How bad a verdict is, for the colour of a cell: a broken rule outweighs everything.
fn severity(v: Verdict) -> u8 {
    match v {
        Verdict::Pass => 0,
        Verdict::Skipped => 1,
        Verdict::NonStrict => 2,
        Verdict::Unimplemented => 3,
        Verdict::Error => 4,
        Verdict::Fail => 5,
    }
}

impl Cell {
    /// Every call step of the run's scenarios whose model answer exercised the rule, judged or
    /// not: a rule the target does not implement shows as UNIMPLEMENTED, not as a blank.
    fn of(rule: RuleId, report: &Report) -> Cell {
        let mut counts: BTreeMap<Verdict, usize> = BTreeMap::new();
        let mut failing = Vec::new();
        for s in &report.scenarios {
            for step in s.steps.iter().filter(|st| st.kind == StepKind::Call && st.clauses.contains(&rule)) {
                *counts.entry(step.verdict).or_default() += 1;
                if !step.verdict.conforms() {
                    failing.push(StepRef { scenario: s.id.clone(), step: step.index, verdict: step.verdict });
                }
            }
        }
        let worst = counts.keys().copied().max_by_key(|v| severity(*v));
        Cell { worst, counts, failing }
    }

    /// Checked: a step exercising the rule was answered and judged (as `report.json` counts
    /// `rules_exercised`).
    pub fn checked(&self) -> bool {
        self.counts.keys().any(|v| matches!(v, Verdict::Pass | Verdict::NonStrict | Verdict::Fail))
    }

    /// The steps that exercised the rule.
    pub fn total(&self) -> usize {
        self.counts.values().sum()
    }

    /// `PASS 12`, `FAIL 2 of 7`, or `not checked`.
    pub fn text(&self) -> String {
        match self.worst {
            None => "not checked".to_owned(),
            Some(v) if v.conforms() && v == Verdict::Pass => format!("PASS {}", self.total()),
            Some(v) => format!("{v} {} of {}", self.counts.get(&v).copied().unwrap_or(0), self.total()),
        }
    }

    /// The CSS class of the cell's colour.
    pub fn class(&self) -> &'static str {
        match self.worst {
            None => "none",
            Some(Verdict::Pass) => "pass",
            Some(Verdict::NonStrict) => "nonstrict",
            Some(Verdict::Skipped) => "skipped",
            Some(Verdict::Unimplemented) => "unimpl",
            Some(Verdict::Error) => "error",
            Some(Verdict::Fail) => "fail",
        }
    }
}

/// One rule's row.
#[derive(Debug, Clone)]
pub struct Row {
    pub rule: RuleId,
    pub summary: String,
    pub cells: Vec<Cell>,
}

/// The rows of one section of `rules.md`.
#[derive(Debug, Clone)]
pub struct Group {
    pub title: String,
    pub rows: Vec<Row>,
}

/// The whole matrix.
#[derive(Debug, Clone)]
pub struct Matrix {
    pub columns: Vec<Column>,
    pub groups: Vec<Group>,
}

/// `R-DelRC-02` → `DelRC`.
fn prefix(rule: &str) -> &str {
    let rest = rule.strip_prefix("R-").unwrap_or(rule);
    rest.rsplit_once('-').map_or(rest, |(p, _)| p)
}

impl Matrix {
    /// Every rule of the catalogue (a report names no other: its rule IDs are typed), grouped by section.
    pub fn build(columns: Vec<Column>) -> Result<Matrix, MatrixError> {
        if columns.is_empty() {
            return Err(MatrixError::Empty);
        }
        let mut groups: Vec<Group> = Vec::new();
        for rule in RuleId::all() {
            let summary = rule.clause().summary.to_owned();
            let p = prefix(rule.as_str());
            let title = match SECTIONS.iter().find(|(k, _)| *k == p) {
                Some((k, op)) => format!("{k}: {op}"),
                None => p.to_owned(),
            };
            let cells = columns.iter().map(|c| Cell::of(rule, &c.report)).collect();
            let row = Row { rule, summary, cells };
            match groups.iter_mut().find(|g| g.title == title) {
                Some(g) => g.rows.push(row),
                None => groups.push(Group { title, rows: vec![row] }),
            }
        }
        // Sections in the order of rules.md; any unknown ones after them.
        let order = |t: &str| SECTIONS.iter().position(|(k, _)| t.split(':').next() == Some(*k)).unwrap_or(usize::MAX);
        groups.sort_by_key(|g| order(&g.title));
        Ok(Matrix { columns, groups })
    }

    fn header(col: &Column) -> String {
        let r = &col.report;
        let date = r.started_at.get(..10).unwrap_or(&r.started_at);
        let shard = r.shard.as_deref().map(|s| format!(", shard {s}")).unwrap_or_default();
        format!("{} ({}, {date}{shard})", col.label, r.target.profile)
    }

    /// Per column: rules checked, and rules with a FAIL.
    pub fn totals(&self, i: usize) -> (usize, usize) {
        let cells = self.groups.iter().flat_map(|g| g.rows.iter().map(move |r| &r.cells[i]));
        cells.fold((0, 0), |(checked, failing), c| {
            (checked + usize::from(c.checked()), failing + usize::from(c.counts.contains_key(&Verdict::Fail)))
        })
    }

    /// The Markdown table: a header naming each target, its date and totals, then one line
    /// per rule under its section. Failing cells name their first failing step.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = write!(out, "| rule |");
        for c in &self.columns {
            let _ = write!(out, " {} |", md_escape(&Self::header(c)));
        }
        let _ = write!(out, "\n|---|");
        for _ in &self.columns {
            out.push_str("---|");
        }
        out.push_str("\n| **rules checked / with a FAIL** |");
        for i in 0..self.columns.len() {
            let (checked, failing) = self.totals(i);
            let _ = write!(out, " {checked} / {failing} |");
        }
        out.push('\n');
        for g in &self.groups {
            let _ = write!(out, "| **{}** |", md_escape(&g.title));
            for _ in &self.columns {
                out.push_str(" |");
            }
            out.push('\n');
            for row in &g.rows {
                let _ = write!(out, "| {} {} |", row.rule, md_escape(&row.summary));
                for cell in &row.cells {
                    match cell.failing.first() {
                        Some(step) => {
                            let _ = write!(out, " **{}** (`{}` step {}) |", cell.text(), step.scenario, step.step);
                        }
                        None => {
                            let _ = write!(out, " {} |", cell.text());
                        }
                    }
                }
                out.push('\n');
            }
        }
        out
    }

    /// A standalone HTML page; links to the failing steps are relative to `page_dir`.
    pub fn html(&self, page_dir: &Path) -> String {
        let mut out = String::from(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Conformance matrix</title><style>\
             body{font-family:sans-serif;margin:1em}table{border-collapse:collapse}\
             th,td{border:1px solid #999;padding:3px 8px;font-size:13px}th{background:#eee;position:sticky;top:0}\
             td.rule{max-width:30em}td.rule code{white-space:nowrap}tr.group th{text-align:left;background:#dde}\
             span.k{padding:0 4px}.pass{background:rgb(120,200,120)}.nonstrict{background:rgb(240,220,100)}\
             .fail{background:rgb(230,80,80)}.error{background:rgb(240,150,60)}\
             .unimpl{background:rgb(170,150,220)}.skipped{background:rgb(200,200,200)}\
             td.none{background:rgb(255,255,255);color:#888}a{color:inherit}\
             </style></head><body><h1>Conformance matrix</h1>",
        );
        let _ = write!(
            out,
            "<p>One row per documented rule, one column per target. A cell counts the call steps whose \
             model answer exercised the rule, by verdict, and takes the colour of the worst; \"not checked\" means no step did.</p>\
             <p>Colours: <span class=\"k pass\">PASS</span> <span class=\"k nonstrict\">NON-STRICT</span> \
             <span class=\"k fail\">FAIL</span> <span class=\"k error\">ERROR</span> \
             <span class=\"k unimpl\">UNIMPLEMENTED</span> <span class=\"k skipped\">SKIPPED</span>; a coloured cell \
             links to its first step that did not conform, and lists them all when pointed at.</p>\
             <table id=\"matrix\"><tr><th>rule</th>"
        );
        for c in &self.columns {
            let r = &c.report;
            let _ = write!(
                out,
                "<th>{}<br><small>{} · suite {} · {}</small></th>",
                html_escape(&c.label),
                html_escape(&r.target.endpoint),
                html_escape(&r.suite_version),
                html_escape(&r.started_at)
            );
        }
        out.push_str("</tr><tr><th>rules checked / with a FAIL</th>");
        for i in 0..self.columns.len() {
            let (checked, failing) = self.totals(i);
            let _ = write!(out, "<th id=\"total-{i}\">{checked} / {failing}</th>");
        }
        out.push_str("</tr>");
        for g in &self.groups {
            let _ = write!(out, "<tr class=\"group\"><th colspan=\"{}\">{}</th></tr>", self.columns.len() + 1, html_escape(&g.title));
            for row in &g.rows {
                let _ = write!(
                    out,
                    "<tr><td class=\"rule\"><code>{}</code> <small>{}</small></td>",
                    html_escape(row.rule.as_str()),
                    html_escape(&row.summary)
                );
                for (i, (cell, col)) in row.cells.iter().zip(&self.columns).enumerate() {
                    let id = format!("cell-{}-{i}", row.rule);
                    let text = html_escape(&cell.text());
                    match cell.failing.first() {
                        Some(first) => {
                            let href = format!("{}#{}", relative(page_dir, &col.report_html), first.anchor());
                            let all: Vec<String> = cell.failing.iter().map(|s| format!("{} step {} {}", s.scenario, s.step, s.verdict)).collect();
                            let _ = write!(
                                out,
                                "<td id=\"{id}\" class=\"{}\" title=\"{}\"><a href=\"{}\">{text}</a></td>",
                                cell.class(),
                                html_escape(&all.join("\n")),
                                html_escape(&href)
                            );
                        }
                        None => {
                            let _ = write!(out, "<td id=\"{id}\" class=\"{}\">{text}</td>", cell.class());
                        }
                    }
                }
                out.push_str("</tr>");
            }
        }
        out.push_str("</table></body></html>\n");
        out
    }

    /// Writes `matrix.md` and `matrix.html` into `dir`.
    pub fn write(&self, dir: &Path) -> Result<(PathBuf, PathBuf), MatrixError> {
        std::fs::create_dir_all(dir).map_err(|source| MatrixError::Write { path: dir.to_owned(), source })?;
        let md = dir.join("matrix.md");
        let html = dir.join("matrix.html");
        std::fs::write(&md, self.markdown()).map_err(|source| MatrixError::Write { path: md.clone(), source })?;
        std::fs::write(&html, self.html(dir)).map_err(|source| MatrixError::Write { path: html.clone(), source })?;
        Ok((md, html))
    }

    /// Replaces the README's block between [`MARK_START`] and [`MARK_END`] with the table.
    pub fn update_readme(&self, readme: &Path) -> Result<(), MatrixError> {
        let text = std::fs::read_to_string(readme).map_err(|source| MatrixError::Read { path: readme.to_owned(), source })?;
        let (Some(start), Some(end)) = (text.find(MARK_START), text.find(MARK_END)) else {
            return Err(MatrixError::NoReadmeBlock { path: readme.to_owned() });
        };
        if end < start {
            return Err(MatrixError::NoReadmeBlock { path: readme.to_owned() });
        }
        let new = format!("{}{MARK_START}\n{}{}", &text[..start], self.markdown(), &text[end..]);
        std::fs::write(readme, new).map_err(|source| MatrixError::Write { path: readme.to_owned(), source })
    }
}

/// `to` relative to the directory `from`, when `to` lies under it; else `to` as given
/// (made absolute when possible, so the link still works from anywhere on this machine).
fn relative(from: &Path, to: &Path) -> String {
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
    let (from, to_abs) = (abs(from), abs(to));
    match to_abs.strip_prefix(&from) {
        Ok(rel) => rel.display().to_string(),
        Err(_) => to_abs.display().to_string(),
    }
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}


#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("R-PRC-01", "PRC")]
    #[case("R-DelRC-02", "DelRC")]
    #[case("R-DCRs-01", "DCRs")]
    #[case("R-M-03", "M")]
    fn prefix_is_the_section(#[case] rule: &str, #[case] want: &str) {
        assert_eq!(prefix(rule), want);
    }

    fn cell(counts: &[(Verdict, usize)]) -> Cell {
        let counts: BTreeMap<Verdict, usize> = counts.iter().copied().collect();
        Cell { worst: counts.keys().copied().max_by_key(|v| severity(*v)), counts, failing: vec![] }
    }

    #[rstest]
    #[case(&[], "not checked", "none")]
    #[case(&[(Verdict::Pass, 4)], "PASS 4", "pass")]
    #[case(&[(Verdict::Pass, 4), (Verdict::NonStrict, 1)], "NON-STRICT 1 of 5", "nonstrict")]
    #[case(&[(Verdict::Pass, 4), (Verdict::Fail, 2), (Verdict::Error, 1)], "FAIL 2 of 7", "fail")]
    #[case(&[(Verdict::Unimplemented, 3), (Verdict::Error, 1)], "ERROR 1 of 4", "error")]
    #[case(&[(Verdict::Unimplemented, 3)], "UNIMPLEMENTED 3 of 3", "unimpl")]
    fn a_cell_shows_its_worst_verdict(#[case] counts: &[(Verdict, usize)], #[case] text: &str, #[case] class: &str) {
        let c = cell(counts);
        assert_eq!((c.text().as_str(), c.class()), (text, class));
    }
}
