//! `synthgov scan ...` and `synthgov rules`: run the scanners, apply the store's rule
//! overrides, record `scan.completed`, render, and exit by `--fail-on`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use serde_json::{Map, json};
use sha2::{Digest, Sha256};
use synthgov_core::finding::{Report, ScanProblem, Severity};
use synthgov_registry::Registry;
use synthgov_scan::config::ScanConfig;
use synthgov_scan::known::Known;
use synthgov_scan::rules::{Catalog, apply_overrides, check_overrides};
use synthgov_scan::storefront::{Ctx as PageCtx, FolderOptions};
use synthgov_scan::{governance, platform as platform_scan, segregation, storefront};
use synthgov_synth::fingerprint::Keys;
use synthgov_synth::governed::known_versions;

use super::Ctx;
use super::inventory::{actor, rules_and_dates};
use crate::cli::ScanCommand;
use crate::exit::{Exit, Failure};
use crate::output::{Out, sanitize};
use crate::progress;

/// What one scan produced before rendering.
struct Run {
    report: Report,
    scanned: u64,
    targets: Vec<String>,
    /// Scanners of `scan all` that failed (the others ran).
    failed: Vec<String>,
}

impl Run {
    fn new() -> Run {
        Run {
            report: Report::default(),
            scanned: 0,
            targets: Vec::new(),
            failed: Vec::new(),
        }
    }

    /// Takes the outcome of one scanner of `scan all`: a failure becomes a problem
    /// of the report (and fails the gate) instead of stopping the others.
    fn part(&mut self, scanner: &str, r: Result<(), Failure>) {
        if let Err(f) = r {
            self.report.problems.push(ScanProblem {
                uri: format!("synthgov:scanner/{scanner}"),
                message: format!("the {scanner} scan failed; the others ran: {:#}", f.error),
            });
            self.failed.push(scanner.to_owned());
        }
    }
}

pub fn run_rules(ctx: &Ctx, out: &mut Out) -> Result<Exit, Failure> {
    let catalog = Catalog::shipped();
    if ctx.json {
        out.json(&catalog.rules)?;
        return Ok(Exit::Ok);
    }
    for r in &catalog.rules {
        out.line(&format!(
            "{:<12} {:<8} {}",
            r.id,
            r.severity.as_str(),
            r.title
        ))?;
        out.line(&format!("             {}", r.regulations.join("; ")))?;
        out.line(&format!("             fix: {}", r.remediation))?;
    }
    out.line("")?;
    out.line("Change a severity or turn a rule off in synthgov.toml (the reason is recorded):")?;
    out.line("  [scan.rules.SG-GOV-003]\n  severity = \"low\"\n  reason = \"renewals tracked in procurement\"")?;
    Ok(Exit::Ok)
}

/// A scan run and recorded: what rendering and the audit commands need.
pub struct Executed {
    pub report: Report,
    pub catalog: Catalog,
    pub scanner: &'static str,
    pub fail_on: Severity,
    /// The JSON report exactly as hashed into the `scan.completed` event.
    pub json_bytes: Vec<u8>,
    pub digest: String,
    pub ledger_index: u64,
    pub opts: crate::cli::ScanOutput,
    /// What was scanned (folders, URLs, databases with credentials redacted).
    pub targets: Vec<String>,
    /// Scanners of `scan all` that could not run: the gate fails.
    pub failed: Vec<String>,
}

/// Where SARIF file locations are rooted: `--repo-root`, else the git top level of
/// the current folder, else the scanned folder; the scanned folder's path below the
/// root prefixes each finding's uri.
fn sarif_base(
    repo_root: Option<&std::path::Path>,
    targets: &[String],
) -> Option<synthgov_scan::sarif::Base> {
    let folder = targets
        .iter()
        .map(std::path::Path::new)
        .find(|p| p.is_dir())
        .and_then(|p| p.canonicalize().ok());
    let root = match repo_root {
        Some(r) => r.canonicalize().ok(),
        None => std::process::Command::new("git")
            .args(["rev-parse", "--show-toplevel"])
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| std::path::PathBuf::from(s.trim()))
            .and_then(|p| p.canonicalize().ok()),
    }
    .or_else(|| folder.clone())?;
    // A folder outside the repository is its own root.
    let (root, prefix) = match folder {
        Some(f) => match f.strip_prefix(&root) {
            Ok(p) => (root.clone(), p.to_string_lossy().into_owned()),
            Err(_) => (f, String::new()),
        },
        None => (root, String::new()),
    };
    Some(synthgov_scan::sarif::Base { root, prefix })
}

