//! IPTC `Iptc4xmpExt:DigitalSourceType` in XMP, written into JPEG (an APP1 segment)
//! and PNG (an `iTXt` chunk) before the C2PA manifest is signed, so the manifest's
//! hash covers it. An image that already carries an XMP packet keeps it untouched
//! (rewriting someone's XMP needs a real XMP toolkit); C2PA still marks it.

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
    Added(Vec<u8>),
    /// An XMP packet is already there; left as it is.
    Kept,
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
            return Ok(Outcome::Kept);
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
            return Ok(Outcome::Kept);
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
