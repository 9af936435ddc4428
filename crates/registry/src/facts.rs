//! The facts the classification rules read, worked out from the inventory and its
//! lineage: per system, and per source, vendor and generator for the inventory-wide
//! checks. Code computes facts; the rules file (`rules/classification.yaml`) decides
//! what they mean in law. Every fact name a rule may test is listed here, so a typo
//! in a rules file is refused when it loads.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::dates::{Dates, parse_date};
use crate::model::{
    DataCategory, Dataset, Generator, HipaaEntity, Inventory, LawfulBasis, Role, Rule11Class,
    Source, System, Vendor, is_eu_eea,
};
use crate::parse::split_version;

/// One fact's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Fact {
    Bool(bool),
    Str(Option<String>),
    Set(BTreeSet<String>),
}

impl Fact {
    /// How a `{name}` placeholder in a rule's text shows it.
    pub fn display(&self) -> String {
        match self {
            Fact::Bool(b) => if *b { "yes" } else { "no" }.into(),
            Fact::Str(s) => s.clone().unwrap_or_else(|| "not declared".into()),
            Fact::Set(s) => s.iter().cloned().collect::<Vec<_>>().join(", "),
        }
    }
}

/// The facts about one subject, by name.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub struct Facts(pub BTreeMap<&'static str, Fact>);

impl Facts {
    fn b(&mut self, k: &'static str, v: bool) {
        self.0.insert(k, Fact::Bool(v));
    }
    fn s(&mut self, k: &'static str, v: Option<impl Into<String>>) {
        self.0.insert(k, Fact::Str(v.map(Into::into)));
    }
    fn set<I: IntoIterator<Item = S>, S: Into<String>>(&mut self, k: &'static str, v: I) {
        self.0
            .insert(k, Fact::Set(v.into_iter().map(Into::into).collect()));
    }
    pub fn get(&self, k: &str) -> Option<&Fact> {
        self.0.get(k)
    }
    pub fn flag(&self, k: &str) -> bool {
        matches!(self.0.get(k), Some(Fact::Bool(true)))
    }
    pub fn text(&self, k: &str) -> Option<&str> {
        match self.0.get(k) {
            Some(Fact::Str(Some(s))) => Some(s),
            _ => None,
        }
    }
}

