//! Crash test: `kill -9` a bulk append at random moments. Afterwards the log verifies
//! and every acknowledged append is there, whole; an unacknowledged one is there whole
//! or not at all.

mod common;

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Env, jsonl, path_str};
use rand::{Rng, SeedableRng};

const ROUNDS: usize = 24;
const EVENTS: u64 = 20_000;

#[test]
fn kill_dash_nine_during_bulk_append_loses_nothing_acknowledged() {
    let env = Env::new();
    let seed: u64 = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    eprintln!("crash test seed {seed} (CRASH_SEED={seed} to replay)");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);

    // Learn how long one append takes, to aim the kills inside it.
    let warm = env.write("warm.jsonl", jsonl(EVENTS as usize, "warm").as_bytes());
    let t = Instant::now();
    assert_eq!(
        env.run(&["ledger", "append", "--jsonl", path_str(&warm)])
            .code,
        0
    );
    let typical = t.elapsed();
    let mut size = EVENTS;
    let (mut killed, mut acknowledged) = (0, 0);

    for round in 0..ROUNDS {
        let tag = format!("round{round}");
        let f = env.write("r.jsonl", jsonl(EVENTS as usize, &tag).as_bytes());
        let mut child = env
            .command(&["ledger", "append", "--jsonl", path_str(&f), "--quiet"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let delay = rng.gen_range(0..typical.as_micros() as u64 * 3 / 2);
        std::thread::sleep(Duration::from_micros(delay));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        let mut stdout = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();

        // Verify first: the size we read back must come from a log that holds.
        let v = env.run(&["verify", "--quiet", "--json"]);
        assert_eq!(
            v.code, 0,
            "round {round}: verify after kill: {}{}",
            v.stdout, v.stderr
        );
        let after = v.json()["tree_size"].as_u64().unwrap();
        if status.success() && !stdout.is_empty() {
            acknowledged += 1;
            let receipt: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(receipt["first_index"], size, "round {round}");
            assert_eq!(
                after,
                size + EVENTS,
                "round {round}: acknowledged entries missing"
            );
        } else {
            killed += 1;
            assert!(
                after == size || after == size + EVENTS,
                "round {round}: partial append: {size} -> {after}"
            );
        }
        if after > size {
            let r = env.run(&[
                "ledger",
                "list",
                "--from",
                &size.to_string(),
                "--limit",
                "1",
                "--json",
            ]);
            assert_eq!(
                r.json()[0]["entry"]["data"]["tag"],
                tag.as_str(),
                "round {round}"
            );
        }
        size = after;
    }
    eprintln!("{killed} killed mid-append, {acknowledged} acknowledged, final size {size}");
    assert!(
        killed >= ROUNDS / 4,
        "too few kills landed mid-append ({killed}); timing is off"
    );
}
