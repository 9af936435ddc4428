//! The API's error body, `{"error": {"code": "...", "message": "..."}}` (api.md), and
//! the status each library error maps to.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use synthgov_ledger::LedgerError;
use synthgov_registry::RegistryError;
use synthgov_synth::governed::SynthError;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }
    pub fn internal(message: impl std::fmt::Display) -> ApiError {
        tracing::error!(%message, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            message.to_string(),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({"error": {"code": self.code, "message": self.message}})),
        )
            .into_response()
    }
}

impl From<RegistryError> for ApiError {
    fn from(e: RegistryError) -> ApiError {
        match &e {
            RegistryError::NotFound(_) => ApiError::not_found(e.to_string()),
            RegistryError::Denied { .. } => ApiError::forbidden(e.to_string()),
            RegistryError::Reserved { .. } => {
                ApiError::new(StatusCode::BAD_REQUEST, "reserved_type", e.to_string())
            }
            RegistryError::Tampered(_) => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "integrity_violation",
                e.to_string(),
            ),
            RegistryError::Ledger(l) => ApiError::from_ledger(l, e.to_string()),
            e if e.is_bad_input() => ApiError::bad_request(e.to_string()),
            _ => ApiError::internal(e),
        }
    }
}

impl ApiError {
    fn from_ledger(e: &LedgerError, message: String) -> ApiError {
        match e {
            LedgerError::IndexOutOfRange { .. } => ApiError::not_found(message),
            e if e.is_bad_input() => ApiError::bad_request(message),
            _ => ApiError::internal(message),
        }
    }
}

impl From<LedgerError> for ApiError {
    fn from(e: LedgerError) -> ApiError {
        let m = e.to_string();
        ApiError::from_ledger(&e, m)
    }
}

impl From<SynthError> for ApiError {
    fn from(e: SynthError) -> ApiError {
        match e {
            SynthError::Disabled(m) => ApiError::new(StatusCode::LOCKED, "generation_disabled", m),
            SynthError::Refused(m) => ApiError::forbidden(m),
            SynthError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", m),
            SynthError::Registry(r) => r.into(),
            e if e.is_bad_input() => ApiError::bad_request(e.to_string()),
            e => ApiError::internal(e),
        }
    }
}
