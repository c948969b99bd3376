//! The Connect protocol's framing, as the gateway speaks it: the envelope
//! every streamed message travels in, the end-of-stream message that closes
//! a stream, and the error codes. Shared by the client and the mock, so
//! both read and write the wire one way; no I/O here, only bytes.
//!
//! A streamed message is one envelope: a flags byte, the length as four
//! big-endian bytes, then the message. The last envelope of a response
//! stream carries [`END_STREAM`] and a JSON body with the call's error (if
//! it failed) and trailing metadata.
//!
//! ```
//! use pi_types::gateway::connect::{Code, EnvelopeDecoder, Frame, envelope, end_stream};
//!
//! let mut wire = envelope(0, b"first")?;
//! wire.extend(end_stream(Some((Code::DeadlineExceeded, "took too long")))?);
//!
//! // The bytes may arrive in any pieces; the decoder buffers only the
//! // message it is in the middle of.
//! let mut decoder = EnvelopeDecoder::new(1 << 20);
//! let (head, tail) = wire.split_at(3);
//! decoder.push(head);
//! assert_eq!(decoder.next_frame()?, None);
//! decoder.push(tail);
//! assert_eq!(decoder.next_frame()?, Some(Frame::Message(b"first".to_vec())));
//! let Some(Frame::End(end)) = decoder.next_frame()? else { panic!("no end") };
//! assert_eq!(end.error.map(|e| e.code), Some(Code::DeadlineExceeded));
//! decoder.finish()?;
//! # Ok::<(), pi_types::gateway::connect::EnvelopeError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The flag of an envelope whose message is compressed; the gateway is
/// spoken without compression, so a decoder refuses it.
pub const COMPRESSED: u8 = 0x01;

/// The flag of the envelope that ends a response stream.
pub const END_STREAM: u8 = 0x02;

/// The flags byte and the four length bytes before every message.
const HEADER_BYTES: usize = 5;

/// A Connect error code: what kind of failure a call ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// The caller cancelled the call.
    Canceled,
    /// A failure the server could not classify; also any code this version
    /// does not know.
    Unknown,
    /// The request is wrong whatever the server's state.
    InvalidArgument,
    /// The call's deadline passed before it completed.
    DeadlineExceeded,
    /// What the call names does not exist (a sandbox, a session).
    NotFound,
    /// What the call would create exists already.
    AlreadyExists,
    /// The caller may not do this.
    PermissionDenied,
    /// A quota or rate limit was reached.
    ResourceExhausted,
    /// The server's state does not allow the call (a reused session key
    /// with another command, say).
    FailedPrecondition,
    /// The call was aborted, typically by a concurrent change.
    Aborted,
    /// A value is outside the range the server accepts.
    OutOfRange,
    /// The server does not offer this procedure.
    Unimplemented,
    /// The server broke an invariant of its own.
    Internal,
    /// The server cannot answer now; trying again later may work.
    Unavailable,
    /// Data was lost or corrupted.
    DataLoss,
    /// The credentials are missing, wrong or expired.
    Unauthenticated,
}

/// Every code with its wire name, in the protocol's order.
const CODES: [(Code, &str); 16] = [
    (Code::Canceled, "canceled"),
    (Code::Unknown, "unknown"),
    (Code::InvalidArgument, "invalid_argument"),
    (Code::DeadlineExceeded, "deadline_exceeded"),
    (Code::NotFound, "not_found"),
    (Code::AlreadyExists, "already_exists"),
    (Code::PermissionDenied, "permission_denied"),
    (Code::ResourceExhausted, "resource_exhausted"),
    (Code::FailedPrecondition, "failed_precondition"),
    (Code::Aborted, "aborted"),
    (Code::OutOfRange, "out_of_range"),
    (Code::Unimplemented, "unimplemented"),
    (Code::Internal, "internal"),
    (Code::Unavailable, "unavailable"),
    (Code::DataLoss, "data_loss"),
    (Code::Unauthenticated, "unauthenticated"),
];

