//! Execution statuses on a target whose clock the runner does not control.
//!
//! Against such a target the model cannot say which state an execution has reached, nor when,
//! so the judge checks what must hold at any moment (R-DRES-08, R-DRES-09 and the service
//! model's shapes): states and step states from their enums, step members of the right types,
//! timestamps that are epoch seconds, not negative, and in order (a step stops after it starts,
//! an execution is updated after it is invoked). That states never move backwards across steps
//! (R-DRES-07) is the runner's history check.

use reference_model::service_model::{ServiceModel, Shape};
use serde_json::Value;

/// The values of an enum shape of the service model (`RemediationExecutionState`,
/// `RemediationExecutionStepState`).
pub fn enum_values(shape: &str) -> &'static [String] {
    match ServiceModel::get().shapes.get(shape) {
        Some(Shape::String { enumeration: Some(values), .. }) => values,
        _ => &[],
    }
}

/// True when `value` is a string of the enum `shape`.
pub fn in_enum(shape: &str, value: &Value) -> bool {
    value.as_str().is_some_and(|s| enum_values(shape).iter().any(|v| v == s))
}

const STEP_STATE: &str = "RemediationExecutionStepState";

/// One thing that cannot hold, at a path relative to the checked value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub expected: String,
    pub actual: String,
}

fn problem(path: impl Into<String>, expected: impl Into<String>, actual: &Value) -> Problem {
    Problem { path: path.into(), expected: expected.into(), actual: actual.to_string() }
}

/// True for a timestamp as AWS JSON 1.1 sends it: epoch seconds, not negative.
pub fn is_timestamp(v: &Value) -> bool {
    v.as_f64().is_some_and(|t| t.is_finite() && t >= 0.0)
}

/// R-DRES-09: a `StepDetails` list whose values the model cannot predict.
pub fn check_steps(steps: &Value) -> Vec<Problem> {
    let Some(items) = steps.as_array() else {
        return vec![problem("", "a list of steps", steps)];
    };
    let mut problems = Vec::new();
    for (i, step) in items.iter().enumerate() {
        let Some(members) = step.as_object() else {
            problems.push(problem(i.to_string(), "a step (an object)", step));
            continue;
        };
        for (name, value) in members {
            let at = format!("{i}/{name}");
            let ok = match name.as_str() {
                "Name" | "ErrorMessage" => value.is_string(),
                "State" => in_enum(STEP_STATE, value),
                "StartTime" | "StopTime" => is_timestamp(value),
                // An undeclared member is the judge's general business (SHOULD), not this.
                _ => true,
            };
            if !ok {
                let expected = match name.as_str() {
                    "State" => format!("one of {}", enum_values(STEP_STATE).join(", ")),
                    "StartTime" | "StopTime" => "a timestamp (epoch seconds, not negative)".to_owned(),
                    _ => "a string".to_owned(),
                };
                problems.push(problem(at, expected, value));
            }
        }
        if let (Some(start), Some(stop)) = (members.get("StartTime"), members.get("StopTime")) {
            if let (Some(a), Some(b)) = (start.as_f64(), stop.as_f64()) {
                if b < a {
                    problems.push(problem(format!("{i}/StopTime"), format!("not before StartTime ({start})"), stop));
                }
            }
        }
    }
    problems
}

/// R-DRES-08: an execution is last updated no earlier than it was invoked.
pub fn check_status_times(status: &Value) -> Option<Problem> {
    let invoked = status.get("InvocationTime")?.as_f64()?;
    let updated = status.get("LastUpdatedTime")?;
    (updated.as_f64()? < invoked).then(|| problem("LastUpdatedTime", format!("not before InvocationTime ({invoked})"), updated))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    #[rstest]
    #[case(json!([]), 0)]
    #[case(json!([{"Name": "s1", "State": "SUCCEEDED", "StartTime": 1.5, "StopTime": 2}]), 0)]
    #[case(json!([{"Name": "s1", "State": "PENDING"}]), 0)]
    #[case(json!("FAILED"), 1)]
    #[case(json!([1]), 1)]
    #[case(json!([{"Name": 3, "State": "SUCCEEDED"}]), 1)]
    #[case(json!([{"Name": "s", "State": "QUEUED"}]), 1)]
    #[case(json!([{"Name": "s", "State": "EXITED"}]), 0)]
    #[case(json!([{"Name": "s", "State": "SUCCEEDED", "StartTime": -1}]), 1)]
    #[case(json!([{"Name": "s", "State": "SUCCEEDED", "StartTime": "yesterday"}]), 1)]
    #[case(json!([{"Name": "s", "State": "SUCCEEDED", "StartTime": 5, "StopTime": 4}]), 1)]
    #[case(json!([{"Name": "s", "State": "FAILED", "ErrorMessage": ["x"]}]), 1)]
    fn steps_are_checked_without_a_shared_clock(#[case] steps: Value, #[case] problems: usize) {
        assert_eq!(check_steps(&steps).len(), problems, "{steps}");
    }

    #[rstest]
    #[case(json!({"InvocationTime": 10, "LastUpdatedTime": 10}), false)]
    #[case(json!({"InvocationTime": 10, "LastUpdatedTime": 12.5}), false)]
    #[case(json!({"InvocationTime": 10}), false)]
    #[case(json!({"InvocationTime": 10, "LastUpdatedTime": 9}), true)]
    fn an_execution_is_updated_after_it_is_invoked(#[case] status: Value, #[case] problem: bool) {
        assert_eq!(check_status_times(&status).is_some(), problem);
    }

    #[test]
    fn the_enums_come_from_the_service_model() {
        assert!(enum_values("RemediationExecutionState").iter().any(|v| v == "IN_PROGRESS"));
        assert!(enum_values(STEP_STATE).iter().any(|v| v == "PENDING"));
        assert!(!in_enum("RemediationExecutionState", &json!("PENDING")));
    }

    #[rstest]
    #[case(json!(0), true)]
    #[case(json!(1767225600.25), true)]
    #[case(json!(-1), false)]
    #[case(json!("1767225600"), false)]
    #[case(json!(null), false)]
    fn timestamps_are_epoch_seconds(#[case] v: Value, #[case] ok: bool) {
        assert_eq!(is_timestamp(&v), ok);
    }
}
