//! Executions on the virtual clock: manual runs (StartRemediationExecution) and automatic
//! remediation, as a small discrete-event simulation.
//!
//! ```text
//!   queued_at        +QUEUE_DELAY, and a free concurrency slot in its batch
//!  ──► QUEUED ───────────────────────────────────────────────► IN_PROGRESS
//!        │                                                       │  +RUN_TIME
//!        │ batch stopped (errors > threshold), or an             ▼
//!        │ automatic retry that an exception now blocks    SUCCEEDED | FAILED
//!        └──────────────────────────────────────────────────────► FAILED
//! ```
//!
//! States only move forward (R-DRES-07). Executions run in *batches*: each manual start is
//! one, and a rule's automatic remediation is one *run* per rule (A-32): it starts when the
//! rule has none going, its size (the denominator) is the rule's NON_COMPLIANT resources at
//! that moment and stays fixed, and every later automatic attempt of the rule (a resource
//! newly NON_COMPLIANT, a retry) joins it while it has executions queued or running. The size
//! decides the concurrency (ConcurrentExecutionRatePercentage of it, rounded up, at least 1;
//! default 10 %, R-RC-07) and the error threshold (the batch stops when the errors exceed
//! ErrorPercentage of its size rounded down; default 50 %, R-RC-08: 40 % of 10 stops at the
//! 5th error). Which runs fail is decided by the caller's [`SsmScript`]. A failed automatic
//! run is retried at once; when MaximumAutomaticAttempts failed attempts were invoked within
//! RetryAttemptSeconds of each other (defaults 5 and 60 s), Config places a remediation exception
//! on the resource instead (R-RC-05, R-RC-06, R-PRE-02). A successful run makes the resource
//! COMPLIANT (the re-evaluation that follows a fix). The delays are the model's choice (A-08).

use crate::limits::defaults;
use crate::names::{ResourceRef, RuleName};
use crate::time::{Millis, Timestamp};
use crate::wire::{RemediationExecutionStatus, RemediationExecutionStep};
use crate::world::{first_key_of, ComplianceType, ResourceKeyOf, StoredException, World, MAX_RESOURCE_ROWS};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// From queueing until an execution may start (A-08).
pub const QUEUE_DELAY: Millis = Millis(1_000);
/// How long an SSM run takes (A-08).
pub const RUN_TIME: Millis = Millis(2_000);
/// The name of the single SSM step the model reports (A-09).
pub const STEP_NAME: &str = "Remediate";

/// The outcome of one SSM automation run, as scripted by the caller.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum SsmRun {
    #[default]
    Succeed,
    Fail {
        #[serde(default = "default_failure")]
        message: String,
    },
}

fn default_failure() -> String {
    "Step fails when it is executing the remediation.".to_owned()
}

/// Which SSM runs fail: a queue of outcomes per resource, then the default.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SsmScript {
    pub per_resource: BTreeMap<(RuleName, ResourceRef), VecDeque<SsmRun>>,
    pub default: SsmRun,
}

impl SsmScript {
    fn next(&mut self, rule: &RuleName, resource: &ResourceRef) -> SsmRun {
        self.per_resource
            .get_mut(&(rule.clone(), resource.clone()))
            .and_then(VecDeque::pop_front)
            .unwrap_or_else(|| self.default.clone())
    }
}

/// Who started an execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    Manual,
    Automatic,
}

/// Where an execution is in its life (the state diagram above).
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    Queued { ready_at: Timestamp },
    InProgress { started: Timestamp, finishes_at: Timestamp, run: SsmRun },
    Succeeded { started: Timestamp, stopped: Timestamp },
    Failed { started: Option<Timestamp>, stopped: Timestamp, message: String },
}

/// The latest execution for one resource under one rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Execution {
    pub batch: u64,
    pub trigger: Trigger,
    pub invocation_time: Timestamp,
    pub last_updated: Timestamp,
    pub phase: Phase,
}

/// The `RemediationExecutionState` values (R-DRES-07), in the order they are reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecutionState {
    Queued,
    InProgress,
    Succeeded,
    Failed,
}

impl ExecutionState {
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionState::Queued => "QUEUED",
            ExecutionState::InProgress => "IN_PROGRESS",
            ExecutionState::Succeeded => "SUCCEEDED",
            ExecutionState::Failed => "FAILED",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "QUEUED" => Some(ExecutionState::Queued),
            "IN_PROGRESS" => Some(ExecutionState::InProgress),
            "SUCCEEDED" => Some(ExecutionState::Succeeded),
            "FAILED" => Some(ExecutionState::Failed),
            _ => None,
        }
    }
    /// True if an execution in `self` can later be seen in `next` (R-DRES-07: forward only).
    pub fn can_reach(self, next: ExecutionState) -> bool {
        match self {
            ExecutionState::Queued => true,
            ExecutionState::InProgress => next != ExecutionState::Queued,
            terminal => next == terminal,
        }
    }
}

