//! What makes generated data safe by construction, and the checks that recognise
//! real-looking personal data (used by the segregation scanner too).
//!
//! - Emails only at domains reserved for documentation: `example.com`, `example.net`,
//!   `example.org` (RFC 2606 §3) and names under the `.example` / `.test` TLDs
//!   (RFC 2606 §2, RFC 6761 §6.2).
//! - Phone numbers only from ranges set aside for fiction: North America 555-0100 to
//!   555-0199 in any area code (NANPA), United Kingdom 07700 900000 to 07700 900999
//!   (Ofcom drama numbers), Germany 030 23125, 069 90009, 040 66969 and 089 99998
//!   followed by 000-999 (Bundesnetzagentur, film and television), France 01 99 00
//!   and 06 39 98 followed by four digits (ARCEP, audiovisual works). Spain reserves
//!   no range; its numbers are +34 41x-49x, blocks its national plan does not use.
//! - Card numbers only from the test numbers payment processors publish (Stripe,
//!   Adyen, Braintree documentation), all Luhn-valid, never a real account.

/// Reserved email domains generated addresses use.
pub const EMAIL_DOMAINS: [&str; 5] = [
    "example.com",
    "example.net",
    "example.org",
    "mail.example",
    "shop.test",
];

/// Published processor test card numbers: (brand, number).
pub const TEST_CARDS: [(&str, &str); 12] = [
    ("visa", "4242424242424242"),
    ("visa", "4000056655665556"),
    ("visa", "4111111111111111"),
    ("visa", "4012888888881881"),
    ("mastercard", "5555555555554444"),
    ("mastercard", "2223003122003222"),
    ("mastercard", "5105105105105100"),
    ("amex", "378282246310005"),
    ("amex", "371449635398431"),
    ("discover", "6011111111111117"),
    ("discover", "6011000990139424"),
    ("jcb", "3566002020360505"),
];

/// Luhn check (ISO/IEC 7812-1 Annex B) over the digits of `s`.
pub fn luhn_valid(s: &str) -> bool {
    let digits: Vec<u32> = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()
        .unwrap_or_default();
    if digits.len() < 12 || digits.len() > 19 {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// True for a card number on the processors' published test list.
pub fn is_test_card(s: &str) -> bool {
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    TEST_CARDS.iter().any(|(_, n)| *n == digits)
}

/// True when an email's domain is reserved for documentation or testing.
pub fn is_reserved_email(email: &str) -> bool {
    let Some((_, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let d = domain.to_ascii_lowercase();
    ["example.com", "example.net", "example.org"]
        .iter()
        .any(|r| d == *r || d.ends_with(&format!(".{r}")))
        || [".example", ".test", ".invalid", ".localhost"]
            .iter()
            .any(|t| d.ends_with(t))
        || ["example", "test", "invalid", "localhost"].contains(&d.as_str())
}

/// True when a phone number is in a range reserved for fiction.
pub fn is_fiction_phone(phone: &str) -> bool {
    let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    // +1 NPA 555 01XX
    let na = |d: &str| d.len() == 10 && &d[3..6] == "555" && &d[6..8] == "01";
    // +44 7700 900XXX, or 07700 900XXX
    let uk = |d: &str| d.len() == 10 && d.starts_with("7700900");
    // 30 23125 XXX and the other blocks, national part without the 0.
    let de =
        |d: &str| d.len() == 10 && ["3023125", "6990009", "4066969", "8999998"].contains(&&d[..7]);
    // 1 99 00 XX XX or 6 39 98 XX XX, national part without the 0.
    let fr = |d: &str| d.len() == 9 && (d.starts_with("19900") || d.starts_with("63998"));
    // With the country code, or as dialled at home (leading 0).
    let national = |cc: &str, f: &dyn Fn(&str) -> bool| {
        digits.strip_prefix(cc).is_some_and(f) || digits.strip_prefix('0').is_some_and(f)
    };
    (digits.len() == 11 && digits.starts_with('1') && na(&digits[1..]))
        || na(&digits)
        || national("44", &uk)
        || national("49", &de)
        || national("33", &fr)
        || (digits.len() == 11 && digits.starts_with("344") && &digits[3..4] != "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_test_card_is_luhn_valid() {
        for (_, n) in TEST_CARDS {
            assert!(luhn_valid(n), "{n}");
            assert!(is_test_card(n));
        }
        assert!(!luhn_valid("4242424242424241"));
        assert!(!is_test_card("4000000000000002x"));
    }

    #[test]
    fn reserved_and_fiction_ranges() {
        assert!(
            is_reserved_email("a.b@example.com")
                && is_reserved_email("x@mail.example")
                && is_reserved_email("y@shop.test")
        );
        assert!(
            !is_reserved_email("a@gmail.com")
                && !is_reserved_email("a@example.co")
                && !is_reserved_email("nope")
        );
        assert!(
            is_fiction_phone("+1-202-555-0142")
                && is_fiction_phone("(312) 555-0199")
                && is_fiction_phone("+44 7700 900123")
                && is_fiction_phone("+49 30 23125 042")
                && is_fiction_phone("089 99998 999")
                && is_fiction_phone("+33 6 39 98 12 34")
                && is_fiction_phone("01 99 00 12 34")
                && is_fiction_phone("+34 412 345 678")
        );
        assert!(
            !is_fiction_phone("+1-202-555-0200")
                && !is_fiction_phone("+44 7700 901123")
                && !is_fiction_phone("+49 30 1234567")
                && !is_fiction_phone("+49 30 23126 042")
                && !is_fiction_phone("+33 6 39 97 12 34")
                && !is_fiction_phone("+34 612 345 678")
                && !is_fiction_phone("+34 400 345 678")
        );
    }
}
