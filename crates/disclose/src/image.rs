//! `disclose image` and `verify-media`: C2PA content credentials (the c2pa crate,
//! pure-Rust crypto) plus IPTC DigitalSourceType in XMP.
//!
//! The manifest's `c2pa.actions` assertion holds one `c2pa.created` action with
//! `digitalSourceType` trainedAlgorithmicMedia, the generator as `softwareAgent`, and
//! in its parameters the ledger entry of the asset's registration and the checkpoint
//! that covers it, so a reader can go from the image to the signed log.

use std::io::Cursor;

use serde::Serialize;
use serde_json::{Value, json};
use synthgov_scan::media::{self, AI_SOURCE_TYPES, Format};

use crate::page::TRAINED_ALGORITHMIC_MEDIA;
use crate::xmp;

/// Where the asset's provenance is in the ledger.
#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    pub generator: String,
    /// SHA-256 of the image before marking (the registered asset).
    pub asset_sha256: String,
    /// The ledger entry that registered the asset.
    pub ledger_index: Option<u64>,
    /// The signed checkpoint (C2SP note text) that covers that entry.
    pub checkpoint: Option<String>,
    pub origin: String,
}

#[derive(Debug)]
pub struct Marked {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    /// Whether the XMP DigitalSourceType was written (false: the image already had
    /// an XMP packet, kept as it was).
    pub xmp_added: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("unsupported image format {0}: disclose image marks JPEG and PNG")]
    Unsupported(String),
    #[error("not an image (unrecognised file format)")]
    NotAnImage,
    #[error("corrupt image: {0}")]
    Corrupt(String),
    #[error("already carries a C2PA manifest; check it with `synthgov verify-media`")]
    AlreadyMarked,
    #[error("signing identity: {0}")]
    Identity(String),
    #[error("C2PA: {0}")]
    C2pa(String),
}

fn mime(format: Format) -> Result<&'static str, ImageError> {
    match format {
        Format::Jpeg => Ok("image/jpeg"),
        Format::Png => Ok("image/png"),
        other => Err(ImageError::Unsupported(format!("{other:?}"))),
    }
}

/// Reader settings: offline (no remote manifests, no OCSP fetch), with `anchors` (PEM)
/// as the trust list when given.
fn context(anchors: Option<&str>) -> Result<c2pa::Context, ImageError> {
    let mut s = json!({
        "verify": {
            "remote_manifest_fetch": false,
            "ocsp_fetch": false,
        }
    });
    if let Some(a) = anchors {
        s["trust"] = json!({ "trust_anchors": a });
    }
    c2pa::Context::new()
        .with_settings(s)
        .map_err(|e| ImageError::C2pa(e.to_string()))
}

/// Marks an image: XMP first, then the C2PA manifest over the result.
pub fn mark_image(
    input: &[u8],
    chain_pem: &[u8],
    key_pem: &[u8],
    prov: &Provenance,
) -> Result<Marked, ImageError> {
    let format = media::sniff(input).ok_or(ImageError::NotAnImage)?;
    let mime = mime(format)?;
    if media::marking(format, input).c2pa {
        return Err(ImageError::AlreadyMarked);
    }
    let with_xmp = match format {
        Format::Jpeg => xmp::jpeg(input),
        _ => xmp::png(input),
    }
    .map_err(|e| ImageError::Corrupt(e.0))?;
    let (source, xmp_added) = match with_xmp {
        xmp::Outcome::Added(b) => (b, true),
        xmp::Outcome::Kept => (input.to_vec(), false),
    };

    let signer =
        c2pa::create_signer::from_keys(chain_pem, key_pem, c2pa::SigningAlg::Ed25519, None)
            .map_err(|e| ImageError::Identity(e.to_string()))?;
    let mut ledger = json!({
        "origin": prov.origin,
        "asset_sha256": prov.asset_sha256,
    });
    if let Some(i) = prov.ledger_index {
        ledger["index"] = json!(i);
    }
    if let Some(c) = &prov.checkpoint {
        ledger["checkpoint"] = json!(c);
    }
    let definition = json!({
        "claim_generator_info": [{ "name": "synthgov", "version": env!("CARGO_PKG_VERSION") }],
        "format": mime,
        "title": format!("AI-generated image by {}", prov.generator),
        "assertions": [{
            "label": "c2pa.actions",
            "data": {
                "actions": [{
                    "action": "c2pa.created",
                    "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA,
                    "softwareAgent": { "name": prov.generator },
                    "parameters": { "org.synthgov.ledger": ledger },
                }]
            }
        }]
    });
    let mut builder = c2pa::Builder::from_context(context(None)?)
        .with_definition(definition.to_string())
        .map_err(|e| ImageError::C2pa(e.to_string()))?;
    let mut src = Cursor::new(source);
    let mut dest = Cursor::new(Vec::new());
    builder
        .sign(signer.as_ref(), mime, &mut src, &mut dest)
        .map_err(|e| match e {
            c2pa::Error::InvalidAsset(m) => ImageError::Corrupt(m),
            other => ImageError::C2pa(other.to_string()),
        })?;
    Ok(Marked {
        bytes: dest.into_inner(),
        mime,
        xmp_added,
    })
}

/// One validation status from the reader.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct C2paReport {
    /// c2pa's ValidationState: Invalid, Valid or Trusted.
    pub validation_state: String,
    pub signature_ok: bool,
    pub hashes_ok: bool,
    /// The signing certificate chains to a configured trust anchor.
    pub trusted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_generator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digital_source_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_agent: Option<String>,
    /// `org.synthgov.ledger` from the created action, when synthgov marked it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger: Option<Value>,
    pub failures: Vec<Status>,
    pub informational: Vec<Status>,
    /// Why the manifest could not be read, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MediaReport {
    pub format: String,
    pub sha256: String,
    /// `unmarked`, `valid`, `trusted` or `invalid`.
    pub verdict: &'static str,
    pub ai_generated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iptc_digital_source_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub c2pa: Option<C2paReport>,
}

