//! The mock gateway's command sessions: a started command runs as a task of
//! the gateway's runtime, playing its script (output, pauses, an exit, or a
//! test's own handler), and streams attach to it and detach again. Events
//! made while no stream is attached wait for the next one, so a stream that
//! breaks loses nothing and repeats nothing: `Connect` carries on where the
//! broken stream stopped.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pi_types::gateway::command_session_event::{
    DataEvent, EndEvent, Event, StartEvent, data_event::Output,
};
use pi_types::gateway::connect::Code;
use pi_types::gateway::{CommandSessionInfo, CommandSpec, Signal};
use tokio::sync::{mpsc, watch};

use crate::gateway_mock::RanCommand;
use crate::server::lock;

/// One step of a scripted command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// Writes these bytes to standard output.
    Stdout(Vec<u8>),
    /// Writes these bytes to standard error.
    Stderr(Vec<u8>),
    /// Pauses before the next step.
    Wait(Duration),
}

/// How a scripted command ends once its steps are played.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Finish {
    /// It exits with this code.
    Exit(i32),
    /// The gateway answers `deadline_exceeded` instead of an exit code.
    TimesOut,
}

/// A test's own command: given what was asked and the command's stdin, it
/// writes output through the [`ScriptedCommand`] and returns the exit code.
pub(crate) type Handler =
    Arc<dyn Fn(ScriptedCommand) -> Pin<Box<dyn Future<Output = i32> + Send>> + Send + Sync>;

/// What a handler given to
/// [`CommandScript::handled_by`](crate::gateway::CommandScript::handled_by)
/// receives: the command that was started, its standard input as the
/// client sends it, and the way to write its output.
pub struct ScriptedCommand {
    command: RanCommand,
    stdin: mpsc::UnboundedReceiver<Vec<u8>>,
    session: Arc<Session>,
}

impl std::fmt::Debug for ScriptedCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptedCommand")
            .field("command", &self.command)
            .finish_non_exhaustive()
    }
}

impl ScriptedCommand {
    /// The command as the client asked for it.
    #[must_use]
    pub fn command(&self) -> &RanCommand {
        &self.command
    }

    /// The next bytes the client wrote to the command's standard input, or
    /// `None` once the session ended.
    pub async fn stdin(&mut self) -> Option<Vec<u8>> {
        self.stdin.recv().await
    }

    /// Writes `bytes` to the command's standard output.
    pub fn stdout(&self, bytes: impl Into<Vec<u8>>) {
        self.session.emit(Event::Data(DataEvent {
            output: Some(Output::Stdout(bytes.into())),
        }));
    }

    /// Writes `bytes` to the command's standard error.
    pub fn stderr(&self, bytes: impl Into<Vec<u8>>) {
        self.session.emit(Event::Data(DataEvent {
            output: Some(Output::Stderr(bytes.into())),
        }));
    }
}

/// How a session ended.
#[derive(Debug, Clone)]
pub(crate) enum Ending {
    /// The command's `end` event.
    Exit(EndEvent),
    /// The stream ends with this Connect error instead.
    Error(Code, String),
}

/// What a stream attached to a session does when it stops early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Break {
    /// The connection is cut without an end of stream.
    Drop,
    /// The stream ends with `unauthenticated`, and the sandbox's tokens stop
    /// being accepted, as when a token lapses mid-run.
    ExpireToken,
}

/// A running (or ended, still retained) command.
pub(crate) struct Session {
    pub(crate) uuid: String,
    pub(crate) pid: u32,
    pub(crate) spec: CommandSpec,
    state: Mutex<SessionState>,
    /// Bumped whenever the state changes, to wake attached streams.
    changed: watch::Sender<u64>,
    stdin: mpsc::UnboundedSender<Vec<u8>>,
}

