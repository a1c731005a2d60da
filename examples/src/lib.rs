//! Examples live beside this file; see `cargo run --example quickstart`.

/// The Rust code of the sandbox's README (`wxpay-sandbox/README.md`),
/// compiled and run as doc tests here, where the sandbox is a
/// dev-dependency: `cargo test -p wxpay-examples --doc`.
#[cfg(doctest)]
#[doc = include_str!("../../wxpay-sandbox/README.md")]
pub struct SandboxReadme;
