//! The refund notification's `req_info` (APIv2 退款结果通知,
//! pay.weixin.qq.com/wiki/doc/api/micropay.php?chapter=9_16&index=11): the
//! notification's fields as `<root>` XML, AES-256-ECB with PKCS#7 padding
//! under the lower-case hex MD5 of the APIv2 key, then base64.

use std::collections::BTreeMap;

use aes::cipher::{BlockEncrypt, KeyInit};
use aes::Aes256;
use base64::Engine;
use md5::{Digest, Md5};
use zeroize::Zeroizing;

/// Encrypts `fields` as WeChat does for `req_info`.
pub(crate) fn encrypt(fields: &BTreeMap<String, String>, apiv2_key: &str) -> String {
    let mut data = super::xml::write("root", fields).into_bytes();
    let pad = 16 - data.len() % 16;
    data.extend(std::iter::repeat_n(pad as u8, pad));
    // 32 hex digits: exactly an AES-256 key.
    let key = Zeroizing::new(crate::digest::hex(&Md5::digest(apiv2_key.as_bytes())));
    let Ok(cipher) = Aes256::new_from_slice(key.as_bytes()) else {
        unreachable!("the hex of an MD5 digest is 32 bytes")
    };
    for block in data.chunks_exact_mut(16) {
        cipher.encrypt_block(block.into());
    }
    base64::engine::general_purpose::STANDARD.encode(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::BlockDecrypt;

    #[test]
    fn decrypts_back_to_root_xml_with_pkcs7_padding() {
        let fields = BTreeMap::from([("out_refund_no".to_owned(), "R1".to_owned())]);
        let text = encrypt(&fields, "wxpaysandboxapiv2key0123456789ab");
        let mut data = base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap();
        assert_eq!(data.len() % 16, 0);
        let key = crate::digest::hex(&Md5::digest(b"wxpaysandboxapiv2key0123456789ab"));
        let cipher = Aes256::new_from_slice(key.as_bytes()).unwrap();
        for block in data.chunks_exact_mut(16) {
            cipher.decrypt_block(block.into());
        }
        let pad = usize::from(*data.last().unwrap());
        data.truncate(data.len() - pad);
        assert_eq!(
            String::from_utf8(data).unwrap(),
            "<root><out_refund_no><![CDATA[R1]]></out_refund_no></root>"
        );
    }
}
