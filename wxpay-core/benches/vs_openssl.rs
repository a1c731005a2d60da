//! The limit: our RSA-2048 sign and verify throughput as a ratio to
//! `openssl speed rsa2048` on the same machine, in the same run.
//!
//! ```text
//! cargo bench -p wxpay-core --bench vs_openssl                          # aws-lc-rs (default)
//! cargo bench -p wxpay-core --bench vs_openssl --features rust-crypto   # pure Rust
//! ```
//!
//! Each round runs `openssl speed -seconds S rsa2048` (single-threaded), then
//! our own loops for S seconds each, one thread, and the ratios of that round;
//! the medians over the rounds are the result. Both sides count operations
//! per second of CPU time: `openssl speed` divides by user CPU time unless
//! told `-elapsed`, and we divide by this thread's CPU time, so a neighbour
//! compiling on the same cores slows neither side's figure. Where there is no
//! thread CPU clock, both use wall-clock time (`-elapsed`). `WXPAY_OPENSSL_ROUNDS`
//! (default 3) and `WXPAY_OPENSSL_SECONDS` (default 3) change the shape.
//! Without an `openssl` on the `PATH` the ratios are skipped, not failed.
//!
//! What each side measures: OpenSSL signs a 36-byte buffer with no hashing
//! and verifies it; ours is `PrivateKey::sign_sha256` / `PublicKey::verify_sha256`
//! over a 200-byte request message, SHA-256 included, exactly what a request
//! and a response cost the SDK in RSA.

use std::process::Command;
use std::time::{Duration, Instant};

#[path = "support/cpu.rs"]
mod cpu;

use wxpay_core::crypto::BACKEND;
use wxpay_core::sign::request_message;

