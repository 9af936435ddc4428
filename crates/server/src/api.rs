//! The `/v1` endpoints of `shared/spec/api.md`. Each handler authenticates (the
//! [`Caller`] extractor), asks the policies, and calls the same library function the
//! CLI calls; nothing here decides anything the CLI would decide differently.

use axum::Json;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use synthgov_ledger::hash::to_hex;
use synthgov_registry::policy::{Action, Records};
use synthgov_registry::register::{ReportedAsset, register_reported};
use synthgov_registry::{export, lineage, tokens};
use synthgov_synth::entity::Entity;
use synthgov_synth::fingerprint::Keys;
use synthgov_synth::generate::{Locale, default_products};
use synthgov_synth::governed::{GenerateRequest, finish, plan_generate, plan_model};
use synthgov_synth::row::Format;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::{Caller, Shared};

/// Rows one API request may generate; larger runs belong to the CLI on the machine
/// that keeps the output.
pub const MAX_API_ROWS: u64 = 5_000_000;

/// `Json<T>` whose rejections use the API's error body.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    /// Reads the body as the CLI reads its JSON: a member named twice or an integer
    /// outside the exact range is refused (400), never silently resolved.
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let json_type = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| {
                let m = m.trim();
                m.eq_ignore_ascii_case("application/json")
                    || (m.starts_with("application/") && m.ends_with("+json"))
            });
        if !json_type {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send Content-Type: application/json",
            ));
        }
        let bytes = match axum::body::Bytes::from_request(req, state).await {
            Ok(b) => b,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!("the body is over the {} byte limit", crate::BODY_LIMIT),
                ));
            }
            Err(e) => return Err(ApiError::bad_request(e.body_text())),
        };
        let text = std::str::from_utf8(&bytes)
            .map_err(|e| ApiError::bad_request(format!("the body is not UTF-8: {e}")))?;
        let value = synthgov_core::json::from_str_strict(text)
            .map_err(|e| ApiError::bad_request(format!("malformed JSON: {e}")))?;
        serde_json::from_value(value)
            .map(ApiJson)
            .map_err(|e| ApiError::bad_request(e.to_string()))
    }
}

pub(crate) fn created(v: Value) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}

/// Liveness.
#[utoipa::path(get, path = "/healthz", tag = "service",
    responses((status = 200, description = "`{\"status\":\"ok\"}`")))]
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "service", security(("bearer" = [])),
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain"),
              (status = 401, description = "no or bad token")))]
pub async fn metrics(State(s): State<Shared>, _who: Caller) -> Result<Response, ApiError> {
    let size = s.read(|reg| Ok(reg.ledger().size()?)).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.metrics.render(size),
    )
        .into_response())
}

/// The inventory, as `synthgov inventory --json`. A tenant-bound token sees its
/// tenant's assets only.
#[utoipa::path(get, path = "/v1/inventory", tag = "inventory", security(("bearer" = [])),
    responses((status = 200, description = "the inventory document"),
              (status = 401, description = "no or bad token")))]
pub async fn inventory(State(s): State<Shared>, who: Caller) -> Result<Json<Value>, ApiError> {
    s.allow(&who, Action::Read, Records::shared()).await?;
    let tenant = who.tenant().map(str::to_owned);
    let mut doc = s.read(|reg| Ok(export::inventory_document(reg)?)).await?;
    if let Some(t) = tenant
        && let Some(assets) = doc["assets"].as_array_mut()
    {
        assets.retain(|a| a["attrs"]["tenant"].as_str() == Some(&t));
    }
    Ok(Json(doc))
}

/// An asset by content hash: every registration of it, its lineage upstream and
/// the ledger entry that recorded it.
#[utoipa::path(get, path = "/v1/assets/{sha256}", tag = "inventory", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "hex SHA-256 of the content", pattern = "^[0-9a-fA-F]{64}$")),
    responses((status = 200, description = "`{sha256, assets: [{asset, lineage, ledger_index}]}`"),
              (status = 404, description = "no asset with that hash (visible to this token)")))]
