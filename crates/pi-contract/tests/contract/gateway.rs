//! The sandbox gateway in the suite, its `gateway` row: the command
//! service's 7 methods (`spec/gateway/command_session.proto`) and the 3 file
//! operations (`spec/gateway/files.openapi.json`), which the PI API's
//! document does not hold, are driven through pi-client like REST
//! operations.
//!
//! - **Requests**: every call, once with the fewest inputs and once with
//!   all of them, against `ContractServer::stateful()`, whose gateway
//!   validates each request against `spec/gateway/`; a violation fails.
//! - **Inputs**: the fields each request body carries are read off the
//!   protobuf wire with the proto's own field numbers (`proto.rs`), the file
//!   calls' query parameters and multipart parts off the request; every
//!   field of a driven method's request message, and every parameter of a
//!   file operation, must be reached by some call or be in
//!   [`EXCLUDED_INPUTS`] with a reason.
//! - **Outputs**: every field of the driven methods' answers, every event
//!   kind included, must come back through pi-client's types. The stateful
//!   mock never sends terminal output or a keepalive, so this part answers
//!   from a wiremock server with one stream holding every event kind, a
//!   session list with every field set, and the files document's
//!   synthesized answers.

mod proto;

use std::collections::BTreeSet;
use std::time::Duration;

use pi_client::sandboxes::{CommandOutput, ProcessEvent, Signal};
use pi_client::types::gateway::connect::{EnvelopeDecoder, Frame, end_stream, envelope};
use pi_client::types::gateway::{
    CommandSessionEvent, CommandSessionInfo, CommandSpec, ListResponse, StartResponse,
    command_session_event::{self, Event, data_event::Output},
};
use pi_client::{Client, Error};
use pi_contract::gateway::CommandScript;
use pi_contract::report::SuiteReport;
use pi_contract::{ContractServer, Operation, ReceivedRequest, Spec};
use prost::Message;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::coverage::coverage_problems;
use crate::fidelity::{self, RoundTrip};
use crate::harness::{client_at, client_for};
use proto::{Method, Proto};

/// The report's row for the gateway.
pub const AREA: &str = "gateway";

/// Gateway operations pi-client does not call, each with the reason.
pub const EXCLUDED: &[(&str, &str)] = &[
    (
        "Update",
        "resizes a session's terminal; pi-client starts no command in a terminal, so there is nothing to resize",
    ),
    (
        "StreamInput",
        "a client stream for stdin; pi-client writes stdin with `SendInput`, whose `input_uuid` makes a write sent again after a broken link harmless, as the official client does",
    ),
];

/// Request fields (and file parameters) pi-client never sends, each with the
/// reason. `Message.*` stands for every field of `Message` and of the
/// messages declared inside it.
pub const EXCLUDED_INPUTS: &[(&str, &str)] = &[
    (
        "StartRequest.pty",
        "asks for a terminal; pi-client runs commands with pipes, whose stdout and stderr stay apart",
    ),
    (
        "PTY.*",
        "a terminal's size, sent only inside `StartRequest.pty`",
    ),
    (
        "CommandInput.pty",
        "input for a terminal, which pi-client's sessions never have",
    ),
    (
        "CommandSessionSelector.pid",
        "the SDK names a session by the key it started it with (`session_uuid`), which stays the same across re-attaches; a process id can be reused",
    ),
];

/// The session key of the calls that set one.
const EXEC_KEY: &str = "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b";
const SPAWN_KEY: &str = "7a2d3b9f-4c5e-4f60-9bac-1d2e3f4a5b6c";

/// The gateway's row of the suite: operations, requests and inputs against
/// the stateful mock, outputs against a scripted wiremock gateway. Every
/// failure of this part counts as a violation of the row.
pub async fn run(report: &mut SuiteReport) {
    let before = report.failures.len();
    match Proto::parse(pi_contract::gateway::PROTO) {
        Ok(proto) => {
            let files = pi_contract::gateway::files_spec();
            let mut row = Row::default();
            drive(&proto, &files, &mut row, report).await;
            answer(&proto, &files, &mut row, report).await;
            let area = report.area(AREA);
            area.operations += proto.methods.len() + files.operations().count();
            area.driven += row.reached.len();
            area.excluded += EXCLUDED.len();
            area.requests_validated += row.requests;
            area.responses_decoded += row.decoded;
            area.inputs_covered += row.inputs.0;
            area.inputs_total += row.inputs.1;
            area.outputs_typed += row.outputs.0;
            area.outputs_total += row.outputs.1;
        }
        Err(error) => report.fail(AREA, "proto", error),
    }
    let failed = report.failures.len() - before;
    report.area(AREA).violations += failed;
}

/// Stdout, stderr and exit code a command is expected to give.
type Expected<'a> = (&'a [u8], &'a [u8], i32);

