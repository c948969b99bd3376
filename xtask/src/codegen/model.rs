//! From the document and `codegen.toml` to a plan of Rust items: which
//! schemas are reachable, in which role (sent, received or both), in which
//! module, with which fields, types and checks.

use std::collections::{BTreeMap, BTreeSet};

use pi_contract::Spec;
use serde_json::Value;

use super::config::{Config, SchemaConfig};
use super::names::{pascal_case, snake_case};

/// Everything the emitter writes, module by module.
#[derive(Debug, Default)]
pub(crate) struct Model {
    /// Module name → the items it holds, in schema-name order.
    pub(crate) modules: BTreeMap<String, Vec<Item>>,
    /// Document schema name → the Rust type that stands for it.
    pub(crate) names: BTreeMap<String, String>,
    /// `(Rust type, wire name)` of every field the SDK treats as always
    /// present (`always_present` in `codegen.toml`), for the request path.
    pub(crate) always_present: Vec<(String, String)>,
}

/// One generated Rust item.
#[derive(Debug)]
pub(crate) enum Item {
    Struct(Struct),
    Enum(StringEnum),
    Union(Union),
}

/// An object schema with properties.
#[derive(Debug)]
pub(crate) struct Struct {
    pub(crate) schema: String,
    pub(crate) name: String,
    pub(crate) doc: String,
    pub(crate) fields: Vec<Field>,
    /// Sent in a request body: gets a constructor, setters and `validate`.
    pub(crate) input: bool,
    /// Holds secret material somewhere inside, so it cannot derive `PartialEq`.
    pub(crate) holds_secret: bool,
    /// A hand-written check `validate` also runs.
    pub(crate) validate_with: Option<String>,
    /// The type of the properties the schema allows beyond the named ones
    /// (`additionalProperties`), kept in a flattened map; `None` when it
    /// allows none or says nothing.
    pub(crate) additional: Option<Ty>,
    /// Wire names of the required fields in the constructor's order: the
    /// one `new` in `codegen.toml` gives, or the only one there is.
    pub(crate) new_order: Vec<String>,
}

/// One property of a struct.
#[derive(Debug)]
pub(crate) struct Field {
    pub(crate) wire: String,
    pub(crate) rust: String,
    pub(crate) ty: Ty,
    pub(crate) required: bool,
    /// Listed under `always_present` in `codegen.toml`: a plain value
    /// although the document lets it be absent or null.
    pub(crate) always_present: bool,
    pub(crate) doc: String,
    /// Rules on the (non-null) value, checked by `validate`.
    pub(crate) checks: Vec<Check>,
}

/// A string enum schema (or an inline `enum`), with an unknown-value arm.
#[derive(Debug)]
pub(crate) struct StringEnum {
    pub(crate) name: String,
    pub(crate) doc: String,
    /// `(variant, wire value)`, duplicates removed, in document order.
    pub(crate) variants: Vec<(String, String)>,
}

/// An `anyOf` of several non-null shapes: an untagged enum.
#[derive(Debug)]
pub(crate) struct Union {
    pub(crate) name: String,
    pub(crate) doc: String,
    pub(crate) variants: Vec<(String, Ty)>,
    pub(crate) holds_secret: bool,
}

/// A field's Rust type, before it is written as tokens.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ty {
    Text,
    /// A string that carries secret material (`SecretString`).
    Secret,
    Bool,
    Integer,
    Number,
    Timestamp,
    /// Free-form JSON (`serde_json::Value`).
    Json,
    /// Free-form JSON that the document says is an object: still a
    /// `serde_json::Value`, but a request checks that it is an object.
    JsonObject,
    /// A generated item of this name.
    Named(String, NamedKind),
    /// A hand-written type, as a Rust path.
    External(String),
    List(Box<Ty>),
    Map(Box<Ty>),
    Option(Box<Ty>),
}

/// What a named type is, for checks and derives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum NamedKind {
    Struct,
    Enum,
    Union,
}

