//! Compile-fail cases of `#[wxpay_api]`: each `ui/*.rs` must fail to compile
//! with exactly the errors in its `.stderr` file.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/*.rs");
}
