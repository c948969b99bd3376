//! Response synthesis: minimal and maximal instances of a documented
//! response body, built from its schema and checked against it.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Number, Value};

use crate::openapi::{is_null_schema, lookup_ref};
use crate::spec::{Spec, body_violations};
use crate::violation::Violation;

/// How many maximal instances are built at most while trying to show every
/// enum value and every `anyOf` branch.
const MAX_MAXIMAL: usize = 128;

/// How deep schemas may nest before synthesis gives up.
const MAX_DEPTH: usize = 48;

/// Why a response could not be synthesized.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum SynthError {
    /// The spec has no operation with that id.
    #[error("the spec has no operation {0}")]
    UnknownOperation(String),
    /// The operation does not document that status.
    #[error("{operation_id} documents no response with status {status}")]
    UndocumentedStatus {
        /// The operation.
        operation_id: String,
        /// The status asked for.
        status: u16,
    },
    /// The response is documented without a JSON body.
    #[error("{operation_id} documents its {status} response without a JSON body")]
    NoBody {
        /// The operation.
        operation_id: String,
        /// The status asked for.
        status: u16,
    },
    /// The schema uses something synthesis cannot honour.
    #[error("{operation_id} {status}: cannot synthesize {location}: {message}")]
    Unsupported {
        /// The operation.
        operation_id: String,
        /// The status.
        status: u16,
        /// A JSON pointer into the instance being built.
        location: String,
        /// What could not be done.
        message: String,
    },
    /// A synthesized instance does not validate against its own schema (a
    /// bug in synthesis, or a schema no instance can satisfy).
    #[error("{operation_id} {status}: the {name} instance breaks its own schema: {}", list(.violations))]
    Invalid {
        /// The operation.
        operation_id: String,
        /// The status.
        status: u16,
        /// The instance's name (`minimal`, `maximal-2`, ...).
        name: String,
        /// What the schema said about it.
        violations: Vec<Violation>,
    },
}

fn list(violations: &[Violation]) -> String {
    let each: Vec<String> = violations.iter().map(ToString::to_string).collect();
    each.join("; ")
}

/// One synthesized body with its name.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// `minimal`, `maximal`, `maximal-2`, ...
    pub name: String,
    /// The body.
    pub value: Value,
}

/// The synthesized bodies of one documented response: first `minimal`, then
/// `maximal`, `maximal-2`, ... (together the maximal ones show every enum
/// value and every `anyOf` branch the schema reaches), and last `nulls`.
///
/// `nulls` has every property, like `maximal`, but `null` in every scalar
/// that may be null. The minimal instance leaves optional properties out, so
/// without it a nullable field inside an optional object (the usual
/// `{"data": {...}}` envelope) would never be sent as `null`, and a field that
/// became nullable would go unnoticed.
///
/// ```
/// use pi_contract::Spec;
/// use serde_json::json;
///
/// let spec = Spec::from_value(json!({
///     "openapi": "3.1.0",
///     "info": {"title": "demo", "version": "1"},
///     "paths": {"/api/v1/things/{id}": {"get": {
///         "operationId": "get_thing",
///         "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
///         "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
///             "type": "object",
///             "required": ["id", "state"],
///             "properties": {
///                 "id": {"type": "string", "minLength": 3},
///                 "state": {"type": "string", "enum": ["RUNNING", "STOPPED"]},
///                 "note": {"anyOf": [{"type": "string"}, {"type": "null"}]}
///             }
///         }}}}}
///     }}}
/// }))?;
///
/// let thing = spec.synthesize("get_thing", 200)?;
/// assert_eq!(thing.minimal(), &json!({"id": "aaa", "state": "RUNNING"}));
/// assert_eq!(thing.maximal()["note"], "string");
/// let states: Vec<&Value> = thing.maximal_instances().map(|i| &i.value["state"]).collect();
/// # use serde_json::Value;
/// assert_eq!(states, [&json!("RUNNING"), &json!("STOPPED")]);
/// assert_eq!(thing.get("maximal-2").unwrap()["state"], "STOPPED");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Synthesized {
    instances: Vec<Instance>,
    complete: bool,
}

