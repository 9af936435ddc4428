//! Fitted generators: a Gaussian copula over per-column marginals.
//!
//! `fit` learns, per column, its type, null rate and marginal (101 quantiles for
//! numerical and datetime columns; category frequencies for categorical and boolean
//! ones, with categories seen fewer than `k` times merged into one `(other)` bucket so
//! that no rare value is reproduced), and the correlation of the columns' normal
//! scores (dependence). The model never holds a row. `sample` draws correlated normals
//! through the Cholesky factor (nalgebra), maps them to uniforms with the normal CDF
//! (statrs) and through each marginal's inverse.

use std::collections::BTreeMap;

use nalgebra::{DMatrix, DVector};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use statrs::distribution::{ContinuousCDF, Normal};

use crate::table::{ColType, Table};

pub const FORMAT: &str = "synthgov-gaussian-copula-v1";
pub const OTHER: &str = "(other)";
const QUANTILES: usize = 101;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Category {
    pub value: String,
    pub p: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColumnModel {
    pub name: String,
    #[serde(rename = "type")]
    pub ctype: ColType,
    pub null_rate: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quantiles: Vec<f64>,
    #[serde(default)]
    pub integer: bool,
    #[serde(default)]
    pub decimals: u32,
    /// Datetime columns holding dates only (YYYY-MM-DD).
    #[serde(default)]
    pub date_only: bool,
    /// The layout the sample's datetimes used (`table::DATETIME_FORMATS`); written
    /// back in it. Absent in older models: dates or RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datetime_format: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    pub format: String,
    pub model: String,
    pub rows_seen: u64,
    /// SHA-256 of the sample file: lineage to the sample by hash only.
    pub sample_sha256: String,
    pub min_category_count: u64,
    pub columns: Vec<ColumnModel>,
    /// Columns (indexes into `columns`) whose missingness is modelled inside the
    /// copula: each has a null-indicator dimension after the value dimensions, in
    /// this order, so that whether a value is missing depends on the other columns
    /// as in the sample (a salary missing exactly when a student was not placed).
    /// Models from before have none: their nulls are drawn independently.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub null_dims: Vec<usize>,
    /// Correlation of normal scores over the non-id columns, then the null
    /// indicators, row-major.
    pub correlation: Vec<Vec<f64>>,
    /// Tables whose rows reference this one's (`crate::related`): for each, a
    /// column of this model holds how many child rows a parent row has.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<ChildModel>,
}

/// A child table of a fitted parent: its own model, and how its rows point at the
/// parent's.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChildModel {
    /// The child table's name (its output file's stem).
    pub table: String,
    /// The child's column holding the parent's key.
    pub foreign_key: String,
    /// The parent's id column it references.
    pub parent_key: String,
    /// The parent model's column holding each row's number of children; sampled
    /// with the parent's other columns, never written out.
    pub count_column: String,
    pub model: Model,
}

fn std_normal() -> Normal {
    Normal::new(0.0, 1.0).expect("standard normal")
}

fn decimals_of(s: &str) -> u32 {
    s.trim()
        .split_once('.')
        .map_or(0, |(_, f)| f.len() as u32)
        .min(6)
}

