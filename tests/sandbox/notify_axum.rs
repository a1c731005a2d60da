//! wxpay-core's axum glue over the real path: the sandbox POSTs signed,
//! encrypted notifications to axum handlers on loopback. The `Verified` (and
//! `VerifiedEvent`, by event type)
//! extractor hands a handler the typed notification, and answers FAIL for
//! anything forged, oversized or undecodable without running it; and a
//! handler that parses and re-encodes the body fails against the sandbox,
//! whose bodies no encoder reproduces, while one given the raw bytes passes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::{FromRef, State};
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use wxpay_apis::events::Event;
use wxpay_core::notify::axum::{Failure, Rejected, Success, Verified, VerifiedEvent};
use wxpay_core::notify::{Envelope, Notifier};
use wxpay_core::{ApiV3Key, Error, VerifyError};
use wxpay_sandbox::{KeyMode, Sandbox};

use crate::support::*;

/// The fields of a payment this test's shop reads.
#[derive(Debug, Deserialize)]
struct Paid {
    out_trade_no: String,
    amount: PaidAmount,
}

#[derive(Debug, Deserialize)]
struct PaidAmount {
    total: i64,
}

#[derive(Clone)]
struct Shop {
    notifier: Notifier,
    runs: Arc<AtomicUsize>,
}

impl FromRef<Shop> for Notifier {
    fn from_ref(shop: &Shop) -> Notifier {
        shop.notifier.clone()
    }
}

async fn paid(State(shop): State<Shop>, Verified(n): Verified<Paid>) -> Result<Success, Failure> {
    shop.runs.fetch_add(1, Ordering::SeqCst);
    if n.resource.out_trade_no != "T1" || n.resource.amount.total != 100 {
        return Err(Failure::new(format!(
            "unknown order {}",
            n.resource.out_trade_no
        )));
    }
    assert_eq!(n.event_type(), "TRANSACTION.SUCCESS");
    Ok(Success)
}

/// Sees the rejection itself, and still owes WeChat Pay a FAIL.
async fn observed(extracted: Result<Verified, Rejected>) -> Result<Success, Failure> {
    match extracted {
        Ok(_) => Ok(Success),
        Err(rejected) => match rejected.error() {
            Error::Verification {
                reason: VerifyError::BadSignature,
                ..
            } => Err(Failure::new("observed: bad signature")),
            other => Err(Failure::new(format!("observed: {other}"))),
        },
    }
}

