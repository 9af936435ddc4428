//! IPTC `Iptc4xmpExt:DigitalSourceType` in XMP, written into JPEG (an APP1 segment)
//! and PNG (an `iTXt` chunk) before the C2PA manifest is signed, so the manifest's
//! hash covers it. An image that already carries an XMP packet keeps every byte of
//! it and gets the DigitalSourceType as one more `rdf:Description` about the same
//! resource, inserted before `</rdf:RDF>` (XMP merges descriptions of one resource);
//! a packet that already states a digital source type, or that does not parse as
//! XML with an `rdf:RDF` element, is left as it is.

use crate::page::TRAINED_ALGORITHMIC_MEDIA;

const XMP_JPEG_HEADER: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const XMP_PNG_KEYWORD: &[u8] = b"XML:com.adobe.xmp";

/// The XMP packet.
pub fn packet() -> String {
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
<rdf:Description rdf:about=\"\" xmlns:Iptc4xmpExt=\"http://iptc.org/std/Iptc4xmpExt/2008-02-29/\" \
Iptc4xmpExt:DigitalSourceType=\"{TRAINED_ALGORITHMIC_MEDIA}\"/></rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>"
    )
}

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A packet was added, or the DigitalSourceType merged into the existing one.
    Added(Vec<u8>),
    /// The XMP already states a digital source type, or could not be edited safely.
    Kept,
}

const RDF_NS: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const IPTC_EXT_NS: &str = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/";

/// `packet` with the DigitalSourceType description added; None when the packet
/// already has a DigitalSourceType, or is not XML with an `rdf:RDF` element.
pub fn merge(packet: &str) -> Option<String> {
    let doc = roxmltree::Document::parse_with_options(
        packet,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            ..Default::default()
        },
    )
    .ok()?;
    let states_source = doc.descendants().any(|n| {
        n.tag_name().namespace() == Some(IPTC_EXT_NS) && n.tag_name().name() == "DigitalSourceType"
            || n.attributes()
                .any(|a| a.namespace() == Some(IPTC_EXT_NS) && a.name() == "DigitalSourceType")
    });
    if states_source {
        return None;
    }
    let rdf = doc
        .descendants()
        .find(|n| n.tag_name().namespace() == Some(RDF_NS) && n.tag_name().name() == "RDF")?;
    let range = rdf.range();
    let element = &packet[range.clone()];
    // The prefix the packet binds to the RDF namespace, as its own start tag spells it.
    let name = element[1..]
        .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .next()?;
    let prefix = name.split_once(':').map(|(p, _)| p);
    let close = range.start + element.rfind("</")?;
    let q = |local: &str| match prefix {
        Some(p) => format!("{p}:{local}"),
        None => local.to_owned(),
    };
    let description = format!(
        "<{d} {about}=\"\" xmlns:Iptc4xmpExt=\"{IPTC_EXT_NS}\" Iptc4xmpExt:DigitalSourceType=\"{TRAINED_ALGORITHMIC_MEDIA}\"/>",
        d = q("Description"),
        about = q("about"),
    );
    let mut out = String::with_capacity(packet.len() + description.len());
    out.push_str(&packet[..close]);
    out.push_str(&description);
    out.push_str(&packet[close..]);
    Some(out)
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Corrupt(pub String);

/// Adds the packet to a JPEG after its leading APP0/APP1 segments.
pub fn jpeg(b: &[u8]) -> Result<Outcome, Corrupt> {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return Err(Corrupt("not a JPEG (no SOI marker)".into()));
    }
    let mut i = 2;
    let mut insert_at = 2;
    loop {
        if i + 4 > b.len() {
            return Err(Corrupt(format!("JPEG ends inside its headers at byte {i}")));
        }
        if b[i] != 0xFF {
            return Err(Corrupt(format!("JPEG segment marker expected at byte {i}")));
        }
        let marker = b[i + 1];
        if !(0xE0..=0xEF).contains(&marker) && marker != 0xFE {
            break;
        }
        let len = u16::from_be_bytes([b[i + 2], b[i + 3]]) as usize;
        if len < 2 || i + 2 + len > b.len() {
            return Err(Corrupt(format!(
                "JPEG segment at byte {i} runs past the end"
            )));
        }
        if marker == 0xE1 && b[i + 4..i + 2 + len].starts_with(XMP_JPEG_HEADER) {
            let body = &b[i + 4 + XMP_JPEG_HEADER.len()..i + 2 + len];
            let Some(merged) = std::str::from_utf8(body).ok().and_then(merge) else {
                return Ok(Outcome::Kept);
            };
            let seg_len = 2 + XMP_JPEG_HEADER.len() + merged.len();
            if seg_len > u16::MAX as usize {
                return Ok(Outcome::Kept);
            }
            let mut out = Vec::with_capacity(b.len() + merged.len() - body.len());
            out.extend_from_slice(&b[..i]);
            out.extend_from_slice(&[0xFF, 0xE1]);
            out.extend_from_slice(&(seg_len as u16).to_be_bytes());
            out.extend_from_slice(XMP_JPEG_HEADER);
            out.extend_from_slice(merged.as_bytes());
            out.extend_from_slice(&b[i + 2 + len..]);
            return Ok(Outcome::Added(out));
        }
        i += 2 + len;
        if marker == 0xE0 || marker == 0xE1 {
            insert_at = i;
        }
    }
    let xmp = packet();
    let len = XMP_JPEG_HEADER.len() + xmp.len() + 2;
    let mut out = Vec::with_capacity(b.len() + len + 2);
    out.extend_from_slice(&b[..insert_at]);
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&(len as u16).to_be_bytes());
    out.extend_from_slice(XMP_JPEG_HEADER);
    out.extend_from_slice(xmp.as_bytes());
    out.extend_from_slice(&b[insert_at..]);
    Ok(Outcome::Added(out))
}

