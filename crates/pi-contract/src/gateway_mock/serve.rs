//! The mock gateway's own HTTP server. wiremock answers with whole bodies,
//! but a command's output is a stream whose events arrive over time (and
//! may break off), so the gateway runs on a small hyper server beside the
//! REST mock, on a runtime of its own: it answers whatever runtime (or none)
//! the test itself uses.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming};
use hyper::{Request, Response};
use pi_types::gateway::connect::{
    Code, EnvelopeDecoder, Frame as ConnectFrame, end_stream, envelope,
};
use pi_types::gateway::{
    CommandSessionEvent, ConnectRequest, ListResponse, SendInputRequest, SendSignalRequest,
    StartRequest, StartResponse, command_input, command_session_event::Event,
    command_session_selector::Selector,
};
use prost::Message;
use serde_json::json;
use tokio::sync::{mpsc, oneshot};

use crate::gateway_mock::sessions::{Break, Ending, Next, Session};
use crate::gateway_mock::{PREFIX, Refusal, StartOutcome, violation};
use crate::request::HttpRequest;
use crate::server::{ContractResponse, ReceivedRequest, State, lock};
use crate::violation::{Rule, Violation};

/// The gateway's server: its address, and what stops it.
pub(crate) struct GatewayServer {
    address: SocketAddr,
    running: Running,
    state: Arc<State>,
}

/// Where the server runs.
enum Running {
    /// On a thread and current-thread runtime of its own, when the caller's
    /// runtime is a current-thread one (a test's, which may block).
    Thread {
        shutdown: Option<oneshot::Sender<()>>,
        thread: Option<std::thread::JoinHandle<()>>,
    },
    /// As a task of the caller's multi-thread runtime, whose workers it
    /// shares as wiremock's server does.
    Task(tokio::task::AbortHandle),
}

impl std::fmt::Debug for GatewayServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayServer")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl GatewayServer {
    /// Starts serving `state`'s gateway on a free port of `ip`.
    pub(crate) fn start(ip: IpAddr, state: Arc<State>) -> std::io::Result<GatewayServer> {
        let listener = std::net::TcpListener::bind((ip, 0))?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let multi_thread = tokio::runtime::Handle::try_current()
            .ok()
            .filter(|handle| handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
        let served = Arc::clone(&state);
        let running = match multi_thread {
            Some(handle) => {
                // Stopped by aborting its task.
                let task = handle.spawn(accept(listener, served, std::future::pending()));
                Running::Task(task.abort_handle())
            }
            None => {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                let (shutdown, stop) = oneshot::channel::<()>();
                let thread = std::thread::Builder::new()
                    .name("pi-contract-gateway".to_owned())
                    .spawn(move || {
                        let stopped = async {
                            let _ = stop.await;
                        };
                        runtime.block_on(accept(listener, served, stopped));
                    })?;
                Running::Thread {
                    shutdown: Some(shutdown),
                    thread: Some(thread),
                }
            }
        };
        Ok(GatewayServer {
            address,
            running,
            state,
        })
    }

    /// The port it listens on.
    pub(crate) fn port(&self) -> u16 {
        self.address.port()
    }
}

/// Stopping the server ends every connection and every command still
/// running.
impl Drop for GatewayServer {
    fn drop(&mut self) {
        lock(&self.state.gateway).close();
        match &mut self.running {
            Running::Thread { shutdown, thread } => {
                if let Some(shutdown) = shutdown.take() {
                    let _ = shutdown.send(());
                }
                if let Some(thread) = thread.take() {
                    let _ = thread.join();
                }
            }
            Running::Task(task) => task.abort(),
        }
    }
}

async fn accept(
    listener: std::net::TcpListener,
    state: Arc<State>,
    stop: impl std::future::Future<Output = ()>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    // The connections belong to the accept loop: when it stops (or its task
    // is aborted), they are dropped with it.
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(stop);
    loop {
        while connections.try_join_next().is_some() {}
        tokio::select! {
            () = &mut stop => return,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                // A stream's events are small writes that must go out as they
                // happen, not wait for the peer's delayed acknowledgement.
                let _ = stream.set_nodelay(true);
                let state = Arc::clone(&state);
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let state = Arc::clone(&state);
                        async move { Ok::<_, Infallible>(handle(&state, request).await) }
                    });
                    // A client that goes away mid-answer is not the server's
                    // problem: the connection just ends.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    }
}

