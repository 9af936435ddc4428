//! The ledger's error type. Each variant says whether it is the caller's input
//! ([`LedgerError::is_bad_input`], exit 2) or the environment (exit 3).

use crate::checkpoint::CheckpointError;
use crate::key::KeyError;
use crate::merkle::ProofError;
use crate::storage::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// A bulk input line was refused; nothing was appended.
    #[error("line {line}: {problem}; nothing was appended")]
    BadLine { line: u64, problem: String },
    /// A bulk input line names a type the caller may not append.
    #[error("line {line}: {problem}; nothing was appended")]
    Refused {
        line: u64,
        kind: String,
        problem: String,
    },
    /// An event was refused; nothing was appended.
    #[error("{0}; nothing was appended")]
    BadEvent(#[from] synthgov_core::EventError),
    #[error("index {index} is out of range: the log has {size} entries (0..{size})")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("size {requested} is larger than the log ({size} entries)")]
    SizeTooLarge { requested: u64, size: u64 },
    #[error("{0}")]
    BadRequest(String),
    #[error("reading input: {0}")]
    Input(std::io::Error),
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Proof(#[from] ProofError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl LedgerError {
    /// True when the caller can fix this by changing the input (exit code 2).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            LedgerError::BadLine { .. }
                | LedgerError::Refused { .. }
                | LedgerError::BadEvent(_)
                | LedgerError::IndexOutOfRange { .. }
                | LedgerError::SizeTooLarge { .. }
                | LedgerError::BadRequest(_)
                | LedgerError::Checkpoint(_)
        )
    }
}
