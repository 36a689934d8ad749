//! Comparing a run's transcript with a recording, step by step and member by member.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One difference between a recorded step and the same step of this run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepDifference {
    /// The step (1-based), as the scenario numbers it.
    pub step: usize,
    /// Where in the step: `status`, `error/__type`, `answer/FailedBatches/0/FailedItems`, …;
    /// empty when the whole step is missing on one side.
    pub path: String,
    /// The recorded value; `None` when the recording has nothing there.
    pub recorded: Option<Value>,
    /// This run's value; `None` when the run has nothing there.
    pub actual: Option<Value>,
}

impl StepDifference {
    /// `step 3 answer/Arn: recorded "…", now "…"`.
    pub fn describe(&self) -> String {
        let show = |v: &Option<Value>| v.as_ref().map_or_else(|| "(absent)".to_owned(), short);
        let path = if self.path.is_empty() { "(whole step)" } else { self.path.as_str() };
        format!("step {} {path}: recorded {}, now {}", self.step, show(&self.recorded), show(&self.actual))
    }
}

/// A value on one line, cut at 200 characters.
fn short(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(200) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

fn steps(transcript: &Value) -> &[Value] {
    transcript.get("steps").and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn step_number(step: &Value, fallback: usize) -> usize {
    step.get("step").and_then(Value::as_u64).map_or(fallback, |n| n as usize)
}

/// Every difference between a recorded transcript and this run's, in step order. Steps are
/// matched by their number; a step on one side only is one difference with an empty path.
pub fn differences(recorded: &Value, actual: &Value) -> Vec<StepDifference> {
    let (recorded, actual) = (steps(recorded), steps(actual));
    let mut out = Vec::new();
    for i in 0..recorded.len().max(actual.len()) {
        match (recorded.get(i), actual.get(i)) {
            (Some(r), Some(a)) => {
                let step = step_number(a, i + 1);
                walk(step, String::new(), Some(r), Some(a), &mut out);
            }
            (r, a) => {
                let step = step_number(r.or(a).unwrap_or(&Value::Null), i + 1);
                out.push(StepDifference { step, path: String::new(), recorded: r.cloned(), actual: a.cloned() });
            }
        }
    }
    out
}

fn join(path: &str, part: &str) -> String {
    if path.is_empty() {
        part.to_owned()
    } else {
        format!("{path}/{part}")
    }
}

fn walk(step: usize, path: String, recorded: Option<&Value>, actual: Option<&Value>, out: &mut Vec<StepDifference>) {
    match (recorded, actual) {
        (Some(Value::Object(r)), Some(Value::Object(a))) => {
            // Recorded members first, in their order, then those only this run has.
            for (k, rv) in r {
                walk(step, join(&path, k), Some(rv), a.get(k), out);
            }
            for (k, av) in a.iter().filter(|(k, _)| !r.contains_key(*k)) {
                walk(step, join(&path, k), None, Some(av), out);
            }
        }
        (Some(Value::Array(r)), Some(Value::Array(a))) => {
            for i in 0..r.len().max(a.len()) {
                walk(step, join(&path, &i.to_string()), r.get(i), a.get(i), out);
            }
        }
        (r, a) if r == a => {}
        (r, a) => out.push(StepDifference { step, path, recorded: r.cloned(), actual: a.cloned() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    fn t(steps: Value) -> Value {
        json!({"scenario": "s", "steps": steps})
    }

    #[rstest]
    #[case::same(json!([{"step": 1, "status": 200}]), json!([{"step": 1, "status": 200}]), vec![])]
    #[case::changed_member(
        json!([{"step": 1}, {"step": 2, "answer": {"A": [1, 2]}}]),
        json!([{"step": 1}, {"step": 2, "answer": {"A": [1, 3]}}]),
        vec![(2, "answer/A/1", Some(json!(2)), Some(json!(3)))])]
    #[case::member_gone_and_new(
        json!([{"step": 1, "answer": {"A": 1}}]),
        json!([{"step": 1, "answer": {"B": 1}}]),
        vec![(1, "answer/A", Some(json!(1)), None), (1, "answer/B", None, Some(json!(1)))])]
    #[case::step_not_reached(
        json!([{"step": 1}, {"step": 2}]),
        json!([{"step": 1}]),
        vec![(2, "", Some(json!({"step": 2})), None)])]
    #[case::item_added(
        json!([{"step": 1, "answer": []}]),
        json!([{"step": 1, "answer": ["x"]}]),
        vec![(1, "answer/0", None, Some(json!("x")))])]
    fn differences_name_step_and_path(
        #[case] recorded: Value,
        #[case] actual: Value,
        #[case] expected: Vec<(usize, &str, Option<Value>, Option<Value>)>,
    ) {
        let got: Vec<_> = differences(&t(recorded), &t(actual)).into_iter().map(|d| (d.step, d.path, d.recorded, d.actual)).collect();
        let expected: Vec<_> = expected.into_iter().map(|(s, p, r, a)| (s, p.to_owned(), r, a)).collect();
        assert_eq!(got, expected);
    }
}
