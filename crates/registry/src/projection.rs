//! Projections as a function of the log: [`derive`] reads the projection an event
//! implies from the event alone (its type, data, actor and time), and [`write`] puts
//! it into the tables. The live write path and the replay of `synthgov verify` /
//! `synthgov rebuild` both go through [`derive`], so what the tables hold can always
//! be recomputed from the ledger and compared.
//!
//! The payload types below are the typed shapes of the events that carry a
//! projection; events without one keep a free-form `data` object.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use synthgov_core::Event;
use synthgov_store::sql::Sql;

use crate::catalogue::{EventType, Table};
use crate::error::RegistryError;
use crate::registry::AssetRow;

/// A projection update that goes with an event.
#[derive(Debug, Clone, PartialEq)]
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
        changed_at: String,
        actor: String,
        reason: Option<String>,
    },
    PutFingerprints(FingerprintMeta),
    RemoveFingerprints {
        dataset: String,
        version: u64,
    },
}

/// `dataset.fingerprinted` data: what the filter is, and its SHA-256 (the filter
/// itself is too large for the log; `verify` checks the stored one against the hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FingerprintMeta {
    pub dataset: String,
    pub version: u64,
    pub entity: String,
    pub columns: Vec<String>,
    pub items: u64,
    pub bits: u64,
    /// Absent in entries written before the catalogue: not checkable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hashes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_sha256: Option<String>,
}

/// `<kind>.registered|updated` and `store.configured` data.
#[derive(Debug, Deserialize)]
struct Declaration {
    id: String,
    declaration: Value,
}

/// `<kind>.removed` data.
#[derive(Debug, Deserialize)]
struct Removal {
    id: String,
}

/// `system.training_recorded` data.
#[derive(Debug, Deserialize)]
struct Training {
    id: String,
    trained_on_versions: Vec<TrainingLink>,
}

#[derive(Debug, Deserialize)]
struct TrainingLink {
    dataset: String,
    version: Option<u64>,
}

/// `asset.registered|updated` data.
#[derive(Debug, Deserialize)]
struct AssetData {
    uri: String,
    sha256: Option<String>,
    kind: String,
    ai_generated: bool,
    generator: Option<String>,
    dataset: Option<String>,
    surface: Option<String>,
    platform: Option<String>,
    bytes: Option<u64>,
    #[serde(default)]
    attrs: Option<Value>,
}

/// `dataset.version_created` data.
#[derive(Debug, Deserialize)]
struct VersionData {
    dataset: String,
    version: u64,
    content_sha256: String,
    files: u64,
    bytes: u64,
}

/// `dataset.fingerprint_lost` data.
#[derive(Debug, Deserialize)]
struct LostData {
    dataset: String,
    version: u64,
}

/// `flag.changed` data.
#[derive(Debug, Deserialize)]
struct FlagData {
    flag: String,
    enabled: bool,
    reason: Option<String>,
}

/// `incident.*` data.
#[derive(Debug, Deserialize)]
struct IncidentData {
    incident: String,
    record: Value,
}

fn payload<T: serde::de::DeserializeOwned>(
    kind: EventType,
    data: &Map<String, Value>,
) -> Result<T, String> {
    serde_json::from_value(Value::Object(data.clone())).map_err(|e| {
        format!(
            "{} data does not have its catalogue shape: {e}",
            kind.name()
        )
    })
}

