//! `synthgov disclose magento|shopify`: plan the disclosure changes a store needs,
//! show them, and with --apply make them (REST, GraphQL or the Magento database),
//! journaled and recorded as `disclosure.platform_applied`.

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use synthgov_disclose::DiscloseConfig;
use synthgov_disclose::writeback::{self, ApplyReport, Item, Journal, Retry, WritebackError};
use synthgov_platform::{CatalogAsset, magento, shopify};
use synthgov_registry::Registry;
use synthgov_scan::known::Known;
use synthgov_scan::platform::needs_disclosure;

use super::Ctx;
use super::inventory::actor;
use crate::cli::WritebackArgs;
use crate::exit::{Exit, Failure};
use crate::output::{Out, sanitize};
use crate::progress;

pub struct MagentoArgs {
    pub db: String,
    pub rest_url: Option<String>,
    pub token_env: String,
    pub ai_attribute: String,
    pub disclosure_attribute: String,
    pub media_dir: Option<PathBuf>,
}

fn platform_failure(e: synthgov_platform::PlatformError) -> Failure {
    if e.is_bad_input() {
        Failure::bad_input(e)
    } else {
        Failure::environment(e)
    }
}

fn wb_failure(e: WritebackError) -> Failure {
    match e {
        WritebackError::BadJournal { .. } | WritebackError::BadUrl(_) => Failure::bad_input(e),
        _ => Failure::environment(e),
    }
}

fn label(ctx: &Ctx, args: &WritebackArgs) -> Result<String, Failure> {
    if let Some(l) = &args.label {
        if l.trim().is_empty() {
            return Err(Failure::bad_input(anyhow!("--label is empty")));
        }
        return Ok(l.clone());
    }
    let config = ctx.home.config()?;
    let dc = DiscloseConfig::from_table(config.disclose.as_ref()).map_err(Failure::bad_input)?;
    Ok(dc.labels(None).map_err(Failure::bad_input)?.content)
}

/// One item per product with content that needs disclosure, in catalog order.
fn plan(
    known: &Known,
    assets: &[CatalogAsset],
    disclosure: &dyn Fn(&CatalogAsset) -> Option<String>,
    owner: &dyn Fn(&str) -> Option<String>,
    label: &str,
) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    for a in assets {
        let d = disclosure(a);
        if !needs_disclosure(known, a, d.as_deref()) || items.iter().any(|i| i.product == a.product)
        {
            continue;
        }
        let reason = match (a.ai_generated, d.is_some()) {
            (true, false) => format!("{} marked AI-generated, no disclosure label", a.attribute),
            _ => format!(
                "{} registered as AI-generated, not marked by the store",
                a.attribute
            ),
        };
        items.push(Item {
            product: a.product.clone(),
            owner_id: owner(&a.product),
            label: label.to_owned(),
            reason,
        });
    }
    items
}

fn journal_path(ctx: &Ctx, platform: &str, items: &[Item], given: &Option<PathBuf>) -> PathBuf {
    if let Some(p) = given {
        return p.clone();
    }
    let digest = Sha256::digest(serde_json::to_vec(items).unwrap_or_default());
    ctx.home
        .dir()
        .join("journal")
        .join(format!("{platform}-{}.jsonl", &hex::encode(digest)[..16]))
}

fn retry(args: &WritebackArgs) -> Retry {
    Retry {
        attempts: args.attempts.max(1),
        ..Retry::default()
    }
}

fn token(var: &str) -> Result<String, Failure> {
    match std::env::var(var) {
        Ok(t) if !t.trim().is_empty() => Ok(t.trim().to_owned()),
        _ => Err(Failure::bad_input(anyhow!(
            "set the API token in the environment variable {var} (or name another with --token-env)"
        ))),
    }
}

