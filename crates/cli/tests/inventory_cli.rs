//! Inventory, registration, classification and lineage through the binary
//! (shared/spec/inventory.md).

mod common;

use common::{Env, path_str};
use serde_json::Value;

const EXAMPLE: &str = include_str!("../../../examples/inventory.yaml");
const CARD: &str = include_str!("../../../examples/cards/orders-copula.md");

/// A fresh home with the example's model card beside where tests write inventories.
fn env_with_card() -> Env {
    let env = Env::new();
    std::fs::create_dir_all(env.dir.path().join("cards")).unwrap();
    env.write("cards/orders-copula.md", CARD.as_bytes());
    env
}

fn applied() -> Env {
    let env = env_with_card();
    let f = env.write("inventory.yaml", EXAMPLE.as_bytes());
    let r = env.run(&["apply", path_str(&f), "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    env
}

#[test]
fn apply_twice_adds_no_events() {
    let env = applied();
    let size = env.size();
    assert!(size >= 20);
    let f = env.write("inventory.yaml", EXAMPLE.as_bytes());
    let r = env.run(&["apply", path_str(&f), "--json"]);
    assert_eq!(r.code, 0);
    let j = r.json();
    assert_eq!(j["changes"].as_array().unwrap().len(), 0);
    assert_eq!(j["applied"], false);
    assert_eq!(env.size(), size, "second apply appended events");

    // One changed field is one update event naming the field.
    let changed = EXAMPLE.replace("version: \"2.1.0\"", "version: \"2.2.0\"");
    let f = env.write("inventory.yaml", changed.as_bytes());
    let j = env.run(&["apply", path_str(&f), "--json"]).json();
    assert_eq!(j["changes"][0]["action"], "update");
    assert_eq!(j["changes"][0]["id"], "product-image-gan");
    assert_eq!(j["changes"][0]["fields"][0], "version");
    assert_eq!(env.size(), size + 1);
    let e = env
        .run(&["ledger", "list", "--type", "generator.updated", "--json"])
        .json();
    assert_eq!(e[0]["entry"]["data"]["declaration"]["version"], "2.2.0");
}

#[test]
fn typo_and_dangling_reference_are_exit_2_naming_the_line() {
    let env = env_with_card();
    let cases: &[(String, &str)] = &[
        (
            EXAMPLE.replace(
                "    purpose: \"Fraud model training\"",
                "    purpose: \"Fraud model training\"\n    purpse: typo",
            ),
            "unknown field `purpse`",
        ),
        (
            EXAMPLE.replace("generator: orders-copula\n", "generator: orders-copla\n"),
            "which is not declared under generators",
        ),
        (
            EXAMPLE.replace("vendor: pixelforge", "vendor: pixelforg"),
            "field `generators.vendor`",
        ),
        (
            EXAMPLE.replace("use_case: recommendation", "use_case: recomendation"),
            "unknown use case",
        ),
        (
            EXAMPLE.replace("expires: 2027-03-31", "expires: 2027-02-30"),
            "is not a date",
        ),
        (
            EXAMPLE.replace("method: diffusion", "method: difusion"),
            "unknown variant `difusion`",
        ),
    ];
    for (text, want) in cases {
        let f = env.write("bad.yaml", text.as_bytes());
        let r = env.run(&["apply", path_str(&f)]);
        assert_eq!(r.code, 2, "{want}: {}", r.stderr);
        assert!(r.stderr.contains(want), "want {want:?} in {}", r.stderr);
        // The line named is the line of the offending text.
        let line: usize = r
            .stderr
            .split("bad.yaml: line ")
            .nth(1)
            .and_then(|s| s.split(':').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no line in {}", r.stderr));
        let offending = text.lines().nth(line - 1).unwrap();
        let token = match *want {
            "unknown field `purpse`" => "purpse",
            "which is not declared under generators" => "orders-copla",
            "field `generators.vendor`" => "pixelforg",
            "unknown use case" => "recomendation",
            "is not a date" => "2027-02-30",
            _ => "difusion",
        };
        assert!(
            offending.contains(token),
            "line {line} is {offending:?}, expected it to contain {token:?}"
        );
    }
    assert_eq!(env.size(), 0, "nothing recorded from bad files");
}

#[test]
fn register_versions_and_training_query() {
    let env = applied();
    let dir = env.dir.path().join("data");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("orders.csv"), "order_id,total\n1,20.5\n").unwrap();
    std::fs::write(dir.join("items.csv"), "order_id,sku\n1,MH01\n").unwrap();
    let reg = |env: &Env| {
        env.run(&[
            "register",
            path_str(&dir),
            "--generator",
            "orders-copula",
            "--dataset",
            "synthetic-orders",
            "--json",
        ])
    };
    let r = reg(&env);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["new"], 2);
    assert_eq!(r.json()["dataset_version"]["version"], 1);
    let size = env.size();
    let r = reg(&env);
    assert_eq!(r.json()["unchanged"], 2);
    assert!(r.json().get("dataset_version").is_none());
    assert_eq!(
        env.size(),
        size,
        "re-registering unchanged content adds nothing"
    );

    std::fs::write(dir.join("orders.csv"), "order_id,total\n1,20.5\n2,9.99\n").unwrap();
    let r = reg(&env);
    let v = &r.json()["dataset_version"];
    assert_eq!(v["version"], 2);
    assert_eq!(v["previous_version"], 1);

    // Retrain the fraud model on version 2: "which systems were trained on v2?"
    let text = EXAMPLE.replace(
        "trained_on: [synthetic-orders]",
        "trained_on: [synthetic-orders@2]",
    );
    let f = env.write("inventory.yaml", text.as_bytes());
    assert_eq!(env.run(&["apply", path_str(&f)]).code, 0);
    let g = env.run(&["lineage", "synthetic-orders@2", "--json"]).json();
    let systems: Vec<&str> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "system")
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(systems, ["system:checkout-fraud"]);
    let g = env.run(&["lineage", "synthetic-orders@1", "--json"]).json();
    assert!(
        !g["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "system")
    );

    let inv = env.run(&["inventory", "--json"]).json();
    for key in [
        "store",
        "sources",
        "generators",
        "datasets",
        "systems",
        "vendors",
        "assets",
    ] {
        assert!(inv.get(key).is_some(), "inventory lacks {key}");
    }
    assert_eq!(inv["assets"].as_array().unwrap().len(), 2);
    let ds = inv["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "synthetic-orders")
        .unwrap();
    assert_eq!(ds["versions"].as_array().unwrap().len(), 2);

    let r = env.run(&["register", path_str(&dir), "--generator", "nope"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("--generator \"nope\" is not in the inventory"),
        "{}",
        r.stderr
    );
}

#[test]
fn text_assets_hash_normalized_text() {
    let env = applied();
    let a = env.write("a.txt", "Organic   green tea,\nhand-picked.\n".as_bytes());
    let b = env.write("b.html", b"<p>Organic <em>green</em> tea, hand-picked.</p>");
    let r = env.run(&[
        "register",
        path_str(&a),
        path_str(&b),
        "--generator",
        "description-llm",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let assets = r.json()["assets"].as_array().unwrap().clone();
    assert_eq!(assets[0]["sha256"], assets[1]["sha256"]);
    assert_eq!(
        assets[0]["sha256"].as_str().unwrap(),
        synthgov_core::digest::sha256_hex(b"Organic green tea, hand-picked.")
    );
}

#[test]
fn classify_json_shape() {
    let env = applied();
    let r = env.run(&["classify", "checkout-fraud", "--json"]);
    let c = &r.json()[0];
    assert_eq!(c["system"], "checkout-fraud");
    assert_eq!(c["eu_ai_act"]["tier"], "minimal");
    assert_eq!(c["gdpr_art22"], true);
    assert!(
        c["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["rule"].is_string() && r["says"].is_string())
    );
    let r = env.run(&["classify", "no-such-system"]);
    assert_eq!(r.code, 2);
}

#[test]
fn lineage_formats_and_openlineage_schema() {
    let env = applied();
    let dot = env
        .run(&["lineage", "orders-copula", "--format", "dot"])
        .stdout;
    assert!(
        dot.starts_with("digraph lineage {")
            && dot.contains("\"source:orders-2025\" -> \"generator:orders-copula\""),
        "{dot}"
    );
    let mermaid = env
        .run(&["lineage", "checkout-fraud", "--format", "mermaid"])
        .stdout;
    assert!(
        mermaid.starts_with("flowchart LR") && mermaid.contains("-->|trains|"),
        "{mermaid}"
    );

    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/testdata/openlineage/OpenLineage.json"
        ))
        .unwrap(),
    )
    .unwrap();
    // Each event against its own definition (RunEvent or JobEvent).
    let validator_of = |def: &str| {
        let mut v = schema.clone();
        v["$ref"] = Value::from(format!("#/$defs/{def}"));
        jsonschema::options()
            .should_validate_formats(true)
            .build(&v)
            .unwrap()
    };
    let (run_v, job_v) = (validator_of("RunEvent"), validator_of("JobEvent"));
    let check = |e: &Value| {
        let v = if e.get("run").is_some() {
            &run_v
        } else {
            &job_v
        };
        let errors: Vec<String> = v.iter_errors(e).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?} in {e}");
    };
    // Before any run: static lineage (a JobEvent), timed by the declaration.
    let events = env
        .run(&["lineage", "checkout-fraud", "--format", "openlineage"])
        .json();
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert!(events[0].get("run").is_none());
    assert_eq!(events[0]["job"]["name"], "orders-copula");
    assert_eq!(events[0]["inputs"][0]["name"], "orders-2025");
    assert_eq!(events[0]["outputs"][0]["name"], "synthetic-orders");
    events.iter().for_each(check);
    // Two runs (dataset versions): a RunEvent each, its own runId, the version facet,
    // the time of its ledger entry.
    for n in 1..=2 {
        let f = env.write(&format!("orders-{n}.csv"), format!("id\n{n}\n").as_bytes());
        let r = env.run(&[
            "register",
            path_str(&f),
            "--generator",
            "orders-copula",
            "--dataset",
            "synthetic-orders",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let events = env
        .run(&["lineage", "checkout-fraud", "--format", "openlineage"])
        .json();
    let runs: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.get("run").is_some())
        .collect();
    assert_eq!(runs.len(), 2, "{events}");
    assert_ne!(runs[0]["run"]["runId"], runs[1]["run"]["runId"]);
    let versions: Vec<&str> = runs
        .iter()
        .map(|e| {
            e["outputs"][0]["facets"]["version"]["datasetVersion"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(versions, ["1", "2"]);
    let created = env
        .run(&[
            "ledger",
            "list",
            "--type",
            "dataset.version_created",
            "--json",
        ])
        .json();
    assert_eq!(runs[1]["eventTime"], created[1]["entry"]["time"]);
    runs.iter().for_each(|e| check(e));
    // OpenLineage's own client reads them back as written, and refuses a bad run id.
    let file = env.write("lineage.json", events.to_string().as_bytes());
    if let Some(problems) = common::openlineage_client(&file) {
        assert_eq!(problems, Vec::<String>::new());
        let mut bad = events.clone();
        bad[0]["run"]["runId"] = Value::from("not-a-uuid");
        bad[0]["outputs"][0]["facets"]["version"]["_schemaURL"] = Value::from("https://x/");
        let file = env.write("lineage-bad.json", bad.to_string().as_bytes());
        let problems = common::openlineage_client(&file).unwrap();
        assert!(!problems.is_empty(), "{problems:?}");
    }
    // The same run has the same id when asked again (and in the audit pack).
    let again = env
        .run(&["lineage", "synthetic-orders", "--format", "openlineage"])
        .json();
    assert!(
        again
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["run"]["runId"] == runs[0]["run"]["runId"])
    );
    // A mutilated event is rejected: the validator is not a no-op.
    let mut bad = runs[0].clone();
    bad["run"]["runId"] = Value::from("not-a-uuid");
    bad.as_object_mut().unwrap().remove("producer");
    assert!(!run_v.is_valid(&bad));

    let r = env.run(&["lineage", "nothing-here"]);
    assert_eq!(r.code, 2);
}

#[test]
fn model_card_is_checked_and_a_changed_card_is_a_recorded_change() {
    let env = applied();
    let g = env
        .run(&["ledger", "list", "--type", "generator.registered", "--json"])
        .json();
    let orders = g
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entry"]["data"]["id"] == "orders-copula")
        .unwrap();
    assert_eq!(
        orders["entry"]["data"]["declaration"]["model_card_sha256"]
            .as_str()
            .unwrap(),
        synthgov_core::digest::sha256_hex(CARD.as_bytes())
    );
    env.write(
        "cards/orders-copula.md",
        CARD.replace("Gaussian copula fitted", "Gaussian copula refitted")
            .as_bytes(),
    );
    let f = env.write("inventory.yaml", EXAMPLE.as_bytes());
    let j = env.run(&["apply", path_str(&f), "--json"]).json();
    assert_eq!(j["changes"][0]["id"], "orders-copula");
    assert_eq!(j["changes"][0]["fields"][0], "model_card_sha256");

    env.write("cards/orders-copula.md", b"# no front matter\n");
    let r = env.run(&["apply", path_str(&f)]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("orders-copula.md: line 1"),
        "{}",
        r.stderr
    );
}