/// Adds the packet to a PNG as an uncompressed `iTXt` chunk after `IHDR`.
pub fn png(b: &[u8]) -> Result<Outcome, Corrupt> {
    const SIG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if !b.starts_with(SIG) {
        return Err(Corrupt("not a PNG (bad signature)".into()));
    }
    let mut i = 8;
    let mut after_ihdr = None;
    loop {
        if i + 12 > b.len() {
            return Err(Corrupt(format!(
                "PNG ends inside a chunk header at byte {i}"
            )));
        }
        let len = u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as usize;
        let kind = &b[i + 4..i + 8];
        let Some(end) = (i + 8).checked_add(len).filter(|&e| e + 4 <= b.len()) else {
            return Err(Corrupt(format!("PNG chunk at byte {i} runs past the end")));
        };
        let crc = u32::from_be_bytes([b[end], b[end + 1], b[end + 2], b[end + 3]]);
        if crc32fast::hash(&b[i + 4..end]) != crc {
            return Err(Corrupt(format!(
                "PNG chunk {} at byte {i} fails its CRC",
                String::from_utf8_lossy(kind)
            )));
        }
        if (kind == b"iTXt" || kind == b"tEXt") && b[i + 8..end].starts_with(XMP_PNG_KEYWORD) {
            // Only an uncompressed iTXt with empty language and keyword is edited:
            // keyword NUL, flag 0, method 0, "" NUL, "" NUL, then the packet.
            let data = &b[i + 8..end];
            let head = XMP_PNG_KEYWORD.len();
            let plain = kind == b"iTXt" && data.get(head..head + 5) == Some(&[0, 0, 0, 0, 0]);
            let merged = plain
                .then(|| std::str::from_utf8(&data[head + 5..]).ok())
                .flatten()
                .and_then(merge);
            let Some(merged) = merged else {
                return Ok(Outcome::Kept);
            };
            let mut chunk_data = data[..head + 5].to_vec();
            chunk_data.extend_from_slice(merged.as_bytes());
            let mut chunk = Vec::with_capacity(chunk_data.len() + 12);
            chunk.extend_from_slice(&(chunk_data.len() as u32).to_be_bytes());
            chunk.extend_from_slice(b"iTXt");
            chunk.extend_from_slice(&chunk_data);
            chunk.extend_from_slice(&crc32fast::hash(&chunk[4..]).to_be_bytes());
            let mut out = Vec::with_capacity(b.len() + chunk.len());
            out.extend_from_slice(&b[..i]);
            out.extend_from_slice(&chunk);
            out.extend_from_slice(&b[end + 4..]);
            return Ok(Outcome::Added(out));
        }
        if kind == b"IHDR" {
            after_ihdr = Some(end + 4);
        }
        i = end + 4;
        if kind == b"IEND" || kind == b"IDAT" {
            break;
        }
    }
    let at = after_ihdr.ok_or_else(|| Corrupt("PNG has no IHDR chunk".into()))?;
    let mut data = Vec::new();
    data.extend_from_slice(XMP_PNG_KEYWORD);
    // NUL, uncompressed, method 0, empty language tag, empty translated keyword.
    data.extend_from_slice(&[0, 0, 0, 0, 0]);
    data.extend_from_slice(packet().as_bytes());
    let mut chunk = Vec::with_capacity(data.len() + 12);
    chunk.extend_from_slice(&(data.len() as u32).to_be_bytes());
    chunk.extend_from_slice(b"iTXt");
    chunk.extend_from_slice(&data);
    chunk.extend_from_slice(&crc32fast::hash(&chunk[4..]).to_be_bytes());
    let mut out = Vec::with_capacity(b.len() + chunk.len());
    out.extend_from_slice(&b[..at]);
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&b[at..]);
    Ok(Outcome::Added(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An XMP packet as a camera or editor writes it: another description with
    /// attributes and nested elements, padding, a custom RDF prefix in one case.
    fn foreign(prefix: &str) -> String {
        format!(
            "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n<x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"Adobe XMP Core 7.0\">\n <{p}:RDF xmlns:{p}=\"{RDF_NS}\">\n  <{p}:Description {p}:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmp:CreatorTool=\"Editor &amp; Co\">\n   <dc:title><{p}:Alt><{p}:li xml:lang=\"x-default\">Tee \u{fc}ber alles</{p}:li></{p}:Alt></dc:title>\n  </{p}:Description>\n </{p}:RDF>\n</x:xmpmeta>\n{pad}<?xpacket end=\"w\"?>",
            p = prefix,
            pad = " ".repeat(200)
        )
    }

    fn jpeg_with(xmp: &str) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        let len = 2 + XMP_JPEG_HEADER.len() + xmp.len();
        b.extend_from_slice(&[0xFF, 0xE1]);
        b.extend_from_slice(&(len as u16).to_be_bytes());
        b.extend_from_slice(XMP_JPEG_HEADER);
        b.extend_from_slice(xmp.as_bytes());
        // A quantisation table and the end: enough for the header walk.
        b.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xD9]);
        b
    }

    #[test]
    fn an_existing_packet_keeps_its_bytes_and_gains_the_source_type() {
        for prefix in ["rdf", "r"] {
            let old = foreign(prefix);
            let merged = merge(&old).expect("merged");
            // Everything that was there is still there, in order.
            let at = merged
                .find(&format!(
                    "<{prefix}:Description {prefix}:about=\"\" xmlns:Iptc4xmpExt"
                ))
                .unwrap();
            let inserted = merged[at..].find("/>").unwrap() + 2;
            assert_eq!(
                format!("{}{}", &merged[..at], &merged[at + inserted..]),
                old
            );
            let doc = roxmltree::Document::parse(&merged).unwrap();
            assert!(
                doc.descendants()
                    .any(|n| n.attribute((IPTC_EXT_NS, "DigitalSourceType"))
                        == Some(TRAINED_ALGORITHMIC_MEDIA))
            );
            // Twice is once.
            assert_eq!(merge(&merged), None);
            let Outcome::Added(img) = jpeg(&jpeg_with(&old)).unwrap() else {
                panic!("not merged")
            };
            let m = synthgov_scan::media::marking(synthgov_scan::media::Format::Jpeg, &img);
            assert_eq!(
                m.iptc_source_type.as_deref(),
                Some("trainedAlgorithmicMedia"),
                "{prefix}: the scanner reads the merged XMP"
            );
            assert_eq!(jpeg(&img).unwrap(), Outcome::Kept);
        }
    }

    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        let crc = crc32fast::hash(&c[4..]);
        c.extend_from_slice(&crc.to_be_bytes());
        c
    }

    #[test]
    fn a_png_with_xmp_gains_the_source_type_in_the_same_chunk() {
        let mut itxt = XMP_PNG_KEYWORD.to_vec();
        itxt.extend_from_slice(&[0, 0, 0, 0, 0]);
        itxt.extend_from_slice(foreign("rdf").as_bytes());
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
        png.extend(chunk(b"iTXt", &itxt));
        png.extend(chunk(b"IEND", &[]));
        let Outcome::Added(out) = self::png(&png).unwrap() else {
            panic!("not merged")
        };
        let m = synthgov_scan::media::marking(synthgov_scan::media::Format::Png, &out);
        assert_eq!(
            m.iptc_source_type.as_deref(),
            Some("trainedAlgorithmicMedia")
        );
        assert_eq!(
            out.windows(4).filter(|w| w == b"iTXt").count(),
            1,
            "one packet"
        );
        assert_eq!(self::png(&out).unwrap(), Outcome::Kept);
    }

    #[test]
    fn a_packet_that_is_not_xml_or_states_a_source_is_left_alone() {
        assert_eq!(merge("<x:xmpmeta>not closed"), None);
        assert_eq!(merge("<a/>"), None, "no rdf:RDF");
        let digital = foreign("rdf").replace(
            "xmp:CreatorTool",
            "xmlns:Iptc4xmpExt=\"http://iptc.org/std/Iptc4xmpExt/2008-02-29/\" Iptc4xmpExt:DigitalSourceType=\"http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture\" xmp:CreatorTool",
        );
        assert_eq!(
            merge(&digital),
            None,
            "a declared source type is not overridden"
        );
        assert_eq!(jpeg(&jpeg_with("garbage")).unwrap(), Outcome::Kept);
    }
}
