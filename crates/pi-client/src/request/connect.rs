//! Connect RPC calls to a sandbox's gateway, on the client's HTTP stack:
//! one server-streaming call whose frames are read as they arrive. The
//! framing itself (envelopes, the end-of-stream message, codes) is
//! `pi_types::gateway::connect`, which the mock shares.

use std::time::Duration;

use pi_types::gateway::connect::{ConnectError, EnvelopeDecoder, Frame, envelope};
use reqwest::header::{self, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use crate::error::Error;
use crate::request::send::Transport;

/// The media type of a streaming call in the protobuf codec.
const CONNECT_PROTO: HeaderValue = HeaderValue::from_static("application/connect+proto");

/// The largest single message a gateway stream may send: output arrives in
/// chunks far smaller than this, so a larger one is a broken stream.
const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// Extra time the client waits beyond a call's deadline for the gateway to
/// say that the deadline passed.
const DEADLINE_GRACE: Duration = Duration::from_secs(10);

/// An open server-streaming call: its frames, read as they arrive.
pub(crate) struct FrameStream {
    response: reqwest::Response,
    decoder: EnvelopeDecoder,
    /// When the client stops waiting for the next bytes.
    until: tokio::time::Instant,
    deadline: Duration,
}

impl Transport {
    /// Opens a server-streaming call: `message` (an encoded request) goes
    /// to `url` with the gateway `token` and the call's `deadline`.
    ///
    /// # Errors
    /// [`Error::Gateway`] when the gateway refuses the call before the
    /// stream starts, [`Error::CommandTimedOut`] when it does not answer in
    /// time, [`Error::Transport`] when it cannot be reached.
    pub(crate) async fn open_stream(
        &self,
        url: &str,
        token: &SecretString,
        message: &[u8],
        deadline: Duration,
    ) -> Result<FrameStream, Error> {
        let body = envelope(0, message).map_err(|error| Error::Transport {
            message: format!("cannot frame the request: {error}"),
        })?;
        let until = tokio::time::Instant::now() + deadline + DEADLINE_GRACE;
        let sent = self
            .connect_call(url, token, CONNECT_PROTO, deadline)?
            .body(body)
            .send();
        let response = tokio::time::timeout_at(until, sent)
            .await
            .map_err(|_| Error::CommandTimedOut { deadline })?
            .map_err(|error| Error::Transport {
                message: format!("the sandbox gateway cannot be reached: {error}"),
            })?;
        if !response.status().is_success() {
            let status = response.status().as_u16();
            let body = response.bytes().await.unwrap_or_default();
            let error = ConnectError::from_unary_body(status, &body);
            return Err(gateway_error(error, deadline, token));
        }
        Ok(FrameStream {
            response,
            decoder: EnvelopeDecoder::new(MAX_MESSAGE_BYTES),
            until,
            deadline,
        })
    }
}

/// The media type of a unary call in the protobuf codec.
const UNARY_PROTO: HeaderValue = HeaderValue::from_static("application/proto");

impl Transport {
    /// A Connect call to `url` in the protobuf codec (`content_type` says
    /// unary or streaming) with the gateway `token` and the call's
    /// `deadline` as Connect's timeout header; the body is the caller's.
    fn connect_call(
        &self,
        url: &str,
        token: &SecretString,
        content_type: HeaderValue,
        deadline: Duration,
    ) -> Result<reqwest::RequestBuilder, Error> {
        let millis = u64::try_from(deadline.as_millis()).unwrap_or(u64::MAX);
        Ok(self
            .http()
            .post(url)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::AUTHORIZATION, bearer(token)?)
            .header("connect-protocol-version", "1")
            .header("connect-timeout-ms", millis.to_string()))
    }

    /// Makes a unary call: `message` (an encoded request) goes to `url`
    /// with the gateway `token`; the answer's bytes come back.
    ///
    /// # Errors
    /// [`Error::Gateway`] with the gateway's code (a passed deadline is
    /// `deadline_exceeded` here: a control call has no command to time
    /// out), [`Error::Transport`] when it cannot be reached or its answer
    /// breaks off.
    pub(crate) async fn unary(
        &self,
        url: &str,
        token: &SecretString,
        message: Vec<u8>,
        deadline: Duration,
    ) -> Result<Vec<u8>, Error> {
        let response = self
            .connect_call(url, token, UNARY_PROTO, deadline)?
            .timeout(deadline + DEADLINE_GRACE)
            .body(message)
            .send()
            .await
            .map_err(|error| transfer_failure(&error))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|error| transfer_failure(&error))?;
        if !(200..300).contains(&status) {
            let error = ConnectError::from_unary_body(status, &body);
            return Err(Error::Gateway {
                code: error.code,
                message: without_token(error.message, token),
            });
        }
        Ok(body.to_vec())
    }
}

