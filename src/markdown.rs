//! Markdown -> HTML with pulldown-cmark: stable heading ids, a table of contents, GitHub-style
//! callouts, task lists, links rewritten to output URLs (each located by file line), and the
//! plain text of each section for the search index. Pure: link resolution is passed in.

use std::collections::HashSet;
use std::path::Path;

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::error::{Diagnostic, LineIndex};
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

/// Lists and quotes nested deeper than this are an error: no reader follows them, and every
/// level costs the renderer and the browser.
pub const MAX_NESTING: usize = 32;
/// More links or images than this on one page are an error: split the page.
pub const MAX_LINKS: usize = 10_000;

/// The Markdown extensions the portal uses (also for the model documents' `.odt`).
pub(crate) fn markdown_options() -> Options {
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
    let lines = LineIndex::new(body);
    let locate = |offset: usize| {
        let (line, column) = lines.line_col(offset);
        (line + opts.body_line - 1, column)
    };
    let mut events: Vec<(Event, std::ops::Range<usize>)> =
        Parser::new_ext(body, markdown_options()).into_offset_iter().collect();

    assign_heading_ids(&mut events, &mut out, &locate, opts.file);

    let mut section = Section::default();
    let mut in_heading = false;
    let mut heading_text = String::new();
    let mut task_index = 0;
    // Open lists, innermost last: whether each one holds task items (rendered with classes).
    let mut task_lists: Vec<bool> = Vec::new();
    let mut open_task_label = false;
    let mut table_count = 0;
    let mut html_events: Vec<Event> = Vec::with_capacity(events.len());
    // Open quotes and callouts; open lists are `task_lists`.
    let mut quotes = 0;
    let mut links = 0;
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
            report_undefined_footnotes(&text_run.0, || locate(text_run.1), opts.file, &mut out.diagnostics);
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
                links += 1;
                check_limit(links, MAX_LINKS, "links and images on one page", range.start, opts, &locate, &mut out);
                let dest = rewrite_dest(&dest_url, false, range.start, opts, &locate, &mut out);
                html_events.push(Event::Start(Tag::Link { link_type, dest_url: dest, title, id }));
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                links += 1;
                check_limit(links, MAX_LINKS, "links and images on one page", range.start, opts, &locate, &mut out);
                let dest = rewrite_dest(&dest_url, true, range.start, opts, &locate, &mut out);
                html_events.push(Event::Start(Tag::Image { link_type, dest_url: dest, title, id }));
            }
            Event::Start(Tag::BlockQuote(None)) => {
                quotes += 1;
                check_nesting(task_lists.len() + quotes, range.start, opts, &locate, &mut out);
                html_events.push(event);
            }
            Event::End(TagEnd::BlockQuote(None)) => {
                quotes -= 1;
                html_events.push(event);
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                quotes += 1;
                check_nesting(task_lists.len() + quotes, range.start, opts, &locate, &mut out);
                let kind = callout_kind(kind);
                html_events.push(Event::Html(CowStr::from(format!(
                    "<div class=\"callout callout-{kind}\" role=\"note\">\n<p class=\"callout-title\">{}</p>\n",
                    escape_html(&(opts.ui_text)(&format!("callout.{kind}")))
                ))));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                quotes -= 1;
                html_events.push(Event::Html(CowStr::from("</div>\n")));
            }
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
            // A task item's whole sentence is the label of its box, so that a tap anywhere on
            // it ticks the box; the label closes before the item's end, its paragraph's end or
            // a nested list (a label holds only inline content).
            Event::TaskListMarker(checked) => {
                let state = if opts.interactive_tasks { "" } else { " disabled" };
                let checked = if checked { " checked" } else { "" };
                html_events.push(Event::Html(CowStr::from(format!(
                    "<label class=\"task-label\"><input type=\"checkbox\" class=\"task\" data-task=\"{task_index}\"{state}{checked}> <span class=\"task-text\">"
                ))));
                task_index += 1;
                open_task_label = true;
            }
            Event::Start(Tag::List(first)) if starts_task_list(&events[i + 1..]) => {
                close_task_label(&mut open_task_label, &mut html_events);
                html_events.push(Event::Html(CowStr::from(match first {
                    Some(1) => "<ol class=\"task-list\">\n".to_string(),
                    Some(n) => format!("<ol class=\"task-list\" start=\"{n}\">\n"),
                    None => "<ul class=\"task-list\">\n".to_string(),
                })));
                task_lists.push(true);
                check_nesting(task_lists.len() + quotes, range.start, opts, &locate, &mut out);
            }
            Event::Start(Tag::List(_)) => {
                close_task_label(&mut open_task_label, &mut html_events);
                task_lists.push(false);
                check_nesting(task_lists.len() + quotes, range.start, opts, &locate, &mut out);
                html_events.push(event);
            }
            Event::End(TagEnd::List(ordered)) => {
                if task_lists.pop() == Some(true) {
                    html_events.push(Event::Html(CowStr::from(if ordered { "</ol>\n" } else { "</ul>\n" })));
                } else {
                    html_events.push(event);
                }
            }
            Event::Start(Tag::Item) if task_lists.last() == Some(&true) && is_task_item(&events[i + 1..]) => {
                html_events.push(Event::Html(CowStr::from("<li class=\"task-item\">")));
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
                close_task_label(&mut open_task_label, &mut html_events);
                section.text.push(' ');
                html_events.push(event);
            }
            other => html_events.push(other),
        }
    }
    report_undefined_footnotes(&text_run.0, || locate(text_run.1), opts.file, &mut out.diagnostics);
    push_section(&mut out.sections, section);
    out.task_count = task_index;
    pulldown_cmark::html::push_html(&mut out.html, html_events.into_iter());
    out
}

