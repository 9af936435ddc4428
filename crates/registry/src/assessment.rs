//! Assessments, not labels: `synthgov assess SYSTEM` records the answers to the intake
//! questions (`assessment.recorded`: answers, assessor, rules version, what the
//! assessment rests on, the outcome) and `synthgov approve SYSTEM` signs the latest
//! one off (`assessment.approved`). An assessment stops being current when what it
//! rests on changes: the system's declaration, an upstream generator (its model), the
//! latest version of a dataset it trains on, a vendor, or the rules and dates.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use time::Date;

use crate::catalogue::EventType;
use crate::classify::{
    AssessmentInput, Classification, Context, RuleSet, classify_all, rules_version,
};
use crate::dates::Dates;
use crate::error::RegistryError;
use crate::facts::Index;
use crate::model::{
    ANNEX_III_POINTS, Art63, DataCategory, Inventory, MedicalDevice, Practice, Role, System,
};
use crate::policy::Action;
use crate::registry::{Actor, Change, Registry};

/// Calls `$m!` with the intake questions, in the order `assess` asks them: each is
/// a field of [`Answers`] and of the inventory's system of the same name.
macro_rules! each_question {
    ($m:ident) => {
        $m!(
            role,
            practices,
            annex_iii,
            art6_3,
            profiles_people,
            medical_device,
            processes,
            people_affected,
            public_interest_text,
            editorial_review,
            realistic_depictions,
            placed_on_market
        )
    };
}

macro_rules! names {
    ($($f:ident),*) => { &[$(stringify!($f)),*] };
}

/// The intake questions, in the order `assess` asks them.
pub const QUESTION_IDS: &[&str] = each_question!(names);

/// The answers to the intake questions; each fills the inventory field of the same
/// name where the inventory is silent (a declared field wins, so the reviewed file
/// stays the source of truth).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub practices: Option<Vec<Practice>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annex_iii: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub art6_3: Option<Art63>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profiles_people: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medical_device: Option<MedicalDevice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processes: Option<Vec<DataCategory>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people_affected: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_interest_text: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editorial_review: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realistic_depictions: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placed_on_market: Option<String>,
}

impl Answers {
    /// Reads an answers file (YAML or JSON); names the file, line and field.
    pub fn parse(file: &str, text: &str) -> Result<Answers, RegistryError> {
        let a: Answers = crate::parse::yaml(file, text)?;
        a.validate().map_err(|(field, needle, msg)| {
            let line = text
                .lines()
                .position(|l| l.contains(field) && l.contains(&needle))
                .map(|p| p + 1);
            RegistryError::bad_file(file, line, format!("field `{field}`: {msg}"))
        })?;
        Ok(a)
    }

    /// The checks an answers file gets, for answers that come another way (the API).
    pub fn check(&self) -> Result<(), RegistryError> {
        self.validate()
            .map_err(|(field, _, msg)| RegistryError::BadRequest(format!("{field}: {msg}")))
    }

    fn validate(&self) -> Result<(), (&'static str, String, String)> {
        if let Some(p) = &self.annex_iii
            && !ANNEX_III_POINTS.contains(&p.as_str())
        {
            return Err((
                "annex_iii",
                p.clone(),
                format!(
                    "{p:?} is not an Annex III point; known: {}",
                    ANNEX_III_POINTS.join(", ")
                ),
            ));
        }
        if let Some(d) = &self.placed_on_market
            && !crate::parse::valid_date(d)
        {
            return Err((
                "placed_on_market",
                d.clone(),
                format!("{d:?} is not a date (YYYY-MM-DD)"),
            ));
        }
        Ok(())
    }

    /// `system` with the answers filling what it leaves unsaid.
    pub fn fill(&self, system: &System) -> System {
        let mut s = system.clone();
        macro_rules! fill {
            ($($f:ident),*) => { $( if s.$f.is_none() { s.$f = self.$f.clone(); } )* };
        }
        each_question!(fill);
        s
    }

    /// The answers as the inventory already gives them (the defaults `assess` offers).
    pub fn from_system(s: &System) -> Answers {
        macro_rules! take {
            ($($f:ident),*) => { Answers { $($f: s.$f.clone()),* } };
        }
        each_question!(take)
    }

