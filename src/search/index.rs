//! The Tantivy index of one language: schema, analyzer registration and building from
//! `SearchDoc`s. The index (plus the lexicon next to it) is a build artefact under the cache
//! folder; readers get the export of it (`export.rs`).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use tantivy::indexer::NoMergePolicy;
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexWriter, TantivyDocument};

use super::analyzer::{analyzer_for, analyzer_from_spec, LangAnalyzer, MemoTokenizer};
use super::lexicon::Lexicon;
use super::SearchDoc;
use crate::error::Error;

/// The scored text fields, in the order their clauses are summed, with their boosts.
///
/// Boosts are powers of two or halves so that products stay exact in f32.
pub const TEXT_FIELDS: [(&str, f32); 4] = [("title", 2.0), ("headings", 1.5), ("description", 1.0), ("body", 1.0)];

/// Fields of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// `TEXT_FIELDS`, in the same order.
    pub text: [Field; 4],
    pub kind: Field,
    pub audience: Field,
    pub topics: Field,
    pub url: Field,
    /// The section's heading as shown (boilerplate headings are not in the `headings` field).
    pub section: Field,
    /// Position of the doc in the input: the document order that breaks score ties.
    pub ord: Field,
}

pub(crate) fn search_error(context: &str, error: impl std::fmt::Display) -> Error {
    Error::Search(format!("{context}: {error}"))
}

fn schema(analyzer: &LangAnalyzer) -> (Schema, Fields) {
    let mut builder = Schema::builder();
    // Frequencies but no positions: queries are bags of terms, and positions would only grow
    // the index.
    let indexing =
        TextFieldIndexing::default().set_tokenizer(&analyzer.name).set_index_option(IndexRecordOption::WithFreqs);
    let stored = TextOptions::default().set_indexing_options(indexing.clone()).set_stored();
    let unstored = TextOptions::default().set_indexing_options(indexing);
    let text = [
        builder.add_text_field(TEXT_FIELDS[0].0, stored.clone()),
        builder.add_text_field(TEXT_FIELDS[1].0, unstored.clone()),
        builder.add_text_field(TEXT_FIELDS[2].0, unstored.clone()),
        builder.add_text_field(TEXT_FIELDS[3].0, unstored),
    ];
    let fields = Fields {
        text,
        kind: builder.add_text_field("kind", STRING | STORED),
        audience: builder.add_text_field("audience", STRING | STORED),
        topics: builder.add_text_field("topics", STRING | STORED),
        url: builder.add_text_field("url", STORED),
        section: builder.add_text_field("section", STORED),
        ord: builder.add_u64_field("ord", FAST | STORED),
    };
    (builder.build(), fields)
}

fn fields_of(schema: &Schema) -> Result<Fields, Error> {
    let get = |name: &str| schema.get_field(name).map_err(|e| search_error("schema", e));
    Ok(Fields {
        text: [get("title")?, get("headings")?, get("description")?, get("body")?],
        kind: get("kind")?,
        audience: get("audience")?,
        topics: get("topics")?,
        url: get("url")?,
        section: get("section")?,
        ord: get("ord")?,
    })
}

/// A heading on more than this share of a language's pages (and on at least
/// `BOILERPLATE_MIN_PAGES`) is boilerplate ("What to do this week" on every guidance page): it
/// is indexed as body text, without the heading boost.
pub const BOILERPLATE_SHARE: f64 = 0.1;
/// Fewest pages a heading must be on to count as boilerplate.
pub const BOILERPLATE_MIN_PAGES: usize = 3;

/// The headings (lowercased, trimmed) that are boilerplate among `docs` (see
/// `BOILERPLATE_SHARE`).
pub fn boilerplate_headings(docs: &[SearchDoc]) -> HashSet<String> {
    let page = |doc: &SearchDoc| doc.url.split('#').next().unwrap_or("").to_string();
    let pages: HashSet<String> = docs.iter().map(page).collect();
    let mut on_pages: HashMap<String, HashSet<String>> = HashMap::new();
    for doc in docs.iter().filter(|d| !d.section.trim().is_empty()) {
        on_pages.entry(doc.section.trim().to_lowercase()).or_default().insert(page(doc));
    }
    let min = BOILERPLATE_MIN_PAGES.max((pages.len() as f64 * BOILERPLATE_SHARE).floor() as usize + 1);
    on_pages.into_iter().filter(|(_, on)| on.len() >= min).map(|(heading, _)| heading).collect()
}

/// The texts of a doc per text field (index into `TEXT_FIELDS`), as indexed; a boilerplate
/// heading goes with the body (a second value of the field).
///
/// Title and description are page-level evidence: every section of the page carries them, so
/// that a page about X ranks first for X whichever of its sections matches best.
pub fn field_texts<'a>(doc: &'a SearchDoc, boilerplate: &HashSet<String>) -> [Vec<&'a str>; 4] {
    let heading = doc.section.as_str();
    let is_boilerplate = !heading.is_empty() && boilerplate.contains(&heading.trim().to_lowercase());
    let (headings, body) = if is_boilerplate || doc.reference {
        (vec![], vec![heading, doc.body.as_str()])
    } else {
        (vec![heading], vec![doc.body.as_str()])
    };
    [vec![&doc.page_title], headings, vec![&doc.description], body]
}

