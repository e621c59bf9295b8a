//! The `portal` binary: parse the command line, run the library, map the outcome to an exit
//! code (0 ok, 1 content errors, 2 usage or I/O failure).

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use health_cyber_portal::cli::{Cli, Command, ExchangeFormat, Format, I18nCommand, StatusFormat};
use health_cyber_portal::serve::{serve, ServeOptions};
use health_cyber_portal::{build, translations, BuildOptions, Report};

/// mimalloc: the build allocates millions of small strings from several threads (Tantivy's
/// indexer, Tera, the Markdown renderer); glibc's per-thread arenas kept much of that memory
/// resident after it was freed.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Stack for the main work and for each of rayon's workers. Parsers of nested input (Tera's
/// templates, TOML) recurse; the usual 8 MiB main and 2 MiB worker stacks are a low ceiling for
/// hostile input, and only address space is reserved until a stack is really used.
const STACK_BYTES: usize = 256 * 1024 * 1024;
const WORKER_STACK_BYTES: usize = 64 * 1024 * 1024;

fn main() -> ExitCode {
    let _ = rayon::ThreadPoolBuilder::new().stack_size(WORKER_STACK_BYTES).build_global();
    match std::thread::Builder::new().name("portal".into()).stack_size(STACK_BYTES).spawn(run) {
        Ok(worker) => worker.join().unwrap_or(ExitCode::from(101)),
        // No thread to be had: run here, with the stack there is.
        Err(_) => run(),
    }
}

fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    if !cli.root.is_dir() {
        eprintln!("portal: error: --root {} is not a folder", cli.root.display());
        return ExitCode::from(2);
    }
    match cli.command {
        Command::Build { output, strict, timings, format, force } => {
            let output = output.unwrap_or_else(|| cli.root.join("public"));
            run_build(BuildOptions { force, ..BuildOptions::build(&cli.root, &output) }, strict, timings, format)
        }
        Command::Check { strict, format } => run_build(BuildOptions::check(&cli.root), strict, false, format),
        Command::I18n(command) => run_i18n(&cli.root, command),
        Command::Search { lang, limit, json, query } => {
            match health_cyber_portal::search::run_search_cli(&cli.root, &lang, &query, limit, json) {
                Ok(text) => {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("portal: error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Serve { output, port, bind, open, force } => {
            let options = ServeOptions {
                output: output.unwrap_or_else(|| cli.root.join("public")),
                root: cli.root.clone(),
                port,
                bind,
                open,
                force,
            };
            match serve(&options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("portal: error: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

fn run_i18n(root: &std::path::Path, command: I18nCommand) -> ExitCode {
    let result = match command {
        I18nCommand::Status { lang, format, fail_under } => translations::run_status(
            root,
            lang.as_deref(),
            format == StatusFormat::Json,
            format == StatusFormat::Markdown,
            fail_under,
        ),
        I18nCommand::Stamp { files } => translations::write_stamps(root, &files),
        I18nCommand::New { lang } => translations::write_new_language(root, &lang),
        I18nCommand::Export { lang, out, format, all } => {
            let format = match format {
                ExchangeFormat::Xliff => translations::ExportFormat::Xliff,
                ExchangeFormat::Po => translations::ExportFormat::Po,
            };
            translations::run_export(root, &lang, out.as_deref(), format, all)
        }
        I18nCommand::Import { file, lang } => translations::write_import(root, &file, lang.as_deref()),
    };
    match result {
        Ok(outcome) => {
            print!("{}", outcome.stdout);
            eprint!("{}", outcome.stderr);
            ExitCode::from(if outcome.ok { 0 } else { 1 })
        }
        Err(e) => {
            eprintln!("portal: error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run_build(options: BuildOptions, strict: bool, timings: bool, format: Format) -> ExitCode {
    let started = Instant::now();
    let report = match build(&options) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("portal: error: {e}");
            return ExitCode::from(2);
        }
    };
    let failed = report.errors() > 0 || (strict && report.warnings() > 0);
    match format {
        Format::Json => print_json(&report, failed, started),
        Format::Text => print_text(&report, &options, failed, timings, started),
    }
    ExitCode::from(if failed { 1 } else { 0 })
}

fn print_text(report: &Report, options: &BuildOptions, failed: bool, timings: bool, started: Instant) {
    for d in &report.diagnostics {
        eprintln!("{d}");
    }
    if timings {
        for (stage, time) in &report.timings {
            eprintln!("  {stage:<10} {:>8.1} ms", time.as_secs_f64() * 1000.0);
        }
    }
    let languages: Vec<String> = report
        .languages
        .iter()
        .map(|(lang, c)| {
            if c.untranslated > 0 {
                format!("{lang} {} (+{} untranslated)", c.pages, c.untranslated)
            } else {
                format!("{lang} {}", c.pages)
            }
        })
        .collect();
    let pages: usize = report.languages.values().map(|c| c.pages).sum();
    let verb = match (&options.output, report.written) {
        (Some(dest), true) => format!("built {} files into {}", report.files, dest.display()),
        (Some(dest), false) => format!("build failed; {} left as it was", dest.display()),
        (None, _) if failed => "check failed".to_string(),
        (None, _) => "check passed".to_string(),
    };
    eprintln!(
        "portal: {verb}: {pages} pages ({}), {} error(s), {} warning(s) in {:.2} s",
        languages.join(", "),
        report.errors(),
        report.warnings(),
        started.elapsed().as_secs_f64()
    );
}

fn print_json(report: &Report, failed: bool, started: Instant) {
    let value = serde_json::json!({
        "ok": !failed,
        "errors": report.errors(),
        "warnings": report.warnings(),
        "diagnostics": report.diagnostics,
        "languages": report.languages,
        "files": report.files,
        "seconds": started.elapsed().as_secs_f64(),
    });
    println!("{value}");
}
