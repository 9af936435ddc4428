//! Quality metrics agree with SDMetrics on its own demo data, to within 0.01
//! (expected values transcribed from SDMetrics' tests, shared/testdata/sdmetrics).

mod common;

use std::path::PathBuf;

use common::{placements_types as types, python_has, sdmetrics_dir as dir};

use serde_json::Value;
use synthgov_synth::quality::{QualityOptions, quality};
use synthgov_synth::table::read_csv;

fn expected() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(dir().join("expected_scores_student_placements.json")).unwrap(),
    )
    .unwrap()
}

fn every_pair() -> QualityOptions {
    QualityOptions {
        every_pair: true,
        ..Default::default()
    }
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 0.01,
        "{what}: synthgov {a} vs SDMetrics {b}"
    );
}

#[test]
fn column_shapes_match_sdmetrics() {
    let t = types();
    let real = read_csv(&dir().join("single_table_student_placements_real.csv"), &t).unwrap();
    let synth = read_csv(
        &dir().join("single_table_student_placements_synthetic.csv"),
        &t,
    )
    .unwrap();
    let r = quality(&real, &synth, None, &QualityOptions::default()).unwrap();
    let e = expected();
    for d in e["column_shapes_all_columns"]["details"]
        .as_array()
        .unwrap()
    {
        let name = d["column"].as_str().unwrap();
        let got = &r.columns[name];
        assert_eq!(got.metric, d["metric"].as_str().unwrap(), "{name}");
        close(got.score, d["score"].as_f64().unwrap(), name);
    }
    close(
        r.column_shapes,
        e["column_shapes_all_columns"]["property_score"]
            .as_f64()
            .unwrap(),
        "Column Shapes",
    );
}

