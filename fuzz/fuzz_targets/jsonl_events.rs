//! Any bytes as `ledger append --jsonl` input: chunks of entries or an error naming
//! the line, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use synthgov_core::event::EventDefaults;
use synthgov_ledger::bulk::JsonlReader;

fuzz_target!(|data: &[u8]| {
    let defaults = EventDefaults {
        actor: "fuzz".into(),
        time: "2026-12-01T00:00:00Z".into(),
    };
    let mut r = JsonlReader::new(data, defaults).refusing(|kind| {
        synthgov_registry::catalogue::is_reserved(kind).map(|ns| ns.to_owned())
    });
    for _ in 0..1000 {
        match r.next_chunk() {
            Ok(Some(_)) => {}
            _ => break,
        }
    }
});
