//! Model documents -> OpenDocument text (`.odt`): the Markdown of a model document (an
//! incident response plan, a backup policy) becomes a file that a practice edits in LibreOffice
//! or Word, offered next to its page. Headings (with bookmarks for in-document links),
//! paragraphs, lists, tables, callouts, footnotes and links carry over; the page size is A4.
//!
//! Pipeline position: beside the other downloads, after the Markdown is rendered (links are
//! resolved by the caller). Pure: Markdown in, bytes out. Deterministic: the zip entries are
//! written in a fixed order with a fixed timestamp (1980-01-01, the zip epoch) and fixed
//! permissions, and nothing in the XML depends on time or on hash order.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;

use pulldown_cmark::{Alignment, Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::markdown::{assign_heading_ids, markdown_options, Rendered};

/// The media type of an OpenDocument text, also the first entry (`mimetype`) of its zip.
pub const MEDIA_TYPE: &str = "application/vnd.oasis.opendocument.text";

/// Width of the text area on A4 with 2 cm margins, in centimetres (tables span it).
const TEXT_WIDTH_CM: f64 = 17.0;

/// What a model document is made from.
pub struct Document<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// BCP 47 code of the text's language (`en`, `zh`, `pt-BR`).
    pub lang: &'a str,
    pub rtl: bool,
    /// The Markdown body.
    pub body: &'a str,
    /// Name of the generator written into the metadata (the site's title).
    pub generator: &'a str,
    /// A UI string of the text's language by key (`callout.tip`).
    pub ui_text: &'a dyn Fn(&str) -> String,
    /// Where a link of the Markdown leads in the document: an absolute URL, `#bookmark` for a
    /// heading of the document itself, or `None` to keep only its text.
    pub link: &'a dyn Fn(&str) -> Option<String>,
}

/// Where a model document's `.odt` is offered: next to its page (`en/tools/plan.html` ->
/// `en/tools/plan.odt`).
pub fn download_path(url: &str) -> String {
    format!("{}.odt", url.strip_suffix(".html").unwrap_or(url))
}

/// The `.odt` file of a document.
pub fn render_odt(doc: &Document) -> Vec<u8> {
    let (body, automatic_styles) = render_body(doc);
    let content = content_xml(&body, &automatic_styles);
    let entries: [(&str, String); 4] = [
        ("content.xml", content),
        ("styles.xml", styles_xml(doc.lang, doc.rtl)),
        ("meta.xml", meta_xml(doc)),
        ("META-INF/manifest.xml", MANIFEST.to_string()),
    ];
    zip_package(&entries).unwrap_or_default()
}

/// The OpenDocument package: `mimetype` first and stored (so that tools recognise the file by
/// its first bytes), then the XML parts, compressed. A write into memory fails only on a
/// broken zip writer; the caller then offers no file rather than a broken one.
fn zip_package(entries: &[(&str, String)]) -> zip::result::ZipResult<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, DateTime};
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let fixed = SimpleFileOptions::default().last_modified_time(DateTime::DEFAULT).unix_permissions(0o644);
    zip.start_file("mimetype", fixed.compression_method(CompressionMethod::Stored))?;
    zip.write_all(MEDIA_TYPE.as_bytes())?;
    for (name, text) in entries {
        zip.start_file(*name, fixed.compression_method(CompressionMethod::Deflated).compression_level(Some(9)))?;
        zip.write_all(text.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

const NS: &str = concat!(
    r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" "#,
    r#"xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" "#,
    r#"xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" "#,
    r#"xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" "#,
    r#"xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" "#,
    r#"xmlns:xlink="http://www.w3.org/1999/xlink" "#,
    r#"xmlns:dc="http://purl.org/dc/elements/1.1/" "#,
    r#"xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" "#,
    r#"office:version="1.2""#
);

const MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"#;

fn content_xml(body: &str, automatic_styles: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document-content {NS}>\n<office:automatic-styles>\n{CELL_STYLES}{automatic_styles}</office:automatic-styles>\n<office:body>\n<office:text>\n{body}</office:text>\n</office:body>\n</office:document-content>\n"
    )
}

const CELL_STYLES: &str = concat!(
    r#"<style:style style:name="Cell" style:family="table-cell"><style:table-cell-properties fo:padding="0.1cm" fo:border="0.5pt solid #000000"/></style:style>"#,
    "\n",
    r##"<style:style style:name="HeadCell" style:family="table-cell"><style:table-cell-properties fo:padding="0.1cm" fo:border="0.5pt solid #000000" fo:background-color="#e6e6e6"/></style:style>"##,
    "\n",
);

fn meta_xml(doc: &Document) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document-meta {NS}>\n<office:meta><meta:generator>{}</meta:generator><dc:title>{}</dc:title><dc:description>{}</dc:description><dc:language>{}</dc:language></office:meta>\n</office:document-meta>\n",
        escape(doc.generator),
        escape(doc.title),
        escape(doc.description),
        escape(doc.lang)
    )
}

