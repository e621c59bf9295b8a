//! The unit model shared by the exchange formats (XLIFF in `xliff`, gettext PO in `po`): a
//! unit as exported (id, source and target text, state, context) and the pieces a read unit's
//! text comes back as, flattened to Markdown against the source's inline codes.

use crate::units::{tokens, tokens_like, Syntax, Token};

/// How far a unit is translated, as the export says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitState {
    /// No translation yet.
    New,
    /// Translated from the source's present text.
    Translated,
    /// Translated, but the source changed since: the target is the old translation to review.
    NeedsReview,
}

impl UnitState {
    /// The XLIFF 1.2 `state` of the target.
    pub fn xliff(self) -> &'static str {
        match self {
            UnitState::New => "new",
            UnitState::Translated => "translated",
            UnitState::NeedsReview => "needs-review-translation",
        }
    }
}

/// One unit of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// `guidance/backups.md#restore-test/2`, `tools/self-assessment.md#data:questions.x.text`,
    /// `i18n:search.results.few`: the same in every export while the page's structure stays.
    pub id: String,
    pub source: String,
    pub target: String,
    pub syntax: Syntax,
    pub state: UnitState,
    /// Context for the translator: the heading path, or what a UI string or data text is.
    pub note: String,
}

impl Unit {
    pub fn source_tokens(&self) -> Vec<Token> {
        tokens(&self.source, self.syntax)
    }

    /// The target's tokens, with the ids of the source's matching codes.
    pub fn target_tokens(&self) -> Vec<Token> {
        tokens_like(&self.target, self.syntax, &self.source_tokens())
    }
}

/// A piece of a unit's text as read back from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text the translator wrote.
    Text(String),
    /// The Markdown a code carries (`<bpt>`, `<ept>`, `<ph>` content).
    Native(String),
    /// `<g id>`: the start of the source's paired code `id`.
    OpenRef(String),
    /// `</g>`: the end of the innermost open `<g>`.
    CloseRef,
    /// `<x id/>`, `<bx/>`, `<ex/>`: the source's code `id`.
    CodeRef(String),
}

/// A unit as read from a file, before it is checked against the site.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReadUnit {
    /// The unit id (resname, else the location context, else the id attribute).
    pub id: String,
    /// 1-based line of the `<trans-unit>` (or PO entry) in the file.
    pub line: usize,
    pub source: Vec<Piece>,
    pub target: Vec<Piece>,
    /// The translator confirmed the target (XLIFF state translated/final/signed-off or
    /// approved="yes"; a PO entry without `fuzzy`).
    pub confirmed: bool,
    /// `<alt-trans>` targets: suggestions, never used as the translation.
    pub suggestions: Vec<String>,
    /// A header entry a tool added (translate-toolkit's copy of the PO header), not a unit.
    pub header: bool,
}

/// A read exchange file: its target language (if it names one) and units.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReadFile {
    pub target_lang: Option<String>,
    pub units: Vec<ReadUnit>,
}

/// The Markdown of read pieces; `<g>` and `<x/>` take the Markdown of the source's code with
/// the same id. `Err` names an id the source does not have.
pub fn flatten_pieces(pieces: &[Piece], source: &[Token]) -> Result<String, String> {
    let mut out = String::new();
    let mut open: Vec<String> = Vec::new();
    let find_open = |id: &str| {
        source.iter().find_map(|t| match t {
            Token::Open { id: i, native, .. } if i.to_string() == id => Some(native.clone()),
            _ => None,
        })
    };
    let find_close = |id: &str| {
        source.iter().find_map(|t| match t {
            Token::Close { id: i, native } if i.to_string() == id => Some(native.clone()),
            _ => None,
        })
    };
    for p in pieces {
        match p {
            Piece::Text(t) | Piece::Native(t) => out.push_str(t),
            Piece::OpenRef(id) => {
                out.push_str(
                    &find_open(id).ok_or_else(|| format!("inline code <g id=\"{id}\"> is not in the source"))?,
                );
                open.push(id.clone());
            }
            Piece::CloseRef => {
                let id = open.pop().unwrap_or_default();
                out.push_str(&find_close(&id).unwrap_or_default());
            }
            Piece::CodeRef(id) => {
                let native = source
                    .iter()
                    .find_map(|t| match t {
                        Token::Code { id: i, native, .. } if i.to_string() == *id => Some(native.clone()),
                        _ => None,
                    })
                    .or_else(|| find_open(id))
                    .or_else(|| find_close(id))
                    .ok_or_else(|| format!("inline code <x id=\"{id}\"/> is not in the source"))?;
                out.push_str(&native);
            }
        }
    }
    Ok(out)
}

/// The Markdown of the pieces with soft line breaks a tool added folded to spaces (a blank line
/// stays: it would be new block structure, which the checks report).
pub fn normalize_target(text: &str) -> String {
    let text = text.trim_matches(|c: char| c == ' ' || c == '\n' || c == '\r' || c == '\t');
    let mut out = String::with_capacity(text.len());
    let lines: Vec<&str> = text.split('\n').collect();
    for (i, line) in lines.iter().enumerate() {
        let line = line.trim_end_matches('\r');
        if i == 0 {
            out.push_str(line);
            continue;
        }
        let previous = lines[i - 1].trim_end_matches('\r');
        if line.trim().is_empty() || previous.trim().is_empty() || previous.ends_with('\\') {
            out.push('\n');
            out.push_str(line);
        } else {
            out.push(' ');
            out.push_str(line.trim_start());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_and_x_take_the_sources_markdown() {
        let source = tokens("Read [this](a.md) now.[^1]", Syntax::Markdown);
        let pieces = vec![
            Piece::Text("Lies ".into()),
            Piece::OpenRef("1".into()),
            Piece::Text("das".into()),
            Piece::CloseRef,
            Piece::Text(" jetzt.".into()),
            Piece::CodeRef("2".into()),
        ];
        assert_eq!(flatten_pieces(&pieces, &source).unwrap(), "Lies [das](a.md) jetzt.[^1]");
        assert!(flatten_pieces(&[Piece::CodeRef("9".into())], &source).unwrap_err().contains("id=\"9\""));
        assert_eq!(normalize_target("a\nb\n\nc"), "a b\n\nc");
        assert_eq!(normalize_target("  a\\\nb \n"), "a\\\nb");
    }
}
