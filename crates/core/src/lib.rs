//! synthgov-core: the types every other synthgov crate shares.
//!
//! - [`canonical`]: RFC 8785 (JCS) canonical JSON, the byte form of every ledger entry.
//! - [`json`]: a strict JSON reader that refuses duplicate object keys, so that no
//!   input field is silently dropped before it is canonicalized.
//! - [`event`]: the governance event (`type`, `time`, `actor`, `data`) and its
//!   validation, as fixed by `shared/spec/ledger.md`, Entries.
//! - [`digest`]: SHA-256 content hashing in lowercase hex.
//! - [`finding`]: the finding and report shape of `shared/spec/findings.md`.
//! - [`text`]: text normalization, so the same words hash the same everywhere.
//!
//! Nothing here touches files, databases or the terminal.

pub mod canonical;
pub mod digest;
pub mod event;
pub mod finding;
pub mod fsutil;
pub mod json;
pub mod panic;
pub mod testenv;
pub mod text;

pub use event::{Event, EventError};