/// A rule of the document on one value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Check {
    MinLength(u64),
    MaxLength(u64),
    Pattern(String),
    /// `(bound, exclusive)`; the bound as the document writes it.
    Minimum(serde_json::Number, bool),
    Maximum(serde_json::Number, bool),
    MinItems(u64),
    MaxItems(u64),
}

impl Ty {
    /// Whether secret material can sit anywhere inside a value of this type.
    fn holds_secret(&self, secret_items: &BTreeSet<String>) -> bool {
        match self {
            Ty::Secret => true,
            Ty::Named(name, _) => secret_items.contains(name),
            Ty::List(inner) | Ty::Map(inner) | Ty::Option(inner) => {
                inner.holds_secret(secret_items)
            }
            _ => false,
        }
    }

    /// A short name for a union variant holding this type.
    fn variant_name(&self) -> String {
        match self {
            Ty::Text | Ty::Secret => "Text".into(),
            Ty::Bool => "Flag".into(),
            Ty::Integer => "Integer".into(),
            Ty::Number => "Number".into(),
            Ty::Timestamp => "Timestamp".into(),
            Ty::Json | Ty::JsonObject => "Json".into(),
            Ty::Named(name, _) => name.clone(),
            Ty::External(path) => path.rsplit("::").next().unwrap_or(path).to_owned(),
            Ty::List(_) => "List".into(),
            Ty::Map(_) => "Map".into(),
            Ty::Option(inner) => inner.variant_name(),
        }
    }
}

/// Where a schema is used: the tags of the operations that reach it, and
/// whether a request body or a response reaches it.
#[derive(Debug, Default)]
struct Usage {
    tags: BTreeSet<String>,
    input: bool,
    output: bool,
}

const ENVELOPE_PREFIXES: [&str; 2] = ["GenericResponse_", "GenericPaginationResponse_"];

/// Whether a schema is one of FastAPI's generic envelopes, which map onto
/// the hand-written `ApiResponse<T>` and `Page<T>` instead of being generated.
pub(crate) fn is_envelope(schema: &str) -> bool {
    ENVELOPE_PREFIXES
        .iter()
        .any(|prefix| schema.starts_with(prefix))
}

/// Builds the plan for every schema reachable from the document's operations.
pub(crate) fn build(spec: &Spec, config: &Config) -> Result<Model, String> {
    let schemas = spec
        .document()
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .ok_or("the document has no components.schemas")?;
    for (schema, entry) in &config.schemas {
        for path in entry.use_type.iter().chain(&entry.validate_with) {
            syn::parse_str::<syn::Type>(path).map_err(|e| {
                format!("spec/codegen.toml: [schemas.{schema}] `{path}` is not a Rust path: {e}")
            })?;
        }
    }
    let usage = usage(spec, config)?;
    let mut builder = Builder {
        schemas,
        config,
        names: BTreeMap::new(),
        items: BTreeMap::new(),
        unions: BTreeMap::new(),
    };
    for schema in usage.keys() {
        builder.name_of(schema)?;
    }
    for (schema, used) in &usage {
        if is_envelope(schema) || builder.schema_config(schema).use_type.is_some() {
            continue;
        }
        let module = match used.tags.len() {
            1 => {
                let tag = used.tags.iter().next().map(String::as_str).unwrap_or("");
                config.modules.get(tag).cloned().ok_or_else(|| {
                    format!("tag `{tag}` has no module in [modules] of spec/codegen.toml")
                })?
            }
            _ => "common".to_owned(),
        };
        let items = builder.items_for(schema, used.input)?;
        builder.items.entry(module).or_default().extend(items);
    }
    let always_present = builder
        .items
        .values()
        .flatten()
        .filter_map(|item| match item {
            Item::Struct(s) => Some(s),
            _ => None,
        })
        .flat_map(|s| {
            s.fields
                .iter()
                .filter(|f| f.always_present)
                .map(|f| (s.name.clone(), f.wire.clone()))
        })
        .collect();
    let mut model = Model {
        modules: builder.items,
        names: builder.names,
        always_present,
    };
    mark_secret_holders(&mut model);
    check_names(&model)?;
    Ok(model)
}

