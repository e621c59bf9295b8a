//! UI strings: `i18n/<lang>.toml` -> flat `section.key` maps, with lookups that fall back to the
//! source language, and the static check that every key the theme uses exists in every language.
//!
//! Strings with a count have one form per CLDR plural category of the language, as a table:
//! `[search.results]` with `one = "{count} result"` and `other = "{count} results"` in English,
//! `one`, `few`, `many` and `other` in Polish (categories from `icu_plurals`, the browser picks
//! with `Intl.PluralRules`). Language names in other languages (for the fallback notice) come
//! from a small built-in table.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::toml_diagnostic;
use crate::error::Diagnostic;

/// The strings of every language, keyed by language code then dotted key.
#[derive(Debug, Clone, Default)]
pub struct Strings {
    pub source_lang: String,
    pub by_lang: BTreeMap<String, BTreeMap<String, String>>,
}

impl Strings {
    /// The string for `key` in `lang`, else in the source language, else `None`.
    pub fn get(&self, lang: &str, key: &str) -> Option<&str> {
        self.by_lang
            .get(lang)
            .and_then(|m| m.get(key))
            .or_else(|| self.by_lang.get(&self.source_lang).and_then(|m| m.get(key)))
            .map(String::as_str)
    }

    /// Like `get`, but shows the key itself when no language has it (reported by the check).
    pub fn text(&self, lang: &str, key: &str) -> String {
        self.get(lang, key).unwrap_or(key).to_string()
    }

    pub fn has(&self, lang: &str, key: &str) -> bool {
        self.by_lang.get(lang).is_some_and(|m| m.contains_key(key))
    }

    /// A fingerprint of every string `lang` shows (its own, else the source language's): equal
    /// fingerprints render the same, whatever changed in other languages' files.
    pub fn fingerprint(&self, lang: &str) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut shown: BTreeMap<&str, &str> = BTreeMap::new();
        for table in [self.by_lang.get(&self.source_lang), self.by_lang.get(lang)].into_iter().flatten() {
            shown.extend(table.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        let mut h = std::collections::hash_map::DefaultHasher::new();
        shown.hash(&mut h);
        h.finish()
    }
}

/// Parses one strings file into dotted keys; non-string values are errors with their line.
pub fn parse_strings(path: &Path, text: &str) -> Result<BTreeMap<String, String>, Vec<Diagnostic>> {
    let table: toml::Table = toml::from_str(text).map_err(|e| vec![toml_diagnostic(path, text, 0, &e)])?;
    let mut strings = BTreeMap::new();
    let mut problems = Vec::new();
    flatten("", &table, &mut strings, &mut |key| {
        let line = key_line(text, key);
        problems.push(Diagnostic::error(path, line, 0, format!("`{key}` must be a string")));
    });
    if problems.is_empty() {
        Ok(strings)
    } else {
        Err(problems)
    }
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut BTreeMap<String, String>, bad: &mut dyn FnMut(&str)) {
    for (k, v) in table {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(t) => flatten(&key, t, out, bad),
            _ => bad(&key),
        }
    }
}

/// Best-effort line of a dotted key's last part, for messages about values.
pub fn key_line(text: &str, key: &str) -> usize {
    let last = key.rsplit('.').next().unwrap_or(key);
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(last).is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map_or(0, |i| i + 1)
}

/// Keys used literally in templates as `t(key="...")` (and `plural(key="...")`, which needs the
/// key's `other` form), with the template and line of first use.
pub fn template_keys(templates: &[(String, String)]) -> BTreeMap<String, (String, usize)> {
    let mut keys = BTreeMap::new();
    for (name, text) in templates {
        for (line_no, line) in text.lines().enumerate() {
            for (call, suffix) in [("t(key=\"", ""), ("plural(key=\"", ".other")] {
                let mut rest = line;
                while let Some(i) = rest.find(call) {
                    rest = &rest[i + call.len()..];
                    if let Some(end) = rest.find('"') {
                        // `t(key="kind." ~ page.kind)` builds the key at render time: not checkable here.
                        if !rest[..end].ends_with('.') {
                            keys.entry(format!("{}{suffix}", &rest[..end])).or_insert((name.clone(), line_no + 1));
                        }
                        rest = &rest[end..];
                    }
                }
            }
        }
    }
    keys
}

