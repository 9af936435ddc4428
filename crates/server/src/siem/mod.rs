//! SIEM forwarding: every ledger entry, in log order, to each configured sink.
//!
//! Each sink keeps a durable cursor in the store (`meta` key `siem.cursor.<name>`,
//! the index of the next entry to send). A forwarder reads a batch past the cursor,
//! sends it, and only then moves the cursor. So a crash or a SIEM outage never loses
//! an entry: the batch is sent again, which is the "at least once" of the contract;
//! in the normal case each entry arrives once.
//!
//! Several servers on one store (one SQLite file, or one PostgreSQL database) all
//! run forwarders, but only one sends for a sink at a time: it holds a lease in the
//! store (`siem.lease.<name>`: expiry and owner, renewed when half of it is left,
//! taken over by another server once it has expired), and it reads the shared cursor before
//! each batch. A server that stops or hangs hands the sink over after the lease's
//! 15 seconds; if it hangs in the middle of a send, that batch may arrive twice.
//!
//! Sinks are configured in `synthgov.toml`:
//!
//! ```toml
//! [[siem.sinks]]
//! name = "soc"              # names the cursor
//! kind = "syslog-tcp"       # syslog-udp | syslog-tcp | syslog-tls | ocsf-file | ocsf-http
//! address = "127.0.0.1:6514"
//! format = "rfc5424"        # or "cef" (syslog kinds)
//! # ca = "soc-ca.pem"       # syslog-tls: the collector's CA (PEM)
//! # server_name = "siem.example"
//! # path = "siem/ocsf.jsonl"  # ocsf-file (relative to the home)
//! # url = "https://..."     # ocsf-http; bearer_env = "SIEM_TOKEN"
//! ```

pub mod format;
pub mod transport;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::Deserialize;
use synthgov_ledger::LedgerStore;
use synthgov_ledger::ListQuery;
use synthgov_ledger::hash::{leaf_hash, to_hex};
use synthgov_registry::Registry;
use synthgov_store::{Db, Home};

use transport::Deliver;

