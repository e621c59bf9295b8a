//! Writes a deterministic synthetic corpus in the content layout (content/<lang>/<section>/
//! <page>.md with TOML front matter) for benchmarks, and optionally builds and measures its
//! search index (`--search-bench`), and writes the pages as plain HTML for other indexers
//! (`--html`, e.g. Pagefind for comparison).
//!
//! ```sh
//! cargo run --release --bin gen-corpus -- --out /tmp/corpus [--pages 10000] [--words 600]
//!     [--langs en,it,nl,zh] [--seed 42] [--search-bench [--shard-kib 16,32,10]] [--html]
//! node tests/js/bench.mjs /tmp/corpus/public     # first-query bytes and query time
//! ```
//!
//! `--shard-kib LEXICON,POSTINGS,METADATA` sets the target raw sizes of the browser index's
//! files (default: the portal's), to measure the trade between file count and first-query
//! bytes (`scripts/bench-shards.sh`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use health_cyber_portal::search::synthetic::{generate_pages, page_markdown, search_docs, Page};
use health_cyber_portal::search::{
    analyzer_for, build_language_timed, NativeSearcher, QueryOptions, SearchDoc, ShardSizes,
};
use rayon::prelude::*;

struct Args {
    out: PathBuf,
    pages: usize,
    words: usize,
    langs: Vec<String>,
    seed: u64,
    search_bench: bool,
    shard_sizes: ShardSizes,
    html: bool,
}

