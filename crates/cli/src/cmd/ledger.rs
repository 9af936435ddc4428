//! `synthgov ledger …`: append, checkpoint, key, entry, list, prove, consistency.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::sync::mpsc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};
use synthgov_core::event::EventDefaults;
use synthgov_ledger::bulk::JsonlReader;
use synthgov_ledger::hash::to_hex;
use synthgov_ledger::{LedgerError, ListQuery, PreparedEntry};
use synthgov_registry::{Actor, Registry, RegistryError, catalogue};

use crate::cli::{AppendArgs, LedgerCommand};
use crate::cmd::{Ctx, default_actor};
use crate::exit::{Exit, Failure};
use crate::output::{Out, sanitize};
use crate::progress;

pub fn run(ctx: &Ctx, cmd: LedgerCommand, out: &mut Out) -> Result<Exit, Failure> {
    let mut reg = Registry::open(&ctx.home)?;
    match cmd {
        LedgerCommand::Append(args) => append(ctx, &mut reg, args, out),
        LedgerCommand::Checkpoint => {
            let cp = reg.checkpoint()?;
            out.text(&cp.note)?;
            Ok(Exit::Ok)
        }
        read => show(ctx, reg.ledger(), read, out),
    }
}

/// The commands that only read the log.
fn show(
    ctx: &Ctx,
    ledger: &synthgov_ledger::Ledger<synthgov_store::Db>,
    cmd: LedgerCommand,
    out: &mut Out,
) -> Result<Exit, Failure> {
    match cmd {
        LedgerCommand::Append(_) | LedgerCommand::Checkpoint => {
            unreachable!("writes are handled by run")
        }
        LedgerCommand::Key => {
            out.line(&ledger.identity().vkey()?)?;
            Ok(Exit::Ok)
        }
        LedgerCommand::Entry { index } => {
            let e = ledger.entry(index)?;
            if ctx.json {
                out.json(&json!({
                    "index": e.index,
                    "leaf": BASE64.encode(&e.leaf),
                    "leaf_hash": to_hex(&e.leaf_hash),
                }))?;
            } else {
                out.line(&format!("index      {}", e.index))?;
                out.line(&format!("leaf hash  {}", to_hex(&e.leaf_hash)))?;
                out.line(&sanitize(&String::from_utf8_lossy(&e.leaf)))?;
            }
            Ok(Exit::Ok)
        }
        LedgerCommand::List {
            type_prefix,
            from,
            limit,
        } => {
            let rows = ledger.list(&ListQuery {
                type_prefix,
                from,
                limit,
            })?;
            if ctx.json {
                let items: Vec<Value> = rows
                    .into_iter()
                    .map(|(index, entry)| json!({"index": index, "entry": entry}))
                    .collect();
                out.json(&items)?;
            } else {
                for (index, entry) in rows {
                    out.line(&format!(
                        "{index:>8}  {}  {:<28}  {}",
                        sanitize(entry["time"].as_str().unwrap_or("")),
                        sanitize(entry["type"].as_str().unwrap_or("")),
                        sanitize(entry["actor"].as_str().unwrap_or("")),
                    ))?;
                }
            }
            Ok(Exit::Ok)
        }
        LedgerCommand::Prove { index, size } => {
            let p = ledger.prove(index, size)?;
            if ctx.json {
                out.json(&p)?;
            } else {
                out.line(&format!(
                    "entry {} in tree of size {}",
                    p.index, p.tree_size
                ))?;
                out.line(&format!("leaf hash  {}", to_hex(&p.leaf_hash)))?;
                out.line(&format!("root hash  {}", to_hex(&p.root_hash)))?;
                out.line("audit path (leaf upward):")?;
                for h in &p.proof {
                    out.line(&format!("  {}", to_hex(h)))?;
                }
            }
            Ok(Exit::Ok)
        }
        LedgerCommand::Consistency { old_size, size } => {
            let p = ledger.consistency(old_size, size)?;
            if ctx.json {
                out.json(&p)?;
            } else {
                out.line(&format!(
                    "tree {} is a prefix of tree {}",
                    p.old_size, p.new_size
                ))?;
                out.line(&format!("old root  {}", to_hex(&p.old_root)))?;
                out.line(&format!("new root  {}", to_hex(&p.new_root)))?;
                out.line("consistency path:")?;
                for h in &p.proof {
                    out.line(&format!("  {}", to_hex(h)))?;
                }
            }
            Ok(Exit::Ok)
        }
    }
}

