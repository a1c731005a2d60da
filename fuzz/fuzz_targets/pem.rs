//! Every PEM loader returns (an error or a key) in bounded time on any text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wxpay_core::{Certificate, Keyring, PrivateKey, PublicKey};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = PrivateKey::from_pem(&text);
    let _ = PublicKey::from_pem(&text);
    let _ = Certificate::from_pem(&text);
    let _ = Keyring::new().add_certificate_pem(&text);
});
