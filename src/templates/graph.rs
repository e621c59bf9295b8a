//! What the theme's templates refer to, read from Tera's parsed templates: the templates each
//! one extends or includes, and the macros each macro calls. Tera follows these at render time
//! without a depth limit, so a template that includes itself, or a macro that calls itself,
//! overflows the stack and aborts the process: such cycles are refused when the theme loads.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use tera::ast::{Expr, ExprVal, Node};

use crate::error::Diagnostic;

/// The references of one template.
#[derive(Debug, Default, Clone)]
struct Refs {
    /// Templates this one extends or includes.
    uses: BTreeSet<String>,
    /// Macro namespace -> template it was imported from (`self` is the template itself).
    imports: BTreeMap<String, String>,
    /// Macro name -> the (namespace, macro) pairs its body calls.
    calls: BTreeMap<String, BTreeSet<(String, String)>>,
}

/// Reports every include/extends cycle and every macro recursion among `sources` (name, text)
/// as a template error at the line where the cycle's first step is written.
pub fn check_cycles(sources: &[(String, String)], display_dir: &Path) -> Vec<Diagnostic> {
    let refs: BTreeMap<&str, Refs> = sources
        .iter()
        .filter_map(|(name, text)| tera::Template::new(name, None, text).ok().map(|t| (name.as_str(), refs_of(&t.ast))))
        .collect();
    let text_of: BTreeMap<&str, &str> = sources.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let mut out = Vec::new();

    let template_edges: BTreeMap<String, Vec<String>> =
        refs.iter().map(|(name, r)| (name.to_string(), r.uses.iter().cloned().collect())).collect();
    for cycle in cycles(&template_edges) {
        let (first, next) = (&cycle[0], &cycle[1]);
        let line = text_of.get(first.as_str()).map_or(0, |text| line_naming(text, next));
        out.push(Diagnostic::error(
            display_dir.join("templates").join(first),
            line,
            0,
            format!("template include cycle: {}", cycle.join(" -> ")),
        ));
    }

    // Macros are named `template::macro`; a call resolves through the caller's imports.
    let mut macro_edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, r) in &refs {
        for (macro_name, calls) in &r.calls {
            let targets = calls
                .iter()
                .filter_map(|(namespace, called)| {
                    let file =
                        if namespace == "self" { Some(name.to_string()) } else { r.imports.get(namespace).cloned() };
                    file.map(|f| format!("{f}::{called}"))
                })
                .collect();
            macro_edges.insert(format!("{name}::{macro_name}"), targets);
        }
    }
    for cycle in cycles(&macro_edges) {
        let file = cycle[0].split("::").next().unwrap_or_default();
        let macro_name = cycle[0].rsplit("::").next().unwrap_or_default();
        let line = text_of.get(file).map_or(0, |text| line_naming(text, &format!("macro {macro_name}")));
        out.push(Diagnostic::error(
            display_dir.join("templates").join(file),
            line,
            0,
            format!(
                "recursive macro: {} (a macro may not call itself, directly or through others: Tera has no depth limit)",
                cycle.join(" -> ")
            ),
        ));
    }
    out
}

/// Blocks (`if`, `for`, `block`, `macro`, `filter`) and brackets nested deeper than this in a
/// template are an error: Tera's parser and renderer recurse once per level.
pub const MAX_TEMPLATE_NESTING: usize = 200;

/// Templates that nest past `MAX_TEMPLATE_NESTING`, found by a scan of the text that does not
/// recurse, before Tera parses them.
pub fn check_depth(sources: &[(String, String)], display_dir: &Path) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (name, text) in sources {
        let (mut blocks, mut brackets, mut deepest) = (0usize, 0usize, None);
        'lines: for (line_no, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find("{%") {
                let tag = rest[at + 2..].trim_start_matches(['-', ' ']);
                let word: String = tag.chars().take_while(char::is_ascii_alphabetic).collect();
                match word.as_str() {
                    "if" | "for" | "block" | "macro" | "filter" => blocks += 1,
                    w if w.starts_with("end") => blocks = blocks.saturating_sub(1),
                    _ => {}
                }
                if blocks > MAX_TEMPLATE_NESTING {
                    deepest = Some(line_no);
                    break 'lines;
                }
                rest = &rest[at + 2..];
            }
            for c in line.chars() {
                match c {
                    '(' | '[' | '{' => brackets += 1,
                    ')' | ']' | '}' => brackets = brackets.saturating_sub(1),
                    _ => {}
                }
                if brackets > MAX_TEMPLATE_NESTING {
                    deepest = Some(line_no);
                    break 'lines;
                }
            }
        }
        if let Some(line_no) = deepest {
            out.push(Diagnostic::error(
                display_dir.join("templates").join(name),
                line_no + 1,
                0,
                format!("template error: nested more than {MAX_TEMPLATE_NESTING} levels deep; flatten it"),
            ));
        }
    }
    out
}

