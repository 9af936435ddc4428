//! The one place tests decide between skipping and failing when something they need
//! is not here: a database URL, a fixture under ../shared, an external tool.
//!
//! On a developer's machine a missing database or tool skips the test with a notice
//! (written past the test harness's capture, so it shows in a passing run). Under
//! `.ci/run`, which sets `SYNTHGOV_REQUIRE_TOOLS` after installing everything, the
//! same absence fails the test: a CI run never passes a test that did not run.

use std::path::{Path, PathBuf};

/// The variable `.ci/run` sets.
pub const REQUIRE: &str = "SYNTHGOV_REQUIRE_TOOLS";

/// Whether absences fail (CI) rather than skip.
pub fn required() -> bool {
    std::env::var_os(REQUIRE).is_some()
}

/// Writes a skip notice where a passing run still shows it.
pub fn notice(message: &str) {
    use std::io::Write;
    match std::fs::OpenOptions::new().write(true).open("/dev/stderr") {
        Ok(mut err) => {
            let _ = writeln!(err, "{message}");
        }
        Err(_) => eprintln!("{message}"),
    }
}

/// `what` is not here: under CI that is a failure (panics naming it and `how`),
/// elsewhere a visible skip. Returns `None` so callers can write
/// `let Some(x) = ... else { return missing(...) }`.
pub fn missing<T>(what: &str, how: &str) -> Option<T> {
    if required() {
        panic!("{what} is required under .ci/run ({REQUIRE} is set) but is missing: {how}");
    }
    notice(&format!("SKIPPED: {what} is missing ({how})"));
    None
}

/// A database URL from the environment (.ci/run sets them).
pub fn db_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(u) if !u.is_empty() => Some(u),
        _ => missing(var, ".ci/run sets it to a fresh database"),
    }
}

/// A file or folder under the workspace's sibling `shared/` (test data written by
/// others), from a crate whose manifest dir is `manifest_dir`.
pub fn shared(manifest_dir: &str, rel: &str) -> Option<PathBuf> {
    let p = Path::new(manifest_dir).join("../../../shared").join(rel);
    if p.exists() {
        Some(p)
    } else {
        missing(
            &format!("../shared/{rel}"),
            "the shared test data sits beside the repository",
        )
    }
}