fn payment() -> Value {
    json!({"out_trade_no": "T1", "transaction_id": "42", "trade_state": "SUCCESS",
           "amount": {"total": 100, "currency": "CNY"}, "payer": {"openid": "o1"}})
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

fn notifier(sandbox: &Sandbox) -> Notifier {
    Notifier::for_client(
        &client(sandbox),
        ApiV3Key::new(&sandbox.merchant().apiv3_key).unwrap(),
    )
}

async fn post_raw(url: &str, headers: HeaderMap, body: Vec<u8>) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .headers(headers)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_extractor_hands_the_handler_a_verified_typed_notification() {
    for mode in [KeyMode::Certificate, KeyMode::PublicKey] {
        let sandbox = start(mode).await;
        let runs = Arc::new(AtomicUsize::new(0));
        let app = Router::new().route("/paid", post(paid)).with_state(Shop {
            notifier: notifier(&sandbox),
            runs: runs.clone(),
        });
        let url = format!("{}/paid", serve(app).await);

        let delivery = sandbox
            .send_callback(&url, "TRANSACTION.SUCCESS", "transaction", &payment())
            .await
            .unwrap();
        assert_eq!(
            (delivery.status, delivery.body.as_str()),
            (204, ""),
            "{mode:?}"
        );

        // The handler's own failure is WeChat Pay's FAIL, and it retries.
        let mut other = payment();
        other["out_trade_no"] = json!("T2");
        let delivery = sandbox
            .send_callback(&url, "TRANSACTION.SUCCESS", "transaction", &other)
            .await
            .unwrap();
        assert_eq!(delivery.status, 500);
        let answer: Value = serde_json::from_str(&delivery.body).unwrap();
        assert_eq!(
            answer,
            json!({"code": "FAIL", "message": "unknown order T2"})
        );
        assert_eq!(runs.load(Ordering::SeqCst), 2, "{mode:?}");
    }
}

#[tokio::test]
async fn forged_oversized_and_undecodable_notifications_never_reach_the_handler() {
    let sandbox = start(KeyMode::Certificate).await;
    let runs = Arc::new(AtomicUsize::new(0));
    let shop = Shop {
        notifier: notifier(&sandbox).with_max_body_bytes(4096),
        runs: runs.clone(),
    };
    let app = Router::new()
        .route("/paid", post(paid))
        .route("/observed", post(observed))
        .with_state(shop);
    let base = serve(app).await;
    let url = format!("{base}/paid");
    let fail = |message: &str| json!({"code": "FAIL", "message": message});

    // Tampered after signing: one space added to the body.
    let (headers, mut body) = sandbox
        .notification("TRANSACTION.SUCCESS", "transaction", "支付成功", &payment())
        .unwrap();
    body.insert(1, b' ');
    assert_eq!(
        post_raw(&url, headers.clone(), body.clone()).await,
        (500, fail("signature verification failed"))
    );
    // A handler that asks for the rejection sees why.
    assert_eq!(
        post_raw(&format!("{base}/observed"), headers, body).await,
        (500, fail("observed: bad signature"))
    );

    // WeChat Pay's probe signature is refused like any other bad one.
    let (mut headers, body) = sandbox
        .notification("TRANSACTION.SUCCESS", "transaction", "支付成功", &payment())
        .unwrap();
    headers.insert(
        "wechatpay-signature",
        "WECHATPAY/SIGNTEST/AAAA".parse().unwrap(),
    );
    assert_eq!(
        post_raw(&url, headers, body).await,
        (500, fail("signature verification failed"))
    );

    // Over the notifier's limit: refused before it is verified or read whole.
    let (headers, _) = sandbox
        .notification("TRANSACTION.SUCCESS", "transaction", "支付成功", &payment())
        .unwrap();
    assert_eq!(
        post_raw(&url, headers, vec![b' '; 1 << 20]).await,
        (500, fail("notification body too large"))
    );

    // Signed by the sandbox, but not a payment: it does not decode as one.
    let delivery = sandbox
        .send_callback(
            &url,
            "REFUND.SUCCESS",
            "refund",
            &json!({"out_refund_no": "R1", "refund_status": "SUCCESS"}),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            delivery.status,
            serde_json::from_str::<Value>(&delivery.body).unwrap()
        ),
        (500, fail("notification could not be decoded"))
    );

    // Encrypted with another merchant's APIv3 key: it does not decrypt.
    let strangers = Router::new().route("/paid", post(paid)).with_state(Shop {
        notifier: Notifier::for_client(
            &client(&sandbox),
            ApiV3Key::new("0123456789abcdef0123456789abcdef").unwrap(),
        ),
        runs: runs.clone(),
    });
    let stranger_url = format!("{}/paid", serve(strangers).await);
    let delivery = sandbox
        .send_callback(
            &stranger_url,
            "TRANSACTION.SUCCESS",
            "transaction",
            &payment(),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            delivery.status,
            serde_json::from_str::<Value>(&delivery.body).unwrap()
        ),
        (500, fail("resource could not be decrypted"))
    );

    assert_eq!(runs.load(Ordering::SeqCst), 0, "the handler never ran");
}

/// Parses the body as JSON (axum's `Json`), encodes it again three ways a
/// handler might (the value compact and pretty, the typed envelope), and
/// verifies that instead of the bytes received.
async fn reencoding(
    State(notifier): State<Notifier>,
    headers: HeaderMap,
    Json(value): Json<Value>,
) -> Result<Success, Failure> {
    let typed: Envelope =
        serde_json::from_value(value.clone()).map_err(|e| Failure::new(e.to_string()))?;
    let encodings = [
        serde_json::to_vec(&value).unwrap(),
        serde_json::to_vec_pretty(&value).unwrap(),
        serde_json::to_vec(&typed).unwrap(),
    ];
    let mut refused = Vec::new();
    for body in &encodings {
        match notifier.parse::<Value>(&headers, body).await {
            Ok(_) => return Ok(Success),
            Err(Error::Verification {
                reason: VerifyError::BadSignature,
                ..
            }) => refused.push("bad signature"),
            Err(e) => return Err(Failure::new(format!("unexpected: {e}"))),
        }
    }
    Err(Failure::new(refused.join(", ")))
}