/// What a rule's `when` may name, per subject, with what each means (docs/CLASSIFICATION.md
/// and the rules file's header repeat this). `tier` and `flagged` are the results of
/// earlier rules.
pub const SYSTEM_FACTS: &[(&str, &str)] = &[
    ("use_case", "the system's use case"),
    (
        "role",
        "provider | deployer (declared, else deployer with a vendor or vendor-run generators, else provider)",
    ),
    (
        "role_declared",
        "role given in the inventory or the assessment",
    ),
    (
        "vendor",
        "the system's vendor, else the vendors of the generators it uses",
    ),
    (
        "annex_iii",
        "Annex III point: explicit, else the use case's",
    ),
    ("annex_iii_title", "what that point covers"),
    (
        "practices",
        "Art. 5 practices present (declared, or implied by the use case)",
    ),
    ("art6_3", "the Art. 6(3) ground claimed"),
    (
        "profiles_people",
        "the system profiles natural persons (answered yes)",
    ),
    (
        "art6_3_applies",
        "Art. 6(3) claimed and profiling answered no",
    ),
    (
        "medical_device",
        "medical-device software (declared, or the medical_device use case)",
    ),
    (
        "rule11_class",
        "MDR Annex VIII Rule 11 class: I | IIa | IIb | III",
    ),
    (
        "notified_body",
        "a notified body takes part (declared, class IIa or higher, or a medical_device use case without a class)",
    ),
    (
        "decides_automatically",
        "acts on people without a human in the loop",
    ),
    ("human_oversight", "a human oversight contact is declared"),
    ("generative", "the use case generates content"),
    (
        "interacts_with_people",
        "the use case interacts with people (chatbots)",
    ),
    (
        "personalization",
        "the use case personalises what people see or pay",
    ),
    (
        "significant_effects",
        "the use case can have legal or similarly significant effects (GDPR Art. 22)",
    ),
    (
        "public_interest_text",
        "publishes text to inform the public on matters of public interest (answered yes)",
    ),
    (
        "editorial_review",
        "a person holds editorial responsibility",
    ),
    (
        "realistic_depictions",
        "real-looking people, places or events (answered yes)",
    ),
    (
        "placed_on_market",
        "first placed on the market (the system's, else its generators' earliest)",
    ),
    (
        "legacy_generative",
        "placed on the market before AIA-ART50 applies (Art. 50(2) legacy date)",
    ),
    (
        "gdpr_established",
        "the store is established in the EU/EEA (Art. 3(1))",
    ),
    (
        "gdpr_targeting",
        "the store sells to the EU/EEA (Art. 3(2))",
    ),
    ("eu_source_upstream", "an EU/EEA source is upstream"),
    ("gdpr_scope", "any of the three"),
    ("gdpr_why", "which of them, in words"),
    ("us_scope", "the store is in or sells to the US"),
    ("hipaa_entity", "covered_entity | business_associate | none"),
    (
        "categories",
        "data categories upstream or processed at run time",
    ),
    (
        "runtime_categories",
        "data categories processed at run time",
    ),
    (
        "personal_data_upstream",
        "personal data of any category upstream",
    ),
    ("personal_data", "personal data upstream or at run time"),
    (
        "special_data",
        "health or biometric data upstream or at run time (GDPR Art. 9)",
    ),
    ("health_data", "health data upstream or at run time"),
    ("health_upstream", "health data upstream (v1)"),
    (
        "eu_health_upstream",
        "health data from an EU/EEA source upstream",
    ),
    (
        "us_health",
        "health data of US people: a US health source upstream, or health data at run time in a US store",
    ),
    (
        "art9_condition_missing",
        "special-category data in GDPR scope without an Art. 9(2) condition",
    ),
    ("behavioural_upstream", "a behavioural source is upstream"),
    (
        "consent_missing",
        "a behavioural source upstream lacks lawful_basis consent or a consent record",
    ),
    (
        "lawful_basis_missing",
        "a personal source upstream has lawful_basis none",
    ),
    (
        "cross_border_transfer",
        "personal data from an EU/EEA source is upstream of a generator outside the EU/EEA (GDPR Chapter V)",
    ),
    (
        "transfer_mechanism_missing",
        "such a transfer has no transfer_mechanism (and no sccs/dpf attestation of its vendor)",
    ),
    (
        "large_scale",
        "people_affected at or above thresholds.large_scale_people",
    ),
    ("public_body", "deployed by or for a public body"),
    ("dpia_recorded", "a DPIA is recorded (systems.dpia)"),
    ("fria_recorded", "a FRIA is recorded (systems.fria)"),
    (
        "answered",
        "intake questions the inventory or the assessment answers",
    ),
    (
        "missing",
        "required intake questions not answered (see questions)",
    ),
    ("tier", "the tier given by earlier rules"),
    ("flagged", "flags set by earlier rules"),
];

pub const SOURCE_FACTS: &[(&str, &str)] = &[
    ("categories", "its data categories"),
    ("personal", "about people (any category but none)"),
    ("special", "health or biometric"),
    ("behavioural", "behavioural data"),
    ("lawful_basis", "its GDPR Art. 6 basis"),
    ("consent", "a consent mechanism is recorded"),
    ("art9_condition", "an Art. 9(2) condition is recorded"),
    ("eu", "the source is in the EU/EEA"),
    (
        "gdpr_scope",
        "the source is in the EU/EEA or the store is in GDPR scope",
    ),
    (
        "feeds_personalization",
        "upstream of a personalising system",
    ),
];

