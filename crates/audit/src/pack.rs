//! Builds an audit pack: every document in memory, then one checkpoint, the proofs of
//! every entry the documents cite, and the signed manifest. [`write`] puts it on disk
//! atomically (a sibling temporary folder renamed into place).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use synthgov_core::finding::{Finding, Report};
use synthgov_ledger::{Checkpoint, ListQuery};
use synthgov_registry::apply::current;
use synthgov_registry::classify::{Classification, RuleSet};
use synthgov_registry::incident::{self, IncidentRules};
use synthgov_registry::lineage;
use synthgov_registry::model::Inventory;
use synthgov_registry::{EventType, Registry};
use synthgov_scan::rules::Catalog;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::PackError;
use crate::{cards, diagram, manifest, oscal, proofs, report};

/// The window the activity sections cover (scans, incidents, generation, quality).
#[derive(Debug, Clone, Serialize)]
pub struct Period {
    pub label: String,
    #[serde(skip)]
    pub start: OffsetDateTime,
    /// Exclusive.
    #[serde(skip)]
    pub end: OffsetDateTime,
}

/// `2026-Q3`, `2026-11` or `2026`.
pub fn parse_period(s: &str) -> Result<Period, PackError> {
    use time::{Date, Month};
    let bad = || {
        PackError::BadRequest(format!(
            "--period {s:?}: expected a quarter (2026-Q3), a month (2026-11) or a year (2026)"
        ))
    };
    let year: i32 = s.get(..4).and_then(|y| y.parse().ok()).ok_or_else(bad)?;
    let (m0, months) = match s.get(4..) {
        Some("") => (1u8, 12u8),
        Some(q) if q.len() == 3 && q.starts_with("-Q") => {
            let n: u8 = q[2..].parse().map_err(|_| bad())?;
            if !(1..=4).contains(&n) {
                return Err(bad());
            }
            ((n - 1) * 3 + 1, 3)
        }
        Some(m) if m.len() == 3 && m.starts_with('-') => {
            let n: u8 = m[1..].parse().map_err(|_| bad())?;
            if !(1..=12).contains(&n) {
                return Err(bad());
            }
            (n, 1)
        }
        _ => return Err(bad()),
    };
    let start_month = Month::try_from(m0).map_err(|_| bad())?;
    let start = Date::from_calendar_date(year, start_month, 1).map_err(|_| bad())?;
    let end_index = m0 as u32 - 1 + months as u32;
    let (ey, em) = (year + (end_index / 12) as i32, (end_index % 12) as u8 + 1);
    let end = Date::from_calendar_date(ey, Month::try_from(em).map_err(|_| bad())?, 1)
        .map_err(|_| bad())?;
    Ok(Period {
        label: s.to_owned(),
        start: start.midnight().assume_utc(),
        end: end.midnight().assume_utc(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Framework {
    EuAiAct,
    Gdpr,
    NistAiRmf,
    Hipaa,
}

impl Framework {
    pub const ALL: [Framework; 4] = [
        Framework::EuAiAct,
        Framework::Gdpr,
        Framework::NistAiRmf,
        Framework::Hipaa,
    ];

    pub fn parse(s: &str) -> Result<Framework, PackError> {
        Ok(match s.trim() {
            "eu-ai-act" => Framework::EuAiAct,
            "gdpr" => Framework::Gdpr,
            "nist-ai-rmf" => Framework::NistAiRmf,
            "hipaa" => Framework::Hipaa,
            other => {
                return Err(PackError::BadRequest(format!(
                    "--frameworks: unknown framework {other:?}; known: eu-ai-act, gdpr, nist-ai-rmf, hipaa"
                )));
            }
        })
    }

    /// How regulations of this framework are cited in findings.
    pub fn prefix(self) -> &'static str {
        match self {
            Framework::EuAiAct => "EU AI Act",
            Framework::Gdpr => "GDPR",
            Framework::NistAiRmf => "NIST AI RMF",
            Framework::Hipaa => "HIPAA",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Framework::EuAiAct => "EU AI Act",
            Framework::Gdpr => "GDPR",
            Framework::NistAiRmf => "NIST AI RMF",
            Framework::Hipaa => "HIPAA",
        }
    }
}

/// A scan report the pack includes, and the `scan.completed` entry that recorded it.
#[derive(Debug, Clone, Serialize)]
pub struct ScanEvidence {
    pub scanner: String,
    pub ledger_index: u64,
    pub report_sha256: String,
}

pub struct Inputs<'a> {
    pub period: Option<Period>,
    pub frameworks: Vec<Framework>,
    /// Findings to report (all scans merged).
    pub report: &'a Report,
    pub scans: Vec<ScanEvidence>,
    pub catalog: &'a Catalog,
    pub rules: &'a RuleSet,
    pub dates: &'a synthgov_registry::dates::Dates,
    pub incident_rules: &'a IncidentRules,
    /// Model cards the store supplied, by generator id.
    pub cards: BTreeMap<String, String>,
    pub now: OffsetDateTime,
    pub version: &'a str,
}

/// Share of synthetic assets with full provenance.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Provenance {
    pub synthetic_assets: u64,
    /// Linked to a generator in the inventory that names its source data.
    pub with_lineage: u64,
    /// Named in a `disclosure.applied` event and not the subject of a disclosure finding.
    pub disclosed: u64,
    /// Not disclosed by synthgov, but reported disclosed by a store integration
    /// (`magento.disclosure_applied`, `shopify.disclosure_applied`): their word, shown
    /// apart.
    pub reported_disclosed: u64,
    /// Synthetic images and media.
    pub media: u64,
    /// Media carrying C2PA / IPTC marking (a marked copy, or marked as registered).
    pub machine_marked: u64,
}

impl Provenance {
    pub fn share(n: u64, of: u64) -> f64 {
        if of == 0 { 1.0 } else { n as f64 / of as f64 }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub files: usize,
    pub cited_entries: usize,
    pub tree_size: u64,
    pub findings: usize,
    pub incidents: usize,
    pub overdue_incidents: usize,
    pub provenance: Provenance,
}

pub struct Pack {
    /// (path inside the pack, bytes), MANIFEST last.
    pub files: Vec<(String, Vec<u8>)>,
    pub checkpoint: Checkpoint,
    pub manifest_sha256: String,
    pub stats: Stats,
}

fn event_time(v: &Value) -> Option<OffsetDateTime> {
    v["time"]
        .as_str()
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
}

fn in_period(p: &Option<Period>, t: Option<OffsetDateTime>) -> bool {
    match (p, t) {
        (None, _) => true,
        (Some(p), Some(t)) => t >= p.start && t < p.end,
        (Some(_), None) => false,
    }
}

fn pretty(v: &impl Serialize) -> Vec<u8> {
    let mut b = serde_json::to_vec_pretty(v).expect("documents serialize");
    b.push(b'\n');
    b
}

/// Findings kept for the chosen frameworks: a finding citing none of them is dropped
/// unless it cites no regulation at all.
fn keep(f: &Finding, fw: &[Framework]) -> bool {
    f.regulations.is_empty()
        || f.regulations
            .iter()
            .any(|r| fw.iter().any(|x| r.starts_with(x.prefix())))
}

/// Everything the pack reads from the registry, before the checkpoint is taken.
struct Gathered {
    inv: Inventory,
    inventory_doc: Value,
    classes: Vec<Classification>,
    incidents: Vec<Value>,
    overdue: usize,
    activity: Vec<(u64, Value)>,
    provenance: Provenance,
    citations: BTreeMap<u64, Vec<String>>,
}

fn gather(reg: &Registry, inp: &Inputs) -> Result<Gathered, PackError> {
    let inv = current(reg)?;
    let mut inventory_doc = synthgov_registry::export::inventory_document(reg)?;
    let mut citations: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    let mut index_of: BTreeMap<(String, String), u64> = BTreeMap::new();
    for (table, key, idx) in reg.evidence_index()? {
        citations
            .entry(idx)
            .or_default()
            .push(format!("{table}/{key}"));
        index_of.insert((table, key), idx);
    }
    // Each object in inventory.json carries the entry that set it.
    for (section, kind) in [
        ("sources", "source"),
        ("generators", "generator"),
        ("datasets", "dataset"),
        ("systems", "system"),
        ("vendors", "vendor"),
    ] {
        if let Some(items) = inventory_doc[section].as_array_mut() {
            for item in items {
                let id = item["id"].as_str().unwrap_or_default().to_owned();
                if let Some(i) = index_of.get(&(format!("inventory/{kind}"), id)) {
                    item["ledger_index"] = json!(i);
                }
            }
        }
    }
    if let Some(i) = index_of.get(&("inventory/store".to_string(), "store".to_string())) {
        inventory_doc["store_ledger_index"] = json!(i);
    }
    if let Some(items) = inventory_doc["assets"].as_array_mut() {
        for item in items {
            let uri = item["uri"].as_str().unwrap_or_default().to_owned();
            if let Some(i) = index_of.get(&("asset".to_string(), uri)) {
                item["ledger_index"] = json!(i);
            }
        }
    }

    let classes = synthgov_registry::assessment::classify_registry(
        reg,
        inp.rules,
        inp.dates,
        inp.now.date(),
        None,
    )?;

    let mut incidents = Vec::new();
    let mut overdue = 0;
    for inc in incident::list(reg)? {
        let detected = OffsetDateTime::parse(&inc.detected_at, &Rfc3339).ok();
        if !(in_period(&inp.period, detected) || inc.status == incident::Status::Open) {
            continue;
        }
        let clocks = incident::clocks(inp.incident_rules, &inc, inp.now)?;
        let late = clocks.iter().any(|c| c.state.overdue());
        overdue += late as usize;
        let mut v = serde_json::to_value(&inc).expect("serializes");
        v["clocks"] = json!(clocks);
        v["overdue"] = json!(late);
        v["playbook"] = json!(inp.incident_rules.kind(&inc.kind));
        v["ledger_index"] =
            json!(index_of.get(&("inventory/incident".to_string(), inc.id.clone())));
        incidents.push(v);
    }

    // Activity in the period: scans, generation runs, quality, disclosure, flags.
    let mut activity = Vec::new();
    for prefix in [
        "scan",
        "generation",
        "quality",
        "disclosure",
        "flag",
        "model",
    ] {
        let list = reg.ledger().list(&ListQuery {
            type_prefix: Some(prefix.into()),
            from: 0,
            limit: u64::MAX,
        })?;
        for (i, v) in list {
            if in_period(&inp.period, event_time(&v)) {
                citations
                    .entry(i)
                    .or_default()
                    .push(format!("activity/{}", v["type"].as_str().unwrap_or("")));
                activity.push((i, v));
            }
        }
    }
    activity.sort_by_key(|(i, _)| *i);
    for s in &inp.scans {
        citations
            .entry(s.ledger_index)
            .or_default()
            .push(format!("findings/{}", s.scanner));
    }

    let provenance = provenance(reg, &inv, inp.report)?;
    Ok(Gathered {
        inv,
        inventory_doc,
        classes,
        incidents,
        overdue,
        activity,
        provenance,
        citations,
    })
}

fn provenance(reg: &Registry, inv: &Inventory, report: &Report) -> Result<Provenance, PackError> {
    // Disclosure ever applied counts, whatever the period: only synthgov's own
    // disclosure runs (the catalogue's evidence types, which no outside caller may
    // append); what store integrations report is counted apart.
    let mut disclosed_named: BTreeSet<String> = BTreeSet::new();
    for kind in EventType::ALL.iter().filter(|t| t.is_disclosure_evidence()) {
        for (_, v) in reg.ledger().list(&ListQuery {
            type_prefix: Some(kind.name().into()),
            from: 0,
            limit: u64::MAX,
        })? {
            if v["type"] != kind.name() {
                continue;
            }
            if let Some(a) = v["data"]["assets"].as_array() {
                disclosed_named.extend(a.iter().filter_map(|x| x.as_str().map(String::from)));
            }
        }
    }
    let mut integration_named: BTreeSet<String> = BTreeSet::new();
    for ns in ["magento", "shopify"] {
        for (_, v) in reg.ledger().list(&ListQuery {
            type_prefix: Some(format!("{ns}.disclosure_applied")),
            from: 0,
            limit: u64::MAX,
        })? {
            if let Some(a) = v["data"]["assets"].as_array() {
                integration_named.extend(a.iter().filter_map(|x| x.as_str().map(String::from)));
            }
        }
    }
    let undisclosed: BTreeSet<&str> = report
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.rule.as_str(),
                "SG-DISC-001" | "SG-DISC-002" | "SG-DISC-003" | "SG-DISC-004"
            )
        })
        .filter_map(|f| f.asset.as_deref())
        .collect();
    let generators_with_sources: BTreeSet<&str> = inv
        .generators
        .iter()
        .filter(|g| !g.trained_on.is_empty())
        .map(|g| g.id.as_str())
        .collect();
    let assets = reg.assets()?;
    let marked_originals: BTreeSet<&str> = assets
        .iter()
        .filter_map(|a| a.attrs["derived_from"]["sha256"].as_str())
        .collect();
    let mut p = Provenance::default();
    for a in assets.iter().filter(|a| a.ai_generated) {
        p.synthetic_assets += 1;
        if a.generator
            .as_deref()
            .is_some_and(|g| generators_with_sources.contains(g))
        {
            p.with_lineage += 1;
        }
        let sha = a.sha256.as_deref().unwrap_or("");
        if !sha.is_empty() && disclosed_named.contains(sha) && !undisclosed.contains(sha) {
            p.disclosed += 1;
        } else if !sha.is_empty() && integration_named.contains(sha) {
            p.reported_disclosed += 1;
        }
        if a.kind == "image" || a.kind == "video" || a.kind == "audio" {
            p.media += 1;
            let marked = !a.attrs["derived_from"].is_null()
                || a.attrs["c2pa"].as_bool() == Some(true)
                || marked_originals.contains(sha);
            p.machine_marked += marked as u64;
        }
    }
    Ok(p)
}

