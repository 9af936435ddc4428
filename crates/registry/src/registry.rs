//! [`Registry`]: the one write path. Every state change is authorized, appended to the
//! ledger as an event, and applied to the projection tables, all in one database
//! transaction (SQLite or PostgreSQL): either the event and its projection both exist, or neither does.

use serde_json::{Map, Value, json};
use synthgov_core::Event;
use synthgov_core::event::now_rfc3339;
use synthgov_ledger::{AppendReceipt, Ledger, PreparedEntry, append_in_tx};
use synthgov_store::sql::Row;
use synthgov_store::{Db, Home};

use crate::catalogue::{self, EventType};
use crate::error::RegistryError;
use crate::policy::{Action, Principal};
pub use crate::projection::Projection;

/// Who acts, as recorded in every event's `actor`, and (for a server request) the
/// principal the policies judge.
#[derive(Debug, Clone)]
pub struct Actor {
    pub name: String,
    pub principal: Option<Principal>,
}

impl Actor {
    /// An actor named `name`. Names come from outside (token names, `--actor`), so
    /// control characters are escaped rather than refused: a denial of a hostile
    /// name must still be recorded.
    pub fn new(name: impl AsRef<str>) -> Actor {
        Actor {
            name: escape_name(name.as_ref()),
            principal: None,
        }
    }

    /// The actor of a server request, judged by the policies as `principal`.
    pub fn for_principal(name: impl AsRef<str>, principal: Principal) -> Actor {
        Actor {
            principal: Some(principal),
            ..Actor::new(name)
        }
    }
}

/// `name` with control characters written as `\u{..}` escapes, cut to the longest
/// name an entry may carry.
pub fn escape_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_control() {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
        if out.len() > synthgov_core::event::MAX_NAME_LEN - 8 {
            break;
        }
    }
    if out.trim().is_empty() {
        out = "(unnamed)".into();
    }
    out
}

/// Decides whether an actor may take an action on the records of `tenant` (`None`:
/// store-wide records). The CLI runs as the owner of the store files
/// ([`LocalOwner`]); the server plugs in its Cedar policies, which judge the actor's
/// principal.
pub trait Authorizer {
    fn authorize(&self, actor: &Actor, action: Action, tenant: Option<&str>) -> Result<(), String>;
}

/// The local user who owns the home folder may do everything the files allow.
pub struct LocalOwner;

impl Authorizer for LocalOwner {
    fn authorize(&self, _: &Actor, _: Action, _: Option<&str>) -> Result<(), String> {
        Ok(())
    }
}

/// An event and, for a fingerprint event, the filter its projection stores.
#[derive(Debug, Clone)]
pub struct Change {
    pub kind: EventType,
    pub data: Map<String, Value>,
    /// A fingerprint filter and its SHA-256, hashed where the change is built (a
    /// server builds it before it takes its writer).
    filter: Option<(Vec<u8>, String)>,
}

impl Change {
    pub fn new(kind: EventType, data: Map<String, Value>) -> Change {
        Change {
            kind,
            data,
            filter: None,
        }
    }

    /// A `dataset.fingerprinted` change with its filter; the event's data must carry
    /// the filter's SHA-256 (`filter_sha256`), which the commit checks.
    pub fn with_filter(mut self, filter: Vec<u8>) -> Change {
        let sha = crate::projection::filter_sha256(&filter);
        self.filter = Some((filter, sha));
        self
    }

    /// The SHA-256 of the filter this change carries.
    pub fn filter_sha256(&self) -> Option<&str> {
        self.filter.as_ref().map(|(_, h)| h.as_str())
    }
}

/// One row of the `assets` projection.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AssetRow {
    pub uri: String,
    pub sha256: Option<String>,
    pub kind: String,
    pub generator: Option<String>,
    pub dataset: Option<String>,
    pub surface: Option<String>,
    pub platform: Option<String>,
    pub ai_generated: bool,
    pub bytes: Option<u64>,
    pub attrs: Value,
}

/// An event reported from outside, checked and ready to append.
#[derive(Debug, Clone)]
pub struct ExternalEvent {
    actor: Actor,
    kind: String,
    data: Map<String, Value>,
}

