//! Output: the only writer of the site. Files are written into a fresh folder next to the
//! destination as the build makes them, and that folder replaces the destination once the
//! build has succeeded, so a failed or interrupted build never leaves a half-written site and
//! the previous one survives any content error. `guard` says which folders may be replaced at
//! all, `lock` keeps two builds of one site or one folder apart.

pub mod guard;
pub mod lock;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path below the output folder, `/`-separated.
    pub path: String,
    pub bytes: Vec<u8>,
    /// The input it comes from, for messages about collisions.
    pub origin: PathBuf,
}

impl OutputFile {
    pub fn new(path: impl Into<String>, bytes: Vec<u8>, origin: impl Into<PathBuf>) -> Self {
        OutputFile { path: path.into(), bytes, origin: origin.into() }
    }
}

/// A file to copy as is (theme static files, content images).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedFile {
    pub path: String,
    pub source: PathBuf,
}

fn io<T>(path: &Path, r: std::io::Result<T>) -> Result<T> {
    r.map_err(|e| Error::io(path, e))
}

/// A fresh folder next to the destination that files are written into as they are made (so
/// the build never holds the whole site in memory) and that replaces the destination only on
/// `commit`. Dropped without a commit, it is removed and the destination is untouched.
pub struct Staging {
    dir: PathBuf,
    dest: PathBuf,
    /// The destination, when it exists: a file made again with the same bytes is linked from
    /// there instead of written (see `write`).
    previous: Option<PathBuf>,
    committed: bool,
}

impl Staging {
    /// Starts a staging folder for `dest`. The caller holds `dest`'s lock (`lock::BuildLock`),
    /// so staging folders that other builds left beside it are from builds that died: they go.
    pub fn begin(dest: &Path) -> Result<Staging> {
        let parent = parent_of(dest);
        io(parent, std::fs::create_dir_all(parent))?;
        for leftover in guard::leftovers_beside(dest) {
            remove_any(&leftover)?;
        }
        let dir = parent.join(format!(".{}.tmp-{}", name_of(dest), std::process::id()));
        io(&dir, std::fs::create_dir_all(&dir))?;
        let marker = dir.join(guard::MARKER);
        io(&marker, std::fs::write(&marker, guard::MARKER_TEXT))?;
        let previous = dest.is_dir().then(|| dest.to_path_buf());
        Ok(Staging { dir, dest: dest.to_path_buf(), previous, committed: false })
    }

    /// Writes one file (`path` is `/`-separated, below the site root); safe from many threads.
    ///
    /// A file whose bytes equal the previous build's is hard-linked from the previous output:
    /// rebuilding a large site otherwise frees and allocates thousands of inodes a run, and
    /// ext4 then spends seconds of system time skipping recently freed ones.
    pub fn write(&self, path: &str, bytes: &[u8]) -> Result<()> {
        let target = self.dir.join(path);
        if let Some(folder) = target.parent() {
            io(folder, std::fs::create_dir_all(folder))?;
        }
        if let Some(previous) = &self.previous {
            let old = previous.join(path);
            let same = std::fs::symlink_metadata(&old).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
                && std::fs::read(&old).is_ok_and(|old_bytes| old_bytes == bytes);
            if same && std::fs::hard_link(&old, &target).is_ok() {
                return Ok(());
            }
        }
        io(&target, std::fs::write(&target, bytes))
    }

    pub fn copy(&self, file: &CopiedFile) -> Result<()> {
        let bytes = io(&file.source, std::fs::read(&file.source))?;
        self.write(&file.path, &bytes)
    }

    /// Puts the staged site in place of the destination.
    pub fn commit(mut self) -> Result<()> {
        swap(&self.dir, &self.dest)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed && self.dir.exists() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn parent_of(dest: &Path) -> &Path {
    dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

fn name_of(dest: &Path) -> String {
    dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into())
}

/// Writes `files` and `copies` into `dest`, replacing what was there only once all is written.
pub fn write_site(dest: &Path, files: &[OutputFile], copies: &[CopiedFile]) -> Result<()> {
    use rayon::prelude::*;
    let staging = Staging::begin(dest)?;
    files.par_iter().try_for_each(|f| staging.write(&f.path, &f.bytes))?;
    copies.par_iter().try_for_each(|c| staging.copy(c))?;
    staging.commit()
}

/// Removes a folder with what it holds, or a file (a `--force`d output that was a file).
fn remove_any(path: &Path) -> Result<()> {
    let is_dir = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
    io(path, if is_dir { std::fs::remove_dir_all(path) } else { std::fs::remove_file(path) })
}

fn swap(staging: &Path, dest: &Path) -> Result<()> {
    if std::fs::symlink_metadata(dest).is_ok() {
        let old = parent_of(dest).join(format!(".{}.old-{}", name_of(dest), std::process::id()));
        io(dest, std::fs::rename(dest, &old))?;
        if let Err(e) = std::fs::rename(staging, dest) {
            // Put the previous site back rather than leave nothing.
            let _ = std::fs::rename(&old, dest);
            return Err(Error::io(dest, e));
        }
        remove_any(&old)?;
    } else {
        io(dest, std::fs::rename(staging, dest))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_folder_only_when_complete() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("public");
        std::fs::create_dir_all(dest.join("stale")).unwrap();
        std::fs::write(dest.join("stale/old.html"), "old").unwrap();
        let files = vec![OutputFile::new("en/index.html", b"new".to_vec(), "x")];
        write_site(&dest, &files, &[]).unwrap();
        assert_eq!(std::fs::read_to_string(dest.join("en/index.html")).unwrap(), "new");
        assert!(!dest.join("stale").exists());
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("public")]);
    }

    #[test]
    fn unchanged_files_are_linked_from_the_previous_site_and_changed_ones_written() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("public");
        let first =
            vec![OutputFile::new("a.html", b"same".to_vec(), "x"), OutputFile::new("b.html", b"old".to_vec(), "x")];
        write_site(&dest, &first, &[]).unwrap();
        let inode = |name: &str| std::fs::metadata(dest.join(name)).unwrap().ino();
        let (a, b) = (inode("a.html"), inode("b.html"));
        let second =
            vec![OutputFile::new("a.html", b"same".to_vec(), "x"), OutputFile::new("b.html", b"new".to_vec(), "x")];
        write_site(&dest, &second, &[]).unwrap();
        assert_eq!(inode("a.html"), a, "unchanged file keeps its inode");
        assert_ne!(inode("b.html"), b);
        assert_eq!(std::fs::read_to_string(dest.join("b.html")).unwrap(), "new");
        assert_eq!(std::fs::metadata(dest.join("a.html")).unwrap().nlink(), 1, "the old folder is gone");
    }

    #[test]
    fn failed_copy_keeps_the_previous_site() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("public");
        std::fs::create_dir_all(&dest).unwrap();
        std::fs::write(dest.join("index.html"), "previous").unwrap();
        let copies = vec![CopiedFile { path: "a.css".into(), source: tmp.path().join("missing.css") }];
        assert!(write_site(&dest, &[], &copies).is_err());
        assert_eq!(std::fs::read_to_string(dest.join("index.html")).unwrap(), "previous");
    }
}
