//! Render: every route's Markdown body and template context -> HTML, plus the pages that come
//! from no Markdown file (taxonomy lists, search, the language chooser, 404). Pure: the result
//! is a list of output files that only `output` writes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::content::routes::{join_relative, relative_url, root_prefix};
use crate::content::{Kind, Page};
use crate::error::Diagnostic;
use crate::markdown::{render_markdown, RenderOptions, Rendered, ResolvedLink, TocEntry};
use crate::output::OutputFile;
use crate::site::Site;
use crate::templates::Theme;

/// The Content-Security-Policy of every page: scripts and styles only from the site's own
/// files, nothing inline, no request to anyone else.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'";

/// The root pages: the language chooser and the page hosts show for a missing file.
const LANGUAGE_CHOOSER: &str = "index.html";
const NOT_FOUND: &str = "404.html";

/// Selects pages by language and template: `Site::render_extras` renders only those.
pub type Want<'a> = dyn Fn(&str, &str) -> bool + Sync + 'a;

#[derive(Serialize)]
struct LinkCtx {
    title: String,
    url: String,
    /// Language and direction of `title` when it is not the page's (an untranslated page's
    /// title): templates mark it so that screen readers and the bidi algorithm get it right.
    lang: Option<String>,
    dir: Option<&'static str>,
}

/// `[publisher]` for the templates: the texts, and links where they are addresses.
#[derive(Serialize)]
struct PublisherCtx {
    name: String,
    contact: String,
    contact_href: Option<String>,
    report_error: String,
    report_error_href: Option<String>,
    /// The language the texts are written in (the source language's), when not the page's.
    lang: Option<String>,
    dir: Option<&'static str>,
}

/// The 404 page's message in one language.
#[derive(Serialize)]
struct NotFoundCtx {
    lang: String,
    dir: &'static str,
    title: String,
    text: String,
    home: String,
    home_url: String,
}

/// `mailto:` and `https:` addresses become links; anything else is shown as text.
fn address_href(text: &str) -> Option<String> {
    (text.starts_with("mailto:") || text.starts_with("https://") || text.starts_with("http://"))
        .then(|| text.to_string())
}

/// What a reader sees of an address: an e-mail address without its `mailto:`.
fn address_text(text: &str) -> String {
    text.strip_prefix("mailto:").unwrap_or(text).to_string()
}

#[derive(Serialize)]
struct ItemCtx {
    title: String,
    url: String,
    description: String,
    kind: &'static str,
    date: Option<String>,
    /// `date` in the words of the list's language.
    date_text: Option<String>,
    is_section: bool,
    fallback: bool,
    current: bool,
    /// Language and direction of the title and description when not the list's language.
    lang: Option<String>,
    dir: Option<&'static str>,
}

#[derive(Serialize)]
struct LanguageCtx {
    code: String,
    name: String,
    url: String,
    current: bool,
    /// The page exists in this language (translated, not a fallback).
    translated: bool,
    /// Share of the site translated into this language, when below 100%.
    percent: Option<String>,
    /// The same share for every language but the source (for the language chooser).
    completeness: Option<String>,
}

