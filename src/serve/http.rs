//! The dev server's HTTP/1.1 layer: GET and HEAD with keep-alive, and nothing more. Everything a
//! client can make it hold is bounded: open connections (one thread each), the size of a
//! request head, the time a connection may stay idle and the time a whole request head may
//! take. When every connection is taken, the one that has waited longest for a request head is
//! closed to make room: clients that hold sockets open without asking for anything cannot lock
//! out a reader.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Open connections at once (event streams included); one more gets 503 and is closed.
pub const MAX_CONNECTIONS: usize = 256;
/// A request head (request line and headers) longer than this gets 431.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// A connection that sends nothing for this long is closed (also a half-sent head).
const IDLE: Duration = Duration::from_secs(10);
/// A request head must be complete this long after its first byte, however slowly it trickles.
const HEAD_DEADLINE: Duration = Duration::from_secs(10);

/// The open connections and, for each, since when it has been waiting for a request head
/// (`None` while it answers a request or streams events). When full, the longest waiting is
/// closed for a new one.
#[derive(Default)]
struct Connections {
    next_id: u64,
    open: std::collections::BTreeMap<u64, (TcpStream, Option<Instant>)>,
}

impl Connections {
    /// Makes room for one more connection if every slot is taken: closes the one that has waited
    /// longest for a request head. False if none waits (all are busy): the new one is refused.
    fn make_room(&mut self) -> bool {
        if self.open.len() < MAX_CONNECTIONS {
            return true;
        }
        let oldest = self.open.iter().filter_map(|(id, (_, since))| since.map(|s| (s, *id))).min();
        match oldest {
            Some((_, id)) => {
                if let Some((stream, _)) = self.open.remove(&id) {
                    let _ = stream.shutdown(std::net::Shutdown::Both);
                }
                true
            }
            None => false,
        }
    }
}

type Shared = Arc<Mutex<Connections>>;

fn lock(connections: &Shared) -> std::sync::MutexGuard<'_, Connections> {
    connections.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A parsed request head.
pub struct Request {
    pub method: String,
    pub target: String,
}

