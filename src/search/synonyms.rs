//! Synonyms from content: `content/<lang>/_synonyms.toml` -> groups of equivalent
//! expressions, resolved through the lexicon into the terms a query phrase adds (plan rule 4,
//! `plan.rs`). The same resolution runs for `portal search` and for the export to the browser.
//!
//! ```toml
//! "data breach" = ["personal data breach", "datalek"]
//! mfa = ["2FA", "two-factor authentication", "two-step verification"]
//! ```
//!
//! Each line is one group: the key and its list are all equivalent, so a query holding any of
//! them also finds the others.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::analyzer::{AnalysisSession, Surface};
use super::lexicon::Lexicon;
use crate::error::{Diagnostic, Error};

/// File of the groups next to the Tantivy index (for `portal search`).
pub const SYNONYMS_FILE: &str = "synonyms.json";
/// Name of the file in a language's content folder.
pub const CONTENT_FILE: &str = "_synonyms.toml";

/// One group of equivalent expressions as written, with its line in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynonymGroup {
    pub members: Vec<String>,
    pub line: usize,
}

/// Parses a synonyms file; a malformed file is an error naming the line.
pub fn parse_synonyms(path: &Path, text: &str) -> Result<Vec<SynonymGroup>, Diagnostic> {
    let table: toml::Table = toml::from_str(text).map_err(|e| crate::config::toml_diagnostic(path, text, 0, &e))?;
    let mut groups = Vec::new();
    for (key, value) in table {
        let line = line_of_key(text, &key);
        let list = value.as_array().ok_or_else(|| {
            Diagnostic::error(path, line, 1, format!("`{key}`: expected a list of strings, like [\"a\", \"b\"]"))
        })?;
        let mut members = vec![key.clone()];
        for item in list {
            let item = item.as_str().ok_or_else(|| {
                Diagnostic::error(path, line, 1, format!("`{key}`: every synonym is a string in quotes"))
            })?;
            members.push(item.to_string());
        }
        groups.push(SynonymGroup { members, line });
    }
    groups.sort_by_key(|g| g.line);
    Ok(groups)
}

/// The line where `key` is defined (1-based; 0 when not found).
fn line_of_key(text: &str, key: &str) -> usize {
    let quoted = format!("\"{key}\"");
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            (line.starts_with(&quoted) || line.starts_with(key)) && line.contains('=')
        })
        .map_or(0, |i| i + 1)
}

/// Synonym groups resolved through a language's lexicon.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Synonyms {
    /// Each member's surface forms, and its group, in file order.
    pub phrases: Vec<(Vec<String>, usize)>,
    /// Each group's terms, sorted by bytes.
    pub groups: Vec<Vec<String>>,
}

/// A synonym group none of whose words any page of the language has: it finds nothing. (A
/// member the pages do not use is the point of a synonym, `2FA` for pages that say MFA; a
/// group without any known word is a typo or a stale entry.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownWord {
    pub line: usize,
    pub word: String,
}

impl Synonyms {
    /// Resolves `groups`; also returns the groups without any word of the lexicon (by their
    /// first member).
    pub fn resolve(
        groups: &[SynonymGroup],
        lexicon: &Lexicon,
        session: &mut AnalysisSession,
    ) -> (Self, Vec<UnknownWord>) {
        let mut out = Synonyms::default();
        let mut unknown = Vec::new();
        for group in groups {
            let index = out.groups.len();
            let mut terms = BTreeSet::new();
            for member in &group.members {
                let surfaces: Vec<String> = session.surfaces(member).into_iter().map(|s| s.text).collect();
                for surface in &surfaces {
                    terms.extend(lexicon.lookup(surface));
                }
                if !surfaces.is_empty() {
                    out.phrases.push((surfaces, index));
                }
            }
            if terms.is_empty() {
                unknown.push(UnknownWord { line: group.line, word: group.members[0].clone() });
            }
            let mut terms: Vec<String> = terms.into_iter().collect();
            terms.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            out.groups.push(terms);
        }
        (out, unknown)
    }

    /// The terms of every group with a member phrase among `surfaces` (consecutive), in the
    /// order phrases are listed, then positions, then the group's terms.
    pub fn terms_in<'a>(&'a self, surfaces: &[Surface]) -> Vec<&'a str> {
        let mut out = Vec::new();
        for (phrase, group) in &self.phrases {
            let matches = surfaces.windows(phrase.len()).any(|w| w.iter().zip(phrase).all(|(s, p)| s.text == *p));
            if matches {
                out.extend(self.groups[*group].iter().map(String::as_str));
            }
        }
        out
    }

    /// Writes the raw groups next to the index.
    pub fn write_groups(groups: &[SynonymGroup], index_dir: &Path) -> Result<(), Error> {
        let path = index_dir.join(SYNONYMS_FILE);
        let bytes = serde_json::to_vec(groups).map_err(|e| Error::Search(e.to_string()))?;
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))
    }

    /// Reads the raw groups next to the index (none when the file is absent).
    pub fn load_groups(index_dir: &Path) -> Result<Vec<SynonymGroup>, Error> {
        let path = index_dir.join(SYNONYMS_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::Search(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(Error::io(&path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::analyzer::{analyzer_for, MemoTokenizer};
    use tantivy::tokenizer::{TokenStream, Tokenizer};

    #[test]
    fn groups_parse_with_their_lines_and_bad_values_name_the_line() {
        let text = "# comment\n\"data breach\" = [\"personal data breach\", \"datalek\"]\nmfa = [\"2FA\"]\n";
        let groups = parse_synonyms(Path::new("s.toml"), text).expect("parses");
        assert_eq!(groups[0].members, ["data breach", "personal data breach", "datalek"]);
        assert_eq!((groups[0].line, groups[1].line), (2, 3));
        let bad = parse_synonyms(Path::new("s.toml"), "a = [\"b\"]\nc = 3\n").expect_err("not a list");
        assert_eq!(bad.line, 2);
        let broken = parse_synonyms(Path::new("s.toml"), "a = [\n").expect_err("malformed");
        assert!(broken.line >= 1);
    }

    #[test]
    fn resolution_unions_the_groups_terms_and_reports_unknown_words() {
        let analyzer = analyzer_for("en");
        let mut memo = MemoTokenizer::new(&analyzer);
        let mut stream = memo.token_stream("a personal data breach must be reported; MFA");
        while stream.advance() {}
        drop(stream);
        let mut session = analyzer.session();
        let lexicon = Lexicon::from_surfaces(memo.surfaces(), &mut session);
        let groups = [
            SynonymGroup { members: vec!["data breach".into(), "datalek".into()], line: 4 },
            SynonymGroup { members: vec!["hackathon".into(), "capture the flag".into()], line: 5 },
        ];
        let (synonyms, unknown) = Synonyms::resolve(&groups, &lexicon, &mut session);
        assert_eq!(synonyms.groups[0], ["breach", "data"]);
        assert_eq!(unknown, [UnknownWord { line: 5, word: "hackathon".into() }], "only a group that finds nothing");
        let query = session.surfaces("datalek?");
        assert_eq!(synonyms.terms_in(&query), ["breach", "data"]);
    }
}
