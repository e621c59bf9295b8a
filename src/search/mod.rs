//! Search: one Tantivy index per language built from page sections, exported as small
//! classic-script shards that the browser client queries offline.
//!
//! The pipeline hands this module plain `SearchDoc`s; it returns the files to write under the
//! output folder (only `output` writes the site).

use std::path::PathBuf;

/// One retrievable unit: a section of a page (the text under one heading).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SearchDoc {
    /// URL relative to the site root, with the heading anchor: `en/guidance/backups.html#restore`.
    pub url: String,
    pub page_title: String,
    /// The heading of this section; empty for the text before the first heading.
    pub section: String,
    /// Plain text of the section.
    pub body: String,
    pub description: String,
    pub kind: String,
    pub audience: Vec<String>,
    pub topics: Vec<String>,
}

/// A file of the browser index, relative to the output root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}
