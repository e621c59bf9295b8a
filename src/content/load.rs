//! Reads `content/` from disk: discovers languages from folder names, reads every file (as
//! UTF-8, reporting the line of an invalid byte) and parses pages. The only reader of content.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use super::front_matter::parse_page;
use super::{digest, Asset, Content, DataFile, Page, SynonymsFile};
use crate::config::is_valid_language_code;
use crate::error::Diagnostic;

/// A page, data or strings file larger than this is an error, not minutes of work.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Reads a text file; invalid UTF-8, a file over `MAX_FILE_BYTES`, something that is not a
/// regular file (reading a FIFO would wait for ever) and I/O failures become diagnostics
/// naming the file.
pub fn read_text(path: &Path, display: &Path) -> Result<String, Diagnostic> {
    let meta = std::fs::metadata(path).map_err(|e| Diagnostic::error(display, 0, 0, format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(Diagnostic::error(display, 0, 0, "not a regular file (a folder, FIFO, socket or device)"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::error(
            display,
            0,
            0,
            format!(
                "{:.1} MB: a file may be at most {} MB (split it into several pages)",
                meta.len() as f64 / 1e6,
                MAX_FILE_BYTES / 1024 / 1024
            ),
        ));
    }
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

/// Why a walked entry that is not a folder is not read: `None` for a regular file or a link to
/// one; a reason for links to folders or to nothing, FIFOs, sockets and devices.
fn skipped_because(path: &Path, file_type: std::fs::FileType) -> Option<String> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_symlink() {
        return match std::fs::metadata(path) {
            Ok(target) if target.is_file() => None,
            Ok(_) => Some("a link to a folder is not followed: copy or move the folder into content/".into()),
            Err(_) => Some("a link to nothing (the file it points at does not exist): skipped".into()),
        };
    }
    Some("not a regular file (a FIFO, socket or device): skipped".into())
}

/// Files of one language whose paths differ only in case: on Windows and macOS they are one
/// file, and one of them would replace the other in a checkout or the built site.
fn case_collisions(files: &[(String, String, PathBuf)]) -> Vec<Diagnostic> {
    let mut seen: std::collections::HashMap<(String, String), &str> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for (lang, rel, _) in files {
        match seen.entry((lang.clone(), rel.to_lowercase())) {
            std::collections::hash_map::Entry::Occupied(first) => out.push(Diagnostic::warning(
                Path::new("content").join(lang).join(rel),
                0,
                0,
                format!(
                    "differs from `{}` only in upper and lower case: on Windows and macOS the two are one file",
                    first.get()
                ),
            )),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(rel);
            }
        }
    }
    out
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
                Ok(entry) if !entry.file_type().is_dir() => {
                    let rel = entry.path().strip_prefix(&lang_dir).unwrap_or(entry.path());
                    let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
                    let display = Path::new("content").join(lang).join(&rel);
                    match skipped_because(entry.path(), entry.file_type()) {
                        Some(why) => diagnostics.push(Diagnostic::warning(&display, 0, 0, why)),
                        None => files.push((lang.clone(), rel, entry.path().to_path_buf())),
                    }
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

    for (lang, rel, _) in &files {
        let lower = rel.to_lowercase();
        if (lower.ends_with(".md") && !rel.ends_with(".md")) || (lower.ends_with(".toml") && !rel.ends_with(".toml")) {
            let name = rel.rsplit('/').next().unwrap_or(rel);
            let fixed =
                name.rsplit_once('.').map_or(name.to_string(), |(stem, ext)| format!("{stem}.{}", ext.to_lowercase()));
            diagnostics.push(Diagnostic::warning(
                Path::new("content").join(lang).join(rel),
                0,
                0,
                format!("the extension is not lower case, so this is copied as a file, not read as content: rename it {fixed}"),
            ));
        }
    }
    diagnostics.extend(case_collisions(&files));

    enum Loaded {
        Page(Box<Page>),
        Data(DataFile),
        Asset(Asset),
        Synonyms(String, SynonymsFile),
    }
    /// A file that could not be loaded: its language, path and problems.
    type Failed = (String, String, Vec<Diagnostic>);
    let results: Vec<Result<Loaded, Failed>> = files
        .into_par_iter()
        .map(|(lang, rel_path, source)| {
            let display = Path::new("content").join(&lang).join(&rel_path);
            let failed = |d: Vec<Diagnostic>| (lang.clone(), rel_path.clone(), d);
            if rel_path.ends_with(".md") {
                let text = read_text(&source, &display).map_err(|d| failed(vec![d]))?;
                let parsed = parse_page(&display, &text).map_err(failed)?;
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
                let text = read_text(&source, &display).map_err(|d| failed(vec![d]))?;
                let groups = crate::search::synonyms::parse_synonyms(&display, &text).map_err(|d| failed(vec![d]))?;
                Ok(Loaded::Synonyms(lang, SynonymsFile { file: display, groups }))
            } else if rel_path.ends_with(".toml") {
                let text = read_text(&source, &display).map_err(|d| failed(vec![d]))?;
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
            Err((lang, rel_path, mut d)) => {
                diagnostics.append(&mut d);
                content.failed.insert((lang, rel_path));
            }
        }
    }
    content.languages = languages;
    (content, diagnostics)
}