#[derive(Serialize)]
struct TermCtx {
    id: String,
    label: String,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct PageCtx {
    title: String,
    description: String,
    kind: &'static str,
    content: String,
    toc: Vec<TocEntry>,
    date: Option<String>,
    updated: Option<String>,
    /// `date` and `updated` in the words of the page's language ("2 March 2026").
    date_text: Option<String>,
    updated_text: Option<String>,
    audience: Vec<TermCtx>,
    topics: Vec<TermCtx>,
    fallback: bool,
    /// Language of the text (the source language for a fallback).
    text_lang: String,
    text_dir: &'static str,
    task_count: usize,
    is_section: bool,
    /// The page's structured tool (self-assessment, module, lesson, checklist), if any.
    tool: Option<crate::tools::ToolCtx>,
    /// A language home only: `content` split at its top-level `<h2>`s (what precedes the
    /// first, then the parts), for the front door to place.
    intro: Option<String>,
    parts: Vec<crate::page_parts::Part>,
}

/// Renders every body; the result is indexed like `site.routes.routes`.
pub fn render_bodies(site: &Site) -> Vec<Rendered> {
    site.routes.routes.par_iter().enumerate().map(|(i, _)| render_body(site, i)).collect()
}

/// Resolves a link or image written in the page of route `index` (in its Markdown or in its
/// data file): an anchor on the page, an external URL, another page by its `.md` path in the
/// route's language (or that language's fallback), or a file of the content.
pub fn resolve_link(site: &Site, index: usize, dest: &str) -> Result<ResolvedLink, String> {
    let route = &site.routes.routes[index];
    let page = &site.content.pages[route.page];
    let source = &site.config.source_language;
    if let Some(anchor) = dest.strip_prefix('#') {
        return Ok(ResolvedLink { href: dest.to_string(), target: Some((index, Some(anchor.to_string()))) });
    }
    if let Some(scheme) = crate::markdown::forbidden_scheme(dest) {
        return Err(format!("`{scheme}:` links are not allowed (they can run code in the reader's browser)"));
    }
    if is_external(dest) {
        return Ok(ResolvedLink { href: dest.to_string(), target: None });
    }
    if dest.starts_with('/') {
        return Err(format!("`{dest}` is an absolute path: write a relative link (e.g. ../guidance/backups.md) so the site also works from disk"));
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(a.to_string())),
        None => (dest, None),
    };
    let target = join_relative(&route.rel_path, path)
        .ok_or_else(|| format!("link `{dest}` leads outside content/{}/", route.lang))?;
    if path.ends_with(".md") {
        let Some(to) = site.routes.resolve(&site.content, &route.lang, source, &target) else {
            // A page that exists but failed to load has its own error; a second one here for
            // every link to it would only hide it.
            let failed = |lang: &str| site.content.failed.contains(&(lang.to_string(), target.clone()));
            if failed(&route.lang) || failed(source) {
                return Ok(ResolvedLink { href: dest.to_string(), target: None });
            }
            return Err(format!("broken link: `{dest}` (no page content/{}/{target})", route.lang));
        };
        let mut href = relative_url(&route.url, &site.routes.routes[to].url);
        if let Some(a) = &anchor {
            href.push('#');
            href.push_str(a);
        }
        Ok(ResolvedLink { href, target: Some((to, anchor)) })
    } else {
        let asset_lang = [route.lang.as_str(), page.lang.as_str(), source.as_str()]
            .into_iter()
            .find(|l| site.asset_exists(l, &target))
            .ok_or_else(|| format!("broken link: `{dest}` (no file content/{}/{target})", route.lang))?;
        Ok(ResolvedLink { href: relative_url(&route.url, &format!("{asset_lang}/{target}")), target: None })
    }
}

/// Renders the Markdown body of route `index` (what `render_bodies` does for every route).
pub fn render_body(site: &Site, index: usize) -> Rendered {
    let route = &site.routes.routes[index];
    let page = &site.content.pages[route.page];
    let resolve = |dest: &str| resolve_link(site, index, dest);
    let ui_text = |key: &str| site.strings.text(&page.lang, key);
    let opts = RenderOptions {
        file: &page.file,
        body_line: page.body_line,
        interactive_tasks: page.front.kind == Kind::Checklist,
        ui_text: &ui_text,
        resolve_link: &resolve,
    };
    let mut rendered = render_markdown(&page.body, &opts);
    if route.fallback {
        // The source page reports its own problems; its fallbacks would only repeat them.
        rendered.diagnostics.clear();
    }
    rendered
}

/// `https:`, `mailto:`, `tel:` and other schemes lead off the site.
fn is_external(dest: &str) -> bool {
    let scheme_end = dest.find(':');
    let path_start = dest.find(['/', '#', '?']).unwrap_or(dest.len());
    scheme_end.is_some_and(|i| i > 0 && i < path_start) || dest.starts_with("//")
}

/// Broken anchors: links to `page.md#x` where the page has no heading `x`.
pub fn check_anchors(site: &Site, bodies: &[Rendered]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        if site.routes.routes[i].fallback {
            continue;
        }
        let page = &site.content.pages[site.routes.routes[i].page];
        for r in &body.anchor_refs {
            if !bodies[r.route].anchors.contains(&r.anchor) && !TEMPLATE_ANCHORS.contains(&r.anchor.as_str()) {
                let target = &site.content.pages[site.routes.routes[r.route].page];
                out.push(Diagnostic::error(
                    &page.file,
                    r.line,
                    r.column,
                    format!("broken anchor: `#{}` is not a heading of {}", r.anchor, target.file.display()),
                ));
            }
        }
    }
    out
}

