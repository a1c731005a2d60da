//! Signatures against fixtures made by OpenSSL and Python `cryptography`.

use base64::Engine;
use wxpay_core::sign::{authorize, request_message, SignInput};
use wxpay_core::verify::response_message;
use wxpay_core::{ApiV3Key, PrivateKey};

use crate::fixture;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn request_message_matches_the_fixture_bytes() {
    let message = request_message(
        "POST",
        "/v3/ecommerce/refunds/50000000382019052709732678859/return-advance?x=a%20b",
        "1554208460",
        "593BEC0C930BF1AFEB40B4A08C8FB242",
        br#"{"sub_mchid":"1900000109"}"#,
    );
    assert_eq!(message, fixture("sign_message.txt").into_bytes());
}

#[test]
fn signature_equals_openssl_for_both_key_formats() {
    let expected = fixture("sign_message.sig.b64");
    let message = fixture("sign_message.txt");
    for pem in ["merchant_key_pkcs8.pem", "merchant_key_pkcs1.pem"] {
        let key = PrivateKey::from_pem(&fixture(pem)).unwrap();
        let signature = key.sign_sha256(message.as_bytes()).unwrap();
        assert_eq!(
            b64(&signature),
            expected.trim(),
            "{pem} ({})",
            wxpay_core::crypto::BACKEND
        );
    }
}

#[test]
fn openssl_response_signature_verifies_and_a_changed_byte_does_not() {
    let key = PrivateKey::from_pem(&fixture("merchant_key_pkcs8.pem")).unwrap();
    let signature = base64::engine::general_purpose::STANDARD
        .decode(fixture("response_message.sig.b64").trim())
        .unwrap();
    let message = response_message(
        "1554208460",
        "c5ac7061fccab6bf3e254dcf98995b8c",
        br#"{"data":[]}"#,
    );
    assert_eq!(message, fixture("response_message.txt").into_bytes());
    assert!(key.public_key().verify_sha256(&message, &signature));
    let tampered = response_message(
        "1554208460",
        "c5ac7061fccab6bf3e254dcf98995b8c",
        br#"{"data":[1]}"#,
    );
    assert!(!key.public_key().verify_sha256(&tampered, &signature));
    assert!(!key.public_key().verify_sha256(&message, &signature[1..]));
}

#[tokio::test]
async fn authorization_header_parses_back_into_its_five_fields() {
    let key = PrivateKey::from_pem(&fixture("merchant_key_pkcs8.pem")).unwrap();
    let auth = authorize(
        &key,
        "1900000109",
        "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
        SignInput::new(
            wxpay_core::Method::Post,
            "/v3/ecommerce/refunds/50000000382019052709732678859/return-advance?x=a%20b",
            1554208460,
            "593BEC0C930BF1AFEB40B4A08C8FB242",
            br#"{"sub_mchid":"1900000109"}"#,
        ),
    )
    .await
    .unwrap();
    let header = auth.to_string();
    assert!(header.starts_with("WECHATPAY2-SHA256-RSA2048 "));
    let parsed = wxpay_core::unstable::parse_authorization(&header).unwrap();
    assert_eq!(parsed.mchid, "1900000109");
    assert_eq!(parsed.nonce_str, "593BEC0C930BF1AFEB40B4A08C8FB242");
    assert_eq!(parsed.timestamp, "1554208460");
    assert_eq!(parsed.serial_no, "5157F09EFDC096DE15EBE81A47057A7232F1B8E1");
    assert_eq!(parsed.signature, fixture("sign_message.sig.b64").trim());
}

#[test]
fn aes_gcm_vector_from_python_cryptography_decrypts() {
    let v: serde_json::Value = serde_json::from_str(&fixture("aes_gcm_vector.json")).unwrap();
    let s = |k: &str| v[k].as_str().unwrap().to_owned();
    let key = ApiV3Key::new(&s("apiv3_key")).unwrap();
    let plain = key
        .decrypt_to_string(&s("ciphertext"), &s("nonce"), &s("associated_data"))
        .unwrap();
    assert_eq!(plain, s("plaintext"));
    // Our own encryption gives the same bytes (GCM is deterministic for a given nonce).
    assert_eq!(
        key.encrypt(
            s("plaintext").as_bytes(),
            &s("nonce"),
            &s("associated_data")
        )
        .unwrap(),
        s("ciphertext")
    );
    // Any change to the associated data fails authentication.
    assert!(key
        .decrypt(&s("ciphertext"), &s("nonce"), "certificate")
        .is_err());
}

#[test]
fn oaep_sha1_vector_from_python_cryptography_decrypts() {
    let v: serde_json::Value = serde_json::from_str(&fixture("oaep_vector.json")).unwrap();
    let key = PrivateKey::from_pem(&fixture("merchant_key_pkcs8.pem")).unwrap();
    let plain = key
        .decrypt_oaep_base64(v["ciphertext"].as_str().unwrap())
        .unwrap();
    assert_eq!(plain, v["plaintext"].as_str().unwrap());
    let ours = key.public_key().encrypt_oaep_base64("张三").unwrap();
    assert_ne!(
        ours,
        key.public_key().encrypt_oaep_base64("张三").unwrap(),
        "OAEP is randomised"
    );
    assert_eq!(key.decrypt_oaep_base64(&ours).unwrap(), "张三");
}