/// A response body: whole, or fed by a channel, which lets a command's
/// events go out as they happen and lets a fault cut the stream.
pub(crate) enum ChannelBody {
    /// Sent at once, its length known (one write, no chunking).
    Whole(Option<Bytes>),
    /// Sent as the channel gives it.
    Stream(mpsc::Receiver<Result<Bytes, std::io::Error>>),
}

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match &mut *self {
            ChannelBody::Whole(bytes) => {
                Poll::Ready(bytes.take().map(|bytes| Ok(Frame::data(bytes))))
            }
            ChannelBody::Stream(receiver) => receiver
                .poll_recv(cx)
                .map(|next| next.map(|item| item.map(Frame::data))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, ChannelBody::Whole(None))
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        match self {
            ChannelBody::Whole(bytes) => hyper::body::SizeHint::with_exact(
                bytes.as_ref().map_or(0, |bytes| bytes.len() as u64),
            ),
            ChannelBody::Stream(_) => hyper::body::SizeHint::default(),
        }
    }
}

/// The media type of a streaming call in the protobuf codec.
const CONNECT_PROTO: &str = "application/connect+proto";

/// A body sent at once.
fn whole(bytes: impl Into<Bytes>) -> ChannelBody {
    ChannelBody::Whole(Some(bytes.into()))
}

fn response(status: u16, content_type: &str, body: ChannelBody) -> Response<ChannelBody> {
    let mut response = Response::new(body);
    *response.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(value) = hyper::header::HeaderValue::from_str(content_type) {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

fn json_response(status: u16, body: &serde_json::Value) -> Response<ChannelBody> {
    response(status, "application/json", whole(body.to_string()))
}

/// A command stream that ends at once with `code`.
fn stream_refused(code: Code, message: &str) -> Response<ChannelBody> {
    let body = end_stream(Some((code, message))).unwrap_or_default();
    response(200, CONNECT_PROTO, whole(body))
}

/// A unary call's error, as Connect sends it: the code's status and JSON.
fn unary_refused(code: Code, message: &str) -> Response<ChannelBody> {
    json_response(
        code.http_status(),
        &json!({"code": code.as_str(), "message": message}),
    )
}

/// The route of a gateway call: `Start`, `upload`, … below the sandbox's base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Start,
    Connect,
    SendInput,
    SendSignal,
    List,
    File,
    Unknown,
}

impl Route {
    fn of(method: &str, route: &str) -> Route {
        match (
            method,
            route.strip_prefix("command_session.CommandSession/"),
        ) {
            ("POST", Some("Start")) => Route::Start,
            ("POST", Some("Connect")) => Route::Connect,
            ("POST", Some("SendInput")) => Route::SendInput,
            ("POST", Some("SendSignal")) => Route::SendSignal,
            ("POST", Some("List")) => Route::List,
            ("POST", None) if route == "upload" => Route::File,
            ("GET", None) if route == "download" || route == "read-file" => Route::File,
            _ => Route::Unknown,
        }
    }

    fn streams(self) -> bool {
        matches!(self, Route::Start | Route::Connect)
    }
}

async fn handle(state: &Arc<State>, request: Request<Incoming>) -> Response<ChannelBody> {
    let (parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return json_response(400, &json!({"detail": "the body could not be read"})),
    };
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), ToString::to_string);
    let mut http = HttpRequest::new(parts.method.as_str(), &target);
    http.headers = crate::request::header_pairs(&parts.headers);
    let rest = http
        .path
        .strip_prefix(PREFIX)
        .unwrap_or_default()
        .to_owned();
    let (sandbox_id, route) = rest.split_once('/').unwrap_or((rest.as_str(), ""));
    let route_kind = Route::of(&http.method, route);
    let mut violations = Vec::new();
    let is_upload = route == "upload";
    http.body = Vec::from(body);
    let answer = answer(
        state,
        sandbox_id,
        route,
        route_kind,
        &mut http,
        &mut violations,
    )
    .await;
    let status = answer.status().as_u16();
    let raw_body = if is_upload {
        // The file is in the gateway's store; a second copy per upload in
        // the log would make a mock that moves large files grow without end.
        Vec::new()
    } else {
        std::mem::take(&mut http.body)
    };
    lock(&state.received).push(ReceivedRequest {
        operation_id: None,
        method: http.method,
        path: http.path,
        query: http.query,
        headers: http.headers,
        body: None,
        raw_body,
        status,
        violations,
        deviation: None,
    });
    answer
}

