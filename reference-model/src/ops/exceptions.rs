//! PutRemediationExceptions, DescribeRemediationExceptions, DeleteRemediationExceptions.

use super::body;
use super::rules::no_such_rule_message;
use crate::error::ErrorCode;
use crate::limits::defaults;
use crate::names::{exception_key_resource, ResourceRef, RuleName};
use crate::outcome::{Alternative, Level, Outcome};
use crate::paging;
use crate::wire::*;
use crate::world::{ComplianceType, ResourceKeyOf, ResourceView, StoredException, World, MAX_RESOURCE_ROWS};
use serde_json::json;
use crate::clauses::RuleId;
use crate::rule;

/// `FailedRemediationExceptionBatch.FailedItems` holds at most 25 items in the service model.
pub const MAX_FAILED_ITEMS_PER_BATCH: usize = 25;

/// `DescribeRemediationExceptionsResponse.RemediationExceptions` holds at most 25 items in the
/// service model, although Limit goes to 100 (R-DRE-08, M-05).
pub const MAX_EXCEPTIONS_PER_PAGE: usize = 25;

/// The text the model uses for a key whose resource is not NON_COMPLIANT (A-11).
pub const NOT_NON_COMPLIANT: &str =
    "Remediation exceptions can only be placed on resources that are NON_COMPLIANT under the rule.";

/// The items without repeats, each where it first appears (R-PRE-07: one exception per key).
fn unique<T: Ord + Clone>(items: &[T]) -> Vec<T> {
    let mut seen = std::collections::BTreeSet::new();
    items.iter().filter(|item| seen.insert(*item)).cloned().collect()
}

/// Points `key`'s resource at the exception key's resource, reusing its buffers, so that a
/// request of 100 keys looks its rows up without allocating a key for each (issue 13). False
/// when the key does not name a whole resource.
fn aim(key: &mut ResourceKeyOf, exception_key: &RemediationExceptionResourceKey) -> bool {
    let (Some(resource_type), Some(resource_id)) = (&exception_key.resource_type, &exception_key.resource_id) else { return false };
    key.1.resource_type.clone_from(resource_type);
    key.1.resource_id.clone_from(resource_id);
    true
}

/// A key of the request as FailedItems show it: with the request's Message and ExpirationTime.
fn exception_wire(rule: &RuleName, key: &RemediationExceptionResourceKey, req_message: Option<&String>, req_expiration: Option<crate::time::Timestamp>) -> RemediationException {
    RemediationException {
        config_rule_name: rule.to_string(),
        resource_type: key.resource_type.clone(),
        resource_id: key.resource_id.clone(),
        message: req_message.cloned(),
        expiration_time: req_expiration,
    }
}

/// The text the model uses, in the alternative that refuses them, for keys whose
/// ExpirationTime has already passed (A-30).
pub const EXPIRED: &str = "The ExpirationTime of a remediation exception must be in the future.";

/// Refused keys as FailedBatches items, at most 25 a batch, all with one message (R-PRE-11,
/// A-35).
fn failed_batches(rule: &RuleName, keys: &[RemediationExceptionResourceKey], req: &PutRemediationExceptionsRequest, message: &str) -> serde_json::Value {
    let batches: Vec<FailedRemediationExceptionBatch> = keys
        .chunks(MAX_FAILED_ITEMS_PER_BATCH)
        .map(|chunk| FailedRemediationExceptionBatch {
            failure_message: message.to_owned(),
            failed_items: chunk.iter().map(|k| exception_wire(rule, k, req.message.as_ref(), req.expiration_time)).collect(),
        })
        .collect();
    body(&PutRemediationExceptionsResponse { failed_batches: batches })
}

/// What a listing of exceptions shows beside its own rules: only NON_COMPLIANT resources got
/// one (R-PRE-04), expired ones are gone (R-PRE-09), and the ones Config placed after the
/// allowed failed attempts (R-RC-05) are there.
const LISTING_SHOWS: &[RuleId] = &[rule!("R-PRE-04"), rule!("R-PRE-09"), rule!("R-RC-05")];