/// Walks every operation's request body and responses through `$ref`s.
fn usage(spec: &Spec, config: &Config) -> Result<BTreeMap<String, Usage>, String> {
    let mut usage: BTreeMap<String, Usage> = BTreeMap::new();
    for operation in spec.operations() {
        let tag = operation.tags().first().cloned().unwrap_or_default();
        let mut roots = Vec::new();
        if let Some(body) = operation.request_body() {
            roots.push((body.schema(), true));
        }
        for response in operation.responses() {
            if let Some(schema) = response.schema() {
                roots.push((schema, false));
            }
        }
        for (root, input) in roots {
            let mut seen = BTreeSet::new();
            collect_refs(spec.document(), root, config, &mut seen);
            for schema in seen {
                let entry = usage.entry(schema).or_default();
                entry.tags.insert(tag.clone());
                if input {
                    entry.input = true;
                } else {
                    entry.output = true;
                }
            }
        }
    }
    // Schemas only parameters name (an enum of a query or header parameter
    // that no body or answer holds) are generated too, for the setters.
    for operation in spec.operations() {
        let tag = operation.tags().first().cloned().unwrap_or_default();
        for parameter in operation.parameters() {
            let mut seen = BTreeSet::new();
            collect_refs(spec.document(), parameter.schema(), config, &mut seen);
            for schema in seen {
                if !usage.contains_key(&schema) {
                    let entry = usage.entry(schema).or_default();
                    entry.tags.insert(tag.clone());
                    entry.input = true;
                }
            }
        }
    }
    if usage.is_empty() {
        return Err("no operation of the document uses a named schema".into());
    }
    Ok(usage)
}

/// Adds every schema `value` refers to, directly or through other schemas;
/// schemas mapped onto hand-written types are not entered.
fn collect_refs(document: &Value, value: &Value, config: &Config, seen: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                if seen.insert(name.to_owned()) {
                    let mapped = config
                        .schemas
                        .get(name)
                        .is_some_and(|c| c.use_type.is_some());
                    if let (false, Some(target)) = (
                        mapped,
                        document.pointer(&format!("/components/schemas/{name}")),
                    ) {
                        collect_refs(document, target, config, seen);
                    }
                }
            }
            for child in map.values() {
                collect_refs(document, child, config, seen);
            }
        }
        Value::Array(items) => {
            for child in items {
                collect_refs(document, child, config, seen);
            }
        }
        _ => {}
    }
}

struct Builder<'a> {
    schemas: &'a serde_json::Map<String, Value>,
    config: &'a Config,
    names: BTreeMap<String, String>,
    items: BTreeMap<String, Vec<Item>>,
    /// Union name → its shape, so a recurring shape is written once.
    unions: BTreeMap<String, String>,
}

static NO_CONFIG: SchemaConfig = SchemaConfig {
    name: None,
    doc: None,
    secret: Vec::new(),
    validate_with: None,
    use_type: None,
    always_present: Vec::new(),
    reason: None,
    new: Vec::new(),
};

