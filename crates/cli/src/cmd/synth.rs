//! `synthgov generate | detect | flags`.

use std::path::{Path, PathBuf};

use serde_json::json;
use synthgov_registry::Registry;
use synthgov_synth::detect::{Detection, detect_file};
use synthgov_synth::entity::{self, Entity};
use synthgov_synth::fingerprint::Keys;
use synthgov_synth::generate::{Locale, Product, default_products};
use synthgov_synth::governed::{
    GenerateRequest, StoreRequest, SynthError, generate_governed, generate_store, known_versions,
};
use synthgov_synth::row::Format;

use crate::cli::{FlagsCommand, GenerateArgs};
use crate::cmd::Ctx;
use crate::cmd::inventory::actor;
use crate::exit::{Exit, Failure};
use crate::output::{Out, sanitize};
use crate::progress;

impl From<SynthError> for Failure {
    fn from(e: SynthError) -> Failure {
        let exit = match &e {
            SynthError::Refused(_) | SynthError::Disabled(_) | SynthError::Conflict(_) => {
                Exit::CheckFailed
            }
            e if e.is_bad_input() => Exit::BadInput,
            _ => Exit::Environment,
        };
        Failure {
            exit,
            error: e.into(),
        }
    }
}

fn read_products(path: &Path) -> Result<Vec<Product>, Failure> {
    let name = path.display().to_string();
    let bad = |line: Option<u64>, m: String| {
        Failure::bad_input(anyhow::anyhow!(
            "{name}{}: {m}",
            line.map(|l| format!(": line {l}")).unwrap_or_default()
        ))
    };
    let mut rdr = csv::Reader::from_path(path).map_err(|e| bad(None, e.to_string()))?;
    let h = rdr
        .headers()
        .map_err(|e| bad(Some(1), e.to_string()))?
        .clone();
    let col = |n: &str| h.iter().position(|c| c.trim().eq_ignore_ascii_case(n));
    let (Some(sku), Some(nm), Some(price)) = (col("sku"), col("name"), col("price")) else {
        return Err(bad(Some(1), "needs columns sku, name, price".into()));
    };
    let mut out = Vec::new();
    for (i, r) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let r = r.map_err(|e| bad(Some(line), e.to_string()))?;
        let p: f64 = r[price].trim().parse().map_err(|_| {
            bad(
                Some(line),
                format!("field `price`: {:?} is not a number", &r[price]),
            )
        })?;
        out.push(Product {
            sku: r[sku].to_owned(),
            name: r[nm].to_owned(),
            price_cents: (p * 100.0).round() as u32,
        });
    }
    if out.is_empty() {
        return Err(bad(None, "no products".into()));
    }
    Ok(out)
}

fn read_types(
    metadata: Option<&Path>,
) -> Result<std::collections::BTreeMap<String, synthgov_synth::table::ColType>, Failure> {
    let Some(m) = metadata else {
        return Ok(Default::default());
    };
    let text = std::fs::read_to_string(m)
        .map_err(|e| Failure::bad_input(anyhow::anyhow!("{}: {e}", m.display())))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Failure::bad_input(anyhow::anyhow!("{}: line {}: {e}", m.display(), e.line()))
    })?;
    Ok(synthgov_synth::table::types_from_sdmetrics_metadata(&v))
}

/// `synthgov fit`'s arguments.
pub struct FitArgs {
    pub sample: PathBuf,
    pub model_out: PathBuf,
    pub id: Option<String>,
    pub min_count: u64,
    pub metadata: Option<PathBuf>,
    pub child: Option<ChildArgs>,
}

/// A child table fitted with the sample (`--child`).
pub struct ChildArgs {
    pub file: PathBuf,
    pub foreign_key: String,
    pub parent_key: String,
    pub metadata: Option<PathBuf>,
}

fn file_id(p: &Path, default: &str) -> String {
    p.file_stem()
        .map(|s| {
            s.to_string_lossy()
                .to_lowercase()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
        })
        .unwrap_or_else(|| default.into())
}

