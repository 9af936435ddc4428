//! `synthgov audit-pack`, `verify-pack` and `audit simulate`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use serde_json::json;
use sha2::{Digest, Sha256};
use synthgov_audit::PackError;
use synthgov_audit::pack::{self, Framework, Inputs, ScanEvidence};
use synthgov_audit::simulate::{self, Sample};
use synthgov_audit::verify::{self, KeySource};
use synthgov_core::finding::{Finding, Report};
use synthgov_ledger::ListQuery;
use synthgov_registry::Registry;
use synthgov_registry::apply::current;
use synthgov_registry::incident::{self, IncidentRules, Status};
use synthgov_scan::rules::Catalog;

use super::Ctx;
use super::inventory::rules_and_dates;
use super::scan::{Executed, execute};
use crate::cli::{AuditCommand, AuditPackArgs, ScanCommand, ScanOutput};
use crate::exit::{Exit, Failure};
use crate::output::{Out, sanitize};

impl From<PackError> for Failure {
    fn from(e: PackError) -> Failure {
        if e.is_bad_input() {
            Failure::bad_input(e)
        } else {
            Failure::environment(e)
        }
    }
}

fn quiet_output() -> ScanOutput {
    ScanOutput {
        format: None,
        fail_on: None,
        output: None,
        repo_root: None,
    }
}

/// The store's model cards whose bytes still match the hash `apply` recorded.
fn supplied_cards(ctx: &Ctx, reg: &Registry) -> Result<BTreeMap<String, String>, Failure> {
    let inv = current(reg)?;
    let mut out = BTreeMap::new();
    for g in &inv.generators {
        let (Some(card), Some(want)) = (&g.model_card, &g.model_card_sha256) else {
            continue;
        };
        let candidates = [
            PathBuf::from(card),
            ctx.home.dir.join(card),
            ctx.home.dir.parent().unwrap_or(Path::new(".")).join(card),
        ];
        for p in candidates {
            if let Ok(text) = std::fs::read_to_string(&p)
                && hex::encode(Sha256::digest(text.as_bytes())) == *want
            {
                out.insert(g.id.clone(), text);
                break;
            }
        }
    }
    Ok(out)
}

/// A saved scan report and the `scan.completed` event that recorded its hash.
fn recorded_report(reg: &Registry, path: &Path) -> Result<(Report, ScanEvidence), Failure> {
    let bytes =
        std::fs::read(path).map_err(|e| Failure::bad_input(anyhow!("{}: {e}", path.display())))?;
    let digest = hex::encode(Sha256::digest(&bytes));
    let report: Report = serde_json::from_slice(&bytes).map_err(|e| {
        Failure::bad_input(anyhow!(
            "{}: line {}: not a synthgov scan JSON report: {e}",
            path.display(),
            e.line()
        ))
    })?;
    let scans = reg.ledger().list(&ListQuery {
        type_prefix: Some("scan.completed".into()),
        from: 0,
        limit: u64::MAX,
    })?;
    let hit = scans
        .iter()
        .rev()
        .find(|(_, v)| v["data"]["report_sha256"].as_str() == Some(digest.as_str()))
        .ok_or_else(|| {
            Failure::bad_input(anyhow!(
                "{}: SHA-256 {digest} matches no recorded scan.completed event; pass the report exactly as `scan --format json -o FILE` wrote it",
                path.display()
            ))
        })?;
    Ok((
        report,
        ScanEvidence {
            scanner: hit.1["data"]["scanner"]
                .as_str()
                .unwrap_or("scan")
                .to_owned(),
            ledger_index: hit.0,
            report_sha256: digest,
        },
    ))
}

fn evidence(x: &Executed) -> ScanEvidence {
    ScanEvidence {
        scanner: x.scanner.to_owned(),
        ledger_index: x.ledger_index,
        report_sha256: x.digest.clone(),
    }
}

