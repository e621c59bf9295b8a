//! The translators' commands, on top of `translation_state`: `portal i18n status` (per
//! language and page, stale units included), `stamp` (record what a reviewed translation was
//! made from, unit by unit), `new` (scaffold a language), `export` (XLIFF or PO with every
//! unit of the missing and stale pages, existing translations as targets, and the missing UI
//! strings) and `import` (check every unit, then write the pages that passed, each with its
//! data file, keeping every translated unit the file leaves empty).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::config::is_valid_language_code;
use crate::content::Page;
use crate::error::{Error, Result};
use crate::exchange::{flatten_pieces, normalize_target, ReadFile, ReadUnit, Unit, UnitState};
use crate::site::Site;
use crate::translation_state::{
    format_percent, pair_pages, source_of, source_units, status, unit_digest, LanguageStatus, PageState, PageUnits,
    Place,
};
use crate::units::{check_target, normalize, splice, tokens, write_back, Syntax};

pub use crate::translation_state::PageStatus;

/// What an i18n command prints and whether it succeeded (exit 0, else 1).
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub ok: bool,
}

/// The status as a table for a terminal, or as Markdown for a pull request (then every line
/// is Markdown).
pub fn format_status(statuses: &[LanguageStatus], markdown: bool) -> String {
    let mut out = String::new();
    let header = [
        "language",
        "translated",
        "current",
        "stale",
        "missing",
        "stale units",
        "strings missing",
        "strings unused",
        "tools out of step",
    ];
    let rows: Vec<[String; 9]> = statuses
        .iter()
        .map(|s| {
            [
                format!("{} ({})", s.lang, s.name),
                format!("{}%", format_percent(s.percent)),
                format!("{}/{}", s.pages_current, s.pages_total),
                s.pages_stale.to_string(),
                s.pages_missing.to_string(),
                s.units_stale.to_string(),
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
    let mut details = Vec::new();
    for s in statuses {
        for p in s.pages.iter().filter(|p| p.state != PageState::Current) {
            details.push(match p.state {
                PageState::Stale if p.unrecorded => format!(
                    "{}: stale: {} (its source {} changed since `source_digest`; no unit record yet: \
                     export shows every unit for review, `portal i18n stamp` records them)",
                    s.lang,
                    p.translation.as_deref().unwrap_or(""),
                    p.source
                ),
                PageState::Stale => format!(
                    "{}: stale: {} ({} of its units changed in {}: {})",
                    s.lang,
                    p.translation.as_deref().unwrap_or(""),
                    p.stale_units.len(),
                    p.source,
                    p.stale_units.join(", ")
                ),
                _ => format!("{}: missing: {} has no {} translation", s.lang, p.source, s.lang),
            });
        }
        for k in &s.strings_missing {
            details.push(format!("{}: missing string `{k}` in i18n/{}.toml", s.lang, s.lang));
        }
        for k in &s.strings_unused {
            details.push(format!("{}: unused string `{k}` in i18n/{}.toml", s.lang, s.lang));
        }
        for problem in &s.tools_out_of_step {
            details.push(format!("{}: tool out of step: {problem}", s.lang));
        }
    }
    if markdown && !details.is_empty() {
        out.push('\n');
        for d in details {
            // Backslashes and backticks stay as they are; the file paths need no escaping.
            out.push_str(&format!("- {d}\n"));
        }
    } else {
        for d in details {
            out.push_str(&d);
            out.push('\n');
        }
    }
    out
}

/// The front matter with `source_digest` and the unit record replaced (or added); the rest of
/// the file byte for byte. `None` without front matter.
pub fn set_record(text: &str, digest: &str, entries: &[String]) -> Option<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let body_start = text.strip_prefix("+++")?.find("\n+++").map(|i| i + 3)?;
    let (front, rest) = text.split_at(body_start);
    let mut lines: Vec<String> = Vec::new();
    let mut in_record = false;
    for l in front.lines() {
        let t = l.trim_start();
        if in_record {
            if t.contains(']') {
                in_record = false;
            }
            continue;
        }
        if t.starts_with("source_digest") {
            continue;
        }
        if t.starts_with("source_units") {
            in_record = !t.contains(']');
            continue;
        }
        lines.push(l.to_string());
    }
    // TOML: keys after a `[table]` header belong to it, so the record goes before any table.
    let at = lines.iter().position(|l| l.trim_start().starts_with('[')).unwrap_or(lines.len());
    let mut record = vec![format!("source_digest = \"{digest}\"")];
    if !entries.is_empty() {
        record.push("source_units = [".to_string());
        record.extend(entries.iter().map(|e| format!("  {},", toml::Value::String(e.clone()))));
        record.push("]".to_string());
    }
    lines.splice(at..at, record);
    Some(format!("{}\n{}", lines.join("\n"), rest.strip_prefix('\n').unwrap_or(rest)))
}

/// Where a content file lives: its language and path below `content/<lang>/`. A relative path
/// is taken against `root` (else the working folder).
pub fn locate_content_file(root: &Path, file: &Path) -> Option<(String, String)> {
    let absolute = if file.is_absolute() {
        file.to_path_buf()
    } else if root.join(file).exists() {
        root.join(file)
    } else {
        std::env::current_dir().ok()?.join(file)
    };
    let content = root.canonicalize().ok()?.join("content");
    let absolute = absolute.canonicalize().ok()?;
    let rel = absolute.strip_prefix(&content).ok()?;
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned());
    let lang = parts.next()?;
    let rest: Vec<String> = parts.collect();
    (!rest.is_empty()).then(|| (lang, rest.join("/")))
}

/// `portal i18n status`: the report, and whether every language reaches `fail_under` (the
/// "below" line goes to standard error).
pub fn run_status(
    root: &Path,
    lang: Option<&str>,
    json: bool,
    markdown: bool,
    fail_under: Option<f64>,
) -> Result<Outcome> {
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
    let stdout = if json {
        serde_json::to_string_pretty(
            &serde_json::json!({ "source": site.config.source_language, "languages": statuses, "ok": ok }),
        )
        .map_err(|e| Error::Usage(e.to_string()))?
            + "\n"
    } else {
        format_status(&statuses, markdown)
    };
    let stderr = match (fail_under, ok) {
        (Some(min), false) => format!(
            "below {}%: {}\n",
            format_percent(min),
            statuses.iter().filter(|s| s.percent < min).map(|s| s.lang.as_str()).collect::<Vec<_>>().join(", ")
        ),
        _ => String::new(),
    };
    Ok(Outcome { stdout, stderr, ok })
}

/// The record of a translation whose every paired unit is current (a stamp): the
/// translation's unit ids with the digests of the source units they pair with.
fn stamp_entries(
    source: &PageUnits,
    translation: &PageUnits,
    pairing: &crate::translation_state::Pairing,
) -> Vec<String> {
    pairing
        .units
        .iter()
        .map(|u| {
            let digest = unit_digest(&source.units[u.source].text);
            match u.translation {
                Some(j) => format!("{} {digest}", translation.units[j].id),
                None => format!("~{} {digest}", source.units[u.source].id),
            }
        })
        .collect()
}

/// `portal i18n stamp`: records, unit by unit, what each reviewed translation was made from.
pub fn write_stamps(root: &Path, files: &[PathBuf]) -> Result<Outcome> {
    let (site, _) = Site::load(root);
    let mut outcome = Outcome { ok: true, ..Outcome::default() };
    for file in files {
        let located = locate_content_file(root, file)
            .and_then(|(lang, rel)| site.content.pages.iter().find(|p| p.lang == lang && p.rel_path == rel));
        let Some(page) = located else {
            let _ = writeln!(outcome.stderr, "{}: not a page of the content below {}", file.display(), root.display());
            outcome.ok = false;
            continue;
        };
        let Some(source) = source_of(&site, page) else {
            let _ = writeln!(
                outcome.stderr,
                "{}: no source page to stamp against (is it in the source language?)",
                page.file.display()
            );
            outcome.ok = false;
            continue;
        };
        let (s, t, pairing) = pair_pages(&site, source, page);
        let path = root.join(&page.file);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let stamped = set_record(&text, &source.digest, &stamp_entries(&s, &t, &pairing))
            .ok_or_else(|| Error::Usage(format!("{}: no front matter", page.file.display())))?;
        std::fs::write(&path, stamped).map_err(|e| Error::io(&path, e))?;
        let unpaired: Vec<String> =
            pairing.units.iter().filter(|u| u.translation.is_none()).map(|u| s.units[u.source].id.clone()).collect();
        let _ = writeln!(
            outcome.stdout,
            "{}: stamped: {} unit(s) current with {}",
            page.file.display(),
            pairing.units.len() - unpaired.len(),
            source.file.display()
        );
        if !unpaired.is_empty() || !pairing.orphans.is_empty() {
            let _ = writeln!(
                outcome.stderr,
                "{}: warning: its structure differs from the source: source unit(s) without a counterpart: {}; \
                 translation unit(s) without a source: {}; stamped as reviewed",
                page.file.display(),
                if unpaired.is_empty() { "none".to_string() } else { unpaired.join(", ") },
                if pairing.orphans.is_empty() {
                    "none".to_string()
                } else {
                    pairing.orphans.iter().map(|&j| t.units[j].id.clone()).collect::<Vec<_>>().join(", ")
                }
            );
        }
    }
    Ok(outcome)
}

/// A starting `i18n/<lang>.toml`: every source key, commented out with its source text, so that
/// it counts as missing (status, export) and shows the source text until translated; plural
/// strings get a line per plural category of the language.
pub fn scaffold_strings(source_text: &str, lang: &str, source: &str) -> String {
    let categories = crate::i18n::plural_categories(lang);
    let groups = toml::from_str::<toml::Table>(source_text)
        .ok()
        .map(|t| {
            let mut flat = BTreeMap::new();
            flatten_table("", &t, &mut flat);
            crate::i18n::plural_groups(&flat)
        })
        .unwrap_or_default();
    let mut out = format!(
        "# UI strings for `{lang}`, scaffolded from i18n/{source}.toml by `portal i18n new`.\n\
         # Every string is commented out: pages show the {source} text until you translate it.\n\
         # Uncomment a line and translate its text (keep the key and every {{placeholder}});\n\
         # `portal i18n status` counts the commented ones as missing and `portal i18n export` sends them.\n"
    );
    let mut table = String::new();
    for line in source_text.lines().skip_while(|l| l.starts_with('#') || l.trim().is_empty()) {
        let t = line.trim();
        let Some((key, value)) = t.split_once('=').filter(|_| !t.starts_with('[') && !t.starts_with('#')) else {
            if t.starts_with('[') {
                table = t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
            }
            out.push_str(line);
            out.push('\n');
            continue;
        };
        let key = key.trim();
        let full = if table.is_empty() { key.to_string() } else { format!("{table}.{key}") };
        let (parent, last) = full.rsplit_once('.').unwrap_or(("", full.as_str()));
        if !groups.iter().any(|g| g == parent) {
            out.push_str(&format!("# {t}\n"));
            continue;
        }
        // A plural form: only the language's categories, the missing ones after `other`.
        if categories.contains(&last) {
            out.push_str(&format!("# {t}\n"));
        }
        if last == "other" {
            let prefix = &key[..key.len() - last.len()];
            for c in categories.iter().filter(|c| !matches!(**c, "one" | "other")) {
                out.push_str(&format!("# {prefix}{c} = {}\n", value.trim()));
            }
        }
    }
    out
}

fn flatten_table(prefix: &str, table: &toml::Table, out: &mut BTreeMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(t) => flatten_table(&key, t, out),
            _ => {}
        }
    }
}

