//! `[disclose]` in synthgov.toml.

use serde::Deserialize;

use crate::labels::{self, Labels};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscloseConfig {
    /// BCP 47 locale of the shipped texts (default `en`).
    pub locale: Option<String>,
    pub image_label: Option<String>,
    pub text_label: Option<String>,
    pub content_label: Option<String>,
    /// With `{label}` and `{generator}`.
    pub detail: Option<String>,
    pub provenance_text: Option<String>,
    /// Where the widget links for an asset's provenance record; `{sha256}` is
    /// replaced. Point it at the synthgov server's public asset endpoint.
    pub provenance_url: Option<String>,
    /// A C2PA signing certificate chain (PEM, end-entity first) from a C2PA-trusted
    /// CA, instead of the local CA `synthgov init` makes; relative to the home.
    pub signing_chain: Option<std::path::PathBuf>,
    /// Its private key (PKCS#8 PEM, Ed25519).
    pub signing_key: Option<std::path::PathBuf>,
    /// Extra trust anchors (PEM) for `verify-media`.
    pub trust_anchors: Option<std::path::PathBuf>,
}

pub const DEFAULT_PROVENANCE_URL: &str = "/synthgov/v1/assets/{sha256}";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("synthgov.toml [disclose]: {0}")]
    Invalid(String),
}

impl DiscloseConfig {
    pub fn from_table(t: Option<&toml::Table>) -> Result<DiscloseConfig, ConfigError> {
        match t {
            None => Ok(DiscloseConfig::default()),
            Some(t) => t
                .clone()
                .try_into()
                .map_err(|e: toml::de::Error| ConfigError::Invalid(e.message().to_owned())),
        }
    }

    /// The texts to use: the locale's shipped texts with the configured overrides.
    pub fn labels(&self, locale_override: Option<&str>) -> Result<Labels, ConfigError> {
        let locale = locale_override.or(self.locale.as_deref()).unwrap_or("en");
        let all_set = self.image_label.is_some()
            && self.text_label.is_some()
            && self.content_label.is_some()
            && self.detail.is_some()
            && self.provenance_text.is_some();
        let mut l = match labels::shipped(locale) {
            Some(l) => l,
            // Every text given: the locale needs nothing shipped.
            None if all_set => labels::shipped("en").expect("English is shipped"),
            None => {
                return Err(ConfigError::Invalid(format!(
                    "no shipped disclosure texts for locale {locale:?} (shipped: {}); set image_label, text_label, content_label, detail and provenance_text",
                    labels::LOCALES.join(", ")
                )));
            }
        };
        let set = |dst: &mut String, v: &Option<String>| {
            if let Some(v) = v {
                *dst = v.clone();
            }
        };
        set(&mut l.image, &self.image_label);
        set(&mut l.text, &self.text_label);
        set(&mut l.content, &self.content_label);
        set(&mut l.detail, &self.detail);
        set(&mut l.provenance, &self.provenance_text);
        for (field, v) in [
            ("image_label", &l.image),
            ("text_label", &l.text),
            ("content_label", &l.content),
        ] {
            if v.trim().is_empty() {
                return Err(ConfigError::Invalid(format!("{field} is empty")));
            }
        }
        Ok(l)
    }

    /// The signing identity: the configured chain, else the local CA's signer.
    pub fn identity(
        &self,
        home: &std::path::Path,
    ) -> Result<crate::signing::Identity, ConfigError> {
        let keys = home.join("keys");
        match (&self.signing_chain, &self.signing_key) {
            (None, None) => Ok(crate::signing::Identity::local(&keys)),
            (Some(c), Some(k)) => Ok(crate::signing::Identity {
                chain: home.join(c),
                key: home.join(k),
                ca: None,
            }),
            _ => Err(ConfigError::Invalid(
                "signing_chain and signing_key go together".into(),
            )),
        }
    }

    pub fn provenance_url(&self) -> &str {
        self.provenance_url
            .as_deref()
            .unwrap_or(DEFAULT_PROVENANCE_URL)
    }
}
