//! The served output folder as `serve` last left it: a fingerprint per file, so that a rebuild
//! writes only the files whose bytes changed and removes those that disappeared, in place. A
//! full `build` writes a fresh folder and swaps it in; per edit that would rewrite the site.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::output::{CopiedFile, OutputFile};

/// What one `apply` did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Changes {
    pub written: usize,
    pub removed: usize,
}

/// The files of the output folder and a fingerprint of each.
pub struct Disk {
    root: PathBuf,
    files: BTreeMap<String, u64>,
}

/// A fingerprint of a file's bytes (collisions between two versions of one file are not a
/// practical concern for a development server).
pub fn fingerprint(bytes: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// A copied file is identified by its source's path, size and modification time: reading every
/// image and script on each edit would cost more than copying the few that change.
fn copy_fingerprint(copy: &CopiedFile) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    copy.source.hash(&mut h);
    if let Ok(meta) = std::fs::metadata(&copy.source) {
        meta.len().hash(&mut h);
        meta.modified().ok().hash(&mut h);
    }
    h.finish()
}

/// The search manifest names the shards: it is written after them, so that a page loading the
/// index mid-update finds either the old or the new set complete.
fn is_manifest(path: &str) -> bool {
    path.starts_with("search/") && path.ends_with("/index.js")
}

impl Disk {
    /// Records a folder that `output::write_site` has just written with exactly these files.
    pub fn recorded(root: &Path, files: &[OutputFile], copies: &[CopiedFile]) -> Disk {
        let mut recorded = BTreeMap::new();
        for f in files {
            recorded.insert(f.path.clone(), fingerprint(&f.bytes));
        }
        for c in copies {
            recorded.insert(c.path.clone(), copy_fingerprint(c));
        }
        Disk { root: root.to_path_buf(), files: recorded }
    }

    /// Writes the files and copies whose fingerprint differs from the recorded one, then removes
    /// every recorded file that is not among them and that `stale` selects.
    pub fn apply(
        &mut self,
        files: &[OutputFile],
        copies: &[CopiedFile],
        stale: impl Fn(&str) -> bool,
    ) -> Result<Changes> {
        let mut changes = Changes::default();
        let mut order: Vec<&OutputFile> = files.iter().collect();
        order.sort_by_key(|f| is_manifest(&f.path));
        let mut present = BTreeSet::new();
        for f in order {
            present.insert(f.path.as_str());
            let print = fingerprint(&f.bytes);
            if self.files.get(&f.path) != Some(&print) {
                self.write(&f.path, print, |path| std::fs::write(path, &f.bytes))?;
                changes.written += 1;
            }
        }
        for c in copies {
            present.insert(c.path.as_str());
            let print = copy_fingerprint(c);
            if self.files.get(&c.path) != Some(&print) {
                self.write(&c.path, print, |path| std::fs::copy(&c.source, path).map(|_| ()))?;
                changes.written += 1;
            }
        }
        let gone: Vec<String> =
            self.files.keys().filter(|p| !present.contains(p.as_str()) && stale(p)).cloned().collect();
        for path in gone {
            let full = self.root.join(&path);
            match std::fs::remove_file(&full) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&full, e)),
            }
            self.files.remove(&path);
            changes.removed += 1;
            self.remove_empty_parents(&full);
        }
        Ok(changes)
    }

    /// Writes one file; its fingerprint is recorded only once it is written, so a failure leaves
    /// it to be written again by the next rebuild.
    fn write(&mut self, path: &str, print: u64, write: impl FnOnce(&Path) -> std::io::Result<()>) -> Result<()> {
        let full = self.root.join(path);
        self.files.remove(path);
        if let Some(dir) = full.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        write(&full).map_err(|e| Error::io(&full, e))?;
        self.files.insert(path.to_string(), print);
        Ok(())
    }

    /// A full build has no empty folders: remove those a removal left behind.
    fn remove_empty_parents(&self, file: &Path) {
        let mut dir = file.parent();
        while let Some(d) = dir.filter(|d| d.starts_with(&self.root) && *d != self.root) {
            if std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_only_changes_and_removes_what_disappeared() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("public");
        let first =
            vec![OutputFile::new("a.html", b"a".to_vec(), "x"), OutputFile::new("d/b.html", b"b".to_vec(), "x")];
        crate::output::write_site(&root, &first, &[]).unwrap();
        let mut disk = Disk::recorded(&root, &first, &[]);
        let second = vec![OutputFile::new("a.html", b"a".to_vec(), "x"), OutputFile::new("c.html", b"c".to_vec(), "x")];
        let changes = disk.apply(&second, &[], |_| true).unwrap();
        assert_eq!((changes.written, changes.removed), (1, 1));
        assert_eq!(std::fs::read(root.join("c.html")).unwrap(), b"c");
        assert!(!root.join("d").exists(), "an emptied folder goes too");
        let kept = disk.apply(&[], &[], |p| p != "a.html").unwrap();
        assert_eq!(kept.removed, 1);
        assert!(root.join("a.html").exists() && !root.join("c.html").exists());
    }
}
