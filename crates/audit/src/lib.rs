//! synthgov-audit: audit packs an auditor verifies offline.
//!
//! - [`pack`]: gathers the inventory, classification, findings, incidents, quality and
//!   provenance into one folder, proves every cited ledger entry against a fresh
//!   checkpoint, and signs a manifest of every file;
//! - [`manifest`]: the signed `MANIFEST` (C2SP signed-note, `sha256sum -c` lines);
//! - [`proofs`]: `ledger/proofs.json`, entries and their inclusion proofs;
//! - [`verify`]: `verify-pack`, with nothing but the folder and a key;
//! - [`oscal`], [`diagram`], [`cards`], [`report`]: the documents inside;
//! - [`simulate`]: the quarterly audit rehearsal's score.
//!
//! Nothing here prints; the CLI writes what [`pack::build`] returns.

pub mod cards;
pub mod diagram;
pub mod error;
pub mod manifest;
pub mod oscal;
pub mod pack;
pub mod proofs;
pub mod report;
pub mod simulate;
pub mod verify;

pub use error::PackError;
