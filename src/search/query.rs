//! Queries against the native Tantivy index: the query plan (shared, rule for rule, with the
//! browser client in `search.js`), the search itself, and `portal search` output.
//!
//! Query semantics: the plan (`plan.rs`) turns the query into weighted terms; then
//! 1. each term is searched in each text field (`TEXT_FIELDS` order) as a Tantivy
//!    `TermQuery` boosted by the field boost times the term weight; all clauses are OR-ed in a
//!    `BooleanQuery` (Tantivy's BM25, scores summed in clause order);
//! 2. optional filters keep documents of one kind and/or one audience;
//! 3. ranking: score descending, then document order.

use std::path::Path;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyDocument, Term};

use super::analyzer::AnalysisSession;
use super::index::{open_index, search_error, Fields, TEXT_FIELDS};
use super::lexicon::Lexicon;
use super::plan::{plan_query, PlanInput, PlanRules};
pub use super::plan::{PlannedTerm, Rule, PREFIX_BOOST, PREFIX_MAX_TERMS, PREFIX_MIN_CHARS};
use super::synonyms::Synonyms;
use crate::error::Error;

/// One result of a native query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub url: String,
    pub title: String,
    pub section: String,
    pub score: f32,
}

/// Filters and size of a query.
#[derive(Debug, Clone, Default)]
pub struct QueryOptions {
    pub limit: usize,
    pub kind: Option<String>,
    pub audience: Option<String>,
}

/// The hits of a query and how many documents matched in all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// An opened language index, ready for many queries (the parity test runs thousands).
pub struct NativeSearcher {
    searcher: Searcher,
    fields: Fields,
    lexicon: Lexicon,
    synonyms: Synonyms,
    rules: PlanRules,
    session: AnalysisSession,
}

impl NativeSearcher {
    pub fn open(lang: &str, index_dir: &Path) -> Result<Self, Error> {
        let (index, fields, analyzer) = open_index(lang, index_dir)?;
        let reader = index.reader().map_err(|e| search_error("reader", e))?;
        let mut session = analyzer.session();
        let lexicon = Lexicon::load(index_dir, &mut session)?;
        let groups = Synonyms::load_groups(index_dir)?;
        let (synonyms, _) = Synonyms::resolve(&groups, &lexicon, &mut session);
        let rules = PlanRules::of(&analyzer);
        Ok(NativeSearcher { searcher: reader.searcher(), fields, lexicon, synonyms, rules, session })
    }

    /// Document frequency of a term summed over the text fields.
    fn rank(searcher: &Searcher, fields: &Fields, term: &str) -> u64 {
        fields.text.iter().map(|field| searcher.doc_freq(&Term::from_field_text(*field, term)).unwrap_or(0)).sum()
    }

    pub fn plan(&mut self, query: &str) -> Vec<PlannedTerm> {
        let (searcher, fields) = (&self.searcher, &self.fields);
        let input = PlanInput { lexicon: &self.lexicon, synonyms: &self.synonyms, rules: self.rules };
        plan_query(&mut self.session, &input, query, |term| Self::rank(searcher, fields, term))
    }

    pub fn search(&mut self, query: &str, options: &QueryOptions) -> Result<SearchResults, Error> {
        let planned = self.plan(query);
        if planned.is_empty() {
            return Ok(SearchResults { total: 0, hits: Vec::new() });
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for planned_term in &planned {
            for (field, (_, boost)) in self.fields.text.iter().zip(TEXT_FIELDS) {
                let term = Term::from_field_text(*field, &planned_term.term);
                let query = TermQuery::new(term, IndexRecordOption::WithFreqs);
                clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(query), boost * planned_term.weight))));
            }
        }
        let query = BooleanQuery::new(clauses);
        let mut filters = Vec::new();
        if let Some(kind) = &options.kind {
            filters.push(Term::from_field_text(self.fields.kind, kind));
        }
        if let Some(audience) = &options.audience {
            filters.push(Term::from_field_text(self.fields.audience, audience));
        }
        let collector = AllScores { filters };
        let mut scored = self.searcher.search(&query, &collector).map_err(|e| search_error("search", e))?;
        scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.ord.cmp(&b.ord)));
        let total = scored.len();
        let mut hits = Vec::new();
        for doc in scored.into_iter().take(options.limit) {
            let stored: TantivyDocument =
                self.searcher.doc(doc.address).map_err(|e| search_error("stored fields", e))?;
            let text = |field| stored.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_string();
            hits.push(Hit {
                url: text(self.fields.url),
                title: text(self.fields.text[0]),
                section: text(self.fields.section),
                score: doc.score,
            });
        }
        Ok(SearchResults { total, hits })
    }
}

