//! The PKCS#12 reader returns (an error or an identity) in bounded time on
//! any bytes: with its MAC checked, and past the MAC (which no mutation
//! would get through) to reach the bags and the decryption.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wxpay_core::v2::V2Client;

/// The seeds' password (a merchant id, as WeChat's files have).
const PASSWORD: &str = "1900000100";

fuzz_target!(|data: &[u8]| {
    wxpay_core::unstable::pkcs12_fuzz(data, PASSWORD);
    let _ = V2Client::builder().merchant_certificate_pkcs12(data, PASSWORD);
});