/// The CLDR plural categories a language uses for the counts a page shows (whole numbers below
/// a million), in CLDR order: `one`, `few`, `many`, `other` for Polish; `one`, `other` for
/// Italian and French, whose `many` starts at a million (the browser shows `other` there);
/// `other` alone for Chinese or a code the rules do not know.
pub fn plural_categories(lang: &str) -> Vec<&'static str> {
    let Some(rules) = plural_rules(lang) else { return vec!["other"] };
    let used: Vec<&'static str> = (0u64..=1000).map(|n| category_name(rules.category_for(n))).collect();
    let mut found: Vec<&'static str> = rules.categories().map(category_name).filter(|c| used.contains(c)).collect();
    if !found.contains(&"other") {
        found.push("other");
    }
    found
}

/// The plural category of `n` in `lang` (`other` for an unknown code).
pub fn plural_category(lang: &str, n: u64) -> &'static str {
    plural_rules(lang).map_or("other", |r| category_name(r.category_for(n)))
}

fn plural_rules(lang: &str) -> Option<icu_plurals::PluralRules> {
    let locale = icu_locale_core::Locale::try_from_str(lang).ok()?;
    icu_plurals::PluralRules::try_new_cardinal((&locale).into()).ok()
}

fn category_name(c: icu_plurals::PluralCategory) -> &'static str {
    use icu_plurals::PluralCategory::*;
    match c {
        Zero => "zero",
        One => "one",
        Two => "two",
        Few => "few",
        Many => "many",
        Other => "other",
    }
}

const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// The plural groups of a strings table: keys `k` with a `k.other` whose other children are
/// all plural categories (`search.results`).
pub fn plural_groups(strings: &BTreeMap<String, String>) -> Vec<String> {
    let mut groups = Vec::new();
    for key in strings.keys() {
        if let Some(base) = key.strip_suffix(".other") {
            let prefix = format!("{base}.");
            let all_categories = strings
                .keys()
                .filter(|k| k.starts_with(&prefix))
                .all(|k| CATEGORIES.contains(&&k[prefix.len()..]) && !k[prefix.len()..].contains('.'));
            if all_categories {
                groups.push(base.to_string());
            }
        }
    }
    groups
}

/// The keys a language needs: the source's keys, with each plural group in the language's own
/// categories (a Polish file needs `few` and `many`, a Chinese one `other` only).
pub fn needed_keys(source: &BTreeMap<String, String>, lang: &str) -> std::collections::BTreeSet<String> {
    let groups = plural_groups(source);
    let categories = plural_categories(lang);
    let mut out = std::collections::BTreeSet::new();
    for key in source.keys() {
        if !groups.iter().any(|g| key.strip_prefix(g.as_str()).is_some_and(|r| r.starts_with('.'))) {
            out.insert(key.clone());
        }
    }
    for g in &groups {
        out.extend(categories.iter().map(|c| format!("{g}.{c}")));
    }
    out
}

/// The forms of a plural string in `lang`'s categories: its own, else the source language's
/// `other`... (`lookup` resolves a key with the usual fallback).
pub fn plural_forms(lang: &str, key: &str, lookup: impl Fn(&str) -> Option<String>) -> BTreeMap<String, String> {
    let other = lookup(&format!("{key}.other")).unwrap_or_else(|| key.to_string());
    plural_categories(lang)
        .into_iter()
        .map(|c| (c.to_string(), lookup(&format!("{key}.{c}")).unwrap_or_else(|| other.clone())))
        .collect()
}

