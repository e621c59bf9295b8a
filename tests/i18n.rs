//! The translators' workflow: a language is a folder, status and stale translations, stamping,
//! scaffolding a language, and what the site shows of it.

use crate::support::{attr, select, stderr, text, SiteTest};

fn status_json(t: &SiteTest, lang: &str) -> serde_json::Value {
    let out = t.run(&["i18n", "status", "--lang", lang, "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["languages"][0].clone()
}

#[test]
fn editing_a_source_page_makes_translations_stale_until_stamped() {
    let t = SiteTest::bundled();
    let before = status_json(&t, "it");
    assert_eq!(before["pages_stale"], 0, "the bundled translations are current");
    let page = t.root.join("content/en/guidance/backups.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, text.replace("## What to do this week", "## What to do this week\n\nA new sentence."))
        .unwrap();
    for lang in ["it", "nl", "zh"] {
        let status = status_json(&t, lang);
        assert_eq!(status["pages_stale"], 1, "{lang}");
        let stale: Vec<&serde_json::Value> =
            status["pages"].as_array().unwrap().iter().filter(|p| p["state"] == "stale").collect();
        assert_eq!(stale[0]["translation"], format!("content/{lang}/guidance/backups.md"));
    }
    // The site tells readers, with a link to the original.
    t.build_ok();
    let page = t.html("it/guidance/backups.html");
    assert_eq!(attr(&page, ".stale-notice a", "href").as_deref(), Some("../../en/guidance/backups.html"));
    assert!(select(&t.html("it/guidance/mfa.html"), ".stale-notice").is_empty());

    let out = t.run(&["i18n", "stamp", t.root.join("content/it/guidance/backups.md").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(status_json(&t, "it")["pages_stale"], 0);
    assert_eq!(status_json(&t, "nl")["pages_stale"], 1, "only the stamped file changed");
}

#[test]
fn fail_under_sets_the_exit_code() {
    let t = SiteTest::fixture("basic");
    let out = t.run(&["i18n", "status", "--fail-under", "50"]);
    assert_eq!(out.status.code(), Some(1));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("below 50%: it, zh"), "{table}");
    assert!(table.contains("it: missing: content/en/guidance/updates.md has no it translation"), "{table}");
    assert_eq!(t.run(&["i18n", "status", "--fail-under", "0"]).status.code(), Some(0));
    let md = t.run(&["i18n", "status", "--format", "markdown"]);
    assert!(String::from_utf8_lossy(&md.stdout).starts_with("| language | complete |"));
}

#[test]
fn unknown_and_missing_strings_are_reported() {
    let t = SiteTest::fixture("basic");
    let en = std::fs::read_to_string(t.root.join("i18n/en.toml")).unwrap();
    t.write("i18n/it.toml", &format!("{}\n[extra]\nnot_used = \"x\"\n", en.replace("home = \"Home\"\n", "")));
    let status = status_json(&t, "it");
    assert_eq!(status["strings_missing"], serde_json::json!(["nav.home"]));
    assert_eq!(status["strings_unused"], serde_json::json!(["extra.not_used"]));
}

#[test]
fn a_language_is_a_folder() {
    // Adding content/de/ and i18n/de.toml adds German with no other edit.
    let t = SiteTest::bundled();
    t.write("content/de/_index.md", "+++\ntitle = \"Health Cyber Portal\"\n+++\nWillkommen.\n");
    t.write(
        "content/de/guidance/backups.md",
        "+++\ntitle = \"Datensicherungen, die Ransomware überstehen\"\nkind = \"guidance\"\n+++\n## Wiederherstellung testen\n\nPrüfen Sie monatlich die Wiederherstellung.\n",
    );
    let en = std::fs::read_to_string(t.root.join("i18n/en.toml")).unwrap();
    t.write("i18n/de.toml", &en.replace("Skip to content", "Zum Inhalt springen"));
    t.build_ok();
    let page = t.html("de/guidance/backups.html");
    assert_eq!(attr(&page, "html", "lang").as_deref(), Some("de"));
    assert_eq!(text(&page, ".skip-link"), "Zum Inhalt springen");
    assert!(select(&page, ".fallback-notice").is_empty());
    // The rest falls back to English, marked as such.
    let fallback = t.html("de/guidance/mfa.html");
    assert_eq!(attr(&fallback, "article", "lang").as_deref(), Some("en"));
    // Every other page's switcher now offers German.
    let it = t.html("it/guidance/backups.html");
    assert_eq!(
        attr(&it, ".language-switcher a[hreflang=de]", "href").as_deref(),
        Some("../../de/guidance/backups.html")
    );
    assert!(t.read("sitemap.xml").contains("hreflang=\"de\""));
    let chooser = t.html("index.html");
    assert!(text(&chooser, ".language-choice").contains("Deutsch"));
    // The chooser says how complete each translation is; the header picker only when incomplete.
    let choices: Vec<String> =
        select(&chooser, ".language-choice li").iter().map(|li| li.text().collect::<String>()).collect();
    // Two German pages of the source's pages, rounded down.
    let source_pages = walkdir::WalkDir::new(t.root.join("content/en"))
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .count();
    let german = format!("{}%", 2 * 100 / source_pages);
    assert!(
        choices.iter().any(|c| c.contains("Deutsch") && c.contains(&format!("{german} translated"))),
        "{choices:?}"
    );
    assert!(choices.iter().any(|c| c.contains("Italiano") && c.contains("100% translated")), "{choices:?}");
    assert!(text(&it, ".language-switcher").contains(&german), "the Italian picker gives German's share");
    assert!(!text(&it, ".language-switcher").contains("100%"));
    // German search: its own index and analyzer (queries use the forms seen in the content).
    assert!(t.public().join("search/de/index.js").is_file());
    let out = t.run(&["search", "--lang", "de", "--json", "wiederherstellung prüfen"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let hits: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = hits["hits"][0]["url"].as_str().or_else(|| hits[0]["url"].as_str()).unwrap_or_default().to_string();
    assert_eq!(first, "de/guidance/backups.html#wiederherstellung-testen", "{hits}");
}

#[test]
fn new_language_scaffold_and_bad_codes() {
    let t = SiteTest::fixture("basic");
    let out = t.run(&["i18n", "new", "pt-BR"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let strings: toml::Table =
        toml::from_str(&std::fs::read_to_string(t.root.join("i18n/pt-BR.toml")).unwrap()).unwrap();
    let en: toml::Table = toml::from_str(&std::fs::read_to_string(t.root.join("i18n/en.toml")).unwrap()).unwrap();
    assert_eq!(strings.keys().collect::<Vec<_>>(), en.keys().collect::<Vec<_>>(), "every section");
    assert!(t.root.join("content/pt-BR/_index.md").is_file());
    t.build_ok();
    assert_eq!(attr(&t.html("pt-BR/index.html"), "html", "lang").as_deref(), Some("pt-BR"));
    assert!(text(&t.html("en/index.html"), ".language-switcher").contains("Português (Brasil)"));

    for bad in ["pt_BR", "Deutsch", "EN", "x"] {
        let out = t.run(&["i18n", "new", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(stderr(&out).contains("is not a language code"), "{bad}: {}", stderr(&out));
    }
    assert_eq!(t.run(&["i18n", "new", "pt-BR"]).status.code(), Some(2), "exists already");
    t.write("content/Deutsch/_index.md", "+++\ntitle = \"x\"\n+++\n");
    let out = t.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("content/Deutsch: error: `Deutsch` is not a language code"), "{}", stderr(&out));
}

#[test]
fn right_to_left_language_gets_dir_rtl() {
    let t = SiteTest::fixture("basic");
    t.write("content/ar/_index.md", "+++\ntitle = \"بوابة الأمن السيبراني الصحي\"\n+++\nمرحبا.\n");
    t.build_ok();
    let page = t.html("ar/index.html");
    assert_eq!(attr(&page, "html", "dir").as_deref(), Some("rtl"));
    assert_eq!(
        attr(&t.html("ar/guidance/backups.html"), "article", "dir").as_deref(),
        Some("ltr"),
        "English fallback text stays ltr"
    );
}

#[test]
fn xliff_round_trip_export_fill_import_build() {
    let t = SiteTest::fixture("basic");
    let it_strings = std::fs::read_to_string(t.root.join("i18n/it.toml")).unwrap();
    let skip_line = it_strings.lines().find(|l| l.starts_with("skip =")).unwrap().to_string();
    t.write("i18n/it.toml", &it_strings.replace(&format!("{skip_line}\n"), ""));
    let xlf = t.root.join("it.xlf");
    let out = t.run(&["i18n", "export", "it", "--out", xlf.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let exported = std::fs::read_to_string(&xlf).unwrap();
    assert!(exported.contains("original=\"guidance/updates.md\""), "missing pages are exported");
    assert!(
        !exported.contains("original=\"guidance/backups.md\"") || exported.contains("source-digest:"),
        "stale pages carry the digest"
    );
    assert!(exported.contains("<trans-unit id=\"i18n:nav.skip\""), "missing strings are exported");

    // A translator fills every target (as a CAT tool would, with XML escaping).
    let mut filled = String::new();
    let mut source = String::new();
    for line in exported.lines() {
        if let Some(s) = line.trim().strip_prefix("<source>") {
            source = s.strip_suffix("</source>").unwrap_or(s).to_string();
            filled.push_str(line);
        } else if line.trim() == "<target></target>" || line.trim().starts_with("<target>") {
            filled.push_str(&format!("        <target>[it] {source}</target>"));
        } else {
            filled.push_str(line);
        }
        filled.push('\n');
    }
    std::fs::write(&xlf, filled).unwrap();
    let out = t.run(&["i18n", "import", xlf.to_str().unwrap()]);
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));

    // Structure kept: headings, task boxes, front matter; digest recorded; strings merged.
    let updates = std::fs::read_to_string(t.root.join("content/it/guidance/updates.md")).unwrap();
    assert!(updates.contains("title = \"[it] Updates\""), "{updates}");
    assert!(updates.contains("kind = \"guidance\""));
    assert!(updates.contains("## [it] What to do {#what-to-do}"), "{updates}");
    let check = std::fs::read_to_string(t.root.join("content/it/tools/check.md")).unwrap();
    assert!(check.contains("- [ ] [it] Restore one file"), "{check}");
    assert!(check.contains("- [x] [it] Write down the result"), "{check}");
    t.build_ok();
    let page = t.html("it/guidance/updates.html");
    assert!(select(&page, ".fallback-notice").is_empty(), "now translated");
    assert_eq!(text(&page, "h1"), "[it] Updates");
    assert_eq!(attr(&page, ".content h2", "id").as_deref(), Some("what-to-do"), "anchors still work");
    assert_eq!(text(&page, ".skip-link"), "[it] Skip to content");
    let status = status_json(&t, "it");
    assert_eq!(status["pages_missing"], 0);
    assert_eq!(status["strings_missing"], serde_json::json!([]));

    // An import against a source that changed since the export is refused for that page.
    let source = t.root.join("content/en/guidance/updates.md");
    std::fs::write(&source, std::fs::read_to_string(&source).unwrap() + "\nNew paragraph.\n").unwrap();
    let out = t.run(&["i18n", "import", xlf.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("content/en/guidance/updates.md: the source changed since this file was exported"));
}

#[test]
fn status_reports_tool_ids_out_of_step() {
    let t = SiteTest::bundled();
    let path = t.root.join("content/nl/tools/self-assessment.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("id = \"backup-offline\"", "id = \"backup-offsite\"", 1)).unwrap();
    let status = status_json(&t, "nl");
    let problems = status["tools_out_of_step"].as_array().unwrap();
    assert!(problems.iter().any(|p| p.as_str().unwrap().contains("backup-offline")), "{problems:?}");
    assert_eq!(status_json(&t, "it")["tools_out_of_step"], serde_json::json!([]));
}
