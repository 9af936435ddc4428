//! Governed generation: every run is authorized, refused while the `generation` flag
//! is off (recorded as `generation.refused`), written to a temporary file and only
//! renamed into place once its `generation.completed` event, its dataset version and
//! its fingerprint filter are committed in one registry transaction.

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value, json};
use synthgov_registry::flags::GENERATION;
use synthgov_registry::registry::{Change, Projection};
use synthgov_registry::{Actor, Registry, RegistryError};

use crate::detect::KnownVersion;
use crate::entity::Entity;
use crate::fingerprint::{Bloom, Keys, version_token};
use crate::generate::{Locale, Marking, Product, Spec, generate};
use crate::row::Format;

/// Above this many rows no fingerprint filter is built (it would not fit the memory
/// bound of streaming generation); markers still apply.
pub const MAX_FINGERPRINT_ROWS: u64 = 20_000_000;

#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// The actor may not generate (exit 1).
    #[error("{0}")]
    Refused(String),
    /// The kill switch (flag `generation`) is off (exit 1; HTTP 423).
    #[error("{0}")]
    Disabled(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

impl SynthError {
    pub fn is_bad_input(&self) -> bool {
        match self {
            SynthError::BadRequest(_) => true,
            SynthError::Registry(e) => e.is_bad_input(),
            _ => false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct GenerateRequest {
    pub entity: Entity,
    pub rows: u64,
    pub seed: u64,
    pub locale: Locale,
    pub format: Format,
    pub out: PathBuf,
    /// Dataset id [default: synthetic-<entity>].
    pub dataset: Option<String>,
    pub parents: Option<u64>,
    pub products: Vec<Product>,
    pub marker_column: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GenerateReport {
    pub dataset: String,
    pub version: String,
    pub rows: u64,
    pub sha256: String,
    pub ledger_index: u64,
    pub bytes: u64,
    pub out: String,
    pub fingerprints: bool,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SynthError + '_ {
    move |source| SynthError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Refuses, with a recorded event, when generation may not run.
pub fn check_allowed(reg: &mut Registry, actor: &Actor, what: Value) -> Result<(), SynthError> {
    if let Err(RegistryError::Denied { reason, .. }) = reg.authorize(actor, "generate") {
        let mut data = Map::new();
        data.insert("action".into(), json!("generate"));
        data.insert("reason".into(), json!(reason));
        data.insert("request".into(), what);
        reg.record(actor, "access.denied", data)?;
        return Err(SynthError::Refused(format!(
            "{} may not generate: {reason}",
            actor.name
        )));
    }
    if !reg.flag_enabled(GENERATION)? {
        let mut data = Map::new();
        data.insert("reason".into(), json!("the generation flag is off"));
        data.insert("request".into(), what);
        reg.record(actor, "generation.refused", data)?;
        return Err(SynthError::Disabled(
            "generation is switched off (flag `generation`); `synthgov flags set generation on` turns it back on".into(),
        ));
    }
    Ok(())
}

/// A `<kind>.registered` event and its projection.
fn declaration(kind: &str, id: &str, body: Value) -> Change {
    Change {
        kind: format!("{kind}.registered"),
        data: json!({"id": id, "declaration": body})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        projection: Projection::PutObject {
            kind: kind.into(),
            id: id.to_owned(),
            body,
        },
    }
}

/// Declares the generator and the dataset a run writes to when the inventory lacks
/// them, so that every generated dataset has lineage to its generator.
fn declare_missing(
    reg: &Registry,
    generator: &str,
    method: &str,
    dataset: &str,
    purpose: &str,
    changes: &mut Vec<Change>,
) -> Result<(), SynthError> {
    if reg.object("generator", generator)?.is_none() {
        let location = reg
            .object("store", "store")?
            .and_then(|s| s["jurisdiction"].as_str().map(str::to_owned))
            .unwrap_or_else(|| "US".into());
        let body = json!({"id": generator, "version": env!("CARGO_PKG_VERSION"), "method": method,
                          "location": location, "trained_on": []});
        changes.push(declaration("generator", generator, body));
    }
    if reg.object("dataset", dataset)?.is_none() {
        let body = json!({"id": dataset, "generator": generator, "purpose": purpose,
                          "surfaces": [], "environment": "synthetic"});
        changes.push(declaration("dataset", dataset, body));
    }
    Ok(())
}

/// Generates, records and moves the output into place.
pub fn generate_governed(
    reg: &mut Registry,
    keys: &Keys,
    actor: &Actor,
    req: &GenerateRequest,
    progress: &mut dyn FnMut(u64),
) -> Result<GenerateReport, SynthError> {
    let what = json!({"entity": req.entity.name(), "rows": req.rows, "seed": req.seed, "out": req.out.display().to_string()});
    check_allowed(reg, actor, what)?;
    if req.rows == 0 {
        return Err(SynthError::BadRequest("--rows must be at least 1".into()));
    }
    if req.products.is_empty() {
        return Err(SynthError::BadRequest("the product list is empty".into()));
    }
    let dataset = req
        .dataset
        .clone()
        .unwrap_or_else(|| format!("synthetic-{}", req.entity.name().replace('_', "-")));
    let mut changes = Vec::new();
    // An existing dataset keeps its generator; a new one gets the built-in generator.
    let generator = match reg.object("dataset", &dataset)? {
        Some(d) => d["generator"].as_str().unwrap_or_default().to_owned(),
        None => format!("builtin-{}", req.entity.name().replace('_', "-")),
    };
    declare_missing(
        reg,
        &generator,
        "rules",
        &dataset,
        "synthgov generate",
        &mut changes,
    )?;
    let version = reg.latest_version(&dataset)?.map_or(1, |(v, _)| v + 1);
    let token = version_token(&dataset, version);
    let fingerprints = req.rows <= MAX_FINGERPRINT_ROWS && req.marker_column.is_some();
    let spec = Spec {
        entity: req.entity,
        rows: req.rows,
        seed: req.seed,
        locale: req.locale,
        format: req.format,
        parents: req.parents.unwrap_or((req.rows / 3).max(1)),
        products: req.products.clone(),
        marking: req.marker_column.as_ref().map(|column| Marking {
            keys: keys.clone(),
            version_token: token.clone(),
            fingerprints,
            column: column.clone(),
        }),
    };

    let tmp = temp_beside(&req.out)?;
    let output = {
        let mut w = BufWriter::with_capacity(1 << 20, tmp.as_file());
        let o = generate(&spec, &mut w, progress).map_err(io(&req.out))?;
        std::io::Write::flush(&mut w).map_err(io(&req.out))?;
        o
    };
    finish_file(&tmp, &req.out)?;

    let params = json!({"entity": req.entity.name(), "rows": req.rows, "seed": req.seed,
                        "locale": format!("{:?}", req.locale), "format": format!("{:?}", req.format).to_lowercase(),
                        "parents": spec.parents, "products": req.products.len(),
                        "marker_column": req.marker_column});
    let mut extra = Map::new();
    extra.insert("parameters".into(), params);
    extra.insert("seed".into(), json!(req.seed));
    commit_run(
        reg,
        actor,
        changes,
        Run {
            generator: &generator,
            dataset: &dataset,
            version,
            rows: output.rows,
            sha256: output.sha256,
            bytes: output.bytes,
            out: &req.out,
            bloom: output.bloom.as_ref(),
            entity: req.entity.name().into(),
            columns: req
                .entity
                .identifying()
                .iter()
                .map(|s| s.to_string())
                .collect(),
            extra,
            tmp,
        },
    )
}

/// A temporary file in the output's folder, renamed over it once the run is recorded.
fn temp_beside(out: &Path) -> Result<tempfile::NamedTempFile, SynthError> {
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    tempfile::Builder::new()
        .prefix(".synthgov-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(io(&dir))
}

/// Syncs the finished output and gives it ordinary permissions (tempfile makes 0600).
fn finish_file(tmp: &tempfile::NamedTempFile, out: &Path) -> Result<(), SynthError> {
    tmp.as_file().sync_all().map_err(io(out))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(io(out))?;
    }
    Ok(())
}

/// What a finished run records.
struct Run<'a> {
    generator: &'a str,
    dataset: &'a str,
    version: u64,
    rows: u64,
    sha256: String,
    bytes: u64,
    out: &'a Path,
    bloom: Option<&'a Bloom>,
    entity: String,
    columns: Vec<String>,
    /// Fields of the `generation.completed` event beyond the common ones.
    extra: Map<String, Value>,
    tmp: tempfile::NamedTempFile,
}

/// Commits `generation.completed`, the dataset version and the fingerprint filter
/// (after `changes`) in one transaction, then moves the output into place.
fn commit_run(
    reg: &mut Registry,
    actor: &Actor,
    mut changes: Vec<Change>,
    run: Run,
) -> Result<GenerateReport, SynthError> {
    let mut data = Map::new();
    data.insert("generator".into(), json!(run.generator));
    data.insert("dataset".into(), json!(run.dataset));
    data.insert("version".into(), json!(run.version));
    data.insert("rows".into(), json!(run.rows));
    data.insert("output_sha256".into(), json!(run.sha256));
    data.insert("bytes".into(), json!(run.bytes));
    data.insert("out".into(), json!(run.out.display().to_string()));
    data.extend(run.extra);
    changes.push(Change {
        kind: "generation.completed".into(),
        data,
        projection: Projection::None,
    });
    let completed_at = changes.len() - 1;
    let previous = reg.latest_version(run.dataset)?;
    changes.push(Change {
        kind: "dataset.version_created".into(),
        data: json!({"dataset": run.dataset, "version": run.version, "content_sha256": run.sha256,
                     "previous_version": previous.as_ref().map(|p| p.0),
                     "previous_sha256": previous.as_ref().map(|p| p.1.clone()),
                     "files": 1, "bytes": run.bytes, "generator": run.generator})
        .as_object()
        .cloned()
        .unwrap_or_default(),
        projection: Projection::PutDatasetVersion {
            dataset: run.dataset.to_owned(),
            version: run.version,
            content_sha256: run.sha256.clone(),
            files: 1,
            bytes: run.bytes,
        },
    });
    if let Some(b) = run.bloom {
        changes.push(Change {
            kind: "dataset.fingerprinted".into(),
            data: json!({"dataset": run.dataset, "version": run.version, "entity": run.entity,
                         "columns": run.columns, "items": b.items(), "bits": b.bits(),
                         "false_positive_rate": crate::fingerprint::FALSE_POSITIVE_RATE})
            .as_object()
            .cloned()
            .unwrap_or_default(),
            projection: Projection::PutFingerprints {
                dataset: run.dataset.to_owned(),
                version: run.version,
                entity: run.entity.clone(),
                columns: run.columns.clone(),
                filter: b.to_bytes(),
                bits: b.bits(),
                hashes: b.hashes(),
                items: b.items(),
            },
        });
    }
    let receipt = reg.commit(actor, "generate", changes)?;
    run.tmp.persist(run.out).map_err(|e| SynthError::Io {
        path: run.out.to_owned(),
        source: e.error,
    })?;
    Ok(GenerateReport {
        dataset: run.dataset.to_owned(),
        version: run.version.to_string(),
        rows: run.rows,
        sha256: run.sha256,
        ledger_index: receipt.first_index + completed_at as u64,
        bytes: run.bytes,
        out: run.out.display().to_string(),
        fingerprints: run.bloom.is_some(),
    })
}

/// Generates from a fitted model, governed like the built-in generators. With a
/// reference sample, the quality metrics go into the `generation.completed` event.
#[allow(clippy::too_many_arguments)]
pub fn generate_model_governed(
    reg: &mut Registry,
    keys: &Keys,
    actor: &Actor,
    model: &crate::copula::Model,
    rows: u64,
    seed: u64,
    out: &Path,
    dataset: Option<String>,
    marker_column: Option<String>,
    reference: Option<&crate::table::Table>,
) -> Result<GenerateReport, SynthError> {
    let what =
        json!({"model": model.model, "rows": rows, "seed": seed, "out": out.display().to_string()});
    check_allowed(reg, actor, what)?;
    if rows == 0 {
        return Err(SynthError::BadRequest("--rows must be at least 1".into()));
    }
    let dataset = dataset.unwrap_or_else(|| format!("synthetic-{}", model.model));
    let mut changes = Vec::new();
    let generator = model.model.clone();
    declare_missing(
        reg,
        &generator,
        "copula",
        &dataset,
        "synthgov generate --model",
        &mut changes,
    )?;
    let version = reg.latest_version(&dataset)?.map_or(1, |(v, _)| v + 1);
    let token = version_token(&dataset, version);
    let fingerprints = marker_column.is_some() && rows <= MAX_FINGERPRINT_ROWS;
    let mut bloom =
        fingerprints.then(|| Bloom::for_items(rows, crate::fingerprint::FALSE_POSITIVE_RATE));
    let tmp = temp_beside(out)?;
    let columns: Vec<String> = model.columns.iter().map(|c| c.name.clone()).collect();
    let marker_fn = |row: u64| keys.marker(&token, row);
    let entity = format!("model:{}", model.model);
    {
        let mut w = BufWriter::with_capacity(1 << 20, tmp.as_file());
        crate::copula::sample_csv(
            model,
            rows,
            seed,
            marker_column
                .as_ref()
                .map(|_| &marker_fn as &(dyn Fn(u64) -> String + Sync)),
            marker_column.as_deref().unwrap_or("synthgov_marker"),
            &mut w,
            &mut |ident| {
                if let Some(b) = bloom.as_mut() {
                    b.insert(&keys.fingerprint(&entity, ident));
                }
            },
        )
        .map_err(io(out))?;
        std::io::Write::flush(&mut w).map_err(io(out))?;
    }
    finish_file(&tmp, out)?;
    let bytes = std::fs::read(tmp.path()).map_err(io(out))?;
    let sha256 = synthgov_core::digest::sha256_hex(&bytes);
    let size = bytes.len() as u64;
    drop(bytes);
    let quality = match reference {
        Some(r) => {
            let mut types: std::collections::BTreeMap<String, crate::table::ColType> =
                Default::default();
            for c in &r.columns {
                types.insert(c.name.clone(), c.ctype);
            }
            let synth = crate::table::read_csv(tmp.path(), &types)
                .map_err(|e| SynthError::BadRequest(e.to_string()))?;
            let q = crate::quality::quality(r, &synth, None, &Default::default())
                .map_err(|e| SynthError::BadRequest(e.0))?;
            Some(
                json!({"score": q.score, "column_shapes": q.column_shapes, "column_pair_trends": q.column_pair_trends,
                        "exact_match_rate": q.privacy.exact_match_rate, "dcr_share": q.privacy.dcr_share}),
            )
        }
        None => None,
    };
    let mut extra = Map::new();
    extra.insert("model".into(), json!(model.model));
    extra.insert("model_sample_sha256".into(), json!(model.sample_sha256));
    extra.insert(
        "parameters".into(),
        json!({"rows": rows, "seed": seed, "marker_column": marker_column}),
    );
    extra.insert("seed".into(), json!(seed));
    if let Some(q) = quality {
        extra.insert("quality".into(), q);
    }
    commit_run(
        reg,
        actor,
        changes,
        Run {
            generator: &generator,
            dataset: &dataset,
            version,
            rows,
            sha256,
            bytes: size,
            out,
            bloom: bloom.as_ref(),
            entity,
            columns,
            extra,
            tmp,
        },
    )
}

/// Everything detection needs from the registry.
pub fn known_versions(reg: &Registry) -> Result<Vec<KnownVersion>, SynthError> {
    let filters = reg.fingerprint_filters()?;
    let mut out = Vec::new();
    for v in reg.dataset_versions()? {
        let f = filters
            .iter()
            .find(|f| f.0 == v.dataset && f.1 == v.version);
        out.push(KnownVersion {
            token: version_token(&v.dataset, v.version),
            entity: f.map(|f| f.2.clone()).unwrap_or_default(),
            columns: f.map(|f| f.3.clone()).unwrap_or_default(),
            bloom: f.and_then(|f| Bloom::from_parts(&f.4, f.5, f.6, f.7)),
            dataset: v.dataset,
            version: v.version,
        });
    }
    Ok(out)
}
