//! What the quality tests share: SDMetrics' demo data (shared/testdata/sdmetrics), its
//! types, and the check that a Python reference tool is installed.
#![allow(dead_code)] // each test binary uses a part

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use synthgov_synth::table::{ColType, Table, read_csv, types_from_sdmetrics_metadata};

pub fn sdmetrics_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/sdmetrics")
}

pub fn placements_real() -> PathBuf {
    sdmetrics_dir().join("single_table_student_placements_real.csv")
}

pub fn placements_synthetic() -> PathBuf {
    sdmetrics_dir().join("single_table_student_placements_synthetic.csv")
}

pub fn placements_metadata() -> PathBuf {
    sdmetrics_dir().join("single_table_metadata.json")
}

/// Column types from SDMetrics' metadata for the placements.
pub fn placements_types() -> BTreeMap<String, ColType> {
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(placements_metadata()).unwrap()).unwrap();
    types_from_sdmetrics_metadata(&meta)
}

/// The real and SDMetrics' synthetic placements tables.
pub fn placements() -> (Table, Table) {
    let t = placements_types();
    (
        read_csv(&placements_real(), &t).unwrap(),
        read_csv(&placements_synthetic(), &t).unwrap(),
    )
}

/// The real placements split at row `at` into `dir`/train.csv and `dir`/holdout.csv
/// (as CSV, so Python tools read the same bytes).
pub fn split_placements(dir: &Path, at: usize) -> (PathBuf, PathBuf) {
    let text = std::fs::read_to_string(placements_real()).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let write = |name: &str, part: &[&str]| {
        let p = dir.join(name);
        std::fs::write(&p, format!("{header}\n{}\n", part.join("\n"))).unwrap();
        p
    };
    (
        write("train.csv", &rows[..at]),
        write("holdout.csv", &rows[at..]),
    )
}

/// Whether python3 imports `modules`; if not, the test skips with a notice (fails
/// under .ci/run, which installs them).
pub fn python_has(modules: &str, what: &str) -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        synthgov_core::testenv::missing::<()>(what, ".ci/run installs it");
    }
    ok
}
