//! The query plan: a query string -> weighted indexed terms, the one definition of what a
//! query means. Native search runs the plan's terms as Tantivy term queries (`query.rs`); the
//! browser client (`search.js`, `plan`) implements the same rules on the exported lexicon, and
//! the parity test holds both to the same answers.
//!
//! Rules, in the order their terms join the plan (the order scores are summed in):
//! 1. Chinese, Japanese and Korean: question words and function characters
//!    ([`CJK_STOP_WORDS`]) are cut out of the query, unless nothing would remain.
//! 2. Exact: each surface form's lexicon terms (weight 1).
//! 3. Joined: two or three adjacent words written together (`incident respons plan` ->
//!    `incidentresponsplan`), when that is a lexicon key (weight: the number of words).
//! 4. Synonyms: a phrase of `_synonyms.toml` in the query adds the terms of its whole group
//!    (weight [`SYNONYM_BOOST`]); a word without a key that misspells a one-word synonym
//!    (typo rules of 5c) adds them too (times [`TYPO_BOOST`]).
//! 5. Forgiving, for a word without a lexicon key (not the word being typed, if keys start
//!    with it), first rule that applies:
//!    (a) compound (Dutch, German, Scandinavian): the word is lexicon keys end to end, with the
//!    language's linking letters between them ([`compound_linkers`]): the parts' terms
//!    (weight 1);
//!    (b) unseen inflection: the longest stem of a key that shares most of the word's start
//!    (see [`unseen_form`]) (weight 1);
//!    (c) typo: keys with the same first letter within Damerau-Levenshtein (optimal string
//!    alignment) distance 1, 2 from [`TYPO_LONG_CHARS`] characters, for words of at least
//!    [`TYPO_MIN_CHARS`] letters without digits; the [`TYPO_MAX_TERMS`] nearest, then
//!    most frequent, terms (weight [`TYPO_BOOST`] per distance).
//!    A word with a key but few hits ([`FEW_HITS`]) also gets rules (a) and (c).
//! 6. Search as you type: keys that start with the last word (see `query.rs`).

use std::collections::{BTreeMap, HashSet};

use tantivy::tokenizer::Language;

use super::analyzer::{AnalysisSession, AnalyzerKind, LangAnalyzer, Surface};
use super::lexicon::Lexicon;
use super::synonyms::Synonyms;

/// Shortest last word (in characters) that also matches as a prefix.
pub const PREFIX_MIN_CHARS: usize = 3;
/// Most terms a prefix expands to.
pub const PREFIX_MAX_TERMS: usize = 8;
/// Weight of a prefix expansion relative to a typed word.
pub const PREFIX_BOOST: f32 = 0.5;
/// Most adjacent words tried written together.
pub const JOIN_MAX_WORDS: usize = 3;
/// Weight of a synonym's terms.
pub const SYNONYM_BOOST: f32 = 0.5;
/// Shortest word (characters) corrected as a typo.
pub const TYPO_MIN_CHARS: usize = 5;
/// Words of this many characters or more may have two edits.
pub const TYPO_LONG_CHARS: usize = 9;
/// Most terms a typo adds.
pub const TYPO_MAX_TERMS: usize = 3;
/// Weight of a typo correction at distance 1 and 2 (powers of two: exact in f32).
pub const TYPO_BOOST: [f32; 2] = [0.5, 0.25];
/// A word whose terms are in at most this many field postings in all has few hits: it is
/// also split as a compound and corrected as a typo.
pub const FEW_HITS: u64 = 2;
/// Shortest key that a typo may be corrected to (a 5-letter word minus one letter).
pub const TYPO_MIN_KEY_CHARS: usize = 4;
/// Shortest stem an unseen inflection maps to, and shortest part of a compound.
pub const STEM_MIN_CHARS: usize = 4;
/// Shortest part of a compound.
pub const COMPOUND_MIN_PART: usize = 3;
/// Most parts of a compound.
pub const COMPOUND_MAX_PARTS: usize = 4;

/// Question words and function characters left out of Chinese, Japanese and Korean queries
/// (longest first where one starts another).
pub const CJK_STOP_WORDS: &[&str] = &[
    "为什么",
    "怎么样",
    "怎么办",
    "多长时间",
    "怎么",
    "怎样",
    "如何",
    "是否",
    "什么",
    "哪些",
    "哪个",
    "哪里",
    "多少",
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
];

/// Which rule put a term in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    Exact,
    Joined,
    Synonym,
    Compound,
    Unseen,
    Typo,
    Prefix,
}

