//! Incremental rebuilds for `portal serve`: the stages of `crate::build` run over a cache kept
//! between edits. A body-only edit of existing pages re-renders those pages, their translations
//! and fallbacks, and the tool pages; anything else (front matter, added, deleted or renamed
//! files, templates, strings, settings, assets) runs every stage again, reusing the Markdown
//! bodies whose inputs did not change. Pages are written first; the search index of the
//! languages whose documents changed follows (`update_search`), so a reload need not wait for
//! Tantivy. Once idle, the output folder holds what `portal build` writes, byte for byte.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use super::disk::Disk;
use super::stages::{
    body_key, build_search_docs, build_search_language, docs_fingerprint, load_and_render, render_one, same_tool,
    Snapshot,
};
use crate::content::front_matter::parse_page;
use crate::content::load::read_text;
use crate::error::{Diagnostic, Error};
use crate::markdown::Rendered;
use crate::output::OutputFile;
use crate::{render, tools};

/// What a rebuild (or a search update) did, for the log and the open pages.
pub struct Outcome {
    /// The errors that keep the last good site on screen, if any.
    pub failed: Option<Vec<String>>,
    /// One line for the log: what was rebuilt and how long it took.
    pub line: String,
}

/// The rebuild engine of one served site.
pub struct Engine {
    root: PathBuf,
    output: PathBuf,
    snapshot: Option<Snapshot>,
    /// What the output folder holds; `None` until a build was written, or after a failed write
    /// (the next build then writes a fresh folder and swaps it in, as `build` does).
    disk: Option<Disk>,
    /// Languages whose search files may be out of date.
    search_dirty: BTreeSet<String>,
    /// Fingerprint of the documents (and analyzer) each language's search files were built from.
    search_built: BTreeMap<String, u64>,
}