/// Quantile `q` in [0, 1] of sorted values, linear interpolation.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Fits a model to `table`. `k`: categories seen fewer times are not kept verbatim.
pub fn fit(table: &Table, id: &str, sample_sha256: &str, k: u64) -> Model {
    let n = table.rows;
    let nd = std_normal();
    let mut columns = Vec::new();
    let mut scores: Vec<Vec<f64>> = Vec::new();
    for c in &table.columns {
        let nulls = c.raw.iter().filter(|v| v.is_none()).count();
        let null_rate = nulls as f64 / n.max(1) as f64;
        let mut cm = ColumnModel {
            name: c.name.clone(),
            ctype: c.ctype,
            null_rate,
            quantiles: Vec::new(),
            integer: false,
            decimals: 0,
            date_only: false,
            datetime_format: None,
            categories: Vec::new(),
        };
        match c.ctype {
            ColType::Id => {
                columns.push(cm);
                continue;
            }
            ColType::Numerical | ColType::Datetime => {
                let mut v: Vec<f64> = c.num.iter().flatten().copied().collect();
                v.sort_by(f64::total_cmp);
                cm.quantiles = (0..QUANTILES)
                    .map(|i| quantile(&v, i as f64 / (QUANTILES - 1) as f64))
                    .collect();
                cm.integer = c
                    .raw
                    .iter()
                    .flatten()
                    .all(|s| !s.contains('.') && !s.contains('e'));
                cm.decimals = c
                    .raw
                    .iter()
                    .flatten()
                    .map(|s| decimals_of(s))
                    .max()
                    .unwrap_or(0);
                cm.date_only = c.ctype == ColType::Datetime
                    && c.raw.iter().flatten().all(|s| s.trim().len() == 10);
                if c.ctype == ColType::Datetime {
                    cm.datetime_format =
                        crate::table::datetime_format(c.raw.iter().flatten().map(|s| s.as_str()))
                            .map(str::to_owned);
                }
                // Normal scores from average ranks.
                let mut idx: Vec<usize> = (0..n).filter(|&i| c.num[i].is_some()).collect();
                idx.sort_by(|&a, &b| c.num[a].unwrap().total_cmp(&c.num[b].unwrap()));
                let m = idx.len();
                let mut z = vec![0.0; n];
                let mut i = 0;
                while i < m {
                    let mut j = i;
                    while j + 1 < m && c.num[idx[j + 1]] == c.num[idx[i]] {
                        j += 1;
                    }
                    let u = ((i + j) as f64 / 2.0 + 0.5) / m as f64;
                    for &r in &idx[i..=j] {
                        z[r] = nd.inverse_cdf(u.clamp(1e-9, 1.0 - 1e-9));
                    }
                    i = j + 1;
                }
                scores.push(z);
            }
            ColType::Categorical | ColType::Boolean => {
                let mut counts: BTreeMap<String, u64> = BTreeMap::new();
                for v in c.raw.iter().flatten() {
                    let v = if c.ctype == ColType::Boolean {
                        v.trim().to_ascii_lowercase()
                    } else {
                        v.clone()
                    };
                    *counts.entry(v).or_default() += 1;
                }
                let present = (n - nulls).max(1) as f64;
                let mut cats: Vec<(String, u64)> = counts.into_iter().collect();
                cats.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                let (keep, rare): (Vec<_>, Vec<_>) = cats.into_iter().partition(|(_, c)| *c >= k);
                cm.categories = keep
                    .iter()
                    .map(|(v, c)| Category {
                        value: v.clone(),
                        p: *c as f64 / present,
                    })
                    .collect();
                let rare_n: u64 = rare.iter().map(|(_, c)| c).sum();
                if rare_n > 0 {
                    cm.categories.push(Category {
                        value: OTHER.into(),
                        p: rare_n as f64 / present,
                    });
                }
                // Normal score of a category: the midpoint of its cumulative interval.
                let mut mid: BTreeMap<&str, f64> = BTreeMap::new();
                let mut acc = 0.0;
                for cat in &cm.categories {
                    mid.insert(&cat.value, acc + cat.p / 2.0);
                    acc += cat.p;
                }
                let z: Vec<f64> = c
                    .raw
                    .iter()
                    .map(|v| match v {
                        None => 0.0,
                        Some(v) => {
                            let v = if c.ctype == ColType::Boolean {
                                v.trim().to_ascii_lowercase()
                            } else {
                                v.clone()
                            };
                            let u = mid
                                .get(v.as_str())
                                .or_else(|| mid.get(OTHER))
                                .copied()
                                .unwrap_or(0.5);
                            nd.inverse_cdf(u.clamp(1e-9, 1.0 - 1e-9))
                        }
                    })
                    .collect();
                scores.push(z);
            }
        }
        columns.push(cm);
    }
    // Null indicators, scored like a two-category column (null first).
    let mut null_dims = Vec::new();
    for (i, c) in table.columns.iter().enumerate() {
        let r = columns[i].null_rate;
        if c.ctype == ColType::Id || r <= 0.0 || r >= 1.0 {
            continue;
        }
        let (zn, zv) = (
            nd.inverse_cdf((r / 2.0).clamp(1e-9, 1.0 - 1e-9)),
            nd.inverse_cdf((r + (1.0 - r) / 2.0).clamp(1e-9, 1.0 - 1e-9)),
        );
        scores.push(
            c.raw
                .iter()
                .map(|v| if v.is_none() { zn } else { zv })
                .collect(),
        );
        null_dims.push(i);
    }
    let d = scores.len();
    let mut corr = vec![vec![0.0; d]; d];
    for a in 0..d {
        for b in a..d {
            let r = if a == b {
                1.0
            } else {
                pearson(&scores[a], &scores[b])
            };
            corr[a][b] = r;
            corr[b][a] = r;
        }
    }
    Model {
        format: FORMAT.into(),
        model: id.to_owned(),
        rows_seen: n as u64,
        sample_sha256: sample_sha256.to_owned(),
        min_category_count: k,
        columns,
        null_dims,
        correlation: corr,
        children: Vec::new(),
    }
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx).powi(2);
        syy += (b - my).powi(2);
    }
    if sxx > 0.0 && syy > 0.0 {
        sxy / (sxx * syy).sqrt()
    } else {
        0.0
    }
}

