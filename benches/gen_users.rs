//! Writes generated Graph-shaped users as JSON Lines, for measuring `entramap simulate` on large
//! inputs:
//!
//! ```text
//! cargo bench --bench gen_users -- 1000000 target/users-1m.jsonl [SEED] [all-enabled]
//! ```
//!
//! With `all-enabled`, every user is enabled and assigned (the set `benches/compare.sh` times
//! against `floor-project`, which writes every user).
//!
//! Without a count it prints this usage and does nothing (so `cargo bench` stays quick).

#[path = "support/users.rs"]
mod generated;

use std::io::{BufWriter, Write};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(n) = args.first().and_then(|s| s.parse::<usize>().ok()) else {
        eprintln!("usage: cargo bench --bench gen_users -- COUNT [PATH] [SEED] [all-enabled]");
        return;
    };
    let path = args.get(1).map_or("target/users.jsonl", String::as_str);
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let all_enabled = match args.get(3).map(String::as_str) {
        None => false,
        Some("all-enabled") => true,
        Some(other) => {
            eprintln!(
                "gen_users: unknown option {other:?}; the fourth argument may only be all-enabled"
            );
            std::process::exit(2);
        }
    };
    let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out = BufWriter::with_capacity(1 << 20, file);
    if all_enabled {
        generated::generate_users(n, seed, true, &mut out).expect("write users");
    } else {
        generated::generate(n, seed, &mut out).expect("write users");
    }
    out.flush().expect("write users");
    eprintln!("wrote {n} users to {path}");
}
