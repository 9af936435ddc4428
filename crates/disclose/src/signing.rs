//! The C2PA signing identity. c2pa refuses a self-signed signer, so `synthgov init`
//! makes a small local CA and an end-entity certificate it issued (basicConstraints
//! CA:FALSE, keyUsage digitalSignature, extendedKeyUsage emailProtection and C2PA's
//! documentSigning, SKI and AKI), Ed25519 keys in PKCS#8 PEM. A reader trusts such
//! images only with our CA as a trust anchor; a store that needs images trusted
//! everywhere configures a chain from a C2PA-trusted CA in `[disclose]` instead.

use std::io::Write;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PKCS_ED25519,
};

pub const CA_CERT: &str = "c2pa-ca.pem";
pub const CA_KEY: &str = "c2pa-ca.key";
pub const SIGNER_CHAIN: &str = "c2pa-signer-chain.pem";
pub const SIGNER_KEY: &str = "c2pa-signer.key";

/// C2PA's documentSigning extended key usage (1.3.6.1.5.5.7.3.36).
const DOCUMENT_SIGNING: [u64; 9] = [1, 3, 6, 1, 5, 5, 7, 3, 36];

#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("making the local C2PA CA: {0}")]
    Certificate(#[from] rcgen::Error),
}

/// Where the signing identity's files are.
#[derive(Debug, Clone)]
pub struct Identity {
    pub chain: PathBuf,
    pub key: PathBuf,
    /// The local CA (a trust anchor for verification), absent for a configured chain.
    pub ca: Option<PathBuf>,
}

impl Identity {
    pub fn local(keys_dir: &Path) -> Identity {
        Identity {
            chain: keys_dir.join(SIGNER_CHAIN),
            key: keys_dir.join(SIGNER_KEY),
            ca: Some(keys_dir.join(CA_CERT)),
        }
    }

    pub fn read(&self) -> Result<(Vec<u8>, Vec<u8>), SigningError> {
        let read = |p: &Path| {
            std::fs::read(p).map_err(|e| SigningError::Io {
                path: p.to_owned(),
                source: e,
            })
        };
        Ok((read(&self.chain)?, read(&self.key)?))
    }

    /// The CA certificate's PEM, when there is a local CA.
    pub fn trust_anchor(&self) -> Option<String> {
        self.ca
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
    }
}

/// Creates the local CA and signer in `keys_dir` unless they exist (never replaces a
/// key). Returns whether anything was created.
pub fn ensure_local_ca(keys_dir: &Path, store_id: &str) -> Result<bool, SigningError> {
    let id = Identity::local(keys_dir);
    if id.chain.exists() && id.key.exists() && keys_dir.join(CA_CERT).exists() {
        return Ok(false);
    }
    let now = time::OffsetDateTime::now_utc();
    let mut ca_params = CertificateParams::default();
    ca_params.distinguished_name = rcgen::DistinguishedName::new();
    ca_params.distinguished_name.push(
        DnType::CommonName,
        format!("synthgov local C2PA CA {store_id}"),
    );
    ca_params
        .distinguished_name
        .push(DnType::OrganizationName, "synthgov");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params.not_before = now - time::Duration::days(1);
    ca_params.not_after = now + time::Duration::days(3650);
    let ca_key = KeyPair::generate_for(&PKCS_ED25519)?;
    let ca_cert = ca_params.self_signed(&ca_key)?;

    let mut ee = CertificateParams::default();
    ee.distinguished_name = rcgen::DistinguishedName::new();
    ee.distinguished_name.push(
        DnType::CommonName,
        format!("synthgov content credentials {store_id}"),
    );
    ee.distinguished_name
        .push(DnType::OrganizationName, "synthgov");
    ee.is_ca = IsCa::ExplicitNoCa;
    ee.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    ee.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::EmailProtection,
        ExtendedKeyUsagePurpose::Other(DOCUMENT_SIGNING.to_vec()),
    ];
    ee.use_authority_key_identifier_extension = true;
    ee.not_before = ca_params.not_before;
    ee.not_after = now + time::Duration::days(825);
    let ee_key = KeyPair::generate_for(&PKCS_ED25519)?;
    let issuer = Issuer::from_params(&ca_params, &ca_key);
    let ee_cert = ee.signed_by(&ee_key, &issuer)?;

    std::fs::create_dir_all(keys_dir).map_err(|e| SigningError::Io {
        path: keys_dir.to_owned(),
        source: e,
    })?;
    write_new(
        &keys_dir.join(CA_KEY),
        ca_key.serialize_pem().as_bytes(),
        0o600,
    )?;
    write_new(&id.key, ee_key.serialize_pem().as_bytes(), 0o600)?;
    write_new(&keys_dir.join(CA_CERT), ca_cert.pem().as_bytes(), 0o644)?;
    write_new(
        &id.chain,
        format!("{}{}", ee_cert.pem(), ca_cert.pem()).as_bytes(),
        0o644,
    )?;
    Ok(true)
}

/// Writes a file that must not exist yet (a concurrent init loses cleanly).
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), SigningError> {
    let err = |e| SigningError::Io {
        path: path.to_owned(),
        source: e,
    };
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = opts.open(path).map_err(err)?;
    f.write_all(bytes).map_err(err)?;
    f.sync_all().map_err(err)?;
    Ok(())
}