impl Builder<'_> {
    fn schema_config(&self, schema: &str) -> &SchemaConfig {
        self.config.schemas.get(schema).unwrap_or(&NO_CONFIG)
    }

    /// The Rust name of a generated schema, from `codegen.toml`.
    fn name_of(&mut self, schema: &str) -> Result<String, String> {
        if let Some(name) = self.names.get(schema) {
            return Ok(name.clone());
        }
        let config = self.schema_config(schema);
        let name = if is_envelope(schema) {
            format!("envelope:{schema}")
        } else if let Some(path) = &config.use_type {
            path.clone()
        } else {
            config.name.clone().ok_or_else(|| {
                format!("schema `{schema}` has no `name` in spec/codegen.toml: add [schemas.{schema}] with a Rust name and a one-line doc")
            })?
        };
        self.names.insert(schema.to_owned(), name.clone());
        Ok(name)
    }

    fn doc_of(&self, schema: &str) -> Result<String, String> {
        self.schema_config(schema).doc.clone().ok_or_else(|| {
            format!("schema `{schema}` has no `doc` in spec/codegen.toml: write a one-line doc in the project's own words")
        })
    }

    fn definition(&self, schema: &str) -> Result<&Value, String> {
        self.schemas
            .get(schema)
            .ok_or_else(|| format!("`$ref` to a schema the document does not define: {schema}"))
    }

    /// The item for `schema` plus the inline items its fields need.
    fn items_for(&mut self, schema: &str, input: bool) -> Result<Vec<Item>, String> {
        let definition = self.definition(schema)?.clone();
        let name = self.name_of(schema)?;
        let doc = self.doc_of(schema)?;
        if let Some(values) = enum_values(&definition) {
            return Ok(vec![Item::Enum(StringEnum {
                name,
                doc,
                variants: variants(&values),
            })]);
        }
        let Some(properties) = definition.get("properties").and_then(Value::as_object) else {
            return Err(format!(
                "schema `{schema}` is neither an enum nor an object with properties; map it with `use = \"serde_json::Value\"` in spec/codegen.toml"
            ));
        };
        if properties.is_empty() {
            return Err(format!(
                "schema `{schema}` has no properties; map it with `use = \"serde_json::Value\"` in spec/codegen.toml"
            ));
        }
        let required: BTreeSet<&str> = definition
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let secrets: BTreeSet<String> = self.schema_config(schema).secret.iter().cloned().collect();
        let always: BTreeSet<String> = self
            .schema_config(schema)
            .always_present
            .iter()
            .cloned()
            .collect();
        let reason = self.schema_config(schema).reason.clone();
        if !always.is_empty() && reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(format!(
                "spec/codegen.toml lists `always_present` fields of `{schema}` without a `reason`; say why the API always sends them"
            ));
        }
        if input && !always.is_empty() {
            return Err(format!(
                "spec/codegen.toml lists `always_present` fields of `{schema}`, but requests send it; only answers may be strengthened"
            ));
        }
        for wire in &always {
            if !properties.contains_key(wire) {
                return Err(format!(
                    "spec/codegen.toml lists `{schema}.{wire}` as always present, but the schema has no such property"
                ));
            }
        }
        for wire in &secrets {
            if !properties.contains_key(wire) {
                return Err(format!(
                    "spec/codegen.toml marks `{schema}.{wire}` secret, but the schema has no such property"
                ));
            }
        }
        let mut extra = Vec::new();
        let mut fields = Vec::new();
        let mut rust_names = BTreeSet::new();
        for (wire, property) in properties {
            let rust = snake_case(wire);
            if !rust_names.insert(rust.clone()) {
                return Err(format!(
                    "two properties of `{schema}` become the Rust field `{rust}`"
                ));
            }
            let context = format!("{name}{}", pascal_case(wire));
            let (nullable, inner) = split_nullable(property);
            let mut ty = self.type_of(&inner, &context, &mut extra)?;
            if secrets.contains(wire) {
                ty = secret_type(ty).ok_or_else(|| {
                    format!(
                        "`{schema}.{wire}` is marked secret but is not a string or a map of strings"
                    )
                })?;
            }
            let is_required = required.contains(wire.as_str());
            let checks = checks_of(&inner);
            if let Some(Check::Pattern(pattern)) =
                checks.iter().find(|c| matches!(c, Check::Pattern(_)))
            {
                regex_lite::Regex::new(pattern).map_err(|e| {
                    format!("`{schema}.{wire}`: pattern {pattern} does not compile: {e}")
                })?;
            }
            let doc = field_doc(
                wire,
                property,
                &inner,
                &ty,
                is_required,
                nullable,
                secrets.contains(wire),
            );
            let always_present = always.contains(wire);
            let doc = match (&reason, always_present) {
                (Some(reason), true) => format!(
                    "{} The SDK treats it as always present in answers, a plain value: {}. An answer without it is `Error::MissingData`.",
                    doc.replacen(", optional", ", optional in the document", 1),
                    reason.trim().trim_end_matches('.')
                ),
                _ => doc,
            };
            if (nullable || !is_required) && !always_present {
                ty = Ty::Option(Box::new(ty));
            }
            fields.push(Field {
                wire: wire.clone(),
                rust,
                ty,
                required: is_required || always_present,
                always_present,
                doc,
                checks,
            });
        }
        let additional = match definition.get("additionalProperties") {
            Some(Value::Bool(true)) => Some(Ty::Json),
            Some(values @ Value::Object(_)) => {
                Some(self.type_of(values, &format!("{name}Additional"), &mut extra)?)
            }
            _ => None,
        };
        let new_order = self.constructor_order(schema, input, &fields)?;
        let mut items = vec![Item::Struct(Struct {
            new_order,
            schema: schema.to_owned(),
            name,
            doc,
            fields,
            input,
            holds_secret: false,
            validate_with: self.schema_config(schema).validate_with.clone(),
            additional,
        })];
        items.append(&mut extra);
        Ok(items)
    }

    /// The order of a request body's constructor arguments: with more than
    /// one required field, `new` in `codegen.toml` must list exactly them,
    /// so a field the document adds or renames stops the generator instead
    /// of silently shifting what each position means.
    fn constructor_order(
        &self,
        schema: &str,
        input: bool,
        fields: &[Field],
    ) -> Result<Vec<String>, String> {
        let required: Vec<String> = fields
            .iter()
            .filter(|f| f.required && !f.always_present)
            .map(|f| f.wire.clone())
            .collect();
        let listed = &self.schema_config(schema).new;
        if !input {
            if !listed.is_empty() {
                return Err(format!(
                    "spec/codegen.toml gives `new` for `{schema}`, which no request sends"
                ));
            }
            return Ok(required);
        }
        if required.len() < 2 && listed.is_empty() {
            return Ok(required);
        }
        let mut sorted_listed = listed.clone();
        sorted_listed.sort();
        if sorted_listed != required {
            return Err(format!(
                "spec/codegen.toml: `new` of [schemas.{schema}] must list its required fields {required:?} in the order the constructor takes them (it lists {listed:?})"
            ));
        }
        Ok(listed.clone())
    }

    /// The Rust type of a (non-null) schema; inline enums and unions are
    /// added to `extra` under the name `context`.
    fn type_of(
        &mut self,
        schema: &Value,
        context: &str,
        extra: &mut Vec<Item>,
    ) -> Result<Ty, String> {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let target = reference
                .strip_prefix("#/components/schemas/")
                .ok_or_else(|| format!("unsupported `$ref` {reference}"))?;
            return self.type_of_ref(target);
        }
        if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
            let (nullable, inner) = split_nullable(schema);
            if nullable {
                return Ok(Ty::Option(Box::new(self.type_of(&inner, context, extra)?)));
            }
            let mut variants = Vec::new();
            for branch in branches {
                let ty = self.type_of(branch, &format!("{context}Item"), extra)?;
                let ty = match split_nullable(branch) {
                    (true, _) => Ty::Option(Box::new(ty)),
                    (false, _) => ty,
                };
                variants.push((ty.variant_name(), ty));
            }
            // Named by shape (`TextOrList`) and written once, wherever it recurs.
            let name = variants
                .iter()
                .map(|(v, _)| v.as_str())
                .collect::<Vec<_>>()
                .join("Or");
            let shape = format!("{variants:?}");
            match self.unions.get(&name) {
                Some(existing) if *existing == shape => {}
                Some(_) => {
                    return Err(format!(
                        "two different `anyOf` shapes are both named `{name}` (at `{context}`)"
                    ));
                }
                None => {
                    self.unions.insert(name.clone(), shape);
                    extra.push(Item::Union(Union {
                        name: name.clone(),
                        doc: format!(
                            "A value the document lets take several shapes: {}.",
                            variants
                                .iter()
                                .map(|(_, t)| describe(t))
                                .collect::<Vec<_>>()
                                .join(", or ")
                        ),
                        variants,
                        holds_secret: false,
                    }));
                }
            }
            return Ok(Ty::Named(name, NamedKind::Union));
        }
        if let Some(values) = enum_values(schema) {
            extra.push(Item::Enum(StringEnum {
                name: context.to_owned(),
                doc: format!(
                    "The values the document allows for this field: {}.",
                    values
                        .iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                variants: variants(&values),
            }));
            return Ok(Ty::Named(context.to_owned(), NamedKind::Enum));
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("string") => Ok(match schema.get("format").and_then(Value::as_str) {
                Some("date-time") => Ty::Timestamp,
                _ => Ty::Text,
            }),
            Some("integer") => Ok(Ty::Integer),
            Some("number") => Ok(Ty::Number),
            Some("boolean") => Ok(Ty::Bool),
            Some("array") => {
                let items = schema.get("items").cloned().unwrap_or(Value::Bool(true));
                Ok(Ty::List(Box::new(self.type_of(
                    &items,
                    &format!("{context}Item"),
                    extra,
                )?)))
            }
            Some("object") => {
                if schema
                    .get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|p| !p.is_empty())
                {
                    return Err(format!(
                        "an inline object with properties at `{context}`: give it a schema of its own"
                    ));
                }
                match schema.get("additionalProperties") {
                    Some(values @ Value::Object(_)) => Ok(Ty::Map(Box::new(self.type_of(
                        values,
                        &format!("{context}Value"),
                        extra,
                    )?))),
                    _ => Ok(Ty::JsonObject),
                }
            }
            None if schema
                .as_object()
                .is_none_or(|map| map.keys().all(|k| k == "default")) =>
            {
                Ok(Ty::Json)
            }
            None | Some(_) => Err(format!("unsupported schema at `{context}`: {schema}")),
        }
    }

    fn type_of_ref(&mut self, target: &str) -> Result<Ty, String> {
        let definition = self.definition(target)?.clone();
        if let Some(path) = &self.schema_config(target).use_type {
            return Ok(if path == "serde_json::Value" {
                Ty::Json
            } else {
                Ty::External(path.clone())
            });
        }
        if is_envelope(target) {
            return Err(format!(
                "a property refers to the envelope `{target}`; envelopes are only expected as whole responses"
            ));
        }
        let name = self.name_of(target)?;
        let kind = if enum_values(&definition).is_some() {
            NamedKind::Enum
        } else {
            NamedKind::Struct
        };
        Ok(Ty::Named(name, kind))
    }
}

