//! The data-flow diagram as SVG, laid out in columns (pure Rust, deterministic):
//! real sources | generators | synthetic datasets | systems | surfaces. A dashed line
//! marks the separation between real and synthetic data; a dataset that sits in
//! production, or a system fed by both real sources and synthetic datasets, is drawn
//! as a separation point (red, with the reason in its label). The same graph is
//! also written as Graphviz DOT, and laid out by `dot` when it is installed.

use std::collections::BTreeMap;
use std::fmt::Write;

use synthgov_registry::model::{Environment, Inventory};

const COL_W: i64 = 230;
const BOX_W: i64 = 190;
const BOX_H: i64 = 40;
const ROW_H: i64 = 58;
const TOP: i64 = 90;
const LEFT: i64 = 30;

fn esc(s: &str) -> String {
    html_escape::encode_safe(s).into_owned()
}

struct Node {
    col: i64,
    row: i64,
    label: String,
    note: Option<String>,
    alert: bool,
}

fn surface_name(s: &impl serde::Serialize) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// The diagram's boxes (by key), arrows, and how many boxes each column holds.
struct Graph {
    nodes: BTreeMap<String, Node>,
    edges: Vec<(String, String)>,
    rows: [i64; 5],
}

/// `training`: (system, dataset, version) as the registry records it.
fn graph(inv: &Inventory, training: &[(String, String, Option<u64>)]) -> Graph {
    let mut nodes: BTreeMap<String, Node> = BTreeMap::new();
    let mut rows = [0i64; 5];
    let mut add = |nodes: &mut BTreeMap<String, Node>, key: String, col: usize, label: String| {
        nodes.entry(key).or_insert_with(|| {
            let row = rows[col];
            rows[col] += 1;
            Node {
                col: col as i64,
                row,
                label,
                note: None,
                alert: false,
            }
        });
    };
    let mut edges: Vec<(String, String)> = Vec::new();
    for s in &inv.sources {
        add(&mut nodes, format!("source:{}", s.id), 0, s.id.clone());
    }
    for g in &inv.generators {
        add(
            &mut nodes,
            format!("generator:{}", g.id),
            1,
            format!("{} {}", g.id, g.version),
        );
        for s in &g.trained_on {
            edges.push((format!("source:{s}"), format!("generator:{}", g.id)));
        }
    }
    for d in &inv.datasets {
        let key = format!("dataset:{}", d.id);
        add(&mut nodes, key.clone(), 2, d.id.clone());
        edges.push((format!("generator:{}", d.generator), key.clone()));
        if d.environment == Environment::Production
            && let Some(n) = nodes.get_mut(&key)
        {
            n.alert = true;
            n.note = Some("synthetic data in production".into());
        }
        for s in &d.surfaces {
            let name = surface_name(s);
            add(&mut nodes, format!("surface:{name}"), 4, name.clone());
            edges.push((key.clone(), format!("surface:{name}")));
        }
    }
    for sys in &inv.systems {
        let key = format!("system:{}", sys.id);
        add(
            &mut nodes,
            key.clone(),
            3,
            format!("{} ({})", sys.id, sys.use_case),
        );
        let mut real = false;
        let mut synthetic = false;
        for t in &sys.trained_on {
            if inv.sources.iter().any(|s| &s.id == t) {
                edges.push((format!("source:{t}"), key.clone()));
                real = true;
            }
        }
        for (_, d, _) in training.iter().filter(|(s, _, _)| *s == sys.id) {
            edges.push((format!("dataset:{d}"), key.clone()));
            synthetic = true;
        }
        for g in &sys.generators {
            edges.push((format!("generator:{g}"), key.clone()));
        }
        for s in &sys.surfaces {
            let name = surface_name(s);
            add(&mut nodes, format!("surface:{name}"), 4, name.clone());
            edges.push((key.clone(), format!("surface:{name}")));
        }
        if real
            && synthetic
            && let Some(n) = nodes.get_mut(&key)
        {
            n.alert = true;
            n.note = Some("real and synthetic data meet".into());
        }
    }
    edges.sort();
    edges.dedup();
    Graph { nodes, edges, rows }
}

