//! Search parity: the browser client, run in Node on the exported index, returns the same top
//! 10 as native Tantivy, in the same order, with scores within 1e-6 relative, for more than
//! 1,000 generated queries per language; plus determinism of the export and the Chinese case.

use std::path::Path;
use std::process::Command;

use health_cyber_portal::search::analyzer::analyzer_for;
use health_cyber_portal::search::synthetic::{generate_pages, search_docs, LangModel, Rng, LANGS};
use health_cyber_portal::search::{
    build_language, build_language_timed, query_native, NativeSearcher, QueryOptions, SearchDoc, SearchFile,
    ShardSizes, SynonymGroup,
};

const QUERIES_PER_LANG: usize = 1100;

/// Pages per language; `PORTAL_PARITY_PAGES=2500` runs the parity test at benchmark scale.
fn corpus(lang: &str) -> Vec<SearchDoc> {
    let pages = std::env::var("PORTAL_PARITY_PAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(160);
    generate_pages(lang, pages, 240, 42).iter().flat_map(search_docs).collect()
}

fn write_files(site: &Path, files: &[SearchFile]) {
    for file in files {
        let path = site.join(&file.path);
        std::fs::create_dir_all(path.parent().expect("file has a parent")).expect("create dir");
        std::fs::write(&path, &file.bytes).expect("write file");
    }
}

/// Words of a text as a reader would type them (split on whitespace and punctuation).
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '-' && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Synonym groups for the synthetic corpus: words and two-word phrases of the language's
/// model, and a word no page has.
fn synonym_groups(lang: &str) -> Vec<SynonymGroup> {
    let model = LangModel::new(lang);
    let mut rng = Rng::new(99 ^ lang.len() as u64);
    (0..12)
        .map(|g| {
            let mut members = vec![
                model.words[20 + rng.below(400)].clone(),
                format!("{} {}", model.words[rng.below(300)], model.words[rng.below(300)]),
                model.words[400 + rng.below(2000)].clone(),
            ];
            if g % 3 == 0 {
                members.push(format!("zqxv{g}word"));
            }
            SynonymGroup { members, line: g + 1 }
        })
        .collect()
}

/// One edit of `word` away (a typo): substitution, deletion, insertion or transposition, never
/// of the first character.
fn misspell(word: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 3 {
        return word.to_string();
    }
    let at = 1 + rng.below(chars.len() - 1);
    let letter = *rng.pick(&['a', 'e', 'o', 'r', 's', 'n', 'i', 'à']);
    match rng.below(4) {
        0 => chars[at] = letter,
        1 => {
            chars.remove(at);
        }
        2 => chars.insert(at, letter),
        _ if at + 1 < chars.len() => chars.swap(at, at + 1),
        _ => chars[at] = letter,
    }
    chars.into_iter().collect()
}

/// Deterministic queries of many shapes for one language, exercising every rule of the query
/// plan (`src/search/plan.rs`): exact words, prefixes, folding, filters, typos, unseen forms,
/// compounds and joins, synonyms and their misspellings, stop words. Each case also says
/// whether it is asked one result per page.
fn queries(lang: &str, docs: &[SearchDoc]) -> Vec<(String, Option<String>, Option<String>, bool)> {
    let mut rng = Rng::new(7 ^ lang.len() as u64 ^ u64::from(lang.as_bytes()[0]));
    let model = LangModel::new(lang);
    let synonyms = synonym_groups(lang);
    let mut session = analyzer_for(lang).session();
    let mut out = Vec::new();
    let kinds = ["guidance", "news", "tool", "nonexistent"];
    let audiences = ["hospital", "clinic", "it-staff"];
    let stop = match lang {
        "en" => ["the", "what", "how should"],
        "it" => ["che cosa", "il", "perché"],
        "nl" => ["één", "een", "wat"],
        _ => ["the", "a", "of"],
    };
    while out.len() < QUERIES_PER_LANG {
        let doc = &docs[rng.below(docs.len())];
        let text = format!("{} {} {}", doc.page_title, doc.section, doc.body);
        let shape = out.len() % 20;
        let synonym = &synonyms[rng.below(synonyms.len())];
        let member = synonym.members[rng.below(synonym.members.len())].clone();
        let query = if lang == "zh" {
            let chars: Vec<char> = doc.body.chars().collect();
            let start = rng.below(chars.len().max(1));
            let len = 1 + rng.below(8);
            let piece: String = chars.iter().skip(start).take(len).collect();
            match shape {
                0 => model.word(&mut rng).to_string(),
                1 => format!("{} {}", model.word(&mut rng), model.word(&mut rng)),
                2 => format!("{piece} "),
                3 => format!("vpn {piece}"),
                4 => piece.chars().take(1).collect(),
                5 => "Windows".to_string(),
                10 => format!("为什么{piece}"),
                11 => format!("{piece}的{}吗", model.word(&mut rng)),
                12 => "为什么".to_string(),
                13 => member,
                14 => misspell("windows", &mut rng),
                15 => format!("{} {}", misspell("vpnclient", &mut rng), piece),
                _ => piece,
            }
        } else {
            let ws = words(&text);
            let w = |rng: &mut Rng| ws[rng.below(ws.len())].clone();
            match shape {
                0 => w(&mut rng),
                1 => format!("{} {}", w(&mut rng), w(&mut rng)),
                2 => format!("{} {} {}", w(&mut rng), w(&mut rng), w(&mut rng)),
                3 | 4 => {
                    let word = w(&mut rng);
                    let n = word.chars().count();
                    let cut = if n > 3 { 3 + rng.below(n - 2) } else { n };
                    let prefix: String = word.chars().take(cut).collect();
                    if shape == 3 {
                        prefix
                    } else {
                        format!("{} {prefix}", w(&mut rng))
                    }
                }
                5 => session.fold(&w(&mut rng)),
                6 => format!("{} ", w(&mut rng).to_uppercase()),
                7 => model.word(&mut rng).to_string(),
                8 => format!("{}, {}!", model.word(&mut rng), w(&mut rng)),
                // A typo of a word of the page, and of a frequent word, at the end or not.
                10 => format!("{} ", misspell(&w(&mut rng), &mut rng)),
                11 => format!("{} {}", misspell(model.word(&mut rng), &mut rng), w(&mut rng)),
                12 => misspell(&misspell(&w(&mut rng), &mut rng), &mut rng),
                // An unseen form: a word with another ending.
                13 => {
                    let word = w(&mut rng);
                    let keep = word.chars().count().saturating_sub(rng.below(3));
                    let stem: String = word.chars().take(keep).collect();
                    format!("{stem}{} ", rng.pick(&["ing", "en", "ed", "ità", "ers", "te"]))
                }
                // A compound of two words (with a linking letter) and a word cut in two.
                14 => format!("{}{}{} ", w(&mut rng), rng.pick(&["", "s", "en"]), w(&mut rng)),
                15 => {
                    let word = w(&mut rng);
                    let n = word.chars().count();
                    let cut = 1 + rng.below(n.max(2) - 1);
                    let (a, b): (String, String) = (word.chars().take(cut).collect(), word.chars().skip(cut).collect());
                    format!("{a} {b} {}", w(&mut rng))
                }
                16 => format!("{member} "),
                17 => format!("{} {}", misspell(&member, &mut rng), w(&mut rng)),
                18 => format!("{} {}", rng.pick(&stop), w(&mut rng)),
                _ => format!("{} xqzw", w(&mut rng)),
            }
        };
        let (kind, audience) = match rng.below(6) {
            0 => (Some(kinds[rng.below(kinds.len())].to_string()), None),
            1 => (None, Some(audiences[rng.below(audiences.len())].to_string())),
            _ => (None, None),
        };
        out.push((query, kind, audience, rng.below(4) == 0));
    }
    out
}

/// The first `limit` pages of a ranked section list, each as its best section (what the
/// client's `pages` option shows).
fn best_section_per_page(
    hits: &[health_cyber_portal::search::Hit],
    limit: usize,
) -> Vec<&health_cyber_portal::search::Hit> {
    let mut seen = std::collections::HashSet::new();
    hits.iter().filter(|h| seen.insert(h.url.split('#').next().unwrap_or("").to_string())).take(limit).collect()
}

/// Texts whose tokenization the client must reproduce exactly (offsets in UTF-16 units).
fn analysis_cases() -> Vec<serde_json::Value> {
    let texts = [
        "Backups, ransomware & the NHS: 2FA/MFA for GP-practices (v2.1)",
        "İstanbul ΣΟΦΙΑ Straße ÉCOLE naïve Œuvre ǅemal Ⅻ ½ ²",
        "e\u{301}cole cafe\u{301} x\u{200d}y emoji🙂word 𝒜𝒷𝒸 ＡＢＣ１２３",
        "医院网络安全：使用VPN连接，Windows 11 系统。勒索软件",
        "ランサムウェア対策・バックアップ　한국어 병원 보안 々〆〇",
        "𠀀𠀁 lone 字 and a very long token aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa9 ok",
        "ééééééééééééééééééééé ééééééééééééééééééé",
    ];
    let mut out = Vec::new();
    for lang in ["en", "zh"] {
        let analyzer = analyzer_for(lang);
        let mode = if analyzer.is_cjk() { "cjk" } else { "simple" };
        let mut session = analyzer.session();
        for text in texts {
            let utf16 = |byte: usize| text[..byte].encode_utf16().count();
            let surfaces: Vec<_> = session
                .surfaces(text)
                .into_iter()
                .map(|s| serde_json::json!({ "text": s.text, "from": utf16(s.from), "to": utf16(s.to), "cjk": s.cjk }))
                .collect();
            out.push(serde_json::json!({ "mode": mode, "text": text, "surfaces": surfaces }));
        }
    }
    out
}

#[test]
fn browser_client_ranks_exactly_like_native_tantivy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = dir.path().join("site");
    let mut cases = Vec::new();
    for lang in LANGS {
        let docs = corpus(lang);
        let index_dir = dir.path().join("cache").join(lang);
        let analyzer = analyzer_for(lang);
        let synonyms = synonym_groups(lang);
        let built = build_language_timed(lang, &analyzer, &docs, &synonyms, &index_dir, &ShardSizes::default())
            .expect("build index");
        assert_eq!(built.unknown_synonyms.len(), 0, "{lang}: only some words of a group are unknown");
        write_files(&site, &built.files);
        let mut searcher = NativeSearcher::open(lang, &index_dir).expect("open index");
        let mut with_hits = 0;
        let mut rules = std::collections::BTreeMap::new();
        for (query, kind, audience, pages) in queries(lang, &docs) {
            for planned in searcher.plan(&query) {
                *rules.entry(planned.rule).or_insert(0usize) += 1;
            }
            // One result per page: the client looks at the best 60 sections.
            let limit = if pages { 60 } else { 10 };
            let options = QueryOptions { limit, kind: kind.clone(), audience: audience.clone() };
            let results = searcher.search(&query, &options).expect("native search");
            with_hits += usize::from(!results.hits.is_empty());
            let shown: Vec<_> =
                if pages { best_section_per_page(&results.hits, 10) } else { results.hits.iter().collect() };
            let hits: Vec<_> = shown.iter().map(|h| serde_json::json!({ "url": h.url, "score": h.score })).collect();
            cases.push(serde_json::json!({
                "lang": lang, "query": query, "kind": kind, "audience": audience, "pages": pages,
                "limit": 10, "total": results.total, "hits": hits,
            }));
        }
        // Every rule of the plan that the language has is exercised.
        use health_cyber_portal::search::query::Rule;
        let mut expected = vec![Rule::Exact, Rule::Synonym, Rule::Typo, Rule::Prefix];
        if *lang != "zh" {
            expected.push(Rule::Joined);
        }
        if *lang != "zh" && *lang != "pl" {
            expected.push(Rule::Unseen);
        }
        if *lang == "nl" {
            expected.push(Rule::Compound);
        }
        for rule in expected {
            assert!(
                rules.get(&rule).copied().unwrap_or(0) >= 10,
                "{lang}: rule {rule:?} used {:?} times",
                rules.get(&rule)
            );
        }
        println!("{lang}: terms by rule {rules:?}");
        assert!(with_hits > QUERIES_PER_LANG / 2, "{lang}: only {with_hits} queries found something");
    }
    std::fs::write(dir.path().join("cases.json"), serde_json::to_vec(&cases).expect("json")).expect("write cases");
    std::fs::write(dir.path().join("analysis.json"), serde_json::to_vec(&analysis_cases()).expect("json"))
        .expect("write analysis cases");
    let output = Command::new("node")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js/parity.mjs"))
        .arg(dir.path())
        .output()
        .expect("run node (Node 20 must be installed)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(output.status.success(), "client and native differ:\n{stdout}\n{stderr}");
}

#[test]
fn export_is_byte_identical_across_builds() {
    let docs = corpus("nl");
    let dir = tempfile::tempdir().expect("temp dir");
    let first = build_language("nl", &docs, &dir.path().join("a")).expect("first build");
    let second = build_language("nl", &docs, &dir.path().join("a")).expect("second build into the same folder");
    assert_eq!(first, second);
    assert!(first.iter().any(|f| f.path == Path::new("search/nl/index.js")));
    let names: std::collections::BTreeSet<_> = first.iter().map(|f| f.path.clone()).collect();
    assert_eq!(names.len(), first.len(), "file names are unique");
}

/// Tantivy's default tokenizer makes one token of a Han run and drops it past 40 bytes.
#[test]
fn chinese_word_in_the_middle_of_a_long_sentence_is_found() {
    let sentence =
        "医院信息系统应当定期进行完整备份并且在发现勒索软件攻击迹象时立即断开网络连接以防止数据被加密和进一步扩散";
    assert!(sentence.len() > 40);
    let doc = SearchDoc {
        url: "zh/guidance/ransomware.html#s1".into(),
        page_title: "应对".into(),
        section: "步骤".into(),
        body: sentence.into(),
        description: String::new(),
        kind: "guidance".into(),
        audience: vec!["hospital".into()],
        topics: vec![],
        reference: false,
    };
    let other = SearchDoc { url: "zh/news/other.html".into(), body: "培训课程".into(), ..doc.clone() };
    let dir = tempfile::tempdir().expect("temp dir");
    build_language("zh", &[other, doc], dir.path()).expect("build");
    let hits = query_native("zh", dir.path(), "勒索软件", 10).expect("query");
    assert_eq!(hits.first().map(|h| h.url.as_str()), Some("zh/guidance/ransomware.html#s1"));
    assert_eq!(hits.len(), 1);
}

/// The search templates render with the variables the pipeline provides (`root`, `lang`, `t`),
/// escape UI strings, and carry no inline script or style.
#[test]
fn search_box_and_page_render_a_combobox_and_filters_without_inline_code() {
    use crate::support::{attr, select, SiteTest};
    let t = SiteTest::fixture("basic");
    let en = std::fs::read_to_string(t.root.join("i18n/en.toml")).unwrap();
    t.write("i18n/en.toml", &en.replace("placeholder = \"Search the portal\"", "placeholder = \"<b>\\\"&\""));
    t.build_ok();
    let page = t.html("en/guidance/backups.html");
    let inputs = select(&page, "input[role=combobox]");
    let listbox_id = inputs[0].value().attr("aria-controls").expect("aria-controls");
    assert_eq!(select(&page, &format!("ul#{listbox_id}[role=listbox]")).len(), 1);
    assert_eq!(inputs[0].value().attr("placeholder"), Some("<b>\"&"), "escaped and parsed back");
    assert!(!t.read("en/guidance/backups.html").contains("<b>\""), "UI strings are escaped");
    assert_eq!(attr(&page, "[data-search-box]", "data-search-root").as_deref(), Some("../../"));

    let search = t.html("en/search.html");
    assert_eq!(select(&search, "[role=search]").len(), 1, "one search landmark on the search page");
    assert_eq!(select(&search, "[data-search-page][data-search-root='../'][data-search-lang=en]").len(), 1);
    // Filters offer what this language has: kinds guidance, checklist, news, page; two audiences.
    assert_eq!(select(&search, "select[name=kind] option").len(), 5);
    assert_eq!(select(&search, "select[name=audience] option").len(), 3);
    for script in select(&search, "script") {
        assert!(script.value().attr("src").is_some(), "no inline scripts");
    }
    assert!(select(&search, "[style]").is_empty(), "no inline styles");
    assert!(t.public().join("search/en/index.js").is_file(), "the manifest sits at a fixed path");
}

/// `content/<lang>/_synonyms.toml` is search data: not a page or a data file (no "no page names
/// this data file" warning), applied by `portal search` and by the browser index alike.
#[test]
fn synonyms_file_is_search_data_and_widens_native_and_browser_search() {
    use crate::support::SiteTest;
    let t = SiteTest::fixture("basic");
    t.write("content/en/_synonyms.toml", "# test\n\"safety copy\" = [\"backups\"]\n");
    let stderr = t.build_ok();
    assert!(!stderr.contains("_synonyms") && !stderr.contains("data file"), "{stderr}");
    let out = t.run(&["search", "--lang", "en", "--json", "safety copy"]);
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let urls: Vec<&str> = answer["hits"].as_array().expect("hits").iter().filter_map(|h| h["url"].as_str()).collect();
    assert!(urls.iter().any(|u| u.starts_with("en/guidance/backups.html")), "{urls:?}");
    let manifest = t.read("search/en/index.js");
    assert!(manifest.contains("\"phrases\":[[\"safety copy\",0],[\"backups\",0]]"), "{manifest}");
    assert!(!t.public().join("en/_synonyms.html").exists() && !t.public().join("en/_synonyms.toml").exists());
}

/// A malformed synonyms file is an error naming its line (the build fails, nothing is
/// replaced); a group whose words no page has is a warning naming its line.
#[test]
fn synonyms_file_errors_and_warnings_name_the_line() {
    use crate::support::{stderr, SiteTest};
    let t = SiteTest::fixture("basic");
    t.write("content/en/_synonyms.toml", "backup = [\"copy\"]\nrestore = 3\n");
    let out = t.build();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("content/en/_synonyms.toml:2:"), "{}", stderr(&out));
    assert!(!t.public().exists(), "a failed build writes nothing");
    t.write("content/en/_synonyms.toml", "backup = [\"copy\"]\n\n\"zqxv gibberish\" = [\"nothing here\"]\n");
    let stderr = t.build_ok();
    assert!(stderr.contains("content/en/_synonyms.toml:3: warning:"), "{stderr}");
    assert!(!stderr.contains("_synonyms.toml:1:"), "a group with a known word is fine: {stderr}");
}

