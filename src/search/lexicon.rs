//! The lexicon: every lowercased surface form seen at build time mapped to the term it was
//! indexed as. Queries go through it (natively and in the browser) so that the browser needs
//! neither a stemmer nor a dictionary, and both sides map the same words to the same terms.
//!
//! A key is a surface form or its ASCII folding (so `citta` typed without the accent finds
//! the term of `città`). A key maps to every term of the surfaces that produce it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::analyzer::AnalysisSession;
use crate::error::Error;

/// File name of the lexicon next to the Tantivy index.
pub const LEXICON_FILE: &str = "lexicon.json";

/// Surface forms and the terms they were indexed as.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lexicon {
    /// Lowercased surface form -> indexed term (a function: the analyzer is deterministic).
    pub surfaces: BTreeMap<String, String>,
    /// Key (surface or its folding) -> terms, derived from `surfaces`.
    #[serde(skip)]
    pub keys: BTreeMap<String, BTreeSet<String>>,
    /// (key, term) -> characters of the term when it begins the key's ASCII folding (the stem
    /// is the start of the word: `isolate` -> `isol`), derived from `surfaces`.
    #[serde(skip)]
    stems: HashMap<(String, String), usize>,
}

impl Lexicon {
    /// Derives the key map (surfaces plus their ASCII foldings).
    pub fn from_surfaces(surfaces: BTreeMap<String, String>, session: &mut AnalysisSession) -> Self {
        let mut keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut stems = HashMap::new();
        for (surface, term) in &surfaces {
            keys.entry(surface.clone()).or_default().insert(term.clone());
            let folded = session.fold(surface);
            if folded.starts_with(term.as_str()) {
                let chars = term.chars().count();
                stems.insert((surface.clone(), term.clone()), chars);
                stems.insert((folded.clone(), term.clone()), chars);
            }
            if !folded.is_empty() && folded != *surface {
                keys.entry(folded).or_default().insert(term.clone());
            }
        }
        Lexicon { surfaces, keys, stems }
    }

    /// Characters of `term` when it begins the folding of `key` (a stem), else 0.
    pub fn stem_chars(&self, key: &str, term: &str) -> usize {
        self.stems.get(&(key.to_string(), term.to_string())).copied().unwrap_or(0)
    }

    /// Keys that start with `prefix` and their terms, in key order.
    pub fn keys_with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a BTreeSet<String>)> {
        self.keys
            .range::<str, _>((std::ops::Bound::Included(prefix), std::ops::Bound::Unbounded))
            .take_while(move |(key, _)| key.starts_with(prefix))
            .map(|(key, terms)| (key.as_str(), terms))
    }

    /// The terms a query word (lowercased) stands for, sorted; empty when never seen.
    pub fn lookup(&self, key: &str) -> Vec<String> {
        self.keys.get(key).map(|terms| terms.iter().cloned().collect()).unwrap_or_default()
    }

    /// All terms of the keys that start with `prefix`, sorted and deduplicated.
    pub fn terms_with_key_prefix(&self, prefix: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (key, terms) in self.keys.range(prefix.to_string()..) {
            if !key.starts_with(prefix) {
                break;
            }
            out.extend(terms.iter().cloned());
        }
        out
    }

    /// Term -> the surfaces indexed as it (for highlighting excerpts).
    pub fn surfaces_by_term(&self) -> BTreeMap<&str, Vec<&str>> {
        let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (surface, term) in &self.surfaces {
            out.entry(term.as_str()).or_default().push(surface.as_str());
        }
        out
    }

    pub fn write(&self, index_dir: &Path) -> Result<(), Error> {
        let path = index_dir.join(LEXICON_FILE);
        let bytes = serde_json::to_vec(&self.surfaces).map_err(|e| Error::Search(e.to_string()))?;
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))
    }

    pub fn load(index_dir: &Path, session: &mut AnalysisSession) -> Result<Self, Error> {
        let path = index_dir.join(LEXICON_FILE);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let surfaces: BTreeMap<String, String> =
            serde_json::from_slice(&bytes).map_err(|e| Error::Search(format!("{}: {e}", path.display())))?;
        Ok(Lexicon::from_surfaces(surfaces, session))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::analyzer::{analyzer_for, MemoTokenizer};
    use tantivy::tokenizer::{TokenStream, Tokenizer};

    /// The lexicon as the index build makes it: from the memo of the texts' analysis.
    fn lexicon(lang: &str, texts: &[&str]) -> Lexicon {
        let analyzer = analyzer_for(lang);
        let mut memo = MemoTokenizer::new(&analyzer);
        for text in texts {
            let mut stream = memo.token_stream(text);
            while stream.advance() {}
        }
        Lexicon::from_surfaces(memo.surfaces(), &mut analyzer.session())
    }

    #[test]
    fn surfaces_map_to_stemmed_terms_and_stop_words_are_absent() {
        let lexicon = lexicon("en", &["The backups", "Backup hospitals"]);
        assert_eq!(lexicon.lookup("backups"), ["backup"]);
        assert_eq!(lexicon.lookup("backup"), ["backup"]);
        assert!(lexicon.lookup("the").is_empty());
        assert!(lexicon.lookup("hospital").is_empty(), "never seen as a surface");
    }

    #[test]
    fn folded_key_finds_accented_surface() {
        let lexicon = lexicon("it", &["la città", "attività"]);
        assert_eq!(lexicon.lookup("citta"), lexicon.lookup("città"));
        assert!(!lexicon.lookup("attivita").is_empty());
    }

    #[test]
    fn prefix_collects_terms_of_all_keys() {
        let lexicon = lexicon("en", &["backups backed background bacon"]);
        let terms = lexicon.terms_with_key_prefix("back");
        assert_eq!(terms.into_iter().collect::<Vec<_>>(), ["back", "background", "backup"]);
    }
}
