//! The audit crate's error type.

use std::path::PathBuf;

use synthgov_ledger::LedgerError;
use synthgov_registry::RegistryError;

#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("signed note: {0}")]
    Note(String),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

impl PackError {
    pub fn is_bad_input(&self) -> bool {
        match self {
            PackError::BadRequest(_) => true,
            PackError::Registry(e) => e.is_bad_input(),
            PackError::Ledger(e) => e.is_bad_input(),
            _ => false,
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> PackError {
        PackError::Io {
            path: path.into(),
            source,
        }
    }
}
