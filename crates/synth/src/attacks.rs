//! Attack-based privacy risk of a synthetic table: the three attacks of the Article
//! 29 Working Party's Opinion 05/2014 (singling out, linkability, inference), as
//! anonymeter (Giomi et al., PoPETs 2023) runs them, so the figures read the same.
//!
//! Each attack is run three times: against the training rows (`ori`), against real
//! rows that were not used for training (`control`, the holdout, when given), and as
//! a naive baseline that guesses at random. The risk is the attack's success on the
//! training rows in excess of its success on the control rows, normalised by what
//! was left to gain: `(attack - control) / (1 - control)`; without a control it is
//! the attack's success rate (an upper bound). Rates are Wilson score estimates with
//! a 95% interval, propagated to the risk as anonymeter does.
//!
//! Where we differ from anonymeter, on purpose: a missing value is at distance 0 from
//! a missing value and 1 from any value (SDMetrics' DCR rule; anonymeter adds 1 for
//! two missing values); a numerical secret is guessed when it is within 5% of the
//! guess's magnitude (anonymeter divides by the signed guess); a datetime secret must
//! be guessed exactly; one sample of target rows serves every secret column. All
//! randomness comes from one seed, so a report can be reproduced.

use std::collections::{BTreeMap, HashMap, HashSet};

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;

use crate::table::{ColType, Column, Table};

/// What the attacks are asked to do.
#[derive(Debug, Clone)]
pub struct AttackOptions {
    /// Attacks per evaluation (anonymeter's `n_attacks`, default 500).
    pub attacks: usize,
    /// Columns combined in a multivariate singling-out query (anonymeter's `n_cols`).
    pub query_columns: usize,
    /// The attacker's two auxiliary datasets for linkability; by default the columns
    /// are split in two halves, in table order.
    pub link_columns: Option<(Vec<String>, Vec<String>)>,
    /// Secret columns for inference [default: every column].
    pub secrets: Vec<String>,
    /// Rows of each table attacked at most; a larger table is sampled (seeded). The
    /// neighbour searches cost attacks x rows x columns.
    pub max_rows: usize,
    pub seed: u64,
}

impl Default for AttackOptions {
    fn default() -> Self {
        AttackOptions {
            attacks: 500,
            query_columns: 3,
            link_columns: None,
            secrets: Vec::new(),
            max_rows: 20_000,
            seed: 0,
        }
    }
}

/// A success rate with its symmetric error at 95% confidence.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Rate {
    pub value: f64,
    pub error: f64,
}

/// A risk in [0, 1] with its confidence interval.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Risk {
    pub value: f64,
    pub ci: (f64, f64),
}

