//! Incidents and their regulatory notification clocks. An incident is an inventory
//! object of kind `incident`, written through the one write path (`incident.opened`,
//! `incident.updated`, `incident.closed`); its clocks are not stored but computed from
//! its facts and the shipped rules (`rules/incidents.yaml`), so a corrected fact moves
//! every deadline that depends on it.
//!
//! The facts include the store's legal position at the time ([`Scope`]: where it is
//! established, where it sells, what HIPAA makes of it, and the tier, role and device
//! class of every linked AI system), recorded with the incident when it is opened or
//! updated: GDPR clocks follow establishment and targeting (Art. 3), not where the
//! people live; Art. 73 follows the system's tier; MDR vigilance replaces it for
//! medical devices (Art. 73(10)).

use std::collections::BTreeMap;

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
    /// GDPR applies: the store is established in the EU/EEA (Art. 3(1)), or it
    /// targets the EU/EEA (Art. 3(2)) and people there are affected.
    pub gdpr: Option<bool>,
    /// The store processes the data for another controller (Art. 33(2)).
    pub processor: Option<bool>,
    /// A linked AI system is high-risk (or, with none linked, the kind says so).
    pub ai_high_risk: Option<bool>,
    /// A linked AI system is medical-device software (MDR vigilance, Art. 73(10)).
    pub medical_device: Option<bool>,
    /// The store's role for the linked system: provider | deployer.
    pub ai_role: Option<Vec<String>>,
    /// covered_entity | business_associate | none.
    pub hipaa_entity: Option<Vec<String>>,
    /// More residents of one US state affected than this, minus one (HIPAA media).
    pub state_residents_min: Option<u64>,
    /// Residents of this region (`US-CA`) affected, at least `residents_min`.
    pub residents_of: Option<String>,
    pub residents_min: Option<u64>,
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
    /// People affected per jurisdiction (`US-CA` -> 600).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub affected_in: BTreeMap<String, u64>,
    /// The store is the processor, not the controller, of the data.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub processor: bool,
    /// The store's legal position when the incident was recorded; absent in records
    /// written before it was (read as v1 did: clocks by where people are, HIPAA for PHI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Clock id -> when that notification was made.
    #[serde(default)]
    pub notifications: BTreeMap<String, String>,
    #[serde(default)]
    pub notes: Vec<Note>,
    #[serde(default)]
    pub closed_at: Option<String>,
    #[serde(default)]
    pub resolution: Option<String>,
}