fn refs_of(ast: &[Node]) -> Refs {
    let mut refs = Refs::default();
    refs.imports.insert("self".into(), String::new());
    walk(ast, None, &mut refs);
    refs.imports.remove("self");
    refs
}

fn walk(nodes: &[Node], in_macro: Option<&str>, refs: &mut Refs) {
    for node in nodes {
        match node {
            Node::Extends(_, parent) => {
                refs.uses.insert(parent.clone());
            }
            Node::Include(_, names, _) => refs.uses.extend(names.iter().cloned()),
            Node::ImportMacro(_, file, namespace) => {
                refs.imports.insert(namespace.clone(), file.clone());
            }
            Node::MacroDefinition(_, definition, _) => {
                refs.calls.entry(definition.name.clone()).or_default();
                for default in definition.args.values().flatten() {
                    expr(default, Some(&definition.name), refs);
                }
                walk(&definition.body, Some(&definition.name), refs);
            }
            Node::VariableBlock(_, e) => expr(e, in_macro, refs),
            Node::Set(_, set) => expr(&set.value, in_macro, refs),
            Node::FilterSection(_, section, _) => {
                section.filter.args.values().for_each(|e| expr(e, in_macro, refs));
                walk(&section.body, in_macro, refs);
            }
            Node::Block(_, block, _) => walk(&block.body, in_macro, refs),
            Node::Forloop(_, forloop, _) => {
                expr(&forloop.container, in_macro, refs);
                walk(&forloop.body, in_macro, refs);
                if let Some(body) = &forloop.empty_body {
                    walk(body, in_macro, refs);
                }
            }
            Node::If(branches, _) => {
                for (_, condition, body) in &branches.conditions {
                    expr(condition, in_macro, refs);
                    walk(body, in_macro, refs);
                }
                if let Some((_, body)) = &branches.otherwise {
                    walk(body, in_macro, refs);
                }
            }
            Node::Super | Node::Text(_) | Node::Raw(..) | Node::Break(_) | Node::Continue(_) | Node::Comment(..) => {}
        }
    }
}

fn expr(e: &Expr, in_macro: Option<&str>, refs: &mut Refs) {
    value(&e.val, in_macro, refs);
    for filter in &e.filters {
        filter.args.values().for_each(|a| expr(a, in_macro, refs));
    }
}

fn value(v: &ExprVal, in_macro: Option<&str>, refs: &mut Refs) {
    match v {
        ExprVal::MacroCall(call) => {
            if let Some(caller) = in_macro {
                refs.calls.entry(caller.to_string()).or_default().insert((call.namespace.clone(), call.name.clone()));
            }
            call.args.values().for_each(|a| expr(a, in_macro, refs));
        }
        ExprVal::FunctionCall(call) => call.args.values().for_each(|a| expr(a, in_macro, refs)),
        ExprVal::Math(m) => {
            expr(&m.lhs, in_macro, refs);
            expr(&m.rhs, in_macro, refs);
        }
        ExprVal::Logic(l) => {
            expr(&l.lhs, in_macro, refs);
            expr(&l.rhs, in_macro, refs);
        }
        ExprVal::In(i) => {
            expr(&i.lhs, in_macro, refs);
            expr(&i.rhs, in_macro, refs);
        }
        ExprVal::Test(t) => t.args.iter().for_each(|a| expr(a, in_macro, refs)),
        ExprVal::Array(items) => items.iter().for_each(|a| expr(a, in_macro, refs)),
        ExprVal::StringConcat(concat) => concat.values.iter().for_each(|a| value(a, in_macro, refs)),
        ExprVal::String(_) | ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) | ExprVal::Ident(_) => {}
    }
}