pub const VENDOR_FACTS: &[(&str, &str)] = &[
    ("processes", "the data categories it handles for the store"),
    ("personal", "it handles personal data"),
    ("health", "it handles health data"),
    (
        "phi",
        "it handles health data for a HIPAA covered entity or business associate",
    ),
    (
        "outside_eu",
        "its location (or that of a generator it runs) is outside the EU/EEA",
    ),
    (
        "eu_data",
        "it handles personal data of a store in GDPR scope, or runs a generator trained on an EU/EEA source",
    ),
    (
        "attestations",
        "the kinds of attestation it has (expired ones included: SG-GOV-003 judges expiry)",
    ),
];

pub const GENERATOR_FACTS: &[(&str, &str)] = &[
    ("method", "gan | diffusion | llm | copula | rules | other"),
    ("role", "provider | deployer"),
    ("vendor", "its vendor id"),
    ("trained_on", "training sources are declared"),
    ("outside_eu", "it runs outside the EU/EEA"),
    (
        "eu_personal_upstream",
        "it is trained on personal data from an EU/EEA source",
    ),
    (
        "transfer_mechanism",
        "a transfer mechanism is recorded (its own, or an sccs/dpf attestation of its vendor)",
    ),
    ("model_card", "it has a model card"),
];

/// The subjects rules and checks are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    System,
    Source,
    Vendor,
    Generator,
}

impl Subject {
    pub fn facts(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Subject::System => SYSTEM_FACTS,
            Subject::Source => SOURCE_FACTS,
            Subject::Vendor => VENDOR_FACTS,
            Subject::Generator => GENERATOR_FACTS,
        }
    }
}

/// What a use case implies, from the rules file's taxonomy.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UseCase {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annex_iii: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub practice: Option<crate::model::Practice>,
    #[serde(default)]
    pub generative: bool,
    #[serde(default)]
    pub interacts_with_people: bool,
    #[serde(default)]
    pub personalization: bool,
    #[serde(default)]
    pub significant_effects: bool,
}

/// Lookups over one inventory, built once for all its systems.
pub struct Index<'a> {
    pub inv: &'a Inventory,
    sources: BTreeMap<&'a str, &'a Source>,
    generators: BTreeMap<&'a str, &'a Generator>,
    datasets: BTreeMap<&'a str, &'a Dataset>,
    vendors: BTreeMap<&'a str, &'a Vendor>,
    gdpr_established: bool,
    gdpr_targeting: bool,
    us_scope: bool,
    hipaa_entity: HipaaEntity,
    /// Sources upstream of a personalising system.
    personalising_sources: BTreeSet<&'a str>,
}

fn us(code: &str) -> bool {
    let c = code.to_ascii_uppercase();
    c == "US" || c.starts_with("US-")
}

const PERSONAL: [DataCategory; 6] = [
    DataCategory::Personal,
    DataCategory::Financial,
    DataCategory::Health,
    DataCategory::Biometric,
    DataCategory::Children,
    DataCategory::Behavioural,
];

