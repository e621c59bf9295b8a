//! The stages of `crate::build` as `serve` runs them: the same load, Markdown, tools and
//! templates, but keeping what a later edit can reuse (the loaded site, the Markdown bodies
//! and what each depends on), and the search index one language at a time.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::Path;

use rayon::prelude::*;

use crate::error::{Diagnostic, Result};
use crate::markdown::Rendered;
use crate::output::{CopiedFile, OutputFile};
use crate::site::Site;
use crate::templates::Theme;
use crate::tools::Tools;
use crate::{feeds, render, search, tools};

/// The loaded and rendered site of the last rebuild.
pub(super) struct Snapshot {
    pub(super) site: Site,
    pub(super) theme: Option<Theme>,
    pub(super) bodies: Vec<Rendered>,
    /// The inputs of each body (see `BodyInputs::key`), indexed like the routes.
    pub(super) body_keys: Vec<u64>,
    pub(super) body_inputs: BodyInputs,
    pub(super) tools: Tools,
    /// Diagnostics of the settings and content (loading, output paths).
    pub(super) content_diagnostics: Vec<Diagnostic>,
    /// Diagnostics of the strings and the theme (templates, keys, term labels).
    pub(super) theme_diagnostics: Vec<Diagnostic>,
    /// Rendering errors by route index.
    pub(super) route_errors: BTreeMap<usize, Diagnostic>,
    pub(super) extra_errors: Vec<Diagnostic>,
    /// Every route went through its template (the theme compiled and had every template).
    pub(super) rendered: bool,
    /// The output folder holds this snapshot's pages (false after a failed rebuild, whose pages
    /// were not written: the next rebuild must then be a full one).
    pub(super) written: bool,
    /// The templates and strings the output folder's pages were rendered with, if it holds
    /// this snapshot's content. A failed template or strings edit leaves it as it was: the fix
    /// is then compared with what the folder holds.
    pub(super) disk_theme: Option<ThemeInputs>,
}

/// What a theme renders with besides the content: the templates' sources and the strings.
pub(super) struct ThemeInputs {
    pub(super) sources: Vec<(String, String)>,
    pub(super) strings: crate::i18n::Strings,
}

impl Snapshot {
    /// Every diagnostic of the site, sorted, as `build` reports them.
    pub(super) fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut all = self.content_diagnostics.clone();
        all.extend(self.theme_diagnostics.iter().cloned());
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

    /// Renders the Markdown bodies of `routes` again (their inputs changed), with their keys.
    pub(super) fn rerender_bodies(&mut self, routes: &[usize]) {
        let (site, inputs) = (&self.site, &self.body_inputs);
        let bodies: Vec<(usize, Rendered, u64)> =
            routes.par_iter().map(|&i| (i, render::render_body(site, i), inputs.key(site, i))).collect();
        for (i, body, key) in bodies {
            self.bodies[i] = body;
            self.body_keys[i] = key;
        }
    }

    /// Renders the routes `targets` with their templates; their rendering errors replace those
    /// they had. Nothing without a theme.
    pub(super) fn render_routes(&mut self, targets: &[usize]) -> Vec<OutputFile> {
        let Some(theme) = &self.theme else { return Vec::new() };
        let rendered: Vec<(usize, std::result::Result<OutputFile, Diagnostic>)> =
            targets.par_iter().map(|&i| (i, render_one(&self.site, theme, &self.bodies, &self.tools, i))).collect();
        let mut files = Vec::new();
        for (i, result) in rendered {
            self.route_errors.remove(&i);
            match result {
                Ok(file) => files.push(file),
                Err(d) => {
                    self.route_errors.insert(i, d);
                }
            }
        }
        files
    }

    /// Records that the output folder now holds this snapshot.
    pub(super) fn mark_written(&mut self) {
        self.written = true;
        self.disk_theme =
            self.theme.as_ref().map(|t| ThemeInputs { sources: t.sources.clone(), strings: self.site.strings.clone() });
    }
}

