//! The projections recomputed from the log: `synthgov verify` compares every
//! projection table with a replay of the ledger, and `synthgov rebuild` writes the
//! replay back.
//!
//! The replay runs in the same pass as the ledger's own verification (each entry is
//! read once), and only entries of catalogue types that carry a projection are
//! decoded. A table row that no entry set, an entry whose row is missing, a row
//! whose content differs from what its entry implies, and a row that names the wrong
//! entry are each reported with the table, the key and the ledger index.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Value, json};
use synthgov_core::Event;
use synthgov_ledger::{Checkpoint, EntryRow, VerifyReport, verify_visiting};
use synthgov_store::sql::Sql;

use crate::catalogue::EventType;
use crate::error::RegistryError;
use crate::policy::Action;
use crate::projection::{self, FingerprintMeta, Projection, canonical, filter_sha256};
use crate::registry::{Actor, AssetRow, Change, Registry};

/// One projection row that does not agree with the log.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Mismatch {
    pub table: &'static str,
    pub key: String,
    /// The ledger entry that should have set the row (None: no entry sets it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger_index: Option<u64>,
    pub problem: String,
}

/// What the projection check found.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectionReport {
    pub ok: bool,
    /// Entries whose projection was replayed.
    pub events_replayed: u64,
    /// Projection rows compared.
    pub rows_checked: u64,
    pub mismatches: Vec<Mismatch>,
}

#[derive(Debug, Clone, PartialEq)]
struct Flag {
    enabled: bool,
    changed_at: String,
    actor: String,
    reason: Option<String>,
}

/// A dataset version's content: (sha256, files, bytes).
type VersionRow = (String, u64, u64);

/// The state of every projection table after replaying the log.
#[derive(Debug, Default)]
struct Model {
    objects: BTreeMap<(String, String), (Value, u64)>,
    assets: BTreeMap<String, (AssetRow, u64)>,
    versions: BTreeMap<(String, u64), (VersionRow, u64)>,
    training: BTreeMap<(String, String), (Option<u64>, u64)>,
    flags: BTreeMap<String, (Flag, u64)>,
    fingerprints: BTreeMap<(String, u64), (FingerprintMeta, u64)>,
    replayed: u64,
    pending: Vec<(u64, EventType, Vec<u8>)>,
    /// Entries of a catalogue type whose data does not have its shape.
    bad_entries: Vec<Mismatch>,
}

/// Entries buffered before their projections are derived, on both cores.
const DERIVE_BATCH: usize = 8192;

impl Model {
    /// Takes an entry of the verified log. Entries with a projection are decoded in
    /// batches, in parallel, and applied in index order.
    fn visit(&mut self, row: &EntryRow) {
        let Some(kind) = EventType::from_name(&row.kind) else {
            return;
        };
        if kind.table().is_none() {
            return;
        }
        self.pending.push((row.index, kind, row.leaf.clone()));
        if self.pending.len() >= DERIVE_BATCH {
            self.flush();
        }
    }

    /// Derives and applies what `visit` buffered.
    fn flush(&mut self) {
        use rayon::prelude::*;
        let pending = std::mem::take(&mut self.pending);
        let derived: Vec<(u64, EventType, Result<Projection, String>)> = pending
            .into_par_iter()
            .map(|(index, kind, leaf)| {
                let p = Event::from_leaf_bytes(&leaf)
                    .map_err(|e| e.to_string())
                    .and_then(|ev| projection::derive(kind, &ev));
                (index, kind, p)
            })
            .collect();
        for (index, kind, p) in derived {
            match p {
                Ok(p) => {
                    self.replayed += 1;
                    self.apply(index, p);
                }
                Err(problem) => self.bad_entries.push(Mismatch {
                    table: kind.table().map_or("-", |t| t.as_str()),
                    key: format!("entry {index}"),
                    ledger_index: Some(index),
                    problem,
                }),
            }
        }
    }

