//! Templates: a step's body as written, expanded for one side (model or target) at run time,
//! and the answer paths that `bind` reads.

use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Why a template could not be expanded: a mistake in the scenario file, reported as the step's
/// ERROR (the target is not judged on it).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("nothing is bound to {0:?}")]
    Unbound(String),
    #[error("{name:?} is bound to nothing (the answer had no such member) inside {inside:?}")]
    BoundToNothing { name: String, inside: String },
    #[error("unclosed ${{ in {0:?}")]
    Unclosed(String),
    #[error("templates cannot be nested: {0:?}")]
    Nested(String),
    #[error("unknown template ${{{name}}} in {inside:?}")]
    Unknown { name: String, inside: String },
    #[error("\"$repeat\": {0} is more than {MAX_REPEAT}")]
    TooManyCopies(u64),
    #[error("\"$string\": {0} characters is more than {MAX_STRING_BYTES} bytes")]
    StringTooLong(u64),
    /// A template directive without what it needs (`"$repeat" needs an "item"`).
    #[error("{0}")]
    Malformed(&'static str),
}

/// Bounds that keep a hostile or mistaken scenario file from exhausting memory: far above any
/// limit of the service (100 keys, 2,678,000 seconds, 10,000-character policy text).
pub const MAX_REPEAT: u64 = 10_000;
pub const MAX_STRING_BYTES: u64 = 4 * 1024 * 1024;

/// The values one side (model or target) sees when templates are expanded.
pub struct Side<'a> {
    pub prefix: &'a str,
    /// Current time, epoch seconds.
    pub now: f64,
    pub bindings: &'a BTreeMap<String, Value>,
}

/// Expands a template for one side.
pub fn instantiate(template: &Value, side: &Side<'_>) -> Result<Value, TemplateError> {
    instantiate_with(template, side, None)
}