/// Two tool contexts render the same (compared as the template sees them).
pub(super) fn same_tool(a: Option<&tools::ToolCtx>, b: Option<&tools::ToolCtx>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => serde_json::to_value(a).ok().is_some_and(|a| serde_json::to_value(b).ok() == Some(a)),
        _ => false,
    }
}

/// Renders one route with its template into its output file.
pub(super) fn render_one(
    site: &Site,
    theme: &Theme,
    bodies: &[Rendered],
    tools: &Tools,
    i: usize,
) -> std::result::Result<OutputFile, Diagnostic> {
    let route = &site.routes.routes[i];
    site.render_route(theme, i, &bodies[i], bodies[i].html.clone(), tools.route(i))
        .map(|html| OutputFile::new(route.url.clone(), html.into_bytes(), site.content.pages[route.page].file.clone()))
}

/// What the bodies of a site depend on beyond their own page.
pub(super) struct BodyInputs {
    /// What every link resolves against (see `link_fingerprint`).
    links: u64,
    /// The UI strings bodies show (`markdown::ui_keys`), by language.
    strings: BTreeMap<String, u64>,
}

impl BodyInputs {
    pub(super) fn of(site: &Site) -> BodyInputs {
        let keys = crate::markdown::ui_keys();
        let strings = site
            .languages
            .iter()
            .map(|l| {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                keys.iter().for_each(|k| site.strings.get(&l.code, k).hash(&mut h));
                (l.code.clone(), h.finish())
            })
            .collect();
        BodyInputs { links: link_fingerprint(site), strings }
    }

    /// The inputs of route `i`'s Markdown body: equal keys render the same body.
    pub(super) fn key(&self, site: &Site, i: usize) -> u64 {
        let route = &site.routes.routes[i];
        let page = &site.content.pages[route.page];
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (self.links, self.strings.get(&page.lang), &route.lang, &route.rel_path, &route.url, route.fallback)
            .hash(&mut h);
        (&page.lang, &page.file, page.body_line, page.front.kind.as_str(), &page.body).hash(&mut h);
        h.finish()
    }
}

/// Everything a link in a body resolves against: the routes (paths, URLs, keys, text
/// languages), the content files and the source language.
fn link_fingerprint(site: &Site) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    site.config.source_language.hash(&mut h);
    for r in &site.routes.routes {
        (&r.lang, &r.rel_path, &r.url, r.fallback, &r.key, &site.content.pages[r.page].lang).hash(&mut h);
    }
    for a in &site.content.assets {
        (&a.lang, &a.rel_path).hash(&mut h);
    }
    h.finish()
}

/// What `load_and_render` made.
pub(super) struct Made {
    pub(super) snapshot: Snapshot,
    pub(super) files: Vec<OutputFile>,
    pub(super) copies: Vec<CopiedFile>,
    /// The pages that were not rendered again: the output folder's are current.
    pub(super) kept: HashSet<String>,
    /// The languages whose taxonomy, search and root pages were not rendered again (see
    /// `Site::extra_page_language`): the output folder's are current.
    pub(super) kept_languages: BTreeSet<String>,
}

