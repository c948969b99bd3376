//! Normalizing an OpenAPI document into the project's vendored contract.
//!
//! [`normalize`] keeps every fact a client depends on (paths, methods,
//! operation ids, tags, summaries, parameters, request and response schemas
//! with their types, formats, enums, defaults, `required` lists and
//! constraints, security requirements and schemes, servers, and
//! `info.title`/`info.version`) and drops what is prose: the `description`,
//! `title`, `example`, `examples`, `externalDocs` and `$comment` keywords and
//! every `x-` extension but the project's own provenance, `x-pi-source`
//! (which the supplement puts on the operations and places it describes,
//! see [`crate::supplement`]), the query parameters an operation names by a
//! prefix (`x-pi-query-prefixes`), and a merged contract's list of amended
//! places (`x-pi-amended`). Those words are only dropped where they are
//! keywords: a schema property, parameter, header or media type that happens
//! to be *called* `description` is a name, and is kept.
//!
//! It also drops the internal operations under `/api/admin` and every
//! component that nothing kept refers to (following `$ref`s transitively), and
//! writes every object's keys in sorted order and every `required` list sorted,
//! so two normalizations of the same contract are byte-identical once written
//! with [`to_canonical_json`]. Normalizing a normalized document changes
//! nothing.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::openapi::pointer_tokens;
// Kept here as well, where callers of `normalize` first found them.
pub use crate::openapi::{escape_pointer, resolve};

/// Why a document could not be normalized.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NormalizeError {
    /// Part of the document that must be an object is something else.
    #[error("{location} is {found}, expected an object")]
    NotAnObject {
        /// JSON pointer to the offending value (empty for the whole document).
        location: String,
        /// The JSON type that was found instead.
        found: &'static str,
    },
    /// A `$ref` does not point at anything in the (normalized) document.
    #[error("$ref \"{reference}\" at {location} does not resolve: {problem}")]
    UnresolvedRef {
        /// The reference exactly as written.
        reference: String,
        /// JSON pointer to the object that holds the `$ref`.
        location: String,
        /// Why it does not resolve.
        problem: String,
    },
}

/// Path prefix of the internal operations that are not part of the public contract.
pub const ADMIN_PREFIX: &str = "/api/admin";

/// Keywords that carry prose only, dropped wherever they are keywords.
const PROSE: &[&str] = &[
    "description",
    "title",
    "example",
    "examples",
    "externalDocs",
    "$comment",
];

/// Sections of `components` whose entries are only kept when something refers to them.
const PRUNED_SECTIONS: &[&str] = &[
    "schemas",
    "responses",
    "parameters",
    "requestBodies",
    "headers",
    "links",
    "callbacks",
    "pathItems",
];

/// Returns the normalized form of an OpenAPI 3.x document (see the module docs).
///
/// Fails when the document or its `paths` is not an object, or when a `$ref`
/// in what is kept does not resolve within the normalized document.
pub fn normalize(doc: &Value) -> Result<Value, NormalizeError> {
    if !doc.is_object() {
        return Err(NormalizeError::NotAnObject {
            location: "the document".to_owned(),
            found: json_kind(doc),
        });
    }
    let mut stripped = strip(doc, Ctx::Root);
    let Some(root) = stripped.as_object_mut() else {
        return Err(NormalizeError::NotAnObject {
            location: "the document".to_owned(),
            found: json_kind(doc),
        });
    };
    match root.get_mut("paths") {
        Some(Value::Object(paths)) => {
            paths.retain(|path, _| !is_admin_path(path));
        }
        Some(other) => {
            return Err(NormalizeError::NotAnObject {
                location: "/paths".to_owned(),
                found: json_kind(other),
            });
        }
        None => {}
    }
    prune_components(root)?;
    Ok(stripped)
}

/// Returns a standalone JSON Schema (a schema, not a whole document) with
/// the prose dropped, keys sorted and `required` lists sorted, by the same
/// rules [`normalize`] applies to the schemas of a document.
///
/// Used for schemas read from elsewhere than an OpenAPI document, such as
/// the models of the official clients under `spec/observed/`. Its `$ref`s
/// are left as they are: they point into the schema itself (`#/$defs/...`).
///
/// ```
/// use pi_contract::normalize::normalize_schema;
/// use serde_json::json;
///
/// let schema = json!({"title": "A", "description": "prose", "required": ["b", "a"],
///     "properties": {"description": {"type": "string", "title": "Description"}}});
/// assert_eq!(normalize_schema(&schema), json!({"properties": {"description": {"type": "string"}},
///     "required": ["a", "b"]}));
/// ```
#[must_use]
pub fn normalize_schema(schema: &Value) -> Value {
    strip(schema, Ctx::Keywords)
}

