//! Machine-readable companions of the site: `sitemap.xml` with hreflang alternates,
//! `robots.txt`, and an Atom feed of each language's news. These are the only outputs with
//! absolute URLs, because their formats require them.

use std::fmt::Write;

use crate::content::Kind;
use crate::output::OutputFile;
use crate::site::Site;

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `sitemap.xml`: every translated page (fallbacks are `noindex`), with its alternates.
pub fn render_sitemap(site: &Site) -> OutputFile {
    let base = &site.config.base_url;
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    for route in site.routes.routes.iter().filter(|r| !r.fallback) {
        let page = &site.content.pages[route.page];
        let _ = writeln!(xml, "  <url>\n    <loc>{}</loc>", xml_escape(&format!("{base}{}", route.url)));
        if let Some(date) = page.front.updated.as_ref().or(page.front.date.as_ref()) {
            let _ = writeln!(xml, "    <lastmod>{date}</lastmod>");
        }
        for language in &site.languages {
            if let Some(r) = site.routes.by_key(&language.code, &route.key).filter(|&r| !site.routes.routes[r].fallback)
            {
                let _ = writeln!(
                    xml,
                    "    <xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                    xml_escape(&language.code),
                    xml_escape(&format!("{base}{}", site.routes.routes[r].url))
                );
            }
        }
        xml.push_str("  </url>\n");
    }
    xml.push_str("</urlset>\n");
    OutputFile::new("sitemap.xml", xml.into_bytes(), "portal.toml")
}

pub fn render_robots(site: &Site) -> OutputFile {
    let text = format!("User-agent: *\nAllow: /\n\nSitemap: {}sitemap.xml\n", site.config.base_url);
    OutputFile::new("robots.txt", text.into_bytes(), "portal.toml")
}

/// A feed's entries are the pages of this kind in this section of a language.
struct FeedSpec {
    kind: Kind,
    /// The section folder: `news`, `guidance`.
    section: &'static str,
    /// The UI string of the feed's title.
    title_key: &'static str,
    /// Order: newest first by this date (news by publication, guidance by last review).
    by_review: bool,
}

/// The feeds of a language: its news, and the review dates of its guidance.
const FEEDS: [FeedSpec; 2] = [
    FeedSpec { kind: Kind::News, section: "news", title_key: "news.feed_title", by_review: false },
    FeedSpec { kind: Kind::Guidance, section: "guidance", title_key: "guidance.feed_title", by_review: true },
];

/// The site path of `lang`'s feed of `section`, if the language has that section.
pub fn feed_path(site: &Site, lang: &str, section: &str) -> Option<String> {
    site.routes.by_path(lang, &format!("{section}/_index.md")).map(|_| format!("{lang}/{section}/atom.xml"))
}

/// An Atom feed per language and section with one (news: what happened; guidance: which
/// pages were reviewed), newest first. An entry's `<updated>` is its front matter `updated`
/// (the last review) or else its `date`, and `<published>` its `date`; the feed's `<updated>`
/// is the latest of its entries', never the clock, so builds stay reproducible.
pub fn render_feeds(site: &Site) -> Vec<OutputFile> {
    let mut feeds = Vec::new();
    for language in &site.languages {
        for spec in &FEEDS {
            if let Some(path) = feed_path(site, &language.code, spec.section) {
                feeds.push(render_feed(site, &language.code, spec, path));
            }
        }
    }
    feeds
}

fn render_feed(site: &Site, lang: &str, spec: &FeedSpec, path: String) -> OutputFile {
    let base = &site.config.base_url;
    let mut items: Vec<(&crate::content::Page, &str)> = site
        .routes
        .routes
        .iter()
        .filter(|r| r.lang == lang && !r.fallback)
        .map(|r| (&site.content.pages[r.page], r.url.as_str()))
        .filter(|(p, _)| p.front.kind == spec.kind)
        .collect();
    let updated_of = |p: &crate::content::Page| p.front.updated.or(p.front.date).map(|d| d.to_string());
    let order_of = |p: &crate::content::Page| {
        if spec.by_review {
            updated_of(p).unwrap_or_default()
        } else {
            p.front.date.map(|d| d.to_string()).unwrap_or_default()
        }
    };
    if spec.by_review {
        // A guidance page without a review date has nothing to announce.
        items.retain(|(p, _)| updated_of(p).is_some());
    }
    items.sort_by(|a, b| order_of(b.0).cmp(&order_of(a.0)).then_with(|| a.1.cmp(b.1)));
    let updated = items.iter().filter_map(|(p, _)| updated_of(p)).max().unwrap_or_else(|| "1970-01-01".into());
    let feed_url = format!("{base}{path}");
    let title = site.strings.text(lang, spec.title_key);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(xml, "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">", xml_escape(lang));
    let _ = writeln!(xml, "  <title>{}</title>", xml_escape(&format!("{} – {title}", site.config.site_title(lang))));
    let _ = writeln!(xml, "  <id>{}</id>", xml_escape(&feed_url));
    let _ = writeln!(xml, "  <link rel=\"self\" href=\"{}\"/>", xml_escape(&feed_url));
    let _ = writeln!(
        xml,
        "  <link rel=\"alternate\" href=\"{}\"/>",
        xml_escape(&format!("{base}{lang}/{}/index.html", spec.section))
    );
    let _ = writeln!(xml, "  <updated>{updated}T00:00:00Z</updated>");
    // Who publishes the portal is the feed's author; the portal's name until that is set.
    let author = site.config.publisher.as_ref().map_or(site.config.site_title(lang), |p| p.name.as_str());
    let _ = writeln!(xml, "  <author><name>{}</name></author>", xml_escape(author));
    for (page, url) in items {
        let link = format!("{base}{url}");
        let _ = writeln!(xml, "  <entry>");
        let _ = writeln!(xml, "    <title>{}</title>", xml_escape(&page.front.title));
        let _ = writeln!(xml, "    <id>{}</id>", xml_escape(&link));
        let _ = writeln!(xml, "    <link rel=\"alternate\" href=\"{}\"/>", xml_escape(&link));
        let entry_updated = updated_of(page).unwrap_or_else(|| updated.clone());
        let _ = writeln!(xml, "    <updated>{entry_updated}T00:00:00Z</updated>");
        if let Some(date) = page.front.date {
            let _ = writeln!(xml, "    <published>{date}T00:00:00Z</published>");
        }
        let _ = writeln!(xml, "    <summary>{}</summary>", xml_escape(&page.front.description));
        let _ = writeln!(xml, "  </entry>");
    }
    xml.push_str("</feed>\n");
    OutputFile::new(path, xml.into_bytes(), format!("content/{lang}/{}/_index.md", spec.section))
}
