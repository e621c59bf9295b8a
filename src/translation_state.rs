//! Translation state, unit by unit: the units of a page (title, description, Markdown body,
//! data-file texts), what each unit of a translation was made from (the record in its front
//! matter, `source_units`), which units are current, stale or new, and each language's status.
//! Below the commands (`translations`) and the renderer, which shows the stale notice.
//!
//! The record: `source_units = ["<unit id> <digest>", ...]` lists, for each unit of the
//! translation, the digest of the normalized source text it was translated from (whitespace
//! and wrapping do not count; non-text front matter is not a unit). A translation written
//! before units were recorded has only `source_digest`, the digest of the whole source file:
//! while that still equals the source's, every unit is current. `"~<source unit id> <digest>"`
//! records a source unit a stamp accepted without a counterpart in the translation.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::content::Page;
use crate::site::Site;
use crate::units::{body_units, data_texts, normalize, Syntax, Unit};

/// The state of one translation of a source page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PageState {
    Current,
    /// Some unit's source changed since it was translated (or none was recorded).
    Stale,
    Missing,
}

/// Where a unit of a page comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Title,
    Description,
    /// The body unit with this index (`units::body_units`).
    Body(usize),
    /// The data-file text with this index (`units::data_texts`).
    Data(usize),
}

/// One unit of a page, source or translation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageUnit {
    /// Page-relative: `title`, `description`, a body unit's id, `data:<path>`.
    pub id: String,
    pub text: String,
    pub syntax: Syntax,
    /// The block around a body unit (`ul>li`); `title`, `description`, `data` otherwise.
    pub shape: String,
    /// Heading path, for translators.
    pub context: String,
    pub place: Place,
}

/// A page cut into units, with the body units kept for splicing.
#[derive(Debug, Clone, Default)]
pub struct PageUnits {
    pub units: Vec<PageUnit>,
    pub body: Vec<Unit>,
    /// The data file's text, if the page has one.
    pub data: Option<String>,
    pub data_name: Option<String>,
}

/// The units of a page: title, description, body, then the texts of its data file.
pub fn page_units(page: &Page, data: Option<&str>) -> PageUnits {
    let mut units = vec![PageUnit {
        id: "title".into(),
        text: page.front.title.clone(),
        syntax: Syntax::Plain,
        shape: "title".into(),
        context: String::new(),
        place: Place::Title,
    }];
    if !page.front.description.is_empty() {
        units.push(PageUnit {
            id: "description".into(),
            text: page.front.description.clone(),
            syntax: Syntax::Plain,
            shape: "description".into(),
            context: String::new(),
            place: Place::Description,
        });
    }
    let body = body_units(&page.body);
    units.extend(body.iter().enumerate().map(|(i, u)| PageUnit {
        id: u.id.clone(),
        text: u.text.clone(),
        syntax: Syntax::Markdown,
        shape: u.shape.clone(),
        context: u.context.clone(),
        place: Place::Body(i),
    }));
    if let Some(texts) = data.and_then(|t| data_texts(t).ok()) {
        let name = page.front.data.clone().unwrap_or_default();
        units.extend(texts.into_iter().enumerate().map(|(i, d)| PageUnit {
            id: format!("data:{}", d.id),
            text: d.text,
            syntax: Syntax::Plain,
            shape: "data".into(),
            context: name.clone(),
            place: Place::Data(i),
        }));
    }
    PageUnits { units, body, data: data.map(str::to_string), data_name: page.front.data.clone() }
}

/// The digest of a unit's text as the record keeps it.
pub fn unit_digest(text: &str) -> String {
    crate::content::digest(&normalize(text))
}

/// The record of a translation: unit id -> digest of the source text it was made from.
pub fn parse_record(entries: &[String]) -> BTreeMap<String, String> {
    entries
        .iter()
        .filter_map(|e| e.trim().rsplit_once(' ').map(|(id, d)| (id.trim().to_string(), d.to_string())))
        .collect()
}

/// How one source unit stands in a translation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitState {
    /// Index into the source's `PageUnits::units`.
    pub source: usize,
    /// Index into the translation's units: the text translated from this unit, if any.
    pub translation: Option<usize>,
    /// Current: translated from the source's present text.
    pub current: bool,
    /// The digest the translation recorded for it (kept for a stale unit left as it is).
    pub recorded: Option<String>,
}

