//! Exchange files for professional translators: the text of a language's missing and stale pages
//! and its missing UI strings as XLIFF 1.2 (what common CAT tools read best), and the way back.
//!
//! Markdown is cut into translation units line by line, keeping the structure outside them
//! (heading marks, list bullets, task boxes, table pipes, footnote labels, `{#id}`s, code
//! blocks), so a translated file has the source's structure by construction.

use std::collections::BTreeMap;
use std::fmt::Write;

/// A piece of a Markdown body: kept as is, or text to translate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Fixed(String),
    Text(String),
    /// A heading's text: translated like text, but its source id is kept (`{#id}`) so that
    /// links to it still work in the translation.
    Heading(String),
}

impl Piece {
    /// The text to translate, if this piece has any.
    pub fn text(&self) -> Option<&str> {
        match self {
            Piece::Fixed(_) => None,
            Piece::Text(t) | Piece::Heading(t) => Some(t),
        }
    }
}

/// Splits a Markdown body into fixed structure and translatable text.
pub fn segment(body: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut in_code = false;
    let mut paragraph: Vec<&str> = Vec::new();
    let flush = |paragraph: &mut Vec<&str>, pieces: &mut Vec<Piece>| {
        if !paragraph.is_empty() {
            pieces.push(Piece::Text(paragraph.join("\n")));
            pieces.push(Piece::Fixed("\n".into()));
            paragraph.clear();
        }
    };
    for line in body.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let ending = &line[content.len()..];
        let trimmed = content.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            flush(&mut paragraph, &mut pieces);
            in_code = !in_code;
            pieces.push(Piece::Fixed(line.to_string()));
            continue;
        }
        if in_code || trimmed.is_empty() || is_table_separator(trimmed) || is_callout_marker(trimmed) {
            flush(&mut paragraph, &mut pieces);
            pieces.push(Piece::Fixed(line.to_string()));
            continue;
        }
        if trimmed.starts_with('|') {
            flush(&mut paragraph, &mut pieces);
            segment_table_row(content, &mut pieces);
            pieces.push(Piece::Fixed(ending.to_string()));
            continue;
        }
        if let Some(prefix_len) = structural_prefix(content) {
            flush(&mut paragraph, &mut pieces);
            let (prefix, rest) = content.split_at(prefix_len);
            let (text, suffix) = split_heading_id(rest);
            pieces.push(Piece::Fixed(prefix.to_string()));
            let heading = prefix.trim_start().starts_with('#');
            if !text.is_empty() {
                pieces.push(if heading && suffix.is_empty() {
                    Piece::Heading(text.to_string())
                } else {
                    Piece::Text(text.to_string())
                });
            }
            pieces.push(Piece::Fixed(format!("{suffix}{ending}")));
            continue;
        }
        paragraph.push(content);
    }
    flush(&mut paragraph, &mut pieces);
    pieces
}

fn is_table_separator(line: &str) -> bool {
    line.starts_with('|') && line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

fn is_callout_marker(line: &str) -> bool {
    line.strip_prefix('>').map(str::trim).is_some_and(|r| r.starts_with("[!") && r.ends_with(']'))
}

/// Length of the Markdown structure at the start of a line: `## `, `- [ ] `, `1. `, `> `,
/// `[^1]: `, with indentation.
fn structural_prefix(line: &str) -> Option<usize> {
    let indent = line.len() - line.trim_start().len();
    let rest = &line[indent..];
    let mut len = 0;
    let mut r = rest;
    loop {
        if let Some(after) = r.strip_prefix("> ") {
            len += 2;
            r = after;
            continue;
        }
        break;
    }
    let hashes = r.bytes().take_while(|&b| b == b'#').count();
    let marker = if (1..=6).contains(&hashes) && r[hashes..].starts_with(' ') {
        hashes + 1
    } else if r.starts_with("- ") || r.starts_with("* ") || r.starts_with("+ ") {
        2 + ["[ ] ", "[x] ", "[X] "].iter().find(|t| r[2..].starts_with(*t)).map_or(0, |t| t.len())
    } else if let Some(dot) = r.find(". ").filter(|&d| d > 0 && d <= 3 && r[..d].bytes().all(|b| b.is_ascii_digit())) {
        dot + 2
    } else if r.starts_with("[^") {
        r.find("]: ").map_or(0, |i| i + 3)
    } else {
        0
    };
    let total = indent + len + marker;
    (total > indent || len > 0).then_some(total)
}

fn split_heading_id(text: &str) -> (&str, &str) {
    match text.rfind(" {#") {
        Some(i) if text.ends_with('}') => (&text[..i], &text[i..]),
        _ => (text, ""),
    }
}

fn segment_table_row(row: &str, pieces: &mut Vec<Piece>) {
    let cells: Vec<&str> = row.split('|').collect();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            pieces.push(Piece::Fixed("|".into()));
        }
        let text = cell.trim();
        if text.is_empty() {
            pieces.push(Piece::Fixed(cell.to_string()));
        } else {
            let lead = &cell[..cell.len() - cell.trim_start().len()];
            let tail = &cell[cell.trim_end().len()..];
            pieces.push(Piece::Fixed(lead.to_string()));
            pieces.push(Piece::Text(text.to_string()));
            pieces.push(Piece::Fixed(tail.to_string()));
        }
    }
}

