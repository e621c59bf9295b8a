//! Diagnostics and errors: every problem found in the content carries the file and, where
//! known, the line and column, so that `build` and `check` can report all of them in one run
//! as `path:line:col: error: message`.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is: errors fail the build, warnings fail only `check --strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One problem in the input, located as precisely as we know.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Diagnostic {
    pub path: PathBuf,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based; 0 when unknown.
    pub column: usize,
    pub severity: Severity,
    pub message: String,
}

impl Diagnostic {
    pub fn error(path: impl AsRef<Path>, line: usize, column: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.as_ref().to_path_buf(),
            line,
            column,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    pub fn warning(path: impl AsRef<Path>, line: usize, column: usize, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(path, line, column, message) }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}", self.path.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        write!(f, ": {severity}: {}", self.message)
    }
}

/// Diagnostics as a reader wants them: errors before warnings (a syntax error must not scroll
/// away behind a hundred missing-translation warnings), each group by file and line, no repeats.
pub fn in_reading_order(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.cmp(b)));
    diagnostics.dedup();
    diagnostics
}

/// Translates a byte offset in `text` into a 1-based (line, column), columns counted in chars.
/// For many offsets in one text, `LineIndex` does the same in time linear in the text.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(text).line_col(offset)
}

/// Lines and columns of many offsets in one text: each line start is found once, a line by a
/// binary search, and a column is counted on from the previous lookup when it lies further
/// along the same line (the usual case: diagnostics come in document order), so that a page
/// with many links or errors costs time linear in its size, not in size times errors.
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of the start of each line.
    starts: Vec<usize>,
    /// The last lookup: (byte offset, its line index, its column).
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `text`.
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0).chain(line_ends(text)).collect();
        LineIndex { text, starts, last: std::cell::Cell::new((0, 0, 1)) }
    }

    /// 1-based (line, column) of a byte offset (clamped to the text, rounded down to a char).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = self.text.floor_char_boundary(offset.min(self.text.len()));
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let (last_offset, last_line, last_column) = self.last.get();
        let column = if last_line == line && last_offset <= offset {
            last_column + self.text[last_offset..offset].chars().count()
        } else {
            self.text[self.starts[line]..offset].chars().count() + 1
        };
        self.last.set((offset, line, column));
        (line + 1, column)
    }
}

fn line_ends(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1)
}

/// Failures that stop a command before or after the content is looked at (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Usage(String),
    /// An output folder that a build must not replace (`output::guard`).
    #[error("refusing to write the site into {}: {reason}", dest.display())]
    UnsafeOutput { dest: PathBuf, reason: crate::output::guard::Refusal },
    #[error("search index: {0}")]
    Search(String),
}

impl Error {
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io { path: path.as_ref().to_path_buf(), source }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_agrees_with_counting_from_the_start() {
        let text = "ab\ncd é f\n\nlast line\nx";
        let index = LineIndex::new(text);
        let naive = |offset: usize| {
            let before = &text[..offset];
            (before.matches('\n').count() + 1, before.rsplit('\n').next().unwrap_or("").chars().count() + 1)
        };
        // In order, backwards, and jumping about: the cursor must never change the answer.
        let boundaries: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
        for &offset in boundaries.iter().chain(boundaries.iter().rev()).chain([3, 20, 0, 8, 8, 1].iter()) {
            assert_eq!(index.line_col(offset), naive(offset), "offset {offset}");
        }
        assert_eq!(index.line_col(text.len() + 5), naive(text.len()));
        assert_eq!(LineIndex::new("").line_col(0), (1, 1));
    }
}
