//! Refunds: partial and full, several per order, amounts checked against what
//! was paid and refunded, PROCESSING → SUCCESS / ABNORMAL / CLOSED, with
//! refund notifications.

use serde_json::json;
use wxpay_apis::refund::domestic::refunds::RefundStatus;
use wxpay_core::Method;
use wxpay_sandbox::Sandbox;

use super::*;

fn refund_body(
    out_trade_no: &str,
    out_refund_no: &str,
    refund: i64,
    total: i64,
    notify_url: &str,
) -> Value {
    json!({
        "out_trade_no": out_trade_no,
        "out_refund_no": out_refund_no,
        "reason": "商品已售完",
        "notify_url": notify_url,
        "amount": { "refund": refund, "total": total, "currency": "CNY" },
    })
}

async fn query_refund(client: &Client, out_refund_no: &str) -> Result<Value, Error> {
    client
        .request(Method::Get, "v3/refund/domestic/refunds/{out_refund_no}")
        .path_param("out_refund_no", out_refund_no)
        .send()
        .await
}

#[tokio::test]
async fn partial_then_full_refunds_with_notifications() {
    let (sandbox, client) = started(Sandbox::builder()).await;
    let shop = Shop::open(&sandbox, &client).await;
    let paid = paid_order(&sandbox, &client, "REFUND-0001", 1000, &shop.url).await;
    shop.wait_for(1).await;

    let first = refund(
        &client,
        &refund_body("REFUND-0001", "R-1", 300, 1000, &shop.url),
    )
    .await
    .unwrap();
    assert_eq!(first["status"], "PROCESSING");
    assert!(first.get("success_time").is_none());
    assert_eq!(first["transaction_id"], paid["transaction_id"]);
    assert_eq!(first["channel"], "ORIGINAL");
    assert_eq!(first["user_received_account"], "支付用户零钱");
    assert_eq!(first["amount"]["refund"], 300);
    assert_eq!(first["refund_id"].as_str().unwrap().len(), 29);

    let notes = shop.wait_for(2).await;
    assert_eq!(notes[1].envelope.event_type, "REFUND.SUCCESS");
    assert_eq!(notes[1].envelope.summary, "退款成功");
    let r = &notes[1].resource;
    assert_eq!(
        (r["refund_status"].as_str(), r["out_refund_no"].as_str()),
        (Some("SUCCESS"), Some("R-1"))
    );
    assert_eq!(
        r["amount"],
        json!({"total": 1000, "refund": 300, "payer_total": 1000, "payer_refund": 300})
    );
    assert_eq!(r["mchid"], sandbox.merchant().mchid);
    assert!(r.get("status").is_none() && r.get("channel").is_none());
    // Decoded by its event type, with the refund query's enumeration.
    match &shop.events()[1] {
        Event::Refund(refund) => {
            assert_eq!(refund.refund_status, RefundStatus::Success);
            assert_eq!(
                (refund.out_refund_no.as_str(), refund.amount.refund),
                ("R-1", 300)
            );
        }
        other => panic!("REFUND.SUCCESS decoded as {other:?}"),
    }

    let queried = query_refund(&client, "R-1").await.unwrap();
    assert_eq!(queried["status"], "SUCCESS");
    assert!(queried["success_time"]
        .as_str()
        .unwrap()
        .ends_with("+08:00"));
    // The order now reads REFUND.
    assert_eq!(
        query(&client, &sandbox, "REFUND-0001").await.unwrap()["trade_state"],
        "REFUND"
    );

    // Same out_refund_no, same content: the same refund; other content: refused.
    assert_eq!(
        refund(
            &client,
            &refund_body("REFUND-0001", "R-1", 300, 1000, &shop.url)
        )
        .await
        .unwrap()["refund_id"],
        first["refund_id"]
    );
    expect_api(
        refund(
            &client,
            &refund_body("REFUND-0001", "R-1", 301, 1000, &shop.url),
        )
        .await,
        400,
        "INVALID_REQUEST",
    );
    // More than what is left: 700 fen remain.
    let e = expect_api(
        refund(
            &client,
            &refund_body("REFUND-0001", "R-2", 701, 1000, &shop.url),
        )
        .await,
        400,
        "INVALID_REQUEST",
    );
    assert!(e.message.contains("申请退款金额超过订单可退金额"), "{e}");
    // A total that is not the order's.
    expect_api(
        refund(
            &client,
            &refund_body("REFUND-0001", "R-2", 100, 999, &shop.url),
        )
        .await,
        400,
        "INVALID_REQUEST",
    );
    // The rest, by transaction_id.
    let mut rest = refund_body("REFUND-0001", "R-2", 700, 1000, &shop.url);
    rest.as_object_mut().unwrap().remove("out_trade_no");
    rest["transaction_id"] = paid["transaction_id"].clone();
    refund(&client, &rest).await.unwrap();
    shop.wait_for(3).await;
    expect_api(
        refund(
            &client,
            &refund_body("REFUND-0001", "R-3", 1, 1000, &shop.url),
        )
        .await,
        400,
        "INVALID_REQUEST",
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn refunds_of_unknown_or_unpaid_orders_do_not_exist() {
    let (sandbox, client) = started(Sandbox::builder()).await;
    expect_api(
        refund(
            &client,
            &refund_body("NO-SUCH-ORDER", "R-1", 1, 100, "http://127.0.0.1:9/n"),
        )
        .await,
        404,
        "RESOURCE_NOT_EXISTS",
    );
    prepay(
        &client,
        "jsapi",
        &jsapi_order(&sandbox, "UNPAID-0001", 100, "http://127.0.0.1:9/n"),
    )
    .await
    .unwrap();
    expect_api(
        refund(
            &client,
            &refund_body("UNPAID-0001", "R-1", 1, 100, "http://127.0.0.1:9/n"),
        )
        .await,
        404,
        "RESOURCE_NOT_EXISTS",
    );
    expect_api(
        query_refund(&client, "R-1").await,
        404,
        "RESOURCE_NOT_EXISTS",
    );
    let mut bad = refund_body("UNPAID-0001", "R-1", 1, 100, "http://127.0.0.1:9/n");
    bad["amount"].as_object_mut().unwrap().remove("currency");
    let e = expect_api(refund(&client, &bad).await, 400, "PARAM_ERROR");
    assert!(e.message.contains("`amount.currency`"), "{e}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn abnormal_and_closed_refunds_are_notified_and_closed_ones_free_the_amount() {
    let (sandbox, client) = started(Sandbox::builder().refund_settle_after(None)).await;
    let shop = Shop::open(&sandbox, &client).await;
    paid_order(&sandbox, &client, "REFUND-0002", 500, &shop.url).await;
    refund(
        &client,
        &refund_body("REFUND-0002", "R-A", 500, 500, &shop.url),
    )
    .await
    .unwrap();
    assert_eq!(
        query_refund(&client, "R-A").await.unwrap()["status"],
        "PROCESSING"
    );
    let mchid = sandbox.merchant().mchid.clone();

    sandbox.settle_refund(&mchid, "R-A", "ABNORMAL").unwrap();
    assert_eq!(
        query_refund(&client, "R-A").await.unwrap()["status"],
        "ABNORMAL"
    );
    let (status, closed) = control(
        &sandbox,
        reqwest::Method::POST,
        "sandbox/refunds/outcome",
        Some(json!({"mchid": mchid, "out_refund_no": "R-A", "status": "CLOSED"})),
    )
    .await;
    assert_eq!((status, closed["status"].as_str()), (200, Some("CLOSED")));
    // CLOSED is final.
    assert!(sandbox.settle_refund(&mchid, "R-A", "SUCCESS").is_err());

    let notes = shop.wait_for(3).await;
    let events: Vec<_> = notes
        .iter()
        .map(|n| n.envelope.event_type.as_str())
        .collect();
    assert_eq!(
        events,
        ["TRANSACTION.SUCCESS", "REFUND.ABNORMAL", "REFUND.CLOSED"]
    );
    assert_eq!(notes[2].resource["refund_status"], "CLOSED");

    // The closed refund's money can be refunded under a new number.
    refund(
        &client,
        &refund_body("REFUND-0002", "R-B", 500, 500, &shop.url),
    )
    .await
    .unwrap();
    sandbox.shutdown().await;
}
