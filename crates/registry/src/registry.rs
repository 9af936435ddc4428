//! [`Registry`]: the one write path. Every state change is authorized, appended to the
//! ledger as an event, and applied to the projection tables, all in one database
//! transaction (SQLite or PostgreSQL): either the event and its projection both exist, or neither does.

use serde_json::{Map, Value};
use synthgov_core::Event;
use synthgov_core::event::now_rfc3339;
use synthgov_ledger::{AppendReceipt, Ledger, PreparedEntry, append_in_tx};
use synthgov_store::sql::{Row, Sql};
use synthgov_store::{Db, Home};

use crate::error::RegistryError;

/// Event types only synthgov's own write paths append (see
/// [`Registry::append_external`]).
pub const RESERVED_EVENT_TYPES: [&str; 18] = [
    "access",
    "asset.registered",
    "asset.updated",
    "audit",
    "dataset",
    "flag",
    "generation",
    "generator",
    "incident",
    "inventory",
    "policy",
    "quality",
    "scan",
    "source",
    "store",
    "system",
    "token",
    "vendor",
];

/// Who acts, as recorded in every event's `actor`.
#[derive(Debug, Clone)]
pub struct Actor {
    pub name: String,
}

/// Decides whether an actor may take an action. The CLI runs as the owner of the
/// store files ([`LocalOwner`]); the server plugs in token-based Cedar policies.
pub trait Authorizer {
    fn authorize(&self, actor: &Actor, action: &str) -> Result<(), String>;
}

/// The local user who owns the home folder may do everything the files allow.
pub struct LocalOwner;

impl Authorizer for LocalOwner {
    fn authorize(&self, _actor: &Actor, _action: &str) -> Result<(), String> {
        Ok(())
    }
}

