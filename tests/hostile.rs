//! Hostile input: what a careless or malicious user can hand the tool must never cost them
//! their files, abort the process or hang it. Output folders over the sources, folders no build
//! wrote, template include cycles, two builds at once, the leftovers of a killed build.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::{snapshot, stderr, SiteTest};

/// The site's sources as bytes: what a refused output must leave exactly as it was.
fn sources(t: &SiteTest) -> std::collections::BTreeMap<String, Vec<u8>> {
    snapshot(&t.root)
}

#[test]
fn an_output_over_the_sources_is_refused_and_the_sources_stay_byte_identical() {
    let t = SiteTest::fixture("basic");
    let before = sources(&t);
    let root = t.root.to_str().unwrap().to_string();
    let parent = t.root.parent().unwrap().to_str().unwrap().to_string();
    let outputs = [
        root.clone(),
        format!("{root}/content"),
        format!("{root}/content/en"),
        format!("{root}/content/en/guidance/public"),
        format!("{root}/themes"),
        format!("{root}/themes/default/static"),
        format!("{root}/i18n"),
        format!("{root}/portal.toml"),
        format!("{root}/content/../content"),
        parent,
    ];
    for output in &outputs {
        for force in [false, true] {
            let mut args = vec!["build", "--output", output.as_str()];
            if force {
                args.push("--force");
            }
            let out = t.run(&args);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "build --output {output} (force {force}): {err}");
            assert!(err.contains("refusing to write the site into"), "{output}: {err}");
            assert_eq!(sources(&t), before, "build --output {output} changed the sources");
        }
        // serve refuses before it builds or listens.
        let out = t.run(&["serve", "--port", "0", "--output", output.as_str()]);
        assert_eq!(out.status.code(), Some(2), "serve --output {output}: {}", stderr(&out));
        assert_eq!(sources(&t), before, "serve --output {output} changed the sources");
    }
}