/// `portal i18n new <lang>`: the strings file and the home page of a new language.
pub fn write_new_language(root: &Path, lang: &str) -> Result<Outcome> {
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
    Ok(Outcome {
        stdout: format!(
            "created i18n/{lang}.toml and content/{lang}/_index.md for {name}\n\
             next: `portal i18n export {lang} --out {lang}.xlf` (or --format po), translate, `portal i18n import {lang}.xlf`; \
             pages you have not translated show the {source} text with a notice\n"
        ),
        stderr: String::new(),
        ok: true,
    })
}

/// The exchange format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Xliff,
    Po,
}

/// The export units of one source page: every unit, with the translation's text as target
/// (translated, or to review where the source changed) or empty (new).
fn page_export(site: &Site, source: &Page, translation: Option<&Page>) -> Vec<Unit> {
    let s = source_units(site, source);
    let paired = translation.map(|t| pair_pages(site, source, t));
    s.units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let (target, state) = match &paired {
                Some((_, t, pairing)) => match pairing.units.iter().find(|p| p.source == i) {
                    Some(p) if p.translation.is_some() => {
                        let j = p.translation.unwrap_or_default();
                        (
                            t.units[j].text.clone(),
                            if p.current { UnitState::Translated } else { UnitState::NeedsReview },
                        )
                    }
                    _ => (String::new(), UnitState::New),
                },
                None => (String::new(), UnitState::New),
            };
            let note = match u.place {
                Place::Title => "Page title".to_string(),
                Place::Description => "Page description (lists, search results, previews)".to_string(),
                Place::Body(_) if u.context.is_empty() => "Page text".to_string(),
                Place::Body(_) => format!("Heading path: {}", u.context),
                Place::Data(_) => format!("Text of {} ({})", u.context, &u.id["data:".len()..]),
            };
            Unit {
                id: format!("{}#{}", source.rel_path, u.id),
                source: u.text.clone(),
                target,
                syntax: u.syntax,
                state,
                note,
            }
        })
        .collect()
}

