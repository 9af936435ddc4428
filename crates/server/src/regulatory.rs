//! The regulatory engine over HTTP: classification judged on a day, assessments and
//! their approval, incidents with their regulatory clocks, through the same library
//! calls and write path as `synthgov classify | assess | approve | incident list`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use synthgov_registry::assessment::{self, Answers};
use synthgov_registry::classify::RuleSet;
use synthgov_registry::dates::parse_date;
use synthgov_registry::incident::{self, IncidentRules, Status};
use synthgov_registry::policy::{Action, Records};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiJson, created};
use crate::error::ApiError;
use crate::state::{Caller, Shared};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ClassifyQuery {
    /// Only this system.
    pub system: Option<String>,
    /// Judge obligations on this day (YYYY-MM-DD) instead of today.
    pub as_of: Option<String>,
}

fn day(as_of: Option<&str>) -> Result<time::Date, ApiError> {
    match as_of {
        None => Ok(time::OffsetDateTime::now_utc().date()),
        Some(d) => parse_date(d).ok_or_else(|| {
            ApiError::bad_request(format!("as_of: {d:?} is not a date (YYYY-MM-DD)"))
        }),
    }
}

/// The classification of every system, as `synthgov classify --json`.
#[utoipa::path(get, path = "/v1/classification", tag = "regulatory", security(("bearer" = [])),
    params(ClassifyQuery),
    responses((status = 200, description = "a list of classifications: role, tier, obligations with `applies_from` and `in_force`, assessment state, reasons"),
              (status = 400, description = "bad as_of"),
              (status = 404, description = "no such system")))]
pub async fn classification(
    State(s): State<Shared>,
    who: Caller,
    Query(q): Query<ClassifyQuery>,
) -> Result<Json<Value>, ApiError> {
    s.allow(&who, Action::Read, Records::store()).await?;
    let as_of = day(q.as_of.as_deref())?;
    let st = s.clone();
    let v = s
        .read(move |reg| {
            let (rules, dates) = RuleSet::load_home(&st.home)?;
            let c = assessment::classify_registry(reg, &rules, &dates, as_of, q.system.as_deref())?;
            Ok(serde_json::to_value(c).expect("serializes"))
        })
        .await?;
    Ok(Json(v))
}

/// Intake answers, as `synthgov assess --answers` reads them (all optional).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentIn {
    /// e.g. `{"practices": [], "role": "deployer", "profiles_people": false}`
    #[schema(value_type = Object)]
    pub answers: Value,
    #[serde(default)]
    pub as_of: Option<String>,
}

/// Records an assessment of a system (compliance, admin): `assessment.recorded`.
#[utoipa::path(post, path = "/v1/systems/{id}/assessments", tag = "regulatory", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AssessmentIn,
    responses((status = 201, description = "`{index, assessment, classification}`"),
              (status = 400, description = "bad answers"),
              (status = 403, description = "not allowed"),
              (status = 404, description = "no such system")))]
pub async fn assess(
    State(s): State<Shared>,
    who: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AssessmentIn>,
) -> Result<Response, ApiError> {
    s.allow(&who, Action::Assess, Records::store()).await?;
    let answers: Answers = serde_json::from_value(body.answers)
        .map_err(|e| ApiError::bad_request(format!("answers: {e}")))?;
    // The same checks as an answers file (Annex III points, dates).
    answers.check()?;
    let as_of = day(body.as_of.as_deref())?;
    let actor = who.actor();
    let st = s.clone();
    let v = s
        .write(move |reg| {
            let (rules, dates) = RuleSet::load_home(&st.home)?;
            let (rec, c, index) =
                assessment::record(reg, &actor, &id, answers, &rules, &dates, as_of)?;
            Ok(json!({"index": index, "assessment": rec, "classification": c}))
        })
        .await?;
    Ok(created(v))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalIn {
    pub reason: String,
}

/// Approves a system's latest assessment (compliance, admin): `assessment.approved`.
#[utoipa::path(post, path = "/v1/systems/{id}/approval", tag = "regulatory", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ApprovalIn,
    responses((status = 201, description = "`{index, approval}`"),
              (status = 400, description = "no assessment, answers missing, or out of date"),
              (status = 403, description = "not allowed"),
              (status = 404, description = "no such system")))]
pub async fn approve(
    State(s): State<Shared>,
    who: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ApprovalIn>,
) -> Result<Response, ApiError> {
    s.allow(&who, Action::Approve, Records::store()).await?;
    let actor = who.actor();
    let st = s.clone();
    let v = s
        .write(move |reg| {
            let (rules, dates) = RuleSet::load_home(&st.home)?;
            let (a, index) = assessment::approve(reg, &actor, &id, &body.reason, &rules, &dates)?;
            Ok(json!({"index": index, "approval": a}))
        })
        .await?;
    Ok(created(v))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct IncidentsQuery {
    /// Closed incidents too (default: open ones only).
    #[serde(default)]
    pub all: bool,
}

/// Incidents with their notification clocks judged now, as `synthgov incident list
/// --json`: `{incidents: [{..., clocks, overdue}], overdue}`.
#[utoipa::path(get, path = "/v1/incidents", tag = "regulatory", security(("bearer" = [])),
    params(IncidentsQuery),
    responses((status = 200, description = "`{incidents: [incident with clocks and overdue], overdue}`"),
              (status = 400, description = "an unknown query parameter")))]
pub async fn incidents(
    State(s): State<Shared>,
    who: Caller,
    Query(q): Query<IncidentsQuery>,
) -> Result<Json<Value>, ApiError> {
    s.allow(&who, Action::Read, Records::store()).await?;
    let v = s
        .read(move |reg| {
            let rules = IncidentRules::shipped();
            let now = time::OffsetDateTime::now_utc();
            let mut rows = Vec::new();
            for inc in incident::list(reg)?
                .iter()
                .filter(|i| q.all || i.status == Status::Open)
            {
                rows.push(incident::with_clocks(&rules, inc, now)?);
            }
            let overdue = rows.iter().any(|r| r["overdue"] == json!(true));
            Ok(json!({"incidents": rows, "overdue": overdue}))
        })
        .await?;
    Ok(Json(v))
}
