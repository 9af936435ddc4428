//! `[scan]` in synthgov.toml: what `synthgov scan all` covers, the default gate and the
//! rule overrides.
//!
//! ```toml
//! [scan]
//! fail_on = "high"
//! storefront = ["site/"]            # folders of saved pages or https:// base URLs
//! storefront_origin = "https://shop.example"
//! segregation = ["postgres://app@db/shop", "exports/"]
//! segregation_tables = ["sales_order"]
//! shopify_csv = ["products_export.csv"]
//! governance = true
//!
//! [scan.magento]
//! db = "mysql://magento@db/magento"
//! env = "app/etc/env.php"
//!
//! [scan.rules.SG-GOV-003]
//! severity = "low"
//! reason = "renewals tracked in procurement"
//! ```
//!
//! Relative paths are relative to the config file's folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use synthgov_core::finding::Severity;

use crate::rules::RuleOverride;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanConfig {
    #[serde(default)]
    pub fail_on: Option<Severity>,
    #[serde(default)]
    pub storefront: Vec<String>,
    #[serde(default)]
    pub storefront_origin: Option<String>,
    #[serde(default)]
    pub segregation: Vec<String>,
    #[serde(default)]
    pub segregation_tables: Vec<String>,
    #[serde(default)]
    pub shopify_csv: Vec<PathBuf>,
    #[serde(default)]
    pub shopify_json: Vec<PathBuf>,
    #[serde(default)]
    pub magento: Option<MagentoConfig>,
    #[serde(default = "yes")]
    pub governance: bool,
    #[serde(default)]
    pub rules: BTreeMap<String, RuleOverride>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MagentoConfig {
    pub db: Option<String>,
    pub env: Option<PathBuf>,
    pub media_dir: Option<PathBuf>,
    #[serde(default = "ai_attr")]
    pub ai_attribute: String,
    #[serde(default = "disc_attr")]
    pub disclosure_attribute: String,
}

fn ai_attr() -> String {
    "ai_generated".into()
}
fn disc_attr() -> String {
    "ai_disclosure_text".into()
}

#[derive(Debug, thiserror::Error)]
#[error("{file}: [scan]: {message}")]
pub struct ConfigError {
    pub file: String,
    pub message: String,
}

impl ScanConfig {
    /// From the `[scan]` table (absent: defaults). `base` resolves relative paths.
    pub fn from_table(table: Option<&toml::Table>, file: &Path) -> Result<ScanConfig, ConfigError> {
        let err = |message: String| ConfigError {
            file: file.display().to_string(),
            message,
        };
        let Some(t) = table else {
            return Ok(ScanConfig::default());
        };
        let mut c: ScanConfig = t
            .clone()
            .try_into()
            .map_err(|e: toml::de::Error| err(e.message().to_owned()))?;
        let base = file.parent().unwrap_or(Path::new("."));
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        c.shopify_csv.iter_mut().for_each(fix);
        c.shopify_json.iter_mut().for_each(fix);
        if let Some(m) = &mut c.magento {
            m.env.iter_mut().for_each(fix);
            m.media_dir.iter_mut().for_each(fix);
        }
        let fix_str = |s: &mut String| {
            if !s.contains("://") && Path::new(s.as_str()).is_relative() {
                *s = base.join(&*s).display().to_string();
            }
        };
        c.storefront.iter_mut().for_each(fix_str);
        c.segregation.iter_mut().for_each(fix_str);
        Ok(c)
    }

    /// Reads `[scan]` from a config file.
    pub fn read(file: &Path) -> Result<ScanConfig, ConfigError> {
        let err = |message: String| ConfigError {
            file: file.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(file).map_err(|e| err(e.to_string()))?;
        let doc: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| err(e.to_string()))?;
        let scan = match doc.get("scan") {
            None => None,
            Some(toml::Value::Table(t)) => Some(t),
            Some(_) => return Err(err("must be a table".into())),
        };
        Self::from_table(scan, file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_targets_and_overrides_and_names_unknown_fields() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("synthgov.toml");
        std::fs::write(
            &f,
            "[store]\nid='x'\n[scan]\nstorefront=['site']\nsegregation=['postgres://db/x','exports']\n[scan.rules.SG-GOV-001]\nenabled=false\nreason='cards elsewhere'\n",
        )
        .unwrap();
        let c = ScanConfig::read(&f).unwrap();
        assert_eq!(
            c.storefront,
            vec![dir.path().join("site").display().to_string()]
        );
        assert_eq!(c.segregation[0], "postgres://db/x");
        assert!(!c.rules["SG-GOV-001"].enabled);
        assert!(c.governance);
        std::fs::write(&f, "[scan]\nstorefornt=['site']\n").unwrap();
        let e = ScanConfig::read(&f).unwrap_err().to_string();
        assert!(e.contains("storefornt"), "{e}");
    }
}