/// What the gateway part counted.
#[derive(Default)]
struct Row {
    /// Operations some request reached.
    reached: BTreeSet<String>,
    requests: usize,
    decoded: usize,
    /// Covered and total, inputs and outputs.
    inputs: (usize, usize),
    outputs: (usize, usize),
}

impl Row {
    /// Records a call's outcome: a success is a gateway answer pi-client
    /// decoded, a failure is reported against `operation`.
    fn call<T>(
        &mut self,
        report: &mut SuiteReport,
        operation: &str,
        call: &str,
        outcome: Result<T, Error>,
    ) -> Option<T> {
        match outcome {
            Ok(value) => {
                self.decoded += 1;
                Some(value)
            }
            Err(error) => {
                report.fail(operation, format!("call ({call})"), error.to_string());
                None
            }
        }
    }

    /// Records a command's outcome as [`Row::call`] does, and reports
    /// output that is not `expected`.
    fn output(
        &mut self,
        report: &mut SuiteReport,
        operation: &str,
        call: &str,
        outcome: Result<CommandOutput, Error>,
        expected: Expected<'_>,
    ) {
        if let Some(ran) = self.call(report, operation, call, outcome) {
            let (stdout, stderr, code) = expected;
            judge(
                report,
                operation,
                call,
                output_problem(&ran, stdout, stderr, code),
            );
        }
    }
}

/// Reports `problem` against `operation` when there is one.
fn judge(report: &mut SuiteReport, operation: &str, check: &str, problem: Option<String>) {
    if let Some(problem) = problem {
        report.fail(operation, check, problem);
    }
}

/// Every pi-client gateway call against the stateful mock, minimal and
/// with every input, then what the mock recorded: violations, operations
/// and inputs.
async fn drive(proto: &Proto, files: &Spec, row: &mut Row, report: &mut SuiteReport) {
    let server = ContractServer::stateful().await;
    let client = client_for(&server);
    // A REST call, so not one of the row's answers.
    let created = client
        .sandboxes()
        .create("gateway-suite", "python:3.12-slim")
        .send()
        .await;
    let sandbox = match created {
        Ok(sandbox) => sandbox,
        Err(error) => {
            report.fail(AREA, "create the sandbox", error.to_string());
            return;
        }
    };
    let id = sandbox.id;
    commands(&server, &client, &id, row, report).await;
    processes(&server, &client, &id, row, report).await;
    file_calls(&client, &id, row, report).await;
    recorded(proto, files, &server.received_requests(), row, report);
}

/// `exec`, minimal and with every setter.
async fn commands(
    server: &ContractServer,
    client: &Client,
    id: &str,
    row: &mut Row,
    report: &mut SuiteReport,
) {
    server.on_command("uname", CommandScript::prints("Linux\n"));
    server.on_command(
        "printenv GREETING",
        CommandScript::prints("hi\n").then_stderr("note\n").exits(3),
    );
    let minimal = client.sandboxes().exec(id, "uname").send().await;
    row.output(
        report,
        "Start",
        "exec, minimal",
        minimal,
        (b"Linux\n", b"", 0),
    );
    let every = client
        .sandboxes()
        .exec(id, "printenv GREETING")
        .cwd("/work")
        .env("GREETING", "hi")
        .user("runner")
        .timeout(Duration::from_secs(20))
        .session_uuid(EXEC_KEY)
        .send()
        .await;
    let expected = (b"hi\n".as_slice(), b"note\n".as_slice(), 3);
    row.output(report, "Start", "exec, every input", every, expected);
}

/// `None` when `ran` is what the command printed and its exit code.
fn output_problem(ran: &CommandOutput, stdout: &[u8], stderr: &[u8], code: i32) -> Option<String> {
    let got = (ran.stdout.as_slice(), ran.stderr.as_slice(), ran.exit_code);
    (got != (stdout, stderr, code)).then(|| {
        format!(
            "expected stdout {:?}, stderr {:?}, exit {code}; got {ran:?}",
            String::from_utf8_lossy(stdout),
            String::from_utf8_lossy(stderr),
        )
    })
}

