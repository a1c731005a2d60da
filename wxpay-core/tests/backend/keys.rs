//! Loading keys and certificates: every format WeChat merchants meet, and a
//! clear error for each thing that is not a usable key.

use wxpay_core::{Certificate, KeyError, Keyring, PrivateKey, PublicKey};

use crate::fixture;

#[test]
fn pkcs8_and_pkcs1_load_the_same_key() {
    let a = PrivateKey::from_pem(&fixture("merchant_key_pkcs8.pem")).unwrap();
    let b = PrivateKey::from_pem(&fixture("merchant_key_pkcs1.pem")).unwrap();
    assert_eq!(a.public_key(), b.public_key());
    let spki = PublicKey::from_pem(&fixture("merchant_pub.pem")).unwrap();
    let pkcs1 = PublicKey::from_pem(&fixture("merchant_pub_pkcs1.pem")).unwrap();
    assert_eq!(a.public_key(), &spki);
    assert_eq!(spki, pkcs1);
}

#[test]
fn unusable_keys_give_errors_that_say_why() {
    assert_eq!(
        PrivateKey::from_pem(&fixture("merchant_key_encrypted.pem")).unwrap_err(),
        KeyError::Encrypted
    );
    assert_eq!(
        PrivateKey::from_pem(&fixture("ec_key.pem")).unwrap_err(),
        KeyError::NotRsa("an EC key".into())
    );
    assert_eq!(
        PrivateKey::from_pem(&fixture("rsa3072_key.pem")).unwrap_err(),
        KeyError::WrongSize(3072)
    );
    assert!(matches!(
        PrivateKey::from_pem(&fixture("platform_cert.pem")).unwrap_err(),
        KeyError::WrongPemLabel { found, .. } if found == "CERTIFICATE"
    ));
    assert!(matches!(
        PrivateKey::from_pem("just some text").unwrap_err(),
        KeyError::NotPem { .. }
    ));
    let broken = "-----BEGIN PRIVATE KEY-----\nMIIB$$$\n-----END PRIVATE KEY-----\n";
    assert!(matches!(
        PrivateKey::from_pem(broken).unwrap_err(),
        KeyError::Malformed { .. }
    ));
    let truncated = fixture("merchant_key_pkcs8.pem").replacen("\n", "\n\n", 1);
    let mut lines: Vec<&str> = truncated.lines().collect();
    lines.remove(5);
    assert!(PrivateKey::from_pem(&lines.join("\n")).is_err());
    let missing = PrivateKey::from_pem_file("/nonexistent/apiclient_key.pem").unwrap_err();
    assert!(missing
        .to_string()
        .contains("/nonexistent/apiclient_key.pem"));
}

#[test]
fn certificate_serial_and_key_match_openssl() {
    let cert = Certificate::from_pem(&fixture("platform_cert.pem")).unwrap();
    // `openssl x509 -serial` prints 9A5157F09EFDC096DE15EBE81A47057A7232F1B8
    // (DER stores it with a leading 00 byte, which the serial must not show).
    assert_eq!(cert.serial(), "9A5157F09EFDC096DE15EBE81A47057A7232F1B8");
    let key = PrivateKey::from_pem(&fixture("merchant_key_pkcs8.pem")).unwrap();
    assert_eq!(cert.public_key(), key.public_key());
    assert!(cert.is_valid_at(wxpay_now()));
    let expired = Certificate::from_pem(&fixture("expired_cert.pem")).unwrap();
    assert_eq!(expired.serial(), "0123ABCD");
    assert_eq!(expired.not_after(), 1_580_515_200); // 2020-02-01T00:00:00Z
    assert!(!expired.is_valid_at(wxpay_now()));
    assert!(Certificate::from_pem(&fixture("merchant_pub.pem")).is_err());
}

#[test]
fn keyring_holds_certificates_and_public_keys_at_once() {
    let ring = Keyring::new();
    let serial = ring
        .add_certificate_pem(&fixture("platform_cert.pem"))
        .unwrap();
    ring.add_public_key_pem(
        "PUB_KEY_ID_0114232134912410000000000000",
        &fixture("merchant_pub.pem"),
    )
    .unwrap();
    assert_eq!(
        ring.serials(),
        vec![
            serial,
            "PUB_KEY_ID_0114232134912410000000000000".to_string()
        ]
    );
    // Sensitive fields go to the public key when there is one.
    assert_eq!(
        ring.encryptor().unwrap().serial(),
        "PUB_KEY_ID_0114232134912410000000000000"
    );
    ring.add_certificate_pem(&fixture("expired_cert.pem"))
        .unwrap();
    assert_eq!(
        ring.remove_expired(wxpay_now()),
        vec!["0123ABCD".to_string()]
    );
}

#[test]
fn secrets_never_reach_debug_or_display() {
    let pem = fixture("merchant_key_pkcs8.pem");
    let key = PrivateKey::from_pem(&pem).unwrap();
    let apiv3 = "0123456789abcdefghijklmnopqrstuv";
    let api_key = wxpay_core::ApiV3Key::new(apiv3).unwrap();
    let builder = wxpay_core::Client::builder()
        .mchid("1900000109")
        .merchant_serial("5157F09EFDC096DE15EBE81A47057A7232F1B8E1")
        .private_key(key.clone())
        .keyring(Keyring::new());
    let rendered = format!("{key:?} {api_key:?} {builder:?}");
    let client = builder.build().unwrap();
    let rendered = format!("{rendered} {client:?}");
    assert!(!rendered.contains(apiv3), "{rendered}");
    // No 16-character run of the key's base64 may appear anywhere.
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    for window in body.as_bytes().windows(16).step_by(7) {
        let needle = std::str::from_utf8(window).unwrap();
        assert!(!rendered.contains(needle), "key material in {rendered}");
    }
    assert!(rendered.contains("<redacted>"));
}

fn wxpay_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
