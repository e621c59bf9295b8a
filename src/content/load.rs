//! Reads `content/` from disk: discovers languages from folder names, reads every file (as
//! UTF-8, reporting the line of an invalid byte) and parses pages. The only reader of content.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use super::front_matter::parse_page;
use super::{digest, Asset, Content, DataFile, Page, SynonymsFile};
use crate::config::is_valid_language_code;
use crate::error::Diagnostic;

/// Reads a text file; invalid UTF-8 and I/O failures become diagnostics naming the file.
pub fn read_text(path: &Path, display: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| Diagnostic::error(display, 0, 0, format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&valid[line_start..]).chars().count() + 1;
        Diagnostic::error(display, line, column, "invalid UTF-8: save the file as UTF-8")
    })
}

/// Editor droppings and hidden files are not content, templates or theme files.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~') || name.starts_with('#')
}

/// Loads every language folder under `<root>/content`; pages of `source_lang` get a digest.
pub fn load_content(root: &Path, source_lang: &str) -> (Content, Vec<Diagnostic>) {
    let content_dir = root.join("content");
    let mut content = Content::default();
    let mut diagnostics = Vec::new();
    let entries = match std::fs::read_dir(&content_dir) {
        Ok(entries) => entries,
        Err(e) => {
            diagnostics.push(Diagnostic::error("content", 0, 0, format!("cannot read the content folder: {e}")));
            return (content, diagnostics);
        }
    };
    let mut languages: Vec<String> = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_ignored(&name) || !entry.path().is_dir() {
            continue;
        }
        if is_valid_language_code(&name) {
            languages.push(name);
        } else {
            diagnostics.push(Diagnostic::error(
                Path::new("content").join(&name),
                0,
                0,
                format!("`{name}` is not a language code: content folders are named like en, it, pt-BR"),
            ));
        }
    }
    languages.sort();

    let mut files: Vec<(String, String, PathBuf)> = Vec::new();
    for lang in &languages {
        let lang_dir = content_dir.join(lang);
        let walker = WalkDir::new(&lang_dir)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_ignored(&e.file_name().to_string_lossy()));
        for entry in walker {
            match entry {
                Ok(entry) if entry.file_type().is_file() => {
                    let rel = entry.path().strip_prefix(&lang_dir).unwrap_or(entry.path());
                    let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
                    files.push((lang.clone(), rel, entry.path().to_path_buf()));
                }
                Ok(_) => {}
                Err(e) => diagnostics.push(Diagnostic::error(
                    e.path().map_or_else(|| lang_dir.clone(), Path::to_path_buf),
                    0,
                    0,
                    format!("cannot read: {e}"),
                )),
            }
        }
    }

    enum Loaded {
        Page(Box<Page>),
        Data(DataFile),
        Asset(Asset),
        Synonyms(String, SynonymsFile),
    }
    let results: Vec<Result<Loaded, Vec<Diagnostic>>> = files
        .into_par_iter()
        .map(|(lang, rel_path, source)| {
            let display = Path::new("content").join(&lang).join(&rel_path);
            if rel_path.ends_with(".md") {
                let text = read_text(&source, &display).map_err(|d| vec![d])?;
                let parsed = parse_page(&display, &text)?;
                // Translations are compared with their source's digest; their own is not needed.
                let digest = if lang == source_lang { digest(&text) } else { String::new() };
                Ok(Loaded::Page(Box::new(Page {
                    lang,
                    rel_path,
                    file: display,
                    front: parsed.front,
                    body: parsed.body,
                    body_line: parsed.body_line,
                    digest,
                })))
            } else if rel_path == crate::search::synonyms::CONTENT_FILE {
                let text = read_text(&source, &display).map_err(|d| vec![d])?;
                let groups = crate::search::synonyms::parse_synonyms(&display, &text).map_err(|d| vec![d])?;
                Ok(Loaded::Synonyms(lang, SynonymsFile { file: display, groups }))
            } else if rel_path.ends_with(".toml") {
                let text = read_text(&source, &display).map_err(|d| vec![d])?;
                Ok(Loaded::Data(DataFile { lang, rel_path, file: display, text }))
            } else {
                Ok(Loaded::Asset(Asset { lang, rel_path, source }))
            }
        })
        .collect();
    for result in results {
        match result {
            Ok(Loaded::Page(p)) => content.pages.push(*p),
            Ok(Loaded::Data(d)) => content.data.push(d),
            Ok(Loaded::Asset(a)) => content.assets.push(a),
            Ok(Loaded::Synonyms(lang, file)) => {
                content.synonyms.insert(lang, file);
            }
            Err(mut d) => diagnostics.append(&mut d),
        }
    }
    content.languages = languages;
    (content, diagnostics)
}
