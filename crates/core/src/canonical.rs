//! RFC 8785 JSON Canonicalization Scheme (JCS).
//!
//! The leaf bytes of a ledger entry are its JCS encoding (`shared/spec/ledger.md`,
//! Entries): object members sorted by UTF-16 code units, no insignificant white space,
//! numbers in ECMAScript shortest form, strings with the minimal escapes. The work is
//! done by `serde_json_canonicalizer`; this module pins the one entry point we use so
//! that every crate produces the same bytes.

use serde::Serialize;

/// JCS bytes of `value` (RFC 8785 §3.2).
///
/// Fails only for values JSON cannot carry (a non-finite float); `serde_json::Value`
/// never holds one, so for parsed input this does not fail.
pub fn to_canonical_vec<T: Serialize>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    serde_json_canonicalizer::to_vec(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // RFC 8785 §3.2.2 / Appendix B examples.
    #[test]
    fn sorts_members_and_formats_numbers() {
        // Parsed from text so the RFC's over-precise literal reaches the parser as is.
        let v: serde_json::Value = serde_json::from_str(
            r#"{"b": 1, "a": [1e30, 4.50, 0.002, -0.0, 333333333.33333329], "c": "\u20ac$\u000f\n"}"#,
        )
        .unwrap();
        let got = String::from_utf8(to_canonical_vec(&v).unwrap()).unwrap();
        assert_eq!(
            got,
            "{\"a\":[1e+30,4.5,0.002,0,333333333.3333333],\"b\":1,\"c\":\"\u{20ac}$\\u000f\\n\"}"
        );
    }

    #[test]
    fn sorts_by_utf16_code_units() {
        // RFC 8785 §3.2.3: "\u{10000}" sorts before "\u{e000}" in UTF-16 order.
        let v = json!({"\u{e000}": 1, "\u{10000}": 2, "a": 3});
        let got = String::from_utf8(to_canonical_vec(&v).unwrap()).unwrap();
        assert_eq!(got, "{\"a\":3,\"\u{10000}\":2,\"\u{e000}\":1}");
    }
}