/// Every cycle of a graph, once each, as its nodes from the smallest back to itself
/// (`a -> b -> a`). Nodes with no entry have no edges.
fn cycles(edges: &BTreeMap<String, Vec<String>>) -> Vec<Vec<String>> {
    let mut found: BTreeSet<Vec<String>> = BTreeSet::new();
    for start in edges.keys() {
        // Depth-first from `start`, only through nodes greater than it: each cycle is found
        // from its smallest node and nowhere else. An explicit stack: no recursion to overflow.
        let mut path: Vec<String> = vec![start.clone()];
        let mut stack: Vec<std::vec::IntoIter<String>> = vec![edges[start].clone().into_iter()];
        let mut on_path: BTreeSet<String> = BTreeSet::from([start.clone()]);
        while let Some(next) = stack.last_mut().map(Iterator::next) {
            match next {
                None => {
                    stack.pop();
                    if let Some(done) = path.pop() {
                        on_path.remove(&done);
                    }
                }
                Some(n) if &n == start => {
                    let mut cycle = path.clone();
                    cycle.push(n);
                    found.insert(cycle);
                }
                Some(n) if n > *start && !on_path.contains(&n) && found.len() < 100 => {
                    let more = edges.get(&n).cloned().unwrap_or_default();
                    on_path.insert(n.clone());
                    path.push(n);
                    stack.push(more.into_iter());
                }
                Some(_) => {}
            }
        }
    }
    found.into_iter().collect()
}

/// The first line of `text` that names `what` (1-based; 0 if none does).
fn line_naming(text: &str, what: &str) -> usize {
    text.lines().position(|l| l.contains(what)).map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(sources: &[(&str, &str)]) -> Vec<String> {
        let sources: Vec<(String, String)> = sources.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
        check_cycles(&sources, Path::new("themes/t")).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_template_that_includes_itself_is_an_error() {
        let found = check(&[("partials/article.html", "<p>\n{% include \"partials/article.html\" %}\n</p>")]);
        assert_eq!(
            found,
            ["themes/t/templates/partials/article.html:2: error: template include cycle: partials/article.html -> partials/article.html"]
        );
    }

    #[test]
    fn cycles_through_several_templates_are_reported_once() {
        let found = check(&[
            ("a.html", "{% include \"b.html\" %}"),
            ("b.html", "x\n{% if y %}{% include \"c.html\" %}{% endif %}"),
            ("c.html", "{% extends \"a.html\" %}"),
            ("d.html", "{% include \"a.html\" %}"),
        ]);
        assert_eq!(
            found,
            ["themes/t/templates/a.html:1: error: template include cycle: a.html -> b.html -> c.html -> a.html"]
        );
    }

    #[test]
    fn recursive_macros_are_errors_and_plain_ones_are_not() {
        let found = check(&[
            ("m.html", "{% macro ok(x) %}{{ x }}{% endmacro %}\n{% macro down(n) %}{{ self::down(n=n) }}{% endmacro %}"),
            ("n.html", "{% import \"m.html\" as m %}{% macro a() %}{{ self::b() }}{% endmacro %}{% macro b() %}{{ self::a() }}{{ m::ok(x=1) }}{% endmacro %}"),
            ("page.html", "{% import \"m.html\" as m %}{{ m::ok(x=1) }}{% include \"n.html\" %}"),
        ]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].starts_with("themes/t/templates/m.html:2: error: recursive macro: m.html::down -> m.html::down"),
            "{found:?}"
        );
        assert!(found[1].contains("n.html::a -> n.html::b -> n.html::a"), "{found:?}");
    }

    #[test]
    fn deep_nesting_is_an_error_before_tera_parses_it() {
        let deep = format!("{}x{}", "{% if a %}".repeat(300), "{% endif %}".repeat(300));
        let sources =
            vec![("deep.html".to_string(), deep), ("flat.html".to_string(), "{% if a %}{{ (b) }}{% endif %}".into())];
        let found: Vec<String> = check_depth(&sources, Path::new("themes/t")).iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            ["themes/t/templates/deep.html:1: error: template error: nested more than 200 levels deep; flatten it"]
        );
    }

    #[test]
    fn the_default_theme_has_no_cycle() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        let (sources, problems) = super::super::load_template_sources(&dir, Path::new("themes/default"));
        assert!(problems.is_empty());
        assert!(check_cycles(&sources, Path::new("themes/default")).is_empty());
    }
}