#[test]
fn pair_trends_and_overall_match_sdmetrics_on_the_subset() {
    let e = expected();
    let keep: Vec<String> = e["column_pair_trends_subset"]["columns_kept_in_metadata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let t = types();
    let subset = |file: &str| {
        let mut table = read_csv(&dir().join(file), &t).unwrap();
        table.columns.retain(|c| keep.contains(&c.name));
        table
    };
    let real = subset("single_table_student_placements_real.csv");
    let synth = subset("single_table_student_placements_synthetic.csv");
    // These expected values were computed with every pair scored.
    let r = quality(&real, &synth, None, &every_pair()).unwrap();
    for d in e["column_pair_trends_subset"]["details"]
        .as_array()
        .unwrap()
    {
        let (a, b) = (
            d["column_1"].as_str().unwrap(),
            d["column_2"].as_str().unwrap(),
        );
        let got = r
            .pairs
            .iter()
            .find(|p| (p.column_1 == a && p.column_2 == b) || (p.column_1 == b && p.column_2 == a))
            .unwrap_or_else(|| panic!("no pair {a}/{b}"));
        assert_eq!(got.metric, d["metric"].as_str().unwrap(), "{a}/{b}");
        close(got.score, d["score"].as_f64().unwrap(), &format!("{a}/{b}"));
        if let Some(rc) = d["real_correlation"].as_f64() {
            close(got.real_correlation.unwrap(), rc, "real correlation");
        }
    }
    close(
        r.column_pair_trends,
        e["column_pair_trends_subset"]["property_score"]
            .as_f64()
            .unwrap(),
        "Column Pair Trends",
    );
    close(
        r.score,
        e["quality_report_subset"]["overall_score"]
            .as_f64()
            .unwrap(),
        "overall",
    );
}

#[test]
fn privacy_and_bias_behave() {
    let t = types();
    let real = read_csv(&dir().join("single_table_student_placements_real.csv"), &t).unwrap();
    // A "synthetic" table that is the real one: every row an exact match, DCR 0.
    let copy = quality(&real, &real, None, &QualityOptions::default()).unwrap();
    assert_eq!(copy.privacy.exact_match_rate, 1.0);
    assert_eq!(copy.privacy.dcr_median, 0.0);
    assert_eq!(copy.score, 1.0);
    let synth = read_csv(
        &dir().join("single_table_student_placements_synthetic.csv"),
        &t,
    )
    .unwrap();
    let r = quality(&real, &synth, None, &QualityOptions::default()).unwrap();
    assert!(r.privacy.exact_match_rate < 0.05 && r.privacy.dcr_median > 0.0);
    // `gender` is detected as sensitive.
    let g = &r.bias.columns["gender"];
    assert!(g.groups.iter().any(|x| x.group == "M") && g.largest_gap >= 0.0 && g.largest_gap < 0.2);
}

/// A fixture computed by SDMetrics itself (bench/sdmetrics_fixture.py) on a table our
/// fitted copula generated: every column, every pair and the overall score agree.
#[test]
fn agrees_with_sdmetrics_computed_fixture() {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let e: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures.join("placements_sdmetrics_expected.json")).unwrap(),
    )
    .unwrap();
    let t = types();
    let real = read_csv(&dir().join("single_table_student_placements_real.csv"), &t).unwrap();
    let synth = read_csv(&fixtures.join("placements_synthgov_copula.csv"), &t).unwrap();
    let r = quality(&real, &synth, None, &every_pair()).unwrap();
    let mut worst = 0.0f64;
    for (name, d) in e["columns"].as_object().unwrap() {
        let got = &r.columns[name];
        assert_eq!(got.metric, d["metric"].as_str().unwrap(), "{name}");
        close(got.score, d["score"].as_f64().unwrap(), name);
        worst = worst.max((got.score - d["score"].as_f64().unwrap()).abs());
    }
    let pairs = e["pairs"].as_array().unwrap();
    assert!(pairs.len() >= 100, "{} pairs", pairs.len());
    for d in pairs {
        let (a, b) = (
            d["column_1"].as_str().unwrap(),
            d["column_2"].as_str().unwrap(),
        );
        let got = r
            .pairs
            .iter()
            .find(|p| (p.column_1 == a && p.column_2 == b) || (p.column_1 == b && p.column_2 == a))
            .unwrap_or_else(|| panic!("no pair {a}/{b}"));
        assert_eq!(got.metric, d["metric"].as_str().unwrap(), "{a}/{b}");
        close(got.score, d["score"].as_f64().unwrap(), &format!("{a}/{b}"));
        worst = worst.max((got.score - d["score"].as_f64().unwrap()).abs());
    }
    close(
        r.column_shapes,
        e["column_shapes"].as_f64().unwrap(),
        "Column Shapes",
    );
    close(
        r.column_pair_trends,
        e["column_pair_trends"].as_f64().unwrap(),
        "Column Pair Trends",
    );
    close(r.score, e["score"].as_f64().unwrap(), "overall");
    eprintln!("largest difference from SDMetrics: {worst:.2e}");
}

