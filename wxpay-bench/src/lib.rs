//! # wxpay-bench
//!
//! The end-to-end half of the SDK's benchmarks (the micro-benchmarks live in
//! `wxpay-core/benches`). The `loadgen` binary drives a seed operation through
//! [`wxpay_core::Client`] against the in-process sandbox on 127.0.0.1 and
//! reports throughput, latency and the CPU time client and server each spend
//! per request:
//!
//! ```text
//! cargo run --release -p wxpay-bench --bin loadgen -- --concurrency 8 --requests 5000
//! ```
//!
//! This library holds what the binary measures with: per-thread CPU time
//! ([`cpu`]), latency percentiles ([`stats`]), the payment-lifecycle mix
//! ([`lifecycle`], `--op lifecycle`) and a client for a sandbox in another
//! process ([`external`]).
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod cpu;
pub mod external;
pub mod lifecycle;
pub mod stats;