/// A translation against its source, unit by unit.
#[derive(Debug, Clone, Default)]
pub struct Pairing {
    pub units: Vec<UnitState>,
    /// Units of the translation that no source unit matches (their text would be lost if
    /// the page were rewritten from the source's structure).
    pub orphans: Vec<usize>,
    /// Some orphan was translated from a source unit that is gone (the source dropped it, so
    /// the translation should too). Orphans the record does not know (text a translator added,
    /// a structure the stamp accepted) do not make a page stale.
    pub dropped_in_source: bool,
}

impl Pairing {
    /// Ids of the source units that are not current (stale or new).
    pub fn stale_ids(&self, source: &PageUnits) -> Vec<String> {
        self.units.iter().filter(|u| !u.current).map(|u| source.units[u.source].id.clone()).collect()
    }

    pub fn is_current(&self) -> bool {
        self.units.iter().all(|u| u.current) && !self.dropped_in_source
    }
}

/// Pairs a source's units with a translation's. Named units (title, description, data texts)
/// pair by id; body units pair first where the translation's record names the source's present
/// text (exact, wherever it moved), then by shape in document order between those anchors.
pub fn pair(
    source: &PageUnits,
    translation: &PageUnits,
    record: &BTreeMap<String, String>,
    legacy_current: bool,
) -> Pairing {
    let mut states: Vec<UnitState> = Vec::with_capacity(source.units.len());
    let mut used = vec![false; translation.units.len()];
    let digests: Vec<String> = source.units.iter().map(|u| unit_digest(&u.text)).collect();
    let recorded = |j: usize| record.get(&translation.units[j].id).cloned();
    let is_current = |i: usize, j: usize| match recorded(j) {
        Some(d) => d == digests[i],
        None => record.is_empty() && legacy_current,
    };
    // Named units.
    for (i, u) in source.units.iter().enumerate() {
        if matches!(u.place, Place::Body(_)) {
            continue;
        }
        let j = translation.units.iter().position(|t| t.id == u.id && !matches!(t.place, Place::Body(_)));
        if let Some(j) = j {
            used[j] = true;
        }
        states.push(UnitState {
            source: i,
            translation: j,
            current: j.is_some_and(|j| is_current(i, j)),
            recorded: j.and_then(recorded),
        });
    }
    // Body units: exact matches by the recorded digest first (in order); then, within each
    // section that has the same id on both sides (the source's `{#id}`s, which translations
    // keep), by shape in order; then the rest by shape in document order. Units never pair
    // across two sections that both sides name: a translator may reorder sections (countries
    // in the reader's alphabet) or add a paragraph to one.
    let s: Vec<usize> = (0..source.units.len()).filter(|&i| matches!(source.units[i].place, Place::Body(_))).collect();
    let t: Vec<usize> =
        (0..translation.units.len()).filter(|&j| matches!(translation.units[j].place, Place::Body(_))).collect();
    let exact = lcs(s.len(), t.len(), |a, b| recorded(t[b]).is_some_and(|d| d == digests[s[a]]));
    let mut paired: BTreeMap<usize, (usize, bool)> = exact.iter().map(|&(a, b)| (s[a], (t[b], true))).collect();
    let mut taken: std::collections::BTreeSet<usize> = paired.values().map(|&(j, _)| j).collect();
    let section = |id: &str| id.split('/').next().unwrap_or(id).to_string();
    let same_shape = |i: usize, j: usize| source.units[i].shape == translation.units[j].shape;
    let by_section = |units: &[usize], of: &PageUnits, skip: &dyn Fn(usize) -> bool| {
        let mut sections: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for &k in units.iter().filter(|&&k| !skip(k)) {
            sections.entry(section(&of.units[k].id)).or_default().push(k);
        }
        sections
    };
    let source_sections = by_section(&s, source, &|i| paired.contains_key(&i));
    let translation_sections = by_section(&t, translation, &|j| taken.contains(&j));
    for (name, si) in &source_sections {
        let Some(ti) = translation_sections.get(name) else { continue };
        for (x, y) in lcs(si.len(), ti.len(), |x, y| same_shape(si[x], ti[y])) {
            paired.insert(si[x], (ti[y], false));
            taken.insert(ti[y]);
        }
    }
    let rest_s: Vec<usize> = s.iter().copied().filter(|i| !paired.contains_key(i)).collect();
    let rest_t: Vec<usize> = t.iter().copied().filter(|j| !taken.contains(j)).collect();
    for (x, y) in lcs(rest_s.len(), rest_t.len(), |x, y| same_shape(rest_s[x], rest_t[y])) {
        paired.insert(rest_s[x], (rest_t[y], false));
    }
    for &i in &s {
        let j = paired.get(&i).map(|&(j, _)| j);
        let current = paired.get(&i).is_some_and(|&(j, exact)| exact || is_current(i, j));
        if let Some(j) = j {
            used[j] = true;
        }
        states.push(UnitState { source: i, translation: j, current, recorded: j.and_then(recorded) });
    }
    // A source unit a stamp accepted without a counterpart (`~<id>`: the translator reviewed
    // the page and left it out on purpose) is current while its text stays.
    for u in states.iter_mut().filter(|u| u.translation.is_none() && !u.current) {
        let reviewed = record.get(&format!("~{}", source.units[u.source].id));
        u.current = reviewed.is_some_and(|d| *d == digests[u.source]);
    }
    states.sort_by_key(|u| u.source);
    let orphans: Vec<usize> = (0..translation.units.len()).filter(|&j| !used[j]).collect();
    let dropped_in_source = orphans.iter().any(|&j| record.contains_key(&translation.units[j].id));
    Pairing { units: states, orphans, dropped_in_source }
}

