//! What every request shares: the store (one writer connection, a few readers), the
//! policies, the token cache and the metrics. Database work runs on tokio's blocking
//! pool so that SQLite's synchronous calls never stall the async workers.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Map, json};
use synthgov_registry::policy::{Action, Policies, Principal, Records};
use synthgov_registry::registry::Authorizer;
use synthgov_registry::tokens::TokenRecord;
use synthgov_registry::{Actor, ExternalEvent, Registry};
use synthgov_scan::rules::Catalog;
use synthgov_store::Home;

use crate::error::ApiError;
use crate::metrics::Metrics;

/// How long an authenticated token is trusted without reading the store again: a
/// revocation takes effect on every instance within this time.
const TOKEN_TTL: Duration = Duration::from_secs(1);

pub struct AppState {
    pub home: Home,
    writer: Mutex<Registry>,
    readers: Vec<Mutex<Registry>>,
    next_reader: AtomicUsize,
    pub policies: Arc<Policies>,
    pub catalog: Catalog,
    pub metrics: Metrics,
    /// Served over TLS: the dashboard's session cookie is marked `Secure`.
    pub tls: bool,
    tokens: Mutex<HashMap<String, (TokenRecord, Instant)>>,
    decisions: Mutex<HashMap<DecisionKey, Result<(), String>>>,
    appends: tokio::sync::mpsc::Sender<PendingAppend>,
}

pub type Shared = Arc<AppState>;

/// (token id, action, resource tenant, resource shared).
type DecisionKey = (String, &'static str, Option<String>, bool);

/// Events waiting for the group committer, with where to send each receipt.
pub struct PendingAppend {
    event: ExternalEvent,
    reply: tokio::sync::oneshot::Sender<Result<(u64, String), ApiError>>,
}

/// Events one group commit takes at most: one transaction (one fsync) for all of
/// them, instead of one each.
const GROUP_MAX: usize = 2_000;

/// Takes whatever appends are waiting, commits them in one transaction, answers
/// each. A lone request is committed at once (no waiting for company); under load
/// the queue fills while the previous commit syncs, so batches grow by themselves.
fn group_committer(
    state: std::sync::Weak<AppState>,
    mut rx: tokio::sync::mpsc::Receiver<PendingAppend>,
) {
    let mut batch = Vec::with_capacity(GROUP_MAX);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < GROUP_MAX {
            match rx.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        let Some(s) = state.upgrade() else { return };
        let events = batch.iter().map(|p| p.event.clone()).collect();
        // A panic in one commit must not stop the committer (every later append would
        // then fail): it becomes an error for this batch, and the loop goes on.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            lock(&s.writer).append_external_batch(events)
        }))
        .unwrap_or_else(|panic| {
            let why = synthgov_core::panic::message(panic.as_ref());
            tracing::error!(%why, "group commit panicked; the batch is refused and the committer goes on");
            Err(synthgov_registry::RegistryError::Store(
                synthgov_ledger::StoreError::Database(format!(
                    "internal error while committing: {why}"
                )),
            ))
        });
        match result {
            Ok(r) => {
                s.metrics.appended(r.appended);
                for (i, p) in batch.drain(..).enumerate() {
                    let hash = r
                        .leaf_hashes
                        .get(i)
                        .map(synthgov_ledger::hash::to_hex)
                        .unwrap_or_default();
                    let _ = p.reply.send(Ok((r.first_index + i as u64, hash)));
                }
            }
            Err(e) => {
                let e = ApiError::from(e);
                for p in batch.drain(..) {
                    let _ = p.reply.send(Err(e.clone()));
                }
            }
        }
    }
}

impl AppState {
    pub fn open(
        home: Home,
        policies: Policies,
        readers: usize,
        tls: bool,
    ) -> Result<Arc<AppState>, ApiError> {
        let policies = Arc::new(policies);
        // The writer judges every write by the caller's principal: a handler that
        // forgot its check still cannot write what the policies forbid.
        let writer =
            Registry::open(&home)?.with_authorizer(Box::new(PolicyAuthorizer(policies.clone())));
        let readers = (0..readers.max(1))
            .map(|_| Registry::open(&home).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        let (appends, rx) = tokio::sync::mpsc::channel(4 * GROUP_MAX);
        let state = Arc::new(AppState {
            home,
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
            policies,
            catalog: Catalog::shipped(),
            metrics: Metrics::default(),
            tls,
            tokens: Mutex::new(HashMap::new()),
            decisions: Mutex::new(HashMap::new()),
            appends,
        });
        let weak = Arc::downgrade(&state);
        std::thread::Builder::new()
            .name("group-commit".into())
            .spawn(move || group_committer(weak, rx))
            .map_err(ApiError::internal)?;
        Ok(state)
    }

    /// Appends an external event through the group committer; returns its index and
    /// leaf hash once the transaction holding it is durable.
    pub async fn append(&self, event: ExternalEvent) -> Result<(u64, String), ApiError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.appends
            .send(PendingAppend { event, reply })
            .await
            .map_err(|_| ApiError::internal("the group committer stopped"))?;
        answer
            .await
            .map_err(|_| ApiError::internal("the group committer stopped"))?
    }

