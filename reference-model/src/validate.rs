//! Request validation, driven by the service model's shapes, with AWS's error texts.
//!
//! Two stages, in the order the service applies them:
//! 1. **Types** (`SerializationException`): the body must be a JSON object and every member
//!    must have the JSON type its shape needs. JSON `null` counts as absent.
//! 2. **Constraints** (`ValidationException`): required members, lengths (in UTF-16 code units,
//!    as Java counts them), patterns, enums and numeric ranges. Every violation is reported in
//!    one message, in member-declaration order, in the format observed from the real service
//!    (`pe-bad-compliance-type`): `1 validation error detected: Value 'ERROR' at
//!    'evaluations.1.member.complianceType' failed to satisfy constraint: Member must satisfy
//!    enum value set: [...]`; several are joined with `; `.
//!
//! Each violation also names the member it was found at in the service model's terms
//! (`ResourceKeys[].ResourceId`, as in `fixtures/service-model/table.md`) and the kind of
//! constraint, so that a refusal can name the rule of every violated member
//! ([`crate::clauses::member_rule`]) instead of one rule per operation.
//!
//! [`parse_request`] is the entry point of the pipeline: a body that passes both stages comes
//! out as the operation's typed [`Request`], so nothing downstream reads the JSON again.

use crate::clauses::{member_rule, MemberRule, NoMemberRule, RuleId};
use crate::error::{ApiError, ErrorCode};
use crate::operation::Operation;
use crate::rule;
use crate::service_model::{ServiceModel, Shape};
use crate::wire::Request;
use serde_json::Value;
use std::fmt::{self, Write as _};
use std::sync::OnceLock;

/// The patterns of the service model, implemented with Java's `String.matches` semantics
/// (a full match; `.` stops at line terminators; `\S` is ASCII-only). Only two patterns
/// exist in the model, so a regex engine would buy nothing but a dependency and a
/// semantic mismatch (Rust's `\S` is Unicode-aware).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KnownPattern {
    /// `.*\S.*`: at least one non-whitespace character and no line terminator.
    NonBlank,
    /// `guard\-2\.x\.x`: exactly `guard-2.x.x`.
    GuardRuntime,
    /// `[\w+=,.@-]+`: a service principal (R-REC-05), one or more word characters (Java's
    /// `\w`, ASCII only) or `+=,.@-`.
    ServicePrincipal,
}

impl KnownPattern {
    pub fn from_model(pattern: &str) -> Option<Self> {
        match pattern {
            r".*\S.*" => Some(KnownPattern::NonBlank),
            r"guard\-2\.x\.x" => Some(KnownPattern::GuardRuntime),
            r"[\w+=,.@-]+" => Some(KnownPattern::ServicePrincipal),
            _ => None,
        }
    }

    pub fn source(self) -> &'static str {
        match self {
            KnownPattern::NonBlank => r".*\S.*",
            KnownPattern::GuardRuntime => r"guard\-2\.x\.x",
            KnownPattern::ServicePrincipal => r"[\w+=,.@-]+",
        }
    }

    pub fn matches(self, s: &str) -> bool {
        match self {
            KnownPattern::NonBlank => {
                let line_terminator = |c: char| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}');
                let java_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r');
                !s.chars().any(line_terminator) && s.chars().any(|c| !java_space(c))
            }
            KnownPattern::GuardRuntime => s == "guard-2.x.x",
            KnownPattern::ServicePrincipal => {
                !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
            }
        }
    }
}

/// String length as Java counts it (UTF-16 code units).
pub fn java_length(s: &str) -> u64 {
    s.encode_utf16().count() as u64
}

/// The order in which the real service lists an enum's values in its message, where known.
/// Elsewhere the model's order is used (a `MAY` choice: the service prints a Java set).
const OBSERVED_ENUM_ORDER: &[(&str, &[&str])] =
    &[("ComplianceType", &["INSUFFICIENT_DATA", "NON_COMPLIANT", "NOT_APPLICABLE", "COMPLIANT"])];

/// The kind of constraint a violation breaks (A-01 reports each constraint of a member
/// separately); a member may carry several with different rules (PutConfigRule's `Source.Owner` is
/// required by R-PCR-27 and an enum by R-PCR-02).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConstraintKind {
    /// A required member (or list item, or map value) is absent or null.
    Required,
    /// A string's length, or a list's or map's number of entries.
    Length,
    /// A string's pattern.
    Pattern,
    /// A string's enum.
    Enum,
    /// A number's range.
    Range,
}

/// One broken constraint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// `evaluations.1.member.complianceType`
    pub path: String,
    /// The value as AWS prints it: `'text'` or `null`.
    pub rendered_value: String,
    /// `Member must have length less than or equal to 128`
    pub constraint: String,
    /// The member in the service model's terms: `Evaluations[].ComplianceType`,
    /// `RemediationConfigurations[].Parameters{key}`.
    pub member: String,
    pub kind: ConstraintKind,
    /// A required member of a `ResourceKey` (`resourceType`, `resourceId`) is missing where
    /// the item spells it as the exception operations' key shape does (`ResourceType`): the
    /// cause is the other key shape (M-01).
    pub other_key_shape: bool,
}

