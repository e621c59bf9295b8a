//! A page's rendered HTML split at its top-level `<h2>` headings, so that a template can place
//! the parts (the home page's front door puts the part `#urgent` first, the `#route-*` parts
//! side by side). Pure: works on the HTML and table of contents that `markdown` produced.

use crate::markdown::TocEntry;

/// One part of a page: a top-level `<h2>` and what follows it up to the next one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Part {
    /// The heading's id (`{#urgent}` in the Markdown), the same in every language.
    pub id: String,
    /// The heading's text, for `aria-label`s and lists.
    pub title: String,
    /// The `<h2>` element itself.
    pub heading: String,
    /// The HTML after the heading.
    pub body: String,
}

/// Containers that an `<h2>` may sit in (a callout, a list item): a heading inside one does not
/// start a part, or the split would cut the container in two.
const CONTAINERS: &[&str] = &["blockquote", "li", "div", "details", "table", "aside", "section"];

/// The HTML before the first top-level `<h2>`, and one part per top-level `<h2>`. Joining the
/// intro and every part's heading and body gives the HTML back unchanged.
pub fn split_parts(html: &str, toc: &[TocEntry]) -> (String, Vec<Part>) {
    let mut starts = Vec::new();
    for entry in toc.iter().filter(|e| e.level == 2) {
        let marker = format!("<h2 id=\"{}\"", crate::templates::escape_html(&entry.id));
        if let Some(at) = html.find(&marker) {
            if is_top_level(&html[..at]) {
                starts.push((at, entry));
            }
        }
    }
    starts.sort_by_key(|(at, _)| *at);
    let intro_end = starts.first().map_or(html.len(), |(at, _)| *at);
    let mut parts = Vec::new();
    for (i, &(at, entry)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(html.len(), |(next, _)| *next);
        let chunk = &html[at..end];
        let heading_end = chunk.find("</h2>").map_or(chunk.len(), |i| i + "</h2>".len());
        parts.push(Part {
            id: entry.id.clone(),
            title: entry.title.clone(),
            heading: chunk[..heading_end].to_string(),
            body: chunk[heading_end..].to_string(),
        });
    }
    (html[..intro_end].to_string(), parts)
}

/// True if every container opened in `before` is closed again.
fn is_top_level(before: &str) -> bool {
    CONTAINERS.iter().all(|tag| {
        let opened = before.matches(&format!("<{tag}>")).count() + before.matches(&format!("<{tag} ")).count();
        opened == before.matches(&format!("</{tag}>")).count()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toc(ids: &[&str]) -> Vec<TocEntry> {
        ids.iter().map(|id| TocEntry { level: 2, id: id.to_string(), title: id.to_uppercase() }).collect()
    }

    #[test]
    fn parts_split_at_top_level_headings_and_join_back() {
        let html = "<p>Intro</p>\n<h2 id=\"urgent\">Now</h2>\n<p>Call.</p>\n<h2 id=\"route-a\">A</h2>\n<ul>\n<li>x</li>\n</ul>\n";
        let (intro, parts) = split_parts(html, &toc(&["urgent", "route-a"]));
        assert_eq!(intro, "<p>Intro</p>\n");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].id, "urgent");
        assert_eq!(parts[0].heading, "<h2 id=\"urgent\">Now</h2>");
        assert_eq!(parts[0].body, "\n<p>Call.</p>\n");
        assert_eq!(parts[1].title, "ROUTE-A");
        let joined: String =
            std::iter::once(intro.clone()).chain(parts.iter().map(|p| format!("{}{}", p.heading, p.body))).collect();
        assert_eq!(joined, html);
    }

    #[test]
    fn a_heading_inside_a_callout_stays_in_its_part() {
        let html = "<h2 id=\"a\">A</h2>\n<blockquote class=\"callout\">\n<h2 id=\"b\">B</h2>\n</blockquote>\n";
        let (intro, parts) = split_parts(html, &toc(&["a", "b"]));
        assert_eq!(intro, "");
        assert_eq!(parts.len(), 1);
        assert!(parts[0].body.contains("<h2 id=\"b\">B</h2>\n</blockquote>"));
    }

    #[test]
    fn a_page_without_headings_is_all_intro() {
        let (intro, parts) = split_parts("<p>Only text.</p>\n", &[]);
        assert_eq!(intro, "<p>Only text.</p>\n");
        assert!(parts.is_empty());
    }
}