/// Entries read and sent per batch.
const DEFAULT_BATCH: u64 = 500;
const IDLE_POLL: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum SiemError {
    /// The `[siem]` section is wrong (exit 2).
    #[error("synthgov.toml [siem]: {0}")]
    Config(String),
    /// The SIEM could not be reached or refused the batch; retried.
    #[error("sink {sink}: {source}")]
    Deliver {
        sink: String,
        source: std::io::Error,
    },
    /// The stored cursor is not an index.
    #[error("SIEM cursor {key}: {value:?} is not an entry index")]
    Cursor { key: String, value: String },
    /// Another server on the store is forwarding this sink.
    #[error("sink {sink}: forwarded by {owner} (its lease expires in {expires_in_ms} ms)")]
    Busy {
        sink: String,
        owner: String,
        expires_in_ms: u64,
    },
    #[error(transparent)]
    Registry(#[from] synthgov_registry::RegistryError),
    #[error(transparent)]
    Ledger(#[from] synthgov_ledger::LedgerError),
    #[error(transparent)]
    Store(#[from] synthgov_ledger::StoreError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SinkKind {
    SyslogUdp,
    SyslogTcp,
    SyslogTls,
    OcsfFile,
    OcsfHttp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SyslogFormat {
    #[default]
    Rfc5424,
    Cef,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SinkConfig {
    pub name: String,
    pub kind: SinkKind,
    pub address: Option<String>,
    #[serde(default)]
    pub format: SyslogFormat,
    pub ca: Option<PathBuf>,
    pub server_name: Option<String>,
    pub path: Option<PathBuf>,
    pub url: Option<String>,
    /// Environment variable holding the HTTP sink's bearer token.
    pub bearer_env: Option<String>,
    pub batch: Option<u64>,
    /// syslog-udp: the largest datagram sent (default 2,048 octets, what RFC 5426
    /// asks every receiver to accept); a larger entry goes as a summary naming its
    /// index and leaf hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_message: Option<usize>,
}

/// The UDP datagram limit unless a sink sets its own.
pub const UDP_MAX_MESSAGE: usize = 2048;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SiemSection {
    #[serde(default)]
    sinks: Vec<SinkConfig>,
}

/// The sinks of a home's `synthgov.toml` (none when there is no `[siem]`).
pub fn sinks_of(home: &Home) -> Result<Vec<SinkConfig>, SiemError> {
    let config = home
        .config()
        .map_err(|e| SiemError::Config(e.to_string()))?;
    let Some(table) = config.siem else {
        return Ok(Vec::new());
    };
    let section: SiemSection = table
        .try_into()
        .map_err(|e: toml::de::Error| SiemError::Config(e.message().to_owned()))?;
    let mut seen = std::collections::HashSet::new();
    for s in &section.sinks {
        check(s)?;
        if !seen.insert(s.name.clone()) {
            return Err(SiemError::Config(format!(
                "sink name {:?} is used twice",
                s.name
            )));
        }
    }
    Ok(section.sinks)
}

fn check(s: &SinkConfig) -> Result<(), SiemError> {
    let bad = |m: &str| SiemError::Config(format!("sink {:?}: {m}", s.name));
    if s.name.is_empty()
        || !s
            .name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(bad("name: letters, digits, - and _ only"));
    }
    if let Some(m) = s.max_message
        && !(480..=65_000).contains(&m)
    {
        return Err(bad("max_message: 480 to 65,000 octets"));
    }
    match s.kind {
        SinkKind::SyslogUdp | SinkKind::SyslogTcp if s.address.is_none() => {
            Err(bad("address = \"host:port\" is required"))
        }
        SinkKind::SyslogTls if s.address.is_none() || s.ca.is_none() => Err(bad(
            "address = \"host:port\" and ca = \"<PEM file>\" are required",
        )),
        SinkKind::OcsfFile if s.path.is_none() => Err(bad("path is required")),
        SinkKind::OcsfHttp if s.url.is_none() => Err(bad("url is required")),
        _ => Ok(()),
    }
}

/// The durable position of one sink: the index of the next entry to send, kept in
/// the store so that every server on it shares it.
pub struct Cursor {
    key: String,
    /// Where releases before the store-held cursor kept it: read once, if the
    /// store has none yet.
    legacy: PathBuf,
}

impl Cursor {
    pub fn of(home: &Home, sink: &str) -> Cursor {
        Cursor {
            key: format!("siem.cursor.{sink}"),
            legacy: home.dir.join("siem").join(format!("{sink}.cursor")),
        }
    }

    pub fn load(&self, db: &Db) -> Result<u64, SiemError> {
        let text = match db.meta_get(&self.key)? {
            Some(v) => v,
            None => match std::fs::read_to_string(&self.legacy) {
                Ok(t) => t,
                Err(_) => return Ok(0),
            },
        };
        text.trim().parse().map_err(|_| SiemError::Cursor {
            key: self.key.clone(),
            value: text.trim().to_owned(),
        })
    }

    pub fn store(&self, db: &Db, next: u64) -> Result<(), SiemError> {
        Ok(db.meta_set(&self.key, &next.to_string())?)
    }
}

/// How long a server may forward a sink without renewing its lease.
const LEASE: Duration = Duration::from_secs(15);

/// Which server forwards a sink: `siem.lease.<name>` = `<expiry, unix ms> <owner>`.
struct Lease {
    key: String,
    sink: String,
    owner: String,
    /// When the lease we last wrote expires (0: not held).
    held_until: u64,
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

impl Lease {
    fn new(sink: &str) -> Lease {
        Lease {
            key: format!("siem.lease.{sink}"),
            sink: sink.to_owned(),
            owner: format!(
                "{}:{}:{}",
                hostname(),
                std::process::id(),
                hex::encode(rand::random::<[u8; 4]>())
            ),
            held_until: 0,
        }
    }

    /// Takes or renews the lease; `Busy` while another server holds it. A lease with
    /// more than half its time left is not renewed: no store write per batch.
    fn hold(&mut self, db: &Db) -> Result<(), SiemError> {
        let now = now_ms();
        if self.held_until > now + LEASE.as_millis() as u64 / 2 {
            return Ok(());
        }
        self.held_until = 0;
        let mine = format!("{} {}", now + LEASE.as_millis() as u64, self.owner);
        let current = db.meta_get(&self.key)?;
        if let Some(v) = &current {
            let (expires, owner) = v.split_once(' ').unwrap_or(("0", ""));
            let expires: u64 = expires.parse().unwrap_or(0);
            if owner != self.owner && expires > now {
                return Err(SiemError::Busy {
                    sink: self.sink.clone(),
                    owner: owner.to_owned(),
                    expires_in_ms: expires - now,
                });
            }
        }
        if db.meta_swap(&self.key, current.as_deref(), &mine)? {
            self.held_until = now + LEASE.as_millis() as u64;
            Ok(())
        } else {
            // Another server renewed or took it between our read and our swap.
            Err(SiemError::Busy {
                sink: self.sink.clone(),
                owner: "another server".into(),
                expires_in_ms: LEASE.as_millis() as u64,
            })
        }
    }

    /// Gives the lease up (a clean stop), so another server takes over at once.
    fn release(&mut self, db: &Db) {
        self.held_until = 0;
        if let Ok(Some(v)) = db.meta_get(&self.key)
            && v.split_once(' ').is_some_and(|(_, o)| o == self.owner)
        {
            let _ = db.meta_swap(&self.key, Some(&v), &format!("0 {}", self.owner));
        }
    }
}

/// One sink's forwarder: formats entries past its cursor and delivers them.
pub struct Forwarder {
    pub config: SinkConfig,
    deliver: Box<dyn Deliver>,
    cursor: Cursor,
    lease: Lease,
    next: u64,
    host: String,
}

fn resolve_in(home: &Home, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_owned()
    } else {
        home.dir.join(p)
    }
}

impl Forwarder {
    pub fn open(home: &Home, config: SinkConfig) -> Result<Forwarder, SiemError> {
        check(&config)?;
        let deliver: Box<dyn Deliver> = match config.kind {
            SinkKind::SyslogUdp => Box::new(transport::Udp::new(
                config.address.as_deref().expect("checked"),
            )),
            SinkKind::SyslogTcp => Box::new(transport::Tcp::new(
                config.address.as_deref().expect("checked"),
            )),
            SinkKind::SyslogTls => {
                let address = config.address.as_deref().expect("checked");
                let host = address.rsplit_once(':').map_or(address, |(h, _)| h);
                let name = config.server_name.as_deref().unwrap_or(host);
                let ca = resolve_in(home, config.ca.as_deref().expect("checked"));
                Box::new(
                    transport::Tls::new(address, name, &ca)
                        .map_err(|e| SiemError::Config(format!("sink {:?}: {e}", config.name)))?,
                )
            }
            SinkKind::OcsfFile => Box::new(transport::JsonLinesFile {
                path: resolve_in(home, config.path.as_deref().expect("checked")),
            }),
            SinkKind::OcsfHttp => {
                let bearer = config
                    .bearer_env
                    .as_deref()
                    .and_then(|v| std::env::var(v).ok());
                Box::new(transport::JsonHttp::new(
                    config.url.as_deref().expect("checked"),
                    bearer,
                ))
            }
        };
        let cursor = Cursor::of(home, &config.name);
        let lease = Lease::new(&config.name);
        Ok(Forwarder {
            config,
            deliver,
            cursor,
            lease,
            next: 0,
            host: hostname(),
        })
    }

    /// The index of the next entry this sink will send, as of the last step.
    pub fn next(&self) -> u64 {
        self.next
    }

    /// Sends one batch past the cursor; returns how many entries were delivered
    /// (0: the sink is caught up). `Busy` when another server forwards the sink.
    pub fn step(&mut self, reg: &Registry) -> Result<u64, SiemError> {
        let db = reg.ledger().store();
        self.lease.hold(db)?;
        // Another server may have moved the cursor while it held the lease.
        self.next = self.cursor.load(db)?;
        let size = reg.ledger().size()?;
        if self.next >= size {
            return Ok(0);
        }
        let limit = self.config.batch.unwrap_or(DEFAULT_BATCH).clamp(1, 10_000);
        let rows = reg.ledger().store().list(&ListQuery {
            type_prefix: None,
            from: self.next,
            limit,
        })?;
        let mut batch = Vec::with_capacity(rows.len());
        let mut last = self.next;
        for (index, leaf) in &rows {
            let ev: serde_json::Value = serde_json::from_slice(leaf).unwrap_or_default();
            batch.push(match (self.config.kind, self.config.format) {
                (SinkKind::OcsfFile | SinkKind::OcsfHttp, _) => {
                    let h = to_hex(&leaf_hash(leaf));
                    serde_json::to_vec(&format::ocsf(*index, &h, &ev)).expect("json")
                }
                (kind, f) => {
                    let msg = match f {
                        SyslogFormat::Cef => format::cef(&self.host, *index, &ev),
                        SyslogFormat::Rfc5424 => format::rfc5424(&self.host, *index, leaf, &ev),
                    };
                    let max = self.config.max_message.unwrap_or(UDP_MAX_MESSAGE);
                    // A datagram above the path's limit is lost or refused for good
                    // ("Message too long"): send what the SIEM needs to fetch it.
                    if kind == SinkKind::SyslogUdp && msg.len() > max {
                        format::oversize(
                            &self.host,
                            *index,
                            leaf,
                            &ev,
                            msg.len(),
                            max,
                            f == SyslogFormat::Cef,
                        )
                    } else {
                        msg
                    }
                }
            });
            last = *index;
        }
        if batch.is_empty() {
            return Ok(0);
        }
        self.deliver
            .send(&batch)
            .map_err(|source| SiemError::Deliver {
                sink: self.config.name.clone(),
                source,
            })?;
        self.cursor.store(db, last + 1)?;
        self.next = last + 1;
        Ok(batch.len() as u64)
    }

    /// Hands the sink to another server at once (a clean stop).
    pub fn release(&mut self, reg: &Registry) {
        self.lease.release(reg.ledger().store());
    }

    /// Delivers until caught up (or an error).
    pub fn catch_up(&mut self, reg: &Registry) -> Result<u64, SiemError> {
        let mut total = 0;
        loop {
            match self.step(reg)? {
                0 => return Ok(total),
                n => total += n,
            }
        }
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "-".into())
}

/// Runs one forwarder until `stop` is set: polls the log, delivers, retries with
/// backoff (100 ms doubling to 5 s) while the SIEM is down. Runs on its own thread
/// with its own store connection, so a slow SIEM never holds up the API.
pub fn run(home: Home, mut fwd: Forwarder, stop: Arc<AtomicBool>) {
    let mut backoff = Duration::from_millis(100);
    let mut reg: Option<Registry> = None;
    let mut failing = false;
    while !stop.load(Ordering::Relaxed) {
        if reg.is_none() {
            match Registry::open(&home) {
                Ok(r) => reg = Some(r),
                Err(e) => {
                    tracing::warn!(sink = %fwd.config.name, error = %e, "cannot open the store");
                    sleep_unless(&stop, MAX_BACKOFF);
                    continue;
                }
            }
        }
        // A panic while formatting or sending is an error of this step (logged,
        // retried with backoff), never a forwarder thread that silently ends.
        let step = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            fwd.step(reg.as_ref().expect("opened above"))
        }))
        .unwrap_or_else(|panic| {
            let why = synthgov_core::panic::message(panic.as_ref());
            tracing::error!(sink = %fwd.config.name, %why, "SIEM forwarder panicked");
            Err(SiemError::Config(format!("internal error: {why}")))
        });
        match step {
            Ok(0) => sleep_unless(&stop, IDLE_POLL),
            Err(SiemError::Busy { .. }) => sleep_unless(&stop, IDLE_POLL.max(LEASE / 10)),
            Ok(n) => {
                if failing {
                    tracing::info!(sink = %fwd.config.name, next = fwd.next(), "SIEM reachable again");
                    failing = false;
                }
                tracing::debug!(sink = %fwd.config.name, sent = n, next = fwd.next(), "forwarded");
                backoff = Duration::from_millis(100);
            }
            Err(e) => {
                if !failing {
                    tracing::warn!(sink = %fwd.config.name, error = %e, next = fwd.next(), "SIEM delivery failed; retrying with backoff");
                    failing = true;
                }
                if matches!(e, SiemError::Ledger(_) | SiemError::Store(_)) {
                    reg = None;
                }
                sleep_unless(&stop, backoff);
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
    if let Some(r) = &reg {
        fwd.release(r);
    }
}

fn sleep_unless(stop: &AtomicBool, d: Duration) {
    let until = std::time::Instant::now() + d;
    while !stop.load(Ordering::Relaxed) {
        let now = std::time::Instant::now();
        if now >= until {
            return;
        }
        std::thread::sleep((until - now).min(Duration::from_millis(50)));
    }
}

/// Starts a thread per sink; set the flag and join the handles to stop them.
pub fn spawn_all(
    home: &Home,
    sinks: Vec<SinkConfig>,
    stop: &Arc<AtomicBool>,
) -> Result<Vec<std::thread::JoinHandle<()>>, SiemError> {
    let mut handles = Vec::new();
    for s in sinks {
        let fwd = Forwarder::open(home, s)?;
        let (h, st) = (home.clone(), stop.clone());
        let name = format!("siem-{}", fwd.config.name);
        handles.push(
            std::thread::Builder::new()
                .name(name)
                .spawn(move || run(h, fwd, st))
                .map_err(|e| SiemError::Config(format!("cannot start a thread: {e}")))?,
        );
    }
    Ok(handles)
}
