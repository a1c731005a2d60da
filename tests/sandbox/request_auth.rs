//! Request verification: wrong key, serial or mchid, stale or replayed
//! requests, and signatures over anything but the exact target and body.

use serde_json::json;
use wxpay_core::unstable::random_alphanumeric;
use wxpay_sandbox::KeyMode;

use crate::support::*;

#[tokio::test]
async fn wrong_key_serial_or_mchid_get_sign_error() {
    let sandbox = start(KeyMode::Certificate).await;
    let body = after_sales("T-auth", 10);
    let cases = [
        (
            "private key",
            sandbox
                .client_builder()
                .private_key(wxpay_core::unstable::generate_private_key().unwrap()),
        ),
        (
            "serial_no",
            sandbox.client_builder().merchant_serial("0123456789ABCDEF"),
        ),
        ("mchid", sandbox.client_builder().mchid("1900000001")),
    ];
    for (what, builder) in cases {
        let client = builder.build().unwrap();
        let e = expect_api(post(&client, AFTER_SALES, &body).await, 401, "SIGN_ERROR");
        let needle = match what {
            "private key" => "signature",
            other => other,
        };
        assert!(e.message.contains(needle), "wrong {what}: {}", e.message);
    }
    // Nothing was created by the refused requests; the honest client works.
    let honest = client(&sandbox);
    expect_api(
        get(
            &honest,
            AFTER_SALES,
            &[("sub_mchid", SUB_MCHID), ("transaction_id", "T-auth")],
        )
        .await,
        404,
        "RESOURCE_NOT_EXISTS",
    );
    post(&honest, AFTER_SALES, &body).await.unwrap();
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_replayed_request_is_refused() {
    let sandbox = start(KeyMode::PublicKey).await;
    let signing = Signing {
        nonce: Some(random_alphanumeric(32).unwrap()),
        timestamp: Some(unix_now()),
        ..Signing::honest(sandbox.merchant())
    };
    let body = serde_json::to_vec(&json!({"sub_mchid": SUB_MCHID})).unwrap();
    let target = "/v3/ecommerce/refunds/5000010/return-advance";
    let request = signed_request(
        &signing,
        "POST",
        target,
        Some("application/json"),
        &body,
        &[],
    );

    let first = raw(sandbox.local_addr(), request.clone()).await;
    assert_eq!(first.status, 200, "{:?}", first.json());
    first.verify(&sandbox).await.unwrap();
    assert_eq!(first.json()["result"], "PROCESSING");

    let replay = raw(sandbox.local_addr(), request).await;
    let message = replay.expect_error(&sandbox, 401, "SIGN_ERROR").await;
    assert!(message.contains("replayed"), "{message}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn timestamps_outside_300_seconds_are_refused() {
    let sandbox = start(KeyMode::Certificate).await;
    let merchant = sandbox.merchant();
    // Ahead of the clock by a few seconds more than the window: the sandbox
    // reads its clock a moment after this one, which shrinks a future skew
    // (the exact ±300 s boundary is wxpay-core's check_window unit test).
    for offset in [-301, 305, -3600] {
        let signing = Signing {
            timestamp: Some(unix_now() + offset),
            ..Signing::honest(merchant)
        };
        let raw = raw(
            sandbox.local_addr(),
            signed_request(&signing, "GET", "/v3/certificates", None, b"", &[]),
        )
        .await;
        let message = raw.expect_error(&sandbox, 401, "SIGN_ERROR").await;
        assert!(message.contains("timestamp"), "{message}");
    }
    // Inside the window (clock skew of a minute) is fine.
    let signing = Signing {
        timestamp: Some(unix_now() - 60),
        ..Signing::honest(merchant)
    };
    let raw = raw(
        sandbox.local_addr(),
        signed_request(&signing, "GET", "/v3/certificates", None, b"", &[]),
    )
    .await;
    assert_eq!(raw.status, 200);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_signature_covers_the_exact_target_and_body() {
    let sandbox = start(KeyMode::Certificate).await;
    let merchant = sandbox.merchant();
    let addr = sandbox.local_addr();
    let body = serde_json::to_vec(&after_sales("T-exact", 10)).unwrap();
    let path = "/v3/ecommerce/profitsharing/after-sales-orders";

    // Signed over another body.
    let other_body = serde_json::to_vec(&after_sales("T-exact", 99999)).unwrap();
    let signing = Signing {
        signed_body: Some(&other_body),
        ..Signing::honest(merchant)
    };
    let answer = raw(
        addr,
        signed_request(&signing, "POST", path, Some("application/json"), &body, &[]),
    )
    .await;
    answer.expect_error(&sandbox, 401, "SIGN_ERROR").await;

    // The same JSON re-serialised with other whitespace is other bytes.
    let pretty = serde_json::to_vec_pretty(&after_sales("T-exact", 10)).unwrap();
    let signing = Signing {
        signed_body: Some(&pretty),
        ..Signing::honest(merchant)
    };
    let answer = raw(
        addr,
        signed_request(&signing, "POST", path, Some("application/json"), &body, &[]),
    )
    .await;
    answer.expect_error(&sandbox, 401, "SIGN_ERROR").await;

    // Signed for another query string.
    let sent =
        "/v3/ecommerce/profitsharing/after-sales-orders?sub_mchid=1900000109&transaction_id=T-exact";
    let signing = Signing {
        signed_target: Some(
            "/v3/ecommerce/profitsharing/after-sales-orders?sub_mchid=1900000110&transaction_id=T-exact",
        ),
        ..Signing::honest(merchant)
    };
    raw(addr, signed_request(&signing, "GET", sent, None, b"", &[]))
        .await
        .expect_error(&sandbox, 401, "SIGN_ERROR")
        .await;

    // Honest: created, then found through a target whose percent-encoding a
    // re-serialising server would have normalised (%31 is "1"), signed as sent.
    let created = raw(
        addr,
        signed_request(
            &Signing::honest(merchant),
            "POST",
            path,
            Some("application/json"),
            &body,
            &[],
        ),
    )
    .await;
    assert_eq!(created.status, 200, "{:?}", created.json());
    let encoded = "/v3/ecommerce/profitsharing/after-sales-orders?sub_mchid=%31900000109&transaction_id=T%2Dexact";
    let found = raw(
        addr,
        signed_request(&Signing::honest(merchant), "GET", encoded, None, b"", &[]),
    )
    .await;
    assert_eq!(found.status, 200, "{:?}", found.json());
    assert_eq!(found.json()["amount"], 10);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn missing_or_malformed_authorization_is_sign_error() {
    let sandbox = start(KeyMode::Certificate).await;
    let addr = sandbox.local_addr();
    let bare =
        b"GET /v3/certificates HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n\r\n".to_vec();
    let message = raw(addr, bare)
        .await
        .expect_error(&sandbox, 401, "SIGN_ERROR")
        .await;
    assert!(message.contains("Authorization"), "{message}");
    for header in [
        "Bearer abc",
        "WECHATPAY2-SHA256-RSA2048 mchid=\"1900009191\"",
        "WECHATPAY2-SHA256-RSA2048 mchid=\"1900009191\",nonce_str=\"abc\",timestamp=\"now\",serial_no=\"AB\",signature=\"x\"",
    ] {
        let request = format!("GET /v3/certificates HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\nAuthorization: {header}\r\n\r\n");
        raw(addr, request.into_bytes()).await.expect_error(&sandbox, 401, "SIGN_ERROR").await;
    }
    // A signature that is not base64, for the right merchant and serial.
    let merchant = sandbox.merchant();
    let header = format!(
        "WECHATPAY2-SHA256-RSA2048 mchid=\"{}\",nonce_str=\"{}\",timestamp=\"{}\",serial_no=\"{}\",signature=\"***\"",
        merchant.mchid,
        random_alphanumeric(32).unwrap(),
        unix_now(),
        merchant.serial_no
    );
    let request = format!("GET /v3/certificates HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\nAuthorization: {header}\r\n\r\n");
    let message = raw(addr, request.into_bytes())
        .await
        .expect_error(&sandbox, 401, "SIGN_ERROR")
        .await;
    assert!(message.contains("base64"), "{message}");
    sandbox.shutdown().await;
}

/// Issue 21, item 6: the serial comes from `apiclient_cert.pem` and the
/// private key is checked against it when the client is built.
#[tokio::test]
async fn the_merchant_certificate_gives_the_serial_and_checks_the_private_key() {
    let sandbox = start(KeyMode::Certificate).await;
    let merchant = sandbox.merchant().clone();
    // The certificate as the sandbox writes it for its demo merchant.
    let dir = std::env::temp_dir().join(format!("wxpay-merchant-cert-{}", std::process::id()));
    sandbox.write_dir(&dir).unwrap();
    let pem = std::fs::read_to_string(dir.join(wxpay_sandbox::files::MERCHANT_CERT_FILE)).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let with_certificate = || {
        wxpay_core::Client::builder()
            .mchid(merchant.mchid.clone())
            .merchant_certificate(pem.clone())
            .base_url(sandbox.base_url())
            .platform_certificate(sandbox.platform_certificate().unwrap())
    };

    // No merchant_serial given: the certificate's is signed under, and WeChat
    // Pay (the sandbox) accepts it.
    let client = with_certificate()
        .private_key(merchant.private_key.clone())
        .build()
        .unwrap();
    post(&client, AFTER_SALES, &after_sales("T-cert", 10))
        .await
        .unwrap();
    // Giving the same serial as well (in any letter case) is fine.
    with_certificate()
        .merchant_serial(merchant.serial_no.to_ascii_lowercase())
        .private_key(merchant.private_key.clone())
        .build()
        .unwrap();

    // Another key: refused at build(), naming the certificate's serial,
    // before any request could get 401 SIGN_ERROR.
    let err = with_certificate()
        .private_key(wxpay_core::unstable::generate_private_key().unwrap())
        .build()
        .unwrap_err();
    assert!(matches!(err, wxpay_core::Error::Config(_)), "{err:?}");
    let shown = err.to_string();
    assert!(
        shown.contains(&format!(
            "the merchant private key does not belong to merchant certificate {}",
            merchant.serial_no
        )),
        "{shown}"
    );

    // A serial that contradicts the certificate: both are named.
    let err = with_certificate()
        .merchant_serial("0123456789ABCDEF")
        .private_key(merchant.private_key.clone())
        .build()
        .unwrap_err();
    let shown = err.to_string();
    assert!(matches!(err, wxpay_core::Error::Config(_)), "{err:?}");
    assert!(
        shown.contains("0123456789ABCDEF") && shown.contains(&merchant.serial_no),
        "{shown}"
    );

    // Not a certificate at all: a configuration error saying which input.
    let err = wxpay_core::Client::builder()
        .mchid(merchant.mchid.clone())
        .merchant_certificate(merchant.private_key.to_pkcs8_pem())
        .private_key(merchant.private_key.clone())
        .platform_certificate(sandbox.platform_certificate().unwrap())
        .build()
        .unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains("merchant_certificate (apiclient_cert.pem)"),
        "{shown}"
    );
    assert!(
        !shown.contains("PRIVATE KEY-----"),
        "no key material: {shown}"
    );
    sandbox.shutdown().await;
}
