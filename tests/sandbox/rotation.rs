//! Platform certificate rotation seen from the callback side: a notifier
//! built on a client follows the client's certificates, so a callback signed
//! with a certificate WeChat Pay has just rotated in verifies without any
//! request of the merchant's own in between, and a flood of callbacks naming
//! serials nobody issued cannot make it download more than once a minute.
//!
//! Requests reach the sandbox through a counting proxy on loopback, so the
//! certificate downloads are counted on the wire.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use http::{HeaderMap, Method, Uri};
use serde_json::json;
use wxpay_core::notify::Notifier;
use wxpay_core::{ApiV3Key, Client, Error, Keyring, VerifyError};
use wxpay_sandbox::{KeyMode, Sandbox};

use crate::support::*;

/// Requests seen by the proxy, by path.
type Seen = Arc<Mutex<HashMap<String, usize>>>;

/// Starts a proxy in front of `upstream` that counts requests by path;
/// returns its base URL and the counts.
async fn counting_proxy(upstream: &str) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let state = (upstream.trim_end_matches('/').to_owned(), seen.clone());
    let app = axum::Router::new().fallback(forward).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, seen)
}

async fn forward(
    State((upstream, seen)): State<(String, Seen)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    *seen
        .lock()
        .unwrap()
        .entry(uri.path().to_owned())
        .or_default() += 1;
    let target = format!(
        "{upstream}{}",
        uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
    );
    let mut forwarded = reqwest::Client::new().request(method, target).body(body);
    for (name, value) in &headers {
        if name != http::header::HOST {
            forwarded = forwarded.header(name, value);
        }
    }
    let answer = forwarded.send().await.unwrap();
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        response = response.header(name, value);
    }
    response
        .body(axum::body::Body::from(answer.bytes().await.unwrap()))
        .unwrap()
}

fn downloads(seen: &Seen) -> usize {
    seen.lock()
        .unwrap()
        .get("/v3/certificates")
        .copied()
        .unwrap_or(0)
}

/// A client of the sandbox's merchant, through `base`, that trusts the
/// platform certificate signing now and manages certificates from there.
fn managed_client(sandbox: &Sandbox, base: &str) -> Client {
    let keyring = Keyring::new();
    keyring.add_certificate(sandbox.platform_certificate().unwrap());
    let m = sandbox.merchant();
    Client::builder()
        .mchid(m.mchid.clone())
        .merchant_serial(m.serial_no.clone())
        .private_key(m.private_key.clone())
        .base_url(base)
        .keyring(keyring)
        .auto_certificates(ApiV3Key::new(&m.apiv3_key).unwrap())
        .build()
        .unwrap()
}

fn paid() -> serde_json::Value {
    json!({"out_trade_no": "T1", "transaction_id": "42", "trade_state": "SUCCESS",
           "amount": {"total": 100, "currency": "CNY"}, "payer": {"openid": "o1"}})
}

#[tokio::test]
async fn a_callback_signed_after_a_rotation_verifies_without_a_request_in_between() {
    let sandbox = start(KeyMode::Certificate).await;
    let (base, seen) = counting_proxy(sandbox.base_url()).await;
    let client = managed_client(&sandbox, &base);
    let apiv3 = ApiV3Key::new(&sandbox.merchant().apiv3_key).unwrap();
    let notifier = Notifier::for_client(&client, apiv3.clone());
    let old = sandbox.platform_serial();

    let (headers, body) = sandbox
        .notification("TRANSACTION.SUCCESS", "transaction", "支付成功", &paid())
        .unwrap();
    notifier
        .parse::<serde_json::Value>(&headers, &body)
        .await
        .unwrap();
    assert_eq!(downloads(&seen), 0, "a known serial needs no download");

    // Rotated through the control API, as a test in any language would.
    let rotated: serde_json::Value = reqwest::Client::new()
        .post(format!("{}sandbox/platform/rotate", sandbox.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new = rotated["serial"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert_eq!(sandbox.platform_serial(), new);
    let (headers, body) = sandbox
        .notification("TRANSACTION.SUCCESS", "transaction", "支付成功", &paid())
        .unwrap();
    assert_eq!(headers["wechatpay-serial"], new.as_str());
    // A notifier that only holds a fixed keyring cannot know the new key...
    let fixed = Notifier::new(client.keyring().clone(), apiv3);
    let err = fixed
        .parse::<serde_json::Value>(&headers, &body)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Verification {
                reason: VerifyError::UnknownSerial(_),
                ..
            }
        ),
        "{err:?}"
    );
    // ... the client's notifier downloads the listing once and verifies.
    let verified = notifier
        .parse::<serde_json::Value>(&headers, &body)
        .await
        .unwrap();
    assert_eq!(verified.resource["out_trade_no"], "T1");
    assert_eq!(downloads(&seen), 1);
    assert_eq!(
        seen.lock().unwrap().values().sum::<usize>(),
        1,
        "nothing else was sent"
    );
    let mut trusted = client.keyring().serials();
    trusted.sort();
    let mut both = vec![old.clone(), new];
    both.sort();
    assert_eq!(
        trusted, both,
        "the old certificate stays trusted until it expires"
    );
    // Public-key mode has no certificate to rotate.
    let public = start(KeyMode::PublicKey).await;
    assert!(public.rotate_platform_certificate().is_err());
    let _ = old;
    public.shutdown().await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_flood_of_unknown_serials_downloads_at_most_once() {
    let sandbox = start(KeyMode::Certificate).await;
    let (base, seen) = counting_proxy(sandbox.base_url()).await;
    let client = managed_client(&sandbox, &base);
    let notifier = Arc::new(Notifier::for_client(
        &client,
        ApiV3Key::new(&sandbox.merchant().apiv3_key).unwrap(),
    ));
    let (headers, body) = sandbox
        .notification("TRANSACTION.SUCCESS", "transaction", "支付成功", &paid())
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..1000u32 {
        let notifier = notifier.clone();
        let mut headers = headers.clone();
        // A serial of the right shape that WeChat Pay never issued.
        let forged = format!("{i:040X}");
        headers.insert("wechatpay-serial", forged.parse().unwrap());
        let body = body.clone();
        tasks.spawn(async move {
            notifier
                .parse::<serde_json::Value>(&headers, &body)
                .await
                .unwrap_err()
        });
    }
    while let Some(err) = tasks.join_next().await {
        let err = err.unwrap();
        assert!(
            matches!(
                err,
                Error::Verification {
                    reason: VerifyError::UnknownSerial(_),
                    ..
                }
            ),
            "{err:?}"
        );
    }
    assert!(downloads(&seen) <= 1, "{} downloads", downloads(&seen));
    sandbox.shutdown().await;
}