/// Against SDMetrics' own default QualityReport (installed by .ci/run), run here on
/// the same tables: overall and each property within 0.02, and the same pairs counted.
#[test]
fn default_quality_report_agrees_with_sdmetrics_itself() {
    if !python_has("sdmetrics, sklearn", "sdmetrics and scikit-learn") {
        return;
    }
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let shared = dir().join("..");
    let work = tempfile::tempdir().unwrap();
    // scikit-learn's breast-cancer set, as a CSV.
    let cancer = work.path().join("breast_cancer.csv");
    let made = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys; from sklearn.datasets import load_breast_cancer as l; d = l(as_frame=True).frame; d.columns = [c.replace(' ', '_') for c in d.columns]; d.to_csv(sys.argv[1], index=False)",
        ])
        .arg(&cancer)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    // (real, synthetic or None for our copula's, SDMetrics metadata or None for ours)
    let cases: Vec<(PathBuf, Option<PathBuf>, Option<PathBuf>)> = vec![
        (
            dir().join("single_table_student_placements_real.csv"),
            Some(fixture.join("placements_synthgov_copula.csv")),
            Some(dir().join("single_table_metadata.json")),
        ),
        (cancer, None, None),
        (shared.join("shopify/apparel.csv"), None, None),
        (
            shared.join(
                "magento/sample-data/CatalogSampleData__SimpleProduct__products_gear_bags.csv",
            ),
            None,
            None,
        ),
    ];
    for (real_path, synth_path, meta_path) in cases {
        let t = if meta_path.is_some() {
            types()
        } else {
            Default::default()
        };
        let real = read_csv(&real_path, &t).unwrap();
        let name = real_path
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let synth_path = synth_path.unwrap_or_else(|| {
            let model = synthgov_synth::copula::fit(&real, &name, "0", 5);
            let mut buf = Vec::new();
            synthgov_synth::copula::sample_csv(
                &model,
                real.rows as u64,
                1,
                None,
                "",
                &mut buf,
                &mut |_| {},
            )
            .unwrap();
            let p = work.path().join(format!("{name}_synthetic.csv"));
            std::fs::write(&p, buf).unwrap();
            p
        });
        let meta_path = meta_path.unwrap_or_else(|| {
            // Our inferred types, told to SDMetrics as its metadata.
            let columns: serde_json::Map<String, Value> = real
                .columns
                .iter()
                .map(|c| {
                    let sdtype = match c.ctype {
                        synthgov_synth::table::ColType::Numerical => "numerical",
                        synthgov_synth::table::ColType::Datetime => "datetime",
                        synthgov_synth::table::ColType::Boolean => "boolean",
                        synthgov_synth::table::ColType::Id => "id",
                        synthgov_synth::table::ColType::Categorical => "categorical",
                    };
                    (c.name.clone(), serde_json::json!({ "sdtype": sdtype }))
                })
                .collect();
            let p = work.path().join(format!("{name}_metadata.json"));
            std::fs::write(&p, serde_json::json!({ "columns": columns }).to_string()).unwrap();
            p
        });
        let synth = read_csv(&synth_path, &t).unwrap();
        let r = quality(&real, &synth, None, &QualityOptions::default()).unwrap();
        let script = r#"
import json, sys, warnings
warnings.filterwarnings("ignore")
import pandas as pd
from sdmetrics.reports.single_table import QualityReport
meta = json.load(open(sys.argv[3]))
meta = meta["tables"]["student_placements"] if "tables" in meta else meta
real = pd.read_csv(sys.argv[1]); synth = pd.read_csv(sys.argv[2])[real.columns]
rep = QualityReport(); rep.generate(real, synth, meta, verbose=False)
pairs = rep.get_details("Column Pair Trends")
counted = pairs[pairs["Meets Threshold?"] == True]
props = rep.get_properties().set_index("Property")["Score"]
print(json.dumps({"score": rep.get_score(), "shapes": props["Column Shapes"],
  "trends": props["Column Pair Trends"],
  "counted": sorted([sorted([a, b]) for a, b in zip(counted["Column 1"], counted["Column 2"])])}))
"#;
        let out = std::process::Command::new("python3")
            .args(["-c", script])
            .arg(&real_path)
            .arg(&synth_path)
            .arg(&meta_path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let e: Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut ours: Vec<Vec<String>> = r
            .pairs
            .iter()
            .filter(|p| p.counted)
            .map(|p| {
                let mut v = vec![p.column_1.clone(), p.column_2.clone()];
                v.sort();
                v
            })
            .collect();
        ours.sort();
        let theirs: Vec<Vec<String>> = serde_json::from_value(e["counted"].clone()).unwrap();
        eprintln!(
            "{name}: synthgov {:.4}/{:.4}/{:.4}, SDMetrics {:.4}/{:.4}/{:.4} ({} pairs counted, ours {})",
            r.score,
            r.column_shapes,
            r.column_pair_trends,
            e["score"].as_f64().unwrap(),
            e["shapes"].as_f64().unwrap(),
            e["trends"].as_f64().unwrap(),
            theirs.len(),
            ours.len()
        );
        assert_eq!(ours, theirs, "{name}: pairs counted");
        let within = |a: f64, b: f64, what: &str| {
            assert!(
                (a - b).abs() <= 0.02,
                "{name}: {what}: synthgov {a} vs SDMetrics {b}"
            )
        };
        within(r.score, e["score"].as_f64().unwrap(), "overall");
        within(
            r.column_shapes,
            e["shapes"].as_f64().unwrap(),
            "Column Shapes",
        );
        within(
            r.column_pair_trends,
            e["trends"].as_f64().unwrap(),
            "Column Pair Trends",
        );
    }
}

