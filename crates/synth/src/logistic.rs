//! A small L2-regularised logistic regression, fitted by Newton's method (IRLS): the
//! model whose predictions the equalized-odds check compares when trained on real
//! and on synthetic rows. It is deliberately plain (like scikit-learn's default
//! `LogisticRegression`), so that a difference in fairness comes from the data, not
//! from the model.

use std::collections::HashMap;

use nalgebra::{DMatrix, DVector};

use crate::table::{ColType, Column};

/// How columns become features: numbers standardised by the training rows (a
/// missing number is the mean, with an indicator), categories one-hot for the most
/// frequent [`MAX_LEVELS`] values.
pub struct Features {
    specs: Vec<Spec>,
    pub width: usize,
}

enum Spec {
    Num { mean: f64, sd: f64, indicator: bool },
    Cat { levels: HashMap<String, usize> },
}

pub const MAX_LEVELS: usize = 12;

fn key(c: &Column, i: usize) -> Option<String> {
    c.raw[i].as_ref().map(|v| match c.ctype {
        ColType::Boolean => v.trim().to_ascii_lowercase(),
        _ => v.clone(),
    })
}

impl Features {
    /// Learns the encoding from `cols` (the training table's columns).
    pub fn fit(cols: &[&Column]) -> Features {
        let mut width = 1; // intercept
        let specs = cols
            .iter()
            .map(|c| {
                if matches!(c.ctype, ColType::Numerical | ColType::Datetime) {
                    let p: Vec<f64> = c.num.iter().flatten().copied().collect();
                    let n = p.len().max(1) as f64;
                    let mean = p.iter().sum::<f64>() / n;
                    let sd = (p.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
                    let indicator = p.len() < c.num.len();
                    width += 1 + indicator as usize;
                    Spec::Num {
                        mean,
                        sd: if sd > 0.0 { sd } else { 1.0 },
                        indicator,
                    }
                } else {
                    let mut count: HashMap<String, usize> = HashMap::new();
                    for i in 0..c.raw.len() {
                        if let Some(k) = key(c, i) {
                            *count.entry(k).or_default() += 1;
                        }
                    }
                    let mut by: Vec<(String, usize)> = count.into_iter().collect();
                    by.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                    // One level is the reference (all zeros), as with drop="first".
                    let levels: HashMap<String, usize> = by
                        .into_iter()
                        .skip(1)
                        .take(MAX_LEVELS)
                        .enumerate()
                        .map(|(j, (k, _))| (k, j))
                        .collect();
                    width += levels.len();
                    Spec::Cat { levels }
                }
            })
            .collect();
        Features { specs, width }
    }

    /// The design matrix of `cols` (same order as at fit), one row per table row.
    pub fn matrix(&self, cols: &[&Column], rows: usize) -> DMatrix<f64> {
        let mut x = DMatrix::zeros(rows, self.width);
        for i in 0..rows {
            x[(i, 0)] = 1.0;
        }
        let mut at = 1;
        for (spec, c) in self.specs.iter().zip(cols) {
            match spec {
                Spec::Num {
                    mean,
                    sd,
                    indicator,
                } => {
                    for i in 0..rows {
                        match c.num.get(i).copied().flatten() {
                            Some(v) => x[(i, at)] = (v - mean) / sd,
                            None if *indicator => x[(i, at + 1)] = 1.0,
                            None => {}
                        }
                    }
                    at += 1 + *indicator as usize;
                }
                Spec::Cat { levels } => {
                    for i in 0..rows {
                        if let Some(j) = key(c, i).and_then(|k| levels.get(&k)) {
                            x[(i, at + j)] = 1.0;
                        }
                    }
                    at += levels.len();
                }
            }
        }
        x
    }
}

/// Coefficients fitted to `x` and 0/1 labels `y`; `l2` is the ridge penalty
/// (scikit-learn's default C = 1 is `l2 = 1`), not applied to the intercept.
pub fn fit(x: &DMatrix<f64>, y: &[f64], l2: f64) -> DVector<f64> {
    let p = x.ncols();
    let mut beta = DVector::zeros(p);
    let yv = DVector::from_column_slice(y);
    for _ in 0..50 {
        let eta = x * &beta;
        let mu = eta.map(|e| 1.0 / (1.0 + (-e).exp()));
        let w = mu.map(|m| (m * (1.0 - m)).max(1e-9));
        let mut grad = x.transpose() * (&yv - &mu);
        let mut xw = x.clone();
        for (i, mut row) in xw.row_iter_mut().enumerate() {
            row *= w[i];
        }
        let mut h = x.transpose() * xw;
        for j in 1..p {
            h[(j, j)] += l2;
            grad[j] -= l2 * beta[j];
        }
        let Some(step) = h.lu().solve(&grad) else {
            break;
        };
        beta += &step;
        if step.amax() < 1e-8 {
            break;
        }
    }
    beta
}

/// Predicted classes (probability ≥ 0.5).
pub fn predict(x: &DMatrix<f64>, beta: &DVector<f64>) -> Vec<bool> {
    (x * beta).iter().map(|e| *e >= 0.0).collect()
}