pub fn run_scan(ctx: &Ctx, cmd: ScanCommand, out: &mut Out) -> Result<Exit, Failure> {
    let x = execute(ctx, cmd)?;
    render(ctx, x, out)
}

/// Runs the scanners of `cmd`, applies the store's overrides and records
/// `scan.completed`.
pub fn execute(ctx: &Ctx, cmd: ScanCommand) -> Result<Executed, Failure> {
    let catalog = Catalog::shipped();
    let home_config = ctx.home.config()?;
    let (config, scanner, opts) = match &cmd {
        ScanCommand::All { config, out: o } => {
            let c = match config {
                Some(p) => ScanConfig::read(p).map_err(Failure::bad_input)?,
                None => ScanConfig::from_table(home_config.scan.as_ref(), &ctx.home.config_path())
                    .map_err(Failure::bad_input)?,
            };
            (c, "all", o.clone())
        }
        other => {
            let c = ScanConfig::from_table(home_config.scan.as_ref(), &ctx.home.config_path())
                .map_err(Failure::bad_input)?;
            let (name, o) = match other {
                ScanCommand::Storefront { out, .. } => ("storefront", out),
                ScanCommand::Governance { out, .. } => ("governance", out),
                ScanCommand::Segregation { out, .. } => ("segregation", out),
                ScanCommand::Magento { out, .. } => ("magento", out),
                ScanCommand::Shopify { out, .. } => ("shopify", out),
                ScanCommand::All { out, .. } => ("all", out),
            };
            (c, name, o.clone())
        }
    };
    check_overrides(&catalog, &config.rules).map_err(Failure::bad_input)?;
    let mut reg = Registry::open(&ctx.home)?;
    let mut run = Run::new();

    match cmd {
        ScanCommand::Storefront {
            target,
            origin,
            max_page_bytes,
            max_pages,
            max_depth,
            concurrency,
            timeout,
            encoding,
            ..
        } => {
            let known = Known::from_assets(&reg.assets()?);
            let opts = FolderOptions {
                max_page_bytes,
                origin,
                encoding: encoding
                    .as_deref()
                    .map(super::disclose::encoding_label)
                    .transpose()?,
            };
            let crawl = synthgov_scan::crawl::CrawlOptions {
                max_pages,
                max_depth,
                concurrency,
                timeout: std::time::Duration::from_secs(timeout),
                max_page_bytes,
            };
            scan_storefront(ctx, &catalog, &known, &target, &opts, &crawl, &mut run)?;
        }
        ScanCommand::Governance { inventory, .. } => {
            scan_governance(ctx, &catalog, &reg, &mut run)?;
            if let Some(file) = inventory {
                locate_in_inventory(&file, &mut run.report.findings)?;
            }
        }
        ScanCommand::Segregation {
            targets,
            tables,
            no_synthetic_check,
            ..
        } => scan_segregation(
            ctx,
            &catalog,
            &reg,
            &targets,
            &tables,
            !no_synthetic_check,
            &mut run,
        )?,
        ScanCommand::Magento {
            db,
            ai_attribute,
            disclosure_attribute,
            media_dir,
            env,
            ..
        } => {
            if db.is_none() && env.is_none() {
                return Err(Failure::bad_input(anyhow!(
                    "scan magento: give --db mysql://... and/or --env app/etc/env.php"
                )));
            }
            let known = Known::from_assets(&reg.assets()?);
            let m = platform_scan::MagentoScan {
                db,
                ai_attribute,
                disclosure_attribute,
                media_dir,
                env,
            };
            scan_magento(&catalog, &known, &m, &mut run)?;
        }
        ScanCommand::Shopify { csv, json_file, .. } => {
            let known = Known::from_assets(&reg.assets()?);
            let (path, is_csv) = match (csv, json_file) {
                (Some(p), _) => (p, true),
                (None, Some(p)) => (p, false),
                (None, None) => {
                    return Err(Failure::bad_input(anyhow!(
                        "scan shopify: give --csv FILE or --json FILE"
                    )));
                }
            };
            scan_shopify(&catalog, &known, &path, is_csv, &mut run)?;
        }
        ScanCommand::All { .. } => {
            let known = Known::from_assets(&reg.assets()?);
            let opts = FolderOptions {
                origin: config.storefront_origin.clone(),
                ..Default::default()
            };
            for target in &config.storefront {
                let r = scan_storefront(
                    ctx,
                    &catalog,
                    &known,
                    target,
                    &opts,
                    &Default::default(),
                    &mut run,
                );
                run.part("storefront", r);
            }
            if let Some(m) = &config.magento {
                let m = platform_scan::MagentoScan {
                    db: m.db.clone(),
                    ai_attribute: m.ai_attribute.clone(),
                    disclosure_attribute: m.disclosure_attribute.clone(),
                    media_dir: m.media_dir.clone(),
                    env: m.env.clone(),
                };
                let r = scan_magento(&catalog, &known, &m, &mut run);
                run.part("magento", r);
            }
            for p in &config.shopify_csv {
                let r = scan_shopify(&catalog, &known, p, true, &mut run);
                run.part("shopify", r);
            }
            for p in &config.shopify_json {
                let r = scan_shopify(&catalog, &known, p, false, &mut run);
                run.part("shopify", r);
            }
            if !config.segregation.is_empty() {
                let tables = config.segregation_tables.clone();
                let r = scan_segregation(
                    ctx,
                    &catalog,
                    &reg,
                    &config.segregation,
                    &tables,
                    true,
                    &mut run,
                );
                run.part("segregation", r);
            }
            if config.governance {
                let r = scan_governance(ctx, &catalog, &reg, &mut run);
                run.part("governance", r);
            }
        }
    }

    let uses = apply_overrides(&mut run.report, &config.rules);
    let report = std::mem::take(&mut run.report).finish(run.scanned);
    let fail_on = match opts.fail_on.as_deref() {
        Some(s) => Severity::parse(s).unwrap_or(Severity::High),
        None => config.fail_on.unwrap_or(Severity::High),
    };
    let mut json_bytes = serde_json::to_vec_pretty(&report).map_err(Failure::environment)?;
    json_bytes.push(b'\n');
    let digest = hex::encode(Sha256::digest(&json_bytes));

    let mut data = Map::new();
    data.insert("scanner".into(), json!(scanner));
    data.insert("targets".into(), json!(run.targets));
    data.insert("scanned".into(), json!(report.summary.scanned));
    data.insert("findings".into(), json!(report.summary.findings));
    data.insert(
        "by_severity".into(),
        serde_json::to_value(&report.summary.by_severity).map_err(Failure::environment)?,
    );
    data.insert("fail_on".into(), json!(fail_on.as_str()));
    data.insert(
        "passed".into(),
        json!(!report.fails(fail_on) && run.failed.is_empty()),
    );
    if !run.failed.is_empty() {
        data.insert("failed_scanners".into(), json!(run.failed));
    }
    data.insert("report_sha256".into(), json!(digest));
    data.insert("not_scanned".into(), json!(report.problems.len()));
    if !uses.is_empty() {
        data.insert(
            "overrides".into(),
            serde_json::to_value(&uses).map_err(Failure::environment)?,
        );
    }
    let receipt = reg.record(
        &actor(),
        synthgov_registry::policy::Action::Scan,
        synthgov_registry::EventType::ScanCompleted,
        data,
    )?;
    Ok(Executed {
        report,
        catalog,
        scanner,
        fail_on,
        json_bytes,
        digest,
        ledger_index: receipt.first_index,
        opts,
        targets: run.targets,
        failed: run.failed,
    })
}

