//! The `synthgov` binary: parse, run one command, report, exit with its code.

mod cli;
mod cmd;
mod exit;
mod output;
mod progress;

use clap::Parser;

// Bulk append parses on one thread and frees on another; glibc's allocator serializes
// that on an arena lock (a quarter of the profile), mimalloc does not.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use exit::{Exit, Failure};
use output::Out;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse_from(cli::rewrite_args(std::env::args_os().collect()));
    let mut out = Out::new();
    let result = cmd::run(cli, &mut out).and_then(|exit| {
        out.flush().map_err(Failure::from)?;
        Ok(exit)
    });
    match result {
        Ok(exit) => exit.into(),
        Err(f) if output::is_broken_pipe(&f.error) => Exit::Ok.into(),
        Err(f) => {
            let _ = out.flush();
            eprintln!("synthgov: error: {:#}", f.error);
            f.exit.into()
        }
    }
}
