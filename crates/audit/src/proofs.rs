//! `ledger/proofs.json`: for every ledger entry a pack cites, the entry's exact bytes
//! (RFC 8785 JSON, carried as a JSON string) and its RFC 9162 inclusion proof in the
//! tree of the pack's checkpoint. Anyone can check them with SHA-256 alone.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use synthgov_ledger::hash::{Hash, from_hex, leaf_hash, to_hex};
use synthgov_ledger::merkle::verify_inclusion;
use synthgov_ledger::{Ledger, LedgerStore};

use crate::error::PackError;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proofs {
    pub tree_size: u64,
    /// Root of the checkpoint's tree, hex.
    pub root_hash: String,
    pub entries: Vec<ProvedEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvedEntry {
    pub index: u64,
    /// The leaf bytes, exactly as hashed (RFC 8785 canonical JSON).
    pub entry: String,
    /// SHA-256(0x00 || entry), hex.
    pub leaf_hash: String,
    /// Audit path, from the leaf upward, hex.
    pub proof: Vec<String>,
    /// What in the pack this entry backs (`inventory/generator/x`, `asset/uri`, ...).
    pub cited_as: Vec<String>,
}

/// Proves every cited entry against the tree of `size`.
pub fn build<S: LedgerStore + ?Sized>(
    ledger: &Ledger<S>,
    size: u64,
    citations: &BTreeMap<u64, Vec<String>>,
) -> Result<Proofs, PackError> {
    let indices: Vec<u64> = citations.keys().copied().filter(|i| *i < size).collect();
    let proved = ledger.prove_many(&indices, size)?;
    let root = match proved.first() {
        Some((_, p)) => p.root_hash,
        None => ledger.root_at(size)?,
    };
    let entries = proved
        .into_iter()
        .map(|(e, p)| {
            Ok(ProvedEntry {
                index: e.index,
                entry: String::from_utf8(e.leaf).map_err(|_| {
                    PackError::BadRequest(format!("ledger entry {} is not UTF-8", e.index))
                })?,
                leaf_hash: to_hex(&p.leaf_hash),
                proof: p.proof.iter().map(to_hex).collect(),
                cited_as: citations.get(&e.index).cloned().unwrap_or_default(),
            })
        })
        .collect::<Result<_, PackError>>()?;
    Ok(Proofs {
        tree_size: size,
        root_hash: to_hex(&root),
        entries,
    })
}

/// Checks every entry against `root` of a tree of `size`; returns one message per
/// entry that does not hold.
pub fn check(proofs: &Proofs, size: u64, root: Hash) -> Vec<String> {
    let mut bad = Vec::new();
    if proofs.tree_size != size {
        bad.push(format!(
            "tree_size {} is not the checkpoint's size {size}",
            proofs.tree_size
        ));
    }
    if from_hex(&proofs.root_hash) != Some(root) {
        bad.push("root_hash is not the checkpoint's root".into());
    }
    for e in &proofs.entries {
        let computed = leaf_hash(e.entry.as_bytes());
        if from_hex(&e.leaf_hash) != Some(computed) {
            bad.push(format!(
                "entry {}: leaf_hash does not match SHA-256(0x00 || entry)",
                e.index
            ));
            continue;
        }
        let path: Option<Vec<Hash>> = e.proof.iter().map(|h| from_hex(h)).collect();
        let Some(path) = path else {
            bad.push(format!("entry {}: proof holds a malformed hash", e.index));
            continue;
        };
        if let Err(err) = verify_inclusion(e.index, size, computed, &path, root) {
            bad.push(format!(
                "entry {}: inclusion proof does not verify against the checkpoint ({err})",
                e.index
            ));
        }
    }
    bad
}
