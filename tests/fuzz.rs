//! Property-based fuzzing of everything a user hands the tool as text: front matter, Markdown
//! bodies, tool data (self-assessment and quiz TOML) and exchange files (XLIFF and PO). Each property
//! runs the real code on generated or mutated input and asserts that it returns (diagnostics
//! are fine, a panic or an abort is not). The seed is fixed, so CI runs the same cases every
//! time; `PORTAL_FUZZ_CASES` runs more on a developer's machine.
//!
//! Every input that once broke a property is kept under `tests/fixtures/fuzz/<target>/` and
//! replayed first. A complexity guard checks that the work grows linearly with the input (a
//! sixteenfold input may take at most 64 times as long: linear is 16, quadratic 256); it is a
//! guard against the class of bug, not a benchmark (figures live in BENCHMARKS.md).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use health_cyber_portal::{build, BuildOptions};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::support::{copy_dir, REPO};

/// Cases per property: enough to cover the alphabets, few enough for CI.
fn cases() -> u32 {
    std::env::var("PORTAL_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(160)
}

/// A runner with a fixed seed: the same cases on every run and every machine.
fn runner() -> TestRunner {
    let seed = *b"health-cyber-portal-fuzz-seed-01";
    let config = Config { cases: cases(), failure_persistence: None, ..Config::default() };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed))
}

/// A throwaway site with the bundled theme and strings and an English home page.
struct FuzzSite {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl FuzzSite {
    fn new(fixture: Option<&str>) -> FuzzSite {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        copy_dir(&Path::new(REPO).join("themes"), &root.join("themes"));
        copy_dir(&Path::new(REPO).join("i18n"), &root.join("i18n"));
        match fixture {
            Some(name) => copy_dir(&Path::new(REPO).join("tests/fixtures").join(name), &root),
            None => {
                std::fs::create_dir_all(root.join("content/en")).unwrap();
                std::fs::write(root.join("content/en/_index.md"), "+++\ntitle = \"Home\"\n+++\nHello.\n").unwrap();
            }
        }
        FuzzSite { _dir: dir, root }
    }

    /// Writes `text` (any bytes) at `rel` and checks the site in-process; the check must return.
    fn check_with(&self, rel: &str, text: &[u8]) -> health_cyber_portal::Report {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        build(&BuildOptions::check(&self.root)).expect("a check of any content returns a report")
    }
}

/// Inputs kept because they once broke a property, replayed before the generated ones.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(REPO).join("tests/fixtures/fuzz").join(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Pieces Markdown is made of, hostile ones included: generated bodies are runs of these.
const MARKDOWN: &[&str] = &[
    "# ",
    "## ",
    "### Title {#same}",
    "- ",
    "* ",
    "1. ",
    "  ",
    "    ",
    "> ",
    "> [!WARNING]\n",
    "```\n",
    "~~~",
    "| a | b |\n| --- | --- |\n",
    "| x |",
    "[x](",
    ")",
    "](",
    "[^1]",
    "[^1]: ",
    "[^note]: ",
    "**",
    "*",
    "_",
    "`",
    "<b>",
    "<script>",
    "&amp;",
    "&#0;",
    "{#id}",
    "\n",
    "\n\n",
    " ",
    "text",
    "é",
    "中文",
    "\t",
    "\r\n",
    "[ ] ",
    "[x] ",
    "![i](a.png)",
    "javascript:alert(1)",
    "../",
    "#",
    "guidance/backups.md",
    "_index.md",
    "https://example.org",
    "mailto:a@example.org",
    "\u{feff}",
    "\u{202e}",
    "\\",
    "[",
    "]",
    "(",
    "<",
    ">",
    "---\n",
    "+++",
    "\0",
];

/// Pieces of front matter lines.
const FRONT: &[&str] = &[
    "title = \"T\"\n",
    "title = ",
    "\"",
    "description = \"d\"\n",
    "kind = \"guidance\"\n",
    "kind = \"nope\"\n",
    "date = 2024-02-31\n",
    "date = \"2025-01-15\"\n",
    "updated = 1979-05-27T07:32:00Z\n",
    "weight = 1e400\n",
    "weight = -9223372036854775808\n",
    "audience = [\"hospital\"]\n",
    "topics = [",
    "]",
    "[extra]\n",
    "summary = 1\n",
    "data = \"../../x.toml\"\n",
    "translation_key = \"\"\n",
    "source_digest = \"x\"\n",
    "\n",
    "+++\n",
    "=",
    "'''",
    "é",
    "\u{feff}",
    "a.b.c = 1\n",
    "[[x]]\n",
];

fn runs(pieces: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(pieces), 0..max).prop_map(|p| p.concat())
}

