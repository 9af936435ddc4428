//! The dashboard at `/`: server-rendered HTML (minijinja) over the same library calls
//! as the API, for a person with a token. Signing in puts the token in an HttpOnly,
//! SameSite=Strict cookie; every form also carries a token-derived CSRF value, so a
//! page elsewhere cannot flip a flag with the cookie.
//!
//! Works without JavaScript; a few lines of script only confirm the kill switch.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use synthgov_ledger::LedgerStore;
use synthgov_registry::policy::{Action, Records};
use synthgov_registry::{Registry, classify, export, incident};

use crate::error::ApiError;
use crate::state::{Caller, Shared};

const COOKIE: &str = "synthgov_session";
/// Rows of a table shown on the page; the API has the rest.
const SHOWN: usize = 200;

fn env() -> &'static minijinja::Environment<'static> {
    static ENV: std::sync::OnceLock<minijinja::Environment<'static>> = std::sync::OnceLock::new();
    ENV.get_or_init(|| {
        let mut e = minijinja::Environment::new();
        e.add_template("base.html", include_str!("../templates/base.html"))
            .expect("template parses");
        e.add_template("login.html", include_str!("../templates/login.html"))
            .expect("template parses");
        e.add_template(
            "dashboard.html",
            include_str!("../templates/dashboard.html"),
        )
        .expect("template parses");
        e
    })
}

fn render(name: &str, ctx: Value) -> Response {
    match env().get_template(name).and_then(|t| t.render(minijinja::value::Serde(&ctx))) {
        Ok(html) => (
            [
                (header::CACHE_CONTROL, "no-store"),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
                ),
            ],
            Html(html),
        )
            .into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

/// A value only the holder of the session token can put in a form.
fn csrf(token: &str) -> String {
    let d = Sha256::digest(format!("synthgov-dashboard-csrf\n{token}").as_bytes());
    hex::encode(&d[..16])
}

async fn caller(s: &Shared, headers: &HeaderMap) -> Option<(Caller, String)> {
    let token = session_token(headers)?;
    let rec = s.authenticate(token.clone()).await.ok()?;
    Some((Caller::from_record(&rec), token))
}

/// The caller of a form post: signed in, and the form carries this session's CSRF
/// value.
async fn form_caller(
    s: &Shared,
    headers: &HeaderMap,
    form_csrf: &str,
) -> Result<(Caller, String), Response> {
    let Some((who, token)) = caller(s, headers).await else {
        return Err(login_page(Some("Sign in again."), StatusCode::UNAUTHORIZED));
    };
    if form_csrf != csrf(&token) {
        return Err(ApiError::forbidden(
            "the form is stale or came from another site; reload the page",
        )
        .into_response());
    }
    Ok((who, token))
}

fn login_page(message: Option<&str>, status: StatusCode) -> Response {
    let mut r = render("login.html", json!({"message": message}));
    *r.status_mut() = status;
    r
}

/// `GET /`: the dashboard, or the sign-in form.
pub async fn index(State(s): State<Shared>, headers: HeaderMap) -> Response {
    let Some((who, token)) = caller(&s, &headers).await else {
        return login_page(None, StatusCode::OK);
    };
    page(&s, &who, &token, None).await
}

async fn page(s: &Shared, who: &Caller, token: &str, notice: Option<String>) -> Response {
    if let Err(e) = s.allow(who, Action::Read, Records::shared()).await {
        return login_page(Some(&e.message), StatusCode::FORBIDDEN);
    }
    let st = s.clone();
    let tenant = who.tenant().map(str::to_owned);
    // Findings and incidents are store-wide records: a token bound to one tenant
    // reads them only where the policies say so (the default ones do not).
    let store_wide = s.permits(who, Action::Read, &Records::store());
    let view = s
        .read(move |reg| view(&st, reg, tenant.as_deref(), store_wide))
        .await;
    match view {
        Ok(mut v) => {
            let p = &who.principal;
            v["who"] = json!({"name": p.name, "role": p.role, "tenant": p.tenant});
            v["csrf"] = json!(csrf(token));
            v["notice"] = json!(notice);
            render("dashboard.html", v)
        }
        Err(e) => e.into_response(),
    }
}

/// What the page shows, gathered from the library (the same calls as the API).
fn view(
    s: &Shared,
    reg: &Registry,
    tenant: Option<&str>,
    store_wide: bool,
) -> Result<Value, ApiError> {
    let mut inv = export::inventory_document(reg)?;
    let mut assets: Vec<Value> = inv["assets"].as_array().cloned().unwrap_or_default();
    if let Some(t) = tenant {
        assets.retain(|a| a["attrs"]["tenant"].as_str() == Some(t));
    }
    let asset_count = assets.len();
    assets.truncate(SHOWN);
    inv["assets"] = Value::Null;

    let current = synthgov_registry::apply::current(reg)?;
    let (rules, dates) = classify::RuleSet::load_home(&s.home)?;
    let now = time::OffsetDateTime::now_utc();
    let classes =
        synthgov_registry::assessment::classify_registry(reg, &rules, &dates, now.date(), None)?;
    let training = reg.training()?;
    let diagram = synthgov_audit::diagram::data_flow(&current, &training);

    let mut findings = Vec::new();
    let mut incidents = Vec::new();
    if store_wide {
        findings =
            synthgov_scan::governance::scan_registry(&s.catalog, reg, &rules, &dates, now)?.0;
        let incident_rules = incident::IncidentRules::shipped();
        for inc in incident::list(reg)? {
            let clocks = incident::clocks(&incident_rules, &inc, now)?;
            incidents.push(json!({"incident": inc, "clocks": clocks}));
        }
    }

    let size = reg.ledger().size()?;
    let root = if size > 0 {
        synthgov_ledger::hash::to_hex(&reg.ledger().root_at(size)?)
    } else {
        String::new()
    };
    let checkpoint = reg
        .ledger()
        .store()
        .checkpoints()
        .map_err(synthgov_ledger::LedgerError::from)?
        .into_iter()
        .max_by_key(|c| c.id)
        .map(|c| c.note);
    let mut flags = serde_json::to_value(reg.flags()?).map_err(ApiError::internal)?;
    // The kill switch is listed even before anyone set it (a flag never set is on).
    if let Some(list) = flags.as_array_mut()
        && !list.iter().any(|f| f["name"] == "generation")
    {
        list.insert(0, json!({"name": "generation", "enabled": true}));
    }
    Ok(json!({
        "store": inv["store"],
        "generators": inv["generators"],
        "datasets": inv["datasets"],
        "systems": inv["systems"],
        "assets": assets,
        "asset_count": asset_count,
        "shown": SHOWN,
        "classifications": classes,
        "diagram": diagram,
        "store_wide": store_wide,
        "findings": findings,
        "incidents": incidents,
        "flags": flags,
        "ledger": {"size": size, "root": root, "checkpoint": checkpoint},
    }))
}

#[derive(Deserialize)]
pub struct LoginForm {
    token: String,
}

/// `POST /ui/login`: checks the token and keeps it in the session cookie.
pub async fn login(State(s): State<Shared>, Form(f): Form<LoginForm>) -> Response {
    let token = f.token.trim().to_owned();
    if token.is_empty() {
        return login_page(Some("Enter an access token."), StatusCode::UNAUTHORIZED);
    }
    match s.authenticate(token.clone()).await {
        Ok(_) => (
            [(
                header::SET_COOKIE,
                format!(
                    "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{}",
                    secure(&s)
                ),
            )],
            Redirect::to("/"),
        )
            .into_response(),
        Err(e) => login_page(Some(&e.message), StatusCode::UNAUTHORIZED),
    }
}

/// Over TLS the cookie is only ever sent back over TLS.
fn secure(s: &Shared) -> &'static str {
    if s.tls { "; Secure" } else { "" }
}

