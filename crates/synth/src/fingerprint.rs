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
//! - Fingerprint sets (scheme 2, the built-in generators and the store): each row gets
//!   one fingerprint per *set* of identifying columns ([`PrintSpec`]), over the
//!   columns' canonical values ([`crate::normalize`]), so that case, Unicode,
//!   white-space, rounding and timestamp-format edits change nothing, and dropping or
//!   renaming columns leaves the sets that do not need them. The filter holds every
//!   set's fingerprint and is sized for [`FALSE_POSITIVE_RATE`] / sets per lookup, so
//!   a row checked against all its sets stays within the stated rate.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::normalize::{Kind, normalize};

/// Per-row false-positive rate of the fingerprint filters.
pub const FALSE_POSITIVE_RATE: f64 = 1e-6;

/// The store's marking secret.
#[derive(Clone)]
pub struct Keys {
    secret: [u8; 32],
    /// HMAC keyed once: each marker clones it instead of hashing the key pads again.
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

impl Keys {
    pub fn new(secret: [u8; 32]) -> Keys {
        Keys {
            secret,
            mac: <Hmac<Sha256> as Mac>::new_from_slice(&secret).expect("HMAC takes any key length"),
        }
    }

    fn tag(&self, token: &str, row: u64) -> String {
        let mut mac = self.mac.clone();
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
        let mut mac = self.mac.clone();
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

impl Keys {
    /// Keyed fingerprint of set `set` of a row's identifying values (scheme 2), over
    /// the values' canonical forms.
    fn canonical_set_print<'v>(
        &self,
        entity: &str,
        set: usize,
        canonical: impl Iterator<Item = &'v str>,
    ) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.secret);
        h.update(b"sg2");
        h.update(entity.as_bytes());
        h.update([0, set as u8]);
        for v in canonical {
            h.update(v.as_bytes());
            h.update([0x1f]);
        }
        h.finalize().into()
    }

    /// Whether `s`, as an export may have changed it (case, padding, quotes), holds a
    /// marker made with this secret: (token, row).
    pub fn find_marker(&self, s: &str) -> Option<(String, u64)> {
        let t = s.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        // `get`: a field may hold any text, and byte 4 need not be a char boundary.
        if !t.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("sg1.")) {
            return None;
        }
        self.check_marker(&t.to_ascii_lowercase())
    }
}

/// How a table's rows are fingerprinted in scheme 2: its identifying columns (roles)
/// with their kinds, and the sets of roles that each make one fingerprint. Every set
/// is chosen to identify a generated row on its own (a random id, an email, a time
/// to the minute with an id), so that real rows do not collide with it by chance.
#[derive(Debug, Clone, Copy)]
pub struct PrintSpec {
    pub roles: &'static [(&'static str, Kind)],
    pub sets: &'static [&'static [usize]],
}

/// The entity name under which scheme-2 filters are recorded: `sets-v2/<entity>`.
pub const SETS_V2: &str = "sets-v2/";
/// The entity prefix of exact-value filters (fitted models) with enhanced indexing.
pub const EXACT_V2: &str = "exact-v2/";

impl PrintSpec {
    pub fn role_names(&self) -> Vec<&'static str> {
        self.roles.iter().map(|r| r.0).collect()
    }

    /// The `columns` a filter is recorded with: `name:kind` for each role, then
    /// `=i,j` for each set (read back by [`Prints::from_columns`]).
    pub fn columns(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .roles
            .iter()
            .map(|(n, k)| format!("{n}:{}", k.name()))
            .collect();
        for set in self.sets {
            out.push(format!(
                "={}",
                set.iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            ));
        }
        out
    }

    /// The fingerprints of one row, whose role values are `values` (by role).
    pub fn row_prints(
        &self,
        keys: &Keys,
        entity: &str,
        values: &[String],
        out: &mut Vec<[u8; 32]>,
    ) {
        let kinds = self.roles.iter().map(|r| r.1);
        let values = values.iter().map(|v| Some(v.as_str()));
        set_prints(keys, entity, kinds, self.sets, values, |_, p| {
            out.push(p);
            false
        });
    }

    /// A filter for `rows` rows: every set's fingerprint, at the per-lookup rate that
    /// keeps a whole row's lookups within [`FALSE_POSITIVE_RATE`].
    pub fn filter(&self, rows: u64) -> Bloom {
        let sets = self.sets.len().max(1) as u64;
        Bloom::for_items(rows.max(1) * sets, FALSE_POSITIVE_RATE / sets as f64)
    }
}

/// The scheme-2 fingerprints of one row, for generation and detection alike: each
/// set whose roles all have a non-blank value (`values`, by role, of the `kinds`)
/// is printed and passed to `each` with its index, until `each` returns true. Every
/// value is put in canonical form once, however many sets use it.
pub fn set_prints<'v, S: AsRef<[usize]>>(
    keys: &Keys,
    entity: &str,
    kinds: impl Iterator<Item = Kind>,
    sets: &[S],
    values: impl Iterator<Item = Option<&'v str>>,
    mut each: impl FnMut(usize, [u8; 32]) -> bool,
) {
    let canonical: Vec<Option<String>> = values
        .zip(kinds)
        .map(|(v, k)| v.filter(|v| !v.trim().is_empty()).map(|v| normalize(k, v)))
        .collect();
    for (i, set) in sets.iter().enumerate() {
        let set = set.as_ref();
        if !set.iter().all(|&r| canonical[r].is_some()) {
            continue;
        }
        let print = keys.canonical_set_print(
            entity,
            i,
            set.iter()
                .map(|&r| canonical[r].as_deref().expect("checked")),
        );
        if each(i, print) {
            return;
        }
    }
}

