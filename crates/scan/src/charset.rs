//! The character encoding of a saved page, as a browser would pick it: a byte order
//! mark, else the `<meta charset>` or `<meta http-equiv="Content-Type">` in the first
//! 1,024 bytes, else what the user says (`--encoding`), else UTF-8. A page is decoded
//! to UTF-8 before it is parsed, so a windows-1252 or UTF-16 page is scanned like any
//! other; one that does not decode cleanly is a problem, never a silent skip.

use std::borrow::Cow;

pub use encoding_rs::Encoding;
use encoding_rs::{UTF_8, UTF_16BE, UTF_16LE};

/// A page decoded to UTF-8, and what it was.
#[derive(Debug)]
pub struct Decoded<'a> {
    pub text: Cow<'a, [u8]>,
    pub encoding: &'static Encoding,
    /// The page starts with a byte order mark (kept out of `text`).
    pub bom: bool,
}

/// Why a page could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CharsetError {
    #[error("not UTF-8 (invalid byte at offset {offset}) and no charset declared; give --encoding")]
    NotUtf8 { offset: usize },
    #[error("declares charset {label:?}, which no browser knows")]
    UnknownLabel { label: String },
    #[error("not valid {encoding}: a byte sequence it cannot decode")]
    Malformed { encoding: &'static str },
}

/// The encoding a label names (`windows-1252`, `latin1`, `utf-16le`, ...), WHATWG's
/// labels; `None` for an unknown one.
pub fn for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// Decodes `bytes` as a browser would show them, with what was wrong: a page that
/// does not decode cleanly comes back with the bad bytes replaced (U+FFFD) and the
/// error, so a scan still reads it and says so.
pub fn decode_lossy<'a>(
    bytes: &'a [u8],
    fallback: Option<&'static Encoding>,
) -> (Decoded<'a>, Option<CharsetError>) {
    match decode(bytes, fallback) {
        Ok(d) => (d, None),
        Err(e) => {
            let (enc, skip) = match Encoding::for_bom(bytes) {
                Some((enc, n)) => (enc, n),
                None => (
                    meta_charset(bytes)
                        .and_then(|l| for_label(&l))
                        .or(fallback)
                        .unwrap_or(UTF_8),
                    0,
                ),
            };
            let (text, _) = enc.decode_without_bom_handling(&bytes[skip..]);
            let d = Decoded {
                text: Cow::Owned(text.into_owned().into_bytes()),
                encoding: enc,
                bom: skip > 0,
            };
            (d, Some(e))
        }
    }
}

/// Decodes `bytes`; `fallback` is the user's encoding for a page that declares none.
pub fn decode<'a>(
    bytes: &'a [u8],
    fallback: Option<&'static Encoding>,
) -> Result<Decoded<'a>, CharsetError> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return decode_as(&bytes[bom_len..], enc, true);
    }
    let declared = match meta_charset(bytes) {
        Some(label) => Some(for_label(&label).ok_or(CharsetError::UnknownLabel { label })?),
        None => None,
    };
    // A page saying UTF-16 without a BOM was transcoded by the saver (the meta
    // prescan could read it as ASCII): WHATWG treats the declaration as UTF-8.
    let declared = declared.map(|e| {
        if e == UTF_16LE || e == UTF_16BE {
            UTF_8
        } else {
            e
        }
    });
    match declared.or(fallback) {
        Some(enc) => decode_as(bytes, enc, false),
        None => match std::str::from_utf8(bytes) {
            Ok(_) => Ok(Decoded {
                text: Cow::Borrowed(bytes),
                encoding: UTF_8,
                bom: false,
            }),
            Err(e) => Err(CharsetError::NotUtf8 {
                offset: e.valid_up_to(),
            }),
        },
    }
}

fn decode_as<'a>(
    bytes: &'a [u8],
    enc: &'static Encoding,
    bom: bool,
) -> Result<Decoded<'a>, CharsetError> {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(CharsetError::Malformed {
            encoding: enc.name(),
        });
    }
    let text = match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
        Cow::Owned(s) => Cow::Owned(s.into_bytes()),
    };
    Ok(Decoded {
        text,
        encoding: enc,
        bom,
    })
}

