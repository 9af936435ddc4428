//! `synthgov incident open|update|close|list|playbook`.

use serde_json::{Value, json};
use synthgov_registry::Registry;
use synthgov_registry::incident::{
    self, Clock, ClockState, Facts, Incident, IncidentRules, KindRule, Status, Update,
};

use super::Ctx;
use super::inventory::actor;
use crate::cli::IncidentCommand;
use crate::exit::{Exit, Failure};
use crate::output::{Out, sanitize};

/// An incident with its clocks as judged now: the shape of `list --json`.
pub fn with_clocks(
    rules: &IncidentRules,
    inc: &Incident,
    now: time::OffsetDateTime,
) -> Result<Value, Failure> {
    Ok(incident::with_clocks(rules, inc, now)?)
}

/// `CODE=N` pairs of `--affected-in`.
fn affected_in(pairs: &[String]) -> Result<std::collections::BTreeMap<String, u64>, Failure> {
    pairs
        .iter()
        .map(|p| {
            let bad = || {
                Failure::bad_input(anyhow::anyhow!(
                    "--affected-in: {p:?} is not CODE=N, e.g. US-CA=600"
                ))
            };
            let (code, n) = p.split_once('=').ok_or_else(bad)?;
            let n: u64 = n.trim().parse().map_err(|_| bad())?;
            Ok((code.trim().to_ascii_uppercase(), n))
        })
        .collect()
}

pub fn run(ctx: &Ctx, cmd: IncidentCommand, out: &mut Out) -> Result<Exit, Failure> {
    let rules = IncidentRules::shipped();
    let now = time::OffsetDateTime::now_utc();
    if let IncidentCommand::Playbook { kind } = &cmd {
        let kinds: Vec<&KindRule> = match kind {
            Some(k) => vec![rules.kind(k).ok_or_else(|| {
                Failure::bad_input(anyhow::anyhow!(
                    "unknown incident kind {k:?}; known: {}",
                    rules.kind_ids().join(", ")
                ))
            })?],
            None => rules.kinds.iter().collect(),
        };
        if ctx.json {
            out.json(&json!({ "kinds": kinds, "clocks": rules.clocks }))?;
        } else {
            for k in kinds {
                print_playbook(out, k)?;
            }
        }
        return Ok(Exit::Ok);
    }
    let mut reg = Registry::open(&ctx.home)?;
    let (class_rules, dates) = super::inventory::rules_and_dates(ctx)?;
    let law = (&class_rules, &dates);
    let (inc, index, verb) = match cmd {
        IncidentCommand::Open {
            kind,
            title,
            detected,
            facts,
            assets,
            datasets,
            systems,
        } => {
            let affected_in = affected_in(&facts.affected_in)?;
            let (inc, i) = incident::open(
                &mut reg,
                &rules,
                law,
                &actor(),
                Facts {
                    kind,
                    title,
                    detected_at: detected,
                    jurisdictions: facts.jurisdictions,
                    personal_data: facts.personal_data,
                    phi: facts.phi,
                    high_risk: facts.high_risk,
                    affected: facts.affected.unwrap_or(0),
                    ai_severity: facts.ai_severity,
                    assets,
                    datasets,
                    systems,
                    affected_in,
                    processor: facts.processor,
                },
            )?;
            (inc, i, "opened")
        }
        IncidentCommand::Update {
            id,
            notified,
            note,
            detected,
            facts,
            systems,
        } => {
            let notified = notified
                .into_iter()
                .map(|n| match n.split_once('=') {
                    Some((c, t)) => (c.to_owned(), Some(t.to_owned())),
                    None => (n, None),
                })
                .collect();
            let update = Update {
                note,
                notified,
                jurisdictions: (!facts.jurisdictions.is_empty()).then_some(facts.jurisdictions),
                personal_data: facts.personal_data.then_some(true),
                phi: facts.phi.then_some(true),
                high_risk: facts.high_risk.then_some(true),
                affected: facts.affected,
                ai_severity: facts.ai_severity,
                detected_at: detected,
                affected_in: (!facts.affected_in.is_empty())
                    .then(|| affected_in(&facts.affected_in))
                    .transpose()?,
                processor: facts.processor.then_some(true),
                systems: (!systems.is_empty()).then_some(systems),
            };
            let (inc, i) = incident::update(&mut reg, &rules, law, &actor(), &id, update)?;
            (inc, i, "updated")
        }
        IncidentCommand::Close { id, resolution } => {
            let (inc, i) = incident::close(&mut reg, &actor(), &id, &resolution)?;
            (inc, i, "closed")
        }
        IncidentCommand::List { all } => {
            let list: Vec<Incident> = incident::list(&reg)?
                .into_iter()
                .filter(|i| all || i.status == Status::Open)
                .collect();
            let mut any_overdue = false;
            let mut rows = Vec::new();
            for inc in &list {
                let v = with_clocks(&rules, inc, now)?;
                any_overdue |= v["overdue"] == json!(true);
                rows.push(v);
            }
            if ctx.json {
                out.json(&json!({ "incidents": rows, "overdue": any_overdue }))?;
            } else if list.is_empty() {
                out.line(if all {
                    "no incidents"
                } else {
                    "no open incidents (--all shows closed ones)"
                })?;
            } else {
                for inc in &list {
                    print_incident(out, inc, &incident::clocks(&rules, inc, now)?)?;
                }
            }
            return Ok(Exit::Ok);
        }
        IncidentCommand::Playbook { .. } => unreachable!("handled above"),
    };
    let clocks = incident::clocks(&rules, &inc, now)?;
    if ctx.json {
        let mut v = with_clocks(&rules, &inc, now)?;
        v["ledger_index"] = json!(index);
        if verb == "opened" {
            v["playbook"] = serde_json::to_value(rules.kind(&inc.kind)).unwrap_or(Value::Null);
        }
        out.json(&v)?;
    } else {
        out.line(&format!(
            "incident {} {verb} (ledger entry {index})",
            inc.id
        ))?;
        print_incident(out, &inc, &clocks)?;
        if verb == "opened"
            && let Some(k) = rules.kind(&inc.kind)
        {
            print_playbook(out, k)?;
        }
    }
    Ok(Exit::Ok)
}

fn print_incident(out: &mut Out, inc: &Incident, clocks: &[Clock]) -> Result<(), Failure> {
    out.line(&format!(
        "{}  {}  {:?}  {}  detected {}",
        inc.id,
        inc.kind,
        inc.status,
        sanitize(&inc.title),
        inc.detected_at
    ))?;
    if clocks.is_empty() {
        out.line("  no regulatory notification clock applies to these facts")?;
    }
    for c in clocks {
        let state = match c.state {
            ClockState::Met => "met",
            ClockState::Late => "LATE",
            ClockState::Missed => "MISSED",
            ClockState::Pending => "pending",
            ClockState::Due => "due without undue delay",
        };
        out.line(&format!(
            "  {:<26} {:<28} due {:<21} {state}{}",
            c.id,
            c.regulation,
            c.deadline.as_deref().unwrap_or("without undue delay"),
            c.notified_at
                .as_deref()
                .map(|n| format!(" (notified {n})"))
                .unwrap_or_default()
        ))?;
    }
    Ok(())
}

fn print_playbook(out: &mut Out, k: &KindRule) -> Result<(), Failure> {
    out.line(&format!("playbook: {} ({})", k.title, k.id))?;
    for (n, s) in k.steps.iter().enumerate() {
        out.line(&format!("  {}. {} [owner: {}]", n + 1, s.step, s.owner))?;
        out.line(&format!("     evidence: {}", s.evidence))?;
    }
    Ok(())
}