/// A language's name in another language (`en` in `de`: "Englisch"), for sentences such as the
/// fallback notice; `None` when the table does not know it (callers show the autonym).
pub fn language_name_in(code: &str, reader: &str) -> Option<&'static str> {
    let base = |c: &str| c.split('-').next().unwrap_or(c).to_string();
    let (code, reader) = (base(code), base(reader));
    LANGUAGE_NAMES.iter().find(|(c, r, _)| *c == code && *r == reader).map(|(_, _, n)| *n)
}

/// (language, reader's language, name), written as the word stands alone in a sentence of the
/// reader's language (lowercase where that language writes it so).
const LANGUAGE_NAMES: &[(&str, &str, &str)] = &[
    ("en", "bg", "английски"),
    ("en", "cs", "angličtina"),
    ("en", "da", "engelsk"),
    ("en", "de", "Englisch"),
    ("en", "el", "αγγλικά"),
    ("en", "en", "English"),
    ("en", "es", "inglés"),
    ("en", "et", "inglise"),
    ("en", "fi", "englanti"),
    ("en", "fr", "anglais"),
    ("en", "ga", "Béarla"),
    ("en", "hr", "engleski"),
    ("en", "hu", "angol"),
    ("en", "it", "inglese"),
    ("en", "lt", "anglų"),
    ("en", "lv", "angļu"),
    ("en", "mt", "Ingliż"),
    ("en", "nl", "Engels"),
    ("en", "pl", "angielski"),
    ("en", "pt", "inglês"),
    ("en", "ro", "engleză"),
    ("en", "sk", "angličtina"),
    ("en", "sl", "angleščina"),
    ("en", "sv", "engelska"),
    ("en", "zh", "英语"),
    ("en", "ja", "英語"),
    ("en", "no", "engelsk"),
    ("en", "nb", "engelsk"),
    ("en", "is", "enska"),
    ("en", "tr", "İngilizce"),
    ("en", "uk", "англійська"),
    ("en", "ru", "английский"),
    ("en", "ar", "الإنجليزية"),
];

/// Keys the generator itself uses, and those templates build at render time (`"kind." ~ kind`).
pub fn code_keys() -> Vec<String> {
    let mut keys = crate::markdown::ui_keys();
    keys.extend(crate::content::Kind::ALL.iter().map(|k| format!("kind.{}", k.as_str())));
    keys.extend(["news.feed_title", "guidance.feed_title", "taxonomy.audience", "taxonomy.topics"].map(String::from));
    // The 404 page speaks every language; dates are written in the reader's.
    keys.extend(["notfound.title", "notfound.text", "notfound.home"].map(String::from));
    keys.extend(crate::dates::date_keys());
    keys
}

