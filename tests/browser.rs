//! Browser tests in a real headless Chromium (playwright-core + axe-core from npm): the built
//! portal over file:// and over HTTP. They skip loudly on a laptop without Chromium or
//! node_modules, and fail under CI=true.

use std::path::Path;
use std::process::Command;

use crate::support::{SiteTest, REPO};

fn browser_available() -> bool {
    let chromium = Path::new("/usr/bin/chromium").exists();
    let modules = Path::new(REPO).join("node_modules/playwright-core").is_dir()
        && Path::new(REPO).join("node_modules/axe-core").is_dir();
    if chromium && modules {
        return true;
    }
    let missing = format!("chromium: {chromium}, node_modules: {modules}");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("browser tests cannot run under CI=true ({missing}); .ci/run must install them");
    }
    eprintln!("\n!!!!!!!! SKIPPING BROWSER TESTS ({missing}): run `apt-get install chromium && npm ci` !!!!!!!!\n");
    false
}

fn run_node(script: &str, site: &Path) {
    run_node_with(script, site, &[]);
}

fn run_node_with(script: &str, site: &Path, args: &[&str]) {
    let out = Command::new("node")
        .arg(Path::new(REPO).join("tests/browser").join(script))
        .arg(site)
        .args(args)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{stdout}{stderr}");
    assert!(out.status.success(), "{script} failed:\n{stdout}\n{stderr}");
}

#[test]
fn bundled_portal_in_chromium_over_file_and_http() {
    if !browser_available() {
        return;
    }
    let t = SiteTest::bundled();
    t.build_ok();
    run_node("site.mjs", &t.public());
}

#[test]
fn right_to_left_language_mirrors_in_chromium() {
    if !browser_available() {
        return;
    }
    let t = SiteTest::fixture("basic");
    t.write("content/ar/_index.md", "+++\ntitle = \"بوابة الأمن السيبراني الصحي\"\n+++\nمرحبا.\n");
    t.write("content/ar/guidance/_index.md", "+++\ntitle = \"إرشادات\"\nweight = 10\n+++\nكل الإرشادات.\n");
    // An English page whose title ends in punctuation: untranslated, it is listed in Arabic.
    t.write("content/en/guidance/apply.md", "+++\ntitle = \"Does NIS2 apply to me?\"\nweight = 3\n+++\nIt depends.\n");
    t.build_ok();
    run_node("rtl.mjs", &t.public());
}

/// The bundled portal with its monthly backup check recorded as dated runs, in every language
/// (`repeat = "monthly"`, added here if the content does not say it yet, and the translations
/// stamped as current again).
fn bundled_with_repeated_checklist() -> SiteTest {
    let t = SiteTest::bundled();
    let mut translations = Vec::new();
    for lang in ["en", "it", "nl", "zh"] {
        let rel = format!("content/{lang}/tools/monthly-backup-check.md");
        let text = std::fs::read_to_string(t.root.join(&rel)).unwrap();
        if !text.lines().any(|l| l.starts_with("repeat =")) {
            assert!(text.contains("\nkind = \"checklist\"\n"), "{rel} is a checklist");
            t.write(
                &rel,
                &text.replacen("\nkind = \"checklist\"\n", "\nkind = \"checklist\"\nrepeat = \"monthly\"\n", 1),
            );
        }
        if lang != "en" {
            translations.push(t.root.join(&rel));
        }
    }
    let mut args = vec!["i18n".to_string(), "stamp".to_string()];
    args.extend(translations.iter().map(|p| p.to_string_lossy().into_owned()));
    let out = t.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    t
}

#[test]
fn tools_in_chromium_over_file_and_http() {
    if !browser_available() {
        return;
    }
    let t = bundled_with_repeated_checklist();
    t.build_ok();
    run_node("tools.mjs", &t.public());
}

/// Tool pages at phone and laptop widths, light and dark, in every language: nothing wider
/// than the screen, in the first state and once used; screenshots of each page type in English
/// and Chinese go to `target/tmp/screenshots/tools/` for a reviewer to look at.
#[test]
fn tool_pages_fit_the_screen_in_chromium() {
    if !browser_available() {
        return;
    }
    let t = bundled_with_repeated_checklist();
    t.build_ok();
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots/tools");
    std::fs::create_dir_all(&shots).unwrap();
    run_node_with("tools-layout.mjs", &t.public(), &[shots.to_str().unwrap()]);
}

#[test]
fn search_in_chromium_over_file_and_http() {
    if !browser_available() {
        return;
    }
    let t = SiteTest::bundled();
    t.build_ok();
    run_node("search.mjs", &t.public());
}

/// What a reader sees: no sideways scrolling and every popup inside the window at 390 and
/// 1280 px, light and dark, in every language; axe with the popups open, in the dark scheme and
/// with the focus on each header control. Screenshots of every page type in en and zh go to
/// target/screenshots/ for a reviewer (CI keeps them as files).
#[test]
fn layout_colour_schemes_and_open_popups_in_chromium() {
    if !browser_available() {
        return;
    }
    let t = SiteTest::bundled();
    t.build_ok();
    let shots = Path::new(REPO).join("target/screenshots");
    run_node_with("layout.mjs", &t.public(), &[shots.to_str().unwrap()]);
}

/// Hosts serve 404.html for a missing URL at any depth: styled, every link working, at the
/// root of a host and in a sub-folder (the fixture's base_url is https://fixture.example/sub/).
#[test]
fn not_found_page_works_at_any_depth_and_in_a_sub_folder() {
    if !browser_available() {
        return;
    }
    let bundled = SiteTest::bundled();
    bundled.build_ok();
    run_node_with("notfound.mjs", &bundled.public(), &["/"]);
    let sub = SiteTest::fixture("basic");
    sub.build_ok();
    run_node_with("notfound.mjs", &sub.public(), &["/sub/"]);
}

#[test]
fn plural_forms_follow_the_language_in_chromium() {
    if !browser_available() {
        return;
    }
    let t = SiteTest::fixture("exchange");
    t.build_ok();
    run_node("plurals.mjs", &t.public());
}
