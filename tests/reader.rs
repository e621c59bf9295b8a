//! The reader's portal in the built HTML: the front door, the emergency route and the footer on
//! every page, who publishes the portal, last-reviewed dates, the language of untranslated
//! titles, the 404 page, and the settings behind them (`[pages]`, `[publisher]`).

use std::path::Path;

use crate::support::{attr, select, snapshot, stderr, text, SiteTest};

/// The site path a link on the page at `from` leads to (`en/guidance/x.html` + `../help.html`
/// -> `en/help.html`), without its fragment.
fn resolve(from: &str, href: &str) -> String {
    let file = href.split('#').next().unwrap();
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for segment in file.split('/') {
        match segment {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn hrefs(html: &scraper::Html, css: &str) -> Vec<String> {
    select(html, css).iter().filter_map(|a| a.value().attr("href")).map(str::to_string).collect()
}

#[test]
fn front_door_puts_the_urgent_panel_first_then_the_routes_then_the_news() {
    let t = SiteTest::bundled();
    t.build_ok();
    let mut route_ids = Vec::new();
    for lang in ["en", "it", "nl", "zh"] {
        let home = t.html(&format!("{lang}/index.html"));
        let main = select(&home, "main").into_iter().next().unwrap();
        let first = main.children().filter_map(scraper::ElementRef::wrap).next().unwrap();
        let first_child = first.children().filter_map(scraper::ElementRef::wrap).next().unwrap();
        assert_eq!(first_child.value().attr("class"), Some("urgent content"), "{lang}: the panel comes first");
        assert_eq!(attr(&home, ".urgent h2", "id").as_deref(), Some("urgent"), "{lang}");
        let urgent = hrefs(&home, ".urgent a");
        for target in ["help.html", "tools/ransomware-first-hour.html"] {
            assert!(urgent.iter().any(|h| h == target), "{lang}: the panel links {target}: {urgent:?}");
        }
        let routes: Vec<String> =
            select(&home, ".routes .route h2").iter().map(|h| h.value().attr("id").unwrap().to_string()).collect();
        assert_eq!(routes.len(), 3, "{lang}: three routes in");
        route_ids.push(routes);
        let route_links = hrefs(&home, ".routes a");
        for target in ["tools/self-assessment.html", "guidance/index.html", "training/index.html"] {
            assert!(route_links.iter().any(|h| h == target), "{lang}: a route leads to {target}: {route_links:?}");
        }
        assert!(select(&home, ".toc").is_empty(), "{lang}: a front door has no table of contents");
        // Document order: panel, routes, latest news, then the rest (who runs the portal).
        let html = t.read(&format!("{lang}/index.html"));
        let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("{lang}: no {needle}"));
        assert!(at("class=\"urgent") < at("class=\"routes\""), "{lang}");
        assert!(at("class=\"routes\"") < at("class=\"latest-news\""), "{lang}");
        assert!(at("class=\"latest-news\"") < at("id=\"who-runs-this-portal\""), "{lang}");
        assert!(select(&home, ".news-list li time").len() >= 3, "{lang}: the latest news");
        assert!(!text(&home, "main .home-publisher .publisher-name").is_empty(), "{lang}: who publishes the portal");
    }
    assert!(route_ids.windows(2).all(|w| w[0] == w[1]), "the same routes in every language: {route_ids:?}");
}

#[test]
fn every_page_offers_the_emergency_route_and_the_footer_links() {
    let t = SiteTest::bundled();
    t.build_ok();
    let mut pages = 0;
    for (path, bytes) in snapshot(&t.public()) {
        let Some((lang, _)) = path.split_once('/') else { continue };
        if !path.ends_with(".html") || lang == "assets" || lang == "search" {
            continue;
        }
        let html = scraper::Html::parse_document(&String::from_utf8_lossy(&bytes));
        let emergency: Vec<String> = hrefs(&html, ".emergency a").iter().map(|h| resolve(&path, h)).collect();
        assert_eq!(
            emergency,
            [format!("{lang}/help.html"), format!("{lang}/tools/ransomware-first-hour.html")],
            "{path}"
        );
        let footer: Vec<String> = hrefs(&html, ".footer-nav a").iter().map(|h| resolve(&path, h)).collect();
        for page in ["about", "accessibility", "privacy", "help"] {
            assert!(footer.contains(&format!("{lang}/{page}.html")), "{path}: footer links {page}: {footer:?}");
        }
        pages += 1;
    }
    assert!(pages > 150, "{pages} pages checked");
}

#[test]
fn main_menu_leaves_the_footer_pages_to_the_footer() {
    let t = SiteTest::bundled();
    t.build_ok();
    let nav: Vec<String> =
        select(&t.html("en/guidance/backups.html"), ".main-nav a").iter().map(|a| a.text().collect()).collect();
    assert_eq!(nav, ["Guidance", "Tools", "Training", "News"]);
}

#[test]
fn publisher_is_shown_in_the_footer_and_on_the_about_page_in_every_language() {
    let t = SiteTest::bundled();
    t.build_ok();
    let config: toml::Table = toml::from_str(&std::fs::read_to_string(t.root.join("portal.toml")).unwrap()).unwrap();
    let name = config["publisher"]["name"].as_str().unwrap().to_string();
    assert!(name.contains("to be filled in by the publisher"), "the bundled publisher is a placeholder: {name}");
    for lang in ["en", "it", "nl", "zh"] {
        for page in ["index.html", "guidance/backups.html", "about.html"] {
            let html = t.html(&format!("{lang}/{page}"));
            assert_eq!(text(&html, ".site-footer .publisher-name"), name, "{lang}/{page}");
            // Written in English: marked so on the other languages' pages.
            let marked = attr(&html, ".site-footer .publisher-name", "lang");
            assert_eq!(marked.as_deref(), (lang != "en").then_some("en"), "{lang}/{page}");
        }
        let about = t.html(&format!("{lang}/about.html"));
        assert_eq!(select(&about, ".publisher-details dd").len(), 3, "{lang}: name, contact, how to report an error");
        assert!(select(&t.html(&format!("{lang}/accessibility.html")), ".publisher-details").len() == 1, "{lang}");
        assert!(select(&t.html(&format!("{lang}/guidance/backups.html")), ".publisher-details").is_empty(), "{lang}");
    }
}

#[test]
fn publisher_addresses_become_links_and_the_feed_names_the_publisher() {
    let t = SiteTest::fixture("basic");
    let config = std::fs::read_to_string(t.root.join("portal.toml")).unwrap();
    t.write(
        "portal.toml",
        &format!(
            "{config}\n[publisher]\nname = \"Example Health Agency\"\ncontact = \"mailto:portal@example.org\"\nreport_error = \"https://example.org/report\"\n\n[pages]\nabout = \"guidance/updates.md\"\n"
        ),
    );
    t.build_ok();
    let about = t.html("en/guidance/updates.html");
    assert_eq!(
        attr(&about, ".publisher-details a[href^=mailto]", "href").as_deref(),
        Some("mailto:portal@example.org")
    );
    assert_eq!(text(&about, ".publisher-details a[href^=mailto]"), "portal@example.org");
    assert_eq!(
        attr(&about, ".publisher-details a[href^=https]", "href").as_deref(),
        Some("https://example.org/report")
    );
    assert!(t.read("en/news/atom.xml").contains("<author><name>Example Health Agency</name></author>"));
    // `[pages] about` leaves the main menu.
    let nav: Vec<String> = select(&about, ".main-nav a").iter().map(|a| a.text().collect()).collect();
    assert_eq!(nav, ["Guidance", "Tools", "News"]);
}

#[test]
fn last_reviewed_dates_are_written_in_the_readers_language_and_carried_into_the_feed() {
    let t = SiteTest::fixture("basic");
    t.write(
        "content/en/guidance/backups.md",
        "+++\ntitle = \"Backups\"\nkind = \"guidance\"\nweight = 2\nupdated = 2026-03-02\n+++\nBackups protect you.\n",
    );
    t.write(
        "content/en/news/later.md",
        "+++\ntitle = \"Second item\"\nkind = \"news\"\ndate = 2025-03-01\nupdated = 2026-01-20\n+++\nLater news.\n",
    );
    t.build_ok();
    let en = t.html("en/guidance/backups.html");
    assert_eq!(text(&en, ".meta .reviewed"), "Last reviewed 2 March 2026");
    assert_eq!(attr(&en, ".meta .reviewed time", "datetime").as_deref(), Some("2026-03-02"));
    // An untranslated page shows the date in the reader's language, marked as such.
    let zh = t.html("zh/guidance/backups.html");
    assert_eq!(text(&zh, ".meta .reviewed"), "最近审核：2026年3月2日");
    assert_eq!(attr(&zh, ".meta", "lang").as_deref(), Some("zh"));
    assert_eq!(text(&t.html("it/guidance/updates.html"), ".meta"), "", "no date, no line");
    let feed = t.read("en/news/atom.xml");
    let entry = &feed[feed.find("Second item").unwrap()..];
    let entry = &entry[..entry.find("</entry>").unwrap()];
    assert!(entry.contains("<updated>2026-01-20T00:00:00Z</updated>"), "{entry}");
    assert!(entry.contains("<published>2025-03-01T00:00:00Z</published>"), "{entry}");
    let head = &feed[..feed.find("<entry>").unwrap()];
    assert!(head.contains("<updated>2026-01-20T00:00:00Z</updated>"), "the feed's date is its latest entry's: {head}");
    // The guidance feed announces reviews: the reviewed page, not the one without a date.
    let guidance = t.read("en/guidance/atom.xml");
    assert!(guidance.contains("<title>Backups</title>") && !guidance.contains("<title>Updates</title>"), "{guidance}");
    assert!(guidance.contains("<updated>2026-03-02T00:00:00Z</updated>"), "{guidance}");
    assert_eq!(
        attr(&en, "link[rel=alternate][type='application/atom+xml'][href='atom.xml']", "title").as_deref(),
        Some("Guidance updates")
    );
    // News lists write dates for readers too.
    let news = t.html("en/news/index.html");
    let card = select(&news, ".card").into_iter().find(|c| c.text().any(|t| t.contains("Second item"))).unwrap();
    let time: String = card.select(&scraper::Selector::parse("time").unwrap()).next().unwrap().text().collect();
    assert_eq!(time, "1 March 2025");
}

#[test]
fn untranslated_titles_are_marked_with_their_language_and_direction() {
    let t = SiteTest::fixture("basic");
    t.build_ok();
    // zh has only its home: guidance is an English fallback.
    let page = t.html("zh/guidance/backups.html");
    for css in
        [".main-nav a", ".breadcrumbs li:nth-child(2) a", ".breadcrumbs [aria-current=page]", ".section-nav li a"]
    {
        let marked = select(&page, css);
        assert!(!marked.is_empty(), "{css}");
        for e in marked {
            assert_eq!(e.value().attr("lang"), Some("en"), "{css}: {}", e.html());
            assert_eq!(e.value().attr("dir"), Some("ltr"), "{css}: {}", e.html());
        }
    }
    let section = t.html("zh/guidance/index.html");
    assert!(select(&section, ".card h3 a").iter().all(|a| a.value().attr("lang") == Some("en")));
    // Translated titles carry no mark: the page's language is theirs.
    let it = t.html("it/guidance/backup.html");
    let crumb = select(&it, ".breadcrumbs [aria-current=page]");
    assert_eq!(crumb[0].value().attr("lang"), None);
    let home = select(&it, ".breadcrumbs a");
    assert_eq!(home[0].value().attr("lang"), None);
}

#[test]
fn the_portal_name_can_be_translated() {
    let t = SiteTest::fixture("basic");
    let config = std::fs::read_to_string(t.root.join("portal.toml")).unwrap();
    t.write("portal.toml", &format!("{config}\n[languages.zh]\ntitle = \"医疗网络安全门户\"\n"));
    t.build_ok();
    let zh = t.html("zh/index.html");
    assert_eq!(text(&zh, ".brand"), "医疗网络安全门户");
    assert_eq!(text(&zh, "title"), "医疗网络安全门户");
    assert_eq!(text(&t.html("en/index.html"), ".brand"), "Fixture Portal");
}

#[test]
fn settings_pages_that_do_not_exist_are_named_at_their_line_and_fail_strict_checks() {
    let t = SiteTest::fixture("basic");
    let config = std::fs::read_to_string(t.root.join("portal.toml")).unwrap();
    let lines = config.lines().count();
    t.write("portal.toml", &format!("{config}\n[pages]\nhelp = \"help.md\"\nabout = \"guidance/backups.md\"\n"));
    let message =
        format!("portal.toml:{}:8: warning: [pages] help = \"help.md\": no page content/en/help.md", lines + 3);
    // A build goes ahead without the link (a corpus may borrow the settings of a site) ...
    let err = t.build_ok();
    assert!(err.contains(&message), "{err}");
    assert!(select(&t.html("en/guidance/updates.html"), ".emergency").is_empty(), "no help page, no emergency bar");
    assert!(!err.contains("about ="), "an existing page is fine: {err}");
    // ... and a strict check fails on it.
    let out = t.run(&["check", "--strict"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains(&message), "{}", stderr(&out));
}

#[test]
fn publisher_settings_reject_unknown_keys() {
    let t = SiteTest::fixture("basic");
    let config = std::fs::read_to_string(t.root.join("portal.toml")).unwrap();
    let lines = config.lines().count();
    t.write("portal.toml", &format!("{config}\n[publisher]\nname = \"x\"\ncontact = \"y\"\nphone = \"z\"\n"));
    let out = t.build();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(&format!("portal.toml:{}:", lines + 5)) && err.contains("phone"), "{err}");
}

#[test]
fn not_found_page_speaks_every_language_with_links_from_the_site_path() {
    let t = SiteTest::fixture("basic");
    t.build_ok();
    let page = t.html("404.html");
    let langs: Vec<&str> =
        select(&page, ".not-found-message").iter().map(|s| s.value().attr("lang").unwrap()).collect();
    assert_eq!(langs, ["en", "it", "zh"]);
    assert_eq!(text(&page, ".not-found-message[lang=it] h2"), "Pagina non trovata");
    assert_eq!(attr(&page, ".not-found-message[lang=zh] a", "href").as_deref(), Some("/sub/zh/index.html"));
    // base_url is https://fixture.example/sub/: every URL starts with /sub/, whatever the depth
    // of the missing URL the host shows this page for.
    for e in select(&page, "[href], [src], [action]") {
        let url = ["href", "src", "action"].iter().find_map(|a| e.value().attr(a)).unwrap();
        assert!(url.starts_with("/sub/") || url.starts_with('#'), "{url} in {}", e.html());
    }
    assert_eq!(attr(&page, "html", "data-root").as_deref(), Some("/sub/"));
    assert!(Path::new(&t.public().join("404.html")).is_file());
}

#[test]
fn no_page_shows_markdown_emphasis_marks() {
    // CommonMark closes ** only before punctuation or space: "。**把" stays literal in Chinese.
    let t = SiteTest::bundled();
    t.build_ok();
    for (path, bytes) in snapshot(&t.public()).iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = scraper::Html::parse_document(&String::from_utf8_lossy(bytes));
        let body: String = select(&html, "main").iter().flat_map(|m| m.text()).collect();
        assert!(!body.contains("**"), "{path}: literal ** in the text");
    }
}
