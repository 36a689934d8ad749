//! The catalogue of documented rules (the IDs of the team's `rules.md`), each with its level
//! and how this project covers it.
//!
//! A rule the model implements ([`Coverage::Modelled`]) must have a test whose function name
//! starts with its ID (`R-PRE-04` → `fn r_pre_04_…`); a rule it cannot express carries the
//! reason, and is listed in `ASSUMPTIONS.md`. Tests below enforce both.
//!
//! [`MEMBER_RULES`] says which rule states the limits of each constrained input member, so
//! that a `ValidationException` names the rule of the member that was wrong.
//! `tests/attribution.rs` checks it against the service model: every constrained member of
//! every operation's input has an entry, and no entry names a member without a constraint.

use crate::operation::Operation;
use crate::outcome::Level;
use crate::validate::ConstraintKind;
use std::fmt;

/// How a rule is covered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coverage {
    /// Implemented by the model and tested by name.
    Modelled,
    /// Not expressible by the model or over the wire; the reason says why.
    NotModelled(&'static str),
}

/// One documented rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clause {
    pub id: &'static str,
    pub level: Level,
    pub summary: &'static str,
    pub coverage: Coverage,
}

macro_rules! clause {
    ($id:literal, $summary:literal) => {
        Clause { id: $id, level: Level::Must, summary: $summary, coverage: Coverage::Modelled }
    };
    ($id:literal, $summary:literal, not: $why:expr) => {
        Clause { id: $id, level: Level::Must, summary: $summary, coverage: Coverage::NotModelled($why) }
    };
}

const NO_SSM: &str = "needs a real SSM document and IAM; the model has neither";
const ADVICE: &str = "advice to the caller, not behaviour of the service";
const STRUCTURAL: &str = "a fact of the service model's structure, enforced by the wire types and the validator";
const NO_IAM: &str = "needs IAM permissions, which the model and the emulators do not have";

