//! Compile-fail cases of `#[wxpay_api]`: each `ui/*.rs` must fail to compile
//! with exactly the errors in its `.stderr` file.
//!
//! Run with the default crypto backend only (the test command's second half
//! tests wxpay-core alone under `rust-crypto`): what the macro writes and
//! what the compiler says about it do not depend on the backend.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/*.rs");
}
