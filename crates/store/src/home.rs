//! The home folder: `--home DIR`, else `$SYNTHGOV_HOME`, else `./.synthgov`.
//!
//! ```text
//! .synthgov/
//!   synthgov.toml     config: store id, ledger origin and key name, store URL
//!   synthgov.db       the SQLite store (default backend; with `--database
//!                     postgres://...` or `[store] url` the store is there instead)
//!   keys/             mode 0700
//!     ledger.key      Ed25519 signed-note skey, mode 0600, never replaced
//! ```
//!
//! `init` is idempotent: it creates what is missing and leaves what exists alone. A
//! key is written to a temporary file and hard-linked into place, so it appears
//! whole or not at all, and an existing key is never overwritten.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use synthgov_ledger::{LedgerKey, LogIdentity, StoreError};

use crate::db::{Db, Location, redact};

pub const CONFIG_FILE: &str = "synthgov.toml";
pub const DB_FILE: &str = "synthgov.db";
pub const KEYS_DIR: &str = "keys";
pub const LEDGER_KEY_FILE: &str = "ledger.key";
pub const MARKER_KEY_FILE: &str = "marker.key";

#[derive(Debug, thiserror::Error)]
pub enum HomeError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    BadConfig { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    BadKey { path: PathBuf, message: String },
    #[error("{0} is not initialized: run `synthgov init` (or pass --home DIR)")]
    NotInitialized(PathBuf),
    #[error(
        "the database {0} holds no synthgov store yet: run `synthgov --database URL init` with this home"
    )]
    DatabaseNotInitialized(String),
    #[error("--database {0}: expected postgres://... (or leave it out for the SQLite file)")]
    BadDatabaseUrl(String),
    #[error("store id mismatch: {config} says {in_config:?} but the database says {in_db:?}")]
    StoreIdMismatch {
        config: PathBuf,
        in_config: String,
        in_db: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl HomeError {
    /// True when the user's files are wrong (exit 2) rather than the environment.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            HomeError::BadConfig { .. }
                | HomeError::BadKey { .. }
                | HomeError::NotInitialized(_)
                | HomeError::DatabaseNotInitialized(_)
                | HomeError::BadDatabaseUrl(_)
                | HomeError::StoreIdMismatch { .. }
        )
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> HomeError + '_ {
    move |source| HomeError::Io {
        path: path.to_owned(),
        source,
    }
}

/// `synthgov.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub store: StoreConfig,
    pub ledger: LedgerConfig,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<ClassificationConfig>,
    /// `[scan]`: what `synthgov scan all` covers and the rule overrides; read and
    /// checked by the scan crate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan: Option<toml::Table>,
    /// `[disclose]`: disclosure texts, locale, provenance link, signing certificate;
    /// read and checked by the disclose crate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclose: Option<toml::Table>,
    /// `[siem]`: the sinks every ledger entry is forwarded to; read and checked by
    /// the server crate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub siem: Option<toml::Table>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassificationConfig {
    /// A rules file that extends or overrides the shipped classification rules
    /// (relative paths are relative to the home folder).
    pub rules: Option<PathBuf>,
    /// An application-dates file whose entries replace the shipped ones by id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dates: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// Fixed at `init`; names this store in checkpoint origins and audit packs.
    pub id: String,
    /// `postgres://...` to use PostgreSQL; absent for the SQLite file in the home.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerConfig {
    /// First line of every checkpoint; default `synthgov.local/<store id>`.
    pub origin: String,
    /// Signature name; the origin when absent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub key_name: Option<String>,
}

/// What `init` did.
#[derive(Debug, Clone, Serialize)]
pub struct InitReport {
    pub home: PathBuf,
    pub store_id: String,
    pub origin: String,
    pub verifier_key: String,
    /// Where the store is: the SQLite file, or the PostgreSQL URL (password hidden).
    pub database: String,
    pub created_config: bool,
    pub created_key: bool,
    pub created_database: bool,
}

/// A home folder, and the database named for this run if any.
#[derive(Debug, Clone)]
pub struct Home {
    pub dir: PathBuf,
    /// `--database` / `$SYNTHGOV_DATABASE`: overrides the config's `[store] url`.
    pub database: Option<String>,
}

