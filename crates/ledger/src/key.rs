//! The ledger's Ed25519 signing key and its C2SP signed-note encodings.
//!
//! - private key file: the signed-note "skey" form,
//!   `PRIVATE+KEY+<name>+<8 hex key hash>+<base64(0x01 || 32-byte seed)>`
//!   (the format Go's `sumdb/note` reads), written once by `synthgov init`;
//! - verifier key: `<name>+<8 hex key hash>+<base64(0x01 || public key)>`
//!   (`shared/spec/ledger.md`, Checkpoints);
//! - key hash = first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key).
//!
//! The name inside the file is the one it was created with; the key can sign under
//! another configured name, since the key hash is recomputed from the name in use.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};

const ALG_ED25519: u8 = 0x01;

/// Why a key or key name was refused.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("malformed private key (expected PRIVATE+KEY+<name>+<id>+<base64>)")]
    MalformedPrivateKey,
    #[error("private key's id does not match its name and public key")]
    IdMismatch,
    #[error("invalid key name {0:?}: it must be non-empty, without spaces or '+'")]
    BadName(String),
    #[error("malformed verifier key {0:?}")]
    MalformedVerifierKey(String),
}

/// An Ed25519 ledger key.
#[derive(Clone)]
pub struct LedgerKey {
    signing: SigningKey,
}

impl LedgerKey {
    /// A fresh key from the operating system's CSPRNG.
    pub fn generate() -> LedgerKey {
        LedgerKey {
            signing: SigningKey::generate(&mut rand::rngs::OsRng),
        }
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// The skey text stored in the private key file.
    pub fn to_skey(&self, name: &str) -> Result<String, KeyError> {
        check_name(name)?;
        let mut payload = vec![ALG_ED25519];
        payload.extend_from_slice(&self.signing.to_bytes());
        Ok(format!(
            "PRIVATE+KEY+{name}+{:08x}+{}",
            key_hash(name, &self.verifying_key()),
            BASE64.encode(payload)
        ))
    }

    /// Reads skey text, checking that its id matches its name and key.
    pub fn from_skey(text: &str) -> Result<LedgerKey, KeyError> {
        let text = text.trim_end_matches(['\n', '\r']);
        let mut parts = text.splitn(5, '+');
        let (Some("PRIVATE"), Some("KEY"), Some(name), Some(id), Some(b64)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(KeyError::MalformedPrivateKey);
        };
        let id = u32::from_str_radix(id, 16).map_err(|_| KeyError::MalformedPrivateKey)?;
        let payload = BASE64
            .decode(b64)
            .map_err(|_| KeyError::MalformedPrivateKey)?;
        let [ALG_ED25519, seed @ ..] = payload.as_slice() else {
            return Err(KeyError::MalformedPrivateKey);
        };
        let seed: [u8; 32] = seed.try_into().map_err(|_| KeyError::MalformedPrivateKey)?;
        let key = LedgerKey {
            signing: SigningKey::from_bytes(&seed),
        };
        if key_hash(name, &key.verifying_key()) != id {
            return Err(KeyError::IdMismatch);
        }
        Ok(key)
    }

    /// The verifier key line for `name`.
    pub fn vkey(&self, name: &str) -> Result<String, KeyError> {
        check_name(name)?;
        Ok(signed_note::new_ed25519_verifier_key(
            name,
            &self.verifying_key(),
        ))
    }

    /// A signed-note signer under `name`.
    pub fn signer(&self, name: &str) -> Result<NoteSigner, KeyError> {
        check_name(name)?;
        Ok(NoteSigner {
            name: name.to_owned(),
            id: key_hash(name, &self.verifying_key()),
            key: self.signing.clone(),
        })
    }
}

/// first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key), C2SP signed-note.
pub fn key_hash(name: &str, key: &VerifyingKey) -> u32 {
    let mut encoded = vec![ALG_ED25519];
    encoded.extend_from_slice(key.as_bytes());
    signed_note::key_id(name, &encoded)
}

fn check_name(name: &str) -> Result<(), KeyError> {
    if signed_note::is_key_name_valid(name) {
        Ok(())
    } else {
        Err(KeyError::BadName(name.to_owned()))
    }
}

/// Signs note text with the ledger key under a chosen name.
pub struct NoteSigner {
    name: String,
    id: u32,
    key: SigningKey,
}

impl signed_note::Signer for NoteSigner {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.id
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, ed25519_dalek::SignatureError> {
        Ok(self.key.sign(msg).to_bytes().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skey_round_trips_and_binds_the_name() {
        let key = LedgerKey::generate();
        let skey = key.to_skey("synthgov.local/abc").unwrap();
        let back = LedgerKey::from_skey(&skey).unwrap();
        assert_eq!(back.verifying_key(), key.verifying_key());
        let tampered = skey.replacen("synthgov.local/abc", "synthgov.local/abd", 1);
        assert!(matches!(
            LedgerKey::from_skey(&tampered),
            Err(KeyError::IdMismatch)
        ));
        assert!(LedgerKey::from_skey("PRIVATE+KEY+x").is_err());
        assert!(key.vkey("has space").is_err());
    }

    // The Go test key from shared/testdata/checkpoint: our skey reader and vkey writer
    // agree with golang.org/x/mod/sumdb/note.
    #[test]
    fn go_test_key_matches() {
        let skey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
        let key = LedgerKey::from_skey(skey).unwrap();
        assert_eq!(
            key.vkey("PeterNeumann").unwrap(),
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
        );
        assert_eq!(key.to_skey("PeterNeumann").unwrap(), skey);
    }
}
