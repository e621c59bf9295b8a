//! Front matter: the TOML block between `+++` lines at the top of a page, parsed with unknown
//! keys rejected so that a typo is an error with its line, not a silently ignored field.

use std::path::Path;

use serde::Deserialize;

use crate::config::toml_diagnostic;
use crate::error::Diagnostic;

/// What a page is; each kind has a template of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Guidance,
    Tool,
    Checklist,
    Template,
    Training,
    Lesson,
    News,
    Page,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Guidance,
        Kind::Tool,
        Kind::Checklist,
        Kind::Template,
        Kind::Training,
        Kind::Lesson,
        Kind::News,
        Kind::Page,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Guidance => "guidance",
            Kind::Tool => "tool",
            Kind::Checklist => "checklist",
            Kind::Template => "template",
            Kind::Training => "training",
            Kind::Lesson => "lesson",
            Kind::News => "news",
            Kind::Page => "page",
        }
    }
}

/// The fields a page may set.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_kind")]
    pub kind: Kind,
    #[serde(default)]
    pub audience: Vec<String>,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub weight: i64,
    pub date: Option<Date>,
    pub updated: Option<Date>,
    /// Structured data file next to the page (self-assessment, quiz).
    pub data: Option<String>,
    pub translation_key: Option<String>,
    /// In a translation: digest of the source file it was translated from.
    pub source_digest: Option<String>,
    /// In a translation: what each unit was translated from, as `"<unit id> <digest of the
    /// source unit's text>"` (written by `portal i18n stamp` and `import`; see
    /// `translation_state`).
    #[serde(default)]
    pub source_units: Vec<String>,
    /// A checklist done again and again (`repeat = "monthly"`): each run is recorded with its
    /// date and who did it, instead of ticks that last forever.
    pub repeat: Option<Repeat>,
    /// A reference page (the glossary): its headings are the terms it defines, not what it is
    /// about, so search indexes them with the body and the pages about a term rank first.
    #[serde(default)]
    pub reference: bool,
}

/// How often a repeated checklist is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Repeat {
    Weekly,
    Monthly,
    Quarterly,
    Yearly,
}

impl Repeat {
    pub fn as_str(self) -> &'static str {
        match self {
            Repeat::Weekly => "weekly",
            Repeat::Monthly => "monthly",
            Repeat::Quarterly => "quarterly",
            Repeat::Yearly => "yearly",
        }
    }
}

/// A calendar date, written either as a TOML date (`2025-01-15`) or a string (`"2025-01-15"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a date: write YYYY-MM-DD");
        let mut parts = s.splitn(3, '-');
        let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let date = Date {
            year: y.parse().map_err(|_| bad())?,
            month: m.parse().map_err(|_| bad())?,
            day: d.parse().map_err(|_| bad())?,
        };
        if !(1..=12).contains(&date.month) || !(1..=31).contains(&date.day) {
            return Err(bad());
        }
        Ok(date)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Toml(toml::value::Datetime),
            Text(String),
        }
        let text = match Raw::deserialize(deserializer)? {
            Raw::Toml(dt) => match (dt.date, dt.time) {
                (Some(date), _) => date.to_string(),
                _ => return Err(serde::de::Error::custom(format!("`{dt}` is not a date: write YYYY-MM-DD"))),
            },
            Raw::Text(s) => s,
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

fn default_kind() -> Kind {
    Kind::Page
}

/// A page file split into its parsed front matter and Markdown body.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub front: FrontMatter,
    pub body: String,
    /// 1-based line of the file on which the body starts.
    pub body_line: usize,
}

