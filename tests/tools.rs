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
    let actions: Vec<&str> =
        select(&checklist, "[data-checklist] button").iter().filter_map(|b| b.value().attr("data-action")).collect();
    assert_eq!(actions, ["print", "reset", "undo"], "clearing the ticks can be undone");
    assert_eq!(attr(&checklist, "[data-checklist] [data-action=undo]", "hidden").as_deref(), Some(""));
    assert!(select(&checklist, "[data-run-head]").is_empty(), "a checklist without `repeat` keeps plain ticks");
    assert!(attr(&checklist, "[data-checklist]", "data-repeat").is_none());
    assert_eq!(select(&checklist, "script[src$='checklist.js']").len(), 1);

    // A model document: the editable download, the Markdown and print, at the top.
    let plan = t.html("en/tools/plan.html");
    let downloads: Vec<(String, String)> = select(&plan, ".document-actions a[download]")
        .iter()
        .map(|a| (a.value().attr("href").unwrap().to_string(), a.value().attr("class").unwrap().to_string()))
        .collect();
    assert_eq!(
        downloads,
        [("plan.odt".to_string(), "button button-primary".to_string()), ("plan.md".to_string(), "button".to_string())]
    );
    assert_eq!(select(&plan, ".document-actions [data-print-actions][data-action=print]").len(), 1);
    assert_eq!(select(&plan, "script[src$='print.js']").len(), 1);
    assert!(select(&plan, ".download").is_empty(), "no download link at the end of the page any more");
    let raw = t.read("en/tools/plan.html");
    let (top, content) = (raw.find("document-actions").unwrap(), raw.find("class=\"content\"").unwrap());
    assert!(top < content, "the buttons come before the document's text");
    assert!(t.public().join("en/tools/plan.odt").is_file());
    assert!(t.public().join("it/tools/plan.odt").is_file(), "the Italian fallback offers the document too");
}

#[test]
fn repeated_checklist_records_dated_runs() {
    let t = SiteTest::fixture("tools");
    t.build_ok();
    for (lang, label) in [("en", "Checked by"), ("it", "Controllo eseguito da")] {
        let page = t.html(&format!("{lang}/tools/monthly.html"));
        assert_eq!(attr(&page, "[data-checklist]", "data-repeat").as_deref(), Some("monthly"), "{lang}");
        assert_eq!(attr(&page, "[data-checklist]", "data-keep-runs").as_deref(), Some("12"));
        // Date and name come first, under the title, and wait for the script.
        assert_eq!(attr(&page, "article [data-run-head]", "hidden").as_deref(), Some(""));
        assert_eq!(attr(&page, "[data-run-head] input[data-run-date]", "type").as_deref(), Some("date"));
        assert_eq!(text(&page, "[data-run-head] label[for=run-by]"), label);
        assert_eq!(select(&page, "[data-run-head] [data-run-print].print-only").len(), 1);
        let actions: Vec<&str> =
            select(&page, "[data-checklist] button").iter().filter_map(|b| b.value().attr("data-action")).collect();
        assert_eq!(actions, ["record", "print", "reset", "undo", "erase-runs"], "{lang}");
        assert_eq!(select(&page, "[data-checklist] textarea[data-run-note]").len(), 1);
        assert!(attr(&page, "[data-checklist]", "data-msg-due-next").is_some_and(|m| m.contains("{date}")));
    }
}

#[test]
fn repeat_outside_a_checklist_fails_naming_its_line() {
    let t = SiteTest::fixture("tools");
    t.write(
        "content/en/guidance/backups.md",
        "+++\ntitle = \"Backups\"\nkind = \"guidance\"\nrepeat = \"monthly\"\n+++\nKeep copies.\n\n## Restore test\n",
    );
    assert_build_fails(
        &t,
        &["content/en/guidance/backups.md:4:1: error: `repeat` is for pages of kind checklist, not guidance"],
    );
}

#[test]
fn translated_checklist_that_repeats_differently_fails() {
    let t = SiteTest::fixture("tools");
    let path = "content/it/tools/monthly.md";
    let it = std::fs::read_to_string(t.root.join(path)).unwrap();
    t.write(path, &it.replacen("repeat = \"monthly\"\n", "", 1));
    assert_build_fails(
        &t,
        &["content/it/tools/monthly.md:1: error: the source page content/en/tools/monthly.md has `repeat = \"monthly\"`: write the same here"],
    );
}

