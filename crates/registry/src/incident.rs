//! Incidents and their regulatory notification clocks. An incident is an inventory
//! object of kind `incident`, written through the one write path (`incident.opened`,
//! `incident.updated`, `incident.closed`); its clocks are not stored but computed from
//! its facts and the shipped rules (`rules/incidents.yaml`), so a corrected fact moves
//! every deadline that depends on it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use synthgov_core::event::now_rfc3339;
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, Month, OffsetDateTime, Time};

use crate::catalogue::EventType;
use crate::error::RegistryError;
use crate::model::is_eu_eea;
use crate::policy::Action;
use crate::registry::{Actor, Change, Registry};

pub const SHIPPED_RULES: &str = include_str!("../rules/incidents.yaml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentRules {
    pub version: u32,
    pub clocks: Vec<ClockRule>,
    pub kinds: Vec<KindRule>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClockRule {
    pub id: String,
    pub regulation: String,
    pub notify: String,
    pub kinds: Vec<String>,
    #[serde(default)]
    pub when: When,
    pub hours: Option<i64>,
    pub days: Option<i64>,
    pub days_after_year_end: Option<i64>,
    #[serde(default)]
    pub undue_delay: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    pub personal_data: Option<bool>,
    pub phi: Option<bool>,
    pub high_risk: Option<bool>,
    pub eu: Option<bool>,
    pub us: Option<bool>,
    pub affected_min: Option<u64>,
    pub affected_max: Option<u64>,
    pub ai_severity: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KindRule {
    pub id: String,
    pub title: String,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub step: String,
    pub owner: String,
    pub evidence: String,
}

impl IncidentRules {
    pub fn shipped() -> IncidentRules {
        serde_norway::from_str(SHIPPED_RULES).expect("the shipped incident rules parse (tested)")
    }

    pub fn kind(&self, id: &str) -> Option<&KindRule> {
        self.kinds.iter().find(|k| k.id == id)
    }

    pub fn kind_ids(&self) -> Vec<&str> {
        self.kinds.iter().map(|k| k.id.as_str()).collect()
    }
}

/// The recorded facts of one incident (the body of its inventory object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub status: Status,
    /// When the store became aware: every clock runs from here (RFC 3339, UTC).
    pub detected_at: String,
    #[serde(default)]
    pub jurisdictions: Vec<String>,
    #[serde(default)]
    pub personal_data: bool,
    #[serde(default)]
    pub phi: bool,
    #[serde(default)]
    pub high_risk: bool,
    #[serde(default)]
    pub affected: u64,
    #[serde(default)]
    pub ai_severity: Option<String>,
    #[serde(default)]
    pub assets: Vec<String>,
    #[serde(default)]
    pub datasets: Vec<String>,
    #[serde(default)]
    pub systems: Vec<String>,
    /// Clock id -> when that notification was made.
    #[serde(default)]
    pub notifications: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub notes: Vec<Note>,
    #[serde(default)]
    pub closed_at: Option<String>,
    #[serde(default)]
    pub resolution: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub at: String,
    pub by: String,
    pub text: String,
}

/// Where one clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    /// Notified on or before the deadline.
    Met,
    /// Notified, but after the deadline.
    Late,
    /// Not notified, and the deadline has passed.
    Missed,
    /// Not notified; the deadline is still ahead.
    Pending,
    /// No fixed deadline ("without undue delay") and not yet notified.
    Due,
}

impl ClockState {
    /// Past a regulatory notification deadline (SG-GOV-006).
    pub fn overdue(self) -> bool {
        matches!(self, ClockState::Late | ClockState::Missed)
    }
}

/// One clock as it applies to one incident.
#[derive(Debug, Clone, Serialize)]
pub struct Clock {
    pub id: String,
    pub regulation: String,
    pub notify: String,
    /// RFC 3339; None for "without undue delay".
    pub deadline: Option<String>,
    pub notified_at: Option<String>,
    pub state: ClockState,
}

pub fn parse_time(field: &str, s: &str) -> Result<OffsetDateTime, RegistryError> {
    let t = OffsetDateTime::parse(s, &Rfc3339).map_err(|e| {
        RegistryError::BadRequest(format!(
            "{field}: {s:?} is not an RFC 3339 time like 2026-11-20T09:30:00Z ({e})"
        ))
    })?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&t.year()) {
        return Err(RegistryError::BadRequest(format!(
            "{field}: {s:?} is outside {MIN_YEAR}..={MAX_YEAR}"
        )));
    }
    Ok(t)
}

