//! Recording a platform catalog (Magento, Shopify) in the inventory: every published
//! description and image becomes an asset, marked AI-generated or not as the store
//! says. Re-importing an unchanged catalog adds nothing.

use serde::Serialize;
use serde_json::json;
use synthgov_platform::Catalog;

use crate::error::RegistryError;
use crate::register::asset_change;
use crate::registry::{Actor, AssetRow, Registry};

#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportCounts {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// Records `catalog` from `platform` (`magento` or `shopify`). `generator` names the
/// inventory generator behind the AI-generated content, when known.
pub fn record_catalog(
    reg: &mut Registry,
    actor: &Actor,
    platform: &str,
    catalog: &Catalog,
    generator: Option<&str>,
) -> Result<ImportCounts, RegistryError> {
    crate::register::require_declared(reg, generator, None, |f| format!("--{f}"))?;
    let product_key = if platform == "shopify" {
        "handle"
    } else {
        "sku"
    };
    let mut counts = ImportCounts::default();
    let mut changes = Vec::new();
    for a in &catalog.assets {
        let row = AssetRow {
            uri: a.uri.clone(),
            sha256: a.sha256.clone(),
            kind: a.kind.to_owned(),
            generator: if a.ai_generated {
                generator.map(str::to_owned)
            } else {
                None
            },
            dataset: None,
            surface: Some("storefront".into()),
            platform: Some(platform.to_owned()),
            ai_generated: a.ai_generated,
            bytes: None,
            attrs: json!({product_key: a.product, "attribute": a.attribute, "store_id": a.store_id}),
        };
        match reg.asset(&row.uri)? {
            Some(existing) if existing == row => counts.unchanged += 1,
            Some(_) => {
                counts.updated += 1;
                changes.push(asset_change(&row, true));
            }
            None => {
                counts.new += 1;
                changes.push(asset_change(&row, false));
            }
        }
    }
    if !changes.is_empty() {
        reg.commit(actor, crate::policy::Action::RegisterAsset, changes)?;
    }
    Ok(counts)
}
