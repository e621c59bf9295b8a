//! Structured tools: the self-assessment and training quizzes, defined as TOML data next to
//! their pages, validated across languages and rendered to HTML plus a JSON data block that the
//! theme's scripts bring to life.
//!
//! Pipeline position: after the Markdown bodies are rendered (advice links are checked against
//! their anchors) and before the templates run. `load_tools` parses every data file a page
//! names (`assessment`, `quiz`), checks each file alone and against the source language's
//! (`validate`), resolves advice links per route and builds the template contexts (`render`).

pub mod assessment;
pub mod quiz;
pub mod render;
pub mod validate;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;

use toml::Spanned;

use crate::content::routes::join_relative;
use crate::content::{DataFile, Kind};
use crate::error::{line_col, Diagnostic};
use crate::markdown::Rendered;
use crate::site::Site;
use assessment::Assessment;
use quiz::Quiz;
pub use render::ToolCtx;

/// A data file's display path and text, for diagnostics with lines.
#[derive(Debug, Clone, Copy)]
pub struct Located<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

/// The 1-based line on which a span starts.
pub fn line_of(text: &str, span: &Range<usize>) -> usize {
    line_col(text, span.start).0
}

/// The 1-based line and column (in characters) at which a span starts.
pub fn position_of(text: &str, span: &Range<usize>) -> (usize, usize) {
    line_col(text, span.start)
}

/// An error located at the start of a span of a data file.
pub fn error_at(path: &Path, text: &str, span: &Range<usize>, message: impl Into<String>) -> Diagnostic {
    let (line, column) = position_of(text, span);
    Diagnostic::error(path, line, column, message)
}

/// Ids end up in HTML ids, storage keys and exported answers: lowercase ASCII letters, digits
/// and inner hyphens keep them safe everywhere and identical across languages.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Checks one id's syntax and uniqueness among `seen` (which it joins).
pub fn check_id(file: &Located, what: &str, id: &Spanned<String>, seen: &mut BTreeSet<String>) -> Option<Diagnostic> {
    let (line, column) = position_of(file.text, &id.span());
    if !is_valid_id(id.get_ref()) {
        return Some(Diagnostic::error(
            file.path,
            line,
            column,
            format!("{what} id `{}` is not valid: use lowercase letters, digits and hyphens", id.get_ref()),
        ));
    }
    if !seen.insert(id.get_ref().clone()) {
        return Some(Diagnostic::error(file.path, line, column, format!("duplicate {what} id `{}`", id.get_ref())));
    }
    None
}

/// A parsed data file.
#[derive(Debug, Clone)]
pub enum Definition {
    Assessment(Assessment),
    Quiz(Quiz),
}

/// What the tools stage hands to rendering: a context per route (indexed like
/// `site.routes.routes`) and every problem found.
#[derive(Debug, Default)]
pub struct Tools {
    pub routes: Vec<Option<ToolCtx>>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Tools {
    /// The tool context of route `index`, if its page has one.
    pub fn route(&self, index: usize) -> Option<&ToolCtx> {
        self.routes.get(index).and_then(Option::as_ref)
    }
}

/// A page's data file, found and parsed.
pub struct Loaded<'a> {
    pub data: &'a DataFile,
    pub definition: Definition,
}

/// Parses, validates and renders the contexts of every tool of the site.
pub fn load_tools(site: &Site, bodies: &[Rendered]) -> Tools {
    let mut diagnostics = Vec::new();
    let loaded = load_definitions(site, &mut diagnostics);
    diagnostics.extend(compare_languages(site, &loaded));
    diagnostics.extend(compare_repeats(site));
    let mut routes = Vec::with_capacity(site.routes.routes.len());
    for (i, route) in site.routes.routes.iter().enumerate() {
        let (ctx, mut problems) = render::route_context(site, bodies, i, loaded.get(&route.page));
        // A fallback shows the source page's data, whose problems the source route reports.
        if !route.fallback {
            diagnostics.append(&mut problems);
        }
        routes.push(ctx);
    }
    Tools { routes, diagnostics }
}

/// The definition kind a page's `data` file holds, by the page's kind.
fn expected_definition(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Tool => Some("self-assessment"),
        Kind::Training => Some("quiz"),
        _ => None,
    }
}

/// Finds and parses the data file of every page that names one (by page index).
fn load_definitions<'a>(site: &'a Site, diagnostics: &mut Vec<Diagnostic>) -> BTreeMap<usize, Loaded<'a>> {
    let mut loaded = BTreeMap::new();
    let mut used = BTreeSet::new();
    for (p, page) in site.content.pages.iter().enumerate() {
        let Some(name) = &page.front.data else {
            continue;
        };
        let Some(what) = expected_definition(page.front.kind) else {
            diagnostics.push(Diagnostic::error(
                &page.file,
                1,
                0,
                format!(
                    "`data` is for pages of kind tool (a self-assessment) or training (a quiz), not {}",
                    page.front.kind.as_str()
                ),
            ));
            continue;
        };
        let found = join_relative(&page.rel_path, name)
            .and_then(|rel| site.content.data.iter().find(|d| d.lang == page.lang && d.rel_path == rel));
        let Some(data) = found else {
            diagnostics.push(Diagnostic::error(
                &page.file,
                1,
                0,
                format!(
                    "data file `{name}` not found next to this page (content/{}/{}): every language that translates the page needs its own {what} file",
                    page.lang,
                    join_relative(&page.rel_path, name).unwrap_or_else(|| name.clone())
                ),
            ));
            continue;
        };
        used.insert((data.lang.as_str(), data.rel_path.as_str()));
        let file = Located { path: &data.file, text: &data.text };
        let parsed = match page.front.kind {
            Kind::Training => quiz::parse_quiz(file.path, file.text).map(|q| {
                diagnostics.extend(quiz::check_quiz(&file, &q));
                Definition::Quiz(q)
            }),
            _ => assessment::parse_assessment(file.path, file.text).map(|a| {
                diagnostics.extend(assessment::check_assessment(&file, &a));
                Definition::Assessment(a)
            }),
        };
        match parsed {
            Ok(definition) => {
                loaded.insert(p, Loaded { data, definition });
            }
            Err(d) => diagnostics.push(d),
        }
    }
    for data in &site.content.data {
        if !used.contains(&(data.lang.as_str(), data.rel_path.as_str())) {
            diagnostics.push(Diagnostic::warning(
                &data.file,
                0,
                0,
                "no page names this data file (`data = \"...\"` in its front matter): it is not used",
            ));
        }
    }
    loaded
}

