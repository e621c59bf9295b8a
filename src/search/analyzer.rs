//! Text analysis per language: which Tantivy analyzer indexes a language, and the same chain
//! split in two (surface forms, then surface -> indexed term) so that the build can record the
//! lexicon the browser uses instead of shipping a stemmer.
//!
//! Chains (all drop tokens of 40 bytes or more, like Tantivy's default analyzer):
//! - stemmer languages: simple tokenizer, lowercase, stop words (Snowball's lists, see
//!   [`stop_filters`]; a word whose ASCII folding is a stop word is one too, so that Dutch
//!   `één` is not indexed as the stop word `een`), Snowball stemmer, ASCII folding;
//! - zh, ja, ko: [`CjkBigramTokenizer`], lowercase, ASCII folding;
//! - any other language: simple tokenizer, lowercase, ASCII folding.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{
    AsciiFoldingFilter, BoxTokenStream, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, TextAnalyzerBuilder, Token, TokenFilter, TokenStream, Tokenizer,
};

/// Tokens of this many UTF-8 bytes or more are dropped (Tantivy's default limit).
pub const MAX_TOKEN_BYTES: usize = 40;

/// How a language is analyzed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnalyzerKind {
    /// Tantivy's Snowball stemmer for this language.
    Stemmed(Language),
    /// Han, kana and Hangul as overlapping bigrams; other words as single tokens.
    CjkBigram,
    /// Lowercasing and ASCII folding only.
    Folded,
}

/// The analyzer of one language, in the forms the index, the lexicon and the query need.
#[derive(Debug, Clone)]
pub struct LangAnalyzer {
    pub kind: AnalyzerKind,
    /// Name under which the full chain is registered in the Tantivy index.
    pub name: String,
    /// What `analyzer_from_spec` takes to make this analyzer again: a language code with a
    /// stemmer, `cjk` or `folded`. Recorded next to the index.
    pub spec: String,
}

/// One token as the reader typed or wrote it, lowercased: the lexicon key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Surface {
    pub text: String,
    /// Byte range in the analyzed text.
    pub from: usize,
    pub to: usize,
    /// True for a bigram or lone character of Han, kana or Hangul, in a CJK language.
    pub cjk: bool,
}

/// Picks the analyzer for a BCP 47 language code by its primary subtag (`pt-BR` -> Portuguese).
pub fn analyzer_for(lang: &str) -> LangAnalyzer {
    let primary = lang.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    let kind = match primary.as_str() {
        "zh" | "ja" | "ko" => AnalyzerKind::CjkBigram,
        other => match stemmer_language(other) {
            Some(language) => AnalyzerKind::Stemmed(language),
            None => AnalyzerKind::Folded,
        },
    };
    let (name, spec) = match kind {
        AnalyzerKind::Stemmed(_) => (format!("portal_{primary}_stem"), primary),
        AnalyzerKind::CjkBigram => ("portal_cjk_bigram".to_string(), "cjk".to_string()),
        AnalyzerKind::Folded => ("portal_folded".to_string(), "folded".to_string()),
    };
    LangAnalyzer { kind, name, spec }
}

/// The analyzer named by a configuration value (a `portal.toml` override): `cjk`, `folded`,
/// or a language code whose analyzer to borrow (`de` for Luxembourgish, say). `None` for a
/// code without a stemmer or CJK analyzer, which is likely a typo.
pub fn analyzer_from_spec(spec: &str) -> Option<LangAnalyzer> {
    match spec {
        "cjk" => Some(analyzer_for("zh")),
        "folded" => Some(analyzer_for("und")),
        code => {
            let analyzer = analyzer_for(code);
            (analyzer.kind != AnalyzerKind::Folded).then_some(analyzer)
        }
    }
}

