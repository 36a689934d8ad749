//! # The reference model of the AWS Config remediation APIs
//!
//! A pure, deterministic state machine of the documented behaviour of the nine remediation
//! operations (and the Config rule calls they depend on). No I/O, no async, no clock of its
//! own: every call takes the time as an argument.
//!
//! ## How a request flows
//!
//! ```text
//! bytes ──► JSON ──► validate (service-model shapes) ──► typed request ──► ops::apply_* ──► Outcome
//!            │            │                                                   │
//!   SerializationException  ValidationException                       World (state) on the virtual clock
//! ```
//!
//! * [`validate`] walks the embedded service model ([`service_model`]) and produces AWS's
//!   messages (`1 validation error detected: Value '…' at 'configRuleName' …`).
//! * [`ops`] has one `apply_*` function per operation. Each returns an [`Outcome`]: every
//!   acceptable answer, the preferred one first, each tagged with how sure the model is
//!   ([`Level`]: `MUST` documented, `SHOULD` observed, `MAY` the model's choice), and the rule
//!   IDs of `rules.md` it exercised.
//! * [`world::World`] holds rules, compliance, configurations, exceptions and executions; [`auto`]
//!   runs executions and automatic remediation as a discrete-event simulation on the virtual
//!   clock, with SSM outcomes scripted by the caller ([`world::Control`]).
//! * [`clauses`] is the catalogue of documented rules and how each is covered.
//!
//! The choices the model makes where the documentation is silent are listed, with their
//! evidence, in `ASSUMPTIONS.md` at the root of this crate; alternatives cite them as `A-nn`.

pub mod auto;
pub mod clauses;
pub mod error;
pub mod invariants;
pub mod limits;
pub mod managed_rules;
pub mod names;
pub mod operation;
pub mod ops;
pub mod outcome;
pub mod paging;
pub mod service_model;
pub mod steps;
pub mod time;
pub mod validate;
pub mod wire;
pub mod world;

pub use error::{ApiError, ErrorCode};
pub use operation::Operation;
pub use ops::{flexible_fields, handle, handle_value};
pub use outcome::{Alternative, FieldKind, FlexField, IdFormat, Level, Outcome, Reply};
pub use time::{Millis, Timestamp};
pub use world::{ComplianceType, Control, World};
