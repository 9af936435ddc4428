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
}

impl Store {
    pub fn markets(&self) -> Vec<String> {
        if self.markets.is_empty() {
            vec![self.jurisdiction.clone()]
        } else {
            self.markets.clone()
        }
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
    None,
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
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Vendor {
    pub id: String,
    #[serde(default)]
    pub attestations: Vec<Attestation>,
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

/// EU member states and the EEA, ISO 3166-1 alpha-2, plus the "EU" / "EEA" shorthands.
pub const EU_EEA: [&str; 32] = [
    "EU", "EEA", "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU",
    "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI",
    "NO",
];

pub fn is_eu_eea(code: &str) -> bool {
    EU_EEA.contains(&code.to_ascii_uppercase().as_str())
}
