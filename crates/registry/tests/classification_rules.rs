//! Every row of the use-case taxonomy (shared/spec/inventory.md) and every GDPR,
//! HIPAA and cross-border rule, against the shipped rules file. Changing a rule's
//! tier, basis or condition in rules/classification.yaml fails one of these.

use DataCategory::{Financial, Health, Personal};
use synthgov_registry::classify::{RuleSet, Tier, classify_all};
use synthgov_registry::model::*;

fn store(jurisdiction: &str, markets: &[&str]) -> Store {
    Store {
        name: "t".into(),
        platform: Platform::Magento,
        jurisdiction: jurisdiction.into(),
        markets: markets.iter().map(|s| s.to_string()).collect(),
    }
}

fn source(id: &str, j: &str, cats: &[DataCategory]) -> Source {
    Source {
        id: id.into(),
        description: None,
        jurisdiction: j.into(),
        categories: cats.to_vec(),
        lawful_basis: LawfulBasis::Consent,
    }
}

fn generator(id: &str, location: &str, trained_on: &[&str]) -> Generator {
    Generator {
        id: id.into(),
        version: "1".into(),
        method: Method::Copula,
        vendor: None,
        location: location.into(),
        trained_on: trained_on.iter().map(|s| s.to_string()).collect(),
        model_card: None,
        model_card_sha256: None,
    }
}

fn system(use_case: &str, auto: bool, oversight: Option<&str>) -> System {
    System {
        id: "sys".into(),
        use_case: use_case.into(),
        trained_on: vec!["ds".into()],
        generators: vec![],
        decides_automatically: auto,
        human_oversight: oversight.map(str::to_owned),
        surfaces: vec![],
    }
}

/// One system trained on dataset `ds` from generator `gen` (at `gen_loc`) trained on
/// source `src` (in `src_j` with `cats`), in a store at `store_j` selling to `markets`.
fn inv(
    sys: System,
    store_j: &str,
    markets: &[&str],
    src_j: &str,
    cats: &[DataCategory],
    gen_loc: &str,
) -> Inventory {
    Inventory {
        store: Some(store(store_j, markets)),
        sources: vec![source("src", src_j, cats)],
        generators: vec![generator("gen", gen_loc, &["src"])],
        datasets: vec![Dataset {
            id: "ds".into(),
            generator: "gen".into(),
            purpose: "p".into(),
            surfaces: vec![],
            environment: Environment::Synthetic,
        }],
        systems: vec![sys],
        vendors: vec![],
    }
}

fn one(inv: &Inventory) -> synthgov_registry::classify::Classification {
    let rules = RuleSet::load(None).unwrap();
    classify_all(inv, &rules, None).unwrap().remove(0)
}

fn rule_ids(c: &synthgov_registry::classify::Classification) -> Vec<&str> {
    c.reasons.iter().map(|r| r.rule.as_str()).collect()
}

