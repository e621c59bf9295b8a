//! The bundled portal's content: the first release's counts per language, so that nothing can
//! silently go missing, and a strict check with no warnings.

use std::path::Path;

use crate::support::{stderr, SiteTest, REPO};

fn front_matter(path: &Path) -> toml::Table {
    let text = std::fs::read_to_string(path).unwrap();
    let inner = text.strip_prefix("+++\n").and_then(|t| t.split_once("\n+++")).map(|(f, _)| f).unwrap();
    toml::from_str(inner).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn pages_of_kind(dir: &Path, kind: &str) -> Vec<String> {
    let mut found: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .filter(|e| front_matter(e.path()).get("kind").and_then(|k| k.as_str()) == Some(kind))
        .map(|e| e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect();
    found.sort();
    found
}

fn data(path: &Path) -> toml::Table {
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn first_release_counts_per_language() {
    for lang in ["en", "it", "nl", "zh"] {
        let dir = Path::new(REPO).join("content").join(lang);
        assert_eq!(pages_of_kind(&dir, "guidance").len(), 12, "{lang}: guidance articles");
        assert_eq!(pages_of_kind(&dir, "checklist").len(), 4, "{lang}: checklists");
        assert_eq!(pages_of_kind(&dir, "template").len(), 2, "{lang}: model documents");
        assert!(pages_of_kind(&dir, "news").len() >= 3, "{lang}: news items");
        let modules = pages_of_kind(&dir, "training");
        assert_eq!(modules.len(), 3, "{lang}: training modules");
        for module in &modules {
            let module_dir = dir.join(module).parent().unwrap().to_path_buf();
            let lessons = pages_of_kind(&module_dir, "lesson").len();
            assert!((3..=5).contains(&lessons), "{lang} {module}: {lessons} lessons");
            let quiz = data(&module_dir.join("quiz.toml"));
            let questions = quiz["questions"].as_array().unwrap().len();
            assert!((4..=6).contains(&questions), "{lang} {module}: {questions} quiz questions");
        }
        let assessment = data(&dir.join("tools/self-assessment.toml"));
        assert_eq!(assessment["questions"].as_array().unwrap().len(), 20, "{lang}: self-assessment questions");
        assert_eq!(assessment["themes"].as_array().unwrap().len(), 8, "{lang}: self-assessment themes");
        assert!(dir.join("help.md").is_file(), "{lang}: help page");
    }
}

#[test]
fn guidance_ends_with_what_to_do_this_week_and_cites_sources() {
    // Every article ends with concrete steps; every figure needs a footnote, so an article
    // with digits in its text and no footnote is suspicious.
    let dir = Path::new(REPO).join("content/en/guidance");
    for page in pages_of_kind(&dir, "guidance") {
        let text = std::fs::read_to_string(dir.join(&page)).unwrap();
        assert!(text.contains("## What to do this week"), "{page}");
        if text.contains('%') {
            assert!(text.contains("[^1]:"), "{page} has figures but no sources");
        }
    }
}

#[test]
fn bundled_portal_passes_strict_check_and_translations_are_complete() {
    let t = SiteTest::bundled();
    let out = t.run(&["check", "--strict"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let status = t.run(&["i18n", "status", "--fail-under", "100"]);
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stdout));
}
