//! `synthgov serve`, `synthgov token …`, `synthgov policy …`.

use anyhow::anyhow;
use serde_json::json;
use synthgov_registry::Registry;
use synthgov_registry::policy::{self, Policies};
use synthgov_registry::tokens;

use synthgov_server::siem;

use crate::cli::{PolicyCommand, ServeArgs, SiemCommand, TokenCommand};
use crate::cmd::Ctx;
use crate::cmd::inventory::actor;
use crate::exit::{Exit, Failure};
use crate::output::{Out, sanitize};

fn load_policies(path: Option<&std::path::Path>) -> Result<Policies, Failure> {
    let Some(path) = path else {
        return Ok(Policies::default_set());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::bad_input(anyhow!("{}: {e}", path.display())))?;
    Ok(Policies::from_text(&path.display().to_string(), &text)?)
}

pub fn run_serve(ctx: &Ctx, a: ServeArgs, out: &mut Out) -> Result<Exit, Failure> {
    let policies = load_policies(a.policies.as_deref())?;
    // Fail here, with the CLI's message, when the store is missing or damaged.
    Registry::open(&ctx.home)?;
    let sinks = siem::sinks_of(&ctx.home).map_err(Failure::bad_input)?;
    let tls = match (&a.tls_cert, &a.tls_key) {
        (Some(c), Some(k)) => {
            Some(synthgov_server::tls::load(c, k).map_err(|e| Failure::bad_input(anyhow!(e)))?)
        }
        _ => None,
    };
    let config = synthgov_server::Config {
        home: ctx.home.clone(),
        policies,
        readers: a.readers,
        siem: sinks,
    };
    serve_until_stopped(config, &[a.addr], tls, out, |_| Vec::new())?;
    Ok(Exit::Ok)
}

/// Listens on the first of `addrs` that is free, prints the lines `ready` makes of
/// the URL, and serves until Ctrl-C or SIGTERM.
pub fn serve_until_stopped(
    config: synthgov_server::Config,
    addrs: &[std::net::SocketAddr],
    tls: Option<synthgov_server::tls::ServerConfig>,
    out: &mut Out,
    ready: impl FnOnce(&str) -> Vec<String>,
) -> Result<(), Failure> {
    let scheme = if tls.is_some() { "https" } else { "http" };
    init_logs();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Failure::environment)?;
    rt.block_on(async {
        let mut last = None;
        let mut listener = None;
        for a in addrs {
            match tokio::net::TcpListener::bind(a).await {
                Ok(l) => {
                    listener = Some(l);
                    break;
                }
                Err(e) => last = Some(anyhow!("cannot listen on {a}: {e}")),
            }
        }
        let Some(listener) = listener else {
            return Err(Failure::environment(
                last.unwrap_or_else(|| anyhow!("no address to listen on")),
            ));
        };
        let addr = listener.local_addr().map_err(Failure::environment)?;
        // Installed before the URL is printed: a SIGTERM that comes as soon as a
        // supervisor sees the server up must stop it cleanly, not kill it.
        let stop = shutdown_signal();
        let url = format!("{scheme}://{addr}/");
        out.line(&format!(
            "synthgov serving {} on {url} (OpenAPI at /openapi.json, tiles at /tlog/; {} SIEM sink(s)); Ctrl-C stops",
            config.home.dir.display(),
            config.siem.len()
        ))?;
        for l in ready(&url) {
            out.line(&l)?;
        }
        out.flush()?;
        synthgov_server::serve_with(config, listener, tls, stop)
            .await
            .map_err(|e| Failure::environment(anyhow!("{}", e.message)))
    })
}

