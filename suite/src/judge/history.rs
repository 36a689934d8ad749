//! What a judgement of one answer cannot see: the order of answers. R-DRES-07, an execution's
//! state only moves forward (QUEUED → IN_PROGRESS → SUCCEEDED or FAILED), is checked across the
//! DescribeRemediationExecutionStatus answers of a scenario.

use super::Difference;
use reference_model::auto::ExecutionState;
use reference_model::Level;
use serde_json::Value;
use std::collections::BTreeMap;

/// The last state each execution was seen in, by (rule, resource type, resource id).
#[derive(Clone, Debug, Default)]
pub struct ExecutionHistory {
    seen: BTreeMap<(String, String, String), ExecutionState>,
}

impl ExecutionHistory {
    /// Records the states of a conforming DescribeRemediationExecutionStatus answer (`request`,
    /// the body sent); the first that went back from what was seen before is a MUST difference
    /// (R-DRES-07).
    pub fn record(&mut self, request: &[u8], answer: &Value) -> Option<Difference> {
        let rule = serde_json::from_slice::<Value>(request).ok()?.get("ConfigRuleName")?.as_str()?.to_owned();
        for status in answer.get("RemediationExecutionStatuses")?.as_array()? {
            let key = status.get("ResourceKey")?;
            let id = (rule.clone(), key.get("resourceType")?.as_str()?.to_owned(), key.get("resourceId")?.as_str()?.to_owned());
            let Some(state) = status.get("State").and_then(Value::as_str).and_then(ExecutionState::parse) else { continue };
            if let Some(previous) = self.seen.get(&id) {
                if !previous.can_reach(state) {
                    return Some(Difference {
                        path: "RemediationExecutionStatuses/State".into(),
                        expected: format!("a state reachable from {} for {}/{}", previous.as_str(), id.1, id.2),
                        actual: state.as_str().into(),
                        level: Level::Must,
                    });
                }
            }
            self.seen.insert(id, state);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    fn answer(state: &str) -> Value {
        json!({"RemediationExecutionStatuses": [{"ResourceKey": {"resourceType": "AWS::S3::Bucket", "resourceId": "b"}, "State": state}]})
    }

    #[rstest]
    #[case::forward(&["QUEUED", "IN_PROGRESS", "SUCCEEDED"], None)]
    #[case::staying(&["IN_PROGRESS", "IN_PROGRESS"], None)]
    #[case::back(&["SUCCEEDED", "QUEUED"], Some("a state reachable from SUCCEEDED for AWS::S3::Bucket/b"))]
    #[case::failed_then_succeeded(&["FAILED", "SUCCEEDED"], Some("a state reachable from FAILED for AWS::S3::Bucket/b"))]
    fn states_only_move_forward(#[case] states: &[&str], #[case] expected: Option<&str>) {
        let mut history = ExecutionHistory::default();
        let request = br#"{"ConfigRuleName": "r"}"#;
        let found = states.iter().find_map(|s| history.record(request, &answer(s)));
        assert_eq!(found.map(|d| d.expected), expected.map(str::to_owned));
    }

    /// Executions of another rule or resource are another history.
    #[test]
    fn each_execution_has_its_own_history() {
        let mut history = ExecutionHistory::default();
        assert!(history.record(br#"{"ConfigRuleName": "r"}"#, &answer("SUCCEEDED")).is_none());
        assert!(history.record(br#"{"ConfigRuleName": "other"}"#, &answer("QUEUED")).is_none());
    }
}
