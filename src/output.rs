//! Output: the only writer of the site. Files are written into a fresh folder next to the
//! destination, which then replaces it, so a failed or interrupted build never leaves a
//! half-written site and the previous one survives any content error.

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

/// Writes `files` and `copies` into `dest`, replacing what was there only once all is written.
pub fn write_site(dest: &Path, files: &[OutputFile], copies: &[CopiedFile]) -> Result<()> {
    let parent = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    io(parent, std::fs::create_dir_all(parent))?;
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
    let staging = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if staging.exists() {
        io(&staging, std::fs::remove_dir_all(&staging))?;
    }
    let result = write_all(&staging, files, copies).and_then(|()| swap(&staging, dest, parent, &name));
    if result.is_err() && staging.exists() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

fn write_all(staging: &Path, files: &[OutputFile], copies: &[CopiedFile]) -> Result<()> {
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .map(|f| f.path.as_str())
        .chain(copies.iter().map(|c| c.path.as_str()))
        .filter_map(|p| Path::new(p).parent().map(|d| staging.join(d)))
        .collect();
    dirs.sort();
    dirs.dedup();
    io(staging, std::fs::create_dir_all(staging))?;
    for d in &dirs {
        io(d, std::fs::create_dir_all(d))?;
    }
    use rayon::prelude::*;
    files.par_iter().try_for_each(|f| {
        let path = staging.join(&f.path);
        io(&path, std::fs::write(&path, &f.bytes))
    })?;
    copies.par_iter().try_for_each(|c| {
        let path = staging.join(&c.path);
        io(&c.source, std::fs::copy(&c.source, &path)).map(|_| ())
    })
}

fn swap(staging: &Path, dest: &Path, parent: &Path, name: &str) -> Result<()> {
    if dest.exists() {
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        io(dest, std::fs::rename(dest, &old))?;
        if let Err(e) = std::fs::rename(staging, dest) {
            // Put the previous site back rather than leave nothing.
            let _ = std::fs::rename(&old, dest);
            return Err(Error::io(dest, e));
        }
        io(&old, std::fs::remove_dir_all(&old))?;
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
