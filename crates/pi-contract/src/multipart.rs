//! `multipart/form-data` request bodies: what a document says of each part
//! (its name, whether it is required, its media type from the `encoding`
//! map, and a schema for the parts that hold JSON), and reading a body into
//! its parts so request validation can hold each one to that.
//!
//! OpenAPI describes such a body as an object schema whose properties are
//! the parts; a part's media type is its `encoding` entry's `contentType`,
//! or else `application/json` for an object or array property and
//! `application/octet-stream` (or the property's `contentMediaType`) for a
//! string. Only the JSON parts are read as values; the others are bytes.
//! A part sent with a `Content-Encoding` the `encoding` entry's headers
//! allow (`gzip`) is read after decompressing it.

use std::borrow::Cow;
use std::io::Read as _;

use serde_json::Value;

use crate::openapi::{deref, escape_pointer};
use crate::schema::{CompiledSchema, Compiler};
use crate::spec::request_body_violations;
use crate::violation::{Rule, Violation};

/// What the document says of one part of a multipart body.
#[derive(Debug)]
pub(crate) struct PartRule {
    pub(crate) name: String,
    pub(crate) required: bool,
    /// The media type the part is sent as.
    pub(crate) content_type: String,
    /// The `Content-Encoding` values the part may be sent with (the enum of
    /// that header in its `encoding` entry); none when it names none.
    pub(crate) content_encodings: Vec<String>,
    /// The part's schema, for a part that holds JSON.
    pub(crate) validator: Option<CompiledSchema>,
}

/// What the document says of a multipart body: its parts, and whether a
/// part it does not name is allowed.
#[derive(Debug)]
pub(crate) struct FormRules {
    pub(crate) parts: Vec<PartRule>,
    pub(crate) others_allowed: bool,
}

/// One part of a body as sent.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Part<'b> {
    /// The `name` of its `Content-Disposition`.
    pub(crate) name: String,
    /// Its `Content-Type` without parameters, if it has one.
    pub(crate) content_type: Option<String>,
    /// Its `Content-Encoding`, if it has one.
    pub(crate) content_encoding: Option<String>,
    pub(crate) content: &'b [u8],
}

fn is_json_media(content_type: &str) -> bool {
    content_type == "application/json" || content_type.ends_with("+json")
}

/// The rules of a multipart body from its `schema` and the media type's
/// `encoding` map, compiling a validator for each JSON part.
pub(crate) fn form_rules(
    document: &Value,
    compiler: &Compiler<'_>,
    schema: &Value,
    encoding: Option<&Value>,
) -> Result<FormRules, String> {
    let schema = deref(document, schema);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut parts = Vec::new();
    let properties = schema.get("properties").and_then(Value::as_object);
    for (name, property) in properties.into_iter().flatten() {
        let resolved = deref(document, property);
        let kind = resolved.get("type").and_then(Value::as_str);
        let declared = encoding
            .and_then(|encoding| {
                encoding.pointer(&format!("/{}/contentType", escape_pointer(name)))
            })
            .and_then(Value::as_str);
        let content_type = match (declared, kind) {
            (Some(declared), _) => declared.to_owned(),
            (None, Some("object" | "array")) => "application/json".to_owned(),
            (None, _) if resolved.get("properties").is_some() => "application/json".to_owned(),
            (None, _) => resolved
                .get("contentMediaType")
                .and_then(Value::as_str)
                .unwrap_or("application/octet-stream")
                .to_owned(),
        };
        let validator = if is_json_media(&content_type) {
            Some(compiler.compile(property)?)
        } else {
            None
        };
        let content_encodings = encoding
            .and_then(|encoding| {
                encoding.pointer(&format!(
                    "/{}/headers/Content-Encoding/schema/enum",
                    escape_pointer(name)
                ))
            })
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        parts.push(PartRule {
            name: name.clone(),
            required: required.contains(&name.as_str()),
            content_type,
            content_encodings,
            validator,
        });
    }
    let others_allowed = properties.is_none()
        || schema
            .get("additionalProperties")
            .is_some_and(|extra| extra != &Value::Bool(false));
    Ok(FormRules {
        parts,
        others_allowed,
    })
}

