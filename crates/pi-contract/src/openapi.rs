//! The OpenAPI 3.1 rules every part of the engine reads the same way.
//!
//! Loading ([`crate::spec`]), synthesis ([`crate::synth`]), normalization
//! ([`crate::normalize`]), the diff ([`crate::diff`]) and the xtask commands
//! all walk the same documents. Where they must agree on what the document
//! says (which keys of a path item are operations, where a `$ref` points,
//! whether a schema allows `null`, how a parameter is serialized, which URL
//! the operations live under), they ask this module, so that one reading of
//! the specification is written once:
//!
//! - [`METHODS`]: the operation keys of a path item;
//! - [`resolve`], [`lookup_ref`], [`deref()`]: local `$ref` resolution;
//!   [`escape_pointer`] and [`unescape_pointer`] for JSON pointer tokens;
//! - [`is_null_schema`], [`is_nullable`]: the spellings of nullability;
//! - [`parameter_style`]: a parameter's `style` and `explode`, defaults filled in;
//! - [`server_url`], [`base_url`]: the URL a server entry stands for;
//! - [`is_supported_version`]: which `openapi` versions this crate reads.

use serde_json::Value;

/// The HTTP methods that make an operation in an OpenAPI path item, in the
/// order the specification lists the fields (the order reports use).
///
/// Every other key of a path item (`parameters`, `servers`, `summary`, ...)
/// is not an operation.
///
/// ```
/// use pi_contract::openapi::METHODS;
///
/// assert_eq!(METHODS[0], "get");
/// assert!(METHODS.contains(&"patch"));
/// assert!(!METHODS.contains(&"parameters"));
/// ```
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// How many `$ref` hops [`deref`] follows before giving up on a chain (a
/// cycle of references that never reaches a schema).
const MAX_REF_HOPS: usize = 64;

/// Whether this crate reads documents that declare `openapi: version`: any 3.x.
///
/// ```
/// use pi_contract::openapi::is_supported_version;
///
/// assert!(is_supported_version("3.1.0"));
/// assert!(is_supported_version("3.0.3"));
/// assert!(!is_supported_version("2.0"));
/// ```
#[must_use]
pub fn is_supported_version(version: &str) -> bool {
    version.starts_with("3.")
}

/// Resolves a local `$ref` (`#/components/schemas/Thing`) against `doc`.
///
/// The fragment is percent-decoded, then read as a JSON pointer (`~1` is `/`,
/// `~0` is `~`; array elements by index). Returns the target, or a short
/// explanation of why there is none: references into other files are not
/// supported, since the contract never fetches anything.
///
/// ```
/// use pi_contract::openapi::resolve;
/// use serde_json::json;
///
/// let doc = json!({"components": {"schemas": {"a/b": {"type": "string"}}}});
/// assert_eq!(resolve(&doc, "#/components/schemas/a~1b"), Ok(&json!({"type": "string"})));
/// assert_eq!(resolve(&doc, "#/components/schemas/a%7E1b"), Ok(&json!({"type": "string"})));
/// assert!(resolve(&doc, "#/components/schemas/missing").is_err());
/// assert!(resolve(&doc, "other.json#/x").is_err());
/// ```
///
/// # Errors
/// A message naming the token that does not resolve, or why the reference
/// is not a local JSON pointer.
pub fn resolve<'a>(doc: &'a Value, reference: &str) -> Result<&'a Value, String> {
    let tokens = pointer_tokens(reference)?;
    let mut current = doc;
    for token in &tokens {
        current = match current {
            Value::Object(map) => map
                .get(token)
                .ok_or_else(|| format!("no entry \"{token}\""))?,
            Value::Array(items) => token
                .parse::<usize>()
                .ok()
                .and_then(|index| items.get(index))
                .ok_or_else(|| format!("no array element \"{token}\""))?,
            _ => return Err(format!("\"{token}\" is inside a scalar")),
        };
    }
    Ok(current)
}

/// The value a local `$ref` points at, when it points at something; see [`resolve`].
///
/// ```
/// use pi_contract::openapi::lookup_ref;
/// use serde_json::json;
///
/// let doc = json!({"components": {"schemas": {"Id": {"type": "string"}}}});
/// assert_eq!(lookup_ref(&doc, "#/components/schemas/Id"), Some(&json!({"type": "string"})));
/// assert_eq!(lookup_ref(&doc, "#/components/schemas/Nope"), None);
/// ```
#[must_use]
pub fn lookup_ref<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    resolve(doc, reference).ok()
}