impl Execution {
    pub fn state(&self) -> ExecutionState {
        match self.phase {
            Phase::Queued { .. } => ExecutionState::Queued,
            Phase::InProgress { .. } => ExecutionState::InProgress,
            Phase::Succeeded { .. } => ExecutionState::Succeeded,
            Phase::Failed { .. } => ExecutionState::Failed,
        }
    }

    pub fn is_active(&self) -> bool {
        matches!(self.phase, Phase::Queued { .. } | Phase::InProgress { .. })
    }

    /// The wire form (R-DRES-06, R-DRES-08, R-DRES-09).
    pub fn status(&self, resource: &ResourceRef) -> RemediationExecutionStatus {
        let step = |state: &str, start: Option<Timestamp>, stop: Option<Timestamp>, error: Option<String>| {
            RemediationExecutionStep {
                name: STEP_NAME.to_owned(),
                state: state.to_owned(),
                error_message: error,
                start_time: start,
                stop_time: stop,
            }
        };
        let step_details = match &self.phase {
            Phase::Queued { .. } => Vec::new(),
            Phase::InProgress { started, .. } => vec![step("IN_PROGRESS", Some(*started), None, None)],
            Phase::Succeeded { started, stopped } => vec![step("SUCCEEDED", Some(*started), Some(*stopped), None)],
            Phase::Failed { started: Some(started), stopped, message } => {
                vec![step("FAILED", Some(*started), Some(*stopped), Some(message.clone()))]
            }
            Phase::Failed { started: None, .. } => Vec::new(),
        };
        RemediationExecutionStatus {
            resource_key: resource.to_key(),
            state: self.state().as_str().to_owned(),
            step_details,
            invocation_time: self.invocation_time,
            last_updated_time: self.last_updated,
        }
    }
}

/// The latest execution of each resource, keyed by (rule, resource), with the indexes the
/// clock needs so that it never reads every row: the running ones by the time they finish, the
/// queued ones of each batch by the time they may start, and per batch how many there are and
/// how many run (R-RC-07's concurrency). Every change goes through [`ExecutionTable::insert`],
/// [`ExecutionTable::update`] or [`ExecutionTable::retain`], which keep the indexes; equality
/// compares the rows only.
#[derive(Clone, Debug, Default)]
pub struct ExecutionTable {
    rows: BTreeMap<ResourceKeyOf, Execution>,
    /// `(finishes_at, key)` of every IN_PROGRESS execution.
    running: BTreeSet<(Timestamp, ResourceKeyOf)>,
    /// Per batch, `(ready_at, key)` of its QUEUED executions.
    queued: BTreeMap<u64, BTreeSet<(Timestamp, ResourceKeyOf)>>,
    /// Per batch, how many of its executions are IN_PROGRESS.
    in_progress: BTreeMap<u64, usize>,
    /// Per batch, how many rows name it (a batch no row names is finished).
    members: BTreeMap<u64, usize>,
}

impl PartialEq for ExecutionTable {
    fn eq(&self, other: &Self) -> bool {
        self.rows == other.rows
    }
}

fn decrement(counts: &mut BTreeMap<u64, usize>, batch: u64) {
    if let Some(n) = counts.get_mut(&batch) {
        *n -= 1;
        if *n == 0 {
            counts.remove(&batch);
        }
    }
}

impl ExecutionTable {
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
    pub fn get(&self, key: &ResourceKeyOf) -> Option<&Execution> {
        self.rows.get(key)
    }
    pub fn iter(&self) -> impl Iterator<Item = (&ResourceKeyOf, &Execution)> {
        self.rows.iter()
    }
    pub fn values(&self) -> impl Iterator<Item = &Execution> {
        self.rows.values()
    }
    /// The rows of one rule, in resource order.
    pub fn of_rule<'a>(&'a self, rule: &'a RuleName) -> impl Iterator<Item = (&'a ResourceKeyOf, &'a Execution)> + 'a {
        self.rows.range(first_key_of(rule)..).take_while(move |((r, _), _)| r == rule)
    }

