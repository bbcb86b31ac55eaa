//! The household service's wire: one JSON document per line, so a person can
//! talk to the service with `socat` and read what passes. A line has a size
//! cap and, once begun, a deadline; a line over the cap or past the deadline
//! ends the connection with an error, and nobody else is disturbed.

use std::io::{self, BufRead, ErrorKind, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The protocol version a client and the service must share (the hello
/// names it; a mismatch is refused with a message saying which is older).
pub const PROTOCOL_VERSION: u32 = 1;
/// The largest request a client may send: a request is a few fields.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;
/// The largest reply a client accepts: a page of history or an export chunk.
pub const MAX_REPLY_BYTES: usize = 32 * 1024 * 1024;
/// How long a line may take once its first byte arrived.
pub const MESSAGE_DEADLINE: Duration = Duration::from_secs(10);
/// How long a connection may stay silent between requests.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// The first message a client sends: the protocol it speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hello {
    pub hello: u32,
    /// The client's name and version, for the service's log.
    pub client: String,
}

/// Every answer: `{"ok": {"reply": ...}}` or `{"error": {"kind": ..., "message": ...}}`;
/// before it, for a call that asked for them, any number of
/// `{"progress": {"stage": ..., "done": ..., "total": ...}}` lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Ok(Box<super::Reply>),
    Error(super::ApiError),
    Progress(super::reply::ProgressView),
}

/// What can go wrong reading or writing one line.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("the other side closed the connection")]
    Closed,
    #[error("the message is larger than {limit} bytes")]
    TooLong { limit: usize },
    #[error("the message did not arrive in time")]
    Timeout,
    /// Nothing at all arrived while waiting for the next message (not an
    /// error in itself: the caller decides how long a connection may idle).
    #[error("no message arrived")]
    Idle,
    #[error("the message is not valid: {0}")]
    Malformed(#[source] serde_json::Error),
    #[error("the connection failed: {0}")]
    Io(#[source] io::Error),
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// Reads one line of at most `limit` bytes (without its newline) from a
/// buffered socket. Waits up to `idle` for the first byte, then up to
/// [`MESSAGE_DEADLINE`] for the rest, however slowly it trickles in.
/// `Ok(None)`: the other side closed the connection between lines.
pub fn read_line(
    reader: &mut io::BufReader<UnixStream>,
    limit: usize,
    idle: Duration,
) -> Result<Option<Vec<u8>>, WireError> {
    read_line_within(reader, limit, idle, MESSAGE_DEADLINE)
}

/// [`read_line`] with a chosen deadline for a begun message.
pub fn read_line_within(
    reader: &mut io::BufReader<UnixStream>,
    limit: usize,
    idle: Duration,
    message_deadline: Duration,
) -> Result<Option<Vec<u8>>, WireError> {
    let mut line = Vec::new();
    let mut deadline: Option<Instant> = None;
    loop {
        let wait = match deadline {
            None => idle,
            Some(at) => at
                .checked_duration_since(Instant::now())
                .filter(|d| !d.is_zero())
                .ok_or(WireError::Timeout)?,
        };
        reader
            .get_ref()
            .set_read_timeout(Some(wait))
            .map_err(WireError::Io)?;
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if is_timeout(&e) && deadline.is_none() => return Err(WireError::Idle),
            Err(e) if is_timeout(&e) => return Err(WireError::Timeout),
            Err(e) => return Err(WireError::Io(e)),
        };
        if available.is_empty() {
            return if line.is_empty() && deadline.is_none() {
                Ok(None)
            } else {
                Err(WireError::Closed)
            };
        }
        deadline.get_or_insert_with(|| Instant::now() + message_deadline);
        let (used, done) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => {
                line.extend_from_slice(&available[..at]);
                (at + 1, true)
            }
            None => {
                line.extend_from_slice(available);
                (available.len(), false)
            }
        };
        reader.consume(used);
        if line.len() > limit {
            return Err(WireError::TooLong { limit });
        }
        if done {
            return Ok(Some(line));
        }
    }
}

/// Reads and decodes one message; `Ok(None)` when the connection closed
/// between messages.
pub fn read_message<T: DeserializeOwned>(
    reader: &mut io::BufReader<UnixStream>,
    limit: usize,
    idle: Duration,
) -> Result<Option<T>, WireError> {
    match read_line(reader, limit, idle)? {
        None => Ok(None),
        Some(line) => serde_json::from_slice(&line)
            .map(Some)
            .map_err(WireError::Malformed),
    }
}

/// Writes one message as a line and flushes it.
pub fn write_message<T: Serialize>(writer: &mut impl Write, value: &T) -> Result<(), WireError> {
    let mut line = serde_json::to_vec(value).map_err(WireError::Malformed)?;
    line.push(b'\n');
    writer.write_all(&line).map_err(|e| {
        if e.kind() == ErrorKind::BrokenPipe {
            WireError::Closed
        } else {
            WireError::Io(e)
        }
    })?;
    writer.flush().map_err(WireError::Io)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    fn pair() -> (UnixStream, BufReader<UnixStream>) {
        let (a, b) = UnixStream::pair().unwrap();
        (a, BufReader::new(b))
    }

    #[test]
    fn lines_are_read_whole_and_capped() {
        let (mut tx, mut rx) = pair();
        tx.write_all(b"{\"a\":1}\n{\"b\":").unwrap();
        let first: Option<serde_json::Value> =
            read_message(&mut rx, 100, Duration::from_secs(1)).unwrap();
        assert_eq!(first, Some(serde_json::json!({"a": 1})));
        tx.write_all(b"2}\n").unwrap();
        let second: Option<serde_json::Value> =
            read_message(&mut rx, 100, Duration::from_secs(1)).unwrap();
        assert_eq!(second, Some(serde_json::json!({"b": 2})));
        tx.write_all(&[b'x'; 200]).unwrap();
        tx.write_all(b"\n").unwrap();
        assert!(matches!(
            read_line(&mut rx, 100, Duration::from_secs(1)),
            Err(WireError::TooLong { limit: 100 })
        ));
    }

    #[test]
    fn a_closed_connection_between_lines_is_not_an_error() {
        let (tx, mut rx) = pair();
        drop(tx);
        assert!(matches!(
            read_line(&mut rx, 100, Duration::from_secs(1)),
            Ok(None)
        ));
    }

    #[test]
    fn garbage_is_malformed_and_silence_times_out() {
        let (mut tx, mut rx) = pair();
        tx.write_all(b"not json\n").unwrap();
        let bad: Result<Option<serde_json::Value>, _> =
            read_message(&mut rx, 100, Duration::from_secs(1));
        assert!(matches!(bad, Err(WireError::Malformed(_))));
        assert!(matches!(
            read_line(&mut rx, 100, Duration::from_millis(50)),
            Err(WireError::Idle)
        ));
        // Once a message has begun, silence is a timeout.
        tx.write_all(b"{\"a\":").unwrap();
        assert!(matches!(
            read_line_within(
                &mut rx,
                100,
                Duration::from_millis(50),
                Duration::from_millis(100)
            ),
            Err(WireError::Timeout)
        ));
    }
}
