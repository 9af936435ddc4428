//! Progress bars on stderr, hidden when stderr is not a terminal (or with --quiet).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar counting `unit`s up to `total` (or a spinner when the total is unknown).
pub fn bar(total: Option<u64>, unit: &str, quiet: bool) -> ProgressBar {
    let pb = match total {
        Some(t) => ProgressBar::new(t).with_style(
            ProgressStyle::with_template(&format!(
                "{{spinner}} {{msg}} [{{bar:30}}] {{human_pos}}/{{human_len}} {unit} ({{per_sec}}, eta {{eta}})"
            ))
            .expect("template is valid")
            .progress_chars("=> "),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template(&format!("{{spinner}} {{msg}} {{human_pos}} {unit} ({{per_sec}})"))
                .expect("template is valid"),
        ),
    };
    if quiet {
        pb.set_draw_target(ProgressDrawTarget::hidden());
    } else {
        // stderr_with_hz hides itself when stderr is not a terminal.
        pb.set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
    }
    pb
}
