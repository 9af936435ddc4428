//! Audit packs end to end: build one from a real store, verify it offline, and see
//! every kind of tampering named; the manifest read by coreutils and by a signed-note
//! verifier written here from the C2SP spec; the documents against their schemas;
//! incidents and their clocks through the CLI.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use common::{Env, shared, store};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// A store with findings, an overdue incident and a recorded storefront scan report;
/// returns the env, the pack folder and the scan report path.
fn packed() -> Option<(Env, PathBuf)> {
    let (env, site) = store()?;
    let r = env.run(&[
        "incident",
        "open",
        "--kind",
        "personal_data_breach",
        "--title",
        "Order export on a public bucket",
        "--jurisdiction",
        "FR",
        "--personal-data",
        "--affected",
        "120",
        "--detected",
        "2026-01-05T08:00:00Z",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = env.dir.path().join("storefront.json");
    let r = env.run(&[
        "scan",
        "storefront",
        site.to_str().unwrap(),
        "--format",
        "json",
        "--output",
        report.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "the fixture site has findings: {}", r.stderr);
    let out = env.dir.path().join("pack");
    let r = env.run(&[
        "audit-pack",
        "--out",
        out.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--zip",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    Some((env, out))
}

fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

fn verify(env: &Env, dir: &Path, key: &str) -> common::Run {
    env.run(&["verify-pack", dir.to_str().unwrap(), "--key", key])
}

/// The signed-note body and its signature lines, split as C2SP signed-note says:
/// the text ends at the first blank line, each signature line is
/// "— <name> <base64(4-byte key hash || signature)>".
fn split_note(note: &str) -> (&str, Vec<(&str, Vec<u8>)>) {
    let cut = note.find("\n\n").expect("a blank line ends the text") + 1;
    let (body, sigs) = note.split_at(cut);
    let sigs = sigs[1..]
        .lines()
        .map(|l| {
            let l = l
                .strip_prefix("\u{2014} ")
                .expect("signature lines start with an em dash");
            let (name, b) = l.rsplit_once(' ').unwrap();
            (name, B64.decode(b).unwrap())
        })
        .collect();
    (body, sigs)
}

fn key_hash(name: &str, pk: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n\x01");
    h.update(pk);
    h.finalize()[..4].try_into().unwrap()
}

/// An independent verifier of a signed note against a verifier key line
/// `<name>+<hex key hash>+<base64(0x01 || public key)>`.
fn note_verifies(note: &str, vkey: &str) -> bool {
    let mut parts = vkey.trim().splitn(3, '+');
    let (name, id, key) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let key = B64.decode(key).unwrap();
    assert_eq!(key[0], 1, "Ed25519 keys are algorithm 1");
    let pk: [u8; 32] = key[1..].try_into().unwrap();
    assert_eq!(hex::encode(key_hash(name, &pk)), id);
    let vk = VerifyingKey::from_bytes(&pk).unwrap();
    let (body, sigs) = split_note(note);
    sigs.iter().any(|(n, sig)| {
        *n == name
            && sig[..4] == key_hash(name, &pk)
            && vk
                .verify(body.as_bytes(), &Signature::from_slice(&sig[4..]).unwrap())
                .is_ok()
    })
}

/// Signs `body` as a note with a `PRIVATE+KEY+name+hash+base64(0x01 || seed)` key.
fn sign_note(body: &str, skey: &str) -> String {
    let parts: Vec<&str> = skey.trim().splitn(5, '+').collect();
    let name = parts[2];
    let seed = B64.decode(parts[4]).unwrap();
    let sk = SigningKey::from_bytes(&seed[1..].try_into().unwrap());
    let mut sig = key_hash(name, sk.verifying_key().as_bytes()).to_vec();
    sig.extend_from_slice(&sk.sign(body.as_bytes()).to_bytes());
    format!("{body}\n\u{2014} {name} {}\n", B64.encode(sig))
}

#[test]
fn the_pack_verifies_and_each_tampering_is_named() {
    let Some((env, pack)) = packed() else { return };
    let key = std::fs::read_to_string(pack.join("ledger/key")).unwrap();
    let key = key.trim();
    let ok = verify(&env, &pack, key);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert!(ok.stdout.starts_with("ok: "), "{}", ok.stdout);
    let zip = pack.with_extension("zip");
    let z = verify(&env, &zip, key);
    assert_eq!(z.code, 0, "{}{}", z.stdout, z.stderr);
    let live = env.run(&["verify-pack", pack.to_str().unwrap(), "--live"]);
    assert_eq!(live.code, 0, "{}{}", live.stdout, live.stderr);
    assert!(live.stdout.contains("consistent with today's log"));
    // Against another store (another key), --live fails and says why.
    let other = Env::new();
    let wrong = other.run(&["verify-pack", pack.to_str().unwrap(), "--live"]);
    assert_eq!(wrong.code, 1, "{}{}", wrong.stdout, wrong.stderr);
    assert!(
        wrong.stdout.contains("--live: the pack is signed with"),
        "{}",
        wrong.stdout
    );

    let work = env.dir.path().join("tampered");
    // One byte changed in any file: named.
    for f in files(&pack) {
        let _ = std::fs::remove_dir_all(&work);
        common::copy_dir(&pack, &work);
        let p = work.join(&f);
        let mut bytes = std::fs::read(&p).unwrap();
        let i = bytes.len() / 2;
        bytes[i] ^= 0x01;
        std::fs::write(&p, bytes).unwrap();
        let r = verify(&env, &work, key);
        assert_eq!(r.code, 1, "{f}: {}", r.stdout);
        assert!(
            r.stdout.contains(&format!("FAIL {f}"))
                || (f == "MANIFEST" && r.stdout.contains("FAIL MANIFEST")),
            "{f}: {}",
            r.stdout
        );
    }
    // A file removed, a file added.
    let _ = std::fs::remove_dir_all(&work);
    common::copy_dir(&pack, &work);
    std::fs::remove_file(work.join("findings.sarif")).unwrap();
    std::fs::write(work.join("extra.txt"), "slipped in").unwrap();
    let r = verify(&env, &work, key);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("FAIL findings.sarif: listed in the manifest but missing"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("FAIL extra.txt: not listed in the manifest"),
        "{}",
        r.stdout
    );

    // The manifest re-signed with another key (after editing a file to match).
    let _ = std::fs::remove_dir_all(&work);
    common::copy_dir(&pack, &work);
    let other = Env::new();
    assert_eq!(other.run(&["init"]).code, 0);
    let other_skey = std::fs::read_to_string(other.home().join("keys/ledger.key")).unwrap();
    let note = std::fs::read_to_string(work.join("MANIFEST")).unwrap();
    let (body, _) = split_note(&note);
    std::fs::write(work.join("MANIFEST"), sign_note(body, &other_skey)).unwrap();
    let r = verify(&env, &work, key);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("FAIL MANIFEST: signature does not verify"),
        "{}",
        r.stdout
    );

    // An entry in proofs.json altered, and the manifest honestly re-signed with the
    // store's own key: the proof itself is what fails.
    let _ = std::fs::remove_dir_all(&work);
    common::copy_dir(&pack, &work);
    let mut proofs: Value =
        serde_json::from_slice(&std::fs::read(work.join("ledger/proofs.json")).unwrap()).unwrap();
    let victim = proofs["entries"][3]["index"].as_u64().unwrap();
    let entry = proofs["entries"][3]["entry"]
        .as_str()
        .unwrap()
        .replace("\"actor\":\"", "\"actor\":\"x");
    proofs["entries"][3]["entry"] = Value::from(entry.clone());
    let mut leaf = vec![0u8];
    leaf.extend_from_slice(entry.as_bytes());
    proofs["entries"][3]["leaf_hash"] = Value::from(hex::encode(Sha256::digest(&leaf)));
    let bytes = serde_json::to_vec_pretty(&proofs).unwrap();
    std::fs::write(work.join("ledger/proofs.json"), &bytes).unwrap();
    let new_sha = hex::encode(Sha256::digest(&bytes));
    let body: String = body
        .lines()
        .map(|l| {
            if l.ends_with("  ledger/proofs.json") {
                format!("{new_sha}  ledger/proofs.json\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let skey = std::fs::read_to_string(env.home().join("keys/ledger.key")).unwrap();
    std::fs::write(work.join("MANIFEST"), sign_note(&body, &skey)).unwrap();
    let r = verify(&env, &work, key);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!(
            "FAIL ledger/proofs.json: entry {victim}: inclusion proof does not verify"
        )),
        "{}",
        r.stdout
    );
    assert_eq!(r.stdout.matches("FAIL").count(), 1, "{}", r.stdout);
}

#[test]
fn coreutils_and_a_spec_verifier_accept_the_manifest() {
    let Some((_env, pack)) = packed() else { return };
    let note = std::fs::read_to_string(pack.join("MANIFEST")).unwrap();
    let key = std::fs::read_to_string(pack.join("ledger/key")).unwrap();
    assert!(note_verifies(&note, &key), "{note}");
    assert!(!note_verifies(
        &note.replacen("index.html", "index.htm ", 1),
        &key
    ));
    let (body, _) = split_note(&note);
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines[0], "synthgov audit pack v1");
    assert!(lines[1].starts_with("synthgov.local/"));
    // The whole body: sha256sum checks every file line and skips the two header lines.
    let strict: String = lines[2..].iter().map(|l| format!("{l}\n")).collect();
    for (input, args) in [
        (body.to_string(), vec!["-c"]),
        (strict, vec!["-c", "--strict"]),
    ] {
        let mut c = Command::new("sha256sum");
        c.args(&args).current_dir(&pack);
        c.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped());
        let mut child = c.spawn().expect("sha256sum (coreutils)");
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "sha256sum {args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).matches(": OK").count(),
            lines.len() - 2
        );
    }
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap()
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn pack_documents_validate_against_their_schemas() {
    let Some((_env, pack)) = packed() else { return };
    let read = |p: &str| -> Value {
        serde_json::from_slice(&std::fs::read(pack.join(p)).unwrap()).unwrap()
    };
    let load = |p: &str| -> Option<Value> {
        let path = shared(p)?;
        Some(serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap())
    };
    let (Some(oscal), Some(sarif), Some(ol)) = (
        load("testdata/oscal/oscal_complete_schema-1.1.2.json"),
        load("testdata/sarif/sarif-schema-2.1.0.json"),
        load("testdata/openlineage/OpenLineage.json"),
    ) else {
        eprintln!("SKIP: schemas under ../shared/testdata not found");
        return;
    };
    let ar = read("oscal/assessment-results.json");
    let oscal_v = validator(&oscal);
    assert_eq!(errors(&oscal_v, &ar), Vec::<String>::new());
    let mut broken = ar.clone();
    broken["assessment-results"]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("reviewed-controls");
    assert!(
        !errors(&oscal_v, &broken).is_empty(),
        "the schema check can fail"
    );
    let result = &ar["assessment-results"]["results"][0];
    assert!(result["findings"].as_array().unwrap().len() >= 3);
    // Evidence points at entries the pack proves.
    let proofs = read("ledger/proofs.json");
    let proved: Vec<u64> = proofs["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["index"].as_u64().unwrap())
        .collect();
    // Evidence links are back-matter resources ("#uuid"), each with an rlink to a
    // proof the pack holds, or to an evidence file with its SHA-256.
    let resources = ar["assessment-results"]["back-matter"]["resources"]
        .as_array()
        .unwrap();
    let resource = |href: &str| {
        let id = href
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{href} is not a back-matter reference"));
        resources
            .iter()
            .find(|r| r["uuid"] == id)
            .unwrap_or_else(|| panic!("no resource {id}"))
    };
    let mut cited = 0;
    for o in result["observations"].as_array().unwrap() {
        for ev in o["relevant-evidence"].as_array().into_iter().flatten() {
            let r = resource(ev["href"].as_str().unwrap());
            let link = r["rlinks"][0]["href"].as_str().unwrap();
            let i: u64 = link.rsplit_once("#entry-").unwrap().1.parse().unwrap();
            assert!(proved.contains(&i), "{link}");
            cited += 1;
        }
    }
    assert!(cited > 0);
    for r in resources
        .iter()
        .filter(|r| r["rlinks"][0]["hashes"].is_array())
    {
        let path = r["rlinks"][0]["href"]
            .as_str()
            .unwrap()
            .trim_start_matches("../");
        let bytes = std::fs::read(pack.join(path)).unwrap();
        assert_eq!(
            r["rlinks"][0]["hashes"][0]["value"].as_str().unwrap(),
            hex::encode(sha2::Sha256::digest(&bytes)),
            "{path}"
        );
    }
    // import-ap is the pack's own plan, valid OSCAL too, importing the inventory.
    assert_eq!(
        ar["assessment-results"]["import-ap"]["href"],
        "assessment-plan.json"
    );
    let ap = read("oscal/assessment-plan.json");
    assert_eq!(errors(&oscal_v, &ap), Vec::<String>::new());
    assert!(
        ap["assessment-plan"]["import-ssp"]["href"]
            .as_str()
            .unwrap()
            .starts_with('#')
    );
    assert_eq!(
        errors(&validator(&sarif), &read("findings.sarif")),
        Vec::<String>::new()
    );
    let def = |d: &str| {
        let mut s = ol.clone();
        s["$ref"] = Value::from(format!("#/$defs/{d}"));
        validator(&s)
    };
    let (run_v, job_v) = (def("RunEvent"), def("JobEvent"));
    let events = read("lineage.openlineage.json");
    assert!(!events.as_array().unwrap().is_empty());
    for e in events.as_array().unwrap() {
        let v = if e.get("run").is_some() {
            &run_v
        } else {
            &job_v
        };
        assert_eq!(errors(v, e), Vec::<String>::new());
    }
    // OpenLineage's own client reads every event back as written.
    if let Some(problems) = common::openlineage_client(&pack.join("lineage.openlineage.json")) {
        assert_eq!(problems, Vec::<String>::new());
    }
    // The report and the rest of the pack's promises.
    let html = std::fs::read_to_string(pack.join("index.html")).unwrap();
    for needle in [
        "Classification matrix",
        "Provenance completeness",
        "INC-0001",
        "SG-GOV-006",
        "@media print",
        "data-flow.svg",
    ] {
        assert!(html.contains(needle), "index.html lacks {needle}");
    }
    let svg = std::fs::read_to_string(pack.join("diagrams/data-flow.svg")).unwrap();
    roxmltree::Document::parse(&svg).expect("the diagram is well-formed SVG");
    assert!(svg.contains("separation: real | synthetic"));
    // The same graph as Graphviz DOT; laid out by dot too where it is installed.
    let dot = std::fs::read_to_string(pack.join("diagrams/data-flow.dot")).unwrap();
    assert!(dot.starts_with("digraph data_flow {"), "{dot}");
    assert!(
        dot.contains("subgraph cluster_2 {") && dot.contains(" -> "),
        "{dot}"
    );
    let graphviz = pack.join("diagrams/data-flow.graphviz.svg");
    if common::tool("graphviz dot", Command::new("dot").arg("-V")) {
        let svg = std::fs::read_to_string(&graphviz).expect("dot is installed: a Graphviz layout");
        let opts = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let doc = roxmltree::Document::parse_with_options(&svg, opts).expect("Graphviz SVG parses");
        assert!(doc.descendants().filter(|n| n.has_tag_name("g")).count() > 5);
    } else {
        assert!(!graphviz.exists());
    }
    let findings = read("findings.json");
    assert!(
        findings["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "SG-DISC-001")
    );
    assert!(
        findings["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "SG-GOV-006")
    );
    assert!(findings["evidence"].as_array().unwrap().len() == 2);
    let card = std::fs::read_to_string(pack.join("model-cards/product-image-gan.md")).unwrap();
    assert!(card.starts_with("---\n"));
    assert!(
        card.contains("generated_card: true") || card.contains("license"),
        "{card}"
    );
}

#[test]
fn incident_clocks_through_the_cli_and_sg_gov_006() {
    let env = Env::new();
    assert_eq!(env.run(&["init"]).code, 0);
    let r = env.run(&[
        "incident",
        "open",
        "--kind",
        "phi_in_synthetic_data",
        "--title",
        "PHI in patients v3",
        "--jurisdiction",
        "US",
        "--phi",
        "--affected",
        "600",
        "--detected",
        "2026-01-02T00:00:00Z",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    let clocks: Vec<&str> = v["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(clocks, ["hipaa-individuals", "hipaa-hhs", "hipaa-media"]);
    assert_eq!(v["clocks"][0]["deadline"], "2026-03-03T00:00:00Z");
    assert!(!v["playbook"]["steps"].as_array().unwrap().is_empty());
    // Past every deadline and not notified: the governance scan fails on it.
    let r = env.run(&["scan", "governance", "--json"]);
    assert_eq!(r.code, 1);
    let rules: Vec<String> = r.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(rules.iter().filter(|r| *r == "SG-GOV-006").count(), 3);
    // Notified on the last minute of day 60 for individuals, a day late for HHS.
    let r = env.run(&[
        "incident",
        "update",
        "INC-0001",
        "--notified",
        "hipaa-individuals=2026-03-02T23:59:00Z",
        "--notified",
        "hipaa-hhs=2026-03-04T00:00:00Z",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let states: Vec<&str> = r.json()["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["state"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .iter()
        .map(|s| match s.as_str() {
            "met" => "met",
            "late" => "late",
            _ => "missed",
        })
        .collect();
    assert_eq!(states, ["met", "late", "missed"]);
    let list = env.run(&["incident", "list", "--json"]).json();
    assert_eq!(list["overdue"], true);
    // Closing keeps the record; list --all shows it.
    assert_eq!(
        env.run(&[
            "incident",
            "close",
            "INC-0001",
            "--resolution",
            "dataset purged"
        ])
        .code,
        0
    );
    assert_eq!(
        env.run(&["incident", "list", "--json"]).json()["incidents"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        env.run(&["incident", "list", "--all", "--json"]).json()["incidents"][0]["status"],
        "closed"
    );
    // Every change is a ledger event.
    let types: Vec<String> = env
        .run(&["ledger", "list", "--json"])
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["entry"]["type"].as_str().map(String::from))
        .collect();
    for t in ["incident.opened", "incident.updated", "incident.closed"] {
        assert!(types.iter().any(|x| x == t), "{t} in {types:?}");
    }
}

#[test]
fn bad_input_is_refused_before_anything_is_written() {
    let env = Env::new();
    assert_eq!(env.run(&["init"]).code, 0);
    let before = env.size();
    let out = env.dir.path().join("p");
    for (args, needle) in [
        (
            vec![
                "audit-pack",
                "--out",
                out.to_str().unwrap(),
                "--period",
                "2026-Q5",
            ],
            "--period",
        ),
        (
            vec![
                "audit-pack",
                "--out",
                out.to_str().unwrap(),
                "--frameworks",
                "sox",
            ],
            "unknown framework",
        ),
        (
            vec!["incident", "open", "--kind", "oops", "--title", "t"],
            "unknown incident kind",
        ),
        (
            vec![
                "incident",
                "open",
                "--kind",
                "vendor_breach",
                "--title",
                "t",
                "--detected",
                "yesterday",
            ],
            "RFC 3339",
        ),
        (
            vec!["incident", "update", "INC-0042", "--note", "x"],
            "not found",
        ),
    ] {
        let r = env.run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
    }
    assert_eq!(env.size(), before, "nothing appended");
    let fake = env.write("fake.json", b"{\"findings\": [], \"summary\": {\"scanned\": 0, \"findings\": 0, \"by_severity\": {}}}\n");
    let r = env.run(&[
        "audit-pack",
        "--out",
        out.to_str().unwrap(),
        "--report",
        fake.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("matches no recorded scan.completed"),
        "{}",
        r.stderr
    );
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    let r = env.run(&["audit-pack", "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("exists and is not empty"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(out.join("keep.txt")).unwrap(),
        "mine"
    );
    let r = env.run(&["verify-pack", env.dir.path().join("nope").to_str().unwrap()]);
    assert_eq!(r.code, 2);
}

#[test]
fn audit_simulate_scores_and_packs() {
    let Some((env, site)) = store() else { return };
    let cfg = env.home().join("synthgov.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str(&format!(
        "\n[scan]\nstorefront = [{:?}]\n",
        site.to_str().unwrap()
    ));
    std::fs::write(&cfg, text).unwrap();
    let out = env.dir.path().join("rehearsal");
    let r = env.run(&[
        "audit",
        "simulate",
        "--sample",
        "3",
        "--seed",
        "7",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    let score = v["score"]["score"].as_u64().unwrap();
    assert!(score < 100, "the fixture store has findings: {v}");
    assert_eq!(v["sample"]["pages"], 3);
    assert!(!v["score"]["fix_first"].as_array().unwrap().is_empty());
    let again = env
        .run(&[
            "audit",
            "simulate",
            "--sample",
            "3",
            "--seed",
            "7",
            "--out",
            env.dir.path().join("r2").to_str().unwrap(),
            "--json",
        ])
        .json();
    assert_eq!(
        again["sample"]["detail"], v["sample"]["detail"],
        "the same seed samples the same pages"
    );
    let key = std::fs::read_to_string(out.join("ledger/key")).unwrap();
    assert_eq!(verify(&env, &out, key.trim()).code, 0);
}

/// The pack's OSCAL documents through NIST's reference tooling: compliance-trestle
/// imports them into a trestle workspace (parsing them with its OSCAL models) and
/// validates them.
#[test]
fn compliance_trestle_accepts_the_packs_oscal() {
    let Some((env, pack)) = packed() else { return };
    let mut probe = Command::new("trestle");
    probe.arg("version");
    if !common::tool("trestle (pip install compliance-trestle)", &mut probe) {
        return;
    }
    let ws = env.dir.path().join("trestle");
    std::fs::create_dir_all(&ws).unwrap();
    let run = |args: &[&str]| {
        let o = Command::new("trestle")
            .args(args)
            .current_dir(&ws)
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(o.status.success(), "trestle {args:?}: {said}");
        said
    };
    run(&["init"]);
    for (file, name, kind) in [
        ("oscal/assessment-plan.json", "plan", "assessment-plan"),
        (
            "oscal/assessment-results.json",
            "results",
            "assessment-results",
        ),
    ] {
        run(&[
            "import",
            "-f",
            pack.join(file).to_str().unwrap(),
            "-o",
            name,
        ]);
        let said = run(&["validate", "-t", kind, "-n", name]);
        assert!(said.contains("VALID"), "{said}");
    }
}
