//! The inventory as one JSON document (`synthgov inventory --json`, audit packs).

use serde_json::{Value, json};

use crate::apply::current;
use crate::error::RegistryError;
use crate::registry::{DatasetVersion, Registry};

/// Store, sources, generators, datasets (with their versions), systems (with the
/// dataset versions they trained on), vendors and assets.
pub fn inventory_document(reg: &Registry) -> Result<Value, RegistryError> {
    let inv = current(reg)?;
    let versions = reg.dataset_versions()?;
    let training = reg.training()?;
    let assets = reg.assets()?;
    let datasets: Vec<Value> = inv
        .datasets
        .iter()
        .map(|d| {
            let mut v = serde_json::to_value(d).expect("serializes");
            let vs: Vec<&DatasetVersion> = versions.iter().filter(|x| x.dataset == d.id).collect();
            v["versions"] = json!(vs);
            v
        })
        .collect();
    let systems: Vec<Value> = inv
        .systems
        .iter()
        .map(|s| {
            let mut v = serde_json::to_value(s).expect("serializes");
            let t: Vec<Value> = training
                .iter()
                .filter(|(sys, _, _)| sys == &s.id)
                .map(|(_, d, ver)| json!({"dataset": d, "version": ver}))
                .collect();
            v["trained_on_versions"] = Value::Array(t);
            v
        })
        .collect();
    Ok(json!({
        "store": inv.store,
        "sources": inv.sources,
        "generators": inv.generators,
        "datasets": datasets,
        "systems": systems,
        "vendors": inv.vendors,
        "assets": assets,
    }))
}
