//! Serializers that write secret material into a request body: the one place
//! a `SecretString` is exposed, so a reviewer can find every such place.

use std::collections::BTreeMap;

use secrecy::{ExposeSecret, SecretString};
use serde::Serializer;
use serde::ser::SerializeMap;

/// Writes the secret as a plain JSON string.
pub(crate) fn secret<S: Serializer>(
    value: &SecretString,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value.expose_secret())
}

/// Writes the secret as a plain JSON string, or `null`.
pub(crate) fn optional_secret<S: Serializer>(
    value: &Option<SecretString>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => secret(value, serializer),
        None => serializer.serialize_none(),
    }
}

/// Writes a map of secrets as a JSON object of plain strings.
pub(crate) fn secret_map<S: Serializer>(
    value: &BTreeMap<String, SecretString>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(value.len()))?;
    for (key, secret) in value {
        map.serialize_entry(key, secret.expose_secret())?;
    }
    map.end()
}

/// Writes a map of secrets as a JSON object of plain strings, or `null`.
pub(crate) fn optional_secret_map<S: Serializer>(
    value: &Option<BTreeMap<String, SecretString>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => secret_map(value, serializer),
        None => serializer.serialize_none(),
    }
}