fn instantiate_with(template: &Value, side: &Side<'_>, index: Option<usize>) -> Result<Value, TemplateError> {
    Ok(match template {
        // A string that is only a binding takes the bound value as it is (a number stays a
        // number, a missing NextToken stays null) rather than its text.
        Value::String(s) if whole_binding(s).is_some() => {
            let name = whole_binding(s).unwrap_or_default();
            side.bindings.get(name).cloned().ok_or_else(|| TemplateError::Unbound(name.to_owned()))?
        }
        Value::String(s) => Value::String(expand_string(s, side, index)?),
        Value::Array(items) => Value::Array(items.iter().map(|i| instantiate_with(i, side, index)).collect::<Result<_, _>>()?),
        Value::Object(map) => {
            if let Some(n) = map.get("$repeat") {
                let n = n.as_u64().ok_or(TemplateError::Malformed("\"$repeat\" needs a whole number"))?;
                if n > MAX_REPEAT {
                    return Err(TemplateError::TooManyCopies(n));
                }
                let n = n as usize;
                let item = map.get("item").ok_or(TemplateError::Malformed("\"$repeat\" needs an \"item\""))?;
                return (1..=n).map(|i| instantiate_with(item, side, Some(i))).collect::<Result<Vec<_>, _>>().map(Value::Array);
            }
            if let Some(spec) = map.get("$string") {
                let (len, fill) = match spec {
                    Value::Number(n) => (n.as_u64().ok_or(TemplateError::Malformed("\"$string\" needs a length"))?, "a".to_owned()),
                    Value::Object(o) => (
                        o.get("len").and_then(Value::as_u64).ok_or(TemplateError::Malformed("\"$string\" needs \"len\""))?,
                        o.get("char").and_then(Value::as_str).unwrap_or("a").to_owned(),
                    ),
                    _ => return Err(TemplateError::Malformed("\"$string\" needs a length")),
                };
                if len.saturating_mul(fill.len().max(1) as u64) > MAX_STRING_BYTES {
                    return Err(TemplateError::StringTooLong(len));
                }
                return Ok(Value::String(fill.repeat(len as usize)));
            }
            if let Some(offset) = map.get("$now") {
                let offset = offset.as_f64().ok_or(TemplateError::Malformed("\"$now\" needs a number of seconds"))?;
                let t = side.now + offset;
                return Ok(if t.fract() == 0.0 { Value::from(t as i64) } else { Value::from(t) });
            }
            if let Some(name) = map.get("$bind") {
                let name = name.as_str().ok_or(TemplateError::Malformed("\"$bind\" needs a name"))?;
                return side.bindings.get(name).cloned().ok_or_else(|| TemplateError::Unbound(name.to_owned()));
            }
            let mut out = Map::new();
            for (k, v) in map {
                out.insert(expand_string(k, side, index)?, instantiate_with(v, side, index)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

fn whole_binding(s: &str) -> Option<&str> {
    let name = s.strip_prefix("${bind:")?.strip_suffix('}')?;
    (!name.contains(['{', '}', '$'])).then_some(name)
}

fn expand_string(s: &str, side: &Side<'_>, index: Option<usize>) -> Result<String, TemplateError> {
    if !s.contains("${") {
        return Ok(s.to_owned());
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let tail = &rest[start + 2..];
        let end = tail.find('}').ok_or_else(|| TemplateError::Unclosed(s.to_owned()))?;
        let name = &tail[..end];
        if name.contains("${") {
            return Err(TemplateError::Nested(s.to_owned()));
        }
        match name.split_once(':') {
            Some(("rule", n)) => {
                out.push_str(side.prefix);
                out.push_str(n);
            }
            Some(("bind", n)) => match side.bindings.get(n) {
                Some(Value::String(v)) => out.push_str(v),
                Some(Value::Null) => return Err(TemplateError::BoundToNothing { name: n.to_owned(), inside: s.to_owned() }),
                Some(other) => out.push_str(&other.to_string()),
                None => return Err(TemplateError::Unbound(n.to_owned())),
            },
            None if name == "i" => out.push_str(&index.ok_or(TemplateError::Malformed("${i} outside \"$repeat\""))?.to_string()),
            None if name == "prefix" => out.push_str(side.prefix),
            _ => return Err(TemplateError::Unknown { name: name.to_owned(), inside: s.to_owned() }),
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The value at a `/`-separated path (`FailedBatches/0/FailureMessage`): a JSON pointer
/// without its leading `/`.
pub fn value_at<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    let pointer: String = path.split('/').filter(|p| !p.is_empty()).map(|p| format!("/{}", p.replace('~', "~0"))).collect();
    value.pointer(&pointer)
}


pub(super) fn bind_references(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => {
                let mut rest = s.as_str();
                while let Some(i) = rest.find("${bind:") {
                    let tail = &rest[i + 7..];
                    let end = tail.find('}').unwrap_or(tail.len());
                    out.push(tail[..end].to_owned());
                    rest = &tail[end..];
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(o) => {
                if let Some(Value::String(name)) = o.get("$bind") {
                    out.push(name.clone());
                }
                o.values().for_each(|x| walk(x, out))
            }
            _ => {}
        }
    }
    walk(v, &mut out);
    out
}


#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn templates_expand_per_side() {
        let bindings: BTreeMap<String, Value> = [("arn".to_owned(), json!("arn:x")), ("n".to_owned(), json!(3))].into();
        let side = Side { prefix: "p-", now: 100.0, bindings: &bindings };
        let t = json!({
            "ConfigRuleName": "${rule:a}",
            "Keys": {"$repeat": 2, "item": {"ResourceId": "r${i}"}},
            "Long": {"$string": 3},
            "Wide": {"$string": {"len": 2, "char": "é"}},
            "At": {"$now": 60},
            "Arn": "${bind:arn}",
            "N": {"$bind": "n"}
        });
        assert_eq!(
            instantiate(&t, &side).unwrap(),
            json!({"ConfigRuleName": "p-a", "Keys": [{"ResourceId": "r1"}, {"ResourceId": "r2"}], "Long": "aaa", "Wide": "éé", "At": 160, "Arn": "arn:x", "N": 3})
        );
        assert!(instantiate(&json!("${bind:zz}"), &side).unwrap_err().to_string().contains("nothing is bound"));
        assert!(instantiate(&json!("${weird}"), &side).unwrap_err().to_string().contains("unknown template"));
        assert!(instantiate(&json!({"$repeat": 1_000_000_000u64, "item": 1}), &side).unwrap_err().to_string().contains("more than"));
        assert!(instantiate(&json!("${rule:r${i}}"), &side).unwrap_err().to_string().contains("cannot be nested"));
        let nothing: BTreeMap<String, Value> = [("page".to_owned(), Value::Null)].into();
        let side = Side { prefix: "p-", now: 0.0, bindings: &nothing };
        assert_eq!(instantiate(&json!({"NextToken": "${bind:page}"}), &side).unwrap(), json!({"NextToken": null}));
        assert!(instantiate(&json!("t-${bind:page}"), &side).unwrap_err().to_string().contains("bound to nothing"));
        assert!(instantiate(&json!({"$string": 1_000_000_000u64}), &side).unwrap_err().to_string().contains("more than"));
    }

    #[test]
    fn paths_reach_into_lists_and_objects() {
        let v = json!({"A": [{"B": 1}]});
        assert_eq!(value_at(&v, "A/0/B"), Some(&json!(1)));
        assert_eq!(value_at(&v, "A/1/B"), None);
    }
}