/// The UI-string units a language needs: its missing keys (or all with `all`), plural strings
/// in the language's own categories.
fn string_export(site: &Site, lang: &str, all: bool) -> Vec<Unit> {
    let empty = BTreeMap::new();
    let source = site.strings.by_lang.get(&site.config.source_language).unwrap_or(&empty);
    let target = site.strings.by_lang.get(lang).unwrap_or(&empty);
    let groups = crate::i18n::plural_groups(source);
    crate::i18n::needed_keys(source, lang)
        .into_iter()
        .filter(|k| all || !target.contains_key(k))
        .map(|key| {
            let group = groups.iter().find(|g| key.strip_prefix(g.as_str()).is_some_and(|r| r.starts_with('.')));
            let text = source
                .get(&key)
                .or_else(|| group.and_then(|g| source.get(&format!("{g}.other"))))
                .cloned()
                .unwrap_or_default();
            let note = match group {
                Some(g) => format!(
                    "UI string `{key}`: the form for the CLDR plural category `{}` of `{g}` (source text: its `other` form)",
                    &key[g.len() + 1..]
                ),
                None => format!("UI string `{key}`"),
            };
            let existing = target.get(&key).cloned().unwrap_or_default();
            let state = if existing.is_empty() { UnitState::New } else { UnitState::Translated };
            Unit { id: format!("i18n:{key}"), source: text, target: existing, syntax: Syntax::Plain, state, note }
        })
        .collect()
}

