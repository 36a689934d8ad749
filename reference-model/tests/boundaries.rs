//! Boundary tests for every limited input member of the fifteen operations the model answers:
//! for each (operation, member, limit) of the table below, `min-1`, `min`, `max` and `max+1`
//! (lengths in UTF-16 units, list and map sizes, numeric ranges), every enum value and an
//! invalid one, the `.*\S.*` pattern with blank and multi-line values, and a required member
//! left out. A test walks the embedded service model and fails if it holds a limit the table
//! lacks (or the other way round), so a newer service model cannot slip a limit past us.
//!
//! Paths are written as in `fixtures/service-model/table.md`: `A[].B{key}` / `A[].B{value}.C`.

mod common;

use common::T0;
use reference_model::service_model::{ServiceModel, Shape};
use reference_model::validate::{render_value_as, validate_request, validation_message, violations, Violation};
use reference_model::{handle, handle_value, ApiError, ErrorCode, Operation, Reply, World};
use rstest::rstest;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

const NON_BLANK: &str = r".*\S.*";
const GUARD: &str = r"guard\-2\.x\.x";
const SERVICE_PRINCIPAL: &str = r"[\w+=,.@-]+";

/// One limit of one member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Check {
    /// The member must be present.
    Required,
    /// String length in UTF-16 code units.
    Len(u64, u64),
    /// Number of list items or map entries.
    Count(u64, u64),
    /// Numeric range.
    Range(i64, i64),
    /// A pattern, by its source text.
    Pattern(&'static str),
    /// An enum, by the name of its shape.
    Enum(&'static str),
}

use Check::*;
use Operation::*;

/// A limit, the operation and member it applies to, and the rule that states it.
struct Row {
    rule: &'static str,
    op: Operation,
    path: &'static str,
    check: Check,
}

macro_rules! rows {
    ($($rule:literal $op:ident $path:literal $check:expr;)*) => {
        &[$(Row { rule: $rule, op: $op, path: $path, check: $check }),*]
    };
}

/// Every limit of every input member (botocore 1.44.8; `fixtures/service-model/table.md` for the nine
/// remediation operations, the service model for the rule calls).
#[rustfmt::skip]
const TABLE: &[Row] = rows![
    // PutRemediationConfigurations
    "R-PRC-11" PutRemediationConfigurations "RemediationConfigurations" Required;
    "R-PRC-11" PutRemediationConfigurations "RemediationConfigurations" Count(0, 25);
    "R-PRC-11" PutRemediationConfigurations "RemediationConfigurations[].ConfigRuleName" Required;
    "R-PRC-11" PutRemediationConfigurations "RemediationConfigurations[].ConfigRuleName" Len(1, 128);
    "R-PRC-11" PutRemediationConfigurations "RemediationConfigurations[].ConfigRuleName" Pattern(NON_BLANK);
    "R-RC-01" PutRemediationConfigurations "RemediationConfigurations[].TargetType" Required;
    "R-RC-01" PutRemediationConfigurations "RemediationConfigurations[].TargetType" Enum("RemediationTargetType");
    "R-PRC-11" PutRemediationConfigurations "RemediationConfigurations[].TargetId" Required;
    "R-PRC-11" PutRemediationConfigurations "RemediationConfigurations[].TargetId" Len(1, 256);
    "R-RC-10" PutRemediationConfigurations "RemediationConfigurations[].Parameters" Count(0, 25);
    "R-RC-10" PutRemediationConfigurations "RemediationConfigurations[].Parameters{key}" Len(1, 256);
    "R-RC-11" PutRemediationConfigurations "RemediationConfigurations[].Parameters{value}.ResourceValue.Value" Required;
    "R-RC-11" PutRemediationConfigurations "RemediationConfigurations[].Parameters{value}.ResourceValue.Value" Enum("ResourceValueType");
    "R-RC-12" PutRemediationConfigurations "RemediationConfigurations[].Parameters{value}.StaticValue.Values" Required;
    "R-RC-12" PutRemediationConfigurations "RemediationConfigurations[].Parameters{value}.StaticValue.Values" Count(0, 25);
    "R-RC-12" PutRemediationConfigurations "RemediationConfigurations[].Parameters{value}.StaticValue.Values[]" Len(1, 256);
    "R-RC-07" PutRemediationConfigurations "RemediationConfigurations[].ExecutionControls.SsmControls.ConcurrentExecutionRatePercentage" Range(1, 100);
    "R-RC-08" PutRemediationConfigurations "RemediationConfigurations[].ExecutionControls.SsmControls.ErrorPercentage" Range(1, 100);
    "R-RC-05" PutRemediationConfigurations "RemediationConfigurations[].MaximumAutomaticAttempts" Range(1, 25);
    "R-RC-06" PutRemediationConfigurations "RemediationConfigurations[].RetryAttemptSeconds" Range(1, 2_678_000);
    "R-RC-13" PutRemediationConfigurations "RemediationConfigurations[].Arn" Len(1, 1024);
    "R-RC-14" PutRemediationConfigurations "RemediationConfigurations[].CreatedByService" Len(1, 1024);
    // DescribeRemediationConfigurations
    "R-DRC-02" DescribeRemediationConfigurations "ConfigRuleNames" Required;
    "R-DRC-02" DescribeRemediationConfigurations "ConfigRuleNames" Count(0, 25);
    "R-DRC-02" DescribeRemediationConfigurations "ConfigRuleNames[]" Len(1, 128);
    "R-DRC-02" DescribeRemediationConfigurations "ConfigRuleNames[]" Pattern(NON_BLANK);
    // DeleteRemediationConfiguration
    "R-DelRC-01" DeleteRemediationConfiguration "ConfigRuleName" Required;
    "R-DelRC-01" DeleteRemediationConfiguration "ConfigRuleName" Len(1, 128);
    "R-DelRC-01" DeleteRemediationConfiguration "ConfigRuleName" Pattern(NON_BLANK);
    // PutRemediationExceptions
    "R-PRE-07" PutRemediationExceptions "ConfigRuleName" Required;
    "R-PRE-07" PutRemediationExceptions "ConfigRuleName" Len(1, 128);
    "R-PRE-07" PutRemediationExceptions "ConfigRuleName" Pattern(NON_BLANK);
    "R-PRE-07" PutRemediationExceptions "ResourceKeys" Required;
    "R-PRE-07" PutRemediationExceptions "ResourceKeys" Count(1, 100);
    "R-PRE-07" PutRemediationExceptions "ResourceKeys[].ResourceType" Len(1, 256);
    "R-PRE-07" PutRemediationExceptions "ResourceKeys[].ResourceId" Len(1, 1024);
    "R-PRE-08" PutRemediationExceptions "Message" Len(1, 1024);
    // DescribeRemediationExceptions
    "R-DRE-07" DescribeRemediationExceptions "ConfigRuleName" Required;
    "R-DRE-07" DescribeRemediationExceptions "ConfigRuleName" Len(1, 128);
    "R-DRE-07" DescribeRemediationExceptions "ConfigRuleName" Pattern(NON_BLANK);
    "R-DRE-07" DescribeRemediationExceptions "ResourceKeys" Count(1, 100);
    "R-DRE-07" DescribeRemediationExceptions "ResourceKeys[].ResourceType" Len(1, 256);
    "R-DRE-07" DescribeRemediationExceptions "ResourceKeys[].ResourceId" Len(1, 1024);
    "R-DRE-04" DescribeRemediationExceptions "Limit" Range(0, 100);
    // DeleteRemediationExceptions
    "R-DelRE-04" DeleteRemediationExceptions "ConfigRuleName" Required;
    "R-DelRE-04" DeleteRemediationExceptions "ConfigRuleName" Len(1, 128);
    "R-DelRE-04" DeleteRemediationExceptions "ConfigRuleName" Pattern(NON_BLANK);
    "R-DelRE-04" DeleteRemediationExceptions "ResourceKeys" Required;
    "R-DelRE-04" DeleteRemediationExceptions "ResourceKeys" Count(1, 100);
    "R-DelRE-04" DeleteRemediationExceptions "ResourceKeys[].ResourceType" Len(1, 256);
    "R-DelRE-04" DeleteRemediationExceptions "ResourceKeys[].ResourceId" Len(1, 1024);
    // StartRemediationExecution
    "R-SRE-03" StartRemediationExecution "ConfigRuleName" Required;
    "R-SRE-03" StartRemediationExecution "ConfigRuleName" Len(1, 128);
    "R-SRE-03" StartRemediationExecution "ConfigRuleName" Pattern(NON_BLANK);
    "R-SRE-03" StartRemediationExecution "ResourceKeys" Required;
    "R-SRE-03" StartRemediationExecution "ResourceKeys" Count(1, 100);
    "R-SRE-03" StartRemediationExecution "ResourceKeys[].resourceType" Required;
    "R-SRE-03" StartRemediationExecution "ResourceKeys[].resourceType" Enum("ResourceType");
    "R-SRE-03" StartRemediationExecution "ResourceKeys[].resourceId" Required;
    "R-SRE-03" StartRemediationExecution "ResourceKeys[].resourceId" Len(1, 768);
    // DescribeRemediationExecutionStatus
    "R-DRES-05" DescribeRemediationExecutionStatus "ConfigRuleName" Required;
    "R-DRES-05" DescribeRemediationExecutionStatus "ConfigRuleName" Len(1, 128);
    "R-DRES-05" DescribeRemediationExecutionStatus "ConfigRuleName" Pattern(NON_BLANK);
    "R-DRES-05" DescribeRemediationExecutionStatus "ResourceKeys" Count(1, 100);
    "R-DRES-05" DescribeRemediationExecutionStatus "ResourceKeys[].resourceType" Required;
    "R-DRES-05" DescribeRemediationExecutionStatus "ResourceKeys[].resourceType" Enum("ResourceType");
    "R-DRES-05" DescribeRemediationExecutionStatus "ResourceKeys[].resourceId" Required;
    "R-DRES-05" DescribeRemediationExecutionStatus "ResourceKeys[].resourceId" Len(1, 768);
    "R-DRES-03" DescribeRemediationExecutionStatus "Limit" Range(0, 100);
    // PutEvaluations
    "R-PE-02" PutEvaluations "Evaluations" Count(0, 100);
    "R-PE-09" PutEvaluations "Evaluations[].ComplianceResourceType" Required;
    "R-PE-09" PutEvaluations "Evaluations[].ComplianceResourceType" Len(1, 256);
    "R-PE-09" PutEvaluations "Evaluations[].ComplianceResourceId" Required;
    "R-PE-09" PutEvaluations "Evaluations[].ComplianceResourceId" Len(1, 768);
    "R-PE-06" PutEvaluations "Evaluations[].ComplianceType" Required;
    "R-PE-06" PutEvaluations "Evaluations[].ComplianceType" Enum("ComplianceType");
    "R-PE-08" PutEvaluations "Evaluations[].Annotation" Len(1, 256);
    "R-PE-07" PutEvaluations "Evaluations[].OrderingTimestamp" Required;
    "R-PE-03" PutEvaluations "ResultToken" Required;
    // PutConfigRule
    "R-PCR-27" PutConfigRule "ConfigRule" Required;
    "R-PCR-05" PutConfigRule "ConfigRule.ConfigRuleName" Len(1, 128);
    "R-PCR-05" PutConfigRule "ConfigRule.ConfigRuleName" Pattern(NON_BLANK);
    "R-PCR-06" PutConfigRule "ConfigRule.ConfigRuleArn" Len(1, 256);
    "R-PCR-06" PutConfigRule "ConfigRule.ConfigRuleId" Len(1, 64);
    "R-PCR-25" PutConfigRule "ConfigRule.Description" Len(0, 256);
    "R-PCR-12" PutConfigRule "ConfigRule.Scope.ComplianceResourceTypes" Count(0, 100);
    "R-PCR-12" PutConfigRule "ConfigRule.Scope.ComplianceResourceTypes[]" Len(1, 256);
    "R-PCR-13" PutConfigRule "ConfigRule.Scope.TagKey" Len(1, 128);
    "R-PCR-13" PutConfigRule "ConfigRule.Scope.TagValue" Len(1, 256);
    "R-PCR-12" PutConfigRule "ConfigRule.Scope.ComplianceResourceId" Len(1, 768);
    "R-PCR-14" PutConfigRule "ConfigRule.Scope.ServicePrincipals" Count(0, 100);
    "R-PCR-14" PutConfigRule "ConfigRule.Scope.ServicePrincipals[]" Len(1, 128);
    "R-PCR-27" PutConfigRule "ConfigRule.Source" Required;
    "R-PCR-27" PutConfigRule "ConfigRule.Source.Owner" Required;
    "R-PCR-02" PutConfigRule "ConfigRule.Source.Owner" Enum("Owner");
    "R-PCR-03" PutConfigRule "ConfigRule.Source.SourceIdentifier" Len(1, 256);
    "R-PCR-16" PutConfigRule "ConfigRule.Source.SourceDetails" Count(0, 25);
    "R-PCR-20" PutConfigRule "ConfigRule.Source.SourceDetails[].EventSource" Enum("EventSource");
    "R-PCR-16" PutConfigRule "ConfigRule.Source.SourceDetails[].MessageType" Enum("MessageType");
    "R-PCR-16" PutConfigRule "ConfigRule.Source.SourceDetails[].MaximumExecutionFrequency" Enum("MaximumExecutionFrequency");
    "R-PCR-19" PutConfigRule "ConfigRule.Source.CustomPolicyDetails.PolicyRuntime" Required;
    "R-PCR-19" PutConfigRule "ConfigRule.Source.CustomPolicyDetails.PolicyRuntime" Len(1, 64);
    "R-PCR-19" PutConfigRule "ConfigRule.Source.CustomPolicyDetails.PolicyRuntime" Pattern(GUARD);
    "R-PCR-19" PutConfigRule "ConfigRule.Source.CustomPolicyDetails.PolicyText" Required;
    "R-PCR-19" PutConfigRule "ConfigRule.Source.CustomPolicyDetails.PolicyText" Len(0, 10_000);
    "R-PCR-21" PutConfigRule "ConfigRule.InputParameters" Len(1, 1024);
    "R-PCR-16" PutConfigRule "ConfigRule.MaximumExecutionFrequency" Enum("MaximumExecutionFrequency");
    "R-PCR-27" PutConfigRule "ConfigRule.ConfigRuleState" Enum("ConfigRuleState");
    "R-PCR-14" PutConfigRule "ConfigRule.CreatedBy" Len(1, 256);
    "R-PCR-22" PutConfigRule "ConfigRule.EvaluationModes[].Mode" Enum("EvaluationMode");
    "R-PCR-23" PutConfigRule "ConfigRule.RuleEvaluationVisibility" Enum("RuleEvaluationVisibility");
    "R-PCR-26" PutConfigRule "Tags" Count(0, 50);
    "R-PCR-26" PutConfigRule "Tags[].Key" Len(1, 128);
    "R-PCR-26" PutConfigRule "Tags[].Value" Len(0, 256);
    // DeleteConfigRule
    "R-DCR-01" DeleteConfigRule "ConfigRuleName" Required;
    "R-DCR-01" DeleteConfigRule "ConfigRuleName" Len(1, 128);
    "R-DCR-01" DeleteConfigRule "ConfigRuleName" Pattern(NON_BLANK);
    // DescribeConfigRules
    "R-DCRs-01" DescribeConfigRules "ConfigRuleNames" Count(0, 25);
    "R-DCRs-01" DescribeConfigRules "ConfigRuleNames[]" Len(1, 128);
    "R-DCRs-01" DescribeConfigRules "ConfigRuleNames[]" Pattern(NON_BLANK);
    "R-DCRs-02" DescribeConfigRules "Filters.EvaluationMode" Enum("EvaluationMode");
    "R-DCRs-02" DescribeConfigRules "Filters.RuleEvaluationVisibility" Enum("RuleEvaluationVisibility");
    // GetComplianceDetailsByConfigRule
    "R-GCD-04" GetComplianceDetailsByConfigRule "ConfigRuleName" Required;
    "R-GCD-04" GetComplianceDetailsByConfigRule "ConfigRuleName" Len(1, 64);
    "R-CMP-03" GetComplianceDetailsByConfigRule "ComplianceTypes" Count(0, 3);
    "R-GCD-02" GetComplianceDetailsByConfigRule "ComplianceTypes[]" Enum("ComplianceType");
    "R-GCD-03" GetComplianceDetailsByConfigRule "Limit" Range(0, 100);
    // DescribeComplianceByConfigRule
    "R-DCBC-04" DescribeComplianceByConfigRule "ConfigRuleNames" Count(0, 25);
    "R-DCBC-04" DescribeComplianceByConfigRule "ConfigRuleNames[]" Len(1, 128);
    "R-DCBC-04" DescribeComplianceByConfigRule "ConfigRuleNames[]" Pattern(NON_BLANK);
    "R-DCBC-04" DescribeComplianceByConfigRule "ComplianceTypes" Count(0, 3);
    "R-DCBC-04" DescribeComplianceByConfigRule "ComplianceTypes[]" Enum("ComplianceType");
    // DescribeComplianceByResource
    "R-DCBR-05" DescribeComplianceByResource "ResourceType" Len(1, 256);
    "R-DCBR-05" DescribeComplianceByResource "ResourceId" Len(1, 768);
    "R-CMP-03" DescribeComplianceByResource "ComplianceTypes" Count(0, 3);
    "R-CMP-03" DescribeComplianceByResource "ComplianceTypes[]" Enum("ComplianceType");
    "R-DCBR-06" DescribeComplianceByResource "Limit" Range(0, 100);    // PutConfigurationRecorder
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder" Required;
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.arn" Len(1, 1000);
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.name" Len(1, 256);
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.recordingGroup.resourceTypes[]" Enum("ResourceType");
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.recordingGroup.exclusionByResourceTypes.resourceTypes[]" Enum("ResourceType");
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.recordingGroup.recordingStrategy.useOnly" Enum("RecordingStrategyType");
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.recordingMode.recordingFrequency" Required;
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.recordingMode.recordingFrequency" Enum("RecordingFrequency");
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.recordingMode.recordingModeOverrides" Count(0, 1);
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.recordingMode.recordingModeOverrides[].description" Len(1, 256);
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.recordingMode.recordingModeOverrides[].resourceTypes" Required;
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.recordingMode.recordingModeOverrides[].resourceTypes[]" Enum("ResourceType");
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.recordingMode.recordingModeOverrides[].recordingFrequency" Required;
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.recordingMode.recordingModeOverrides[].recordingFrequency" Enum("RecordingFrequency");
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.recordingScope" Enum("RecordingScope");
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.servicePrincipal" Len(1, 128);
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.servicePrincipal" Pattern(SERVICE_PRINCIPAL);
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.connectorArn" Len(1, 1000);
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.scopeConfiguration.scopeType" Required;
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.scopeConfiguration.scopeType" Len(1, 256);
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.scopeConfiguration.scopeValues[]" Len(1, 256);
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.scopeConfiguration.allRegions" Required;
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.scopeConfiguration.includedRegions" Count(0, 200);
    "R-REC-05" PutConfigurationRecorder "ConfigurationRecorder.scopeConfiguration.includedRegions[]" Len(1, 128);
    "R-REC-05" PutConfigurationRecorder "Tags" Count(0, 50);
    "R-REC-05" PutConfigurationRecorder "Tags[].Key" Len(1, 128);
    "R-REC-05" PutConfigurationRecorder "Tags[].Value" Len(0, 256);
    // DescribeConfigurationRecorders
    "R-REC-05" DescribeConfigurationRecorders "ConfigurationRecorderNames[]" Len(1, 256);
    "R-REC-05" DescribeConfigurationRecorders "ServicePrincipal" Len(1, 128);
    "R-REC-05" DescribeConfigurationRecorders "ServicePrincipal" Pattern(SERVICE_PRINCIPAL);
    "R-REC-05" DescribeConfigurationRecorders "Arn" Len(1, 1000);
    // DescribeConfigurationRecorderStatus
    "R-REC-05" DescribeConfigurationRecorderStatus "ConfigurationRecorderNames[]" Len(1, 256);
    "R-REC-05" DescribeConfigurationRecorderStatus "ServicePrincipal" Len(1, 128);
    "R-REC-05" DescribeConfigurationRecorderStatus "ServicePrincipal" Pattern(SERVICE_PRINCIPAL);
    "R-REC-05" DescribeConfigurationRecorderStatus "Arn" Len(1, 1000);
    // StartConfigurationRecorder
    "R-REC-05" StartConfigurationRecorder "ConfigurationRecorderName" Required;
    "R-REC-05" StartConfigurationRecorder "ConfigurationRecorderName" Len(1, 256);
    // StopConfigurationRecorder
    "R-REC-05" StopConfigurationRecorder "ConfigurationRecorderName" Required;
    "R-REC-05" StopConfigurationRecorder "ConfigurationRecorderName" Len(1, 256);
    // DeleteConfigurationRecorder
    "R-REC-05" DeleteConfigurationRecorder "ConfigurationRecorderName" Required;
    "R-REC-05" DeleteConfigurationRecorder "ConfigurationRecorderName" Len(1, 256);
    // PutDeliveryChannel
    "R-DCH-04" PutDeliveryChannel "DeliveryChannel" Required;
    "R-DCH-04" PutDeliveryChannel "DeliveryChannel.name" Len(1, 256);
    "R-DCH-04" PutDeliveryChannel "DeliveryChannel.configSnapshotDeliveryProperties.deliveryFrequency" Enum("MaximumExecutionFrequency");
    // DescribeDeliveryChannels
    "R-DCH-04" DescribeDeliveryChannels "DeliveryChannelNames[]" Len(1, 256);
    // DeleteDeliveryChannel
    "R-DCH-04" DeleteDeliveryChannel "DeliveryChannelName" Required;
    "R-DCH-04" DeleteDeliveryChannel "DeliveryChannelName" Len(1, 256);
    // StartConfigRulesEvaluation
    "R-SCE-01" StartConfigRulesEvaluation "ConfigRuleNames" Count(1, 25);
    "R-SCE-01" StartConfigRulesEvaluation "ConfigRuleNames[]" Len(1, 128);
    "R-SCE-01" StartConfigRulesEvaluation "ConfigRuleNames[]" Pattern(NON_BLANK);
    // DeleteEvaluationResults
    "R-DER-01" DeleteEvaluationResults "ConfigRuleName" Required;
    "R-DER-01" DeleteEvaluationResults "ConfigRuleName" Len(1, 64);
];

/// A valid request of each operation that sets every member the table names (one item per
/// list, one entry per map), so that each boundary changes exactly one thing.
fn base(op: Operation) -> Value {
    let ex_key = json!({"ResourceType": "AWS::S3::Bucket", "ResourceId": "b"});
    let key = json!({"resourceType": "AWS::S3::Bucket", "resourceId": "b"});
    match op {
        PutRemediationConfigurations => json!({"RemediationConfigurations": [{
            "ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "AWS-EnableS3BucketEncryption",
            "TargetVersion": "1",
            // Both members on one value: the validator checks each; the union rule (R-RC-10) is semantic.
            "Parameters": {"P": {"ResourceValue": {"Value": "RESOURCE_ID"}, "StaticValue": {"Values": ["v"]}}},
            "ResourceType": "AWS::S3::Bucket", "Automatic": false,
            "ExecutionControls": {"SsmControls": {"ConcurrentExecutionRatePercentage": 10, "ErrorPercentage": 50}},
            "MaximumAutomaticAttempts": 5, "RetryAttemptSeconds": 60,
            "Arn": "arn:aws:config:us-east-1:123456789012:remediation-configuration/r/x", "CreatedByService": "s"
        }]}),
        DescribeRemediationConfigurations => json!({"ConfigRuleNames": ["r"]}),
        DeleteRemediationConfiguration => json!({"ConfigRuleName": "r", "ResourceType": "AWS::S3::Bucket"}),
        PutRemediationExceptions => {
            json!({"ConfigRuleName": "r", "ResourceKeys": [ex_key], "Message": "m", "ExpirationTime": 1_800_000_000})
        }
        DescribeRemediationExceptions => json!({"ConfigRuleName": "r", "ResourceKeys": [ex_key], "Limit": 10, "NextToken": "t"}),
        DeleteRemediationExceptions => json!({"ConfigRuleName": "r", "ResourceKeys": [ex_key]}),
        StartRemediationExecution => json!({"ConfigRuleName": "r", "ResourceKeys": [key]}),
        DescribeRemediationExecutionStatus => json!({"ConfigRuleName": "r", "ResourceKeys": [key], "Limit": 10, "NextToken": "t"}),
        PutEvaluations => json!({"Evaluations": [{
            "ComplianceResourceType": "AWS::S3::Bucket", "ComplianceResourceId": "b", "ComplianceType": "NON_COMPLIANT",
            "Annotation": "a", "OrderingTimestamp": 1_767_225_600
        }], "ResultToken": "t", "TestMode": true}),
        PutConfigRule => json!({"ConfigRule": {
            "ConfigRuleName": "r", "ConfigRuleArn": "arn:aws:config:us-east-1:123456789012:config-rule/config-rule-abcdef",
            "ConfigRuleId": "config-rule-abcdef", "Description": "d",
            "Scope": {"ComplianceResourceTypes": ["AWS::S3::Bucket"], "TagKey": "k", "TagValue": "v",
                      "ComplianceResourceId": "b", "ServicePrincipals": ["config.amazonaws.com"]},
            "Source": {"Owner": "CUSTOM_POLICY", "SourceIdentifier": "s",
                       "SourceDetails": [{"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification",
                                          "MaximumExecutionFrequency": "One_Hour"}],
                       "CustomPolicyDetails": {"PolicyRuntime": "guard-2.x.x", "PolicyText": "rule x {}", "EnableDebugLogDelivery": false}},
            "InputParameters": "{}", "MaximumExecutionFrequency": "One_Hour", "ConfigRuleState": "ACTIVE", "CreatedBy": "c",
            "EvaluationModes": [{"Mode": "DETECTIVE"}], "RuleEvaluationVisibility": "EXTERNAL"
        }, "Tags": [{"Key": "k", "Value": "v"}]}),
        DeleteConfigRule => json!({"ConfigRuleName": "r"}),
        DescribeConfigRules => {
            json!({"ConfigRuleNames": ["r"], "Filters": {"EvaluationMode": "DETECTIVE", "RuleEvaluationVisibility": "EXTERNAL"}, "NextToken": "t"})
        }
        GetComplianceDetailsByConfigRule => json!({"ConfigRuleName": "r", "ComplianceTypes": ["COMPLIANT"], "Limit": 10, "NextToken": "t"}),
        DescribeComplianceByConfigRule => json!({"ConfigRuleNames": ["r"], "ComplianceTypes": ["COMPLIANT"], "NextToken": "t"}),
        DescribeComplianceByResource => json!({
            "ResourceType": "AWS::S3::Bucket", "ResourceId": "b", "ComplianceTypes": ["COMPLIANT"], "Limit": 10, "NextToken": "t"
        }),
        PutConfigurationRecorder | DescribeConfigurationRecorders | DescribeConfigurationRecorderStatus | StartConfigurationRecorder | StopConfigurationRecorder | DeleteConfigurationRecorder | PutDeliveryChannel | DescribeDeliveryChannels | DeleteDeliveryChannel => common::account_setup_body(op),
        StartConfigRulesEvaluation => json!({"ConfigRuleNames": ["r"]}),
        DeleteEvaluationResults => json!({"ConfigRuleName": "r"}),
    }
}

// ------------------------------------------------------------------ paths

#[derive(Clone, Copy, Debug, PartialEq)]
enum Seg<'a> {
    Member(&'a str),
    Item,
    Key,
    Value,
}

fn segments(path: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let end = part.find(['[', '{']).unwrap_or(part.len());
        out.push(Seg::Member(&part[..end]));
        let mut rest = &part[end..];
        while !rest.is_empty() {
            let (seg, r) = if let Some(r) = rest.strip_prefix("[]") {
                (Seg::Item, r)
            } else if let Some(r) = rest.strip_prefix("{key}") {
                (Seg::Key, r)
            } else if let Some(r) = rest.strip_prefix("{value}") {
                (Seg::Value, r)
            } else {
                panic!("bad path {path}")
            };
            out.push(seg);
            rest = r;
        }
    }
    out
}

