//! Structured tools: the self-assessment, checklists, model documents and training modules of
//! the `tools` fixture render their data (resolved links, escaped JSON, storage keys), and
//! broken definitions fail the build with `file:line` messages, leaving the last good output.

use crate::support::{attr, select, snapshot, stderr, text, SiteTest};

/// Builds `t` over a previous good output: exit 1, every expected line, the output untouched.
fn assert_build_fails(t: &SiteTest, expected: &[&str]) -> String {
    let previous = t.public();
    std::fs::create_dir_all(previous.join("en")).unwrap();
    std::fs::write(previous.join("en/index.html"), "<p>the last good site</p>").unwrap();
    // What every build writes into its output: the folder may be replaced.
    std::fs::write(previous.join(".portal-output"), "").unwrap();
    let before = snapshot(&previous);
    let out = t.build();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "exit code\n{err}");
    for line in expected {
        assert!(err.lines().any(|l| l.starts_with(line)), "expected a line starting `{line}` in:\n{err}");
    }
    assert_eq!(snapshot(&previous), before, "the previous output changed");
    err
}

fn json_block(html: &scraper::Html, id: &str) -> serde_json::Value {
    let css = format!("script[type=\"application/json\"]#{id}");
    serde_json::from_str(&text(html, &css)).unwrap_or_else(|e| panic!("{id}: {e}"))
}