impl Synthesized {
    /// The minimal instance: required properties only, `null` wherever the
    /// schema allows it, the shortest valid values.
    #[must_use]
    pub fn minimal(&self) -> &Value {
        &self.instances[0].value
    }

    /// The first maximal instance: every property, non-null values.
    #[must_use]
    pub fn maximal(&self) -> &Value {
        &self.instances[1].value
    }

    /// Every maximal instance, `maximal` first.
    pub fn maximal_instances(&self) -> impl Iterator<Item = &Instance> + '_ {
        self.instances[1..]
            .iter()
            .filter(|instance| instance.name.starts_with("maximal"))
    }

    /// The instance with every property and `null` in every scalar that may
    /// be null.
    #[must_use]
    pub fn nulls(&self) -> &Value {
        self.get(NULLS).unwrap_or_else(|| self.maximal())
    }

    /// The instance called `name`, if there is one.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.instances
            .iter()
            .find(|i| i.name == name)
            .map(|i| &i.value)
    }

    /// Whether the maximal instances show every enum value and every
    /// `anyOf` branch they reach (false only when that would take more than
    /// 128 instances).
    #[must_use]
    pub fn covers_every_choice(&self) -> bool {
        self.complete
    }

    /// Every instance, `minimal` first.
    #[must_use]
    pub fn instances(&self) -> &[Instance] {
        &self.instances
    }
}

impl Spec {
    /// Synthesizes the bodies of the response `status` of `operation_id`,
    /// deterministically, and checks each against the response's schema.
    ///
    /// # Errors
    /// [`SynthError`] when the operation or status is not documented, the
    /// response has no JSON body, or the schema cannot be satisfied.
    pub fn synthesize(&self, operation_id: &str, status: u16) -> Result<Synthesized, SynthError> {
        let (schema, validator) = self.response_schema(operation_id, status)?;
        let unsupported = |failure: Failure| SynthError::Unsupported {
            operation_id: operation_id.to_owned(),
            status,
            location: failure.location,
            message: failure.message,
        };

        let mut instances = Vec::new();
        let mut minimal = Builder::new(self.document(), Mode::Minimal);
        instances.push(Instance {
            name: "minimal".to_owned(),
            value: minimal.build(schema).map_err(unsupported)?,
        });
        let mut maximal = Builder::new(self.document(), Mode::Maximal);
        let mut complete = false;
        for round in 0..MAX_MAXIMAL {
            let value = maximal.build(schema).map_err(unsupported)?;
            let name = if round == 0 {
                "maximal".to_owned()
            } else {
                format!("maximal-{}", round + 1)
            };
            instances.push(Instance { name, value });
            if maximal.covered() {
                complete = true;
                break;
            }
        }

        let mut nulls = Builder::new(self.document(), Mode::Nulls);
        instances.push(Instance {
            name: NULLS.to_owned(),
            value: nulls.build(schema).map_err(unsupported)?,
        });

        for instance in &instances {
            let violations = body_violations(operation_id, validator, &instance.value);
            if !violations.is_empty() {
                return Err(SynthError::Invalid {
                    operation_id: operation_id.to_owned(),
                    status,
                    name: instance.name.clone(),
                    violations,
                });
            }
        }
        Ok(Synthesized {
            instances,
            complete,
        })
    }
}

impl Spec {
    /// The schema and compiled validator of a documented JSON response.
    fn response_schema(
        &self,
        operation_id: &str,
        status: u16,
    ) -> Result<(&Value, &crate::schema::CompiledSchema), SynthError> {
        let operation = self
            .operation(operation_id)
            .ok_or_else(|| SynthError::UnknownOperation(operation_id.to_owned()))?;
        let response =
            operation
                .response(status)
                .ok_or_else(|| SynthError::UndocumentedStatus {
                    operation_id: operation_id.to_owned(),
                    status,
                })?;
        match (response.schema(), response.validator.as_ref()) {
            (Some(schema), Some(validator)) => Ok((schema, validator)),
            _ => Err(SynthError::NoBody {
                operation_id: operation_id.to_owned(),
                status,
            }),
        }
    }

