//! SARIF 2.1.0 (OASIS), as GitHub code scanning reads it: one `reportingDescriptor` per
//! rule with its regulations in `properties`, `physicalLocation` for files (uri relative
//! to the scanned root, `startLine`) and `logicalLocation` for database rows and URLs;
//! suppressed findings carry an external suppression with the config's reason.

use serde_json::{Value, json};
use synthgov_core::finding::{Finding, Report, Severity};

use crate::rules::Catalog;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub's `security-severity` (0.1 to 10) for the severity.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
    }
}

pub fn to_sarif(report: &Report, catalog: &Catalog, version: &str) -> Value {
    let rules: Vec<Value> = catalog
        .rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": { "text": r.title },
                "fullDescription": { "text": r.help },
                "help": {
                    "text": format!("{}\n\nRemediation: {}\n\nRegulations: {}", r.help, r.remediation, r.regulations.join("; ")),
                    "markdown": format!("{}\n\n**Remediation:** {}\n\n**Regulations:** {}", r.help, r.remediation, r.regulations.join("; ")),
                },
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": {
                    "regulations": r.regulations,
                    "severity": r.severity.as_str(),
                    "security-severity": security_severity(r.severity),
                    "tags": ["synthgov", "compliance"],
                },
            })
        })
        .collect();
    let index = |id: &str| catalog.rules.iter().position(|r| r.id == id);
    let mut results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| result(f, index(&f.rule), None))
        .collect();
    results.extend(
        report
            .suppressed
            .iter()
            .map(|s| result(&s.finding, index(&s.finding.rule), Some(&s.reason))),
    );
    let notifications: Vec<Value> = report
        .problems
        .iter()
        .map(|p| {
            json!({
                "level": "warning",
                "message": { "text": format!("{}: {}", p.uri, p.message) },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "synthgov",
                "version": version,
                "informationUri": "https://github.com/synthgov/synthgov",
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    })
}

fn result(f: &Finding, rule_index: Option<usize>, suppressed: Option<&str>) -> Value {
    let location = if f.location.is_logical() {
        json!({ "logicalLocations": [{
            "fullyQualifiedName": f.location.uri,
            "kind": if f.location.uri.starts_with("http") { "resource" } else { "object" },
        }]})
    } else {
        let mut region = serde_json::Map::new();
        if let Some(l) = f.location.line {
            region.insert("startLine".into(), json!(l));
        }
        let mut phys =
            json!({ "artifactLocation": { "uri": f.location.uri, "uriBaseId": "SRCROOT" } });
        if !region.is_empty() {
            phys["region"] = Value::Object(region);
        }
        let mut loc = json!({ "physicalLocation": phys });
        if let Some(sel) = &f.location.selector {
            loc["logicalLocations"] = json!([{ "fullyQualifiedName": sel, "kind": "element" }]);
        }
        loc
    };
    let mut r = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": { "text": f.message },
        "locations": [location],
        "properties": {
            "severity": f.severity.as_str(),
            "regulations": f.regulations,
            "remediation": f.remediation,
        },
    });
    if let Some(i) = rule_index {
        r["ruleIndex"] = json!(i);
    }
    if let Some(a) = &f.asset {
        r["partialFingerprints"] = json!({ "synthgovAsset/v1": a });
    }
    if let Some(reason) = suppressed {
        r["suppressions"] = json!([{ "kind": "external", "justification": reason }]);
    }
    r
}