/// Builds the pack. Takes a fresh checkpoint (saved in the store) that every proof in
/// the pack is made against.
pub fn build(reg: &mut Registry, inp: &Inputs) -> Result<Pack, PackError> {
    let frameworks = if inp.frameworks.is_empty() {
        Framework::ALL.to_vec()
    } else {
        inp.frameworks.clone()
    };
    let g = gather(reg, inp)?;
    let checkpoint = reg.checkpoint()?;
    let vkey = reg.ledger().identity().vkey()?;
    let origin = reg.ledger().identity().origin.clone();

    let mut findings: Vec<&Finding> = inp
        .report
        .findings
        .iter()
        .filter(|f| keep(f, &frameworks))
        .collect();
    findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.rule.cmp(&b.rule)));
    let kept = Report {
        findings: findings.iter().map(|f| (*f).clone()).collect(),
        ..Default::default()
    }
    .finish(inp.report.summary.scanned);
    let mut findings_doc = serde_json::to_value(&kept).expect("serializes");
    if let Some(list) = findings_doc["findings"].as_array_mut() {
        for f in list {
            f["status"] = json!("open");
        }
    }
    findings_doc["suppressed"] = json!(inp.report.suppressed);
    findings_doc["evidence"] = json!(inp.scans);
    let sarif = synthgov_scan::sarif::to_sarif(&kept, inp.catalog, inp.version);

    let graph = lineage::full_graph(reg)?;
    let now_s = inp.now.format(&Rfc3339).unwrap_or_default();
    let openlineage = lineage::to_openlineage(reg, &graph, &lineage::namespace(reg))?;

    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut card_paths = Vec::new();
    for gen_ in &g.inv.generators {
        let (text, supplied) = match inp.cards.get(&gen_.id) {
            Some(t) => (t.clone(), true),
            None => (
                cards::generated(gen_, &g.inv, &g.classes, inp.version),
                false,
            ),
        };
        let path = format!("model-cards/{}.md", cards::file_stem(&gen_.id));
        card_paths.push((gen_.id.clone(), path.clone(), supplied));
        files.push((path, text.into_bytes()));
    }
    let training = reg.training()?;
    files.push((
        "diagrams/data-flow.svg".into(),
        diagram::data_flow(&g.inv, &training).into_bytes(),
    ));
    let dot = diagram::data_flow_dot(&g.inv, &training);
    if let Some(svg) = diagram::graphviz_svg(&dot) {
        files.push(("diagrams/data-flow.graphviz.svg".into(), svg));
    }
    files.push(("diagrams/data-flow.dot".into(), dot.into_bytes()));
    files.push(("inventory.json".into(), pretty(&g.inventory_doc)));
    files.push(("findings.json".into(), pretty(&findings_doc)));
    files.push(("findings.sarif".into(), pretty(&sarif)));
    files.push((
        "incidents.json".into(),
        pretty(&json!({ "incidents": g.incidents, "clocks": inp.incident_rules.clocks })),
    ));
    files.push((
        "classification.json".into(),
        pretty(&json!({ "systems": g.classes })),
    ));
    files.push((
        "lineage.openlineage.json".into(),
        pretty(&Value::Array(openlineage)),
    ));
    let oscal_in = oscal::Input {
        title: format!(
            "synthgov audit of {}{}",
            g.inv
                .store
                .as_ref()
                .map(|s| s.name.as_str())
                .unwrap_or("the store"),
            inp.period
                .as_ref()
                .map(|p| format!(", {}", p.label))
                .unwrap_or_default()
        ),
        origin: &origin,
        now: inp.now,
        period: inp.period.as_ref(),
        findings: &kept.findings,
        scans: &inp.scans,
        incidents: &g.incidents,
        version: inp.version,
    };
    // The evidence files the results cite as back-matter, by SHA-256.
    let evidence: Vec<(String, String)> = files
        .iter()
        .filter(|(p, _)| {
            matches!(
                p.as_str(),
                "inventory.json"
                    | "findings.json"
                    | "findings.sarif"
                    | "incidents.json"
                    | "classification.json"
                    | "lineage.openlineage.json"
            )
        })
        .map(|(p, b)| (p.clone(), hex::encode(Sha256::digest(b))))
        .collect();
    let inventory_sha = evidence
        .iter()
        .find(|(p, _)| p == "inventory.json")
        .map(|(_, s)| s.clone())
        .unwrap_or_default();
    files.push((
        "oscal/assessment-plan.json".into(),
        pretty(&oscal::assessment_plan(&oscal_in, &inventory_sha)),
    ));
    files.push((
        "oscal/assessment-results.json".into(),
        pretty(&oscal::assessment_results(&oscal_in, &evidence)),
    ));
    let proofs = proofs::build(reg.ledger(), checkpoint.size, &g.citations)?;
    let html = report::index_html(&report::Input {
        inv: &g.inv,
        inventory_doc: &g.inventory_doc,
        classes: &g.classes,
        frameworks: &frameworks,
        findings: &kept,
        incidents: &g.incidents,
        activity: &g.activity,
        provenance: &g.provenance,
        cards: &card_paths,
        period: inp.period.as_ref(),
        checkpoint: &checkpoint,
        vkey: &vkey,
        now: &now_s,
        version: inp.version,
        cited_entries: proofs.entries.len(),
    });
    files.push(("index.html".into(), html.into_bytes()));
    files.push((
        "ledger/checkpoint".into(),
        checkpoint.note.clone().into_bytes(),
    ));
    files.push(("ledger/key".into(), format!("{vkey}\n").into_bytes()));
    let cited_entries = proofs.entries.len();
    files.push(("ledger/proofs.json".into(), pretty(&proofs)));
    files.sort_by(|a, b| a.0.cmp(&b.0));

    let listed: Vec<(String, String)> = files
        .iter()
        .map(|(p, b)| (p.clone(), hex::encode(Sha256::digest(b))))
        .collect();
    let id = reg.ledger().identity();
    let note = manifest::sign(&manifest::body(&origin, &listed), &id.key, &id.key_name)?;
    let manifest_sha256 = hex::encode(Sha256::digest(note.as_bytes()));
    files.push(("MANIFEST".into(), note.into_bytes()));
    let stats = Stats {
        files: files.len(),
        cited_entries,
        tree_size: checkpoint.size,
        findings: kept.findings.len(),
        incidents: g.incidents.len(),
        overdue_incidents: g.overdue,
        provenance: g.provenance,
    };
    Ok(Pack {
        files,
        checkpoint,
        manifest_sha256,
        stats,
    })
}