async fn answer(
    state: &Arc<State>,
    sandbox_id: &str,
    route: &str,
    kind: Route,
    http: &mut HttpRequest,
    violations: &mut Vec<Violation>,
) -> Response<ChannelBody> {
    let refusal = lock(&state.gateway).admits(sandbox_id, http, violations);
    if let Err(refusal) = refusal {
        let (code, message) = match refusal {
            Refusal::Token(message) => (Code::Unauthenticated, message),
            Refusal::Gone => (Code::NotFound, "the sandbox has been terminated"),
        };
        return match kind {
            _ if kind.streams() => stream_refused(code, message),
            Route::File => json_response(code.http_status(), &json!({"detail": message})),
            _ => unary_refused(code, message),
        };
    }
    match kind {
        Route::Start | Route::Connect => command_stream(state, sandbox_id, kind, http, violations),
        Route::SendInput | Route::SendSignal | Route::List => {
            control(state, sandbox_id, kind, http, violations)
        }
        Route::File => {
            let answer = lock(&state.gateway).answer_file(sandbox_id, route, http, violations);
            match answer {
                Ok(bytes) => response(200, "application/octet-stream", whole(bytes)),
                Err(contract) => from_contract(contract).await,
            }
        }
        Route::Unknown => {
            violations.push(Violation::new(
                None,
                "path",
                Rule::UNKNOWN_OPERATION,
                "the gateway has no such call",
            ));
            unary_refused(Code::Unimplemented, "no such call")
        }
    }
}

/// A [`ContractResponse`] sent by this server, after its delay if it has one.
async fn from_contract(contract: ContractResponse) -> Response<ChannelBody> {
    let parts = contract.into_parts();
    if let Some(delay) = parts.delay {
        tokio::time::sleep(delay).await;
    }
    let mut answer = response(parts.status, &parts.content_type, whole(parts.body));
    for (name, value) in parts.headers {
        if let (Ok(name), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            hyper::header::HeaderValue::from_str(&value),
        ) {
            answer.headers_mut().insert(name, value);
        }
    }
    answer
}

/// The one message in a streaming call's body, as `M`.
fn streamed_message<M: Message + Default>(
    http: &HttpRequest,
    violations: &mut Vec<Violation>,
    what: &str,
) -> Option<M> {
    let mut decoder = EnvelopeDecoder::new(http.body.len().max(1));
    decoder.push(&http.body);
    let message = match (decoder.next_frame(), decoder.finish()) {
        (Ok(Some(ConnectFrame::Message(bytes))), Ok(())) => M::decode(bytes.as_slice()).ok(),
        _ => None,
    };
    if message.is_none() {
        violations.push(violation(
            "body",
            &format!("the body is one envelope holding a {what}"),
        ));
    }
    message
}

/// A unary call's body, as `M`.
fn unary_message<M: Message + Default>(
    http: &HttpRequest,
    violations: &mut Vec<Violation>,
    what: &str,
) -> Option<M> {
    if media_type(http) != Some("application/proto") {
        violations.push(Violation::new(
            None,
            "header.content-type",
            Rule::CONTENT_TYPE,
            "a unary call of the command service is sent as application/proto",
        ));
    }
    let message = M::decode(http.body.as_slice()).ok();
    if message.is_none() {
        violations.push(violation("body", &format!("the body is a {what}")));
    }
    message
}

/// The deadline a call carries in Connect's timeout header.
fn deadline(http: &HttpRequest) -> Option<tokio::time::Instant> {
    let millis = http
        .header_value("connect-timeout-ms")?
        .parse::<u64>()
        .ok()?;
    Some(tokio::time::Instant::now() + std::time::Duration::from_millis(millis))
}

/// The request's media type, without parameters.
fn media_type(http: &HttpRequest) -> Option<&str> {
    http.header_value("content-type")
        .and_then(|value| value.split(';').next())
        .map(str::trim)
}