/// What the handler answers.
pub enum Reply {
    Response {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// Takes over the connection (event streams), after the head is read.
    Upgrade(Box<dyn FnOnce(TcpStream) + Send>),
}

impl Reply {
    pub fn text(status: u16, body: &str) -> Reply {
        Reply::Response {
            status,
            headers: vec![("Content-Type", "text/plain; charset=utf-8".into())],
            body: body.as_bytes().to_vec(),
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Accepts connections until the listener fails, each on a thread of its own, at most
/// `MAX_CONNECTIONS` at once.
pub fn run<H>(listener: TcpListener, handler: H)
where
    H: Fn(&Request) -> Reply + Send + Sync + 'static,
{
    let handler = Arc::new(handler);
    let connections: Shared = Arc::default();
    let (refused, lingering) = std::sync::mpsc::channel();
    std::thread::spawn(move || linger(&lingering));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let _ = stream.set_nodelay(true);
        let registered = {
            let mut all = lock(&connections);
            match stream.try_clone() {
                Ok(handle) if all.make_room() => {
                    let id = all.next_id;
                    all.next_id += 1;
                    all.open.insert(id, (handle, Some(Instant::now())));
                    Some(id)
                }
                _ => None,
            }
        };
        let Some(id) = registered else {
            let _ = stream.set_nonblocking(true);
            let _ = write_response(&mut stream, 503, &[], b"too many connections", false, true);
            let _ = stream.shutdown(std::net::Shutdown::Write);
            let _ = refused.send(stream);
            continue;
        };
        let (handler, connections) = (Arc::clone(&handler), Arc::clone(&connections));
        std::thread::spawn(move || {
            connection(stream, handler.as_ref(), &|waiting| {
                if let Some(entry) = lock(&connections).open.get_mut(&id) {
                    entry.1 = waiting.then(Instant::now);
                }
            });
            lock(&connections).open.remove(&id);
        });
    }
}

/// Holds refused connections a moment, reading what their clients send, before closing them:
/// closing a socket with unread data resets it, and the client could lose the 503 before
/// reading it. One thread for all of them, each for at most `LINGER`, at most `MAX_LINGERING`.
fn linger(incoming: &std::sync::mpsc::Receiver<TcpStream>) {
    const LINGER: Duration = Duration::from_millis(500);
    const MAX_LINGERING: usize = 256;
    let mut held: Vec<(TcpStream, std::time::Instant)> = Vec::new();
    loop {
        match incoming.recv_timeout(Duration::from_millis(20)) {
            Ok(stream) => {
                if held.len() >= MAX_LINGERING {
                    held.remove(0);
                }
                held.push((stream, std::time::Instant::now() + LINGER));
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
        }
        let mut buf = [0u8; 4096];
        held.retain_mut(|(stream, until)| {
            // Drained to the client's close (0) or an error: done; would block: keep waiting.
            let open = loop {
                match stream.read(&mut buf) {
                    Ok(0) => break false,
                    Ok(_) => {}
                    Err(e) => break e.kind() == std::io::ErrorKind::WouldBlock,
                }
            };
            open && std::time::Instant::now() < *until
        });
    }
}

/// Answers the requests of one connection until it closes, errs or idles. `waiting(true)` says
/// it waits for a request head (it may be closed to make room), `waiting(false)` that it is busy.
fn connection(stream: TcpStream, handler: &(dyn Fn(&Request) -> Reply + Send + Sync), waiting: &dyn Fn(bool)) {
    let _ = stream.set_read_timeout(Some(IDLE));
    let _ = stream.set_write_timeout(Some(IDLE));
    let Ok(read_half) = stream.try_clone() else { return };
    let mut reader = BufReader::new(read_half);
    let mut stream = stream;
    loop {
        waiting(true);
        let head = read_head(&mut reader);
        waiting(false);
        let head = match head {
            Ok(Some(head)) => head,
            Ok(None) => return,
            Err(status) => {
                let _ = write_response(&mut stream, status, &[], reason(status).as_bytes(), false, true);
                return;
            }
        };
        let Some((request, keep_alive, has_body)) = parse_head(&head) else {
            let _ = write_response(&mut stream, 400, &[], b"bad request", false, true);
            return;
        };
        if has_body {
            // No request here has a body; reading one only to drop it is not worth a bound.
            let _ = write_response(&mut stream, 413, &[], b"request bodies are not accepted", false, true);
            return;
        }
        match handler(&request) {
            Reply::Response { status, headers, body } => {
                let head_only = request.method == "HEAD";
                if write_response(&mut stream, status, &headers, &body, head_only, !keep_alive).is_err() || !keep_alive
                {
                    return;
                }
            }
            Reply::Upgrade(take) => {
                let _ = stream.set_read_timeout(None);
                take(stream);
                return;
            }
        }
    }
}

/// Reads one request head (up to the blank line); `None` when the client closed between
/// requests, `Err(status)` when the head is too long, too slow (`HEAD_DEADLINE` after its first
/// byte) or the connection failed mid-head.
fn read_head(reader: &mut BufReader<TcpStream>) -> Result<Option<Vec<u8>>, u16> {
    let mut head: Vec<u8> = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    let mut deadline: Option<Instant> = None;
    loop {
        // Every wait for bytes ends at the deadline: a client trickling one byte at a time
        // cannot stretch the head past it (a timeout per read alone would let it).
        let wait = match deadline {
            None => IDLE,
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(408);
                }
                left.min(IDLE)
            }
        };
        let _ = reader.get_ref().set_read_timeout(Some(wait));
        let available = reader.fill_buf().map_err(|_| 408u16)?;
        if available.is_empty() {
            return if head.is_empty() && line.is_empty() { Ok(None) } else { Err(400) };
        }
        deadline.get_or_insert_with(|| Instant::now() + HEAD_DEADLINE);
        let (taken, line_done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        line.extend_from_slice(&available[..taken]);
        reader.consume(taken);
        if head.len() + line.len() > MAX_HEAD_BYTES {
            return Err(431);
        }
        if !line_done {
            continue;
        }
        if line == b"\r\n" || line == b"\n" {
            if head.is_empty() {
                // Blank lines before a request line are allowed (RFC 9112, 2.2).
                line.clear();
                continue;
            }
            head.append(&mut line);
            return Ok(Some(head));
        }
        head.append(&mut line);
    }
}

/// The request, whether the connection stays open after it, and whether a body follows.
fn parse_head(head: &[u8]) -> Option<(Request, bool, bool)> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.lines();
    let mut parts = lines.next()?.split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !version.starts_with("HTTP/1.") || !target.starts_with('/') {
        return None;
    }
    let mut keep_alive = version == "HTTP/1.1";
    let mut has_body = false;
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "connection" if value.eq_ignore_ascii_case("close") => keep_alive = false,
            "connection" if value.eq_ignore_ascii_case("keep-alive") => keep_alive = true,
            "content-length" => has_body |= value != "0",
            "transfer-encoding" => has_body = true,
            _ => {}
        }
    }
    Some((Request { method: method.to_string(), target: target.to_string() }, keep_alive, has_body))
}

/// Writes a whole response in one write (head and body together: no small trailing segment
/// waits for the client's delayed ACK).
fn write_response(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(&'static str, String)],
    body: &[u8],
    head_only: bool,
    close: bool,
) -> std::io::Result<()> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    if close {
        out.push_str("Connection: close\r\n");
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    if !head_only {
        bytes.extend_from_slice(body);
    }
    stream.write_all(&bytes)?;
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_parsed_with_their_connection_and_body() {
        let (r, keep, body) = parse_head(b"GET /a.html HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        assert_eq!((r.method.as_str(), r.target.as_str(), keep, body), ("GET", "/a.html", true, false));
        let (_, keep, _) = parse_head(b"GET / HTTP/1.0\r\n\r\n").unwrap();
        assert!(!keep);
        let (_, _, body) = parse_head(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n").unwrap();
        assert!(body);
        assert!(parse_head(b"GET http://x/ HTTP/1.1\r\n\r\n").is_none());
        assert!(parse_head(b"nonsense\r\n\r\n").is_none());
    }
}
