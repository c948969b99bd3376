//! What the suite reads from the gateway's `.proto` (`pi_contract::gateway::PROTO`):
//! its messages with their fields' numbers and types, and its service's
//! methods; and which of a message's fields a protobuf body carries.
//!
//! The suite reads the proto itself, rather than asking the prost types, so
//! that a field the contract gains and the generated code does not have yet
//! still counts: the contract is the reference, the SDK is what is judged.
//! The parser knows the parts of proto3 the gateway's file uses (messages,
//! nested messages and enums, `oneof`, `optional`/`repeated`/`map<..>`,
//! `service` with `stream`) and refuses anything else by name, so a richer
//! proto stops the suite instead of being half read.

use std::collections::{BTreeMap, BTreeSet};

/// One field of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub number: u64,
    /// The full name of its message type (`PTY.Size`) when it is one;
    /// `None` for scalars, enums and maps, whose bytes hold no fields the
    /// suite follows.
    pub message: Option<String>,
}

/// One method of the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Method {
    pub name: String,
    pub request: String,
    pub response: String,
    pub client_streams: bool,
    pub server_streams: bool,
}

/// The messages (by full name: `CommandSessionEvent.DataEvent`) and the
/// service's methods of a proto file.
#[derive(Debug, Default)]
pub struct Proto {
    pub messages: BTreeMap<String, Vec<Field>>,
    pub methods: Vec<Method>,
}

/// A field before its type is resolved: the type as written.
struct Raw {
    name: String,
    number: u64,
    written: String,
}

impl Proto {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let tokens = tokens(text)?;
        let mut parser = Parser {
            tokens: &tokens,
            at: 0,
        };
        let mut raw: BTreeMap<String, Vec<Raw>> = BTreeMap::new();
        let mut methods = Vec::new();
        while let Some(word) = parser.next() {
            match word {
                "syntax" | "package" | "option" | "import" => parser.skip_statement(),
                "message" => parser.message("", &mut raw)?,
                "enum" => parser.skip_block()?,
                "service" => parser.service(&mut methods)?,
                other => return Err(format!("the suite cannot read `{other}` at the top level")),
            }
        }
        let mut messages = BTreeMap::new();
        for (scope, fields) in &raw {
            let resolved = fields
                .iter()
                .map(|field| Field {
                    name: field.name.clone(),
                    number: field.number,
                    message: resolve(&raw, scope, &field.written),
                })
                .collect();
            messages.insert(scope.clone(), resolved);
        }
        let proto = Self { messages, methods };
        for method in &proto.methods {
            for message in [&method.request, &method.response] {
                if !proto.messages.contains_key(message) {
                    return Err(format!("{} names no message `{message}`", method.name));
                }
            }
        }
        Ok(proto)
    }

    /// Every field reachable from `message` (itself and the messages its
    /// fields hold, recursively), as `Message.field`.
    pub fn reachable(&self, message: &str, out: &mut BTreeSet<String>) {
        let mut seen = BTreeSet::new();
        self.reach(message, &mut seen, out);
    }

    fn reach(&self, message: &str, seen: &mut BTreeSet<String>, out: &mut BTreeSet<String>) {
        if !seen.insert(message.to_owned()) {
            return;
        }
        for field in self.messages.get(message).into_iter().flatten() {
            out.insert(format!("{message}.{}", field.name));
            if let Some(inner) = &field.message {
                self.reach(inner, seen, out);
            }
        }
    }

    /// The fields `bytes` (an encoded `message`) carries, as
    /// `Message.field`, following message-typed fields into their bytes. A
    /// field number the proto does not give the message is an error: the
    /// gateway would drop it.
    pub fn present(
        &self,
        message: &str,
        bytes: &[u8],
        out: &mut BTreeSet<String>,
    ) -> Result<(), String> {
        let fields = self
            .messages
            .get(message)
            .ok_or_else(|| format!("the proto has no message `{message}`"))?;
        let mut rest = bytes;
        while !rest.is_empty() {
            let tag = varint(&mut rest).ok_or_else(|| format!("{message}: a cut field tag"))?;
            let number = tag >> 3;
            let field = fields
                .iter()
                .find(|field| field.number == number)
                .ok_or_else(|| format!("{message} has no field {number}, but the body sets it"))?;
            let name = format!("{message}.{}", field.name);
            let cut = || format!("{name}: the body ends inside its value");
            match tag & 7 {
                0 => {
                    varint(&mut rest).ok_or_else(cut)?;
                }
                1 => rest = rest.get(8..).ok_or_else(cut)?,
                5 => rest = rest.get(4..).ok_or_else(cut)?,
                2 => {
                    let length = varint(&mut rest).ok_or_else(cut)?;
                    let length = usize::try_from(length).map_err(|_| cut())?;
                    let value = rest.get(..length).ok_or_else(cut)?;
                    rest = &rest[length..];
                    if let Some(inner) = &field.message {
                        self.present(inner, value, out)?;
                    }
                }
                other => return Err(format!("{name}: wire type {other} is not proto3's")),
            }
            if field.message.is_some() && tag & 7 != 2 {
                return Err(format!(
                    "{name} is a message but came as wire type {}",
                    tag & 7
                ));
            }
            out.insert(name);
        }
        Ok(())
    }
}

