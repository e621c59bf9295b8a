//! Building valid sites: links that resolve from disk, fallbacks, the switcher, feeds,
//! determinism and the security properties of every page.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use crate::support::{attr, select, snapshot, stderr, text, SiteTest};

/// Every `href` and `src` of every HTML file leads to an existing file (never a folder, which
/// file:// would show as a listing), and every `#fragment` to an element with that id.
fn assert_links_resolve(public: &Path) {
    let files = snapshot(public);
    let mut ids: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = scraper::Html::parse_document(&String::from_utf8_lossy(bytes));
        ids.insert(
            path.clone(),
            select(&html, "[id]").iter().filter_map(|e| e.value().attr("id")).map(str::to_string).collect(),
        );
    }
    let mut problems = Vec::new();
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html") && p.as_str() != "404.html") {
        let html = scraper::Html::parse_document(&String::from_utf8_lossy(bytes));
        for element in select(&html, "a[href], link[href], script[src], img[src]") {
            let value = element.value().attr("href").or_else(|| element.value().attr("src")).unwrap();
            if value.contains("://") || value.starts_with("mailto:") {
                assert!(
                    value.starts_with("https://") || value.starts_with("mailto:"),
                    "{path}: unexpected URL {value}"
                );
                if element.value().name() != "a" {
                    problems.push(format!("{path}: external resource {value}"));
                }
                continue;
            }
            let (file, fragment) = value.split_once('#').map_or((value, None), |(f, a)| (f, Some(a)));
            let file = file.split('?').next().unwrap();
            let target = if file.is_empty() {
                path.clone()
            } else {
                let joined = Path::new(path).parent().unwrap().join(file);
                let mut parts: Vec<String> = Vec::new();
                for c in joined.components() {
                    match c.as_os_str().to_str().unwrap() {
                        ".." => {
                            if parts.pop().is_none() {
                                problems.push(format!("{path}: {value} leaves the site"));
                            }
                        }
                        "." => {}
                        s => parts.push(s.to_string()),
                    }
                }
                parts.join("/")
            };
            if !files.contains_key(&target) {
                problems.push(format!("{path}: {value} -> missing file {target}"));
            } else if let Some(fragment) = fragment.filter(|f| !f.is_empty() && *f != "choose") {
                if target.ends_with(".html") && !ids.get(&target).is_some_and(|s| s.contains(fragment)) {
                    problems.push(format!("{path}: {value} -> no id {fragment} in {target}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{} broken references:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn bundled_portal_builds_and_every_reference_resolves() {
    let t = SiteTest::bundled();
    t.build_ok();
    assert_links_resolve(&t.public());
    for lang in ["en", "it", "nl", "zh"] {
        assert!(t.public().join(lang).join("index.html").is_file(), "{lang} home");
    }
}

#[test]
fn fixture_references_resolve_including_fallbacks() {
    let t = SiteTest::fixture("basic");
    t.build_ok();
    assert_links_resolve(&t.public());
}

#[test]
fn two_builds_are_byte_identical() {
    let t = SiteTest::bundled();
    t.build_ok();
    let first = snapshot(&t.public());
    t.build_ok();
    let second = snapshot(&t.public());
    assert_eq!(first.keys().collect::<Vec<_>>(), second.keys().collect::<Vec<_>>());
    for (path, bytes) in &first {
        assert!(bytes == &second[path], "{path} differs between two builds");
    }
}

#[test]
fn editor_droppings_in_the_theme_are_neither_templates_nor_assets() {
    // An editor's swap and backup files sit next to what is being edited; a broken one must
    // not fail the build, and none may be published.
    let t = SiteTest::fixture("basic");
    t.write("themes/default/templates/.page.html.swp", "{% if %}");
    t.write("themes/default/templates/page.html~", "{% if %}");
    t.write("themes/default/static/css/.site.css.swp", "swap");
    t.write("themes/default/static/css/site.css~", "backup");
    t.build_ok();
    let files = snapshot(&t.public());
    assert!(files.contains_key("assets/css/site.css"));
    let published: Vec<&String> = files.keys().filter(|p| p.ends_with('~') || p.contains("/.")).collect();
    assert!(published.is_empty(), "published: {published:?}");
}

#[test]
fn fallback_page_names_missing_translation() {
    let t = SiteTest::fixture("basic");
    t.build_ok();
    let page = t.html("it/guidance/updates.html");
    assert_eq!(attr(&page, "html", "lang").as_deref(), Some("it"));
    assert_eq!(attr(&page, "meta[name=robots]", "content").as_deref(), Some("noindex"));
    assert_eq!(attr(&page, "article", "lang").as_deref(), Some("en"), "the English text is marked for screen readers");
    assert!(
        text(&page, ".fallback-notice").contains("(inglese)"),
        "the notice names the source language in the reader's language: {}",
        text(&page, ".fallback-notice")
    );
    assert_eq!(text(&page, "h1"), "Updates");
    // A translated page is indexable and carries no notice.
    let translated = t.html("it/guidance/backup.html");
    assert!(select(&translated, "meta[name=robots]").is_empty());
    assert!(select(&translated, ".fallback-notice").is_empty());
}

#[test]
fn switcher_and_hreflang_lead_to_the_same_page_in_each_language() {
    let t = SiteTest::fixture("basic");
    t.build_ok();
    let page = t.html("en/guidance/backups.html");
    let switcher: Vec<(String, String)> = select(&page, ".language-switcher a[hreflang]")
        .iter()
        .map(|a| (a.value().attr("hreflang").unwrap().to_string(), a.value().attr("href").unwrap().to_string()))
        .collect();
    assert_eq!(
        switcher,
        [
            ("en".to_string(), "backups.html".to_string()),
            ("it".to_string(), "../../it/guidance/backup.html".to_string()),
            ("zh".to_string(), "../../zh/guidance/backups.html".to_string()),
        ]
    );
    let alternates: Vec<String> = select(&page, "link[rel=alternate][hreflang]")
        .iter()
        .map(|l| l.value().attr("hreflang").unwrap().to_string())
        .collect();
    assert_eq!(alternates, ["en", "it"], "fallbacks are not alternates");
    let zh = t.html("zh/guidance/backups.html");
    assert_eq!(attr(&zh, "html", "lang").as_deref(), Some("zh"));
    assert_eq!(attr(&zh, "html", "dir").as_deref(), Some("ltr"));
    let untranslated: Vec<_> = select(&page, ".language-switcher .untranslated");
    assert_eq!(untranslated.len(), 1, "zh is marked as not translated");
}

#[test]
fn markdown_features_render() {
    let t = SiteTest::fixture("basic");
    t.build_ok();
    let page = t.html("en/guidance/backups.html");
    assert_eq!(attr(&page, ".content h2", "id").as_deref(), Some("restore-test"));
    assert!(text(&page, ".callout-warning .callout-title").contains("Warning"));
    assert_eq!(select(&page, ".content table th").len(), 2);
    assert_eq!(select(&page, ".footnote-definition").len(), 1);
    assert_eq!(attr(&page, ".content a[href*=check]", "href").as_deref(), Some("../tools/check.html#restore"));
    let checklist = t.html("en/tools/check.html");
    let boxes = select(&checklist, "input.task");
    assert_eq!(boxes.len(), 2);
    assert!(boxes.iter().all(|b| b.value().attr("disabled").is_none()), "checklist boxes are tickable");
    // The sentence is the box's label (a tap on it ticks the box).
    let labels = select(&checklist, ".task-list > li.task-item > label.task-label:has(> input.task) > .task-text");
    assert_eq!(labels.len(), 2);
    assert_eq!(labels[0].text().collect::<String>(), "Restore one file");
    let zh = t.html("zh/index.html");
    assert_eq!(attr(&zh, ".content h2", "id").as_deref(), Some("什么是网络钓鱼"));
}

#[test]
fn navigation_breadcrumbs_and_pager() {
    let t = SiteTest::fixture("basic");
    t.build_ok();
    let page = t.html("en/guidance/backups.html");
    let crumbs: Vec<String> = select(&page, ".breadcrumbs a").iter().map(|a| a.text().collect()).collect();
    assert_eq!(crumbs, ["Fixture home", "Guidance"]);
    // Ordered by weight: updates (1) before backups (2).
    assert_eq!(attr(&page, ".pager a[rel=prev]", "href").as_deref(), Some("updates.html"));
    assert!(select(&page, ".pager a[rel=next]").is_empty());
    let nav: Vec<String> = select(&page, ".main-nav a").iter().map(|a| a.text().collect()).collect();
    assert_eq!(nav, ["Guidance", "Tools", "News"]);
}

#[test]
fn sitemap_robots_and_feeds() {
    let t = SiteTest::fixture("basic");
    t.build_ok();
    let sitemap = t.read("sitemap.xml");
    assert!(sitemap.contains("<loc>https://fixture.example/sub/en/guidance/backups.html</loc>"));
    assert!(sitemap.contains("hreflang=\"it\" href=\"https://fixture.example/sub/it/guidance/backup.html\""));
    assert!(!sitemap.contains("it/guidance/updates.html"), "fallbacks are noindex and not in the sitemap");
    assert!(t.read("robots.txt").contains("Sitemap: https://fixture.example/sub/sitemap.xml"));
    let feed = t.read("en/news/atom.xml");
    let later = feed.find("Second item").unwrap();
    let plan = feed.find("Action plan published").unwrap();
    assert!(later < plan, "newest first");
    assert!(feed.contains("<updated>2025-03-01T00:00:00Z</updated>"), "feed date is the newest item's, not the clock");
    assert!(t.read("404.html").contains("href=\"/sub/assets/css/site.css\""), "404 works at any depth");
}

#[test]
fn taxonomy_pages_list_their_pages() {
    let t = SiteTest::fixture("basic");
    t.build_ok();
    let term = t.html("en/audience/small-practice.html");
    let titles: Vec<String> = select(&term, ".card h3 a").iter().map(|a| a.text().collect()).collect();
    assert_eq!(titles, ["Backups", "Updates"]);
    let list = t.html("en/topics/index.html");
    assert_eq!(select(&list, ".term-list li").len(), 2);
}

#[test]
fn every_page_has_a_strict_csp_and_nothing_inline() {
    let t = SiteTest::bundled();
    t.build_ok();
    for (path, bytes) in snapshot(&t.public()).iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = scraper::Html::parse_document(&String::from_utf8_lossy(bytes));
        let csp = attr(&html, "meta[http-equiv=Content-Security-Policy]", "content")
            .unwrap_or_else(|| panic!("{path}: no CSP"));
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        for script in select(&html, "script") {
            let kind = script.value().attr("type").unwrap_or("");
            assert!(script.value().attr("src").is_some() || kind == "application/json", "{path}: inline script");
        }
        assert!(select(&html, "style, [style]").is_empty(), "{path}: inline style");
        assert!(select(&html, "[onclick], [onload], [onerror]").is_empty(), "{path}: inline handler");
    }
}

#[test]
fn root_page_offers_every_language() {
    let t = SiteTest::fixture("basic");
    t.build_ok();
    let root = t.html("index.html");
    let langs: Vec<String> =
        select(&root, ".language-choice a").iter().map(|a| a.value().attr("hreflang").unwrap().to_string()).collect();
    assert_eq!(langs, ["en", "it", "zh"]);
    assert_eq!(attr(&root, "script[src*=language-choice]", "src").as_deref(), Some("assets/js/language-choice.js"));
}

#[test]
fn missing_translation_key_warns_in_build_and_fails_strict_check() {
    let t = SiteTest::fixture("basic");
    t.write("i18n/it.toml", "[nav]\nhome = \"Home\"\n");
    let err = t.build_ok();
    assert!(err.contains("i18n/it.toml: warning: missing key `nav.skip`"), "{err}");
    let page = t.html("it/guidance/backup.html");
    assert_eq!(text(&page, ".skip-link"), "Skip to content", "falls back to English");
    let strict = t.run(&["check", "--strict"]);
    assert_eq!(strict.status.code(), Some(1), "{}", stderr(&strict));
    let lax = t.run(&["check"]);
    assert_eq!(lax.status.code(), Some(0), "{}", stderr(&lax));
}

#[test]
fn check_writes_nothing_and_summary_counts_languages() {
    let t = SiteTest::fixture("basic");
    let out = t.run(&["check"]);
    assert!(out.status.success());
    assert!(!t.public().exists());
    let err = stderr(&out);
    let summary = err.lines().last().unwrap();
    assert!(
        summary.contains("check passed") && summary.contains("en 9") && summary.contains("it 3 (+6 untranslated)"),
        "{summary}"
    );
}

#[test]
fn json_report_is_machine_readable() {
    let t = SiteTest::fixture("basic");
    let out = t.run(&["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], true);
    assert_eq!(report["languages"]["it"]["pages"], 3);
}