fn stemmer_language(primary: &str) -> Option<Language> {
    Some(match primary {
        "ar" => Language::Arabic,
        "da" => Language::Danish,
        "nl" => Language::Dutch,
        "en" => Language::English,
        "fi" => Language::Finnish,
        "fr" => Language::French,
        "de" => Language::German,
        "el" => Language::Greek,
        "hu" => Language::Hungarian,
        "it" => Language::Italian,
        "no" | "nb" | "nn" => Language::Norwegian,
        "pt" => Language::Portuguese,
        "ro" => Language::Romanian,
        "ru" => Language::Russian,
        "es" => Language::Spanish,
        "sv" => Language::Swedish,
        "ta" => Language::Tamil,
        "tr" => Language::Turkish,
        _ => return None,
    })
}

impl LangAnalyzer {
    /// True when the tokenizer cuts Han, kana and Hangul into bigrams.
    pub fn is_cjk(&self) -> bool {
        self.kind == AnalyzerKind::CjkBigram
    }

    /// The full chain, registered in the Tantivy index for the text fields.
    pub fn text_analyzer(&self) -> TextAnalyzer {
        self.finish(self.tokenize().filter_dynamic(LowerCaser))
    }

    /// The start of every chain: the language's tokenizer and the length limit.
    fn tokenize(&self) -> TextAnalyzerBuilder {
        let builder = match self.kind {
            AnalyzerKind::CjkBigram => TextAnalyzer::builder(CjkBigramTokenizer::default()).dynamic(),
            _ => TextAnalyzer::builder(SimpleTokenizer::default()).dynamic(),
        };
        builder.filter_dynamic(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
    }

    /// The end of every term chain: stop words and stemmer where the language has them, then
    /// ASCII folding.
    fn finish(&self, builder: TextAnalyzerBuilder) -> TextAnalyzer {
        let builder = match self.kind {
            AnalyzerKind::Stemmed(language) => {
                let filters = stop_filters(language);
                let mut builder = builder;
                if !filters.is_empty() {
                    builder = builder.filter_dynamic(FoldedStopFilter::new(&filters));
                    for filter in filters {
                        builder = builder.filter_dynamic(filter);
                    }
                }
                builder.filter_dynamic(Stemmer::new(language))
            }
            _ => builder,
        };
        builder.filter_dynamic(AsciiFoldingFilter).build()
    }

    /// Tokenizer and length limit only: raw tokens, lowercased by the memo on demand.
    fn raw_analyzer(&self) -> TextAnalyzer {
        self.tokenize().build()
    }

    /// The first half of the chain: tokenizer, length limit, lowercasing.
    fn surface_analyzer(&self) -> TextAnalyzer {
        self.tokenize().filter_dynamic(LowerCaser).build()
    }

    /// The second half of the chain, applied to one lowercased surface form.
    fn term_analyzer(&self) -> TextAnalyzer {
        self.finish(TextAnalyzer::builder(RawTokenizer::default()).dynamic())
    }

    /// A reusable analysis context (Tantivy analyzers need `&mut` and are costly to build).
    pub fn session(&self) -> AnalysisSession {
        AnalysisSession {
            cjk: self.is_cjk(),
            surface: self.surface_analyzer(),
            term: self.term_analyzer(),
            fold: TextAnalyzer::builder(RawTokenizer::default()).filter(AsciiFoldingFilter).build(),
        }
    }
}

/// Analyzers of one language, ready to run many times.
pub struct AnalysisSession {
    /// Whether Han, kana and Hangul are cut into bigrams (and surfaces flagged `cjk`).
    cjk: bool,
    surface: TextAnalyzer,
    term: TextAnalyzer,
    fold: TextAnalyzer,
}

impl AnalysisSession {
    /// Tokens of `text` up to lowercasing: the forms a reader types.
    pub fn surfaces(&mut self, text: &str) -> Vec<Surface> {
        let mut out = Vec::new();
        let mut stream = self.surface.token_stream(text);
        while let Some(token) = stream.next() {
            let cjk = self.cjk && token.text.chars().next().is_some_and(is_cjk_char);
            out.push(Surface { text: token.text.clone(), from: token.offset_from, to: token.offset_to, cjk });
        }
        out
    }

    /// The indexed term of one lowercased surface form; `None` for a stop word.
    pub fn term_of(&mut self, surface: &str) -> Option<String> {
        let mut stream = self.term.token_stream(surface);
        let term = stream.next().map(|token| token.text.clone());
        // The raw tokenizer yields at most one token; filters never split it.
        term.filter(|t| !t.is_empty())
    }