#[derive(Default)]
struct SessionState {
    /// Events made but not yet sent on any stream.
    pending: VecDeque<Event>,
    ending: Option<Ending>,
    /// The fault the next stream plays once it has sent this many events.
    fault: Option<(usize, Break)>,
    /// The ids of the inputs and signals taken, so a retried call acts once.
    seen: HashSet<String>,
    /// The task playing the script, stopped by a signal.
    task: Option<tokio::task::AbortHandle>,
    /// How many streams have attached: only the latest takes events, so
    /// one the client already left cannot swallow what follows.
    attached: u64,
}

/// What a stream should do next.
pub(crate) enum Next {
    /// Send these events, then ask again.
    Events(Vec<Event>),
    /// Stop here with this fault.
    Break(Break),
    /// Send the ending and close.
    End(Ending),
    /// Nothing yet: wait for a change.
    Wait,
    /// A newer stream attached: this one stops.
    Superseded,
}

impl Session {
    /// A session for `spec`, with no script running yet.
    pub(crate) fn new(
        uuid: String,
        pid: u32,
        spec: CommandSpec,
        fault: Option<(usize, Break)>,
    ) -> (Arc<Session>, mpsc::UnboundedReceiver<Vec<u8>>) {
        let (stdin, stdin_rx) = mpsc::unbounded_channel();
        let session = Arc::new(Session {
            uuid,
            pid,
            spec,
            state: Mutex::new(SessionState {
                fault,
                ..SessionState::default()
            }),
            changed: watch::Sender::new(0),
            stdin,
        });
        (session, stdin_rx)
    }

    fn touch(&self) {
        self.changed
            .send_modify(|count| *count = count.wrapping_add(1));
    }

    /// Adds an event for the attached stream, or the next one.
    pub(crate) fn emit(&self, event: Event) {
        let mut state = lock(&self.state);
        if state.ending.is_none() {
            state.pending.push_back(event);
        }
        drop(state);
        self.touch();
    }

    /// Ends the session (the first ending wins).
    pub(crate) fn finish(&self, ending: Ending) {
        let mut state = lock(&self.state);
        if state.ending.is_none() {
            state.ending = Some(ending);
        }
        if let Some(task) = state.task.take() {
            task.abort();
        }
        drop(state);
        self.touch();
    }

    /// Whether the session has ended and no fault waits for its stream:
    /// a stream attached now gets everything at once.
    pub(crate) fn settled(&self) -> bool {
        let state = lock(&self.state);
        state.ending.is_some() && state.fault.is_none()
    }

    /// Whether the session has ended.
    pub(crate) fn ended(&self) -> bool {
        lock(&self.state).ending.is_some()
    }

    /// The session as `List` shows it.
    pub(crate) fn info(&self) -> CommandSessionInfo {
        CommandSessionInfo {
            command: Some(self.spec.clone()),
            pid: self.pid,
            session_uuid: Some(self.uuid.clone()),
        }
    }

