//! Feature flags: `generation` (the kill switch), `audit_mode`, per-surface flags.
//! A flip is a `flag.changed` ledger event through the one write path; a flag never
//! set is on.

use serde::Serialize;
use serde_json::{Map, json};

use crate::catalogue::EventType;
use crate::error::RegistryError;
use crate::policy::Action;
use crate::registry::{Actor, Change, Registry};

/// The kill switch for generation.
pub const GENERATION: &str = "generation";

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Flag {
    pub name: String,
    pub enabled: bool,
    pub changed_at: Option<String>,
    pub changed_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-' || c == '.'
        })
}

impl Registry {
    /// Every flag that was ever set, plus `generation` (on unless set off).
    pub fn flags(&self) -> Result<Vec<Flag>, RegistryError> {
        let rows = self.db().query(
            "SELECT name, enabled, changed_at, changed_by, reason FROM flags ORDER BY name",
            &[],
        )?;
        let mut flags = rows
            .iter()
            .map(|r| {
                Ok(Flag {
                    name: r.text(0)?,
                    enabled: r.int(1)? != 0,
                    changed_at: r.opt_text(2)?,
                    changed_by: r.opt_text(3)?,
                    reason: r.opt_text(4)?,
                })
            })
            .collect::<Result<Vec<Flag>, RegistryError>>()?;
        if !flags.iter().any(|f| f.name == GENERATION) {
            flags.insert(
                0,
                Flag {
                    name: GENERATION.into(),
                    enabled: true,
                    changed_at: None,
                    changed_by: None,
                    reason: None,
                },
            );
        }
        Ok(flags)
    }

    /// Whether `name` is on (a flag never set is on).
    pub fn flag_enabled(&self, name: &str) -> Result<bool, RegistryError> {
        let (truth, row) = crate::integrity::check_flag(self, name)?;
        if let Err(problem) = row {
            return Err(RegistryError::Tampered(problem));
        }
        Ok(truth.unwrap_or(true))
    }

    /// Sets a flag; a no-op (no event) when it already has that value.
    pub fn set_flag(
        &mut self,
        actor: &Actor,
        name: &str,
        enabled: bool,
        reason: Option<&str>,
    ) -> Result<bool, RegistryError> {
        if !valid_name(name) {
            return Err(RegistryError::BadRequest(format!(
                "flag name {name:?}: use lowercase letters, digits, '_', '-', '.'"
            )));
        }
        if self
            .flags()?
            .iter()
            .any(|f| f.name == name && f.enabled == enabled && f.changed_at.is_some())
        {
            return Ok(false);
        }
        let mut data = Map::new();
        data.insert("flag".into(), json!(name));
        data.insert("enabled".into(), json!(enabled));
        if let Some(r) = reason {
            data.insert("reason".into(), json!(r));
        }
        self.commit(
            actor,
            Action::SetFlag,
            vec![Change::new(EventType::FlagChanged, data)],
        )?;
        Ok(true)
    }
}
