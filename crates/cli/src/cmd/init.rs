//! `synthgov init`.

use anyhow::anyhow;
use serde_json::json;

use crate::cmd::Ctx;
use crate::exit::{Exit, Failure};
use crate::output::Out;

pub fn run(ctx: &Ctx, out: &mut Out) -> Result<Exit, Failure> {
    let report = ctx.home.init()?;
    // The local CA that signs C2PA content credentials (a store may configure a
    // chain from a C2PA-trusted CA in [disclose] instead).
    let created_c2pa =
        synthgov_disclose::signing::ensure_local_ca(&ctx.home.dir().join("keys"), &report.store_id)
            .map_err(|e| Failure::environment(anyhow!("{e}")))?;
    if ctx.json {
        let mut v = serde_json::to_value(&report).map_err(Failure::environment)?;
        v["created_c2pa_certificate"] = json!(created_c2pa);
        out.json(&v)?;
        return Ok(Exit::Ok);
    }
    let state = |created: bool| if created { "created" } else { "kept" };
    out.line(&format!("home      {}", report.home.display()))?;
    out.line(&format!("store id  {}", report.store_id))?;
    out.line(&format!("origin    {}", report.origin))?;
    out.line(&format!("database  {}", report.database))?;
    out.line(&format!(
        "config {}, key {}, database {}, C2PA certificate {}",
        state(report.created_config),
        state(report.created_key),
        state(report.created_database),
        state(created_c2pa)
    ))?;
    out.line("verifier key (give this to your auditor):")?;
    out.line(&format!("  {}", report.verifier_key))?;
    Ok(Exit::Ok)
}
