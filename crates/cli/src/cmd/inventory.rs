//! `synthgov apply | register | inventory | classify | lineage`.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use synthgov_registry::apply::{self, current};
use synthgov_registry::assessment::{self, Answers};
use synthgov_registry::classify::{Classification, RuleSet};
use synthgov_registry::dates::{Dates, parse_date};
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

/// The rules and the application dates, checked against each other.
pub fn rules_and_dates(ctx: &Ctx) -> Result<(RuleSet, Dates), Failure> {
    Ok(RuleSet::load_home(&ctx.home)?)
}

/// `--as-of DATE`, else today (UTC).
fn as_of(flag: Option<&str>) -> Result<time::Date, Failure> {
    match flag {
        None => Ok(time::OffsetDateTime::now_utc().date()),
        Some(d) => parse_date(d).ok_or_else(|| {
            Failure::bad_input(anyhow::anyhow!("--as-of: {d:?} is not a date (YYYY-MM-DD)"))
        }),
    }
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

pub struct ClassifyOpts {
    pub system: Option<String>,
    pub as_of: Option<String>,
    pub diff: bool,
    pub facts: bool,
    pub dates: bool,
}

pub fn run_classify(ctx: &Ctx, o: ClassifyOpts, out: &mut Out) -> Result<Exit, Failure> {
    use synthgov_registry::facts::Subject;
    // The facts are the code's; they need no home.
    if o.facts {
        let subjects = [
            Subject::System,
            Subject::Source,
            Subject::Vendor,
            Subject::Generator,
        ];
        if ctx.json {
            let v: serde_json::Map<String, Value> = subjects
                .iter()
                .map(|s| {
                    (
                        format!("{s:?}").to_lowercase(),
                        json!(
                            s.facts()
                                .iter()
                                .map(|(n, d)| json!({"fact": n, "means": d}))
                                .collect::<Vec<_>>()
                        ),
                    )
                })
                .collect();
            out.json(&v)?;
        } else {
            for s in subjects {
                out.line(&format!("{s:?} facts:"))?;
                for (n, d) in s.facts() {
                    out.line(&format!("  {n:<28} {d}"))?;
                }
            }
        }
        return Ok(Exit::Ok);
    }
    if o.dates {
        // Without a home there is no override file: the shipped dates.
        let dates = if ctx.home.dir.join("synthgov.toml").exists() {
            rules_and_dates(ctx)?.1
        } else {
            Dates::load(None)?
        };
        let mut all: Vec<_> = dates.all().collect();
        all.sort_by(|a, b| (&a.applies_from, &a.id).cmp(&(&b.applies_from, &b.id)));
        if ctx.json {
            out.json(&all)?;
        } else {
            for d in all {
                out.line(&format!("{:<20} {}  {}", d.id, d.applies_from, d.source))?;
            }
        }
        return Ok(Exit::Ok);
    }
    let (rules, dates) = rules_and_dates(ctx)?;
    let day = as_of(o.as_of.as_deref())?;
    let reg = Registry::open(&ctx.home)?;
    let result = assessment::classify_registry(&reg, &rules, &dates, day, o.system.as_deref())?;
    if o.diff {
        let diff = assessment::diff(&reg, &result)?;
        if ctx.json {
            out.json(&diff)?;
            return Ok(Exit::Ok);
        }
        if diff.is_empty() {
            out.line("no differences: every system classifies as its last assessment recorded")?;
        }
        for d in &diff {
            if d.recorded.is_null() {
                out.line(&format!(
                    "{}: never assessed (`synthgov assess {}`)",
                    sanitize(&d.system),
                    sanitize(&d.system)
                ))?;
                continue;
            }
            out.line(&format!("{} {}:", sanitize(&d.system), d.field))?;
            out.line(&format!("  recorded {}", d.recorded))?;
            out.line(&format!("  now      {}", d.now))?;
        }
        return Ok(Exit::Ok);
    }
    if ctx.json {
        out.json(&result)?;
        return Ok(Exit::Ok);
    }
    if result.is_empty() {
        out.line("no systems in the inventory: declare them and run `synthgov apply`")?;
        return Ok(Exit::Ok);
    }
    print_table(&result, day, out)?;
    for c in &result {
        print_one(c, out)?;
    }
    Ok(Exit::Ok)
}

fn print_table(result: &[Classification], day: time::Date, out: &mut Out) -> Result<(), Failure> {
    let yn = |b: bool| if b { "yes" } else { "-" };
    out.line(&format!("judged on {day}"))?;
    out.line(&format!(
        "{:<24} {:<9} {:<11} {:<28} {:<5} {:<5} {:<5} {:<5} {:<5} {:<8} assessment",
        "system", "role", "eu ai act", "basis", "art22", "dpia", "fria", "hipaa", "ftc", "transfer"
    ))?;
    for c in result {
        let a = &c.assessment;
        let state = if a.current {
            "current".to_string()
        } else if !a.changed.is_empty() {
            "due again".to_string()
        } else if a.recorded && !a.approved {
            "not approved".to_string()
        } else if a.recorded {
            "approved".to_string()
        } else {
            "none".to_string()
        };
        out.line(&format!(
            "{:<24} {:<9} {:<11} {:<28} {:<5} {:<5} {:<5} {:<5} {:<5} {:<8} {state}",
            sanitize(&c.system),
            c.role.as_str(),
            c.eu_ai_act.tier.as_str(),
            c.eu_ai_act.basis.join(", "),
            yn(c.gdpr_art22),
            yn(c.gdpr_art35_dpia),
            yn(c.fria),
            yn(c.hipaa),
            yn(c.ftc_hbnr),
            yn(c.cross_border),
        ))?;
    }
    Ok(())
}

fn print_one(c: &Classification, out: &mut Out) -> Result<(), Failure> {
    out.line(&format!(
        "\n{} ({}, {}):",
        sanitize(&c.system),
        c.role.as_str(),
        c.eu_ai_act.tier.as_str()
    ))?;
    if !c.obligations.is_empty() {
        out.line("  obligations:")?;
        for o in &c.obligations {
            let when = if o.in_force {
                format!("in force since {}", o.applies_from)
            } else {
                format!("applies from {}", o.applies_from)
            };
            out.line(&format!("    {:<28} {:<26} {}", o.citation, when, o.reason))?;
        }
    }
    if !c.assessment.missing.is_empty() {
        out.line(&format!(
            "  not assessed: {} (`synthgov assess {}`)",
            c.assessment.missing.join(", "),
            sanitize(&c.system)
        ))?;
    }
    for ch in &c.assessment.changed {
        out.line(&format!("  reassessment due: {ch}"))?;
    }
    for f in &c.findings {
        out.line(&format!(
            "  finding {} ({}): {}",
            f.rule,
            f.cites.join(", "),
            f.says
        ))?;
    }
    out.line(&format!(
        "  NIST AI RMF: {} ({})",
        c.nist_ai_rmf.join(", "),
        c.nist_ai_rmf_subcategories.join(", ")
    ))?;
    out.line("  reasons:")?;
    for r in &c.reasons {
        out.line(&format!("    {:<28} {}", r.rule, r.says))?;
    }
    Ok(())
}

/// Asks the intake questions on the terminal (prompts on stderr, answers on stdin);
/// Enter keeps the answer shown in brackets.
fn ask(rules: &RuleSet, mut answers: Answers) -> Result<Answers, Failure> {
    use std::io::{BufRead, Write};
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    for q in &rules.questions {
        let current = serde_json::to_value(&answers)
            .ok()
            .and_then(|v| v.get(&q.id).cloned());
        let shown = match &current {
            None => String::new(),
            Some(v) => format!(" [{}]", v.to_string().trim_matches('"')),
        };
        let mut tries = 0;
        loop {
            eprint!("{}{shown}\n> ", q.ask);
            std::io::stderr().flush().ok();
            let Some(line) = lines.next() else {
                eprintln!();
                return Ok(answers);
            };
            let line = line?;
            if line.trim().is_empty() {
                break;
            }
            match answers.set(&q.id, &line) {
                Ok(()) => break,
                Err(e) => {
                    tries += 1;
                    if tries == 3 {
                        return Err(Failure::bad_input(anyhow::anyhow!("{}: {e}", q.id)));
                    }
                    eprintln!("  {e}; try again");
                }
            }
        }
    }
    Ok(answers)
}

pub fn run_assess(
    ctx: &Ctx,
    system: &str,
    answers_file: Option<&Path>,
    assessor: Option<String>,
    as_of_flag: Option<String>,
    out: &mut Out,
) -> Result<Exit, Failure> {
    let (rules, dates) = rules_and_dates(ctx)?;
    let day = as_of(as_of_flag.as_deref())?;
    let mut reg = Registry::open(&ctx.home)?;
    let answers = match answers_file {
        Some(f) => {
            let name = f.display().to_string();
            let text = std::fs::read_to_string(f)
                .map_err(|e| Failure::bad_input(anyhow::anyhow!("{name}: {e}")))?;
            Answers::parse(&name, &text)?
        }
        None => {
            let inv = current(&reg)?;
            let Some(sys) = inv.systems.iter().find(|s| s.id == system) else {
                return Err(synthgov_registry::RegistryError::NotFound(format!(
                    "system {system:?} (see `synthgov inventory`)"
                ))
                .into());
            };
            // Offer the last assessment's answers, then what the inventory says.
            let previous = assessment::recorded(&reg)?
                .remove(system)
                .map(|(r, _)| r.answers)
                .unwrap_or_default();
            let offered = previous.fill(sys);
            ask(&rules, Answers::from_system(&offered))?
        }
    };
    let actor = Actor::new(default_actor(assessor));
    let (rec, c, index) =
        assessment::record(&mut reg, &actor, system, answers, &rules, &dates, day)?;
    if ctx.json {
        out.json(&json!({"index": index, "assessment": rec, "classification": c}))?;
        return Ok(Exit::Ok);
    }
    out.line(&format!(
        "recorded the assessment of {} by {} at ledger index {index} (rules {})",
        sanitize(system),
        sanitize(&rec.assessor),
        &rec.rules_version[..16]
    ))?;
    print_one(&c, out)?;
    if c.assessment.missing.is_empty() {
        out.line(&format!(
            "\nnext: `synthgov approve {} --reason ...` (compliance or admin)",
            sanitize(system)
        ))?;
    }
    Ok(Exit::Ok)
}

pub fn run_approve(
    ctx: &Ctx,
    system: &str,
    reason: &str,
    approver: Option<String>,
    out: &mut Out,
) -> Result<Exit, Failure> {
    let (rules, dates) = rules_and_dates(ctx)?;
    let mut reg = Registry::open(&ctx.home)?;
    let actor = Actor::new(default_actor(approver));
    let (a, index) = assessment::approve(&mut reg, &actor, system, reason, &rules, &dates)?;
    if ctx.json {
        out.json(&json!({"index": index, "approval": a}))?;
        return Ok(Exit::Ok);
    }
    out.line(&format!(
        "approved the assessment of {} (ledger index {}) by {} at ledger index {index}",
        sanitize(system),
        a.assessment_index,
        sanitize(&a.approver)
    ))?;
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
        "openlineage" => out.json(&lineage::to_openlineage(
            &reg,
            &sub,
            &lineage::namespace(&reg),
        )?)?,
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