/// Every rule, in the order of rules.md.
pub const CLAUSES: &[Clause] = &[
    clause!("R-PRC-01", "PutRemediationConfigurations is an upsert per rule"),
    clause!("R-PRC-02", "the rule must exist"),
    clause!("R-PRC-03", "the SSM document must exist and be usable", not: NO_SSM),
    clause!("R-PRC-04", "call Put again after incompatible SSM document changes", not: ADVICE),
    clause!("R-PRC-05", "service-linked rules cannot get a remediation configuration"),
    clause!("R-PRC-06", "manual remediation needs AutomationAssumeRole or assumeRole mapped to a document parameter", not: NO_SSM),
    clause!("R-PRC-07", "automatic remediation needs a value for AutomationAssumeRole"),
    clause!("R-PRC-08", "enabling automatic remediation starts it for every NON_COMPLIANT resource"),
    clause!("R-PRC-09", "only InsufficientPermissions and InvalidParameterValue are modelled"),
    clause!("R-PRC-10", "partial failure is reported in FailedBatches"),
    clause!("R-PRC-11", "0..25 configurations per call"),
    clause!("R-RC-01", "TargetType is SSM_DOCUMENT"),
    clause!("R-RC-02", "TargetId is the SSM document name", not: "descriptive: stored and echoed, checked by the R-DRC-01 tests"),
    clause!("R-RC-03", "TargetVersion is the document version", not: "descriptive: stored and echoed, checked by the R-DRC-01 tests"),
    clause!("R-RC-04", "Automatic=true runs remediation automatically"),
    clause!("R-RC-05", "MaximumAutomaticAttempts 1..25, default 5"),
    clause!("R-RC-06", "RetryAttemptSeconds 1..2678000, default 60: the window for the automatic exception"),
    clause!("R-RC-07", "ConcurrentExecutionRatePercentage 1..100, default 10"),
    clause!("R-RC-08", "ErrorPercentage 1..100, default 50; 40 % of 10 stops at the 5th error"),
    clause!("R-RC-09", "ExecutionControls hold the SSM controls", not: "descriptive: the controls are covered by R-RC-07 and R-RC-08"),
    clause!("R-RC-10", "a parameter value is either a ResourceValue or a StaticValue"),
    clause!("R-RC-11", "ResourceValue.Value is RESOURCE_ID"),
    clause!("R-RC-12", "StaticValue.Values is required, 0..25 items of 1..256"),
    clause!("R-RC-13", "Config sets the configuration's Arn"),
    clause!("R-RC-14", "CreatedByService names the owner of a service-linked rule"),
    clause!("R-RC-15", "ResourceType is a free string", not: "no constraint to check: any string is stored and echoed"),
    clause!("R-DRC-01", "Describe returns the configurations of the named rules"),
    clause!("R-DRC-02", "ConfigRuleNames is required, at most 25"),
    clause!("R-DRC-03", "no modelled errors and no paging"),
    clause!("R-DelRC-01", "Delete removes the rule's remediation configuration"),
    clause!("R-DelRC-02", "NoSuchRemediationConfigurationException without one"),
    clause!("R-DelRC-03", "RemediationInProgressException while an execution runs"),
    clause!("R-DelRC-04", "the other modelled errors are InsufficientPermissions and InvalidParameterValue"),
    clause!("R-DelRC-05", "success is an empty structure"),
    clause!("R-PRE-01", "PutRemediationExceptions is an upsert per (rule, resource)"),
    clause!("R-PRE-02", "Config places exceptions itself after failures; an exception blocks automatic remediation"),
    clause!("R-PRE-03", "prefer manual remediation while placing exceptions", not: ADVICE),
    clause!("R-PRE-04", "exceptions only for NON_COMPLIANT resources"),
    clause!("R-PRE-05", "no exceptions on service-linked remediation"),
    clause!("R-PRE-06", "stale snapshots can remediate compliant resources", not: "a race inside the real service; no request sequence provokes it deterministically"),
    clause!("R-PRE-07", "one exception per key, 1..100 keys"),
    clause!("R-PRE-08", "Message is 1..1024"),
    clause!("R-PRE-09", "an exception is deleted when its ExpirationTime passes"),
    clause!("R-PRE-10", "modelled errors: InvalidParameterValue, InsufficientPermissions"),
    clause!("R-PRE-11", "partial failure in FailedBatches of full RemediationException items"),
    clause!("R-DRE-01", "Describe returns a rule's exceptions with message and expiry"),
    clause!("R-DRE-02", "Limit and NextToken page the results"),
    clause!("R-DRE-03", "Limit and NextToken apply only without ResourceKeys"),
    clause!("R-DRE-04", "Limit defaults to 25, 0 means the default, 0..100"),
    clause!("R-DRE-05", "NextToken from the previous response gives the next page"),
    clause!("R-DRE-06", "modelled errors: InvalidNextToken, InvalidParameterValue"),
    clause!("R-DRE-07", "only ConfigRuleName is required; ResourceKeys 1..100 when present"),
    clause!("R-DRE-08", "the output list is declared with at most 25 items"),
    clause!("R-DelRE-01", "Delete removes the exceptions of the given keys"),
    clause!("R-DelRE-02", "NoSuchRemediationExceptionException for an exception that does not exist"),
    clause!("R-DelRE-03", "keys not deleted come back in FailedBatches"),
    clause!("R-DelRE-04", "ResourceKeys required, 1..100"),
    clause!("R-SRE-01", "StartRemediationExecution runs the rule's configuration on demand"),
    clause!("R-SRE-02", "execution is asynchronous"),
    clause!("R-SRE-03", "1..100 keys of required resourceType (enum) and resourceId (1..768)"),
    clause!("R-SRE-04", "a running execution for the same keys must finish first"),
    clause!("R-SRE-05", "NoSuchRemediationConfigurationException without a configuration"),
    clause!("R-SRE-06", "partial failure: one FailureMessage and the FailedItems"),
    clause!("R-SRE-07", "ConfigRuleName is one name, not a list", not: "a documentation slip; the type (a single string) is enforced by the validator"),
    clause!("R-DRES-01", "DescribeRemediationExecutionStatus details executions with steps"),
    clause!("R-DRES-02", "Limit and NextToken page the results"),
    clause!("R-DRES-03", "Limit defaults to the maximum, 0 means the default"),
    clause!("R-DRES-04", "NoSuchRemediationConfigurationException without a configuration"),
    clause!("R-DRES-05", "ResourceKeys filter, 1..100"),
    clause!("R-DRES-06", "status: key, state, steps, invocation and update times"),
    clause!("R-DRES-07", "states QUEUED, IN_PROGRESS, SUCCEEDED, FAILED, UNKNOWN"),
    clause!("R-DRES-08", "steps: name, state, error message, start and stop"),
    clause!("R-DRES-09", "step states SUCCEEDED, PENDING, FAILED, IN_PROGRESS, EXITED, UNKNOWN"),
    clause!("R-DRES-10", "the paginator pages by NextToken with Limit"),
    clause!("R-PE-01", "PutEvaluations delivers a rule's evaluation results"),
    clause!("R-PE-02", "0..100 evaluations, optional"),
    clause!("R-PE-03", "ResultToken is required and names the rule"),
    clause!("R-PE-04", "TestMode stores nothing"),
    clause!("R-PE-05", "TestMode does not need a valid token, only a present one"),
    clause!("R-PE-06", "INSUFFICIENT_DATA cannot be reported"),
    clause!("R-PE-07", "OrderingTimestamp is required"),
    clause!("R-PE-08", "Annotation is 1..256"),
    clause!("R-PE-09", "ComplianceResourceType 1..256 and ComplianceResourceId 1..768 are required"),
    clause!("R-PE-10", "modelled errors: InvalidParameterValue, InvalidResultToken, NoSuchConfigRule"),
    clause!("R-PE-11", "rejected evaluations come back in FailedEvaluations"),
    clause!("R-PCR-01", "PutConfigRule is an upsert; at most 1000 rules"),
    clause!("R-PCR-02", "managed and custom rules"),
    clause!("R-PCR-03", "SourceIdentifier names the managed rule or the Lambda function"),
    clause!("R-PCR-04", "a custom Lambda rule needs its function", not: "needs Lambda; the model accepts any function ARN"),
    clause!("R-PCR-05", "a new rule needs a name and no Arn or Id"),
    clause!("R-PCR-06", "an update may name the rule by name, Arn or Id"),
    clause!("R-PCR-07", "tags only at creation; a later Put is a repeat"),
    clause!("R-PCR-08", "modelled errors of PutConfigRule"),
    clause!("R-PCR-09", "InsufficientPermissions for missing IAM or Lambda permissions", not: NO_IAM),
    clause!("R-PCR-10", "NoAvailableConfigurationRecorderException without a recorder"),
    clause!("R-PCR-11", "Scope limits what triggers evaluations", not: "evaluation triggers need resource changes, which the model does not simulate"),
    clause!("R-PCR-12", "a ComplianceResourceId needs exactly one resource type"),
    clause!("R-PCR-13", "TagValue needs TagKey"),
    clause!("R-PCR-14", "CreatedBy is set only for service-linked rules"),
    clause!("R-PCR-15", "periodic rules default to every 24 hours", not: "scheduling of evaluations is not simulated"),
    clause!("R-PCR-16", "SourceDetails only on custom rules; a frequency needs ScheduledNotification"),
    clause!("R-PCR-17", "the trigger message types", not: "evaluation triggers are not simulated"),
    clause!("R-PCR-18", "CUSTOM_POLICY needs CustomPolicyDetails and change notifications only"),
    clause!("R-PCR-19", "CustomPolicyDetails: runtime guard-2.x.x, text, debug logging"),
    clause!("R-PCR-20", "EventSource is aws.config"),
    clause!("R-PCR-21", "InputParameters is 1..1024"),
    clause!("R-PCR-22", "EvaluationModes distinct, default DETECTIVE"),
    clause!("R-PCR-23", "RuleEvaluationVisibility EXTERNAL or INTERNAL"),
    clause!("R-PCR-24", "ConfigRuleState ACTIVE, or EVALUATING/DELETING_RESULTS/DELETING for a while (R-SCE-01, R-DER-01, R-DCR-02; A-48)"),
    clause!("R-PCR-25", "Description is 0..256"),
    clause!("R-PCR-26", "at most 50 tags, key 1..128, value 0..256"),
    clause!("R-PCR-27", "ConfigRule needs Source, Source needs Owner"),
    clause!("R-DCR-01", "DeleteConfigRule removes the rule and its results"),
    clause!("R-DCR-02", "deletion is asynchronous (DELETING), for the account's deletion time (A-22, A-43)"),
    clause!("R-DCR-03", "ResourceInUseException while a remediation configuration is attached"),
    clause!("R-DCR-04", "modelled errors: NoSuchConfigRule, ResourceInUse"),
    clause!("R-DCR-05", "recorder costs of deleting rules", not: ADVICE),
    clause!("R-DCRs-01", "DescribeConfigRules: named rules or all"),
    clause!("R-DCRs-02", "filters by evaluation mode and visibility"),
    clause!("R-DCRs-03", "NextToken paging; modelled errors"),
    clause!("R-DCBR-01", "DescribeComplianceByResource reports compliance per resource"),
    clause!("R-DCBR-02", "one failing rule makes a resource NON_COMPLIANT"),
    clause!("R-DCBR-03", "no results means INSUFFICIENT_DATA"),
    clause!("R-DCBR-04", "AWS::::Account names the account", not: "any ResourceType string is accepted; nothing specific to check"),
    clause!("R-DCBR-05", "a ResourceId needs a ResourceType"),
    clause!("R-DCBR-06", "Limit defaults to 10"),
    clause!("R-DCBR-07", "modelled errors: InvalidParameterValue, InvalidNextToken"),
    clause!("R-GCD-01", "GetComplianceDetailsByConfigRule returns a rule's results"),
    clause!("R-GCD-02", "INSUFFICIENT_DATA is not a filter value"),
    clause!("R-GCD-03", "Limit defaults to 10"),
    clause!("R-GCD-04", "ConfigRuleName here is 1..64 without pattern"),
    clause!("R-GCD-05", "results are COMPLIANT, NON_COMPLIANT or NOT_APPLICABLE"),
    clause!("R-GCD-06", "result fields: qualifier, times, evaluation id, annotation"),
    clause!("R-GCD-07", "modelled errors: InvalidParameterValue, InvalidNextToken, NoSuchConfigRule"),
    clause!("R-DCBC-01", "DescribeComplianceByConfigRule reports compliance per rule"),
    clause!("R-DCBC-02", "one NON_COMPLIANT resource makes a rule NON_COMPLIANT"),
    clause!("R-DCBC-03", "INSUFFICIENT_DATA causes"),
    clause!("R-DCBC-04", "filters: up to 25 names, up to 3 compliance types"),
    clause!("R-DCBC-05", "modelled errors: InvalidParameterValue, NoSuchConfigRule, InvalidNextToken"),
    clause!("R-CMP-01", "Compliance is COMPLIANT, NON_COMPLIANT or INSUFFICIENT_DATA"),
    clause!("R-CMP-02", "ComplianceContributorCount with a cap"),
    clause!("R-CMP-03", "ComplianceTypes has 0..3 entries"),
    clause!("R-ERR-01", "InvalidParameterValueException: a parameter is invalid"),
    clause!("R-ERR-02", "InvalidNextTokenException: the token is invalid"),
    clause!("R-ERR-03", "NoSuchConfigRuleException: the rule is not valid"),
    clause!("R-ERR-04", "NoSuchRemediationConfigurationException"),
    clause!("R-ERR-05", "NoSuchRemediationExceptionException"),
    clause!("R-ERR-06", "RemediationInProgressException"),
    clause!("R-ERR-07", "ResourceInUseException"),
    clause!("R-ERR-08", "MaxNumberOfConfigRulesExceededException at 1000 rules"),
    clause!("R-ERR-09", "InsufficientPermissionsException", not: NO_IAM),
    clause!("R-ERR-10", "InvalidResultTokenException"),
    clause!("R-ERR-11", "NoAvailableConfigurationRecorderException"),
    clause!("R-ERR-12", "exceptions declare no members and no HTTP status", not: STRUCTURAL),
    clause!("R-PAG-01", "which operations have paginators"),
    clause!("R-PAG-02", "DescribeRemediationExceptions has Limit/NextToken but no paginator"),
    clause!("R-PAG-03", "documented page-size defaults; 0 means the default"),
    clause!("R-PAG-04", "a token the service did not issue is InvalidNextTokenException"),
    clause!("M-01", "two resource-key shapes: resourceType/resourceId and ResourceType/ResourceId"),
    clause!("M-02", "RemediationException requires rule, type and id", not: STRUCTURAL),
    clause!("M-03", "RemediationConfiguration requires rule, target type and id", not: STRUCTURAL),
    clause!("M-04", "boxed numerics: absent means the documented default"),
    clause!("M-05", "Limit up to 100 but the exceptions output list is capped at 25", not: "a contradiction inside the model; see A-15"),
    clause!("M-06", "StartRemediationExecution FailedItems has a minimum of 1 even as output"),
    clause!("M-07", "GetComplianceDetailsByConfigRule names are 1..64 without pattern", not: STRUCTURAL),
    clause!("M-08", "NextToken shapes are unconstrained strings", not: STRUCTURAL),
    clause!("M-09", "PutConfigRule and DeleteConfigRule have no output; DeleteRemediationConfiguration returns {}"),
    clause!("M-10", "which operations model which errors"),
    // The account set-up around remediation (issue 11): the configuration recorder and delivery
    // channel calls. Not in rules.md yet; stated by the API reference of each call.
    clause!("R-REC-01", "PutConfigurationRecorder creates or updates the region's one recorder (default name `default`)"),
    clause!("R-REC-02", "DescribeConfigurationRecorders lists the recorders; an unknown name is NoSuchConfigurationRecorderException"),
    clause!("R-REC-03", "DescribeConfigurationRecorderStatus says whether each recorder records"),
    clause!("R-REC-04", "a recording group's members must agree with its recording strategy"),
    clause!("R-REC-05", "the recorder calls' members have the service model's limits"),
    clause!("R-REC-06", "Start/StopConfigurationRecorder; starting needs a delivery channel"),
    clause!("R-REC-07", "DeleteConfigurationRecorder removes the recorder; PutConfigRule then needs a new one"),
    clause!("R-DCH-01", "PutDeliveryChannel needs a recorder and creates or updates the region's one channel"),
    clause!("R-DCH-02", "DescribeDeliveryChannels lists the channels; an unknown name is NoSuchDeliveryChannelException"),
    clause!("R-DCH-03", "DeleteDeliveryChannel is refused while a recorder records"),
    clause!("R-DCH-04", "the delivery channel calls' members have the service model's limits"),
    // The calls behind ConfigRuleState EVALUATING and DELETING_RESULTS (issue 11). Not in
    // rules.md yet; stated by the API reference of each call and of LimitExceededException and
    // ResourceInUseException (botocore 1.44.8's documentation strings).
    clause!("R-SCE-01", "StartConfigRulesEvaluation evaluates 1 to 25 named rules on demand; success is {} and they show EVALUATING meanwhile"),
    clause!("R-SCE-02", "StartConfigRulesEvaluation: an unknown rule name is NoSuchConfigRuleException"),
    clause!("R-SCE-03", "StartConfigRulesEvaluation: LimitExceededException while an evaluation is in progress or more than once per minute"),
    clause!("R-SCE-04", "StartConfigRulesEvaluation models NoSuchConfigRule, LimitExceeded, ResourceInUse, InvalidParameterValue"),
    clause!("R-DER-01", "DeleteEvaluationResults deletes one rule's evaluation results; success is {} and it shows DELETING_RESULTS meanwhile"),
    clause!("R-DER-02", "DeleteEvaluationResults: an unknown rule name is NoSuchConfigRuleException"),
    clause!("R-DER-03", "DeleteEvaluationResults models NoSuchConfigRule, ResourceInUse"),
    clause!("R-DER-04", "DeleteConfigRule is ResourceInUseException while the rule deletes its evaluation results"),
    // The wire protocol (the team's protocol.md, from the service model's metadata: protocol
    // `json`, jsonVersion 1.1; "All inputs travel in the body as one JSON object"). No
    // documentation string states it, so rules.md has no ID for it; what the refusal is called
    // (SerializationException) is observed elsewhere, not documented (S-12, A-02).
    clause!("R-PROT-01", "every input is one JSON object in the request body (AWS JSON 1.1); a body that is not one is refused before any member is checked"),
];

