//! What the ledger needs from a database, so that SQLite (the embedded default) and
//! PostgreSQL plug in without touching the Merkle logic.
//!
//! The tree is stored the way Go's `sumdb/tlog` stores it: appending record `n` adds
//! its leaf hash and the root of every subtree that record completes (on average two
//! hashes). We keep those hashes in the record's own row, as one blob of 32-byte
//! hashes, lowest level first, so an append is one row write and any proof reads
//! O(log n) rows. [`record_of_stored_hash`] maps tlog's stored-hash index to that row.

use crate::hash::Hash;

/// A failure of the storage backend.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or refused the operation (exit 3).
    #[error("database error: {0}")]
    Database(String),
    /// A row the tree needs is absent or unreadable: someone edited the store.
    #[error("store is damaged: {0}")]
    Damaged(String),
}

/// One stored entry, as read for verification.
#[derive(Debug, Clone)]
pub struct EntryRow {
    pub index: u64,
    /// The entry's `type`, kept in its own column for `ledger list --type`.
    pub kind: String,
    /// The leaf bytes (RFC 8785 JSON).
    pub leaf: Vec<u8>,
    /// The hashes stored with this record, lowest level first.
    pub hashes: Vec<u8>,
}

/// A checkpoint as kept in the store.
#[derive(Debug, Clone)]
pub struct StoredCheckpoint {
    pub id: u64,
    pub size: u64,
    pub note: String,
}

/// Filter for [`LedgerStore::list`].
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Dotted type prefix: `generation` matches `generation` and `generation.*`.
    pub type_prefix: Option<String>,
    pub from: u64,
    pub limit: u64,
}

/// Read and write access to a ledger's rows.
pub trait LedgerStore: Send {
    /// Number of entries (one past the highest index).
    fn size(&self) -> Result<u64, StoreError>;
    /// The hash blobs stored with `records`, in the order asked. A missing record is
    /// [`StoreError::Damaged`].
    fn record_hashes(&self, records: &[u64]) -> Result<Vec<Vec<u8>>, StoreError>;
    /// The leaf bytes at `index`, if present.
    fn leaf(&self, index: u64) -> Result<Option<Vec<u8>>, StoreError>;
    /// (index, leaf bytes) in index order.
    fn list(&self, query: &ListQuery) -> Result<Vec<(u64, Vec<u8>)>, StoreError>;
    /// Calls `visit` with every row in index order, `batch` rows at a time, exactly as
    /// stored (gaps and all: that is what verification looks for). Stops early when
    /// `visit` returns false.
    fn scan(
        &self,
        batch: usize,
        visit: &mut dyn FnMut(Vec<EntryRow>) -> bool,
    ) -> Result<(), StoreError>;
    /// Every saved checkpoint, oldest first.
    fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError>;
    /// Saves a signed checkpoint for tree size `size`.
    fn save_checkpoint(&mut self, size: u64, note: &str) -> Result<(), StoreError>;
    /// Opens a write transaction that holds the log's write lock until it ends, so
    /// that concurrent writers (threads or processes) append one after the other.
    fn begin(&mut self) -> Result<Box<dyn AppendTx + '_>, StoreError>;
}

/// A write transaction. Dropping it without [`AppendTx::commit`] rolls back.
pub trait AppendTx {
    /// Size of the log as seen inside this transaction.
    fn size(&mut self) -> Result<u64, StoreError>;
    /// As [`LedgerStore::record_hashes`], inside the transaction.
    fn record_hashes(&mut self, records: &[u64]) -> Result<Vec<Vec<u8>>, StoreError>;
    /// Writes record `index`.
    fn insert(
        &mut self,
        index: u64,
        kind: &str,
        leaf: &[u8],
        hashes: &[Hash],
    ) -> Result<(), StoreError>;
    /// Commits durably: returns only once the data survives a crash.
    fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// The record whose row holds tlog stored hash `index`, and the slot in its blob.
pub fn record_of_stored_hash(index: u64) -> (u64, usize) {
    let (level, n) = tlog_tiles::tlog::split_stored_hash_index(index);
    // Hash (level, n) covers leaves [n << level, (n + 1) << level) and is written by
    // the last of them, as its `level`-th hash.
    (((n + 1) << level) - 1, usize::from(level))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tlog_tiles::tlog::stored_hash_index;

    #[test]
    fn stored_hash_index_maps_to_the_record_that_wrote_it() {
        // Walk records in order: record r writes 1 + trailing_ones(r) hashes, at
        // consecutive stored indexes starting at stored_hash_index(0, r).
        let mut next = 0u64;
        for r in 0..5000u64 {
            assert_eq!(stored_hash_index(0, r), next);
            let count = 1 + r.trailing_ones() as usize;
            for slot in 0..count {
                assert_eq!(record_of_stored_hash(next), (r, slot));
                next += 1;
            }
        }
    }
}
