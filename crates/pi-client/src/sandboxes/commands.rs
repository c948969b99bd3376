//! Commands in a sandbox, through its gateway (Connect RPC, outside the PI
//! API's document): [`Sandboxes::exec`] runs one to the end and collects
//! its output; [`Sandboxes::spawn`] starts one and hands back a
//! [`Process`] to stream its output, feed its stdin and signal it;
//! [`Sandboxes::sessions`] lists the live ones and [`Sandboxes::attach`]
//! picks one up again.
//!
//! Every command is started with a session key (`session_uuid`). A stream
//! that breaks is picked up again without running the command twice: before
//! the command's start was seen, by sending the same `Start` (the key makes
//! the gateway attach instead of starting anew); after, with `Connect`.

use std::borrow::Cow;
use std::time::Duration;

use futures::Stream;
use pi_types::SecretString;
use pi_types::gateway::connect::{Code, Frame};
use pi_types::gateway::{
    CommandInput, CommandSessionInfo, CommandSessionSelector, CommandSpec, ConnectRequest,
    ListRequest, ListResponse, SendInputRequest, SendSignalRequest, StartRequest, StartResponse,
    command_input, command_session_event, command_session_selector::Selector,
};
use prost::Message;
use tokio::time::Instant;

use crate::client::Client;
use crate::error::Error;
use crate::request::connect::{FrameStream, gateway_error};
use crate::sandboxes::Sandboxes;

/// How long a command may run unless its request sets another deadline.
const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(300);

/// How long a live process may run unless its request sets another deadline.
const DEFAULT_PROCESS_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// How long a control call (stdin, a signal, the list) may take.
const CONTROL_TIMEOUT: Duration = Duration::from_secs(30);

/// How often a broken stream is picked up again before giving up, at
/// least: the client's retry policy may allow more.
const REATTACH_LIMIT: u32 = 5;

impl<'c> Sandboxes<'c> {
    /// Starts running `command` in the sandbox, through `/bin/bash -c` as
    /// the official client does, so pipes, globs and `&&` work; set a
    /// working directory, variables, a user or a deadline on the request,
    /// then `.send()` for its [`CommandOutput`].
    ///
    /// The command goes to the sandbox's gateway, which the PI API's
    /// document does not describe; the gateway token comes from
    /// [`auth`](Self::auth) and never appears in `Debug` output, errors or
    /// logs.
    pub fn exec(
        &self,
        sandbox_id: impl AsRef<str>,
        command: impl Into<String>,
    ) -> SandboxesExecRequest<'c> {
        SandboxesExecRequest {
            command: CommandRequest::new(*self, sandbox_id.as_ref(), command.into()),
        }
    }

    /// Starts `command` as a live [`Process`]: its output streams as it is
    /// written, its stdin takes what you send, and it can be signalled.
    /// Set what you need on the request, then `.send()`.
    pub fn spawn(
        &self,
        sandbox_id: impl AsRef<str>,
        command: impl Into<String>,
    ) -> SandboxesSpawnRequest<'c> {
        let mut command = CommandRequest::new(*self, sandbox_id.as_ref(), command.into());
        command.timeout = DEFAULT_PROCESS_TIMEOUT;
        SandboxesSpawnRequest { command }
    }

    /// Starts listing the commands still running in the sandbox; `.send()`
    /// for them.
    pub fn sessions(&self, sandbox_id: impl AsRef<str>) -> SandboxesSessionsRequest<'c> {
        SandboxesSessionsRequest {
            sandboxes: *self,
            sandbox_id: sandbox_id.as_ref().to_owned(),
        }
    }

    /// A [`Process`] for the session `session_uuid` of the sandbox (from
    /// [`sessions`](Self::sessions), or a [`Process::session_uuid`] kept
    /// elsewhere): its stream is opened with `Connect`, which never starts
    /// anything, when the first event is read. Output written before this
    /// attach is not replayed; the exit code is, if the command already
    /// ended within the gateway's retention.
    pub fn attach(&self, sandbox_id: impl AsRef<str>, session_uuid: impl Into<String>) -> Process {
        Process {
            client: self.client().clone(),
            sandbox_id: sandbox_id.as_ref().to_owned(),
            session_uuid: session_uuid.into(),
            start: None,
            pid: None,
            started: true,
            stream: None,
            until: None,
            timeout: DEFAULT_PROCESS_TIMEOUT,
            reattached: 0,
            fresh_token: false,
            ended: false,
            stdin_closed: false,
        }
    }
}

