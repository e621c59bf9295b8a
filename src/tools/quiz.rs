//! The quiz of a training module: a TOML file next to the module's `_index.md` (pass mark,
//! questions, options, the correct option and an explanation) parsed with spans, and the checks
//! that need only the one file. Cross-language checks live in `validate`.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{check_id, error_at, Located};
use crate::config::toml_diagnostic;
use crate::error::Diagnostic;

/// A quiz as written in one language.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quiz {
    /// Percent of correct answers needed to pass.
    pub pass_mark: Spanned<i64>,
    pub questions: Vec<QuizQuestion>,
}

/// One multiple-choice question.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuizQuestion {
    pub id: Spanned<String>,
    pub text: String,
    pub correct: Spanned<String>,
    pub explanation: String,
    pub options: Vec<QuizOption>,
}

/// One option of a question.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuizOption {
    pub id: Spanned<String>,
    pub text: String,
}

/// Parses a quiz; a syntax error or an unknown key is a diagnostic with its line.
pub fn parse_quiz(path: &Path, text: &str) -> Result<Quiz, Diagnostic> {
    toml::from_str(text).map_err(|e| toml_diagnostic(path, text, 0, &e))
}

/// Checks that need only this file: a pass mark in 0..=100, unique ids, at least two options,
/// and a correct answer that is one of them.
pub fn check_quiz(file: &Located, quiz: &Quiz) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let err = |span: std::ops::Range<usize>, message: String| error_at(file.path, file.text, &span, message);
    if !(0..=100).contains(quiz.pass_mark.get_ref()) {
        out.push(err(
            quiz.pass_mark.span(),
            format!("pass_mark {} is not a percentage (0 to 100)", quiz.pass_mark.get_ref()),
        ));
    }
    if quiz.questions.is_empty() {
        out.push(Diagnostic::error(file.path, 1, 0, "no questions: add [[questions]] tables"));
    }
    let mut questions = BTreeSet::new();
    for q in &quiz.questions {
        out.extend(check_id(file, "question", &q.id, &mut questions));
        let mut options = BTreeSet::new();
        for o in &q.options {
            out.extend(check_id(file, "option", &o.id, &mut options));
        }
        if q.options.len() < 2 {
            out.push(err(q.id.span(), format!("question `{}` needs at least two options", q.id.get_ref())));
        }
        if !options.contains(q.correct.get_ref()) {
            let ids: Vec<&str> = q.options.iter().map(|o| o.id.get_ref().as_str()).collect();
            out.push(err(
                q.correct.span(),
                format!(
                    "question `{}`: the correct answer `{}` is not one of its options ({})",
                    q.id.get_ref(),
                    q.correct.get_ref(),
                    ids.join(", ")
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::line_of;

    const VALID: &str = r#"pass_mark = 70

[[questions]]
id = "q1"
text = "Which?"
correct = "b"
explanation = "Because."
options = [
  { id = "a", text = "A" },
  { id = "b", text = "B" },
]
"#;

    fn check(text: &str) -> Vec<String> {
        let path = Path::new("quiz.toml");
        let quiz = parse_quiz(path, text).unwrap();
        check_quiz(&Located { path, text }, &quiz).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_valid_quiz_passes() {
        assert_eq!(check(VALID), Vec::<String>::new());
    }

    #[test]
    fn correct_answer_must_be_an_option() {
        let problems = check(&VALID.replace("correct = \"b\"", "correct = \"e\""));
        assert_eq!(
            problems,
            ["quiz.toml:6:11: error: question `q1`: the correct answer `e` is not one of its options (a, b)"]
        );
    }

    #[test]
    fn pass_mark_and_option_count_are_checked() {
        let text = VALID.replace("pass_mark = 70", "pass_mark = 170").replace("  { id = \"a\", text = \"A\" },\n", "");
        let problems = check(&text);
        assert!(problems.iter().any(|p| p.starts_with("quiz.toml:1:13: error: pass_mark 170")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("at least two options")), "{problems:?}");
    }

    #[test]
    fn option_spans_inside_inline_tables_give_lines() {
        let quiz = parse_quiz(Path::new("quiz.toml"), VALID).unwrap();
        assert_eq!(line_of(VALID, &quiz.questions[0].options[1].id.span()), 10);
    }
}
