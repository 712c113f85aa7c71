//! Times the generation of a demo shop: `cargo run --release --example throughput -- 1000000`.

use std::time::Instant;

use taem_demo::{DemoConfig, members};

fn main() {
    let count = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(1_000_000);
    let config = DemoConfig {
        members: count,
        ..DemoConfig::default()
    };

    let started = Instant::now();
    let (mut bills, mut satang_checksum) = (0_u64, 0_i64);
    for member in members(&config) {
        bills += member.bills.len() as u64;
        // Touch the output so the optimiser cannot skip generating it.
        satang_checksum = satang_checksum.wrapping_add(
            member
                .bills
                .iter()
                .map(|b| b.amount.mantissa() as i64)
                .sum(),
        );
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{count} members, {bills} bills in {secs:.2} s ({:.0} members/s, {:.0} bills/s; checksum {satang_checksum})",
        count as f64 / secs,
        bills as f64 / secs,
    );
}
