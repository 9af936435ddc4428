//! synthgov-synth: governed synthetic data for e-commerce and telehealth stores.
//!
//! - [`generate`]: built-in generators for customers, orders, order items, payments,
//!   reviews, patients and appointments: deterministic for a seed, streaming with
//!   bounded memory, parallel;
//! - [`safe`]: the reserved ranges that make generated data safe by construction
//!   (RFC 2606 / 6761 emails, fiction phone ranges, processor test cards) and the
//!   checks that recognise real-looking personal data;
//! - [`fingerprint`]: keyed row markers and fingerprint filters to find rows again;
//! - [`detect`]: finding generated rows in a file;
//! - [`store`]: a whole store whose orders add up, with labelled fraud patterns.
//!
//! No printing and no storage here: the CLI and the registry do that.

pub mod attacks;
pub mod clinical;
pub mod copula;
pub mod detect;
pub mod entity;
pub mod fingerprint;
pub mod generate;
pub mod governed;
pub mod logistic;
pub mod normalize;
#[cfg(feature = "parquet")]
pub mod parquet_out;
pub mod people;
pub mod quality;
pub mod related;
pub mod report_html;
pub mod row;
pub mod safe;
pub mod store;
pub mod table;
pub mod vocab;
