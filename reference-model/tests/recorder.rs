//! The configuration recorder and delivery channel calls (R-REC-01..07, R-DCH-01..04) and the
//! account's starting state (A-40): one test per rule, named after it.

mod common;

use common::*;
use reference_model::world::AccountStart;
use reference_model::{ErrorCode, Level, Millis, Operation, Timestamp, World};
use rstest::rstest;
use serde_json::{json, Value};

const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/config";

fn recorder(name: &str) -> Value {
    json!({"ConfigurationRecorder": {"name": name, "roleARN": ROLE_ARN}})
}

fn channel(name: &str) -> Value {
    json!({"DeliveryChannel": {"name": name, "s3BucketName": "config-bucket"}})
}

fn empty_account() -> World {
    World::with_start("123456789012", "us-east-1", T0, AccountStart::NoRecorder)
}

fn recorders(w: &mut World) -> Value {
    call_ok(w, Operation::DescribeConfigurationRecorders, json!({}))["ConfigurationRecorders"].clone()
}

fn status(w: &mut World) -> Value {
    call_ok(w, Operation::DescribeConfigurationRecorderStatus, json!({}))["ConfigurationRecordersStatus"].clone()
}

/// A-40: the default start has a recording `default` recorder and a `default` channel; the
/// other start has neither, and PutConfigRule is refused there (R-PCR-10).
#[test]
fn the_two_starting_states() {
    let mut w = world();
    assert_eq!(recorders(&mut w)[0]["name"], "default");
    assert_eq!(status(&mut w)[0]["recording"], true);
    let channels = call_ok(&mut w, Operation::DescribeDeliveryChannels, json!({}));
    assert_eq!(channels["DeliveryChannels"][0]["s3BucketName"], "config-bucket-123456789012");
    let mut empty = empty_account();
    assert_eq!(recorders(&mut empty), json!([]));
    assert_eq!(call_ok(&mut empty, Operation::DescribeDeliveryChannels, json!({})), json!({"DeliveryChannels": []}));
    let e = call_err(&mut empty, Operation::PutConfigRule, rule_body("r"));
    assert_eq!(e.code, ErrorCode::NoAvailableConfigurationRecorderException);
}

/// R-REC-01: create, update in place (the status is kept), a default name, one per region in
/// the real service's words (A-41), and a role needed.
#[test]
fn r_rec_01_one_recorder_per_region() {
    let mut w = empty_account();
    assert_eq!(call_ok(&mut w, Operation::PutConfigurationRecorder, recorder("main")), Value::Null);
    assert_eq!(recorders(&mut w), json!([{"name": "main", "roleARN": ROLE_ARN}]));
    let outcome = call(&mut w, Operation::PutConfigurationRecorder, recorder("second"));
    let e = err(&outcome);
    assert_eq!(e.code, ErrorCode::MaxNumberOfConfigurationRecordersExceededException);
    assert_eq!(e.message, "Failed to put configuration recorder 'second' because the maximum number of configuration recorders: 1 is reached.");
    assert_eq!(outcome.preferred().message_level, Level::Should);
    // An update of the same name: the new members replace the old, the status stays.
    call_ok(&mut w, Operation::PutDeliveryChannel, channel("c"));
    call_ok(&mut w, Operation::StartConfigurationRecorder, json!({"ConfigurationRecorderName": "main"}));
    let update = json!({"ConfigurationRecorder": {"name": "main", "roleARN": "arn:aws:iam::123456789012:role/other",
        "recordingGroup": {"allSupported": true, "includeGlobalResourceTypes": true}}});
    call_ok(&mut w, Operation::PutConfigurationRecorder, update.clone());
    assert_eq!(recorders(&mut w), json!([update["ConfigurationRecorder"]]));
    assert_eq!(status(&mut w)[0]["recording"], true);
    // No name: `default`; no role: refused.
    let mut fresh = empty_account();
    call_ok(&mut fresh, Operation::PutConfigurationRecorder, json!({"ConfigurationRecorder": {"roleARN": ROLE_ARN}}));
    assert_eq!(recorders(&mut fresh)[0]["name"], "default");
    let e = call_err(&mut empty_account(), Operation::PutConfigurationRecorder, json!({"ConfigurationRecorder": {"name": "x"}}));
    assert_eq!(e.code, ErrorCode::InvalidRoleException);
    let e = call_err(&mut empty_account(), Operation::PutConfigurationRecorder, json!({"ConfigurationRecorder": {"name": "  ", "roleARN": ROLE_ARN}}));
    assert_eq!(e.code, ErrorCode::InvalidConfigurationRecorderNameException);
}

