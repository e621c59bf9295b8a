//! One build at a time per site and per output folder. Two builds sharing the search cache
//! (`.portal-cache/`) or an output folder would break each other's files, so each takes an
//! exclusive lock on both for as long as it writes; a second one waits its turn.
//!
//! The lock files live in the system's temporary folder, named by a digest of the folder they
//! guard: a failed build leaves the site's folders exactly as they were. The operating system
//! releases a lock when its process ends, however it ends, so a killed build never blocks the
//! next one.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Held locks; dropping this releases them.
pub struct BuildLock {
    _files: Vec<File>,
}

impl BuildLock {
    /// Locks `root`'s cache and `dest`, in that order (the same order for every process, so two
    /// builds cannot each hold one and wait for the other). `waiting` is called once if another
    /// process holds a lock, before blocking until it is released.
    pub fn acquire(root: &Path, dest: &Path, waiting: &dyn Fn(&Path)) -> Result<BuildLock> {
        let mut files = Vec::new();
        for guarded in [root.join(".portal-cache"), dest.to_path_buf()] {
            let path = lock_path(&guarded);
            let file = open(&path)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    waiting(&guarded);
                    file.lock().map_err(|e| Error::io(&path, e))?;
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
            }
            files.push(file);
        }
        Ok(BuildLock { _files: files })
    }
}

fn open(path: &Path) -> Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    // Another user's lock file may not be writable for us; a read-only handle locks as well.
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .or_else(|_| File::open(path))
        .map_err(|e| Error::io(path, e))
}

/// The lock file guarding `folder`, named by a digest of its absolute path.
fn lock_path(folder: &Path) -> PathBuf {
    let absolute = folder
        .parent()
        .and_then(|p| p.canonicalize().ok())
        .map(|p| p.join(folder.file_name().unwrap_or_default()))
        .unwrap_or_else(|| folder.to_path_buf());
    let digest = crate::content::digest(&absolute.to_string_lossy());
    std::env::temp_dir().join("portal-locks").join(format!("{digest}.lock"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    #[test]
    fn a_second_build_waits_for_the_first() {
        let tmp = tempfile::tempdir().unwrap();
        let (root, dest) = (tmp.path().join("site"), tmp.path().join("public"));
        std::fs::create_dir_all(&root).unwrap();
        let first = BuildLock::acquire(&root, &dest, &|_| panic!("nobody holds it yet")).unwrap();
        let released = Arc::new(AtomicBool::new(false));
        let waited = Arc::new(AtomicBool::new(false));
        let (r, w) = (Arc::clone(&released), Arc::clone(&waited));
        let second = std::thread::spawn(move || {
            let _lock = BuildLock::acquire(&root, &dest, &|_| w.store(true, Ordering::SeqCst)).unwrap();
            assert!(r.load(Ordering::SeqCst), "the second build got the lock while the first held it");
        });
        std::thread::sleep(std::time::Duration::from_millis(200));
        released.store(true, Ordering::SeqCst);
        drop(first);
        second.join().unwrap();
        assert!(waited.load(Ordering::SeqCst), "the second build was told it waits");
        assert!(!tmp.path().join("site/.portal-cache").exists(), "the lock leaves nothing in the site");
    }
}
