//! synthgov-store: where synthgov keeps things.
//!
//! - [`home`]: the home folder (`synthgov.toml`, `keys/`, `synthgov.db`), `init`, and
//!   opening a ledger from it;
//! - [`sqlite`]: the embedded SQLite implementation of
//!   [`synthgov_ledger::LedgerStore`] (one file, WAL, synchronous commits);
//! - [`migrations`]: versioned schema migrations;
//! - [`postgres`]: the ledger on PostgreSQL, for servers sharing one log.

pub mod home;
pub mod migrations;
pub mod postgres;
pub mod sqlite;

pub use home::{Config, Home, HomeError};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
