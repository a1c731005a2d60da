//! APIv2: signatures against vectors from Python's hashlib/hmac
//! (`tests/fixtures/v2/generate.py`), XML refusing DTDs and entities,
//! notifications, and calls to the sandbox's APIv2 over mutual TLS.

mod notify;
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
