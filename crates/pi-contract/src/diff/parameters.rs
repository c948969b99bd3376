//! Parameters: matched by location and name (header names without case),
//! path-item parameters counting for every operation of the item.

use std::collections::BTreeMap;

use serde_json::Value;

use super::operations::OpView;
use super::{Class, Differ, Side, rules};
use crate::openapi::{ParameterStyle, deref, parameter_style};

/// A parameter's identity: its location (`query`, `path`, ...) and name.
type ParamKey = (String, String);

impl<'a> Differ<'a> {
    /// Compares the parameters of one operation: added, removed, moved to
    /// another location, requiredness, serialization and schema.
    pub(super) fn parameters(&mut self, old: &OpView<'a>, new: &OpView<'a>) {
        let old_params = parameters_of(self.old, old);
        let new_params = parameters_of(self.new, new);
        let mut removed: Vec<&ParamKey> = Vec::new();
        let mut added: Vec<&ParamKey> = Vec::new();
        for key in old_params.keys() {
            if !new_params.contains_key(key) {
                removed.push(key);
            }
        }
        for key in new_params.keys() {
            if !old_params.contains_key(key) {
                added.push(key);
            }
        }
        // Same name, other location: a move.
        let mut moved: Vec<(&ParamKey, &ParamKey)> = Vec::new();
        removed.retain(|r| {
            if let Some(pos) = added.iter().position(|a| a.1 == r.1) {
                moved.push((r, added.remove(pos)));
                false
            } else {
                true
            }
        });
        for key in removed {
            self.push(
                Class::Breaking,
                rules::PARAMETER_REMOVED,
                &shown(key, old_params.get(key)),
                "removed".to_owned(),
            );
        }
        for key in added {
            let required = new_params
                .get(key)
                .is_some_and(|p| p.get("required") == Some(&Value::Bool(true)));
            let (class, detail) = if required {
                (Class::Breaking, "added (required)")
            } else {
                (Class::Behind, "added (optional)")
            };
            self.push(
                class,
                rules::PARAMETER_ADDED,
                &shown(key, new_params.get(key)),
                detail.to_owned(),
            );
        }
        for (from, to) in moved {
            self.push(
                Class::Breaking,
                rules::PARAMETER_LOCATION,
                &format!("parameter {}", from.1),
                format!("location {} -> {}", from.0, to.0),
            );
        }
        for (key, old_param) in &old_params {
            let Some(new_param) = new_params.get(key) else {
                continue;
            };
            let location = shown(key, Some(old_param));
            let old_req = old_param.get("required") == Some(&Value::Bool(true));
            let new_req = new_param.get("required") == Some(&Value::Bool(true));
            if old_req != new_req {
                let (class, detail) = if new_req {
                    (Class::Breaking, "now required")
                } else {
                    (Class::Behind, "no longer required")
                };
                self.push(
                    class,
                    rules::PARAMETER_REQUIRED,
                    &location,
                    detail.to_owned(),
                );
            }
            let ParameterStyle {
                style: old_style,
                explode: old_explode,
            } = parameter_style(old_param);
            let ParameterStyle {
                style: new_style,
                explode: new_explode,
            } = parameter_style(new_param);
            if old_style != new_style {
                self.push(
                    Class::Breaking,
                    rules::PARAMETER_STYLE,
                    &location,
                    format!("style {old_style} -> {new_style}"),
                );
            }
            if old_explode != new_explode {
                self.push(
                    Class::Breaking,
                    rules::PARAMETER_STYLE,
                    &location,
                    format!("explode {old_explode} -> {new_explode}"),
                );
            }
            if let (Some(old_schema), Some(new_schema)) =
                (old_param.get("schema"), new_param.get("schema"))
            {
                self.schema(old_schema, new_schema, Side::Request, &location, "", 0);
            }
        }
    }
}

/// How a finding names a parameter: `parameter query limit`, and a path
/// parameter by the name its document gives it.
fn shown(key: &ParamKey, param: Option<&&Value>) -> String {
    let name = match key.0.as_str() {
        "path" => param
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .unwrap_or(&key.1),
        _ => &key.1,
    };
    format!("parameter {} {name}", key.0)
}

/// The parameters an operation takes, path-item ones included, by (location,
/// name); a path parameter is keyed by its position in the template
/// (`path #0`), since its name never travels on the wire.
fn parameters_of<'a>(doc: &'a Value, op: &OpView<'a>) -> BTreeMap<ParamKey, &'a Value> {
    let positions: Vec<&str> = op
        .path
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    let mut out = BTreeMap::new();
    for list in [op.item.get("parameters"), op.op.get("parameters")] {
        for param in list.and_then(Value::as_array).into_iter().flatten() {
            let param = deref(doc, param);
            let (Some(location), Some(name)) = (
                param.get("in").and_then(Value::as_str),
                param.get("name").and_then(Value::as_str),
            ) else {
                continue;
            };
            let name = match location {
                "header" => name.to_ascii_lowercase(),
                "path" => positions
                    .iter()
                    .position(|p| *p == name)
                    .map_or_else(|| name.to_owned(), |i| format!("#{i}")),
                _ => name.to_owned(),
            };
            out.insert((location.to_owned(), name), param);
        }
    }
    out
}
