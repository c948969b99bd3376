//! The stateful mock's sandbox gateway: a sandbox's `auth` call points at
//! `/gateway/sandboxes/{sandbox_id}` on the mock itself, with a token for
//! that sandbox alone, where commands are answered from what the test
//! scripted (every one recorded) and files are kept in memory per sandbox.
//! Requests are checked against the gateway's contract (`spec/gateway/`):
//! the bearer must be the sandbox's token, `Start` must come as a Connect
//! stream whose message decodes, the file calls must hold the files
//! document and name the gateway's own sandbox.
//!
//! The answers are whole bodies: the stream of a command arrives at once.

use std::collections::HashMap;

use pi_types::gateway::connect::{Code, EnvelopeDecoder, Frame, end_stream, envelope};
use pi_types::gateway::{CommandSessionEvent, StartRequest, StartResponse, command_session_event};
use prost::Message;
use serde_json::{Value, json};

use crate::request::HttpRequest;
use crate::server::ContractResponse;
use crate::violation::{Rule, Violation};

/// Where the mock's gateways live: `{uri}/gateway/sandboxes/{sandbox_id}`.
pub(crate) const PREFIX: &str = "/gateway/sandboxes/";

/// The path of the command service's `Start` under a sandbox's gateway.
const START: &str = "/command_session.CommandSession/Start";

/// The content type of a Connect streaming call with the protobuf codec,
/// which `Start` is; a unary `application/proto` or a JSON codec is not it.
const CONNECT_PROTO: &str = "application/connect+proto";

/// The gateway token the mock hands out for `sandbox_id` in its `auth`
/// answer, and the only bearer its gateway accepts for that sandbox. One
/// per sandbox, so that a token used on another sandbox's gateway shows.
pub(crate) fn token(sandbox_id: &str) -> String {
    format!("pi-mock-gateway-token-{sandbox_id}")
}

/// What a scripted command prints and how it ends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommandScript {
    /// What it writes to standard output.
    pub stdout: Vec<u8>,
    /// What it writes to standard error.
    pub stderr: Vec<u8>,
    /// Its exit code.
    pub exit_code: i32,
}

impl CommandScript {
    /// A command that prints `stdout` and exits with code 0.
    pub fn prints(stdout: impl Into<Vec<u8>>) -> Self {
        Self {
            stdout: stdout.into(),
            ..Self::default()
        }
    }

    /// The same, writing `stderr` to standard error too.
    #[must_use]
    pub fn with_stderr(mut self, stderr: impl Into<Vec<u8>>) -> Self {
        self.stderr = stderr.into();
        self
    }

    /// The same, ending with `exit_code`.
    #[must_use]
    pub fn exits(mut self, exit_code: i32) -> Self {
        self.exit_code = exit_code;
        self
    }
}

/// A command the mock's gateway was asked to run.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RanCommand {
    /// The sandbox it ran in.
    pub sandbox_id: String,
    /// The command line: what `/bin/bash -c` was given, or the program and
    /// its arguments joined by spaces.
    pub command: String,
    /// The working directory it asked for.
    pub cwd: Option<String>,
    /// The user it asked to run as.
    pub user: Option<String>,
    /// The environment variables it set.
    pub env: Vec<(String, String)>,
}

/// The gateway side of a stateful mock.
#[derive(Debug, Default)]
pub(crate) struct Gateway {
    scripts: Vec<(String, CommandScript)>,
    fallback: CommandScript,
    ran: Vec<RanCommand>,
    /// Files by sandbox id, then by path.
    files: HashMap<String, HashMap<String, Vec<u8>>>,
}

impl Gateway {
    pub(crate) fn on_command(&mut self, command: &str, script: CommandScript) {
        self.scripts.push((command.to_owned(), script));
    }

    pub(crate) fn set_fallback(&mut self, script: CommandScript) {
        self.fallback = script;
    }

    pub(crate) fn ran(&self) -> Vec<RanCommand> {
        self.ran.clone()
    }

