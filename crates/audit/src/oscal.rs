//! NIST OSCAL 1.1 assessment results: one result for the pack, an observation per
//! scan run (its `scan.completed` ledger entry as relevant evidence), an observation
//! and a finding per finding and per overdue incident. Evidence points at back-matter
//! resources (`#<uuid>`): one per ledger entry cited, whose rlink is its proof in
//! `ledger/proofs.json`, and one per evidence file of the pack, with its SHA-256.
//! `import-ap` is the pack's own assessment plan (`assessment-plan.json`), whose
//! `import-ssp` names the inventory the assessment covers.

use serde_json::{Value, json};
use synthgov_core::finding::Finding;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::pack::{Period, ScanEvidence};

/// A name-based UUID (RFC 9562 version 5 layout, SHA-256 truncated): the same pack
/// content gives the same ids.
pub fn uuid(name: &str) -> String {
    synthgov_registry::lineage::name_uuid(name, 5)
}

pub struct Input<'a> {
    pub title: String,
    pub origin: &'a str,
    pub now: OffsetDateTime,
    pub period: Option<&'a Period>,
    pub findings: &'a [Finding],
    pub scans: &'a [ScanEvidence],
    pub incidents: &'a [Value],
    pub version: &'a str,
}

/// The back-matter resources evidence links point at: ledger entries cited, by index.
#[derive(Default)]
struct Resources {
    seed: String,
    entries: std::collections::BTreeMap<u64, String>,
}

impl Resources {
    fn evidence(&mut self, index: u64, what: &str) -> Value {
        let seed = &self.seed;
        let id = self
            .entries
            .entry(index)
            .or_insert_with(|| uuid(&format!("{seed}|entry|{index}")))
            .clone();
        json!({
            "href": format!("#{id}"),
            "description": format!("{what}: ledger entry {index}, proved in ledger/proofs.json"),
        })
    }

    fn back_matter(&self, files: &[(String, String)]) -> Value {
        let mut resources: Vec<Value> = self
            .entries
            .iter()
            .map(|(index, id)| {
                json!({
                    "uuid": id,
                    "title": format!("Ledger entry {index}"),
                    "description": format!("Entry {index} of the store's ledger, with its inclusion proof against the pack's signed checkpoint."),
                    "rlinks": [{"href": format!("../ledger/proofs.json#entry-{index}"), "media-type": "application/json"}],
                })
            })
            .collect();
        for (path, sha) in files {
            resources.push(json!({
                "uuid": uuid(&format!("{}|file|{path}", self.seed)),
                "title": path,
                "rlinks": [{
                    "href": format!("../{path}"),
                    "hashes": [{"algorithm": "SHA-256", "value": sha}],
                }],
            }));
        }
        json!({ "resources": resources })
    }
}

/// The assessment plan the results import: scope is the inventory in the pack.
pub fn assessment_plan(inp: &Input, inventory_sha256: &str) -> Value {
    let now = inp.now.format(&Rfc3339).unwrap_or_default();
    let seed = format!("{}|{}", inp.origin, now);
    let ssp = uuid(&format!("{seed}|ssp"));
    json!({
        "assessment-plan": {
            "uuid": uuid(&format!("{seed}|assessment-plan")),
            "metadata": {
                "title": format!("Plan: {}", inp.title),
                "last-modified": now,
                "version": inp.version,
                "oscal-version": "1.1.2",
                "links": [{ "href": format!("#{ssp}"), "rel": "reference" }],
            },
            "import-ssp": { "href": format!("#{ssp}") },
            "reviewed-controls": {
                "control-selections": [{
                    "description": "synthgov rule catalog (SG-*): EU AI Act, GDPR, NIST AI RMF, HIPAA",
                    "include-all": {},
                }],
            },
            "back-matter": { "resources": [{
                "uuid": ssp,
                "title": "The store's declared inventory (the system under assessment)",
                "rlinks": [{
                    "href": "../inventory.json",
                    "media-type": "application/json",
                    "hashes": [{"algorithm": "SHA-256", "value": inventory_sha256}],
                }],
            }]},
        }
    })
}

