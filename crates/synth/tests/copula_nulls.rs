//! The fitted model keeps missingness conditional on the other columns: in SDMetrics'
//! student placements a salary is missing exactly when the student was not placed,
//! and so it must be in the sampled rows (it was 0.33 missing among the placed when
//! nulls were drawn independently).

use std::path::PathBuf;

use synthgov_synth::copula::{fit, sample_csv};
use synthgov_synth::table::{read_csv, types_from_sdmetrics_metadata};

#[test]
fn missing_salaries_follow_placement() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/sdmetrics");
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("single_table_metadata.json")).unwrap(),
    )
    .unwrap();
    let types = types_from_sdmetrics_metadata(&meta);
    let real = read_csv(
        &dir.join("single_table_student_placements_real.csv"),
        &types,
    )
    .unwrap();
    let model = fit(&real, "placements", "x", 5);
    assert!(!model.null_dims.is_empty());
    model.validate().unwrap();
    // The model file round-trips, and one written before null indicators still loads.
    let json = serde_json::to_string(&model).unwrap();
    let back: synthgov_synth::copula::Model = serde_json::from_str(&json).unwrap();
    back.validate().unwrap();

    let mut out = Vec::new();
    sample_csv(&model, 20_000, 3, None, "m", &mut out, &mut |_| {}).unwrap();
    let mut r = csv::Reader::from_reader(&out[..]);
    let h = r.headers().unwrap().clone();
    let (placed, salary) = (
        h.iter().position(|c| c == "placed").unwrap(),
        h.iter().position(|c| c == "salary").unwrap(),
    );
    let (mut p, mut p_null, mut np, mut np_null) = (0.0, 0.0, 0.0, 0.0);
    for rec in r.records() {
        let rec = rec.unwrap();
        let missing = rec[salary].is_empty();
        if rec[placed].eq_ignore_ascii_case("true") {
            p += 1.0;
            p_null += missing as u8 as f64;
        } else {
            np += 1.0;
            np_null += missing as u8 as f64;
        }
    }
    assert!(p > 1000.0 && np > 1000.0);
    assert!(
        p_null / p < 0.02,
        "P(salary missing | placed) = {}",
        p_null / p
    );
    assert!(
        np_null / np > 0.98,
        "P(salary missing | not placed) = {}",
        np_null / np
    );
}

#[test]
fn a_model_without_null_indicators_still_samples() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/sdmetrics");
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("single_table_metadata.json")).unwrap(),
    )
    .unwrap();
    let types = types_from_sdmetrics_metadata(&meta);
    let real = read_csv(
        &dir.join("single_table_student_placements_real.csv"),
        &types,
    )
    .unwrap();
    let mut model = fit(&real, "placements", "x", 5);
    // As a model file from before: no null_dims, the correlation over values only.
    let values = model.correlation.len() - model.null_dims.len();
    model.correlation.truncate(values);
    for row in &mut model.correlation {
        row.truncate(values);
    }
    let mut v = serde_json::to_value(&model).unwrap();
    v.as_object_mut().unwrap().remove("null_dims");
    let old: synthgov_synth::copula::Model = serde_json::from_value(v).unwrap();
    assert!(old.null_dims.is_empty());
    old.validate().unwrap();
    let mut out = Vec::new();
    sample_csv(&old, 1_000, 3, None, "m", &mut out, &mut |_| {}).unwrap();
    assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1_001);
}