/// R-REC-02: all recorders, the ones named, and an unknown name refused.
#[test]
fn r_rec_02_describe_recorders() {
    let mut w = world();
    let named = call_ok(&mut w, Operation::DescribeConfigurationRecorders, json!({"ConfigurationRecorderNames": ["default", "default"]}));
    assert_eq!(named["ConfigurationRecorders"].as_array().map(Vec::len), Some(1));
    let e = call_err(&mut w, Operation::DescribeConfigurationRecorders, json!({"ConfigurationRecorderNames": ["default", "nope"]}));
    assert_eq!(e.code, ErrorCode::NoSuchConfigurationRecorderException);
    assert!(e.message.contains("'nope'"), "{}", e.message);
    // Service-linked recorders are not modelled: a ServicePrincipal lists none.
    let linked = call_ok(&mut w, Operation::DescribeConfigurationRecorders, json!({"ServicePrincipal": "config.amazonaws.com"}));
    assert_eq!(linked, json!({"ConfigurationRecorders": []}));
}

/// R-REC-03: the status says whether the recorder records and when it started and stopped.
#[test]
fn r_rec_03_status_follows_start_and_stop() {
    let mut w = empty_account();
    call_ok(&mut w, Operation::PutConfigurationRecorder, recorder("main"));
    assert_eq!(status(&mut w), json!([{"name": "main", "recording": false}]));
    call_ok(&mut w, Operation::PutDeliveryChannel, channel("c"));
    advance(&mut w, 10_000);
    call_ok(&mut w, Operation::StartConfigurationRecorder, json!({"ConfigurationRecorderName": "main"}));
    let started = T0 + Millis(10_000);
    assert_eq!(
        status(&mut w),
        json!([{"name": "main", "lastStartTime": started, "recording": true, "lastStatus": "Success", "lastStatusChangeTime": started}])
    );
    advance(&mut w, 5_000);
    call_ok(&mut w, Operation::StopConfigurationRecorder, json!({"ConfigurationRecorderName": "main"}));
    let stopped: Timestamp = started + Millis(5_000);
    let s = status(&mut w);
    assert_eq!(s[0]["recording"], false);
    assert_eq!(s[0]["lastStopTime"], json!(stopped));
    assert_eq!(s[0]["lastStatusChangeTime"], json!(stopped));
    let e = call_err(&mut w, Operation::DescribeConfigurationRecorderStatus, json!({"ConfigurationRecorderNames": ["nope"]}));
    assert_eq!(e.code, ErrorCode::NoSuchConfigurationRecorderException);
}

/// R-REC-04: a recording group must agree with its strategy.
#[rstest]
#[case::all_supported(json!({"allSupported": true}), true)]
#[case::all_with_global(json!({"allSupported": true, "includeGlobalResourceTypes": true}), true)]
#[case::inclusion(json!({"resourceTypes": ["AWS::S3::Bucket"]}), true)]
#[case::inclusion_named(json!({"resourceTypes": ["AWS::S3::Bucket"], "recordingStrategy": {"useOnly": "INCLUSION_BY_RESOURCE_TYPES"}}), true)]
#[case::exclusion(json!({"exclusionByResourceTypes": {"resourceTypes": ["AWS::S3::Bucket"]}, "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"}}), true)]
#[case::empty(json!({}), false)]
#[case::global_without_all(json!({"includeGlobalResourceTypes": true, "resourceTypes": ["AWS::S3::Bucket"]}), false)]
#[case::all_and_listed(json!({"allSupported": true, "resourceTypes": ["AWS::S3::Bucket"]}), false)]
#[case::exclusion_without_strategy(json!({"exclusionByResourceTypes": {"resourceTypes": ["AWS::S3::Bucket"]}}), false)]
#[case::exclusion_strategy_without_list(json!({"recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"}}), false)]
#[case::inclusion_strategy_with_all(json!({"allSupported": true, "recordingStrategy": {"useOnly": "INCLUSION_BY_RESOURCE_TYPES"}}), false)]
fn r_rec_04_recording_group(#[case] group: Value, #[case] valid: bool) {
    let mut w = empty_account();
    let body = json!({"ConfigurationRecorder": {"name": "main", "roleARN": ROLE_ARN, "recordingGroup": group}});
    let outcome = call(&mut w, Operation::PutConfigurationRecorder, body);
    if valid {
        assert_eq!(code(&outcome), None, "{group}");
        assert_eq!(recorders(&mut w)[0]["recordingGroup"], group);
    } else {
        assert_eq!(code(&outcome), Some(ErrorCode::InvalidRecordingGroupException), "{group}");
        assert_eq!(recorders(&mut w), json!([]));
    }
}

