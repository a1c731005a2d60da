//! Callbacks over the real path: the sandbox POSTs a signed, encrypted
//! notification to an axum handler that uses `Notifier`.

use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;
use wxpay_apis::events::Event;
use wxpay_core::notify::Notifier;
use wxpay_core::{ApiV3Key, Error, VerifyError};
use wxpay_sandbox::KeyMode;

use crate::support::*;

#[derive(Default)]
struct Seen {
    events: Vec<Event>,
    errors: Vec<String>,
}

type Shared = (Arc<Notifier>, Arc<Mutex<Seen>>);

async fn handler(
    State((notifier, seen)): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let answer = match notifier.parse_event::<Event>(&headers, &body).await {
        Ok(n) => {
            seen.lock().unwrap().events.push(n.resource);
            Notifier::success()
        }
        Err(e) => {
            let refused = matches!(
                e,
                Error::Verification {
                    reason: VerifyError::BadSignature,
                    ..
                }
            );
            seen.lock().unwrap().errors.push(format!("{refused}: {e}"));
            Notifier::failure("rejected")
        }
    };
    answer.map(Body::from)
}

#[tokio::test]
async fn notifications_reach_the_handler_verified_and_typed() {
    for mode in [KeyMode::Certificate, KeyMode::PublicKey] {
        let sandbox = start(mode).await;
        let client = client(&sandbox);
        let notifier = Arc::new(Notifier::for_client(
            &client,
            ApiV3Key::new(&sandbox.merchant().apiv3_key).unwrap(),
        ));
        let seen = Arc::new(Mutex::new(Seen::default()));
        let app = axum::Router::new()
            .route("/notify", axum::routing::post(handler))
            .with_state((notifier, seen.clone()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/notify", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });

        let paid = json!({"out_trade_no": "T1", "transaction_id": "42", "trade_state": "SUCCESS",
                          "amount": {"total": 100, "currency": "CNY"}, "payer": {"openid": "o1"}});
        let delivery = sandbox
            .send_callback(&url, "TRANSACTION.SUCCESS", "transaction", &paid)
            .await
            .unwrap();
        assert_eq!((delivery.status, delivery.accepted()), (204, true));
        let refund = json!({"out_trade_no": "T1", "transaction_id": "42", "out_refund_no": "R1", "refund_id": "50",
                            "refund_status": "SUCCESS", "amount": {"total": 100, "refund": 40}});
        let delivery = sandbox
            .send_callback(&url, "REFUND.SUCCESS", "refund", &refund)
            .await
            .unwrap();
        assert!(delivery.accepted());

        // A tampered delivery (one byte of the amount changed after signing) is refused.
        let (headers, mut body) = sandbox
            .notification("TRANSACTION.SUCCESS", "transaction", "支付成功", &paid)
            .unwrap();
        let at = body.iter().position(|b| *b == b'"').unwrap();
        body.insert(at, b' ');
        let response = reqwest::Client::new()
            .post(&url)
            .headers(headers)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 500);
        let answer: serde_json::Value = response.json().await.unwrap();
        assert_eq!(answer["code"], "FAIL");

        let seen = seen.lock().unwrap();
        assert_eq!(seen.events.len(), 2, "{mode:?}");
        match &seen.events[0] {
            Event::Transaction(t) => {
                let total = t.amount.as_ref().map(|a| a.total);
                assert_eq!((t.out_trade_no.as_str(), total), ("T1", Some(100)));
                let payer = t.payer.as_ref().and_then(|p| p.openid.as_deref());
                assert_eq!(payer, Some("o1"));
            }
            other => panic!("{other:?}"),
        }
        match &seen.events[1] {
            Event::Refund(r) => assert_eq!((r.out_refund_no.as_str(), r.amount.refund), ("R1", 40)),
            other => panic!("{other:?}"),
        }
        assert_eq!(seen.errors.len(), 1);
        assert!(seen.errors[0].starts_with("true:"), "{:?}", seen.errors);
    }
}