/// Queries the native index of one language: `limit` best sections for `query`.
pub fn query_native(lang: &str, index_dir: &Path, query: &str, limit: usize) -> Result<Vec<Hit>, Error> {
    let options = QueryOptions { limit, ..QueryOptions::default() };
    Ok(NativeSearcher::open(lang, index_dir)?.search(query, &options)?.hits)
}

/// `portal search`: queries `<root>/.portal-cache/search/<lang>` and formats the answer.
pub fn run_search_cli(root: &Path, lang: &str, query: &str, limit: usize, json: bool) -> Result<String, Error> {
    let index_dir = root.join(".portal-cache").join("search").join(lang);
    if !index_dir.join(super::lexicon::LEXICON_FILE).exists() {
        return Err(Error::Usage(format!(
            "no search index for language `{lang}` in {}: run `portal build` first",
            index_dir.display()
        )));
    }
    let options = QueryOptions { limit, ..QueryOptions::default() };
    let results = NativeSearcher::open(lang, &index_dir)?.search(query, &options)?;
    if json {
        #[derive(Serialize)]
        struct Answer<'a> {
            lang: &'a str,
            query: &'a str,
            total: usize,
            hits: &'a [Hit],
        }
        let answer = Answer { lang, query, total: results.total, hits: &results.hits };
        let mut out = serde_json::to_string_pretty(&answer).map_err(|e| search_error("json", e))?;
        out.push('\n');
        return Ok(out);
    }
    Ok(format_table(&results))
}

fn format_table(results: &SearchResults) -> String {
    let mut out = String::new();
    for (rank, hit) in results.hits.iter().enumerate() {
        let title = if hit.section.is_empty() || hit.section == hit.title {
            hit.title.clone()
        } else {
            format!("{} › {}", hit.title, hit.section)
        };
        out.push_str(&format!("{:>3}  {:>8.4}  {title}\n               {}\n", rank + 1, hit.score, hit.url));
    }
    out.push_str(&format!("{} of {} matching sections\n", results.hits.len(), results.total));
    out
}

/// A scored document with the order that breaks ties.
struct Scored {
    score: Score,
    ord: u64,
    address: DocAddress,
}

/// Collects every matching document with its score: top-k with a total order is then a sort,
/// independent of how Tantivy splits segments or prunes.
struct AllScores {
    /// Every filter term must be present in the document.
    filters: Vec<Term>,
}

struct SegmentScores {
    segment: SegmentOrdinal,
    ords: Column<u64>,
    allowed: Option<Vec<bool>>,
    out: Vec<Scored>,
}

fn allowed_docs(reader: &SegmentReader, filters: &[Term]) -> tantivy::Result<Option<Vec<bool>>> {
    use tantivy::DocSet;
    if filters.is_empty() {
        return Ok(None);
    }
    let max_doc = reader.max_doc() as usize;
    let mut allowed = vec![true; max_doc];
    for term in filters {
        let mut present = vec![false; max_doc];
        let inverted = reader.inverted_index(term.field())?;
        if let Some(mut postings) = inverted.read_postings(term, IndexRecordOption::Basic)? {
            let mut doc = postings.doc();
            while doc != tantivy::TERMINATED {
                present[doc as usize] = true;
                doc = postings.advance();
            }
        }
        for (keep, here) in allowed.iter_mut().zip(present) {
            *keep &= here;
        }
    }
    Ok(Some(allowed))
}

