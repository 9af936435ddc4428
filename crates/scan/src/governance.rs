//! `synthgov scan governance`: SG-GOV-* from the inventory, the registered assets,
//! the classification of every system (with its assessment), the inventory-wide
//! checks of the classification rules and the incident register.

use std::collections::BTreeMap;

use synthgov_core::finding::{Finding, Location, Severity};
use synthgov_registry::classify::{
    AssessmentInput, Classification, Context, RuleSet, Tier, checks, classify_all,
};
use synthgov_registry::dates::Dates;
use synthgov_registry::facts::Subject;
use synthgov_registry::incident::{Incident, IncidentRules, clocks};
use synthgov_registry::model::Inventory;
use synthgov_registry::registry::AssetRow;

use crate::rules::Catalog;

/// Everything the governance rules read.
pub struct Inputs<'a> {
    pub inventory: &'a Inventory,
    pub assets: &'a [AssetRow],
    pub rules: &'a RuleSet,
    pub dates: &'a Dates,
    /// Per system: its last recorded assessment.
    pub assessments: &'a BTreeMap<String, AssessmentInput>,
    /// The moment attestations and incident clocks are judged against (now, UTC).
    pub now: time::OffsetDateTime,
    pub incidents: &'a [Incident],
    pub incident_rules: &'a IncidentRules,
}

fn obj(kind: &str, id: &str) -> Location {
    Location::logical(format!("synthgov://inventory/{kind}/{id}"))
}

/// The governance scan of a registry's current state, judged at `now`.
pub fn scan_registry(
    catalog: &Catalog,
    reg: &synthgov_registry::Registry,
    rules: &RuleSet,
    dates: &Dates,
    now: time::OffsetDateTime,
) -> Result<(Vec<Finding>, u64), synthgov_registry::RegistryError> {
    let inventory = synthgov_registry::apply::current(reg)?;
    let assets = reg.assets()?;
    let incidents = synthgov_registry::incident::list(reg)?;
    let assessments = synthgov_registry::assessment::inputs(reg, &inventory, rules, dates)?;
    scan(
        catalog,
        &Inputs {
            inventory: &inventory,
            assets: &assets,
            rules,
            dates,
            assessments: &assessments,
            now,
            incidents: &incidents,
            incident_rules: &synthgov_registry::incident::IncidentRules::shipped(),
        },
    )
}

