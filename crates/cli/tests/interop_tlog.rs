//! The ledger checked by Go's own transparency-log code (golang.org/x/mod/sumdb/note
//! and sumdb/tlog from Debian's golang-golang-x-mod-dev; tests/interop/tlogcheck):
//! a live `synthgov serve`'s signed checkpoint, every hash tile against its root
//! (full and partial tiles, two levels), an inclusion proof of each of 700 entries and
//! a consistency proof from an older checkpoint. A wrong key or old root fails.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Env, jsonl, path_str, repo, serve};

/// Builds tlogcheck with Debian's Go and x/mod, in GOPATH mode (no module download).
fn tlogcheck(out: &Path) -> Option<PathBuf> {
    let gopath = Path::new("/usr/share/gocode");
    let have = gopath.join("src/golang.org/x/mod/sumdb/tlog").exists()
        && Command::new("go")
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success());
    if !have {
        return synthgov_core::testenv::missing(
            "go with golang.org/x/mod",
            "apt-get install golang-go golang-golang-x-mod-dev (.ci/run does)",
        );
    }
    let bin = out.join("tlogcheck");
    let o = Command::new("go")
        .args(["build", "-o"])
        .arg(&bin)
        .arg(".")
        .current_dir(repo().join("tests/interop/tlogcheck"))
        .env("GO111MODULE", "off")
        .env("GOPATH", gopath)
        .env("GOCACHE", out.join("gocache"))
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "go build: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    Some(bin)
}

#[test]
fn go_sumdb_tlog_verifies_checkpoint_tiles_and_proofs() {
    let env = Env::new();
    let Some(bin) = tlogcheck(env.dir.path()) else {
        return;
    };
    let first = env.write("a.jsonl", jsonl(300, "a").as_bytes());
    assert_eq!(
        env.run(&["ledger", "append", "--jsonl", path_str(&first)])
            .code,
        0
    );
    let old = env.run(&["ledger", "checkpoint"]).stdout;
    let old_root = old.lines().nth(2).unwrap().to_owned();
    let more = env.write("b.jsonl", jsonl(400, "b").as_bytes());
    assert_eq!(
        env.run(&["ledger", "append", "--jsonl", path_str(&more)])
            .code,
        0
    );
    let key = env.run(&["ledger", "key"]).stdout.trim().to_owned();
    let (_srv, base) = serve(&env);
    let run = |args: &[&str]| Command::new(&bin).args(args).output().unwrap();
    let o = run(&[&base, &key, "300", &old_root]);
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{said}");
    let v: serde_json::Value = serde_json::from_str(said.trim()).unwrap();
    assert_eq!(v["size"], 700, "{v}");
    assert_eq!(
        (v["inclusion_proofs"].as_u64(), v["consistency"].as_bool()),
        (Some(700), Some(true))
    );
    // The checks can fail: another key, another old root.
    let other = Env::new();
    let other_key = other.run(&["ledger", "key"]).stdout.trim().to_owned();
    assert!(!run(&[&base, &other_key]).status.success());
    let wrong_root = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let o = run(&[&base, &key, "300", wrong_root]);
    assert!(
        !o.status.success(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}
