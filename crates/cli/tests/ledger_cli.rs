//! The ledger contract (shared/spec/ledger.md) through the real binary: output shapes,
//! bad input, tampering with the real SQLite file, concurrent writers.

mod common;

use base64::Engine;
use common::{Env, jsonl, path_str};
use rusqlite::{Connection, params};
use serde_json::Value;

#[test]
fn append_entry_list_prove_consistency_shapes() {
    let env = Env::new();
    let r = env.run(&[
        "ledger",
        "append",
        "--type",
        "ext.asset_reported",
        "--data",
        r#"{"sha256":"ab"}"#,
        "--actor",
        "user:ana",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["index"], 0);
    let leaf_hash = j["leaf_hash"].as_str().unwrap().to_owned();
    assert_eq!(leaf_hash.len(), 64);

    let f = env.write("e.jsonl", jsonl(10, "a").as_bytes());
    let r = env.run(&["ledger", "append", "--jsonl", path_str(&f)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.json(),
        serde_json::json!({"appended": 10, "first_index": 1, "tree_size": 11})
    );

    let r = env.run(&["ledger", "entry", "0", "--json"]);
    let j = r.json();
    assert_eq!(j["leaf_hash"], Value::from(leaf_hash.clone()));
    let leaf = base64::engine::general_purpose::STANDARD
        .decode(j["leaf"].as_str().unwrap())
        .unwrap();
    let leaf = String::from_utf8(leaf).unwrap();
    assert!(
        leaf.starts_with(r#"{"actor":"user:ana","data":{"sha256":"ab"},"time":""#),
        "{leaf}"
    );

    let r = env.run(&[
        "ledger", "list", "--type", "ext", "--from", "3", "--limit", "2", "--json",
    ]);
    let items = r.json();
    assert_eq!(items.as_array().unwrap().len(), 2);
    assert_eq!(items[0]["index"], 3);
    assert_eq!(items[0]["entry"]["data"]["i"], 2);
    let r = env.run(&["ledger", "list", "--type", "ex", "--json"]);
    assert_eq!(
        r.json().as_array().unwrap().len(),
        0,
        "prefix matches whole segments only"
    );

    let r = env.run(&["ledger", "prove", "3", "--size", "7", "--json"]);
    let p = r.json();
    assert_eq!(p["index"], 3);
    assert_eq!(p["tree_size"], 7);
    assert_eq!(p["proof"].as_array().unwrap().len(), 3);

    let r = env.run(&["ledger", "consistency", "4", "--json"]);
    let c = r.json();
    assert_eq!(
        (c["old_size"].as_u64(), c["new_size"].as_u64()),
        (Some(4), Some(11))
    );

    let r = env.run(&["ledger", "key"]);
    assert!(r.stdout.starts_with("synthgov.local/"), "{}", r.stdout);
    let r = env.run(&["ledger", "checkpoint"]);
    let lines: Vec<&str> = r.stdout.split('\n').collect();
    assert_eq!(lines[1], "11");
    assert!(lines[4].starts_with("\u{2014} "));
    let r = env.run(&["verify"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("ok: 11 entries"), "{}", r.stdout);
}

#[test]
fn bad_input_is_exit_2_and_appends_nothing() {
    let env = Env::new();
    let good = jsonl(3, "g");
    let f = env.write("ok.jsonl", good.as_bytes());
    assert_eq!(
        env.run(&["ledger", "append", "--jsonl", path_str(&f)]).code,
        0
    );

    let bad_files: &[(&str, &str)] = &[
        (
            "{\"type\":\"a.b\",\"data\":{}}\n{\"type\":\"a.b\",\"data\":{}\n",
            "line 2: malformed JSON",
        ),
        (
            "{\"type\":\"a.b\",\"data\":{}}\n{\"data\":{}}\n",
            "line 2: field `type`: missing",
        ),
        (
            "{\"type\":\"a.b\",\"data\":[]}\n",
            "line 1: field `data`: must be a JSON object",
        ),
        (
            "{\"type\":\"a.b\",\"data\":{},\"dat\":{}}\n",
            "line 1: field `dat`: unknown field",
        ),
        (
            "{\"type\":\"a.b\",\"data\":{\"x\":1,\"x\":2}}\n",
            "line 1: malformed JSON: duplicate object member",
        ),
        (
            "{\"type\":\"a.b\",\"data\":{},\"time\":\"noon\"}\n",
            "line 1: field `time`",
        ),
        ("[1,2]\n", "line 1: field `(line)`: expected a JSON object"),
    ];
    for (text, want) in bad_files {
        let mut input = jsonl(50, "x");
        input.push_str(text);
        let f = env.write("bad.jsonl", input.as_bytes());
        let r = env.run(&["ledger", "append", "--jsonl", path_str(&f)]);
        assert_eq!(r.code, 2, "{text}: {}", r.stderr);
        let want = want
            .replace("line 1", "line 51")
            .replace("line 2", "line 52");
        assert!(r.stderr.contains(&want), "want {want:?} in {}", r.stderr);
        assert!(r.stderr.contains("bad.jsonl"), "{}", r.stderr);
        assert!(r.stderr.contains("nothing was appended"), "{}", r.stderr);
    }
    let r = env.run_stdin(&["ledger", "append", "--jsonl", "-"], Some(b"\xff\xfe\n"));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("line 1: not UTF-8"), "{}", r.stderr);

    let cases: &[(&[&str], &str)] = &[
        (
            &["ledger", "append", "--type", "Bad Type", "--data", "{}"],
            "field `type`",
        ),
        (
            &["ledger", "append", "--type", "a.b", "--data", "[]"],
            "--data: must be a JSON object",
        ),
        (
            &["ledger", "append", "--type", "a.b", "--data", "{"],
            "--data: malformed JSON",
        ),
        (
            &["ledger", "entry", "3"],
            "index 3 is out of range: the log has 3 entries",
        ),
        (
            &["ledger", "prove", "1", "--size", "9"],
            "size 9 is larger than the log (3 entries)",
        ),
        (
            &["ledger", "consistency", "5"],
            "old size 5 is larger than new size 3",
        ),
        (
            &["ledger", "append", "--jsonl", "/nonexistent/e.jsonl"],
            "/nonexistent/e.jsonl",
        ),
        (&["ledger", "frobnicate"], "unrecognized subcommand"),
    ];
    for (args, want) in cases {
        let r = env.run(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains(want),
            "{args:?}: want {want:?} in {}",
            r.stderr
        );
    }

    let bad_cp = env.write(
        "cp.txt",
        b"synthgov.local/x\n3\nnot-base64\n\n\xe2\x80\x94 k AAAA\n",
    );
    let r = env.run(&["verify", "--checkpoint", path_str(&bad_cp)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cp.txt"), "{}", r.stderr);

    // A well-formed checkpoint signed by another store's key is refused as well.
    let other = Env::new();
    other.run(&["ledger", "append", "--type", "a.b", "--data", "{}"]);
    let cp = other.run(&["ledger", "checkpoint"]).stdout;
    let f = env.write("other.cp", cp.as_bytes());
    let r = env.run(&["verify", "--checkpoint", path_str(&f)]);
    assert_eq!(r.code, 2, "{}", r.stderr);

    assert_eq!(env.size(), 3, "bad input must append nothing");
    assert_eq!(env.run(&["verify"]).code, 0);
}

/// Sets up a log of 60 entries with a checkpoint at 50, returns the env.
fn tamper_fixture() -> Env {
    let env = Env::new();
    let f = env.write("e.jsonl", jsonl(50, "t").as_bytes());
    assert_eq!(
        env.run(&["ledger", "append", "--jsonl", path_str(&f)]).code,
        0
    );
    assert_eq!(env.run(&["ledger", "checkpoint"]).code, 0);
    let f = env.write("f.jsonl", jsonl(10, "u").as_bytes());
    assert_eq!(
        env.run(&["ledger", "append", "--jsonl", path_str(&f)]).code,
        0
    );
    assert_eq!(env.run(&["verify"]).code, 0);
    env
}

fn verify_json(env: &Env) -> (i32, Value) {
    let r = env.run(&["verify", "--json"]);
    (r.code, r.json())
}

fn expect_bad(env: &Env, first_bad: u64, what: &str) {
    let (code, report) = verify_json(env);
    assert_eq!(code, 1, "{what}: {report}");
    assert_eq!(report["ok"], false);
    assert_eq!(report["first_bad_index"], first_bad, "{what}: {report:#}");
    let text = env.run(&["verify"]);
    assert!(
        text.stdout
            .contains(&format!("first bad index {first_bad}")),
        "{}",
        text.stdout
    );
}

#[test]
fn tamper_change_one_byte() {
    let env = tamper_fixture();
    let db = Connection::open(env.db()).unwrap();
    let mut leaf: Vec<u8> = db
        .query_row("SELECT leaf FROM ledger_entries WHERE idx = 17", [], |r| {
            r.get(0)
        })
        .unwrap();
    let pos = leaf.len() - 5;
    leaf[pos] ^= 0x01;
    db.execute(
        "UPDATE ledger_entries SET leaf = ?1 WHERE idx = 17",
        params![leaf],
    )
    .unwrap();
    expect_bad(&env, 17, "changed byte");
}

#[test]
fn tamper_change_entry_and_its_stored_hash() {
    // A careful forger also rewrites the stored leaf hash: the tree hashes kept with
    // later entries and the signed checkpoint still give it away.
    let env = tamper_fixture();
    let db = Connection::open(env.db()).unwrap();
    let mut leaf: Vec<u8> = db
        .query_row("SELECT leaf FROM ledger_entries WHERE idx = 20", [], |r| {
            r.get(0)
        })
        .unwrap();
    let pos = leaf.len() - 5;
    leaf[pos] ^= 0x01;
    let mut hashes: Vec<u8> = db
        .query_row(
            "SELECT hashes FROM ledger_entries WHERE idx = 20",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let lh = synthgov_ledger::hash::leaf_hash(&leaf);
    hashes[..32].copy_from_slice(&lh.0);
    db.execute(
        "UPDATE ledger_entries SET leaf = ?1, hashes = ?2 WHERE idx = 20",
        params![leaf, hashes],
    )
    .unwrap();
    let (code, report) = verify_json(&env);
    assert_eq!(code, 1);
    // Entry 21 merges with 20: the pair 20..=21 is named.
    assert_eq!(report["first_bad_index"], 20, "{report:#}");
}

#[test]
fn tamper_delete_an_entry() {
    let env = tamper_fixture();
    let db = Connection::open(env.db()).unwrap();
    db.execute("DELETE FROM ledger_entries WHERE idx = 33", [])
        .unwrap();
    expect_bad(&env, 33, "deleted");
}

#[test]
fn tamper_swap_two_entries() {
    let env = tamper_fixture();
    let db = Connection::open(env.db()).unwrap();
    db.execute_batch(
        "UPDATE ledger_entries SET idx = -1 WHERE idx = 12;
         UPDATE ledger_entries SET idx = 12 WHERE idx = 40;
         UPDATE ledger_entries SET idx = 40 WHERE idx = -1;",
    )
    .unwrap();
    expect_bad(&env, 12, "swapped");
}

#[test]
fn tamper_insert_an_entry() {
    let env = tamper_fixture();
    let db = Connection::open(env.db()).unwrap();
    // Shift 25.. up by one and slip a forged entry in at 25, hashes and all.
    db.execute_batch(
        "UPDATE ledger_entries SET idx = -idx - 1 WHERE idx >= 25;
         UPDATE ledger_entries SET idx = -idx WHERE idx < 0;",
    )
    .unwrap();
    let forged =
        br#"{"actor":"mallory","data":{},"time":"2026-11-23T10:00:00Z","type":"asset.registered"}"#;
    let lh = synthgov_ledger::hash::leaf_hash(forged);
    db.execute(
        "INSERT INTO ledger_entries (idx, type, leaf, hashes) VALUES (25, 'asset.registered', ?1, ?2)",
        params![forged.to_vec(), lh.0.to_vec()],
    )
    .unwrap();
    expect_bad(&env, 25, "inserted");
}

#[test]
fn tamper_truncate_the_log() {
    let env = tamper_fixture();
    let db = Connection::open(env.db()).unwrap();
    db.execute("DELETE FROM ledger_entries WHERE idx >= 44", [])
        .unwrap();
    expect_bad(&env, 44, "truncated below the checkpoint");
}

#[test]
fn tamper_retype_an_entry() {
    let env = tamper_fixture();
    let db = Connection::open(env.db()).unwrap();
    db.execute(
        "UPDATE ledger_entries SET type = 'scan.completed' WHERE idx = 8",
        [],
    )
    .unwrap();
    expect_bad(&env, 8, "type column changed");
}

#[test]
fn tamper_replace_a_checkpoint_signature() {
    let env = tamper_fixture();
    let db = Connection::open(env.db()).unwrap();
    let note: String = db
        .query_row("SELECT note FROM ledger_checkpoints", [], |r| r.get(0))
        .unwrap();
    let (body, sig) = note.rsplit_once(' ').unwrap();
    let mut raw = base64::engine::general_purpose::STANDARD
        .decode(sig.trim_end())
        .unwrap();
    raw[10] ^= 0x40;
    let forged = format!(
        "{body} {}\n",
        base64::engine::general_purpose::STANDARD.encode(raw)
    );
    db.execute("UPDATE ledger_checkpoints SET note = ?1", params![forged])
        .unwrap();
    let (code, report) = verify_json(&env);
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["problems"][0]["checkpoint_size"], 50, "{report:#}");
    assert!(
        report["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("signature"),
        "{report:#}"
    );
    let text = env.run(&["verify"]);
    assert!(
        text.stdout.contains("checkpoint #1 (size 50)"),
        "{}",
        text.stdout
    );
}

#[test]
fn auditor_checkpoint_detects_a_rewritten_history() {
    // The auditor kept a checkpoint; the operator then rebuilds the log from scratch
    // with different content and re-signs everything. Only the kept checkpoint shows it.
    let env = tamper_fixture();
    let kept = env.run(&["ledger", "checkpoint"]).stdout;
    let kept_file = env.write("kept.cp", kept.as_bytes());
    assert_eq!(
        env.run(&["verify", "--checkpoint", path_str(&kept_file)])
            .code,
        0
    );
    let db = Connection::open(env.db()).unwrap();
    db.execute_batch("DELETE FROM ledger_entries; DELETE FROM ledger_checkpoints;")
        .unwrap();
    drop(db);
    let f = env.write("g.jsonl", jsonl(60, "rewritten").as_bytes());
    assert_eq!(
        env.run(&["ledger", "append", "--jsonl", path_str(&f)]).code,
        0
    );
    assert_eq!(env.run(&["verify"]).code, 0, "self-consistent forgery");
    let r = env.run(&["verify", "--checkpoint", path_str(&kept_file), "--json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.json()["first_bad_index"], 0);
}

#[test]
fn two_processes_appending_at_once_make_one_log() {
    let env = Env::new();
    let a = env.write("a.jsonl", jsonl(3000, "a").as_bytes());
    let b = env.write("b.jsonl", jsonl(3000, "b").as_bytes());
    let mut children = Vec::new();
    for f in [&a, &b, &a, &b] {
        children.push(
            env.command(&["ledger", "append", "--jsonl", path_str(f)])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap(),
        );
    }
    for i in 0..20 {
        children.push(
            env.command(&[
                "ledger",
                "append",
                "--type",
                "ext.flag_reported",
                "--data",
                &format!("{{\"n\":{i}}}"),
            ])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
        );
    }
    let mut firsts = Vec::new();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let j: Value = serde_json::from_slice(&out.stdout).unwrap();
        firsts.push(
            j.get("first_index")
                .or(j.get("index"))
                .unwrap()
                .as_u64()
                .unwrap(),
        );
    }
    firsts.sort_unstable();
    firsts.dedup();
    assert_eq!(firsts.len(), 24, "every append got its own place");
    assert_eq!(env.size(), 4 * 3000 + 20);
    assert_eq!(env.run(&["verify"]).code, 0);
}