#[test]
fn a_folder_no_build_wrote_is_replaced_only_with_force() {
    let t = SiteTest::fixture("basic");
    let mine = t.root.parent().unwrap().join("my-documents");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(mine.join("thesis.txt"), "years of work").unwrap();
    let out = t.run(&["build", "--output", mine.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("was not written by `portal build`") && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(mine.join("thesis.txt")).unwrap(), "years of work");

    // A build's own output is replaced by the next build without being asked.
    let public = t.public();
    t.build_ok();
    assert!(public.join(".portal-output").is_file(), "every build marks its output");
    t.build_ok();

    // --force replaces it, and the replaced folder is gone, not left beside it.
    let out = t.run(&["build", "--force", "--output", mine.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!mine.join("thesis.txt").exists() && mine.join("en/index.html").is_file());
    let beside: Vec<String> = std::fs::read_dir(mine.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(beside.is_empty(), "left beside the output: {beside:?}");

    // An output path that is a file is a file the user may want: refused, then forced.
    let file = t.root.parent().unwrap().join("notes.txt");
    std::fs::write(&file, "a file").unwrap();
    assert_eq!(t.run(&["build", "--output", file.to_str().unwrap()]).status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "a file");
    let out = t.run(&["build", "--force", "--output", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(file.join("en/index.html").is_file());
}

#[test]
fn a_template_that_includes_itself_is_reported_not_an_abort() {
    let t = SiteTest::fixture("basic");
    let partial = "themes/default/templates/partials/article.html";
    let text = std::fs::read_to_string(t.root.join(partial)).unwrap();
    t.write(partial, &format!("{text}{{% include \"partials/article.html\" %}}\n"));
    let line = text.lines().count() + 1;
    for command in ["check", "build"] {
        let out = t.run(&[command]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{command} must fail with content errors, not abort: {err}");
        let expected =
            format!("{partial}:{line}: error: template include cycle: partials/article.html -> partials/article.html");
        assert!(err.lines().any(|l| l == expected), "{command}: expected `{expected}` in:\n{err}");
    }
    assert!(!t.public().exists());
}

#[test]
fn a_recursive_macro_is_reported_not_an_abort() {
    let t = SiteTest::fixture("basic");
    t.write(
        "themes/default/templates/partials/loop.html",
        "{% macro down(n) %}{{ self::down(n=n) }}{% endmacro down %}\n",
    );
    let out = t.run(&["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "partials/loop.html:1: error: recursive macro: partials/loop.html::down -> partials/loop.html::down"
        ),
        "{err}"
    );
}

#[test]
fn two_builds_into_one_folder_at_once_both_succeed_one_after_the_other() {
    let t = SiteTest::fixture("basic");
    let public = t.public();
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_portal"))
            .args(["build", "--root", t.root.to_str().unwrap(), "--output", public.to_str().unwrap()])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert!(public.join("en/index.html").is_file());
    let cold = SiteTest::fixture("basic");
    cold.build_ok();
    assert_eq!(snapshot(&public), snapshot(&cold.public()), "the output is what one build makes");
}

#[test]
fn folders_left_by_a_killed_build_are_removed_by_the_next() {
    let t = SiteTest::fixture("basic");
    t.build_ok();
    let parent = t.public().parent().unwrap().to_path_buf();
    for name in [".public.tmp-4194301", ".public.old-4194302"] {
        std::fs::create_dir_all(parent.join(name).join("en")).unwrap();
        std::fs::write(parent.join(name).join("en/index.html"), "half a site").unwrap();
    }
    t.build_ok();
    let dots: Vec<String> = std::fs::read_dir(&parent)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public"))
        .collect();
    assert!(dots.is_empty(), "left over: {dots:?}");
    assert!(Path::new(&t.public()).join(".portal-output").is_file());
}

/// Runs `check` (`--strict` if asked) and returns (exit code, stderr).
fn check(t: &SiteTest, strict: bool) -> (Option<i32>, String) {
    let out = t.run(if strict { &["check", "--strict"] } else { &["check"] });
    (out.status.code(), stderr(&out))
}

fn has_line(err: &str, start: &str, contains: &str) -> bool {
    err.lines().any(|l| l.starts_with(start) && l.contains(contains))
}

#[test]
fn a_page_over_the_size_limit_is_an_error_not_minutes_of_work() {
    let t = SiteTest::fixture("basic");
    let paragraph = "Lorem **ipsum** dolor sit amet.\n\n";
    let body = paragraph.repeat(11 * 1024 * 1024 / paragraph.len());
    t.write("content/en/guidance/huge.md", &format!("+++\ntitle = \"Huge\"\n+++\n{body}"));
    let (code, err) = check(&t, false);
    assert_eq!(code, Some(1), "{err}");
    assert!(has_line(&err, "content/en/guidance/huge.md: error:", "a file may be at most 10 MB"), "{err}");
}

#[test]
fn nesting_and_link_counts_past_their_limits_are_errors_at_their_line() {
    let t = SiteTest::fixture("basic");
    let deep: String = (0..40).map(|i| format!("{}- level {i}\n", "  ".repeat(i))).collect();
    t.write("content/en/guidance/deep.md", &format!("+++\ntitle = \"Deep\"\n+++\nIntro.\n\n{deep}"));
    let quotes = format!("{} too deep\n", ">".repeat(40));
    t.write("content/en/guidance/quotes.md", &format!("+++\ntitle = \"Quotes\"\n+++\n{quotes}"));
    let links = "[x](https://example.org) ".repeat(10_001);
    t.write("content/en/guidance/links.md", &format!("+++\ntitle = \"Links\"\n+++\n\n{links}\n"));
    let (code, err) = check(&t, false);
    assert_eq!(code, Some(1), "{err}");
    // The 33rd list starts on the 33rd item's line: the body's line 3 is the file's line 6.
    assert!(
        has_line(&err, "content/en/guidance/deep.md:38:", "more than 32 levels of nested lists and quotes"),
        "{err}"
    );
    assert!(has_line(&err, "content/en/guidance/quotes.md:4:", "more than 32 levels"), "{err}");
    assert!(has_line(&err, "content/en/guidance/links.md:5:", "more than 10000 links and images on one page"), "{err}");
}

#[test]
fn links_that_could_run_code_are_errors_and_never_reach_the_page() {
    let t = SiteTest::fixture("basic");
    t.write(
        "content/en/guidance/bad-links.md",
        "+++\ntitle = \"Bad links\"\n+++\nOne [click](javascript:alert(1)).\n\n[two](JaVaScRiPt:alert(2)) and [three](vbscript:msgbox)\n\n[four](data:text/html;base64,PHNjcmlwdD4=)\n\n![a dot](data:image/png;base64,iVBORw0KGgo=)\n",
    );
    let (code, err) = check(&t, false);
    assert_eq!(code, Some(1), "{err}");
    for (line, scheme) in [(4, "javascript"), (6, "javascript"), (6, "vbscript"), (8, "data")] {
        assert!(
            has_line(
                &err,
                &format!("content/en/guidance/bad-links.md:{line}:"),
                &format!("`{scheme}:` links are not allowed")
            ),
            "{line} {scheme}: {err}"
        );
    }
    assert_eq!(err.matches("links are not allowed").count(), 4, "a data: image is a picture, not a link: {err}");
}

#[test]
fn the_same_heading_id_twice_on_a_page_is_an_error() {
    let t = SiteTest::fixture("basic");
    t.write(
        "content/en/guidance/ids.md",
        "+++\ntitle = \"Ids\"\n+++\n## One {#same}\n\nText.\n\n## Two {#same}\n\nSee [one](#same).\n",
    );
    let (code, err) = check(&t, false);
    assert_eq!(code, Some(1), "{err}");
    assert!(has_line(&err, "content/en/guidance/ids.md:8:1: error:", "heading id `same` is used twice"), "{err}");
}

#[test]
fn odd_files_in_the_content_are_warned_about_and_fail_a_strict_check() {
    use std::os::unix::fs::symlink;
    let t = SiteTest::fixture("basic");
    let warnings = |err: &str| err.lines().filter(|l| l.contains(": warning: ")).count();
    let before = warnings(&check(&t, false).1);
    let guidance = t.root.join("content/en/guidance");
    let fifo = guidance.join("pipe.md");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    symlink(guidance.join("nowhere.md"), guidance.join("dangling.md")).unwrap();
    t.write("content/en/guidance/extra.MD", "+++\ntitle = \"Extra\"\n+++\nShouting.\n");
    t.write("content/en/guidance/Backups.md", "+++\ntitle = \"Backups again\"\n+++\nCase.\n");
    let (code, err) = check(&t, false);
    assert_eq!(code, Some(0), "warnings only: {err}");
    assert!(has_line(&err, "content/en/guidance/pipe.md: warning:", "not a regular file"), "{err}");
    assert!(has_line(&err, "content/en/guidance/dangling.md: warning:", "a link to nothing"), "{err}");
    assert!(has_line(&err, "content/en/guidance/extra.MD: warning:", "rename it extra.md"), "{err}");
    assert!(
        has_line(&err, "content/en/guidance/backups.md: warning:", "only in upper and lower case")
            || has_line(&err, "content/en/guidance/Backups.md: warning:", "only in upper and lower case"),
        "{err}"
    );
    assert_eq!(warnings(&err), before + 4, "{err}");
    let (strict_code, strict_err) = check(&t, true);
    assert_eq!(strict_code, Some(1), "--strict fails on warnings: {strict_err}");
}

#[test]
fn a_template_runtime_error_is_reported_once_at_its_template_line() {
    let t = SiteTest::fixture("basic");
    let partial = "themes/default/templates/partials/article.html";
    let text = std::fs::read_to_string(t.root.join(partial)).unwrap();
    let (line_no, line) = text.lines().enumerate().find(|(_, l)| l.contains("{{ page.title }}")).unwrap();
    t.write(partial, &text.replacen("{{ page.title }}", "{{ page.title | no_such_filter }}", 1));
    let (code, err) = check(&t, false);
    assert_eq!(code, Some(1), "{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.contains(": error: ")).collect();
    let column = line.find("{{ page.title }}").unwrap() + "{{ page.title | ".len() + 1;
    assert_eq!(errors.len(), 1, "one error for one template mistake: {err}");
    assert!(
        errors[0].starts_with(&format!(
            "{partial}:{}:{column}: error: template error: Filter 'no_such_filter' not found (rendering ",
            line_no + 1
        )),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains(" more pages)"), "{}", errors[0]);
}

#[test]
fn a_missing_theme_is_one_error() {
    let t = SiteTest::fixture("basic");
    std::fs::rename(t.root.join("themes/default"), t.root.join("themes/old")).unwrap();
    let (code, err) = check(&t, false);
    assert_eq!(code, Some(1), "{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(errors, ["themes/default: error: no such theme (portal.toml's `theme`; there is old)"], "{err}");
}

#[test]
fn errors_come_before_warnings_and_a_broken_page_brings_no_follow_on_errors() {
    let t = SiteTest::fixture("basic");
    // A missing translation key makes warnings; a broken strings file and a broken page are errors.
    t.write("i18n/it.toml", "[nav\nhome = \"Home\"\n");
    let updates = std::fs::read_to_string(t.root.join("content/en/guidance/updates.md")).unwrap();
    t.write("content/en/guidance/updates.md", &updates.replacen("+++\n", "+++\ntitle = \n", 1));
    t.write(
        "content/en/guidance/more.md",
        "+++\ntitle = \"More\"\n+++\nSee [updates](updates.md) and [again](updates.md#x).\n",
    );
    let (code, err) = check(&t, false);
    assert_eq!(code, Some(1), "{err}");
    let kinds: Vec<bool> = err
        .lines()
        .filter(|l| l.contains(": error: ") || l.contains(": warning: "))
        .map(|l| l.contains(": error: "))
        .collect();
    assert!(kinds.windows(2).all(|w| w[0] || !w[1]), "an error after a warning:\n{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.contains(": error: ")).collect();
    assert!(errors.iter().any(|l| l.starts_with("i18n/it.toml:")), "{err}");
    assert!(errors.iter().any(|l| l.starts_with("content/en/guidance/updates.md:")), "{err}");
    assert!(!err.contains("more.md"), "links to the broken page are not errors of their own: {err}");
}

#[test]
fn missing_source_strings_are_an_error() {
    let t = SiteTest::fixture("basic");
    std::fs::remove_file(t.root.join("i18n/en.toml")).unwrap();
    let (code, err) = check(&t, false);
    assert_eq!(code, Some(1), "{err}");
    assert!(has_line(&err, "i18n/en.toml: error:", "missing: the UI strings of the source language `en`"), "{err}");
}

#[test]
fn a_byte_order_mark_on_a_source_page_does_not_make_its_translations_stale() {
    let t = SiteTest::fixture("basic");
    let status =
        |t: &SiteTest| String::from_utf8_lossy(&t.run(&["i18n", "status", "--format", "json"]).stdout).into_owned();
    t.run(&["i18n", "stamp", t.root.join("content/it/guidance/backup.md").to_str().unwrap()]);
    let before = status(&t);
    let source = t.root.join("content/en/guidance/backups.md");
    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(&source, format!("\u{feff}{text}")).unwrap();
    assert_eq!(status(&t), before, "a BOM changes no text");
    std::fs::write(&source, format!("{text}A new sentence.\n")).unwrap();
    assert_ne!(status(&t), before, "a real edit still makes the translation stale");
}
