//! Templates: the theme's Tera templates, parsed once, with a `t(key=...)` function bound to each
//! language's UI strings. Parse errors are reported with the template file and line, and so
//! are include cycles and recursive macros (`graph`), which would abort the process.

pub mod graph;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use tera::Tera;
use walkdir::WalkDir;

use crate::content::load::read_text;
use crate::error::Diagnostic;
use crate::i18n::Strings;

/// The theme: template sources, and a ready Tera instance per language.
pub struct Theme {
    /// (name, source) of every template, sorted by name.
    pub sources: Vec<(String, String)>,
    by_lang: HashMap<String, Tera>,
}

/// Reads `themes/<name>/templates/**` as (name, source) pairs; hidden files and editor
/// droppings (`.x.swp`, `x~`) are not templates.
pub fn load_template_sources(theme_dir: &Path, display_dir: &Path) -> (Vec<(String, String)>, Vec<Diagnostic>) {
    let templates_dir = theme_dir.join("templates");
    let mut sources = Vec::new();
    let mut diagnostics = Vec::new();
    if !theme_dir.is_dir() {
        let themes: Vec<String> = theme_dir
            .parent()
            .and_then(|p| std::fs::read_dir(p).ok())
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.path().is_dir())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        let mut themes = themes;
        themes.sort();
        let have =
            if themes.is_empty() { "there is none".to_string() } else { format!("there is {}", themes.join(", ")) };
        diagnostics.push(Diagnostic::error(
            display_dir,
            0,
            0,
            format!("no such theme (portal.toml's `theme`; {have})"),
        ));
        return (sources, diagnostics);
    }
    if !templates_dir.is_dir() {
        diagnostics.push(Diagnostic::error(display_dir.join("templates"), 0, 0, "the theme has no templates folder"));
        return (sources, diagnostics);
    }
    let walk = WalkDir::new(&templates_dir).sort_by_file_name().into_iter();
    let visible =
        walk.filter_entry(|e| e.depth() == 0 || !crate::content::load::is_ignored(&e.file_name().to_string_lossy()));
    for entry in visible.flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(&templates_dir).unwrap_or(entry.path());
        let name = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        let display = display_dir.join("templates").join(rel);
        match read_text(entry.path(), &display) {
            Ok(text) => sources.push((name, text)),
            Err(d) => diagnostics.push(d),
        }
    }
    (sources, diagnostics)
}

/// Extracts `line:col` from a Tera/pest error text (`--> 3:5`).
fn error_position(message: &str) -> (usize, usize) {
    let Some(i) = message.find("--> ") else {
        return (0, 0);
    };
    let rest = &message[i + 4..];
    let mut parts = rest.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty());
    let line = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let col = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    (line, col)
}

/// Flattens an error and its causes into one line.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(e) = source {
        parts.push(e.to_string());
        source = e.source();
    }
    parts.join(": ")
}

fn first_line_of(message: &str) -> String {
    // pest messages carry a source excerpt after the position; keep only what it says.
    let summary: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with("-->")
                && !l.starts_with('|')
                && !l.chars().next().is_some_and(|c| c.is_ascii_digit())
        })
        .collect();
    summary.join(" ")
}

/// Escapes what is significant in HTML text and double-quoted attributes. Tera's default also
/// escapes `/`, which bloats every relative URL without making anything safer.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

