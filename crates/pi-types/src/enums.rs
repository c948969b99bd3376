//! What every generated enum shares: the wire value of each variant, and an
//! `Other` arm that keeps a value this version does not know, so a value
//! the API adds later neither fails to decode nor changes on the way back.

/// An enum whose variants are the string values the document lists, plus an
/// unknown-value arm.
///
/// ```
/// use pi_types::WireEnum;
/// # use pi_types::PodStatus;
///
/// let known: PodStatus = serde_json::from_str("\"ACTIVE\"")?;
/// assert!(known.is_known());
/// let future: PodStatus = serde_json::from_str("\"HIBERNATING\"")?;
/// assert_eq!(future.as_str(), "HIBERNATING");
/// assert!(!future.is_known());
/// assert_eq!(serde_json::to_string(&future)?, "\"HIBERNATING\"");
/// # Ok::<(), serde_json::Error>(())
/// ```
pub trait WireEnum: Sized {
    /// Every value the document lists, in its order, without repeats.
    const KNOWN: &'static [&'static str];

    /// The value as it travels.
    fn as_str(&self) -> &str;

    /// The variant for a wire value; an unlisted value becomes `Other`.
    fn from_wire(value: &str) -> Self;

    /// Whether the value is one the document lists.
    fn is_known(&self) -> bool {
        Self::KNOWN.contains(&self.as_str())
    }
}

/// Implements serde, `Display`, `FromStr` and the `From` conversions of a
/// [`WireEnum`] through its wire value.
#[doc(hidden)]
#[macro_export]
macro_rules! wire_enum_traits {
    ($name:ident) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str($crate::WireEnum::as_str(self))
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                let value = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(<Self as $crate::WireEnum>::from_wire(&value))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::WireEnum::as_str(self))
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(<Self as $crate::WireEnum>::from_wire(value))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                <Self as $crate::WireEnum>::from_wire(value)
            }
        }
    };
}

/// One generated enum, seen through plain functions, so a test can walk them all.
#[cfg(test)]
pub(crate) struct EnumEntry {
    pub(crate) name: &'static str,
    pub(crate) known: &'static [&'static str],
    /// Decodes a JSON string and encodes it again: `(encoded, is_known)`.
    pub(crate) round_trip: fn(&str) -> Result<(String, bool), serde_json::Error>,
}

#[cfg(test)]
impl EnumEntry {
    pub(crate) const fn of<T>(name: &'static str) -> Self
    where
        T: WireEnum + serde::Serialize + serde::de::DeserializeOwned,
    {
        Self {
            name,
            known: T::KNOWN,
            round_trip: |value| {
                let decoded: T =
                    serde_json::from_value(serde_json::Value::String(value.to_owned()))?;
                let known = decoded.is_known();
                Ok((
                    serde_json::to_value(&decoded)?
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    known,
                ))
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::generated::ENUMS;

    #[test]
    fn every_enum_keeps_known_and_unknown_values_unchanged() {
        assert!(ENUMS.len() >= 30, "only {} enums generated", ENUMS.len());
        for entry in ENUMS {
            assert!(!entry.known.is_empty(), "{} lists no value", entry.name);
            for value in entry.known {
                let (back, known) = (entry.round_trip)(value).unwrap();
                assert_eq!((back.as_str(), known), (*value, true), "{}", entry.name);
            }
            for unknown in ["NOT_IN_THE_DOCUMENT", "", "lower-case value"] {
                let (back, known) = (entry.round_trip)(unknown).unwrap();
                assert_eq!((back.as_str(), known), (unknown, false), "{}", entry.name);
            }
        }
    }

    #[test]
    fn known_values_are_listed_once() {
        for entry in ENUMS {
            let mut values = entry.known.to_vec();
            values.sort_unstable();
            values.dedup();
            assert_eq!(
                values.len(),
                entry.known.len(),
                "{} repeats a value",
                entry.name
            );
        }
    }
}
