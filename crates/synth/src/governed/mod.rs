//! Governed generation: every run is authorized, refused while the `generation` flag
//! is off (recorded as `generation.refused`), written to a temporary file and only
//! renamed into place once its `generation.completed` event, its dataset version and
//! its fingerprint filter are committed in one registry transaction.

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value, json};
use synthgov_registry::catalogue::{DeclarationChange, EventType};
use synthgov_registry::flags::GENERATION;
use synthgov_registry::policy::Action;
use synthgov_registry::registry::Change;
use synthgov_registry::{Actor, Registry, RegistryError};

use crate::detect::KnownVersion;
use crate::entity::Entity;
use crate::fingerprint::{Bloom, EXACT_V2, Keys, SETS_V2, version_token};
use crate::generate::{Locale, Marking, Product, Spec, generate};
use crate::row::Format;

mod related;
mod store;
pub use related::{child_out, generate_related_governed};
pub use store::{StoreReport, StoreRequest, generate_store};

/// Above this many rows no fingerprint filter is built (it would not fit the memory
/// bound of streaming generation); markers still apply.
pub const MAX_FINGERPRINT_ROWS: u64 = 10_000_000;

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
    /// Another run changed what this one was based on (HTTP 409; exit 1).
    #[error("{0}")]
    Conflict(String),
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

/// Most rows one fitted-model run samples (a bound on its time: 10^9 rows of a wide
/// model is hours of work).
pub const MAX_MODEL_ROWS: u64 = 1_000_000_000;

/// Refuses, with a recorded event, when generation may not run (the denial itself is
/// recorded by the registry's write path).
pub fn check_allowed(reg: &mut Registry, actor: &Actor, what: Value) -> Result<(), SynthError> {
    match reg.authorize(actor, Action::Generate, None) {
        Ok(()) => {}
        Err(RegistryError::Denied { reason, .. }) => {
            return Err(SynthError::Refused(format!(
                "{} may not generate: {reason}",
                actor.name
            )));
        }
        Err(e) => return Err(e.into()),
    }
    let enabled = match reg.flag_enabled(GENERATION) {
        Ok(on) => on,
        Err(RegistryError::Tampered(problem)) => {
            // Fail closed: a kill switch that was edited behind the log's back stops
            // generation until `synthgov rebuild` puts the log's value back.
            let mut data = Map::new();
            data.insert("table".into(), json!("flags"));
            data.insert("key".into(), json!(GENERATION));
            data.insert("problem".into(), json!(problem));
            reg.record_integrity_violation(actor, data)?;
            return Err(SynthError::Refused(format!(
                "generation refused: {problem}; run `synthgov verify`"
            )));
        }
        Err(e) => return Err(e.into()),
    };
    if !enabled {
        let mut data = Map::new();
        data.insert("reason".into(), json!("the generation flag is off"));
        data.insert("request".into(), what);
        reg.record(actor, Action::Generate, EventType::GenerationRefused, data)?;
        return Err(SynthError::Disabled(
            "generation is switched off (flag `generation`); `synthgov flags set generation on` turns it back on".into(),
        ));
    }
    Ok(())
}

/// A `<kind>.registered` event and its projection.
fn declaration(kind: &str, id: &str, body: Value) -> Change {
    let kind = EventType::declaration(kind, DeclarationChange::Created)
        .expect("generator and dataset declarations are in the catalogue");
    Change::new(
        kind,
        json!({"id": id, "declaration": body})
            .as_object()
            .cloned()
            .unwrap_or_default(),
    )
}