/// Every way `body`, sent with the `Content-Type` `content_type`, breaks
/// `rules`: a body that is no multipart body, a required part missing, a
/// part the document does not name, a part sent as another media type, a
/// JSON part that is not JSON or breaks its schema (located
/// `body/<part>/<pointer>`).
pub(crate) fn violations(
    id: &str,
    rules: &FormRules,
    content_type: Option<&str>,
    body: &[u8],
) -> Vec<Violation> {
    let mut out = Vec::new();
    let parts = match content_type.map(|header| parse(header, body)) {
        Some(Ok(parts)) => parts,
        Some(Err(problem)) => {
            out.push(Violation::new(Some(id), "body", Rule::TYPE, problem));
            return out;
        }
        // The content-type check has reported it already.
        None => return out,
    };
    for rule in &rules.parts {
        let sent: Vec<&Part<'_>> = parts.iter().filter(|p| p.name == rule.name).collect();
        let location = format!("body/{}", escape_pointer(&rule.name));
        if sent.is_empty() {
            if rule.required {
                out.push(Violation::new(
                    Some(id),
                    location,
                    Rule::REQUIRED,
                    format!("the required part {:?} is missing", rule.name),
                ));
            }
            continue;
        }
        if sent.len() > 1 {
            out.push(Violation::new(
                Some(id),
                location.clone(),
                Rule::REPEATED_PARAMETER,
                format!("the part {:?} is sent {} times", rule.name, sent.len()),
            ));
        }
        for part in sent {
            match part.content_type.as_deref() {
                Some(media) if media.eq_ignore_ascii_case(&rule.content_type) => {}
                shown => out.push(Violation::new(
                    Some(id),
                    format!("{location}/content-type"),
                    Rule::CONTENT_TYPE,
                    format!(
                        "the part {:?} is sent as {}, the operation documents {}",
                        rule.name,
                        shown.unwrap_or("no media type"),
                        rule.content_type
                    ),
                )),
            }
            if let Some(coding) = &part.content_encoding {
                if !rule
                    .content_encodings
                    .iter()
                    .any(|allowed| allowed.eq_ignore_ascii_case(coding))
                {
                    out.push(Violation::new(
                        Some(id),
                        format!("{location}/content-encoding"),
                        Rule::CONTENT_TYPE,
                        format!(
                            "the part {:?} is sent with Content-Encoding {coding}, the operation documents {}",
                            rule.name,
                            if rule.content_encodings.is_empty() {
                                "none".to_owned()
                            } else {
                                rule.content_encodings.join(", ")
                            }
                        ),
                    ));
                    continue;
                }
            }
            let content = match decoded(part) {
                Ok(content) => content,
                Err(problem) => {
                    out.push(Violation::new(
                        Some(id),
                        location.clone(),
                        Rule::TYPE,
                        format!("the part {:?} {problem}", rule.name),
                    ));
                    continue;
                }
            };
            let Some(validator) = &rule.validator else {
                continue;
            };
            match serde_json::from_slice::<Value>(&content) {
                Ok(value) => {
                    for mut violation in request_body_violations(id, validator, &value) {
                        let rest = violation.location.strip_prefix("body").unwrap_or_default();
                        violation.location = format!("{location}{rest}");
                        out.push(violation);
                    }
                }
                Err(error) => out.push(Violation::new(
                    Some(id),
                    location.clone(),
                    Rule::NOT_JSON,
                    format!("the part {:?} is not JSON: {error}", rule.name),
                )),
            }
        }
    }
    if !rules.others_allowed {
        for part in &parts {
            if !rules.parts.iter().any(|rule| rule.name == part.name) {
                out.push(Violation::new(
                    Some(id),
                    format!("body/{}", escape_pointer(&part.name)),
                    Rule::UNKNOWN_PROPERTY,
                    format!("the operation documents no part {:?}", part.name),
                ));
            }
        }
    }
    out
}

/// A multipart `body` as one JSON object of its parts by name: a JSON part
/// as its value, any other part as its text (bytes that are not UTF-8
/// replaced), a compressed part as what it holds (as sent when it cannot be
/// decompressed); `None` when it is no multipart body.
pub(crate) fn as_value(content_type: &str, body: &[u8]) -> Option<Value> {
    let media = content_type.split(';').next().unwrap_or_default().trim();
    if !media.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let parts = parse(content_type, body).ok()?;
    let mut object = serde_json::Map::new();
    for part in parts {
        let content = decoded(&part).unwrap_or(Cow::Borrowed(part.content));
        let json = part
            .content_type
            .as_deref()
            .is_some_and(is_json_media)
            .then(|| serde_json::from_slice::<Value>(&content).ok())
            .flatten();
        let value =
            json.unwrap_or_else(|| Value::String(String::from_utf8_lossy(&content).into_owned()));
        object.insert(part.name, value);
    }
    Some(Value::Object(object))
}

