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

/// The byte length of the normalized text of ASCII `text` (words joined by one
/// space), without building it; None for non-ASCII text (NFC may change its length).
/// Scanners compare it with the registered texts' lengths before hashing.
pub fn normalized_len(text: &str) -> Option<usize> {
    if !text.is_ascii() {
        return None;
    }
    let (mut len, mut words, mut in_word) = (0usize, 0usize, false);
    for &b in text.as_bytes() {
        let ws = matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ');
        if !ws {
            len += 1;
            if !in_word {
                words += 1;
            }
        }
        in_word = !ws;
    }
    Some(len + words.saturating_sub(1))
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
    fn normalized_len_is_the_normalized_length() {
        for t in ["", "  ", "a", " Organic  green\ttea\n", "x\x0By\x0Cz\r\n w"] {
            assert_eq!(normalized_len(t), Some(normalize(t).len()), "{t:?}");
        }
        assert_eq!(normalized_len("café"), None);
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