/// Writes a value as pretty JSON with two-space indentation and a trailing newline.
///
/// Key order is the value's own; pass it a [`normalize`]d document for output
/// that is stable from run to run.
pub fn to_canonical_json(value: &Value) -> String {
    let mut out = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".to_owned());
    out.push('\n');
    out
}

/// Tells whether a path template belongs to the internal admin API.
pub fn is_admin_path(path: &str) -> bool {
    path == ADMIN_PREFIX
        || path
            .strip_prefix(ADMIN_PREFIX)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// What the keys of an object mean, which decides what may be dropped from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// The document root.
    Root,
    /// The `info` object: only `title` and `version` are kept.
    Info,
    /// The `components` object: its keys are section names.
    Components,
    /// An object whose keys are OpenAPI or JSON Schema keywords.
    Keywords,
    /// An object whose keys are names chosen by the author.
    Names {
        /// Whether `x-` keys are extensions here (paths, responses, callbacks)
        /// rather than names.
        extensions: bool,
        /// What the values of the map are.
        values: Entries,
    },
    /// Literal data (defaults, enums, security requirements): kept whole.
    Data,
}

/// What the values of a name map are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entries {
    /// Keyword objects: schemas, parameters, media types, responses, ...
    Keywords,
    /// Callback objects: maps of expressions to path items.
    Callbacks,
}

impl Ctx {
    /// Keyword objects in a plain name map.
    const NAMED: Ctx = Ctx::Names {
        extensions: false,
        values: Entries::Keywords,
    };
    /// Keyword objects in a map that also allows `x-` extensions.
    const EXTENSIBLE: Ctx = Ctx::Names {
        extensions: true,
        values: Entries::Keywords,
    };

    /// The context of the value under `key` in an object of this context, or
    /// `None` when that entry is prose and is dropped.
    fn child(self, key: &str, value: &Value) -> Option<Ctx> {
        let extension = key.starts_with("x-");
        match self {
            Ctx::Data => Some(Ctx::Data),
            Ctx::Info => matches!(key, "title" | "version").then_some(Ctx::Data),
            Ctx::Names { extensions, values } => {
                if extensions && extension {
                    None
                } else {
                    Some(match values {
                        Entries::Keywords => Ctx::Keywords,
                        Entries::Callbacks => Ctx::EXTENSIBLE,
                    })
                }
            }
            Ctx::Components => match key {
                _ if extension => None,
                "examples" => None,
                "callbacks" => Some(Ctx::Names {
                    extensions: false,
                    values: Entries::Callbacks,
                }),
                _ => Some(Ctx::NAMED),
            },
            Ctx::Root => match key {
                // A merged contract's list of the places the supplement amended.
                crate::supplement::AMENDED => Some(Ctx::Data),
                _ if extension => None,
                "info" => Some(Ctx::Info),
                "components" => Some(Ctx::Components),
                "paths" => Some(Ctx::EXTENSIBLE),
                "webhooks" => Some(Ctx::NAMED),
                "security" => Some(Ctx::Data),
                _ if PROSE.contains(&key) => None,
                _ => Some(Ctx::Keywords),
            },
            Ctx::Keywords => match key {
                // Where a supplement operation or amended place was observed.
                crate::supplement::SOURCE => Some(Ctx::Data),
                // Query parameters named by a prefix: a schema per prefix.
                crate::supplement::QUERY_PREFIXES => Some(Ctx::NAMED),
                _ if extension => None,
                _ if PROSE.contains(&key) => None,
                "default" | "enum" | "const" | "required" | "security" | "scopes" | "mapping"
                | "dependentRequired" => Some(Ctx::Data),
                "properties" | "patternProperties" | "$defs" | "definitions"
                | "dependentSchemas" | "content" | "headers" | "encoding" | "variables"
                | "links" => Some(Ctx::NAMED),
                // A list of parameter objects in operations, a name map in links.
                "parameters" if value.is_object() => Some(Ctx::NAMED),
                "responses" => Some(Ctx::EXTENSIBLE),
                "callbacks" => Some(Ctx::Names {
                    extensions: false,
                    values: Entries::Callbacks,
                }),
                _ => Some(Ctx::Keywords),
            },
        }
    }
}