pub async fn asset(
    State(s): State<Shared>,
    who: Caller,
    Path(sha): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let sha = sha.to_ascii_lowercase();
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::bad_request("sha256: expected 64 hex digits"));
    }
    s.allow(&who, Action::Read, Records::tenant(who.tenant()))
        .await?;
    let tenant = who.tenant().map(str::to_owned);
    let found = s
        .read(move |reg| {
            let mut out = Vec::new();
            for (a, index) in reg.assets_by_hash_indexed(&sha)? {
                if tenant.is_some() && a.attrs["tenant"].as_str() != tenant.as_deref() {
                    continue;
                }
                let upstream = lineage::asset_upstream(reg, &a)?;
                out.push(json!({"asset": a, "lineage": upstream, "ledger_index": index}));
            }
            Ok((sha, out))
        })
        .await?;
    if found.1.is_empty() {
        return Err(ApiError::not_found(format!(
            "no asset with sha256 {}",
            found.0
        )));
    }
    Ok(Json(json!({"sha256": found.0, "assets": found.1})))
}

/// An asset reported by an integration: `{"sha256", "kind", "generator", "surface", "uri"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read through serde into the registry's own type
pub struct AssetIn {
    sha256: String,
    /// image, text, tabular or document
    kind: String,
    generator: String,
    surface: Option<String>,
    uri: Option<String>,
    dataset: Option<String>,
}

/// Registers an asset by its hash (engineer, service, compliance, admin).
#[utoipa::path(post, path = "/v1/assets", tag = "inventory", security(("bearer" = [])),
    request_body = AssetIn,
    responses((status = 201, description = "`{uri, status, ledger_index}`"),
              (status = 400, description = "bad field"), (status = 403, description = "not allowed")))]
pub async fn register_asset(
    State(s): State<Shared>,
    who: Caller,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    s.allow(&who, Action::RegisterAsset, Records::tenant(who.tenant()))
        .await?;
    let req: ReportedAsset = strict(
        body,
        &["sha256", "kind", "generator", "surface", "uri", "dataset"],
    )?;
    let tenant = who.tenant().map(str::to_owned);
    let actor = who.actor();
    let r = s
        .write(move |reg| Ok(register_reported(reg, &actor, &req, tenant.as_deref())?))
        .await?;
    Ok(created(
        serde_json::to_value(r).map_err(ApiError::internal)?,
    ))
}

/// Deserializes `body` after refusing fields the type does not know (a typo must
/// not be silently dropped).
fn strict<T: DeserializeOwned>(body: Value, known: &[&str]) -> Result<T, ApiError> {
    let Value::Object(map) = &body else {
        return Err(ApiError::bad_request("the body must be a JSON object"));
    };
    if let Some(k) = map.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(ApiError::bad_request(format!(
            "unknown field {k:?}; expected {}",
            known.join(", ")
        )));
    }
    serde_json::from_value(body).map_err(|e| ApiError::bad_request(e.to_string()))
}

/// An external event: `{"type": "magento.product_saved", "data": {...}}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventIn {
    #[serde(rename = "type")]
    pub kind: String,
    #[schema(value_type = Object)]
    #[serde(default)]
    pub data: Map<String, Value>,
}

/// Appends an external event (service, admin). 201 once it is durable.
#[utoipa::path(post, path = "/v1/events", tag = "ledger", security(("bearer" = [])),
    request_body = EventIn,
    responses((status = 201, description = "`{index, leaf_hash}`"),
              (status = 400, description = "bad or reserved type"), (status = 403, description = "not allowed")))]
