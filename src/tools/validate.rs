//! Cross-language checks: a locale's self-assessment or quiz must have the same ids, in the
//! same order, with the same points, themes and correct answers as the source language's, so
//! that scores mean the same in every language and saved answers survive a language switch.
//! Every problem is reported at the locale's file, which is the one a translator can fix.

use super::assessment::Assessment;
use super::quiz::Quiz;
use super::{error_at, line_of, position_of, Located};
use crate::error::Diagnostic;

/// An id and the line it sits on.
struct Item<'a> {
    id: &'a str,
    line: usize,
    column: usize,
}

fn items<'a, T>(file: &Located, list: &'a [T], id: impl Fn(&'a T) -> &'a toml::Spanned<String>) -> Vec<Item<'a>> {
    list.iter()
        .map(|x| {
            let id = id(x);
            {
                let (line, column) = position_of(file.text, &id.span());
                Item { id: id.get_ref(), line, column }
            }
        })
        .collect()
}

/// Missing, extra and reordered ids of one list (`what`: "question", "answer", ...).
fn compare_ids(
    what: &str,
    scope: &str,
    locale: &Located,
    source: &Located,
    in_locale: &[Item],
    in_source: &[Item],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let find = |id: &str| in_locale.iter().find(|i| i.id == id);
    for (i, s) in in_source.iter().enumerate() {
        if find(s.id).is_some() {
            continue;
        }
        // Point at the place where the item belongs: the next item the locale does have,
        // else the previous one, else the top of the file.
        let line = in_source[i + 1..]
            .iter()
            .find_map(|n| find(n.id))
            .or_else(|| in_source[..i].iter().rev().find_map(|p| find(p.id)))
            .map_or((1, 0), |item| (item.line, item.column));
        out.push(Diagnostic::error(
            locale.path,
            line.0,
            line.1,
            format!(
                "missing {what} `{}`{scope}: {}:{} has it, and every language needs the same {what}s",
                s.id,
                source.path.display(),
                s.line
            ),
        ));
    }
    for l in in_locale {
        if !in_source.iter().any(|s| s.id == l.id) {
            out.push(Diagnostic::error(
                locale.path,
                l.line,
                l.column,
                format!(
                    "{what} `{}`{scope} is not in the source {}: remove it, or add it there first",
                    l.id,
                    source.path.display()
                ),
            ));
        }
    }
    if out.is_empty() {
        if let Some((l, s)) = in_locale.iter().zip(in_source).find(|(l, s)| l.id != s.id) {
            out.push(Diagnostic::error(
                locale.path,
                l.line,
                l.column,
                format!(
                    "{what}s{scope} are in another order than in {}: `{}` is expected here, not `{}`",
                    source.path.display(),
                    s.id,
                    l.id
                ),
            ));
        }
    }
    out
}

/// A locale's self-assessment against the source language's.
pub fn compare_assessments(locale: &Located, l: &Assessment, source: &Located, s: &Assessment) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    out.extend(compare_ids(
        "answer",
        "",
        locale,
        source,
        &items(locale, &l.answers, |a| &a.id),
        &items(source, &s.answers, |a| &a.id),
    ));
    for la in &l.answers {
        let Some(sa) = s.answers.iter().find(|sa| sa.id.get_ref() == la.id.get_ref()) else {
            continue;
        };
        if la.points.get_ref() != sa.points.get_ref() {
            out.push(error_at(
                locale.path,
                locale.text,
                &la.points.span(),
                format!(
                    "answer `{}` scores {} here but {} in {}:{}: points are the same in every language",
                    la.id.get_ref(),
                    la.points.get_ref(),
                    sa.points.get_ref(),
                    source.path.display(),
                    line_of(source.text, &sa.points.span())
                ),
            ));
        }
    }
    out.extend(compare_ids(
        "theme",
        "",
        locale,
        source,
        &items(locale, &l.themes, |t| &t.id),
        &items(source, &s.themes, |t| &t.id),
    ));
    out.extend(compare_ids(
        "question",
        "",
        locale,
        source,
        &items(locale, &l.questions, |q| &q.id),
        &items(source, &s.questions, |q| &q.id),
    ));
    for lq in &l.questions {
        let Some(sq) = s.questions.iter().find(|sq| sq.id.get_ref() == lq.id.get_ref()) else {
            continue;
        };
        if lq.theme.get_ref() != sq.theme.get_ref() {
            out.push(error_at(
                locale.path,
                locale.text,
                &lq.theme.span(),
                format!(
                    "question `{}` is in theme `{}` here but `{}` in {}",
                    lq.id.get_ref(),
                    lq.theme.get_ref(),
                    sq.theme.get_ref(),
                    source.path.display()
                ),
            ));
        }
    }
    out
}

