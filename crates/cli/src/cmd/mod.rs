//! One module per command group; each turns options into library calls and renders
//! the result.

mod audit;
mod demo;
mod disclose;
mod incident;
mod init;
mod inventory;
mod ledger;
mod scan;
mod serve;
mod synth;
mod verify;
mod writeback;

use crate::cli::{Cli, Command};
use crate::exit::{Exit, Failure};
use crate::output::Out;
use synthgov_store::Home;

/// Global options every command sees.
pub struct Ctx {
    pub home: Home,
    pub json: bool,
    pub quiet: bool,
}

pub fn run(cli: Cli, out: &mut Out) -> Result<Exit, Failure> {
    let ctx = Ctx {
        home: Home::resolve(cli.home, cli.database),
        json: cli.json,
        quiet: cli.quiet,
    };
    match cli.command {
        Command::Init => init::run(&ctx, out),
        Command::Ledger(c) => ledger::run(&ctx, c, out),
        Command::Verify {
            checkpoint,
            log_only,
        } => verify::run(&ctx, checkpoint.as_deref(), log_only, out),
        Command::Rebuild => verify::rebuild(&ctx, out),
        Command::Events { markdown } => events(&ctx, markdown, out),
        Command::Demo {
            keep,
            no_serve,
            addr,
        } => demo::run(&ctx, keep, (!no_serve).then_some(addr), out),
        Command::Apply {
            file,
            dry_run,
            prune,
        } => inventory::run_apply(&ctx, &file, dry_run, prune, out),
        Command::Register {
            paths,
            generator,
            dataset,
            surface,
            kind,
        } => inventory::run_register(
            &ctx,
            inventory::RegisterOpts {
                paths,
                generator,
                dataset,
                surface,
                kind,
            },
            out,
        ),
        Command::Import(c) => inventory::run_import(&ctx, c, out),
        Command::Generate(args) => synth::run_generate(&ctx, args, out),
        Command::Fit {
            sample,
            out: model_out,
            id,
            min_count,
            metadata,
            child,
            foreign_key,
            parent_key,
            child_metadata,
        } => synth::run_fit(
            &ctx,
            &synth::FitArgs {
                sample,
                model_out,
                id,
                min_count,
                metadata,
                child: child.map(|c| synth::ChildArgs {
                    parent_key: parent_key
                        .unwrap_or_else(|| foreign_key.clone().unwrap_or_default()),
                    foreign_key: foreign_key.unwrap_or_default(),
                    metadata: child_metadata,
                    file: c,
                }),
            },
            out,
        ),
        Command::Quality(args) => synth::run_quality(&ctx, args, out),
        Command::Detect { files } => synth::run_detect(&ctx, &files, out),
        Command::Serve(a) => serve::run_serve(&ctx, a, out),
        Command::Token(c) => serve::run_token(&ctx, c, out),
        Command::Policy(c) => serve::run_policy(c, out),
        Command::Siem(c) => serve::run_siem(&ctx, c, out),
        Command::Flags { command } => synth::run_flags(&ctx, command, out),
        Command::Inventory => inventory::run_inventory(&ctx, out),
        Command::Classify {
            system,
            as_of,
            diff,
            facts,
            dates,
        } => inventory::run_classify(
            &ctx,
            inventory::ClassifyOpts {
                system,
                as_of,
                diff,
                facts,
                dates,
            },
            out,
        ),
        Command::Assess {
            system,
            answers,
            assessor,
            as_of,
        } => inventory::run_assess(&ctx, &system, answers.as_deref(), assessor, as_of, out),
        Command::Approve {
            system,
            reason,
            approver,
        } => inventory::run_approve(&ctx, &system, &reason, approver, out),
        Command::Lineage { id, format } => inventory::run_lineage(&ctx, &id, &format, out),
        Command::Scan(c) => scan::run_scan(&ctx, c, out),
        Command::Disclose(c) => disclose::run(&ctx, c, out),
        Command::VerifyMedia {
            file,
            trust_anchors,
        } => disclose::run_verify_media(&ctx, &file, trust_anchors.as_deref(), out),
        Command::Rules => scan::run_rules(&ctx, out),
        Command::Incident(c) => incident::run(&ctx, c, out),
        Command::AuditPack(a) => audit::run_pack(&ctx, a, out),
        Command::VerifyPack { dir, key, live } => {
            audit::run_verify(&ctx, &dir, key.as_deref(), live, out)
        }
        Command::Audit(c) => audit::run_audit(&ctx, c, out),
    }
}

/// The actor recorded on events this process appends.
/// `synthgov events`: the catalogue.
fn events(ctx: &Ctx, markdown: bool, out: &mut Out) -> Result<Exit, Failure> {
    use synthgov_registry::catalogue::{EventType, markdown_table};
    if markdown {
        out.text(&markdown_table())?;
    } else if ctx.json {
        let v: Vec<serde_json::Value> = EventType::ALL
            .iter()
            .map(|t| {
                serde_json::json!({
                    "type": t.name(), "producer": t.producer(),
                    "projection": t.table().map(|t| t.as_str()),
                    "severity": t.severity(&serde_json::Value::Null),
                    "readers": t.readers(),
                })
            })
            .collect();
        out.json(&v)?;
    } else {
        for t in EventType::ALL {
            out.line(&format!(
                "{:<28} {:<18} {}",
                t.name(),
                t.table().map_or("-", |t| t.as_str()),
                t.producer()
            ))?;
        }
    }
    Ok(Exit::Ok)
}

pub fn default_actor(explicit: Option<String>) -> String {
    explicit
        .or_else(|| std::env::var("SYNTHGOV_ACTOR").ok())
        .unwrap_or_else(|| {
            let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
            format!("cli:{user}")
        })
}
