//! XLIFF 1.2, the exchange format CAT tools read best: writing the units of an export
//! (`exchange::Unit`) and reading them back from whatever a tool returns.
//!
//! Inline markup travels as inline codes that carry their Markdown: `<bpt>`/`<ept>` around a
//! link's or an emphasis' text (`[` ... `](url)`, `**` ... `**`), `<ph>` for code spans,
//! footnote references, line breaks, raw HTML and `{placeholders}`. CAT tools show them as tags
//! and keep them; tools that flatten XLIFF to text (translate-toolkit's `xliff2po`) get the
//! Markdown itself, so nothing is lost either way. On reading, `<g>` and `<x/>` from tools that
//! rewrite codes are accepted and resolved against the source's codes by id. `<alt-trans>` is a
//! suggestion, never the target; CDATA and entities are read as text.

use std::fmt::Write;

use crate::exchange::{Piece, ReadFile, ReadUnit, Unit, UnitState};
use crate::units::Token;

/// XML text escaping for element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

fn write_tokens(x: &mut String, tokens: &[Token]) {
    for t in tokens {
        match t {
            Token::Text(s) => x.push_str(&escape(s)),
            Token::Open { id, kind, native } => {
                let _ = write!(x, "<bpt id=\"{id}\" ctype=\"{kind}\">{}</bpt>", escape(native));
            }
            Token::Close { id, native } => {
                let _ = write!(x, "<ept id=\"{id}\">{}</ept>", escape(native));
            }
            Token::Code { id, kind, native } => {
                let _ = write!(x, "<ph id=\"{id}\" ctype=\"{kind}\">{}</ph>", escape(native));
            }
        }
    }
}

/// Writes an XLIFF 1.2 document: one `<file>` per page (and one for the UI strings), one
/// `<trans-unit>` per unit with `resname`, a location context (the unit id, which
/// translate-toolkit turns into the PO reference) and a note with the heading path.
pub fn write_xliff(source_lang: &str, target_lang: &str, files: &[(String, Vec<Unit>)]) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\n",
    );
    for (original, units) in files {
        let _ = writeln!(
            x,
            "  <file original=\"{}\" source-language=\"{}\" target-language=\"{}\" datatype=\"x-markdown\">\n    <body>",
            escape(original),
            escape(source_lang),
            escape(target_lang)
        );
        for u in units {
            let approved = if u.state == UnitState::Translated { " approved=\"yes\"" } else { "" };
            let _ = writeln!(
                x,
                "      <trans-unit id=\"{id}\" resname=\"{id}\"{approved} xml:space=\"preserve\">",
                id = escape(&u.id)
            );
            x.push_str("        <source>");
            write_tokens(&mut x, &u.source_tokens());
            x.push_str("</source>\n");
            let _ = write!(x, "        <target state=\"{}\">", u.state.xliff());
            write_tokens(&mut x, &u.target_tokens());
            x.push_str("</target>\n");
            if !u.note.is_empty() {
                let _ = writeln!(x, "        <note from=\"developer\">{}</note>", escape(&u.note));
            }
            let _ = writeln!(
                x,
                "        <context-group purpose=\"location\"><context context-type=\"sourcefile\">{}</context></context-group>",
                escape(&u.id)
            );
            x.push_str("      </trans-unit>\n");
        }
        x.push_str("    </body>\n  </file>\n");
    }
    x.push_str("</xliff>\n");
    x
}

/// A `<trans-unit>` being read: the unit, and its resname, location context and id attribute.
type OpenUnit = (ReadUnit, Option<String>, Option<String>, Option<String>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Source,
    Target,
    Context,
    Other,
}

