//! Site settings: `portal.toml` -> `Config`, and the built-in defaults that let a language exist
//! with no settings at all (its autonym, text direction and search analyzer come from its code).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{line_col, Diagnostic};

/// Text direction of a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// Per-language overrides in `portal.toml` (`[languages.pt-BR] name = "Português (Brasil)"`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageSettings {
    pub name: Option<String>,
    pub dir: Option<Direction>,
    /// Search analyzer: a language code whose stemmer to use (`de`), `cjk` or `folded`.
    pub analyzer: Option<String>,
}

/// `portal.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub title: String,
    /// Absolute URL the site is published at; used only where a format requires absolute URLs
    /// (sitemap, Atom feeds). Pages link relatively so the site also works from disk.
    pub base_url: String,
    pub source_language: String,
    pub theme: String,
    pub languages: BTreeMap<String, LanguageSettings>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Health Cyber Portal".into(),
            base_url: "https://portal.example/".into(),
            source_language: "en".into(),
            theme: "default".into(),
            languages: BTreeMap::new(),
        }
    }
}

/// A language of the site, resolved from its code, the built-in table and `portal.toml`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Language {
    pub code: String,
    /// The language's name in itself (autonym), as shown in the language switcher.
    pub name: String,
    pub dir: Direction,
}

/// Autonyms and directions of the EU languages and a few others the portal's readers use.
const KNOWN_LANGUAGES: &[(&str, &str, Direction)] = &[
    ("ar", "العربية", Direction::Rtl),
    ("bg", "Български", Direction::Ltr),
    ("cs", "Čeština", Direction::Ltr),
    ("da", "Dansk", Direction::Ltr),
    ("de", "Deutsch", Direction::Ltr),
    ("el", "Ελληνικά", Direction::Ltr),
    ("en", "English", Direction::Ltr),
    ("es", "Español", Direction::Ltr),
    ("et", "Eesti", Direction::Ltr),
    ("fa", "فارسی", Direction::Rtl),
    ("fi", "Suomi", Direction::Ltr),
    ("fr", "Français", Direction::Ltr),
    ("ga", "Gaeilge", Direction::Ltr),
    ("he", "עברית", Direction::Rtl),
    ("hr", "Hrvatski", Direction::Ltr),
    ("hu", "Magyar", Direction::Ltr),
    ("it", "Italiano", Direction::Ltr),
    ("ja", "日本語", Direction::Ltr),
    ("ko", "한국어", Direction::Ltr),
    ("lt", "Lietuvių", Direction::Ltr),
    ("lv", "Latviešu", Direction::Ltr),
    ("mt", "Malti", Direction::Ltr),
    ("nl", "Nederlands", Direction::Ltr),
    ("pl", "Polski", Direction::Ltr),
    ("pt", "Português", Direction::Ltr),
    ("pt-BR", "Português (Brasil)", Direction::Ltr),
    ("ro", "Română", Direction::Ltr),
    ("ru", "Русский", Direction::Ltr),
    ("sk", "Slovenčina", Direction::Ltr),
    ("sl", "Slovenščina", Direction::Ltr),
    ("sv", "Svenska", Direction::Ltr),
    ("tr", "Türkçe", Direction::Ltr),
    ("uk", "Українська", Direction::Ltr),
    ("ur", "اردو", Direction::Rtl),
    ("zh", "中文", Direction::Ltr),
    ("zh-Hant", "中文（繁體）", Direction::Ltr),
];

/// True for the BCP 47 shapes this portal accepts as folder names: a 2-3 letter lowercase
/// language subtag, optionally followed by a script (`Hant`) or region (`BR`, `419`) subtag.
pub fn is_valid_language_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let Some(primary) = parts.next() else {
        return false;
    };
    if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_lowercase()) {
        return false;
    }
    let rest: Vec<&str> = parts.collect();
    if rest.len() > 2 {
        return false;
    }
    rest.iter().all(|p| {
        let script =
            p.len() == 4 && p.as_bytes()[0].is_ascii_uppercase() && p.bytes().skip(1).all(|b| b.is_ascii_lowercase());
        let region = (p.len() == 2 && p.bytes().all(|b| b.is_ascii_uppercase()))
            || (p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()));
        script || region
    })
}

impl Config {
    /// Resolves a language code to its name and direction: `portal.toml` first, then the
    /// built-in table (by full code, then by primary subtag), then the code itself.
    pub fn language(&self, code: &str) -> Language {
        let primary = code.split('-').next().unwrap_or(code);
        let known = KNOWN_LANGUAGES
            .iter()
            .find(|(c, _, _)| *c == code)
            .or_else(|| KNOWN_LANGUAGES.iter().find(|(c, _, _)| *c == primary));
        let settings = self.languages.get(code).cloned().unwrap_or_default();
        Language {
            code: code.to_string(),
            name: settings.name.or_else(|| known.map(|k| k.1.to_string())).unwrap_or_else(|| code.to_string()),
            dir: settings.dir.or(known.map(|k| k.2)).unwrap_or(Direction::Ltr),
        }
    }
}

/// Parses `portal.toml`; a missing file means the defaults.
pub fn parse_config(path: &Path, text: Option<&str>) -> Result<Config, Diagnostic> {
    let Some(text) = text else {
        return Ok(Config::default());
    };
    let mut config: Config = toml::from_str(text).map_err(|e| toml_diagnostic(path, text, 0, &e))?;
    if !config.base_url.ends_with('/') {
        config.base_url.push('/');
    }
    Ok(config)
}

/// Turns a TOML error into a diagnostic at its line; `line_offset` is the number of lines of
/// the file that precede the TOML text (front matter starts after the `+++` line).
pub fn toml_diagnostic(path: &Path, text: &str, line_offset: usize, error: &toml::de::Error) -> Diagnostic {
    let (line, column) = error.span().map_or((1, 0), |span| line_col(text, span.start));
    let message = error.message().trim().replace('\n', " ");
    Diagnostic::error(path, line + line_offset, column, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_follow_bcp47_shapes() {
        for good in ["en", "it", "pt-BR", "zh-Hant", "es-419", "fil"] {
            assert!(is_valid_language_code(good), "{good}");
        }
        for bad in ["", "EN", "english", "pt_BR", "pt-br", "e", "zh-hant", "en-", "a-b-c-d"] {
            assert!(!is_valid_language_code(bad), "{bad}");
        }
    }

    #[test]
    fn languages_get_autonym_and_direction_with_overrides() {
        let mut config = Config::default();
        assert_eq!(config.language("it").name, "Italiano");
        assert_eq!(config.language("he").dir, Direction::Rtl);
        assert_eq!(config.language("pt-PT").name, "Português");
        assert_eq!(config.language("xx").name, "xx");
        config
            .languages
            .insert("it".into(), LanguageSettings { name: Some("Italiano (IT)".into()), dir: None, analyzer: None });
        assert_eq!(config.language("it").name, "Italiano (IT)");
    }

    #[test]
    fn unknown_config_key_names_the_line() {
        let text = "title = \"x\"\nbase_urll = \"y\"\n";
        let err = parse_config(Path::new("portal.toml"), Some(text)).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("base_urll"), "{}", err.message);
    }
}
