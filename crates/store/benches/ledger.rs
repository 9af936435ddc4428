//! Ledger benchmarks on the real SQLite store (divan).
//!
//! - `prove_10m`: inclusion proof and root at tree size 10,000,000 (target < 1 ms).
//!   The 10M-entry database is built once under `CARGO_TARGET_TMPDIR` and reused.
//! - `append_bulk`: appending 100,000 small prepared entries in one transaction.
//! - `verify_100k`: full verification of 100,000 entries.
//!
//! Whole-process figures (JSONL parsing included, vs sha256sum) are in
//! `bench/ledger.sh`. Run: `cargo bench -p synthgov-store --bench ledger`.

use std::path::PathBuf;
use std::sync::OnceLock;

use rand::Rng;
use synthgov_core::Event;
use synthgov_ledger::{Ledger, LedgerKey, LogIdentity, PreparedEntry, verify};
use synthgov_store::SqliteStore;

const BIG: u64 = 10_000_000;

fn identity() -> LogIdentity {
    LogIdentity {
        origin: "synthgov.local/bench".into(),
        key_name: "synthgov.local/bench".into(),
        key: LedgerKey::generate(),
    }
}

fn entries(from: u64, n: u64) -> Vec<PreparedEntry> {
    (from..from + n)
        .map(|i| {
            let mut data = serde_json::Map::new();
            data.insert("i".into(), serde_json::json!(i));
            let event = Event::new("ext.bench", "svc:bench", "2026-11-23T10:00:00Z", data)
                .expect("valid event");
            PreparedEntry::from_event(&event)
        })
        .collect()
}

fn fill(ledger: &mut Ledger<SqliteStore>, total: u64) {
    let mut next = ledger.size().unwrap();
    let mut pull = || {
        if next >= total {
            return Ok(None);
        }
        let n = (total - next).min(100_000);
        let batch = entries(next, n);
        next += n;
        Ok(Some(batch))
    };
    ledger.append_stream(&mut pull, &mut |_| {}).unwrap();
}

/// The 10M-entry store, built on first use.
fn big_ledger() -> &'static std::sync::Mutex<Ledger<SqliteStore>> {
    static BIG_LEDGER: OnceLock<std::sync::Mutex<Ledger<SqliteStore>>> = OnceLock::new();
    BIG_LEDGER.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ledger-10m.db");
        let store = SqliteStore::open(&path).unwrap();
        let mut ledger = Ledger::new(Box::new(store), identity());
        if ledger.size().unwrap() < BIG {
            eprintln!("building {} (10M entries, once)...", path.display());
            fill(&mut ledger, BIG);
        }
        std::sync::Mutex::new(ledger)
    })
}

#[divan::bench]
fn prove_10m(bencher: divan::Bencher) {
    let ledger = big_ledger().lock().unwrap();
    let mut rng = rand::thread_rng();
    bencher
        .with_inputs(|| rng.gen_range(0..BIG))
        .bench_local_values(|i| ledger.prove(i, Some(BIG)).unwrap());
}

#[divan::bench]
fn root_10m(bencher: divan::Bencher) {
    let ledger = big_ledger().lock().unwrap();
    bencher.bench_local(|| ledger.root_at(BIG).unwrap());
}

#[divan::bench(sample_count = 10)]
fn append_bulk_100k(bencher: divan::Bencher) {
    bencher
        .with_inputs(|| {
            let dir = tempfile::tempdir().unwrap();
            let store = SqliteStore::open(&dir.path().join("b.db")).unwrap();
            (
                dir,
                Ledger::new(Box::new(store), identity()),
                entries(0, 100_000),
            )
        })
        .bench_local_values(|(dir, mut ledger, batch)| {
            let mut once = Some(batch);
            ledger
                .append_stream(&mut || Ok(once.take()), &mut |_| {})
                .unwrap();
            (dir, ledger)
        });
}

#[divan::bench(sample_count = 10)]
fn verify_100k(bencher: divan::Bencher) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("v.db")).unwrap();
    let mut ledger = Ledger::new(Box::new(store), identity());
    fill(&mut ledger, 100_000);
    bencher.bench_local(|| {
        let report = verify(&ledger, None, &mut |_| {}).unwrap();
        assert!(report.ok);
    });
}

fn main() {
    divan::main();
}