/// `16,32,12` (KiB) -> shard sizes in bytes.
fn parse_shard_kib(value: &str) -> Result<ShardSizes, String> {
    let kib: Vec<usize> = value
        .split(',')
        .map(|n| n.trim().parse::<usize>().map_err(|e| format!("--shard-kib `{n}`: {e}")))
        .collect::<Result<_, _>>()?;
    match kib[..] {
        [lexicon, postings, metadata] if kib.iter().all(|&k| k > 0) => Ok(ShardSizes {
            lexicon: lexicon * 1024,
            postings: postings * 1024,
            metadata: metadata * 1024,
            ..ShardSizes::default()
        }),
        _ => Err(format!("--shard-kib takes three positive sizes in KiB (lexicon,postings,metadata), not `{value}`")),
    }
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        out: PathBuf::from("corpus"),
        pages: 10_000,
        words: 600,
        langs: ["en", "it", "nl", "zh"].map(String::from).to_vec(),
        seed: 42,
        search_bench: false,
        shard_sizes: ShardSizes::default(),
        html: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--out" => args.out = PathBuf::from(value("--out")?),
            "--pages" => args.pages = value("--pages")?.parse().map_err(|e| format!("--pages: {e}"))?,
            "--words" => args.words = value("--words")?.parse().map_err(|e| format!("--words: {e}"))?,
            "--seed" => args.seed = value("--seed")?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--langs" => args.langs = value("--langs")?.split(',').map(String::from).collect(),
            "--search-bench" => args.search_bench = true,
            "--shard-kib" => args.shard_sizes = parse_shard_kib(&value("--shard-kib")?)?,
            "--html" => args.html = true,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if args.langs.is_empty() {
        return Err("--langs is empty".into());
    }
    Ok(args)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn write_content(out: &Path, lang: &str, pages: &[Page]) -> Result<(), String> {
    let content = out.join("content").join(lang);
    write(&content.join("_index.md"), format!("+++\ntitle = \"{lang}\"\nkind = \"page\"\n+++\n").as_bytes())?;
    let mut sections: Vec<&str> = pages.iter().map(|p| p.section.as_str()).collect();
    sections.sort_unstable();
    sections.dedup();
    for section in sections {
        let front = format!("+++\ntitle = \"{section}\"\nkind = \"page\"\n+++\n");
        write(&content.join(section).join("_index.md"), front.as_bytes())?;
    }
    for page in pages {
        let path = content.join(&page.section).join(format!("{}.md", page.slug));
        write(&path, page_markdown(page).as_bytes())?;
    }
    Ok(())
}

/// One language's index: its size in sections, build time and files.
struct Built {
    lang: String,
    sections: usize,
    seconds: f64,
    files: Vec<health_cyber_portal::search::SearchFile>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A plain HTML rendering of a page, for indexing the same corpus with other tools (Pagefind).
fn page_html(page: &Page) -> String {
    let mut out = format!(
        "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <meta name=\"description\" content=\"{}\"></head><body><main data-pagefind-body>\n<h1>{}</h1>\n<p>{}</p>\n",
        page.lang,
        escape(&page.title),
        escape(&page.description),
        escape(&page.title),
        escape(&page.lead)
    );
    for (i, (heading, body)) in page.sections.iter().enumerate() {
        out.push_str(&format!("<h2 id=\"s{}\">{}</h2>\n<p>{}</p>\n", i + 1, escape(heading), escape(body)));
    }
    out.push_str("</main></body></html>\n");
    out
}

/// Native query time: each language's index opened once, sample queries repeated.
fn print_native_query_times(out: &Path, langs: &[String]) -> Result<(), String> {
    println!("\nnative query time, ms (20 rounds of 8 queries)");
    for lang in langs {
        let index_dir = out.join(".portal-cache").join("search").join(lang);
        let mut searcher = NativeSearcher::open(lang, &index_dir).map_err(|e| e.to_string())?;
        let queries: &[&str] = match lang.as_str() {
            "zh" => &["医院", "网络安全", "数据", "勒索软件", "备份", "系统", "医", "加密 VPN"],
            "it" => &["ospedale", "ospe", "sicurezza dati", "pazienti", "rete", "backup", "pro", "città"],
            "nl" => &["ziekenhuis", "zieken", "beveiliging", "netwerk", "patiënt", "back-up", "ver", "één"],
            _ => &["hospital", "hosp", "hospital data", "backup", "security", "ransomware", "pro", "café"],
        };
        let options = QueryOptions { limit: 10, ..QueryOptions::default() };
        let mut times = Vec::new();
        for _ in 0..20 {
            for query in queries {
                let started = Instant::now();
                searcher.search(query, &options).map_err(|e| e.to_string())?;
                times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
        times.sort_by(f64::total_cmp);
        let (median, p95) = (times[times.len() / 2], times[times.len() * 95 / 100]);
        println!("{lang:<5} median {median:.2}  p95 {p95:.2}");
    }
    Ok(())
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let per_lang = args.pages / args.langs.len();
    let started = Instant::now();
    let corpora: Vec<(String, Vec<Page>)> = args
        .langs
        .par_iter()
        .map(|lang| (lang.clone(), generate_pages(lang, per_lang, args.words, args.seed)))
        .collect();
    for (lang, pages) in &corpora {
        write_content(&args.out, lang, pages)?;
    }
    if args.html {
        for (lang, pages) in &corpora {
            for page in pages {
                let path = args.out.join("html").join(lang).join(&page.section).join(format!("{}.html", page.slug));
                write(&path, page_html(page).as_bytes())?;
            }
        }
    }
    println!(
        "wrote {} pages ({per_lang} per language, ~{} words each) to {} in {:.2?}",
        per_lang * args.langs.len(),
        args.words,
        args.out.join("content").display(),
        started.elapsed()
    );
    if !args.search_bench {
        return Ok(());
    }
    let docs: Vec<(String, Vec<SearchDoc>)> =
        corpora.iter().map(|(lang, pages)| (lang.clone(), pages.iter().flat_map(search_docs).collect())).collect();
    let started = Instant::now();
    let built: Vec<Result<Built, String>> = docs
        .par_iter()
        .map(|(lang, docs)| {
            let one = Instant::now();
            let index_dir = args.out.join(".portal-cache").join("search").join(lang);
            let files = build_language_timed(lang, &analyzer_for(lang), docs, &[], &index_dir, &args.shard_sizes)
                .map_err(|e| e.to_string())?
                .files;
            Ok(Built { lang: lang.clone(), sections: docs.len(), seconds: one.elapsed().as_secs_f64(), files })
        })
        .collect();
    let wall = started.elapsed();
    println!("\nlang  sections  build+export  files  bytes (raw)");
    let (mut total_files, mut total_bytes) = (0, 0);
    for result in built {
        let Built { lang, sections, seconds, files } = result?;
        let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
        println!("{lang:<5} {sections:>8}  {seconds:>10.2} s  {:>5}  {bytes:>11}", files.len());
        total_files += files.len();
        total_bytes += bytes;
        // Shard names are content hashes: a run with other shard sizes must not leave the
        // previous run's shards beside its own.
        let lang_dir = args.out.join("public").join("search").join(&lang);
        if lang_dir.exists() {
            std::fs::remove_dir_all(&lang_dir).map_err(|e| format!("{}: {e}", lang_dir.display()))?;
        }
        for file in files {
            write(&args.out.join("public").join(&file.path), &file.bytes)?;
        }
    }
    let sections: usize = docs.iter().map(|(_, d)| d.len()).sum();
    let seconds = wall.as_secs_f64();
    println!("all   {sections:>8}  {seconds:>10.2} s  {total_files:>5}  {total_bytes:>11}  (wall clock)");
    print_native_query_times(&args.out, &args.langs)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("gen-corpus: {message}");
            ExitCode::from(2)
        }
    }
}
