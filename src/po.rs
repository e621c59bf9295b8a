//! gettext PO, the second exchange format (Weblate, Pootle and many volunteer teams work in
//! it): one entry per unit with `msgctxt` = the unit id (so repeated sentences stay apart),
//! `#.` comments for context, `#:` the unit id again as a reference, and `#, fuzzy` for a unit
//! whose source changed since it was translated. Texts are the units' Markdown; the `md-text`
//! flag tells Weblate to check Markdown links and syntax.
//!
//! A small reader and writer rather than a crate: the PO crates on crates.io give no line
//! numbers for errors and slice malformed lines without checking (a panic on user input).

use std::fmt::Write;

use crate::exchange::{Piece, ReadFile, ReadUnit, Unit, UnitState};
use crate::units::Syntax;

/// A PO string literal, escaped.
fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes a PO file of the units (the header names the language and the generator).
pub fn write_po(source_lang: &str, target_lang: &str, files: &[(String, Vec<Unit>)]) -> String {
    let mut x = String::new();
    x.push_str("# Translation exchange file written by `portal i18n export --format po`.\n");
    let _ = writeln!(x, "# Import it with `portal i18n import FILE.po` (source language {source_lang}).");
    x.push_str("msgid \"\"\nmsgstr \"\"\n");
    let _ = writeln!(x, "\"Language: {target_lang}\\n\"");
    x.push_str("\"MIME-Version: 1.0\\n\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n");
    x.push_str("\"Content-Transfer-Encoding: 8bit\\n\"\n\"X-Generator: portal i18n export\\n\"\n");
    for (_, units) in files {
        for u in units {
            x.push('\n');
            for line in u.note.lines().filter(|l| !l.is_empty()) {
                let _ = writeln!(x, "#. {line}");
            }
            let _ = writeln!(x, "#: {}", u.id.replace(' ', "%20"));
            let mut flags = Vec::new();
            if u.state == UnitState::NeedsReview {
                flags.push("fuzzy");
            }
            if u.syntax == Syntax::Markdown {
                flags.push("md-text");
            }
            if !flags.is_empty() {
                let _ = writeln!(x, "#, {}", flags.join(", "));
            }
            let _ = writeln!(x, "msgctxt {}", quote(&u.id));
            let _ = writeln!(x, "msgid {}", quote(&u.source));
            let _ = writeln!(x, "msgstr {}", quote(&u.target));
        }
    }
    x
}

/// Parses a PO string literal (`"..."`); `Err` says what is wrong with it.
fn unquote(literal: &str) -> Result<String, String> {
    let inner = literal
        .trim()
        .strip_prefix('"')
        .and_then(|l| l.strip_suffix('"'))
        .filter(|_| literal.trim().len() >= 2)
        .ok_or_else(|| format!("expected a string in double quotes, found `{}`", literal.trim()))?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some(other) => return Err(format!("unknown escape `\\{other}`")),
                None => return Err("a string ends with a lone `\\`".to_string()),
            },
            '"' => return Err("an unescaped `\"` inside a string".to_string()),
            _ => out.push(c),
        }
    }
    Ok(out)
}

#[derive(Debug, Default)]
struct Entry {
    line: usize,
    msgctxt: Option<String>,
    msgid: Option<String>,
    msgstr: Option<String>,
    references: Vec<String>,
    fuzzy: bool,
    obsolete: bool,
}