    /// Answers one request to `/gateway/sandboxes/…`, adding what breaks
    /// the gateway's contract to `violations`.
    pub(crate) fn answer(
        &mut self,
        request: &mut HttpRequest,
        violations: &mut Vec<Violation>,
    ) -> ContractResponse {
        let rest = request.path.strip_prefix(PREFIX).unwrap_or_default();
        let (sandbox_id, route) = rest.split_once('/').unwrap_or((rest, ""));
        let sandbox_id = sandbox_id.to_owned();
        // The token of this sandbox's auth call, not merely some bearer: a
        // client that sent its API key, or another sandbox's token, would
        // be refused by the real gateway.
        let expected = format!("Bearer {}", token(&sandbox_id));
        let authorization = request.header_value("authorization");
        if authorization != Some(expected.as_str()) {
            let message = if authorization.is_some_and(|value| value.starts_with("Bearer ")) {
                "the bearer is not the token this sandbox's auth call handed out"
            } else {
                "a gateway call needs the bearer token of the sandbox's auth call"
            };
            violations.push(Violation::new(
                None,
                "header.authorization",
                Rule::MISSING_AUTH,
                message,
            ));
            return ContractResponse::new(401)
                .json(json!({"code": "unauthenticated", "message": "no valid token"}));
        }
        match (request.method.as_str(), format!("/{route}").as_str()) {
            ("POST", START) => self.start(&sandbox_id, request, violations),
            ("POST", "/upload") => self.upload(&sandbox_id, request, violations),
            ("GET", "/download") => self.download(&sandbox_id, request, violations),
            ("GET", "/read-file") => self.read_file(&sandbox_id, request, violations),
            _ => {
                violations.push(Violation::new(
                    None,
                    "path",
                    Rule::UNKNOWN_OPERATION,
                    "the gateway has no such call",
                ));
                ContractResponse::new(404)
                    .json(json!({"code": "unimplemented", "message": "no such call"}))
            }
        }
    }

    fn start(
        &mut self,
        sandbox_id: &str,
        request: &HttpRequest,
        violations: &mut Vec<Violation>,
    ) -> ContractResponse {
        let content_type = request.header_value("content-type").unwrap_or_default();
        if content_type.split(';').next().map(str::trim) != Some(CONNECT_PROTO) {
            violations.push(Violation::new(
                None,
                "header.content-type",
                Rule::CONTENT_TYPE,
                "Start is a Connect server stream: its content type is application/connect+proto",
            ));
            // What a Connect server answers to a codec it does not serve.
            return ContractResponse::new(415).header("Accept-Post", CONNECT_PROTO);
        }
        let mut decoder = EnvelopeDecoder::new(request.body.len().max(1));
        decoder.push(&request.body);
        let start = match (decoder.next_frame(), decoder.finish()) {
            (Ok(Some(Frame::Message(bytes))), Ok(())) => {
                StartRequest::decode(bytes.as_slice()).ok()
            }
            _ => None,
        };
        let Some(command) = start.and_then(|start| start.command) else {
            violations.push(violation(
                "body",
                "a Start call's body is one envelope holding a StartRequest with a command",
            ));
            return stream_error(Code::InvalidArgument, "not a StartRequest");
        };
        let line = match (command.cmd.as_str(), command.args.as_slice()) {
            ("/bin/bash" | "bash" | "/bin/sh" | "sh", [flag, line]) if flag == "-c" => line.clone(),
            (program, args) => std::iter::once(program)
                .chain(args.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" "),
        };
        self.ran.push(RanCommand {
            sandbox_id: sandbox_id.to_owned(),
            command: line.clone(),
            cwd: command.cwd.clone(),
            user: command.user.clone(),
            env: command.envs.into_iter().collect(),
        });
        let script = self
            .scripts
            .iter()
            .rev()
            .find(|(scripted, _)| *scripted == line)
            .map_or(&self.fallback, |(_, script)| script);
        use command_session_event::{DataEvent, EndEvent, Event, StartEvent, data_event::Output};
        let pid = u32::try_from(self.ran.len()).unwrap_or(u32::MAX);
        let mut events = vec![Event::Start(StartEvent { pid })];
        if !script.stdout.is_empty() {
            events.push(Event::Data(DataEvent {
                output: Some(Output::Stdout(script.stdout.clone())),
            }));
        }
        if !script.stderr.is_empty() {
            events.push(Event::Data(DataEvent {
                output: Some(Output::Stderr(script.stderr.clone())),
            }));
        }
        events.push(Event::End(EndEvent {
            exit_code: script.exit_code,
            exited: true,
            ..EndEvent::default()
        }));
        let mut body = Vec::new();
        for event in events {
            let answer = StartResponse {
                event: Some(CommandSessionEvent { event: Some(event) }),
            };
            body.extend(envelope(0, &answer.encode_to_vec()).unwrap_or_default());
        }
        body.extend(end_stream(None).unwrap_or_default());
        ContractResponse::new(200).raw(body, "application/connect+proto")
    }

