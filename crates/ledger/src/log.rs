//! [`Ledger`]: the append-only log over a [`LedgerStore`]: append, read, prove,
//! checkpoint. Verification of a whole store is in [`crate::verify`].
//!
//! Proof generation uses `tlog_tiles::tlog` (Go's `sumdb/tlog` ported to Rust), which
//! asks for O(log n) stored hashes per proof, so a proof never rehashes the log.

use std::cell::RefCell;

use serde::Serialize;
use synthgov_core::Event;
use tlog_tiles::tlog::{self, HashReader};

use crate::checkpoint::{self, Checkpoint};
use crate::error::LedgerError;
use crate::hash::{Hash, leaf_hash, split_hashes, to_hex};
use crate::key::LedgerKey;
use crate::merkle::CompactRange;
use crate::storage::{AppendTx, LedgerStore, ListQuery, StoreError, record_of_stored_hash};

/// Who the log is: its origin line and signing identity.
#[derive(Clone)]
pub struct LogIdentity {
    /// First line of every checkpoint, e.g. `synthgov.local/<store id>`.
    pub origin: String,
    /// Name the checkpoint signature is made under (the origin unless configured).
    pub key_name: String,
    pub key: LedgerKey,
}

impl LogIdentity {
    /// The verifier key line an auditor needs.
    pub fn vkey(&self) -> Result<String, LedgerError> {
        Ok(self.key.vkey(&self.key_name)?)
    }
}

/// An entry ready to append: its type, leaf bytes and leaf hash. Made only from a
/// validated [`Event`], so the three always agree.
#[derive(Debug, Clone)]
pub struct PreparedEntry {
    kind: String,
    leaf: Vec<u8>,
    hash: Hash,
}

impl PreparedEntry {
    /// The entry's `type`.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    pub fn from_event(event: &Event) -> PreparedEntry {
        let leaf = event.leaf_bytes();
        PreparedEntry {
            kind: event.kind.clone(),
            hash: leaf_hash(&leaf),
            leaf,
        }
    }
}

/// What an append wrote.
#[derive(Debug, Clone, Serialize)]
pub struct AppendReceipt {
    pub first_index: u64,
    pub appended: u64,
    pub tree_size: u64,
    /// Leaf hash of each appended entry, in order.
    #[serde(skip)]
    pub leaf_hashes: Vec<Hash>,
}

/// `ledger entry N`: the stored bytes and their hash.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    pub index: u64,
    pub leaf: Vec<u8>,
    pub leaf_hash: Hash,
}

/// RFC 9162 inclusion proof ("audit path"), hashes from the leaf upward.
#[derive(Debug, Clone, Serialize)]
pub struct InclusionProof {
    pub index: u64,
    pub tree_size: u64,
    #[serde(serialize_with = "ser_hex")]
    pub leaf_hash: Hash,
    #[serde(serialize_with = "ser_hex")]
    pub root_hash: Hash,
    #[serde(serialize_with = "ser_hex_vec")]
    pub proof: Vec<Hash>,
}

/// RFC 9162 consistency proof between two tree sizes.
#[derive(Debug, Clone, Serialize)]
pub struct ConsistencyProof {
    pub old_size: u64,
    pub new_size: u64,
    #[serde(serialize_with = "ser_hex")]
    pub old_root: Hash,
    #[serde(serialize_with = "ser_hex")]
    pub new_root: Hash,
    #[serde(serialize_with = "ser_hex_vec")]
    pub proof: Vec<Hash>,
}

fn ser_hex<S: serde::Serializer>(h: &Hash, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&to_hex(h))
}

fn ser_hex_vec<S: serde::Serializer>(v: &[Hash], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(to_hex))
}

/// The append-only log over a store `S` (a trait object unless a caller needs the
/// concrete store, as the registry does to update projections in the same
/// transaction).
pub struct Ledger<S: LedgerStore + ?Sized = dyn LedgerStore> {
    store: Box<S>,
    identity: LogIdentity,
}