impl ExternalEvent {
    /// A type in a namespace of the event catalogue is refused: a replayed
    /// projection or an auditor must be able to trust that those came through
    /// synthgov's own write paths. A tenant-bound caller's events carry its tenant.
    /// The event is checked here, so that one bad event cannot fail a group commit
    /// of good ones.
    pub fn new(
        actor: &Actor,
        kind: &str,
        mut data: Map<String, Value>,
        tenant: Option<&str>,
    ) -> Result<ExternalEvent, RegistryError> {
        if let Some(ns) = catalogue::is_reserved(kind) {
            return Err(RegistryError::Reserved {
                kind: kind.to_owned(),
                namespace: ns,
            });
        }
        if let Some(t) = tenant {
            data.insert("tenant".into(), Value::String(t.to_owned()));
        }
        let probe = Event::new(kind.to_owned(), actor.name.clone(), now_rfc3339(), data)
            .map_err(|e| RegistryError::BadRequest(e.to_string()))?;
        Ok(ExternalEvent {
            actor: actor.clone(),
            kind: probe.kind,
            data: probe.data,
        })
    }

    /// The tenant whose records the event belongs to.
    fn tenant(&self) -> Option<&str> {
        self.data.get("tenant").and_then(Value::as_str)
    }
}

/// One entry on its way into the log.
struct Pending {
    event: Event,
    projection: Projection,
    filter: Option<Vec<u8>>,
}

pub struct Registry {
    ledger: Ledger<Db>,
    authorizer: Box<dyn Authorizer + Send>,
}

impl Registry {
    /// Opens the registry of a home folder, acting as its local owner.
    pub fn open(home: &Home) -> Result<Registry, RegistryError> {
        let (store, identity) = home.open_parts()?;
        Ok(Registry {
            ledger: Ledger::new(Box::new(store), identity),
            authorizer: Box::new(LocalOwner),
        })
    }

    pub fn with_authorizer(mut self, a: Box<dyn Authorizer + Send>) -> Registry {
        self.authorizer = a;
        self
    }

    /// The log, for reading: entries, proofs, checkpoints already signed. Appends
    /// go through [`Registry::commit`] only.
    pub fn ledger(&self) -> &Ledger<Db> {
        &self.ledger
    }

    /// Signs and saves a checkpoint of the current tree.
    pub fn checkpoint(&mut self) -> Result<synthgov_ledger::Checkpoint, RegistryError> {
        Ok(self.ledger.checkpoint()?)
    }

    /// The latest saved checkpoint if it covers the whole log, else a new one.
    pub fn current_checkpoint(&mut self) -> Result<synthgov_ledger::Checkpoint, RegistryError> {
        Ok(self.ledger.current_checkpoint()?)
    }

    /// The store, for the projection queries.
    pub(crate) fn db(&self) -> &Db {
        self.ledger.store()
    }

