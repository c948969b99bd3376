//! How a stored resource is shown in an operation's answer: each documented
//! property takes what was sent or seeded for it, found by its wire name, by
//! the same name in the other spelling (`docker_image` for `dockerImage`), or
//! through [`RENAMED`]; only what the server owns is made up.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::openapi::{is_null_schema, is_nullable};
use crate::spec::Spec;

/// Request fields whose answer field has another name, not only another
/// spelling (reviewed by hand against the document): `(request field,
/// answer field)`, the request field dotted when it sits in a nested object.
pub(crate) const RENAMED: [(&str, &str); 4] = [
    ("provider.type", "providerType"),
    ("pod.gpuType", "gpuName"),
    ("pod.image", "environmentType"),
    ("team.teamId", "teamId"),
];

/// How deep nested objects are filled before they are left at their minimum.
const MAX_DEPTH: usize = 8;

/// A name without case, `_` and `-`: `docker_image`, `dockerImage` and
/// `diskSizeGB`/`disk_size_gb` meet here.
pub(crate) fn folded(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The value `sources` hold for the answer field `field`, the first source
/// first: the exact name, a [`RENAMED`] request field, then any field of the
/// same folded name (a dotted one by its last part, unless it is renamed).
pub(crate) fn lookup<'v>(sources: &[&'v Map<String, Value>], field: &str) -> Option<&'v Value> {
    let wanted = folded(field);
    for source in sources {
        if let Some(value) = source.get(field) {
            return Some(value);
        }
        for (sent, answered) in RENAMED {
            if answered == field {
                if let Some(value) = source.get(sent) {
                    return Some(value);
                }
            }
        }
        let found = source.iter().find(|(name, _)| {
            let renamed = RENAMED.iter().any(|(sent, _)| sent == name);
            let last = name.rsplit('.').next().unwrap_or(name);
            !renamed && folded(last) == wanted
        });
        if let Some((_, value)) = found {
            return Some(value);
        }
    }
    None
}

/// The fields a request body sets: its own, and those of the objects in it
/// under a dotted name (`{"pod": {"name": …}}` sets `pod` and `pod.name`).
pub(crate) fn sent_fields(body: &Value) -> Map<String, Value> {
    let mut fields = Map::new();
    if let Some(object) = body.as_object() {
        for (name, value) in object {
            if let Some(inner) = value.as_object() {
                for (inner_name, inner_value) in inner {
                    fields.insert(format!("{name}.{inner_name}"), inner_value.clone());
                }
            }
            fields.insert(name.clone(), value.clone());
        }
    }
    fields
}

/// `body` with the documented default of every property it leaves out, in
/// it and in the objects it holds: what the API acts on (a sandbox created
/// without `cpu_cores` has the default's cores, not none).
pub(crate) fn with_defaults(spec: &Spec, schema: &Value, body: &Value) -> Value {
    let mut body = body.clone();
    fill_defaults(spec, schema, &mut body, 0);
    body
}

fn fill_defaults(spec: &Spec, schema: &Value, body: &mut Value, depth: usize) {
    let (Some(props), Some(object)) = (properties(spec, schema), body.as_object_mut()) else {
        return;
    };
    if depth > MAX_DEPTH {
        return;
    }
    for (name, property) in props {
        match object.get_mut(name) {
            Some(inner) => fill_defaults(spec, property, inner, depth + 1),
            None => {
                if let Some(default) = spec.resolve(property).get("default") {
                    object.insert(name.clone(), default.clone());
                }
            }
        }
    }
}

/// `schema` without `$ref`s and without the null branch of a nullable
/// `anyOf`/`oneOf` (its first other branch).
pub(crate) fn non_null<'s>(spec: &'s Spec, schema: &'s Value) -> &'s Value {
    let schema = spec.resolve(schema);
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = schema.get(key).and_then(Value::as_array) {
            if let Some(branch) = branches
                .iter()
                .find(|branch| !is_null_schema(spec.document(), branch))
            {
                return spec.resolve(branch);
            }
        }
    }
    schema
}

/// The properties of an object schema (through `$ref` and nullability).
pub(crate) fn properties<'s>(spec: &'s Spec, schema: &'s Value) -> Option<&'s Map<String, Value>> {
    non_null(spec, schema)
        .get("properties")
        .and_then(Value::as_object)
}

/// What a made-up value may depend on: the resource's id, its id field and
/// the moment it was made.
pub(crate) struct Owned<'a> {
    pub(crate) id_key: &'a str,
    pub(crate) id: &'a str,
    pub(crate) made_at: &'a str,
}