impl Violation {
    fn sentence(&self) -> String {
        format!(
            "Value {} at '{}' failed to satisfy constraint: {}",
            self.rendered_value, self.path, self.constraint
        )
    }
}

/// The message of a `ValidationException` for these violations.
pub fn validation_message(violations: &[Violation]) -> String {
    let n = violations.len();
    let mut out = format!("{n} validation error{} detected: ", if n == 1 { "" } else { "s" });
    for (i, v) in violations.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        out.push_str(&v.sentence());
    }
    out
}

/// A request refused before the operation runs: the error the service answers (A-01, A-02),
/// and the rule of each member that broke a constraint (`clauses::MEMBER_RULES`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub error: ApiError,
    /// One entry per distinct rule, in the order the violations are reported (A-01). Empty
    /// for a `SerializationException`: a wrong JSON type breaks the protocol (A-02), not a
    /// member's limit.
    pub rules: Vec<MemberRule>,
}

impl Refusal {
    /// The rule IDs to report for this refusal: each violated member's rule, and `fallback`
    /// (the operation's rule) for members no modelled rule states, or for a type error.
    pub fn rule_ids(&self, fallback: RuleId) -> Vec<RuleId> {
        let mut ids: Vec<RuleId> = Vec::with_capacity(self.rules.len().max(1));
        for rule in &self.rules {
            let id = match *rule {
                MemberRule::Stated(id) => id,
                MemberRule::Fallback(_) => fallback,
            };
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        if ids.is_empty() {
            ids.push(fallback);
        }
        ids
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for Refusal {}

/// Checks a request body against the operation's input shape (A-01, A-02). `Ok` means the
/// typed request can be built from it; a refusal names the rule of every violated member.
pub fn check_request(op: Operation, body: &Value) -> Result<(), Refusal> {
    if !body.is_object() {
        let error = ApiError::new(
            ErrorCode::SerializationException,
            format!("{} can not be converted to a {}", json_kind(body), op.input_shape()),
        );
        return Err(Refusal { error, rules: Vec::new() });
    }
    let program = Program::get();
    let mut walk = Walk::new(program);
    walk.value(program.input(op), body);
    if let Some(message) = walk.type_error {
        return Err(Refusal { error: ApiError::new(ErrorCode::SerializationException, message), rules: Vec::new() });
    }
    if walk.violations.is_empty() {
        return Ok(());
    }
    let mut rules: Vec<MemberRule> = Vec::new();
    for v in &walk.violations {
        let member = member_rule(op, &v.member, v.kind).unwrap_or(MemberRule::Fallback(NoMemberRule::ModelOnly));
        // A key in the other shape breaks the member's own rule, and M-01 says why.
        let cause = v.other_key_shape.then_some(MemberRule::Stated(rule!("M-01")));
        for rule in std::iter::once(member).chain(cause) {
            if !rules.contains(&rule) {
                rules.push(rule);
            }
        }
    }
    Err(Refusal { error: ApiError::new(ErrorCode::ValidationException, validation_message(&walk.violations)), rules })
}

/// Validates a request body (A-01, A-02) and reads it as the operation's typed request: the
/// only way the pipeline turns a body into a [`Request`], so no code path validates a value
/// and then trusts it separately. The refusal is [`check_request`]'s, in the same precedence.
///
/// # Panics
///
/// When a body the validator accepts does not fit the typed structs: a defect of the model
/// (the validator checks every type they rely on; a property test feeds arbitrary bodies
/// through both), not of the request.
pub fn parse_request(op: Operation, body: &Value) -> Result<Request, Refusal> {
    check_request(op, body)?;
    Ok(Request::from_body(op, body).unwrap_or_else(|e| panic!("validated body does not fit its typed request: {e}: {body}")))
}

/// [`check_request`], for callers that need only the error.
pub fn validate_request(op: Operation, body: &Value) -> Result<(), ApiError> {
    check_request(op, body).map_err(|r| r.error)
}

/// Only the constraint violations (for tests and the generator, which want them listed).
pub fn violations(op: Operation, body: &Value) -> Vec<Violation> {
    let program = Program::get();
    let mut walk = Walk::new(program);
    walk.value(program.input(op), body);
    walk.violations
}

/// A shape of [`Program`], by position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ShapeId(usize);

/// A member of a structure, with what the walk needs of it computed once.
#[derive(Debug)]
struct Member {
    /// As the service model spells it (`ResourceKeys`): the JSON key and [`Violation::member`].
    name: String,
    /// As the validation message spells it (`resourceKeys`).
    path: String,
    target: ShapeId,
    required: bool,
    /// How the other resource-key shape spells this member (M-01): `ResourceType` for
    /// `ResourceKey.resourceType`. Only for the members of [`KEY_SHAPES`]' first shape.
    other_key_shape: Option<String>,
}

/// The two resource-key shapes (M-01): `ResourceKey` (`resourceType`, `resourceId`, both
/// required; the executions) and `RemediationExceptionResourceKey` (`ResourceType`,
/// `ResourceId`, both optional; the exceptions). Only the first has required members, so only
/// it can be refused for a key written in the other's spelling.
const KEY_SHAPES: (&str, &str) = ("ResourceKey", "RemediationExceptionResourceKey");

/// A [`Shape`] whose references are positions, not names: the walk looks nothing up by
/// name, and a structure's members carry their message spelling and whether they are required.
#[derive(Debug)]
enum Node {
    Structure(Vec<Member>),
    List { member: ShapeId, min: Option<u64>, max: Option<u64> },
    Map { key: ShapeId, value: ShapeId, min: Option<u64>, max: Option<u64> },
    String { min: Option<u64>, max: Option<u64>, pattern: Option<(KnownPattern, String)>, enumeration: Option<Enumeration> },
    Integer { min: Option<i64>, max: Option<i64> },
    Long { min: Option<i64>, max: Option<i64> },
    Boolean,
    Timestamp,
}

/// An enum's values, and how a message lists them ([`OBSERVED_ENUM_ORDER`]).
#[derive(Debug)]
struct Enumeration {
    values: Vec<String>,
    listed: String,
}

/// The service model compiled for the walk, once per process. Validation used to look every
/// shape up by name in an ordered map and every declared member up in the body; under the
/// fuzzers' comparison tracing that was most of a request's cost (issue 12, item 5).
#[derive(Debug)]
struct Program {
    names: Vec<String>,
    nodes: Vec<Node>,
    /// The input shape of each operation, by `Operation as usize` (the order of `Operation::ALL`).
    inputs: Vec<ShapeId>,
}

impl Program {
    fn get() -> &'static Program {
        static PROGRAM: OnceLock<Program> = OnceLock::new();
        PROGRAM.get_or_init(|| Program::compile(ServiceModel::get()))
    }

    fn compile(model: &ServiceModel) -> Program {
        let names: Vec<String> = model.shapes.keys().cloned().collect();
        let id = |name: &str| ShapeId(names.binary_search_by(|n| n.as_str().cmp(name)).unwrap_or_else(|_| panic!("shape {name} is not in the service model")));
        let nodes = model
            .shapes
            .iter()
            .map(|(name, shape)| match shape {
                Shape::Structure { members, required } => Node::Structure(
                    members
                        .iter()
                        .map(|(member, target)| Member {
                            name: member.clone(),
                            path: lower_camel(member),
                            target: id(target),
                            required: required.contains(member),
                            other_key_shape: (name == KEY_SHAPES.0).then(|| other_spelling(model, member)).flatten(),
                        })
                        .collect(),
                ),
                Shape::List { member, min, max } => Node::List { member: id(member), min: *min, max: *max },
                Shape::Map { key, value, min, max } => {
                    assert!(matches!(model.shape(key), Shape::String { .. }), "map {name}: the walk checks keys as strings, {key} is not one");
                    Node::Map { key: id(key), value: id(value), min: *min, max: *max }
                }
                Shape::String { min, max, pattern, enumeration } => Node::String {
                    min: *min,
                    max: *max,
                    pattern: pattern.as_ref().map(|p| (KnownPattern::from_model(p).expect("patterns are checked by a test"), p.clone())),
                    enumeration: enumeration.as_ref().map(|values| Enumeration {
                        values: values.clone(),
                        listed: OBSERVED_ENUM_ORDER
                            .iter()
                            .find(|(shape, _)| shape == name)
                            .map(|(_, order)| order.join(", "))
                            .unwrap_or_else(|| values.join(", ")),
                    }),
                },
                Shape::Integer { min, max, .. } => Node::Integer { min: *min, max: *max },
                Shape::Long { min, max, .. } => Node::Long { min: *min, max: *max },
                Shape::Boolean => Node::Boolean,
                Shape::Timestamp => Node::Timestamp,
            })
            .collect();
        let inputs = Operation::ALL
            .iter()
            .enumerate()
            .map(|(i, op)| {
                assert_eq!(*op as usize, i, "Operation::ALL is in declaration order");
                id(&op.input_shape())
            })
            .collect();
        Program { names, nodes, inputs }
    }

    fn input(&self, op: Operation) -> ShapeId {
        self.inputs[op as usize]
    }
}

/// The member of the other resource-key shape ([`KEY_SHAPES`]) spelt as `member` but for its
/// case (M-01).
fn other_spelling(model: &ServiceModel, member: &str) -> Option<String> {
    match model.shape(KEY_SHAPES.1) {
        Shape::Structure { members, .. } => {
            members.iter().map(|(m, _)| m).find(|m| m.eq_ignore_ascii_case(member) && *m != member).cloned()
        }
        _ => None,
    }
}

/// One step below the request body: how both the message's path (`evaluations.1.member`) and
/// the member in the service model's terms (`Evaluations[]`) continue. Both are rendered only
/// for a violation; a valid request builds no string.
#[derive(Clone, Copy)]
enum Step<'m, 'v> {
    Member(&'m Member),
    /// The list item at this index (from 0).
    Item(usize),
    /// A map's key: the path stays the map's.
    Key,
    /// A map's value under this key.
    Value(&'v str),
}

struct Walk<'m, 'v> {
    program: &'m Program,
    violations: Vec<Violation>,
    type_error: Option<String>,
    /// Where the walk is.
    at: Vec<Step<'m, 'v>>,
}

/// `evaluations.1.member.complianceType`, `parameters.P.staticValue`.
fn render_path(steps: &[Step<'_, '_>]) -> String {
    let mut out = String::new();
    for s in steps {
        match s {
            Step::Member(m) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&m.path);
            }
            Step::Item(i) => {
                let _ = write!(out, ".{}.member", i + 1);
            }
            Step::Key => {}
            Step::Value(key) => {
                out.push('.');
                out.push_str(key);
            }
        }
    }
    out
}

/// `ResourceKeys[].ResourceId`, `Parameters{value}.StaticValue.Values[]`.
fn render_member(steps: &[Step<'_, '_>]) -> String {
    let mut out = String::new();
    for s in steps {
        match s {
            Step::Member(m) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&m.name);
            }
            Step::Item(_) => out.push_str("[]"),
            Step::Key => out.push_str("{key}"),
            Step::Value(_) => out.push_str("{value}"),
        }
    }
    out
}

