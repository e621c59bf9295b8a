//! Search: one Tantivy index per language built from page sections, exported as small
//! classic-script shards that the browser client queries offline.
//!
//! The pipeline hands this module plain `SearchDoc`s; it returns the files to write under the
//! output folder (only `output` writes the site).

pub mod analyzer;
pub mod export;
pub mod index;
pub mod lexicon;
pub mod plan;
pub mod query;
pub mod synonyms;
pub mod synthetic;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::Error;

pub use analyzer::{analyzer_for, analyzer_from_spec, LangAnalyzer};
pub use export::ShardSizes;
pub use query::{query_native, run_search_cli, Hit, NativeSearcher, QueryOptions, SearchResults};
pub use synonyms::{SynonymGroup, UnknownWord};

/// One retrievable unit: a section of a page (the text under one heading).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SearchDoc {
    /// URL relative to the site root, with the heading anchor: `en/guidance/backups.html#restore`.
    pub url: String,
    pub page_title: String,
    /// The heading of this section; empty for the text before the first heading.
    pub section: String,
    /// Plain text of the section.
    pub body: String,
    pub description: String,
    pub kind: String,
    pub audience: Vec<String>,
    pub topics: Vec<String>,
    /// From a reference page (front matter `reference = true`): its heading counts as body.
    pub reference: bool,
}

/// A file of the browser index, relative to the output root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// A language's native index built in a folder beside the live one (`.<lang>.new`), so that a
/// failed build leaves the live index as it was; `promote` puts it in place.
pub struct NewIndex {
    built: PathBuf,
    live: PathBuf,
}

impl NewIndex {
    pub fn beside(live: &Path) -> Self {
        let name = live.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        NewIndex { built: live.with_file_name(format!(".{name}.new")), live: live.to_path_buf() }
    }

    pub fn built(&self) -> &Path {
        &self.built
    }

    /// Replaces the live index (if any) with the new one.
    pub fn promote(&self) -> Result<(), Error> {
        if self.live.exists() {
            index::ensure_replaceable(&self.live)?;
            std::fs::remove_dir_all(&self.live).map_err(|e| Error::io(&self.live, e))?;
        }
        std::fs::rename(&self.built, &self.live).map_err(|e| Error::io(&self.live, e))
    }
}

impl Drop for NewIndex {
    /// A new index that was not promoted is left over from a failed build.
    fn drop(&mut self) {
        if self.built.exists() {
            let _ = std::fs::remove_dir_all(&self.built);
            // And the cache folders the build made for it, when nothing else is in them
            // (`remove_dir` refuses a folder that is not empty).
            for folder in self.built.ancestors().skip(1).take(2) {
                let _ = std::fs::remove_dir(folder);
            }
        }
    }
}

/// Builds the Tantivy index of one language in `index_dir` (created or replaced) from `docs`,
/// in their order, and returns the browser index files under `search/<lang>/`: the manifest
/// `search/<lang>/index.js` and content-hashed shards. The files are byte-identical across
/// runs for the same docs.
pub fn build_language(lang: &str, docs: &[SearchDoc], index_dir: &Path) -> Result<Vec<SearchFile>, Error> {
    build_language_with(lang, &analyzer_for(lang), docs, index_dir)
}

/// `build_language` with an explicit analyzer (a `portal.toml` override, see
/// `analyzer::analyzer_from_spec`); queries use the analyzer recorded with the index.
pub fn build_language_with(
    lang: &str,
    analyzer: &analyzer::LangAnalyzer,
    docs: &[SearchDoc],
    index_dir: &Path,
) -> Result<Vec<SearchFile>, Error> {
    build_language_timed(lang, analyzer, docs, &[], index_dir, &ShardSizes::default()).map(|built| built.files)
}

/// The files of a language's browser index and how long each half of making them took.
pub struct Built {
    pub files: Vec<SearchFile>,
    /// Words of the synonyms that no page has (warnings for the synonyms file).
    pub unknown_synonyms: Vec<UnknownWord>,
    pub index_time: Duration,
    pub export_time: Duration,
}

/// `build_language_with` with synonyms and explicit shard sizes, timing the Tantivy index and the export
/// apart (`--timings`, and the benchmark's sweep of shard sizes).
pub fn build_language_timed(
    lang: &str,
    analyzer: &analyzer::LangAnalyzer,
    docs: &[SearchDoc],
    synonyms: &[SynonymGroup],
    index_dir: &Path,
    sizes: &ShardSizes,
) -> Result<Built, Error> {
    let started = Instant::now();
    let lexicon = index::build_index(analyzer, docs, index_dir)?;
    synonyms::Synonyms::write_groups(synonyms, index_dir)?;
    let (resolved, unknown_synonyms) = synonyms::Synonyms::resolve(synonyms, &lexicon, &mut analyzer.session());
    let indexed = Instant::now();
    let files = export::export_index(lang, index_dir, docs, &lexicon, &resolved, sizes)?;
    Ok(Built { files, unknown_synonyms, index_time: indexed - started, export_time: indexed.elapsed() })
}