/// What the inventory said of the store and the linked systems.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Scope {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub establishment: Option<String>,
    #[serde(default)]
    pub markets: Vec<String>,
    /// Absent when the inventory declares no store: read as v1 did (HIPAA for PHI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hipaa_entity: Option<String>,
    #[serde(default)]
    pub systems: Vec<SystemScope>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemScope {
    pub id: String,
    pub tier: String,
    pub role: String,
    pub medical_device: bool,
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

impl Incident {
    fn people_in_eu(&self) -> bool {
        self.jurisdictions.iter().any(|j| in_eu(j))
    }

    /// GDPR territorial scope (Art. 3): establishment, or targeting with people in the
    /// EU/EEA affected; a record without scope: where the people are (v1).
    pub fn gdpr_applies(&self) -> bool {
        match &self.scope {
            None => self.people_in_eu(),
            // No store declared: where the people are, as v1 read it.
            Some(s) if s.establishment.is_none() => self.people_in_eu(),
            Some(s) => {
                s.establishment.as_deref().is_some_and(in_eu)
                    || (s.markets.iter().any(|m| in_eu(m)) && self.people_in_eu())
            }
        }
    }

    fn linked(&self) -> &[SystemScope] {
        self.scope.as_ref().map_or(&[], |s| s.systems.as_slice())
    }

    fn ai_high_risk(&self) -> bool {
        let linked = self.linked();
        if linked.is_empty() {
            return self.kind == "serious_incident_high_risk_ai";
        }
        linked.iter().any(|s| s.tier == "high")
    }

    fn hipaa_entity(&self) -> &str {
        // v1 records, and stores that declare nothing, apply HIPAA to any PHI in the US.
        self.scope
            .as_ref()
            .and_then(|s| s.hipaa_entity.as_deref())
            .unwrap_or("covered_entity")
    }

    /// Residents of the most affected US state; without a per-state count, all the
    /// people affected (the distribution is unknown, so the media clock is not missed).
    fn most_in_one_state(&self) -> u64 {
        self.affected_in
            .iter()
            .filter(|(k, _)| k.to_ascii_uppercase().starts_with("US-"))
            .map(|(_, n)| *n)
            .max()
            .unwrap_or(self.affected)
    }
}

impl When {
    fn holds(&self, inc: &Incident) -> bool {
        let eq = |want: Option<bool>, have: bool| want.is_none_or(|w| w == have);
        let one_of = |want: &Option<Vec<String>>, have: &str| {
            want.as_ref().is_none_or(|l| l.iter().any(|x| x == have))
        };
        let role = inc.linked().first().map_or("provider", |s| s.role.as_str());
        eq(self.personal_data, inc.personal_data || inc.phi)
            && eq(self.phi, inc.phi)
            && eq(self.high_risk, inc.high_risk)
            && eq(self.eu, inc.people_in_eu())
            && eq(self.us, inc.jurisdictions.iter().any(|j| in_us(j)))
            && self.affected_min.is_none_or(|m| inc.affected >= m)
            && self.affected_max.is_none_or(|m| inc.affected <= m)
            && self.ai_severity.as_ref().is_none_or(|s| {
                s.iter().any(|x| {
                    Some(x.as_str()) == Some(inc.ai_severity.as_deref().unwrap_or("serious"))
                })
            })
            && eq(self.gdpr, inc.gdpr_applies())
            && eq(self.processor, inc.processor)
            && eq(self.ai_high_risk, inc.ai_high_risk())
            && eq(
                self.medical_device,
                inc.linked().iter().any(|s| s.medical_device),
            )
            && one_of(&self.ai_role, role)
            && one_of(&self.hipaa_entity, inc.hipaa_entity())
            && self
                .state_residents_min
                .is_none_or(|m| inc.most_in_one_state() >= m)
            && self.residents_of.as_ref().is_none_or(|r| {
                let n = inc
                    .affected_in
                    .iter()
                    .filter(|(k, _)| k.eq_ignore_ascii_case(r))
                    .map(|(_, n)| *n)
                    .sum::<u64>();
                n >= self.residents_min.unwrap_or(1)
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
    /// People affected per jurisdiction (`US-CA` -> 600); their codes join
    /// `jurisdictions` and their sum is `affected` when that is not given.
    pub affected_in: BTreeMap<String, u64>,
    pub processor: bool,
}

/// The classification rules and dates, to read the tier and role of linked systems.
pub type Law<'a> = (&'a crate::classify::RuleSet, &'a crate::dates::Dates);

/// The store's legal position now, and that of each linked system.
pub fn scope(reg: &Registry, law: Law, systems: &[String]) -> Result<Scope, RegistryError> {
    let inv = crate::apply::current(reg)?;
    for id in systems {
        if !inv.systems.iter().any(|s| &s.id == id) {
            return Err(RegistryError::BadRequest(format!(
                "system: {id:?} is not a system of the inventory (see `synthgov inventory`)"
            )));
        }
    }
    let mut out = Scope {
        establishment: inv.store.as_ref().map(|s| s.establishment().to_owned()),
        markets: inv.store.as_ref().map(|s| s.markets()).unwrap_or_default(),
        hipaa_entity: inv
            .store
            .as_ref()
            .map(|s| s.hipaa_entity().as_str().to_owned()),
        systems: Vec::new(),
    };
    if systems.is_empty() {
        return Ok(out);
    }
    let (rules, dates) = law;
    let answers = crate::assessment::inputs(reg, &inv, rules, dates)?;
    let classes = crate::classify::classify_all(
        &inv,
        &crate::classify::Context {
            rules,
            dates,
            as_of: OffsetDateTime::now_utc().date(),
            assessments: &answers,
        },
        None,
    )?;
    for id in systems {
        let sys = inv.systems.iter().find(|s| &s.id == id).expect("checked");
        let eff = match answers.get(id) {
            Some(a) => a.answers.fill(sys),
            None => sys.clone(),
        };
        let c = classes
            .iter()
            .find(|c| &c.system == id)
            .expect("classified");
        out.systems.push(SystemScope {
            id: id.clone(),
            tier: c.eu_ai_act.tier.as_str().to_owned(),
            role: c.role.as_str().to_owned(),
            medical_device: eff.use_case == "medical_device"
                || eff
                    .medical_device
                    .as_ref()
                    .is_some_and(|m| m.device != Some(false)),
        });
    }
    Ok(out)
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
    pub affected_in: Option<BTreeMap<String, u64>>,
    pub processor: Option<bool>,
    pub systems: Option<Vec<String>>,
}

/// `serious` (Art. 73(2), MDR 87(3)), `widespread` (Art. 73(3); for devices a serious
/// public health threat, MDR 87(4)), `death` (Art. 73(4)), `serious_deterioration`
/// (of health: MDR 87(5)).
pub const SEVERITIES: [&str; 4] = ["serious", "widespread", "death", "serious_deterioration"];

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
    if inc.kind == "personal_data_breach" && !inc.personal_data {
        return Err(RegistryError::BadRequest(
            "personal_data: a personal_data_breach affects personal data".into(),
        ));
    }
    if inc.kind == "serious_incident_high_risk_ai" {
        let linked = inc.linked();
        if !linked.is_empty() && !linked.iter().any(|s| s.tier == "high" || s.medical_device) {
            let s = &linked[0];
            return Err(RegistryError::BadRequest(format!(
                "kind: system {} is {}-risk and no medical device: EU AI Act Art. 73 covers serious incidents of high-risk systems only; record it as another kind (e.g. personal_data_breach) or correct the system's classification",
                s.id, s.tier
            )));
        }
    }
    for j in inc.affected_in.keys() {
        if !inc.jurisdictions.contains(j) {
            return Err(RegistryError::BadRequest(format!(
                "affected-in: {j} is not among the incident's jurisdictions"
            )));
        }
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
/// An incident with its clocks as judged at `now`, and whether any is overdue: the
/// shape `incident list --json` and `GET /v1/incidents` give.
pub fn with_clocks(
    rules: &IncidentRules,
    inc: &Incident,
    now: OffsetDateTime,
) -> Result<serde_json::Value, RegistryError> {
    let clocks = clocks(rules, inc, now)?;
    let overdue = clocks.iter().any(|c| c.state.overdue());
    let mut v = serde_json::to_value(inc).expect("an incident serializes");
    v["clocks"] = serde_json::to_value(&clocks).expect("clocks serialize");
    v["overdue"] = serde_json::Value::Bool(overdue);
    Ok(v)
}

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
    law: Law,
    actor: &Actor,
    facts: Facts,
) -> Result<(Incident, u64), RegistryError> {
    let now = now_rfc3339();
    let n = reg.objects("incident")?.len() + 1;
    let scope = scope(reg, law, &facts.systems)?;
    let mut jurisdictions: Vec<String> = facts
        .jurisdictions
        .iter()
        .chain(facts.affected_in.keys())
        .map(|j| j.to_ascii_uppercase())
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    jurisdictions.retain(|j| seen.insert(j.clone()));
    let affected_in: BTreeMap<String, u64> = facts
        .affected_in
        .iter()
        .map(|(k, v)| (k.to_ascii_uppercase(), *v))
        .collect();
    let is_breach = facts.kind == "personal_data_breach";
    let affected = if facts.affected == 0 {
        affected_in.values().sum()
    } else {
        facts.affected
    };
    let inc = Incident {
        id: format!("INC-{n:04}"),
        kind: facts.kind,
        title: facts.title,
        status: Status::Open,
        detected_at: match facts.detected_at {
            Some(t) => fmt_time(parse_time("detected_at", &t)?),
            None => now.clone(),
        },
        jurisdictions,
        // Kind personal_data_breach implies personal data.
        personal_data: facts.personal_data || is_breach,
        phi: facts.phi,
        high_risk: facts.high_risk,
        affected,
        ai_severity: facts.ai_severity,
        assets: facts.assets,
        datasets: facts.datasets,
        systems: facts.systems,
        affected_in,
        processor: facts.processor,
        scope: Some(scope),
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
    law: Law,
    actor: &Actor,
    id: &str,
    u: Update,
) -> Result<(Incident, u64), RegistryError> {
    let mut inc = get(reg, id)?;
    if let Some(systems) = u.systems {
        inc.systems = systems;
    }
    if let Some(a) = u.affected_in {
        for (k, v) in a {
            let k = k.to_ascii_uppercase();
            if !inc.jurisdictions.contains(&k) {
                inc.jurisdictions.push(k.clone());
            }
            inc.affected_in.insert(k, v);
        }
        if u.affected.is_none() {
            inc.affected = inc.affected.max(inc.affected_in.values().sum());
        }
    }
    if let Some(p) = u.processor {
        inc.processor = p;
    }
    // Re-read the store's position: a corrected inventory moves the clocks.
    inc.scope = Some(scope(reg, law, &inc.systems)?);
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
        let mut js: Vec<String> = j.iter().map(|j| j.to_ascii_uppercase()).collect();
        for k in inc.affected_in.keys() {
            if !js.contains(k) {
                js.push(k.clone());
            }
        }
        inc.jurisdictions = js;
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
            affected_in: Default::default(),
            processor: false,
            scope: None,
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

    fn scoped(kind: &str, establishment: &str, markets: &[&str], hipaa: &str) -> Incident {
        let mut i = inc(kind);
        i.scope = Some(Scope {
            establishment: Some(establishment.into()),
            markets: markets.iter().map(|m| m.to_string()).collect(),
            hipaa_entity: Some(hipaa.into()),
            systems: vec![],
        });
        i
    }

    fn with_system(mut i: Incident, tier: &str, role: &str, device: bool) -> Incident {
        i.systems = vec!["sys".into()];
        i.scope.as_mut().unwrap().systems = vec![SystemScope {
            id: "sys".into(),
            tier: tier.into(),
            role: role.into(),
            medical_device: device,
        }];
        i
    }

    /// (clock id, deadline) pairs.
    type Deadlines = Vec<(String, Option<String>)>;

    fn ids(i: &Incident) -> Deadlines {
        clocks(&IncidentRules::shipped(), i, at("2026-03-02T10:00:00Z"))
            .unwrap()
            .into_iter()
            .map(|c| (c.id, c.deadline))
            .collect()
    }

    fn want(list: &[(&str, Option<&str>)]) -> Deadlines {
        list.iter()
            .map(|(c, d)| (c.to_string(), d.map(String::from)))
            .collect()
    }

    /// Every v2 clock, from the facts that start it, to the minute: pending at its
    /// deadline, missed a minute after, met when notified at the deadline, late when
    /// notified a minute after; "without undue delay" clocks are due until notified.
    #[test]
    fn v2_clocks_to_the_minute() {
        const D72: &str = "2026-03-05T10:00:00Z";
        const D60: &str = "2026-05-01T10:00:00Z";
        const YEAR: &str = "2027-03-02T00:00:00Z";
        let mut cases: Vec<(&str, Incident, Deadlines)> = Vec::new();

        // A German store whose breach hit only US customers: GDPR Art. 3(1) applies.
        let mut de = scoped("personal_data_breach", "DE", &["US"], "none");
        de.personal_data = true;
        de.jurisdictions = vec!["US-CA".into()];
        de.affected_in = [("US-CA".to_string(), 600)].into();
        de.affected = 600;
        cases.push((
            "DE establishment, US-CA people",
            de,
            want(&[
                ("gdpr-art33", Some(D72)),
                ("ca-1798-82", None),
                ("ca-1798-82-ag", None),
            ]),
        ));
        // A US store targeting France: Art. 3(2) for French customers only.
        let mut us_fr = scoped("personal_data_breach", "US", &["US", "FR"], "none");
        us_fr.personal_data = true;
        us_fr.jurisdictions = vec!["FR".into()];
        cases.push((
            "US store, FR people",
            us_fr.clone(),
            want(&[("gdpr-art33", Some(D72))]),
        ));
        let mut us_us = us_fr.clone();
        us_us.jurisdictions = vec!["US-TX".into()];
        cases.push(("US store, US people", us_us, want(&[])));
        let mut us_only = scoped("personal_data_breach", "US", &["US"], "none");
        us_only.personal_data = true;
        us_only.jurisdictions = vec!["FR".into()];
        cases.push((
            "US store not targeting the EU, FR person",
            us_only,
            want(&[]),
        ));
        // Processor: tells its controller, not the authority (Art. 33(2)).
        let mut proc = us_fr.clone();
        proc.processor = true;
        proc.high_risk = true;
        cases.push(("processor", proc, want(&[("gdpr-art33-2", None)])));
        let mut high = us_fr.clone();
        high.high_risk = true;
        cases.push((
            "high risk to people",
            high,
            want(&[("gdpr-art33", Some(D72)), ("gdpr-art34", None)]),
        ));
        // HIPAA: covered entities by size and per-state media; business associates.
        let hipaa = |entity: &str, affected: u64, per_state: &[(&str, u64)]| {
            let mut i = scoped("phi_in_synthetic_data", "US", &["US"], entity);
            i.phi = true;
            i.jurisdictions = vec!["US".into()];
            i.affected = affected;
            i.affected_in = per_state.iter().map(|(k, n)| (k.to_string(), *n)).collect();
            i.jurisdictions.extend(i.affected_in.keys().cloned());
            i
        };
        cases.push((
            "CE 499",
            hipaa("covered_entity", 499, &[]),
            want(&[
                ("hipaa-individuals", Some(D60)),
                ("hipaa-hhs-annual", Some(YEAR)),
            ]),
        ));
        cases.push((
            "CE 600 in two states of 300",
            hipaa("covered_entity", 600, &[("US-NY", 300), ("US-NJ", 300)]),
            want(&[("hipaa-individuals", Some(D60)), ("hipaa-hhs", Some(D60))]),
        ));
        cases.push((
            "CE 501 in New York",
            hipaa("covered_entity", 501, &[("US-NY", 501)]),
            want(&[
                ("hipaa-individuals", Some(D60)),
                ("hipaa-hhs", Some(D60)),
                ("hipaa-media", Some(D60)),
            ]),
        ));
        cases.push((
            "business associate",
            hipaa("business_associate", 20, &[]),
            want(&[("hipaa-ba", Some(D60))]),
        ));
        // Not a HIPAA entity: the FTC Health Breach Notification Rule.
        cases.push((
            "health app, 20",
            hipaa("none", 20, &[]),
            want(&[
                ("ftc-hbnr-individuals", Some(D60)),
                ("ftc-hbnr-ftc", Some(YEAR)),
            ]),
        ));
        cases.push((
            "health app, 600",
            hipaa("none", 600, &[]),
            want(&[
                ("ftc-hbnr-individuals", Some(D60)),
                ("ftc-hbnr-ftc", Some(D60)),
            ]),
        ));
        let mut ca500 = hipaa("none", 500, &[("US-CA", 500)]);
        ca500.personal_data = true;
        cases.push((
            "health app, 500 Californians",
            ca500,
            want(&[
                ("ftc-hbnr-individuals", Some(D60)),
                ("ftc-hbnr-ftc", Some(D60)),
                ("ca-1798-82", None),
            ]),
        ));
        // AI Act Art. 73 by severity for a high-risk system's provider; the deployer
        // informs the provider first; a medical device goes to MDR vigilance.
        let ai = |tier: &str, role: &str, device: bool, sev: &str| {
            let mut i = with_system(
                scoped("serious_incident_high_risk_ai", "NL", &["EU"], "none"),
                tier,
                role,
                device,
            );
            i.jurisdictions = vec!["NL".into()];
            i.ai_severity = Some(sev.into());
            i
        };
        cases.push((
            "art73 serious",
            ai("high", "provider", false, "serious"),
            want(&[("ai-act-art73", Some("2026-03-17T10:00:00Z"))]),
        ));
        cases.push((
            "art73 widespread",
            ai("high", "provider", false, "widespread"),
            want(&[("ai-act-art73-widespread", Some("2026-03-04T10:00:00Z"))]),
        ));
        cases.push((
            "art73 death",
            ai("high", "provider", false, "death"),
            want(&[("ai-act-art73-death", Some("2026-03-12T10:00:00Z"))]),
        ));
        cases.push((
            "deployer",
            ai("high", "deployer", false, "death"),
            want(&[("ai-act-art26-5", None)]),
        ));
        cases.push((
            "mdr serious",
            ai("high", "provider", true, "serious"),
            want(&[("mdr-art87", Some("2026-03-17T10:00:00Z"))]),
        ));
        cases.push((
            "mdr public health",
            ai("high", "provider", true, "widespread"),
            want(&[("mdr-art87-public-health", Some("2026-03-04T10:00:00Z"))]),
        ));
        for sev in ["death", "serious_deterioration"] {
            cases.push((
                "mdr death or deterioration",
                ai("high", "provider", true, sev),
                want(&[("mdr-art87-death", Some("2026-03-12T10:00:00Z"))]),
            ));
        }
        let rules = IncidentRules::shipped();
        let mut seen = std::collections::BTreeSet::new();
        for (name, i, want) in &cases {
            assert_eq!(&ids(i), want, "{name}");
            check(&rules, i).unwrap_or_else(|e| panic!("{name}: {e}"));
            for (id, deadline) in want {
                seen.insert(id.clone());
                let state = |i: &Incident, now: &str| {
                    clocks(&rules, i, at(now))
                        .unwrap()
                        .into_iter()
                        .find(|c| &c.id == id)
                        .unwrap()
                        .state
                };
                let Some(d) = deadline else {
                    assert_eq!(
                        state(i, "2030-01-01T00:00:00Z"),
                        ClockState::Due,
                        "{name} {id}"
                    );
                    continue;
                };
                let d = at(d);
                let minute = Duration::minutes(1);
                let s = |t: OffsetDateTime| t.format(&Rfc3339).unwrap();
                assert_eq!(state(i, &s(d)), ClockState::Pending, "{name} {id}");
                assert_eq!(state(i, &s(d + minute)), ClockState::Missed, "{name} {id}");
                let mut n = i.clone();
                n.notifications.insert(id.clone(), s(d));
                assert_eq!(state(&n, &s(d + minute)), ClockState::Met, "{name} {id}");
                n.notifications.insert(id.clone(), s(d + minute));
                assert_eq!(state(&n, &s(d + minute)), ClockState::Late, "{name} {id}");
            }
        }
        // Every clock of the rules file is reached by some case.
        for c in &rules.clocks {
            assert!(seen.contains(&c.id), "no case starts {}", c.id);
        }
    }

    #[test]
    fn refused_incidents_and_notifications() {
        let rules = IncidentRules::shipped();
        // Art. 73 for a minimal-risk recommender: refused.
        let mut rec = with_system(
            scoped("serious_incident_high_risk_ai", "NL", &["EU"], "none"),
            "minimal",
            "provider",
            false,
        );
        rec.jurisdictions = vec!["NL".into()];
        let e = check(&rules, &rec).unwrap_err().to_string();
        assert!(e.contains("minimal-risk") && e.contains("Art. 73"), "{e}");
        // A notification before detection, in the future, or of a clock it lacks.
        let mut ai = with_system(
            scoped("serious_incident_high_risk_ai", "NL", &["EU"], "none"),
            "high",
            "provider",
            false,
        );
        ai.jurisdictions = vec!["NL".into()];
        for (clock, t, says) in [
            (
                "ai-act-art73",
                "2020-03-02T10:00:00Z",
                "before the incident was detected",
            ),
            ("ai-act-art73", "2099-01-01T00:00:00Z", "in the future"),
            (
                "hipaa-individuals",
                "2026-03-03T10:00:00Z",
                "has no hipaa-individuals clock",
            ),
            (
                "mdr-art87",
                "2026-03-03T10:00:00Z",
                "has no mdr-art87 clock",
            ),
            ("no-such-clock", "2026-03-03T10:00:00Z", "unknown clock"),
        ] {
            let mut i = ai.clone();
            i.notifications.insert(clock.into(), t.into());
            let e = check(&rules, &i).unwrap_err().to_string();
            assert!(e.contains(says), "{clock} {t}: {e}");
        }
        // A processor cannot record the controller's Art. 33(1) notification.
        let mut p = scoped("personal_data_breach", "DE", &["EU"], "none");
        p.personal_data = true;
        p.processor = true;
        p.jurisdictions = vec!["DE".into()];
        p.notifications
            .insert("gdpr-art33".into(), "2026-03-03T10:00:00Z".into());
        assert!(
            check(&rules, &p)
                .unwrap_err()
                .to_string()
                .contains("has no gdpr-art33")
        );
        // A personal data breach is about personal data.
        let mut b = scoped("personal_data_breach", "DE", &["EU"], "none");
        b.jurisdictions = vec!["DE".into()];
        assert!(
            check(&rules, &b)
                .unwrap_err()
                .to_string()
                .contains("personal_data")
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