fn lower_camel(member: &str) -> String {
    let mut chars = member.chars();
    chars.next().map(|c| c.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// What to do at the end of a path.
enum Edit {
    Set(Value),
    Remove,
    Read,
}

/// Applies `edit` at `path` (first item of every list, first entry of every map) and returns
/// the path as the service prints it in a validation message, and the value found there.
fn at_path(body: &mut Value, path: &str, edit: Edit) -> (String, Option<Value>) {
    let segs = segments(path);
    let mut wire = String::new();
    let mut node = body;
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        match *seg {
            Seg::Member(name) => {
                if !wire.is_empty() {
                    wire.push('.');
                }
                wire.push_str(&lower_camel(name));
                let object = node.as_object_mut().unwrap_or_else(|| panic!("{path}: not an object at {name}"));
                if last {
                    let found = object.get(name).cloned();
                    match edit {
                        Edit::Set(v) => {
                            object.insert(name.to_owned(), v);
                        }
                        Edit::Remove => {
                            object.remove(name);
                        }
                        Edit::Read => {}
                    }
                    return (wire, found);
                }
                node = object.get_mut(name).unwrap_or_else(|| panic!("{path}: the base body lacks {name}"));
            }
            Seg::Item => {
                wire.push_str(".1.member");
                let items = node.as_array_mut().unwrap_or_else(|| panic!("{path}: not a list"));
                if last {
                    let found = items.first().cloned();
                    if let Edit::Set(v) = edit {
                        items[0] = v;
                    }
                    return (wire, found);
                }
                node = &mut items[0];
            }
            Seg::Key => {
                assert!(last, "{path}: {{key}} must end a path");
                let object = node.as_object_mut().unwrap_or_else(|| panic!("{path}: not a map"));
                let (old_key, value) = object.iter().next().map(|(k, v)| (k.clone(), v.clone())).expect("one entry");
                if let Edit::Set(Value::String(new_key)) = edit {
                    object.remove(&old_key);
                    object.insert(new_key, value);
                }
                return (wire, Some(Value::String(old_key)));
            }
            Seg::Value => {
                let object = node.as_object_mut().unwrap_or_else(|| panic!("{path}: not a map"));
                let key = object.keys().next().expect("one entry").clone();
                wire.push('.');
                wire.push_str(&key);
                if last {
                    let found = object.get(&key).cloned();
                    if let Edit::Set(v) = edit {
                        object.insert(key, v);
                    }
                    return (wire, found);
                }
                node = object.get_mut(&key).expect("entry");
            }
        }
    }
    unreachable!("empty path")
}

// ------------------------------------------------------------------ the service model walk

/// Every limit the service model puts on the input of `op`, as (path, check).
fn model_limits(op: Operation) -> Vec<(String, Check)> {
    fn walk(model: &ServiceModel, shape_name: &str, path: String, depth: usize, out: &mut Vec<(String, Check)>) {
        assert!(depth < 16, "input shapes nest too deep at {path}");
        match model.shape(shape_name) {
            Shape::Structure { members, required } => {
                for (member, target) in members {
                    let p = if path.is_empty() { member.clone() } else { format!("{path}.{member}") };
                    if required.contains(member) {
                        out.push((p.clone(), Required));
                    }
                    walk(model, target, p, depth + 1, out);
                }
            }
            Shape::List { member, min, max } => {
                if min.is_some() || max.is_some() {
                    out.push((path.clone(), Count(min.unwrap_or(0), max.unwrap_or(u64::MAX))));
                }
                walk(model, member, format!("{path}[]"), depth + 1, out);
            }
            Shape::Map { key, value, min, max } => {
                if min.is_some() || max.is_some() {
                    out.push((path.clone(), Count(min.unwrap_or(0), max.unwrap_or(u64::MAX))));
                }
                walk(model, key, format!("{path}{{key}}"), depth + 1, out);
                walk(model, value, format!("{path}{{value}}"), depth + 1, out);
            }
            Shape::String { min, max, pattern, enumeration } => {
                if min.is_some() || max.is_some() {
                    out.push((path.clone(), Len(min.unwrap_or(0), max.unwrap_or(u64::MAX))));
                }
                if let Some(p) = pattern {
                    let known = [NON_BLANK, GUARD, SERVICE_PRINCIPAL].into_iter().find(|k| k == p);
                    out.push((path.clone(), Pattern(known.unwrap_or_else(|| panic!("new pattern {p} at {path}")))));
                }
                if enumeration.is_some() {
                    // The shape's name as the (static) model holds it.
                    let (name, _) = ServiceModel::get().shapes.get_key_value(shape_name).expect("walked shapes exist");
                    out.push((path, Enum(name.as_str())));
                }
            }
            Shape::Integer { min, max, .. } | Shape::Long { min, max, .. } => {
                if min.is_some() || max.is_some() {
                    out.push((path, Range(min.unwrap_or(i64::MIN), max.unwrap_or(i64::MAX))));
                }
            }
            Shape::Boolean | Shape::Timestamp => {}
        }
    }
    let mut out = Vec::new();
    walk(ServiceModel::get(), &op.input_shape(), String::new(), 0, &mut out);
    out
}

/// The enum values of a shape as a validation message lists them: the observed order for
/// ComplianceType (observed: pe-bad-compliance-type), the model's order elsewhere.
fn enum_listing(shape: &str) -> String {
    if shape == "ComplianceType" {
        return "INSUFFICIENT_DATA, NON_COMPLIANT, NOT_APPLICABLE, COMPLIANT".to_owned();
    }
    ServiceModel::get().enum_values(shape).join(", ")
}

// ------------------------------------------------------------------ the cases of a row

/// One request derived from the base body, and what the validator must say about the member.
struct Case {
    label: String,
    edit: Option<Value>,
    /// The constraint text expected at the member, `None` if the value is within the limit.
    expect: Option<String>,
}

fn valid(label: impl Into<String>, v: Value) -> Case {
    Case { label: label.into(), edit: Some(v), expect: None }
}

fn invalid(label: impl Into<String>, v: Value, constraint: String) -> Case {
    Case { label: label.into(), edit: Some(v), expect: Some(constraint) }
}

fn cases(row: &Row, found: Option<&Value>) -> Vec<Case> {
    let mut out = Vec::new();
    let is_key = row.path.ends_with("{key}");
    let wrap = |c: String| if is_key { format!("Map keys must satisfy constraint: [{c}]") } else { c };
    match row.check {
        Required => out.push(Case { label: "left out".into(), edit: None, expect: Some("Member must not be null".into()) }),
        Len(min, max) => {
            let s = |n: u64| Value::String("a".repeat(n as usize));
            if min > 0 {
                out.push(invalid("min-1", s(min - 1), wrap(format!("Member must have length greater than or equal to {min}"))));
            }
            out.push(valid("min", s(min)));
            out.push(valid("max", s(max)));
            out.push(invalid("max+1", s(max + 1), wrap(format!("Member must have length less than or equal to {max}"))));
            if max >= 2 && max % 2 == 0 {
                // Characters outside the BMP count twice, as in Java: max/2 of them are at the
                // limit; one more ASCII letter is over it although only max/2+1 characters long.
                let emoji = "😀".repeat((max / 2) as usize);
                out.push(valid("max in UTF-16 units", Value::String(emoji.clone())));
                out.push(invalid(
                    "max+1 in UTF-16 units",
                    Value::String(emoji + "a"),
                    wrap(format!("Member must have length less than or equal to {max}")),
                ));
            }
        }
        Count(min, max) => {
            let item = found.cloned().expect("the base body sets every counted member");
            let make = |n: u64| -> Value {
                match &item {
                    Value::Array(items) => Value::Array(vec![items[0].clone(); n as usize]),
                    Value::Object(entries) => {
                        let v = entries.values().next().expect("one entry").clone();
                        Value::Object((0..n).map(|i| (format!("P{i}"), v.clone())).collect::<Map<_, _>>())
                    }
                    other => panic!("{}: cannot count {other}", row.path),
                }
            };
            if min > 0 {
                out.push(invalid("min-1", make(min - 1), format!("Member must have length greater than or equal to {min}")));
            }
            out.push(valid("min", make(min)));
            out.push(valid("max", make(max)));
            out.push(invalid("max+1", make(max + 1), format!("Member must have length less than or equal to {max}")));
        }
        Range(min, max) => {
            out.push(invalid("min-1", json!(min - 1), format!("Member must have value greater than or equal to {min}")));
            out.push(valid("min", json!(min)));
            out.push(valid("max", json!(max)));
            out.push(invalid("max+1", json!(max + 1), format!("Member must have value less than or equal to {max}")));
        }
        Pattern(p) if p == NON_BLANK => {
            let c = || wrap(format!("Member must satisfy regular expression pattern: {p}"));
            for ok in ["x", " x ", "a b", "\ta"] {
                out.push(valid(format!("{ok:?}"), json!(ok)));
            }
            for bad in [" ", "   ", "\t", " \t ", "a\nb", "\n", "x\r"] {
                out.push(invalid(format!("{bad:?}"), json!(bad), c()));
            }
        }
        Pattern(p) if p == SERVICE_PRINCIPAL => {
            for ok in ["config.amazonaws.com", "a", "A_b+c=d,e.f@g-h", "0"] {
                out.push(valid(format!("{ok:?}"), json!(ok)));
            }
            for bad in [" ", "a b", "config.amazonaws.com/", "é", "a\nb", "a*"] {
                out.push(invalid(format!("{bad:?}"), json!(bad), format!("Member must satisfy regular expression pattern: {p}")));
            }
        }
        Pattern(p) => {
            assert_eq!(p, GUARD);
            out.push(valid("guard-2.x.x", json!("guard-2.x.x")));
            for bad in ["guard-2.x.y", "guard-2.x.x ", "Guard-2.x.x", "guard-1.x.x", "guard-2-x-x"] {
                out.push(invalid(format!("{bad:?}"), json!(bad), format!("Member must satisfy regular expression pattern: {p}")));
            }
        }
        Enum(shape) => {
            let values = ServiceModel::get().enum_values(shape);
            assert!(!values.is_empty(), "{shape} has no enum values");
            for v in values {
                out.push(valid(v.clone(), json!(v)));
            }
            let c = || format!("Member must satisfy enum value set: [{}]", enum_listing(shape));
            out.push(invalid("bogus", json!("BOGUS"), c()));
            out.push(invalid("lower case", json!(values[0].to_lowercase() + "_x"), c()));
            out.push(invalid("trailing space", json!(format!("{} ", values[0])), c()));
            out.push(invalid("empty", json!(""), c()));
        }
    }
    out
}

/// Which constraint kind a violation's text belongs to.
fn same_kind(check: Check, constraint: &str) -> bool {
    let c = constraint.strip_prefix("Map keys must satisfy constraint: [").unwrap_or(constraint);
    match check {
        Required => c.starts_with("Member must not be null"),
        Len(..) | Count(..) => c.starts_with("Member must have length"),
        Range(..) => c.starts_with("Member must have value"),
        Pattern(_) => c.starts_with("Member must satisfy regular expression pattern"),
        Enum(_) => c.starts_with("Member must satisfy enum value set"),
    }
}

/// Runs every case of one row: the violation at the member, nothing elsewhere, the whole
/// request's message, and the full pipeline on a fresh world.
fn check_row(row: &Row) {
    let limits = model_limits(row.op);
    // A length boundary of a member with a narrow pattern breaks the pattern too.
    let guarded = limits.iter().any(|(p, c)| p == row.path && matches!(c, Pattern(x) if *x == GUARD || *x == SERVICE_PRINCIPAL));
    let (_, found) = at_path(&mut base(row.op), row.path, Edit::Read);
    assert!(validate_request(row.op, &base(row.op)).is_ok(), "{}: the base body is not valid", row.op);
    for case in cases(row, found.as_ref()) {
        let what = format!("{} {} {:?} [{}]", row.op, row.path, row.check, case.label);
        let mut body = base(row.op);
        let value = case.edit.clone();
        let (wire, _) = at_path(&mut body, row.path, value.clone().map_or(Edit::Remove, Edit::Set));
        let all = violations(row.op, &body);
        let of_kind: Vec<&Violation> = all.iter().filter(|v| v.path == wire && same_kind(row.check, &v.constraint)).collect();
        for v in &all {
            assert_eq!(v.path, wire, "{what}: a violation elsewhere: {v:?}");
        }
        match &case.expect {
            None => {
                assert!(of_kind.is_empty(), "{what}: the valid boundary was refused: {of_kind:?}");
                if !guarded {
                    assert!(all.is_empty(), "{what}: the valid boundary does not pass validation: {all:?}");
                }
            }
            Some(constraint) => {
                assert_eq!(of_kind.len(), 1, "{what}: expected one violation, got {all:?}");
                assert_eq!(&of_kind[0].constraint, constraint, "{what}");
                let rendered = match &value {
                    None => "null".to_owned(),
                    Some(Value::String(s)) => format!("'{s}'"),
                    Some(Value::Number(n)) => format!("'{n}'"),
                    // Lists and maps print their items as Java does (structures as Class@hash).
                    Some(other) => render_value_as(&shape_at(row.op, row.path), other),
                };
                assert_eq!(of_kind[0].rendered_value, rendered, "{what}");
            }
        }
        // The whole request, through the validator and through the pipeline on a fresh world.
        let mut world = World::reference(T0);
        let outcome = handle_value(&mut world, row.op, &body);
        assert!(!outcome.alternatives.is_empty(), "{what}");
        match validate_request(row.op, &body) {
            Ok(()) => {
                assert!(all.is_empty(), "{what}");
                let code = outcome.preferred().reply.error_code();
                assert!(
                    !matches!(code, Some(ErrorCode::ValidationException | ErrorCode::SerializationException)),
                    "{what}: a valid request was refused as {code:?}"
                );
            }
            Err(e) => {
                assert_eq!(e.code, ErrorCode::ValidationException, "{what}");
                assert_eq!(e.message, validation_message(&all), "{what}");
                if all.len() == 1 {
                    let v = &all[0];
                    let expected = format!(
                        "1 validation error detected: Value {} at '{}' failed to satisfy constraint: {}",
                        v.rendered_value, wire, v.constraint
                    );
                    assert_eq!(e.message, expected, "{what}");
                } else {
                    assert!(e.message.starts_with(&format!("{} validation errors detected: ", all.len())), "{what}");
                }
                assert_eq!(outcome.alternatives.len(), 1, "{what}");
                assert_eq!(outcome.preferred().reply, Reply::Failure(e.clone()), "{what}");
                assert!(!outcome.clauses.is_empty(), "{what}: a refusal names no rule");
                assert_eq!(world, World::reference(T0), "{what}: a refused request changed the world");
            }
        }
    }
}

fn boundaries_of(rule: &str) {
    let rows: Vec<&Row> = TABLE.iter().filter(|r| r.rule == rule).collect();
    assert!(!rows.is_empty(), "no boundary rows for {rule}");
    for row in rows {
        check_row(row);
    }
}

/// The name of the shape at a table path of an operation's input.
fn shape_at(op: Operation, path: &str) -> String {
    let model = ServiceModel::get();
    let mut shape = op.input_shape();
    for seg in segments(path) {
        shape = match (seg, model.shape(&shape)) {
            (Seg::Member(m), Shape::Structure { members, .. }) => {
                members.iter().find(|(n, _)| n == m).map(|(_, t)| t.clone()).unwrap_or_else(|| panic!("{path}: no member {m}"))
            }
            (Seg::Item, Shape::List { member, .. }) => member.clone(),
            (Seg::Key, Shape::Map { key, .. }) => key.clone(),
            (Seg::Value, Shape::Map { value, .. }) => value.clone(),
            (seg, other) => panic!("{path}: {seg:?} does not fit {other:?}"),
        };
    }
    shape
}

// ------------------------------------------------------------------ the table against the model

#[test]
fn boundary_table_holds_every_limit_of_the_service_model_and_no_other() {
    let mut in_model = BTreeSet::new();
    for op in Operation::ALL {
        for (path, check) in model_limits(*op) {
            in_model.insert((op.name().to_owned(), path, check));
        }
    }
    let in_table: BTreeSet<(String, String, Check)> =
        TABLE.iter().map(|r| (r.op.name().to_owned(), r.path.to_owned(), r.check)).collect();
    assert_eq!(in_table.len(), TABLE.len(), "the table lists a limit twice");
    let missing: Vec<_> = in_model.difference(&in_table).collect();
    let extra: Vec<_> = in_table.difference(&in_model).collect();
    assert!(missing.is_empty(), "limits of the service model missing from the boundary table: {missing:#?}");
    assert!(extra.is_empty(), "boundary rows the service model does not have (or with other values): {extra:#?}");
}

#[test]
fn boundary_table_matches_the_shared_constraint_table_for_the_nine_operations() {
    // fixtures/service-model/table.md (the team's table): every Min/Max there
    // appears in our table with the same values.
    let table = include_str!("../../fixtures/service-model/table.md");
    let mut checked = 0;
    for line in table.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| Operation") && !l.starts_with("|---")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let (op, path, kind, min, max, required) = (cells[0], cells[1], cells[3], cells[4], cells[5], cells[8]);
        let op: Operation = op.parse().unwrap_or_else(|_| panic!("unknown operation {op}"));
        let rows: Vec<&Row> = TABLE.iter().filter(|r| r.op == op && r.path == path).collect();
        if !min.is_empty() || !max.is_empty() {
            let (lo, hi) = (min.parse::<i64>().unwrap(), max.parse::<i64>().unwrap());
            let found = rows.iter().any(|r| match r.check {
                Len(a, b) => !kind.starts_with("list") && !kind.starts_with("map") && (a as i64, b as i64) == (lo, hi),
                Count(a, b) => (kind.starts_with("list") || kind.starts_with("map")) && (a as i64, b as i64) == (lo, hi),
                Range(a, b) => (a, b) == (lo, hi),
                _ => false,
            });
            assert!(found, "table.md: {op} {path} {lo}..{hi} is not in the boundary table");
            checked += 1;
        }
        if required == "Y" {
            assert!(rows.iter().any(|r| r.check == Required), "table.md: {op} {path} is required");
            checked += 1;
        }
    }
    assert!(checked > 50, "read only {checked} limits from table.md");
}

