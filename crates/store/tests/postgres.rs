//! The ledger on a real PostgreSQL (SYNTHGOV_TEST_POSTGRES_URL, set by .ci/run): two
//! "servers" (separate stores, several writer threads each) append to one log at the
//! same time; afterwards the log verifies, holds every acknowledged entry exactly
//! where its receipt said, and proofs from it check against a checkpoint.

use serde_json::{Map, Value};
use synthgov_core::Event;
use synthgov_ledger::merkle::verify_inclusion;
use synthgov_ledger::{Ledger, LedgerKey, LedgerStore, LogIdentity, verify};
use synthgov_store::PgStore;

/// A fresh schema on the test database; None (with a notice) when no URL is set.
fn fresh_schema() -> Option<String> {
    let url = synthgov_core::testenv::db_url("SYNTHGOV_TEST_POSTGRES_URL")?;
    Some(synthgov_store::postgres::new_schema(&url, "sg_ledger").unwrap())
}

fn identity(key: &LedgerKey) -> LogIdentity {
    LogIdentity {
        origin: "synthgov.local/pg-test".into(),
        key_name: "synthgov.local/pg-test".into(),
        key: key.clone(),
    }
}

fn event(server: usize, thread: usize, n: usize) -> Event {
    let mut data = Map::new();
    data.insert("server".into(), Value::from(server));
    data.insert("thread".into(), Value::from(thread));
    data.insert("n".into(), Value::from(n));
    Event::new("test.pg", "pg-test", "2026-11-30T10:00:00Z", data).unwrap()
}

#[test]
fn two_servers_append_concurrently_to_one_consistent_log() {
    let Some(url) = fresh_schema() else { return };
    let key = LedgerKey::generate();
    const SERVERS: usize = 2;
    const THREADS: usize = 3;
    const BATCHES: usize = 20;
    const PER_BATCH: usize = 5;
    let mut handles = Vec::new();
    for server in 0..SERVERS {
        for thread in 0..THREADS {
            let (url, key) = (url.clone(), key.clone());
            handles.push(std::thread::spawn(move || {
                let mut ledger =
                    Ledger::new(Box::new(PgStore::open(&url).unwrap()), identity(&key));
                let mut acked = Vec::new();
                for b in 0..BATCHES {
                    let events: Vec<Event> = (0..PER_BATCH)
                        .map(|i| event(server, thread, b * PER_BATCH + i))
                        .collect();
                    let r = ledger.append(&events).unwrap();
                    for (i, e) in events.iter().enumerate() {
                        acked.push((r.first_index + i as u64, e.leaf_bytes()));
                    }
                }
                acked
            }));
        }
    }
    let acked: Vec<(u64, Vec<u8>)> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let total = (SERVERS * THREADS * BATCHES * PER_BATCH) as u64;
    assert_eq!(acked.len() as u64, total);

    let mut ledger = Ledger::new(Box::new(PgStore::open(&url).unwrap()), identity(&key));
    assert_eq!(ledger.size().unwrap(), total);
    // Every acknowledged entry is where its receipt said; no index was given twice.
    let mut seen = std::collections::HashSet::new();
    for (index, leaf) in &acked {
        assert!(seen.insert(*index), "index {index} acknowledged twice");
        assert_eq!(&ledger.store().leaf(*index).unwrap().unwrap(), leaf);
    }
    let cp = ledger.checkpoint().unwrap();
    assert_eq!(cp.size, total);
    let report = verify(&ledger, Some(&cp), &mut |_| {}).unwrap();
    assert!(report.ok, "{:?}", report.problems);
    for index in [0, total / 2, total - 1] {
        let p = ledger.prove(index, Some(cp.size)).unwrap();
        verify_inclusion(index, cp.size, p.leaf_hash, &p.proof, cp.root).unwrap();
    }
    // Reopening (a server restart) migrates nothing and sees the same log.
    let again = PgStore::open(&url).unwrap();
    assert_eq!(again.size().unwrap(), total);
    assert_eq!(again.checkpoints().unwrap().len(), 1);
}

#[test]
fn a_bad_url_is_a_database_error_naming_it() {
    let Err(e) = PgStore::open("postgres://nobody@127.0.0.1:1/none") else {
        panic!("connected to nothing")
    };
    assert!(
        e.to_string().contains("cannot connect to PostgreSQL"),
        "{e}"
    );
}

#[test]
fn sslmode_require_connects_over_tls() {
    let Some(url) = fresh_schema() else { return };
    let url = format!("{url}&sslmode=require");
    let store = match PgStore::open(&url) {
        Ok(s) => s,
        // A server without TLS: nothing to test against here.
        Err(e) if e.to_string().contains("TLS") || e.to_string().contains("ssl") => {
            eprintln!("SKIPPED: the test PostgreSQL does not offer TLS: {e}");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    let rows = store
        .query(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap();
    assert_eq!(
        rows[0].int(0).unwrap(),
        1,
        "the connection is not encrypted"
    );
}