pub async fn append_event(
    State(s): State<Shared>,
    who: Caller,
    ApiJson(ev): ApiJson<EventIn>,
) -> Result<Response, ApiError> {
    s.allow(&who, Action::AppendEvent, Records::tenant(who.tenant()))
        .await?;
    let actor = who.actor();
    let event = match synthgov_registry::ExternalEvent::new(&actor, &ev.kind, ev.data, who.tenant())
    {
        Ok(e) => e,
        Err(err @ synthgov_registry::RegistryError::Reserved { .. }) => {
            // The refusal itself goes in the ledger (`ingest.refused`).
            let err = s
                .write(move |reg| Ok(reg.refuse_external(&actor, err)))
                .await?;
            return Err(err.into());
        }
        Err(err) => return Err(err.into()),
    };
    let (index, leaf_hash) = s.append(event).await?;
    Ok(created(json!({"index": index, "leaf_hash": leaf_hash})))
}

/// A generation request: a built-in entity or a fitted model.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateIn {
    /// customers, orders, order_items, payments, reviews, patients, appointments
    pub entity: Option<String>,
    /// A fitted model (`synthgov fit` output), inline.
    #[schema(value_type = Option<Object>)]
    pub model: Option<Value>,
    pub rows: u64,
    #[serde(default)]
    pub seed: u64,
    pub dataset: Option<String>,
    /// Whose people the built-in entities describe: en_US (default), en_GB, de_DE,
    /// fr_FR or es_ES.
    pub locale: Option<String>,
}

/// Generates a dataset version (engineer, admin). 423 while the `generation` flag is off.
#[utoipa::path(post, path = "/v1/generate", tag = "generation", security(("bearer" = [])),
    request_body = GenerateIn,
    responses((status = 201, description = "the dataset version: `{dataset, version, rows, sha256, ledger_index, out, ...}`"),
              (status = 400, description = "bad request"),
              (status = 403, description = "not allowed"),
              (status = 423, description = "`generation_disabled`: the kill switch is on")))]
pub async fn generate(
    State(s): State<Shared>,
    who: Caller,
    ApiJson(g): ApiJson<GenerateIn>,
) -> Result<Response, ApiError> {
    s.allow(&who, Action::Generate, Records::store()).await?;
    if g.rows == 0 || g.rows > MAX_API_ROWS {
        return Err(ApiError::bad_request(format!(
            "rows: 1 to {MAX_API_ROWS} per request"
        )));
    }
    let keys = Keys::new(s.home.marker_secret().map_err(ApiError::internal)?);
    let dir = s.home.dir.join("generated");
    std::fs::create_dir_all(&dir).map_err(ApiError::internal)?;
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    let actor = who.actor();
    // Plan with the writer (authorization, kill switch, lineage: short), produce the
    // rows on the blocking pool holding no lock, then commit with the writer again:
    // a large run never stalls the other appends.
    let plan = match (g.entity, g.model) {
        (Some(name), None) => {
            let entity = Entity::parse(&name)
                .ok_or_else(|| ApiError::bad_request(format!("entity: unknown entity {name:?}")))?;
            let locale = match g.locale.as_deref() {
                None => Locale::EnUs,
                Some(l) => Locale::parse(l).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "locale: unknown locale {l:?}; one of en_US, en_GB, de_DE, fr_FR, es_ES"
                    ))
                })?,
            };
            let req = GenerateRequest {
                entity,
                rows: g.rows,
                seed: g.seed,
                locale,
                format: Format::Csv,
                out: dir.join(format!("{}-{}-{stamp}.csv", entity.name(), g.seed)),
                dataset: g.dataset,
                parents: None,
                products: default_products(),
                marker_column: Some("synthgov_marker".into()),
            };
            let (keys, actor) = (keys.clone(), actor.clone());
            s.write(move |reg| Ok(plan_generate(reg, &keys, &actor, &req)?))
                .await?
        }
        (None, Some(model)) => {
            let model: synthgov_synth::copula::Model = serde_json::from_value(model)
                .map_err(|e| ApiError::bad_request(format!("model: {e}")))?;
            let out = dir.join(format!("model-{}-{stamp}.csv", g.seed));
            let actor = actor.clone();
            s.write(move |reg| {
                Ok(plan_model(
                    reg,
                    &actor,
                    &model,
                    g.rows,
                    g.seed,
                    &out,
                    g.dataset,
                    Some("synthgov_marker".into()),
                )?)
            })
            .await?
        }
        _ => {
            return Err(ApiError::bad_request(
                "give exactly one of \"entity\" or \"model\"",
            ));
        }
    };
    let plan = std::sync::Arc::new(plan);
    let p = plan.clone();
    let produced = tokio::task::spawn_blocking(move || {
        generation_pool().install(|| p.produce(&keys, &mut |_| {}))
    })
    .await
    .map_err(ApiError::internal)??;
    let report = s
        .write(move |reg| Ok(finish(reg, &actor, &plan, produced)?))
        .await?;
    Ok(created(
        serde_json::to_value(report).map_err(ApiError::internal)?,
    ))
}

