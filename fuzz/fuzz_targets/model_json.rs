//! Any bytes as a fitted model (`generate --model`, `POST /v1/generate`): refused
//! with a field-naming error, or sampled, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use synthgov_synth::copula::Model;

fuzz_target!(|data: &[u8]| {
    let Ok(model) = serde_json::from_slice::<Model>(data) else {
        return;
    };
    if model.validate().is_err() {
        return;
    }
    let mut out = Vec::new();
    let _ = synthgov_synth::copula::sample_csv(&model, 3, 7, None, "m", &mut out, &mut |_| {});
});
