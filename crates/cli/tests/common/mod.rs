//! Runs the real `synthgov` binary against a temporary home.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Env {
    pub dir: tempfile::TempDir,
    /// The PostgreSQL URL `init` was given, when the store is there.
    pub database: Option<String>,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_synthgov"))
}

impl Env {
    /// A fresh, initialized home.
    pub fn new() -> Env {
        Env::with_database(None)
    }

    /// A fresh home whose store is in `database` (remembered by `init` in the
    /// config, so later commands need no flag), or in SQLite when None.
    pub fn with_database(database: Option<String>) -> Env {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
            database,
        };
        let mut args = vec!["init"];
        if let Some(url) = &env.database {
            args.splice(0..0, ["--database", url.as_str()]);
        }
        let r = env.run(&args);
        assert_eq!(r.code, 0, "init failed: {}", r.stderr);
        env
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn db(&self) -> PathBuf {
        self.home().join("synthgov.db")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.arg("--home").arg(self.home()).args(args);
        c.env_remove("SYNTHGOV_HOME")
            .env_remove("SYNTHGOV_DATABASE");
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_stdin(args, None)
    }

    pub fn run_stdin(&self, args: &[&str], stdin: Option<&[u8]>) -> Run {
        let mut c = self.command(args);
        c.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        if let Some(input) = stdin {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(input).unwrap();
        }
        to_run(child.wait_with_output().unwrap())
    }

    pub fn write(&self, name: &str, contents: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, contents).unwrap();
        p
    }

    pub fn size(&self) -> u64 {
        let r = self.run(&["ledger", "list", "--json", "--limit", "100000000"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.json().as_array().unwrap().len() as u64
    }
}

pub fn to_run(o: Output) -> Run {
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// `n` JSONL events tagged with `tag`.
pub fn jsonl(n: usize, tag: &str) -> String {
    (0..n)
        .map(|i| {
            format!(
                "{{\"type\":\"ext.asset_reported\",\"actor\":\"test\",\"time\":\"2026-11-23T10:00:00Z\",\"data\":{{\"tag\":\"{tag}\",\"i\":{i},\"sha256\":\"{:064x}\"}}}}\n",
                i
            )
        })
        .collect()
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A database URL from the environment (.ci/run sets them); None with a notice, or
/// a failure under .ci/run (`synthgov_core::testenv`).
pub fn db_url(var: &str) -> Option<String> {
    synthgov_core::testenv::db_url(var)
}

/// A fresh schema in the PostgreSQL test database (SYNTHGOV_TEST_POSTGRES_URL), as a
/// URL whose connections use it; None, with a notice, when the variable is not set.
pub fn fresh_postgres() -> Option<String> {
    let url = db_url("SYNTHGOV_TEST_POSTGRES_URL")?;
    Some(
        synthgov_store::postgres::new_schema(&url, "sg_cli")
            .unwrap_or_else(|e| panic!("SYNTHGOV_TEST_POSTGRES_URL: {e}")),
    )
}

/// Whether an external tool the tests drive is here (`probe` runs and succeeds). When
/// it is not, the test skips with a notice, or fails under .ci/run.
pub fn tool(name: &str, probe: &mut Command) -> bool {
    let ok = probe
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        synthgov_core::testenv::missing::<()>(name, ".ci/run installs it");
    }
    ok
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Node with the packages of tools/node installed (`npm ci --prefix tools/node`).
pub fn node_tools() -> Option<PathBuf> {
    let dir = repo().join("tools/node");
    let has = dir.join("node_modules/liquidjs").exists()
        && dir.join("node_modules/playwright-core").exists();
    let mut probe = Command::new(if has {
        "node"
    } else {
        "/nonexistent-node-tools"
    });
    probe.arg("--version");
    tool("node with tools/node/node_modules", &mut probe).then_some(dir)
}

pub fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/storefront")
}

/// A file under ../shared; a missing one skips the test, or fails it under .ci/run.
pub fn shared(rel: &str) -> Option<PathBuf> {
    synthgov_core::testenv::shared(env!("CARGO_MANIFEST_DIR"), rel)
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// A home with the example inventory and the fixture's generated files registered,
/// and the fixture site copied next to it (plus a C2PA-signed JPEG from shared).
pub fn store() -> Option<(Env, PathBuf)> {
    let c2pa = shared("testdata/c2pa/C.jpg")?;
    let env = Env::new();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/inventory.yaml");
    let r = env.run(&["apply", examples.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let reg = fixture().join("registered");
    let r = env.run(&[
        "register",
        reg.join("ai-marked.png").to_str().unwrap(),
        reg.join("ai-unmarked.png").to_str().unwrap(),
        "--generator",
        "product-image-gan",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run(&[
        "register",
        reg.join("description.html").to_str().unwrap(),
        "--generator",
        "description-llm",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let site = env.dir.path().join("site");
    copy_dir(&fixture().join("site"), &site);
    std::fs::copy(c2pa, site.join("img/c2pa.jpg")).unwrap();
    Some((env, site))
}

/// `synthgov serve` on a free port, killed when dropped.
pub struct Serve(std::process::Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `synthgov serve` on a free port; returns the process and its base URL.
pub fn serve(env: &Env) -> (Serve, String) {
    let mut child = env
        .command(&["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    let at = line.find("http://").expect("serve prints its URL");
    let url = line[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches('/');
    (Serve(child), url.to_owned())
}

/// What Microsoft's sarif-multitool (tools/node) says of a SARIF file with the Sarif
/// and GitHub rule kinds: one line per problem. None when the tool is missing (a
/// failure under .ci/run).
pub fn sarif_multitool(file: &Path) -> Option<Vec<String>> {
    let tool =
        repo().join("tools/node/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    if !self::tool(
        "sarif-multitool (npm ci --prefix tools/node)",
        Command::new(&tool).arg("--version"),
    ) {
        return None;
    }
    let report = file.with_extension("validation.sarif");
    let o = Command::new(&tool)
        .arg("validate")
        .arg(file)
        .args(["--rule-kind", "Sarif;Gh", "--output"])
        .arg(&report)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    Some(
        v["runs"][0]["results"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| format!("{} {} {}", r["ruleId"], r["level"], r["message"]))
            .collect(),
    )
}

/// What OpenLineage's own Python client (PyPI openlineage-python, via
/// tests/interop/openlineage_check.py) says of a file of OpenLineage events: one line
/// per problem, empty when it reads every event back as written. None when the client
/// is missing (a failure under .ci/run).
pub fn openlineage_client(file: &Path) -> Option<Vec<String>> {
    if !tool(
        "openlineage-python (pip install openlineage-python; .ci/run does)",
        Command::new("python3").args(["-c", "import openlineage.client.generated.base"]),
    ) {
        return None;
    }
    let o = Command::new("python3")
        .arg(repo().join("tests/interop/openlineage_check.py"))
        .arg(file)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    if o.status.success() {
        assert!(out.contains("Event="), "{out}");
        Some(Vec::new())
    } else {
        let mut lines: Vec<String> = out.lines().map(str::to_owned).collect();
        lines.extend(
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .map(str::to_owned),
        );
        Some(lines)
    }
}