/// Index pairs of a longest common subsequence of two sequences (by a match predicate).
fn lcs(n: usize, m: usize, same: impl Fn(usize, usize) -> bool) -> Vec<(usize, usize)> {
    let mut table = vec![vec![0u32; m + 1]; n + 1];
    for a in (0..n).rev() {
        for b in (0..m).rev() {
            table[a][b] = if same(a, b) { table[a + 1][b + 1] + 1 } else { table[a + 1][b].max(table[a][b + 1]) };
        }
    }
    let (mut a, mut b, mut out) = (0, 0, Vec::new());
    while a < n && b < m {
        if same(a, b) && table[a][b] == table[a + 1][b + 1] + 1 {
            out.push((a, b));
            a += 1;
            b += 1;
        } else if table[a + 1][b] >= table[a][b + 1] {
            a += 1;
        } else {
            b += 1;
        }
    }
    out
}

/// The text of a page's data file (in the page's language), if it names one.
pub fn data_text<'a>(site: &'a Site, page: &Page) -> Option<&'a str> {
    let name = page.front.data.as_deref()?;
    let rel = crate::content::routes::join_relative(&page.rel_path, name)?;
    site.content.data.iter().find(|d| d.lang == page.lang && d.rel_path == rel).map(|d| d.text.as_str())
}

/// A source page's units (with its data file's texts).
pub fn source_units(site: &Site, page: &Page) -> PageUnits {
    page_units(page, data_text(site, page))
}

/// A translation against its source.
pub fn pair_pages(site: &Site, source: &Page, translation: &Page) -> (PageUnits, PageUnits, Pairing) {
    let s = source_units(site, source);
    let t = page_units(translation, data_text(site, translation));
    let record = parse_record(&translation.front.source_units);
    let legacy = translation.front.source_digest.as_deref() == Some(source.digest.as_str());
    let pairing = pair(&s, &t, &record, legacy);
    (s, t, pairing)
}

/// One translation page's state, as the site shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranslationState {
    pub state: PageState,
    /// Ids of the source's units that are stale or new in this translation.
    pub stale_units: Vec<String>,
    /// No unit record yet (a translation stamped before units were recorded, or never): its
    /// file digest decides for every unit, and `stale_units` is empty.
    pub unrecorded: bool,
}