pub fn scan(
    catalog: &Catalog,
    inp: &Inputs,
) -> Result<(Vec<Finding>, u64), synthgov_registry::RegistryError> {
    let inv = inp.inventory;
    let mut out = Vec::new();
    let mut f =
        |id: &str, msg: String, loc: Location| out.push(catalog.finding(id, msg, loc, None));

    for g in &inv.generators {
        if g.model_card.as_deref().is_none_or(|c| c.trim().is_empty()) {
            f(
                "SG-GOV-001",
                format!("Generator {} has no model card", g.id),
                obj("generator", &g.id),
            );
        }
    }
    for d in &inv.datasets {
        if !inv.generators.iter().any(|g| g.id == d.generator) {
            f(
                "SG-GOV-002",
                format!(
                    "Dataset {} names generator {}, which is not in the inventory",
                    d.id, d.generator
                ),
                obj("dataset", &d.id),
            );
        }
    }
    for a in inp.assets.iter().filter(|a| a.ai_generated) {
        let linked = a
            .generator
            .as_deref()
            .is_some_and(|g| inv.generators.iter().any(|x| x.id == g));
        if !linked {
            let why = match &a.generator {
                None => "no generator".to_string(),
                Some(g) => format!("generator {g}, which is not in the inventory"),
            };
            f(
                "SG-GOV-002",
                format!("AI-generated asset {} has {why}", a.uri),
                Location::logical(asset_uri(&a.uri)),
            );
        }
    }
    // Expiring soon is medium; expired keeps the rule's severity.
    let mut soon = Vec::new();
    for v in &inv.vendors {
        for at in &v.attestations {
            let fmt = time::macros::format_description!("[year]-[month]-[day]");
            let Ok(expires) = time::Date::parse(&at.expires, fmt) else {
                continue; // apply validated the date; nothing to judge otherwise
            };
            let days = (expires - inp.now.date()).whole_days();
            let loc = obj("vendor", &v.id);
            if days < 0 {
                f(
                    "SG-GOV-003",
                    format!(
                        "Vendor {}: {} attestation expired on {} ({} days ago)",
                        v.id, at.kind, at.expires, -days
                    ),
                    loc,
                );
            } else if days <= 30 {
                soon.push(catalog.finding(
                    "SG-GOV-003",
                    format!(
                        "Vendor {}: {} attestation expires on {} (in {days} days)",
                        v.id, at.kind, at.expires
                    ),
                    loc,
                    None,
                ));
            }
        }
    }
    out.extend(soon.into_iter().map(|mut x| {
        x.severity = Severity::Medium;
        x
    }));
    for c in checks(inv, inp.rules) {
        let kind = match c.subject {
            Subject::Source => "source",
            Subject::Vendor => "vendor",
            Subject::Generator => "generator",
            Subject::System => "system",
        };
        let mut finding = catalog.finding(&c.rule, c.says.clone(), obj(kind, &c.id), None);
        finding.regulations = c.cites.clone();
        out.push(finding);
    }
    let ctx = Context {
        rules: inp.rules,
        dates: inp.dates,
        as_of: inp.now.date(),
        assessments: inp.assessments,
    };
    let classes: Vec<Classification> = classify_all(inv, &ctx, None)?;
    for c in &classes {
        let loc = obj("system", &c.system);
        for rf in &c.findings {
            let mut finding = catalog.finding(
                &rf.rule,
                format!("System {}: {}", c.system, rf.says),
                loc.clone(),
                None,
            );
            finding.regulations = rf.cites.clone();
            out.push(finding);
        }
        let a = &c.assessment;
        if c.eu_ai_act.tier == Tier::High && !(a.recorded && a.approved) {
            let why = if a.recorded {
                "its latest assessment is not approved"
            } else {
                "it has no recorded assessment"
            };
            out.push(catalog.finding(
                "SG-GOV-015",
                format!(
                    "High-risk system {} ({}): {why}",
                    c.system,
                    c.eu_ai_act.basis.join(", ")
                ),
                loc.clone(),
                None,
            ));
        }
        if !a.changed.is_empty() {
            out.push(catalog.finding(
                "SG-GOV-016",
                format!(
                    "System {}: reassessment due, changed since its last assessment: {}",
                    c.system,
                    a.changed.join("; ")
                ),
                loc.clone(),
                None,
            ));
        }
        if !a.missing.is_empty() {
            out.push(catalog.finding(
                "SG-GOV-017",
                format!(
                    "System {} not assessed: {} unanswered (`synthgov assess {}`)",
                    c.system,
                    a.missing.join(", "),
                    c.system
                ),
                loc.clone(),
                None,
            ));
        }
        let sys = inv.systems.iter().find(|s| s.id == c.system);
        let oversight = sys
            .and_then(|s| s.human_oversight.as_deref())
            .is_some_and(|h| !h.trim().is_empty());
        if c.eu_ai_act.tier == Tier::Prohibited {
            out.push(catalog.finding(
                "SG-GOV-005",
                format!(
                    "System {} is a prohibited practice ({})",
                    c.system,
                    c.eu_ai_act.basis.join(", ")
                ),
                loc.clone(),
                None,
            ));
        }
        if (c.eu_ai_act.tier == Tier::High || c.gdpr_art22) && !oversight {
            let why = if c.eu_ai_act.tier == Tier::High {
                format!(
                    "high-risk under the EU AI Act ({})",
                    c.eu_ai_act.basis.join(", ")
                )
            } else {
                "makes automated decisions under GDPR Art. 22".to_string()
            };
            out.push(catalog.finding(
                "SG-GOV-004",
                format!(
                    "System {} is {why} but declares no human oversight",
                    c.system
                ),
                loc,
                None,
            ));
        }
    }
    for inc in inp.incidents {
        for c in clocks(inp.incident_rules, inc, inp.now)?
            .into_iter()
            .filter(|c| c.state.overdue())
        {
            let when = match &c.notified_at {
                Some(n) => format!("notified {n}, after the deadline"),
                None => "not notified".to_string(),
            };
            let mut finding = catalog.finding(
                "SG-GOV-006",
                format!(
                    "Incident {} ({}): {} notification to the {} was due {}; {when}",
                    inc.id,
                    inc.kind,
                    c.regulation,
                    c.notify,
                    c.deadline.as_deref().unwrap_or("without undue delay"),
                ),
                obj("incident", &inc.id),
                None,
            );
            finding.regulations = vec![c.regulation.clone()];
            out.push(finding);
        }
    }
    let scanned = (inv.generators.len()
        + inp.incidents.len()
        + inv.datasets.len()
        + inv.systems.len()
        + inv.vendors.len()
        + inp.assets.len()) as u64;
    Ok((out, scanned))
}

