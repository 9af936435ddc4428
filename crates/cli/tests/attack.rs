//! The attack suite (issue 14): what an attacker with a `service` token, with
//! `synthgov ledger append`, or with write access to the SQLite file tries, and what
//! synthgov must do about it. Each test can fail: every assertion names what held
//! before this suite existed and must not hold now.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{Env, copy_dir, path_str, serve};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// POSTs `body` as JSON with a bearer token: (status, parsed body or Null).
fn post(a: &ureq::Agent, url: &str, bearer: &str, body: &Value) -> (u16, Value) {
    let mut res = a
        .post(url)
        .header("Authorization", &format!("Bearer {bearer}"))
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .unwrap();
    let text = res.body_mut().read_to_string().unwrap_or_default();
    (
        res.status().as_u16(),
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

fn token(env: &Env, role: &str, name: &str) -> (String, String) {
    let r = env.run(&["--json", "token", "create", "--role", role, "--name", name]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    (
        j["token"].as_str().unwrap().to_owned(),
        j["id"].as_str().unwrap().to_owned(),
    )
}

fn entries(env: &Env) -> Vec<Value> {
    let r = env.run(&["ledger", "list", "--json", "--limit", "100000000"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["entry"].clone())
        .collect()
}

fn catalogue(env: &Env) -> Vec<String> {
    let r = env.run(&["--json", "events"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let types: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap().to_owned())
        .collect();
    assert!(types.len() > 30, "{types:?}");
    types
}

#[test]
fn every_catalogue_type_is_refused_from_ledger_append_and_the_refusal_is_ledgered() {
    let env = Env::new();
    for kind in catalogue(&env) {
        let before = env.size();
        let r = env.run(&["ledger", "append", "--type", &kind, "--data", "{}"]);
        assert_eq!(r.code, 2, "{kind}: {} {}", r.stdout, r.stderr);
        assert!(r.stderr.contains(&kind), "{kind}: {}", r.stderr);
        let all = entries(&env);
        assert_eq!(all.len() as u64, before + 1, "{kind}: one refusal entry");
        let last = all.last().unwrap();
        assert_eq!(last["type"], "ingest.refused", "{kind}");
        assert_eq!(last["data"]["type"], kind.as_str());
    }
    // A namespace of the catalogue with a type of its own is refused too.
    let r = env.run(&[
        "ledger",
        "append",
        "--type",
        "disclosure.bulk_done",
        "--data",
        "{}",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // In bulk: line 2 of 3 names a reserved type; nothing of the file is appended.
    let before = env.size();
    let f = env.write(
        "bad.jsonl",
        b"{\"type\":\"ext.ok\",\"data\":{}}\n{\"type\":\"model.fitted\",\"data\":{}}\n{\"type\":\"ext.ok\",\"data\":{}}\n",
    );
    let r = env.run(&["ledger", "append", "--jsonl", path_str(&f)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("line 2"), "{}", r.stderr);
    let all = entries(&env);
    assert_eq!(all.len() as u64, before + 1);
    assert_eq!(all.last().unwrap()["type"], "ingest.refused");
    // Outside namespaces go in.
    let r = env.run(&[
        "ledger",
        "append",
        "--type",
        "magento.product_saved",
        "--data",
        "{}",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn every_catalogue_type_is_refused_over_the_api_and_ledgered() {
    let env = Env::new();
    let (service, _) = token(&env, "service", "magento-module");
    let (_srv, base) = serve(&env);
    let a = agent();
    let kinds = catalogue(&env);
    for kind in &kinds {
        let (status, body) = post(
            &a,
            &format!("{base}/v1/events"),
            &service,
            &json!({"type": kind, "data": {"assets": ["x"]}}),
        );
        assert_eq!(status, 400, "{kind}");
        assert_eq!(body["error"]["code"], "reserved_type", "{kind}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(kind.as_str())
        );
    }
    let refused = entries(&env)
        .into_iter()
        .filter(|e| e["type"] == "ingest.refused")
        .count();
    assert_eq!(refused, kinds.len(), "each refusal is in the ledger");
    let (status, _) = post(
        &a,
        &format!("{base}/v1/events"),
        &service,
        &json!({"type": "magento.disclosure_applied", "data": {"assets": ["x"]}}),
    );
    assert_eq!(status, 201);
}

#[test]
fn the_api_reads_json_as_strictly_as_the_cli() {
    let env = Env::new();
    let (service, _) = token(&env, "service", "svc");
    let (_srv, base) = serve(&env);
    let a = agent();
    let before = env.size();
    for body in [
        r#"{"type":"ext.a","type":"ext.b","data":{}}"#,
        r#"{"type":"ext.a","data":{"n":1,"n":2}}"#,
        r#"{"type":"ext.a","data":{"n":18446744073709551616}}"#,
        r#"{"type":"ext.a","data":{"n":9007199254740993}}"#,
    ] {
        let mut res = a
            .post(&format!("{base}/v1/events"))
            .header("Authorization", &format!("Bearer {service}"))
            .header("Content-Type", "application/json")
            .send(body)
            .unwrap();
        assert_eq!(res.status(), 400, "{body}");
        let v: Value = serde_json::from_str(&res.body_mut().read_to_string().unwrap()).unwrap();
        assert_eq!(v["error"]["code"], "bad_request", "{body}: {v}");
    }
    assert_eq!(env.size(), before, "nothing appended");
    // The CLI refuses the same bodies.
    let r = env.run(&[
        "ledger",
        "append",
        "--type",
        "ext.a",
        "--data",
        r#"{"n":1,"n":2}"#,
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = env.run(&[
        "ledger",
        "append",
        "--type",
        "ext.a",
        "--data",
        r#"{"n":18446744073709551616}"#,
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// A store with one row in every projection table.
fn populated() -> Env {
    populate(Env::new())
}

fn populate(env: Env) -> Env {
    let examples = common::repo().join("examples/inventory.yaml");
    let r = env.run(&["apply", path_str(&examples)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let img = env.write("hero.png", b"\x89PNG\r\n\x1a\n not really an image");
    let r = env.run(&[
        "register",
        path_str(&img),
        "--generator",
        "product-image-gan",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = env.dir.path().join("customers.csv");
    let r = env.run(&[
        "generate",
        "customers",
        "--rows",
        "300",
        "--out",
        path_str(&out),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (_, revoked) = token(&env, "engineer", "old-laptop");
    let r = env.run(&["token", "revoke", &revoked]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run(&["flags", "set", "generation", "off", "--reason", "audit"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run(&["verify"]);
    assert_eq!(
        r.code, 0,
        "a fresh store verifies: {} {}",
        r.stdout, r.stderr
    );
    env
}

/// A copy of `env`'s home in a new folder, as another `Env`.
fn copy_of(env: &Env) -> Env {
    let copy = Env {
        dir: tempfile::tempdir().unwrap(),
        database: None,
    };
    copy_dir(&env.home(), &copy.home());
    copy
}

fn sql(env: &Env, statement: &str, params: &[&dyn rusqlite::ToSql]) {
    let c = rusqlite::Connection::open(env.db()).unwrap();
    let n = c.execute(statement, params).unwrap();
    assert!(n > 0, "the edit changed no row: {statement}");
}

/// Runs `statement` on a PostgreSQL store with psql, as someone with database access
/// would.
fn psql(url: &str, statement: &str) {
    let out = std::process::Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-Atc", statement])
        .output()
        .expect("psql (the PostgreSQL tests need it; .ci/run has it)");
    assert!(
        out.status.success(),
        "{statement}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tag = String::from_utf8_lossy(&out.stdout);
    assert!(
        !tag.trim().ends_with(" 0"),
        "the edit changed no row: {statement} ({tag})"
    );
}

fn sha_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

const FORGED: &str = "sgt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

fn forge_admin(env: &Env) {
    let sha = sha_hex(FORGED);
    let id = format!("tok_{}", &sha[..16]);
    let body = json!({"id": id, "name": "evil", "role": "admin", "tenant": null,
        "created_at": "2026-01-01T00:00:00Z", "expires_at": null, "revoked_at": null, "sha256": sha});
    sql(
        env,
        "INSERT INTO inventory_objects (kind, id, body, ledger_index) VALUES ('token', ?1, ?2, 0)",
        &[&id, &body.to_string()],
    );
}

fn revoked_id(env: &Env) -> String {
    let c = rusqlite::Connection::open(env.db()).unwrap();
    c.query_row(
        "SELECT id FROM inventory_objects WHERE kind = 'token' AND body LIKE '%old-laptop%'",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn each_projection_edit_fails_verify_naming_table_and_key_and_rebuild_repairs_it() {
    let pristine = populated();
    type Edit = (&'static str, &'static str, fn(&Env) -> String);
    let edits: [Edit; 6] = [
        ("forged admin token", "tokens", |e| {
            forge_admin(e);
            format!("tok_{}", &sha_hex(FORGED)[..16])
        }),
        ("cleared revocation", "tokens", |e| {
            let id = revoked_id(e);
            sql(
                e,
                "UPDATE inventory_objects SET body = json_set(body, '$.revoked_at', json('null')) WHERE kind = 'token' AND id = ?1",
                &[&id],
            );
            id
        }),
        ("flipped kill switch", "flags", |e| {
            sql(
                e,
                "UPDATE flags SET enabled = 1 WHERE name = 'generation'",
                &[],
            );
            "generation".into()
        }),
        ("changed asset generator", "assets", |e| {
            sql(e, "UPDATE assets SET generator = 'description-llm'", &[]);
            "hero.png".into()
        }),
        ("deleted dataset version", "dataset_versions", |e| {
            sql(
                e,
                "DELETE FROM dataset_versions WHERE dataset = 'synthetic-customers'",
                &[],
            );
            "synthetic-customers@1".into()
        }),
        ("altered fingerprint filter", "fingerprints", |e| {
            sql(
                e,
                "UPDATE fingerprints SET filter = zeroblob(length(filter))",
                &[],
            );
            "synthetic-customers@1".into()
        }),
    ];
    for (what, table, edit) in edits {
        let env = copy_of(&pristine);
        let key = edit(&env);
        let r = env.run(&["verify"]);
        assert_eq!(r.code, 1, "{what}: verify must fail: {}", r.stdout);
        let line = r
            .stdout
            .lines()
            .find(|l| l.trim_start().starts_with(table) && l.contains(&key))
            .unwrap_or_else(|| panic!("{what}: no line naming {table} and {key}: {}", r.stdout));
        assert!(
            line.contains("entry"),
            "{what}: names the ledger index: {line}"
        );
        let j = env.run(&["--json", "verify"]).json();
        assert_eq!(j["ok"], false);
        let m = &j["projections"]["mismatches"];
        assert!(
            m.as_array().unwrap().iter().any(|x| x["table"] == table),
            "{what}: {m}"
        );
        let r = env.run(&["rebuild"]);
        assert_eq!(r.code, 0, "{what}: {} {}", r.stdout, r.stderr);
        let r = env.run(&["verify"]);
        assert_eq!(r.code, 0, "{what}: after rebuild: {}", r.stdout);
        if table == "fingerprints" {
            // The filter's bytes are not in the log: rebuild records the loss
            // (`dataset.fingerprint_lost`) instead of trusting the edited bytes.
            assert!(
                entries(&env)
                    .iter()
                    .any(|e| e["type"] == "dataset.fingerprint_lost"),
                "the loss is in the ledger"
            );
        }
    }
}

#[test]
fn the_server_refuses_a_forged_or_unrevoked_token_and_ledgers_an_alert() {
    let pristine = populated();
    let env = copy_of(&pristine);
    forge_admin(&env);
    let (_srv, base) = serve(&env);
    let a = agent();
    let res = a
        .get(&format!("{base}/v1/inventory"))
        .header("Authorization", &format!("Bearer {FORGED}"))
        .call()
        .unwrap();
    assert_eq!(
        res.status(),
        401,
        "a forged admin row must not authenticate"
    );
    let (status, _) = post(
        &a,
        &format!("{base}/v1/tokens"),
        FORGED,
        &json!({"role": "admin", "name": "minted"}),
    );
    assert_eq!(status, 401, "nor mint a real one");
    let alerts: Vec<Value> = entries(&env)
        .into_iter()
        .filter(|e| e["type"] == "integrity.violation")
        .collect();
    assert!(!alerts.is_empty(), "the forged row raised an alert");
    assert_eq!(alerts[0]["data"]["table"], "tokens");
}

#[test]
fn a_kill_switch_flipped_in_the_database_does_not_turn_generation_back_on() {
    let pristine = populated();
    let env = copy_of(&pristine);
    sql(
        &env,
        "UPDATE flags SET enabled = 1 WHERE name = 'generation'",
        &[],
    );
    let out = env.dir.path().join("x.csv");
    let r = env.run(&[
        "generate",
        "customers",
        "--rows",
        "10",
        "--out",
        path_str(&out),
    ]);
    assert_eq!(r.code, 1, "{} {}", r.stdout, r.stderr);
    assert!(!out.exists());
    assert!(
        entries(&env)
            .iter()
            .any(|e| e["type"] == "integrity.violation" && e["data"]["table"] == "flags")
    );
}

fn model_file(env: &Env, name: &str, edit: impl Fn(&mut Value)) -> PathBuf {
    let sample = env.write(
        "sample.csv",
        b"age,income,city\n34,52000,Berlin\n41,61000,Paris\n29,38000,Berlin\n55,90000,Lyon\n38,47000,Paris\n47,70000,Berlin\n",
    );
    let m = env.dir.path().join("base-model.json");
    if !m.exists() {
        let r = env.run(&[
            "fit",
            path_str(&sample),
            "--out",
            path_str(&m),
            "--min-count",
            "1",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let mut v: Value = serde_json::from_slice(&std::fs::read(&m).unwrap()).unwrap();
    edit(&mut v);
    let p = env.dir.path().join(name);
    std::fs::write(&p, v.to_string()).unwrap();
    p
}

#[test]
fn hostile_models_are_refused_fast_on_the_cli_and_the_api() {
    let env = Env::new();
    let huge = model_file(&env, "huge.json", |v| {
        v["correlation"][0][1] = json!(1e308);
        v["correlation"][1][0] = json!(-1e308);
    });
    let ragged = model_file(&env, "ragged.json", |v| {
        v["correlation"][1] = json!([0.5]);
    });
    let not_psd = model_file(&env, "notpsd.json", |v| {
        let d = v["correlation"].as_array().unwrap().len();
        assert!(d >= 3, "three non-id columns");
        v["correlation"] = json!([[1.0, 0.99, -0.99], [0.99, 1.0, 0.99], [-0.99, 0.99, 1.0]]);
    });
    for (p, field) in [
        (&huge, "correlation"),
        (&ragged, "correlation[1]"),
        (&not_psd, "correlation"),
    ] {
        let out = env.dir.path().join("o.csv");
        let t = Instant::now();
        let r = env.run(&[
            "generate",
            "--model",
            path_str(p),
            "--rows",
            "100",
            "--out",
            path_str(&out),
        ]);
        assert!(
            t.elapsed() < Duration::from_secs(3),
            "refused within seconds"
        );
        assert_eq!(r.code, 2, "{}: {}", p.display(), r.stderr);
        assert!(r.stderr.contains(field), "{field}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        assert!(!out.exists());
    }
    // Over HTTP, while appends keep going.
    let (engineer, _) = token(&env, "engineer", "eng");
    let (service, _) = token(&env, "service", "svc");
    let (_srv, base) = serve(&env);
    let a = agent();
    for p in [&huge, &ragged, &not_psd] {
        let model: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        let t = Instant::now();
        let (status, body) = post(
            &a,
            &format!("{base}/v1/generate"),
            &engineer,
            &json!({"model": model, "rows": 1000}),
        );
        assert!(t.elapsed() < Duration::from_secs(3));
        assert_eq!(status, 400, "{body}");
        let (status, _) = post(
            &a,
            &format!("{base}/v1/events"),
            &service,
            &json!({"type": "ext.after", "data": {}}),
        );
        assert_eq!(status, 201, "appends keep succeeding");
    }
}

#[test]
fn times_out_of_range_are_refused_and_stored_ones_do_not_panic() {
    let env = Env::new();
    let r = env.run(&[
        "incident",
        "open",
        "--kind",
        "phi_in_synthetic_data",
        "--title",
        "t",
        "--detected",
        "9999-12-31T23:00:00Z",
    ]);
    assert_eq!(r.code, 2, "{} {}", r.stdout, r.stderr);
    assert!(r.stderr.contains("9999"), "{}", r.stderr);
    let r = env.run(&[
        "token",
        "create",
        "--role",
        "admin",
        "--name",
        "x",
        "--expires-in",
        "4000000",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    // An incident stored with year 9999 before times were bounded: its clocks are
    // evaluated without a panic.
    let r = env.run(&[
        "incident",
        "open",
        "--kind",
        "phi_in_synthetic_data",
        "--title",
        "t",
        "--detected",
        "2026-11-01T10:00:00Z",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let c = rusqlite::Connection::open(env.db()).unwrap();
    c.execute(
        "UPDATE inventory_objects SET body = json_set(body, '$.detected_at', '9999-12-31T23:00:00Z') WHERE kind = 'incident'",
        [],
    )
    .unwrap();
    let r = env.run(&["incident", "list", "--json"]);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert_ne!(r.code, 101);
}

#[test]
fn disclose_in_place_keeps_file_modes() {
    use std::os::unix::fs::PermissionsExt;
    let Some((env, site)) = common::store() else {
        return;
    };
    // The fixture's deliberately broken page is another test's business.
    let _ = std::fs::remove_file(site.join("broken.html"));
    let mut pages = Vec::new();
    for e in walk(&site) {
        if e.extension().is_some_and(|x| x == "html") {
            std::fs::set_permissions(&e, std::fs::Permissions::from_mode(0o644)).unwrap();
            pages.push((e.clone(), std::fs::read(&e).unwrap()));
        }
    }
    assert!(!pages.is_empty());
    let r = env.run(&["disclose", "html", path_str(&site), "--in-place"]);
    assert_eq!(r.code, 0, "{} {}", r.stdout, r.stderr);
    let mut changed = 0;
    for (p, before) in &pages {
        let mode = std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "{} is {mode:o}", p.display());
        changed += (std::fs::read(p).unwrap() != *before) as usize;
    }
    assert!(changed > 0, "disclosure rewrote at least one page");
    let db = std::fs::metadata(env.db()).unwrap().permissions().mode() & 0o777;
    assert_eq!(db, 0o600, "the store file is owner-only");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn serve_on_postgresql_stops_cleanly_on_sigterm() {
    let Some(url) = common::fresh_postgres() else {
        return;
    };
    let env = Env::with_database(Some(url));
    let mut child = env
        .command(&["serve", "--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    assert!(line.contains("http://"), "{line}");
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

#[test]
fn projection_edits_on_postgresql_fail_verify_and_rebuild_repairs_them() {
    let Some(url) = common::fresh_postgres() else {
        return;
    };
    let env = populate(Env::with_database(Some(url.clone())));
    let sha = sha_hex(FORGED);
    let id = format!("tok_{}", &sha[..16]);
    let body = json!({"id": id, "name": "evil", "role": "admin", "tenant": null,
        "created_at": "2026-01-01T00:00:00Z", "expires_at": null, "revoked_at": null, "sha256": sha});
    let edits: [(&str, &str, String); 4] = [
        (
            "tokens",
            id.as_str(),
            format!(
                "INSERT INTO inventory_objects (kind, id, body, ledger_index) VALUES ('token', '{id}', '{body}', 0)"
            ),
        ),
        (
            "flags",
            "generation",
            "UPDATE flags SET enabled = 1 WHERE name = 'generation'".into(),
        ),
        (
            "assets",
            "hero.png",
            "UPDATE assets SET generator = 'description-llm'".into(),
        ),
        (
            "dataset_versions",
            "synthetic-customers@1",
            "DELETE FROM dataset_versions WHERE dataset = 'synthetic-customers'".into(),
        ),
    ];
    for (_, _, statement) in &edits {
        psql(&url, statement);
    }
    let r = env.run(&["verify"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    for (table, key, _) in &edits {
        assert!(
            r.stdout
                .lines()
                .any(|l| l.trim_start().starts_with(table) && l.contains(key)),
            "{table} {key}: {}",
            r.stdout
        );
    }
    // The server refuses the forged row before anything is rebuilt.
    let (srv, base) = serve(&env);
    let res = agent()
        .get(&format!("{base}/v1/inventory"))
        .header("Authorization", &format!("Bearer {FORGED}"))
        .call()
        .unwrap();
    assert_eq!(res.status(), 401);
    drop(srv);
    let r = env.run(&["rebuild"]);
    assert_eq!(r.code, 0, "{} {}", r.stdout, r.stderr);
    let r = env.run(&["verify"]);
    assert_eq!(r.code, 0, "after rebuild: {}", r.stdout);
}

/// "n of m" in the pack report's row `label`.
fn pack_row(index_html: &str, label: &str) -> String {
    let at = index_html
        .find(label)
        .unwrap_or_else(|| panic!("no row {label:?}"));
    let row = &index_html[at..];
    let row = &row[..row.find("</tr>").unwrap()];
    let cell = row.rsplit("<td>").next().unwrap();
    cell.trim_end_matches("</td>").to_owned()
}

#[test]
fn appended_events_do_not_change_the_packs_disclosed_share() {
    let Some((env, site)) = common::store() else {
        return;
    };
    let report = env.dir.path().join("storefront.json");
    let r = env.run(&[
        "scan",
        "storefront",
        path_str(&site),
        "--format",
        "json",
        "--output",
        path_str(&report),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let pack = |name: &str| -> String {
        let out = env.dir.path().join(name);
        let r = env.run(&[
            "audit-pack",
            "--out",
            path_str(&out),
            "--report",
            path_str(&report),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        std::fs::read_to_string(out.join("index.html")).unwrap()
    };
    const DISCLOSED: &str = "Synthetic assets disclosed where published";
    const REPORTED: &str = "reported disclosed by a store integration";
    let before = pack("pack-1");
    let shas: Vec<String> = env.run(&["inventory", "--json"]).json()["assets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["sha256"].as_str().map(str::to_owned))
        .collect();
    assert!(!shas.is_empty());
    let data = json!({"assets": shas}).to_string();
    // The forgery of the issue: refused.
    let r = env.run(&[
        "ledger",
        "append",
        "--type",
        "disclosure.applied",
        "--data",
        &data,
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // What an integration may say: counted apart, as its word.
    let r = env.run(&[
        "ledger",
        "append",
        "--type",
        "magento.disclosure_applied",
        "--data",
        &data,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = pack("pack-2");
    assert_eq!(pack_row(&before, DISCLOSED), pack_row(&after, DISCLOSED));
    assert_ne!(pack_row(&before, REPORTED), pack_row(&after, REPORTED));
    assert!(
        pack_row(&after, REPORTED).starts_with(|c: char| c != '0'),
        "{}",
        pack_row(&after, REPORTED)
    );
}

#[test]
fn a_denial_of_a_token_with_a_control_character_in_its_name_is_ledgered() {
    let env = Env::new();
    let (tok, _) = token(&env, "auditor", "ci\u{7}bell");
    let (_srv, base) = serve(&env);
    let (status, _) = post(
        &agent(),
        &format!("{base}/v1/events"),
        &tok,
        &json!({"type": "ext.x", "data": {}}),
    );
    assert_eq!(status, 403);
    let denied: Vec<Value> = entries(&env)
        .into_iter()
        .filter(|e| e["type"] == "access.denied")
        .collect();
    assert_eq!(denied.len(), 1, "the denial is in the ledger");
    let actor = denied[0]["actor"].as_str().unwrap();
    assert!(
        actor.contains("ci\\u{7}bell"),
        "escaped, not refused: {actor}"
    );
}

#[test]
fn fit_refuses_a_table_wider_than_the_column_limit_before_any_work() {
    let env = Env::new();
    let header: Vec<String> = (0..100_000).map(|i| format!("c{i}")).collect();
    let row: Vec<&str> = (0..100_000).map(|_| "1").collect();
    let csv = format!(
        "{}\n{}\n{}\n",
        header.join(","),
        row.join(","),
        row.join(",")
    );
    let f = env.write("wide.csv", csv.as_bytes());
    let out = env.dir.path().join("m.json");
    let t = Instant::now();
    let r = env.run(&["fit", path_str(&f), "--out", path_str(&out)]);
    assert!(t.elapsed() < Duration::from_secs(5));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("100000 columns"), "{}", r.stderr);
    assert!(!out.exists());
}

#[test]
fn notifications_before_detection_in_the_future_or_of_another_clock_are_refused() {
    let env = Env::new();
    let r = env.run(&[
        "incident",
        "open",
        "--kind",
        "phi_in_synthetic_data",
        "--title",
        "PHI in patients v3",
        "--jurisdiction",
        "US",
        "--phi",
        "--affected",
        "600",
        "--detected",
        "2026-01-02T00:00:00Z",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let size = env.size();
    for (notified, says) in [
        (
            "hipaa-individuals=2020-01-01T00:00:00Z",
            "before the incident was detected",
        ),
        ("hipaa-individuals=2099-01-01T00:00:00Z", "in the future"),
        ("gdpr-art33=2026-01-03T00:00:00Z", "has no gdpr-art33 clock"),
    ] {
        let r = env.run(&["incident", "update", "INC-0001", "--notified", notified]);
        assert_eq!(r.code, 2, "{notified}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{notified}: {}", r.stderr);
    }
    assert_eq!(env.size(), size, "nothing recorded");
    let r = env.run(&[
        "incident",
        "update",
        "INC-0001",
        "--notified",
        "hipaa-individuals=2026-01-05T00:00:00Z",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_token_expiry_out_of_range_is_refused_over_the_api() {
    let env = Env::new();
    let (admin, _) = token(&env, "admin", "root");
    let (_srv, base) = serve(&env);
    let before = env.size();
    for expires in ["9999-12-31T23:00:00Z", "2000-01-01T00:00:00Z"] {
        let (status, body) = post(
            &agent(),
            &format!("{base}/v1/tokens"),
            &admin,
            &json!({"role": "engineer", "name": "x", "expires_at": expires}),
        );
        assert_eq!(status, 400, "{expires}: {body}");
    }
    assert_eq!(env.size(), before, "nothing recorded");
}