fn lower_camel(member: &str) -> String {
    let mut chars = member.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "NULL_VALUE",
        Value::Bool(_) => "BOOLEAN_VALUE",
        Value::Number(_) => "NUMBER_VALUE",
        Value::String(_) => "STRING_VALUE",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    }
}

/// How AWS prints a value in a validation message.
pub fn render_value(v: &Value) -> String {
    fn inner(v: &Value, out: &mut String) {
        match v {
            Value::Null => out.push_str("null"),
            Value::String(s) => out.push_str(s),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    inner(item, out);
                }
                out.push(']');
            }
            Value::Object(map) => {
                out.push('{');
                for (i, (k, item)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let _ = write!(out, "{k}=");
                    inner(item, out);
                }
                out.push('}');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    if v.is_null() {
        return "null".to_owned();
    }
    let mut out = String::from("'");
    inner(v, &mut out);
    out.push('\'');
    out
}

/// A value as the service's Java validator prints it, knowing its shape (S-01, A-01): a
/// structure prints as `com.amazonaws.starling.dove.<Shape>@<hash>` (Java's `Object.toString`;
/// observed for a list of Evaluations in cloud-custodian issue 6457), a list as `[a, b]`, a map
/// as `{k=v}`; the hash, Java's identity hash in the real service, is here a 32-bit FNV-1a of
/// the item's JSON, in lower-case hexadecimal without leading zeros. Quoted as
/// [`render_value`] quotes.
pub fn render_value_as(shape_name: &str, v: &Value) -> String {
    fn inner(model: &ServiceModel, shape_name: &str, v: &Value, out: &mut String) {
        let shape = model.shapes.get(shape_name);
        match (shape, v) {
            (Some(Shape::Structure { .. }), Value::Object(_)) => {
                let hash = v.to_string().bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
                let _ = write!(out, "com.amazonaws.starling.dove.{shape_name}@{hash:x}");
            }
            (Some(Shape::List { member, .. }), Value::Array(items)) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    inner(model, member, item, out);
                }
                out.push(']');
            }
            (Some(Shape::Map { value, .. }), Value::Object(map)) => {
                out.push('{');
                for (i, (k, item)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let _ = write!(out, "{k}=");
                    inner(model, value, item, out);
                }
                out.push('}');
            }
            (_, Value::Null) => out.push_str("null"),
            (_, Value::String(s)) => out.push_str(s),
            (_, other) => {
                let rendered = render_value(other);
                out.push_str(rendered.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')).unwrap_or(&rendered));
            }
        }
    }
    if v.is_null() {
        return "null".to_owned();
    }
    let mut out = String::from("'");
    inner(ServiceModel::get(), shape_name, v, &mut out);
    out.push('\'');
    out
}

