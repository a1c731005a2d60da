use std::collections::BTreeMap;

use wxpay_core::v2::notify::{
    answer_fail, answer_success, decrypt_refund_notification, decrypt_req_info,
    verify_payment_notification,
};
use wxpay_core::v2::{from_xml, sign, to_xml, ApiV2Key, SignType, V2Error};
use wxpay_core::{Error, VerifyError};

use crate::{fields, vectors};

fn key() -> ApiV2Key {
    ApiV2Key::new(vectors()["key"].as_str().unwrap()).unwrap()
}

#[test]
fn req_info_from_python_cryptography_decrypts() {
    let v = vectors();
    let decrypted =
        decrypt_req_info(v["req_info"]["ciphertext"].as_str().unwrap(), &key()).unwrap();
    assert_eq!(decrypted, fields(&v["req_info"]["fields"]));
    // And ours encrypts to the same bytes (ECB is deterministic).
    assert_eq!(
        wxpay_core::unstable::encrypt_req_info(&decrypted, &key()),
        v["req_info"]["ciphertext"].as_str().unwrap()
    );
}

#[test]
fn a_refund_notification_with_the_wrong_key_or_bad_data_is_refused() {
    let v = vectors();
    let body = to_xml(&BTreeMap::from([
        ("return_code".to_owned(), "SUCCESS".to_owned()),
        ("mch_id".to_owned(), "10000100".to_owned()),
        (
            "req_info".to_owned(),
            v["req_info"]["ciphertext"].as_str().unwrap().to_owned(),
        ),
    ]));
    let ok = decrypt_refund_notification(body.as_bytes(), &key()).unwrap();
    assert_eq!(ok["refund_status"], "SUCCESS");
    let wrong = ApiV2Key::new("ffffffffffffffffffffffffffffffff").unwrap();
    assert!(matches!(
        decrypt_refund_notification(body.as_bytes(), &wrong),
        Err(Error::V2(V2Error::ReqInfo(_) | V2Error::Xml(_)))
    ));
    for bad in ["", "!!!", "AAAA", "AAAAAAAAAAAAAAAAAAAAAA=="] {
        assert!(
            matches!(decrypt_req_info(bad, &key()), Err(V2Error::ReqInfo(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn payment_notifications_are_verified_before_use() {
    let k = key();
    for sign_type in [SignType::Md5, SignType::HmacSha256] {
        let mut f = BTreeMap::from([
            ("return_code".to_owned(), "SUCCESS".to_owned()),
            ("result_code".to_owned(), "SUCCESS".to_owned()),
            ("out_trade_no".to_owned(), "T1".to_owned()),
            ("total_fee".to_owned(), "100".to_owned()),
        ]);
        f.insert("sign".into(), sign(&f, &k, sign_type));
        let got = verify_payment_notification(to_xml(&f).as_bytes(), &k).unwrap();
        assert_eq!(got["total_fee"], "100");
        f.insert("total_fee".into(), "1".into());
        assert!(matches!(
            verify_payment_notification(to_xml(&f).as_bytes(), &k),
            Err(Error::Verification {
                reason: VerifyError::BadSignature,
                ..
            })
        ));
    }
    let fail = "<xml><return_code>FAIL</return_code><return_msg>x</return_msg></xml>";
    assert!(matches!(
        verify_payment_notification(fail.as_bytes(), &k),
        Err(Error::V2(V2Error::Communication { .. }))
    ));
}

#[test]
fn answers_are_xml_wechat_understands() {
    let ok = from_xml(answer_success().as_bytes()).unwrap();
    assert_eq!(ok["return_code"], "SUCCESS");
    let fail = from_xml(answer_fail("签名失败 <x>").as_bytes()).unwrap();
    assert_eq!(fail["return_code"], "FAIL");
    assert_eq!(fail["return_msg"], "签名失败 <x>");
}