    /// A random valid body of the response `status` of `operation_id`, the
    /// same for the same `seed`: optional properties, `anyOf` branches, enum
    /// values, list lengths, nulls and value sizes are picked by chance.
    /// Checked against the schema like the fixed instances.
    ///
    /// ```
    /// # use pi_contract::Spec;
    /// # use serde_json::json;
    /// # let spec = Spec::from_value(json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
    /// #   "paths": {"/t": {"get": {"operationId": "get_t", "responses": {"200": {"description": "ok",
    /// #   "content": {"application/json": {"schema": {"type": "object", "properties": {
    /// #     "n": {"type": "integer", "minimum": 0, "maximum": 9}, "tags": {"type": "array", "items": {"type": "string"}}
    /// #   }}}}}}}}}}))?;
    /// let first = spec.synthesize_random("get_t", 200, 7)?;
    /// assert_eq!(first, spec.synthesize_random("get_t", 200, 7)?);
    /// assert_eq!(first.name, "random-7");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`Spec::synthesize`].
    pub fn synthesize_random(
        &self,
        operation_id: &str,
        status: u16,
        seed: u64,
    ) -> Result<Instance, SynthError> {
        let (schema, validator) = self.response_schema(operation_id, status)?;
        let name = format!("random-{seed}");
        let value = Builder::seeded(self.document(), seed)
            .build(schema)
            .map_err(|failure| SynthError::Unsupported {
                operation_id: operation_id.to_owned(),
                status,
                location: failure.location,
                message: failure.message,
            })?;
        let violations = body_violations(operation_id, validator, &value);
        if !violations.is_empty() {
            return Err(SynthError::Invalid {
                operation_id: operation_id.to_owned(),
                status,
                name,
                violations,
            });
        }
        Ok(Instance { name, value })
    }

    /// A maximal body of the response with [`UNLISTED_ENUM_VALUE`] wherever
    /// the document lists string enum values, or `None` when the response
    /// has no enum. Deliberately off-schema: a client that keeps unknown
    /// enum values must still decode it.
    ///
    /// # Errors
    /// As [`Spec::synthesize`], except that the result is not validated.
    pub fn synthesize_unlisted_enums(
        &self,
        operation_id: &str,
        status: u16,
    ) -> Result<Option<Instance>, SynthError> {
        let (schema, _) = self.response_schema(operation_id, status)?;
        let value = Builder::new(self.document(), Mode::Unlisted)
            .build(schema)
            .map_err(|failure| SynthError::Unsupported {
                operation_id: operation_id.to_owned(),
                status,
                location: failure.location,
                message: failure.message,
            })?;
        let holds_unlisted =
            serde_json::to_string(&value).is_ok_and(|text| text.contains(UNLISTED_ENUM_VALUE));
        Ok(holds_unlisted.then(|| Instance {
            name: "unlisted-enums".to_owned(),
            value,
        }))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Minimal,
    Maximal,
    /// Every property, `null` in every scalar that may be null, first choices.
    Nulls,
    /// Seeded random choices: which optional properties, which branch, which
    /// enum value, how many items, null or not, small or large values.
    Random,
    /// Like maximal, but every string enum holds a value the document does
    /// not list: not valid, on purpose, to prove forward compatibility.
    Unlisted,
}

impl Mode {
    /// The mode scalar values are picked in: a `nulls` instance fills the
    /// scalars that cannot be null as a maximal one would.
    fn for_values(self) -> Mode {
        match self {
            Mode::Nulls | Mode::Unlisted | Mode::Random => Mode::Maximal,
            other => other,
        }
    }
}

/// The name of the instance built in [`Mode::Nulls`].
const NULLS: &str = "nulls";

/// The value an `unlisted` instance puts wherever the document lists enum values.
pub const UNLISTED_ENUM_VALUE: &str = "PI_RS_UNLISTED_VALUE";

#[derive(Debug)]
struct Failure {
    location: String,
    message: String,
}

/// Builds instances of schemas; in maximal mode it remembers, per choice
/// point (an enum, an `anyOf`, a list of types), which choice comes next.
struct Builder<'a> {
    document: &'a Value,
    mode: Mode,
    /// Choice point (the schema node's address) -> (choices, times chosen).
    choices: HashMap<usize, (usize, usize)>,
    /// `$ref`s being expanded, to stop cycles.
    expanding: Vec<&'a str>,
    /// The seeded generator of [`Mode::Random`].
    rng: fastrand::Rng,
}