/// Writes the pack into `dir` (which must not exist, or be empty), through a sibling
/// temporary folder renamed into place: a crash leaves no half pack under `dir`.
/// With `zip`, also writes `<dir>.zip` holding the folder.
pub fn write(dir: &Path, pack: &Pack, zip: bool) -> Result<(), PackError> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map_err(|e| PackError::io(dir, e))?
            .next()
            .is_none();
        if !empty {
            return Err(PackError::BadRequest(format!(
                "{}: exists and is not empty; choose another --out",
                dir.display()
            )));
        }
        std::fs::remove_dir(dir).map_err(|e| PackError::io(dir, e))?;
    }
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| PackError::io(parent, e))?;
    let name = dir
        .file_name()
        .ok_or_else(|| PackError::BadRequest(format!("{}: not a folder name", dir.display())))?
        .to_string_lossy()
        .into_owned();
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    for (path, bytes) in &pack.files {
        let p = tmp.join(path);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).map_err(|e| PackError::io(d, e))?;
        }
        std::fs::write(&p, bytes).map_err(|e| PackError::io(&p, e))?;
    }
    std::fs::rename(&tmp, dir).map_err(|e| PackError::io(dir, e))?;
    if zip {
        write_zip(&parent.join(format!("{name}.zip")), &name, pack)?;
    }
    Ok(())
}

