//! The fitted model keeps structure beyond the marginals: missingness conditional on
//! the other columns (in SDMetrics' student placements a salary is missing exactly
//! when the student was not placed, and so it must be in the sampled rows; drawn
//! independently, 33% of the placed lost their salary), and datetimes in the layout
//! of the sample.

use std::path::PathBuf;

use synthgov_synth::copula::{fit, sample_csv};
use synthgov_synth::table::{read_csv, types_from_sdmetrics_metadata};

/// SDMetrics' student placements, typed by its metadata.
fn placements() -> synthgov_synth::table::Table {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/sdmetrics");
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("single_table_metadata.json")).unwrap(),
    )
    .unwrap();
    let types = types_from_sdmetrics_metadata(&meta);
    read_csv(
        &dir.join("single_table_student_placements_real.csv"),
        &types,
    )
    .unwrap()
}

#[test]
fn missing_salaries_follow_placement() {
    let real = placements();
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
    let real = placements();
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

/// Datetimes come back in the layout of the sample (a US spreadsheet's here), not
/// rewritten as RFC 3339.
#[test]
fn datetimes_keep_the_layout_of_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    let mut text = String::from("ordered_at,amount,shipped_on\n");
    for i in 0..400u32 {
        text.push_str(&format!(
            "{:02}/{:02}/2025 {:02}:{:02},{}.5,{:02}.{:02}.2025\n",
            1 + i % 12,
            1 + i % 28,
            i % 24,
            i % 60,
            10 + i,
            1 + i % 28,
            1 + i % 12
        ));
    }
    std::fs::write(&path, text).unwrap();
    let t = read_csv(&path, &Default::default()).unwrap();
    let model = fit(&t, "orders", "x", 5);
    let fmt = |n: &str| {
        model
            .columns
            .iter()
            .find(|c| c.name == n)
            .unwrap()
            .datetime_format
            .clone()
    };
    assert_eq!(fmt("ordered_at").as_deref(), Some("%m/%d/%Y %H:%M"));
    assert_eq!(fmt("shipped_on").as_deref(), Some("%d.%m.%Y"));
    let mut out = Vec::new();
    sample_csv(&model, 500, 1, None, "m", &mut out, &mut |_| {}).unwrap();
    let mut r = csv::Reader::from_reader(&out[..]);
    for rec in r.records() {
        let rec = rec.unwrap();
        assert!(
            synthgov_synth::table::parse_datetime_as(&rec[0], "%m/%d/%Y %H:%M").is_some(),
            "{:?}",
            &rec[0]
        );
        assert!(
            synthgov_synth::table::parse_datetime_as(&rec[2], "%d.%m.%Y").is_some(),
            "{:?}",
            &rec[2]
        );
    }
}
