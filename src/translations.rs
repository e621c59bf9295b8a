//! Translation status: for each language, which source pages are translated, missing or stale
//! (the source changed since the digest recorded in the translation), which UI strings are
//! missing or unused; and the edits translators ask for: stamping a reviewed translation with
//! its source's digest, and scaffolding a new language.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::config::is_valid_language_code;
use crate::content::Page;
use crate::error::{Error, Result};
use crate::site::Site;

/// The state of one translation of a source page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PageState {
    Current,
    /// The source changed since the recorded digest (or none was recorded).
    Stale,
    Missing,
}

/// One source page as seen from a language.
#[derive(Debug, Clone, Serialize)]
pub struct PageStatus {
    pub source: String,
    pub translation: Option<String>,
    pub state: PageState,
}

/// Status of one language against the source language.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageStatus {
    pub lang: String,
    pub name: String,
    pub pages_total: usize,
    pub pages_current: usize,
    pub pages_stale: usize,
    pub pages_missing: usize,
    /// Current translations as a share of the source pages, 0-100.
    pub percent: f64,
    pub strings_missing: Vec<String>,
    pub strings_unused: Vec<String>,
    /// Self-assessment and quiz data out of step with the source (missing or extra IDs,
    /// different points or answers), as `path:line: message`.
    pub tools_out_of_step: Vec<String>,
    pub pages: Vec<PageStatus>,
}

/// Whether a translation is up to date with its source.
pub fn page_state(source: &Page, translation: Option<&Page>) -> PageState {
    match translation {
        None => PageState::Missing,
        Some(t) if t.front.source_digest.as_deref() == Some(source.digest.as_str()) => PageState::Current,
        Some(_) => PageState::Stale,
    }
}

/// The source-language page a page translates, if any.
pub fn source_of<'a>(site: &'a Site, page: &Page) -> Option<&'a Page> {
    let source = &site.config.source_language;
    if &page.lang == source {
        return None;
    }
    let route = site.routes.by_key(source, page.translation_key())?;
    Some(&site.content.pages[site.routes.routes[route].page])
}

/// Status of every language but the source (or of `only`).
pub fn status(site: &Site, only: Option<&str>) -> Vec<LanguageStatus> {
    let source = &site.config.source_language;
    let sources: Vec<&Page> = site.content.pages.iter().filter(|p| &p.lang == source).collect();
    let source_strings = site.strings.by_lang.get(source).cloned().unwrap_or_default();
    site.languages
        .iter()
        .filter(|l| &l.code != source && only.is_none_or(|o| o == l.code))
        .map(|l| {
            let translations: BTreeMap<&str, &Page> =
                site.content.pages.iter().filter(|p| p.lang == l.code).map(|p| (p.translation_key(), p)).collect();
            let pages: Vec<PageStatus> = sources
                .iter()
                .map(|s| {
                    let t = translations.get(s.translation_key()).copied();
                    PageStatus {
                        source: s.file.to_string_lossy().into_owned(),
                        translation: t.map(|t| t.file.to_string_lossy().into_owned()),
                        state: page_state(s, t),
                    }
                })
                .collect();
            let count = |state| pages.iter().filter(|p| p.state == state).count();
            let strings = site.strings.by_lang.get(&l.code).cloned().unwrap_or_default();
            let total = pages.len();
            LanguageStatus {
                lang: l.code.clone(),
                name: l.name.clone(),
                pages_total: total,
                pages_current: count(PageState::Current),
                pages_stale: count(PageState::Stale),
                pages_missing: count(PageState::Missing),
                percent: if total == 0 {
                    100.0
                } else {
                    (count(PageState::Current) as f64 * 1000.0 / total as f64).floor() / 10.0
                },
                strings_missing: source_strings.keys().filter(|k| !strings.contains_key(*k)).cloned().collect(),
                strings_unused: strings.keys().filter(|k| !source_strings.contains_key(*k)).cloned().collect(),
                tools_out_of_step: Vec::new(),
                pages,
            }
        })
        .collect()
}

