//! The state of one account and region: rules, compliance, remediation configurations,
//! exceptions, executions. Time is never read from a clock: every change is made at a
//! [`Timestamp`] the caller passes in, and the world only moves forward.

use crate::auto::{Batch, Execution, ExecutionTable, SsmRun, SsmScript};
use crate::names::{ResourceRef, RuleName};
use crate::time::{Millis, Timestamp};
use crate::wire::{ConfigRule, ConfigurationRecorder, DeliveryChannel, RecordingGroup, RemediationConfiguration};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

mod exception_table;
mod id_map;
mod rule_table;
pub(crate) use exception_table::ExceptionTable;
pub(crate) use rule_table::RuleTable;
pub use exception_table::ResourceView;

/// The four values of `ComplianceType` (R-PE-06, R-CMP-01).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ComplianceType {
    Compliant,
    NonCompliant,
    NotApplicable,
    InsufficientData,
}

impl ComplianceType {
    pub fn as_str(self) -> &'static str {
        match self {
            ComplianceType::Compliant => "COMPLIANT",
            ComplianceType::NonCompliant => "NON_COMPLIANT",
            ComplianceType::NotApplicable => "NOT_APPLICABLE",
            ComplianceType::InsufficientData => "INSUFFICIENT_DATA",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "COMPLIANT" => Some(ComplianceType::Compliant),
            "NON_COMPLIANT" => Some(ComplianceType::NonCompliant),
            "NOT_APPLICABLE" => Some(ComplianceType::NotApplicable),
            "INSUFFICIENT_DATA" => Some(ComplianceType::InsufficientData),
            _ => None,
        }
    }
}

/// What an evaluation does whose OrderingTimestamp is older than the stored one's (A-21).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OlderEvaluation {
    /// It is dropped: the stored result is the later event's (the model's preference).
    Ignored,
    /// It replaces the stored one, as any later call would.
    Replaces,
}

/// A Config rule as DescribeConfigRules returns it, with what the model needs besides.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredRule {
    pub rule: ConfigRule,
    /// Set for service-linked rules (R-PRC-05, R-PCR-14): the owning service's principal.
    pub service_linked_by: Option<String>,
    /// The temporary state the last StartConfigRulesEvaluation or DeleteEvaluationResults put
    /// the rule in (R-PCR-24, A-48), until an answer shows it over.
    pub activity: Option<RuleActivity>,
    /// When StartConfigRulesEvaluation last started an evaluation of the rule (R-SCE-03).
    pub evaluation_started: Option<Timestamp>,
}

impl StoredRule {
    /// A rule as PutConfigRule creates it: ACTIVE, never evaluated on demand.
    pub fn new(rule: ConfigRule, service_linked_by: Option<String>) -> Self {
        StoredRule { rule, service_linked_by, activity: None, evaluation_started: None }
    }
}

/// The two temporary states of a live rule (R-PCR-24): `EVALUATING` after
/// StartConfigRulesEvaluation (R-SCE-01), `DELETING_RESULTS` after DeleteEvaluationResults
/// (R-DER-01). `DELETING` is a deleted rule's ([`DeletingRule`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleTask {
    Evaluating,
    DeletingResults,
}

impl RuleTask {
    /// The `ConfigRuleState` value shown meanwhile.
    pub fn state(self) -> &'static str {
        match self {
            RuleTask::Evaluating => "EVALUATING",
            RuleTask::DeletingResults => "DELETING_RESULTS",
        }
    }
}

/// A temporary state and when the model's run of it ends (A-48: the account's
/// [`RuleStateTimes`] after the call).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleActivity {
    pub task: RuleTask,
    pub done_at: Timestamp,
}

/// How long the model's evaluations and result deletions run on the virtual clock (A-48; both
/// 0 by default: at once).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RuleStateTimes {
    pub evaluating: Millis,
    pub deleting_results: Millis,
}

/// The latest evaluation of one resource by one rule (R-GCD-01), without its key: 48 bytes, so
/// that 1,000,000 of them fit the memory goal of issue 13 (item 3).
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEvaluation {
    pub compliance: ComplianceType,
    pub ordering_timestamp: Timestamp,
    pub recorded: Timestamp,
    /// Exactly as long as the text: a `String` would also keep its capacity.
    pub annotation: Option<Box<str>>,
    pub evaluation_id: EvaluationId,
}