/// The parts of a multipart `body` sent with the `Content-Type` header
/// `content_type`.
///
/// # Errors
/// A sentence saying why the body is no multipart body: no boundary, no
/// closing delimiter, a part without headers or without a name.
pub(crate) fn parse<'b>(content_type: &str, body: &'b [u8]) -> Result<Vec<Part<'b>>, String> {
    let boundary = content_type
        .split(';')
        .skip(1)
        .map(str::trim)
        .find_map(|parameter| {
            let (key, value) = parameter.split_once('=')?;
            key.trim()
                .eq_ignore_ascii_case("boundary")
                .then(|| value.trim().trim_matches('"'))
        })
        .filter(|boundary| !boundary.is_empty())
        .ok_or("the multipart body's Content-Type names no boundary")?;
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let first = find(body, delimiter).ok_or("the body holds no part delimiter")?;
    let mut rest = &body[first + delimiter.len()..];
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Ok(parts); // The closing delimiter.
        }
        let Some(after_line) = rest.strip_prefix(b"\r\n") else {
            return Err("a part delimiter is not followed by a line break".to_owned());
        };
        let mut next_delimiter = b"\r\n".to_vec();
        next_delimiter.extend_from_slice(delimiter);
        let end = find(after_line, &next_delimiter)
            .ok_or("the body has no closing delimiter (`--<boundary>--`)")?;
        parts.push(part(&after_line[..end])?);
        rest = &after_line[end + next_delimiter.len()..];
    }
}

/// One part: its headers up to the blank line, then its content.
fn part(raw: &[u8]) -> Result<Part<'_>, String> {
    let (head, content) = if raw.starts_with(b"\r\n") {
        (&raw[..0], &raw[2..])
    } else {
        let end = find(raw, b"\r\n\r\n").ok_or("a part has no blank line after its headers")?;
        (&raw[..end], &raw[end + 4..])
    };
    let head = std::str::from_utf8(head).map_err(|_| "a part's headers are not UTF-8")?;
    let mut name = None;
    let mut content_type = None;
    let mut content_encoding = None;
    for line in head.split("\r\n") {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim().to_ascii_lowercase().as_str() {
            "content-disposition" => {
                name = value.split(';').skip(1).find_map(|parameter| {
                    let (key, value) = parameter.trim().split_once('=')?;
                    (key.trim() == "name").then(|| value.trim().trim_matches('"').to_owned())
                });
            }
            "content-type" => {
                content_type = value.split(';').next().map(|media| media.trim().to_owned());
            }
            "content-encoding" => content_encoding = Some(value.to_owned()),
            _ => {}
        }
    }
    Ok(Part {
        name: name.ok_or("a part has no Content-Disposition with a name")?,
        content_type,
        content_encoding,
        content,
    })
}

/// The most a compressed part may expand to: far above any upload a test
/// sends, low enough that a crafted part cannot exhaust the mock's memory.
const MOST_DECOMPRESSED: u64 = 256 * 1024 * 1024;

