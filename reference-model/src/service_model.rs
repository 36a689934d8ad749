//! The official service model's constraints, embedded from `fixtures/service-model/constraints.json`
//! (botocore 1.44.8, `config/2014-11-12`). The validator walks these shapes, so it cannot drift
//! from the table; `limits` holds the named constants the rest of the model uses, and a test
//! checks them against this file.

use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::OnceLock;

const CONSTRAINTS_JSON: &str = include_str!("../../fixtures/service-model/constraints.json");

/// The configuration recorder and delivery channel calls (R-REC-01..07, R-DCH-01..04), extracted
/// from the same botocore file by `data/extract_recorder_model.py` (see `data/SOURCE.md`).
const RECORDER_JSON: &str = include_str!("../data/recorder-constraints.json");

/// The parts of the service model the validator and the tests read.
#[derive(Debug)]
pub struct ServiceModel {
    pub source_version: String,
    pub api_version: String,
    pub operations: BTreeMap<String, OperationDef>,
    pub shapes: BTreeMap<String, Shape>,
}

/// One operation of the service model.
#[derive(Debug, Deserialize)]
pub struct OperationDef {
    pub target: String,
    pub input: String,
    pub output: Option<String>,
    pub errors: Vec<String>,
}

/// A shape, with the constraints that matter for validation.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Members in declaration order (the order validation errors are reported in).
    Structure { members: Vec<(String, String)>, required: Vec<String> },
    List { member: String, min: Option<u64>, max: Option<u64> },
    Map { key: String, value: String, min: Option<u64>, max: Option<u64> },
    String { min: Option<u64>, max: Option<u64>, pattern: Option<String>, enumeration: Option<Vec<String>> },
    Integer { min: Option<i64>, max: Option<i64>, boxed: bool },
    Long { min: Option<i64>, max: Option<i64>, boxed: bool },
    Boolean,
    Timestamp,
}

#[derive(Deserialize)]
struct RawModel {
    #[serde(rename = "_source")]
    source: RawSource,
    metadata: RawMetadata,
    operations: BTreeMap<String, OperationDef>,
    shapes: BTreeMap<String, Map<String, Value>>,
}

/// The recorder part: the same form, without the metadata.
#[derive(Deserialize)]
struct RawPart {
    #[serde(rename = "_source")]
    source: RawSource,
    operations: BTreeMap<String, OperationDef>,
    shapes: BTreeMap<String, Map<String, Value>>,
}

#[derive(Deserialize)]
struct RawSource {
    package: String,
    version: String,
}

#[derive(Deserialize)]
struct RawMetadata {
    #[serde(rename = "apiVersion")]
    api_version: String,
}

fn get_u64(raw: &Map<String, Value>, key: &str) -> Option<u64> {
    raw.get(key).and_then(Value::as_u64)
}

fn get_i64(raw: &Map<String, Value>, key: &str) -> Option<i64> {
    raw.get(key).and_then(Value::as_i64)
}

fn get_str(raw: &Map<String, Value>, key: &str) -> String {
    raw.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn parse_shape(name: &str, raw: &Map<String, Value>) -> Shape {
    let boxed = raw.get("box").and_then(Value::as_bool).unwrap_or(false);
    match raw.get("type").and_then(Value::as_str) {
        Some("structure") => Shape::Structure {
            members: raw
                .get("members")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| {
                            let target = v.as_str().map(str::to_owned).unwrap_or_else(|| {
                                v.get("shape").and_then(Value::as_str).unwrap_or_default().to_owned()
                            });
                            (k.clone(), target)
                        })
                        .collect()
                })
                .unwrap_or_default(),
            required: raw
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_default(),
        },
        Some("list") => Shape::List { member: get_str(raw, "member"), min: get_u64(raw, "min"), max: get_u64(raw, "max") },
        Some("map") => Shape::Map {
            key: get_str(raw, "key"),
            value: get_str(raw, "value"),
            min: get_u64(raw, "min"),
            max: get_u64(raw, "max"),
        },
        Some("string") => Shape::String {
            min: get_u64(raw, "min"),
            max: get_u64(raw, "max"),
            pattern: raw.get("pattern").and_then(Value::as_str).map(str::to_owned),
            enumeration: raw
                .get("enum")
                .and_then(Value::as_array)
                .map(|e| e.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()),
        },
        Some("integer") => Shape::Integer { min: get_i64(raw, "min"), max: get_i64(raw, "max"), boxed },
        Some("long") => Shape::Long { min: get_i64(raw, "min"), max: get_i64(raw, "max"), boxed },
        Some("boolean") => Shape::Boolean,
        Some("timestamp") => Shape::Timestamp,
        other => panic!("shape {name}: unsupported type {other:?} in the embedded service model"),
    }
}

