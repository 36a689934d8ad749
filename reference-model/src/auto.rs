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
use crate::world::{ComplianceType, StoredException, World, MAX_ITEMS_PER_TABLE};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

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
            .find(|id| self.executions.values().any(|e| e.batch == *id && e.is_active()))
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
                        let non_compliant = self
                            .evaluations
                            .iter()
                            .filter(|((r, _), e)| r == rule && e.compliance == ComplianceType::NonCompliant)
                            .count();
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
            if self.executions.len() >= MAX_ITEMS_PER_TABLE {
                break;
            }
            self.executions.insert(
                (rule.clone(), resource),
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
            None => self.evaluations.keys().filter(|(r, _)| r == rule).map(|(_, res)| res.clone()).collect(),
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
        let live: std::collections::BTreeSet<u64> = self.executions.values().map(|e| e.batch).collect();
        self.batches.retain(|id, _| live.contains(id));
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

    fn in_progress(&self, batch: u64) -> usize {
        self.executions.values().filter(|e| e.batch == batch && matches!(e.phase, Phase::InProgress { .. })).count()
    }

    /// The earliest pending event at or before `limit`.
    fn next_event(&self, limit: Timestamp) -> Option<Timestamp> {
        let expiries = self.exceptions.values().filter_map(|e| e.expiration);
        let runs = self.executions.values().filter_map(|e| match &e.phase {
            Phase::InProgress { finishes_at, .. } => Some(*finishes_at),
            Phase::Queued { ready_at } => {
                let batch = self.batches.get(&e.batch)?;
                (self.in_progress(e.batch) < batch.concurrency).then_some(*ready_at)
            }
            _ => None,
        });
        // An event due before `now` (an exception put with a past ExpirationTime) happens now.
        expiries.chain(runs).filter(|t| *t <= limit).min().map(|t| t.max(self.now))
    }

    /// R-PRE-09: an exception is deleted when its ExpirationTime passes.
    fn expire_exceptions(&mut self) {
        let now = self.now;
        self.exceptions.retain(|_, e| e.expiration.is_none_or(|t| t > now));
    }

    fn finish_runs(&mut self) {
        let now = self.now;
        let due: Vec<(RuleName, ResourceRef)> = self
            .executions
            .iter()
            .filter(|(_, e)| matches!(e.phase, Phase::InProgress { finishes_at, .. } if finishes_at <= now))
            .map(|(k, _)| k.clone())
            .collect();
        for key in due {
            let execution = self.executions.get_mut(&key).expect("listed above");
            let Phase::InProgress { started, run, .. } = execution.phase.clone() else { continue };
            execution.last_updated = now;
            let (rule, resource) = key.clone();
            match run {
                SsmRun::Succeed => {
                    execution.phase = Phase::Succeeded { started, stopped: now };
                    self.failed_attempts.remove(&key);
                    self.record_evaluation(&rule, resource, ComplianceType::Compliant, now, None);
                }
                SsmRun::Fail { message } => {
                    execution.phase = Phase::Failed { started: Some(started), stopped: now, message };
                    let (batch_id, trigger, invoked) = (execution.batch, execution.trigger, execution.invocation_time);
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
            for execution in self.executions.values_mut().filter(|e| e.batch == batch_id) {
                if matches!(execution.phase, Phase::Queued { .. }) {
                    execution.phase = Phase::Failed {
                        started: None,
                        stopped: now,
                        message: "Execution stopped: the error percentage of the run was exceeded.".to_owned(),
                    };
                    execution.last_updated = now;
                }
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
            if self.exceptions.len() >= MAX_ITEMS_PER_TABLE && !self.exceptions.contains_key(&key) {
                // A full table places no exception; retrying would loop, so the resource rests.
                return;
            }
            self.exceptions.insert(
                key,
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

    fn start_runs(&mut self) {
        let now = self.now;
        let mut ready: Vec<(Timestamp, (RuleName, ResourceRef))> = self
            .executions
            .iter()
            .filter_map(|(k, e)| match e.phase {
                Phase::Queued { ready_at } if ready_at <= now => Some((ready_at, k.clone())),
                _ => None,
            })
            .collect();
        ready.sort();
        for (_, key) in ready {
            let execution = &self.executions[&key];
            let batch_id = execution.batch;
            let automatic = execution.trigger == Trigger::Automatic;
            let Some(batch) = self.batches.get(&batch_id) else { continue };
            if self.in_progress(batch_id) >= batch.concurrency {
                continue;
            }
            // A queued automatic attempt no longer applies if an exception now blocks it or the
            // resource is no longer NON_COMPLIANT.
            let blocked = automatic
                && (self.exceptions.contains_key(&key)
                    || self.compliance(&key.0, &key.1) != Some(ComplianceType::NonCompliant));
            let run = if blocked { None } else { Some(self.ssm.next(&key.0, &key.1)) };
            let execution = self.executions.get_mut(&key).expect("listed above");
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
        }
    }
}