impl<'a> Builder<'a> {
    fn new(document: &'a Value, mode: Mode) -> Builder<'a> {
        Builder {
            document,
            mode,
            choices: HashMap::new(),
            expanding: Vec::new(),
            rng: fastrand::Rng::with_seed(0),
        }
    }

    fn seeded(document: &'a Value, seed: u64) -> Builder<'a> {
        let mut builder = Builder::new(document, Mode::Random);
        builder.rng = fastrand::Rng::with_seed(seed);
        builder
    }

    /// A coin toss in random mode; `false` in every other mode.
    fn maybe(&mut self) -> bool {
        self.mode == Mode::Random && self.rng.bool()
    }

    /// The mode scalar values are picked in: random mode picks the small or
    /// the large end by chance.
    fn values_mode(&mut self) -> Mode {
        match self.mode {
            Mode::Random if self.rng.bool() => Mode::Minimal,
            other => other.for_values(),
        }
    }

    fn build(&mut self, schema: &'a Value) -> Result<Value, Failure> {
        self.expanding.clear();
        self.value(schema, "", 0)
    }

    /// Whether every choice point seen so far has shown every choice.
    fn covered(&self) -> bool {
        self.choices.values().all(|(count, used)| used >= count)
    }

    /// The next choice among `count` at the choice point `site`.
    fn choose(&mut self, site: &Value, count: usize) -> usize {
        if self.mode == Mode::Random && count > 1 {
            return self.rng.usize(0..count);
        }
        if self.mode != Mode::Maximal || count <= 1 {
            return 0;
        }
        let entry = self
            .choices
            .entry(std::ptr::from_ref(site) as usize)
            .or_insert((count, 0));
        let pick = entry.1 % count;
        entry.1 += 1;
        pick
    }

    fn fail(location: &str, message: impl Into<String>) -> Failure {
        Failure {
            location: if location.is_empty() {
                "the root".to_owned()
            } else {
                location.to_owned()
            },
            message: message.into(),
        }
    }

    fn value(&mut self, schema: &'a Value, at: &str, depth: usize) -> Result<Value, Failure> {
        if depth > MAX_DEPTH {
            return Err(Self::fail(at, "the schema nests too deeply"));
        }
        let object = match schema {
            Value::Bool(true) => return Ok(Value::Null),
            Value::Bool(false) => return Err(Self::fail(at, "the schema is `false`")),
            Value::Object(object) => object,
            _ => return Err(Self::fail(at, "the schema is not an object")),
        };

        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            let target = lookup_ref(self.document, reference)
                .ok_or_else(|| Self::fail(at, format!("{reference} resolves nowhere")))?;
            let cyclic = self.expanding.contains(&reference);
            if cyclic && self.mode == Mode::Minimal {
                return Err(Self::fail(
                    at,
                    format!("{reference} requires itself, so no finite instance exists"),
                ));
            }
            self.expanding.push(reference);
            let saved = self.mode;
            if cyclic {
                // A second expansion of the same schema: keep it minimal so
                // the instance stays finite.
                self.mode = Mode::Minimal;
            }
            let result = self.value(target, at, depth + 1);
            self.mode = saved;
            self.expanding.pop();
            return result;
        }

        if self.mode == Mode::Minimal && allows_null(self.document, schema) {
            return Ok(Value::Null);
        }
        if self.mode == Mode::Nulls
            && allows_null(self.document, schema)
            && !holds_container(self.document, schema)
        {
            return Ok(Value::Null);
        }
        if self.mode == Mode::Random && allows_null(self.document, schema) && self.rng.u8(0..4) == 0
        {
            return Ok(Value::Null);
        }
        if let Some(values) = object.get("enum").and_then(Value::as_array) {
            if self.mode == Mode::Unlisted && values.iter().any(Value::is_string) {
                return Ok(Value::String(UNLISTED_ENUM_VALUE.to_owned()));
            }
        }
        if let Some(constant) = object.get("const") {
            return Ok(constant.clone());
        }
        if let Some(values) = object.get("enum").and_then(Value::as_array) {
            let values: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
            if values.is_empty() {
                return Ok(Value::Null);
            }
            let pick = self.choose(schema, values.len());
            return Ok(values[pick].clone());
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(branches) = object.get(key).and_then(Value::as_array) {
                let branches: Vec<&'a Value> = branches
                    .iter()
                    .filter(|b| !is_null_schema(self.document, b))
                    .collect();
                if branches.is_empty() {
                    return Ok(Value::Null);
                }
                let pick = self.choose(schema, branches.len());
                return self.value(branches[pick], at, depth + 1);
            }
        }
        if let Some(branches) = object.get("allOf").and_then(Value::as_array) {
            return self.all_of(branches, at, depth);
        }

        let types: Vec<&str> = match object.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "null")
                .collect(),
            _ if object.contains_key("properties") => vec!["object"],
            _ if object.contains_key("items") => vec!["array"],
            _ => Vec::new(),
        };
        if types.is_empty() {
            // No type constraint: an empty object stands for "anything".
            let empty_object = match self.mode {
                Mode::Minimal | Mode::Nulls => false,
                Mode::Maximal | Mode::Unlisted => true,
                Mode::Random => self.rng.bool(),
            };
            return Ok(if empty_object {
                Value::Object(Map::new())
            } else {
                Value::Null
            });
        }
        let kind = types[self.choose(schema, types.len())];
        match kind {
            "null" => Ok(Value::Null),
            "boolean" => Ok(Value::Bool(match self.mode {
                Mode::Minimal => false,
                Mode::Random => self.rng.bool(),
                _ => true,
            })),
            "string" => {
                let mode = self.values_mode();
                string_value(object, mode).map_err(|m| Self::fail(at, m))
            }
            "integer" => {
                let mode = self.values_mode();
                integer_value(object, mode).map_err(|m| Self::fail(at, m))
            }
            "number" => {
                let mode = self.values_mode();
                number_value(object, mode).map_err(|m| Self::fail(at, m))
            }
            "array" => self.array(object, at, depth),
            "object" => self.object(object, at, depth),
            other => Err(Self::fail(at, format!("unknown type {other}"))),
        }
    }

    fn array(
        &mut self,
        object: &'a Map<String, Value>,
        at: &str,
        depth: usize,
    ) -> Result<Value, Failure> {
        let min = object.get("minItems").and_then(Value::as_u64).unwrap_or(0);
        let max = object.get("maxItems").and_then(Value::as_u64);
        let count = match self.mode {
            Mode::Minimal => min,
            Mode::Maximal | Mode::Nulls | Mode::Unlisted => min.max(1),
            Mode::Random => min + self.rng.u64(0..=3),
        };
        let count = max.map_or(count, |max| count.min(max));
        let Some(items) = object.get("items") else {
            return Ok(Value::Array(vec![
                Value::Null;
                usize::try_from(count).unwrap_or(0)
            ]));
        };
        let mut values = Vec::new();
        for index in 0..count {
            values.push(self.value(items, &format!("{at}/{index}"), depth + 1)?);
        }
        Ok(Value::Array(values))
    }

    fn object(
        &mut self,
        object: &'a Map<String, Value>,
        at: &str,
        depth: usize,
    ) -> Result<Value, Failure> {
        let required: HashSet<&str> = object
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut out = Map::new();
        if let Some(properties) = object.get("properties").and_then(Value::as_object) {
            for (name, schema) in properties {
                let optional = !required.contains(name.as_str());
                if optional && (self.mode == Mode::Minimal || self.maybe()) {
                    continue;
                }
                let here = format!("{at}/{}", name.replace('~', "~0").replace('/', "~1"));
                out.insert(name.clone(), self.value(schema, &here, depth + 1)?);
            }
        }
        for name in &required {
            if !out.contains_key(*name) {
                // Required but not described: any value will do.
                out.insert((*name).to_owned(), Value::Null);
            }
        }
        if self.mode != Mode::Minimal && !self.maybe() {
            let name = "additionalProp1";
            match object.get("additionalProperties") {
                Some(extra @ Value::Object(_)) if !out.contains_key(name) => {
                    let here = format!("{at}/{name}");
                    out.insert(name.to_owned(), self.value(extra, &here, depth + 1)?);
                }
                // Any extra property is allowed: send one, so a client that
                // keeps only the named ones is caught dropping it.
                Some(Value::Bool(true)) if !out.contains_key(name) => {
                    out.insert(name.to_owned(), Value::String("extra".to_owned()));
                }
                _ => {}
            }
        }
        Ok(Value::Object(out))
    }

    /// `allOf`: object branches are merged (properties and required lists);
    /// otherwise the first branch decides.
    fn all_of(&mut self, branches: &'a [Value], at: &str, depth: usize) -> Result<Value, Failure> {
        let mut merged = Map::new();
        let mut properties = Map::new();
        let mut required = Vec::new();
        for branch in branches {
            let branch = crate::openapi::deref(self.document, branch);
            let Some(branch) = branch.as_object() else {
                continue;
            };
            if let Some(p) = branch.get("properties").and_then(Value::as_object) {
                properties.extend(p.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            if let Some(r) = branch.get("required").and_then(Value::as_array) {
                required.extend(r.iter().cloned());
            }
            for (key, value) in branch {
                if key != "properties" && key != "required" {
                    merged.entry(key.clone()).or_insert_with(|| value.clone());
                }
            }
        }
        if properties.is_empty() {
            return match branches.first() {
                Some(first) => self.value(first, at, depth + 1),
                None => Ok(Value::Null),
            };
        }
        merged.insert("properties".to_owned(), Value::Object(properties));
        merged.insert("required".to_owned(), Value::Array(required));
        // The merged schema is built here, so it cannot be a stable choice
        // point; build it with a builder that shares this one's document.
        let merged = Value::Object(merged);
        let mut inner = Builder::new(self.document, self.mode);
        inner.rng = self.rng.fork();
        inner.value(&merged, at, depth + 1)
    }
}

/// Whether one of the non-null shapes `schema` allows is an object or an
/// array, so that a `nulls` instance should fill it rather than null it.
fn holds_container(document: &Value, schema: &Value) -> bool {
    let schema = crate::openapi::deref(document, schema);
    let Some(object) = schema.as_object() else {
        return false;
    };
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(branches) = object.get(key).and_then(Value::as_array) {
            return branches
                .iter()
                .any(|branch| holds_container(document, branch));
        }
    }
    let typed = |kind: &str| match object.get("type") {
        Some(Value::String(t)) => t == kind,
        Some(Value::Array(ts)) => ts.iter().any(|t| t == kind),
        _ => false,
    };
    typed("object")
        || typed("array")
        || object.contains_key("properties")
        || object.contains_key("items")
}