/// `portal i18n export <lang>`: every unit of the missing and stale pages (of all pages with
/// `all`) and the missing UI strings, as XLIFF 1.2 or PO.
pub fn run_export(root: &Path, lang: &str, out: Option<&Path>, format: ExportFormat, all: bool) -> Result<Outcome> {
    let (site, _) = Site::load(root);
    let source_lang = site.config.source_language.clone();
    if lang == source_lang || !site.content.languages.iter().any(|l| l == lang) {
        return Err(Error::Usage(format!(
            "no translation language `{lang}` (content/{lang}/ with a language other than {source_lang})"
        )));
    }
    let translations: BTreeMap<&str, (usize, &Page)> = site
        .content
        .pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.lang == lang)
        .map(|(i, p)| (p.translation_key(), (i, p)))
        .collect();
    let mut files: Vec<(String, Vec<Unit>)> = Vec::new();
    for source in site.content.pages.iter().filter(|p| p.lang == source_lang) {
        let existing = translations.get(source.translation_key()).copied();
        let current =
            existing.and_then(|(i, _)| site.translation_states.get(&i)).is_some_and(|s| s.state == PageState::Current);
        if current && !all {
            continue;
        }
        files.push((source.rel_path.clone(), page_export(&site, source, existing.map(|(_, p)| p))));
    }
    let strings = string_export(&site, lang, all);
    if !strings.is_empty() {
        files.push(("i18n".into(), strings));
    }
    let text = match format {
        ExportFormat::Xliff => crate::xliff::write_xliff(&source_lang, lang, &files),
        ExportFormat::Po => crate::po::write_po(&source_lang, lang, &files),
    };
    let units: usize = files.iter().map(|(_, u)| u.len()).sum();
    let to_do: usize = files.iter().flat_map(|(_, u)| u).filter(|u| u.state != UnitState::Translated).count();
    match out {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| Error::io(path, e))?;
            Ok(Outcome {
                stdout: format!(
                    "wrote {}: {} file(s), {units} unit(s), {to_do} to translate or review\n",
                    path.display(),
                    files.len()
                ),
                stderr: String::new(),
                ok: true,
            })
        }
        None => Ok(Outcome { stdout: text, stderr: String::new(), ok: true }),
    }
}

/// Reads an exchange file by its extension (`.po`, else XLIFF).
fn read_exchange(file: &Path, text: &str) -> std::result::Result<ReadFile, (usize, String)> {
    if file.extension().is_some_and(|e| e == "po" || e == "pot") {
        crate::po::read_po(text)
    } else {
        crate::xliff::read_xliff(text)
    }
}

/// What import does with one source unit.
#[derive(Debug, Clone)]
enum Decision {
    /// Keep the translation's text (index into its units), recorded digest as it was, or
    /// current when the translator confirmed it.
    Keep { translation: usize, confirmed: bool },
    /// New text from the file.
    New(String),
    /// Nothing to write.
    Missing,
}

/// `portal i18n import <file>`: checks every unit of the file; writes each page whose units all
/// pass (with its data file), and the UI strings that pass; reports every problem as
/// `file:line: unit <id>: message`. A page with a problem is not written; the rest are.
pub fn write_import(root: &Path, file: &Path, lang: Option<&str>) -> Result<Outcome> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let read = read_exchange(file, text)
        .map_err(|(line, m)| Error::Usage(format!("{}:{line}: {m}; nothing imported", file.display())))?;
    let lang = lang
        .map(str::to_string)
        .or(read.target_lang.clone())
        .ok_or_else(|| Error::Usage(format!("{}: the file names no target language: pass --lang", file.display())))?;
    if !is_valid_language_code(&lang) {
        return Err(Error::Usage(format!("{}: target language `{lang}` is not a language code", file.display())));
    }
    let (site, _) = Site::load(root);
    let source_lang = site.config.source_language.clone();
    if lang == source_lang || !site.content.languages.contains(&lang) {
        return Err(Error::Usage(format!(
            "no translation language `{lang}` (content/{lang}/ with a language other than {source_lang})"
        )));
    }
    let mut outcome = Outcome { ok: true, ..Outcome::default() };
    let shown = file.display().to_string();
    let problem = |outcome: &mut Outcome, line: usize, id: &str, message: &str| {
        let _ = writeln!(outcome.stderr, "{shown}:{line}: unit {id}: {message}");
        outcome.ok = false;
    };
    // Units by page, in file order; the UI strings apart.
    let mut pages: BTreeMap<String, Vec<&ReadUnit>> = BTreeMap::new();
    let mut strings: Vec<&ReadUnit> = Vec::new();
    for u in &read.units {
        if let Some(key) = u.id.strip_prefix("i18n:") {
            let _ = key;
            strings.push(u);
        } else if let Some((page, _)) = u.id.split_once('#') {
            pages.entry(page.to_string()).or_default().push(u);
        } else if u.id.is_empty() || u.id.starts_with('#') {
            // translate-toolkit's header entry and other units that are not ours.
            continue;
        } else {
            problem(&mut outcome, u.line, &u.id, "not a unit id of `portal i18n export` (page#unit or i18n:key)");
        }
    }
    let mut written = 0;
    for (rel, units) in &pages {
        match import_page(&site, root, &lang, rel, units) {
            Ok(PageResult::Written(lines)) => {
                written += 1;
                outcome.stdout.push_str(&lines);
            }
            Ok(PageResult::Unchanged) => {}
            Ok(PageResult::Problems(list)) => {
                for (line, id, message) in list {
                    problem(&mut outcome, line, &id, &message);
                }
                let _ = writeln!(outcome.stderr, "{shown}: content/{lang}/{rel}: not written (problems above)");
            }
            Err(e) => return Err(e),
        }
    }
    if !strings.is_empty() {
        match import_strings(&site, root, &lang, &strings)? {
            Ok(line) => outcome.stdout.push_str(&line),
            Err(list) => {
                for (line, id, message) in list {
                    problem(&mut outcome, line, &id, &message);
                }
                let _ = writeln!(outcome.stderr, "{shown}: i18n/{lang}.toml: not written (problems above)");
            }
        }
    }
    let _ = writeln!(outcome.stdout, "{written} page(s) written");
    Ok(outcome)
}

