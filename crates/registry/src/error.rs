//! The registry's error type; [`RegistryError::is_bad_input`] picks exit code 2 over 3.

use std::path::PathBuf;

use synthgov_ledger::{LedgerError, StoreError};
use synthgov_store::HomeError;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The user's file is wrong: names the file, the line when known, and the problem.
    #[error("{file}{}: {message}", line.map(|l| format!(": line {l}")).unwrap_or_default())]
    BadFile {
        file: String,
        line: Option<usize>,
        message: String,
    },
    #[error("{0}")]
    BadRequest(String),
    /// An outside caller named a type that only synthgov's own write paths append.
    #[error(
        "type: {kind:?} is in the {namespace}.* namespace, which synthgov records itself; report store events under a namespace of your own, e.g. \"magento.{}\", \"shopify.…\" or \"ext.…\"",
        kind.replace('.', "_")
    )]
    Reserved {
        kind: String,
        namespace: &'static str,
    },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{action} refused for {actor}: {reason}")]
    Denied {
        actor: String,
        action: String,
        reason: String,
    },
    /// A projection row disagrees with the log (someone edited the database).
    #[error(
        "integrity: {0}; `synthgov verify` names every such row, `synthgov rebuild` repairs them"
    )]
    Tampered(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Home(#[from] HomeError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl RegistryError {
    pub fn is_bad_input(&self) -> bool {
        match self {
            RegistryError::BadFile { .. }
            | RegistryError::BadRequest(_)
            | RegistryError::Reserved { .. }
            | RegistryError::NotFound(_) => true,
            RegistryError::Ledger(e) => e.is_bad_input(),
            RegistryError::Home(e) => e.is_bad_input(),
            _ => false,
        }
    }

    pub fn bad_file(file: &str, line: Option<usize>, message: impl Into<String>) -> Self {
        RegistryError::BadFile {
            file: file.to_owned(),
            line,
            message: message.into(),
        }
    }
}