/// `spawn` with every setter (stdin, the session list, a signal), then a
/// minimal `spawn` picked up again with `attach`.
async fn processes(
    server: &ContractServer,
    client: &Client,
    id: &str,
    row: &mut Row,
    report: &mut SuiteReport,
) {
    // Echoes stdin line by line until `bye`.
    server.on_command(
        "cat",
        CommandScript::handled_by(|mut command| async move {
            while let Some(line) = command.stdin().await {
                if line == b"bye\n" {
                    return 0;
                }
                command.stdout(line);
            }
            0
        }),
    );
    let spawned = client
        .sandboxes()
        .spawn(id, "cat")
        .cwd("/work")
        .env("MODE", "echo")
        .user("runner")
        .timeout(Duration::from_secs(20))
        .session_uuid(SPAWN_KEY)
        .send()
        .await;
    if let Some(mut process) = row.call(report, "Start", "spawn, every input", spawned) {
        echo(&mut process, row, report).await;
        let listed = client.sandboxes().sessions(id).send().await;
        if let Some(sessions) = row.call(report, "List", "sessions", listed) {
            let keys: Vec<Option<&str>> =
                sessions.iter().map(|s| s.session_uuid.as_deref()).collect();
            let problem = (keys != [Some(SPAWN_KEY)])
                .then(|| format!("expected the one session {SPAWN_KEY}, got {keys:?}"));
            judge(report, "List", "sessions", problem);
        }
        let signalled = process.signal(Signal::Term).await;
        if row
            .call(report, "SendSignal", "signal", signalled)
            .is_some()
        {
            let ended = process.wait().await;
            if let Some(ran) = row.call(report, "Start", "spawn, after the signal", ended) {
                let problem = ran
                    .success()
                    .then(|| "a process stopped by SIGTERM reported a clean exit".to_owned());
                judge(report, "SendSignal", "signal", problem);
            }
        }
    }
    let spawned = client.sandboxes().spawn(id, "cat").send().await;
    let Some(mut process) = row.call(report, "Start", "spawn, minimal", spawned) else {
        return;
    };
    echo(&mut process, row, report).await;
    let attached = client.sandboxes().attach(id, process.session_uuid());
    // `bye` goes once the attach's `Connect` is in, so the attached stream
    // sees the command end rather than a replay of its exit.
    let finish = async {
        for _ in 0..400 {
            let connected = server
                .received_requests()
                .iter()
                .any(|request| request.path.ends_with("/Connect"));
            if connected {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        process.write_stdin("bye\n").await
    };
    let (waited, wrote) = tokio::join!(attached.wait(), finish);
    row.call(report, "SendInput", "write_stdin", wrote);
    row.output(report, "Connect", "attach", waited, (b"", b"", 0));
}

/// Writes a line to `process` and reads it back.
async fn echo(
    process: &mut pi_client::sandboxes::Process,
    row: &mut Row,
    report: &mut SuiteReport,
) {
    let wrote = process.write_stdin("ping\n").await;
    if row
        .call(report, "SendInput", "write_stdin", wrote)
        .is_none()
    {
        return;
    }
    let event = process.next_event().await.transpose();
    if let Some(event) = row.call(report, "Start", "next_event", event) {
        let expected = ProcessEvent::Stdout(b"ping\n".to_vec());
        let problem = (event.as_ref() != Some(&expected))
            .then(|| format!("expected the echo {expected:?}, got {event:?}"));
        judge(report, "SendInput", "write_stdin", problem);
    }
}

/// The file calls: bytes up and down, a whole read and a window.
async fn file_calls(client: &Client, id: &str, row: &mut Row, report: &mut SuiteReport) {
    const PATH: &str = "/data/notes.txt";
    let body = b"alpha beta".to_vec();
    let sandboxes = client.sandboxes();
    let uploaded = sandboxes.upload_bytes(id, PATH, body.clone()).await;
    if let Some(uploaded) = row.call(report, "upload_file", "upload_bytes", uploaded) {
        let problem = (uploaded.path != PATH || uploaded.size != 10)
            .then(|| format!("expected {PATH} with 10 bytes, got {uploaded:?}"));
        judge(report, "upload_file", "upload_bytes", problem);
    }
    let downloaded = sandboxes.download_bytes(id, PATH).await;
    if let Some(bytes) = row.call(report, "download_file", "download_bytes", downloaded) {
        let problem = (bytes != body).then(|| format!("expected {body:?}, got {bytes:?}"));
        judge(report, "download_file", "download_bytes", problem);
    }
    let reads = [
        (
            "read_file, minimal",
            sandboxes.read_file(id, PATH),
            "alpha beta",
        ),
        (
            "read_file, every input",
            sandboxes
                .read_file(id, PATH)
                .window(6, 4)
                .timeout(Duration::from_secs(10)),
            "beta",
        ),
    ];
    for (call, request, expected) in reads {
        if let Some(window) = row.call(report, "read_file", call, request.send().await) {
            let problem = (window.content != expected)
                .then(|| format!("expected {expected:?}, got {window:?}"));
            judge(report, "read_file", call, problem);
        }
    }
}

/// The operation a gateway request reached.
enum Reached<'a> {
    Rpc(&'a Method),
    File(&'a Operation),
}

impl Reached<'_> {
    fn name(&self) -> &str {
        match self {
            Self::Rpc(method) => &method.name,
            Self::File(operation) => operation.id(),
        }
    }
}

/// The operation `request` reached: a method of the command service by
/// its route, a file operation by its method and path.
fn reached<'a>(
    proto: &'a Proto,
    files: &'a Spec,
    request: &ReceivedRequest,
) -> Option<Reached<'a>> {
    if let Some((_, name)) = request.path.rsplit_once("/command_session.CommandSession/") {
        return proto
            .methods
            .iter()
            .find(|method| method.name == name)
            .map(Reached::Rpc);
    }
    files
        .operations()
        .find(|operation| {
            operation.method().eq_ignore_ascii_case(&request.method)
                && request.path.ends_with(operation.path())
        })
        .map(Reached::File)
}

