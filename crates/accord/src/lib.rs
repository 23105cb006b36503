//! The `accord` binary's library: the command line, and the wiring of storage, the web app and
//! the engines. It decides nothing itself: rules live in `accord-domain` and `accord-analytics`,
//! SQL in `accord-store`, HTTP and HTML in `accord-web`.

/// `println!` that hands back the write's failure rather than panicking: when the reader went
/// away (`accord audit export | head -1`) or the disk is full, the command ends with that error,
/// which `cli` reports once (quietly, for a closed pipe).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
            .map_err(|e| anyhow::Error::new(e).context("cannot write the output"))
    }};
}

pub mod cli;
mod commands;
pub mod demo;
mod progress;