/// What a command request holds, for [`SandboxesExecRequest`] and
/// [`SandboxesSpawnRequest`] alike.
#[derive(Debug, Clone)]
struct CommandRequest<'c> {
    sandboxes: Sandboxes<'c>,
    sandbox_id: String,
    spec: CommandSpec,
    timeout: Duration,
    session_uuid: Option<String>,
}

impl<'c> CommandRequest<'c> {
    fn new(sandboxes: Sandboxes<'c>, sandbox_id: &str, command: String) -> Self {
        Self {
            sandboxes,
            sandbox_id: sandbox_id.to_owned(),
            spec: CommandSpec {
                cmd: "/bin/bash".to_owned(),
                args: vec!["-c".to_owned(), command],
                ..CommandSpec::default()
            },
            timeout: DEFAULT_COMMAND_TIMEOUT,
            session_uuid: None,
        }
    }

    /// The process for this command; nothing is sent until its first read.
    fn process(self, stdin: bool) -> Process {
        let session_uuid = self.session_uuid.unwrap_or_else(random_key);
        let start = StartRequest {
            command: Some(self.spec),
            stdin: stdin.then_some(true),
            session_uuid: Some(session_uuid.clone()),
            ..StartRequest::default()
        };
        Process {
            client: self.sandboxes.client().clone(),
            sandbox_id: self.sandbox_id,
            session_uuid,
            start: Some(start.encode_to_vec()),
            pid: None,
            started: false,
            stream: None,
            until: None,
            timeout: self.timeout,
            reattached: 0,
            fresh_token: false,
            ended: false,
            stdin_closed: !stdin,
        }
    }
}

/// The setters both command requests share.
macro_rules! command_setters {
    ($request:ident, $default:literal) => {
        impl $request<'_> {
            /// Runs the command in this directory instead of the gateway's default.
            pub fn cwd(mut self, directory: impl Into<String>) -> Self {
                self.command.spec.cwd = Some(directory.into());
                self
            }

            /// Adds one environment variable to those set before.
            pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.command.spec.envs.insert(name.into(), value.into());
                self
            }

            /// Runs the command as this user of the sandbox.
            pub fn user(mut self, user: impl Into<String>) -> Self {
                self.command.spec.user = Some(user.into());
                self
            }

            #[doc = concat!("How long the command may run (", $default, " unless set); the")]
            /// gateway stops waiting for it then.
            pub fn timeout(mut self, timeout: Duration) -> Self {
                self.command.timeout = timeout;
                self
            }

            /// The session key to start the command with, instead of a
            /// fresh random one: a second start with the same key and the
            /// same command attaches to the first instead of running it
            /// again, so a caller that lost track of a start can send it
            /// again safely.
            pub fn session_uuid(mut self, key: impl Into<String>) -> Self {
                self.command.session_uuid = Some(key.into());
                self
            }
        }
    };
}

/// A command to run in a sandbox, started by [`Sandboxes::exec`]: set what
/// you need, then `.send()`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `.send()`"]
pub struct SandboxesExecRequest<'c> {
    command: CommandRequest<'c>,
}

command_setters!(SandboxesExecRequest, "5 minutes");