/// The status as a table for a terminal, or as Markdown for a pull request.
pub fn format_status(statuses: &[LanguageStatus], markdown: bool) -> String {
    let mut out = String::new();
    let header = [
        "language",
        "complete",
        "current",
        "stale",
        "missing",
        "strings missing",
        "strings unused",
        "tools out of step",
    ];
    let rows: Vec<[String; 8]> = statuses
        .iter()
        .map(|s| {
            [
                format!("{} ({})", s.lang, s.name),
                format!("{:.1}%", s.percent),
                format!("{}/{}", s.pages_current, s.pages_total),
                s.pages_stale.to_string(),
                s.pages_missing.to_string(),
                s.strings_missing.len().to_string(),
                s.strings_unused.len().to_string(),
                s.tools_out_of_step.len().to_string(),
            ]
        })
        .collect();
    if markdown {
        out.push_str(&format!("| {} |\n", header.join(" | ")));
        out.push_str(&format!("|{}\n", " --- |".repeat(header.len())));
        for r in &rows {
            out.push_str(&format!("| {} |\n", r.join(" | ")));
        }
    } else {
        // Columns by display width: a language name like 中文 takes two cells per character.
        use unicode_width::UnicodeWidthStr;
        let widths: Vec<usize> = (0..header.len())
            .map(|i| rows.iter().map(|r| r[i].width()).chain([header[i].len()]).max().unwrap_or(0))
            .collect();
        let line = |cells: Vec<&str>| -> String {
            let padded: Vec<String> =
                cells.iter().zip(&widths).map(|(c, w)| format!("{c}{}", " ".repeat(w - c.width()))).collect();
            padded.join("  ").trim_end().to_string() + "\n"
        };
        out.push_str(&line(header.to_vec()));
        for r in &rows {
            out.push_str(&line(r.iter().map(String::as_str).collect()));
        }
    }
    for s in statuses {
        for p in s.pages.iter().filter(|p| p.state != PageState::Current) {
            let what = match p.state {
                PageState::Stale => {
                    format!("stale: {} (source {} changed)", p.translation.as_deref().unwrap_or(""), p.source)
                }
                _ => format!("missing: {} has no {} translation", p.source, s.lang),
            };
            out.push_str(&format!("{}: {what}\n", s.lang));
        }
        for k in &s.strings_missing {
            out.push_str(&format!("{}: missing string `{k}` in i18n/{}.toml\n", s.lang, s.lang));
        }
        for k in &s.strings_unused {
            out.push_str(&format!("{}: unused string `{k}` in i18n/{}.toml\n", s.lang, s.lang));
        }
        for problem in &s.tools_out_of_step {
            out.push_str(&format!("{}: tool out of step: {problem}\n", s.lang));
        }
    }
    out
}

/// Sets `source_digest = "..."` in a page's front matter, replacing an earlier one. The rest of
/// the file is kept byte for byte.
pub fn set_source_digest(text: &str, digest: &str) -> Option<String> {
    let body_start = text.strip_prefix("+++")?.find("\n+++").map(|i| i + 3)?;
    let (front, rest) = text.split_at(body_start);
    let line = format!("source_digest = \"{digest}\"");
    let mut lines: Vec<String> = front.lines().map(str::to_string).collect();
    match lines.iter().position(|l| l.trim_start().starts_with("source_digest")) {
        Some(i) => lines[i] = line,
        None => lines.push(line),
    }
    Some(format!("{}\n{}", lines.join("\n"), rest.strip_prefix('\n').unwrap_or(rest)))
}

/// A starting `i18n/<lang>.toml`: every source key with the source text as a visible
/// placeholder to translate.
pub fn scaffold_strings(source_text: &str, lang: &str, source: &str) -> String {
    format!(
        "# UI strings for `{lang}`, scaffolded from i18n/{source}.toml by `portal i18n new`.\n\
         # Every value is still the {source} text: translate it, keep the keys.\n\n{}",
        source_text.lines().skip_while(|l| l.starts_with('#') || l.trim().is_empty()).collect::<Vec<_>>().join("\n")
            + "\n"
    )
}

/// Where a content file lives: its language and path below `content/<lang>/`.
pub fn locate_content_file(root: &Path, file: &Path) -> Option<(String, String)> {
    let absolute = if file.is_absolute() { file.to_path_buf() } else { std::env::current_dir().ok()?.join(file) };
    let content = root.canonicalize().ok()?.join("content");
    let absolute = absolute.canonicalize().ok()?;
    let rel = absolute.strip_prefix(&content).ok()?;
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned());
    let lang = parts.next()?;
    let rest: Vec<String> = parts.collect();
    (!rest.is_empty()).then(|| (lang, rest.join("/")))
}