/// Ids the page templates always provide.
const TEMPLATE_ANCHORS: &[&str] = &["main", "top"];

fn date_string(d: &Option<crate::content::front_matter::Date>) -> Option<String> {
    d.as_ref().map(ToString::to_string)
}

/// The template a route is rendered with.
pub fn template_for(page: &Page) -> String {
    if page.rel_path == "_index.md" {
        "home.html".into()
    } else if page.is_section() && page.front.kind == Kind::Page {
        "section.html".into()
    } else {
        format!("{}.html", page.front.kind.as_str())
    }
}

impl Site {
    fn item(&self, from: &str, index: usize, current: usize) -> ItemCtx {
        let route = &self.routes.routes[index];
        let page = &self.content.pages[route.page];
        let (lang, dir) = self.foreign_text(&page.lang, &route.lang);
        ItemCtx {
            title: page.front.title.clone(),
            url: relative_url(from, &route.url),
            description: page.front.description.clone(),
            kind: page.front.kind.as_str(),
            date: date_string(&page.front.date),
            date_text: page.front.date.as_ref().map(|d| crate::dates::format_date(&self.strings, &route.lang, d)),
            is_section: page.is_section(),
            fallback: route.fallback,
            current: index == current,
            lang,
            dir,
        }
    }

    /// A link to route `index` from the page at `from`, its title marked when foreign.
    fn link(&self, from: &str, index: usize) -> LinkCtx {
        let route = &self.routes.routes[index];
        let page = &self.content.pages[route.page];
        let (lang, dir) = self.foreign_text(&page.lang, &route.lang);
        LinkCtx { title: page.front.title.clone(), url: relative_url(from, &route.url), lang, dir }
    }

    /// The `lang` and `dir` to mark a text written in `text_lang` on a page in `page_lang`:
    /// none when they are the same language.
    fn foreign_text(&self, text_lang: &str, page_lang: &str) -> (Option<String>, Option<&'static str>) {
        if text_lang == page_lang {
            (None, None)
        } else {
            (Some(text_lang.to_string()), Some(self.language(text_lang).dir.as_str()))
        }
    }