impl FrameStream {
    /// The next frame, or `None` once the body ended between frames.
    ///
    /// # Errors
    /// [`Error::Transport`] for a broken or truncated stream,
    /// [`Error::CommandTimedOut`] past the deadline.
    pub(crate) async fn next(&mut self) -> Result<Option<Frame>, Error> {
        loop {
            let frame = self
                .decoder
                .next_frame()
                .map_err(|error| Error::Transport {
                    message: format!("the sandbox gateway sent a broken stream: {error}"),
                })?;
            if let Some(frame) = frame {
                return Ok(Some(frame));
            }
            let chunk = tokio::time::timeout_at(self.until, self.response.chunk())
                .await
                .map_err(|_| Error::CommandTimedOut {
                    deadline: self.deadline,
                })?
                .map_err(|error| Error::Transport {
                    message: format!("the sandbox gateway's stream broke: {error}"),
                })?;
            match chunk {
                Some(bytes) => self.decoder.push(&bytes),
                None => {
                    self.decoder.finish().map_err(|error| Error::Transport {
                        message: format!("the sandbox gateway's stream was cut: {error}"),
                    })?;
                    return Ok(None);
                }
            }
        }
    }

    /// The call's deadline.
    pub(crate) fn deadline(&self) -> Duration {
        self.deadline
    }
}

/// The client's error for a Connect error: a passed deadline is the
/// command's timeout, anything else the gateway's code, with the gateway's
/// words kept but the `token` blanked should they echo it.
pub(crate) fn gateway_error(
    error: ConnectError,
    deadline: Duration,
    token: &SecretString,
) -> Error {
    match error.code {
        pi_types::gateway::connect::Code::DeadlineExceeded => Error::CommandTimedOut { deadline },
        code => Error::Gateway {
            code,
            message: without_token(error.message, token),
        },
    }
}

/// `message` with every copy of `token` blanked: a gateway may quote the
/// credential it refused, and errors never carry secret material.
fn without_token(message: Option<String>, token: &SecretString) -> Option<String> {
    let token = token.expose_secret();
    message.map(|message| {
        if token.is_empty() {
            message
        } else {
            message.replace(token, "[redacted]")
        }
    })
}

impl Transport {
    /// Sends a `GET` of one of the gateway's file endpoints (`url` with
    /// `query`) with the gateway `token`, giving up after `timeout`.
    async fn gateway_get(
        &self,
        url: &str,
        token: &SecretString,
        query: &[(&str, String)],
        timeout: Duration,
    ) -> Result<reqwest::Response, Error> {
        let authorization = bearer(token)?;
        let url = with_query(url, query)?;
        let sent = self
            .http()
            .get(url)
            .header(header::AUTHORIZATION, authorization)
            .timeout(timeout)
            .send()
            .await
            .map_err(|error| transfer_failure(&error))?;
        if sent.status().is_success() {
            return Ok(sent);
        }
        let status = sent.status().as_u16();
        let body = sent.bytes().await.unwrap_or_default();
        Err(file_error(status, &body, token))
    }

    /// A file endpoint's JSON answer, decoded as `T`.
    ///
    /// # Errors
    /// [`Error::Gateway`] with the code the status means, [`Error::Decode`]
    /// for an answer that is not `T`, [`Error::Transport`] or
    /// [`Error::Timeout`] when the gateway cannot be reached in time.
    pub(crate) async fn gateway_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        token: &SecretString,
        query: &[(&str, String)],
        timeout: Duration,
    ) -> Result<T, Error> {
        let response = self.gateway_get(url, token, query, timeout).await?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|error| transfer_failure(&error))?;
        crate::request::answer::decode_body(status, &body)
    }

    /// Streams a file endpoint's body into `sink`, one chunk at a time, so
    /// memory stays bounded whatever the file's size; returns the bytes
    /// written.
    ///
    /// # Errors
    /// As [`Transport::gateway_json`], and [`Error::Transport`] when `sink`
    /// fails.
    pub(crate) async fn gateway_download<W>(
        &self,
        url: &str,
        token: &SecretString,
        query: &[(&str, String)],
        timeout: Duration,
        sink: &mut W,
    ) -> Result<u64, Error>
    where
        W: tokio::io::AsyncWrite + Unpin + ?Sized,
    {
        use tokio::io::AsyncWriteExt;
        let mut response = self.gateway_get(url, token, query, timeout).await?;
        let mut written = 0_u64;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| transfer_failure(&error))?
        {
            sink.write_all(&chunk)
                .await
                .map_err(|error| Error::Transport {
                    message: format!("cannot write the downloaded file: {error}"),
                })?;
            written += chunk.len() as u64;
        }
        sink.flush().await.map_err(|error| Error::Transport {
            message: format!("cannot write the downloaded file: {error}"),
        })?;
        Ok(written)
    }
}