/// Declares the generator and the dataset a run writes to when the inventory lacks
/// them, so that every generated dataset has lineage to its generator.
fn declare_missing(reg: &Registry, l: &Lineage) -> Result<Vec<Change>, SynthError> {
    let mut changes = Vec::new();
    if reg.object("generator", &l.generator)?.is_none() {
        let location = reg
            .object("store", "store")?
            .and_then(|s| s["jurisdiction"].as_str().map(str::to_owned))
            .unwrap_or_else(|| "US".into());
        let body = json!({"id": l.generator, "version": env!("CARGO_PKG_VERSION"), "method": l.method,
                          "location": location, "trained_on": []});
        changes.push(declaration("generator", &l.generator, body));
    }
    if reg.object("dataset", &l.dataset)?.is_none() {
        let body = json!({"id": l.dataset, "generator": l.generator, "purpose": l.purpose,
                          "surfaces": [], "environment": "synthetic"});
        changes.push(declaration("dataset", &l.dataset, body));
    }
    Ok(changes)
}

/// Where a run's rows go in the inventory: its generator, its dataset and the version
/// it will create.
#[derive(Debug, Clone)]
struct Lineage {
    generator: String,
    method: &'static str,
    dataset: String,
    purpose: &'static str,
    version: u64,
}

impl Lineage {
    fn new(
        reg: &Registry,
        generator: String,
        method: &'static str,
        dataset: String,
        purpose: &'static str,
    ) -> Result<Lineage, SynthError> {
        // A run is recorded under the generator that made its rows, never under the
        // generator another dataset declares (its lineage would name sources these
        // rows never touched).
        if let Some(d) = reg.object("dataset", &dataset)?
            && let Some(declared) = d["generator"].as_str()
            && declared != generator
        {
            return Err(SynthError::BadRequest(format!(
                "dataset {dataset:?} is declared as the output of generator {declared:?}, but this run's rows come from {generator:?}: name a dataset of its own with --dataset (a new id is declared for it), or declare the dataset with generator {generator:?}"
            )));
        }
        let version = reg.latest_version(&dataset)?.map_or(1, |(v, _)| v + 1);
        Ok(Lineage {
            generator,
            method,
            dataset,
            purpose,
            version,
        })
    }
}

/// What a run makes.
#[derive(Debug, Clone)]
enum Work {
    Builtin(Box<Spec>),
    Model {
        model: Box<crate::copula::Model>,
        rows: u64,
        seed: u64,
        marker_column: Option<String>,
        token: String,
    },
}

/// A planned run: authorized, its lineage read from the registry, nothing written
/// yet. [`Plan::produce`] makes the rows without the registry, so a server does not
/// hold its writer while millions of rows are generated; [`finish`] commits.
#[derive(Debug, Clone)]
pub struct Plan {
    lineage: Lineage,
    out: PathBuf,
    work: Work,
    extra: Map<String, Value>,
}

/// The rows of a planned run, in a temporary file beside the output.
pub struct Produced {
    tmp: tempfile::NamedTempFile,
    rows: u64,
    sha256: String,
    bytes: u64,
    bloom: Option<Bloom>,
    fingerprint: Option<Change>,
    entity: String,
    columns: Vec<String>,
    extra: Map<String, Value>,
}

/// Plans a run of a built-in generator.
pub fn plan_generate(
    reg: &mut Registry,
    keys: &Keys,
    actor: &Actor,
    req: &GenerateRequest,
) -> Result<Plan, SynthError> {
    let what = json!({"entity": req.entity.name(), "rows": req.rows, "seed": req.seed, "out": req.out.display().to_string()});
    if req.rows == 0 {
        return Err(SynthError::BadRequest("--rows must be at least 1".into()));
    }
    if req.products.is_empty() {
        return Err(SynthError::BadRequest("the product list is empty".into()));
    }
    check_allowed(reg, actor, what)?;
    plan_builtin(reg, keys, req, "synthgov generate")
}

