//! Translation units: a page's Markdown body cut into whole units (one per paragraph, list item,
//! table cell, heading, callout paragraph, footnote definition) from pulldown-cmark's events and
//! source offsets, each unit's inline markup as protected codes, the checks a translated unit
//! must pass, and the way back: translated units spliced into the source's byte ranges, so that
//! everything outside the units stays byte-identical.
//!
//! A unit's text is its *canonical Markdown*: the inline Markdown of the block on one line (soft
//! line breaks become spaces, container prefixes of continuation lines are dropped; a hard break
//! is kept as a backslash and a newline). Exchange formats show the markup in it as inline codes
//! (`units::tokens`) and give it back as the same Markdown, which is then checked against the
//! source unit (`units::check_target`).

use std::collections::BTreeMap;
use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Parser, Tag, TagEnd};

/// One translatable block of a Markdown body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Stable within the page: the id of the section's heading, then the unit's place in that
    /// section (`restore-test`, `restore-test/2`, `top/1`, `fn-1`).
    pub id: String,
    /// The blocks around it, independent of the language: `h2`, `p`, `ul>li`, `callout>p`,
    /// `table>c2`, `fn>p`. Pages whose units have the same shapes have the same structure.
    pub shape: String,
    /// The bytes of the body holding the unit's inline Markdown.
    pub range: Range<usize>,
    /// Canonical Markdown (see the module doc).
    pub text: String,
    /// The headings above the unit, for translators: `Backups › Restore test`.
    pub context: String,
    /// For a heading without an explicit `{#id}`: the id the build gives it, kept on a
    /// translated heading so that links to it still work.
    pub implicit_anchor: Option<String>,
    /// What continuation lines of the block start with (`> ` in a callout, spaces in a list).
    pub line_prefix: String,
}

/// The parser options of the build (`markdown::render_markdown`): units must see the blocks the
/// reader sees.
fn options() -> pulldown_cmark::Options {
    crate::markdown::markdown_options()
}

#[derive(Debug)]
struct Frame {
    label: String,
    /// Inline content goes straight into this block (paragraph, heading, cell, tight item).
    text_container: bool,
    run: Option<Range<usize>>,
    task_marker_end: Option<usize>,
    in_quote: bool,
    start: usize,
}

