//! Health Cyber Portal: multilingual Markdown -> a static site that works from any host and
//! from disk. The pipeline, step by step:
//!
//! load (`site`: config, content, routes, i18n) -> Markdown (`markdown`, via `render`) ->
//! templates (`templates`, `render`) -> feeds and sitemap (`feeds`) -> search index (`search`)
//! -> `output`, the only writer. `build` and `check` run the same steps; `check` writes nothing.

pub mod cli;
pub mod config;
pub mod content;
pub mod error;
pub mod feeds;
pub mod i18n;
pub mod markdown;
pub mod output;
pub mod render;
pub mod search;
pub mod serve;
pub mod site;
pub mod templates;
pub mod tools;
pub mod translations;
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
}

/// Builds the site (or only checks it). Content problems are in the report; `Err` means the
/// output could not be written.
pub fn build(options: &BuildOptions) -> Result<Report> {
    let mut clock = Stopwatch { last: Instant::now(), timings: Vec::new() };
    let mut report = Report::default();
    let (site, mut diagnostics) = Site::load(&options.root);
    clock.lap("load");

    let theme_dir = site.root.join("themes").join(&site.config.theme);
    let display_dir = site.theme_display_dir();
    let (sources, mut theme_diagnostics) = templates::load_template_sources(&theme_dir, &display_dir);
    diagnostics.append(&mut theme_diagnostics);
    let mut needed_keys = i18n::template_keys(&sources);
    for key in i18n::code_keys() {
        needed_keys.entry(key).or_insert_with(|| ("the generator".to_string(), 0));
    }
    diagnostics.extend(i18n::check_keys(&site.strings, &site.language_codes(), &needed_keys));
    diagnostics.extend(check_term_labels(&site));
    let theme = Theme::compile(&display_dir, sources, &site.strings, &site.language_codes())
        .map_err(|mut d| diagnostics.append(&mut d))
        .ok();
    clock.lap("templates");

    let bodies = render::render_bodies(&site);
    for body in &bodies {
        diagnostics.extend(body.diagnostics.iter().cloned());
    }
    diagnostics.extend(render::check_anchors(&site, &bodies));
    clock.lap("markdown");

    let tools = tools::load_tools(&site, &bodies);
    diagnostics.extend(tools.diagnostics.iter().cloned());
    clock.lap("tools");

    let mut files: Vec<OutputFile> = Vec::new();
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
            let rendered: Vec<std::result::Result<OutputFile, Diagnostic>> = site
                .routes
                .routes
                .par_iter()
                .enumerate()
                .map(|(i, route)| {
                    let tool = tools.route(i);
                    site.render_route(theme, i, &bodies[i], tool).map(|html| {
                        OutputFile::new(
                            route.url.clone(),
                            html.into_bytes(),
                            site.content.pages[route.page].file.clone(),
                        )
                    })
                })
                .collect();
            let extra = site
                .render_taxonomies(theme)
                .into_iter()
                .chain(site.render_search_pages(theme))
                .chain(site.render_root_pages(theme));
            for result in rendered.into_iter().chain(extra) {
                match result {
                    Ok(file) => files.push(file),
                    Err(d) => diagnostics.push(d),
                }
            }
        }
        diagnostics.append(&mut missing);
    }
    clock.lap("render");

    files.push(feeds::render_sitemap(&site));
    files.push(feeds::render_robots(&site));
    files.extend(feeds::render_feeds(&site));
    files.extend(model_document_downloads(&site));
    let copies = static_copies(&site, &theme_dir);
    let targets = files.iter().map(|f| (f.path.as_str(), f.origin.as_path()));
    diagnostics.extend(render::check_unique_paths(
        targets.chain(copies.iter().map(|c| (c.path.as_str(), c.source.as_path()))),
    ));
    clock.lap("feeds");

    // The index is built only for a site that will be written: its files live in `search/`,
    // which no page can claim, and a failed build must not touch the cache either.
    if options.output.is_some() && report_errors(&diagnostics) == 0 {
        match build_search(&site, &bodies) {
            Ok(mut search_files) => files.append(&mut search_files),
            Err(e) => diagnostics.push(Diagnostic::error("search", 0, 0, e.to_string())),
        }
    }
    clock.lap("search");

    for route in &site.routes.routes {
        let count = report.languages.entry(route.lang.clone()).or_default();
        if route.fallback {
            count.untranslated += 1;
        } else {
            count.pages += 1;
        }
    }
    diagnostics.sort();
    diagnostics.dedup();
    report.diagnostics = diagnostics;
    report.files = files.len() + copies.len();
    if report.errors() == 0 {
        if let Some(dest) = &options.output {
            output::write_site(dest, &files, &copies)?;
            report.written = true;
        }
    }
    clock.lap("write");
    report.timings = clock.timings;
    Ok(report)
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
fn search_docs(site: &Site, bodies: &[markdown::Rendered], lang: &str) -> Vec<search::SearchDoc> {
    let mut docs = Vec::new();
    for (i, route) in site.routes.routes.iter().enumerate().filter(|(_, r)| r.lang == lang && !r.fallback) {
        let page = &site.content.pages[route.page];
        for section in &bodies[i].sections {
            let url = if section.id.is_empty() { route.url.clone() } else { format!("{}#{}", route.url, section.id) };
            docs.push(search::SearchDoc {
                url,
                page_title: page.front.title.clone(),
                section: section.heading.clone(),
                body: section.text.clone(),
                description: page.front.description.clone(),
                kind: page.front.kind.as_str().to_string(),
                audience: page.front.audience.clone(),
                topics: page.front.topics.clone(),
            });
        }
    }
    docs
}

/// One Tantivy index per language (in parallel), exported as the browser's search files.
fn build_search(site: &Site, bodies: &[markdown::Rendered]) -> Result<Vec<OutputFile>> {
    let per_language: Vec<Result<Vec<search::SearchFile>>> = site
        .languages
        .par_iter()
        .map(|language| {
            let docs = search_docs(site, bodies, &language.code);
            let dir = search_index_dir(&site.root, &language.code);
            match site.config.languages.get(&language.code).and_then(|s| s.analyzer.as_deref()) {
                Some(spec) => {
                    let analyzer = search::analyzer_from_spec(spec).ok_or_else(|| {
                        error::Error::Usage(format!("portal.toml: unknown analyzer `{spec}` for {}", language.code))
                    })?;
                    search::build_language_with(&language.code, &analyzer, &docs, &dir)
                }
                None => search::build_language(&language.code, &docs, &dir),
            }
        })
        .collect();
    let mut files = Vec::new();
    for result in per_language {
        for f in result? {
            let path = f.path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            files.push(OutputFile::new(path, f.bytes, "search"));
        }
    }
    Ok(files)
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

/// Model documents are offered as Markdown next to their page.
fn model_document_downloads(site: &Site) -> Vec<OutputFile> {
    site.routes
        .routes
        .iter()
        .filter(|r| site.content.pages[r.page].front.kind == content::Kind::Template)
        .map(|r| {
            let page = &site.content.pages[r.page];
            let text = format!("# {}\n\n{}", page.front.title, page.body.trim_start());
            OutputFile::new(render::markdown_download_path(&r.url), text.into_bytes(), page.file.clone())
        })
        .collect()
}

/// Theme static files go to `assets/`; content files that are not pages or data go next to
/// their pages.
fn static_copies(site: &Site, theme_dir: &Path) -> Vec<CopiedFile> {
    let mut copies = Vec::new();
    let static_dir = theme_dir.join("static");
    for entry in WalkDir::new(&static_dir).sort_by_file_name().into_iter().flatten() {
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