/// A term of the plan, its weight and the rule that added it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedTerm {
    pub term: String,
    pub weight: f32,
    pub rule: Rule,
}

/// What a language's plan does beyond exact terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanRules {
    /// Han, kana and Hangul are bigrams: no typo, inflection or compound rules, CJK stop words.
    pub cjk: bool,
    /// Indexed terms are stems (unseen inflections map to them).
    pub stems: bool,
    /// Linking letters of compounds; `None` for a language that does not compound.
    pub linkers: Option<&'static [&'static str]>,
}

/// Linking letters between the parts of a compound (`s` in `tweestapsverificatie`, `en` in
/// `ziekenhuizenbeleid`); `None` when the language does not write compounds as one word.
pub fn compound_linkers(language: Language) -> Option<&'static [&'static str]> {
    match language {
        Language::Dutch => Some(&["s", "e", "en"]),
        Language::German => Some(&["s", "es", "e", "en", "n", "er"]),
        Language::Swedish | Language::Danish | Language::Norwegian => Some(&["s", "e"]),
        _ => None,
    }
}

impl PlanRules {
    pub fn of(analyzer: &LangAnalyzer) -> Self {
        match analyzer.kind {
            AnalyzerKind::CjkBigram => PlanRules { cjk: true, stems: false, linkers: None },
            AnalyzerKind::Stemmed(language) => {
                PlanRules { cjk: false, stems: true, linkers: compound_linkers(language) }
            }
            AnalyzerKind::Folded => PlanRules { cjk: false, stems: false, linkers: None },
        }
    }
}

