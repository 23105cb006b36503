//! Progress bars for long work. They draw on standard error and hide themselves when it is not
//! a terminal, so scripts and CI logs stay clean.

use indicatif::{ProgressBar, ProgressStyle};

/// A bar counting `total` items of `what`.
pub fn bar(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_owned());
    bar
}
