//! Security-relevant rows checked against the log when they are loaded: a token row
//! or a flag row must be exactly what its ledger entry set, and no later entry may
//! have changed it since. A row edited in the database (a forged admin token, a
//! cleared revocation, a kill switch flipped without an event) is caught here on
//! first use, not only by the next `synthgov verify`.

use serde_json::Value;
use synthgov_core::Event;
use synthgov_ledger::ListQuery;

use crate::catalogue::EventType;
use crate::error::RegistryError;
use crate::projection::{Projection, canonical, derive};
use crate::registry::Registry;

/// The latest entry of `kinds` (a dotted prefix) after `from` for which `same`
/// holds, with its decoded event.
fn latest_after(
    reg: &Registry,
    prefix: &str,
    from: u64,
    same: &dyn Fn(&Event) -> bool,
) -> Result<Option<(u64, Event)>, RegistryError> {
    let mut found = None;
    for (i, v) in reg.ledger().list(&ListQuery {
        type_prefix: Some(prefix.into()),
        from,
        limit: u64::MAX,
    })? {
        let Ok(ev) = serde_json::from_value::<Event>(v) else {
            continue;
        };
        if same(&ev) {
            found = Some((i, ev));
        }
    }
    Ok(found)
}

fn entry_event(reg: &Registry, index: u64) -> Result<Option<Event>, RegistryError> {
    if index >= reg.ledger().size()? {
        return Ok(None);
    }
    let e = reg.ledger().entry(index)?;
    Ok(Event::from_leaf_bytes(&e.leaf).ok())
}

/// Checks the `token` row `id` (with `body` and `ledger_index` as stored) against the
/// log. `Err(problem)` when it is not what the log says.
pub fn check_token(reg: &Registry, id: &str) -> Result<Result<(), String>, RegistryError> {
    let Some(row) = reg.db().query_opt(
        "SELECT body, ledger_index FROM inventory_objects WHERE kind = 'token' AND id = ?1",
        &[id.into()],
    )?
    else {
        return Ok(Ok(()));
    };
    let body: Value = serde_json::from_str(&row.text(0)?).unwrap_or(Value::Null);
    let index = row.int(1)?;
    let is_this = |ev: &Event| ev.data.get("id").and_then(Value::as_str) == Some(id);
    let Some(ev) = u64::try_from(index)
        .ok()
        .map(|i| entry_event(reg, i))
        .transpose()?
        .flatten()
    else {
        return Ok(Err(format!(
            "token row {id} names ledger entry {index}, which does not exist"
        )));
    };
    let kind = EventType::from_name(&ev.kind);
    if !matches!(
        kind,
        Some(EventType::TokenCreated) | Some(EventType::TokenRevoked)
    ) || !is_this(&ev)
    {
        return Ok(Err(format!(
            "token row {id} names ledger entry {index}, which is a {} event of another record",
            ev.kind
        )));
    }
    let want = derive(kind.expect("checked"), &ev).map_err(RegistryError::BadRequest)?;
    let Projection::PutObject { body: want, .. } = want else {
        return Ok(Err(format!("entry {index} sets no token row")));
    };
    if canonical(&want) != canonical(&body) {
        return Ok(Err(format!(
            "token row {id} differs from ledger entry {index} that set it"
        )));
    }
    if let Some((later, _)) = latest_after(reg, "token", index as u64 + 1, &is_this)? {
        return Ok(Err(format!(
            "token row {id} is as entry {index} set it, but entry {later} changed it since"
        )));
    }
    Ok(Ok(()))
}

/// The value of flag `name` according to the log (None: never set), and whether the
/// stored row agrees (`Err(problem)` when it does not).
pub fn check_flag(
    reg: &Registry,
    name: &str,
) -> Result<(Option<bool>, Result<(), String>), RegistryError> {
    let is_this = |ev: &Event| ev.data.get("flag").and_then(Value::as_str) == Some(name);
    let logged = latest_after(reg, EventType::FlagChanged.name(), 0, &is_this)?;
    let truth = logged
        .as_ref()
        .and_then(|(_, ev)| ev.data.get("enabled").and_then(Value::as_bool));
    let row = reg.db().query_opt(
        "SELECT enabled, changed_at, changed_by, ledger_index FROM flags WHERE name = ?1",
        &[name.into()],
    )?;
    let verdict = match (&logged, row) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(format!(
            "flag row {name:?} exists, but no ledger entry ever set it"
        )),
        (Some((i, _)), None) => Err(format!(
            "flag row {name:?} is missing; ledger entry {i} set it"
        )),
        (Some((i, ev)), Some(r)) => {
            let same = r.int(3)? == *i as i64
                && Some(r.int(0)? != 0) == truth
                && r.text(1)? == ev.time
                && r.text(2)? == ev.actor;
            if same {
                Ok(())
            } else {
                Err(format!(
                    "flag row {name:?} differs from ledger entry {i}, the last that set it"
                ))
            }
        }
    };
    Ok((truth, verdict))
}