    fn index(&mut self, key: &ResourceKeyOf, e: &Execution) {
        *self.members.entry(e.batch).or_default() += 1;
        match &e.phase {
            Phase::Queued { ready_at } => {
                self.queued.entry(e.batch).or_default().insert((*ready_at, key.clone()));
            }
            Phase::InProgress { finishes_at, .. } => {
                self.running.insert((*finishes_at, key.clone()));
                *self.in_progress.entry(e.batch).or_default() += 1;
            }
            Phase::Succeeded { .. } | Phase::Failed { .. } => {}
        }
    }

    fn unindex(&mut self, key: &ResourceKeyOf, e: &Execution) {
        decrement(&mut self.members, e.batch);
        match &e.phase {
            Phase::Queued { ready_at } => {
                if let Some(set) = self.queued.get_mut(&e.batch) {
                    set.remove(&(*ready_at, key.clone()));
                    if set.is_empty() {
                        self.queued.remove(&e.batch);
                    }
                }
            }
            Phase::InProgress { finishes_at, .. } => {
                self.running.remove(&(*finishes_at, key.clone()));
                decrement(&mut self.in_progress, e.batch);
            }
            Phase::Succeeded { .. } | Phase::Failed { .. } => {}
        }
    }

    /// Stores the execution of `key`, replacing the resource's earlier one.
    pub(crate) fn insert(&mut self, key: ResourceKeyOf, e: Execution) {
        if let Some(old) = self.rows.remove(&key) {
            self.unindex(&key, &old);
        }
        self.index(&key, &e);
        self.rows.insert(key, e);
    }

    /// Changes the execution of `key` in place; the indexes follow.
    pub(crate) fn update(&mut self, key: &ResourceKeyOf, change: impl FnOnce(&mut Execution)) {
        let Some(mut e) = self.rows.remove(key) else { return };
        self.unindex(key, &e);
        change(&mut e);
        self.index(key, &e);
        self.rows.insert(key.clone(), e);
    }

    /// Keeps the rows `keep` accepts (DeleteRemediationConfiguration, DeleteConfigRule).
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&ResourceKeyOf, &Execution) -> bool) {
        let gone: Vec<ResourceKeyOf> = self.rows.iter().filter(|(k, e)| !keep(k, e)).map(|(k, _)| k.clone()).collect();
        for key in gone {
            if let Some(old) = self.rows.remove(&key) {
                self.unindex(&key, &old);
            }
        }
    }

    /// How many executions of the batch are IN_PROGRESS.
    fn running_in(&self, batch: u64) -> usize {
        self.in_progress.get(&batch).copied().unwrap_or(0)
    }

    /// How many executions of the batch are QUEUED or IN_PROGRESS.
    fn active_in(&self, batch: u64) -> usize {
        self.running_in(batch) + self.queued.get(&batch).map_or(0, BTreeSet::len)
    }

    /// True while a row names the batch.
    fn names_batch(&self, batch: u64) -> bool {
        self.members.contains_key(&batch)
    }
}

/// One group of executions started together.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    pub rule: RuleName,
    /// Manual (one StartRemediationExecution) or the rule's automatic run (A-32).
    pub trigger: Trigger,
    pub size: usize,
    pub concurrency: usize,
    pub error_threshold: usize,
    pub errors: usize,
    pub stopped: bool,
}

/// The effective SSM controls of a rule's configuration, with the documented defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EffectiveControls {
    pub concurrency_percent: i32,
    pub error_percent: i32,
    pub max_attempts: i32,
    pub retry_window: Millis,
    pub automatic: bool,
}

impl World {
    /// The controls in force for a rule: what was stored, or the documented defaults for what
    /// was left out (R-RC-05..08). Describe still returns only what was stored.
    pub fn effective_controls(&self, rule: &RuleName) -> Option<EffectiveControls> {
        let config = &self.remediations.get(rule)?.config;
        let ssm = config.execution_controls.as_ref().and_then(|e| e.ssm_controls.as_ref());
        Some(EffectiveControls {
            concurrency_percent: ssm
                .and_then(|s| s.concurrent_execution_rate_percentage)
                .unwrap_or(defaults::CONCURRENT_EXECUTION_RATE_PERCENTAGE),
            error_percent: ssm.and_then(|s| s.error_percentage).unwrap_or(defaults::ERROR_PERCENTAGE),
            max_attempts: config.maximum_automatic_attempts.unwrap_or(defaults::MAXIMUM_AUTOMATIC_ATTEMPTS),
            retry_window: Millis::seconds(config.retry_attempt_seconds.unwrap_or(defaults::RETRY_ATTEMPT_SECONDS)),
            automatic: config.automatic.unwrap_or(false),
        })
    }

