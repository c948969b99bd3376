//! The stateful mock's sandbox gateway: a sandbox's `auth` call points at
//! `/gateway/sandboxes/{sandbox_id}` on the gateway's own server
//! ([`serve`]), where commands run as sessions playing what the test
//! scripted ([`sessions`]; every one recorded) and files are kept in memory
//! per sandbox. Requests are checked against the gateway's contract
//! (`spec/gateway/`): the command service's messages must decode, the file
//! calls must hold the files document. Faults are scripted here too: a
//! stream that breaks, a token that lapses, a deadline, a terminated
//! sandbox, a failing file call.

pub(crate) mod serve;
pub(crate) mod sessions;

use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use pi_types::gateway::command_session_selector::Selector;
use pi_types::gateway::connect::Code;
use pi_types::gateway::{CommandSessionInfo, CommandSpec, StartRequest};
use serde_json::{Value, json};

use crate::request::HttpRequest;
use crate::server::ContractResponse;
use crate::violation::{Rule, Violation};
use sessions::{Break, Finish, Handler, Session, Step};

pub use sessions::ScriptedCommand;

/// Where the mock's gateways live: `{gateway}/gateway/sandboxes/{sandbox_id}`.
pub(crate) const PREFIX: &str = "/gateway/sandboxes/";

/// What a scripted command prints, how long it takes and how it ends; or a
/// handler of the test's own that plays the command.
///
/// ```
/// use std::time::Duration;
/// use pi_contract::gateway::CommandScript;
///
/// // Prints, pauses, prints to stderr, exits with 2.
/// let slow = CommandScript::prints("building\n")
///     .then_wait(Duration::from_millis(50))
///     .then_stderr("warning: cached\n")
///     .exits(2);
/// // Echoes the first line of stdin back.
/// let echo = CommandScript::handled_by(|mut command| async move {
///     let line = command.stdin().await.unwrap_or_default();
///     command.stdout(line);
///     0
/// });
/// # let _ = (slow, echo);
/// ```
#[derive(Clone, Default)]
pub struct CommandScript {
    steps: Vec<Step>,
    finish: Option<Finish>,
    handler: Option<Handler>,
    fault: Option<(usize, Break)>,
}

impl std::fmt::Debug for CommandScript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandScript")
            .field("steps", &self.steps)
            .field("finish", &self.finish)
            .field("handled", &self.handler.is_some())
            .field("fault", &self.fault)
            .finish()
    }
}

impl CommandScript {
    /// A command that prints `stdout` and exits with code 0.
    pub fn prints(stdout: impl Into<Vec<u8>>) -> Self {
        Self::default().then_stdout(stdout)
    }

    /// A command played by `handler`: it gets the command as asked, reads
    /// the stdin the client sends, writes output, and returns the exit code.
    /// It runs on the gateway's own runtime; a signal stops it.
    pub fn handled_by<F, Fut>(handler: F) -> Self
    where
        F: Fn(ScriptedCommand) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = i32> + Send + 'static,
    {
        Self {
            handler: Some(Arc::new(move |command| Box::pin(handler(command)))),
            ..Self::default()
        }
    }

    /// The same, writing `stderr` to standard error next.
    #[must_use]
    pub fn with_stderr(self, stderr: impl Into<Vec<u8>>) -> Self {
        self.then_stderr(stderr)
    }

    /// The same, writing `stdout` to standard output next.
    #[must_use]
    pub fn then_stdout(mut self, stdout: impl Into<Vec<u8>>) -> Self {
        self.steps.push(Step::Stdout(stdout.into()));
        self
    }

    /// The same, writing `stderr` to standard error next.
    #[must_use]
    pub fn then_stderr(mut self, stderr: impl Into<Vec<u8>>) -> Self {
        self.steps.push(Step::Stderr(stderr.into()));
        self
    }

    /// The same, pausing for `pause` before what comes next.
    #[must_use]
    pub fn then_wait(mut self, pause: Duration) -> Self {
        self.steps.push(Step::Wait(pause));
        self
    }

    /// The same, ending with `exit_code` (0 unless set).
    #[must_use]
    pub fn exits(mut self, exit_code: i32) -> Self {
        self.finish = Some(Finish::Exit(exit_code));
        self
    }

