//! Health Cyber Portal: multilingual Markdown -> a static site that works from any host and
//! from disk. The pipeline, step by step:
//!
//! load (`site`: config, content, routes, i18n) -> Markdown (`markdown`, via `render`) ->
//! templates (`templates`, `render`) -> feeds and sitemap (`feeds`) -> search index (`search`)
//! -> `output`, the only writer. `build` and `check` run the same steps; `check` writes nothing.

pub mod cli;
pub mod config;
pub mod content;
pub mod dates;
pub mod error;
pub mod exchange;
pub mod feeds;
pub mod i18n;
pub mod markdown;
pub mod odt;
pub mod output;
pub mod page_parts;
pub mod po;
pub mod render;
pub mod search;
pub mod serve;
pub mod site;
pub mod templates;
pub mod tools;
pub mod translation_state;
pub mod translations;
pub mod units;
pub mod xliff;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use walkdir::WalkDir;

use error::{Diagnostic, Result};
use output::{CopiedFile, OutputFile};
use site::Site;
use templates::Theme;

/// What to do with a site.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Where to write; `None` checks only.
    pub output: Option<PathBuf>,
    /// Replace an existing output folder even if no build wrote it (never the sources).
    pub force: bool,
}

impl BuildOptions {
    /// Checks the site at `root`, writing nothing.
    pub fn check(root: &Path) -> Self {
        BuildOptions { root: root.to_path_buf(), output: None, force: false }
    }

    /// Builds the site at `root` into `output`.
    pub fn build(root: &Path, output: &Path) -> Self {
        BuildOptions { root: root.to_path_buf(), output: Some(output.to_path_buf()), force: false }
    }
}

/// Says that a build waits for another build of the same site or folder.
fn say_waiting(held: &Path) {
    eprintln!("portal: another build is using {}; waiting for it to finish", held.display());
}

/// Pages of one language: translated, and fallbacks standing in for missing translations.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LanguageCount {
    pub pages: usize,
    pub untranslated: usize,
}

