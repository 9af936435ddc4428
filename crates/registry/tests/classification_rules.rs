//! Every rule of "Classification v2" (shared/spec/inventory.md) against the shipped
//! rules and dates files: one inventory per rule, classified, fields compared.
//! Changing a rule's tier, obligation, date or condition fails one of these.

use std::collections::BTreeMap;

use synthgov_registry::classify::{
    AssessmentInput, CheckFinding, Classification, Context, RuleSet, Tier, checks, classify_all,
};
use synthgov_registry::dates::{Dates, parse_date};
use synthgov_registry::model::Inventory;
use synthgov_registry::parse::parse_inventory;

const TODAY: &str = "2026-12-01";

fn inv(yaml: &str) -> Inventory {
    let rules = RuleSet::load(None).unwrap();
    parse_inventory("t.yaml", yaml, &rules.use_cases()).unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

fn classify_on(yaml: &str, day: &str) -> Vec<Classification> {
    let rules = RuleSet::load(None).unwrap();
    let dates = Dates::load(None).unwrap();
    let inv = inv(yaml);
    let ctx = Context {
        rules: &rules,
        dates: &dates,
        as_of: parse_date(day).unwrap(),
        assessments: &BTreeMap::new(),
    };
    classify_all(&inv, &ctx, None).unwrap()
}

/// The classification of system `sys`.
fn one(yaml: &str) -> Classification {
    classify_on(yaml, TODAY)
        .into_iter()
        .find(|c| c.system == "sys")
        .expect("a system named sys")
}

fn citations(c: &Classification) -> Vec<&str> {
    c.obligations.iter().map(|o| o.citation.as_str()).collect()
}

fn obligation<'a>(
    c: &'a Classification,
    citation: &str,
) -> &'a synthgov_registry::classify::Obligation {
    c.obligations
        .iter()
        .find(|o| o.citation == citation)
        .unwrap_or_else(|| panic!("no {citation} in {:?}", citations(c)))
}

fn rules_fired(c: &Classification) -> Vec<&str> {
    c.reasons.iter().map(|r| r.rule.as_str()).collect()
}

fn finding_rules(c: &Classification) -> Vec<&str> {
    c.findings.iter().map(|f| f.rule.as_str()).collect()
}

fn check_findings(yaml: &str) -> Vec<CheckFinding> {
    checks(&inv(yaml), &RuleSet::load(None).unwrap())
}

/// A store outside the EU and the US, one screened system: only the Act applies.
fn system(fields: &str) -> String {
    format!(
        "store: {{ name: t, platform: magento, jurisdiction: JP }}\nsystems:\n  - {{ id: sys, practices: [], {fields} }}\n"
    )
}

#[test]
fn taxonomy_tiers_and_bases() {
    let table: &[(&str, &str, Tier, &[&str])] = &[
        ("recommendation", "", Tier::Minimal, &[]),
        ("search_ranking", "", Tier::Minimal, &[]),
        ("dynamic_pricing", "", Tier::Minimal, &[]),
        ("personalised_marketing", "", Tier::Minimal, &[]),
        ("load_testing", "", Tier::Minimal, &[]),
        ("analytics", "", Tier::Minimal, &[]),
        (
            "content_generation_image",
            "realistic_depictions: false, placed_on_market: 2026-09-01",
            Tier::Limited,
            &["Art. 50(2)"],
        ),
        (
            "content_generation_text",
            "public_interest_text: false, placed_on_market: 2026-09-01",
            Tier::Limited,
            &["Art. 50(2)"],
        ),
        (
            "content_generation_audio",
            "realistic_depictions: false, placed_on_market: 2026-09-01",
            Tier::Limited,
            &["Art. 50(2)"],
        ),
        (
            "content_generation_video",
            "realistic_depictions: false, placed_on_market: 2026-09-01",
            Tier::Limited,
            &["Art. 50(2)"],
        ),
        ("customer_chatbot", "", Tier::Limited, &["Art. 50(1)"]),
        (
            "fraud_detection",
            "",
            Tier::Minimal,
            &["excluded from Annex III 5(b)"],
        ),
        (
            "credit_scoring",
            "",
            Tier::High,
            &["Art. 6(2)", "Annex III 5(b)"],
        ),
        (
            "insurance_pricing_life_health",
            "",
            Tier::High,
            &["Art. 6(2)", "Annex III 5(c)"],
        ),
        (
            "patient_triage",
            "processes: [health]",
            Tier::High,
            &["Art. 6(2)", "Annex III 5(d)"],
        ),
        (
            "medical_device",
            "medical_device: { rule11_class: IIa }, processes: [health]",
            Tier::High,
            &[
                "Art. 6(1)",
                "Annex I Section A point 11 (Regulation (EU) 2017/745, MDR)",
            ],
        ),
        (
            "symptom_checker",
            "medical_device: { rule11_class: IIb }, processes: [health]",
            Tier::High,
            &[
                "Art. 6(1)",
                "Annex I Section A point 11 (Regulation (EU) 2017/745, MDR)",
            ],
        ),
        (
            "employment_screening",
            "",
            Tier::High,
            &["Art. 6(2)", "Annex III 4(a)"],
        ),
        (
            "education_admission",
            "",
            Tier::High,
            &["Art. 6(2)", "Annex III 3(a)"],
        ),
        (
            "public_benefits_eligibility",
            "",
            Tier::High,
            &["Art. 6(2)", "Annex III 5(a)"],
        ),
        (
            "emotion_recognition_customers",
            "processes: [biometric]",
            Tier::High,
            &["Art. 6(2)", "Annex III 1(c)", "Art. 50(3)"],
        ),
        (
            "biometric_identification_remote",
            "processes: [biometric]",
            Tier::High,
            &["Art. 6(2)", "Annex III 1(a)"],
        ),
        (
            "biometric_categorisation",
            "processes: [biometric]",
            Tier::High,
            &["Art. 6(2)", "Annex III 1(b)", "Art. 50(3)"],
        ),
        (
            "emotion_recognition_workplace",
            "",
            Tier::Prohibited,
            &["Art. 5(1)(f)"],
        ),
        (
            "biometric_categorisation_sensitive",
            "",
            Tier::Prohibited,
            &["Art. 5(1)(g)"],
        ),
    ];
    assert_eq!(
        RuleSet::load(None).unwrap().use_cases().len(),
        table.len(),
        "taxonomy and test table differ"
    );
    for (use_case, extra, tier, basis) in table {
        let sep = if extra.is_empty() { "" } else { ", " };
        let c = one(&system(&format!("use_case: {use_case}{sep}{extra}")));
        assert_eq!(c.eu_ai_act.tier, *tier, "{use_case}: {:?}", rules_fired(&c));
        assert_eq!(c.eu_ai_act.basis, *basis, "{use_case}");
        assert!(
            c.assessment.missing.is_empty(),
            "{use_case}: {:?}",
            c.assessment.missing
        );
        assert!(!rules_fired(&c).contains(&"AIA-UNMATCHED"), "{use_case}");
    }
}