/// The query with CJK stop words cut out (each replaced by a space), or as it was when
/// nothing else would remain.
pub fn strip_cjk_stop_words(query: &str, session: &mut AnalysisSession) -> String {
    let mut out = String::with_capacity(query.len());
    let mut rest = query;
    while let Some(c) = rest.chars().next() {
        match CJK_STOP_WORDS.iter().find(|w| rest.starts_with(**w)) {
            Some(word) => {
                out.push(' ');
                rest = &rest[word.len()..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if out != query && !session.surfaces(&out).is_empty() {
        out
    } else {
        query.to_string()
    }
}

/// Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions) of
/// two words in characters, or `None` when it exceeds `max`.
pub fn typo_distance(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let width = b.len() + 1;
    let mut rows = vec![vec![0usize; width]; 3];
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        let (cur, prev, prev2) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        rows[cur][0] = i;
        let mut best = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (rows[prev][j] + 1).min(rows[cur][j - 1] + 1).min(rows[prev][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(rows[prev2][j - 2] + 1);
            }
            rows[cur][j] = value;
            best = best.min(value);
        }
        if best > max {
            return None;
        }
    }
    let d = rows[a.len() % 3][b.len()];
    (d <= max).then_some(d)
}

/// Characters two strings share at their start.
pub fn common_prefix_chars(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// Characters of the word's start that a key must share with it to lend its stem to an
/// unseen inflection: 60% of the word, and at least `STEM_MIN_CHARS`.
pub fn unseen_min_shared(word_chars: usize) -> usize {
    STEM_MIN_CHARS.max((3 * word_chars).div_ceil(5))
}

/// The term an unseen word form stands for: among keys that share at least
/// [`unseen_min_shared`] characters of its start with it, the stems (terms that begin the
/// folded key, at least [`STEM_MIN_CHARS`] long) that lie within the shared part; the one of
/// the key sharing most, then the longest stem, then the first in term order.
/// `isolating` -> `isol` (from `isolate`, sharing `isolat`); `wachtwoard` -> none (`wacht`
/// shares only half the word).
pub fn unseen_form(lexicon: &Lexicon, word: &str) -> Option<String> {
    let chars: Vec<char> = word.chars().collect();
    let shared_min = unseen_min_shared(chars.len());
    if chars.len() <= shared_min {
        return None;
    }
    let start: String = chars[..shared_min].iter().collect();
    let mut best: Option<(usize, usize, &str)> = None;
    for (key, terms) in lexicon.keys_with_prefix(&start) {
        let shared = common_prefix_chars(key, word);
        for term in terms {
            let stem = lexicon.stem_chars(key, term);
            if stem < STEM_MIN_CHARS || stem > shared {
                continue;
            }
            let better = match best {
                None => true,
                Some((s, l, t)) => {
                    (shared, stem) > (s, l) || ((shared, stem) == (s, l) && term.as_bytes() < t.as_bytes())
                }
            };
            if better {
                best = Some((shared, stem, term));
            }
        }
    }
    best.map(|(_, _, term)| term.to_string())
}

/// The keys a compound is made of: the fewest parts (at most [`COMPOUND_MAX_PARTS`], each a
/// key of at least [`COMPOUND_MIN_PART`] characters, a linker allowed between two parts) that
/// spell the whole word; among splits of as many parts, the first found trying longer parts
/// first and, after a part, no linker before the linkers in their order.
pub fn compound_parts(lexicon: &Lexicon, word: &str, linkers: &[&str]) -> Option<Vec<String>> {
    for parts in 2..=COMPOUND_MAX_PARTS {
        let mut found = Vec::new();
        if split_from(lexicon, word, linkers, parts, &mut found) {
            return Some(found);
        }
    }
    None
}

/// Depth-first search for `word` as exactly `parts` keys (see [`compound_parts`]).
fn split_from(lexicon: &Lexicon, word: &str, linkers: &[&str], parts: usize, found: &mut Vec<String>) -> bool {
    let boundaries: Vec<usize> = word.char_indices().map(|(i, _)| i).skip(1).chain([word.len()]).collect();
    // Longest part first.
    for &end in boundaries.iter().rev() {
        let part = &word[..end];
        if part.chars().count() < COMPOUND_MIN_PART || !lexicon.keys.contains_key(part) {
            continue;
        }
        let rest = &word[end..];
        if rest.is_empty() {
            if parts == 1 {
                found.push(part.to_string());
                return true;
            }
            continue;
        }
        if parts == 1 {
            continue;
        }
        for linker in std::iter::once(&"").chain(linkers.iter()) {
            let Some(after) = rest.strip_prefix(*linker) else { continue };
            if after.is_empty() {
                continue;
            }
            found.push(part.to_string());
            if split_from(lexicon, after, linkers, parts - 1, found) {
                return true;
            }
            found.pop();
        }
    }
    false
}

/// Typo corrections of `word`: terms of keys with its first character within the allowed
/// distance, nearest first, then by summed document frequency (`rank`), then term order; at
/// most [`TYPO_MAX_TERMS`], with their distance.
pub fn typo_terms(lexicon: &Lexicon, word: &str, mut rank: impl FnMut(&str) -> u64) -> Vec<(String, usize)> {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < TYPO_MIN_CHARS || chars.iter().any(|c| c.is_numeric()) {
        return Vec::new();
    }
    let max = if chars.len() >= TYPO_LONG_CHARS { 2 } else { 1 };
    let first = chars[0].to_string();
    let mut nearest: BTreeMap<&str, usize> = BTreeMap::new();
    for (key, terms) in lexicon.keys_with_prefix(&first) {
        if !is_typo_key(key) {
            continue;
        }
        let key_chars: Vec<char> = key.chars().collect();
        let Some(distance) = typo_distance(&chars, &key_chars, max) else { continue };
        if distance == 0 {
            continue;
        }
        for term in terms {
            let entry = nearest.entry(term.as_str()).or_insert(distance);
            *entry = (*entry).min(distance);
        }
    }
    let mut ranked: Vec<(usize, u64, &str)> = nearest.into_iter().map(|(t, d)| (d, rank(t), t)).collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.as_bytes().cmp(b.2.as_bytes())));
    ranked.into_iter().take(TYPO_MAX_TERMS).map(|(d, _, t)| (t.to_string(), d)).collect()
}

/// One-word synonyms that `word` misspells (same rules as [`typo_terms`]): their groups and
/// distances, in the order the synonyms are listed.
pub fn synonym_typos(synonyms: &Synonyms, word: &str) -> Vec<(usize, usize)> {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < TYPO_MIN_CHARS || chars.iter().any(|c| c.is_numeric()) {
        return Vec::new();
    }
    let max = if chars.len() >= TYPO_LONG_CHARS { 2 } else { 1 };
    let mut out = Vec::new();
    for (phrase, group) in &synonyms.phrases {
        let [one] = phrase.as_slice() else { continue };
        if !is_typo_key(one) || !one.starts_with(chars[0]) {
            continue;
        }
        if let Some(distance) = typo_distance(&chars, &one.chars().collect::<Vec<_>>(), max).filter(|&d| d > 0) {
            out.push((*group, distance));
        }
    }
    out
}

/// Keys a typo may be corrected to: at least [`TYPO_MIN_KEY_CHARS`] characters, no digits,
/// not Han, kana or Hangul. The export ships exactly these in the typo blocks.
pub fn is_typo_key(key: &str) -> bool {
    key.chars().count() >= TYPO_MIN_KEY_CHARS && !key.chars().any(|c| c.is_numeric() || super::analyzer::is_cjk_char(c))
}

/// Everything a plan reads besides the query.
pub struct PlanInput<'a> {
    pub lexicon: &'a Lexicon,
    pub synonyms: &'a Synonyms,
    pub rules: PlanRules,
}

/// Turns a query string into weighted terms; `rank` gives a term's summed document frequency.
pub fn plan_query(
    session: &mut AnalysisSession,
    input: &PlanInput,
    query: &str,
    mut rank: impl FnMut(&str) -> u64,
) -> Vec<PlannedTerm> {
    let lexicon = input.lexicon;
    let query = if input.rules.cjk { strip_cjk_stop_words(query, session) } else { query.to_string() };
    let surfaces = session.surfaces(&query);
    let mut plan = Plan::default();
    // 2. Exact.
    let exact: Vec<Vec<String>> = surfaces.iter().map(|s| lexicon.lookup(&s.text)).collect();
    for terms in &exact {
        for term in terms {
            plan.add(term, 1.0, Rule::Exact);
        }
    }
    // 3. Joined.
    for i in 0..surfaces.len() {
        for len in 2..=JOIN_MAX_WORDS.min(surfaces.len() - i) {
            let words = &surfaces[i..i + len];
            if words.iter().any(|s| s.cjk) {
                continue;
            }
            let joined: String = words.iter().map(|s| s.text.as_str()).collect();
            // The compound stands for all the words it joins: it weighs as much as they do.
            for term in lexicon.lookup(&joined) {
                plan.add(&term, len as f32, Rule::Joined);
            }
        }
    }
    // 6 (prefix data first: the word being typed is not corrected while keys start with it).
    let prefix = typed_prefix(&query, &surfaces);
    let prefix_terms = prefix.map(|last| lexicon.terms_with_key_prefix(&last.text)).unwrap_or_default();
    let forgivable =
        |i: usize| !(surfaces[i].cjk || i + 1 == surfaces.len() && prefix.is_some() && !prefix_terms.is_empty());
    // 4. Synonyms, and one-word synonyms misspelt (a word of no page, within typo distance).
    for term in input.synonyms.terms_in(&surfaces) {
        plan.add(term, SYNONYM_BOOST, Rule::Synonym);
    }
    for (i, surface) in surfaces.iter().enumerate() {
        if !forgivable(i) || !exact[i].is_empty() {
            continue;
        }
        for (group, distance) in synonym_typos(input.synonyms, &surface.text) {
            for term in &input.synonyms.groups[group] {
                plan.add(term, SYNONYM_BOOST * TYPO_BOOST[distance - 1], Rule::Typo);
            }
        }
    }
    // 5. Forgiving.
    for (i, surface) in surfaces.iter().enumerate() {
        if !forgivable(i) {
            continue;
        }
        let word = surface.text.as_str();
        let few_hits = !exact[i].is_empty() && exact[i].iter().map(|t| rank(t)).sum::<u64>() <= FEW_HITS;
        if !exact[i].is_empty() && !few_hits {
            continue;
        }
        if let Some(parts) = input.rules.linkers.and_then(|linkers| compound_parts(lexicon, word, linkers)) {
            for part in parts {
                for term in lexicon.lookup(&part) {
                    plan.add(&term, 1.0, Rule::Compound);
                }
            }
            if !few_hits {
                continue;
            }
        }
        if input.rules.stems && !few_hits {
            if let Some(term) = unseen_form(lexicon, word) {
                plan.add(&term, 1.0, Rule::Unseen);
                continue;
            }
        }
        for (term, distance) in typo_terms(lexicon, word, &mut rank) {
            plan.add(&term, TYPO_BOOST[distance - 1], Rule::Typo);
        }
    }
    // 6. Search as you type.
    if prefix.is_some() {
        let mut expansions: Vec<(u64, String)> =
            prefix_terms.into_iter().filter(|term| !plan.seen.contains(term)).map(|term| (rank(&term), term)).collect();
        expansions.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.as_bytes().cmp(b.1.as_bytes())));
        for (_, term) in expansions.into_iter().take(PREFIX_MAX_TERMS) {
            plan.add(&term, PREFIX_BOOST, Rule::Prefix);
        }
    }
    plan.terms
}

