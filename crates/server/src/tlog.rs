//! The log, read-only, as C2SP tlog-tiles under `/tlog/`: `checkpoint`, hash tiles
//! and entry bundles. No token needed: a transparency log is public to whoever holds
//! its URL, so that witnesses and monitors can follow it without our code. Full tiles
//! never change and are served as immutable.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use synthgov_ledger::tiles::{self, TILE_WIDTH, TilePath};

use crate::api::checkpoint_text;
use crate::error::ApiError;
use crate::state::Shared;

pub async fn checkpoint(State(s): State<Shared>) -> Result<Response, ApiError> {
    checkpoint_text(&s).await
}

pub async fn tile(State(s): State<Shared>, Path(path): Path<String>) -> Result<Response, ApiError> {
    let t = tiles::parse(&path)
        .ok_or_else(|| ApiError::not_found(format!("tile/{path} is not a tile path")))?;
    let data = s
        .read(move |reg| match reg.ledger().tile(t) {
            Ok(d) => Ok(d),
            Err(synthgov_ledger::LedgerError::BadRequest(m)) => Err(ApiError::not_found(m)),
            Err(e) => Err(e.into()),
        })
        .await?;
    let full = match t {
        TilePath::Hash { width, .. } | TilePath::Entries { width, .. } => {
            u64::from(width) == TILE_WIDTH
        }
    };
    let cache = if full {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CACHE_CONTROL, cache),
        ],
        data,
    )
        .into_response())
}