/// A locale's quiz against the source language's.
pub fn compare_quizzes(locale: &Located, l: &Quiz, source: &Located, s: &Quiz) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if l.pass_mark.get_ref() != s.pass_mark.get_ref() {
        out.push(error_at(
            locale.path,
            locale.text,
            &l.pass_mark.span(),
            format!(
                "pass_mark is {} here but {} in {}",
                l.pass_mark.get_ref(),
                s.pass_mark.get_ref(),
                source.path.display()
            ),
        ));
    }
    out.extend(compare_ids(
        "question",
        "",
        locale,
        source,
        &items(locale, &l.questions, |q| &q.id),
        &items(source, &s.questions, |q| &q.id),
    ));
    for lq in &l.questions {
        let Some(sq) = s.questions.iter().find(|sq| sq.id.get_ref() == lq.id.get_ref()) else {
            continue;
        };
        let scope = format!(" in question `{}`", lq.id.get_ref());
        out.extend(compare_ids(
            "option",
            &scope,
            locale,
            source,
            &items(locale, &lq.options, |o| &o.id),
            &items(source, &sq.options, |o| &o.id),
        ));
        if lq.correct.get_ref() != sq.correct.get_ref() {
            out.push(error_at(
                locale.path,
                locale.text,
                &lq.correct.span(),
                format!(
                    "question `{}`: the correct answer is `{}` here but `{}` in {}",
                    lq.id.get_ref(),
                    lq.correct.get_ref(),
                    sq.correct.get_ref(),
                    source.path.display()
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::tools::assessment::parse_assessment;
    use crate::tools::quiz::parse_quiz;

    const SOURCE: &str = r#"[[answers]]
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
advice = "Keep one."

[[questions]]
id = "backup-restore"
theme = "backup"
text = "Restore test?"
advice = "Test."

[[questions]]
id = "backup-monthly"
theme = "backup"
text = "Monthly?"
advice = "Monthly."
"#;

    fn compare(locale_text: &str) -> Vec<String> {
        let (sp, lp) = (Path::new("en/a.toml"), Path::new("it/a.toml"));
        let s = parse_assessment(sp, SOURCE).unwrap();
        let l = parse_assessment(lp, locale_text).unwrap();
        compare_assessments(&Located { path: lp, text: locale_text }, &l, &Located { path: sp, text: SOURCE }, &s)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn identical_definitions_agree() {
        assert_eq!(compare(SOURCE), Vec::<String>::new());
        let translated = SOURCE.replace("Offline copy?", "Copia offline?");
        assert_eq!(compare(&translated), Vec::<String>::new());
    }

    #[test]
    fn missing_question_is_named_where_it_belongs() {
        let without = SOURCE.replace(
            "[[questions]]\nid = \"backup-restore\"\ntheme = \"backup\"\ntext = \"Restore test?\"\nadvice = \"Test.\"\n\n",
            "",
        );
        assert_eq!(
            compare(&without),
            ["it/a.toml:22:6: error: missing question `backup-restore`: en/a.toml:22 has it, and every language needs the same questions"]
        );
        // The last question missing: the previous one is the nearest place.
        let end = SOURCE.find("\n[[questions]]\nid = \"backup-monthly\"").unwrap();
        let problems = compare(&SOURCE[..end + 1]);
        assert!(problems[0].starts_with("it/a.toml:22:6: error: missing question `backup-monthly`"), "{problems:?}");
    }

    #[test]
    fn points_theme_order_and_extra_ids_differ() {
        let problems = compare(&SOURCE.replace("points = 2", "points = 3"));
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with("it/a.toml:4:10: error: answer `yes` scores 3 here but 2 in en/a.toml:4"),
            "{problems:?}"
        );
        let problems = compare(&SOURCE.replace("\"backup-monthly\"", "\"backup-weekly\""));
        assert!(problems.iter().any(|p| p.contains("missing question `backup-monthly`")));
        assert!(problems
            .iter()
            .any(|p| p.starts_with("it/a.toml:28:6: error: question `backup-weekly` is not in the source")));
        let swapped = SOURCE
            .replace("\"backup-offline\"", "\"tmp\"")
            .replace("\"backup-restore\"", "\"backup-offline\"")
            .replace("\"tmp\"", "\"backup-restore\"");
        let problems = compare(&swapped);
        assert!(problems[0].contains("another order"), "{problems:?}");
    }

    #[test]
    fn quizzes_compare_options_and_correct_answers() {
        let source = "pass_mark = 70\n[[questions]]\nid = \"q1\"\ntext = \"?\"\ncorrect = \"a\"\nexplanation = \".\"\noptions = [{ id = \"a\", text = \"A\" }, { id = \"b\", text = \"B\" }]\n";
        let locale = source
            .replace("correct = \"a\"", "correct = \"b\"")
            .replace("pass_mark = 70", "pass_mark = 80")
            .replace(", { id = \"b\", text = \"B\" }", ", { id = \"c\", text = \"C\" }");
        let (sp, lp) = (Path::new("en/q.toml"), Path::new("nl/q.toml"));
        let s = parse_quiz(sp, source).unwrap();
        let l = parse_quiz(lp, &locale).unwrap();
        let problems: Vec<String> =
            compare_quizzes(&Located { path: lp, text: &locale }, &l, &Located { path: sp, text: source }, &s)
                .iter()
                .map(ToString::to_string)
                .collect();
        assert!(problems.iter().any(|p| p.starts_with("nl/q.toml:1:13: error: pass_mark is 80")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("missing option `b` in question `q1`")), "{problems:?}");
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("nl/q.toml:5:11: error: question `q1`: the correct answer is `b` here but `a`")),
            "{problems:?}"
        );
    }
}