    /// The same, but instead of an exit code the gateway answers
    /// `deadline_exceeded`, as it does for a command past its deadline.
    #[must_use]
    pub fn times_out(mut self) -> Self {
        self.finish = Some(Finish::TimesOut);
        self
    }

    /// The same, with the first stream of the command cut off (no end of
    /// stream) once it has sent `events` events, the start announcement
    /// counted; the command runs on, and a re-attached stream gets the rest.
    #[must_use]
    pub fn drops_stream_after(mut self, events: usize) -> Self {
        self.fault = Some((events, Break::Drop));
        self
    }

    /// The same, with the sandbox's gateway token lapsing once the first
    /// stream has sent `events` events: that stream ends `unauthenticated`
    /// and every token issued so far is refused from then on.
    #[must_use]
    pub fn expires_token_after(mut self, events: usize) -> Self {
        self.fault = Some((events, Break::ExpireToken));
        self
    }
}

/// A file call of the gateway, for [`crate::ContractServer::fail_next_file_call`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileCall {
    /// `POST {base}/upload`.
    Upload,
    /// `GET {base}/download`.
    Download,
    /// `GET {base}/read-file`.
    ReadFile,
}

impl FileCall {
    fn of(route: &str) -> Option<FileCall> {
        match route {
            "upload" => Some(FileCall::Upload),
            "download" => Some(FileCall::Download),
            "read-file" => Some(FileCall::ReadFile),
            _ => None,
        }
    }
}

/// Why the gateway turned a call away before looking at it.
pub(crate) enum Refusal {
    /// No token, or one the gateway does not (or no longer) accept.
    Token(&'static str),
    /// The sandbox was terminated.
    Gone,
}

/// What a `Start` call leads to.
pub(crate) enum StartOutcome {
    /// A session to stream: a new one (already running) or the one the
    /// call's `session_uuid` names.
    Session(Arc<Session>),
    Refused(Code, String),
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
    /// The session key it was started with (the client's `session_uuid`, or
    /// one the gateway made up).
    pub session_uuid: String,
    /// Whether the client asked to write to its standard input.
    pub stdin: bool,
}

/// The gateway side of a stateful mock.
#[derive(Default)]
pub(crate) struct Gateway {
    scripts: Vec<(String, CommandScript)>,
    fallback: CommandScript,
    ran: Vec<RanCommand>,
    /// Files by sandbox id, then by path.
    files: HashMap<String, HashMap<String, Bytes>>,
    /// The tokens `auth` handed out, each with its sandbox, and whether
    /// the gateway still accepts it.
    tokens: HashMap<String, (String, bool)>,
    issued: u64,
    /// Sessions by sandbox id, in the order they started.
    sessions: HashMap<String, Vec<Arc<Session>>>,
    terminated: HashSet<String>,
    /// Statuses the next file calls answer with, by call.
    failures: HashMap<FileCall, VecDeque<u16>>,
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

    /// A new token for a sandbox's `auth` answer, good for that sandbox
    /// alone (so one used on another sandbox's gateway shows).
    pub(crate) fn issue_token(&mut self, sandbox_id: &str) -> String {
        self.issued += 1;
        let token = format!("pi-mock-gateway-token-{sandbox_id}-{}", self.issued);
        self.tokens
            .insert(token.clone(), (sandbox_id.to_owned(), true));
        token
    }

    /// Refuses every token issued so far, as when they lapse.
    pub(crate) fn expire_tokens(&mut self) {
        for (_, live) in self.tokens.values_mut() {
            *live = false;
        }
    }

    /// Ends every command of `sandbox_id` and refuses its calls from now on.
    pub(crate) fn terminate(&mut self, sandbox_id: &str) {
        self.terminated.insert(sandbox_id.to_owned());
        for session in self.sessions.get(sandbox_id).into_iter().flatten() {
            session.finish(sessions::Ending::Error(
                Code::NotFound,
                "the sandbox has been terminated".to_owned(),
            ));
        }
    }

    /// Ends every command, as the server stops: their streams end too.
    pub(crate) fn close(&mut self) {
        for session in self.sessions.values().flatten() {
            session.finish(sessions::Ending::Error(
                Code::Unavailable,
                "the mock gateway stopped".to_owned(),
            ));
        }
    }