impl Home {
    /// A home folder whose config says where its store is.
    pub fn at(dir: PathBuf) -> Home {
        Home {
            dir,
            database: None,
        }
    }

    /// `explicit` (from `--home`), else `$SYNTHGOV_HOME`, else `./.synthgov`; the
    /// database from `database` (`--database`), else `$SYNTHGOV_DATABASE`.
    pub fn resolve(explicit: Option<PathBuf>, database: Option<String>) -> Home {
        let dir = explicit
            .or_else(|| std::env::var_os("SYNTHGOV_HOME").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from(".synthgov"));
        let database = database
            .or_else(|| std::env::var("SYNTHGOV_DATABASE").ok())
            .filter(|d| !d.is_empty());
        Home { dir, database }
    }

    /// Where the store is: the named database, else the config's `[store] url`,
    /// else the SQLite file in the home folder.
    pub fn location(&self, config: &Config) -> Result<Location, HomeError> {
        match self.database.as_ref().or(config.store.url.as_ref()) {
            Some(url) if Location::is_postgres_url(url) => Ok(Location::Postgres(url.clone())),
            Some(url) => Err(HomeError::BadDatabaseUrl(redact(url))),
            None => Ok(Location::Sqlite(self.db_path())),
        }
    }

    /// The home folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.join(CONFIG_FILE)
    }
    pub fn db_path(&self) -> PathBuf {
        self.dir.join(DB_FILE)
    }
    pub fn key_path(&self) -> PathBuf {
        self.dir.join(KEYS_DIR).join(LEDGER_KEY_FILE)
    }
    pub fn marker_key_path(&self) -> PathBuf {
        self.dir.join(KEYS_DIR).join(MARKER_KEY_FILE)
    }

    /// The secret that keys row markers and fingerprints (32 bytes); created by
    /// `init` when missing, never replaced.
    pub fn marker_secret(&self) -> Result<[u8; 32], HomeError> {
        let path = self.marker_key_path();
        if !path.exists() {
            write_new_file(
                &path,
                format!("{}\n", hex::encode(rand::random::<[u8; 32]>())).as_bytes(),
                0o600,
            )
            .or_else(|e| if path.exists() { Ok(()) } else { Err(e) })?;
        }
        let text = fs::read_to_string(&path).map_err(io_err(&path))?;
        hex::decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| HomeError::BadKey {
                path,
                message: "expected 64 hex digits".into(),
            })
    }

    /// Creates whatever is missing; never replaces a key.
    pub fn init(&self) -> Result<InitReport, HomeError> {
        fs::create_dir_all(&self.dir).map_err(io_err(&self.dir))?;
        let keys = self.dir.join(KEYS_DIR);
        fs::create_dir_all(&keys).map_err(io_err(&keys))?;
        set_mode(&keys, 0o700)?;

        let config_path = self.config_path();
        let created_config = !config_path.exists();
        let config = if created_config {
            let id = hex::encode(rand::random::<[u8; 8]>());
            let config = Config {
                ledger: LedgerConfig {
                    origin: format!("synthgov.local/{id}"),
                    key_name: None,
                },
                // A database named at init is remembered, so later commands need
                // no flag.
                store: StoreConfig {
                    id,
                    url: self.database.clone(),
                },
                classification: None,
                scan: None,
                disclose: None,
                siem: None,
            };
            let text = format!(
                "# synthgov configuration. The store id is fixed at init; the origin is the\n\
                 # first line of every checkpoint, so changing it starts a new log identity.\n\n{}",
                toml::to_string_pretty(&config).expect("config serializes")
            );
            write_new_file(&config_path, text.as_bytes(), config_mode(&config))?;
            config
        } else {
            self.config()?
        };

        let key_path = self.key_path();
        let created_key = !key_path.exists();
        if created_key {
            let key = LedgerKey::generate();
            let skey = key
                .to_skey(config.key_name())
                .map_err(|e| HomeError::BadConfig {
                    path: config_path.clone(),
                    message: format!("ledger.key_name: {e}"),
                })?;
            write_new_file(&key_path, format!("{skey}\n").as_bytes(), 0o600)?;
        }

        self.marker_secret()?;
        let location = self.location(&config)?;
        if let Location::Sqlite(path) = &location {
            private_database(path)?;
        }
        let store = Db::open(&location).map_err(|e| in_database(&location, e))?;
        if let Location::Sqlite(path) = &location {
            // SQLite gives its -wal and -shm files the database's mode; a store made
            // by an older synthgov is tightened here too.
            for p in [
                path.clone(),
                path.with_extension("db-wal"),
                path.with_extension("db-shm"),
            ] {
                if p.exists() {
                    set_mode(&p, 0o600)?;
                }
            }
        }
        let created_database = store.meta_get("store_id")?.is_none();
        let in_db = store.meta_init("store_id", &config.store.id)?;
        if in_db != config.store.id {
            return Err(HomeError::StoreIdMismatch {
                config: config_path,
                in_config: config.store.id,
                in_db,
            });
        }
        let key = self.load_key()?;
        let verifier_key = key
            .vkey(config.key_name())
            .map_err(|e| HomeError::BadConfig {
                path: config_path,
                message: format!("ledger.key_name: {e}"),
            })?;
        Ok(InitReport {
            home: self.dir.clone(),
            store_id: config.store.id.clone(),
            origin: config.ledger.origin.clone(),
            verifier_key,
            database: location.describe(),
            created_config,
            created_key,
            created_database,
        })
    }

    /// Reads `synthgov.toml`.
    pub fn config(&self) -> Result<Config, HomeError> {
        let path = self.config_path();
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(HomeError::NotInitialized(self.dir.clone()));
            }
            Err(e) => return Err(io_err(&path)(e)),
        };
        let config: Config = toml::from_str(&text).map_err(|e| HomeError::BadConfig {
            path: path.clone(),
            message: describe_toml_error(&text, &e),
        })?;
        if !signed_note_name_ok(config.key_name()) {
            return Err(HomeError::BadConfig {
                path,
                message: format!(
                    "ledger key name {:?} must be non-empty, without spaces or '+'",
                    config.key_name()
                ),
            });
        }
        Ok(config)
    }

    fn load_key(&self) -> Result<LedgerKey, HomeError> {
        let path = self.key_path();
        let text = fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                HomeError::NotInitialized(self.dir.clone())
            } else {
                io_err(&path)(e)
            }
        })?;
        LedgerKey::from_skey(&text).map_err(|e| HomeError::BadKey {
            path,
            message: e.to_string(),
        })
    }

    /// Opens the ledger of this home (tests of this crate; everyone else goes through
    /// the registry, the one write path).
    #[cfg(test)]
    fn open_ledger(&self) -> Result<synthgov_ledger::Ledger, HomeError> {
        let (store, identity) = self.open_parts()?;
        Ok(synthgov_ledger::Ledger::new(Box::new(store), identity))
    }

    /// The store and the log identity. Only the registry opens them (it is the one
    /// write path; a guard test keeps the CLI, the server and the capability crates
    /// from calling this).
    pub fn open_parts(&self) -> Result<(Db, LogIdentity), HomeError> {
        let config = self.config()?;
        let key = self.load_key()?;
        let location = self.location(&config)?;
        if let Location::Sqlite(path) = &location
            && !path.exists()
        {
            return Err(HomeError::NotInitialized(self.dir.clone()));
        }
        let store = Db::open(&location).map_err(|e| in_database(&location, e))?;
        match store.meta_get("store_id")? {
            Some(in_db) if in_db != config.store.id => {
                return Err(HomeError::StoreIdMismatch {
                    config: self.config_path(),
                    in_config: config.store.id,
                    in_db,
                });
            }
            Some(_) => {}
            None if matches!(location, Location::Postgres(_)) => {
                return Err(HomeError::DatabaseNotInitialized(location.describe()));
            }
            None => {}
        }
        let identity = LogIdentity {
            key_name: config.key_name().to_owned(),
            origin: config.ledger.origin,
            key,
        };
        Ok((store, identity))
    }
}

