//! `portal serve`: builds the site, serves the output folder on 127.0.0.1, watches the sources,
//! rebuilds on change and tells open pages to reload (server-sent events). A failed rebuild
//! keeps the last good site on disk and shows its errors in an overlay on every open page.

pub mod disk;
pub mod files;
pub mod http;
pub mod incremental;
mod stages;

use std::collections::BTreeSet;
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use crate::error::{Error, Result};
use files::{mime_type, resolve, Resolved};
use http::Reply;
use incremental::{Engine, Outcome};

const RELOAD_JS: &str = include_str!("reload.js");
/// Open pages listening for reloads (each holds a connection of `http::MAX_CONNECTIONS`).
const MAX_EVENT_STREAMS: usize = 64;
const MAX_URL_BYTES: usize = 4096;
/// Editors save in bursts (write, rename, chmod): wait this long for the burst to end.
const DEBOUNCE: Duration = Duration::from_millis(40);
/// The wait after a file was closed from writing: only what belongs to the same save remains.
const DEBOUNCE_AFTER_CLOSE: Duration = Duration::from_millis(5);

/// Paths that changed, as the watcher reports them.
struct Change {
    paths: Vec<PathBuf>,
    /// The event was a file closed after writing.
    closed: bool,
}

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub output: PathBuf,
    pub bind: String,
    pub port: u16,
    pub open: bool,
    /// Replace an output folder that no build wrote (never the sources).
    pub force: bool,
}

/// The outcome of the last build, as open pages need to know it.
#[derive(Default)]
struct State {
    failed: Option<Vec<String>>,
    streams: Vec<Sender<String>>,
}

impl State {
    fn broadcast(&mut self, event: &str) {
        self.streams.retain(|s| s.send(event.to_string()).is_ok());
    }

    fn current_event(&self) -> String {
        match &self.failed {
            Some(lines) => format!("event: failed\ndata: {}\n\n", serde_json::Value::from(lines.clone())),
            None => "event: ok\ndata: {}\n\n".to_string(),
        }
    }
}

/// Builds, then serves until the process is stopped.
pub fn serve(options: &ServeOptions) -> Result<()> {
    // Watched paths are compared with the site's folders: both in one canonical form.
    let root = options.root.canonicalize().map_err(|e| Error::io(&options.root, e))?;
    crate::output::guard::check_destination(&root, &options.output, options.force)?;
    let mut engine = Engine::new(&root, &options.output);
    let first = locked(&root, &options.output, || engine.rebuild(None));
    eprintln!("portal: {}", first.line);
    for l in first.failed.iter().flatten() {
        eprintln!("{l}");
    }
    std::fs::create_dir_all(&options.output).map_err(|e| Error::io(&options.output, e))?;
    let output = options.output.canonicalize().map_err(|e| Error::io(&options.output, e))?;
    let state = Arc::new(Mutex::new(State { failed: first.failed, streams: Vec::new() }));

    let listener = std::net::TcpListener::bind((options.bind.as_str(), options.port))
        .map_err(|e| Error::Usage(format!("cannot listen on {}:{}: {e}", options.bind, options.port)))?;
    let address = listener
        .local_addr()
        .map_or_else(|_| format!("{}:{}", options.bind, options.port), |a: SocketAddr| a.to_string());
    // The first stdout line is the address: tests (and scripts) read it to find a port-0 server.
    println!("serving http://{address}/");
    eprintln!("portal: serving {} at http://{address}/ (Ctrl+C stops)", options.output.display());
    if options.open {
        let _ = std::process::Command::new("xdg-open").arg(format!("http://{address}/")).spawn();
    }

    let watcher = watch(&root, engine, Arc::clone(&state))?;
    http::run(listener, move |request| handle(request, &output, &state));
    drop(watcher);
    Ok(())
}

/// Watches the site's sources; each burst of changes triggers one rebuild.
fn watch(root: &Path, engine: Engine, state: Arc<Mutex<State>>) -> Result<notify::RecommendedWatcher> {
    let (tx, rx) = channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        use notify::event::{AccessKind, AccessMode, EventKind};
        let Ok(event) = event else { return };
        match event.kind {
            // A file closed after writing is complete: the burst is probably over.
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                let _ = tx.send(Change { paths: event.paths, closed: true });
            }
            // Reads (the build's own, an editor opening a file) are not changes.
            EventKind::Access(_) => {}
            _ => {
                let _ = tx.send(Change { paths: event.paths, closed: false });
            }
        }
    })
    .map_err(|e| Error::Usage(format!("cannot watch files: {e}")))?;
    for dir in ["content", "themes", "i18n"] {
        let path = root.join(dir);
        if path.is_dir() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .map_err(|e| Error::Usage(format!("cannot watch {}: {e}", path.display())))?;
        }
    }
    // portal.toml may be replaced by an editor (save via rename): watch its folder, not the file.
    watcher
        .watch(root, RecursiveMode::NonRecursive)
        .map_err(|e| Error::Usage(format!("cannot watch {}: {e}", root.display())))?;
    let root = root.to_path_buf();
    std::thread::spawn(move || rebuild_loop(&rx, engine, &state, &root));
    Ok(watcher)
}

/// The paths of a change that can matter: not editor droppings, and at the top level only
/// `portal.toml` (the output folder and caches may live there too).
fn relevant(paths: Vec<PathBuf>, root: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    let config = root.join("portal.toml");
    paths.into_iter().filter(move |p| {
        let name = p.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
        !crate::content::load::is_ignored(&name) && (*p == config || p.parent() != Some(root))
    })
}

