//! Tool definitions -> template contexts: what the kind templates (tool.html, training.html,
//! lesson.html, checklist.html) need to render the no-script version of a tool, the storage
//! key its script keeps progress under, and the JSON data block the script reads. Pure.

use serde::Serialize;

use super::{error_at, resolve_link, Definition, Loaded};
use crate::content::routes::relative_url;
use crate::content::Kind;
use crate::error::Diagnostic;
use crate::markdown::{Rendered, TocEntry};
use crate::site::Site;

/// Everything a page's template and script need for its tool.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ToolCtx {
    /// localStorage key of this tool's state: `hcp:<tool>:<lang>/<path>`, so that every page
    /// and language keeps its own answers.
    pub storage_key: String,
    /// JSON for a `<script type="application/json">` block, already safe to embed in HTML.
    pub json: Option<String>,
    pub assessment: Option<AssessmentView>,
    pub module: Option<ModuleView>,
    pub lesson: Option<LessonView>,
    pub checklist: Option<ChecklistView>,
    /// Files a model document is offered as (editable document first), relative to the page.
    pub downloads: Vec<DownloadView>,
    /// Entries the tool adds to the page's table of contents (the self-assessment's themes).
    pub toc: Vec<TocEntry>,
}

/// A checklist's settings.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistView {
    /// How often it is done (`monthly`), if its runs are recorded with their dates.
    pub repeat: Option<&'static str>,
    /// Past runs kept on the device (and listed).
    pub keep_runs: usize,
}

/// A file a model document can be downloaded as.
#[derive(Debug, Clone, Serialize)]
pub struct DownloadView {
    /// `odt` or `md`: names the UI string of its label (`template.download_odt`).
    pub format: &'static str,
    pub url: String,
}

/// A self-assessment as the template and script see it: themes with their questions nested.
#[derive(Debug, Clone, Serialize)]
pub struct AssessmentView {
    pub answers: Vec<AnswerView>,
    pub themes: Vec<ThemeView>,
    /// Points of the best answer: a question scores out of this.
    pub max_points: i64,
    /// Number of questions, over all themes.
    pub question_count: usize,
    /// The first question's id: the page's "Start" leads there.
    pub first_question: Option<String>,
}

/// One step of the answer scale.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerView {
    pub id: String,
    pub label: String,
    pub points: i64,
}

/// A theme and its questions, in the definition's order.
#[derive(Debug, Clone, Serialize)]
pub struct ThemeView {
    pub id: String,
    pub title: String,
    pub questions: Vec<QuestionView>,
}

/// A question with its advice and resolved links.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionView {
    pub id: String,
    pub text: String,
    pub help: Option<String>,
    pub advice: String,
    pub links: Vec<LinkView>,
}

/// A link: its title and a URL relative to the page.
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub title: String,
    pub url: String,
}

/// A training module: its lessons and quiz, for the module page and its lessons.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleView {
    pub title: String,
    /// The module page, relative to the current page.
    pub url: String,
    pub lessons: Vec<LessonItem>,
    /// The module page has a quiz (its `#quiz` section exists).
    pub has_quiz: bool,
    /// The quiz itself, on the module page only.
    pub quiz: Option<QuizView>,
}

/// A lesson in a module's list.
#[derive(Debug, Clone, Serialize)]
pub struct LessonItem {
    /// The lesson's file name without `.md`, the same in every language.
    pub id: String,
    pub title: String,
    pub url: String,
}

/// Where a lesson sits in its module.
#[derive(Debug, Clone, Serialize)]
pub struct LessonView {
    pub id: String,
    /// 1-based.
    pub position: usize,
    pub count: usize,
}

/// A quiz as the template and script see it.
#[derive(Debug, Clone, Serialize)]
pub struct QuizView {
    pub pass_mark: i64,
    pub questions: Vec<QuizQuestionView>,
}

/// A quiz question with its options, correct option and explanation.
#[derive(Debug, Clone, Serialize)]
pub struct QuizQuestionView {
    pub id: String,
    pub text: String,
    pub correct: String,
    pub explanation: String,
    pub options: Vec<OptionView>,
}