    /// The rule's automatic run that is still going (A-32): not stopped, with an execution
    /// queued or running.
    pub fn automatic_run(&self, rule: &RuleName) -> Option<u64> {
        self.batches
            .iter()
            .filter(|(_, b)| b.trigger == Trigger::Automatic && &b.rule == rule && !b.stopped)
            .map(|(id, _)| *id)
            .find(|id| self.executions.active_in(*id) > 0)
    }

    /// Queues executions for these resources at the current time: a manual start as a batch
    /// of its own; automatic attempts in the rule's run, joining the one going or starting one
    /// whose size is the rule's NON_COMPLIANT resources now (A-32, R-RC-07, R-RC-08).
    pub(crate) fn queue_batch(&mut self, rule: &RuleName, resources: Vec<ResourceRef>, trigger: Trigger) {
        let Some(controls) = self.effective_controls(rule) else { return };
        if resources.is_empty() {
            return;
        }
        let joined = if trigger == Trigger::Automatic { self.automatic_run(rule) } else { None };
        let id = match joined {
            Some(id) => id,
            None => {
                let size = match trigger {
                    Trigger::Manual => resources.len(),
                    Trigger::Automatic => {
                        let non_compliant =
                            self.evaluations.of_rule(rule, None).filter(|(_, e)| e.compliance == ComplianceType::NonCompliant).count();
                        non_compliant.max(resources.len())
                    }
                };
                let concurrency = (size * controls.concurrency_percent as usize).div_ceil(100).max(1);
                let error_threshold = size * controls.error_percent as usize / 100;
                let id = self.batches.keys().next_back().map_or(1, |k| k + 1);
                self.batches.insert(
                    id,
                    Batch { rule: rule.clone(), trigger, size, concurrency, error_threshold, errors: 0, stopped: false },
                );
                id
            }
        };
        let now = self.now;
        for resource in resources {
            let key = (rule.clone(), resource);
            // A full table takes no new resource; a resource's next run replaces its last (A-49).
            if self.executions.len() >= MAX_RESOURCE_ROWS && self.executions.get(&key).is_none() {
                continue;
            }
            self.executions.insert(
                key,
                Execution {
                    batch: id,
                    trigger,
                    invocation_time: now,
                    last_updated: now,
                    phase: Phase::Queued { ready_at: now + QUEUE_DELAY },
                },
            );
        }
        self.forget_finished_batches();
    }

    /// Starts automatic remediation for the NON_COMPLIANT resources of a rule (all of them, or
    /// only `only`) that no exception blocks and no execution already covers (R-PRC-08, R-PRE-02).
    pub(crate) fn trigger_automatic(&mut self, rule: &RuleName, only: Option<Vec<ResourceRef>>) {
        match self.effective_controls(rule) {
            Some(c) if c.automatic => {}
            _ => return,
        }
        let candidates: Vec<ResourceRef> = match only {
            Some(list) => list,
            None => self.evaluations.of_rule(rule, None).map(|(res, _)| res.to_resource()).collect(),
        };
        let eligible: Vec<ResourceRef> = candidates
            .into_iter()
            .filter(|res| {
                let key = (rule.clone(), res.clone());
                self.compliance(rule, res) == Some(ComplianceType::NonCompliant)
                    && !self.exceptions.contains_key(&key)
                    && !self.executions.get(&key).is_some_and(Execution::is_active)
            })
            .collect();
        self.queue_batch(rule, eligible, Trigger::Automatic);
    }

    fn forget_finished_batches(&mut self) {
        let executions = &self.executions;
        self.batches.retain(|id, _| executions.names_batch(*id));
    }

    /// Moves the world to `t`: expires exceptions and runs executions, event by event.
    /// A `t` before the world's time changes nothing (the clock never goes back).
    pub fn advance_to(&mut self, t: Timestamp) {
        while let Some(event_time) = self.next_event(t) {
            self.now = event_time;
            self.expire_exceptions();
            self.finish_runs();
            self.start_runs();
        }
        if t > self.now {
            self.now = t;
        }
    }

    /// The earliest pending event at or before `limit`, read from the indexes: the first
    /// expiry, the first run to finish, and per batch with a free slot its first queued run.
    fn next_event(&self, limit: Timestamp) -> Option<Timestamp> {
        let expiry = self.exceptions.next_expiry();
        let finish = self.executions.running.first().map(|(t, _)| *t);
        let starts = self.executions.queued.iter().filter_map(|(batch_id, set)| {
            let batch = self.batches.get(batch_id)?;
            (self.executions.running_in(*batch_id) < batch.concurrency).then(|| set.first().map(|(t, _)| *t)).flatten()
        });
        // An event due before `now` (an exception put with a past ExpirationTime) happens now.
        expiry.into_iter().chain(finish).chain(starts).filter(|t| *t <= limit).min().map(|t| t.max(self.now))
    }

