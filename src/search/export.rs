//! Export of a language's Tantivy index to the browser index: classic scripts under
//! `search/<lang>/` that register their data with `window.__portalSearch.register(lang, id,
//! data)`, so that they load from file:// as well as over HTTP.
//!
//! Everything the browser scores with is read from the Tantivy index: the term dictionary,
//! postings with term frequencies, field norm ids, token totals and the document count.
//! Files:
//! - `index.js` (fixed name): the manifest: statistics, shard boundaries, filter values;
//! - `d-<hash>.js`: lexicon shards: key -> (term number, summed document frequency[, stem
//!   characters]);
//! - `t-<hash>.js`: typo blocks: the keys a typo may be corrected to, by first character;
//! - `p-<hash>.js`: postings shards, by term number: surfaces and per-field postings;
//! - `m-<hash>.js`: document metadata batches (URL, titles, excerpt text, kind, audience);
//! - `f-<hash>.js`: one filter (kind or audience value): its documents.
//!
//! Numbers in postings are base-64 varints (see `encode_varint`), decoded by `search.js`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, Searcher, TERMINATED};

use super::index::{open_index, search_error, Fields, TEXT_FIELDS};
use super::lexicon::Lexicon;
use super::plan::{self, PlanRules};
use super::synonyms::Synonyms;
use super::{SearchDoc, SearchFile};
use crate::error::Error;

/// Target raw sizes of the browser index's files, in bytes. They set the trade between the
/// number of files and the bytes a first query loads (one lexicon shard, one postings shard and
/// about ten metadata batches): larger files mean fewer of them and a heavier first query.
/// BENCHMARKS.md measures that trade; the default is the side the portal ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardSizes {
    pub lexicon: usize,
    /// One term's postings are never split, so a shard may exceed it by one term.
    pub postings: usize,
    pub metadata: usize,
    /// Typo blocks: a first character's keys are never split, so a block may exceed it.
    pub typo: usize,
}

impl Default for ShardSizes {
    fn default() -> Self {
        ShardSizes { lexicon: 16 * 1024, postings: 32 * 1024, metadata: 10 * 1024, typo: 32 * 1024 }
    }
}

/// Columns of section text kept for excerpts (the client shows about 180).
pub const EXCERPT_WIDTH: usize = 240;
/// Format version, checked by the client.
const FORMAT_VERSION: u32 = 3;
/// Hex characters of a shard's content hash in its file name.
const HASH_CHARS: usize = 10;

const VARINT_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Appends `value` as base-64 varint: 5 payload bits per character, least significant first;
/// values 32..63 of a character mean "more characters follow".
pub fn encode_varint(mut value: u64, out: &mut String) {
    while value >= 32 {
        out.push(VARINT_ALPHABET[(32 | (value & 31)) as usize] as char);
        value >>= 5;
    }
    out.push(VARINT_ALPHABET[value as usize] as char);
}

/// One term's postings per text field, already in the browser's encoding (varints `doc
/// delta, tf - 1, field norm id`), with the document count of each field.
#[derive(Default)]
struct TermPostings {
    encoded: [String; 4],
    doc_freq: [u32; 4],
    last_doc: [u32; 4],
}

impl TermPostings {
    fn push(&mut self, slot: usize, doc: u32, tf: u32, norm_id: u8) -> Result<(), Error> {
        let first = self.doc_freq[slot] == 0;
        if !first && doc <= self.last_doc[slot] {
            return Err(Error::Search(format!("postings out of document order at document {doc}")));
        }
        let out = &mut self.encoded[slot];
        encode_varint(u64::from(if first { doc } else { doc - self.last_doc[slot] }), out);
        encode_varint(u64::from(tf.saturating_sub(1)), out);
        encode_varint(u64::from(norm_id), out);
        self.doc_freq[slot] += 1;
        self.last_doc[slot] = doc;
        Ok(())
    }

    /// Summed document frequency: the rank of prefix expansions.
    fn rank(&self) -> u64 {
        self.doc_freq.iter().map(|&n| u64::from(n)).sum()
    }
}

/// What the browser index needs from the Tantivy index.
struct IndexData {
    num_docs: u64,
    total_tokens: [u64; 4],
    /// Term -> postings per text field, in Tantivy's term order.
    terms: BTreeMap<String, TermPostings>,
    /// (field name, value) -> documents, sorted.
    filters: BTreeMap<(String, String), Vec<u32>>,
}

