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
    let out = Command::new("node")
        .arg(Path::new(REPO).join("tests/browser").join(script))
        .arg(site)
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
    t.build_ok();
    run_node("rtl.mjs", &t.public());
}

#[test]
fn tools_in_chromium_over_file_and_http() {
    if !browser_available() {
        return;
    }
    let t = SiteTest::bundled();
    t.build_ok();
    run_node("tools.mjs", &t.public());
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

#[test]
fn plural_forms_follow_the_language_in_chromium() {
    if !browser_available() {
        return;
    }
    let t = SiteTest::fixture("exchange");
    t.build_ok();
    run_node("plurals.mjs", &t.public());
}