/// Reads XLIFF 1.2 as written by `write_xliff` or returned by a CAT tool or translate-toolkit.
/// `Err` is `(line, message)` for XML that is not well formed.
pub fn read_xliff(text: &str) -> Result<ReadFile, (usize, String)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    // Every unit records its line: one index, not a count from the start per unit (quadratic).
    let lines = crate::error::LineIndex::new(text);
    let line_at = |offset: usize| lines.line_col(offset).0;
    let mut out = ReadFile::default();
    let mut unit: Option<OpenUnit> = None;
    let mut field = Field::Other;
    let mut alt_depth = 0usize;
    let mut inline: Vec<(Vec<u8>, usize)> = Vec::new();
    let mut location_is_source = false;
    let mut context = String::new();
    let mut alt_text = String::new();
    loop {
        let position = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| (line_at(reader.buffer_position() as usize), e.to_string()))?;
        // An empty element is a start without an end.
        let (event, empty) = match event {
            Event::Empty(e) => (Event::Start(e), true),
            other => (other, false),
        };
        let attr = |e: &quick_xml::events::BytesStart, name: &[u8]| -> Option<String> {
            e.attributes()
                .flatten()
                .find(|a| a.key.as_ref() == name || a.key.local_name().as_ref() == name)
                .and_then(|a| a.unescape_value().ok())
                .map(|v| v.into_owned())
        };
        match event {
            Event::Start(e)
                if inline_name(e.name().as_ref())
                    && matches!(field, Field::Source | Field::Target)
                    && alt_depth == 0 =>
            {
                let name = e.local_name().as_ref().to_vec();
                let id = attr(&e, b"id").unwrap_or_default();
                if let Some((u, ..)) = unit.as_mut() {
                    let pieces = if field == Field::Source { &mut u.source } else { &mut u.target };
                    match name.as_slice() {
                        b"g" => {
                            pieces.push(Piece::OpenRef(id));
                            if empty {
                                pieces.push(Piece::CloseRef);
                            }
                        }
                        b"x" | b"bx" | b"ex" => pieces.push(Piece::CodeRef(id)),
                        _ => {}
                    }
                }
                // bpt/ept/ph/it carry their Markdown as content; g's content is text.
                if !empty {
                    inline.push((name, 0));
                }
            }
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_vec();
                if alt_depth > 0 {
                    if name == b"alt-trans" {
                        alt_depth += 1;
                    } else if name == b"target" {
                        alt_text.clear();
                        field = Field::Other;
                    }
                    continue;
                }
                match name.as_slice() {
                    b"file" => {
                        if let Some(l) = attr(&e, b"target-language").filter(|l| !l.is_empty()) {
                            out.target_lang.get_or_insert(l);
                        }
                    }
                    b"trans-unit" => {
                        let approved = attr(&e, b"approved").is_some_and(|a| a == "yes");
                        let mut u = ReadUnit { line: line_at(position), confirmed: approved, ..ReadUnit::default() };
                        u.id = attr(&e, b"id").unwrap_or_default();
                        // po2xliff's copy of the PO header is not a unit of ours.
                        u.header = attr(&e, b"restype").as_deref() == Some("x-gettext-domain-header");
                        unit = Some((u, attr(&e, b"resname"), None, attr(&e, b"id")));
                    }
                    b"source" if unit.is_some() => field = Field::Source,
                    b"target" if unit.is_some() => {
                        field = Field::Target;
                        if let Some((u, ..)) = unit.as_mut() {
                            let state = attr(&e, b"state").unwrap_or_default();
                            if matches!(state.as_str(), "translated" | "final" | "signed-off") {
                                u.confirmed = true;
                            }
                        }
                    }
                    b"alt-trans" if !empty => alt_depth = 1,
                    b"context" => {
                        location_is_source = attr(&e, b"context-type").as_deref() == Some("sourcefile");
                        context.clear();
                        field = Field::Context;
                    }
                    _ => {}
                }
                if empty && matches!(name.as_slice(), b"source" | b"target" | b"context") {
                    field = Field::Other;
                }
            }
            Event::Text(t) => {
                let s = t.xml_content().map_err(|e| (line_at(position), e.to_string()))?;
                push_text(&mut unit, field, &inline, alt_depth, &mut alt_text, &mut context, &s);
            }
            Event::CData(t) => {
                let s = String::from_utf8_lossy(&t).into_owned();
                push_text(&mut unit, field, &inline, alt_depth, &mut alt_text, &mut context, &s);
            }
            Event::GeneralRef(r) => {
                let name: &[u8] = &r;
                let resolved = match name {
                    b"amp" => "&".to_string(),
                    b"lt" => "<".to_string(),
                    b"gt" => ">".to_string(),
                    b"quot" => "\"".to_string(),
                    b"apos" => "'".to_string(),
                    _ => match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => {
                            return Err((
                                line_at(position),
                                format!("unknown entity `&{};`", String::from_utf8_lossy(name)),
                            ))
                        }
                    },
                };
                push_text(&mut unit, field, &inline, alt_depth, &mut alt_text, &mut context, &resolved);
            }
            Event::End(e) => {
                let name = e.local_name().as_ref().to_vec();
                if alt_depth > 0 {
                    if name == b"alt-trans" {
                        alt_depth -= 1;
                        if alt_depth == 0 {
                            if let Some((u, ..)) = unit.as_mut() {
                                if !alt_text.trim().is_empty() {
                                    u.suggestions.push(std::mem::take(&mut alt_text));
                                }
                            }
                        }
                    }
                    continue;
                }
                if inline.last().is_some_and(|(n, _)| *n == name) {
                    inline.pop();
                    if name == b"g" {
                        if let Some((u, ..)) = unit.as_mut() {
                            let pieces = if field == Field::Source { &mut u.source } else { &mut u.target };
                            pieces.push(Piece::CloseRef);
                        }
                    }
                    continue;
                }
                match name.as_slice() {
                    b"source" | b"target" => field = Field::Other,
                    b"context" => {
                        if location_is_source {
                            if let Some((_, _, location, _)) = unit.as_mut() {
                                location.get_or_insert(context.trim().to_string());
                            }
                        }
                        field = Field::Other;
                    }
                    b"trans-unit" => {
                        if let Some((mut u, resname, location, id)) = unit.take() {
                            // Ours are page paths with `#` or `i18n:` keys; tools renumber `id`.
                            let ours = |s: &String| s.contains('#') || s.starts_with("i18n:");
                            u.id = resname.filter(ours).or(location.filter(ours)).or(id).unwrap_or_default();
                            if !u.header {
                                out.units.push(u);
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

fn inline_name(name: &[u8]) -> bool {
    let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
    matches!(local, b"g" | b"x" | b"bx" | b"ex" | b"bpt" | b"ept" | b"ph" | b"it" | b"mrk" | b"sub")
}

fn push_text(
    unit: &mut Option<OpenUnit>,
    field: Field,
    inline: &[(Vec<u8>, usize)],
    alt_depth: usize,
    alt_text: &mut String,
    context: &mut String,
    s: &str,
) {
    if alt_depth > 0 {
        alt_text.push_str(s);
        return;
    }
    if field == Field::Context {
        context.push_str(s);
        return;
    }
    let Some((u, ..)) = unit.as_mut() else { return };
    let pieces = match field {
        Field::Source => &mut u.source,
        Field::Target => &mut u.target,
        _ => return,
    };
    // Inside bpt/ept/ph/it the text is the code's Markdown; elsewhere (and inside g, mrk) text.
    let native = inline.iter().any(|(n, _)| matches!(n.as_slice(), b"bpt" | b"ept" | b"ph" | b"it"));
    match (pieces.last_mut(), native) {
        (Some(Piece::Text(t)), false) => t.push_str(s),
        (Some(Piece::Native(t)), true) => t.push_str(s),
        (_, false) => pieces.push(Piece::Text(s.to_string())),
        (_, true) => pieces.push(Piece::Native(s.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::Syntax;

    #[test]
    fn units_round_trip_with_codes_notes_and_states() {
        let unit = Unit {
            id: "guidance/a & b.md#restore/1".into(),
            source: "See [the check](c.md \"t\") & <b>.[^1]".into(),
            target: "Siehe [die Prüfung](c.md \"t\").[^1]".into(),
            syntax: Syntax::Markdown,
            state: UnitState::NeedsReview,
            note: "Backups › Restore".into(),
        };
        let xml = write_xliff("en", "de", &[("guidance/a & b.md".into(), vec![unit.clone()])]);
        assert!(
            xml.contains("<bpt id=\"1\" ctype=\"link\">[</bpt>the check<ept id=\"1\">](c.md &quot;t&quot;)</ept>"),
            "{xml}"
        );
        assert!(xml.contains("<ph id=\"3\" ctype=\"x-footnote\">[^1]</ph>"), "{xml}");
        assert!(xml.contains("state=\"needs-review-translation\""));
        let read = read_xliff(&xml).unwrap();
        assert_eq!(read.target_lang.as_deref(), Some("de"));
        let u = &read.units[0];
        assert_eq!(u.id, unit.id);
        assert_eq!(u.line, 5);
        assert_eq!(crate::exchange::flatten_pieces(&u.source, &[]).unwrap(), unit.source);
        assert_eq!(crate::exchange::flatten_pieces(&u.target, &[]).unwrap(), unit.target);
        assert!(!u.confirmed);
    }

    #[test]
    fn alt_trans_is_a_suggestion_and_cdata_is_text() {
        let xml = "<xliff version=\"1.2\"><file target-language=\"fr\"><body>\n<trans-unit id=\"1\" resname=\"a.md#description\">\n<source>Desc</source>\n<target state=\"translated\"><![CDATA[Déjà <vu> & plus]]></target>\n<alt-trans><target>FR-DESCALT-FUZZY</target></alt-trans>\n</trans-unit>\n<trans-unit id=\"2\"><source>x</source><alt-trans match-quality=\"80\"><target>ALT</target></alt-trans></trans-unit></body></file></xliff>";
        let read = read_xliff(xml).unwrap();
        let u = &read.units[0];
        assert_eq!(u.id, "a.md#description");
        assert_eq!(crate::exchange::flatten_pieces(&u.target, &[]).unwrap(), "Déjà <vu> & plus");
        assert_eq!(u.suggestions, ["FR-DESCALT-FUZZY"]);
        assert!(u.confirmed);
        assert!(read.units[1].target.is_empty(), "an alt-trans never becomes the target");
        let err = read_xliff("<xliff>\n<file>\n<body></file>").unwrap_err();
        assert_eq!(err.0, 3);
    }
}