    /// Tantivy's ASCII folding of a string (`café` -> `cafe`).
    pub fn fold(&mut self, text: &str) -> String {
        let mut stream = self.fold.token_stream(text);
        stream.next().map(|token| token.text.clone()).unwrap_or_default()
    }
}

/// Snowball's English stop words (snowballstem.org, `english/stop.txt`, BSD licence as in
/// Tantivy's copy of the other lists) with Lucene's English list added (`will`). Tantivy's own
/// English list is Lucene's short one, which keeps question words (who, what, how, should,
/// have) that then win queries through the heading boost.
const ENGLISH_STOP_WORDS: &str = "i me my myself we our ours ourselves you your yours yourself yourselves he him \
    his himself she her hers herself it its itself they them their theirs themselves what which who whom this \
    that these those am is are was were be been being have has had having do does did doing would should could \
    ought a an the and but if or because as until while of at by for with about against between into through \
    during before after above below to from up down in out on off over under again further then once here \
    there when where why how all any both each few more most other some such no nor not only own same so than \
    too very will";

/// Question words that Snowball's list of a language lacks (Italian `cosa`, as in
/// `che cosa fare`).
fn extra_stop_words(language: Language) -> &'static [&'static str] {
    match language {
        Language::Italian => &["cosa", "quando"],
        _ => &[],
    }
}

/// The stop-word filters of a stemmer language: Snowball's list (Tantivy's copy, or
/// [`ENGLISH_STOP_WORDS`]) and the language's extra question words. Empty when Tantivy has
/// no list for the language.
pub fn stop_filters(language: Language) -> Vec<StopWordFilter> {
    let mut filters = Vec::new();
    if language == Language::English {
        filters.push(StopWordFilter::remove(ENGLISH_STOP_WORDS.split_whitespace().map(str::to_string)));
    } else if let Some(filter) = StopWordFilter::new(language) {
        filters.push(filter);
    }
    let extra = extra_stop_words(language);
    if !extra.is_empty() && !filters.is_empty() {
        filters.push(StopWordFilter::remove(extra.iter().map(|w| w.to_string())));
    }
    filters
}

/// Drops a token whose ASCII folding is a stop word (`één` -> `een` in Dutch); the exact
/// forms are dropped by the stop-word filters themselves.
#[derive(Clone)]
pub struct FoldedStopFilter {
    /// Raw tokenizer and the stop-word filters: no token out means a stop word.
    stop: TextAnalyzer,
    fold: TextAnalyzer,
}

impl FoldedStopFilter {
    pub fn new(filters: &[StopWordFilter]) -> Self {
        let mut stop = TextAnalyzer::builder(RawTokenizer::default()).dynamic();
        for filter in filters {
            stop = stop.filter_dynamic(filter.clone());
        }
        let fold = TextAnalyzer::builder(RawTokenizer::default()).filter(AsciiFoldingFilter).build();
        FoldedStopFilter { stop: stop.build(), fold }
    }
}

impl TokenFilter for FoldedStopFilter {
    type Tokenizer<T: Tokenizer> = FoldedStopTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> FoldedStopTokenizer<T> {
        FoldedStopTokenizer { inner: tokenizer, filter: self }
    }
}

/// A tokenizer followed by [`FoldedStopFilter`].
#[derive(Clone)]
pub struct FoldedStopTokenizer<T> {
    inner: T,
    filter: FoldedStopFilter,
}

impl<T: Tokenizer> Tokenizer for FoldedStopTokenizer<T> {
    type TokenStream<'a> = FoldedStopStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FoldedStopStream { inner: self.inner.token_stream(text), filter: &mut self.filter }
    }
}

/// The tokens of the inner stream whose folding is not a stop word.
pub struct FoldedStopStream<'a, S> {
    inner: S,
    filter: &'a mut FoldedStopFilter,
}

