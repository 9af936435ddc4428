//! The dashboard of `synthgov serve` in a real browser: Debian's chromium, headless,
//! driven by playwright-core (tools/node/dashboard.mjs). Sign in with a token, see
//! the inventory, flip the kill switch and see it change; axe-core finds no
//! violations; the flip is a ledger event and generation is refused afterwards.

mod common;

use std::process::Command;

use common::{Env, node_tools, path_str, repo, serve, tool};
use serde_json::Value;

#[test]
fn dashboard_signs_in_shows_inventory_and_flips_the_kill_switch() {
    let Some(tools) = node_tools() else { return };
    if !tool("chromium", Command::new("chromium").arg("--version")) {
        return;
    }
    let env = Env::new();
    let r = env.run(&["apply", path_str(&repo().join("examples/inventory.yaml"))]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run(&[
        "--json",
        "token",
        "create",
        "--role",
        "compliance",
        "--name",
        "browser",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let token = r.json()["token"].as_str().unwrap().to_owned();
    let (_server, base) = serve(&env);

    let shot = std::env::var_os("SYNTHGOV_DASHBOARD_SCREENSHOT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env.dir.path().join("dashboard.png"));
    let o = Command::new("node")
        .arg(tools.join("dashboard.mjs"))
        .arg(&base)
        .arg(&token)
        .arg(&shot)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["login_violations"], serde_json::json!([]), "{v:#}");
    assert_eq!(v["violations"], serde_json::json!([]), "{v:#}");
    assert_eq!(v["violations_after"], serde_json::json!([]), "{v:#}");
    assert_eq!(v["signed_in"], true);
    assert!(v["generators"].as_u64().unwrap() >= 2, "{v:#}");
    assert_eq!(v["generation_before"], "on");
    assert_eq!(v["generation_after"], "off", "{v:#}");
    assert_eq!(v["notice"], "Flag generation is now off.");
    assert_eq!(v["confirm_asked"], "Stop all synthetic data generation?");
    assert!(
        v["verify_notice"]
            .as_str()
            .unwrap()
            .starts_with("Ledger verified:"),
        "{v:#}"
    );
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "no screenshot"
    );

    // The flip went through the one write path: a ledger event naming the browser's
    // token, and the CLI now refuses to generate.
    let r = env.run(&["--json", "ledger", "list", "--type", "flag.changed"]);
    let events = r.json();
    let last = events.as_array().unwrap().last().unwrap().to_string();
    assert!(
        last.contains("api:browser#tok_") && last.contains("audit demonstration"),
        "{last}"
    );
    let out = env.dir.path().join("c.csv");
    let r = env.run(&[
        "generate",
        "customers",
        "--rows",
        "10",
        "--out",
        path_str(&out),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!out.exists());
}

#[test]
fn dashboard_refuses_bad_tokens_and_forged_forms() {
    let env = Env::new();
    let r = env.run(&[
        "--json", "token", "create", "--role", "auditor", "--name", "aud",
    ]);
    let token = r.json()["token"].as_str().unwrap().to_owned();
    let (_server, base) = serve(&env);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    // Not signed in: the sign-in form.
    let mut res = agent.get(&format!("{base}/")).call().unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.body_mut()
            .read_to_string()
            .unwrap()
            .contains("Access token")
    );
    // A wrong token: 401 and the form again, no cookie.
    let res = agent
        .post(&format!("{base}/ui/login"))
        .send_form([("token", "sgt_wrong")])
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers().get("set-cookie").is_none());
    // The right one: a session cookie, HttpOnly and SameSite=Strict.
    let res = agent
        .post(&format!("{base}/ui/login"))
        .send_form([("token", token.as_str())])
        .unwrap();
    assert_eq!(res.status(), 303);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_owned();
    // A form without the page's CSRF value changes nothing.
    let res = agent
        .post(&format!("{base}/ui/flag"))
        .header("Cookie", &session)
        .send_form([
            ("name", "generation"),
            ("enabled", "false"),
            ("csrf", "forged"),
        ])
        .unwrap();
    assert_eq!(res.status(), 403);
    // The auditor may look but not flip: the page says so, the ledger records the denial.
    let mut res = agent
        .get(&format!("{base}/"))
        .header("Cookie", &session)
        .call()
        .unwrap();
    let page = res.body_mut().read_to_string().unwrap();
    let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = &page[at..at + 32];
    let mut res = agent
        .post(&format!("{base}/ui/flag"))
        .header("Cookie", &session)
        .send_form([("name", "generation"), ("enabled", "false"), ("csrf", csrf)])
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.body_mut()
            .read_to_string()
            .unwrap()
            .contains("Not changed:")
    );
    let r = env.run(&["--json", "flags"]);
    assert!(
        !r.stdout.contains("\"enabled\":false") && !r.stdout.contains("\"enabled\": false"),
        "{}",
        r.stdout
    );
    let r = env.run(&["--json", "ledger", "list", "--type", "access.denied"]);
    assert_eq!(r.json().as_array().unwrap().len(), 1, "{}", r.stdout);
}

#[test]
fn a_tenant_token_sees_its_tenant_and_not_the_store_wide_findings() {
    let env = Env::new();
    let r = env.run(&["apply", path_str(&repo().join("examples/inventory.yaml"))]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run(&[
        "--json", "token", "create", "--role", "engineer", "--name", "eu-eng", "--tenant", "eu",
    ]);
    let token = r.json()["token"].as_str().unwrap().to_owned();
    let (_server, base) = serve(&env);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let res = agent
        .post(&format!("{base}/ui/login"))
        .send_form([("token", token.as_str())])
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    let session = cookie.split(';').next().unwrap().to_owned();
    let mut res = agent
        .get(&format!("{base}/"))
        .header("Cookie", &session)
        .call()
        .unwrap();
    assert_eq!(res.status(), 200);
    let page = res.body_mut().read_to_string().unwrap();
    assert!(
        page.contains("not shown to a token bound to tenant eu"),
        "{page}"
    );
    assert!(
        !page.contains("SG-GOV-"),
        "store-wide findings leaked to a tenant token"
    );
    // An admin does see them (the example store has governance findings).
    let r = env.run(&[
        "--json", "token", "create", "--role", "admin", "--name", "adm",
    ]);
    let admin = r.json()["token"].as_str().unwrap().to_owned();
    let res = agent
        .post(&format!("{base}/ui/login"))
        .send_form([("token", admin.as_str())])
        .unwrap();
    let session = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let mut res = agent
        .get(&format!("{base}/"))
        .header("Cookie", &session)
        .call()
        .unwrap();
    assert!(res.body_mut().read_to_string().unwrap().contains("SG-GOV-"));
}