/// The most members a structure of the model declares is 12; structures up to this many are
/// walked without allocating.
const INLINE_MEMBERS: usize = 16;

impl<'m, 'v> Walk<'m, 'v> {
    fn new(program: &'m Program) -> Self {
        Walk { program, violations: Vec::new(), type_error: None, at: Vec::new() }
    }

    fn violate(&mut self, value: &Value, kind: ConstraintKind, constraint: String) {
        self.violations.push(Violation {
            path: render_path(&self.at),
            rendered_value: render_value(value),
            constraint,
            member: render_member(&self.at),
            kind,
            other_key_shape: false,
        });
    }

    /// A required member, list item or map value that is absent or null, one step below here.
    fn missing(&mut self, below: Step<'m, 'v>) {
        self.at.push(below);
        self.violate(&Value::Null, ConstraintKind::Required, "Member must not be null".to_owned());
        self.at.pop();
    }

    fn wrong_type(&mut self, value: &Value, wanted: &str) {
        if self.type_error.is_none() {
            self.type_error = Some(format!("{} can not be converted to {wanted}", json_kind(value)));
        }
    }

    fn length(&mut self, shape: ShapeId, value: &Value, len: u64, min: Option<u64>, max: Option<u64>) {
        let before = self.violations.len();
        if let Some(min) = min {
            if len < min {
                self.violate(value, ConstraintKind::Length, format!("Member must have length greater than or equal to {min}"));
            }
        }
        if let Some(max) = max {
            if len > max {
                self.violate(value, ConstraintKind::Length, format!("Member must have length less than or equal to {max}"));
            }
        }
        // Lists and maps print their items as Java does (structures as Class@hash).
        if !value.is_string() && self.violations.len() > before {
            let rendered = render_value_as(&self.program.names[shape.0], value);
            for violation in &mut self.violations[before..] {
                violation.rendered_value.clone_from(&rendered);
            }
        }
    }