enum PageResult {
    Written(String),
    Unchanged,
    Problems(Vec<(usize, String, String)>),
}

fn import_page(site: &Site, root: &Path, lang: &str, rel: &str, units: &[&ReadUnit]) -> Result<PageResult> {
    let source_lang = &site.config.source_language;
    let mut problems: Vec<(usize, String, String)> = Vec::new();
    let Some(source) = site.content.pages.iter().find(|p| &p.lang == source_lang && p.rel_path == rel) else {
        for u in units {
            problems.push((u.line, u.id.clone(), format!("no source page content/{source_lang}/{rel}")));
        }
        return Ok(PageResult::Problems(problems));
    };
    let translation =
        site.content.pages.iter().find(|p| p.lang == lang && p.translation_key() == source.translation_key());
    let s = source_units(site, source);
    let paired = translation.map(|t| pair_pages(site, source, t));
    let mut decisions: Vec<Decision> = s
        .units
        .iter()
        .enumerate()
        .map(|(i, _)| match &paired {
            Some((_, _, p)) => p
                .units
                .iter()
                .find(|u| u.source == i)
                .and_then(|u| u.translation)
                .map_or(Decision::Missing, |j| Decision::Keep { translation: j, confirmed: false }),
            None => Decision::Missing,
        })
        .collect();
    let mut changed = false;
    for u in units {
        let unit_id = &u.id[rel.len() + 1..];
        let Some(i) = s.units.iter().position(|x| x.id == unit_id) else {
            problems.push((
                u.line,
                u.id.clone(),
                "the source page has no such unit (its structure changed since the export): export again".into(),
            ));
            continue;
        };
        let su = &s.units[i];
        let source_tokens = tokens(&su.text, su.syntax);
        let exported_source = flatten_pieces(&u.source, &source_tokens).unwrap_or_default();
        if !u.source.is_empty() && normalize(&exported_source) != normalize(&su.text) {
            problems.push((
                u.line,
                u.id.clone(),
                "the source of this unit changed since the export: export again".into(),
            ));
            continue;
        }
        let target = match flatten_pieces(&u.target, &source_tokens) {
            Ok(t) => normalize_target(&t),
            Err(m) => {
                problems.push((u.line, u.id.clone(), m));
                continue;
            }
        };
        let existing = match (&decisions[i], &paired) {
            (Decision::Keep { translation, .. }, Some((_, t, _))) => Some(t.units[*translation].text.clone()),
            _ => None,
        };
        if target.trim().is_empty() {
            continue;
        }
        let same_as_source = normalize(&target) == normalize(&su.text);
        if let Some(old) = &existing {
            if normalize(old) == normalize(&target) || same_as_source {
                // Never replaced by a copy of the source; confirming the same text is a review.
                let was_current = paired
                    .as_ref()
                    .and_then(|(_, _, p)| p.units.iter().find(|x| x.source == i))
                    .is_some_and(|x| x.current);
                if u.confirmed && !same_as_source && !was_current {
                    if let Decision::Keep { confirmed, .. } = &mut decisions[i] {
                        if !*confirmed {
                            *confirmed = true;
                            changed = true;
                        }
                    }
                }
                continue;
            }
        } else if same_as_source && !u.confirmed {
            continue;
        }
        let in_table = su.shape.split('>').any(|p| p == "table");
        let found = check_target(&su.text, &target, su.syntax, in_table);
        if found.is_empty() {
            decisions[i] = Decision::New(target);
            changed = true;
        } else {
            for m in found {
                problems.push((u.line, u.id.clone(), m));
            }
        }
    }
    if problems.is_empty() && !changed {
        // Nothing translated for this page (an export's untouched pages): nothing to do.
        return Ok(PageResult::Unchanged);
    }
    // A translated text that no source unit matches would be lost by a rewrite, unless the
    // source dropped the unit it was made from.
    if let Some((_, t, pairing)) = &paired {
        let record = crate::translation_state::parse_record(
            &translation.map(|p| p.front.source_units.clone()).unwrap_or_default(),
        );
        for &j in &pairing.orphans {
            if !record.contains_key(&t.units[j].id) {
                problems.push((
                    units.first().map_or(0, |u| u.line),
                    format!("{rel}#{}", t.units[j].id),
                    format!(
                        "content/{lang}/{rel} has text no source unit matches (\"{}\"): import would drop it; \
                         bring the page in line with the source, or stamp it, first",
                        preview(&t.units[j].text)
                    ),
                ));
            }
        }
    }
    let with_problems: Vec<String> = problems.iter().map(|(_, id, _)| id.clone()).collect();
    for (i, d) in decisions.iter().enumerate() {
        if matches!(d, Decision::Missing) && !with_problems.contains(&format!("{rel}#{}", s.units[i].id)) {
            let line = units.iter().find(|u| u.id[rel.len() + 1..] == s.units[i].id).map_or(0, |u| u.line);
            problems.push((
                line,
                format!("{rel}#{}", s.units[i].id),
                "no translation, and the page has none to keep".into(),
            ));
        }
    }
    if !problems.is_empty() {
        return Ok(PageResult::Problems(problems));
    }
    if !changed {
        return Ok(PageResult::Unchanged);
    }
    let written = write_page(root, lang, source, translation, &s, paired.as_ref(), &decisions)?;
    Ok(PageResult::Written(written))
}

