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
    /// Module name (a value of `modules`) → the client's handle for it.
    #[serde(default)]
    pub(crate) areas: BTreeMap<String, AreaConfig>,
    /// `"METHOD /path"` → how the client calls the operation.
    #[serde(default)]
    pub(crate) operations: BTreeMap<String, OperationConfig>,
}

/// One `[areas.<module>]` table: the client's handle on an API area.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AreaConfig {
    /// The handle's type name (`Secrets`); request types start with it.
    pub(crate) handle: String,
    /// The handle's one-line doc.
    pub(crate) doc: String,
    /// The base URL the area's requests go to when it is not the API's:
    /// `"traces"`, the client's traces base URL.
    pub(crate) base: Option<String>,
}

/// One `[operations."METHOD /path"]` table: the client's call for it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OperationConfig {
    /// The handle method (`get`); the request type is the handle's name,
    /// this name in PascalCase and `Request`.
    pub(crate) call: String,
    /// The method's one-line doc.
    pub(crate) doc: String,
    /// The handle method's arguments, in the order a reader expects
    /// (identity first): wire names of path parameters, query parameters
    /// and body fields. Every required input must be listed, so a new one
    /// stops the generator instead of shifting positions.
    #[serde(default)]
    pub(crate) args: Vec<String>,
    /// How a success decodes when the document cannot say: `nothing` (any
    /// 2xx is `()`), `json` (the body as it is). Otherwise the document's
    /// answer schema decides.
    pub(crate) answer: Option<String>,
    /// How the list pages: `offset` (offset or skip and a size) or `page`
    /// (page numbers from 1 and a size). Absent for calls that are not lists.
    pub(crate) paging: Option<String>,
    /// The query parameter that holds the start (`offset`, `skip`, `page`).
    pub(crate) start: Option<String>,
    /// The query parameter that holds the page size (`limit`, `page_size`).
    pub(crate) size: Option<String>,
    /// For `page` paging whose size parameter the document gives no
    /// maximum: the page size a stream asks for when the caller set none
    /// (what the official client asks for). A stream numbering pages needs a
    /// size to know how many items the pages before its start held.
    pub(crate) stream_size: Option<i64>,
    /// The answer field with the page's items, when the answer is not the
    /// `Page` envelope (whose items are `data`).
    pub(crate) items: Option<String>,
    /// The answer field with the list's total across pages.
    pub(crate) total: Option<String>,
    /// Wire name → setter name, where the field's own name reads badly.
    #[serde(default)]
    pub(crate) rename: BTreeMap<String, String>,
    /// Wire names that get no generated setter: the area's hand-written
    /// code sets them in a form the generator cannot write.
    #[serde(default)]
    pub(crate) skip: Vec<String>,
    /// Required body fields filled from a Rust expression instead of an
    /// argument (wire name → expression); a setter can still change them.
    #[serde(default)]
    pub(crate) fill: BTreeMap<String, String>,
    /// Inline query enums (wire name → Rust type name), generated beside the request.
    #[serde(default)]
    pub(crate) enums: BTreeMap<String, String>,
    /// A body field that, once set, makes a retry harmless (the server
    /// honours it as an idempotency key).
    pub(crate) retry_safe_with: Option<String>,
    /// The name of a last argument holding the bearer token the call sends
    /// instead of the API key (a login challenge's status token).
    pub(crate) bearer: Option<String>,
    /// For `paging = "cursor"`: the answer's field holding the next page's
    /// cursor (null on the last page).
    pub(crate) next: Option<String>,
    /// The file name each binary part of a multipart body is sent under, by
    /// part name, as the official client names it.
    #[serde(default)]
    pub(crate) filenames: BTreeMap<String, String>,
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
    /// The order of the constructor's arguments (wire names of the required
    /// fields), for a request body with more than one required field: a
    /// reader's order rather than the alphabet's, and a new required field
    /// stops the generator instead of shifting positions.
    #[serde(default)]
    pub(crate) new: Vec<String>,
}

impl Config {
    /// Reads and parses the file, with the path in every error.
    pub(crate) fn load(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}