/// Reads a PO file: every entry but the header becomes a unit (its id from `msgctxt`, else
/// the `#:` reference). `Err` is `(line, message)` for a line that is not PO.
pub fn read_po(text: &str) -> Result<ReadFile, (usize, String)> {
    let mut out = ReadFile::default();
    let mut entries: Vec<Entry> = Vec::new();
    let mut current = Entry::default();
    let mut field: Option<&'static str> = None;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let finish = |entry: Entry, entries: &mut Vec<Entry>| {
        if entry.msgid.is_some() || entry.msgctxt.is_some() {
            entries.push(entry);
        }
    };
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let starts_entry = line.starts_with('#') || line.starts_with("msgctxt") || line.starts_with("msgid ");
        if starts_entry && current.msgstr.is_some() {
            finish(std::mem::take(&mut current), &mut entries);
            field = None;
        }
        if current.line == 0 {
            current.line = line_no;
        }
        if let Some(rest) = line.strip_prefix("#~") {
            current.obsolete = true;
            let _ = rest;
            continue;
        }
        if let Some(flags) = line.strip_prefix("#,") {
            current.fuzzy |= flags.split(',').any(|f| f.trim() == "fuzzy");
            continue;
        }
        if let Some(refs) = line.strip_prefix("#:") {
            current.references.extend(refs.split_whitespace().map(|r| r.replace("%20", " ").replace("%23", "#")));
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let (name, value) = if line.starts_with('"') {
            let Some(f) = field else {
                return Err((line_no, "a string continues no msgid or msgstr".to_string()));
            };
            (f, line)
        } else {
            let (keyword, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let name = match keyword {
                "msgctxt" => "msgctxt",
                "msgid" => "msgid",
                "msgstr" | "msgstr[0]" => "msgstr",
                "msgid_plural" => "msgid_plural",
                k if k.starts_with("msgstr[") => "msgstr_other",
                other => return Err((line_no, format!("`{other}` is not a PO keyword"))),
            };
            field = Some(name);
            (name, rest)
        };
        let value = unquote(value).map_err(|m| (line_no, m))?;
        let slot = match name {
            "msgctxt" => &mut current.msgctxt,
            "msgid" => &mut current.msgid,
            "msgstr" => &mut current.msgstr,
            _ => continue,
        };
        slot.get_or_insert_with(String::new).push_str(&value);
    }
    finish(current, &mut entries);
    for entry in entries {
        if entry.obsolete {
            continue;
        }
        let msgid = entry.msgid.unwrap_or_default();
        if msgid.is_empty() && entry.msgctxt.is_none() {
            // The header: its Language names the target language.
            let header = entry.msgstr.unwrap_or_default();
            out.target_lang = header
                .lines()
                .find_map(|l| l.strip_prefix("Language:"))
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty());
            continue;
        }
        let ours = |s: &String| s.contains('#') || s.starts_with("i18n:");
        let id = entry
            .msgctxt
            .clone()
            .filter(ours)
            .or_else(|| entry.references.iter().find(|r| ours(r)).cloned())
            .or(entry.msgctxt)
            .unwrap_or_default();
        out.units.push(ReadUnit {
            id,
            line: entry.line,
            source: vec![Piece::Text(msgid)],
            target: entry.msgstr.map(Piece::Text).into_iter().collect(),
            confirmed: !entry.fuzzy,
            suggestions: Vec::new(),
            header: false,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn po_round_trips_ids_context_and_fuzzy() {
        let units = vec![
            Unit {
                id: "guidance/a.md#top/1".into(),
                source: "Say \"hi\"\\\nthen [go](b.md).".into(),
                target: "Sag \"hallo\"".into(),
                syntax: Syntax::Markdown,
                state: UnitState::NeedsReview,
                note: "Intro".into(),
            },
            Unit {
                id: "guidance/b.md#top/1".into(),
                source: "Say \"hi\"\\\nthen [go](b.md).".into(),
                target: String::new(),
                syntax: Syntax::Markdown,
                state: UnitState::New,
                note: String::new(),
            },
        ];
        let po = write_po("en", "de", &[("x".into(), units.clone())]);
        assert!(po.contains("#, fuzzy, md-text\nmsgctxt \"guidance/a.md#top/1\"\n"), "{po}");
        let read = read_po(&po).unwrap();
        assert_eq!(read.target_lang.as_deref(), Some("de"));
        assert_eq!(read.units.len(), 2, "repeated sentences stay apart");
        assert_eq!(read.units[0].id, "guidance/a.md#top/1");
        assert_eq!(read.units[0].source, vec![Piece::Text(units[0].source.clone())]);
        assert_eq!(read.units[0].target, vec![Piece::Text("Sag \"hallo\"".into())]);
        assert!(!read.units[0].confirmed, "fuzzy");
        assert!(read.units[1].confirmed);
        assert_eq!(read.units[1].line, 18);
    }

    #[test]
    fn continuation_lines_and_errors_with_lines() {
        let po = "msgid \"\"\nmsgstr \"Language: nl\\n\"\n\n#: a.md#top/1\nmsgid \"\"\n\"Two \"\n\"parts\"\nmsgstr \"Twee \"\n\"delen\"\n\n#~ msgid \"old\"\n#~ msgstr \"oud\"\n";
        let read = read_po(po).unwrap();
        assert_eq!(read.units.len(), 1);
        assert_eq!(read.units[0].id, "a.md#top/1");
        assert_eq!(read.units[0].target, vec![Piece::Text("Twee delen".into())]);
        assert_eq!(read_po("msgid \"a\"\nmsgstr \"b\n").unwrap_err().0, 2);
        assert_eq!(read_po("msgid \"a\"\nmsgtsr \"b\"\n").unwrap_err().0, 2);
        assert_eq!(read_po("\"x\"\n").unwrap_err().0, 1);
    }
}
