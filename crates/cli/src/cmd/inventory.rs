//! `synthgov apply | register | inventory | classify | lineage`.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use synthgov_registry::apply::{self, current};
use synthgov_registry::classify::{RuleSet, classify_all};
use synthgov_registry::lineage;
use synthgov_registry::parse::parse_inventory;
use synthgov_registry::register::{AssetKind, RegisterRequest, register};
use synthgov_registry::{Actor, Registry};

use crate::cmd::{Ctx, default_actor};
use crate::exit::{Exit, Failure};
use crate::output::{Out, sanitize};
use crate::progress;

pub fn actor() -> Actor {
    Actor::new(default_actor(None))
}

/// The classification rules: shipped, plus the home's override file if configured.
pub fn rules(ctx: &Ctx) -> Result<RuleSet, Failure> {
    Ok(RuleSet::for_home(&ctx.home)?)
}

pub fn run_apply(
    ctx: &Ctx,
    file: &Path,
    dry_run: bool,
    prune: bool,
    out: &mut Out,
) -> Result<Exit, Failure> {
    let name = file.display().to_string();
    let text =
        std::fs::read(file).map_err(|e| Failure::bad_input(anyhow::anyhow!("{name}: {e}")))?;
    let text = String::from_utf8(text).map_err(|e| {
        Failure::bad_input(anyhow::anyhow!(
            "{name}: not UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let rules = rules(ctx)?;
    let mut inv = parse_inventory(&name, &text, &rules.use_cases())?;
    let base = file.parent().unwrap_or(Path::new("."));
    synthgov_registry::model_card::attach_cards(&mut inv, base)?;
    let mut reg = Registry::open(&ctx.home)?;
    let report = apply::apply(&mut reg, &actor(), &inv, prune, dry_run)?;
    if ctx.json {
        out.json(&report)?;
        return Ok(Exit::Ok);
    }
    if report.changes.is_empty() {
        out.line("no changes: the registry already matches the file")?;
    }
    for c in &report.changes {
        let sign = match c.action {
            "create" => "+",
            "remove" => "-",
            _ => "~",
        };
        let fields = if c.fields.is_empty() {
            String::new()
        } else {
            format!(" ({})", c.fields.join(", "))
        };
        out.line(&format!("{sign} {} {}{fields}", c.kind, sanitize(&c.id)))?;
    }
    if !report.not_in_file.is_empty() {
        out.line(&format!(
            "{} object(s) in the registry are not in the file (kept; --prune removes them): {}",
            report.not_in_file.len(),
            report.not_in_file.join(", ")
        ))?;
    }
    if dry_run {
        out.line("dry run: nothing recorded")?;
    } else if report.applied {
        out.line(&format!(
            "recorded {} ledger event(s) from index {}",
            report.events,
            report.first_index.unwrap_or(0)
        ))?;
    }
    Ok(Exit::Ok)
}

pub struct RegisterOpts {
    pub paths: Vec<PathBuf>,
    pub generator: String,
    pub dataset: Option<String>,
    pub surface: Option<String>,
    pub kind: Option<String>,
}

pub fn run_register(ctx: &Ctx, o: RegisterOpts, out: &mut Out) -> Result<Exit, Failure> {
    let mut reg = Registry::open(&ctx.home)?;
    let req = RegisterRequest {
        paths: o.paths,
        generator: o.generator,
        dataset: o.dataset,
        surface: o.surface,
        kind: o.kind.as_deref().and_then(AssetKind::parse),
    };
    let pb = progress::bar(Some(0), "bytes", ctx.quiet);
    pb.set_message("hashing");
    let report = register(
        &mut reg,
        &actor(),
        &req,
        &mut |total| pb.set_length(total),
        &|done| pb.set_position(done),
    )?;
    pb.finish_and_clear();
    if ctx.json {
        out.json(&report)?;
        return Ok(Exit::Ok);
    }
    out.line(&format!(
        "{} file(s), {} bytes: {} new, {} updated, {} unchanged",
        report.files, report.bytes, report.new, report.updated, report.unchanged
    ))?;
    if let Some(v) = &report.dataset_version {
        out.line(&format!(
            "dataset {} version {} (content {})",
            v["dataset"].as_str().unwrap_or(""),
            v["version"],
            v["content_sha256"].as_str().unwrap_or("")
        ))?;
    }
    Ok(Exit::Ok)
}

pub fn run_inventory(ctx: &Ctx, out: &mut Out) -> Result<Exit, Failure> {
    let reg = Registry::open(&ctx.home)?;
    if ctx.json {
        out.json(&synthgov_registry::export::inventory_document(&reg)?)?;
        return Ok(Exit::Ok);
    }
    let inv = current(&reg)?;
    let versions = reg.dataset_versions()?;
    let assets = reg.assets()?;
    if let Some(s) = &inv.store {
        out.line(&format!(
            "store      {} ({:?}, {}, markets {})",
            sanitize(&s.name),
            s.platform,
            s.jurisdiction,
            s.markets().join(", ")
        ))?;
    }
    out.line(&format!(
        "{} source(s), {} generator(s), {} dataset(s) with {} version(s), {} system(s), {} vendor(s), {} asset(s)",
        inv.sources.len(), inv.generators.len(), inv.datasets.len(), versions.len(), inv.systems.len(), inv.vendors.len(), assets.len()
    ))?;
    for g in &inv.generators {
        let n = assets
            .iter()
            .filter(|a| a.generator.as_deref() == Some(&g.id))
            .count();
        out.line(&format!(
            "  generator {:<28} {:?} in {}, {n} asset(s)",
            sanitize(&g.id),
            g.method,
            g.location
        ))?;
    }
    for d in &inv.datasets {
        let vs = versions.iter().filter(|x| x.dataset == d.id).count();
        out.line(&format!(
            "  dataset   {:<28} from {}, {vs} version(s), {:?}",
            sanitize(&d.id),
            d.generator,
            d.environment
        ))?;
    }
    Ok(Exit::Ok)
}

pub fn run_classify(ctx: &Ctx, system: Option<&str>, out: &mut Out) -> Result<Exit, Failure> {
    let rules = rules(ctx)?;
    let reg = Registry::open(&ctx.home)?;
    let inv = current(&reg)?;
    let result = classify_all(&inv, &rules, system)?;
    if ctx.json {
        out.json(&result)?;
        return Ok(Exit::Ok);
    }
    if result.is_empty() {
        out.line("no systems in the inventory: declare them and run `synthgov apply`")?;
    }
    let yn = |b: bool| if b { "yes" } else { "-" };
    out.line(&format!(
        "{:<24} {:<11} {:<34} {:<6} {:<6} {:<7} nist",
        "system", "eu ai act", "basis", "art22", "hipaa", "transfer"
    ))?;
    for c in &result {
        out.line(&format!(
            "{:<24} {:<11} {:<34} {:<6} {:<6} {:<7} {}",
            sanitize(&c.system),
            format!("{:?}", c.eu_ai_act.tier).to_lowercase(),
            c.eu_ai_act.basis.join(", "),
            yn(c.gdpr_art22),
            yn(c.hipaa),
            yn(c.cross_border),
            c.nist_ai_rmf.join(",")
        ))?;
    }
    for c in &result {
        out.line(&format!("\n{}:", sanitize(&c.system)))?;
        for r in &c.reasons {
            out.line(&format!("  {:<22} {}", r.rule, r.says))?;
        }
    }
    Ok(Exit::Ok)
}

pub fn run_lineage(ctx: &Ctx, id: &str, format: &str, out: &mut Out) -> Result<Exit, Failure> {
    let reg = Registry::open(&ctx.home)?;
    let graph = lineage::full_graph(&reg)?;
    let root = lineage::resolve(&graph, id)?;
    let sub = lineage::around(&graph, &root);
    match format {
        "dot" => out.text(&lineage::to_dot(&sub))?,
        "mermaid" => out.text(&lineage::to_mermaid(&sub))?,
        "openlineage" => {
            let ns = format!("synthgov://{}", reg.ledger().identity().origin);
            out.json(&lineage::to_openlineage(
                &sub,
                &ns,
                &synthgov_core::event::now_rfc3339(),
            ))?
        }
        _ => out.json(&sub)?,
    }
    Ok(Exit::Ok)
}

pub fn run_import(
    ctx: &Ctx,
    cmd: crate::cli::ImportCommand,
    out: &mut Out,
) -> Result<Exit, Failure> {
    use crate::cli::ImportCommand;
    use synthgov_platform::{PlatformError, magento, shopify};
    let platform_err = |e: PlatformError| {
        if e.is_bad_input() {
            Failure::bad_input(e)
        } else {
            Failure::environment(e)
        }
    };
    let (platform, catalog, generator) = match cmd {
        ImportCommand::Magento {
            db,
            media_dir,
            ai_attribute,
            generator,
        } => {
            let opts = magento::MagentoOptions {
                url: db,
                media_dir,
                ai_attribute,
            };
            (
                "magento",
                magento::read_database(&opts).map_err(platform_err)?,
                generator,
            )
        }
        ImportCommand::Shopify {
            csv,
            json_file,
            generator,
        } => {
            let catalog = match (csv, json_file) {
                (Some(p), _) => shopify::read_csv(&p),
                (None, Some(p)) => shopify::read_json(&p),
                (None, None) => unreachable!("clap requires --csv or --json"),
            }
            .map_err(platform_err)?;
            ("shopify", catalog, generator)
        }
    };
    let mut reg = Registry::open(&ctx.home)?;
    let counts = synthgov_registry::import::record_catalog(
        &mut reg,
        &actor(),
        platform,
        &catalog,
        generator.as_deref(),
    )?;
    for w in &catalog.warnings {
        eprintln!("synthgov: warning: {}", sanitize(w));
    }
    let key = if platform == "shopify" {
        "handle"
    } else {
        "sku"
    };
    if ctx.json {
        let assets: Vec<Value> = catalog
            .assets
            .iter()
            .map(|a| {
                json!({key: a.product, "kind": a.kind, "attribute": a.attribute, "store_id": a.store_id,
                       "ai_generated": a.ai_generated, "sha256": a.sha256, "uri": a.uri})
            })
            .collect();
        out.json(&json!({"products": catalog.products, "assets": assets, "recorded": counts, "warnings": catalog.warnings}))?;
        return Ok(Exit::Ok);
    }
    let ai = catalog.assets.iter().filter(|a| a.ai_generated).count();
    out.line(&format!(
        "{} product(s), {} asset(s), {ai} marked AI-generated; recorded {} new, {} updated, {} unchanged",
        catalog.products,
        catalog.assets.len(),
        counts.new,
        counts.updated,
        counts.unchanged
    ))?;
    Ok(Exit::Ok)
}