/// The ResultEvaluationId of a stored evaluation (R-GCD-01): the number of the world's id
/// counter it was made at, shown as the UUID [`World::fresh_uuid`] makes of that number. Kept
/// as the number, 8 bytes, rather than 36 bytes of text and a `String`'s 24.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EvaluationId(u64);

impl EvaluationId {
    /// The id as answers show it: a version-4-shaped UUID.
    pub fn to_uuid(self) -> String {
        uuid_text(self.0)
    }
}

/// A remediation configuration as stored (what was sent, plus the Arn Config assigned).
#[derive(Clone, Debug, PartialEq)]
pub struct StoredRemediation {
    pub config: RemediationConfiguration,
}

/// A remediation exception (R-PRE-01), without its key.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredException {
    pub message: Option<String>,
    pub expiration: Option<Timestamp>,
    /// True when Config placed it after failed automatic attempts (R-PRE-02, R-RC-05).
    pub placed_by_config: bool,
}

/// Most rows the per-resource tables (evaluations, exceptions, executions) may each hold
/// (A-49). The real service documents no quota for any of them: it keeps one row per recorded
/// resource and rule. The cap only keeps a hostile client or a long fuzz run from growing the
/// reference endpoint without bound; issue 13 asks it to hold 1,000,000 exceptions.
pub const MAX_RESOURCE_ROWS: usize = 1_000_000;

/// Most items the tables that only the control API and rule deletions fill (ResultTokens,
/// scripted SSM outcomes, rules shown as DELETING) may each hold (A-49): no quota of the real
/// service applies to them, and no test needs more.
pub const MAX_ITEMS_PER_TABLE: usize = 100_000;

/// What every per-resource table is keyed by: the rule, then the resource (type, id). Rows of
/// one rule are contiguous, in resource order, which is the order listings page in.
pub type ResourceKeyOf = (RuleName, ResourceRef);

/// The smallest key of a rule's rows: where a range over that rule starts.
pub(crate) fn first_key_of(rule: &RuleName) -> ResourceKeyOf {
    (rule.clone(), ResourceRef::new("", ""))
}

/// The exceptions of a world, by rule then resource ([`World::exceptions`]): an iterator of
/// borrowed keys and rows, since the table keeps no [`ResourceRef`] per row (issue 13, item 3).
pub struct Exceptions<'a> {
    rows: Box<dyn Iterator<Item = ((&'a RuleName, ResourceView<'a>), &'a StoredException)> + 'a>,
}

