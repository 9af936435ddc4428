//! Two `synthgov serve` processes on one store (the home's SQLite file, or one
//! PostgreSQL database): clients of both append at once and the log verifies and
//! holds every acknowledged event; a flag flipped through one server is seen by the
//! other within a second.

mod common;

use std::time::{Duration, Instant};

use common::{Env, fresh_postgres, serve};
use serde_json::{Value, json};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

#[test]
fn two_servers_on_one_sqlite_file_append_to_one_log_and_share_flags() {
    two_servers_share_one_log_and_flags(&Env::new());
}

#[test]
fn two_servers_on_one_postgresql_append_to_one_log_and_share_flags() {
    let Some(url) = fresh_postgres() else { return };
    two_servers_share_one_log_and_flags(&Env::with_database(Some(url)));
}

fn two_servers_share_one_log_and_flags(env: &Env) {
    let r = env.run(&[
        "--json", "token", "create", "--role", "admin", "--name", "multi",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let token = r.json()["token"].as_str().unwrap().to_owned();
    let (_a, url_a) = serve(env);
    let (_b, url_b) = serve(env);
    let start = env.size();

    // Four clients per server, 50 events each, all at once.
    let mut clients = Vec::new();
    for (s, base) in [&url_a, &url_b].into_iter().enumerate() {
        for c in 0..4 {
            let (base, token) = (base.clone(), token.clone());
            clients.push(std::thread::spawn(move || {
                let agent = agent();
                let mut acked = Vec::new();
                for n in 0..50 {
                    let mut res = agent
                        .post(&format!("{base}/v1/events"))
                        .header("Authorization", &format!("Bearer {token}"))
                        .header("Content-Type", "application/json")
                        .send(json!({"type": "magento.multi", "data": {"server": s, "client": c, "n": n}}).to_string())
                        .unwrap();
                    assert_eq!(res.status(), 201);
                    let v: Value = serde_json::from_str(&res.body_mut().read_to_string().unwrap()).unwrap();
                    acked.push((v["index"].as_u64().unwrap(), (s, c, n)));
                }
                acked
            }));
        }
    }
    let acked: Vec<(u64, (usize, usize, usize))> = clients
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    assert_eq!(acked.len(), 400);
    assert_eq!(env.size(), start + 400);
    let r = env.run(&["--json", "verify"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // Each acknowledged index holds that client's event: no index given twice.
    let r = env.run(&[
        "--json",
        "ledger",
        "list",
        "--type",
        "magento.multi",
        "--limit",
        "1000",
    ]);
    let stored: std::collections::HashMap<u64, Value> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["index"].as_u64().unwrap(), e["entry"]["data"].clone()))
        .collect();
    assert_eq!(stored.len(), 400);
    for (index, (s, c, n)) in &acked {
        assert_eq!(
            stored[index],
            json!({"server": s, "client": c, "n": n}),
            "entry {index}"
        );
    }

    // The kill switch flipped on A is in force on B within a second.
    let agent = agent();
    let res = agent
        .put(&format!("{url_a}/v1/flags/generation"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(json!({"enabled": false, "reason": "multi"}).to_string())
        .unwrap();
    assert_eq!(res.status(), 200);
    let flipped = Instant::now();
    loop {
        let mut res = agent
            .get(&format!("{url_b}/v1/flags/generation"))
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .unwrap();
        let v: Value = serde_json::from_str(&res.body_mut().read_to_string().unwrap()).unwrap();
        if v["enabled"] == false {
            break;
        }
        assert!(
            flipped.elapsed() < Duration::from_secs(1),
            "B still has generation on"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let res = agent
        .post(&format!("{url_b}/v1/generate"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(json!({"entity": "customers", "rows": 10}).to_string())
        .unwrap();
    assert_eq!(res.status(), 423);
}