fn render(ctx: &Ctx, x: Executed, out: &mut Out) -> Result<Exit, Failure> {
    let Executed {
        report,
        catalog,
        scanner,
        fail_on,
        json_bytes,
        digest,
        ledger_index,
        opts,
        targets,
        failed,
    } = x;
    let format = match opts.format.as_deref() {
        Some(f) => f,
        None if ctx.json => "json",
        None => "text",
    };
    let rendered: Vec<u8> = match format {
        "json" => json_bytes,
        "sarif" => {
            let base = sarif_base(opts.repo_root.as_deref(), &targets);
            let sarif = synthgov_scan::sarif::to_sarif_based(
                &report,
                &catalog,
                env!("CARGO_PKG_VERSION"),
                base.as_ref(),
            );
            // GitHub code scanning refuses a whole file when one result has no file
            // location: say so, rather than let the upload fail later.
            let unplaced = report
                .findings
                .iter()
                .chain(report.suppressed.iter().map(|s| &s.finding))
                .filter(|f| f.location.is_logical())
                .count();
            if unplaced > 0 {
                eprintln!(
                    "synthgov: warning: {unplaced} SARIF result(s) name a database row, URL or inventory object and no file; GitHub code scanning rejects such a file (scan governance: give --inventory FILE; Shopify: scan the export file)"
                );
            }
            let mut v = serde_json::to_vec_pretty(&sarif).map_err(Failure::environment)?;
            v.push(b'\n');
            v
        }
        _ => {
            let colour = opts.output.is_none() && std::io::stdout().is_terminal();
            synthgov_scan::text::to_text(&report, colour).into_bytes()
        }
    };
    let gate_fails = report.fails(fail_on) || !failed.is_empty();
    if !failed.is_empty() {
        eprintln!(
            "synthgov: error: scanner(s) that could not run: {} (see the report's problems); the gate fails",
            failed.join(", ")
        );
    }
    let verdict = if gate_fails { "FAILED" } else { "passed" };
    match &opts.output {
        Some(path) => {
            write_atomic(path, &rendered)?;
            out.line(&format!(
                "scan {scanner}: {} scanned, {} findings, gate {verdict} (--fail-on {}); report {} (sha256 of JSON {digest}); ledger entry {}",
                report.summary.scanned,
                report.summary.findings,
                fail_on.as_str(),
                sanitize(&path.display().to_string()),
                ledger_index
            ))?;
        }
        None => {
            out.text(&String::from_utf8_lossy(&rendered))?;
            if format == "text" {
                out.line(&format!(
                    "gate {verdict} (--fail-on {}); recorded as ledger entry {} (report sha256 {digest})",
                    fail_on.as_str(),
                    ledger_index
                ))?;
            }
        }
    }
    Ok(if gate_fails {
        Exit::CheckFailed
    } else {
        Exit::Ok
    })
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    synthgov_core::fsutil::write_atomic(path, bytes, true)
        .map_err(|e| Failure::environment(anyhow!("{}: {e}", path.display())))
}

