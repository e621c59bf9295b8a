//! Broken sites: each fixture under tests/fixtures/invalid/ gives its `path:line` message,
//! exit code 1, and leaves the previous output folder byte for byte as it was.

use crate::support::{snapshot, stderr, SiteTest};

/// Builds a fixture over a previous good output and checks the failure model.
fn assert_fails_with(fixture: &str, expected: &[&str]) -> String {
    let t = SiteTest::fixture(&format!("invalid/{fixture}"));
    let previous = t.public();
    std::fs::create_dir_all(previous.join("en")).unwrap();
    std::fs::write(previous.join("en/index.html"), "<p>the last good site</p>").unwrap();
    // What every build writes into its output: the folder may be replaced.
    std::fs::write(previous.join(".portal-output"), "").unwrap();
    std::fs::write(previous.join("marker.txt"), "kept").unwrap();
    let before = snapshot(&previous);
    let out = t.build();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{fixture}: exit code\n{err}");
    for line in expected {
        assert!(err.lines().any(|l| l.starts_with(line)), "{fixture}: expected a line starting `{line}` in:\n{err}");
    }
    assert_eq!(snapshot(&previous), before, "{fixture}: the previous output changed");
    let leftovers: Vec<_> = std::fs::read_dir(&t.root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{fixture}: temporary folders left: {leftovers:?}");
    err
}

#[test]
fn invalid_utf8_names_line_and_column() {
    assert_fails_with("invalid-utf8", &["content/en/bad.md:5:4: error: invalid UTF-8"]);
}

#[test]
fn malformed_front_matter_names_the_line() {
    assert_fails_with("malformed-front-matter", &["content/en/_index.md:3:"]);
}

#[test]
fn unknown_front_matter_key_is_an_error() {
    let err = assert_fails_with("unknown-key", &["content/en/_index.md:3:1: error: unknown field `summary`"]);
    assert!(err.contains("expected one of"), "the message lists the valid keys: {err}");
}

#[test]
fn broken_link_names_line_and_column() {
    assert_fails_with("broken-link", &["content/en/_index.md:6:6: error: broken link: `guidance/backup.md`"]);
}

#[test]
fn broken_anchor_names_the_link() {
    assert_fails_with("broken-anchor", &["content/en/_index.md:4:5: error: broken anchor: `#restore-test`"]);
}

#[test]
fn two_pages_with_one_output_path() {
    assert_fails_with(
        "duplicate-output",
        &["content/en/guidance/index.md:1:1: error: two pages with one output path: en/guidance/index.html"],
    );
}

#[test]
fn missing_template_names_the_page_and_template() {
    assert_fails_with("missing-template", &["content/en/item.md:1:1: error: missing template `news.html`"]);
}

#[test]
fn template_syntax_error_names_template_and_line() {
    assert_fails_with("template-error", &["themes/default/templates/home.html:4:"]);
}

#[test]
fn every_error_of_a_run_is_reported() {
    let err = assert_fails_with(
        "many-errors",
        &[
            "content/en/_index.md:4:1: error: broken link: `missing-one.md`",
            "content/en/_index.md:4:27: error: broken link: `missing-two.md`",
            "content/en/b.md:3:1: error: unknown field `colour`",
        ],
    );
    assert!(err.lines().last().unwrap().contains("3 error(s)"), "{err}");
}

#[test]
fn no_panic_on_garbage_input() {
    // Bytes that are neither Markdown nor TOML nor UTF-8 must give messages, not a crash.
    let t = SiteTest::fixture("basic");
    let garbage: &[&[u8]] = &[
        b"+++",
        b"+++\n+++\n",
        b"+++\ntitle = \n+++\n",
        b"\xff\xfe\x00+++",
        b"+++\ntitle = \"x\"\n+++\n[x](",
        b"+++\ntitle=\"x\"\ndate=1979-05-27T07:32:00Z\n+++\n",
    ];
    for (i, bytes) in garbage.iter().enumerate() {
        std::fs::write(t.root.join(format!("content/en/g{i}.md")), bytes).unwrap();
    }
    let out = t.run(&["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for i in [0, 1, 2, 3] {
        assert!(err.contains(&format!("content/en/g{i}.md:")), "g{i} reported: {err}");
    }
}
