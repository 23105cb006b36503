//! The `accord` command.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    accord::cli::main().await
}