/// R-REC-05: the service model's limits, with the usual validation message (S-01).
#[rstest]
#[case::long_name(Operation::PutConfigurationRecorder, json!({"ConfigurationRecorder": {"name": "a".repeat(257), "roleARN": ROLE_ARN}}), "configurationRecorder.name")]
#[case::bad_frequency(Operation::PutConfigurationRecorder, json!({"ConfigurationRecorder": {"name": "n", "roleARN": ROLE_ARN, "recordingMode": {"recordingFrequency": "HOURLY"}}}), "configurationRecorder.recordingMode.recordingFrequency")]
#[case::empty_start(Operation::StartConfigurationRecorder, json!({"ConfigurationRecorderName": ""}), "configurationRecorderName")]
#[case::bad_principal(Operation::DescribeConfigurationRecorders, json!({"ServicePrincipal": "a b"}), "servicePrincipal")]
fn r_rec_05_recorder_limits(#[case] op: Operation, #[case] body: Value, #[case] at: &str) {
    let e = call_err(&mut world(), op, body);
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert!(e.message.starts_with("1 validation error detected: Value "), "{}", e.message);
    assert!(e.message.contains(&format!(" at '{at}' failed to satisfy constraint: ")), "{}", e.message);
}

/// R-REC-06: starting needs a delivery channel (the real words, A-41); unknown names refused.
#[test]
fn r_rec_06_start_needs_a_delivery_channel() {
    let mut w = empty_account();
    call_ok(&mut w, Operation::PutConfigurationRecorder, recorder("main"));
    let outcome = call(&mut w, Operation::StartConfigurationRecorder, json!({"ConfigurationRecorderName": "main"}));
    let e = err(&outcome);
    assert_eq!(e.code, ErrorCode::NoAvailableDeliveryChannelException);
    assert_eq!(e.message, "Delivery channel is not available to start configuration recorder.");
    assert_eq!(outcome.preferred().message_level, Level::Should);
    for op in [Operation::StartConfigurationRecorder, Operation::StopConfigurationRecorder] {
        let e = call_err(&mut w, op, json!({"ConfigurationRecorderName": "nope"}));
        assert_eq!(e.code, ErrorCode::NoSuchConfigurationRecorderException, "{op}");
    }
}

/// R-REC-07: deleting the recorder (even while it records) makes PutConfigRule refused
/// (R-PCR-10); rules already made stay; a second delete is refused.
#[test]
fn r_rec_07_delete_recorder() {
    let mut w = world_with_rule("kept");
    call_ok(&mut w, Operation::DeleteConfigurationRecorder, json!({"ConfigurationRecorderName": "default"}));
    assert_eq!(call_err(&mut w, Operation::PutConfigRule, rule_body("new")).code, ErrorCode::NoAvailableConfigurationRecorderException);
    assert!(w.rule(&reference_model::names::RuleName::new("kept")).is_some());
    let e = call_err(&mut w, Operation::DeleteConfigurationRecorder, json!({"ConfigurationRecorderName": "default"}));
    assert_eq!(e.code, ErrorCode::NoSuchConfigurationRecorderException);
    // A new recorder (through the API alone) makes PutConfigRule work again.
    call_ok(&mut w, Operation::PutConfigurationRecorder, recorder("again"));
    call_ok(&mut w, Operation::PutConfigRule, rule_body("new"));
}

