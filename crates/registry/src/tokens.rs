//! Bearer tokens for the server: 256 random bits, shown once, stored only as their
//! SHA-256. A token's creation and revocation are ledger events (`token.created`,
//! `token.revoked`) whose projection is the `token` inventory object, so the token
//! table can be rebuilt from the log like every other projection. The hash of a
//! 256-bit random secret reveals nothing, so it may sit in the log.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::catalogue::EventType;
use crate::error::RegistryError;
use crate::policy::Action;
use crate::registry::{Actor, Change, Registry};

/// The roles of `shared/spec/api.md`.
pub const ROLES: [&str; 5] = ["admin", "compliance", "engineer", "service", "auditor"];

const PREFIX: &str = "sgt_";

/// The furthest ahead a token's expiry may be (100 years).
pub const MAX_LIFETIME_DAYS: i64 = 36_500;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TokenRecord {
    pub id: String,
    pub name: String,
    pub role: String,
    /// The tenant (store or website) the token is bound to; `None`: the whole store.
    pub tenant: Option<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    /// Hex SHA-256 of the token text.
    pub sha256: String,
}

impl TokenRecord {
    /// Whether the token may be used at `now`.
    pub fn usable_at(&self, now: OffsetDateTime) -> Result<(), &'static str> {
        if self.revoked_at.is_some() {
            return Err("the token was revoked");
        }
        if let Some(exp) = &self.expires_at
            && OffsetDateTime::parse(exp, &Rfc3339).is_ok_and(|e| e <= now)
        {
            return Err("the token has expired");
        }
        Ok(())
    }
}

/// A token as created: the secret is here and nowhere else.
#[derive(Debug, Clone, Serialize)]
pub struct NewToken {
    pub token: String,
    pub id: String,
    pub record: TokenRecord,
}

/// The id of a token: derived from its hash, so a lookup is one indexed read.
fn id_of(sha256_hex: &str) -> String {
    format!("tok_{}", &sha256_hex[..16])
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub struct CreateToken<'a> {
    pub role: &'a str,
    pub name: &'a str,
    pub tenant: Option<&'a str>,
    pub expires_at: Option<OffsetDateTime>,
}

fn valid_tenant(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 64
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Creates a token and records `token.created` (without the secret).
pub fn create(
    reg: &mut Registry,
    actor: &Actor,
    req: &CreateToken,
) -> Result<NewToken, RegistryError> {
    if !ROLES.contains(&req.role) {
        return Err(RegistryError::BadRequest(format!(
            "role {:?} is not one of {}",
            req.role,
            ROLES.join(", ")
        )));
    }
    if req.name.trim().is_empty() || req.name.len() > 128 {
        return Err(RegistryError::BadRequest(
            "a token needs a name (1 to 128 characters) that says who or what uses it".into(),
        ));
    }
    if let Some(t) = req.tenant
        && !valid_tenant(t)
    {
        return Err(RegistryError::BadRequest(format!(
            "tenant {t:?}: use letters, digits, '_', '-' and '.' (at most 64)"
        )));
    }
    let now = OffsetDateTime::now_utc();
    if req.expires_at.is_some_and(|e| e <= now) {
        return Err(RegistryError::BadRequest(
            "the expiry is in the past".into(),
        ));
    }
    if req
        .expires_at
        .is_some_and(|e| e - now > time::Duration::days(MAX_LIFETIME_DAYS))
    {
        return Err(RegistryError::BadRequest(format!(
            "expires_at: more than {MAX_LIFETIME_DAYS} days ahead; leave it out for a token that does not expire"
        )));
    }
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let token = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(secret));
    let sha = hash(&token);
    let id = id_of(&sha);
    let fmt = |t: OffsetDateTime| t.replace_nanosecond(0).unwrap_or(t).format(&Rfc3339);
    let record = TokenRecord {
        id: id.clone(),
        name: req.name.to_owned(),
        role: req.role.to_owned(),
        tenant: req.tenant.map(str::to_owned),
        created_at: fmt(now).unwrap_or_default(),
        expires_at: req.expires_at.and_then(|e| fmt(e).ok()),
        revoked_at: None,
        sha256: sha,
    };
    reg.commit(
        actor,
        Action::ManageTokens,
        vec![change(EventType::TokenCreated, &record)],
    )?;
    Ok(NewToken { token, id, record })
}

fn change(kind: EventType, r: &TokenRecord) -> Change {
    let body = serde_json::to_value(r).expect("serializes");
    let data: Map<String, Value> = body.as_object().cloned().unwrap_or_default();
    Change::new(kind, data)
}

/// Revokes a token by id; revoking a revoked token changes nothing.
pub fn revoke(reg: &mut Registry, actor: &Actor, id: &str) -> Result<TokenRecord, RegistryError> {
    let mut r = get(reg, id)?.ok_or_else(|| RegistryError::NotFound(format!("token {id}")))?;
    if r.revoked_at.is_some() {
        return Ok(r);
    }
    r.revoked_at = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok());
    reg.commit(
        actor,
        Action::ManageTokens,
        vec![change(EventType::TokenRevoked, &r)],
    )?;
    Ok(r)
}

pub fn get(reg: &Registry, id: &str) -> Result<Option<TokenRecord>, RegistryError> {
    Ok(reg
        .object("token", id)?
        .and_then(|v| serde_json::from_value(v).ok()))
}

pub fn list(reg: &Registry) -> Result<Vec<TokenRecord>, RegistryError> {
    Ok(reg
        .objects("token")?
        .into_iter()
        .filter_map(|(_, v)| serde_json::from_value(v).ok())
        .collect())
}