/// Whether `schema` accepts `null` (an unconstrained schema does).
fn allows_null(document: &Value, schema: &Value) -> bool {
    let schema = crate::openapi::deref(document, schema);
    let Some(object) = schema.as_object() else {
        return schema == &Value::Bool(true);
    };
    if let Some(constant) = object.get("const") {
        return constant.is_null();
    }
    if let Some(values) = object.get("enum").and_then(Value::as_array) {
        return values.iter().any(Value::is_null);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = object.get(key).and_then(Value::as_array) {
            return branches.iter().any(|b| allows_null(document, b));
        }
    }
    if let Some(branches) = object.get("allOf").and_then(Value::as_array) {
        return branches.iter().all(|b| allows_null(document, b));
    }
    match object.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "null"),
        None => !["properties", "items", "required", "not"]
            .iter()
            .any(|k| object.contains_key(*k)),
        Some(_) => false,
    }
}

fn string_value(object: &Map<String, Value>, mode: Mode) -> Result<Value, String> {
    let min = object
        .get("minLength")
        .and_then(Value::as_u64)
        .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let max = object
        .get("maxLength")
        .and_then(Value::as_u64)
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    if let Some(pattern) = object.get("pattern").and_then(Value::as_str) {
        return pattern::generate(pattern, min, max, mode == Mode::Maximal).map(Value::String);
    }
    if let Some(format) = object.get("format").and_then(Value::as_str) {
        if let Some(value) = formatted(format, mode) {
            return Ok(Value::String(value.to_owned()));
        }
    }
    let text = match mode {
        Mode::Minimal => "a".repeat(min),
        _ => {
            let mut text = "string".to_owned();
            while text.chars().count() < min {
                text.push('s');
            }
            if let Some(max) = max {
                text = text.chars().take(max.max(min)).collect();
            }
            text
        }
    };
    Ok(Value::String(text))
}

