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
//! The registry's projections live beside the log in the same database (migrations 2
//! and 3, as in SQLite) and are written in the append's transaction. Text columns use
//! the "C" collation, so `ORDER BY` gives the byte order SQLite gives whatever the
//! database's default collation.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, PgPool, Postgres, Row as _, Transaction};
use synthgov_ledger::hash::join_hashes;

use crate::sql::{Cell, Param, Row, to_postgres};
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
    // 2: the registry's projections of the log (see migrations.rs for the columns).
    r#"CREATE TABLE inventory_objects (
        kind         TEXT COLLATE "C" NOT NULL,
        id           TEXT COLLATE "C" NOT NULL,
        body         TEXT NOT NULL,
        ledger_index BIGINT NOT NULL,
        PRIMARY KEY (kind, id)
    );
    CREATE TABLE dataset_versions (
        dataset        TEXT COLLATE "C" NOT NULL,
        version        BIGINT NOT NULL,
        content_sha256 TEXT NOT NULL,
        files          BIGINT NOT NULL,
        bytes          BIGINT NOT NULL,
        ledger_index   BIGINT NOT NULL,
        PRIMARY KEY (dataset, version)
    );
    CREATE TABLE system_training (
        system  TEXT COLLATE "C" NOT NULL,
        dataset TEXT COLLATE "C" NOT NULL,
        version BIGINT,
        PRIMARY KEY (system, dataset)
    );
    CREATE INDEX system_training_dataset ON system_training (dataset, version);
    CREATE TABLE assets (
        uri          TEXT COLLATE "C" PRIMARY KEY,
        sha256       TEXT COLLATE "C",
        kind         TEXT NOT NULL,
        generator    TEXT COLLATE "C",
        dataset      TEXT COLLATE "C",
        surface      TEXT,
        platform     TEXT,
        ai_generated BIGINT NOT NULL,
        bytes        BIGINT,
        attrs        TEXT NOT NULL,
        ledger_index BIGINT NOT NULL
    );
    CREATE INDEX assets_sha256 ON assets (sha256);
    CREATE INDEX assets_generator ON assets (generator);"#,
    // 3: feature flags and the fingerprints of generated datasets.
    r#"CREATE TABLE flags (
        name         TEXT COLLATE "C" PRIMARY KEY,
        enabled      BIGINT NOT NULL,
        changed_at   TEXT NOT NULL,
        changed_by   TEXT NOT NULL,
        reason       TEXT,
        ledger_index BIGINT NOT NULL
    );
    CREATE TABLE fingerprints (
        dataset      TEXT COLLATE "C" NOT NULL,
        version      BIGINT NOT NULL,
        entity       TEXT NOT NULL,
        columns      TEXT NOT NULL,
        filter       BYTEA NOT NULL,
        bits         BIGINT NOT NULL,
        hashes       BIGINT NOT NULL,
        items        BIGINT NOT NULL,
        PRIMARY KEY (dataset, version)
    );"#,
    // 4: as migration 4 of SQLite.
    "ALTER TABLE system_training ADD COLUMN ledger_index BIGINT NOT NULL DEFAULT -1;
    ALTER TABLE fingerprints ADD COLUMN ledger_index BIGINT NOT NULL DEFAULT -1;",
];

fn db_err(e: sqlx::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

pub struct PgStore {
    // Declared before `rt`: fields drop in order, and the pool must go while the
    // runtime it spawned its connection tasks on is still there.
    pool: PgPool,
    rt: OwnRuntime,
}

/// The store's own runtime. Dropped from inside another runtime (a server stopping on
/// SIGTERM drops its state in an async context), a plain drop panics ("Cannot drop a
/// runtime in a context where blocking is not allowed"): there it is shut down in
/// the background instead.
struct OwnRuntime(Option<tokio::runtime::Runtime>);

impl std::ops::Deref for OwnRuntime {
    type Target = tokio::runtime::Runtime;
    fn deref(&self) -> &tokio::runtime::Runtime {
        self.0
            .as_ref()
            .expect("the runtime lives until the store is dropped")
    }
}

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            rt.shutdown_background();
        }
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        let pool = &self.pool;
        block_anywhere(&self.rt, async {
            pool.close().await;
        });
    }
}

/// `rt.block_on(f)`, also from inside another runtime's async context (a server
/// dropping its state as it stops), where blocking the thread is refused: there the
/// wait moves to a short-lived thread of its own. Only for drops; the store's other
/// calls come from plain threads or tokio's blocking pool.
fn block_anywhere<F>(rt: &tokio::runtime::Runtime, f: F) -> F::Output
where
    F: std::future::Future + Send,
    F::Output: Send,
{
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|s| {
            s.spawn(|| rt.block_on(f))
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p))
        })
    } else {
        rt.block_on(f)
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
            .map_err(|e| StoreError::Database(format!("{}: {e}", crate::db::redact(url))))?;
        let pool = rt
            .block_on(
                // A store is used by one thread at a time (the server opens one per
                // reader): two connections cover a read beside an open transaction.
                PgPoolOptions::new()
                    .max_connections(2)
                    .acquire_timeout(std::time::Duration::from_secs(5))
                    .connect_with(opts),
            )
            .map_err(|e| StoreError::Database(format!("cannot connect to PostgreSQL: {e}")))?;
        let store = PgStore {
            pool,
            rt: OwnRuntime(Some(rt)),
        };
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

/// Creates a new, empty schema named `<prefix>_<random hex>` in the database at
/// `url`, and returns a URL whose connections use it (`options=-csearch_path`): one
/// store per schema, as the tests use for a fresh store each.
pub fn new_schema(url: &str, prefix: &str) -> Result<String, StoreError> {
    if !prefix.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        return Err(StoreError::Database(format!(
            "schema prefix {prefix:?}: use lowercase letters and '_'"
        )));
    }
    let schema = format!("{prefix}_{}", hex::encode(rand::random::<[u8; 6]>()));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| StoreError::Database(e.to_string()))?;
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(url)
            .await
            .map_err(|e| StoreError::Database(format!("{}: {e}", crate::db::redact(url))))?;
        sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&mut c)
            .await
            .map_err(db_err)?;
        c.close().await.map_err(db_err)
    })?;
    let sep = if url.contains('?') { '&' } else { '?' };
    Ok(format!("{url}{sep}options=-csearch_path%3D{schema}"))
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
        Ok(Box::new(self.write()?))
    }
}

