//! A small raw TCP server on 127.0.0.1 for the faults wiremock cannot make:
//! resets, truncated answers, stalls. It counts connections and the requests
//! it read, keeps their heads for inspection, handles a bounded number of
//! connections and stops by itself after a few seconds.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The longest the server lives, and the longest any stall lasts.
const LIFETIME: Duration = Duration::from_secs(10);
/// The most connections the server accepts.
const MAX_CONNECTIONS: usize = 64;

/// What the server does with one connection.
#[derive(Clone, Debug)]
pub enum Act {
    /// Closes the connection at once, before reading anything.
    CloseAtOnce,
    /// Reads the request, then closes the connection without answering.
    CloseAfterRequest,
    /// Reads the request, then resets the connection (RST).
    ResetAfterRequest,
    /// Reads the request, then never answers (until the server's lifetime ends).
    Stall,
    /// Reads the request, writes these bytes, then closes.
    Reply(Vec<u8>),
    /// Reads the request, writes these bytes, then resets the connection.
    ReplyThenReset(Vec<u8>),
    /// Reads the request, writes these bytes, then holds the connection open.
    ReplyThenStall(Vec<u8>),
    /// Answers every request on the connection with these bytes (keep-alive).
    KeepAlive(Vec<u8>),
}

/// A running raw server.
pub struct RawServer {
    address: std::net::SocketAddr,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl RawServer {
    /// Starts a server that treats connection number `n` (from 0) as `act(n)`.
    pub async fn start(act: impl Fn(usize) -> Act + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (counted, heads) = (connections.clone(), requests.clone());
        tokio::spawn(async move {
            let _ = tokio::time::timeout(LIFETIME, async move {
                while counted.load(Ordering::SeqCst) < MAX_CONNECTIONS {
                    let Ok((stream, _)) = listener.accept().await else {
                        return;
                    };
                    let number = counted.fetch_add(1, Ordering::SeqCst);
                    tokio::spawn(serve(stream, act(number), heads.clone()));
                }
            })
            .await;
        });
        Self {
            address,
            connections,
            requests,
        }
    }

    /// Starts a server that treats every connection as `act`.
    pub async fn always(act: Act) -> Self {
        Self::start(move |_| act.clone()).await
    }

    /// The base URL to give a client.
    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    /// How many connections the server accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// How many requests the server read in full.
    pub fn requests(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    /// The heads (request line and headers) and bodies of the requests read, in order.
    pub fn received(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

async fn serve(mut stream: TcpStream, act: Act, heads: Arc<Mutex<Vec<String>>>) {
    let _ = tokio::time::timeout(LIFETIME, async move {
        if matches!(act, Act::CloseAtOnce) {
            return;
        }
        loop {
            let Some(request) = read_request(&mut stream).await else {
                return;
            };
            heads.lock().unwrap().push(request);
            match &act {
                Act::CloseAtOnce | Act::CloseAfterRequest => return,
                Act::ResetAfterRequest => {
                    let _ = stream.set_zero_linger();
                    return;
                }
                Act::Stall => {
                    tokio::time::sleep(LIFETIME).await;
                    return;
                }
                Act::Reply(bytes) => {
                    let _ = stream.write_all(bytes).await;
                    let _ = stream.shutdown().await;
                    return;
                }
                Act::ReplyThenReset(bytes) => {
                    let _ = stream.write_all(bytes).await;
                    let _ = stream.flush().await;
                    // Give the client a moment to read what was sent, so the
                    // reset lands in the middle of the body, not before it.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    let _ = stream.set_zero_linger();
                    return;
                }
                Act::ReplyThenStall(bytes) => {
                    let _ = stream.write_all(bytes).await;
                    let _ = stream.flush().await;
                    tokio::time::sleep(LIFETIME).await;
                    return;
                }
                Act::KeepAlive(bytes) => {
                    if stream.write_all(bytes).await.is_err() {
                        return;
                    }
                }
            }
        }
    })
    .await;
}

/// Reads one request (head, then a body of Content-Length bytes); `None`
/// when the peer closes first.
async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut buffer = Vec::new();
    let mut chunk = [0_u8; 4096];
    let head_end = loop {
        if let Some(at) = find(&buffer, b"\r\n\r\n") {
            break at + 4;
        }
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())
                .flatten()
        })
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
    Some(String::from_utf8_lossy(&buffer[..head_end + length]).into_owned())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// A complete HTTP/1.1 answer with a Content-Length.
pub fn response(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut bytes = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// The head of a 200 answer promising `length` bytes of JSON, and `sent` of them.
pub fn partial_json(length: usize, sent: &[u8]) -> Vec<u8> {
    let mut bytes = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n\r\n"
    )
    .into_bytes();
    bytes.extend_from_slice(sent);
    bytes
}