/// The string values of an `enum` (or `const`) schema.
fn enum_values(schema: &Value) -> Option<Vec<String>> {
    let values = schema.get("enum").and_then(Value::as_array)?;
    Some(
        values
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    )
}

/// Variant names for enum values, duplicates removed (the document repeats
/// at least one GPU type) and name clashes numbered.
fn variants(values: &[String]) -> Vec<(String, String)> {
    let mut seen_values = BTreeSet::new();
    let mut seen_names = BTreeSet::new();
    let mut out = Vec::new();
    for value in values {
        if !seen_values.insert(value.clone()) {
            continue;
        }
        let base = pascal_case(value);
        let mut name = base.clone();
        let mut n = 2;
        while !seen_names.insert(name.clone()) {
            name = format!("{base}V{n}");
            n += 1;
        }
        out.push((name, value.clone()));
    }
    out
}

/// Splits `anyOf [X, {type: null}]` into (nullable, X). Several non-null
/// branches stay an `anyOf` (without the null one).
pub(crate) fn split_nullable(schema: &Value) -> (bool, Value) {
    let Some(branches) = schema.get("anyOf").and_then(Value::as_array) else {
        return (
            schema.get("type").and_then(Value::as_str) == Some("null"),
            schema.clone(),
        );
    };
    let is_null = |b: &Value| b.get("type").and_then(Value::as_str) == Some("null");
    let rest: Vec<Value> = branches.iter().filter(|b| !is_null(b)).cloned().collect();
    let nullable = rest.len() < branches.len();
    match rest.as_slice() {
        [single] => (nullable, single.clone()),
        _ => {
            let mut without = schema.clone();
            if let Some(map) = without.as_object_mut() {
                map.insert("anyOf".into(), Value::Array(rest));
            }
            (nullable, without)
        }
    }
}

