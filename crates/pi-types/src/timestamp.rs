//! A point in time as the PI API writes it.
//!
//! The document says `format: date-time`, but the API also sends timestamps
//! without a UTC offset (`2025-01-15T10:30:00.000000`). Both are accepted;
//! a timestamp without an offset is taken to be UTC, which is what the API means.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A UTC instant, read from RFC 3339 text with or without an offset.
///
/// ```
/// use pi_types::Timestamp;
///
/// let with_offset: Timestamp = "2025-01-15T10:30:00Z".parse()?;
/// let without: Timestamp = "2025-01-15T10:30:00.000000".parse()?;
/// assert_eq!(with_offset, without);
/// assert_eq!(without.to_string(), "2025-01-15T10:30:00+00:00");
/// # Ok::<(), pi_types::TimestampError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

/// Text that is not a timestamp in any of the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not an RFC 3339 date-time (with or without a UTC offset)")]
pub struct TimestampError {
    text: String,
}

impl Timestamp {
    /// The instant as a `chrono` UTC date-time.
    #[must_use]
    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(value: DateTime<Utc>) -> Self {
        Self(value)
    }
}

impl std::str::FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if let Ok(with_offset) = DateTime::parse_from_rfc3339(text) {
            return Ok(Self(with_offset.with_timezone(&Utc)));
        }
        // Without an offset: accept `T` or a space between date and time,
        // with or without fractional seconds.
        ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
            .iter()
            .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
            .map(|naive| Self(naive.and_utc()))
            .ok_or_else(|| TimestampError {
                text: text.chars().take(64).collect(),
            })
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn offsets_are_converted_to_utc() {
        let stamp: Timestamp = "2025-01-15T12:30:00+02:00".parse().unwrap();
        assert_eq!(stamp.to_string(), "2025-01-15T10:30:00+00:00");
    }

    #[test]
    fn a_space_separator_and_microseconds_are_accepted() {
        let stamp: Timestamp = "2025-01-15 10:30:00.123456".parse().unwrap();
        assert_eq!(stamp.as_datetime().timestamp_subsec_micros(), 123_456);
    }

    #[test]
    fn garbage_is_an_error_that_quotes_a_bounded_excerpt() {
        let long = "x".repeat(500);
        let error = long.parse::<Timestamp>().unwrap_err().to_string();
        assert!(error.len() < 200, "{error}");
        assert!("2025-13-01T00:00:00".parse::<Timestamp>().is_err());
    }

    #[test]
    fn serde_round_trips() {
        let stamp: Timestamp = serde_json::from_str("\"2025-01-15T10:30:00\"").unwrap();
        let json = serde_json::to_string(&stamp).unwrap();
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), stamp);
    }
}