    fn range(&mut self, value: &Value, n: i64, min: Option<i64>, max: Option<i64>) {
        if let Some(min) = min {
            if n < min {
                self.violate(value, ConstraintKind::Range, format!("Member must have value greater than or equal to {min}"));
            }
        }
        if let Some(max) = max {
            if n > max {
                self.violate(value, ConstraintKind::Range, format!("Member must have value less than or equal to {max}"));
            }
        }
    }

    fn value(&mut self, shape: ShapeId, value: &'v Value) {
        let program = self.program;
        match &program.nodes[shape.0] {
            Node::Structure(members) => {
                let Some(object) = value.as_object() else {
                    return self.wrong_type(value, "a structure");
                };
                // The body's members are placed by declaration, so each is looked up once and
                // absent members cost nothing but the required check; unknown members are
                // ignored, as the service ignores them.
                let mut inline = [None; INLINE_MEMBERS];
                let mut spilled = Vec::new();
                let found: &mut [Option<&'v Value>] = if members.len() <= INLINE_MEMBERS {
                    &mut inline[..members.len()]
                } else {
                    spilled.resize(members.len(), None);
                    &mut spilled
                };
                for (key, v) in object {
                    if let Some(i) = members.iter().position(|m| m.name == *key) {
                        found[i] = Some(v);
                    }
                }
                for (member, v) in members.iter().zip(found.iter()) {
                    match v {
                        None | Some(Value::Null) => {
                            if member.required {
                                self.missing(Step::Member(member));
                                let other = member.other_key_shape.as_ref().and_then(|o| object.get(o.as_str()));
                                if other.is_some_and(|v| !v.is_null()) {
                                    if let Some(violation) = self.violations.last_mut() {
                                        violation.other_key_shape = true;
                                    }
                                }
                            }
                        }
                        Some(v) => {
                            self.at.push(Step::Member(member));
                            self.value(member.target, v);
                            self.at.pop();
                        }
                    }
                }
            }
            Node::List { member, min, max } => {
                let Some(items) = value.as_array() else {
                    return self.wrong_type(value, "a list");
                };
                self.length(shape, value, items.len() as u64, *min, *max);
                for (i, item) in items.iter().enumerate() {
                    if item.is_null() {
                        self.missing(Step::Item(i));
                    } else {
                        self.at.push(Step::Item(i));
                        self.value(*member, item);
                        self.at.pop();
                    }
                }
            }
            Node::Map { key, value: value_shape, min, max } => {
                let Some(entries) = value.as_object() else {
                    return self.wrong_type(value, "a map");
                };
                self.length(shape, value, entries.len() as u64, *min, *max);
                for (k, v) in entries {
                    let before = self.violations.len();
                    self.at.push(Step::Key);
                    self.key(*key, k);
                    self.at.pop();
                    for violation in &mut self.violations[before..] {
                        violation.constraint = format!("Map keys must satisfy constraint: [{}]", violation.constraint);
                    }
                    if v.is_null() {
                        self.missing(Step::Value(k));
                    } else {
                        self.at.push(Step::Value(k));
                        self.value(*value_shape, v);
                        self.at.pop();
                    }
                }
            }
            Node::String { .. } => match value.as_str() {
                Some(s) => self.string(shape, value, s),
                None => self.wrong_type(value, "a String"),
            },
            Node::Integer { min, max } => match value.as_i64() {
                // Issue 12's planted bug (never in a real build): R-RC-05's upper bound unchecked.
                #[cfg(feature = "planted-bug")]
                Some(n) if program.names[shape.0] == "AutoRemediationAttempts" && i32::try_from(n).is_ok() => self.range(value, n, *min, None),
                Some(n) if i32::try_from(n).is_ok() => self.range(value, n, *min, *max),
                _ => self.wrong_type(value, "an Integer"),
            },
            Node::Long { min, max } => match value.as_i64() {
                Some(n) => self.range(value, n, *min, *max),
                None => self.wrong_type(value, "a Long"),
            },
            Node::Boolean => {
                if !value.is_boolean() {
                    self.wrong_type(value, "a Boolean");
                }
            }
            Node::Timestamp => {
                if value.as_f64().and_then(crate::time::Timestamp::from_seconds_f64).is_none() {
                    self.wrong_type(value, "a Date");
                }
            }
        }
    }

