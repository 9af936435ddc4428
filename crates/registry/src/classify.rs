//! Regulatory classification of AI systems from the inventory, driven by a rules file
//! (`rules/classification.yaml`, shipped; a store may extend or override it). The code
//! computes facts from the lineage (what is upstream, where it is); the rules, in file
//! order, turn facts into a tier, flags, NIST AI RMF functions and reasons.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::RegistryError;
use crate::model::{DataCategory, Inventory, System, is_eu_eea};
use crate::parse::split_version;

/// The rules shipped with synthgov.
pub const SHIPPED_RULES: &str = include_str!("../rules/classification.yaml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    pub version: u32,
    #[serde(default)]
    pub use_cases: Vec<String>,
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Rule ids to drop (in a store's override file).
    #[serde(default)]
    pub disable: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    #[serde(default)]
    pub when: Condition,
    #[serde(default)]
    pub tier: Option<Tier>,
    #[serde(default)]
    pub basis: Vec<String>,
    #[serde(default)]
    pub flags: Vec<Flag>,
    #[serde(default)]
    pub nist: Vec<String>,
    pub says: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub use_case: Option<Vec<String>>,
    pub tier: Option<Vec<Tier>>,
    pub flagged: Option<Vec<Flag>>,
    pub decides_automatically: Option<bool>,
    pub human_oversight: Option<bool>,
    pub gdpr_scope: Option<bool>,
    pub us_scope: Option<bool>,
    pub health_upstream: Option<bool>,
    pub eu_health_upstream: Option<bool>,
    pub personal_data_upstream: Option<bool>,
    pub cross_border_transfer: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Minimal,
    Limited,
    High,
    Prohibited,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    GdprArt22,
    GdprArt9,
    Hipaa,
    CrossBorder,
}

/// What the code works out about a system before any rule runs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facts {
    pub use_case: String,
    pub decides_automatically: bool,
    pub human_oversight: bool,
    pub gdpr_scope: bool,
    pub us_scope: bool,
    pub health_upstream: bool,
    pub eu_health_upstream: bool,
    pub personal_data_upstream: bool,
    pub cross_border_transfer: bool,
    pub upstream_sources: Vec<String>,
    pub upstream_generators: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EuAiAct {
    pub tier: Tier,
    pub basis: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reason {
    pub rule: String,
    pub says: String,
}

/// The classification of one system (`synthgov classify --json`).
#[derive(Debug, Clone, Serialize)]
pub struct Classification {
    pub system: String,
    pub eu_ai_act: EuAiAct,
    pub gdpr_art22: bool,
    pub gdpr_art9: bool,
    pub hipaa: bool,
    pub cross_border: bool,
    pub nist_ai_rmf: Vec<String>,
    pub reasons: Vec<Reason>,
}

impl RuleSet {
    /// The shipped rules plus the home's override file, if `synthgov.toml` names one
    /// (`[classification] rules = "..."`, relative to the home folder).
    pub fn for_home(home: &synthgov_store::Home) -> Result<RuleSet, RegistryError> {
        let config = home.config()?;
        let Some(path) = config.classification.and_then(|c| c.rules) else {
            return RuleSet::load(None);
        };
        let path = if path.is_relative() {
            home.dir.join(path)
        } else {
            path
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            RegistryError::bad_file(&path.display().to_string(), None, e.to_string())
        })?;
        RuleSet::load(Some((&path.display().to_string(), &text)))
    }

    /// The shipped rules, with an optional override file applied.
    pub fn load(user: Option<(&str, &str)>) -> Result<RuleSet, RegistryError> {
        let mut set = parse_rules("rules/classification.yaml (shipped)", SHIPPED_RULES)?;
        if let Some((file, text)) = user {
            let extra = parse_rules(file, text)?;
            for rule in extra.rules {
                match set.rules.iter_mut().find(|r| r.id == rule.id) {
                    Some(existing) => *existing = rule,
                    None => set.rules.push(rule),
                }
            }
            for uc in extra.use_cases {
                if !set.use_cases.contains(&uc) {
                    set.use_cases.push(uc);
                }
            }
            for id in &extra.disable {
                if !set.rules.iter().any(|r| &r.id == id) {
                    return Err(RegistryError::bad_file(
                        file,
                        None,
                        format!("disable: no rule {id:?}"),
                    ));
                }
            }
            set.rules.retain(|r| !extra.disable.contains(&r.id));
        }
        Ok(set)
    }

    pub fn use_cases(&self) -> BTreeSet<String> {
        self.use_cases.iter().cloned().collect()
    }

    /// Runs the rules over `facts`.
    pub fn classify(&self, system: &str, facts: &Facts) -> Classification {
        let mut tier: Option<Tier> = None;
        let mut basis: Vec<String> = Vec::new();
        let mut flags: BTreeSet<Flag> = BTreeSet::new();
        let mut nist: Vec<String> = Vec::new();
        let mut reasons = Vec::new();
        for rule in &self.rules {
            if !rule
                .when
                .holds(facts, tier.unwrap_or(Tier::Minimal), &flags)
            {
                continue;
            }
            if let Some(t) = rule.tier {
                tier = Some(tier.map_or(t, |cur| cur.max(t)));
            }
            for b in &rule.basis {
                if !basis.contains(b) {
                    basis.push(b.clone());
                }
            }
            flags.extend(rule.flags.iter().copied());
            for n in &rule.nist {
                if !nist.contains(n) {
                    nist.push(n.clone());
                }
            }
            reasons.push(Reason {
                rule: rule.id.clone(),
                says: rule.says.clone(),
            });
        }
        if tier.is_none() {
            reasons.insert(
                0,
                Reason {
                    rule: "AIA-UNMATCHED".into(),
                    says: format!(
                        "No tier rule matches use case {:?}: treated as minimal; review it",
                        facts.use_case
                    ),
                },
            );
        }
        let order = ["GOVERN", "MAP", "MEASURE", "MANAGE"];
        nist.sort_by_key(|n| order.iter().position(|o| o == n).unwrap_or(order.len()));
        Classification {
            system: system.to_owned(),
            eu_ai_act: EuAiAct {
                tier: tier.unwrap_or(Tier::Minimal),
                basis,
            },
            gdpr_art22: flags.contains(&Flag::GdprArt22),
            gdpr_art9: flags.contains(&Flag::GdprArt9),
            hipaa: flags.contains(&Flag::Hipaa),
            cross_border: flags.contains(&Flag::CrossBorder),
            nist_ai_rmf: nist,
            reasons,
        }
    }
}

fn parse_rules(file: &str, text: &str) -> Result<RuleSet, RegistryError> {
    serde_norway::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line());
        let msg = e.to_string();
        RegistryError::bad_file(
            file,
            line,
            msg.split(" at line ").next().unwrap_or(&msg).to_owned(),
        )
    })
}