/// The outcome of a build or check: every diagnostic, counts and stage timings.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    pub languages: BTreeMap<String, LanguageCount>,
    pub files: usize,
    #[serde(skip)]
    pub timings: Vec<(&'static str, Duration)>,
    #[serde(skip)]
    pub written: bool,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

struct Stopwatch {
    last: Instant,
    timings: Vec<(&'static str, Duration)>,
}

impl Stopwatch {
    fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.timings.push((stage, now - self.last));
        self.last = now;
    }

    /// Records a stage timed on its own (stages that ran side by side).
    fn skip(&mut self, stage: &'static str, time: Duration) {
        self.timings.push((stage, time));
    }
}

/// Builds the site (or only checks it). Content problems are in the report; `Err` means the
/// output could not be written.
pub fn build(options: &BuildOptions) -> Result<Report> {
    // Refused before anything is read or written: a wrong --output must cost nothing.
    let _lock = match &options.output {
        Some(dest) => {
            output::guard::check_destination(&options.root, dest, options.force)?;
            Some(output::lock::BuildLock::acquire(&options.root, dest, &say_waiting)?)
        }
        None => None,
    };
    let mut clock = Stopwatch { last: Instant::now(), timings: Vec::new() };
    let mut report = Report::default();
    let (mut site, mut diagnostics) = Site::load(&options.root);
    clock.lap("load");

    let LoadedTheme { theme, theme_dir, display_dir } = load_theme(&site, &mut diagnostics);
    clock.lap("templates");

    let bodies = render::render_bodies(&site);
    for body in &bodies {
        diagnostics.extend(body.diagnostics.iter().cloned());
    }
    diagnostics.extend(render::check_anchors(&site, &bodies));
    clock.lap("markdown");

    let tools = tools::load_tools(&site, &bodies);
    diagnostics.extend(tools.diagnostics.iter().cloned());
    // The Markdown sources are rendered; only model documents still need theirs (downloads).
    for page in site.content.pages.iter_mut().filter(|p| p.front.kind != content::Kind::Template) {
        page.body = String::new();
    }
    clock.lap("tools");

    // Pages are written into the staging folder as they are rendered; it exists only when
    // writing and nothing has failed so far, and replaces the output only if all succeeds.
    let staging = match &options.output {
        Some(dest) if report_errors(&diagnostics) == 0 => Some(output::Staging::begin(dest)?),
        _ => None,
    };
    let sink = Sink::new(staging.as_ref());
    let mut bodies = bodies;
    for body in &mut bodies {
        // Checked (Markdown and tool links): not needed any more.
        body.anchors = Default::default();
        body.anchor_refs = Vec::new();
    }
    // Each page's HTML is handed to its render and freed there; the sections go to search.
    let htmls: Vec<String> = bodies.iter_mut().map(|body| std::mem::take(&mut body.html)).collect();
    let sections: Vec<Vec<markdown::Section>> =
        bodies.iter_mut().map(|body| std::mem::take(&mut body.sections)).collect();
    // Search indexing needs only the Markdown output: it runs beside rendering on the same
    // cores, and its files go to the staging folder language by language.
    let ((render_diagnostics, render_time), search) = rayon::join(
        || timed(|| render_pages(&site, theme.as_ref(), &display_dir, &bodies, htmls, &tools, &sink)),
        || staging.as_ref().map(|_| timed(|| build_search(&site, sections, &sink))),
    );
    diagnostics.extend(render_diagnostics);
    clock.skip("render", render_time);
    let search_indexes = match search {
        Some((Ok(outcome), time)) => {
            clock.skip("search", time);
            // Summed over languages, which run side by side: shares of the work, not of the wall.
            clock.skip("  index (sum)", outcome.index_time);
            clock.skip("  export (sum)", outcome.export_time);
            diagnostics.extend(outcome.diagnostics);
            outcome.indexes
        }
        Some((Err(e), time)) => {
            clock.skip("search", time);
            diagnostics.push(Diagnostic::error("search", 0, 0, e.to_string()));
            Vec::new()
        }
        None => Vec::new(),
    };
    clock.last = Instant::now();

    sink.put(feeds::render_sitemap(&site));
    sink.put(feeds::render_robots(&site));
    feeds::render_feeds(&site).into_iter().for_each(|f| sink.put(f));
    model_document_downloads(&site).into_iter().for_each(|f| sink.put(f));
    let copies = static_copies(&site, &theme_dir);
    if let Some(staging) = &staging {
        copies.par_iter().try_for_each(|c| staging.copy(c))?;
    }
    let mut targets = sink.finish()?;
    targets.sort();
    let copy_targets = copies.iter().map(|c| (c.path.as_str(), c.source.as_path()));
    diagnostics.extend(render::check_unique_paths(
        targets.iter().map(|(path, origin)| (path.as_str(), origin.as_path())).chain(copy_targets),
    ));
    clock.lap("feeds");

    for route in &site.routes.routes {
        let count = report.languages.entry(route.lang.clone()).or_default();
        if route.fallback {
            count.untranslated += 1;
        } else {
            count.pages += 1;
        }
    }
    report.diagnostics = error::in_reading_order(templates::fold_render_failures(diagnostics));
    report.files = targets.len() + copies.len();
    if let Some(staging) = staging {
        if report.errors() == 0 {
            staging.commit()?;
            for index in &search_indexes {
                index.promote()?;
            }
            report.written = true;
        }
    }
    clock.lap("write");
    report.timings = clock.timings;
    Ok(report)
}

/// The compiled theme (`None` if it does not compile) and where it lives.
pub(crate) struct LoadedTheme {
    pub(crate) theme: Option<Theme>,
    pub(crate) theme_dir: PathBuf,
    /// The theme folder as messages name it.
    pub(crate) display_dir: PathBuf,
}

/// Loads and compiles the site's theme; adds the problems with its templates, with the UI
/// strings they need and with the terms' labels to `diagnostics`.
pub(crate) fn load_theme(site: &Site, diagnostics: &mut Vec<Diagnostic>) -> LoadedTheme {
    let theme_dir = site.root.join("themes").join(&site.config.theme);
    let display_dir = site.theme_display_dir();
    let (sources, mut theme_diagnostics) = templates::load_template_sources(&theme_dir, &display_dir);
    diagnostics.append(&mut theme_diagnostics);
    let mut needed_keys = i18n::template_keys(&sources);
    for key in i18n::code_keys() {
        needed_keys.entry(key).or_insert_with(|| ("the generator".to_string(), 0));
    }
    diagnostics.extend(i18n::check_keys(&site.strings, &site.language_codes(), &needed_keys));
    diagnostics.extend(check_term_labels(site));
    let theme = Theme::compile(&display_dir, sources, &site.strings, &site.language_codes())
        .map_err(|mut d| diagnostics.append(&mut d))
        .ok();
    LoadedTheme { theme, theme_dir, display_dir }
}

fn timed<T>(work: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let value = work();
    (value, started.elapsed())
}

/// Where made files go: the staging folder when writing (nothing when checking), plus the
/// list of paths and origins that the collision check and the report need.
struct Sink<'a> {
    staging: Option<&'a output::Staging>,
    targets: std::sync::Mutex<Vec<(String, PathBuf)>>,
    error: std::sync::Mutex<Option<error::Error>>,
}

