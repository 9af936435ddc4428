//! What an image file says about itself: its format (by its first bytes, not its
//! name) and whether it carries machine-readable AI marking: a C2PA manifest (JUMBF in
//! a JPEG APP11 segment, a PNG `caBX` chunk, a WebP `C2PA` chunk) or IPTC
//! DigitalSourceType with an AI source type in its XMP.
//!
//! Presence only: whether a manifest's signature is valid is for `synthgov disclose
//! verify` (the c2pa crate); a scanner needs to know the marking is there.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Gif,
    Webp,
    Avif,
    Svg,
    Mp4,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marking {
    pub c2pa: bool,
    /// The IPTC digital source type found in XMP, when it is an AI one.
    pub iptc_source_type: Option<String>,
}

impl Marking {
    pub fn is_marked(&self) -> bool {
        self.c2pa || self.iptc_source_type.is_some()
    }
}

/// IPTC NewsCodes digital source types that mean "made by AI".
pub const AI_SOURCE_TYPES: [&str; 4] = [
    "trainedAlgorithmicMedia",
    "compositeWithTrainedAlgorithmicMedia",
    "algorithmicMedia",
    "compositeSynthetic",
];

pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Format::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(Format::Png);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some(Format::Gif);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(Format::Webp);
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Some(match &bytes[8..12] {
            b"avif" | b"avis" | b"heic" | b"mif1" => Format::Avif,
            _ => Format::Mp4,
        });
    }
    let head = &bytes[..bytes.len().min(512)];
    let head = String::from_utf8_lossy(head);
    let t = head.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with("<svg") || (t.starts_with("<?xml") && head.contains("<svg")) {
        return Some(Format::Svg);
    }
    None
}

/// The AI marking an image carries. Unknown formats carry none.
pub fn marking(format: Format, bytes: &[u8]) -> Marking {
    let mut m = Marking::default();
    match format {
        Format::Jpeg => jpeg(bytes, &mut m),
        Format::Png => png(bytes, &mut m),
        Format::Webp => webp(bytes, &mut m),
        Format::Svg => xmp(bytes, &mut m),
        // ISO BMFF: C2PA sits in a `uuid` box holding JUMBF; look for its superbox.
        Format::Avif | Format::Mp4 => {
            m.c2pa = find(bytes, b"jumb").is_some() && find(bytes, b"c2pa").is_some();
            xmp(bytes, &mut m);
        }
        Format::Gif => xmp(bytes, &mut m),
    }
    m
}

