//! `cleanup`: removes what earlier (perhaps interrupted) runs left behind, and only that: Config
//! rules whose names start with the suite's prefix, with their remediation configurations.

use crate::runner::NAME_PREFIX;
use crate::session::{prepare_target, RunOptions, SetupError};
use crate::target::{Target, WireRequest};
use reference_model::Operation;
use serde_json::{json, Value};

/// Deletes every `rsuite-*` rule (after its remediation configuration); returns their names.
pub async fn delete_suite_resources(options: &RunOptions) -> Result<Vec<String>, SetupError> {
    let prepared = prepare_target(options).await?;
    let target = &prepared.target;
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let body = match &token {
            Some(t) => json!({ "NextToken": t }),
            None => json!({}),
        };
        let answer = target
            .call(&WireRequest::for_operation(Operation::DescribeConfigRules, body.to_string().into_bytes()))
            .await
            .map_err(|e| SetupError(format!("DescribeConfigRules: {e}")))?;
        if answer.status != 200 {
            return Err(SetupError(format!("DescribeConfigRules answered HTTP {}: {}", answer.status, answer.body_text())));
        }
        let page: Value = serde_json::from_slice(&answer.body).map_err(|e| SetupError(format!("DescribeConfigRules: {e}")))?;
        for rule in page.get("ConfigRules").and_then(Value::as_array).into_iter().flatten() {
            if let Some(name) = rule.get("ConfigRuleName").and_then(Value::as_str) {
                if name.starts_with(NAME_PREFIX) {
                    names.push(name.to_owned());
                }
            }
        }
        token = page.get("NextToken").and_then(Value::as_str).map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let mut deleted = Vec::new();
    for name in names {
        let body = json!({ "ConfigRuleName": name }).to_string().into_bytes();
        let _ = target.call(&WireRequest::for_operation(Operation::DeleteRemediationConfiguration, body.clone())).await;
        let answer = target
            .call(&WireRequest::for_operation(Operation::DeleteConfigRule, body))
            .await
            .map_err(|e| SetupError(format!("DeleteConfigRule {name}: {e}")))?;
        if answer.status == 200 {
            deleted.push(name);
        }
    }
    Ok(deleted)
}