/// How far below zero a correlation matrix's smallest eigenvalue may be (rounding in
/// a fitted matrix): a ridge of up to this much is added before the factorization.
pub const PSD_TOLERANCE: f64 = 1e-6;

/// The lower Cholesky factor of the correlation, with the smallest ridge (up to
/// [`PSD_TOLERANCE`]) that makes it positive definite; `None` when even that does not.
fn cholesky(corr: &[Vec<f64>]) -> Option<DMatrix<f64>> {
    let d = corr.len();
    let m = DMatrix::from_fn(d, d, |i, j| corr[i][j]);
    let mut ridge = 0.0;
    while ridge <= PSD_TOLERANCE * 10.0 {
        let a = &m + DMatrix::identity(d, d) * ridge;
        if let Some(c) = a.cholesky() {
            return Some(c.l());
        }
        ridge = if ridge == 0.0 { 1e-12 } else { ridge * 10.0 };
    }
    None
}

/// Why a model is refused: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("model field `{field}`: {problem}")]
pub struct ModelError {
    pub field: String,
    pub problem: String,
}

/// Most decimals a numerical column may ask for.
const MAX_DECIMALS: u32 = 15;

impl Model {
    /// Checks everything sampling relies on, before any work: the format, at most
    /// [`crate::table::MAX_COLUMNS`] columns, a square symmetric correlation over the
    /// non-id columns with a unit diagonal and finite entries in [-1, 1], positive
    /// semi-definite within [`PSD_TOLERANCE`], and well-formed marginals. Returns the
    /// Cholesky factor sampling uses.
    pub fn validate(&self) -> Result<DMatrix<f64>, ModelError> {
        let bad = |field: String, problem: String| Err(ModelError { field, problem });
        if self.format != FORMAT {
            return bad(
                "format".into(),
                format!(
                    "{:?} is not a synthgov model (expected {FORMAT:?})",
                    self.format
                ),
            );
        }
        if self.columns.is_empty() {
            return bad("columns".into(), "a model needs at least one column".into());
        }
        if self.columns.len() > crate::table::MAX_COLUMNS {
            return bad(
                "columns".into(),
                format!(
                    "{} columns; at most {} are supported",
                    self.columns.len(),
                    crate::table::MAX_COLUMNS
                ),
            );
        }
        if self.children.len() > 1 {
            return bad(
                "children".into(),
                "one child table per model is supported".into(),
            );
        }
        for (i, ch) in self.children.iter().enumerate() {
            let f = |x: &str| format!("children[{i}].{x}");
            let col = |name: &str| self.columns.iter().find(|c| c.name == name);
            if !col(&ch.count_column).is_some_and(|c| c.ctype == ColType::Numerical) {
                return bad(
                    f("count_column"),
                    format!(
                        "{:?} is not a numerical column of the parent",
                        ch.count_column
                    ),
                );
            }
            if !col(&ch.parent_key).is_some_and(|c| c.ctype == ColType::Id) {
                return bad(
                    f("parent_key"),
                    format!("{:?} is not an id column of the parent", ch.parent_key),
                );
            }
            if !ch
                .model
                .columns
                .iter()
                .any(|c| c.name == ch.foreign_key && c.ctype == ColType::Id)
            {
                return bad(
                    f("foreign_key"),
                    format!("{:?} is not an id column of the child", ch.foreign_key),
                );
            }
            if !ch.model.children.is_empty() {
                return bad(
                    f("model.children"),
                    "a child table cannot have children of its own".into(),
                );
            }
            if let Err(e) = ch.model.validate() {
                return bad(format!("{}.{}", f("model"), e.field), e.problem);
            }
        }
        for (i, c) in self.columns.iter().enumerate() {
            let f = |x: &str| format!("columns[{i}].{x}");
            if c.name.is_empty() || c.name.len() > 256 {
                return bad(f("name"), "must be 1 to 256 bytes".into());
            }
            if !(0.0..=1.0).contains(&c.null_rate) {
                return bad(f("null_rate"), format!("{} is not in [0, 1]", c.null_rate));
            }
            if let Some(fmt) = &c.datetime_format
                && !crate::table::DATETIME_FORMATS.contains(&fmt.as_str())
            {
                return bad(
                    f("datetime_format"),
                    format!(
                        "{fmt:?} is not one of {}",
                        crate::table::DATETIME_FORMATS.join(", ")
                    ),
                );
            }
            if c.decimals > MAX_DECIMALS {
                return bad(
                    f("decimals"),
                    format!("{} is more than {MAX_DECIMALS}", c.decimals),
                );
            }
            if let Some(q) = c.quantiles.iter().position(|q| !q.is_finite()) {
                return bad(
                    f(&format!("quantiles[{q}]")),
                    "must be a finite number".into(),
                );
            }
            if let Some(q) = c.quantiles.windows(2).position(|w| w[1] < w[0]) {
                return bad(
                    f(&format!("quantiles[{}]", q + 1)),
                    "quantiles must not decrease".into(),
                );
            }
            if c.quantiles.len() > 10_000 || c.categories.len() > 1_000_000 {
                return bad(f("quantiles"), "too many quantiles or categories".into());
            }
            let mut total = 0.0;
            for (k, cat) in c.categories.iter().enumerate() {
                if !(0.0..=1.0).contains(&cat.p) {
                    return bad(
                        f(&format!("categories[{k}].p")),
                        format!("{} is not in [0, 1]", cat.p),
                    );
                }
                total += cat.p;
            }
            if total > 1.0 + 1e-6 {
                return bad(
                    f("categories"),
                    format!("probabilities add up to {total}, more than 1"),
                );
            }
        }
        for (k, &i) in self.null_dims.iter().enumerate() {
            let ok = self.columns.get(i).is_some_and(|c| c.ctype != ColType::Id)
                && !self.null_dims[..k].contains(&i);
            if !ok {
                return bad(
                    format!("null_dims[{k}]"),
                    format!("{i} is not a non-id column, or is listed twice"),
                );
            }
        }
        let d = self
            .columns
            .iter()
            .filter(|c| c.ctype != ColType::Id)
            .count()
            + self.null_dims.len();
        if self.correlation.len() != d {
            return bad(
                "correlation".into(),
                format!(
                    "{} rows for {d} non-id columns and null indicators: it must be {d} x {d}",
                    self.correlation.len()
                ),
            );
        }
        for (i, row) in self.correlation.iter().enumerate() {
            if row.len() != d {
                return bad(
                    format!("correlation[{i}]"),
                    format!(
                        "{} entries, expected {d} (the matrix must be square)",
                        row.len()
                    ),
                );
            }
        }
        for (i, row) in self.correlation.iter().enumerate() {
            for (j, r) in row.iter().enumerate() {
                let at = format!("correlation[{i}][{j}]");
                if !r.is_finite() || r.abs() > 1.0 + 1e-9 {
                    return bad(at, format!("{r} is not a correlation in [-1, 1]"));
                }
                if i == j && (r - 1.0).abs() > 1e-6 {
                    return bad(at, format!("the diagonal must be 1, not {r}"));
                }
                if (r - self.correlation[j][i]).abs() > 1e-9 {
                    return bad(at, "the matrix must be symmetric".into());
                }
            }
        }
        cholesky(&self.correlation).ok_or_else(|| ModelError {
            field: "correlation".into(),
            problem: format!(
                "not positive semi-definite (beyond a tolerance of {PSD_TOLERANCE}): no joint distribution has these correlations"
            ),
        })
    }
}

