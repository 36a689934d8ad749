//! The configuration recorder and delivery channel calls (R-REC-01..07, R-DCH-01..04): the
//! account set-up PutConfigRule depends on (R-PCR-10), so that a client arranges "no recorder"
//! through the ordinary API, as on a real account. An account starts as [`AccountStart`] says
//! . Error texts: the real service's where public evidence quotes them (SHOULD, A-41),
//! the model's own otherwise (MAY, A-42).

use super::body;
use crate::error::ErrorCode;
use crate::outcome::{Alternative, Level, Outcome};
use crate::wire::*;
use crate::world::{StoredRecorder, World, DEFAULT_SETUP_NAME};
use serde_json::Value;
use crate::rule;

/// An error whose words the model chose.
fn chosen(code: ErrorCode, message: impl Into<String>) -> Alternative {
    Alternative::error(code, message).basis("A-42")
}

/// An error in the real service's words, quoted in public evidence.
fn quoted(code: ErrorCode, message: impl Into<String>) -> Alternative {
    Alternative::error(code, message).message_level(Level::Should).basis("A-41")
}

fn no_such_recorder(name: &str) -> Alternative {
    chosen(ErrorCode::NoSuchConfigurationRecorderException, format!("Cannot find configuration recorder with the specified name '{name}'."))
}

fn no_such_channel(name: &str) -> Alternative {
    chosen(ErrorCode::NoSuchDeliveryChannelException, format!("Cannot find delivery channel with specified name '{name}'."))
}

fn blank(name: &str) -> bool {
    name.chars().all(char::is_whitespace)
}

/// R-REC-04: the members of a recording group must agree with each other and with the
/// recording strategy (documentation of RecordingGroup and RecordingStrategy).
fn recording_group_is_valid(group: &RecordingGroup) -> bool {
    let all = group.all_supported == Some(true);
    let included = group.resource_types.as_ref().is_some_and(|t| !t.is_empty());
    let excluded = group.exclusion_by_resource_types.as_ref().and_then(|e| e.resource_types.as_ref()).is_some_and(|t| !t.is_empty());
    let strategy = group.recording_strategy.as_ref().and_then(|s| s.use_only);
    if group.include_global_resource_types == Some(true) && !all {
        return false;
    }
    match strategy {
        None | Some(RecordingStrategyType::AllSupportedResourceTypes) if all => !included && !excluded,
        None | Some(RecordingStrategyType::InclusionByResourceTypes) if included => !all && !excluded,
        Some(RecordingStrategyType::ExclusionByResourceTypes) => excluded && !all && !included,
        None | Some(RecordingStrategyType::AllSupportedResourceTypes | RecordingStrategyType::InclusionByResourceTypes) => false,
    }
}

/// PutConfigurationRecorder (R-REC-01, R-REC-04): creates the region's one recorder or updates
/// it; its recording status is kept. Success has no output shape: an empty body.
pub fn apply_put_configuration_recorder(world: &mut World, req: &PutConfigurationRecorderRequest) -> Outcome {
    let mut recorder = req.configuration_recorder.clone();
    // The documentation: Config names a recorder created without a name `default`.
    let name = recorder.name.clone().unwrap_or_else(|| DEFAULT_SETUP_NAME.to_owned());
    if blank(&name) {
        return Outcome::new(chosen(
            ErrorCode::InvalidConfigurationRecorderNameException,
            format!("The configuration recorder name '{name}' is not valid, blank string."),
        ))
        .clause(rule!("R-REC-01"));
    }
    if recorder.role_arn.as_deref().is_none_or(blank) {
        return Outcome::new(chosen(ErrorCode::InvalidRoleException, "The role ARN of the configuration recorder is missing."))
            .clause(rule!("R-REC-01"));
    }
    if recorder.recording_group.as_ref().is_some_and(|g| !recording_group_is_valid(g)) {
        return Outcome::new(chosen(ErrorCode::InvalidRecordingGroupException, "The recording group provided is not valid"))
            .clause(rule!("R-REC-04"));
    }
    if !world.recorders.contains_key(&name) && !world.recorders.is_empty() {
        return Outcome::new(quoted(
            ErrorCode::MaxNumberOfConfigurationRecordersExceededException,
            format!("Failed to put configuration recorder '{name}' because the maximum number of configuration recorders: 1 is reached."),
        ))
        .clause(rule!("R-REC-01"));
    }
    recorder.name = Some(name.clone());
    let stored = match world.recorders.remove(&name) {
        Some(old) => StoredRecorder { recorder, ..old },
        None => StoredRecorder { recorder, recording: false, last_start: None, last_stop: None },
    };
    world.recorders.insert(name, stored);
    Outcome::ok(Value::Null).clauses(&[rule!("R-REC-01"), rule!("R-REC-04")])
}

