//! synthgov-store: where synthgov keeps things.
//!
//! - [`home`]: the home folder (`synthgov.toml`, `keys/`, `synthgov.db`), `init`, and
//!   opening a ledger from it;
//! - [`sqlite`]: the embedded SQLite implementation of
//!   [`synthgov_ledger::LedgerStore`] (one file, WAL, synchronous commits);
//! - [`migrations`]: versioned schema migrations.
//!
//! PostgreSQL implements the same trait in a later module.

pub mod home;
pub mod migrations;
pub mod sqlite;

pub use home::{Config, Home, HomeError};
pub use sqlite::SqliteStore;
