//! synthgov-platform: reading what a store publishes, from the platform's own records.
//!
//! - [`magento`]: a Magento 2 / Adobe Commerce database (MySQL/MariaDB, EAV): product
//!   descriptions and media gallery images, with the store's AI-generated flag (a
//!   product attribute, default code `ai_generated`) per store view;
//! - [`shopify`]: the Shopify product CSV export and Admin API product JSON, with the
//!   `synthgov` metafield namespace marking AI-generated content.
//!
//! Both return [`CatalogAsset`]s: plain data, recorded by the registry.

pub mod magento;
pub mod shopify;

use serde::Serialize;

/// One piece of published content: a description or an image of one product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogAsset {
    /// Magento SKU or Shopify handle.
    pub product: String,
    /// `text` or `image`.
    pub kind: &'static str,
    /// Where it lives: `description`, `short_description`, `body_html`, `media_gallery`, `image`.
    pub attribute: String,
    /// Magento store view (0 = default); 0 for Shopify.
    pub store_id: u32,
    pub ai_generated: bool,
    /// SHA-256 of the normalized text, or of the image file; `None` when the image
    /// bytes are not at hand.
    pub sha256: Option<String>,
    /// The image path or URL; for text, `magento://<sku>/<attribute>?store=<id>` or
    /// `shopify://<handle>/<attribute>`.
    pub uri: String,
    /// The disclosure label the store shows with it (Shopify metafield
    /// `synthgov.disclosure`); read by the scanner, not part of the import contract.
    #[serde(skip)]
    pub disclosure: Option<String>,
    /// The line of the export file that declares it (Shopify CSV or JSON), so a
    /// finding can point into the file; `None` for database rows.
    #[serde(skip)]
    pub line: Option<u64>,
}

/// A catalog read from a platform.
#[derive(Debug, Clone, Serialize)]
pub struct Catalog {
    pub products: u64,
    pub assets: Vec<CatalogAsset>,
    /// What could not be read but did not stop the import (a missing image file...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// The input file is wrong; names file, line and field.
    #[error("{file}{}: {message}", line.map(|l| format!(": line {l}")).unwrap_or_default())]
    BadFile {
        file: String,
        line: Option<u64>,
        message: String,
    },
    #[error("{0}")]
    BadRequest(String),
    /// The database could not be reached or queried.
    #[error("database {url}: {message}")]
    Database { url: String, message: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl PlatformError {
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            PlatformError::BadFile { .. } | PlatformError::BadRequest(_)
        )
    }
}

/// Parses an "AI generated" value as stores write it: 1/0, true/false, yes/no.
pub fn truthy(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "y" | "on"
    )
}
