//! Markdown -> HTML with pulldown-cmark: stable heading ids, a table of contents, GitHub-style
//! callouts, task lists, links rewritten to output URLs (each located by file line), and the
//! plain text of each section for the search index. Pure: link resolution is passed in.

use std::collections::HashSet;
use std::path::Path;

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::error::{line_col, Diagnostic};
use crate::templates::escape_html;

/// What a link in the text leads to, as decided by the caller's resolver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedLink {
    /// The `href` to write.
    pub href: String,
    /// For links to another page of the site: its route and the anchor to check later.
    pub target: Option<(usize, Option<String>)>,
}

/// An internal link whose anchor must be checked once every page is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorRef {
    pub route: usize,
    pub anchor: String,
    pub line: usize,
    pub column: usize,
}

/// A heading of the page, for the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// The text under one heading (or before the first), for search.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section {
    /// Heading id, empty for the part before the first heading.
    pub id: String,
    pub heading: String,
    pub text: String,
}

/// A rendered page body.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// Every id a link may point at (headings, footnotes).
    pub anchors: HashSet<String>,
    pub anchor_refs: Vec<AnchorRef>,
    pub sections: Vec<Section>,
    pub task_count: usize,
    pub diagnostics: Vec<Diagnostic>,
}

/// How to render one body.
pub struct RenderOptions<'a> {
    pub file: &'a Path,
    /// Line of the file on which the body starts.
    pub body_line: usize,
    /// Task-list boxes are tickable (checklists) rather than disabled.
    pub interactive_tasks: bool,
    /// A UI string of the text's language by key (`callout.warning`, `content.table`).
    pub ui_text: &'a dyn Fn(&str) -> String,
    /// Maps a link or image destination to what to write, or an error message.
    pub resolve_link: &'a dyn Fn(&str) -> Result<ResolvedLink, String>,
}

pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// Turns heading text into an id: lowercase letters and digits of any script, words joined by
/// hyphens, punctuation dropped. Chinese headings keep their characters, so ids stay readable.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    let mut pending_hyphen = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if pending_hyphen && !slug.is_empty() {
                slug.push('-');
            }
            pending_hyphen = false;
            slug.push(c);
        } else if c.is_whitespace() || c == '-' || c == '_' {
            pending_hyphen = true;
        }
    }
    if slug.is_empty() {
        "section".to_string()
    } else {
        slug
    }
}

/// The UI strings a Markdown body shows (callout titles, the label of tables): a body depends
/// on these, in its text's language, and on no other string.
pub fn ui_keys() -> Vec<String> {
    let callouts = ["note", "tip", "important", "warning", "caution"].map(|k| format!("callout.{k}"));
    callouts.into_iter().chain(["content.table".to_string()]).collect()
}

fn callout_kind(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Note => "note",
        BlockQuoteKind::Tip => "tip",
        BlockQuoteKind::Important => "important",
        BlockQuoteKind::Warning => "warning",
        BlockQuoteKind::Caution => "caution",
    }
}