pub fn run_magento(
    ctx: &Ctx,
    m: MagentoArgs,
    args: WritebackArgs,
    out: &mut Out,
) -> Result<Exit, Failure> {
    let label = label(ctx, &args)?;
    let mut reg = Registry::open(&ctx.home)?;
    let known = Known::from_assets(&reg.assets()?);
    let catalog = magento::read_database(&magento::MagentoOptions {
        url: m.db.clone(),
        media_dir: m.media_dir.clone(),
        ai_attribute: m.ai_attribute.clone(),
    })
    .map_err(platform_failure)?;
    let facts =
        magento::read_scan_facts(&m.db, &m.disclosure_attribute).map_err(platform_failure)?;
    let items = plan(
        &known,
        &catalog.assets,
        &|a| facts.disclosure(&a.product, a.store_id).map(str::to_owned),
        &|_| None,
        &label,
    );
    let via = if m.rest_url.is_some() {
        "rest"
    } else {
        "database"
    };
    if !args.apply {
        return show_plan(ctx, "magento", via, &items, out);
    }
    let path = journal_path(ctx, "magento", &items, &args.journal);
    let mut journal = Journal::open(&path).map_err(wb_failure)?;
    let report = match &m.rest_url {
        Some(base) => {
            let token = token(&m.token_env)?;
            let bar = progress::bar(Some(items.len() as u64), "products", ctx.quiet);
            let r = writeback::apply_magento_rest(
                base,
                &token,
                &items,
                &m.ai_attribute,
                &m.disclosure_attribute,
                &mut journal,
                &retry(&args),
                &|n| bar.inc(n),
            )
            .map_err(wb_failure)?;
            bar.finish_and_clear();
            r
        }
        None => {
            // One transaction: all or nothing, so the journal is written after it.
            let todo: Vec<&Item> = items
                .iter()
                .filter(|i| !journal.is_done(&i.product))
                .collect();
            let pairs: Vec<(String, String)> = todo
                .iter()
                .map(|i| (i.product.clone(), i.label.clone()))
                .collect();
            let (_, missing) =
                magento::write_disclosures(&m.db, &m.ai_attribute, &m.disclosure_attribute, &pairs)
                    .map_err(platform_failure)?;
            let mut r = ApplyReport {
                requests: 1,
                ..Default::default()
            };
            for i in &items {
                if !todo.iter().any(|t| t.product == i.product) {
                    r.skipped.push(i.product.clone());
                } else if missing.contains(&i.product) {
                    r.failed.push((
                        i.product.clone(),
                        "SKU not in catalog_product_entity".into(),
                    ));
                } else {
                    journal.record(&i.product).map_err(wb_failure)?;
                    r.applied.push(i.product.clone());
                }
            }
            r
        }
    };
    finish(ctx, &mut reg, "magento", via, &items, &report, &path, out)
}

/// Shopify product GIDs by handle, from the Admin API export.
fn shopify_ids(file: &Path) -> Result<std::collections::HashMap<String, String>, Failure> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::bad_input(anyhow!("{}: {e}", file.display())))?;
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| Failure::bad_input(anyhow!("{}:{}: {e}", file.display(), e.line())))?;
    let list: Vec<&Value> = match (&v["products"], &v["product"]) {
        (Value::Array(l), _) => l.iter().collect(),
        (_, p @ Value::Object(_)) => vec![p],
        _ => vec![],
    };
    let mut ids = std::collections::HashMap::new();
    for p in list {
        let Some(handle) = p["handle"].as_str() else {
            continue;
        };
        let gid = match (&p["admin_graphql_api_id"], &p["id"]) {
            (Value::String(g), _) => Some(g.clone()),
            (_, Value::Number(n)) => Some(format!("gid://shopify/Product/{n}")),
            (_, Value::String(s)) if s.starts_with("gid://") => Some(s.clone()),
            _ => None,
        };
        if let Some(g) = gid {
            ids.insert(handle.to_owned(), g);
        }
    }
    Ok(ids)
}