/// File next to the index naming its analyzer (`LangAnalyzer::spec`).
pub const ANALYZER_FILE: &str = "analyzer.txt";

/// Builds (or replaces) the index of one language in `index_dir`; returns its lexicon.
pub fn build_index(analyzer: &LangAnalyzer, docs: &[SearchDoc], index_dir: &Path) -> Result<Lexicon, Error> {
    if index_dir.exists() {
        ensure_replaceable(index_dir)?;
        std::fs::remove_dir_all(index_dir).map_err(|e| Error::io(index_dir, e))?;
    }
    std::fs::create_dir_all(index_dir).map_err(|e| Error::io(index_dir, e))?;
    let (schema, fields) = schema(analyzer);
    let index = Index::create_in_dir(index_dir, schema).map_err(|e| search_error("create index", e))?;
    let memo = MemoTokenizer::new(analyzer);
    index.tokenizers().register(&analyzer.name, TextAnalyzer::from(memo.clone()));
    // One indexing thread keeps document ids in input order within the segment; the `ord`
    // field keeps the order even if Tantivy ever splits the work into several segments.
    let mut writer: IndexWriter =
        index.writer_with_num_threads(1, 256 * 1024 * 1024).map_err(|e| search_error("index writer", e))?;
    // No merges: a large corpus may flush several segments, and the export reads them as runs
    // of consecutive documents (merging would only cost time; the cache is rebuilt each time).
    writer.set_merge_policy(Box::new(NoMergePolicy));
    let boilerplate = boilerplate_headings(docs);
    for (ord, doc) in docs.iter().enumerate() {
        let mut document = TantivyDocument::new();
        for (field, texts) in fields.text.iter().zip(field_texts(doc, &boilerplate)) {
            for text in texts {
                document.add_text(*field, text);
            }
        }
        // Empty values would become filter values that no reader can pick.
        if !doc.kind.is_empty() {
            document.add_text(fields.kind, &doc.kind);
        }
        for audience in doc.audience.iter().filter(|a| !a.is_empty()) {
            document.add_text(fields.audience, audience);
        }
        for topic in doc.topics.iter().filter(|t| !t.is_empty()) {
            document.add_text(fields.topics, topic);
        }
        document.add_text(fields.url, &doc.url);
        document.add_text(fields.section, &doc.section);
        document.add_u64(fields.ord, ord as u64);
        writer.add_document(document).map_err(|e| search_error("add document", e))?;
    }
    writer.commit().map_err(|e| search_error("commit", e))?;
    writer.wait_merging_threads().map_err(|e| search_error("merge", e))?;
    let lexicon = Lexicon::from_surfaces(memo.surfaces(), &mut analyzer.session());
    lexicon.write(index_dir)?;
    let spec_path = index_dir.join(ANALYZER_FILE);
    std::fs::write(&spec_path, &analyzer.spec).map_err(|e| Error::io(&spec_path, e))?;
    Ok(lexicon)
}

/// Refuses to delete a folder that is neither empty nor a search index: a wrong path from a
/// caller must not cost the user a folder.
pub(crate) fn ensure_replaceable(index_dir: &Path) -> Result<(), Error> {
    let mut entries = std::fs::read_dir(index_dir).map_err(|e| Error::io(index_dir, e))?;
    let is_empty = entries.next().is_none();
    let is_index = index_dir.join("meta.json").exists() || index_dir.join(ANALYZER_FILE).exists();
    if is_empty || is_index {
        Ok(())
    } else {
        Err(Error::Search(format!("{} is not a search index; refusing to replace it", index_dir.display())))
    }
}

/// Opens the index of one language with the analyzer it was built with registered.
pub fn open_index(lang: &str, index_dir: &Path) -> Result<(Index, Fields, LangAnalyzer), Error> {
    let spec_path = index_dir.join(ANALYZER_FILE);
    let analyzer = match std::fs::read_to_string(&spec_path) {
        Ok(spec) => analyzer_from_spec(spec.trim())
            .ok_or_else(|| Error::Search(format!("{}: unknown analyzer `{}`", spec_path.display(), spec.trim())))?,
        // An index from before the analyzer was recorded: the language's default.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => analyzer_for(lang),
        Err(e) => return Err(Error::io(&spec_path, e)),
    };
    let index = Index::open_in_dir(index_dir).map_err(|e| search_error(&format!("open {}", index_dir.display()), e))?;
    index.tokenizers().register(&analyzer.name, analyzer.text_analyzer());
    let fields = fields_of(&index.schema())?;
    Ok((index, fields, analyzer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_replace_a_folder_that_is_not_an_index() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("notes.txt"), "keep me").expect("write");
        let result = build_index(&analyzer_for("en"), &[], dir.path());
        assert!(matches!(result, Err(Error::Search(message)) if message.contains("refusing")));
        assert!(dir.path().join("notes.txt").exists());
    }
}