/// A transfer that failed on the way: a timeout or a broken connection.
fn transfer_failure(error: &reqwest::Error) -> Error {
    if error.is_timeout() {
        Error::Gateway {
            code: pi_types::gateway::connect::Code::DeadlineExceeded,
            message: Some("the sandbox gateway did not answer in time".to_owned()),
        }
    } else {
        Error::Transport {
            message: format!("the sandbox gateway cannot be reached: {error}"),
        }
    }
}

/// The client's error for a file endpoint's failed answer: the Connect code
/// its status means for a file, and the gateway's words (its `detail`, or
/// the start of a text body).
fn file_error(status: u16, body: &[u8], token: &SecretString) -> Error {
    use pi_types::gateway::connect::Code;
    let code = match status {
        401 => Code::Unauthenticated,
        403 => Code::PermissionDenied,
        404 => Code::NotFound,
        409 => Code::FailedPrecondition,
        408 | 504 => Code::DeadlineExceeded,
        413 => Code::ResourceExhausted,
        429 | 502 | 503 => Code::Unavailable,
        400 | 422 => Code::InvalidArgument,
        _ => Code::Unknown,
    };
    let message = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|json| {
            json.get("detail")
                .or_else(|| json.get("message"))
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        })
        .or_else(|| {
            let text = String::from_utf8_lossy(body);
            let text: String = text.trim().chars().take(200).collect();
            (!text.is_empty()).then_some(text)
        });
    Error::Gateway {
        code,
        message: without_token(message, token),
    }
}

impl Transport {
    /// Sends `source` to a gateway's upload endpoint as the multipart part
    /// `file`, read and sent one buffer at a time so memory stays bounded
    /// whatever its size, and decodes the JSON answer as `T`.
    ///
    /// A body read from a stream cannot be sent twice, so an upload is never
    /// retried here.
    ///
    /// # Errors
    /// As [`Transport::gateway_json`], and [`Error::Transport`] when reading
    /// `source` fails.
    pub(crate) async fn gateway_upload<T, R>(
        &self,
        url: &str,
        token: &SecretString,
        query: &[(&str, String)],
        timeout: Duration,
        source: R,
    ) -> Result<T, Error>
    where
        T: serde::de::DeserializeOwned,
        R: tokio::io::AsyncRead + Send + Unpin + 'static,
    {
        let authorization = bearer(token)?;
        let url = with_query(url, query)?;
        let chunks = futures::stream::try_unfold(source, |mut source| async move {
            use tokio::io::AsyncReadExt;
            let mut buffer = vec![0_u8; UPLOAD_BUFFER_BYTES];
            let read = source.read(&mut buffer).await?;
            if read == 0 {
                return Ok::<_, std::io::Error>(None);
            }
            buffer.truncate(read);
            Ok(Some((buffer, source)))
        });
        let part = reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(chunks))
            .file_name("upload")
            .mime_str("application/octet-stream")
            .map_err(|error| Error::Transport {
                message: format!("cannot describe the upload: {error}"),
            })?;
        let form = reqwest::multipart::Form::new().part("file", part);
        let sent = self
            .http()
            .post(url)
            .header(header::AUTHORIZATION, authorization)
            .multipart(form)
            .timeout(timeout)
            .send()
            .await
            .map_err(|error| transfer_failure(&error))?;
        let status = sent.status().as_u16();
        let body = sent
            .bytes()
            .await
            .map_err(|error| transfer_failure(&error))?;
        if !(200..300).contains(&status) {
            return Err(file_error(status, &body, token));
        }
        crate::request::answer::decode_body(status, &body)
    }
}

/// How much of an upload's source is read and sent at a time.
const UPLOAD_BUFFER_BYTES: usize = 64 * 1024;

/// The gateway token as a bearer header, marked sensitive so no log or
/// debug output shows it.
fn bearer(token: &SecretString) -> Result<HeaderValue, Error> {
    let mut authorization = HeaderValue::try_from(format!("Bearer {}", token.expose_secret()))
        .map_err(|_| Error::Gateway {
            code: pi_types::gateway::connect::Code::Unauthenticated,
            message: Some("the gateway token cannot be sent in a header".to_owned()),
        })?;
    authorization.set_sensitive(true);
    Ok(authorization)
}

/// `url` with the `query` pairs appended, encoded.
fn with_query(url: &str, query: &[(&str, String)]) -> Result<url::Url, Error> {
    let mut url = url::Url::parse(url).map_err(|error| Error::Transport {
        message: format!("the sandbox gateway's address is not a URL: {error}"),
    })?;
    url.query_pairs_mut()
        .extend_pairs(query.iter().map(|(name, value)| (*name, value.as_str())));
    Ok(url)
}
