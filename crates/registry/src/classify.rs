//! Regulatory classification of AI systems, driven by a rules file
//! (`rules/classification.yaml`, shipped; a store may extend or override it) and the
//! application dates (`rules/dates.yaml`). The code works out facts
//! ([`crate::facts`]); the rules, phase by phase in a declared order, turn facts into a
//! tier, flags, obligations with the date each applies from, NIST AI RMF
//! subcategories, findings and reasons. Contract: `shared/spec/inventory.md`
//! "Classification v2".

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::Date;

use crate::assessment::Answers;
use crate::dates::Dates;
use crate::error::RegistryError;
use crate::facts::{Fact, Facts, Index, Subject, UseCase};
use crate::model::{Inventory, Role, System};

/// The rules shipped with synthgov.
pub const SHIPPED_RULES: &str = include_str!("../rules/classification.yaml");

/// Phases a version-1 override file's rules are placed in when they name none.
const V1_PHASES: [&str; 3] = ["tier", "gdpr", "nist"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    version: u32,
    #[serde(default)]
    phases: Vec<String>,
    #[serde(default)]
    use_cases: Vec<UseCaseEntry>,
    #[serde(default)]
    annex_iii: BTreeMap<String, String>,
    #[serde(default)]
    thresholds: Option<Thresholds>,
    #[serde(default)]
    questions: Vec<Question>,
    #[serde(default)]
    rules: Vec<Rule>,
    #[serde(default)]
    checks: Vec<Check>,
    /// Rule or check ids to drop (in a store's override file).
    #[serde(default)]
    disable: Vec<String>,
}

/// A use case: a bare id (version 1) or what it implies.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum UseCaseEntry {
    Id(String),
    Full(UseCase),
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// People affected from which processing counts as large scale (GDPR Art. 35(3)(b)).
    pub large_scale_people: u64,
}

/// An intake question `synthgov assess` asks; `required_when` says when a missing
/// answer makes the system "not assessed".
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub ask: String,
    #[serde(default)]
    pub required_when: Option<Condition>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    #[serde(default)]
    pub phase: Option<String>,
    #[serde(default)]
    pub when: Condition,
    #[serde(default)]
    pub tier: Option<Tier>,
    #[serde(default)]
    pub basis: Vec<String>,
    #[serde(default)]
    pub flags: Vec<Flag>,
    /// NIST AI RMF functions (v1) or subcategories such as `MEASURE 2.11`.
    #[serde(default)]
    pub nist: Vec<String>,
    #[serde(default)]
    pub obligations: Vec<ObligationRule>,
    #[serde(default)]
    pub finding: Option<FindingRule>,
    pub says: String,
}

/// An obligation a rule puts on the store, and which application date governs it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ObligationRule {
    pub id: String,
    pub citation: String,
    /// An id of the dates file.
    pub dates: String,
    #[serde(default)]
    pub reason: Option<String>,
}

/// A governance finding a rule or check raises (`scan governance`), citing the law.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FindingRule {
    /// A scan rule id (SG-GOV-...).
    pub rule: String,
    pub cites: Vec<String>,
}

/// An inventory-wide check of one source, vendor or generator.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub id: String,
    pub subject: Subject,
    #[serde(default)]
    pub when: Condition,
    pub finding: FindingRule,
    pub says: String,
}

/// `when`: every named fact must match; `not` must not hold; one of `any` must.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Condition {
    tests: Vec<(String, Want)>,
    not: Option<Box<Condition>>,
    any: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
enum Want {
    /// A boolean fact equals it; a text fact is present (true) or absent (false); a
    /// set is non-empty (true) or empty (false).
    Bool(bool),
    /// A text fact is one of these; a set holds one of these.
    OneOf(Vec<String>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawWant {
    Bool(bool),
    One(String),
    List(Vec<String>),
    Nested(BTreeMap<String, RawWant>),
    NestedList(Vec<BTreeMap<String, RawWant>>),
}

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = BTreeMap::<String, RawWant>::deserialize(d)?;
        Condition::from_raw(raw).map_err(serde::de::Error::custom)
    }
}

