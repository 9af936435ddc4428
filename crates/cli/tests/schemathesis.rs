//! schemathesis (PyPI) fuzzes every read endpoint of /openapi.json against a running
//! `synthgov serve`: no request it generates may get a 5xx.

mod common;

use std::process::Command;

use common::{Env, path_str, repo, serve, tool};

#[test]
fn schemathesis_finds_no_server_error_on_the_read_endpoints() {
    if !tool(
        "schemathesis",
        Command::new("schemathesis").arg("--version"),
    ) {
        return;
    }
    let env = Env::new();
    let r = env.run(&["apply", path_str(&repo().join("examples/inventory.yaml"))]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run(&[
        "--json", "token", "create", "--role", "admin", "--name", "fuzz",
    ]);
    let token = r.json()["token"].as_str().unwrap().to_owned();
    let (_server, base) = serve(&env);
    let o = Command::new("schemathesis")
        .args(["run", &format!("{base}/openapi.json")])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .args(["--include-method", "GET", "--checks", "not_a_server_error"])
        .args(["--max-examples", "40", "--no-color"])
        .env("SCHEMATHESIS_HOOKS", "")
        // It keeps a cache folder where it runs: in the test's folder, not the repo.
        .current_dir(env.dir.path())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // It really ran: every GET operation of the document was tested.
    assert!(out.contains("Tested: "), "{out}");
    assert!(!out.contains("Tested: 0"), "{out}");
}
