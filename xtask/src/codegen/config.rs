//! `spec/codegen.toml`: what the generator cannot read from the document
//! (Rust names, one-line docs, secret-bearing fields, hand-written mappings,
//! fields the SDK treats as always present).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    /// Operation tag → generated module (file) name.
    pub(crate) modules: BTreeMap<String, String>,
    /// Schema name → how it becomes Rust.
    pub(crate) schemas: BTreeMap<String, SchemaConfig>,
}

/// One `[schemas.<name>]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SchemaConfig {
    /// The Rust type name.
    pub(crate) name: Option<String>,
    /// The type's one-line doc.
    pub(crate) doc: Option<String>,
    /// Wire names of the fields that carry secret material.
    #[serde(default)]
    pub(crate) secret: Vec<String>,
    /// A hand-written check (a Rust path to `fn(&T) -> Result<(), InvalidInput>`)
    /// that `validate` runs after the document's rules, for limits the
    /// document states only in prose.
    pub(crate) validate_with: Option<String>,
    /// A hand-written type (a Rust path) used instead of generating one.
    #[serde(rename = "use")]
    pub(crate) use_type: Option<String>,
    /// Wire names of answer fields the SDK treats as always present (a plain
    /// value, not an `Option`) although the document lets them be absent or
    /// null: identity fields a caller needs for the next call.
    #[serde(default)]
    pub(crate) always_present: Vec<String>,
    /// Why `always_present` is safe: what the API is seen to do. Required
    /// with `always_present`.
    pub(crate) reason: Option<String>,
}

impl Config {
    /// Reads and parses the file, with the path in every error.
    pub(crate) fn load(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}
