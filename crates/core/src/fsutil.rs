//! Writing files the way a web server's other users still read them: one atomic
//! write (a temporary file beside the destination, renamed over it) that keeps the
//! destination's permission bits, or gives a new file the mode `open(2)` would
//! (0666 less the umask, usually 0644). tempfile creates 0600 files; renamed as they
//! are, a theme file rewritten by `disclose --in-place` would stop being readable by
//! the web server.

use std::fs::File;
use std::io::Write;
use std::path::Path;

/// The process umask, read without changing it (Linux: /proc/self/status); 0o022
/// where it cannot be read.
pub fn umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

/// The mode a file written to `dest` should have: the existing file's permission
/// bits, else 0666 less the umask.
pub fn mode_for(dest: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = std::fs::metadata(dest) {
            return m.permissions().mode() & 0o7777;
        }
    }
    0o666 & !umask()
}

/// Gives `file` the mode of a newly created file (0666 less the umask).
pub fn set_new_file_mode(file: &File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o666 & !umask()))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// Writes `bytes` to `dest` atomically: readers see the old file or the new one,
/// never a part. The new file keeps `dest`'s mode ([`mode_for`]). With `sync`, the
/// data is on disk before the rename.
pub fn write_atomic(dest: &Path, bytes: &[u8], sync: bool) -> std::io::Result<()> {
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".synthgov-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if sync {
        tmp.as_file().sync_all()?;
    }
    persist(tmp, dest)
}

/// Renames a finished temporary file over `dest`, with `dest`'s mode.
pub fn persist(tmp: tempfile::NamedTempFile, dest: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode_for(dest)))?;
    }
    tmp.persist(dest).map(|_| ()).map_err(|e| e.error)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn keeps_the_mode_of_the_file_it_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("page.html");
        std::fs::write(&p, "old").unwrap();
        for m in [0o644, 0o640, 0o600, 0o664] {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(m)).unwrap();
            write_atomic(&p, b"new", false).unwrap();
            assert_eq!(mode(&p), m);
            assert_eq!(std::fs::read(&p).unwrap(), b"new");
        }
    }

    #[test]
    fn a_new_file_gets_the_umask_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("new.json");
        write_atomic(&p, b"{}", true).unwrap();
        assert_eq!(mode(&p), 0o666 & !umask());
        assert_ne!(mode(&p), 0o600, "not tempfile's private mode");
    }
}