#[test]
fn self_assessment_starts_at_its_first_question_and_lists_its_themes() {
    let t = SiteTest::fixture("tools");
    t.build_ok();
    let page = t.html("en/tools/self-assessment.html");
    let data = json_block(&page, "assessment-data");
    let first = data["themes"][0]["questions"][0]["id"].as_str().unwrap();
    // "Start" sits under the title, before the text, and leads to the first question.
    let start = attr(&page, "article [data-tool-top] a[data-action=start]", "href").unwrap();
    assert_eq!(start, format!("#sa-q-{first}"));
    let raw = t.read("en/tools/self-assessment.html");
    assert!(raw.find("data-action=\"start\"").unwrap() < raw.find("class=\"content\"").unwrap());
    // "On this page" lists every theme of the questionnaire, after the text's headings.
    let toc: Vec<String> =
        select(&page, ".toc a").iter().map(|a| a.value().attr("href").unwrap().to_string()).collect();
    let themes: Vec<String> = data["themes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|th| format!("#sa-theme-{}", th["id"].as_str().unwrap()))
        .collect();
    assert!(toc.ends_with(&themes), "{toc:?}");
    // Every target exists once (on the readable list); the form carries them as data-id, which
    // the script turns into ids when it shows the form instead.
    for target in themes.iter().chain([&start]) {
        let id = &target[1..];
        assert_eq!(select(&page, &format!("[id='{id}']")).len(), 1, "{id}");
        assert_eq!(select(&page, &format!("#assessment-form [data-id='{id}']")).len(), 1, "{id}");
    }
    // The printed result is headed by its date and the practice's name (typed, not saved).
    assert_eq!(select(&page, "#assessment-results [data-result-meta]").len(), 1);
    assert_eq!(attr(&page, "#assessment-results input[data-practice]", "id").as_deref(), Some("practice-name"));
    assert_eq!(attr(&page, "[data-tool-data] [data-action=undo]", "hidden").as_deref(), Some(""));
}

#[test]
fn quiz_options_and_certificate_conditions_are_rendered() {
    let t = SiteTest::fixture("tools");
    t.build_ok();
    let page = t.html("en/training/basics/index.html");
    // Each option's text sits beside its radio, in its own element (the marks go there).
    let options = select(&page, "#quiz .answers > label");
    assert!(!options.is_empty());
    assert!(options.iter().all(|l| {
        let children: Vec<&str> = l.children().filter_map(|c| c.value().as_element()).map(|e| e.name()).collect();
        children == ["input", "span"]
    }));
    for key in
        ["mark-correct", "mark-yours-correct", "mark-yours-wrong", "certificate-conditions", "certificate-lessons"]
    {
        assert!(attr(&page, "#training", &format!("data-msg-{key}")).is_some_and(|m| !m.is_empty()), "{key}");
    }
    assert_eq!(attr(&page, "#quiz [data-certificate-status]", "hidden").as_deref(), Some(""));
    assert!(text(&page, "#certificate").contains("has read every lesson of the training module"));
    assert_eq!(attr(&page, "[data-tool-data] [data-action=undo]", "hidden").as_deref(), Some(""));
}

#[test]
fn italian_assessment_missing_a_question_fails_naming_file_and_id() {
    // The Italian file lacks `backup-restore`; the message points where it belongs.
    let t = SiteTest::fixture("invalid/assessment-missing-question");
    let err = assert_build_fails(
        &t,
        &["content/it/tools/self-assessment.toml:37:6: error: missing question `backup-restore`"],
    );
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
            "content/en/training/basics/quiz.toml:6:11: error: question `q1`: the correct answer `e` is not one of its options (a, b)",
            "content/it/training/basics/quiz.toml:6:11: error: question `q1`: the correct answer is `b` here but `e`",
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
        &["content/it/tools/self-assessment.toml:5:10: error: answer `yes` scores 3 here but 2 in content/en/tools/self-assessment.toml:5"],
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
            "content/en/tools/self-assessment.toml:32:31: error: broken link: `../guidance/backup.md`",
            "content/en/tools/self-assessment.toml:42:36: error: broken anchor: `#restore`",
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

/// The parts of an `.odt` file, by name, in the zip's order.
fn odt_parts(bytes: &[u8]) -> Vec<(String, zip::CompressionMethod, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut text = String::new();
            std::io::Read::read_to_string(&mut file, &mut text).unwrap();
            (file.name().unwrap().to_string(), file.compression(), text)
        })
        .collect()
}

