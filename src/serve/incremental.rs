//! Incremental rebuilds for `portal serve`: the stages of `crate::build` run over a cache kept
//! between edits. A body-only edit of existing pages re-renders those pages, their translations
//! and fallbacks, and the tool pages; anything else (front matter, added, deleted or renamed
//! files, templates, strings, settings, assets) runs every stage again, reusing the Markdown
//! bodies whose inputs did not change. Pages are written first; the search index of the
//! languages whose documents changed follows (`update_search`), so a reload need not wait for
//! Tantivy. Once idle, the output folder holds what `portal build` writes, byte for byte.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use super::disk::Disk;
use crate::content::front_matter::parse_page;
use crate::content::load::read_text;
use crate::error::{Diagnostic, Error, Result};
use crate::markdown::Rendered;
use crate::output::{CopiedFile, OutputFile};
use crate::site::Site;
use crate::templates::Theme;
use crate::tools::Tools;
use crate::{feeds, i18n, render, search, templates, tools};

/// What a rebuild (or a search update) did, for the log and the open pages.
pub struct Outcome {
    /// The errors that keep the last good site on screen, if any.
    pub failed: Option<Vec<String>>,
    /// One line for the log: what was rebuilt and how long it took.
    pub line: String,
}

/// The loaded and rendered site of the last rebuild.
struct Snapshot {
    site: Site,
    theme: Option<Theme>,
    bodies: Vec<Rendered>,
    /// The inputs of each body (see `body_key`), indexed like the routes.
    body_keys: Vec<u64>,
    /// What every link of every body resolves against (see `link_fingerprint`).
    links: u64,
    tools: Tools,
    /// Diagnostics a body edit cannot change: loading, templates, strings, term labels, paths.
    fixed: Vec<Diagnostic>,
    /// Rendering errors by route index.
    route_errors: BTreeMap<usize, Diagnostic>,
    extra_errors: Vec<Diagnostic>,
    /// Every route went through its template (the theme compiled and had every template).
    rendered: bool,
    /// The output folder holds this snapshot's pages (false after a failed rebuild, whose pages
    /// were not written: the next rebuild must then be a full one).
    written: bool,
}

impl Snapshot {
    /// Every diagnostic of the site, sorted, as `build` reports them.
    fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut all = self.fixed.clone();
        for body in &self.bodies {
            all.extend(body.diagnostics.iter().cloned());
        }
        all.extend(render::check_anchors(&self.site, &self.bodies));
        all.extend(self.tools.diagnostics.iter().cloned());
        all.extend(self.route_errors.values().cloned());
        all.extend(self.extra_errors.iter().cloned());
        all.sort();
        all.dedup();
        all
    }
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

/// Two tool contexts render the same (compared as the template sees them).
fn same_tool(a: Option<&tools::ToolCtx>, b: Option<&tools::ToolCtx>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => serde_json::to_value(a).ok().is_some_and(|a| serde_json::to_value(b).ok() == Some(a)),
        _ => false,
    }
}

/// Renders one route with its template into its output file.
fn render_one(
    site: &Site,
    theme: &Theme,
    bodies: &[Rendered],
    tools: &Tools,
    i: usize,
) -> std::result::Result<OutputFile, Diagnostic> {
    let route = &site.routes.routes[i];
    site.render_route(theme, i, &bodies[i], tools.route(i))
        .map(|html| OutputFile::new(route.url.clone(), html.into_bytes(), site.content.pages[route.page].file.clone()))
}

/// Everything a link in a body resolves against: the routes (paths, URLs, keys, text
/// languages), the content files, the source language and the UI strings (callout labels).
fn link_fingerprint(site: &Site) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    site.config.source_language.hash(&mut h);
    for r in &site.routes.routes {
        (&r.lang, &r.rel_path, &r.url, r.fallback, &r.key, &site.content.pages[r.page].lang).hash(&mut h);
    }
    for a in &site.content.assets {
        (&a.lang, &a.rel_path).hash(&mut h);
    }
    site.strings.by_lang.hash(&mut h);
    h.finish()
}

/// The inputs of one route's Markdown body, given the site-wide `links` fingerprint.
fn body_key(site: &Site, i: usize, links: u64) -> u64 {
    let route = &site.routes.routes[i];
    let page = &site.content.pages[route.page];
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (links, &route.lang, &route.rel_path, &route.url, route.fallback).hash(&mut h);
    (&page.lang, &page.file, page.body_line, page.front.kind.as_str(), &page.body).hash(&mut h);
    h.finish()
}

