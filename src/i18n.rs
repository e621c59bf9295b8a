//! UI strings: `i18n/<lang>.toml` -> flat `section.key` maps, with lookups that fall back to the
//! source language, and the static check that every key the theme uses exists in every language.

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

/// Keys used literally in templates as `t(key="...")`, with the template and line of first use.
pub fn template_keys(templates: &[(String, String)]) -> BTreeMap<String, (String, usize)> {
    let mut keys = BTreeMap::new();
    for (name, text) in templates {
        for (line_no, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(i) = rest.find("t(key=\"") {
                rest = &rest[i + 7..];
                if let Some(end) = rest.find('"') {
                    // `t(key="kind." ~ page.kind)` builds the key at render time: not checkable here.
                    if !rest[..end].ends_with('.') {
                        keys.entry(rest[..end].to_string()).or_insert((name.clone(), line_no + 1));
                    }
                    rest = &rest[end..];
                }
            }
        }
    }
    keys
}

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