/// Reports `[^label]`s left as text (no definition); `locate` is asked only when there is one.
fn report_undefined_footnotes(
    text: &str,
    locate: impl FnOnce() -> (usize, usize),
    file: &Path,
    out: &mut Vec<Diagnostic>,
) {
    let mut rest = text;
    let mut locate = Some(locate);
    let mut position = (0, 0);
    while let Some(i) = rest.find("[^") {
        rest = &rest[i + 2..];
        if let Some(end) = rest.find(']').filter(|&e| e > 0 && !rest[..e].contains(char::is_whitespace)) {
            let label = &rest[..end];
            if let Some(locate) = locate.take() {
                position = locate();
            }
            let (line, column) = position;
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
/// Two equal ids on one page are an error: a link could lead to either.
pub(crate) fn assign_heading_ids(
    events: &mut [(Event, std::ops::Range<usize>)],
    out: &mut Rendered,
    locate: &dyn Fn(usize) -> (usize, usize),
    file: &Path,
) {
    for (event, range) in events.iter() {
        let (id, what) = match event {
            Event::Start(Tag::Heading { id: Some(id), .. }) => (id, "heading id"),
            Event::Start(Tag::FootnoteDefinition(name)) => (name, "footnote"),
            _ => continue,
        };
        if !out.anchors.insert(id.to_string()) {
            let (line, column) = locate(range.start);
            out.diagnostics.push(Diagnostic::error(
                file,
                line,
                column,
                format!("the {what} `{id}` is used twice on this page: ids must be unique"),
            ));
        }
    }
    let mut suffixes: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
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
            // Numbers below the last one given to this base are all taken: start after it, so
            // that a page of many equal headings costs linear, not quadratic, time.
            let n = suffixes.entry(base.clone()).or_insert(1);
            while out.anchors.contains(&candidate) {
                candidate = format!("{base}-{n}");
                *n += 1;
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

/// Whether the item starting after these events is a task (`- [ ] ...`): its marker comes
/// first, or first inside its paragraph (loose lists).
fn is_task_item(rest: &[(Event, std::ops::Range<usize>)]) -> bool {
    matches!(
        rest,
        [(Event::TaskListMarker(_), _), ..] | [(Event::Start(Tag::Paragraph), _), (Event::TaskListMarker(_), _), ..]
    )
}

/// Whether the list starting after these events opens with a task item: such a list is drawn
/// without bullets, its boxes taking their place.
fn starts_task_list(rest: &[(Event, std::ops::Range<usize>)]) -> bool {
    matches!(rest.first(), Some((Event::Start(Tag::Item), _))) && is_task_item(&rest[1..])
}

/// Closes the label of a task item's text, if one is open.
fn close_task_label(open: &mut bool, html: &mut Vec<Event>) {
    if std::mem::take(open) {
        html.push(Event::Html(CowStr::from("</span></label>")));
    }
}

/// Reports nesting (lists, quotes, callouts) the first time it passes `MAX_NESTING`.
fn check_nesting(
    depth: usize,
    offset: usize,
    opts: &RenderOptions,
    locate: &dyn Fn(usize) -> (usize, usize),
    out: &mut Rendered,
) {
    check_limit(depth, MAX_NESTING, "levels of nested lists and quotes", offset, opts, locate, out);
}

/// Reports the first time `count` passes `max` (once per page).
fn check_limit(
    count: usize,
    max: usize,
    what: &str,
    offset: usize,
    opts: &RenderOptions,
    locate: &dyn Fn(usize) -> (usize, usize),
    out: &mut Rendered,
) {
    if count == max + 1 {
        let (line, column) = locate(offset);
        out.diagnostics.push(Diagnostic::error(
            opts.file,
            line,
            column,
            format!("more than {max} {what}: split the page or flatten its structure"),
        ));
    }
}

/// A URL as a browser reads its scheme: case, surrounding spaces, and tabs and newlines
/// anywhere in it do not count.
fn folded_url(dest: &str) -> String {
    dest.chars().filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control()).collect::<String>().to_ascii_lowercase()
}

/// The scheme of a link that could run code or hide what it shows (`javascript:`, `vbscript:`,
/// `data:`), if `dest` has one.
pub fn forbidden_scheme(dest: &str) -> Option<&'static str> {
    let folded = folded_url(dest);
    ["javascript", "vbscript", "data"].into_iter().find(|s| folded.strip_prefix(s).is_some_and(|r| r.starts_with(':')))
}

fn rewrite_dest<'a>(
    dest: &CowStr<'a>,
    image: bool,
    offset: usize,
    opts: &RenderOptions,
    locate: &dyn Fn(usize) -> (usize, usize),
    out: &mut Rendered,
) -> CowStr<'a> {
    // A picture written into the page: shown as an image, it runs nothing (the CSP allows it).
    if image && folded_url(dest).starts_with("data:image/") {
        return dest.clone();
    }
    if let Some(scheme) = forbidden_scheme(dest) {
        let (line, column) = locate(offset);
        out.diagnostics.push(Diagnostic::error(
            opts.file,
            line,
            column,
            format!(
                "`{scheme}:` links are not allowed (they can run code in the reader's browser); the link is dropped"
            ),
        ));
        return CowStr::from("");
    }
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
        assert!(
            r.html.contains("<ul class=\"task-list\">\n<li class=\"task-item\"><label class=\"task-label\"><input type=\"checkbox\" class=\"task\" data-task=\"0\"> <span class=\"task-text\">Isolate <code>PC</code></span></label></li>"),
            "{}",
            r.html
        );
        assert_eq!(r.task_count, 2);
        assert!(!r.html.contains("<script>"));
        assert!(r.html.contains("&lt;script&gt;"));
        assert_eq!(r.diagnostics.len(), 1);
    }

    #[test]
    fn task_label_closes_before_paragraph_end_and_nested_list() {
        // Loose items wrap their text in a paragraph; a nested list must not sit in the label.
        let r = render("- [ ] Call [the CSIRT](x.md)\n\n- [x] Write down\n  - what\n\n1. plain\n");
        let html = r.html.replace('\n', "");
        assert!(
            html.contains("<li class=\"task-item\"><p><label class=\"task-label\"><input type=\"checkbox\" class=\"task\" data-task=\"0\"> <span class=\"task-text\">Call <a href=\"x.html\">the CSIRT</a></span></label></p></li>"),
            "{html}"
        );
        assert!(
            html.contains(
                "checked> <span class=\"task-text\">Write down</span></label></p><ul><li>what</li></ul></li></ul>"
            ),
            "{html}"
        );
        assert!(html.contains("<ol><li>plain</li></ol>"), "an ordinary list keeps its numbers: {html}");
        assert_eq!(html.matches("<label").count(), html.matches("</label>").count());
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
