//! The formats of identifiers the service makes up.
//!
//! Identity (the same model value always meets the same target value) is kept by the judge;
//! this module checks the shape of one value. An Arn's structure (`arn`, a partition, the
//! service `config`, a region, a 12-digit account, the resource type) is MUST: SDKs and tools
//! parse it. What the real service was seen to put after the resource type (a UUID, a
//! `config-rule-` id) is SHOULD. The region and account are returned as parts so that the
//! judge can keep them the same across a scenario.

use reference_model::{IdFormat, Level};

/// One way a generated identifier is malformed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatProblem {
    pub expected: &'static str,
    pub level: Level,
}

/// The parts of a well-formed Arn the judge keeps identical across a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArnParts<'a> {
    pub region: &'a str,
    pub account: &'a str,
}

/// Checks `actual` against `format`. `expected` is the model's value, whose resource part names
/// the rule a remediation configuration belongs to.
pub fn check<'a>(format: IdFormat, expected: &str, actual: &'a str) -> (Vec<FormatProblem>, Option<ArnParts<'a>>) {
    let mut problems = Vec::new();
    let mut must = |ok: bool, what: &'static str| {
        if !ok {
            problems.push(FormatProblem { expected: what, level: Level::Must });
        }
    };
    match format {
        IdFormat::Opaque => {
            must(!actual.trim().is_empty(), "a non-empty identifier");
            (problems, None)
        }
        IdFormat::ConfigRuleId => {
            must(!actual.trim().is_empty(), "a non-empty ConfigRuleId");
            if !actual.is_empty() && !short_id(actual.strip_prefix("config-rule-")) {
                problems.push(FormatProblem { expected: "config-rule-<lower-case letters and digits>", level: Level::Should });
            }
            (problems, None)
        }
        IdFormat::ConfigRuleArn | IdFormat::RemediationConfigurationArn => {
            let Some(arn) = parse_arn(actual) else {
                problems.push(FormatProblem {
                    expected: "an Arn: arn:<partition>:config:<region>:<12-digit account>:<resource>",
                    level: Level::Must,
                });
                return (problems, None);
            };
            must(arn.service == "config", "an Arn of the service config");
            if format == IdFormat::ConfigRuleArn {
                match arn.resource.strip_prefix("config-rule/") {
                    None => must(false, "an Arn whose resource is config-rule/<id>"),
                    Some(id) => {
                        must(!id.is_empty(), "an Arn whose resource is config-rule/<id>");
                        if !id.is_empty() && !short_id(id.strip_prefix("config-rule-")) {
                            problems.push(FormatProblem { expected: "config-rule/config-rule-<id>", level: Level::Should });
                        }
                    }
                }
            } else {
                let rule = parse_arn(expected)
                    .and_then(|e| e.resource.strip_prefix("remediation-configuration/").map(str::to_owned))
                    .and_then(|rest| rest.rsplit_once('/').map(|(rule, _)| rule.to_owned()));
                match (rule, arn.resource.strip_prefix("remediation-configuration/").and_then(|r| r.rsplit_once('/'))) {
                    (Some(rule), Some((actual_rule, id))) => {
                        must(actual_rule == rule, "an Arn whose resource is remediation-configuration/<the rule's name>/<id>");
                        must(!id.is_empty(), "an Arn whose resource ends with an id");
                        if !id.is_empty() && !uuid(id) {
                            problems.push(FormatProblem {
                                expected: "remediation-configuration/<rule>/<UUID> (observed rc-describe-echo)",
                                level: Level::Should,
                            });
                        }
                    }
                    _ => must(false, "an Arn whose resource is remediation-configuration/<rule>/<id>"),
                }
            }
            (problems, Some(ArnParts { region: arn.region, account: arn.account }))
        }
    }
}

struct Arn<'a> {
    service: &'a str,
    region: &'a str,
    account: &'a str,
    resource: &'a str,
}

/// `arn:partition:service:region:account:resource`, with the parts Config's Arns always have.
fn parse_arn(s: &str) -> Option<Arn<'_>> {
    let mut parts = s.splitn(6, ':');
    let (prefix, partition, service, region, account, resource) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let partition_ok = partition == "aws"
        || partition.strip_prefix("aws-").is_some_and(|p| !p.is_empty() && p.split('-').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase())));
    let region_ok = {
        let words: Vec<&str> = region.split('-').collect();
        words.len() >= 3
            && words[..words.len() - 1].iter().all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
            && words[words.len() - 1].bytes().all(|b| b.is_ascii_digit())
            && !words[words.len() - 1].is_empty()
    };
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    (prefix == "arn" && partition_ok && region_ok && account_ok && !resource.is_empty())
        .then_some(Arn { service, region, account, resource })
}