    /// R-PRE-09: an exception is deleted when its ExpirationTime passes.
    fn expire_exceptions(&mut self) {
        self.exceptions.expire(self.now);
    }

    fn finish_runs(&mut self) {
        let now = self.now;
        // In key order, as a scan of the table would meet them.
        let mut due: Vec<ResourceKeyOf> =
            self.executions.running.iter().take_while(|(t, _)| *t <= now).map(|(_, k)| k.clone()).collect();
        due.sort();
        for key in due {
            let Some(execution) = self.executions.get(&key) else { continue };
            let Phase::InProgress { started, run, .. } = execution.phase.clone() else { continue };
            let (batch_id, trigger, invoked) = (execution.batch, execution.trigger, execution.invocation_time);
            let (rule, resource) = key.clone();
            match run {
                SsmRun::Succeed => {
                    self.executions.update(&key, |e| {
                        e.last_updated = now;
                        e.phase = Phase::Succeeded { started, stopped: now };
                    });
                    self.failed_attempts.remove(&key);
                    self.record_evaluation(&rule, resource, ComplianceType::Compliant, now, None);
                }
                SsmRun::Fail { message } => {
                    self.executions.update(&key, |e| {
                        e.last_updated = now;
                        e.phase = Phase::Failed { started: Some(started), stopped: now, message };
                    });
                    self.count_batch_error(batch_id);
                    if trigger == Trigger::Automatic {
                        self.after_failed_attempt(&rule, resource, invoked);
                    }
                }
            }
        }
    }

    /// R-RC-08: a batch stops once its errors exceed the threshold; what it had not started fails.
    fn count_batch_error(&mut self, batch_id: u64) {
        let now = self.now;
        let Some(batch) = self.batches.get_mut(&batch_id) else { return };
        batch.errors += 1;
        if batch.errors > batch.error_threshold && !batch.stopped {
            batch.stopped = true;
            let queued: Vec<ResourceKeyOf> =
                self.executions.queued.get(&batch_id).map_or_else(Vec::new, |set| set.iter().map(|(_, k)| k.clone()).collect());
            for key in queued {
                self.executions.update(&key, |execution| {
                    execution.phase = Phase::Failed {
                        started: None,
                        stopped: now,
                        message: "Execution stopped: the error percentage of the run was exceeded.".to_owned(),
                    };
                    execution.last_updated = now;
                });
            }
        }
    }

    /// R-RC-05, R-RC-06: retry, or give up and place an exception.
    fn after_failed_attempt(&mut self, rule: &RuleName, resource: ResourceRef, invoked: Timestamp) {
        let Some(controls) = self.effective_controls(rule) else { return };
        let key = (rule.clone(), resource.clone());
        let attempts = self.failed_attempts.entry(key.clone()).or_default();
        attempts.push(invoked);
        // Attempts happen at their invocation times: count those within RetryAttemptSeconds of
        // the latest one. (Measuring up to the latest failure instead would add the model's own
        // run time to the window, so that a window shorter than one run, e.g. 1 attempt in 1 s,
        // never counted anything and the resource was retried for ever.)
        attempts.retain(|t| *t >= invoked - controls.retry_window);
        if attempts.len() >= controls.max_attempts as usize {
            self.failed_attempts.remove(&key);
            if self.exceptions.len() >= MAX_RESOURCE_ROWS && !self.exceptions.contains_key(&key) {
                // A full table places no exception; retrying would loop, so the resource rests.
                return;
            }
            self.exceptions.upsert(
                &key,
                StoredException {
                    message: Some(format!(
                        "Auto-remediation failed after {} attempt{} within {} seconds.",
                        controls.max_attempts,
                        if controls.max_attempts == 1 { "" } else { "s" },
                        controls.retry_window.0 / 1000
                    )),
                    expiration: None,
                    placed_by_config: true,
                },
            );
        } else if controls.automatic {
            self.trigger_automatic(rule, Some(vec![resource]));
        }
    }