// ------------------------------------------------------------------ one test per rule

#[test]
fn r_prc_11_put_configurations_limits() {
    boundaries_of("R-PRC-11");
}
#[test]
fn r_rc_01_target_type_is_ssm_document() {
    boundaries_of("R-RC-01");
}
#[test]
fn r_rc_05_maximum_automatic_attempts_is_1_to_25() {
    boundaries_of("R-RC-05");
}
#[test]
fn r_rc_06_retry_attempt_seconds_is_1_to_2678000() {
    boundaries_of("R-RC-06");
}
#[test]
fn r_rc_07_concurrency_percentage_is_1_to_100() {
    boundaries_of("R-RC-07");
}
#[test]
fn r_rc_08_error_percentage_is_1_to_100() {
    boundaries_of("R-RC-08");
}
#[test]
fn r_rc_10_parameters_map_limits() {
    boundaries_of("R-RC-10");
}
#[test]
fn r_rc_11_resource_value_is_resource_id() {
    boundaries_of("R-RC-11");
}
#[test]
fn r_rc_12_static_values_limits() {
    boundaries_of("R-RC-12");
}
#[test]
fn r_rc_13_arn_length() {
    boundaries_of("R-RC-13");
}
#[test]
fn r_rc_14_created_by_service_length() {
    boundaries_of("R-RC-14");
}
#[test]
fn r_drc_02_describe_configurations_limits() {
    boundaries_of("R-DRC-02");
}
#[test]
fn r_delrc_01_delete_configuration_limits() {
    boundaries_of("R-DelRC-01");
}
#[test]
fn r_pre_07_put_exceptions_limits() {
    boundaries_of("R-PRE-07");
}
#[test]
fn r_pre_08_exception_message_is_1_to_1024() {
    boundaries_of("R-PRE-08");
}
#[test]
fn r_dre_07_describe_exceptions_limits() {
    boundaries_of("R-DRE-07");
}
#[test]
fn r_dre_04_describe_exceptions_limit_is_0_to_100() {
    boundaries_of("R-DRE-04");
}
#[test]
fn r_delre_04_delete_exceptions_limits() {
    boundaries_of("R-DelRE-04");
}
#[test]
fn r_sre_03_start_execution_limits() {
    boundaries_of("R-SRE-03");
}
#[test]
fn r_dres_05_describe_execution_status_limits() {
    boundaries_of("R-DRES-05");
}
#[test]
fn r_dres_03_describe_execution_status_limit_is_0_to_100() {
    boundaries_of("R-DRES-03");
}
#[test]
fn r_pe_02_evaluations_are_0_to_100() {
    boundaries_of("R-PE-02");
}
#[test]
fn r_pe_03_result_token_is_required() {
    boundaries_of("R-PE-03");
}
#[test]
fn r_pe_06_compliance_type_enum() {
    boundaries_of("R-PE-06");
}
#[test]
fn r_pe_07_ordering_timestamp_is_required() {
    boundaries_of("R-PE-07");
}
#[test]
fn r_pe_08_annotation_is_1_to_256() {
    boundaries_of("R-PE-08");
}
#[test]
fn r_pe_09_evaluated_resource_limits() {
    boundaries_of("R-PE-09");
}
#[test]
fn r_pcr_02_owner_enum() {
    boundaries_of("R-PCR-02");
}
#[test]
fn r_pcr_03_source_identifier_length() {
    boundaries_of("R-PCR-03");
}
#[test]
fn r_pcr_05_rule_name_limits() {
    boundaries_of("R-PCR-05");
}
#[test]
fn r_pcr_06_rule_arn_and_id_lengths() {
    boundaries_of("R-PCR-06");
}
#[test]
fn r_pcr_12_scope_type_and_id_limits() {
    boundaries_of("R-PCR-12");
}
#[test]
fn r_pcr_13_scope_tag_limits() {
    boundaries_of("R-PCR-13");
}
#[test]
fn r_pcr_14_service_principals_and_created_by_limits() {
    boundaries_of("R-PCR-14");
}
#[test]
fn r_pcr_16_source_detail_limits() {
    boundaries_of("R-PCR-16");
}
#[test]
fn r_pcr_19_custom_policy_limits() {
    boundaries_of("R-PCR-19");
}
#[test]
fn r_pcr_20_event_source_is_aws_config() {
    boundaries_of("R-PCR-20");
}
#[test]
fn r_pcr_21_input_parameters_is_1_to_1024() {
    boundaries_of("R-PCR-21");
}
#[test]
fn r_pcr_22_evaluation_mode_enum() {
    boundaries_of("R-PCR-22");
}
#[test]
fn r_pcr_23_visibility_enum() {
    boundaries_of("R-PCR-23");
}
#[test]
fn r_pcr_25_description_is_0_to_256() {
    boundaries_of("R-PCR-25");
}
#[test]
fn r_rec_05_recorder_limits() {
    boundaries_of("R-REC-05");
}
#[test]
fn r_dch_04_delivery_channel_limits() {
    boundaries_of("R-DCH-04");
}
#[test]
fn r_pcr_26_tags_limits() {
    boundaries_of("R-PCR-26");
}
#[test]
fn r_pcr_27_rule_source_and_owner_are_required() {
    boundaries_of("R-PCR-27");
}
#[test]
fn r_dcr_01_delete_rule_limits() {
    boundaries_of("R-DCR-01");
}
#[test]
fn r_sce_01_start_evaluation_names_limits() {
    boundaries_of("R-SCE-01");
}
#[test]
fn r_der_01_delete_evaluation_results_name_limits() {
    boundaries_of("R-DER-01");
}
#[test]
fn r_dcrs_01_describe_rules_names_limits() {
    boundaries_of("R-DCRs-01");
}
#[test]
fn r_dcrs_02_describe_rules_filter_enums() {
    boundaries_of("R-DCRs-02");
}
#[test]
fn r_gcd_02_compliance_type_filter_enum() {
    boundaries_of("R-GCD-02");
}
#[test]
fn r_gcd_03_compliance_details_limit_is_0_to_100() {
    boundaries_of("R-GCD-03");
}
#[test]
fn r_gcd_04_compliance_details_rule_name_is_1_to_64_without_pattern() {
    boundaries_of("R-GCD-04");
    // No pattern here (M-07): a blank name of the right length passes validation.
    let body = json!({"ConfigRuleName": "   "});
    assert!(validate_request(GetComplianceDetailsByConfigRule, &body).is_ok());
    let outcome = handle_value(&mut World::reference(T0), GetComplianceDetailsByConfigRule, &body);
    assert_eq!(outcome.preferred().reply.error_code(), Some(ErrorCode::NoSuchConfigRuleException));
}
#[test]
fn r_dcbc_04_compliance_by_rule_filter_limits() {
    boundaries_of("R-DCBC-04");
}
#[test]
fn r_dcbr_05_compliance_by_resource_key_limits() {
    boundaries_of("R-DCBR-05");
}
#[test]
fn r_dcbr_06_compliance_by_resource_limit_is_0_to_100() {
    boundaries_of("R-DCBR-06");
}
#[test]
fn r_cmp_03_compliance_types_are_0_to_3() {
    boundaries_of("R-CMP-03");
}

