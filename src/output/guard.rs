//! Where a build may write. The output folder is replaced whole, so a wrong `--output` would
//! delete whatever it names: it must never be, hold or lie inside the site's sources, and an
//! existing folder is replaced only when a previous `portal build` wrote it (its marker file),
//! unless the user says `--force`. Checked before anything is written, for `build` and `serve`.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// The file every build writes into its output folder: a folder without it is not ours.
pub const MARKER: &str = ".portal-output";

/// What the marker says to someone who finds it.
pub const MARKER_TEXT: &str = "This folder was written by `portal build` and is replaced whole by the next build.\n\
A folder without this file is never replaced (unless `--force` is given).\n";

/// The site's own files and folders, below the root: an output may not touch any of them.
const SOURCES: &[&str] = &["content", "themes", "i18n", "portal.toml", ".portal-cache", ".git"];

/// Why an output folder is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The output is the site's root folder.
    IsRoot,
    /// The output holds the site's root folder.
    HoldsRoot,
    /// The output is, holds or lies inside a source (`content/`, `themes/`, ...).
    OverSource(PathBuf),
    /// The output exists and is not a previous build's output (no marker).
    NotABuild,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::IsRoot => write!(f, "it is the site's root folder; choose a folder of its own, such as public/"),
            Refusal::HoldsRoot => {
                write!(f, "it holds the site's root folder; choose a folder of its own, such as <root>/public/")
            }
            Refusal::OverSource(source) => write!(
                f,
                "it overlaps the site's sources ({}); the output is replaced whole and would delete them",
                source.display()
            ),
            Refusal::NotABuild => write!(
                f,
                "it exists and was not written by `portal build` (it has no {MARKER} file), so replacing it \
                 could delete your files; remove it, choose another folder, or pass --force"
            ),
        }
    }
}

/// Refuses an output folder that the build must not replace (see the module doc). `force`
/// allows replacing an existing folder that is not a previous build's, never the sources.
pub fn check_destination(root: &Path, dest: &Path, force: bool) -> Result<()> {
    let refuse = |reason: Refusal| Err(Error::UnsafeOutput { dest: dest.to_path_buf(), reason });
    let root_abs = absolute(root).map_err(|e| Error::io(root, e))?;
    let dest_abs = absolute(dest).map_err(|e| Error::io(dest, e))?;
    if dest_abs == root_abs {
        return refuse(Refusal::IsRoot);
    }
    if root_abs.starts_with(&dest_abs) {
        return refuse(Refusal::HoldsRoot);
    }
    for name in SOURCES {
        let source = root.join(name);
        // A source may be a link to a folder elsewhere: compare with where it really is too.
        let mut places = vec![root_abs.join(name)];
        if let Ok(real) = source.canonicalize() {
            places.push(real);
        }
        if places.iter().any(|s| dest_abs.starts_with(s) || s.starts_with(&dest_abs)) {
            return refuse(Refusal::OverSource(Path::new(name).to_path_buf()));
        }
    }
    if !force && !replaceable(dest) {
        return refuse(Refusal::NotABuild);
    }
    Ok(())
}

/// A destination that is absent, an empty folder or a previous build's output.
fn replaceable(dest: &Path) -> bool {
    match std::fs::symlink_metadata(dest) {
        Err(_) => true,
        Ok(meta) if meta.is_dir() => {
            dest.join(MARKER).is_file() || std::fs::read_dir(dest).is_ok_and(|mut entries| entries.next().is_none())
        }
        Ok(_) => false,
    }
}

/// `path` made absolute, with every part that exists resolved as the file system sees it
/// (links, `..`) and the rest normalised by its words.
fn absolute(path: &Path) -> std::io::Result<PathBuf> {
    let joined = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir()?.join(path) };
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => out.push(component),
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(name) => {
                out.push(name);
                if let Ok(real) = out.canonicalize() {
                    out = real;
                }
            }
        }
    }
    Ok(out)
}

/// Folders that builds of `dest` leave beside it while they run (`.public.tmp-<pid>`,
/// `.public.old-<pid>`): any still there when a build holds the output's lock belongs to a
/// build that died.
pub fn leftovers_beside(dest: &Path) -> Vec<PathBuf> {
    let Some(name) = dest.file_name().map(OsString::from) else { return Vec::new() };
    let name = name.to_string_lossy().into_owned();
    let parent = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let prefixes = [format!(".{name}.tmp-"), format!(".{name}.old-")];
    let Ok(entries) = std::fs::read_dir(parent) else { return Vec::new() };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| {
            let file = e.file_name().to_string_lossy().into_owned();
            prefixes
                .iter()
                .any(|p| file.strip_prefix(p.as_str()).is_some_and(|pid| pid.bytes().all(|b| b.is_ascii_digit())))
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        for dir in ["content/en", "themes/default", "i18n"] {
            std::fs::create_dir_all(tmp.path().join("site").join(dir)).unwrap();
        }
        tmp
    }

    fn refusal(root: &Path, dest: &Path, force: bool) -> Option<Refusal> {
        match check_destination(root, dest, force) {
            Ok(()) => None,
            Err(Error::UnsafeOutput { reason, .. }) => Some(reason),
            Err(e) => panic!("unexpected error {e}"),
        }
    }

    #[test]
    fn sources_and_the_root_are_never_an_output() {
        let tmp = site();
        let root = tmp.path().join("site");
        assert_eq!(refusal(&root, &root, true), Some(Refusal::IsRoot));
        assert_eq!(refusal(&root, &root.join("content/.."), true), Some(Refusal::IsRoot));
        assert_eq!(refusal(&root, tmp.path(), true), Some(Refusal::HoldsRoot));
        for bad in ["content", "content/en", "content/en/new", "themes", "i18n", "portal.toml", ".portal-cache/x"] {
            assert!(
                matches!(refusal(&root, &root.join(bad), true), Some(Refusal::OverSource(_))),
                "{bad} must be refused"
            );
        }
        assert_eq!(refusal(&root, &root.join("public"), false), None);
        assert_eq!(refusal(&root, &tmp.path().join("elsewhere/out"), false), None);
    }

    #[test]
    fn an_existing_folder_is_replaced_only_if_a_build_wrote_it() {
        let tmp = site();
        let root = tmp.path().join("site");
        let dest = tmp.path().join("out");
        std::fs::create_dir_all(&dest).unwrap();
        assert_eq!(refusal(&root, &dest, false), None, "an empty folder holds nothing to lose");
        std::fs::write(dest.join("notes.txt"), "mine").unwrap();
        assert_eq!(refusal(&root, &dest, false), Some(Refusal::NotABuild));
        assert_eq!(refusal(&root, &dest, true), None);
        std::fs::write(dest.join(MARKER), MARKER_TEXT).unwrap();
        assert_eq!(refusal(&root, &dest, false), None);
        let file = tmp.path().join("a-file");
        std::fs::write(&file, "x").unwrap();
        assert_eq!(refusal(&root, &file, false), Some(Refusal::NotABuild));
    }

    #[test]
    fn leftovers_are_the_numbered_siblings_only() {
        let tmp = tempfile::tempdir().unwrap();
        for name in [".public.tmp-12", ".public.old-7", ".public.tmp-x", ".other.tmp-1", "public"] {
            std::fs::create_dir_all(tmp.path().join(name)).unwrap();
        }
        let found: Vec<String> = leftovers_beside(&tmp.path().join("public"))
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(found, [".public.old-7", ".public.tmp-12"]);
    }
}