/// The threads a server's generation runs on: all cores but one, so that a large run
/// never takes the core the API answers on (with rayon's global pool a 5,000,000-row
/// run pushed the p99 of `POST /v1/events` past 100 ms on 2 cores).
fn generation_pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        rayon::ThreadPoolBuilder::new()
            .num_threads(cores.saturating_sub(1).max(1))
            .thread_name(|i| format!("generate-{i}"))
            .build()
            .expect("a thread pool for generation")
    })
}

/// All flags.
#[utoipa::path(get, path = "/v1/flags", tag = "flags", security(("bearer" = [])),
    responses((status = 200, description = "`[{name, enabled, changed_at, changed_by, reason}]`")))]
pub async fn flags_all(State(s): State<Shared>, who: Caller) -> Result<Json<Value>, ApiError> {
    s.allow(&who, Action::Read, Records::shared()).await?;
    let f = s.read(|reg| Ok(reg.flags()?)).await?;
    Ok(Json(serde_json::to_value(f).map_err(ApiError::internal)?))
}

/// One flag (a flag never set is on). Storefronts poll it: the answer carries an
/// ETag, and a request whose `If-None-Match` holds it gets 304 with no body.
#[utoipa::path(get, path = "/v1/flags/{name}", tag = "flags", security(("bearer" = [])),
    params(("name" = String, Path),
           ("If-None-Match" = Option<String>, Header, description = "an ETag of an earlier answer")),
    responses((status = 200, description = "`{name, enabled}`, with `ETag`"),
              (status = 304, description = "unchanged since the ETag given")))]
pub async fn flag_one(
    State(s): State<Shared>,
    who: Caller,
    Path(name): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    s.allow(&who, Action::Read, Records::shared()).await?;
    let enabled = {
        let n = name.clone();
        s.read(move |reg| Ok(reg.flag_enabled(&n)?)).await?
    };
    let body = json!({"name": name, "enabled": enabled});
    // The tag names the representation: the same state always has the same tag.
    let digest = synthgov_core::digest::sha256_hex(body.to_string().as_bytes());
    let etag = format!("\"{}\"", &digest[..16]);
    let matches = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*");
    let cache = [
        (header::ETAG, etag.clone()),
        (header::CACHE_CONTROL, "no-cache".to_owned()),
    ];
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((cache, Json(body)).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlagIn {
    pub enabled: bool,
    pub reason: Option<String>,
}

/// Sets a flag (compliance, admin); a change is a `flag.changed` ledger event.
#[utoipa::path(put, path = "/v1/flags/{name}", tag = "flags", security(("bearer" = [])),
    params(("name" = String, Path)), request_body = FlagIn,
    responses((status = 200, description = "the flag after the change"),
              (status = 403, description = "not allowed")))]