/// Puts a body back together with each translatable piece replaced by `translate(n, text)`.
pub fn reassemble(pieces: &[Piece], mut translate: impl FnMut(usize, &str) -> String) -> String {
    let mut out = String::new();
    let mut n = 0;
    for piece in pieces {
        match piece {
            Piece::Fixed(s) => out.push_str(s),
            Piece::Text(s) => {
                n += 1;
                out.push_str(&translate(n, s));
            }
            Piece::Heading(s) => {
                n += 1;
                let translated = translate(n, s);
                out.push_str(&translated);
                if translated != *s {
                    let _ = write!(out, " {{#{}}}", crate::markdown::slugify(s));
                }
            }
        }
    }
    out
}

/// One `<file>` of the exchange file: a page (or the UI strings) with its units.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct XliffFile {
    /// `guidance/backups.md`, or `i18n` for the UI strings.
    pub original: String,
    /// Digest of the source page at export time, to refuse an import against a changed source.
    pub source_digest: String,
    /// (id, source, target) in document order.
    pub units: Vec<(String, String, String)>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Writes XLIFF 1.2.
pub fn write_xliff(source_lang: &str, target_lang: &str, files: &[XliffFile]) -> String {
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\n");
    for f in files {
        let _ = writeln!(
            x,
            "  <file original=\"{}\" source-language=\"{}\" target-language=\"{}\" datatype=\"x-markdown\">",
            escape(&f.original),
            escape(source_lang),
            escape(target_lang)
        );
        let _ = writeln!(x, "    <header><note>source-digest:{}</note></header>\n    <body>", escape(&f.source_digest));
        for (id, source, target) in &f.units {
            let _ = writeln!(x, "      <trans-unit id=\"{}\" xml:space=\"preserve\">", escape(id));
            let _ = writeln!(x, "        <source>{}</source>", escape(source));
            let _ = writeln!(x, "        <target>{}</target>", escape(target));
            x.push_str("      </trans-unit>\n");
        }
        x.push_str("    </body>\n  </file>\n");
    }
    x.push_str("</xliff>\n");
    x
}

/// Reads XLIFF 1.2 (as written by `write_xliff` or returned by a CAT tool): the target language
/// and the files with their units.
pub fn read_xliff(text: &str) -> Result<(String, Vec<XliffFile>), String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut files: Vec<XliffFile> = Vec::new();
    let mut target_lang = String::new();
    let mut unit: Option<(String, String, String)> = None;
    let mut field: Option<&'static str> = None;
    let mut note = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("line {}: {e}", line_at(text, reader.buffer_position() as usize)))?;
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let attr = |name: &[u8]| -> Option<String> {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == name)
                        .and_then(|a| a.unescape_value().ok())
                        .map(|v| v.into_owned())
                };
                match e.name().as_ref() {
                    b"file" => {
                        target_lang = attr(b"target-language").unwrap_or_default();
                        files.push(XliffFile {
                            original: attr(b"original").unwrap_or_default(),
                            ..XliffFile::default()
                        });
                    }
                    b"trans-unit" => unit = Some((attr(b"id").unwrap_or_default(), String::new(), String::new())),
                    b"source" => field = Some("source"),
                    b"target" => field = Some("target"),
                    b"note" => note = true,
                    _ => {}
                }
            }
            Event::Text(t) => {
                let s = t.xml_content().map_err(|e| e.to_string())?;
                append(&mut files, &mut unit, field, note, &s);
            }
            Event::GeneralRef(r) => {
                let name: &[u8] = &r;
                let resolved = match name {
                    b"amp" => "&".to_string(),
                    b"lt" => "<".to_string(),
                    b"gt" => ">".to_string(),
                    b"quot" => "\"".to_string(),
                    b"apos" => "'".to_string(),
                    _ => r.resolve_char_ref().ok().flatten().map(String::from).unwrap_or_default(),
                };
                append(&mut files, &mut unit, field, note, &resolved);
            }
            Event::End(e) => match e.name().as_ref() {
                b"trans-unit" => {
                    if let (Some(u), Some(f)) = (unit.take(), files.last_mut()) {
                        f.units.push(u);
                    }
                }
                b"source" | b"target" => field = None,
                b"note" => note = false,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok((target_lang, files))
}

