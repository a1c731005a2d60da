//! The `Authorization` header parser (the sandbox's and any server's entry
//! point) never panics, and what it accepts prints back to something it
//! accepts again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = wxpay_core::unstable::parse_authorization(text) {
        let again = wxpay_core::unstable::parse_authorization(&parsed.to_string());
        assert!(again.is_ok(), "{text:?} parsed, its rendering did not");
    }
});