/// The data-flow diagram as SVG, laid out here.
pub fn data_flow(inv: &Inventory, training: &[(String, String, Option<u64>)]) -> String {
    let Graph { nodes, edges, rows } = graph(inv, training);

    let max_rows = rows.iter().copied().max().unwrap_or(0).max(1);
    let width = LEFT * 2 + COL_W * 4 + BOX_W;
    let height = TOP + max_rows * ROW_H + 60;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="t d" font-family="system-ui, sans-serif" font-size="12">
<title id="t">Data flow: real sources, generators, synthetic datasets, systems and surfaces</title>
<desc id="d">{} sources, {} generators, {} datasets, {} systems. The dashed line separates real data (left) from synthetic data (right); red boxes are separation points where synthetic and real data meet.</desc>
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>
<rect width="100%" height="100%" fill="#fff"/>
"##,
        inv.sources.len(),
        inv.generators.len(),
        inv.datasets.len(),
        inv.systems.len()
    );
    let heads = [
        "Real data sources",
        "Generators",
        "Synthetic datasets",
        "Systems",
        "Surfaces",
    ];
    for (i, h) in heads.iter().enumerate() {
        let x = LEFT + i as i64 * COL_W;
        let _ = writeln!(
            svg,
            r##"<text x="{}" y="40" font-weight="bold" font-size="14" fill="#222">{h}</text>"##,
            x
        );
    }
    // The separation line between real and synthetic data.
    let sep_x = LEFT + BOX_W + (COL_W - BOX_W) / 2;
    let _ = writeln!(
        svg,
        r##"<line x1="{sep_x}" y1="55" x2="{sep_x}" y2="{}" stroke="#b00020" stroke-width="2" stroke-dasharray="8 5"/>
<text x="{}" y="70" fill="#b00020" font-size="11">separation: real | synthetic</text>"##,
        height - 20,
        sep_x + 6
    );
    let center = |n: &Node| (LEFT + n.col * COL_W, TOP + n.row * ROW_H);
    for (from, to) in &edges {
        let (Some(a), Some(b)) = (nodes.get(from), nodes.get(to)) else {
            continue;
        };
        let (ax, ay) = center(a);
        let (bx, by) = center(b);
        let (x1, y1) = (ax + BOX_W, ay + BOX_H / 2);
        let (x2, y2) = (bx, by + BOX_H / 2);
        let mid = (x1 + x2) / 2;
        let _ = writeln!(
            svg,
            r##"<path d="M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}" fill="none" stroke="#555" stroke-width="1.3" marker-end="url(#arrow)"/>"##
        );
    }
    for n in nodes.values() {
        let (x, y) = center(n);
        let (fill, stroke) = match (n.alert, n.col) {
            (true, _) => ("#fde7ea", "#b00020"),
            (_, 0) => ("#e8f0fe", "#1a56b0"),
            (_, 4) => ("#f1f3f4", "#5f6368"),
            _ => ("#e6f4ea", "#137333"),
        };
        let label: String = n.label.chars().take(30).collect();
        let _ = writeln!(
            svg,
            r##"<g><rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/><text x="{}" y="{}" fill="#111">{}</text>{}</g>"##,
            x + 8,
            y + if n.note.is_some() { 16 } else { 24 },
            esc(&label),
            n.note
                .as_ref()
                .map(|t| format!(
                    r##"<text x="{}" y="{}" fill="#b00020" font-size="10">{}</text>"##,
                    x + 8,
                    y + 31,
                    esc(t)
                ))
                .unwrap_or_default()
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// The same graph as Graphviz DOT, for an auditor who wants to lay it out again
/// (`dot -Tsvg data-flow.dot`): one cluster per column, separation points in red.
pub fn data_flow_dot(inv: &Inventory, training: &[(String, String, Option<u64>)]) -> String {
    let Graph { nodes, edges, .. } = graph(inv, training);
    let q = |s: &str| {
        let e = s
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n");
        format!("\"{e}\"")
    };
    let mut out = String::from(
        "digraph data_flow {\n  rankdir=LR;\n  node [shape=box, fontname=\"sans-serif\", fontsize=10];\n",
    );
    const COLUMNS: [&str; 5] = [
        "real sources",
        "generators",
        "synthetic datasets",
        "AI systems",
        "surfaces",
    ];
    for (col, title) in COLUMNS.iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_{col} {{\n    label={};", q(title));
        for (key, n) in nodes.iter().filter(|(_, n)| n.col == col as i64) {
            let label = match &n.note {
                Some(note) => format!("{}\n{note}", n.label),
                None => n.label.clone(),
            };
            let color = if n.alert {
                ", color=red, fontcolor=red"
            } else {
                ""
            };
            let _ = writeln!(out, "    {} [label={}{color}];", q(key), q(&label));
        }
        out.push_str("  }\n");
    }
    for (from, to) in &edges {
        if nodes.contains_key(from) && nodes.contains_key(to) {
            let _ = writeln!(out, "  {} -> {};", q(from), q(to));
        }
    }
    out.push_str("}\n");
    out
}

/// `dot -Tsvg` of DOT text, when Graphviz (Debian's `graphviz`) is on PATH; None
/// otherwise or when it fails, and the pack keeps only its own layout.
pub fn graphviz_svg(dot_text: &str) -> Option<Vec<u8>> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    // dot reads all of its input before it writes, so this cannot deadlock.
    child.stdin.take()?.write_all(dot_text.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    (out.status.success() && !out.stdout.is_empty()).then_some(out.stdout)
}