fn command_stream(
    state: &Arc<State>,
    sandbox_id: &str,
    kind: Route,
    http: &HttpRequest,
    violations: &mut Vec<Violation>,
) -> Response<ChannelBody> {
    if media_type(http) != Some(CONNECT_PROTO) {
        violations.push(Violation::new(
            None,
            "header.content-type",
            Rule::CONTENT_TYPE,
            "Start and Connect are Connect server streams: their content type is application/connect+proto",
        ));
        // What a Connect server answers to a codec it does not serve;
        // nothing runs.
        let mut refused = response(415, "application/json", whole(Bytes::new()));
        refused.headers_mut().insert(
            "accept-post",
            hyper::header::HeaderValue::from_static(CONNECT_PROTO),
        );
        return refused;
    }
    let session = if kind == Route::Start {
        let Some(start) = streamed_message::<StartRequest>(http, violations, "StartRequest") else {
            return stream_refused(Code::InvalidArgument, "not a StartRequest");
        };
        let outcome = lock(&state.gateway).start(sandbox_id, start, violations);
        match outcome {
            StartOutcome::Session(session) => session,
            StartOutcome::Refused(code, message) => return stream_refused(code, &message),
        }
    } else {
        let Some(connect) = streamed_message::<ConnectRequest>(http, violations, "ConnectRequest")
        else {
            return stream_refused(Code::InvalidArgument, "not a ConnectRequest");
        };
        let selector = connect.session.and_then(|session| session.selector);
        match lock(&state.gateway).session(sandbox_id, selector.as_ref()) {
            Some(session) => session,
            None => return stream_refused(Code::NotFound, "no such session"),
        }
    };
    if session.settled() {
        // A command that already ended goes out whole, in one write.
        if let Some(bytes) = played(&session) {
            return response(200, CONNECT_PROTO, whole(bytes));
        }
    }
    let (sender, receiver) = mpsc::channel(16);
    tokio::spawn(pump(Arc::clone(state), session, sender, deadline(http)));
    response(200, CONNECT_PROTO, ChannelBody::Stream(receiver))
}

/// What one stream has sent of a session, and what is ready to go out
/// next in one write.
struct Outgoing {
    stream: u64,
    sent: usize,
    batch: Vec<u8>,
}

/// Where gathering stopped.
enum Gathered {
    /// The ending is in the batch: send it and close.
    Ended,
    /// Nothing more yet.
    Wait,
    /// A fault of the test's script.
    Break(Break),
    /// A newer stream attached.
    Superseded,
}

impl Outgoing {
    /// Attaches a stream to `session`, its announcement ready.
    fn attach(session: &Session) -> Outgoing {
        let mut outgoing = Outgoing {
            stream: session.attach(),
            sent: 1,
            batch: Vec::new(),
        };
        outgoing.push(session.start_event());
        outgoing
    }

    fn push(&mut self, event: Event) {
        let message = StartResponse {
            event: Some(CommandSessionEvent { event: Some(event) }),
        };
        self.batch
            .extend(envelope(0, &message.encode_to_vec()).unwrap_or_default());
    }

    fn end(&mut self, error: Option<(Code, &str)>) {
        self.batch.extend(end_stream(error).unwrap_or_default());
    }

    /// Adds everything `session` has ready to the batch, its ending too.
    fn gather(&mut self, session: &Session) -> Gathered {
        loop {
            match session.next(self.stream, self.sent) {
                Next::Events(events) => {
                    self.sent += events.len();
                    for event in events {
                        self.push(event);
                    }
                }
                Next::End(Ending::Exit(exit)) => {
                    self.push(Event::End(exit));
                    self.end(None);
                    return Gathered::Ended;
                }
                Next::End(Ending::Error(code, message)) => {
                    self.end(Some((code, &message)));
                    return Gathered::Ended;
                }
                Next::Wait => return Gathered::Wait,
                Next::Break(fault) => return Gathered::Break(fault),
                Next::Superseded => return Gathered::Superseded,
            }
        }
    }

    /// The batch so far, leaving it empty.
    fn take(&mut self) -> Bytes {
        Bytes::from(std::mem::take(&mut self.batch))
    }
}

/// The whole stream of a settled session: its announcement, its events
/// and its end; `None` if it turns out not to be settled.
fn played(session: &Session) -> Option<Bytes> {
    let mut outgoing = Outgoing::attach(session);
    match outgoing.gather(session) {
        Gathered::Ended => Some(outgoing.take()),
        Gathered::Wait | Gathered::Break(_) | Gathered::Superseded => None,
    }
}

