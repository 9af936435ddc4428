//! `synthgov init`.

use crate::cmd::Ctx;
use crate::exit::{Exit, Failure};
use crate::output::Out;

pub fn run(ctx: &Ctx, out: &mut Out) -> Result<Exit, Failure> {
    let report = ctx.home.init()?;
    if ctx.json {
        out.json(&report)?;
        return Ok(Exit::Ok);
    }
    let state = |created: bool| if created { "created" } else { "kept" };
    out.line(&format!("home      {}", report.home.display()))?;
    out.line(&format!("store id  {}", report.store_id))?;
    out.line(&format!("origin    {}", report.origin))?;
    out.line(&format!(
        "config {}, key {}, database {}",
        state(report.created_config),
        state(report.created_key),
        state(report.created_database)
    ))?;
    out.line("verifier key (give this to your auditor):")?;
    out.line(&format!("  {}", report.verifier_key))?;
    Ok(Exit::Ok)
}