impl SandboxesExecRequest<'_> {
    /// Runs the command and collects what it printed and its exit code. A
    /// non-zero exit code is part of the output, not an error.
    ///
    /// The command starts once: a stream that breaks is picked up again
    /// with the command's session key, never by starting it anew.
    ///
    /// # Errors
    /// [`Error::CommandTimedOut`] past the deadline,
    /// [`Error::SandboxNotRunning`] when the sandbox stopped ([`Error::NotFound`]
    /// once it is deleted),
    /// [`Error::SessionGone`] when the gateway lost the command,
    /// [`Error::Gateway`] with the gateway's code (`unauthenticated` when it
    /// refused a fresh token), [`Error::Transport`] when the stream kept
    /// breaking, and any error of [`auth`](Sandboxes::auth).
    pub async fn send(self) -> Result<CommandOutput, Error> {
        self.command.process(false).wait().await
    }
}

/// A command to start as a live [`Process`], from [`Sandboxes::spawn`]:
/// set what you need, then `.send()`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `.send()`"]
pub struct SandboxesSpawnRequest<'c> {
    command: CommandRequest<'c>,
}

command_setters!(SandboxesSpawnRequest, "24 hours");

impl SandboxesSpawnRequest<'_> {
    /// Starts the command and waits until the gateway reports it running
    /// (its process id).
    ///
    /// # Errors
    /// As [`SandboxesExecRequest::send`].
    pub async fn send(self) -> Result<Process, Error> {
        let mut process = self.command.process(true);
        process.wait_for_start().await?;
        Ok(process)
    }
}

/// A listing of the sandbox's running commands, from [`Sandboxes::sessions`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `.send()`"]
pub struct SandboxesSessionsRequest<'c> {
    sandboxes: Sandboxes<'c>,
    sandbox_id: String,
}

impl SandboxesSessionsRequest<'_> {
    /// Lists the commands still running: each with its command, process
    /// id and session key (for [`Sandboxes::attach`]).
    ///
    /// # Errors
    /// As [`Process::signal`].
    pub async fn send(self) -> Result<Vec<CommandSessionInfo>, Error> {
        let client = self.sandboxes.client();
        let answer = control(client, &self.sandbox_id, "List", &ListRequest {}).await?;
        let list = ListResponse::decode(answer.as_slice()).map_err(|error| Error::Transport {
            message: format!("the sandbox gateway sent an unreadable session list: {error}"),
        })?;
        Ok(list.sessions)
    }
}

/// A signal for [`Process::signal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Signal {
    /// Asks the process to stop (`SIGTERM`).
    Term,
    /// Stops it at once (`SIGKILL`).
    Kill,
}

/// One thing a [`Process`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProcessEvent {
    /// Bytes it wrote to standard output (or its terminal).
    Stdout(Vec<u8>),
    /// Bytes it wrote to standard error.
    Stderr(Vec<u8>),
    /// It ended; nothing follows.
    Exited(ExitStatus),
}

/// How a process ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExitStatus {
    /// Its exit code; a process stopped by a signal has the code the
    /// gateway reports for it (128 plus the signal's number in a shell).
    pub code: i32,
    /// Whether it exited by itself rather than being stopped.
    pub exited: bool,
    /// The gateway's word for how it ended (`exited`, `signaled`, …).
    pub status: String,
    /// What went wrong, when the gateway says something did (the command
    /// could not be started, or was lost).
    pub error: Option<String>,
}

/// A command running in a sandbox, from [`Sandboxes::spawn`] or
/// [`Sandboxes::attach`]. Read its events with [`next_event`](Self::next_event)
/// or [`events`](Self::events), or all at once with [`wait`](Self::wait).
///
/// Dropping it does not stop the command: [`signal`](Self::signal) does.
pub struct Process {
    client: Client,
    sandbox_id: String,
    session_uuid: String,
    /// The encoded `Start`, sent again (same key) while the start is unseen.
    start: Option<Vec<u8>>,
    pid: Option<u32>,
    /// Whether the gateway has reported the command started.
    started: bool,
    /// The open stream and the token it was opened with.
    stream: Option<(FrameStream, SecretString)>,
    /// When the command's deadline passes, from the first stream's opening.
    until: Option<Instant>,
    timeout: Duration,
    reattached: u32,
    /// Whether the current token was fetched after the gateway refused one.
    fresh_token: bool,
    ended: bool,
    stdin_closed: bool,
}