fn short_id(id: Option<&str>) -> bool {
    id.is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// A UUID in its usual text form: 8-4-4-4-12 hexadecimal digits (the `uuid` crate also reads
/// the simple, braced and URN forms, which an Arn does not use).
fn uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const MODEL_RC: &str = "arn:aws:config:us-east-1:123456789012:remediation-configuration/rsuite-1-r/0f8fad5b-d9cb-469f-a165-70867728950e";

    fn worst(format: IdFormat, expected: &str, actual: &str) -> Option<Level> {
        check(format, expected, actual).0.iter().map(|p| p.level).max()
    }

    #[rstest]
    // Well-formed, other account, region and UUID: identity is the judge's business, not this.
    #[case(IdFormat::RemediationConfigurationArn, "arn:aws:config:eu-west-1:000000000000:remediation-configuration/rsuite-1-r/a5e5f48d-45e5-4e1b-bf6e-9af5d222ad38", None)]
    #[case(IdFormat::RemediationConfigurationArn, "arn:aws-cn:config:cn-north-1:000000000000:remediation-configuration/rsuite-1-r/a5e5f48d-45e5-4e1b-bf6e-9af5d222ad38", None)]
    #[case(IdFormat::RemediationConfigurationArn, "arn:aws:config:us-east-1:123456789012:remediation-configuration/rsuite-1-r/12345", Some(Level::Should))]
    #[case(IdFormat::RemediationConfigurationArn, "arn:aws:config:us-east-1:123456789012:remediation-configuration/other/0f8fad5b-d9cb-469f-a165-70867728950e", Some(Level::Must))]
    #[case(IdFormat::RemediationConfigurationArn, "arn:aws:ssm:us-east-1:123456789012:remediation-configuration/rsuite-1-r/0f8fad5b-d9cb-469f-a165-70867728950e", Some(Level::Must))]
    #[case(IdFormat::RemediationConfigurationArn, "arn:aws:config:us-east-1:1234:remediation-configuration/rsuite-1-r/0f8fad5b-d9cb-469f-a165-70867728950e", Some(Level::Must))]
    #[case(IdFormat::RemediationConfigurationArn, "arn:aws:config:useast1:123456789012:remediation-configuration/rsuite-1-r/x", Some(Level::Must))]
    #[case(IdFormat::RemediationConfigurationArn, "arn:aws:config:us-east-1:123456789012:config-rule/config-rule-abc123", Some(Level::Must))]
    #[case(IdFormat::RemediationConfigurationArn, "not-an-arn", Some(Level::Must))]
    #[case(IdFormat::RemediationConfigurationArn, "", Some(Level::Must))]
    #[case(IdFormat::ConfigRuleArn, "arn:aws:config:us-east-1:123456789012:config-rule/config-rule-ab12cd", None)]
    #[case(IdFormat::ConfigRuleArn, "arn:aws:config:us-east-1:123456789012:config-rule/Rule_1", Some(Level::Should))]
    #[case(IdFormat::ConfigRuleArn, "arn:aws:config:us-east-1:123456789012:rule/config-rule-ab12cd", Some(Level::Must))]
    #[case(IdFormat::ConfigRuleId, "config-rule-ab12cd", None)]
    #[case(IdFormat::ConfigRuleId, "ab12cd", Some(Level::Should))]
    #[case(IdFormat::ConfigRuleId, " ", Some(Level::Must))]
    #[case(IdFormat::Opaque, "anything", None)]
    #[case(IdFormat::Opaque, "", Some(Level::Must))]
    fn identifiers_are_checked_for_their_format(#[case] format: IdFormat, #[case] actual: &str, #[case] level: Option<Level>) {
        assert_eq!(worst(format, MODEL_RC, actual), level, "{actual}");
    }

    #[test]
    fn an_arn_gives_its_region_and_account() {
        let (_, parts) = check(IdFormat::ConfigRuleArn, "", "arn:aws:config:eu-west-1:000000000000:config-rule/config-rule-a1");
        assert_eq!(parts, Some(ArnParts { region: "eu-west-1", account: "000000000000" }));
    }
}