pub fn run_fit(ctx: &Ctx, a: &FitArgs, out: &mut Out) -> Result<Exit, Failure> {
    let (sample, model_out, min_count) = (&a.sample, &a.model_out, a.min_count);
    let types = read_types(a.metadata.as_deref())?;
    let table = synthgov_synth::table::read_csv(sample, &types).map_err(Failure::bad_input)?;
    let bytes = std::fs::read(sample)?;
    let sha = synthgov_core::digest::sha256_hex(&bytes);
    let id = a.id.clone().unwrap_or_else(|| file_id(sample, "model"));
    let mut relation = None;
    let model = match &a.child {
        None => synthgov_synth::copula::fit(&table, &id, &sha, min_count),
        Some(c) => {
            let mut ctypes = read_types(c.metadata.as_deref())?;
            // The foreign key repeats: it is an id of the parent, never a number.
            ctypes.insert(c.foreign_key.clone(), synthgov_synth::table::ColType::Id);
            let child =
                synthgov_synth::table::read_csv(&c.file, &ctypes).map_err(Failure::bad_input)?;
            let child_sha = synthgov_core::digest::sha256_hex(&std::fs::read(&c.file)?);
            let rel = synthgov_synth::related::Relation {
                child_table: file_id(&c.file, "child"),
                foreign_key: c.foreign_key.clone(),
                parent_key: c.parent_key.clone(),
            };
            let (model, stats) = synthgov_synth::related::fit_related(
                &table,
                &child,
                &rel,
                &id,
                (&sha, &child_sha),
                min_count,
            )
            .map_err(|e| Failure::bad_input(anyhow::anyhow!(e)))?;
            relation = Some(
                json!({"child_table": rel.child_table, "foreign_key": rel.foreign_key,
                                   "parent_key": rel.parent_key, "child_sample_sha256": child_sha,
                                   "stats": stats}),
            );
            model
        }
    };
    let text = serde_json::to_string_pretty(&model).expect("model serializes");
    synthgov_core::fsutil::write_atomic(model_out, text.as_bytes(), true)
        .map_err(|e| Failure::environment(anyhow::anyhow!("{}: {e}", model_out.display())))?;
    let mut reg = Registry::open(&ctx.home)?;
    let columns: Vec<serde_json::Value> = model
        .columns
        .iter()
        .map(|c| json!({"name": c.name, "type": c.ctype}))
        .collect();
    let mut data = serde_json::Map::new();
    data.insert("model".into(), json!(model.model));
    data.insert("sample_sha256".into(), json!(sha));
    data.insert("rows_seen".into(), json!(model.rows_seen));
    data.insert("columns".into(), json!(columns));
    data.insert("min_category_count".into(), json!(min_count));
    if let Some(r) = &relation {
        data.insert("child".into(), r.clone());
    }
    reg.record(
        &actor(),
        synthgov_registry::policy::Action::Generate,
        synthgov_registry::EventType::ModelFitted,
        data,
    )?;
    let mut report =
        json!({"model": model.model, "columns": columns, "rows_seen": model.rows_seen});
    if let Some(r) = &relation {
        report["child"] = r.clone();
    }
    if ctx.json {
        out.json(&report)?;
    } else {
        out.line(&format!(
            "model {} fitted on {} rows ({} columns) -> {}",
            model.model,
            model.rows_seen,
            columns.len(),
            model_out.display()
        ))?;
        if let (Some(r), Some(c)) = (&relation, model.children.first()) {
            let st = &r["stats"];
            out.line(&format!(
                "  child {} ({} rows via {} -> {}): {} parents without children, at most {} per parent{}",
                c.table,
                st["child_rows"],
                c.foreign_key,
                c.parent_key,
                st["parents_without_children"],
                st["max_children"],
                match st["orphans"].as_u64() {
                    Some(0) | None => String::new(),
                    Some(n) => format!("; {n} child rows match no parent and are not modelled"),
                }
            ))?;
        }
    }
    Ok(Exit::Ok)
}

fn run_generate_model(
    ctx: &Ctx,
    a: &GenerateArgs,
    model_path: &Path,
    out: &mut Out,
) -> Result<Exit, Failure> {
    let text = std::fs::read_to_string(model_path)
        .map_err(|e| Failure::bad_input(anyhow::anyhow!("{}: {e}", model_path.display())))?;
    let model: synthgov_synth::copula::Model = serde_json::from_str(&text).map_err(|e| {
        Failure::bad_input(anyhow::anyhow!(
            "{}: line {}: not a synthgov model: {e}",
            model_path.display(),
            e.line()
        ))
    })?;
    if model.format != synthgov_synth::copula::FORMAT {
        return Err(Failure::bad_input(anyhow::anyhow!(
            "{}: format {:?} is not {}",
            model_path.display(),
            model.format,
            synthgov_synth::copula::FORMAT
        )));
    }
    if !model.children.is_empty() {
        return run_generate_related(ctx, a, &model, out);
    }
    let reference = match &a.reference {
        Some(r) => {
            let types = model
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.ctype))
                .collect();
            Some(synthgov_synth::table::read_csv(r, &types).map_err(Failure::bad_input)?)
        }
        None => None,
    };
    let mut reg = Registry::open(&ctx.home)?;
    let keys = Keys::new(ctx.home.marker_secret()?);
    let report = synthgov_synth::governed::generate_model_governed(
        &mut reg,
        &keys,
        &actor(),
        &model,
        a.rows,
        a.seed,
        &a.out,
        a.dataset.clone(),
        (!a.no_marker).then(|| a.marker_column.clone()),
        reference.as_ref(),
    )?;
    if ctx.json {
        out.json(&report)?;
    } else {
        out.line(&run_line(&report))?;
    }
    Ok(Exit::Ok)
}

