//! The inventory as declared in YAML (`shared/spec/inventory.md`): store, sources,
//! generators, datasets, systems, vendors. Unknown fields are refused
//! (`deny_unknown_fields`) so a typo cannot silently weaken governance.

use serde::{Deserialize, Serialize};

/// The whole inventory file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<Store>,
    #[serde(default)]
    pub sources: Vec<Source>,
    #[serde(default)]
    pub generators: Vec<Generator>,
    #[serde(default)]
    pub datasets: Vec<Dataset>,
    #[serde(default)]
    pub systems: Vec<System>,
    #[serde(default)]
    pub vendors: Vec<Vendor>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Store {
    pub name: String,
    pub platform: Platform,
    pub jurisdiction: String,
    /// Where it sells; defaults to `[jurisdiction]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub markets: Vec<String>,
    /// Where the controller is established (GDPR Art. 3(1)); default: jurisdiction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub establishment: Option<String>,
    /// Whether HIPAA binds the store; default none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hipaa_entity: Option<HipaaEntity>,
}

/// What HIPAA makes of the store (45 CFR 160.103).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HipaaEntity {
    CoveredEntity,
    BusinessAssociate,
    None,
}

impl HipaaEntity {
    pub fn as_str(self) -> &'static str {
        match self {
            HipaaEntity::CoveredEntity => "covered_entity",
            HipaaEntity::BusinessAssociate => "business_associate",
            HipaaEntity::None => "none",
        }
    }
}

impl Store {
    pub fn markets(&self) -> Vec<String> {
        if self.markets.is_empty() {
            vec![self.jurisdiction.clone()]
        } else {
            self.markets.clone()
        }
    }

    /// Where the controller is established.
    pub fn establishment(&self) -> &str {
        self.establishment.as_deref().unwrap_or(&self.jurisdiction)
    }

    pub fn hipaa_entity(&self) -> HipaaEntity {
        self.hipaa_entity.unwrap_or(HipaaEntity::None)
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Magento,
    Shopify,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum DataCategory {
    Personal,
    Financial,
    Health,
    Biometric,
    Children,
    /// Browsing, clicks, purchase behaviour (systematic monitoring).
    Behavioural,
    None,
}

impl DataCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            DataCategory::Personal => "personal",
            DataCategory::Financial => "financial",
            DataCategory::Health => "health",
            DataCategory::Biometric => "biometric",
            DataCategory::Children => "children",
            DataCategory::Behavioural => "behavioural",
            DataCategory::None => "none",
        }
    }

    /// About identifiable people (everything but `none`).
    pub fn is_personal(self) -> bool {
        self != DataCategory::None
    }

    /// GDPR Art. 9 special categories among ours.
    pub fn is_special(self) -> bool {
        matches!(self, DataCategory::Health | DataCategory::Biometric)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub jurisdiction: String,
    pub categories: Vec<DataCategory>,
    pub lawful_basis: LawfulBasis,
    /// Where consent is collected and recorded (ePrivacy Art. 5(3), GDPR Art. 7(1)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    /// The GDPR Art. 9(2) condition for health or biometric data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub art9_condition: Option<Art9Condition>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// The consent management platform or form, e.g. `cmp:onetrust`.
    pub mechanism: String,
    /// Where the consent records are kept, e.g. a table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records: Option<String>,
}

/// GDPR Art. 9(2)(a)-(j).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Art9Condition {
    ExplicitConsent,
    EmploymentSocialSecurity,
    VitalInterests,
    NotForProfitBody,
    MadePublic,
    LegalClaims,
    SubstantialPublicInterest,
    HealthCare,
    PublicHealth,
    Research,
}

/// Who the AI Act makes answerable (Art. 3(3) provider, 3(4) deployer).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Provider,
    Deployer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Provider => "provider",
            Role::Deployer => "deployer",
        }
    }
}

/// GDPR Chapter V transfer tools.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TransferMechanism {
    /// Art. 45 adequacy decision.
    Adequacy,
    /// EU-US Data Privacy Framework (an Art. 45 adequacy decision).
    Dpf,
    /// Art. 46(2)(c) standard contractual clauses.
    Sccs,
    /// Art. 47 binding corporate rules.
    Bcr,
    /// Art. 49 derogations.
    Art49,
}

/// GDPR Art. 6(1) bases, or none.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LawfulBasis {
    Consent,
    Contract,
    LegalObligation,
    VitalInterests,
    PublicTask,
    LegitimateInterest,
    None,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Gan,
    Diffusion,
    Llm,
    Copula,
    Rules,
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Generator {
    pub id: String,
    pub version: String,
    pub method: Method,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    pub location: String,
    #[serde(default)]
    pub trained_on: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_card: Option<String>,
    /// Filled by `apply` from the card file: a changed card is a recorded change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_card_sha256: Option<String>,
    /// Default: deployer when `vendor` is set, else provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// First placed on the market or put into service (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placed_on_market: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_mechanism: Option<TransferMechanism>,
}

