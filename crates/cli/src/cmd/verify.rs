//! `synthgov verify`.

use std::path::Path;

use synthgov_ledger::{LedgerError, verify};

use crate::cmd::Ctx;
use crate::exit::{Exit, Failure};
use crate::output::Out;
use crate::progress;

pub fn run(ctx: &Ctx, checkpoint: Option<&Path>, out: &mut Out) -> Result<Exit, Failure> {
    let ledger = ctx.home.open_ledger()?;
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
    let report = verify(&ledger, auditor.as_ref(), &mut |n| pb.set_position(n))?;
    pb.finish_and_clear();
    if ctx.json {
        out.json(&report)?;
    } else if report.ok {
        out.line(&format!(
            "ok: {} entries, root {}, {} saved checkpoint(s) verified",
            report.tree_size, report.root_hash, report.checkpoints_checked
        ))?;
        if let Some(cp) = &auditor {
            out.line(&format!(
                "the given checkpoint (size {}) is consistent with this log",
                cp.size
            ))?;
        }
    } else {
        match report.first_bad_index {
            Some(i) => out.line(&format!("FAILED: first bad index {i}"))?,
            None => out.line("FAILED")?,
        }
        for p in &report.problems {
            out.line(&format!("  {}", p.message))?;
        }
    }
    Ok(if report.ok {
        Exit::Ok
    } else {
        Exit::CheckFailed
    })
}
