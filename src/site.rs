//! The loaded site: settings, languages, content, routes and UI strings, read from a root
//! folder in one step so that every later stage works on plain data.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::config::{parse_config, Config, Language};
use crate::content::load::{load_content, read_text};
use crate::content::routes::Routes;
use crate::content::Content;
use crate::error::Diagnostic;
use crate::i18n::{parse_strings, Strings};

/// Everything a build needs, read from disk.
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    /// The source language first, then the others by code.
    pub languages: Vec<Language>,
    pub content: Content,
    pub routes: Routes,
    pub strings: Strings,
    /// Share of the source pages each language has a translation of (current or stale), 0-100,
    /// as `portal i18n status` reports it.
    pub completeness: std::collections::BTreeMap<String, f64>,
    /// Each translation page (by index in `content.pages`) against its source, unit by unit.
    pub translation_states: std::collections::BTreeMap<usize, crate::translation_state::TranslationState>,
    assets: HashSet<(String, String)>,
}

impl Site {
    /// Reads `portal.toml`, `content/` and `i18n/` below `root`. Problems are collected, not
    /// fatal: the caller decides after every stage has had its say.
    pub fn load(root: &Path) -> (Site, Vec<Diagnostic>) {
        let (site, mut diagnostics, mut strings_diagnostics) = Site::load_parts(root);
        diagnostics.append(&mut strings_diagnostics);
        (site, diagnostics)
    }

    /// `load`, with the problems of the settings and content apart from those of the strings
    /// files (`serve` reloads only the strings when only they change).
    pub fn load_parts(root: &Path) -> (Site, Vec<Diagnostic>, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let config_path = root.join("portal.toml");
        let config_text = if config_path.exists() {
            match read_text(&config_path, Path::new("portal.toml")) {
                Ok(t) => Some(t),
                Err(d) => {
                    diagnostics.push(d);
                    None
                }
            }
        } else {
            None
        };
        let config = parse_config(Path::new("portal.toml"), config_text.as_deref()).unwrap_or_else(|d| {
            diagnostics.push(d);
            Config::default()
        });
        let (content, mut content_diagnostics) = load_content(root, &config.source_language);
        diagnostics.append(&mut content_diagnostics);
        if !content.languages.is_empty() && !content.languages.contains(&config.source_language) {
            diagnostics.push(Diagnostic::error(
                Path::new("content").join(&config.source_language),
                0,
                0,
                format!("the source language `{}` has no content folder", config.source_language),
            ));
        }
        let mut strings_diagnostics = Vec::new();
        let strings = load_strings(root, &config.source_language, &content.languages, &mut strings_diagnostics);
        let mut languages: Vec<Language> = content.languages.iter().map(|c| config.language(c)).collect();
        languages.sort_by_key(|l| (l.code != config.source_language, l.code.clone()));
        let routes = Routes::build(&content, &config.source_language);
        let source_page =
            |rel: &str| routes.by_path(&config.source_language, rel).is_some_and(|r| !routes.routes[r].fallback);
        diagnostics.extend(config.check_pages(&source_page));
        let assets = content.assets.iter().map(|a| (a.lang.clone(), a.rel_path.clone())).collect();
        let mut site = Site {
            root: root.to_path_buf(),
            config,
            languages,
            content,
            routes,
            strings,
            completeness: Default::default(),
            translation_states: Default::default(),
            assets,
        };
        site.refresh_translations();
        (site, diagnostics, strings_diagnostics)
    }

    /// Computes which translations are current, unit by unit, and each language's share of
    /// translated pages (again after pages were edited in place, as `serve` does).
    pub fn refresh_translations(&mut self) {
        self.translation_states = crate::translation_state::compute(self);
        // The same figure as `portal i18n status`: readers care whether a page exists in their
        // language, current or not.
        self.completeness =
            crate::translation_state::status(self, None).into_iter().map(|s| (s.lang, s.percent)).collect();
    }

    /// Reads `i18n/` again (the rest of the site unchanged); returns the strings' problems.
    pub fn reload_strings(&mut self) -> Vec<Diagnostic> {
        let mut diagnostics = Vec::new();
        self.strings =
            load_strings(&self.root, &self.config.source_language, &self.content.languages, &mut diagnostics);
        diagnostics
    }

    pub fn language(&self, code: &str) -> Language {
        self.config.language(code)
    }

    pub fn asset_exists(&self, lang: &str, rel_path: &str) -> bool {
        self.assets.contains(&(lang.to_string(), rel_path.to_string()))
    }

    pub fn language_codes(&self) -> Vec<String> {
        self.languages.iter().map(|l| l.code.clone()).collect()
    }
}

fn load_strings(root: &Path, source: &str, languages: &[String], diagnostics: &mut Vec<Diagnostic>) -> Strings {
    let mut strings = Strings { source_lang: source.to_string(), ..Strings::default() };
    let dir = root.join("i18n");
    let source_file = Path::new("i18n").join(format!("{source}.toml"));
    if !dir.join(format!("{source}.toml")).is_file() && !languages.is_empty() {
        // Every language falls back to these: without them the theme would show raw keys.
        diagnostics.push(Diagnostic::error(
            &source_file,
            0,
            0,
            format!("missing: the UI strings of the source language `{source}` (every language falls back to them)"),
        ));
    }
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return strings;
    };
    let mut files: Vec<PathBuf> =
        entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "toml")).collect();
    files.sort();
    for path in files {
        let lang = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let display = Path::new("i18n").join(path.file_name().unwrap_or_default());
        if !languages.contains(&lang) {
            diagnostics.push(Diagnostic::warning(
                &display,
                0,
                0,
                format!("no content/{lang}/ folder: these strings are not used"),
            ));
        }
        match read_text(&path, &display).map_err(|d| vec![d]).and_then(|text| parse_strings(&display, &text)) {
            Ok(map) => {
                strings.by_lang.insert(lang, map);
            }
            Err(mut d) => diagnostics.append(&mut d),
        }
    }
    strings
}