async fn raw_bytes(Verified(n): Verified) -> Result<Success, Failure> {
    match n.resource["out_trade_no"].as_str() {
        Some("T1") => Ok(Success),
        _ => Err(Failure::new("wrong resource")),
    }
}

#[tokio::test]
async fn a_handler_that_re_encodes_the_body_fails_and_one_given_the_raw_bytes_passes() {
    let sandbox = start(KeyMode::PublicKey).await;
    let app = Router::new()
        .route("/reencoding", post(reencoding))
        .route("/raw", post(raw_bytes))
        .with_state(notifier(&sandbox));
    let base = serve(app).await;

    let delivery = sandbox
        .send_callback(
            &format!("{base}/reencoding"),
            "TRANSACTION.SUCCESS",
            "transaction",
            &payment(),
        )
        .await
        .unwrap();
    assert_eq!(delivery.status, 500, "{}", delivery.body);
    let answer: Value = serde_json::from_str(&delivery.body).unwrap();
    assert_eq!(
        answer["message"], "bad signature, bad signature, bad signature",
        "every re-encoding changed the signed bytes"
    );

    let delivery = sandbox
        .send_callback(
            &format!("{base}/raw"),
            "TRANSACTION.SUCCESS",
            "transaction",
            &payment(),
        )
        .await
        .unwrap();
    assert_eq!((delivery.status, delivery.body.as_str()), (204, ""));
}

/// One URL for payments and refunds: `VerifiedEvent<Event>` hands each to
/// the handler as its own case.
async fn any_event(
    State(shop): State<Shop>,
    VerifiedEvent(n): VerifiedEvent<Event>,
) -> Result<Success, Failure> {
    shop.runs.fetch_add(1, Ordering::SeqCst);
    match n.resource {
        Event::Transaction(paid) if paid.out_trade_no == "T1" => Ok(Success),
        Event::Refund(refund) if refund.out_refund_no == "R1" => Ok(Success),
        other => Err(Failure::new(format!("unexpected {other:?}"))),
    }
}

#[tokio::test]
async fn the_event_extractor_decodes_each_notification_by_its_event_type() {
    let sandbox = start(KeyMode::Certificate).await;
    let runs = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route("/notify", post(any_event))
        .with_state(Shop {
            notifier: notifier(&sandbox),
            runs: runs.clone(),
        });
    let url = format!("{}/notify", serve(app).await);

    let delivery = sandbox
        .send_callback(&url, "TRANSACTION.SUCCESS", "transaction", &payment())
        .await
        .unwrap();
    assert_eq!((delivery.status, delivery.body.as_str()), (204, ""));
    let refund = json!({"out_trade_no": "T1", "transaction_id": "42", "out_refund_no": "R1",
                        "refund_id": "50", "refund_status": "SUCCESS",
                        "amount": {"total": 100, "refund": 40}});
    let delivery = sandbox
        .send_callback(&url, "REFUND.SUCCESS", "refund", &refund)
        .await
        .unwrap();
    assert_eq!((delivery.status, delivery.body.as_str()), (204, ""));
    assert_eq!(runs.load(Ordering::SeqCst), 2);

    // A refund notification whose resource is not a refund never reaches it.
    let delivery = sandbox
        .send_callback(&url, "REFUND.SUCCESS", "refund", &payment())
        .await
        .unwrap();
    assert_eq!(delivery.status, 500);
    // Nor does a body tampered with after signing.
    let (headers, mut body) = sandbox
        .notification("TRANSACTION.SUCCESS", "transaction", "支付成功", &payment())
        .unwrap();
    body.insert(1, b' ');
    assert_eq!(
        post_raw(&url, headers, body).await,
        (
            500,
            json!({"code": "FAIL", "message": "signature verification failed"})
        )
    );
    assert_eq!(runs.load(Ordering::SeqCst), 2, "the handler ran only twice");
}