/// Merges reports, dropping a finding another report already holds.
fn merge(reports: Vec<Report>) -> Report {
    let mut seen = std::collections::BTreeSet::new();
    let mut findings: Vec<Finding> = Vec::new();
    let mut scanned = 0;
    let mut suppressed = Vec::new();
    for r in reports {
        scanned += r.summary.scanned;
        suppressed.extend(r.suppressed);
        for f in r.findings {
            let key = (
                f.rule.clone(),
                f.location.clone(),
                f.message.clone(),
                f.asset.clone(),
            );
            if seen.insert(key) {
                findings.push(f);
            }
        }
    }
    let mut r = Report {
        findings,
        suppressed,
        ..Default::default()
    }
    .finish(scanned);
    r.suppressed.dedup();
    r
}

pub struct Built {
    pub pack: pack::Pack,
    pub dir: PathBuf,
}

fn build_and_write(
    ctx: &Ctx,
    a: &AuditPackArgs,
    report: &Report,
    scans: Vec<ScanEvidence>,
    catalog: &Catalog,
) -> Result<Built, Failure> {
    let period = a.period.as_deref().map(pack::parse_period).transpose()?;
    let frameworks = a
        .frameworks
        .iter()
        .map(|f| Framework::parse(f))
        .collect::<Result<Vec<_>, _>>()?;
    let (rules, dates) = rules_and_dates(ctx)?;
    let mut reg = Registry::open(&ctx.home)?;
    let cards = supplied_cards(ctx, &reg)?;
    let incident_rules = IncidentRules::shipped();
    let inputs = Inputs {
        period,
        frameworks,
        report,
        scans,
        catalog,
        rules: &rules,
        dates: &dates,
        incident_rules: &incident_rules,
        cards,
        now: time::OffsetDateTime::now_utc(),
        version: env!("CARGO_PKG_VERSION"),
    };
    let built = pack::build(&mut reg, &inputs)?;
    pack::write(&a.out, &built, a.zip)?;
    // After the pack's checkpoint: the record that this pack was handed out.
    let mut data = serde_json::Map::new();
    data.insert("out".into(), json!(a.out.display().to_string()));
    data.insert("manifest_sha256".into(), json!(built.manifest_sha256));
    data.insert("checkpoint_size".into(), json!(built.checkpoint.size));
    data.insert("period".into(), json!(a.period));
    data.insert("files".into(), json!(built.stats.files));
    data.insert("cited_entries".into(), json!(built.stats.cited_entries));
    reg.record(
        &super::inventory::actor(),
        synthgov_registry::policy::Action::AuditPack,
        synthgov_registry::EventType::AuditPackWritten,
        data,
    )?;
    Ok(Built {
        pack: built,
        dir: a.out.clone(),
    })
}

fn print_pack(ctx: &Ctx, b: &Built, a: &AuditPackArgs, out: &mut Out) -> Result<(), Failure> {
    let s = &b.pack.stats;
    if ctx.json {
        return Ok(out.json(&json!({
            "out": b.dir.display().to_string(),
            "zip": a.zip.then(|| format!("{}.zip", b.dir.display())),
            "manifest_sha256": b.pack.manifest_sha256,
            "stats": s,
        }))?);
    }
    out.line(&format!(
        "audit pack written to {}{}: {} files, {} findings, {} incidents ({} overdue), {} ledger entries proved against checkpoint {}",
        sanitize(&b.dir.display().to_string()),
        if a.zip { " (+ .zip)" } else { "" },
        s.files,
        s.findings,
        s.incidents,
        s.overdue_incidents,
        s.cited_entries,
        s.tree_size
    ))?;
    out.line(&format!(
        "verify offline: synthgov verify-pack {} --key '{}'",
        sanitize(&b.dir.display().to_string()),
        std::fs::read_to_string(b.dir.join("ledger/key"))
            .unwrap_or_default()
            .trim()
    ))?;
    Ok(())
}