/// Every translated page's definition against its source page's.
fn compare_languages(site: &Site, loaded: &BTreeMap<usize, Loaded>) -> Vec<Diagnostic> {
    let source_lang = &site.config.source_language;
    let mut out = Vec::new();
    for (p, page) in site.content.pages.iter().enumerate() {
        if &page.lang == source_lang {
            continue;
        }
        let Some(source_page) = site
            .routes
            .by_key(source_lang, page.translation_key())
            .map(|r| site.routes.routes[r].page)
            .filter(|&sp| sp != p)
        else {
            continue;
        };
        let source = &site.content.pages[source_page];
        match (&source.front.data, &page.front.data) {
            (Some(name), None) if expected_definition(page.front.kind).is_some() => {
                out.push(Diagnostic::error(
                    &page.file,
                    1,
                    0,
                    format!(
                        "the source page {} has `data = \"{name}\"`: add it here, with the translated file",
                        source.file.display()
                    ),
                ));
                continue;
            }
            _ => {}
        }
        let (Some(l), Some(s)) = (loaded.get(&p), loaded.get(&source_page)) else {
            continue;
        };
        let locale = Located { path: &l.data.file, text: &l.data.text };
        let src = Located { path: &s.data.file, text: &s.data.text };
        match (&l.definition, &s.definition) {
            (Definition::Assessment(la), Definition::Assessment(sa)) => {
                out.extend(validate::compare_assessments(&locale, la, &src, sa));
            }
            (Definition::Quiz(lq), Definition::Quiz(sq)) => {
                out.extend(validate::compare_quizzes(&locale, lq, &src, sq));
            }
            _ => out.push(Diagnostic::error(
                &page.file,
                1,
                0,
                format!("this page's kind differs from the source page {}", source.file.display()),
            )),
        }
    }
    out
}

/// A translated checklist repeats like its source (`repeat = "monthly"`), so that every
/// language records its runs the same way.
fn compare_repeats(site: &Site) -> Vec<Diagnostic> {
    let source_lang = &site.config.source_language;
    let mut out = Vec::new();
    for page in site.content.pages.iter().filter(|p| &p.lang != source_lang && p.front.kind == Kind::Checklist) {
        let Some(source) = site
            .routes
            .by_key(source_lang, page.translation_key())
            .map(|r| &site.content.pages[site.routes.routes[r].page])
            .filter(|s| s.lang == *source_lang)
        else {
            continue;
        };
        if source.front.repeat != page.front.repeat {
            let wanted =
                source.front.repeat.map_or("no `repeat`".to_string(), |r| format!("`repeat = \"{}\"`", r.as_str()));
            out.push(Diagnostic::error(
                &page.file,
                1,
                0,
                format!("the source page {} has {wanted}: write the same here", source.file.display()),
            ));
        }
    }
    out
}

/// Resolves a link written in a data file next to the page of route `index`, like a Markdown
/// link of that page: relative to its folder, to the page in the route's language (or its
/// fallback), anchors checked. Returns the `href` to write or an error message.
pub fn resolve_link(site: &Site, bodies: &[Rendered], index: usize, dest: &str) -> Result<String, String> {
    let resolved = crate::render::resolve_link(site, index, dest)?;
    // Markdown anchors are checked once every page is rendered; data files come later, so
    // their anchors can be checked here.
    if let Some((to, Some(anchor))) = &resolved.target {
        if !bodies.get(*to).is_some_and(|b| b.anchors.contains(anchor)) {
            let target = &site.content.pages[site.routes.routes[*to].page].file;
            return Err(format!("broken anchor: `#{anchor}` is not a heading of {}", target.display()));
        }
    }
    Ok(resolved.href)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_lowercase_words_with_hyphens() {
        for good in ["q1", "backup-offline", "yes", "a"] {
            assert!(is_valid_id(good), "{good}");
        }
        for bad in ["", "Q1", "-a", "a-", "a b", "é", "a_b", "a\"b"] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn duplicate_and_invalid_ids_are_located() {
        let text = "id = \"a\"\nid2 = \"a\"\n";
        let file = Located { path: Path::new("x.toml"), text };
        let mut seen = BTreeSet::new();
        assert!(check_id(&file, "answer", &Spanned::new(5..8, "a".into()), &mut seen).is_none());
        let d = check_id(&file, "answer", &Spanned::new(15..18, "a".into()), &mut seen).unwrap();
        assert_eq!(d.to_string(), "x.toml:2:7: error: duplicate answer id `a`");
    }
}