pub const SAMPLE_CHUNK: u64 = 8192;

/// Samples `rows` rows as CSV text (header included), deterministic in `seed`,
/// chunk by chunk; `marker` appends a marker per row.
pub fn sample_csv(
    model: &Model,
    rows: u64,
    seed: u64,
    marker: Option<&(dyn Fn(u64) -> String + Sync)>,
    marker_column: &str,
    out: &mut dyn std::io::Write,
    prints: &mut dyn FnMut(&str),
) -> std::io::Result<()> {
    let mut header: Vec<String> = model.columns.iter().map(|c| c.name.clone()).collect();
    if marker.is_some() {
        header.push(marker_column.to_owned());
    }
    let l = model
        .validate()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    writeln!(out, "{}", header.join(","))?;
    let chunks = rows.div_ceil(SAMPLE_CHUNK);
    let batch = (rayon::current_num_threads() as u64 * 2).max(2);
    let mut c = 0;
    while c < chunks {
        let upto = (c + batch).min(chunks);
        let made: Vec<(String, Vec<String>)> = (c..upto)
            .into_par_iter()
            .map(|k| sample_chunk(model, &l, rows, seed, k, marker))
            .collect();
        for (text, idents) in made {
            out.write_all(text.as_bytes())?;
            for i in &idents {
                prints(i);
            }
        }
        c = upto;
    }
    Ok(())
}

