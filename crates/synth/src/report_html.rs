//! The quality report as one self-contained HTML page: tables of the scores, a
//! histogram per column (real against synthetic) and a heat map of the pair scores,
//! as inline SVG. No script, no network: it opens from a file and prints.

use std::fmt::Write as _;

use crate::quality::QualityReport;
use crate::table::{ColType, Column, Table};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Shares of each bin (continuous) or category (others) in real and synthetic data.
fn bins(real: &Column, synth: &Column) -> Vec<(String, f64, f64)> {
    let continuous = matches!(real.ctype, ColType::Numerical | ColType::Datetime);
    let mut out: Vec<(String, f64, f64)> = Vec::new();
    if continuous {
        let r: Vec<f64> = real.num.iter().flatten().copied().collect();
        let s: Vec<f64> = synth.num.iter().flatten().copied().collect();
        let (lo, hi) = r
            .iter()
            .chain(&s)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                (l.min(v), h.max(v))
            });
        if !lo.is_finite() {
            return out;
        }
        let width = if hi > lo { (hi - lo) / 20.0 } else { 1.0 };
        let count = |v: &[f64], i: usize| {
            v.iter()
                .filter(|&&x| (((x - lo) / width).floor() as usize).min(19) == i)
                .count() as f64
                / v.len().max(1) as f64
        };
        for i in 0..20 {
            let label = if real.ctype == ColType::Datetime {
                format!("bin {}", i + 1)
            } else {
                format!("{:.4}", lo + width * i as f64)
            };
            out.push((label, count(&r, i), count(&s, i)));
        }
    } else {
        let mut cats: Vec<String> = real
            .raw
            .iter()
            .chain(&synth.raw)
            .map(|v| v.clone().unwrap_or_else(|| "(empty)".into()))
            .collect();
        cats.sort();
        cats.dedup();
        cats.truncate(30);
        let share = |c: &Column, k: &str| {
            c.raw
                .iter()
                .filter(|v| v.as_deref().unwrap_or("(empty)") == k)
                .count() as f64
                / c.raw.len().max(1) as f64
        };
        for k in cats {
            out.push((k.clone(), share(real, &k), share(synth, &k)));
        }
    }
    out
}

fn histogram(name: &str, data: &[(String, f64, f64)]) -> String {
    let (w, h, pad) = (480.0, 160.0, 20.0);
    let max = data
        .iter()
        .map(|d| d.1.max(d.2))
        .fold(0.0, f64::max)
        .max(1e-9);
    let n = data.len().max(1) as f64;
    let bw = (w - 2.0 * pad) / n;
    let mut svg = format!(
        "<svg role=\"img\" aria-labelledby=\"h-{id}\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"h-{id}\">Distribution of {name}: real (dark) and synthetic (light)</title>",
        id = esc(name),
        name = esc(name)
    );
    for (i, (label, r, s)) in data.iter().enumerate() {
        let x = pad + bw * i as f64;
        let rh = (h - 2.0 * pad) * r / max;
        let sh = (h - 2.0 * pad) * s / max;
        let _ = write!(
            svg,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#1f4e79\"><title>{} real {:.3}</title></rect>\
             <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#8fbce6\"><title>{} synthetic {:.3}</title></rect>",
            x,
            h - pad - rh,
            bw / 2.0 - 1.0,
            rh,
            esc(label),
            r,
            x + bw / 2.0,
            h - pad - sh,
            bw / 2.0 - 1.0,
            sh,
            esc(label),
            s
        );
    }
    svg.push_str("</svg>");
    svg
}

fn heatmap(report: &QualityReport) -> String {
    let names: Vec<&String> = report.columns.keys().collect();
    let n = names.len();
    let cell = 18.0;
    let left = 150.0;
    let size = left + cell * n as f64 + 10.0;
    let mut svg = format!(
        "<svg role=\"img\" aria-labelledby=\"hm\" width=\"{size}\" height=\"{size}\" viewBox=\"0 0 {size} {size}\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"hm\">Column pair trend scores; darker is closer to the real data</title>"
    );
    for (i, a) in names.iter().enumerate() {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            left - 4.0,
            left + cell * i as f64 + 13.0,
            esc(a)
        );
        for (j, b) in names.iter().enumerate() {
            let score = if i == j {
                1.0
            } else {
                report
                    .pairs
                    .iter()
                    .find(|p| {
                        (&p.column_1 == *a && &p.column_2 == *b)
                            || (&p.column_1 == *b && &p.column_2 == *a)
                    })
                    .map_or(0.0, |p| p.score)
            };
            let shade = (255.0 - 200.0 * score) as u8;
            let _ = write!(
                svg,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{cell}\" height=\"{cell}\" fill=\"rgb({shade},{shade},255)\"><title>{} / {}: {:.3}</title></rect>",
                left + cell * j as f64,
                left + cell * i as f64,
                esc(a),
                esc(b),
                score
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The page.
pub fn render(report: &QualityReport, real: &Table, synth: &Table) -> String {
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>synthgov quality report</title>\
         <style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;color:#111}table{border-collapse:collapse}\
         td,th{border:1px solid #999;padding:.25rem .5rem;text-align:left}figure{margin:1rem 0}\
         @media print{figure{break-inside:avoid}}</style></head><body><main>",
    );
    let _ = write!(
        html,
        "<h1>Synthetic data quality</h1><p>Real: <code>{}</code> ({} rows). Synthetic: <code>{}</code> ({} rows).</p>\
         <table><caption>Scores (SDMetrics QualityReport definitions)</caption><tr><th scope=\"row\">Overall</th><td>{:.4}</td></tr>\
         <tr><th scope=\"row\">Column Shapes</th><td>{:.4}</td></tr><tr><th scope=\"row\">Column Pair Trends</th><td>{:.4}</td></tr>\
         <tr><th scope=\"row\">Exact-match rate</th><td>{:.4}</td></tr><tr><th scope=\"row\">DCR median</th><td>{:.4}</td></tr>\
         <tr><th scope=\"row\">Closer than real rows are to each other</th><td>{:.4}</td></tr>\
         <tr><th scope=\"row\">Largest bias gap</th><td>{:.4}</td></tr></table>",
        esc(&real.file),
        real.rows,
        esc(&synth.file),
        synth.rows,
        report.score,
        report.column_shapes,
        report.column_pair_trends,
        report.privacy.exact_match_rate,
        report.privacy.dcr_median,
        report.privacy.dcr_share,
        report.bias.largest_gap.unwrap_or(f64::NAN)
    );
    html.push_str("<h2>Columns</h2><p>Each chart shows the share of rows per bin or category: real data in dark blue, synthetic in light blue.</p>");
    for (name, score) in &report.columns {
        let (Some(r), Some(s)) = (
            real.columns.iter().find(|c| &c.name == name),
            synth.columns.iter().find(|c| &c.name == name),
        ) else {
            continue;
        };
        let _ = write!(
            html,
            "<figure>{}<figcaption><strong>{}</strong>: {} {:.4}</figcaption></figure>",
            histogram(name, &bins(r, s)),
            esc(name),
            score.metric,
            score.score
        );
    }
    if !report.columns_not_scored.is_empty() {
        let names: Vec<String> = report.columns_not_scored.iter().map(|n| esc(n)).collect();
        let _ = write!(
            html,
            "<p>Not scored (empty in the real or the synthetic table): {}</p>",
            names.join(", ")
        );
    }
    let _ = write!(
        html,
        "<h2>Column pairs</h2><figure>{}<figcaption>Pair trend scores</figcaption></figure>",
        heatmap(report)
    );
    html.push_str("</main></body></html>\n");
    html
}