impl PgStore {
    /// A write transaction holding the log's write lock (see the module comment).
    pub fn write(&mut self) -> Result<PgTx<'_>, StoreError> {
        let tx = self.rt.block_on(async {
            let mut tx = self.pool.begin().await.map_err(db_err)?;
            sqlx::query("LOCK TABLE ledger_entries IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            Ok::<_, StoreError>(tx)
        })?;
        Ok(PgTx {
            rt: &self.rt,
            tx: Some(tx),
        })
    }

    pub fn meta_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.rt.block_on(async {
            sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)
        })
    }

    /// Sets `key` only if it has no value yet; returns the value in force.
    pub fn meta_init(&self, key: &str, value: &str) -> Result<String, StoreError> {
        self.rt.block_on(async {
            sqlx::query(
                "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            )
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await
            .map_err(db_err)
        })?;
        self.meta_get(key)?
            .ok_or_else(|| StoreError::Database(format!("meta {key} vanished")))
    }

    /// Runs a statement of the registry's SQL in a transaction of its own.
    pub fn exec(&self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError> {
        self.rt.block_on(async {
            bind(sqlx::query(AssertSqlSafe(to_postgres(sql))), params)
                .execute(&self.pool)
                .await
                .map(|r| r.rows_affected())
                .map_err(db_err)
        })
    }

    /// Rows of a statement of the registry's SQL (see [`crate::sql`]).
    pub fn query(&self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError> {
        self.rt.block_on(async {
            let rows = bind(sqlx::query(AssertSqlSafe(to_postgres(sql))), params)
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
            rows.iter().map(to_row).collect()
        })
    }
}

fn bind<'q>(
    mut q: sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>,
    params: &[Param<'_>],
) -> sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments> {
    for p in params {
        q = match p {
            Param::Int(v) => q.bind(*v),
            Param::Text(v) => q.bind(v.map(str::to_owned)),
            Param::Blob(v) => q.bind(v.to_vec()),
        };
    }
    q
}

fn to_row(r: &sqlx::postgres::PgRow) -> Result<Row, StoreError> {
    use sqlx::{Column, TypeInfo, ValueRef};
    let mut cells = Vec::with_capacity(r.columns().len());
    for (i, col) in r.columns().iter().enumerate() {
        if r.try_get_raw(i).map_err(db_err)?.is_null() {
            cells.push(Cell::Null);
            continue;
        }
        cells.push(match col.type_info().name() {
            "INT8" => Cell::Int(r.try_get::<i64, _>(i).map_err(db_err)?),
            "INT4" => Cell::Int(r.try_get::<i32, _>(i).map_err(db_err)?.into()),
            "INT2" => Cell::Int(r.try_get::<i16, _>(i).map_err(db_err)?.into()),
            "BOOL" => Cell::Int(r.try_get::<bool, _>(i).map_err(db_err)?.into()),
            "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => {
                Cell::Text(r.try_get::<String, _>(i).map_err(db_err)?)
            }
            "BYTEA" => Cell::Blob(r.try_get::<Vec<u8>, _>(i).map_err(db_err)?),
            other => {
                return Err(StoreError::Database(format!(
                    "column {} ({i}): unexpected PostgreSQL type {other}",
                    col.name()
                )));
            }
        });
    }
    Ok(Row(cells))
}

pub struct PgTx<'a> {
    rt: &'a tokio::runtime::Runtime,
    tx: Option<Transaction<'static, Postgres>>,
}

impl Drop for PgTx<'_> {
    fn drop(&mut self) {
        // Not committed: roll back now, inside the runtime sqlx needs for it.
        if let Some(tx) = self.tx.take() {
            let _ = block_anywhere(self.rt, tx.rollback());
        }
    }
}

impl PgTx<'_> {
    /// Runs a statement of the registry's SQL inside the transaction.
    pub fn exec(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError> {
        let tx = self.tx.as_mut().expect("open until commit");
        self.rt.block_on(async {
            bind(sqlx::query(AssertSqlSafe(to_postgres(sql))), params)
                .execute(&mut **tx)
                .await
                .map(|r| r.rows_affected())
                .map_err(db_err)
        })
    }

    /// Commits durably.
    pub fn commit_now(mut self) -> Result<(), StoreError> {
        let tx = self.tx.take().expect("open until commit");
        self.rt.block_on(tx.commit()).map_err(db_err)
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

    fn commit(self: Box<Self>) -> Result<(), StoreError> {
        (*self).commit_now()
    }
}
