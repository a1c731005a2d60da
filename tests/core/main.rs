//! Core behaviour against independent fixtures and over real HTTP on loopback.

mod events;
mod files;
mod http;
mod notify;
mod pipeline;
mod security;
mod seeds;
mod sensitive;
mod server;
mod transport;
mod typed_requests;

/// Reads a file of `tests/fixtures/`.
pub fn fixture(name: &str) -> String {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}