/// The config is readable by all unless it holds a database password.
fn config_mode(config: &Config) -> u32 {
    match &config.store.url {
        Some(url) if redact(url) != *url => 0o600,
        _ => 0o644,
    }
}

/// A store error, with where the store is when the message does not say.
fn in_database(at: &Location, e: StoreError) -> HomeError {
    match (at, e) {
        (Location::Postgres(_), StoreError::Database(m)) => {
            HomeError::Store(StoreError::Database(format!("{}: {m}", at.describe())))
        }
        (_, e) => HomeError::Store(e),
    }
}

impl Config {
    pub fn key_name(&self) -> &str {
        self.ledger
            .key_name
            .as_deref()
            .unwrap_or(&self.ledger.origin)
    }
}

fn signed_note_name_ok(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(char::is_whitespace) && !name.contains('+')
}

/// "line L, column C: message", from a toml error's byte span.
fn describe_toml_error(text: &str, e: &toml::de::Error) -> String {
    let msg = e.message().trim_end().to_owned();
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {col}: {msg}")
        }
        None => msg,
    }
}

/// Writes `bytes` to `path`, which must not exist, atomically: a temporary file is
/// written and synced, then hard-linked into place (which fails if `path` appeared).
fn write_new_file(path: &Path, bytes: &[u8], mode: u32) -> Result<(), HomeError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        std::process::id()
    ));
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(mode);
    }
    let result = (|| {
        let mut f = opts.open(&tmp).map_err(io_err(&tmp))?;
        f.write_all(bytes).map_err(io_err(&tmp))?;
        f.sync_all().map_err(io_err(&tmp))?;
        set_mode(&tmp, mode)?;
        fs::hard_link(&tmp, path).map_err(io_err(path))?;
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    let _ = fs::remove_file(&tmp);
    result
}

/// Creates the SQLite file owner-only (0600) before SQLite does (which would use
/// 0644): it holds every token hash and the whole ledger.
fn private_database(path: &Path) -> Result<(), HomeError> {
    if path.exists() {
        return Ok(());
    }
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    match o.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io_err(path)(e)),
    }
}

