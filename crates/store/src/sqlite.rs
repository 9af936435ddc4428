//! The embedded store: one SQLite file in WAL mode with `synchronous=FULL`, so a
//! commit returns only after the WAL is synced (an acknowledged append survives a
//! crash or power loss). Appends take SQLite's write lock up front (`BEGIN
//! IMMEDIATE`), so concurrent writers, in this process or another, queue for it and
//! each sees the size the previous one committed: one log, no fork.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use synthgov_ledger::hash::join_hashes;
use synthgov_ledger::{
    AppendTx, EntryRow, Hash, LedgerStore, ListQuery, StoreError, StoredCheckpoint,
};

use crate::migrations::{self, MigrationError};

/// How long a writer waits for another writer's lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(120);

pub struct SqliteStore {
    conn: Connection,
}

fn db_err(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::Database(format!("{}: {e}", path.display())))?;
        Self::setup(conn)
    }

    /// An in-memory store, for tests and benchmarks.
    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        Self::setup(Connection::open_in_memory().map_err(db_err)?)
    }

    fn setup(mut conn: Connection) -> Result<SqliteStore, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT).map_err(db_err)?;
        // Larger pages halve the per-page work of bulk appends; this only takes effect
        // on a new database (before WAL mode is set), which is when it matters.
        conn.execute_batch("PRAGMA page_size = 16384")
            .map_err(db_err)?;
        // journal_mode returns a row; WAL persists in the file once set.
        let _: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(db_err)?;
        conn.execute_batch(
            "PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA cache_size = -65536;",
        )
        .map_err(db_err)?;
        migrations::migrate(&mut conn).map_err(|e| match e {
            MigrationError::Sqlite(e) => db_err(e),
            other => StoreError::Database(other.to_string()),
        })?;
        Ok(SqliteStore { conn })
    }

    /// The underlying connection, for the crates that keep projections beside the log.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    pub fn meta_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(db_err)
    }

    /// Sets `key` only if it has no value yet; returns the value in force.
    pub fn meta_init(&self, key: &str, value: &str) -> Result<String, StoreError> {
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
                params![key, value],
            )
            .map_err(db_err)?;
        self.meta_get(key)?
            .ok_or_else(|| StoreError::Database(format!("meta {key} vanished")))
    }
}

fn read_record_hashes(conn: &Connection, records: &[u64]) -> Result<Vec<Vec<u8>>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT hashes FROM ledger_entries WHERE idx = ?1")
        .map_err(db_err)?;
    records
        .iter()
        .map(|&r| {
            stmt.query_row([r as i64], |row| row.get::<_, Vec<u8>>(0))
                .optional()
                .map_err(db_err)?
                .ok_or_else(|| StoreError::Damaged(format!("entry {r} is missing")))
        })
        .collect()
}

fn read_size(conn: &Connection) -> Result<u64, StoreError> {
    let max: Option<i64> = conn
        .query_row("SELECT MAX(idx) FROM ledger_entries", [], |r| r.get(0))
        .map_err(db_err)?;
    Ok(max.map_or(0, |m| m as u64 + 1))
}

impl LedgerStore for SqliteStore {
    fn size(&self) -> Result<u64, StoreError> {
        read_size(&self.conn)
    }

    fn record_hashes(&self, records: &[u64]) -> Result<Vec<Vec<u8>>, StoreError> {
        read_record_hashes(&self.conn, records)
    }

    fn leaf(&self, index: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.conn
            .query_row(
                "SELECT leaf FROM ledger_entries WHERE idx = ?1",
                [index as i64],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err)
    }