    /// Sets one answer from text typed at a prompt.
    pub fn set(&mut self, question: &str, text: &str) -> Result<(), String> {
        let t = text.trim();
        let yes_no = |t: &str| match t.to_ascii_lowercase().as_str() {
            "y" | "yes" | "true" => Ok(true),
            "n" | "no" | "false" => Ok(false),
            _ => Err(format!("{t:?}: answer yes or no")),
        };
        fn list<T: serde::de::DeserializeOwned>(t: &str) -> Result<Vec<T>, String> {
            if t.eq_ignore_ascii_case("none") {
                return Ok(Vec::new());
            }
            t.split(',')
                .map(|x| {
                    serde_json::from_value(Value::String(x.trim().to_owned()))
                        .map_err(|_| format!("{:?} is not one of the choices", x.trim()))
                })
                .collect()
        }
        fn one<T: serde::de::DeserializeOwned>(t: &str) -> Result<T, String> {
            serde_json::from_value(Value::String(t.to_owned()))
                .map_err(|_| format!("{t:?} is not one of the choices"))
        }
        match question {
            "role" => self.role = Some(one(t)?),
            "practices" => self.practices = Some(list(t)?),
            "annex_iii" if t.eq_ignore_ascii_case("none") => self.annex_iii = None,
            "annex_iii" => self.annex_iii = Some(t.to_owned()),
            "art6_3" if t.eq_ignore_ascii_case("none") => self.art6_3 = None,
            "art6_3" => self.art6_3 = Some(one(t)?),
            "profiles_people" => self.profiles_people = Some(yes_no(t)?),
            "medical_device" if matches!(t.to_ascii_lowercase().as_str(), "none" | "no") => {
                self.medical_device = Some(MedicalDevice {
                    device: Some(false),
                    rule11_class: None,
                    notified_body: None,
                })
            }
            "medical_device" => {
                // "IIa" or "IIa,notified" / "I,no-notified-body"
                let mut parts = t.split(',').map(str::trim);
                let class = one(parts.next().unwrap_or(""))?;
                let notified = match parts.next() {
                    None => None,
                    Some(p) => Some(yes_no(p)?),
                };
                self.medical_device = Some(MedicalDevice {
                    device: Some(true),
                    rule11_class: Some(class),
                    notified_body: notified,
                });
            }
            "processes" => self.processes = Some(list(t)?),
            "people_affected" => {
                self.people_affected = Some(
                    t.replace(['_', ','], "")
                        .parse()
                        .map_err(|_| format!("{t:?} is not a number of people"))?,
                )
            }
            "public_interest_text" => self.public_interest_text = Some(yes_no(t)?),
            "editorial_review" => self.editorial_review = Some(t.to_owned()),
            "realistic_depictions" => self.realistic_depictions = Some(yes_no(t)?),
            "placed_on_market" => self.placed_on_market = Some(t.to_owned()),
            other => return Err(format!("{other:?} is not a question")),
        }
        self.validate().map_err(|(_, _, m)| m)
    }
}

/// What an assessment rests on: when any of it changes, a reassessment is due.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basis {
    /// SHA-256 of the system's canonical declaration.
    pub system: String,
    /// Upstream generator -> `version` and SHA-256 of its declaration (model card included).
    pub generators: BTreeMap<String, String>,
    /// Upstream dataset -> its latest version (0: none yet).
    pub datasets: BTreeMap<String, u64>,
    /// Vendor (of the system or an upstream generator) -> SHA-256 of its declaration.
    pub vendors: BTreeMap<String, String>,
    pub rules_version: String,
}

fn sha(v: &impl Serialize) -> String {
    let v = serde_json::to_value(v).expect("declarations serialize");
    hex::encode(Sha256::digest(crate::projection::canonical(&v)))
}