/// Checks what the mock's gateway recorded: each request valid and naming
/// a gateway operation; then which operations and inputs were reached.
fn recorded(
    proto: &Proto,
    files: &Spec,
    requests: &[ReceivedRequest],
    row: &mut Row,
    report: &mut SuiteReport,
) {
    let mut sent = BTreeSet::new();
    for request in requests.iter().filter(|r| r.path.contains("/gateway/")) {
        row.requests += 1;
        let Some(operation) = reached(proto, files, request) else {
            report.fail(
                AREA,
                "gateway request",
                format!(
                    "{} {} is no gateway operation",
                    request.method, request.path
                ),
            );
            continue;
        };
        let name = operation.name().to_owned();
        for violation in &request.violations {
            report.fail(&name, "gateway request", violation.to_string());
        }
        match operation {
            Reached::Rpc(method) => {
                let streams = method.client_streams || method.server_streams;
                match messages(&request.raw_body, streams) {
                    Ok(bodies) => {
                        for body in bodies {
                            if let Err(problem) = proto.present(&method.request, &body, &mut sent) {
                                report.fail(&name, "gateway request", problem);
                            }
                        }
                    }
                    Err(problem) => report.fail(&name, "gateway request", problem),
                }
            }
            Reached::File(operation) => {
                let mut inputs = fidelity::sent_inputs(operation, request);
                // The mock keeps no copy of an upload's body, but stores a
                // file (and answers 200) only from a multipart part named
                // `file`; without one it answers 422 with a violation.
                if operation.id() == "upload_file" && request.status == 200 {
                    inputs.insert("body file".to_owned());
                }
                sent.extend(inputs.into_iter().map(|input| format!("{name} {input}")));
            }
        }
        row.reached.insert(name);
    }
    let all: Vec<&str> = proto
        .methods
        .iter()
        .map(|method| method.name.as_str())
        .chain(files.operations().map(Operation::id))
        .collect();
    let reached: Vec<&str> = row.reached.iter().map(String::as_str).collect();
    for problem in coverage_problems(&all, &reached, EXCLUDED) {
        report.fail(AREA, "coverage", problem);
    }
    check_inputs(&documented_inputs(proto, files), &sent, row, report);
}

/// Every input of the operations not excluded: the request messages'
/// fields (`StartRequest.stdin`) and the file operations' parameters and
/// body parts (`upload_file query path`).
fn documented_inputs(proto: &Proto, files: &Spec) -> BTreeSet<String> {
    let mut documented = BTreeSet::new();
    let excluded = |name: &str| EXCLUDED.iter().any(|(excluded, _)| *excluded == name);
    for method in proto.methods.iter().filter(|m| !excluded(&m.name)) {
        proto.reachable(&method.request, &mut documented);
    }
    for operation in files.operations().filter(|op| !excluded(op.id())) {
        let inputs = fidelity::documented_inputs(files, operation);
        documented.extend(
            inputs
                .into_iter()
                .map(|input| format!("{} {input}", operation.id())),
        );
    }
    documented
}

/// Whether an `EXCLUDED_INPUTS` entry names `input`.
fn names(entry: &str, input: &str) -> bool {
    match entry.strip_suffix(".*") {
        Some(message) => input
            .strip_prefix(message)
            .is_some_and(|rest| rest.starts_with('.')),
        None => entry == input,
    }
}