    fn apply(&mut self, index: u64, p: Projection) {
        match p {
            Projection::None => {}
            Projection::PutObject { kind, id, body } => {
                self.objects.insert((kind, id), (body, index));
            }
            Projection::RemoveObject { kind, id } => {
                if kind == "system" {
                    self.training.retain(|(s, _), _| *s != id);
                }
                self.objects.remove(&(kind, id));
            }
            Projection::PutDatasetVersion {
                dataset,
                version,
                content_sha256,
                files,
                bytes,
            } => {
                self.versions
                    .entry((dataset, version))
                    .or_insert(((content_sha256, files, bytes), index));
            }
            Projection::SetTraining { system, datasets } => {
                self.training.retain(|(s, _), _| *s != system);
                for (d, v) in datasets {
                    self.training.insert((system.clone(), d), (v, index));
                }
            }
            Projection::PutAsset(a) => {
                self.assets.insert(a.uri.clone(), (a, index));
            }
            Projection::SetFlag {
                name,
                enabled,
                changed_at,
                actor,
                reason,
            } => {
                self.flags.insert(
                    name,
                    (
                        Flag {
                            enabled,
                            changed_at,
                            actor,
                            reason,
                        },
                        index,
                    ),
                );
            }
            Projection::PutFingerprints(m) => {
                self.fingerprints
                    .entry((m.dataset.clone(), m.version))
                    .or_insert((m, index));
            }
            Projection::RemoveFingerprints { dataset, version } => {
                self.fingerprints.remove(&(dataset, version));
            }
        }
    }
}

/// A row's content as compared. Typed, so that a million rows compare without being
/// serialized; written out only for a row that differs.
#[derive(Debug, Clone, PartialEq)]
enum Content {
    Json(Value),
    Asset(AssetRow),
    Flag(Flag),
    Text(String),
}

impl Content {
    fn show(&self) -> String {
        match self {
            Content::Json(v) => canonical(v),
            Content::Asset(a) => canonical(&json!({
                "sha256": a.sha256, "kind": a.kind, "generator": a.generator, "dataset": a.dataset,
                "surface": a.surface, "platform": a.platform, "ai_generated": a.ai_generated,
                "bytes": a.bytes, "attrs": a.attrs,
            })),
            Content::Flag(f) => canonical(&json!({
                "enabled": f.enabled, "changed_at": f.changed_at, "changed_by": f.actor, "reason": f.reason,
            })),
            Content::Text(t) => t.clone(),
        }
    }
}

/// A table's rows as compared: key -> (content, the entry the row names).
type Rows = BTreeMap<String, (Content, i64)>;

/// The fingerprint row as the log describes it; what an old entry leaves out is
/// taken from the row (it cannot be checked).
fn fingerprint_repr(m: &FingerprintMeta, row_hashes: u32, row_sha: &str) -> Content {
    Content::Json(json!({
        "entity": m.entity, "columns": m.columns, "bits": m.bits, "items": m.items,
        "hashes": m.hashes.unwrap_or(row_hashes),
        "filter_sha256": m.filter_sha256.as_deref().unwrap_or(row_sha),
    }))
}

struct Tables {
    inventory: Rows,
    versions: Rows,
    training: Rows,
    flags: Rows,
    fingerprints: BTreeMap<String, (FingerprintMeta, u32, String, i64)>,
}

