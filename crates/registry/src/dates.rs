//! When each obligation applies: the application dates as data
//! (`rules/dates.yaml`, shipped with the legal source of every date; a store replaces
//! entries by id in the file `[classification] dates` of synthgov.toml names).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::Date;

use crate::error::RegistryError;

pub const SHIPPED_DATES: &str = include_str!("../rules/dates.yaml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatesFile {
    version: u32,
    dates: Vec<DateEntry>,
}

/// One application date and where the law sets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateEntry {
    pub id: String,
    /// YYYY-MM-DD.
    pub applies_from: String,
    pub source: String,
}

/// The dates in force for a classification.
#[derive(Debug, Clone)]
pub struct Dates {
    entries: BTreeMap<String, (DateEntry, Date)>,
    /// SHA-256 over the files the dates came from: part of the rules version an
    /// assessment records.
    pub sha256: String,
}

pub fn parse_date(s: &str) -> Option<Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, fmt).ok()
}

impl Dates {
    /// The shipped dates plus the home's override file, if synthgov.toml names one.
    pub fn for_home(home: &synthgov_store::Home) -> Result<Dates, RegistryError> {
        let user = crate::parse::home_file(home, |c| c.dates)?;
        Dates::load(user.as_ref().map(|(n, t)| (n.as_str(), t.as_str())))
    }

    /// The shipped dates, with an optional override file (`(name, text)`) whose
    /// entries replace shipped ones by id or add new ids.
    pub fn load(user: Option<(&str, &str)>) -> Result<Dates, RegistryError> {
        let mut hasher = Sha256::new();
        hasher.update(SHIPPED_DATES);
        if let Some((_, text)) = user {
            hasher.update(b"\0");
            hasher.update(text);
        }
        let mut entries = BTreeMap::new();
        for (file, text) in
            std::iter::once(("rules/dates.yaml (shipped)", SHIPPED_DATES)).chain(user)
        {
            let parsed: DatesFile = crate::parse::yaml(file, text)?;
            if parsed.version != 1 {
                return Err(RegistryError::bad_file(
                    file,
                    None,
                    format!("version {}: this synthgov reads version 1", parsed.version),
                ));
            }
            for e in parsed.dates {
                let line = crate::parse::locate(text, &e.id, &e.applies_from);
                let Some(d) = parse_date(&e.applies_from) else {
                    return Err(RegistryError::bad_file(
                        file,
                        line,
                        format!(
                            "field `applies_from` of {}: {:?} is not a date (YYYY-MM-DD)",
                            e.id, e.applies_from
                        ),
                    ));
                };
                if e.source.trim().is_empty() {
                    return Err(RegistryError::bad_file(
                        file,
                        line,
                        format!("field `source` of {}: name the legal source", e.id),
                    ));
                }
                entries.insert(e.id.clone(), (e, d));
            }
        }
        Ok(Dates {
            entries,
            sha256: hex::encode(hasher.finalize()),
        })
    }

    pub fn get(&self, id: &str) -> Option<(&DateEntry, Date)> {
        self.entries.get(id).map(|(e, d)| (e, *d))
    }

    pub fn all(&self) -> impl Iterator<Item = &DateEntry> {
        self.entries.values().map(|(e, _)| e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_dates_are_those_of_the_spec() {
        let d = Dates::load(None).unwrap();
        let want = [
            ("AIA-ART5", "2025-02-02"),
            ("AIA-ART4", "2025-02-02"),
            ("AIA-GPAI", "2025-08-02"),
            ("AIA-ART50", "2026-08-02"),
            ("AIA-ART50-2-LEGACY", "2026-12-02"),
            ("AIA-ANNEX-III", "2027-12-02"),
            ("AIA-ANNEX-I", "2028-08-02"),
        ];
        for (id, date) in want {
            assert_eq!(d.get(id).unwrap().0.applies_from, date, "{id}");
        }
    }

    #[test]
    fn an_override_replaces_by_id_and_changes_the_digest() {
        let shipped = Dates::load(None).unwrap();
        let d = Dates::load(Some((
            "dates.yaml",
            "version: 1\ndates:\n  - { id: AIA-ANNEX-III, applies_from: 2028-06-01, source: \"a later amendment\" }\n",
        )))
        .unwrap();
        assert_eq!(d.get("AIA-ANNEX-III").unwrap().0.applies_from, "2028-06-01");
        assert_eq!(d.get("AIA-ART5").unwrap().0.applies_from, "2025-02-02");
        assert_ne!(d.sha256, shipped.sha256);
        let e = Dates::load(Some((
            "dates.yaml",
            "version: 1\ndates:\n  - id: X\n    applies_from: 2028-02-30\n    source: s\n",
        )))
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("dates.yaml") && e.contains("line 4") && e.contains("applies_from"),
            "{e}"
        );
    }
}
