//! The endpoint's shared state: one [`World`] and its [`Clock`], behind one mutex.
//!
//! World and clock share a lock so that reading the time and applying a request happen as one
//! step: requests are applied in the order they take the lock, each at a time no earlier than
//! the one before, which is exactly a serial history the model can explain (no lost writes).
//! The lock is a `std` mutex and is never held across an `.await`: every critical section is
//! synchronous and short.

use crate::clock::{Clock, ClockMode};
use crate::fault::FaultHook;
use reference_model::world::AccountOptions;
use reference_model::World;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// What the mutex guards.
pub struct Shared {
    pub world: World,
    pub clock: Clock,
}

impl Shared {
    /// A fresh account whose world starts at the clock's current time, set up as `options`
    /// say.
    pub fn fresh(account_id: &str, region: &str, mode: ClockMode, options: AccountOptions) -> Self {
        let mut clock = Clock::new(mode);
        let world = World::with_options(account_id, region, clock.now(), options);
        Shared { world, clock }
    }
}

/// A panic caught under the lock ([`AppState::with_shared`]): a bug of the model or of a
/// planted fault. The lock itself cannot fail: a poisoned one is taken over ([`AppState::lock`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelPanic {
    /// `panic!` with a message (a literal or a formatted one).
    Message(String),
    /// A payload that is not text (`std::panic::panic_any` with any other value).
    Opaque,
}

impl ModelPanic {
    fn from_payload(payload: Box<dyn std::any::Any + Send>) -> Self {
        match payload.downcast::<String>() {
            Ok(message) => ModelPanic::Message(*message),
            Err(payload) => payload.downcast_ref::<&str>().map_or(ModelPanic::Opaque, |s| ModelPanic::Message((*s).to_owned())),
        }
    }
}

impl std::fmt::Display for ModelPanic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelPanic::Message(message) => f.write_str(message),
            ModelPanic::Opaque => f.write_str("unknown panic"),
        }
    }
}

impl std::error::Error for ModelPanic {}

/// Everything a handler needs, shared by all connections.
pub struct AppState {
    shared: Mutex<Shared>,
    pub account_id: String,
    pub region: String,
    pub clock_mode: ClockMode,
    /// How a fresh account starts, here and after `/_reference/reset`.
    pub account: AccountOptions,
    /// `(access key id, secret access key)` when signatures are checked.
    pub credentials: Option<(String, String)>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// A planted fault in the path of `POST /` (test support only; `None` when served).
    pub fault: Option<Arc<dyn FaultHook>>,
    request_ids: RequestIds,
}

impl AppState {
    pub fn new(
        account_id: String,
        region: String,
        clock_mode: ClockMode,
        credentials: Option<(String, String)>,
        max_body_bytes: usize,
    ) -> Self {
        Self::with_options(account_id, region, clock_mode, credentials, max_body_bytes, AccountOptions::default())
    }

    /// [`AppState::new`] for accounts set up as `account` says.
    pub fn with_options(
        account_id: String,
        region: String,
        clock_mode: ClockMode,
        credentials: Option<(String, String)>,
        max_body_bytes: usize,
        account: AccountOptions,
    ) -> Self {
        AppState {
            shared: Mutex::new(Shared::fresh(&account_id, &region, clock_mode, account)),
            account_id,
            region,
            clock_mode,
            account,
            credentials,
            max_body_bytes,
            fault: None,
            request_ids: RequestIds::new(),
        }
    }

    /// This state with `fault` answering `POST /` ([`FaultHook`]).
    pub fn with_fault(mut self, fault: Arc<dyn FaultHook>) -> Self {
        self.fault = Some(fault);
        self
    }

    /// The world and clock. A handler that panicked while holding the lock cannot have left
    /// a half-applied request visible to the model's invariants any more than a finished one,
    /// so a poisoned lock is taken over rather than taking the endpoint down with it.
    pub fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on the world and clock under the lock. A panic inside (a bug of the model) is
    /// caught and returned as [`ModelPanic`], so one request cannot take down its connection or
    /// poison the lock for every later one.
    pub fn with_shared<R>(&self, f: impl FnOnce(&mut Shared) -> R) -> Result<R, ModelPanic> {
        let mut shared = self.lock();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut shared))).map_err(ModelPanic::from_payload)
    }

    /// Replaces world and clock with fresh ones (`/_reference/reset`).
    pub fn reset(&self) -> reference_model::Timestamp {
        // Before the lock is taken: a hook takes its own lock inside the endpoint's one when it
        // answers, never the other way round.
        if let Some(fault) = &self.fault {
            fault.reset();
        }
        let mut shared = self.lock();
        *shared = Shared::fresh(&self.account_id, &self.region, self.clock_mode, self.account);
        shared.clock.now()
    }

    pub fn next_request_id(&self) -> String {
        self.request_ids.next()
    }
}

