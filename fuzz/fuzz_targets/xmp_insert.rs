//! Any bytes as a JPEG or PNG getting IPTC DigitalSourceType XMP: a marked copy, the
//! input kept, or a "corrupt" error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use synthgov_disclose::xmp;

fuzz_target!(|data: &[u8]| {
    let _ = xmp::jpeg(data);
    let _ = xmp::png(data);
});