    fn reader(&self) -> MutexGuard<'_, Registry> {
        let n = self.readers.len();
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        for i in 0..n {
            if let Ok(g) = self.readers[(start + i) % n].try_lock() {
                return g;
            }
        }
        lock(&self.readers[start % n])
    }

    /// Runs `f` with a read connection on the blocking pool.
    pub async fn read<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Registry) -> Result<T, ApiError> + Send + 'static,
    {
        let s = self.clone();
        tokio::task::spawn_blocking(move || f(&s.reader()))
            .await
            .map_err(ApiError::internal)?
    }

    /// Runs `f` with the write connection on the blocking pool. Writes go through the
    /// registry's one write path; the store's lock orders them across processes.
    pub async fn write<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Registry) -> Result<T, ApiError> + Send + 'static,
    {
        let s = self.clone();
        tokio::task::spawn_blocking(move || f(&mut lock(&s.writer)))
            .await
            .map_err(ApiError::internal)?
    }

    /// The token's record, from the cache or the store.
    pub async fn authenticate(self: &Arc<Self>, token: String) -> Result<TokenRecord, ApiError> {
        if let Some((rec, at)) = lock(&self.tokens).get(&token)
            && at.elapsed() < TOKEN_TTL
            && rec.usable_at(time::OffsetDateTime::now_utc()).is_ok()
        {
            return Ok(rec.clone());
        }
        let t = token.clone();
        let found = self
            .read(move |reg| Ok(synthgov_registry::tokens::authenticate(reg, &t)?))
            .await?;
        match found {
            Ok(rec) => {
                let mut cache = lock(&self.tokens);
                if cache.len() > 10_000 {
                    cache.clear();
                }
                cache.insert(token, (rec.clone(), Instant::now()));
                Ok(rec)
            }
            Err(synthgov_registry::tokens::Rejected::Tampered(problem)) => {
                lock(&self.tokens).remove(&token);
                self.metrics.denied();
                let mut data = Map::new();
                data.insert("table".into(), json!("tokens"));
                data.insert("problem".into(), json!(problem));
                self.write(move |reg| {
                    Ok(reg.record_integrity_violation(&Actor::new("synthgov:serve"), data)?)
                })
                .await?;
                Err(ApiError::unauthorized(
                    "this token's record does not match the ledger; it is refused",
                ))
            }
            Err(why) => {
                lock(&self.tokens).remove(&token);
                Err(ApiError::unauthorized(match why {
                    synthgov_registry::tokens::Rejected::Unusable(w) => w.to_string(),
                    _ => "unknown or malformed bearer token".to_string(),
                }))
            }
        }
    }

    /// The policies' answer, remembered: it depends only on the token (whose role
    /// and tenant never change), the action and the resource's attributes, and the
    /// policies are fixed for the server's life.
    fn decide(&self, who: &Caller, action: Action, what: &Records) -> Result<(), String> {
        let key = (
            who.principal.id.clone(),
            action.as_str(),
            what.tenant.clone(),
            what.shared,
        );
        if let Some(d) = lock(&self.decisions).get(&key) {
            return d.clone();
        }
        let d = self.policies.decide(&who.principal, action, what);
        let mut cache = lock(&self.decisions);
        if cache.len() > 100_000 {
            cache.clear();
        }
        cache.insert(key, d.clone());
        d
    }

    /// Whether the policies permit it, without recording anything: for deciding
    /// what a page shows, not for refusing a request.
    pub fn permits(&self, who: &Caller, action: Action, what: &Records) -> bool {
        self.decide(who, action, what).is_ok()
    }

    /// Asks the policies; a denial is recorded as `access.denied` and answered 403.
    pub async fn allow(
        self: &Arc<Self>,
        who: &Caller,
        action: Action,
        what: Records,
    ) -> Result<(), ApiError> {
        let Err(reason) = self.decide(who, action, &what) else {
            return Ok(());
        };
        self.metrics.denied();
        let actor = who.actor();
        let why = reason.clone();
        self.write(move |reg| Ok(reg.deny(&actor, action, what.tenant.as_deref(), &why)))
            .await?;
        Err(ApiError::forbidden(reason))
    }
}

/// The registry's authorizer in the server: the actor's principal judged by the
/// policies. An actor without a principal (nobody authenticated) may not write.
struct PolicyAuthorizer(Arc<Policies>);

impl Authorizer for PolicyAuthorizer {
    fn authorize(&self, actor: &Actor, action: Action, tenant: Option<&str>) -> Result<(), String> {
        match &actor.principal {
            Some(p) => self.0.decide(p, action, &Records::tenant(tenant)),
            None => Err(format!(
                "{} has no authenticated principal: the server writes only for a caller",
                actor.name
            )),
        }
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
}

impl Caller {
    pub fn from_record(r: &TokenRecord) -> Caller {
        Caller {
            principal: Principal {
                id: r.id.clone(),
                name: r.name.clone(),
                role: r.role.clone(),
                tenant: r.tenant.clone(),
            },
        }
    }

    /// The actor recorded on the events this caller causes.
    pub fn actor(&self) -> Actor {
        Actor::for_principal(
            format!("api:{}#{}", self.principal.name, self.principal.id),
            self.principal.clone(),
        )
    }

    pub fn tenant(&self) -> Option<&str> {
        self.principal.tenant.as_deref()
    }
}

/// A poisoned lock only means another request panicked; the connection is still
/// usable (SQLite rolled back whatever that request had open).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