fn statuses(v: Option<&Value>) -> Vec<Status> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| {
                    Some(Status {
                        code: s.get("code")?.as_str()?.to_owned(),
                        explanation: s
                            .get("explanation")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn is_ai(source_type: &str) -> bool {
    let t = source_type.rsplit('/').next().unwrap_or(source_type);
    AI_SOURCE_TYPES.contains(&t)
}

/// Reads and validates an image's content credentials and XMP marking.
pub fn verify_media(bytes: &[u8], anchors: Option<&str>) -> Result<MediaReport, ImageError> {
    use sha2::Digest;
    let format = media::sniff(bytes).ok_or(ImageError::NotAnImage)?;
    let marking = media::marking(format, bytes);
    let mut report = MediaReport {
        format: format!("{format:?}").to_lowercase(),
        sha256: hex::encode(sha2::Sha256::digest(bytes)),
        verdict: "unmarked",
        ai_generated: marking.iptc_source_type.as_deref().is_some_and(is_ai),
        generator: None,
        iptc_digital_source_type: marking.iptc_source_type.clone(),
        c2pa: None,
    };
    if !marking.c2pa {
        return Ok(report);
    }
    let mime = match format {
        Format::Jpeg => "image/jpeg",
        Format::Png => "image/png",
        Format::Webp => "image/webp",
        Format::Avif => "image/avif",
        Format::Mp4 => "video/mp4",
        Format::Gif => "image/gif",
        Format::Svg => "image/svg+xml",
    };
    let reader = c2pa::Reader::from_context(context(anchors)?)
        .with_stream(mime, Cursor::new(bytes.to_vec()));
    let reader = match reader {
        Ok(r) => r,
        Err(c2pa::Error::JumbfNotFound) => return Ok(report),
        Err(e) => {
            report.verdict = "invalid";
            report.c2pa = Some(C2paReport {
                validation_state: "Invalid".into(),
                signature_ok: false,
                hashes_ok: false,
                trusted: false,
                signer: None,
                issuer: None,
                signed_at: None,
                claim_generator: None,
                digital_source_type: None,
                software_agent: None,
                ledger: None,
                failures: vec![],
                informational: vec![],
                error: Some(e.to_string()),
            });
            return Ok(report);
        }
    };
    let state = format!("{:?}", reader.validation_state());
    let store: Value = serde_json::from_str(&reader.json()).unwrap_or(Value::Null);
    let active = store
        .get("active_manifest")
        .and_then(Value::as_str)
        .and_then(|l| store.get("manifests")?.get(l))
        .cloned()
        .unwrap_or(Value::Null);
    let results = store
        .get("validation_results")
        .and_then(|r| r.get("activeManifest"));
    let failures = statuses(results.and_then(|r| r.get("failure")));
    let informational = statuses(results.and_then(|r| r.get("informational")));
    let success = statuses(results.and_then(|r| r.get("success")));
    let failed = |prefixes: &[&str]| {
        failures
            .iter()
            .any(|s| prefixes.iter().any(|p| s.code.starts_with(p)))
    };
    let signature_ok = success.iter().any(|s| s.code == "claimSignature.validated")
        && !failed(&[
            "claimSignature.",
            "signingCredential.invalid",
            "signingCredential.revoked",
        ]);
    let hashes_ok = !failed(&[
        "assertion.dataHash",
        "assertion.boxesHash",
        "assertion.bmffHash",
        "assertion.hashedURI",
        "assertion.missing",
    ]) && success.iter().any(|s| s.code.ends_with(".match"));
    let trusted = state == "Trusted";

    // The first action with a digital source type.
    let mut dst = None;
    let mut agent = None;
    let mut ledger = None;
    if let Some(assertions) = active.get("assertions").and_then(Value::as_array) {
        for a in assertions {
            let label = a.get("label").and_then(Value::as_str).unwrap_or("");
            if !label.starts_with("c2pa.actions") {
                continue;
            }
            let actions = a
                .get("data")
                .and_then(|d| d.get("actions"))
                .and_then(Value::as_array);
            for act in actions.into_iter().flatten() {
                if dst.is_none()
                    && let Some(t) = act.get("digitalSourceType").and_then(Value::as_str)
                {
                    dst = Some(t.to_owned());
                    agent = match act.get("softwareAgent") {
                        Some(Value::String(s)) => Some(s.clone()),
                        Some(o) => o.get("name").and_then(Value::as_str).map(str::to_owned),
                        None => None,
                    };
                    ledger = act
                        .get("parameters")
                        .and_then(|p| p.get("org.synthgov.ledger"))
                        .cloned();
                }
            }
        }
    }
    let sig = active.get("signature_info");
    let s = |k: &str| {
        sig.and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    report.ai_generated |= dst.as_deref().is_some_and(is_ai);
    report.generator = agent.clone();
    report.verdict = match state.as_str() {
        "Trusted" => "trusted",
        "Valid" => "valid",
        _ => "invalid",
    };
    report.c2pa = Some(C2paReport {
        validation_state: state,
        signature_ok,
        hashes_ok,
        trusted,
        signer: s("common_name"),
        issuer: s("issuer"),
        signed_at: s("time"),
        claim_generator: active
            .get("claim_generator_info")
            .and_then(|c| c.get(0))
            .and_then(|c| c.get("name"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                active
                    .get("claim_generator")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            }),
        digital_source_type: dst,
        software_agent: agent,
        ledger,
        failures,
        informational,
        error: None,
    });
    Ok(report)
}