/// The years an incident time may name: anything else is a typo, and far-future
/// times would overflow the deadline arithmetic.
pub const MIN_YEAR: i32 = 1970;
pub const MAX_YEAR: i32 = 2200;

fn fmt_time(t: OffsetDateTime) -> String {
    // Whole seconds: deadlines are read by people; the ledger event keeps exact time.
    t.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

fn in_eu(j: &str) -> bool {
    is_eu_eea(j.split('-').next().unwrap_or(j)) || j.eq_ignore_ascii_case("EU")
}

fn in_us(j: &str) -> bool {
    let j = j.to_ascii_uppercase();
    j == "US" || j.starts_with("US-")
}

impl When {
    fn holds(&self, inc: &Incident) -> bool {
        let eq = |want: Option<bool>, have: bool| want.is_none_or(|w| w == have);
        eq(self.personal_data, inc.personal_data || inc.phi)
            && eq(self.phi, inc.phi)
            && eq(self.high_risk, inc.high_risk)
            && eq(self.eu, inc.jurisdictions.iter().any(|j| in_eu(j)))
            && eq(self.us, inc.jurisdictions.iter().any(|j| in_us(j)))
            && self.affected_min.is_none_or(|m| inc.affected >= m)
            && self.affected_max.is_none_or(|m| inc.affected <= m)
            && self.ai_severity.as_ref().is_none_or(|s| {
                s.iter().any(|x| {
                    Some(x.as_str()) == Some(inc.ai_severity.as_deref().unwrap_or("serious"))
                })
            })
    }
}

impl ClockRule {
    fn deadline(&self, detected: OffsetDateTime) -> Option<OffsetDateTime> {
        // Checked: a record stored before times were bounded (year 9999) must not
        // make every clock evaluation panic.
        if let Some(h) = self.hours {
            return detected.checked_add(Duration::hours(h));
        }
        if let Some(d) = self.days {
            return detected.checked_add(Duration::days(d));
        }
        if let Some(d) = self.days_after_year_end {
            let next_year =
                Date::from_calendar_date(detected.year() + 1, Month::January, 1).ok()?;
            let year_end = next_year.with_time(Time::MIDNIGHT).assume_utc();
            return year_end.checked_add(Duration::days(d));
        }
        None
    }
}

/// The clocks that apply to `inc`, judged at `now`.
pub fn clocks(
    rules: &IncidentRules,
    inc: &Incident,
    now: OffsetDateTime,
) -> Result<Vec<Clock>, RegistryError> {
    let detected = parse_time("detected_at", &inc.detected_at)?;
    let mut out = Vec::new();
    for rule in &rules.clocks {
        if !rule.kinds.contains(&inc.kind) || !rule.when.holds(inc) {
            continue;
        }
        let deadline = rule.deadline(detected);
        let notified = match inc.notifications.get(&rule.id) {
            Some(t) => Some(parse_time(&format!("notifications.{}", rule.id), t)?),
            None => None,
        };
        let state = match (deadline, notified) {
            (Some(d), Some(n)) if n <= d => ClockState::Met,
            (Some(_), Some(_)) => ClockState::Late,
            (Some(d), None) if now > d => ClockState::Missed,
            (Some(_), None) => ClockState::Pending,
            (None, Some(_)) => ClockState::Met,
            (None, None) => ClockState::Due,
        };
        out.push(Clock {
            id: rule.id.clone(),
            regulation: rule.regulation.clone(),
            notify: rule.notify.clone(),
            deadline: deadline.map(fmt_time),
            notified_at: notified.map(fmt_time),
            state,
        });
    }
    Ok(out)
}

/// What `incident open` takes.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub kind: String,
    pub title: String,
    pub detected_at: Option<String>,
    pub jurisdictions: Vec<String>,
    pub personal_data: bool,
    pub phi: bool,
    pub high_risk: bool,
    pub affected: u64,
    pub ai_severity: Option<String>,
    pub assets: Vec<String>,
    pub datasets: Vec<String>,
    pub systems: Vec<String>,
}