fn check_inputs(
    documented: &BTreeSet<String>,
    sent: &BTreeSet<String>,
    row: &mut Row,
    report: &mut SuiteReport,
) {
    for (entry, reason) in EXCLUDED_INPUTS {
        if !documented.iter().any(|input| names(entry, input)) {
            report.fail(
                AREA,
                "inputs",
                format!("EXCLUDED_INPUTS names `{entry}`, which no driven operation has"),
            );
        }
        if reason.trim().is_empty() {
            report.fail(
                AREA,
                "inputs",
                format!("EXCLUDED_INPUTS `{entry}` gives no reason"),
            );
        }
    }
    let wanted = documented
        .iter()
        .filter(|input| !EXCLUDED_INPUTS.iter().any(|(entry, _)| names(entry, input)));
    for input in wanted {
        row.inputs.1 += 1;
        if sent.contains(input) {
            row.inputs.0 += 1;
        } else {
            report.fail(AREA, "inputs", format!("{input} is never sent: no pi-client call reaches it (add it to the client, or to EXCLUDED_INPUTS with a reason)"));
        }
    }
    for input in sent {
        if !documented.contains(input) {
            report.fail(
                AREA,
                "inputs",
                format!("{input} was sent, but no driven operation has it"),
            );
        } else if EXCLUDED_INPUTS.iter().any(|(entry, _)| names(entry, input)) {
            report.fail(AREA, "inputs", format!("{input} is in EXCLUDED_INPUTS as never sent, but a call sends it: remove the entry"));
        }
    }
}

/// The protobuf messages of a request body: Connect envelopes for a
/// streaming method, the body itself for a unary one.
fn messages(body: &[u8], enveloped: bool) -> Result<Vec<Vec<u8>>, String> {
    if !enveloped {
        return Ok(vec![body.to_vec()]);
    }
    let mut decoder = EnvelopeDecoder::new(body.len());
    decoder.push(body);
    let mut messages = Vec::new();
    loop {
        match decoder.next_frame().map_err(|error| error.to_string())? {
            Some(Frame::Message(message)) => messages.push(message),
            Some(Frame::End(_)) => {
                return Err("a request stream carries an end-of-stream envelope".to_owned());
            }
            None => break,
        }
    }
    decoder.finish().map_err(|error| error.to_string())?;
    Ok(messages)
}

// ----- outputs, against a scripted gateway -----

const SANDBOX: &str = "sb_gateway_suite";
const BASE: &str = "/gateway/ns_suite/job_suite";
const PID: u32 = 4242;
const STDOUT: &[u8] = b"out\n";
/// Not UTF-8: bytes must come back as sent.
const STDERR: &[u8] = &[0xff, b'!'];
const PTY: &[u8] = b"\x1b[1mtty\x1b[0m";
/// Zigzag-encoded on the wire (`sint32`), so a codec mix-up shows.
const CODE: i32 = 137;
const STATUS: &str = "exited";
const END_ERROR: &str = "out of memory";

/// One stream holding every event kind: start, stdout, a keepalive,
/// stderr, terminal output, end.
fn every_event() -> Vec<u8> {
    let events = [
        Event::Start(command_session_event::StartEvent { pid: PID }),
        data(Output::Stdout(STDOUT.to_vec())),
        Event::Keepalive(command_session_event::KeepAlive {}),
        data(Output::Stderr(STDERR.to_vec())),
        data(Output::Pty(PTY.to_vec())),
        Event::End(command_session_event::EndEvent {
            exit_code: CODE,
            // `true`: proto3 leaves a `false` off the wire.
            exited: true,
            status: STATUS.to_owned(),
            error: Some(END_ERROR.to_owned()),
        }),
    ];
    let mut body = Vec::new();
    for event in events {
        let answer = StartResponse {
            event: Some(CommandSessionEvent { event: Some(event) }),
        };
        body.extend(envelope(0, &answer.encode_to_vec()).unwrap_or_default());
    }
    body.extend(end_stream(None).unwrap_or_default());
    body
}

fn data(output: Output) -> Event {
    Event::Data(command_session_event::DataEvent {
        output: Some(output),
    })
}

/// A session list with every field set.
fn every_session() -> Vec<CommandSessionInfo> {
    vec![CommandSessionInfo {
        command: Some(CommandSpec {
            cmd: "/bin/bash".to_owned(),
            args: vec!["-c".to_owned(), "sleep 60".to_owned()],
            envs: [("MODE".to_owned(), "wait".to_owned())].into(),
            cwd: Some("/work".to_owned()),
            user: Some("runner".to_owned()),
        }),
        pid: PID,
        session_uuid: Some(SPAWN_KEY.to_owned()),
    }]
}

/// A gateway on wiremock: `auth` points at it, `Start` and `Connect`
/// answer [`every_event`], `List` answers [`every_session`].
async fn scripted_gateway() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/api/v1/sandbox/{SANDBOX}/auth")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "token": "gateway-suite-token",
            "gateway_url": format!("{}/gateway/", server.uri()),
            "user_ns": "ns_suite",
            "job_id": "job_suite",
            "expires_at": "2099-01-01T00:00:00Z"
        })))
        .mount(&server)
        .await;
    for rpc in ["Start", "Connect"] {
        Mock::given(method("POST"))
            .and(path(format!("{BASE}/command_session.CommandSession/{rpc}")))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("content-type", "application/connect+proto")
                    .set_body_bytes(every_event()),
            )
            .mount(&server)
            .await;
    }
    let list = ListResponse {
        sessions: every_session(),
    };
    Mock::given(method("POST"))
        .and(path(format!("{BASE}/command_session.CommandSession/List")))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/proto")
                .set_body_bytes(list.encode_to_vec()),
        )
        .mount(&server)
        .await;
    server
}