impl Code {
    /// The code as it travels (`deadline_exceeded`).
    pub fn as_str(self) -> &'static str {
        CODES
            .iter()
            .find(|(code, _)| *code == self)
            .map_or("unknown", |(_, name)| name)
    }

    /// The code a wire name stands for; a name this version does not know
    /// is [`Code::Unknown`], as the protocol asks.
    pub fn from_wire(name: &str) -> Self {
        CODES
            .iter()
            .find(|(_, wire)| *wire == name)
            .map_or(Code::Unknown, |(code, _)| *code)
    }

    /// The HTTP status a unary call fails with for this code.
    pub fn http_status(self) -> u16 {
        match self {
            Code::Canceled => 499,
            Code::InvalidArgument | Code::FailedPrecondition | Code::OutOfRange => 400,
            Code::Unauthenticated => 401,
            Code::PermissionDenied => 403,
            Code::NotFound => 404,
            Code::AlreadyExists | Code::Aborted => 409,
            Code::ResourceExhausted => 429,
            Code::Unimplemented => 501,
            Code::Unavailable => 503,
            Code::DeadlineExceeded => 504,
            Code::Unknown | Code::Internal | Code::DataLoss => 500,
        }
    }

    /// The code a failed unary call means when its body names none (a proxy
    /// answered, say), from its HTTP status.
    pub fn from_http_status(status: u16) -> Self {
        match status {
            400 => Code::Internal,
            401 => Code::Unauthenticated,
            403 => Code::PermissionDenied,
            404 => Code::Unimplemented,
            429 | 502 | 503 | 504 => Code::Unavailable,
            _ => Code::Unknown,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(Code::from_wire(&name))
    }
}

/// A call's error as the protocol carries it: in the end-of-stream message
/// of a stream, or as the JSON body of a failed unary call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConnectError {
    /// What kind of failure.
    pub code: Code,
    /// The server's words, for a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl ConnectError {
    /// An error of `code` with the server's `message`.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: Some(message.into()),
        }
    }

    /// Reads the JSON body of a failed unary call; a body that is not the
    /// protocol's error shape gives the code its HTTP `status` means.
    pub fn from_unary_body(status: u16, body: &[u8]) -> Self {
        serde_json::from_slice(body).unwrap_or(Self {
            code: Code::from_http_status(status),
            message: None,
        })
    }
}

/// The message that ends a response stream: the call's error, if it failed,
/// and trailing metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EndStream {
    /// The error the call ended with; `None` for a call that succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ConnectError>,
    /// Trailing metadata, each key with its values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, Vec<String>>,
}

/// One unit a response stream yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A message, still encoded (protobuf).
    Message(Vec<u8>),
    /// The end of the stream.
    End(EndStream),
}

/// Bytes that are not a well-formed stream of envelopes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// An envelope announces a message larger than the reader accepts (or
    /// than four bytes can count, when writing).
    #[error("an envelope of {length} bytes is over the limit of {limit}")]
    TooLarge {
        /// The announced length.
        length: u64,
        /// The largest message accepted.
        limit: u64,
    },
    /// An envelope is flagged compressed; the gateway is spoken without
    /// compression.
    #[error("an envelope is compressed, which this reader does not accept")]
    Compressed,
    /// The bytes ended inside an envelope.
    #[error("the stream ended {missing} bytes short of a whole envelope")]
    Truncated {
        /// How many more bytes the envelope needed.
        missing: usize,
    },
    /// The end-of-stream message is not the protocol's JSON.
    #[error("the end-of-stream message is not valid: {0}")]
    BadEndStream(String),
}

/// `message` in one envelope with `flags`.
///
/// # Errors
/// [`EnvelopeError::TooLarge`] for a message over 4 GiB − 1 bytes.
pub fn envelope(flags: u8, message: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
    let length = u32::try_from(message.len()).map_err(|_| EnvelopeError::TooLarge {
        length: message.len() as u64,
        limit: u64::from(u32::MAX),
    })?;
    let mut framed = Vec::with_capacity(HEADER_BYTES + message.len());
    framed.push(flags);
    framed.extend_from_slice(&length.to_be_bytes());
    framed.extend_from_slice(message);
    Ok(framed)
}