/// A recorder name (or Arn) that names no recorder.
struct UnknownRecorder<'r>(&'r str);

/// The recorders named (each must exist) or all, by name. A ServicePrincipal or Arn selects
/// service-linked recorders, which the model has none of.
fn select_recorders<'w, 'r>(
    world: &'w World,
    req: &'r DescribeConfigurationRecordersRequest,
) -> Result<Vec<&'w StoredRecorder>, UnknownRecorder<'r>> {
    if let Some(arn) = &req.arn {
        return Err(UnknownRecorder(arn));
    }
    if req.service_principal.is_some() {
        return Ok(Vec::new());
    }
    match req.configuration_recorder_names.as_ref().filter(|n| !n.is_empty()) {
        None => Ok(world.recorders.values().collect()),
        Some(names) => {
            let mut out: Vec<&StoredRecorder> = Vec::new();
            for name in names {
                let found = world.recorders.get(name).ok_or(UnknownRecorder(name))?;
                if !out.iter().any(|r| r.recorder.name == found.recorder.name) {
                    out.push(found);
                }
            }
            Ok(out)
        }
    }
}

/// DescribeConfigurationRecorders (R-REC-02): the recorders as put, unknown names refused.
pub fn apply_describe_configuration_recorders(world: &mut World, req: &DescribeConfigurationRecordersRequest) -> Outcome {
    match select_recorders(world, req) {
        Err(UnknownRecorder(name)) => Outcome::new(no_such_recorder(name)).clause(rule!("R-REC-02")),
        Ok(found) => {
            let configuration_recorders = found.into_iter().map(|r| r.recorder.clone()).collect();
            Outcome::ok(body(&DescribeConfigurationRecordersResponse { configuration_recorders })).clause(rule!("R-REC-02"))
        }
    }
}

/// DescribeConfigurationRecorderStatus (R-REC-03): whether each recorder records, and when it
/// last started and stopped. A recorder that ever started reports `Success` (A-42: delivery is
/// not simulated).
pub fn apply_describe_configuration_recorder_status(world: &mut World, req: &DescribeConfigurationRecordersRequest) -> Outcome {
    match select_recorders(world, req) {
        Err(UnknownRecorder(name)) => Outcome::new(no_such_recorder(name)).clause(rule!("R-REC-03")),
        Ok(found) => {
            let configuration_recorders_status = found
                .into_iter()
                .map(|r| {
                    let changed = r.last_start.max(r.last_stop);
                    ConfigurationRecorderStatus {
                        name: r.recorder.name.clone().unwrap_or_default(),
                        last_start_time: r.last_start,
                        last_stop_time: r.last_stop,
                        recording: r.recording,
                        last_status: r.last_start.map(|_| RecorderStatus::Success),
                        last_status_change_time: changed,
                    }
                })
                .collect();
            Outcome::ok(body(&DescribeConfigurationRecorderStatusResponse { configuration_recorders_status })).clause(rule!("R-REC-03"))
        }
    }
}

/// StartConfigurationRecorder (R-REC-06): needs a delivery channel.
pub fn apply_start_configuration_recorder(world: &mut World, req: &ConfigurationRecorderNameRequest) -> Outcome {
    let name = &req.configuration_recorder_name;
    if !world.recorders.contains_key(name) {
        return Outcome::new(no_such_recorder(name)).clause(rule!("R-REC-06"));
    }
    if world.delivery_channels.is_empty() {
        return Outcome::new(quoted(
            ErrorCode::NoAvailableDeliveryChannelException,
            "Delivery channel is not available to start configuration recorder.",
        ))
        .clause(rule!("R-REC-06"));
    }
    let now = world.now;
    if let Some(r) = world.recorders.get_mut(name) {
        if !r.recording {
            r.recording = true;
            r.last_start = Some(now);
        }
    }
    Outcome::ok(Value::Null).clause(rule!("R-REC-06"))
}

/// StopConfigurationRecorder (R-REC-06).
pub fn apply_stop_configuration_recorder(world: &mut World, req: &ConfigurationRecorderNameRequest) -> Outcome {
    let name = &req.configuration_recorder_name;
    let now = world.now;
    match world.recorders.get_mut(name) {
        None => Outcome::new(no_such_recorder(name)).clause(rule!("R-REC-06")),
        Some(r) => {
            if r.recording {
                r.recording = false;
                r.last_stop = Some(now);
            }
            Outcome::ok(Value::Null).clause(rule!("R-REC-06"))
        }
    }
}