pub async fn flag_set(
    State(s): State<Shared>,
    who: Caller,
    Path(name): Path<String>,
    ApiJson(f): ApiJson<FlagIn>,
) -> Result<Json<Value>, ApiError> {
    s.allow(&who, Action::SetFlag, Records::store()).await?;
    let actor = who.actor();
    let flag = s
        .write(move |reg| {
            reg.set_flag(&actor, &name, f.enabled, f.reason.as_deref())?;
            Ok(reg.flags()?.into_iter().find(|x| x.name == name))
        })
        .await?;
    Ok(Json(
        serde_json::to_value(flag).map_err(ApiError::internal)?,
    ))
}

/// The governance findings of the store now, and the latest recorded scan of each
/// scanner.
#[utoipa::path(get, path = "/v1/findings", tag = "findings", security(("bearer" = [])),
    responses((status = 200, description = "`{governance: {findings, scanned}, scans: [...]}`")))]
pub async fn findings(State(s): State<Shared>, who: Caller) -> Result<Json<Value>, ApiError> {
    s.allow(&who, Action::Read, Records::store()).await?;
    let st = s.clone();
    let v = s
        .read(move |reg| {
            let (rules, dates) = synthgov_registry::classify::RuleSet::load_home(&st.home)?;
            let (findings, scanned) = synthgov_scan::governance::scan_registry(
                &st.catalog,
                reg,
                &rules,
                &dates,
                time::OffsetDateTime::now_utc(),
            )?;
            let mut latest: std::collections::BTreeMap<String, Value> = Default::default();
            for (i, e) in reg.ledger().list(&synthgov_ledger::ListQuery {
                type_prefix: Some("scan.completed".into()),
                from: 0,
                limit: u64::MAX,
            })? {
                let scanner = e["data"]["scanner"].as_str().unwrap_or("scan").to_owned();
                latest.insert(scanner, json!({"ledger_index": i, "event": e}));
            }
            Ok(json!({
                "governance": {"findings": findings, "scanned": scanned},
                "scans": latest.into_values().collect::<Vec<_>>(),
            }))
        })
        .await?;
    Ok(Json(v))
}

/// The latest signed checkpoint (a new one when the log has grown).
#[utoipa::path(get, path = "/v1/ledger/checkpoint", tag = "ledger", security(("bearer" = [])),
    responses((status = 200, description = "C2SP signed note", content_type = "text/plain")))]
pub async fn checkpoint(State(s): State<Shared>, who: Caller) -> Result<Response, ApiError> {
    s.allow(&who, Action::Read, Records::shared()).await?;
    checkpoint_text(&s).await
}

pub async fn checkpoint_text(s: &Shared) -> Result<Response, ApiError> {
    let cp = s.write(|reg| Ok(reg.current_checkpoint()?)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        cp.note,
    )
        .into_response())
}

/// One entry, as `synthgov ledger entry --json`.
#[utoipa::path(get, path = "/v1/ledger/entries/{index}", tag = "ledger", security(("bearer" = [])),
    params(("index" = u64, Path)),
    responses((status = 200, description = "`{index, leaf (base64), leaf_hash}`"),
              (status = 404, description = "index out of range")))]
pub async fn entry(
    State(s): State<Shared>,
    who: Caller,
    Path(index): Path<u64>,
) -> Result<Json<Value>, ApiError> {
    s.allow(&who, Action::Read, Records::store()).await?;
    let e = s.read(move |reg| Ok(reg.ledger().entry(index)?)).await?;
    Ok(Json(json!({
        "index": e.index,
        "leaf": BASE64.encode(&e.leaf),
        "leaf_hash": to_hex(&e.leaf_hash),
    })))
}

#[derive(Debug, Deserialize)]
pub struct ProofQuery {
    index: u64,
    size: Option<u64>,
}

/// Inclusion proof, as `synthgov ledger prove --json`.
#[utoipa::path(get, path = "/v1/ledger/proof", tag = "ledger", security(("bearer" = [])),
    params(("index" = u64, Query), ("size" = Option<u64>, Query)),
    responses((status = 200, description = "RFC 9162 inclusion proof")))]