/// Where a type written inside `scope` is defined, proto's way: the
/// innermost enclosing scope first. `None` for what is no message.
fn resolve(raw: &BTreeMap<String, Vec<Raw>>, scope: &str, written: &str) -> Option<String> {
    let written = written.trim_start_matches('.');
    let mut scope = scope;
    loop {
        let candidate = if scope.is_empty() {
            written.to_owned()
        } else {
            format!("{scope}.{written}")
        };
        if raw.contains_key(&candidate) {
            return Some(candidate);
        }
        if scope.is_empty() {
            return None;
        }
        scope = scope.rsplit_once('.').map_or("", |(outer, _)| outer);
    }
}

/// A little-endian base-128 number, taken off the front of `bytes`.
fn varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut value = 0_u64;
    for (index, byte) in bytes.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * index);
        if byte & 0x80 == 0 {
            *bytes = &bytes[index + 1..];
            return Some(value);
        }
    }
    None
}

/// The file's words and symbols, comments left out; a quoted string is one token.
fn tokens(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '/' => return Err("the suite reads `//` comments only".to_owned()),
            '"' => {
                let mut quoted = String::from('"');
                for c in chars.by_ref() {
                    quoted.push(c);
                    if c == '"' {
                        break;
                    }
                }
                out.push(quoted);
            }
            c if c.is_whitespace() => {}
            c if c.is_alphanumeric() || c == '_' || c == '.' => {
                let mut word = String::from(c);
                while let Some(&next) = chars.peek() {
                    if next.is_alphanumeric() || next == '_' || next == '.' {
                        word.push(next);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(word);
            }
            symbol => out.push(symbol.to_string()),
        }
    }
    Ok(out)
}

struct Parser<'t> {
    tokens: &'t [String],
    at: usize,
}