    fn list(&self, q: &ListQuery) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let limit = i64::try_from(q.limit).unwrap_or(i64::MAX);
        let from = i64::try_from(q.from).unwrap_or(i64::MAX);
        let map = |r: &rusqlite::Row| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, Vec<u8>>(1)?));
        let rows: Result<Vec<_>, _> = match &q.type_prefix {
            None => {
                let mut stmt = self
                    .conn
                    .prepare_cached(
                        "SELECT idx, leaf FROM ledger_entries WHERE idx >= ?1 ORDER BY idx LIMIT ?2",
                    )
                    .map_err(db_err)?;
                stmt.query_map(params![from, limit], map)
                    .map_err(db_err)?
                    .collect()
            }
            Some(prefix) => {
                // `p` or anything under `p.`: '/' is the character after '.'.
                let mut stmt = self
                    .conn
                    .prepare_cached(
                        "SELECT idx, leaf FROM ledger_entries
                         WHERE idx >= ?1 AND (type = ?2 OR (type >= ?2 || '.' AND type < ?2 || '/'))
                         ORDER BY idx LIMIT ?3",
                    )
                    .map_err(db_err)?;
                stmt.query_map(params![from, prefix, limit], map)
                    .map_err(db_err)?
                    .collect()
            }
        };
        rows.map_err(db_err)
    }

    fn scan(
        &self,
        batch: usize,
        visit: &mut dyn FnMut(Vec<EntryRow>) -> bool,
    ) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT idx, type, leaf, hashes FROM ledger_entries ORDER BY idx")
            .map_err(db_err)?;
        let mut rows = stmt.query([]).map_err(db_err)?;
        let mut buf = Vec::with_capacity(batch);
        while let Some(row) = rows.next().map_err(db_err)? {
            let index: i64 = row.get(0).map_err(db_err)?;
            buf.push(EntryRow {
                index: index as u64,
                kind: row.get(1).map_err(db_err)?,
                leaf: row.get(2).map_err(db_err)?,
                hashes: row.get(3).map_err(db_err)?,
            });
            if buf.len() == batch && !visit(std::mem::replace(&mut buf, Vec::with_capacity(batch)))
            {
                return Ok(());
            }
        }
        if !buf.is_empty() {
            visit(buf);
        }
        Ok(())
    }

    fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, size, note FROM ledger_checkpoints ORDER BY id")
            .map_err(db_err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StoredCheckpoint {
                    id: r.get::<_, i64>(0)? as u64,
                    size: r.get::<_, i64>(1)? as u64,
                    note: r.get(2)?,
                })
            })
            .map_err(db_err)?;
        rows.collect::<Result<_, _>>().map_err(db_err)
    }

    fn save_checkpoint(&mut self, size: u64, note: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO ledger_checkpoints (size, note) VALUES (?1, ?2)",
                params![size as i64, note],
            )
            .map_err(db_err)?;
        Ok(())
    }

    fn begin(&mut self) -> Result<Box<dyn AppendTx + '_>, StoreError> {
        Ok(Box::new(self.write()?))
    }
}

impl SqliteStore {
    /// A write transaction holding the log's write lock, through which the registry
    /// appends events and updates its projection tables together.
    pub fn write(&mut self) -> Result<SqliteTx<'_>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_err)?;
        Ok(SqliteTx { tx })
    }
}

/// A SQLite write transaction; rolls back when dropped without commit.
pub struct SqliteTx<'c> {
    tx: rusqlite::Transaction<'c>,
}

impl SqliteTx<'_> {
    /// The SQL transaction, for projection updates.
    pub fn sql(&self) -> &rusqlite::Transaction<'_> {
        &self.tx
    }

    /// Commits durably.
    pub fn commit_now(self) -> Result<(), StoreError> {
        self.tx.commit().map_err(db_err)
    }
}

impl AppendTx for SqliteTx<'_> {
    fn size(&mut self) -> Result<u64, StoreError> {
        read_size(&self.tx)
    }

    fn record_hashes(&mut self, records: &[u64]) -> Result<Vec<Vec<u8>>, StoreError> {
        read_record_hashes(&self.tx, records)
    }

    fn insert(
        &mut self,
        index: u64,
        kind: &str,
        leaf: &[u8],
        hashes: &[Hash],
    ) -> Result<(), StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "INSERT INTO ledger_entries (idx, type, leaf, hashes) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(db_err)?;
        stmt.execute(params![index as i64, kind, leaf, join_hashes(hashes)])
            .map_err(db_err)?;
        Ok(())
    }

    fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.tx.commit().map_err(db_err)
    }
}

impl rusqlite::ToSql for crate::sql::Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use crate::sql::Param;
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Param::Int(Some(v)) => ToSqlOutput::from(*v),
            Param::Int(None) | Param::Text(None) => ToSqlOutput::Borrowed(ValueRef::Null),
            Param::Text(Some(s)) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Param::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

/// Runs a statement of the registry's SQL (see [`crate::sql`]) on `conn`.
pub fn exec(
    conn: &Connection,
    sql: &str,
    params: &[crate::sql::Param<'_>],
) -> Result<u64, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(db_err)?;
    let n = stmt
        .execute(rusqlite::params_from_iter(params))
        .map_err(db_err)?;
    Ok(n as u64)
}

/// The rows of a query of the registry's SQL on `conn`.
pub fn query(
    conn: &Connection,
    sql: &str,
    params: &[crate::sql::Param<'_>],
) -> Result<Vec<crate::sql::Row>, StoreError> {
    use crate::sql::{Cell, Row};
    use rusqlite::types::ValueRef;
    let mut stmt = conn.prepare_cached(sql).map_err(db_err)?;
    let columns = stmt.column_count();
    let mut rows = stmt
        .query(rusqlite::params_from_iter(params))
        .map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        let mut cells = Vec::with_capacity(columns);
        for i in 0..columns {
            cells.push(match r.get_ref(i).map_err(db_err)? {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(v) => Cell::Int(v),
                ValueRef::Text(t) => Cell::Text(
                    std::str::from_utf8(t)
                        .map_err(|e| StoreError::Database(format!("column {i}: {e}")))?
                        .to_owned(),
                ),
                ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
                ValueRef::Real(v) => {
                    return Err(StoreError::Database(format!(
                        "column {i}: unexpected floating-point value {v}"
                    )));
                }
            });
        }
        out.push(Row(cells));
    }
    Ok(out)
}