fn read_tables(reg: &Registry) -> Result<Tables, RegistryError> {
    let db = reg.db();
    let mut inventory = Rows::new();
    for r in db.query(
        "SELECT kind, id, body, ledger_index FROM inventory_objects",
        &[],
    )? {
        let body: Value = serde_json::from_str(&r.text(2)?).unwrap_or(Value::Null);
        inventory.insert(
            format!("{}/{}", r.text(0)?, r.text(1)?),
            (Content::Json(body), r.int(3)?),
        );
    }
    let mut versions = Rows::new();
    for r in db.query(
        "SELECT dataset, version, content_sha256, files, bytes, ledger_index FROM dataset_versions",
        &[],
    )? {
        versions.insert(
            format!("{}@{}", r.text(0)?, r.int(1)?),
            (
                Content::Text(format!(
                    "{} files={} bytes={}",
                    r.text(2)?,
                    r.int(3)?,
                    r.int(4)?
                )),
                r.int(5)?,
            ),
        );
    }
    let mut training = Rows::new();
    for r in db.query(
        "SELECT system, dataset, version, ledger_index FROM system_training",
        &[],
    )? {
        training.insert(
            format!("{}/{}", r.text(0)?, r.text(1)?),
            (
                Content::Text(r.opt_int(2)?.map_or("null".into(), |v| v.to_string())),
                r.int(3)?,
            ),
        );
    }
    let mut flags = Rows::new();
    for r in db.query(
        "SELECT name, enabled, changed_at, changed_by, reason, ledger_index FROM flags",
        &[],
    )? {
        let f = Flag {
            enabled: r.int(1)? != 0,
            changed_at: r.text(2)?,
            actor: r.text(3)?,
            reason: r.opt_text(4)?,
        };
        flags.insert(r.text(0)?, (Content::Flag(f), r.int(5)?));
    }
    let mut fingerprints = BTreeMap::new();
    for r in db.query(
        "SELECT dataset, version, entity, columns, filter, bits, hashes, items, ledger_index FROM fingerprints",
        &[],
    )? {
        let meta = FingerprintMeta {
            dataset: r.text(0)?,
            version: r.int(1)? as u64,
            entity: r.text(2)?,
            columns: serde_json::from_str(&r.text(3)?).unwrap_or_default(),
            items: r.int(7)? as u64,
            bits: r.int(5)? as u64,
            hashes: None,
            filter_sha256: None,
        };
        let sha = filter_sha256(&r.blob(4)?);
        fingerprints.insert(
            format!("{}@{}", meta.dataset, meta.version),
            (meta, r.int(6)? as u32, sha, r.int(8)?),
        );
    }
    Ok(Tables {
        inventory,
        versions,
        training,
        flags,
        fingerprints,
    })
}