pub fn run_pack(ctx: &Ctx, a: AuditPackArgs, out: &mut Out) -> Result<Exit, Failure> {
    let built = make_pack(ctx, &a)?;
    print_pack(ctx, &built, &a, out)?;
    Ok(Exit::Ok)
}

/// The governance scan (recorded), the given reports, and the pack on disk.
pub fn make_pack(ctx: &Ctx, a: &AuditPackArgs) -> Result<Built, Failure> {
    // Check the cheap arguments before the scan appends anything.
    if let Some(p) = &a.period {
        pack::parse_period(p)?;
    }
    for f in &a.frameworks {
        Framework::parse(f)?;
    }
    let reg = Registry::open(&ctx.home)?;
    let mut reports = Vec::new();
    let mut scans = Vec::new();
    for p in &a.reports {
        let (r, e) = recorded_report(&reg, p)?;
        reports.push(r);
        scans.push(e);
    }
    drop(reg);
    let gov = execute(
        ctx,
        ScanCommand::Governance {
            inventory: None,
            out: quiet_output(),
        },
    )?;
    scans.push(evidence(&gov));
    reports.push(gov.report.clone());
    let report = merge(reports);
    build_and_write(ctx, a, &report, scans, &gov.catalog)
}

pub fn run_verify(
    ctx: &Ctx,
    dir: &Path,
    key: Option<&str>,
    live: bool,
    out: &mut Out,
) -> Result<Exit, Failure> {
    if !dir.exists() {
        return Err(Failure::bad_input(anyhow!(
            "{}: no such pack folder or .zip",
            dir.display()
        )));
    }
    let _unzipped;
    let folder = if dir.is_file() {
        let tmp = tempfile::tempdir()?;
        let f = verify::unzip(dir, tmp.path()).map_err(|e| Failure::bad_input(anyhow!(e)))?;
        _unzipped = tmp;
        f
    } else {
        dir.to_path_buf()
    };
    let mut o = verify::verify_pack(&folder, key);
    let mut live_size = None;
    if live && o.problems.is_empty() {
        let reg = Registry::open(&ctx.home)?;
        live_size = verify::check_live(&mut o, &reg, &ctx.home.dir.display().to_string())?;
    }
    if ctx.json {
        out.json(&json!({
            "ok": o.ok(),
            "outcome": o,
            "live_size": live_size,
        }))?;
    } else {
        for p in &o.problems {
            out.line(&format!("FAIL {}", sanitize(p)))?;
        }
        if o.ok() {
            out.line(&format!(
                "ok: {} files match the signed manifest; {} ledger entries proved against checkpoint {} of {}{}",
                o.files,
                o.entries,
                o.tree_size.unwrap_or(0),
                o.origin.as_deref().unwrap_or("?"),
                live_size
                    .map(|n| format!("; consistent with today's log ({n} entries)"))
                    .unwrap_or_default()
            ))?;
            if o.key_source == KeySource::Pack {
                out.line(&format!(
                    "note: checked with the pack's own key {}; pin it with --key to check who made the pack",
                    o.key
                ))?;
            }
        } else {
            out.line(&format!(
                "pack does NOT verify: {} problem(s)",
                o.problems.len()
            ))?;
        }
    }
    Ok(if o.ok() { Exit::Ok } else { Exit::CheckFailed })
}

