//! Canonical forms of values for fingerprints, so that what happens to an export
//! (a spreadsheet upper-cases emails, reformats timestamps, rounds amounts, strips a
//! phone's punctuation, a tool applies Unicode compatibility forms) does not hide a
//! generated row from `detect`.

use unicode_normalization::UnicodeNormalization;

/// What a column holds, which decides its canonical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// NFKC, lower case, runs of white space as one space, trimmed.
    Text,
    /// Text; an email is also stripped of a `mailto:` prefix and angle brackets.
    Email,
    /// The last ten digits (drops the country code, `0` trunk prefix and punctuation).
    Phone,
    /// A number rounded to whole units, then to two significant digits (currency
    /// signs and thousands separators dropped): a copy rounded to whole units or to
    /// one decimal keeps the canonical form.
    Number,
    /// A timestamp in UTC to the minute, or a date: parsed from RFC 3339, ISO 8601
    /// with a space, `MM/DD/YYYY`, `DD.MM.YYYY` or Unix seconds.
    Time,
    /// An identifier: trimmed, lower case, leading zeros dropped.
    Id,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Number => "number",
            Kind::Time => "time",
            Kind::Id => "id",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        [
            Kind::Text,
            Kind::Email,
            Kind::Phone,
            Kind::Number,
            Kind::Time,
            Kind::Id,
        ]
        .into_iter()
        .find(|k| k.name() == s)
    }
}

/// The canonical form of `v` as a value of `kind`; values that do not parse as
/// their kind fall back to [`Kind::Text`].
pub fn normalize(kind: Kind, v: &str) -> String {
    match kind {
        Kind::Text => text(v),
        Kind::Email => {
            let t = text(v);
            let t = t.strip_prefix("mailto:").unwrap_or(&t);
            t.trim_matches(|c| c == '<' || c == '>').to_owned()
        }
        Kind::Phone => {
            let digits: String = v.chars().filter(char::is_ascii_digit).collect();
            if digits.len() < 7 {
                return text(v);
            }
            digits[digits.len().saturating_sub(10)..].to_owned()
        }
        Kind::Number => number(v).unwrap_or_else(|| text(v)),
        Kind::Time => time(v).unwrap_or_else(|| text(v)),
        Kind::Id => {
            let t = text(v);
            let s = t.trim_start_matches('0');
            if s.is_empty() && !t.is_empty() {
                "0".into()
            } else {
                s.to_owned()
            }
        }
    }
}

/// A header's canonical form for finding a column by name: letters and digits only,
/// lower case (`Customer ID`, `customer_id` and `CUSTOMER-ID` are one column).
pub fn header(h: &str) -> String {
    h.nfkc()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn text(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut space = false;
    if v.is_ascii() {
        // NFKC leaves ASCII as it is: skip its iterator on the common path.
        for b in v.bytes() {
            if b.is_ascii_whitespace() {
                space = !out.is_empty();
            } else {
                if space {
                    out.push(' ');
                    space = false;
                }
                out.push(b.to_ascii_lowercase() as char);
            }
        }
        return out;
    }
    for c in v.nfkc().flat_map(char::to_lowercase) {
        if c.is_whitespace() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

fn number(v: &str) -> Option<String> {
    let cleaned: String = v
        .trim()
        .chars()
        .filter(|c| !matches!(c, '$' | '£' | '€' | ',' | ' ' | '\u{a0}'))
        .collect();
    let x: f64 = cleaned.parse().ok()?;
    if !x.is_finite() {
        return None;
    }
    let x = x.round();
    if x == 0.0 {
        return Some("0".into());
    }
    // Two significant digits, written in one canonical way.
    Some(format!("{:.1e}", x))
}

fn time(v: &str) -> Option<String> {
    let v = v.trim();
    // The generators' own forms, without the parsers: a date, or RFC 3339 in UTC.
    let b = v.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let dashed = b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && digits(0..4)
        && digits(5..7)
        && digits(8..10);
    if dashed && b.len() == 10 {
        return Some(v.to_owned());
    }
    if dashed
        && b.len() == 20
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
        && digits(11..13)
        && digits(14..16)
        && digits(17..19)
    {
        return Some(v[..16].to_owned());
    }
    // Any other layout the fitted models read (`table::DATETIME_FORMATS`, RFC 3339
    // with an offset), or Unix seconds (10 digits: 2001 to 2286).
    let secs = crate::table::parse_datetime(v)
        .map(|t| t as i64)
        .or_else(|| {
            (v.len() == 10 && b.iter().all(u8::is_ascii_digit))
                .then(|| v.parse().ok())
                .flatten()
        })?;
    let t = time::OffsetDateTime::from_unix_timestamp(secs).ok()?;
    // A value without a time of day is a date.
    Some(
        if v.contains(':') || v.len() == 10 && !v.contains(['-', '/', '.']) {
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}",
                t.year(),
                t.month() as u8,
                t.day(),
                t.hour(),
                t.minute()
            )
        } else {
            t.date().to_string()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_of_an_export_give_the_same_canonical_value() {
        let same = |k, a: &str, b: &str| assert_eq!(normalize(k, a), normalize(k, b), "{a} / {b}");
        same(
            Kind::Email,
            "Jane.Doe12@Example.com",
            " jane.doe12@example.com ",
        );
        same(Kind::Email, "mailto:<jane@example.com>", "JANE@EXAMPLE.COM");
        same(Kind::Text, "12  Oak\u{a0}Ave", "12 OAK AVE");
        same(Kind::Text, "Ｍａｉｎ St", "main st"); // full-width forms (NFKC)
        same(Kind::Phone, "+1-217-555-0123", "(217) 555 0123");
        same(Kind::Phone, "+44 7700 900123", "07700900123");
        same(Kind::Number, "1234.56", "$1,234.60");
        same(Kind::Number, "12.99", "13.0");
        same(Kind::Number, "45.67", "46");
        same(Kind::Number, "145.30", "145");
        same(Kind::Number, "7.49", "7");
        same(Kind::Time, "2025-03-04T10:11:12Z", "2025-03-04 10:11:12");
        same(
            Kind::Time,
            "2025-03-04T10:11:12Z",
            "2025-03-04T11:11:40+01:00",
        );
        same(Kind::Time, "2025-03-04T10:11:12Z", "03/04/2025 10:11");
        same(Kind::Time, "2025-03-04T10:11:12Z", "1741083072");
        same(Kind::Time, "1980-02-29", "02/29/1980");
        same(Kind::Id, "00042", "42");
        assert_ne!(
            normalize(Kind::Number, "1234"),
            normalize(Kind::Number, "1254")
        );
        assert_ne!(
            normalize(Kind::Time, "2025-03-04T10:11:12Z"),
            normalize(Kind::Time, "2025-03-04T10:12:00Z")
        );
        assert_eq!(header("Customer ID"), header("customer_id"));
        assert_eq!(header("EMAIL"), "email");
    }
}
