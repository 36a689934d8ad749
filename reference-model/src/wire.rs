//! Requests and responses with the service model's exact member names and shapes.
//!
//! Note the two resource-key shapes (M-01): [`ResourceKey`] (`resourceType`/`resourceId`, both
//! required) for executions, and [`RemediationExceptionResourceKey`] (`ResourceType`/`ResourceId`,
//! both optional) for exceptions. Timestamps are epoch seconds ([`Timestamp`]). Optional members
//! are left out when absent; output lists the real service sends as `[]` are plain `Vec`s.

use crate::operation::Operation;
use crate::time::Timestamp;
use crate::world::ComplianceType;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

// ---------------------------------------------------------------- remediation configurations

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemediationConfiguration {
    pub config_rule_name: String,
    pub target_type: RemediationTargetType,
    pub target_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<BTreeMap<String, RemediationParameterValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub automatic: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_controls: Option<ExecutionControls>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_automatic_attempts: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_attempt_seconds: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by_service: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemediationParameterValue {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_value: Option<ResourceValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub static_value: Option<StaticValue>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceValue {
    pub value: ResourceValueType,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StaticValue {
    pub values: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExecutionControls {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssm_controls: Option<SsmControls>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SsmControls {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrent_execution_rate_percentage: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_percentage: Option<i32>,
}

/// `RemediationConfiguration.TargetType` (R-RC-01): `SSM_DOCUMENT` is the service model's only
/// value, and a validated request holds nothing else. [`RemediationTargetType::Unlisted`] exists
/// for a peer that skips the enum check (`ops::apply_unchecked`), which stores and echoes the
/// value it was sent; validation never yields it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RemediationTargetType {
    SsmDocument,
    /// A value outside the enum, as sent (only through `ops::apply_unchecked`).
    #[serde(untagged)]
    Unlisted(String),
}

/// `ResourceValue.Value` (R-RC-11): `RESOURCE_ID`, the only value, passes the evaluated
/// resource's id. [`ResourceValueType::Unlisted`] is, as for [`RemediationTargetType`], only for
/// a peer that skips the enum check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ResourceValueType {
    ResourceId,
    /// A value outside the enum, as sent (only through `ops::apply_unchecked`).
    #[serde(untagged)]
    Unlisted(String),
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRemediationConfigurationsRequest {
    pub remediation_configurations: Vec<RemediationConfiguration>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FailedRemediationBatch {
    pub failure_message: String,
    pub failed_items: Vec<RemediationConfiguration>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRemediationConfigurationsResponse {
    pub failed_batches: Vec<FailedRemediationBatch>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeRemediationConfigurationsRequest {
    pub config_rule_names: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeRemediationConfigurationsResponse {
    pub remediation_configurations: Vec<RemediationConfiguration>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteRemediationConfigurationRequest {
    pub config_rule_name: String,
    pub resource_type: Option<String>,
}

// ---------------------------------------------------------------- remediation exceptions

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemediationExceptionResourceKey {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemediationException {
    pub config_rule_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_time: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRemediationExceptionsRequest {
    pub config_rule_name: String,
    pub resource_keys: Vec<RemediationExceptionResourceKey>,
    pub message: Option<String>,
    pub expiration_time: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FailedRemediationExceptionBatch {
    pub failure_message: String,
    pub failed_items: Vec<RemediationException>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRemediationExceptionsResponse {
    pub failed_batches: Vec<FailedRemediationExceptionBatch>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeRemediationExceptionsRequest {
    pub config_rule_name: String,
    pub resource_keys: Option<Vec<RemediationExceptionResourceKey>>,
    #[serde(default)]
    pub limit: i32,
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeRemediationExceptionsResponse {
    pub remediation_exceptions: Vec<RemediationException>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteRemediationExceptionsRequest {
    pub config_rule_name: String,
    pub resource_keys: Vec<RemediationExceptionResourceKey>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FailedDeleteRemediationExceptionsBatch {
    pub failure_message: String,
    pub failed_items: Vec<RemediationExceptionResourceKey>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteRemediationExceptionsResponse {
    pub failed_batches: Vec<FailedDeleteRemediationExceptionsBatch>,
}

// ---------------------------------------------------------------- executions

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceKey {
    pub resource_type: String,
    pub resource_id: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartRemediationExecutionRequest {
    pub config_rule_name: String,
    pub resource_keys: Vec<ResourceKey>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartRemediationExecutionResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_items: Option<Vec<ResourceKey>>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeRemediationExecutionStatusRequest {
    pub config_rule_name: String,
    pub resource_keys: Option<Vec<ResourceKey>>,
    #[serde(default)]
    pub limit: i32,
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemediationExecutionStep {
    pub name: String,
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_time: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemediationExecutionStatus {
    pub resource_key: ResourceKey,
    pub state: String,
    pub step_details: Vec<RemediationExecutionStep>,
    pub invocation_time: Timestamp,
    pub last_updated_time: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeRemediationExecutionStatusResponse {
    pub remediation_execution_statuses: Vec<RemediationExecutionStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

// ---------------------------------------------------------------- evaluations

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Evaluation {
    pub compliance_resource_type: String,
    pub compliance_resource_id: String,
    pub compliance_type: ComplianceType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotation: Option<String>,
    pub ordering_timestamp: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutEvaluationsRequest {
    pub evaluations: Option<Vec<Evaluation>>,
    pub result_token: String,
    #[serde(default)]
    pub test_mode: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutEvaluationsResponse {
    pub failed_evaluations: Vec<Evaluation>,
}

// ---------------------------------------------------------------- config rules

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfigRule {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_rule_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_rule_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_rule_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    pub source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_parameters: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_execution_frequency: Option<MaximumExecutionFrequency>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_rule_state: Option<ConfigRuleState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluation_modes: Option<Vec<EvaluationModeConfiguration>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_evaluation_visibility: Option<RuleEvaluationVisibility>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Scope {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compliance_resource_types: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compliance_resource_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_principals: Option<Vec<String>>,
}

/// `Source.Owner`: whose logic the rule runs (R-PCR-03, R-PCR-16, R-PCR-18). The validator
/// refuses any other value first, so a validated request always parses into one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Owner {
    Aws,
    CustomLambda,
    CustomPolicy,
}

/// `EvaluationModeConfiguration.Mode` and the DescribeConfigRules filter (R-PCR-22).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EvaluationMode {
    Detective,
    Proactive,
}

/// `ConfigRule.ConfigRuleState` (R-PCR-24): `ACTIVE`, or for a while `EVALUATING` (R-SCE-01),
/// `DELETING_RESULTS` (R-DER-01) or `DELETING` (R-DCR-02).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConfigRuleState {
    Active,
    Deleting,
    DeletingResults,
    Evaluating,
}

/// How often a periodic rule runs (R-PCR-15, R-PCR-16), and a delivery channel's snapshot
/// frequency (R-DCH-01): the service model spells these values with underscores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MaximumExecutionFrequency {
    #[serde(rename = "One_Hour")]
    OneHour,
    #[serde(rename = "Three_Hours")]
    ThreeHours,
    #[serde(rename = "Six_Hours")]
    SixHours,
    #[serde(rename = "Twelve_Hours")]
    TwelveHours,
    #[serde(rename = "TwentyFour_Hours")]
    TwentyFourHours,
}

/// `SourceDetail.EventSource` (R-PCR-20): `aws.config` is the only value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventSource {
    #[serde(rename = "aws.config")]
    AwsConfig,
}

/// `SourceDetail.MessageType` (R-PCR-17): what triggers a custom rule's evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageType {
    ConfigurationItemChangeNotification,
    ConfigurationSnapshotDeliveryCompleted,
    ScheduledNotification,
    OversizedConfigurationItemChangeNotification,
}

/// `ConfigRule.RuleEvaluationVisibility` and the DescribeConfigRules filter (R-PCR-23).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RuleEvaluationVisibility {
    External,
    Internal,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Source {
    pub owner: Owner,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_identifier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_details: Option<Vec<SourceDetail>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_policy_details: Option<CustomPolicyDetails>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SourceDetail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_source: Option<EventSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_type: Option<MessageType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_execution_frequency: Option<MaximumExecutionFrequency>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomPolicyDetails {
    pub policy_runtime: String,
    pub policy_text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_debug_log_delivery: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EvaluationModeConfiguration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<EvaluationMode>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutConfigRuleRequest {
    pub config_rule: ConfigRule,
    pub tags: Option<Vec<Tag>>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteConfigRuleRequest {
    pub config_rule_name: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeConfigRulesFilters {
    pub evaluation_mode: Option<EvaluationMode>,
    pub rule_evaluation_visibility: Option<RuleEvaluationVisibility>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeConfigRulesRequest {
    pub config_rule_names: Option<Vec<String>>,
    pub filters: Option<DescribeConfigRulesFilters>,
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeConfigRulesResponse {
    pub config_rules: Vec<ConfigRule>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

// ---------------------------------------------------------------- compliance read-back

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetComplianceDetailsByConfigRuleRequest {
    pub config_rule_name: String,
    pub compliance_types: Option<Vec<ComplianceType>>,
    #[serde(default)]
    pub limit: i32,
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EvaluationResultQualifier {
    pub config_rule_name: String,
    pub resource_type: String,
    pub resource_id: String,
    pub evaluation_mode: EvaluationMode,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EvaluationResultIdentifier {
    pub evaluation_result_qualifier: EvaluationResultQualifier,
    pub ordering_timestamp: Timestamp,
    pub resource_evaluation_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EvaluationResult {
    pub evaluation_result_identifier: EvaluationResultIdentifier,
    pub compliance_type: ComplianceType,
    pub result_recorded_time: Timestamp,
    pub config_rule_invoked_time: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotation: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetComplianceDetailsByConfigRuleResponse {
    pub evaluation_results: Vec<EvaluationResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeComplianceByConfigRuleRequest {
    pub config_rule_names: Option<Vec<String>>,
    pub compliance_types: Option<Vec<ComplianceType>>,
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeComplianceByResourceRequest {
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub compliance_types: Option<Vec<ComplianceType>>,
    #[serde(default)]
    pub limit: i32,
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ComplianceContributorCount {
    pub capped_count: i32,
    pub cap_exceeded: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Compliance {
    pub compliance_type: ComplianceType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compliance_contributor_count: Option<ComplianceContributorCount>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ComplianceByConfigRule {
    pub config_rule_name: String,
    pub compliance: Compliance,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeComplianceByConfigRuleResponse {
    pub compliance_by_config_rules: Vec<ComplianceByConfigRule>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ComplianceByResource {
    pub resource_type: String,
    pub resource_id: String,
    pub compliance: Compliance,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeComplianceByResourceResponse {
    pub compliance_by_resources: Vec<ComplianceByResource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

// ---------------------------------------------------------------- configuration recorder and delivery channel
//
// These shapes spell their members in lower camel case (`roleARN`, `s3BucketName`), unlike the
// rest of the API; the request wrappers keep PascalCase.

/// The recording group (R-REC-04): which resource types the recorder records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordingGroup {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_supported: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_global_resource_types: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_types: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusion_by_resource_types: Option<ExclusionByResourceTypes>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recording_strategy: Option<RecordingStrategy>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExclusionByResourceTypes {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_types: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordingStrategy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_only: Option<RecordingStrategyType>,
}

/// `RecordingStrategy.useOnly` (R-REC-04): which of the recording group's members says what is
/// recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RecordingStrategyType {
    AllSupportedResourceTypes,
    InclusionByResourceTypes,
    ExclusionByResourceTypes,
}

/// `ConfigurationRecorderStatus.lastStatus` (R-REC-03): how the recorder's last delivery went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecorderStatus {
    Pending,
    Success,
    Failure,
    NotApplicable,
}

/// A configuration recorder as PutConfigurationRecorder takes it and DescribeConfigurationRecorders
/// returns it (R-REC-01, R-REC-02). `recordingMode` is stored and echoed as sent: the validator
/// has checked its shape and no rule of the model reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationRecorder {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "roleARN", skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recording_group: Option<RecordingGroup>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recording_mode: Option<serde_json::Value>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutConfigurationRecorderRequest {
    pub configuration_recorder: ConfigurationRecorder,
}

/// DescribeConfigurationRecorders and DescribeConfigurationRecorderStatus take the same members.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeConfigurationRecordersRequest {
    pub configuration_recorder_names: Option<Vec<String>>,
    pub service_principal: Option<String>,
    pub arn: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeConfigurationRecordersResponse {
    pub configuration_recorders: Vec<ConfigurationRecorder>,
}

/// One recorder's status (R-REC-03).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationRecorderStatus {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_start_time: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_stop_time: Option<Timestamp>,
    pub recording: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_status: Option<RecorderStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_status_change_time: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeConfigurationRecorderStatusResponse {
    pub configuration_recorders_status: Vec<ConfigurationRecorderStatus>,
}

/// Start, Stop and DeleteConfigurationRecorder name one recorder.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfigurationRecorderNameRequest {
    pub configuration_recorder_name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigSnapshotDeliveryProperties {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_frequency: Option<MaximumExecutionFrequency>,
}

/// A delivery channel (R-DCH-01, R-DCH-02).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryChannel {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_bucket_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_key_prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_kms_key_arn: Option<String>,
    #[serde(rename = "snsTopicARN", skip_serializing_if = "Option::is_none")]
    pub sns_topic_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_snapshot_delivery_properties: Option<ConfigSnapshotDeliveryProperties>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutDeliveryChannelRequest {
    pub delivery_channel: DeliveryChannel,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDeliveryChannelsRequest {
    pub delivery_channel_names: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDeliveryChannelsResponse {
    pub delivery_channels: Vec<DeliveryChannel>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteDeliveryChannelRequest {
    pub delivery_channel_name: String,
}

// ---------------------------------------------------------------- rule states (R-PCR-24)

/// StartConfigRulesEvaluation's input (R-SCE-01): 1 to 25 rule names, none required by the model.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartConfigRulesEvaluationRequest {
    pub config_rule_names: Option<Vec<String>>,
}

/// DeleteEvaluationResults' input (R-DER-01): one rule name.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteEvaluationResultsRequest {
    pub config_rule_name: String,
}

// ---------------------------------------------------------------- one request of any operation

macro_rules! requests {
    ($($op:ident($request:ty)),* $(,)?) => {
        /// A request of any operation, as its typed input: what validation yields
        /// ([`crate::validate::parse_request`], A-01, A-02) and what [`crate::ops::apply`] takes.
        /// One variant per [`Operation`], named after it; the match in [`Request::from_body`]
        /// is exhaustive, so an operation without its variant does not compile.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Request {
            $($op($request)),*
        }

        impl Request {
            /// The operation this request is an input of.
            pub fn operation(&self) -> Operation {
                match self {
                    $(Request::$op(_) => Operation::$op),*
                }
            }

            /// `body` read as `op`'s typed request, without validating it: `Err` when it does
            /// not fit the typed structs (a wrong JSON type, a required member absent, a value
            /// outside a strict enum). JSON `null` counts as an absent member, as the
            /// validator reads it.
            pub fn from_body(op: Operation, body: &Value) -> Result<Request, serde_json::Error> {
                // serde would refuse a null for the unboxed members (`Limit`, `TestMode`) that
                // default when absent. The body is copied only when it has a null member: most
                // have none, and the copy costs as much as the deserialisation.
                let stripped;
                let body = if has_null_member(body) {
                    stripped = without_null_members(body);
                    &stripped
                } else {
                    body
                };
                Ok(match op {
                    $(Operation::$op => Request::$op(<$request>::deserialize(body)?)),*
                })
            }
        }
    };
}

requests! {
    PutRemediationConfigurations(PutRemediationConfigurationsRequest),
    DescribeRemediationConfigurations(DescribeRemediationConfigurationsRequest),
    DeleteRemediationConfiguration(DeleteRemediationConfigurationRequest),
    PutRemediationExceptions(PutRemediationExceptionsRequest),
    DescribeRemediationExceptions(DescribeRemediationExceptionsRequest),
    DeleteRemediationExceptions(DeleteRemediationExceptionsRequest),
    StartRemediationExecution(StartRemediationExecutionRequest),
    DescribeRemediationExecutionStatus(DescribeRemediationExecutionStatusRequest),
    PutEvaluations(PutEvaluationsRequest),
    // Boxed: a rule is more than twice the size of any other request.
    PutConfigRule(Box<PutConfigRuleRequest>),
    DeleteConfigRule(DeleteConfigRuleRequest),
    DescribeConfigRules(DescribeConfigRulesRequest),
    GetComplianceDetailsByConfigRule(GetComplianceDetailsByConfigRuleRequest),
    DescribeComplianceByConfigRule(DescribeComplianceByConfigRuleRequest),
    DescribeComplianceByResource(DescribeComplianceByResourceRequest),
    PutConfigurationRecorder(PutConfigurationRecorderRequest),
    DescribeConfigurationRecorders(DescribeConfigurationRecordersRequest),
    DescribeConfigurationRecorderStatus(DescribeConfigurationRecordersRequest),
    StartConfigurationRecorder(ConfigurationRecorderNameRequest),
    StopConfigurationRecorder(ConfigurationRecorderNameRequest),
    DeleteConfigurationRecorder(ConfigurationRecorderNameRequest),
    PutDeliveryChannel(PutDeliveryChannelRequest),
    DescribeDeliveryChannels(DescribeDeliveryChannelsRequest),
    DeleteDeliveryChannel(DeleteDeliveryChannelRequest),
    StartConfigRulesEvaluation(StartConfigRulesEvaluationRequest),
    DeleteEvaluationResults(DeleteEvaluationResultsRequest),
}

/// True when an object member anywhere in `value` is `null` (what [`without_null_members`]
/// would leave out).
fn has_null_member(value: &Value) -> bool {
    match value {
        Value::Object(members) => members.values().any(|v| v.is_null() || has_null_member(v)),
        Value::Array(items) => items.iter().any(has_null_member),
        _ => false,
    }
}

/// `value` with every object member whose value is `null` left out, at any depth.
fn without_null_members(value: &Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), without_null_members(v))).collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_null_members).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod enum_tests {
    use super::*;
    use crate::service_model::ServiceModel;

    /// The JSON text of each value.
    fn texts<T: Serialize>(values: &[T]) -> Vec<String> {
        values.iter().map(|v| serde_json::to_value(v).ok().and_then(|t| t.as_str().map(str::to_owned)).unwrap_or_default()).collect()
    }

    /// Each typed enum member has exactly the values of its service-model shape, so parsing a
    /// validated request cannot fail and no value the service allows is missing.
    #[test]
    fn typed_enums_have_the_service_models_values() {
        use ComplianceType as C;
        let model = ServiceModel::get();
        let cases: Vec<(&str, Vec<String>)> = vec![
            ("Owner", texts(&[Owner::Aws, Owner::CustomLambda, Owner::CustomPolicy])),
            ("EvaluationMode", texts(&[EvaluationMode::Detective, EvaluationMode::Proactive])),
            ("ComplianceType", texts(&[C::Compliant, C::NonCompliant, C::NotApplicable, C::InsufficientData])),
            ("ConfigRuleState", texts(&[ConfigRuleState::Active, ConfigRuleState::Deleting, ConfigRuleState::DeletingResults, ConfigRuleState::Evaluating])),
            (
                "MaximumExecutionFrequency",
                texts(&[
                    MaximumExecutionFrequency::OneHour,
                    MaximumExecutionFrequency::ThreeHours,
                    MaximumExecutionFrequency::SixHours,
                    MaximumExecutionFrequency::TwelveHours,
                    MaximumExecutionFrequency::TwentyFourHours,
                ]),
            ),
            ("RemediationTargetType", texts(&[RemediationTargetType::SsmDocument])),
            ("ResourceValueType", texts(&[ResourceValueType::ResourceId])),
            ("EventSource", texts(&[EventSource::AwsConfig])),
            (
                "MessageType",
                texts(&[
                    MessageType::ConfigurationItemChangeNotification,
                    MessageType::ConfigurationSnapshotDeliveryCompleted,
                    MessageType::ScheduledNotification,
                    MessageType::OversizedConfigurationItemChangeNotification,
                ]),
            ),
            ("RuleEvaluationVisibility", texts(&[RuleEvaluationVisibility::External, RuleEvaluationVisibility::Internal])),
            (
                "RecordingStrategyType",
                texts(&[
                    RecordingStrategyType::AllSupportedResourceTypes,
                    RecordingStrategyType::InclusionByResourceTypes,
                    RecordingStrategyType::ExclusionByResourceTypes,
                ]),
            ),
            ("RecorderStatus", texts(&[RecorderStatus::Pending, RecorderStatus::Success, RecorderStatus::Failure, RecorderStatus::NotApplicable])),
        ];
        for (shape, mut ours) in cases {
            let mut theirs = model.enum_values(shape).to_vec();
            theirs.sort();
            ours.sort();
            assert!(!theirs.is_empty(), "{shape} has no enum in the service model");
            assert_eq!(ours, theirs, "{shape}");
        }
    }

    /// Each typed member of an enum shape parses every value of the shape back to itself, so
    /// a validated request always fits (the members of the shapes above, at their places).
    #[test]
    fn enum_members_sit_where_the_service_model_puts_them() {
        let model = ServiceModel::get();
        let places = [
            ("RemediationConfiguration", "TargetType", "RemediationTargetType"),
            ("ResourceValue", "Value", "ResourceValueType"),
            ("ConfigRule", "ConfigRuleState", "ConfigRuleState"),
            ("ConfigRule", "MaximumExecutionFrequency", "MaximumExecutionFrequency"),
            ("ConfigRule", "RuleEvaluationVisibility", "RuleEvaluationVisibility"),
            ("SourceDetail", "EventSource", "EventSource"),
            ("SourceDetail", "MessageType", "MessageType"),
            ("SourceDetail", "MaximumExecutionFrequency", "MaximumExecutionFrequency"),
            ("EvaluationResultQualifier", "EvaluationMode", "EvaluationMode"),
            ("DescribeConfigRulesFilters", "RuleEvaluationVisibility", "RuleEvaluationVisibility"),
            ("RecordingStrategy", "useOnly", "RecordingStrategyType"),
            ("ConfigurationRecorderStatus", "lastStatus", "RecorderStatus"),
            ("ConfigSnapshotDeliveryProperties", "deliveryFrequency", "MaximumExecutionFrequency"),
        ];
        for (structure, member, shape) in places {
            assert_eq!(model.member_shape(structure, member), Some(shape), "{structure}.{member}");
        }
    }

    /// Out of a peer that skips the enum check, an unlisted value is kept as sent and echoed
    /// unchanged; a listed one is its variant.
    #[test]
    fn unlisted_values_round_trip_as_sent() {
        let unlisted: RemediationTargetType = serde_json::from_value(serde_json::json!("LAMBDA")).expect("any string");
        assert_eq!(unlisted, RemediationTargetType::Unlisted("LAMBDA".into()));
        assert_eq!(serde_json::to_value(&unlisted).ok(), Some(serde_json::json!("LAMBDA")));
        let listed: ResourceValueType = serde_json::from_value(serde_json::json!("RESOURCE_ID")).expect("the value");
        assert_eq!(listed, ResourceValueType::ResourceId);
        // A strict enum refuses what the model does not list.
        assert!(serde_json::from_value::<MessageType>(serde_json::json!("Nope")).is_err());
    }
}