/// Loads the site and runs every stage of `crate::build` but search and writing, reusing the
/// bodies of `previous` whose inputs did not change. With `only_content` (nothing but
/// `content/` changed, and the output folder holds `previous`), renders only the routes that
/// show something that changed, if the pages and routes are those of `previous`.
pub(super) fn load_and_render(root: &Path, mut previous: Option<Snapshot>, only_content: bool) -> Made {
    let (site, mut content_diagnostics, mut theme_diagnostics) = Site::load_parts(root);
    let crate::LoadedTheme { theme, theme_dir, display_dir } = crate::load_theme(&site, &mut theme_diagnostics);

    let mut targets = previous.as_ref().filter(|_| only_content).and_then(|p| routes_to_render(&site, p));
    let previous_tools = previous.as_mut().map(|p| std::mem::take(&mut p.tools));
    let body_inputs = BodyInputs::of(&site);
    let (bodies, body_keys, new_bodies) = render_bodies_reusing(&site, &body_inputs, previous);
    let tools = tools::load_tools(&site, &bodies);
    if let (Some(targets), Some(previous_tools)) = (targets.as_mut(), previous_tools) {
        targets.extend(new_bodies);
        targets.extend((0..tools.routes.len()).filter(|&i| !same_tool(tools.route(i), previous_tools.route(i))));
    }

    let mut files = Vec::new();
    let mut kept = HashSet::new();
    let mut kept_languages = BTreeSet::new();
    let mut route_errors = BTreeMap::new();
    let mut extra_errors = Vec::new();
    let mut rendered = false;
    if let Some(theme) = theme.as_ref().filter(|t| !t.sources.is_empty()) {
        let mut missing = crate::missing_templates(&site, theme, &display_dir);
        if missing.is_empty() {
            let routes = &site.routes.routes;
            let render: Vec<usize> = match &targets {
                Some(targets) => targets.iter().copied().collect(),
                None => (0..routes.len()).collect(),
            };
            if render.len() < routes.len() {
                let set: HashSet<usize> = render.iter().copied().collect();
                kept = (0..routes.len()).filter(|i| !set.contains(i)).map(|i| routes[i].url.clone()).collect();
            }
            let pages: Vec<_> = render.par_iter().map(|&i| (i, render_one(&site, theme, &bodies, &tools, i))).collect();
            for (i, result) in pages {
                match result {
                    Ok(file) => files.push(file),
                    Err(d) => {
                        route_errors.insert(i, d);
                    }
                }
            }
            // Taxonomy, search and root pages show only routes of their own language.
            let languages: Option<BTreeSet<&str>> =
                targets.as_ref().map(|t| t.iter().map(|&i| routes[i].lang.as_str()).collect());
            let want = |lang: &str, _: &str| languages.as_ref().is_none_or(|l| l.contains(lang));
            for result in site.render_extras(theme, &want) {
                match result {
                    Ok(file) => files.push(file),
                    Err(d) => extra_errors.push(d),
                }
            }
            if let Some(languages) = languages {
                kept_languages =
                    site.language_codes().into_iter().filter(|l| !languages.contains(l.as_str())).collect();
            }
            rendered = true;
        }
        theme_diagnostics.append(&mut missing);
    }
    files.push(feeds::render_sitemap(&site));
    files.push(feeds::render_robots(&site));
    files.extend(feeds::render_feeds(&site));
    files.extend(crate::model_document_downloads(&site));
    let copies = crate::static_copies(&site, &theme_dir);
    let kept_pages = site.routes.routes.iter().filter(|r| kept.contains(&r.url));
    let targets = files
        .iter()
        .map(|f| (f.path.as_str(), f.origin.as_path()))
        .chain(kept_pages.map(|r| (r.url.as_str(), site.content.pages[r.page].file.as_path())))
        .chain(copies.iter().map(|c| (c.path.as_str(), c.source.as_path())));
    content_diagnostics.extend(render::check_unique_paths(targets));
    let snapshot = Snapshot {
        site,
        theme,
        bodies,
        body_keys,
        body_inputs,
        tools,
        content_diagnostics,
        theme_diagnostics,
        route_errors,
        extra_errors,
        rendered,
        written: false,
        disk_theme: None,
    };
    Made { snapshot, files, copies, kept, kept_languages }
}

