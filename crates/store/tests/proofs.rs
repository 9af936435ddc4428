//! Property tests: proofs made from the real SQLite store verify against an independent
//! textbook MTH (RFC 9162 §2.1.1, written here from the RFC), and fail when any one
//! hash is flipped.

use proptest::prelude::*;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use synthgov_core::Event;
use synthgov_ledger::merkle::{verify_consistency, verify_inclusion};
use synthgov_ledger::{Hash, Ledger, LedgerKey, LogIdentity};
use synthgov_store::SqliteStore;

fn mth(leaves: &[Vec<u8>]) -> [u8; 32] {
    match leaves.len() {
        0 => Sha256::digest(b"").into(),
        1 => Sha256::new()
            .chain_update([0u8])
            .chain_update(&leaves[0])
            .finalize()
            .into(),
        n => {
            let k = 1usize << (usize::BITS - (n - 1).leading_zeros() - 1);
            Sha256::new()
                .chain_update([1u8])
                .chain_update(mth(&leaves[..k]))
                .chain_update(mth(&leaves[k..]))
                .finalize()
                .into()
        }
    }
}

fn ledger_with(n: usize) -> (Ledger<SqliteStore>, Vec<Vec<u8>>) {
    let identity = LogIdentity {
        origin: "synthgov.local/proptest".into(),
        key_name: "synthgov.local/proptest".into(),
        key: LedgerKey::generate(),
    };
    let mut ledger = Ledger::new(Box::new(SqliteStore::in_memory().unwrap()), identity);
    let events: Vec<Event> = (0..n)
        .map(|i| {
            let mut data = Map::new();
            data.insert("i".into(), Value::from(i));
            Event::new("test.appended", "test", "2026-11-23T10:00:00Z", data).unwrap()
        })
        .collect();
    // Append in a few batches so frontiers are read back from the store.
    for chunk in events.chunks(n.div_ceil(3).max(1)) {
        ledger.append(chunk).unwrap();
    }
    let leaves = events.iter().map(Event::leaf_bytes).collect();
    (ledger, leaves)
}

fn flip(proof: &[Hash], which: usize, bit: u8) -> Vec<Hash> {
    let mut p = proof.to_vec();
    let i = which % p.len();
    p[i].0[(bit / 8) as usize % 32] ^= 1 << (bit % 8);
    p
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn inclusion_and_consistency_proofs_hold(
        n in 1usize..300,
        picks in proptest::collection::vec((any::<u64>(), any::<u64>(), any::<usize>(), any::<u8>()), 8),
    ) {
        let (ledger, leaves) = ledger_with(n);
        for (a, b, which, bit) in picks {
            let size = 1 + a % n as u64;
            let index = b % size;
            let root = ledger.root_at(size).unwrap();
            prop_assert_eq!(root.0, mth(&leaves[..size as usize]));

            let p = ledger.prove(index, Some(size)).unwrap();
            prop_assert_eq!(p.root_hash, root);
            prop_assert!(verify_inclusion(index, size, p.leaf_hash, &p.proof, root).is_ok());
            if !p.proof.is_empty() {
                let bad = flip(&p.proof, which, bit);
                prop_assert!(verify_inclusion(index, size, p.leaf_hash, &bad, root).is_err());
            }

            let old = 1 + index.min(size - 1);
            let c = ledger.consistency(old, Some(size)).unwrap();
            prop_assert_eq!(c.old_root.0, mth(&leaves[..old as usize]));
            prop_assert!(verify_consistency(old, size, c.old_root, c.new_root, &c.proof).is_ok());
            if !c.proof.is_empty() {
                let bad = flip(&c.proof, which, bit);
                prop_assert!(verify_consistency(old, size, c.old_root, c.new_root, &bad).is_err());
            }
        }
    }
}

#[test]
fn out_of_range_requests_are_input_errors() {
    let (ledger, _) = ledger_with(5);
    for err in [
        ledger.prove(5, None).unwrap_err(),
        ledger.prove(0, Some(6)).unwrap_err(),
        ledger.consistency(0, None).unwrap_err(),
        ledger.consistency(6, None).unwrap_err(),
        ledger.entry(9).unwrap_err(),
    ] {
        assert!(err.is_bad_input(), "{err}");
    }
}

#[test]
fn a_checkpoint_signs_the_current_root() {
    let (mut ledger, leaves) = ledger_with(37);
    let cp = ledger.checkpoint().unwrap();
    assert_eq!(cp.size, 37);
    assert_eq!(cp.root.0, mth(&leaves));
    let opened = ledger.open_checkpoint(cp.note.as_bytes()).unwrap();
    assert_eq!(opened, cp);
}