fn failed_lines(diagnostics: &[Diagnostic]) -> Option<Vec<String>> {
    let lines: Vec<String> = diagnostics.iter().filter(|d| d.is_error()).map(ToString::to_string).collect();
    (!lines.is_empty()).then_some(lines)
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

impl Engine {
    pub fn new(root: &Path, output: &Path) -> Engine {
        Engine {
            root: root.to_path_buf(),
            output: output.to_path_buf(),
            snapshot: None,
            disk: None,
            search_dirty: BTreeSet::new(),
            search_built: BTreeMap::new(),
        }
    }

    /// Some language's search files wait for `update_search`.
    pub fn search_pending(&self) -> bool {
        !self.search_dirty.is_empty()
    }

    /// Rebuilds after `changed` files changed (`None`: everything may have changed).
    pub fn rebuild(&mut self, changed: Option<&BTreeSet<PathBuf>>) -> Outcome {
        let started = Instant::now();
        if let Some(edits) = changed.and_then(|c| self.body_edits(c)) {
            return self.apply_body_edits(edits, started);
        }
        let reason = match changed {
            Some(c) => format!("{} changed", plural(c.len(), "file")),
            None => "start".to_string(),
        };
        self.full(&reason, started)
    }

    /// The edits in `changed` if every one of them only changes the body of an existing page
    /// (front matter equal); `None` sends the change down the full path.
    fn body_edits(&self, changed: &BTreeSet<PathBuf>) -> Option<Vec<(usize, crate::content::Page)>> {
        let snapshot = self.snapshot.as_ref().filter(|s| s.written && s.rendered && self.disk.is_some())?;
        let content_dir = self.root.join("content");
        let mut edits = Vec::new();
        for path in changed {
            if path.starts_with(&content_dir) && !path.exists() && !self.had(snapshot, path) {
                // An editor's temporary file, written and renamed (or removed) already.
                continue;
            }
            let rel = path.strip_prefix(&content_dir).ok()?;
            let mut parts = rel.components().map(|c| c.as_os_str().to_str());
            let lang = parts.next()??;
            let rel_path = parts.collect::<Option<Vec<&str>>>()?.join("/");
            let index = snapshot.site.content.pages.iter().position(|p| p.lang == lang && p.rel_path == rel_path)?;
            let old = &snapshot.site.content.pages[index];
            let text = read_text(path, &old.file).ok()?;
            let parsed = parse_page(&old.file, &text).ok()?;
            if parsed.front != old.front {
                return None;
            }
            let digest = if lang == snapshot.site.config.source_language {
                crate::content::digest(&text)
            } else {
                String::new()
            };
            let page = crate::content::Page { body: parsed.body, body_line: parsed.body_line, digest, ..old.clone() };
            edits.push((index, page));
        }
        Some(edits)
    }

    /// Whether the last build knew `path` (below `content/`) or something below it: a language
    /// folder, a page, a data file, an asset.
    fn had(&self, snapshot: &Snapshot, path: &Path) -> bool {
        let content = &snapshot.site.content;
        let Ok(rel) = path.strip_prefix(&self.root) else { return true };
        content.languages.iter().any(|l| Path::new("content").join(l).starts_with(rel))
            || content.pages.iter().any(|p| p.file.starts_with(rel))
            || content.data.iter().any(|d| d.file.starts_with(rel))
            || content.assets.iter().any(|a| a.source.starts_with(path))
    }

    /// The fast path: re-renders the edited pages' routes (own, fallbacks and translations, whose
    /// stale notices follow the source's digest) and the tool pages (their links check anchors
    /// of other pages), and writes what changed.
    fn apply_body_edits(&mut self, edits: Vec<(usize, crate::content::Page)>, started: Instant) -> Outcome {
        let Some(snapshot) = self.snapshot.as_mut() else {
            return self.full("no previous build", started);
        };
        let mut pages = BTreeSet::new();
        for (index, page) in edits {
            let old = &snapshot.site.content.pages[index];
            if old.body != page.body || old.body_line != page.body_line || old.digest != page.digest {
                snapshot.site.content.pages[index] = page;
                pages.insert(index);
            }
        }
        let site = &snapshot.site;
        let body_routes: Vec<usize> =
            site.routes.routes.iter().enumerate().filter(|(_, r)| pages.contains(&r.page)).map(|(i, _)| i).collect();
        let bodies: Vec<(usize, Rendered, u64)> = body_routes
            .par_iter()
            .map(|&i| (i, render::render_body(site, i), body_key(site, i, snapshot.links)))
            .collect();
        for (i, body, key) in bodies {
            snapshot.bodies[i] = body;
            snapshot.body_keys[i] = key;
        }
        let markdown_ms = started.elapsed().as_millis();
        let mut targets: BTreeSet<usize> = body_routes.iter().copied().collect();
        if !pages.is_empty() {
            // A tool's context checks links against other pages' anchors: re-render the tool
            // pages whose context changed.
            let tools = tools::load_tools(&snapshot.site, &snapshot.bodies);
            targets.extend((0..tools.routes.len()).filter(|&i| !same_tool(tools.route(i), snapshot.tools.route(i))));
            snapshot.tools = tools;
        }
        let site = &snapshot.site;
        for &p in &pages {
            let key = site.content.pages[p].translation_key();
            targets.extend(site.languages.iter().filter_map(|l| site.routes.by_key(&l.code, key)));
        }
        let tools_ms = started.elapsed().as_millis();
        let Some(theme) = snapshot.theme.as_ref() else {
            return self.full("no theme", started);
        };
        let targets: Vec<usize> = targets.into_iter().collect();
        let rendered: Vec<(usize, std::result::Result<OutputFile, Diagnostic>)> =
            targets.par_iter().map(|&i| (i, render_one(site, theme, &snapshot.bodies, &snapshot.tools, i))).collect();
        let mut files = Vec::new();
        for (i, result) in rendered {
            snapshot.route_errors.remove(&i);
            match result {
                Ok(file) => files.push(file),
                Err(d) => {
                    snapshot.route_errors.insert(i, d);
                }
            }
        }
        // Model documents are offered as Markdown: their download follows the body.
        files.extend(crate::model_document_downloads(site));
        let render_ms = started.elapsed().as_millis();
        let diagnostics = snapshot.diagnostics();
        if let Some(lines) = failed_lines(&diagnostics) {
            snapshot.written = false;
            let line = format!("{} edited: {} error(s)", plural(pages.len(), "page"), lines.len());
            return Outcome { failed: Some(lines), line };
        }
        let langs: Vec<String> = pages.iter().map(|&p| site.content.pages[p].lang.clone()).collect();
        let Some(disk) = self.disk.as_mut() else {
            return self.full("output not written yet", started);
        };
        match disk.apply(&files, &[], |_| false) {
            Ok(changes) => {
                self.search_dirty.extend(langs);
                let line = format!(
                    "{} edited: {} re-rendered, {} written in {} ms (markdown {markdown_ms}, tools {}, render {}, \
                     check and write {})",
                    plural(pages.len(), "page"),
                    plural(targets.len(), "page"),
                    plural(changes.written, "file"),
                    started.elapsed().as_millis(),
                    tools_ms - markdown_ms,
                    render_ms - tools_ms,
                    started.elapsed().as_millis() - render_ms,
                );
                Outcome { failed: None, line }
            }
            Err(e) => self.write_failed(&e),
        }
    }

    fn write_failed(&mut self, e: &Error) -> Outcome {
        // What the folder holds is no longer known: the next build writes it afresh.
        self.disk = None;
        if let Some(s) = self.snapshot.as_mut() {
            s.written = false;
        }
        Outcome { failed: Some(vec![e.to_string()]), line: format!("cannot write the site: {e}") }
    }

    /// The full path: every stage of `build`, Markdown bodies reused where their inputs are the
    /// same. Pages are written in place; the search index follows in `update_search` (or right
    /// away when the folder is written afresh).
    fn full(&mut self, reason: &str, started: Instant) -> Outcome {
        let previous = self.snapshot.take();
        let (snapshot, mut files, copies) = load_and_render(&self.root, previous);
        let diagnostics = snapshot.diagnostics();
        let pages = snapshot.site.routes.routes.len();
        let failed = failed_lines(&diagnostics);
        let languages = snapshot.site.language_codes();
        self.snapshot = Some(snapshot);
        if let Some(lines) = failed {
            let line = format!("full rebuild ({reason}): {} error(s)", lines.len());
            return Outcome { failed: Some(lines), line };
        }
        let result = match self.disk.as_mut() {
            Some(disk) => {
                // Search files stay until their language's index is rebuilt; those of a language
                // that is gone go now.
                let kept = |p: &str| languages.iter().any(|l| p.starts_with(&format!("search/{l}/")));
                self.search_dirty.extend(languages.iter().cloned());
                self.search_built.retain(|l, _| languages.contains(l));
                disk.apply(&files, &copies, |p| !kept(p))
                    .map(|c| format!("{} written, {} removed", plural(c.written, "file"), c.removed))
            }
            None => {
                // A fresh folder, swapped in whole, as `build` writes it: search included.
                self.search_dirty.clear();
                self.search_built.clear();
                let Some(snapshot) = self.snapshot.as_ref() else {
                    return Outcome { failed: None, line: String::new() };
                };
                let mut search_files = Vec::new();
                for lang in &languages {
                    match build_search_language(&snapshot.site, &snapshot.bodies, lang) {
                        Ok((print, mut f)) => {
                            self.search_built.insert(lang.clone(), print);
                            search_files.append(&mut f);
                        }
                        Err(e) => {
                            let message = Diagnostic::error("search", 0, 0, e.to_string()).to_string();
                            return Outcome { failed: Some(vec![message.clone()]), line: message };
                        }
                    }
                }
                files.append(&mut search_files);
                crate::output::write_site(&self.output, &files, &copies).map(|()| {
                    self.disk = Some(Disk::recorded(&self.output, &files, &copies));
                    format!("{} written", plural(files.len() + copies.len(), "file"))
                })
            }
        };
        match result {
            Ok(written) => {
                if let Some(s) = self.snapshot.as_mut() {
                    s.written = true;
                }
                let line = format!(
                    "full rebuild ({reason}): {pages} pages, {written} in {} ms",
                    started.elapsed().as_millis()
                );
                Outcome { failed: None, line }
            }
            Err(e) => self.write_failed(&e),
        }
    }

    /// Rebuilds the search files of the languages whose documents changed since they were
    /// built; `None` when there was nothing to do.
    pub fn update_search(&mut self) -> Option<Outcome> {
        let dirty = std::mem::take(&mut self.search_dirty);
        let snapshot = self.snapshot.as_ref().filter(|s| s.written)?;
        let disk = self.disk.as_mut()?;
        let started = Instant::now();
        let mut updated = Vec::new();
        for lang in dirty {
            let docs = crate::search_docs(&snapshot.site, &snapshot.bodies, &lang);
            let print = docs_fingerprint(&snapshot.site, &lang, &docs);
            if self.search_built.get(&lang) == Some(&print) {
                continue;
            }
            let prefix = format!("search/{lang}/");
            let result = build_search_docs(&snapshot.site, &lang, &docs)
                .and_then(|files| disk.apply(&files, &[], |p| p.starts_with(&prefix)));
            match result {
                Ok(_) => {
                    self.search_built.insert(lang.clone(), print);
                    updated.push(lang);
                }
                Err(e) => {
                    self.search_built.remove(&lang);
                    let message = Diagnostic::error("search", 0, 0, e.to_string()).to_string();
                    return Some(Outcome { failed: Some(vec![message.clone()]), line: message });
                }
            }
        }
        (!updated.is_empty()).then(|| Outcome {
            failed: None,
            line: format!("search {} updated in {} ms", updated.join(", "), started.elapsed().as_millis()),
        })
    }
}