pub async fn proof(
    State(s): State<Shared>,
    who: Caller,
    Query(q): Query<ProofQuery>,
) -> Result<Json<Value>, ApiError> {
    s.allow(&who, Action::Read, Records::store()).await?;
    let p = s
        .read(move |reg| Ok(reg.ledger().prove(q.index, q.size)?))
        .await?;
    Ok(Json(serde_json::to_value(p).map_err(ApiError::internal)?))
}

#[derive(Debug, Deserialize)]
pub struct ConsistencyQuery {
    old: u64,
    size: Option<u64>,
}

/// Consistency proof, as `synthgov ledger consistency --json`.
#[utoipa::path(get, path = "/v1/ledger/consistency", tag = "ledger", security(("bearer" = [])),
    params(("old" = u64, Query), ("size" = Option<u64>, Query)),
    responses((status = 200, description = "RFC 9162 consistency proof")))]
pub async fn consistency(
    State(s): State<Shared>,
    who: Caller,
    Query(q): Query<ConsistencyQuery>,
) -> Result<Json<Value>, ApiError> {
    s.allow(&who, Action::Read, Records::store()).await?;
    let p = s
        .read(move |reg| Ok(reg.ledger().consistency(q.old, q.size)?))
        .await?;
    Ok(Json(serde_json::to_value(p).map_err(ApiError::internal)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenIn {
    /// admin, compliance, engineer, service or auditor
    pub role: String,
    pub name: String,
    pub tenant: Option<String>,
    /// RFC 3339; none: no expiry.
    pub expires_at: Option<String>,
}

/// Creates a token (admin). The token is in this response and nowhere else.
#[utoipa::path(post, path = "/v1/tokens", tag = "tokens", security(("bearer" = [])),
    request_body = TokenIn,
    responses((status = 201, description = "`{token, id, ...}`"), (status = 403, description = "not allowed")))]
pub async fn token_create(
    State(s): State<Shared>,
    who: Caller,
    ApiJson(t): ApiJson<TokenIn>,
) -> Result<Response, ApiError> {
    s.allow(&who, Action::ManageTokens, Records::store())
        .await?;
    let expires_at = match &t.expires_at {
        Some(e) => Some(
            time::OffsetDateTime::parse(e, &time::format_description::well_known::Rfc3339)
                .map_err(|_| ApiError::bad_request("expires_at: expected RFC 3339"))?,
        ),
        None => None,
    };
    let actor = who.actor();
    let n = s
        .write(move |reg| {
            Ok(tokens::create(
                reg,
                &actor,
                &tokens::CreateToken {
                    role: &t.role,
                    name: &t.name,
                    tenant: t.tenant.as_deref(),
                    expires_at,
                },
            )?)
        })
        .await?;
    let mut v = tokens::public(&n.record);
    v["token"] = json!(n.token);
    Ok(created(v))
}

/// Revokes a token (admin).
#[utoipa::path(delete, path = "/v1/tokens/{id}", tag = "tokens", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, description = "the revoked token's record"), (status = 404, description = "no such token")))]
pub async fn token_revoke(
    State(s): State<Shared>,
    who: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    s.allow(&who, Action::ManageTokens, Records::store())
        .await?;
    let actor = who.actor();
    let r = s
        .write(move |reg| Ok(tokens::revoke(reg, &actor, &id)?))
        .await?;
    Ok(Json(tokens::public(&r)))
}

/// The signed-in token itself: who the server thinks you are.
#[utoipa::path(get, path = "/v1/whoami", tag = "tokens", security(("bearer" = [])),
    responses((status = 200, description = "`{id, name, role, tenant}`")))]
pub async fn whoami(who: Caller) -> Json<Value> {
    let p = &who.principal;
    Json(json!({"id": p.id, "name": p.name, "role": p.role, "tenant": p.tenant}))
}

/// Any other path.
pub async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint; see /openapi.json")
}

/// Answers 405 in the API's error shape.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method; see /openapi.json",
    )
}