    pub(crate) fn is_terminated(&self, sandbox_id: &str) -> bool {
        self.terminated.contains(sandbox_id)
    }

    pub(crate) fn fail_next(&mut self, call: FileCall, status: u16) {
        self.failures.entry(call).or_default().push_back(status);
    }

    /// Whether a call to `sandbox_id`'s gateway may go on: it must carry a
    /// token `auth` handed out (no token at all breaks the contract).
    pub(crate) fn admits(
        &self,
        sandbox_id: &str,
        request: &HttpRequest,
        violations: &mut Vec<Violation>,
    ) -> Result<(), Refusal> {
        let token = request
            .header_value("authorization")
            .and_then(|value| value.strip_prefix("Bearer "))
            .filter(|token| !token.is_empty());
        // The token of this sandbox's auth call, not merely some bearer: a
        // client that sent its API key, or another sandbox's token, would
        // be refused by the real gateway. A token that lapsed is refused
        // too, but a client holding one keeps the contract.
        let issued = token.and_then(|token| self.tokens.get(token));
        let live = match issued {
            Some((owner, live)) if owner == sandbox_id => *live,
            _ => {
                let message = if token.is_some() {
                    "the bearer is not a token this sandbox's auth call handed out"
                } else {
                    "a gateway call needs the bearer token of the sandbox's auth call"
                };
                violations.push(Violation::new(
                    None,
                    "header.authorization",
                    Rule::MISSING_AUTH,
                    message,
                ));
                return Err(Refusal::Token("no valid token"));
            }
        };
        if !live {
            return Err(Refusal::Token("the token has expired"));
        }
        if self.terminated.contains(sandbox_id) {
            return Err(Refusal::Gone);
        }
        Ok(())
    }

    /// Starts the command of `start`, or attaches to the session its
    /// `session_uuid` names when that one has the same command.
    pub(crate) fn start(
        &mut self,
        sandbox_id: &str,
        start: StartRequest,
        violations: &mut Vec<Violation>,
    ) -> StartOutcome {
        let Some(command) = start.command else {
            violations.push(violation("body", "a StartRequest names the command to run"));
            return StartOutcome::Refused(Code::InvalidArgument, "no command".to_owned());
        };
        let sessions = self.sessions.entry(sandbox_id.to_owned()).or_default();
        if let Some(uuid) = &start.session_uuid {
            if let Some(session) = sessions.iter().find(|session| session.uuid == *uuid) {
                if session.spec != command {
                    let message = "the session key was used for another command";
                    return StartOutcome::Refused(Code::FailedPrecondition, message.to_owned());
                }
                return StartOutcome::Session(Arc::clone(session));
            }
        }
        let line = command_line(&command);
        let pid = u32::try_from(self.ran.len() + 1).unwrap_or(u32::MAX);
        let uuid = start
            .session_uuid
            .clone()
            .unwrap_or_else(|| format!("mock-session-{pid}"));
        let ran = RanCommand {
            sandbox_id: sandbox_id.to_owned(),
            command: line.clone(),
            cwd: command.cwd.clone(),
            user: command.user.clone(),
            env: command.envs.clone().into_iter().collect(),
            session_uuid: uuid.clone(),
            stdin: start.stdin.unwrap_or(false),
        };
        self.ran.push(ran.clone());
        let script = self
            .scripts
            .iter()
            .rev()
            .find(|(scripted, _)| *scripted == line)
            .map_or(&self.fallback, |(_, script)| script)
            .clone();
        let (session, stdin) = Session::new(uuid, pid, command, script.fault);
        session.run(
            ran,
            stdin,
            script.steps,
            script.finish.unwrap_or(Finish::Exit(0)),
            script.handler,
        );
        sessions.push(Arc::clone(&session));
        forget_old(sessions);
        StartOutcome::Session(session)
    }

    /// The session of `sandbox_id` that `selector` names.
    pub(crate) fn session(
        &self,
        sandbox_id: &str,
        selector: Option<&Selector>,
    ) -> Option<Arc<Session>> {
        let sessions = self.sessions.get(sandbox_id)?;
        let found = sessions.iter().rev().find(|session| match selector {
            Some(Selector::SessionUuid(uuid)) => session.uuid == *uuid,
            Some(Selector::Pid(pid)) => session.pid == *pid,
            None => false,
        });
        found.map(Arc::clone)
    }