/// Plans a built-in run once it is allowed.
fn plan_builtin(
    reg: &Registry,
    keys: &Keys,
    req: &GenerateRequest,
    purpose: &'static str,
) -> Result<Plan, SynthError> {
    let dataset = req
        .dataset
        .clone()
        .unwrap_or_else(|| format!("synthetic-{}", req.entity.name().replace('_', "-")));
    let generator = format!("builtin-{}", req.entity.name().replace('_', "-"));
    let lineage = Lineage::new(reg, generator, "rules", dataset, purpose)?;
    let token = version_token(&lineage.dataset, lineage.version);
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
    let params = json!({"entity": req.entity.name(), "rows": req.rows, "seed": req.seed,
                        "locale": format!("{:?}", req.locale), "format": format!("{:?}", req.format).to_lowercase(),
                        "parents": spec.parents, "products": req.products.len(),
                        "marker_column": req.marker_column});
    let mut extra = Map::new();
    extra.insert("parameters".into(), params);
    extra.insert("seed".into(), json!(req.seed));
    Ok(Plan {
        lineage,
        out: req.out.clone(),
        work: Work::Builtin(Box::new(spec)),
        extra,
    })
}

/// Plans a run of a fitted model. The model is validated first: a hostile model is
/// refused before anything is recorded or written.
#[allow(clippy::too_many_arguments)]
pub fn plan_model(
    reg: &mut Registry,
    actor: &Actor,
    model: &crate::copula::Model,
    rows: u64,
    seed: u64,
    out: &Path,
    dataset: Option<String>,
    marker_column: Option<String>,
) -> Result<Plan, SynthError> {
    model
        .validate()
        .map_err(|e| SynthError::BadRequest(e.to_string()))?;
    if let Some(c) = model.children.first() {
        return Err(SynthError::BadRequest(format!(
            "model {} has a child table ({}): it makes two tables, which `synthgov generate --model` writes (generate_related_governed)",
            model.model, c.table
        )));
    }
    if rows == 0 || rows > MAX_MODEL_ROWS {
        return Err(SynthError::BadRequest(format!(
            "rows: 1 to {MAX_MODEL_ROWS} per run"
        )));
    }
    let what =
        json!({"model": model.model, "rows": rows, "seed": seed, "out": out.display().to_string()});
    check_allowed(reg, actor, what)?;
    let dataset = dataset.unwrap_or_else(|| format!("synthetic-{}", model.model));
    let lineage = Lineage::new(
        reg,
        model.model.clone(),
        "copula",
        dataset,
        "synthgov generate --model",
    )?;
    let token = version_token(&lineage.dataset, lineage.version);
    let mut extra = Map::new();
    extra.insert("model".into(), json!(model.model));
    extra.insert("model_sample_sha256".into(), json!(model.sample_sha256));
    extra.insert(
        "parameters".into(),
        json!({"rows": rows, "seed": seed, "marker_column": marker_column}),
    );
    extra.insert("seed".into(), json!(seed));
    Ok(Plan {
        lineage,
        out: out.to_owned(),
        work: Work::Model {
            model: Box::new(model.clone()),
            rows,
            seed,
            marker_column,
            token,
        },
        extra,
    })
}