    /// The `[pages]` of portal.toml in `lang`, by key (`help`, `first_hour`, ...), each linked
    /// with `url_of` (a route's output path -> the URL to write).
    fn site_pages(&self, lang: &str, url_of: &dyn Fn(&str) -> String) -> BTreeMap<&'static str, LinkCtx> {
        crate::config::SitePage::ALL
            .iter()
            .filter_map(|&which| {
                let path = self.config.pages.get(which)?;
                let r = self.routes.resolve(&self.content, lang, &self.config.source_language, path.get_ref())?;
                let mut link = self.link(&self.routes.routes[r].url, r);
                link.url = url_of(&self.routes.routes[r].url);
                Some((which.key(), link))
            })
            .collect()
    }

    /// The footer's links: about, accessibility, privacy, help (those configured).
    fn footer_nav<'a>(pages: &'a BTreeMap<&'static str, LinkCtx>) -> Vec<&'a LinkCtx> {
        ["about", "accessibility", "privacy", "help"].iter().filter_map(|k| pages.get(k)).collect()
    }

    fn publisher(&self, lang: &str) -> Option<PublisherCtx> {
        let p = self.config.publisher.as_ref()?;
        let report = p.report_error.clone().unwrap_or_else(|| p.contact.clone());
        let (text_lang, dir) = self.foreign_text(&self.config.source_language, lang);
        Some(PublisherCtx {
            name: p.name.clone(),
            contact: address_text(&p.contact),
            contact_href: address_href(&p.contact),
            report_error: address_text(&report),
            report_error_href: address_href(&report),
            lang: text_lang,
            dir,
        })
    }

    /// The pages' settings the header and footer of every page of `lang` show.
    fn insert_site_links(&self, ctx: &mut tera::Context, lang: &str, url_of: &dyn Fn(&str) -> String) {
        let pages = self.site_pages(lang, url_of);
        ctx.insert("footer_nav", &Self::footer_nav(&pages));
        ctx.insert("site_pages", &pages);
        ctx.insert("publisher", &self.publisher(lang));
    }

    fn term_label(&self, lang: &str, taxonomy: &str, id: &str) -> String {
        self.strings.get(lang, &format!("{taxonomy}.{id}")).map_or_else(|| id.to_string(), str::to_string)
    }

    fn terms(&self, from: &str, lang: &str, taxonomy: &str, ids: &[String]) -> Vec<TermCtx> {
        ids.iter()
            .map(|id| TermCtx {
                id: id.clone(),
                label: self.term_label(lang, taxonomy, id),
                url: relative_url(from, &format!("{lang}/{taxonomy}/{id}.html")),
                count: 0,
            })
            .collect()
    }

    /// Switcher entries: the same page in every language (or that language's home).
    fn language_links(&self, from: &str, lang: &str, key: Option<&str>) -> Vec<LanguageCtx> {
        self.languages
            .iter()
            .map(|l| {
                let same = key.and_then(|k| self.routes.by_key(&l.code, k));
                let (url, translated) = match same {
                    Some(r) => (relative_url(from, &self.routes.routes[r].url), !self.routes.routes[r].fallback),
                    None => (relative_url(from, &format!("{}/index.html", l.code)), false),
                };
                let completeness = self.completeness.get(&l.code).map(|p| crate::translation_state::format_percent(*p));
                let percent = completeness.clone().filter(|p| p != "100");
                LanguageCtx {
                    code: l.code.clone(),
                    name: l.name.clone(),
                    url,
                    current: l.code == lang,
                    translated,
                    percent,
                    completeness,
                }
            })
            .collect()
    }

    /// Context shared by every page of a language.
    fn base_context(&self, url: &str, lang: &str) -> tera::Context {
        let language = self.language(lang);
        let mut ctx = tera::Context::new();
        let root = root_prefix(url);
        ctx.insert("lang", lang);
        ctx.insert("dir", language.dir.as_str());
        ctx.insert("lang_name", &language.name);
        ctx.insert("root", &root);
        ctx.insert("url", url);
        ctx.insert("site_title", self.config.site_title(lang));
        ctx.insert("csp", CSP);
        ctx.insert("source_lang", &self.config.source_language);
        // Named in the reader's language ("Englisch" on a German page), for the fallback and
        // stale notices; the autonym where the built-in table has no name.
        let source_name = crate::i18n::language_name_in(&self.config.source_language, lang)
            .map_or_else(|| self.language(&self.config.source_language).name, str::to_string);
        ctx.insert("source_lang_name", &source_name);
        ctx.insert("home_url", &relative_url(url, &format!("{lang}/index.html")));
        ctx.insert("search_url", &relative_url(url, &format!("{lang}/search.html")));
        ctx.insert("languages_url", &format!("{root}index.html#choose"));
        ctx.insert("feed_url", &relative_url(url, &format!("{lang}/news/atom.xml")));
        ctx.insert("news_url", &relative_url(url, &format!("{lang}/news/index.html")));
        ctx.insert("has_feed", &self.has_feed(lang));
        let guidance_feed = crate::feeds::feed_path(self, lang, "guidance").map(|p| relative_url(url, &p));
        ctx.insert("guidance_feed_url", &guidance_feed);
        ctx.insert("main_nav", &self.main_nav(url, lang));
        self.insert_site_links(&mut ctx, lang, &|to| relative_url(url, to));
        ctx.insert("noindex", &false);
        ctx
    }

    fn main_nav(&self, from: &str, lang: &str) -> Vec<LinkCtx> {
        let Some(home) = self.routes.by_path(lang, "_index.md") else {
            return Vec::new();
        };
        // The pages of `[pages]` have their own places (the emergency link, the footer).
        self.routes.routes[home]
            .children
            .iter()
            .filter(|&&c| !self.config.pages.contains(&self.routes.routes[c].rel_path))
            .map(|&c| self.link(from, c))
            .collect()
    }

    pub fn has_feed(&self, lang: &str) -> bool {
        self.routes.by_path(lang, "news/_index.md").is_some()
    }

    /// Renders one route with its template. `content` is the body's HTML, passed apart so that
    /// a build can hand each page's HTML over instead of copying it (`body.html` is not used).
    pub fn render_route(
        &self,
        theme: &Theme,
        index: usize,
        body: &Rendered,
        content: String,
        tool: Option<&crate::tools::ToolCtx>,
    ) -> Result<String, Diagnostic> {
        let route = &self.routes.routes[index];
        let page = &self.content.pages[route.page];
        let url = &route.url;
        let lang = &route.lang;
        let mut ctx = self.base_context(url, lang);
        let text_language = self.language(&page.lang);
        let (intro, parts) = if page.rel_path == "_index.md" {
            let (intro, parts) = crate::page_parts::split_parts(&content, &body.toc);
            (Some(intro), parts)
        } else {
            (None, Vec::new())
        };
        let format = |d: &Option<crate::content::front_matter::Date>| {
            d.as_ref().map(|d| crate::dates::format_date(&self.strings, lang, d))
        };
        ctx.insert(
            "page",
            &PageCtx {
                title: page.front.title.clone(),
                description: page.front.description.clone(),
                kind: page.front.kind.as_str(),
                content,
                // A tool adds its own parts (the self-assessment's themes) after the text's.
                toc: body.toc.iter().chain(tool.iter().flat_map(|t| &t.toc)).cloned().collect(),
                date: date_string(&page.front.date),
                updated: date_string(&page.front.updated),
                date_text: format(&page.front.date),
                updated_text: format(&page.front.updated),
                audience: self.terms(url, lang, "audience", &page.front.audience),
                topics: self.terms(url, lang, "topics", &page.front.topics),
                fallback: route.fallback,
                text_lang: page.lang.clone(),
                text_dir: text_language.dir.as_str(),
                task_count: body.task_count,
                is_section: page.is_section(),
                tool: tool.cloned(),
                intro,
                parts,
            },
        );
        // Which of `[pages]` this page is (`about`, `help`, ...), for what the theme adds to it.
        let site_page = crate::config::SitePage::ALL.iter().find(|&&which| {
            self.config.pages.get(which).and_then(|p| self.routes.by_path(lang, p.get_ref())) == Some(index)
        });
        ctx.insert("site_page", &site_page.map(|p| p.key()));
        ctx.insert("noindex", &route.fallback);
        let stale = self
            .translation_states
            .get(&route.page)
            .is_some_and(|s| s.state != crate::translation_state::PageState::Current);
        let stale_source = crate::translation_state::source_of(self, page).filter(|_| stale && !route.fallback);
        let stale_url = stale_source.and_then(|source| {
            let r = self.routes.by_path(&source.lang, &source.rel_path)?;
            Some(relative_url(url, &self.routes.routes[r].url))
        });
        ctx.insert("stale_source_url", &stale_url);
        ctx.insert("languages", &self.language_links(url, lang, Some(&route.key)));
        let alternates: Vec<LinkCtx> = self
            .languages
            .iter()
            .filter_map(|l| {
                let r = self.routes.by_key(&l.code, &route.key)?;
                (!self.routes.routes[r].fallback).then(|| LinkCtx {
                    title: l.code.clone(),
                    url: relative_url(url, &self.routes.routes[r].url),
                    lang: None,
                    dir: None,
                })
            })
            .collect();
        ctx.insert("alternates", &alternates);

        let mut crumbs = Vec::new();
        let mut parent = route.parent;
        while let Some(p) = parent {
            crumbs.push(self.link(url, p));
            parent = self.routes.routes[p].parent;
        }
        crumbs.reverse();
        ctx.insert("breadcrumbs", &crumbs);

        let children: Vec<ItemCtx> = route.children.iter().map(|&c| self.item(url, c, index)).collect();
        ctx.insert("children", &children);
        let siblings: Vec<usize> = route.parent.map(|p| self.routes.routes[p].children.clone()).unwrap_or_default();
        let position = siblings.iter().position(|&s| s == index);
        let prev = position.and_then(|p| p.checked_sub(1)).map(|p| self.item(url, siblings[p], index));
        let next = position.and_then(|p| siblings.get(p + 1)).map(|&s| self.item(url, s, index));
        ctx.insert("prev", &prev);
        ctx.insert("next", &next);
        let section_nav: Vec<ItemCtx> =
            nav_window(&siblings, position).iter().map(|&s| self.item(url, s, index)).collect();
        ctx.insert("section_nav_partial", &(section_nav.len() < siblings.len()));
        ctx.insert("section_nav", &section_nav);
        if let Some(p) = route.parent {
            ctx.insert("section", &self.item(url, p, index));
        }
        // Only a language's home lists the news; scanning every route for every page would make
        // the build quadratic.
        if page.rel_path == "_index.md" {
            ctx.insert("latest_news", &self.latest_news(url, lang, 3));
        }

        let template = template_for(page);
        theme
            .render(lang, &template, &ctx, &self.theme_display_dir())
            .map_err(|d| Diagnostic { message: format!("{} (rendering {})", d.message, page.file.display()), ..d })
    }

    /// The routes whose rendering (`render_route`) shows something of the routes `shown`: the
    /// routes themselves, their sections (children lists), the siblings whose section
    /// navigation lists them, their descendants (breadcrumbs, section link), their language's
    /// home (latest news) and, for a top-level section, every route of its language (main
    /// navigation). Keep in step with `render_route`.
    pub fn routes_showing(&self, shown: &BTreeSet<usize>) -> BTreeSet<usize> {
        let routes = &self.routes.routes;
        let mut out = BTreeSet::new();
        let mut main_nav_languages = BTreeSet::new();
        for &i in shown {
            out.insert(i);
            if let Some(home) = self.routes.by_path(&routes[i].lang, "_index.md") {
                out.insert(home);
            }
            if let Some(parent) = routes[i].parent {
                out.insert(parent);
                let siblings = &routes[parent].children;
                for (position, &sibling) in siblings.iter().enumerate() {
                    if nav_window(siblings, Some(position)).contains(&i) {
                        out.insert(sibling);
                    }
                }
                if routes[parent].parent.is_none() && routes[parent].rel_path == "_index.md" {
                    main_nav_languages.insert(routes[i].lang.as_str());
                }
            }
            let mut below = routes[i].children.clone();
            while let Some(child) = below.pop() {
                out.insert(child);
                below.extend(&routes[child].children);
            }
        }
        out.extend((0..routes.len()).filter(|&i| main_nav_languages.contains(routes[i].lang.as_str())));
        out
    }

    fn latest_news(&self, from: &str, lang: &str, count: usize) -> Vec<ItemCtx> {
        let mut news: Vec<usize> = self
            .routes
            .routes
            .iter()
            .enumerate()
            .filter(|(_, r)| r.lang == lang && self.content.pages[r.page].front.kind == Kind::News)
            .map(|(i, _)| i)
            .collect();
        news.sort_by(|&a, &b| {
            let (pa, pb) =
                (&self.content.pages[self.routes.routes[a].page], &self.content.pages[self.routes.routes[b].page]);
            date_string(&pb.front.date).cmp(&date_string(&pa.front.date)).then_with(|| pa.rel_path.cmp(&pb.rel_path))
        });
        news.into_iter().take(count).map(|i| self.item(from, i, usize::MAX)).collect()
    }

    /// The pages that come from no Markdown file (taxonomies, search, the root pages) whose
    /// language and template `want` selects.
    pub fn render_extras(&self, theme: &Theme, want: &Want) -> Vec<Result<OutputFile, Diagnostic>> {
        let mut out = self.render_taxonomies(theme, want);
        out.extend(self.render_search_pages(theme, want));
        out.extend(self.render_root_pages(theme, want));
        out
    }

    /// Taxonomy term pages and the list of terms, per language and taxonomy.
    fn render_taxonomies(&self, theme: &Theme, want: &Want) -> Vec<Result<OutputFile, Diagnostic>> {
        let mut out = Vec::new();
        for language in &self.languages {
            let lang = &language.code;
            let (want_list, want_term) = (want(lang, "terms.html"), want(lang, "taxonomy.html"));
            if !want_list && !want_term {
                continue;
            }
            for taxonomy in ["audience", "topics"] {
                let mut terms: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
                for (i, r) in self.routes.routes.iter().enumerate().filter(|(_, r)| &r.lang == lang) {
                    let front = &self.content.pages[r.page].front;
                    let ids = if taxonomy == "audience" { &front.audience } else { &front.topics };
                    for id in ids {
                        terms.entry(id).or_default().push(i);
                    }
                }
                if terms.is_empty() {
                    continue;
                }
                let list_url = format!("{lang}/{taxonomy}/index.html");
                let mut ctx = self.base_context(&list_url, lang);
                let term_list: Vec<TermCtx> = terms
                    .iter()
                    .map(|(id, pages)| TermCtx {
                        id: id.to_string(),
                        label: self.term_label(lang, taxonomy, id),
                        url: format!("{id}.html"),
                        count: pages.len(),
                    })
                    .collect();
                ctx.insert("taxonomy", taxonomy);
                ctx.insert("terms", &term_list);
                ctx.insert("languages", &self.language_links(&list_url, lang, None));
                if want_list {
                    out.push(self.render_extra(theme, lang, "terms.html", &list_url, &ctx));
                }
                if !want_term {
                    continue;
                }
                for (id, mut pages) in terms {
                    let url = format!("{lang}/{taxonomy}/{id}.html");
                    pages.sort_by(|&a, &b| {
                        let (pa, pb) = (
                            &self.content.pages[self.routes.routes[a].page],
                            &self.content.pages[self.routes.routes[b].page],
                        );
                        pa.front.title.cmp(&pb.front.title).then_with(|| pa.rel_path.cmp(&pb.rel_path))
                    });
                    let mut ctx = self.base_context(&url, lang);
                    ctx.insert("taxonomy", taxonomy);
                    ctx.insert(
                        "term",
                        &TermCtx {
                            id: id.to_string(),
                            label: self.term_label(lang, taxonomy, id),
                            url: "index.html".into(),
                            count: pages.len(),
                        },
                    );
                    ctx.insert("children", &pages.iter().map(|&p| self.item(&url, p, usize::MAX)).collect::<Vec<_>>());
                    ctx.insert("languages", &self.language_links(&url, lang, None));
                    out.push(self.render_extra(theme, lang, "taxonomy.html", &url, &ctx));
                }
            }
        }
        out
    }

    /// Pages of every language that come from no Markdown file: search.
    fn render_search_pages(&self, theme: &Theme, want: &Want) -> Vec<Result<OutputFile, Diagnostic>> {
        self.languages
            .iter()
            .filter(|l| want(&l.code, "search.html"))
            .map(|l| {
                let url = format!("{}/search.html", l.code);
                let mut ctx = self.base_context(&url, &l.code);
                ctx.insert("languages", &self.language_links(&url, &l.code, None));
                let kinds: BTreeSet<&str> = self
                    .routes
                    .routes
                    .iter()
                    .filter(|r| r.lang == l.code && !r.fallback)
                    .map(|r| self.content.pages[r.page].front.kind.as_str())
                    .collect();
                let audiences: BTreeSet<&str> = self
                    .routes
                    .routes
                    .iter()
                    .filter(|r| r.lang == l.code && !r.fallback)
                    .flat_map(|r| self.content.pages[r.page].front.audience.iter().map(String::as_str))
                    .collect();
                ctx.insert(
                    "kinds",
                    &kinds
                        .into_iter()
                        .map(|k| LinkCtx {
                            title: self.strings.text(&l.code, &format!("kind.{k}")),
                            url: k.to_string(),
                            lang: None,
                            dir: None,
                        })
                        .collect::<Vec<_>>(),
                );
                ctx.insert(
                    "audiences",
                    &audiences
                        .into_iter()
                        .map(|a| LinkCtx {
                            title: self.term_label(&l.code, "audience", a),
                            url: a.to_string(),
                            lang: None,
                            dir: None,
                        })
                        .collect::<Vec<_>>(),
                );
                self.render_extra(theme, &l.code, "search.html", &url, &ctx)
            })
            .collect()
    }

    /// The language of the page from no Markdown file that `path` would be: `<lang>/...`, or a
    /// root page (in the source language).
    pub fn extra_page_language<'a>(&'a self, path: &'a str) -> Option<&'a str> {
        if [LANGUAGE_CHOOSER, NOT_FOUND].contains(&path) {
            return Some(&self.config.source_language);
        }
        path.split_once('/').map(|(lang, _)| lang)
    }

    /// The root language chooser and the 404 page.
    fn render_root_pages(&self, theme: &Theme, want: &Want) -> Vec<Result<OutputFile, Diagnostic>> {
        let source = &self.config.source_language;
        let mut pages = Vec::new();
        if want(source, "languages.html") {
            let mut ctx = self.base_context(LANGUAGE_CHOOSER, source);
            ctx.insert("languages", &self.language_links(LANGUAGE_CHOOSER, source, Some("_index.md")));
            pages.push(self.render_extra(theme, source, "languages.html", LANGUAGE_CHOOSER, &ctx));
        }
        if !want(source, "404.html") {
            return pages;
        }
        // A host serves the 404 page in place of any missing file, at any depth: relative links
        // would resolve against the missing URL, so every URL in it starts with the site's path
        // on its host (from base_url, e.g. /portal/). It speaks every language of the site.
        let base_path = self.config.base_path();
        let absolute = |to: &str| format!("{base_path}{to}");
        let mut ctx = self.base_context(NOT_FOUND, source);
        ctx.insert("root", &base_path);
        ctx.insert("home_url", &absolute(&format!("{source}/index.html")));
        ctx.insert("languages_url", &absolute("index.html#choose"));
        ctx.insert("search_url", &absolute(&format!("{source}/search.html")));
        ctx.insert("has_feed", &false);
        ctx.insert("guidance_feed_url", &None::<String>);
        ctx.insert("main_nav", &Vec::<LinkCtx>::new());
        ctx.insert("languages", &Vec::<LanguageCtx>::new());
        self.insert_site_links(&mut ctx, source, &absolute);
        let messages: Vec<NotFoundCtx> = self
            .languages
            .iter()
            .map(|l| NotFoundCtx {
                lang: l.code.clone(),
                dir: l.dir.as_str(),
                title: self.strings.text(&l.code, "notfound.title"),
                text: self.strings.text(&l.code, "notfound.text"),
                home: self.strings.text(&l.code, "notfound.home"),
                home_url: absolute(&format!("{}/index.html", l.code)),
            })
            .collect();
        ctx.insert("not_found", &messages);
        pages.push(self.render_extra(theme, source, "404.html", NOT_FOUND, &ctx));
        pages
    }

    fn render_extra(
        &self,
        theme: &Theme,
        lang: &str,
        template: &str,
        url: &str,
        ctx: &tera::Context,
    ) -> Result<OutputFile, Diagnostic> {
        let display = self.theme_display_dir();
        if !theme.has(template) {
            return Err(Diagnostic::error(
                display.join("templates").join(template),
                0,
                0,
                format!("missing template `{template}` (needed for {url})"),
            ));
        }
        theme
            .render(lang, template, ctx, &display)
            .map(|html| OutputFile::new(url, html.into_bytes(), display.join("templates").join(template)))
            .map_err(|d| Diagnostic { message: format!("{} (rendering {url})", d.message), ..d })
    }

    pub fn theme_display_dir(&self) -> std::path::PathBuf {
        Path::new("themes").join(&self.config.theme)
    }
}