fn set_mode(path: &Path, mode: u32) -> Result<(), HomeError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(io_err(path))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_is_idempotent_and_keeps_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path().join("h"));
        let first = home.init().unwrap();
        assert!(first.created_key && first.created_config && first.created_database);
        let key_before = fs::read(home.key_path()).unwrap();
        let second = home.init().unwrap();
        assert!(!second.created_key && !second.created_config && !second.created_database);
        assert_eq!(fs::read(home.key_path()).unwrap(), key_before);
        assert_eq!(first.verifier_key, second.verifier_key);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(home.key_path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let mode = fs::metadata(home.dir.join(KEYS_DIR))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
            let db = std::fs::metadata(home.db_path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(db & 0o777, 0o600, "the store file is owner-only");
        }
    }

    #[test]
    fn a_config_with_a_database_password_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path().join("h"));
        home.init().unwrap();
        let mut config = home.config().unwrap();
        assert_eq!(config_mode(&config), 0o644);
        config.store.url = Some("postgres://sg@db/gov".into());
        assert_eq!(config_mode(&config), 0o644);
        config.store.url = Some("postgres://sg:secret@db/gov".into());
        assert_eq!(config_mode(&config), 0o600);
    }

    #[test]
    fn bad_config_names_line_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path().to_owned());
        home.init().unwrap();
        let text = fs::read_to_string(home.config_path()).unwrap();
        fs::write(home.config_path(), text.replace("origin", "orign")).unwrap();
        let err = home.config().unwrap_err().to_string();
        assert!(err.contains("synthgov.toml: line"), "{err}");
        assert!(err.contains("orign"), "{err}");
    }

    #[test]
    fn uninitialized_home_says_how_to_fix_it() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path().join("none"));
        let err = home.open_ledger().err().unwrap();
        assert!(err.is_bad_input());
        assert!(err.to_string().contains("synthgov init"));
    }
}