/// The last surface when it is being typed: it ends the query (no trailing separator) and has
/// at least `PREFIX_MIN_CHARS` characters, or is a lone Han, kana or Hangul character.
fn typed_prefix<'a>(query: &str, surfaces: &'a [Surface]) -> Option<&'a Surface> {
    let last = surfaces.last()?;
    let chars = last.text.chars().count();
    let typed = last.to == query.len() && if last.cjk { chars == 1 } else { chars >= PREFIX_MIN_CHARS };
    typed.then_some(last)
}

/// Terms in the order they joined, each once (its first weight).
#[derive(Default)]
struct Plan {
    seen: HashSet<String>,
    terms: Vec<PlannedTerm>,
}

impl Plan {
    fn add(&mut self, term: &str, weight: f32, rule: Rule) {
        if self.seen.insert(term.to_string()) {
            self.terms.push(PlannedTerm { term: term.to_string(), weight, rule });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::analyzer::{analyzer_for, MemoTokenizer};
    use tantivy::tokenizer::{TokenStream, Tokenizer};

    fn lexicon(lang: &str, text: &str) -> Lexicon {
        let analyzer = analyzer_for(lang);
        let mut memo = MemoTokenizer::new(&analyzer);
        let mut stream = memo.token_stream(text);
        while stream.advance() {}
        drop(stream);
        Lexicon::from_surfaces(memo.surfaces(), &mut analyzer.session())
    }

    fn plan(lang: &str, text: &str, query: &str) -> Vec<(String, f32)> {
        let analyzer = analyzer_for(lang);
        let lexicon = lexicon(lang, text);
        let synonyms = Synonyms::default();
        let input = PlanInput { lexicon: &lexicon, synonyms: &synonyms, rules: PlanRules::of(&analyzer) };
        plan_query(&mut analyzer.session(), &input, query, |_| 5).into_iter().map(|p| (p.term, p.weight)).collect()
    }

    #[test]
    fn distance_counts_transpositions_as_one_edit() {
        let d =
            |a: &str, b: &str, max| typo_distance(&a.chars().collect::<Vec<_>>(), &b.chars().collect::<Vec<_>>(), max);
        assert_eq!(d("phising", "phishing", 1), Some(1));
        assert_eq!(d("inventroy", "inventory", 1), Some(1));
        assert_eq!(d("ransomwre", "ransomware", 2), Some(1));
        assert_eq!(d("authentification", "authentication", 2), Some(2));
        assert_eq!(d("wachtwoard", "wacht", 2), None);
        assert_eq!(d("abc", "abc", 0), Some(0));
    }

    #[test]
    fn typos_find_the_word_but_not_a_short_prefix() {
        let text = "ransomware attacks; wachtwoord en wachten";
        assert_eq!(plan("en", text, "ransomwre "), [("ransomwar".to_string(), 0.5)]);
        assert_eq!(plan("nl", text, "wachtwoard "), [("wachtwoord".to_string(), 0.5)]);
        assert!(plan("en", text, "wacht ").is_empty(), "four edits away, and a prefix is not a typo");
    }

    #[test]
    fn unseen_inflections_map_to_the_stem_of_a_word_sharing_most_of_them() {
        let text = "isolate the network; recover quickly; update";
        assert_eq!(plan("en", text, "isolating "), [("isol".to_string(), 1.0)]);
        assert_eq!(plan("en", text, "recovering "), [("recov".to_string(), 1.0)]);
        assert_eq!(plan("nl", "de update", "updaten "), [("updat".to_string(), 1.0)]);
    }

    #[test]
    fn compounds_split_into_keys_with_linking_letters_and_words_join() {
        let text = "twee stappen, stap voor stap, verificatie; phishing mail; incidentresponsplan";
        let terms = plan("nl", text, "tweestapsverificatie ");
        let names: Vec<&str> = terms.iter().map(|t| t.0.as_str()).collect();
        let stem = analyzer_for("nl").session().term_of("verificatie").expect("a term");
        assert_eq!(names, ["twee", "stap", stem.as_str()]);
        let terms = plan("nl", text, "incident respons plan ");
        assert!(terms.iter().any(|t| t.0 == "incidentresponsplan"), "{terms:?}");
    }

    #[test]
    fn chinese_question_words_go_unless_nothing_remains() {
        let mut session = analyzer_for("zh").session();
        assert_eq!(strip_cjk_stop_words("为什么要备份", &mut session), " 要备份");
        assert_eq!(strip_cjk_stop_words("为什么", &mut session), "为什么");
    }
}