/// Sections up to this size are listed whole beside each of their pages.
const NAV_FULL: usize = 30;
/// In larger sections, the pages listed on either side of the current one.
const NAV_AROUND: usize = 10;

/// The siblings a page's section navigation lists: all of a small section, or a window around
/// the page in a large one. A list of hundreds of links helps no reader, and listing them on
/// every page would make build time and output size grow with the square of the section.
pub(crate) fn nav_window(siblings: &[usize], position: Option<usize>) -> &[usize] {
    if siblings.len() <= NAV_FULL {
        return siblings;
    }
    let at = position.unwrap_or(0);
    let start = at.saturating_sub(NAV_AROUND);
    let end = (at + NAV_AROUND + 1).min(siblings.len());
    &siblings[start..end]
}

/// Where a model document's Markdown is offered for download: next to its page.
pub fn markdown_download_path(url: &str) -> String {
    format!("{}.md", url.strip_suffix(".html").unwrap_or(url))
}

/// Output path collisions: two sources writing one file (an error naming both).
pub fn check_unique_paths<'a>(targets: impl Iterator<Item = (&'a str, &'a Path)>) -> Vec<Diagnostic> {
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    let mut out = Vec::new();
    for (path, origin) in targets {
        match seen.get(path) {
            Some(first) if *first != origin => out.push(Diagnostic::error(
                origin,
                1,
                1,
                format!("two pages with one output path: {path} is also written by {}", first.display()),
            )),
            Some(_) => {}
            None => {
                seen.insert(path, origin);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_sections_show_a_window_of_neighbours() {
        let small: Vec<usize> = (0..NAV_FULL).collect();
        assert_eq!(nav_window(&small, Some(3)).len(), NAV_FULL);
        let large: Vec<usize> = (0..500).collect();
        assert_eq!(nav_window(&large, Some(0)), &large[..NAV_AROUND + 1]);
        assert_eq!(nav_window(&large, Some(250)), &large[240..261]);
        assert_eq!(nav_window(&large, Some(499)), &large[489..]);
    }

    #[test]
    fn external_links_are_recognised() {
        assert!(is_external("https://www.enisa.europa.eu/"));
        assert!(is_external("mailto:cert@example.org"));
        assert!(!is_external("../guidance/backups.md"));
        assert!(!is_external("backups.md#a:b"));
    }
}
