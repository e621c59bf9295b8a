//! `portal serve`: a real server on port 0, fetched over TCP; edits observed through the event
//! stream; traversal refused; a broken edit reported and cleared.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::SiteTest;

struct Server {
    child: Child,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(t: &SiteTest) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(["serve", "--port", "0", "--root"])
        .arg(&t.root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let address = line.trim().strip_prefix("serving http://").unwrap().trim_end_matches('/').to_string();
    assert!(address.starts_with("127.0.0.1:"), "binds to loopback by default: {address}");
    Server { child, address }
}

/// A raw HTTP/1.0 request; returns (status, whole response text).
fn request(address: &str, method: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(stream, "{method} {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, text)
}

/// Reads the event stream until `want` appears (or fails after a timeout).
fn wait_for_event(events: &mut BufReader<TcpStream>, want: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = String::new();
    while Instant::now() < deadline {
        let mut line = String::new();
        match events.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => {
                seen.push_str(&line);
                if seen.contains(want) {
                    // The data line follows the event line.
                    let mut data = String::new();
                    let _ = events.read_line(&mut data);
                    return data;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(e) => panic!("event stream: {e}"),
        }
    }
    panic!("no `{want}` event; saw:\n{seen}");
}

/// Reads events until none has come for `quiet` (at most 30 s).
fn wait_for_quiet(events: &mut BufReader<TcpStream>, quiet: Duration) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = Instant::now();
    while Instant::now() < deadline && last.elapsed() < quiet {
        let mut line = String::new();
        match events.read_line(&mut line) {
            Ok(n) if n > 0 && !line.starts_with(':') && !line.trim().is_empty() => last = Instant::now(),
            Ok(0) => return,
            _ => {}
        }
    }
}

fn open_events(address: &str) -> BufReader<TcpStream> {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    write!(stream, "GET /__portal/events HTTP/1.1\r\nHost: {address}\r\n\r\n").unwrap();
    BufReader::new(stream)
}

#[test]
fn serves_the_site_with_types_404_and_head() {
    let t = SiteTest::fixture("basic");
    let server = start(&t);
    let (status, page) = request(&server.address, "GET", "/en/guidance/backups.html");
    assert_eq!(status, 200);
    assert!(page.contains("Content-Type: text/html; charset=utf-8"));
    assert!(page.contains("<script src=\"/__portal/reload.js\" defer></script>"), "live reload injected");
    assert!(!t.read("en/guidance/backups.html").contains("__portal"), "the files on disk stay as built");
    let (status, css) = request(&server.address, "GET", "/assets/css/site.css");
    assert_eq!(status, 200);
    assert!(css.contains("Content-Type: text/css"));
    let (status, head) = request(&server.address, "HEAD", "/en/index.html");
    assert_eq!(status, 200);
    assert!(!head.contains("<html"), "HEAD has no body");
    let (status, missing) = request(&server.address, "GET", "/en/nope.html");
    assert_eq!(status, 404);
    assert!(missing.contains("<html"), "the site's 404 page");
    assert_eq!(request(&server.address, "POST", "/en/index.html").0, 405);
}

#[test]
fn traversal_attempts_are_refused() {
    let t = SiteTest::fixture("basic");
    std::fs::write(t.root.join("secret.txt"), "do not serve").unwrap();
    let server = start(&t);
    for path in [
        "/../secret.txt",
        "/en/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "//etc/passwd",
        "/..%5csecret.txt",
    ] {
        let (status, body) = request(&server.address, "GET", path);
        assert!(status == 403 || status == 404, "{path}: {status}");
        assert!(!body.contains("do not serve") && !body.contains("root:"), "{path} leaked");
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(t.root.join("secret.txt"), t.public().join("link.txt")).unwrap();
        assert_eq!(request(&server.address, "GET", "/link.txt").0, 403);
    }
}

#[test]
fn edits_reload_and_broken_edits_show_then_clear() {
    let t = SiteTest::fixture("basic");
    let server = start(&t);
    let mut events = open_events(&server.address);
    wait_for_event(&mut events, "event: ok");

    let page = t.root.join("content/en/guidance/updates.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, text.replace("Patch things.", "Patch everything, today.")).unwrap();
    wait_for_event(&mut events, "event: reload");
    let (_, body) = request(&server.address, "GET", "/en/guidance/updates.html");
    assert!(body.contains("Patch everything, today."));

    t.write("content/en/broken.md", "+++\ntitle = \"Broken\"\n+++\nSee [x](missing.md).\n");
    let data = wait_for_event(&mut events, "event: failed");
    assert!(data.contains("content/en/broken.md:4:5: error: broken link"), "{data}");
    let (status, body) = request(&server.address, "GET", "/en/guidance/updates.html");
    assert_eq!(status, 200, "the last good site is still served");
    assert!(body.contains("Patch everything, today."));

    std::fs::remove_file(t.root.join("content/en/broken.md")).unwrap();
    wait_for_event(&mut events, "event: reload");
}

/// Replaces `from` with `to` in a file of the site (the edit must apply).
fn replace_in(t: &SiteTest, rel: &str, from: &str, to: &str) {
    let p = t.root.join(rel);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{rel} has no `{from}`");
    std::fs::write(&p, text.replace(from, to)).unwrap();
}

/// A change made to the site's sources.
type Edit<'a> = Box<dyn Fn() + 'a>;

#[test]
fn after_a_sequence_of_edits_the_served_output_equals_a_full_build() {
    // Whatever `serve` rebuilds after each change (body edits take a fast path that re-renders
    // only the pages they touch), the result must be what a fresh build of the same sources
    // gives, byte for byte.
    let t = SiteTest::fixture("basic");
    let server = start(&t);
    let mut events = open_events(&server.address);
    wait_for_event(&mut events, "event: ok");
    let edits: Vec<(&str, Edit)> = vec![
        // Body only: a source page with a translation (stale notice) and fallbacks.
        ("reload", Box::new(|| replace_in(&t, "content/en/guidance/backups.md", "protect you.", "protect you well."))),
        ("reload", Box::new(|| replace_in(&t, "content/en/news/plan.md", "15 January", "the 15th of January"))),
        ("reload", Box::new(|| replace_in(&t, "content/en/tools/check.md", "Restore one file", "Restore two files"))),
        // Saved the way many editors save: a temporary file renamed over the page.
        (
            "reload",
            Box::new(|| {
                let text = std::fs::read_to_string(t.root.join("content/en/guidance/updates.md")).unwrap();
                t.write("content/en/guidance/4913", &text.replace("Patch things.", "Patch things now."));
                std::fs::rename(t.root.join("content/en/guidance/4913"), t.root.join("content/en/guidance/updates.md"))
                    .unwrap();
            }),
        ),
        // A renamed heading breaks an anchor elsewhere; the fix comes after the failure.
        ("failed", Box::new(|| replace_in(&t, "content/en/guidance/updates.md", "## What to do", "## Steps"))),
        (
            "reload",
            Box::new(|| replace_in(&t, "content/en/guidance/backups.md", "updates.md#what-to-do", "updates.md#steps")),
        ),
        (
            "reload",
            Box::new(|| replace_in(&t, "content/en/guidance/updates.md", "Patch things now.", "Patch all things.")),
        ),
        // Front matter shown in listings, and a UI string.
        (
            "reload",
            Box::new(|| {
                replace_in(&t, "content/en/guidance/backups.md", "Keep one copy offline.", "Keep two copies offline.")
            }),
        ),
        ("reload", Box::new(|| replace_in(&t, "i18n/it.toml", "Tutte le pagine di questa", "Ogni pagina di questa"))),
        (
            "reload",
            Box::new(|| {
                t.write(
                    "content/en/guidance/new.md",
                    "+++\ntitle = \"New page\"\nkind = \"guidance\"\nweight = 3\n+++\nFresh text.\n",
                )
            }),
        ),
        ("reload", Box::new(|| replace_in(&t, "content/en/guidance/new.md", "Fresh text.", "Fresh text, edited."))),
        (
            "reload",
            Box::new(|| {
                replace_in(&t, "content/en/guidance/updates.md", "title = \"Updates\"", "title = \"Software updates\"")
            }),
        ),
        (
            "reload",
            Box::new(|| {
                std::fs::rename(
                    t.root.join("content/en/guidance/new.md"),
                    t.root.join("content/en/guidance/renamed.md"),
                )
                .unwrap()
            }),
        ),
        ("reload", Box::new(|| std::fs::remove_file(t.root.join("content/en/news/later.md")).unwrap())),
        (
            "reload",
            Box::new(|| {
                replace_in(
                    &t,
                    "themes/default/templates/page.html",
                    "<div class=\"layout\">",
                    "<div class=\"layout\" data-edited=\"yes\">",
                )
            }),
        ),
        ("reload", Box::new(|| t.write("content/nl/_index.md", "+++\ntitle = \"Welkom\"\n+++\nHallo.\n"))),
    ];
    for (event, edit) in &edits {
        edit();
        wait_for_event(&mut events, &format!("event: {event}"));
    }
    // A rename or a new folder can make two rebuilds, and the search index follows the pages:
    // wait until the server has been quiet.
    wait_for_quiet(&mut events, Duration::from_millis(1500));
    let fresh = t.root.join("fresh");
    let out = t.run(&["build", "--output", fresh.to_str().unwrap()]);
    assert!(out.status.success(), "{}", crate::support::stderr(&out));
    let served = crate::support::snapshot(&t.public());
    let built = crate::support::snapshot(&fresh);
    assert_eq!(served.keys().collect::<Vec<_>>(), built.keys().collect::<Vec<_>>(), "the same files");
    for (path, bytes) in &served {
        assert!(bytes == &built[path], "{path} differs from a full build");
    }
    assert!(t.read("en/guidance/renamed.html").contains("Fresh text, edited."));
    assert!(t.read("en/guidance/backups.html").contains("protect you well."));
    assert!(t.read("it/news/plan.html").contains("the 15th of January"), "fallbacks follow their source");
    assert!(t.read("en/guidance/index.html").contains("Keep two copies offline."));
    assert!(!t.public().join("en/guidance/new.html").exists());
    assert!(!t.public().join("en/news/later.html").exists());
    assert!(t.read("nl/index.html").contains("Welkom"));
    assert!(t.read("en/guidance/backups.html").contains("data-edited=\"yes\""));
}

#[test]
fn over_long_urls_and_too_many_event_streams_are_refused() {
    let t = SiteTest::fixture("basic");
    let server = start(&t);
    let long = format!("/{}", "a".repeat(5000));
    assert_eq!(request(&server.address, "GET", &long).0, 414);
    // Every open page holds a stream; past the bound a page gets 503, not another thread.
    let mut streams: Vec<BufReader<TcpStream>> = Vec::new();
    for _ in 0..64 {
        let mut s = open_events(&server.address);
        wait_for_event(&mut s, "event: ok");
        streams.push(s);
    }
    assert_eq!(request(&server.address, "GET", "/__portal/events").0, 503);
    assert_eq!(request(&server.address, "GET", "/en/index.html").0, 200, "pages are still served");
}

#[test]
fn over_long_heads_are_refused_and_idle_connections_make_room() {
    let t = SiteTest::fixture("basic");
    let server = start(&t);
    let mut stream = TcpStream::connect(&server.address).unwrap();
    write!(stream, "GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(20_000)).unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    assert!(response.starts_with("HTTP/1.1 431"), "{}", &response[..response.len().min(80)]);
    // Clients holding every connection open without asking for anything do not lock a reader
    // out: the connection that has waited longest for a request is closed to make room.
    let idle: Vec<TcpStream> = (0..256).map(|_| TcpStream::connect(&server.address).unwrap()).collect();
    for _ in 0..3 {
        assert_eq!(request(&server.address, "GET", "/en/index.html").0, 200, "served while 256 sockets idle");
    }
    drop(idle);
}

#[test]
fn a_request_head_trickled_byte_by_byte_is_cut_off_at_its_deadline() {
    let t = SiteTest::fixture("basic");
    let server = start(&t);
    let mut stream = TcpStream::connect(&server.address).unwrap();
    stream.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    let started = Instant::now();
    let head = b"GET /en/index.html HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    let mut response = Vec::new();
    // One byte every 400 ms: each read is quick, the head as a whole would take 30 s.
    for byte in head.iter() {
        if stream.write_all(&[*byte]).is_err() {
            break;
        }
        let mut buf = [0u8; 512];
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                response.extend_from_slice(&buf[..n]);
                break;
            }
            Err(_) => {}
        }
        std::thread::sleep(Duration::from_millis(300));
        assert!(started.elapsed() < Duration::from_secs(20), "the trickling client is still connected after 20 s");
    }
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 408 Request Timeout"), "{text}");
    assert!(started.elapsed() >= Duration::from_secs(9), "cut off early: {:?}", started.elapsed());
}

/// The HTML pages of an output folder.
fn pages(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    crate::support::snapshot(dir).into_iter().filter(|(p, _)| p.ends_with(".html")).collect()
}

/// The rebuild engine of `serve`, driven in-process on a copy of the basic fixture.
struct EngineTest {
    t: SiteTest,
    root: std::path::PathBuf,
    public: std::path::PathBuf,
    engine: health_cyber_portal::serve::incremental::Engine,
    /// How many pages the first build rendered (all of them).
    every_page: usize,
}

impl EngineTest {
    fn start() -> EngineTest {
        let t = SiteTest::fixture("basic");
        let root = t.root.canonicalize().unwrap();
        let public = root.join("public");
        let mut engine = health_cyber_portal::serve::incremental::Engine::new(&root, &public);
        let first = engine.rebuild(None);
        assert!(first.failed.is_none(), "{:?}", first.failed);
        let every_page = first.rendered.len();
        assert_eq!(every_page, pages(&public).len(), "a first build renders every page");
        EngineTest { t, root, public, engine, every_page }
    }

    /// Rebuilds after one file changed (search included).
    fn rebuild(&mut self, file: &str) -> health_cyber_portal::serve::incremental::Outcome {
        let outcome = self.engine.rebuild(Some(&std::collections::BTreeSet::from([self.root.join(file)])));
        while self.engine.update_search().is_some() {}
        outcome
    }

    /// Applies an edit that must rebuild; returns the outcome and the pages whose bytes changed.
    fn edit(
        &mut self,
        file: &str,
        from: &str,
        to: &str,
    ) -> (health_cyber_portal::serve::incremental::Outcome, Vec<String>) {
        let before = pages(&self.public);
        replace_in(&self.t, file, from, to);
        let outcome = self.rebuild(file);
        assert!(outcome.failed.is_none(), "{to}: {:?}", outcome.failed);
        let after = pages(&self.public);
        let changed: Vec<String> = after.keys().filter(|p| before.get(*p) != after.get(*p)).cloned().collect();
        assert!(!changed.is_empty(), "{to}: the edit shows");
        assert!(outcome.rendered.len() < self.every_page, "{to}: not every page ({})", outcome.line);
        (outcome, changed)
    }
}

#[test]
fn template_and_strings_changes_re_render_only_the_pages_they_touch() {
    let mut e = EngineTest::start();

    // (file, from, to, what must change). Each edit is visible on every page that uses what it
    // changes, so the pages re-rendered must be exactly the pages whose bytes changed.
    let edits = [
        // A template only news pages use.
        (
            "themes/default/templates/news.html",
            "{% extends \"page.html\" %}",
            "{% extends \"page.html\" %}{% block breadcrumbs %}<p>News</p>{% endblock breadcrumbs %}",
            "news",
        ),
        // A template others extend: every page that extends it, directly or not.
        (
            "themes/default/templates/page.html",
            "<div class=\"layout\">",
            "<div class=\"layout\" data-edited=\"1\">",
            "page",
        ),
        // A partial that templates include.
        (
            "themes/default/templates/partials/article.html",
            "<article class=\"page",
            "<article data-edited=\"2\" class=\"page",
            "article",
        ),
        // A language's strings: only that language's pages.
        ("i18n/it.toml", "skip = \"Vai al contenuto\"", "skip = \"Salta al contenuto\"", "it"),
        // The source language's strings: its pages and the root pages; every other language has
        // its own string for this key.
        ("i18n/en.toml", "skip = \"Skip to content\"", "skip = \"Skip to the content\"", "en"),
    ];
    for (file, from, to, what) in edits {
        let (outcome, changed) = e.edit(file, from, to);
        let rendered = &outcome.rendered;
        assert_eq!(rendered, &changed, "{what}: re-rendered exactly the pages it changed ({})", outcome.line);
        match what {
            "news" => assert!(rendered.iter().all(|p| p.contains("/news/") && !p.ends_with("/index.html"))),
            "it" => assert!(rendered.iter().all(|p| p.starts_with("it/"))),
            "en" => {
                let outside: Vec<&str> =
                    rendered.iter().map(String::as_str).filter(|p| !p.starts_with("en/")).collect();
                assert_eq!(outside, ["404.html", "index.html"], "the root pages are in the source language");
            }
            _ => {}
        }
        assert_matches_a_full_build(&e.t, &e.public);
    }

    // A theme file: copied, no page rendered.
    replace_in(&e.t, "themes/default/static/css/site.css", "{", "{ ");
    let outcome = e.rebuild("themes/default/static/css/site.css");
    assert!(outcome.failed.is_none() && outcome.rendered.is_empty(), "{}", outcome.line);
    assert_matches_a_full_build(&e.t, &e.public);

    // A broken template keeps the site; the fix is compared with what the folder holds.
    replace_in(&e.t, "themes/default/templates/news.html", "<p>News</p>", "<p>{% if %}</p>");
    let broken = e.rebuild("themes/default/templates/news.html");
    let errors = broken.failed.expect("a broken template fails");
    assert!(errors.iter().any(|e| e.contains("news.html")), "{errors:?}");
    replace_in(&e.t, "themes/default/templates/news.html", "<p>{% if %}</p>", "<p>News</p>");
    let fixed = e.rebuild("themes/default/templates/news.html");
    assert!(fixed.failed.is_none(), "{:?}", fixed.failed);
    assert!(fixed.rendered.is_empty(), "back as the folder holds it: nothing to render ({})", fixed.line);
    assert_matches_a_full_build(&e.t, &e.public);
}

/// The output folder equals what `portal build` writes, byte for byte.
fn assert_matches_a_full_build(t: &SiteTest, public: &std::path::Path) {
    let fresh = t.root.join("fresh");
    let _ = std::fs::remove_dir_all(&fresh);
    let out = t.run(&["build", "--output", fresh.to_str().unwrap()]);
    assert!(out.status.success(), "{}", crate::support::stderr(&out));
    let served = crate::support::snapshot(public);
    let built = crate::support::snapshot(&fresh);
    assert_eq!(served.keys().collect::<Vec<_>>(), built.keys().collect::<Vec<_>>(), "the same files");
    for (path, bytes) in &served {
        assert!(bytes == &built[path], "{path} differs from a full build");
    }
}

#[test]
fn front_matter_edits_re_render_the_pages_that_show_the_page() {
    let mut e = EngineTest::start();

    // (file, from, to, a page that must not be rendered again)
    let edits = [
        // A title: the page, its section's list, its neighbours, its fallbacks.
        ("content/en/guidance/updates.md", "title = \"Updates\"", "title = \"Software updates\"", "en/news/plan.html"),
        // A weight: the section's pages change order.
        ("content/en/guidance/updates.md", "weight = 1", "weight = 9", "en/news/later.html"),
        // A date: the news page, the homes that list the latest news, the feed.
        ("content/en/news/plan.md", "date = \"2025-01-15\"", "date = \"2025-01-16\"", "en/guidance/backups.html"),
        // A term: the taxonomy pages follow.
        (
            "content/en/guidance/updates.md",
            "audience = [\"hospital\", \"small-practice\"]",
            "audience = [\"hospital\"]",
            "en/news/plan.html",
        ),
        // A translation: its language's pages and taxonomy pages only.
        (
            "content/it/guidance/backup.md",
            "title = \"Backup\"",
            "title = \"Copie di sicurezza\"",
            "en/guidance/backups.html",
        ),
        // A top-level section's title is in every page's main navigation in its language.
        ("content/en/guidance/_index.md", "title = \"Guidance\"", "title = \"Guides\"", "it/guidance/backup.html"),
    ];
    for (file, from, to, untouched) in edits {
        let (outcome, changed) = e.edit(file, from, to);
        let missed: Vec<&String> = changed.iter().filter(|p| !outcome.rendered.contains(p)).collect();
        assert!(missed.is_empty(), "{to}: changed but not rendered: {missed:?} ({})", outcome.line);
        assert!(!outcome.rendered.iter().any(|p| p == untouched), "{to}: {untouched} shows nothing of it");
        assert_matches_a_full_build(&e.t, &e.public);
    }
}
