//! Any bytes as a CSV data file: rows or a named error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut rows = 0u64;
    let _ = synthgov_scan::segregation::read_csv_reader(data, &mut |h, _line, f| {
        rows += (h.len() + f.len()) as u64;
    });
});
