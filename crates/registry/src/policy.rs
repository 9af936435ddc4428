//! Authorization with Cedar: who may do what to which records. The default policy
//! set implements the role table of `shared/spec/api.md`; an admin may replace it
//! with a file that `synthgov policy check` first validates against the schema.

use std::collections::HashMap;
use std::str::FromStr;

use cedar_policy::{
    Authorizer as CedarAuthorizer, Context, Decision, Entities, Entity, EntityUid, PolicySet,
    Request, RestrictedExpression, Schema, ValidationMode, Validator,
};

use crate::error::RegistryError;

pub const SCHEMA: &str = include_str!("../rules/synthgov.cedarschema");
pub const DEFAULT_POLICIES: &str = include_str!("../rules/default-policies.cedar");

/// The actions of the schema, one per kind of thing a request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    Scan,
    RegisterAsset,
    AppendEvent,
    Generate,
    ApplyInventory,
    SetFlag,
    Incident,
    AuditPack,
    ManageTokens,
    ManagePolicies,
    /// Record a system's regulatory assessment.
    Assess,
    /// Sign off an assessment (compliance, admin).
    Approve,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Scan => "scan",
            Action::RegisterAsset => "register_asset",
            Action::AppendEvent => "append_event",
            Action::Generate => "generate",
            Action::ApplyInventory => "apply_inventory",
            Action::SetFlag => "set_flag",
            Action::Incident => "incident",
            Action::AuditPack => "audit_pack",
            Action::ManageTokens => "manage_tokens",
            Action::ManagePolicies => "manage_policies",
            Action::Assess => "assess",
            Action::Approve => "approve",
        }
    }
}

/// Who asks: a token's role and tenant.
#[derive(Debug, Clone)]
pub struct Principal {
    pub id: String,
    pub name: String,
    pub role: String,
    /// `None`: the whole store.
    pub tenant: Option<String>,
}

/// Which records a request touches.
#[derive(Debug, Clone)]
pub struct Records {
    /// `None`: store-wide records.
    pub tenant: Option<String>,
    /// Store-wide records every tenant may read (flags, checkpoint, inventory).
    pub shared: bool,
}

impl Records {
    pub fn store() -> Records {
        Records {
            tenant: None,
            shared: false,
        }
    }
    pub fn shared() -> Records {
        Records {
            tenant: None,
            shared: true,
        }
    }
    pub fn tenant(t: Option<&str>) -> Records {
        Records {
            tenant: t.map(str::to_owned),
            shared: false,
        }
    }
}

/// A validated policy set and its schema.
pub struct Policies {
    schema: Schema,
    set: PolicySet,
    authorizer: CedarAuthorizer,
}

/// What a policy check reports: problems with their location in the file.
#[derive(Debug, Clone, Default)]
pub struct PolicyReport {
    pub policies: usize,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

fn schema() -> Schema {
    let (s, _warnings) =
        Schema::from_cedarschema_str(SCHEMA).expect("the shipped Cedar schema parses");
    s
}

/// Parses and validates a policy text against the schema (strict mode).
pub fn check(text: &str) -> PolicyReport {
    let mut report = PolicyReport::default();
    let set = match PolicySet::from_str(text) {
        Ok(s) => s,
        Err(e) => {
            // The Display form names the first problem; the diagnostics the rest.
            report.errors.push(format!("{e}"));
            for d in e.iter() {
                let line = format!("{d}");
                if !report.errors.contains(&line) {
                    report.errors.push(line);
                }
            }
            return report;
        }
    };
    report.policies = set.policies().count();
    let v = Validator::new(schema());
    let result = v.validate(&set, ValidationMode::Strict);
    for e in result.validation_errors() {
        report.errors.push(format!("{e}"));
    }
    for w in result.validation_warnings() {
        report.warnings.push(format!("{w}"));
    }
    report
}

impl Policies {
    /// The shipped default policy set.
    pub fn default_set() -> Policies {
        Policies::from_text("default policies", DEFAULT_POLICIES)
            .expect("the shipped policies validate")
    }

    /// Parses and validates `text`; `origin` names it in errors (a file path).
    pub fn from_text(origin: &str, text: &str) -> Result<Policies, RegistryError> {
        let report = check(text);
        if !report.errors.is_empty() {
            return Err(RegistryError::bad_file(
                origin,
                None,
                format!("invalid Cedar policies:\n  {}", report.errors.join("\n  ")),
            ));
        }
        let set = PolicySet::from_str(text)
            .map_err(|e| RegistryError::bad_file(origin, None, e.to_string()))?;
        Ok(Policies {
            schema: schema(),
            set,
            authorizer: CedarAuthorizer::new(),
        })
    }