impl<'t> Parser<'t> {
    fn next(&mut self) -> Option<&'t str> {
        let token = self.tokens.get(self.at)?;
        self.at += 1;
        Some(token)
    }

    fn expect(&mut self, wanted: &str) -> Result<(), String> {
        match self.next() {
            Some(token) if token == wanted => Ok(()),
            other => Err(format!("expected `{wanted}`, found {other:?}")),
        }
    }

    fn word(&mut self) -> Result<&'t str, String> {
        self.next()
            .ok_or_else(|| "the proto ends too soon".to_owned())
    }

    fn skip_statement(&mut self) {
        while self.next().is_some_and(|token| token != ";") {}
    }

    /// Skips a name and its `{ … }` block, nested blocks included.
    fn skip_block(&mut self) -> Result<(), String> {
        self.word()?;
        self.expect("{")?;
        let mut depth = 1;
        while depth > 0 {
            match self.word()? {
                "{" => depth += 1,
                "}" => depth -= 1,
                _ => {}
            }
        }
        Ok(())
    }

    /// A `message Name { … }` inside `scope` (`""` at the top).
    fn message(&mut self, scope: &str, out: &mut BTreeMap<String, Vec<Raw>>) -> Result<(), String> {
        let name = self.word()?;
        let full = if scope.is_empty() {
            name.to_owned()
        } else {
            format!("{scope}.{name}")
        };
        self.expect("{")?;
        let mut fields = Vec::new();
        self.body(&full, &mut fields, out)?;
        out.insert(full, fields);
        Ok(())
    }

    /// A message's body up to its closing `}`; a `oneof`'s fields are the
    /// message's own on the wire.
    fn body(
        &mut self,
        full: &str,
        fields: &mut Vec<Raw>,
        out: &mut BTreeMap<String, Vec<Raw>>,
    ) -> Result<(), String> {
        loop {
            match self.word()? {
                "}" => return Ok(()),
                "message" => self.message(full, out)?,
                "enum" => self.skip_block()?,
                "option" | "reserved" => self.skip_statement(),
                "oneof" => {
                    self.word()?;
                    self.expect("{")?;
                    self.body(full, fields, out)?;
                }
                "optional" | "repeated" => {
                    let written = self.word()?;
                    fields.push(self.field(written)?);
                }
                "map" => {
                    // `map<K, V>`: entries whose key and value the suite
                    // does not follow.
                    while self.word()? != ">" {}
                    fields.push(self.field("map")?);
                }
                written => fields.push(self.field(written)?),
            }
        }
    }

    /// The rest of a field after its type: `name = N;` (options refused).
    fn field(&mut self, written: &str) -> Result<Raw, String> {
        let name = self.word()?.to_owned();
        self.expect("=")?;
        let number = self
            .word()?
            .parse()
            .map_err(|_| format!("field `{name}` has no number"))?;
        self.expect(";")?;
        Ok(Raw {
            name,
            number,
            written: written.to_owned(),
        })
    }

    /// A `service Name { rpc M(stream? Req) returns (stream? Resp); … }`.
    fn service(&mut self, methods: &mut Vec<Method>) -> Result<(), String> {
        self.word()?;
        self.expect("{")?;
        loop {
            match self.word()? {
                "}" => return Ok(()),
                "option" => self.skip_statement(),
                "rpc" => {
                    let name = self.word()?.to_owned();
                    let (client_streams, request) = self.argument()?;
                    self.expect("returns")?;
                    let (server_streams, response) = self.argument()?;
                    self.expect(";")?;
                    methods.push(Method {
                        name,
                        request,
                        response,
                        client_streams,
                        server_streams,
                    });
                }
                other => return Err(format!("the suite cannot read `{other}` in a service")),
            }
        }
    }

    /// `(stream? Type)`.
    fn argument(&mut self) -> Result<(bool, String), String> {
        self.expect("(")?;
        let mut word = self.word()?;
        let streams = word == "stream";
        if streams {
            word = self.word()?;
        }
        self.expect(")")?;
        Ok((streams, word.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
        syntax = "proto3";
        // A comment with message words { in it }.
        service S { rpc Go(stream A) returns (B); }
        message A {
          message Inner { uint32 n = 1; }
          enum Kind { K_UNSPECIFIED = 0; }
          Inner inner = 1;
          optional string s = 2;
          map<string, string> m = 3;
          oneof pick { bytes x = 4; Inner y = 5; }
        }
        message B {}
    "#;

    #[test]
    fn messages_nested_types_oneofs_maps_and_methods_are_read() {
        let proto = Proto::parse(SMALL).unwrap();
        let a = &proto.messages["A"];
        let numbers: Vec<(&str, u64, Option<&str>)> = a
            .iter()
            .map(|f| (f.name.as_str(), f.number, f.message.as_deref()))
            .collect();
        assert_eq!(
            numbers,
            [
                ("inner", 1, Some("A.Inner")),
                ("s", 2, None),
                ("m", 3, None),
                ("x", 4, None),
                ("y", 5, Some("A.Inner")),
            ]
        );
        assert_eq!(
            proto.methods,
            [Method {
                name: "Go".to_owned(),
                request: "A".to_owned(),
                response: "B".to_owned(),
                client_streams: true,
                server_streams: false,
            }]
        );
        let mut reachable = BTreeSet::new();
        proto.reachable("A", &mut reachable);
        assert!(reachable.contains("A.Inner.n"), "{reachable:?}");
        assert_eq!(reachable.len(), 6, "{reachable:?}");
    }

    #[test]
    fn a_body_shows_the_fields_it_sets_nested_ones_included() {
        let proto = Proto::parse(SMALL).unwrap();
        // inner { n: 300 }, s: "hi".
        let bytes = [0x0a, 0x03, 0x08, 0xac, 0x02, 0x12, 0x02, b'h', b'i'];
        let mut present = BTreeSet::new();
        proto.present("A", &bytes, &mut present).unwrap();
        let present: Vec<&str> = present.iter().map(String::as_str).collect();
        assert_eq!(present, ["A.Inner.n", "A.inner", "A.s"]);
    }

    #[test]
    fn an_unknown_field_a_cut_body_and_a_message_sent_as_a_number_are_named() {
        let proto = Proto::parse(SMALL).unwrap();
        let mut present = BTreeSet::new();
        let unknown = proto.present("A", &[0x30, 0x01], &mut present).unwrap_err();
        assert!(unknown.contains("no field 6"), "{unknown}");
        let cut = proto
            .present("A", &[0x12, 0x05, b'h'], &mut present)
            .unwrap_err();
        assert!(cut.contains("A.s"), "{cut}");
        let number = proto.present("A", &[0x08, 0x01], &mut present).unwrap_err();
        assert!(number.contains("A.inner is a message"), "{number}");
    }

    #[test]
    fn the_gateway_proto_reads_whole() {
        let proto = Proto::parse(pi_contract::gateway::PROTO).unwrap();
        let names: Vec<&str> = proto.methods.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Start",
                "Connect",
                "SendInput",
                "SendSignal",
                "List",
                "Update",
                "StreamInput"
            ]
        );
        let data = &proto.messages["CommandSessionEvent.DataEvent"];
        assert_eq!(data.len(), 3);
        let start = &proto.messages["StartRequest"];
        assert_eq!(start[1].message.as_deref(), Some("PTY"));
    }
}