fn chunk_rng(model: &Model, seed: u64, k: u64) -> ChaCha8Rng {
    let mut h = Sha256::new();
    h.update(b"synthgov-copula-v1");
    h.update(seed.to_be_bytes());
    h.update(model.model.as_bytes());
    h.update(k.to_be_bytes());
    ChaCha8Rng::from_seed(h.finalize().into())
}

fn sample_chunk(
    model: &Model,
    l: &DMatrix<f64>,
    rows: u64,
    seed: u64,
    k: u64,
    marker: Option<&(dyn Fn(u64) -> String + Sync)>,
) -> (String, Vec<String>) {
    let mut rng = chunk_rng(model, seed, k);
    let first = k * SAMPLE_CHUNK + 1;
    let last = ((k + 1) * SAMPLE_CHUNK).min(rows);
    let mut block = Block::default();
    sample_block(
        model,
        l,
        &mut rng,
        first..=last,
        &Shape::default(),
        marker,
        &mut block,
    );
    (block.text, block.idents)
}

/// How sampled rows are laid out beyond the model's columns.
#[derive(Default)]
pub(crate) struct Shape<'a> {
    /// A column whose value is the given parent id of each row (a foreign key).
    pub foreign: Option<(usize, &'a [u64])>,
    /// Columns sampled but not written: their values go to `Block::hidden`.
    pub hidden: Vec<usize>,
}

#[derive(Default)]
pub(crate) struct Block {
    pub text: String,
    pub idents: Vec<String>,
    /// Per row, the values of `Shape::hidden` as numbers (missing: 0).
    pub hidden: Vec<f64>,
}

