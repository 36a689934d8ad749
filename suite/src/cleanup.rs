//! `cleanup`: removes what earlier (perhaps killed) runs left behind, and only that: Config
//! rules whose names start with the suite's prefix, with their exceptions and remediation
//! configurations ([`crate::teardown`]).

use crate::session::{prepare_target, RunOptions, SetupError};
use crate::teardown::{self, Leftover};

/// What `cleanup` did.
#[derive(Debug, Default)]
pub struct CleanupReport {
    pub deleted: Vec<String>,
    /// Rules still there after their time budget, with why.
    pub leftovers: Vec<Leftover>,
}

/// Deletes every `rsuite-*` rule with everything hanging on it.
pub async fn delete_suite_resources(options: &RunOptions) -> Result<CleanupReport, SetupError> {
    let prepared = prepare_target(options).await?;
    let target = &prepared.target;
    let names = teardown::suite_rules(target).await?;
    let mut report = CleanupReport::default();
    for name in names {
        match teardown::delete_rule(target, &name, None, teardown::DEFAULT_BUDGET).await {
            Ok(()) => report.deleted.push(name),
            Err(leftover) => report.leftovers.push(leftover),
        }
    }
    Ok(report)
}