impl Plan {
    /// Makes the rows into a temporary file beside the output; touches no registry.
    pub fn produce(
        &self,
        keys: &Keys,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Produced, SynthError> {
        let out = &self.out;
        let tmp = temp_beside(out)?;
        let made = match &self.work {
            Work::Builtin(spec) => {
                let o = {
                    let mut w =
                        BufWriter::with_capacity(1 << 20, SyncingWriter::new(tmp.as_file()));
                    let o = generate(spec, &mut w, progress).map_err(io(out))?;
                    std::io::Write::flush(&mut w).map_err(io(out))?;
                    o
                };
                Produced {
                    rows: o.rows,
                    sha256: o.sha256,
                    bytes: o.bytes,
                    bloom: o.bloom,
                    fingerprint: None,
                    entity: format!("{SETS_V2}{}", spec.entity.name()),
                    columns: spec.entity.prints().columns(),
                    extra: self.extra.clone(),
                    tmp,
                }
            }
            Work::Model {
                model,
                rows,
                seed,
                marker_column,
                token,
            } => {
                let fingerprints = marker_column.is_some() && *rows <= MAX_FINGERPRINT_ROWS;
                let mut bloom = fingerprints
                    .then(|| Bloom::for_items(*rows, crate::fingerprint::FALSE_POSITIVE_RATE));
                let columns: Vec<String> = model.columns.iter().map(|c| c.name.clone()).collect();
                let marker_fn = |row: u64| keys.marker(token, row);
                let entity = format!("{EXACT_V2}model:{}", model.model);
                let hashed = entity[EXACT_V2.len()..].to_owned();
                // Hashed and counted on the way out: the output is never read back.
                let mut hashing = HashingWriter::new(BufWriter::with_capacity(
                    1 << 20,
                    SyncingWriter::new(tmp.as_file()),
                ));
                crate::copula::sample_csv(
                    model,
                    *rows,
                    *seed,
                    marker_column
                        .as_ref()
                        .map(|_| &marker_fn as &(dyn Fn(u64) -> String + Sync)),
                    marker_column.as_deref().unwrap_or("synthgov_marker"),
                    &mut hashing,
                    &mut |ident| {
                        if let Some(b) = bloom.as_mut() {
                            b.insert(&keys.fingerprint(&hashed, ident));
                        }
                    },
                )
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::InvalidInput => SynthError::BadRequest(e.to_string()),
                    _ => io(out)(e),
                })?;
                let (sha256, bytes) = hashing.finish().map_err(io(out))?;
                progress(*rows);
                Produced {
                    rows: *rows,
                    sha256,
                    bytes,
                    bloom,
                    fingerprint: None,
                    entity,
                    columns,
                    extra: self.extra.clone(),
                    tmp,
                }
            }
        };
        finish_file(&made.tmp, out)?;
        let mut made = made;
        // The filter's bytes and hash are made here, not in `finish`: for millions of
        // rows that is tens of megabytes, and `finish` runs holding the writer.
        if let Some(b) = made.bloom.take() {
            made.fingerprint = Some(fingerprint_change(
                &self.lineage,
                &made.entity,
                &made.columns,
                &b,
            ));
        }
        Ok(made)
    }
}

/// The `dataset.fingerprinted` change of a run's filter.
fn fingerprint_change(l: &Lineage, entity: &str, columns: &[String], b: &Bloom) -> Change {
    let filter = b.to_bytes();
    let mut change = Change::new(
        EventType::DatasetFingerprinted,
        json!({"dataset": l.dataset, "version": l.version, "entity": entity,
                 "columns": columns, "items": b.items(), "bits": b.bits(),
                 "hashes": b.hashes(),
                 "false_positive_rate": crate::fingerprint::FALSE_POSITIVE_RATE})
        .as_object()
        .cloned()
        .unwrap_or_default(),
    )
    .with_filter(filter);
    let sha = change.filter_sha256().map(str::to_owned);
    change.data.insert("filter_sha256".into(), json!(sha));
    change
}

impl Produced {
    /// The temporary file holding the rows (for measuring them before the commit).
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// Adds fields to the run's `generation.completed` event.
    pub fn note(&mut self, key: &str, value: Value) {
        self.extra.insert(key.into(), value);
    }
}

/// Writes to the output file and syncs it every [`SYNC_EVERY`] bytes, so the run's
/// data reaches the disk as it is made: one flush of a whole multi-gigabyte output at
/// the end would stall every other fsync on the disk (the ledger's commits among
/// them) for as long as it takes.
struct SyncingWriter<'a> {
    file: &'a std::fs::File,
    unsynced: u64,
}

/// Bytes written between two syncs of a generation's output.
const SYNC_EVERY: u64 = 16 << 20;

impl<'a> SyncingWriter<'a> {
    fn new(file: &'a std::fs::File) -> Self {
        SyncingWriter { file, unsynced: 0 }
    }
}