/// Where a secret field's string sits, `SecretString` goes instead.
fn secret_type(ty: Ty) -> Option<Ty> {
    match ty {
        Ty::Text => Some(Ty::Secret),
        Ty::Map(inner) if *inner == Ty::Text => Some(Ty::Map(Box::new(Ty::Secret))),
        Ty::Option(inner) => secret_type(*inner).map(|t| Ty::Option(Box::new(t))),
        _ => None,
    }
}

fn checks_of(schema: &Value) -> Vec<Check> {
    let number = |key: &str| schema.get(key).and_then(|v| v.as_number().cloned());
    let count = |key: &str| schema.get(key).and_then(Value::as_u64);
    let mut checks = Vec::new();
    if let Some(n) = count("minLength") {
        checks.push(Check::MinLength(n));
    }
    if let Some(n) = count("maxLength") {
        checks.push(Check::MaxLength(n));
    }
    if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
        checks.push(Check::Pattern(p.to_owned()));
    }
    if let Some(n) = number("minimum") {
        checks.push(Check::Minimum(n, false));
    }
    if let Some(n) = number("exclusiveMinimum") {
        checks.push(Check::Minimum(n, true));
    }
    if let Some(n) = number("maximum") {
        checks.push(Check::Maximum(n, false));
    }
    if let Some(n) = number("exclusiveMaximum") {
        checks.push(Check::Maximum(n, true));
    }
    if let Some(n) = count("minItems") {
        checks.push(Check::MinItems(n));
    }
    if let Some(n) = count("maxItems") {
        checks.push(Check::MaxItems(n));
    }
    checks
}