fn preview(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().take(6).collect();
    words.join(" ")
}

/// Writes a translated page (and its data file first: never a page without its data file).
#[allow(clippy::too_many_arguments)]
fn write_page(
    root: &Path,
    lang: &str,
    source: &Page,
    translation: Option<&Page>,
    s: &PageUnits,
    paired: Option<&(PageUnits, PageUnits, crate::translation_state::Pairing)>,
    decisions: &[Decision],
) -> Result<String> {
    let mut report = String::new();
    let text_of = |i: usize| -> String {
        match (&decisions[i], paired) {
            (Decision::New(t), _) => t.clone(),
            (Decision::Keep { translation, .. }, Some((_, t, _))) => t.units[*translation].text.clone(),
            _ => String::new(),
        }
    };
    // Record: current for new or confirmed text and for units that were current; the old
    // digest (still stale) for a stale unit kept as it was.
    let mut entries = Vec::new();
    for (i, u) in s.units.iter().enumerate() {
        let state = paired.and_then(|(_, _, p)| p.units.iter().find(|x| x.source == i));
        let digest = match &decisions[i] {
            Decision::New(_) | Decision::Keep { confirmed: true, .. } => unit_digest(&u.text),
            _ if state.is_some_and(|x| x.current) => unit_digest(&u.text),
            _ => state.and_then(|x| x.recorded.clone()).unwrap_or_else(|| "-".to_string()),
        };
        entries.push(format!("{} {digest}", u.id));
    }
    // Body: the source's structure; kept units keep the translation's bytes when their block
    // has the same shape there.
    let body_index: BTreeMap<usize, usize> = s
        .units
        .iter()
        .enumerate()
        .filter_map(|(i, u)| match u.place {
            Place::Body(b) => Some((b, i)),
            _ => None,
        })
        .collect();
    let body = splice(&source.body, &s.body, |unit| {
        let Some(i) = s.body.iter().position(|b| b.range == unit.range).and_then(|b| body_index.get(&b).copied())
        else {
            return unit.text.clone();
        };
        if let (Decision::Keep { translation: j, .. }, Some((_, t, _)), Some(tp)) = (&decisions[i], paired, translation)
        {
            if let Place::Body(tb) = t.units[*j].place {
                let tu = &t.body[tb];
                if tu.shape == unit.shape && tu.line_prefix == unit.line_prefix {
                    return tp.body[tu.range.clone()].to_string();
                }
            }
        }
        write_back(&text_of(i), unit)
    });
    // Data file.
    if let (Some(data_text), Some(name)) = (&s.data, &s.data_name) {
        let texts: BTreeMap<String, String> = s
            .units
            .iter()
            .enumerate()
            .filter_map(|(i, u)| u.id.strip_prefix("data:").map(|id| (id.to_string(), text_of(i))))
            .collect();
        let rewritten = crate::units::rewrite_data(data_text, &texts)
            .map_err(|m| Error::Usage(format!("{}: {m}", source.file.display())))?;
        let rel = crate::content::routes::join_relative(&source.rel_path, name).unwrap_or_else(|| name.clone());
        let dest = root.join("content").join(lang).join(&rel);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        std::fs::write(&dest, rewritten).map_err(|e| Error::io(&dest, e))?;
        let _ = writeln!(report, "content/{lang}/{rel}: written");
    }
    // Front matter: the source's (non-text fields follow the source), texts translated.
    let source_path = root.join(&source.file);
    let source_text = std::fs::read_to_string(&source_path).map_err(|e| Error::io(&source_path, e))?;
    let front = split_front(&source_text).map(|(f, _)| f).unwrap_or_default();
    let title = s.units.iter().position(|u| u.place == Place::Title).map(text_of).unwrap_or_default();
    let description = s.units.iter().position(|u| u.place == Place::Description).map(text_of);
    let quote = |v: &str| toml::Value::String(v.to_string()).to_string();
    let lines: Vec<String> = front
        .lines()
        .map(|l| {
            let key = l.split('=').next().unwrap_or("").trim();
            match (key, &description) {
                ("title", _) => format!("title = {}", quote(&title)),
                ("description", Some(d)) => format!("description = {}", quote(d)),
                _ => l.to_string(),
            }
        })
        .collect();
    let page = format!("+++{}\n+++\n{body}", lines.join("\n"));
    let page = set_record(&page, &source.digest, &entries).unwrap_or(page);
    let dest = match translation {
        Some(t) => root.join(&t.file),
        None => root.join("content").join(lang).join(&source.rel_path),
    };
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    std::fs::write(&dest, page).map_err(|e| Error::io(&dest, e))?;
    let shown = dest.strip_prefix(root).unwrap_or(&dest).display().to_string();
    let _ = writeln!(report, "{shown}: written");
    Ok(report)
}