impl<'a> Iterator for Exceptions<'a> {
    type Item = ((&'a RuleName, ResourceView<'a>), &'a StoredException);
    fn next(&mut self) -> Option<Self::Item> {
        self.rows.next()
    }
}

/// The whole state. Cloning it is how alternatives that change state differently are kept.
#[derive(Clone, Debug, PartialEq)]
pub struct World {
    pub account_id: String,
    pub region: String,
    pub(crate) now: Timestamp,
    pub(crate) rules: BTreeMap<RuleName, StoredRule>,
    /// By rule, then resource type, then resource id, as the exceptions are (issue 13, item 3).
    pub(crate) evaluations: RuleTable<StoredEvaluation>,
    pub(crate) remediations: BTreeMap<RuleName, StoredRemediation>,
    pub(crate) exceptions: ExceptionTable,
    pub(crate) executions: ExecutionTable,
    pub(crate) batches: BTreeMap<u64, Batch>,
    /// Invocation times of failed automatic attempts, per resource (R-RC-05, R-RC-06).
    pub(crate) failed_attempts: BTreeMap<(RuleName, ResourceRef), Vec<Timestamp>>,
    /// Each token names the rule it was issued for, by name and by ConfigRuleId: a token of a
    /// deleted rule does not write into a new rule of the same name (A-23).
    pub(crate) result_tokens: BTreeMap<String, (RuleName, Option<String>)>,
    pub(crate) ssm: SsmScript,
    /// The configuration recorder, by name: at most one (R-REC-01).
    pub(crate) recorders: BTreeMap<String, StoredRecorder>,
    /// The delivery channel, by name: at most one (R-DCH-01).
    pub(crate) delivery_channels: BTreeMap<String, DeliveryChannel>,
    /// Rules DeleteConfigRule removed that a target may still show in the DELETING state, as
    /// they were when deleted (A-22: deletion is asynchronous, R-DCR-02). Until `done_at`
    /// (`rule_deletion` after the delete, A-43) the preferred answers show the deletion
    /// running; after it, gone. An entry goes once an answer shows the deletion finished or a
    /// new rule of the name is created.
    pub(crate) deleting: BTreeMap<RuleName, DeletingRule>,
    /// How long the model's own rule deletions run on the virtual clock (A-43; 0: at once).
    pub(crate) rule_deletion: Millis,
    /// How long evaluations and result deletions run (A-48; 0: at once).
    pub(crate) rule_state_times: RuleStateTimes,
    next_id: u64,
}

/// What a test or the control API may arrange that a real account would need other services for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Control {
    /// Record an evaluation as a rule's Lambda function would (same effect as PutEvaluations).
    SetCompliance {
        rule: String,
        resource_type: String,
        resource_id: String,
        compliance: ComplianceType,
        #[serde(default)]
        annotation: Option<String>,
    },
    /// Issue a ResultToken for a rule, as Config hands one to the rule's Lambda function.
    IssueResultToken { rule: String },
    /// Make a rule (and its remediation configuration, if any) service-linked.
    MarkServiceLinked { rule: String, service: String },
    /// Decide the outcome of the next SSM runs for one resource, in order.
    ScriptSsm {
        rule: String,
        resource_type: String,
        resource_id: String,
        outcomes: Vec<SsmRun>,
    },
    /// The outcome of every SSM run that no script covers.
    SetDefaultSsm { outcome: SsmRun },
    /// `false`: the account as `serve --no-recorder` starts it, with neither configuration
    /// recorder nor delivery channel (R-PCR-10); `true`: the default set-up
    /// ([`AccountStart::ConfigEnabled`]) where no recorder exists. The same states can be
    /// reached through the recorder and delivery channel calls (R-REC-01, R-DCH-01).
    SetRecorder { available: bool },
    /// How long DeleteConfigRule's deletions run from now on, in seconds of the clock, up to
    /// [`MAX_RULE_DELETION_SECONDS`] (A-43; 0, the default: at once). Meanwhile the rule is
    /// DELETING and a second delete or a put of its name is refused (R-DCR-02).
    SetRuleDeletion { seconds: u32 },
    /// How long StartConfigRulesEvaluation's evaluations and DeleteEvaluationResults' deletions
    /// run from now on, in seconds of the clock, each up to [`MAX_RULE_DELETION_SECONDS`] (A-48;
    /// 0, the default: at once). Meanwhile DescribeConfigRules shows the rule `EVALUATING` or
    /// `DELETING_RESULTS` and the calls R-SCE-03 and R-DER-04 name are refused.
    SetRuleStateTimes { evaluating_seconds: u32, deleting_results_seconds: u32 },
}

/// The longest rule deletion an account may be given (A-43): an hour, as R-DCR-05 warns.
pub const MAX_RULE_DELETION_SECONDS: u32 = 3_600;

/// A rule whose deletion may still be running (A-22, A-43).
#[derive(Clone, Debug, PartialEq)]
pub struct DeletingRule {
    /// The rule as DescribeConfigRules shows it meanwhile: `ConfigRuleState` `DELETING`.
    pub rule: ConfigRule,
    /// When the model's deletion finishes.
    pub done_at: Timestamp,
}

/// How an account starts (A-40).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AccountStart {
    /// Config is set up as the console leaves it: a recorder named `default`, recording every
    /// supported resource type, and a delivery channel named `default` (PutConfigRule works).
    #[default]
    ConfigEnabled,
    /// A fresh account: no recorder and no delivery channel (PutConfigRule is refused, R-PCR-10).
    NoRecorder,
}

/// What a fresh account of the reference endpoint is like (`serve --no-recorder`,
/// `serve --rule-deletion-seconds`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AccountOptions {
    /// Whether Config is set up (A-40).
    pub start: AccountStart,
    /// How long rule deletions run on the clock (A-43), at most [`MAX_RULE_DELETION_SECONDS`].
    pub rule_deletion_seconds: u32,
}

/// The name Config gives a recorder or delivery channel created without one, and the name of
/// those of [`AccountStart::ConfigEnabled`] (R-REC-01, R-DCH-01).
pub const DEFAULT_SETUP_NAME: &str = "default";