    /// Allows or denies; a denial carries the reason a person can act on.
    pub fn decide(&self, who: &Principal, action: Action, what: &Records) -> Result<(), String> {
        let uid = |t: &str, id: &str| {
            EntityUid::from_type_name_and_id(
                cedar_policy::EntityTypeName::from_str(t).expect("type name"),
                cedar_policy::EntityId::new(id),
            )
        };
        let p = uid("Synthgov::Token", &who.id);
        let a = uid("Synthgov::Action", action.as_str());
        let r = uid(
            "Synthgov::Records",
            &format!(
                "{}{}",
                what.tenant.as_deref().unwrap_or(""),
                if what.shared { "#shared" } else { "" }
            ),
        );
        let s = RestrictedExpression::new_string;
        let principal = Entity::new(
            p.clone(),
            HashMap::from([
                ("name".into(), s(who.name.clone())),
                ("role".into(), s(who.role.clone())),
                ("tenant".into(), s(who.tenant.clone().unwrap_or_default())),
            ]),
            Default::default(),
        )
        .map_err(|e| e.to_string())?;
        let resource = Entity::new(
            r.clone(),
            HashMap::from([
                ("tenant".into(), s(what.tenant.clone().unwrap_or_default())),
                ("shared".into(), RestrictedExpression::new_bool(what.shared)),
            ]),
            Default::default(),
        )
        .map_err(|e| e.to_string())?;
        let entities = Entities::from_entities([principal, resource], Some(&self.schema))
            .map_err(|e| e.to_string())?;
        let req = Request::new(p, a, r, Context::empty(), Some(&self.schema))
            .map_err(|e| e.to_string())?;
        let resp = self.authorizer.is_authorized(&req, &self.set, &entities);
        match resp.decision() {
            Decision::Allow => Ok(()),
            Decision::Deny => {
                // Name policies by their @id annotation where they have one.
                let reasons: Vec<String> = resp
                    .diagnostics()
                    .reason()
                    .map(|id| {
                        self.set
                            .policy(id)
                            .and_then(|p| p.annotation("id"))
                            .map_or_else(|| id.to_string(), str::to_owned)
                    })
                    .collect();
                Err(if reasons.is_empty() {
                    format!(
                        "no policy permits role {:?} to {}",
                        who.role,
                        action.as_str()
                    )
                } else {
                    format!("forbidden by policy {}", reasons.join(", "))
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;

    fn who(role: &str, tenant: Option<&str>) -> Principal {
        Principal {
            id: format!("tok_{role}"),
            name: role.into(),
            role: role.into(),
            tenant: tenant.map(str::to_owned),
        }
    }

    /// The role table of api.md, row by row.
    #[test]
    fn default_policies_implement_the_role_table() {
        let p = Policies::default_set();
        let all = [
            Read,
            Scan,
            RegisterAsset,
            AppendEvent,
            Generate,
            ApplyInventory,
            SetFlag,
            Incident,
            AuditPack,
            ManageTokens,
            ManagePolicies,
            Assess,
            Approve,
        ];
        let table: [(&str, &[Action]); 5] = [
            ("admin", &all),
            (
                "compliance",
                &[
                    Read,
                    Scan,
                    RegisterAsset,
                    ApplyInventory,
                    SetFlag,
                    Incident,
                    AuditPack,
                    Assess,
                    Approve,
                ],
            ),
            ("engineer", &[Read, Scan, RegisterAsset, Generate]),
            ("service", &[Read, AppendEvent, RegisterAsset]),
            ("auditor", &[Read]),
        ];
        for (role, allowed) in table {
            for a in all {
                let got = p.decide(&who(role, None), a, &Records::store()).is_ok();
                assert_eq!(got, allowed.contains(&a), "{role} {}", a.as_str());
            }
        }
        let e = p
            .decide(&who("auditor", None), SetFlag, &Records::store())
            .unwrap_err();
        assert!(
            e.contains("no policy permits role \"auditor\" to set_flag"),
            "{e}"
        );
    }

    #[test]
    fn a_tenant_token_touches_only_its_tenant_and_reads_shared_records() {
        let p = Policies::default_set();
        let eu = who("engineer", Some("eu"));
        assert!(
            p.decide(&eu, RegisterAsset, &Records::tenant(Some("eu")))
                .is_ok()
        );
        let e = p
            .decide(&eu, RegisterAsset, &Records::tenant(Some("us")))
            .unwrap_err();
        assert!(e.contains("tenant-isolation"), "{e}");
        assert!(p.decide(&eu, Read, &Records::tenant(Some("us"))).is_err());
        assert!(p.decide(&eu, Read, &Records::store()).is_err());
        assert!(p.decide(&eu, Read, &Records::shared()).is_ok());
        // Even an admin bound to a tenant stays in it.
        let admin_eu = who("admin", Some("eu"));
        assert!(p.decide(&admin_eu, SetFlag, &Records::store()).is_err());
        // A store-wide token reaches every tenant.
        assert!(
            p.decide(
                &who("engineer", None),
                RegisterAsset,
                &Records::tenant(Some("us"))
            )
            .is_ok()
        );
    }

    #[test]
    fn check_reports_parse_and_schema_errors() {
        assert!(check(DEFAULT_POLICIES).errors.is_empty());
        let bad_syntax = check("permit(principal, action, resource) when { principal.role == };");
        assert!(!bad_syntax.errors.is_empty());
        let bad_attr =
            check(r#"permit(principal, action, resource) when { principal.colour == "red" };"#);
        assert!(
            !bad_attr.errors.is_empty(),
            "unknown attribute must fail validation"
        );
        let bad_action =
            check(r#"permit(principal, action == Synthgov::Action::"delete_all", resource);"#);
        assert!(!bad_action.errors.is_empty());
        assert!(
            Policies::from_text("p.cedar", "forbid(")
                .err()
                .is_some_and(|e| e.is_bad_input())
        );
    }
}