    fn upload(
        &mut self,
        sandbox_id: &str,
        request: &mut HttpRequest,
        violations: &mut Vec<Violation>,
    ) -> ContractResponse {
        violations.extend(files_violations(request, "upload", sandbox_id));
        let Some(path) = query(request, "path").map(str::to_owned) else {
            return ContractResponse::new(422).json(json!({"detail": "path is required"}));
        };
        let content_type = request.header_value("content-type").unwrap_or_default();
        let Some(content) = multipart_file(content_type, &request.body) else {
            violations.push(violation(
                "body",
                "an upload is multipart/form-data with one part named `file`",
            ));
            return ContractResponse::new(422).json(json!({"detail": "no part named file"}));
        };
        let size = content.len();
        self.files
            .entry(sandbox_id.to_owned())
            .or_default()
            .insert(path.clone(), content);
        ContractResponse::new(200).json(json!({
            "success": true, "path": path, "size": size,
            "timestamp": crate::stateful::render::now()
        }))
    }

    fn file(&self, sandbox_id: &str, request: &HttpRequest) -> Option<&Vec<u8>> {
        let path = query(request, "path")?;
        self.files.get(sandbox_id)?.get(path)
    }

    fn download(
        &self,
        sandbox_id: &str,
        request: &mut HttpRequest,
        violations: &mut Vec<Violation>,
    ) -> ContractResponse {
        violations.extend(files_violations(request, "download", sandbox_id));
        match self.file(sandbox_id, request) {
            Some(content) => {
                ContractResponse::new(200).raw(content.clone(), "application/octet-stream")
            }
            None => ContractResponse::new(404).json(json!({"detail": "no such file"})),
        }
    }

    fn read_file(
        &self,
        sandbox_id: &str,
        request: &mut HttpRequest,
        violations: &mut Vec<Violation>,
    ) -> ContractResponse {
        violations.extend(files_violations(request, "read-file", sandbox_id));
        let Some(content) = self.file(sandbox_id, request) else {
            return ContractResponse::new(404).json(json!({"detail": "no such file"}));
        };
        let number =
            |name: &str| query(request, name).and_then(|value| value.parse::<usize>().ok());
        let offset = number("offset").unwrap_or(0).min(content.len());
        let length = number("length").unwrap_or(content.len() - offset);
        let end = offset.saturating_add(length).min(content.len());
        let window = &content[offset..end];
        let answer: Value = json!({
            "content": String::from_utf8_lossy(window),
            "size": window.len(),
            "total_size": content.len(),
            "offset": offset,
            "truncated": end < content.len(),
        });
        ContractResponse::new(200).json(answer)
    }
}

/// The first value of the query parameter `name`.
fn query<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
    request
        .query
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// What a file call breaks of the files document, checked at its path
/// below the sandbox's gateway base (`route`); the request's own path is
/// put back afterwards, and nothing (the upload's body least) is copied.
/// A `sandbox_id` in the query must also be the sandbox whose gateway was
/// called: the document can only say that it is a string.
fn files_violations(request: &mut HttpRequest, route: &str, sandbox_id: &str) -> Vec<Violation> {
    let path = std::mem::replace(&mut request.path, format!("/{route}"));
    let mut violations = crate::gateway::files_spec().validate_request(request);
    request.path = path;
    if query(request, "sandbox_id").is_some_and(|named| named != sandbox_id) {
        violations.push(Violation::new(
            None,
            "query.sandbox_id",
            Rule::from_keyword("const"),
            "sandbox_id names another sandbox than the gateway's",
        ));
    }
    violations
}

/// A stream that ends at once with `code`.
fn stream_error(code: Code, message: &str) -> ContractResponse {
    ContractResponse::new(200).raw(
        end_stream(Some((code, message))).unwrap_or_default(),
        "application/connect+proto",
    )
}

/// A body that is not what the gateway's contract says.
fn violation(location: &str, message: &str) -> Violation {
    Violation::new(None, location, Rule::TYPE, message)
}

/// The content of the part named `file` of a multipart body.
fn multipart_file(content_type: &str, body: &[u8]) -> Option<Vec<u8>> {
    let boundary = content_type
        .split(';')
        .map(str::trim)
        .find_map(|parameter| parameter.strip_prefix("boundary="))?
        .trim_matches('"');
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = split(body, &delimiter);
    parts.find_map(|part| {
        let head_end = find(part, b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&part[..head_end]);
        if !head.contains("name=\"file\"") {
            return None;
        }
        let content = &part[head_end + 4..];
        Some(content.strip_suffix(b"\r\n").unwrap_or(content).to_vec())
    })
}

/// The pieces of `body` between occurrences of `delimiter`.
fn split<'a>(body: &'a [u8], delimiter: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut rest = body;
    std::iter::from_fn(move || {
        let at = find(rest, delimiter)?;
        let after = &rest[at + delimiter.len()..];
        let next = find(after, delimiter).unwrap_or(after.len());
        let piece = &after[..next];
        rest = &after[next..];
        Some(piece)
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
