//! synthgov-registry: what synthetic data and AI-generated content a store has, where
//! it came from, and which rules apply. Contract: `shared/spec/inventory.md`.
//!
//! - [`registry`]: the one write path (authorize, append, project, one transaction)
//!   and reads of the projections;
//! - [`model`], [`parse`]: the inventory YAML and its validation;
//! - [`apply`]: declarative apply with a diff, idempotent;
//! - [`register`]: content files as assets, dataset versions;
//! - [`classify`]: regulatory classification from a shipped rules file, over the
//!   [`facts`] the inventory gives and the application [`dates`];
//! - [`assessment`]: intake answers, approvals, reassessment when things change;
//! - [`lineage`]: the provenance graph and its renderings;
//! - [`incident`]: incidents and their regulatory notification clocks;
//! - [`tokens`], [`policy`]: the server's bearer tokens and Cedar authorization;
//! - [`catalogue`]: every event type synthgov writes; [`projection`]: the projection
//!   each implies; [`replay`]: the projections recomputed from the log and compared.

pub mod apply;
pub mod assessment;
pub mod catalogue;
pub mod classify;
pub mod dates;
pub mod error;
pub mod export;
pub mod facts;
pub mod flags;
pub mod import;
pub mod incident;
pub mod integrity;
pub mod lineage;
pub mod model;
pub mod model_card;
pub mod parse;
pub mod policy;
pub mod projection;
pub mod register;
pub mod registry;
pub mod replay;
pub mod tokens;

pub use catalogue::EventType;
pub use error::RegistryError;
pub use registry::{Actor, Change, ExternalEvent, Registry};