/// Sends a session's events on one stream until it ends, breaks or passes
/// its deadline; returns early when the client has gone. What is ready
/// goes out in one write.
async fn pump(
    state: Arc<State>,
    session: Arc<Session>,
    sender: mpsc::Sender<Result<Bytes, std::io::Error>>,
    deadline: Option<tokio::time::Instant>,
) {
    let mut outgoing = Outgoing::attach(&session);
    let mut changes = session.watch();
    loop {
        changes.borrow_and_update();
        match outgoing.gather(&session) {
            Gathered::Ended => {
                let _ = sender.send(Ok(outgoing.take())).await;
                return;
            }
            Gathered::Superseded => return,
            Gathered::Break(Break::Drop) => {
                let ready = outgoing.take();
                if !ready.is_empty() && sender.send(Ok(ready)).await.is_err() {
                    return;
                }
                // What went before reaches the client first: wait until the
                // server took every queued write, and a moment to send it.
                while sender.capacity() < sender.max_capacity() {
                    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                let cut = std::io::Error::other("the test's fault: the stream drops here");
                let _ = sender.send(Err(cut)).await;
                return;
            }
            Gathered::Break(Break::ExpireToken) => {
                lock(&state.gateway).expire_tokens();
                outgoing.end(Some((Code::Unauthenticated, "the token has expired")));
                let _ = sender.send(Ok(outgoing.take())).await;
                return;
            }
            Gathered::Wait => {
                let ready = outgoing.take();
                if !ready.is_empty() && sender.send(Ok(ready)).await.is_err() {
                    return;
                }
                let passed = async {
                    match deadline {
                        Some(deadline) => tokio::time::sleep_until(deadline).await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    changed = changes.changed() => if changed.is_err() { return },
                    () = passed => {
                        outgoing.end(Some((Code::DeadlineExceeded, "the call's deadline passed")));
                        let _ = sender.send(Ok(outgoing.take())).await;
                        return;
                    }
                }
            }
        }
    }
}

/// `SendInput`, `SendSignal` and `List`.
fn control(
    state: &Arc<State>,
    sandbox_id: &str,
    kind: Route,
    http: &HttpRequest,
    violations: &mut Vec<Violation>,
) -> Response<ChannelBody> {
    let answered = match kind {
        Route::SendInput => unary_message::<SendInputRequest>(http, violations, "SendInputRequest")
            .map(|input| {
                let session = input.session.and_then(|session| session.selector);
                let bytes = match input.input.and_then(|input| input.input) {
                    Some(command_input::Input::Stdin(bytes) | command_input::Input::Pty(bytes)) => {
                        bytes
                    }
                    None => Vec::new(),
                };
                with_session(state, sandbox_id, session.as_ref(), |session| {
                    session.input(bytes, input.input_uuid)
                })
            }),
        Route::SendSignal => {
            unary_message::<SendSignalRequest>(http, violations, "SendSignalRequest").map(
                |signal| {
                    let session = signal.session.as_ref().and_then(|s| s.selector.clone());
                    let which = signal.signal();
                    with_session(state, sandbox_id, session.as_ref(), |session| {
                        session.signal(which, signal.signal_uuid)
                    })
                },
            )
        }
        _ => unary_message::<pi_types::gateway::ListRequest>(http, violations, "ListRequest").map(
            |_| {
                let sessions = lock(&state.gateway).live_sessions(sandbox_id);
                Ok(ListResponse { sessions }.encode_to_vec())
            },
        ),
    };
    match answered {
        None => unary_refused(Code::InvalidArgument, "the body is not the call's message"),
        Some(Ok(bytes)) => response(200, "application/proto", whole(bytes)),
        Some(Err(code)) => unary_refused(code, "the session cannot take this"),
    }
}

/// Acts on the session `selector` names; an empty answer on success.
fn with_session(
    state: &Arc<State>,
    sandbox_id: &str,
    selector: Option<&Selector>,
    act: impl FnOnce(&Session) -> Result<(), Code>,
) -> Result<Vec<u8>, Code> {
    let session = lock(&state.gateway)
        .session(sandbox_id, selector)
        .ok_or(Code::NotFound)?;
    act(&session).map(|()| Vec::new())
}