impl FoldedStopFilter {
    fn is_folded_stop_word(&mut self, word: &str) -> bool {
        if word.is_ascii() {
            return false; // folding changes nothing: the filters see the word itself
        }
        let folded = self.fold.token_stream(word).next().map(|t| t.text.clone()).unwrap_or_default();
        folded != word && self.stop.token_stream(&folded).next().is_none()
    }
}

impl<S: TokenStream> TokenStream for FoldedStopStream<'_, S> {
    fn advance(&mut self) -> bool {
        while self.inner.advance() {
            if !self.filter.is_folded_stop_word(&self.inner.token().text) {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

/// Tantivy's `LowerCaser` on one token: ASCII fast path, else per character (no final-sigma
/// rule).
pub fn lowercase(text: &str) -> String {
    if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        text.chars().flat_map(char::to_lowercase).collect()
    }
}

/// True for Han, kana and Hangul letters: the characters cut into bigrams.
///
/// The ranges are repeated in `search.js` (`isCjk`); keep them identical.
pub fn is_cjk_char(c: char) -> bool {
    let cp = c as u32;
    let in_range = matches!(cp,
        0x1100..=0x11FF      // Hangul Jamo
        | 0x3005..=0x3007    // ideographic iteration mark, closing mark, number zero
        | 0x3040..=0x30FF    // Hiragana, Katakana
        | 0x3130..=0x318F    // Hangul compatibility Jamo
        | 0x31F0..=0x31FF    // Katakana phonetic extensions
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xA960..=0xA97F    // Hangul Jamo extended A
        | 0xAC00..=0xD7FF    // Hangul syllables, Jamo extended B
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0xFF66..=0xFF9F    // halfwidth Katakana
        | 0x20000..=0x3FFFF  // CJK extensions B and later
    );
    in_range && c.is_alphanumeric()
}

/// The full chain as a tokenizer that analyzes each distinct raw token once.
///
/// Most tokens of a corpus repeat, and stemming dominates the analysis, so the index build
/// registers this instead of [`LangAnalyzer::text_analyzer`]: same tokens, one hash lookup per
/// repeated token. The table it fills (raw token -> term) is also where the lexicon comes from,
/// so the texts are analyzed once for both.
#[derive(Clone)]
pub struct MemoTokenizer {
    /// Tokenizer and length limit, for CJK text; other text is split in place (`next_word`).
    raw: TextAnalyzer,
    cjk: bool,
    memo: Arc<Mutex<Memo>>,
    token: Token,
}

/// Raw token -> indexed term (`None`: a stop word), and the chain that computes a new entry.
struct Memo {
    /// Raw token -> position in `terms`. Fx hashing: the keys are the site's own words, and
    /// this lookup runs once per token of the corpus.
    index: FxHashMap<String, u32>,
    terms: Vec<Option<String>>,
    term: TextAnalyzer,
}

impl Memo {
    fn term(&mut self, raw: &str) -> Option<&str> {
        let slot = match self.index.get(raw) {
            Some(&slot) => slot,
            None => {
                let surface = lowercase(raw);
                let mut stream = self.term.token_stream(&surface);
                let term = stream.next().map(|token| token.text.clone());
                let slot = self.terms.len() as u32;
                self.terms.push(term);
                self.index.insert(raw.to_string(), slot);
                slot
            }
        };
        self.terms[slot as usize].as_deref()
    }
}

impl MemoTokenizer {
    pub fn new(analyzer: &LangAnalyzer) -> Self {
        let memo = Memo { index: FxHashMap::default(), terms: Vec::new(), term: analyzer.term_analyzer() };
        MemoTokenizer {
            raw: analyzer.raw_analyzer(),
            cjk: analyzer.is_cjk(),
            memo: Arc::new(Mutex::new(memo)),
            token: Token::default(),
        }
    }

    /// Every lowercased surface form seen so far and its term (stop words left out).
    pub fn surfaces(&self) -> BTreeMap<String, String> {
        let memo = self.memo.lock().unwrap_or_else(PoisonError::into_inner);
        let term_of = |slot: u32| memo.terms[slot as usize].as_ref().filter(|t| !t.is_empty());
        memo.index.iter().filter_map(|(raw, &slot)| term_of(slot).map(|t| (lowercase(raw), t.clone()))).collect()
    }
}

/// Streams the terms of one text through the memo.
pub struct MemoTokenStream<'a> {
    text: &'a str,
    /// Byte offset of the next word (text split in place).
    cursor: usize,
    /// The tokenizer's stream instead, for CJK text.
    raw: Option<BoxTokenStream<'a>>,
    memo: MutexGuard<'a, Memo>,
    token: &'a mut Token,
}

impl Tokenizer for MemoTokenizer {
    type TokenStream<'a> = MemoTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> MemoTokenStream<'a> {
        self.token.reset();
        // One index writer thread uses the tokenizer: the lock is never contended, and a
        // poisoned lock only means another thread panicked, which ends the build anyway.
        let memo = self.memo.lock().unwrap_or_else(PoisonError::into_inner);
        let raw = self.cjk.then(|| self.raw.token_stream(text));
        MemoTokenStream { text, cursor: 0, raw, memo, token: &mut self.token }
    }
}

/// The next run of alphanumeric characters at or after `cursor`: exactly the words of
/// Tantivy's `SimpleTokenizer`, with a fast path for ASCII (most of any corpus).
fn next_word(text: &str, cursor: &mut usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let is_word_at = |i: usize| -> (bool, usize) {
        let b = bytes[i];
        if b < 0x80 {
            (b.is_ascii_alphanumeric(), 1)
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            (c.is_alphanumeric(), c.len_utf8())
        }
    };
    let mut i = *cursor;
    while i < bytes.len() {
        let (word, len) = is_word_at(i);
        if word {
            break;
        }
        i += len;
    }
    if i >= bytes.len() {
        *cursor = bytes.len();
        return None;
    }
    let start = i;
    while i < bytes.len() {
        let (word, len) = is_word_at(i);
        if !word {
            break;
        }
        i += len;
    }
    *cursor = i;
    Some((start, i))
}

impl TokenStream for MemoTokenStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            let (from, to) = match &mut self.raw {
                Some(raw) => {
                    if !raw.advance() {
                        return false;
                    }
                    (raw.token().offset_from, raw.token().offset_to)
                }
                None => match next_word(self.text, &mut self.cursor) {
                    // Tantivy's length limit, as `RemoveLongFilter` applies it.
                    Some((from, to)) if to - from >= MAX_TOKEN_BYTES => continue,
                    Some(word) => word,
                    None => return false,
                },
            };
            self.token.position = self.token.position.wrapping_add(1);
            let raw_text = match &self.raw {
                Some(raw) => raw.token().text.as_str(),
                None => &self.text[from..to],
            };
            if let Some(term) = self.memo.term(raw_text) {
                self.token.text.clear();
                self.token.text.push_str(term);
                self.token.offset_from = from;
                self.token.offset_to = to;
                return true;
            }
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CharClass {
    Cjk,
    Word,
    Separator,
}

fn class_of(c: char) -> CharClass {
    if is_cjk_char(c) {
        CharClass::Cjk
    } else if c.is_alphanumeric() {
        CharClass::Word
    } else {
        CharClass::Separator
    }
}

/// Lucene's CJK bigram behaviour as a Tantivy tokenizer: a run of Han, kana or Hangul becomes
/// overlapping bigrams (a run of one character stays a unigram); any other run of letters and
/// digits is one token, as in Tantivy's simple tokenizer.
///
/// Tantivy's simple tokenizer keeps a whole Han run as one token, which the length limit then
/// drops past 40 bytes (13 characters): a Chinese sentence would vanish from the index.
#[derive(Clone, Default)]
pub struct CjkBigramTokenizer {
    token: Token,
}

/// Streams the tokens of one text; the token buffer is reused (no allocation per token).
pub struct CjkBigramTokenStream<'a> {
    text: &'a str,
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    token: &'a mut Token,
    /// Inside a CJK run: the byte range of the previous character, and whether the run has
    /// produced a bigram yet (a run of one character is emitted as a unigram when it ends).
    run: Option<(usize, usize, bool)>,
}