#[test]
fn any_art5_practice_is_prohibited_and_an_unscreened_system_is_not_assessed() {
    let letters = ["a", "b", "c", "d", "e", "f", "g", "h"];
    for (p, l) in synthgov_registry::model::Practice::ALL.iter().zip(letters) {
        let c = one(&format!(
            "systems:\n  - {{ id: sys, use_case: recommendation, practices: [{}] }}\n",
            p.as_str()
        ));
        assert_eq!(c.eu_ai_act.tier, Tier::Prohibited, "{p:?}");
        assert_eq!(c.eu_ai_act.basis, [format!("Art. 5(1)({l})")]);
        let o = obligation(&c, &format!("EU AI Act Art. 5(1)({l})"));
        assert_eq!(o.applies_from, "2025-02-02");
        assert!(o.in_force);
    }
    // Screened, none: nothing missing. Not screened: "not assessed", never taken as no.
    let screened = one("systems:\n  - { id: sys, use_case: analytics, practices: [] }\n");
    assert!(screened.assessment.missing.is_empty());
    let unscreened = one("systems:\n  - { id: sys, use_case: analytics }\n");
    assert_eq!(unscreened.assessment.missing, ["practices"]);
    assert!(rules_fired(&unscreened).contains(&"AIA-5-NOT-SCREENED"));
}

#[test]
fn an_explicit_annex_iii_point_overrides_the_use_case() {
    let c = one(&system("use_case: recommendation, annex_iii: \"1(c)\""));
    assert_eq!(c.eu_ai_act.tier, Tier::High);
    assert_eq!(c.eu_ai_act.basis, ["Art. 6(2)", "Annex III 1(c)"]);
    assert!(
        c.reasons
            .iter()
            .any(|r| r.says.contains("emotion recognition"))
    );
}

#[test]
fn art6_3_derogation_needs_no_profiling() {
    let c = one(&system(
        "use_case: credit_scoring, art6_3: preparatory_task, profiles_people: false",
    ));
    assert_eq!(c.eu_ai_act.tier, Tier::Minimal);
    assert_eq!(c.eu_ai_act.basis, ["Art. 6(3)"]);
    assert_eq!(
        obligation(&c, "EU AI Act Art. 6(4)").applies_from,
        "2027-12-02"
    );
    assert_eq!(
        obligation(&c, "EU AI Act Art. 49(2)").applies_from,
        "2027-12-02"
    );
    assert!(!citations(&c).contains(&"EU AI Act Art. 9"));

    let profiling = one(&system(
        "use_case: credit_scoring, art6_3: preparatory_task, profiles_people: true",
    ));
    assert_eq!(profiling.eu_ai_act.tier, Tier::High);
    assert!(rules_fired(&profiling).contains(&"AIA-6-3-PROFILING"));

    let unanswered = one(&system(
        "use_case: credit_scoring, art6_3: detects_patterns",
    ));
    assert_eq!(unanswered.eu_ai_act.tier, Tier::High);
    assert_eq!(unanswered.assessment.missing, ["profiles_people"]);
    assert!(rules_fired(&unanswered).contains(&"AIA-6-3-UNCONFIRMED"));
}