/// Splits a page file into its front matter lines (after the opening `+++`) and body.
fn split_front(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix('\u{feff}').unwrap_or(text).strip_prefix("+++")?;
    let end = rest.find("\n+++")?;
    let body = &rest[end + 4..];
    Some((&rest[..end], body.strip_prefix('\n').unwrap_or(body)))
}

type StringsResult = std::result::Result<String, Vec<(usize, String, String)>>;

/// Merges translated UI strings into `i18n/<lang>.toml`, keeping the file's comments and order.
fn import_strings(site: &Site, root: &Path, lang: &str, units: &[&ReadUnit]) -> Result<StringsResult> {
    let empty = BTreeMap::new();
    let source = site.strings.by_lang.get(&site.config.source_language).unwrap_or(&empty);
    let current = site.strings.by_lang.get(lang).unwrap_or(&empty);
    let needed = crate::i18n::needed_keys(source, lang);
    let groups = crate::i18n::plural_groups(source);
    let mut problems = Vec::new();
    let mut updates: BTreeMap<String, String> = BTreeMap::new();
    for u in units {
        let key = &u.id["i18n:".len()..];
        if !needed.contains(key) {
            problems.push((u.line, u.id.clone(), format!("`{key}` is not a UI string of {lang}")));
            continue;
        }
        let group = groups.iter().find(|g| key.strip_prefix(g.as_str()).is_some_and(|r| r.starts_with('.')));
        let source_text = source
            .get(key)
            .or_else(|| group.and_then(|g| source.get(&format!("{g}.other"))))
            .cloned()
            .unwrap_or_default();
        let target = match flatten_pieces(&u.target, &tokens(&source_text, Syntax::Plain)) {
            Ok(t) => t.trim().to_string(),
            Err(m) => {
                problems.push((u.line, u.id.clone(), m));
                continue;
            }
        };
        if target.is_empty() || current.get(key) == Some(&target) || (target == source_text && !u.confirmed) {
            continue;
        }
        if current.contains_key(key) && target == source_text {
            continue;
        }
        let found = check_target(&source_text, &target, Syntax::Plain, false);
        if found.is_empty() {
            updates.insert(key.to_string(), target);
        } else {
            problems.extend(found.into_iter().map(|m| (u.line, u.id.clone(), m)));
        }
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    if updates.is_empty() {
        return Ok(Ok(String::new()));
    }
    let path = root.join("i18n").join(format!("{lang}.toml"));
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    let merged = set_strings(&existing, &updates).map_err(|m| Error::Usage(format!("{}: {m}", path.display())))?;
    std::fs::write(&path, merged).map_err(|e| Error::io(&path, e))?;
    Ok(Ok(format!("i18n/{lang}.toml: {} string(s) merged\n", updates.len())))
}

/// A TOML key as written: bare when it can be.
fn toml_key(key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        key.to_string()
    } else {
        toml::Value::String(key.to_string()).to_string()
    }
}

/// Sets dotted keys in a strings file's text: a key that exists gets its value replaced; a
/// commented-out key (`# key = "..."`, as `i18n new` writes them) is replaced by the
/// assignment; a new key goes after a sibling (`results.one` -> `results.few`), else at the end
/// of its table, else into a new table at the end of the file.
pub fn set_strings(text: &str, updates: &BTreeMap<String, String>) -> std::result::Result<String, String> {
    let mut out = text.to_string();
    for (key, value) in updates {
        out = set_string(&out, key, value)?;
    }
    // What was written must still read as strings.
    toml::from_str::<toml::Table>(&out).map_err(|e| e.message().to_string())?;
    Ok(out)
}

