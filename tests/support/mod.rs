//! `SiteTest`: a throwaway copy of a fixture site (or of the bundled portal), the `portal`
//! binary run on it, and helpers to read and parse what it wrote.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const REPO: &str = env!("CARGO_MANIFEST_DIR");

pub struct SiteTest {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().flatten() {
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl SiteTest {
    fn empty() -> SiteTest {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(&root).unwrap();
        SiteTest { _dir: dir, root }
    }

    /// The repository's theme and strings, overlaid with `tests/fixtures/<name>/`.
    pub fn fixture(name: &str) -> SiteTest {
        let t = SiteTest::empty();
        copy_dir(&Path::new(REPO).join("themes"), &t.root.join("themes"));
        copy_dir(&Path::new(REPO).join("i18n"), &t.root.join("i18n"));
        copy_dir(&Path::new(REPO).join("tests/fixtures").join(name), &t.root);
        t
    }

    /// A copy of the bundled portal.
    pub fn bundled() -> SiteTest {
        let t = SiteTest::empty();
        for dir in ["content", "themes", "i18n"] {
            copy_dir(&Path::new(REPO).join(dir), &t.root.join(dir));
        }
        std::fs::copy(Path::new(REPO).join("portal.toml"), t.root.join("portal.toml")).unwrap();
        t
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_portal"))
            .args(args)
            .arg("--root")
            .arg(&self.root)
            .output()
            .expect("the portal binary runs")
    }

    pub fn build(&self) -> Output {
        let out = self.root.join("public");
        self.run(&["build", "--output", out.to_str().unwrap()])
    }

    /// Builds and fails the test with the tool's messages if the build fails.
    pub fn build_ok(&self) -> String {
        let out = self.build();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "build failed:\n{stderr}");
        stderr
    }

    pub fn public(&self) -> PathBuf {
        self.root.join("public")
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.public().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub fn html(&self, rel: &str) -> scraper::Html {
        scraper::Html::parse_document(&self.read(rel))
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every file below `dir`, by relative path, with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect()
}

pub fn select<'a>(html: &'a scraper::Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&scraper::Selector::parse(css).unwrap()).collect()
}

pub fn attr(html: &scraper::Html, css: &str, name: &str) -> Option<String> {
    select(html, css).first().and_then(|e| e.value().attr(name)).map(str::to_string)
}

pub fn text(html: &scraper::Html, css: &str) -> String {
    select(html, css).first().map(|e| e.text().collect::<String>()).unwrap_or_default()
}
