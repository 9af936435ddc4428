//! Exit codes, everywhere (`shared/DESIGN.md`, Home, config, exit codes):
//! 0 success; 1 a check failed; 2 bad usage or bad input; 3 environment or internal.

use synthgov_ledger::{LedgerError, StoreError};
use synthgov_store::HomeError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    CheckFailed = 1,
    BadInput = 2,
    Environment = 3,
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}

/// An error with the exit code it deserves.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub error: anyhow::Error,
}

impl Failure {
    pub fn bad_input(error: impl Into<anyhow::Error>) -> Failure {
        Failure {
            exit: Exit::BadInput,
            error: error.into(),
        }
    }
    pub fn environment(error: impl Into<anyhow::Error>) -> Failure {
        Failure {
            exit: Exit::Environment,
            error: error.into(),
        }
    }
}

impl From<LedgerError> for Failure {
    fn from(e: LedgerError) -> Failure {
        let exit = if e.is_bad_input() {
            Exit::BadInput
        } else {
            Exit::Environment
        };
        Failure {
            exit,
            error: e.into(),
        }
    }
}

impl From<HomeError> for Failure {
    fn from(e: HomeError) -> Failure {
        let exit = if e.is_bad_input() {
            Exit::BadInput
        } else {
            Exit::Environment
        };
        Failure {
            exit,
            error: e.into(),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        Failure::environment(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::environment(e)
    }
}

impl From<synthgov_registry::RegistryError> for Failure {
    fn from(e: synthgov_registry::RegistryError) -> Failure {
        let exit = match &e {
            synthgov_registry::RegistryError::Denied { .. }
            | synthgov_registry::RegistryError::Tampered(_) => Exit::CheckFailed,
            e if e.is_bad_input() => Exit::BadInput,
            _ => Exit::Environment,
        };
        Failure {
            exit,
            error: e.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_documented_integers() {
        assert_eq!(Exit::Ok as u8, 0);
        assert_eq!(Exit::CheckFailed as u8, 1);
        assert_eq!(Exit::BadInput as u8, 2);
        assert_eq!(Exit::Environment as u8, 3);
    }

    #[test]
    fn input_errors_map_to_2_and_store_errors_to_3() {
        let f: Failure = LedgerError::IndexOutOfRange { index: 5, size: 3 }.into();
        assert_eq!(f.exit, Exit::BadInput);
        let f: Failure = LedgerError::Store(StoreError::Database("down".into())).into();
        assert_eq!(f.exit, Exit::Environment);
    }
}