impl Tokenizer for CjkBigramTokenizer {
    type TokenStream<'a> = CjkBigramTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CjkBigramTokenStream<'a> {
        self.token.reset();
        CjkBigramTokenStream { text, chars: text.char_indices().peekable(), token: &mut self.token, run: None }
    }
}

impl CjkBigramTokenStream<'_> {
    fn emit(&mut self, from: usize, to: usize) -> bool {
        self.token.text.clear();
        self.token.text.push_str(&self.text[from..to]);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = self.token.position.wrapping_add(1);
        true
    }
}

impl TokenStream for CjkBigramTokenStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            if let Some((from, to, emitted)) = self.run {
                match self.chars.peek() {
                    Some(&(offset, c)) if class_of(c) == CharClass::Cjk => {
                        self.chars.next();
                        let end = offset + c.len_utf8();
                        self.run = Some((offset, end, true));
                        return self.emit(from, end);
                    }
                    _ => {
                        self.run = None;
                        if !emitted {
                            return self.emit(from, to);
                        }
                    }
                }
            }
            let Some((offset, c)) = self.chars.next() else {
                return false;
            };
            match class_of(c) {
                CharClass::Separator => {}
                CharClass::Cjk => self.run = Some((offset, offset + c.len_utf8(), false)),
                CharClass::Word => {
                    let mut end = offset + c.len_utf8();
                    while let Some(&(next, c)) = self.chars.peek() {
                        if class_of(c) != CharClass::Word {
                            break;
                        }
                        end = next + c.len_utf8();
                        self.chars.next();
                    }
                    return self.emit(offset, end);
                }
            }
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(lang: &str, text: &str) -> Vec<String> {
        let mut analyzer = analyzer_for(lang).text_analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push(token.text.clone());
        }
        out
    }

    #[test]
    fn picks_analyzer_by_primary_subtag() {
        assert_eq!(analyzer_for("en").kind, AnalyzerKind::Stemmed(Language::English));
        assert_eq!(analyzer_for("pt-BR").kind, AnalyzerKind::Stemmed(Language::Portuguese));
        assert_eq!(analyzer_for("NL").kind, AnalyzerKind::Stemmed(Language::Dutch));
        assert_eq!(analyzer_for("zh-Hant").kind, AnalyzerKind::CjkBigram);
        assert_eq!(analyzer_for("ko").kind, AnalyzerKind::CjkBigram);
        assert_eq!(analyzer_for("pl").kind, AnalyzerKind::Folded);
    }

    #[test]
    fn specs_name_analyzers_and_reject_unknown_codes() {
        for lang in ["en", "pt-BR", "zh", "pl"] {
            let analyzer = analyzer_for(lang);
            let again = analyzer_from_spec(&analyzer.spec).map(|a| a.kind);
            assert_eq!(again, Some(analyzer.kind), "{lang}");
        }
        assert_eq!(analyzer_from_spec("de").map(|a| a.kind), Some(AnalyzerKind::Stemmed(Language::German)));
        assert!(analyzer_from_spec("germna").is_none());
    }

    #[test]
    fn cjk_runs_become_overlapping_bigrams_and_latin_words_stay_whole() {
        assert_eq!(terms("zh", "网络安全"), ["网络", "络安", "安全"]);
        assert_eq!(terms("zh", "用VPN连接，好"), ["用", "vpn", "连接", "好"]);
        assert_eq!(terms("zh", "Windows 11 系统"), ["windows", "11", "系统"]);
        assert_eq!(terms("ja", "ランサムウェア対策"), ["ラン", "ンサ", "サム", "ムウ", "ウェ", "ェア", "ア対", "対策"]);
    }

    /// Why the CJK tokenizer exists: Tantivy's default chain loses a long Han run entirely.
    #[test]
    fn default_tokenizer_drops_long_chinese_sentence_but_bigrams_keep_it() {
        let sentence = "医院信息系统应当定期进行完整备份并且在发现勒索软件攻击迹象时立即断开网络连接";
        let mut default = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .build();
        assert!(default.token_stream(sentence).next().is_none());
        let bigrams = terms("zh", sentence);
        assert!(bigrams.iter().any(|t| t == "勒索") && bigrams.iter().any(|t| t == "软件"));
        assert_eq!(bigrams.len(), sentence.chars().count() - 1);
    }

    #[test]
    fn cjk_offsets_point_at_the_characters() {
        let mut session = analyzer_for("zh").session();
        let text = "a 医院";
        let surfaces = session.surfaces(text);
        assert_eq!(surfaces.len(), 2);
        assert_eq!(&text[surfaces[1].from..surfaces[1].to], "医院");
        assert!(surfaces[1].cjk && !surfaces[0].cjk);
    }

    #[test]
    fn stemmer_languages_stem_remove_stop_words_and_fold() {
        assert_eq!(terms("en", "The Backups of hospitals"), ["backup", "hospit"]);
        assert_eq!(terms("it", "la sicurezza delle città"), ["sicurezz", "citt"]);
        assert_eq!(terms("pl", "Zażółć gęślą"), ["zazolc", "gesla"]);
    }

    /// Issue 18: Dutch `één` folded to `een` matched the stop word; English question words
    /// were indexed (Tantivy's English list is Lucene's short one).
    #[test]
    fn stop_words_are_snowballs_and_hold_after_folding() {
        assert_eq!(terms("nl", "één keer per maand"), ["keer", "per", "maand"]);
        assert_eq!(terms("en", "Who should do what, and how?"), Vec::<String>::new());
        assert_eq!(terms("en", "What to do this week"), ["week"]);
        assert_eq!(terms("it", "Che cosa fare quando"), ["far"]);
        assert_eq!(terms("it", "perché più città"), ["citt"], "accented stop words still go");
    }

    #[test]
    fn long_tokens_are_dropped_like_tantivy_does() {
        let long = "a".repeat(MAX_TOKEN_BYTES);
        assert_eq!(terms("en", &format!("ok {long} fine")), ["ok", "fine"]);
    }

    /// The lexicon relies on this: the full chain equals surfaces followed by `term_of`.
    #[test]
    fn split_chain_equals_full_chain() {
        let samples = [
            ("en", "Ransomware attacks on HOSPITALS: restoring backups, tested monthly. Naïve café"),
            ("it", "Perché la sicurezza informatica è importante negli ospedali più piccoli?"),
            ("nl", "De ziekenhuizen controleren hun back-ups één keer per maand."),
            ("zh", "医院应定期测试备份，并使用VPN远程访问系统。勒索软件"),
            ("pl", "Szpitale muszą regularnie testować kopie zapasowe. Łódź"),
        ];
        for (lang, text) in samples {
            let analyzer = analyzer_for(lang);
            let mut session = analyzer.session();
            let split: Vec<String> =
                session.surfaces(text).into_iter().filter_map(|s| session.term_of(&s.text)).collect();
            assert_eq!(split, terms(lang, text), "{lang}");
        }
    }

    /// The index is built with the memo: its tokens must be the full chain's, first time and
    /// from the table alike, and its surfaces the lexicon's.
    #[test]
    fn memo_tokenizer_equals_full_chain() {
        let long = "x".repeat(MAX_TOKEN_BYTES);
        let text = format!(
            "The Backups of HOSPITALS, backups again; la città è più sicura. Ünïcode—words ½ 3ª {long} ok \
             医院应定期测试备份 VPN Łódź"
        );
        let text = text.as_str();
        for lang in ["en", "it", "zh", "pl"] {
            let analyzer = analyzer_for(lang);
            let mut memo = MemoTokenizer::new(&analyzer);
            for _ in 0..2 {
                let mut stream = memo.token_stream(text);
                let mut out = Vec::new();
                while let Some(token) = stream.next() {
                    out.push(token.text.clone());
                }
                assert_eq!(out, terms(lang, text), "{lang}");
            }
            let mut session = analyzer.session();
            let surfaces = memo.surfaces();
            assert!(surfaces.contains_key("backups"), "{lang}");
            assert_eq!(surfaces.contains_key("the"), lang != "en", "stop words have no term: {lang}");
            for (surface, term) in surfaces {
                assert_eq!(session.term_of(&surface).as_deref(), Some(term.as_str()), "{lang}: {surface}");
            }
        }
    }
}