    /// A receiver woken on every change of the session.
    pub(crate) fn watch(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Attaches a new stream; the number it passes to [`Session::next`].
    pub(crate) fn attach(&self) -> u64 {
        let mut state = lock(&self.state);
        state.attached += 1;
        let attached = state.attached;
        drop(state);
        self.touch();
        attached
    }

    /// What stream number `stream`, which has sent `sent` events, should
    /// do next.
    pub(crate) fn next(&self, stream: u64, sent: usize) -> Next {
        let mut state = lock(&self.state);
        if state.attached != stream {
            return Next::Superseded;
        }
        if let Some((after, fault)) = state.fault {
            if sent >= after {
                state.fault = None;
                return Next::Break(fault);
            }
            if !state.pending.is_empty() {
                // Only as many as the fault lets through.
                let room = after - sent;
                let count = room.min(state.pending.len());
                return Next::Events(state.pending.drain(..count).collect());
            }
        }
        if !state.pending.is_empty() {
            return Next::Events(state.pending.drain(..).collect());
        }
        match &state.ending {
            Some(ending) => Next::End(ending.clone()),
            None => Next::Wait,
        }
    }

    /// The announcement each stream starts with.
    pub(crate) fn start_event(&self) -> Event {
        Event::Start(StartEvent { pid: self.pid })
    }

    /// Takes `bytes` for the command's stdin once per `input_uuid`.
    pub(crate) fn input(&self, bytes: Vec<u8>, input_uuid: Option<String>) -> Result<(), Code> {
        let mut state = lock(&self.state);
        if state.ending.is_some() {
            return Err(Code::FailedPrecondition);
        }
        if let Some(id) = input_uuid {
            if !state.seen.insert(format!("input:{id}")) {
                return Ok(());
            }
        }
        drop(state);
        // The handler may have stopped reading; its input is then dropped,
        // as a process that closed its stdin drops it.
        let _ = self.stdin.send(bytes);
        Ok(())
    }

    /// Delivers `signal` once per `signal_uuid`: the command stops with the
    /// shell's code for it (128 + the signal's number).
    pub(crate) fn signal(&self, signal: Signal, signal_uuid: Option<String>) -> Result<(), Code> {
        let number = match signal {
            Signal::Sigkill => 9,
            Signal::Sigterm => 15,
            Signal::Unspecified => return Err(Code::InvalidArgument),
        };
        if let Some(id) = signal_uuid {
            if !lock(&self.state).seen.insert(format!("signal:{id}")) {
                return Ok(());
            }
        }
        self.finish(Ending::Exit(EndEvent {
            exit_code: 128 + number,
            exited: false,
            status: "signaled".to_owned(),
            error: None,
        }));
        Ok(())
    }

    /// Plays `steps` then `finish`, or `handler`, on the current runtime.
    pub(crate) fn run(
        self: &Arc<Session>,
        command: RanCommand,
        stdin: mpsc::UnboundedReceiver<Vec<u8>>,
        steps: Vec<Step>,
        finish: Finish,
        handler: Option<Handler>,
    ) {
        // A script that neither pauses nor reads stdin is played at once:
        // no task, and a stream finds the whole command ready.
        if handler.is_none() && !steps.iter().any(|step| matches!(step, Step::Wait(_))) {
            for event in steps.into_iter().filter_map(data) {
                self.emit(event);
            }
            self.finish(ending_of(finish));
            return;
        }
        let session = Arc::clone(self);
        let task = tokio::spawn(async move {
            let ending = match handler {
                Some(handler) => {
                    let scripted = ScriptedCommand {
                        command,
                        stdin,
                        session: Arc::clone(&session),
                    };
                    exit(handler(scripted).await)
                }
                None => {
                    for step in steps {
                        match step {
                            Step::Wait(pause) => tokio::time::sleep(pause).await,
                            output => {
                                if let Some(event) = data(output) {
                                    session.emit(event);
                                }
                            }
                        }
                    }
                    ending_of(finish)
                }
            };
            session.finish(ending);
        });
        let mut state = lock(&self.state);
        if state.ending.is_some() {
            task.abort();
        } else {
            state.task = Some(task.abort_handle());
        }
    }
}

/// The event of an output step; a pause makes none.
fn data(step: Step) -> Option<Event> {
    let output = match step {
        Step::Stdout(bytes) => Output::Stdout(bytes),
        Step::Stderr(bytes) => Output::Stderr(bytes),
        Step::Wait(_) => return None,
    };
    Some(Event::Data(DataEvent {
        output: Some(output),
    }))
}

/// How a script that played all its steps ends.
fn ending_of(finish: Finish) -> Ending {
    match finish {
        Finish::Exit(code) => exit(code),
        Finish::TimesOut => Ending::Error(
            Code::DeadlineExceeded,
            "the command did not finish before its deadline".to_owned(),
        ),
    }
}

/// The `end` event of a command that exited with `code`.
fn exit(code: i32) -> Ending {
    Ending::Exit(EndEvent {
        exit_code: code,
        exited: true,
        status: "exited".to_owned(),
        error: None,
    })
}