impl Condition {
    fn from_raw(raw: BTreeMap<String, RawWant>) -> Result<Condition, String> {
        let mut c = Condition::default();
        for (k, v) in raw {
            match (k.as_str(), v) {
                ("not", RawWant::Nested(m)) => c.not = Some(Box::new(Condition::from_raw(m)?)),
                ("any", RawWant::NestedList(list)) => {
                    for m in list {
                        c.any.push(Condition::from_raw(m)?);
                    }
                }
                ("not" | "any", _) => {
                    return Err(format!(
                        "`{k}` takes a condition (not: {{...}}) or a list of them (any: [{{...}}])"
                    ));
                }
                (_, RawWant::Bool(b)) => c.tests.push((k, Want::Bool(b))),
                (_, RawWant::One(s)) => c.tests.push((k, Want::OneOf(vec![s]))),
                (_, RawWant::List(l)) => c.tests.push((k, Want::OneOf(l))),
                (_, RawWant::Nested(_) | RawWant::NestedList(_)) => {
                    return Err(format!(
                        "`{k}` takes true, false, a value or a list of values"
                    ));
                }
            }
        }
        Ok(c)
    }

    /// Fact names this condition reads that `subject` does not have.
    fn unknown(&self, subject: Subject) -> Vec<String> {
        let known: BTreeSet<&str> = subject.facts().iter().map(|(n, _)| *n).collect();
        let mut out: Vec<String> = self
            .tests
            .iter()
            .filter(|(k, _)| !known.contains(k.as_str()))
            .map(|(k, _)| k.clone())
            .collect();
        if let Some(n) = &self.not {
            out.extend(n.unknown(subject));
        }
        for a in &self.any {
            out.extend(a.unknown(subject));
        }
        out
    }

    pub fn holds(&self, f: &Facts) -> bool {
        self.tests.iter().all(|(k, want)| {
            let Some(fact) = f.get(k) else {
                return false;
            };
            match (want, fact) {
                (Want::Bool(w), Fact::Bool(b)) => w == b,
                (Want::Bool(w), Fact::Str(s)) => *w == s.is_some(),
                (Want::Bool(w), Fact::Set(s)) => *w != s.is_empty(),
                (Want::OneOf(l), Fact::Str(Some(s))) => l.contains(s),
                (Want::OneOf(_), Fact::Str(None)) => false,
                (Want::OneOf(l), Fact::Set(s)) => l.iter().any(|x| s.contains(x)),
                (Want::OneOf(l), Fact::Bool(b)) => l.iter().any(|x| x == &b.to_string()),
            }
        }) && self.not.as_ref().is_none_or(|n| !n.holds(f))
            && (self.any.is_empty() || self.any.iter().any(|a| a.holds(f)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Minimal,
    Limited,
    High,
    Prohibited,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Minimal => "minimal",
            Tier::Limited => "limited",
            Tier::High => "high",
            Tier::Prohibited => "prohibited",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    GdprArt22,
    GdprArt9,
    GdprArt35Dpia,
    Fria,
    Hipaa,
    FtcHbnr,
    CrossBorder,
}

impl Flag {
    fn as_str(self) -> &'static str {
        match self {
            Flag::GdprArt22 => "gdpr_art22",
            Flag::GdprArt9 => "gdpr_art9",
            Flag::GdprArt35Dpia => "gdpr_art35_dpia",
            Flag::Fria => "fria",
            Flag::Hipaa => "hipaa",
            Flag::FtcHbnr => "ftc_hbnr",
            Flag::CrossBorder => "cross_border",
        }
    }
}

/// The rules in force: shipped, plus the home's override file.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub version: u32,
    pub phases: Vec<String>,
    pub use_cases: BTreeMap<String, UseCase>,
    pub annex_iii: BTreeMap<String, String>,
    pub thresholds: Thresholds,
    pub questions: Vec<Question>,
    /// In evaluation order: by phase, then file order.
    pub rules: Vec<Rule>,
    pub checks: Vec<Check>,
    /// SHA-256 over the rules files: part of the rules version an assessment records.
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EuAiAct {
    pub tier: Tier,
    pub basis: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub rule: String,
    pub says: String,
}

/// One duty, with when it applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Obligation {
    pub id: String,
    pub citation: String,
    pub applies_from: String,
    pub in_force: bool,
    pub reason: String,
    /// The legal source of the date.
    pub date_source: String,
}

/// A finding a rule raised for a system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleFinding {
    pub rule: String,
    pub by: String,
    pub cites: Vec<String>,
    pub says: String,
}

