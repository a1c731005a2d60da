//! Compile-fail cases of `#[wxpay_api]`: each `ui/*.rs` must fail to compile
//! with exactly the errors in its `.stderr` file.
//!
//! Run with the default crypto backend only (the test command's second half
//! tests wxpay-core alone under `rust-crypto`): what the macro writes and
//! what the compiler says about it do not depend on the backend.

//!
//! `./scripts/test` runs this binary on its own, beside the other tests
//! (trybuild type-checks wxpay-core and its dependencies in a target
//! directory of its own: CPU the other tests, waiting on loopback, leave
//! idle), and skips it by name in the main run.

#[test]
fn compile_fail_cases_match_their_stderr() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/*.rs");
}
