//! synthgov-ledger: the append-only, tamper-evident log every governance fact lives in.
//!
//! Contract: `shared/spec/ledger.md`. In short:
//! - leaves are RFC 8785 JSON events; leaf hash = SHA-256(0x00 || leaf), node hash =
//!   SHA-256(0x01 || left || right) (RFC 9162 §2.1.1) — [`hash`];
//! - inclusion and consistency proofs of RFC 9162 §2.1.3 and §2.1.4 — [`log`] makes
//!   them from stored hashes, [`merkle`] checks them;
//! - checkpoints are C2SP tlog-checkpoint bodies in C2SP signed notes, Ed25519 —
//!   [`checkpoint`], [`key`];
//! - storage is a trait ([`storage::LedgerStore`]) implemented by `synthgov-store`.
//!
//! - the log as C2SP tlog-tiles (hash tiles and entry bundles) — [`tiles`].
//!
//! What is left out here: HTTP (the server crate serves the tiles), witnesses'
//! cosignatures.

pub mod bulk;
pub mod checkpoint;
pub mod error;
pub mod hash;
pub mod key;
pub mod log;
pub mod merkle;
pub mod storage;
pub mod tiles;
pub mod verify;

pub use checkpoint::Checkpoint;
pub use error::LedgerError;
pub use hash::Hash;
pub use key::LedgerKey;
pub use log::{
    AppendReceipt, ConsistencyProof, InclusionProof, Ledger, LogIdentity, PreparedEntry,
    append_in_tx,
};
pub use storage::{AppendTx, EntryRow, LedgerStore, ListQuery, StoreError, StoredCheckpoint};
pub use verify::{VerifyReport, verify, verify_visiting};
