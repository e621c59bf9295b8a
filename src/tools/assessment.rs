//! The self-assessment definition: a TOML file next to a page of kind `tool` (answer scale,
//! themes, questions with advice and links) parsed with spans, and the checks that need only
//! the one file. Cross-language checks live in `validate`.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{check_id, error_at, Located};
use crate::config::toml_diagnostic;
use crate::error::Diagnostic;

/// A self-assessment as written in one language.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    /// The answer scale, in the order the reader sees it.
    pub answers: Vec<Answer>,
    pub themes: Vec<Theme>,
    pub questions: Vec<Question>,
}

/// One step of the answer scale (`yes`, `partly`, ...).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub id: Spanned<String>,
    pub label: String,
    pub points: Spanned<i64>,
}

/// A group of questions with its own score.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    pub id: Spanned<String>,
    pub title: String,
}

/// One question, and what to do when its answer is not the best one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: Spanned<String>,
    pub theme: Spanned<String>,
    pub text: String,
    #[serde(default)]
    pub help: Option<String>,
    pub advice: String,
    #[serde(default)]
    pub links: Vec<Link>,
}

/// A link from a piece of advice to a page of the site (or an external address).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub title: String,
    pub href: Spanned<String>,
}

impl Assessment {
    /// The most points one question can give (the best answer's).
    pub fn max_points(&self) -> i64 {
        self.answers.iter().map(|a| *a.points.get_ref()).max().unwrap_or(0)
    }
}

/// Parses a definition; a syntax error or an unknown key is a diagnostic with its line.
pub fn parse_assessment(path: &Path, text: &str) -> Result<Assessment, Diagnostic> {
    toml::from_str(text).map_err(|e| toml_diagnostic(path, text, 0, &e))
}

/// Checks that need only this file: id syntax, unique ids, themes that exist and have
/// questions, and a scale whose best answer scores above zero.
pub fn check_assessment(file: &Located, a: &Assessment) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let err = |span: std::ops::Range<usize>, message: String| error_at(file.path, file.text, &span, message);
    if a.answers.is_empty() {
        out.push(Diagnostic::error(file.path, 1, 0, "no answers: add [[answers]] tables (id, label, points)"));
    }
    if a.questions.is_empty() {
        out.push(Diagnostic::error(file.path, 1, 0, "no questions: add [[questions]] tables"));
    }
    let mut seen = BTreeSet::new();
    for answer in &a.answers {
        out.extend(check_id(file, "answer", &answer.id, &mut seen));
        if *answer.points.get_ref() < 0 {
            out.push(err(
                answer.points.span(),
                format!("answer `{}` has negative points: use 0 or more", answer.id.get_ref()),
            ));
        }
    }
    if !a.answers.is_empty() && a.max_points() <= 0 {
        out.push(err(
            a.answers[0].points.span(),
            "no answer scores above 0: the best answer needs points to score themes".into(),
        ));
    }
    let mut themes = BTreeSet::new();
    for theme in &a.themes {
        out.extend(check_id(file, "theme", &theme.id, &mut themes));
    }
    let mut questions = BTreeSet::new();
    let mut used_themes = BTreeSet::new();
    for q in &a.questions {
        out.extend(check_id(file, "question", &q.id, &mut questions));
        if themes.contains(q.theme.get_ref()) {
            used_themes.insert(q.theme.get_ref().clone());
        } else {
            out.push(err(
                q.theme.span(),
                format!(
                    "question `{}` names theme `{}`, which is not among the [[themes]]",
                    q.id.get_ref(),
                    q.theme.get_ref()
                ),
            ));
        }
    }
    for theme in &a.themes {
        if !used_themes.contains(theme.id.get_ref()) {
            out.push(err(
                theme.id.span(),
                format!("theme `{}` has no questions: its score would be empty", theme.id.get_ref()),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::line_of;

    pub const VALID: &str = r#"
[[answers]]
id = "yes"
label = "Yes"
points = 2

[[answers]]
id = "no"
label = "No"
points = 0

[[themes]]
id = "backup"
title = "Backup"

[[questions]]
id = "backup-offline"
theme = "backup"
text = "Offline copy?"
advice = "Keep one copy offline."
links = [{ title = "Backups", href = "../guidance/backups.md" }]
"#;

    fn check(text: &str) -> Vec<String> {
        let path = Path::new("a.toml");
        let a = parse_assessment(path, text).unwrap();
        check_assessment(&Located { path, text }, &a).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_valid_definition_passes() {
        assert_eq!(check(VALID), Vec::<String>::new());
        let a = parse_assessment(Path::new("a.toml"), VALID).unwrap();
        assert_eq!(a.max_points(), 2);
        assert_eq!(line_of(VALID, &a.questions[0].id.span()), 17);
    }

    #[test]
    fn unknown_keys_are_errors_with_their_line() {
        let text = VALID.replace("advice =", "advise =");
        let e = parse_assessment(Path::new("a.toml"), &text).unwrap_err();
        assert_eq!(e.line, 20, "{e}");
        assert!(e.message.contains("advise"), "{e}");
    }

    #[test]
    fn unknown_theme_and_empty_theme_are_reported() {
        let text = VALID.replace("theme = \"backup\"", "theme = \"backups\"");
        let problems = check(&text);
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("a.toml:18:9: error: question `backup-offline` names theme `backups`")),
            "{problems:?}"
        );
        assert!(problems.iter().any(|p| p.contains("theme `backup` has no questions")), "{problems:?}");
    }

    #[test]
    fn duplicate_ids_bad_ids_and_bad_points_are_reported() {
        let text = VALID.replace("id = \"no\"", "id = \"yes\"").replace("points = 0", "points = -1");
        let problems = check(&text);
        assert!(problems.iter().any(|p| p.contains("duplicate answer id `yes`")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("negative points")), "{problems:?}");
        let problems = check(&VALID.replace("\"backup-offline\"", "\"Backup offline\""));
        assert!(problems.iter().any(|p| p.contains("question id `Backup offline`")), "{problems:?}");
    }
}
