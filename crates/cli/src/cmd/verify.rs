//! `synthgov verify` (the log, then every projection table against its replay) and
//! `synthgov rebuild` (the projections recreated from the log).

use std::path::Path;

use serde_json::json;
use synthgov_ledger::LedgerError;
use synthgov_registry::Registry;
use synthgov_registry::replay;

use crate::cmd::Ctx;
use crate::exit::{Exit, Failure};
use crate::output::Out;
use crate::progress;

pub fn run(
    ctx: &Ctx,
    checkpoint: Option<&Path>,
    log_only: bool,
    out: &mut Out,
) -> Result<Exit, Failure> {
    let reg = Registry::open(&ctx.home)?;
    let ledger = reg.ledger();
    let auditor = match checkpoint {
        None => None,
        Some(path) => {
            let text = std::fs::read(path)
                .map_err(|e| Failure::bad_input(anyhow::anyhow!("{}: {e}", path.display())))?;
            let cp = ledger.open_checkpoint(&text).map_err(|e: LedgerError| {
                Failure::bad_input(anyhow::anyhow!("{}: {e}", path.display()))
            })?;
            Some(cp)
        }
    };
    let pb = progress::bar(Some(ledger.size()?), "entries", ctx.quiet);
    pb.set_message("verifying");
    let (report, projections) = if log_only {
        let r = synthgov_ledger::verify(ledger, auditor.as_ref(), &mut |n| pb.set_position(n))?;
        (r, None)
    } else {
        replay::verify(&reg, auditor.as_ref(), &mut |n| pb.set_position(n))?
    };
    pb.finish_and_clear();
    let projections_ok = projections.as_ref().is_none_or(|p| p.ok);
    let ok = report.ok && projections_ok;
    if ctx.json {
        let mut v = serde_json::to_value(&report).map_err(Failure::environment)?;
        v["ok"] = json!(ok);
        v["projections"] = json!(projections);
        out.json(&v)?;
    } else if ok {
        out.line(&format!(
            "ok: {} entries, root {}, {} saved checkpoint(s) verified",
            report.tree_size, report.root_hash, report.checkpoints_checked
        ))?;
        match &projections {
            Some(p) => out.line(&format!(
                "projections match the log: {} rows checked against {} replayed entries",
                p.rows_checked, p.events_replayed
            ))?,
            None => out.line("projection tables not checked (--log-only)")?,
        }
        if let Some(cp) = &auditor {
            out.line(&format!(
                "the given checkpoint (size {}) is consistent with this log",
                cp.size
            ))?;
        }
    } else if report.ok {
        let p = projections.as_ref().expect("the log verified");
        out.line(&format!(
            "FAILED: the log holds ({} entries, root {}), but {} projection row(s) disagree with it:",
            report.tree_size,
            report.root_hash,
            p.mismatches.len()
        ))?;
        mismatches(&p.mismatches, out)?;
        out.line("  `synthgov rebuild` recreates the projections from the log")?;
    } else {
        match report.first_bad_index {
            Some(i) => out.line(&format!("FAILED: first bad index {i}"))?,
            None => out.line("FAILED")?,
        }
        for p in &report.problems {
            out.line(&format!("  {}", p.message))?;
        }
    }
    Ok(if ok { Exit::Ok } else { Exit::CheckFailed })
}

/// One line a row: table, key (control characters made visible), what is wrong.
fn mismatches(list: &[replay::Mismatch], out: &mut Out) -> Result<(), Failure> {
    for m in list {
        out.line(&format!(
            "  {} {:?}: {}",
            m.table,
            crate::output::sanitize(&m.key),
            m.problem
        ))?;
    }
    Ok(())
}

pub fn rebuild(ctx: &Ctx, out: &mut Out) -> Result<Exit, Failure> {
    let mut reg = Registry::open(&ctx.home)?;
    let pb = progress::bar(Some(reg.ledger().size()?), "entries", ctx.quiet);
    pb.set_message("replaying");
    let r = replay::rebuild(&mut reg, &mut |n| pb.set_position(n))?;
    pb.finish_and_clear();
    if ctx.json {
        out.json(&r)?;
        return Ok(Exit::Ok);
    }
    out.line(&format!(
        "rebuilt the projections from {} entries ({} replayed):",
        r.tree_size, r.events_replayed
    ))?;
    for (table, n) in &r.rows {
        out.line(&format!("  {n:>8}  {table}"))?;
    }
    if r.repaired.is_empty() {
        out.line("nothing differed from the log")?;
    } else {
        out.line(&format!("{} row(s) repaired:", r.repaired.len()))?;
        mismatches(&r.repaired, out)?;
    }
    for f in &r.lost_fingerprints {
        out.line(&format!(
            "fingerprint filter of {f} is gone or does not match the log: `detect` cannot find its rows (regenerate the dataset to fingerprint it again)"
        ))?;
    }
    Ok(Exit::Ok)
}
