//! Versioned schema migrations for SQLite, tracked with `PRAGMA user_version`.
//!
//! Each migration runs once, in order, inside its own transaction. A database written
//! by a newer synthgov (a higher version than we know) is refused rather than touched.
//! Never edit a shipped migration: add a new one.

use rusqlite::Connection;

/// The migrations, version = position + 1.
pub const MIGRATIONS: &[&str] = &[
    // 1: the ledger.
    "CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE ledger_entries (
        idx    INTEGER PRIMARY KEY,   -- entry index, from 0
        type   TEXT NOT NULL,         -- the entry's type, for listing by prefix
        leaf   BLOB NOT NULL,         -- RFC 8785 bytes, exactly as hashed
        hashes BLOB NOT NULL          -- tlog stored hashes written with this entry
    );
    CREATE INDEX ledger_entries_type ON ledger_entries (type, idx);
    CREATE TABLE ledger_checkpoints (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        size       INTEGER NOT NULL,
        note       TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );",
    // 2: the registry's projections of the log (rebuilt from it if needed).
    "CREATE TABLE inventory_objects (
        kind         TEXT NOT NULL,     -- store | source | generator | dataset | system | vendor
        id           TEXT NOT NULL,
        body         TEXT NOT NULL,     -- canonical JSON of the declaration
        ledger_index INTEGER NOT NULL,  -- entry that set it
        PRIMARY KEY (kind, id)
    );
    CREATE TABLE dataset_versions (
        dataset        TEXT NOT NULL,
        version        INTEGER NOT NULL,
        content_sha256 TEXT NOT NULL,
        files          INTEGER NOT NULL,
        bytes          INTEGER NOT NULL,
        ledger_index   INTEGER NOT NULL,
        PRIMARY KEY (dataset, version)
    );
    CREATE TABLE system_training (
        system  TEXT NOT NULL,
        dataset TEXT NOT NULL,
        version INTEGER,                -- NULL: no version existed when recorded
        PRIMARY KEY (system, dataset)
    );
    CREATE INDEX system_training_dataset ON system_training (dataset, version);
    CREATE TABLE assets (
        uri          TEXT PRIMARY KEY,  -- file path, magento://…, shopify://…
        sha256       TEXT,              -- NULL when the bytes are not at hand
        kind         TEXT NOT NULL,     -- image | text | tabular | document
        generator    TEXT,
        dataset      TEXT,
        surface      TEXT,
        platform     TEXT,
        ai_generated INTEGER NOT NULL,
        bytes        INTEGER,
        attrs        TEXT NOT NULL,     -- canonical JSON of platform details
        ledger_index INTEGER NOT NULL
    );
    CREATE INDEX assets_sha256 ON assets (sha256);
    CREATE INDEX assets_generator ON assets (generator);",
    // 3: feature flags and the fingerprints of generated datasets.
    "CREATE TABLE flags (
        name         TEXT PRIMARY KEY,
        enabled      INTEGER NOT NULL,
        changed_at   TEXT NOT NULL,
        changed_by   TEXT NOT NULL,
        reason       TEXT,
        ledger_index INTEGER NOT NULL
    );
    CREATE TABLE fingerprints (
        dataset      TEXT NOT NULL,
        version      INTEGER NOT NULL,
        entity       TEXT NOT NULL,
        columns      TEXT NOT NULL,     -- JSON list of identifying column names
        filter       BLOB NOT NULL,     -- Bloom filter of keyed row fingerprints
        bits         INTEGER NOT NULL,
        hashes       INTEGER NOT NULL,
        items        INTEGER NOT NULL,
        PRIMARY KEY (dataset, version)
    );",
    // 4: every projection row names the ledger entry that set it, so `verify` can
    // check it against the log (-1: written before this migration; `rebuild` fills it).
    "ALTER TABLE system_training ADD COLUMN ledger_index INTEGER NOT NULL DEFAULT -1;
    ALTER TABLE fingerprints ADD COLUMN ledger_index INTEGER NOT NULL DEFAULT -1;",
];

#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error(
        "the database is at schema version {found}, newer than this synthgov knows ({known}); upgrade synthgov"
    )]
    TooNew { found: i64, known: i64 },
    #[error("migration {version} failed: {source}")]
    Failed {
        version: i64,
        source: rusqlite::Error,
    },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Brings the schema up to date; returns the version reached.
pub fn migrate(conn: &mut Connection) -> Result<i64, MigrationError> {
    let known = MIGRATIONS.len() as i64;
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > known {
        return Err(MigrationError::TooNew { found, known });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let version = i as i64 + 1;
        let fail = |source| MigrationError::Failed { version, source };
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        // Another process may have migrated while we waited for the lock.
        let now: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(fail)?;
        if now >= version {
            continue;
        }
        tx.execute_batch(sql).map_err(fail)?;
        tx.pragma_update(None, "user_version", version)
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
    }
    Ok(known)
}