/// Follows `value`'s `$ref` chain inside `doc` to the first value that is not
/// a reference.
///
/// A reference that resolves nowhere, or a chain longer than 64 hops (a
/// cycle), stops the walk at the value that holds it, so callers see the
/// `$ref` object rather than an error; keywords written beside a `$ref` are
/// not merged (read them from `value` itself when they matter).
///
/// ```
/// use pi_contract::openapi::deref;
/// use serde_json::json;
///
/// let doc = json!({"components": {"schemas": {
///     "A": {"$ref": "#/components/schemas/B"},
///     "B": {"type": "integer"}
/// }}});
/// let schema = json!({"$ref": "#/components/schemas/A"});
/// assert_eq!(deref(&doc, &schema), &json!({"type": "integer"}));
/// let broken = json!({"$ref": "#/nowhere"});
/// assert_eq!(deref(&doc, &broken), &broken);
/// ```
#[must_use]
pub fn deref<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let mut current = value;
    for _ in 0..MAX_REF_HOPS {
        let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
            return current;
        };
        match lookup_ref(doc, reference) {
            Some(target) => current = target,
            None => return current,
        }
    }
    current
}

/// Escapes one JSON pointer token (`~` as `~0`, `/` as `~1`).
///
/// ```
/// use pi_contract::openapi::escape_pointer;
///
/// assert_eq!(escape_pointer("/api/v1/pods/"), "~1api~1v1~1pods~1");
/// assert_eq!(escape_pointer("a~b"), "a~0b");
/// ```
#[must_use]
pub fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Unescapes one JSON pointer token, the inverse of [`escape_pointer`].
///
/// ```
/// use pi_contract::openapi::{escape_pointer, unescape_pointer};
///
/// assert_eq!(unescape_pointer("~1api~1v1"), "/api/v1");
/// assert_eq!(unescape_pointer(&escape_pointer("~1")), "~1");
/// ```
#[must_use]
pub fn unescape_pointer(token: &str) -> String {
    // `~1` first: `~01` is the escape of `~1`, not of `/`.
    token.replace("~1", "/").replace("~0", "~")
}

/// The unescaped tokens of a local reference `#/a/b~1c`.
pub(crate) fn pointer_tokens(reference: &str) -> Result<Vec<String>, String> {
    let Some(fragment) = reference.strip_prefix('#') else {
        return Err("only references within the document (starting with #) are supported".into());
    };
    let fragment = percent_encoding::percent_decode_str(fragment)
        .decode_utf8()
        .map_err(|_| "the reference is not valid UTF-8 once percent-decoded".to_owned())?;
    if fragment.is_empty() {
        return Ok(Vec::new());
    }
    let Some(pointer) = fragment.strip_prefix('/') else {
        return Err("the fragment is not a JSON pointer".to_owned());
    };
    Ok(pointer.split('/').map(unescape_pointer).collect())
}

/// Whether `schema` (after its `$ref` chain) admits only `null`:
/// `{type: null}`, `{type: [null]}`, `{const: null}` or `{enum: [null]}`.
///
/// This is the branch FastAPI adds to an `anyOf` to make a value nullable.
///
/// ```
/// use pi_contract::openapi::is_null_schema;
/// use serde_json::json;
///
/// let doc = json!({});
/// assert!(is_null_schema(&doc, &json!({"type": "null"})));
/// assert!(is_null_schema(&doc, &json!({"type": ["null"]})));
/// assert!(!is_null_schema(&doc, &json!({"type": ["string", "null"]})));
/// assert!(!is_null_schema(&doc, &json!({})));
/// ```
#[must_use]
pub fn is_null_schema(doc: &Value, schema: &Value) -> bool {
    let schema = deref(doc, schema);
    match schema.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => !ts.is_empty() && ts.iter().all(|t| t == "null"),
        _ => {
            schema.get("const") == Some(&Value::Null)
                || schema
                    .get("enum")
                    .and_then(Value::as_array)
                    .is_some_and(|values| !values.is_empty() && values.iter().all(Value::is_null))
        }
    }
}