/// A field's doc, built from the document's facts only.
fn field_doc(
    wire: &str,
    property: &Value,
    inner: &Value,
    ty: &Ty,
    required: bool,
    nullable: bool,
    secret: bool,
) -> String {
    let mut doc = format!("`{wire}`: {}", describe(ty));
    doc.push_str(if required { ", required" } else { ", optional" });
    if nullable {
        doc.push_str(", may be null");
    }
    doc.push('.');
    let mut rules = Vec::new();
    for check in checks_of(inner) {
        rules.push(match check {
            Check::MinLength(1) => "not empty".to_owned(),
            Check::MinLength(n) => format!("at least {n} characters"),
            Check::MaxLength(n) => format!("at most {n} characters"),
            Check::Pattern(p) => format!("matches `{p}`"),
            Check::Minimum(n, false) => format!("at least {n}"),
            Check::Minimum(n, true) => format!("greater than {n}"),
            Check::Maximum(n, false) => format!("at most {n}"),
            Check::Maximum(n, true) => format!("less than {n}"),
            Check::MinItems(1) => "at least 1 item".to_owned(),
            Check::MinItems(n) => format!("at least {n} items"),
            Check::MaxItems(n) => format!("at most {n} items"),
        });
    }
    if let Some(values) = enum_values(inner) {
        let mut unique: Vec<String> = Vec::new();
        for v in values {
            if !unique.contains(&v) {
                unique.push(v);
            }
        }
        rules.push(format!(
            "one of {}",
            unique
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !rules.is_empty() {
        doc.push_str(&format!(" Rules: {}.", rules.join("; ")));
    }
    if let Some(default) = property.get("default").or_else(|| inner.get("default")) {
        doc.push_str(&format!(" Server default: `{default}`."));
    }
    if secret {
        doc.push_str(" Secret material: redacted in `Debug`.");
    }
    if property.get("deprecated").and_then(Value::as_bool) == Some(true) {
        doc.push_str(" Deprecated in the document.");
    }
    doc
}

fn describe(ty: &Ty) -> String {
    match ty {
        Ty::Text => "string".into(),
        Ty::Secret => "secret string".into(),
        Ty::Bool => "boolean".into(),
        Ty::Integer => "integer".into(),
        Ty::Number => "number".into(),
        Ty::Timestamp => "date-time".into(),
        Ty::Json => "any JSON value".into(),
        Ty::JsonObject => "JSON object".into(),
        // The link target is the path the field's type is written with, so
        // it resolves from whichever module the type lives in.
        Ty::Named(name, _) => format!("[`{name}`](super::{name})"),
        Ty::External(path) => format!("[`{}`]({path})", path.trim_start_matches("crate::")),
        Ty::List(inner) => format!("list of {}", describe(inner)),
        Ty::Map(inner) => format!("map of string to {}", describe(inner)),
        Ty::Option(inner) => format!("{} or null", describe(inner)),
    }
}

/// Structs and unions that hold secret material, to the fixpoint.
fn mark_secret_holders(model: &mut Model) {
    let mut holders = BTreeSet::new();
    loop {
        let before = holders.len();
        for items in model.modules.values() {
            for item in items {
                let (name, holds) = match item {
                    Item::Struct(s) => (
                        &s.name,
                        s.fields.iter().any(|f| f.ty.holds_secret(&holders)),
                    ),
                    Item::Union(u) => (
                        &u.name,
                        u.variants.iter().any(|(_, t)| t.holds_secret(&holders)),
                    ),
                    Item::Enum(_) => continue,
                };
                if holds {
                    holders.insert(name.clone());
                }
            }
        }
        if holders.len() == before {
            break;
        }
    }
    for items in model.modules.values_mut() {
        for item in items {
            match item {
                Item::Struct(s) => s.holds_secret = holders.contains(&s.name),
                Item::Union(u) => u.holds_secret = holders.contains(&u.name),
                Item::Enum(_) => {}
            }
        }
    }
}

/// Suffixes that give a FastAPI model name away; a public name must not end
/// in one of them.
pub(crate) const FASTAPI_SUFFIXES: [&str; 6] =
    ["Request", "Response", "Config", "Enum", "Obj", "Info"];

/// Why `name` is not an idiomatic public type name, if it is not.
pub(crate) fn name_problem(name: &str) -> Option<String> {
    let chars: Vec<char> = name.chars().collect();
    let lone_underscore = chars.iter().enumerate().any(|(i, c)| {
        *c == '_'
            && !(i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(char::is_ascii_digit))
    });
    if lone_underscore {
        return Some("has an underscore".into());
    }
    if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return Some("is not PascalCase".into());
    }
    if chars
        .windows(3)
        .any(|w| w.iter().all(char::is_ascii_uppercase))
    {
        return Some("has a run of three capitals (write acronyms as words: `Api`, `Gpu`)".into());
    }
    FASTAPI_SUFFIXES
        .iter()
        .find(|suffix| name.ends_with(*suffix))
        .map(|suffix| format!("ends in the FastAPI-style suffix `{suffix}`"))
}

/// Every generated type name is idiomatic, and no two schemas share one.
fn check_names(model: &Model) -> Result<(), String> {
    let mut owners: BTreeMap<&str, &str> = BTreeMap::new();
    for (schema, name) in &model.names {
        if name.starts_with("envelope:") || name.contains("::") {
            continue;
        }
        if let Some(problem) = name_problem(name) {
            return Err(format!(
                "the Rust name `{name}` of schema `{schema}` {problem}; rename it in spec/codegen.toml"
            ));
        }
        if let Some(other) = owners.insert(name, schema) {
            return Err(format!(
                "schemas `{other}` and `{schema}` are both named `{name}` in spec/codegen.toml"
            ));
        }
    }
    let mut all = BTreeSet::new();
    for items in model.modules.values() {
        for item in items {
            let name = match item {
                Item::Struct(s) => &s.name,
                Item::Enum(e) => &e.name,
                Item::Union(u) => &u.name,
            };
            if !all.insert(name.clone()) {
                return Err(format!(
                    "two generated items are named `{name}`; rename one in spec/codegen.toml"
                ));
            }
        }
    }
    Ok(())
}
