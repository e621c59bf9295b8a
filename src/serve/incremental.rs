//! Incremental rebuilds for `portal serve`: the stages of `crate::build` run over a cache kept
//! between edits. Three paths:
//! - a body-only edit of existing pages re-renders those pages, their translations and
//!   fallbacks, and the tool pages;
//! - a change to templates, strings or theme files re-renders the pages whose template (or a
//!   template it extends or includes) changed and the pages of the languages whose strings
//!   changed, and copies the theme files;
//! - anything else runs every stage again, reusing the Markdown bodies whose inputs did not
//!   change; for content edits that keep the pages and routes (front matter, data, assets)
//!   it renders only the routes that show what changed (`stages::load_and_render`), for
//!   added, deleted or renamed pages and settings every route.
//!
//! Pages are written first; the search index of the languages whose documents changed follows
//! (`update_search`), so a reload need not wait for Tantivy. Once idle, the output folder holds
//! what `portal build` writes, byte for byte.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use super::disk::Disk;
use super::stages::{
    build_search_docs, build_search_language, docs_fingerprint, load_and_render, same_tool, BodyInputs, Snapshot,
};
use crate::content::front_matter::parse_page;
use crate::content::load::read_text;
use crate::error::{Diagnostic, Error};
use crate::output::OutputFile;
use crate::{feeds, render, templates, tools};

/// What a rebuild (or a search update) did, for the log and the open pages.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The errors that keep the last good site on screen, if any.
    pub failed: Option<Vec<String>>,
    /// One line for the log: what was rebuilt and how long it took.
    pub line: String,
    /// The pages this rebuild passed through their templates (output paths, sorted).
    pub rendered: Vec<String>,
}

impl Outcome {
    fn failed(lines: Vec<String>, line: String) -> Outcome {
        Outcome { failed: Some(lines), line, rendered: Vec::new() }
    }
}

/// Which sources a change touches, which decides how to rebuild.
enum Touched {
    Content,
    /// Templates, strings, and (if `statics`) the theme's static files.
    Theme {
        statics: bool,
    },
    Other,
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
    let errors = diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
    let errors = crate::error::in_reading_order(crate::templates::fold_render_failures(errors));
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    (!lines.is_empty()).then_some(lines)
}

/// The pages among `files` (what went through a template), sorted.
fn page_paths(files: &[OutputFile]) -> Vec<String> {
    let mut paths: Vec<String> = files.iter().filter(|f| f.path.ends_with(".html")).map(|f| f.path.clone()).collect();
    paths.sort();
    paths
}