/// What `incident update` changes; None leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct Update {
    pub note: Option<String>,
    /// (clock id, time; None = now)
    pub notified: Vec<(String, Option<String>)>,
    pub jurisdictions: Option<Vec<String>>,
    pub personal_data: Option<bool>,
    pub phi: Option<bool>,
    pub high_risk: Option<bool>,
    pub affected: Option<u64>,
    pub ai_severity: Option<String>,
    pub detected_at: Option<String>,
}

const SEVERITIES: [&str; 3] = ["serious", "widespread", "death"];

fn check(rules: &IncidentRules, inc: &Incident) -> Result<(), RegistryError> {
    if rules.kind(&inc.kind).is_none() {
        return Err(RegistryError::BadRequest(format!(
            "kind: unknown incident kind {:?}; known: {}",
            inc.kind,
            rules.kind_ids().join(", ")
        )));
    }
    if inc.title.trim().is_empty() {
        return Err(RegistryError::BadRequest("title: must not be empty".into()));
    }
    parse_time("detected_at", &inc.detected_at)?;
    if let Some(s) = &inc.ai_severity
        && !SEVERITIES.contains(&s.as_str())
    {
        return Err(RegistryError::BadRequest(format!(
            "ai_severity: {s:?} is not one of {}",
            SEVERITIES.join(", ")
        )));
    }
    for j in &inc.jurisdictions {
        if j.is_empty() || !j.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(RegistryError::BadRequest(format!(
                "jurisdiction: {j:?} is not a country code like FR or US-CA"
            )));
        }
    }
    for (clock, t) in &inc.notifications {
        if !rules.clocks.iter().any(|c| &c.id == clock) {
            return Err(RegistryError::BadRequest(format!(
                "notified: unknown clock {clock:?}; known: {}",
                rules
                    .clocks
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let at = parse_time(&format!("notified {clock}"), t)?;
        let detected = parse_time("detected_at", &inc.detected_at)?;
        if at < detected {
            return Err(RegistryError::BadRequest(format!(
                "notified {clock}: {t} is before the incident was detected ({})",
                inc.detected_at
            )));
        }
        // A few minutes of clock skew between the caller and this machine are fine.
        if at > OffsetDateTime::now_utc() + Duration::minutes(5) {
            return Err(RegistryError::BadRequest(format!(
                "notified {clock}: {t} is in the future"
            )));
        }
        let owns = rules
            .clocks
            .iter()
            .any(|c| &c.id == clock && c.kinds.contains(&inc.kind) && c.when.holds(inc));
        if !owns {
            return Err(RegistryError::BadRequest(format!(
                "notified {clock}: this incident has no {clock} clock (its kind, jurisdictions and facts do not start one)"
            )));
        }
    }
    Ok(())
}

fn change(kind: EventType, inc: &Incident) -> Change {
    let body = serde_json::to_value(inc).expect("incident serializes");
    let mut data = Map::new();
    data.insert("incident".into(), Value::String(inc.id.clone()));
    data.insert("record".into(), body);
    Change::new(kind, data)
}

/// Every recorded incident, by id.
pub fn list(reg: &Registry) -> Result<Vec<Incident>, RegistryError> {
    reg.objects("incident")?
        .into_iter()
        .map(|(id, v)| {
            serde_json::from_value(v).map_err(|e| {
                RegistryError::Store(synthgov_ledger::StoreError::Damaged(format!(
                    "incident {id}: {e}"
                )))
            })
        })
        .collect()
}

pub fn get(reg: &Registry, id: &str) -> Result<Incident, RegistryError> {
    let v = reg
        .object("incident", id)?
        .ok_or_else(|| RegistryError::NotFound(format!("incident {id}")))?;
    serde_json::from_value(v).map_err(|e| {
        RegistryError::Store(synthgov_ledger::StoreError::Damaged(format!(
            "incident {id}: {e}"
        )))
    })
}

/// Opens an incident; returns it with the ledger index of `incident.opened`.
pub fn open(
    reg: &mut Registry,
    rules: &IncidentRules,
    actor: &Actor,
    facts: Facts,
) -> Result<(Incident, u64), RegistryError> {
    let now = now_rfc3339();
    let n = reg.objects("incident")?.len() + 1;
    let inc = Incident {
        id: format!("INC-{n:04}"),
        kind: facts.kind,
        title: facts.title,
        status: Status::Open,
        detected_at: match facts.detected_at {
            Some(t) => fmt_time(parse_time("detected_at", &t)?),
            None => now.clone(),
        },
        jurisdictions: facts
            .jurisdictions
            .iter()
            .map(|j| j.to_ascii_uppercase())
            .collect(),
        personal_data: facts.personal_data,
        phi: facts.phi,
        high_risk: facts.high_risk,
        affected: facts.affected,
        ai_severity: facts.ai_severity,
        assets: facts.assets,
        datasets: facts.datasets,
        systems: facts.systems,
        notifications: Default::default(),
        notes: Vec::new(),
        closed_at: None,
        resolution: None,
    };
    check(rules, &inc)?;
    if reg.object("incident", &inc.id)?.is_some() {
        return Err(RegistryError::BadRequest(format!(
            "incident {} was opened concurrently; run the command again",
            inc.id
        )));
    }
    let receipt = reg.commit(
        actor,
        Action::Incident,
        vec![change(EventType::IncidentOpened, &inc)],
    )?;
    Ok((inc, receipt.first_index))
}

pub fn update(
    reg: &mut Registry,
    rules: &IncidentRules,
    actor: &Actor,
    id: &str,
    u: Update,
) -> Result<(Incident, u64), RegistryError> {
    let mut inc = get(reg, id)?;
    let now = now_rfc3339();
    if let Some(t) = u.note {
        inc.notes.push(Note {
            at: now.clone(),
            by: actor.name.clone(),
            text: t,
        });
    }
    for (clock, at) in u.notified {
        let at = match at {
            Some(t) => fmt_time(parse_time(&format!("notified {clock}"), &t)?),
            None => now.clone(),
        };
        inc.notifications.insert(clock, at);
    }
    if let Some(j) = u.jurisdictions {
        inc.jurisdictions = j.iter().map(|j| j.to_ascii_uppercase()).collect();
    }
    macro_rules! set {
        ($($f:ident),*) => { $( if let Some(v) = u.$f { inc.$f = v; } )* };
    }
    set!(personal_data, phi, high_risk, affected);
    if let Some(s) = u.ai_severity {
        inc.ai_severity = Some(s);
    }
    if let Some(t) = u.detected_at {
        inc.detected_at = fmt_time(parse_time("detected_at", &t)?);
    }
    check(rules, &inc)?;
    let receipt = reg.commit(
        actor,
        Action::Incident,
        vec![change(EventType::IncidentUpdated, &inc)],
    )?;
    Ok((inc, receipt.first_index))
}

pub fn close(
    reg: &mut Registry,
    actor: &Actor,
    id: &str,
    resolution: &str,
) -> Result<(Incident, u64), RegistryError> {
    let mut inc = get(reg, id)?;
    if inc.status == Status::Closed {
        return Err(RegistryError::BadRequest(format!(
            "incident {id} is already closed"
        )));
    }
    if resolution.trim().is_empty() {
        return Err(RegistryError::BadRequest(
            "resolution: say how the incident was resolved".into(),
        ));
    }
    inc.status = Status::Closed;
    inc.closed_at = Some(now_rfc3339());
    inc.resolution = Some(resolution.to_owned());
    let receipt = reg.commit(
        actor,
        Action::Incident,
        vec![change(EventType::IncidentClosed, &inc)],
    )?;
    Ok((inc, receipt.first_index))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> OffsetDateTime {
        OffsetDateTime::parse(s, &Rfc3339).unwrap()
    }

    fn inc(kind: &str) -> Incident {
        Incident {
            id: "INC-0001".into(),
            kind: kind.into(),
            title: "t".into(),
            status: Status::Open,
            detected_at: "2026-03-02T10:00:00Z".into(),
            jurisdictions: vec![],
            personal_data: false,
            phi: false,
            high_risk: false,
            affected: 0,
            ai_severity: None,
            assets: vec![],
            datasets: vec![],
            systems: vec![],
            notifications: Default::default(),
            notes: vec![],
            closed_at: None,
            resolution: None,
        }
    }

    /// (kind, jurisdictions, personal, phi, high risk, affected, ai severity) ->
    /// every clock with its deadline, the table the regulations give.
    #[test]
    fn deadlines_by_kind_and_jurisdiction() {
        type Row = (
            &'static str,
            &'static [&'static str],
            bool,
            bool,
            bool,
            u64,
            Option<&'static str>,
            &'static [(&'static str, Option<&'static str>)],
        );
        let table: &[Row] = &[
            (
                "personal_data_breach",
                &["FR"],
                true,
                false,
                false,
                10,
                None,
                &[("gdpr-art33", Some("2026-03-05T10:00:00Z"))],
            ),
            (
                "personal_data_breach",
                &["DE"],
                true,
                false,
                true,
                10,
                None,
                &[
                    ("gdpr-art33", Some("2026-03-05T10:00:00Z")),
                    ("gdpr-art34", None),
                ],
            ),
            // Outside the EU/EEA and without PHI, no clock of ours applies.
            (
                "personal_data_breach",
                &["BR"],
                true,
                false,
                false,
                10,
                None,
                &[],
            ),
            // Personal data but no EU and no PHI: nothing.
            (
                "vendor_breach",
                &["US-CA"],
                true,
                false,
                false,
                10,
                None,
                &[],
            ),
            (
                "phi_in_synthetic_data",
                &["US"],
                false,
                true,
                false,
                20,
                None,
                &[
                    ("hipaa-individuals", Some("2026-05-01T10:00:00Z")),
                    // 60 days after 31 December: the end of 1 March 2027.
                    ("hipaa-hhs-annual", Some("2027-03-02T00:00:00Z")),
                ],
            ),
            (
                "phi_in_synthetic_data",
                &["US-NY", "IE"],
                false,
                true,
                false,
                500,
                None,
                &[
                    ("gdpr-art33", Some("2026-03-05T10:00:00Z")),
                    ("hipaa-individuals", Some("2026-05-01T10:00:00Z")),
                    ("hipaa-hhs", Some("2026-05-01T10:00:00Z")),
                ],
            ),
            (
                "vendor_breach",
                &["US"],
                true,
                true,
                false,
                501,
                None,
                &[
                    ("hipaa-individuals", Some("2026-05-01T10:00:00Z")),
                    ("hipaa-hhs", Some("2026-05-01T10:00:00Z")),
                    ("hipaa-media", Some("2026-05-01T10:00:00Z")),
                ],
            ),
            (
                "serious_incident_high_risk_ai",
                &["NL"],
                false,
                false,
                false,
                1,
                None,
                &[("ai-act-art73", Some("2026-03-17T10:00:00Z"))],
            ),
            (
                "serious_incident_high_risk_ai",
                &["NL"],
                false,
                false,
                false,
                1,
                Some("widespread"),
                &[("ai-act-art73-widespread", Some("2026-03-04T10:00:00Z"))],
            ),
            (
                "serious_incident_high_risk_ai",
                &["NL"],
                false,
                false,
                false,
                1,
                Some("death"),
                &[("ai-act-art73-death", Some("2026-03-12T10:00:00Z"))],
            ),
            (
                "serious_incident_high_risk_ai",
                &["US"],
                false,
                false,
                false,
                1,
                None,
                &[],
            ),
            (
                "undisclosed_ai_content",
                &["FR"],
                false,
                false,
                false,
                0,
                None,
                &[],
            ),
            (
                "synthetic_leak_to_production",
                &["FR"],
                false,
                false,
                false,
                0,
                None,
                &[],
            ),
            (
                "synthetic_leak_to_production",
                &["FR"],
                true,
                false,
                false,
                3,
                None,
                &[("gdpr-art33", Some("2026-03-05T10:00:00Z"))],
            ),
        ];
        let rules = IncidentRules::shipped();
        for (kind, js, pd, phi, hr, n, sev, want) in table {
            let mut i = inc(kind);
            i.jurisdictions = js.iter().map(|s| s.to_string()).collect();
            i.personal_data = *pd;
            i.phi = *phi;
            i.high_risk = *hr;
            i.affected = *n;
            i.ai_severity = sev.map(String::from);
            let got: Vec<(String, Option<String>)> = clocks(&rules, &i, at("2026-03-02T11:00:00Z"))
                .unwrap()
                .into_iter()
                .map(|c| (c.id, c.deadline))
                .collect();
            let want: Vec<(String, Option<String>)> = want
                .iter()
                .map(|(c, d)| (c.to_string(), d.map(String::from)))
                .collect();
            assert_eq!(
                got, want,
                "{kind} {js:?} pd={pd} phi={phi} n={n} sev={sev:?}"
            );
        }
    }

    #[test]
    fn seventy_two_hour_boundary() {
        let rules = IncidentRules::shipped();
        let mut i = inc("personal_data_breach");
        i.jurisdictions = vec!["FR".into()];
        i.personal_data = true;
        let state = |i: &Incident, now: &str| clocks(&rules, i, at(now)).unwrap()[0].state;
        // Not notified: pending until the deadline, missed a minute after.
        assert_eq!(state(&i, "2026-03-05T09:59:00Z"), ClockState::Pending);
        assert_eq!(state(&i, "2026-03-05T10:00:00Z"), ClockState::Pending);
        assert_eq!(state(&i, "2026-03-05T10:01:00Z"), ClockState::Missed);
        // Notified at 71 h 59 min: met, whenever judged.
        i.notifications
            .insert("gdpr-art33".into(), "2026-03-05T09:59:00Z".into());
        assert_eq!(state(&i, "2026-09-01T00:00:00Z"), ClockState::Met);
        // At 72 h 1 min: late.
        i.notifications
            .insert("gdpr-art33".into(), "2026-03-05T10:01:00Z".into());
        assert_eq!(state(&i, "2026-03-05T10:01:00Z"), ClockState::Late);
        assert!(ClockState::Late.overdue() && ClockState::Missed.overdue());
        assert!(!ClockState::Met.overdue() && !ClockState::Pending.overdue());
        // A detection time with an offset counts in absolute time.
        i.detected_at = "2026-03-02T12:00:00+02:00".into();
        i.notifications
            .insert("gdpr-art33".into(), "2026-03-05T09:59:00Z".into());
        assert_eq!(state(&i, "2026-03-05T10:01:00Z"), ClockState::Met);
    }

    #[test]
    fn hipaa_boundaries() {
        let rules = IncidentRules::shipped();
        let mut i = inc("phi_in_synthetic_data");
        i.jurisdictions = vec!["US".into()];
        i.phi = true;
        let ids = |i: &Incident| -> Vec<String> {
            clocks(&rules, i, at("2026-03-02T10:00:00Z"))
                .unwrap()
                .into_iter()
                .map(|c| c.id)
                .collect()
        };
        i.affected = 499;
        assert_eq!(ids(&i), ["hipaa-individuals", "hipaa-hhs-annual"]);
        i.affected = 500;
        assert_eq!(ids(&i), ["hipaa-individuals", "hipaa-hhs"]);
        i.affected = 501;
        assert_eq!(ids(&i), ["hipaa-individuals", "hipaa-hhs", "hipaa-media"]);
        // 60 days of discovery: day 60 on time, day 60 + 1 minute late.
        i.notifications
            .insert("hipaa-individuals".into(), "2026-05-01T10:00:00Z".into());
        assert_eq!(
            clocks(&rules, &i, at("2026-06-01T00:00:00Z")).unwrap()[0].state,
            ClockState::Met
        );
        i.notifications
            .insert("hipaa-individuals".into(), "2026-05-01T10:01:00Z".into());
        assert_eq!(
            clocks(&rules, &i, at("2026-06-01T00:00:00Z")).unwrap()[0].state,
            ClockState::Late
        );
    }

    #[test]
    fn shipped_rules_are_consistent() {
        let rules = IncidentRules::shipped();
        for c in &rules.clocks {
            let n = [
                c.hours.is_some(),
                c.days.is_some(),
                c.days_after_year_end.is_some(),
                c.undue_delay,
            ]
            .iter()
            .filter(|x| **x)
            .count();
            assert_eq!(n, 1, "clock {} has exactly one deadline form", c.id);
            for k in &c.kinds {
                assert!(
                    rules.kind(k).is_some(),
                    "clock {} names unknown kind {k}",
                    c.id
                );
            }
        }
        for k in [
            "synthetic_leak_to_production",
            "undisclosed_ai_content",
            "phi_in_synthetic_data",
            "personal_data_breach",
            "vendor_breach",
            "serious_incident_high_risk_ai",
        ] {
            assert!(
                !rules.kind(k).unwrap().steps.is_empty(),
                "{k} has a playbook"
            );
        }
    }
}