#[test]
fn self_assessment_renders_questions_advice_and_resolved_links() {
    let t = SiteTest::fixture("tools");
    t.build_ok();
    let page = t.html("en/tools/self-assessment.html");
    assert_eq!(
        attr(&page, "#assessment", "data-storage-key").as_deref(),
        Some("hcp:assessment:en/tools/self-assessment")
    );
    assert_eq!(select(&page, "#assessment-form fieldset.question").len(), 3);
    assert_eq!(select(&page, "#assessment-form fieldset.question legend").len(), 3);
    assert_eq!(select(&page, "#assessment-form input[type=radio]").len(), 9);
    assert!(attr(&page, "#assessment-form", "hidden").is_some(), "the form waits for its script");
    // Without script: every question with its advice.
    assert_eq!(select(&page, ".assessment-static .question-list > li").len(), 3);
    assert_eq!(select(&page, ".assessment-static .question-advice").len(), 3);
    assert_eq!(attr(&page, "script[src$='assessment.js']", "src").as_deref(), Some("../../assets/js/assessment.js"));
    let data = json_block(&page, "assessment-data");
    assert_eq!(data["max_points"], 2);
    let links: Vec<&str> = data["themes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["questions"].as_array().unwrap())
        .flat_map(|q| q["links"].as_array().unwrap())
        .map(|l| l["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        links,
        [
            "../guidance/backups.html",
            "check.html",
            "../guidance/backups.html#restore-test",
            "../training/basics/index.html",
            "plan.html",
            "https://www.enisa.europa.eu/",
        ]
    );
}

#[test]
fn translated_assessment_keeps_ids_and_links_to_fallbacks() {
    let t = SiteTest::fixture("tools");
    t.build_ok();
    let page = t.html("it/tools/self-assessment.html");
    assert_eq!(
        attr(&page, "#assessment", "data-storage-key").as_deref(),
        Some("hcp:assessment:it/tools/self-assessment")
    );
    let data = json_block(&page, "assessment-data");
    assert_eq!(data["answers"][0]["label"], "Sì");
    assert_eq!(
        data["themes"][0]["questions"][0]["links"][0]["url"], "../guidance/backups.html",
        "the untranslated guidance page is the Italian fallback"
    );
    assert!(t.public().join("it/guidance/backups.html").is_file());
    assert_eq!(attr(&page, "input[name=backup-offline][value=yes]", "type").as_deref(), Some("radio"));
}

#[test]
fn module_page_has_lessons_quiz_certificate_and_escaped_data() {
    let t = SiteTest::fixture("tools");
    t.build_ok();
    let raw = t.read("en/training/basics/index.html");
    assert!(
        raw.contains("A \\u003cb\\u003ebold\\u003c/b\\u003e \\u0026 \\u003c/script\\u003e"),
        "option text is escaped inside the JSON block"
    );
    let page = t.html("en/training/basics/index.html");
    let data = json_block(&page, "training-data");
    assert_eq!(data["quiz"]["questions"][1]["options"][0]["text"], "A <b>bold</b> & </script>");
    assert_eq!(data["quiz"]["pass_mark"], 50);
    let lessons: Vec<String> =
        select(&page, "li[data-lesson]").iter().map(|l| l.value().attr("data-lesson").unwrap().to_string()).collect();
    assert_eq!(lessons, ["01-first", "02-second"]);
    assert_eq!(select(&page, "#quiz fieldset.question").len(), 2);
    assert_eq!(select(&page, "#certificate").len(), 1);
    assert!(text(&page, "#certificate .certificate-module").contains("Basics"));
    assert_eq!(attr(&page, "#training", "data-storage-key").as_deref(), Some("hcp:training:en/training/basics"));
    // Lessons share the module's key; only the last one leads to the quiz.
    let first = t.html("en/training/basics/01-first.html");
    let last = t.html("en/training/basics/02-second.html");
    assert_eq!(
        attr(&first, "[data-training=lesson]", "data-storage-key").as_deref(),
        Some("hcp:training:en/training/basics")
    );
    assert!(select(&first, "a[href='index.html#quiz']").is_empty());
    assert_eq!(select(&last, "a[href='index.html#quiz']").len(), 1);
    assert!(text(&last, ".lesson-progress").contains("2"));
    // The Italian module falls back to English lessons but keeps its own quiz and key.
    let it = t.html("it/training/basics/index.html");
    assert_eq!(attr(&it, "#training", "data-storage-key").as_deref(), Some("hcp:training:it/training/basics"));
    assert_eq!(select(&it, "li[data-lesson]").len(), 2);
}

#[test]
fn checklist_and_model_document_get_their_controls() {
    let t = SiteTest::fixture("tools");
    t.build_ok();
    let checklist = t.html("en/tools/check.html");
    assert_eq!(
        attr(&checklist, "[data-checklist]", "data-storage-key").as_deref(),
        Some("hcp:checklist:en/tools/check")
    );
    assert_eq!(select(&checklist, "[data-checklist] button").len(), 2);
    assert_eq!(select(&checklist, "script[src$='checklist.js']").len(), 1);
    let plan = t.html("en/tools/plan.html");
    assert_eq!(select(&plan, "[data-print-actions] button").len(), 1);
    assert_eq!(select(&plan, "script[src$='print.js']").len(), 1);
    assert_eq!(attr(&plan, ".download a", "href").as_deref(), Some("plan.md"));
}

#[test]
fn italian_assessment_missing_a_question_fails_naming_file_and_id() {
    // The Italian file lacks `backup-restore`; the message points where it belongs.
    let t = SiteTest::fixture("invalid/assessment-missing-question");
    let err =
        assert_build_fails(&t, &["content/it/tools/self-assessment.toml:37: error: missing question `backup-restore`"]);
    assert!(err.contains("content/en/tools/self-assessment.toml:37 has it"), "{err}");
    let check = t.run(&["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
}

#[test]
fn quiz_whose_correct_answer_is_not_an_option_fails() {
    let t = SiteTest::fixture("tools");
    let quiz = std::fs::read_to_string(t.root.join("content/en/training/basics/quiz.toml")).unwrap();
    t.write("content/en/training/basics/quiz.toml", &quiz.replacen("correct = \"b\"", "correct = \"e\"", 1));
    assert_build_fails(
        &t,
        &[
            "content/en/training/basics/quiz.toml:6: error: question `q1`: the correct answer `e` is not one of its options (a, b)",
            "content/it/training/basics/quiz.toml:6: error: question `q1`: the correct answer is `b` here but `e`",
        ],
    );
}

#[test]
fn points_that_differ_from_the_source_fail() {
    let t = SiteTest::fixture("tools");
    let path = "content/it/tools/self-assessment.toml";
    let it = std::fs::read_to_string(t.root.join(path)).unwrap();
    t.write(path, &it.replacen("points = 2", "points = 3", 1));
    assert_build_fails(
        &t,
        &["content/it/tools/self-assessment.toml:5: error: answer `yes` scores 3 here but 2 in content/en/tools/self-assessment.toml:5"],
    );
}

#[test]
fn broken_advice_link_and_anchor_name_their_lines() {
    let t = SiteTest::fixture("tools");
    let path = "content/en/tools/self-assessment.toml";
    let en = std::fs::read_to_string(t.root.join(path)).unwrap();
    t.write(
        path,
        &en.replacen("href = \"../guidance/backups.md\"", "href = \"../guidance/backup.md\"", 1)
            .replace("#restore-test", "#restore"),
    );
    assert_build_fails(
        &t,
        &[
            "content/en/tools/self-assessment.toml:32: error: broken link: `../guidance/backup.md`",
            "content/en/tools/self-assessment.toml:42: error: broken anchor: `#restore`",
        ],
    );
}

#[test]
fn translated_page_without_its_data_file_fails() {
    let t = SiteTest::fixture("tools");
    std::fs::remove_file(t.root.join("content/it/training/basics/quiz.toml")).unwrap();
    assert_build_fails(&t, &["content/it/training/basics/_index.md:1: error: data file `quiz.toml` not found"]);
}

#[test]
fn unknown_key_in_a_definition_names_its_line() {
    let t = SiteTest::fixture("tools");
    let path = "content/en/tools/self-assessment.toml";
    let en = std::fs::read_to_string(t.root.join(path)).unwrap();
    t.write(path, &en.replacen("help = ", "hint = ", 1));
    let err = assert_build_fails(&t, &["content/en/tools/self-assessment.toml:29:"]);
    assert!(err.contains("unknown field `hint`"), "{err}");
}

#[test]
fn untranslated_tool_page_shows_the_source_tool_marked_as_such() {
    let t = SiteTest::fixture("tools");
    for file in ["self-assessment.md", "self-assessment.toml"] {
        std::fs::remove_file(t.root.join("content/it/tools").join(file)).unwrap();
    }
    t.build_ok();
    let page = t.html("it/tools/self-assessment.html");
    assert_eq!(attr(&page, "#assessment", "lang").as_deref(), Some("en"));
    assert_eq!(
        attr(&page, "#assessment", "data-storage-key").as_deref(),
        Some("hcp:assessment:it/tools/self-assessment"),
        "the Italian URL keeps its own answers"
    );
    let data = json_block(&page, "assessment-data");
    assert_eq!(data["answers"][0]["label"], "Yes");
    assert_eq!(data["themes"][0]["questions"][0]["links"][0]["url"], "../guidance/backups.html");
}