#[test]
fn taxonomy_table_tiers_and_bases() {
    use DataCategory::None as NoData;
    let table: &[(&str, Tier, &[&str])] = &[
        ("recommendation", Tier::Minimal, &[]),
        ("search_ranking", Tier::Minimal, &[]),
        ("dynamic_pricing", Tier::Minimal, &[]),
        ("load_testing", Tier::Minimal, &[]),
        ("analytics", Tier::Minimal, &[]),
        ("content_generation_image", Tier::Limited, &["Art. 50(2)"]),
        (
            "content_generation_text",
            Tier::Limited,
            &["Art. 50(2)", "Art. 50(4)"],
        ),
        ("content_generation_audio", Tier::Limited, &["Art. 50(2)"]),
        ("content_generation_video", Tier::Limited, &["Art. 50(2)"]),
        ("customer_chatbot", Tier::Limited, &["Art. 50(1)"]),
        ("fraud_detection", Tier::Minimal, &["Annex III 5(b)"]),
        ("credit_scoring", Tier::High, &["Annex III 5(b)"]),
        (
            "insurance_pricing_life_health",
            Tier::High,
            &["Annex III 5(c)"],
        ),
        ("patient_triage", Tier::High, &["Annex III 5(d)"]),
        (
            "medical_device",
            Tier::High,
            &["Art. 6(1)", "Annex I (Regulation (EU) 2017/745, MDR)"],
        ),
        ("employment_screening", Tier::High, &["Annex III 4"]),
        (
            "emotion_recognition_workplace",
            Tier::Prohibited,
            &["Art. 5(1)(f)"],
        ),
        (
            "biometric_categorisation_sensitive",
            Tier::Prohibited,
            &["Art. 5(1)(g)"],
        ),
    ];
    let rules = RuleSet::load(None).unwrap();
    assert_eq!(
        rules.use_cases().len(),
        table.len(),
        "taxonomy and test table differ"
    );
    for (use_case, tier, basis) in table {
        // A store outside the EU and US with no personal data: only the Act applies.
        let c = one(&inv(
            system(use_case, false, None),
            "JP",
            &[],
            "JP",
            &[NoData],
            "JP",
        ));
        assert_eq!(c.eu_ai_act.tier, *tier, "{use_case}");
        assert_eq!(
            c.eu_ai_act.basis,
            basis.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            "{use_case}"
        );
        assert!(
            !c.reasons.is_empty() && !rule_ids(&c).contains(&"AIA-UNMATCHED"),
            "{use_case}"
        );
        assert!(!c.gdpr_art22 && !c.hipaa && !c.cross_border, "{use_case}");
        let expected_nist: &[&str] = if *tier == Tier::Minimal {
            &["GOVERN", "MAP"]
        } else {
            &["GOVERN", "MAP", "MEASURE", "MANAGE"]
        };
        assert_eq!(c.nist_ai_rmf, expected_nist, "{use_case}");
    }
}

#[test]
fn gdpr_art22_significant_effects_in_eu_scope() {
    for uc in [
        "fraud_detection",
        "credit_scoring",
        "insurance_pricing_life_health",
        "employment_screening",
    ] {
        let c = one(&inv(
            system(uc, true, Some("ops@x")),
            "DE",
            &[],
            "DE",
            &[Personal],
            "DE",
        ));
        assert!(c.gdpr_art22, "{uc}");
        assert!(rule_ids(&c).contains(&"GDPR-22-SIGNIFICANT"), "{uc}");
        assert!(
            !rule_ids(&c).contains(&"GDPR-22-NO-OVERSIGHT"),
            "{uc} has oversight"
        );
        // A human in the loop: no Art. 22.
        assert!(
            !one(&inv(
                system(uc, false, None),
                "DE",
                &[],
                "DE",
                &[Personal],
                "DE"
            ))
            .gdpr_art22,
            "{uc}"
        );
        // Outside GDPR scope (US store, US data): no Art. 22.
        assert!(
            !one(&inv(
                system(uc, true, None),
                "US",
                &[],
                "US",
                &[Personal],
                "US"
            ))
            .gdpr_art22,
            "{uc}"
        );
        // A US store that sells into the EU is in scope.
        assert!(
            one(&inv(
                system(uc, true, None),
                "US",
                &["US", "EU"],
                "US",
                &[Personal],
                "US"
            ))
            .gdpr_art22,
            "{uc}"
        );
        // Not in scope by market, but an EU source is upstream.
        assert!(
            one(&inv(
                system(uc, true, None),
                "US",
                &[],
                "FR",
                &[Personal],
                "FR"
            ))
            .gdpr_art22,
            "{uc}"
        );
    }
    // Recommendation never triggers Art. 22.
    assert!(
        !one(&inv(
            system("recommendation", true, None),
            "DE",
            &[],
            "DE",
            &[Personal],
            "DE"
        ))
        .gdpr_art22
    );
}

#[test]
fn gdpr_art22_dynamic_pricing_needs_personal_data() {
    let c = one(&inv(
        system("dynamic_pricing", true, None),
        "DE",
        &[],
        "DE",
        &[Personal],
        "DE",
    ));
    assert!(c.gdpr_art22 && rule_ids(&c).contains(&"GDPR-22-PRICING"));
    let c = one(&inv(
        system("dynamic_pricing", true, None),
        "DE",
        &[],
        "DE",
        &[DataCategory::None],
        "DE",
    ));
    assert!(!c.gdpr_art22);
}

