//! `generate store`, governed: one authorization, every table made into a temporary
//! file in the output folder, then every table's `generation.completed`, dataset
//! version and fingerprint filter in one transaction, and only then the files moved
//! into place. A refused or failed run leaves the folder as it was.

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, json};
use synthgov_registry::{Actor, Registry};

use super::{
    GenerateReport, GenerateRequest, Lineage, Produced, SyncingWriter, SynthError, check_allowed,
    fingerprint_change, finish_file, finish_many, io, plan_builtin, temp_beside,
};
use crate::entity::Entity;
use crate::fingerprint::{Keys, SETS_V2, version_token};
use crate::generate::{Locale, Product};
use crate::row::Format;
use crate::store::{self, StoreMarking, StoreSpec, TABLES};

/// Most customers one store run makes (with their orders, some 15 rows each).
pub const MAX_STORE_CUSTOMERS: u64 = 100_000_000;

#[derive(Debug, Clone)]
pub struct StoreRequest {
    pub customers: u64,
    pub seed: u64,
    pub locale: Locale,
    pub format: Format,
    /// The folder the tables are written to (made when missing).
    pub out: PathBuf,
    pub products: Vec<Product>,
    pub marker_column: Option<String>,
    /// Share of orders that are fraudulent (labelled), 0 to 0.5.
    pub fraud_rate: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct StoreReport {
    pub tables: Vec<GenerateReport>,
}

fn extension(format: Format) -> &'static str {
    match format {
        Format::Csv => "csv",
        Format::Jsonl => "jsonl",
        Format::Parquet => "parquet",
    }
}

/// Makes a whole store (see [`crate::store`]) plus a telehealth side (patients and
/// their appointments), every table a dataset version of its own.
pub fn generate_store(
    reg: &mut Registry,
    keys: &Keys,
    actor: &Actor,
    req: &StoreRequest,
    progress: &mut dyn FnMut(&str, u64, u64),
) -> Result<StoreReport, SynthError> {
    if req.customers == 0 || req.customers > MAX_STORE_CUSTOMERS {
        return Err(SynthError::BadRequest(format!(
            "--customers: 1 to {MAX_STORE_CUSTOMERS}"
        )));
    }
    if !(0.0..=0.5).contains(&req.fraud_rate) {
        return Err(SynthError::BadRequest(format!(
            "--fraud-rate {}: a share of orders from 0 to 0.5",
            req.fraud_rate
        )));
    }
    if req.products.is_empty() {
        return Err(SynthError::BadRequest("the product list is empty".into()));
    }
    let what = json!({"entity": "store", "customers": req.customers, "seed": req.seed,
                      "out": req.out.display().to_string()});
    check_allowed(reg, actor, what)?;
    std::fs::create_dir_all(&req.out).map_err(io(&req.out))?;
    let ext = extension(req.format);

    let lineages: Vec<Lineage> = TABLES
        .iter()
        .map(|t| {
            let name = t.name.replace('_', "-");
            Lineage::new(
                reg,
                format!("builtin-{name}"),
                "rules",
                format!("synthetic-{name}"),
                "synthgov generate store",
            )
        })
        .collect::<Result<_, _>>()?;
    let fingerprints = req.marker_column.is_some()
        && req.customers.saturating_mul(10) <= super::MAX_FINGERPRINT_ROWS;
    let spec = StoreSpec {
        customers: req.customers,
        seed: req.seed,
        locale: req.locale,
        format: req.format,
        products: req.products.clone(),
        fraud_rate: req.fraud_rate,
        marking: req.marker_column.as_ref().map(|column| StoreMarking {
            keys: keys.clone(),
            column: column.clone(),
            tokens: lineages
                .iter()
                .map(|l| version_token(&l.dataset, l.version))
                .collect(),
            fingerprints,
        }),
    };
    // The telehealth side: a patient for every four customers, two appointments each.
    let patients = (req.customers / 4).max(1);
    let side: Vec<GenerateRequest> = [
        (Entity::Patients, patients, None),
        (Entity::Appointments, patients * 2, Some(patients)),
    ]
    .into_iter()
    .map(|(entity, rows, parents)| GenerateRequest {
        entity,
        rows,
        // One seed for both: an appointment finds its patient's age, sex and
        // conditions from (seed, patient id); the entity keeps their streams apart.
        seed: req.seed.wrapping_add(1),
        locale: req.locale,
        format: req.format,
        out: table_path(&req.out, entity.name(), req.format),
        dataset: None,
        parents,
        products: req.products.clone(),
        marker_column: req.marker_column.clone(),
    })
    .collect();
    let side_plans = side
        .iter()
        .map(|r| plan_builtin(reg, keys, r, "synthgov generate store"))
        .collect::<Result<Vec<_>, _>>()?;

    // Every table into a temporary file beside its output.
    let outs: Vec<PathBuf> = TABLES
        .iter()
        .map(|t| table_path(&req.out, t.name, req.format))
        .collect();
    let tmps = outs
        .iter()
        .map(|p| temp_beside(p))
        .collect::<Result<Vec<_>, _>>()?;
    let made = {
        let mut writers: Vec<BufWriter<SyncingWriter>> = tmps
            .iter()
            .map(|t| BufWriter::with_capacity(1 << 20, SyncingWriter::new(t.as_file())))
            .collect();
        let made = store::generate(
            &spec,
            writers
                .iter_mut()
                .map(|w| w as &mut (dyn std::io::Write + Send))
                .collect(),
            &mut |n| progress("store", n, req.customers),
        )
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidInput => SynthError::BadRequest(e.to_string()),
            _ => io(&req.out)(e),
        })?;
        for (w, p) in writers.iter_mut().zip(&outs) {
            std::io::Write::flush(w).map_err(io(p))?;
        }
        made
    };
    let mut produced = Vec::new();
    for (((t, tmp), out), (l, o)) in TABLES
        .iter()
        .zip(tmps)
        .zip(&outs)
        .zip(lineages.iter().zip(made))
    {
        finish_file(&tmp, out)?;
        let columns = t.prints.columns();
        let entity = format!("{SETS_V2}{}", t.name);
        let mut extra = Map::new();
        extra.insert(
            "parameters".into(),
            json!({"entity": t.name, "store": true, "customers": req.customers, "seed": req.seed,
                   "locale": format!("{:?}", req.locale), "format": ext,
                   "fraud_rate": req.fraud_rate, "products": req.products.len(),
                   "marker_column": req.marker_column}),
        );
        extra.insert("seed".into(), json!(req.seed));
        let fingerprint = o
            .bloom
            .as_ref()
            .map(|b| fingerprint_change(l, &entity, &columns, b));
        produced.push((
            l,
            out.as_path(),
            Produced {
                tmp,
                rows: o.rows,
                sha256: o.sha256,
                bytes: o.bytes,
                bloom: None,
                fingerprint,
                entity,
                columns,
                extra,
            },
        ));
    }
    let mut side_made = Vec::new();
    for (plan, r) in side_plans.iter().zip(&side) {
        let name = r.entity.name();
        let rows = r.rows;
        side_made.push(plan.produce(keys, &mut |n| progress(name, n, rows))?);
    }
    for (plan, p) in side_plans.iter().zip(side_made) {
        produced.push((&plan.lineage, plan.out.as_path(), p));
    }
    let tables = finish_many(reg, actor, produced)?;
    Ok(StoreReport { tables })
}

/// The file a store run writes for `table` in `dir`.
pub fn table_path(dir: &Path, table: &str, format: Format) -> PathBuf {
    dir.join(format!("{table}.{}", extension(format)))
}
