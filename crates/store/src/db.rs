//! [`Db`]: the store a home folder names, SQLite or PostgreSQL, behind one type.
//!
//! The ledger code sees a [`LedgerStore`]; the registry also runs its projection SQL
//! through [`Db::query`] and, inside the one write transaction, through
//! [`DbTx`]'s [`Sql::exec`], so the event and its projection commit together on
//! either database.

use synthgov_ledger::{
    AppendTx, EntryRow, Hash, LedgerStore, ListQuery, StoreError, StoredCheckpoint,
};

use crate::postgres::{PgStore, PgTx};
use crate::sql::{Param, Row, Sql};
use crate::sqlite::{SqliteStore, SqliteTx};

/// Where a store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The SQLite file (the default: `synthgov.db` in the home folder).
    Sqlite(std::path::PathBuf),
    /// A `postgres://` (or `postgresql://`) URL.
    Postgres(String),
}

impl Location {
    /// True for a URL this build can open as PostgreSQL.
    pub fn is_postgres_url(url: &str) -> bool {
        url.starts_with("postgres://") || url.starts_with("postgresql://")
    }

    /// For messages: the file, or the URL without its password.
    pub fn describe(&self) -> String {
        match self {
            Location::Sqlite(p) => p.display().to_string(),
            Location::Postgres(url) => redact(url),
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((auth, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

pub enum Db {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl Db {
    /// Opens (creating and migrating) the store at `at`.
    pub fn open(at: &Location) -> Result<Db, StoreError> {
        Ok(match at {
            Location::Sqlite(path) => Db::Sqlite(SqliteStore::open(path)?),
            Location::Postgres(url) => Db::Postgres(PgStore::open(url)?),
        })
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Rows of a read-only statement (see [`crate::sql`] for the dialect).
    pub fn query(&self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError> {
        match self {
            Db::Sqlite(s) => crate::sqlite::query(s.connection(), sql, params),
            Db::Postgres(p) => p.query(sql, params),
        }
    }

    /// The first row of a statement, if any.
    pub fn query_opt(&self, sql: &str, params: &[Param<'_>]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Operational state outside the log (SIEM cursors and leases), in the `meta`
    /// table; governance facts go through the registry's write path instead.
    fn exec(&self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError> {
        match self {
            Db::Sqlite(s) => crate::sqlite::exec(s.connection(), sql, params),
            Db::Postgres(p) => p.exec(sql, params),
        }
    }

    /// Sets `key` to `value`.
    pub fn meta_set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[key.into(), value.into()],
        )
        .map(|_| ())
    }

    /// Sets `key` to `value` only if it holds `expected` (None: absent); true when it
    /// did. Servers sharing the store use it to take turns (a lease).
    pub fn meta_swap(
        &self,
        key: &str,
        expected: Option<&str>,
        value: &str,
    ) -> Result<bool, StoreError> {
        let changed = match expected {
            None => self.exec(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
                &[key.into(), value.into()],
            )?,
            Some(old) => self.exec(
                "UPDATE meta SET value = ?1 WHERE key = ?2 AND value = ?3",
                &[value.into(), key.into(), old.into()],
            )?,
        };
        Ok(changed == 1)
    }

    pub fn meta_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        match self {
            Db::Sqlite(s) => s.meta_get(key),
            Db::Postgres(p) => p.meta_get(key),
        }
    }

    /// Sets `key` only if it has no value yet; returns the value in force.
    pub fn meta_init(&self, key: &str, value: &str) -> Result<String, StoreError> {
        match self {
            Db::Sqlite(s) => s.meta_init(key, value),
            Db::Postgres(p) => p.meta_init(key, value),
        }
    }

    /// A write transaction holding the log's write lock: the registry appends events
    /// and updates its projections through it, then commits once.
    pub fn write(&mut self) -> Result<DbTx<'_>, StoreError> {
        Ok(match self {
            Db::Sqlite(s) => DbTx::Sqlite(s.write()?),
            Db::Postgres(p) => DbTx::Postgres(p.write()?),
        })
    }

    fn inner(&self) -> &dyn LedgerStore {
        match self {
            Db::Sqlite(s) => s,
            Db::Postgres(p) => p,
        }
    }

    fn inner_mut(&mut self) -> &mut dyn LedgerStore {
        match self {
            Db::Sqlite(s) => s,
            Db::Postgres(p) => p,
        }
    }
}

impl LedgerStore for Db {
    fn size(&self) -> Result<u64, StoreError> {
        self.inner().size()
    }
    fn record_hashes(&self, records: &[u64]) -> Result<Vec<Vec<u8>>, StoreError> {
        self.inner().record_hashes(records)
    }
    fn leaf(&self, index: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner().leaf(index)
    }
    fn list(&self, query: &ListQuery) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        self.inner().list(query)
    }
    fn scan(
        &self,
        batch: usize,
        visit: &mut dyn FnMut(Vec<EntryRow>) -> bool,
    ) -> Result<(), StoreError> {
        self.inner().scan(batch, visit)
    }
    fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        self.inner().checkpoints()
    }
    fn save_checkpoint(&mut self, size: u64, note: &str) -> Result<(), StoreError> {
        self.inner_mut().save_checkpoint(size, note)
    }
    fn begin(&mut self) -> Result<Box<dyn AppendTx + '_>, StoreError> {
        Ok(Box::new(self.write()?))
    }
}

/// A write transaction on either database; rolls back when dropped uncommitted.
pub enum DbTx<'a> {
    Sqlite(SqliteTx<'a>),
    Postgres(PgTx<'a>),
}

impl DbTx<'_> {
    fn inner(&mut self) -> &mut dyn AppendTx {
        match self {
            DbTx::Sqlite(t) => t,
            DbTx::Postgres(t) => t,
        }
    }

    /// Commits durably.
    pub fn commit_now(self) -> Result<(), StoreError> {
        match self {
            DbTx::Sqlite(t) => t.commit_now(),
            DbTx::Postgres(t) => t.commit_now(),
        }
    }
}

impl Sql for DbTx<'_> {
    fn exec(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError> {
        match self {
            DbTx::Sqlite(t) => crate::sqlite::exec(t.sql(), sql, params),
            DbTx::Postgres(t) => t.exec(sql, params),
        }
    }
}

impl AppendTx for DbTx<'_> {
    fn size(&mut self) -> Result<u64, StoreError> {
        self.inner().size()
    }
    fn record_hashes(&mut self, records: &[u64]) -> Result<Vec<Vec<u8>>, StoreError> {
        self.inner().record_hashes(records)
    }
    fn insert(
        &mut self,
        index: u64,
        kind: &str,
        leaf: &[u8],
        hashes: &[Hash],
    ) -> Result<(), StoreError> {
        self.inner().insert(index, kind, leaf, hashes)
    }
    fn commit(self: Box<Self>) -> Result<(), StoreError> {
        (*self).commit_now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact("postgres://sg:hunter2@db:5432/x"),
            "postgres://sg:***@db:5432/x"
        );
        assert_eq!(redact("postgres://sg@db/x"), "postgres://sg@db/x");
        assert!(Location::is_postgres_url("postgresql://h/d"));
        assert!(!Location::is_postgres_url("mysql://h/d"));
    }
}
