//! `MANIFEST`: a C2SP signed-note signed with the ledger key. Its body is
//!
//! ```text
//! synthgov audit pack v1
//! <origin>
//! <sha256 hex>  <path>
//! ...
//! ```
//!
//! The file lines are the format `sha256sum -c` reads, so an auditor can check the
//! files with coreutils and the signature with any signed-note verifier.

use signed_note::{Note, StandardVerifier, VerifierList};
use synthgov_ledger::LedgerKey;

use crate::error::PackError;

pub const MAGIC: &str = "synthgov audit pack v1";

/// A manifest whose signature has been checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    pub origin: String,
    /// (path relative to the pack, sha256 hex), in the order listed.
    pub files: Vec<(String, String)>,
}

/// The note body for `files`.
pub fn body(origin: &str, files: &[(String, String)]) -> String {
    let mut s = format!("{MAGIC}\n{origin}\n");
    for (path, sha) in files {
        s.push_str(sha);
        s.push_str("  ");
        s.push_str(path);
        s.push('\n');
    }
    s
}

/// Signs `body` as a signed note under `key_name`.
pub fn sign(body: &str, key: &LedgerKey, key_name: &str) -> Result<String, PackError> {
    let mut note = Note::new(body.as_bytes(), &[]).map_err(|e| PackError::Note(e.to_string()))?;
    let signer = key
        .signer(key_name)
        .map_err(|e| PackError::Note(e.to_string()))?;
    note.add_sigs(&[&signer])
        .map_err(|e| PackError::Note(e.to_string()))?;
    String::from_utf8(note.to_bytes()).map_err(|e| PackError::Note(e.to_string()))
}

/// Checks the signature with `vkey` and parses the body. Errors say what is wrong,
/// for `verify-pack` to name.
pub fn open(text: &[u8], vkey: &str) -> Result<Manifest, String> {
    let note = Note::from_bytes(text).map_err(|e| format!("not a signed note: {e}"))?;
    let verifier =
        StandardVerifier::new(vkey).map_err(|_| format!("malformed verifier key {vkey:?}"))?;
    note.verify(&VerifierList::new(vec![Box::new(verifier)]))
        .map_err(|e| format!("signature does not verify with key {vkey}: {e}"))?;
    parse_body(note.text())
}

fn parse_body(text: &[u8]) -> Result<Manifest, String> {
    let text = std::str::from_utf8(text).map_err(|_| "body is not UTF-8".to_string())?;
    let mut lines = text.lines();
    if lines.next() != Some(MAGIC) {
        return Err(format!("line 1: expected {MAGIC:?}"));
    }
    let origin = lines
        .next()
        .filter(|o| !o.is_empty())
        .ok_or("line 2: expected the log origin")?
        .to_owned();
    let mut files = Vec::new();
    for (n, line) in lines.enumerate() {
        let (sha, path) = line
            .split_once("  ")
            .filter(|(s, p)| {
                s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) && !p.is_empty()
            })
            .ok_or_else(|| format!("line {}: expected \"<sha256>  <path>\"", n + 3))?;
        if path.starts_with('/') || path.split('/').any(|c| c == ".." || c.is_empty()) {
            return Err(format!("line {}: path {path:?} leaves the pack", n + 3));
        }
        files.push((path.to_owned(), sha.to_ascii_lowercase()));
    }
    Ok(Manifest { origin, files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_open_and_refuse() {
        let key = LedgerKey::generate();
        let files = vec![("index.html".to_string(), "ab".repeat(32))];
        let note = sign(&body("example.org/log", &files), &key, "example.org/log").unwrap();
        let vkey = key.vkey("example.org/log").unwrap();
        let m = open(note.as_bytes(), &vkey).unwrap();
        assert_eq!(m.origin, "example.org/log");
        assert_eq!(m.files, files);
        let other = LedgerKey::generate().vkey("example.org/log").unwrap();
        assert!(
            open(note.as_bytes(), &other)
                .unwrap_err()
                .contains("signature")
        );
        let edited = note.replace("index.html", "index.htm");
        assert!(open(edited.as_bytes(), &vkey).is_err());
        assert!(parse_body(b"synthgov audit pack v1\no\nxyz  a\n").is_err());
        assert!(
            parse_body(format!("{MAGIC}\no\n{}  ../etc/passwd\n", "a".repeat(64)).as_bytes())
                .is_err()
        );
    }
}
