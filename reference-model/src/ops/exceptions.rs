//! PutRemediationExceptions, DescribeRemediationExceptions, DeleteRemediationExceptions.

use super::body;
use super::rules::no_such_rule_message;
use crate::error::ErrorCode;
use crate::limits::defaults;
use crate::names::{exception_key_resource, ResourceRef, RuleName};
use crate::outcome::{Alternative, Level, Outcome};
use crate::paging;
use crate::wire::*;
use crate::world::{ComplianceType, StoredException, World, MAX_ITEMS_PER_TABLE};
use serde_json::json;

/// `FailedRemediationExceptionBatch.FailedItems` holds at most 25 items in the service model.
pub const MAX_FAILED_ITEMS_PER_BATCH: usize = 25;

/// `DescribeRemediationExceptionsResponse.RemediationExceptions` holds at most 25 items in the
/// service model, although Limit goes to 100 (R-DRE-08, M-05).
pub const MAX_EXCEPTIONS_PER_PAGE: usize = 25;

/// The text the model uses for a key whose resource is not NON_COMPLIANT.
pub const NOT_NON_COMPLIANT: &str =
    "Remediation exceptions can only be placed on resources that are NON_COMPLIANT under the rule.";

fn unique<T: PartialEq + Clone>(items: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    out
}

fn exception_wire(rule: &RuleName, key: &RemediationExceptionResourceKey, stored: Option<&StoredException>, req_message: Option<&String>, req_expiration: Option<crate::time::Timestamp>) -> RemediationException {
    RemediationException {
        config_rule_name: rule.to_string(),
        resource_type: key.resource_type.clone(),
        resource_id: key.resource_id.clone(),
        message: stored.map_or(req_message.cloned(), |s| s.message.clone()),
        expiration_time: stored.map_or(req_expiration, |s| s.expiration),
    }
}

/// The text the model uses, in the alternative that refuses them, for keys whose
/// ExpirationTime has already passed.
pub const EXPIRED: &str = "The ExpirationTime of a remediation exception must be in the future.";

/// Refused keys as FailedBatches items, at most 25 a batch, all with one message (R-PRE-11,
///
fn failed_batches(rule: &RuleName, keys: &[RemediationExceptionResourceKey], req: &PutRemediationExceptionsRequest, message: &str) -> serde_json::Value {
    let batches: Vec<FailedRemediationExceptionBatch> = keys
        .chunks(MAX_FAILED_ITEMS_PER_BATCH)
        .map(|chunk| FailedRemediationExceptionBatch {
            failure_message: message.to_owned(),
            failed_items: chunk.iter().map(|k| exception_wire(rule, k, None, req.message.as_ref(), req.expiration_time)).collect(),
        })
        .collect();
    body(&PutRemediationExceptionsResponse { failed_batches: batches })
}

/// What a listing of exceptions shows beside its own rules: only NON_COMPLIANT resources got
/// one (R-PRE-04), expired ones are gone (R-PRE-09), and the ones Config placed after the
/// allowed failed attempts (R-RC-05) are there.
const LISTING_SHOWS: &[&str] = &["R-PRE-04", "R-PRE-09", "R-RC-05"];