#[test]
fn markdown_bodies_never_panic() {
    let site = FuzzSite::new(None);
    for (name, bytes) in corpus("markdown") {
        let report = site.check_with("content/en/page.md", &bytes);
        let _ = (name, report);
    }
    runner()
        .run(&runs(MARKDOWN, 200), |body| {
            site.check_with("content/en/page.md", format!("+++\ntitle = \"Fuzz\"\n+++\n{body}").as_bytes());
            Ok(())
        })
        .unwrap();
}

#[test]
fn front_matter_never_panics() {
    let site = FuzzSite::new(None);
    for (_, bytes) in corpus("front-matter") {
        site.check_with("content/en/page.md", &bytes);
    }
    runner()
        .run(&(runs(FRONT, 24), proptest::collection::vec(any::<u8>(), 0..8)), |(front, noise)| {
            let mut text = format!("+++\n{front}+++\nBody.\n").into_bytes();
            // A few raw bytes somewhere: invalid UTF-8 must be a diagnostic, too.
            let at = text.len() / 2;
            text.splice(at..at, noise);
            site.check_with("content/en/page.md", &text);
            Ok(())
        })
        .unwrap();
}

/// One mutation of a text: a line dropped, doubled or truncated, or bytes replaced.
#[derive(Debug, Clone)]
enum Mutation {
    DropLine(usize),
    DoubleLine(usize),
    Truncate(usize),
    Replace(usize, &'static str),
}

const REPLACEMENTS: &[&str] = &[
    "",
    "\"",
    "[[",
    "]]",
    "=",
    "\n",
    "-1",
    "9999999999999999999",
    "é",
    "{",
    "}",
    "x",
    "[[questions]]\n",
    "id = \"yes\"\n",
];

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    let one = prop_oneof![
        any::<usize>().prop_map(Mutation::DropLine),
        any::<usize>().prop_map(Mutation::DoubleLine),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), proptest::sample::select(REPLACEMENTS)).prop_map(|(at, with)| Mutation::Replace(at, with)),
    ];
    proptest::collection::vec(one, 1..6)
}

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut text = text.to_string();
    for m in mutations {
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let n = lines.len().max(1);
        text = match *m {
            Mutation::DropLine(i) => lines.iter().enumerate().filter(|(j, _)| *j != i % n).map(|(_, l)| *l).collect(),
            Mutation::DoubleLine(i) => {
                lines.iter().enumerate().flat_map(|(j, l)| if j == i % n { vec![*l, *l] } else { vec![*l] }).collect()
            }
            Mutation::Truncate(i) => text[..text.floor_char_boundary(i % (text.len() + 1))].to_string(),
            Mutation::Replace(i, with) => {
                let at = text.floor_char_boundary(i % (text.len() + 1));
                let end = text.floor_char_boundary((at + 3).min(text.len()));
                format!("{}{with}{}", &text[..at], &text[end..])
            }
        };
    }
    text
}

#[test]
fn tool_data_never_panics() {
    let site = FuzzSite::new(Some("tools"));
    let assessment_rel = "content/en/tools/self-assessment.toml";
    let assessment = std::fs::read_to_string(site.root.join(assessment_rel)).unwrap();
    let quiz_rel = std::fs::read_dir(site.root.join("content/en/training"))
        .ok()
        .and_then(|mut d| d.find_map(|e| e.ok().map(|e| e.path().join("quiz.toml")).filter(|p| p.is_file())));
    let quiz = quiz_rel.as_ref().map(|p| std::fs::read_to_string(p).unwrap());
    for (_, bytes) in corpus("tool-data") {
        site.check_with(assessment_rel, &bytes);
    }
    site.check_with(assessment_rel, assessment.as_bytes());
    runner()
        .run(&(mutations(), any::<bool>()), |(mutations, on_quiz)| {
            match (&quiz_rel, &quiz, on_quiz) {
                (Some(path), Some(text), true) => {
                    let rel = path.strip_prefix(&site.root).unwrap().to_string_lossy().into_owned();
                    site.check_with(&rel, mutate(text, &mutations).as_bytes());
                    site.check_with(&rel, text.as_bytes());
                }
                _ => {
                    site.check_with(assessment_rel, mutate(&assessment, &mutations).as_bytes());
                }
            }
            Ok(())
        })
        .unwrap();
}

