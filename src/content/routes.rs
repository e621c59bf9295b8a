//! Routes: every page's output URL in every language. A page of the source language that a
//! locale has not translated gets a fallback route at the locale's URL, so that links, the
//! language switcher and navigation never lead nowhere.

use std::collections::{BTreeMap, HashMap};

use super::{Content, Page};

/// One output page: a page of the content, or a source page standing in for a missing
/// translation (`fallback`).
#[derive(Debug, Clone)]
pub struct Route {
    /// Language of the URL (for a fallback, the locale, not the text's language).
    pub lang: String,
    /// Index into `Content::pages` of the page whose text is shown.
    pub page: usize,
    pub fallback: bool,
    /// Path below `content/<lang>/` this route answers to.
    pub rel_path: String,
    /// Output path from the site root: `it/guidance/backups.html`.
    pub url: String,
    pub key: String,
    /// Index of the parent section's route, if any.
    pub parent: Option<usize>,
    /// Child routes (sections and pages), in display order.
    pub children: Vec<usize>,
}

/// All routes, sorted by language then path, with lookups.
#[derive(Debug, Clone, Default)]
pub struct Routes {
    pub routes: Vec<Route>,
    by_path: HashMap<(String, String), usize>,
    by_key: HashMap<(String, String), usize>,
}

/// `guidance/backups.md` -> `guidance/backups.html`; `guidance/_index.md` -> `guidance/index.html`.
pub fn output_path(lang: &str, rel_path: &str) -> String {
    let stem = rel_path.strip_suffix(".md").unwrap_or(rel_path);
    let stem = if stem == "_index" {
        "index".to_string()
    } else if let Some(dir) = stem.strip_suffix("/_index") {
        format!("{dir}/index")
    } else {
        stem.to_string()
    };
    format!("{lang}/{stem}.html")
}

