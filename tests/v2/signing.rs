use wxpay_core::v2::{sign, string_to_sign, verify, ApiV2Key, SignType};
use wxpay_core::{Error, VerifyError};

use crate::{fields, vectors};

#[test]
fn signs_match_python_hashlib_and_hmac_for_both_types() {
    let v = vectors();
    let key = ApiV2Key::new(v["key"].as_str().unwrap()).unwrap();
    for case in v["cases"].as_array().unwrap() {
        let f = fields(&case["fields"]);
        let name = case["name"].as_str().unwrap();
        assert_eq!(string_to_sign(&f), case["string_to_sign"], "{name}");
        assert_eq!(sign(&f, &key, SignType::Md5), case["md5"], "{name}");
        assert_eq!(
            sign(&f, &key, SignType::HmacSha256),
            case["hmac_sha256"],
            "{name}"
        );
    }
}

#[test]
fn the_signing_guide_example_gives_its_documented_signs() {
    // WeChat's APIv2 signing guide (签名算法) prints these two values.
    let v = vectors();
    let guide = &v["cases"][0];
    assert_eq!(guide["md5"], "9A0A8659F005D6984697E2CA0A9CF3B7");
    assert_eq!(
        guide["hmac_sha256"],
        "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
    );
}

#[test]
fn verify_reads_the_type_from_the_sign_length_and_refuses_changes() {
    let v = vectors();
    let key = ApiV2Key::new(v["key"].as_str().unwrap()).unwrap();
    for kind in ["md5", "hmac_sha256"] {
        let mut f = fields(&v["cases"][1]["fields"]);
        f.insert("sign".into(), v["cases"][1][kind].as_str().unwrap().into());
        verify(&f, &key).unwrap();
        // Lower-case hex is the same sign.
        let lower = f["sign"].to_ascii_lowercase();
        f.insert("sign".into(), lower);
        verify(&f, &key).unwrap();
        // One changed value, or the wrong key, fails.
        f.insert("total_fee".into(), "2".into());
        assert!(matches!(
            verify(&f, &key),
            Err(Error::Verification {
                reason: VerifyError::BadSignature,
                ..
            })
        ));
    }
    let mut f = fields(&v["cases"][0]["fields"]);
    f.insert("sign".into(), v["cases"][0]["md5"].as_str().unwrap().into());
    let other = ApiV2Key::new("00000000000000000000000000000000").unwrap();
    assert!(matches!(
        verify(&f, &other),
        Err(Error::Verification {
            reason: VerifyError::BadSignature,
            ..
        })
    ));
    f.remove("sign");
    assert!(matches!(
        verify(&f, &key),
        Err(Error::Verification {
            reason: VerifyError::Other(_),
            ..
        })
    ));
}

#[test]
fn the_key_never_shows_in_debug() {
    let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
    let text = format!("{key:?}");
    assert!(!text.contains("1920"), "{text}");
    let client = wxpay_core::v2::V2Client::builder()
        .mchid("10000100")
        .key(key)
        .build()
        .unwrap();
    assert!(!format!("{client:?}").contains("1920"));
    assert!(ApiV2Key::new("").is_err());
    assert!(ApiV2Key::new("with space").is_err());
}

#[test]
fn a_bad_merchant_certificate_is_a_configuration_error() {
    let builder = || {
        wxpay_core::v2::V2Client::builder()
            .mchid("10000100")
            .key(ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap())
    };
    let key = include_str!("../fixtures/merchant_key_pkcs8.pem").as_bytes();
    let cert = include_str!("../fixtures/platform_cert.pem").as_bytes();
    for (cert, key) in [
        (&b"junk"[..], &b"junk"[..]),
        (cert, &b""[..]),
        (&b""[..], key),
    ] {
        let err = builder().merchant_certificate_pem(cert, key).unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err:?}");
    }
    // A certificate with its key loads (PKCS#1 keys too).
    builder()
        .merchant_certificate_pem(cert, key)
        .unwrap()
        .build()
        .unwrap();
    let pkcs1 = include_str!("../fixtures/merchant_key_pkcs1.pem").as_bytes();
    builder()
        .merchant_certificate_pem(cert, pkcs1)
        .unwrap()
        .build()
        .unwrap();
    // No key: refused at build.
    let err = wxpay_core::v2::V2Client::builder()
        .mchid("1")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}