/// Where the system's assessment stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentState {
    pub recorded: bool,
    pub approved: bool,
    /// Recorded, approved, and nothing it rests on changed since.
    pub current: bool,
    /// Intake questions without an answer.
    pub missing: Vec<String>,
    /// What changed since the last assessment (reassessment due).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<String>,
}

/// The classification of one system (`synthgov classify --json`).
#[derive(Debug, Clone, Serialize)]
pub struct Classification {
    pub system: String,
    pub role: Role,
    pub eu_ai_act: EuAiAct,
    pub gdpr_art22: bool,
    pub gdpr_art9: bool,
    pub gdpr_art35_dpia: bool,
    pub fria: bool,
    pub hipaa: bool,
    pub ftc_hbnr: bool,
    pub cross_border: bool,
    /// All four functions apply to every system; the subcategories scale with it.
    pub nist_ai_rmf: Vec<String>,
    pub nist_ai_rmf_subcategories: Vec<String>,
    pub obligations: Vec<Obligation>,
    pub assessment: AssessmentState,
    pub findings: Vec<RuleFinding>,
    pub reasons: Vec<Reason>,
    /// The day obligations were judged against.
    pub as_of: String,
    /// SHA-256 over the rules and dates files.
    pub rules_version: String,
}

/// An inventory-wide check that fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckFinding {
    pub subject: Subject,
    pub id: String,
    pub check: String,
    pub rule: String,
    pub cites: Vec<String>,
    pub says: String,
}

/// What a classification is judged against.
pub struct Context<'a> {
    pub rules: &'a RuleSet,
    pub dates: &'a Dates,
    pub as_of: Date,
    /// Per system: its last assessment, if any.
    pub assessments: &'a BTreeMap<String, AssessmentInput>,
}

/// A system's recorded assessment as classification sees it.
#[derive(Debug, Clone, Default)]
pub struct AssessmentInput {
    pub answers: Answers,
    pub approved: bool,
    pub changed: Vec<String>,
}

fn parse_rules(file: &str, text: &str) -> Result<RulesFile, RegistryError> {
    crate::parse::yaml(file, text)
}

impl RuleSet {
    /// The shipped rules plus the home's override file, if `synthgov.toml` names one
    /// (`[classification] rules = "..."`, relative to the home folder).
    pub fn for_home(home: &synthgov_store::Home) -> Result<RuleSet, RegistryError> {
        let user = crate::parse::home_file(home, |c| c.rules)?;
        RuleSet::load(user.as_ref().map(|(n, t)| (n.as_str(), t.as_str())))
    }