/// Copies `value`, dropping prose for its context, sorting every object's
/// keys and sorting `required` name lists.
fn strip(value: &Value, ctx: Ctx) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(|item| strip(item, ctx)).collect()),
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let mut out = Map::new();
            for (key, child) in entries {
                let Some(child_ctx) = ctx.child(key, child) else {
                    continue;
                };
                let mut stripped = strip(child, child_ctx);
                if ctx == Ctx::Keywords && key == "required" {
                    sort_names(&mut stripped);
                }
                out.insert(key.clone(), stripped);
            }
            Value::Object(out)
        }
        scalar => scalar.clone(),
    }
}

/// Sorts and de-duplicates a list of names; leaves anything else alone.
fn sort_names(value: &mut Value) {
    if let Value::Array(items) = value
        && items.iter().all(Value::is_string)
    {
        let names: BTreeSet<String> = items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect();
        *items = names.into_iter().map(Value::String).collect();
    }
}

/// A `$ref` found in the document, with the pointer of the object holding it.
#[derive(Debug, Clone)]
struct FoundRef {
    reference: String,
    location: String,
}

/// Collects the `$ref` keywords under `value`, which sits at `location` and has context `ctx`.
fn collect_refs(value: &Value, ctx: Ctx, location: &str, out: &mut Vec<FoundRef>) {
    match value {
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                collect_refs(item, ctx, &format!("{location}/{index}"), out);
            }
        }
        Value::Object(map) => {
            for (key, child) in map {
                let Some(child_ctx) = ctx.child(key, child) else {
                    continue;
                };
                if ctx == Ctx::Keywords
                    && key == "$ref"
                    && let Value::String(reference) = child
                {
                    out.push(FoundRef {
                        reference: reference.clone(),
                        location: location.to_owned(),
                    });
                    continue;
                }
                collect_refs(
                    child,
                    child_ctx,
                    &format!("{location}/{}", escape_pointer(key)),
                    out,
                );
            }
        }
        _ => {}
    }
}

/// Keeps only the components that the rest of the document reaches through
/// `$ref`s, then checks that every kept `$ref` resolves.
fn prune_components(root: &mut Map<String, Value>) -> Result<(), NormalizeError> {
    // Everything outside the prunable sections is a root of reachability.
    // Built without the prunable sections rather than cloned and cut: those
    // sections are most of the document.
    let skeleton: Map<String, Value> = root
        .iter()
        .map(|(key, value)| match value {
            Value::Object(components) if key == "components" => (
                key.clone(),
                Value::Object(
                    components
                        .iter()
                        .filter(|(section, _)| !PRUNED_SECTIONS.contains(&section.as_str()))
                        .map(|(section, entries)| (section.clone(), entries.clone()))
                        .collect(),
                ),
            ),
            other => (key.clone(), other.clone()),
        })
        .collect();
    let mut found = Vec::new();
    collect_refs(&Value::Object(skeleton), Ctx::Root, "", &mut found);

    let empty = Map::new();
    let components = match root.get("components") {
        Some(Value::Object(components)) => components,
        Some(other) => {
            return Err(NormalizeError::NotAnObject {
                location: "/components".to_owned(),
                found: json_kind(other),
            });
        }
        None => &empty,
    };
    let mut reached: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut next = 0;
    while next < found.len() {
        let reference = found[next].reference.clone();
        next += 1;
        let Some((section, name)) = component_target(&reference) else {
            continue;
        };
        let Some(section) = PRUNED_SECTIONS.iter().copied().find(|s| *s == section) else {
            continue;
        };
        if !reached.entry(section).or_default().insert(name.clone()) {
            continue;
        }
        if let Some(entry) = components
            .get(section)
            .and_then(|entries| entries.get(name.as_str()))
        {
            let entry_ctx = Ctx::Components
                .child(section, &Value::Null)
                .and_then(|map_ctx| map_ctx.child(&name, entry))
                .unwrap_or(Ctx::Keywords);
            let location = format!("/components/{section}/{}", escape_pointer(&name));
            collect_refs(entry, entry_ctx, &location, &mut found);
        }
    }

    if let Some(Value::Object(components)) = root.get_mut("components") {
        for section in PRUNED_SECTIONS {
            let keep = reached.get(section);
            let now_empty = match components.get_mut(*section) {
                Some(Value::Object(entries)) => {
                    entries.retain(|name, _| keep.is_some_and(|k| k.contains(name)));
                    entries.is_empty()
                }
                _ => false,
            };
            if now_empty {
                components.remove(*section);
            }
        }
    }

    // Lent to `resolve` as a document and given back, not cloned.
    let doc = Value::Object(std::mem::take(root));
    let checked = check_refs(&doc, found);
    if let Value::Object(map) = doc {
        *root = map;
    }
    checked
}