impl Condition {
    fn holds(&self, f: &Facts, tier: Tier, flags: &BTreeSet<Flag>) -> bool {
        let eq = |want: Option<bool>, have: bool| want.is_none_or(|w| w == have);
        self.use_case
            .as_ref()
            .is_none_or(|u| u.contains(&f.use_case))
            && self.tier.as_ref().is_none_or(|t| t.contains(&tier))
            && self
                .flagged
                .as_ref()
                .is_none_or(|fl| fl.iter().any(|x| flags.contains(x)))
            && eq(self.decides_automatically, f.decides_automatically)
            && eq(self.human_oversight, f.human_oversight)
            && eq(self.gdpr_scope, f.gdpr_scope)
            && eq(self.us_scope, f.us_scope)
            && eq(self.health_upstream, f.health_upstream)
            && eq(self.eu_health_upstream, f.eu_health_upstream)
            && eq(self.personal_data_upstream, f.personal_data_upstream)
            && eq(self.cross_border_transfer, f.cross_border_transfer)
    }
}

/// Works out the facts about `system` from the inventory's lineage.
pub fn facts(inv: &Inventory, system: &System) -> Facts {
    let sources: BTreeMap<&str, _> = inv.sources.iter().map(|s| (s.id.as_str(), s)).collect();
    let generators: BTreeMap<&str, _> = inv.generators.iter().map(|g| (g.id.as_str(), g)).collect();
    let datasets: BTreeMap<&str, _> = inv.datasets.iter().map(|d| (d.id.as_str(), d)).collect();

    let mut gens: BTreeSet<&str> = system.generators.iter().map(String::as_str).collect();
    let mut srcs: BTreeSet<&str> = BTreeSet::new();
    for t in &system.trained_on {
        let (id, _) = split_version(t);
        if let Some(d) = datasets.get(id) {
            gens.insert(d.generator.as_str());
        } else if sources.contains_key(id) {
            srcs.insert(id);
        }
    }
    let mut cross_border = false;
    for g in &gens {
        if let Some(g) = generators.get(g) {
            let mut eu_source = false;
            for s in &g.trained_on {
                srcs.insert(s.as_str());
                eu_source |= sources
                    .get(s.as_str())
                    .is_some_and(|s| is_eu_eea(&s.jurisdiction));
            }
            cross_border |= eu_source && !is_eu_eea(&g.location);
        }
    }
    let upstream: Vec<_> = srcs.iter().filter_map(|s| sources.get(s)).collect();
    let (jurisdiction, markets) = inv
        .store
        .as_ref()
        .map(|s| (s.jurisdiction.clone(), s.markets()))
        .unwrap_or_default();
    let in_scope =
        |pred: &dyn Fn(&str) -> bool| pred(&jurisdiction) || markets.iter().any(|m| pred(m));
    let has = |c: DataCategory| upstream.iter().any(|s| s.categories.contains(&c));
    Facts {
        use_case: system.use_case.clone(),
        decides_automatically: system.decides_automatically,
        human_oversight: system
            .human_oversight
            .as_deref()
            .is_some_and(|h| !h.trim().is_empty()),
        gdpr_scope: in_scope(&is_eu_eea) || upstream.iter().any(|s| is_eu_eea(&s.jurisdiction)),
        us_scope: in_scope(&|c: &str| c.eq_ignore_ascii_case("US")),
        health_upstream: has(DataCategory::Health),
        eu_health_upstream: upstream
            .iter()
            .any(|s| s.categories.contains(&DataCategory::Health) && is_eu_eea(&s.jurisdiction)),
        personal_data_upstream: [
            DataCategory::Personal,
            DataCategory::Financial,
            DataCategory::Health,
            DataCategory::Biometric,
            DataCategory::Children,
        ]
        .into_iter()
        .any(has),
        cross_border_transfer: cross_border,
        upstream_sources: srcs.iter().map(|s| s.to_string()).collect(),
        upstream_generators: gens.iter().map(|s| s.to_string()).collect(),
    }
}

/// Classifies every system (or the one named).
pub fn classify_all(
    inv: &Inventory,
    rules: &RuleSet,
    only: Option<&str>,
) -> Result<Vec<Classification>, RegistryError> {
    if let Some(id) = only
        && !inv.systems.iter().any(|s| s.id == id)
    {
        return Err(RegistryError::NotFound(format!(
            "system {id:?} (see `synthgov inventory`)"
        )));
    }
    Ok(inv
        .systems
        .iter()
        .filter(|s| only.is_none_or(|id| s.id == id))
        .map(|s| rules.classify(&s.id, &facts(inv, s)))
        .collect())
}