/// Samples rows `ids` (their id columns take these numbers) into `out`.
pub(crate) fn sample_block(
    model: &Model,
    l: &DMatrix<f64>,
    rng: &mut ChaCha8Rng,
    ids: std::ops::RangeInclusive<u64>,
    shape: &Shape,
    marker: Option<&(dyn Fn(u64) -> String + Sync)>,
    out: &mut Block,
) {
    let nd = std_normal();
    let d = l.nrows();
    let first = *ids.start();
    let text = &mut out.text;
    let mut eps = DVector::<f64>::zeros(d);
    let values = d - model.null_dims.len();
    let mut null_dim: Vec<Option<usize>> = vec![None; model.columns.len()];
    for (k, &i) in model.null_dims.iter().enumerate() {
        null_dim[i] = Some(values + k);
    }
    for row in ids {
        for i in 0..d {
            eps[i] = StandardNormal.sample(rng);
        }
        let z = l * &eps;
        let mut fields: Vec<String> = Vec::with_capacity(model.columns.len());
        let mut zi = 0;
        for (ci, c) in model.columns.iter().enumerate() {
            if c.ctype == ColType::Id {
                let id = match shape.foreign {
                    Some((fk, parents)) if fk == ci => parents[(row - first) as usize],
                    _ => row,
                };
                fields.push(id.to_string());
                continue;
            }
            let u = nd.cdf(z[zi]);
            zi += 1;
            let null: f64 = match null_dim[ci] {
                Some(k) => nd.cdf(z[k]),
                None => rand::Rng::r#gen(rng),
            };
            if null < c.null_rate {
                fields.push(String::new());
                continue;
            }
            fields.push(value_at(c, u));
        }
        for &h in &shape.hidden {
            out.hidden.push(fields[h].parse().unwrap_or(0.0));
        }
        let mut written = 0;
        let mut ident = String::new();
        for (i, f) in fields.iter().enumerate() {
            if shape.hidden.contains(&i) {
                continue;
            }
            if written > 0 {
                text.push(',');
                ident.push('\u{1f}');
            }
            written += 1;
            ident.push_str(f);
            if f.contains([',', '"', '\n']) {
                text.push('"');
                text.push_str(&f.replace('"', "\"\""));
                text.push('"');
            } else {
                text.push_str(f);
            }
        }
        if let Some(m) = marker {
            text.push(',');
            text.push_str(&m(row));
        }
        text.push('\n');
        out.idents.push(ident);
    }
}

fn value_at(c: &ColumnModel, u: f64) -> String {
    match c.ctype {
        ColType::Numerical | ColType::Datetime => {
            let q = &c.quantiles;
            if q.is_empty() {
                return String::new();
            }
            let pos = u.clamp(0.0, 1.0) * (q.len() - 1) as f64;
            let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
            let v = q[lo] + (q[hi] - q[lo]) * (pos - lo as f64);
            if c.ctype == ColType::Datetime {
                if let Some(s) = c
                    .datetime_format
                    .as_deref()
                    .and_then(|f| crate::table::format_datetime(v.round() as i64, f))
                {
                    return s;
                }
                let t = time::OffsetDateTime::from_unix_timestamp(v.round() as i64)
                    .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
                if c.date_only {
                    format!("{:04}-{:02}-{:02}", t.year(), t.month() as u8, t.day())
                } else {
                    format!(
                        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                        t.year(),
                        t.month() as u8,
                        t.day(),
                        t.hour(),
                        t.minute(),
                        t.second()
                    )
                }
            } else if c.integer {
                format!("{}", v.round() as i64)
            } else {
                format!("{:.*}", c.decimals.max(1) as usize, v)
            }
        }
        _ => {
            let mut acc = 0.0;
            for cat in &c.categories {
                acc += cat.p;
                if u < acc {
                    return if c.ctype == ColType::Boolean && cat.value != OTHER {
                        capitalize(&cat.value)
                    } else {
                        cat.value.clone()
                    };
                }
            }
            c.categories
                .last()
                .map(|c| c.value.clone())
                .unwrap_or_default()
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