/// A fixed example of a string format, if the format is known.
fn formatted(format: &str, mode: Mode) -> Option<&'static str> {
    Some(match (format, mode) {
        ("date-time", Mode::Minimal) => "1970-01-01T00:00:00Z",
        ("date-time", _) => "2025-01-15T10:30:00.123456Z",
        ("date", _) => "2025-01-15",
        ("time", _) => "10:30:00Z",
        ("uuid", Mode::Minimal) => "00000000-0000-0000-0000-000000000000",
        ("uuid", _) => "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        ("email", _) => "user@example.com",
        ("uri" | "url" | "iri", _) => "https://example.com/",
        ("hostname", _) => "example.com",
        ("ipv4", _) => "192.0.2.1",
        ("ipv6", _) => "2001:db8::1",
        _ => return None,
    })
}

fn bound(object: &Map<String, Value>, key: &str) -> Option<f64> {
    object.get(key).and_then(Value::as_f64)
}

fn integer_value(object: &Map<String, Value>, mode: Mode) -> Result<Value, String> {
    let low = match (bound(object, "minimum"), bound(object, "exclusiveMinimum")) {
        (Some(a), Some(b)) => Some(a.ceil().max(b.floor() + 1.0)),
        (Some(a), None) => Some(a.ceil()),
        (None, Some(b)) => Some(b.floor() + 1.0),
        (None, None) => None,
    };
    let high = match (bound(object, "maximum"), bound(object, "exclusiveMaximum")) {
        (Some(a), Some(b)) => Some(a.floor().min(b.ceil() - 1.0)),
        (Some(a), None) => Some(a.floor()),
        (None, Some(b)) => Some(b.ceil() - 1.0),
        (None, None) => None,
    };
    let mut value = match mode {
        Mode::Minimal => low
            .unwrap_or(0.0)
            .max(high.map_or(f64::MIN, |h| h.min(0.0))),
        _ => high.unwrap_or_else(|| low.unwrap_or(0.0) + 1.0),
    };
    if mode == Mode::Minimal {
        if let Some(high) = high {
            value = value.min(high);
        }
        if let Some(low) = low {
            value = value.max(low);
        }
    }
    if let Some(step) = bound(object, "multipleOf").filter(|s| *s > 0.0) {
        value = (value / step).ceil() * step;
    }
    if let (Some(low), Some(high)) = (low, high) {
        if low > high {
            return Err(format!("no integer lies between {low} and {high}"));
        }
    }
    #[allow(clippy::cast_possible_truncation)]
    let integer = value as i64;
    Ok(Value::from(integer))
}

