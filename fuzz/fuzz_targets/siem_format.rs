//! Any JSON value as a ledger entry handed to the SIEM formatters (syslog RFC 5424,
//! CEF, OCSF): bytes out, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use synthgov_server::siem::format;

fuzz_target!(|data: &[u8]| {
    let Ok(ev) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let _ = format::rfc5424("host.example", 7, data, &ev);
    let _ = format::cef("host.example", 7, &ev);
    let _ = format::ocsf(7, "00", &ev);
});