/// Shows which command it is, never the gateway's token.
impl std::fmt::Debug for Process {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Process")
            .field("sandbox_id", &self.sandbox_id)
            .field("session_uuid", &self.session_uuid)
            .field("pid", &self.pid)
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl Process {
    /// The sandbox it runs in.
    #[must_use]
    pub fn sandbox_id(&self) -> &str {
        &self.sandbox_id
    }

    /// Its session key, which [`Sandboxes::attach`] takes.
    #[must_use]
    pub fn session_uuid(&self) -> &str {
        &self.session_uuid
    }

    /// Its process id in the sandbox, once the gateway reported it.
    #[must_use]
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// The next thing the process did, `None` after it exited. A broken
    /// stream is picked up again (5 times, or as often as the client's
    /// [`RetryPolicy`](crate::RetryPolicy) retries if that is more, with its
    /// pauses) without repeating output or running the command again.
    ///
    /// # Errors
    /// As [`SandboxesExecRequest::send`]; after an error, `None` follows.
    pub async fn next_event(&mut self) -> Option<Result<ProcessEvent, Error>> {
        use command_session_event::{Event, data_event::Output};
        loop {
            if self.ended {
                return None;
            }
            let event = match self.next_frame().await {
                Ok(event) => event,
                Err(fault) => match self.recover(fault).await {
                    Ok(()) => continue,
                    Err(error) => {
                        self.ended = true;
                        return Some(Err(error));
                    }
                },
            };
            match event {
                Event::Start(start) => {
                    self.started = true;
                    // A re-attached stream announces the command again.
                    self.pid.get_or_insert(start.pid);
                }
                Event::Data(data) => match data.output {
                    Some(Output::Stdout(bytes) | Output::Pty(bytes)) => {
                        return Some(Ok(ProcessEvent::Stdout(bytes)));
                    }
                    Some(Output::Stderr(bytes)) => return Some(Ok(ProcessEvent::Stderr(bytes))),
                    None => {}
                },
                Event::End(end) => {
                    self.ended = true;
                    // Read the stream to its end (the end-of-stream message
                    // follows at once), so its connection goes back to the
                    // pool instead of being closed.
                    if let Some((stream, _)) = self.stream.as_mut() {
                        while let Ok(Some(_)) = stream.next().await {}
                    }
                    self.stream = None;
                    return Some(Ok(ProcessEvent::Exited(ExitStatus {
                        code: end.exit_code,
                        exited: end.exited,
                        status: end.status,
                        error: end.error,
                    })));
                }
                Event::Keepalive(_) => {}
            }
        }
    }

    /// Its events as a stream: what [`next_event`](Self::next_event) gives,
    /// one after the other.
    pub fn events(&mut self) -> impl Stream<Item = Result<ProcessEvent, Error>> + '_ {
        futures::stream::unfold(self, |process| async move {
            let event = process.next_event().await?;
            Some((event, process))
        })
    }

    /// Reads the rest of its events and collects them: what it still
    /// prints, and how it exits.
    ///
    /// # Errors
    /// As [`next_event`](Self::next_event); [`Error::Transport`] when the
    /// events end without an exit.
    pub async fn wait(mut self) -> Result<CommandOutput, Error> {
        let mut output = CommandOutput::default();
        while let Some(event) = self.next_event().await {
            match event? {
                ProcessEvent::Stdout(bytes) => output.stdout.extend(bytes),
                ProcessEvent::Stderr(bytes) => output.stderr.extend(bytes),
                ProcessEvent::Exited(status) => {
                    output.exit_code = status.code;
                    return Ok(output);
                }
            }
        }
        Err(Error::Transport {
            message: "the command's events ended without its exit code".to_owned(),
        })
    }