/// `POST /ui/logout`.
pub async fn logout(State(s): State<Shared>) -> Response {
    (
        [(
            header::SET_COOKIE,
            format!(
                "{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
                secure(&s)
            ),
        )],
        Redirect::to("/"),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct FlagForm {
    name: String,
    enabled: String,
    csrf: String,
    reason: Option<String>,
}

/// `POST /ui/flag`: the kill switch and the other flags, through the same policy
/// check and write path as `PUT /v1/flags/{name}`.
pub async fn set_flag(
    State(s): State<Shared>,
    headers: HeaderMap,
    Form(f): Form<FlagForm>,
) -> Response {
    let (who, token) = match form_caller(&s, &headers, &f.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(e) = s.allow(&who, Action::SetFlag, Records::store()).await {
        return page(
            &s,
            &who,
            &token,
            Some(format!("Not changed: {}", e.message)),
        )
        .await;
    }
    let enabled = f.enabled == "true";
    let actor = who.actor();
    let name = f.name.clone();
    let reason = f
        .reason
        .filter(|r| !r.trim().is_empty())
        .unwrap_or_else(|| "set from the dashboard".into());
    let r = s
        .write(move |reg| Ok(reg.set_flag(&actor, &name, enabled, Some(&reason))?))
        .await;
    let notice = match r {
        Ok(_) => format!(
            "Flag {} is now {}.",
            f.name,
            if enabled { "on" } else { "off" }
        ),
        Err(e) => format!("Not changed: {}", e.message),
    };
    page(&s, &who, &token, Some(notice)).await
}

#[derive(Deserialize)]
pub struct VerifyForm {
    csrf: String,
}

/// `POST /ui/verify`: recomputes the whole tree from the stored entries.
pub async fn verify(
    State(s): State<Shared>,
    headers: HeaderMap,
    Form(f): Form<VerifyForm>,
) -> Response {
    let (who, token) = match form_caller(&s, &headers, &f.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let r = s
        .read(|reg| {
            let ledger = reg.ledger();
            Ok(synthgov_ledger::verify(ledger, None, &mut |_| {})?)
        })
        .await;
    let notice = match r {
        Ok(v) if v.ok => format!(
            "Ledger verified: {} entries and {} checkpoints, root {}.",
            v.entries_checked, v.checkpoints_checked, v.root_hash
        ),
        Ok(v) => format!(
            "Ledger verification FAILED: {}",
            v.problems
                .iter()
                .map(|p| p.message.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ),
        Err(e) => format!("Ledger verification could not run: {}", e.message),
    };
    page(&s, &who, &token, Some(notice)).await
}