/// One run, as the human output shows it.
fn run_line(r: &synthgov_synth::governed::GenerateReport) -> String {
    format!(
        "{} rows -> {} (dataset {} v{}, sha256 {}, ledger entry {})",
        r.rows, r.out, r.dataset, r.version, r.sha256, r.ledger_index
    )
}

/// A parent-child model: both tables, one ledger transaction.
fn run_generate_related(
    ctx: &Ctx,
    a: &GenerateArgs,
    model: &synthgov_synth::copula::Model,
    out: &mut Out,
) -> Result<Exit, Failure> {
    if a.reference.is_some() {
        return Err(Failure::bad_input(anyhow::anyhow!(
            "--reference scores one table; score each of a parent-child run with `synthgov quality`"
        )));
    }
    let mut reg = Registry::open(&ctx.home)?;
    let keys = Keys::new(ctx.home.marker_secret()?);
    let reports = synthgov_synth::governed::generate_related_governed(
        &mut reg,
        &keys,
        &actor(),
        model,
        a.rows,
        a.seed,
        &a.out,
        a.dataset.clone(),
        (!a.no_marker).then(|| a.marker_column.clone()),
    )?;
    if ctx.json {
        // The parent's report where shared/spec/synth.md expects one run's, and
        // every table's under "tables".
        let mut j = serde_json::to_value(&reports[0]).expect("report serializes");
        j["tables"] = json!(reports);
        out.json(&j)?;
    } else {
        for r in &reports {
            out.line(&run_line(r))?;
        }
    }
    Ok(Exit::Ok)
}

