//! Time as the model sees it: a virtual clock value passed in by the caller.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::{Add, Sub};

/// An instant, in milliseconds since the Unix epoch. On the wire it is a JSON number of seconds
/// (the JSON protocol's default timestamp format; no shape here sets `timestampFormat`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// A span of time in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millis(pub i64);

impl Millis {
    pub const fn seconds(s: i64) -> Millis {
        Millis(s.saturating_mul(1000))
    }
}

impl Timestamp {
    /// 2026-01-01T00:00:00Z: where the virtual clock of a fresh world starts.
    pub const EPOCH_2026: Timestamp = Timestamp(1_767_225_600_000);

    pub const fn from_millis(ms: i64) -> Self {
        Timestamp(ms)
    }
    pub const fn from_seconds(s: i64) -> Self {
        Timestamp(s.saturating_mul(1000))
    }
    /// Seconds as a float, with sub-second precision; `None` for NaN or out-of-range values.
    pub fn from_seconds_f64(s: f64) -> Option<Self> {
        if !s.is_finite() || s.abs() > 1.0e14 {
            return None;
        }
        Some(Timestamp((s * 1000.0).round() as i64))
    }
    pub const fn millis(self) -> i64 {
        self.0
    }
    pub fn seconds_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }
    /// The wire value: an integer when whole seconds, otherwise a fraction.
    pub fn to_json(self) -> serde_json::Value {
        if self.0 % 1000 == 0 {
            serde_json::Value::from(self.0 / 1000)
        } else {
            serde_json::Value::from(self.seconds_f64())
        }
    }
}

impl Add<Millis> for Timestamp {
    type Output = Timestamp;
    fn add(self, rhs: Millis) -> Timestamp {
        Timestamp(self.0.saturating_add(rhs.0))
    }
}

impl Sub<Millis> for Timestamp {
    type Output = Timestamp;
    fn sub(self, rhs: Millis) -> Timestamp {
        Timestamp(self.0.saturating_sub(rhs.0))
    }
}

impl Sub for Timestamp {
    type Output = Millis;
    fn sub(self, rhs: Timestamp) -> Millis {
        Millis(self.0.saturating_sub(rhs.0))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = f64::deserialize(d)?;
        Timestamp::from_seconds_f64(s).ok_or_else(|| serde::de::Error::custom("timestamp out of range"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form_is_seconds() {
        assert_eq!(Timestamp::from_seconds(1704164645).to_json(), serde_json::json!(1704164645));
        assert_eq!(Timestamp::from_millis(1704164645500).to_json(), serde_json::json!(1704164645.5));
        let t: Timestamp = serde_json::from_str("1704164645.5").unwrap();
        assert_eq!(t.millis(), 1704164645500);
        assert!(Timestamp::from_seconds_f64(f64::NAN).is_none());
    }
}