/// The projection `event` implies. An error means the event does not have the shape
/// its catalogue type requires.
pub fn derive(kind: EventType, event: &Event) -> Result<Projection, String> {
    let data = &event.data;
    let Some(table) = kind.table() else {
        return Ok(Projection::None);
    };
    Ok(match table {
        Table::Inventory => {
            let ns = kind.namespace().to_owned();
            if kind.name().ends_with(".removed") {
                let r: Removal = payload(kind, data)?;
                Projection::RemoveObject { kind: ns, id: r.id }
            } else {
                let d: Declaration = payload(kind, data)?;
                Projection::PutObject {
                    kind: ns,
                    id: d.id,
                    body: d.declaration,
                }
            }
        }
        Table::Tokens => {
            let id = data
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{} data lacks `id`", kind.name()))?;
            Projection::PutObject {
                kind: "token".into(),
                id: id.to_owned(),
                body: Value::Object(data.clone()),
            }
        }
        Table::Incidents => {
            let d: IncidentData = payload(kind, data)?;
            Projection::PutObject {
                kind: "incident".into(),
                id: d.incident,
                body: d.record,
            }
        }
        Table::Assessments => {
            let system = data
                .get("system")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{} data lacks `system`", kind.name()))?;
            Projection::PutObject {
                kind: if kind == EventType::AssessmentApproved {
                    "approval"
                } else {
                    "assessment"
                }
                .into(),
                id: system.to_owned(),
                body: Value::Object(data.clone()),
            }
        }
        Table::SystemTraining => {
            let t: Training = payload(kind, data)?;
            Projection::SetTraining {
                system: t.id,
                datasets: t
                    .trained_on_versions
                    .into_iter()
                    .map(|l| (l.dataset, l.version))
                    .collect(),
            }
        }
        Table::Assets => {
            let a: AssetData = payload(kind, data)?;
            Projection::PutAsset(AssetRow {
                uri: a.uri,
                sha256: a.sha256,
                kind: a.kind,
                generator: a.generator,
                dataset: a.dataset,
                surface: a.surface,
                platform: a.platform,
                ai_generated: a.ai_generated,
                bytes: a.bytes,
                attrs: a.attrs.unwrap_or_else(|| Value::Object(Map::new())),
            })
        }
        Table::DatasetVersions => {
            let v: VersionData = payload(kind, data)?;
            Projection::PutDatasetVersion {
                dataset: v.dataset,
                version: v.version,
                content_sha256: v.content_sha256,
                files: v.files,
                bytes: v.bytes,
            }
        }
        Table::Flags => {
            let f: FlagData = payload(kind, data)?;
            Projection::SetFlag {
                name: f.flag,
                enabled: f.enabled,
                changed_at: event.time.clone(),
                actor: event.actor.clone(),
                reason: f.reason,
            }
        }
        Table::Fingerprints if kind == EventType::FingerprintLost => {
            let v: LostData = payload(kind, data)?;
            Projection::RemoveFingerprints {
                dataset: v.dataset,
                version: v.version,
            }
        }
        Table::Fingerprints => Projection::PutFingerprints(payload(kind, data)?),
    })
}

/// Hex SHA-256 of a stored fingerprint filter.
pub fn filter_sha256(filter: &[u8]) -> String {
    hex::encode(Sha256::digest(filter))
}

pub(crate) fn canonical(v: &Value) -> String {
    String::from_utf8(synthgov_core::canonical::to_canonical_vec(v).expect("JSON value"))
        .expect("UTF-8")
}

/// Writes `p`, set by ledger entry `index`, inside the write transaction. `filter` is
/// the fingerprint filter of a [`Projection::PutFingerprints`] (checked against its
/// hash before this is called).
pub(crate) fn write(
    tx: &mut dyn Sql,
    index: u64,
    p: &Projection,
    filter: Option<&[u8]>,
) -> Result<(), RegistryError> {
    let index = index as i64;
    match p {
        Projection::None => {}
        Projection::SetFlag {
            name,
            enabled,
            changed_at,
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
                    changed_at.into(),
                    actor.into(),
                    reason.into(),
                    index.into(),
                ],
            )?;
        }
        Projection::PutFingerprints(m) => {
            let filter = filter.ok_or_else(|| {
                RegistryError::BadRequest(format!(
                    "dataset.fingerprinted of {}@{} comes without its filter",
                    m.dataset, m.version
                ))
            })?;
            let columns = serde_json::to_string(&m.columns).expect("strings serialize");
            tx.exec(
                "INSERT INTO fingerprints (dataset, version, entity, columns, filter, bits, hashes, items, ledger_index)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                &[
                    (&m.dataset).into(),
                    (m.version as i64).into(),
                    (&m.entity).into(),
                    (&columns).into(),
                    filter.into(),
                    (m.bits as i64).into(),
                    i64::from(m.hashes.unwrap_or(0)).into(),
                    (m.items as i64).into(),
                    index.into(),
                ],
            )?;
        }
        Projection::RemoveFingerprints { dataset, version } => {
            tx.exec(
                "DELETE FROM fingerprints WHERE dataset = ?1 AND version = ?2",
                &[dataset.into(), (*version as i64).into()],
            )?;
        }
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
                    "INSERT INTO system_training (system, dataset, version, ledger_index) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (system, dataset) DO UPDATE SET version = excluded.version, ledger_index = excluded.ledger_index",
                    &[
                        system.into(),
                        d.into(),
                        v.map(|v| v as i64).into(),
                        index.into(),
                    ],
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