fn append(
    files: &mut [XliffFile],
    unit: &mut Option<(String, String, String)>,
    field: Option<&str>,
    note: bool,
    s: &str,
) {
    if let Some(u) = unit.as_mut() {
        match field {
            Some("source") => u.1.push_str(s),
            Some("target") => u.2.push_str(s),
            _ => {}
        }
    } else if note {
        if let (Some(f), Some(d)) = (files.last_mut(), s.strip_prefix("source-digest:")) {
            f.source_digest = d.to_string();
        }
    }
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Units of the UI strings a language lacks, keyed `i18n:<key>`.
pub fn string_units(
    source: &BTreeMap<String, String>,
    target: &BTreeMap<String, String>,
) -> Vec<(String, String, String)> {
    source
        .iter()
        .filter(|(k, _)| !target.contains_key(*k))
        .map(|(k, v)| (format!("i18n:{k}"), v.clone(), String::new()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "Intro line one\nline two.[^1]\n\n## Restore test {#restore-test}\n\n- [ ] Tick *this*\n  1. Nested step\n\n> [!WARNING]\n> Do not switch off.\n\n| Copy | Where |\n| --- | --- |\n| 1 | Office |\n\n```\ncode stays\n```\n[^1]: ENISA, 2023.\n";

    #[test]
    fn structure_survives_a_round_trip() {
        let pieces = segment(BODY);
        let texts: Vec<&str> = pieces.iter().filter_map(Piece::text).collect();
        assert_eq!(
            texts,
            [
                "Intro line one\nline two.[^1]",
                "Restore test",
                "Tick *this*",
                "Nested step",
                "Do not switch off.",
                "Copy",
                "Where",
                "1",
                "Office",
                "ENISA, 2023."
            ]
        );
        assert_eq!(reassemble(&pieces, |_, t| t.to_string()), BODY, "identity round trip");
        let upper = reassemble(&pieces, |_, t| t.to_uppercase());
        assert!(
            reassemble(&segment("## What to do\n"), |_, t| t.to_uppercase()).starts_with("## WHAT TO DO {#what-to-do}")
        );
        assert!(upper.contains("## RESTORE TEST {#restore-test}\n"));
        assert!(upper.contains("- [ ] TICK *THIS*\n"));
        assert!(upper.contains("> [!WARNING]\n> DO NOT SWITCH OFF.\n"));
        assert!(upper.contains("| COPY | WHERE |\n| --- | --- |\n"));
        assert!(upper.contains("```\ncode stays\n```\n"));
        assert!(upper.contains("[^1]: ENISA, 2023.\n"));
    }

    #[test]
    fn xliff_round_trips_escaped_text() {
        let files = vec![XliffFile {
            original: "guidance/a & b.md".into(),
            source_digest: "abc".into(),
            units: vec![("a.md#1".into(), "Use <b> & \"quotes\"\nsecond line".into(), "Usa <b> & «virgolette»".into())],
        }];
        let xml = write_xliff("en", "it", &files);
        let (lang, read) = read_xliff(&xml).unwrap();
        assert_eq!(lang, "it");
        assert_eq!(read, files);
        assert!(read_xliff("<xliff><file").is_err());
    }
}