    /// A map key, checked as its key shape (a string shape: [`Program::compile`] checks it); a
    /// JSON value for the message is made only for a key that breaks it.
    fn key(&mut self, shape: ShapeId, key: &str) {
        if !self.string_ok(shape, key) {
            self.string(shape, &Value::String(key.to_owned()), key);
        }
    }

    /// Whether a string passes its shape's checks (the common case, checked without messages).
    fn string_ok(&self, shape: ShapeId, s: &str) -> bool {
        let Node::String { min, max, pattern, enumeration } = &self.program.nodes[shape.0] else { return false };
        let len = java_length(s);
        min.is_none_or(|m| len >= m)
            && max.is_none_or(|m| len <= m)
            && pattern.as_ref().is_none_or(|(p, _)| p.matches(s))
            && enumeration.as_ref().is_none_or(|e| e.values.iter().any(|v| v == s))
    }

    fn string(&mut self, shape: ShapeId, value: &Value, s: &str) {
        let Node::String { min, max, pattern, enumeration } = &self.program.nodes[shape.0] else { return };
        self.length(shape, value, java_length(s), *min, *max);
        if let Some((known, source)) = pattern {
            if !known.matches(s) {
                self.violate(value, ConstraintKind::Pattern, format!("Member must satisfy regular expression pattern: {source}"));
            }
        }
        if let Some(e) = enumeration {
            if !e.values.iter().any(|v| v == s) {
                self.violate(value, ConstraintKind::Enum, format!("Member must satisfy enum value set: [{}]", e.listed));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    #[rstest]
    #[case("a", true)]
    #[case(" a ", true)]
    #[case("", false)]
    #[case("   ", false)]
    #[case("\t\u{0B}\u{0C}", false)]
    #[case("a\nb", false)]
    #[case("a\u{2028}", false)]
    #[case("\u{00A0}", true)] // Java's \S is ASCII-only: a no-break space counts as non-blank.
    fn non_blank_pattern(#[case] input: &str, #[case] ok: bool) {
        assert_eq!(KnownPattern::NonBlank.matches(input), ok);
    }

    #[test]
    fn observed_enum_message_is_reproduced() {
        // pe-bad-compliance-type in fixtures/real-service/observed.json.
        let body = json!({
            "Evaluations": [{
                "ComplianceResourceType": "AWS::::Account",
                "ComplianceResourceId": "123456789012",
                "ComplianceType": "ERROR",
                "OrderingTimestamp": 1700000000
            }],
            "ResultToken": "token"
        });
        let err = validate_request(Operation::PutEvaluations, &body).unwrap_err();
        assert_eq!(err.code, ErrorCode::ValidationException);
        assert_eq!(
            err.message,
            "1 validation error detected: Value 'ERROR' at 'evaluations.1.member.complianceType' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, NON_COMPLIANT, NOT_APPLICABLE, COMPLIANT]"
        );
    }

    #[test]
    fn several_violations_in_declaration_order() {
        let body = json!({"ConfigRuleName": "", "ResourceKeys": []});
        let err = validate_request(Operation::PutRemediationExceptions, &body).unwrap_err();
        assert_eq!(
            err.message,
            "3 validation errors detected: \
             Value '' at 'configRuleName' failed to satisfy constraint: Member must have length greater than or equal to 1; \
             Value '' at 'configRuleName' failed to satisfy constraint: Member must satisfy regular expression pattern: .*\\S.*; \
             Value '[]' at 'resourceKeys' failed to satisfy constraint: Member must have length greater than or equal to 1"
        );
    }

    /// A-01: violations come in the shape's declaration order whatever order the body's
    /// members come in, and members the shape does not declare are ignored.
    #[test]
    fn body_order_does_not_change_the_report() {
        let declared = json!({"ConfigRuleName": "", "ResourceKeys": [], "Extra": 1});
        let reversed: Value = serde_json::from_str(r#"{"Extra": 1, "ResourceKeys": [], "ConfigRuleName": ""}"#).unwrap();
        let message = |body: &Value| validate_request(Operation::PutRemediationExceptions, body).unwrap_err().message;
        assert_eq!(message(&reversed), message(&declared));
        assert!(message(&reversed).starts_with("3 validation errors detected: Value '' at 'configRuleName'"), "{}", message(&reversed));
    }

    /// The walk places a structure's members without allocating up to [`INLINE_MEMBERS`];
    /// a larger structure still validates (through a vector), only slower.
    #[test]
    fn every_structure_fits_inline() {
        for (name, node) in Program::get().names.iter().zip(&Program::get().nodes) {
            if let Node::Structure(members) = node {
                assert!(members.len() <= INLINE_MEMBERS, "{name} has {} members", members.len());
            }
        }
    }

    #[test]
    fn missing_required_member_is_null() {
        let err = validate_request(Operation::DeleteRemediationConfiguration, &json!({})).unwrap_err();
        assert_eq!(
            err.message,
            "1 validation error detected: Value null at 'configRuleName' failed to satisfy constraint: Member must not be null"
        );
        let err = validate_request(Operation::DeleteRemediationConfiguration, &json!({"ConfigRuleName": null}))
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::ValidationException);
    }

    #[rstest]
    #[case(json!([1]))]
    #[case(json!({"ConfigRuleName": 5}))]
    #[case(json!({"ConfigRuleName": "r", "Limit": "10"}))]
    #[case(json!({"ConfigRuleName": "r", "Limit": 1.5}))]
    #[case(json!({"ConfigRuleName": "r", "Limit": 4294967296_i64}))]
    #[case(json!({"ConfigRuleName": "r", "ResourceKeys": {"ResourceId": "x"}}))]
    #[case(json!({"ConfigRuleName": "r", "ResourceKeys": [{"ResourceId": 7}]}))]
    fn wrong_types_are_serialization_errors(#[case] body: Value) {
        let err = validate_request(Operation::DescribeRemediationExceptions, &body).unwrap_err();
        assert_eq!(err.code, ErrorCode::SerializationException, "{body}");
    }

    /// S-01, A-01: a list of structures prints as Java's `toString` of each item, the form
    /// cloud-custodian issue 6457 quotes for 101 Evaluations:
    /// `Value '[com.amazonaws.starling.dove.Evaluation@27de0032, …]' at 'evaluations' …`.
    #[test]
    fn a_list_of_structures_prints_java_style() {
        let evaluation = json!({"ComplianceResourceType": "AWS::S3::Bucket", "ComplianceResourceId": "b", "ComplianceType": "COMPLIANT", "OrderingTimestamp": 1});
        let body = json!({"Evaluations": vec![evaluation; 101], "ResultToken": "t"});
        let e = validate_request(Operation::PutEvaluations, &body).unwrap_err();
        let rest = e.message.strip_prefix("1 validation error detected: Value '[com.amazonaws.starling.dove.Evaluation@").expect(&e.message);
        let (hash, rest) = rest.split_once(", ").expect("a list");
        assert!(!hash.is_empty() && hash.len() <= 8 && hash.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{hash}");
        assert!(rest.ends_with("]' at 'evaluations' failed to satisfy constraint: Member must have length less than or equal to 100"), "{rest}");
        assert_eq!(e.message.matches("com.amazonaws.starling.dove.Evaluation@").count(), 101);
        // A list of strings is not affected: `[a, b]`.
        let names: Vec<String> = (0..26).map(|i| format!("r{i}")).collect();
        let e = validate_request(Operation::DescribeConfigRules, &json!({"ConfigRuleNames": names})).unwrap_err();
        assert!(e.message.starts_with("1 validation error detected: Value '[r0, r1, "), "{}", e.message);
    }

    #[test]
    fn lengths_count_utf16_units() {
        // 64 characters outside the BMP are 128 UTF-16 units: at the limit, not over it.
        let name = "😀".repeat(64);
        assert!(validate_request(Operation::DeleteRemediationConfiguration, &json!({"ConfigRuleName": name})).is_ok());
        let name = "😀".repeat(65);
        assert!(validate_request(Operation::DeleteRemediationConfiguration, &json!({"ConfigRuleName": name})).is_err());
    }

    const SRE: Operation = Operation::StartRemediationExecution;
    const DRES: Operation = Operation::DescribeRemediationExecutionStatus;

    /// M-01: a resource key in the exception operations' spelling, given where a `ResourceKey`
    /// is needed, is refused for the lower-camel members it lacks; the refusal names M-01 beside
    /// the member's own rule. A member merely missing, or a null in the other spelling, is not
    /// the other key shape.
    #[rstest]
    #[case::both_pascal(SRE, json!({"ResourceType": "AWS::S3::Bucket", "ResourceId": "b"}), &["R-SRE-03", "M-01"], &[true, true])]
    #[case::one_pascal(SRE, json!({"resourceType": "AWS::S3::Bucket", "ResourceId": "b"}), &["R-SRE-03", "M-01"], &[true])]
    #[case::only_missing(SRE, json!({"resourceType": "AWS::S3::Bucket"}), &["R-SRE-03"], &[false])]
    #[case::pascal_null(SRE, json!({"resourceType": "AWS::S3::Bucket", "ResourceId": null}), &["R-SRE-03"], &[false])]
    #[case::lower_case_all(SRE, json!({"resourcetype": "AWS::S3::Bucket", "resourceId": "b"}), &["R-SRE-03"], &[false])]
    #[case::status_pascal(DRES, json!({"ResourceType": "AWS::S3::Bucket", "ResourceId": "b"}), &["M-01"], &[true, true])]
    fn a_key_in_the_other_shape_is_attributed_to_m_01(#[case] op: Operation, #[case] key: Value, #[case] rules: &[&str], #[case] other: &[bool]) {
        let body = json!({"ConfigRuleName": "r", "ResourceKeys": [key]});
        let refusal = check_request(op, &body).unwrap_err();
        assert_eq!(refusal.error.code, ErrorCode::ValidationException);
        let named: Vec<&str> = refusal
            .rules
            .iter()
            .map(|r| match r {
                MemberRule::Stated(id) => id.as_str(),
                MemberRule::Fallback(f) => panic!("{op}: a fallback ({f:?}) where every member has its rule"),
            })
            .collect();
        assert_eq!(named, rules, "{op}: {body}");
        let found: Vec<bool> = violations(op, &body).iter().map(|v| v.other_key_shape).collect();
        assert_eq!(found, other, "{op}: {body}");
    }

    /// The cause changes which rules are named, not what the service says (A-01).
    #[test]
    fn the_other_key_shape_keeps_the_message() {
        let body = json!({"ConfigRuleName": "r", "ResourceKeys": [{"ResourceType": "AWS::S3::Bucket", "ResourceId": "b"}]});
        assert_eq!(
            validate_request(SRE, &body).unwrap_err().message,
            "2 validation errors detected: \
             Value null at 'resourceKeys.1.member.resourceType' failed to satisfy constraint: Member must not be null; \
             Value null at 'resourceKeys.1.member.resourceId' failed to satisfy constraint: Member must not be null"
        );
    }

    /// A body validation accepts comes out as its operation's typed request; one it refuses
    /// comes out as the same refusal [`check_request`] gives.
    #[rstest]
    #[case::refused_type(Operation::DescribeRemediationExceptions, json!({"ConfigRuleName": 5}))]
    #[case::refused_constraint(Operation::PutRemediationExceptions, json!({"ConfigRuleName": "", "ResourceKeys": []}))]
    #[case::refused_not_an_object(Operation::PutEvaluations, json!("x"))]
    #[case::accepted(Operation::DescribeRemediationExceptions, json!({"ConfigRuleName": "r", "Limit": null}))]
    #[case::accepted_enums(Operation::PutConfigRule, json!({"ConfigRule": {"ConfigRuleName": "r", "MaximumExecutionFrequency": "Six_Hours",
        "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": "arn", "SourceDetails": [{"EventSource": "aws.config", "MessageType": "ScheduledNotification"}]}}}))]
    fn parsing_agrees_with_checking(#[case] op: Operation, #[case] body: Value) {
        match (parse_request(op, &body), check_request(op, &body)) {
            (Ok(request), Ok(())) => assert_eq!(request.operation(), op),
            (Err(parsed), Err(checked)) => assert_eq!(parsed, checked),
            (parsed, checked) => panic!("{op}: parse {parsed:?}, check {checked:?}"),
        }
    }

    #[test]
    fn parsed_enums_are_their_variants() {
        use crate::wire::{EventSource, MaximumExecutionFrequency, MessageType, Request};
        let body = json!({"ConfigRule": {"ConfigRuleName": "r", "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": "arn",
            "SourceDetails": [{"EventSource": "aws.config", "MessageType": "ScheduledNotification", "MaximumExecutionFrequency": "TwentyFour_Hours"}]}}});
        let Ok(Request::PutConfigRule(put)) = parse_request(Operation::PutConfigRule, &body) else { panic!("a valid PutConfigRule") };
        let detail = &put.config_rule.source.source_details.as_deref().unwrap_or_default()[0];
        assert_eq!(
            (detail.event_source, detail.message_type, detail.maximum_execution_frequency),
            (Some(EventSource::AwsConfig), Some(MessageType::ScheduledNotification), Some(MaximumExecutionFrequency::TwentyFourHours))
        );
    }

    #[test]
    fn map_keys_and_values_are_checked() {
        let body = json!({"RemediationConfigurations": [{
            "ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "doc",
            "Parameters": {"": {"StaticValue": {"Values": ["x"]}}, "P": {"StaticValue": {}}}
        }]});
        let v = violations(Operation::PutRemediationConfigurations, &body);
        let sentences: Vec<String> = v.iter().map(Violation::sentence).collect();
        assert_eq!(
            sentences,
            vec![
                "Value '' at 'remediationConfigurations.1.member.parameters' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length greater than or equal to 1]",
                "Value null at 'remediationConfigurations.1.member.parameters.P.staticValue.values' failed to satisfy constraint: Member must not be null",
            ]
        );
    }
}
