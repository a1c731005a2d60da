//! APIv2 calls take the APIv3 retry and failover rules: a call that could
//! not connect goes to the next base URL; a 5xx answer is tried again only
//! for a call marked idempotent (every APIv2 call is a `POST`).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::routing::post;
use wxpay_core::v2::{sign, to_xml, ApiV2Key, SignType, V2Client};
use wxpay_core::{Error, RetryPolicy};
use wxpay_sandbox::v2::V2Sandbox;

use crate::roundtrip::{micropay, APPID};

const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

/// A closed port on loopback: connecting fails at once, nothing is sent.
async fn closed_port() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/")
}

/// Answers 503 to the first `failures` requests, then a signed query answer;
/// counts the requests.
async fn flaky(failures: usize) -> (String, Arc<AtomicUsize>) {
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let mut fields = BTreeMap::new();
    for (k, v) in [
        ("return_code", "SUCCESS"),
        ("result_code", "SUCCESS"),
        ("trade_state", "SUCCESS"),
        ("nonce_str", "n1"),
    ] {
        fields.insert(k.to_owned(), v.to_owned());
    }
    let signature = sign(&fields, &ApiV2Key::new(KEY).unwrap(), SignType::Md5);
    fields.insert("sign".to_owned(), signature);
    let answer = to_xml(&fields);
    let app = axum::Router::new().route(
        "/{*path}",
        post(move || {
            let answer = answer.clone();
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if n < failures {
                    (http::StatusCode::SERVICE_UNAVAILABLE, String::new())
                } else {
                    (http::StatusCode::OK, answer)
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/"), seen)
}

fn client(bases: &[&str]) -> V2Client {
    V2Client::builder()
        .mchid("10000100")
        .key(ApiV2Key::new(KEY).unwrap())
        .base_urls(bases.iter().copied())
        .retry(RetryPolicy::new(3).backoff(Duration::from_millis(10), Duration::from_millis(20)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_call_that_cannot_connect_fails_over_to_the_next_base_url() {
    let sandbox = V2Sandbox::start().await.unwrap();
    let down = closed_port().await;
    let client = sandbox
        .client_builder()
        .unwrap()
        .base_urls([down.as_str(), sandbox.base_url().as_str()])
        .build()
        .unwrap();
    // Micropay is not idempotent, but nothing reached the first host.
    let paid = micropay(&client, "FAILOVER-1", 100).await.unwrap();
    assert!(paid.verified());
    assert_eq!(paid.get("out_trade_no"), Some("FAILOVER-1"));
    assert_eq!(paid.get("appid"), Some(APPID));
}

#[tokio::test]
async fn a_5xx_is_tried_again_only_for_an_idempotent_call() {
    let (base, seen) = flaky(1).await;
    let err = client(&[&base])
        .call("pay/orderquery")
        .param("out_trade_no", "T1")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api(api) if api.status == 503 && !api.signature_verified),
        "{err:?}"
    );
    assert_eq!(seen.load(Ordering::SeqCst), 1, "sent once");

    let (base, seen) = flaky(1).await;
    let answer = client(&[&base])
        .call("pay/orderquery")
        .param("out_trade_no", "T1")
        .idempotent()
        .send()
        .await
        .unwrap();
    assert_eq!(answer.get("trade_state"), Some("SUCCESS"));
    assert_eq!(seen.load(Ordering::SeqCst), 2, "one retry");

    // The attempts are bounded by the policy.
    let (base, seen) = flaky(10).await;
    let err = client(&[&base])
        .call("pay/orderquery")
        .idempotent()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api(api) if api.status == 503 && !api.signature_verified),
        "{err:?}"
    );
    assert_eq!(seen.load(Ordering::SeqCst), 3);
}
