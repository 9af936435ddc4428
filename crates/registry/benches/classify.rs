//! Classification v2 in-process (divan): the rules over 1,000 systems of a store with
//! 1,000 datasets, and the inventory-wide checks. Whole-process figures (store reads,
//! 100,000 assets, `assess --answers`) are in `bench/classify.sh`.
//! Run: `cargo bench -p synthgov-registry --bench classify`.

use std::collections::BTreeMap;
use std::fmt::Write;

use synthgov_registry::classify::{Context, RuleSet, checks, classify_all};
use synthgov_registry::dates::{Dates, parse_date};
use synthgov_registry::model::Inventory;

fn main() {
    divan::main();
}

/// The inventory bench/gen_catalog.py writes, built here.
fn inventory(systems: usize, datasets: usize) -> Inventory {
    let mut y = String::from(
        "store: { name: b, platform: shopify, jurisdiction: DE, markets: [EU, US], hipaa_entity: covered_entity }\nsources:\n  - { id: orders, jurisdiction: DE, categories: [personal, financial], lawful_basis: contract }\n  - { id: visits, jurisdiction: US, categories: [health], lawful_basis: consent }\ngenerators:\n",
    );
    for g in 0..10 {
        let loc = if g % 2 == 1 { "US" } else { "DE" };
        let src = if g % 3 == 0 { "visits" } else { "orders" };
        let _ = writeln!(
            y,
            "  - {{ id: gen-{g}, version: '1', method: copula, location: {loc}, trained_on: [{src}] }}"
        );
    }
    y.push_str("datasets:\n");
    for i in 0..datasets {
        let _ = writeln!(
            y,
            "  - {{ id: ds-{i}, generator: gen-{}, purpose: t, environment: synthetic }}",
            i % 10
        );
    }
    y.push_str("systems:\n");
    let cases = [
        "fraud_detection",
        "recommendation",
        "patient_triage",
        "credit_scoring",
        "content_generation_text",
        "symptom_checker",
        "emotion_recognition_customers",
        "customer_chatbot",
        "dynamic_pricing",
        "medical_device",
    ];
    let extra = [
        "",
        "practices: [], ",
        "art6_3: preparatory_task, profiles_people: false, ",
        "medical_device: { rule11_class: IIa }, processes: [health], ",
        "public_interest_text: false, ",
    ];
    for i in 0..systems {
        let _ = writeln!(
            y,
            "  - {{ id: sys-{i}, use_case: {}, {}trained_on: [ds-{}, ds-{}], decides_automatically: {} }}",
            cases[i % cases.len()],
            extra[i % extra.len()],
            i % datasets,
            (i + 100) % datasets,
            i % 2 == 1
        );
    }
    let rules = RuleSet::load(None).unwrap();
    synthgov_registry::parse::parse_inventory("bench.yaml", &y, &rules.use_cases()).unwrap()
}

#[divan::bench(sample_count = 20)]
fn classify_1000_systems(b: divan::Bencher) {
    let inv = inventory(1000, 1000);
    let rules = RuleSet::load(None).unwrap();
    let dates = Dates::load(None).unwrap();
    let none = BTreeMap::new();
    let ctx = Context {
        rules: &rules,
        dates: &dates,
        as_of: parse_date("2026-12-01").unwrap(),
        assessments: &none,
    };
    b.bench(|| classify_all(&inv, &ctx, None).unwrap().len());
}

#[divan::bench(sample_count = 20)]
fn checks_1000_systems(b: divan::Bencher) {
    let inv = inventory(1000, 1000);
    let rules = RuleSet::load(None).unwrap();
    b.bench(|| checks(&inv, &rules).len());
}

#[divan::bench(sample_count = 20)]
fn load_rules_and_dates() -> usize {
    RuleSet::load(None).unwrap().rules.len() + Dates::load(None).unwrap().all().count()
}