fn merge(
    run: &mut Run,
    findings: Vec<synthgov_core::finding::Finding>,
    problems: Vec<ScanProblem>,
    scanned: u64,
) {
    run.report.findings.extend(findings);
    run.report.problems.extend(problems);
    run.scanned += scanned;
}

fn scan_storefront(
    ctx: &Ctx,
    catalog: &Catalog,
    known: &Known,
    target: &str,
    opts: &FolderOptions,
    crawl: &synthgov_scan::crawl::CrawlOptions,
    run: &mut Run,
) -> Result<(), Failure> {
    let mut page_ctx = PageCtx::new(known, catalog);
    page_ctx.encoding = opts.encoding;
    run.targets.push(target.to_owned());
    if target.starts_with("http://") || target.starts_with("https://") {
        let bar = progress::bar(Some(crawl.max_pages as u64), "pages", ctx.quiet);
        bar.set_message("crawling");
        let (r, scanned) = synthgov_scan::crawl::crawl(&page_ctx, target, crawl, &|| bar.inc(1))
            .map_err(Failure::bad_input)?;
        bar.finish_and_clear();
        merge(run, r.findings, r.problems, scanned);
        return Ok(());
    }
    let root = PathBuf::from(target);
    if !root.is_dir() {
        return Err(Failure::bad_input(anyhow!(
            "{target}: not a folder of saved pages (or an http(s):// URL)"
        )));
    }
    let total: u64 = storefront::pages(&root)
        .map_err(|e| Failure::bad_input(anyhow!("{target}: {e}")))?
        .iter()
        .map(|(_, p)| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum();
    let bar = progress::bar(Some(total), "bytes", ctx.quiet);
    bar.set_message("pages");
    let (r, scanned) = storefront::scan_folder(&page_ctx, &root, opts, &|n| bar.inc(n))
        .map_err(|e| Failure::bad_input(anyhow!("{target}: {e}")))?;
    bar.finish_and_clear();
    merge(run, r.findings, r.problems, scanned);
    Ok(())
}

/// Findings about inventory objects (`synthgov://inventory/<kind>/<id>`) located in
/// the inventory file at the line declaring the object; the object stays as the
/// selector (SARIF: a logical location beside the physical one).
fn locate_in_inventory(
    file: &std::path::Path,
    findings: &mut [synthgov_core::finding::Finding],
) -> Result<(), Failure> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::bad_input(anyhow::anyhow!("--inventory {}: {e}", file.display())))?;
    // Absolute, so SARIF can place findings relative to the repository root.
    let name = file
        .canonicalize()
        .unwrap_or_else(|_| file.to_owned())
        .display()
        .to_string();
    for f in findings {
        let Some(rest) = f.location.uri.strip_prefix("synthgov://inventory/") else {
            continue;
        };
        let Some((_, id)) = rest.split_once('/') else {
            continue;
        };
        let Some(line) = synthgov_registry::parse::locate(&text, id, id) else {
            continue;
        };
        let object = std::mem::replace(&mut f.location.uri, name.clone());
        f.location.line = Some(line as u64);
        f.location.selector = Some(object);
    }
    Ok(())
}