fn shorten(s: &str) -> String {
    const MAX: usize = 160;
    if s.len() <= MAX {
        return s.to_owned();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Judges one row: what the log wants, what the store has.
fn judge(
    table: &'static str,
    key: &str,
    want: Option<(&Content, i64)>,
    have: Option<(&Content, i64)>,
    out: &mut Vec<Mismatch>,
) {
    let m = |ledger_index: Option<u64>, problem: String| Mismatch {
        table,
        key: key.to_owned(),
        ledger_index,
        problem,
    };
    match (want, have) {
        (Some((_, i)), None) => out.push(m(
            Some(i as u64),
            format!("the row is missing; entry {i} sets it"),
        )),
        (None, Some((_, i))) => out.push(m(
            None,
            format!("the row was not set by any ledger entry (it names entry {i})"),
        )),
        (Some((w, wi)), Some((h, _))) if w != h => out.push(m(
            Some(wi as u64),
            format!(
                "the row differs from what entry {wi} recorded: the row has {}, the log has {}",
                shorten(&h.show()),
                shorten(&w.show())
            ),
        )),
        (Some((_, wi)), Some((_, hi))) if wi != hi => out.push(m(
            Some(wi as u64),
            format!("the row names entry {hi}, but entry {wi} set it"),
        )),
        _ => {}
    }
}

/// Compares one table: `want` from the log, `have` from the store.
fn compare(table: &'static str, want: &Rows, have: &Rows, out: &mut Vec<Mismatch>) {
    let keys: BTreeSet<&String> = want.keys().chain(have.keys()).collect();
    for key in keys {
        let w = want.get(key).map(|(c, i)| (c, *i));
        let h = have.get(key).map(|(c, i)| (c, *i));
        judge(table, key, w, h, out);
    }
}

/// Assets rows read per query: the assets table is compared page by page in uri
/// order against the replay (also in uri order), so neither side is copied into a
/// second map (a store of 100,000 assets would otherwise spend more time allocating
/// than comparing).
const ASSET_PAGE: usize = 20_000;

/// Compares the assets table with the replay by a merge of the two, both sorted by
/// uri (bytewise: SQLite's BINARY, PostgreSQL's "C" collation). Returns the rows
/// read.
fn compare_assets(
    reg: &Registry,
    want: &BTreeMap<String, (AssetRow, u64)>,
    out: &mut Vec<Mismatch>,
) -> Result<u64, RegistryError> {
    let db = reg.db();
    let mut want = want.iter().peekable();
    let mut after: Option<String> = None;
    let mut read = 0u64;
    let base = crate::registry::ASSET_SELECT_INDEXED;
    loop {
        let rows = match &after {
            None => db.query(&format!("{base} ORDER BY uri LIMIT {ASSET_PAGE}"), &[])?,
            Some(u) => db.query(
                &format!("{base} WHERE uri > ?1 ORDER BY uri LIMIT {ASSET_PAGE}"),
                &[u.into()],
            )?,
        };
        let Some(last) = rows.last() else { break };
        after = Some(last.text(0)?);
        for r in &rows {
            read += 1;
            let have = Content::Asset(crate::registry::asset_from_row(r)?);
            let Content::Asset(h) = &have else {
                unreachable!()
            };
            let hi = r.int(10)?;
            while let Some((u, (a, i))) = want.next_if(|(u, _)| u.as_str() < h.uri.as_str()) {
                judge(
                    "assets",
                    u,
                    Some((&Content::Asset(a.clone()), *i as i64)),
                    None,
                    out,
                );
            }
            match want.next_if(|(u, _)| u.as_str() == h.uri.as_str()) {
                Some((_, (a, i))) => {
                    if a != h || *i as i64 != hi {
                        let w = Content::Asset(a.clone());
                        judge(
                            "assets",
                            &h.uri,
                            Some((&w, *i as i64)),
                            Some((&have, hi)),
                            out,
                        );
                    }
                }
                None => judge("assets", &h.uri, None, Some((&have, hi)), out),
            }
        }
        if rows.len() < ASSET_PAGE {
            break;
        }
    }
    for (u, (a, i)) in want {
        judge(
            "assets",
            u,
            Some((&Content::Asset(a.clone()), *i as i64)),
            None,
            out,
        );
    }
    Ok(read)
}

fn model_rows(model: &Model) -> [(&'static str, Rows); 4] {
    let mut inventory = Rows::new();
    for ((k, id), (body, i)) in &model.objects {
        inventory.insert(
            format!("{k}/{id}"),
            (Content::Json(body.clone()), *i as i64),
        );
    }
    let versions = model
        .versions
        .iter()
        .map(|((d, v), ((sha, files, bytes), i))| {
            (
                format!("{d}@{v}"),
                (
                    Content::Text(format!("{sha} files={files} bytes={bytes}")),
                    *i as i64,
                ),
            )
        })
        .collect();
    let training = model
        .training
        .iter()
        .map(|((s, d), (v, i))| {
            (
                format!("{s}/{d}"),
                (
                    Content::Text(v.map_or("null".into(), |v| v.to_string())),
                    *i as i64,
                ),
            )
        })
        .collect();
    let flags = model
        .flags
        .iter()
        .map(|(n, (f, i))| (n.clone(), (Content::Flag(f.clone()), *i as i64)))
        .collect();
    [
        ("inventory_objects", inventory),
        ("dataset_versions", versions),
        ("system_training", training),
        ("flags", flags),
    ]
}

/// The table name a mismatch of `inventory_objects` is reported under: tokens and
/// incidents are their own tables to a reader.
fn inventory_table(key: &str) -> &'static str {
    match key.split('/').next() {
        Some("token") => "tokens",
        Some("incident") => "incidents",
        Some("assessment" | "approval") => "assessments",
        _ => "inventory_objects",
    }
}

fn check_model(
    reg: &Registry,
    model: &Model,
    tables: &Tables,
) -> Result<ProjectionReport, RegistryError> {
    let mut mismatches = model.bad_entries.clone();
    let [inv, versions, training, flags] = model_rows(model);
    let mut inv_out = Vec::new();
    compare(inv.0, &inv.1, &tables.inventory, &mut inv_out);
    for mut m in inv_out {
        m.table = inventory_table(&m.key);
        mismatches.push(m);
    }
    let asset_rows = compare_assets(reg, &model.assets, &mut mismatches)?;
    compare(versions.0, &versions.1, &tables.versions, &mut mismatches);
    compare(training.0, &training.1, &tables.training, &mut mismatches);
    compare(flags.0, &flags.1, &tables.flags, &mut mismatches);
    // Fingerprints: the filter is checked by its hash.
    let mut want = Rows::new();
    let mut have = Rows::new();
    for ((d, v), (m, i)) in &model.fingerprints {
        let key = format!("{d}@{v}");
        let (row_hashes, row_sha) = tables
            .fingerprints
            .get(&key)
            .map_or((0, String::new()), |(_, h, s, _)| (*h, s.clone()));
        want.insert(key, (fingerprint_repr(m, row_hashes, &row_sha), *i as i64));
    }
    for (key, (m, h, sha, i)) in &tables.fingerprints {
        let m = FingerprintMeta {
            hashes: Some(*h),
            filter_sha256: Some(sha.clone()),
            ..m.clone()
        };
        have.insert(key.clone(), (fingerprint_repr(&m, *h, sha), *i));
    }
    compare("fingerprints", &want, &have, &mut mismatches);
    let rows_checked = (tables.inventory.len()
        + asset_rows as usize
        + tables.versions.len()
        + tables.training.len()
        + tables.flags.len()
        + tables.fingerprints.len()) as u64;
    Ok(ProjectionReport {
        ok: mismatches.is_empty(),
        events_replayed: model.replayed,
        rows_checked,
        mismatches,
    })
}

/// Verifies the log (as `synthgov_ledger::verify`) and, when it holds, compares
/// every projection table with its replay.
pub fn verify(
    reg: &Registry,
    auditor: Option<&Checkpoint>,
    progress: &mut dyn FnMut(u64),
) -> Result<(VerifyReport, Option<ProjectionReport>), RegistryError> {
    let mut model = Model::default();
    let report = verify_visiting(reg.ledger(), auditor, progress, &mut |row| model.visit(row))?;
    model.flush();
    if !report.ok {
        return Ok((report, None));
    }
    let tables = read_tables(reg)?;
    Ok((report, Some(check_model(reg, &model, &tables)?)))
}

/// What `rebuild` did.
#[derive(Debug, Clone, Serialize)]
pub struct RebuildReport {
    pub tree_size: u64,
    pub events_replayed: u64,
    /// Rows written, per table.
    pub rows: BTreeMap<&'static str, u64>,
    /// The mismatches the tables had before (what was repaired).
    pub repaired: Vec<Mismatch>,
    /// Fingerprint filters that could not be restored: the log holds their hash,
    /// not their bytes, and the stored filter is gone or does not match.
    pub lost_fingerprints: Vec<String>,
}

/// Recreates every projection table from the log, in one transaction. Refuses when
/// the log itself does not verify.
pub fn rebuild(
    reg: &mut Registry,
    progress: &mut dyn FnMut(u64),
) -> Result<RebuildReport, RegistryError> {
    let mut model = Model::default();
    let report = verify_visiting(reg.ledger(), None, progress, &mut |row| model.visit(row))?;
    model.flush();
    if !report.ok {
        let why = report
            .problems
            .first()
            .map(|p| p.message.clone())
            .unwrap_or_default();
        return Err(RegistryError::BadRequest(format!(
            "the log does not verify ({why}); projections are rebuilt only from a log that holds"
        )));
    }
    if let Some(bad) = model.bad_entries.first() {
        return Err(RegistryError::BadRequest(format!(
            "{}: {}; cannot rebuild from it",
            bad.key, bad.problem
        )));
    }
    let tables = read_tables(reg)?;
    let repaired = check_model(reg, &model, &tables)?.mismatches;
    // Stored filters whose hash the log confirms (or cannot check) are kept.
    let mut filters: BTreeMap<(String, u64), Vec<u8>> = BTreeMap::new();
    for r in reg
        .db()
        .query("SELECT dataset, version, filter FROM fingerprints", &[])?
    {
        filters.insert((r.text(0)?, r.int(1)? as u64), r.blob(2)?);
    }
    // A filter the log cannot confirm is gone for good (the log holds its hash, not
    // its bytes): that is recorded, so the replayed log no longer expects it.
    let mut lost = Vec::new();
    let mut lost_changes = Vec::new();
    for ((d, v), (m, _)) in &model.fingerprints {
        let ok = filters.get(&(d.clone(), *v)).is_some_and(|f| {
            m.filter_sha256
                .as_deref()
                .is_none_or(|want| filter_sha256(f) == want)
        });
        if !ok {
            lost.push(format!("{d}@{v}"));
            let mut data = serde_json::Map::new();
            data.insert("dataset".into(), json!(d));
            data.insert("version".into(), json!(v));
            data.insert(
                "reason".into(),
                json!("the stored filter is missing or does not match filter_sha256"),
            );
            lost_changes.push(Change::new(EventType::FingerprintLost, data));
        }
    }
    let mut tree_size = report.tree_size;
    if !lost_changes.is_empty() {
        let receipt = reg.commit(
            &Actor::new("synthgov:rebuild"),
            Action::ApplyInventory,
            lost_changes,
        )?;
        tree_size = receipt.tree_size;
        for key in &lost {
            let (d, v) = key.rsplit_once('@').expect("dataset@version");
            model
                .fingerprints
                .remove(&(d.to_owned(), v.parse().expect("a version number")));
        }
    }
    let mut rows: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut tx = reg.write_tx()?;
    let size = synthgov_ledger::AppendTx::size(&mut tx)?;
    if size != tree_size {
        return Err(RegistryError::BadRequest(format!(
            "the log grew from {tree_size} to {size} entries during the rebuild; run it again"
        )));
    }
    for table in [
        "inventory_objects",
        "assets",
        "dataset_versions",
        "system_training",
        "flags",
        "fingerprints",
    ] {
        tx.exec(&format!("DELETE FROM {table}"), &[])?;
    }
    for ((kind, id), (body, i)) in &model.objects {
        let p = Projection::PutObject {
            kind: kind.clone(),
            id: id.clone(),
            body: body.clone(),
        };
        projection::write(&mut tx, *i, &p, None)?;
        *rows.entry("inventory_objects").or_default() += 1;
    }
    for (a, i) in model.assets.values() {
        projection::write(&mut tx, *i, &Projection::PutAsset(a.clone()), None)?;
        *rows.entry("assets").or_default() += 1;
    }
    for ((d, v), ((sha, files, bytes), i)) in &model.versions {
        let p = Projection::PutDatasetVersion {
            dataset: d.clone(),
            version: *v,
            content_sha256: sha.clone(),
            files: *files,
            bytes: *bytes,
        };
        projection::write(&mut tx, *i, &p, None)?;
        *rows.entry("dataset_versions").or_default() += 1;
    }
    for ((s, d), (v, i)) in &model.training {
        tx.exec(
            "INSERT INTO system_training (system, dataset, version, ledger_index) VALUES (?1, ?2, ?3, ?4)",
            &[s.into(), d.into(), v.map(|v| v as i64).into(), (*i as i64).into()],
        )?;
        *rows.entry("system_training").or_default() += 1;
    }
    for (name, (f, i)) in &model.flags {
        let p = Projection::SetFlag {
            name: name.clone(),
            enabled: f.enabled,
            changed_at: f.changed_at.clone(),
            actor: f.actor.clone(),
            reason: f.reason.clone(),
        };
        projection::write(&mut tx, *i, &p, None)?;
        *rows.entry("flags").or_default() += 1;
    }
    for ((d, v), (m, i)) in &model.fingerprints {
        let stored = filters.get(&(d.clone(), *v));
        let keep = stored.filter(|f| {
            m.filter_sha256
                .as_deref()
                .is_none_or(|want| filter_sha256(f) == want)
        });
        match keep {
            Some(f) => {
                let mut m = m.clone();
                if m.hashes.is_none() {
                    // An old entry without the hash count: keep the row's.
                    let r = tables.fingerprints.get(&format!("{d}@{v}"));
                    m.hashes = r.map(|(_, h, _, _)| *h);
                }
                projection::write(&mut tx, *i, &Projection::PutFingerprints(m), Some(f))?;
                *rows.entry("fingerprints").or_default() += 1;
            }
            None => unreachable!("lost filters were recorded and removed above"),
        }
    }
    tx.commit_now()?;
    Ok(RebuildReport {
        tree_size,
        events_replayed: model.replayed,
        rows,
        repaired,
        lost_fingerprints: lost,
    })
}