/// One option of a quiz question.
#[derive(Debug, Clone, Serialize)]
pub struct OptionView {
    pub id: String,
    pub text: String,
}

/// JSON that can sit inside `<script type="application/json">`: `<`, `>` and `&` escaped as
/// `\u003c` etc. (valid JSON), so that no text can close the element or open a comment.
pub fn script_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The storage key of a tool on the page at `url` (`en/tools/self-assessment.html`).
fn storage_key(tool: &str, url: &str) -> String {
    let path = url.strip_suffix(".html").unwrap_or(url);
    let path = path.strip_suffix("/index").unwrap_or(path);
    format!("hcp:{tool}:{path}")
}

/// Past runs of a repeated checklist kept on the device: a year of monthly checks.
const KEEP_RUNS: usize = 12;

/// The last segment of an output path: a download sits next to its page.
fn file_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_string()
}

/// The lesson id of a page path: its file name without `.md`.
fn lesson_id(rel_path: &str) -> String {
    let name = rel_path.rsplit('/').next().unwrap_or(rel_path);
    name.strip_suffix(".md").unwrap_or(name).to_string()
}

/// The context of route `index` (or `None` for pages without a tool), and the problems found
/// while resolving its links.
pub fn route_context(
    site: &Site,
    bodies: &[Rendered],
    index: usize,
    loaded: Option<&Loaded>,
) -> (Option<ToolCtx>, Vec<Diagnostic>) {
    let route = &site.routes.routes[index];
    let page = &site.content.pages[route.page];
    let mut problems = Vec::new();
    let ctx = match page.front.kind {
        Kind::Tool => loaded.and_then(|l| match &l.definition {
            Definition::Assessment(a) => {
                let view = assessment_view(site, bodies, index, l, a, &mut problems);
                // "On this page" leads to the questions: a theme's heading starts its questions.
                let toc = view
                    .themes
                    .iter()
                    .map(|t| TocEntry { level: 2, id: format!("sa-theme-{}", t.id), title: t.title.clone() })
                    .collect();
                Some(ToolCtx {
                    storage_key: storage_key("assessment", &route.url),
                    json: Some(script_json(&view)),
                    assessment: Some(view),
                    toc,
                    ..ToolCtx::default()
                })
            }
            Definition::Quiz(_) => None,
        }),
        Kind::Training => {
            let module = module_view(site, index, index, loaded);
            Some(ToolCtx {
                storage_key: storage_key("training", &route.url),
                json: Some(script_json(&module)),
                module: Some(module),
                ..ToolCtx::default()
            })
        }
        Kind::Lesson => route.parent.and_then(|parent| {
            let module_route = &site.routes.routes[parent];
            let module_page = &site.content.pages[module_route.page];
            if module_page.front.kind != Kind::Training {
                return None;
            }
            let lessons: Vec<usize> = module_route
                .children
                .iter()
                .copied()
                .filter(|&c| site.content.pages[site.routes.routes[c].page].front.kind == Kind::Lesson)
                .collect();
            let position = lessons.iter().position(|&c| c == index)? + 1;
            // The module's quiz is only needed on its own page; lessons get its outline.
            let module = module_view(site, index, parent, None);
            Some(ToolCtx {
                storage_key: storage_key("training", &module_route.url),
                json: None,
                module: Some(ModuleView { has_quiz: module_page.front.data.is_some(), ..module }),
                lesson: Some(LessonView { id: lesson_id(&route.rel_path), position, count: lessons.len() }),
                ..ToolCtx::default()
            })
        }),
        Kind::Checklist => Some(ToolCtx {
            storage_key: storage_key("checklist", &route.url),
            checklist: Some(ChecklistView { repeat: page.front.repeat.map(|r| r.as_str()), keep_runs: KEEP_RUNS }),
            ..ToolCtx::default()
        }),
        Kind::Template => Some(ToolCtx {
            storage_key: String::new(),
            downloads: vec![
                DownloadView { format: "odt", url: file_name(&crate::odt::download_path(&route.url)) },
                DownloadView { format: "md", url: file_name(&crate::render::markdown_download_path(&route.url)) },
            ],
            ..ToolCtx::default()
        }),
        _ => None,
    };
    (ctx, problems)
}