/// What `part` holds: its bytes as sent, or decompressed when it names
/// `gzip` as its `Content-Encoding`.
///
/// # Errors
/// A phrase saying why its content cannot be read: a coding the mock does
/// not know, bytes that are no gzip member, or more than
/// [`MOST_DECOMPRESSED`] once decompressed.
fn decoded<'p>(part: &'p Part<'_>) -> Result<Cow<'p, [u8]>, String> {
    let coding = part.content_encoding.as_deref().map(str::trim);
    match coding {
        None => Ok(Cow::Borrowed(part.content)),
        Some(coding) if coding.eq_ignore_ascii_case("identity") => Ok(Cow::Borrowed(part.content)),
        Some(coding) if coding.eq_ignore_ascii_case("gzip") => {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(part.content)
                .take(MOST_DECOMPRESSED + 1)
                .read_to_end(&mut out)
                .map_err(|error| format!("says gzip but is no gzip member: {error}"))?;
            if out.len() as u64 > MOST_DECOMPRESSED {
                return Err(format!(
                    "expands to more than {MOST_DECOMPRESSED} bytes once decompressed"
                ));
            }
            Ok(Cow::Owned(out))
        }
        Some(coding) => Err(format!(
            "is sent with the unknown Content-Encoding {coding}"
        )),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const BODY: &[u8] = b"--XyZ\r\n\
        Content-Disposition: form-data; name=\"metadata\"\r\n\
        Content-Type: application/json\r\n\r\n\
        {\"schema_version\":1}\r\n\
        --XyZ\r\n\
        Content-Disposition: form-data; name=\"traces\"; filename=\"traces.jsonl\"\r\n\
        Content-Type: application/x-ndjson\r\n\
        Content-Encoding: gzip\r\n\r\n\
        \x1f\x8b\r\n--notit\r\n\
        --XyZ--\r\n";

    #[test]
    fn a_body_reads_into_its_named_parts_with_their_headers() {
        let parts = parse("multipart/form-data; boundary=XyZ", BODY).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "metadata");
        assert_eq!(parts[0].content_type.as_deref(), Some("application/json"));
        assert_eq!(parts[0].content, b"{\"schema_version\":1}");
        assert_eq!(parts[1].name, "traces");
        assert_eq!(parts[1].content_encoding.as_deref(), Some("gzip"));
        // Bytes that only look like a delimiter stay in the content.
        assert_eq!(parts[1].content, b"\x1f\x8b\r\n--notit");
        let quoted = parse("multipart/form-data; boundary=\"XyZ\"", BODY).unwrap();
        assert_eq!(quoted, parts);
    }

    #[test]
    fn a_body_reads_as_an_object_of_its_parts() {
        let value = as_value("multipart/form-data; boundary=XyZ", BODY).unwrap();
        assert_eq!(value["metadata"], serde_json::json!({"schema_version": 1}));
        assert!(value["traces"].is_string());
        assert_eq!(as_value("application/json", b"{}"), None);
    }

    fn gzipped(text: &str) -> Vec<u8> {
        use std::io::Write as _;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(text.as_bytes()).unwrap();
        encoder.finish().unwrap()
    }

    fn traces_body(encoding: &str, content: &[u8]) -> Vec<u8> {
        let mut body = format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"traces\"; filename=\"t.jsonl\"\r\n\
             Content-Type: application/x-ndjson\r\n{encoding}\r\n"
        )
        .into_bytes();
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n--XyZ--\r\n");
        body
    }

    fn traces_rules(content_encodings: &[&str]) -> FormRules {
        FormRules {
            parts: vec![PartRule {
                name: "traces".to_owned(),
                required: true,
                content_type: "application/x-ndjson".to_owned(),
                content_encodings: content_encodings.iter().map(|c| (*c).to_owned()).collect(),
                validator: None,
            }],
            others_allowed: false,
        }
    }

    const FORM: &str = "multipart/form-data; boundary=XyZ";

    #[test]
    fn a_gzip_part_the_document_allows_is_read_decompressed() {
        let lines = "{\"trace_id\":\"t1\"}\n";
        let body = traces_body("Content-Encoding: gzip\r\n", &gzipped(lines));
        let found = violations("upload", &traces_rules(&["gzip"]), Some(FORM), &body);
        assert!(found.is_empty(), "{found:?}");
        let value = as_value(FORM, &body).unwrap();
        assert_eq!(value["traces"], lines);
    }

    #[test]
    fn a_coding_the_document_does_not_allow_is_a_violation_naming_the_part() {
        let body = traces_body("Content-Encoding: gzip\r\n", &gzipped("x\n"));
        let found = violations("upload", &traces_rules(&[]), Some(FORM), &body);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].location, "body/traces/content-encoding");
        assert!(found[0].message.contains("documents none"), "{found:?}");
        // Sent as it is, the same part holds.
        let plain = traces_body("", b"x\n");
        assert!(violations("upload", &traces_rules(&[]), Some(FORM), &plain).is_empty());
    }

    #[test]
    fn a_part_that_says_gzip_but_is_not_is_a_violation() {
        let body = traces_body("Content-Encoding: gzip\r\n", b"{\"trace_id\":\"t1\"}\n");
        let found = violations("upload", &traces_rules(&["gzip"]), Some(FORM), &body);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].location, "body/traces");
        assert!(found[0].message.contains("no gzip member"), "{found:?}");
        let unknown = traces_body("Content-Encoding: br\r\n", b"x");
        let found = violations(
            "upload",
            &traces_rules(&["gzip", "br"]),
            Some(FORM),
            &unknown,
        );
        assert!(
            found[0].message.contains("unknown Content-Encoding br"),
            "{found:?}"
        );
    }

    #[test]
    fn a_body_that_is_no_multipart_body_says_why() {
        for (header, body, why) in [
            ("multipart/form-data", BODY, "no boundary"),
            (
                "multipart/form-data; boundary=Other",
                BODY,
                "no part delimiter",
            ),
            (
                "multipart/form-data; boundary=XyZ",
                &b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx"[..],
                "no closing delimiter",
            ),
            (
                "multipart/form-data; boundary=XyZ",
                &b"--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--"[..],
                "no Content-Disposition",
            ),
        ] {
            let error = parse(header, body).unwrap_err();
            assert!(error.contains(why), "{header}: {error}");
        }
    }
}