/// A configuration recorder as stored, with its status (R-REC-03).
#[derive(Clone, Debug, PartialEq)]
pub struct StoredRecorder {
    pub recorder: ConfigurationRecorder,
    pub recording: bool,
    pub last_start: Option<Timestamp>,
    pub last_stop: Option<Timestamp>,
}

/// The answer to a [`Control`] action.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ControlAnswer {
    #[serde(skip_serializing_if = "Option::is_none", rename = "ResultToken")]
    pub result_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl World {
    /// An account whose clock starts at `now`, with no rules and Config set up
    /// ([`AccountStart::ConfigEnabled`], A-40).
    pub fn new(account_id: impl Into<String>, region: impl Into<String>, now: Timestamp) -> Self {
        let mut world = World {
            account_id: account_id.into(),
            region: region.into(),
            now,
            rules: BTreeMap::new(),
            evaluations: RuleTable::default(),
            remediations: BTreeMap::new(),
            exceptions: ExceptionTable::default(),
            executions: ExecutionTable::default(),
            batches: BTreeMap::new(),
            failed_attempts: BTreeMap::new(),
            result_tokens: BTreeMap::new(),
            ssm: SsmScript::default(),
            recorders: BTreeMap::new(),
            delivery_channels: BTreeMap::new(),
            deleting: BTreeMap::new(),
            rule_deletion: Millis(0),
            rule_state_times: RuleStateTimes::default(),
            next_id: 0,
        };
        world.enable_config();
        world
    }

    /// The default world of the reference endpoint: account 123456789012, us-east-1.
    pub fn reference(now: Timestamp) -> Self {
        World::new("123456789012", "us-east-1", now)
    }

    /// An account that starts as `start` says (A-40); [`World::new`] is
    /// [`AccountStart::ConfigEnabled`].
    pub fn with_start(account_id: impl Into<String>, region: impl Into<String>, now: Timestamp, start: AccountStart) -> Self {
        World::with_options(account_id, region, now, AccountOptions { start, ..AccountOptions::default() })
    }

    /// An account set up as `options` say (A-40, A-43).
    pub fn with_options(account_id: impl Into<String>, region: impl Into<String>, now: Timestamp, options: AccountOptions) -> Self {
        let mut world = World::new(account_id, region, now);
        if options.start == AccountStart::NoRecorder {
            world.recorders.clear();
            world.delivery_channels.clear();
        }
        world.rule_deletion = Millis(i64::from(options.rule_deletion_seconds.min(MAX_RULE_DELETION_SECONDS)) * 1000);
        world
    }

    /// The set-up of [`AccountStart::ConfigEnabled`]: the `default` recorder, recording since
    /// `now` with the Config service-linked role, and the `default` delivery channel.
    fn enable_config(&mut self) {
        let recorder = ConfigurationRecorder {
            name: Some(DEFAULT_SETUP_NAME.to_owned()),
            role_arn: Some(format!(
                "arn:aws:iam::{}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
                self.account_id
            )),
            recording_group: Some(RecordingGroup {
                all_supported: Some(true),
                include_global_resource_types: Some(false),
                resource_types: None,
                exclusion_by_resource_types: None,
                recording_strategy: None,
            }),
            recording_mode: None,
        };
        self.recorders.insert(
            DEFAULT_SETUP_NAME.to_owned(),
            StoredRecorder { recorder, recording: true, last_start: Some(self.now), last_stop: None },
        );
        let channel = DeliveryChannel {
            name: Some(DEFAULT_SETUP_NAME.to_owned()),
            s3_bucket_name: Some(format!("config-bucket-{}", self.account_id)),
            s3_key_prefix: None,
            s3_kms_key_arn: None,
            sns_topic_arn: None,
            config_snapshot_delivery_properties: None,
        };
        self.delivery_channels.insert(DEFAULT_SETUP_NAME.to_owned(), channel);
    }

    /// True when a configuration recorder exists, which PutConfigRule needs (R-PCR-10).
    pub fn has_recorder(&self) -> bool {
        !self.recorders.is_empty()
    }

    /// The configuration recorder of the name, with its status.
    pub fn recorder(&self, name: &str) -> Option<&StoredRecorder> {
        self.recorders.get(name)
    }

    /// The delivery channel of the name.
    pub fn delivery_channel(&self, name: &str) -> Option<&DeliveryChannel> {
        self.delivery_channels.get(name)
    }

    /// The instant the world was last advanced to.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// A fresh identifier: deterministic (a counter through a mixing function), shaped like a
    /// version-4 UUID so that targets' and the model's ids normalise alike.
    pub(crate) fn fresh_uuid(&mut self) -> String {
        uuid_text(self.fresh_number())
    }

    /// The next number of the id counter, which [`uuid_text`] shows as a UUID.
    fn fresh_number(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// A fresh short id of lower-case letters and digits (`config-rule-ab12cd`).
    pub(crate) fn fresh_short_id(&mut self) -> String {
        self.next_id += 1;
        let mut n = splitmix64(self.next_id);
        let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..6)
            .map(|_| {
                let c = alphabet[(n % 36) as usize] as char;
                n /= 36;
                c
            })
            .collect()
    }

    /// The compliance of a resource under a rule, if it was ever evaluated. The resource may be
    /// a [`ResourceRef`] or a [`ResourceView`] of a table.
    pub fn compliance<'r>(&self, rule: &RuleName, resource: impl Into<ResourceView<'r>>) -> Option<ComplianceType> {
        self.evaluations.row(rule, resource.into()).map(|e| e.compliance)
    }

    pub fn rule(&self, rule: &RuleName) -> Option<&StoredRule> {
        self.rules.get(rule)
    }

    pub fn remediation(&self, rule: &RuleName) -> Option<&StoredRemediation> {
        self.remediations.get(rule)
    }

    /// The exception of a resource under a rule (R-PRE-01).
    pub fn exception<'r>(&self, rule: &RuleName, resource: impl Into<ResourceView<'r>>) -> Option<&StoredException> {
        self.exceptions.row(rule, resource.into())
    }

    /// Every exception, by rule then resource (R-DRE-02).
    pub fn exceptions(&self) -> Exceptions<'_> {
        Exceptions { rows: Box::new(self.exceptions.iter()) }
    }

    pub fn execution(&self, rule: &RuleName, resource: &ResourceRef) -> Option<&Execution> {
        self.executions.get(&(rule.clone(), resource.clone()))
    }

    pub fn executions(&self) -> impl Iterator<Item = (&(RuleName, ResourceRef), &Execution)> {
        self.executions.iter()
    }

    pub fn rule_names(&self) -> impl Iterator<Item = &RuleName> {
        self.rules.keys()
    }

    /// A deleted rule that a target may still show in the DELETING state (A-22).
    pub fn deleting_rule(&self, rule: &RuleName) -> Option<&ConfigRule> {
        self.deleting.get(rule).map(|d| &d.rule)
    }

    /// The rule's temporary state while the model's run of it lasts (R-PCR-24, A-48).
    pub fn rule_task_running(&self, rule: &RuleName) -> Option<RuleTask> {
        let activity = self.rules.get(rule)?.activity?;
        (self.now < activity.done_at).then_some(activity.task)
    }

    /// True while the model's own deletion of the rule runs: from DeleteConfigRule until the
    /// account's deletion time later (A-43).
    pub fn deletion_running(&self, rule: &RuleName) -> bool {
        self.deleting.get(rule).is_some_and(|d| self.now < d.done_at)
    }

    pub fn remediation_arn(&self, rule: &RuleName) -> Option<&str> {
        self.remediations.get(rule).and_then(|r| r.config.arn.as_deref())
    }

    /// True while any execution for the rule is queued or running (R-DelRC-03).
    pub fn remediation_in_progress(&self, rule: &RuleName) -> bool {
        self.executions.of_rule(rule).any(|(_, e)| e.is_active())
    }

    /// Applies a control action at `now`.
    pub fn control(&mut self, action: &Control, now: Timestamp) -> ControlAnswer {
        self.advance_to(now);
        let mut answer = ControlAnswer { result_token: None, error: None };
        match action {
            Control::SetCompliance { rule, resource_type, resource_id, compliance, annotation } => {
                let rule = RuleName::new(rule);
                if *compliance == ComplianceType::InsufficientData {
                    // An evaluation result is never INSUFFICIENT_DATA (R-GCD-05, R-PE-06).
                    answer.error = Some("an evaluation cannot record INSUFFICIENT_DATA".to_owned());
                } else if !self.rules.contains_key(&rule) {
                    answer.error = Some(format!("no Config rule named {rule}"));
                } else {
                    let resource = ResourceRef::new(resource_type, resource_id);
                    self.record_evaluation(&rule, resource, *compliance, now, annotation.clone());
                }
            }
            Control::IssueResultToken { rule } => {
                let rule = RuleName::new(rule);
                if !self.rules.contains_key(&rule) {
                    answer.error = Some(format!("no Config rule named {rule}"));
                } else if self.result_tokens.len() >= MAX_ITEMS_PER_TABLE {
                    answer.error = Some(format!("more than {MAX_ITEMS_PER_TABLE} ResultTokens issued"));
                } else {
                    let token = format!("rt-{}", self.fresh_uuid());
                    let id = self.rules.get(&rule).and_then(|r| r.rule.config_rule_id.clone());
                    self.result_tokens.insert(token.clone(), (rule, id));
                    answer.result_token = Some(token);
                }
            }
            Control::MarkServiceLinked { rule, service } => {
                let rule = RuleName::new(rule);
                match self.rules.get_mut(&rule) {
                    None => answer.error = Some(format!("no Config rule named {rule}")),
                    Some(stored) => {
                        stored.service_linked_by = Some(service.clone());
                        stored.rule.created_by = Some(service.clone());
                        if let Some(rem) = self.remediations.get_mut(&rule) {
                            rem.config.created_by_service = Some(service.clone());
                        }
                    }
                }
            }
            Control::ScriptSsm { rule, resource_type, resource_id, outcomes } => {
                let rule = RuleName::new(rule);
                let scripted: usize = self.ssm.per_resource.values().map(|q| q.len()).sum();
                if !self.rules.contains_key(&rule) {
                    answer.error = Some(format!("no Config rule named {rule}"));
                } else if scripted + outcomes.len() > MAX_ITEMS_PER_TABLE {
                    answer.error = Some(format!("more than {MAX_ITEMS_PER_TABLE} scripted SSM outcomes"));
                } else {
                    let key = (rule, ResourceRef::new(resource_type, resource_id));
                    self.ssm.per_resource.entry(key).or_default().extend(outcomes.iter().cloned());
                }
            }
            Control::SetDefaultSsm { outcome } => self.ssm.default = outcome.clone(),
            Control::SetRecorder { available: false } => {
                self.recorders.clear();
                self.delivery_channels.clear();
            }
            Control::SetRuleDeletion { seconds } if *seconds > MAX_RULE_DELETION_SECONDS => {
                answer.error = Some(format!("a rule deletion may take at most {MAX_RULE_DELETION_SECONDS} seconds, not {seconds}"));
            }
            Control::SetRuleDeletion { seconds } => self.rule_deletion = Millis(i64::from(*seconds) * 1000),
            Control::SetRuleStateTimes { evaluating_seconds, deleting_results_seconds } => {
                match [evaluating_seconds, deleting_results_seconds].into_iter().find(|s| **s > MAX_RULE_DELETION_SECONDS) {
                    Some(seconds) => {
                        answer.error = Some(format!("a rule state may last at most {MAX_RULE_DELETION_SECONDS} seconds, not {seconds}"));
                    }
                    None => {
                        self.rule_state_times = RuleStateTimes {
                            evaluating: Millis(i64::from(*evaluating_seconds) * 1000),
                            deleting_results: Millis(i64::from(*deleting_results_seconds) * 1000),
                        };
                    }
                }
            }
            Control::SetRecorder { available: true } => {
                if !self.has_recorder() {
                    self.recorders.clear();
                    self.delivery_channels.clear();
                    self.enable_config();
                }
            }
        }
        answer
    }

    /// Stores an evaluation result and starts automatic remediation if it makes a resource
    /// newly NON_COMPLIANT under an automatic configuration (R-PRC-08). An older
    /// OrderingTimestamp than the stored one does not replace it (A-21, preferred).
    pub(crate) fn record_evaluation(
        &mut self,
        rule: &RuleName,
        resource: ResourceRef,
        compliance: ComplianceType,
        ordering_timestamp: Timestamp,
        annotation: Option<String>,
    ) {
        self.record_evaluation_with(rule, resource, compliance, ordering_timestamp, annotation, OlderEvaluation::Ignored);
    }

    /// [`World::record_evaluation`], with the choice of what an older evaluation does (A-21).
    pub(crate) fn record_evaluation_with(
        &mut self,
        rule: &RuleName,
        resource: ResourceRef,
        compliance: ComplianceType,
        ordering_timestamp: Timestamp,
        annotation: Option<String>,
        older: OlderEvaluation,
    ) {
        let previous = self.evaluations.row(rule, (&resource).into()).map(|e| (e.compliance, e.ordering_timestamp));
        if let Some((_, ordering)) = previous {
            if ordering_timestamp < ordering && older == OlderEvaluation::Ignored {
                return;
            }
        }
        if previous.is_none() && self.evaluations.len() >= MAX_RESOURCE_ROWS {
            return;
        }
        let evaluation_id = EvaluationId(self.fresh_number());
        let now = self.now;
        let annotation = annotation.map(String::into_boxed_str);
        self.evaluations.insert(
            rule,
            (&resource).into(),
            StoredEvaluation { compliance, ordering_timestamp, recorded: now, annotation, evaluation_id },
        );
        let became_non_compliant =
            compliance == ComplianceType::NonCompliant && previous.map(|p| p.0) != Some(ComplianceType::NonCompliant);
        if became_non_compliant {
            self.trigger_automatic(rule, Some(vec![resource]));
        }
    }

    /// Removes a rule and everything that hangs off it (R-DCR-01). The rule is remembered as
    /// DELETING, which a target may still show for a while (A-22).
    pub(crate) fn remove_rule(&mut self, rule: &RuleName) {
        if let Some(stored) = self.rules.remove(rule) {
            if self.deleting.len() < MAX_ITEMS_PER_TABLE || self.deleting.contains_key(rule) {
                let mut shown = stored.rule;
                shown.config_rule_state = Some(crate::wire::ConfigRuleState::Deleting);
                let done_at = self.now + self.rule_deletion;
                self.deleting.insert(rule.clone(), DeletingRule { rule: shown, done_at });
            }
        }
        self.evaluations.remove_rule(rule);
        self.exceptions.remove_rule(rule);
        self.executions.retain(|(r, _), _| r != rule);
        self.failed_attempts.retain(|(r, _), _| r != rule);
        // Result tokens stay: a token of a deleted rule meets NoSuchConfigRuleException (R-PE-10).
    }
}