#[test]
fn mdr_software_is_high_only_with_a_notified_body() {
    let iia = one(&system(
        "use_case: medical_device, medical_device: { rule11_class: IIa }, processes: [health]",
    ));
    assert_eq!(iia.eu_ai_act.tier, Tier::High);
    assert_eq!(
        obligation(&iia, "EU AI Act Art. 9").applies_from,
        "2028-08-02"
    );
    assert_eq!(obligation(&iia, "MDR Art. 87").applies_from, "2021-05-26");
    assert!(!citations(&iia).contains(&"EU AI Act Art. 49(1)"));

    let class_i = one(&system(
        "use_case: medical_device, medical_device: { rule11_class: I, notified_body: false }, processes: [health]",
    ));
    assert_eq!(class_i.eu_ai_act.tier, Tier::Minimal);
    assert!(citations(&class_i).contains(&"MDR Art. 10"));
    assert!(!citations(&class_i).contains(&"EU AI Act Art. 9"));

    let class_i_nb = one(&system(
        "use_case: symptom_checker, medical_device: { rule11_class: I, notified_body: true }, processes: [health]",
    ));
    assert_eq!(class_i_nb.eu_ai_act.tier, Tier::High);

    // A symptom checker without the device facts: not assessed, not "minimal by default".
    let unknown = one(&system("use_case: symptom_checker, processes: [health]"));
    assert_eq!(unknown.assessment.missing, ["medical_device"]);
    assert!(rules_fired(&unknown).contains(&"AIA-SYMPTOM-NOT-ASSESSED"));
    // Assessed as no device: minimal, nothing missing.
    let no_device = one(&system(
        "use_case: symptom_checker, medical_device: { device: false }, processes: [health]",
    ));
    assert_eq!(no_device.eu_ai_act.tier, Tier::Minimal);
    assert!(no_device.assessment.missing.is_empty());
    assert!(rules_fired(&no_device).contains(&"AIA-SYMPTOM-NOT-DEVICE"));
    // A v1 `medical_device` without a class stays high until answered.
    let v1 = one(&system("use_case: medical_device, processes: [health]"));
    assert_eq!(v1.eu_ai_act.tier, Tier::High);
    assert_eq!(v1.assessment.missing, ["medical_device"]);
}

#[test]
fn art50_by_role() {
    // Chatbot: 50(1) binds the provider.
    let provider = one(&system("use_case: customer_chatbot"));
    assert_eq!(
        obligation(&provider, "EU AI Act Art. 50(1)").applies_from,
        "2026-08-02"
    );
    let deployer = one(
        "vendors: [{ id: botco }]\nsystems:\n  - { id: sys, use_case: customer_chatbot, vendor: botco, practices: [] }\n",
    );
    assert_eq!(deployer.role.as_str(), "deployer");
    assert!(!citations(&deployer).contains(&"EU AI Act Art. 50(1)"));
    assert!(deployer.reasons.iter().any(|r| r.says.contains("botco")));

    // 50(2) on the provider, dated by when the system was placed on the market.
    let new = one(&system(
        "use_case: content_generation_image, realistic_depictions: false, placed_on_market: 2026-09-01",
    ));
    assert_eq!(
        obligation(&new, "EU AI Act Art. 50(2)").applies_from,
        "2026-08-02"
    );
    let legacy = one(&system(
        "use_case: content_generation_image, realistic_depictions: false, placed_on_market: 2025-05-01",
    ));
    let o = obligation(&legacy, "EU AI Act Art. 50(2)");
    assert_eq!(o.applies_from, "2026-12-02");
    assert!(
        !o.in_force,
        "judged on {TODAY}, the legacy date is tomorrow"
    );
    assert!(o.date_source.contains("Digital Omnibus"));

    // A store deploying a vendor's text model for product descriptions: no 50(2) or
    // 50(4) duty of its own; disclosure recommended (UCPD), as a low finding.
    let descriptions = one(
        "vendors: [{ id: scribe }]\ngenerators:\n  - { id: llm, version: '1', method: llm, vendor: scribe, location: IE, trained_on: [] }\nsystems:\n  - { id: sys, use_case: content_generation_text, generators: [llm], public_interest_text: false, practices: [] }\n",
    );
    assert_eq!(descriptions.role.as_str(), "deployer");
    assert!(
        !citations(&descriptions)
            .iter()
            .any(|c| c.starts_with("EU AI Act Art. 50"))
    );
    assert_eq!(finding_rules(&descriptions), ["SG-GOV-018"]);
    assert!(
        descriptions.findings[0]
            .cites
            .contains(&"UCPD Art. 6".to_string())
    );

    // 50(4): deepfakes, and public-interest text without editorial review.
    let deepfake = one(&system(
        "use_case: content_generation_video, role: deployer, realistic_depictions: true",
    ));
    assert!(citations(&deepfake).contains(&"EU AI Act Art. 50(4)"));
    assert!(!finding_rules(&deepfake).contains(&"SG-GOV-018"));
    let news = one(&system(
        "use_case: content_generation_text, role: deployer, public_interest_text: true",
    ));
    assert!(citations(&news).contains(&"EU AI Act Art. 50(4)"));
    let edited = one(&system(
        "use_case: content_generation_text, role: deployer, public_interest_text: true, editorial_review: \"editor@x.example\"",
    ));
    assert!(!citations(&edited).contains(&"EU AI Act Art. 50(4)"));
    assert!(rules_fired(&edited).contains(&"AIA-50-4-EDITORIAL"));

    // 50(3): emotion recognition deployers inform the people exposed.
    let emotion = one(&system(
        "use_case: emotion_recognition_customers, role: deployer, processes: [biometric]",
    ));
    assert!(citations(&emotion).contains(&"EU AI Act Art. 50(3)"));
    // An unanswered generative question is "not assessed".
    let unknown = one(&system("use_case: content_generation_image"));
    assert_eq!(
        unknown.assessment.missing,
        ["realistic_depictions", "placed_on_market"]
    );
}