/// The relative URL that leads from the page at `from` to the file at `to` (both from the root).
pub fn relative_url(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from.split('/').collect();
    let from_dirs = &from_dirs[..from_dirs.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let to_dirs = &to_parts[..to_parts.len() - 1];
    let common = from_dirs.iter().zip(to_dirs).take_while(|(a, b)| a == b).count();
    let mut url = "../".repeat(from_dirs.len() - common);
    url.push_str(&to_parts[common..].join("/"));
    url
}

/// Prefix that leads from the page at `from` back to the site root (`""` or `../../`).
pub fn root_prefix(from: &str) -> String {
    "../".repeat(from.matches('/').count())
}

/// Display order of pages in a section: weight, then title, then path (a total order).
fn display_order(a: &Page, b: &Page) -> std::cmp::Ordering {
    a.front
        .weight
        .cmp(&b.front.weight)
        .then_with(|| a.front.title.cmp(&b.front.title))
        .then_with(|| a.rel_path.cmp(&b.rel_path))
}

impl Routes {
    /// Builds routes for every language folder, adding fallbacks for the source language's
    /// pages that a locale lacks.
    pub fn build(content: &Content, source_lang: &str) -> Routes {
        let mut routes = Vec::new();
        let mut keys_per_lang: HashMap<&str, std::collections::HashSet<&str>> = HashMap::new();
        for page in &content.pages {
            keys_per_lang.entry(&page.lang).or_default().insert(page.translation_key());
        }
        for lang in &content.languages {
            let mut in_lang: BTreeMap<&str, Route> = BTreeMap::new();
            for (i, page) in content.pages.iter().enumerate().filter(|(_, p)| &p.lang == lang) {
                in_lang.insert(&page.rel_path, route(lang, i, page, false));
            }
            if lang != source_lang {
                let have = keys_per_lang.get(lang.as_str());
                for (i, page) in content.pages.iter().enumerate().filter(|(_, p)| p.lang == source_lang) {
                    let translated = have.is_some_and(|k| k.contains(page.translation_key()));
                    if !translated && !in_lang.contains_key(page.rel_path.as_str()) {
                        in_lang.insert(&page.rel_path, route(lang, i, page, true));
                    }
                }
            }
            routes.extend(in_lang.into_values());
        }
        let mut result = Routes { routes, ..Routes::default() };
        for (i, r) in result.routes.iter().enumerate() {
            result.by_path.insert((r.lang.clone(), r.rel_path.clone()), i);
            result.by_key.entry((r.lang.clone(), r.key.clone())).or_insert(i);
        }
        result.link_sections(content);
        result
    }

    fn link_sections(&mut self, content: &Content) {
        for i in 0..self.routes.len() {
            let r = &self.routes[i];
            let page = &content.pages[r.page];
            let mut dir = if page.is_section() { parent_dir(page.dir()) } else { Some(page.dir().to_string()) };
            while let Some(d) = dir {
                let index = if d.is_empty() { "_index.md".to_string() } else { format!("{d}/_index.md") };
                if let Some(&p) = self.by_path.get(&(r.lang.clone(), index)) {
                    if p != i {
                        self.routes[i].parent = Some(p);
                        break;
                    }
                }
                dir = parent_dir(&d);
            }
        }
        for i in 0..self.routes.len() {
            if let Some(p) = self.routes[i].parent {
                self.routes[p].children.push(i);
            }
        }
        for r in 0..self.routes.len() {
            let mut children = std::mem::take(&mut self.routes[r].children);
            children.sort_by(|&a, &b| {
                display_order(&content.pages[self.routes[a].page], &content.pages[self.routes[b].page])
            });
            self.routes[r].children = children;
        }
    }

    pub fn by_path(&self, lang: &str, rel_path: &str) -> Option<usize> {
        self.by_path.get(&(lang.to_string(), rel_path.to_string())).copied()
    }

    pub fn by_key(&self, lang: &str, key: &str) -> Option<usize> {
        self.by_key.get(&(lang.to_string(), key.to_string())).copied()
    }

    /// The route a link written in `lang` to `rel_path` leads to: the page at that path in the
    /// language, or else the language's version of the source page at that path (whose
    /// translation may live at another path).
    pub fn resolve(&self, content: &Content, lang: &str, source_lang: &str, rel_path: &str) -> Option<usize> {
        self.by_path(lang, rel_path).or_else(|| {
            let source = self.by_path(source_lang, rel_path)?;
            let key = &content.pages[self.routes[source].page].translation_key().to_string();
            self.by_key(lang, key)
        })
    }
}

fn route(lang: &str, index: usize, page: &Page, fallback: bool) -> Route {
    Route {
        lang: lang.to_string(),
        page: index,
        fallback,
        rel_path: page.rel_path.clone(),
        url: output_path(lang, &page.rel_path),
        key: page.translation_key().to_string(),
        parent: None,
        children: Vec::new(),
    }
}

fn parent_dir(dir: &str) -> Option<String> {
    if dir.is_empty() {
        None
    } else {
        Some(dir.rfind('/').map_or(String::new(), |i| dir[..i].to_string()))
    }
}

/// Joins a link target written in the file at `from_rel` (e.g. `../tools/x.md`) to a path below
/// the language folder; `None` if it climbs out of it.
pub fn join_relative(from_rel: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = from_rel.split('/').collect();
    parts.pop();
    for segment in target.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths_are_files() {
        assert_eq!(output_path("en", "_index.md"), "en/index.html");
        assert_eq!(output_path("en", "guidance/_index.md"), "en/guidance/index.html");
        assert_eq!(output_path("it", "guidance/backups.md"), "it/guidance/backups.html");
    }

    #[test]
    fn relative_urls_climb_and_descend() {
        assert_eq!(relative_url("en/guidance/a.html", "en/guidance/b.html"), "b.html");
        assert_eq!(relative_url("en/guidance/a.html", "en/tools/x.html"), "../tools/x.html");
        assert_eq!(relative_url("en/index.html", "assets/site.css"), "../assets/site.css");
        assert_eq!(relative_url("index.html", "en/index.html"), "en/index.html");
        assert_eq!(root_prefix("en/training/phishing/index.html"), "../../../");
    }

    #[test]
    fn joining_links_stays_inside_the_language() {
        assert_eq!(join_relative("guidance/a.md", "../tools/x.md").as_deref(), Some("tools/x.md"));
        assert_eq!(join_relative("guidance/a.md", "b.md").as_deref(), Some("guidance/b.md"));
        assert_eq!(join_relative("a.md", "../../x.md"), None);
    }
}