/// Reads postings straight into their encoding (at scale, holding them decoded would take
/// several times the memory of the export). Segments are read in document order: the index
/// is written by one thread without merges, so each segment holds a run of consecutive
/// documents.
fn read_index(searcher: &Searcher, fields: &Fields) -> Result<IndexData, Error> {
    let err = |e: tantivy::TantivyError| search_error("read index", e);
    let io = |e: std::io::Error| search_error("read index", e);
    let mut data = IndexData { num_docs: 0, total_tokens: [0; 4], terms: BTreeMap::new(), filters: BTreeMap::new() };
    let mut segments = Vec::new();
    for segment in searcher.segment_readers() {
        let ords = segment.fast_fields().u64("ord").map_err(err)?;
        segments.push((ords.first(0).unwrap_or(u64::MAX), segment, ords));
    }
    segments.sort_by_key(|(first, _, _)| *first);
    for (_, segment, ords) in &segments {
        data.num_docs += u64::from(segment.max_doc());
        let ord_of = |doc: u32| ords.first(doc).unwrap_or(u64::MAX) as u32;
        for (slot, field) in fields.text.iter().enumerate() {
            let inverted = segment.inverted_index(*field).map_err(err)?;
            data.total_tokens[slot] += inverted.total_num_tokens();
            let norms = segment.get_fieldnorms_reader(*field).map_err(err)?;
            let mut stream = inverted.terms().stream().map_err(io)?;
            while let Some((key, info)) = stream.next() {
                let term = std::str::from_utf8(key).map_err(|e| search_error("term", e))?;
                let mut postings =
                    inverted.read_postings_from_terminfo(info, IndexRecordOption::WithFreqs).map_err(io)?;
                if !data.terms.contains_key(term) {
                    data.terms.insert(term.to_string(), TermPostings::default());
                }
                let Some(term_postings) = data.terms.get_mut(term) else { continue };
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    term_postings.push(slot, ord_of(doc), postings.term_freq(), norms.fieldnorm_id(doc))?;
                    doc = postings.advance();
                }
            }
        }
        for (name, field) in [("kind", fields.kind), ("audience", fields.audience)] {
            read_filter(segment, name, field, &ord_of, &mut data.filters)?;
        }
    }
    for docs in data.filters.values_mut() {
        docs.sort_unstable();
    }
    Ok(data)
}

fn read_filter(
    segment: &tantivy::SegmentReader,
    name: &str,
    field: Field,
    ord_of: &dyn Fn(u32) -> u32,
    filters: &mut BTreeMap<(String, String), Vec<u32>>,
) -> Result<(), Error> {
    let io = |e: std::io::Error| search_error("read filters", e);
    let inverted = segment.inverted_index(field).map_err(|e| search_error("read filters", e))?;
    let mut stream = inverted.terms().stream().map_err(io)?;
    while let Some((key, info)) = stream.next() {
        let value = String::from_utf8(key.to_vec()).map_err(|e| search_error("filter value", e))?;
        let mut postings = inverted.read_postings_from_terminfo(info, IndexRecordOption::Basic).map_err(io)?;
        let docs = filters.entry((name.to_string(), value)).or_default();
        let mut doc = postings.doc();
        while doc != TERMINATED {
            docs.push(ord_of(doc));
            doc = postings.advance();
        }
    }
    Ok(())
}