/// Every element name of an XML text, in order; panics if it is not well-formed.
fn xml_elements(xml: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut names = Vec::new();
    let mut depth = 0i32;
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("not well-formed XML: {e}")) {
            quick_xml::events::Event::Start(e) => {
                depth += 1;
                names.push(String::from_utf8(e.name().as_ref().to_vec()).unwrap());
            }
            quick_xml::events::Event::Empty(e) => names.push(String::from_utf8(e.name().as_ref().to_vec()).unwrap()),
            quick_xml::events::Event::End(_) => depth -= 1,
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "every element is closed");
    names
}

#[test]
fn model_document_is_an_opendocument_text_built_byte_identical() {
    let t = SiteTest::fixture("tools");
    t.build_ok();
    let first = std::fs::read(t.public().join("en/tools/plan.odt")).unwrap();
    t.build_ok();
    assert_eq!(std::fs::read(t.public().join("en/tools/plan.odt")).unwrap(), first, "two builds, one file");

    let parts = odt_parts(&first);
    let names: Vec<&str> = parts.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(names, ["mimetype", "content.xml", "styles.xml", "meta.xml", "META-INF/manifest.xml"]);
    // The media type comes first and uncompressed, so that tools recognise the file.
    assert_eq!(parts[0].1, zip::CompressionMethod::Stored);
    assert_eq!(parts[0].2, "application/vnd.oasis.opendocument.text");
    assert_eq!(&first[30..38], b"mimetype", "the first entry's name right after its header");
    for (name, _, text) in &parts[1..] {
        xml_elements(text);
        assert!(text.starts_with("<?xml"), "{name}");
    }
    let content = &parts[1].2;
    let elements = xml_elements(content);
    for element in [
        "text:h",
        "text:bookmark",
        "text:list",
        "table:table",
        "table:table-header-rows",
        "text:note",
        "text:note-ref",
        "text:a",
    ] {
        assert!(elements.iter().any(|e| e == element), "content.xml has no {element}");
    }
    assert!(content.contains(r#"<text:h text:style-name="Heading_20_1" text:outline-level="1">Incident plan</text:h>"#));
    assert!(content.contains(r#"<text:h text:style-name="Heading_20_2" text:outline-level="2"><text:bookmark text:name="contacts"/>Contacts</text:h>"#));
    // Links: to a heading of the document itself, to another page (absolute, under base_url),
    // and outside the site.
    assert!(content.contains(r##"xlink:href="#downtime""##), "{content}");
    assert!(content.contains(r#"xlink:href="https://fixture.example/en/guidance/backups.html#restore-test""#));
    assert!(content.contains(r#"xlink:href="https://www.enisa.europa.eu/""#));
    // One footnote, cited twice: the second citation refers to the first note.
    assert_eq!(content.matches("<text:note ").count(), 1);
    assert!(content.contains(r#"text:ref-name="ftn1""#));
    assert!(content.contains("Directive (EU) 2022/2555, Article 23."));
    assert!(content.contains("[Name]"), "the brackets to fill in stay");
    assert!(content.contains(">Tip</text:p>"), "the callout keeps its title");
    let styles = &parts[2].2;
    assert!(styles.contains(r#"fo:page-width="21cm" fo:page-height="29.7cm""#), "A4");
    assert!(styles.contains(r#"fo:language="en""#));
    assert!(parts[3].2.contains("<dc:title>Incident plan</dc:title>"));

    // The Italian route is a fallback: the English text, marked as English.
    let it = odt_parts(&std::fs::read(t.public().join("it/tools/plan.odt")).unwrap());
    assert!(it[2].2.contains(r#"fo:language="en""#));
    assert!(it[1].2.contains(r#"xlink:href="https://fixture.example/it/guidance/backups.html#restore-test""#));
}