/// What a listing of a rule with a remediation configuration shows too: whether Config placed
/// exceptions itself after failed runs (R-PRE-02) and, when it remediates automatically, after
/// how many attempts within which window (R-RC-06), a member left out meaning its default (M-04).
fn config_places(world: &World, rule: &RuleName) -> &'static [RuleId] {
    match world.remediation(rule).map(|s| &s.config) {
        Some(c) if c.automatic == Some(true) && (c.maximum_automatic_attempts.is_none() || c.retry_attempt_seconds.is_none()) => {
            &[rule!("R-PRE-02"), rule!("R-RC-06"), rule!("M-04")]
        }
        Some(c) if c.automatic == Some(true) => &[rule!("R-PRE-02"), rule!("R-RC-06")],
        Some(_) => &[rule!("R-PRE-02")],
        None => &[],
    }
}

/// PutRemediationExceptions (R-PRE-01..11).
///
/// One exception per key (R-PRE-07), an upsert per (rule, resource) (R-PRE-01), only for
/// resources that are NON_COMPLIANT under the rule (R-PRE-04). For the other keys no exception
/// is made; the documentation does not say whether they are reported, so both a FailedBatches
/// entry (preferred) and silence are accepted (A-11). A service-linked remediation refuses
/// exceptions (R-PRE-05, A-06). An ExpirationTime already past is accepted and the exception
/// ends at once (preferred), or the request is refused, as a whole or key by key (A-30).
pub fn apply_put_exceptions(world: &mut World, req: &PutRemediationExceptionsRequest) -> Outcome {
    let rule = RuleName::new(&req.config_rule_name);

    if world.remediations.get(&rule).is_some_and(|r| r.config.created_by_service.is_some()) {
        let message = format!("Remediation exceptions cannot be placed on the service-linked remediation action of rule {rule}.");
        return Outcome::new(
            // A parameter error, one of the operation's modelled errors (R-PRE-10).
            Alternative::error(ErrorCode::InvalidParameterValueException, message.clone()).provenance(Level::May).basis("A-06").covers(rule!("R-PRE-10")),
        )
        .or(Alternative::success(failed_batches(&rule, &unique(&req.resource_keys), req, &message)).provenance(Level::May).basis("A-06").covers(rule!("R-PRE-11")))
        .clause(rule!("R-PRE-05"));
    }

    let expired = req.expiration_time.is_some_and(|t| t <= world.now);
    let before = expired.then(|| world.clone());
    let mut refused = Vec::new();
    let mut stored_any = false;
    let mut row: ResourceKeyOf = (rule.clone(), ResourceRef::new("", ""));
    let exception = StoredException { message: req.message.clone(), expiration: req.expiration_time, placed_by_config: false };
    // A repeated key changes nothing the first one did not (the upsert is the same), so the
    // keys are taken as sent and only the refused ones, usually none, are made unique.
    for key in &req.resource_keys {
        let non_compliant = aim(&mut row, key)
            && world.evaluations.get(&row).is_some_and(|e| e.compliance == ComplianceType::NonCompliant);
        let full = world.exceptions.len() >= MAX_RESOURCE_ROWS && !world.exceptions.contains_key(&row);
        if non_compliant && !full {
            if expired {
                // R-PRE-09, A-30: an ExpirationTime that has already passed deletes the
                // exception at once (the upsert replaced any earlier one, then it expired).
                world.exceptions.remove(&row);
            } else {
                world.exceptions.upsert_row(&row.0, (&row.1).into(), &exception);
            }
            stored_any = true;
        } else {
            refused.push(key.clone());
        }
    }
    let refused = unique(&refused);

    let mut clauses = vec![rule!("R-PRE-01"), rule!("R-PRE-07")];
    // Both parts of this key shape are optional (M-01): a key missing one is accepted, and matches no resource.
    if req.resource_keys.iter().any(|k| k.resource_type.is_none() || k.resource_id.is_none()) {
        clauses.push(rule!("M-01"));
    }
    if req.message.is_some() {
        clauses.push(rule!("R-PRE-08"));
    }
    if req.expiration_time.is_some() && !expired {
        clauses.push(rule!("R-PRE-09"));
    }
    if stored_any {
        clauses.push(rule!("R-PRE-02"));
    }
    // Keys accepted with an ExpirationTime already past: their exception ended at once, which
    // exercises R-PRE-09 only in the answers that accepted them (A-30).
    let expired_accepted = |a: Alternative| if expired && stored_any { a.covers(rule!("R-PRE-09")) } else { a };
    let mut outcome = if refused.is_empty() {
        let accepted = Alternative::success(json!({"FailedBatches": []}));
        let accepted = if expired { accepted.provenance(Level::May).basis("A-30") } else { accepted };
        Outcome::new(expired_accepted(accepted)).clauses(&clauses)
    } else {
        // Only an answer that lists the refused keys exercises R-PRE-11; the silent one is the
        // model's allowance (A-11).
        Outcome::new(expired_accepted(
            Alternative::success(failed_batches(&rule, &refused, req, NOT_NON_COMPLIANT))
                .provenance(Level::May)
                .basis("A-11")
                .covers(rule!("R-PRE-11")),
        ))
        .or(expired_accepted(Alternative::success(json!({"FailedBatches": []})).provenance(Level::May).basis("A-11")))
        .clauses(&clauses)
        .clause(rule!("R-PRE-04"))
    };
    // An unknown rule is not an error: NoSuchConfigRuleException is not a modelled error (R-PRE-10).
    outcome = outcome.clauses(if world.rules.contains_key(&rule) { &[] } else { &[rule!("R-PRE-10")] });
    if let Some(before) = before {
        // A target may refuse a time already past: as a whole, as a validation or parameter
        // error, or key by key with every key listed. Nothing changes then.
        for code in [ErrorCode::InvalidParameterValueException, ErrorCode::ValidationException] {
            let refusal = Alternative::error(code, EXPIRED).provenance(Level::May).basis("A-30");
            outcome = outcome.or(super::with_world_if_different(refusal, before.clone(), world));
        }
        if stored_any {
            let listed = Alternative::success(failed_batches(&rule, &unique(&req.resource_keys), req, EXPIRED))
                .provenance(Level::May)
                .basis("A-30")
                .covers(rule!("R-PRE-11"));
            outcome = outcome.or(super::with_world_if_different(listed, before, world));
        }
    }
    if !world.rules.contains_key(&rule) {
        // An unknown rule has no NON_COMPLIANT resource; the service may also refuse outright (A-12).
        outcome = outcome.or(
            Alternative::error(ErrorCode::InvalidParameterValueException, format!("The Config rule {rule} does not exist."))
                .provenance(Level::May)
                .basis("A-12"),
        );
    }
    outcome
}