#[test]
fn high_risk_obligations_by_role() {
    let provider = one(&system("use_case: employment_screening"));
    for art in [
        "9", "10", "11", "12", "13", "14", "15", "16", "17", "43", "49(1)", "73", "26", "86", "4",
    ] {
        let o = obligation(&provider, &format!("EU AI Act Art. {art}"));
        let from = if art == "4" {
            "2025-02-02"
        } else {
            "2027-12-02"
        };
        assert_eq!(o.applies_from, from, "Art. {art}");
    }
    assert!(!provider.fria);

    let deployer = one(
        "store: { name: t, platform: magento, jurisdiction: JP }\nvendors: [{ id: v }]\nsystems:\n  - { id: sys, use_case: credit_scoring, vendor: v, practices: [] }\n",
    );
    assert_eq!(deployer.role.as_str(), "deployer");
    let c = citations(&deployer);
    assert!(c.contains(&"EU AI Act Art. 26") && c.contains(&"EU AI Act Art. 86"));
    assert!(c.contains(&"EU AI Act Art. 27"), "FRIA for 5(b): {c:?}");
    assert!(!c.contains(&"EU AI Act Art. 9") && !c.contains(&"EU AI Act Art. 43"));
    assert!(deployer.fria);
    assert_eq!(
        finding_rules(&deployer),
        ["SG-GOV-013"],
        "FRIA not recorded"
    );
    let recorded = one(
        "store: { name: t, platform: magento, jurisdiction: JP }\nvendors: [{ id: v }]\nsystems:\n  - { id: sys, use_case: credit_scoring, vendor: v, practices: [], fria: docs/fria.pdf }\n",
    );
    assert!(recorded.fria && recorded.findings.is_empty());

    let public = one(&system("use_case: education_admission, public_body: true"));
    assert!(public.fria);
    // Everyone: Art. 4 AI literacy.
    let minimal = one(&system("use_case: analytics"));
    assert_eq!(citations(&minimal), ["EU AI Act Art. 4"]);
}

#[test]
fn gdpr_scope_by_establishment_targeting_or_upstream_source() {
    let de_selling_to_us = one(
        "store: { name: t, platform: magento, jurisdiction: US, establishment: DE, markets: [US] }\nsystems:\n  - { id: sys, use_case: fraud_detection, decides_automatically: true, practices: [] }\n",
    );
    assert!(
        de_selling_to_us.gdpr_art22,
        "Art. 3(1): established in the EU"
    );
    assert!(
        de_selling_to_us
            .reasons
            .iter()
            .any(|r| r.says.contains("Art. 3(1)"))
    );
    let us_selling_to_eu = one(
        "store: { name: t, platform: shopify, jurisdiction: US, markets: [US, FR] }\nsystems:\n  - { id: sys, use_case: fraud_detection, decides_automatically: true, practices: [] }\n",
    );
    assert!(
        us_selling_to_eu.gdpr_art22,
        "Art. 3(2): targets people in the EU"
    );
    let us_only = one(
        "store: { name: t, platform: shopify, jurisdiction: US }\nsystems:\n  - { id: sys, use_case: fraud_detection, decides_automatically: true, practices: [] }\n",
    );
    assert!(!us_only.gdpr_art22);
    assert!(!citations(&us_only).contains(&"GDPR Art. 22"));
    // A symptom checker deciding about patients is under Art. 22 too.
    let checker = one(
        "store: { name: t, platform: magento, jurisdiction: FR }\nsystems:\n  - { id: sys, use_case: symptom_checker, decides_automatically: true, medical_device: { rule11_class: IIa }, processes: [health], art9_condition: explicit_consent, people_affected: 100, practices: [], human_oversight: doc@x.example }\n",
    );
    assert!(checker.gdpr_art22 && checker.gdpr_art9 && checker.gdpr_art35_dpia);
    assert_eq!(
        finding_rules(&checker),
        ["SG-GOV-012"],
        "only the DPIA is missing"
    );
}

