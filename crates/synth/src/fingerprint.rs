//! Finding generated rows again after they leak.
//!
//! - Marker: a column (default `synthgov_marker`) holding
//!   `sg1.<version token>.<row>.<tag>`, where tag = the first 8 bytes of
//!   HMAC-SHA256(store secret, "sg1" || token || row), hex. Only the store's secret can
//!   tell a real marker from a forged one, and the token names the dataset version.
//! - Fingerprint: when the marker column is dropped, the row's identifying values
//!   (per entity: the email of a customer, the transaction id of a payment...) are
//!   hashed with the secret, SHA-256(secret || entity || 0x00 || values), and looked up
//!   in a Bloom filter kept per dataset version. The filter is sized for a false-positive
//!   rate of [`FALSE_POSITIVE_RATE`] per row looked up.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Per-row false-positive rate of the fingerprint filters.
pub const FALSE_POSITIVE_RATE: f64 = 1e-6;

/// The store's marking secret.
#[derive(Clone)]
pub struct Keys {
    secret: [u8; 32],
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

impl Keys {
    pub fn new(secret: [u8; 32]) -> Keys {
        Keys { secret }
    }

    fn tag(&self, token: &str, row: u64) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.secret).expect("HMAC takes any key length");
        mac.update(b"sg1");
        mac.update(token.as_bytes());
        mac.update(&row.to_be_bytes());
        hex::encode(&mac.finalize().into_bytes()[..8])
    }

    /// The marker of row `row` (1-based) of the dataset version named by `token`.
    pub fn marker(&self, token: &str, row: u64) -> String {
        format!("sg1.{token}.{row}.{}", self.tag(token, row))
    }

    /// (token, row) when `s` is a marker made with this secret.
    pub fn check_marker(&self, s: &str) -> Option<(String, u64)> {
        let mut parts = s.trim().split('.');
        let (Some("sg1"), Some(token), Some(row), Some(tag), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let row: u64 = row.parse().ok()?;
        // Constant-time comparison through the MAC's own verify.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.secret).ok()?;
        mac.update(b"sg1");
        mac.update(token.as_bytes());
        mac.update(&row.to_be_bytes());
        let want = hex::decode(tag).ok()?;
        mac.verify_truncated_left(&want).ok()?;
        (want.len() == 8).then(|| (token.to_owned(), row))
    }

    /// Keyed fingerprint of a row's identifying values (joined by 0x1f).
    pub fn fingerprint(&self, entity: &str, ident: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.secret);
        h.update(entity.as_bytes());
        h.update([0]);
        h.update(ident.trim().as_bytes());
        h.finalize().into()
    }
}

/// The token naming a dataset version inside markers.
pub fn version_token(dataset: &str, version: u64) -> String {
    hex::encode(&Sha256::digest(format!("{dataset}@{version}").as_bytes())[..4])
}

/// A Bloom filter over 32-byte keyed hashes (double hashing, Kirsch-Mitzenmacher).
#[derive(Debug, Clone)]
pub struct Bloom {
    words: Vec<u64>,
    bits: u64,
    hashes: u32,
    items: u64,
}

impl Bloom {
    /// Sized for `n` items at false-positive rate `p`: m = -n ln p / (ln 2)^2 bits,
    /// k = (m / n) ln 2 hashes.
    pub fn for_items(n: u64, p: f64) -> Bloom {
        let ln2 = std::f64::consts::LN_2;
        let bits = ((-(n as f64) * p.ln()) / (ln2 * ln2)).ceil().max(64.0) as u64;
        let hashes = (((bits as f64) / (n as f64)) * ln2)
            .round()
            .clamp(1.0, 30.0) as u32;
        Bloom {
            words: vec![0; bits.div_ceil(64) as usize],
            bits,
            hashes,
            items: 0,
        }
    }

    fn indexes(&self, h: &[u8; 32]) -> impl Iterator<Item = u64> + '_ {
        let h1 = u64::from_le_bytes(h[0..8].try_into().expect("8 bytes"));
        let h2 = u64::from_le_bytes(h[8..16].try_into().expect("8 bytes")) | 1;
        (0..self.hashes as u64).map(move |i| h1.wrapping_add(i.wrapping_mul(h2)) % self.bits)
    }

    pub fn insert(&mut self, h: &[u8; 32]) {
        let idx: Vec<u64> = self.indexes(h).collect();
        for i in idx {
            self.words[(i / 64) as usize] |= 1 << (i % 64);
        }
        self.items += 1;
    }

    pub fn contains(&self, h: &[u8; 32]) -> bool {
        self.indexes(h)
            .all(|i| self.words[(i / 64) as usize] & (1 << (i % 64)) != 0)
    }

    pub fn bits(&self) -> u64 {
        self.bits
    }
    pub fn hashes(&self) -> u32 {
        self.hashes
    }
    pub fn items(&self) -> u64 {
        self.items
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        self.words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    pub fn from_parts(bytes: &[u8], bits: u64, hashes: u32, items: u64) -> Option<Bloom> {
        if bytes.len() as u64 != bits.div_ceil(64) * 8 || hashes == 0 || bits == 0 {
            return None;
        }
        Some(Bloom {
            words: bytes
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
                .collect(),
            bits,
            hashes,
            items,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_verify_only_with_the_secret() {
        let k = Keys::new([7; 32]);
        let m = k.marker("ab12cd34", 42);
        assert_eq!(k.check_marker(&m), Some(("ab12cd34".into(), 42)));
        assert_eq!(Keys::new([8; 32]).check_marker(&m), None);
        let forged = m.replace(".42.", ".43.");
        assert_eq!(k.check_marker(&forged), None);
        assert_eq!(k.check_marker("sg1.x.1"), None);
    }

    #[test]
    fn bloom_false_positive_rate_is_as_stated() {
        let k = Keys::new([1; 32]);
        let n = 200_000u64;
        let mut b = Bloom::for_items(n, 1e-4);
        for i in 0..n {
            b.insert(&k.fingerprint("customers", &format!("user{i}@example.com")));
        }
        for i in 0..n {
            assert!(b.contains(&k.fingerprint("customers", &format!("user{i}@example.com"))));
        }
        let trials = 1_000_000u64;
        let fp = (0..trials)
            .filter(|i| b.contains(&k.fingerprint("customers", &format!("other{i}@gmail.com"))))
            .count();
        // Expected 100 at p = 1e-4; allow a generous statistical margin.
        assert!(fp < 200, "{fp} false positives in {trials}");
        let back = Bloom::from_parts(&b.to_bytes(), b.bits(), b.hashes(), b.items()).unwrap();
        assert!(back.contains(&k.fingerprint("customers", "user5@example.com")));
    }
}