/// The envelope that ends a stream: with `error` (a code and the words for
/// it) when the call failed, empty when it succeeded.
///
/// # Errors
/// None in practice: the message is small JSON.
pub fn end_stream(error: Option<(Code, &str)>) -> Result<Vec<u8>, EnvelopeError> {
    let end = EndStream {
        error: error.map(|(code, message)| ConnectError::new(code, message)),
        metadata: BTreeMap::new(),
    };
    let json =
        serde_json::to_vec(&end).map_err(|error| EnvelopeError::BadEndStream(error.to_string()))?;
    envelope(END_STREAM, &json)
}

/// Reads envelopes from bytes that arrive in pieces of any size. It keeps
/// only the envelope it is in the middle of, and refuses one whose announced
/// length is over its limit before buffering any of it, so memory stays
/// bounded by the limit whatever the stream's length.
#[derive(Debug, Clone)]
pub struct EnvelopeDecoder {
    buffer: Vec<u8>,
    /// Where the unread bytes of `buffer` start.
    read: usize,
    max_message_bytes: usize,
}

impl EnvelopeDecoder {
    /// A decoder accepting messages of at most `max_message_bytes`.
    pub fn new(max_message_bytes: usize) -> Self {
        Self {
            buffer: Vec::new(),
            read: 0,
            max_message_bytes,
        }
    }