/// PutRemediationExceptions (R-PRE-01..11).
///
/// One exception per key (R-PRE-07), an upsert per (rule, resource) (R-PRE-01), only for
/// resources that are NON_COMPLIANT under the rule (R-PRE-04). For the other keys no exception
/// is made; the documentation does not say whether they are reported, so both a FailedBatches
/// entry (preferred) and silence are accepted. A service-linked remediation refuses
/// exceptions (R-PRE-05, A-06). An ExpirationTime already past is accepted and the exception
/// ends at once (preferred), or the request is refused, as a whole or key by key.
pub fn apply_put_exceptions(world: &mut World, req: &PutRemediationExceptionsRequest) -> Outcome {
    let rule = RuleName::new(&req.config_rule_name);
    let keys = unique(&req.resource_keys);

    if world.remediations.get(&rule).is_some_and(|r| r.config.created_by_service.is_some()) {
        let message = format!("Remediation exceptions cannot be placed on the service-linked remediation action of rule {rule}.");
        return Outcome::new(
            Alternative::error(ErrorCode::InvalidParameterValueException, message.clone()).provenance(Level::May).basis("A-06"),
        )
        .or(Alternative::success(failed_batches(&rule, &keys, req, &message)).provenance(Level::May).basis("A-06").covers("R-PRE-11"))
        .clause("R-PRE-05");
    }

    let expired = req.expiration_time.is_some_and(|t| t <= world.now);
    let before = expired.then(|| world.clone());
    let mut refused = Vec::new();
    let mut stored_any = false;
    for key in &keys {
        let resource = exception_key_resource(key);
        let non_compliant = resource
            .as_ref()
            .is_some_and(|r| world.compliance(&rule, r) == Some(ComplianceType::NonCompliant));
        let full = world.exceptions.len() >= MAX_ITEMS_PER_TABLE;
        match resource {
            Some(resource) if non_compliant && !full => {
                let key = (rule.clone(), resource);
                if expired {
                    // R-PRE-09, A-30: an ExpirationTime that has already passed deletes the
                    // exception at once (the upsert replaced any earlier one, then it expired).
                    world.exceptions.remove(&key);
                } else {
                    world.exceptions.insert(
                        key,
                        StoredException { message: req.message.clone(), expiration: req.expiration_time, placed_by_config: false },
                    );
                }
                stored_any = true;
            }
            _ => refused.push(key.clone()),
        }
    }

    let mut clauses = vec!["R-PRE-01", "R-PRE-07"];
    if req.message.is_some() {
        clauses.push("R-PRE-08");
    }
    if req.expiration_time.is_some() && !expired {
        clauses.push("R-PRE-09");
    }
    if stored_any {
        clauses.push("R-PRE-02");
    }
    // Keys accepted with an ExpirationTime already past: their exception ended at once, which
    // exercises R-PRE-09 only in the answers that accepted them.
    let expired_accepted = |a: Alternative| if expired && stored_any { a.covers("R-PRE-09") } else { a };
    let mut outcome = if refused.is_empty() {
        let accepted = Alternative::success(json!({"FailedBatches": []}));
        let accepted = if expired { accepted.provenance(Level::May).basis("A-30") } else { accepted };
        Outcome::new(expired_accepted(accepted)).clauses(&clauses)
    } else {
        // Only an answer that lists the refused keys exercises R-PRE-11; the silent one is the
        // model's allowance.
        Outcome::new(expired_accepted(
            Alternative::success(failed_batches(&rule, &refused, req, NOT_NON_COMPLIANT))
                .provenance(Level::May)
                .basis("A-11")
                .covers("R-PRE-11"),
        ))
        .or(expired_accepted(Alternative::success(json!({"FailedBatches": []})).provenance(Level::May).basis("A-11")))
        .clauses(&clauses)
        .clause("R-PRE-04")
    };
    if let Some(before) = before {
        // A target may refuse a time already past: as a whole, as a validation or parameter
        // error, or key by key with every key listed. Nothing changes then.
        for code in [ErrorCode::InvalidParameterValueException, ErrorCode::ValidationException] {
            let refusal = Alternative::error(code, EXPIRED).provenance(Level::May).basis("A-30");
            outcome = outcome.or(super::with_world_if_different(refusal, before.clone(), world));
        }
        if stored_any {
            let listed = Alternative::success(failed_batches(&rule, &keys, req, EXPIRED))
                .provenance(Level::May)
                .basis("A-30")
                .covers("R-PRE-11");
            outcome = outcome.or(super::with_world_if_different(listed, before, world));
        }
    }
    if !world.rules.contains_key(&rule) {
        // An unknown rule has no NON_COMPLIANT resource; the service may also refuse outright.
        outcome = outcome.or(
            Alternative::error(ErrorCode::InvalidParameterValueException, format!("The Config rule {rule} does not exist."))
                .provenance(Level::May)
                .basis("A-12"),
        );
    }
    outcome
}

fn sort_key(resource: &ResourceRef) -> String {
    format!("{}\u{0}{}", resource.resource_type, resource.resource_id)
}

/// DescribeRemediationExceptions (R-DRE-01..08). Without ResourceKeys: every exception of the
/// rule, sorted by resource, paged by Limit (0 means 25) and NextToken. With ResourceKeys: the
/// exceptions of those keys, Limit and NextToken not applied (R-DRE-03). An unknown rule has
/// none (preferred: NoSuchConfigRuleException is not modelled, R-DRE-06), or is refused with
/// NoSuchConfigRuleException as the other operations refuse it.
pub fn apply_describe_exceptions(world: &mut World, req: &DescribeRemediationExceptionsRequest) -> Outcome {
    let outcome = describe_exceptions(world, req);
    if world.rules.contains_key(&RuleName::new(&req.config_rule_name)) {
        return outcome;
    }
    outcome.or(
        Alternative::error(ErrorCode::NoSuchConfigRuleException, no_such_rule_message(&req.config_rule_name))
            .provenance(Level::May)
            .message_level(Level::Should)
            .basis("A-31"),
    )
}