#[test]
fn every_row_of_the_table_is_run_by_a_rule_test() {
    // Each rule of the table has a test above that runs its rows; this reads them back.
    let source = include_str!("boundaries.rs");
    let rules: BTreeSet<&str> = TABLE.iter().map(|r| r.rule).collect();
    for rule in rules {
        let call = format!("boundaries_of(\"{rule}\")");
        let prefix = format!("fn {}_", rule.to_ascii_lowercase().replace('-', "_"));
        assert!(source.contains(&call) && source.contains(&prefix), "no boundary test runs the rows of {rule}");
    }
}

// ------------------------------------------------------------------ exact messages

/// One exact message per kind of constraint (the format of observed: pe-bad-compliance-type).
#[rstest]
#[case::length_max(
    DeleteRemediationConfiguration,
    json!({"ConfigRuleName": "a".repeat(129)}),
    format!("1 validation error detected: Value '{}' at 'configRuleName' failed to satisfy constraint: Member must have length less than or equal to 128", "a".repeat(129))
)]
#[case::length_min(
    PutRemediationExceptions,
    json!({"ConfigRuleName": "r", "ResourceKeys": [{"ResourceType": "AWS::S3::Bucket", "ResourceId": "b"}], "Message": ""}),
    "1 validation error detected: Value '' at 'message' failed to satisfy constraint: Member must have length greater than or equal to 1".to_owned()
)]
#[case::count_min(
    PutRemediationExceptions,
    json!({"ConfigRuleName": "r", "ResourceKeys": []}),
    "1 validation error detected: Value '[]' at 'resourceKeys' failed to satisfy constraint: Member must have length greater than or equal to 1".to_owned()
)]
#[case::count_max(
    DescribeRemediationConfigurations,
    json!({"ConfigRuleNames": vec!["r"; 26]}),
    format!("1 validation error detected: Value '[{}]' at 'configRuleNames' failed to satisfy constraint: Member must have length less than or equal to 25", vec!["r"; 26].join(", "))
)]
#[case::count_of_structures(
    StartRemediationExecution,
    json!({"ConfigRuleName": "r", "ResourceKeys": []}),
    "1 validation error detected: Value '[]' at 'resourceKeys' failed to satisfy constraint: Member must have length greater than or equal to 1".to_owned()
)]
#[case::range_max(
    PutRemediationConfigurations,
    json!({"RemediationConfigurations": [{"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "d", "MaximumAutomaticAttempts": 26}]}),
    "1 validation error detected: Value '26' at 'remediationConfigurations.1.member.maximumAutomaticAttempts' failed to satisfy constraint: Member must have value less than or equal to 25".to_owned()
)]
#[case::range_min(
    DescribeRemediationExceptions,
    json!({"ConfigRuleName": "r", "Limit": -1}),
    "1 validation error detected: Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 0".to_owned()
)]
#[case::range_of_a_long(
    PutRemediationConfigurations,
    json!({"RemediationConfigurations": [{"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "d", "RetryAttemptSeconds": 0}]}),
    "1 validation error detected: Value '0' at 'remediationConfigurations.1.member.retryAttemptSeconds' failed to satisfy constraint: Member must have value greater than or equal to 1".to_owned()
)]
#[case::percentage_nested(
    PutRemediationConfigurations,
    json!({"RemediationConfigurations": [{"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "d", "ExecutionControls": {"SsmControls": {"ErrorPercentage": 101}}}]}),
    "1 validation error detected: Value '101' at 'remediationConfigurations.1.member.executionControls.ssmControls.errorPercentage' failed to satisfy constraint: Member must have value less than or equal to 100".to_owned()
)]
#[case::pattern_blank(
    DeleteRemediationConfiguration,
    json!({"ConfigRuleName": "   "}),
    "1 validation error detected: Value '   ' at 'configRuleName' failed to satisfy constraint: Member must satisfy regular expression pattern: .*\\S.*".to_owned()
)]
#[case::pattern_newline(
    StartRemediationExecution,
    json!({"ConfigRuleName": "a\nb", "ResourceKeys": [{"resourceType": "AWS::S3::Bucket", "resourceId": "b"}]}),
    "1 validation error detected: Value 'a\nb' at 'configRuleName' failed to satisfy constraint: Member must satisfy regular expression pattern: .*\\S.*".to_owned()
)]
#[case::enumeration(
    PutRemediationConfigurations,
    json!({"RemediationConfigurations": [{"ConfigRuleName": "r", "TargetType": "LAMBDA", "TargetId": "d"}]}),
    "1 validation error detected: Value 'LAMBDA' at 'remediationConfigurations.1.member.targetType' failed to satisfy constraint: Member must satisfy enum value set: [SSM_DOCUMENT]".to_owned()
)]
#[case::enumeration_observed_order(
    PutEvaluations,
    json!({"Evaluations": [{"ComplianceResourceType": "AWS::::Account", "ComplianceResourceId": "123456789012", "ComplianceType": "ERROR", "OrderingTimestamp": 1_700_000_000}], "ResultToken": "t"}),
    "1 validation error detected: Value 'ERROR' at 'evaluations.1.member.complianceType' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, NON_COMPLIANT, NOT_APPLICABLE, COMPLIANT]".to_owned()
)]
#[case::required(
    PutRemediationConfigurations,
    json!({"RemediationConfigurations": [{"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT"}]}),
    "1 validation error detected: Value null at 'remediationConfigurations.1.member.targetId' failed to satisfy constraint: Member must not be null".to_owned()
)]
#[case::required_lower_camel_key(
    StartRemediationExecution,
    json!({"ConfigRuleName": "r", "ResourceKeys": [{"resourceType": "AWS::S3::Bucket"}]}),
    "1 validation error detected: Value null at 'resourceKeys.1.member.resourceId' failed to satisfy constraint: Member must not be null".to_owned()
)]
#[case::map_key(
    PutRemediationConfigurations,
    json!({"RemediationConfigurations": [{"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "d", "Parameters": {"": {"ResourceValue": {"Value": "RESOURCE_ID"}}}}]}),
    "1 validation error detected: Value '' at 'remediationConfigurations.1.member.parameters' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length greater than or equal to 1]".to_owned()
)]
#[case::map_value(
    PutRemediationConfigurations,
    json!({"RemediationConfigurations": [{"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "d", "Parameters": {"Bucket": {"ResourceValue": {"Value": "RESOURCE_NAME"}}}}]}),
    "1 validation error detected: Value 'RESOURCE_NAME' at 'remediationConfigurations.1.member.parameters.Bucket.resourceValue.value' failed to satisfy constraint: Member must satisfy enum value set: [RESOURCE_ID]".to_owned()
)]
#[case::second_list_item(
    PutEvaluations,
    json!({"Evaluations": [
        {"ComplianceResourceType": "T", "ComplianceResourceId": "a", "ComplianceType": "COMPLIANT", "OrderingTimestamp": 1},
        {"ComplianceResourceType": "T", "ComplianceResourceId": "b", "ComplianceType": "COMPLIANT", "OrderingTimestamp": 1, "Annotation": "x".repeat(257)}
    ], "ResultToken": "t"}),
    format!("1 validation error detected: Value '{}' at 'evaluations.2.member.annotation' failed to satisfy constraint: Member must have length less than or equal to 256", "x".repeat(257))
)]
#[case::several_in_declaration_order(
    PutRemediationExceptions,
    json!({"Message": "", "ResourceKeys": [{"ResourceId": ""}], "ConfigRuleName": " "}),
    "3 validation errors detected: \
     Value ' ' at 'configRuleName' failed to satisfy constraint: Member must satisfy regular expression pattern: .*\\S.*; \
     Value '' at 'resourceKeys.1.member.resourceId' failed to satisfy constraint: Member must have length greater than or equal to 1; \
     Value '' at 'message' failed to satisfy constraint: Member must have length greater than or equal to 1".to_owned()
)]
#[case::missing_and_too_short(
    PutEvaluations,
    json!({"Evaluations": [{"ComplianceResourceType": "", "ComplianceType": "COMPLIANT", "OrderingTimestamp": 1}]}),
    "3 validation errors detected: \
     Value '' at 'evaluations.1.member.complianceResourceType' failed to satisfy constraint: Member must have length greater than or equal to 1; \
     Value null at 'evaluations.1.member.complianceResourceId' failed to satisfy constraint: Member must not be null; \
     Value null at 'resultToken' failed to satisfy constraint: Member must not be null".to_owned()
)]
fn validation_messages_per_constraint_kind(#[case] op: Operation, #[case] body: Value, #[case] message: String) {
    let expected = ApiError::new(ErrorCode::ValidationException, message);
    assert_eq!(validate_request(op, &body), Err(expected.clone()));
    let mut world = World::reference(T0);
    let outcome = handle_value(&mut world, op, &body);
    assert_eq!(outcome.alternatives.len(), 1);
    assert_eq!(outcome.preferred().reply, Reply::Failure(expected.clone()));
    assert_eq!(outcome.preferred().reply.status(), 400);
    // Through the byte-level pipeline too.
    let outcome = handle(&mut world, op, body.to_string().as_bytes(), T0);
    assert_eq!(outcome.preferred().reply, Reply::Failure(expected));
    assert_eq!(world, World::reference(T0));
}