impl Generator {
    pub fn role(&self) -> Role {
        self.role.unwrap_or(if self.vendor.is_some() {
            Role::Deployer
        } else {
            Role::Provider
        })
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Surface {
    Storefront,
    Checkout,
    Payment,
    Admin,
    AppSettings,
    UserProvisioning,
    PatientPortal,
    Telehealth,
    Other,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    Synthetic,
    Staging,
    Production,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    pub id: String,
    pub generator: String,
    pub purpose: String,
    #[serde(default)]
    pub surfaces: Vec<Surface>,
    pub environment: Environment,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct System {
    pub id: String,
    pub use_case: String,
    /// Dataset ids (optionally `id@version`) or source ids.
    #[serde(default)]
    pub trained_on: Vec<String>,
    /// Generators whose output the system publishes (content generation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub generators: Vec<String>,
    #[serde(default)]
    pub decides_automatically: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub human_oversight: Option<String>,
    #[serde(default)]
    pub surfaces: Vec<Surface>,
    /// A vendor's system: defaults the role to deployer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Explicit Annex III point, e.g. `1(c)`; overrides the use case's point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annex_iii: Option<String>,
    /// Claimed Art. 6(3) derogation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub art6_3: Option<Art63>,
    /// Profiling of natural persons (Art. 6(3) last subparagraph).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profiles_people: Option<bool>,
    /// Art. 5 screening: the practices present; `[]` screened, none; absent not screened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub practices: Option<Vec<Practice>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medical_device: Option<MedicalDevice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_interest_text: Option<bool>,
    /// Who holds editorial responsibility (Art. 50(4) exemption).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editorial_review: Option<String>,
    /// Real-looking people, places or events (deepfakes, Art. 3(60)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realistic_depictions: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placed_on_market: Option<String>,
    /// Data categories the system processes at run time (not only upstream).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processes: Option<Vec<DataCategory>>,
    /// The GDPR Art. 9(2) condition for special-category data it processes at run time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub art9_condition: Option<Art9Condition>,
    /// About how many people it affects (large scale, GDPR Art. 35(3)(b)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people_affected: Option<u64>,
    /// Deployed by or for a public body (Art. 27(1)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_body: Option<bool>,
    /// Where the GDPR Art. 35 DPIA is kept, once done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpia: Option<String>,
    /// Where the AI Act Art. 27 FRIA is kept, once done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fria: Option<String>,
}

/// Art. 6(3)(a)-(d) grounds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Art63 {
    NarrowProceduralTask,
    ImprovesHumanActivity,
    DetectsPatterns,
    PreparatoryTask,
}

/// Art. 5(1)(a)-(h) prohibited practices.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Practice {
    SubliminalManipulation,
    ExploitsVulnerabilities,
    SocialScoring,
    CrimePredictionProfiling,
    FacialImageScraping,
    EmotionRecognitionWorkplaceEducation,
    BiometricCategorisationSensitive,
    RealtimeRemoteBiometricIdentification,
}

impl Practice {
    pub const ALL: [Practice; 8] = [
        Practice::SubliminalManipulation,
        Practice::ExploitsVulnerabilities,
        Practice::SocialScoring,
        Practice::CrimePredictionProfiling,
        Practice::FacialImageScraping,
        Practice::EmotionRecognitionWorkplaceEducation,
        Practice::BiometricCategorisationSensitive,
        Practice::RealtimeRemoteBiometricIdentification,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Practice::SubliminalManipulation => "subliminal_manipulation",
            Practice::ExploitsVulnerabilities => "exploits_vulnerabilities",
            Practice::SocialScoring => "social_scoring",
            Practice::CrimePredictionProfiling => "crime_prediction_profiling",
            Practice::FacialImageScraping => "facial_image_scraping",
            Practice::EmotionRecognitionWorkplaceEducation => {
                "emotion_recognition_workplace_education"
            }
            Practice::BiometricCategorisationSensitive => "biometric_categorisation_sensitive",
            Practice::RealtimeRemoteBiometricIdentification => {
                "realtime_remote_biometric_identification"
            }
        }
    }
}

/// MDR software under Annex VIII Rule 11.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MedicalDevice {
    /// `false`: assessed, and not medical-device software under the MDR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule11_class: Option<Rule11Class>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notified_body: Option<bool>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum Rule11Class {
    I,
    IIa,
    IIb,
    III,
}

impl Rule11Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule11Class::I => "I",
            Rule11Class::IIa => "IIa",
            Rule11Class::IIb => "IIb",
            Rule11Class::III => "III",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Vendor {
    pub id: String,
    #[serde(default)]
    pub attestations: Vec<Attestation>,
    /// What it handles for the store.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<DataCategory>,
    /// Where it processes (ISO 3166 or EU); default: where its generators run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    pub kind: String,
    /// ISO date (YYYY-MM-DD).
    pub expires: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

/// Annex III points (as amended): `1(a)`..`8(b)`. Point 4 and 5 letters as in the Act.
pub const ANNEX_III_POINTS: [&str; 25] = [
    "1(a)", "1(b)", "1(c)", "2", "3(a)", "3(b)", "3(c)", "3(d)", "4(a)", "4(b)", "5(a)", "5(b)",
    "5(c)", "5(d)", "6(a)", "6(b)", "6(c)", "6(d)", "6(e)", "7(a)", "7(b)", "7(c)", "7(d)", "8(a)",
    "8(b)",
];

/// EU member states and the EEA, ISO 3166-1 alpha-2, plus the "EU" / "EEA" shorthands.
pub const EU_EEA: [&str; 32] = [
    "EU", "EEA", "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU",
    "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI",
    "NO",
];

pub fn is_eu_eea(code: &str) -> bool {
    EU_EEA.contains(&code.to_ascii_uppercase().as_str())
}