fn set_string(text: &str, key: &str, value: &str) -> std::result::Result<String, String> {
    let quoted = toml::Value::String(value.to_string()).to_string();
    let spans = {
        let table = toml::de::DeTable::parse(text).map_err(|e| e.to_string())?;
        let mut found = Vec::new();
        collect_spans(table.get_ref(), "", &mut found);
        found
    };
    if let Some((_, span)) = spans.iter().find(|(k, _)| k == key) {
        let mut out = text.to_string();
        out.replace_range(span.clone(), &quoted);
        return Ok(out);
    }
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let headers: Vec<(usize, String)> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim().starts_with('[') && !l.trim().starts_with("[["))
        .map(|(i, l)| (i, l.trim().trim_matches(|c| c == '[' || c == ']').trim().to_string()))
        .collect();
    // Each way to write the key: `[a.b]` + `c = `, `[a]` + `b.c = `, or `a.b.c = ` at the top.
    let parts: Vec<&str> = key.split('.').collect();
    for split in (0..parts.len()).rev() {
        let (table, line_key) = (parts[..split].join("."), parts[split..].join("."));
        let (start, end) = if table.is_empty() {
            (0, headers.first().map_or(lines.len(), |(i, _)| *i))
        } else {
            let Some(&(h, _)) = headers.iter().find(|(_, t)| *t == table) else { continue };
            (h + 1, headers.iter().find(|(i, _)| *i > h).map_or(lines.len(), |(i, _)| *i))
        };
        let assignment = format!("{} = {quoted}", line_key.split('.').map(toml_key).collect::<Vec<_>>().join("."));
        let assigns = |l: &str, k: &str| l.strip_prefix(k).is_some_and(|r| r.trim_start().starts_with('='));
        if let Some(i) =
            (start..end).find(|&i| lines[i].trim().strip_prefix('#').is_some_and(|r| assigns(r.trim(), &line_key)))
        {
            lines[i] = assignment;
            return Ok(lines.join("\n") + "\n");
        }
        let sibling_prefix = line_key.rsplit_once('.').map(|(p, _)| format!("{p}."));
        if let Some(prefix) = &sibling_prefix {
            if let Some(i) =
                (start..end).rev().find(|&i| lines[i].trim().starts_with(prefix.as_str()) && lines[i].contains('='))
            {
                lines.insert(i + 1, assignment);
                return Ok(lines.join("\n") + "\n");
            }
        }
        if !table.is_empty() {
            let last_filled = (start.saturating_sub(1)..end).rev().find(|&i| !lines[i].trim().is_empty());
            lines.insert(last_filled.map_or(start, |i| i + 1), assignment);
            return Ok(lines.join("\n") + "\n");
        }
    }
    // No table for it yet: one named by the key's first part, as the source's files are laid out.
    match key.split_once('.') {
        Some((table, rest)) => {
            lines.push(String::new());
            lines.push(format!("[{}]", toml_key(table)));
            lines.push(format!("{} = {quoted}", rest.split('.').map(toml_key).collect::<Vec<_>>().join(".")));
        }
        None => {
            let first_header = headers.first().map_or(lines.len(), |(i, _)| *i);
            lines.insert(first_header, format!("{} = {quoted}", toml_key(key)));
        }
    }
    Ok(lines.join("\n") + "\n")
}

fn collect_spans(table: &toml::de::DeTable<'_>, prefix: &str, out: &mut Vec<(String, std::ops::Range<usize>)>) {
    for (k, v) in table {
        let key = if prefix.is_empty() { k.get_ref().to_string() } else { format!("{prefix}.{}", k.get_ref()) };
        match v.get_ref() {
            toml::de::DeValue::String(_) => out.push((key, v.span())),
            toml::de::DeValue::Table(t) => collect_spans(t, &key, out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_replace_the_digest_lines_only() {
        let text = "+++\ntitle = \"A\"\nsource_digest = \"old\"\nsource_units = [\n  \"x 1\",\n]\n+++\nBody\n+++ not front matter\n";
        let once = set_record(text, "abc", &["title 1234".into()]).unwrap();
        assert_eq!(
            once,
            "+++\ntitle = \"A\"\nsource_digest = \"abc\"\nsource_units = [\n  \"title 1234\",\n]\n+++\nBody\n+++ not front matter\n"
        );
        assert_eq!(set_record(&once, "abc", &["title 1234".into()]).unwrap(), once, "idempotent");
        assert!(set_record("no front matter", "x", &[]).is_none());
    }

    #[test]
    fn scaffold_comments_out_every_string_with_the_languages_plurals() {
        let en = "# header\n\n[nav]\nhome = \"Home\"\n\n[search.results]\none = \"{count} result\"\nother = \"{count} results\"\n";
        let pl = scaffold_strings(en, "pl", "en");
        assert!(pl.contains("[nav]\n# home = \"Home\"\n"), "{pl}");
        assert!(pl.contains("# one = \"{count} result\"\n# other = \"{count} results\"\n# few = \"{count} results\"\n# many = \"{count} results\"\n"), "{pl}");
        let table: toml::Table = toml::from_str(&pl).unwrap();
        assert!(table["nav"].as_table().unwrap().is_empty(), "nothing counts as translated");
        let zh = scaffold_strings(en, "zh", "en");
        assert!(!zh.contains("# one ="), "Chinese has no `one` form: {zh}");
    }

    #[test]
    fn strings_are_merged_in_place() {
        let text = "# mine\n[nav]\n# home = \"Home\"\nskip = \"Salta\"\n\n[search]\nlabel = \"Cerca\"\n";
        let mut updates = BTreeMap::new();
        updates.insert("nav.home".to_string(), "Inizio".to_string());
        updates.insert("nav.skip".to_string(), "Vai al contenuto".to_string());
        updates.insert("search.results.one".to_string(), "{count} risultato".to_string());
        updates.insert("search.hint".to_string(), "Scrivi \"qui\"".to_string());
        let out = set_strings(text, &updates).unwrap();
        assert_eq!(
            out,
            "# mine\n[nav]\nhome = \"Inizio\"\nskip = \"Vai al contenuto\"\n\n[search]\nlabel = \"Cerca\"\nhint = 'Scrivi \"qui\"'\nresults.one = \"{count} risultato\"\n"
        );
    }
}