impl<'a> Sink<'a> {
    fn new(staging: Option<&'a output::Staging>) -> Self {
        Sink { staging, targets: Default::default(), error: Default::default() }
    }

    fn put(&self, file: OutputFile) {
        if let Some(staging) = self.staging {
            if let Err(e) = staging.write(&file.path, &file.bytes) {
                self.error.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get_or_insert(e);
            }
        }
        self.targets.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((file.path, file.origin));
    }

    /// The paths written; the first write error, if any.
    fn finish(self) -> Result<Vec<(String, PathBuf)>> {
        use std::sync::PoisonError;
        match self.error.into_inner().unwrap_or_else(PoisonError::into_inner) {
            Some(e) => Err(e),
            None => Ok(self.targets.into_inner().unwrap_or_else(PoisonError::into_inner)),
        }
    }
}

/// Every translated page whose kind has no template in the theme (none when the theme itself
/// is missing: that one error says it all).
pub(crate) fn missing_templates(site: &Site, theme: &Theme, display_dir: &Path) -> Vec<Diagnostic> {
    if theme.sources.is_empty() {
        return Vec::new();
    }
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
    missing
}

/// Renders every page (and taxonomy, search and root page) into the sink; returns the
/// problems found.
fn render_pages(
    site: &Site,
    theme: Option<&Theme>,
    display_dir: &Path,
    bodies: &[markdown::Rendered],
    htmls: Vec<String>,
    tools: &tools::Tools,
    sink: &Sink,
) -> Vec<Diagnostic> {
    // No theme (its own error says so) or no templates at all: nothing to render with, and one
    // error per page would bury the one that matters.
    let Some(theme) = theme.filter(|t| !t.sources.is_empty()) else { return Vec::new() };
    let missing = missing_templates(site, theme, display_dir);
    if !missing.is_empty() {
        return missing;
    }
    let mut problems: Vec<Diagnostic> = htmls
        .into_par_iter()
        .enumerate()
        .filter_map(|(i, html)| {
            let route = &site.routes.routes[i];
            let origin = &site.content.pages[route.page].file;
            match site.render_route(theme, i, &bodies[i], html, tools.route(i)) {
                Ok(html) => {
                    sink.put(OutputFile::new(route.url.clone(), html.into_bytes(), origin.clone()));
                    None
                }
                Err(d) => Some(d),
            }
        })
        .collect();
    for result in site.render_extras(theme, &|_, _| true) {
        match result {
            Ok(file) => sink.put(file),
            Err(d) => problems.push(d),
        }
    }
    problems
}

fn report_errors(diagnostics: &[Diagnostic]) -> usize {
    diagnostics.iter().filter(|d| d.is_error()).count()
}

/// Where the native Tantivy index of a language lives: a cache beside the sources, not part of
/// the published site (`portal search` queries it).
pub fn search_index_dir(root: &Path, lang: &str) -> PathBuf {
    root.join(".portal-cache").join("search").join(lang)
}

/// The search documents of a language: every section of every translated page, in route order.
/// Fallback pages are left out: their text is the source language's, indexed there.
pub(crate) fn search_docs(site: &Site, bodies: &[markdown::Rendered], lang: &str) -> Vec<search::SearchDoc> {
    let mut docs = Vec::new();
    for (i, _) in site.routes.routes.iter().enumerate().filter(|(_, r)| r.lang == lang && !r.fallback) {
        docs.extend(bodies[i].sections.iter().map(|section| search_doc(site, i, section.clone())));
    }
    docs
}

/// The search document of one section of the page of route `index`.
fn search_doc(site: &Site, index: usize, section: markdown::Section) -> search::SearchDoc {
    let route = &site.routes.routes[index];
    let page = &site.content.pages[route.page];
    let url = if section.id.is_empty() { route.url.clone() } else { format!("{}#{}", route.url, section.id) };
    search::SearchDoc {
        url,
        page_title: page.front.title.clone(),
        section: section.heading,
        body: section.text,
        description: page.front.description.clone(),
        kind: page.front.kind.as_str().to_string(),
        audience: page.front.audience.clone(),
        topics: page.front.topics.clone(),
        reference: page.front.reference,
    }
}