/// Renders a Markdown body.
pub fn render_markdown(body: &str, opts: &RenderOptions) -> Rendered {
    let mut out = Rendered::default();
    let locate = |offset: usize| {
        let (line, column) = line_col(body, offset);
        (line + opts.body_line - 1, column)
    };
    let mut events: Vec<(Event, std::ops::Range<usize>)> =
        Parser::new_ext(body, options()).into_offset_iter().collect();

    assign_heading_ids(&mut events, &mut out);

    let mut section = Section::default();
    let mut in_heading = false;
    let mut heading_text = String::new();
    let mut task_index = 0;
    let mut table_count = 0;
    let mut html_events: Vec<Event> = Vec::with_capacity(events.len());
    // A reference to an undefined footnote stays plain text (`[^1]`), possibly split over
    // adjacent text events; runs of text are joined to find it.
    let mut text_run = (String::new(), 0);
    for i in 0..events.len() {
        let (event, range) = (events[i].0.clone(), events[i].1.clone());
        if let Event::Text(t) = &event {
            if text_run.0.is_empty() {
                text_run.1 = range.start;
            }
            text_run.0.push_str(t);
        } else if !text_run.0.is_empty() {
            report_undefined_footnotes(&text_run.0, locate(text_run.1), opts.file, &mut out.diagnostics);
            text_run.0.clear();
        }
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                in_heading = true;
                heading_text.clear();
                push_section(&mut out.sections, std::mem::take(&mut section));
                section.id = id.as_deref().unwrap_or_default().to_string();
                html_events.push(events[i].0.clone());
            }
            Event::End(TagEnd::Heading(_)) => {
                in_heading = false;
                section.heading = heading_text.trim().to_string();
                html_events.push(event);
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let dest = rewrite_dest(&dest_url, range.start, opts, &locate, &mut out);
                html_events.push(Event::Start(Tag::Link { link_type, dest_url: dest, title, id }));
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                let dest = rewrite_dest(&dest_url, range.start, opts, &locate, &mut out);
                html_events.push(Event::Start(Tag::Image { link_type, dest_url: dest, title, id }));
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let kind = callout_kind(kind);
                html_events.push(Event::Html(CowStr::from(format!(
                    "<div class=\"callout callout-{kind}\" role=\"note\">\n<p class=\"callout-title\">{}</p>\n",
                    escape_html(&(opts.ui_text)(&format!("callout.{kind}")))
                ))));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => html_events.push(Event::Html(CowStr::from("</div>\n"))),
            // A wide table scrolls inside its wrapper, which keyboard users must be able to focus.
            Event::Start(Tag::Table(_)) => {
                table_count += 1;
                html_events.push(Event::Html(CowStr::from(format!(
                    "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"{} {table_count}\">\n",
                    escape_html(&(opts.ui_text)("content.table"))
                ))));
                html_events.push(event);
            }
            Event::End(TagEnd::Table) => {
                html_events.push(event);
                html_events.push(Event::Html(CowStr::from("</div>\n")));
            }
            Event::TaskListMarker(checked) => {
                let label = escape_html(&task_label(&events[i + 1..]));
                let state = if opts.interactive_tasks { "" } else { " disabled" };
                let checked = if checked { " checked" } else { "" };
                html_events.push(Event::Html(CowStr::from(format!(
                    "<input type=\"checkbox\" class=\"task\" data-task=\"{task_index}\" aria-label=\"{label}\"{state}{checked}> "
                ))));
                task_index += 1;
            }
            Event::Html(raw) | Event::InlineHtml(raw) => {
                // Raw HTML could carry scripts or styles past the CSP review; show it as text.
                let (line, column) = locate(range.start);
                out.diagnostics.push(Diagnostic::warning(
                    opts.file,
                    line,
                    column,
                    "raw HTML is shown as text; write Markdown instead",
                ));
                section.text.push_str(&raw);
                html_events.push(Event::Text(raw));
            }
            Event::Text(ref text) | Event::Code(ref text) => {
                if in_heading {
                    heading_text.push_str(text);
                } else {
                    section.text.push_str(text);
                }
                html_events.push(event);
            }
            Event::SoftBreak | Event::HardBreak => {
                section.text.push(' ');
                html_events.push(event);
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::CodeBlock) => {
                section.text.push(' ');
                html_events.push(event);
            }
            other => html_events.push(other),
        }
    }
    report_undefined_footnotes(&text_run.0, locate(text_run.1), opts.file, &mut out.diagnostics);
    push_section(&mut out.sections, section);
    out.task_count = task_index;
    pulldown_cmark::html::push_html(&mut out.html, html_events.into_iter());
    out
}

fn report_undefined_footnotes(text: &str, (line, column): (usize, usize), file: &Path, out: &mut Vec<Diagnostic>) {
    let mut rest = text;
    while let Some(i) = rest.find("[^") {
        rest = &rest[i + 2..];
        if let Some(end) = rest.find(']').filter(|&e| e > 0 && !rest[..e].contains(char::is_whitespace)) {
            let label = &rest[..end];
            out.push(Diagnostic::error(
                file,
                line,
                column,
                format!("footnote `[^{label}]` has no definition (add `[^{label}]: source` on its own line)"),
            ));
        }
    }
}

fn push_section(sections: &mut Vec<Section>, mut section: Section) {
    section.text = section.text.split_whitespace().collect::<Vec<_>>().join(" ");
    if !section.text.is_empty() || !section.heading.is_empty() {
        sections.push(section);
    }
}

