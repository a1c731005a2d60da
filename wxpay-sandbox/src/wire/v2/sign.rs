//! The APIv2 `sign` (PROTOCOL.md, "APIv2"; WeChat's 安全规范 page,
//! pay.weixin.qq.com/wiki/doc/api/micropay.php?chapter=4_3): fields sorted by
//! name in byte order, `sign` and empty values left out, joined as
//! `k=v&...`, then `&key=APIv2KEY` appended and hashed: upper-case hex MD5,
//! or upper-case hex HMAC-SHA256 keyed with the APIv2 key.

use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;
use zeroize::Zeroizing;

/// How a request (and its answer) is signed: its `sign_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignType {
    /// `MD5`, also when `sign_type` is absent.
    Md5,
    /// `HMAC-SHA256`.
    HmacSha256,
}

impl SignType {
    /// From a request's `sign_type` field; `None` for an unknown one.
    pub(crate) fn from_field(value: Option<&str>) -> Option<Self> {
        match value {
            None | Some("MD5") => Some(SignType::Md5),
            Some("HMAC-SHA256") => Some(SignType::HmacSha256),
            Some(_) => None,
        }
    }
}

/// The upper-case hex `sign` of `fields` (any `sign` among them is ignored).
pub(crate) fn sign(fields: &BTreeMap<String, String>, key: &str, sign_type: SignType) -> String {
    let mut text = Zeroizing::new(String::new());
    for (name, value) in fields {
        if name == "sign" || value.is_empty() {
            continue;
        }
        text.push_str(name);
        text.push('=');
        text.push_str(value);
        text.push('&');
    }
    text.push_str("key=");
    text.push_str(key);
    let digest = match sign_type {
        SignType::Md5 => Md5::digest(text.as_bytes()).to_vec(),
        SignType::HmacSha256 => match <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()) {
            Ok(mut mac) => {
                mac.update(text.as_bytes());
                mac.finalize().into_bytes().to_vec()
            }
            // HMAC takes keys of any length; an empty sign never verifies.
            Err(_) => return String::new(),
        },
    };
    crate::digest::hex(&digest).to_ascii_uppercase()
}

/// Whether `received` is the sign of `fields`, compared in time that does not
/// depend on where they first differ.
pub(crate) fn verify(
    fields: &BTreeMap<String, String>,
    key: &str,
    sign_type: SignType,
    received: &str,
) -> bool {
    let expected = sign(fields, key, sign_type);
    expected.len() == received.len()
        && expected
            .bytes()
            .zip(received.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// WeChat's worked example (安全规范, 签名算法): the MD5 sign of these
    /// fields with key `192006250b4c09247ec02edce69f6a2d`.
    #[test]
    fn the_documented_example_signs_as_documented() {
        let f = fields(&[
            ("appid", "wxd930ea5d5a258f4f"),
            ("mch_id", "10000100"),
            ("device_info", "1000"),
            ("body", "test"),
            ("nonce_str", "ibuaiVcKdpRxkhJA"),
        ]);
        let key = "192006250b4c09247ec02edce69f6a2d";
        assert_eq!(
            sign(&f, key, SignType::Md5),
            "9A0A8659F005D6984697E2CA0A9CF3B7"
        );
        assert_eq!(
            sign(&f, key, SignType::HmacSha256),
            "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
        );
    }

    #[test]
    fn sign_and_empty_values_are_left_out() {
        let key = "k";
        let plain = fields(&[("a", "1"), ("b", "2")]);
        let noisy = fields(&[("a", "1"), ("b", "2"), ("c", ""), ("sign", "X")]);
        assert_eq!(
            sign(&plain, key, SignType::Md5),
            sign(&noisy, key, SignType::Md5)
        );
        let s = sign(&plain, key, SignType::Md5);
        assert!(verify(&noisy, key, SignType::Md5, &s));
        assert!(!verify(&noisy, key, SignType::Md5, &s.to_ascii_lowercase()));
        assert!(!verify(&noisy, key, SignType::HmacSha256, &s));
    }

    #[test]
    fn sign_types_come_from_the_field() {
        assert_eq!(SignType::from_field(None), Some(SignType::Md5));
        assert_eq!(SignType::from_field(Some("MD5")), Some(SignType::Md5));
        assert_eq!(
            SignType::from_field(Some("HMAC-SHA256")),
            Some(SignType::HmacSha256)
        );
        assert_eq!(SignType::from_field(Some("SHA1")), None);
    }
}
