//! The rule catalog (`rules/findings.yaml`, shipped as data) and the store's overrides
//! from `[scan.rules.ID]` in its config: a rule turned off or given another severity.
//! Every override carries a reason, and the findings it sets aside stay in the report
//! as suppressed, so that a suppression is itself on the record.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use synthgov_core::finding::{Finding, Location, Report, Severity, Suppressed};

pub const SHIPPED: &str = include_str!("../rules/findings.yaml");

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub severity: Severity,
    pub title: String,
    pub help: String,
    pub regulations: Vec<String>,
    pub remediation: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub version: u32,
    pub disclosure_phrases: Vec<String>,
    pub rules: Vec<Rule>,
}

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("{0}")]
    Parse(String),
    #[error("[scan.rules.{0}]: no such rule (see `synthgov rules`)")]
    UnknownRule(String),
    #[error("[scan.rules.{0}]: a reason is required, it is recorded with every scan")]
    NoReason(String),
}

impl Catalog {
    pub fn shipped() -> Catalog {
        // The shipped file is part of the binary and checked by a test below.
        serde_norway::from_str(SHIPPED)
            .unwrap_or_else(|e| unreachable!("rules/findings.yaml is checked by tests: {e}"))
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// A finding of rule `id`, with the rule's severity, regulations and remediation.
    pub fn finding(
        &self,
        id: &str,
        message: String,
        location: Location,
        asset: Option<String>,
    ) -> Finding {
        let rule = self.get(id);
        Finding {
            rule: id.to_owned(),
            severity: rule.map_or(Severity::High, |r| r.severity),
            message,
            location,
            asset,
            regulations: rule.map(|r| r.regulations.clone()).unwrap_or_default(),
            remediation: rule.map(|r| r.remediation.clone()).unwrap_or_default(),
        }
    }

    /// Lower-cased disclosure phrases, for matching visible text.
    pub fn phrases(&self) -> Vec<String> {
        self.disclosure_phrases
            .iter()
            .map(|p| p.to_lowercase())
            .collect()
    }
}

/// `[scan.rules.ID]` in synthgov.toml.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleOverride {
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub reason: String,
}

fn yes() -> bool {
    true
}

/// What the overrides did to one scan: recorded in its `scan.completed` event.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OverrideUse {
    pub rule: String,
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    pub reason: String,
    pub findings_affected: u64,
}

pub fn check_overrides(
    catalog: &Catalog,
    overrides: &BTreeMap<String, RuleOverride>,
) -> Result<(), RulesError> {
    for (id, o) in overrides {
        if catalog.get(id).is_none() {
            return Err(RulesError::UnknownRule(id.clone()));
        }
        if o.reason.trim().is_empty() {
            return Err(RulesError::NoReason(id.clone()));
        }
    }
    Ok(())
}

/// Applies the overrides: disabled rules' findings move to `suppressed` with the
/// reason; changed severities are set. Returns what each override did.
pub fn apply_overrides(
    report: &mut Report,
    overrides: &BTreeMap<String, RuleOverride>,
) -> Vec<OverrideUse> {
    let mut uses: BTreeMap<&str, u64> = overrides.keys().map(|k| (k.as_str(), 0)).collect();
    let mut kept = Vec::with_capacity(report.findings.len());
    for mut f in std::mem::take(&mut report.findings) {
        match overrides.get(&f.rule) {
            Some(o) if !o.enabled => {
                if let Some(n) = uses.get_mut(f.rule.as_str()) {
                    *n += 1;
                }
                report.suppressed.push(Suppressed {
                    finding: f,
                    reason: o.reason.clone(),
                });
            }
            Some(o) => {
                if let Some(s) = o.severity {
                    f.severity = s;
                    if let Some(n) = uses.get_mut(f.rule.as_str()) {
                        *n += 1;
                    }
                }
                kept.push(f);
            }
            None => kept.push(f),
        }
    }
    report.findings = kept;
    overrides
        .iter()
        .map(|(id, o)| OverrideUse {
            rule: id.clone(),
            enabled: o.enabled,
            severity: o.severity,
            reason: o.reason.clone(),
            findings_affected: uses.get(id.as_str()).copied().unwrap_or(0),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_catalog_has_every_core_rule_once() {
        let c: Catalog = serde_norway::from_str(SHIPPED).expect("rules/findings.yaml parses");
        let core = [
            "SG-DISC-001",
            "SG-DISC-002",
            "SG-DISC-003",
            "SG-DISC-004",
            "SG-DISC-005",
            "SG-MARK-001",
            "SG-SEG-001",
            "SG-SEG-002",
            "SG-TLS-001",
            "SG-TLS-002",
            "SG-GOV-001",
            "SG-GOV-002",
            "SG-GOV-003",
            "SG-GOV-004",
            "SG-GOV-005",
            "SG-GOV-006",
            "SG-GOV-007",
        ];
        for id in core {
            assert_eq!(c.rules.iter().filter(|r| r.id == id).count(), 1, "{id}");
        }
        for r in &c.rules {
            assert!(!r.regulations.is_empty(), "{} cites nothing", r.id);
            assert!(r.name.chars().next().unwrap().is_ascii_uppercase());
        }
        for id in crate::RULE_IDS {
            assert!(
                c.get(id).is_some(),
                "{id} used in code but not in the catalog"
            );
        }
    }

    #[test]
    fn overrides_suppress_and_reseverity_with_reasons() {
        let c = Catalog::shipped();
        let loc = Location::logical("urn:x");
        let mut r = Report {
            findings: vec![
                c.finding("SG-GOV-001", "a".into(), loc.clone(), None),
                c.finding("SG-GOV-003", "b".into(), loc.clone(), None),
            ],
            ..Default::default()
        };
        let mut o = BTreeMap::new();
        o.insert(
            "SG-GOV-001".to_string(),
            RuleOverride {
                enabled: false,
                severity: None,
                reason: "cards live in Confluence".into(),
            },
        );
        o.insert(
            "SG-GOV-003".to_string(),
            RuleOverride {
                enabled: true,
                severity: Some(Severity::Low),
                reason: "tracked".into(),
            },
        );
        check_overrides(&c, &o).unwrap();
        let uses = apply_overrides(&mut r, &o);
        assert_eq!(r.findings.len(), 1);
        assert_eq!(r.findings[0].severity, Severity::Low);
        assert_eq!(r.suppressed.len(), 1);
        assert_eq!(r.suppressed[0].reason, "cards live in Confluence");
        assert_eq!(
            uses.iter().map(|u| u.findings_affected).collect::<Vec<_>>(),
            vec![1, 1]
        );
        o.insert(
            "SG-NOPE-1".into(),
            RuleOverride {
                enabled: false,
                severity: None,
                reason: "x".into(),
            },
        );
        assert!(matches!(
            check_overrides(&c, &o),
            Err(RulesError::UnknownRule(_))
        ));
    }
}
