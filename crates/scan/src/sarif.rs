//! SARIF 2.1.0 (OASIS), as GitHub code scanning reads it: one `reportingDescriptor` per
//! rule with its regulations in `properties`, `physicalLocation` for files (uri relative
//! to the scanned root, `startLine`) and `logicalLocation` for database rows and URLs;
//! suppressed findings carry an external suppression with the config's reason.
//!
//! For GitHub code scanning (`sarif-multitool validate --rule-kind "Sarif;Gh"`): file
//! URIs are RFC 3986 references, percent-encoded, relative to `SRCROOT`, which
//! `originalUriBaseIds` declares (the repository root, see [`Base`]); an absolute path
//! becomes a `file:` URI without a base; every result has a `partialFingerprints`
//! entry that does not depend on the line, so a finding keeps its identity when the
//! page above it changes.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
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

/// Where file locations are rooted: `root` is the directory `SRCROOT` stands for
/// (absolute), `prefix` the scanned folder's path below it (`site/pages`, or empty),
/// which each finding's folder-relative uri is joined to.
#[derive(Debug, Clone)]
pub struct Base {
    pub root: std::path::PathBuf,
    pub prefix: String,
}

/// RFC 3986 path: every byte but unreserved characters and `/` percent-encoded.
pub fn encode_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A fingerprint of what the finding is about, without its line: rule, where
/// (uri and selector) and what (asset, else the message).
fn fingerprint(f: &Finding) -> String {
    let what = f.asset.as_deref().unwrap_or(&f.message);
    let key = format!(
        "{}\0{}\0{}\0{what}",
        f.rule,
        f.location.uri,
        f.location.selector.as_deref().unwrap_or("")
    );
    hex::encode(&Sha256::digest(key.as_bytes())[..16])
}

pub fn to_sarif(report: &Report, catalog: &Catalog, version: &str) -> Value {
    to_sarif_based(report, catalog, version, None)
}

/// SARIF with file locations rooted at `base` (declared as `SRCROOT`).
pub fn to_sarif_based(
    report: &Report,
    catalog: &Catalog,
    version: &str,
    base: Option<&Base>,
) -> Value {
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
        .map(|f| result(f, index(&f.rule), None, base))
        .collect();
    results.extend(
        report
            .suppressed
            .iter()
            .map(|s| result(&s.finding, index(&s.finding.rule), Some(&s.reason), base)),
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
    let mut out = json!({
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
    });
    if let Some(b) = base {
        let mut root = format!("file://{}", encode_path(&b.root.to_string_lossy()));
        if !root.ends_with('/') {
            root.push('/');
        }
        out["runs"][0]["originalUriBaseIds"] = json!({
            "SRCROOT": { "uri": root, "description": { "text": "The repository root" } },
        });
    }
    out
}

fn result(
    f: &Finding,
    rule_index: Option<usize>,
    suppressed: Option<&str>,
    base: Option<&Base>,
) -> Value {
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
        // An absolute path under the root is a path relative to SRCROOT.
        let under_root = base.and_then(|b| {
            std::path::Path::new(&f.location.uri)
                .strip_prefix(&b.root)
                .ok()
                .map(|p| p.to_string_lossy().into_owned())
        });
        let uri = under_root.as_ref().unwrap_or(&f.location.uri);
        let artifact = if uri.starts_with('/') {
            json!({ "uri": format!("file://{}", encode_path(uri)) })
        } else {
            let joined = match base {
                Some(b) if !b.prefix.is_empty() && under_root.is_none() => {
                    format!("{}/{uri}", b.prefix.trim_end_matches('/'))
                }
                _ => uri.clone(),
            };
            let mut a = json!({ "uri": encode_path(&joined) });
            if base.is_some() {
                a["uriBaseId"] = json!("SRCROOT");
            }
            a
        };
        let mut phys = json!({ "artifactLocation": artifact });
        if !region.is_empty() {
            phys["region"] = Value::Object(region);
        }
        let mut loc = json!({ "physicalLocation": phys });
        if let Some(sel) = &f.location.selector {
            // A CSS selector in a page, or the platform object a line of an export declares.
            let kind = if sel.contains("://") {
                "object"
            } else {
                "element"
            };
            loc["logicalLocations"] = json!([{ "fullyQualifiedName": sel, "kind": kind }]);
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
    r["partialFingerprints"] = json!({ "synthgovFinding/v1": fingerprint(f) });
    if let Some(a) = &f.asset {
        r["partialFingerprints"]["synthgovAsset/v1"] = json!(a);
    }
    if let Some(reason) = suppressed {
        r["suppressions"] = json!([{ "kind": "external", "justification": reason }]);
    }
    r
}