impl Collector for AllScores {
    type Fruit = Vec<Scored>;
    type Child = SegmentScores;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentScores> {
        Ok(SegmentScores {
            segment,
            ords: reader.fast_fields().u64("ord")?,
            allowed: allowed_docs(reader, &self.filters)?,
            out: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Scored>>) -> tantivy::Result<Vec<Scored>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentScores {
    type Fruit = Vec<Scored>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some(allowed) = &self.allowed {
            if !allowed.get(doc as usize).copied().unwrap_or(false) {
                return;
            }
        }
        let ord = self.ords.first(doc).unwrap_or(u64::MAX);
        self.out.push(Scored { score, ord, address: DocAddress::new(self.segment, doc) });
    }

    fn harvest(self) -> Vec<Scored> {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{build_language, SearchDoc};

    fn doc(url: &str, title: &str, section: &str, body: &str, kind: &str) -> SearchDoc {
        SearchDoc {
            url: url.into(),
            page_title: title.into(),
            section: section.into(),
            body: body.into(),
            description: String::new(),
            kind: kind.into(),
            audience: vec!["hospital".into()],
            topics: vec![],
            reference: false,
        }
    }

    fn site() -> (tempfile::TempDir, Vec<SearchDoc>) {
        let root = tempfile::tempdir().expect("temp dir");
        let docs = vec![
            doc(
                "en/guidance/backups.html",
                "Backups that survive ransomware",
                "",
                "Keep one copy offline.",
                "guidance",
            ),
            doc(
                "en/guidance/backups.html#restore",
                "Backups that survive ransomware",
                "Restore tests",
                "Test restoring monthly.",
                "guidance",
            ),
            doc("en/news/alert.html", "Ransomware alert", "", "Hospitals are targeted by ransomware.", "news"),
        ];
        let index_dir = root.path().join(".portal-cache/search/en");
        build_language("en", &docs, &index_dir).expect("build");
        (root, docs)
    }

    #[test]
    fn stemmed_words_match_and_title_boost_ranks_titles_first() {
        let (root, _) = site();
        let hits = query_native("en", &root.path().join(".portal-cache/search/en"), "ransomware", 10).expect("query");
        assert_eq!(hits.len(), 3);
        assert_eq!(hits[0].url, "en/news/alert.html", "title and body beat title alone");
        let hits =
            query_native("en", &root.path().join(".portal-cache/search/en"), "restoring tests", 10).expect("query");
        assert_eq!(hits[0].url, "en/guidance/backups.html#restore");
    }

    #[test]
    fn last_word_matches_as_prefix_but_not_after_a_space() {
        let (root, _) = site();
        let dir = root.path().join(".portal-cache/search/en");
        assert_eq!(query_native("en", &dir, "hospi", 10).expect("query").len(), 1);
        assert!(query_native("en", &dir, "hospi ", 10).expect("query").is_empty());
        assert!(query_native("en", &dir, "ho", 10).expect("query").is_empty(), "too short for a prefix");
    }

    #[test]
    fn filters_keep_one_kind() {
        let (root, _) = site();
        let mut searcher = NativeSearcher::open("en", &root.path().join(".portal-cache/search/en")).expect("open");
        let options = QueryOptions { limit: 10, kind: Some("news".into()), audience: None };
        let results = searcher.search("ransomware", &options).expect("search");
        assert_eq!(results.total, 1);
        let options = QueryOptions { limit: 10, kind: None, audience: Some("clinic".into()) };
        assert_eq!(searcher.search("ransomware", &options).expect("search").total, 0);
    }

    #[test]
    fn cli_prints_a_table_or_json_and_explains_a_missing_index() {
        let (root, _) = site();
        let table = run_search_cli(root.path(), "en", "backup", 5, false).expect("table");
        assert!(table.contains("Backups that survive ransomware › Restore tests"), "{table}");
        assert!(table.ends_with("2 of 2 matching sections\n"), "{table}");
        let json = run_search_cli(root.path(), "en", "backup", 1, true).expect("json");
        let value: serde_json::Value = serde_json::from_str(&json).expect("valid json");
        assert_eq!(value["total"], 2);
        assert_eq!(value["hits"].as_array().map(Vec::len), Some(1));
        let missing = run_search_cli(root.path(), "fr", "x", 5, false);
        assert!(matches!(missing, Err(Error::Usage(message)) if message.contains("portal build")));
    }

    #[test]
    fn queries_use_the_analyzer_recorded_at_build_time() {
        let root = tempfile::tempdir().expect("temp dir");
        let docs = [
            doc("lb/a.html", "Krankenhäuser", "", "Sicherheit", "page"),
            doc("lb/b.html", "Krankenhaus", "", "Daten", "page"),
        ];
        let german = crate::search::analyzer_from_spec("de").expect("German analyzer");
        crate::search::build_language_with("lb", &german, &docs, root.path()).expect("build");
        // Only the German stemmer makes the plural and the singular one term; the default
        // for `lb` (no stemmer) would find one page.
        let hits = query_native("lb", root.path(), "krankenhaus ", 10).expect("query");
        assert_eq!(hits.len(), 2);
        let spec = std::fs::read_to_string(root.path().join(crate::search::index::ANALYZER_FILE));
        assert_eq!(spec.ok().as_deref(), Some("de"));
    }

    #[test]
    fn empty_language_builds_and_finds_nothing() {
        let root = tempfile::tempdir().expect("temp dir");
        let files = build_language("de", &[], root.path()).expect("build");
        assert!(files.iter().any(|f| f.path.ends_with("index.js")));
        assert!(query_native("de", root.path(), "anything", 10).expect("query").is_empty());
    }
}