    /// Sends `bytes` to its standard input. Each write carries a key of its
    /// own, so a write sent again after a failed link is taken once.
    ///
    /// # Errors
    /// [`Error::StdinClosed`] (nothing sent) after
    /// [`close_stdin`](Self::close_stdin) or for a process started by
    /// [`Sandboxes::exec`]; as [`signal`](Self::signal) otherwise.
    pub async fn write_stdin(&self, bytes: impl Into<Vec<u8>>) -> Result<(), Error> {
        if self.stdin_closed {
            return Err(Error::StdinClosed {
                session_uuid: self.session_uuid.clone(),
            });
        }
        let request = SendInputRequest {
            session: Some(self.selector()),
            input: Some(CommandInput {
                input: Some(command_input::Input::Stdin(bytes.into())),
            }),
            input_uuid: Some(random_key()),
        };
        control(&self.client, &self.sandbox_id, "SendInput", &request)
            .await
            .map(drop)
    }

    /// Stops taking input: later [`write_stdin`](Self::write_stdin) calls
    /// fail without sending anything. The gateway's protocol has no
    /// end-of-input message, so the command itself does not see its stdin
    /// end; one that reads to the end needs a word of your protocol, or a
    /// [`signal`](Self::signal).
    pub fn close_stdin(&mut self) {
        self.stdin_closed = true;
    }

    /// Sends `signal` to it. Each signal carries a key of its own, so one
    /// sent again after a failed link is delivered once; the call is sent
    /// again only for link faults (`unavailable`, a passed deadline, a
    /// broken answer), never after the gateway answered.
    ///
    /// # Errors
    /// [`Error::Gateway`] with the gateway's code (`not_found` when the
    /// session is gone), [`Error::Transport`] when the gateway cannot be
    /// reached, and any error of [`auth`](Sandboxes::auth).
    pub async fn signal(&self, signal: Signal) -> Result<(), Error> {
        let signal = match signal {
            Signal::Term => pi_types::gateway::Signal::Sigterm,
            Signal::Kill => pi_types::gateway::Signal::Sigkill,
        };
        let request = SendSignalRequest {
            session: Some(self.selector()),
            signal: signal.into(),
            signal_uuid: Some(random_key()),
        };
        control(&self.client, &self.sandbox_id, "SendSignal", &request)
            .await
            .map(drop)
    }

    fn selector(&self) -> CommandSessionSelector {
        CommandSessionSelector {
            selector: Some(Selector::SessionUuid(self.session_uuid.clone())),
        }
    }

    /// Reads events until the gateway reports the command started.
    async fn wait_for_start(&mut self) -> Result<(), Error> {
        while !self.started {
            match self.next_frame().await {
                Ok(command_session_event::Event::Start(start)) => {
                    self.started = true;
                    self.pid = Some(start.pid);
                }
                Ok(_) => {}
                Err(fault) => self.recover(fault).await?,
            }
        }
        Ok(())
    }

    /// The next event of the open stream, opening one first if none is.
    async fn next_frame(&mut self) -> Result<command_session_event::Event, Error> {
        loop {
            let (stream, token) = match &mut self.stream {
                Some(open) => open,
                None => {
                    let opened = self.open().await?;
                    self.stream.insert(opened)
                }
            };
            let frame = stream.next().await?;
            match frame {
                Some(Frame::Message(bytes)) => {
                    let answer = StartResponse::decode(bytes.as_slice()).map_err(|error| {
                        Error::Transport {
                            message: format!(
                                "the sandbox gateway sent an unreadable event: {error}"
                            ),
                        }
                    })?;
                    self.fresh_token = false;
                    if let Some(event) = answer.event.and_then(|event| event.event) {
                        // Any event means the command exists: from now on
                        // a broken stream re-attaches with `Connect`.
                        self.started = true;
                        return Ok(event);
                    }
                }
                Some(Frame::End(end)) => {
                    return Err(match end.error {
                        Some(error) => gateway_error(error, stream.deadline(), token),
                        None => Error::Transport {
                            message:
                                "the sandbox gateway's stream ended without the command's exit code"
                                    .to_owned(),
                        },
                    });
                }
                None => {
                    return Err(Error::Transport {
                        message: "the sandbox gateway's stream was cut".to_owned(),
                    });
                }
            }
        }
    }