/// Gives every heading a unique id (an explicit `{#id}` wins) and fills the TOC and anchors.
fn assign_heading_ids(events: &mut [(Event, std::ops::Range<usize>)], out: &mut Rendered) {
    for (event, _) in events.iter() {
        match event {
            Event::Start(Tag::Heading { id: Some(id), .. }) => {
                out.anchors.insert(id.to_string());
            }
            Event::Start(Tag::FootnoteDefinition(name)) => {
                out.anchors.insert(name.to_string());
            }
            _ => {}
        }
    }
    for i in 0..events.len() {
        let Event::Start(Tag::Heading { level, id, .. }) = &events[i].0 else {
            continue;
        };
        let level = *level;
        let explicit = id.is_some();
        let text: String = events[i + 1..]
            .iter()
            .take_while(|(e, _)| !matches!(e, Event::End(TagEnd::Heading(_))))
            .filter_map(|(e, _)| match e {
                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        let id = if let Some(id) = id.as_deref().filter(|_| explicit) {
            id.to_string()
        } else {
            let base = slugify(&text);
            let mut candidate = base.clone();
            let mut n = 1;
            while out.anchors.contains(&candidate) {
                candidate = format!("{base}-{n}");
                n += 1;
            }
            out.anchors.insert(candidate.clone());
            candidate
        };
        if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[i].0 {
            *slot = Some(CowStr::from(id.clone()));
        }
        if matches!(level, HeadingLevel::H2 | HeadingLevel::H3) {
            out.toc.push(TocEntry { level: level as u8, id, title: text.trim().to_string() });
        }
    }
}

/// The visible text of a task item, up to its end or a nested list.
fn task_label(rest: &[(Event, std::ops::Range<usize>)]) -> String {
    let mut label = String::new();
    for (event, _) in rest {
        match event {
            Event::End(TagEnd::Item) | Event::Start(Tag::List(_)) => break,
            Event::Text(t) | Event::Code(t) => label.push_str(t),
            Event::SoftBreak | Event::HardBreak => label.push(' '),
            _ => {}
        }
    }
    label.trim().to_string()
}

fn rewrite_dest<'a>(
    dest: &CowStr<'a>,
    offset: usize,
    opts: &RenderOptions,
    locate: &dyn Fn(usize) -> (usize, usize),
    out: &mut Rendered,
) -> CowStr<'a> {
    match (opts.resolve_link)(dest) {
        Ok(resolved) => {
            if let Some((route, Some(anchor))) = resolved.target {
                let (line, column) = locate(offset);
                out.anchor_refs.push(AnchorRef { route, anchor, line, column });
            }
            CowStr::from(resolved.href)
        }
        Err(message) => {
            let (line, column) = locate(offset);
            out.diagnostics.push(Diagnostic::error(opts.file, line, column, message));
            dest.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(body: &str) -> Rendered {
        let resolve = |dest: &str| -> Result<ResolvedLink, String> {
            if dest == "missing.md" {
                Err("no page missing.md".into())
            } else if let Some(anchor) = dest.strip_prefix("other.md#") {
                Ok(ResolvedLink { href: format!("other.html#{anchor}"), target: Some((7, Some(anchor.into()))) })
            } else {
                Ok(ResolvedLink { href: dest.replace(".md", ".html"), target: None })
            }
        };
        let title = |key: &str| format!("T-{key}");
        let opts = RenderOptions {
            file: Path::new("p.md"),
            body_line: 5,
            interactive_tasks: true,
            ui_text: &title,
            resolve_link: &resolve,
        };
        render_markdown(body, &opts)
    }

    #[test]
    fn heading_ids_are_unique_readable_and_overridable() {
        let r = render("## Back up!\n\n## Back up\n\n## 什么是 网络钓鱼？\n\n### Custom {#mine}\n");
        let ids: Vec<&str> = r.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["back-up", "back-up-1", "什么是-网络钓鱼", "mine"]);
        assert!(r.html.contains("<h2 id=\"back-up-1\">"), "{}", r.html);
    }

    #[test]
    fn broken_link_is_located_in_the_file() {
        let r = render("Intro\n\nSee [x](missing.md) here.\n");
        assert_eq!(r.diagnostics.len(), 1);
        assert_eq!((r.diagnostics[0].line, r.diagnostics[0].column), (7, 5));
    }

    #[test]
    fn links_are_rewritten_and_anchors_queued() {
        let r = render("[a](b.md) and [c](other.md#restore)\n");
        assert!(r.html.contains("href=\"b.html\""));
        assert_eq!(r.anchor_refs, vec![AnchorRef { route: 7, anchor: "restore".into(), line: 5, column: 15 }]);
    }

    #[test]
    fn callouts_tasks_and_raw_html() {
        let r = render(
            "> [!WARNING]\n> Do not switch off.\n\n- [ ] Isolate `PC`\n- [x] Call\n\n<script>alert(1)</script>\n",
        );
        assert!(r.html.contains("class=\"callout callout-warning\""));
        assert!(r.html.contains("T-callout.warning"));
        assert!(r.html.contains("aria-label=\"Isolate PC\""), "{}", r.html);
        assert_eq!(r.task_count, 2);
        assert!(!r.html.contains("<script>"));
        assert!(r.html.contains("&lt;script&gt;"));
        assert_eq!(r.diagnostics.len(), 1);
    }

    #[test]
    fn undefined_footnote_is_an_error() {
        let r = render("A claim.[^1] Another.[^2]\n\n[^2]: Source.\n");
        assert_eq!(r.diagnostics.len(), 1);
        assert!(r.diagnostics[0].message.contains("[^1]"));
    }

    #[test]
    fn sections_split_on_headings_for_search() {
        let r = render("Intro text.\n\n## Restore test\n\nTry a restore.\n[^1]\n\n[^1]: ENISA 2023.\n");
        assert_eq!(r.sections[0].text, "Intro text.");
        assert_eq!(r.sections[1].id, "restore-test");
        assert_eq!(r.sections[1].heading, "Restore test");
        assert!(r.sections[1].text.starts_with("Try a restore."));
        assert!(r.anchors.contains("1"));
    }
}