/// A member of the wrong JSON type is a SerializationException, reported before any limit
/// (A-02); `null` counts as absent.
#[rstest]
#[case::body_is_a_list(PutRemediationExceptions, json!([]))]
#[case::body_is_a_string(DescribeRemediationConfigurations, json!("x"))]
#[case::body_is_null(StartRemediationExecution, json!(null))]
#[case::string_as_number(DeleteRemediationConfiguration, json!({"ConfigRuleName": 5}))]
#[case::list_as_object(PutRemediationConfigurations, json!({"RemediationConfigurations": {"ConfigRuleName": "r"}}))]
#[case::integer_as_string(
    PutRemediationConfigurations,
    json!({"RemediationConfigurations": [{"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "d", "MaximumAutomaticAttempts": "5"}]})
)]
#[case::boolean_as_string(
    PutRemediationConfigurations,
    json!({"RemediationConfigurations": [{"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "d", "Automatic": "true"}]})
)]
#[case::map_as_list(
    PutRemediationConfigurations,
    json!({"RemediationConfigurations": [{"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "d", "Parameters": []}]})
)]
#[case::integer_as_fraction(DescribeRemediationExecutionStatus, json!({"ConfigRuleName": "r", "Limit": 2.5}))]
#[case::integer_overflow(DescribeRemediationExceptions, json!({"ConfigRuleName": "r", "Limit": 2_147_483_648_i64}))]
#[case::timestamp_as_text(
    PutRemediationExceptions,
    json!({"ConfigRuleName": "r", "ResourceKeys": [{"ResourceId": "b"}], "ExpirationTime": "2026-01-01T00:00:00Z"})
)]
#[case::iso_ordering_timestamp(
    PutEvaluations,
    json!({"Evaluations": [{"ComplianceResourceType": "T", "ComplianceResourceId": "b", "ComplianceType": "COMPLIANT", "OrderingTimestamp": "2018-09-14T10:38:48.177Z"}], "ResultToken": "t"})
)]
#[case::boolean_as_number(PutEvaluations, json!({"ResultToken": "t", "TestMode": 1}))]
#[case::key_as_string(StartRemediationExecution, json!({"ConfigRuleName": "r", "ResourceKeys": ["AWS::S3::Bucket/b"]}))]
#[case::wrong_type_beats_a_limit(DeleteRemediationExceptions, json!({"ConfigRuleName": "", "ResourceKeys": [{"ResourceType": false}]}))]
#[case::rule_as_list(PutConfigRule, json!({"ConfigRule": [{"Source": {"Owner": "AWS"}}]}))]
fn wrong_json_types_are_serialization_errors(#[case] op: Operation, #[case] body: Value) {
    let e = validate_request(op, &body).unwrap_err();
    assert_eq!(e.code, ErrorCode::SerializationException, "{body}");
    let mut world = World::reference(T0);
    let outcome = handle_value(&mut world, op, &body);
    assert_eq!(outcome.preferred().reply.error_code(), Some(ErrorCode::SerializationException));
    assert_eq!(world, World::reference(T0));
}

/// Shapes of JSON the service accepts (A-02): `null` is an absent member, unknown members are
/// ignored, timestamps may have fractions. Each goes through the whole pipeline.
#[rstest]
#[case::null_is_absent_for_optional_members(DescribeRemediationExceptions, json!({"ConfigRuleName": "r", "Limit": null, "ResourceKeys": null, "NextToken": null}))]
#[case::null_limit_of_execution_status(DescribeRemediationExecutionStatus, json!({"ConfigRuleName": "r", "Limit": null}))]
#[case::null_limit_of_compliance_details(GetComplianceDetailsByConfigRule, json!({"ConfigRuleName": "r", "Limit": null}))]
#[case::null_limit_of_compliance_by_resource(DescribeComplianceByResource, json!({"Limit": null}))]
#[case::null_test_mode(PutEvaluations, json!({"ResultToken": "t", "TestMode": null, "Evaluations": null}))]
#[case::null_nested(PutRemediationConfigurations, json!({"RemediationConfigurations": [{"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "d", "Automatic": null, "ExecutionControls": {"SsmControls": null}}]}))]
#[case::null_in_a_rule(PutConfigRule, json!({"ConfigRule": {"ConfigRuleName": "r", "Source": {"Owner": "AWS", "SourceIdentifier": "X", "CustomPolicyDetails": null}, "Scope": null}, "Tags": null}))]
#[case::unknown_members_are_ignored(DeleteRemediationConfiguration, json!({"ConfigRuleName": "r", "Bogus": [1, 2]}))]
#[case::fractional_timestamps(PutRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": [{"ResourceId": "b"}], "ExpirationTime": 1_800_000_000.5}))]
fn accepted_json_shapes(#[case] op: Operation, #[case] body: Value) {
    assert_eq!(validate_request(op, &body), Ok(()));
    let outcome = handle_value(&mut World::reference(T0), op, &body);
    let code = outcome.preferred().reply.error_code();
    assert!(!matches!(code, Some(ErrorCode::ValidationException | ErrorCode::SerializationException)), "{code:?}");
}

#[test]
fn unparsable_and_empty_bodies() {
    let mut world = World::reference(T0);
    // Not JSON: SerializationException, no message (S-12).
    let outcome = handle(&mut world, DeleteConfigRule, b"{\"ConfigRuleName\": ", T0);
    assert_eq!(outcome.preferred().reply, Reply::Failure(ApiError::new(ErrorCode::SerializationException, "")));
    // An empty body is `{}` (A-28): the required member is missing.
    let outcome = handle(&mut world, DeleteConfigRule, b"  ", T0);
    assert_eq!(
        outcome.preferred().reply,
        Reply::Failure(ApiError::new(
            ErrorCode::ValidationException,
            "1 validation error detected: Value null at 'configRuleName' failed to satisfy constraint: Member must not be null"
        ))
    );
    // An operation without required members accepts an empty body.
    let outcome = handle(&mut world, DescribeConfigRules, b"", T0);
    assert_eq!(outcome.preferred().reply, Reply::Success(json!({"ConfigRules": []})));
}
