//! The text rendering: findings grouped by severity, then rule, one line each with its
//! location; colour only when asked (the CLI asks when stdout is a terminal).

use std::fmt::Write;

use synthgov_core::finding::{Report, Severity};

pub fn to_text(report: &Report, colour: bool) -> String {
    let paint = |s: Severity, t: &str| -> String {
        if !colour {
            return t.to_owned();
        }
        let code = match s {
            Severity::Critical => "1;35",
            Severity::High => "1;31",
            Severity::Medium => "33",
            Severity::Low => "36",
        };
        format!("\x1b[{code}m{t}\x1b[0m")
    };
    let mut out = String::new();
    for sev in Severity::ALL {
        let group: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.severity == sev)
            .collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "{}",
            paint(
                sev,
                &format!("{} ({})", sev.as_str().to_uppercase(), group.len())
            )
        );
        for f in group {
            let mut at = f.location.uri.clone();
            if let Some(l) = f.location.line {
                let _ = write!(at, ":{l}");
            }
            if let Some(s) = &f.location.selector {
                let _ = write!(at, " {s}");
            }
            let _ = writeln!(out, "  {} {}", paint(sev, &f.rule), clean(&f.message));
            let _ = writeln!(out, "      at {}", clean(&at));
            let _ = writeln!(out, "      fix: {}", f.remediation);
        }
    }
    if !report.suppressed.is_empty() {
        let _ = writeln!(out, "SUPPRESSED by config ({})", report.suppressed.len());
        for s in &report.suppressed {
            let _ = writeln!(
                out,
                "  {} at {}: {}",
                s.finding.rule,
                clean(&s.finding.location.uri),
                clean(&s.reason)
            );
        }
    }
    if !report.problems.is_empty() {
        let _ = writeln!(out, "NOT SCANNED ({})", report.problems.len());
        for p in &report.problems {
            let _ = writeln!(out, "  {}: {}", clean(&p.uri), clean(&p.message));
        }
    }
    let s = &report.summary;
    let counts: Vec<String> = Severity::ALL
        .iter()
        .map(|sev| {
            format!(
                "{} {}",
                s.by_severity.get(sev).copied().unwrap_or(0),
                sev.as_str()
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "{} scanned, {} findings ({})",
        s.scanned,
        s.findings,
        counts.join(", ")
    );
    out
}

/// Scanned content can hold terminal escapes; never pass them through.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}