impl<'a> Index<'a> {
    pub fn new(inv: &'a Inventory, use_cases: &BTreeMap<String, UseCase>) -> Index<'a> {
        let (gdpr_established, gdpr_targeting, us_scope, hipaa_entity) = match &inv.store {
            Some(s) => (
                is_eu_eea(s.establishment()),
                s.markets().iter().any(|m| is_eu_eea(m)),
                us(&s.jurisdiction) || s.markets().iter().any(|m| us(m)),
                s.hipaa_entity(),
            ),
            None => (false, false, false, HipaaEntity::None),
        };
        let mut ix = Index {
            inv,
            sources: inv.sources.iter().map(|s| (s.id.as_str(), s)).collect(),
            generators: inv.generators.iter().map(|g| (g.id.as_str(), g)).collect(),
            datasets: inv.datasets.iter().map(|d| (d.id.as_str(), d)).collect(),
            vendors: inv.vendors.iter().map(|v| (v.id.as_str(), v)).collect(),
            gdpr_established,
            gdpr_targeting,
            us_scope,
            hipaa_entity,
            personalising_sources: BTreeSet::new(),
        };
        let mut feeding = BTreeSet::new();
        for s in &inv.systems {
            if use_cases
                .get(&s.use_case)
                .is_some_and(|u| u.personalization)
            {
                let (srcs, _) = ix.upstream(s);
                feeding.extend(srcs);
            }
        }
        ix.personalising_sources = feeding;
        ix
    }

    /// Sources and generators upstream of a system.
    fn upstream(&self, system: &System) -> (BTreeSet<&'a str>, BTreeSet<&'a str>) {
        let mut gens: BTreeSet<&'a str> = BTreeSet::new();
        let mut srcs: BTreeSet<&'a str> = BTreeSet::new();
        for g in &system.generators {
            if let Some((id, _)) = self.generators.get_key_value(g.as_str()) {
                gens.insert(id);
            }
        }
        for t in &system.trained_on {
            let (id, _) = split_version(t);
            if let Some(d) = self.datasets.get(id) {
                if let Some((g, _)) = self.generators.get_key_value(d.generator.as_str()) {
                    gens.insert(g);
                }
            } else if let Some((s, _)) = self.sources.get_key_value(id) {
                srcs.insert(s);
            }
        }
        for g in &gens {
            for s in &self.generators[g].trained_on {
                if let Some((s, _)) = self.sources.get_key_value(s.as_str()) {
                    srcs.insert(s);
                }
            }
        }
        (srcs, gens)
    }

    pub fn upstream_ids(&self, system: &System) -> (Vec<String>, Vec<String>) {
        let (s, g) = self.upstream(system);
        (
            s.into_iter().map(str::to_owned).collect(),
            g.into_iter().map(str::to_owned).collect(),
        )
    }

    fn gdpr_scope_store(&self) -> bool {
        self.gdpr_established || self.gdpr_targeting
    }

    fn vendor_has_transfer_tool(&self, vendor: Option<&str>) -> bool {
        vendor.and_then(|v| self.vendors.get(v)).is_some_and(|v| {
            v.attestations
                .iter()
                .any(|a| matches!(a.kind.as_str(), "sccs" | "dpf"))
        })
    }

    fn eu_personal_sources(&self, g: &Generator) -> bool {
        g.trained_on.iter().any(|s| {
            self.sources.get(s.as_str()).is_some_and(|s| {
                is_eu_eea(&s.jurisdiction) && s.categories.iter().any(|c| c.is_personal())
            })
        })
    }

    fn has_transfer_mechanism(&self, g: &Generator) -> bool {
        g.transfer_mechanism.is_some() || self.vendor_has_transfer_tool(g.vendor.as_deref())
    }

    /// The facts of `system` (already merged with its assessment's answers).
    pub fn system(
        &self,
        system: &System,
        use_case: Option<&UseCase>,
        annex_titles: &BTreeMap<String, String>,
        dates: &Dates,
        large_scale_people: u64,
    ) -> Facts {
        let uc = use_case.cloned().unwrap_or_default();
        let (srcs, gens) = self.upstream(system);
        let upstream: Vec<&Source> = srcs.iter().map(|s| self.sources[s]).collect();
        let gens: Vec<&Generator> = gens.iter().map(|g| self.generators[g]).collect();
        let mut f = Facts::default();

        f.s("use_case", Some(system.use_case.as_str()));
        // A vendor's system, or one publishing only vendor-run generators' output, is
        // deployed; anything else the store built is its own (provider).
        let vendor_run = !system.generators.is_empty()
            && system
                .generators
                .iter()
                .filter_map(|g| self.generators.get(g.as_str()))
                .all(|g| g.role() == Role::Deployer);
        let role = system
            .role
            .unwrap_or(if system.vendor.is_some() || vendor_run {
                Role::Deployer
            } else {
                Role::Provider
            });
        f.s("role", Some(role.as_str()));
        f.b("role_declared", system.role.is_some());
        let vendors: BTreeSet<&str> = system
            .vendor
            .iter()
            .map(String::as_str)
            .chain(gens.iter().filter_map(|g| g.vendor.as_deref()))
            .collect();
        f.s(
            "vendor",
            (!vendors.is_empty()).then(|| vendors.into_iter().collect::<Vec<_>>().join(", ")),
        );
        let point = system.annex_iii.clone().or(uc.annex_iii.clone());
        f.s(
            "annex_iii_title",
            point.as_ref().and_then(|p| annex_titles.get(p)).cloned(),
        );
        f.s("annex_iii", point);
        let mut practices: BTreeSet<String> = system
            .practices
            .iter()
            .flatten()
            .map(|p| p.as_str().to_owned())
            .collect();
        if let Some(p) = uc.practice {
            practices.insert(p.as_str().to_owned());
        }
        f.set("practices", practices);
        f.s("art6_3", system.art6_3.map(|a| format!("{a:?}")));
        f.b("profiles_people", system.profiles_people == Some(true));
        f.b(
            "art6_3_applies",
            system.art6_3.is_some() && system.profiles_people == Some(false),
        );
        let is_device = system.use_case == "medical_device"
            || system
                .medical_device
                .as_ref()
                .is_some_and(|m| m.device != Some(false));
        f.b("medical_device", is_device);
        let class = system.medical_device.as_ref().and_then(|m| m.rule11_class);
        f.s("rule11_class", class.map(Rule11Class::as_str));
        let declared_nb = system.medical_device.as_ref().and_then(|m| m.notified_body);
        f.b(
            "notified_body",
            is_device
                && (declared_nb == Some(true)
                    || class.is_some_and(|c| c != Rule11Class::I)
                    || (system.use_case == "medical_device"
                        && class.is_none()
                        && declared_nb.is_none())),
        );
        f.b("decides_automatically", system.decides_automatically);
        f.b(
            "human_oversight",
            system
                .human_oversight
                .as_deref()
                .is_some_and(|h| !h.trim().is_empty()),
        );
        f.b("generative", uc.generative);
        f.b("interacts_with_people", uc.interacts_with_people);
        f.b("personalization", uc.personalization);
        f.b("significant_effects", uc.significant_effects);
        f.b(
            "public_interest_text",
            system.public_interest_text == Some(true),
        );
        f.b(
            "editorial_review",
            system
                .editorial_review
                .as_deref()
                .is_some_and(|h| !h.trim().is_empty()),
        );
        f.b(
            "realistic_depictions",
            system.realistic_depictions == Some(true),
        );
        let placed = system.placed_on_market.clone().or_else(|| {
            system
                .generators
                .iter()
                .filter_map(|g| self.generators.get(g.as_str()))
                .filter_map(|g| g.placed_on_market.clone())
                .min()
        });
        let legacy = match (
            placed.as_deref().and_then(parse_date),
            dates.get("AIA-ART50"),
        ) {
            (Some(p), Some((_, from))) => p < from,
            _ => false,
        };
        let answered = [
            ("role", system.role.is_some()),
            ("practices", system.practices.is_some()),
            ("annex_iii", system.annex_iii.is_some()),
            ("art6_3", system.art6_3.is_some()),
            ("profiles_people", system.profiles_people.is_some()),
            ("medical_device", system.medical_device.is_some()),
            ("processes", system.processes.is_some()),
            ("people_affected", system.people_affected.is_some()),
            (
                "public_interest_text",
                system.public_interest_text.is_some(),
            ),
            ("editorial_review", system.editorial_review.is_some()),
            (
                "realistic_depictions",
                system.realistic_depictions.is_some(),
            ),
            ("placed_on_market", placed.is_some()),
        ];
        f.set(
            "answered",
            answered.iter().filter(|(_, a)| *a).map(|(q, _)| *q),
        );
        f.s("placed_on_market", placed);
        f.b("legacy_generative", legacy);

        let eu_source = upstream.iter().any(|s| is_eu_eea(&s.jurisdiction));
        f.b("gdpr_established", self.gdpr_established);
        f.b("gdpr_targeting", self.gdpr_targeting);
        f.b("eu_source_upstream", eu_source);
        let gdpr = self.gdpr_scope_store() || eu_source;
        f.b("gdpr_scope", gdpr);
        let mut why = Vec::new();
        if self.gdpr_established {
            why.push("the store is established in the EU/EEA (Art. 3(1))");
        }
        if self.gdpr_targeting {
            why.push("the store offers goods to people in the EU/EEA (Art. 3(2)(a))");
        }
        if eu_source {
            why.push("an EU/EEA source is upstream");
        }
        f.s("gdpr_why", (!why.is_empty()).then(|| why.join("; ")));
        f.b("us_scope", self.us_scope);
        f.s("hipaa_entity", Some(self.hipaa_entity.as_str()));

        let up_cats: BTreeSet<DataCategory> = upstream
            .iter()
            .flat_map(|s| s.categories.iter().copied())
            .collect();
        let run_cats: BTreeSet<DataCategory> = system.processes.iter().flatten().copied().collect();
        let all: BTreeSet<DataCategory> = up_cats.union(&run_cats).copied().collect();
        f.set("categories", all.iter().map(|c| c.as_str()));
        f.set("runtime_categories", run_cats.iter().map(|c| c.as_str()));
        f.b(
            "personal_data_upstream",
            up_cats.iter().any(|c| PERSONAL.contains(c)),
        );
        f.b("personal_data", all.iter().any(|c| PERSONAL.contains(c)));
        f.b("special_data", all.iter().any(|c| c.is_special()));
        f.b("health_data", all.contains(&DataCategory::Health));
        f.b("health_upstream", up_cats.contains(&DataCategory::Health));
        f.b(
            "eu_health_upstream",
            upstream.iter().any(|s| {
                s.categories.contains(&DataCategory::Health) && is_eu_eea(&s.jurisdiction)
            }),
        );
        f.b(
            "us_health",
            upstream
                .iter()
                .any(|s| s.categories.contains(&DataCategory::Health) && us(&s.jurisdiction))
                || (run_cats.contains(&DataCategory::Health) && self.us_scope),
        );
        let source_in_gdpr = |s: &Source| self.gdpr_scope_store() || is_eu_eea(&s.jurisdiction);
        f.b(
            "art9_condition_missing",
            upstream.iter().any(|s| {
                s.categories.iter().any(|c| c.is_special())
                    && source_in_gdpr(s)
                    && s.art9_condition.is_none()
            }) || (run_cats.iter().any(|c| c.is_special())
                && gdpr
                && system.art9_condition.is_none()),
        );
        let behavioural: Vec<&&Source> = upstream
            .iter()
            .filter(|s| s.categories.contains(&DataCategory::Behavioural))
            .collect();
        f.b("behavioural_upstream", !behavioural.is_empty());
        f.b(
            "consent_missing",
            behavioural
                .iter()
                .any(|s| s.lawful_basis != LawfulBasis::Consent || s.consent.is_none()),
        );
        f.b(
            "lawful_basis_missing",
            upstream.iter().any(|s| {
                s.lawful_basis == LawfulBasis::None && s.categories.iter().any(|c| c.is_personal())
            }),
        );
        let transfers: Vec<&&Generator> = gens
            .iter()
            .filter(|g| !is_eu_eea(&g.location) && self.eu_personal_sources(g))
            .collect();
        f.b("cross_border_transfer", !transfers.is_empty());
        f.b(
            "transfer_mechanism_missing",
            transfers.iter().any(|g| !self.has_transfer_mechanism(g)),
        );
        f.b(
            "large_scale",
            system
                .people_affected
                .is_some_and(|n| n >= large_scale_people),
        );
        f.b("public_body", system.public_body == Some(true));
        f.b(
            "dpia_recorded",
            system.dpia.as_deref().is_some_and(|d| !d.trim().is_empty()),
        );
        f.b(
            "fria_recorded",
            system.fria.as_deref().is_some_and(|d| !d.trim().is_empty()),
        );
        f
    }

    pub fn source(&self, s: &Source) -> Facts {
        let mut f = Facts::default();
        f.set("categories", s.categories.iter().map(|c| c.as_str()));
        f.b("personal", s.categories.iter().any(|c| c.is_personal()));
        f.b("special", s.categories.iter().any(|c| c.is_special()));
        f.b(
            "behavioural",
            s.categories.contains(&DataCategory::Behavioural),
        );
        f.s(
            "lawful_basis",
            Some(
                serde_json::to_value(s.lawful_basis)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
            ),
        );
        f.b("consent", s.consent.is_some());
        f.b("art9_condition", s.art9_condition.is_some());
        f.b("eu", is_eu_eea(&s.jurisdiction));
        f.b(
            "gdpr_scope",
            is_eu_eea(&s.jurisdiction) || self.gdpr_scope_store(),
        );
        f.b(
            "feeds_personalization",
            self.personalising_sources.contains(s.id.as_str()),
        );
        f
    }

    pub fn vendor(&self, v: &Vendor) -> Facts {
        let mut f = Facts::default();
        let runs: Vec<&Generator> = self
            .inv
            .generators
            .iter()
            .filter(|g| g.vendor.as_deref() == Some(v.id.as_str()))
            .collect();
        f.set("processes", v.processes.iter().map(|c| c.as_str()));
        let personal = v.processes.iter().any(|c| c.is_personal());
        let health = v.processes.contains(&DataCategory::Health);
        f.b("personal", personal);
        f.b("health", health);
        f.b(
            "phi",
            health
                && matches!(
                    self.hipaa_entity,
                    HipaaEntity::CoveredEntity | HipaaEntity::BusinessAssociate
                ),
        );
        let outside = match &v.location {
            Some(l) => !is_eu_eea(l),
            None => runs.iter().any(|g| !is_eu_eea(&g.location)),
        };
        f.b("outside_eu", outside);
        f.b(
            "eu_data",
            (personal && self.gdpr_scope_store())
                || runs.iter().any(|g| self.eu_personal_sources(g)),
        );
        f.set(
            "attestations",
            v.attestations.iter().map(|a| a.kind.clone()),
        );
        f
    }

    pub fn generator(&self, g: &Generator) -> Facts {
        let mut f = Facts::default();
        f.s(
            "method",
            serde_json::to_value(g.method)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned)),
        );
        f.s("role", Some(g.role().as_str()));
        f.s("vendor", g.vendor.as_deref());
        f.b("trained_on", !g.trained_on.is_empty());
        f.b("outside_eu", !is_eu_eea(&g.location));
        f.b("eu_personal_upstream", self.eu_personal_sources(g));
        f.b("transfer_mechanism", self.has_transfer_mechanism(g));
        f.b(
            "model_card",
            g.model_card
                .as_deref()
                .is_some_and(|c| !c.trim().is_empty()),
        );
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_fact_is_computed_and_nothing_else() {
        let inv: Inventory = serde_norway::from_str(
            "sources: [{id: s, jurisdiction: FR, categories: [personal], lawful_basis: consent}]\n\
             vendors: [{id: v}]\n\
             generators: [{id: g, version: '1', method: gan, location: US, trained_on: [s], vendor: v}]\n\
             datasets: [{id: d, generator: g, purpose: p, environment: synthetic}]\n\
             systems: [{id: x, use_case: recommendation, trained_on: [d]}]\n",
        )
        .unwrap();
        let ix = Index::new(&inv, &BTreeMap::new());
        let dates = Dates::load(None).unwrap();
        let cases: [(Subject, Facts); 4] = [
            (
                Subject::System,
                ix.system(&inv.systems[0], None, &BTreeMap::new(), &dates, 1),
            ),
            (Subject::Source, ix.source(&inv.sources[0])),
            (Subject::Vendor, ix.vendor(&inv.vendors[0])),
            (Subject::Generator, ix.generator(&inv.generators[0])),
        ];
        for (subject, facts) in cases {
            let mut listed: Vec<&str> = subject.facts().iter().map(|(n, _)| *n).collect();
            // Set by the engine, not by the index.
            listed.retain(|n| !matches!(*n, "tier" | "flagged" | "missing"));
            listed.sort();
            let got: Vec<&str> = facts.0.keys().copied().collect();
            assert_eq!(got, listed, "{subject:?}");
        }
    }
}
