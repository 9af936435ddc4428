//! Reading and validating an inventory file. Every refusal names the file, the line
//! (from the YAML parser, or by locating the offending value) and the field.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::RegistryError;
use crate::model::{ANNEX_III_POINTS, Inventory, is_eu_eea};

/// Parses `text` (the contents of `file`) strictly, then checks references.
/// `use_cases` is the taxonomy the classification rules know.
pub fn parse_inventory(
    file: &str,
    text: &str,
    use_cases: &BTreeSet<String>,
) -> Result<Inventory, RegistryError> {
    let inv: Inventory = yaml(file, text)?;
    validate(file, text, &inv, use_cases)?;
    Ok(inv)
}

/// Reads a YAML file of ours strictly; an error names the file and line.
pub fn yaml<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, RegistryError> {
    serde_norway::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line());
        // serde_norway appends " at line L column C"; the line is shown already.
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
        RegistryError::bad_file(file, line, msg)
    })
}

/// The override file `pick` names in the home's synthgov.toml (relative to the home
/// folder), as (its name, its text); None when the config names none.
pub fn home_file(
    home: &synthgov_store::Home,
    pick: impl FnOnce(synthgov_store::home::ClassificationConfig) -> Option<std::path::PathBuf>,
) -> Result<Option<(String, String)>, RegistryError> {
    let config = home.config()?;
    let Some(path) = config.classification.and_then(pick) else {
        return Ok(None);
    };
    let path = if path.is_relative() {
        home.dir.join(path)
    } else {
        path
    };
    let name = path.display().to_string();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| RegistryError::bad_file(&name, None, e.to_string()))?;
    Ok(Some((name, text)))
}

/// The line (1-based) of the first line at or after the line declaring `id: owner`
/// that contains `needle`; the first line containing it anywhere otherwise.
pub fn locate(text: &str, owner: &str, needle: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| {
            let t = l.trim_start().trim_start_matches("- ").trim();
            t.strip_prefix("id:").map(|v| unquote(v.trim())) == Some(owner)
        })
        .unwrap_or(0);
    lines[start..]
        .iter()
        .position(|l| l.contains(needle))
        .map(|p| start + p + 1)
        .or_else(|| lines.iter().position(|l| l.contains(needle)).map(|p| p + 1))
}

fn unquote(s: &str) -> &str {
    s.trim_matches(|c| c == '"' || c == '\'')
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

fn valid_region(code: &str) -> bool {
    is_eu_eea(code) || (code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()))
}