/// The key a listing is sorted and paged by: type, NUL, id (R-DRE-02). NUL sorts first, so
/// this order is the table's (type, id) order whenever neither part holds a NUL.
fn sort_key(resource: ResourceView<'_>) -> String {
    format!("{}\u{0}{}", resource.resource_type, resource.resource_id)
}

/// `sort_key(resource) > after`, without building the key.
fn sorts_after(resource: ResourceView<'_>, after: &str) -> bool {
    let key = resource.resource_type.bytes().chain(std::iter::once(0)).chain(resource.resource_id.bytes());
    key.cmp(after.bytes()) == std::cmp::Ordering::Greater
}

/// Where in the table a page that resumes after `after` may start: `after` split at its first
/// NUL as (type, id). Every resource whose [`sort_key`] is greater is at or after this one in
/// (type, id) order (a type before `after`'s type differs from it before its end, or is a
/// prefix of it, and so sorts before it in both orders), so starting there and keeping the
/// [`sorts_after`] test gives the same page as reading the rule's rows from the first.
fn resume_point(after: &str) -> ResourceRef {
    match after.split_once('\u{0}') {
        Some((resource_type, resource_id)) => ResourceRef::new(resource_type, resource_id),
        None => ResourceRef::new(after, ""),
    }
}

/// DescribeRemediationExceptions (R-DRE-01..08). Without ResourceKeys: every exception of the
/// rule, sorted by resource, paged by Limit (0 means 25) and NextToken. With ResourceKeys: the
/// exceptions of those keys, Limit and NextToken not applied (R-DRE-03). An unknown rule has
/// none (preferred: NoSuchConfigRuleException is not modelled, R-DRE-06), or is refused with
/// NoSuchConfigRuleException as the other operations refuse it (A-31).
pub fn apply_describe_exceptions(world: &mut World, req: &DescribeRemediationExceptionsRequest) -> Outcome {
    let mut outcome = describe_exceptions(world, req);
    if world.rules.contains_key(&RuleName::new(&req.config_rule_name)) {
        return outcome;
    }
    // Answering an unknown rule without an error keeps to the modelled errors (R-DRE-06, M-10).
    if let Some(listed) = outcome.alternatives.first_mut().filter(|a| a.reply.error_code().is_none()) {
        listed.covers.extend([rule!("R-DRE-06"), rule!("M-10")]);
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
    let wire = |(resource, stored): (ResourceView<'_>, &StoredException)| RemediationException {
        config_rule_name: rule.to_string(),
        resource_type: Some(resource.resource_type.to_owned()),
        resource_id: Some(resource.resource_id.to_owned()),
        message: stored.message.clone(),
        expiration_time: stored.expiration,
    };
    if let Some(keys) = &req.resource_keys {
        // Each wanted key looked up, in the table's order (as a scan of the rule's rows).
        let mut wanted: Vec<ResourceRef> = unique(keys).iter().filter_map(exception_key_resource).collect();
        wanted.sort();
        let mut row: ResourceKeyOf = (rule.clone(), ResourceRef::new("", ""));
        let mut found = Vec::new();
        for resource in wanted {
            row.1 = resource;
            if let Some(stored) = world.exceptions.get(&row) {
                found.push(wire(((&row.1).into(), stored)));
            }
        }
        return Outcome::ok(body(&DescribeRemediationExceptionsResponse { remediation_exceptions: found, next_token: None }))
            .clauses(&[rule!("R-DRE-01"), rule!("R-DRE-03")])
            .clauses(LISTING_SHOWS)
            .clauses(config_places(world, &rule));
    }
    let page_size = if req.limit == 0 { defaults::EXCEPTIONS_PAGE } else { req.limit as usize };
    let listing = |size: usize| {
        const OPERATION: &str = "DescribeRemediationExceptions";
        let after = req.next_token.as_deref().map(|t| paging::resume_after(t, OPERATION, rule.as_str())).transpose()?;
        let rows = world.exceptions.of_rule(&rule, after.as_deref().map(resume_point));
        let rows = rows.filter(|(res, _)| after.as_deref().is_none_or(|a| sorts_after(*res, a)));
        let (page, next_token) = paging::page_of(rows, size, |(res, _)| sort_key(*res), OPERATION, rule.as_str());
        Ok::<_, crate::error::ApiError>(body(&DescribeRemediationExceptionsResponse { remediation_exceptions: page.into_iter().map(wire).collect(), next_token }))
    };
    match listing(page_size) {
        Ok(preferred) => {
            let mut outcome = Outcome::ok(preferred.clone())
                .clauses(&[rule!("R-DRE-01"), rule!("R-DRE-02"), rule!("R-DRE-04"), rule!("R-DRE-05")])
                .clauses(LISTING_SHOWS)
                .clauses(config_places(world, &rule))
                // Paged by Limit and NextToken, without a paginator entry (R-PAG-02).
                .clauses(if req.next_token.is_some() || preferred.get("NextToken").is_some() { &[rule!("R-PAG-02")] } else { &[] });
            if req.limit == 0 {
                outcome = outcome.clause(rule!("R-PAG-03"));
            }
            // A-15: a Limit above 25 may also be capped at the 25 items the output list is
            // declared with (R-DRE-08, M-05); the token then resumes after the 25th.
            if page_size > MAX_EXCEPTIONS_PER_PAGE {
                if let Ok(capped) = listing(MAX_EXCEPTIONS_PER_PAGE) {
                    if capped != preferred {
                        outcome = outcome.or(Alternative::success(capped).provenance(Level::May).basis("A-15").covers(rule!("R-DRE-08")));
                    }
                }
            }
            outcome
        }
        Err(e) => Outcome::err(e.code, e.message).clauses(&[rule!("R-DRE-05"), rule!("R-PAG-04"), rule!("R-DRE-06")]),
    }
}

/// The text the model uses for a key with no exception to delete (A-14).
pub const NO_SUCH_EXCEPTION: &str = "No remediation exception exists for the resource.";

/// DeleteRemediationExceptions (R-DelRE-01..04). Keys with an exception lose it. Keys without
/// one are refused: either in FailedBatches with the others deleted, or as a whole-request
/// NoSuchRemediationExceptionException with nothing deleted (A-14). When no key has an
/// exception the error is preferred, otherwise the partial success.
pub fn apply_delete_exceptions(world: &mut World, req: &DeleteRemediationExceptionsRequest) -> Outcome {
    let rule = RuleName::new(&req.config_rule_name);
    let keys = unique(&req.resource_keys);
    let mut row: ResourceKeyOf = (rule.clone(), ResourceRef::new("", ""));
    let (present, missing): (Vec<_>, Vec<_>) =
        keys.iter().cloned().partition(|k| aim(&mut row, k) && world.exceptions.contains_key(&row));
    if missing.is_empty() {
        for key in &present {
            if aim(&mut row, key) {
                world.exceptions.remove(&row);
            }
        }
        return Outcome::ok(json!({"FailedBatches": []})).clause(rule!("R-DelRE-01"));
    }
    // The state before the deletions is kept only when the answers leave different states:
    // with no key present neither deletes anything, and copying the world would cost a copy
    // of every table (issue 13: half a second at 1,000,000 exceptions).
    let before = (!present.is_empty()).then(|| world.clone());
    for key in &present {
        if aim(&mut row, key) {
            world.exceptions.remove(&row);
        }
    }
    // Each way of refusing exercises its own rule; neither is silent (A-14).
    let partial = Alternative::success(body(&DeleteRemediationExceptionsResponse {
        failed_batches: vec![FailedDeleteRemediationExceptionsBatch {
            failure_message: NO_SUCH_EXCEPTION.to_owned(),
            failed_items: missing,
        }],
    }))
    .provenance(Level::May)
    .basis("A-14")
    .covers(rule!("R-DelRE-03"));
    let error = Alternative::error(
        ErrorCode::NoSuchRemediationExceptionException,
        format!("No remediation exception exists for the given resource keys of rule {rule}."),
    )
    .provenance(Level::May)
    .basis("A-14")
    .covers(rule!("R-DelRE-02"))
    .covers(rule!("R-ERR-05"));
    match before {
        None => Outcome::new(error).or(partial),
        // Only the partial answer deleted anything.
        Some(before) => Outcome::new(partial.covers(rule!("R-DelRE-01"))).or(error.with_world(before)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn resources() -> Vec<ResourceRef> {
        // Types that are prefixes of one another, and NULs inside types and ids: where the
        // table's (type, id) order and the listing's type-NUL-id order could part.
        let types = ["A", "A\u{0}", "A\u{0}B", "AB", "B"];
        let ids = ["", "\u{0}", "a", "a\u{0}b", "b"];
        types.iter().flat_map(|t| ids.iter().map(move |i| ResourceRef::new(*t, *i))).collect()
    }

    #[test]
    fn sorts_after_is_the_comparison_of_the_built_keys() {
        for r in resources() {
            for s in resources() {
                assert_eq!(sorts_after((&r).into(), &sort_key((&s).into())), sort_key((&r).into()) > sort_key((&s).into()), "{r:?} after {s:?}");
            }
        }
    }

    /// Starting at [`resume_point`] loses nothing a read from the rule's first row would give,
    /// for every token a page could end with and for tokens no page issued.
    #[rstest]
    #[case::issued_keys(resources().iter().map(|r| sort_key(r.into())).collect())]
    #[case::foreign_keys(vec!["".into(), "\u{0}".into(), "A".into(), "AA".into(), "A\u{0}\u{0}".into(), "Z".into()])]
    fn the_resume_point_skips_only_rows_at_or_before_the_token(#[case] tokens: Vec<String>) {
        let mut table = crate::world::ExceptionTable::default();
        let rule = RuleName::new("r");
        let other = RuleName::new("s");
        for r in resources() {
            let exception = StoredException { message: None, expiration: None, placed_by_config: false };
            table.upsert(&(rule.clone(), r.clone()), exception.clone());
            table.upsert(&(other.clone(), r), exception);
        }
        for after in tokens {
            let from_start: Vec<ResourceView> = table.of_rule(&rule, None).map(|(r, _)| r).filter(|r| sorts_after(*r, &after)).collect();
            let resumed: Vec<ResourceView> =
                table.of_rule(&rule, Some(resume_point(&after))).map(|(r, _)| r).filter(|r| sorts_after(*r, &after)).collect();
            assert_eq!(resumed, from_start, "after {after:?}");
        }
    }
}
