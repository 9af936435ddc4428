//! A parent table and a child table whose rows reference it (customers and their
//! orders), fitted and sampled together so that how many children a parent has, and
//! how that depends on the parent's own columns, is kept.
//!
//! The approach is that of SDV's hierarchical synthesizers, reduced to one level: the
//! parent's model gets one more column, each row's number of children, fitted in the
//! parent's copula with the others (so a customer who joined early has more orders if
//! the sample says so). The child's model is fitted on the child rows with the foreign
//! key left out of the copula. Sampling draws parent rows, reads each one's child
//! count, then draws that many child rows pointing at it. Child rows are not
//! conditioned on their parent's values beyond the count.

use std::collections::HashMap;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::copula::{Block, ChildModel, Model, SAMPLE_CHUNK, Shape, fit, sample_block};
use crate::table::{ColType, Column, Table};

/// Where the child's rows point.
#[derive(Debug, Clone)]
pub struct Relation {
    /// The child table's name (its output file's stem).
    pub child_table: String,
    pub foreign_key: String,
    /// The parent's id column; default the foreign key's name.
    pub parent_key: String,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RelatedError(pub String);

/// What fitting found beyond the models.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RelatedFit {
    pub parent_rows: usize,
    pub child_rows: usize,
    /// Child rows whose key matches no parent (or is empty): not modelled.
    pub orphans: usize,
    pub parents_without_children: usize,
    pub max_children: u64,
}

/// Fits the parent with a child-count column and the child with its foreign key as
/// an id; the child's model is inside the parent's (`Model::children`).
pub fn fit_related(
    parent: &Table,
    child: &Table,
    rel: &Relation,
    id: &str,
    shas: (&str, &str),
    k: u64,
) -> Result<(Model, RelatedFit), RelatedError> {
    let key = parent
        .columns
        .iter()
        .find(|c| c.name == rel.parent_key)
        .ok_or_else(|| {
            RelatedError(format!(
                "{}: no column {:?} (the parent key; set it with --parent-key)",
                parent.file, rel.parent_key
            ))
        })?;
    if key.ctype != ColType::Id {
        return Err(RelatedError(format!(
            "{}: column {:?} is {:?}, but a parent key must be an id (unique integers, named id or *_id, or typed id in --metadata)",
            parent.file, rel.parent_key, key.ctype
        )));
    }
    let fk = child
        .columns
        .iter()
        .position(|c| c.name == rel.foreign_key)
        .ok_or_else(|| {
            RelatedError(format!(
                "{}: no column {:?} (the foreign key)",
                child.file, rel.foreign_key
            ))
        })?;
    let at: HashMap<&str, usize> = key
        .raw
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.as_deref().map(|v| (v.trim(), i)))
        .collect();
    let mut counts = vec![0u64; parent.rows];
    let mut orphans = 0;
    for v in &child.columns[fk].raw {
        match v.as_deref().and_then(|v| at.get(v.trim())) {
            Some(&i) => counts[i] += 1,
            None => orphans += 1,
        }
    }
    let count_column = format!("__synthgov_rows_in_{}", rel.child_table);
    if parent.columns.iter().any(|c| c.name == count_column) {
        return Err(RelatedError(format!(
            "{}: already has a column {count_column:?}",
            parent.file
        )));
    }
    let mut with_counts = parent.clone();
    with_counts.columns.push(Column {
        name: count_column.clone(),
        ctype: ColType::Numerical,
        raw: counts.iter().map(|c| Some(c.to_string())).collect(),
        num: counts.iter().map(|&c| Some(c as f64)).collect(),
    });
    let mut keyed = child.clone();
    keyed.columns[fk].ctype = ColType::Id;
    let mut model = fit(&with_counts, id, shas.0, k);
    let child_model = fit(&keyed, &format!("{id}-{}", rel.child_table), shas.1, k);
    model.children.push(ChildModel {
        table: rel.child_table.clone(),
        foreign_key: rel.foreign_key.clone(),
        parent_key: rel.parent_key.clone(),
        count_column,
        model: child_model,
    });
    let stats = RelatedFit {
        parent_rows: parent.rows,
        child_rows: child.rows - orphans,
        orphans,
        parents_without_children: counts.iter().filter(|&&c| c == 0).count(),
        max_children: counts.iter().copied().max().unwrap_or(0),
    };
    Ok((model, stats))
}

/// Most children one sampled parent may get: a bound on a hostile or odd model.
pub const MAX_CHILDREN_PER_ROW: u64 = 100_000;