impl<S: LedgerStore + ?Sized> Ledger<S> {
    pub fn new(store: Box<S>, identity: LogIdentity) -> Ledger<S> {
        Ledger { store, identity }
    }

    pub fn identity(&self) -> &LogIdentity {
        &self.identity
    }

    pub fn store(&self) -> &S {
        self.store.as_ref()
    }

    pub fn store_mut(&mut self) -> &mut S {
        self.store.as_mut()
    }

    pub fn size(&self) -> Result<u64, LedgerError> {
        Ok(self.store.size()?)
    }

    /// Appends `events` in one transaction: all of them or, on any error, none.
    pub fn append(&mut self, events: &[Event]) -> Result<AppendReceipt, LedgerError> {
        for e in events {
            e.validate()?;
        }
        let prepared: Vec<PreparedEntry> = events.iter().map(PreparedEntry::from_event).collect();
        let mut once = Some(prepared);
        self.append_stream(&mut || Ok(once.take()), &mut |_| {})
    }

    /// Appends batches pulled from `next` until it yields `None`, all in one
    /// transaction: if `next` fails, nothing is appended. `progress` is told the
    /// number of entries written so far.
    pub fn append_stream(
        &mut self,
        next: &mut dyn FnMut() -> Result<Option<Vec<PreparedEntry>>, LedgerError>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<AppendReceipt, LedgerError> {
        let mut tx = self.store.begin()?;
        let receipt = append_in_tx(tx.as_mut(), next, progress)?;
        tx.commit()?;
        Ok(receipt)
    }

    /// The stored entry at `index`.
    pub fn entry(&self, index: u64) -> Result<StoredEntry, LedgerError> {
        let size = self.size()?;
        if index >= size {
            return Err(LedgerError::IndexOutOfRange { index, size });
        }
        let leaf = self
            .store
            .leaf(index)?
            .ok_or_else(|| StoreError::Damaged(format!("entry {index} is missing")))?;
        Ok(StoredEntry {
            index,
            leaf_hash: leaf_hash(&leaf),
            leaf,
        })
    }

    /// Entries matching `query`, decoded.
    pub fn list(&self, query: &ListQuery) -> Result<Vec<(u64, serde_json::Value)>, LedgerError> {
        self.store
            .list(query)?
            .into_iter()
            .map(|(i, leaf)| {
                serde_json::from_slice(&leaf)
                    .map(|v| (i, v))
                    .map_err(|e| StoreError::Damaged(format!("entry {i} is not JSON: {e}")).into())
            })
            .collect()
    }

    /// MTH of the first `size` entries, from stored hashes.
    pub fn root_at(&self, size: u64) -> Result<Hash, LedgerError> {
        self.check_size(size)?;
        let reader = StoreReader::new(self.store.as_ref());
        let root = tlog::tree_hash(size, &reader);
        reader.finish(root)
    }

    /// Inclusion proof of entry `index` in the tree of `size` (default: current).
    pub fn prove(&self, index: u64, size: Option<u64>) -> Result<InclusionProof, LedgerError> {
        let current = self.size()?;
        let size = size.unwrap_or(current);
        self.check_size(size)?;
        if index >= size {
            return Err(LedgerError::IndexOutOfRange { index, size });
        }
        let reader = StoreReader::new(self.store.as_ref());
        let proof = tlog::prove_record(size, index, &reader);
        let proof = reader.finish(proof)?;
        let leaf = self.store.record_hashes(&[index])?;
        let leaf_hash = split_hashes(&leaf[0])
            .and_then(|h| h.first().copied())
            .ok_or_else(|| StoreError::Damaged(format!("entry {index} has no stored hash")))?;
        Ok(InclusionProof {
            index,
            tree_size: size,
            leaf_hash,
            root_hash: self.root_at(size)?,
            proof,
        })
    }

    /// Inclusion proofs of many entries in the tree of `size`, with their leaf bytes:
    /// the root is computed once (audit packs cite up to millions of entries).
    pub fn prove_many(
        &self,
        indices: &[u64],
        size: u64,
    ) -> Result<Vec<(StoredEntry, InclusionProof)>, LedgerError> {
        self.check_size(size)?;
        let root = self.root_at(size)?;
        let mut out = Vec::with_capacity(indices.len());
        for &index in indices {
            if index >= size {
                return Err(LedgerError::IndexOutOfRange { index, size });
            }
            let entry = self.entry(index)?;
            let reader = StoreReader::new(self.store.as_ref());
            let proof = tlog::prove_record(size, index, &reader);
            let proof = reader.finish(proof)?;
            let p = InclusionProof {
                index,
                tree_size: size,
                leaf_hash: entry.leaf_hash,
                root_hash: root,
                proof,
            };
            out.push((entry, p));
        }
        Ok(out)
    }

    /// Consistency proof that the tree of `old_size` is a prefix of the tree of
    /// `size` (default: current).
    pub fn consistency(
        &self,
        old_size: u64,
        size: Option<u64>,
    ) -> Result<ConsistencyProof, LedgerError> {
        let current = self.size()?;
        let new_size = size.unwrap_or(current);
        self.check_size(new_size)?;
        if old_size > new_size {
            return Err(LedgerError::BadRequest(format!(
                "old size {old_size} is larger than new size {new_size}"
            )));
        }
        if old_size == 0 {
            return Err(LedgerError::BadRequest(
                "old size must be at least 1: every log is consistent with the empty tree".into(),
            ));
        }
        let proof = if old_size == new_size {
            Vec::new()
        } else {
            let reader = StoreReader::new(self.store.as_ref());
            let proof = tlog::prove_tree(new_size, old_size, &reader);
            reader.finish(proof)?
        };
        Ok(ConsistencyProof {
            old_size,
            new_size,
            old_root: self.root_at(old_size)?,
            new_root: self.root_at(new_size)?,
            proof,
        })
    }

    /// The data of a tlog tile (hashes read from the store).
    pub(crate) fn read_tile(&self, tile: &tlog_tiles::tile::Tile) -> Result<Vec<u8>, LedgerError> {
        let reader = StoreReader::new(self.store.as_ref());
        let data = tile.read_data(&reader);
        reader.finish(data)
    }

    /// The latest saved checkpoint if it still covers the whole log, else a newly
    /// signed one: clients polling the checkpoint do not fill the store with copies.
    pub fn current_checkpoint(&mut self) -> Result<Checkpoint, LedgerError> {
        let size = self.size()?;
        if let Some(last) = self.store.checkpoints()?.pop()
            && last.size == size
        {
            return self.open_checkpoint(last.note.as_bytes());
        }
        self.checkpoint()
    }

    /// Signs and saves a checkpoint of the current tree.
    pub fn checkpoint(&mut self) -> Result<Checkpoint, LedgerError> {
        // Size and root must describe the same tree: read both inside one write
        // transaction so no append slips between them.
        let (size, root) = {
            let mut tx = self.store.begin()?;
            let size = tx.size()?;
            let root = frontier(tx.as_mut(), size)?.root();
            (size, root)
        };
        let id = &self.identity;
        let cp = checkpoint::sign(&id.origin, size, root, &id.key, &id.key_name)?;
        self.store.save_checkpoint(size, &cp.note)?;
        Ok(cp)
    }

    /// Reads a checkpoint note signed by this log's key.
    pub fn open_checkpoint(&self, text: &[u8]) -> Result<Checkpoint, LedgerError> {
        Ok(checkpoint::open(
            text,
            &self.identity.vkey()?,
            &self.identity.origin,
        )?)
    }

    fn check_size(&self, size: u64) -> Result<(), LedgerError> {
        let current = self.size()?;
        if size > current {
            return Err(LedgerError::SizeTooLarge {
                requested: size,
                size: current,
            });
        }
        Ok(())
    }
}

/// Appends batches pulled from `next` inside an open transaction, without committing:
/// the caller may write projections in the same transaction, then commit.
pub fn append_in_tx(
    tx: &mut dyn AppendTx,
    next: &mut dyn FnMut() -> Result<Option<Vec<PreparedEntry>>, LedgerError>,
    progress: &mut dyn FnMut(u64),
) -> Result<AppendReceipt, LedgerError> {
    let first_index = tx.size()?;
    let mut range = frontier(tx, first_index)?;
    let mut leaf_hashes = Vec::new();
    while let Some(batch) = next()? {
        for entry in batch {
            let index = range.size();
            let completed = range.push(entry.hash);
            tx.insert(index, &entry.kind, &entry.leaf, &completed)?;
            leaf_hashes.push(entry.hash);
        }
        progress(leaf_hashes.len() as u64);
    }
    let tree_size = range.size();
    Ok(AppendReceipt {
        first_index,
        appended: tree_size - first_index,
        tree_size,
        leaf_hashes,
    })
}

/// The right edge of the tree of `size` leaves, read from stored hashes.
fn frontier(tx: &mut dyn AppendTx, size: u64) -> Result<CompactRange, LedgerError> {
    let indexes = tlog::sub_tree_index(0, size, Vec::new());
    let hashes = read_stored(&indexes, &mut |records| tx.record_hashes(records))?;
    CompactRange::from_subtrees(size, &hashes)
        .ok_or_else(|| LedgerError::Internal("frontier has the wrong shape".into()))
}

/// Fetches the hash blobs of the given records, in order.
type BlobFetcher<'a> = dyn FnMut(&[u64]) -> Result<Vec<Vec<u8>>, StoreError> + 'a;

/// Reads tlog stored hashes by index through a per-record blob fetcher.
fn read_stored(indexes: &[u64], fetch: &mut BlobFetcher<'_>) -> Result<Vec<Hash>, StoreError> {
    let slots: Vec<(u64, usize)> = indexes.iter().map(|&i| record_of_stored_hash(i)).collect();
    let mut records: Vec<u64> = slots.iter().map(|s| s.0).collect();
    records.sort_unstable();
    records.dedup();
    let blobs = fetch(&records)?;
    slots
        .iter()
        .map(|&(record, slot)| {
            let pos = records
                .binary_search(&record)
                .expect("record was requested");
            let blob = &blobs[pos];
            blob.get(slot * 32..slot * 32 + 32)
                .map(|b| Hash(b.try_into().expect("32 bytes")))
                .ok_or_else(|| {
                    StoreError::Damaged(format!(
                        "entry {record} lacks stored hash {slot} (has {} bytes)",
                        blob.len()
                    ))
                })
        })
        .collect()
}

/// Adapts a store to `tlog::HashReader`, keeping the store's own error.
struct StoreReader<'a, S: LedgerStore + ?Sized> {
    store: &'a S,
    error: RefCell<Option<StoreError>>,
}

impl<'a, S: LedgerStore + ?Sized> StoreReader<'a, S> {
    fn new(store: &'a S) -> Self {
        StoreReader {
            store,
            error: RefCell::new(None),
        }
    }

    fn finish<T>(self, r: Result<T, tlog::Error>) -> Result<T, LedgerError> {
        match (r, self.error.into_inner()) {
            (_, Some(e)) => Err(e.into()),
            (Ok(v), None) => Ok(v),
            (Err(e), None) => Err(LedgerError::Internal(e.to_string())),
        }
    }
}

impl<S: LedgerStore + ?Sized> HashReader for StoreReader<'_, S> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog::Error> {
        read_stored(indexes, &mut |records| self.store.record_hashes(records)).map_err(|e| {
            *self.error.borrow_mut() = Some(e);
            tlog::Error::IndexesNotInTree
        })
    }
}