/// Whether `schema` declares that `null` is allowed, in any of the spellings
/// documents use:
///
/// - `anyOf`/`oneOf` with a null-only branch (`[X, {type: null}]`, FastAPI's);
/// - a `type` list holding `"null"` (`type: [X, "null"]`, OpenAPI 3.1);
/// - `nullable: true` (OpenAPI 3.0);
/// - a schema that only allows `null` (see [`is_null_schema`]).
///
/// A `$ref` is followed, and keywords written beside it count too. `allOf`
/// parts are not read: nullability there is an intersection, which callers
/// that merge `allOf` decide for themselves. An unconstrained schema (`{}`)
/// accepts `null` but does not declare it, so it is not nullable here.
///
/// ```
/// use pi_contract::openapi::is_nullable;
/// use serde_json::json;
///
/// let doc = json!({"components": {"schemas": {"Null": {"type": "null"}}}});
/// assert!(is_nullable(&doc, &json!({"anyOf": [{"type": "string"}, {"type": "null"}]})));
/// assert!(is_nullable(&doc, &json!({"anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/Null"}]})));
/// assert!(is_nullable(&doc, &json!({"type": ["integer", "null"]})));
/// assert!(is_nullable(&doc, &json!({"type": "string", "nullable": true})));
/// assert!(!is_nullable(&doc, &json!({"type": "string"})));
/// assert!(!is_nullable(&doc, &json!({})));
/// ```
#[must_use]
pub fn is_nullable(doc: &Value, schema: &Value) -> bool {
    let mut current = schema;
    for _ in 0..MAX_REF_HOPS {
        if declares_null(doc, current) {
            return true;
        }
        match current
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| lookup_ref(doc, r))
        {
            Some(target) => current = target,
            None => return false,
        }
    }
    false
}

/// Whether the keywords of `schema` itself (not its `$ref` target) allow `null`.
fn declares_null(doc: &Value, schema: &Value) -> bool {
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        return true;
    }
    let typed_null = match schema.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "null"),
        _ => false,
    };
    typed_null
        || ["anyOf", "oneOf"].iter().any(|key| {
            schema
                .get(*key)
                .and_then(Value::as_array)
                .is_some_and(|branches| branches.iter().any(|b| is_null_schema(doc, b)))
        })
}

/// A parameter's serialization, with the defaults OpenAPI 3.1 gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParameterStyle<'a> {
    /// `form`, `simple`, `spaceDelimited`, `pipeDelimited`, `deepObject`,
    /// `label` or `matrix`; when the document is silent, `form` for query and
    /// cookie parameters and `simple` for path and header ones.
    pub style: &'a str,
    /// Whether arrays and objects become one parameter per value
    /// (`ids=a&ids=b`) rather than one comma-separated value; when the
    /// document is silent, `true` exactly when the style is `form`.
    pub explode: bool,
}

/// The default `style` of a parameter at `location` (its `in`): `form` for
/// `query` and `cookie`, `simple` for `path` and `header` (and anything else).
///
/// ```
/// use pi_contract::openapi::default_style;
///
/// assert_eq!(default_style("query"), "form");
/// assert_eq!(default_style("cookie"), "form");
/// assert_eq!(default_style("path"), "simple");
/// assert_eq!(default_style("header"), "simple");
/// ```
#[must_use]
pub fn default_style(location: &str) -> &'static str {
    match location {
        "query" | "cookie" => "form",
        _ => "simple",
    }
}

/// The default `explode` of a parameter with `style`: `true` for `form`,
/// `false` for every other style.
///
/// ```
/// use pi_contract::openapi::default_explode;
///
/// assert!(default_explode("form"));
/// assert!(!default_explode("simple"));
/// assert!(!default_explode("spaceDelimited"));
/// ```
#[must_use]
pub fn default_explode(style: &str) -> bool {
    style == "form"
}

