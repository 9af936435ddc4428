//! A fitted parent-child model run as one governed generation: two dataset versions
//! (the parent's and the child's), each with its markers and fingerprints, committed
//! in one transaction, both files moved into place only then.

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use serde_json::json;
use synthgov_registry::{Actor, Registry};

use super::{
    GenerateReport, HashingWriter, Lineage, MAX_FINGERPRINT_ROWS, MAX_MODEL_ROWS, Produced,
    SyncingWriter, SynthError, check_allowed, fingerprint_change, finish_file, finish_many, io,
    temp_beside,
};
use crate::copula::Model;
use crate::fingerprint::{Bloom, EXACT_V2, FALSE_POSITIVE_RATE, Keys, version_token};
use crate::related::{TableSink, sample_related_csv};

/// Where the child table of a run writes: beside the parent's output, as
/// `<parent stem>-<child table>.<ext>`. Never plain `<child table>.csv`: the real
/// child table the model was fitted on is often in that folder under that name.
pub fn child_out(parent_out: &Path, table: &str) -> PathBuf {
    let ext = parent_out
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|| "csv".into());
    let stem = parent_out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "synthetic".into());
    parent_out.with_file_name(format!("{stem}-{table}.{ext}"))
}

/// Generates `rows` parent rows and their children from a model fitted with
/// `fit --child`, governed like any run; the child dataset is the parent's id with
/// `-<child table>` appended.
#[allow(clippy::too_many_arguments)]
pub fn generate_related_governed(
    reg: &mut Registry,
    keys: &Keys,
    actor: &Actor,
    model: &Model,
    rows: u64,
    seed: u64,
    out: &Path,
    dataset: Option<String>,
    marker_column: Option<String>,
) -> Result<Vec<GenerateReport>, SynthError> {
    model
        .validate()
        .map_err(|e| SynthError::BadRequest(e.to_string()))?;
    let child = model
        .children
        .first()
        .ok_or_else(|| SynthError::BadRequest("the model has no child table".into()))?;
    if rows == 0 || rows > MAX_MODEL_ROWS {
        return Err(SynthError::BadRequest(format!(
            "rows: 1 to {MAX_MODEL_ROWS} per run"
        )));
    }
    let cout = child_out(out, &child.table);
    check_allowed(
        reg,
        actor,
        json!({"model": model.model, "rows": rows, "seed": seed, "out": out.display().to_string(),
               "child_out": cout.display().to_string()}),
    )?;
    let dataset = dataset.unwrap_or_else(|| format!("synthetic-{}", model.model));
    let purpose = "synthgov generate --model";
    let lineages = [
        Lineage::new(reg, model.model.clone(), "copula", dataset.clone(), purpose)?,
        Lineage::new(
            reg,
            child.model.model.clone(),
            "copula",
            format!("{dataset}-{}", child.table),
            purpose,
        )?,
    ];
    let tokens: Vec<String> = lineages
        .iter()
        .map(|l| version_token(&l.dataset, l.version))
        .collect();
    let markers: Vec<_> = tokens
        .iter()
        .map(|t| move |row: u64| keys.marker(t, row))
        .collect();
    let entities = [
        format!("{EXACT_V2}model:{}", model.model),
        format!("{EXACT_V2}model:{}", child.model.model),
    ];
    let outs = [out.to_owned(), cout];
    let tmps = [temp_beside(&outs[0])?, temp_beside(&outs[1])?];
    let fingerprints = marker_column.is_some();
    let mut parent_prints = (fingerprints && rows <= MAX_FINGERPRINT_ROWS)
        .then(|| Bloom::for_items(rows, FALSE_POSITIVE_RATE));
    // The child's row count is known only at the end: its prints are kept, then filed.
    let mut child_prints: Option<Vec<[u8; 32]>> = fingerprints.then(Vec::new);
    let marker_name = marker_column.as_deref().unwrap_or("synthgov_marker");
    let mut hashing: Vec<_> = tmps
        .iter()
        .map(|t| {
            HashingWriter::new(BufWriter::with_capacity(
                1 << 20,
                SyncingWriter::new(t.as_file()),
            ))
        })
        .collect();
    let (ph, ch) = hashing.split_at_mut(1);
    let (parent_rows, child_rows) = {
        let hashed = [
            &entities[0][EXACT_V2.len()..],
            &entities[1][EXACT_V2.len()..],
        ];
        let mut pp = |ident: &str| {
            if let Some(b) = parent_prints.as_mut() {
                b.insert(&keys.fingerprint(hashed[0], ident));
            }
        };
        let mut cp = |ident: &str| {
            if let Some(v) = child_prints.as_mut() {
                if v.len() as u64 >= MAX_FINGERPRINT_ROWS {
                    child_prints = None;
                } else {
                    v.push(keys.fingerprint(hashed[1], ident));
                }
            }
        };
        let mut psink = TableSink {
            out: &mut ph[0],
            marker: marker_column
                .as_ref()
                .map(|_| &markers[0] as &(dyn Fn(u64) -> String + Sync)),
            marker_column: marker_name,
            prints: &mut pp,
            rows: 0,
        };
        let mut csink = TableSink {
            out: &mut ch[0],
            marker: marker_column
                .as_ref()
                .map(|_| &markers[1] as &(dyn Fn(u64) -> String + Sync)),
            marker_column: marker_name,
            prints: &mut cp,
            rows: 0,
        };
        sample_related_csv(model, rows, seed, &mut psink, &mut csink).map_err(|e| {
            match e.kind() {
                std::io::ErrorKind::InvalidInput => SynthError::BadRequest(e.to_string()),
                _ => io(out)(e),
            }
        })?;
        (psink.rows, csink.rows)
    };
    let mut produced = Vec::new();
    let child_bloom = child_prints.map(|v| {
        let mut b = Bloom::for_items(v.len().max(1) as u64, FALSE_POSITIVE_RATE);
        for p in &v {
            b.insert(p);
        }
        b
    });
    let blooms = [parent_prints, child_bloom];
    let counts = [parent_rows, child_rows];
    let hashed: Vec<(String, u64)> = hashing
        .into_iter()
        .zip(&outs)
        .map(|(h, o)| h.finish().map_err(io(o)))
        .collect::<Result<_, _>>()?;
    for (i, ((tmp, bloom), (sha256, bytes))) in tmps.into_iter().zip(blooms).zip(hashed).enumerate()
    {
        finish_file(&tmp, &outs[i])?;
        let m = if i == 0 { model } else { &child.model };
        let columns: Vec<String> = m
            .columns
            .iter()
            .filter(|c| c.name != child.count_column)
            .map(|c| c.name.clone())
            .collect();
        let fingerprint =
            bloom.map(|b| fingerprint_change(&lineages[i], &entities[i], &columns, &b));
        let mut extra = serde_json::Map::new();
        extra.insert("model".into(), json!(m.model));
        extra.insert("model_sample_sha256".into(), json!(m.sample_sha256));
        extra.insert("seed".into(), json!(seed));
        extra.insert(
            "parameters".into(),
            json!({"rows": rows, "seed": seed, "marker_column": marker_column}),
        );
        extra.insert(
            "relation".into(),
            json!({"parent": lineages[0].dataset, "child": lineages[1].dataset,
                   "foreign_key": child.foreign_key, "parent_key": child.parent_key}),
        );
        produced.push(Produced {
            rows: counts[i],
            sha256,
            bytes,
            bloom: None,
            fingerprint,
            entity: entities[i].clone(),
            columns,
            extra,
            tmp,
        });
    }
    let runs = lineages
        .iter()
        .zip(outs.iter())
        .zip(produced)
        .map(|((l, o), p)| (l, o.as_path(), p))
        .collect();
    finish_many(reg, actor, runs)
}