/// Splits and parses a page; all problems are reported with the file's line numbers.
pub fn parse_page(path: &Path, text: &str) -> Result<Parsed, Vec<Diagnostic>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "+++" {
        return Err(vec![Diagnostic::error(
            path,
            1,
            1,
            "front matter missing: a page starts with a line `+++`, TOML, and another `+++`",
        )]);
    }
    let mut toml_len = 0;
    let mut closing_line = None;
    for (i, line) in lines.enumerate() {
        if line.trim_end() == "+++" {
            closing_line = Some(i + 2);
            break;
        }
        toml_len += line.len();
    }
    let Some(closing_line) = closing_line else {
        return Err(vec![Diagnostic::error(path, 1, 1, "front matter is not closed: no second `+++` line")]);
    };
    let toml_start = first.len();
    let toml_text = &text[toml_start..toml_start + toml_len];
    let body_start = text[toml_start + toml_len..].find('\n').map_or(text.len(), |i| toml_start + toml_len + i + 1);
    let front: FrontMatter = toml::from_str(toml_text).map_err(|e| vec![toml_diagnostic(path, toml_text, 1, &e)])?;
    let mut problems = Vec::new();
    if front.title.trim().is_empty() {
        problems.push(Diagnostic::error(path, 2, 1, "`title` must not be empty"));
    }
    for (field, terms) in [("audience", &front.audience), ("topics", &front.topics)] {
        for term in terms {
            if !is_term_id(term) {
                problems.push(Diagnostic::error(
                    path,
                    field_line(toml_text, field).map_or(2, |l| l + 1),
                    1,
                    format!("`{field}` term `{term}` must be a lowercase ID with hyphens (its label comes from i18n)"),
                ));
            }
        }
    }
    if front.repeat.is_some() && front.kind != Kind::Checklist {
        problems.push(Diagnostic::error(
            path,
            field_line(toml_text, "repeat").map_or(2, |l| l + 1),
            1,
            format!("`repeat` is for pages of kind checklist, not {}", front.kind.as_str()),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Parsed { front, body: text[body_start..].to_string(), body_line: closing_line + 1 })
}

/// Taxonomy term IDs are the same in every language, so they are plain ASCII slugs.
fn is_term_id(term: &str) -> bool {
    !term.is_empty()
        && term.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !term.starts_with('-')
        && !term.ends_with('-')
}

/// 1-based line (within the TOML) of the line assigning `field`, if any.
fn field_line(toml_text: &str, field: &str) -> Option<usize> {
    toml_text
        .lines()
        .position(|l| l.trim_start().strip_prefix(field).is_some_and(|r| r.trim_start().starts_with('=')))
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Parsed, Vec<Diagnostic>> {
        parse_page(Path::new("p.md"), text)
    }

    #[test]
    fn splits_front_matter_and_counts_body_line() {
        let p = parse("+++\ntitle = \"A\"\nkind = \"guidance\"\n+++\n# Hello\n").unwrap();
        assert_eq!(p.front.title, "A");
        assert_eq!(p.front.kind, Kind::Guidance);
        assert_eq!(p.body, "# Hello\n");
        assert_eq!(p.body_line, 5);
    }

    #[test]
    fn unknown_key_is_an_error_on_its_line() {
        let err = parse("+++\ntitle = \"A\"\n\ntitel = \"B\"\n+++\n").unwrap_err();
        assert_eq!(err[0].line, 4);
        assert!(err[0].message.contains("titel"), "{}", err[0].message);
    }

    #[test]
    fn malformed_toml_names_the_line() {
        let err = parse("+++\ntitle = \"A\"\nweight = = 3\n+++\n").unwrap_err();
        assert_eq!(err[0].line, 3);
    }

    #[test]
    fn missing_or_unclosed_front_matter_is_reported() {
        assert!(parse("# no front matter\n").unwrap_err()[0].message.contains("missing"));
        assert!(parse("+++\ntitle = \"A\"\n").unwrap_err()[0].message.contains("not closed"));
    }

    #[test]
    fn dates_may_be_strings_or_toml_dates() {
        let a = parse("+++\ntitle = \"A\"\ndate = \"2025-01-15\"\n+++\n").unwrap();
        let b = parse("+++\ntitle = \"A\"\ndate = 2025-01-15\n+++\n").unwrap();
        assert_eq!(a.front.date, b.front.date);
        assert_eq!(a.front.date.unwrap().to_string(), "2025-01-15");
        let err = parse("+++\ntitle = \"A\"\n\ndate = \"15/01/2025\"\n+++\n").unwrap_err();
        assert_eq!(err[0].line, 4);
    }

    #[test]
    fn repeat_is_for_checklists_and_names_its_line() {
        let p = parse("+++\ntitle = \"A\"\nkind = \"checklist\"\nrepeat = \"monthly\"\n+++\n").unwrap();
        assert_eq!(p.front.repeat, Some(Repeat::Monthly));
        assert_eq!(parse("+++\ntitle = \"A\"\nkind = \"checklist\"\n+++\n").unwrap().front.repeat, None);
        let err = parse("+++\ntitle = \"A\"\nkind = \"guidance\"\nrepeat = \"monthly\"\n+++\n").unwrap_err();
        assert_eq!(
            (err[0].line, err[0].message.as_str()),
            (4, "`repeat` is for pages of kind checklist, not guidance")
        );
        let err = parse("+++\ntitle = \"A\"\nkind = \"checklist\"\nrepeat = \"daily\"\n+++\n").unwrap_err();
        assert_eq!(err[0].line, 4);
        assert!(err[0].message.contains("weekly"), "the message lists the values: {}", err[0].message);
    }

    #[test]
    fn unknown_kind_and_bad_terms_are_errors() {
        assert!(parse("+++\ntitle = \"A\"\nkind = \"blog\"\n+++\n").is_err());
        let err = parse("+++\ntitle = \"A\"\ntopics = [\"Back Up\"]\n+++\n").unwrap_err();
        assert_eq!(err[0].line, 3);
    }
}
