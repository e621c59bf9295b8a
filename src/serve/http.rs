//! The dev server's HTTP/1.1 layer: GET and HEAD with keep-alive, and nothing more. Everything a
//! client can make it hold is bounded: open connections (one thread each), the size of a
//! request head, and the time a connection may stay idle.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Open connections at once (event streams included); one more gets 503 and is closed.
pub const MAX_CONNECTIONS: usize = 256;
/// A request head (request line and headers) longer than this gets 431.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// A connection that sends nothing for this long is closed (also a half-sent head).
const IDLE: Duration = Duration::from_secs(10);

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
    let open = Arc::new(AtomicUsize::new(0));
    let (refused, lingering) = std::sync::mpsc::channel();
    std::thread::spawn(move || linger(&lingering));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let _ = stream.set_nodelay(true);
        if open.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            let _ = stream.set_nonblocking(true);
            let _ = write_response(&mut stream, 503, &[], b"too many connections", false, true);
            let _ = stream.shutdown(std::net::Shutdown::Write);
            let _ = refused.send(stream);
            continue;
        }
        open.fetch_add(1, Ordering::SeqCst);
        let (handler, open) = (Arc::clone(&handler), Arc::clone(&open));
        std::thread::spawn(move || {
            connection(stream, handler.as_ref());
            open.fetch_sub(1, Ordering::SeqCst);
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

/// Answers the requests of one connection until it closes, errs or idles.
fn connection(stream: TcpStream, handler: &(dyn Fn(&Request) -> Reply + Send + Sync)) {
    let _ = stream.set_read_timeout(Some(IDLE));
    let _ = stream.set_write_timeout(Some(IDLE));
    let Ok(read_half) = stream.try_clone() else { return };
    let mut reader = BufReader::new(read_half);
    let mut stream = stream;
    loop {
        let head = match read_head(&mut reader) {
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
/// requests, `Err(status)` when the head is too long or the connection failed mid-head.
fn read_head(reader: &mut BufReader<TcpStream>) -> Result<Option<Vec<u8>>, u16> {
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        // `take` bounds what one line may hold in memory, however it is sent.
        let limit = (MAX_HEAD_BYTES + 1 - head.len().min(MAX_HEAD_BYTES)) as u64;
        let n = reader.by_ref().take(limit).read_until(b'\n', &mut line).map_err(|_| 408u16)?;
        if n == 0 {
            return if head.is_empty() { Ok(None) } else { Err(400) };
        }
        head.extend_from_slice(&line);
        if head.len() > MAX_HEAD_BYTES {
            return Err(431);
        }
        if line == b"\r\n" || line == b"\n" {
            if head.len() == line.len() {
                // Blank lines before a request line are allowed (RFC 9112, 2.2).
                head.clear();
                continue;
            }
            return Ok(Some(head));
        }
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
