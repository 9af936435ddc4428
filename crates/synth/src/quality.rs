//! `synthgov quality`: how good and how safe a synthetic table is, against the real one.
//!
//! Fidelity uses SDMetrics' QualityReport definitions:
//! - Column Shapes: KSComplement (1 - two-sample Kolmogorov-Smirnov statistic, nulls
//!   dropped) for numerical and datetime columns, TVComplement (1 - total variation
//!   distance of the category frequencies) for categorical and boolean ones; nulls are
//!   dropped and a column empty on either side is not scored, as in SDMetrics;
//! - Column Pair Trends: CorrelationSimilarity (1 - |r_real - r_synth| / 2, Pearson,
//!   rows with both values) for two numerical/datetime columns, ContingencySimilarity
//!   (1 - total variation distance of the joint frequencies, numerical/datetime values
//!   put in 10 bins cut from each table's own column, as SDMetrics does) otherwise;
//! - the overall score is the mean of the two property scores. Id columns are left out.
//!
//! Privacy: exact-match rate, distance to closest record (DCR), the share of
//! synthetic rows closer to a real row than real rows are to each other, the nearest-
//! neighbour distance ratio, and with a holdout the share closer to the training rows
//! than to the holdout. Bias: group shares of sensitive columns, real against synthetic.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;
use serde::Serialize;

use crate::table::{ColType, Column, Table};

