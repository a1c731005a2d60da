//! Both ways of presenting the platform key, `GET /v3/certificates`, and
//! WeChat-shaped answers for paths the sandbox does not know.

use std::time::{Duration, SystemTime};

use serde_json::{json, Value};
use wxpay_core::{
    ApiV3Key, Certificate, CryptoError, Error, Method, VerifyError, PUBLIC_KEY_ID_PREFIX,
};
use wxpay_sandbox::{KeyMode, Sandbox};

use crate::support::*;

#[tokio::test]
async fn certificate_mode_serves_its_certificate_encrypted_with_the_apiv3_key() {
    let sandbox = start(KeyMode::Certificate).await;
    assert_eq!(sandbox.key_mode(), KeyMode::Certificate);
    let certificate = sandbox
        .platform_certificate()
        .expect("certificate mode has one");
    assert_eq!(sandbox.platform_serial(), certificate.serial());
    assert_eq!(certificate.public_key(), &sandbox.platform_public_key());
    assert!(!sandbox.platform_serial().starts_with(PUBLIC_KEY_ID_PREFIX));

    let client = client(&sandbox);
    let answer = get(&client, "v3/certificates", &[]).await.unwrap();
    let data = answer["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    let entry = &data[0];
    assert_eq!(entry["serial_no"], sandbox.platform_serial());
    for field in ["effective_time", "expire_time"] {
        assert!(
            entry[field].as_str().is_some_and(|t| t.ends_with("+08:00")),
            "{entry}"
        );
    }
    let encrypted = &entry["encrypt_certificate"];
    assert_eq!(encrypted["algorithm"], "AEAD_AES_256_GCM");
    assert_eq!(encrypted["associated_data"], "certificate");
    assert_eq!(encrypted["nonce"].as_str().unwrap().len(), 12);

    let decrypt = |key: &str| {
        ApiV3Key::new(key).unwrap().decrypt_to_string(
            encrypted["ciphertext"].as_str().unwrap(),
            encrypted["nonce"].as_str().unwrap(),
            encrypted["associated_data"].as_str().unwrap(),
        )
    };
    let pem =
        decrypt(&sandbox.merchant().apiv3_key).expect("decrypts with the merchant's APIv3 key");
    let served = Certificate::from_pem(&pem).unwrap();
    assert_eq!(served.serial(), sandbox.platform_serial());
    assert_eq!(served, certificate);
    assert_eq!(
        decrypt("0123456789abcdef0123456789abcdef").unwrap_err(),
        CryptoError::AeadAuthentication
    );

    // algorithm_type is checked against its enum; there is no SM2 certificate.
    let sm2 = get(&client, "v3/certificates", &[("algorithm_type", "SM2")])
        .await
        .unwrap();
    assert_eq!(sm2, json!({"data": []}));
    let all = get(&client, "v3/certificates", &[("algorithm_type", "ALL")])
        .await
        .unwrap();
    assert_eq!(all["data"][0]["serial_no"], sandbox.platform_serial());
    let e = expect_api(
        get(&client, "v3/certificates", &[("algorithm_type", "DSA")]).await,
        400,
        "PARAM_ERROR",
    );
    assert!(e.message.contains("algorithm_type"), "{}", e.message);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn public_key_mode_signs_with_a_public_key_id_and_has_no_certificates() {
    let sandbox = start(KeyMode::PublicKey).await;
    assert_eq!(sandbox.key_mode(), KeyMode::PublicKey);
    assert!(sandbox.platform_certificate().is_none());
    assert!(
        sandbox.platform_serial().starts_with(PUBLIC_KEY_ID_PREFIX),
        "{}",
        sandbox.platform_serial()
    );
    assert_eq!(sandbox.platform_serial(), sandbox.platform_public_key_id());

    let client = client(&sandbox);
    let e = expect_api(
        get(&client, "v3/certificates", &[]).await,
        404,
        "RESOURCE_NOT_EXISTS",
    );
    assert!(e.message.contains("公钥"), "{}", e.message);
    // Seed operations verify against the public key.
    let created = post(&client, AFTER_SALES, &after_sales("T-pk", 30))
        .await
        .unwrap();
    assert_eq!(created["amount"], 30);

    // The raw answer names the public key id in Wechatpay-Serial.
    let merchant = sandbox.merchant();
    let target =
        "/v3/ecommerce/profitsharing/after-sales-orders?sub_mchid=1900000109&transaction_id=T-pk";
    let raw = raw(
        sandbox.local_addr(),
        signed_request(&Signing::honest(merchant), "GET", target, None, b"", &[]),
    )
    .await;
    assert_eq!(raw.status, 200);
    assert_eq!(raw.headers["wechatpay-serial"], sandbox.platform_serial());
    assert_eq!(
        raw.headers["wechatpay-signature-type"],
        "WECHATPAY2-SHA256-RSA2048"
    );
    raw.verify(&sandbox).await.unwrap();
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_client_trusting_the_other_mode_cannot_verify_answers() {
    let certificate_mode = start(KeyMode::Certificate).await;
    let public_key_mode = start(KeyMode::PublicKey).await;
    // Public-key mode answers, read by a client that only trusts a certificate.
    let confused = public_key_mode
        .client_builder()
        .keyring(wxpay_core::Keyring::new())
        .platform_certificate(certificate_mode.platform_certificate().unwrap())
        .build()
        .unwrap();
    let source = expect_verification(post(&confused, AFTER_SALES, &after_sales("T-x", 1)).await);
    assert_eq!(
        source,
        VerifyError::UnknownSerial(public_key_mode.platform_serial().to_owned())
    );
    certificate_mode.shutdown().await;
    public_key_mode.shutdown().await;
}

#[tokio::test]
async fn unknown_paths_and_methods_are_signed_not_found() {
    for mode in [KeyMode::Certificate, KeyMode::PublicKey] {
        let sandbox = start(mode).await;
        let client = client(&sandbox);
        let e = expect_api(
            get(&client, "v3/not-in-the-catalog/stocks/9856000", &[]).await,
            404,
            "NOT_FOUND",
        );
        assert!(
            e.message.contains("/v3/not-in-the-catalog/stocks/9856000"),
            "{}",
            e.message
        );
        expect_api(
            client
                .request(Method::Delete, AFTER_SALES)
                .send::<Value>()
                .await,
            404,
            "NOT_FOUND",
        );
        expect_api(
            post(&client, "v3/certificates", &json!({})).await,
            404,
            "NOT_FOUND",
        );
        sandbox.shutdown().await;
    }
}

#[tokio::test]
async fn an_expired_platform_certificate_is_refused_by_the_client() {
    let now = SystemTime::now();
    let sandbox = Sandbox::builder()
        .platform_certificate_validity(
            now - Duration::from_secs(30 * 86_400),
            now - Duration::from_secs(86_400),
        )
        .start()
        .await
        .unwrap();
    let client = client(&sandbox);
    let source = expect_verification(get(&client, "v3/certificates", &[]).await);
    assert_eq!(
        source,
        VerifyError::KeyNotValidNow(sandbox.platform_serial().to_owned())
    );
    assert!(matches!(
        Sandbox::builder()
            .platform_certificate_validity(now, now - Duration::from_secs(1))
            .start()
            .await,
        Err(wxpay_sandbox::SandboxError::Config(_))
    ));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn every_answer_carries_a_fresh_request_id() {
    let sandbox = start(KeyMode::Certificate).await;
    let merchant = sandbox.merchant();
    let mut ids = Vec::new();
    for target in ["/v3/certificates", "/v3/unknown"] {
        for _ in 0..2 {
            let raw = raw(
                sandbox.local_addr(),
                signed_request(&Signing::honest(merchant), "GET", target, None, b"", &[]),
            )
            .await;
            raw.verify(&sandbox).await.unwrap();
            ids.push(raw.headers["request-id"].to_str().unwrap().to_owned());
        }
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    // The client exposes it on errors too.
    let e = get(&client(&sandbox), "v3/unknown", &[]).await.unwrap_err();
    assert!(matches!(&e, Error::Api(api) if api.request_id.is_some()));
    sandbox.shutdown().await;
}