/// Cuts a Markdown body into its translatable units, in document order. Code blocks and HTML
/// blocks are not text and give no unit.
pub fn body_units(body: &str) -> Vec<Unit> {
    let events: Vec<(Event, Range<usize>)> = Parser::new_ext(body, options()).into_offset_iter().collect();
    let anchors = heading_anchors(&events);
    let mut units = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut section = "top".to_string();
    let mut in_section = 0usize;
    let mut headings: Vec<(u8, String)> = Vec::new();
    let mut heading_index = 0usize;
    let mut footnote: Option<(String, usize)> = None;
    let mut list_ordered: Vec<bool> = Vec::new();
    let mut cell = 0usize;
    let mut skip_depth = 0usize;
    let mut used: BTreeMap<String, usize> = BTreeMap::new();

    let mut flush = |frame: &mut Frame,
                     units: &mut Vec<Unit>,
                     section: &str,
                     in_section: &mut usize,
                     headings: &[(u8, String)],
                     footnote: &mut Option<(String, usize)>,
                     anchor: Option<(String, bool)>| {
        let Some(mut run) = frame.run.take() else { return };
        if let Some(end) = frame.task_marker_end.take() {
            run.start = run.start.max(end);
        }
        while run.start < run.end && matches!(body.as_bytes()[run.start], b' ' | b'\t') {
            run.start += 1;
        }
        while run.end > run.start && matches!(body.as_bytes()[run.end - 1], b' ' | b'\t' | b'\n' | b'\r') {
            run.end -= 1;
        }
        if run.is_empty() {
            return;
        }
        let text = canonical(&body[run.clone()], frame.in_quote);
        if text.trim().is_empty() {
            return;
        }
        let base = if let Some((anchor, _)) = &anchor {
            anchor.clone()
        } else if let Some((label, n)) = footnote.as_mut() {
            *n += 1;
            if *n == 1 {
                format!("fn-{label}")
            } else {
                format!("fn-{label}/{n}")
            }
        } else {
            *in_section += 1;
            format!("{section}/{in_section}")
        };
        let count = used.entry(base.clone()).or_insert(0);
        *count += 1;
        let id = if *count == 1 { base } else { format!("{base}~{count}") };
        let line_start = body[..run.start].rfind('\n').map_or(0, |i| i + 1);
        let line_prefix: String = body[line_start..frame.start.max(line_start).min(run.start)]
            .chars()
            .map(|c| if c == '>' || c.is_whitespace() { c } else { ' ' })
            .collect();
        units.push(Unit {
            id,
            shape: String::new(),
            range: run,
            text,
            context: headings.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join(" › "),
            implicit_anchor: anchor.and_then(|(a, explicit)| (!explicit).then_some(a)),
            line_prefix,
        });
    };

    for (event, range) in &events {
        if skip_depth > 0 {
            match event {
                Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock) => skip_depth += 1,
                Event::End(TagEnd::CodeBlock | TagEnd::HtmlBlock) => skip_depth -= 1,
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock) => {
                // A block child ends the text run of a tight list item before it.
                close_run(&mut stack, &mut units, &mut flush, &section, &mut in_section, &headings, &mut footnote);
                skip_depth = 1;
            }
            Event::Start(tag) if is_block(tag) => {
                close_run(&mut stack, &mut units, &mut flush, &section, &mut in_section, &headings, &mut footnote);
                let in_quote = stack.iter().any(|f| f.in_quote) || matches!(tag, Tag::BlockQuote(_));
                let (label, text_container) = match tag {
                    Tag::Paragraph => ("p".to_string(), true),
                    Tag::Heading { level, .. } => (format!("h{}", *level as u8), true),
                    Tag::BlockQuote(Some(kind)) => (format!("callout-{kind:?}").to_lowercase(), false),
                    Tag::BlockQuote(None) => ("quote".to_string(), false),
                    Tag::List(start) => {
                        list_ordered.push(start.is_some());
                        ((if start.is_some() { "ol" } else { "ul" }).to_string(), false)
                    }
                    Tag::Item => ("li".to_string(), true),
                    Tag::Table(_) => ("table".to_string(), false),
                    Tag::TableHead => {
                        cell = 0;
                        ("head".to_string(), false)
                    }
                    Tag::TableRow => {
                        cell = 0;
                        ("row".to_string(), false)
                    }
                    Tag::TableCell => {
                        cell += 1;
                        (format!("c{cell}"), true)
                    }
                    Tag::FootnoteDefinition(label) => {
                        footnote = Some((label.to_string(), 0));
                        ("fn".to_string(), false)
                    }
                    _ => ("block".to_string(), false),
                };
                if let Tag::Heading { level, .. } = tag {
                    let level = *level as u8;
                    heading_index += 1;
                    let (anchor, _) = anchors.get(heading_index - 1).cloned().unwrap_or_default();
                    section = anchor;
                    in_section = 0;
                    headings.retain(|(l, _)| *l < level);
                    headings.push((level, heading_text(&events, range.start)));
                }
                stack.push(Frame {
                    label,
                    text_container,
                    run: None,
                    task_marker_end: None,
                    in_quote,
                    start: range.start,
                });
            }
            Event::End(end) if is_block_end(end) => {
                let Some(mut frame) = stack.pop() else { continue };
                let mut labels: Vec<&str> = stack.iter().map(|f| f.label.as_str()).collect();
                labels.push(&frame.label);
                let shape = shape_of(&labels);
                let anchor = if let TagEnd::Heading(_) = end {
                    anchors.get(heading_index.saturating_sub(1)).cloned()
                } else {
                    None
                };
                let before = units.len();
                flush(&mut frame, &mut units, &section, &mut in_section, &headings, &mut footnote, anchor);
                for u in &mut units[before..] {
                    u.shape = shape.clone();
                }
                match end {
                    TagEnd::List(_) => {
                        list_ordered.pop();
                    }
                    TagEnd::FootnoteDefinition => footnote = None,
                    _ => {}
                }
            }
            Event::TaskListMarker(_) => {
                if let Some(top) = stack.iter_mut().rev().find(|f| f.text_container) {
                    top.task_marker_end = Some(range.end);
                    extend(&mut top.run, range);
                }
            }
            _ => {
                // Inline content (text, code, links, emphasis, breaks, footnote references):
                // part of the innermost text container's run.
                if let Some(top) = stack.last_mut().filter(|f| f.text_container) {
                    extend(&mut top.run, range);
                }
            }
        }
    }
    units
}

fn extend(run: &mut Option<Range<usize>>, range: &Range<usize>) {
    match run {
        Some(r) => {
            r.start = r.start.min(range.start);
            r.end = r.end.max(range.end);
        }
        None => *run = Some(range.clone()),
    }
}

/// Ends the text run of the innermost container (a tight list item followed by a nested list
/// or code block): what came before is one unit, what follows another.
fn close_run<F>(
    stack: &mut [Frame],
    units: &mut Vec<Unit>,
    flush: &mut F,
    section: &str,
    in_section: &mut usize,
    headings: &[(u8, String)],
    footnote: &mut Option<(String, usize)>,
) where
    F: FnMut(
        &mut Frame,
        &mut Vec<Unit>,
        &str,
        &mut usize,
        &[(u8, String)],
        &mut Option<(String, usize)>,
        Option<(String, bool)>,
    ),
{
    let labels: Vec<String> = stack.iter().map(|f| f.label.clone()).collect();
    if let Some(top) = stack.last_mut().filter(|f| f.text_container && f.run.is_some()) {
        let before = units.len();
        flush(top, units, section, in_section, headings, footnote, None);
        let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
        let shape = shape_of(&refs);
        for u in &mut units[before..] {
            u.shape = shape.clone();
        }
    }
}

fn shape_of(labels: &[&str]) -> String {
    labels.iter().filter(|l| !matches!(**l, "head" | "row")).copied().collect::<Vec<_>>().join(">")
}

fn is_block(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::List(_)
            | Tag::Item
            | Tag::Table(_)
            | Tag::TableHead
            | Tag::TableRow
            | Tag::TableCell
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_)
    )
}

fn is_block_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::Table
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::TableCell
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_)
    )
}

