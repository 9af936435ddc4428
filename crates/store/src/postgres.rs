//! The ledger on PostgreSQL, for several `synthgov serve` processes sharing one log.
//!
//! The same tables as SQLite (BYTEA for blobs). An append takes
//! `LOCK TABLE ledger_entries IN EXCLUSIVE MODE` inside its transaction: readers go
//! on, writers (in any process) queue, and each sees the size the previous one
//! committed, so two servers append to one log without forking it. A commit returns
//! once PostgreSQL has made it durable (`synchronous_commit` is left at its default,
//! `on`).
//!
//! The `LedgerStore` trait is synchronous (the Merkle code and the CLI are); this
//! store drives sqlx on a runtime of its own. Call it from plain threads or tokio's
//! blocking pool, never from inside an async task.
//!
//! Scope today: the ledger. The registry's projections are still SQLite-only (see
//! docs/SERVER.md), so `--database postgres://` is not yet accepted by the CLI.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Row, Transaction};
use synthgov_ledger::hash::join_hashes;
use synthgov_ledger::{
    AppendTx, EntryRow, Hash, LedgerStore, ListQuery, StoreError, StoredCheckpoint,
};

/// Schema versions for PostgreSQL, like `migrations::MIGRATIONS` for SQLite.
pub const PG_MIGRATIONS: &[&str] = &[
    // 1: the ledger.
    "CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE ledger_entries (
        idx    BIGINT PRIMARY KEY,
        type   TEXT NOT NULL,
        leaf   BYTEA NOT NULL,
        hashes BYTEA NOT NULL
    );
    CREATE INDEX ledger_entries_type ON ledger_entries (type, idx);
    CREATE TABLE ledger_checkpoints (
        id         BIGSERIAL PRIMARY KEY,
        size       BIGINT NOT NULL,
        note       TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );",
];

fn db_err(e: sqlx::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

pub struct PgStore {
    // Declared before `rt`: fields drop in order, and the pool must go while the
    // runtime it spawned its connection tasks on is still there.
    pool: PgPool,
    rt: tokio::runtime::Runtime,
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // sqlx closes connections with tasks on the current runtime.
        let _inside = self.rt.enter();
        self.rt.block_on(self.pool.close());
    }
}

impl PgStore {
    /// Connects to `url` (`postgres://...`; `?options=-csearch_path%3Dschema` picks a
    /// schema) and migrates.
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError::Database(e.to_string()))?;
        let opts: PgConnectOptions = url
            .parse()
            .map_err(|e| StoreError::Database(format!("{url}: {e}")))?;
        let pool = rt
            .block_on(
                PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(std::time::Duration::from_secs(5))
                    .connect_with(opts),
            )
            .map_err(|e| StoreError::Database(format!("cannot connect to PostgreSQL: {e}")))?;
        let store = PgStore { pool, rt };
        store.migrate()?;
        Ok(store)
    }

    /// Brings the schema up to date under an advisory lock, so two servers starting
    /// together do not both migrate.
    fn migrate(&self) -> Result<(), StoreError> {
        self.rt.block_on(async {
            let mut tx = self.pool.begin().await.map_err(db_err)?;
            sqlx::query("SELECT pg_advisory_xact_lock(7465110001)")
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            sqlx::query("CREATE TABLE IF NOT EXISTS synthgov_schema (version BIGINT NOT NULL)")
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            let found: Option<i64> = sqlx::query_scalar("SELECT max(version) FROM synthgov_schema")
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
            let found = found.unwrap_or(0);
            let known = PG_MIGRATIONS.len() as i64;
            if found > known {
                return Err(StoreError::Database(format!(
                    "the database is at schema version {found}, newer than this synthgov knows ({known}); upgrade synthgov"
                )));
            }
            for (i, sql) in PG_MIGRATIONS.iter().enumerate().skip(found as usize) {
                sqlx::raw_sql(*sql).execute(&mut *tx).await.map_err(db_err)?;
                sqlx::query("INSERT INTO synthgov_schema (version) VALUES ($1)")
                    .bind(i as i64 + 1)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
            }
            tx.commit().await.map_err(db_err)
        })
    }
}

async fn read_hashes<'e, E>(exec: E, records: &[u64]) -> Result<Vec<Vec<u8>>, StoreError>
where
    E: sqlx::PgExecutor<'e>,
{
    let ids: Vec<i64> = records.iter().map(|r| *r as i64).collect();
    let rows = sqlx::query("SELECT idx, hashes FROM ledger_entries WHERE idx = ANY($1)")
        .bind(&ids)
        .fetch_all(exec)
        .await
        .map_err(db_err)?;
    let mut found = std::collections::HashMap::with_capacity(rows.len());
    for r in rows {
        found.insert(r.get::<i64, _>(0), r.get::<Vec<u8>, _>(1));
    }
    ids.iter()
        .map(|i| {
            found
                .get(i)
                .cloned()
                .ok_or_else(|| StoreError::Damaged(format!("record {i} is missing")))
        })
        .collect()
}

impl LedgerStore for PgStore {
    fn size(&self) -> Result<u64, StoreError> {
        self.rt.block_on(async {
            let n: Option<i64> = sqlx::query_scalar("SELECT max(idx) + 1 FROM ledger_entries")
                .fetch_one(&self.pool)
                .await
                .map_err(db_err)?;
            Ok(n.unwrap_or(0) as u64)
        })
    }

