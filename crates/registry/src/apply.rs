//! `synthgov apply FILE`: make the registry match the declared inventory. Shows what
//! changes; every change is one ledger event through the one write path; applying an
//! unchanged file adds no events. Objects in the registry but not in the file are
//! reported, and removed only with `prune`.

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::catalogue::{DeclarationChange, EventType};
use crate::error::RegistryError;
use crate::model::Inventory;
use crate::parse::split_version;
use crate::policy::Action;
use crate::registry::{Actor, Change, Registry};

/// Kinds in the order they are applied (referenced before referencing).
pub const KINDS: [&str; 6] = [
    "store",
    "source",
    "vendor",
    "generator",
    "dataset",
    "system",
];

#[derive(Debug, Clone, Serialize)]
pub struct PlannedChange {
    pub action: &'static str,
    pub kind: String,
    pub id: String,
    /// Top-level fields that differ, for updates.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplyReport {
    pub changes: Vec<PlannedChange>,
    /// Objects in the registry that the file does not declare (kept unless pruned).
    pub not_in_file: Vec<String>,
    pub applied: bool,
    pub events: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_index: Option<u64>,
}

fn declared(inv: &Inventory) -> Vec<(&'static str, String, Value)> {
    let mut out = Vec::new();
    if let Some(s) = &inv.store {
        out.push((
            "store",
            "store".to_owned(),
            serde_json::to_value(s).expect("serializes"),
        ));
    }
    let push = |out: &mut Vec<_>, kind: &'static str, items: Vec<(String, Value)>| {
        out.extend(items.into_iter().map(|(id, v)| (kind, id, v)));
    };
    fn ser<T: Serialize>(x: &T) -> Value {
        serde_json::to_value(x).expect("inventory types serialize")
    }
    push(
        &mut out,
        "source",
        inv.sources.iter().map(|x| (x.id.clone(), ser(x))).collect(),
    );
    push(
        &mut out,
        "vendor",
        inv.vendors.iter().map(|x| (x.id.clone(), ser(x))).collect(),
    );
    push(
        &mut out,
        "generator",
        inv.generators
            .iter()
            .map(|x| (x.id.clone(), ser(x)))
            .collect(),
    );
    push(
        &mut out,
        "dataset",
        inv.datasets
            .iter()
            .map(|x| (x.id.clone(), ser(x)))
            .collect(),
    );
    push(
        &mut out,
        "system",
        inv.systems.iter().map(|x| (x.id.clone(), ser(x))).collect(),
    );
    out
}

fn changed_fields(old: &Value, new: &Value) -> Vec<String> {
    let (Some(o), Some(n)) = (old.as_object(), new.as_object()) else {
        return vec!["(all)".into()];
    };
    let mut keys: Vec<&String> = o.keys().chain(n.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| o.get(*k) != n.get(*k))
        .cloned()
        .collect()
}

fn declaration_event(kind: &str, change: DeclarationChange) -> Result<EventType, RegistryError> {
    EventType::declaration(kind, change).ok_or_else(|| {
        RegistryError::BadRequest(format!(
            "inventory kind {kind:?} has no event in the catalogue"
        ))
    })
}

/// Plans and (unless `dry_run`) applies `inv`.
pub fn apply(
    reg: &mut Registry,
    actor: &Actor,
    inv: &Inventory,
    prune: bool,
    dry_run: bool,
) -> Result<ApplyReport, RegistryError> {
    let want = declared(inv);
    let mut changes = Vec::new();
    let mut planned = Vec::new();
    for (kind, id, body) in &want {
        let current = reg.object(kind, id)?;
        let (action, fields) = match &current {
            None => ("create", Vec::new()),
            Some(old) if old == body => continue,
            Some(old) => ("update", changed_fields(old, body)),
        };
        let mut data = Map::new();
        data.insert("id".into(), json!(id));
        data.insert("declaration".into(), body.clone());
        if !fields.is_empty() {
            data.insert("changed".into(), json!(fields));
        }
        let change = if action == "create" {
            DeclarationChange::Created
        } else {
            DeclarationChange::Updated
        };
        let event_kind = declaration_event(kind, change)?;
        if *kind == "system" {
            // Record which dataset versions the system is trained on, as of now.
            let system = inv.systems.iter().find(|s| &s.id == id).expect("declared");
            let mut shown = Vec::new();
            for t in &system.trained_on {
                let (ds, v) = split_version(t);
                if !inv.datasets.iter().any(|d| d.id == ds) {
                    continue; // a source, not a dataset
                }
                let version = match v {
                    Some(Ok(v)) => Some(v),
                    _ => reg.latest_version(ds)?.map(|(v, _)| v),
                };
                shown.push(json!({"dataset": ds, "version": version}));
            }
            data.insert("trained_on_versions".into(), Value::Array(shown));
            changes.push(Change::new(event_kind, data.clone()));
            let mut m = Map::new();
            m.insert("id".into(), json!(id));
            m.insert(
                "trained_on_versions".into(),
                data["trained_on_versions"].clone(),
            );
            changes.push(Change::new(EventType::SystemTrainingRecorded, m));
        } else {
            changes.push(Change::new(event_kind, data));
        }
        planned.push(PlannedChange {
            action,
            kind: kind.to_string(),
            id: id.clone(),
            fields,
        });
    }
    let mut not_in_file = Vec::new();
    for kind in KINDS {
        for (id, _) in reg.objects(kind)? {
            if want.iter().any(|(k, i, _)| *k == kind && *i == id) {
                continue;
            }
            if prune {
                planned.push(PlannedChange {
                    action: "remove",
                    kind: kind.to_owned(),
                    id: id.clone(),
                    fields: Vec::new(),
                });
                let mut data = Map::new();
                data.insert("id".into(), json!(id));
                changes.push(Change::new(
                    declaration_event(kind, DeclarationChange::Removed)?,
                    data,
                ));
            } else {
                not_in_file.push(format!("{kind}:{id}"));
            }
        }
    }
    let mut report = ApplyReport {
        changes: planned,
        not_in_file,
        applied: false,
        events: 0,
        first_index: None,
    };
    if dry_run || changes.is_empty() {
        return Ok(report);
    }
    let receipt = reg.commit(actor, Action::ApplyInventory, changes)?;
    report.applied = true;
    report.events = receipt.appended;
    report.first_index = Some(receipt.first_index);
    Ok(report)
}

/// The inventory as the registry holds it now.
pub fn current(reg: &Registry) -> Result<Inventory, RegistryError> {
    fn list<T: serde::de::DeserializeOwned>(
        reg: &Registry,
        kind: &str,
    ) -> Result<Vec<T>, RegistryError> {
        reg.objects(kind)?
            .into_iter()
            .map(|(id, v)| {
                serde_json::from_value(v).map_err(|e| {
                    RegistryError::Store(synthgov_ledger::StoreError::Damaged(format!(
                        "{kind} {id}: stored declaration does not parse: {e}"
                    )))
                })
            })
            .collect()
    }
    let store = match reg.object("store", "store")? {
        Some(v) => serde_json::from_value(v).ok(),
        None => None,
    };
    Ok(Inventory {
        store,
        sources: list(reg, "source")?,
        generators: list(reg, "generator")?,
        datasets: list(reg, "dataset")?,
        systems: list(reg, "system")?,
        vendors: list(reg, "vendor")?,
    })
}