/// The rule a constrained input member's violation is attributed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberRule {
    /// A modelled rule of [`CLAUSES`] states this member's limit.
    Stated(RuleId),
    /// No modelled rule states it: the operation's rule is named instead, for this reason.
    Fallback(NoMemberRule),
}

/// Why a constrained member has no rule of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoMemberRule {
    /// The rule that states it is not modelled ([`Coverage::NotModelled`]): `M-07` for the
    /// `ConfigRuleName` shape (1..128, `.*\S.*`), `R-RC-02` for TargetId, `R-SRE-07`, ….
    NotModelled(RuleId),
    /// No documentation string states this limit; it is the service model's alone (a
    /// parameter map's size and key length, a resource type filter's length).
    ModelOnly,
}

/// One input member's rule: `member` is spelt as in `fixtures/service-model/table.md`
/// (`ResourceKeys[].ResourceId`, `Parameters{key}`); `kind` narrows the entry to one kind of
/// constraint where a member has several with different rules (`None`: every kind).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberClause {
    pub op: Operation,
    pub member: &'static str,
    pub kind: Option<ConstraintKind>,
    pub rule: MemberRule,
}

macro_rules! members {
    ($($op:ident $member:literal $(($kind:ident))? => $rule:expr;)*) => {
        &[$(MemberClause {
            op: Operation::$op,
            member: $member,
            kind: members!(@kind $($kind)?),
            rule: $rule,
        }),*]
    };
    (@kind) => { None };
    (@kind $kind:ident) => { Some(ConstraintKind::$kind) };
}

use MemberRule::{Fallback, Stated};
use NoMemberRule::{ModelOnly, NotModelled};

/// `M-07`: the `ConfigRuleName` shape's limits are a fact of the service model; no
/// documentation string of the operation states them.
const RULE_NAME: MemberRule = Fallback(NotModelled(crate::rule!("M-07")));