#[derive(Debug, Clone, Serialize)]
pub struct ColumnScore {
    pub metric: &'static str,
    pub score: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PairScore {
    pub column_1: String,
    pub column_2: String,
    pub metric: &'static str,
    /// The pair's score; 0 when it is undefined (a constant column), and then it is
    /// not counted.
    pub score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub real_correlation: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub synthetic_correlation: Option<f64>,
    /// Cramér's V of the pair in the real data (contingency pairs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub real_association: Option<f64>,
    /// Whether the pair counts towards Column Pair Trends: defined, and its real
    /// correlation or association above the threshold (SDMetrics' "Meets Threshold?").
    pub counted: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Privacy {
    pub exact_match_rate: f64,
    pub dcr_median: f64,
    pub dcr_min: f64,
    /// Share of synthetic rows closer to a real row than the median real row is to its
    /// nearest other real row.
    pub dcr_share: f64,
    pub nndr_mean: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holdout_closer_share: Option<f64>,
    pub rows_compared: usize,
    /// SDMetrics' DCRBaselineProtection: the synthetic rows' median DCR to the real
    /// rows over that of random rows drawn within the real columns' ranges.
    pub dcr_baseline_protection: DcrBaselineProtection,
    /// SDMetrics' DCROverfittingProtection, with a holdout: `min(2 × (1 − share of
    /// synthetic rows closer to the training rows than to the holdout), 1)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dcr_overfitting_protection: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DcrBaselineProtection {
    /// None when the random rows' median DCR is 0 (SDMetrics: NaN).
    pub score: Option<f64>,
    pub median_dcr_synthetic: f64,
    pub median_dcr_random: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupShare {
    pub group: String,
    pub real: f64,
    pub synthetic: f64,
    pub gap: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BiasColumn {
    pub groups: Vec<GroupShare>,
    pub largest_gap: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bias {
    pub columns: BTreeMap<String, BiasColumn>,
    /// None when no sensitive column was named or found: then `problem` says so
    /// (a 0 would read as "no bias").
    pub largest_gap: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Outcome fairness of a binary target across sensitive groups, in the real and in
/// the synthetic table (fairlearn's `demographic_parity_difference` with the target
/// as the prediction: the largest gap between groups' positive rates).
#[derive(Debug, Clone, Serialize)]
pub struct Fairness {
    pub target: String,
    pub positive: String,
    pub columns: BTreeMap<String, FairnessColumn>,
    pub model: FairnessModel,
}

/// The classifier behind the equalized-odds figures: trained once on the real rows
/// and once on the synthetic rows, both scored on the same real rows (the holdout
/// when given; else the real table, where the real-trained model is scored on its
/// own training rows and so looks better than it is).
#[derive(Debug, Clone, Serialize)]
pub struct FairnessModel {
    pub kind: &'static str,
    pub scored_on: &'static str,
    pub rows_scored: usize,
    pub accuracy_trained_on_real: f64,
    pub accuracy_trained_on_synthetic: f64,
    /// Per scored row: the true outcome and both models' predictions, with the
    /// sensitive columns' groups, for recomputing the figures elsewhere.
    #[serde(skip)]
    pub predictions: Vec<Prediction>,
}

#[derive(Debug, Clone)]
pub struct Prediction {
    pub row: usize,
    pub truth: bool,
    pub trained_on_real: bool,
    pub trained_on_synthetic: bool,
    pub groups: Vec<(String, Option<String>)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FairnessColumn {
    pub demographic_parity_difference_real: f64,
    pub demographic_parity_difference_synthetic: f64,
    /// Synthetic minus real: how much the synthetic data changes the disparity.
    pub change: f64,
    /// fairlearn's `equalized_odds_difference` (the larger of the groups' true- and
    /// false-positive-rate gaps) of the model trained on real and on synthetic rows.
    pub equalized_odds_difference_real: f64,
    pub equalized_odds_difference_synthetic: f64,
    pub equalized_odds_change: f64,
    pub groups: Vec<GroupRate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupRate {
    pub group: String,
    pub real: Option<f64>,
    pub synthetic: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QualityReport {
    pub score: f64,
    pub column_shapes: f64,
    /// Column Shapes when no pair is counted (SDMetrics reports NaN; the overall
    /// score is then Column Shapes in both).
    pub column_pair_trends: f64,
    /// Pairs that count towards Column Pair Trends.
    pub pairs_counted: usize,
    pub columns: BTreeMap<String, ColumnScore>,
    /// Columns with no value in the real or the synthetic table: not scored (SDMetrics:
    /// incomputable), and left out of Column Shapes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns_not_scored: Vec<String>,
    pub pairs: Vec<PairScore>,
    pub privacy: Privacy,
    pub bias: Bias,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fairness: Option<Fairness>,
    /// anonymeter's singling-out, linkability and inference risks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attacks: Option<crate::attacks::Attacks>,
}

#[derive(Debug, Clone, Default)]
pub struct QualityOptions {
    /// Sensitive columns for bias; detected by name when empty.
    pub sensitive: Vec<String>,
    /// Rows of each table compared for privacy (a deterministic prefix).
    pub privacy_rows: usize,
    /// Pairs count only when their real |Pearson r| is above the first and their
    /// real Cramér's V above the second: SDMetrics' QualityReport defaults (0.5, 0.3)
    /// unless [`QualityOptions::every_pair`] is set.
    pub every_pair: bool,
    /// A binary outcome column whose fairness across the sensitive columns is
    /// measured, and its positive value [default: True/true/1/yes when present].
    pub target: Option<String>,
    pub positive: Option<String>,
    /// Seed of the random baselines and attacks.
    pub seed: u64,
    /// The attack-based privacy risks; None skips them.
    pub attacks: Option<crate::attacks::AttackOptions>,
}

/// SDMetrics' `DEFAULT_REAL_CORRELATION_THRESHOLD` and
/// `DEFAULT_REAL_ASSOCIATION_THRESHOLD` (sdmetrics/reports/utils.py, 0.32).
pub const REAL_CORRELATION_THRESHOLD: f64 = 0.5;
pub const REAL_ASSOCIATION_THRESHOLD: f64 = 0.3;

/// Cramér's V of a contingency table (as `scipy.stats.contingency.association`,
/// method "cramer": χ² without continuity correction); None when a side has one
/// category.
fn cramers_v(keys: &[(String, String)]) -> Option<f64> {
    use std::collections::HashMap;
    let mut cell: HashMap<(&str, &str), f64> = HashMap::new();
    let mut row: HashMap<&str, f64> = HashMap::new();
    let mut col: HashMap<&str, f64> = HashMap::new();
    for (a, b) in keys {
        *cell.entry((a, b)).or_default() += 1.0;
        *row.entry(a).or_default() += 1.0;
        *col.entry(b).or_default() += 1.0;
    }
    let n = keys.len() as f64;
    let k = row.len().min(col.len());
    if k < 2 || n == 0.0 {
        return None;
    }
    // χ² = Σ (O − E)² / E over every cell, the empty ones included: n (Σ O²/(r c) − 1).
    let sum: f64 = cell
        .iter()
        .map(|((a, b), o)| o * o / (row[a] * col[b]))
        .sum();
    let chi2 = n * (sum - 1.0);
    Some((chi2 / (n * (k as f64 - 1.0))).max(0.0).sqrt())
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct QualityError(pub String);

/// Two-sample Kolmogorov-Smirnov statistic.
pub fn ks_statistic(a: &[f64], b: &[f64]) -> f64 {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        return 1.0;
    }
    let (mut i, mut j, mut d) = (0, 0, 0.0f64);
    while i < n && j < m {
        let x = a[i].min(b[j]);
        while i < n && a[i] <= x {
            i += 1;
        }
        while j < m && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / n as f64 - j as f64 / m as f64).abs());
    }
    d
}

/// Total variation distance between the frequency tables of two key lists.
fn tvd<K: std::hash::Hash + Eq + Clone>(a: &[K], b: &[K]) -> f64 {
    let mut fa: HashMap<K, f64> = HashMap::new();
    let mut fb: HashMap<K, f64> = HashMap::new();
    for k in a {
        *fa.entry(k.clone()).or_default() += 1.0 / a.len() as f64;
    }
    for k in b {
        *fb.entry(k.clone()).or_default() += 1.0 / b.len() as f64;
    }
    let keys: HashSet<&K> = fa.keys().chain(fb.keys()).collect();
    keys.into_iter()
        .map(|k| (fa.get(k).unwrap_or(&0.0) - fb.get(k).unwrap_or(&0.0)).abs())
        .sum::<f64>()
        / 2.0
}

fn category(c: &Column, i: usize) -> String {
    match (&c.raw[i], c.ctype) {
        (None, _) => category_missing(),
        (Some(v), ColType::Boolean) => v.trim().to_ascii_lowercase(),
        (Some(v), _) => v.clone(),
    }
}

fn present(c: &Column) -> Vec<f64> {
    c.num.iter().flatten().copied().collect()
}

fn is_continuous(c: &Column) -> bool {
    matches!(c.ctype, ColType::Numerical | ColType::Datetime)
}

/// Column Shapes score of one column, over the values present on each side (as
/// SDMetrics drops nulls); None when either side has none, which SDMetrics reports
/// as incomputable and leaves out of the average.
pub fn column_shape(real: &Column, synth: &Column) -> Option<ColumnScore> {
    if is_continuous(real) {
        let (a, b) = (present(real), present(synth));
        if a.is_empty() || b.is_empty() {
            return None;
        }
        Some(ColumnScore {
            metric: "KSComplement",
            score: 1.0 - ks_statistic(&a, &b),
        })
    } else {
        let values = |c: &Column| -> Vec<String> {
            (0..c.raw.len())
                .filter(|&i| c.raw[i].is_some())
                .map(|i| category(c, i))
                .collect()
        };
        let (a, b) = (values(real), values(synth));
        if a.is_empty() || b.is_empty() {
            return None;
        }
        Some(ColumnScore {
            metric: "TVComplement",
            score: 1.0 - tvd(&a, &b),
        })
    }
}

fn pearson(x: &[Option<f64>], y: &[Option<f64>]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter_map(|(a, b)| Some(((*a)?, (*b)?)))
        .collect();
    let n = pairs.len() as f64;
    if n < 2.0 {
        return None;
    }
    let (mx, my) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in &pairs {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Bin numbers (as strings) of a continuous column, as SDMetrics' ColumnPairTrends
/// makes them: each table's column is cut by its own `numpy.histogram_bin_edges`
/// (10 equal bins between its min and max), then `numpy.digitize`: below the first
/// edge is 0, at or past the last edge is 11, and a null also lands in 11.
fn binned(col: &Column) -> Vec<String> {
    let v = present(col);
    let (lo, hi) = v
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &x| {
            (l.min(x), h.max(x))
        });
    let (lo, hi) = if !lo.is_finite() {
        (0.0, 1.0)
    } else if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    };
    let edges: Vec<f64> = (0..=10).map(|i| lo + (hi - lo) * i as f64 / 10.0).collect();
    col.num
        .iter()
        .map(|v| match v {
            None => "11".to_owned(),
            Some(x) => edges.iter().take_while(|e| **e <= *x).count().to_string(),
        })
        .collect()
}

fn pair_keys(c1: &Column, c2: &Column) -> Vec<(String, String)> {
    let keys = |c: &Column| -> Vec<String> {
        if is_continuous(c) {
            binned(c)
        } else {
            (0..c.raw.len()).map(|i| category(c, i)).collect()
        }
    };
    keys(c1).into_iter().zip(keys(c2)).collect()
}

/// Column Pair Trends score of one pair, counted as SDMetrics' QualityReport counts
/// it (every defined pair when `every_pair`).
pub fn pair_trend(
    r1: &Column,
    s1: &Column,
    r2: &Column,
    s2: &Column,
    every_pair: bool,
) -> PairScore {
    if is_continuous(r1) && is_continuous(r2) {
        let rc = pearson(&r1.num, &r2.num);
        let sc = pearson(&s1.num, &s2.num);
        let score = match (rc, sc) {
            (Some(a), Some(b)) => Some(1.0 - (a - b).abs() / 2.0),
            _ => None,
        };
        let strong = every_pair || rc.is_some_and(|r| r.abs() > REAL_CORRELATION_THRESHOLD);
        PairScore {
            column_1: r1.name.clone(),
            column_2: r2.name.clone(),
            metric: "CorrelationSimilarity",
            score: score.unwrap_or(0.0),
            real_correlation: rc,
            synthetic_correlation: sc,
            real_association: None,
            counted: score.is_some() && strong,
        }
    } else {
        let a = pair_keys(r1, r2);
        let b = pair_keys(s1, s2);
        let v = cramers_v(&a);
        let strong = every_pair || v.is_some_and(|v| v > REAL_ASSOCIATION_THRESHOLD);
        PairScore {
            column_1: r1.name.clone(),
            column_2: r2.name.clone(),
            metric: "ContingencySimilarity",
            score: 1.0 - tvd(&a, &b),
            real_correlation: None,
            synthetic_correlation: None,
            real_association: v,
            counted: strong,
        }
    }
}

/// The full report.
pub fn quality(
    real: &Table,
    synth: &Table,
    holdout: Option<&Table>,
    opts: &QualityOptions,
) -> Result<QualityReport, QualityError> {
    let mut cols: Vec<(&Column, &Column)> = Vec::new();
    for rc in &real.columns {
        if rc.ctype == ColType::Id {
            continue;
        }
        let sc = synth
            .columns
            .iter()
            .find(|c| c.name == rc.name)
            .ok_or_else(|| {
                QualityError(format!(
                    "{}: column {:?} of {} is missing",
                    synth.file, rc.name, real.file
                ))
            })?;
        cols.push((rc, sc));
    }
    if cols.is_empty() {
        return Err(QualityError(format!(
            "{}: no columns to compare (all are ids?)",
            real.file
        )));
    }
    let mut columns: BTreeMap<String, ColumnScore> = BTreeMap::new();
    let mut columns_not_scored = Vec::new();
    for (r, s) in &cols {
        match column_shape(r, s) {
            Some(c) => {
                columns.insert(r.name.clone(), c);
            }
            None => columns_not_scored.push(r.name.clone()),
        }
    }
    if columns.is_empty() {
        return Err(QualityError(format!(
            "{}: every column is empty in one of the tables: nothing to compare",
            real.file
        )));
    }
    let shapes = columns.values().map(|c| c.score).sum::<f64>() / columns.len() as f64;
    let mut pairs = Vec::new();
    for i in 0..cols.len() {
        for j in i + 1..cols.len() {
            pairs.push(pair_trend(
                cols[i].0,
                cols[i].1,
                cols[j].0,
                cols[j].1,
                opts.every_pair,
            ));
        }
    }
    let counted: Vec<f64> = pairs
        .iter()
        .filter(|p| p.counted)
        .map(|p| p.score)
        .collect();
    // As SDMetrics: with no pair counted the property is undefined and the overall
    // score is Column Shapes alone (its nanmean).
    let trends = (!counted.is_empty()).then(|| counted.iter().sum::<f64>() / counted.len() as f64);
    for name in &opts.sensitive {
        if !cols.iter().any(|(r, _)| &r.name == name) {
            return Err(QualityError(format!(
                "{}: no column {name:?} (named with --sensitive)",
                real.file
            )));
        }
    }
    let privacy = privacy(&cols, real, synth, holdout, opts);
    let attacks = match &opts.attacks {
        Some(a) => {
            let names: Vec<&str> = cols.iter().map(|(r, _)| r.name.as_str()).collect();
            let a = crate::attacks::AttackOptions {
                seed: opts.seed,
                ..a.clone()
            };
            Some(
                crate::attacks::attacks(real, synth, holdout, &names, &a)
                    .map_err(|e| QualityError(e.0))?,
            )
        }
        None => None,
    };
    let bias = bias(&cols, opts);
    let fairness = match &opts.target {
        Some(t) => Some(fairness(
            &cols,
            &bias,
            t,
            opts.positive.as_deref(),
            &real.file,
            holdout,
        )?),
        None => None,
    };
    Ok(QualityReport {
        score: trends.map_or(shapes, |t| (shapes + t) / 2.0),
        column_shapes: shapes,
        column_pair_trends: trends.unwrap_or(shapes),
        pairs_counted: counted.len(),
        columns,
        columns_not_scored,
        pairs,
        privacy,
        bias,
        fairness,
        attacks,
    })
}

/// Encodes rows for distances: continuous values scaled by the real range, others
/// as category strings.
struct Encoded {
    cont: Vec<Vec<Option<f64>>>,
    cat: Vec<Vec<String>>,
}

fn encode(
    cols: &[(&Column, &Column)],
    pick_synth: bool,
    table_rows: usize,
    limit: usize,
    other: Option<&Table>,
    scale: Option<&Table>,
) -> Encoded {
    let n = table_rows.min(limit);
    let mut cont = vec![Vec::new(); n];
    let mut cat = vec![Vec::new(); n];
    for (r, s) in cols {
        let c: &Column = match other {
            Some(t) => t.columns.iter().find(|c| c.name == r.name).unwrap_or(r),
            None if pick_synth => s,
            None => r,
        };
        if is_continuous(r) {
            // Distances are scaled by the reference table's range (SDMetrics' DCR):
            // the real rows', or the holdout's when measuring against it.
            let by = scale
                .and_then(|t| t.columns.iter().find(|c| c.name == r.name))
                .unwrap_or(r);
            let p = present(by);
            let (lo, hi) = p
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                    (l.min(v), h.max(v))
                });
            let range = if hi > lo { hi - lo } else { 1.0 };
            for (i, row) in cont.iter_mut().enumerate() {
                row.push(c.num.get(i).copied().flatten().map(|v| (v - lo) / range));
            }
        } else {
            for (i, row) in cat.iter_mut().enumerate() {
                row.push(if i < c.raw.len() {
                    category(c, i)
                } else {
                    String::new()
                });
            }
        }
    }
    Encoded { cont, cat }
}

fn distance(a: &Encoded, i: usize, b: &Encoded, j: usize) -> f64 {
    let mut d = 0.0;
    for (x, y) in a.cont[i].iter().zip(&b.cont[j]) {
        d += match (x, y) {
            (Some(x), Some(y)) => (x - y).abs().min(1.0),
            (None, None) => 0.0,
            _ => 1.0,
        };
    }
    for (x, y) in a.cat[i].iter().zip(&b.cat[j]) {
        if x != y {
            d += 1.0;
        }
    }
    d / (a.cont[i].len() + a.cat[i].len()).max(1) as f64
}

/// (nearest, second nearest) distance from row `i` of `a` to rows of `b`.
fn nearest(a: &Encoded, i: usize, b: &Encoded, skip: Option<usize>) -> (f64, f64) {
    let (mut d1, mut d2) = (f64::INFINITY, f64::INFINITY);
    for j in 0..b.cont.len() {
        if Some(j) == skip {
            continue;
        }
        let d = distance(a, i, b, j);
        if d < d1 {
            d2 = d1;
            d1 = d;
        } else if d < d2 {
            d2 = d;
        }
    }
    (d1, d2)
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The median as pandas computes it (the mean of the middle two of an even count).
pub(crate) fn mean_median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len().is_multiple_of(2) {
        (v[m - 1] + v[m]) / 2.0
    } else {
        v[m]
    }
}

/// SDMetrics' random baseline rows: integers uniform over the real column's range
/// (inclusive), other numbers and datetimes uniform over it, categories drawn from
/// the real column's distinct values; each cell missing with the real column's rate.
fn random_rows(cols: &[(&Column, &Column)], n: usize, seed: u64) -> Encoded {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x5d_c4_ba_5e);
    let mut cont = vec![Vec::new(); n];
    let mut cat = vec![Vec::new(); n];
    for (r, _) in cols {
        let missing =
            r.raw.iter().filter(|v| v.is_none()).count() as f64 / r.raw.len().max(1) as f64;
        if is_continuous(r) {
            let p = present(r);
            let (lo, hi) = p
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                    (l.min(v), h.max(v))
                });
            let range = if hi > lo { hi - lo } else { 1.0 };
            let integral = r.ctype == ColType::Numerical && p.iter().all(|v| v.fract() == 0.0);
            for row in cont.iter_mut() {
                let v = if p.is_empty() || rng.gen_bool(missing.clamp(0.0, 1.0)) {
                    None
                } else if integral {
                    Some(rng.gen_range(lo as i64..=hi as i64) as f64)
                } else if hi > lo {
                    Some(rng.gen_range(lo..hi))
                } else {
                    Some(lo)
                };
                row.push(v.map(|v| (v - lo) / range));
            }
        } else {
            let mut values: Vec<String> = (0..r.raw.len())
                .filter(|&i| r.raw[i].is_some())
                .map(|i| category(r, i))
                .collect();
            values.sort();
            values.dedup();
            for row in cat.iter_mut() {
                row.push(
                    if values.is_empty() || rng.gen_bool(missing.clamp(0.0, 1.0)) {
                        category_missing()
                    } else {
                        values[rng.gen_range(0..values.len())].clone()
                    },
                );
            }
        }
    }
    Encoded { cont, cat }
}

fn category_missing() -> String {
    String::from("\u{0}null")
}

fn privacy(
    cols: &[(&Column, &Column)],
    real: &Table,
    synth: &Table,
    holdout: Option<&Table>,
    opts: &QualityOptions,
) -> Privacy {
    let limit = if opts.privacy_rows == 0 {
        2000
    } else {
        opts.privacy_rows
    };
    let row_key = |t: &Table, i: usize, pick: bool| -> String {
        cols.iter()
            .map(|(r, s)| {
                let c = if pick { s } else { r };
                let _ = t;
                c.raw[i].as_deref().unwrap_or("").trim().to_owned()
            })
            .collect::<Vec<_>>()
            .join("\u{1f}")
    };
    let real_keys: HashSet<String> = (0..real.rows).map(|i| row_key(real, i, false)).collect();
    let exact = (0..synth.rows)
        .filter(|&i| real_keys.contains(&row_key(synth, i, true)))
        .count();
    let r = encode(cols, false, real.rows, limit, None, None);
    let s = encode(cols, true, synth.rows, limit, None, None);
    let syn: Vec<(f64, f64)> = (0..s.cont.len())
        .into_par_iter()
        .map(|i| nearest(&s, i, &r, None))
        .collect();
    let real_nn: Vec<f64> = (0..r.cont.len())
        .into_par_iter()
        .map(|i| nearest(&r, i, &r, Some(i)).0)
        .collect();
    let threshold = median(real_nn);
    let dcr: Vec<f64> = syn.iter().map(|p| p.0).collect();
    let n = dcr.len().max(1) as f64;
    let holdout_closer_share = holdout.map(|h| {
        let hold = encode(cols, false, h.rows, limit, Some(h), Some(h));
        let s_hold = encode(cols, true, synth.rows, limit, None, Some(h));
        let closer = (0..s.cont.len())
            .into_par_iter()
            .filter(|&i| syn[i].0 < nearest(&s_hold, i, &hold, None).0)
            .count();
        closer as f64 / n
    });
    let random = random_rows(cols, s.cont.len(), opts.seed);
    let random_dcr: Vec<f64> = (0..random.cont.len())
        .into_par_iter()
        .map(|i| nearest(&random, i, &r, None).0)
        .collect();
    let (median_dcr_synthetic, median_dcr_random) =
        (mean_median(dcr.clone()), mean_median(random_dcr));
    Privacy {
        dcr_baseline_protection: DcrBaselineProtection {
            score: (median_dcr_random > 0.0)
                .then(|| (median_dcr_synthetic / median_dcr_random).min(1.0)),
            median_dcr_synthetic,
            median_dcr_random,
        },
        dcr_overfitting_protection: holdout_closer_share.map(|c| (2.0 * (1.0 - c)).min(1.0)),
        exact_match_rate: exact as f64 / synth.rows.max(1) as f64,
        dcr_min: dcr.iter().copied().fold(f64::INFINITY, f64::min).min(1.0),
        dcr_median: median(dcr.clone()),
        dcr_share: dcr.iter().filter(|d| **d < threshold).count() as f64 / n,
        nndr_mean: syn
            .iter()
            .map(|(a, b)| {
                if *b > 0.0 && b.is_finite() {
                    a / b
                } else {
                    0.0
                }
            })
            .sum::<f64>()
            / n,
        holdout_closer_share,
        rows_compared: s.cont.len(),
    }
}

/// Names that mark a column as sensitive for bias checks.
pub const SENSITIVE_NAMES: [&str; 10] = [
    "gender",
    "sex",
    "age",
    "country",
    "ethnicity",
    "race",
    "region",
    "nationality",
    "religion",
    "disability",
];

fn bias(cols: &[(&Column, &Column)], opts: &QualityOptions) -> Bias {
    let chosen: Vec<&(&Column, &Column)> = cols
        .iter()
        .filter(|(r, _)| {
            if opts.sensitive.is_empty() {
                SENSITIVE_NAMES.contains(&r.name.to_ascii_lowercase().as_str())
            } else {
                opts.sensitive.contains(&r.name)
            }
        })
        .collect();
    let mut out = BTreeMap::new();
    let mut largest = 0.0f64;
    for (r, s) in chosen {
        let groups_of = |c: &Column| -> Vec<String> {
            (0..c.raw.len())
                .map(|i| match (c.ctype, c.num[i]) {
                    (ColType::Numerical, Some(v)) => format!(
                        "{}-{}",
                        (v / 10.0).floor() * 10.0,
                        (v / 10.0).floor() * 10.0 + 9.0
                    ),
                    _ => category(c, i),
                })
                .collect()
        };
        let (a, b) = (groups_of(r), groups_of(s));
        let share = |v: &[String]| {
            let mut m: BTreeMap<String, f64> = BTreeMap::new();
            for g in v {
                *m.entry(g.clone()).or_default() += 1.0 / v.len().max(1) as f64;
            }
            m
        };
        let (fa, fb) = (share(&a), share(&b));
        let mut keys: Vec<&String> = fa.keys().chain(fb.keys()).collect();
        keys.sort();
        keys.dedup();
        let groups: Vec<GroupShare> = keys
            .into_iter()
            .map(|k| {
                let (x, y) = (*fa.get(k).unwrap_or(&0.0), *fb.get(k).unwrap_or(&0.0));
                GroupShare {
                    group: k.replace('\u{0}', ""),
                    real: x,
                    synthetic: y,
                    gap: (x - y).abs(),
                }
            })
            .collect();
        let lg = groups.iter().map(|g| g.gap).fold(0.0, f64::max);
        largest = largest.max(lg);
        out.insert(
            r.name.clone(),
            BiasColumn {
                groups,
                largest_gap: lg,
            },
        );
    }
    let problem = out.is_empty().then(|| {
        format!(
            "no sensitive column: name them with --sensitive (none of {} is a column)",
            SENSITIVE_NAMES.join(", ")
        )
    });
    Bias {
        largest_gap: (!out.is_empty()).then_some(largest),
        columns: out,
        problem,
    }
}

/// Demographic parity of `target` across each sensitive column of `bias`.
fn fairness(
    cols: &[(&Column, &Column)],
    bias: &Bias,
    target: &str,
    positive: Option<&str>,
    file: &str,
    holdout: Option<&Table>,
) -> Result<Fairness, QualityError> {
    let Some((rt, st)) = cols.iter().find(|(r, _)| r.name == target) else {
        return Err(QualityError(format!(
            "{file}: no column {target:?} (named with --target)"
        )));
    };
    if let Some(p) = &bias.problem {
        return Err(QualityError(format!("--target {target}: {p}")));
    }
    let values: std::collections::BTreeSet<String> = (0..rt.raw.len())
        .filter(|&i| rt.raw[i].is_some())
        .map(|i| category(rt, i))
        .collect();
    let positive = match positive {
        Some(p) => p.to_owned(),
        None => ["True", "true", "1", "yes", "Yes"]
            .into_iter()
            .find(|p| values.contains(*p))
            .map(str::to_owned)
            .ok_or_else(|| {
                QualityError(format!(
                    "--target {target}: name its positive value with --positive (values: {})",
                    values
                        .iter()
                        .take(10)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?,
    };
    // Booleans compare in lower case (see `category`).
    let positive = if rt.ctype == ColType::Boolean {
        positive.trim().to_ascii_lowercase()
    } else {
        positive
    };
    let model = fairness_model(cols, rt.name.as_str(), &positive, holdout, bias, file)?;
    let mut columns = BTreeMap::new();
    for name in bias.columns.keys() {
        if name == target {
            continue;
        }
        let (rs, ss) = cols
            .iter()
            .find(|(r, _)| &r.name == name)
            .expect("bias columns are columns");
        // Rows where the group or the outcome is missing take no part (as fairlearn,
        // which refuses missing values, would need them dropped).
        let rates = |g: &Column, t: &Column| -> BTreeMap<String, f64> {
            let mut n: BTreeMap<String, (f64, f64)> = BTreeMap::new();
            for i in 0..g.raw.len() {
                if g.raw[i].is_none() || t.raw[i].is_none() {
                    continue;
                }
                let e = n.entry(category(g, i)).or_default();
                e.0 += 1.0;
                e.1 += (category(t, i) == positive) as u8 as f64;
            }
            n.into_iter()
                .map(|(k, (all, pos))| (k, pos / all))
                .collect()
        };
        let (a, b) = (rates(rs, rt), rates(ss, st));
        let dp = |m: &BTreeMap<String, f64>| {
            let (lo, hi) = m
                .values()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                    (l.min(v), h.max(v))
                });
            if m.is_empty() { 0.0 } else { hi - lo }
        };
        let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
        keys.sort();
        keys.dedup();
        let groups = keys
            .into_iter()
            .map(|k| GroupRate {
                group: k.clone(),
                real: a.get(k).copied(),
                synthetic: b.get(k).copied(),
            })
            .collect();
        let (dr, ds) = (dp(&a), dp(&b));
        let (er, es) = (
            equalized_odds(&model.predictions, name, |p| p.trained_on_real),
            equalized_odds(&model.predictions, name, |p| p.trained_on_synthetic),
        );
        columns.insert(
            name.clone(),
            FairnessColumn {
                demographic_parity_difference_real: dr,
                demographic_parity_difference_synthetic: ds,
                change: ds - dr,
                equalized_odds_difference_real: er,
                equalized_odds_difference_synthetic: es,
                equalized_odds_change: es - er,
                groups,
            },
        );
    }
    Ok(Fairness {
        target: target.to_owned(),
        positive,
        columns,
        model,
    })
}

/// Trains the logistic regression on the real and on the synthetic rows (every
/// compared column but the target as features) and scores both on the holdout, or
/// on the real rows without one.
fn fairness_model(
    cols: &[(&Column, &Column)],
    target: &str,
    positive: &str,
    holdout: Option<&Table>,
    bias: &Bias,
    file: &str,
) -> Result<FairnessModel, QualityError> {
    use crate::logistic;
    let is_pos = |c: &Column, i: usize| category(c, i) == positive;
    let feats: Vec<(&Column, &Column)> = cols
        .iter()
        .filter(|(r, _)| r.name != target)
        .copied()
        .collect();
    if feats.is_empty() {
        return Err(QualityError(format!(
            "{file}: --target {target}: no other column to predict it from"
        )));
    }
    let (rt, st) = cols
        .iter()
        .find(|(r, _)| r.name == target)
        .copied()
        .expect("target is a column");
    let real_feats: Vec<&Column> = feats.iter().map(|(r, _)| *r).collect();
    let synth_feats: Vec<&Column> = feats.iter().map(|(_, s)| *s).collect();
    let encoding = logistic::Features::fit(&real_feats);
    let train = |fs: &[&Column], t: &Column| {
        let rows: Vec<usize> = (0..t.raw.len()).filter(|&i| t.raw[i].is_some()).collect();
        let x = encoding.matrix(fs, t.raw.len()).select_rows(&rows);
        let y: Vec<f64> = rows.iter().map(|&i| is_pos(t, i) as u8 as f64).collect();
        logistic::fit(&x, &y, 1.0)
    };
    let beta_real = train(&real_feats, rt);
    let beta_synth = train(&synth_feats, st);
    let (scored_on, score_cols, score_target): (&'static str, Vec<&Column>, &Column) = match holdout
    {
        Some(h) => {
            let find = |n: &str| {
                h.columns.iter().find(|c| c.name == n).ok_or_else(|| {
                    QualityError(format!("{}: column {n:?} is missing (the holdout)", h.file))
                })
            };
            (
                "holdout",
                real_feats
                    .iter()
                    .map(|c| find(&c.name))
                    .collect::<Result<_, _>>()?,
                find(target)?,
            )
        }
        None => ("real", real_feats.clone(), rt),
    };
    let rows = score_target.raw.len();
    let x = encoding.matrix(&score_cols, rows);
    let (pr, ps) = (
        logistic::predict(&x, &beta_real),
        logistic::predict(&x, &beta_synth),
    );
    let group_cols: Vec<&Column> = bias
        .columns
        .keys()
        .filter(|n| n.as_str() != target)
        .filter_map(|n| score_cols.iter().find(|c| &c.name == n).copied())
        .collect();
    let predictions: Vec<Prediction> = (0..rows)
        .filter(|&i| score_target.raw[i].is_some())
        .map(|i| Prediction {
            row: i,
            truth: is_pos(score_target, i),
            trained_on_real: pr[i],
            trained_on_synthetic: ps[i],
            groups: group_cols
                .iter()
                .map(|c| (c.name.clone(), c.raw[i].is_some().then(|| category(c, i))))
                .collect(),
        })
        .collect();
    let accuracy = |f: fn(&Prediction) -> bool| {
        predictions.iter().filter(|p| f(p) == p.truth).count() as f64
            / predictions.len().max(1) as f64
    };
    Ok(FairnessModel {
        kind: "logistic regression (L2, C = 1; numbers standardised, categories one-hot)",
        scored_on,
        rows_scored: predictions.len(),
        accuracy_trained_on_real: accuracy(|p| p.trained_on_real),
        accuracy_trained_on_synthetic: accuracy(|p| p.trained_on_synthetic),
        predictions,
    })
}

/// fairlearn's `equalized_odds_difference` (method "between_groups") of one model's
/// predictions across the groups of `column`; a group without positives (or
/// negatives) has a true- (false-) positive rate of 0, as scikit-learn's recall
/// with `zero_division` does.
fn equalized_odds(preds: &[Prediction], column: &str, pred: impl Fn(&Prediction) -> bool) -> f64 {
    let mut by: BTreeMap<&str, [f64; 4]> = BTreeMap::new(); // tp, fn, fp, tn
    for p in preds {
        let Some((_, Some(g))) = p.groups.iter().find(|(n, _)| n == column) else {
            continue;
        };
        let e = by.entry(g.as_str()).or_default();
        let k = match (p.truth, pred(p)) {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => 2,
            (false, false) => 3,
        };
        e[k] += 1.0;
    }
    let spread = |f: &dyn Fn(&[f64; 4]) -> f64| {
        let v: Vec<f64> = by.values().map(f).collect();
        let (lo, hi) = v
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &x| {
                (l.min(x), h.max(x))
            });
        if v.is_empty() { 0.0 } else { hi - lo }
    };
    let rate = |a: f64, b: f64| if a + b > 0.0 { a / (a + b) } else { 0.0 };
    spread(&|c| rate(c[0], c[1])).max(spread(&|c| rate(c[2], c[3])))
}