/// Files are registered by path; platform assets already have a scheme.
fn asset_uri(uri: &str) -> String {
    if uri.contains("://") {
        uri.to_owned()
    } else {
        format!("synthgov://asset/{uri}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use synthgov_registry::parse::parse_inventory;

    const INVENTORY: &str = r#"
store: { name: "Test", platform: shopify, jurisdiction: FR, markets: [EU] }
sources:
  - { id: eu-orders, jurisdiction: FR, categories: [personal, financial], lawful_basis: contract }
  - { id: photos, jurisdiction: FR, categories: [none], lawful_basis: none }
vendors:
  - id: acme
    attestations:
      - { kind: gdpr_dpa, expires: 2026-10-01 }
      - { kind: soc2_type2, expires: 2026-12-10 }
      - { kind: iso27001, expires: 2027-12-31 }
generators:
  - { id: us-copula, version: "1", method: copula, location: US, trained_on: [eu-orders], model_card: card.md }
  - { id: eu-copula, version: "1", method: copula, location: DE, trained_on: [eu-orders], model_card: card.md }
  - { id: imagery, version: "1", method: diffusion, vendor: acme, location: FR, trained_on: [photos] }
datasets:
  - { id: ds, generator: eu-copula, purpose: credit, environment: synthetic }
systems:
  - { id: scoring, use_case: credit_scoring, trained_on: [ds] }
  - { id: scoring-ok, use_case: credit_scoring, trained_on: [ds], human_oversight: "credit-team" }
  - { id: mood, use_case: emotion_recognition_workplace, trained_on: [ds], human_oversight: "hr" }
  - { id: recs, use_case: recommendation, trained_on: [ds] }
"#;

    fn asset(uri: &str, generator: Option<&str>, ai: bool) -> AssetRow {
        AssetRow {
            uri: uri.into(),
            sha256: None,
            kind: "image".into(),
            generator: generator.map(str::to_owned),
            dataset: None,
            surface: None,
            platform: None,
            ai_generated: ai,
            bytes: None,
            attrs: serde_json::Value::Null,
        }
    }

    #[test]
    fn each_governance_rule_fires_where_it_should_and_nowhere_else() {
        let rules = RuleSet::load(None).unwrap();
        let inv = parse_inventory("inventory.yaml", INVENTORY, &rules.use_cases()).unwrap();
        let assets = vec![
            asset("file:///a.png", Some("imagery"), true),
            asset("shopify://tee/image?src=x", None, true),
            asset("file:///b.png", Some("gone-gen"), true),
            asset("file:///real.png", None, false),
        ];
        let incident = |id: &str, detected: &str, notified: Option<&str>| -> Incident {
            let mut v = serde_json::json!({
                "id": id, "kind": "personal_data_breach", "title": "t", "status": "open",
                "detected_at": detected, "jurisdictions": ["FR"], "personal_data": true,
            });
            if let Some(n) = notified {
                v["notifications"] = serde_json::json!({ "gdpr-art33": n });
            }
            serde_json::from_value(v).unwrap()
        };
        let incidents = vec![
            // 72 h passed, not notified: SG-GOV-006.
            incident("INC-0001", "2026-11-20T08:00:00Z", None),
            // Notified in time: nothing.
            incident(
                "INC-0002",
                "2026-11-20T08:00:00Z",
                Some("2026-11-23T07:59:00Z"),
            ),
            // Still inside its 72 h: nothing yet.
            incident("INC-0003", "2026-11-23T08:00:00Z", None),
        ];
        let (findings, scanned) = scan(
            &Catalog::shipped(),
            &Inputs {
                inventory: &inv,
                assets: &assets,
                rules: &rules,
                dates: &Dates::load(None).unwrap(),
                assessments: &BTreeMap::new(),
                now: time::macros::datetime!(2026-11-24 12:00 UTC),
                incidents: &incidents,
                incident_rules: &IncidentRules::shipped(),
            },
        )
        .unwrap();
        let mut got: Vec<(String, String, String)> = findings
            .iter()
            .map(|f| {
                (
                    f.rule.clone(),
                    f.location.uri.clone(),
                    f.severity.to_string(),
                )
            })
            .collect();
        got.sort();
        let want = vec![
            (
                "SG-GOV-001",
                "synthgov://inventory/generator/imagery",
                "medium",
            ),
            ("SG-GOV-002", "file:///b.png", "medium"),
            ("SG-GOV-002", "shopify://tee/image?src=x", "medium"),
            ("SG-GOV-003", "synthgov://inventory/vendor/acme", "high"),
            ("SG-GOV-003", "synthgov://inventory/vendor/acme", "medium"),
            (
                "SG-GOV-004",
                "synthgov://inventory/system/scoring",
                "critical",
            ),
            ("SG-GOV-005", "synthgov://inventory/system/mood", "critical"),
            (
                "SG-GOV-006",
                "synthgov://inventory/incident/INC-0001",
                "critical",
            ),
            (
                "SG-GOV-007",
                "synthgov://inventory/generator/us-copula",
                "high",
            ),
            // Credit scoring is high risk, in GDPR scope on personal data: DPIA (012),
            // FRIA (013, Annex III 5(b)), and no approved assessment (015).
            ("SG-GOV-012", "synthgov://inventory/system/scoring", "high"),
            (
                "SG-GOV-012",
                "synthgov://inventory/system/scoring-ok",
                "high",
            ),
            ("SG-GOV-013", "synthgov://inventory/system/scoring", "high"),
            (
                "SG-GOV-013",
                "synthgov://inventory/system/scoring-ok",
                "high",
            ),
            ("SG-GOV-015", "synthgov://inventory/system/scoring", "high"),
            (
                "SG-GOV-015",
                "synthgov://inventory/system/scoring-ok",
                "high",
            ),
            // No system declares its Art. 5 screening: not assessed.
            ("SG-GOV-017", "synthgov://inventory/system/mood", "medium"),
            ("SG-GOV-017", "synthgov://inventory/system/recs", "medium"),
            (
                "SG-GOV-017",
                "synthgov://inventory/system/scoring",
                "medium",
            ),
            (
                "SG-GOV-017",
                "synthgov://inventory/system/scoring-ok",
                "medium",
            ),
        ];
        let want: Vec<(String, String, String)> = want
            .into_iter()
            .map(|(a, b, c)| (a.into(), b.into(), c.into()))
            .collect();
        assert_eq!(got, want);
        assert_eq!(scanned, 3 + 3 + 1 + 4 + 1 + 4);
        let expired = findings
            .iter()
            .find(|f| f.rule == "SG-GOV-003" && f.severity == Severity::High)
            .unwrap();
        assert!(
            expired
                .message
                .contains("gdpr_dpa attestation expired on 2026-10-01 (54 days ago)"),
            "{}",
            expired.message
        );
    }
}
