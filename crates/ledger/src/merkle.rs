//! Merkle tree arithmetic that needs no storage: the compact range (the roots of the
//! complete subtrees along the right edge of a tree) and proof verification.
//!
//! Verification follows the algorithms of RFC 9162 §2.1.3.2 (inclusion: "audit path")
//! and §2.1.4.2 (consistency), written here from the RFC rather than taken from the
//! proof generator, so that a bug in one is caught by the other.

use crate::hash::{EMPTY_HASH, Hash, node_hash};

/// The right edge of a tree of `size` leaves: one hash per set bit of `size`, the
/// largest subtree first. Appending a leaf merges equal-height subtrees, producing
/// exactly the hashes Go's tlog stores for that leaf (see [`CompactRange::push`]).
#[derive(Debug, Clone, Default)]
pub struct CompactRange {
    size: u64,
    /// (height, hash), strictly decreasing heights.
    stack: Vec<(u32, Hash)>,
}

impl CompactRange {
    pub fn new() -> CompactRange {
        CompactRange::default()
    }

    /// Rebuilds the range of a tree of `size` leaves from its subtree roots, largest
    /// first (the hashes `tlog_tiles::tlog::sub_tree_index(0, size)` names).
    pub fn from_subtrees(size: u64, roots: &[Hash]) -> Option<CompactRange> {
        if roots.len() != size.count_ones() as usize {
            return None;
        }
        let heights = (0..64u32).rev().filter(|h| size & (1u64 << h) != 0);
        Some(CompactRange {
            size,
            stack: heights.zip(roots.iter().copied()).collect(),
        })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash and returns the hashes that became complete: the leaf
    /// itself, then each subtree root it completed, lowest first.
    pub fn push(&mut self, leaf: Hash) -> Vec<Hash> {
        let mut completed = vec![leaf];
        let mut cur = (0u32, leaf);
        while let Some(&(h, left)) = self.stack.last() {
            if h != cur.0 {
                break;
            }
            self.stack.pop();
            cur = (h + 1, node_hash(left, cur.1));
            completed.push(cur.1);
        }
        self.stack.push(cur);
        self.size += 1;
        completed
    }

    /// MTH of the leaves pushed so far (RFC 9162 §2.1.1), `EMPTY_HASH` for none.
    pub fn root(&self) -> Hash {
        let mut iter = self.stack.iter().rev();
        let Some(&(_, mut acc)) = iter.next() else {
            return EMPTY_HASH;
        };
        for &(_, left) in iter {
            acc = node_hash(left, acc);
        }
        acc
    }
}

/// Why a proof was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("index {index} is not below tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("old size {old} is larger than new size {new}")]
    SizesReversed { old: u64, new: u64 },
    #[error("a consistency proof from an empty tree proves nothing")]
    EmptyOldTree,
    #[error("proof has the wrong number of hashes")]
    WrongLength,
    #[error("proof does not lead to the expected root")]
    RootMismatch,
}

/// Checks an inclusion proof (RFC 9162 §2.1.3.2). `proof` lists hashes from the leaf
/// upward.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: Hash,
    proof: &[Hash],
    root: Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = leaf;
    for p in proof {
        if sn == 0 {
            return Err(ProofError::WrongLength);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(*p, r);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(r, *p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength);
    }
    if r != root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Checks a consistency proof (RFC 9162 §2.1.4.2) that the tree of `old_size` with
/// `old_root` is a prefix of the tree of `new_size` with `new_root`.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: Hash,
    new_root: Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old_size > new_size {
        return Err(ProofError::SizesReversed {
            old: old_size,
            new: new_size,
        });
    }
    if old_size == 0 {
        return Err(ProofError::EmptyOldTree);
    }
    if old_size == new_size {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if old_root == new_root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if proof.is_empty() {
        return Err(ProofError::WrongLength);
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old_size.is_power_of_two() {
        path.push(old_root);
    }
    path.extend_from_slice(proof);
    let (mut fn_, mut sn) = (old_size - 1, new_size - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if sn == 0 {
            return Err(ProofError::WrongLength);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(*c, fr);
            sr = node_hash(*c, sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(sr, *c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength);
    }
    if fr != old_root || sr != new_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{from_hex, leaf_hash};

    #[test]
    fn compact_range_roots_match_rfc6962_vectors() {
        let v: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/testdata/merkle/rfc6962_reference_vectors.json"
            ))
            .unwrap(),
        )
        .unwrap();
        let inputs: Vec<Vec<u8>> = v["leaf_inputs_hex"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| hex::decode(x.as_str().unwrap()).unwrap())
            .collect();
        let roots = v["root_hashes_by_tree_size_hex"].as_object().unwrap();
        let mut range = CompactRange::new();
        assert_eq!(Some(range.root()), from_hex(roots["0"].as_str().unwrap()));
        for (i, leaf) in inputs.iter().enumerate() {
            range.push(leaf_hash(leaf));
            let want = roots[&(i + 1).to_string()].as_str().unwrap();
            assert_eq!(Some(range.root()), from_hex(want), "size {}", i + 1);
        }
    }
}
