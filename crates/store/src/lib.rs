//! synthgov-store: where synthgov keeps things.
//!
//! - [`home`]: the home folder (`synthgov.toml`, `keys/`, `synthgov.db`), `init`, and
//!   opening a ledger from it;
//! - [`sqlite`]: the embedded SQLite implementation of
//!   [`synthgov_ledger::LedgerStore`] (one file, WAL, synchronous commits);
//! - [`migrations`]: versioned schema migrations;
//! - [`postgres`]: the same on PostgreSQL, for servers sharing one store;
//! - [`db`]: either of them behind one type, as a home folder names it;
//! - [`sql`]: the registry's SQL, written once for both.

pub mod db;
pub mod home;
pub mod migrations;
pub mod postgres;
pub mod sql;
pub mod sqlite;

pub use db::{Db, DbTx, Location};
pub use home::{Config, Home, HomeError};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