pub fn valid_date(d: &str) -> bool {
    let parts: Vec<&str> = d.split('-').collect();
    let [y, m, day] = parts.as_slice() else {
        return false;
    };
    let (Ok(y), Ok(m), Ok(day)) = (y.parse::<u32>(), m.parse::<u32>(), day.parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    d.len() == 10 && (1..=12).contains(&m) && day >= 1 && day <= days[(m - 1) as usize]
}

fn validate<'a>(
    file: &str,
    text: &str,
    inv: &'a Inventory,
    use_cases: &BTreeSet<String>,
) -> Result<(), RegistryError> {
    let fail = |owner: &str, needle: &str, field: &str, message: String| {
        Err(RegistryError::bad_file(
            file,
            locate(text, owner, needle),
            format!("field `{field}`: {message}"),
        ))
    };
    let mut ids: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut check_ids = |kind: &'static str, list: Vec<&'a str>| -> Result<(), RegistryError> {
        for id in list {
            if !valid_id(id) {
                return fail(
                    id,
                    id,
                    &format!("{kind}.id"),
                    format!("{id:?} is not a valid id (lowercase letters, digits, '-', '_', '.')"),
                );
            }
            if !ids.entry(kind).or_default().insert(id) {
                return fail(
                    id,
                    id,
                    &format!("{kind}.id"),
                    format!("{id:?} is declared twice"),
                );
            }
        }
        Ok(())
    };
    check_ids(
        "sources",
        inv.sources.iter().map(|s| s.id.as_str()).collect(),
    )?;
    check_ids(
        "generators",
        inv.generators.iter().map(|s| s.id.as_str()).collect(),
    )?;
    check_ids(
        "datasets",
        inv.datasets.iter().map(|s| s.id.as_str()).collect(),
    )?;
    check_ids(
        "systems",
        inv.systems.iter().map(|s| s.id.as_str()).collect(),
    )?;
    check_ids(
        "vendors",
        inv.vendors.iter().map(|s| s.id.as_str()).collect(),
    )?;
    let has = |kind: &str, id: &str| ids.get(kind).is_some_and(|s| s.contains(id));

    if let Some(store) = &inv.store {
        if let Some(code) = &store.establishment
            && !valid_region(code)
        {
            return fail(
                "",
                code,
                "store.establishment",
                format!("{code:?} is not an ISO 3166 alpha-2 code (e.g. DE) or EU"),
            );
        }
        for code in std::iter::once(&store.jurisdiction).chain(&store.markets) {
            if !valid_region(code) {
                return fail(
                    "",
                    code,
                    "store.jurisdiction",
                    format!("{code:?} is not an ISO 3166 alpha-2 code (e.g. US, DE) or EU"),
                );
            }
        }
    }
    for s in &inv.sources {
        if !valid_region(&s.jurisdiction) {
            return fail(
                &s.id,
                &s.jurisdiction,
                "sources.jurisdiction",
                format!("{:?} is not an ISO 3166 alpha-2 code or EU", s.jurisdiction),
            );
        }
    }
    for g in &inv.generators {
        if !valid_region(&g.location) {
            return fail(
                &g.id,
                &g.location,
                "generators.location",
                format!("{:?} is not an ISO 3166 alpha-2 code or EU", g.location),
            );
        }
        if let Some(d) = &g.placed_on_market
            && !valid_date(d)
        {
            return fail(
                &g.id,
                d,
                "generators.placed_on_market",
                format!("{d:?} is not a date (YYYY-MM-DD)"),
            );
        }
        if let Some(v) = &g.vendor
            && !has("vendors", v)
        {
            return fail(
                &g.id,
                v,
                "generators.vendor",
                format!(
                    "generator {:?} names vendor {v:?}, which is not declared under vendors",
                    g.id
                ),
            );
        }
        for src in &g.trained_on {
            if !has("sources", src) {
                return fail(
                    &g.id,
                    src,
                    "generators.trained_on",
                    format!(
                        "generator {:?} is trained on {src:?}, which is not declared under sources",
                        g.id
                    ),
                );
            }
        }
    }
    for d in &inv.datasets {
        if !has("generators", &d.generator) {
            return fail(
                &d.id,
                &d.generator,
                "datasets.generator",
                format!(
                    "dataset {:?} names generator {:?}, which is not declared under generators",
                    d.id, d.generator
                ),
            );
        }
    }
    for s in &inv.systems {
        if !use_cases.contains(&s.use_case) {
            return fail(
                &s.id,
                &s.use_case,
                "systems.use_case",
                format!(
                    "unknown use case {:?}; known: {}",
                    s.use_case,
                    use_cases.iter().cloned().collect::<Vec<_>>().join(", ")
                ),
            );
        }
        for t in &s.trained_on {
            let (id, version) = split_version(t);
            let ok = match version {
                Some(Err(())) => false,
                Some(Ok(_)) => has("datasets", id),
                None => has("datasets", id) || has("sources", id),
            };
            if !ok {
                return fail(
                    &s.id,
                    t,
                    "systems.trained_on",
                    format!(
                        "system {:?} is trained on {t:?}, which is not a declared dataset (optionally id@version) or source",
                        s.id
                    ),
                );
            }
        }
        if let Some(v) = &s.vendor
            && !has("vendors", v)
        {
            return fail(
                &s.id,
                v,
                "systems.vendor",
                format!(
                    "system {:?} names vendor {v:?}, which is not declared under vendors",
                    s.id
                ),
            );
        }
        if let Some(d) = &s.placed_on_market
            && !valid_date(d)
        {
            return fail(
                &s.id,
                d,
                "systems.placed_on_market",
                format!("{d:?} is not a date (YYYY-MM-DD)"),
            );
        }
        if let Some(p) = &s.annex_iii
            && !ANNEX_III_POINTS.contains(&p.as_str())
        {
            return fail(
                &s.id,
                p,
                "systems.annex_iii",
                format!(
                    "{p:?} is not an Annex III point; known: {}",
                    ANNEX_III_POINTS.join(", ")
                ),
            );
        }
        for g in &s.generators {
            if !has("generators", g) {
                return fail(
                    &s.id,
                    g,
                    "systems.generators",
                    format!(
                        "system {:?} names generator {g:?}, which is not declared",
                        s.id
                    ),
                );
            }
        }
    }
    for v in &inv.vendors {
        if let Some(code) = &v.location
            && !valid_region(code)
        {
            return fail(
                &v.id,
                code,
                "vendors.location",
                format!("{code:?} is not an ISO 3166 alpha-2 code or EU"),
            );
        }
        for a in &v.attestations {
            if !valid_date(&a.expires) {
                return fail(
                    &v.id,
                    &a.expires,
                    "vendors.attestations.expires",
                    format!("{:?} is not a date (YYYY-MM-DD)", a.expires),
                );
            }
        }
    }
    Ok(())
}

/// `id@3` -> (id, Some(Ok(3))); `id` -> (id, None); `id@x` -> (id, Some(Err)).
pub fn split_version(s: &str) -> (&str, Option<Result<u64, ()>>) {
    match s.split_once('@') {
        Some((id, v)) => (id, Some(v.parse::<u64>().map_err(|_| ()))),
        None => (s, None),
    }
}