/// One output check: the output's name, and what was wrong (`None` when
/// it came back as sent).
type Check = (String, Option<String>);

/// Every output of the driven methods' answers and the file operations,
/// against what pi-client's types give back.
async fn answer(proto: &Proto, files: &Spec, row: &mut Row, report: &mut SuiteReport) {
    let server = scripted_gateway().await;
    let client = client_at(&server.uri());
    let mut checks = events(&client, row, report).await;
    checks.extend(sessions(proto, &client, row, report).await);
    let mut documented = BTreeSet::new();
    let excluded = |name: &str| EXCLUDED.iter().any(|(excluded, _)| *excluded == name);
    for method in proto.methods.iter().filter(|m| !excluded(&m.name)) {
        proto.reachable(&method.response, &mut documented);
    }
    for (name, _) in &checks {
        if !documented.contains(name) {
            report.fail(
                AREA,
                "outputs",
                format!("the suite checks `{name}`, which no driven method answers"),
            );
        }
    }
    for output in &documented {
        row.outputs.1 += 1;
        match checks.iter().find(|(name, _)| name == output) {
            Some((_, None)) => row.outputs.0 += 1,
            Some((_, Some(problem))) => report.fail(
                AREA,
                "outputs",
                format!("{output} comes back wrong: {problem}"),
            ),
            None => report.fail(
                AREA,
                "outputs",
                format!("{output} is never decoded: no pi-client call the suite makes shows it"),
            ),
        }
    }
    file_answers(files, &server, &client, row, report).await;
}

/// `exec` and `spawn` (through `Start`) and `attach` (through `Connect`)
/// on the stream with every event kind.
async fn events(client: &Client, row: &mut Row, report: &mut SuiteReport) -> Vec<Check> {
    let sandboxes = client.sandboxes();
    let expected_output = [STDOUT, PTY].concat();
    let output = |ran: Option<CommandOutput>| match ran {
        Some(ran) => output_problem(&ran, &expected_output, STDERR, CODE),
        None => Some("the call failed".to_owned()),
    };
    let ran = sandboxes.exec(SANDBOX, "true").send().await;
    let exec = output(row.call(report, "Start", "exec, every event kind", ran));
    let attached = sandboxes.attach(SANDBOX, SPAWN_KEY).wait().await;
    let connect = output(row.call(report, "Connect", "attach, every event kind", attached));

    let spawned = sandboxes.spawn(SANDBOX, "true").send().await;
    let (pid, got) = match row.call(report, "Start", "spawn, every event kind", spawned) {
        Some(mut process) => {
            let mut got = Vec::new();
            while let Some(event) = process.next_event().await {
                match event {
                    Ok(event) => got.push(event),
                    Err(error) => {
                        report.fail("Start", "spawn, every event kind", error.to_string());
                        break;
                    }
                }
            }
            (process.pid(), got)
        }
        None => (None, Vec::new()),
    };
    let shown = format!("{got:?}");
    let event_is = |index: usize, expected: &ProcessEvent| {
        (got.get(index) != Some(expected))
            .then(|| format!("expected {expected:?} at {index}, got {shown}"))
    };
    let exit = match got.get(3) {
        Some(ProcessEvent::Exited(status)) => Some(status),
        _ => None,
    };
    let exit_is = |name: &str, held: fn(&pi_client::sandboxes::ExitStatus) -> bool| {
        (!exit.is_some_and(held)).then(|| format!("{name} is not as sent in {shown}"))
    };
    let event = |field: &str| format!("CommandSessionEvent.{field}");
    vec![
        (
            "StartResponse.event".to_owned(),
            exec.or(event_is(0, &ProcessEvent::Stdout(STDOUT.to_vec()))),
        ),
        ("ConnectResponse.event".to_owned(), connect),
        (
            event("start"),
            (pid != Some(PID)).then(|| format!("expected pid {PID}, got {pid:?}")),
        ),
        (
            event("StartEvent.pid"),
            (pid != Some(PID)).then(|| format!("expected pid {PID}, got {pid:?}")),
        ),
        (
            event("data"),
            event_is(0, &ProcessEvent::Stdout(STDOUT.to_vec())),
        ),
        (
            event("DataEvent.stdout"),
            event_is(0, &ProcessEvent::Stdout(STDOUT.to_vec())),
        ),
        // The keepalive between stdout and stderr yields nothing and
        // does not end the events.
        (
            event("keepalive"),
            (got.len() != 4).then(|| format!("expected 4 events, got {shown}")),
        ),
        (
            event("DataEvent.stderr"),
            event_is(1, &ProcessEvent::Stderr(STDERR.to_vec())),
        ),
        // Terminal output is the command's stdout.
        (
            event("DataEvent.pty"),
            event_is(2, &ProcessEvent::Stdout(PTY.to_vec())),
        ),
        (event("end"), exit_is("the end", |_| true)),
        (
            event("EndEvent.exit_code"),
            exit_is("exit_code", |s| s.code == CODE),
        ),
        (event("EndEvent.exited"), exit_is("exited", |s| s.exited)),
        (
            event("EndEvent.status"),
            exit_is("status", |s| s.status == STATUS),
        ),
        (
            event("EndEvent.error"),
            exit_is("error", |s| s.error.as_deref() == Some(END_ERROR)),
        ),
    ]
}

