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