impl ServiceModel {
    /// The embedded model, parsed once.
    pub fn get() -> &'static ServiceModel {
        static MODEL: OnceLock<ServiceModel> = OnceLock::new();
        MODEL.get_or_init(|| {
            let mut raw: RawModel =
                serde_json::from_str(CONSTRAINTS_JSON).expect("the embedded constraints.json is valid");
            let part: RawPart =
                serde_json::from_str(RECORDER_JSON).expect("the embedded recorder-constraints.json is valid");
            // Both come from one botocore file: a shape in both must be the same shape.
            assert_eq!(
                (&part.source.package, &part.source.version),
                (&raw.source.package, &raw.source.version),
                "the two embedded extracts come from different service models"
            );
            raw.operations.extend(part.operations);
            for (name, shape) in part.shapes {
                if let Some(known) = raw.shapes.get(&name) {
                    assert_eq!(known, &shape, "shape {name} differs between the two embedded extracts");
                }
                raw.shapes.insert(name, shape);
            }
            ServiceModel {
                source_version: format!("{} {}", raw.source.package, raw.source.version),
                api_version: raw.metadata.api_version,
                operations: raw.operations,
                shapes: raw.shapes.iter().map(|(n, s)| (n.clone(), parse_shape(n, s))).collect(),
            }
        })
    }

    /// A shape by name; the embedded file is closed under references (a test checks it).
    pub fn shape(&self, name: &str) -> &Shape {
        self.shapes.get(name).unwrap_or_else(|| panic!("shape {name} is not in the service model"))
    }

    /// The enum values of a string shape, in model order.
    pub fn enum_values(&self, name: &str) -> &[String] {
        match self.shape(name) {
            Shape::String { enumeration: Some(values), .. } => values,
            _ => &[],
        }
    }

    /// The shape a member of a structure refers to.
    pub fn member_shape(&self, structure: &str, member: &str) -> Option<&str> {
        match self.shape(structure) {
            Shape::Structure { members, .. } => {
                members.iter().find(|(m, _)| m == member).map(|(_, s)| s.as_str())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reference_resolves() {
        let model = ServiceModel::get();
        let mut refs = Vec::new();
        for (name, shape) in &model.shapes {
            match shape {
                Shape::Structure { members, required } => {
                    refs.extend(members.iter().map(|(_, s)| s.clone()));
                    for r in required {
                        assert!(members.iter().any(|(m, _)| m == r), "{name}: required {r} is not a member");
                    }
                }
                Shape::List { member, .. } => refs.push(member.clone()),
                Shape::Map { key, value, .. } => refs.extend([key.clone(), value.clone()]),
                _ => {}
            }
        }
        for r in refs {
            assert!(model.shapes.contains_key(&r), "dangling shape reference {r}");
        }
        assert_eq!(model.api_version, "2014-11-12");
        assert_eq!(model.source_version, "botocore 1.44.8");
    }

    #[test]
    fn only_known_patterns_exist() {
        // The validator implements these patterns with Java's full-match semantics by hand; a
        // new pattern in a newer service model must fail here until it is implemented.
        for shape in ServiceModel::get().shapes.values() {
            if let Shape::String { pattern: Some(p), .. } = shape {
                assert!(crate::validate::KnownPattern::from_model(p).is_some(), "unimplemented pattern {p}");
            }
        }
    }
}