    /// A write transaction holding the log's lock, for a rebuild of the projections.
    pub(crate) fn write_tx(&mut self) -> Result<synthgov_store::db::DbTx<'_>, RegistryError> {
        Ok(self.ledger.store_mut().write()?)
    }

    /// The one write path: authorize `action`, append one event per change, apply the
    /// projections each event implies ([`crate::projection::derive`]), commit.
    /// Nothing is written if any step fails; a denial is recorded as `access.denied`.
    pub fn commit(
        &mut self,
        actor: &Actor,
        action: Action,
        changes: Vec<Change>,
    ) -> Result<AppendReceipt, RegistryError> {
        let tenant = changes.iter().find_map(|c| change_tenant(&c.data));
        self.authorize(actor, action, tenant.as_deref())?;
        let time = now_rfc3339();
        let mut pending = Vec::with_capacity(changes.len());
        for c in changes {
            let event = Event::new(c.kind.name(), actor.name.clone(), time.clone(), c.data)
                .map_err(synthgov_ledger::LedgerError::from)?;
            let projection =
                crate::projection::derive(c.kind, &event).map_err(RegistryError::BadRequest)?;
            if let Projection::PutFingerprints(m) = &projection {
                let ok = c.filter.as_ref().map(|(_, h)| h) == m.filter_sha256.as_ref();
                if !ok {
                    return Err(RegistryError::BadRequest(format!(
                        "dataset.fingerprinted of {}@{}: the filter does not match filter_sha256",
                        m.dataset, m.version
                    )));
                }
            }
            pending.push(Pending {
                event,
                projection,
                filter: c.filter.map(|(f, _)| f),
            });
        }
        self.append(pending)
    }

    fn append(&mut self, pending: Vec<Pending>) -> Result<AppendReceipt, RegistryError> {
        let entries: Vec<PreparedEntry> = pending
            .iter()
            .map(|p| PreparedEntry::from_event(&p.event))
            .collect();
        let mut tx = self.ledger.store_mut().write()?;
        let mut once = Some(entries);
        let receipt = append_in_tx(&mut tx, &mut || Ok(once.take()), &mut |_| {})?;
        for (i, p) in pending.iter().enumerate() {
            crate::projection::write(
                &mut tx,
                receipt.first_index + i as u64,
                &p.projection,
                p.filter.as_deref(),
            )?;
        }
        tx.commit_now()?;
        Ok(receipt)
    }

    /// Asks the authorizer; a denial is recorded as `access.denied` (through the same
    /// path, without asking again) and returned as [`RegistryError::Denied`].
    pub fn authorize(
        &mut self,
        actor: &Actor,
        action: Action,
        tenant: Option<&str>,
    ) -> Result<(), RegistryError> {
        match self.authorizer.authorize(actor, action, tenant) {
            Ok(()) => Ok(()),
            Err(reason) => Err(self.deny(actor, action, tenant, &reason)),
        }
    }

    /// Records that `actor` was refused `action` on the records of `tenant`, and
    /// returns the error to give back. Used by the write path and by checks that
    /// refuse before it (a record owned by another tenant, a conflict).
    pub fn deny(
        &mut self,
        actor: &Actor,
        action: Action,
        tenant: Option<&str>,
        reason: &str,
    ) -> RegistryError {
        let mut data = Map::new();
        if let Some(p) = &actor.principal {
            data.insert("principal".into(), json!(p.id));
            data.insert("role".into(), json!(p.role));
        }
        data.insert("action".into(), json!(action.as_str()));
        data.insert("resource".into(), json!({ "tenant": tenant }));
        data.insert("reason".into(), json!(reason));
        let denied = RegistryError::Denied {
            actor: actor.name.clone(),
            action: action.as_str().to_owned(),
            reason: reason.to_owned(),
        };
        match self.append_unchecked(actor, EventType::AccessDenied, data) {
            Ok(_) => denied,
            Err(e) => e,
        }
    }

    /// Appends a catalogue event without asking the authorizer: for the records of
    /// refusals themselves, which must be written whoever is refused.
    fn append_unchecked(
        &mut self,
        actor: &Actor,
        kind: EventType,
        data: Map<String, Value>,
    ) -> Result<AppendReceipt, RegistryError> {
        debug_assert!(kind.table().is_none());
        let event = Event::new(kind.name(), actor.name.clone(), now_rfc3339(), data)
            .map_err(synthgov_ledger::LedgerError::from)?;
        self.append(vec![Pending {
            event,
            projection: Projection::None,
            filter: None,
        }])
    }

    /// Records that an outside caller tried to append a reserved type, and returns
    /// the refusal.
    pub fn refuse_external(&mut self, actor: &Actor, err: RegistryError) -> RegistryError {
        let RegistryError::Reserved { kind, namespace } = &err else {
            return err;
        };
        let mut data = Map::new();
        data.insert("type".into(), json!(escape_name(kind)));
        data.insert("namespace".into(), json!(namespace));
        if let Some(p) = &actor.principal {
            data.insert("principal".into(), json!(p.id));
        }
        match self.append_unchecked(actor, EventType::EventRefused, data) {
            Ok(_) => err,
            Err(e) => e,
        }
    }

    /// Records an alert: a projection row disagrees with the ledger entry it names.
    pub fn record_integrity_violation(
        &mut self,
        actor: &Actor,
        data: Map<String, Value>,
    ) -> Result<AppendReceipt, RegistryError> {
        self.append_unchecked(actor, EventType::IntegrityViolation, data)
    }

    /// Stored fingerprint filters: (dataset, version, entity, columns, filter, bits, hashes, items).
    #[allow(clippy::type_complexity)]
    pub fn fingerprint_filters(
        &self,
    ) -> Result<Vec<(String, u64, String, Vec<String>, Vec<u8>, u64, u32, u64)>, RegistryError>
    {
        let rows = self.db().query(
            "SELECT dataset, version, entity, columns, filter, bits, hashes, items FROM fingerprints ORDER BY dataset, version",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.text(0)?,
                    r.int(1)? as u64,
                    r.text(2)?,
                    serde_json::from_str::<Vec<String>>(&r.text(3)?).unwrap_or_default(),
                    r.blob(4)?,
                    r.int(5)? as u64,
                    r.int(6)? as u32,
                    r.int(7)? as u64,
                ))
            })
            .collect()
    }

    /// Appends a catalogue event that changes no projection (a scan, a disclosure
    /// run, a fitted model), authorized as `action`.
    pub fn record(
        &mut self,
        actor: &Actor,
        action: Action,
        kind: EventType,
        data: Map<String, Value>,
    ) -> Result<AppendReceipt, RegistryError> {
        if kind.table().is_some() {
            return Err(RegistryError::BadRequest(format!(
                "{} changes a projection: commit it with its change",
                kind.name()
            )));
        }
        self.commit(actor, action, vec![Change::new(kind, data)])
    }

    /// Appends an event reported from outside (a store integration, `POST /v1/events`,
    /// `ledger append`).
    pub fn append_external(
        &mut self,
        actor: &Actor,
        kind: &str,
        data: Map<String, Value>,
        tenant: Option<&str>,
    ) -> Result<AppendReceipt, RegistryError> {
        let e = match ExternalEvent::new(actor, kind, data, tenant) {
            Ok(e) => e,
            Err(err) => return Err(self.refuse_external(actor, err)),
        };
        self.append_external_batch(vec![e])
    }

    /// Appends checked external events in one transaction: all or none. Each actor is
    /// authorized for `append_event` on its events' tenant.
    pub fn append_external_batch(
        &mut self,
        events: Vec<ExternalEvent>,
    ) -> Result<AppendReceipt, RegistryError> {
        let mut asked: Vec<(&str, Option<&str>)> = Vec::new();
        for e in &events {
            let key = (e.actor.name.as_str(), e.tenant());
            if asked.contains(&key) {
                continue;
            }
            if let Err(reason) =
                self.authorizer
                    .authorize(&e.actor, Action::AppendEvent, e.tenant())
            {
                let (actor, tenant) = (e.actor.clone(), e.tenant().map(str::to_owned));
                return Err(self.deny(&actor, Action::AppendEvent, tenant.as_deref(), &reason));
            }
            asked.push(key);
        }
        let now = now_rfc3339();
        let pending = events
            .iter()
            .map(|e| {
                Event::new(
                    e.kind.clone(),
                    e.actor.name.clone(),
                    now.clone(),
                    e.data.clone(),
                )
                .map(|event| Pending {
                    event,
                    projection: Projection::None,
                    filter: None,
                })
                .map_err(|x| RegistryError::BadRequest(x.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.append(pending)
    }

    /// Appends external entries pulled from `next` in one transaction (`ledger
    /// append --jsonl` of millions of lines, parsed and hashed in parallel by the
    /// caller): all or none. An entry of a reserved type stops the append, which is
    /// then recorded as refused.
    pub fn append_external_entries(
        &mut self,
        actor: &Actor,
        next: &mut dyn FnMut() -> Result<Option<Vec<PreparedEntry>>, synthgov_ledger::LedgerError>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<AppendReceipt, RegistryError> {
        self.authorize(actor, Action::AppendEvent, None)?;
        let mut reserved: Option<RegistryError> = None;
        let result = {
            let mut tx = self.ledger.store_mut().write()?;
            let mut pull = || {
                let batch = next()?;
                if let Some(b) = &batch
                    && let Some((kind, ns)) = b
                        .iter()
                        .find_map(|e| catalogue::is_reserved(e.kind()).map(|ns| (e.kind(), ns)))
                {
                    let err = RegistryError::Reserved {
                        kind: kind.to_owned(),
                        namespace: ns,
                    };
                    let message = err.to_string();
                    reserved = Some(err);
                    return Err(synthgov_ledger::LedgerError::BadRequest(message));
                }
                Ok(batch)
            };
            match append_in_tx(&mut tx, &mut pull, progress) {
                Ok(r) => tx.commit_now().map(|_| r).map_err(RegistryError::from),
                Err(e) => Err(e.into()),
            }
        };
        match reserved {
            Some(err) => Err(self.refuse_external(actor, err)),
            None => result,
        }
    }

    /// The stored body of an inventory object.
    pub fn object(&self, kind: &str, id: &str) -> Result<Option<Value>, RegistryError> {
        let row = self.db().query_opt(
            "SELECT body FROM inventory_objects WHERE kind = ?1 AND id = ?2",
            &[kind.into(), id.into()],
        )?;
        Ok(match row {
            Some(r) => serde_json::from_str(&r.text(0)?).ok(),
            None => None,
        })
    }

    /// All stored objects of a kind, by id.
    pub fn objects(&self, kind: &str) -> Result<Vec<(String, Value)>, RegistryError> {
        Ok(self
            .objects_indexed(kind)?
            .into_iter()
            .map(|(id, body, _)| (id, body))
            .collect())
    }

    /// Every object of `kind` with the ledger entry that last set it: (id, body, index).
    pub fn objects_indexed(&self, kind: &str) -> Result<Vec<(String, Value, u64)>, RegistryError> {
        let rows = self.db().query(
            "SELECT id, body, ledger_index FROM inventory_objects WHERE kind = ?1 ORDER BY id",
            &[kind.into()],
        )?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.text(0)?,
                    serde_json::from_str(&r.text(1)?).unwrap_or(Value::Null),
                    r.int(2)? as u64,
                ))
            })
            .collect()
    }

    /// Every projection row and the ledger entry that set it: (table, key, index).
    /// Tables: `inventory/<kind>`, `asset`, `dataset_version`, `flag`. Audit packs
    /// cite these entries as evidence.
    pub fn evidence_index(&self) -> Result<Vec<(String, String, u64)>, RegistryError> {
        let rows = self.db().query(
            "SELECT 'inventory/' || kind, id, ledger_index FROM inventory_objects
             UNION ALL SELECT 'asset', uri, ledger_index FROM assets
             UNION ALL SELECT 'dataset_version', dataset || '@' || version, ledger_index FROM dataset_versions
             UNION ALL SELECT 'flag', name, ledger_index FROM flags",
            &[],
        )?;
        rows.iter()
            .map(|r| Ok((r.text(0)?, r.text(1)?, r.int(2)? as u64)))
            .collect()
    }

    /// Latest version of a dataset: (version, content sha256).
    pub fn latest_version(&self, dataset: &str) -> Result<Option<(u64, String)>, RegistryError> {
        let row = self.db().query_opt(
            "SELECT version, content_sha256 FROM dataset_versions WHERE dataset = ?1 ORDER BY version DESC LIMIT 1",
            &[dataset.into()],
        )?;
        Ok(match row {
            Some(r) => Some((r.int(0)? as u64, r.text(1)?)),
            None => None,
        })
    }

    /// Every dataset version: (dataset, version, sha256, files, bytes, ledger index).
    pub fn dataset_versions(&self) -> Result<Vec<DatasetVersion>, RegistryError> {
        let rows = self.db().query(
            "SELECT dataset, version, content_sha256, files, bytes, ledger_index FROM dataset_versions ORDER BY dataset, version",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(DatasetVersion {
                    dataset: r.text(0)?,
                    version: r.int(1)? as u64,
                    content_sha256: r.text(2)?,
                    files: r.int(3)? as u64,
                    bytes: r.int(4)? as u64,
                    ledger_index: r.int(5)? as u64,
                })
            })
            .collect()
    }

    /// (system, dataset, version) training links.
    pub fn training(&self) -> Result<Vec<(String, String, Option<u64>)>, RegistryError> {
        let rows = self.db().query(
            "SELECT system, dataset, version FROM system_training ORDER BY system, dataset",
            &[],
        )?;
        rows.iter()
            .map(|r| Ok((r.text(0)?, r.text(1)?, r.opt_int(2)?.map(|v| v as u64))))
            .collect()
    }

    /// Systems trained on a version of `dataset` (any version when `version` is None).
    pub fn systems_trained_on(
        &self,
        dataset: &str,
        version: Option<u64>,
    ) -> Result<Vec<String>, RegistryError> {
        let rows = self.db().query(
            "SELECT system FROM system_training WHERE dataset = ?1 AND (?2 IS NULL OR version = ?2) ORDER BY system",
            &[dataset.into(), version.map(|v| v as i64).into()],
        )?;
        rows.iter().map(|r| Ok(r.text(0)?)).collect()
    }

    /// The asset at `uri`.
    pub fn asset(&self, uri: &str) -> Result<Option<AssetRow>, RegistryError> {
        self.db()
            .query_opt(&format!("{ASSET_SELECT} WHERE uri = ?1"), &[uri.into()])?
            .map(|r| asset_from_row(&r))
            .transpose()
    }

    /// The ledger entry that last recorded the asset at `uri`.
    pub fn asset_ledger_index(&self, uri: &str) -> Result<Option<u64>, RegistryError> {
        let row = self.db().query_opt(
            "SELECT ledger_index FROM assets WHERE uri = ?1",
            &[uri.into()],
        )?;
        Ok(match row {
            Some(r) => Some(r.int(0)? as u64),
            None => None,
        })
    }

    /// Assets with content hash `sha256`.
    pub fn assets_by_hash(&self, sha256: &str) -> Result<Vec<AssetRow>, RegistryError> {
        self.db()
            .query(
                &format!("{ASSET_SELECT} WHERE sha256 = ?1 ORDER BY uri"),
                &[sha256.into()],
            )?
            .iter()
            .map(asset_from_row)
            .collect()
    }

    /// Assets with content hash `sha256`, each with the ledger entry that last recorded
    /// it: one query where the API's lookup would otherwise make one more per asset.
    pub fn assets_by_hash_indexed(
        &self,
        sha256: &str,
    ) -> Result<Vec<(AssetRow, u64)>, RegistryError> {
        self.db()
            .query(
                &format!("{ASSET_SELECT_INDEXED} WHERE sha256 = ?1 ORDER BY uri"),
                &[sha256.into()],
            )?
            .iter()
            .map(|r| Ok((asset_from_row(r)?, r.int(10)? as u64)))
            .collect()
    }

    /// Every asset, by uri.
    pub fn assets(&self) -> Result<Vec<AssetRow>, RegistryError> {
        self.db()
            .query(&format!("{ASSET_SELECT} ORDER BY uri"), &[])?
            .iter()
            .map(asset_from_row)
            .collect()
    }
}