/// `sessions()` on [`every_session`]: each field the answer carries must
/// be in what pi-client returns, and the list must be the one sent.
async fn sessions(
    proto: &Proto,
    client: &Client,
    row: &mut Row,
    report: &mut SuiteReport,
) -> Vec<Check> {
    let sent_list = ListResponse {
        sessions: every_session(),
    };
    let listed = client.sandboxes().sessions(SANDBOX).send().await;
    let back_list = ListResponse {
        sessions: row
            .call(report, "List", "sessions, every field", listed)
            .unwrap_or_default(),
    };
    let mut sent = BTreeSet::new();
    let mut back = BTreeSet::new();
    for (list, fields) in [(&sent_list, &mut sent), (&back_list, &mut back)] {
        if let Err(problem) = proto.present("ListResponse", &list.encode_to_vec(), fields) {
            report.fail("List", "sessions, every field", problem);
        }
    }
    let altered =
        (back_list != sent_list).then(|| format!("sent {sent_list:?}, got {back_list:?}"));
    sent.into_iter()
        .map(|field| {
            let problem = if back.contains(&field) {
                altered.clone()
            } else {
                Some("dropped".to_owned())
            };
            (field, problem)
        })
        .collect()
}

/// The file answers: the files document's synthesized answers for
/// `upload_file` and `read_file` through `Uploaded` and `FileWindow`, and
/// a download's bytes.
async fn file_answers(
    files: &Spec,
    server: &MockServer,
    client: &Client,
    row: &mut Row,
    report: &mut SuiteReport,
) {
    let sandboxes = client.sandboxes();
    for id in ["upload_file", "read_file"] {
        let Some(schema) = files
            .operation(id)
            .and_then(Operation::success_response)
            .and_then(|response| response.schema())
        else {
            report.fail(id, "outputs", "the files document gives no answer schema");
            continue;
        };
        let instances = match files.synthesize(id, 200) {
            Ok(synthesized) => synthesized.instances().to_vec(),
            Err(error) => {
                report.fail(id, "synthesize 200", error.to_string());
                continue;
            }
        };
        let documented = fidelity::documented_outputs(files, schema, "");
        let mut kept = BTreeSet::new();
        for instance in instances {
            // Each instance under a path of its own.
            let remote = format!("/suite/{}", instance.name);
            let (verb, route) = if id == "upload_file" {
                ("POST", "upload")
            } else {
                ("GET", "read-file")
            };
            Mock::given(method(verb))
                .and(path(format!("{BASE}/{route}")))
                .and(query_param("path", remote.as_str()))
                .respond_with(ResponseTemplate::new(200).set_body_json(&instance.value))
                .mount(server)
                .await;
            let back = if id == "upload_file" {
                let uploaded = sandboxes
                    .upload_bytes(SANDBOX, &remote, b"x".to_vec())
                    .await;
                row.call(report, id, &instance.name, uploaded)
                    .map(|u| serde_json::to_value(u).unwrap_or_default())
            } else {
                let window = sandboxes.read_file(SANDBOX, &remote).send().await;
                row.call(report, id, &instance.name, window)
                    .map(|w| serde_json::to_value(w).unwrap_or_default())
            };
            // A call that failed is reported already.
            let Some(back) = back else {
                continue;
            };
            let mut found = RoundTrip::default();
            fidelity::round_trip(
                files,
                schema,
                &instance.value,
                Some(&back),
                "",
                0,
                &mut found,
            );
            kept.extend(found.kept);
            for problem in found.problems {
                report.fail(id, format!("round trip 200 {}", instance.name), problem);
            }
        }
        for output in &documented {
            row.outputs.1 += 1;
            if kept.contains(output) {
                row.outputs.0 += 1;
            } else {
                report.fail(
                    id,
                    "outputs",
                    format!("`{output}` never comes back through pi-client's type"),
                );
            }
        }
    }
    // A download's answer is the file's bytes, every byte value included.
    let bytes: Vec<u8> = (0..=255).collect();
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/download")))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(bytes.clone()))
        .mount(server)
        .await;
    row.outputs.1 += 1;
    let downloaded = sandboxes.download_bytes(SANDBOX, "/suite/blob").await;
    if let Some(back) = row.call(report, "download_file", "download_bytes", downloaded) {
        if back == bytes {
            row.outputs.0 += 1;
        } else {
            report.fail(
                "download_file",
                "outputs",
                format!("the body's 256 bytes came back as {back:?}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field the exclusions name, so that only the checked ones fail.
    fn documented(more: &[&str]) -> BTreeSet<String> {
        [
            "StartRequest.pty",
            "PTY.size",
            "PTY.Size.cols",
            "CommandInput.pty",
            "CommandSessionSelector.pid",
        ]
        .iter()
        .chain(more)
        .map(|name| (*name).to_owned())
        .collect()
    }

    fn failures(report: &SuiteReport) -> Vec<&str> {
        report.failures.iter().map(|f| f.message.as_str()).collect()
    }

    #[test]
    fn a_field_no_call_sends_is_named_and_excluded_ones_are_not_counted() {
        let documented = documented(&["StartRequest.stdin", "StartRequest.session_uuid"]);
        let sent = BTreeSet::from(["StartRequest.session_uuid".to_owned()]);
        let (mut row, mut report) = (Row::default(), SuiteReport::new("x"));
        check_inputs(&documented, &sent, &mut row, &mut report);
        assert_eq!(row.inputs, (1, 2));
        let failures = failures(&report);
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(
            failures[0].starts_with("StartRequest.stdin is never sent"),
            "{failures:?}"
        );
    }

    #[test]
    fn an_excluded_field_that_is_sent_and_a_field_outside_the_contract_are_named() {
        let sent = BTreeSet::from([
            "CommandInput.pty".to_owned(),
            "UpdateRequest.pty".to_owned(),
        ]);
        let (mut row, mut report) = (Row::default(), SuiteReport::new("x"));
        check_inputs(&documented(&[]), &sent, &mut row, &mut report);
        let failures = failures(&report);
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert!(
            failures
                .iter()
                .any(|f| f.starts_with("CommandInput.pty is in EXCLUDED_INPUTS")),
            "{failures:?}"
        );
        assert!(
            failures
                .iter()
                .any(|f| f.starts_with("UpdateRequest.pty was sent")),
            "{failures:?}"
        );
    }

    #[test]
    fn an_exclusion_naming_no_field_is_named() {
        let mut documented = documented(&[]);
        documented.remove("CommandSessionSelector.pid");
        let (mut row, mut report) = (Row::default(), SuiteReport::new("x"));
        check_inputs(&documented, &BTreeSet::new(), &mut row, &mut report);
        assert_eq!(
            failures(&report),
            ["EXCLUDED_INPUTS names `CommandSessionSelector.pid`, which no driven operation has"]
        );
    }

    #[test]
    fn a_wildcard_names_a_message_and_the_messages_inside_it_only() {
        assert!(names("PTY.*", "PTY.size"));
        assert!(names("PTY.*", "PTY.Size.cols"));
        assert!(!names("PTY.*", "PTYX.size"));
        assert!(!names("PTY.*", "StartRequest.pty"));
        assert!(names("StartRequest.pty", "StartRequest.pty"));
    }

    /// The scripted stream must hold every field of every event kind the
    /// proto has, or the output checks would prove less than they claim.
    #[test]
    fn the_scripted_stream_holds_every_event_field_of_the_proto() {
        let proto = Proto::parse(pi_contract::gateway::PROTO).unwrap();
        let stream = every_event();
        let mut decoder = EnvelopeDecoder::new(stream.len());
        decoder.push(&stream);
        let mut present = BTreeSet::new();
        while let Some(frame) = decoder.next_frame().unwrap() {
            if let Frame::Message(message) = frame {
                proto
                    .present("StartResponse", &message, &mut present)
                    .unwrap();
            }
        }
        let mut documented = BTreeSet::new();
        proto.reachable("StartResponse", &mut documented);
        let missing: Vec<&String> = documented.difference(&present).collect();
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn a_stream_body_is_read_envelope_by_envelope_and_a_cut_one_is_refused() {
        let one = envelope(0, b"\x08\x01").unwrap();
        let two = [one.clone(), one.clone()].concat();
        assert_eq!(messages(&two, true).unwrap().len(), 2);
        assert!(messages(&one[..4], true).is_err());
        assert_eq!(
            messages(b"\x08\x01", false).unwrap(),
            [b"\x08\x01".to_vec()]
        );
    }
}
