//! synthgov-server: `synthgov serve`, the shared governance service of
//! `shared/spec/api.md`.
//!
//! - [`api`]: the `/v1` endpoints (thin: authenticate, authorize, call the library);
//! - [`state`]: the store connections, policies, token cache;
//! - [`auth`]: bearer tokens; [`error`]: the error body;
//! - [`tlog`]: the log as C2SP tlog-tiles under `/tlog/`;
//! - [`openapi`], [`metrics`].

pub mod api;
pub mod auth;
pub mod dashboard;
pub mod error;
pub mod metrics;
pub mod openapi;
pub mod regulatory;
pub mod siem;
pub mod state;
pub mod tlog;
pub mod tls;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use synthgov_registry::policy::Policies;
use synthgov_store::Home;

pub use error::ApiError;
pub use state::{AppState, Shared};

/// Largest request body accepted (an event or a model).
pub const BODY_LIMIT: usize = 1 << 20;

pub struct Config {
    pub home: Home,
    pub policies: Policies,
    /// Read connections to the store.
    pub readers: usize,
    /// Where every ledger entry is forwarded (`[siem]` of synthgov.toml).
    pub siem: Vec<siem::SinkConfig>,
}

/// The router with every endpoint, for `serve` and for tests.
pub fn router(state: Shared) -> Router {
    let v1 = Router::new()
        .route("/inventory", get(api::inventory))
        .route("/assets", post(api::register_asset))
        .route("/assets/{sha256}", get(api::asset))
        .route("/events", post(api::append_event))
        .route("/generate", post(api::generate))
        .route("/flags", get(api::flags_all))
        .route("/flags/{name}", get(api::flag_one).put(api::flag_set))
        .route("/findings", get(api::findings))
        .route("/ledger/checkpoint", get(api::checkpoint))
        .route("/ledger/entries/{index}", get(api::entry))
        .route("/ledger/proof", get(api::proof))
        .route("/ledger/consistency", get(api::consistency))
        .route("/tokens", post(api::token_create))
        .route("/tokens/{id}", axum::routing::delete(api::token_revoke))
        .route("/whoami", get(api::whoami))
        .route("/classification", get(regulatory::classification))
        .route("/incidents", get(regulatory::incidents))
        .route("/systems/{id}/assessments", post(regulatory::assess))
        .route("/systems/{id}/approval", post(regulatory::approve));
    Router::new()
        .route("/", get(dashboard::index))
        .route("/ui/login", post(dashboard::login))
        .route("/ui/logout", post(dashboard::logout))
        .route("/ui/flag", post(dashboard::set_flag))
        .route("/ui/verify", post(dashboard::verify))
        .route("/healthz", get(api::healthz))
        .route("/openapi.json", get(openapi_json))
        .route("/metrics", get(api::metrics))
        .route("/tlog/checkpoint", get(tlog::checkpoint))
        .route("/tlog/tile/{*path}", get(tlog::tile))
        .nest("/v1", v1)
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(state.clone(), count))
        .with_state(state)
}

async fn openapi_json() -> Response {
    axum::Json(openapi::document()).into_response()
}

async fn count(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_owned();
    let res = next.run(req).await;
    s.metrics.request(&method, res.status().as_u16());
    res
}

/// Serves until `shutdown` resolves; requests in flight (appends included) finish
/// before this returns. With `tls`, every connection is TLS (rustls).
pub async fn serve(
    config: Config,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ApiError> {
    serve_with(config, listener, None, shutdown).await
}

pub async fn serve_with(
    config: Config,
    listener: tokio::net::TcpListener,
    tls: Option<tls::ServerConfig>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ApiError> {
    let home = config.home.clone();
    // Opening the store blocks (PostgreSQL connects and migrates): not on a worker.
    let (policies, readers, secure) = (config.policies, config.readers, tls.is_some());
    let state =
        tokio::task::spawn_blocking(move || AppState::open(config.home, policies, readers, secure))
            .await
            .map_err(ApiError::internal)??;
    // After the store opened: a server that cannot start leaves no forwarder behind.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let forwarders = siem::spawn_all(&home, config.siem, &stop)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let app = router(state);
    let served = match tls {
        None => axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(ApiError::internal),
        Some(cfg) => tls::serve(listener, app, cfg, shutdown).await,
    };
    // The forwarders finish the batch they are sending; their cursors say where the
    // next start resumes.
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for h in forwarders {
        let _ = tokio::task::spawn_blocking(move || h.join()).await;
    }
    served
}