    fn record_hashes(&self, records: &[u64]) -> Result<Vec<Vec<u8>>, StoreError> {
        self.rt.block_on(read_hashes(&self.pool, records))
    }

    fn leaf(&self, index: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.rt.block_on(async {
            sqlx::query_scalar("SELECT leaf FROM ledger_entries WHERE idx = $1")
                .bind(index as i64)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)
        })
    }

    fn list(&self, q: &ListQuery) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let limit = q.limit.min(i64::MAX as u64) as i64;
        self.rt.block_on(async {
            let rows = match &q.type_prefix {
                None => sqlx::query(
                    "SELECT idx, leaf FROM ledger_entries WHERE idx >= $1 ORDER BY idx LIMIT $2",
                )
                .bind(q.from as i64)
                .bind(limit)
                .fetch_all(&self.pool)
                .await,
                Some(p) => {
                    sqlx::query(
                        "SELECT idx, leaf FROM ledger_entries
                     WHERE (type = $1 OR starts_with(type, $1 || '.')) AND idx >= $2
                     ORDER BY idx LIMIT $3",
                    )
                    .bind(p)
                    .bind(q.from as i64)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                }
            }
            .map_err(db_err)?;
            Ok(rows
                .into_iter()
                .map(|r| (r.get::<i64, _>(0) as u64, r.get::<Vec<u8>, _>(1)))
                .collect())
        })
    }

    fn scan(
        &self,
        batch: usize,
        visit: &mut dyn FnMut(Vec<EntryRow>) -> bool,
    ) -> Result<(), StoreError> {
        let mut from = -1i64;
        loop {
            let rows = self.rt.block_on(async {
                sqlx::query(
                    "SELECT idx, type, leaf, hashes FROM ledger_entries WHERE idx > $1 ORDER BY idx LIMIT $2",
                )
                .bind(from)
                .bind(batch.max(1) as i64)
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)
            })?;
            if rows.is_empty() {
                return Ok(());
            }
            let chunk: Vec<EntryRow> = rows
                .into_iter()
                .map(|r| EntryRow {
                    index: r.get::<i64, _>(0) as u64,
                    kind: r.get(1),
                    leaf: r.get(2),
                    hashes: r.get(3),
                })
                .collect();
            from = chunk.last().map_or(from, |e| e.index as i64);
            if !visit(chunk) {
                return Ok(());
            }
        }
    }

    fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        self.rt.block_on(async {
            let rows = sqlx::query("SELECT id, size, note FROM ledger_checkpoints ORDER BY id")
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
            Ok(rows
                .into_iter()
                .map(|r| StoredCheckpoint {
                    id: r.get::<i64, _>(0) as u64,
                    size: r.get::<i64, _>(1) as u64,
                    note: r.get(2),
                })
                .collect())
        })
    }

    fn save_checkpoint(&mut self, size: u64, note: &str) -> Result<(), StoreError> {
        self.rt.block_on(async {
            sqlx::query("INSERT INTO ledger_checkpoints (size, note) VALUES ($1, $2)")
                .bind(size as i64)
                .bind(note)
                .execute(&self.pool)
                .await
                .map_err(db_err)
                .map(|_| ())
        })
    }

    fn begin(&mut self) -> Result<Box<dyn AppendTx + '_>, StoreError> {
        let tx = self.rt.block_on(async {
            let mut tx = self.pool.begin().await.map_err(db_err)?;
            sqlx::query("LOCK TABLE ledger_entries IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            Ok::<_, StoreError>(tx)
        })?;
        Ok(Box::new(PgTx {
            rt: &self.rt,
            tx: Some(tx),
        }))
    }
}

pub struct PgTx<'a> {
    rt: &'a tokio::runtime::Runtime,
    tx: Option<Transaction<'static, Postgres>>,
}

impl Drop for PgTx<'_> {
    fn drop(&mut self) {
        // Not committed: roll back now, inside the runtime sqlx needs for it.
        if let Some(tx) = self.tx.take() {
            let _ = self.rt.block_on(tx.rollback());
        }
    }
}

impl AppendTx for PgTx<'_> {
    fn size(&mut self) -> Result<u64, StoreError> {
        let tx = self.tx.as_mut().expect("open until commit");
        self.rt.block_on(async {
            let n: Option<i64> = sqlx::query_scalar("SELECT max(idx) + 1 FROM ledger_entries")
                .fetch_one(&mut **tx)
                .await
                .map_err(db_err)?;
            Ok(n.unwrap_or(0) as u64)
        })
    }

    fn record_hashes(&mut self, records: &[u64]) -> Result<Vec<Vec<u8>>, StoreError> {
        let tx = self.tx.as_mut().expect("open until commit");
        self.rt.block_on(read_hashes(&mut **tx, records))
    }

    fn insert(
        &mut self,
        index: u64,
        kind: &str,
        leaf: &[u8],
        hashes: &[Hash],
    ) -> Result<(), StoreError> {
        let tx = self.tx.as_mut().expect("open until commit");
        self.rt.block_on(async {
            sqlx::query(
                "INSERT INTO ledger_entries (idx, type, leaf, hashes) VALUES ($1, $2, $3, $4)",
            )
            .bind(index as i64)
            .bind(kind)
            .bind(leaf)
            .bind(join_hashes(hashes))
            .execute(&mut **tx)
            .await
            .map_err(db_err)
            .map(|_| ())
        })
    }

    fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        let tx = self.tx.take().expect("open until commit");
        self.rt.block_on(tx.commit()).map_err(db_err)
    }
}