fn assessment_view(
    site: &Site,
    bodies: &[Rendered],
    index: usize,
    loaded: &Loaded,
    a: &crate::tools::assessment::Assessment,
    problems: &mut Vec<Diagnostic>,
) -> AssessmentView {
    let file = &loaded.data.file;
    let text = &loaded.data.text;
    let themes = a
        .themes
        .iter()
        .map(|t| ThemeView {
            id: t.id.get_ref().clone(),
            title: t.title.clone(),
            questions: a
                .questions
                .iter()
                .filter(|q| q.theme.get_ref() == t.id.get_ref())
                .map(|q| QuestionView {
                    id: q.id.get_ref().clone(),
                    text: q.text.clone(),
                    help: q.help.clone().filter(|h| !h.trim().is_empty()),
                    advice: q.advice.clone(),
                    links: q
                        .links
                        .iter()
                        .filter_map(|link| match resolve_link(site, bodies, index, link.href.get_ref()) {
                            Ok(url) => Some(LinkView { title: link.title.clone(), url }),
                            Err(message) => {
                                problems.push(error_at(file, text, &link.href.span(), message));
                                None
                            }
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect::<Vec<ThemeView>>();
    AssessmentView {
        first_question: themes.iter().flat_map(|t| &t.questions).next().map(|q| q.id.clone()),
        answers: a
            .answers
            .iter()
            .map(|x| AnswerView { id: x.id.get_ref().clone(), label: x.label.clone(), points: *x.points.get_ref() })
            .collect(),
        themes,
        max_points: a.max_points(),
        question_count: a.questions.len(),
    }
}

/// The module whose page is route `module`, seen from route `from`.
fn module_view(site: &Site, from: usize, module: usize, loaded: Option<&Loaded>) -> ModuleView {
    let from_url = &site.routes.routes[from].url;
    let route = &site.routes.routes[module];
    let page = &site.content.pages[route.page];
    let lessons = route
        .children
        .iter()
        .map(|&c| &site.routes.routes[c])
        .filter(|r| site.content.pages[r.page].front.kind == Kind::Lesson)
        .map(|r| LessonItem {
            id: lesson_id(&r.rel_path),
            title: site.content.pages[r.page].front.title.clone(),
            url: relative_url(from_url, &r.url),
        })
        .collect();
    let quiz = loaded.and_then(|l| match &l.definition {
        Definition::Quiz(q) => Some(QuizView {
            pass_mark: *q.pass_mark.get_ref(),
            questions: q
                .questions
                .iter()
                .map(|q| QuizQuestionView {
                    id: q.id.get_ref().clone(),
                    text: q.text.clone(),
                    correct: q.correct.get_ref().clone(),
                    explanation: q.explanation.clone(),
                    options: q
                        .options
                        .iter()
                        .map(|o| OptionView { id: o.id.get_ref().clone(), text: o.text.clone() })
                        .collect(),
                })
                .collect(),
        }),
        Definition::Assessment(_) => None,
    });
    ModuleView {
        title: page.front.title.clone(),
        url: relative_url(from_url, &route.url),
        lessons,
        has_quiz: quiz.is_some(),
        quiz,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_cannot_close_its_script_element() {
        let json = script_json(&vec!["</script><!-- & >"]);
        assert!(!json.contains('<') && !json.contains('>') && !json.contains('&'));
        let back: Vec<String> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ["</script><!-- & >"]);
    }

    #[test]
    fn storage_keys_name_language_and_page() {
        assert_eq!(
            storage_key("assessment", "en/tools/self-assessment.html"),
            "hcp:assessment:en/tools/self-assessment"
        );
        assert_eq!(storage_key("training", "it/training/phishing/index.html"), "hcp:training:it/training/phishing");
        assert_eq!(lesson_id("training/phishing/01-what.md"), "01-what");
    }
}