fn jpeg(b: &[u8], m: &mut Marking) {
    let mut i = 2;
    while i + 4 <= b.len() {
        if b[i] != 0xFF {
            return;
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        // Start of scan or end of image: no metadata segments after this.
        if marker == 0xDA || marker == 0xD9 {
            return;
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            i += 2;
            continue;
        }
        let len = u16::from_be_bytes([b[i + 2], b[i + 3]]) as usize;
        if len < 2 || i + 2 + len > b.len() {
            return;
        }
        let payload = &b[i + 4..i + 2 + len];
        match marker {
            // APP11: JPEG XT boxes carrying JUMBF; C2PA's superbox is labelled "c2pa".
            0xEB if payload.starts_with(b"JP")
                && find(payload, b"jumb").is_some()
                && find(payload, b"c2pa").is_some() =>
            {
                m.c2pa = true;
            }
            0xE1 if payload.starts_with(b"http://ns.adobe.com/xap/1.0/\0")
                || payload.starts_with(b"http://ns.adobe.com/xmp/extension/\0") =>
            {
                xmp(payload, m);
            }
            _ => {}
        }
        i += 2 + len;
    }
}

fn png(b: &[u8], m: &mut Marking) {
    let mut i = 8;
    while i + 12 <= b.len() {
        let len = u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as usize;
        let kind = &b[i + 4..i + 8];
        let Some(end) = (i + 8).checked_add(len).filter(|&e| e + 4 <= b.len()) else {
            return;
        };
        let data = &b[i + 8..end];
        match kind {
            b"caBX" => m.c2pa = true,
            b"iTXt" | b"tEXt" if data.starts_with(b"XML:com.adobe.xmp\0") => xmp(data, m),
            b"IEND" => return,
            _ => {}
        }
        i = end + 4;
    }
}

fn webp(b: &[u8], m: &mut Marking) {
    let mut i = 12;
    while i + 8 <= b.len() {
        let kind = &b[i..i + 4];
        let len = u32::from_le_bytes([b[i + 4], b[i + 5], b[i + 6], b[i + 7]]) as usize;
        let Some(end) = (i + 8).checked_add(len).filter(|&e| e <= b.len()) else {
            return;
        };
        match kind {
            b"C2PA" => m.c2pa = true,
            b"XMP " => xmp(&b[i + 8..end], m),
            _ => {}
        }
        i = end + (len & 1);
    }
}

/// IPTC DigitalSourceType in an XMP packet, as an attribute or element value, whose
/// value ends with one of the AI source types.
fn xmp(b: &[u8], m: &mut Marking) {
    let mut from = 0;
    while let Some(at) = find(&b[from..], b"DigitalSourceType") {
        let start = from + at + "DigitalSourceType".len();
        let window = &b[start..b.len().min(start + 200)];
        let text = String::from_utf8_lossy(window);
        for t in AI_SOURCE_TYPES {
            if let Some(p) = text.find(t) {
                // The value must end here: "algorithmicMedia" is a suffix of
                // "trainedAlgorithmicMedia", so take the longest match.
                let after = text[p + t.len()..].chars().next();
                if !after.is_some_and(|c| c.is_ascii_alphanumeric())
                    && m.iptc_source_type
                        .as_deref()
                        .is_none_or(|s| s.len() < t.len())
                {
                    m.iptc_source_type = Some(t.to_owned());
                }
            }
        }
        from = start;
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn testdata(name: &str) -> Option<Vec<u8>> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/testdata/c2pa")
            .join(name);
        std::fs::read(p).ok()
    }

    #[test]
    fn c2pa_fixtures_are_told_apart_from_plain_jpegs() {
        let Some(signed) = testdata("C.jpg") else {
            eprintln!("SKIP: ../shared/testdata/c2pa not present");
            return;
        };
        assert_eq!(sniff(&signed), Some(Format::Jpeg));
        assert!(marking(Format::Jpeg, &signed).c2pa);
        for plain in ["no_manifest.jpg", "earth_apollo17.jpg"] {
            let b = testdata(plain).unwrap();
            assert_eq!(sniff(&b), Some(Format::Jpeg));
            assert!(!marking(Format::Jpeg, &b).c2pa, "{plain}");
        }
    }

    #[test]
    fn iptc_source_type_in_png_xmp() {
        let xmp = b"XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta><rdf:Description Iptc4xmpExt:DigitalSourceType=\"http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia\"/></x:xmpmeta>";
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend((xmp.len() as u32).to_be_bytes());
        png.extend(b"iTXt");
        png.extend(xmp);
        png.extend([0, 0, 0, 0]);
        png.extend([0, 0, 0, 0]);
        png.extend(b"IEND");
        png.extend([0, 0, 0, 0]);
        let m = marking(sniff(&png).unwrap(), &png);
        assert_eq!(
            m.iptc_source_type.as_deref(),
            Some("trainedAlgorithmicMedia")
        );
        assert!(!m.c2pa);
    }

    #[test]
    fn not_an_image_and_truncated_files() {
        assert_eq!(sniff(b"<html>not an image</html>"), None);
        assert_eq!(sniff(b""), None);
        let m = marking(Format::Jpeg, &[0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0]);
        assert!(!m.is_marked());
        let m = marking(Format::Png, b"\x89PNG\r\n\x1a\n\xff\xff\xff\xffcaBX");
        assert!(!m.is_marked());
    }
}