/// Outcome fairness agrees with fairlearn's `demographic_parity_difference` (the
/// target as the prediction), in the real and in both synthetic tables.
#[test]
fn demographic_parity_agrees_with_fairlearn() {
    if !python_has("fairlearn, pandas", "fairlearn (pip install fairlearn)") {
        return;
    }
    let real_path = dir().join("single_table_student_placements_real.csv");
    let t = types();
    let real = read_csv(&real_path, &t).unwrap();
    let opts = QualityOptions {
        sensitive: vec!["gender".into(), "high_spec".into()],
        target: Some("placed".into()),
        ..Default::default()
    };
    let script = r#"
import json, sys
import pandas as pd
from fairlearn.metrics import demographic_parity_difference
out = {}
for path in sys.argv[1:]:
    d = pd.read_csv(path)
    out[path] = {c: demographic_parity_difference(d["placed"], d["placed"], sensitive_features=d[c])
                 for c in ["gender", "high_spec"]}
print(json.dumps(out))
"#;
    let synths = [
        dir().join("single_table_student_placements_synthetic.csv"),
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/placements_synthgov_copula.csv"),
    ];
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&real_path)
        .args(&synths)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    for s in &synths {
        let synth = read_csv(s, &t).unwrap();
        let f = quality(&real, &synth, None, &opts)
            .unwrap()
            .fairness
            .unwrap();
        assert_eq!(f.positive, "true");
        for c in ["gender", "high_spec"] {
            let got = &f.columns[c];
            let want_real = e[real_path.to_str().unwrap()][c].as_f64().unwrap();
            let want_synth = e[s.to_str().unwrap()][c].as_f64().unwrap();
            assert!(
                (got.demographic_parity_difference_real - want_real).abs() <= 0.01,
                "{c} real: {} vs fairlearn {want_real}",
                got.demographic_parity_difference_real
            );
            assert!(
                (got.demographic_parity_difference_synthetic - want_synth).abs() <= 0.01,
                "{c} synthetic: {} vs fairlearn {want_synth}",
                got.demographic_parity_difference_synthetic
            );
            eprintln!(
                "{c}: real {:.4} (fairlearn {want_real:.4}), synthetic {:.4} (fairlearn {want_synth:.4})",
                got.demographic_parity_difference_real, got.demographic_parity_difference_synthetic
            );
        }
    }
}

/// No sensitive column named or found: bias is "not measured", never a 0, and a
/// fairness target without one is an error.
#[test]
fn no_sensitive_column_is_said_not_scored_zero() {
    let t = types();
    let real = read_csv(&dir().join("single_table_student_placements_real.csv"), &t).unwrap();
    let mut keep = real.clone();
    keep.columns.retain(|c| c.name != "gender");
    let r = quality(&keep, &keep, None, &QualityOptions::default()).unwrap();
    assert_eq!(r.bias.largest_gap, None);
    assert!(r.bias.problem.as_deref().unwrap().contains("--sensitive"));
    let err = quality(
        &keep,
        &keep,
        None,
        &QualityOptions {
            target: Some("placed".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(err.0.contains("no sensitive column"), "{err}");
    let err = quality(
        &real,
        &real,
        None,
        &QualityOptions {
            sensitive: vec!["ethnicity".into()],
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(err.0.contains("ethnicity"), "{err}");
}
