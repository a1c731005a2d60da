//! TRANSACTION.SUCCESS reaches the merchant verified and decryptable; a
//! refused notification is retried on WeChat's schedule (time-scaled), every
//! attempt is logged, and a notification can be re-sent on demand.

use std::time::Duration;

use serde_json::json;
use wxpay_apis::events::Event;
use wxpay_apis::pay::PayTradeState;
use wxpay_sandbox::{KeyMode, Sandbox, NOTIFY_RETRY_SCHEDULE};

use super::*;

#[tokio::test]
async fn payment_notifications_are_signed_encrypted_and_typed() {
    for mode in [KeyMode::Certificate, KeyMode::PublicKey] {
        let (sandbox, client) = started(Sandbox::builder().key_mode(mode)).await;
        let shop = Shop::open(&sandbox, &client).await;
        let mut body = jsapi_order(&sandbox, "NOTIFY-0001", 250, &shop.url);
        body["attach"] = json!("cart=7");
        prepay(&client, "jsapi", &body).await.unwrap();
        sandbox
            .pay_order(&sandbox.merchant().mchid, "NOTIFY-0001")
            .unwrap();

        let got = shop.wait_for(1).await;
        let n = &got[0];
        assert_eq!(n.envelope.event_type, "TRANSACTION.SUCCESS");
        assert_eq!(n.envelope.summary, "支付成功");
        assert_eq!(n.envelope.resource_type, "encrypt-resource");
        assert_eq!(n.envelope.resource.associated_data, "transaction");
        assert_eq!(n.envelope.id.len(), 36, "a UUID, as live ids are");
        // The payload is what a query answers once paid.
        let queried = query(&client, &sandbox, "NOTIFY-0001").await.unwrap();
        assert_eq!(n.resource, queried, "{mode:?}");
        assert_eq!(n.resource["attach"], "cart=7");

        // Decoded by its event type, with the order query's enumerations.
        match &shop.events()[0] {
            Event::Transaction(paid) => {
                assert_eq!(paid.amount.as_ref().map(|a| a.total), Some(250));
                assert_eq!(paid.trade_state, PayTradeState::Success);
                assert_eq!(paid.out_trade_no, "NOTIFY-0001");
            }
            other => panic!("TRANSACTION.SUCCESS decoded as {other:?}"),
        }

        let log = sandbox.notification_attempts();
        assert_eq!(log.len(), 1);
        let a = &log[0];
        assert!(a.accepted && a.attempt == 1 && !a.manual, "{a:?}");
        assert_eq!((a.status, a.url.as_str()), (Some(204), shop.url.as_str()));
        assert_eq!(a.notification_id, n.envelope.id);
        sandbox.shutdown().await;
    }
}

#[tokio::test]
async fn refused_notifications_are_retried_on_the_scaled_schedule() {
    const SCALE: f64 = 0.001;
    let (sandbox, client) = started(Sandbox::builder().time_scale(SCALE)).await;
    let shop = Shop::open(&sandbox, &client).await;
    // Four failures (500, 404, 400, 503), then success: five attempts in all.
    shop.seen.lock().unwrap().failures = vec![500, 404, 400, 503];
    paid_order(&sandbox, &client, "RETRY-0001", 100, &shop.url).await;
    shop.wait_for(5).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let received = std::mem::take(&mut shop.seen.lock().unwrap().received);
    assert_eq!(received.len(), 5, "no attempt after the accepted one");
    let ids: Vec<_> = received
        .iter()
        .map(|(_, n)| n.envelope.id.clone())
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "every retry carries the same id"
    );
    // Each wait is at least WeChat's (scaled): 15 s, 15 s, 30 s, 3 min.
    for (i, pair) in received.windows(2).enumerate() {
        let waited = pair[1].0 - pair[0].0;
        let scheduled = NOTIFY_RETRY_SCHEDULE[i].mul_f64(SCALE);
        assert!(
            waited + Duration::from_millis(5) >= scheduled,
            "retry {i}: {waited:?} < {scheduled:?}"
        );
    }

    let log = sandbox.notification_attempts();
    let statuses: Vec<_> = log.iter().map(|a| a.status).collect();
    assert_eq!(
        statuses,
        [Some(500), Some(404), Some(400), Some(503), Some(204)]
    );
    assert_eq!(
        log.iter().map(|a| a.attempt).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    assert!(log.iter().all(|a| !a.request_body.is_empty()));
    assert_eq!(log[0].answer, r#"{"code":"FAIL","message":"not now"}"#);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_notification_is_given_up_after_fifteen_retries_and_can_be_resent() {
    // 24 h 4 min × 0.00002 ≈ 1.7 s for the whole schedule.
    let (sandbox, client) = started(Sandbox::builder().time_scale(0.000_02)).await;
    let shop = Shop::open(&sandbox, &client).await;
    shop.seen.lock().unwrap().failures = vec![500; 100];
    paid_order(&sandbox, &client, "GIVEUP-0001", 100, &shop.url).await;
    shop.wait_for(16).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let log = sandbox.notification_attempts();
    assert_eq!(
        log.len(),
        16,
        "1 attempt + 15 retries, then WeChat gives up"
    );
    assert!(log.iter().all(|a| !a.accepted));

    // Re-sent on demand, through the control API this time; the shop now accepts.
    shop.seen.lock().unwrap().failures.clear();
    let id = log[0].notification_id.clone();
    let (status, attempt) = control(
        &sandbox,
        reqwest::Method::POST,
        "sandbox/notifications/resend",
        Some(json!({"id": id})),
    )
    .await;
    assert_eq!(status, 200, "{attempt}");
    assert_eq!(
        (
            attempt["attempt"].as_u64(),
            attempt["manual"].as_bool(),
            attempt["status"].as_u64()
        ),
        (Some(17), Some(true), Some(204))
    );
    let (_, all) = control(
        &sandbox,
        reqwest::Method::GET,
        "sandbox/notifications",
        None,
    )
    .await;
    assert_eq!(all["attempts"].as_array().unwrap().len(), 17);
    let (status, _) = control(
        &sandbox,
        reqwest::Method::POST,
        "sandbox/notifications/resend",
        Some(json!({"id": "nope"})),
    )
    .await;
    assert_eq!(status, 404);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn only_allowed_hosts_are_notified() {
    let (sandbox, client) = started(Sandbox::builder()).await;
    paid_order(
        &sandbox,
        &client,
        "HOST-0001",
        100,
        "https://shop.example.com/notify",
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(5);
    let attempt = loop {
        if let Some(a) = sandbox.notification_attempts().into_iter().next() {
            break a;
        }
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(attempt.status, None);
    assert!(
        attempt.error.as_deref().unwrap().contains("not allowed"),
        "{attempt:?}"
    );
    assert!(attempt.request_body.is_empty(), "nothing was sent");
    sandbox.shutdown().await;
}
