//! A sandbox with a SQLite database keeps orders, refunds, profit sharing
//! and transfers across a restart, within the same bound as its memory.

use std::path::PathBuf;

use serde_json::json;
use wxpay_sandbox::Sandbox;

use super::*;

/// A fresh database path under the system's temporary directory.
fn scratch_db(name: &str) -> PathBuf {
    let unique = wxpay_core::unstable::random_alphanumeric(12).unwrap();
    std::env::temp_dir().join(format!("wxpay-sandbox-{name}-{unique}.db"))
}

fn remove(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[tokio::test]
async fn orders_and_refunds_survive_a_restart() {
    let db = scratch_db("restart");
    let (sandbox, client) = started(Sandbox::builder().database(&db)).await;
    let paid = paid_order(&sandbox, &client, "KEEP-0001", 600, "http://127.0.0.1:9/n").await;
    prepay(&client, "native", &json!({
        "appid": APPID, "mchid": sandbox.merchant().mchid, "description": "unpaid",
        "out_trade_no": "KEEP-0002", "notify_url": "http://127.0.0.1:9/n", "amount": {"total": 5}
    }))
    .await
    .unwrap();
    refund(
        &client,
        &json!({"out_trade_no": "KEEP-0001", "out_refund_no": "KEEP-R1",
        "amount": {"refund": 100, "total": 600, "currency": "CNY"}}),
    )
    .await
    .unwrap();
    sandbox.shutdown().await;

    // Another sandbox (new keys, same merchant id) on the same file.
    let (sandbox, client) = started(Sandbox::builder().database(&db)).await;
    let again = query(&client, &sandbox, "KEEP-0001").await.unwrap();
    assert_eq!(again["transaction_id"], paid["transaction_id"]);
    assert_eq!(again["trade_state"], "REFUND");
    assert_eq!(
        query(&client, &sandbox, "KEEP-0002").await.unwrap()["trade_state"],
        "NOTPAY"
    );
    let kept: Value = client
        .request(
            wxpay_core::Method::Get,
            "v3/refund/domestic/refunds/{out_refund_no}",
        )
        .path_param("out_refund_no", "KEEP-R1")
        .send()
        .await
        .unwrap();
    assert_eq!(kept["amount"]["refund"], 100);
    // What was refunded is remembered: only 500 fen are left.
    expect_api(
        refund(
            &client,
            &json!({"out_trade_no": "KEEP-0001", "out_refund_no": "KEEP-R2",
            "amount": {"refund": 501, "total": 600, "currency": "CNY"}}),
        )
        .await,
        400,
        "INVALID_REQUEST",
    );
    // The restored unpaid order can still be paid.
    sandbox
        .pay_order(&sandbox.merchant().mchid, "KEEP-0002")
        .unwrap();
    sandbox.shutdown().await;
    remove(&db);
}

#[tokio::test]
async fn the_database_is_bounded_like_the_memory() {
    let db = scratch_db("bound");
    let (sandbox, client) = started(Sandbox::builder().database(&db).max_orders(2)).await;
    for n in 1..=3 {
        prepay(
            &client,
            "jsapi",
            &jsapi_order(
                &sandbox,
                &format!("BOUND-000{n}"),
                1,
                "http://127.0.0.1:9/n",
            ),
        )
        .await
        .unwrap();
    }
    sandbox.shutdown().await;
    let (sandbox, client) = started(Sandbox::builder().database(&db).max_orders(2)).await;
    expect_api(
        query(&client, &sandbox, "BOUND-0001").await,
        404,
        "ORDER_NOT_EXIST",
    );
    for n in 2..=3 {
        query(&client, &sandbox, &format!("BOUND-000{n}"))
            .await
            .unwrap();
    }
    sandbox.shutdown().await;
    remove(&db);
}

#[tokio::test]
async fn profit_sharing_and_transfers_survive_a_restart() {
    let db = scratch_db("funds");
    // Nothing moves on by itself before the restart: the split stays
    // PROCESSING and the confirmed transfer TRANSFERING.
    let manual = Sandbox::builder()
        .database(&db)
        .profit_sharing_settle_after(None)
        .transfer_settle_after(None);
    let (sandbox, client) = started(manual).await;
    let mchid = sandbox.merchant().mchid.clone();
    let transaction_id =
        crate::funds::paid_shareable_order(&sandbox, &client, "KEEP-PS-1", 1000, None).await;
    crate::funds::add_receiver(
        &client,
        json!({"appid": APPID, "type": "PERSONAL_OPENID", "account": OPENID, "relation_type": "USER"}),
    )
    .await
    .unwrap();
    post(
        &client,
        "v3/profitsharing/orders",
        &json!({"transaction_id": transaction_id, "out_order_no": "KEEP-SPLIT-1",
            "unfreeze_unsplit": false,
            "receivers": [{"type": "PERSONAL_OPENID", "account": OPENID, "amount": 300, "description": "d"}]}),
    )
    .await
    .unwrap();
    let bill = post(
        &client,
        "v3/fund-app/mch-transfer/transfer-bills",
        &json!({"appid": APPID, "out_bill_no": "KEEPTB1", "transfer_scene_id": "1000",
            "openid": OPENID, "transfer_amount": 100, "transfer_remark": "r",
            "transfer_scene_report_infos": [{"info_type": "活动名称", "info_content": "c"}]}),
    )
    .await
    .unwrap();
    let package = bill["package_info"].as_str().unwrap();
    sandbox.confirm_transfer(package, None).unwrap();
    sandbox.shutdown().await;

    // After the restart (default delays: zero) both move on as they would have.
    let (sandbox, client) = started(Sandbox::builder().database(&db)).await;
    let split = get(
        &client,
        "v3/profitsharing/orders/KEEP-SPLIT-1",
        &[("transaction_id", transaction_id.as_str())],
    )
    .await
    .unwrap();
    assert_eq!(split["receivers"][0]["amount"], 300);
    let mut state = split["state"].clone();
    for _ in 0..100 {
        if state == "FINISHED" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let again = get(
            &client,
            "v3/profitsharing/orders/KEEP-SPLIT-1",
            &[("transaction_id", transaction_id.as_str())],
        )
        .await
        .unwrap();
        state = again["state"].clone();
    }
    assert_eq!(state, "FINISHED");
    let left = get(
        &client,
        &format!("v3/profitsharing/transactions/{transaction_id}/amounts"),
        &[],
    )
    .await
    .unwrap();
    assert_eq!(left["unsplit_amount"], 700);
    // The receiver is still there, so the restored transaction can be split again.
    post(
        &client,
        "v3/profitsharing/orders",
        &json!({"transaction_id": transaction_id, "out_order_no": "KEEP-SPLIT-2",
            "unfreeze_unsplit": false,
            "receivers": [{"type": "PERSONAL_OPENID", "account": OPENID, "amount": 700, "description": "d"}]}),
    )
    .await
    .unwrap();
    let mut kept = sandbox.transfer(&mchid, "KEEPTB1").unwrap();
    for _ in 0..100 {
        if kept["state"] == "SUCCESS" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        kept = sandbox.transfer(&mchid, "KEEPTB1").unwrap();
    }
    assert_eq!(kept["state"], "SUCCESS");
    sandbox.shutdown().await;
    remove(&db);
}