/// Pages of one language as (route index, its sections).
type PageSections = Vec<(usize, Vec<markdown::Section>)>;

/// One Tantivy index per language (in parallel), exported as the browser's search files,
/// which go to the sink as each language finishes. The native indexes are built beside the
/// live ones and take their place only when the whole build succeeds.
fn build_search(site: &Site, sections: Vec<Vec<markdown::Section>>, sink: &Sink) -> Result<SearchOutcome> {
    // Each language takes its pages' sections (moved, not copied: the build's largest data).
    let mut by_language: BTreeMap<&str, (usize, PageSections)> = BTreeMap::new();
    for (i, page_sections) in sections.into_iter().enumerate() {
        let route = &site.routes.routes[i];
        if !route.fallback {
            let entry = by_language.entry(route.lang.as_str()).or_default();
            entry.0 += page_sections.iter().map(|s| s.text.len()).sum::<usize>();
            entry.1.push((i, page_sections));
        }
    }
    let mut languages: Vec<(&str, usize, PageSections)> = site
        .languages
        .iter()
        .map(|language| {
            let (text, pages) = by_language.remove(language.code.as_str()).unwrap_or_default();
            (language.code.as_str(), text, pages)
        })
        .collect();
    // Most text first, so that the last language to finish is a short one.
    languages.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let per_language: Vec<(search::NewIndex, Duration, Duration, Vec<Diagnostic>)> = languages
        .into_par_iter()
        .map(|(code, _, pages)| {
            let docs: Vec<search::SearchDoc> = pages
                .into_iter()
                .flat_map(|(i, page_sections)| page_sections.into_iter().map(move |s| search_doc(site, i, s)))
                .collect();
            let index = search::NewIndex::beside(&search_index_dir(&site.root, code));
            let built = search::build_language_timed(
                code,
                &search_analyzer(site, code)?,
                &docs,
                search_synonyms(site, code),
                index.built(),
                &search::ShardSizes::default(),
            )?;
            built.files.into_iter().for_each(|f| sink.put(search_output_file(f)));
            let warnings = unknown_synonym_warnings(site, code, &built.unknown_synonyms);
            Ok((index, built.index_time, built.export_time, warnings))
        })
        .collect::<Result<_>>()?;
    let mut outcome = SearchOutcome::default();
    for (index, index_time, export_time, warnings) in per_language {
        outcome.indexes.push(index);
        outcome.index_time += index_time;
        outcome.export_time += export_time;
        outcome.diagnostics.extend(warnings);
    }
    Ok(outcome)
}

/// A language's search synonyms (`content/<lang>/_synonyms.toml`; none without the file).
pub(crate) fn search_synonyms<'a>(site: &'a Site, lang: &str) -> &'a [search::SynonymGroup] {
    site.content.synonyms.get(lang).map_or(&[], |file| file.groups.as_slice())
}

/// Warnings for synonym words that no page of the language has.
fn unknown_synonym_warnings(site: &Site, lang: &str, unknown: &[search::UnknownWord]) -> Vec<Diagnostic> {
    let Some(file) = site.content.synonyms.get(lang) else { return Vec::new() };
    unknown
        .iter()
        .map(|u| {
            let message = format!("no `{lang}` page has any word of the synonyms of `{}`: they find nothing", u.word);
            Diagnostic::warning(&file.file, u.line, 0, message)
        })
        .collect()
}

/// A language's search analyzer: the one `portal.toml` names for it, else its own.
pub(crate) fn search_analyzer(site: &Site, lang: &str) -> Result<search::LangAnalyzer> {
    match site.config.languages.get(lang).and_then(|s| s.analyzer.as_deref()) {
        Some(spec) => search::analyzer_from_spec(spec)
            .ok_or_else(|| error::Error::Usage(format!("portal.toml: unknown analyzer `{spec}` for {lang}"))),
        None => Ok(search::analyzer_for(lang)),
    }
}

/// A browser index file as a file of the site.
pub(crate) fn search_output_file(file: search::SearchFile) -> OutputFile {
    let path = file.path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
    OutputFile::new(path, file.bytes, "search")
}

/// The new native indexes, and the time spent indexing and exporting summed over languages.
#[derive(Default)]
struct SearchOutcome {
    indexes: Vec<search::NewIndex>,
    /// Warnings about the synonyms files.
    diagnostics: Vec<Diagnostic>,
    index_time: Duration,
    export_time: Duration,
}