/// The rule of every constrained input member of the fifteen operations, in the order of the
/// service model's members.
#[rustfmt::skip]
pub const MEMBER_RULES: &[MemberClause] = members![
    // PutRemediationConfigurations
    PutRemediationConfigurations "RemediationConfigurations" => Stated(crate::rule!("R-PRC-11"));
    PutRemediationConfigurations "RemediationConfigurations[].ConfigRuleName" => RULE_NAME;
    PutRemediationConfigurations "RemediationConfigurations[].TargetType" => Stated(crate::rule!("R-RC-01"));
    PutRemediationConfigurations "RemediationConfigurations[].TargetId" => Fallback(NotModelled(crate::rule!("R-RC-02")));
    PutRemediationConfigurations "RemediationConfigurations[].Parameters" => Fallback(ModelOnly);
    PutRemediationConfigurations "RemediationConfigurations[].Parameters{key}" => Fallback(ModelOnly);
    PutRemediationConfigurations "RemediationConfigurations[].Parameters{value}.ResourceValue.Value" => Stated(crate::rule!("R-RC-11"));
    PutRemediationConfigurations "RemediationConfigurations[].Parameters{value}.StaticValue.Values" => Stated(crate::rule!("R-RC-12"));
    PutRemediationConfigurations "RemediationConfigurations[].Parameters{value}.StaticValue.Values[]" => Stated(crate::rule!("R-RC-12"));
    PutRemediationConfigurations "RemediationConfigurations[].ExecutionControls.SsmControls.ConcurrentExecutionRatePercentage" => Stated(crate::rule!("R-RC-07"));
    PutRemediationConfigurations "RemediationConfigurations[].ExecutionControls.SsmControls.ErrorPercentage" => Stated(crate::rule!("R-RC-08"));
    PutRemediationConfigurations "RemediationConfigurations[].MaximumAutomaticAttempts" => Stated(crate::rule!("R-RC-05"));
    PutRemediationConfigurations "RemediationConfigurations[].RetryAttemptSeconds" => Stated(crate::rule!("R-RC-06"));
    PutRemediationConfigurations "RemediationConfigurations[].Arn" => Stated(crate::rule!("R-RC-13"));
    PutRemediationConfigurations "RemediationConfigurations[].CreatedByService" => Stated(crate::rule!("R-RC-14"));
    // DescribeRemediationConfigurations
    DescribeRemediationConfigurations "ConfigRuleNames" => Stated(crate::rule!("R-DRC-02"));
    DescribeRemediationConfigurations "ConfigRuleNames[]" => Stated(crate::rule!("R-DRC-02"));
    // DeleteRemediationConfiguration
    DeleteRemediationConfiguration "ConfigRuleName" => RULE_NAME;
    // PutRemediationExceptions
    PutRemediationExceptions "ConfigRuleName" => RULE_NAME;
    PutRemediationExceptions "ResourceKeys" => Stated(crate::rule!("R-PRE-07"));
    PutRemediationExceptions "ResourceKeys[].ResourceType" => Stated(crate::rule!("M-01"));
    PutRemediationExceptions "ResourceKeys[].ResourceId" => Stated(crate::rule!("M-01"));
    PutRemediationExceptions "Message" => Stated(crate::rule!("R-PRE-08"));
    // DescribeRemediationExceptions
    DescribeRemediationExceptions "ConfigRuleName" => Stated(crate::rule!("R-DRE-07"));
    DescribeRemediationExceptions "ResourceKeys" => Stated(crate::rule!("R-DRE-07"));
    DescribeRemediationExceptions "ResourceKeys[].ResourceType" => Stated(crate::rule!("M-01"));
    DescribeRemediationExceptions "ResourceKeys[].ResourceId" => Stated(crate::rule!("M-01"));
    DescribeRemediationExceptions "Limit" => Stated(crate::rule!("R-DRE-04"));
    // DeleteRemediationExceptions
    DeleteRemediationExceptions "ConfigRuleName" => RULE_NAME;
    DeleteRemediationExceptions "ResourceKeys" => Stated(crate::rule!("R-DelRE-04"));
    DeleteRemediationExceptions "ResourceKeys[].ResourceType" => Stated(crate::rule!("M-01"));
    DeleteRemediationExceptions "ResourceKeys[].ResourceId" => Stated(crate::rule!("M-01"));
    // StartRemediationExecution
    StartRemediationExecution "ConfigRuleName" => Fallback(NotModelled(crate::rule!("R-SRE-07")));
    StartRemediationExecution "ResourceKeys" => Stated(crate::rule!("R-SRE-03"));
    StartRemediationExecution "ResourceKeys[].resourceType" => Stated(crate::rule!("R-SRE-03"));
    StartRemediationExecution "ResourceKeys[].resourceId" => Stated(crate::rule!("R-SRE-03"));
    // DescribeRemediationExecutionStatus
    DescribeRemediationExecutionStatus "ConfigRuleName" => RULE_NAME;
    DescribeRemediationExecutionStatus "ResourceKeys" => Stated(crate::rule!("R-DRES-05"));
    DescribeRemediationExecutionStatus "ResourceKeys[].resourceType" => Stated(crate::rule!("M-01"));
    DescribeRemediationExecutionStatus "ResourceKeys[].resourceId" => Stated(crate::rule!("M-01"));
    DescribeRemediationExecutionStatus "Limit" => Stated(crate::rule!("R-DRES-03"));
    // PutEvaluations
    PutEvaluations "Evaluations" => Stated(crate::rule!("R-PE-02"));
    PutEvaluations "Evaluations[].ComplianceResourceType" => Stated(crate::rule!("R-PE-09"));
    PutEvaluations "Evaluations[].ComplianceResourceId" => Stated(crate::rule!("R-PE-09"));
    PutEvaluations "Evaluations[].ComplianceType" => Stated(crate::rule!("R-PE-06"));
    PutEvaluations "Evaluations[].Annotation" => Stated(crate::rule!("R-PE-08"));
    PutEvaluations "Evaluations[].OrderingTimestamp" => Stated(crate::rule!("R-PE-07"));
    PutEvaluations "ResultToken" => Stated(crate::rule!("R-PE-03"));
    // PutConfigRule
    PutConfigRule "ConfigRule" => Stated(crate::rule!("R-PCR-27"));
    PutConfigRule "ConfigRule.ConfigRuleName" => Stated(crate::rule!("R-PCR-05"));
    PutConfigRule "ConfigRule.ConfigRuleArn" => Stated(crate::rule!("R-PCR-06"));
    PutConfigRule "ConfigRule.ConfigRuleId" => Stated(crate::rule!("R-PCR-06"));
    PutConfigRule "ConfigRule.Description" => Stated(crate::rule!("R-PCR-25"));
    PutConfigRule "ConfigRule.Scope.ComplianceResourceTypes" => Stated(crate::rule!("R-PCR-12"));
    PutConfigRule "ConfigRule.Scope.ComplianceResourceTypes[]" => Stated(crate::rule!("R-PCR-12"));
    PutConfigRule "ConfigRule.Scope.TagKey" => Stated(crate::rule!("R-PCR-13"));
    PutConfigRule "ConfigRule.Scope.TagValue" => Stated(crate::rule!("R-PCR-13"));
    PutConfigRule "ConfigRule.Scope.ComplianceResourceId" => Stated(crate::rule!("R-PCR-12"));
    PutConfigRule "ConfigRule.Scope.ServicePrincipals" => Stated(crate::rule!("R-PCR-14"));
    PutConfigRule "ConfigRule.Scope.ServicePrincipals[]" => Stated(crate::rule!("R-PCR-14"));
    PutConfigRule "ConfigRule.Source" => Stated(crate::rule!("R-PCR-27"));
    PutConfigRule "ConfigRule.Source.Owner" (Required) => Stated(crate::rule!("R-PCR-27"));
    PutConfigRule "ConfigRule.Source.Owner" (Enum) => Stated(crate::rule!("R-PCR-02"));
    PutConfigRule "ConfigRule.Source.SourceIdentifier" => Stated(crate::rule!("R-PCR-03"));
    PutConfigRule "ConfigRule.Source.SourceDetails" => Stated(crate::rule!("R-PCR-16"));
    PutConfigRule "ConfigRule.Source.SourceDetails[].EventSource" => Stated(crate::rule!("R-PCR-20"));
    PutConfigRule "ConfigRule.Source.SourceDetails[].MessageType" => Stated(crate::rule!("R-PCR-16"));
    PutConfigRule "ConfigRule.Source.SourceDetails[].MaximumExecutionFrequency" => Stated(crate::rule!("R-PCR-16"));
    PutConfigRule "ConfigRule.Source.CustomPolicyDetails.PolicyRuntime" => Stated(crate::rule!("R-PCR-19"));
    PutConfigRule "ConfigRule.Source.CustomPolicyDetails.PolicyText" => Stated(crate::rule!("R-PCR-19"));
    PutConfigRule "ConfigRule.InputParameters" => Stated(crate::rule!("R-PCR-21"));
    PutConfigRule "ConfigRule.MaximumExecutionFrequency" => Fallback(NotModelled(crate::rule!("R-PCR-15")));
    PutConfigRule "ConfigRule.ConfigRuleState" => Stated(crate::rule!("R-PCR-24"));
    PutConfigRule "ConfigRule.CreatedBy" => Stated(crate::rule!("R-PCR-14"));
    PutConfigRule "ConfigRule.EvaluationModes[].Mode" => Stated(crate::rule!("R-PCR-22"));
    PutConfigRule "ConfigRule.RuleEvaluationVisibility" => Stated(crate::rule!("R-PCR-23"));
    PutConfigRule "Tags" => Stated(crate::rule!("R-PCR-26"));
    PutConfigRule "Tags[].Key" => Stated(crate::rule!("R-PCR-26"));
    PutConfigRule "Tags[].Value" => Stated(crate::rule!("R-PCR-26"));
    // DeleteConfigRule
    DeleteConfigRule "ConfigRuleName" => RULE_NAME;
    // DescribeConfigRules
    DescribeConfigRules "ConfigRuleNames" => Stated(crate::rule!("R-DCRs-01"));
    DescribeConfigRules "ConfigRuleNames[]" => Stated(crate::rule!("R-DCRs-01"));
    DescribeConfigRules "Filters.EvaluationMode" => Stated(crate::rule!("R-DCRs-02"));
    DescribeConfigRules "Filters.RuleEvaluationVisibility" => Stated(crate::rule!("R-DCRs-02"));
    // GetComplianceDetailsByConfigRule
    GetComplianceDetailsByConfigRule "ConfigRuleName" => Stated(crate::rule!("R-GCD-04"));
    GetComplianceDetailsByConfigRule "ComplianceTypes" => Stated(crate::rule!("R-CMP-03"));
    GetComplianceDetailsByConfigRule "ComplianceTypes[]" => Stated(crate::rule!("R-GCD-02"));
    GetComplianceDetailsByConfigRule "Limit" => Stated(crate::rule!("R-GCD-03"));
    // DescribeComplianceByConfigRule
    DescribeComplianceByConfigRule "ConfigRuleNames" => Stated(crate::rule!("R-DCBC-04"));
    DescribeComplianceByConfigRule "ConfigRuleNames[]" => Stated(crate::rule!("R-DCBC-04"));
    DescribeComplianceByConfigRule "ComplianceTypes" => Stated(crate::rule!("R-DCBC-04"));
    DescribeComplianceByConfigRule "ComplianceTypes[]" => Stated(crate::rule!("R-DCBC-04"));
    // DescribeComplianceByResource
    DescribeComplianceByResource "ResourceType" => Fallback(ModelOnly);
    DescribeComplianceByResource "ResourceId" => Fallback(ModelOnly);
    DescribeComplianceByResource "ComplianceTypes" => Stated(crate::rule!("R-CMP-03"));
    DescribeComplianceByResource "ComplianceTypes[]" => Stated(crate::rule!("R-CMP-03"));
    DescribeComplianceByResource "Limit" => Stated(crate::rule!("R-DCBR-06"));
    // The recorder and delivery channel calls: every limit is the service model's (R-REC-05, R-DCH-04).
    PutConfigurationRecorder "ConfigurationRecorder" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "ConfigurationRecorder.arn" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "ConfigurationRecorder.name" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "ConfigurationRecorder.recordingGroup.resourceTypes[]" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "ConfigurationRecorder.recordingGroup.exclusionByResourceTypes.resourceTypes[]" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "ConfigurationRecorder.recordingGroup.recordingStrategy.useOnly" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "ConfigurationRecorder.recordingMode.recordingFrequency" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "ConfigurationRecorder.recordingMode.recordingModeOverrides" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "ConfigurationRecorder.recordingMode.recordingModeOverrides[].description" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "ConfigurationRecorder.recordingMode.recordingModeOverrides[].resourceTypes" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "ConfigurationRecorder.recordingMode.recordingModeOverrides[].resourceTypes[]" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "ConfigurationRecorder.recordingMode.recordingModeOverrides[].recordingFrequency" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "ConfigurationRecorder.recordingScope" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "ConfigurationRecorder.servicePrincipal" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "ConfigurationRecorder.connectorArn" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "ConfigurationRecorder.scopeConfiguration.scopeType" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "ConfigurationRecorder.scopeConfiguration.scopeValues[]" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "ConfigurationRecorder.scopeConfiguration.allRegions" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "ConfigurationRecorder.scopeConfiguration.includedRegions" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "ConfigurationRecorder.scopeConfiguration.includedRegions[]" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "Tags" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "Tags[].Key" => Stated(crate::rule!("R-REC-05"));
    PutConfigurationRecorder "Tags[].Value" => Stated(crate::rule!("R-REC-05"));
    DescribeConfigurationRecorders "ConfigurationRecorderNames[]" => Stated(crate::rule!("R-REC-05"));
    DescribeConfigurationRecorders "ServicePrincipal" => Stated(crate::rule!("R-REC-05"));
    DescribeConfigurationRecorders "Arn" => Stated(crate::rule!("R-REC-05"));
    DescribeConfigurationRecorderStatus "ConfigurationRecorderNames[]" => Stated(crate::rule!("R-REC-05"));
    DescribeConfigurationRecorderStatus "ServicePrincipal" => Stated(crate::rule!("R-REC-05"));
    DescribeConfigurationRecorderStatus "Arn" => Stated(crate::rule!("R-REC-05"));
    StartConfigurationRecorder "ConfigurationRecorderName" => Stated(crate::rule!("R-REC-05"));
    StopConfigurationRecorder "ConfigurationRecorderName" => Stated(crate::rule!("R-REC-05"));
    DeleteConfigurationRecorder "ConfigurationRecorderName" => Stated(crate::rule!("R-REC-05"));
    PutDeliveryChannel "DeliveryChannel" => Stated(crate::rule!("R-DCH-04"));
    PutDeliveryChannel "DeliveryChannel.name" => Stated(crate::rule!("R-DCH-04"));
    PutDeliveryChannel "DeliveryChannel.configSnapshotDeliveryProperties.deliveryFrequency" => Stated(crate::rule!("R-DCH-04"));
    DescribeDeliveryChannels "DeliveryChannelNames[]" => Stated(crate::rule!("R-DCH-04"));
    DeleteDeliveryChannel "DeliveryChannelName" => Stated(crate::rule!("R-DCH-04"));
    // The rule-state calls.
    StartConfigRulesEvaluation "ConfigRuleNames" => Stated(crate::rule!("R-SCE-01"));
    StartConfigRulesEvaluation "ConfigRuleNames[]" => RULE_NAME;
    DeleteEvaluationResults "ConfigRuleName" => RULE_NAME;
];

