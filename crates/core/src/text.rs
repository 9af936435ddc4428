//! Text identity: the same words hash the same wherever they are published.
//!
//! A text asset's `sha256` is that of its normalized text (`shared/spec/inventory.md`):
//! UTF-8, Unicode NFC, every run of white space collapsed to one space, trimmed. For
//! HTML (a product description), the text content with the tags removed, parsed by an
//! HTML5 parser.

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

/// NFC, white space runs collapsed to one space, trimmed.
pub fn normalize(text: &str) -> String {
    let nfc: String = text.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text content of an HTML fragment (tags removed, entities decoded).
pub fn html_text(html: &str) -> String {
    let doc = scraper::Html::parse_fragment(html);
    let mut out = String::with_capacity(html.len());
    // The DOM's textContent: text nodes concatenated as they are, so that any
    // verifier computing "the text with the tags removed" gets the same words.
    for t in doc.root_element().text() {
        out.push_str(t);
    }
    out
}

/// SHA-256 (hex) of normalized text.
pub fn text_sha256(text: &str) -> String {
    hex::encode(Sha256::digest(normalize(text).as_bytes()))
}

/// What [`normalized_len_within`] found out about a text's normalized length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NormalizedLen {
    /// ASCII text: exactly this many bytes.
    Exact(usize),
    /// Longer than the cap (known before reading all of it).
    Longer,
    /// Not ASCII within the cap: NFC may change the length, so measure by hashing.
    Unknown,
}

/// The byte length of the normalized text (words joined by one space), without
/// building it, read only as far as needed to tell that it is longer than `cap`
/// (`usize::MAX`: the whole text); scanners compare it with the registered texts'
/// lengths before hashing: the text of a page's outer elements contains the text
/// of all the inner ones, so measuring each in full costs depth × page size. Sound
/// for non-ASCII text too: NFC never makes the normalized form shorter than that of
/// its ASCII prefix (a composed character is at least as long as its base letter).
pub fn normalized_len_within(text: &str, cap: usize) -> NormalizedLen {
    let (mut len, mut words, mut in_word) = (0usize, 0usize, false);
    for &b in text.as_bytes() {
        if !b.is_ascii() {
            return if len + words.saturating_sub(1) > cap {
                NormalizedLen::Longer
            } else {
                NormalizedLen::Unknown
            };
        }
        let ws = matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ');
        if !ws {
            len += 1;
            if !in_word {
                words += 1;
                if len + words - 1 > cap {
                    return NormalizedLen::Longer;
                }
            } else if len + words - 1 > cap {
                return NormalizedLen::Longer;
            }
        }
        in_word = !ws;
    }
    NormalizedLen::Exact(len + words.saturating_sub(1))
}

/// SHA-256 of normalized text, as bytes, reusing `buf`: the scanners' hot path. ASCII
/// text is already NFC, so it skips the normalizer; the result equals
/// [`text_sha256`] for every input (tested below).
pub fn normalized_sha256(text: &str, buf: &mut String) -> [u8; 32] {
    buf.clear();
    if text.is_ascii() {
        // char::is_whitespace on ASCII: \t \n \x0B \x0C \r and space.
        for word in text
            .split(['\t', '\n', '\x0B', '\x0C', '\r', ' '])
            .filter(|w| !w.is_empty())
        {
            if !buf.is_empty() {
                buf.push(' ');
            }
            buf.push_str(word);
        }
    } else {
        let nfc: String = text.nfc().collect();
        for word in nfc.split_whitespace() {
            if !buf.is_empty() {
                buf.push(' ');
            }
            buf.push_str(word);
        }
    }
    Sha256::digest(buf.as_bytes()).into()
}

/// SHA-256 (hex) of the normalized text content of HTML.
pub fn html_sha256(html: &str) -> String {
    text_sha256(&html_text(html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_length_agrees_with_the_full_measure() {
        let texts = [
            "",
            "  a  ",
            "one two\tthree\n four",
            "Calm capsules, 60 count: a blend of chamomile and mint.",
            "caf\u{e9} au lait",
            "e\u{301} composed",
            "  wrapper   text   with   many   words   ",
        ];
        for t in texts {
            let full = normalized_len_within(t, usize::MAX);
            let exact_len = normalize(t).len();
            for cap in [0, 1, 3, 8, 20, 100] {
                match normalized_len_within(t, cap) {
                    NormalizedLen::Exact(n) => {
                        assert_eq!(NormalizedLen::Exact(n), full, "{t:?}");
                        assert_eq!(n, exact_len, "{t:?}");
                        assert!(n <= cap, "{t:?} cap {cap}");
                    }
                    NormalizedLen::Longer => assert!(exact_len > cap, "{t:?} cap {cap}"),
                    NormalizedLen::Unknown => assert_eq!(full, NormalizedLen::Unknown, "{t:?}"),
                }
            }
        }
    }

    #[test]
    fn normalized_len_is_the_normalized_length() {
        for t in ["", "  ", "a", " Organic  green\ttea\n", "x\x0By\x0Cz\r\n w"] {
            assert_eq!(
                normalized_len_within(t, usize::MAX),
                NormalizedLen::Exact(normalize(t).len()),
                "{t:?}"
            );
        }
        // NFC may change the length of non-ASCII text: it is measured by hashing.
        assert_eq!(
            normalized_len_within("café", usize::MAX),
            NormalizedLen::Unknown
        );
    }

    #[test]
    fn same_words_same_hash() {
        assert_eq!(
            text_sha256("  Organic\u{00a0}green   tea\n"),
            text_sha256("Organic green tea")
        );
        // NFC: "e" + combining acute equals precomposed "é".
        assert_eq!(text_sha256("cafe\u{0301}"), text_sha256("caf\u{00e9}"));
        assert_ne!(text_sha256("green tea"), text_sha256("green  teas"));
    }

    #[test]
    fn fast_path_agrees_with_the_definition() {
        let mut buf = String::new();
        for t in [
            "",
            " ",
            "a",
            "  Organic\u{00a0}green   tea\n",
            "x\x0by\x0cz\r\n",
            "cafe\u{0301} au lait",
            "\u{2003}em space\u{3000}",
            "tab\tsep",
            "\u{1c}file sep",
        ] {
            assert_eq!(
                hex::encode(normalized_sha256(t, &mut buf)),
                text_sha256(t),
                "{t:?}"
            );
        }
    }

    #[test]
    fn html_content_drops_tags_and_decodes_entities() {
        let html = "<p>Soothing <strong>chamomile</strong> &amp; mint.</p>\n<ul><li>Caffeine-free</li></ul>";
        assert_eq!(
            normalize(&html_text(html)),
            "Soothing chamomile & mint. Caffeine-free"
        );
        assert_eq!(
            html_sha256(html),
            text_sha256("Soothing chamomile & mint. Caffeine-free")
        );
    }
}