/// The basis of `system` now.
pub fn basis(
    inv: &Inventory,
    system: &System,
    latest: &BTreeMap<String, u64>,
    rules_version: &str,
    ix: &Index,
) -> Basis {
    let (_, gens) = ix.upstream_ids(system);
    let mut b = Basis {
        system: sha(system),
        rules_version: rules_version.to_owned(),
        ..Basis::default()
    };
    let mut vendors: Vec<&str> = system.vendor.iter().map(String::as_str).collect();
    for g in inv.generators.iter().filter(|g| gens.contains(&g.id)) {
        b.generators
            .insert(g.id.clone(), format!("{} {}", g.version, &sha(g)[..16]));
        vendors.extend(g.vendor.as_deref());
    }
    for v in inv
        .vendors
        .iter()
        .filter(|v| vendors.contains(&v.id.as_str()))
    {
        b.vendors.insert(v.id.clone(), sha(v));
    }
    for t in &system.trained_on {
        let (id, _) = crate::parse::split_version(t);
        if inv.datasets.iter().any(|d| d.id == id) {
            b.datasets
                .insert(id.to_owned(), latest.get(id).copied().unwrap_or(0));
        }
    }
    b
}

/// What differs between the basis an assessment recorded and the basis now, in words.
pub fn changes(then: &Basis, now: &Basis) -> Vec<String> {
    let mut out = Vec::new();
    if then.system != now.system {
        out.push("the system's declaration changed".to_owned());
    }
    let keyed = |what: &str,
                 a: &BTreeMap<String, String>,
                 b: &BTreeMap<String, String>,
                 out: &mut Vec<String>| {
        for (k, v) in b {
            match a.get(k) {
                None => out.push(format!("{what} {k} is new upstream")),
                Some(old) if old != v => {
                    let (ov, nv) = (
                        old.split(' ').next().unwrap_or(""),
                        v.split(' ').next().unwrap_or(""),
                    );
                    if what == "generator" && ov != nv {
                        out.push(format!("generator {k}: version {ov} -> {nv}"));
                    } else {
                        out.push(format!("{what} {k} changed"));
                    }
                }
                _ => {}
            }
        }
        for k in a.keys().filter(|k| !b.contains_key(*k)) {
            out.push(format!("{what} {k} is no longer upstream"));
        }
    };
    keyed("generator", &then.generators, &now.generators, &mut out);
    for (k, v) in &now.datasets {
        match then.datasets.get(k) {
            None => out.push(format!("dataset {k} is new upstream")),
            Some(old) if old != v => out.push(format!("dataset {k}: version {old} -> {v}")),
            _ => {}
        }
    }
    for k in then
        .datasets
        .keys()
        .filter(|k| !now.datasets.contains_key(*k))
    {
        out.push(format!("dataset {k} is no longer upstream"));
    }
    keyed("vendor", &then.vendors, &now.vendors, &mut out);
    if then.rules_version != now.rules_version {
        out.push("the classification rules or application dates changed".to_owned());
    }
    out
}

/// The part of a classification a later one is compared against (`classify --diff`).
pub fn outcome(c: &Classification) -> Value {
    let flags: Vec<&str> = [
        ("gdpr_art22", c.gdpr_art22),
        ("gdpr_art9", c.gdpr_art9),
        ("gdpr_art35_dpia", c.gdpr_art35_dpia),
        ("fria", c.fria),
        ("hipaa", c.hipaa),
        ("ftc_hbnr", c.ftc_hbnr),
        ("cross_border", c.cross_border),
    ]
    .into_iter()
    .filter(|(_, on)| *on)
    .map(|(n, _)| n)
    .collect();
    json!({
        "tier": c.eu_ai_act.tier,
        "basis": c.eu_ai_act.basis,
        "role": c.role,
        "flags": flags,
        "obligations": c.obligations.iter().map(|o| format!("{} ({}, from {})", o.citation, o.id, o.applies_from)).collect::<Vec<_>>(),
        "nist_ai_rmf_subcategories": c.nist_ai_rmf_subcategories,
        "findings": c.findings.iter().map(|f| format!("{} ({})", f.rule, f.by)).collect::<Vec<_>>(),
    })
}

/// `assessment.recorded` data, as projected (kind `assessment`, one per system).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Recorded {
    pub system: String,
    pub answers: Answers,
    pub assessor: String,
    pub rules_version: String,
    pub basis: Basis,
    pub outcome: Value,
    pub missing: Vec<String>,
    pub as_of: String,
}