    /// Opens a stream: `Start` again (same key) while the start is unseen,
    /// `Connect` after.
    async fn open(&mut self) -> Result<(FrameStream, SecretString), Error> {
        let left = match self.until {
            Some(until) => until.saturating_duration_since(Instant::now()),
            None => {
                self.until = Some(Instant::now() + self.timeout);
                self.timeout
            }
        };
        if left.is_zero() {
            return Err(Error::CommandTimedOut {
                deadline: self.timeout,
            });
        }
        let client = &self.client;
        let access = client
            .inner
            .gateway
            .access(client, &self.sandbox_id)
            .await?;
        let (method, message) = match (&self.start, self.started) {
            (Some(start), false) => ("Start", start.clone()),
            _ => (
                "Connect",
                ConnectRequest {
                    session: Some(self.selector()),
                }
                .encode_to_vec(),
            ),
        };
        let url = format!("{}/command_session.CommandSession/{method}", access.base);
        let stream = client
            .transport()
            .open_stream(&url, &access.token, &message, left)
            .await?;
        Ok((stream, access.token))
    }

    fn reattach_limit(&self) -> u32 {
        let policy = self.client.transport().retry_policy();
        policy.max_retries_allowed().max(REATTACH_LIMIT)
    }

    /// Decides what a stream's `fault` means: `Ok` to try again (after the
    /// pause, with a new token when the old one was refused), or the error
    /// to report.
    async fn recover(&mut self, fault: Error) -> Result<(), Error> {
        self.stream = None;
        let gateway = &self.client.inner.gateway;
        match &fault {
            Error::Gateway {
                code: Code::Unauthenticated,
                ..
            } if !self.fresh_token && self.reattached < self.reattach_limit() => {
                // A token that lapsed: one fresh one, at once.
                gateway.forget(&self.sandbox_id).await;
                self.fresh_token = true;
                self.reattached += 1;
                return Ok(());
            }
            Error::Transport { .. }
            | Error::Timeout { .. }
            | Error::Gateway {
                code: Code::Unavailable | Code::Internal | Code::Unknown | Code::Aborted,
                ..
            } if self.reattached < self.reattach_limit() => {
                let policy = self.client.transport().retry_policy();
                let pause = policy.delay_bound(self.reattached);
                self.reattached += 1;
                tracing::warn!(
                    sandbox_id = %self.sandbox_id,
                    session_uuid = %self.session_uuid,
                    attempt = self.reattached,
                    "the command's stream broke ({fault}); picking it up again"
                );
                tokio::time::sleep(pause).await;
                return Ok(());
            }
            _ => {}
        }
        Err(self.explain(fault).await)
    }

    /// The error to report for a fault that ends the process's events: a
    /// sandbox that stopped running and a session the gateway lost are
    /// told apart from other faults by asking the sandbox's error context.
    async fn explain(&self, fault: Error) -> Error {
        let asks = matches!(
            fault,
            Error::CommandTimedOut { .. }
                | Error::Gateway {
                    code: Code::NotFound,
                    ..
                }
        );
        if !asks {
            return fault;
        }
        match (sandbox_state(&self.client, &self.sandbox_id).await, fault) {
            (Some(Err(stopped)), _) => stopped,
            // The sandbox runs and the session existed: the gateway lost it.
            (
                Some(Ok(())),
                Error::Gateway {
                    code: Code::NotFound,
                    message,
                },
            ) if self.started => Error::SessionGone {
                session_uuid: self.session_uuid.clone(),
                message,
            },
            // The deadline the caller set, not what was left of it when
            // the last stream opened.
            (_, Error::CommandTimedOut { .. }) => Error::CommandTimedOut {
                deadline: self.timeout,
            },
            (_, other) => other,
        }
    }
}