/// Loads the site and runs every stage of `crate::build` but search and writing, reusing the
/// bodies of `previous` whose inputs did not change.
fn load_and_render(root: &Path, previous: Option<Snapshot>) -> (Snapshot, Vec<OutputFile>, Vec<CopiedFile>) {
    let (site, mut fixed) = Site::load(root);
    let theme_dir = site.root.join("themes").join(&site.config.theme);
    let display_dir = site.theme_display_dir();
    let (sources, mut theme_diagnostics) = templates::load_template_sources(&theme_dir, &display_dir);
    fixed.append(&mut theme_diagnostics);
    let mut needed_keys = i18n::template_keys(&sources);
    for key in i18n::code_keys() {
        needed_keys.entry(key).or_insert_with(|| ("the generator".to_string(), 0));
    }
    fixed.extend(i18n::check_keys(&site.strings, &site.language_codes(), &needed_keys));
    fixed.extend(crate::check_term_labels(&site));
    let theme = Theme::compile(&display_dir, sources, &site.strings, &site.language_codes())
        .map_err(|mut d| fixed.append(&mut d))
        .ok();

    let links = link_fingerprint(&site);
    let (bodies, body_keys) = render_bodies_reusing(&site, links, previous);
    let tools = tools::load_tools(&site, &bodies);

    let mut files = Vec::new();
    let mut route_errors = BTreeMap::new();
    let mut extra_errors = Vec::new();
    let mut rendered = false;
    if let Some(theme) = &theme {
        let mut missing = Vec::new();
        for route in site.routes.routes.iter().filter(|r| !r.fallback) {
            let page = &site.content.pages[route.page];
            let template = render::template_for(page);
            if !theme.has(&template) {
                missing.push(Diagnostic::error(
                    &page.file,
                    1,
                    1,
                    format!(
                        "missing template `{template}` in {} for this page's kind",
                        display_dir.join("templates").display()
                    ),
                ));
            }
        }
        if theme.sources.is_empty() {
            // The theme itself is missing; that one error says it all.
            missing.clear();
        }
        if missing.is_empty() {
            let pages: Vec<_> = (0..site.routes.routes.len())
                .into_par_iter()
                .map(|i| render_one(&site, theme, &bodies, &tools, i))
                .collect();
            for (i, result) in pages.into_iter().enumerate() {
                match result {
                    Ok(file) => files.push(file),
                    Err(d) => {
                        route_errors.insert(i, d);
                    }
                }
            }
            let extra = site
                .render_taxonomies(theme)
                .into_iter()
                .chain(site.render_search_pages(theme))
                .chain(site.render_root_pages(theme));
            for result in extra {
                match result {
                    Ok(file) => files.push(file),
                    Err(d) => extra_errors.push(d),
                }
            }
            rendered = true;
        }
        fixed.append(&mut missing);
    }
    files.push(feeds::render_sitemap(&site));
    files.push(feeds::render_robots(&site));
    files.extend(feeds::render_feeds(&site));
    files.extend(crate::model_document_downloads(&site));
    let copies = crate::static_copies(&site, &theme_dir);
    let targets = files.iter().map(|f| (f.path.as_str(), f.origin.as_path()));
    fixed.extend(render::check_unique_paths(
        targets.chain(copies.iter().map(|c| (c.path.as_str(), c.source.as_path()))),
    ));
    let snapshot = Snapshot {
        site,
        theme,
        bodies,
        body_keys,
        links,
        tools,
        fixed,
        route_errors,
        extra_errors,
        rendered,
        written: false,
    };
    (snapshot, files, copies)
}

/// Renders every route's body, taking those of `previous` whose inputs are the same.
fn render_bodies_reusing(site: &Site, links: u64, previous: Option<Snapshot>) -> (Vec<Rendered>, Vec<u64>) {
    let keys: Vec<u64> = (0..site.routes.routes.len()).into_par_iter().map(|i| body_key(site, i, links)).collect();
    let mut reusable: HashMap<u64, Rendered> = HashMap::new();
    if let Some(previous) = previous {
        reusable = previous.body_keys.into_iter().zip(previous.bodies).collect();
    }
    let mut bodies: Vec<Option<Rendered>> = keys.iter().map(|k| reusable.remove(k)).collect();
    let missing: Vec<(usize, Rendered)> = bodies
        .iter()
        .enumerate()
        .filter(|(_, b)| b.is_none())
        .map(|(i, _)| i)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|i| (i, render::render_body(site, i)))
        .collect();
    for (i, body) in missing {
        bodies[i] = Some(body);
    }
    (bodies.into_iter().map(Option::unwrap_or_default).collect(), keys)
}

/// What a language's search files are built from: its documents and its analyzer.
fn docs_fingerprint(site: &Site, lang: &str, docs: &[search::SearchDoc]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    site.config.languages.get(lang).and_then(|s| s.analyzer.as_deref()).hash(&mut h);
    for d in docs {
        (&d.url, &d.page_title, &d.section, &d.body, &d.description, &d.kind, &d.audience, &d.topics).hash(&mut h);
    }
    h.finish()
}

fn build_search_language(site: &Site, bodies: &[Rendered], lang: &str) -> Result<(u64, Vec<OutputFile>)> {
    let docs = crate::search_docs(site, bodies, lang);
    let print = docs_fingerprint(site, lang, &docs);
    Ok((print, build_search_docs(site, lang, &docs)?))
}

/// One language's index, as `crate::build` makes it (the analyzer of `portal.toml` if set).
fn build_search_docs(site: &Site, lang: &str, docs: &[search::SearchDoc]) -> Result<Vec<OutputFile>> {
    let dir = crate::search_index_dir(&site.root, lang);
    let files = match site.config.languages.get(lang).and_then(|s| s.analyzer.as_deref()) {
        Some(spec) => {
            let analyzer = search::analyzer_from_spec(spec)
                .ok_or_else(|| Error::Usage(format!("portal.toml: unknown analyzer `{spec}` for {lang}")))?;
            search::build_language_with(lang, &analyzer, docs, &dir)?
        }
        None => search::build_language(lang, docs, &dir)?,
    };
    Ok(files
        .into_iter()
        .map(|f| {
            let path = f.path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            OutputFile::new(path, f.bytes, "search")
        })
        .collect())
}
