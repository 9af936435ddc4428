//! `synthgov demo`: a walk through the product on a throwaway store.
//!
//! Today it shows the ledger: a realistic stream of governance events from a
//! health-and-wellness Magento store, a signed checkpoint, an inclusion proof checked
//! the way an auditor would, a consistency proof after more appends, and a full
//! verification. Later capabilities extend this same walk.

use std::path::PathBuf;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use synthgov_ledger::hash::to_hex;
use synthgov_ledger::merkle::{verify_consistency, verify_inclusion};
use synthgov_ledger::{AppendReceipt, ListQuery};
use synthgov_registry::{Actor, ExternalEvent, Registry, replay};
use synthgov_store::Home;

use crate::cmd::Ctx;
use crate::exit::{Exit, Failure};
use crate::output::Out;

const PRODUCTS: [&str; 8] = [
    "MH01-vitamin-d3",
    "MH02-omega-3",
    "MH03-sleep-tea",
    "MH04-yoga-mat",
    "MH05-bp-monitor",
    "MH06-protein-vanilla",
    "MH07-magnesium",
    "MH08-glucose-strips",
];
const ACTORS: [&str; 4] = [
    "user:ana.compliance",
    "user:raj.platform",
    "svc:magento-module",
    "svc:ci-gate",
];

pub fn run(
    ctx: &Ctx,
    keep: Option<PathBuf>,
    serve: Option<std::net::SocketAddr>,
    out: &mut Out,
) -> Result<Exit, Failure> {
    let tmp;
    let dir = match keep {
        Some(d) => d,
        None => {
            tmp = tempfile::Builder::new()
                .prefix("synthgov-demo-")
                .tempdir()?;
            tmp.path().join("home")
        }
    };
    // The throwaway home uses the database named by --database, if any.
    let home = Home {
        dir,
        database: ctx.home.database.clone(),
    };
    let init = home.init()?;
    out.line("== synthgov demo: governing a health-and-wellness Magento store ==")?;
    out.line(&format!(
        "throwaway store {} (origin {})",
        home.dir.display(),
        init.origin
    ))?;
    out.line(&format!("database        {}", init.database))?;
    out.line(&format!("verifier key    {}", init.verifier_key))?;

    inventory_walk(&home, out)?;
    generation_walk(&home, out)?;
    scan_walk(&home, out)?;
    disclose_walk(&home, &init.store_id, out)?;

    let mut reg = Registry::open(&home)?;
    let mut rng = StdRng::seed_from_u64(2026);
    let (receipt, counts) = store_activity(&mut reg, &mut rng, 2_000)?;
    out.line(&format!(
        "\n6. the Magento module reported {} events of store activity (entries {}..{}); synthgov's own types are refused from outside:",
        receipt.appended, receipt.first_index, receipt.tree_size
    ))?;
    for (kind, n) in &counts {
        out.line(&format!("   {n:>5}  {kind}"))?;
    }
    let forged = reg.append_external(
        &Actor::new("svc:magento-module"),
        "disclosure.applied",
        Map::new(),
        None,
    );
    out.line(&format!(
        "   a forged `disclosure.applied` from the module: {}",
        match &forged {
            Err(e) if e.is_bad_input() => "refused, and the refusal is in the ledger",
            Err(_) => "FAILED to record",
            Ok(_) => "ACCEPTED (it must not be)",
        }
    ))?;

    let cp = reg.checkpoint()?;
    out.line("\n7. signed checkpoint (C2SP tlog-checkpoint, Ed25519):")?;
    for l in cp.note.lines() {
        out.line(&format!("   {l}"))?;
    }

    let ledger = reg.ledger();
    let generation = ledger.list(&ListQuery {
        type_prefix: Some("generation".into()),
        from: 0,
        limit: 1,
    })?;
    let (index, entry) = generation.first().cloned().ok_or_else(|| {
        Failure::environment(anyhow::anyhow!("demo stream has no generation event"))
    })?;
    let proof = ledger.prove(index, Some(cp.size))?;
    let checked = verify_inclusion(index, cp.size, proof.leaf_hash, &proof.proof, cp.root);
    out.line(&format!(
        "\n8. entry {index} ({} by {}) is in the checkpointed tree:",
        entry["type"].as_str().unwrap_or(""),
        entry["actor"].as_str().unwrap_or("")
    ))?;
    out.line(&format!("   leaf hash {}", to_hex(&proof.leaf_hash)))?;
    out.line(&format!(
        "   audit path of {} hashes leads to root {} -> {}",
        proof.proof.len(),
        to_hex(&cp.root),
        if checked.is_ok() {
            "proof holds"
        } else {
            "PROOF FAILS"
        }
    ))?;

    let (more, _) = store_activity(&mut reg, &mut rng, 250)?;
    let ledger = reg.ledger();
    let cons = ledger.consistency(cp.size, None)?;
    let consistent = verify_consistency(
        cons.old_size,
        cons.new_size,
        cp.root,
        cons.new_root,
        &cons.proof,
    );
    out.line(&format!(
        "\n9. {} more events; consistency proof {} -> {} ({} hashes): {}",
        more.appended,
        cons.old_size,
        cons.new_size,
        cons.proof.len(),
        if consistent.is_ok() {
            "the old checkpoint is a prefix of today's log"
        } else {
            "INCONSISTENT"
        }
    ))?;

    let (report, projections) = replay::verify(&reg, Some(&cp), &mut |_| {})?;
    let projections_ok = projections.as_ref().is_some_and(|p| p.ok);
    out.line(&format!(
        "\n10. synthgov verify: {} ({} entries rehashed, root {}, {} checkpoint(s); {} projection rows match the replayed log)",
        if report.ok && projections_ok { "ok" } else { "FAILED" },
        report.entries_checked,
        report.root_hash,
        report.checkpoints_checked,
        projections.as_ref().map_or(0, |p| p.rows_checked),
    ))?;
    drop(reg);
    let pack_ok = audit_walk(&home, out)?;
    let ok = report.ok
        && projections_ok
        && checked.is_ok()
        && consistent.is_ok()
        && pack_ok
        && forged.is_err();
    out.line("\nTry it on your own store:  synthgov init && synthgov ledger append --jsonl events.jsonl && synthgov verify")?;
    if let Some(addr) = serve {
        serve_walk(&home, addr, out)?;
    }
    Ok(if ok { Exit::Ok } else { Exit::CheckFailed })
}