/// The rule of a violation at `member` (as [`crate::validate::Violation::member`] spells it)
/// of `op`'s input. A violation below a constrained member without one of its own (a null list
/// item, a null map value) takes the rule of the nearest member above it that has one.
pub fn member_rule(op: Operation, member: &str, kind: ConstraintKind) -> Option<MemberRule> {
    let mut at = member;
    loop {
        let entries = MEMBER_RULES.iter().filter(|m| m.op == op && m.member == at);
        let mut any = None;
        for entry in entries {
            match entry.kind {
                Some(k) if k == kind => return Some(entry.rule),
                Some(_) => {}
                None => any = Some(entry.rule),
            }
        }
        if any.is_some() {
            return any;
        }
        at = parent_member(at)?;
    }
}

/// `A[].B{value}.C` → `A[].B{value}` → `A[].B` → `A[]` → `A` → none.
fn parent_member(member: &str) -> Option<&str> {
    if let Some(rest) = member.strip_suffix("[]").or_else(|| member.strip_suffix("{key}")).or_else(|| member.strip_suffix("{value}")) {
        return Some(rest);
    }
    member.rfind('.').map(|i| &member[..i])
}

/// The cases of `fixtures/real-service/observed.json` the model expresses (each has a test in
/// `tests/observed.rs` and a scenario `observed/<case-id>.json`).
pub const OBSERVED_CASES: [&str; 8] = [
    "rc-put-ok",
    "rc-describe-echo",
    "rc-delete-ok",
    "rule-delete-with-rc",
    "rc-manual-stores-retry-fields",
    "pe-bad-compliance-type",
    "pe-success",
    "rule-put-no-recorder",
];

