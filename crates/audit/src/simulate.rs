//! The quarterly audit rehearsal's score: what an auditor would find, weighed, and
//! what to fix first. The weights are stated here and in docs/AUDIT.md so that a score
//! can be argued with.

use std::collections::BTreeMap;

use serde::Serialize;
use synthgov_core::finding::{Report, Severity};

use crate::pack::Provenance;

/// What the rehearsal's page sample saw.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Sample {
    pub pages: u64,
    /// Pages with at least one disclosure finding (SG-DISC-*).
    pub pages_undisclosed: u64,
    /// The sampled pages with their disclosure findings.
    pub detail: Vec<(String, u64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FixItem {
    pub what: String,
    pub why: String,
    pub points: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Score {
    /// 0 to 100.
    pub score: u32,
    pub grade: &'static str,
    pub fix_first: Vec<FixItem>,
    pub deductions: BTreeMap<String, f64>,
}

fn per_finding(s: Severity) -> (f64, f64) {
    // (points each, cap for the severity)
    match s {
        Severity::Critical => (10.0, 40.0),
        Severity::High => (5.0, 30.0),
        Severity::Medium => (2.0, 15.0),
        Severity::Low => (0.5, 5.0),
    }
}

pub fn score(
    report: &Report,
    provenance: &Provenance,
    open_incidents: u64,
    overdue_incidents: &[String],
    sample: &Sample,
) -> Score {
    let mut deductions: BTreeMap<String, f64> = BTreeMap::new();
    let mut by_rule: BTreeMap<(String, Severity), u64> = BTreeMap::new();
    for f in &report.findings {
        *by_rule.entry((f.rule.clone(), f.severity)).or_default() += 1;
    }
    let mut by_sev: BTreeMap<Severity, f64> = BTreeMap::new();
    for ((_, sev), n) in &by_rule {
        *by_sev.entry(*sev).or_default() += per_finding(*sev).0 * *n as f64;
    }
    for (sev, pts) in by_sev {
        deductions.insert(format!("findings {sev}"), pts.min(per_finding(sev).1));
    }
    if !overdue_incidents.is_empty() {
        deductions.insert(
            "incidents past a notification deadline".into(),
            (15.0 * overdue_incidents.len() as f64).min(30.0),
        );
    }
    if open_incidents > 0 {
        deductions.insert(
            "open incidents".into(),
            (2.0 * open_incidents as f64).min(10.0),
        );
    }
    let p = provenance;
    let lin = Provenance::share(p.with_lineage, p.synthetic_assets);
    let dis = Provenance::share(p.disclosed, p.synthetic_assets);
    let mark = Provenance::share(p.machine_marked, p.media);
    deductions.insert("assets without full lineage".into(), 10.0 * (1.0 - lin));
    deductions.insert("assets not disclosed".into(), 10.0 * (1.0 - dis));
    deductions.insert("media not machine-marked".into(), 5.0 * (1.0 - mark));
    if sample.pages > 0 {
        deductions.insert(
            "sampled pages with undisclosed content".into(),
            10.0 * sample.pages_undisclosed as f64 / sample.pages as f64,
        );
    }
    deductions.retain(|_, v| *v > 0.0);
    let total: f64 = deductions.values().sum();
    let score = (100.0 - total).clamp(0.0, 100.0).round() as u32;
    let grade = match score {
        90..=100 => "ready",
        75..=89 => "minor gaps",
        50..=74 => "significant gaps",
        _ => "not ready",
    };

    let mut fix = Vec::new();
    for id in overdue_incidents {
        fix.push(FixItem {
            what: format!("Notify the authorities for incident {id} and record it (`synthgov incident update {id} --notified CLOCK`)"),
            why: "a regulatory notification deadline has passed (SG-GOV-006)".into(),
            points: 15.0,
        });
    }
    for ((rule, sev), n) in &by_rule {
        let remediation = report
            .findings
            .iter()
            .find(|f| &f.rule == rule)
            .map(|f| f.remediation.clone())
            .unwrap_or_default();
        fix.push(FixItem {
            what: format!("{rule} ({n} x {sev}): {remediation}"),
            why: format!("{n} {sev} finding(s)"),
            points: per_finding(*sev).0 * *n as f64,
        });
    }
    if lin < 1.0 {
        fix.push(FixItem {
            what: "Register every synthetic asset with its generator, and name each generator's source data in the inventory".into(),
            why: format!("{:.0}% of synthetic assets have full lineage", lin * 100.0),
            points: 10.0 * (1.0 - lin),
        });
    }
    if dis < 1.0 {
        fix.push(FixItem {
            what: "Disclose AI-generated content where it is published (`synthgov disclose html|magento|shopify`)".into(),
            why: format!("{:.0}% of synthetic assets are disclosed", dis * 100.0),
            points: 10.0 * (1.0 - dis),
        });
    }
    if mark < 1.0 {
        fix.push(FixItem {
            what: "Add C2PA content credentials to AI images (`synthgov disclose image`)".into(),
            why: format!("{:.0}% of synthetic media are machine-marked", mark * 100.0),
            points: 5.0 * (1.0 - mark),
        });
    }
    fix.sort_by(|a, b| b.points.total_cmp(&a.points));
    fix.truncate(10);
    Score {
        score,
        grade,
        fix_first: fix,
        deductions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use synthgov_core::finding::{Finding, Location};

    fn f(rule: &str, sev: Severity) -> Finding {
        Finding {
            rule: rule.into(),
            severity: sev,
            message: "m".into(),
            location: Location::logical("x"),
            asset: None,
            regulations: vec![],
            remediation: "fix it".into(),
        }
    }

    #[test]
    fn clean_store_scores_100_and_findings_weigh_by_severity() {
        let full = Provenance {
            synthetic_assets: 4,
            with_lineage: 4,
            disclosed: 4,
            media: 2,
            machine_marked: 2,
            reported_disclosed: 0,
        };
        let clean = score(&Report::default(), &full, 0, &[], &Sample::default());
        assert_eq!((clean.score, clean.grade), (100, "ready"));
        assert!(clean.fix_first.is_empty());

        let r = Report {
            findings: vec![
                f("SG-DISC-001", Severity::High),
                f("SG-DISC-001", Severity::High),
                f("SG-GOV-001", Severity::Medium),
            ],
            ..Default::default()
        };
        let s = score(&r, &full, 1, &["INC-0001".into()], &Sample::default());
        // 2 x 5 + 2 + 15 (overdue) + 2 (open)
        assert_eq!(s.score, 100 - 29);
        assert!(s.fix_first[0].what.contains("INC-0001"));
        assert!(s.fix_first[1].what.starts_with("SG-DISC-001 (2 x high)"));
        // Caps: 100 critical findings cost at most 40.
        let many = Report {
            findings: (0..100)
                .map(|_| f("SG-GOV-005", Severity::Critical))
                .collect(),
            ..Default::default()
        };
        assert_eq!(score(&many, &full, 0, &[], &Sample::default()).score, 60);
    }
}
