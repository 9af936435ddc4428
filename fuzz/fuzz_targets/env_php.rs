//! Any bytes as Magento's app/etc/env.php: findings, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use synthgov_scan::rules::Catalog;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let catalog = Catalog::shipped();
    let _ = synthgov_scan::transport::scan_settings(&catalog, "app/etc/env.php", text);
});