/// DeleteConfigurationRecorder (R-REC-07): the recorder goes, recording or not; PutConfigRule
/// is refused afterwards (R-PCR-10). Rules already made stay.
pub fn apply_delete_configuration_recorder(world: &mut World, req: &ConfigurationRecorderNameRequest) -> Outcome {
    let name = &req.configuration_recorder_name;
    match world.recorders.remove(name) {
        None => Outcome::new(no_such_recorder(name)).clause(rule!("R-REC-07")),
        Some(_) => Outcome::ok(Value::Null).clause(rule!("R-REC-07")),
    }
}

/// PutDeliveryChannel (R-DCH-01): needs a recorder; creates the region's one channel or updates
/// it. Whether the bucket exists and lets Config write is not known to the model: any bucket
/// name is accepted (InsufficientDeliveryPolicyException is never answered, A-40).
pub fn apply_put_delivery_channel(world: &mut World, req: &PutDeliveryChannelRequest) -> Outcome {
    let mut channel = req.delivery_channel.clone();
    let name = channel.name.clone().unwrap_or_else(|| DEFAULT_SETUP_NAME.to_owned());
    let refuse = |alternative: Alternative| Outcome::new(alternative).clause(rule!("R-DCH-01"));
    if !world.has_recorder() {
        return refuse(chosen(
            ErrorCode::NoAvailableConfigurationRecorderException,
            "Configuration recorder is not available to put delivery channel.",
        ));
    }
    if blank(&name) {
        return refuse(chosen(
            ErrorCode::InvalidDeliveryChannelNameException,
            format!("The delivery channel name '{name}' is not valid, blank string."),
        ));
    }
    if channel.s3_bucket_name.as_deref().is_none_or(blank) {
        return refuse(chosen(ErrorCode::NoSuchBucketException, "Cannot find a S3 bucket with an empty bucket name."));
    }
    if channel.s3_key_prefix.as_deref() == Some("") {
        return refuse(chosen(ErrorCode::InvalidS3KeyPrefixException, "The s3 key prefix '' is not valid, empty s3 key prefix."));
    }
    if channel.s3_kms_key_arn.as_deref() == Some("") {
        return refuse(chosen(ErrorCode::InvalidS3KmsKeyArnException, "The arn '' is not a valid kms key or alias arn."));
    }
    if channel.sns_topic_arn.as_deref() == Some("") {
        return refuse(chosen(ErrorCode::InvalidSNSTopicARNException, "The sns topic arn '' is not valid."));
    }
    if !world.delivery_channels.contains_key(&name) && !world.delivery_channels.is_empty() {
        return refuse(chosen(
            ErrorCode::MaxNumberOfDeliveryChannelsExceededException,
            format!("Failed to put delivery channel '{name}' because the maximum number of delivery channels: 1 is reached."),
        ));
    }
    channel.name = Some(name.clone());
    world.delivery_channels.insert(name, channel);
    Outcome::ok(Value::Null).clause(rule!("R-DCH-01"))
}

/// DescribeDeliveryChannels (R-DCH-02): the channels named (each must exist) or all.
pub fn apply_describe_delivery_channels(world: &mut World, req: &DescribeDeliveryChannelsRequest) -> Outcome {
    let mut delivery_channels: Vec<DeliveryChannel> = Vec::new();
    match req.delivery_channel_names.as_ref().filter(|n| !n.is_empty()) {
        None => delivery_channels.extend(world.delivery_channels.values().cloned()),
        Some(names) => {
            for name in names {
                match world.delivery_channels.get(name) {
                    None => return Outcome::new(no_such_channel(name)).clause(rule!("R-DCH-02")),
                    Some(c) if !delivery_channels.contains(c) => delivery_channels.push(c.clone()),
                    Some(_) => {}
                }
            }
        }
    }
    Outcome::ok(body(&DescribeDeliveryChannelsResponse { delivery_channels })).clause(rule!("R-DCH-02"))
}

/// DeleteDeliveryChannel (R-DCH-03): refused while a recorder records.
pub fn apply_delete_delivery_channel(world: &mut World, req: &DeleteDeliveryChannelRequest) -> Outcome {
    let name = &req.delivery_channel_name;
    if !world.delivery_channels.contains_key(name) {
        return Outcome::new(no_such_channel(name)).clause(rule!("R-DCH-03"));
    }
    if world.recorders.values().any(|r| r.recording) {
        return Outcome::new(quoted(
            ErrorCode::LastDeliveryChannelDeleteFailedException,
            format!("Failed to delete last specified delivery channel with name '{name}', because there is a running configuration recorder."),
        ))
        .clause(rule!("R-DCH-03"));
    }
    world.delivery_channels.remove(name);
    Outcome::ok(Value::Null).clause(rule!("R-DCH-03"))
}