/// `assessment.approved` data (kind `approval`, one per system).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Approval {
    pub system: String,
    /// The ledger index of the `assessment.recorded` it approves.
    pub assessment_index: u64,
    pub approver: String,
    pub reason: String,
}

/// The latest assessment of each system and the ledger entry that recorded it.
pub fn recorded(reg: &Registry) -> Result<BTreeMap<String, (Recorded, u64)>, RegistryError> {
    let mut out = BTreeMap::new();
    for (id, body, index) in reg.objects_indexed("assessment")? {
        let r: Recorded = serde_json::from_value(body).map_err(|e| {
            RegistryError::Store(synthgov_ledger::StoreError::Damaged(format!(
                "assessment {id}: {e}"
            )))
        })?;
        out.insert(id, (r, index));
    }
    Ok(out)
}

fn approvals(reg: &Registry) -> Result<BTreeMap<String, Approval>, RegistryError> {
    let mut out = BTreeMap::new();
    for (id, body) in reg.objects("approval")? {
        if let Ok(a) = serde_json::from_value::<Approval>(body) {
            out.insert(id, a);
        }
    }
    Ok(out)
}

fn latest_versions(reg: &Registry) -> Result<BTreeMap<String, u64>, RegistryError> {
    let mut latest = BTreeMap::new();
    for v in reg.dataset_versions()? {
        let e = latest.entry(v.dataset).or_insert(0);
        *e = (*e).max(v.version);
    }
    Ok(latest)
}

/// Every system's assessment as classification reads it: answers, approval, and what
/// changed since.
pub fn inputs(
    reg: &Registry,
    inv: &Inventory,
    rules: &RuleSet,
    dates: &Dates,
) -> Result<BTreeMap<String, AssessmentInput>, RegistryError> {
    let recorded = recorded(reg)?;
    if recorded.is_empty() {
        return Ok(BTreeMap::new());
    }
    let approvals = approvals(reg)?;
    let latest = latest_versions(reg)?;
    let version = rules_version(rules, dates);
    let ix = Index::new(inv, &rules.use_cases);
    let mut out = BTreeMap::new();
    for s in &inv.systems {
        let Some((r, index)) = recorded.get(&s.id) else {
            continue;
        };
        let now = basis(inv, s, &latest, &version, &ix);
        out.insert(
            s.id.clone(),
            AssessmentInput {
                answers: r.answers.clone(),
                approved: approvals
                    .get(&s.id)
                    .is_some_and(|a| a.assessment_index == *index),
                changed: changes(&r.basis, &now),
            },
        );
    }
    Ok(out)
}

/// The classification of every system (or one) of a registry, judged on `as_of`.
pub fn classify_registry(
    reg: &Registry,
    rules: &RuleSet,
    dates: &Dates,
    as_of: Date,
    only: Option<&str>,
) -> Result<Vec<Classification>, RegistryError> {
    let inv = crate::apply::current(reg)?;
    let assessments = inputs(reg, &inv, rules, dates)?;
    classify_all(
        &inv,
        &Context {
            rules,
            dates,
            as_of,
            assessments: &assessments,
        },
        only,
    )
}