/// A dataset version as projected.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DatasetVersion {
    pub dataset: String,
    pub version: u64,
    pub content_sha256: String,
    pub files: u64,
    pub bytes: u64,
    pub ledger_index: u64,
}

const ASSET_SELECT: &str = "SELECT uri, sha256, kind, generator, dataset, surface, platform, ai_generated, bytes, attrs FROM assets";
/// ASSET_SELECT plus the ledger entry that last recorded the asset (column 10).
pub(crate) const ASSET_SELECT_INDEXED: &str = "SELECT uri, sha256, kind, generator, dataset, surface, platform, ai_generated, bytes, attrs, ledger_index FROM assets";

pub(crate) fn asset_from_row(r: &Row) -> Result<AssetRow, RegistryError> {
    Ok(AssetRow {
        uri: r.text(0)?,
        sha256: r.opt_text(1)?,
        kind: r.text(2)?,
        generator: r.opt_text(3)?,
        dataset: r.opt_text(4)?,
        surface: r.opt_text(5)?,
        platform: r.opt_text(6)?,
        ai_generated: r.int(7)? != 0,
        bytes: r.opt_int(8)?.map(|b| b as u64),
        attrs: serde_json::from_str(&r.text(9)?).unwrap_or(Value::Null),
    })
}

/// The tenant whose records a change touches: its `tenant`, or its attributes' one.
fn change_tenant(data: &Map<String, Value>) -> Option<String> {
    data.get("tenant")
        .or_else(|| data.get("attrs").and_then(|a| a.get("tenant")))
        .and_then(Value::as_str)
        .map(str::to_owned)
}
