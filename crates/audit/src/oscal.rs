//! NIST OSCAL 1.1 assessment results: one result for the pack, an observation per
//! scan run (its `scan.completed` ledger entry as relevant evidence), an observation
//! and a finding per finding and per overdue incident. Evidence links point into
//! `ledger/proofs.json` (`#entry-<index>`), so every claim leads to an entry that the
//! pack proves against its checkpoint.

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

fn evidence(index: u64, what: &str) -> Value {
    json!({
        "href": format!("../ledger/proofs.json#entry-{index}"),
        "description": format!("{what}: ledger entry {index}, proved in ledger/proofs.json"),
    })
}

pub fn assessment_results(inp: &Input) -> Value {
    let ts = |t: OffsetDateTime| t.format(&Rfc3339).unwrap_or_default();
    let now = ts(inp.now);
    let seed = format!("{}|{}", inp.origin, now);
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
            "relevant-evidence": [evidence(s.ledger_index, "scan.completed")],
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
            .map(|s| evidence(s.ledger_index, &format!("scan {}", s.scanner)))
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
            o["relevant-evidence"] = json!([evidence(i, "incident record")]);
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
    json!({
        "assessment-results": {
            "uuid": uuid(&format!("{seed}|assessment-results")),
            "metadata": {
                "title": inp.title,
                "last-modified": now,
                "version": inp.version,
                "oscal-version": "1.1.2",
                "remarks": format!("Produced by synthgov {} for log {}", inp.version, inp.origin),
            },
            "import-ap": { "href": "../index.html#scope" },
            "results": [result],
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
