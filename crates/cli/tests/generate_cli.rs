//! Governed generation through the binary (shared/spec/synth.md): JSON shape, the
//! kill switch, markers and fingerprints, bad input.

mod common;

use common::{Env, path_str};

#[test]
fn generate_records_a_dataset_version_and_is_deterministic() {
    let env = Env::new();
    let out = env.dir.path().join("c.csv");
    let r = env.run(&[
        "generate",
        "customers",
        "--rows",
        "500",
        "--seed",
        "9",
        "--out",
        path_str(&out),
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(j["sha256"], synthgov_core::digest::sha256_hex(&bytes));
    assert_eq!(
        (
            j["dataset"].as_str(),
            j["version"].as_str(),
            j["rows"].as_u64()
        ),
        (Some("synthetic-customers"), Some("1"), Some(500))
    );
    let idx = j["ledger_index"].as_u64().unwrap();
    let e = env
        .run(&[
            "ledger",
            "list",
            "--from",
            &idx.to_string(),
            "--limit",
            "1",
            "--json",
        ])
        .json();
    let ev = &e[0]["entry"];
    assert_eq!(ev["type"], "generation.completed");
    assert_eq!(ev["data"]["seed"], 9);
    assert_eq!(ev["data"]["rows"], 500);
    assert_eq!(ev["data"]["output_sha256"], j["sha256"]);

    // Same seed elsewhere: same bytes (markers included: same store secret), new version.
    let out2 = env.dir.path().join("c2.csv");
    let j2 = env
        .run(&[
            "generate",
            "customers",
            "--rows",
            "500",
            "--seed",
            "9",
            "--out",
            path_str(&out2),
            "--json",
        ])
        .json();
    assert_eq!(j2["version"], "2");
    let a = String::from_utf8(bytes).unwrap();
    let b = std::fs::read_to_string(&out2).unwrap();
    // Data columns are identical; the marker names the version, so it differs.
    let strip = |s: &str| {
        s.lines()
            .map(|l| l.rsplit_once(',').unwrap().0.to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&a), strip(&b));
    let inv = env.run(&["inventory", "--json"]).json();
    let ds = inv["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "synthetic-customers")
        .unwrap();
    assert_eq!(ds["versions"].as_array().unwrap().len(), 2);
    assert_eq!(ds["generator"], "builtin-customers");
}

#[test]
fn kill_switch_refuses_writes_nothing_and_is_recorded() {
    let env = Env::new();
    let r = env.run(&[
        "flags",
        "set",
        "generation",
        "off",
        "--reason",
        "audit window",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let flags = env.run(&["flags", "--json"]).json();
    let g = flags["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "generation")
        .unwrap();
    assert_eq!(g["enabled"], false);
    assert!(g["changed_at"].is_string() && g["changed_by"].is_string());

    let out = env.dir.path().join("never.csv");
    let r = env.run(&[
        "generate",
        "customers",
        "--rows",
        "10",
        "--out",
        path_str(&out),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("generation is switched off"),
        "{}",
        r.stderr
    );
    assert!(!out.exists());
    let store = env.dir.path().join("store");
    assert_eq!(
        env.run(&[
            "generate",
            "store",
            "--customers",
            "10",
            "--out",
            path_str(&store)
        ])
        .code,
        1
    );
    assert!(
        std::fs::read_dir(&store)
            .map(|d| d.count() == 0)
            .unwrap_or(true)
    );
    let refusals = env
        .run(&["ledger", "list", "--type", "generation.refused", "--json"])
        .json();
    assert_eq!(refusals.as_array().unwrap().len(), 2);
    assert!(
        env.run(&["ledger", "list", "--type", "generation.completed", "--json"])
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    // No stray temporary file either.
    assert!(
        std::fs::read_dir(env.dir.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".tmp"))
    );

    assert_eq!(env.run(&["flags", "set", "generation", "on"]).code, 0);
    assert_eq!(
        env.run(&[
            "generate",
            "customers",
            "--rows",
            "10",
            "--out",
            path_str(&out)
        ])
        .code,
        0
    );
}

#[test]
fn leaked_rows_are_found_by_marker_and_by_fingerprint() {
    let env = Env::new();
    let store = env.dir.path().join("store");
    let r = env.run(&[
        "generate",
        "store",
        "--customers",
        "300",
        "--seed",
        "4",
        "--out",
        path_str(&store),
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["tables"].as_array().unwrap().len(), 9);

    // Customers copied into another table: marker dropped, columns reordered, mixed
    // with real-looking rows that were never generated.
    let mut rdr = csv::Reader::from_path(store.join("customers.csv")).unwrap();
    let h = rdr.headers().unwrap().clone();
    let idx = |n: &str| h.iter().position(|c| c == n).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let mut leak = String::from("city,email,last_name,first_name,id\n");
    leak.push_str("Austin,jane.doe@gmail.com,Doe,Jane,1\n");
    for r in &rows[100..110] {
        leak.push_str(&format!(
            "{},{},{},{},{}\n",
            &r[idx("city")],
            &r[idx("email")],
            &r[idx("last_name")],
            &r[idx("first_name")],
            &r[idx("customer_id")]
        ));
    }
    leak.push_str("Boise,mary.smith1@example.com,Smith,Mary,2\n");
    let leak_file = env.write("crm_export.csv", leak.as_bytes());

    // Payments copied with the marker kept under another column name.
    let pay = std::fs::read_to_string(store.join("payments.csv")).unwrap();
    let mut lines = pay.lines();
    let header = lines.next().unwrap().replace("synthgov_marker", "note");
    let copied = format!(
        "{header}\n{}\n{}\n",
        lines.next().unwrap(),
        lines.next().unwrap()
    );
    let pay_file = env.write("prod_payments.csv", copied.as_bytes());

    let r = env.run(&[
        "detect",
        path_str(&leak_file),
        path_str(&pay_file),
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = r.json();
    assert_eq!(d["rows_scanned"], 14);
    let m = d["matches"].as_array().unwrap();
    let crm: Vec<u64> = m
        .iter()
        .filter(|x| x["file"].as_str().unwrap().ends_with("crm_export.csv"))
        .map(|x| x["row"].as_u64().unwrap())
        .collect();
    assert_eq!(
        crm,
        (2..=11).collect::<Vec<_>>(),
        "generated rows found, unrelated rows not"
    );
    assert!(
        m.iter()
            .filter(|x| x["file"].as_str().unwrap().ends_with("crm_export.csv"))
            .all(|x| x["by"] == "fingerprint" && x["dataset"] == "synthetic-customers")
    );
    let pays: Vec<&serde_json::Value> = m
        .iter()
        .filter(|x| x["file"].as_str().unwrap().ends_with("prod_payments.csv"))
        .collect();
    assert_eq!(pays.len(), 2);
    assert!(
        pays.iter()
            .all(|x| x["by"] == "marker" && x["dataset"] == "synthetic-payments")
    );

    // Another store's secret finds nothing.
    let other = Env::new();
    let d = other
        .run(&[
            "detect",
            path_str(&leak_file),
            path_str(&pay_file),
            "--json",
        ])
        .json();
    assert!(d["matches"].as_array().unwrap().is_empty());
}

#[test]
fn bad_input_is_exit_2() {
    let env = Env::new();
    let out = env.dir.path().join("x.csv");
    let r = env.run(&["generate", "unicorns", "--out", path_str(&out)]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown entity \"unicorns\""),
        "{}",
        r.stderr
    );
    let p = env.write("products.csv", b"sku,title\nA,b\n");
    let r = env.run(&[
        "generate",
        "orders",
        "--out",
        path_str(&out),
        "--products",
        path_str(&p),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("products.csv: line 1: needs columns sku, name, price"),
        "{}",
        r.stderr
    );
    let p = env.write("products2.csv", b"sku,name,price\nA,b,cheap\n");
    let r = env.run(&[
        "generate",
        "orders",
        "--out",
        path_str(&out),
        "--products",
        path_str(&p),
    ]);
    assert!(
        r.code == 2 && r.stderr.contains("line 2: field `price`"),
        "{}",
        r.stderr
    );
    let ragged = env.write("ragged.csv", b"a,b\n1,2\n3\n");
    let r = env.run(&["detect", path_str(&ragged)]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("ragged.csv: line 3"), "{}", r.stderr);
    let binary = env.write("bin.csv", b"a,b\n\xff\xfe,1\n");
    let r = env.run(&["detect", path_str(&binary)]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("bin.csv: line 2: not UTF-8"),
        "{}",
        r.stderr
    );
    assert!(!out.exists());
    let r = env.run(&[
        "generate",
        "customers",
        "--rows",
        "0",
        "--out",
        path_str(&out),
    ]);
    assert_eq!(r.code, 2);
}

#[test]
fn quality_bad_input_names_file_line_and_column() {
    let env = Env::new();
    let good = env.write("real.csv", b"age,gender\n34,F\n51,M\n");
    let cases: &[(&str, &[u8], &str)] = &[
        ("empty.csv", b"", "empty.csv: line 1: empty file"),
        (
            "header_only.csv",
            b"age,gender\n",
            "header_only.csv: line 2: no data rows",
        ),
        (
            "ragged.csv",
            b"age,gender\n1,F\n2\n",
            "ragged.csv: line 3: row has 1 fields",
        ),
        (
            "mixed.csv",
            b"age,gender\n34,F\nforty,M\n",
            "mixed.csv: line 3, column \"age\": mixed types: \"forty\"",
        ),
        (
            "latin1.csv",
            b"age,gender\n34,F\n35,\xe9\n",
            "latin1.csv: line 3: not UTF-8 in column \"gender\"",
        ),
    ];
    for (name, body, want) in cases {
        let f = env.write(name, body);
        let r = env.run(&[
            "quality",
            "--real",
            path_str(&good),
            "--synthetic",
            path_str(&f),
        ]);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        assert!(
            r.stderr.contains(want),
            "{name}: want {want:?} in {}",
            r.stderr
        );
    }
    let r = env.run(&[
        "quality",
        "--real",
        path_str(&good),
        "--synthetic",
        path_str(&good),
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    for k in [
        "score",
        "column_shapes",
        "column_pair_trends",
        "columns",
        "pairs",
        "privacy",
        "bias",
    ] {
        assert!(j.get(k).is_some(), "quality JSON lacks {k}");
    }
}

#[test]
fn fit_and_generate_from_a_model() {
    let env = Env::new();
    let sd = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/sdmetrics");
    let real = sd.join("single_table_student_placements_real.csv");
    let meta = sd.join("single_table_metadata.json");
    // A sample with a rare category that must not be reproduced verbatim.
    let mut text = std::fs::read_to_string(&real).unwrap();
    text = text.replacen(",Commerce,", ",Zoology-Rare,", 1);
    let sample = env.write("sample.csv", text.as_bytes());
    let model = env.dir.path().join("model.json");
    let r = env.run(&[
        "fit",
        path_str(&sample),
        "--out",
        path_str(&model),
        "--id",
        "placements",
        "--metadata",
        path_str(&meta),
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["model"], "placements");
    assert_eq!(j["rows_seen"], 215);
    assert!(
        j["columns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "salary" && c["type"] == "numerical")
    );
    let m = std::fs::read_to_string(&model).unwrap();
    assert!(
        !m.contains("Zoology-Rare"),
        "a category seen once is in the model"
    );
    assert!(m.contains("(other)"));
    // No raw row: not even the first student's id survives.
    assert!(!m.contains("17264"));

    let run_gen = |seed: &str, out: &str| {
        env.run(&[
            "generate",
            "--model",
            path_str(&model),
            "--rows",
            "3000",
            "--seed",
            seed,
            "--out",
            out,
            "--reference",
            path_str(&real),
            "--json",
        ])
    };
    let a = env.dir.path().join("a.csv");
    let b = env.dir.path().join("b.csv");
    let ja = run_gen("5", path_str(&a)).json();
    let jb = run_gen("5", path_str(&b)).json();
    assert_eq!(ja["rows"], 3000);
    let strip = |p: &std::path::Path| {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .map(|l| l.rsplit_once(',').unwrap().0.to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&a), strip(&b), "same seed, same rows");
    assert_ne!(ja["sha256"], jb["sha256"], "markers name the version");
    let ev = env
        .run(&["ledger", "list", "--type", "generation.completed", "--json"])
        .json();
    let q = &ev[0]["entry"]["data"]["quality"];
    assert!(q["score"].as_f64().unwrap() > 0.85, "{q}");
    assert_eq!(
        ev[0]["entry"]["data"]["model_sample_sha256"],
        synthgov_core::digest::sha256_hex(text.as_bytes())
    );

    assert_eq!(env.run(&["flags", "set", "generation", "off"]).code, 0);
    let c = env.dir.path().join("c.csv");
    assert_eq!(run_gen("6", path_str(&c)).code, 1);
    assert!(!c.exists());
}

/// A built-in generator never records its run under another generator's id: a
/// dataset declared as the output of a vendor's generator is refused (nothing written,
/// nothing recorded), a dataset of its own is declared under the built-in generator.
#[test]
fn a_run_is_never_recorded_under_another_generators_dataset() {
    let env = Env::new();
    let inv = env.write(
        "inventory.yaml",
        b"sources:\n  - { id: eu-records, jurisdiction: FR, categories: [personal, health], lawful_basis: consent }\nvendors: [{ id: synthco }]\ngenerators:\n  - { id: patient-synth, version: '1', method: copula, vendor: synthco, location: FR, trained_on: [eu-records] }\ndatasets:\n  - { id: synthetic-patients, generator: patient-synth, purpose: p, environment: synthetic }\n",
    );
    assert_eq!(env.run(&["apply", path_str(&inv)]).code, 0);
    let before = env.size();
    let out = env.dir.path().join("p.csv");
    let r = env.run(&[
        "generate",
        "patients",
        "--rows",
        "10",
        "--dataset",
        "synthetic-patients",
        "--out",
        path_str(&out),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("declared as the output of generator \"patient-synth\""),
        "{}",
        r.stderr
    );
    assert!(!out.exists());
    assert_eq!(env.size(), before, "nothing recorded");
    let r = env.run(&[
        "generate",
        "patients",
        "--rows",
        "10",
        "--dataset",
        "builtin-patients-eval",
        "--out",
        path_str(&out),
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run(&["lineage", "builtin-patients-eval", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let g = r.stdout;
    assert!(
        g.contains("builtin-patients") && !g.contains("eu-records"),
        "{g}"
    );
}

/// The fraud patterns of `generate store` can be learned: a gradient-boosted model
/// (scikit-learn) trained on one store finds each pattern in another seed's store
/// (bench/fraud_patterns.py, small scale).
#[test]
fn fraud_patterns_are_learnable_by_a_gradient_boosted_model() {
    let mut probe = std::process::Command::new("python3");
    probe.args(["-c", "import sklearn, numpy"]);
    if !common::tool("scikit-learn (pip install scikit-learn)", &mut probe) {
        return;
    }
    let env = Env::new();
    let mut dirs = Vec::new();
    for seed in ["1", "2"] {
        let dir = env.dir.path().join(format!("store-{seed}"));
        let r = env.run(&[
            "generate",
            "store",
            "--customers",
            "30000",
            "--fraud-rate",
            "0.03",
            "--seed",
            seed,
            "--out",
            path_str(&dir),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        dirs.push(dir);
    }
    let out = std::process::Command::new("python3")
        .arg(common::repo().join("bench/fraud_patterns.py"))
        .args([&dirs[0], &dirs[1]])
        .args(["--min-auc", "0.85"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    for p in [
        "card_testing",
        "account_takeover",
        "friendly_fraud",
        "promotion_abuse",
        "shipping_mismatch",
    ] {
        assert!(
            j["per_pattern"][p]["orders"].as_u64().unwrap() >= 50,
            "{p}: {j}"
        );
    }
}

/// `quality` reports anonymeter's attacks relative to the holdout, SDMetrics' DCR
/// protections and the fairness model, writes the scored predictions, and refuses
/// a malformed `--link-columns`.
#[test]
fn quality_reports_attacks_protections_and_fairness() {
    let env = Env::new();
    let sd = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/sdmetrics");
    let text =
        std::fs::read_to_string(sd.join("single_table_student_placements_real.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let train = env.write(
        "train.csv",
        format!("{header}\n{}\n", rows[..150].join("\n")).as_bytes(),
    );
    let hold = env.write(
        "hold.csv",
        format!("{header}\n{}\n", rows[150..].join("\n")).as_bytes(),
    );
    let syn = sd.join("single_table_student_placements_synthetic.csv");
    let meta = sd.join("single_table_metadata.json");
    let pred = env.dir.path().join("pred.csv");
    let base = [
        "quality",
        "--real",
        path_str(&train),
        "--synthetic",
        path_str(&syn),
        "--holdout",
        path_str(&hold),
        "--metadata",
        path_str(&meta),
    ];
    let mut args = base.to_vec();
    args.extend([
        "--attacks",
        "50",
        "--sensitive",
        "gender",
        "--target",
        "placed",
        "--predictions",
        path_str(&pred),
    ]);
    let r = env.run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for want in [
        "DCRBaselineProtection",
        "DCROverfittingProtection",
        "risk relative to 65 control rows",
        "singling out, 3 columns",
        "linkability",
        "inference of salary",
        "equalized odds difference",
        "scored on holdout (65 rows)",
    ] {
        assert!(r.stdout.contains(want), "{want:?} not in:\n{}", r.stdout);
    }
    let p = std::fs::read_to_string(&pred).unwrap();
    assert_eq!(p.lines().count(), 66, "{p}");
    assert!(p.starts_with("row,truth,trained_on_real,trained_on_synthetic,gender\n"));
    let mut args = base.to_vec();
    args.extend(["--no-attacks", "--json"]);
    let r = env.run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert!(j.get("attacks").is_none());
    assert!(
        j["privacy"]["dcr_baseline_protection"]["score"]
            .as_f64()
            .is_some()
    );
    let mut args = base.to_vec();
    args.extend(["--link-columns", "gender,salary"]);
    let r = env.run(&args);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("a,b/c,d"), "{}", r.stderr);
    let mut args = base.to_vec();
    args.extend(["--link-columns", "gender/nope"]);
    let r = env.run(&args);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("\"nope\""), "{}", r.stderr);
}

/// Fitted on a parent table and a child table (customers and their orders), the model
/// keeps how many children a parent has and how that depends on the parent's own
/// columns; `generate --model` writes both tables as two dataset versions in one
/// transaction, every foreign key pointing at a generated parent. SDMetrics'
/// CardinalityShapeSimilarity scores the child counts.
#[test]
fn parent_child_cardinalities_are_kept() {
    let mut probe = std::process::Command::new("python3");
    probe.args(["-c", "import sdmetrics, numpy, pandas"]);
    if !common::tool("sdmetrics (pip install sdmetrics)", &mut probe) {
        return;
    }
    let env = Env::new();
    let dir = env.dir.path();
    // Real-like data with a known dependence: a VIP orders about 6 times, a basic
    // customer 0.5 times on average (Poisson), older customers a little more.
    let made = std::process::Command::new("python3")
        .args([
            "-c",
            r#"
import sys, numpy as np, pandas as pd
rng = np.random.default_rng(5); n = 3000
seg = rng.choice(["basic", "plus", "vip"], n, p=[0.6, 0.3, 0.1])
age = rng.integers(18, 80, n)
lam = np.select([seg == "basic", seg == "plus"], [0.5, 2.0], 6.0) * (0.7 + age / 100)
k = rng.poisson(lam)
pd.DataFrame({"customer_id": np.arange(1, n + 1), "segment": seg, "age": age}).to_csv(sys.argv[1] + "/customers.csv", index=False)
fk = np.repeat(np.arange(1, n + 1), k)
pd.DataFrame({"order_id": np.arange(1, len(fk) + 1), "customer_id": fk,
              "amount": rng.gamma(2.0, 30.0, len(fk)).round(2)}).to_csv(sys.argv[1] + "/orders.csv", index=False)
"#,
            path_str(dir),
        ])
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let model = dir.join("shop.json");
    let r = env.run(&[
        "--json",
        "fit",
        path_str(&dir.join("customers.csv")),
        "--child",
        path_str(&dir.join("orders.csv")),
        "--foreign-key",
        "customer_id",
        "--out",
        path_str(&model),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["child"]["stats"]["orphans"], 0, "{}", r.stdout);
    // A parent key that is not an id is bad input, named.
    let bad = env.run(&[
        "fit",
        path_str(&dir.join("customers.csv")),
        "--child",
        path_str(&dir.join("orders.csv")),
        "--foreign-key",
        "customer_id",
        "--parent-key",
        "segment",
        "--out",
        path_str(&dir.join("bad.json")),
    ]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("\"segment\"") && bad.stderr.contains("must be an id"),
        "{}",
        bad.stderr
    );
    assert!(!dir.join("bad.json").exists());
    let out = dir.join("syn");
    std::fs::create_dir(&out).unwrap();
    let r = env.run(&[
        "--json",
        "generate",
        "--model",
        path_str(&model),
        "--rows",
        "3000",
        "--out",
        path_str(&out.join("customers.csv")),
        "--dataset",
        "shop-syn",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    // shared/spec/synth.md's fields are the parent's run.
    assert_eq!(j["dataset"], "shop-syn", "{}", r.stdout);
    assert_eq!(j["rows"], 3000);
    let tables = j["tables"].as_array().unwrap().clone();
    assert_eq!(tables.len(), 2, "{}", r.stdout);
    assert_eq!(tables[1]["dataset"], "shop-syn-orders");
    assert!(tables.iter().all(|t| t["fingerprints"] == true));
    // The child's marker names its own dataset version: detect finds its rows.
    let d = env.run(&[
        "--json",
        "detect",
        path_str(&out.join("customers-orders.csv")),
    ]);
    assert!(d.stdout.contains("shop-syn-orders"), "{}", d.stdout);
    let check = std::process::Command::new("python3")
        .args([
            "-c",
            r#"
import sys, json, pandas as pd
from sdmetrics.multi_table import CardinalityShapeSimilarity
(rc, ro) = pd.read_csv(sys.argv[1] + "/customers.csv"), pd.read_csv(sys.argv[1] + "/orders.csv")
(sc, so) = pd.read_csv(sys.argv[2] + "/customers.csv"), pd.read_csv(sys.argv[2] + "/customers-orders.csv")
meta = {"tables": {"customers": {"primary_key": "customer_id", "columns": {"customer_id": {"sdtype": "id"}, "segment": {"sdtype": "categorical"}, "age": {"sdtype": "numerical"}}},
                   "orders": {"primary_key": "order_id", "columns": {"order_id": {"sdtype": "id"}, "customer_id": {"sdtype": "id"}, "amount": {"sdtype": "numerical"}}}},
        "relationships": [{"parent_table_name": "customers", "parent_primary_key": "customer_id", "child_table_name": "orders", "child_foreign_key": "customer_id"}]}
score = CardinalityShapeSimilarity.compute({"customers": rc[list(meta["tables"]["customers"]["columns"])], "orders": ro[["order_id", "customer_id", "amount"]]},
                                           {"customers": sc[list(meta["tables"]["customers"]["columns"])], "orders": so[["order_id", "customer_id", "amount"]]}, meta)
def per_segment(c, o):
    n = o.groupby("customer_id").size().reindex(c.customer_id, fill_value=0).values
    c = c.assign(n=n)
    return {s: float(g.n.mean()) for s, g in c.groupby("segment")}, float((n == 0).mean())
print(json.dumps({"score": score, "orphans": int((~so.customer_id.isin(sc.customer_id)).sum()),
                  "real": per_segment(rc, ro), "synthetic": per_segment(sc, so)}))
"#,
            path_str(dir),
            path_str(&out),
        ])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    eprintln!("{j}");
    assert_eq!(j["orphans"], 0, "{j}");
    assert!(j["score"].as_f64().unwrap() >= 0.9, "{j}");
    // The dependence on the parent: VIPs keep several times the orders of basics.
    for seg in ["basic", "plus", "vip"] {
        let (re, sy) = (
            j["real"][0][seg].as_f64().unwrap(),
            j["synthetic"][0][seg].as_f64().unwrap(),
        );
        assert!(
            (sy - re).abs() <= 0.25 * re,
            "{seg}: {sy} orders vs {re}: {j}"
        );
    }
    let (rz, sz) = (
        j["real"][1].as_f64().unwrap(),
        j["synthetic"][1].as_f64().unwrap(),
    );
    assert!(
        (rz - sz).abs() <= 0.05,
        "parents without children {sz} vs {rz}"
    );
}