/// The state of every translation page (by page index) against its source. A translation
/// without a unit record whose `source_digest` still equals its source's file digest is
/// current without parsing either page (the bundled translations, most of the time); the
/// others are parsed in parallel, each source once.
pub fn compute(site: &Site) -> BTreeMap<usize, TranslationState> {
    use rayon::prelude::*;
    let pairs: Vec<(usize, usize)> = site
        .content
        .pages
        .iter()
        .enumerate()
        .filter_map(|(i, page)| {
            if page.lang == site.config.source_language {
                return None;
            }
            let s = site.routes.by_key(&site.config.source_language, page.translation_key())?;
            Some((i, site.routes.routes[s].page))
        })
        .collect();
    // Without a unit record the file digest decides, for every unit at once.
    let unrecorded = |t: usize| site.content.pages[t].front.source_units.is_empty();
    let needed: std::collections::BTreeSet<usize> =
        pairs.iter().filter(|(t, _)| !unrecorded(*t)).map(|(_, s)| *s).collect();
    let sources: BTreeMap<usize, PageUnits> = needed
        .into_par_iter()
        .map(|s| (s, source_units(site, &site.content.pages[s])))
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    pairs
        .par_iter()
        .map(|&(t, s)| {
            let (page, source) = (&site.content.pages[t], &site.content.pages[s]);
            let Some(units) = sources.get(&s) else {
                let current = page.front.source_digest.as_deref() == Some(source.digest.as_str());
                let state = if current { PageState::Current } else { PageState::Stale };
                return (t, TranslationState { state, stale_units: Vec::new(), unrecorded: true });
            };
            let translation = page_units(page, data_text(site, page));
            let record = parse_record(&page.front.source_units);
            let legacy = page.front.source_digest.as_deref() == Some(source.digest.as_str());
            let pairing = pair(units, &translation, &record, legacy);
            let state = if pairing.is_current() { PageState::Current } else { PageState::Stale };
            (t, TranslationState { state, stale_units: pairing.stale_ids(units), unrecorded: false })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// The source-language page a page translates, if any.
pub fn source_of<'a>(site: &'a Site, page: &Page) -> Option<&'a Page> {
    let source = &site.config.source_language;
    if &page.lang == source {
        return None;
    }
    let route = site.routes.by_key(source, page.translation_key())?;
    Some(&site.content.pages[site.routes.routes[route].page])
}

/// One source page as seen from a language.
#[derive(Debug, Clone, Serialize)]
pub struct PageStatus {
    pub source: String,
    pub translation: Option<String>,
    pub state: PageState,
    /// Ids of the units that are stale or new.
    pub stale_units: Vec<String>,
    /// The translation has no unit record (see `TranslationState::unrecorded`).
    pub unrecorded: bool,
}

/// Status of one language against the source language.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageStatus {
    pub lang: String,
    pub name: String,
    pub pages_total: usize,
    pub pages_current: usize,
    pub pages_stale: usize,
    pub pages_missing: usize,
    /// Pages with a translation (current or stale) as a share of the source pages, 0-100,
    /// rounded down to a tenth: the figure the language chooser shows (`translated_percent`).
    pub percent: f64,
    pub units_stale: usize,
    pub strings_missing: Vec<String>,
    pub strings_unused: Vec<String>,
    /// Self-assessment and quiz data out of step with the source (missing or extra IDs,
    /// different points or answers), as `path:line: message`.
    pub tools_out_of_step: Vec<String>,
    pub pages: Vec<PageStatus>,
}

/// The share of `total` that `translated` is, in percent, rounded down to a tenth (so 100 only
/// when complete). The status report and the language chooser both show this figure.
pub fn translated_percent(translated: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        (translated as f64 * 1000.0 / total as f64).floor() / 10.0
    }
}

/// A percentage as people write it: `100`, `4`, `3.8`.
pub fn format_percent(percent: f64) -> String {
    let text = format!("{percent:.1}");
    text.strip_suffix(".0").map(str::to_string).unwrap_or(text)
}