/// Warnings for keys missing in a language (they fall back to the source language) and errors
/// for keys no language has.
pub fn check_keys(
    strings: &Strings,
    languages: &[String],
    needed: &BTreeMap<String, (String, usize)>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (key, (template, line)) in needed {
        if !strings.has(&strings.source_lang, key) {
            out.push(Diagnostic::warning(
                Path::new("i18n").join(format!("{}.toml", strings.source_lang)),
                0,
                0,
                format!("missing key `{key}` (used in {template}:{line}); pages show the key itself"),
            ));
        }
        for lang in languages.iter().filter(|l| **l != strings.source_lang) {
            if !strings.has(lang, key) {
                out.push(Diagnostic::warning(
                    Path::new("i18n").join(format!("{lang}.toml")),
                    0,
                    0,
                    format!("missing key `{key}`; falls back to {}", strings.source_lang),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings() -> Strings {
        let mut s = Strings { source_lang: "en".into(), ..Strings::default() };
        s.by_lang.insert(
            "en".into(),
            parse_strings(Path::new("en.toml"), "[nav]\nhome = \"Home\"\nsearch = \"Search\"\n").unwrap(),
        );
        s.by_lang
            .insert("it".into(), parse_strings(Path::new("it.toml"), "[nav]\nhome = \"Pagina iniziale\"\n").unwrap());
        s
    }

    #[test]
    fn lookups_fall_back_to_the_source_language() {
        let s = strings();
        assert_eq!(s.text("it", "nav.home"), "Pagina iniziale");
        assert_eq!(s.text("it", "nav.search"), "Search");
        assert_eq!(s.text("it", "nav.nothing"), "nav.nothing");
    }

    #[test]
    fn a_fingerprint_changes_only_with_what_its_language_shows() {
        let before = strings();
        let mut after = strings();
        // Hidden in Italian by its own string: Italian shows the same.
        after.by_lang.get_mut("en").unwrap().insert("nav.home".into(), "Start".into());
        assert_ne!(before.fingerprint("en"), after.fingerprint("en"));
        assert_eq!(before.fingerprint("it"), after.fingerprint("it"));
        // Italian falls back to English for this one.
        after.by_lang.get_mut("en").unwrap().insert("nav.search".into(), "Find".into());
        assert_ne!(before.fingerprint("it"), after.fingerprint("it"));
    }

    #[test]
    fn non_string_values_are_errors_with_line() {
        let err = parse_strings(Path::new("x.toml"), "[nav]\nhome = \"H\"\ncount = 3\n").unwrap_err();
        assert_eq!(err[0].line, 3);
    }

    #[test]
    fn plural_categories_follow_cldr() {
        assert_eq!(plural_categories("en"), ["one", "other"]);
        assert_eq!(plural_categories("pl"), ["one", "few", "many", "other"]);
        assert_eq!(plural_categories("zh"), ["other"]);
        assert_eq!(plural_categories("it"), ["one", "other"], "Italian `many` starts at a million");
        assert_eq!(plural_categories("x-unknown"), ["other"]);
        let pl: Vec<&str> = [1, 2, 5, 12, 22, 25, 101].iter().map(|&n| plural_category("pl", n)).collect();
        assert_eq!(pl, ["one", "few", "many", "many", "few", "many", "many"]);
        assert_eq!(plural_category("de", 1), "one");
    }

    #[test]
    fn plural_groups_need_the_languages_own_categories() {
        let en = parse_strings(
            Path::new("en.toml"),
            "[search.results]\none = \"{count} result\"\nother = \"{count} results\"\n[nav]\nhome = \"Home\"\n",
        )
        .unwrap();
        assert_eq!(plural_groups(&en), ["search.results"]);
        let pl: Vec<String> = needed_keys(&en, "pl").into_iter().collect();
        assert_eq!(
            pl,
            ["nav.home", "search.results.few", "search.results.many", "search.results.one", "search.results.other"]
        );
        let zh: Vec<String> = needed_keys(&en, "zh").into_iter().collect();
        assert_eq!(zh, ["nav.home", "search.results.other"]);
        let forms = plural_forms("pl", "search.results", |k| en.get(k).cloned());
        assert_eq!(forms["few"], "{count} results", "a missing form shows the other one");
        assert_eq!(language_name_in("en", "de"), Some("Englisch"));
        assert_eq!(language_name_in("en", "pt-BR"), Some("inglês"));
        assert_eq!(language_name_in("en", "xx"), None);
    }

    #[test]
    fn template_keys_are_found_and_checked() {
        let keys = template_keys(&[(
            "base.html".into(),
            "{{ t(key=\"nav.home\") }}\n{{ t(key=\"nav.search\") }} {{ t(key=\"nav.x\") }}".into(),
        )]);
        assert_eq!(keys["nav.search"], ("base.html".to_string(), 2));
        let s = strings();
        let diags = check_keys(&s, &["en".into(), "it".into()], &keys);
        let messages: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert!(messages.iter().any(|m| m.contains("it.toml") && m.contains("nav.search")), "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("en.toml") && m.contains("nav.x")), "{messages:?}");
        assert!(!messages.iter().any(|m| m.contains("nav.home")));
    }
}