impl Theme {
    /// Parses every template (reporting each broken one) and binds `t()` per language.
    pub fn compile(
        display_dir: &Path,
        sources: Vec<(String, String)>,
        strings: &Strings,
        languages: &[String],
    ) -> Result<Theme, Vec<Diagnostic>> {
        let mut diagnostics = graph::check_depth(&sources, display_dir);
        if !diagnostics.is_empty() {
            return Err(diagnostics);
        }
        for (name, text) in &sources {
            let mut single = Tera::default();
            single.autoescape_on(vec![".html", ".xml"]);
            if let Err(e) = single.add_raw_template(name, text) {
                let chain = error_chain(&e);
                if !chain.contains("doesn't exist or isn't loaded") {
                    let (line, col) = error_position(&chain);
                    diagnostics.push(Diagnostic::error(
                        display_dir.join("templates").join(name),
                        line,
                        col,
                        format!("template error: {}", first_line_of(&chain)),
                    ));
                }
            }
        }
        if diagnostics.is_empty() {
            diagnostics = graph::check_cycles(&sources, display_dir);
        }
        if !diagnostics.is_empty() {
            return Err(diagnostics);
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(escape_html);
        tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str()))).map_err(|e| {
            vec![Diagnostic::error(
                display_dir.join("templates"),
                0,
                0,
                format!("template error: {}", first_line_of(&error_chain(&e))),
            )]
        })?;
        let mut by_lang = HashMap::new();
        for lang in languages {
            let mut instance = tera.clone();
            let table: Arc<BTreeMap<String, String>> = Arc::new(
                strings
                    .by_lang
                    .get(&strings.source_lang)
                    .into_iter()
                    .chain(strings.by_lang.get(lang))
                    .flat_map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())))
                    .collect(),
            );
            let plural_table = Arc::clone(&table);
            instance.register_function("t", move |args: &HashMap<String, tera::Value>| {
                let key = args
                    .get("key")
                    .and_then(|v| v.as_str())
                    .ok_or_else(|| tera::Error::msg("t() needs key=\"...\""))?;
                Ok(tera::Value::String(table.get(key).cloned().unwrap_or_else(|| key.to_string())))
            });
            // `plural(key="search.results")`: the forms of a count string in this language's
            // plural categories, as JSON for a `data-` attribute (the browser picks one with
            // Intl.PluralRules); with `count=n`, the form for n with `{count}` filled in.
            let plural_lang = lang.clone();
            instance.register_function("plural", move |args: &HashMap<String, tera::Value>| {
                let key = args
                    .get("key")
                    .and_then(|v| v.as_str())
                    .ok_or_else(|| tera::Error::msg("plural() needs key=\"...\""))?;
                let forms = crate::i18n::plural_forms(&plural_lang, key, |k| plural_table.get(k).cloned());
                match args.get("count").and_then(|v| v.as_u64()) {
                    Some(n) => {
                        let category = crate::i18n::plural_category(&plural_lang, n);
                        let form = forms.get(category).cloned().unwrap_or_default();
                        Ok(tera::Value::String(form.replace("{count}", &n.to_string())))
                    }
                    None => serde_json::to_string(&forms).map(tera::Value::String).map_err(tera::Error::msg),
                }
            });
            by_lang.insert(lang.clone(), instance);
        }
        Ok(Theme { sources, by_lang })
    }

    pub fn has(&self, name: &str) -> bool {
        self.sources.iter().any(|(n, _)| n == name)
    }

    /// Renders `name` in `lang`'s instance; a failure is located in the template it happened in.
    pub fn render(
        &self,
        lang: &str,
        name: &str,
        context: &tera::Context,
        display_dir: &Path,
    ) -> Result<String, Diagnostic> {
        let Some(tera) = self.by_lang.get(lang) else {
            return Err(Diagnostic::error(
                display_dir.join("templates"),
                0,
                0,
                format!("no templates for language {lang}"),
            ));
        };
        tera.render(name, context).map_err(|e| self.locate_failure(name, &e, display_dir))
    }

    /// Where a render failure happened: the template Tera names ("while rendering 'x'"), else
    /// the one rendered, at the first line that spells the name the failure is about (Tera's
    /// runtime errors carry no line of their own).
    fn locate_failure(&self, rendered: &str, error: &tera::Error, display_dir: &Path) -> Diagnostic {
        let chain = error_chain(error);
        let mut parts: Vec<&str> = chain.splitn(2, ": ").collect();
        let cause = if chain.starts_with("Failed to render") && parts.len() == 2 { parts.remove(1) } else { &chain };
        let cause = first_line_of(cause);
        let named = cause.rsplit_once("while rendering '").and_then(|(_, rest)| rest.split('\'').next());
        let subject = quoted(&cause);
        let mut candidates: Vec<&(String, String)> = Vec::new();
        for want in named.into_iter().chain([rendered]) {
            candidates.extend(self.sources.iter().filter(|(n, _)| n == want));
        }
        candidates.extend(self.sources.iter());
        let found = subject.as_deref().and_then(|subject| {
            let last = subject.rsplit('.').next().unwrap_or(subject);
            [subject, last].into_iter().find_map(|needle| {
                candidates.iter().find_map(|(name, text)| {
                    text.lines().enumerate().find_map(|(i, line)| {
                        line.find(needle).map(|at| (name.as_str(), i + 1, line[..at].chars().count() + 1))
                    })
                })
            })
        });
        let (template, line, column) = found.unwrap_or((named.unwrap_or(rendered), 0, 0));
        Diagnostic::error(
            display_dir.join("templates").join(template),
            line,
            column,
            format!("template error: {cause}"),
        )
    }
}