/// `text` (UTF-8) back in `enc`, with the BOM if the page had one; `None` when a
/// character has no byte sequence there (it is never replaced silently).
pub fn encode(text: &str, enc: &'static Encoding, bom: bool) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() + 3);
    if enc == UTF_16LE || enc == UTF_16BE {
        if bom {
            out.extend_from_slice(if enc == UTF_16LE {
                b"\xff\xfe"
            } else {
                b"\xfe\xff"
            });
        }
        for u in text.encode_utf16() {
            out.extend_from_slice(&if enc == UTF_16LE {
                u.to_le_bytes()
            } else {
                u.to_be_bytes()
            });
        }
        return Some(out);
    }
    if bom && enc == UTF_8 {
        out.extend_from_slice(b"\xef\xbb\xbf");
    }
    let (bytes, _, unmappable) = enc.encode(text);
    if unmappable {
        return None;
    }
    out.extend_from_slice(&bytes);
    Some(out)
}

/// The charset a `<meta>` in the first 1,024 bytes declares (a simplified form of
/// WHATWG's prescan: `charset=` inside a `<meta` tag, quoted or not).
fn meta_charset(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(1024)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(i) = find(&lower[from..], b"<meta") {
        let start = from + i;
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(c) = find(tag, b"charset") {
            let mut v = &tag[c + 7..];
            v = trim_start(v);
            if let Some(rest) = v.strip_prefix(b"=") {
                let rest = trim_start(rest);
                let rest = rest
                    .strip_prefix(b"\"")
                    .or_else(|| rest.strip_prefix(b"'"))
                    .unwrap_or(rest);
                let label: Vec<u8> = rest
                    .iter()
                    .take_while(|&&b| !matches!(b, b'"' | b'\'' | b';' | b' ' | b'/' | b'>'))
                    .copied()
                    .collect();
                if !label.is_empty() {
                    return Some(String::from_utf8_lossy(&label).into_owned());
                }
            }
        }
        from = end;
    }
    None
}

fn trim_start(v: &[u8]) -> &[u8] {
    let n = v.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &v[n..]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::WINDOWS_1252;

    #[test]
    fn bom_meta_user_then_utf8() {
        let page = "<p>Café crème</p>";
        let mut le = vec![0xff, 0xfe];
        le.extend(page.encode_utf16().flat_map(u16::to_le_bytes));
        let d = decode(&le, None).unwrap();
        assert_eq!((d.encoding, d.bom), (UTF_16LE, true));
        assert_eq!(std::str::from_utf8(&d.text).unwrap(), page);
        assert_eq!(encode(page, UTF_16LE, true).unwrap(), le);

        let (cp, _, _) = WINDOWS_1252.encode("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"><p>Café – 5 €</p>");
        let d = decode(&cp, None).unwrap();
        assert_eq!(d.encoding, WINDOWS_1252);
        assert!(std::str::from_utf8(&d.text).unwrap().contains("Café – 5 €"));
        let back = encode(std::str::from_utf8(&d.text).unwrap(), WINDOWS_1252, false).unwrap();
        assert_eq!(
            back,
            cp.into_owned(),
            "a legacy page round-trips byte for byte"
        );

        let (plain, _, _) = WINDOWS_1252.encode("<p>Crème</p>");
        assert_eq!(
            decode(&plain, None).unwrap_err(),
            CharsetError::NotUtf8 { offset: 5 }
        );
        assert_eq!(
            decode(&plain, Some(WINDOWS_1252)).unwrap().encoding,
            WINDOWS_1252
        );
        assert!(matches!(
            decode(b"<meta charset='klingon'>", None),
            Err(CharsetError::UnknownLabel { .. })
        ));
        assert!(matches!(
            decode(b"<meta charset=utf-8><p>\xff</p>", None),
            Err(CharsetError::Malformed { .. })
        ));
        // A character windows-1252 has no byte for is refused, not replaced.
        assert!(encode("€ ✓", WINDOWS_1252, false).is_none());
        let d = decode(b"<meta charset=\"UTF-8\"><p>ok</p>", None).unwrap();
        assert!(matches!(d.text, Cow::Borrowed(_)));
        let (d, e) = decode_lossy(b"<p>caf\xe9</p>", None);
        assert_eq!(std::str::from_utf8(&d.text).unwrap(), "<p>caf\u{fffd}</p>");
        assert_eq!(e, Some(CharsetError::NotUtf8 { offset: 6 }));
    }
}