/// R-DCH-01: a channel needs a recorder; one per region in the real words (A-41); a default
/// name; empty members refused.
#[test]
fn r_dch_01_one_delivery_channel_per_region() {
    let mut w = empty_account();
    let e = call_err(&mut w, Operation::PutDeliveryChannel, channel("c"));
    assert_eq!(e.code, ErrorCode::NoAvailableConfigurationRecorderException);
    call_ok(&mut w, Operation::PutConfigurationRecorder, recorder("main"));
    call_ok(&mut w, Operation::PutDeliveryChannel, json!({"DeliveryChannel": {"s3BucketName": "b"}}));
    let listed = call_ok(&mut w, Operation::DescribeDeliveryChannels, json!({}));
    assert_eq!(listed, json!({"DeliveryChannels": [{"name": "default", "s3BucketName": "b"}]}));
    let outcome = call(&mut w, Operation::PutDeliveryChannel, channel("other"));
    assert_eq!(err(&outcome).message, "Failed to put delivery channel 'other' because the maximum number of delivery channels: 1 is reached.");
    assert_eq!(err(&outcome).code, ErrorCode::MaxNumberOfDeliveryChannelsExceededException);
    for (member, expected) in [
        ("s3BucketName", ErrorCode::NoSuchBucketException),
        ("s3KeyPrefix", ErrorCode::InvalidS3KeyPrefixException),
        ("s3KmsKeyArn", ErrorCode::InvalidS3KmsKeyArnException),
        ("snsTopicARN", ErrorCode::InvalidSNSTopicARNException),
    ] {
        let mut body = json!({"DeliveryChannel": {"name": "default", "s3BucketName": "b"}});
        body["DeliveryChannel"][member] = json!("");
        assert_eq!(call_err(&mut w, Operation::PutDeliveryChannel, body).code, expected, "{member}");
    }
}

/// R-DCH-02: channels listed, named or all; an unknown name refused.
#[test]
fn r_dch_02_describe_delivery_channels() {
    let mut w = world();
    let named = call_ok(&mut w, Operation::DescribeDeliveryChannels, json!({"DeliveryChannelNames": ["default"]}));
    assert_eq!(named["DeliveryChannels"][0]["name"], "default");
    let e = call_err(&mut w, Operation::DescribeDeliveryChannels, json!({"DeliveryChannelNames": ["nope"]}));
    assert_eq!(e.code, ErrorCode::NoSuchDeliveryChannelException);
}

/// R-DCH-03: the channel cannot go while the recorder records (real words, A-41).
#[test]
fn r_dch_03_delete_channel_needs_a_stopped_recorder() {
    let mut w = world();
    let outcome = call(&mut w, Operation::DeleteDeliveryChannel, json!({"DeliveryChannelName": "default"}));
    assert_eq!(
        err(&outcome).message,
        "Failed to delete last specified delivery channel with name 'default', because there is a running configuration recorder."
    );
    assert_eq!(err(&outcome).code, ErrorCode::LastDeliveryChannelDeleteFailedException);
    call_ok(&mut w, Operation::StopConfigurationRecorder, json!({"ConfigurationRecorderName": "default"}));
    call_ok(&mut w, Operation::DeleteDeliveryChannel, json!({"DeliveryChannelName": "default"}));
    let e = call_err(&mut w, Operation::DeleteDeliveryChannel, json!({"DeliveryChannelName": "default"}));
    assert_eq!(e.code, ErrorCode::NoSuchDeliveryChannelException);
}

/// R-DCH-04: the service model's limits.
#[rstest]
#[case::long_name(Operation::PutDeliveryChannel, json!({"DeliveryChannel": {"name": "a".repeat(257), "s3BucketName": "b"}}), "deliveryChannel.name")]
#[case::bad_frequency(Operation::PutDeliveryChannel, json!({"DeliveryChannel": {"name": "n", "s3BucketName": "b", "configSnapshotDeliveryProperties": {"deliveryFrequency": "Daily"}}}), "deliveryChannel.configSnapshotDeliveryProperties.deliveryFrequency")]
#[case::missing_name(Operation::DeleteDeliveryChannel, json!({}), "deliveryChannelName")]
fn r_dch_04_delivery_channel_limits(#[case] op: Operation, #[case] body: Value, #[case] at: &str) {
    let e = call_err(&mut world(), op, body);
    assert_eq!(e.code, ErrorCode::ValidationException);
    assert!(e.message.contains(&format!(" at '{at}' failed to satisfy constraint: ")), "{}", e.message);
}
