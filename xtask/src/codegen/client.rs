//! The client's repetitive layer, from the document and `[areas]` /
//! `[operations]` of `codegen.toml`: per area a named handle, per operation
//! its endpoint (method, path template, where the team travels, how it
//! pages), a request type ending in `.send()` with a setter per optional
//! input, and the handle method that starts it. Written to
//! `crates/pi-client/src/generated/`; the hand-written area files add only
//! what the document cannot say.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::config::{Config, OperationConfig};
use super::emit::{client_type, doc_attr, field_ident, format_file, rust_path};
use super::model::{Field, Item, Model, Struct, Ty, is_envelope, split_nullable};
use super::names::{pascal_case, snake_case};

/// The folder the client's generated modules live in, from the workspace root.
pub(crate) const CLIENT_DIR: &str = "crates/pi-client/src/generated";

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// File name (under the client's `generated/`) → contents, `mod.rs` included.
pub(crate) fn render(
    document: &Value,
    config: &Config,
    model: &Model,
) -> Result<BTreeMap<String, String>, String> {
    let structs: BTreeMap<&str, &Struct> = model
        .modules
        .values()
        .flatten()
        .filter_map(|item| match item {
            Item::Struct(s) => Some((s.schema.as_str(), s)),
            _ => None,
        })
        .collect();
    let context = Context {
        document,
        model,
        structs,
    };
    let mut by_area: BTreeMap<String, Vec<Operation>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let paths = document
        .get("paths")
        .and_then(Value::as_object)
        .ok_or("the document has no paths")?;
    for (path, item) in paths {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let key = format!("{} {path}", method.to_uppercase());
            let settings = config.operations.get(&key).ok_or_else(|| {
                format!("operation `{key}` has no [operations.\"{key}\"] in spec/codegen.toml: give it a `call`, a `doc` and its `args`")
            })?;
            seen.insert(key.clone());
            let tag = operation
                .pointer("/tags/0")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let module = config.modules.get(tag).cloned().ok_or_else(|| {
                format!("tag `{tag}` has no module in [modules] of spec/codegen.toml")
            })?;
            let base = match config
                .areas
                .get(&module)
                .and_then(|area| area.base.as_deref())
            {
                None => quote!(),
                Some("traces") => quote!(.on_traces_base()),
                Some(other) => {
                    return Err(format!(
                        "[areas.{module}] names the base `{other}`; the only other base is `traces`"
                    ));
                }
            };
            let mut built = context.operation(&key, method, path, operation, settings)?;
            let endpoint = &built.endpoint;
            built.endpoint = quote!(#endpoint #base);
            by_area.entry(module).or_default().push(built);
        }
    }
    if let Some(extra) = config.operations.keys().find(|key| !seen.contains(*key)) {
        return Err(format!(
            "spec/codegen.toml has [operations.\"{extra}\"], which the document does not have"
        ));
    }
    let mut files = BTreeMap::new();
    let mut paged = BTreeMap::new();
    for (module, operations) in &mut by_area {
        operations.sort_by(|a, b| a.call.cmp(&b.call));
        let area = config.areas.get(module).ok_or_else(|| {
            format!("module `{module}` has no [areas.{module}] in spec/codegen.toml: give it a `handle` and a `doc`")
        })?;
        let tokens = area_file(module, &area.handle, &area.doc, operations)?;
        files.insert(format!("{module}.rs"), format_file(tokens, module)?);
        for operation in operations.iter() {
            if let Some(list) = &operation.list {
                paged.insert(operation.output.to_string(), list.clone());
            }
        }
    }
    files.insert(
        "mod.rs".to_owned(),
        format_file(index(by_area.keys(), &paged), "mod")?,
    );
    Ok(files)
}

struct Context<'a> {
    document: &'a Value,
    model: &'a Model,
    structs: BTreeMap<&'a str, &'a Struct>,
}

/// One operation, ready to be written.
struct Operation {
    call: String,
    doc: String,
    endpoint: TokenStream,
    /// The endpoint constant's name.
    constant: proc_macro2::Ident,
    /// The handle method's parameters and the statements that apply them.
    params: Vec<TokenStream>,
    apply: Vec<TokenStream>,
    /// The body: its Rust type and constructor call.
    body: Option<(TokenStream, TokenStream)>,
    setters: Vec<TokenStream>,
    takes_team: bool,
    has_path: bool,
    answer: TokenStream,
    output: TokenStream,
    /// How the answer's items are read, for lists that stream.
    list: Option<ListAnswer>,
    retry_safe_with: Option<proc_macro2::Ident>,
    enums: Vec<TokenStream>,
    missing_data: bool,
    /// For a multipart body: each part's name, media type and file name.
    form: Option<TokenStream>,
}

/// How a list answer gives its items and its total.
#[derive(Clone)]
struct ListAnswer {
    answer: TokenStream,
    item: TokenStream,
    items: proc_macro2::Ident,
    total: proc_macro2::Ident,
    /// The answer may leave its items out (`Option`): a missing list is
    /// an empty page.
    items_optional: bool,
    /// The answer may leave its total out (`Option`): a page without one
    /// is the whole list, as servers answer that do not page.
    total_optional: bool,
    /// `None` for the `Page` envelope, whose impl is hand-written.
    generated: bool,
    /// For a cursor-paged list, the field holding the next page's cursor
    /// (then `total` is unused).
    next: Option<proc_macro2::Ident>,
}

/// A query parameter as the document declares it.
struct Query {
    wire: String,
    schema: Value,
    required: bool,
}