/// The target the issue set for the default backend.
const SIGN_GOAL: f64 = 0.95;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench -- FILTER` passes FILTER to every bench binary: run only
    // when it names this one.
    if let Some(filter) = args.iter().find(|a| !a.starts_with('-')) {
        if !"vs_openssl".contains(filter.as_str()) && !filter.contains("openssl") {
            return;
        }
    }
    // `cargo test --benches` runs bench binaries with `--test`: check that
    // the loop works, quickly, and measure nothing.
    let smoke = args.iter().any(|a| a == "--test");
    let rounds = env_number("WXPAY_OPENSSL_ROUNDS", 3).max(1);
    let seconds = if smoke {
        0
    } else {
        env_number("WXPAY_OPENSSL_SECONDS", 3).max(1)
    };

    let key = wxpay_core::unstable::generate_private_key().expect("generate an RSA-2048 key");
    let body = r#"{"sub_mchid":"1900000109","out_order_no":"P20150806125346","out_return_no":"R20190516001","return_mchid":"86693852","amount":10,"description":"用户退款"}"#.as_bytes();
    let message = request_message(
        "POST",
        "/v3/ecommerce/profitsharing/returnorders",
        "1554208460",
        "593BEC0C930BF1AFEB40B4A08C8FB242",
        body,
    );
    let signature = key.sign_sha256(&message).expect("sign");
    let public = key.public_key().clone();
    assert!(public.verify_sha256(&message, &signature));
    if smoke {
        let sample = "rsa 2048 bits 0.000767s 0.000023s   1304.4  43371.4\n";
        let parsed = parse_speed(sample).expect("parse a sample `openssl speed` line");
        assert_eq!((parsed.sign, parsed.verify), (1304.4, 43371.4));
        println!(
            "vs_openssl ({BACKEND}): sign, verify and parsing work; nothing measured under --test"
        );
        return;
    }

    println!("== RSA-2048 vs OpenSSL, backend {BACKEND}");
    println!("machine: {} ({} CPUs)", cpu_model(), num_cpus());
    println!("load average at start: {}", load_average());
    let cpu_clock = cpu::thread_cpu_time().is_some();
    println!(
        "rounds: {rounds} x {seconds} s per measurement, single-threaded, per second of {}",
        if cpu_clock {
            "CPU time (both sides)"
        } else {
            "wall-clock time (both sides, openssl -elapsed)"
        }
    );
    println!();
    println!(
        "{:>5} {:>14} {:>14} {:>14} {:>14} {:>7} {:>7}",
        "round", "openssl sign/s", "ours sign/s", "openssl vrfy/s", "ours vrfy/s", "sign", "verify"
    );

    let window = Duration::from_secs(seconds);
    let mut results = Vec::new();
    let mut openssl_missing = None;
    for round in 1..=rounds {
        let openssl = if openssl_missing.is_none() {
            match openssl_speed(seconds, !cpu_clock) {
                Ok(speed) => Some(speed),
                Err(why) => {
                    openssl_missing = Some(why);
                    None
                }
            }
        } else {
            None
        };
        let sign = per_second(window, || {
            std::hint::black_box(
                key.sign_sha256(std::hint::black_box(&message))
                    .expect("sign"),
            );
        });
        let verify = per_second(window, || {
            assert!(public.verify_sha256(std::hint::black_box(&message), &signature));
        });
        let row = Round {
            openssl,
            sign,
            verify,
        };
        println!(
            "{round:>5} {:>14} {:>14.1} {:>14} {:>14.1} {:>7} {:>7}",
            row.openssl.map_or("-".into(), |o| format!("{:.1}", o.sign)),
            row.sign,
            row.openssl
                .map_or("-".into(), |o| format!("{:.1}", o.verify)),
            row.verify,
            row.sign_ratio().map_or("-".into(), |r| format!("{r:.3}")),
            row.verify_ratio().map_or("-".into(), |r| format!("{r:.3}")),
        );
        results.push(row);
    }

    let sign = median(results.iter().map(|r| r.sign));
    let verify = median(results.iter().map(|r| r.verify));
    println!();
    println!("median ours ({BACKEND}): sign {sign:.1}/s ({:.0} us each), verify {verify:.1}/s ({:.1} us each)",
        1e6 / sign, 1e6 / verify);
    if let Some(why) = openssl_missing {
        println!("OpenSSL ratio skipped: {why}");
        return;
    }
    let openssl_sign = median(results.iter().filter_map(|r| r.openssl.map(|o| o.sign)));
    let openssl_verify = median(results.iter().filter_map(|r| r.openssl.map(|o| o.verify)));
    let sign_ratio = median(results.iter().filter_map(Round::sign_ratio));
    let verify_ratio = median(results.iter().filter_map(Round::verify_ratio));
    println!("median openssl: sign {openssl_sign:.1}/s, verify {openssl_verify:.1}/s");
    println!(
        "median ratio ours/openssl ({BACKEND}): sign {sign_ratio:.3}, verify {verify_ratio:.3}"
    );
    if BACKEND == "aws-lc-rs" {
        let verdict = if sign_ratio >= SIGN_GOAL {
            "met"
        } else {
            "NOT met"
        };
        println!("goal: sign >= {SIGN_GOAL} x OpenSSL with the default backend: {verdict}");
    } else {
        println!("(the {SIGN_GOAL} x OpenSSL goal is for the default backend, aws-lc-rs)");
    }
    println!("load average at end: {}", load_average());
}

#[derive(Clone, Copy)]
struct Speed {
    sign: f64,
    verify: f64,
}

struct Round {
    openssl: Option<Speed>,
    sign: f64,
    verify: f64,
}

impl Round {
    fn sign_ratio(&self) -> Option<f64> {
        self.openssl.map(|o| self.sign / o.sign)
    }
    fn verify_ratio(&self) -> Option<f64> {
        self.openssl.map(|o| self.verify / o.verify)
    }
}

/// Runs `op` on this thread for `window` of wall-clock time, as `openssl
/// speed` does; operations per second of this thread's CPU time (of wall-clock
/// time where there is no CPU clock).
fn per_second(window: Duration, mut op: impl FnMut()) -> f64 {
    // One untimed call: lazy initialisation (CPU feature detection, tables).
    op();
    let start = Instant::now();
    let cpu_start = cpu::thread_cpu_time();
    let mut count = 0u64;
    loop {
        op();
        count += 1;
        let elapsed = start.elapsed();
        if elapsed >= window {
            let spent = match (cpu_start, cpu::thread_cpu_time()) {
                (Some(a), Some(b)) => b.saturating_sub(a),
                _ => elapsed,
            };
            return count as f64 / spent.as_secs_f64();
        }
    }
}

/// `openssl speed -seconds S rsa2048`, parsed to sign/s and verify/s; per
/// second of user CPU time, or of wall-clock time with `elapsed`.
fn openssl_speed(seconds: u64, elapsed: bool) -> Result<Speed, String> {
    let seconds = seconds.to_string();
    let mut args = vec!["speed", "-seconds", &seconds];
    if elapsed {
        args.push("-elapsed");
    }
    args.push("rsa2048");
    let output = Command::new("openssl")
        .args(&args)
        .output()
        .map_err(|e| format!("could not run `openssl speed` ({e}); is openssl installed?"))?;
    if !output.status.success() {
        return Err(format!(
            "`openssl speed` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    parse_speed(&stdout).ok_or_else(|| {
        format!("no `rsa 2048 bits` line in the output of `openssl speed`:\n{stdout}")
    })
}

/// The result line: `rsa 2048 bits 0.000767s 0.000023s   1304.4  43371.4`
/// (sign/s and verify/s are the last two columns; OpenSSL 1.1 and 3.x alike).
fn parse_speed(output: &str) -> Option<Speed> {
    let line = output
        .lines()
        .find(|l| l.trim_start().starts_with("rsa") && l.contains("2048 bits"))?;
    let mut numbers = line.split_whitespace().rev();
    let verify = numbers.next()?.parse().ok()?;
    let sign = numbers.next()?.parse().ok()?;
    Some(Speed { sign, verify })
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned())
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