/// Tantivy's BM25 idf, operation for operation (`tantivy::query::bm25::idf` is private).
pub fn tantivy_idf(doc_freq: u64, num_docs: u64) -> f32 {
    let x = ((num_docs - doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
    (1.0 + x).ln()
}

/// The idf the client computes: the same f32 steps, the logarithm in f64 rounded to f32.
fn client_idf(doc_freq: u64, num_docs: u64) -> f32 {
    let x = ((num_docs - doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
    f64::from(1.0 + x).ln() as f32
}

/// Each shard's first term (postings) or document (metadata), and its hash.
type ShardList = Vec<(usize, String)>;

/// Files being assembled: content-hashed names, sorted output.
struct Files {
    lang: String,
    out: Vec<SearchFile>,
}

impl Files {
    /// Wraps `data` in a register call, names the file by its hash; returns the hash.
    fn add(&mut self, prefix: &str, id: &str, data: &impl Serialize) -> Result<String, Error> {
        let json = serde_json::to_string(data).map_err(|e| search_error("json", e))?;
        self.add_json(prefix, id, &json)
    }

    /// `add` for data already serialized to JSON.
    fn add_json(&mut self, prefix: &str, id: &str, json: &str) -> Result<String, Error> {
        let script = register_script(&self.lang, id, json)?;
        let digest = Sha256::digest(script.as_bytes());
        let hash: String = digest.iter().take(HASH_CHARS / 2).map(|b| format!("{b:02x}")).collect();
        self.out.push(SearchFile {
            path: PathBuf::from("search").join(&self.lang).join(format!("{prefix}-{hash}.js")),
            bytes: script.into_bytes(),
        });
        Ok(hash)
    }
}

/// The classic script that registers `json` (serialized data) as shard `id` of `lang`.
fn register_script(lang: &str, id: &str, json: &str) -> Result<String, Error> {
    let lang = serde_json::to_string(lang).map_err(|e| search_error("json", e))?;
    let id = serde_json::to_string(id).map_err(|e| search_error("json", e))?;
    Ok(format!("window.__portalSearch.register({lang},{id},{json});\n"))
}

/// Splits `items` into consecutive chunks of about `target` bytes (by `size`).
fn chunk<T>(items: Vec<T>, target: usize, size: impl Fn(&T) -> usize) -> Vec<Vec<T>> {
    let mut chunks = Vec::new();
    let mut current = Vec::new();
    let mut bytes = 0;
    for item in items {
        let item_bytes = size(&item);
        if !current.is_empty() && bytes + item_bytes > target {
            chunks.push(std::mem::take(&mut current));
            bytes = 0;
        }
        bytes += item_bytes;
        current.push(item);
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

fn utf16_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// The section text kept for excerpts: about `EXCERPT_WIDTH` display columns (`unicode-width`:
/// a Han, kana or Hangul character counts two), whitespace collapsed, cut between words (at a
/// space, or beside a Han, kana or Hangul character) and never inside one unless a single word
/// fills the whole width. Reads only as much of `body` as it keeps.
fn excerpt_source(body: &str) -> String {
    use unicode_width::UnicodeWidthChar;
    let mut kept = String::new();
    let mut width = 0;
    // Byte length of `kept` at the last place where it may be cut.
    let mut last_break = 0;
    let mut previous: Option<char> = None;
    for word in body.split_whitespace() {
        let space = (!kept.is_empty()).then_some(' ');
        for c in space.into_iter().chain(word.chars()) {
            if previous.is_some_and(|p| !is_in_word(p) || !is_in_word(c)) {
                last_break = kept.trim_end().len();
            }
            width += c.width().unwrap_or(0);
            if width > EXCERPT_WIDTH {
                let cut = if last_break > 0 { &kept[..last_break] } else { kept.as_str() };
                return format!("{}…", cut.trim_end());
            }
            kept.push(c);
            previous = Some(c);
        }
    }
    kept
}

/// A character that joins its neighbours into one word: a letter or digit not of a script
/// written without spaces.
fn is_in_word(c: char) -> bool {
    c.is_alphanumeric() && !super::analyzer::is_cjk_char(c)
}

fn meta_size(doc: &SearchDoc, excerpt: &str) -> usize {
    doc.url.len() + doc.section.len() + excerpt.len() + doc.page_title.len() / 4 + 16
}

/// Metadata rows of a batch: `[url, section, text, title, kind, audience]`, or, for a section
/// of the same page as the row before, `[fragment, section, text]` (`#anchor` appended to the
/// previous row's page URL, title, kind and audience repeated).
fn meta_rows(batch: &[(&SearchDoc, String)]) -> Vec<Value> {
    let mut rows = Vec::with_capacity(batch.len());
    let mut previous: Option<&SearchDoc> = None;
    for (doc, text) in batch {
        let page = |d: &SearchDoc| d.url.split('#').next().unwrap_or("").to_string();
        let continuation = previous.and_then(|p| {
            let same = page(p) == page(doc)
                && p.page_title == doc.page_title
                && p.kind == doc.kind
                && p.audience == doc.audience;
            doc.url.strip_prefix(&page(doc)).filter(|rest| same && rest.starts_with('#')).map(str::to_string)
        });
        rows.push(match continuation {
            Some(fragment) => json!([fragment, doc.section, text]),
            None => json!([doc.url, doc.section, text, doc.page_title, doc.kind, doc.audience]),
        });
        previous = Some(doc);
    }
    rows
}

/// Exports the index in `index_dir` to the files of `search/<lang>/`.
pub fn export_index(
    lang: &str,
    index_dir: &Path,
    docs: &[SearchDoc],
    lexicon: &Lexicon,
    synonyms: &Synonyms,
    sizes: &ShardSizes,
) -> Result<Vec<SearchFile>, Error> {
    let (index, fields, analyzer) = open_index(lang, index_dir)?;
    let rules = PlanRules::of(&analyzer);
    let reader = index.reader().map_err(|e| search_error("reader", e))?;
    let data = read_index(&reader.searcher(), &fields)?;
    let term_numbers: BTreeMap<&str, usize> =
        data.terms.keys().enumerate().map(|(n, term)| (term.as_str(), n)).collect();
    let mut files = Files { lang: lang.to_string(), out: Vec::new() };
    let manifest = json!({
        "version": FORMAT_VERSION,
        "lang": lang,
        "tokenizer": if analyzer.is_cjk() { "cjk" } else { "simple" },
        "docs": data.num_docs,
        "fields": TEXT_FIELDS
            .iter()
            .zip(data.total_tokens)
            .map(|((name, boost), tokens)| json!([name, boost, tokens]))
            .collect::<Vec<_>>(),
        "plan": plan_settings(&rules),
        "idfFix": idf_fixes(&data),
        "dict": write_lexicon(&mut files, &data, &term_numbers, lexicon, rules.stems, sizes.lexicon)?,
        "typo": write_typo_blocks(&mut files, &data, &term_numbers, lexicon, sizes.typo)?,
        "synonyms": synonym_table(synonyms, &term_numbers),
        "postings": shard_table(&write_postings(&mut files, &data, lexicon, sizes.postings)?),
        "meta": shard_table(&write_metadata(&mut files, docs, sizes.metadata)?),
        "filters": write_filters(&mut files, &data)?,
    });
    let json = serde_json::to_string(&manifest).map_err(|e| search_error("json", e))?;
    let script = register_script(lang, "manifest", &json)?;
    files
        .out
        .push(SearchFile { path: PathBuf::from("search").join(lang).join("index.js"), bytes: script.into_bytes() });
    let mut out = files.out;
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// The plan's settings for the client (`plan.rs` defines them; the client reads them here).
fn plan_settings(rules: &PlanRules) -> Value {
    json!({
        "prefixMin": plan::PREFIX_MIN_CHARS,
        "prefixMax": plan::PREFIX_MAX_TERMS,
        "prefixBoost": plan::PREFIX_BOOST,
        "join": plan::JOIN_MAX_WORDS,
        "synonymBoost": plan::SYNONYM_BOOST,
        "typoMin": plan::TYPO_MIN_CHARS,
        "typoLong": plan::TYPO_LONG_CHARS,
        "typoMax": plan::TYPO_MAX_TERMS,
        "typoMinKey": plan::TYPO_MIN_KEY_CHARS,
        "typoBoost": plan::TYPO_BOOST,
        "fewHits": plan::FEW_HITS,
        "stemMin": plan::STEM_MIN_CHARS,
        "partMin": plan::COMPOUND_MIN_PART,
        "partMax": plan::COMPOUND_MAX_PARTS,
        "stems": rules.stems,
        "linkers": rules.linkers,
        "cjkStop": if rules.cjk { Some(plan::CJK_STOP_WORDS) } else { None },
    })
}

/// Synonyms by term number: `{phrases: [[surfaces joined by spaces, group], ...], groups:
/// [[term, ...], ...]}`.
fn synonym_table(synonyms: &Synonyms, term_numbers: &BTreeMap<&str, usize>) -> Value {
    let phrases: Vec<Value> = synonyms.phrases.iter().map(|(words, group)| json!([words.join(" "), group])).collect();
    let groups: Vec<Vec<usize>> = synonyms
        .groups
        .iter()
        .map(|terms| terms.iter().filter_map(|t| term_numbers.get(t.as_str()).copied()).collect())
        .collect();
    json!({ "phrases": phrases, "groups": groups })
}

/// Typo blocks: the keys a typo may be corrected to (`plan::is_typo_key`), rows as in the
/// lexicon without stems, in UTF-16 order, cut only between first characters into blocks of
/// about `block_bytes`. Returns the manifest's `[[first characters, hash], ...]`.
fn write_typo_blocks(
    files: &mut Files,
    data: &IndexData,
    term_numbers: &BTreeMap<&str, usize>,
    lexicon: &Lexicon,
    block_bytes: usize,
) -> Result<Vec<Value>, Error> {
    let ranks: Vec<u64> = data.terms.values().map(TermPostings::rank).collect();
    let mut keys: Vec<(&String, Vec<usize>)> = lexicon
        .keys
        .iter()
        .filter(|(key, _)| plan::is_typo_key(key))
        .map(|(key, terms)| {
            (key, terms.iter().filter_map(|t| term_numbers.get(t.as_str()).copied()).collect::<Vec<_>>())
        })
        .filter(|(_, numbers)| !numbers.is_empty())
        .collect();
    keys.sort_by(|a, b| utf16_cmp(a.0, b.0));
    // Groups of one first character, then blocks of whole groups.
    type Row<'a> = (&'a String, Vec<usize>);
    let mut groups: Vec<(char, Vec<Row>)> = Vec::new();
    for entry in keys {
        let first = entry.0.chars().next().unwrap_or(' ');
        match groups.last_mut() {
            Some((c, rows)) if *c == first => rows.push(entry),
            _ => groups.push((first, vec![entry])),
        }
    }
    let size = |rows: &[Row]| rows.iter().map(|(k, n)| k.len() + 12 * n.len() + 6).sum::<usize>();
    let blocks = chunk(groups, block_bytes, |(_, rows)| size(rows));
    let mut table = Vec::new();
    for (n, block) in blocks.into_iter().enumerate() {
        let chars: String = block.iter().map(|(c, _)| *c).collect();
        let rows: Vec<Value> = block
            .into_iter()
            .flat_map(|(_, rows)| rows)
            .map(|(key, numbers)| {
                let mut row = vec![json!(key)];
                for number in numbers {
                    row.push(json!(number));
                    row.push(json!(ranks[number]));
                }
                Value::Array(row)
            })
            .collect();
        let hash = files.add("t", &format!("t{n}"), &Value::Array(rows))?;
        table.push(json!([chars, hash]));
    }
    Ok(table)
}

/// The manifest's table of postings shards or metadata batches: `{first, hashes}`, the first
/// term or document of each as varint deltas and their hashes end to end (`HASH_CHARS` each).
/// A first query loads the manifest whole, and this packing is about a third smaller gzipped
/// than `[[first, "hash"], ...]` (the hashes themselves are most of what is left).
fn shard_table(shards: &[(usize, String)]) -> Value {
    let firsts: Vec<u32> = shards.iter().map(|(first, _)| *first as u32).collect();
    let mut first = String::new();
    encode_docs(&firsts, &mut first);
    json!({ "first": first, "hashes": shards.iter().map(|(_, hash)| hash.as_str()).collect::<String>() })
}

/// Appends a sorted document list as varint deltas (the first number absolute).
fn encode_docs(docs: &[u32], out: &mut String) {
    let mut previous = 0u32;
    for (i, &doc) in docs.iter().enumerate() {
        encode_varint(u64::from(if i == 0 { doc } else { doc - previous }), out);
        previous = doc;
    }
}

/// Lexicon shards: rows `[key, term, rank, term, rank, ...]`, or with `stems` `[key, term,
/// rank, stem characters, ...]` (`Lexicon::stem_chars`, for unseen inflections), keys in UTF-16
/// order so that the client can compare with `<`. Terms are numbered in Tantivy's term order
/// (bytes), which also breaks ties between prefix expansions; rank is the summed document
/// frequency. Returns the manifest's `[[first key, hash], ...]`.
fn write_lexicon(
    files: &mut Files,
    data: &IndexData,
    term_numbers: &BTreeMap<&str, usize>,
    lexicon: &Lexicon,
    stems: bool,
    shard_bytes: usize,
) -> Result<Vec<Value>, Error> {
    let ranks: Vec<u64> = data.terms.values().map(TermPostings::rank).collect();
    let mut keys: Vec<(&String, Vec<(usize, usize)>)> = lexicon
        .keys
        .iter()
        .map(|(key, terms)| {
            let numbers =
                terms.iter().filter_map(|t| term_numbers.get(t.as_str()).map(|&n| (n, lexicon.stem_chars(key, t))));
            (key, numbers.collect::<Vec<_>>())
        })
        .filter(|(_, numbers)| !numbers.is_empty())
        .collect();
    keys.sort_by(|a, b| utf16_cmp(a.0, b.0));
    let chunks = chunk(keys, shard_bytes, |(key, numbers)| key.len() + 12 * numbers.len() + 6);
    let mut index = Vec::new();
    for (n, entries) in chunks.into_iter().enumerate() {
        let first = entries[0].0.clone();
        let rows: Vec<Value> = entries
            .into_iter()
            .map(|(key, numbers)| {
                let mut row = vec![json!(key)];
                for (number, stem) in numbers {
                    row.push(json!(number));
                    row.push(json!(ranks[number]));
                    if stems {
                        row.push(json!(stem));
                    }
                }
                Value::Array(row)
            })
            .collect();
        let hash = files.add("d", &format!("d{n}"), &Value::Array(rows))?;
        index.push(json!([first, hash]));
    }
    Ok(index)
}

/// Postings shards by term number: `{first, terms: [[surfaces, title, headings, description,
/// body], ...]}`, each field's postings as varints `doc delta, tf - 1, field norm id`.
/// Returns each shard's first term and hash.
fn write_postings(
    files: &mut Files,
    data: &IndexData,
    lexicon: &Lexicon,
    shard_bytes: usize,
) -> Result<ShardList, Error> {
    let surfaces = lexicon.surfaces_by_term();
    let no_surfaces = Vec::new();
    // Rows are written as JSON text directly and shards as soon as they are full: at scale
    // this is most of the export.
    let mut index = Vec::new();
    let mut first = 0usize;
    let mut rows: Vec<String> = Vec::new();
    let mut bytes = 0;
    let mut flush = |rows: &mut Vec<String>, index: &mut ShardList, first: &mut usize| -> Result<(), Error> {
        let json = format!("{{\"first\":{first},\"terms\":[{}]}}", rows.join(","));
        let hash = files.add_json("p", &format!("p{}", index.len()), &json)?;
        index.push((*first, hash));
        *first += rows.len();
        rows.clear();
        Ok(())
    };
    for (term, postings) in &data.terms {
        let mut row = String::from("[");
        let surfaces = surfaces.get(term.as_str()).unwrap_or(&no_surfaces);
        row.push_str(&serde_json::to_string(surfaces).map_err(|e| search_error("json", e))?);
        for encoded in &postings.encoded {
            // Varint characters need no JSON escaping.
            row.push_str(",\"");
            row.push_str(encoded);
            row.push('"');
        }
        row.push(']');
        // Shards of about `shard_bytes`; one term's postings are never split.
        if !rows.is_empty() && bytes + row.len() > shard_bytes {
            flush(&mut rows, &mut index, &mut first)?;
            bytes = 0;
        }
        bytes += row.len();
        rows.push(row);
    }
    if !rows.is_empty() {
        flush(&mut rows, &mut index, &mut first)?;
    }
    Ok(index)
}

/// Metadata batches in document order. Returns each batch's first document and hash.
fn write_metadata(files: &mut Files, docs: &[SearchDoc], batch_bytes: usize) -> Result<ShardList, Error> {
    let mut index = Vec::new();
    let mut first = 0usize;
    let with_excerpts = docs.iter().map(|doc| (doc, excerpt_source(&doc.body))).collect();
    for (n, batch) in chunk(with_excerpts, batch_bytes, |(d, e)| meta_size(d, e)).into_iter().enumerate() {
        let count = batch.len();
        let hash = files.add("m", &format!("m{n}"), &json!({ "first": first, "docs": meta_rows(&batch) }))?;
        index.push((first, hash));
        first += count;
    }
    Ok(index)
}

/// One file per kind or audience value (its documents as varint deltas). Returns the
/// manifest's `{kind: [[value, count, hash], ...], audience: [...]}`.
fn write_filters(files: &mut Files, data: &IndexData) -> Result<BTreeMap<String, Vec<Value>>, Error> {
    let mut filters: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for ((name, value), docs) in &data.filters {
        let mut encoded = String::new();
        encode_docs(docs, &mut encoded);
        let hash = files.add("f", &format!("f:{name}:{value}"), &json!(encoded))?;
        filters.entry(name.clone()).or_default().push(json!([value, docs.len(), hash]));
    }
    Ok(filters)
}

/// Idf values where the client's f64 logarithm would round differently from Tantivy's f32:
/// `[[doc freq, f32 bits], ...]`.
fn idf_fixes(data: &IndexData) -> Vec<Value> {
    let mut doc_freqs: Vec<u64> =
        data.terms.values().flat_map(|t| t.doc_freq.iter().map(|&n| u64::from(n))).filter(|&n| n > 0).collect();
    doc_freqs.sort_unstable();
    doc_freqs.dedup();
    doc_freqs
        .into_iter()
        .filter(|&df| tantivy_idf(df, data.num_docs).to_bits() != client_idf(df, data.num_docs).to_bits())
        .map(|df| json!([df, tantivy_idf(df, data.num_docs).to_bits()]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_use_five_bits_per_character() {
        let mut out = String::new();
        for value in [0, 31, 32, 1000] {
            encode_varint(value, &mut out);
        }
        // 0 -> A, 31 -> f, 32 -> gB (0|32, 1), 1000 -> of (8|32 = 40 is `o`, then 31)
        assert_eq!(out, "AfgBof");
    }

    #[test]
    fn shard_table_packs_first_deltas_and_hashes_end_to_end() {
        let shards = [(0, "0123456789".to_string()), (25, "abcdefabcd".to_string()), (1025, "ffffffffff".to_string())];
        // Deltas 0 -> A, 25 -> Z, 1000 -> of (see varints_use_five_bits_per_character).
        assert_eq!(shard_table(&shards), json!({ "first": "AZof", "hashes": "0123456789abcdefabcdffffffffff" }));
    }

    #[test]
    fn excerpt_source_is_cut_at_a_space() {
        let body = "word ".repeat(200);
        let excerpt = excerpt_source(&body);
        assert!(excerpt.ends_with("word…"));
        assert!(excerpt.chars().count() <= EXCERPT_WIDTH + 1);
    }

    /// Issue 17: an excerpt ended inside a long word when no space fell in its last quarter.
    #[test]
    fn excerpt_source_never_ends_inside_a_word() {
        let body = format!("{} {}", "a".repeat(100), "incidentresponsplannen".repeat(10));
        assert_eq!(excerpt_source(&body), format!("{}…", "a".repeat(100)));
        // Chinese may be cut between any two characters, a Latin word inside it may not.
        let zh = format!("{}Windows{}", "医".repeat(118), "院".repeat(50));
        let excerpt = excerpt_source(&zh);
        assert_eq!(excerpt, format!("{}…", "医".repeat(118)), "{excerpt}");
        let width: usize = excerpt.chars().map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)).sum();
        assert!(width <= EXCERPT_WIDTH + 1);
    }

    /// The client embeds Tantivy's field norm table; it must be Tantivy's, entry for entry.
    #[test]
    fn client_fieldnorm_table_is_tantivys() {
        let script = include_str!("../../themes/default/static/js/search.js");
        let start = script.find("FIELDNORM_TABLE = [").expect("table in search.js") + "FIELDNORM_TABLE = [".len();
        let end = start + script[start..].find(']').expect("end of table");
        let table: Vec<u32> = script[start..end].split(',').map(|n| n.trim().parse().expect("a number")).collect();
        let tantivy: Vec<u32> = (0..=255u8).map(tantivy::fieldnorm::FieldNormReader::id_to_fieldnorm).collect();
        assert_eq!(table, tantivy);
    }

    #[test]
    fn client_idf_differs_from_tantivy_only_in_the_last_bit() {
        for df in 1..5000u64 {
            let (a, b) = (tantivy_idf(df, 5000), client_idf(df, 5000));
            assert!((a.to_bits() as i64 - b.to_bits() as i64).abs() <= 1, "{df}");
        }
    }
}