fn write_zip(path: &Path, top: &str, pack: &Pack) -> Result<(), PackError> {
    use std::io::Write;
    let tmp = path.with_extension("zip.tmp");
    let f = std::fs::File::create(&tmp).map_err(|e| PackError::io(&tmp, e))?;
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let zerr = |e: zip::result::ZipError| PackError::io(path, std::io::Error::other(e));
    for (p, bytes) in &pack.files {
        z.start_file(format!("{top}/{p}"), opts).map_err(zerr)?;
        z.write_all(bytes).map_err(|e| PackError::io(path, e))?;
    }
    z.finish().map_err(zerr)?;
    std::fs::rename(&tmp, path).map_err(|e| PackError::io(path, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        let q = parse_period("2026-Q3").unwrap();
        assert_eq!(q.start.to_string(), "2026-07-01 0:00:00.0 +00:00:00");
        assert_eq!(q.end.to_string(), "2026-10-01 0:00:00.0 +00:00:00");
        let q4 = parse_period("2026-Q4").unwrap();
        assert_eq!(q4.end.year(), 2027);
        let m = parse_period("2026-12").unwrap();
        assert_eq!((m.end.year(), m.end.month() as u8), (2027, 1));
        let y = parse_period("2026").unwrap();
        assert_eq!((y.end.year(), y.end.month() as u8), (2027, 1));
        for bad in ["2026-Q5", "2026-13", "26-Q1", "2026Q1", ""] {
            assert!(parse_period(bad).is_err(), "{bad}");
        }
    }
}
