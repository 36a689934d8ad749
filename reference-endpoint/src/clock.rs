//! The endpoint's clock: the only source of `now` for the model.
//!
//! Two modes ([`ClockMode`]): `Virtual` starts at [`Timestamp::EPOCH_2026`] and moves only
//! when the control API says so, which makes runs reproducible; `Wall` follows the system
//! clock plus an offset the control API can push forward. Either way the time handed to the
//! model never goes backwards (the model's executions and expiries assume it, R-DRES-07): a
//! wall clock stepped back by NTP is held at the last value given out.

use reference_model::{Millis, Timestamp};
use std::time::{SystemTime, UNIX_EPOCH};

/// Where the endpoint's time comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ClockMode {
    /// Starts at 2026-01-01T00:00:00Z; moves only through `/_reference/clock`.
    #[default]
    Virtual,
    /// The system clock, plus whatever `/_reference/clock` added.
    Wall,
}

/// Why the clock refused a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClockError {
    /// The change would move time backwards.
    Backwards { now: Timestamp, requested: Timestamp },
}

impl std::fmt::Display for ClockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClockError::Backwards { now, requested } => write!(
                f,
                "the clock never moves backwards: it reads {now} and {requested} is earlier"
            ),
        }
    }
}

/// A monotonic clock in one of the two modes.
#[derive(Clone, Debug)]
pub struct Clock {
    mode: ClockMode,
    /// Added to the base (EPOCH_2026 or the system time).
    offset: Millis,
    /// The latest instant handed out: nothing earlier is ever returned again.
    last: Timestamp,
}

impl Clock {
    pub fn new(mode: ClockMode) -> Self {
        let mut clock = Clock { mode, offset: Millis(0), last: Timestamp::from_millis(i64::MIN) };
        clock.last = clock.now();
        clock
    }

    pub fn mode(&self) -> ClockMode {
        self.mode
    }

    fn base(&self) -> Timestamp {
        match self.mode {
            ClockMode::Virtual => Timestamp::EPOCH_2026,
            ClockMode::Wall => system_now(),
        }
    }

    /// The current time; never earlier than any value returned before.
    pub fn now(&mut self) -> Timestamp {
        let t = (self.base() + self.offset).max(self.last);
        self.last = t;
        t
    }

    /// Moves the clock forward by `by` (which must not be negative).
    pub fn advance(&mut self, by: Millis) -> Result<Timestamp, ClockError> {
        let now = self.now();
        if by.0 < 0 {
            return Err(ClockError::Backwards { now, requested: now + by });
        }
        self.offset = Millis(self.offset.0.saturating_add(by.0));
        Ok(self.now())
    }

    /// Sets the clock to `t`, which must not be earlier than now.
    pub fn set(&mut self, t: Timestamp) -> Result<Timestamp, ClockError> {
        let now = self.now();
        if t < now {
            return Err(ClockError::Backwards { now, requested: t });
        }
        self.offset = Millis(self.offset.0.saturating_add((t - now).0));
        Ok(self.now())
    }
}

/// The system time in milliseconds since the epoch (a clock before 1970 reads as 1970).
fn system_now() -> Timestamp {
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    Timestamp::from_millis(i64::try_from(ms).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_clock_starts_at_2026_and_moves_only_when_told() {
        let mut clock = Clock::new(ClockMode::Virtual);
        assert_eq!(clock.now(), Timestamp::EPOCH_2026);
        assert_eq!(clock.now(), Timestamp::EPOCH_2026);
        let t = clock.advance(Millis::seconds(90)).unwrap();
        assert_eq!(t, Timestamp::EPOCH_2026 + Millis::seconds(90));
        let later = Timestamp::EPOCH_2026 + Millis::seconds(3600);
        assert_eq!(clock.set(later).unwrap(), later);
        assert_eq!(clock.now(), later);
    }

    #[test]
    fn clock_refuses_to_go_backwards() {
        let mut clock = Clock::new(ClockMode::Virtual);
        clock.advance(Millis::seconds(10)).unwrap();
        assert!(matches!(clock.set(Timestamp::EPOCH_2026), Err(ClockError::Backwards { .. })));
        assert!(clock.advance(Millis(-1)).is_err());
        // Setting to exactly now is allowed and changes nothing.
        let now = clock.now();
        assert_eq!(clock.set(now).unwrap(), now);
    }

    #[test]
    fn wall_clock_follows_system_time_plus_offset() {
        let mut clock = Clock::new(ClockMode::Wall);
        let before = system_now();
        let t = clock.advance(Millis::seconds(3600)).unwrap();
        assert!(t >= before + Millis::seconds(3600));
        assert!(t < system_now() + Millis::seconds(3700));
        let a = clock.now();
        let b = clock.now();
        assert!(b >= a);
    }
}
