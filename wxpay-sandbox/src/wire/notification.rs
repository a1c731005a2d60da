//! The bytes of a notification envelope (PROTOCOL.md, "Callbacks").
//!
//! WeChat Pay signs the body exactly as it sends it, and a merchant must
//! verify those bytes, never a body parsed and encoded again. A sandbox that
//! sent compact JSON in the order a serializer writes would let that mistake
//! pass: parse-then-encode gives the same bytes back (serde_json with
//! `preserve_order`, `JSON.stringify`, Go's `json.Marshal` ...). So the
//! sandbox writes valid JSON that no common encoder reproduces, and signs it
//! as written:
//!
//! - keys in the order of WeChat Pay's documentation (`id`, `create_time`,
//!   `resource_type`, `event_type`, `summary`, `resource`; inside it
//!   `original_type`, `algorithm`, `ciphertext`, `associated_data`,
//!   `nonce`), neither sorted nor the field order of a typed envelope;
//! - a space after each colon and none after a comma (compact encoders
//!   write neither, Python's `json.dumps` both, pretty printers newlines);
//! - `/` escaped as `\/` (only PHP's `json_encode` does that, and it writes
//!   no spaces) and every non-ASCII character as `\uXXXX` (serde_json, Go,
//!   JavaScript and Java write UTF-8).
//!
//! A JSON parser reads it like any other body; only re-encoding changes it.

use std::fmt::Write as _;

/// The fields of one envelope, before they are written.
pub(crate) struct Envelope<'a> {
    pub(crate) id: &'a str,
    pub(crate) create_time: &'a str,
    pub(crate) event_type: &'a str,
    pub(crate) summary: &'a str,
    /// `resource.original_type`, also its `associated_data`.
    pub(crate) original_type: &'a str,
    pub(crate) ciphertext: &'a str,
    pub(crate) nonce: &'a str,
}

impl Envelope<'_> {
    /// The body as sent (and signed).
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let object = |pairs: &[(&str, &str)]| -> String {
            let members: Vec<String> = pairs
                .iter()
                .map(|(key, value)| format!("{}: {value}", string(key)))
                .collect();
            format!("{{{}}}", members.join(","))
        };
        let resource = object(&[
            ("original_type", &string(self.original_type)),
            ("algorithm", &string("AEAD_AES_256_GCM")),
            ("ciphertext", &string(self.ciphertext)),
            ("associated_data", &string(self.original_type)),
            ("nonce", &string(self.nonce)),
        ]);
        object(&[
            ("id", &string(self.id)),
            ("create_time", &string(self.create_time)),
            ("resource_type", &string("encrypt-resource")),
            ("event_type", &string(self.event_type)),
            ("summary", &string(self.summary)),
            ("resource", &resource),
        ])
        .into_bytes()
    }
}

/// A JSON string: `"` and `\` escaped as JSON requires, `/` as `\/`,
/// control and non-ASCII characters as `\uXXXX` (UTF-16 surrogate pairs
/// beyond the Basic Multilingual Plane).
fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn sample() -> Vec<u8> {
        Envelope {
            id: "EV-2018022511223320873",
            create_time: "2015-05-20T13:29:35+08:00",
            event_type: "TRANSACTION.SUCCESS",
            summary: "支付成功 \"ok\" \\ 😀",
            original_type: "transaction",
            ciphertext: "ab/cd+ef==",
            nonce: "fdasflkja484",
        }
        .to_bytes()
    }

    #[test]
    fn it_is_valid_json_with_every_value_intact() {
        let body: Value = serde_json::from_slice(&sample()).unwrap();
        assert_eq!(
            body,
            json!({
                "id": "EV-2018022511223320873",
                "create_time": "2015-05-20T13:29:35+08:00",
                "resource_type": "encrypt-resource",
                "event_type": "TRANSACTION.SUCCESS",
                "summary": "支付成功 \"ok\" \\ 😀",
                "resource": {
                    "original_type": "transaction",
                    "algorithm": "AEAD_AES_256_GCM",
                    "ciphertext": "ab/cd+ef==",
                    "associated_data": "transaction",
                    "nonce": "fdasflkja484",
                }
            })
        );
    }

    #[test]
    fn no_encoding_of_the_parsed_value_gives_the_bytes_back() {
        let sent = sample();
        let text = String::from_utf8(sent.clone()).unwrap();
        assert!(text.is_ascii());
        assert!(text.starts_with(r#"{"id": "EV-2018022511223320873","create_time": "#));
        assert!(text.contains(r#""ciphertext": "ab\/cd+ef==""#), "{text}");
        assert!(text.contains(r#"\u652f\u4ed8\u6210\u529f"#), "{text}");
        assert!(text.contains(r#"\ud83d\ude00"#), "{text}");
        let parsed: Value = serde_json::from_slice(&sent).unwrap();
        assert_ne!(serde_json::to_vec(&parsed).unwrap(), sent);
        assert_ne!(serde_json::to_vec_pretty(&parsed).unwrap(), sent);
    }
}