fn describe_exceptions(world: &World, req: &DescribeRemediationExceptionsRequest) -> Outcome {
    let rule = RuleName::new(&req.config_rule_name);
    let wire = |(resource, stored): (&ResourceRef, &StoredException)| RemediationException {
        config_rule_name: rule.to_string(),
        resource_type: Some(resource.resource_type.clone()),
        resource_id: Some(resource.resource_id.clone()),
        message: stored.message.clone(),
        expiration_time: stored.expiration,
    };
    let of_rule = world.exceptions.iter().filter(|((r, _), _)| *r == rule).map(|((_, res), e)| (res, e));
    if let Some(keys) = &req.resource_keys {
        let wanted: Vec<ResourceRef> = unique(keys).iter().filter_map(exception_key_resource).collect();
        let found: Vec<RemediationException> =
            of_rule.filter(|(res, _)| wanted.contains(res)).map(wire).collect();
        return Outcome::ok(body(&DescribeRemediationExceptionsResponse { remediation_exceptions: found, next_token: None }))
            .clauses(&["R-DRE-01", "R-DRE-03"])
            .clauses(LISTING_SHOWS);
    }
    let all: Vec<(&ResourceRef, &StoredException)> = of_rule.collect();
    let page_size = if req.limit == 0 { defaults::EXCEPTIONS_PAGE } else { req.limit as usize };
    let listing = |size: usize| {
        paging::page(all.clone(), |(res, _)| sort_key(res), size, req.next_token.as_deref(), "DescribeRemediationExceptions", rule.as_str())
            .map(|(page, next_token)| body(&DescribeRemediationExceptionsResponse { remediation_exceptions: page.into_iter().map(wire).collect(), next_token }))
    };
    match listing(page_size) {
        Ok(preferred) => {
            let mut outcome = Outcome::ok(preferred.clone())
                .clauses(&["R-DRE-01", "R-DRE-02", "R-DRE-04", "R-DRE-05"])
                .clauses(LISTING_SHOWS);
            if req.limit == 0 {
                outcome = outcome.clause("R-PAG-03");
            }
            // a Limit above 25 may also be capped at the 25 items the output list is
            // declared with (R-DRE-08, M-05); the token then resumes after the 25th.
            if page_size > MAX_EXCEPTIONS_PER_PAGE {
                if let Ok(capped) = listing(MAX_EXCEPTIONS_PER_PAGE) {
                    if capped != preferred {
                        outcome = outcome.or(Alternative::success(capped).provenance(Level::May).basis("A-15").covers("R-DRE-08"));
                    }
                }
            }
            outcome
        }
        Err(e) => Outcome::err(e.code, e.message).clauses(&["R-DRE-05", "R-PAG-04"]),
    }
}

/// The text the model uses for a key with no exception to delete.
pub const NO_SUCH_EXCEPTION: &str = "No remediation exception exists for the resource.";

/// DeleteRemediationExceptions (R-DelRE-01..04). Keys with an exception lose it. Keys without
/// one are refused: either in FailedBatches with the others deleted, or as a whole-request
/// NoSuchRemediationExceptionException with nothing deleted. When no key has an
/// exception the error is preferred, otherwise the partial success.
pub fn apply_delete_exceptions(world: &mut World, req: &DeleteRemediationExceptionsRequest) -> Outcome {
    let rule = RuleName::new(&req.config_rule_name);
    let keys = unique(&req.resource_keys);
    let (present, missing): (Vec<_>, Vec<_>) = keys.iter().cloned().partition(|k| {
        exception_key_resource(k).is_some_and(|res| world.exceptions.contains_key(&(rule.clone(), res)))
    });
    let before = (!missing.is_empty()).then(|| world.clone());
    for key in &present {
        if let Some(res) = exception_key_resource(key) {
            world.exceptions.remove(&(rule.clone(), res));
        }
    }
    let Some(before) = before else {
        return Outcome::ok(json!({"FailedBatches": []})).clause("R-DelRE-01");
    };
    // Each way of refusing exercises its own rule; neither is silent.
    let partial = Alternative::success(body(&DeleteRemediationExceptionsResponse {
        failed_batches: vec![FailedDeleteRemediationExceptionsBatch {
            failure_message: NO_SUCH_EXCEPTION.to_owned(),
            failed_items: missing,
        }],
    }))
    .provenance(Level::May)
    .basis("A-14")
    .covers("R-DelRE-03");
    let error = Alternative::error(
        ErrorCode::NoSuchRemediationExceptionException,
        format!("No remediation exception exists for the given resource keys of rule {rule}."),
    )
    .provenance(Level::May)
    .basis("A-14")
    .covers("R-DelRE-02")
    .covers("R-ERR-05");
    if present.is_empty() {
        Outcome::new(error).or(partial)
    } else {
        // Only the partial answer deleted anything.
        Outcome::new(partial.covers("R-DelRE-01")).or(error.with_world(before))
    }
}