#[test]
fn art9_dpia_consent_and_transfers() {
    // Health at run time in GDPR scope without an Art. 9(2) condition.
    let no_condition = one(
        "store: { name: t, platform: magento, jurisdiction: FR }\nsystems:\n  - { id: sys, use_case: analytics, processes: [health], people_affected: 10, practices: [] }\n",
    );
    assert!(no_condition.gdpr_art9);
    assert!(finding_rules(&no_condition).contains(&"SG-GOV-010"));
    // Large-scale health data: DPIA.
    let large = one(
        "store: { name: t, platform: magento, jurisdiction: FR }\nsystems:\n  - { id: sys, use_case: analytics, processes: [health], art9_condition: health_care, people_affected: 50000, practices: [], dpia: dpia/2026.pdf }\n",
    );
    assert!(large.gdpr_art35_dpia && large.findings.is_empty());
    // Systematic monitoring (behavioural source) feeding personalisation without consent.
    let yaml = |basis: &str, consent: &str| {
        format!(
            "store: {{ name: t, platform: magento, jurisdiction: FR }}\nsources:\n  - {{ id: clicks, jurisdiction: FR, categories: [personal, behavioural], lawful_basis: {basis}{consent} }}\ngenerators:\n  - {{ id: g, version: '1', method: copula, location: FR, trained_on: [clicks], model_card: c.md }}\ndatasets:\n  - {{ id: d, generator: g, purpose: p, environment: synthetic }}\nsystems:\n  - {{ id: sys, use_case: dynamic_pricing, trained_on: [d], practices: [], dpia: d.pdf }}\n"
        )
    };
    let no_consent = one(&yaml("legitimate_interest", ""));
    assert!(no_consent.gdpr_art35_dpia);
    assert_eq!(finding_rules(&no_consent), ["SG-GOV-009"]);
    let cf = check_findings(&yaml("legitimate_interest", ""));
    assert_eq!(
        cf.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(),
        ["SG-GOV-009"]
    );
    let consented = one(&yaml(
        "consent",
        ", consent: { mechanism: \"cmp:onetrust\", records: magento.consent_log }",
    ));
    assert!(consented.findings.is_empty(), "{:?}", consented.findings);
    assert!(check_findings(&yaml("consent", ", consent: { mechanism: cmp }")).is_empty());
    // Personal data with lawful_basis none.
    let none = check_findings(&yaml("none", ""));
    assert!(
        none.iter()
            .any(|f| f.rule == "SG-GOV-008" && f.id == "clicks")
    );

    // Chapter V: EU personal data to a generator abroad.
    let transfer = |mech: &str, vendor: &str| {
        format!(
            "store: {{ name: t, platform: magento, jurisdiction: DE }}\nsources:\n  - {{ id: orders, jurisdiction: DE, categories: [personal], lawful_basis: contract }}\nvendors:\n  - {{ id: v, attestations: [{vendor}] }}\ngenerators:\n  - {{ id: g, version: '1', method: copula, location: US, vendor: v, trained_on: [orders], model_card: c.md{mech} }}\ndatasets:\n  - {{ id: d, generator: g, purpose: p, environment: synthetic }}\nsystems:\n  - {{ id: sys, use_case: analytics, trained_on: [d], practices: [] }}\n"
        )
    };
    let without = transfer("", "");
    assert!(one(&without).cross_border);
    assert!(obligation(&one(&without), "GDPR Art. 44-49").in_force);
    assert!(
        check_findings(&without)
            .iter()
            .any(|f| f.rule == "SG-GOV-007" && f.id == "g")
    );
    let with = transfer(", transfer_mechanism: sccs", "");
    assert!(one(&with).cross_border);
    assert!(!check_findings(&with).iter().any(|f| f.rule == "SG-GOV-007"));
    let vendor_sccs = transfer("", "{ kind: sccs, expires: 2028-01-01 }");
    assert!(
        !check_findings(&vendor_sccs)
            .iter()
            .any(|f| f.rule == "SG-GOV-007")
    );
    // Non-personal EU data abroad is no GDPR transfer.
    let photos = without.replace("categories: [personal]", "categories: [none]");
    assert!(!one(&photos).cross_border);
}

#[test]
fn hipaa_only_for_covered_entities_and_business_associates() {
    let yaml = |entity: &str, src_j: &str| {
        format!(
            "store: {{ name: t, platform: magento, jurisdiction: US, markets: [US]{entity} }}\nsources:\n  - {{ id: quiz, jurisdiction: {src_j}, categories: [personal, health], lawful_basis: consent, art9_condition: explicit_consent }}\ngenerators:\n  - {{ id: g, version: '1', method: copula, location: {src_j}, trained_on: [quiz], model_card: c.md }}\ndatasets:\n  - {{ id: d, generator: g, purpose: p, environment: synthetic }}\nsystems:\n  - {{ id: sys, use_case: recommendation, trained_on: [d], practices: [] }}\n"
        )
    };
    // A supplement shop's wellness quiz: no covered entity, so the FTC rule, not HIPAA.
    let shop = one(&yaml("", "US"));
    assert!(!shop.hipaa && shop.ftc_hbnr);
    assert_eq!(
        obligation(&shop, "FTC 16 CFR 318").applies_from,
        "2024-07-29"
    );
    let ce = one(&yaml(", hipaa_entity: covered_entity", "US"));
    assert!(ce.hipaa && !ce.ftc_hbnr);
    assert!(citations(&ce).contains(&"HIPAA 45 CFR 164.404"));
    let ba = one(&yaml(", hipaa_entity: business_associate", "US"));
    assert!(ba.hipaa && citations(&ba).contains(&"HIPAA 45 CFR 164.410"));
    // EU patient records from a French source in a store selling to the US: GDPR Art. 9,
    // neither HIPAA nor the FTC rule.
    let eu = one(&yaml(", hipaa_entity: covered_entity", "FR"));
    assert!(!eu.hipaa && !eu.ftc_hbnr && eu.gdpr_art9);
    assert!(rules_fired(&eu).contains(&"GDPR-9-NOT-HIPAA"));
}