/// Where a handle-method argument goes.
enum Input<'a> {
    Path,
    Query(&'a Query),
    Header(&'a Query),
    Body(&'a Field),
}

/// The header that carries the team, where an operation takes it there.
const TEAM_HEADER: &str = "X-Prime-Team-ID";

impl Context<'_> {
    fn operation(
        &self,
        key: &str,
        method: &str,
        path: &str,
        operation: &Value,
        settings: &OperationConfig,
    ) -> Result<Operation, String> {
        let at = |message: String| format!("{key}: {message}");
        let path_params: Vec<String> = path
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split('}').next())
            .map(str::to_owned)
            .collect();
        let queries = self.parameters_in(operation, "query");
        let headers = self.parameters_in(operation, "header");
        let form_media = operation.pointer("/requestBody/content/multipart~1form-data");
        let body_schema = operation
            .pointer("/requestBody/content/application~1json/schema")
            .or_else(|| form_media.and_then(|media| media.get("schema")));
        let body_struct = match body_schema {
            None => None,
            Some(schema) => {
                let (_, inner) = split_nullable(schema);
                let reference = reference(&inner)
                    .ok_or_else(|| at("the request body is not a named schema".into()))?;
                Some(
                    *self
                        .structs
                        .get(reference)
                        .ok_or_else(|| at(format!("no generated type for body `{reference}`")))?,
                )
            }
        };

        // The team: a query parameter or a body field the handle fills.
        // A required team parameter is an argument like any other: the
        // call cannot fall back on the client's default team.
        let team_query = queries
            .iter()
            .find(|q| !q.required && (q.wire == "teamId" || q.wire == "team_id"));
        let team_field = body_struct.and_then(|s| {
            s.fields
                .iter()
                .find(|f| matches!(f.wire.as_str(), "teamId" | "team_id" | "team"))
        });
        let team_header = headers
            .iter()
            .find(|h| h.wire.eq_ignore_ascii_case(TEAM_HEADER));
        let team = match (team_query, team_field) {
            (None, None) if team_header.is_some() => quote!(.team_in_header(#TEAM_HEADER)),
            (Some(q), _) => {
                let name = &q.wire;
                quote!(.team_in_query(#name))
            }
            (None, Some(f)) => {
                let at = if f.wire == "team" {
                    "team.teamId".to_owned()
                } else {
                    f.wire.clone()
                };
                quote!(.team_in_body(#at))
            }
            (None, None) => quote!(),
        };
        let team_wire: Option<&str> = team_query
            .map(|q| q.wire.as_str())
            .or(team_field.map(|f| f.wire.as_str()))
            .or(team_header.map(|h| h.wire.as_str()));

        let find = |wire: &str| -> Option<Input<'_>> {
            if path_params.iter().any(|p| p == wire) {
                return Some(Input::Path);
            }
            if let Some(q) = queries.iter().find(|q| q.wire == wire) {
                return Some(Input::Query(q));
            }
            if let Some(h) = headers.iter().find(|h| h.wire == wire) {
                return Some(Input::Header(h));
            }
            body_struct
                .and_then(|s| s.fields.iter().find(|f| f.wire == wire))
                .map(Input::Body)
        };

        // Every required input is an argument, in the configured order.
        let mut required: Vec<String> = path_params.clone();
        required.extend(
            queries
                .iter()
                .chain(&headers)
                .filter(|q| q.required)
                .map(|q| q.wire.clone()),
        );
        if let Some(s) = body_struct {
            required.extend(
                s.new_order
                    .iter()
                    .filter(|w| !settings.fill.contains_key(*w))
                    .cloned(),
            );
        }
        for wire in &required {
            if !settings.args.contains(wire) {
                return Err(at(format!(
                    "the required input `{wire}` is not in `args` of [operations.\"{key}\"] in spec/codegen.toml; list every required input in the order the call takes them"
                )));
            }
        }
        let mut params = Vec::new();
        let mut apply = Vec::new();
        let mut body_args: BTreeMap<String, TokenStream> = BTreeMap::new();
        let mut optional_body_args = Vec::new();
        for wire in &settings.args {
            let input = find(wire).ok_or_else(|| {
                at(format!(
                    "`args` names `{wire}`, which is no input of the operation"
                ))
            })?;
            let ident = ident(&snake_case(wire));
            match input {
                Input::Path => {
                    params.push(quote!(#ident: impl AsRef<str>));
                    apply.push(quote!(call.path(#wire, #ident.as_ref());));
                }
                Input::Query(query) => {
                    let (param, statement) = self.query_setter(query, &ident, settings)?;
                    params.push(quote!(#ident: #param));
                    apply.push(statement);
                }
                Input::Header(header) => {
                    let (param, statement) = self.header_setter(header, &ident)?;
                    params.push(quote!(#ident: #param));
                    apply.push(statement);
                }
                Input::Body(field) => {
                    let (param, value) = body_param(field);
                    params.push(quote!(#ident: #param));
                    if field.required {
                        body_args.insert(wire.clone(), value);
                    } else {
                        let setter = format_ident!("with_{}", field.rust);
                        optional_body_args.push(quote!(.#setter(#value)));
                    }
                }
            }
        }
        // A bearer token of the call's own replaces the API key.
        if let Some(name) = &settings.bearer {
            let ident = ident(&snake_case(name));
            params.push(quote!(#ident: &pi_types::SecretString));
            apply.push(quote!(call.bearer(#ident);));
        }
        for (wire, expression) in &settings.fill {
            let optional = body_struct
                .and_then(|s| s.fields.iter().find(|f| &f.wire == wire))
                .filter(|f| !f.required);
            if let Some(field) = optional {
                let setter = format_ident!("with_{}", field.rust);
                let value = rust_path(expression);
                optional_body_args.push(quote!(.#setter(#value)));
            }
        }
        let body = match body_struct {
            None => None,
            Some(s) => {
                let name = self
                    .model
                    .names
                    .get(&s.schema)
                    .ok_or_else(|| at(format!("no Rust name for `{}`", s.schema)))?;
                let ty = model_path(name);
                let mut values = Vec::new();
                for wire in &s.new_order {
                    if let Some(value) = body_args.remove(wire) {
                        values.push(value);
                    } else if let Some(expression) = settings.fill.get(wire) {
                        values.push(rust_path(expression));
                    } else {
                        return Err(at(format!("the body field `{wire}` has no value")));
                    }
                }
                Some((
                    ty.clone(),
                    quote!(#ty::new(#(#values),*) #(#optional_body_args)*),
                ))
            }
        };

        // Setters: every optional input that is neither an argument, the
        // team, nor left to hand-written code.
        let skipped = |wire: &str| {
            settings.args.iter().any(|a| a == wire)
                || settings.skip.iter().any(|s| s == wire)
                || team_wire == Some(wire)
        };
        let mut setters = Vec::new();
        let mut enums = Vec::new();
        // A query or header input's setter: it records the value on the call.
        let name_of = |wire: &str| {
            let name = settings
                .rename
                .get(wire)
                .cloned()
                .unwrap_or_else(|| snake_case(wire));
            (ident(&name), ident(&snake_case(wire)))
        };
        let call_setter = |doc: TokenStream, setter, value, param, statement| {
            quote! {
                #doc
                pub fn #setter(mut self, #value: #param) -> Self {
                    let call = &mut self.call;
                    #statement
                    self
                }
            }
        };
        for query in &queries {
            if skipped(&query.wire) {
                continue;
            }
            let (setter, value) = name_of(&query.wire);
            let (param, statement) = self.query_setter(query, &value, settings)?;
            let doc = doc_attr(&query_doc(query));
            setters.push(call_setter(doc, setter, value, param, statement));
            if let Some(name) = settings.enums.get(&query.wire) {
                enums.push(inline_enum(name, query)?);
            }
        }
        // A family of query parameters named by a prefix (the supplement's
        // `x-pi-query-prefixes`): one setter taking the key and the value,
        // named after the prefix.
        let families = operation
            .get("x-pi-query-prefixes")
            .and_then(Value::as_object);
        for (prefix, schema) in families.into_iter().flatten() {
            if schema.get("type").and_then(Value::as_str) != Some("string") {
                return Err(at(format!(
                    "the query prefix `{prefix}` takes values other than strings, which the generator does not know"
                )));
            }
            let setter = ident(&snake_case(
                prefix.trim_end_matches(|c: char| !c.is_alphanumeric()),
            ));
            let doc = doc_attr(&format!(
                "Adds the query parameter `{prefix}<key>` set to `value`; each call adds one more. An empty key is refused when the request is sent."
            ));
            setters.push(quote! {
                #doc
                pub fn #setter(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
                    self.call.prefixed_query(#prefix, key.into(), value.into());
                    self
                }
            });
        }
        for header in &headers {
            if skipped(&header.wire) {
                continue;
            }
            let (setter, value) = name_of(&header.wire);
            let (param, statement) = self.header_setter(header, &value)?;
            let doc = doc_attr(&format!("Sets the request header `{}`.", header.wire));
            setters.push(call_setter(doc, setter, value, param, statement));
        }
        if let Some(s) = body_struct {
            for field in &s.fields {
                let filled = settings.fill.contains_key(&field.wire);
                if (field.required && !filled) || skipped(&field.wire) {
                    continue;
                }
                let name = settings
                    .rename
                    .get(&field.wire)
                    .cloned()
                    .unwrap_or_else(|| field.rust.clone());
                let setter = ident(&name);
                let value = field_ident(field);
                let with = format_ident!("with_{}", field.rust);
                let (param, converted) = body_param(field);
                let doc = doc_attr(&format!("Sets {}", client_links(&field.doc)));
                let assign = if filled {
                    let filled = filled_value(field, converted);
                    quote!(self.body.#value = #filled;)
                } else {
                    quote!(self.body = self.body.#with(#converted);)
                };
                setters.push(quote! {
                    #doc
                    pub fn #setter(mut self, #value: #param) -> Self {
                        #assign
                        self
                    }
                });
            }
        }
        for wire in settings
            .skip
            .iter()
            .chain(settings.rename.keys())
            .chain(settings.enums.keys())
            .chain(settings.fill.keys())
        {
            if find(wire).is_none() {
                return Err(at(format!(
                    "spec/codegen.toml names `{wire}`, which is no input of the operation"
                )));
            }
        }

        let (answer, output, list, missing_data) = self.answer(operation, settings, &at)?;
        let paging = match settings.paging.as_deref() {
            None if settings.stream_size.is_some() => {
                return Err(at("`stream_size` needs `paging = \"page\"`".into()));
            }
            None => quote!(),
            Some(style) => {
                let start = settings
                    .start
                    .as_deref()
                    .ok_or_else(|| at("`paging` needs `start`".into()))?;
                let size = settings
                    .size
                    .as_deref()
                    .ok_or_else(|| at("`paging` needs `size`".into()))?;
                for wire in [start, size] {
                    if !queries.iter().any(|q| q.wire == wire) {
                        return Err(at(format!(
                            "the paging parameter `{wire}` is not a query parameter"
                        )));
                    }
                }
                match style {
                    "offset" => {
                        if settings.stream_size.is_some() {
                            return Err(at("`stream_size` is for `page` paging only".into()));
                        }
                        quote!(.paged(crate::endpoint::Paging::Offset { start: #start, size: #size }))
                    }
                    "page" => {
                        let maximum = queries
                            .iter()
                            .find(|q| q.wire == size)
                            .and_then(|q| q.schema.get("maximum").and_then(Value::as_i64));
                        let largest = match (maximum, settings.stream_size) {
                            (Some(largest), None) => largest,
                            (None, Some(chosen)) if chosen >= 1 => chosen,
                            (None, Some(chosen)) => {
                                return Err(at(format!(
                                    "`stream_size` is {chosen}: a page holds at least 1 item"
                                )));
                            }
                            (Some(largest), Some(_)) => {
                                return Err(at(format!(
                                    "the document gives the page size `{size}` a maximum ({largest}), which a stream asks for: drop `stream_size`"
                                )));
                            }
                            (None, None) => {
                                return Err(at(format!(
                                    "the page size `{size}` has no maximum: give the size a stream asks for in `stream_size` (what the official client asks for)"
                                )));
                            }
                        };
                        quote!(.paged(crate::endpoint::Paging::Page { start: #start, size: #size, largest: #largest }))
                    }
                    "cursor" => {
                        if settings.stream_size.is_some() {
                            return Err(at("`stream_size` is for `page` paging only".into()));
                        }
                        quote!(.paged(crate::endpoint::Paging::Cursor { start: #start, size: #size }))
                    }
                    other => return Err(at(format!("unknown paging style `{other}`"))),
                }
            }
        };
        let list = match (settings.paging.is_some(), list) {
            (false, _) => None,
            (true, Some(list)) => Some(list),
            (true, None) if settings.paging.as_deref() == Some("cursor") => {
                let items = settings
                    .items
                    .as_deref()
                    .ok_or_else(|| at("`paging = \"cursor\"` needs `items`".into()))?;
                let next = settings.next.as_deref().ok_or_else(|| {
                    at("`paging = \"cursor\"` needs `next`, the answer's next-cursor field".into())
                })?;
                let (item, items_optional) = self.item_type(operation, items, &at)?;
                Some(ListAnswer {
                    answer: output.clone(),
                    item,
                    items: ident(&snake_case(items)),
                    total: ident(&snake_case(next)),
                    items_optional,
                    total_optional: false,
                    generated: true,
                    next: Some(ident(&snake_case(next))),
                })
            }
            (true, None) => {
                let items = settings
                    .items
                    .as_deref()
                    .ok_or_else(|| at("`paging` on a non-envelope answer needs `items`".into()))?;
                let total = settings
                    .total
                    .as_deref()
                    .ok_or_else(|| at("`paging` on a non-envelope answer needs `total`".into()))?;
                let (item, items_optional) = self.item_type(operation, items, &at)?;
                let total_optional = self.total_is_optional(operation, total, &at)?;
                Some(ListAnswer {
                    answer: output.clone(),
                    item,
                    items: ident(&snake_case(items)),
                    total: ident(&snake_case(total)),
                    items_optional,
                    total_optional,
                    generated: true,
                    next: None,
                })
            }
        };
        // No API key where the document asks for no credential
        // (`security: []`) or the call sends a bearer of its own.
        let anonymous = operation
            .get("security")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty);
        let auth = if anonymous || settings.bearer.is_some() {
            quote!(.without_api_key())
        } else {
            quote!()
        };
        let form = match (form_media, body_struct) {
            (Some(media), Some(s)) => {
                let mut parts = Vec::new();
                for field in &s.fields {
                    let wire = &field.wire;
                    let media_type = media
                        .pointer(&format!("/encoding/{wire}/contentType"))
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .unwrap_or_else(|| match &field.ty {
                            Ty::Text => "text/plain".to_owned(),
                            _ => "application/json".to_owned(),
                        });
                    let file = match settings.filenames.get(wire) {
                        Some(name) => quote!(Some(#name)),
                        None => quote!(None),
                    };
                    // Compressed where the document allows gzip for the
                    // part, as the official client sends it.
                    let gzip = media
                        .pointer(&format!(
                            "/encoding/{wire}/headers/Content-Encoding/schema/enum"
                        ))
                        .and_then(Value::as_array)
                        .is_some_and(|codings| codings.iter().any(|c| c == "gzip"));
                    parts.push(quote!(crate::request::FormPart {
                        name: #wire,
                        media_type: #media_type,
                        file_name: #file,
                        gzip: #gzip,
                    }));
                }
                for name in settings.filenames.keys() {
                    if !s.fields.iter().any(|f| &f.wire == name) {
                        return Err(at(format!(
                            "`filenames` names `{name}`, which is no part of the body"
                        )));
                    }
                }
                Some(quote!(&[#(#parts),*]))
            }
            _ if !settings.filenames.is_empty() => {
                return Err(at("`filenames` is for multipart bodies only".into()));
            }
            _ => None,
        };
        let constructor = format_ident!("{}", method);
        let constant = format_ident!("{}", snake_case(&settings.call).to_uppercase());
        Ok(Operation {
            call: settings.call.clone(),
            doc: settings.doc.clone(),
            endpoint: quote!(crate::endpoint::Endpoint::#constructor(#path) #team #paging #auth),
            constant,
            params,
            apply,
            body,
            setters,
            takes_team: team_wire.is_some(),
            has_path: !path_params.is_empty(),
            answer,
            output,
            list,
            retry_safe_with: settings
                .retry_safe_with
                .as_deref()
                .map(|w| ident(&snake_case(w))),
            enums,
            missing_data,
            form,
        })
    }

    /// A header input's parameter type and the statement that records it
    /// on `call`: text, or a named enum checked against its known values.
    /// The `Idempotency-Key` header also makes the call safe to retry.
    fn header_setter(
        &self,
        header: &Query,
        value: &proc_macro2::Ident,
    ) -> Result<(TokenStream, TokenStream), String> {
        let wire = &header.wire;
        let retry = if wire.eq_ignore_ascii_case("Idempotency-Key") {
            quote!(call.retry_safe();)
        } else {
            quote!()
        };
        let schema = &header.schema;
        Ok(match schema.get("type").and_then(Value::as_str) {
            Some("string") if schema.get("x-ref").is_some() => {
                let name = self.enum_name(schema)?;
                (
                    quote!(#name),
                    quote!(call.check_known(#wire.to_owned(), &#value); call.header(#wire, pi_types::WireEnum::as_str(&#value).to_owned()); #retry),
                )
            }
            Some("string") => (
                quote!(impl Into<String>),
                quote!(call.header(#wire, #value.into()); #retry),
            ),
            _ => {
                return Err(format!(
                    "the header `{wire}` has a type the generator does not know"
                ));
            }
        })
    }

    /// Follows a parameter schema's `$ref`, if it has one.
    fn resolve(&self, schema: Value) -> Value {
        let (_, inner) = split_nullable(&schema);
        match reference(&inner) {
            Some(name) => self
                .document
                .pointer(&format!("/components/schemas/{name}"))
                .cloned()
                .map(|mut definition| {
                    if let Value::Object(map) = &mut definition {
                        map.insert("x-ref".into(), Value::String(name.to_owned()));
                    }
                    definition
                })
                .unwrap_or(inner),
            None => inner,
        }
    }

    /// A query input's parameter type and the statement that records it on
    /// `call` (a `&mut Call`), checking the document's rules.
    fn query_setter(
        &self,
        query: &Query,
        value: &proc_macro2::Ident,
        settings: &OperationConfig,
    ) -> Result<(TokenStream, TokenStream), String> {
        let wire = &query.wire;
        let schema = &query.schema;
        let paging_role = if settings.start.as_deref() == Some(wire.as_str()) {
            Some(quote!(start))
        } else if settings.size.as_deref() == Some(wire.as_str()) {
            Some(quote!(size))
        } else {
            None
        };
        let kind = schema.get("type").and_then(Value::as_str);
        let bound = |key: &str| match schema.get(key).and_then(Value::as_i64) {
            Some(n) => {
                let shown = n.to_string();
                quote!(Some((#n, #shown)))
            }
            None => quote!(None),
        };
        Ok(match kind {
            Some("integer") => {
                let (least, most) = (bound("minimum"), bound("maximum"));
                let record = match paging_role {
                    Some(role) => quote!(call.#role(#value);),
                    None => quote!(call.query(#wire, #value.to_string());),
                };
                (
                    quote!(i64),
                    quote!(call.check_bounds(#wire, #value, #least, #most); #record),
                )
            }
            Some("boolean") => (quote!(bool), quote!(call.query(#wire, #value.to_string());)),
            Some("string") if schema.get("x-ref").is_some() => {
                let name = self.enum_name(schema)?;
                (
                    quote!(#name),
                    quote!(call.check_known(#wire.to_owned(), &#value); call.query(#wire, pi_types::WireEnum::as_str(&#value).to_owned());),
                )
            }
            Some("string") if schema.get("enum").is_some() => {
                let name = settings.enums.get(wire).ok_or_else(|| {
                    format!(
                        "the query parameter `{wire}` is an inline enum: name its type in `enums`"
                    )
                })?;
                let name = format_ident!("{}", name);
                (
                    quote!(#name),
                    quote!(call.query(#wire, #value.as_str().to_owned());),
                )
            }
            Some("string") if settings.start.as_deref() == Some(wire.as_str()) => (
                quote!(impl Into<String>),
                quote!(call.cursor(#value.into());),
            ),
            Some("string") => (
                quote!(impl Into<String>),
                quote!(call.query(#wire, #value.into());),
            ),
            Some("number") => (quote!(f64), quote!(call.query(#wire, #value.to_string());)),
            Some("array") => {
                let items = self.resolve(schema.get("items").cloned().unwrap_or(Value::Null));
                if items.get("x-ref").is_some() {
                    let name = self.enum_name(&items)?;
                    (
                        quote!(impl IntoIterator<Item = #name>),
                        quote!(for (index, item) in #value.into_iter().enumerate() {
                            call.check_known(format!("{}[{index}]", #wire), &item);
                            call.query(#wire, pi_types::WireEnum::as_str(&item).to_owned());
                        }),
                    )
                } else {
                    (
                        quote!(impl IntoIterator<Item = impl Into<String>>),
                        quote!(for item in #value { call.query(#wire, item.into()); }),
                    )
                }
            }
            _ => {
                return Err(format!(
                    "the query parameter `{wire}` has a type the generator does not know"
                ));
            }
        })
    }

    fn enum_name(&self, schema: &Value) -> Result<TokenStream, String> {
        let reference = schema
            .get("x-ref")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let name = self
            .model
            .names
            .get(reference)
            .ok_or_else(|| format!("no Rust type for the enum `{reference}`"))?;
        Ok(model_path(name))
    }

    /// The answer's decoding, the call's output type, the list answer when
    /// the answer is the `Page` envelope, and whether the answer can be
    /// refused as missing data.
    fn answer(
        &self,
        operation: &Value,
        settings: &OperationConfig,
        at: &dyn Fn(String) -> String,
    ) -> Result<(TokenStream, TokenStream, Option<ListAnswer>, bool), String> {
        match settings.answer.as_deref() {
            Some("nothing") => {
                return Ok((
                    quote!(crate::request::answer::Nothing),
                    quote!(()),
                    None,
                    false,
                ));
            }
            Some("json") => {
                return Ok((
                    quote!(crate::request::answer::Json<serde_json::Value>),
                    quote!(serde_json::Value),
                    None,
                    false,
                ));
            }
            Some(path) => {
                let path = rust_path(path);
                return Ok((
                    quote!(crate::request::answer::Json<#path>),
                    path,
                    None,
                    false,
                ));
            }
            None => {}
        }
        let schema = success_schema(operation);
        let Some(name) = schema.as_ref().and_then(reference) else {
            return match schema {
                Some(s) if s.as_object().is_none_or(serde_json::Map::is_empty) => Ok((
                    quote!(crate::request::answer::Json<serde_json::Value>),
                    quote!(serde_json::Value),
                    None,
                    false,
                )),
                _ => Err(at(
                    "the answer is not a named schema: say how it decodes with `answer`".into(),
                )),
            };
        };
        let definition = self
            .document
            .pointer(&format!("/components/schemas/{name}"))
            .ok_or_else(|| at(format!("no schema `{name}`")))?;
        if is_envelope(name) {
            let data = definition
                .pointer("/properties/data")
                .ok_or_else(|| at(format!("the envelope `{name}` has no data")))?;
            let (_, data) = split_nullable(data);
            if name.starts_with("GenericPaginationResponse_") {
                let items = data.get("items").cloned().unwrap_or(Value::Null);
                let item = self.type_of(&items, at)?;
                let page = quote!(pi_types::Page<#item>);
                return Ok((
                    quote!(crate::request::answer::Json<#page>),
                    page.clone(),
                    Some(ListAnswer {
                        answer: page,
                        item,
                        items: ident("data"),
                        total: ident("total_count"),
                        items_optional: false,
                        total_optional: false,
                        generated: false,
                        next: None,
                    }),
                    false,
                ));
            }
            let output = self.type_of(&data, at)?;
            return Ok((
                quote!(crate::request::answer::Data<#output>),
                output,
                None,
                true,
            ));
        }
        let output = self.type_of(
            &Value::Object(
                [(
                    "$ref".to_owned(),
                    Value::String(format!("#/components/schemas/{name}")),
                )]
                .into_iter()
                .collect(),
            ),
            at,
        )?;
        let strengthened = self
            .structs
            .get(name)
            .is_some_and(|s| s.fields.iter().any(|f| f.always_present));
        Ok((
            quote!(crate::request::answer::Json<#output>),
            output,
            None,
            strengthened,
        ))
    }

    /// The Rust type of an answer schema: a named schema, a list of them, or
    /// free-form JSON.
    fn type_of(
        &self,
        schema: &Value,
        at: &dyn Fn(String) -> String,
    ) -> Result<TokenStream, String> {
        let (_, schema) = split_nullable(schema);
        if let Some(name) = reference(&schema) {
            let rust = self
                .model
                .names
                .get(name)
                .ok_or_else(|| at(format!("no Rust type for `{name}`")))?;
            return Ok(model_path(rust));
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("array") => {
                let item = self.type_of(schema.get("items").unwrap_or(&Value::Null), at)?;
                Ok(quote!(Vec<#item>))
            }
            None if schema.as_object().is_none_or(|o| o.is_empty()) => {
                Ok(quote!(serde_json::Value))
            }
            _ => Err(at(
                "an answer type the generator does not know: say how it decodes with `answer`"
                    .into(),
            )),
        }
    }

    /// The operation's parameters in `location` (`query`, `header`), with
    /// their schemas resolved.
    fn parameters_in(&self, operation: &Value, location: &str) -> Vec<Query> {
        operation
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|p| p.get("in").and_then(Value::as_str) == Some(location))
            .map(|p| Query {
                wire: p
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                schema: self.resolve(p.get("schema").cloned().unwrap_or(Value::Null)),
                required: p.get("required").and_then(Value::as_bool) == Some(true),
            })
            .collect()
    }

    /// The item type of a list answer's `items` field.
    /// The item type of a paged answer's list, and whether the answer may
    /// leave the list out.
    fn item_type(
        &self,
        operation: &Value,
        items: &str,
        at: &dyn Fn(String) -> String,
    ) -> Result<(TokenStream, bool), String> {
        let (name, field) = self.answer_field(operation, items, at)?;
        match &field.ty {
            Ty::List(item) => Ok((client_type(item), false)),
            Ty::Option(inner) => match inner.as_ref() {
                Ty::List(item) => Ok((client_type(item), true)),
                _ => Err(at(format!("`{name}.{items}` is not a list"))),
            },
            _ => Err(at(format!("`{name}.{items}` is not a list"))),
        }
    }

    /// Whether a paged answer may leave its total out.
    fn total_is_optional(
        &self,
        operation: &Value,
        total: &str,
        at: &dyn Fn(String) -> String,
    ) -> Result<bool, String> {
        let (name, field) = self.answer_field(operation, total, at)?;
        match &field.ty {
            Ty::Integer => Ok(false),
            Ty::Option(inner) if matches!(inner.as_ref(), Ty::Integer) => Ok(true),
            _ => Err(at(format!("`{name}.{total}` is not an integer"))),
        }
    }

    /// The field `wire` of an operation's named success schema.
    fn answer_field(
        &self,
        operation: &Value,
        wire: &str,
        at: &dyn Fn(String) -> String,
    ) -> Result<(String, &Field), String> {
        let name = success_schema(operation)
            .as_ref()
            .and_then(|s| reference(s).map(str::to_owned))
            .ok_or_else(|| at("a paged answer must be a named schema".into()))?;
        let field = self
            .structs
            .get(name.as_str())
            .and_then(|s| s.fields.iter().find(|f| f.wire == wire))
            .ok_or_else(|| at(format!("the answer `{name}` has no field `{wire}`")))?;
        Ok((name, field))
    }
}

/// The schema of an operation's first 2xx answer.
fn success_schema(operation: &Value) -> Option<Value> {
    let responses = operation.get("responses")?.as_object()?;
    let (_, response) = responses
        .iter()
        .find(|(status, _)| status.starts_with('2'))?;
    Some(
        response
            .pointer("/content/application~1json/schema")
            .cloned()
            .unwrap_or(Value::Object(serde_json::Map::new())),
    )
}

/// The schema name a `$ref` points at.
fn reference(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
}

/// A model's path from the client: `pi_types::Secret`, or the hand-written
/// path `codegen.toml` maps it to.
fn model_path(name: &str) -> TokenStream {
    match name.strip_prefix("crate::") {
        Some(rest) => {
            let rest = rust_path(rest);
            quote!(pi_types::#rest)
        }
        None if name.contains("::") => rust_path(name),
        None => {
            let name = format_ident!("{}", name);
            quote!(pi_types::#name)
        }
    }
}

fn ident(name: &str) -> proc_macro2::Ident {
    if super::names::is_keyword(name) {
        proc_macro2::Ident::new_raw(name, proc_macro2::Span::call_site())
    } else {
        format_ident!("{}", name)
    }
}

/// How a body field is taken (the parameter type) and handed to the body's
/// constructor or `with_*` setter (the expression).
fn body_param(field: &Field) -> (TokenStream, TokenStream) {
    let value = field_ident(field);
    let ty = match &field.ty {
        Ty::Option(inner) => inner.as_ref(),
        other => other,
    };
    match ty {
        Ty::Text => (quote!(impl Into<String>), quote!(#value)),
        Ty::Secret => (quote!(impl Into<pi_types::SecretString>), quote!(#value)),
        Ty::List(item) if **item == Ty::Text => (
            quote!(impl IntoIterator<Item = impl Into<String>>),
            quote!(#value.into_iter().map(Into::into).collect()),
        ),
        Ty::List(item) => {
            let item = client_type(item);
            (
                quote!(impl IntoIterator<Item = #item>),
                quote!(#value.into_iter().collect()),
            )
        }
        other => (client_type(other), quote!(#value)),
    }
}

/// What a setter stores in a filled body field (one the struct holds
/// directly, not through `with_*`): the setter's argument as the field's
/// type, `Some(…)` when the field may be null.
fn filled_value(field: &Field, converted: TokenStream) -> TokenStream {
    let (inner, nullable) = match &field.ty {
        Ty::Option(inner) => (inner.as_ref(), true),
        other => (other, false),
    };
    let value = match inner {
        Ty::Text | Ty::Secret => quote!(#converted.into()),
        _ => converted,
    };
    if nullable {
        quote!(Some(#value))
    } else {
        value
    }
}

/// A model's field doc as the client shows it: its links go through `pi_types`.
fn client_links(doc: &str) -> String {
    doc.replace("](super::", "](pi_types::")
        .replace("](crate::", "](pi_types::")
}

/// A query parameter's setter doc, from the document's facts.
fn query_doc(query: &Query) -> String {
    let schema = &query.schema;
    let wire = &query.wire;
    let mut doc = format!("Sets the query parameter `{wire}`");
    let mut rules = Vec::new();
    if let Some(n) = schema.get("minimum").and_then(Value::as_i64) {
        rules.push(format!("at least {n}"));
    }
    if let Some(n) = schema.get("maximum").and_then(Value::as_i64) {
        rules.push(format!("at most {n}"));
    }
    if let Some(default) = schema.get("default").filter(|d| !d.is_null()) {
        rules.push(format!("the server's default is `{default}`"));
    }
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        rules.push("each value adds to those given before".to_owned());
    }
    if !rules.is_empty() {
        doc.push_str(": ");
        doc.push_str(&rules.join(", "));
    }
    doc.push('.');
    doc
}

/// A small enum for a query parameter the document declares inline.
fn inline_enum(name: &str, query: &Query) -> Result<TokenStream, String> {
    let values: Vec<String> = query
        .schema
        .get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    if values.is_empty() {
        return Err(format!("`{}` has no enum values", query.wire));
    }
    let ident = format_ident!("{}", name);
    let variants: Vec<_> = values
        .iter()
        .map(|v| format_ident!("{}", pascal_case(v)))
        .collect();
    let doc = doc_attr(&format!(
        "The values of the query parameter `{}`.",
        query.wire
    ));
    let docs: Vec<_> = values
        .iter()
        .map(|v| doc_attr(&format!("`{v}`.")))
        .collect();
    Ok(quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #ident {
            #(#docs #variants,)*
        }

        impl #ident {
            /// The value as it travels in the query.
            pub fn as_str(self) -> &'static str {
                match self {
                    #(Self::#variants => #values,)*
                }
            }
        }
    })
}

fn area_file(
    module: &str,
    handle: &str,
    area_doc: &str,
    operations: &[Operation],
) -> Result<TokenStream, String> {
    let handle_ident = format_ident!("{}", handle);
    let accessor = ident(module);
    let file_doc = format!(
        " The `{module}` area's handle, endpoints and requests, generated from the document and `spec/codegen.toml`; the area's hand-written additions are in `src/{module}.rs`."
    );
    let handle_doc = doc_attr(&format!(
        "{area_doc} Get one with [`Client::{module}`](crate::client::Client::{module}); each method starts a request that ends in `.send()`."
    ));
    let accessor_doc = doc_attr(&format!("{area_doc} See [`{handle}`]."));
    let mut constants = Vec::new();
    let mut methods = Vec::new();
    let mut requests = Vec::new();
    for operation in operations {
        let Operation {
            call,
            doc,
            endpoint,
            constant,
            params,
            apply,
            body,
            setters,
            takes_team,
            has_path,
            answer,
            output,
            list,
            retry_safe_with,
            enums,
            missing_data,
            form,
        } = operation;
        constants.push(quote!(pub(crate) const #constant: crate::endpoint::Endpoint = #endpoint;));
        let request = format_ident!("{}{}Request", handle, pascal_case(call));
        let method = ident(call);
        let method_doc = doc_attr(doc);
        let (body_field, body_init) = match body {
            Some((ty, init)) => (quote!(pub(crate) body: #ty,), quote!(body: #init,)),
            None => (quote!(), quote!()),
        };
        let binding = if apply.is_empty() {
            quote!(let call)
        } else {
            quote!(let mut call)
        };
        methods.push(quote! {
            #method_doc
            pub fn #method(&self, #(#params),*) -> #request<'c> {
                #binding = crate::call::Call::new(self.client, &#constant);
                #(#apply)*
                #request { call, #body_init }
            }
        });
        let team = if *takes_team {
            quote! {
                /// Acts for this team instead of the client's default team.
                pub fn team(mut self, team_id: impl Into<String>) -> Self {
                    self.call.team(team_id.into());
                    self
                }

                /// Acts for your personal account, even when the client has a default team.
                pub fn personal(mut self) -> Self {
                    self.call.personal();
                    self
                }
            }
        } else {
            quote!()
        };
        let mut errors = vec![
            "[`Error::InvalidInput`](crate::error::Error::InvalidInput) (nothing sent) when an input breaks one of the document's rules".to_owned(),
        ];
        if *has_path {
            errors.push(
                "[`Error::NotFound`](crate::error::Error::NotFound) for an unknown id".to_owned(),
            );
        }
        if *missing_data {
            errors.push("[`Error::MissingData`](crate::error::Error::MissingData) when a success lacks the resource or its id".to_owned());
        }
        let errors = format!("{}, and any error of the request path.", errors.join(", "));
        let errors = doc_attr(&errors);
        let retry = match retry_safe_with {
            Some(field) => quote! {
                if self.body.#field.is_some() {
                    self.call.retry_safe();
                }
            },
            None => quote!(),
        };
        let send_call = if let Some(parts) = form {
            quote!(self.call.send_form::<#answer, _>(&self.body, #parts).await)
        } else if body.is_some() {
            quote!(self.call.send_json::<#answer, _>(&self.body).await)
        } else {
            quote!(self.call.send::<#answer>().await)
        };
        let mutable = if retry_safe_with.is_some() {
            quote!(mut)
        } else {
            quote!()
        };
        let stream = match list {
            Some(list) => {
                let item = &list.item;
                let page = &list.answer;
                let walk = if body.is_some() {
                    return Err(format!("{call}: a list with a body is not supported"));
                } else if list.next.is_some() {
                    quote!(crate::page::cursor_stream::<#page>(self.call))
                } else {
                    quote!(crate::page::stream::<#page>(self.call))
                };
                let stream_doc = if list.next.is_some() {
                    quote! {
                        /// Every item of every page from the starting one on, following each
                        /// page's cursor to the next only when the page before is used up; ends
                        /// at the last page (no next cursor), at an empty page, or after the
                        /// first error, which it yields.
                    }
                } else {
                    quote! {
                        /// Every item of every page from the starting one on, fetching the
                        /// next page only when the one before is used up; ends at the list's
                        /// total, at an empty page, or after the first error, which it yields.
                    }
                };
                quote! {
                    #stream_doc
                    pub fn into_stream(self) -> impl futures::Stream<Item = Result<#item, crate::error::Error>> + 'c {
                        #walk
                    }
                }
            }
            None => quote!(),
        };
        let send_doc = doc_attr(if list.is_some() {
            "Checks the inputs against the document's rules, then fetches one page: the one the start setter names, or the first."
        } else {
            "Checks the inputs against the document's rules, then sends the request."
        });
        let request_doc = doc_attr(&format!(
            "A request started by [`{handle}::{call}`]: set what you need, then `.send()`."
        ));
        let must_use = if list.is_some() {
            "a request does nothing until `.send()` or `.into_stream()`"
        } else {
            "a request does nothing until `.send()`"
        };
        requests.push(quote! {
            #(#enums)*

            #request_doc
            #[derive(Debug, Clone)]
            #[must_use = #must_use]
            pub struct #request<'c> {
                pub(crate) call: crate::call::Call<'c>,
                #body_field
            }

            impl<'c> #request<'c> {
                #team
                #(#setters)*

                #send_doc
                ///
                /// # Errors
                #errors
                pub async fn send(#mutable self) -> Result<#output, crate::error::Error> {
                    #retry
                    #send_call
                }

                #stream
            }
        });
    }
    Ok(quote! {
        #![doc = #file_doc]

        #(#constants)*

        #handle_doc
        #[derive(Debug, Clone, Copy)]
        pub struct #handle_ident<'c> {
            client: &'c crate::client::Client,
        }

        impl crate::client::Client {
            #accessor_doc
            pub fn #accessor(&self) -> #handle_ident<'_> {
                #handle_ident { client: self }
            }
        }

        impl<'c> #handle_ident<'c> {
            /// The client the handle calls through, for the area's hand-written calls.
            #[allow(dead_code)]
            pub(crate) fn client(&self) -> &'c crate::client::Client {
                self.client
            }

            #(#methods)*
        }

        #(#requests)*
    })
}

fn index<'a>(
    modules: impl Iterator<Item = &'a String>,
    paged: &BTreeMap<String, ListAnswer>,
) -> TokenStream {
    let modules: Vec<_> = modules.map(|m| ident(m)).collect();
    let impls: Vec<TokenStream> = paged
        .values()
        .filter(|list| list.generated)
        .map(|list| {
            let ListAnswer {
                answer,
                item,
                items,
                total,
                items_optional,
                total_optional,
                next,
                ..
            } = list;
            let items = if *items_optional {
                quote!(self.#items.unwrap_or_default())
            } else {
                quote!(self.#items)
            };
            if let Some(next) = next {
                return quote! {
                    impl crate::page::CursorPaged for #answer {
                        type Item = #item;

                        fn into_page(self) -> (Vec<#item>, Option<String>) {
                            (#items, self.#next)
                        }
                    }
                };
            }
            // A page without a total holds the whole list: the walk ends
            // after it.
            let total = if *total_optional {
                quote!(self.#total.unwrap_or(0))
            } else {
                quote!(self.#total)
            };
            quote! {
                impl crate::page::Paged for #answer {
                    type Item = #item;

                    fn into_items(self) -> (Vec<#item>, i64) {
                        (#items, #total)
                    }
                }
            }
        })
        .collect();
    quote! {
        #![doc = " The client's generated layer: one module per API area with its handle,"]
        #![doc = " endpoints and requests, and how each list answer gives its items."]
        #(pub(crate) mod #modules;)*

        #(#impls)*
    }
}