/// `portal i18n status`: the report, and whether every language reaches `fail_under`.
pub fn run_status(
    root: &Path,
    lang: Option<&str>,
    json: bool,
    markdown: bool,
    fail_under: Option<f64>,
) -> Result<(String, bool)> {
    let (site, _) = Site::load(root);
    if let Some(l) = lang.filter(|l| !site.content.languages.iter().any(|c| c == l)) {
        return Err(Error::Usage(format!("no language `{l}` (no content/{l}/ folder)")));
    }
    let mut statuses = status(&site, lang);
    // The tools' own validation says which data files no longer match the source's IDs.
    let bodies = crate::render::render_bodies(&site);
    let tools = crate::tools::load_tools(&site, &bodies);
    for s in &mut statuses {
        let prefix = std::path::Path::new("content").join(&s.lang);
        s.tools_out_of_step = tools
            .diagnostics
            .iter()
            .filter(|d| d.path.starts_with(&prefix) && d.is_error())
            .map(ToString::to_string)
            .collect();
    }
    let ok = fail_under.is_none_or(|min| statuses.iter().all(|s| s.percent >= min));
    let text = if json {
        serde_json::to_string_pretty(
            &serde_json::json!({ "source": site.config.source_language, "languages": statuses, "ok": ok }),
        )
        .map_err(|e| Error::Usage(e.to_string()))?
            + "\n"
    } else {
        let mut t = format_status(&statuses, markdown);
        if let (Some(min), false) = (fail_under, ok) {
            t.push_str(&format!(
                "below {min}%: {}\n",
                statuses.iter().filter(|s| s.percent < min).map(|s| s.lang.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
        t
    };
    Ok((text, ok))
}

/// `portal i18n stamp`: records each translation's current source digest.
pub fn write_stamps(root: &Path, files: &[std::path::PathBuf]) -> Result<(String, bool)> {
    let (site, _) = Site::load(root);
    let mut out = String::new();
    let mut ok = true;
    for file in files {
        let located = locate_content_file(root, file)
            .and_then(|(lang, rel)| site.content.pages.iter().find(|p| p.lang == lang && p.rel_path == rel));
        let Some(page) = located else {
            out.push_str(&format!("{}: not a page of the content\n", file.display()));
            ok = false;
            continue;
        };
        let Some(source) = source_of(&site, page) else {
            out.push_str(&format!(
                "{}: no source page to stamp against (is it in the source language?)\n",
                page.file.display()
            ));
            ok = false;
            continue;
        };
        let path = root.join(&page.file);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let stamped = set_source_digest(&text, &source.digest)
            .ok_or_else(|| Error::Usage(format!("{}: no front matter", page.file.display())))?;
        std::fs::write(&path, stamped).map_err(|e| Error::io(&path, e))?;
        out.push_str(&format!(
            "{}: stamped with {} of {}\n",
            page.file.display(),
            source.digest,
            source.file.display()
        ));
    }
    Ok((out, ok))
}

/// `portal i18n new <lang>`: the strings file and the home page of a new language.
pub fn write_new_language(root: &Path, lang: &str) -> Result<(String, bool)> {
    if !is_valid_language_code(lang) {
        return Err(Error::Usage(format!(
            "`{lang}` is not a language code: use a BCP 47 code such as de, pt-BR or zh-Hant (lowercase language, then an optional Script or REGION)"
        )));
    }
    let (site, _) = Site::load(root);
    let source = &site.config.source_language;
    let content_dir = root.join("content").join(lang);
    let strings_path = root.join("i18n").join(format!("{lang}.toml"));
    if content_dir.exists() || strings_path.exists() {
        return Err(Error::Usage(format!("`{lang}` exists already (content/{lang}/ or i18n/{lang}.toml)")));
    }
    let source_strings = root.join("i18n").join(format!("{source}.toml"));
    let text = std::fs::read_to_string(&source_strings).map_err(|e| Error::io(&source_strings, e))?;
    let home = root.join("content").join(source).join("_index.md");
    let home_text = std::fs::read_to_string(&home).map_err(|e| Error::io(&home, e))?;
    std::fs::create_dir_all(&content_dir).map_err(|e| Error::io(&content_dir, e))?;
    std::fs::write(&strings_path, scaffold_strings(&text, lang, source)).map_err(|e| Error::io(&strings_path, e))?;
    let new_home = content_dir.join("_index.md");
    std::fs::write(&new_home, &home_text).map_err(|e| Error::io(&new_home, e))?;
    let name = site.config.language(lang).name;
    Ok((
        format!(
            "created i18n/{lang}.toml and content/{lang}/_index.md for {name}\n             next: translate both, then `portal i18n stamp content/{lang}/_index.md`; pages you have not translated show the {source} text with a notice\n"
        ),
        true,
    ))
}

/// Splits a page file into its front matter lines and body.
fn split_front(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix("+++")?;
    let end = rest.find("\n+++")?;
    let body = &rest[end + 4..];
    Some((&rest[..end], body.strip_prefix('\n').unwrap_or(body)))
}

/// `portal i18n export <lang>`: XLIFF with the missing and stale pages and the missing strings.
pub fn run_export(root: &Path, lang: &str, out: Option<&Path>) -> Result<(String, bool)> {
    use crate::xliff::{segment, string_units, write_xliff, XliffFile};
    let (site, _) = Site::load(root);
    let source_lang = site.config.source_language.clone();
    if lang == source_lang || !site.content.languages.iter().any(|l| l == lang) {
        return Err(Error::Usage(format!(
            "no translation language `{lang}` (content/{lang}/ with a language other than {source_lang})"
        )));
    }
    let mut files = Vec::new();
    let translations: BTreeMap<&str, &Page> =
        site.content.pages.iter().filter(|p| p.lang == lang).map(|p| (p.translation_key(), p)).collect();
    for source in site.content.pages.iter().filter(|p| p.lang == source_lang) {
        let existing = translations.get(source.translation_key()).copied();
        if page_state(source, existing) == PageState::Current {
            continue;
        }
        let pieces = segment(&source.body);
        // A stale translation whose structure still matches offers its text as a draft.
        let drafts: Vec<String> = existing
            .map(|t| segment(&t.body).iter().filter_map(|p| p.text().map(str::to_string)).collect())
            .unwrap_or_default();
        let texts: Vec<&str> = pieces.iter().filter_map(|p| p.text()).collect();
        let draft = |i: usize| if drafts.len() == texts.len() { drafts[i].clone() } else { String::new() };
        let mut units = vec![(
            "title".to_string(),
            source.front.title.clone(),
            existing.map(|t| t.front.title.clone()).unwrap_or_default(),
        )];
        if !source.front.description.is_empty() {
            units.push((
                "description".into(),
                source.front.description.clone(),
                existing.map(|t| t.front.description.clone()).unwrap_or_default(),
            ));
        }
        units.extend(texts.iter().enumerate().map(|(i, t)| ((i + 1).to_string(), t.to_string(), draft(i))));
        files.push(XliffFile { original: source.rel_path.clone(), source_digest: source.digest.clone(), units });
    }
    let empty = BTreeMap::new();
    let strings = string_units(
        site.strings.by_lang.get(&source_lang).unwrap_or(&empty),
        site.strings.by_lang.get(lang).unwrap_or(&empty),
    );
    if !strings.is_empty() {
        files.push(XliffFile { original: "i18n".into(), source_digest: String::new(), units: strings });
    }
    let xml = write_xliff(&source_lang, lang, &files);
    let units: usize = files.iter().map(|f| f.units.len()).sum();
    match out {
        Some(path) => {
            std::fs::write(path, xml).map_err(|e| Error::io(path, e))?;
            Ok((
                format!("wrote {} with {} page(s) and {units} unit(s) to translate\n", path.display(), files.len()),
                true,
            ))
        }
        None => Ok((xml, true)),
    }
}

/// `portal i18n import <file>`: writes the translated pages (with the source's structure and
/// the digest they were made from) and merges the translated strings.
pub fn write_import(root: &Path, file: &Path) -> Result<(String, bool)> {
    use crate::xliff::{read_xliff, reassemble, segment};
    let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
    let (lang, files) = read_xliff(&text).map_err(|e| Error::Usage(format!("{}: {e}", file.display())))?;
    if !is_valid_language_code(&lang) {
        return Err(Error::Usage(format!("{}: target-language `{lang}` is not a language code", file.display())));
    }
    let (site, _) = Site::load(root);
    let source_lang = &site.config.source_language;
    let mut report = String::new();
    let mut ok = true;
    for f in &files {
        let targets: BTreeMap<&str, &str> = f.units.iter().map(|(id, _, t)| (id.as_str(), t.as_str())).collect();
        let untranslated: Vec<&str> =
            f.units.iter().filter(|(_, _, t)| t.trim().is_empty()).map(|(id, _, _)| id.as_str()).collect();
        if f.original == "i18n" {
            let path = root.join("i18n").join(format!("{lang}.toml"));
            let existing = std::fs::read_to_string(&path).unwrap_or_default();
            let mut table: toml::Table =
                toml::from_str(&existing).map_err(|e| Error::Usage(format!("{}: {}", path.display(), e.message())))?;
            let mut added = 0;
            for (id, _, target) in f.units.iter().filter(|(_, _, t)| !t.trim().is_empty()) {
                let Some(key) = id.strip_prefix("i18n:") else { continue };
                insert_dotted(&mut table, key, target);
                added += 1;
            }
            let serialized = toml::to_string(&table).map_err(|e| Error::Usage(e.to_string()))?;
            std::fs::write(&path, serialized).map_err(|e| Error::io(&path, e))?;
            report.push_str(&format!("i18n/{lang}.toml: {added} string(s) merged\n"));
            continue;
        }
        let Some(source) = site.content.pages.iter().find(|p| &p.lang == source_lang && p.rel_path == f.original)
        else {
            report.push_str(&format!("{}: no source page content/{source_lang}/{}\n", file.display(), f.original));
            ok = false;
            continue;
        };
        if source.digest != f.source_digest {
            report.push_str(&format!(
                "{}: the source changed since this file was exported; export again\n",
                source.file.display()
            ));
            ok = false;
            continue;
        }
        if !untranslated.is_empty() {
            report.push_str(&format!(
                "{}: untranslated unit(s) {}; not imported\n",
                f.original,
                untranslated.join(", ")
            ));
            ok = false;
            continue;
        }
        let source_path = root.join(&source.file);
        let source_text = std::fs::read_to_string(&source_path).map_err(|e| Error::io(&source_path, e))?;
        let Some((front, _)) = split_front(&source_text) else { continue };
        let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
        let mut lines: Vec<String> = front
            .lines()
            .filter(|l| !l.trim_start().starts_with("source_digest"))
            .map(|l| {
                let key = l.split('=').next().unwrap_or("").trim();
                match (key, targets.get(key)) {
                    ("title" | "description", Some(t)) => format!("{key} = {}", quote(t)),
                    _ => l.to_string(),
                }
            })
            .collect();
        lines.push(format!("source_digest = \"{}\"", source.digest));
        let body = reassemble(&segment(&source.body), |n, original| {
            targets.get(n.to_string().as_str()).map_or_else(|| original.to_string(), |t| t.to_string())
        });
        let dest = root.join("content").join(&lang).join(&f.original);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        std::fs::write(&dest, format!("+++{}\n+++\n{body}", lines.join("\n"))).map_err(|e| Error::io(&dest, e))?;
        report.push_str(&format!("content/{lang}/{}: written\n", f.original));
    }
    Ok((report, ok))
}

fn insert_dotted(table: &mut toml::Table, key: &str, value: &str) {
    match key.split_once('.') {
        Some((head, rest)) => {
            let entry = table.entry(head.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if let toml::Value::Table(t) = entry {
                insert_dotted(t, rest, value);
            }
        }
        None => {
            table.insert(key.to_string(), toml::Value::String(value.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamping_adds_or_replaces_the_digest_only() {
        let text = "+++\ntitle = \"A\"\n+++\nBody\n+++ not front matter\n";
        let once = set_source_digest(text, "abc").unwrap();
        assert_eq!(once, "+++\ntitle = \"A\"\nsource_digest = \"abc\"\n+++\nBody\n+++ not front matter\n");
        let twice = set_source_digest(&once, "def").unwrap();
        assert_eq!(twice, "+++\ntitle = \"A\"\nsource_digest = \"def\"\n+++\nBody\n+++ not front matter\n");
        assert!(set_source_digest("no front matter", "x").is_none());
    }

    #[test]
    fn scaffold_keeps_every_key() {
        let out = scaffold_strings("# header\n\n[nav]\nhome = \"Home\"\n", "de", "en");
        assert!(out.contains("[nav]\nhome = \"Home\"\n"));
        assert!(out.starts_with("# UI strings for `de`"));
        assert!(toml::from_str::<toml::Table>(&out).is_ok());
    }
}
