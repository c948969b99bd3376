//! Compiling the document's JSON Schemas into validators, once, against the
//! document's own `components` (never fetching anything remote).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

/// One problem a compiled schema found in an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SchemaError {
    /// JSON pointer into the instance (`""` for the root, `/name`, `/items/0`).
    pub(crate) pointer: String,
    /// The JSON Schema keyword that failed (`required`, `type`, `pattern`, ...).
    pub(crate) keyword: String,
    /// What went wrong, for a person.
    pub(crate) message: String,
    /// For a `required` or `additionalProperties` failure, the properties
    /// it is about (missing or unexpected); the pointer is the object that
    /// lacks or has them, as JSON Schema places the error.
    pub(crate) properties: Vec<String>,
}

/// A JSON Schema from the document, compiled once and reused for every
/// validation.
///
/// The validator is shared: the document repeats schemas (the same `$ref` or
/// inline shape at many places), and each is compiled once per load.
pub(crate) struct CompiledSchema {
    validator: Arc<jsonschema::Validator>,
}

impl std::fmt::Debug for CompiledSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledSchema").finish_non_exhaustive()
    }
}

/// The longest message kept from the validator: instance values are echoed in
/// its messages and may be long.
const MAX_MESSAGE: usize = 240;

impl CompiledSchema {
    /// Compiles `schema`, resolving `#/components/...` references against
    /// `components` (the document's `components` object).
    ///
    /// The schema is wrapped in a root that carries the part of `components`
    /// it reaches, so local references resolve as they do in the document;
    /// formats are asserted.
    pub(crate) fn compile(schema: &Value, components: &Value) -> Result<CompiledSchema, String> {
        let mut root = Map::new();
        match schema {
            Value::Object(object) if !object.contains_key("components") => {
                root.extend(object.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            other => {
                root.insert("allOf".to_owned(), Value::Array(vec![other.clone()]));
            }
        }
        root.insert(
            "components".to_owned(),
            reachable_components(schema, components),
        );
        let root = Value::Object(root);
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .map_err(|error| error.to_string())?;
        Ok(CompiledSchema {
            validator: Arc::new(validator),
        })
    }

    /// Every problem the schema finds in `instance`, in the validator's order.
    ///
    /// An `anyOf`/`oneOf` failure where all branches but one failed only on
    /// the instance's type (the usual `anyOf [T, null]`) is replaced by the
    /// errors of that one branch, so a too-long nullable string reports
    /// `maxLength`, not `anyOf`.
    pub(crate) fn errors(&self, instance: &Value) -> Vec<SchemaError> {
        let mut out = Vec::new();
        for error in self.validator.iter_errors(instance) {
            flatten(&error, &mut out);
        }
        out
    }

    /// Whether `instance` is valid.
    pub(crate) fn is_valid(&self, instance: &Value) -> bool {
        self.validator.is_valid(instance)
    }
}

/// Compiles the schemas of one document, reusing the validator of a schema
/// already compiled: the vendored document has ~320 schema places but ~110
/// distinct schemas, and compiling dominates loading.
pub(crate) struct Compiler<'a> {
    components: &'a Value,
    /// Keyed by the schema's serialized JSON: every schema resolves against
    /// the same `components`, so equal text means an equal validator.
    compiled: RefCell<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl<'a> Compiler<'a> {
    /// A compiler resolving references against `components` (the document's
    /// `components` object).
    pub(crate) fn new(components: &'a Value) -> Compiler<'a> {
        Compiler {
            components,
            compiled: RefCell::new(HashMap::new()),
        }
    }

    /// As [`CompiledSchema::compile`], shared with an earlier equal schema.
    pub(crate) fn compile(&self, schema: &Value) -> Result<CompiledSchema, String> {
        let key = schema.to_string();
        if let Some(validator) = self.compiled.borrow().get(&key) {
            return Ok(CompiledSchema {
                validator: Arc::clone(validator),
            });
        }
        let compiled = CompiledSchema::compile(schema, self.components)?;
        self.compiled
            .borrow_mut()
            .insert(key, Arc::clone(&compiled.validator));
        Ok(compiled)
    }
}

fn flatten(error: &jsonschema::ValidationError<'_>, out: &mut Vec<SchemaError>) {
    use jsonschema::error::ValidationErrorKind;
    let context = match error.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            context
        }
        _ => {
            let mut found = schema_error(
                error.instance_path().as_str(),
                error.kind().keyword(),
                error.to_string(),
            );
            match error.kind() {
                ValidationErrorKind::Required { property } => {
                    found.properties.push(match property {
                        Value::String(name) => name.clone(),
                        other => other.to_string(),
                    });
                }
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    found.properties.clone_from(unexpected);
                }
                _ => {}
            }
            out.push(found);
            return;
        }
    };
    let here = error.instance_path().as_str();
    let only_type = |branch: &Vec<jsonschema::ValidationError<'static>>| {
        branch.len() == 1
            && matches!(branch[0].kind(), ValidationErrorKind::Type { .. })
            && branch[0].instance_path().as_str() == here
    };
    let informative: Vec<&Vec<jsonschema::ValidationError<'static>>> =
        context.iter().filter(|branch| !only_type(branch)).collect();
    match informative.as_slice() {
        [branch] => {
            for inner in branch.iter() {
                flatten(inner, out);
            }
        }
        [] if !context.is_empty() => {
            let messages: Vec<String> = context.iter().flatten().map(ToString::to_string).collect();
            out.push(schema_error(here, "type", messages.join("; ")));
        }
        _ => out.push(schema_error(
            here,
            error.kind().keyword(),
            error.to_string(),
        )),
    }
}

fn schema_error(pointer: &str, keyword: &str, mut message: String) -> SchemaError {
    if message.len() > MAX_MESSAGE {
        let mut cut = MAX_MESSAGE;
        while !message.is_char_boundary(cut) {
            cut -= 1;
        }
        message.truncate(cut);
        message.push_str("...");
    }
    SchemaError {
        pointer: pointer.to_owned(),
        keyword: keyword.to_owned(),
        message,
        properties: Vec::new(),
    }
}

/// The entries of `components` that `schema` reaches through `$ref`s,
/// transitively, laid out as in `components`.
fn reachable_components(schema: &Value, components: &Value) -> Value {
    let mut picked = Map::new();
    let mut pending: Vec<&Value> = vec![schema];
    let mut seen = std::collections::HashSet::new();
    while let Some(value) = pending.pop() {
        match value {
            Value::Object(object) => {
                if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
                    if seen.insert(reference.to_owned()) {
                        if let Some((kind, name, target)) = component_of(reference, components) {
                            let slot = picked
                                .entry(kind.to_owned())
                                .or_insert_with(|| Value::Object(Map::new()));
                            if let Value::Object(slot) = slot {
                                slot.insert(name, target.clone());
                            }
                            pending.push(target);
                        }
                    }
                }
                pending.extend(object.values());
            }
            Value::Array(items) => pending.extend(items),
            _ => {}
        }
    }
    Value::Object(picked)
}

/// Splits `#/components/<kind>/<name>` and finds its target.
fn component_of<'a>(
    reference: &'a str,
    components: &'a Value,
) -> Option<(&'a str, String, &'a Value)> {
    let rest = reference.strip_prefix("#/components/")?;
    let (kind, name) = rest.split_once('/')?;
    let name = crate::openapi::unescape_pointer(name);
    let target = components.get(kind)?.get(&name)?;
    Some((kind, name, target))
}