#[derive(Debug, Clone, Serialize)]
pub struct AttackOutcome {
    /// Attacks made on the training rows (fewer than asked when the synthetic data
    /// did not give enough queries or rows).
    pub attacks: usize,
    pub successes: usize,
    pub baseline_successes: usize,
    /// Successes against the control rows, scaled to the training rows' size where
    /// the attack depends on it (singling out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control_successes: Option<f64>,
    pub attack_rate: Rate,
    pub baseline_rate: Rate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control_rate: Option<Rate>,
    pub risk: Risk,
    pub baseline_risk: Risk,
    /// The attack did no better than guessing: its risk tells nothing.
    pub no_better_than_baseline: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Linkability {
    pub columns: (Vec<String>, Vec<String>),
    #[serde(flatten)]
    pub outcome: AttackOutcome,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attacks {
    pub singling_out_univariate: AttackOutcome,
    pub singling_out_multivariate: AttackOutcome,
    pub query_columns: usize,
    pub linkability: Linkability,
    /// Per secret column, the others being the attacker's knowledge.
    pub inference: BTreeMap<String, AttackOutcome>,
    /// Rows attacked (after sampling to `max_rows`); with control rows the risks are
    /// relative to them.
    pub training_rows: usize,
    pub synthetic_rows: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control_rows: Option<usize>,
    pub seed: u64,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct AttackError(pub String);

const MISSING: u32 = u32::MAX;
/// probit(0.975): the two-sided 95% normal quantile.
const Z95: f64 = 1.959_963_984_540_054;

/// One column of a table, encoded for the attacks: numbers (NaN when missing) for
/// numerical and datetime columns, category codes shared by all tables otherwise.
#[derive(Clone)]
enum Values {
    Num(Vec<f64>),
    Cat(Vec<u32>),
}

#[derive(Clone)]
struct Frame {
    cols: Vec<Values>,
    rows: usize,
}

struct Schema {
    names: Vec<String>,
    kinds: Vec<ColType>,
    /// Numerical range over every table, for distances.
    range: Vec<(f64, f64)>,
    /// The code of "true" in boolean columns (for the baseline's identity/not).
    truth: Vec<Option<u32>>,
}

fn encode(names: &[&str], tables: &[&Table]) -> Result<(Schema, Vec<Frame>), AttackError> {
    let mut frames: Vec<Frame> = tables
        .iter()
        .map(|t| Frame {
            cols: Vec::new(),
            rows: t.rows,
        })
        .collect();
    let mut schema = Schema {
        names: names.iter().map(|s| s.to_string()).collect(),
        kinds: Vec::new(),
        range: Vec::new(),
        truth: Vec::new(),
    };
    for name in names {
        let cols: Vec<&Column> = tables
            .iter()
            .map(|t| {
                t.columns
                    .iter()
                    .find(|c| c.name == *name)
                    .ok_or_else(|| AttackError(format!("{}: column {name:?} is missing", t.file)))
            })
            .collect::<Result<_, _>>()?;
        let kind = cols[0].ctype;
        schema.kinds.push(kind);
        if matches!(kind, ColType::Numerical | ColType::Datetime) {
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            for (f, c) in frames.iter_mut().zip(&cols) {
                let v: Vec<f64> = c.num.iter().map(|x| x.unwrap_or(f64::NAN)).collect();
                for x in v.iter().filter(|x| !x.is_nan()) {
                    lo = lo.min(*x);
                    hi = hi.max(*x);
                }
                f.cols.push(Values::Num(v));
            }
            schema.range.push((lo, if hi > lo { hi - lo } else { 1.0 }));
            schema.truth.push(None);
        } else {
            let mut dict: HashMap<String, u32> = HashMap::new();
            for (f, c) in frames.iter_mut().zip(&cols) {
                let v: Vec<u32> = c
                    .raw
                    .iter()
                    .map(|x| match x {
                        None => MISSING,
                        Some(s) => {
                            let s = if kind == ColType::Boolean {
                                s.trim().to_ascii_lowercase()
                            } else {
                                s.clone()
                            };
                            let n = dict.len() as u32;
                            *dict.entry(s).or_insert(n)
                        }
                    })
                    .collect();
                f.cols.push(Values::Cat(v));
            }
            schema.range.push((0.0, 1.0));
            schema.truth.push(dict.get("true").copied());
        }
    }
    Ok((schema, frames))
}

impl Frame {
    /// The frame without repeated rows, first occurrences kept (anonymeter runs
    /// singling out on `unique()` data).
    fn unique(&self) -> Frame {
        let mut seen = HashSet::new();
        let keep: Vec<usize> = (0..self.rows)
            .filter(|&i| seen.insert(self.row_key(i)))
            .collect();
        self.select(&keep)
    }

    fn row_key(&self, i: usize) -> Vec<u64> {
        self.cols
            .iter()
            .map(|c| match c {
                Values::Num(v) if v[i].is_nan() => u64::MAX,
                Values::Num(v) => v[i].to_bits(),
                Values::Cat(v) => v[i] as u64,
            })
            .collect()
    }

    fn select(&self, rows: &[usize]) -> Frame {
        Frame {
            cols: self
                .cols
                .iter()
                .map(|c| match c {
                    Values::Num(v) => Values::Num(rows.iter().map(|&i| v[i]).collect()),
                    Values::Cat(v) => Values::Cat(rows.iter().map(|&i| v[i]).collect()),
                })
                .collect(),
            rows: rows.len(),
        }
    }

    fn is_missing(&self, c: usize, i: usize) -> bool {
        match &self.cols[c] {
            Values::Num(v) => v[i].is_nan(),
            Values::Cat(v) => v[i] == MISSING,
        }
    }
}

// ---- singling out ----

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

/// One condition of a query. Comparisons with a missing value are false, as in
/// polars (anonymeter's engine).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cond {
    Missing { col: usize, negate: bool },
    Num { col: usize, op: Op, value: f64 },
    Cat { col: usize, equal: bool, code: u32 },
}

impl Cond {
    fn holds(&self, f: &Frame, i: usize) -> bool {
        match *self {
            Cond::Missing { col, negate } => f.is_missing(col, i) != negate,
            Cond::Num { col, op, value } => {
                let Values::Num(v) = &f.cols[col] else {
                    return false;
                };
                let x = v[i];
                !x.is_nan()
                    && match op {
                        Op::Eq => x == value,
                        Op::Ne => x != value,
                        Op::Lt => x < value,
                        Op::Gt => x > value,
                        Op::Le => x <= value,
                        Op::Ge => x >= value,
                    }
            }
            Cond::Cat { col, equal, code } => {
                let Values::Cat(v) = &f.cols[col] else {
                    return false;
                };
                v[i] != MISSING && ((v[i] == code) == equal)
            }
        }
    }

    fn key(&self) -> (usize, u8, u64) {
        match *self {
            Cond::Missing { col, negate } => (col, negate as u8, 0),
            Cond::Num { col, op, value } => (col, 2 + op as u8, value.to_bits()),
            Cond::Cat { col, equal, code } => (col, 10 + equal as u8, code as u64),
        }
    }
}

type Query = Vec<Cond>;

/// Whether `q` matches exactly one row of `f`.
fn singles_out(f: &Frame, q: &Query) -> bool {
    let mut n = 0;
    for i in 0..f.rows {
        if q.iter().all(|c| c.holds(f, i)) {
            n += 1;
            if n > 1 {
                return false;
            }
        }
    }
    n == 1
}

/// Keeps the queries that single out a row of `syn`, without repeats, at most `max`.
/// Candidates are tried in order, a chunk at a time, so a large table's thousands of
/// rare values cost only what is needed.
fn keep_singling(syn: &Frame, candidates: Vec<Query>, max: usize, out: &mut Vec<Query>) {
    let mut seen: HashSet<Vec<(usize, u8, u64)>> = out
        .iter()
        .map(|q| q.iter().map(Cond::key).collect())
        .collect();
    let chunk = (2 * max).max(256);
    for part in candidates.chunks(chunk) {
        let hits: Vec<bool> = part.par_iter().map(|q| singles_out(syn, q)).collect();
        for (q, hit) in part.iter().zip(hits) {
            if out.len() >= max {
                return;
            }
            if hit && seen.insert(q.iter().map(Cond::key).collect()) {
                out.push(q.clone());
            }
        }
    }
}

/// anonymeter's univariate queries: a column's only missing value, its minimum and
/// maximum, and its values that occur once.
fn univariate_queries(syn: &Frame, n: usize, rng: &mut ChaCha8Rng) -> Vec<Query> {
    let mut qs: Vec<Query> = Vec::new();
    for (col, values) in syn.cols.iter().enumerate() {
        let missing = (0..syn.rows).filter(|&i| syn.is_missing(col, i)).count();
        if missing == 1 {
            qs.push(vec![Cond::Missing { col, negate: false }]);
        }
        match values {
            Values::Num(v) => {
                let present = v.iter().copied().filter(|x| !x.is_nan());
                let (lo, hi) = present.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| {
                    (l.min(x), h.max(x))
                });
                if lo.is_finite() {
                    qs.push(vec![Cond::Num {
                        col,
                        op: Op::Le,
                        value: lo,
                    }]);
                    qs.push(vec![Cond::Num {
                        col,
                        op: Op::Ge,
                        value: hi,
                    }]);
                }
                let mut count: HashMap<u64, (usize, f64)> = HashMap::new();
                for x in v.iter().filter(|x| !x.is_nan()) {
                    count.entry(x.to_bits()).or_insert((0, *x)).0 += 1;
                }
                let mut rare: Vec<f64> = count
                    .values()
                    .filter(|(n, _)| *n == 1)
                    .map(|(_, x)| *x)
                    .collect();
                rare.sort_by(f64::total_cmp);
                qs.extend(rare.into_iter().map(|value| {
                    vec![Cond::Num {
                        col,
                        op: Op::Eq,
                        value,
                    }]
                }));
            }
            Values::Cat(v) => {
                let mut count: HashMap<u32, usize> = HashMap::new();
                for &x in v.iter().filter(|x| **x != MISSING) {
                    *count.entry(x).or_default() += 1;
                }
                let mut rare: Vec<u32> = count
                    .into_iter()
                    .filter(|(_, n)| *n == 1)
                    .map(|(x, _)| x)
                    .collect();
                rare.sort_unstable();
                qs.extend(rare.into_iter().map(|code| {
                    vec![Cond::Cat {
                        col,
                        equal: true,
                        code,
                    }]
                }));
            }
        }
    }
    qs.shuffle(rng);
    let mut out = Vec::new();
    keep_singling(syn, qs, n, &mut out);
    out
}

fn median(v: &[f64]) -> Option<f64> {
    let p: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    (!p.is_empty()).then(|| crate::quality::mean_median(p))
}

/// anonymeter's multivariate queries: a random synthetic row's values in `k` random
/// columns, numbers as "at least" above the column's median and "at most" below it.
fn multivariate_queries(
    syn: &Frame,
    n: usize,
    k: usize,
    max_attempts: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<Query> {
    let medians: Vec<Option<f64>> = syn
        .cols
        .iter()
        .map(|c| match c {
            Values::Num(v) => median(v),
            Values::Cat(_) => None,
        })
        .collect();
    let k = k.min(syn.cols.len());
    let all: Vec<usize> = (0..syn.cols.len()).collect();
    let mut out = Vec::new();
    let mut attempts = 0;
    while out.len() < n && attempts < max_attempts && syn.rows > 0 {
        let batch = 1000.min(max_attempts - attempts);
        let qs: Vec<Query> = (0..batch)
            .map(|_| {
                let row = rng.gen_range(0..syn.rows);
                let mut cols: Vec<usize> = all.choose_multiple(rng, k).copied().collect();
                cols.sort_unstable();
                cols.into_iter()
                    .map(|col| match &syn.cols[col] {
                        _ if syn.is_missing(col, row) => Cond::Missing { col, negate: false },
                        Values::Num(v) => {
                            let value = v[row];
                            let op = if medians[col].is_some_and(|m| value > m) {
                                Op::Ge
                            } else {
                                Op::Le
                            };
                            Cond::Num { col, op, value }
                        }
                        Values::Cat(v) => Cond::Cat {
                            col,
                            equal: true,
                            code: v[row],
                        },
                    })
                    .collect()
            })
            .collect();
        keep_singling(syn, qs, n, &mut out);
        attempts += batch;
    }
    out
}

/// The naive attacker: random columns, random values seen in the synthetic data, and
/// random operators (anonymeter's `_random_queries`).
fn random_queries(
    syn: &Frame,
    schema: &Schema,
    n: usize,
    k: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<Query> {
    let uniques: Vec<Vec<Option<u64>>> = syn
        .cols
        .iter()
        .map(|c| {
            let mut seen = HashSet::new();
            let mut u: Vec<Option<u64>> = Vec::new();
            for i in 0..syn.rows {
                let v = match c {
                    Values::Num(v) => (!v[i].is_nan()).then(|| v[i].to_bits()),
                    Values::Cat(v) => (v[i] != MISSING).then_some(v[i] as u64),
                };
                if seen.insert(v) {
                    u.push(v);
                }
            }
            u
        })
        .collect();
    let k = k.min(syn.cols.len());
    let all: Vec<usize> = (0..syn.cols.len()).collect();
    (0..n)
        .map(|_| {
            let mut cols: Vec<usize> = all.choose_multiple(rng, k).copied().collect();
            cols.sort_unstable();
            cols.into_iter()
                .filter_map(|col| {
                    let value = *uniques[col].choose(rng)?;
                    let boolean = schema.kinds[col] == ColType::Boolean;
                    Some(match (value, &syn.cols[col]) {
                        // A missing value: "is missing" only for a boolean's
                        // identity, "is present" otherwise, as anonymeter does.
                        (None, _) => Cond::Missing {
                            col,
                            negate: !(boolean && rng.gen_bool(0.5)),
                        },
                        (Some(_), Values::Cat(_)) if boolean => Cond::Cat {
                            col,
                            equal: rng.gen_bool(0.5),
                            code: schema.truth[col].unwrap_or(MISSING - 1),
                        },
                        (Some(bits), Values::Num(_)) => Cond::Num {
                            col,
                            op: [Op::Eq, Op::Ne, Op::Gt, Op::Lt, Op::Ge, Op::Le]
                                [rng.gen_range(0..6)],
                            value: f64::from_bits(bits),
                        },
                        (Some(code), Values::Cat(_)) => Cond::Cat {
                            col,
                            equal: rng.gen_bool(0.5),
                            code: code as u32,
                        },
                    })
                })
                .collect()
        })
        .collect()
}

fn count_singling(f: &Frame, qs: &[Query]) -> usize {
    qs.par_iter().filter(|q| singles_out(f, q)).count()
}

/// Scales the control's successes to the training rows' size as anonymeter 1.1 does.
///
/// anonymeter fits Cohen and Nissim's model `norm * (1 - (n w + 1)(1 - w)^n) / (n + 1)`
/// to "successes" on subsamples of the control and multiplies by model(training) /
/// model(control). Its `_measure_queries_success` counts the queries evaluated, not
/// those that single out, so every subsample reports the number of queries; the fit
/// of a constant lands where `(1 - w)^n` vanishes and the ratio is exactly
/// `(control + 1) / (training + 1)` (0.2001 for 2,000 and 10,000 rows, 0.6001 for
/// 3,000 and 5,000, 0.437 for 65 and 150: measured with its own code). Reproducing
/// the fit would only reproduce that constant, so the ratio is computed directly.
fn control_correction(control_rows: usize, target_rows: usize) -> f64 {
    (control_rows as f64 + 1.0) / (target_rows as f64 + 1.0)
}

// ---- rates and risks (anonymeter's stats.confidence) ----

/// Wilson score estimate of a success rate.
fn success_rate(total: usize, successes: f64) -> Rate {
    if total == 0 {
        return Rate {
            value: 0.0,
            error: 0.0,
        };
    }
    let n = total as f64;
    let z2 = Z95 * Z95;
    let var = successes * (n - successes) / n;
    let denom = n + z2;
    Rate {
        value: (successes + 0.5 * z2) / denom,
        error: (Z95 / denom) * (var.max(0.0) + 0.25 * z2).sqrt(),
    }
}

fn bound(value: f64, error: f64) -> Risk {
    let c = |x: f64| x.clamp(0.0, 1.0);
    Risk {
        value: c(value),
        ci: (c(value - error), c(value + error)),
    }
}

fn outcome(
    attacks: usize,
    successes: usize,
    baseline_attacks: usize,
    baseline: usize,
    control: Option<(usize, f64)>,
) -> AttackOutcome {
    let attack_rate = success_rate(attacks, successes as f64);
    let baseline_rate = success_rate(baseline_attacks, baseline as f64);
    let control_rate = control.map(|(n, s)| success_rate(n, s));
    let risk = match control_rate {
        None => bound(attack_rate.value, attack_rate.error),
        Some(c) if c.value >= 1.0 => bound(0.0, 0.0),
        Some(c) => {
            let residual = (attack_rate.value - c.value) / (1.0 - c.value);
            let d_attack = 1.0 / (1.0 - c.value).abs();
            let d_control = (attack_rate.value - 1.0) / (1.0 - c.value).powi(2);
            let error =
                ((attack_rate.error * d_attack).powi(2) + (c.error * d_control).powi(2)).sqrt();
            bound(residual, error)
        }
    };
    AttackOutcome {
        attacks,
        successes,
        baseline_successes: baseline,
        control_successes: control.map(|(_, s)| s),
        attack_rate,
        baseline_rate,
        control_rate,
        risk,
        baseline_risk: bound(baseline_rate.value, baseline_rate.error),
        no_better_than_baseline: baseline_rate.value >= attack_rate.value,
    }
}

fn singling_out(
    ori: &Frame,
    syn: &Frame,
    control: Option<&Frame>,
    schema: &Schema,
    opts: &AttackOptions,
    multivariate: bool,
    rng: &mut ChaCha8Rng,
) -> AttackOutcome {
    let k = if multivariate { opts.query_columns } else { 1 };
    let queries = if multivariate {
        multivariate_queries(syn, opts.attacks, k, opts.attacks * 100, rng)
    } else {
        univariate_queries(syn, opts.attacks, rng)
    };
    let attacks = queries.len();
    let successes = count_singling(ori, &queries);
    let random = random_queries(syn, schema, attacks, k, rng);
    let baseline = count_singling(ori, &random);
    let control = control.map(|c| {
        let mut s = count_singling(c, &queries) as f64;
        if c.rows != ori.rows {
            s *= control_correction(c.rows, ori.rows);
        }
        (attacks, s)
    });
    outcome(attacks, successes, attacks, baseline, control)
}

// ---- nearest neighbours: linkability and inference ----

/// Per-column Gower distances from one target row to every synthetic row.
fn column_distances(t: &Frame, i: usize, syn: &Frame, schema: &Schema, out: &mut [Vec<f64>]) {
    for (c, col) in syn.cols.iter().enumerate() {
        let d = &mut out[c];
        match (col, &t.cols[c]) {
            (Values::Num(s), Values::Num(tv)) => {
                let x = tv[i];
                let range = schema.range[c].1;
                for (dj, &y) in d.iter_mut().zip(s) {
                    *dj = match (x.is_nan(), y.is_nan()) {
                        (true, true) => 0.0,
                        (false, false) => ((x - y).abs() / range).min(1.0),
                        _ => 1.0,
                    };
                }
            }
            (Values::Cat(s), Values::Cat(tv)) => {
                let x = tv[i];
                for (dj, &y) in d.iter_mut().zip(s) {
                    *dj = (x != y) as u8 as f64;
                }
            }
            _ => unreachable!("frames share one schema"),
        }
    }
}

fn argmin(v: impl Iterator<Item = f64>) -> usize {
    let mut best = (f64::INFINITY, 0);
    for (j, d) in v.enumerate() {
        if d < best.0 {
            best = (d, j);
        }
    }
    best.1
}

/// For each target row: its nearest synthetic row on the first and on the second
/// linkability columns, and on all columns but each secret.
struct Neighbours {
    link: Vec<(usize, usize)>,
    /// `infer[t][s]`: nearest synthetic row to target `t` without secret `s`.
    infer: Vec<Vec<usize>>,
}

fn neighbours(
    targets: &Frame,
    syn: &Frame,
    schema: &Schema,
    link: &(Vec<usize>, Vec<usize>),
    secrets: &[usize],
) -> Neighbours {
    let per: Vec<((usize, usize), Vec<usize>)> = (0..targets.rows)
        .into_par_iter()
        .map_init(
            || vec![vec![0.0; syn.rows]; syn.cols.len()],
            |d, i| {
                column_distances(targets, i, syn, schema, d);
                let sum = |cols: &[usize], j: usize| cols.iter().map(|&c| d[c][j]).sum::<f64>();
                let a = argmin((0..syn.rows).map(|j| sum(&link.0, j)));
                let b = argmin((0..syn.rows).map(|j| sum(&link.1, j)));
                let total: Vec<f64> = (0..syn.rows)
                    .map(|j| d.iter().map(|c| c[j]).sum::<f64>())
                    .collect();
                let inf = secrets
                    .iter()
                    .map(|&s| argmin(total.iter().zip(&d[s]).map(|(t, x)| t - x)))
                    .collect();
                ((a, b), inf)
            },
        )
        .collect();
    let (link, infer) = per.into_iter().unzip();
    Neighbours { link, infer }
}

fn sample_rows(n: usize, k: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    rand::seq::index::sample(rng, n, k.min(n)).into_vec()
}

/// Whether a guessed secret is right: the same category, both missing, or for
/// numbers within 5% of the guess.
fn guessed(schema: &Schema, c: usize, syn: &Frame, j: usize, t: &Frame, i: usize) -> bool {
    match (&syn.cols[c], &t.cols[c]) {
        (Values::Num(s), Values::Num(tv)) => {
            let (g, x) = (s[j], tv[i]);
            match (g.is_nan(), x.is_nan()) {
                (true, true) => true,
                (false, false) if schema.kinds[c] == ColType::Datetime => g == x,
                (false, false) => (g - x).abs() / (g.abs() + 1e-12) <= 0.05,
                _ => false,
            }
        }
        (Values::Cat(s), Values::Cat(tv)) => s[j] == tv[i],
        _ => false,
    }
}

/// Runs the three attacks. `real` is the training data, `control` real rows not
/// used for training; `columns` are those compared (ids left out by the caller).
pub fn attacks(
    real: &Table,
    synth: &Table,
    control: Option<&Table>,
    columns: &[&str],
    opts: &AttackOptions,
) -> Result<Attacks, AttackError> {
    if columns.len() < 2 {
        return Err(AttackError(format!(
            "{}: the privacy attacks need at least two columns",
            real.file
        )));
    }
    if synth.rows == 0 || real.rows == 0 {
        return Err(AttackError(
            "the privacy attacks need rows in both tables".into(),
        ));
    }
    let mut tables = vec![real, synth];
    tables.extend(control);
    let (schema, frames) = encode(columns, &tables)?;
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let frames: Vec<Frame> = frames
        .into_iter()
        .map(|f| {
            if f.rows > opts.max_rows.max(1) {
                let mut keep = sample_rows(f.rows, opts.max_rows.max(1), &mut rng);
                keep.sort_unstable();
                f.select(&keep)
            } else {
                f
            }
        })
        .collect();
    let (ori, syn) = (&frames[0], &frames[1]);
    let ctrl = frames.get(2);
    let index =
        |name: &String, what: &str| -> Result<usize, AttackError> {
            schema.names.iter().position(|n| n == name).ok_or_else(|| {
                AttackError(format!("{what}: no column {name:?} among those compared"))
            })
        };
    let link: (Vec<usize>, Vec<usize>) = match &opts.link_columns {
        Some((a, b)) => {
            if a.is_empty() || b.is_empty() {
                return Err(AttackError(
                    "--link-columns: both sides need a column".into(),
                ));
            }
            (
                a.iter()
                    .map(|n| index(n, "--link-columns"))
                    .collect::<Result<_, _>>()?,
                b.iter()
                    .map(|n| index(n, "--link-columns"))
                    .collect::<Result<_, _>>()?,
            )
        }
        None => {
            let half = columns.len().div_ceil(2);
            ((0..half).collect(), (half..columns.len()).collect())
        }
    };
    let secrets: Vec<usize> = if opts.secrets.is_empty() {
        (0..columns.len()).collect()
    } else {
        opts.secrets
            .iter()
            .map(|n| index(n, "--secret"))
            .collect::<Result<_, _>>()?
    };
    // Singling out runs on distinct rows, as anonymeter's does (`unique()`).
    let (ori_u, syn_u) = (ori.unique(), syn.unique());
    let ctrl_u = ctrl.map(Frame::unique);
    let uni = singling_out(
        &ori_u,
        &syn_u,
        ctrl_u.as_ref(),
        &schema,
        opts,
        false,
        &mut rng,
    );
    let multi = singling_out(
        &ori_u,
        &syn_u,
        ctrl_u.as_ref(),
        &schema,
        opts,
        true,
        &mut rng,
    );

    // Linkability and inference share their target rows and neighbour searches.
    let targets = ori.select(&sample_rows(ori.rows, opts.attacks, &mut rng));
    let near = neighbours(&targets, syn, &schema, &link, &secrets);
    let control_near = ctrl.map(|c| {
        let t = c.select(&sample_rows(c.rows, opts.attacks, &mut rng));
        let n = neighbours(&t, syn, &schema, &link, &secrets);
        (t, n)
    });
    let links = |n: &Neighbours| n.link.iter().filter(|(a, b)| a == b).count();
    let random_links = (0..targets.rows)
        .filter(|_| rng.gen_range(0..syn.rows) == rng.gen_range(0..syn.rows))
        .count();
    let linkability = Linkability {
        columns: (
            link.0.iter().map(|&c| schema.names[c].clone()).collect(),
            link.1.iter().map(|&c| schema.names[c].clone()).collect(),
        ),
        outcome: outcome(
            targets.rows,
            links(&near),
            targets.rows,
            random_links,
            control_near
                .as_ref()
                .map(|(t, n)| (t.rows, links(n) as f64)),
        ),
    };
    let mut inference = BTreeMap::new();
    for (k, &s) in secrets.iter().enumerate() {
        let hits = |t: &Frame, n: &Neighbours| {
            (0..t.rows)
                .filter(|&i| guessed(&schema, s, syn, n.infer[i][k], t, i))
                .count()
        };
        let guesses = sample_rows(syn.rows, targets.rows, &mut rng);
        let baseline = guesses
            .iter()
            .enumerate()
            .filter(|&(i, &j)| guessed(&schema, s, syn, j, &targets, i))
            .count();
        inference.insert(
            schema.names[s].clone(),
            outcome(
                targets.rows,
                hits(&targets, &near),
                guesses.len(),
                baseline,
                control_near
                    .as_ref()
                    .map(|(t, n)| (t.rows, hits(t, n) as f64)),
            ),
        );
    }
    Ok(Attacks {
        singling_out_univariate: uni,
        singling_out_multivariate: multi,
        query_columns: opts.query_columns,
        linkability,
        inference,
        training_rows: ori.rows,
        synthetic_rows: syn.rows,
        control_rows: ctrl.map(|c| c.rows),
        seed: opts.seed,
    })
}