fn append(ctx: &Ctx, reg: &mut Registry, args: AppendArgs, out: &mut Out) -> Result<Exit, Failure> {
    let defaults = EventDefaults::now(default_actor(args.actor));
    let actor = Actor::new(&defaults.actor);
    if let Some(kind) = args.kind {
        let data_text = args.data.unwrap_or_default();
        let data = match synthgov_core::json::from_str_strict(&data_text) {
            Ok(Value::Object(m)) => m,
            Ok(_) => {
                return Err(Failure::bad_input(anyhow::anyhow!(
                    "--data: must be a JSON object, e.g. '{{\"sha256\":\"…\"}}'"
                )));
            }
            Err(e) => {
                return Err(Failure::bad_input(anyhow::anyhow!(
                    "--data: malformed JSON: {e}"
                )));
            }
        };
        let receipt = reg
            .append_external(&actor, &kind, data, None)
            .map_err(|e| argument("--type", e))?;
        out.json_line(&json!({
            "index": receipt.first_index,
            "leaf_hash": to_hex(&receipt.leaf_hashes[0]),
        }))?;
        return Ok(Exit::Ok);
    }
    let path = args.jsonl.expect("clap requires --type or --jsonl");
    let (input, total): (Box<dyn BufRead + Send>, Option<u64>) = if path.as_os_str() == "-" {
        (
            Box::new(BufReader::with_capacity(1 << 20, std::io::stdin())),
            None,
        )
    } else {
        let f = File::open(&path)
            .map_err(|e| Failure::bad_input(anyhow::anyhow!("{}: {e}", path.display())))?;
        let len = f.metadata().ok().map(|m| m.len());
        (Box::new(BufReader::with_capacity(1 << 20, f)), len)
    };
    let pb = progress::bar(total, "bytes", ctx.quiet);
    pb.set_message("appending");
    let name = path.display().to_string();
    let reader = JsonlReader::new(input, defaults).refusing(|kind| {
        catalogue::is_reserved(kind).map(|ns| {
            RegistryError::Reserved {
                kind: kind.to_owned(),
                namespace: ns,
            }
            .to_string()
        })
    });
    let receipt = append_jsonl(reg, &actor, reader, &pb);
    pb.finish_and_clear();
    let receipt = match receipt {
        Ok(r) => r,
        Err(Refusal::Line(e)) => {
            if let LedgerError::Refused { kind, .. } = &e
                && let Some(ns) = catalogue::is_reserved(kind)
            {
                let err = RegistryError::Reserved {
                    kind: kind.clone(),
                    namespace: ns,
                };
                // Ledger the refusal; the error shown names the line.
                let _ = reg.refuse_external(&actor, err);
            }
            return Err(with_file(&name, e));
        }
        Err(Refusal::Registry(e)) => return Err(e.into()),
    };
    out.json_line(&json!({
        "appended": receipt.appended,
        "first_index": receipt.first_index,
        "tree_size": receipt.tree_size,
    }))?;
    Ok(Exit::Ok)
}

/// A refusal of `--type`/`--data` as a bad-input failure naming the argument.
fn argument(flag: &str, e: RegistryError) -> Failure {
    if e.is_bad_input() {
        Failure::bad_input(anyhow::anyhow!("{flag}: {e}"))
    } else {
        e.into()
    }
}

enum Refusal {
    Line(LedgerError),
    Registry(RegistryError),
}

/// Parses on a second thread while this one writes, all in one transaction.
fn append_jsonl(
    reg: &mut Registry,
    actor: &Actor,
    mut reader: JsonlReader<Box<dyn BufRead + Send>>,
    pb: &indicatif::ProgressBar,
) -> Result<synthgov_ledger::AppendReceipt, Refusal> {
    type Chunk = Result<Option<(Vec<PreparedEntry>, u64)>, LedgerError>;
    let (tx, rx) = mpsc::sync_channel::<Chunk>(2);
    let mut line_error: Option<LedgerError> = None;
    let result = std::thread::scope(|s| {
        s.spawn(move || {
            loop {
                let chunk = reader
                    .next_chunk()
                    .map(|c| c.map(|c| (c, reader.bytes_read())));
                let stop = !matches!(chunk, Ok(Some(_)));
                if tx.send(chunk).is_err() || stop {
                    break;
                }
            }
        });
        let mut next = || match rx.recv() {
            Ok(Ok(Some((chunk, bytes)))) => {
                pb.set_position(bytes);
                Ok(Some(chunk))
            }
            Ok(Ok(None)) => Ok(None),
            Ok(Err(e)) => {
                let message = e.to_string();
                line_error = Some(e);
                Err(LedgerError::BadRequest(message))
            }
            Err(_) => Err(LedgerError::Internal("reader thread stopped".into())),
        };
        // Dropping `rx` on error stops the reader thread at its next send.
        reg.append_external_entries(actor, &mut next, &mut |_| {})
    });
    match (result, line_error) {
        (_, Some(e)) => Err(Refusal::Line(e)),
        (Ok(r), None) => Ok(r),
        (Err(e), None) => Err(Refusal::Registry(e)),
    }
}

fn with_file(name: &str, e: LedgerError) -> Failure {
    let bad = e.is_bad_input();
    let f: Failure = e.into();
    if bad {
        Failure::bad_input(f.error.context(name.to_owned()))
    } else {
        f
    }
}