/// Taxonomy terms need a label in each language's strings (`audience.hospital`).
fn check_term_labels(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for route in &site.routes.routes {
        let front = &site.content.pages[route.page].front;
        for (taxonomy, ids) in [("audience", &front.audience), ("topics", &front.topics)] {
            for id in ids {
                let key = format!("{taxonomy}.{id}");
                if !site.strings.has(&route.lang, &key) && seen.insert((route.lang.clone(), key.clone())) {
                    out.push(Diagnostic::warning(
                        Path::new("i18n").join(format!("{}.toml", route.lang)),
                        0,
                        0,
                        format!(
                            "missing key `{key}` (label of a term used by {})",
                            site.content.pages[route.page].file.display()
                        ),
                    ));
                }
            }
        }
    }
    out
}

/// Model documents are offered next to their page as an editable OpenDocument text (`.odt`,
/// for LibreOffice and Word) and as Markdown.
pub(crate) fn model_document_downloads(site: &Site) -> Vec<OutputFile> {
    let templates: Vec<usize> = (0..site.routes.routes.len())
        .filter(|&i| site.content.pages[site.routes.routes[i].page].front.kind == content::Kind::Template)
        .collect();
    templates.into_par_iter().flat_map_iter(|index| model_document_files(site, index)).collect()
}

/// The downloads of the model document of route `index`: its Markdown and its `.odt`.
fn model_document_files(site: &Site, index: usize) -> [OutputFile; 2] {
    let r = &site.routes.routes[index];
    let page = &site.content.pages[r.page];
    let text = format!("# {}\n\n{}", page.front.title, page.body.trim_start());
    let markdown = OutputFile::new(render::markdown_download_path(&r.url), text.into_bytes(), page.file.clone());
    let ui_text = |key: &str| site.strings.text(&page.lang, key);
    let link = |dest: &str| document_link(site, index, dest);
    let odt = odt::render_odt(&odt::Document {
        title: &page.front.title,
        description: &page.front.description,
        lang: &page.lang,
        rtl: site.language(&page.lang).dir.as_str() == "rtl",
        body: &page.body,
        generator: &site.config.title,
        ui_text: &ui_text,
        link: &link,
    });
    [markdown, OutputFile::new(odt::download_path(&r.url), odt, page.file.clone())]
}

/// Where a link of a model document leads once downloaded, away from the site: a heading of
/// the document itself stays a link inside it; other pages and files become absolute URLs
/// under `base_url`; external links stay as they are. Broken links (reported with the page)
/// keep their text only.
fn document_link(site: &Site, index: usize, dest: &str) -> Option<String> {
    let resolved = render::resolve_link(site, index, dest).ok()?;
    match resolved.target {
        Some((to, anchor)) if to == index => anchor.map(|a| format!("#{a}")),
        Some((to, anchor)) => {
            let url = format!("{}{}", site.config.base_url, site.routes.routes[to].url);
            Some(anchor.map_or(url.clone(), |a| format!("{url}#{a}")))
        }
        None if resolved.href.contains(':') || resolved.href.starts_with("//") => Some(resolved.href),
        // A file of the content, linked relative to the page.
        None => Some(format!("{}{}", site.config.base_url, join_url(&site.routes.routes[index].url, &resolved.href))),
    }
}

/// The site path that a relative `href` written in the page at `from` leads to.
fn join_url(from: &str, href: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for segment in href.split('/') {
        match segment {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Theme static files go to `assets/` (not hidden files or editor droppings); content files that are not pages or data go next to
/// their pages.
pub(crate) fn static_copies(site: &Site, theme_dir: &Path) -> Vec<CopiedFile> {
    let mut copies = Vec::new();
    let static_dir = theme_dir.join("static");
    let walk = WalkDir::new(&static_dir).sort_by_file_name().into_iter();
    let visible = walk.filter_entry(|e| e.depth() == 0 || !content::load::is_ignored(&e.file_name().to_string_lossy()));
    for entry in visible.flatten() {
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(&static_dir).unwrap_or(entry.path());
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            copies.push(CopiedFile { path: format!("assets/{rel}"), source: entry.path().to_path_buf() });
        }
    }
    for asset in &site.content.assets {
        copies.push(CopiedFile { path: format!("{}/{}", asset.lang, asset.rel_path), source: asset.source.clone() });
    }
    copies
}
