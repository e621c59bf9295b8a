//! Site settings: `portal.toml` -> `Config`, and the built-in defaults that let a language exist
//! with no settings at all (its autonym, text direction and search analyzer come from its code).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

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
    /// The portal's name in this language (the header, page titles, feeds); `title` when absent.
    pub title: Option<String>,
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
    /// Who publishes the portal, shown by the theme in every language.
    pub publisher: Option<Publisher>,
    /// The pages the theme links from every page (emergency route, footer).
    pub pages: SitePages,
    /// The text of portal.toml, for the lines of problems found after parsing.
    #[serde(skip)]
    pub text: String,
}

/// `[publisher]`: who publishes the portal and how readers reach them. Shown in the footer and
/// on the about page of every language, in the words written here (one text for all languages:
/// names and addresses do not translate).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Publisher {
    /// The organisation that publishes the portal.
    pub name: String,
    /// How to reach it: an e-mail address (`mailto:...`), a web address (`https://...`) or text.
    pub contact: String,
    /// How readers report an error or an accessibility barrier; the contact when absent.
    pub report_error: Option<String>,
}

/// `[pages]`: paths below `content/<lang>/` of the pages the theme links from every page of
/// every language. Each must be a page of the source language (`portal check` says so).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SitePages {
    /// Whom to call in an emergency: the header's "Under attack?" link.
    pub help: Option<Spanned<String>>,
    /// What to do in the first hour of an incident: the header's second emergency link.
    pub first_hour: Option<Spanned<String>>,
    /// Who publishes the portal and why (also shows the `[publisher]` details).
    pub about: Option<Spanned<String>>,
    /// The accessibility statement (Directive (EU) 2016/2102).
    pub accessibility: Option<Spanned<String>>,
    /// The privacy notice: what the tools keep on the device.
    pub privacy: Option<Spanned<String>>,
}

/// One of the `[pages]` entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SitePage {
    Help,
    FirstHour,
    About,
    Accessibility,
    Privacy,
}

impl SitePage {
    pub const ALL: [SitePage; 5] =
        [SitePage::Help, SitePage::FirstHour, SitePage::About, SitePage::Accessibility, SitePage::Privacy];

    /// The key in `portal.toml` and in the template context.
    pub fn key(self) -> &'static str {
        match self {
            SitePage::Help => "help",
            SitePage::FirstHour => "first_hour",
            SitePage::About => "about",
            SitePage::Accessibility => "accessibility",
            SitePage::Privacy => "privacy",
        }
    }
}

impl SitePages {
    /// The configured path of `which`, if any.
    pub fn get(&self, which: SitePage) -> Option<&Spanned<String>> {
        match which {
            SitePage::Help => self.help.as_ref(),
            SitePage::FirstHour => self.first_hour.as_ref(),
            SitePage::About => self.about.as_ref(),
            SitePage::Accessibility => self.accessibility.as_ref(),
            SitePage::Privacy => self.privacy.as_ref(),
        }
    }

    /// True if `rel_path` (below `content/<lang>/`) is one of the configured pages.
    pub fn contains(&self, rel_path: &str) -> bool {
        SitePage::ALL.iter().any(|&p| self.get(p).is_some_and(|s| s.get_ref() == rel_path))
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Health Cyber Portal".into(),
            base_url: "https://portal.example/".into(),
            source_language: "en".into(),
            theme: "default".into(),
            languages: BTreeMap::new(),
            publisher: None,
            pages: SitePages::default(),
            text: String::new(),
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
    config.text = text.to_string();
    Ok(config)
}

impl Config {
    /// The portal's name in `lang`: `[languages.<lang>] title`, else `title`.
    pub fn site_title(&self, lang: &str) -> &str {
        self.languages.get(lang).and_then(|l| l.title.as_deref()).unwrap_or(&self.title)
    }

    /// The path part of `base_url` (`/` or `/portal/`): where the site's root is on its host.
    /// Only pages a host serves at any URL (404) need it; every other page links relatively.
    pub fn base_path(&self) -> String {
        let after_scheme = self.base_url.split_once("://").map_or(self.base_url.as_str(), |(_, rest)| rest);
        match after_scheme.find('/') {
            Some(i) => after_scheme[i..].to_string(),
            None => "/".to_string(),
        }
    }

    /// Warnings for `[pages]` entries that name no page of the source language (`exists`
    /// tells whether a path below `content/<source>/` is a page), at their line in portal.toml.
    /// Warnings, not errors: the theme then leaves that link out, and a settings file can serve
    /// a corpus without those pages (the benchmarks do); `--strict` makes them fail.
    pub fn check_pages(&self, exists: &dyn Fn(&str) -> bool) -> Vec<Diagnostic> {
        SitePage::ALL
            .iter()
            .filter_map(|&which| {
                let path = self.pages.get(which)?;
                if exists(path.get_ref()) {
                    return None;
                }
                let (line, column) = line_col(&self.text, path.span().start);
                Some(Diagnostic::warning(
                    "portal.toml",
                    line,
                    column,
                    format!(
                        "[pages] {} = \"{}\": no page content/{}/{} (the theme leaves its link out)",
                        which.key(),
                        path.get_ref(),
                        self.source_language,
                        path.get_ref()
                    ),
                ))
            })
            .collect()
    }
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
            .insert("it".into(), LanguageSettings { name: Some("Italiano (IT)".into()), ..Default::default() });
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