/// The effective `style` and `explode` of a parameter object, defaults filled
/// in from its `in` (see [`default_style`] and [`default_explode`]).
///
/// ```
/// use pi_contract::openapi::{ParameterStyle, parameter_style};
/// use serde_json::json;
///
/// let query = json!({"name": "ids", "in": "query"});
/// assert_eq!(parameter_style(&query), ParameterStyle { style: "form", explode: true });
/// let header = json!({"name": "X-Ids", "in": "header"});
/// assert_eq!(parameter_style(&header), ParameterStyle { style: "simple", explode: false });
/// let piped = json!({"name": "ids", "in": "query", "style": "pipeDelimited"});
/// assert_eq!(parameter_style(&piped), ParameterStyle { style: "pipeDelimited", explode: false });
/// ```
#[must_use]
pub fn parameter_style(parameter: &Value) -> ParameterStyle<'_> {
    let location = parameter.get("in").and_then(Value::as_str).unwrap_or("");
    let style = parameter
        .get("style")
        .and_then(Value::as_str)
        .unwrap_or_else(|| default_style(location));
    let explode = parameter
        .get("explode")
        .and_then(Value::as_bool)
        .unwrap_or_else(|| default_explode(style));
    ParameterStyle { style, explode }
}

/// The URL a Server Object stands for: its `url` with every `{variable}`
/// replaced by that variable's `default`; `None` when it has no `url`.
///
/// A variable without a default (which the specification forbids) stays
/// written as `{name}`, so the change still shows.
///
/// ```
/// use pi_contract::openapi::server_url;
/// use serde_json::json;
///
/// let server = json!({
///     "url": "https://{region}.example.com/{base}",
///     "variables": {"region": {"default": "eu"}, "base": {"default": "v2"}}
/// });
/// assert_eq!(server_url(&server).as_deref(), Some("https://eu.example.com/v2"));
/// ```
#[must_use]
pub fn server_url(server: &Value) -> Option<String> {
    let template = server.get("url").and_then(Value::as_str)?;
    let variables = server.get("variables");
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        out.push_str(&rest[..open]);
        let name = &rest[open + 1..close];
        match variables
            .and_then(|v| v.get(name))
            .and_then(|v| v.get("default"))
            .and_then(Value::as_str)
        {
            Some(default) => out.push_str(default),
            None => out.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The URL operations live under, given a `servers` list (the document's, a
/// path item's or an operation's): the first entry's [`server_url`], or `/`
/// when the list is missing or empty (the specification's default).
///
/// ```
/// use pi_contract::openapi::base_url;
/// use serde_json::json;
///
/// let doc = json!({"servers": [{"url": "https://api.example"}, {"url": "https://eu.api.example"}]});
/// assert_eq!(base_url(doc.get("servers")), "https://api.example");
/// assert_eq!(base_url(None), "/");
/// ```
#[must_use]
pub fn base_url(servers: Option<&Value>) -> String {
    servers
        .and_then(Value::as_array)
        .and_then(|list| list.first())
        .and_then(server_url)
        .unwrap_or_else(|| "/".to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_method_list_is_the_path_item_fields_in_spec_order() {
        assert_eq!(
            METHODS,
            [
                "get", "put", "post", "delete", "options", "head", "patch", "trace"
            ]
        );
    }

    #[test]
    fn references_resolve_through_escapes_arrays_and_chains() {
        let doc = json!({
            "paths": {"/a/{id}": {"get": {"parameters": [{"name": "id"}]}}},
            "components": {"schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"$ref": "#/components/schemas/C"},
                "C": {"type": "string"},
                "Loop": {"$ref": "#/components/schemas/Loop"}
            }}
        });
        assert_eq!(
            resolve(&doc, "#/paths/~1a~1{id}/get/parameters/0/name"),
            Ok(&json!("id"))
        );
        assert_eq!(resolve(&doc, "#"), Ok(&doc));
        assert_eq!(resolve(&doc, "#/paths/x"), Err("no entry \"x\"".to_owned()));
        assert_eq!(
            resolve(&doc, "#/paths/~1a~1{id}/get/parameters/1"),
            Err("no array element \"1\"".to_owned())
        );
        assert!(resolve(&doc, "#paths").is_err());
        let a = json!({"$ref": "#/components/schemas/A"});
        assert_eq!(deref(&doc, &a), &json!({"type": "string"}));
        // A cycle ends the walk instead of looping.
        let looped = json!({"$ref": "#/components/schemas/Loop"});
        assert_eq!(
            deref(&doc, &looped),
            &json!({"$ref": "#/components/schemas/Loop"})
        );
    }

    #[test]
    fn every_spelling_of_nullability_reads_as_nullable() {
        let doc = json!({"components": {"schemas": {
            "MaybeName": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "Name": {"type": "string"}
        }}});
        for nullable in [
            json!({"anyOf": [{"type": "string"}, {"type": "null"}]}),
            json!({"oneOf": [{"type": "string"}, {"type": ["null"]}]}),
            json!({"type": ["string", "null"]}),
            json!({"type": "string", "nullable": true}),
            json!({"type": "null"}),
            json!({"$ref": "#/components/schemas/MaybeName"}),
            json!({"$ref": "#/components/schemas/Name", "nullable": true}),
        ] {
            assert!(is_nullable(&doc, &nullable), "{nullable}");
        }
        for not_nullable in [
            json!({"type": "string"}),
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}]}),
            json!({"type": "string", "nullable": false}),
            json!({"$ref": "#/components/schemas/Name"}),
            json!({}),
        ] {
            assert!(!is_nullable(&doc, &not_nullable), "{not_nullable}");
        }
        assert!(is_null_schema(&doc, &json!({"const": null})));
        assert!(is_null_schema(&doc, &json!({"enum": [null]})));
        assert!(!is_null_schema(&doc, &json!({"type": []})));
        assert!(!is_null_schema(&doc, &json!({"enum": []})));
    }

    #[test]
    fn explode_defaults_to_true_only_for_the_form_style() {
        let style = |param: Value| {
            let s = parameter_style(&param);
            (s.style.to_owned(), s.explode)
        };
        assert_eq!(style(json!({"in": "query"})), ("form".into(), true));
        assert_eq!(style(json!({"in": "cookie"})), ("form".into(), true));
        assert_eq!(style(json!({"in": "path"})), ("simple".into(), false));
        assert_eq!(style(json!({"in": "header"})), ("simple".into(), false));
        assert_eq!(
            style(json!({"in": "path", "style": "form"})),
            ("form".into(), true)
        );
        assert_eq!(
            style(json!({"in": "query", "style": "deepObject"})),
            ("deepObject".into(), false)
        );
        assert_eq!(
            style(json!({"in": "header", "explode": true})),
            ("simple".into(), true)
        );
        assert_eq!(
            style(json!({"in": "query", "explode": false})),
            ("form".into(), false)
        );
    }

    /// The loaded `Spec` reads explode by the same rule: a header or path
    /// array without `style` is one comma-separated value, not repeated.
    #[test]
    fn the_spec_model_reads_explode_by_the_rule() {
        let spec = crate::Spec::from_value(json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/things/{ids}": {"get": {
                "operationId": "get_things",
                "parameters": [
                    {"name": "ids", "in": "path", "required": true,
                     "schema": {"type": "array", "items": {"type": "string"}}},
                    {"name": "X-Tags", "in": "header",
                     "schema": {"type": "array", "items": {"type": "string"}}},
                    {"name": "tag", "in": "query",
                     "schema": {"type": "array", "items": {"type": "string"}}},
                    {"name": "label", "in": "query", "style": "spaceDelimited",
                     "schema": {"type": "array", "items": {"type": "string"}}},
                    {"name": "X-Flat", "in": "header", "explode": true,
                     "schema": {"type": "array", "items": {"type": "string"}}}
                ],
                "responses": {"204": {"description": "ok"}}
            }}}
        }))
        .unwrap();
        let operation = spec.operation("get_things").unwrap();
        let explode: Vec<(&str, bool)> = operation
            .parameters()
            .iter()
            .map(|p| (p.name(), p.explode()))
            .collect();
        assert_eq!(
            explode,
            [
                ("ids", false),
                ("X-Tags", false),
                ("tag", true),
                ("label", false),
                ("X-Flat", true)
            ]
        );
    }

    #[test]
    fn server_urls_fill_in_variables_and_default_to_slash() {
        assert_eq!(
            server_url(
                &json!({"url": "https://{host}/v1/{missing}", "variables": {"host": {"default": "a.example"}}})
            ),
            Some("https://a.example/v1/{missing}".to_owned())
        );
        assert_eq!(
            server_url(&json!({"url": "/api/{"})),
            Some("/api/{".to_owned())
        );
        assert_eq!(server_url(&json!({"description": "no url"})), None);
        assert_eq!(base_url(Some(&json!([]))), "/");
        assert_eq!(base_url(Some(&json!([{"url": "/api"}]))), "/api");
    }
}