    /// The sessions of `sandbox_id` still running, as `List` shows them.
    pub(crate) fn live_sessions(&self, sandbox_id: &str) -> Vec<CommandSessionInfo> {
        self.sessions
            .get(sandbox_id)
            .into_iter()
            .flatten()
            .filter(|session| !session.ended())
            .map(|session| session.info())
            .collect()
    }

    /// Answers a file call (`route` below the sandbox's base): a download's
    /// bytes, or any other answer.
    pub(crate) fn answer_file(
        &mut self,
        sandbox_id: &str,
        route: &str,
        request: &mut HttpRequest,
        violations: &mut Vec<Violation>,
    ) -> Result<Bytes, ContractResponse> {
        let call = FileCall::of(route);
        violations.extend(files_violations(request, route, sandbox_id));
        let failure = call
            .and_then(|call| self.failures.get_mut(&call))
            .and_then(VecDeque::pop_front);
        if let Some(status) = failure {
            return Err(ContractResponse::new(status)
                .json(json!({"detail": "the test made this call fail"})));
        }
        match call {
            Some(FileCall::Upload) => Err(self.upload(sandbox_id, request, violations)),
            Some(FileCall::Download) => self.download(sandbox_id, request),
            Some(FileCall::ReadFile) => Err(self.read_file(sandbox_id, request)),
            None => Err(ContractResponse::new(404).json(json!({"detail": "no such call"}))),
        }
    }

    fn upload(
        &mut self,
        sandbox_id: &str,
        request: &HttpRequest,
        violations: &mut Vec<Violation>,
    ) -> ContractResponse {
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
            .insert(path.clone(), Bytes::copy_from_slice(content));
        ContractResponse::new(200).json(json!({
            "success": true, "path": path, "size": size,
            "timestamp": crate::stateful::render::now()
        }))
    }

    fn file(&self, sandbox_id: &str, request: &HttpRequest) -> Option<&Bytes> {
        let path = query(request, "path")?;
        self.files.get(sandbox_id)?.get(path)
    }

    fn download(&self, sandbox_id: &str, request: &HttpRequest) -> Result<Bytes, ContractResponse> {
        self.file(sandbox_id, request)
            .cloned()
            .ok_or_else(|| ContractResponse::new(404).json(json!({"detail": "no such file"})))
    }

    fn read_file(&self, sandbox_id: &str, request: &HttpRequest) -> ContractResponse {
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

/// How many ended sessions a sandbox keeps for `Connect` to replay, as the
/// real gateway keeps them for a retention window: a mock that runs
/// thousands of commands must not grow without end.
const RETAINED_ENDED: usize = 64;

/// Drops a sandbox's oldest ended sessions beyond [`RETAINED_ENDED`], once
/// they are twice as many (so the sweep is rare); running ones all stay.
fn forget_old(sessions: &mut Vec<Arc<Session>>) {
    if sessions.len() <= 2 * RETAINED_ENDED {
        return;
    }
    let mut ended = sessions.iter().filter(|session| session.ended()).count();
    sessions.retain(|session| {
        if ended > RETAINED_ENDED && session.ended() {
            ended -= 1;
            false
        } else {
            true
        }
    });
}

/// The command line of `command`: what `bash -c` was given, or the
/// program and its arguments joined by spaces.
fn command_line(command: &CommandSpec) -> String {
    match (command.cmd.as_str(), command.args.as_slice()) {
        ("/bin/bash" | "bash" | "/bin/sh" | "sh", [flag, line]) if flag == "-c" => line.clone(),
        (program, args) => std::iter::once(program)
            .chain(args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" "),
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

/// A body that is not what the gateway's contract says.
pub(crate) fn violation(location: &str, message: &str) -> Violation {
    Violation::new(None, location, Rule::TYPE, message)
}

/// The content of the part named `file` of a multipart body.
fn multipart_file<'b>(content_type: &str, body: &'b [u8]) -> Option<&'b [u8]> {
    crate::multipart::parse(content_type, body)
        .ok()?
        .into_iter()
        .find(|part| part.name == "file")
        .map(|part| part.content)
}