/// Request ids shaped like version-4 UUIDs: a per-process random seed and a counter through a
/// mixing function, so they are unique without a UUID or RNG dependency.
struct RequestIds {
    seed: u64,
    counter: AtomicU64,
}

impl RequestIds {
    fn new() -> Self {
        use std::hash::{BuildHasher, Hasher};
        // RandomState is seeded from the OS: different for every endpoint.
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(std::process::id() as u64);
        RequestIds { seed: hasher.finish(), counter: AtomicU64::new(0) }
    }

    fn next(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        // The model's own UUID text of a number (a bijection of it), offset by this endpoint's
        // seed so that two endpoints do not repeat each other's ids.
        reference_model::world::uuid_text(self.seed ^ n)
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_under_the_lock_becomes_an_error_and_the_lock_stays_usable() {
        let state = AppState::new("123456789012".into(), "us-east-1".into(), ClockMode::Virtual, None, 1024);
        let result: Result<(), ModelPanic> = state.with_shared(|_| panic!("model bug {}", 42));
        assert_eq!(result, Err(ModelPanic::Message("model bug 42".to_owned())));
        let now = state.with_shared(|shared| shared.clock.now()).expect("the lock still works");
        assert_eq!(now, reference_model::Timestamp::EPOCH_2026);
    }

    /// The text the endpoint puts in its 500 answers is the panic's own message, whatever the
    /// payload's type; a payload that is not text still says that something panicked.
    #[rstest::rstest]
    #[case::literal(Box::new(|| panic!("a literal")) as Box<dyn FnOnce()>, ModelPanic::Message("a literal".into()), "a literal")]
    #[case::formatted(Box::new(|| panic!("{} {}", "formatted", 7)) as Box<dyn FnOnce()>, ModelPanic::Message("formatted 7".into()), "formatted 7")]
    #[case::opaque(Box::new(|| std::panic::panic_any(42_u8)) as Box<dyn FnOnce()>, ModelPanic::Opaque, "unknown panic")]
    fn every_panic_payload_has_a_message(#[case] panics: Box<dyn FnOnce()>, #[case] expected: ModelPanic, #[case] text: &str) {
        let state = AppState::new("123456789012".into(), "us-east-1".into(), ClockMode::Virtual, None, 1024);
        let caught = state.with_shared(|_| panics()).expect_err("it panicked");
        assert_eq!(caught, expected);
        assert_eq!(caught.to_string(), text);
    }

    /// `serve --no-recorder` starts every account, reset ones too, without a recorder;
    /// the default start has one.
    #[test]
    fn the_account_start_survives_a_reset() {
        use reference_model::world::AccountStart;
        let options = AccountOptions { start: AccountStart::NoRecorder, rule_deletion_seconds: 0 };
        let empty = AppState::with_options("123456789012".into(), "us-east-1".into(), ClockMode::Virtual, None, 1024, options);
        assert!(!empty.lock().world.has_recorder());
        empty.lock().world.control(&reference_model::Control::SetRecorder { available: true }, reference_model::Timestamp::EPOCH_2026);
        assert!(empty.lock().world.has_recorder());
        empty.reset();
        assert!(!empty.lock().world.has_recorder());
        let enabled = AppState::new("123456789012".into(), "us-east-1".into(), ClockMode::Virtual, None, 1024);
        assert!(enabled.lock().world.recorder("default").is_some_and(|r| r.recording));
        assert!(enabled.lock().world.delivery_channel("default").is_some());
    }

    #[test]
    fn request_ids_are_uuid_shaped_and_distinct() {
        let ids = RequestIds::new();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let id = ids.next();
            let parts: Vec<&str> = id.split('-').collect();
            assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12], "{id}");
            assert!(parts[2].starts_with('4'), "{id}");
            assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()), "{id}");
            assert!(seen.insert(id));
        }
    }
}