/// Records an assessment of `system`; returns it, its classification and its index.
pub fn record(
    reg: &mut Registry,
    actor: &Actor,
    system: &str,
    answers: Answers,
    rules: &RuleSet,
    dates: &Dates,
    as_of: Date,
) -> Result<(Recorded, Classification, u64), RegistryError> {
    let inv = crate::apply::current(reg)?;
    let Some(sys) = inv.systems.iter().find(|s| s.id == system) else {
        return Err(RegistryError::NotFound(format!(
            "system {system:?} (see `synthgov inventory`)"
        )));
    };
    let mut one = BTreeMap::new();
    one.insert(
        system.to_owned(),
        AssessmentInput {
            answers: answers.clone(),
            approved: false,
            changed: Vec::new(),
        },
    );
    let ctx = Context {
        rules,
        dates,
        as_of,
        assessments: &one,
    };
    let mut c = classify_all(&inv, &ctx, Some(system))?.remove(0);
    let version = rules_version(rules, dates);
    let ix = Index::new(&inv, &rules.use_cases);
    let rec = Recorded {
        system: system.to_owned(),
        answers,
        assessor: actor.name.clone(),
        rules_version: version.clone(),
        basis: basis(&inv, sys, &latest_versions(reg)?, &version, &ix),
        outcome: outcome(&c),
        missing: c.assessment.missing.clone(),
        as_of: as_of.to_string(),
    };
    let data = match serde_json::to_value(&rec).expect("serializes") {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let receipt = reg.commit(
        actor,
        Action::Assess,
        vec![Change::new(EventType::AssessmentRecorded, data)],
    )?;
    c.assessment.recorded = true;
    Ok((rec, c, receipt.first_index))
}

/// Approves the latest assessment of `system`. Refused when there is none, when it
/// left required questions unanswered, or when what it rests on has changed since.
pub fn approve(
    reg: &mut Registry,
    actor: &Actor,
    system: &str,
    reason: &str,
    rules: &RuleSet,
    dates: &Dates,
) -> Result<(Approval, u64), RegistryError> {
    if reason.trim().is_empty() {
        return Err(RegistryError::BadRequest(
            "--reason: say why the assessment is approved".into(),
        ));
    }
    let inv = crate::apply::current(reg)?;
    let Some(sys) = inv.systems.iter().find(|s| s.id == system) else {
        return Err(RegistryError::NotFound(format!(
            "system {system:?} (see `synthgov inventory`)"
        )));
    };
    let recorded = recorded(reg)?;
    let Some((rec, index)) = recorded.get(system) else {
        return Err(RegistryError::BadRequest(format!(
            "system {system} has no recorded assessment: run `synthgov assess {system}` first"
        )));
    };
    if !rec.missing.is_empty() {
        return Err(RegistryError::BadRequest(format!(
            "the assessment of {system} (ledger index {index}) leaves {} unanswered: assess it again with those answers",
            rec.missing.join(", ")
        )));
    }
    let ix = Index::new(&inv, &rules.use_cases);
    let now = basis(
        &inv,
        sys,
        &latest_versions(reg)?,
        &rules_version(rules, dates),
        &ix,
    );
    let changed = changes(&rec.basis, &now);
    if !changed.is_empty() {
        return Err(RegistryError::BadRequest(format!(
            "the assessment of {system} (ledger index {index}) is out of date ({}): assess it again, then approve",
            changed.join("; ")
        )));
    }
    let approval = Approval {
        system: system.to_owned(),
        assessment_index: *index,
        approver: actor.name.clone(),
        reason: reason.to_owned(),
    };
    let data = match serde_json::to_value(&approval).expect("serializes") {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let receipt = reg.commit(
        actor,
        Action::Approve,
        vec![Change::new(EventType::AssessmentApproved, data)],
    )?;
    Ok((approval, receipt.first_index))
}

/// One difference between the last recorded classification and today's.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    pub system: String,
    pub field: String,
    pub recorded: Value,
    pub now: Value,
}

/// `classify --diff`: per system, what the current rules change against the outcome its
/// last assessment recorded; systems never assessed are listed with `recorded: null`.
pub fn diff(reg: &Registry, current: &[Classification]) -> Result<Vec<Difference>, RegistryError> {
    let recorded = recorded(reg)?;
    let mut out = Vec::new();
    for c in current {
        let now = outcome(c);
        let Some((rec, _)) = recorded.get(&c.system) else {
            out.push(Difference {
                system: c.system.clone(),
                field: "(all)".into(),
                recorded: Value::Null,
                now,
            });
            continue;
        };
        let (Value::Object(then), Value::Object(now)) = (&rec.outcome, &now) else {
            continue;
        };
        for (k, v) in now {
            let old = then.get(k).cloned().unwrap_or(Value::Null);
            if &old != v {
                out.push(Difference {
                    system: c.system.clone(),
                    field: k.clone(),
                    recorded: old,
                    now: v.clone(),
                });
            }
        }
    }
    Ok(out)
}
