//! The finding: one shape everywhere (CLI `--json`, API, audit packs), as fixed by
//! `shared/spec/findings.md`. Scanners return these; renderers print them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Ordered so that `a >= b` reads "a is at least as severe as b".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a finding is. `uri` is relative to the scanned root for files; for database
/// rows and URLs it is the logical name (`postgres://host/db/table#id=7`,
/// `https://shop.example/p/1`, `magento://default/sku/MH01`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Location {
    pub uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
}

impl Location {
    pub fn file(uri: impl Into<String>, line: Option<u64>, selector: Option<String>) -> Self {
        Location {
            uri: uri.into(),
            line,
            selector,
        }
    }

    pub fn logical(uri: impl Into<String>) -> Self {
        Location {
            uri: uri.into(),
            line: None,
            selector: None,
        }
    }

    /// Files are named by a relative path; anything with a scheme is logical
    /// (a database row, a URL, a platform object).
    pub fn is_logical(&self) -> bool {
        self.uri.contains("://") || self.uri.starts_with("urn:")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    pub regulations: Vec<String>,
    pub remediation: String,
}

/// Something the scan could not look at (an unreadable file, an unreachable page).
/// The rest of the scan goes on; the report says what was skipped and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ScanProblem {
    pub uri: String,
    pub message: String,
}

/// A finding the store's config set aside, with the reason it gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppressed {
    pub finding: Finding,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Summary {
    /// Pages, files, rows or objects examined.
    pub scanned: u64,
    pub findings: u64,
    pub by_severity: BTreeMap<Severity, u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub summary: Summary,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<Suppressed>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ScanProblem>,
}

impl Report {
    /// Sorts findings into a stable order (rule, location) and recomputes the summary,
    /// so that the same store scanned twice gives byte-identical JSON.
    pub fn finish(mut self, scanned: u64) -> Report {
        self.findings.sort_by(|a, b| {
            (&a.rule, &a.location, &a.asset).cmp(&(&b.rule, &b.location, &b.asset))
        });
        self.findings.dedup();
        self.problems.sort();
        self.problems.dedup();
        let mut by = BTreeMap::new();
        for s in Severity::ALL {
            by.insert(s, 0);
        }
        for f in &self.findings {
            *by.entry(f.severity).or_insert(0) += 1;
        }
        self.summary = Summary {
            scanned,
            findings: self.findings.len() as u64,
            by_severity: by,
        };
        self
    }

    /// True when a finding is at or above `threshold` (the CI gate).
    pub fn fails(&self, threshold: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= threshold)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_and_serialize_lowercase() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::Medium > Severity::Low);
        let r = Report::default().finish(3);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(
            v["summary"]["by_severity"],
            serde_json::json!({"critical": 0, "high": 0, "medium": 0, "low": 0})
        );
        assert!(!r.fails(Severity::Low));
    }
}