    /// The shipped rules, with an optional override file applied: a rule of the same
    /// id replaces the shipped one, new ids join their phase, `disable` drops ids.
    pub fn load(user: Option<(&str, &str)>) -> Result<RuleSet, RegistryError> {
        const SHIPPED: &str = "rules/classification.yaml (shipped)";
        let base = parse_rules(SHIPPED, SHIPPED_RULES)?;
        let mut hasher = Sha256::new();
        hasher.update(SHIPPED_RULES);
        let mut set = RuleSet {
            version: base.version,
            phases: base.phases.clone(),
            use_cases: BTreeMap::new(),
            annex_iii: base.annex_iii.clone(),
            thresholds: base.thresholds.unwrap_or(Thresholds {
                large_scale_people: 10_000,
            }),
            questions: Vec::new(),
            rules: Vec::new(),
            checks: Vec::new(),
            sha256: String::new(),
        };
        set.merge(SHIPPED, SHIPPED_RULES, base)?;
        if let Some((file, text)) = user {
            hasher.update(b"\0");
            hasher.update(text);
            let extra = parse_rules(file, text)?;
            set.merge(file, text, extra)?;
        }
        set.sha256 = hex::encode(hasher.finalize());
        // Stable: within a phase, file order (an override keeps the replaced rule's place).
        let phases = set.phases.clone();
        set.rules.sort_by_key(|r| {
            phases
                .iter()
                .position(|p| Some(p) == r.phase.as_ref())
                .unwrap_or(usize::MAX)
        });
        Ok(set)
    }

    fn merge(&mut self, file: &str, text: &str, f: RulesFile) -> Result<(), RegistryError> {
        let at = |id: &str| crate::parse::locate(text, id, id);
        if !(1..=2).contains(&f.version) {
            return Err(RegistryError::bad_file(
                file,
                None,
                format!(
                    "version {}: this synthgov reads versions 1 and 2",
                    f.version
                ),
            ));
        }
        for p in &f.phases {
            if !self.phases.contains(p) {
                self.phases.push(p.clone());
            }
        }
        for uc in f.use_cases {
            let uc = match uc {
                UseCaseEntry::Id(id) => self.use_cases.get(&id).cloned().unwrap_or(UseCase {
                    id,
                    ..UseCase::default()
                }),
                UseCaseEntry::Full(u) => u,
            };
            if let Some(p) = &uc.annex_iii
                && !crate::model::ANNEX_III_POINTS.contains(&p.as_str())
            {
                return Err(RegistryError::bad_file(
                    file,
                    at(&uc.id),
                    format!("use case {}: {p:?} is not an Annex III point", uc.id),
                ));
            }
            self.use_cases.insert(uc.id.clone(), uc);
        }
        self.annex_iii.extend(f.annex_iii);
        if let Some(t) = f.thresholds {
            self.thresholds = t;
        }
        for q in f.questions {
            if !crate::assessment::QUESTION_IDS.contains(&q.id.as_str()) {
                return Err(RegistryError::bad_file(
                    file,
                    at(&q.id),
                    format!(
                        "question {:?}: not a question synthgov asks; known: {}",
                        q.id,
                        crate::assessment::QUESTION_IDS.join(", ")
                    ),
                ));
            }
            self.check_condition(
                file,
                at(&q.id),
                &q.id,
                Subject::System,
                q.required_when.as_ref(),
            )?;
            match self.questions.iter_mut().find(|x| x.id == q.id) {
                Some(x) => *x = q,
                None => self.questions.push(q),
            }
        }
        for mut rule in f.rules {
            let line = at(&rule.id);
            if rule.phase.is_none() {
                if f.version >= 2 {
                    return Err(RegistryError::bad_file(
                        file,
                        line,
                        format!(
                            "rule {}: field `phase` is required (one of {})",
                            rule.id,
                            self.phases.join(", ")
                        ),
                    ));
                }
                // Version 1 had no phases: a tier rule decides the tier; a rule that
                // only adds NIST functions goes last; anything else with the law.
                rule.phase = Some(
                    if rule.tier.is_some() {
                        V1_PHASES[0]
                    } else if rule.flags.is_empty() && !rule.nist.is_empty() {
                        V1_PHASES[2]
                    } else {
                        V1_PHASES[1]
                    }
                    .to_owned(),
                );
            }
            let phase = rule.phase.as_deref().unwrap_or_default();
            if !self.phases.iter().any(|p| p == phase) {
                return Err(RegistryError::bad_file(
                    file,
                    line,
                    format!(
                        "rule {}: phase {phase:?} is not declared; phases: {}",
                        rule.id,
                        self.phases.join(", ")
                    ),
                ));
            }
            self.check_condition(file, line, &rule.id, Subject::System, Some(&rule.when))?;
            match self.rules.iter_mut().find(|r| r.id == rule.id) {
                Some(existing) => *existing = rule,
                None => self.rules.push(rule),
            }
        }
        for check in f.checks {
            self.check_condition(
                file,
                at(&check.id),
                &check.id,
                check.subject,
                Some(&check.when),
            )?;
            match self.checks.iter_mut().find(|c| c.id == check.id) {
                Some(existing) => *existing = check,
                None => self.checks.push(check),
            }
        }
        for id in &f.disable {
            let before = self.rules.len() + self.checks.len();
            self.rules.retain(|r| &r.id != id);
            self.checks.retain(|c| &c.id != id);
            if self.rules.len() + self.checks.len() == before {
                return Err(RegistryError::bad_file(
                    file,
                    None,
                    format!("disable: no rule or check {id:?}"),
                ));
            }
        }
        Ok(())
    }