/// A projection update that goes with an event.
#[derive(Debug, Clone)]
pub enum Projection {
    None,
    PutObject {
        kind: String,
        id: String,
        body: Value,
    },
    RemoveObject {
        kind: String,
        id: String,
    },
    PutDatasetVersion {
        dataset: String,
        version: u64,
        content_sha256: String,
        files: u64,
        bytes: u64,
    },
    SetTraining {
        system: String,
        datasets: Vec<(String, Option<u64>)>,
    },
    PutAsset(AssetRow),
    SetFlag {
        name: String,
        enabled: bool,
        actor: String,
        reason: Option<String>,
    },
    PutFingerprints {
        dataset: String,
        version: u64,
        entity: String,
        columns: Vec<String>,
        filter: Vec<u8>,
        bits: u64,
        hashes: u32,
        items: u64,
    },
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

/// An event and the projection it implies.
#[derive(Debug, Clone)]
pub struct Change {
    pub kind: String,
    pub data: Map<String, Value>,
    pub projection: Projection,
}

/// An event reported from outside, checked and ready to append.
#[derive(Debug, Clone)]
pub struct ExternalEvent {
    actor: Actor,
    kind: String,
    data: Map<String, Value>,
}

impl ExternalEvent {
    /// Types that synthgov itself records with a projection, or as access and
    /// generation decisions, are refused: a rebuilt projection or an auditor must be
    /// able to trust that those came through their own write paths. A tenant-bound
    /// caller's events carry its tenant. The event is checked here, so that one bad
    /// event cannot fail a group commit of good ones.
    pub fn new(
        actor: &Actor,
        kind: &str,
        mut data: Map<String, Value>,
        tenant: Option<&str>,
    ) -> Result<ExternalEvent, RegistryError> {
        let reserved = RESERVED_EVENT_TYPES
            .iter()
            .find(|r| kind == **r || kind.starts_with(&format!("{r}.")));
        if let Some(r) = reserved {
            return Err(RegistryError::BadRequest(format!(
                "type: {kind:?} is recorded by synthgov itself ({r}.*); report store events under a type of your own, e.g. \"magento.{kind}\""
            )));
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

    pub fn ledger(&self) -> &Ledger<Db> {
        &self.ledger
    }

    pub fn ledger_mut(&mut self) -> &mut Ledger<Db> {
        &mut self.ledger
    }

    /// The store, for the projection queries.
    pub(crate) fn db(&self) -> &Db {
        self.ledger.store()
    }

    /// The one write path: authorize `action`, append one event per change, apply the
    /// projections, commit. Nothing is written if any step fails.
    pub fn commit(
        &mut self,
        actor: &Actor,
        action: &str,
        changes: Vec<Change>,
    ) -> Result<AppendReceipt, RegistryError> {
        self.commit_as(action, changes.into_iter().map(|c| (actor, c)).collect())
    }

    /// [`Registry::commit`] for changes of several actors in one transaction (the
    /// server's group commit); each actor is authorized.
    fn commit_as(
        &mut self,
        action: &str,
        changes: Vec<(&Actor, Change)>,
    ) -> Result<AppendReceipt, RegistryError> {
        let mut asked: Vec<&str> = Vec::new();
        for (actor, _) in &changes {
            if asked.contains(&actor.name.as_str()) {
                continue;
            }
            self.authorize(actor, action)?;
            asked.push(&actor.name);
        }
        let time = now_rfc3339();
        let mut entries = Vec::with_capacity(changes.len());
        for (actor, c) in &changes {
            let event = Event::new(
                c.kind.clone(),
                actor.name.clone(),
                time.clone(),
                c.data.clone(),
            )
            .map_err(synthgov_ledger::LedgerError::from)?;
            entries.push(PreparedEntry::from_event(&event));
        }
        let mut tx = self.ledger.store_mut().write()?;
        let mut once = Some(entries);
        let receipt = append_in_tx(&mut tx, &mut || Ok(once.take()), &mut |_| {})?;
        for (i, (_, c)) in changes.iter().enumerate() {
            project(
                &mut tx,
                receipt.first_index + i as u64,
                &time,
                &c.projection,
            )?;
        }
        tx.commit_now()?;
        Ok(receipt)
    }

    /// Asks the authorizer without writing anything.
    pub fn authorize(&self, actor: &Actor, action: &str) -> Result<(), RegistryError> {
        self.authorizer
            .authorize(actor, action)
            .map_err(|reason| RegistryError::Denied {
                actor: actor.name.clone(),
                action: action.to_owned(),
                reason,
            })
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

    /// Appends an event that changes no projection (e.g. a refusal), through the same path.
    pub fn record(
        &mut self,
        actor: &Actor,
        kind: &str,
        data: Map<String, Value>,
    ) -> Result<AppendReceipt, RegistryError> {
        self.commit(
            actor,
            "record",
            vec![Change {
                kind: kind.to_owned(),
                data,
                projection: Projection::None,
            }],
        )
    }

    /// Appends an event reported from outside (a store integration, `POST /v1/events`).
    pub fn append_external(
        &mut self,
        actor: &Actor,
        kind: &str,
        data: Map<String, Value>,
        tenant: Option<&str>,
    ) -> Result<AppendReceipt, RegistryError> {
        let e = ExternalEvent::new(actor, kind, data, tenant)?;
        self.append_external_batch(vec![e])
    }

    /// Appends checked external events in one transaction: all or none.
    pub fn append_external_batch(
        &mut self,
        events: Vec<ExternalEvent>,
    ) -> Result<AppendReceipt, RegistryError> {
        let changes = events
            .iter()
            .map(|e| {
                (
                    &e.actor,
                    Change {
                        kind: e.kind.clone(),
                        data: e.data.clone(),
                        projection: Projection::None,
                    },
                )
            })
            .collect();
        self.commit_as("append_event", changes)
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
        let rows = self.db().query(
            "SELECT id, body FROM inventory_objects WHERE kind = ?1 ORDER BY id",
            &[kind.into()],
        )?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.text(0)?,
                    serde_json::from_str(&r.text(1)?).unwrap_or(Value::Null),
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
const ASSET_SELECT_INDEXED: &str = "SELECT uri, sha256, kind, generator, dataset, surface, platform, ai_generated, bytes, attrs, ledger_index FROM assets";

fn asset_from_row(r: &Row) -> Result<AssetRow, RegistryError> {
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

fn canonical(v: &Value) -> String {
    String::from_utf8(synthgov_core::canonical::to_canonical_vec(v).expect("JSON value"))
        .expect("UTF-8")
}

fn project(tx: &mut dyn Sql, index: u64, time: &str, p: &Projection) -> Result<(), RegistryError> {
    let index = index as i64;
    match p {
        Projection::SetFlag {
            name,
            enabled,
            actor,
            reason,
        } => {
            tx.exec(
                "INSERT INTO flags (name, enabled, changed_at, changed_by, reason, ledger_index) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled, changed_at = excluded.changed_at,
                   changed_by = excluded.changed_by, reason = excluded.reason, ledger_index = excluded.ledger_index",
                &[
                    name.into(),
                    (*enabled).into(),
                    time.into(),
                    actor.into(),
                    reason.into(),
                    index.into(),
                ],
            )?;
        }
        Projection::PutFingerprints {
            dataset,
            version,
            entity,
            columns,
            filter,
            bits,
            hashes,
            items,
        } => {
            let columns = serde_json::to_string(columns).expect("strings serialize");
            tx.exec(
                "INSERT INTO fingerprints (dataset, version, entity, columns, filter, bits, hashes, items)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                &[
                    dataset.into(),
                    (*version as i64).into(),
                    entity.into(),
                    (&columns).into(),
                    filter.into(),
                    (*bits as i64).into(),
                    i64::from(*hashes).into(),
                    (*items as i64).into(),
                ],
            )?;
        }
        Projection::None => {}
        Projection::PutObject { kind, id, body } => {
            let body = canonical(body);
            tx.exec(
                "INSERT INTO inventory_objects (kind, id, body, ledger_index) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, ledger_index = excluded.ledger_index",
                &[kind.into(), id.into(), (&body).into(), index.into()],
            )?;
        }
        Projection::RemoveObject { kind, id } => {
            tx.exec(
                "DELETE FROM inventory_objects WHERE kind = ?1 AND id = ?2",
                &[kind.into(), id.into()],
            )?;
            if kind == "system" {
                tx.exec(
                    "DELETE FROM system_training WHERE system = ?1",
                    &[id.into()],
                )?;
            }
        }
        Projection::PutDatasetVersion {
            dataset,
            version,
            content_sha256,
            files,
            bytes,
        } => {
            tx.exec(
                "INSERT INTO dataset_versions (dataset, version, content_sha256, files, bytes, ledger_index)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                &[
                    dataset.into(),
                    (*version as i64).into(),
                    content_sha256.into(),
                    (*files as i64).into(),
                    (*bytes as i64).into(),
                    index.into(),
                ],
            )?;
        }
        Projection::SetTraining { system, datasets } => {
            tx.exec(
                "DELETE FROM system_training WHERE system = ?1",
                &[system.into()],
            )?;
            for (d, v) in datasets {
                tx.exec(
                    "INSERT INTO system_training (system, dataset, version) VALUES (?1, ?2, ?3)",
                    &[system.into(), d.into(), v.map(|v| v as i64).into()],
                )?;
            }
        }
        Projection::PutAsset(a) => {
            let attrs = canonical(&a.attrs);
            tx.exec(
                "INSERT INTO assets (uri, sha256, kind, generator, dataset, surface, platform, ai_generated, bytes, attrs, ledger_index)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT (uri) DO UPDATE SET sha256 = excluded.sha256, kind = excluded.kind,
                   generator = excluded.generator, dataset = excluded.dataset, surface = excluded.surface,
                   platform = excluded.platform, ai_generated = excluded.ai_generated, bytes = excluded.bytes,
                   attrs = excluded.attrs, ledger_index = excluded.ledger_index",
                &[
                    (&a.uri).into(),
                    (&a.sha256).into(),
                    (&a.kind).into(),
                    (&a.generator).into(),
                    (&a.dataset).into(),
                    (&a.surface).into(),
                    (&a.platform).into(),
                    a.ai_generated.into(),
                    a.bytes.map(|b| b as i64).into(),
                    (&attrs).into(),
                    index.into(),
                ],
            )?;
        }
    }
    Ok(())
}