/// Rebuilds after each burst of changes; when no change waits, brings the search index up to
/// date (pages reload first: the index of a large language takes a second or more).
fn rebuild_loop(rx: &Receiver<Change>, mut engine: Engine, state: &Mutex<State>, root: &Path) {
    let output = engine.output().to_path_buf();
    loop {
        let first = if engine.search_pending() {
            match rx.try_recv() {
                Ok(paths) => paths,
                Err(TryRecvError::Empty) => {
                    if let Some(outcome) = locked(root, &output, || engine.update_search()) {
                        report(state, &outcome, "search");
                    }
                    continue;
                }
                Err(TryRecvError::Disconnected) => return,
            }
        } else {
            match rx.recv() {
                Ok(paths) => paths,
                Err(_) => return,
            }
        };
        let mut wait = if first.closed { DEBOUNCE_AFTER_CLOSE } else { DEBOUNCE };
        let mut changed: BTreeSet<PathBuf> = relevant(first.paths, root).collect();
        loop {
            match rx.recv_timeout(wait) {
                Ok(more) => {
                    // A close ends a write; any other event (a rename, a new file) may be followed by more.
                    wait = if more.closed { DEBOUNCE_AFTER_CLOSE } else { DEBOUNCE };
                    changed.extend(relevant(more.paths, root));
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        if changed.is_empty() {
            continue;
        }
        let outcome = locked(root, &output, || engine.rebuild(Some(&changed)));
        report(state, &outcome, "reload");
    }
}

/// Runs `work` holding the site's build lock, so that a `portal build` of the same site or
/// folder never writes at the same time (see `output::lock`).
fn locked<T>(root: &Path, output: &Path, work: impl FnOnce() -> T) -> T {
    let lock = crate::output::lock::BuildLock::acquire(root, output, &|held| {
        eprintln!("portal: another build is using {}; waiting for it to finish", held.display());
    });
    if let Err(e) = &lock {
        // Without a temporary folder there is no lock to take; serving must go on regardless.
        eprintln!("portal: warning: cannot take the build lock: {e}");
    }
    let value = work();
    drop(lock);
    value
}

/// Logs an outcome and tells the open pages: `event` when it succeeded, the errors if not.
fn report(state: &Mutex<State>, outcome: &Outcome, event: &str) {
    eprintln!("portal: {}", outcome.line);
    for l in outcome.failed.iter().flatten() {
        eprintln!("{l}");
    }
    let Ok(mut state) = state.lock() else { return };
    state.failed = outcome.failed.clone();
    match &state.failed {
        None => state.broadcast(&format!("event: {event}\ndata: {{}}\n\n")),
        Some(_) => {
            let event = state.current_event();
            state.broadcast(&event);
        }
    }
}

fn handle(request: &http::Request, output: &Path, state: &Arc<Mutex<State>>) -> Reply {
    if !matches!(request.method.as_str(), "GET" | "HEAD") {
        return Reply::Response {
            status: 405,
            headers: vec![("Allow", "GET, HEAD".into())],
            body: b"method not allowed".to_vec(),
        };
    }
    let url = &request.target;
    if url.len() > MAX_URL_BYTES {
        return Reply::text(414, "URI too long");
    }
    match url.split('?').next().unwrap_or("") {
        "/__portal/reload.js" => {
            return Reply::Response {
                status: 200,
                headers: vec![("Content-Type", "text/javascript; charset=utf-8".into())],
                body: RELOAD_JS.as_bytes().to_vec(),
            };
        }
        "/__portal/events" => {
            let (tx, rx) = channel();
            let Ok(mut s) = state.lock() else { return Reply::text(503, "server stopping") };
            if s.streams.len() >= MAX_EVENT_STREAMS {
                return Reply::text(503, "too many open pages");
            }
            let _ = tx.send(s.current_event());
            s.streams.push(tx);
            return Reply::Upgrade(Box::new(move |stream| stream_events(stream, &rx)));
        }
        _ => {}
    }
    let (status, path) = match resolve(output, url) {
        Resolved::File(path) => (200, Some(path)),
        Resolved::NotFound => (404, Some(output.join("404.html")).filter(|p| p.is_file())),
        Resolved::Forbidden => (403, None),
    };
    let Some(path) = path else {
        return Reply::text(status, if status == 403 { "forbidden" } else { "not found" });
    };
    let Ok(mut bytes) = std::fs::read(&path) else {
        return Reply::text(404, "not found");
    };
    let mime = mime_type(&path);
    if mime.starts_with("text/html") {
        bytes = inject_reload(bytes);
    }
    Reply::Response {
        status,
        headers: vec![
            ("Content-Type", mime.into()),
            ("Cache-Control", "no-cache".into()),
            ("X-Content-Type-Options", "nosniff".into()),
        ],
        body: bytes,
    }
}

/// Writes one page's event stream straight to its connection: an event must reach the page
/// the moment it happens.
fn stream_events(mut stream: TcpStream, rx: &Receiver<String>) {
    let head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    if stream.write_all(head.as_bytes()).and_then(|()| stream.flush()).is_err() {
        return;
    }
    loop {
        let event = match rx.recv_timeout(Duration::from_secs(15)) {
            Ok(event) => event,
            // A comment line keeps the connection alive and finds pages that were closed.
            Err(RecvTimeoutError::Timeout) => ": keep-alive\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if stream.write_all(event.as_bytes()).and_then(|()| stream.flush()).is_err() {
            return;
        }
    }
}

/// Adds the live-reload script to a page as it is served; the files on disk stay as built.
fn inject_reload(html: Vec<u8>) -> Vec<u8> {
    let tag = b"<script src=\"/__portal/reload.js\" defer></script>\n";
    match html.windows(7).position(|w| w == b"</head>") {
        Some(i) => [&html[..i], tag.as_slice(), &html[i..]].concat(),
        None => html,
    }
}