impl std::io::Write for SyncingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.unsynced += n as u64;
        if self.unsynced >= SYNC_EVERY {
            self.file.sync_data()?;
            self.unsynced = 0;
        }
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Counts and hashes what passes through (SHA-256 of the whole output).
struct HashingWriter<W: std::io::Write> {
    inner: W,
    hasher: sha2::Sha256,
    bytes: u64,
}

impl<W: std::io::Write> HashingWriter<W> {
    fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: <sha2::Sha256 as sha2::Digest>::new(),
            bytes: 0,
        }
    }

    fn finish(mut self) -> std::io::Result<(String, u64)> {
        self.inner.flush()?;
        Ok((hex::encode(sha2::Digest::finalize(self.hasher)), self.bytes))
    }
}

impl<W: std::io::Write> std::io::Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        sha2::Digest::update(&mut self.hasher, &buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Commits a produced run: the kill switch and the authorization are checked again
/// (either may have changed while the rows were made), the dataset must still be at
/// the version the plan read (its markers name that version), then
/// `generation.completed`, the dataset version and the fingerprint filter go in one
/// transaction and the output is moved into place.
pub fn finish(
    reg: &mut Registry,
    actor: &Actor,
    plan: &Plan,
    produced: Produced,
) -> Result<GenerateReport, SynthError> {
    let mut reports = finish_many(
        reg,
        actor,
        vec![(&plan.lineage, plan.out.as_path(), produced)],
    )?;
    Ok(reports.remove(0))
}

/// [`finish`] for several runs made together (the tables of a store): one check,
/// one transaction for all their events, then every output moved into place.
fn finish_many(
    reg: &mut Registry,
    actor: &Actor,
    runs: Vec<(&Lineage, &Path, Produced)>,
) -> Result<Vec<GenerateReport>, SynthError> {
    let what: Vec<Value> = runs
        .iter()
        .map(|(l, out, _)| json!({"dataset": l.dataset, "version": l.version, "out": out.display().to_string()}))
        .collect();
    check_allowed(
        reg,
        actor,
        if what.len() == 1 {
            what[0].clone()
        } else {
            json!({"runs": what})
        },
    )?;
    let mut staged = Vec::new();
    for (l, out, produced) in runs {
        let now = reg.latest_version(&l.dataset)?.map_or(1, |(v, _)| v + 1);
        if now != l.version {
            return Err(SynthError::Conflict(format!(
                "dataset {} got version {} while this run was generating version {}; run it again",
                l.dataset,
                now - 1,
                l.version
            )));
        }
        staged.push((
            declare_missing(reg, l)?,
            Run {
                generator: &l.generator,
                dataset: &l.dataset,
                version: l.version,
                rows: produced.rows,
                sha256: produced.sha256,
                bytes: produced.bytes,
                out,
                fingerprint: produced.fingerprint,
                extra: produced.extra,
                tmp: produced.tmp,
            },
        ));
    }
    commit_runs(reg, actor, staged)
}

/// Generates, records and moves the output into place (plan, produce, finish).
pub fn generate_governed(
    reg: &mut Registry,
    keys: &Keys,
    actor: &Actor,
    req: &GenerateRequest,
    progress: &mut dyn FnMut(u64),
) -> Result<GenerateReport, SynthError> {
    let plan = plan_generate(reg, keys, actor, req)?;
    let produced = plan.produce(keys, progress)?;
    finish(reg, actor, &plan, produced)
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
    synthgov_core::fsutil::set_new_file_mode(tmp.as_file()).map_err(io(out))?;
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
    /// The `dataset.fingerprinted` change, built outside the writer.
    fingerprint: Option<Change>,
    /// Fields of the `generation.completed` event beyond the common ones.
    extra: Map<String, Value>,
    tmp: tempfile::NamedTempFile,
}

/// Commits, for each run, its declarations, `generation.completed`, the dataset
/// version and the fingerprint filter, all in one transaction, then moves the
/// outputs into place.
fn commit_runs(
    reg: &mut Registry,
    actor: &Actor,
    runs: Vec<(Vec<Change>, Run)>,
) -> Result<Vec<GenerateReport>, SynthError> {
    let mut changes = Vec::new();
    let mut done = Vec::new();
    for (declarations, mut run) in runs {
        changes.extend(declarations);
        let mut data = Map::new();
        data.insert("generator".into(), json!(run.generator));
        data.insert("dataset".into(), json!(run.dataset));
        data.insert("version".into(), json!(run.version));
        data.insert("rows".into(), json!(run.rows));
        data.insert("output_sha256".into(), json!(run.sha256));
        data.insert("bytes".into(), json!(run.bytes));
        data.insert("out".into(), json!(run.out.display().to_string()));
        data.extend(std::mem::take(&mut run.extra));
        changes.push(Change::new(EventType::GenerationCompleted, data));
        let completed_at = changes.len() - 1;
        let previous = reg.latest_version(run.dataset)?;
        changes.push(Change::new(
            EventType::DatasetVersionCreated,
            json!({"dataset": run.dataset, "version": run.version, "content_sha256": run.sha256,
                         "previous_version": previous.as_ref().map(|p| p.0),
                         "previous_sha256": previous.as_ref().map(|p| p.1.clone()),
                         "files": 1, "bytes": run.bytes, "generator": run.generator})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        ));
        let fingerprints = run.fingerprint.is_some();
        if let Some(c) = run.fingerprint.take() {
            changes.push(c);
        }
        done.push((completed_at, fingerprints, run));
    }
    let receipt = reg.commit(actor, Action::Generate, changes)?;
    let mut reports = Vec::new();
    for (completed_at, fingerprints, run) in done {
        run.tmp.persist(run.out).map_err(|e| SynthError::Io {
            path: run.out.to_owned(),
            source: e.error,
        })?;
        reports.push(GenerateReport {
            dataset: run.dataset.to_owned(),
            version: run.version.to_string(),
            rows: run.rows,
            sha256: run.sha256,
            ledger_index: receipt.first_index + completed_at as u64,
            bytes: run.bytes,
            out: run.out.display().to_string(),
            fingerprints,
        });
    }
    Ok(reports)
}

/// Most rows of a fitted model's output that `--reference` scores.
pub const QUALITY_ROWS: usize = 200_000;

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
    let plan = plan_model(reg, actor, model, rows, seed, out, dataset, marker_column)?;
    let mut produced = plan.produce(keys, &mut |_| {})?;
    if let Some(r) = reference {
        let mut types: std::collections::BTreeMap<String, crate::table::ColType> =
            Default::default();
        for c in &r.columns {
            types.insert(c.name.clone(), c.ctype);
        }
        // Sampled rows are independent draws, so the first ones are a random sample:
        // scoring a bounded head keeps a 100M-row run's memory bounded too.
        let synth = crate::table::read_csv_head(produced.path(), &types, QUALITY_ROWS)
            .map_err(|e| SynthError::BadRequest(e.to_string()))?;
        let q = crate::quality::quality(r, &synth, None, &Default::default())
            .map_err(|e| SynthError::BadRequest(e.0))?;
        produced.note(
            "quality",
            json!({"score": q.score, "column_shapes": q.column_shapes, "column_pair_trends": q.column_pair_trends,
                    "exact_match_rate": q.privacy.exact_match_rate, "dcr_share": q.privacy.dcr_share,
                    "synthetic_rows_scored": synth.rows}),
        );
    }
    finish(reg, actor, &plan, produced)
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
            bloom: f.and_then(|f| {
                let b = Bloom::from_parts(&f.4, f.5, f.6, f.7)?;
                // Filters from before the `…-v2/` entities use the old indexing.
                let v2 = f.2.starts_with(SETS_V2) || f.2.starts_with(EXACT_V2);
                Some(if v2 { b } else { b.classic() })
            }),
            dataset: v.dataset,
            version: v.version,
        });
    }
    Ok(out)
}
