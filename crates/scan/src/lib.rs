//! synthgov-scan: the scanners behind `synthgov scan` and the CI gate. Scanners return
//! findings (`synthgov_core::finding`); renderers turn a report into text, JSON
//! (`shared/spec/findings.md`) or SARIF 2.1.0. Nothing here prints.
//!
//! - [`rules`]: the rule catalog (shipped as data) and the store's overrides;
//! - [`html`], [`media`]: what a page and an image file say;
//! - [`storefront`]: saved pages and live stores (SG-DISC-*, SG-MARK-*);
//! - [`known`]: registered assets as scanners look them up;
//! - [`sarif`], [`text`]: renderers.

pub mod charset;
pub mod config;
pub mod crawl;
mod db;
pub mod governance;
pub mod html;
pub mod known;
pub mod media;
pub mod platform;
pub mod rules;
pub mod sarif;
mod script_media;
pub mod segregation;
pub mod storefront;
pub mod text;
pub mod transport;
pub mod tree_rules;

/// Every rule id the scanners emit (checked against the catalog by a test).
pub const RULE_IDS: [&str; 19] = [
    "SG-DISC-001",
    "SG-DISC-002",
    "SG-DISC-003",
    "SG-DISC-004",
    "SG-DISC-005",
    "SG-MARK-001",
    "SG-MARK-002",
    "SG-SEG-001",
    "SG-SEG-002",
    "SG-TLS-001",
    "SG-TLS-002",
    "SG-ACL-001",
    "SG-GOV-001",
    "SG-GOV-002",
    "SG-GOV-003",
    "SG-GOV-004",
    "SG-GOV-005",
    "SG-GOV-006",
    "SG-GOV-007",
];
