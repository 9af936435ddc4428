//! The whole store on PostgreSQL (`--database postgres://...`): the same commands
//! give the same answers as on SQLite, and the demo runs end to end on it. Needs
//! SYNTHGOV_TEST_POSTGRES_URL (set by .ci/run); each test makes its own schema.

mod common;

use common::{Env, bin, fresh_postgres, path_str, to_run};
use serde_json::Value;

const EXAMPLE: &str = include_str!("../../../examples/inventory.yaml");
const CARD: &str = include_str!("../../../examples/cards/orders-copula.md");

/// Keys whose values differ between two runs of the same commands: clocks, the
/// random store id and what is derived from it.
const VOLATILE: &[&str] = &[
    "time",
    "changed_at",
    "created_at",
    "generated_at",
    "detected_at",
    "store_id",
    "origin",
    "leaf_hash",
    "root",
];

fn normalize(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| !VOLATILE.contains(&k.as_str()));
            m.values_mut().for_each(normalize);
        }
        Value::Array(a) => a.iter_mut().for_each(normalize),
        _ => {}
    }
}

/// Runs one sequence of commands that writes every kind of projection (inventory
/// objects, assets, dataset versions, training links, flags, fingerprints) and
/// returns what the read commands answer, normalized.
fn exercise(env: &Env) -> Vec<(String, Value)> {
    let dir = env.dir.path();
    std::fs::create_dir_all(dir.join("cards")).unwrap();
    env.write("cards/orders-copula.md", CARD.as_bytes());
    let ok = |args: &[&str]| {
        let r = env.run(args);
        assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
        r
    };
    // One marker secret for both homes, so that generated rows (marked with it)
    // are the same bytes.
    std::fs::write(
        env.home().join("keys/marker.key"),
        format!("{}\n", "5a".repeat(32)),
    )
    .unwrap();
    let f = env.write("inventory.yaml", EXAMPLE.as_bytes());
    ok(&["apply", path_str(&f)]);
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("orders.csv"), "order_id,total\n1,20.5\n").unwrap();
    let register = [
        "register",
        path_str(&data),
        "--generator",
        "orders-copula",
        "--dataset",
        "synthetic-orders",
    ];
    ok(&register);
    std::fs::write(data.join("orders.csv"), "order_id,total\n1,20.5\n2,9.99\n").unwrap();
    ok(&register);
    let retrained = EXAMPLE.replace(
        "trained_on: [synthetic-orders]",
        "trained_on: [synthetic-orders@2]",
    );
    let f = env.write("inventory.yaml", retrained.as_bytes());
    ok(&["apply", path_str(&f)]);
    let out = dir.join("customers.csv");
    ok(&[
        "generate",
        "customers",
        "--rows",
        "200",
        "--seed",
        "7",
        "--out",
        path_str(&out),
    ]);
    ok(&["flags", "set", "audit_mode", "on", "--reason", "parity"]);
    ok(&["flags", "set", "generation", "off", "--reason", "parity"]);

    let dir_text = dir.to_str().unwrap();
    let reads: &[&[&str]] = &[
        &["inventory"],
        &["classify"],
        &["lineage", "synthetic-orders@2"],
        &["flags"],
        &["detect", path_str(&out)],
    ];
    reads
        .iter()
        .map(|args| {
            let mut all = vec!["--json"];
            all.extend_from_slice(args);
            let r = env.run(&all);
            assert!(r.code <= 1, "{all:?}: {}", r.stderr);
            let mut v: Value = serde_json::from_str(&r.stdout.replace(dir_text, "<DIR>"))
                .unwrap_or_else(|e| panic!("{all:?}: {e}: {}", r.stdout));
            normalize(&mut v);
            (args.join(" "), v)
        })
        .collect()
}

#[test]
fn the_same_commands_answer_the_same_on_sqlite_and_postgresql() {
    let Some(url) = fresh_postgres() else { return };
    let on_sqlite = exercise(&Env::new());
    let pg = Env::with_database(Some(url));
    let on_postgres = exercise(&pg);
    for ((what, a), (_, b)) in on_sqlite.iter().zip(&on_postgres) {
        assert_eq!(
            a, b,
            "`synthgov {what}` differs:\nSQLite:     {}\nPostgreSQL: {}",
            a, b
        );
    }
    // The PostgreSQL home has no SQLite file: the store really is in the database.
    assert!(!pg.db().exists(), "a synthgov.db was created");
    let r = pg.run(&["--json", "verify"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn a_database_without_a_store_or_a_wrong_url_is_exit_2_saying_what_to_do() {
    let Some(url) = fresh_postgres() else { return };
    let env = Env::new();
    let r = env.run(&["--database", &url, "inventory"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("synthgov --database URL init"),
        "{}",
        r.stderr
    );
    let r = env.run(&["--database", "mysql://root@127.0.0.1/test", "inventory"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("expected postgres://"), "{}", r.stderr);
    // A password in the URL is not repeated in messages.
    let r = env.run(&[
        "--database",
        "postgres://sg:hunter2@127.0.0.1:1/none",
        "inventory",
    ]);
    assert_ne!(r.code, 0);
    assert!(!r.stderr.contains("hunter2"), "{}", r.stderr);
}

#[test]
fn the_demo_runs_end_to_end_on_postgresql() {
    let Some(url) = fresh_postgres() else { return };
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let r = to_run(
        std::process::Command::new(bin())
            .args(["--database", &url, "demo", "--no-serve", "--keep"])
            .arg(&home)
            .env_remove("SYNTHGOV_DATABASE")
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("synthgov verify: ok"), "{}", r.stdout);
    assert!(
        r.stdout.contains("synthgov verify-pack: ok"),
        "{}",
        r.stdout
    );
    assert!(!home.join("synthgov.db").exists());
    // The kept home names the database; its ledger is there.
    let r = to_run(
        std::process::Command::new(bin())
            .arg("--home")
            .arg(&home)
            .args(["--json", "inventory"])
            .env_remove("SYNTHGOV_DATABASE")
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("product-image-gan"), "{}", r.stdout);
}