fn number_value(object: &Map<String, Value>, mode: Mode) -> Result<Value, String> {
    let minimum = bound(object, "minimum");
    let exclusive_minimum = bound(object, "exclusiveMinimum");
    let maximum = bound(object, "maximum");
    let exclusive_maximum = bound(object, "exclusiveMaximum");
    let low = minimum.or(exclusive_minimum);
    let high = maximum.or(exclusive_maximum);
    let value = match (low, high) {
        (Some(l), Some(h)) if exclusive_minimum.is_some() || exclusive_maximum.is_some() => {
            (l + h) / 2.0
        }
        (Some(l), Some(h)) => match mode {
            Mode::Minimal => l,
            _ => h,
        },
        (Some(l), None) => match (mode, exclusive_minimum.is_some()) {
            (Mode::Minimal, false) => l,
            (Mode::Minimal, true) => l + 1.0,
            _ => l + 1.5,
        },
        (None, Some(h)) => match (mode, exclusive_maximum.is_some()) {
            (Mode::Minimal, _) => (h - 1.0).min(0.0),
            (_, false) => h,
            (_, true) => h - 0.5,
        },
        (None, None) => match mode {
            Mode::Minimal => 0.0,
            _ => 1.5,
        },
    };
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        return Ok(Value::from(value as i64));
    }
    Number::from_f64(value)
        .map(Value::Number)
        .ok_or_else(|| format!("{value} is not a JSON number"))
}

