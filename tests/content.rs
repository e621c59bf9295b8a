//! The bundled portal's content: the first release's counts per language, so that nothing can
//! silently go missing, a strict check with no warnings, and the promises pages make to a reader
//! in an emergency (the contacts they point at exist, guidance says when it was last reviewed,
//! the news is not frozen on one day).

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::{select, stderr, SiteTest, REPO};

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
        // At least the first release: later releases add pages, in the source language first.
        assert!(pages_of_kind(&dir, "guidance").len() >= 12, "{lang}: guidance articles");
        assert!(pages_of_kind(&dir, "checklist").len() >= 4, "{lang}: checklists");
        assert!(pages_of_kind(&dir, "template").len() >= 2, "{lang}: model documents");
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

/// The languages of the bundled portal, source first.
fn languages() -> Vec<String> {
    let mut langs: Vec<String> = std::fs::read_dir(Path::new(REPO).join("content"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    langs.sort_by_key(|l| (l != "en", l.clone()));
    langs
}

/// Output paths (`it/help.html`) of translations whose source changed since they were stamped.
/// `i18n status` reports them, and the completeness test fails on them; the promise checks below
/// hold every page a reader gets as current: the source, current translations and the fallbacks
/// that show the source's text.
fn stale_outputs(t: &SiteTest) -> BTreeSet<String> {
    let out = t.run(&["i18n", "status", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut stale = BTreeSet::new();
    for lang in report["languages"].as_array().unwrap() {
        for page in lang["pages"].as_array().unwrap() {
            if page["state"] == "stale" {
                let file = page["translation"].as_str().unwrap();
                stale.insert(output_of(file.strip_prefix("content/").unwrap()));
            }
        }
    }
    stale
}

/// `it/guidance/_index.md` -> `it/guidance/index.html`; `it/help.md` -> `it/help.html`.
fn output_of(content_path: &str) -> String {
    let html = content_path.strip_suffix(".md").unwrap().to_string() + ".html";
    match html.strip_suffix("_index.html") {
        Some(dir) => format!("{dir}index.html"),
        None => html,
    }
}

/// Where `href` on the page at `from` (an output path) leads inside the site: the output path and
/// the fragment. None for links that leave the site.
fn resolve_href(from: &str, href: &str) -> Option<(String, Option<String>)> {
    if href.contains("://") || href.starts_with("mailto:") || href.starts_with("tel:") || href.starts_with('/') {
        return None;
    }
    let (path, fragment) = match href.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (href, None),
    };
    if path.is_empty() {
        return Some((from.to_string(), fragment));
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in path.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    Some((parts.join("/"), fragment))
}

/// 1 for `<h1>` ... 6 for `<h6>`; None for any other element.
fn heading_level(el: &scraper::ElementRef) -> Option<u8> {
    match el.value().name() {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

/// The number of links leaving the site in the section a heading opens: the heading's following
/// siblings up to the next heading of the same or a higher level. None if `id` is not a heading.
fn outside_links_in_section(page: &scraper::Html, id: &str) -> Option<usize> {
    let heading = select(page, &format!("[id=\"{id}\"]")).into_iter().next()?;
    let level = heading_level(&heading)?;
    let outside = scraper::Selector::parse("a[href^=\"http://\"], a[href^=\"https://\"]").unwrap();
    let mut count = 0;
    for sibling in heading.next_siblings().filter_map(scraper::ElementRef::wrap) {
        if heading_level(&sibling).is_some_and(|l| l <= level) {
            break;
        }
        let here = sibling.value().name() == "a" && outside.matches(&sibling);
        count += usize::from(here) + sibling.select(&outside).count();
    }
    Some(count)
}

/// What is wrong with the pointers to the help page of `lang`: the help page must carry a
/// `#contacts` section with links to the authorities, and every link to it must land on a
/// section that holds such links (a link without a fragment lands on the page, which must then
/// carry them somewhere).
fn help_pointer_problems(public: &Path, lang: &str, stale: &BTreeSet<String>) -> Vec<String> {
    let help_path = format!("{lang}/help.html");
    let mut problems = Vec::new();
    if stale.contains(&help_path) {
        return problems;
    }
    let help = scraper::Html::parse_document(&std::fs::read_to_string(public.join(&help_path)).unwrap());
    let contacts = outside_links_in_section(&help, "contacts");
    if contacts.unwrap_or(0) == 0 {
        problems.push(format!("{help_path}: no #contacts section with links to the authorities ({contacts:?})"));
    }
    let help_has_outside_links = !select(&help, "main a[href^=\"https://\"], main a[href^=\"http://\"]").is_empty();
    for entry in walkdir::WalkDir::new(public.join(lang)).into_iter().flatten() {
        let rel = entry.path().strip_prefix(public).unwrap().to_string_lossy().replace('\\', "/");
        if !rel.ends_with(".html") || stale.contains(&rel) {
            continue;
        }
        let page = scraper::Html::parse_document(&std::fs::read_to_string(entry.path()).unwrap());
        // Navigation (the table of contents, breadcrumbs, menus) moves around a page; it makes
        // no promise about what a section holds.
        let in_nav = |a: &scraper::ElementRef| {
            a.ancestors().filter_map(scraper::ElementRef::wrap).any(|e| e.value().name() == "nav")
        };
        for a in select(&page, "a[href]") {
            let href = a.value().attr("href").unwrap_or_default();
            let Some((target, fragment)) = resolve_href(&rel, href) else { continue };
            if target != help_path || in_nav(&a) {
                continue;
            }
            let text: String = a.text().collect();
            match fragment {
                None if !help_has_outside_links => {
                    problems.push(format!("{rel}: \"{text}\" points at {help_path}, which links to no authority"))
                }
                None => {}
                Some(id) => match outside_links_in_section(&help, &id) {
                    Some(0) => problems.push(format!(
                        "{rel}: \"{text}\" points at {help_path}#{id}, a section without links to the authorities"
                    )),
                    Some(_) => {}
                    // Footnotes, the skip link: not sections.
                    None if !select(&help, &format!("[id=\"{id}\"]")).is_empty() => {}
                    None => {
                        problems.push(format!("{rel}: \"{text}\" points at {help_path}#{id}, which does not exist"))
                    }
                },
            }
        }
    }
    problems
}

#[test]
fn every_pointer_to_the_help_page_lands_on_the_contacts_it_promises() {
    // Regression: pages said "the numbers are on the help page" while the help page said the
    // list "will be added".
    let t = SiteTest::bundled();
    t.build_ok();
    let stale = stale_outputs(&t);
    let mut problems = Vec::new();
    for lang in languages() {
        problems.extend(help_pointer_problems(&t.public(), &lang, &stale));
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
    // The check saw real pointers, not an empty site.
    let help = t.html("en/help.html");
    assert!(
        outside_links_in_section(&help, "contacts").unwrap() >= 60,
        "an authority and a CSIRT per EU and EEA country"
    );
}

#[test]
fn every_guidance_page_says_when_it_was_last_reviewed() {
    // A translation shows its own front matter; an untranslated page shows the source's.
    let t = SiteTest::bundled();
    let stale = stale_outputs(&t);
    let mut missing = Vec::new();
    let mut checked = 0;
    for lang in languages() {
        let dir = Path::new(REPO).join("content").join(&lang);
        for page in pages_of_kind(&dir.join("guidance"), "guidance") {
            let rel = format!("{lang}/guidance/{page}");
            if stale.contains(&output_of(&rel)) {
                continue;
            }
            checked += 1;
            let front = front_matter(&dir.join("guidance").join(&page));
            match front.get("updated") {
                Some(toml::Value::Datetime(_)) => {}
                Some(toml::Value::String(s)) if s.len() == 10 && s.as_bytes()[4] == b'-' => {}
                other => missing.push(format!("content/{rel}: updated = {other:?}")),
            }
        }
    }
    assert!(checked >= 12, "{checked} guidance pages checked");
    assert!(missing.is_empty(), "guidance without a review date:\n{}", missing.join("\n"));
}

#[test]
fn news_section_holds_items_from_more_than_one_date() {
    // Regression: all four news items were the one event of 15 January 2025.
    let t = SiteTest::bundled();
    t.build_ok();
    for lang in languages() {
        let news = t.html(&format!("{lang}/news/index.html"));
        let dates: BTreeSet<String> = select(&news, "main time[datetime]")
            .iter()
            .filter_map(|e| e.value().attr("datetime").map(str::to_string))
            .collect();
        assert!(dates.len() >= 2, "{lang}/news/index.html: items from {dates:?}");
    }
}
