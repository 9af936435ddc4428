//! Checkpoints: a C2SP tlog-checkpoint body inside a C2SP signed-note, Ed25519.
//!
//! Wire format (`shared/spec/ledger.md`, Checkpoints), by example:
//!
//! ```text
//! synthgov.local/3f9c0e1a
//! 1042
//! 0qBq3S8Zb5b8gY3tKp9G0vVf3k6o6m7sQmJ3v1mYw1Y=
//!
//! — synthgov.local/3f9c0e1a AbCd...base64(4-byte key hash || 64-byte signature)
//! ```
//!
//! The signed message is the three body lines, each ending in `\n`. Parsing is strict
//! (`tlog_tiles::checkpoint`): a size that does not print back to the same digits or a
//! root that is not 32 bytes of standard base64 is malformed. We emit no extension
//! lines; we accept and ignore them when reading, as tlog-checkpoint allows.

use crate::hash::{Hash, to_base64};
use crate::key::{KeyError, LedgerKey};
use signed_note::{Note, StandardVerifier, VerifierList};

/// A checkpoint whose signature has been checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    /// The full signed note, exactly as written or read.
    pub note: String,
}

/// Why a checkpoint was refused.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("malformed signed note: {0}")]
    MalformedNote(String),
    #[error("malformed checkpoint body (expected origin, decimal size, base64 root)")]
    MalformedBody,
    #[error("signature does not verify with key {key}: {reason}")]
    BadSignature { key: String, reason: String },
    #[error("checkpoint is for origin {found:?}, this log is {expected:?}")]
    WrongOrigin { found: String, expected: String },
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// Formats and signs the checkpoint for a tree of `size` leaves with root `root`.
pub fn sign(
    origin: &str,
    size: u64,
    root: Hash,
    key: &LedgerKey,
    key_name: &str,
) -> Result<Checkpoint, CheckpointError> {
    let body = format!("{origin}\n{size}\n{}\n", to_base64(&root));
    let mut note = Note::new(body.as_bytes(), &[])
        .map_err(|e| CheckpointError::MalformedNote(e.to_string()))?;
    let signer = key.signer(key_name)?;
    note.add_sigs(&[&signer])
        .map_err(|e| CheckpointError::MalformedNote(e.to_string()))?;
    let note = String::from_utf8(note.to_bytes()).expect("note text is UTF-8");
    Ok(Checkpoint {
        origin: origin.to_owned(),
        size,
        root,
        note,
    })
}

/// Parses `text` as a signed checkpoint, checks its signature against `vkey`, and
/// that its origin is `origin`.
pub fn open(text: &[u8], vkey: &str, origin: &str) -> Result<Checkpoint, CheckpointError> {
    let note = Note::from_bytes(text).map_err(|e| CheckpointError::MalformedNote(e.to_string()))?;
    let verifier =
        StandardVerifier::new(vkey).map_err(|_| KeyError::MalformedVerifierKey(vkey.to_owned()))?;
    let verifiers = VerifierList::new(vec![Box::new(verifier)]);
    note.verify(&verifiers)
        .map_err(|e| CheckpointError::BadSignature {
            key: vkey.to_owned(),
            reason: e.to_string(),
        })?;
    let body = tlog_tiles::checkpoint::Checkpoint::from_bytes(note.text())
        .map_err(|_| CheckpointError::MalformedBody)?;
    if body.origin() != origin {
        return Err(CheckpointError::WrongOrigin {
            found: body.origin().to_owned(),
            expected: origin.to_owned(),
        });
    }
    Ok(Checkpoint {
        origin: body.origin().to_owned(),
        size: body.size(),
        root: *body.hash(),
        note: String::from_utf8_lossy(text).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    #[test]
    fn sign_then_open() {
        let key = LedgerKey::generate();
        let origin = "synthgov.local/test";
        let cp = sign(origin, 7, leaf_hash(b"x"), &key, origin).unwrap();
        let lines: Vec<&str> = cp.note.split('\n').collect();
        assert_eq!(lines[0], origin);
        assert_eq!(lines[1], "7");
        assert_eq!(lines[3], "");
        assert!(lines[4].starts_with("\u{2014} synthgov.local/test "));
        let vkey = key.vkey(origin).unwrap();
        assert_eq!(open(cp.note.as_bytes(), &vkey, origin).unwrap(), cp);

        let other = LedgerKey::generate().vkey(origin).unwrap();
        assert!(matches!(
            open(cp.note.as_bytes(), &other, origin),
            Err(CheckpointError::BadSignature { .. })
        ));
        assert!(matches!(
            open(cp.note.as_bytes(), &vkey, "synthgov.local/other"),
            Err(CheckpointError::WrongOrigin { .. })
        ));
        let forged = cp.note.replacen("\n7\n", "\n8\n", 1);
        assert!(open(forged.as_bytes(), &vkey, origin).is_err());
    }
}