/// The UUID-shaped text (version 4, RFC 4122 variant) of a number `n`, a bijection of it: the
/// id counter's ([`World::fresh_uuid`]) and the reference endpoint's request ids.
pub fn uuid_text(n: u64) -> String {
    let a = splitmix64(n);
    let b = splitmix64(a ^ 0x9e37_79b9_7f4a_7c15);
    // Sized exactly: `format!` grows its buffer to 64 bytes for these 36.
    let mut id = String::with_capacity(36);
    let _ = write!(
        id,
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    );
    id
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An evaluation's id, kept as the counter's number, reads as the very UUID a fresh id
    /// taken at the same point would be (R-GCD-01): what answers show did not change when the
    /// text stopped being stored.
    #[test]
    fn an_evaluation_id_reads_as_the_uuid_of_its_number() {
        let now = Timestamp::EPOCH_2026;
        let mut world = World::reference(now);
        let rule = RuleName::new("r");
        let put = r#"{"ConfigRule": {"ConfigRuleName": "r", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}}"#;
        let created = crate::handle(&mut world, crate::Operation::PutConfigRule, put.as_bytes(), now);
        assert_eq!(created.preferred().reply.status(), 200);
        let mut twin = world.clone();
        let bucket = ResourceRef::new("AWS::S3::Bucket", "b");
        world.record_evaluation(&rule, bucket.clone(), ComplianceType::Compliant, now, Some("why".to_owned()));
        let stored = world.evaluations.row(&rule, (&bucket).into()).expect("recorded");
        let id = stored.evaluation_id.to_uuid();
        assert_eq!(id, twin.fresh_uuid());
        let shape: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!((shape, id.as_bytes()[14]), (vec![8, 4, 4, 4, 12], b'4'), "a version-4-shaped UUID: {id}");
        assert_eq!(stored.annotation.as_deref(), Some("why"));
    }
}
