//! `index.html`: the human report, readable offline (no script, no network), printable
//! to PDF (print CSS). Long lists are cut in the page and kept whole in the JSON files
//! beside it.

use std::fmt::Write;

use serde_json::Value;
use synthgov_core::finding::{Report, Severity};
use synthgov_ledger::Checkpoint;
use synthgov_registry::classify::Classification;
use synthgov_registry::model::Inventory;

use crate::pack::{Framework, Period, Provenance};

const MAX_ROWS: usize = 500;

pub struct Input<'a> {
    pub inv: &'a Inventory,
    pub inventory_doc: &'a Value,
    pub classes: &'a [Classification],
    pub frameworks: &'a [Framework],
    pub findings: &'a Report,
    pub incidents: &'a [Value],
    pub activity: &'a [(u64, Value)],
    pub provenance: &'a Provenance,
    /// (generator, path, supplied by the store)
    pub cards: &'a [(String, String, bool)],
    pub period: Option<&'a Period>,
    pub checkpoint: &'a Checkpoint,
    pub vkey: &'a str,
    pub now: &'a str,
    pub version: &'a str,
    pub cited_entries: usize,
}

fn e(s: &str) -> String {
    html_escape::encode_safe(s).into_owned()
}

fn name(v: &impl serde::Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

const CSS: &str = r#"
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1b1b; margin: 0 auto; max-width: 1100px; padding: 1.5rem; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { border-bottom: 2px solid #1a56b0; padding-bottom: .2rem; margin-top: 2.2rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #c8c8c8; padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: #eef2f8; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: .85em; word-break: break-all; }
.sev-critical { color: #fff; background: #8b0000; padding: 0 .35rem; border-radius: 3px; }
.sev-high { color: #fff; background: #b00020; padding: 0 .35rem; border-radius: 3px; }
.sev-medium { color: #1b1b1b; background: #ffd166; padding: 0 .35rem; border-radius: 3px; }
.sev-low { color: #1b1b1b; background: #dfe7f1; padding: 0 .35rem; border-radius: 3px; }
.bad { color: #b00020; font-weight: 600; } .ok { color: #137333; font-weight: 600; }
.meter { background: #e3e3e3; height: .8rem; border-radius: .4rem; overflow: hidden; width: 14rem; display: inline-block; vertical-align: middle; }
.meter > span { display: block; height: 100%; background: #137333; }
.note { color: #555; font-size: .9rem; }
figure { margin: 1rem 0; overflow-x: auto; } figure img { max-width: 100%; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h2 { break-after: avoid; } table, figure { break-inside: auto; } tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  .meter { border: 1px solid #999; }
}
"#;

pub fn index_html(inp: &Input) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let store = inp
        .inv
        .store
        .as_ref()
        .map(|s| s.name.clone())
        .unwrap_or_else(|| "Store".into());
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Audit pack: {}</title><style>{CSS}</style></head><body>\n<main>\n<h1>Audit pack: {}</h1>\n<p class=\"note\">Generated {} by synthgov {}{}. Every statement below is backed by ledger entries proved against the signed checkpoint in <code>ledger/checkpoint</code> (tree size {}).</p>\n",
        e(&store),
        e(&store),
        e(inp.now),
        e(inp.version),
        inp.period
            .map(|p| format!(", period {}", e(&p.label)))
            .unwrap_or_default(),
        inp.checkpoint.size
    );

    // Scope
    let _ = write!(h, "<h2 id=\"scope\">Scope</h2>\n<table><tbody>");
    if let Some(s) = &inp.inv.store {
        let _ = write!(
            h,
            "<tr><th scope=\"row\">Store</th><td>{} ({}, {}; markets {})</td></tr>",
            e(&s.name),
            e(&name(&s.platform)),
            e(&s.jurisdiction),
            e(&s.markets().join(", "))
        );
    }
    let fw: Vec<&str> = inp.frameworks.iter().map(|f| f.title()).collect();
    let _ = writeln!(
        h,
        "<tr><th scope=\"row\">Frameworks</th><td>{}</td></tr><tr><th scope=\"row\">Period</th><td>{}</td></tr><tr><th scope=\"row\">Inventory</th><td>{} sources, {} generators, {} datasets, {} systems, {} vendors, {} assets</td></tr><tr><th scope=\"row\">Ledger</th><td>origin <code>{}</code>, checkpoint size {}, {} entries cited and proved</td></tr></tbody></table>",
        e(&fw.join(", ")),
        inp.period
            .map(|p| format!("{} ({} to {})", e(&p.label), p.start.date(), p.end.date()))
            .unwrap_or_else(|| "all recorded history".into()),
        inp.inv.sources.len(),
        inp.inv.generators.len(),
        inp.inv.datasets.len(),
        inp.inv.systems.len(),
        inp.inv.vendors.len(),
        inp.inventory_doc["assets"]
            .as_array()
            .map_or(0, |a| a.len()),
        e(&inp.checkpoint.origin),
        inp.checkpoint.size,
        inp.cited_entries,
    );

    // Provenance completeness
    let p = inp.provenance;
    let _ = write!(
        h,
        "<h2 id=\"provenance\">Provenance completeness</h2>\n<table><thead><tr><th scope=\"col\">Measure</th><th scope=\"col\">Share</th><th scope=\"col\">Count</th></tr></thead><tbody>"
    );
    for (label, n, of) in [
        (
            "Synthetic assets with lineage to a generator and its source data",
            p.with_lineage,
            p.synthetic_assets,
        ),
        (
            "Synthetic assets disclosed where published",
            p.disclosed,
            p.synthetic_assets,
        ),
        (
            "Synthetic media machine-marked (C2PA / IPTC)",
            p.machine_marked,
            p.media,
        ),
        (
            "Not disclosed by synthgov, reported disclosed by a store integration (its word)",
            p.reported_disclosed,
            p.synthetic_assets,
        ),
    ] {
        let share = Provenance::share(n, of) * 100.0;
        let _ = write!(
            h,
            "<tr><td>{label}</td><td><span class=\"meter\" role=\"img\" aria-label=\"{share:.1} percent\"><span style=\"width:{share:.1}%\"></span></span> {share:.1}%</td><td>{n} of {of}</td></tr>"
        );
    }
    h.push_str("</tbody></table>\n");

    // Classification matrix
    let _ = write!(
        h,
        "<h2 id=\"classification\">Classification matrix</h2>\n<p class=\"note\">Every AI system against the selected frameworks, with the rules that decided it (rules file: shipped classification rules plus the store's overrides).</p>\n<table><thead><tr><th scope=\"col\">System</th>"
    );
    for f in inp.frameworks {
        let _ = write!(h, "<th scope=\"col\">{}</th>", f.title());
    }
    h.push_str("<th scope=\"col\">Reasons</th></tr></thead><tbody>");
    for c in inp.classes {
        let _ = write!(h, "<tr><th scope=\"row\">{}</th>", e(&c.system));
        for f in inp.frameworks {
            let cell = match f {
                Framework::EuAiAct => {
                    let duties: Vec<String> = c
                        .obligations
                        .iter()
                        .filter(|o| o.citation.starts_with("EU AI Act"))
                        .map(|o| {
                            let when = if o.in_force {
                                "in force".to_string()
                            } else {
                                format!("from {}", o.applies_from)
                            };
                            format!("{} ({when})", e(&o.citation))
                        })
                        .collect();
                    let a = &c.assessment;
                    let assessed = if a.current {
                        "assessment current and approved".to_string()
                    } else if !a.changed.is_empty() {
                        "reassessment due".to_string()
                    } else if a.recorded {
                        "assessed, not approved".to_string()
                    } else if !a.missing.is_empty() {
                        format!("not assessed: {}", e(&a.missing.join(", ")))
                    } else {
                        "no recorded assessment".to_string()
                    };
                    format!(
                        "{} · tier <strong>{}</strong>{}<br>{}<br><span class=\"note\">{assessed}</span>",
                        e(c.role.as_str()),
                        e(&name(&c.eu_ai_act.tier)),
                        if c.eu_ai_act.basis.is_empty() {
                            String::new()
                        } else {
                            format!("<br>{}", e(&c.eu_ai_act.basis.join("; ")))
                        },
                        duties.join("<br>")
                    )
                }
                Framework::Gdpr => format!(
                    "Art. 22: {}<br>Art. 9: {}<br>Art. 35 DPIA: {}<br>Chapter V transfer: {}<br>AI Act Art. 27 FRIA: {}",
                    yes(c.gdpr_art22),
                    yes(c.gdpr_art9),
                    yes(c.gdpr_art35_dpia),
                    yes(c.cross_border),
                    yes(c.fria)
                ),
                Framework::NistAiRmf => format!(
                    "{}<br><span class=\"note\">{}</span>",
                    e(&c.nist_ai_rmf.join(", ")),
                    e(&c.nist_ai_rmf_subcategories.join(", "))
                ),
                Framework::Hipaa => format!(
                    "HIPAA: {}<br>FTC Health Breach Notification Rule: {}",
                    yes(c.hipaa),
                    yes(c.ftc_hbnr)
                ),
            };
            let _ = write!(h, "<td>{cell}</td>");
        }
        let reasons: Vec<String> = c
            .reasons
            .iter()
            .map(|r| format!("<code>{}</code>: {}", e(&r.rule), e(&r.says)))
            .collect();
        let _ = write!(h, "<td>{}</td></tr>", reasons.join("<br>"));
    }
    if inp.classes.is_empty() {
        h.push_str("<tr><td colspan=\"9\">No AI system is declared in the inventory.</td></tr>");
    }
    h.push_str("</tbody></table>\n");

    // Findings
    let f = &inp.findings;
    let by = &f.summary.by_severity;
    let n = |s: Severity| by.get(&s).copied().unwrap_or(0);
    let _ = write!(
        h,
        "<h2 id=\"findings\">Findings</h2>\n<p>{} open findings: {} critical, {} high, {} medium, {} low. Full list: <a href=\"findings.json\">findings.json</a>, <a href=\"findings.sarif\">findings.sarif</a>, <a href=\"oscal/assessment-results.json\">OSCAL assessment results</a>.</p>\n",
        f.findings.len(),
        n(Severity::Critical),
        n(Severity::High),
        n(Severity::Medium),
        n(Severity::Low)
    );
    if !f.findings.is_empty() {
        h.push_str("<table><thead><tr><th scope=\"col\">Severity</th><th scope=\"col\">Rule</th><th scope=\"col\">Finding</th><th scope=\"col\">Where</th><th scope=\"col\">Regulations</th><th scope=\"col\">Status</th></tr></thead><tbody>");
        for x in f.findings.iter().take(MAX_ROWS) {
            let sev = x.severity.to_string();
            let _ = write!(
                h,
                "<tr><td><span class=\"sev-{sev}\">{sev}</span></td><td><code>{}</code></td><td>{}<br><span class=\"note\">{}</span></td><td><code>{}</code>{}</td><td>{}</td><td>open</td></tr>",
                e(&x.rule),
                e(&x.message),
                e(&x.remediation),
                e(&x.location.uri),
                x.location
                    .line
                    .map(|l| format!(" line {l}"))
                    .unwrap_or_default(),
                e(&x.regulations.join("; "))
            );
        }
        h.push_str("</tbody></table>\n");
        if f.findings.len() > MAX_ROWS {
            let _ = write!(
                h,
                "<p class=\"note\">{} more in findings.json.</p>",
                f.findings.len() - MAX_ROWS
            );
        }
    }

    // Incidents
    let _ = write!(
        h,
        "<h2 id=\"incidents\">Incidents</h2>\n<p>{} incidents in the period or still open. Full records, clocks and playbooks: <a href=\"incidents.json\">incidents.json</a>.</p>\n",
        inp.incidents.len()
    );
    for inc in inp.incidents {
        let _ = write!(
            h,
            "<h3>{} {}: {}</h3><p>Status {}; detected {}; jurisdictions {}; affected {}.</p>",
            e(inc["id"].as_str().unwrap_or("")),
            e(inc["kind"].as_str().unwrap_or("")),
            e(inc["title"].as_str().unwrap_or("")),
            e(inc["status"].as_str().unwrap_or("")),
            e(inc["detected_at"].as_str().unwrap_or("")),
            e(&inc["jurisdictions"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default()),
            inc["affected"].as_u64().unwrap_or(0),
        );
        let clocks = inc["clocks"].as_array().cloned().unwrap_or_default();
        if clocks.is_empty() {
            h.push_str("<p>No regulatory notification clock applies.</p>");
        } else {
            h.push_str("<table><thead><tr><th scope=\"col\">Clock</th><th scope=\"col\">Notify</th><th scope=\"col\">Deadline</th><th scope=\"col\">Notified</th><th scope=\"col\">State</th></tr></thead><tbody>");
            for c in clocks {
                let state = c["state"].as_str().unwrap_or("");
                let class = if matches!(state, "late" | "missed") {
                    "bad"
                } else if state == "met" {
                    "ok"
                } else {
                    ""
                };
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{class}\">{}</td></tr>",
                    e(c["regulation"].as_str().unwrap_or("")),
                    e(c["notify"].as_str().unwrap_or("")),
                    e(c["deadline"].as_str().unwrap_or("without undue delay")),
                    e(c["notified_at"].as_str().unwrap_or("not yet")),
                    e(state)
                );
            }
            h.push_str("</tbody></table>");
        }
        if let Some(steps) = inc["playbook"]["steps"].as_array() {
            h.push_str("<details><summary>Playbook</summary><ol>");
            for s in steps {
                let _ = write!(
                    h,
                    "<li>{} <span class=\"note\">(owner: {}; evidence: {})</span></li>",
                    e(s["step"].as_str().unwrap_or("")),
                    e(s["owner"].as_str().unwrap_or("")),
                    e(s["evidence"].as_str().unwrap_or(""))
                );
            }
            h.push_str("</ol></details>");
        }
    }

    // Vendors
    h.push_str("<h2 id=\"vendors\">Vendor attestations</h2>");
    if inp.inv.vendors.is_empty() {
        h.push_str("<p>No vendors are declared.</p>");
    } else {
        h.push_str("<table><thead><tr><th scope=\"col\">Vendor</th><th scope=\"col\">Attestation</th><th scope=\"col\">Expires</th></tr></thead><tbody>");
        let today = inp.now.get(..10).unwrap_or("");
        for v in &inp.inv.vendors {
            for a in &v.attestations {
                let class = if a.expires.as_str() < today {
                    "bad"
                } else {
                    ""
                };
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td class=\"{class}\">{}{}</td></tr>",
                    e(&v.id),
                    e(&a.kind),
                    e(&a.expires),
                    if class == "bad" { " (expired)" } else { "" }
                );
            }
        }
        h.push_str("</tbody></table>");
    }

    // Quality
    h.push_str("<h2 id=\"quality\">Quality of synthetic datasets</h2>");
    let quality: Vec<&(u64, Value)> = inp
        .activity
        .iter()
        .filter(|(_, v)| {
            v["type"] == "quality.measured"
                || (v["type"] == "generation.completed" && !v["data"]["quality"].is_null())
        })
        .collect();
    if quality.is_empty() {
        h.push_str("<p>No quality report was recorded in the period (<code>synthgov quality --dataset ID</code> records one).</p>");
    } else {
        h.push_str("<table><thead><tr><th scope=\"col\">Dataset</th><th scope=\"col\">Score</th><th scope=\"col\">Privacy</th><th scope=\"col\">When</th><th scope=\"col\">Ledger entry</th></tr></thead><tbody>");
        for (i, v) in quality {
            let d = &v["data"];
            let (score, privacy) = if v["type"] == "quality.measured" {
                (
                    d["score"].as_f64(),
                    format!(
                        "exact matches {:.2}%, closer than real rows {:.2}%",
                        d["exact_match_rate"].as_f64().unwrap_or(0.0) * 100.0,
                        d["dcr_share"].as_f64().unwrap_or(0.0) * 100.0
                    ),
                )
            } else {
                (d["quality"]["score"].as_f64(), String::new())
            };
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{i}</td></tr>",
                e(d["dataset"].as_str().unwrap_or("")),
                score.map(|s| format!("{s:.4}")).unwrap_or_default(),
                e(&privacy),
                e(v["time"].as_str().unwrap_or("")),
            );
        }
        h.push_str("</tbody></table>");
    }

    // Activity
    let scans: Vec<&(u64, Value)> = inp
        .activity
        .iter()
        .filter(|(_, v)| v["type"] == "scan.completed")
        .collect();
    let _ = write!(
        h,
        "<h2 id=\"activity\">Activity in the period</h2><p>{} scans, {} generation runs, {} disclosure runs, {} flag changes.</p>",
        scans.len(),
        inp.activity
            .iter()
            .filter(|(_, v)| v["type"] == "generation.completed")
            .count(),
        inp.activity
            .iter()
            .filter(|(_, v)| v["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("disclosure.")))
            .count(),
        inp.activity
            .iter()
            .filter(|(_, v)| v["type"] == "flag.changed")
            .count(),
    );
    if !scans.is_empty() {
        h.push_str("<table><thead><tr><th scope=\"col\">Entry</th><th scope=\"col\">When</th><th scope=\"col\">Scanner</th><th scope=\"col\">Findings</th><th scope=\"col\">Gate</th><th scope=\"col\">Report SHA-256</th></tr></thead><tbody>");
        for (i, v) in scans.iter().rev().take(MAX_ROWS) {
            let d = &v["data"];
            let _ = write!(
                h,
                "<tr><td>{i}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"mono\">{}</td></tr>",
                e(v["time"].as_str().unwrap_or("")),
                e(d["scanner"].as_str().unwrap_or("")),
                d["findings"].as_u64().unwrap_or(0),
                if d["passed"].as_bool() == Some(true) {
                    "passed"
                } else {
                    "failed"
                },
                e(d["report_sha256"].as_str().unwrap_or(""))
            );
        }
        h.push_str("</tbody></table>");
    }

    // Diagram, cards
    h.push_str("<h2 id=\"data-flow\">Data flow</h2><figure><img src=\"diagrams/data-flow.svg\" alt=\"Data-flow diagram: real sources, generators, synthetic datasets, systems and surfaces, with the separation between real and synthetic data\"><figcaption class=\"note\">Red boxes are separation points where synthetic and real data meet. Lineage for tools: <a href=\"lineage.openlineage.json\">OpenLineage RunEvents</a>.</figcaption></figure>");
    h.push_str("<h2 id=\"model-cards\">Model cards</h2><ul>");
    for (g, path, supplied) in inp.cards {
        let _ = write!(
            h,
            "<li><a href=\"{}\">{}</a> ({})</li>",
            e(path),
            e(g),
            if *supplied {
                "supplied by the store"
            } else {
                "generated by synthgov from the inventory: no card was supplied"
            }
        );
    }
    if inp.cards.is_empty() {
        h.push_str("<li>No generators are declared.</li>");
    }
    h.push_str("</ul>");

    // Verification
    let _ = write!(
        h,
        "<h2 id=\"verify\">How to verify this pack</h2><ol><li>File hashes, with coreutils: <code>sed -n '/^$/q;p' MANIFEST | tail -n +3 | sha256sum -c --strict</code></li><li>Everything (manifest signature, hashes, checkpoint, every inclusion proof): <code>synthgov verify-pack . --key '{}'</code></li><li>That the pack's checkpoint is part of today's log: <code>synthgov verify-pack . --live</code> on the store's machine.</li></ol><p class=\"note\">Verifier key: <code>{}</code><br>Checkpoint root (base64): <code>{}</code></p>\n</main></body></html>\n",
        e(inp.vkey),
        e(inp.vkey),
        e(inp.checkpoint.note.lines().nth(2).unwrap_or(""))
    );
    h
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}