/// The first name in quotes or backticks in a Tera message (`Filter 'x' not found`).
fn quoted(message: &str) -> Option<String> {
    let start = message.find(['`', '\''])?;
    let quote = message[start..].chars().next()?;
    let rest = &message[start + 1..];
    let end = rest.find(quote)?;
    Some(rest[..end].to_string()).filter(|s| !s.is_empty())
}

/// Render failures that are one template error seen from many pages become one diagnostic
/// (at the template's line) that names the first page and counts the others; the rest stay.
pub fn fold_render_failures(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    const SEPARATOR: &str = " (rendering ";
    let mut folded: Vec<Diagnostic> = Vec::new();
    let mut groups: BTreeMap<(std::path::PathBuf, usize, usize, String), (usize, usize)> = BTreeMap::new();
    for d in diagnostics {
        let Some((cause, page)) = d.message.split_once(SEPARATOR).filter(|_| d.message.starts_with("template error: "))
        else {
            folded.push(d);
            continue;
        };
        let key = (d.path.clone(), d.line, d.column, cause.to_string());
        match groups.get_mut(&key) {
            Some((_, more)) => *more += 1,
            None => {
                let _ = page;
                groups.insert(key, (folded.len(), 0));
                folded.push(d);
            }
        }
    }
    for ((_, _, _, _), (at, more)) in groups {
        if more > 0 {
            let d = &mut folded[at];
            if let Some(open) = d.message.rfind(')') {
                d.message.insert_str(open, &format!(" and {more} more page{}", if more == 1 { "" } else { "s" }));
            }
        }
    }
    folded
}

/// The templates whose source differs between `old` and `new`, or that only one of them has.
pub fn changed_templates(old: &[(String, String)], new: &[(String, String)]) -> BTreeSet<String> {
    let old: BTreeMap<&str, &str> = old.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let new: BTreeMap<&str, &str> = new.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    old.keys().chain(new.keys()).filter(|n| old.get(*n) != new.get(*n)).map(|n| n.to_string()).collect()
}