#[test]
fn vendors_need_the_safeguards_their_role_needs() {
    let yaml = |att: &str, location: &str, entity: &str| {
        format!(
            "store: {{ name: t, platform: magento, jurisdiction: DE, markets: [EU, US]{entity} }}\nvendors:\n  - {{ id: synthco, processes: [personal, health], location: {location}, attestations: [{att}] }}\n"
        )
    };
    let rules_of = |y: &str| -> Vec<(String, Vec<String>)> {
        check_findings(y)
            .into_iter()
            .map(|f| (f.check, f.cites))
            .collect()
    };
    let missing_all = rules_of(&yaml("", "US", ", hipaa_entity: covered_entity"));
    let checks: Vec<&str> = missing_all.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        checks,
        ["GDPR-28-DPA", "GDPR-46-VENDOR-TRANSFER", "HIPAA-BAA"]
    );
    let dpa_only = rules_of(&yaml("{ kind: gdpr_dpa, expires: 2027-06-30 }", "US", ""));
    assert_eq!(dpa_only.len(), 1);
    assert_eq!(dpa_only[0].0, "GDPR-46-VENDOR-TRANSFER");
    let eu = rules_of(&yaml("{ kind: gdpr_dpa, expires: 2027-06-30 }", "IE", ""));
    assert!(eu.is_empty(), "{eu:?}");
    let full = rules_of(&yaml(
        "{ kind: gdpr_dpa, expires: 2027-06-30 }, { kind: dpf, expires: 2027-06-30 }, { kind: hipaa_baa, expires: 2027-06-30 }",
        "US",
        ", hipaa_entity: covered_entity",
    ));
    assert!(full.is_empty(), "{full:?}");
}

#[test]
fn black_box_generators() {
    let y = "generators:\n  - { id: llm, version: '1', method: llm, location: US, trained_on: [] }\n  - { id: r, version: '1', method: rules, location: US, trained_on: [] }\n";
    let f = check_findings(y);
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].rule.as_str(), f[0].id.as_str()),
        ("SG-GOV-014", "llm")
    );
}

#[test]
fn nist_all_functions_for_every_system_with_subcategories_scaled() {
    let minimal = one(&system("use_case: analytics"));
    assert_eq!(minimal.nist_ai_rmf, ["GOVERN", "MAP", "MEASURE", "MANAGE"]);
    assert_eq!(
        minimal.nist_ai_rmf_subcategories,
        ["GOVERN 1.1", "MAP 1.1", "MEASURE 1.1", "MANAGE 1.1"]
    );
    let high = one(&system(
        "use_case: credit_scoring, decides_automatically: true",
    ));
    assert_eq!(high.nist_ai_rmf, ["GOVERN", "MAP", "MEASURE", "MANAGE"]);
    for s in ["MEASURE 2.11", "MANAGE 4.1", "MAP 3.5", "GOVERN 1.3"] {
        assert!(
            high.nist_ai_rmf_subcategories.contains(&s.to_string()),
            "{s}"
        );
    }
    // Sorted in the framework's order, numerically (MEASURE 2.6 before 2.11).
    let m: Vec<&String> = high
        .nist_ai_rmf_subcategories
        .iter()
        .filter(|s| s.starts_with("MEASURE 2."))
        .collect();
    assert_eq!(m, ["MEASURE 2.5", "MEASURE 2.6", "MEASURE 2.11"]);
}

#[test]
fn override_rules_take_their_place_by_phase() {
    // A store's new high-risk reading of recommendations, in the tier phase: the
    // later phases (duties, nist) see the high tier.
    let user = "version: 2\nrules:\n  - id: STORE-RECS-HIGH\n    phase: tier\n    when: { use_case: [recommendation] }\n    tier: high\n    basis: [\"store policy\"]\n    says: \"treated as high risk by store policy\"\n";
    let rules = RuleSet::load(Some(("store-rules.yaml", user))).unwrap();
    let dates = Dates::load(None).unwrap();
    let inv = inv(&system("use_case: recommendation"));
    let ctx = Context {
        rules: &rules,
        dates: &dates,
        as_of: parse_date(TODAY).unwrap(),
        assessments: &BTreeMap::new(),
    };
    let c = classify_all(&inv, &ctx, None).unwrap().remove(0);
    assert_eq!(c.eu_ai_act.tier, Tier::High);
    assert!(
        c.nist_ai_rmf_subcategories
            .contains(&"MANAGE 4.1".to_string())
    );
    let order = rules_fired(&c);
    let pos = |id: &str| order.iter().position(|r| *r == id).unwrap();
    assert!(pos("STORE-RECS-HIGH") < pos("NIST-HIGH-RISK"));
    // A version-1 override file without phases is placed by what its rules do.
    let v1 = "version: 1\nrules:\n  - id: OLD\n    when: { use_case: [analytics] }\n    tier: high\n    says: old\n";
    let r1 = RuleSet::load(Some(("old.yaml", v1))).unwrap();
    assert_eq!(
        r1.rules
            .iter()
            .find(|r| r.id == "OLD")
            .unwrap()
            .phase
            .as_deref(),
        Some("tier")
    );
    // Version 2 requires the phase; unknown facts and phases are refused with the line.
    let no_phase = "version: 2\nrules:\n  - id: X\n    when: {}\n    says: x\n";
    let e = RuleSet::load(Some(("r.yaml", no_phase)))
        .unwrap_err()
        .to_string();
    assert!(e.contains("r.yaml") && e.contains("phase"), "{e}");
    let typo = "version: 2\nrules:\n  - id: X\n    phase: tier\n    when: { use_cse: [analytics] }\n    says: x\n";
    let e = RuleSet::load(Some(("r.yaml", typo)))
        .unwrap_err()
        .to_string();
    assert!(e.contains("use_cse") && e.contains("line 3"), "{e}");
}