/// An object of `schema` with each property taken from `sources` or, when
/// none holds it, its default, `null` where it may be null, a made-up value
/// where the server owns it or the document requires one, and left out
/// otherwise.
pub(crate) fn render(
    spec: &Spec,
    schema: &Value,
    sources: &[&Map<String, Value>],
    owned: &Owned<'_>,
    depth: usize,
) -> Value {
    let schema = non_null(spec, schema);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut object = Map::new();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return Value::Object(object);
    };
    for (name, property) in props {
        let value = if name == owned.id_key {
            Some(Value::String(owned.id.to_owned()))
        } else if let Some(value) = lookup(sources, name) {
            Some(value.clone())
        } else {
            unsent(
                spec,
                name,
                property,
                required.contains(&name.as_str()),
                owned,
                depth,
            )
        };
        if let Some(value) = value {
            object.insert(name.clone(), value);
        }
    }
    Value::Object(object)
}

/// The value of a property nobody sent: its default, `null`, a value the
/// server makes up (ids, timestamps, statuses, and whatever is required),
/// or nothing.
fn unsent(
    spec: &Spec,
    name: &str,
    schema: &Value,
    required: bool,
    owned: &Owned<'_>,
    depth: usize,
) -> Option<Value> {
    let resolved = spec.resolve(schema);
    if let Some(default) = resolved.get("default") {
        return Some(default.clone());
    }
    if is_nullable(spec.document(), schema) {
        return Some(Value::Null);
    }
    let inner = non_null(spec, schema);
    let server_owned = is_id(name) || is_timestamp(inner) || inner.get("enum").is_some();
    if !required && !server_owned {
        return None;
    }
    Some(made_up(spec, name, inner, owned, depth))
}

/// Whether `name` names an id (`id`, `userId`, `job_id`).
fn is_id(name: &str) -> bool {
    folded(name).ends_with("id")
}

fn is_timestamp(schema: &Value) -> bool {
    schema.get("format").and_then(Value::as_str) == Some("date-time")
}

/// A value the server would own for `name`: the first enum value (the
/// earliest status), the making time, an id derived from the name, an
/// address on an invalid domain, the smallest number, `false`, nothing.
fn made_up(spec: &Spec, name: &str, schema: &Value, owned: &Owned<'_>, depth: usize) -> Value {
    if let Some(constant) = schema.get("const") {
        return constant.clone();
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|values| values.iter().find(|v| !v.is_null()))
    {
        return first.clone();
    }
    let kind = match schema.get("type") {
        Some(Value::String(kind)) => kind.as_str(),
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|kind| *kind != "null")
            .unwrap_or("string"),
        _ if schema.get("properties").is_some() => "object",
        _ => "string",
    };
    match kind {
        "integer" | "number" => schema
            .get("minimum")
            .cloned()
            .unwrap_or_else(|| Value::from(0)),
        "boolean" => Value::Bool(false),
        "array" => Value::Array(Vec::new()),
        "object" if depth < MAX_DEPTH => render(spec, schema, &[], owned, depth + 1),
        "object" => Value::Object(Map::new()),
        _ => Value::String(made_up_text(name, schema, owned)),
    }
}

fn made_up_text(name: &str, schema: &Value, owned: &Owned<'_>) -> String {
    let key = folded(name);
    if is_timestamp(schema) {
        return owned.made_at.to_owned();
    }
    if key.ends_with("id") {
        let stem = name
            .trim_end_matches("Id")
            .trim_end_matches("_id")
            .trim_end_matches("ID");
        return format!("{}-1", if stem.is_empty() { "id" } else { stem });
    }
    if key.contains("url") {
        return format!("https://{}.mock.pi-rs.invalid", owned.id);
    }
    if key.contains("host") {
        return format!("{}.mock.pi-rs.invalid", owned.id);
    }
    if key.contains("path") {
        return format!("/mnt/{}", owned.id);
    }
    format!("{name}-{}", owned.id)
}

/// Now as an RFC 3339 UTC timestamp with microseconds, as the API writes them.
pub(crate) fn now() -> String {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = since.as_secs();
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let rest = seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60,
        since.subsec_micros()
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01 (H. Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_request_name_meets_its_answer_name_in_either_spelling() {
        let sent = sent_fields(&json!({"docker_image": "python:3.12", "disk_size_gb": 5,
            "provider": {"type": "runpod"}, "pod": {"name": "p"}}));
        assert_eq!(lookup(&[&sent], "dockerImage"), Some(&json!("python:3.12")));
        assert_eq!(lookup(&[&sent], "diskSizeGB"), Some(&json!(5)));
        assert_eq!(lookup(&[&sent], "providerType"), Some(&json!("runpod")));
        assert_eq!(lookup(&[&sent], "name"), Some(&json!("p")));
        // `provider.type` is renamed, so it is not the pod's own `type`.
        assert_eq!(lookup(&[&sent], "type"), None);
    }

    #[test]
    fn days_since_the_epoch_are_calendar_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert!(now().ends_with('Z') && now().len() == 27, "{}", now());
    }
}