fn heading_text(events: &[(Event, Range<usize>)], start: usize) -> String {
    let Some(i) = events.iter().position(|(e, r)| matches!(e, Event::Start(Tag::Heading { .. })) && r.start == start)
    else {
        return String::new();
    };
    events[i + 1..]
        .iter()
        .take_while(|(e, _)| !matches!(e, Event::End(TagEnd::Heading(_))))
        .filter_map(|(e, _)| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// Each heading's id as the build assigns it (`markdown::assign_heading_ids`: an explicit
/// `{#id}` wins, else the slug made unique), with whether it was explicit.
fn heading_anchors(events: &[(Event, Range<usize>)]) -> Vec<(String, bool)> {
    let mut taken: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for (event, _) in events {
        match event {
            Event::Start(Tag::Heading { id: Some(id), .. }) => {
                taken.insert(id.to_string());
            }
            Event::Start(Tag::FootnoteDefinition(name)) => {
                taken.insert(name.to_string());
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (i, (event, _)) in events.iter().enumerate() {
        let Event::Start(Tag::Heading { id, .. }) = event else { continue };
        if let Some(id) = id {
            out.push((id.to_string(), true));
            continue;
        }
        let text: String = events[i + 1..]
            .iter()
            .take_while(|(e, _)| !matches!(e, Event::End(TagEnd::Heading(_))))
            .filter_map(|(e, _)| match e {
                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        let base = crate::markdown::slugify(&text);
        let mut candidate = base.clone();
        let mut n = 1;
        while taken.contains(&candidate) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        taken.insert(candidate.clone());
        out.push((candidate, false));
    }
    out
}

/// The canonical Markdown of a block's inline source: one line, continuation lines without
/// their container prefix, soft breaks as spaces, hard breaks as `\` and a newline.
pub fn canonical(raw: &str, in_quote: bool) -> String {
    let mut out = String::new();
    let lines: Vec<&str> = raw.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    for (i, line) in lines.iter().enumerate() {
        let line = if i == 0 {
            *line
        } else if in_quote {
            line.trim_start_matches(['>', ' ', '\t'])
        } else {
            line.trim_start()
        };
        let last = i + 1 == lines.len();
        if last {
            out.push_str(line);
            break;
        }
        let trimmed = line.trim_end_matches([' ', '\t']);
        let backslashes = trimmed.len() - trimmed.trim_end_matches('\\').len();
        if backslashes % 2 == 1 {
            out.push_str(trimmed);
            out.push('\n');
        } else if line.len() - trimmed.len() >= 2 && line.ends_with("  ") {
            out.push_str(trimmed);
            out.push_str("\\\n");
        } else {
            out.push_str(trimmed);
            out.push(' ');
        }
    }
    out
}

/// Text as it is digested: whitespace runs as one space, no BOM, trimmed. Rewrapping a
/// paragraph or changing its spacing does not change its digest.
pub fn normalize(text: &str) -> String {
    text.trim_start_matches('\u{feff}').split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a unit holds: Markdown (page bodies) or plain text with `{placeholders}` (UI strings,
/// front matter and data-file texts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Markdown,
    Plain,
}

/// A piece of a unit as exchange formats show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Text(String),
    /// The start of paired markup (`[` of a link, `**`), with its Markdown.
    Open {
        id: u32,
        kind: &'static str,
        native: String,
    },
    /// Its end (`](url)`, `**`).
    Close {
        id: u32,
        native: String,
    },
    /// A protected code standing alone: code span, footnote reference, line break,
    /// placeholder, raw HTML, autolink, image.
    Code {
        id: u32,
        kind: &'static str,
        native: String,
    },
}

/// Cuts a unit's text into text and inline codes. Concatenating the pieces' text and native
/// Markdown gives `text` back exactly.
pub fn tokens(text: &str, syntax: Syntax) -> Vec<Token> {
    let mut marks: Vec<(usize, usize, Mark)> = Vec::new();
    if syntax == Syntax::Markdown {
        markdown_marks(text, &mut marks);
    }
    let mut out = Vec::new();
    let mut pos = 0;
    let mut next_id = 1;
    let mut open_ids: Vec<u32> = Vec::new();
    marks.sort_by_key(|(start, end, mark)| (*start, matches!(mark, Mark::Close), std::cmp::Reverse(*end)));
    for (start, end, mark) in marks {
        if start < pos {
            continue;
        }
        push_text(&mut out, &text[pos..start], syntax);
        let native = text[start..end].to_string();
        match mark {
            Mark::Open(kind) => {
                open_ids.push(next_id);
                out.push(Token::Open { id: next_id, kind, native });
                next_id += 1;
            }
            Mark::Close => {
                let id = open_ids.pop().unwrap_or(0);
                out.push(Token::Close { id, native });
            }
            Mark::Code(kind) => {
                out.push(Token::Code { id: next_id, kind, native });
                next_id += 1;
            }
        }
        pos = end;
    }
    push_text(&mut out, &text[pos..], syntax);
    // Placeholders in plain text get ids after the Markdown codes.
    for t in &mut out {
        if let Token::Code { id, kind: "x-placeholder", .. } = t {
            *id = next_id;
            next_id += 1;
        }
    }
    out
}

#[derive(Debug, Clone, Copy)]
enum Mark {
    Open(&'static str),
    Close,
    Code(&'static str),
}

fn push_text(out: &mut Vec<Token>, text: &str, syntax: Syntax) {
    if text.is_empty() {
        return;
    }
    if syntax == Syntax::Markdown {
        out.push(Token::Text(text.to_string()));
        return;
    }
    let mut rest = text;
    while let Some((before, name, after)) = next_placeholder(rest) {
        if !before.is_empty() {
            out.push(Token::Text(before.to_string()));
        }
        out.push(Token::Code { id: 0, kind: "x-placeholder", native: format!("{{{name}}}") });
        rest = after;
    }
    if !rest.is_empty() {
        out.push(Token::Text(rest.to_string()));
    }
}

/// The next `{name}` placeholder: text before, the name, text after.
fn next_placeholder(text: &str) -> Option<(&str, &str, &str)> {
    let mut from = 0;
    while let Some(i) = text[from..].find('{').map(|i| i + from) {
        if let Some(len) = text[i + 1..].find('}') {
            let name = &text[i + 1..i + 1 + len];
            if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                return Some((&text[..i], name, &text[i + 2 + len..]));
            }
        }
        from = i + 1;
    }
    None
}

/// The placeholders (`{count}`) of a plain text, in order.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some((_, name, after)) = next_placeholder(rest) {
        out.push(format!("{{{name}}}"));
        rest = after;
    }
    out
}

/// Where inline markup sits in a unit's Markdown. The text is parsed after a neutral prefix so
/// that a unit starting with `1.` or `#` (a heading "1. Scope") still parses as inline text.
fn markdown_marks(text: &str, marks: &mut Vec<(usize, usize, Mark)>) {
    const PREFIX: &str = "x ";
    let source = standalone(text);
    let events: Vec<(Event, Range<usize>)> = Parser::new_ext(&source, options()).into_offset_iter().collect();
    let shift = |r: &Range<usize>| (r.start.saturating_sub(PREFIX.len()), r.end.saturating_sub(PREFIX.len()));
    let limit = PREFIX.len() + text.len();
    for (i, (event, range)) in events.iter().enumerate() {
        if range.start < PREFIX.len() && !matches!(event, Event::Start(_) | Event::End(_)) || range.end > limit {
            continue;
        }
        let (start, end) = shift(range);
        match event {
            Event::Start(tag) => {
                let kind = match tag {
                    Tag::Emphasis => "italic",
                    Tag::Strong => "bold",
                    Tag::Strikethrough => "x-strikethrough",
                    Tag::Superscript => "x-superscript",
                    Tag::Subscript => "x-subscript",
                    Tag::Link { link_type: LinkType::Autolink | LinkType::Email, .. } => {
                        marks.push((start, end, Mark::Code("x-autolink")));
                        continue;
                    }
                    Tag::Link { .. } => "link",
                    Tag::Image { .. } => "image",
                    _ => continue,
                };
                // The inner text runs from the first child to the last one before the end.
                let depth_end = matching_end(&events, i);
                let inner_start = events.get(i + 1).map(|(_, r)| r.start).unwrap_or(range.end);
                let inner_end = events[i + 1..depth_end].iter().map(|(_, r)| r.end).max().unwrap_or(inner_start);
                if depth_end == i + 1 || inner_start < range.start || inner_end > range.end {
                    marks.push((start, end, Mark::Code(kind)));
                    continue;
                }
                let (is, ie) = (inner_start - PREFIX.len(), inner_end - PREFIX.len());
                marks.push((start, is, Mark::Open(kind)));
                marks.push((ie, end, Mark::Close));
            }
            Event::Code(_) => marks.push((start, end, Mark::Code("x-code"))),
            Event::FootnoteReference(_) => marks.push((start, end, Mark::Code("x-footnote"))),
            Event::InlineHtml(_) | Event::Html(_) => marks.push((start, end, Mark::Code("x-html"))),
            Event::HardBreak => marks.push((start, end, Mark::Code("lb"))),
            Event::InlineMath(_) | Event::DisplayMath(_) => marks.push((start, end, Mark::Code("x-math"))),
            _ => {}
        }
    }
    // Codes inside an image or autolink (its alt text) belong to it.
    let wholes: Vec<(usize, usize)> =
        marks.iter().filter(|(_, _, m)| matches!(m, Mark::Code(_))).map(|(s, e, _)| (*s, *e)).collect();
    marks.retain(|(s, e, m)| {
        matches!(m, Mark::Code(_)) && wholes.iter().filter(|(ws, we)| ws <= s && e <= we).count() == 1
            || !matches!(m, Mark::Code(_)) && !wholes.iter().any(|(ws, we)| ws <= s && e <= we)
    });
}

/// A unit's text as a document of its own: after a neutral prefix (so that `1. Scope` stays
/// inline text), with a definition for each footnote it references (GFM footnotes need one).
fn standalone(text: &str) -> String {
    let mut out = format!("x {text}");
    let mut labels: Vec<&str> = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("[^") {
        rest = &rest[i + 2..];
        if let Some(end) = rest.find(']') {
            let label = &rest[..end];
            if !label.is_empty() && !label.contains(char::is_whitespace) && !labels.contains(&label) {
                labels.push(label);
            }
        }
    }
    for label in labels {
        out.push_str(&format!("\n\n[^{label}]: ."));
    }
    out
}

fn matching_end(events: &[(Event, Range<usize>)], start: usize) -> usize {
    let mut depth = 0usize;
    for (i, (event, _)) in events.iter().enumerate().skip(start) {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    events.len()
}

/// The Markdown of tokens (the inverse of `tokens`).
pub fn flatten(tokens: &[Token]) -> String {
    tokens
        .iter()
        .map(|t| match t {
            Token::Text(s) => s.as_str(),
            Token::Open { native, .. } | Token::Close { native, .. } | Token::Code { native, .. } => native.as_str(),
        })
        .collect()
}

/// Tokens of a translation's text with the ids of the source's matching codes (the same link,
/// footnote, code span), so that a CAT tool pairs them; unmatched codes get new ids.
pub fn tokens_like(text: &str, syntax: Syntax, source: &[Token]) -> Vec<Token> {
    let mut tokens = tokens(text, syntax);
    let mut next = source
        .iter()
        .map(|t| match t {
            Token::Open { id, .. } | Token::Close { id, .. } | Token::Code { id, .. } => *id,
            Token::Text(_) => 0,
        })
        .max()
        .unwrap_or(0)
        + 1;
    let mut taken: Vec<u32> = Vec::new();
    let mut renamed: BTreeMap<u32, u32> = BTreeMap::new();
    // Paired codes match on their kind and closing Markdown (`](url)`), stand-alone ones on all.
    let closes: BTreeMap<u32, String> = tokens
        .iter()
        .filter_map(|t| match t {
            Token::Close { id, native } => Some((*id, native.clone())),
            _ => None,
        })
        .collect();
    let source_closes: BTreeMap<u32, String> = source
        .iter()
        .filter_map(|t| match t {
            Token::Close { id, native } => Some((*id, native.clone())),
            _ => None,
        })
        .collect();
    for t in &tokens {
        let (id, found) = match t {
            Token::Open { id, kind, native } => (
                *id,
                source.iter().find_map(|s| match s {
                    Token::Open { id: sid, kind: sk, native: sn }
                        if sk == kind
                            && sn == native
                            && source_closes.get(sid) == closes.get(id)
                            && !taken.contains(sid) =>
                    {
                        Some(*sid)
                    }
                    _ => None,
                }),
            ),
            Token::Code { id, kind, native } => (
                *id,
                source.iter().find_map(|s| match s {
                    Token::Code { id: sid, kind: sk, native: sn }
                        if sk == kind && sn == native && !taken.contains(sid) =>
                    {
                        Some(*sid)
                    }
                    _ => None,
                }),
            ),
            _ => continue,
        };
        let new = found.unwrap_or_else(|| {
            next += 1;
            next - 1
        });
        taken.push(new);
        renamed.insert(id, new);
    }
    for t in &mut tokens {
        match t {
            Token::Open { id, .. } | Token::Close { id, .. } | Token::Code { id, .. } => {
                *id = renamed.get(id).copied().unwrap_or(*id);
            }
            Token::Text(_) => {}
        }
    }
    tokens
}

/// What a unit's markup must keep: its links, images, footnotes, code spans, placeholders,
/// raw HTML and breaks, and how many emphasis spans of each kind it has.
fn signature(text: &str, syntax: Syntax) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    if syntax == Syntax::Plain {
        for p in placeholders(text) {
            *out.entry(format!("placeholder `{p}`")).or_insert(0) += 1;
        }
        return out;
    }
    let source = standalone(text);
    let limit = 2 + text.len();
    for (event, range) in Parser::new_ext(&source, options()).into_offset_iter() {
        if range.end > limit {
            continue;
        }
        let key = match event {
            Event::Start(Tag::Link { link_type: LinkType::Autolink | LinkType::Email, dest_url, .. }) => {
                format!("link `<{dest_url}>`")
            }
            Event::Start(Tag::Link { dest_url, .. }) => format!("link to `{dest_url}`"),
            Event::Start(Tag::Image { dest_url, .. }) => format!("image `{dest_url}`"),
            Event::Start(Tag::Emphasis) => "emphasis `*...*`".to_string(),
            Event::Start(Tag::Strong) => "strong emphasis `**...**`".to_string(),
            Event::Start(Tag::Strikethrough) => "strikethrough `~~...~~`".to_string(),
            Event::Code(c) => format!("code `{c}`"),
            Event::FootnoteReference(label) => format!("footnote reference `[^{label}]`"),
            Event::InlineHtml(h) | Event::Html(h) => format!("HTML `{}`", h.trim()),
            Event::HardBreak => "line break".to_string(),
            _ => continue,
        };
        *out.entry(key).or_insert(0) += 1;
    }
    out
}

/// The kind of block a text makes on its own (`paragraph`, `heading`, `list`, ...), and how
/// many: a translation must not add block structure its source does not have.
fn block_shape(text: &str) -> Vec<&'static str> {
    let mut depth = 0usize;
    let mut out = Vec::new();
    for event in Parser::new_ext(text, options()) {
        match event {
            Event::Start(tag) => {
                if depth == 0 {
                    out.push(match tag {
                        Tag::Paragraph => "paragraph",
                        Tag::Heading { .. } => "heading",
                        Tag::List(_) => "list",
                        Tag::BlockQuote(_) => "quote",
                        Tag::CodeBlock(_) => "code block",
                        Tag::HtmlBlock => "HTML block",
                        Tag::Table(_) => "table",
                        _ => "block",
                    });
                }
                depth += 1;
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Rule if depth == 0 => out.push("rule"),
            _ => {}
        }
    }
    out
}

/// The problems of a translated unit against its source, each one sentence; empty when the
/// target keeps every code of the source and adds no block structure.
pub fn check_target(source: &str, target: &str, syntax: Syntax, in_table: bool) -> Vec<String> {
    let mut problems = Vec::new();
    if syntax == Syntax::Plain {
        let (mut want, mut have) = (placeholders(source), placeholders(target));
        want.sort();
        have.sort();
        if want != have {
            let list = |p: &[String]| {
                if p.is_empty() {
                    "none".to_string()
                } else {
                    p.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
                }
            };
            problems.push(format!(
                "placeholders differ: the source has {}, the translation {}",
                list(&want),
                list(&have)
            ));
        }
        return problems;
    }
    let (want, have) = (signature(source, syntax), signature(target, syntax));
    for (key, n) in &want {
        let m = have.get(key).copied().unwrap_or(0);
        if m < *n {
            problems.push(if *n == 1 { format!("{key} missing") } else { format!("{key}: {m} of {n} kept") });
        }
    }
    // Raw HTML the source does not have, in one message (`<b>` and `</b>` are one mistake).
    let extra_html: Vec<&str> = have
        .iter()
        .filter(|(k, m)| k.starts_with("HTML ") && **m > want.get(*k).copied().unwrap_or(0))
        .map(|(k, _)| &k["HTML ".len()..])
        .collect();
    if !extra_html.is_empty() {
        problems.push(format!("raw HTML {} is not in the source", extra_html.join(", ")));
    }
    for (key, m) in have.iter().filter(|(k, _)| !k.starts_with("HTML ")) {
        let n = want.get(key).copied().unwrap_or(0);
        if *m > n {
            problems.push(if n == 0 {
                format!("{key} is not in the source")
            } else {
                format!("{key}: {m} where the source has {n}")
            });
        }
    }
    if syntax == Syntax::Markdown {
        for marker in ["**", "__", "~~"] {
            if target.matches(marker).count() % 2 == 1 {
                problems.push(format!("unbalanced `{marker}`"));
            }
        }
        let (a, b) = (block_shape(source), block_shape(target));
        if a != b && !target.trim().is_empty() {
            problems.push(format!(
                "new block structure: the text makes {} where the source makes {}",
                describe(&b),
                describe(&a)
            ));
        }
        if in_table && unescaped_pipe(target) && !unescaped_pipe(source) {
            problems.push("a `|` splits the table cell: write `\\|`".to_string());
        }
    }
    problems
}

fn describe(shapes: &[&str]) -> String {
    if shapes.is_empty() {
        "nothing".to_string()
    } else {
        shapes.join(" + ")
    }
}

fn unescaped_pipe(text: &str) -> bool {
    let bytes = text.as_bytes();
    (0..bytes.len()).any(|i| bytes[i] == b'|' && (i == 0 || bytes[i - 1] != b'\\'))
}

/// How a unit's text is written back into a body: a hard break's newline gets the block's
/// continuation prefix (`> `) so the text stays in its block.
pub fn write_back(text: &str, unit: &Unit) -> String {
    text.replace('\n', &format!("\n{}", unit.line_prefix))
}

/// Rebuilds a body from the source's: each unit's range replaced by `text(unit)`; for a
/// heading without an explicit id whose text changes, the source's id is added (`{#id}`) so
/// links to it still work. Everything outside the units is the source's, byte for byte.
pub fn splice(body: &str, units: &[Unit], mut text: impl FnMut(&Unit) -> String) -> String {
    let mut out = String::with_capacity(body.len());
    let mut pos = 0;
    for unit in units {
        if unit.range.start < pos {
            continue;
        }
        out.push_str(&body[pos..unit.range.start]);
        let new = text(unit);
        out.push_str(&new);
        if let Some(anchor) = &unit.implicit_anchor {
            if normalize(&new) != normalize(&unit.text) && crate::markdown::slugify(&plain_text(&new)) != *anchor {
                out.push_str(&format!(" {{#{anchor}}}"));
            }
        }
        pos = unit.range.end;
    }
    out.push_str(&body[pos..]);
    out
}

/// The visible text of inline Markdown (for slugs).
fn plain_text(text: &str) -> String {
    let all: String = Parser::new_ext(&standalone(text), options())
        .take_while(|e| !matches!(e, Event::End(TagEnd::Paragraph)))
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.to_string()),
            _ => None,
        })
        .collect();
    all.strip_prefix("x ").map(str::to_string).unwrap_or(all)
}

/// The keys of a tool data file (self-assessment, quiz) whose string values are texts to
/// translate; everything else (ids, themes, points, links' targets) is the same in every
/// language.
const DATA_TEXT_KEYS: [&str; 6] = ["label", "title", "text", "help", "advice", "explanation"];

/// A text of a data file: its id (`questions.backup-offline.text`, tables of a list named by
/// their `id`, else by their place), its value and the bytes of its TOML string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataText {
    pub id: String,
    pub text: String,
    pub span: Range<usize>,
}

/// Every translatable text of a data file, in file order; `Err` with a message when the file
/// is not TOML.
pub fn data_texts(toml_text: &str) -> Result<Vec<DataText>, String> {
    let table = toml::de::DeTable::parse(toml_text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    walk_table(table.get_ref(), "", &mut out);
    out.sort_by_key(|d| d.span.start);
    Ok(out)
}

fn walk_table(table: &toml::de::DeTable<'_>, prefix: &str, out: &mut Vec<DataText>) {
    for (key, value) in table {
        let path = if prefix.is_empty() { key.get_ref().to_string() } else { format!("{prefix}.{}", key.get_ref()) };
        walk_value(value, key.get_ref(), &path, out);
    }
}

fn walk_value(value: &toml::Spanned<toml::de::DeValue<'_>>, key: &str, path: &str, out: &mut Vec<DataText>) {
    match value.get_ref() {
        toml::de::DeValue::String(s) if DATA_TEXT_KEYS.contains(&key) => {
            out.push(DataText { id: path.to_string(), text: s.to_string(), span: value.span() });
        }
        toml::de::DeValue::Table(t) => walk_table(t, path, out),
        toml::de::DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let name = match item.get_ref() {
                    toml::de::DeValue::Table(t) => t
                        .iter()
                        .find(|(k, _)| k.get_ref() == "id")
                        .and_then(|(_, v)| match v.get_ref() {
                            toml::de::DeValue::String(s) => Some(s.to_string()),
                            _ => None,
                        })
                        .unwrap_or_else(|| (i + 1).to_string()),
                    _ => (i + 1).to_string(),
                };
                walk_value(item, key, &format!("{path}.{name}"), out);
            }
        }
        _ => {}
    }
}

/// A data file with some of its texts replaced (by id); everything else byte for byte.
pub fn rewrite_data(toml_text: &str, texts: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(toml_text.len());
    let mut pos = 0;
    for d in data_texts(toml_text)? {
        if let Some(new) = texts.get(&d.id) {
            out.push_str(&toml_text[pos..d.span.start]);
            out.push_str(&toml::Value::String(new.clone()).to_string());
            pos = d.span.end;
        }
    }
    out.push_str(&toml_text[pos..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "Intro line one\nline two.[^1]\n\n## Restore test {#restore-test}\n\n- [ ] Tick *this*\n  and that\n  1. Nested step\n\n> [!WARNING]\n> Do not switch off,\n> not even once.\n\n| Copy | Where |\n| --- | --- |\n| 1 | Office |\n\n```\ncode stays\n```\n\n<div>html stays</div>\n\n## 1. Second\n\nText  \nafter a hard break.\n\n[^1]: ENISA, 2023.\n";

    #[test]
    fn units_are_whole_blocks_with_stable_ids() {
        let units = body_units(BODY);
        let got: Vec<(&str, &str, &str)> =
            units.iter().map(|u| (u.id.as_str(), u.shape.as_str(), u.text.as_str())).collect();
        assert_eq!(
            got,
            [
                ("top/1", "p", "Intro line one line two.[^1]"),
                ("restore-test", "h2", "Restore test"),
                ("restore-test/1", "ul>li", "Tick *this* and that"),
                ("restore-test/2", "ul>li>ol>li", "Nested step"),
                ("restore-test/3", "callout-warning>p", "Do not switch off, not even once."),
                ("restore-test/4", "table>c1", "Copy"),
                ("restore-test/5", "table>c2", "Where"),
                ("restore-test/6", "table>c1", "1"),
                ("restore-test/7", "table>c2", "Office"),
                ("1-second", "h2", "1. Second"),
                ("1-second/1", "p", "Text\\\nafter a hard break."),
                ("fn-1", "fn>p", "ENISA, 2023."),
            ]
        );
        assert_eq!(units[1].context, "Restore test");
        assert_eq!(units[1].implicit_anchor, None, "explicit id");
        assert_eq!(units[9].implicit_anchor.as_deref(), Some("1-second"));
        // Identity: the source's own text spliced back gives the body byte for byte.
        assert_eq!(splice(BODY, &units, |u| BODY[u.range.clone()].to_string()), BODY);
        let upper = splice(BODY, &units, |u| write_back(&u.text.to_uppercase(), u));
        assert!(upper.contains("## RESTORE TEST {#restore-test}\n"), "{upper}");
        assert!(upper.contains("- [ ] TICK *THIS* AND THAT\n  1. NESTED STEP\n"), "{upper}");
        assert!(upper.contains("> [!WARNING]\n> DO NOT SWITCH OFF, NOT EVEN ONCE.\n"), "{upper}");
        assert!(upper.contains("| COPY | WHERE |\n| --- | --- |\n| 1 | OFFICE |\n"), "{upper}");
        assert!(upper.contains("```\ncode stays\n```\n\n<div>html stays</div>\n"), "{upper}");
        assert!(upper.contains("## 1. SECOND\n"), "the same slug needs no id: {upper}");
        let renamed = splice(BODY, &units, |u| if u.id == "1-second" { "1. Zweiter".into() } else { u.text.clone() });
        assert!(renamed.contains("## 1. Zweiter {#1-second}\n"), "{renamed}");
        assert!(upper.contains("TEXT\\\nAFTER A HARD BREAK.\n"), "{upper}");
        assert!(upper.contains("[^1]: ENISA, 2023.\n"), "{upper}");
    }

    #[test]
    fn inserting_a_paragraph_keeps_other_sections_ids() {
        let before = body_units("## A\n\none\n\n## B\n\ntwo\n");
        let after = body_units("## A\n\nnew\n\none\n\n## B\n\ntwo\n");
        assert_eq!(before.iter().find(|u| u.text == "two").unwrap().id, "b/1");
        assert_eq!(after.iter().find(|u| u.text == "two").unwrap().id, "b/1");
    }

    #[test]
    fn markup_becomes_codes_and_back() {
        let text = "Use [the **check**](https://x.eu/a \"t\") now.[^1] Run `ls` {count}";
        let md = tokens(text, Syntax::Markdown);
        assert_eq!(flatten(&md), text);
        assert!(md.contains(&Token::Open { id: 1, kind: "link", native: "[".into() }));
        assert!(md.contains(&Token::Close { id: 1, native: "](https://x.eu/a \"t\")".into() }));
        assert!(md.contains(&Token::Open { id: 2, kind: "bold", native: "**".into() }));
        assert!(md.contains(&Token::Code { id: 3, kind: "x-footnote", native: "[^1]".into() }));
        assert!(md.contains(&Token::Code { id: 4, kind: "x-code", native: "`ls`".into() }));
        let plain = tokens("{count} of {total} done", Syntax::Plain);
        assert_eq!(plain[0], Token::Code { id: 1, kind: "x-placeholder", native: "{count}".into() });
        assert_eq!(flatten(&plain), "{count} of {total} done");
        // A translation's codes take the ids of the source's same codes, whatever the order.
        let de = tokens_like("Jetzt `ls`.[^1] [den **Test**](https://x.eu/a \"t\")", Syntax::Markdown, &md);
        assert!(de.contains(&Token::Code { id: 4, kind: "x-code", native: "`ls`".into() }), "{de:?}");
        assert!(de.contains(&Token::Close { id: 1, native: "](https://x.eu/a \"t\")".into() }), "{de:?}");
    }

    #[test]
    fn checks_name_what_a_target_broke() {
        let source = "See [the check](check.md#restore).[^2] Keep **this** {count}";
        let ok = "Siehe [die Prüfung](check.md#restore).[^2] Behalten Sie **dies** {count}";
        assert_eq!(check_target(source, ok, Syntax::Markdown, false), Vec::<String>::new());
        let broken = check_target(source, "Siehe [die Prüfung] (check.md#restore). **dies", Syntax::Markdown, false);
        assert!(broken.contains(&"link to `check.md#restore` missing".to_string()), "{broken:?}");
        assert!(broken.contains(&"footnote reference `[^2]` missing".to_string()), "{broken:?}");
        assert!(broken.contains(&"unbalanced `**`".to_string()), "{broken:?}");
        let heading = check_target("Plain text.", "# Injected\n\nText.", Syntax::Markdown, false);
        assert!(heading.iter().any(|p| p.starts_with("new block structure")), "{heading:?}");
        let numbered = check_target("1. Scope", "1. Geltungsbereich", Syntax::Markdown, false);
        assert!(numbered.is_empty(), "a numbered heading stays one: {numbered:?}");
        let wrong = check_target("{count} results", "{aantal} resultaten", Syntax::Plain, false);
        assert_eq!(wrong, ["placeholders differ: the source has `{count}`, the translation `{aantal}`"]);
        let cell = check_target("Office", "Büro | Haus", Syntax::Markdown, true);
        assert!(cell.iter().any(|p| p.contains("splits the table cell")), "{cell:?}");
    }

    #[test]
    fn data_texts_are_named_by_ids_and_rewritten_in_place() {
        let toml_text = "# kept\n[[questions]]\nid = \"q1\"\ntext = \"Why?\"\npoints = 2\noptions = [\n  { id = \"a\", text = \"Because\" },\n]\n[[questions]]\nid = \"q2\"\ntext = 'Literal'\n";
        let texts = data_texts(toml_text).unwrap();
        let ids: Vec<&str> = texts.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["questions.q1.text", "questions.q1.options.a.text", "questions.q2.text"]);
        let mut new = BTreeMap::new();
        new.insert("questions.q1.options.a.text".to_string(), "Weil \"so\"".to_string());
        let out = rewrite_data(toml_text, &new).unwrap();
        assert_eq!(out, toml_text.replace("\"Because\"", "'Weil \"so\"'"));
        assert!(data_texts("a = ").is_err());
    }

    #[test]
    fn wrapping_and_spacing_do_not_change_normalized_text() {
        let a = body_units("A long\nparagraph  here.\n");
        let b = body_units("\u{feff}A long paragraph\nhere.\n");
        assert_eq!(normalize(&a[0].text), normalize(&b[0].text));
    }
}