    /// Every obligation names a date the dates file has.
    pub fn check_dates(&self, dates: &Dates) -> Result<(), RegistryError> {
        for rule in &self.rules {
            for o in &rule.obligations {
                if dates.get(&o.dates).is_none() {
                    return Err(RegistryError::BadRequest(format!(
                        "classification rule {}: obligation {} names dates {:?}, which the dates file does not have",
                        rule.id, o.id, o.dates
                    )));
                }
            }
        }
        Ok(())
    }

    /// The rules and dates of a home, checked against each other.
    pub fn load_home(home: &synthgov_store::Home) -> Result<(RuleSet, Dates), RegistryError> {
        let rules = RuleSet::for_home(home)?;
        let dates = Dates::for_home(home)?;
        rules.check_dates(&dates)?;
        Ok((rules, dates))
    }

    fn check_condition(
        &self,
        file: &str,
        line: Option<usize>,
        id: &str,
        subject: Subject,
        c: Option<&Condition>,
    ) -> Result<(), RegistryError> {
        let Some(c) = c else { return Ok(()) };
        let unknown = c.unknown(subject);
        if unknown.is_empty() {
            return Ok(());
        }
        Err(RegistryError::bad_file(
            file,
            line,
            format!(
                "{id}: `when` names {}, which {subject:?} facts do not have; known: {}",
                unknown.join(", "),
                subject
                    .facts()
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ))
    }

    /// The use-case ids the taxonomy knows (what `systems.use_case` may say).
    pub fn use_cases(&self) -> BTreeSet<String> {
        self.use_cases.keys().cloned().collect()
    }

    /// Runs the rules over `facts`: the classification of one system.
    pub fn classify(
        &self,
        system: &str,
        mut facts: Facts,
        dates: &Dates,
        as_of: Date,
        mut assessment: AssessmentState,
    ) -> Classification {
        let answered = match facts.get("answered") {
            Some(Fact::Set(s)) => s.clone(),
            _ => BTreeSet::new(),
        };
        let missing: Vec<String> = self
            .questions
            .iter()
            .filter(|q| !answered.contains(&q.id))
            .filter(|q| q.required_when.as_ref().is_some_and(|c| c.holds(&facts)))
            .map(|q| q.id.clone())
            .collect();
        facts
            .0
            .insert("missing", Fact::Set(missing.iter().cloned().collect()));
        assessment.missing = missing;
        let mut tier: Option<Tier> = None;
        let mut basis: Vec<String> = Vec::new();
        let mut flags: BTreeSet<Flag> = BTreeSet::new();
        let mut nist: Vec<String> = Vec::new();
        let mut obligations: Vec<Obligation> = Vec::new();
        let mut findings = Vec::new();
        let mut reasons = Vec::new();
        for rule in &self.rules {
            facts.0.insert(
                "tier",
                Fact::Str(Some(tier.unwrap_or(Tier::Minimal).as_str().to_owned())),
            );
            facts.0.insert(
                "flagged",
                Fact::Set(flags.iter().map(|f| f.as_str().to_owned()).collect()),
            );
            if !rule.when.holds(&facts) {
                continue;
            }
            if let Some(t) = rule.tier {
                tier = Some(tier.map_or(t, |cur| cur.max(t)));
            }
            for b in &rule.basis {
                let b = fill(b, &facts);
                if !basis.contains(&b) {
                    basis.push(b);
                }
            }
            flags.extend(rule.flags.iter().copied());
            for n in &rule.nist {
                if !nist.contains(n) {
                    nist.push(n.clone());
                }
            }
            let says = fill(&rule.says, &facts);
            for o in &rule.obligations {
                let citation = fill(&o.citation, &facts);
                if obligations
                    .iter()
                    .any(|x: &Obligation| x.id == o.id && x.citation == citation)
                {
                    continue;
                }
                // `check_dates` refuses unknown ids; unchecked, one applies at once.
                let (applies_from, in_force, source) = match dates.get(&o.dates) {
                    Some((e, from)) => (e.applies_from.clone(), as_of >= from, e.source.clone()),
                    None => ("(unknown)".into(), true, format!("no date {:?}", o.dates)),
                };
                obligations.push(Obligation {
                    id: o.id.clone(),
                    citation,
                    applies_from,
                    in_force,
                    reason: o
                        .reason
                        .as_ref()
                        .map(|r| fill(r, &facts))
                        .unwrap_or_else(|| says.clone()),
                    date_source: source,
                });
            }
            if let Some(f) = &rule.finding {
                findings.push(RuleFinding {
                    rule: f.rule.clone(),
                    by: rule.id.clone(),
                    cites: f.cites.clone(),
                    says: says.clone(),
                });
            }
            reasons.push(Reason {
                rule: rule.id.clone(),
                says,
            });
        }
        if tier.is_none() {
            reasons.insert(
                0,
                Reason {
                    rule: "AIA-UNMATCHED".into(),
                    says: format!(
                        "No tier rule matches use case {:?}: treated as minimal; review it",
                        facts.text("use_case").unwrap_or_default()
                    ),
                },
            );
        }
        // Subcategories in the framework's order; v1 rules may name bare functions.
        let order = ["GOVERN", "MAP", "MEASURE", "MANAGE"];
        let key = |n: &String| {
            let mut it = n.split_whitespace();
            let f = it.next().unwrap_or("");
            let rest: Vec<u32> = it
                .next()
                .unwrap_or("0")
                .split('.')
                .filter_map(|x| x.parse().ok())
                .collect();
            (
                order.iter().position(|o| *o == f).unwrap_or(order.len()),
                rest,
            )
        };
        nist.retain(|n| n.contains(' '));
        nist.sort_by_key(key);
        assessment.current =
            assessment.recorded && assessment.approved && assessment.changed.is_empty();
        Classification {
            system: system.to_owned(),
            role: if facts.text("role") == Some("deployer") {
                Role::Deployer
            } else {
                Role::Provider
            },
            eu_ai_act: EuAiAct {
                tier: tier.unwrap_or(Tier::Minimal),
                basis,
            },
            gdpr_art22: flags.contains(&Flag::GdprArt22),
            gdpr_art9: flags.contains(&Flag::GdprArt9),
            gdpr_art35_dpia: flags.contains(&Flag::GdprArt35Dpia),
            fria: flags.contains(&Flag::Fria),
            hipaa: flags.contains(&Flag::Hipaa),
            ftc_hbnr: flags.contains(&Flag::FtcHbnr),
            cross_border: flags.contains(&Flag::CrossBorder),
            nist_ai_rmf: order.iter().map(|s| s.to_string()).collect(),
            nist_ai_rmf_subcategories: nist,
            obligations,
            assessment,
            findings,
            reasons,
            as_of: as_of.to_string(),
            rules_version: String::new(),
        }
    }

    /// The inventory-wide checks (sources, vendors, generators).
    pub fn run_checks(&self, ix: &Index) -> Vec<CheckFinding> {
        let inv = ix.inv;
        let mut subjects: Vec<(Subject, &str, Facts)> = Vec::new();
        for s in &inv.sources {
            subjects.push((Subject::Source, &s.id, ix.source(s)));
        }
        for v in &inv.vendors {
            subjects.push((Subject::Vendor, &v.id, ix.vendor(v)));
        }
        for g in &inv.generators {
            subjects.push((Subject::Generator, &g.id, ix.generator(g)));
        }
        let mut out = Vec::new();
        for check in &self.checks {
            for (subject, id, facts) in &subjects {
                if *subject == check.subject && check.when.holds(facts) {
                    out.push(CheckFinding {
                        subject: *subject,
                        id: id.to_string(),
                        check: check.id.clone(),
                        rule: check.finding.rule.clone(),
                        cites: check.finding.cites.clone(),
                        says: fill(&check.says, facts).replace("{id}", id),
                    });
                }
            }
        }
        out
    }
}

/// `{fact}` placeholders replaced by the facts' values.
fn fill(text: &str, facts: &Facts) -> String {
    if !text.contains('{') {
        return text.to_owned();
    }
    let mut out = text.to_owned();
    for (k, v) in &facts.0 {
        let pat = format!("{{{k}}}");
        if out.contains(&pat) {
            out = out.replace(&pat, &v.display());
        }
    }
    out
}

/// The rules version (`rules_version`): SHA-256 over the rules and the dates in force.
pub fn rules_version(rules: &RuleSet, dates: &Dates) -> String {
    let mut h = Sha256::new();
    h.update(&rules.sha256);
    h.update(&dates.sha256);
    hex::encode(h.finalize())
}

/// Classifies every system (or the one named).
pub fn classify_all(
    inv: &Inventory,
    ctx: &Context,
    only: Option<&str>,
) -> Result<Vec<Classification>, RegistryError> {
    if let Some(id) = only
        && !inv.systems.iter().any(|s| s.id == id)
    {
        return Err(RegistryError::NotFound(format!(
            "system {id:?} (see `synthgov inventory`)"
        )));
    }
    let ix = Index::new(inv, &ctx.rules.use_cases);
    let version = rules_version(ctx.rules, ctx.dates);
    Ok(inv
        .systems
        .iter()
        .filter(|s| only.is_none_or(|id| s.id == id))
        .map(|s| {
            let a = ctx.assessments.get(&s.id);
            let effective: System = match a {
                Some(a) => a.answers.fill(s),
                None => s.clone(),
            };
            let facts = ix.system(
                &effective,
                ctx.rules.use_cases.get(&s.use_case),
                &ctx.rules.annex_iii,
                ctx.dates,
                ctx.rules.thresholds.large_scale_people,
            );
            let state = AssessmentState {
                recorded: a.is_some(),
                approved: a.is_some_and(|a| a.approved),
                current: false,
                missing: Vec::new(),
                changed: a.map(|a| a.changed.clone()).unwrap_or_default(),
            };
            let mut c = ctx
                .rules
                .classify(&s.id, facts, ctx.dates, ctx.as_of, state);
            c.rules_version = version.clone();
            c
        })
        .collect())
}

/// The inventory-wide checks of `inv`.
pub fn checks(inv: &Inventory, rules: &RuleSet) -> Vec<CheckFinding> {
    rules.run_checks(&Index::new(inv, &rules.use_cases))
}
