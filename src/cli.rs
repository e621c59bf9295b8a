//! The command line: `portal build | check | search | serve | i18n`, each with `--root`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Health Cyber Portal: builds the multilingual static site from content/, themes/ and i18n/.
#[derive(Debug, Parser)]
#[command(name = "portal", version, about, propagate_version = true)]
pub struct Cli {
    /// The site's folder (holding content/, themes/, i18n/, portal.toml).
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (replaced only if the build succeeds).
    Build {
        /// Output folder [default: <root>/public].
        #[arg(long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Treat warnings (such as missing translation keys) as errors.
        #[arg(long)]
        strict: bool,
        /// Print the time spent in each pipeline stage.
        #[arg(long)]
        timings: bool,
        /// Diagnostics and summary as text or JSON.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Replace the output folder even if `portal build` did not write it (it is deleted
        /// whole). The site's own folders are never replaced.
        #[arg(long)]
        force: bool,
    },
    /// Verify everything a build verifies (links, anchors, front matter, templates, translation
    /// keys, tools) without writing anything.
    Check {
        /// Treat warnings as errors (for CI and translators).
        #[arg(long)]
        strict: bool,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Build, serve on 127.0.0.1, rebuild on change and reload open pages.
    Serve {
        /// Output folder [default: <root>/public].
        #[arg(long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Port (0 picks a free one; the address is printed on stdout).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Address to listen on; other machines can reach the site only if you choose so.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Replace the output folder even if `portal build` did not write it (it is deleted
        /// whole). The site's own folders are never replaced.
        #[arg(long)]
        force: bool,
    },
    /// Query the native search index of a language (built by `portal build`).
    Search {
        #[arg(long)]
        lang: String,
        /// How many hits to show.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Hits as JSON.
        #[arg(long)]
        json: bool,
        query: String,
    },
    /// Translation workflow: status, stale translations, new languages.
    #[command(subcommand)]
    I18n(I18nCommand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExchangeFormat {
    Xliff,
    Po,
}

/// A percentage from 0 to 100.
fn parse_percent(text: &str) -> Result<f64, String> {
    let value: f64 = text.parse().map_err(|_| format!("`{text}` is not a number"))?;
    if (0.0..=100.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{text} is outside 0-100"))
    }
}

#[derive(Debug, Subcommand)]
pub enum I18nCommand {
    /// Per language: pages translated, stale (source changed since the recorded digest) and
    /// missing; UI strings missing and unused.
    Status {
        /// Only this language.
        #[arg(long)]
        lang: Option<String>,
        #[arg(long, value_enum, default_value_t = StatusFormat::Table)]
        format: StatusFormat,
        /// Exit 1 when a language has translated (current or stale) fewer than PCT percent of
        /// the source pages: the figure the language chooser shows. 0-100.
        #[arg(long, value_name = "PCT", value_parser = parse_percent)]
        fail_under: Option<f64>,
    },
    /// Record, unit by unit, that reviewed translations are current with their source.
    Stamp {
        /// Translation files, e.g. content/it/guidance/backups.md (relative to --root).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write an exchange file of a language's missing and stale pages (every unit, with the
    /// existing translation as target) and missing UI strings.
    Export {
        lang: String,
        /// Where to write [default: standard output].
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// XLIFF 1.2 (CAT tools) or gettext PO (Weblate, Pootle).
        #[arg(long, value_enum, default_value_t = ExchangeFormat::Xliff)]
        format: ExchangeFormat,
        /// Every page, current ones too (for a review or a new CAT tool memory).
        #[arg(long)]
        all: bool,
    },
    /// Check an exchange file (XLIFF or .po) and write the pages and strings that pass into
    /// content/<lang>/ and i18n/<lang>.toml.
    Import {
        file: PathBuf,
        /// The language, when the file does not name one.
        #[arg(long)]
        lang: Option<String>,
    },
    /// Scaffold a language: i18n/<lang>.toml with every key, and content/<lang>/_index.md.
    New {
        /// A BCP 47 language code: de, pt-BR, zh-Hant.
        lang: String,
    },
}