/// Where each table's rows go, with its marker and fingerprint hook.
pub struct TableSink<'a> {
    pub out: &'a mut dyn std::io::Write,
    pub marker: Option<&'a (dyn Fn(u64) -> String + Sync)>,
    pub marker_column: &'a str,
    pub prints: &'a mut dyn FnMut(&str),
    /// Rows written so far.
    pub rows: u64,
}

/// Samples `rows` parent rows and their children, chunk by chunk: memory stays
/// bounded however many rows. Deterministic in `seed`.
pub fn sample_related_csv(
    model: &Model,
    rows: u64,
    seed: u64,
    parent: &mut TableSink,
    child: &mut TableSink,
) -> std::io::Result<()> {
    let invalid =
        |e: crate::copula::ModelError| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
    let l = model.validate().map_err(invalid)?;
    let ch = model.children.first().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the model has no child table",
        )
    })?;
    let lc = ch.model.validate().map_err(invalid)?;
    let hidden = model
        .columns
        .iter()
        .position(|c| c.name == ch.count_column)
        .expect("validated");
    let fk = ch
        .model
        .columns
        .iter()
        .position(|c| c.name == ch.foreign_key)
        .expect("validated");
    header(
        parent,
        model
            .columns
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != hidden)
            .map(|(_, c)| c.name.as_str()),
    )?;
    header(child, ch.model.columns.iter().map(|c| c.name.as_str()))?;
    let chunks = rows.div_ceil(SAMPLE_CHUNK);
    let batch = (rayon::current_num_threads() as u64 * 2).max(2);
    let mut c = 0;
    while c < chunks {
        let upto = (c + batch).min(chunks);
        let parents: Vec<Block> = (c..upto)
            .into_par_iter()
            .map(|k| {
                let mut rng = chunk_rng(b"parent", &model.model, seed, k);
                let first = k * SAMPLE_CHUNK + 1;
                let last = ((k + 1) * SAMPLE_CHUNK).min(rows);
                let shape = Shape {
                    foreign: None,
                    hidden: vec![hidden],
                };
                let mut b = Block::default();
                sample_block(
                    model,
                    &l,
                    &mut rng,
                    first..=last,
                    &shape,
                    parent.marker,
                    &mut b,
                );
                b
            })
            .collect();
        // Each parent chunk's children: parent ids repeated by their counts, and
        // where their own ids start.
        let mut plans: Vec<(u64, Vec<u64>)> = Vec::with_capacity(parents.len());
        let mut start = child.rows;
        for (i, b) in parents.iter().enumerate() {
            let first_parent = (c + i as u64) * SAMPLE_CHUNK + 1;
            let mut ids = Vec::new();
            for (j, n) in b.hidden.iter().enumerate() {
                let n = (n.round().max(0.0) as u64).min(MAX_CHILDREN_PER_ROW);
                ids.extend(std::iter::repeat_n(first_parent + j as u64, n as usize));
            }
            let n = ids.len() as u64;
            plans.push((start, ids));
            start += n;
        }
        let children: Vec<Block> = plans
            .par_iter()
            .enumerate()
            .map(|(i, (start, ids))| {
                let mut b = Block::default();
                if !ids.is_empty() {
                    let mut rng = chunk_rng(b"child", &ch.model.model, seed, c + i as u64);
                    let shape = Shape {
                        foreign: Some((fk, ids)),
                        hidden: Vec::new(),
                    };
                    let range = start + 1..=start + ids.len() as u64;
                    sample_block(
                        &ch.model,
                        &lc,
                        &mut rng,
                        range,
                        &shape,
                        child.marker,
                        &mut b,
                    );
                }
                b
            })
            .collect();
        for (p, k) in parents.into_iter().zip(children) {
            write_block(parent, p)?;
            write_block(child, k)?;
        }
        c = upto;
    }
    Ok(())
}

fn header<'a>(sink: &mut TableSink, names: impl Iterator<Item = &'a str>) -> std::io::Result<()> {
    let mut h: Vec<&str> = names.collect();
    if sink.marker.is_some() {
        h.push(sink.marker_column);
    }
    writeln!(sink.out, "{}", h.join(","))
}

fn write_block(sink: &mut TableSink, b: Block) -> std::io::Result<()> {
    sink.out.write_all(b.text.as_bytes())?;
    for i in &b.idents {
        (sink.prints)(i);
    }
    sink.rows += b.idents.len() as u64;
    Ok(())
}

fn chunk_rng(what: &[u8], model: &str, seed: u64, k: u64) -> ChaCha8Rng {
    let mut h = Sha256::new();
    h.update(b"synthgov-related-v1");
    h.update(what);
    h.update(seed.to_be_bytes());
    h.update(model.as_bytes());
    h.update(k.to_be_bytes());
    ChaCha8Rng::from_seed(h.finalize().into())
}
