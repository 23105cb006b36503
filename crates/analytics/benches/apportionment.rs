//! Exact Shapley value (20 players) and nucleolus (10 and 16 players): Accord against a
//! vectorised numpy implementation and coopgame-py, on the same games, in one run.
//!
//! `cargo bench -p accord-analytics --bench apportionment`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod common;

use accord_analytics::apportionment::{Game, nucleolus, shapley};
use common::{Inputs, human, median_seconds, peer_python, run_peer, target_dir};
use serde_json::json;

/// A partnership-like cost game: standalone costs with economies of scale, a shared fixed
/// cost and pair-wise incompatibility costs, plus coalition-specific noise so the game has
/// no structure a solver could exploit. `noise` large enough empties the core.
fn partnership_game(n: usize, seed: u64, noise: f64) -> Game {
    let mut r = Inputs::new(seed);
    let standalone: Vec<f64> = (0..n).map(|_| r.uniform(50.0, 150.0)).collect();
    let mut penalty = vec![0.0; n * n];
    for i in 0..n {
        for j in i + 1..n {
            penalty[i * n + j] = r.uniform(0.0, 1.5);
        }
    }
    let mut noise_of = Inputs::new(seed ^ 0xABCD);
    let costs: Vec<f64> = (0..1u32 << n)
        .map(|s| {
            let k = s.count_ones();
            if k == 0 {
                return 0.0;
            }
            let members: Vec<usize> = (0..n).filter(|i| s & (1 << i) != 0).collect();
            let base: f64 = members.iter().map(|&i| standalone[i]).sum();
            let scale = 1.0 - 0.3 * (f64::from(k) - 1.0) / (n as f64 - 1.0);
            let mut pen = 0.0;
            for (a, &i) in members.iter().enumerate() {
                for &j in &members[a + 1..] {
                    pen += penalty[i * n + j];
                }
            }
            let extra = if k > 1 {
                20.0 + noise_of.uniform(0.0, noise)
            } else {
                0.0
            };
            base * scale + pen + extra
        })
        .collect();
    let players = (0..n).map(|i| format!("P{i}")).collect();
    Game::from_costs(players, costs).unwrap()
}

fn write_game(name: &str, game: &Game, shapley: bool, nucleolus: bool) -> std::path::PathBuf {
    let dir = target_dir().join("bench-inputs");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.json"));
    let spec = json!({"name": name, "n": game.len(), "costs": game.costs(), "shapley": shapley, "nucleolus": nucleolus});
    std::fs::write(&path, spec.to_string()).unwrap();
    path
}

fn max_diff(a: &[f64], b: &serde_json::Value) -> Option<f64> {
    let b: Vec<f64> = serde_json::from_value(b.clone()).ok()?;
    Some(
        a.iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max),
    )
}

fn main() {
    // `cargo test --all-targets` runs benchmarks too, without `--bench` and unoptimised: measure
    // only under `cargo bench`.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("not measuring: run with `cargo bench` to measure");
        return;
    }
    println!(
        "apportionment benchmark ({} threads; median of several runs after a warm-up)",
        rayon::current_num_threads()
    );
    let shapley_game = partnership_game(20, 20, 40.0);
    let nucleolus_games = [
        ("nucleolus_n10", partnership_game(10, 10, 4.0)),
        ("nucleolus_n10_empty_core", partnership_game(10, 11, 400.0)),
        ("nucleolus_n16", partnership_game(16, 16, 4.0)),
        ("nucleolus_n16_empty_core", partnership_game(16, 17, 150.0)),
        (
            "prenucleolus_n16_no_imputation",
            partnership_game(16, 18, 400.0),
        ),
    ];
    let mut files = vec![write_game("shapley_n20", &shapley_game, true, false)];
    for (name, g) in &nucleolus_games {
        files.push(write_game(name, g, false, true));
    }
    let peer = peer_python().and_then(|python| run_peer(&python, "apportionment_peer.py", &files));
    let peer_game = |name: &str| {
        peer.as_ref()
            .and_then(|p| p["games"].as_array())
            .and_then(|games| games.iter().find(|g| g["name"] == name).cloned())
    };

    let (ours, phi) = median_seconds(9, || shapley::exact(&shapley_game));
    println!(
        "shapley_exact_n20: ours {} (target: at least 3x faster than each peer)",
        human(ours)
    );
    if let Some(p) = peer_game("shapley_n20") {
        for (label, key) in [
            ("numpy O(n 2^n)", "numpy"),
            ("coopgame-py 0.3.0", "coopgame"),
        ] {
            if let Some(t) = p[format!("{key}_shapley_seconds")].as_f64() {
                let diff = max_diff(&phi, &p[format!("{key}_shapley")]).unwrap_or(f64::NAN);
                println!(
                    "  vs {label}: {} -> ours is {:.1}x faster; max |difference| {diff:.1e}",
                    human(t),
                    t / ours
                );
            } else {
                println!("  vs {label}: not run");
            }
        }
    }

    for (name, game) in &nucleolus_games {
        let (ours, nu) = median_seconds(9, || nucleolus::nucleolus(game).unwrap());
        let lc = nucleolus::least_core_epsilon(game).unwrap();
        println!(
            "{name}: ours {} ({} players, least-core epsilon {lc:.4}, core {}, {} LP iterations) (target: at least as fast as coopgame-py, agreeing to 1e-9)",
            human(ours),
            game.len(),
            if lc > 1e-9 * game.scale() {
                "empty"
            } else {
                "not empty"
            },
            nu.iterations
        );
        let theirs = peer_game(name);
        match theirs {
            Some(p) if p["coopgame_nucleolus_seconds"].is_number() => {
                let t = p["coopgame_nucleolus_seconds"].as_f64().unwrap();
                let diff = max_diff(&nu.allocation, &p["coopgame_nucleolus"]).unwrap_or(f64::NAN);
                println!(
                    "  vs coopgame-py 0.3.0: {} -> ours is {:.1}x faster; max |difference| {diff:.1e} ({})",
                    human(t),
                    t / ours,
                    if diff <= 1e-9 { "agree" } else { "DISAGREE" }
                );
            }
            Some(p) if p["coopgame_nucleolus_error"].is_string() => {
                println!(
                    "  vs coopgame-py 0.3.0: nucleolus FAILED on this game: {}",
                    p["coopgame_nucleolus_error"]
                );
                if let Some(t) = p["coopgame_prenucleolus_seconds"].as_f64() {
                    let diff =
                        max_diff(&nu.allocation, &p["coopgame_prenucleolus"]).unwrap_or(f64::NAN);
                    println!(
                        "  vs coopgame-py 0.3.0 prenucleolus (ours is {:?} here): {} -> ours is {:.1}x faster; max |difference| {diff:.1e} ({})",
                        nu.domain,
                        human(t),
                        t / ours,
                        if diff <= 1e-9 { "agree" } else { "DISAGREE" }
                    );
                }
            }
            _ => println!("  vs coopgame-py 0.3.0: not run"),
        }
    }
}
