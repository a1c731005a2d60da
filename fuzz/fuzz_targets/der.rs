//! Every DER loader returns (an error or a key) in bounded time on any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wxpay_core::{Certificate, PrivateKey, PublicKey};

fuzz_target!(|data: &[u8]| {
    let _ = PrivateKey::from_pkcs8_der(data);
    let _ = PrivateKey::from_pkcs1_der(data);
    let _ = PublicKey::from_spki_der(data);
    let _ = PublicKey::from_pkcs1_der(data);
    let _ = Certificate::from_der(data);
});
