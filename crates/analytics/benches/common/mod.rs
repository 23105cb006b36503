//! Helpers shared by the benchmarks: timing, and the Python virtualenv that runs the peers.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The workspace's target directory (where inputs for the peers and the virtualenv live).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    )
}

/// The peers' folder in the repository.
pub fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peers")
}

/// Median wall time in seconds of `runs` calls after one warm-up call, and the last result.
pub fn median_seconds<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut result = f();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        result = f();
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], result)
}

/// The Python of `target/peers-venv`, created and filled from `requirements.txt` on first
/// use. `None` (with the reason printed) when Python or pip cannot provide the peers.
pub fn peer_python() -> Option<PathBuf> {
    let venv = target_dir().join("peers-venv");
    let python = venv.join("bin/python");
    let ready = venv.join(".requirements-installed");
    if !ready.exists() {
        if !python.exists() {
            eprintln!("creating {} ...", venv.display());
            let ok = Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                println!("peer unavailable: `python3 -m venv` failed; reporting ours only");
                return None;
            }
        }
        eprintln!("installing the peers' requirements ...");
        let ok = Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "-r"])
            .arg(peers_dir().join("requirements.txt"))
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            println!(
                "peer partly unavailable: pip could not install {}; the peer runs with what is installed",
                peers_dir().join("requirements.txt").display()
            );
        } else {
            std::fs::write(&ready, "").ok();
        }
    }
    let numpy = Command::new(&python)
        .args(["-c", "import numpy"])
        .status()
        .is_ok_and(|s| s.success());
    if numpy {
        Some(python)
    } else {
        println!(
            "peer unavailable: numpy is not installed in {}; reporting ours only",
            venv.display()
        );
        None
    }
}

/// Runs a peer script with arguments and returns its standard output parsed as JSON.
pub fn run_peer(python: &Path, script: &str, args: &[PathBuf]) -> Option<serde_json::Value> {
    let output = Command::new(python)
        .arg(peers_dir().join(script))
        .args(args)
        .output()
        .ok()?;
    if !output.status.success() {
        println!(
            "peer failed: {}",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
        return None;
    }
    serde_json::from_slice(&output.stdout).ok()
}

/// A small deterministic generator for benchmark inputs (SplitMix64).
pub struct Inputs(u64);

impl Inputs {
    pub fn new(seed: u64) -> Self {
        Inputs(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64)
    }
}

/// Formats seconds with a sensible unit.
pub fn human(seconds: f64) -> String {
    if seconds < 1e-3 {
        format!("{:.1} µs", seconds * 1e6)
    } else if seconds < 1.0 {
        format!("{:.2} ms", seconds * 1e3)
    } else {
        format!("{seconds:.3} s")
    }
}
