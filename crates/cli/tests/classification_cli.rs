//! Classification v2, assessments and incidents v2 end to end: the real binary, an
//! applied inventory, `classify --json`, `assess`, `approve`, `scan governance` and
//! `incident`, fields compared.

mod common;

use common::{Env, path_str};
use serde_json::Value;

/// A telehealth store established in Germany, selling to the EU and the US, a HIPAA
/// covered entity, with one high-risk triage system trained on a synthetic dataset.
const INVENTORY: &str = r#"
store: { name: "Clinic Store", platform: magento, jurisdiction: DE, markets: [EU, US], hipaa_entity: covered_entity }
sources:
  - { id: visits, jurisdiction: US, categories: [personal, health], lawful_basis: consent, art9_condition: health_care }
  - { id: quiz, jurisdiction: US, categories: [health], lawful_basis: consent, art9_condition: explicit_consent }
vendors:
  - { id: scribe, processes: [personal], location: IE, attestations: [{ kind: gdpr_dpa, expires: 2030-01-01 }] }
generators:
  - { id: patients, version: "1", method: copula, location: DE, trained_on: [visits], model_card: card.md }
  - { id: writer, version: "3", method: llm, vendor: scribe, location: IE, trained_on: [quiz] }
datasets:
  - { id: synthetic-patients, generator: patients, purpose: triage training, environment: synthetic }
systems:
  - id: triage
    use_case: patient_triage
    trained_on: [synthetic-patients]
    decides_automatically: true
    human_oversight: "nurse-lead@clinic.example"
    processes: [health]
    dpia: dpia/triage.pdf
  - id: descriptions
    use_case: content_generation_text
    generators: [writer]
    practices: []
    public_interest_text: false
  - id: checker
    use_case: symptom_checker
    practices: []
    processes: [health]
    people_affected: 2000
    art9_condition: explicit_consent
    medical_device: { rule11_class: I, notified_body: false }
"#;

fn setup() -> Env {
    let env = Env::new();
    let inv = env.write("inventory.yaml", INVENTORY.as_bytes());
    env.write("card.md", b"---\nlicense: other\n---\n# patients\n");
    let r = env.run(&["apply", path_str(&inv)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    env
}

fn classify(env: &Env, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["classify", "--json"];
    args.extend_from_slice(extra);
    let r = env.run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json().as_array().unwrap().clone()
}

fn system<'a>(all: &'a [Value], id: &str) -> &'a Value {
    all.iter().find(|c| c["system"] == id).unwrap()
}

