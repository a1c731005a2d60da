//! What depends on the crypto backend, against vectors made by other tools:
//! request signatures and answer verification (RSA-SHA256), AES-256-GCM and
//! RSA-OAEP, keys and certificates in every encoding WeChat Pay hands out.
//!
//! Here, in wxpay-core, so that the test command runs them under both
//! backends (`cargo test -p wxpay-core --features rust-crypto` is its second
//! half) without building the rest of the workspace twice.

mod keys;
mod signing;

/// Reads a file of the workspace's `tests/fixtures/` (made by
/// `tests/fixtures/generate.sh` with the openssl CLI and Python).
pub fn fixture(name: &str) -> String {
    let path = format!("{}/../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}