    /// Adds the next bytes of the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.read > 0 {
            self.buffer.drain(..self.read);
            self.read = 0;
        }
        self.buffer.extend_from_slice(bytes);
    }

    /// The next whole frame, or `None` until more bytes arrive.
    ///
    /// # Errors
    /// An envelope over the limit, a compressed one, or an end-of-stream
    /// message that is not the protocol's JSON.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, EnvelopeError> {
        let unread = &self.buffer[self.read..];
        let Some(header) = unread.get(..HEADER_BYTES) else {
            return Ok(None);
        };
        let flags = header[0];
        let length = u32::from_be_bytes([header[1], header[2], header[3], header[4]]);
        let length = usize::try_from(length).unwrap_or(usize::MAX);
        if length > self.max_message_bytes {
            return Err(EnvelopeError::TooLarge {
                length: length as u64,
                limit: self.max_message_bytes as u64,
            });
        }
        if flags & COMPRESSED != 0 {
            return Err(EnvelopeError::Compressed);
        }
        let Some(message) = unread.get(HEADER_BYTES..HEADER_BYTES + length) else {
            return Ok(None);
        };
        let frame = if flags & END_STREAM != 0 {
            let end = if message.is_empty() {
                EndStream::default()
            } else {
                serde_json::from_slice(message)
                    .map_err(|error| EnvelopeError::BadEndStream(error.to_string()))?
            };
            Frame::End(end)
        } else {
            Frame::Message(message.to_vec())
        };
        self.read += HEADER_BYTES + length;
        Ok(Some(frame))
    }

    /// Checks that the stream ended between envelopes.
    ///
    /// # Errors
    /// [`EnvelopeError::Truncated`] when bytes of an unfinished envelope
    /// are left.
    pub fn finish(&self) -> Result<(), EnvelopeError> {
        let unread = &self.buffer[self.read..];
        if unread.is_empty() {
            return Ok(());
        }
        let needed = match unread.get(1..HEADER_BYTES) {
            Some(length) => {
                let length = u32::from_be_bytes([length[0], length[1], length[2], length[3]]);
                HEADER_BYTES + usize::try_from(length).unwrap_or(usize::MAX)
            }
            None => HEADER_BYTES,
        };
        Err(EnvelopeError::Truncated {
            missing: needed.saturating_sub(unread.len()),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use proptest::prelude::*;

    fn frames_of(wire: &[u8], cuts: &[usize]) -> Vec<Frame> {
        let mut decoder = EnvelopeDecoder::new(1024);
        let mut frames = Vec::new();
        let mut at = 0;
        for &cut in cuts.iter().chain(std::iter::once(&wire.len())) {
            let cut = cut.clamp(at, wire.len());
            decoder.push(&wire[at..cut]);
            at = cut;
            while let Some(frame) = decoder.next_frame().unwrap() {
                frames.push(frame);
            }
        }
        decoder.finish().unwrap();
        frames
    }

    #[test]
    fn an_envelope_is_flags_then_a_big_endian_length_then_the_message() {
        assert_eq!(envelope(0, b"hi").unwrap(), [0, 0, 0, 0, 2, b'h', b'i']);
        let end = end_stream(None).unwrap();
        assert_eq!(&end[..5], [END_STREAM, 0, 0, 0, 2]);
        assert_eq!(&end[5..], b"{}");
    }

    #[test]
    fn an_end_of_stream_carries_the_code_by_its_wire_name() {
        let end = end_stream(Some((Code::NotFound, "no such session"))).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&end[5..]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": {"code": "not_found", "message": "no such session"}})
        );
    }

    #[test]
    fn codes_read_their_wire_names_and_unknown_ones_are_unknown() {
        for (code, name) in CODES {
            assert_eq!(Code::from_wire(name), code);
            assert_eq!(code.as_str(), name);
        }
        assert_eq!(Code::from_wire("resource_melted"), Code::Unknown);
        assert_eq!(Code::Unauthenticated.http_status(), 401);
        assert_eq!(Code::from_http_status(503), Code::Unavailable);
    }

    #[test]
    fn a_unary_error_body_gives_its_code_or_the_status_meaning() {
        let body = br#"{"code": "unauthenticated", "message": "token expired"}"#;
        let error = ConnectError::from_unary_body(401, body);
        assert_eq!(
            error,
            ConnectError::new(Code::Unauthenticated, "token expired")
        );
        let proxy = ConnectError::from_unary_body(502, b"<html>bad gateway</html>");
        assert_eq!(proxy.code, Code::Unavailable);
        assert_eq!(proxy.message, None);
    }

    #[test]
    fn a_message_over_the_limit_is_refused_from_its_header_alone() {
        let mut decoder = EnvelopeDecoder::new(4);
        decoder.push(&[0, 0, 0, 0, 5]);
        assert_eq!(
            decoder.next_frame(),
            Err(EnvelopeError::TooLarge {
                length: 5,
                limit: 4
            })
        );
    }

    #[test]
    fn compressed_envelopes_and_broken_end_messages_are_refused() {
        let mut decoder = EnvelopeDecoder::new(16);
        decoder.push(&envelope(COMPRESSED, b"x").unwrap());
        assert_eq!(decoder.next_frame(), Err(EnvelopeError::Compressed));
        let mut decoder = EnvelopeDecoder::new(16);
        decoder.push(&envelope(END_STREAM, b"{nope").unwrap());
        assert!(matches!(
            decoder.next_frame(),
            Err(EnvelopeError::BadEndStream(_))
        ));
    }

    #[test]
    fn a_stream_cut_inside_an_envelope_says_how_much_is_missing() {
        let wire = envelope(0, b"hello").unwrap();
        let mut decoder = EnvelopeDecoder::new(16);
        decoder.push(&wire[..7]);
        assert_eq!(decoder.next_frame(), Ok(None));
        assert_eq!(
            decoder.finish(),
            Err(EnvelopeError::Truncated { missing: 3 })
        );
    }

    proptest! {
        #[test]
        fn any_split_of_the_bytes_gives_the_same_frames(
            messages in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..6),
            cuts in proptest::collection::vec(0usize..300, 0..8),
        ) {
            let mut wire = Vec::new();
            for message in &messages {
                wire.extend(envelope(0, message).unwrap());
            }
            wire.extend(end_stream(Some((Code::Aborted, "stop"))).unwrap());
            let mut cuts = cuts;
            cuts.sort_unstable();
            let frames = frames_of(&wire, &cuts);
            let expected: Vec<Frame> = messages
                .into_iter()
                .map(Frame::Message)
                .chain(std::iter::once(Frame::End(EndStream {
                    error: Some(ConnectError::new(Code::Aborted, "stop")),
                    metadata: BTreeMap::new(),
                })))
                .collect();
            prop_assert_eq!(frames, expected);
        }
    }
}
