//! Compile-fail cases of `#[wxpay_api]`: each `ui/*.rs` must fail to compile
//! with exactly the errors in its `.stderr` file.
//!
//! The cases compile against the default crypto backend only: what the macro
//! writes and what the compiler says about it do not depend on the backend,
//! and under `--features wxpay-core/rust-crypto` (the README test command's
//! second half) trybuild would build every dependency once more in its own
//! target directory for the same result.

#[test]
fn ui() {
    if wxpay_core::crypto::BACKEND != "aws-lc-rs" {
        eprintln!(
            "ui: compile-fail cases run with the default backend only (this build uses {})",
            wxpay_core::crypto::BACKEND
        );
        return;
    }
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/*.rs");
}
