//! The attack-based privacy risks agree with anonymeter itself (installed by
//! .ci/run) run on the same training, synthetic and control rows, and SDMetrics'
//! DCRBaselineProtection / DCROverfittingProtection and fairlearn's
//! equalized_odds_difference agree with ours.
//!
//! Data: scikit-learn's bundled breast-cancer set (569 rows, 30 numbers) split into
//! training and control rows, and SDMetrics' student-placements demo (mixed types);
//! synthetic rows from our Gaussian copula fitted on the training rows, and a leaky
//! "synthetic" set that is the training rows themselves.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{
    placements, placements_metadata, placements_synthetic, placements_types, python_has,
    split_placements,
};

use serde_json::Value;
use synthgov_synth::attacks::{AttackOptions, Attacks, attacks};
use synthgov_synth::quality::{QualityOptions, quality};
use synthgov_synth::table::{Table, read_csv};

fn bench(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../bench")
        .join(name)
}

fn python(script: &str, args: &[&Path]) -> Value {
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// breast_cancer split 400 / 169 into `dir`: train.csv, control.csv.
fn breast_cancer(dir: &Path) {
    python(
        r#"
import sys
from sklearn.datasets import load_breast_cancer
d = load_breast_cancer(as_frame=True).frame
d.columns = [c.replace(" ", "_") for c in d.columns]
d = d.sample(frac=1.0, random_state=7).reset_index(drop=True)
d.iloc[:400].to_csv(sys.argv[1] + "/train.csv", index=False)
d.iloc[400:].to_csv(sys.argv[1] + "/control.csv", index=False)
print("{}")
"#,
        &[dir],
    );
}

/// train.csv and control.csv of `dir`, read, and `rows` of our copula's rows fitted
/// on the training rows (copula.csv).
struct Split {
    train_path: PathBuf,
    control_path: PathBuf,
    copula_path: PathBuf,
    train: Table,
    control: Table,
    copula: Table,
}

fn split(dir: &Path, rows: u64) -> Split {
    let none = BTreeMap::new();
    let (train_path, control_path, copula_path) = (
        dir.join("train.csv"),
        dir.join("control.csv"),
        dir.join("copula.csv"),
    );
    let train = read_csv(&train_path, &none).unwrap();
    let control = read_csv(&control_path, &none).unwrap();
    copula_sample(&train, rows, &copula_path);
    let copula = read_csv(&copula_path, &none).unwrap();
    Split {
        train_path,
        control_path,
        copula_path,
        train,
        control,
        copula,
    }
}

/// Our copula fitted on `train`, `rows` rows sampled to `out`.
fn copula_sample(train: &Table, rows: u64, out: &Path) {
    let model = synthgov_synth::copula::fit(train, "test", "0", 0);
    let mut buf = Vec::new();
    synthgov_synth::copula::sample_csv(&model, rows, 1, None, "", &mut buf, &mut |_| {}).unwrap();
    std::fs::write(out, buf).unwrap();
}

fn anonymeter(train: &Path, syn: &Path, control: &Path, attacks: usize, drop: &[&str]) -> Value {
    let mut cmd = std::process::Command::new("python3");
    cmd.arg(bench("anonymeter_risks.py"))
        .args([train, syn, control])
        .args(["--attacks", &attacks.to_string()]);
    for d in drop {
        cmd.args(["--drop", d]);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Two estimates of the same risk agree when they are within 0.1 or their 95%
/// intervals overlap (both attacks draw their queries and targets at random).
fn agree(what: &str, ours: &synthgov_synth::attacks::AttackOutcome, theirs: &Value) -> bool {
    let t = theirs["risk"].as_f64().unwrap();
    let (lo, hi) = (
        theirs["ci"][0].as_f64().unwrap(),
        theirs["ci"][1].as_f64().unwrap(),
    );
    let ok = (ours.risk.value - t).abs() <= 0.1 || (ours.risk.ci.0 <= hi && lo <= ours.risk.ci.1);
    eprintln!(
        "{what:<40} synthgov {:.3} [{:.3}, {:.3}] (attack {:.3}, control {:.3})  anonymeter {t:.3} [{lo:.3}, {hi:.3}] (attack {:.3}, control {:.3}){}",
        ours.risk.value,
        ours.risk.ci.0,
        ours.risk.ci.1,
        ours.attack_rate.value,
        ours.control_rate.map_or(f64::NAN, |c| c.value),
        theirs["attack"].as_f64().unwrap_or(f64::NAN),
        theirs["control"].as_f64().unwrap_or(f64::NAN),
        if ok { "" } else { "  DISAGREE" }
    );
    ok
}

fn compare(ours: &Attacks, theirs: &Value) -> Vec<String> {
    let mut bad = Vec::new();
    let mut check = |what: String, o, t: &Value| {
        if !agree(&what, o, t) {
            bad.push(what);
        }
    };
    check(
        "singling out univariate".into(),
        &ours.singling_out_univariate,
        &theirs["singling_out_univariate"],
    );
    check(
        "singling out multivariate".into(),
        &ours.singling_out_multivariate,
        &theirs["singling_out_multivariate"],
    );
    check(
        "linkability".into(),
        &ours.linkability.outcome,
        &theirs["linkability"],
    );
    for (col, o) in &ours.inference {
        check(format!("inference {col}"), o, &theirs["inference"][col]);
    }
    bad
}

fn names(t: &Table, drop: &[&str]) -> Vec<String> {
    t.columns
        .iter()
        .filter(|c| !drop.contains(&c.name.as_str()))
        .map(|c| c.name.clone())
        .collect()
}

#[test]
fn risks_agree_with_anonymeter_on_breast_cancer() {
    if !python_has(
        "anonymeter, sklearn",
        "anonymeter and scikit-learn (pip install anonymeter scikit-learn)",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    breast_cancer(dir.path());
    let Split {
        train_path,
        control_path,
        copula_path,
        train,
        control,
        copula,
    } = split(dir.path(), 400);
    let cols = names(&train, &[]);
    let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
    let opts = AttackOptions {
        attacks: 150,
        seed: 3,
        ..Default::default()
    };
    // The leaky set: the training rows themselves.
    let leaky = attacks(&train, &train, Some(&control), &cols, &opts).unwrap();
    let safe = attacks(&train, &copula, Some(&control), &cols, &opts).unwrap();
    assert!(
        leaky.singling_out_univariate.risk.value > 0.8,
        "copying the training rows singles them out: {:?}",
        leaky.singling_out_univariate.risk
    );
    assert!(
        safe.singling_out_univariate.risk.value < 0.2,
        "{:?}",
        safe.singling_out_univariate.risk
    );
    let mut bad = Vec::new();
    for (name, ours, syn) in [
        ("leaky", &leaky, &train_path),
        ("copula", &safe, &copula_path),
    ] {
        eprintln!("-- {name}");
        let theirs = anonymeter(&train_path, syn, &control_path, 150, &[]);
        bad.extend(
            compare(ours, &theirs)
                .into_iter()
                .map(|w| format!("{name}: {w}")),
        );
    }
    // A few of 64 estimates may fall apart by chance; more means a real difference.
    assert!(bad.len() <= 3, "disagreements with anonymeter: {bad:?}");
}

/// With more than 1,000 control rows anonymeter rescales the control's singling-out
/// successes by a fitted size correction; ours must come out the same.
#[test]
fn singling_out_with_a_large_control_agrees_with_anonymeter() {
    if !python_has("anonymeter, sklearn", "anonymeter and scikit-learn") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    python(
        r#"
import sys
import pandas as pd
from sklearn.datasets import make_classification
X, y = make_classification(n_samples=4500, n_features=7, n_informative=4, random_state=3)
d = pd.DataFrame(X, columns=[f"x{i}" for i in range(7)]).round(3)
d["x6"] = pd.cut(d["x6"], 5, labels=list("abcde")).astype(str)
d["target"] = y
d.iloc[:3000].to_csv(sys.argv[1] + "/train.csv", index=False)
d.iloc[3000:].to_csv(sys.argv[1] + "/control.csv", index=False)
print("{}")
"#,
        &[dir.path()],
    );
    let Split {
        train_path,
        control_path,
        copula_path,
        train,
        control,
        copula,
    } = split(dir.path(), 3000);
    let cols = names(&train, &[]);
    let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
    let opts = AttackOptions {
        attacks: 200,
        seed: 4,
        ..Default::default()
    };
    let mut bad = Vec::new();
    for (name, syn_path, syn) in [
        ("leaky", &train_path, &train),
        ("copula", &copula_path, &copula),
    ] {
        let ours = attacks(&train, syn, Some(&control), &cols, &opts).unwrap();
        let theirs = anonymeter(&train_path, syn_path, &control_path, 200, &[]);
        for (what, o, t) in [
            (
                "univariate",
                &ours.singling_out_univariate,
                &theirs["singling_out_univariate"],
            ),
            (
                "multivariate",
                &ours.singling_out_multivariate,
                &theirs["singling_out_multivariate"],
            ),
        ] {
            if !agree(&format!("{name} singling out {what}"), o, t) {
                bad.push(format!("{name} {what}"));
            }
            // The control's rate is what the size correction changes: close to theirs.
            let (oc, tc) = (
                o.control_rate.unwrap().value,
                t["control"].as_f64().unwrap(),
            );
            if (oc - tc).abs() > 0.1 {
                bad.push(format!("{name} {what}: control {oc:.3} vs {tc:.3}"));
            }
        }
    }
    assert!(bad.is_empty(), "disagreements with anonymeter: {bad:?}");
}

#[test]
fn risks_agree_with_anonymeter_on_mixed_types() {
    if !python_has("anonymeter", "anonymeter (pip install anonymeter)") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let types = placements_types();
    // The real demo rows split 150 / 65.
    let (train_path, control_path) = split_placements(dir.path(), 150);
    let syn_path = placements_synthetic();
    let train = read_csv(&train_path, &types).unwrap();
    let control = read_csv(&control_path, &types).unwrap();
    let syn = read_csv(&syn_path, &types).unwrap();
    // anonymeter reads dates as text: compare the columns both treat alike.
    let drop = ["student_id", "start_date", "end_date"];
    let cols = names(&train, &drop);
    let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
    let opts = AttackOptions {
        attacks: 60,
        seed: 5,
        ..Default::default()
    };
    let ours = attacks(&train, &syn, Some(&control), &cols, &opts).unwrap();
    let theirs = anonymeter(&train_path, &syn_path, &control_path, 60, &drop);
    let bad = compare(&ours, &theirs);
    assert!(bad.len() <= 2, "disagreements with anonymeter: {bad:?}");
}

#[test]
fn dcr_protections_agree_with_sdmetrics() {
    if !python_has("sdmetrics", "sdmetrics (pip install sdmetrics)") {
        return;
    }
    let meta_path = placements_metadata();
    let types = placements_types();
    let dir = tempfile::tempdir().unwrap();
    let (train_path, hold_path) = split_placements(dir.path(), 150);
    let syn_path = placements_synthetic();
    let (train, hold, syn) = (
        read_csv(&train_path, &types).unwrap(),
        read_csv(&hold_path, &types).unwrap(),
        read_csv(&syn_path, &types).unwrap(),
    );
    let r = quality(
        &train,
        &syn,
        Some(&hold),
        &QualityOptions {
            seed: 1,
            ..Default::default()
        },
    )
    .unwrap();
    // SDMetrics leaves id columns out, as synthgov does.
    let e = python(
        r#"
import json, sys, warnings
warnings.filterwarnings("ignore")
import pandas as pd
from sdmetrics.single_table import DCRBaselineProtection, DCROverfittingProtection
meta = json.load(open(sys.argv[4]))
meta = meta["tables"]["student_placements"] if "tables" in meta else meta
train, syn, hold = (pd.read_csv(p) for p in sys.argv[1:4])
base = [DCRBaselineProtection.compute_breakdown(train, syn, meta, None) for _ in range(5)]
over = DCROverfittingProtection.compute_breakdown(train, syn, hold, meta, None)
print(json.dumps({"baseline": sum(b["score"] for b in base) / 5,
  "median_syn": base[0]["median_DCR_to_real_data"]["synthetic_data"],
  "overfitting": over["score"]}))
"#,
        &[&train_path, &syn_path, &hold_path, &meta_path],
    );
    let b = &r.privacy.dcr_baseline_protection;
    eprintln!(
        "DCRBaselineProtection synthgov {:?} (median {:.4}) vs SDMetrics {} (median {}); DCROverfittingProtection {:?} vs {}",
        b.score,
        b.median_dcr_synthetic,
        e["baseline"],
        e["median_syn"],
        r.privacy.dcr_overfitting_protection,
        e["overfitting"]
    );
    // The synthetic rows' median DCR is deterministic: it must match closely.
    assert!((b.median_dcr_synthetic - e["median_syn"].as_f64().unwrap()).abs() <= 0.01);
    // The baseline's random rows differ: the score agrees to sampling noise.
    assert!((b.score.unwrap() - e["baseline"].as_f64().unwrap()).abs() <= 0.05);
    let over = r.privacy.dcr_overfitting_protection.unwrap();
    assert!(
        (over - e["overfitting"].as_f64().unwrap()).abs() <= 0.05,
        "{over}"
    );
}

#[test]
fn equalized_odds_agrees_with_fairlearn() {
    if !python_has("fairlearn, pandas", "fairlearn (pip install fairlearn)") {
        return;
    }
    let (real, syn) = placements();
    let f = quality(
        &real,
        &syn,
        None,
        &QualityOptions {
            sensitive: vec!["gender".into(), "high_spec".into()],
            target: Some("placed".into()),
            ..Default::default()
        },
    )
    .unwrap()
    .fairness
    .unwrap();
    assert!(
        f.model.accuracy_trained_on_real > 0.7,
        "{:?}",
        f.model.accuracy_trained_on_real
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pred.csv");
    let mut text = String::from("truth,real,synthetic,gender,high_spec\n");
    for p in &f.model.predictions {
        let g = |n: &str| {
            p.groups
                .iter()
                .find(|(c, _)| c == n)
                .and_then(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        text.push_str(&format!(
            "{},{},{},{},{}\n",
            p.truth as u8,
            p.trained_on_real as u8,
            p.trained_on_synthetic as u8,
            g("gender"),
            g("high_spec")
        ));
    }
    std::fs::write(&path, text).unwrap();
    let e = python(
        r#"
import json, sys
import pandas as pd
from fairlearn.metrics import equalized_odds_difference as eod
d = pd.read_csv(sys.argv[1], keep_default_na=False)
print(json.dumps({c: {m: eod(d["truth"], d[m], sensitive_features=d[c]) for m in ["real", "synthetic"]}
                  for c in ["gender", "high_spec"]}))
"#,
        &[&path],
    );
    for c in ["gender", "high_spec"] {
        let got = &f.columns[c];
        let (wr, ws) = (
            e[c]["real"].as_f64().unwrap(),
            e[c]["synthetic"].as_f64().unwrap(),
        );
        eprintln!(
            "{c}: EOD real-trained {:.4} (fairlearn {wr:.4}), synthetic-trained {:.4} (fairlearn {ws:.4})",
            got.equalized_odds_difference_real, got.equalized_odds_difference_synthetic
        );
        assert!(
            (got.equalized_odds_difference_real - wr).abs() <= 0.01,
            "{c}"
        );
        assert!(
            (got.equalized_odds_difference_synthetic - ws).abs() <= 0.01,
            "{c}"
        );
    }
}

/// Without control rows the risk is the attack's own success rate; the same seed
/// gives the same report; too few columns is an error.
#[test]
fn attacks_are_reproducible_and_bounded() {
    let (real, syn) = placements();
    let cols = [
        "gender",
        "high_perc",
        "degree_perc",
        "work_experience",
        "salary",
    ];
    let opts = AttackOptions {
        attacks: 100,
        seed: 9,
        ..Default::default()
    };
    let a = attacks(&real, &syn, None, &cols, &opts).unwrap();
    let b = attacks(&real, &syn, None, &cols, &opts).unwrap();
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    for o in [
        &a.singling_out_univariate,
        &a.singling_out_multivariate,
        &a.linkability.outcome,
    ]
    .into_iter()
    .chain(a.inference.values())
    {
        assert!(o.control_rate.is_none());
        assert!((o.risk.value - o.attack_rate.value).abs() < 1e-12);
        assert!(o.risk.ci.0 <= o.risk.value && o.risk.value <= o.risk.ci.1);
        assert!(o.attacks <= 100);
    }
    assert_eq!(a.inference.len(), cols.len());
    assert!(attacks(&real, &syn, None, &["gender"], &opts).is_err());
    let err = attacks(
        &real,
        &syn,
        None,
        &cols,
        &AttackOptions {
            link_columns: Some((vec!["gender".into()], vec!["nope".into()])),
            ..opts.clone()
        },
    )
    .unwrap_err();
    assert!(err.0.contains("nope"), "{err}");
}
