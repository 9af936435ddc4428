//! Leaf and node hashing, RFC 9162 §2.1.1; contract in `shared/spec/ledger.md`, Hashing.
//!
//! The [`Hash`] type and the storage-index arithmetic come from `tlog_tiles` (a port of
//! Go's `sumdb/tlog`, which stores the tree as a flat, append-only array of hashes: the
//! shape our SQL storage uses). This module adds hex and base64 forms.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
pub use tlog_tiles::tlog::{EMPTY_HASH, HASH_SIZE, Hash};

/// SHA-256(0x00 || leaf), RFC 9162 §2.1.1 (the spec's `MTH({d(0)})`).
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    tlog_tiles::tlog::record_hash(leaf)
}

/// SHA-256(0x01 || left || right), RFC 9162 §2.1.1.
pub fn node_hash(left: Hash, right: Hash) -> Hash {
    tlog_tiles::tlog::node_hash(left, right)
}

/// Lowercase hex, the form every `--json` output uses.
pub fn to_hex(h: &Hash) -> String {
    hex::encode(h.0)
}

/// Standard base64, the form checkpoints use.
pub fn to_base64(h: &Hash) -> String {
    BASE64.encode(h.0)
}

/// Parses 64 hex digits (either case).
pub fn from_hex(s: &str) -> Option<Hash> {
    let bytes = hex::decode(s).ok()?;
    Some(Hash(bytes.try_into().ok()?))
}

/// Parses standard base64 of exactly 32 bytes.
pub fn from_base64(s: &str) -> Option<Hash> {
    let bytes = BASE64.decode(s).ok()?;
    Some(Hash(bytes.try_into().ok()?))
}

/// Reads a concatenation of 32-byte hashes.
pub fn split_hashes(blob: &[u8]) -> Option<Vec<Hash>> {
    if !blob.len().is_multiple_of(HASH_SIZE) {
        return None;
    }
    Some(
        blob.chunks_exact(HASH_SIZE)
            .map(|c| Hash(c.try_into().expect("chunk is HASH_SIZE")))
            .collect(),
    )
}

/// Concatenates hashes into one blob, the storage form of a record's hashes.
pub fn join_hashes(hashes: &[Hash]) -> Vec<u8> {
    hashes.iter().flat_map(|h| h.0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // transparency-dev/merkle rfc6962 hasher vectors (shared/testdata/merkle).
    #[test]
    fn rfc6962_hasher_vectors() {
        let v: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/testdata/merkle/rfc6962_reference_vectors.json"
            ))
            .unwrap(),
        )
        .unwrap();
        let inputs = v["leaf_inputs_hex"].as_array().unwrap();
        let hashes = v["leaf_hashes_hex"].as_array().unwrap();
        for (input, want) in inputs.iter().zip(hashes) {
            let leaf = hex::decode(input.as_str().unwrap()).unwrap();
            assert_eq!(to_hex(&leaf_hash(&leaf)), want.as_str().unwrap());
        }
        assert_eq!(
            to_hex(&EMPTY_HASH),
            v["empty_tree_root_hex"].as_str().unwrap()
        );
        for case in v["hasher_vectors"].as_array().unwrap() {
            if case["op"] == "hash_leaf" {
                let got = leaf_hash(case["input_utf8"].as_str().unwrap().as_bytes());
                assert_eq!(to_hex(&got), case["want_hex"].as_str().unwrap());
            }
        }
    }

    #[test]
    fn hex_and_base64_round_trip() {
        let h = leaf_hash(b"x");
        assert_eq!(from_hex(&to_hex(&h)), Some(h));
        assert_eq!(from_base64(&to_base64(&h)), Some(h));
        assert_eq!(from_hex("abcd"), None);
        assert_eq!(from_base64("ZG9uJ3QgY2FyZSAy"), None);
        assert_eq!(split_hashes(&join_hashes(&[h, h])), Some(vec![h, h]));
        assert_eq!(split_hashes(&[0u8; 33]), None);
    }
}
