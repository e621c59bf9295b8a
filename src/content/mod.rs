//! Content: the files under `content/<lang>/` read into pages, structured data and assets, and
//! the routes that give every page (and every untranslated page's fallback) its output URL.

pub mod front_matter;
pub mod load;
pub mod routes;

use std::path::PathBuf;

pub use front_matter::{FrontMatter, Kind};

/// A Markdown file of the content, parsed.
#[derive(Debug, Clone)]
pub struct Page {
    pub lang: String,
    /// Path below `content/<lang>/`, with `/` separators: `guidance/backups.md`.
    pub rel_path: String,
    /// Path shown in diagnostics, relative to the site root: `content/en/guidance/backups.md`.
    pub file: PathBuf,
    pub front: FrontMatter,
    pub body: String,
    /// 1-based line of the file on which the Markdown body starts.
    pub body_line: usize,
    /// Digest of the file's text, recorded by translations to detect staleness (source-language
    /// pages only; empty for translations).
    pub digest: String,
}

impl Page {
    /// `_index.md` files are sections (a language home, a section, a training module).
    pub fn is_section(&self) -> bool {
        self.rel_path == "_index.md" || self.rel_path.ends_with("/_index.md")
    }

    /// The folder this page describes (for a section) or lives in (for a page), `""` for the root.
    pub fn dir(&self) -> &str {
        self.rel_path.rfind('/').map_or("", |i| &self.rel_path[..i])
    }

    /// Identifies a page across languages: its `translation_key`, or its path.
    pub fn translation_key(&self) -> &str {
        self.front.translation_key.as_deref().unwrap_or(&self.rel_path)
    }
}

/// A file of the content that is neither a page nor data: copied to the output as is.
#[derive(Debug, Clone)]
pub struct Asset {
    pub lang: String,
    pub rel_path: String,
    pub source: PathBuf,
}

/// A TOML data file next to a page (self-assessment, quiz).
#[derive(Debug, Clone)]
pub struct DataFile {
    pub lang: String,
    pub rel_path: String,
    pub file: PathBuf,
    pub text: String,
}

/// A language's search synonyms (`content/<lang>/_synonyms.toml`): search data, not a page,
/// data file or asset.
#[derive(Debug, Clone)]
pub struct SynonymsFile {
    pub file: PathBuf,
    pub groups: Vec<crate::search::SynonymGroup>,
}

/// Everything read from `content/`.
#[derive(Debug, Clone, Default)]
pub struct Content {
    /// Language codes that have a folder, sorted.
    pub languages: Vec<String>,
    /// Sorted by (language, path).
    pub pages: Vec<Page>,
    pub data: Vec<DataFile>,
    pub assets: Vec<Asset>,
    /// Files that exist but could not be read or parsed, as (language, path): their errors are
    /// reported once; links to them are not reported again as broken.
    pub failed: std::collections::BTreeSet<(String, String)>,
    /// Language -> its synonyms file, when it has one.
    pub synonyms: std::collections::BTreeMap<String, SynonymsFile>,
}

/// Hex SHA-256 of a text, shortened: enough to tell two versions of a page apart.
pub fn digest(text: &str) -> String {
    use sha2::{Digest, Sha256};
    // Neither does a byte-order mark some editors add.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Line endings do not change the text: a checkout on Windows must not make pages stale.
    let hash = if text.contains('\r') {
        Sha256::digest(text.replace("\r\n", "\n").as_bytes())
    } else {
        Sha256::digest(text.as_bytes())
    };
    hash.iter().take(8).map(|b| format!("{b:02x}")).collect()
}