/// `changed` and every template that extends, includes or imports one of them, directly or
/// through others. Tera names those templates only as string literals, so a template depends
/// on every template whose quoted name its source contains (at worst a harmless extra).
pub fn templates_using(sources: &[(String, String)], changed: &BTreeSet<String>) -> BTreeSet<String> {
    let mut using = changed.clone();
    loop {
        let before = using.len();
        for (name, text) in sources {
            if !using.contains(name)
                && using.iter().any(|u| ['"', '\'', '`'].iter().any(|q| text.contains(&format!("{q}{u}{q}"))))
            {
                using.insert(name.clone());
            }
        }
        if using.len() == before {
            return using;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_template_is_located() {
        let sources = vec![
            ("base.html".to_string(), "<p>\n{{ title }}\n{% if %}\n</p>".to_string()),
            ("ok.html".to_string(), "{% extends \"base.html\" %}".to_string()),
        ];
        let err = Theme::compile(Path::new("themes/x"), sources, &Strings::default(), &[]).err().unwrap();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].path, Path::new("themes/x/templates/base.html"));
        assert_eq!(err[0].line, 3);
    }

    #[test]
    fn t_uses_the_language_then_the_source() {
        let mut strings = Strings { source_lang: "en".into(), ..Strings::default() };
        strings
            .by_lang
            .insert("en".into(), [("a".to_string(), "A".to_string()), ("b".to_string(), "B".to_string())].into());
        strings.by_lang.insert("it".into(), [("a".to_string(), "Ai".to_string())].into());
        let sources =
            vec![("x.html".to_string(), "{{ t(key=\"a\") }}{{ t(key=\"b\") }}{{ t(key=\"c\") }}".to_string())];
        let theme = Theme::compile(Path::new("t"), sources, &strings, &["en".into(), "it".into()]).ok().unwrap();
        let out = theme.render("it", "x.html", &tera::Context::new(), Path::new("t")).unwrap();
        assert_eq!(out, "AiBc");
    }

    #[test]
    fn a_render_failure_is_located_in_the_template_and_folded_over_pages() {
        let sources = vec![
            ("base.html".to_string(), "<main>\n{% block main %}{% endblock main %}</main>".to_string()),
            (
                "page.html".to_string(),
                "{% extends \"base.html\" %}{% block main %}\n<h1>{{ page.title }}</h1>\n  {% include \"part.html\" %}{% endblock main %}"
                    .to_string(),
            ),
            ("part.html".to_string(), "<p>\n  {{ page.summary }}</p>".to_string()),
        ];
        let theme = Theme::compile(Path::new("themes/x"), sources, &Strings::default(), &["en".into()]).ok().unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("page", &serde_json::json!({"title": "T"}));
        let d = theme.render("en", "page.html", &ctx, Path::new("themes/x")).unwrap_err();
        assert_eq!((d.path.as_path(), d.line, d.column), (Path::new("themes/x/templates/part.html"), 2, 6), "{d}");
        assert!(d.message.starts_with("template error: Variable `page.summary` not found"), "{d}");
        let at = |page: &str| Diagnostic { message: format!("{} (rendering {page})", d.message), ..d.clone() };
        let other = Diagnostic::error("content/en/a.md", 3, 1, "broken link");
        let folded = fold_render_failures(vec![
            at("content/en/a.md"),
            other.clone(),
            at("content/it/a.md"),
            at("content/zh/a.md"),
        ]);
        assert_eq!(folded.len(), 2);
        assert!(folded[0].message.ends_with("(rendering content/en/a.md and 2 more pages)"), "{}", folded[0]);
        assert_eq!(folded[1], other);
    }

    #[test]
    fn a_change_reaches_the_templates_that_extend_or_include_it() {
        let source = |n: &str, t: &str| (n.to_string(), t.to_string());
        let old = vec![
            source("base.html", "<main>{% block main %}{% endblock main %}</main>"),
            source(
                "page.html",
                "{% extends \"base.html\" %}{% block main %}{% include 'partials/list.html' %}{% endblock main %}",
            ),
            source("guidance.html", "{% extends \"page.html\" %}"),
            source("news.html", "{% extends \"base.html\" %}"),
            source("partials/list.html", "<ul></ul>"),
        ];
        let mut new = old.clone();
        new[4].1 = "<ol></ol>".into();
        let changed = changed_templates(&old, &new);
        assert_eq!(changed, BTreeSet::from(["partials/list.html".to_string()]));
        let using = templates_using(&new, &changed);
        let expected = ["guidance.html", "page.html", "partials/list.html"].map(String::from);
        assert_eq!(using, BTreeSet::from(expected));
        // A removed template counts as changed.
        assert!(changed_templates(&old, &new[..4]).contains("partials/list.html"));
    }
}