/// The clause with this ID.
pub fn find(id: &str) -> Option<&'static Clause> {
    CLAUSES.iter().find(|c| c.id == id)
}

/// A catalogued rule's ID: only the IDs of [`CLAUSES`] can be made, so a mistyped ID is refused
/// where it is written (at compile time through [`rule!`](crate::rule), at load time through
/// [`RuleId::parse`]) instead of silently matching nothing in a report.
///
/// It orders and prints as its text (`R-PRE-04`), and is (de)serialised as that text, so
/// reports keep their shape.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RuleId {
    /// Position in [`CLAUSES`].
    index: u16,
}

/// A rule ID that is not in the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownRule(pub String);

impl fmt::Display for UnknownRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown rule ID {:?}", self.0)
    }
}

impl std::error::Error for UnknownRule {}

impl RuleId {
    /// The ID with this text, if it is catalogued.
    pub fn parse(id: &str) -> Result<RuleId, UnknownRule> {
        CLAUSES.iter().position(|c| c.id == id).map(|i| RuleId { index: i as u16 }).ok_or_else(|| UnknownRule(id.to_owned()))
    }

    /// The ID with this text; in a constant, an uncatalogued text stops the build. Use it through
    /// [`rule!`](crate::rule), which puts it in a constant.
    pub const fn known(id: &'static str) -> RuleId {
        let mut i = 0;
        while i < CLAUSES.len() {
            if const_str_eq(CLAUSES[i].id, id) {
                return RuleId { index: i as u16 };
            }
            i += 1;
        }
        panic!("not a rule ID of the catalogue (reference_model::clauses::CLAUSES)")
    }

    /// Every catalogued ID, in the order of rules.md.
    pub fn all() -> impl Iterator<Item = RuleId> {
        (0..CLAUSES.len()).map(|i| RuleId { index: i as u16 })
    }

    pub fn as_str(self) -> &'static str {
        CLAUSES[usize::from(self.index)].id
    }

    /// The rule's catalogue entry.
    pub fn clause(self) -> &'static Clause {
        &CLAUSES[usize::from(self.index)]
    }

    /// The rule's position in rules.md, for listing rules in the documentation's order.
    pub fn position(self) -> usize {
        usize::from(self.index)
    }
}

const fn const_str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// A catalogued [`RuleId`] checked at compile time.
///
/// ```
/// assert_eq!(reference_model::rule!("R-PRE-04").as_str(), "R-PRE-04");
/// ```
///
/// An ID that is not in the catalogue does not build:
///
/// ```compile_fail
/// let _ = reference_model::rule!("R-PRE-99");
/// ```
#[macro_export]
macro_rules! rule {
    ($id:literal) => {{
        const ID: $crate::clauses::RuleId = $crate::clauses::RuleId::known($id);
        ID
    }};
}

impl PartialOrd for RuleId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// By text, as the reports have always listed rules.
impl Ord for RuleId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for RuleId {
    type Err = UnknownRule;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RuleId::parse(s)
    }
}