/// Status of every language but the source (or of `only`).
pub fn status(site: &Site, only: Option<&str>) -> Vec<LanguageStatus> {
    let source = &site.config.source_language;
    let sources: Vec<(usize, &Page)> =
        site.content.pages.iter().enumerate().filter(|(_, p)| &p.lang == source).collect();
    let empty = BTreeMap::new();
    let source_strings = site.strings.by_lang.get(source).unwrap_or(&empty);
    site.languages
        .iter()
        .filter(|l| &l.code != source && only.is_none_or(|o| o == l.code))
        .map(|l| {
            let translations: BTreeMap<&str, usize> = site
                .content
                .pages
                .iter()
                .enumerate()
                .filter(|(_, p)| p.lang == l.code)
                .map(|(i, p)| (p.translation_key(), i))
                .collect();
            let pages: Vec<PageStatus> = sources
                .iter()
                .map(|(_, s)| {
                    let t = translations.get(s.translation_key()).copied();
                    let state = t.and_then(|t| site.translation_states.get(&t));
                    PageStatus {
                        source: s.file.to_string_lossy().into_owned(),
                        translation: t.map(|t| site.content.pages[t].file.to_string_lossy().into_owned()),
                        state: state.map_or(PageState::Missing, |s| s.state),
                        stale_units: state.map(|s| s.stale_units.clone()).unwrap_or_default(),
                        unrecorded: state.is_some_and(|s| s.unrecorded),
                    }
                })
                .collect();
            let count = |state| pages.iter().filter(|p| p.state == state).count();
            let strings = site.strings.by_lang.get(&l.code).unwrap_or(&empty);
            let needed = crate::i18n::needed_keys(source_strings, &l.code);
            let total = pages.len();
            let translated = count(PageState::Current) + count(PageState::Stale);
            LanguageStatus {
                lang: l.code.clone(),
                name: l.name.clone(),
                pages_total: total,
                pages_current: count(PageState::Current),
                pages_stale: count(PageState::Stale),
                pages_missing: count(PageState::Missing),
                percent: translated_percent(translated, total),
                units_stale: pages.iter().filter(|p| p.state == PageState::Stale).map(|p| p.stale_units.len()).sum(),
                strings_missing: needed.iter().filter(|k| !strings.contains_key(*k)).cloned().collect(),
                strings_unused: strings.keys().filter(|k| !needed.contains(*k)).cloned().collect(),
                tools_out_of_step: Vec::new(),
                pages,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units_of(body: &str) -> PageUnits {
        let page = Page {
            lang: "en".into(),
            rel_path: "a.md".into(),
            file: "content/en/a.md".into(),
            front: toml::from_str("title = \"A\"").unwrap(),
            body: body.into(),
            body_line: 4,
            digest: String::new(),
        };
        page_units(&page, None)
    }

    fn record_of(source: &PageUnits, translation: &PageUnits) -> BTreeMap<String, String> {
        // As a stamp writes it: the translation's ids with the source's digests, pairwise.
        source.units.iter().zip(&translation.units).map(|(s, t)| (t.id.clone(), unit_digest(&s.text))).collect()
    }

    #[test]
    fn only_the_changed_paragraph_is_stale() {
        let en = units_of("## A\n\nOne.\n\nTwo.\n\nThree.\n");
        let de = units_of("## A\n\nEins.\n\nZwei.\n\nDrei.\n");
        let record = record_of(&en, &de);
        assert!(pair(&en, &de, &record, false).is_current());
        let rewrapped = units_of("## A\n\nOne.\n\nTwo.\n\nThree.\n\n");
        assert!(pair(&rewrapped, &de, &record, false).is_current(), "whitespace is not a change");
        let edited = units_of("## A\n\nOne.\n\nTwo, changed.\n\nThree.\n");
        let p = pair(&edited, &de, &record, false);
        assert_eq!(p.stale_ids(&edited), ["a/2"]);
        assert_eq!(p.units[3].translation, Some(3), "paired with Zwei by place");
        let inserted = units_of("## A\n\nNew.\n\nOne.\n\nTwo.\n\nThree.\n");
        let p = pair(&inserted, &de, &record, false);
        assert_eq!(p.stale_ids(&inserted), ["a/1"], "a new paragraph shifts no other unit");
        assert_eq!(p.units[3].translation, Some(2), "One. keeps Eins.");
        assert_eq!(p.units[2].translation, None);
    }

    #[test]
    fn reordered_sections_pair_by_their_ids_not_by_place() {
        // A Dutch page lists the Netherlands first and adds a paragraph to it.
        let en = units_of("## Austria {#austria}\n\nVienna.\n\n## Netherlands {#netherlands}\n\nHague.\n");
        let nl = units_of("## Nederland {#netherlands}\n\nDen Haag.\n\nMeer.\n\n## Oostenrijk {#austria}\n\nWenen.\n");
        let p = pair(&en, &nl, &BTreeMap::new(), true);
        let text_for = |id: &str| {
            let i = en.units.iter().position(|u| u.id == id).unwrap();
            let j = p.units.iter().find(|u| u.source == i).and_then(|u| u.translation).unwrap();
            nl.units[j].text.clone()
        };
        assert_eq!(text_for("austria"), "Oostenrijk");
        assert_eq!(text_for("austria/1"), "Wenen.");
        assert_eq!(text_for("netherlands/1"), "Den Haag.");
        assert_eq!(p.orphans.len(), 1, "the added paragraph is the translation's own");
    }

    #[test]
    fn a_legacy_file_digest_makes_every_unit_current_or_stale() {
        let en = units_of("One.\n");
        let de = units_of("Eins.\n");
        assert!(pair(&en, &de, &BTreeMap::new(), true).is_current());
        let p = pair(&en, &de, &BTreeMap::new(), false);
        assert_eq!(p.stale_ids(&en), ["title", "top/1"]);
        assert_eq!(p.units[1].translation, Some(1));
    }

    #[test]
    fn percentages_round_down_and_read_plainly() {
        assert_eq!(translated_percent(1, 26), 3.8);
        assert_eq!(format_percent(translated_percent(1, 26)), "3.8");
        assert_eq!(format_percent(translated_percent(999, 1000)), "99.9");
        assert_eq!(format_percent(translated_percent(5, 5)), "100");
        assert_eq!(format_percent(translated_percent(0, 5)), "0");
    }
}
