//! The provenance graph: source -> generator -> dataset -> dataset version -> system,
//! and generator -> asset. `synthgov lineage ID` shows everything upstream and
//! downstream of one node, as JSON, Graphviz dot, Mermaid, or OpenLineage RunEvents
//! (one per generator: a run of that job reading its sources and writing its
//! datasets; schema `shared/testdata/openlineage/OpenLineage.json`, `$defs/RunEvent`).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::apply::current;
use crate::error::RegistryError;
use crate::registry::{AssetRow, Registry};

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Node {
    pub id: String,
    pub kind: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub relation: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Graph {
    pub root: String,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// The whole graph of the registry.
pub fn full_graph(reg: &Registry) -> Result<Graph, RegistryError> {
    let inv = current(reg)?;
    let mut nodes = BTreeMap::new();
    let mut edges = BTreeSet::new();
    let mut node = |kind: &str, id: &str, label: String| {
        let key = format!("{kind}:{id}");
        nodes.entry(key.clone()).or_insert(Node {
            id: key.clone(),
            kind: kind.into(),
            label,
        });
        key
    };
    let mut edge = |from: &str, to: &str, rel: &str| {
        edges.insert(Edge {
            from: from.into(),
            to: to.into(),
            relation: rel.into(),
        });
    };
    for s in &inv.sources {
        node("source", &s.id, s.id.clone());
    }
    for v in &inv.vendors {
        node("vendor", &v.id, v.id.clone());
    }
    for g in &inv.generators {
        let gid = node("generator", &g.id, format!("{} {}", g.id, g.version));
        for s in &g.trained_on {
            edge(&format!("source:{s}"), &gid, "trains");
        }
        if let Some(v) = &g.vendor {
            edge(&format!("vendor:{v}"), &gid, "supplies");
        }
    }
    for d in &inv.datasets {
        let did = node("dataset", &d.id, d.id.clone());
        edge(&format!("generator:{}", d.generator), &did, "generates");
    }
    for v in reg.dataset_versions()? {
        let vid = node(
            "dataset_version",
            &format!("{}@{}", v.dataset, v.version),
            format!("{} v{} ({})", v.dataset, v.version, &v.content_sha256[..12]),
        );
        edge(&format!("dataset:{}", v.dataset), &vid, "version");
    }
    for s in &inv.systems {
        let sid = node("system", &s.id, format!("{} ({})", s.id, s.use_case));
        for g in &s.generators {
            edge(&format!("generator:{g}"), &sid, "publishes");
        }
        for t in &s.trained_on {
            if inv.sources.iter().any(|x| &x.id == t) {
                edge(&format!("source:{t}"), &sid, "trains");
            }
        }
    }
    for (system, dataset, version) in reg.training()? {
        let from = match version {
            Some(v) => format!("dataset_version:{dataset}@{v}"),
            None => format!("dataset:{dataset}"),
        };
        edge(&from, &format!("system:{system}"), "trains");
    }
    for a in reg.assets()? {
        let key = a.sha256.clone().unwrap_or_else(|| a.uri.clone());
        let aid = node("asset", &key, format!("{} {}", a.kind, short(&a.uri)));
        if let Some(g) = &a.generator {
            edge(&format!("generator:{g}"), &aid, "generated");
        }
        if let Some(d) = &a.dataset {
            edge(&format!("dataset:{d}"), &aid, "contains");
        }
        // A marked copy (`disclose image`) derives from the registered original.
        if let Some(orig) = a.attrs["derived_from"]["sha256"].as_str() {
            edge(&format!("asset:{orig}"), &aid, "marked_as");
        }
    }
    Ok(Graph {
        root: String::new(),
        nodes: nodes.into_values().collect(),
        edges: edges.into_iter().collect(),
    })
}

fn short(uri: &str) -> String {
    uri.rsplit('/')
        .next()
        .unwrap_or(uri)
        .chars()
        .take(40)
        .collect()
}

/// Resolves a user's id to a node: `kind:id`, a bare id (unique across kinds),
/// `dataset@version`, or an asset's SHA-256.
pub fn resolve(graph: &Graph, id: &str) -> Result<String, RegistryError> {
    if graph.nodes.iter().any(|n| n.id == id) {
        return Ok(id.to_owned());
    }
    let candidates: Vec<&Node> = graph
        .nodes
        .iter()
        .filter(|n| n.id.split_once(':').is_some_and(|(_, rest)| rest == id))
        .collect();
    match candidates.as_slice() {
        [one] => Ok(one.id.clone()),
        [] => Err(RegistryError::NotFound(format!(
            "{id:?} is no source, generator, dataset, dataset version, system, vendor or asset hash in the inventory"
        ))),
        many => Err(RegistryError::BadRequest(format!(
            "{id:?} is ambiguous: {}; name one of them",
            many.iter()
                .map(|n| n.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The part of `graph` upstream and downstream of `root`.
pub fn around(graph: &Graph, root: &str) -> Graph {
    let mut keep: BTreeSet<&str> = BTreeSet::from([root]);
    for forward in [true, false] {
        let mut queue = VecDeque::from([root]);
        while let Some(n) = queue.pop_front() {
            for e in &graph.edges {
                let (a, b) = if forward {
                    (&e.from, &e.to)
                } else {
                    (&e.to, &e.from)
                };
                if a == n && keep.insert(b) {
                    queue.push_back(b);
                }
            }
        }
    }
    Graph {
        root: root.to_owned(),
        nodes: graph
            .nodes
            .iter()
            .filter(|n| keep.contains(n.id.as_str()))
            .cloned()
            .collect(),
        edges: graph
            .edges
            .iter()
            .filter(|e| keep.contains(e.from.as_str()) && keep.contains(e.to.as_str()))
            .cloned()
            .collect(),
    }
}

fn quote_dot(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Graphviz dot.
pub fn to_dot(g: &Graph) -> String {
    let mut out =
        String::from("digraph lineage {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    for n in &g.nodes {
        let shape = match n.kind.as_str() {
            "source" => "cylinder",
            "generator" => "box",
            "dataset" | "dataset_version" => "folder",
            "system" => "component",
            "asset" => "note",
            _ => "ellipse",
        };
        let extra = if n.id == g.root { ", penwidth=2" } else { "" };
        out.push_str(&format!(
            "  {} [label={}, shape={shape}{extra}];\n",
            quote_dot(&n.id),
            quote_dot(&format!("{}\\n{}", n.kind, n.label))
        ));
    }
    for e in &g.edges {
        out.push_str(&format!(
            "  {} -> {} [label={}];\n",
            quote_dot(&e.from),
            quote_dot(&e.to),
            quote_dot(&e.relation)
        ));
    }
    out.push_str("}\n");
    out
}

/// Mermaid flowchart.
pub fn to_mermaid(g: &Graph) -> String {
    let ids: BTreeMap<&str, String> = g
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), format!("n{i}")))
        .collect();
    let esc = |s: &str| s.replace('"', "#quot;");
    let mut out = String::from("flowchart LR\n");
    for n in &g.nodes {
        out.push_str(&format!(
            "  {}[\"{}: {}\"]\n",
            ids[n.id.as_str()],
            n.kind,
            esc(&n.label)
        ));
    }
    for e in &g.edges {
        if let (Some(a), Some(b)) = (ids.get(e.from.as_str()), ids.get(e.to.as_str())) {
            out.push_str(&format!("  {a} -->|{}| {b}\n", e.relation));
        }
    }
    out
}

/// A deterministic UUID (version 8 layout) from a name.
fn uuid_from(name: &str) -> String {
    name_uuid(name, 8)
}

/// A name-based UUID from SHA-256 (RFC 9562 layout; `version` 5 for schemas that
/// only accept 4 or 5, such as OSCAL's, 8 for "custom"): the same name, the same id.
pub fn name_uuid(name: &str, version: u8) -> String {
    let h = Sha256::digest(name.as_bytes());
    let mut b: [u8; 16] = h[..16].try_into().expect("16 bytes");
    b[6] = (b[6] & 0x0f) | (version << 4);
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..]
    )
}

/// The OpenLineage namespace of a store's jobs and datasets: the same in
/// `synthgov lineage --format openlineage` and the audit pack.
pub fn namespace(reg: &Registry) -> String {
    format!("synthgov://{}", reg.ledger().identity().origin)
}

const OL_SCHEMA: &str = "https://openlineage.io/spec/2-0-2/OpenLineage.json";
const OL_PRODUCER: &str = "https://synthgov.dev/synthgov";

/// OpenLineage 2-0-2 events for the generators of `g`: a `RunEvent` per generation
/// run (one dataset version: its `runId` named from namespace, dataset and version,
/// its `eventTime` the ledger entry's, the output's `version` facet the dataset
/// version), and a `JobEvent` (static lineage, no run) for a generator that has not
/// run yet, timed by its declaration entry.
pub fn to_openlineage(
    reg: &Registry,
    g: &Graph,
    namespace: &str,
) -> Result<Vec<Value>, RegistryError> {
    let name_of = |id: &str| id.split_once(':').map_or(id, |(_, n)| n).to_owned();
    let time_of = |index: u64| -> Result<String, RegistryError> {
        let e = reg.ledger().entry(index)?;
        let v: Value = serde_json::from_slice(&e.leaf).unwrap_or_default();
        Ok(v["time"].as_str().unwrap_or_default().to_owned())
    };
    let inputs_of = |gen_id: &str| -> Vec<Value> {
        g.edges
            .iter()
            .filter(|e| e.to == gen_id && e.from.starts_with("source:"))
            .map(|e| json!({"namespace": namespace, "name": name_of(&e.from)}))
            .collect()
    };
    let generator_of = |dataset_node: &str| -> Option<String> {
        g.edges
            .iter()
            .find(|e| e.to == dataset_node && e.relation == "generates")
            .map(|e| e.from.clone())
    };
    let in_graph: BTreeSet<&str> = g.nodes.iter().map(|n| n.id.as_str()).collect();
    let mut out = Vec::new();
    let mut ran: BTreeSet<String> = BTreeSet::new();
    for v in reg.dataset_versions()? {
        // The runs that made a dataset of the graph, or one of its versions.
        let vid = format!("dataset_version:{}@{}", v.dataset, v.version);
        let did = format!("dataset:{}", v.dataset);
        if !in_graph.contains(vid.as_str()) && !in_graph.contains(did.as_str()) {
            continue;
        }
        let Some(gen_id) = generator_of(&format!("dataset:{}", v.dataset)) else {
            continue;
        };
        ran.insert(gen_id.clone());
        out.push(json!({
            "eventTime": time_of(v.ledger_index)?,
            "eventType": "COMPLETE",
            "producer": OL_PRODUCER,
            "schemaURL": format!("{OL_SCHEMA}#/$defs/RunEvent"),
            "run": {"runId": uuid_from(&format!("{namespace}/{}@{}", v.dataset, v.version))},
            "job": {"namespace": namespace, "name": name_of(&gen_id)},
            "inputs": inputs_of(&gen_id),
            "outputs": [{
                "namespace": namespace,
                "name": v.dataset,
                "facets": {"version": {
                    "_producer": OL_PRODUCER,
                    "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet",
                    "datasetVersion": v.version.to_string(),
                }},
            }],
        }));
    }
    let declared: BTreeMap<String, u64> = reg
        .objects_indexed("generator")?
        .into_iter()
        .map(|(id, _, i)| (format!("generator:{id}"), i))
        .collect();
    for gnode in g.nodes.iter().filter(|n| n.kind == "generator") {
        if ran.contains(&gnode.id) {
            continue;
        }
        let outputs: Vec<Value> = g
            .edges
            .iter()
            .filter(|e| e.from == gnode.id && e.relation == "generates")
            .map(|e| json!({"namespace": namespace, "name": name_of(&e.to)}))
            .collect();
        let time = match declared.get(&gnode.id) {
            Some(i) => time_of(*i)?,
            None => continue,
        };
        out.push(json!({
            "eventTime": time,
            "producer": OL_PRODUCER,
            "schemaURL": format!("{OL_SCHEMA}#/$defs/JobEvent"),
            "job": {"namespace": namespace, "name": name_of(&gnode.id)},
            "inputs": inputs_of(&gnode.id),
            "outputs": outputs,
        }));
    }
    Ok(out)
}

/// An asset's lineage upstream, read directly (no whole-graph load): the generator
/// with its version, vendor and training sources, the dataset, and the original a
/// marked copy derives from. For `GET /v1/assets/{sha256}`.
pub fn asset_upstream(reg: &Registry, a: &AssetRow) -> Result<Value, RegistryError> {
    let generator = match &a.generator {
        Some(g) => reg.object("generator", g)?.map(|body| {
            json!({
                "id": g,
                "version": body["version"],
                "vendor": body["vendor"],
                "trained_on": body["trained_on"],
            })
        }),
        None => None,
    };
    Ok(json!({
        "generator": generator,
        "dataset": a.dataset,
        "derived_from": a.attrs.get("derived_from"),
    }))
}