#[test]
fn gdpr_art22_without_human_oversight_is_called_out() {
    let c = one(&inv(
        system("credit_scoring", true, None),
        "DE",
        &[],
        "DE",
        &[Financial],
        "DE",
    ));
    assert!(rule_ids(&c).contains(&"GDPR-22-NO-OVERSIGHT"));
    let c = one(&inv(
        system("credit_scoring", true, Some("  ")),
        "DE",
        &[],
        "DE",
        &[Financial],
        "DE",
    ));
    assert!(
        rule_ids(&c).contains(&"GDPR-22-NO-OVERSIGHT"),
        "blank contact is no oversight"
    );
}

#[test]
fn hipaa_when_health_upstream_and_us() {
    let c = one(&inv(
        system("patient_triage", false, None),
        "US",
        &[],
        "US",
        &[Health],
        "US",
    ));
    assert!(c.hipaa && rule_ids(&c).contains(&"HIPAA-PHI-UPSTREAM"));
    // An EU store that sells to the US.
    assert!(
        one(&inv(
            system("analytics", false, None),
            "DE",
            &["EU", "US"],
            "US",
            &[Health],
            "US"
        ))
        .hipaa
    );
    // No US nexus: no HIPAA, but EU health data is GDPR Art. 9.
    let c = one(&inv(
        system("analytics", false, None),
        "DE",
        &[],
        "DE",
        &[Health],
        "DE",
    ));
    assert!(!c.hipaa && c.gdpr_art9 && rule_ids(&c).contains(&"GDPR-9-HEALTH"));
    // US store without health data: no HIPAA.
    assert!(
        !one(&inv(
            system("analytics", false, None),
            "US",
            &[],
            "US",
            &[Personal],
            "US"
        ))
        .hipaa
    );
}

#[test]
fn cross_border_transfer_eu_source_to_non_eu_generator() {
    let c = one(&inv(
        system("analytics", false, None),
        "DE",
        &[],
        "DE",
        &[Personal],
        "US",
    ));
    assert!(c.cross_border && rule_ids(&c).contains(&"GDPR-CHAPTER-V"));
    // EEA (Norway) hosting is not a transfer.
    assert!(
        !one(&inv(
            system("analytics", false, None),
            "DE",
            &[],
            "DE",
            &[Personal],
            "NO"
        ))
        .cross_border
    );
    // A US source processed in the US is not a Chapter V transfer.
    assert!(
        !one(&inv(
            system("analytics", false, None),
            "DE",
            &[],
            "US",
            &[Personal],
            "US"
        ))
        .cross_border
    );
}

#[test]
fn override_file_replaces_disables_and_extends() {
    let user = r#"
version: 1
use_cases: [voice_cloning]
rules:
  - id: AIA-MINIMAL
    when: { use_case: [recommendation] }
    tier: limited
    says: "store policy: treat recommendations as limited"
  - id: STORE-VOICE
    when: { use_case: [voice_cloning] }
    tier: limited
    basis: ["Art. 50(2)"]
    says: "voice"
disable: [NIST-BASELINE]
"#;
    let rules = RuleSet::load(Some(("store-rules.yaml", user))).unwrap();
    assert!(rules.use_cases().contains("voice_cloning"));
    let c = rules.classify(
        "s",
        &synthgov_registry::classify::Facts {
            use_case: "recommendation".into(),
            ..Default::default()
        },
    );
    assert_eq!(c.eu_ai_act.tier, Tier::Limited);
    assert!(!rule_ids(&c).contains(&"NIST-BASELINE"));
    let err = RuleSet::load(Some((
        "store-rules.yaml",
        "version: 1\nrules:\n  - id: X\n    says: y\n    tier: huge\n",
    )))
    .unwrap_err();
    assert!(
        err.to_string().starts_with("store-rules.yaml: line 5"),
        "{err}"
    );
}