/// What the sandbox's error context says of it: `Ok` while it runs,
/// [`Error::SandboxNotRunning`] once it stopped (`TERMINATED`, `ERROR`,
/// `TIMEOUT`), the API's [`Error::NotFound`] for a sandbox it no longer
/// knows (deleted), `None` when it cannot be asked or does not say.
pub(crate) async fn sandbox_state(client: &Client, sandbox_id: &str) -> Option<Result<(), Error>> {
    let context = match client.sandboxes().error_context(sandbox_id).send().await {
        Ok(context) => context,
        Err(gone @ Error::NotFound { .. }) => return Some(Err(gone)),
        Err(_) => return None,
    };
    let status = context.status?;
    if !matches!(status.as_str(), "TERMINATED" | "ERROR" | "TIMEOUT") {
        return Some(Ok(()));
    }
    let message = match (context.error_type, context.error_message) {
        (Some(kind), Some(message)) => Some(format!("{kind}: {message}")),
        (kind, message) => kind.or(message),
    };
    Some(Err(Error::SandboxNotRunning {
        sandbox_id: sandbox_id.to_owned(),
        status,
        message,
    }))
}

/// Sends a unary control call of the command service, again only for link
/// faults; the request carries its own key where the gateway offers one.
async fn control<M: Message>(
    client: &Client,
    sandbox_id: &str,
    method: &str,
    request: &M,
) -> Result<Vec<u8>, Error> {
    let message = request.encode_to_vec();
    let policy = client.transport().retry_policy();
    let mut attempt = 1;
    let mut refused_once = false;
    loop {
        let access = client.inner.gateway.access(client, sandbox_id).await?;
        let url = format!("{}/command_session.CommandSession/{method}", access.base);
        let answer = client
            .transport()
            .unary(&url, &access.token, message.clone(), CONTROL_TIMEOUT)
            .await;
        match answer {
            Err(Error::Gateway {
                code: Code::Unauthenticated,
                ..
            }) if !refused_once => {
                // The gateway turned the token away without acting.
                refused_once = true;
                client.inner.gateway.forget(sandbox_id).await;
            }
            Err(
                Error::Transport { .. }
                | Error::Gateway {
                    code: Code::Unavailable | Code::DeadlineExceeded,
                    ..
                },
            ) if attempt <= policy.max_retries_allowed() => {
                tokio::time::sleep(policy.delay_bound(attempt - 1)).await;
                attempt += 1;
            }
            Err(Error::Gateway {
                code: Code::NotFound,
                message,
            }) => {
                let gone = Error::Gateway {
                    code: Code::NotFound,
                    message,
                };
                return Err(match sandbox_state(client, sandbox_id).await {
                    Some(Err(stopped)) => stopped,
                    _ => gone,
                });
            }
            other => return other,
        }
    }
}

/// A random version-4 UUID, for sessions, inputs and signals: the keys need
/// to be unique, not secret (the gateway token guards the calls).
fn random_key() -> String {
    uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes())
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// What a command printed, byte for byte, and how it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommandOutput {
    /// Everything the command wrote to standard output (and to its
    /// terminal, when it ran in one), in order.
    pub stdout: Vec<u8>,
    /// Everything it wrote to standard error, in order.
    pub stderr: Vec<u8>,
    /// Its exit code; a command killed by a signal has the code the
    /// gateway reports for it.
    pub exit_code: i32,
}

impl CommandOutput {
    /// Standard output as text, with any invalid UTF-8 replaced.
    pub fn stdout_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.stdout)
    }

    /// Standard error as text, with any invalid UTF-8 replaced.
    pub fn stderr_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.stderr)
    }

    /// Whether the command exited with code 0.
    pub fn success(&self) -> bool {
        self.exit_code == 0
    }
}

#[cfg(test)]
mod tests {
    use super::random_key;

    #[test]
    fn keys_are_version_4_uuids_and_differ() {
        let key = random_key();
        let groups: Vec<&str> = key.split('-').collect();
        let lengths: Vec<usize> = groups.iter().map(|group| group.len()).collect();
        assert_eq!(lengths, [8, 4, 4, 4, 12], "{key}");
        assert!(groups[2].starts_with('4'), "{key}");
        assert!(matches!(&groups[3][..1], "8" | "9" | "a" | "b"), "{key}");
        assert_ne!(random_key(), key);
    }
}