pub fn run_audit(ctx: &Ctx, cmd: AuditCommand, out: &mut Out) -> Result<Exit, Failure> {
    let AuditCommand::Simulate {
        sample,
        seed,
        out: dir,
    } = cmd;
    let all = execute(
        ctx,
        ScanCommand::All {
            config: None,
            out: quiet_output(),
        },
    )?;
    let gov = execute(
        ctx,
        ScanCommand::Governance {
            inventory: None,
            out: quiet_output(),
        },
    )?;
    let scans = vec![evidence(&all), evidence(&gov)];
    let report = merge(vec![all.report.clone(), gov.report.clone()]);

    // The spot check: N storefront pages picked at random, each judged by the
    // disclosure findings the full scan reported on it.
    let home_config = ctx.home.config()?;
    let config = synthgov_scan::config::ScanConfig::from_table(
        home_config.scan.as_ref(),
        &ctx.home.config_path(),
    )
    .map_err(Failure::bad_input)?;
    let mut pages: Vec<String> = Vec::new();
    for root in config.storefront.iter().filter(|s| !s.contains("://")) {
        for e in walkdir::WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
        {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "html" || x == "htm")
                && let Ok(rel) = p.strip_prefix(root)
            {
                pages.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    use rand::SeedableRng;
    use rand::seq::SliceRandom;
    let seed = seed.unwrap_or_else(rand::random);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let picked: Vec<String> = pages
        .choose_multiple(&mut rng, sample.min(pages.len()))
        .cloned()
        .collect();
    let mut s = Sample::default();
    for p in &picked {
        let n = report
            .findings
            .iter()
            .filter(|f| f.rule.starts_with("SG-DISC-") && f.location.uri == *p)
            .count() as u64;
        s.pages += 1;
        s.pages_undisclosed += (n > 0) as u64;
        s.detail.push((p.clone(), n));
    }

    let date = time::OffsetDateTime::now_utc().date();
    let a = AuditPackArgs {
        out: dir.unwrap_or_else(|| PathBuf::from(format!("audit-simulation-{date}"))),
        period: None,
        frameworks: vec![],
        zip: false,
        reports: vec![],
    };
    let built = build_and_write(ctx, &a, &report, scans, &all.catalog)?;
    let reg = Registry::open(&ctx.home)?;
    let rules = IncidentRules::shipped();
    let now = time::OffsetDateTime::now_utc();
    let mut open = 0;
    let mut overdue = Vec::new();
    for inc in incident::list(&reg)? {
        if inc.status == Status::Open {
            open += 1;
        }
        if incident::clocks(&rules, &inc, now)?
            .iter()
            .any(|c| c.state.overdue())
        {
            overdue.push(inc.id.clone());
        }
    }
    let score = simulate::score(&report, &built.pack.stats.provenance, open, &overdue, &s);
    let expiring = report
        .findings
        .iter()
        .filter(|f| f.rule == "SG-GOV-003")
        .count();
    if ctx.json {
        out.json(&json!({
            "score": score,
            "sample": { "seed": seed, "pages": s.pages, "pages_undisclosed": s.pages_undisclosed, "detail": s.detail },
            "findings": report.summary,
            "provenance": built.pack.stats.provenance,
            "attestations_expired_or_expiring": expiring,
            "open_incidents": open,
            "overdue_incidents": overdue,
            "pack": built.dir.display().to_string(),
        }))?;
    } else {
        out.line(&format!(
            "audit rehearsal: score {}/100 ({})",
            score.score, score.grade
        ))?;
        out.line(&format!(
            "  findings: {} (full scan and governance); sample: {} of {} pages with undisclosed content (seed {seed}); {} attestation(s) expired or expiring; {} open incident(s), {} past a deadline",
            report.findings.len(),
            s.pages_undisclosed,
            s.pages,
            expiring,
            open,
            overdue.len()
        ))?;
        let p = &built.pack.stats.provenance;
        out.line(&format!(
            "  provenance: lineage {}/{}, disclosed {}/{}, media marked {}/{}",
            p.with_lineage,
            p.synthetic_assets,
            p.disclosed,
            p.synthetic_assets,
            p.machine_marked,
            p.media
        ))?;
        if !score.fix_first.is_empty() {
            out.line("fix first:")?;
            for (i, f) in score.fix_first.iter().enumerate() {
                out.line(&format!(
                    "  {}. {} [{}; -{:.1}]",
                    i + 1,
                    sanitize(&f.what),
                    f.why,
                    f.points
                ))?;
            }
        }
        print_pack(ctx, &built, &a, out)?;
    }
    Ok(Exit::Ok)
}