fn scan_governance(
    ctx: &Ctx,
    catalog: &Catalog,
    reg: &Registry,
    run: &mut Run,
) -> Result<(), Failure> {
    let (rules, dates) = rules_and_dates(ctx)?;
    let (findings, scanned) = governance::scan_registry(
        catalog,
        reg,
        &rules,
        &dates,
        time::OffsetDateTime::now_utc(),
    )?;
    run.targets.push("inventory".into());
    merge(run, findings, vec![], scanned);
    Ok(())
}

fn scan_segregation(
    ctx: &Ctx,
    catalog: &Catalog,
    reg: &Registry,
    targets: &[String],
    tables: &[String],
    synthetic_check: bool,
    run: &mut Run,
) -> Result<(), Failure> {
    let keys = Keys::new(ctx.home.marker_secret()?);
    let known = known_versions(reg).map_err(|e| Failure::environment(anyhow!("{e}")))?;
    let assets = reg.assets()?;
    let inp = segregation::Inputs {
        keys: &keys,
        known: &known,
        catalog,
    };
    // Files registered as part of a synthetic dataset: checked for real data, never
    // reported as "synthetic rows in production" (they are the synthetic data).
    let dataset_files: std::collections::HashMap<String, (String, String)> = assets
        .iter()
        .filter(|a| a.dataset.is_some() && a.kind == "tabular")
        .filter_map(|a| {
            let path = a.uri.strip_prefix("file://")?;
            Some((
                path.to_owned(),
                (a.dataset.clone()?, a.sha256.clone().unwrap_or_default()),
            ))
        })
        .collect();
    let mut res = segregation::SegResult::default();
    let bar = progress::bar(None, "rows", ctx.quiet);
    for t in targets {
        run.targets.push(segregation::redact_url(t));
        if t.contains("://") {
            bar.set_message(segregation::redact_url(t));
            segregation::scan_database(&inp, t, tables, &mut res);
            continue;
        }
        let root = Path::new(t);
        if !root.exists() {
            return Err(Failure::bad_input(anyhow!("{t}: no such file or folder")));
        }
        for file in segregation::data_files(root) {
            let uri = file.display().to_string();
            let abs = std::fs::canonicalize(&file).unwrap_or(file.clone());
            bar.set_message(uri.clone());
            if dataset_files.contains_key(&abs.display().to_string()) {
                continue;
            }
            segregation::scan_file(&inp, &file, &uri, &mut res);
            bar.set_position(res.rows);
        }
    }
    if synthetic_check {
        for (path, (dataset, _)) in &dataset_files {
            let p = Path::new(path);
            if p.is_file() {
                bar.set_message(path.clone());
                segregation::check_synthetic_file(catalog, p, path, dataset, &mut res);
            }
        }
    }
    bar.finish_and_clear();
    merge(run, res.findings, res.problems, res.rows);
    Ok(())
}

fn scan_magento(
    catalog: &Catalog,
    known: &Known,
    m: &platform_scan::MagentoScan,
    run: &mut Run,
) -> Result<(), Failure> {
    if let Some(db) = &m.db {
        run.targets.push(segregation::redact_url(db));
    }
    if let Some(env) = &m.env {
        run.targets.push(env.display().to_string());
    }
    let r = platform_scan::scan_magento(catalog, known, m).map_err(|e| {
        if e.is_bad_input() {
            Failure::bad_input(e)
        } else {
            Failure::environment(e)
        }
    })?;
    merge(run, r.findings, r.problems, r.scanned);
    Ok(())
}

fn scan_shopify(
    catalog: &Catalog,
    known: &Known,
    path: &Path,
    csv: bool,
    run: &mut Run,
) -> Result<(), Failure> {
    run.targets.push(path.display().to_string());
    // Absolute, so SARIF can place findings relative to the repository root.
    let path = &path.canonicalize().unwrap_or_else(|_| path.to_owned());
    let r = platform_scan::scan_shopify(catalog, known, path, csv).map_err(|e| {
        if e.is_bad_input() {
            Failure::bad_input(e)
        } else {
            Failure::environment(e)
        }
    })?;
    merge(run, r.findings, r.problems, r.scanned);
    Ok(())
}