/// The language attributes of the default style: Western, Asian (Chinese, Japanese, Korean)
/// or complex-script (right-to-left) text, so that spelling and fonts follow the language.
fn language_properties(lang: &str, rtl: bool) -> String {
    let mut parts = lang.split('-');
    let language = parts.next().unwrap_or("en").to_ascii_lowercase();
    let country = parts
        .find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
        .map_or("none".to_string(), str::to_ascii_uppercase);
    let (language, country) = (escape(&language), escape(&country));
    if ["zh", "ja", "ko"].contains(&language.as_str()) {
        let country = if country == "none" && language == "zh" { "CN".to_string() } else { country };
        format!(r#"style:language-asian="{language}" style:country-asian="{country}""#)
    } else if rtl {
        format!(r#"style:language-complex="{language}" style:country-complex="{country}""#)
    } else {
        format!(r#"fo:language="{language}" fo:country="{country}""#)
    }
}

fn styles_xml(lang: &str, rtl: bool) -> String {
    let language = language_properties(lang, rtl);
    let (writing_mode, align) = if rtl { ("rl-tb", "end") } else { ("lr-tb", "start") };
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = write!(s, "<office:document-styles {NS}>\n<office:styles>\n");
    let _ = writeln!(
        s,
        r#"<style:default-style style:family="paragraph"><style:paragraph-properties style:writing-mode="{writing_mode}" fo:text-align="{align}"/><style:text-properties style:font-name="Arial" fo:font-family="Arial" style:font-family-generic="swiss" fo:font-size="11pt" {language}/></style:default-style>"#
    );
    let paragraph = |s: &mut String, name: &str, display: &str, parent: &str, para: &str, text: &str| {
        let parent = if parent.is_empty() { String::new() } else { format!(r#" style:parent-style-name="{parent}""#) };
        let _ = writeln!(
            s,
            r#"<style:style style:name="{name}" style:display-name="{display}" style:family="paragraph"{parent}><style:paragraph-properties {para}/><style:text-properties {text}/></style:style>"#
        );
    };
    paragraph(&mut s, "Standard", "Standard", "", r#"fo:margin-top="0cm""#, r#"fo:font-size="11pt""#);
    paragraph(
        &mut s,
        "Text_20_body",
        "Text body",
        "Standard",
        r#"fo:margin-top="0cm" fo:margin-bottom="0.2cm" fo:line-height="115%""#,
        r#"fo:font-size="11pt""#,
    );
    paragraph(
        &mut s,
        "Heading",
        "Heading",
        "Standard",
        r#"fo:margin-top="0.45cm" fo:margin-bottom="0.2cm" fo:keep-with-next="always""#,
        r#"fo:font-weight="bold" style:font-weight-asian="bold" style:font-weight-complex="bold""#,
    );
    for (level, size) in [(1, "18pt"), (2, "14pt"), (3, "12pt"), (4, "11pt"), (5, "11pt"), (6, "11pt")] {
        paragraph(
            &mut s,
            &format!("Heading_20_{level}"),
            &format!("Heading {level}"),
            "Heading",
            r#"fo:margin-top="0.45cm" fo:margin-bottom="0.2cm""#,
            &format!(r#"fo:font-size="{size}" style:font-size-asian="{size}" style:font-size-complex="{size}""#),
        );
    }
    paragraph(&mut s, "List_20_Contents", "List Contents", "Text_20_body", r#"fo:margin-bottom="0.1cm""#, "");
    paragraph(&mut s, "Table_20_Contents", "Table Contents", "Standard", r#"fo:margin-bottom="0cm""#, "");
    paragraph(
        &mut s,
        "Table_20_Heading",
        "Table Heading",
        "Table_20_Contents",
        r#"fo:margin-bottom="0cm""#,
        r#"fo:font-weight="bold" style:font-weight-asian="bold" style:font-weight-complex="bold""#,
    );
    paragraph(
        &mut s,
        "Quotations",
        "Quotations",
        "Text_20_body",
        r#"fo:margin-left="0.8cm" fo:margin-right="0.8cm""#,
        "",
    );
    paragraph(
        &mut s,
        "Callout",
        "Callout",
        "Text_20_body",
        r##"fo:margin-bottom="0cm" fo:padding="0.2cm" fo:border-left="2.5pt solid #000000" fo:background-color="#eeeeee" style:join-border="true""##,
        "",
    );
    paragraph(
        &mut s,
        "Callout_20_Title",
        "Callout Title",
        "Callout",
        "",
        r#"fo:font-weight="bold" style:font-weight-asian="bold" style:font-weight-complex="bold""#,
    );
    paragraph(
        &mut s,
        "Preformatted_20_Text",
        "Preformatted Text",
        "Standard",
        r#"fo:margin-bottom="0cm""#,
        r#"style:font-name="Courier New" fo:font-family="'Courier New'" style:font-family-generic="modern" fo:font-size="10pt""#,
    );
    paragraph(
        &mut s,
        "Footnote",
        "Footnote",
        "Standard",
        r#"fo:margin-left="0.5cm" fo:text-indent="-0.5cm""#,
        r#"fo:font-size="9pt""#,
    );
    paragraph(
        &mut s,
        "Horizontal_20_Line",
        "Horizontal Line",
        "Standard",
        r#"fo:margin-bottom="0.3cm" fo:border-bottom="0.5pt solid #000000" fo:padding="0cm""#,
        r#"fo:font-size="6pt""#,
    );
    for (name, display, props) in [
        (
            "Emphasis",
            "Emphasis",
            r#"fo:font-style="italic" style:font-style-asian="italic" style:font-style-complex="italic""#,
        ),
        (
            "Strong_20_Emphasis",
            "Strong Emphasis",
            r#"fo:font-weight="bold" style:font-weight-asian="bold" style:font-weight-complex="bold""#,
        ),
        (
            "Source_20_Text",
            "Source Text",
            r#"style:font-name="Courier New" fo:font-family="'Courier New'" style:font-family-generic="modern""#,
        ),
        ("Strikethrough", "Strikethrough", r#"style:text-line-through-style="solid""#),
        ("Footnote_20_anchor", "Footnote anchor", r#"style:text-position="super 58%""#),
        (
            "Internet_20_link",
            "Internet link",
            r##"fo:color="#000080" style:text-underline-style="solid" style:text-underline-width="auto" style:text-underline-color="font-color""##,
        ),
    ] {
        let _ = writeln!(
            s,
            r#"<style:style style:name="{name}" style:display-name="{display}" style:family="text"><style:text-properties {props}/></style:style>"#
        );
    }
    s.push_str(&list_style("L_Bullet", None));
    s.push_str(&list_style("L_Number", Some("1")));
    s.push_str(r#"<text:notes-configuration text:note-class="footnote" style:num-format="1" text:start-value="0" text:footnotes-position="page" text:start-numbering-at="document"/>"#);
    s.push_str("\n</office:styles>\n<office:automatic-styles>\n");
    s.push_str(r#"<style:page-layout style:name="A4"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" style:print-orientation="portrait" fo:margin-top="2cm" fo:margin-bottom="2cm" fo:margin-left="2cm" fo:margin-right="2cm"/></style:page-layout>"#);
    s.push_str("\n</office:automatic-styles>\n<office:master-styles>\n");
    s.push_str(r#"<style:master-page style:name="Standard" style:page-layout-name="A4"/>"#);
    s.push_str("\n</office:master-styles>\n</office:document-styles>\n");
    s
}

/// A list style with five levels: bullets, or numbers in `format` (`1`).
fn list_style(name: &str, format: Option<&str>) -> String {
    let mut s = format!(r#"<text:list-style style:name="{name}">"#);
    for level in 1..=5 {
        let indent = 0.635 * f64::from(level);
        let geometry = format!(
            r#"<style:list-level-properties text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment text:label-followed-by="listtab" text:list-tab-stop-position="{indent:.3}cm" fo:text-indent="-0.635cm" fo:margin-left="{indent:.3}cm"/></style:list-level-properties>"#
        );
        match format {
            Some(f) => {
                let _ = write!(
                    s,
                    r#"<text:list-level-style-number text:level="{level}" style:num-format="{f}" style:num-suffix=".">{geometry}</text:list-level-style-number>"#
                );
            }
            None => {
                let bullet = ["•", "◦", "▪", "•", "◦"][level as usize - 1];
                let _ = write!(
                    s,
                    r#"<text:list-level-style-bullet text:level="{level}" text:bullet-char="{bullet}">{geometry}</text:list-level-style-bullet>"#
                );
            }
        }
    }
    s.push_str("</text:list-style>\n");
    s
}

/// Escapes text for XML and drops the characters XML 1.0 cannot hold (control characters),
/// which a Markdown file may contain but no document should.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

type Events<'e> = Vec<(Event<'e>, std::ops::Range<usize>)>;

/// The body of content.xml and the automatic styles its tables need.
fn render_body(doc: &Document) -> (String, String) {
    let mut events: Events = Parser::new_ext(doc.body, markdown_options()).into_offset_iter().collect();
    // The same heading ids as the page, so that links to `#downtime-procedures` still lead there.
    // The same ids as the page's HTML; problems with them are reported when the page renders.
    assign_heading_ids(&mut events, &mut Rendered::default(), &|_| (0, 0), std::path::Path::new(""));
    let events: Vec<Event> = events.into_iter().map(|(e, _)| e).collect();
    let (main, notes) = split_footnotes(events);
    let mut w = Writer::new(doc, &notes);
    w.out.push_str(&format!(
        r#"<text:h text:style-name="Heading_20_1" text:outline-level="1">{}</text:h>"#,
        escape(doc.title)
    ));
    w.out.push('\n');
    w.run(&main);
    (w.out, w.automatic_styles)
}

/// The body's events without footnote definitions, and each definition's events by name.
fn split_footnotes(events: Vec<Event>) -> (Vec<Event>, BTreeMap<String, Vec<Event>>) {
    let mut main = Vec::with_capacity(events.len());
    let mut notes: BTreeMap<String, Vec<Event>> = BTreeMap::new();
    let mut current: Option<(String, Vec<Event>)> = None;
    let mut depth = 0;
    for event in events {
        match (&event, &mut current) {
            (Event::Start(Tag::FootnoteDefinition(name)), None) => {
                current = Some((name.to_string(), Vec::new()));
                depth = 0;
            }
            (Event::Start(Tag::FootnoteDefinition(_)), Some(_)) => depth += 1,
            (Event::End(TagEnd::FootnoteDefinition), Some(_)) if depth > 0 => depth -= 1,
            (Event::End(TagEnd::FootnoteDefinition), Some(_)) => {
                if let Some((name, body)) = current.take() {
                    notes.entry(name).or_insert(body);
                }
            }
            (_, Some((_, body))) => body.push(event),
            (_, None) => main.push(event),
        }
    }
    (main, notes)
}

/// Where the writer is, for the paragraph style of loose text.
#[derive(Clone, Copy, PartialEq)]
enum Block {
    List,
    Quote,
    Callout,
    Cell { head: bool },
    Note,
}

struct Writer<'d, 'n, 'e> {
    doc: &'d Document<'d>,
    notes: &'n BTreeMap<String, Vec<Event<'e>>>,
    note_numbers: BTreeMap<String, usize>,
    out: String,
    automatic_styles: String,
    blocks: Vec<Block>,
    /// The closing tag of the paragraph or heading being written, if one is open.
    open: Option<&'static str>,
    /// Per open link: its closing tag (empty when only its text is kept).
    links: Vec<&'static str>,
    code_block: bool,
    /// The list being opened starts at another number: its first item is already written.
    skip_item_start: bool,
    tables: usize,
}

impl<'d, 'n, 'e> Writer<'d, 'n, 'e> {
    fn new(doc: &'d Document<'d>, notes: &'n BTreeMap<String, Vec<Event<'e>>>) -> Self {
        Writer {
            doc,
            notes,
            note_numbers: BTreeMap::new(),
            out: String::new(),
            automatic_styles: String::new(),
            blocks: Vec::new(),
            open: None,
            links: Vec::new(),
            code_block: false,
            skip_item_start: false,
            tables: 0,
        }
    }

    fn paragraph_style(&self) -> &'static str {
        match self.blocks.last() {
            Some(Block::Cell { head: true }) => "Table_20_Heading",
            Some(Block::Cell { head: false }) => "Table_20_Contents",
            Some(Block::Callout) => "Callout",
            Some(Block::Quote) => "Quotations",
            Some(Block::List) => "List_20_Contents",
            Some(Block::Note) => "Footnote",
            None => "Text_20_body",
        }
    }

    fn open_paragraph(&mut self) {
        if self.open.is_none() {
            let _ = write!(self.out, r#"<text:p text:style-name="{}">"#, self.paragraph_style());
            self.open = Some("</text:p>\n");
        }
    }

    fn close_paragraph(&mut self) {
        if let Some(end) = self.open.take() {
            self.out.push_str(end);
        }
    }

    fn text(&mut self, text: &str) {
        self.open_paragraph();
        self.out.push_str(&escape(&text.replace(['\n', '\r', '\t'], " ")));
    }

    fn run(&mut self, events: &[Event<'e>]) {
        for (i, event) in events.iter().enumerate() {
            self.event(event, &events[i + 1..]);
        }
        self.close_paragraph();
    }

    fn event(&mut self, event: &Event<'e>, rest: &[Event<'e>]) {
        match event {
            Event::Start(tag) => self.start(tag, rest),
            Event::End(tag) => self.end(*tag),
            Event::Text(t) if self.code_block => self.code_lines(t),
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.text(t)
            }
            Event::Code(t) => {
                self.open_paragraph();
                let _ = write!(self.out, r#"<text:span text:style-name="Source_20_Text">{}</text:span>"#, escape(t));
            }
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => {
                self.open_paragraph();
                self.out.push_str("<text:line-break/>");
            }
            Event::Rule => {
                self.close_paragraph();
                self.out.push_str("<text:p text:style-name=\"Horizontal_20_Line\"/>\n");
            }
            Event::TaskListMarker(checked) => self.text(if *checked { "☒ " } else { "☐ " }),
            Event::FootnoteReference(name) => self.footnote(name),
        }
    }

    fn start(&mut self, tag: &Tag<'e>, rest: &[Event<'e>]) {
        match tag {
            Tag::Paragraph => {
                self.close_paragraph();
                self.open_paragraph();
            }
            Tag::Heading { level, id, .. } => {
                self.close_paragraph();
                let level = heading_level(*level);
                let _ =
                    write!(self.out, r#"<text:h text:style-name="Heading_20_{level}" text:outline-level="{level}">"#);
                if let Some(id) = id {
                    let _ = write!(self.out, r#"<text:bookmark text:name="{}"/>"#, escape(id));
                }
                self.open = Some("</text:h>\n");
            }
            Tag::BlockQuote(kind) => {
                self.close_paragraph();
                match kind {
                    Some(kind) => {
                        let key = format!("callout.{}", format!("{kind:?}").to_lowercase());
                        let _ = writeln!(
                            self.out,
                            r#"<text:p text:style-name="Callout_20_Title">{}</text:p>"#,
                            escape(&(self.doc.ui_text)(&key))
                        );
                        self.blocks.push(Block::Callout);
                    }
                    None => self.blocks.push(Block::Quote),
                }
            }
            Tag::CodeBlock(_) => {
                self.close_paragraph();
                self.code_block = true;
            }
            Tag::List(first) => {
                self.close_paragraph();
                let style = if first.is_some() { "L_Number" } else { "L_Bullet" };
                let _ = writeln!(self.out, r#"<text:list text:style-name="{style}">"#);
                self.blocks.push(Block::List);
                // The first item of a list that starts at another number says so.
                if let Some(n) = first.filter(|&n| n != 1) {
                    self.out.push_str(&format!(r#"<text:list-item text:start-value="{n}">"#));
                    self.skip_item_start = true;
                }
            }
            Tag::Item => {
                self.close_paragraph();
                if !std::mem::take(&mut self.skip_item_start) {
                    self.out.push_str("<text:list-item>");
                }
            }
            Tag::Table(alignments) => {
                self.close_paragraph();
                self.table(alignments, rest);
            }
            Tag::TableHead => {
                self.out.push_str("<table:table-header-rows><table:table-row>\n");
                self.blocks.push(Block::Cell { head: true });
            }
            Tag::TableRow => self.out.push_str("<table:table-row>\n"),
            Tag::TableCell => {
                let head = matches!(self.blocks.last(), Some(Block::Cell { head: true }));
                let style = if head { "HeadCell" } else { "Cell" };
                let _ = write!(self.out, r#"<table:table-cell table:style-name="{style}" office:value-type="string">"#);
            }
            Tag::Emphasis => self.span("Emphasis"),
            Tag::Strong => self.span("Strong_20_Emphasis"),
            Tag::Strikethrough => self.span("Strikethrough"),
            Tag::Link { dest_url, .. } => {
                self.open_paragraph();
                match (self.doc.link)(dest_url) {
                    Some(href) => {
                        let _ = write!(
                            self.out,
                            r#"<text:a xlink:type="simple" xlink:href="{}" text:style-name="Internet_20_link">"#,
                            escape(&href)
                        );
                        self.links.push("</text:a>");
                    }
                    None => self.links.push(""),
                }
            }
            // Images: their alt text follows as text events; the images are not carried over.
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::Heading(_) => self.close_paragraph(),
            TagEnd::BlockQuote(_) => {
                self.close_paragraph();
                self.blocks.pop();
            }
            TagEnd::CodeBlock => self.code_block = false,
            TagEnd::List(_) => {
                self.close_paragraph();
                self.blocks.pop();
                self.out.push_str("</text:list>\n");
            }
            TagEnd::Item => {
                self.close_paragraph();
                self.out.push_str("</text:list-item>\n");
            }
            TagEnd::Table => {
                self.blocks.pop();
                self.out.push_str("</table:table>\n");
            }
            TagEnd::TableHead => {
                self.blocks.pop();
                self.out.push_str("</table:table-row></table:table-header-rows>\n");
            }
            TagEnd::TableRow => self.out.push_str("</table:table-row>\n"),
            TagEnd::TableCell => {
                // Every cell holds a paragraph, even an empty one.
                self.open_paragraph();
                self.close_paragraph();
                self.out.push_str("</table:table-cell>\n");
            }
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => self.out.push_str("</text:span>"),
            TagEnd::Link => {
                let end = self.links.pop().unwrap_or("");
                self.out.push_str(end);
            }
            _ => {}
        }
    }

    fn span(&mut self, style: &str) {
        self.open_paragraph();
        let _ = write!(self.out, r#"<text:span text:style-name="{style}">"#);
    }

    /// A code block, line by line, keeping its spaces.
    fn code_lines(&mut self, text: &str) {
        for line in text.lines() {
            self.out.push_str(r#"<text:p text:style-name="Preformatted_20_Text">"#);
            let mut spaces = 0;
            for c in line.chars() {
                if c == ' ' {
                    spaces += 1;
                    continue;
                }
                flush_spaces(&mut self.out, &mut spaces);
                if c == '\t' {
                    self.out.push_str("<text:tab/>");
                } else {
                    self.out.push_str(&escape(c.encode_utf8(&mut [0; 4])));
                }
            }
            flush_spaces(&mut self.out, &mut spaces);
            self.out.push_str("</text:p>\n");
        }
    }

    /// A table with a column style each: wide in proportion to its longest cell (in display
    /// columns, so that Chinese counts double), but never so narrow that a word breaks.
    fn table(&mut self, alignments: &[Alignment], rest: &[Event]) {
        use unicode_width::UnicodeWidthStr;
        self.tables += 1;
        let name = format!("Table{}", self.tables);
        let columns = alignments.len().max(1);
        let mut longest = vec![4usize; columns];
        let mut longest_word = vec![1usize; columns];
        let mut cell = String::new();
        let mut column = 0;
        for event in rest {
            match event {
                Event::End(TagEnd::Table) => break,
                Event::Start(Tag::TableRow | Tag::TableHead) => column = 0,
                Event::End(TagEnd::TableCell) => {
                    if column < columns {
                        longest[column] = longest[column].max(cell.width());
                        longest_word[column] = longest_word[column].max(longest_unbreakable(&cell));
                    }
                    cell.clear();
                    column += 1;
                }
                Event::Text(t) | Event::Code(t) => cell.push_str(t),
                _ => {}
            }
        }
        let widths = column_widths(&longest, &longest_word);
        let _ = writeln!(
            self.automatic_styles,
            r#"<style:style style:name="{name}" style:family="table"><style:table-properties style:width="{TEXT_WIDTH_CM}cm" table:align="margins" fo:margin-top="0.1cm" fo:margin-bottom="0.3cm"/></style:style>"#
        );
        let _ = writeln!(self.out, r#"<table:table table:name="{name}" table:style-name="{name}">"#);
        for (i, width) in widths.iter().enumerate() {
            let _ = writeln!(
                self.automatic_styles,
                r#"<style:style style:name="{name}.C{i}" style:family="table-column"><style:table-column-properties style:column-width="{width:.3}cm" style:rel-column-width="{}*"/></style:style>"#,
                (width * 1000.0).round() as u64
            );
            let _ = writeln!(self.out, r#"<table:table-column table:style-name="{name}.C{i}"/>"#);
        }
        // Body cells until the table ends (the head pushes its own).
        self.blocks.push(Block::Cell { head: false });
    }

    /// A footnote where it is first referenced: its text goes into the document's own
    /// footnote; a later reference to it refers to that note. Inside a footnote, a reference
    /// to a note not yet written stays text (a note cannot hold a note, and a note that cites
    /// itself would never end).
    fn footnote(&mut self, name: &str) {
        self.open_paragraph();
        let Some(body) = self.notes.get(name) else {
            let _ = write!(self.out, "[^{}]", escape(name));
            return;
        };
        if self.blocks.contains(&Block::Note) && !self.note_numbers.contains_key(name) {
            let _ = write!(self.out, "[^{}]", escape(name));
            return;
        }
        let next = self.note_numbers.len() + 1;
        let number = *self.note_numbers.entry(name.to_string()).or_insert(next);
        if number < next {
            let _ = write!(
                self.out,
                r#"<text:span text:style-name="Footnote_20_anchor"><text:note-ref text:note-class="footnote" text:reference-format="text" text:ref-name="ftn{number}">{number}</text:note-ref></text:span>"#
            );
            return;
        }
        let mut inner = Writer::new(self.doc, self.notes);
        inner.note_numbers = std::mem::take(&mut self.note_numbers);
        inner.blocks.push(Block::Note);
        inner.tables = self.tables;
        inner.run(body);
        self.note_numbers = inner.note_numbers;
        self.tables = inner.tables;
        self.automatic_styles.push_str(&inner.automatic_styles);
        let _ = write!(
            self.out,
            r#"<text:note text:id="ftn{number}" text:note-class="footnote"><text:note-citation>{number}</text:note-citation><text:note-body>{}</text:note-body></text:note>"#,
            inner.out.trim_end()
        );
    }
}

/// Width of one display column of 11 pt text (a wide Latin letter such as m or M, so that a
/// word fits whatever its letters; a Chinese character is two columns),
/// and what a cell adds around its text (padding and borders), in centimetres.
const CHAR_CM: f64 = 0.24;
const CELL_EXTRA_CM: f64 = 0.35;

/// The widest run of a text that should not wrap, in display columns: a word of Latin script;
/// Chinese, Japanese or Korean text may wrap between any two characters, but a short term (up
/// to four characters, like a table heading) is kept on one line.
fn longest_unbreakable(text: &str) -> usize {
    use unicode_width::UnicodeWidthChar;
    const CJK_KEPT: usize = 8;
    let (mut longest, mut run, mut cjk) = (0, 0, 0);
    for c in text.chars() {
        let width = c.width().unwrap_or(0);
        if width > 1 {
            longest = longest.max(run);
            run = 0;
            cjk = (cjk + width).min(CJK_KEPT);
            longest = longest.max(cjk);
        } else if c.is_whitespace() {
            longest = longest.max(run);
            run = 0;
            cjk = 0;
        } else {
            cjk = 0;
            run += width;
        }
    }
    longest.max(run)
}

/// Column widths in centimetres, filling the text width: each column's share follows its
/// longest cell (long cells wrap: a share counts at most 40 columns of text), but a column is
/// never narrower than its longest word; the others share what is left.
fn column_widths(longest: &[usize], longest_word: &[usize]) -> Vec<f64> {
    let minimum: Vec<f64> = longest_word.iter().map(|&w| w as f64 * CHAR_CM + CELL_EXTRA_CM).collect();
    let weight: Vec<f64> = longest.iter().map(|&l| l.clamp(4, 40) as f64).collect();
    let mut fixed = vec![false; longest.len()];
    loop {
        let left = TEXT_WIDTH_CM - (0..fixed.len()).filter(|&i| fixed[i]).map(|i| minimum[i]).sum::<f64>();
        let shared: f64 = (0..fixed.len()).filter(|&i| !fixed[i]).map(|i| weight[i]).sum();
        let widths: Vec<f64> = (0..fixed.len())
            .map(|i| if fixed[i] { minimum[i] } else { left.max(0.0) * weight[i] / shared.max(1.0) })
            .collect();
        let too_narrow: Vec<usize> = (0..fixed.len()).filter(|&i| !fixed[i] && widths[i] < minimum[i]).collect();
        if too_narrow.is_empty() {
            // Words wider than the page together: every column at its minimum, scaled to fit.
            let total: f64 = widths.iter().sum();
            return if total > TEXT_WIDTH_CM + 0.001 {
                minimum.iter().map(|m| m * TEXT_WIDTH_CM / minimum.iter().sum::<f64>()).collect()
            } else {
                widths
            };
        }
        too_narrow.into_iter().for_each(|i| fixed[i] = true);
    }
}

fn flush_spaces(out: &mut String, spaces: &mut usize) {
    match *spaces {
        0 => {}
        1 => out.push(' '),
        n => {
            let _ = write!(out, r#" <text:s text:c="{}"/>"#, n - 1);
        }
    }
    *spaces = 0;
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(markdown: &str) -> String {
        let ui = |key: &str| format!("T-{key}");
        let link = |dest: &str| (dest != "broken.md").then(|| format!("https://x.example/{dest}"));
        let doc = Document {
            title: "Plan",
            description: "",
            lang: "en",
            rtl: false,
            body: markdown,
            generator: "Portal",
            ui_text: &ui,
            link: &link,
        };
        render_body(&doc).0
    }

    #[test]
    fn lists_keep_their_numbers_nesting_and_loose_paragraphs() {
        let out = body("3. three\n4. four\n   - inner\n\n- [ ] task\n- [x] done\n");
        assert!(out.contains(r#"<text:list text:style-name="L_Number">"#), "{out}");
        assert!(
            out.contains(
                r#"<text:list-item text:start-value="3"><text:p text:style-name="List_20_Contents">three</text:p>"#
            ),
            "{out}"
        );
        assert_eq!(out.matches("<text:list-item").count(), out.matches("</text:list-item>").count());
        assert!(out.contains(r#"<text:list text:style-name="L_Bullet">"#));
        assert!(out.contains("☐ task") && out.contains("☒ done"), "{out}");
    }

    #[test]
    fn code_keeps_its_spaces_and_text_loses_control_characters() {
        let out = body("```\na    b\n\tc\n```\n\nbell\u{7} & <tag>\n");
        assert!(out.contains(r#"a <text:s text:c="3"/>b"#), "{out}");
        assert!(out.contains("<text:tab/>c"), "{out}");
        assert!(out.contains("bell &amp; &lt;tag&gt;"), "{out}");
    }

    #[test]
    fn a_footnote_that_cites_itself_ends() {
        let out = body("Claim.[^a] Again.[^a]\n\n[^a]: See also[^a] and [^b].\n");
        assert_eq!(out.matches("<text:note ").count(), 1, "{out}");
        assert_eq!(out.matches("<text:note-ref").count(), 2, "the second citation and the one inside: {out}");
        assert!(out.contains("[^b]"), "an undefined note stays text: {out}");
    }

    #[test]
    fn links_without_a_target_keep_their_text() {
        let out = body("[ok](a.md) [gone](broken.md)\n");
        assert!(out.contains(r#"<text:a xlink:type="simple" xlink:href="https://x.example/a.md" text:style-name="Internet_20_link">ok</text:a>"#));
        assert!(out.contains(" gone</text:p>"), "{out}");
    }

    #[test]
    fn table_columns_fit_their_longest_word() {
        let out = render_body(&Document {
            title: "T",
            description: "",
            lang: "zh",
            rtl: false,
            body: "| 级别 | Examples |\n|---|---|\n| Low | a long description of what happened here and more |\n",
            generator: "P",
            ui_text: &|k: &str| k.to_string(),
            link: &|_: &str| None,
        });
        let styles = out.1;
        let widths: Vec<f64> = styles
            .split("style:column-width=\"")
            .skip(1)
            .map(|s| s.split("cm").next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(widths.len(), 2);
        assert!((widths.iter().sum::<f64>() - TEXT_WIDTH_CM).abs() < 0.01, "{widths:?}");
        assert!(widths[0] < widths[1], "{widths:?}");
    }

    #[test]
    fn short_columns_keep_their_words_whole() {
        // "Level | Examples | Who acts | Within": the short columns were 1 cm and broke "Medium".
        let widths = column_widths(&[6, 60, 30, 13], &[6, 12, 8, 13]);
        assert!((widths.iter().sum::<f64>() - TEXT_WIDTH_CM).abs() < 0.01, "{widths:?}");
        assert!(widths[0] >= 6.0 * CHAR_CM + CELL_EXTRA_CM - 0.001, "{widths:?}");
        assert!(widths[3] >= 13.0 * CHAR_CM + CELL_EXTRA_CM - 0.001, "{widths:?}");
        assert!(widths[1] > widths[2], "the longest text keeps the widest column: {widths:?}");
        assert_eq!(longest_unbreakable("[Immediately] now"), 13);
        assert_eq!(longest_unbreakable("级别"), 4, "a short Chinese term stays whole");
        assert_eq!(longest_unbreakable("有人点击了链接或输入了密码 IT"), 8, "longer Chinese text wraps");
    }

    #[test]
    fn languages_set_their_script_family() {
        assert_eq!(language_properties("zh", false), r#"style:language-asian="zh" style:country-asian="CN""#);
        assert_eq!(language_properties("pt-BR", false), r#"fo:language="pt" fo:country="BR""#);
        assert_eq!(language_properties("ar", true), r#"style:language-complex="ar" style:country-complex="none""#);
        assert!(styles_xml("ar", true).contains(r#"style:writing-mode="rl-tb""#));
    }

    #[test]
    fn packages_are_byte_identical() {
        let doc = Document {
            title: "T",
            description: "d",
            lang: "en",
            rtl: false,
            body: "## A\n\nText.\n",
            generator: "P",
            ui_text: &|k: &str| k.to_string(),
            link: &|_: &str| None,
        };
        assert_eq!(render_odt(&doc), render_odt(&doc));
        assert_eq!(&render_odt(&doc)[30..38], b"mimetype");
    }
}