#[test]
fn as_of_before_and_after_every_obligation_date() {
    // One inventory that produces an obligation for every dated rule we can reach.
    let yaml = r#"
store: { name: t, platform: magento, jurisdiction: US, establishment: DE, markets: [EU, US], hipaa_entity: covered_entity }
sources:
  - { id: visits, jurisdiction: US, categories: [personal, health], lawful_basis: consent, art9_condition: health_care }
generators:
  - { id: g, version: '1', method: copula, location: US, trained_on: [visits], model_card: c.md, transfer_mechanism: sccs }
datasets:
  - { id: d, generator: g, purpose: p, environment: synthetic }
systems:
  - { id: triage, use_case: patient_triage, trained_on: [d], practices: [], processes: [health], people_affected: 100, decides_automatically: true, human_oversight: nurse@x.example }
  - { id: device, use_case: medical_device, medical_device: { rule11_class: IIb }, practices: [], processes: [health], people_affected: 100 }
  - { id: old-gen, use_case: content_generation_image, realistic_depictions: false, placed_on_market: 2024-01-01, practices: [] }
  - { id: new-gen, use_case: content_generation_image, realistic_depictions: true, placed_on_market: 2026-09-01, practices: [] }
  - { id: bad, use_case: analytics, practices: [social_scoring] }
"#;
    let dates = Dates::load(None).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let all = classify_on(yaml, TODAY);
    for c in &all {
        for o in &c.obligations {
            seen.insert(o.applies_from.clone());
            let from = parse_date(&o.applies_from).unwrap();
            let before = (from - time::Duration::days(1)).to_string();
            let after = from.to_string();
            for (day, want) in [(before, false), (after, true)] {
                let again = classify_on(yaml, &day);
                let o2 = again
                    .iter()
                    .find(|x| x.system == c.system)
                    .unwrap()
                    .obligations
                    .iter()
                    .find(|x| x.id == o.id && x.citation == o.citation)
                    .unwrap();
                assert_eq!(o2.in_force, want, "{} {} on {day}", c.system, o.citation);
            }
        }
    }
    // Every AI Act date of the spec's table, and the others rules use, were reached.
    for id in [
        "AIA-ART5",
        "AIA-ART4",
        "AIA-ART50",
        "AIA-ART50-2-LEGACY",
        "AIA-ANNEX-III",
        "AIA-ANNEX-I",
        "GDPR",
        "MDR",
        "HIPAA-PRIVACY-SECURITY",
        "HIPAA-BREACH",
    ] {
        let d = &dates.get(id).unwrap().0.applies_from;
        assert!(seen.contains(d), "no obligation dated {id} ({d})");
    }
}

