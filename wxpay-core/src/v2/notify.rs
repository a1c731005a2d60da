//! APIv2 notifications: the payment notification (signed, verified here)
//! and the refund notification (unsigned; its `req_info` is AES-256-ECB
//! encrypted with the MD5 of the APIv2 key), and the XML answers WeChat expects.

use std::collections::BTreeMap;

use aes::cipher::{BlockDecrypt, KeyInit};
use aes::Aes256;
use base64::Engine;

use super::error::V2Error;
use super::sign::{md5_hex_lower, verify_from, ApiV2Key};
use super::xml::{from_xml, to_xml};
use crate::error::{Error, Origin};

/// The largest `req_info` accepted, base64 (WeChat's are well under 4 KiB).
const MAX_REQ_INFO: usize = 64 * 1024;

/// Verifies an APIv2 payment notification (支付结果通知) and returns its
/// fields. Its `sign` is checked with the APIv2 key (MD5 or HMAC-SHA256, by
/// its length) before anything is returned; a `return_code` other than
/// `SUCCESS` is [`V2Error::Communication`]. The caller checks `result_code`,
/// the amount and the order, then answers [`answer_success`].
pub fn verify_payment_notification(
    body: &[u8],
    key: &ApiV2Key,
) -> Result<BTreeMap<String, String>, Error> {
    let fields = from_xml(body)?;
    check_return_code(&fields)?;
    verify_from(&fields, key, Origin::Callback)?;
    Ok(fields)
}

/// Decrypts an APIv2 refund notification (退款结果通知): checks
/// `return_code`, then decrypts `req_info` (base64, AES-256-ECB, PKCS#7,
/// key = lower-case hex MD5 of the APIv2 key) and returns its fields
/// (`out_refund_no`, `refund_status`, `settlement_refund_fee` ...).
///
/// WeChat does not sign this notification: that `req_info` decrypts to
/// well-padded XML under the merchant's key is all that vouches for it (ECB
/// has no authentication tag). Check the refund with a refund query before
/// acting on an amount.
pub fn decrypt_refund_notification(
    body: &[u8],
    key: &ApiV2Key,
) -> Result<BTreeMap<String, String>, Error> {
    let fields = from_xml(body)?;
    check_return_code(&fields)?;
    let req_info = fields
        .get("req_info")
        .ok_or(V2Error::ReqInfo("the notification has no req_info"))?;
    Ok(decrypt_req_info(req_info, key)?)
}

/// Decrypts one `req_info` value into its fields.
pub fn decrypt_req_info(
    req_info: &str,
    key: &ApiV2Key,
) -> Result<BTreeMap<String, String>, V2Error> {
    if req_info.len() > MAX_REQ_INFO {
        return Err(V2Error::ReqInfo("req_info is too long"));
    }
    let mut data = base64::engine::general_purpose::STANDARD
        .decode(req_info.trim())
        .map_err(|_| V2Error::ReqInfo("not valid base64"))?;
    if data.is_empty() || data.len() % 16 != 0 {
        return Err(V2Error::ReqInfo("not a whole number of AES blocks"));
    }
    let aes_key = md5_hex_lower(key.expose().as_bytes());
    let cipher = Aes256::new_from_slice(aes_key.as_bytes())
        .map_err(|_| V2Error::ReqInfo("internal: AES key length"))?;
    for block in data.chunks_exact_mut(16) {
        cipher.decrypt_block(block.into());
    }
    let pad = data[data.len() - 1] as usize;
    if pad == 0 || pad > 16 || !data[data.len() - pad..].iter().all(|&b| b as usize == pad) {
        return Err(V2Error::ReqInfo(
            "bad padding: wrong APIv2 key or tampered data",
        ));
    }
    data.truncate(data.len() - pad);
    from_xml(&data)
}

/// Encrypts fields as WeChat does for `req_info`: `<root>` XML, AES-256-ECB
/// with PKCS#7, base64. For simulators and tests
/// ([`unstable::encrypt_req_info`](crate::unstable::encrypt_req_info)).
pub(crate) fn encrypt_req_info(fields: &BTreeMap<String, String>, key: &ApiV2Key) -> String {
    use aes::cipher::BlockEncrypt;
    let xml = to_xml(fields);
    let xml = format!(
        "<root>{}</root>",
        &xml["<xml>".len()..xml.len() - "</xml>".len()]
    );
    let mut data = xml.into_bytes();
    let pad = 16 - data.len() % 16;
    data.extend(std::iter::repeat_n(pad as u8, pad));
    let aes_key = md5_hex_lower(key.expose().as_bytes());
    let Ok(cipher) = Aes256::new_from_slice(aes_key.as_bytes()) else {
        unreachable!("32 hex digits are a 32-byte key")
    };
    for block in data.chunks_exact_mut(16) {
        cipher.encrypt_block(block.into());
    }
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// The answer that tells WeChat a notification was handled.
pub fn answer_success() -> &'static str {
    "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>"
}

/// The answer that makes WeChat deliver the notification again.
pub fn answer_fail(message: &str) -> String {
    to_xml(&BTreeMap::from([
        ("return_code".to_owned(), "FAIL".to_owned()),
        ("return_msg".to_owned(), message.to_owned()),
    ]))
}

/// `return_code` must be `SUCCESS`.
pub(crate) fn check_return_code(fields: &BTreeMap<String, String>) -> Result<(), V2Error> {
    match fields.get("return_code").map(String::as_str) {
        Some("SUCCESS") => Ok(()),
        other => Err(V2Error::Communication {
            return_code: other.unwrap_or_default().to_owned(),
            return_msg: fields.get("return_msg").cloned().unwrap_or_default(),
        }),
    }
}

/// `result_code`, where present, must be `SUCCESS`.
pub(crate) fn check_result_code(fields: &BTreeMap<String, String>) -> Result<(), V2Error> {
    match fields.get("result_code").map(String::as_str) {
        None | Some("SUCCESS") => Ok(()),
        Some(other) => Err(V2Error::Business {
            result_code: other.to_owned(),
            err_code: fields.get("err_code").cloned().unwrap_or_default(),
            err_code_des: fields.get("err_code_des").cloned().unwrap_or_default(),
        }),
    }
}