/// The routes to render when only content changed and `site` has the pages and routes of
/// `previous` (whose rendering the output folder holds): those showing something of a page
/// whose text or front matter changed, and the sections whose pages changed order. `None`:
/// render every route. Bodies and tool contexts that changed are added by the caller.
fn routes_to_render(site: &Site, previous: &Snapshot) -> Option<BTreeSet<usize>> {
    let (old, new) = (&previous.site, site);
    let same_shape = previous.written
        && previous.rendered
        && old.language_codes() == new.language_codes()
        && old.completeness == new.completeness
        && old.content.pages.len() == new.content.pages.len()
        && old.routes.routes.len() == new.routes.routes.len();
    if !same_shape {
        return None;
    }
    let mut targets = BTreeSet::new();
    for (i, (a, b)) in old.routes.routes.iter().zip(&new.routes.routes).enumerate() {
        let same = (&a.lang, a.page, a.fallback, &a.rel_path, &a.url, &a.key, a.parent)
            == (&b.lang, b.page, b.fallback, &b.rel_path, &b.url, &b.key, b.parent);
        if !same {
            return None;
        }
        if a.children != b.children {
            // Reordered (the same children, as parents are the same): the list and every
            // page's neighbours.
            targets.insert(i);
            targets.extend(&b.children);
        }
    }
    let mut edited = BTreeSet::new();
    let mut keys = BTreeSet::new();
    for (p, (a, b)) in old.content.pages.iter().zip(&new.content.pages).enumerate() {
        if (&a.lang, &a.rel_path) != (&b.lang, &b.rel_path) {
            return None;
        }
        if a.front != b.front || a.body != b.body || a.body_line != b.body_line || a.digest != b.digest {
            edited.insert(p);
            if b.lang == new.config.source_language {
                keys.insert(b.translation_key());
            }
        }
    }
    let routes = &new.routes.routes;
    // A page shows on its own routes and its fallbacks, and in the lists and navigation of
    // others (`routes_showing`); a source page's translations show whether they are stale.
    let shown: BTreeSet<usize> = (0..routes.len()).filter(|&i| edited.contains(&routes[i].page)).collect();
    targets.extend(new.routes_showing(&shown));
    targets.extend((0..routes.len()).filter(|&i| keys.contains(new.content.pages[routes[i].page].translation_key())));
    Some(targets)
}

/// Renders every route's body, taking those of `previous` whose inputs are the same; returns
/// the bodies, their keys and the routes whose body was rendered anew.
pub(super) fn render_bodies_reusing(
    site: &Site,
    inputs: &BodyInputs,
    previous: Option<Snapshot>,
) -> (Vec<Rendered>, Vec<u64>, Vec<usize>) {
    let keys: Vec<u64> = (0..site.routes.routes.len()).into_par_iter().map(|i| inputs.key(site, i)).collect();
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
    let new: Vec<usize> = missing.iter().map(|(i, _)| *i).collect();
    for (i, body) in missing {
        bodies[i] = Some(body);
    }
    (bodies.into_iter().map(Option::unwrap_or_default).collect(), keys, new)
}

/// What a language's search files are built from: its documents and its analyzer.
pub(super) fn docs_fingerprint(site: &Site, lang: &str, docs: &[search::SearchDoc]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    site.config.languages.get(lang).and_then(|s| s.analyzer.as_deref()).hash(&mut h);
    for group in crate::search_synonyms(site, lang) {
        group.members.hash(&mut h);
    }
    for d in docs {
        (&d.url, &d.page_title, &d.section, &d.body, &d.description, &d.kind, &d.audience, &d.topics).hash(&mut h);
    }
    h.finish()
}

pub(super) fn build_search_language(site: &Site, bodies: &[Rendered], lang: &str) -> Result<(u64, Vec<OutputFile>)> {
    let docs = crate::search_docs(site, bodies, lang);
    let print = docs_fingerprint(site, lang, &docs);
    Ok((print, build_search_docs(site, lang, &docs)?))
}

/// One language's index, as `crate::build` makes it (the analyzer of `portal.toml` if set).
pub(super) fn build_search_docs(site: &Site, lang: &str, docs: &[search::SearchDoc]) -> Result<Vec<OutputFile>> {
    let dir = crate::search_index_dir(&site.root, lang);
    let analyzer = crate::search_analyzer(site, lang)?;
    let synonyms = crate::search_synonyms(site, lang);
    let built = search::build_language_timed(lang, &analyzer, docs, synonyms, &dir, &search::ShardSizes::default())?;
    Ok(built.files.into_iter().map(crate::search_output_file).collect())
}