/// What a theme change touched, for the log: "templates page.html (+6 using them); strings it;
/// theme files".
fn theme_change_summary(
    languages: &BTreeSet<String>,
    edited: &BTreeSet<String>,
    using: usize,
    statics: bool,
) -> String {
    let mut parts = Vec::new();
    if !edited.is_empty() {
        let names = edited.iter().cloned().collect::<Vec<_>>().join(", ");
        match using.saturating_sub(edited.len()) {
            0 => parts.push(format!("templates {names}")),
            more => parts.push(format!("templates {names} (+{more} using them)")),
        }
    }
    if !languages.is_empty() {
        parts.push(format!("strings {}", languages.iter().cloned().collect::<Vec<_>>().join(", ")));
    }
    if statics {
        parts.push("theme files".to_string());
    }
    if parts.is_empty() {
        parts.push("nothing that renders".to_string());
    }
    parts.join("; ")
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

    /// The output folder this engine writes.
    pub fn output(&self) -> &Path {
        &self.output
    }

    /// Some language's search files wait for `update_search`.
    pub fn search_pending(&self) -> bool {
        !self.search_dirty.is_empty()
    }

    /// Rebuilds after `changed` files changed (`None`: everything may have changed).
    pub fn rebuild(&mut self, changed: Option<&BTreeSet<PathBuf>>) -> Outcome {
        let started = Instant::now();
        let mut only_content = false;
        if let Some(changed) = changed {
            match self.touched(changed) {
                Touched::Content => {
                    if let Some(edits) = self.body_edits(changed) {
                        return self.apply_body_edits(edits, started);
                    }
                    only_content = true;
                }
                Touched::Theme { statics } => {
                    if let Some(outcome) = self.theme_edit(statics, started) {
                        return outcome;
                    }
                }
                Touched::Other => {}
            }
        }
        let reason = match changed {
            Some(c) => format!("{} changed", plural(c.len(), "file")),
            None => "start".to_string(),
        };
        self.full(&reason, started, only_content)
    }

    fn touched(&self, changed: &BTreeSet<PathBuf>) -> Touched {
        let Some(snapshot) = &self.snapshot else { return Touched::Other };
        let content = self.root.join("content");
        if changed.iter().all(|p| p.starts_with(&content)) {
            return Touched::Content;
        }
        let theme = self.root.join("themes").join(&snapshot.site.config.theme);
        let (templates, statics, strings) = (theme.join("templates"), theme.join("static"), self.root.join("i18n"));
        if changed.iter().all(|p| p.starts_with(&templates) || p.starts_with(&statics) || p.starts_with(&strings)) {
            return Touched::Theme { statics: changed.iter().any(|p| p.starts_with(&statics)) };
        }
        Touched::Other
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
            || content.synonyms.values().any(|s| s.file.starts_with(rel))
            || content.assets.iter().any(|a| a.source.starts_with(path))
    }

    /// The fast path: re-renders the edited pages' routes (own, fallbacks and translations, whose
    /// stale notices follow the source's digest) and the tool pages (their links check anchors
    /// of other pages), and writes what changed.
    fn apply_body_edits(&mut self, edits: Vec<(usize, crate::content::Page)>, started: Instant) -> Outcome {
        let Some(snapshot) = self.snapshot.as_mut() else {
            return self.full("no previous build", started, false);
        };
        let mut pages = BTreeSet::new();
        for (index, page) in edits {
            let old = &snapshot.site.content.pages[index];
            if old.body != page.body || old.body_line != page.body_line || old.digest != page.digest {
                snapshot.site.content.pages[index] = page;
                pages.insert(index);
            }
        }
        if !pages.is_empty() {
            // A source's edit can make its translations stale (or current again).
            snapshot.site.refresh_translations();
        }
        let site = &snapshot.site;
        let body_routes: Vec<usize> =
            site.routes.routes.iter().enumerate().filter(|(_, r)| pages.contains(&r.page)).map(|(i, _)| i).collect();
        snapshot.rerender_bodies(&body_routes);
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
        if snapshot.theme.is_none() {
            return self.full("no theme", started, false);
        }
        let targets: Vec<usize> = targets.into_iter().collect();
        let mut files = snapshot.render_routes(&targets);
        let rendered = page_paths(&files);
        let site = &snapshot.site;
        // Model documents are offered as Markdown: their download follows the body.
        files.extend(crate::model_document_downloads(site));
        let render_ms = started.elapsed().as_millis();
        let diagnostics = snapshot.diagnostics();
        if let Some(lines) = failed_lines(&diagnostics) {
            snapshot.written = false;
            snapshot.disk_theme = None;
            let line = format!("{} edited: {} error(s)", plural(pages.len(), "page"), lines.len());
            return Outcome::failed(lines, line);
        }
        let langs: Vec<String> = pages.iter().map(|&p| site.content.pages[p].lang.clone()).collect();
        let Some(disk) = self.disk.as_mut() else {
            return self.full("output not written yet", started, false);
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
                Outcome { failed: None, line, rendered }
            }
            Err(e) => self.write_failed(&e),
        }
    }

    fn write_failed(&mut self, e: &Error) -> Outcome {
        // What the folder holds is no longer known: the next build writes it afresh.
        self.disk = None;
        if let Some(s) = self.snapshot.as_mut() {
            s.written = false;
            s.disk_theme = None;
        }
        Outcome::failed(vec![e.to_string()], format!("cannot write the site: {e}"))
    }

    /// The theme path, for changes to templates, strings and theme files only: reloads the
    /// strings and the theme as `build` loads them, compares them with what the output folder
    /// was rendered with, and re-renders the pages whose template (or a template it extends,
    /// includes or imports) changed, the pages of the languages whose strings changed (and
    /// their Markdown bodies: callout labels), and copies the theme files. `None` when the
    /// output folder does not hold this content to start from.
    fn theme_edit(&mut self, statics: bool, started: Instant) -> Option<Outcome> {
        let snapshot = self.snapshot.as_mut().filter(|s| s.disk_theme.is_some())?;
        let disk = self.disk.as_mut()?;
        let on_disk = snapshot.disk_theme.take()?;
        let mut theme_diagnostics = snapshot.site.reload_strings();
        let loaded = crate::load_theme(&snapshot.site, &mut theme_diagnostics);
        if let Some(theme) = &loaded.theme {
            theme_diagnostics.extend(crate::missing_templates(&snapshot.site, theme, &loaded.display_dir));
        }
        snapshot.theme = loaded.theme;
        snapshot.theme_diagnostics = theme_diagnostics;
        // What is not rendered again renders as it did for the output folder: without errors.
        snapshot.route_errors.clear();
        snapshot.extra_errors.clear();
        snapshot.written = false;

        let site = &snapshot.site;
        let languages: BTreeSet<String> = site
            .language_codes()
            .into_iter()
            .filter(|l| on_disk.strings.fingerprint(l) != site.strings.fingerprint(l))
            .collect();
        let (edited, templates) = match &snapshot.theme {
            Some(theme) => {
                let edited = templates::changed_templates(&on_disk.sources, &theme.sources);
                let using = templates::templates_using(&theme.sources, &edited);
                (edited, using)
            }
            None => Default::default(),
        };
        let mut files = Vec::new();
        let mut bodies = Vec::new();
        let mut disk_tools = None;
        if failed_lines(&snapshot.theme_diagnostics).is_none() {
            snapshot.body_inputs = BodyInputs::of(site);
            bodies = (0..site.routes.routes.len())
                .into_par_iter()
                .filter(|&i| snapshot.body_inputs.key(site, i) != snapshot.body_keys[i])
                .collect();
            snapshot.rerender_bodies(&bodies);
            // Tool contexts are made from bodies (a failed attempt may have changed some).
            let tools = tools::load_tools(&snapshot.site, &snapshot.bodies);
            let tool_pages: Vec<usize> =
                (0..tools.routes.len()).filter(|&i| !same_tool(tools.route(i), snapshot.tools.route(i))).collect();
            disk_tools = Some(std::mem::replace(&mut snapshot.tools, tools));
            let site = &snapshot.site;
            let pages = &site.content.pages;
            let targets: Vec<usize> = (0..site.routes.routes.len())
                .filter(|&i| {
                    let route = &site.routes.routes[i];
                    languages.contains(&route.lang) || templates.contains(&render::template_for(&pages[route.page]))
                })
                .chain(bodies.iter().copied())
                .chain(tool_pages)
                .collect::<BTreeSet<usize>>()
                .into_iter()
                .collect();
            files = snapshot.render_routes(&targets);
            if let Some(theme) = &snapshot.theme {
                let want = |lang: &str, template: &str| languages.contains(lang) || templates.contains(template);
                for result in snapshot.site.render_extras(theme, &want) {
                    match result {
                        Ok(file) => files.push(file),
                        Err(d) => snapshot.extra_errors.push(d),
                    }
                }
            }
            files.extend(feeds::render_feeds(&snapshot.site));
        }
        let rendered = page_paths(&files);
        let what = theme_change_summary(&languages, &edited, templates.len(), statics);
        if let Some(lines) = failed_lines(&snapshot.diagnostics()) {
            // The folder still holds the last good rendering: the fix is compared with it.
            snapshot.disk_theme = Some(on_disk);
            if let Some(tools) = disk_tools {
                snapshot.tools = tools;
            }
            let line = format!("{what} changed: {} error(s)", lines.len());
            return Some(Outcome::failed(lines, line));
        }
        let copies = if statics { crate::static_copies(&snapshot.site, &loaded.theme_dir) } else { Vec::new() };
        let search: Vec<String> = bodies
            .iter()
            .map(|&i| &snapshot.site.routes.routes[i])
            .filter(|r| !r.fallback)
            .map(|r| r.lang.clone())
            .collect();
        match disk.apply(&files, &copies, |p| statics && p.starts_with("assets/")) {
            Ok(changes) => {
                snapshot.mark_written();
                self.search_dirty.extend(search);
                let line = format!(
                    "{what} changed: {} re-rendered ({} with their Markdown), {} written, {} removed in {} ms",
                    plural(rendered.len(), "page"),
                    bodies.len(),
                    plural(changes.written, "file"),
                    changes.removed,
                    started.elapsed().as_millis(),
                );
                Some(Outcome { failed: None, line, rendered })
            }
            Err(e) => Some(self.write_failed(&e)),
        }
    }

    /// The full path: every stage of `build`, Markdown bodies reused where their inputs are the
    /// same, and, when `only_content` changed and the pages and routes stayed the same, only
    /// the routes showing what changed rendered (`stages::load_and_render`). Pages are written
    /// in place; the search index follows in `update_search` (or right away when the folder is
    /// written afresh).
    fn full(&mut self, reason: &str, started: Instant, only_content: bool) -> Outcome {
        let previous = self.snapshot.take();
        let made = load_and_render(&self.root, previous, only_content && self.disk.is_some());
        let (snapshot, mut files, copies, unchanged) = (made.snapshot, made.files, made.copies, made.kept);
        let kept_languages = made.kept_languages;
        let diagnostics = snapshot.diagnostics();
        let pages = snapshot.site.routes.routes.len() - unchanged.len();
        let failed = failed_lines(&diagnostics);
        let languages = snapshot.site.language_codes();
        let rendered = page_paths(&files);
        self.snapshot = Some(snapshot);
        if let Some(lines) = failed {
            let line = format!("full rebuild ({reason}): {} error(s)", lines.len());
            return Outcome::failed(lines, line);
        }
        let result = match self.disk.as_mut() {
            Some(disk) => {
                // Search files stay until their language's index is rebuilt; those of a language
                // that is gone go now.
                let kept = |p: &str| languages.iter().any(|l| p.starts_with(&format!("search/{l}/")));
                self.search_dirty.extend(languages.iter().cloned());
                self.search_built.retain(|l, _| languages.contains(l));
                let site = self.snapshot.as_ref().map(|s| &s.site);
                let current = |p: &str| {
                    unchanged.contains(p)
                        || site.and_then(|s| s.extra_page_language(p)).is_some_and(|l| kept_languages.contains(l))
                };
                disk.apply(&files, &copies, |p| !kept(p) && !current(p))
                    .map(|c| format!("{} written, {} removed", plural(c.written, "file"), c.removed))
            }
            None => {
                // A fresh folder, swapped in whole, as `build` writes it: search included.
                self.search_dirty.clear();
                self.search_built.clear();
                let Some(snapshot) = self.snapshot.as_ref() else {
                    return Outcome::default();
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
                            return Outcome::failed(vec![message.clone()], message);
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
                    s.mark_written();
                }
                let line = format!(
                    "full rebuild ({reason}): {pages} pages rendered, {written} in {} ms",
                    started.elapsed().as_millis()
                );
                Outcome { failed: None, line, rendered }
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
                    return Some(Outcome::failed(vec![message.clone()], message));
                }
            }
        }
        (!updated.is_empty()).then(|| Outcome {
            line: format!("search {} updated in {} ms", updated.join(", "), started.elapsed().as_millis()),
            ..Outcome::default()
        })
    }
}