const XLIFF: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\n  <file original=\"guidance/backups.md\" source-language=\"en\" target-language=\"it\" datatype=\"x-markdown\">\n    <header><note>source-digest:abc</note></header>\n    <body>\n      <trans-unit id=\"title\" xml:space=\"preserve\">\n        <source>Backups</source>\n        <target>Backup</target>\n      </trans-unit>\n      <trans-unit id=\"1\" xml:space=\"preserve\">\n        <source>Keep a copy &amp; test it.</source>\n        <target><![CDATA[Tenete una copia & provatela.]]></target>\n      </trans-unit>\n    </body>\n  </file>\n</xliff>\n";

#[test]
fn xliff_files_never_panic() {
    for (_, bytes) in corpus("xliff") {
        let _ = health_cyber_portal::xliff::read_xliff(&String::from_utf8_lossy(&bytes));
    }
    assert!(health_cyber_portal::xliff::read_xliff(XLIFF).is_ok(), "the seed file is valid");
    runner()
        .run(&mutations(), |mutations| {
            let _ = health_cyber_portal::xliff::read_xliff(&mutate(XLIFF, &mutations));
            Ok(())
        })
        .unwrap();
}

const PO: &str = "msgid \"\"\nmsgstr \"\"\n\"Language: it\\n\"\n\n#. Backups › Restore test\n#, fuzzy\nmsgctxt \"guidance/backups.md#restore-test/1\"\nmsgid \"Test a restore \\\"monthly\\\".\"\nmsgstr \"\"\n\"Provate un ripristino \"\n\"ogni mese.\"\n\n";

#[test]
fn po_files_never_panic() {
    for (_, bytes) in corpus("po") {
        let _ = health_cyber_portal::po::read_po(&String::from_utf8_lossy(&bytes));
    }
    assert!(health_cyber_portal::po::read_po(PO).is_ok(), "the seed file is valid");
    runner()
        .run(&mutations(), |mutations| {
            let _ = health_cyber_portal::po::read_po(&mutate(PO, &mutations));
            Ok(())
        })
        .unwrap();
}

/// The least time of three runs of `work`: the machine's noise only ever adds time.
fn least_of_three(mut work: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Fails if sixteen times the input takes more than 64 times as long (see the module doc).
/// The small input is grown until it takes 20 ms, so that timer noise cannot decide.
fn assert_linear(what: &str, make: impl Fn(usize) -> String, run: impl Fn(&str)) {
    let mut n = 64;
    let mut small = least_of_three(|| run(&make(n)));
    while small < Duration::from_millis(20) && n < 1 << 20 {
        n *= 2;
        let input = make(n);
        small = least_of_three(|| run(&input));
    }
    let input = make(16 * n);
    let large = least_of_three(|| run(&input));
    let ratio = large.as_secs_f64() / small.as_secs_f64();
    assert!(
        ratio < 64.0,
        "{what}: 16x the input took {ratio:.0}x the time ({small:?} at {n} -> {large:?}): super-linear"
    );
}

#[test]
fn work_grows_linearly_with_the_input() {
    let site = FuzzSite::new(None);
    let paragraph = "Lorem **ipsum** dolor [link](https://example.org) sit.[^a] `code` and [home](_index.md#x)\n\n## Heading\n\n- item [x](#heading)\n\n";
    let page = |n: usize| format!("+++\ntitle = \"Long\"\n+++\n{}[^a]: A note.\n", paragraph.repeat(n));
    assert_linear("markdown check", page, |text| drop(site.check_with("content/en/long.md", text.as_bytes())));

    let unit = "      <trans-unit id=\"u\" xml:space=\"preserve\">\n        <source>A &amp; b</source>\n        <target>C</target>\n      </trans-unit>\n";
    let xliff = |n: usize| XLIFF.replace("    </body>", &format!("{}    </body>", unit.repeat(n)));
    assert_linear("xliff read", xliff, |text| drop(health_cyber_portal::xliff::read_xliff(text)));

    let entry = "#. A › B\nmsgctxt \"guidance/a.md#b/1\"\nmsgid \"One\"\nmsgstr \"Uno\"\n\n";
    let po = |n: usize| format!("{PO}{}", entry.repeat(n));
    assert_linear("po read", po, |text| drop(health_cyber_portal::po::read_po(text)));
}