pub fn run_shopify(
    ctx: &Ctx,
    file: &Path,
    graphql_url: Option<String>,
    token_env: &str,
    args: WritebackArgs,
    out: &mut Out,
) -> Result<Exit, Failure> {
    let label = label(ctx, &args)?;
    let mut reg = Registry::open(&ctx.home)?;
    let known = Known::from_assets(&reg.assets()?);
    let catalog = shopify::read_json(file).map_err(platform_failure)?;
    let ids = shopify_ids(file)?;
    let items = plan(
        &known,
        &catalog.assets,
        &|a| a.disclosure.clone(),
        &|h| ids.get(h).cloned(),
        &label,
    );
    if !args.apply {
        return show_plan(ctx, "shopify", "graphql", &items, out);
    }
    let url = graphql_url.ok_or_else(|| {
        Failure::bad_input(anyhow!(
            "--apply needs --shop https://STORE.myshopify.com (or --graphql-url)"
        ))
    })?;
    let token = token(token_env)?;
    let path = journal_path(ctx, "shopify", &items, &args.journal);
    let mut journal = Journal::open(&path).map_err(wb_failure)?;
    let bar = progress::bar(Some(items.len() as u64), "products", ctx.quiet);
    let report =
        writeback::apply_shopify(&url, &token, &items, &mut journal, &retry(&args), &|n| {
            bar.inc(n)
        })
        .map_err(wb_failure)?;
    bar.finish_and_clear();
    finish(
        ctx, &mut reg, "shopify", "graphql", &items, &report, &path, out,
    )
}

fn show_plan(
    ctx: &Ctx,
    platform: &str,
    via: &str,
    items: &[Item],
    out: &mut Out,
) -> Result<Exit, Failure> {
    if ctx.json {
        out.json(&json!({"platform": platform, "via": via, "dry_run": true, "plan": items}))?;
        return Ok(Exit::Ok);
    }
    for i in items {
        out.line(&format!(
            "{}  set disclosure {:?}  ({})",
            sanitize(&i.product),
            sanitize(&i.label),
            sanitize(&i.reason)
        ))?;
    }
    out.line(&format!(
        "{} products to disclose on {platform} (via {via}); dry run: nothing changed. Add --apply to make the changes.",
        items.len()
    ))?;
    Ok(Exit::Ok)
}

#[allow(clippy::too_many_arguments)]
fn finish(
    ctx: &Ctx,
    reg: &mut Registry,
    platform: &str,
    via: &str,
    items: &[Item],
    report: &ApplyReport,
    journal: &Path,
    out: &mut Out,
) -> Result<Exit, Failure> {
    let mut data = Map::new();
    data.insert("platform".into(), json!(platform));
    data.insert("via".into(), json!(via));
    data.insert("planned".into(), json!(items.len()));
    data.insert("applied".into(), json!(report.applied));
    data.insert("skipped".into(), json!(report.skipped.len()));
    data.insert(
        "failed".into(),
        json!(report.failed.iter().map(|(p, _)| p).collect::<Vec<_>>()),
    );
    data.insert("requests".into(), json!(report.requests));
    let receipt = reg.record(
        &actor(),
        synthgov_registry::policy::Action::RegisterAsset,
        synthgov_registry::EventType::DisclosurePlatformApplied,
        data,
    )?;
    if ctx.json {
        out.json(&json!({
            "platform": platform, "via": via, "dry_run": false,
            "planned": items.len(), "report": report,
            "journal": journal, "ledger_index": receipt.first_index,
        }))?;
    } else {
        for (p, why) in &report.failed {
            out.line(&format!("failed: {}: {}", sanitize(p), sanitize(why)))?;
        }
        out.line(&format!(
            "{platform} via {via}: {} applied, {} already in the journal, {} failed ({} requests, {} retries); journal {}; ledger entry {}",
            report.applied.len(),
            report.skipped.len(),
            report.failed.len(),
            report.requests,
            report.retries,
            journal.display(),
            receipt.first_index
        ))?;
    }
    // Failed items stay out of the journal: running again retries exactly them.
    Ok(if report.failed.is_empty() {
        Exit::Ok
    } else {
        Exit::Environment
    })
}
