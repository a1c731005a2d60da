//! APIv2: signatures against vectors from Python's hashlib/hmac
//! (`tests/fixtures/v2/generate.py`), XML refusing DTDs and entities,
//! notifications, calls to the sandbox's APIv2 over mutual TLS, and the
//! merchant certificate read from PKCS#12 files made by OpenSSL and Python's
//! `cryptography` (`tests/fixtures/v2/pkcs12/generate.py`).

mod binary;
mod notify;
mod pkcs12;
mod retries;
mod roundtrip;
mod signing;
mod typed;
mod xml;

use std::collections::BTreeMap;

/// `tests/fixtures/v2/vectors.json`.
pub fn vectors() -> serde_json::Value {
    let text = include_str!("../fixtures/v2/vectors.json");
    serde_json::from_str(text).unwrap()
}

/// A JSON object of strings as fields.
pub fn fields(value: &serde_json::Value) -> BTreeMap<String, String> {
    value
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}