/// Resolves on Ctrl-C or SIGTERM. The handlers are registered when this is called
/// (inside a runtime), not when the future is first polled.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate()).ok();
        let int = signal(SignalKind::interrupt()).ok();
        async move {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! { _ = wait(term) => {}, _ = wait(int) => {} }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

pub fn run_token(ctx: &Ctx, c: TokenCommand, out: &mut Out) -> Result<Exit, Failure> {
    let mut reg = Registry::open(&ctx.home)?;
    match c {
        TokenCommand::Create {
            role,
            name,
            tenant,
            expires_in,
        } => {
            let expires_at = match expires_in {
                None => None,
                Some(d) => Some(
                    time::OffsetDateTime::now_utc()
                        .checked_add(time::Duration::days(i64::from(d)))
                        .ok_or_else(|| {
                            Failure::bad_input(anyhow::anyhow!("--expires-in: {d} days is too far"))
                        })?,
                ),
            };
            let t = tokens::create(
                &mut reg,
                &actor(),
                &tokens::CreateToken {
                    role: &role,
                    name: &name,
                    tenant: tenant.as_deref(),
                    expires_at,
                },
            )?;
            if ctx.json {
                let mut v = tokens::public(&t.record);
                v["token"] = json!(t.token);
                out.json(&v)?;
            } else {
                out.line(&t.token)?;
                eprintln!(
                    "token {} ({role}{}) created; it is shown only now: keep it in a secret store",
                    t.id,
                    tenant.map(|t| format!(", tenant {t}")).unwrap_or_default()
                );
            }
        }
        TokenCommand::Revoke { id } => {
            let r = tokens::revoke(&mut reg, &actor(), &id)?;
            if ctx.json {
                out.json(&tokens::public(&r))?;
            } else {
                out.line(&format!(
                    "token {} revoked at {}",
                    r.id,
                    r.revoked_at.unwrap_or_default()
                ))?;
            }
        }
        TokenCommand::List => {
            let all = tokens::list(&reg)?;
            if ctx.json {
                let v: Vec<_> = all.iter().map(tokens::public).collect();
                out.json(&v)?;
            } else {
                for r in all {
                    let state = match (&r.revoked_at, &r.expires_at) {
                        (Some(at), _) => format!("revoked {at}"),
                        (None, Some(e)) => format!("expires {e}"),
                        (None, None) => "active".into(),
                    };
                    out.line(&format!(
                        "{}  {:<10}  {:<12}  {}  {}",
                        r.id,
                        r.role,
                        r.tenant.as_deref().unwrap_or("(store)"),
                        sanitize(&r.name),
                        state
                    ))?;
                }
            }
        }
    }
    Ok(Exit::Ok)
}

pub fn run_policy(c: PolicyCommand, out: &mut Out) -> Result<Exit, Failure> {
    match c {
        PolicyCommand::Default => out.text(policy::DEFAULT_POLICIES)?,
        PolicyCommand::Schema => out.text(policy::SCHEMA)?,
        PolicyCommand::Check { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| Failure::bad_input(anyhow!("{}: {e}", file.display())))?;
            let r = policy::check(&text);
            for w in &r.warnings {
                eprintln!("{}: warning: {w}", file.display());
            }
            if r.errors.is_empty() {
                out.line(&format!(
                    "{}: {} policies, valid against the synthgov schema",
                    file.display(),
                    r.policies
                ))?;
            } else {
                for e in &r.errors {
                    out.line(&format!("{}: {e}", file.display()))?;
                }
                return Ok(Exit::CheckFailed);
            }
        }
    }
    Ok(Exit::Ok)
}

fn siem_failure(e: siem::SiemError) -> Failure {
    match e {
        siem::SiemError::Config(_) => Failure::bad_input(e),
        other => Failure::environment(other),
    }
}

pub fn run_siem(ctx: &Ctx, c: SiemCommand, out: &mut Out) -> Result<Exit, Failure> {
    let reg = Registry::open(&ctx.home)?;
    let sinks = siem::sinks_of(&ctx.home).map_err(siem_failure)?;
    if sinks.is_empty() {
        return Err(Failure::bad_input(anyhow!(
            "{}: no [[siem.sinks]] configured (see docs/SERVER.md)",
            ctx.home.config_path().display()
        )));
    }
    match c {
        SiemCommand::Status => {
            let size = reg.ledger().size()?;
            let mut rows = Vec::new();
            for s in &sinks {
                let next = siem::Cursor::of(&ctx.home, &s.name)
                    .load(reg.ledger().store())
                    .map_err(siem_failure)?;
                rows.push(json!({
                    "name": s.name, "kind": s.kind, "next": next,
                    "behind": size.saturating_sub(next),
                }));
            }
            if ctx.json {
                out.json(&json!({"ledger_size": size, "sinks": rows}))?;
            } else {
                out.line(&format!("ledger size {size}"))?;
                for r in rows {
                    out.line(&format!(
                        "{:<16} {:<11} next {:>9}  behind {}",
                        sanitize(r["name"].as_str().unwrap_or("")),
                        r["kind"].as_str().unwrap_or(""),
                        r["next"],
                        r["behind"]
                    ))?;
                }
            }
            Ok(Exit::Ok)
        }
        SiemCommand::Forward { once, sink } => {
            let chosen: Vec<_> = sinks
                .into_iter()
                .filter(|s| sink.as_deref().is_none_or(|n| n == s.name))
                .collect();
            if chosen.is_empty() {
                return Err(Failure::bad_input(anyhow!(
                    "--sink {}: no such sink in synthgov.toml",
                    sink.unwrap_or_default()
                )));
            }
            if once {
                let mut report = Vec::new();
                for s in chosen {
                    let mut f = siem::Forwarder::open(&ctx.home, s).map_err(siem_failure)?;
                    let sent = f.catch_up(&reg);
                    // Hand the sink back to the servers at once, whatever happened.
                    f.release(&reg);
                    let sent = sent.map_err(siem_failure)?;
                    report.push(json!({"name": f.config.name, "sent": sent, "next": f.next()}));
                }
                if ctx.json {
                    out.json(&json!({"sinks": report}))?;
                } else {
                    for r in report {
                        out.line(&format!(
                            "{}: sent {}, next {}",
                            sanitize(r["name"].as_str().unwrap_or("")),
                            r["sent"],
                            r["next"]
                        ))?;
                    }
                }
                return Ok(Exit::Ok);
            }
            init_logs();
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let handles = siem::spawn_all(&ctx.home, chosen, &stop).map_err(siem_failure)?;
            eprintln!("forwarding to {} sink(s); Ctrl-C stops", handles.len());
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(Failure::environment)?;
            rt.block_on(async { shutdown_signal().await });
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            for h in handles {
                let _ = h.join();
            }
            Ok(Exit::Ok)
        }
    }
}

fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SYNTHGOV_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
}