    /// Starts what is due: in each batch, its queued executions in order of readiness (then
    /// key) while the batch has a free slot. Batches share nothing (each resource has one
    /// execution, so one SSM script queue), so taking them one by one is the same as one pass
    /// over every due execution in (ready_at, key) order.
    fn start_runs(&mut self) {
        let now = self.now;
        let batch_ids: Vec<u64> = self.executions.queued.keys().copied().collect();
        for batch_id in batch_ids {
            let Some(concurrency) = self.batches.get(&batch_id).map(|b| b.concurrency) else { continue };
            let ready: Vec<ResourceKeyOf> = self.executions.queued[&batch_id]
                .iter()
                .take_while(|(ready_at, _)| *ready_at <= now)
                .map(|(_, k)| k.clone())
                .collect();
            for key in ready {
                if self.executions.running_in(batch_id) >= concurrency {
                    break;
                }
                let automatic = self.executions.get(&key).is_some_and(|e| e.trigger == Trigger::Automatic);
                // A queued automatic attempt no longer applies if an exception now blocks it or the
                // resource is no longer NON_COMPLIANT.
                let blocked = automatic
                    && (self.exceptions.contains_key(&key)
                        || self.compliance(&key.0, &key.1) != Some(ComplianceType::NonCompliant));
                let run = if blocked { None } else { Some(self.ssm.next(&key.0, &key.1)) };
                self.executions.update(&key, |execution| {
                    execution.last_updated = now;
                    execution.phase = match run {
                        Some(run) => Phase::InProgress { started: now, finishes_at: now + RUN_TIME, run },
                        None => Phase::Failed {
                            started: None,
                            stopped: now,
                            message: "Automatic remediation was cancelled: the resource is excepted or no longer NON_COMPLIANT."
                                .to_owned(),
                        },
                    };
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{handle, Control, Operation};
    use serde_json::json;

    /// The indexes a table would have if built afresh from its rows.
    fn assert_indexes_follow_the_rows(table: &ExecutionTable) {
        let mut fresh = ExecutionTable::default();
        for (key, e) in &table.rows {
            fresh.index(key, e);
        }
        assert_eq!(table.running, fresh.running, "running index");
        assert_eq!(table.queued, fresh.queued, "queued index");
        assert_eq!(table.in_progress, fresh.in_progress, "in-progress counts");
        assert_eq!(table.members, fresh.members, "batch members");
    }

    fn call(world: &mut World, op: Operation, body: serde_json::Value, now: Timestamp) {
        let outcome = handle(world, op, body.to_string().as_bytes(), now);
        assert_eq!(outcome.preferred().reply.status(), 200, "{op:?}: {:?}", outcome.preferred().reply);
    }

    /// A run of 12 resources (concurrency 2, failures scripted for some, R-RC-05..08), then a
    /// manual start, a DeleteRemediationConfiguration mid-run (retain), and the clock moved in
    /// steps: after every step the indexes agree with the rows.
    #[test]
    fn the_indexes_follow_every_change_of_the_executions() {
        let mut now = Timestamp::EPOCH_2026;
        let mut world = World::reference(now);
        let source = json!({"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": "arn:aws:lambda:us-east-1:123456789012:function:f",
            "SourceDetails": [{"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"}]});
        for rule in ["auto", "manual"] {
            call(&mut world, Operation::PutConfigRule, json!({"ConfigRule": {"ConfigRuleName": rule, "Source": source}}), now);
        }
        call(&mut world, Operation::PutRemediationConfigurations, json!({"RemediationConfigurations": [
            {"ConfigRuleName": "auto", "TargetType": "SSM_DOCUMENT", "TargetId": "AWS-EnableS3BucketEncryption", "Automatic": true, "MaximumAutomaticAttempts": 2,
             "Parameters": {"AutomationAssumeRole": {"StaticValue": {"Values": ["arn:aws:iam::123456789012:role/remediation"]}},
                            "BucketName": {"ResourceValue": {"Value": "RESOURCE_ID"}}},
             "ExecutionControls": {"SsmControls": {"ConcurrentExecutionRatePercentage": 15, "ErrorPercentage": 40}}},
            {"ConfigRuleName": "manual", "TargetType": "SSM_DOCUMENT", "TargetId": "AWS-EnableS3BucketEncryption"}]}), now);
        let fail = SsmRun::Fail { message: "no".into() };
        for i in 0..12 {
            let id = format!("b{i:02}");
            if i % 3 == 0 {
                let outcomes = vec![fail.clone(), fail.clone(), SsmRun::Succeed];
                world.control(&Control::ScriptSsm { rule: "auto".into(), resource_type: "AWS::S3::Bucket".into(), resource_id: id.clone(), outcomes }, now);
            }
            for rule in ["auto", "manual"] {
                let set = Control::SetCompliance { rule: rule.into(), resource_type: "AWS::S3::Bucket".into(), resource_id: id.clone(), compliance: ComplianceType::NonCompliant, annotation: None };
                world.control(&set, now);
            }
            assert_indexes_follow_the_rows(&world.executions);
        }
        let keys: Vec<_> = (0..5).map(|i| json!({"resourceType": "AWS::S3::Bucket", "resourceId": format!("b{i:02}")})).collect();
        call(&mut world, Operation::StartRemediationExecution, json!({"ConfigRuleName": "manual", "ResourceKeys": keys}), now);
        assert!(world.executions.len() > 12, "both rules have executions");
        let (mut seen_running, mut deleted) = (false, false);
        let manual = RuleName::new("manual");
        for _ in 0..40 {
            now = now + Millis(700);
            world.advance_to(now);
            seen_running |= !world.executions.running.is_empty();
            assert_indexes_follow_the_rows(&world.executions);
            if !deleted && !world.remediation_in_progress(&manual) {
                // Forgets the rule's executions (R-DelRC-01) while the other rule's still run.
                call(&mut world, Operation::DeleteRemediationConfiguration, json!({"ConfigRuleName": "manual"}), now);
                assert!(world.executions.of_rule(&manual).next().is_none());
                assert_indexes_follow_the_rows(&world.executions);
                deleted = true;
            }
        }
        assert!(seen_running && deleted, "runs were under way and the configuration was deleted");
        assert!(world.executions.values().all(|e| !e.is_active()), "everything finished");
        assert!(world.exceptions().count() > 0, "scripted failures placed exceptions (R-RC-05)");
    }

    /// One step of [`the_indexes_agree_with_a_scan_after_any_steps`].
    #[derive(Clone, Debug)]
    enum Step {
        Evaluate { rule: usize, resource: usize, non_compliant: bool },
        Start { rule: usize, resources: Vec<usize> },
        Except { rule: usize, resource: usize, expires_in_s: Option<i64> },
        Unexcept { rule: usize, resource: usize },
        Script { rule: usize, resource: usize, failures: usize },
        DeleteConfiguration { rule: usize },
        Advance { millis: i64 },
    }

    const RULES: [&str; 2] = ["auto", "manual"];

    fn step() -> impl proptest::strategy::Strategy<Value = Step> {
        use proptest::prelude::*;
        let rule = 0..RULES.len();
        let resource = 0..6usize;
        prop_oneof![
            (rule.clone(), resource.clone(), any::<bool>()).prop_map(|(rule, resource, non_compliant)| Step::Evaluate { rule, resource, non_compliant }),
            (rule.clone(), proptest::collection::vec(resource.clone(), 1..4)).prop_map(|(rule, resources)| Step::Start { rule, resources }),
            (rule.clone(), resource.clone(), proptest::option::of(-5i64..20)).prop_map(|(rule, resource, expires_in_s)| Step::Except { rule, resource, expires_in_s }),
            (rule.clone(), resource.clone()).prop_map(|(rule, resource)| Step::Unexcept { rule, resource }),
            (rule.clone(), resource.clone(), 0..3usize).prop_map(|(rule, resource, failures)| Step::Script { rule, resource, failures }),
            rule.prop_map(|rule| Step::DeleteConfiguration { rule }),
            (0i64..5_000).prop_map(|millis| Step::Advance { millis }),
        ]
    }

    fn configure(world: &mut World, now: Timestamp) {
        let source = json!({"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": "arn:aws:lambda:us-east-1:123456789012:function:f",
            "SourceDetails": [{"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"}]});
        for rule in RULES {
            handle(world, Operation::PutConfigRule, json!({"ConfigRule": {"ConfigRuleName": rule, "Source": source}}).to_string().as_bytes(), now);
        }
        let configs = json!({"RemediationConfigurations": [
            {"ConfigRuleName": "auto", "TargetType": "SSM_DOCUMENT", "TargetId": "AWS-EnableS3BucketEncryption", "Automatic": true, "MaximumAutomaticAttempts": 2,
             "Parameters": {"AutomationAssumeRole": {"StaticValue": {"Values": ["arn:aws:iam::123456789012:role/remediation"]}},
                            "BucketName": {"ResourceValue": {"Value": "RESOURCE_ID"}}},
             "ExecutionControls": {"SsmControls": {"ConcurrentExecutionRatePercentage": 20, "ErrorPercentage": 40}}},
            {"ConfigRuleName": "manual", "TargetType": "SSM_DOCUMENT", "TargetId": "AWS-EnableS3BucketEncryption"}]});
        handle(world, Operation::PutRemediationConfigurations, configs.to_string().as_bytes(), now);
    }

    fn apply(world: &mut World, step: &Step, now: &mut Timestamp) {
        let id = |resource: usize| format!("b{resource}");
        let key = |resource: usize| json!({"ResourceType": "AWS::S3::Bucket", "ResourceId": id(resource)});
        let call = |world: &mut World, op: Operation, body: serde_json::Value, now: Timestamp| {
            handle(world, op, body.to_string().as_bytes(), now);
        };
        match step {
            Step::Evaluate { rule, resource, non_compliant } => {
                let compliance = if *non_compliant { ComplianceType::NonCompliant } else { ComplianceType::Compliant };
                let set = Control::SetCompliance { rule: RULES[*rule].into(), resource_type: "AWS::S3::Bucket".into(), resource_id: id(*resource), compliance, annotation: None };
                world.control(&set, *now);
            }
            Step::Start { rule, resources } => {
                let keys: Vec<_> = resources.iter().map(|r| json!({"resourceType": "AWS::S3::Bucket", "resourceId": id(*r)})).collect();
                call(world, Operation::StartRemediationExecution, json!({"ConfigRuleName": RULES[*rule], "ResourceKeys": keys}), *now);
            }
            Step::Except { rule, resource, expires_in_s } => {
                let mut body = json!({"ConfigRuleName": RULES[*rule], "ResourceKeys": [key(*resource)]});
                if let Some(s) = expires_in_s {
                    body["ExpirationTime"] = json!((now.millis() / 1000) + s);
                }
                call(world, Operation::PutRemediationExceptions, body, *now);
            }
            Step::Unexcept { rule, resource } => {
                call(world, Operation::DeleteRemediationExceptions, json!({"ConfigRuleName": RULES[*rule], "ResourceKeys": [key(*resource)]}), *now);
            }
            Step::Script { rule, resource, failures } => {
                let outcomes = vec![SsmRun::Fail { message: "no".into() }; *failures];
                world.control(&Control::ScriptSsm { rule: RULES[*rule].into(), resource_type: "AWS::S3::Bucket".into(), resource_id: id(*resource), outcomes }, *now);
            }
            Step::DeleteConfiguration { rule } => {
                call(world, Operation::DeleteRemediationConfiguration, json!({"ConfigRuleName": RULES[*rule]}), *now);
            }
            Step::Advance { millis } => {
                *now = *now + Millis(*millis);
                world.advance_to(*now);
            }
        }
    }

    /// The next event as the model found it before the indexes: by reading every row.
    fn next_event_by_scan(world: &World, limit: Timestamp) -> Option<Timestamp> {
        let expiries = world.exceptions.iter().filter_map(|(_, e)| e.expiration);
        let runs = world.executions.values().filter_map(|e| match &e.phase {
            Phase::InProgress { finishes_at, .. } => Some(*finishes_at),
            Phase::Queued { ready_at } => {
                let batch = world.batches.get(&e.batch)?;
                let running = world.executions.values().filter(|x| x.batch == e.batch && matches!(x.phase, Phase::InProgress { .. })).count();
                (running < batch.concurrency).then_some(*ready_at)
            }
            _ => None,
        });
        expiries.chain(runs).filter(|t| *t <= limit).min().map(|t| t.max(world.now))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]
        /// After any sequence of calls and clock moves: the indexes are what the rows give, the
        /// next event is the one a scan of every row finds, and nothing due is left undone
        /// (expired exceptions, finished runs, queued runs with a free slot; R-PRE-09, R-RC-07).
        #[test]
        fn the_indexes_agree_with_a_scan_after_any_steps(steps in proptest::collection::vec(step(), 1..40)) {
            let mut now = Timestamp::EPOCH_2026;
            let mut world = World::reference(now);
            configure(&mut world, now);
            for step in &steps {
                apply(&mut world, step, &mut now);
                assert_indexes_follow_the_rows(&world.executions);
                let far = now + Millis(3_600_000);
                proptest::prop_assert_eq!(world.next_event(far), next_event_by_scan(&world, far), "after {:?}", step);
                proptest::prop_assert_eq!(world.next_event(now), None, "something due is left after {:?}", step);
                for (batch_id, batch) in &world.batches {
                    proptest::prop_assert!(world.executions.running_in(*batch_id) <= batch.concurrency);
                }
            }
        }
    }
}