pub fn run_generate(ctx: &Ctx, a: GenerateArgs, out: &mut Out) -> Result<Exit, Failure> {
    if let Some(m) = a.model.clone() {
        return run_generate_model(ctx, &a, &m, out);
    }
    let entity_name = a.entity.clone().expect("clap requires ENTITY or --model");
    let format = Format::parse(&a.format).expect("clap checked");
    let locale = Locale::parse(&a.locale).expect("clap checked");
    let products = match &a.products {
        Some(p) => read_products(p)?,
        None => default_products(),
    };
    let mut reg = Registry::open(&ctx.home)?;
    let keys = Keys::new(ctx.home.marker_secret()?);
    let marker = (!a.no_marker).then(|| a.marker_column.clone());
    if entity_name == "store" {
        let pb = progress::bar(Some(a.customers), "customers", ctx.quiet);
        let req = StoreRequest {
            customers: a.customers,
            seed: a.seed,
            locale,
            format,
            out: a.out.clone(),
            products,
            marker_column: marker,
            fraud_rate: a.fraud_rate,
        };
        let r = generate_store(&mut reg, &keys, &actor(), &req, &mut |table, n, total| {
            pb.set_message(table.to_owned());
            pb.set_length(total);
            pb.set_position(n);
        });
        pb.finish_and_clear();
        let r = r?;
        if ctx.json {
            out.json(&r)?;
            return Ok(Exit::Ok);
        }
        for t in &r.tables {
            out.line(&run_line(t))?;
        }
        return Ok(Exit::Ok);
    }
    let e = Entity::parse(&entity_name).ok_or_else(|| {
        Failure::bad_input(anyhow::anyhow!(
            "unknown entity {:?}; one of: {}, store",
            entity_name,
            entity::ALL
                .iter()
                .map(|e| e.name())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let plan = vec![(e, a.rows, a.parents, a.out.clone())];
    let mut reports = Vec::new();
    for (entity, rows, parents, path) in plan {
        let pb = progress::bar(Some(rows), "rows", ctx.quiet);
        pb.set_message(entity.name());
        let req = GenerateRequest {
            entity,
            rows,
            seed: a.seed,
            locale,
            format,
            out: path,
            dataset: a.dataset.clone(),
            parents,
            products: products.clone(),
            marker_column: marker.clone(),
        };
        let r = generate_governed(&mut reg, &keys, &actor(), &req, &mut |n| pb.set_position(n));
        pb.finish_and_clear();
        reports.push(r?);
    }
    if ctx.json {
        out.json(&reports[0])?;
        return Ok(Exit::Ok);
    }
    for r in &reports {
        out.line(&run_line(r))?;
    }
    Ok(Exit::Ok)
}

pub fn run_detect(ctx: &Ctx, files: &[PathBuf], out: &mut Out) -> Result<Exit, Failure> {
    let reg = Registry::open(&ctx.home)?;
    let keys = Keys::new(ctx.home.marker_secret()?);
    let known = known_versions(&reg)?;
    let mut d = Detection::default();
    for f in files {
        detect_file(f, &keys, &known, &mut d).map_err(Failure::bad_input)?;
    }
    if ctx.json {
        out.json(&d)?;
        return Ok(Exit::Ok);
    }
    out.line(&format!(
        "{} row(s) scanned, {} generated by this store",
        d.rows_scanned,
        d.matches.len()
    ))?;
    for m in d.matches.iter().take(200) {
        out.line(&format!(
            "  {}: row {}  {} v{} (by {})",
            sanitize(&m.file),
            m.row,
            m.dataset,
            m.version,
            m.by
        ))?;
    }
    if d.matches.len() > 200 {
        out.line(&format!(
            "  ... {} more (use --json)",
            d.matches.len() - 200
        ))?;
    }
    Ok(Exit::Ok)
}

pub fn run_flags(ctx: &Ctx, cmd: Option<FlagsCommand>, out: &mut Out) -> Result<Exit, Failure> {
    let mut reg = Registry::open(&ctx.home)?;
    if let Some(FlagsCommand::Set {
        name,
        value,
        reason,
    }) = cmd
    {
        let changed = reg.set_flag(&actor(), &name, value == "on", reason.as_deref())?;
        if !ctx.json {
            out.line(&if changed {
                format!("{name} is now {value}")
            } else {
                format!("{name} was already {value}")
            })?;
            return Ok(Exit::Ok);
        }
    }
    let flags = reg.flags()?;
    if ctx.json {
        out.json(&json!({"flags": flags}))?;
    } else {
        for f in flags {
            out.line(&format!(
                "{:<24} {:<4} {} {}",
                f.name,
                if f.enabled { "on" } else { "off" },
                f.changed_at.as_deref().unwrap_or("(default)"),
                f.changed_by.as_deref().unwrap_or("")
            ))?;
        }
    }
    Ok(Exit::Ok)
}

pub fn run_quality(ctx: &Ctx, a: crate::cli::QualityArgs, out: &mut Out) -> Result<Exit, Failure> {
    use synthgov_synth::quality::{QualityOptions, quality};
    let crate::cli::QualityArgs {
        real,
        synthetic,
        holdout,
        metadata,
        sensitive,
        target,
        positive,
        every_pair,
        predictions,
        no_attacks,
        attacks,
        query_columns,
        link_columns,
        secret,
        seed,
        html,
        dataset,
    } = a;
    let link_columns = link_columns
        .map(|s| match s.split_once('/') {
            Some((a, b)) => {
                let side = |x: &str| -> Vec<String> {
                    x.split(',')
                        .map(|c| c.trim().to_owned())
                        .filter(|c| !c.is_empty())
                        .collect()
                };
                Ok((side(a), side(b)))
            }
            None => Err(Failure::bad_input(anyhow::anyhow!(
                "--link-columns {s:?}: give the two sides as a,b/c,d"
            ))),
        })
        .transpose()?;
    if attacks == 0 || query_columns == 0 {
        return Err(Failure::bad_input(anyhow::anyhow!(
            "--attacks and --query-columns must be at least 1"
        )));
    }
    let (real, synthetic, holdout, metadata, html) = (
        real.as_path(),
        synthetic.as_path(),
        holdout.as_deref(),
        metadata.as_deref(),
        html.as_deref(),
    );
    use synthgov_synth::table::{read_csv, types_from_sdmetrics_metadata};
    let mut types = match metadata {
        Some(m) => {
            let text = std::fs::read_to_string(m)
                .map_err(|e| Failure::bad_input(anyhow::anyhow!("{}: {e}", m.display())))?;
            let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                Failure::bad_input(anyhow::anyhow!("{}: line {}: {e}", m.display(), e.line()))
            })?;
            types_from_sdmetrics_metadata(&v)
        }
        None => Default::default(),
    };
    let r = read_csv(real, &types).map_err(Failure::bad_input)?;
    // The synthetic table is read with the real table's types.
    for c in &r.columns {
        types.entry(c.name.clone()).or_insert(c.ctype);
    }
    let s = read_csv(synthetic, &types).map_err(Failure::bad_input)?;
    let h = holdout
        .map(|p| read_csv(p, &types))
        .transpose()
        .map_err(Failure::bad_input)?;
    let report = quality(
        &r,
        &s,
        h.as_ref(),
        &QualityOptions {
            sensitive,
            privacy_rows: 0,
            every_pair,
            target,
            positive,
            seed,
            attacks: (!no_attacks).then(|| synthgov_synth::attacks::AttackOptions {
                attacks,
                query_columns,
                link_columns,
                secrets: secret,
                ..Default::default()
            }),
        },
    )
    .map_err(Failure::bad_input)?;
    if let (Some(path), Some(f)) = (&predictions, &report.fairness) {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec![
            "row".to_owned(),
            "truth".into(),
            "trained_on_real".into(),
            "trained_on_synthetic".into(),
        ];
        if let Some(p) = f.model.predictions.first() {
            header.extend(p.groups.iter().map(|(n, _)| n.clone()));
        }
        w.write_record(&header)
            .map_err(|e| Failure::environment(anyhow::anyhow!("{e}")))?;
        for p in &f.model.predictions {
            let mut rec = vec![
                p.row.to_string(),
                (p.truth as u8).to_string(),
                (p.trained_on_real as u8).to_string(),
                (p.trained_on_synthetic as u8).to_string(),
            ];
            rec.extend(p.groups.iter().map(|(_, g)| g.clone().unwrap_or_default()));
            w.write_record(&rec)
                .map_err(|e| Failure::environment(anyhow::anyhow!("{e}")))?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| Failure::environment(anyhow::anyhow!("{e}")))?;
        synthgov_core::fsutil::write_atomic(path, &bytes, true)
            .map_err(|e| Failure::environment(anyhow::anyhow!("{}: {e}", path.display())))?;
    }
    if let Some(path) = html {
        let page = synthgov_synth::report_html::render(&report, &r, &s);
        synthgov_core::fsutil::write_atomic(path, page.as_bytes(), true)
            .map_err(|e| Failure::environment(anyhow::anyhow!("{}: {e}", path.display())))?;
    }
    if let Some(id) = dataset {
        let mut reg = Registry::open(&ctx.home)?;
        if reg.object("dataset", &id)?.is_none() {
            return Err(Failure::bad_input(anyhow::anyhow!(
                "--dataset {id}: no such dataset in the inventory"
            )));
        }
        let version = reg.latest_version(&id)?.map(|(v, _)| v);
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(std::fs::read(
            synthetic,
        )?));
        let mut data = serde_json::Map::new();
        data.insert("dataset".into(), json!(id));
        data.insert("version".into(), json!(version));
        data.insert("synthetic_sha256".into(), json!(sha));
        data.insert("score".into(), json!(report.score));
        data.insert("column_shapes".into(), json!(report.column_shapes));
        data.insert(
            "column_pair_trends".into(),
            json!(report.column_pair_trends),
        );
        data.insert(
            "exact_match_rate".into(),
            json!(report.privacy.exact_match_rate),
        );
        data.insert("dcr_share".into(), json!(report.privacy.dcr_share));
        data.insert("bias_largest_gap".into(), json!(report.bias.largest_gap));
        data.insert(
            "dcr_baseline_protection".into(),
            json!(report.privacy.dcr_baseline_protection.score),
        );
        if let Some(a) = &report.attacks {
            data.insert(
                "privacy_risks".into(),
                json!({
                    "singling_out_univariate": a.singling_out_univariate.risk.value,
                    "singling_out_multivariate": a.singling_out_multivariate.risk.value,
                    "linkability": a.linkability.outcome.risk.value,
                    "inference_max": a.inference.values().map(|o| o.risk.value).fold(0.0, f64::max),
                    "relative_to_control": a.control_rows.is_some(),
                }),
            );
        }
        reg.record(
            &actor(),
            synthgov_registry::policy::Action::Scan,
            synthgov_registry::EventType::QualityMeasured,
            data,
        )?;
    }
    if ctx.json {
        out.json(&report)?;
        return Ok(Exit::Ok);
    }
    out.line(&format!(
        "quality score {:.4} (column shapes {:.4}, column pair trends {:.4})",
        report.score, report.column_shapes, report.column_pair_trends
    ))?;
    for (name, c) in &report.columns {
        out.line(&format!(
            "  {:<28} {:<14} {:.4}",
            sanitize(name),
            c.metric,
            c.score
        ))?;
    }
    for name in &report.columns_not_scored {
        out.line(&format!(
            "  {:<28} not scored: empty in the real or the synthetic table",
            sanitize(name)
        ))?;
    }
    let p = &report.privacy;
    out.line(&format!(
        "privacy: exact matches {:.2}%, DCR median {:.4}, closer than real rows are to each other {:.2}%, NNDR mean {:.3}",
        p.exact_match_rate * 100.0,
        p.dcr_median,
        p.dcr_share * 100.0,
        p.nndr_mean
    ))?;
    let b = &p.dcr_baseline_protection;
    out.line(&format!(
        "privacy: DCRBaselineProtection {} (median DCR synthetic {:.4}, random {:.4}){}",
        b.score.map_or("undefined".into(), |s| format!("{s:.4}")),
        b.median_dcr_synthetic,
        b.median_dcr_random,
        p.dcr_overfitting_protection
            .map(|o| format!(", DCROverfittingProtection {o:.4}"))
            .unwrap_or_default()
    ))?;
    if let Some(a) = &report.attacks {
        let line = |name: &str, o: &synthgov_synth::attacks::AttackOutcome| {
            format!(
                "  {:<34} risk {:.4} [{:.4}, {:.4}]  attack {:.3} baseline {:.3}{}  ({} attacks){}",
                name,
                o.risk.value,
                o.risk.ci.0,
                o.risk.ci.1,
                o.attack_rate.value,
                o.baseline_rate.value,
                o.control_rate
                    .map(|c| format!(" control {:.3}", c.value))
                    .unwrap_or_default(),
                o.attacks,
                if o.no_better_than_baseline {
                    "  no better than guessing"
                } else {
                    ""
                }
            )
        };
        out.line(&format!(
            "privacy attacks (anonymeter's; {} training rows{}, seed {}):",
            a.training_rows,
            a.control_rows
                .map(|c| format!(", risk relative to {c} control rows"))
                .unwrap_or_else(|| ", no control rows: risk is the attack's success rate".into()),
            a.seed
        ))?;
        out.line(&line(
            "singling out, univariate",
            &a.singling_out_univariate,
        ))?;
        out.line(&line(
            &format!("singling out, {} columns", a.query_columns),
            &a.singling_out_multivariate,
        ))?;
        out.line(&line("linkability", &a.linkability.outcome))?;
        for (col, o) in &a.inference {
            out.line(&line(&format!("inference of {}", sanitize(col)), o))?;
        }
    }
    match (report.bias.largest_gap, &report.bias.problem) {
        (Some(g), _) => out.line(&format!(
            "bias: largest group-share gap {:.4} over {:?}",
            g,
            report.bias.columns.keys().collect::<Vec<_>>()
        ))?,
        (None, Some(p)) => out.line(&format!("bias: not measured: {p}"))?,
        (None, None) => {}
    }
    if let Some(f) = &report.fairness {
        out.line(&format!(
            "fairness model: {}, scored on {} ({} rows): accuracy {:.4} trained on real, {:.4} on synthetic",
            f.model.kind,
            f.model.scored_on,
            f.model.rows_scored,
            f.model.accuracy_trained_on_real,
            f.model.accuracy_trained_on_synthetic
        ))?;
        for (col, c) in &f.columns {
            out.line(&format!(
                "fairness: {} = {} across {}: demographic parity difference {:.4} real, {:.4} synthetic ({:+.4}); equalized odds difference {:.4} real-trained, {:.4} synthetic-trained ({:+.4})",
                f.target,
                f.positive,
                col,
                c.demographic_parity_difference_real,
                c.demographic_parity_difference_synthetic,
                c.change,
                c.equalized_odds_difference_real,
                c.equalized_odds_difference_synthetic,
                c.equalized_odds_change
            ))?;
        }
    }
    Ok(Exit::Ok)
}