/// Checks that every kept `$ref` resolves in `doc`.
fn check_refs(doc: &Value, found: Vec<FoundRef>) -> Result<(), NormalizeError> {
    for FoundRef {
        reference,
        location,
    } in found
    {
        if let Err(problem) = resolve(doc, &reference) {
            let location = if location.is_empty() {
                "the document root".to_owned()
            } else {
                location
            };
            return Err(NormalizeError::UnresolvedRef {
                reference,
                location,
                problem,
            });
        }
    }
    Ok(())
}

/// Splits `#/components/<section>/<name>[/...]` into its section and (unescaped) name.
fn component_target(reference: &str) -> Option<(String, String)> {
    let tokens = pointer_tokens(reference).ok()?;
    match tokens.as_slice() {
        [first, section, name, ..] if first == "components" => {
            Some((section.clone(), name.clone()))
        }
        _ => None,
    }
}

/// Names the JSON type of a value, for error messages.
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A small document in the upstream's style, with prose, an admin
    /// operation, a chain of schemas and a schema nothing uses.
    fn sample() -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "PI API", "version": "0.1.0", "description": "prose", "x-logo": "l.png"},
            "servers": [{"url": "https://api.example", "description": "prod"}],
            "x-top": true,
            "paths": {
                "/api/v1/secrets/": {
                    "post": {
                        "tags": ["Secrets"],
                        "summary": "Create Secret",
                        "description": "Creates a secret.",
                        "operationId": "create_secret",
                        "x-mint": {"href": "/x"},
                        "externalDocs": {"url": "https://docs"},
                        "parameters": [{
                            "name": "description",
                            "in": "query",
                            "description": "a query parameter literally called description",
                            "schema": {"type": "string", "title": "Description", "maxLength": 10},
                            "example": "hi"
                        }],
                        "requestBody": {
                            "required": true,
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/SecretCreateRequest"},
                                "examples": {"one": {"value": {"name": "a"}}}
                            }}
                        },
                        "responses": {
                            "200": {
                                "description": "Successful Response",
                                "headers": {"description": {"schema": {"type": "string"}, "description": "a header"}},
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Envelope"}}}
                            },
                            "x-internal": {"description": "gone"}
                        },
                        "security": [{"HTTPBearer": []}]
                    }
                },
                "/api/admin/users/whoami": {
                    "get": {
                        "operationId": "admin_whoami",
                        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminOnly"}}}}}
                    }
                },
                "/api/administrators": {
                    "get": {"operationId": "not_admin", "responses": {"204": {"description": "ok"}}}
                }
            },
            "components": {
                "schemas": {
                    "SecretCreateRequest": {
                        "type": "object",
                        "title": "SecretCreateRequest",
                        "description": "prose about the request",
                        "required": ["value", "name"],
                        "properties": {
                            "name": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[A-Z_]+$", "examples": ["A"]},
                            "description": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Description", "description": "text"},
                            "title": {"type": "string", "default": "t"},
                            "x-flag": {"type": "boolean"},
                            "value": {"type": "string", "x-secret": true}
                        }
                    },
                    "Envelope": {
                        "type": "object",
                        "properties": {"data": {"$ref": "#/components/schemas/Secret"}, "status": {"type": "string"}}
                    },
                    "Secret": {
                        "type": "object",
                        "properties": {
                            "kind": {"$ref": "#/components/schemas/Kind"},
                            "meta": {"type": "object", "default": {"description": "data, not prose", "x-keep": 1}}
                        }
                    },
                    "Kind": {"type": "string", "enum": ["b", "a"], "description": "enum prose"},
                    "AdminOnly": {"type": "object", "properties": {"admin": {"$ref": "#/components/schemas/AdminChild"}}},
                    "AdminChild": {"type": "string"},
                    "Unused": {"type": "integer"}
                },
                "securitySchemes": {
                    "HTTPBearer": {"type": "http", "scheme": "bearer", "description": "prose"}
                }
            }
        })
    }

    #[test]
    fn prose_keywords_are_dropped_everywhere() {
        let out = to_canonical_json(&normalize(&sample()).unwrap());
        for prose in [
            "\"prose\"",
            "prose about",
            "enum prose",
            "Creates a secret",
            "Successful Response",
            "a header",
            "https://docs",
            "l.png",
            "\"x-mint\"",
            "\"x-secret\"",
            "\"x-top\"",
            "\"x-internal\"",
            "\"examples\"",
            "\"example\"",
            "\"externalDocs\"",
            "\"prod\"",
        ] {
            assert!(!out.contains(prose), "{prose} survived:\n{out}");
        }
    }

    #[test]
    fn names_that_look_like_keywords_are_kept() {
        let out = normalize(&sample()).unwrap();
        let props = &out["components"]["schemas"]["SecretCreateRequest"]["properties"];
        let names: Vec<&str> = props
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(names, ["description", "name", "title", "value", "x-flag"]);
        // The property called description keeps its schema, minus its own prose.
        assert_eq!(
            props["description"],
            json!({"anyOf": [{"type": "string"}, {"type": "null"}]})
        );
        assert_eq!(props["title"], json!({"default": "t", "type": "string"}));
        let op = &out["paths"]["/api/v1/secrets/"]["post"];
        assert_eq!(op["parameters"][0]["name"], "description");
        assert_eq!(
            op["parameters"][0]["schema"],
            json!({"maxLength": 10, "type": "string"})
        );
        assert!(op["responses"]["200"]["headers"]["description"]["schema"].is_object());
        // Data stays data: a default object keeps its keys.
        assert_eq!(
            out["components"]["schemas"]["Secret"]["properties"]["meta"]["default"],
            json!({"description": "data, not prose", "x-keep": 1})
        );
    }

    #[test]
    fn contract_facts_are_kept() {
        let out = normalize(&sample()).unwrap();
        assert_eq!(out["info"], json!({"title": "PI API", "version": "0.1.0"}));
        assert_eq!(out["servers"], json!([{"url": "https://api.example"}]));
        let op = &out["paths"]["/api/v1/secrets/"]["post"];
        assert_eq!(op["summary"], "Create Secret");
        assert_eq!(op["operationId"], "create_secret");
        assert_eq!(op["tags"], json!(["Secrets"]));
        assert_eq!(op["security"], json!([{"HTTPBearer": []}]));
        assert_eq!(op["requestBody"]["required"], true);
        let name = &out["components"]["schemas"]["SecretCreateRequest"]["properties"]["name"];
        assert_eq!(
            *name,
            json!({"maxLength": 255, "minLength": 1, "pattern": "^[A-Z_]+$", "type": "string"})
        );
        // Enum order is a fact of the document and is not sorted.
        assert_eq!(
            out["components"]["schemas"]["Kind"]["enum"],
            json!(["b", "a"])
        );
        assert_eq!(
            out["components"]["securitySchemes"]["HTTPBearer"],
            json!({"scheme": "bearer", "type": "http"})
        );
    }

    #[test]
    fn admin_operations_are_dropped_but_lookalikes_stay() {
        let out = normalize(&sample()).unwrap();
        let paths: Vec<&str> = out["paths"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(paths, ["/api/administrators", "/api/v1/secrets/"]);
        assert!(is_admin_path("/api/admin"));
        assert!(is_admin_path("/api/admin/clusters/{id}"));
        assert!(!is_admin_path("/api/administrators"));
    }

    #[test]
    fn unreachable_schemas_are_dropped_and_chains_kept() {
        let out = normalize(&sample()).unwrap();
        let schemas: Vec<&str> = out["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        // Kind is only reachable through Envelope -> Secret -> Kind; the
        // admin-only schemas and Unused go.
        assert_eq!(
            schemas,
            ["Envelope", "Kind", "Secret", "SecretCreateRequest"]
        );
    }

    #[test]
    fn required_lists_are_sorted_and_keys_ordered() {
        let out = normalize(&sample()).unwrap();
        assert_eq!(
            out["components"]["schemas"]["SecretCreateRequest"]["required"],
            json!(["name", "value"])
        );
        let root_keys: Vec<&str> = out
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            root_keys,
            ["components", "info", "openapi", "paths", "servers"]
        );
        // Key order of the input does not matter.
        let mut reordered = Map::new();
        for (k, v) in sample().as_object().unwrap().iter().rev() {
            reordered.insert(k.clone(), v.clone());
        }
        let a = to_canonical_json(&normalize(&sample()).unwrap());
        let b = to_canonical_json(&normalize(&Value::Object(reordered)).unwrap());
        assert_eq!(a, b);
    }

    #[test]
    fn normalizing_twice_changes_nothing() {
        let once = normalize(&sample()).unwrap();
        let twice = normalize(&once).unwrap();
        assert_eq!(to_canonical_json(&once), to_canonical_json(&twice));
    }

    #[test]
    fn an_unresolvable_ref_names_the_ref_and_its_place() {
        let mut doc = sample();
        doc["components"]["schemas"]["Secret"]["properties"]["kind"] =
            json!({"$ref": "#/components/schemas/Missing"});
        let err = normalize(&doc).unwrap_err();
        assert_eq!(
            err,
            NormalizeError::UnresolvedRef {
                reference: "#/components/schemas/Missing".to_owned(),
                location: "/components/schemas/Secret/properties/kind".to_owned(),
                problem: "no entry \"Missing\"".to_owned(),
            }
        );
        assert!(err.to_string().contains("#/components/schemas/Missing"));

        let mut doc = sample();
        doc["paths"]["/api/v1/secrets/"]["post"]["requestBody"]["content"]["application/json"]["schema"] =
            json!({"$ref": "other.json#/Foo"});
        let err = normalize(&doc).unwrap_err().to_string();
        assert!(err.contains("other.json#/Foo"), "{err}");
        assert!(
            err.contains("/paths/~1api~1v1~1secrets~1/post/requestBody"),
            "{err}"
        );
    }

    #[test]
    fn a_ref_into_a_dropped_admin_path_is_an_error() {
        let mut doc = sample();
        doc["components"]["schemas"]["Secret"]["properties"]["kind"] = json!({
            "$ref": "#/paths/~1api~1admin~1users~1whoami/get/responses/200/content/application~1json/schema"
        });
        assert!(matches!(
            normalize(&doc),
            Err(NormalizeError::UnresolvedRef { .. })
        ));
    }

    #[test]
    fn a_broken_ref_in_a_dropped_part_is_ignored() {
        let mut doc = sample();
        doc["components"]["schemas"]["Unused"] = json!({"$ref": "#/components/schemas/Nowhere"});
        assert!(normalize(&doc).is_ok());
    }

    #[test]
    fn a_property_named_ref_is_not_a_reference() {
        let mut doc = sample();
        doc["components"]["schemas"]["Secret"]["properties"]["$ref"] = json!({"type": "string"});
        let out = normalize(&doc).unwrap();
        assert!(out["components"]["schemas"]["Secret"]["properties"]["$ref"].is_object());
    }

    #[test]
    fn non_object_inputs_are_errors() {
        assert!(matches!(
            normalize(&json!([])),
            Err(NormalizeError::NotAnObject { .. })
        ));
        let err = normalize(&json!({"openapi": "3.1.0", "paths": []})).unwrap_err();
        assert_eq!(err.to_string(), "/paths is an array, expected an object");
    }

    #[test]
    fn canonical_json_is_two_space_with_a_trailing_newline() {
        let text = to_canonical_json(&json!({"a": {"b": 1}}));
        assert_eq!(text, "{\n  \"a\": {\n    \"b\": 1\n  }\n}\n");
    }

    #[test]
    fn the_supplements_provenance_is_kept_and_other_extensions_are_not() {
        let doc = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"operationId": "a", "x-pi-source": "prime 0.18.0",
                "x-pi-assumed": "why", "x-other": 1,
                "x-pi-query-prefixes": {"context.": {"type": "string", "description": "prose"}},
                "responses": {"200": {"description": "d", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {"n": {
                        "type": "integer", "x-pi-source": "prime 0.18.0", "x-flag": true}}}}}}}}}}});
        let normal = normalize(&doc).unwrap();
        let operation = &normal["paths"]["/a"]["get"];
        assert_eq!(operation["x-pi-source"], "prime 0.18.0");
        assert_eq!(
            operation["x-pi-query-prefixes"],
            json!({"context.": {"type": "string"}})
        );
        assert!(operation.get("x-pi-assumed").is_none());
        assert!(operation.get("x-other").is_none());
        let n = &operation["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
            ["n"];
        assert_eq!(n["x-pi-source"], "prime 0.18.0");
        assert!(n.get("x-flag").is_none());
    }
}