impl PartialEq<str> for RuleId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl serde::Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for RuleId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        RuleId::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The prefix a test function covering `id` starts with (`R-DelRC-03` → `r_delrc_03`).
pub fn test_prefix(id: &str) -> String {
    id.to_ascii_lowercase().replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    fn rust_sources(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    fn test_function_names() -> BTreeSet<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        rust_sources(&root.join("src"), &mut files);
        rust_sources(&root.join("tests"), &mut files);
        let mut names = BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for line in text.lines() {
                if let Some(rest) = line.trim_start().strip_prefix("fn ") {
                    let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    names.insert(name);
                }
            }
        }
        names
    }

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = BTreeSet::new();
        for c in CLAUSES {
            assert!(seen.insert(c.id), "duplicate {}", c.id);
            assert!(c.id.starts_with("R-") || c.id.starts_with("M-"), "{}", c.id);
        }
        assert_eq!(
            CLAUSES.len(),
            188,
            "rules.md has 158 R- rules and 10 M- facts; 11 recorder and delivery channel rules, 8 rule-state rules and 1 protocol rule follow"
        );
    }

    #[test]
    fn member_rules_name_catalogued_rules_and_fall_back_only_for_unmodelled_ones() {
        let mut seen = BTreeSet::new();
        for m in MEMBER_RULES {
            assert!(seen.insert((m.op, m.member, m.kind)), "{} {} {:?} is listed twice", m.op, m.member, m.kind);
            match m.rule {
                MemberRule::Stated(id) => {
                    let clause = id.clause();
                    assert_eq!(clause.coverage, Coverage::Modelled, "{} {}: {id} is not modelled; use Fallback(NotModelled)", m.op, m.member);
                }
                MemberRule::Fallback(NoMemberRule::NotModelled(id)) => {
                    let clause = id.clause();
                    assert!(
                        matches!(clause.coverage, Coverage::NotModelled(_)),
                        "{} {}: {id} is modelled, so it should be Stated",
                        m.op,
                        m.member
                    );
                }
                MemberRule::Fallback(NoMemberRule::ModelOnly) => {}
            }
        }
    }

    #[test]
    fn member_rules_fall_back_to_the_nearest_member_above() {
        use crate::validate::ConstraintKind::*;
        let op = crate::Operation::PutRemediationExceptions;
        assert_eq!(member_rule(op, "ResourceKeys[]", Required), Some(MemberRule::Stated(crate::rule!("R-PRE-07"))));
        assert_eq!(member_rule(op, "ResourceKeys[].ResourceId", Length), Some(MemberRule::Stated(crate::rule!("M-01"))));
        assert_eq!(member_rule(op, "Nothing", Length), None);
        let op = crate::Operation::PutConfigRule;
        assert_eq!(member_rule(op, "ConfigRule.Source.Owner", Required), Some(MemberRule::Stated(crate::rule!("R-PCR-27"))));
        assert_eq!(member_rule(op, "ConfigRule.Source.Owner", Enum), Some(MemberRule::Stated(crate::rule!("R-PCR-02"))));
        assert_eq!(member_rule(op, "ConfigRule.Source.SourceDetails[]", Required), Some(MemberRule::Stated(crate::rule!("R-PCR-16"))));
        let op = crate::Operation::PutRemediationConfigurations;
        assert_eq!(
            member_rule(op, "RemediationConfigurations[].Parameters{value}", Required),
            Some(MemberRule::Fallback(NoMemberRule::ModelOnly))
        );
        assert_eq!(parent_member("A[].B{value}.C"), Some("A[].B{value}"));
        assert_eq!(parent_member("A[].B{value}"), Some("A[].B"));
        assert_eq!(parent_member("A[]"), Some("A"));
        assert_eq!(parent_member("A"), None);
    }

    #[test]
    fn every_modelled_clause_has_a_named_test() {
        let names = test_function_names();
        let missing: Vec<&str> = CLAUSES
            .iter()
            .filter(|c| c.coverage == Coverage::Modelled)
            .filter(|c| {
                let prefix = test_prefix(c.id);
                !names.iter().any(|n| n == &prefix || n.starts_with(&format!("{prefix}_")))
            })
            .map(|c| c.id)
            .collect();
        assert!(missing.is_empty(), "modelled rules without a test named after them: {missing:?}");
    }

    #[test]
    fn the_register_lists_every_rule_not_modelled_and_every_assumption_cited() {
        let register = include_str!("../ASSUMPTIONS.md");
        for c in CLAUSES {
            if let Coverage::NotModelled(_) = c.coverage {
                assert!(register.contains(&format!("`{}`", c.id)), "ASSUMPTIONS.md does not list {}", c.id);
            }
        }
        let mut files = Vec::new();
        rust_sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (i, _) in text.match_indices("\"A-") {
                let id: String = text[i + 1..].chars().take_while(|c| *c != '"').collect();
                if id.len() < 4 || !id[2..].chars().all(|c| c.is_ascii_digit()) {
                    continue;
                }
                assert!(register.contains(&format!("### {id} ")), "{} cites {id}, which ASSUMPTIONS.md lacks", file.display());
            }
        }
    }

    /// R-PRC-09, R-DelRC-04, R-PRE-10, R-DRE-06, R-DelRE-02, R-SRE-05, R-DRES-04, R-PE-10,
    /// R-PCR-08, R-DCR-04, R-DCRs-03, R-GCD-07, R-DCBR-07, R-DCBC-05, M-10: every error an
    /// operation answers with is one its model lists, or a protocol/validation error common to
    /// all operations.
    fn only_modelled_errors(op: crate::Operation) {
        use crate::{handle_value, Control, ComplianceType, Timestamp, World};
        use serde_json::json;
        let model = crate::service_model::ServiceModel::get();
        let allowed = &model.operations[op.name()].errors;
        let now = Timestamp::EPOCH_2026;
        let mut world = World::reference(now);
        let rule = |name: &str| json!({"ConfigRule": {"ConfigRuleName": name, "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}});
        handle_value(&mut world, crate::Operation::PutConfigRule, &rule("r"));
        handle_value(&mut world, crate::Operation::PutConfigRule, &rule("linked"));
        world.control(&Control::SetCompliance { rule: "r".into(), resource_type: "AWS::S3::Bucket".into(), resource_id: "b".into(), compliance: ComplianceType::NonCompliant, annotation: None }, now);
        world.control(&Control::MarkServiceLinked { rule: "linked".into(), service: "securityhub.amazonaws.com".into() }, now);
        handle_value(&mut world, crate::Operation::PutRemediationConfigurations, &json!({"RemediationConfigurations": [{"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "doc"}]}));
        handle_value(&mut world, crate::Operation::StartRemediationExecution, &json!({"ConfigRuleName": "r", "ResourceKeys": [{"resourceType": "AWS::S3::Bucket", "resourceId": "b"}]}));
        let key = json!({"ResourceType": "AWS::S3::Bucket", "ResourceId": "b"});
        let exec_key = json!({"resourceType": "AWS::S3::Bucket", "resourceId": "b"});
        let config = |rule: &str, extra: serde_json::Value| {
            let mut c = json!({"ConfigRuleName": rule, "TargetType": "SSM_DOCUMENT", "TargetId": "doc"});
            c.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            json!({"RemediationConfigurations": [c]})
        };
        let bodies = vec![
            json!({}), json!({"ConfigRuleName": ""}), json!({"ConfigRuleName": "r"}), json!({"ConfigRuleName": "missing"}),
            json!({"ConfigRuleName": "r", "NextToken": "bogus"}), json!({"ConfigRuleName": "r", "ResourceKeys": [key.clone()]}),
            json!({"ConfigRuleName": "missing", "ResourceKeys": [key.clone()]}), json!({"ConfigRuleName": "linked", "ResourceKeys": [key]}),
            json!({"ConfigRuleName": "r", "ResourceKeys": [exec_key.clone()]}), json!({"ConfigRuleName": "missing", "ResourceKeys": [exec_key]}),
            config("missing", json!({})), config("linked", json!({})), config("r", json!({"Automatic": true})),
            config("r", json!({"Parameters": {"P": {}}})),
            json!({"ConfigRuleNames": ["missing"]}), json!({"ConfigRuleNames": ["r"]}), json!({"NextToken": "bogus"}),
            json!({"ResultToken": "bogus"}), json!({"ResultToken": "bogus", "TestMode": true}),
            json!({"ConfigRule": {"Source": {"Owner": "AWS"}}}), json!({"ConfigRule": {"ConfigRuleName": "n", "Source": {"Owner": "CUSTOM_POLICY"}}}),
            json!({"ConfigRule": {"ConfigRuleName": "n", "ConfigRuleId": "config-rule-zzzzzz", "Source": {"Owner": "AWS", "SourceIdentifier": "X"}}}),
            json!({"ConfigRule": {"ConfigRuleId": "config-rule-zzzzzz", "Source": {"Owner": "AWS", "SourceIdentifier": "X"}}}),
            json!({"ConfigRule": {"ConfigRuleName": "r", "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": "arn:aws:lambda:us-east-1:1:function:f"}}}),
            json!({"ConfigRuleName": "r", "ComplianceTypes": ["INSUFFICIENT_DATA"]}), json!({"ResourceId": "b"}),
            // The recorder and delivery channel calls (the account starts with both, A-40).
            json!({"ConfigurationRecorderNames": ["missing"]}), json!({"ConfigurationRecorderName": "missing"}),
            json!({"ConfigurationRecorder": {"name": "other", "roleARN": "arn:aws:iam::1:role/r"}}),
            json!({"ConfigurationRecorder": {"name": "default"}}),
            json!({"ConfigurationRecorder": {"name": "default", "roleARN": "arn:aws:iam::1:role/r", "recordingGroup": {}}}),
            json!({"DeliveryChannelNames": ["missing"]}), json!({"DeliveryChannelName": "missing"}), json!({"DeliveryChannelName": "default"}),
            json!({"DeliveryChannel": {"name": "other", "s3BucketName": "b"}}), json!({"DeliveryChannel": {"s3BucketName": "b", "s3KeyPrefix": ""}}),
        ];
        let mut seen = Vec::new();
        for body in &bodies {
            for (i, alternative) in handle_value(&mut world.clone(), op, body).alternatives.into_iter().enumerate() {
                if let Some(code) = alternative.reply.error_code() {
                    seen.push(code);
                    let common = matches!(code, crate::ErrorCode::ValidationException | crate::ErrorCode::SerializationException);
                    // A code the model does not list may only be tolerated: never preferred,
                    // and only as a MAY with its assumption (A-31).
                    let tolerated = i > 0 && alternative.provenance == crate::Level::May && !alternative.basis.is_empty();
                    assert!(
                        common || tolerated || allowed.iter().any(|a| a == code.as_str()),
                        "{op} answered {code} to {body}; modelled: {allowed:?}"
                    );
                }
            }
        }
        assert!(!seen.is_empty(), "{op}: the corpus provoked no error at all");
    }

    #[test]
    fn r_prc_09_put_configurations_answers_only_modelled_errors() {
        only_modelled_errors(crate::Operation::PutRemediationConfigurations);
    }
    #[test]
    fn r_delrc_04_delete_configuration_answers_only_modelled_errors() {
        only_modelled_errors(crate::Operation::DeleteRemediationConfiguration);
    }
    #[test]
    fn r_pre_10_put_exceptions_answers_only_modelled_errors() {
        only_modelled_errors(crate::Operation::PutRemediationExceptions);
    }
    #[test]
    fn r_dre_06_describe_exceptions_answers_only_modelled_errors() {
        only_modelled_errors(crate::Operation::DescribeRemediationExceptions);
    }
    #[test]
    fn r_sre_05_start_execution_answers_only_modelled_errors() {
        only_modelled_errors(crate::Operation::StartRemediationExecution);
    }
    #[test]
    fn r_dres_04_describe_execution_status_answers_only_modelled_errors() {
        only_modelled_errors(crate::Operation::DescribeRemediationExecutionStatus);
    }
    #[test]
    fn r_pe_10_put_evaluations_answers_only_modelled_errors() {
        only_modelled_errors(crate::Operation::PutEvaluations);
    }
    #[test]
    fn r_pcr_08_put_config_rule_answers_only_modelled_errors() {
        only_modelled_errors(crate::Operation::PutConfigRule);
    }
    #[test]
    fn r_dcr_04_delete_config_rule_answers_only_modelled_errors() {
        only_modelled_errors(crate::Operation::DeleteConfigRule);
    }
    #[test]
    fn r_dcrs_03_describe_config_rules_answers_only_modelled_errors() {
        only_modelled_errors(crate::Operation::DescribeConfigRules);
    }
    #[test]
    fn r_gcd_07_compliance_details_answers_only_modelled_errors() {
        only_modelled_errors(crate::Operation::GetComplianceDetailsByConfigRule);
    }
    #[test]
    fn r_dcbr_07_compliance_by_resource_answers_only_modelled_errors() {
        only_modelled_errors(crate::Operation::DescribeComplianceByResource);
    }
    #[test]
    fn r_dcbc_05_compliance_by_rule_answers_only_modelled_errors() {
        only_modelled_errors(crate::Operation::DescribeComplianceByConfigRule);
    }
    #[test]
    fn r_sce_04_start_evaluation_answers_only_modelled_errors() {
        only_modelled_errors(crate::Operation::StartConfigRulesEvaluation);
    }
    #[test]
    fn r_der_03_delete_evaluation_results_answers_only_modelled_errors() {
        only_modelled_errors(crate::Operation::DeleteEvaluationResults);
    }
    #[test]
    fn m_10_every_operation_answers_only_modelled_errors() {
        for op in crate::Operation::ALL {
            if *op != crate::Operation::DeleteRemediationExceptions && *op != crate::Operation::DescribeRemediationConfigurations {
                only_modelled_errors(*op);
            }
        }
    }

    /// R-PROT-01 (S-12, A-02): whatever the operation, a body that does not parse as JSON, or
    /// parses as anything but an object, is refused with SerializationException and nothing
    /// else, even where its members would also fail validation, and leaves the world as it was.
    #[test]
    fn r_prot_01_a_body_that_is_not_one_json_object_is_refused_before_any_member_is_checked() {
        use crate::{handle, ErrorCode, Timestamp, World};
        let bodies: [&[u8]; 10] = [
            b"{",
            b"{\"ConfigRuleName\": }",
            b"{\"ConfigRuleName\": \"\",}",
            b"{\"ConfigRuleName\": \"r\"} trailing",
            b"{'ConfigRuleName': 'r'}",
            "\u{ff}\u{fe}".as_bytes(),
            b"[]",
            b"[{\"ConfigRuleName\": \"\"}]",
            b"\"r\"",
            b"42",
        ];
        let now = Timestamp::EPOCH_2026;
        for op in crate::Operation::ALL {
            for body in bodies {
                let mut world = World::reference(now);
                let before = world.clone();
                let outcome = handle(&mut world, *op, body, now);
                let codes: Vec<Option<ErrorCode>> = outcome.alternatives.iter().map(|a| a.reply.error_code()).collect();
                let shown = String::from_utf8_lossy(body);
                assert_eq!(codes, [Some(ErrorCode::SerializationException)], "{op} {shown}");
                assert!(world == before, "{op} {shown}: the refused body changed the world");
                assert!(outcome.clauses.contains(&rule!("R-PROT-01")), "{op} {shown}: the refusal names R-PROT-01");
            }
        }
    }

    #[test]
    fn rule_ids_are_made_only_from_the_catalogue() {
        let id = RuleId::parse("R-PRE-04").unwrap();
        assert_eq!((id.as_str(), id.clause().summary), ("R-PRE-04", find("R-PRE-04").unwrap().summary));
        assert_eq!(RuleId::parse("R-PRE-4"), Err(UnknownRule("R-PRE-4".into())));
        assert_eq!(RuleId::parse("r-pre-04").unwrap_err().to_string(), r#"unknown rule ID "r-pre-04""#);
        assert_eq!(crate::rule!("R-PRE-04"), id);
        assert_eq!(RuleId::all().count(), CLAUSES.len());
        assert!(RuleId::all().zip(CLAUSES).all(|(id, c)| id.as_str() == c.id && id.position() < CLAUSES.len()));
    }

    #[test]
    fn rule_ids_order_and_travel_as_their_text() {
        let mut ids: Vec<RuleId> = ["R-RC-08", "M-01", "R-DelRC-03", "R-DCR-01"].iter().map(|t| RuleId::parse(t).unwrap()).collect();
        ids.sort();
        assert_eq!(ids.iter().map(|i| i.as_str()).collect::<Vec<_>>(), ["M-01", "R-DCR-01", "R-DelRC-03", "R-RC-08"]);
        let json = serde_json::to_string(&ids).unwrap();
        assert_eq!(json, r#"["M-01","R-DCR-01","R-DelRC-03","R-RC-08"]"#);
        assert_eq!(serde_json::from_str::<Vec<RuleId>>(&json).unwrap(), ids);
        let wrong = serde_json::from_str::<Vec<RuleId>>(r#"["R-XYZ-01"]"#).unwrap_err().to_string();
        assert!(wrong.contains(r#"unknown rule ID "R-XYZ-01""#), "{wrong}");
        let map: std::collections::BTreeMap<RuleId, u8> = serde_json::from_str(r#"{"R-RC-08": 1}"#).unwrap();
        assert_eq!(serde_json::to_string(&map).unwrap(), r#"{"R-RC-08":1}"#);
    }
}