#[test]
fn assessment_answers_fill_what_the_inventory_leaves_unsaid() {
    let rules = RuleSet::load(None).unwrap();
    let dates = Dates::load(None).unwrap();
    let inv = inv("systems:\n  - { id: sys, use_case: symptom_checker, processes: [health] }\n");
    let answers = synthgov_registry::assessment::Answers::parse(
        "answers.yaml",
        "practices: []\nmedical_device: { rule11_class: IIa, notified_body: true }\nrole: deployer\n",
    )
    .unwrap();
    let mut a = BTreeMap::new();
    a.insert(
        "sys".to_string(),
        AssessmentInput {
            answers,
            approved: true,
            changed: vec![],
        },
    );
    let ctx = Context {
        rules: &rules,
        dates: &dates,
        as_of: parse_date(TODAY).unwrap(),
        assessments: &a,
    };
    let c = classify_all(&inv, &ctx, None).unwrap().remove(0);
    assert_eq!(c.eu_ai_act.tier, Tier::High);
    assert_eq!(c.role.as_str(), "deployer");
    assert!(c.assessment.recorded && c.assessment.approved && c.assessment.current);
    assert!(c.assessment.missing.is_empty());
    // Unknown fields and bad values are refused with the line.
    let e =
        synthgov_registry::assessment::Answers::parse("a.yaml", "practices: []\nprofiling: true\n")
            .unwrap_err()
            .to_string();
    assert!(
        e.contains("a.yaml") && e.contains("line 2") && e.contains("profiling"),
        "{e}"
    );
    let e = synthgov_registry::assessment::Answers::parse(
        "a.yaml",
        "role: deployer\nannex_iii: \"9(z)\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("line 2") && e.contains("annex_iii"), "{e}");
}

#[test]
fn v1_inventories_still_parse_and_classify() {
    // The example inventory as it was before Classification v2.
    let text = include_str!("fixtures/inventory-v1.yaml");
    let all = classify_on(text, TODAY);
    assert_eq!(all.len(), inv(text).systems.len());
    let triage = all.iter().find(|c| c.system == "patient-triage").unwrap();
    assert_eq!(triage.eu_ai_act.tier, Tier::High);
    // The store declares no HIPAA entity: v2 does not guess one; the US telehealth
    // data is then the FTC rule's.
    assert!(all.iter().all(|c| !c.hipaa));
    assert!(triage.ftc_hbnr);
    // What v1 could not say is "not assessed", never "no".
    assert!(triage.assessment.missing.contains(&"practices".to_string()));
}

/// Every rule and check of the shipped file fires for one of these inventories (each
/// asserted on its own in the tests above): a rule no inventory can reach is a rule
/// nobody tested.
#[test]
fn every_shipped_rule_and_check_is_reached() {
    let s = |f: &str| system(f);
    let mut inventories: Vec<String> = vec![
        s("use_case: analytics"),
        s("use_case: recommendation"),
        s("use_case: fraud_detection"),
        s("use_case: credit_scoring, art6_3: preparatory_task, profiles_people: false"),
        s("use_case: credit_scoring, art6_3: preparatory_task, profiles_people: true"),
        s("use_case: credit_scoring, art6_3: detects_patterns"),
        s("use_case: education_admission, public_body: true"),
        s("use_case: medical_device, medical_device: { rule11_class: IIa }"),
        s("use_case: medical_device"),
        s("use_case: medical_device, medical_device: { rule11_class: I, notified_body: false }"),
        s("use_case: symptom_checker"),
        s("use_case: symptom_checker, medical_device: { rule11_class: I, notified_body: false }, processes: []"),
        s("use_case: symptom_checker, medical_device: { device: false }, processes: []"),
        "store: { name: t, platform: magento, jurisdiction: FR }\nsystems:\n  - { id: sys, use_case: fraud_detection, decides_automatically: true, practices: [] }\n".into(),
        s("use_case: customer_chatbot"),
        s("use_case: customer_chatbot, role: deployer"),
        s("use_case: content_generation_image, realistic_depictions: false, placed_on_market: 2026-09-01"),
        s("use_case: content_generation_image, realistic_depictions: false, placed_on_market: 2025-01-01"),
        s("use_case: content_generation_video, role: deployer, realistic_depictions: true"),
        s("use_case: content_generation_text, role: deployer, public_interest_text: true"),
        s("use_case: content_generation_text, role: deployer, public_interest_text: true, editorial_review: ed"),
        s("use_case: emotion_recognition_customers, processes: [biometric]"),
        "systems:\n  - { id: sys, use_case: analytics }\n".into(),
        "store: { name: t, platform: magento, jurisdiction: FR }\nsystems:\n  - { id: sys, use_case: symptom_checker, decides_automatically: true, medical_device: { rule11_class: IIa }, processes: [health], people_affected: 50000, practices: [] }\n".into(),
        "store: { name: t, platform: magento, jurisdiction: FR }\nsources:\n  - { id: c, jurisdiction: FR, categories: [personal, behavioural], lawful_basis: none }\ngenerators:\n  - { id: g, version: '1', method: copula, location: US, trained_on: [c] }\n  - { id: bb, version: '1', method: llm, location: FR, trained_on: [] }\ndatasets:\n  - { id: d, generator: g, purpose: p, environment: synthetic }\nsystems:\n  - { id: sys, use_case: dynamic_pricing, trained_on: [d], decides_automatically: true, practices: [] }\nvendors:\n  - { id: v, processes: [personal, health], location: US }\n".into(),
        "store: { name: t, platform: magento, jurisdiction: FR, hipaa_entity: covered_entity }\nsources:\n  - { id: h, jurisdiction: FR, categories: [health], lawful_basis: consent }\nvendors:\n  - { id: v, processes: [health], location: FR }\n".into(),
    ];
    for entity in ["covered_entity", "business_associate", "none"] {
        inventories.push(format!(
            "store: {{ name: t, platform: magento, jurisdiction: US, hipaa_entity: {entity} }}\nsystems:\n  - {{ id: sys, use_case: analytics, processes: [health], practices: [] }}\n"
        ));
    }
    inventories.push(
        "store: { name: t, platform: magento, jurisdiction: US, markets: [US], hipaa_entity: covered_entity }\nsources:\n  - { id: eu, jurisdiction: FR, categories: [health], lawful_basis: consent }\ngenerators:\n  - { id: g, version: '1', method: copula, location: FR, trained_on: [eu] }\ndatasets:\n  - { id: d, generator: g, purpose: p, environment: synthetic }\nsystems:\n  - { id: sys, use_case: analytics, trained_on: [d], practices: [] }\n".into(),
    );
    for p in synthgov_registry::model::Practice::ALL {
        inventories.push(
            s(&format!("use_case: analytics, practices: [{}]", p.as_str()))
                .replace("practices: [], ", ""),
        );
    }
    let rules = RuleSet::load(None).unwrap();
    let mut fired = std::collections::BTreeSet::new();
    for yaml in &inventories {
        for c in classify_on(yaml, TODAY) {
            fired.extend(c.reasons.into_iter().map(|r| r.rule));
        }
        fired.extend(check_findings(yaml).into_iter().map(|f| f.check));
    }
    let missing: Vec<&str> = rules
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .chain(rules.checks.iter().map(|c| c.id.as_str()))
        .filter(|id| !fired.contains(*id))
        .collect();
    assert!(missing.is_empty(), "never reached: {missing:?}");
}