/// Issue 18: a query of stop words only must not come back with sections matched by them
/// (Dutch `één` folded to the stop word `een`; English question words).
#[test]
fn stop_word_only_queries_find_nothing() {
    use crate::support::SiteTest;
    let t = SiteTest::bundled();
    t.build_ok();
    for (lang, query) in [("en", "what should we do "), ("nl", "een "), ("nl", "wat is een "), ("it", "che cosa ")] {
        let out = t.run(&["search", "--lang", lang, "--json", query]);
        let answer: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(answer["total"], 0, "{lang} {query:?}: {answer}");
    }
    // Chinese question words are dropped when other words remain, kept when they are alone.
    let out = t.run(&["search", "--lang", "zh", "--json", "为什么备份"]);
    let with: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let out = t.run(&["search", "--lang", "zh", "--json", "备份"]);
    let without: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(with["hits"], without["hits"]);
}

/// The evaluation set (tests/search-quality/) meets issue 18's targets on the bundled site:
/// success@5 >= 95% and success@1 >= 80% per language, typos success@5 >= 80% and none
/// without results. Figures in BENCHMARKS.md.
#[test]
fn search_quality_meets_the_targets_on_the_bundled_site() {
    use crate::support::SiteTest;
    let t = SiteTest::bundled();
    t.build_ok();
    let output = Command::new("node")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/search-quality/eval.mjs"))
        .arg(t.public())
        .arg("--check")
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
}