/// Strings for the simple patterns OpenAPI documents use: anchors, literal
/// characters, character classes, `.`, `\d`, `\w`, `\s` and quantifiers.
/// Groups and alternation are not supported. Every string made is checked
/// with the `regex` crate.
mod pattern {
    /// One piece of a pattern: a character it can match, and how often.
    struct Atom {
        char: char,
        min: usize,
        max: Option<usize>,
    }

    /// The shortest string of `pattern` with at least `min` characters (a
    /// few characters longer when `longer`), at most `max`.
    pub(super) fn generate(
        pattern: &str,
        min: usize,
        max: Option<usize>,
        longer: bool,
    ) -> Result<String, String> {
        let regex = regex::Regex::new(pattern)
            .map_err(|error| format!("pattern {pattern:?} does not compile: {error}"))?;
        let atoms = parse(pattern)?;
        let mut counts: Vec<usize> = atoms.iter().map(|a| a.min).collect();
        let mut length: usize = counts.iter().sum();
        let target = if longer { min.max(length + 2) } else { min };
        let target = max.map_or(target, |max| target.min(max.max(min)));
        'grow: while length < target {
            for (atom, count) in atoms.iter().zip(counts.iter_mut()) {
                if atom.max.is_none_or(|max| *count < max) {
                    *count += 1;
                    length += 1;
                    continue 'grow;
                }
            }
            break;
        }
        let text: String = atoms
            .iter()
            .zip(&counts)
            .flat_map(|(atom, count)| std::iter::repeat_n(atom.char, *count))
            .collect();
        let length = text.chars().count();
        if regex.is_match(&text) && length >= min && max.is_none_or(|max| length <= max) {
            Ok(text)
        } else {
            Err(format!(
                "no string of {min}..{max:?} characters matching {pattern:?} could be made"
            ))
        }
    }

    fn parse(pattern: &str) -> Result<Vec<Atom>, String> {
        let unsupported = || format!("pattern {pattern:?} is beyond the simple generator");
        let mut chars = pattern.chars().peekable();
        if chars.peek() == Some(&'^') {
            chars.next();
        }
        let mut atoms = Vec::new();
        while let Some(c) = chars.next() {
            let char = match c {
                '$' if chars.peek().is_none() => break,
                '[' => {
                    let mut first = None;
                    let mut negated = false;
                    if chars.peek() == Some(&'^') {
                        negated = true;
                        chars.next();
                    }
                    loop {
                        let c = chars.next().ok_or_else(unsupported)?;
                        if c == ']' {
                            break;
                        }
                        let c = if c == '\\' {
                            class_escape(chars.next().ok_or_else(unsupported)?)
                        } else {
                            c
                        };
                        first.get_or_insert(c);
                    }
                    if negated {
                        return Err(unsupported());
                    }
                    first.ok_or_else(unsupported)?
                }
                '\\' => class_escape(chars.next().ok_or_else(unsupported)?),
                '.' => 'a',
                '(' | ')' | '|' | '*' | '+' | '?' | '{' | '^' | '$' => {
                    return Err(unsupported());
                }
                c => c,
            };
            let (min, max) = match chars.peek() {
                Some('*') => (0, None),
                Some('+') => (1, None),
                Some('?') => (0, Some(1)),
                Some('{') => {
                    chars.next();
                    let mut spec = String::new();
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                        spec.push(c);
                    }
                    let (low, high) = match spec.split_once(',') {
                        Some((low, "")) => (low.parse().map_err(|_| unsupported())?, None),
                        Some((low, high)) => (
                            low.parse().map_err(|_| unsupported())?,
                            Some(high.parse().map_err(|_| unsupported())?),
                        ),
                        None => {
                            let n = spec.parse().map_err(|_| unsupported())?;
                            (n, Some(n))
                        }
                    };
                    atoms.push(Atom {
                        char,
                        min: low,
                        max: high,
                    });
                    continue;
                }
                _ => (1, Some(1)),
            };
            if max != Some(1) || min != 1 {
                chars.next();
            }
            atoms.push(Atom { char, min, max });
        }
        Ok(atoms)
    }

    /// A character an escape matches (`\d` -> `0`, `\w` -> `a`, `\.` -> `.`).
    fn class_escape(c: char) -> char {
        match c {
            'd' => '0',
            'w' => 'a',
            's' => ' ',
            other => other,
        }
    }
}