/// A scheme-2 fingerprint layout as recorded in the ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct Prints {
    pub roles: Vec<(String, Kind)>,
    pub sets: Vec<Vec<usize>>,
}

impl Prints {
    /// Reads [`PrintSpec::columns`]; None for anything else (a scheme-1 column list).
    pub fn from_columns(columns: &[String]) -> Option<Prints> {
        let mut roles = Vec::new();
        let mut sets = Vec::new();
        for c in columns {
            if let Some(set) = c.strip_prefix('=') {
                let set: Vec<usize> = set
                    .split(',')
                    .map(|i| i.parse().ok())
                    .collect::<Option<_>>()?;
                if set.iter().any(|&i| i >= roles.len()) || set.is_empty() {
                    return None;
                }
                sets.push(set);
            } else {
                let (name, kind) = c.rsplit_once(':')?;
                roles.push((name.to_owned(), Kind::parse(kind)?));
            }
        }
        (!sets.is_empty()).then_some(Prints { roles, sets })
    }
}

/// The token naming a dataset version inside markers.
pub fn version_token(dataset: &str, version: u64) -> String {
    hex::encode(&Sha256::digest(format!("{dataset}@{version}").as_bytes())[..4])
}

/// A [`Bloom`] being filled from several threads at once. Inserting only ever sets
/// bits, so the filled filter is the same whatever order the inserts came in.
pub struct SharedBloom {
    words: Vec<std::sync::atomic::AtomicU64>,
    bits: u64,
    hashes: u32,
    classic: bool,
    items: std::sync::atomic::AtomicU64,
}

impl SharedBloom {
    pub fn new(b: Bloom) -> SharedBloom {
        SharedBloom {
            words: b.words.into_iter().map(Into::into).collect(),
            bits: b.bits,
            hashes: b.hashes,
            classic: b.classic,
            items: b.items.into(),
        }
    }

    pub fn insert(&self, h: &[u8; 32]) {
        use std::sync::atomic::Ordering::Relaxed;
        for i in indexes(self.bits, self.hashes, self.classic, h) {
            self.words[(i / 64) as usize].fetch_or(1 << (i % 64), Relaxed);
        }
        self.items.fetch_add(1, Relaxed);
    }

    pub fn into_bloom(self) -> Bloom {
        Bloom {
            words: self.words.into_iter().map(|w| w.into_inner()).collect(),
            bits: self.bits,
            hashes: self.hashes,
            classic: self.classic,
            items: self.items.into_inner(),
        }
    }
}

/// A Bloom filter over 32-byte keyed hashes.
///
/// Indexes come from enhanced double hashing (Dillinger and Manolios, 2004):
/// plain Kirsch-Mitzenmacher double hashing (h1 + i·h2 mod m) degenerates when h2 mod
/// m is 0 or shares a large factor with m, sending all k probes to a few bits; on
/// small filters that alone gave about ten times the stated false-positive rate.
/// Filters recorded before the fix (scheme-1 entities without a `…-v2/` prefix) are
/// read with the old indexing so that they keep matching.
#[derive(Debug, Clone)]
pub struct Bloom {
    words: Vec<u64>,
    bits: u64,
    hashes: u32,
    items: u64,
    classic: bool,
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
            classic: false,
        }
    }

    /// The indexing of filters recorded before enhanced double hashing.
    pub fn classic(mut self) -> Bloom {
        self.classic = true;
        self
    }

    pub fn insert(&mut self, h: &[u8; 32]) {
        let (bits, hashes, classic) = (self.bits, self.hashes, self.classic);
        for i in indexes(bits, hashes, classic, h) {
            self.words[(i / 64) as usize] |= 1 << (i % 64);
        }
        self.items += 1;
    }

    pub fn contains(&self, h: &[u8; 32]) -> bool {
        indexes(self.bits, self.hashes, self.classic, h)
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
            classic: false,
        })
    }
}

/// The bits of `h` in a filter of `m` bits with `k` hashes.
fn indexes(m: u64, k: u32, classic: bool, h: &[u8; 32]) -> impl Iterator<Item = u64> {
    let h1 = u64::from_le_bytes(h[0..8].try_into().expect("8 bytes"));
    let h2 = u64::from_le_bytes(h[8..16].try_into().expect("8 bytes"));
    let (mut x, mut y) = (h1 % m, h2 % m);
    (0..k as u64).map(move |i| {
        if classic {
            return h1.wrapping_add(i.wrapping_mul(h2 | 1)) % m;
        }
        let at = x;
        // x, y < m and i < 30 < 64 <= m: a subtraction does the modulo.
        x += y;
        if x >= m {
            x -= m;
        }
        y += i + 1;
        if y >= m {
            y -= m;
        }
        at
    })
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
    fn markers_are_found_whatever_an_export_did_and_odd_text_is_no_marker() {
        let k = Keys::new([3; 32]);
        let m = k.marker("abcd1234", 7);
        for edited in [
            m.clone(),
            m.to_uppercase(),
            format!("  \"{m}\" "),
            format!("'{m}'"),
        ] {
            assert_eq!(
                k.find_marker(&edited),
                Some(("abcd1234".into(), 7)),
                "{edited}"
            );
        }
        for odd in [
            "",
            "sg1",
            "ab€cdef",
            "€€€€",
            "sg1.x.y.z",
            "SG1.abcd1234.7.00",
        ] {
            assert_eq!(k.find_marker(odd), None, "{odd}");
        }
        assert_eq!(Keys::new([4; 32]).find_marker(&m), None);
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