/// `files`: the pack's evidence files (path in the pack, SHA-256), as back-matter.
pub fn assessment_results(inp: &Input, files: &[(String, String)]) -> Value {
    let ts = |t: OffsetDateTime| t.format(&Rfc3339).unwrap_or_default();
    let now = ts(inp.now);
    let seed = format!("{}|{}", inp.origin, now);
    let mut res = Resources {
        seed: seed.clone(),
        ..Resources::default()
    };
    let mut observations = Vec::new();
    let mut findings = Vec::new();
    let scan_obs: Vec<(String, &ScanEvidence)> = inp
        .scans
        .iter()
        .map(|s| (uuid(&format!("{seed}|scan|{}", s.ledger_index)), s))
        .collect();
    for (id, s) in &scan_obs {
        observations.push(json!({
            "uuid": id,
            "title": format!("synthgov scan {}", s.scanner),
            "description": format!(
                "Automated scan `{}`; its full JSON report has SHA-256 {}.",
                s.scanner, s.report_sha256
            ),
            "methods": ["TEST"],
            "types": ["finding"],
            "collected": now,
            "relevant-evidence": [res.evidence(s.ledger_index, "scan.completed")],
        }));
    }
    for (n, f) in inp.findings.iter().enumerate() {
        let obs = uuid(&format!("{seed}|finding-obs|{n}"));
        let mut o = json!({
            "uuid": obs,
            "title": format!("{} at {}", f.rule, f.location.uri),
            "description": f.message,
            "methods": ["TEST"],
            "types": ["finding"],
            "collected": now,
        });
        // The scan that produced it: the one whose scanner covers the rule, else all.
        let ev: Vec<Value> = inp
            .scans
            .iter()
            .map(|s| res.evidence(s.ledger_index, &format!("scan {}", s.scanner)))
            .collect();
        if !ev.is_empty() {
            o["relevant-evidence"] = Value::Array(ev);
        }
        observations.push(o);
        let mut props = vec![json!({ "name": "severity", "value": f.severity.to_string() })];
        for r in &f.regulations {
            props.push(json!({ "name": "regulation", "value": r }));
        }
        findings.push(json!({
            "uuid": uuid(&format!("{seed}|finding|{n}")),
            "title": format!("{}: {}", f.rule, f.message),
            "description": format!("{} Remediation: {}", f.message, f.remediation),
            "props": props,
            "target": {
                "type": "objective-id",
                "target-id": f.rule,
                "status": { "state": "not-satisfied" },
            },
            "related-observations": [{ "observation-uuid": obs }],
        }));
    }
    for inc in inp.incidents {
        let id = inc["id"].as_str().unwrap_or("?");
        let obs = uuid(&format!("{seed}|incident|{id}"));
        let mut o = json!({
            "uuid": obs,
            "title": format!("Incident {id} ({})", inc["kind"].as_str().unwrap_or("")),
            "description": format!(
                "{}; status {}; detected {}; notification clocks: {}",
                inc["title"].as_str().unwrap_or(""),
                inc["status"].as_str().unwrap_or(""),
                inc["detected_at"].as_str().unwrap_or(""),
                inc["clocks"].as_array().map(|c| c.iter().map(|c| format!(
                    "{} due {} ({})",
                    c["regulation"].as_str().unwrap_or(""),
                    c["deadline"].as_str().unwrap_or("without undue delay"),
                    c["state"].as_str().unwrap_or("")
                )).collect::<Vec<_>>().join("; ")).filter(|s| !s.is_empty()).unwrap_or_else(|| "none apply".into()),
            ),
            "methods": ["EXAMINE"],
            "types": ["incident"],
            "collected": now,
        });
        if let Some(i) = inc["ledger_index"].as_u64() {
            o["relevant-evidence"] = json!([res.evidence(i, "incident record")]);
        }
        observations.push(o);
    }
    let mut result = json!({
        "uuid": uuid(&format!("{seed}|result")),
        "title": inp.title,
        "description": "Automated governance assessment of synthetic data and AI-generated content by synthgov. Every observation links to a ledger entry proved against the pack's signed checkpoint.",
        "start": inp.period.map(|p| ts(p.start)).unwrap_or_else(|| now.clone()),
        "reviewed-controls": {
            "control-selections": [{
                "description": "synthgov rule catalog (SG-*): EU AI Act, GDPR, NIST AI RMF, HIPAA",
                "include-all": {},
            }],
        },
    });
    if let Some(p) = inp.period {
        result["end"] = json!(ts(p.end.min(inp.now)));
    }
    if !observations.is_empty() {
        result["observations"] = Value::Array(observations);
    }
    if !findings.is_empty() {
        result["findings"] = Value::Array(findings);
    }
    let back_matter = res.back_matter(files);
    // Every resource is also a metadata link, so link checkers (trestle) see each used.
    let links: Vec<Value> = back_matter["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| json!({ "href": format!("#{}", r["uuid"].as_str().unwrap_or("")), "rel": "reference" }))
        .collect();
    json!({
        "assessment-results": {
            "uuid": uuid(&format!("{seed}|assessment-results")),
            "metadata": {
                "title": inp.title,
                "last-modified": now,
                "version": inp.version,
                "oscal-version": "1.1.2",
                "remarks": format!("Produced by synthgov {} for log {}", inp.version, inp.origin),
                "links": links,
            },
            "import-ap": { "href": "assessment-plan.json" },
            "results": [result],
            "back-matter": back_matter,
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuid_shape() {
        let u = super::uuid("x");
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "5");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
        assert_eq!(u, super::uuid("x"));
        assert_ne!(u, super::uuid("y"));
    }
}