/// The inventory part of the walk: apply a declared inventory, register generated
/// content and a synthetic dataset, classify the AI systems.
fn inventory_walk(home: &Home, out: &mut Out) -> Result<(), Failure> {
    use synthgov_registry::classify::RuleSet;
    use synthgov_registry::register::{RegisterRequest, register};
    use synthgov_registry::{Actor, Registry, apply, parse};

    const INVENTORY: &str = include_str!("../../../../examples/inventory.yaml");
    let actor = Actor::new("user:ana.compliance");
    let rules = RuleSet::load(None)?;
    let inv = parse::parse_inventory("examples/inventory.yaml", INVENTORY, &rules.use_cases())?;
    let mut reg = Registry::open(home)?;
    let report = apply::apply(&mut reg, &actor, &inv, false, false)?;
    out.line(&format!(
        "\n1. applied the inventory of {:?}: {} declarations, {} ledger events",
        inv.store.as_ref().map_or("", |s| s.name.as_str()),
        report.changes.len(),
        report.events
    ))?;

    // Content the store's generators made: product descriptions, images, a dataset.
    let content = home.dir.join("demo-content");
    std::fs::create_dir_all(content.join("descriptions"))?;
    std::fs::create_dir_all(content.join("images"))?;
    std::fs::create_dir_all(content.join("orders"))?;
    for (sku, text) in [
        (
            "MH01",
            "<p>Vitamin D3 2000 IU softgels: supports bone health and immune function.</p>",
        ),
        (
            "MH03",
            "<p>A calming blend of chamomile, lemon balm and lavender for restful evenings.</p>",
        ),
        (
            "MH05",
            "<p>Upper-arm blood pressure monitor with irregular heartbeat detection.</p>",
        ),
    ] {
        std::fs::write(
            content.join("descriptions").join(format!("{sku}.html")),
            text,
        )?;
    }
    let mut rng = StdRng::seed_from_u64(7);
    for sku in ["MH01", "MH03", "MH05", "MH07"] {
        let bytes: Vec<u8> = (0..4096).map(|_| rng.r#gen()).collect();
        std::fs::write(
            content.join("images").join(format!("{sku}-hero.png")),
            bytes,
        )?;
    }
    let mut csv = String::from("order_id,customer_email,total,currency,card_last4\n");
    for i in 0..200 {
        csv.push_str(&format!(
            "{},customer{i}@example.com,{:.2},EUR,4242\n",
            100_000 + i,
            rng.gen_range(5.0..300.0)
        ));
    }
    std::fs::write(content.join("orders").join("synthetic-orders.csv"), csv)?;
    let quiet = |_| {};
    let mut reg_files = |paths: Vec<std::path::PathBuf>, generator: &str, dataset: Option<&str>| {
        register(
            &mut reg,
            &actor,
            &RegisterRequest {
                paths,
                generator: generator.into(),
                dataset: dataset.map(str::to_owned),
                surface: Some(
                    if dataset.is_some() {
                        "checkout"
                    } else {
                        "storefront"
                    }
                    .into(),
                ),
                kind: None,
            },
            &mut |_| {},
            &quiet,
        )
    };
    let d = reg_files(vec![content.join("descriptions")], "description-llm", None)?;
    let i = reg_files(vec![content.join("images")], "product-image-gan", None)?;
    let o = reg_files(
        vec![content.join("orders")],
        "orders-copula",
        Some("synthetic-orders"),
    )?;
    out.line(&format!(
        "2. registered {} AI-written descriptions, {} generated product images and synthetic-orders v{}",
        d.files,
        i.files,
        o.dataset_version.as_ref().map_or(0, |v| v["version"].as_u64().unwrap_or(0))
    ))?;

    let dates = synthgov_registry::dates::Dates::load(None)?;
    let classes = synthgov_registry::assessment::classify_registry(
        &reg,
        &rules,
        &dates,
        time::OffsetDateTime::now_utc().date(),
        None,
    )?;
    out.line("3. classification (rules file: shipped; `synthgov classify` shows the reasons):")?;
    out.line(&format!(
        "   {:<20} {:<9} {:<10} {:<27} {:<6} {:<6} {:<6} obligations",
        "system", "role", "EU AI Act", "basis", "Art.22", "HIPAA", "DPIA"
    ))?;
    let yn = |b: bool| if b { "yes" } else { "-" };
    for c in &classes {
        let ahead: Vec<&str> = c
            .obligations
            .iter()
            .filter(|o| !o.in_force)
            .map(|o| o.applies_from.as_str())
            .collect();
        let first = ahead
            .iter()
            .min()
            .map_or(String::new(), |d| format!(", from {d}"));
        out.line(&format!(
            "   {:<20} {:<9} {:<10} {:<27} {:<6} {:<6} {:<6} {} in force, {} ahead{first}",
            c.system,
            c.role.as_str(),
            c.eu_ai_act.tier.as_str(),
            c.eu_ai_act.basis.join(", "),
            yn(c.gdpr_art22),
            yn(c.hipaa),
            yn(c.gdpr_art35_dpia),
            c.obligations.len() - ahead.len(),
            ahead.len(),
        ))?;
    }
    // A high-risk system runs only with an approved assessment.
    use synthgov_registry::assessment::{self, Answers};
    let answers = Answers {
        people_affected: Some(4_000),
        ..Answers::default()
    };
    let today = time::OffsetDateTime::now_utc().date();
    let (_, _, at) = assessment::record(
        &mut reg,
        &Actor::new("user:ana.compliance"),
        "patient-triage",
        answers,
        &rules,
        &dates,
        today,
    )?;
    let (_, ap) = assessment::approve(
        &mut reg,
        &Actor::new("user:lena.dpo"),
        "patient-triage",
        "clinical risk file and DPIA reviewed",
        &rules,
        &dates,
    )?;
    out.line(&format!(
        "   patient-triage assessed (entry {at}) and approved by another person (entry {ap}); a new dataset version makes it due again"
    ))?;
    Ok(())
}

/// Governed generation: a run recorded in the ledger, leaked rows found again without
/// their marker column, and the kill switch.
fn generation_walk(home: &Home, out: &mut Out) -> Result<(), Failure> {
    use synthgov_registry::{Actor, Registry};
    use synthgov_synth::detect::{Detection, detect_file};
    use synthgov_synth::entity::Entity;
    use synthgov_synth::fingerprint::Keys;
    use synthgov_synth::generate::{Locale, default_products};
    use synthgov_synth::governed::{GenerateRequest, generate_governed, known_versions};
    use synthgov_synth::row::Format;

    let actor = Actor::new("user:raj.platform");
    let mut reg = Registry::open(home)?;
    let keys = Keys::new(home.marker_secret()?);
    let dir = home.dir.join("demo-content");
    let req = GenerateRequest {
        entity: Entity::Customers,
        rows: 5000,
        seed: 2026,
        locale: Locale::EnUs,
        format: Format::Csv,
        out: dir.join("synthetic-customers.csv"),
        dataset: None,
        parents: None,
        products: default_products(),
        marker_column: Some("synthgov_marker".into()),
    };
    let run = generate_governed(&mut reg, &keys, &actor, &req, &mut |_| {})?;
    out.line(&format!(
        "\n4. generated {} synthetic customers (reserved email domains, fiction phone ranges), dataset {} v{}, ledger entry {}",
        run.rows, run.dataset, run.version, run.ledger_index
    ))?;
    // Ten of them "leak" into a CRM export: marker column dropped, columns reordered,
    // between two real-looking customers.
    let text = std::fs::read_to_string(&req.out)?;
    let mut leak =
        String::from("email,last_name,first_name,city\njane.doe@gmail.com,Doe,Jane,Austin\n");
    for line in text.lines().skip(101).take(10) {
        let f: Vec<&str> = line.split(',').collect();
        leak.push_str(&format!("{},{},{},{}\n", f[3], f[2], f[1], f[6]));
    }
    leak.push_str("omar.khan@outlook.com,Khan,Omar,Leeds\n");
    let leak_file = dir.join("crm_export.csv");
    std::fs::write(&leak_file, leak)?;
    let mut found = Detection::default();
    detect_file(&leak_file, &keys, &known_versions(&reg)?, &mut found)
        .map_err(Failure::bad_input)?;
    out.line(&format!(
        "   synthgov detect crm_export.csv: {} of {} rows are synthetic (by fingerprint), the 2 real-looking rows are not",
        found.matches.len(),
        found.rows_scanned
    ))?;
    reg.set_flag(&actor, "generation", false, Some("audit demonstration"))?;
    let refused = generate_governed(
        &mut reg,
        &keys,
        &actor,
        &GenerateRequest {
            out: dir.join("never.csv"),
            ..req.clone()
        },
        &mut |_| {},
    );
    out.line(&format!(
        "5. kill switch: flag `generation` off -> {} (no file written, refusal recorded)",
        match refused {
            Err(e) => e.to_string(),
            Ok(_) => "GENERATED ANYWAY".into(),
        }
    ))?;
    reg.set_flag(&actor, "generation", true, Some("audit over"))?;
    Ok(())
}

/// A two-page storefront: the product photo is AI-generated (registered) and one page
/// shows it and its AI-written description without disclosure.
fn scan_walk(home: &Home, out: &mut Out) -> Result<(), Failure> {
    use synthgov_registry::register::{RegisterRequest, register};
    use synthgov_registry::{Actor, Registry};
    use synthgov_scan::known::Known;
    use synthgov_scan::rules::Catalog;
    use synthgov_scan::storefront::{Ctx as PageCtx, FolderOptions, scan_folder};

    // A 1x1 PNG: what the image generator "made".
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde\0\0\0\x0cIDATx\x9cc\xf8\xcf\xc0\0\0\x03\x01\x01\0\xc9\xfe\x92\xef\0\0\0\0IEND\xaeB`\x82";
    const DESCRIPTION: &str = "<p>Ashwagandha &amp; magnesium for calm evenings: 60 vegan capsules, third-party tested.</p>";
    let actor = Actor::new("user:lee.frontend");
    let dir = home.dir.join("demo-content");
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("media"))?;
    std::fs::write(dir.join("calm-capsules.png"), PNG)?;
    std::fs::write(dir.join("calm-capsules.html"), DESCRIPTION)?;
    std::fs::write(site.join("media/calm-capsules.png"), PNG)?;
    std::fs::write(
        site.join("calm-capsules.html"),
        format!(
            "<!doctype html>\n<html><body>\n<div class=\"product media\">\n  <img class=\"gallery-main\" src=\"media/calm-capsules.png\" alt=\"Calm capsules\">\n</div>\n<div class=\"product attribute description\"><div class=\"value\">{DESCRIPTION}</div></div>\n</body></html>\n"
        ),
    )?;
    std::fs::write(
        site.join("calm-capsules-fixed.html"),
        format!(
            "<!doctype html>\n<html><body>\n<figure data-synthetic=\"true\" aria-label=\"AI-generated image\">\n  <img src=\"media/calm-capsules.png\" alt=\"Calm capsules\">\n</figure>\n<div data-synthetic=\"true\"><p>AI-generated description</p><div class=\"value\">{DESCRIPTION}</div></div>\n</body></html>\n"
        ),
    )?;
    let mut reg = Registry::open(home)?;
    for (file, generator) in [
        ("calm-capsules.png", "product-image-gan"),
        ("calm-capsules.html", "description-llm"),
    ] {
        register(
            &mut reg,
            &actor,
            &RegisterRequest {
                paths: vec![dir.join(file)],
                generator: generator.into(),
                dataset: None,
                surface: Some("storefront".into()),
                kind: None,
            },
            &mut |_| {},
            &|_| {},
        )?;
    }
    let known = Known::from_assets(&reg.assets()?);
    let catalog = Catalog::shipped();
    let (result, pages) = scan_folder(
        &PageCtx::new(&known, &catalog),
        &site,
        &FolderOptions::default(),
        &|_| {},
    )
    .map_err(Failure::environment)?;
    let report = synthgov_core::finding::Report {
        findings: result.findings,
        problems: result.problems,
        ..Default::default()
    }
    .finish(pages);
    out.line(&format!(
        "\n5b. registered the AI product photo and description; `synthgov scan storefront` over {pages} pages:"
    ))?;
    for f in &report.findings {
        out.line(&format!(
            "   {} {:<8} {}:{}  {}",
            f.rule,
            f.severity.as_str(),
            f.location.uri,
            f.location.line.unwrap_or(0),
            f.message
        ))?;
    }
    out.line(
        "   calm-capsules-fixed.html discloses both (data-synthetic, aria-label, visible label); its image still needs C2PA / IPTC marking",
    )?;
    let mut data = serde_json::Map::new();
    data.insert("scanner".into(), serde_json::json!("storefront"));
    data.insert("scanned".into(), serde_json::json!(pages));
    data.insert(
        "findings".into(),
        serde_json::json!(report.summary.findings),
    );
    reg.record(
        &actor,
        synthgov_registry::policy::Action::Scan,
        synthgov_registry::EventType::ScanCompleted,
        data,
    )?;
    Ok(())
}

/// Fixes what the scan found: `disclose html --mark-images` over the demo storefront,
/// a clean rescan, and the marked photo's content credentials verified.
fn disclose_walk(home: &Home, store_id: &str, out: &mut Out) -> Result<(), Failure> {
    use synthgov_disclose::folder::{Job, Output};
    use synthgov_registry::Registry;
    use synthgov_scan::known::Known;
    use synthgov_scan::rules::Catalog;
    use synthgov_scan::storefront::{Ctx as PageCtx, FolderOptions, scan_folder};

    synthgov_disclose::signing::ensure_local_ca(&home.dir.join("keys"), store_id)
        .map_err(Failure::environment)?;
    let ctx = Ctx {
        home: home.clone(),
        json: false,
        quiet: true,
    };
    let site = home.dir.join("demo-content/site");
    let fixed = home.dir.join("demo-content/site-disclosed");
    let o = super::disclose::apply_html(
        &ctx,
        &Job {
            inputs: vec![site],
            output: Output::Dir(fixed.clone()),
            origin: None,
            max_page_bytes: 64 << 20,
            extensions: Vec::new(),
            encoding: None,
        },
        None,
        true,
        false,
    )?;
    out.line(&format!(
        "\n5c. `synthgov disclose html --mark-images`: {} of {} pages rewritten ({}), {} image given C2PA content credentials",
        o.changed_pages,
        o.report.pages.len(),
        o.by_kind
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", "),
        o.marked.len()
    ))?;
    let reg = Registry::open(home)?;
    let known = Known::from_assets(&reg.assets()?);
    let catalog = Catalog::shipped();
    let (result, pages) = scan_folder(
        &PageCtx::new(&known, &catalog),
        &fixed,
        &FolderOptions::default(),
        &|_| {},
    )
    .map_err(Failure::environment)?;
    out.line(&format!(
        "    rescan of the disclosed storefront: {pages} pages, {} findings",
        result.findings.len()
    ))?;
    for m in &o.marked {
        let bytes = std::fs::read(&m.output)?;
        let anchor = std::fs::read_to_string(
            home.dir
                .join("keys")
                .join(synthgov_disclose::signing::CA_CERT),
        )?;
        let v = synthgov_disclose::image::verify_media(&bytes, Some(&anchor))
            .map_err(Failure::environment)?;
        out.line(&format!(
            "    verify-media {}: {}, AI-generated by {}, ledger entry {} (signature {}, hashes {})",
            std::path::Path::new(&m.output)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
            v.verdict,
            v.generator.as_deref().unwrap_or("?"),
            m.ledger_index.map_or("?".into(), |i| i.to_string()),
            if v.c2pa.as_ref().is_some_and(|c| c.signature_ok) { "ok" } else { "BAD" },
            if v.c2pa.as_ref().is_some_and(|c| c.hashes_ok) { "ok" } else { "BAD" },
        ))?;
    }
    Ok(())
}

/// A deterministic, realistic stream of store activity as the Magento module reports
/// it (`magento.*` events through the registry's external path), with the kill switch
/// turned off and on again through the flag write path.
fn store_activity(
    reg: &mut Registry,
    rng: &mut StdRng,
    n: usize,
) -> Result<(AppendReceipt, BTreeMap<String, usize>), Failure> {
    let module = Actor::new("svc:magento-module");
    let mut counts = BTreeMap::<String, usize>::new();
    let mut events = Vec::with_capacity(n);
    for i in 0..n {
        let product = PRODUCTS[rng.gen_range(0..PRODUCTS.len())];
        let digest: String = (0..32)
            .map(|_| format!("{:02x}", rng.r#gen::<u8>()))
            .collect();
        let (kind, data) = match rng.gen_range(0..100) {
            0..=39 => (
                "magento.product_saved",
                json!({
                "sku": product, "store_view": "default", "attribute": "description",
                "ai_generated": i % 3 != 0, "value_sha256": digest}),
            ),
            40..=59 => (
                "magento.media_gallery_changed",
                json!({
                "sku": product, "file": format!("/m/h/{product}.jpg"), "sha256": digest}),
            ),
            60..=79 => (
                "magento.order_placed",
                json!({
                "increment_id": format!("{:09}", 100_000_000 + i), "synthetic": rng.gen_bool(0.2),
                "items": rng.gen_range(1..6)}),
            ),
            80..=94 => (
                "magento.cms_block_saved",
                json!({
                "identifier": "wellness-guide", "store_view": "default", "content_sha256": digest}),
            ),
            _ => (
                "magento.admin_login",
                json!({
                "user": ACTORS[rng.gen_range(0..ACTORS.len())], "ip": "192.0.2.10"}),
            ),
        };
        let Value::Object(data) = data else {
            unreachable!("json! object")
        };
        *counts.entry(kind.to_owned()).or_default() += 1;
        events.push(ExternalEvent::new(&module, kind, data, None)?);
    }
    let receipt = reg.append_external_batch(events)?;
    let ops = Actor::new("user:ana.compliance");
    for (on, why) in [
        (false, "audit inspection: generation paused"),
        (true, "inspection over"),
    ] {
        if reg.set_flag(&ops, "generation", on, Some(why))? {
            *counts.entry("flag.changed".to_owned()).or_default() += 1;
        }
    }
    Ok((receipt, counts))
}

/// Step 11: an incident with its clocks, then the audit pack and its offline check.
fn audit_walk(home: &Home, out: &mut Out) -> Result<bool, Failure> {
    use synthgov_registry::incident::{self, Facts, IncidentRules, Update};
    use synthgov_registry::{Actor, Registry};
    let actor = |n: &str| Actor::new(n);
    let rules = IncidentRules::shipped();
    let class_rules = synthgov_registry::classify::RuleSet::load(None)?;
    let dates = synthgov_registry::dates::Dates::load(None)?;
    let law = (&class_rules, &dates);
    let mut reg = Registry::open(home)?;
    let detected = time::OffsetDateTime::now_utc() - time::Duration::hours(30);
    let detected = detected
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(Failure::environment)?;
    let (inc, idx) = incident::open(
        &mut reg,
        &rules,
        law,
        &actor("user:lena.compliance"),
        Facts {
            kind: "phi_in_synthetic_data".into(),
            title: "Real patient emails found in synthetic patients v2".into(),
            detected_at: Some(detected),
            jurisdictions: vec!["DE".into(), "US".into()],
            phi: true,
            affected: 37,
            datasets: vec!["synthetic-patients".into()],
            ..Default::default()
        },
    )?;
    let (inc, _) = incident::update(
        &mut reg,
        &rules,
        law,
        &actor("user:lena.compliance"),
        &inc.id,
        Update {
            notified: vec![("gdpr-art33".into(), None)],
            note: Some("BfDI notified through its online form".into()),
            ..Default::default()
        },
    )?;
    out.line(&format!(
        "\n11. incident {} ({}) opened at entry {idx}; its clocks:",
        inc.id, inc.kind
    ))?;
    for c in incident::clocks(&rules, &inc, time::OffsetDateTime::now_utc())? {
        out.line(&format!(
            "   {:<20} {:<26} due {} -> {:?}",
            c.id,
            c.regulation,
            c.deadline.as_deref().unwrap_or("without undue delay"),
            c.state
        ))?;
    }
    drop(reg);
    let ctx = Ctx {
        home: home.clone(),
        json: false,
        quiet: true,
    };
    let dir = home.dir.join("audit-pack");
    let args = crate::cli::AuditPackArgs {
        out: dir.clone(),
        period: None,
        frameworks: vec![],
        zip: false,
        reports: vec![],
    };
    let built = super::audit::make_pack(&ctx, &args)?;
    let s = &built.pack.stats;
    out.line(&format!(
        "\n12. audit pack {}: {} files, {} findings, {} incidents, {} ledger entries proved against checkpoint {}",
        dir.display(),
        s.files,
        s.findings,
        s.incidents,
        s.cited_entries,
        s.tree_size
    ))?;
    let key = std::fs::read_to_string(dir.join("ledger/key"))?;
    let v = synthgov_audit::verify::verify_pack(&dir, Some(key.trim()));
    out.line(&format!(
        "    synthgov verify-pack: {} ({} files against the signed MANIFEST, {} inclusion proofs)",
        if v.ok() { "ok" } else { "FAILED" },
        v.files,
        v.entries
    ))?;
    for p in &v.problems {
        out.line(&format!("    FAIL {p}"))?;
    }
    Ok(v.ok())
}

/// 13: the store's dashboard and API, with an admin token to sign in with.
fn serve_walk(home: &Home, addr: std::net::SocketAddr, out: &mut Out) -> Result<(), Failure> {
    let mut reg = synthgov_registry::Registry::open(home)?;
    let admin = synthgov_registry::tokens::create(
        &mut reg,
        &synthgov_registry::Actor::new("user:ana.compliance"),
        &synthgov_registry::tokens::CreateToken {
            role: "admin",
            name: "demo-admin",
            tenant: None,
            expires_at: Some(time::OffsetDateTime::now_utc() + time::Duration::days(1)),
        },
    )?;
    drop(reg);
    let config = synthgov_server::Config {
        home: home.clone(),
        policies: synthgov_registry::policy::Policies::default_set(),
        readers: 2,
        siem: Vec::new(),
    };
    let fallback: std::net::SocketAddr = std::net::SocketAddr::new(addr.ip(), 0);
    out.line("\n13. the governance server (synthgov serve) on this store:")?;
    let token = admin.token;
    crate::cmd::serve::serve_until_stopped(config, &[addr, fallback], None, out, |url| {
        vec![
            format!("    dashboard   {url}   (sign in with the admin token below)"),
            format!("    admin token {token}"),
            format!("    e.g. curl -H 'Authorization: Bearer {token}' {url}v1/flags"),
            "    Ctrl-C ends the demo.".into(),
        ]
    })
}