/// Why a presented token is not accepted (the server answers 401 for all of them).
#[derive(Debug, Clone, PartialEq)]
pub enum Rejected {
    Malformed,
    Unknown,
    Unusable(&'static str),
    /// The row does not match the ledger entry that should have set it.
    Tampered(String),
}

/// Finds the record of a presented token and checks it may be used now.
pub fn authenticate(
    reg: &Registry,
    token: &str,
) -> Result<Result<TokenRecord, Rejected>, RegistryError> {
    if !token.starts_with(PREFIX) || token.len() != PREFIX.len() + 43 {
        return Ok(Err(Rejected::Malformed));
    }
    let sha = hash(token);
    let Some(rec) = get(reg, &id_of(&sha))? else {
        return Ok(Err(Rejected::Unknown));
    };
    // Equal ids and unequal hashes: a 64-bit prefix collision, or a forged row.
    if !constant_time_eq(rec.sha256.as_bytes(), sha.as_bytes()) {
        return Ok(Err(Rejected::Unknown));
    }
    if let Err(problem) = crate::integrity::check_token(reg, &rec.id)? {
        return Ok(Err(Rejected::Tampered(problem)));
    }
    Ok(match rec.usable_at(OffsetDateTime::now_utc()) {
        Ok(()) => Ok(rec),
        Err(why) => Err(Rejected::Unusable(why)),
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The JSON the CLI and the API print for a token record (never the hash).
pub fn public(r: &TokenRecord) -> Value {
    json!({
        "id": r.id, "name": r.name, "role": r.role, "tenant": r.tenant,
        "created_at": r.created_at, "expires_at": r.expires_at, "revoked_at": r.revoked_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg() -> (tempfile::TempDir, Registry) {
        let dir = tempfile::tempdir().unwrap();
        let home = synthgov_store::Home::at(dir.path().to_owned());
        home.init().unwrap();
        let reg = Registry::open(&home).unwrap();
        (dir, reg)
    }

    #[test]
    fn created_token_authenticates_until_revoked_and_only_its_hash_is_kept() {
        let (_d, mut reg) = reg();
        let admin = Actor::new("cli:test");
        let t = create(
            &mut reg,
            &admin,
            &CreateToken {
                role: "engineer",
                name: "ci",
                tenant: Some("eu-store"),
                expires_at: None,
            },
        )
        .unwrap();
        assert_eq!(t.token.len(), 4 + 43);
        let rec = authenticate(&reg, &t.token).unwrap().unwrap();
        assert_eq!(
            (rec.role.as_str(), rec.tenant.as_deref()),
            ("engineer", Some("eu-store"))
        );
        // The secret is in no ledger entry.
        let entries = reg
            .ledger()
            .list(&synthgov_ledger::ListQuery {
                type_prefix: None,
                from: 0,
                limit: u64::MAX,
            })
            .unwrap();
        let all = serde_json::to_string(&entries).unwrap();
        assert!(!all.contains(&t.token[4..]));
        assert!(all.contains("token.created"));

        // A changed character is unknown; a wrong shape is malformed.
        let mut other = t.token.clone();
        other.replace_range(10..11, if &other[10..11] == "A" { "B" } else { "A" });
        assert_eq!(authenticate(&reg, &other).unwrap(), Err(Rejected::Unknown));
        assert_eq!(
            authenticate(&reg, "hello").unwrap(),
            Err(Rejected::Malformed)
        );

        revoke(&mut reg, &admin, &t.id).unwrap();
        assert_eq!(
            authenticate(&reg, &t.token).unwrap(),
            Err(Rejected::Unusable("the token was revoked"))
        );
        let size = reg.ledger().size().unwrap();
        revoke(&mut reg, &admin, &t.id).unwrap();
        assert_eq!(
            reg.ledger().size().unwrap(),
            size,
            "second revoke is a no-op"
        );
    }

    #[test]
    fn bad_requests_are_refused_before_anything_is_written() {
        let (_d, mut reg) = reg();
        let a = Actor::new("cli:test");
        let size = reg.ledger().size().unwrap();
        for (role, name, tenant) in [
            ("root", "x", None),
            ("admin", " ", None),
            ("admin", "x", Some("a b")),
        ] {
            let e = create(
                &mut reg,
                &a,
                &CreateToken {
                    role,
                    name,
                    tenant,
                    expires_at: None,
                },
            );
            assert!(e.unwrap_err().is_bad_input());
        }
        let past = OffsetDateTime::now_utc() - time::Duration::hours(1);
        assert!(
            create(
                &mut reg,
                &a,
                &CreateToken {
                    role: "admin",
                    name: "x",
                    tenant: None,
                    expires_at: Some(past)
                }
            )
            .is_err()
        );
        assert_eq!(reg.ledger().size().unwrap(), size);
    }

    #[test]
    fn an_expired_record_is_not_usable() {
        let r = TokenRecord {
            id: "tok_x".into(),
            name: "n".into(),
            role: "admin".into(),
            tenant: None,
            created_at: "2026-01-01T00:00:00Z".into(),
            expires_at: Some("2026-02-01T00:00:00Z".into()),
            revoked_at: None,
            sha256: String::new(),
        };
        let before = OffsetDateTime::parse("2026-01-31T23:59:59Z", &Rfc3339).unwrap();
        let after = OffsetDateTime::parse("2026-02-01T00:00:00Z", &Rfc3339).unwrap();
        assert!(r.usable_at(before).is_ok());
        assert_eq!(r.usable_at(after), Err("the token has expired"));
    }
}
