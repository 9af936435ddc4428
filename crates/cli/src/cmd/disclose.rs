//! `synthgov disclose ...`: rewrite pages (and, later, mark images), record
//! `disclosure.applied`, render what changed.

use std::collections::BTreeMap;

use anyhow::anyhow;
use serde_json::{Map, json};
use synthgov_disclose::folder::{self, FolderError, Job, Output};
use synthgov_disclose::page::Options;
use synthgov_disclose::{ChangeKind, DiscloseConfig};
use synthgov_registry::Registry;
use synthgov_scan::known::Known;
use synthgov_scan::rules::Catalog;

use super::Ctx;
use super::inventory::actor;
use crate::cli::DiscloseCommand;
use crate::exit::{Exit, Failure};
use crate::output::{Out, sanitize};
use crate::progress;

pub fn run(ctx: &Ctx, cmd: DiscloseCommand, out: &mut Out) -> Result<Exit, Failure> {
    match cmd {
        DiscloseCommand::Html {
            paths,
            out: dir,
            in_place,
            backup_suffix,
            dry_run,
            origin,
            locale,
            max_page_bytes,
        } => {
            let output = match (dir, in_place, dry_run) {
                (_, _, true) => Output::DryRun,
                (Some(d), false, false) => Output::Dir(d),
                (None, true, false) => Output::InPlace { backup_suffix },
                _ => {
                    return Err(Failure::bad_input(anyhow!(
                        "choose one of --out DIR, --in-place, --dry-run"
                    )));
                }
            };
            run_html(
                ctx,
                Job {
                    inputs: paths,
                    output,
                    origin,
                    max_page_bytes,
                },
                locale.as_deref(),
                out,
            )
        }
    }
}

fn folder_failure(e: FolderError) -> Failure {
    match e {
        FolderError::Missing(_) | FolderError::OutInsideInput { .. } => Failure::bad_input(e),
        FolderError::Read { .. } | FolderError::Write { .. } => Failure::environment(e),
    }
}

fn run_html(ctx: &Ctx, job: Job, locale: Option<&str>, out: &mut Out) -> Result<Exit, Failure> {
    let config = ctx.home.config()?;
    let dc = DiscloseConfig::from_table(config.disclose.as_ref()).map_err(Failure::bad_input)?;
    let labels = dc.labels(locale).map_err(Failure::bad_input)?;
    let phrases = Catalog::shipped().phrases();
    let opts = Options {
        labels: &labels,
        provenance_url: dc.provenance_url(),
        phrases: &phrases,
    };
    let mut reg = Registry::open(&ctx.home)?;
    let known = Known::from_assets(&reg.assets()?);

    let total = folder::page_bytes(&job).map_err(folder_failure)?;
    let bar = progress::bar(Some(total), "bytes", ctx.quiet);
    bar.set_message("pages");
    let report =
        folder::disclose_paths(&known, &opts, &job, &|n| bar.inc(n)).map_err(folder_failure)?;
    bar.finish_and_clear();

    let mut by_kind: BTreeMap<&str, u64> = BTreeMap::new();
    let mut assets: Vec<&str> = Vec::new();
    for p in &report.pages {
        for c in &p.changes {
            let k = match c.kind {
                ChangeKind::Image => "image",
                ChangeKind::Text => "text",
                ChangeKind::Content => "content",
                ChangeKind::JsonLd => "json_ld",
            };
            *by_kind.entry(k).or_default() += 1;
            if let Some(s) = c.sha256.as_deref() {
                assets.push(s);
            }
        }
    }
    assets.sort_unstable();
    assets.dedup();
    let errors = report.pages.iter().filter(|p| p.error.is_some()).count();
    let changed_pages = report
        .pages
        .iter()
        .filter(|p| !p.changes.is_empty())
        .count();
    let dry_run = matches!(job.output, Output::DryRun);

    let mut receipt = None;
    if !dry_run {
        let mut data = Map::new();
        data.insert(
            "inputs".into(),
            json!(
                job.inputs
                    .iter()
                    .map(|p| p.to_string_lossy())
                    .collect::<Vec<_>>()
            ),
        );
        data.insert(
            "output".into(),
            match &job.output {
                Output::Dir(d) => json!(d.to_string_lossy()),
                _ => json!("in-place"),
            },
        );
        data.insert("pages".into(), json!(report.pages.len()));
        data.insert("changed_pages".into(), json!(changed_pages));
        data.insert("changes".into(), json!(by_kind));
        data.insert("assets".into(), json!(assets));
        data.insert(
            "locale".into(),
            json!(locale.or(dc.locale.as_deref()).unwrap_or("en")),
        );
        receipt = Some(reg.record(&actor(), "disclosure.applied", data)?);
    }

    if ctx.json {
        out.json(&json!({
            "pages": report.pages,
            "summary": {
                "pages": report.pages.len(),
                "changed_pages": changed_pages,
                "changes": by_kind,
                "errors": errors,
                "copied_files": report.copied,
                "bytes": report.bytes,
                "dry_run": dry_run,
            },
            "ledger_index": receipt.as_ref().map(|r| r.first_index),
        }))?;
    } else {
        for p in &report.pages {
            for c in &p.changes {
                out.line(&format!(
                    "{}:{}  {}  {:?}{}",
                    sanitize(&p.page),
                    c.line,
                    sanitize(&c.selector),
                    c.kind,
                    c.sha256
                        .as_deref()
                        .map(|s| format!("  {}", &s[..12]))
                        .unwrap_or_default()
                ))?;
            }
            for pr in &p.problems {
                out.line(&format!(
                    "note: {}: {}",
                    sanitize(&pr.uri),
                    sanitize(&pr.message)
                ))?;
            }
            if let Some(e) = &p.error {
                out.line(&format!("error: {}: {}", sanitize(&p.page), sanitize(e)))?;
            }
        }
        let verb = if dry_run { "would change" } else { "changed" };
        out.line(&format!(
            "{} pages, {changed_pages} {verb} ({}), {errors} not disclosed{}",
            report.pages.len(),
            if by_kind.is_empty() {
                "nothing to disclose".to_string()
            } else {
                by_kind
                    .iter()
                    .map(|(k, n)| format!("{n} {k}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            match &receipt {
                Some(r) => format!("; ledger entry {}", r.first_index),
                None => String::new(),
            }
        ))?;
    }
    if errors > 0 {
        return Ok(Exit::BadInput);
    }
    Ok(Exit::Ok)
}