fn governance(env: &Env) -> Vec<(String, String)> {
    let r = env.run(&[
        "scan",
        "governance",
        "--format",
        "json",
        "--fail-on",
        "critical",
    ]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    r.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn register_version(env: &Env, n: u32) {
    let dir = env.dir.path().join(format!("rows{n}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("patients.csv"), format!("id,age\n{n},4{n}\n")).unwrap();
    let r = env.run(&[
        "register",
        path_str(&dir),
        "--generator",
        "patients",
        "--dataset",
        "synthetic-patients",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn classify_json_carries_the_v2_fields() {
    let env = setup();
    let all = classify(&env, &["--as-of", "2026-12-01"]);
    let triage = system(&all, "triage");
    assert_eq!(triage["role"], "provider");
    assert_eq!(triage["eu_ai_act"]["tier"], "high");
    assert_eq!(
        triage["hipaa"], true,
        "a covered entity with US health data"
    );
    assert_eq!(triage["ftc_hbnr"], false);
    assert_eq!(triage["gdpr_art22"], true);
    assert_eq!(triage["gdpr_art35_dpia"], true);
    assert_eq!(triage["fria"], false);
    assert_eq!(triage["assessment"]["recorded"], false);
    assert_eq!(
        triage["assessment"]["missing"],
        serde_json::json!(["practices", "people_affected"])
    );
    let art9 = triage["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["citation"] == "EU AI Act Art. 9")
        .unwrap();
    assert_eq!(art9["applies_from"], "2027-12-02");
    assert_eq!(art9["in_force"], false);
    for key in ["id", "citation", "applies_from", "in_force", "reason"] {
        assert!(art9.get(key).is_some(), "{key}");
    }
    let desc = system(&all, "descriptions");
    assert_eq!(desc["role"], "deployer");
    let cites: Vec<&str> = desc["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["citation"].as_str().unwrap())
        .collect();
    assert!(
        !cites.iter().any(|c| c.starts_with("EU AI Act Art. 50")),
        "{cites:?}"
    );
    let checker = system(&all, "checker");
    assert_eq!(
        checker["eu_ai_act"]["tier"], "minimal",
        "MDR class I, no notified body"
    );
    assert_eq!(checker["gdpr_art9"], true);
    assert_eq!(
        checker["gdpr_art35_dpia"], false,
        "2,000 people is not large scale"
    );
    // v1 fields are kept.
    for key in [
        "system",
        "eu_ai_act",
        "gdpr_art22",
        "hipaa",
        "cross_border",
        "nist_ai_rmf",
        "reasons",
    ] {
        assert!(triage.get(key).is_some(), "{key}");
    }
    // A bad date is bad input.
    let r = env.run(&["classify", "--as-of", "2026-02-30"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--as-of"), "{}", r.stderr);
}

#[test]
fn as_of_before_and_after_each_date_of_the_dates_file() {
    let env = setup();
    let r = env.run(&["classify", "--dates", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dates = r.json();
    let dates = dates.as_array().unwrap();
    assert!(dates.len() >= 7);
    let mut checked = 0;
    for d in dates {
        let from = d["applies_from"].as_str().unwrap();
        let day = synthgov_registry::dates::parse_date(from).unwrap();
        let before = (day - time::Duration::days(1)).to_string();
        let b = classify(&env, &["--as-of", &before]);
        let a = classify(&env, &["--as-of", from]);
        for (all, want) in [(&b, false), (&a, true)] {
            for c in all.iter() {
                for o in c["obligations"].as_array().unwrap() {
                    if o["applies_from"] == from {
                        assert_eq!(
                            o["in_force"], want,
                            "{} {} on {from}",
                            c["system"], o["citation"]
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} obligations checked");
}

#[test]
fn reassessment_is_due_after_a_new_dataset_version_and_clears_after_assess_and_approve() {
    let env = setup();
    register_version(&env, 1);
    let has = |env: &Env, rule: &str| {
        governance(env)
            .iter()
            .any(|(r, m)| r == rule && m.contains("triage"))
    };
    assert!(has(&env, "SG-GOV-015"), "high risk, never assessed");
    assert!(has(&env, "SG-GOV-017"), "practices not screened");

    // Approving before assessing is refused.
    let r = env.run(&["approve", "triage", "--reason", "ok"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no recorded assessment"), "{}", r.stderr);

    let answers = env.write(
        "answers.yaml",
        b"practices: []\nrole: provider\npeople_affected: 800\n",
    );
    let r = env.run(&[
        "assess",
        "triage",
        "--answers",
        path_str(&answers),
        "--assessor",
        "user:ana",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["assessment"]["assessor"], "user:ana");
    assert_eq!(v["classification"]["eu_ai_act"]["tier"], "high");
    assert_eq!(v["assessment"]["missing"], serde_json::json!([]));
    assert!(has(&env, "SG-GOV-015"), "recorded but not approved");
    assert!(!has(&env, "SG-GOV-017"));

    let r = env.run(&[
        "approve",
        "triage",
        "--reason",
        "triage risk file reviewed",
        "--approver",
        "user:lena",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!has(&env, "SG-GOV-015"));
    assert!(!has(&env, "SG-GOV-016"));
    let c = classify(&env, &["triage"]);
    assert_eq!(c[0]["assessment"]["current"], true);

    // A new dataset version: due again, naming what changed; approval refused.
    register_version(&env, 2);
    let f = governance(&env);
    let due = f
        .iter()
        .find(|(r, _)| r == "SG-GOV-016")
        .expect("reassessment due");
    assert!(
        due.1.contains("dataset synthetic-patients: version 1 -> 2"),
        "{}",
        due.1
    );
    let c = classify(&env, &["triage"]);
    assert_eq!(c[0]["assessment"]["current"], false);
    let r = env.run(&["approve", "triage", "--reason", "again"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("out of date") && r.stderr.contains("version 1 -> 2"),
        "{}",
        r.stderr
    );

    let r = env.run(&["assess", "triage", "--answers", path_str(&answers)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run(&["approve", "triage", "--reason", "new rows reviewed"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let f = governance(&env);
    assert!(
        !f.iter()
            .any(|(r, m)| (r == "SG-GOV-016" || r == "SG-GOV-015") && m.contains("triage")),
        "{f:?}"
    );

    // Every step is in the ledger, and the projections replay.
    let r = env.run(&["ledger", "list", "--json", "--type", "assessment"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let types: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["entry"]["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        types,
        [
            "assessment.recorded",
            "assessment.approved",
            "assessment.recorded",
            "assessment.approved"
        ]
    );
    let r = env.run(&["verify"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn assess_asks_on_the_terminal_and_refuses_bad_answers() {
    let env = setup();
    // Answers typed at the prompts (stdin), Enter keeps what is offered.
    let typed = b"\nnone\n\n\nno\n\n\n\n\n\n\n\n";
    let r = env.run_stdin(&["assess", "triage", "--json"], Some(typed));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("Art. 5 practices"), "{}", r.stderr);
    let v = r.json();
    assert_eq!(
        v["assessment"]["answers"]["practices"],
        serde_json::json!([])
    );
    // A wrong answer three times is bad input, naming the question.
    let r = env.run_stdin(&["assess", "triage"], Some(b"\nmaybe\nperhaps\nnope\n"));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("practices"), "{}", r.stderr);
    // A bad answers file names the file, line and field; nothing is recorded.
    let before = env.size();
    let bad = env.write("bad.yaml", b"practices: []\nprofilng: false\n");
    let r = env.run(&["assess", "triage", "--answers", path_str(&bad)]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("bad.yaml")
            && r.stderr.contains("line 2")
            && r.stderr.contains("profilng"),
        "{}",
        r.stderr
    );
    assert_eq!(env.size(), before);
    let r = env.run(&["assess", "no-such", "--answers", path_str(&bad)]);
    assert_eq!(r.code, 2);
}

#[test]
fn classify_diff_shows_what_changed_since_the_recorded_assessment() {
    let env = setup();
    let answers = env.write("a.yaml", b"practices: []\n");
    let r = env.run(&["assess", "triage", "--answers", path_str(&answers)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run(&["classify", "--diff", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = r.json();
    assert!(
        !d.as_array()
            .unwrap()
            .iter()
            .any(|x| x["system"] == "triage"),
        "nothing changed yet: {d}"
    );
    // The store becomes a business associate: HIPAA obligations change.
    let changed = INVENTORY.replace(
        "hipaa_entity: covered_entity",
        "hipaa_entity: business_associate",
    );
    let inv = env.write("inventory.yaml", changed.as_bytes());
    assert_eq!(env.run(&["apply", path_str(&inv)]).code, 0);
    let r = env.run(&["classify", "--diff", "--json"]);
    let d = r.json();
    let fields: Vec<&str> = d
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["system"] == "triage")
        .map(|x| x["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["obligations"], "{d}");
    // Systems never assessed are listed as such.
    assert!(
        d.as_array()
            .unwrap()
            .iter()
            .any(|x| x["system"] == "checker" && x["recorded"].is_null())
    );
}

#[test]
fn incidents_v2_from_the_command_line() {
    let env = setup();
    // A German store, a breach of Californian customers only: GDPR Art. 33 starts
    // (establishment), California's clocks too (a covered entity notifies under
    // 1798.82 as well; HITECH only settles the notice's content, 1798.82(e)); HIPAA's
    // do not (no PHI).
    let r = env.run(&[
        "incident",
        "open",
        "--kind",
        "personal_data_breach",
        "--title",
        "t",
        "--detected",
        "2026-11-30T08:00:00Z",
        "--affected-in",
        "US-CA=600",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    let ids: Vec<&str> = v["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["gdpr-art33", "ca-1798-82", "ca-1798-82-ag"]);
    assert_eq!(v["affected"], 600);
    // Art. 73 for a system that is not high-risk is refused.
    let r = env.run(&[
        "incident",
        "open",
        "--kind",
        "serious_incident_high_risk_ai",
        "--title",
        "t",
        "--system",
        "descriptions",
        "--jurisdiction",
        "DE",
    ]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("Art. 73"), "{}", r.stderr);
    // The high-risk triage system's provider reports under Art. 73.
    let r = env.run(&[
        "incident",
        "open",
        "--kind",
        "serious_incident_high_risk_ai",
        "--title",
        "t",
        "--system",
        "triage",
        "--jurisdiction",
        "DE",
        "--ai-severity",
        "death",
        "--detected",
        "2026-11-30T08:00:00Z",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    let c = &v["clocks"][0];
    assert_eq!(
        (c["id"].as_str(), c["deadline"].as_str()),
        (Some("ai-act-art73-death"), Some("2026-12-10T08:00:00Z"))
    );
    let id = v["id"].as_str().unwrap().to_owned();
    // A HIPAA notification on an AI Act incident, or one before detection: refused.
    for bad in [
        "hipaa-individuals=2026-11-30T09:00:00Z",
        "ai-act-art73-death=2020-01-01T00:00:00Z",
    ] {
        let r = env.run(&["incident", "update", &id, "--notified", bad]);
        assert_eq!(r.code, 2, "{bad}: {}", r.stdout);
    }
    let r = env.run(&[
        "incident",
        "open",
        "--kind",
        "personal_data_breach",
        "--title",
        "t",
        "--affected-in",
        "US-CA",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("CODE=N"), "{}", r.stderr);
}

/// `scan governance --inventory FILE`: findings about inventory objects point at the
/// declaration's line in the file (SARIF physical location) and keep the object as
/// their logical location.
#[test]
fn governance_findings_are_located_in_the_inventory_file() {
    let env = setup();
    let inv = env.dir.path().join("inventory.yaml");
    let out = env.dir.path().join("gov.sarif");
    let r = env.run(&[
        "scan",
        "governance",
        "--inventory",
        path_str(&inv),
        "--format",
        "sarif",
        "--output",
        path_str(&out),
        "--fail-on",
        "critical",
        "--repo-root",
        path_str(env.dir.path()),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let triage = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["ruleId"] == "SG-GOV-017" && r["message"]["text"].as_str().unwrap().contains("triage")
        })
        .expect("triage is not assessed");
    let loc = &triage["locations"][0];
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uri"],
        "inventory.yaml"
    );
    let line = loc["physicalLocation"]["region"]["startLine"]
        .as_u64()
        .unwrap() as usize;
    assert_eq!(
        INVENTORY.lines().nth(line - 1).unwrap().trim(),
        "- id: triage"
    );
    assert_eq!(
        loc["logicalLocations"][0]["fullyQualifiedName"],
        "synthgov://inventory/system/triage"
    );
}
