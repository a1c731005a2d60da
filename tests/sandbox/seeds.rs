//! The four seed operations (after-sales splits and advance returns, each
//! created and queried): create, query back with the same amounts,
//! validation, unknown ids, idempotency, PROCESSING -> SUCCESS. (Profit-sharing
//! returns act on real splits now: `funds::ecommerce_returns`.)

use std::time::Duration;

use serde_json::{json, Value};
use wxpay_sandbox::{KeyMode, Merchant, Sandbox};

use crate::support::*;

fn is_rfc3339_cst(v: &Value) -> bool {
    let s = v.as_str().unwrap_or("");
    s.len() == 25 && s.ends_with("+08:00") && s.as_bytes()[10] == b'T'
}

#[tokio::test]
async fn after_sales_split_is_created_and_queried_back() {
    let sandbox = start(KeyMode::Certificate).await;
    let client = client(&sandbox);
    let created = post(&client, AFTER_SALES, &after_sales("4200000001", 250))
        .await
        .unwrap();
    assert_eq!(
        created,
        json!({"sub_mchid": SUB_MCHID, "transaction_id": "4200000001", "amount": 250})
    );
    post(&client, AFTER_SALES, &after_sales("4200000002", 75))
        .await
        .unwrap();

    let queried = get(
        &client,
        AFTER_SALES,
        &[("sub_mchid", SUB_MCHID), ("transaction_id", "4200000001")],
    )
    .await
    .unwrap();
    assert_eq!(queried["amount"], 250);
    assert_eq!(queried["transaction_id"], "4200000001");
    assert_eq!(queried["sub_mchid"], SUB_MCHID);
    assert_eq!(queried["result"], "SUCCESS");
    assert!(is_rfc3339_cst(&queried["finish_time"]), "{queried}");

    // transaction_id is optional in the query: the latest split is returned.
    let latest = get(&client, AFTER_SALES, &[("sub_mchid", SUB_MCHID)])
        .await
        .unwrap();
    assert_eq!(
        (latest["transaction_id"].as_str(), latest["amount"].as_i64()),
        (Some("4200000002"), Some(75))
    );

    // Repeating the creation is harmless; changing it is refused.
    assert_eq!(
        post(&client, AFTER_SALES, &after_sales("4200000001", 250))
            .await
            .unwrap(),
        created
    );
    let e = expect_api(
        post(&client, AFTER_SALES, &after_sales("4200000001", 251)).await,
        400,
        "INVALID_REQUEST",
    );
    assert!(e.message.contains("`amount`"), "{}", e.message);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn advance_return_is_created_queried_back_and_idempotent() {
    let sandbox = start(KeyMode::PublicKey).await;
    let client = client(&sandbox);
    let refund_id = "50000000382019052709732678859";
    let created = post_advance(&client, refund_id, &json!({"sub_mchid": SUB_MCHID}))
        .await
        .unwrap();
    assert_eq!(created["result"], "PROCESSING");
    assert_eq!(created["refund_id"], refund_id);
    assert_eq!(created["payer_mchid"], SUB_MCHID);
    assert_eq!(created["payee_mchid"], sandbox.merchant().mchid.as_str());
    assert_eq!(
        (
            created["payer_account"].as_str(),
            created["payee_account"].as_str()
        ),
        (Some("BASIC"), Some("BASIC"))
    );
    assert!(
        created.get("success_time").is_none(),
        "no success_time while processing"
    );
    let amount = created["return_amount"].as_i64().unwrap();
    assert!(amount > 0);
    let id = created["advance_return_id"].as_str().unwrap().to_owned();

    let queried = get_advance(&client, refund_id, SUB_MCHID).await.unwrap();
    assert_eq!(queried["result"], "SUCCESS");
    assert_eq!(queried["return_amount"], amount);
    assert_eq!(queried["advance_return_id"], id.as_str());
    assert!(is_rfc3339_cst(&queried["success_time"]), "{queried}");

    let again = post_advance(&client, refund_id, &json!({"sub_mchid": SUB_MCHID}))
        .await
        .unwrap();
    assert_eq!(
        (
            again["advance_return_id"].as_str(),
            again["return_amount"].as_i64()
        ),
        (Some(id.as_str()), Some(amount))
    );
    let e = expect_api(
        post_advance(&client, refund_id, &json!({"sub_mchid": "1900000999"})).await,
        400,
        "INVALID_REQUEST",
    );
    assert!(e.message.contains(refund_id), "{}", e.message);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn orders_stay_processing_until_they_settle() {
    let sandbox = Sandbox::builder()
        .settle_after(Duration::from_secs(3600))
        .start()
        .await
        .unwrap();
    let client = client(&sandbox);
    post(&client, AFTER_SALES, &after_sales("4200000003", 10))
        .await
        .unwrap();
    post_advance(&client, "5000001", &json!({"sub_mchid": SUB_MCHID}))
        .await
        .unwrap();
    for _ in 0..2 {
        let split = get(&client, AFTER_SALES, &[("sub_mchid", SUB_MCHID)])
            .await
            .unwrap();
        assert_eq!(split["result"], "PROCESSING");
        let advance = get_advance(&client, "5000001", SUB_MCHID).await.unwrap();
        assert_eq!(advance["result"], "PROCESSING");
        assert!(advance.get("success_time").is_none());
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_order_moves_from_processing_to_success() {
    let settle = Duration::from_millis(1500);
    let sandbox = Sandbox::builder()
        .settle_after(settle)
        .start()
        .await
        .unwrap();
    let client = client(&sandbox);
    let created = post_advance(&client, "5000004", &json!({"sub_mchid": SUB_MCHID}))
        .await
        .unwrap();
    assert_eq!(created["result"], "PROCESSING");
    assert_eq!(
        get_advance(&client, "5000004", SUB_MCHID).await.unwrap()["result"],
        "PROCESSING"
    );
    tokio::time::sleep(settle + Duration::from_millis(200)).await;
    let settled = get_advance(&client, "5000004", SUB_MCHID).await.unwrap();
    assert_eq!(settled["result"], "SUCCESS");
    assert_eq!(settled["return_amount"], created["return_amount"]);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn missing_and_invalid_fields_are_named_in_param_errors() {
    let sandbox = start(KeyMode::Certificate).await;
    let client = client(&sandbox);

    let without = |body: Value, field: &str| {
        let mut body = body;
        body.as_object_mut().unwrap().remove(field);
        body
    };
    let with = |body: Value, field: &str, value: Value| {
        let mut body = body;
        body[field] = value;
        body
    };
    let split = after_sales("4200000009", 10);
    let mut cases: Vec<(&str, Value, &str)> = Vec::new();
    for field in [
        "amount",
        "refund_id",
        "scene",
        "sub_mchid",
        "transaction_id",
        "type",
    ] {
        cases.push((AFTER_SALES, without(split.clone(), field), field));
    }
    cases.extend([
        (
            AFTER_SALES,
            with(split.clone(), "scene", json!("LOST_GOODS")),
            "scene",
        ),
        (
            AFTER_SALES,
            with(split.clone(), "type", json!("SERVICE_FEE")),
            "type",
        ),
        (
            AFTER_SALES,
            with(split.clone(), "amount", json!("10")),
            "amount",
        ),
        (
            AFTER_SALES,
            with(split.clone(), "sub_mchid", json!(1900000109)),
            "sub_mchid",
        ),
        (
            AFTER_SALES,
            with(split.clone(), "amount", json!(10.5)),
            "amount",
        ),
        (
            AFTER_SALES,
            with(split.clone(), "amount", json!(0)),
            "amount",
        ),
        (
            AFTER_SALES,
            with(split.clone(), "amount", json!(-3)),
            "amount",
        ),
        (
            AFTER_SALES,
            with(split.clone(), "transaction_id", json!("")),
            "transaction_id",
        ),
        (
            AFTER_SALES,
            with(split.clone(), "refund_id", Value::Null),
            "refund_id",
        ),
    ]);
    for (path, body, field) in cases {
        let e = expect_api(post(&client, path, &body).await, 400, "PARAM_ERROR");
        assert!(
            e.message.contains(field),
            "{path} without/with bad {field}: {}",
            e.message
        );
    }

    let e = expect_api(
        post_advance(&client, "5000002", &json!({})).await,
        400,
        "PARAM_ERROR",
    );
    assert!(e.message.contains("sub_mchid"), "{}", e.message);
    let e = expect_api(
        post_advance(&client, "5000002", &json!({"sub_mchid": 7})).await,
        400,
        "PARAM_ERROR",
    );
    assert!(e.message.contains("sub_mchid"), "{}", e.message);

    for (path, query, field) in [(
        AFTER_SALES,
        vec![("transaction_id", "4200000009")],
        "sub_mchid",
    )] {
        let e = expect_api(get(&client, path, &query).await, 400, "PARAM_ERROR");
        assert!(e.message.contains(field), "{path}: {}", e.message);
    }
    let e = expect_api(
        client
            .request(wxpay_core::Method::Get, RETURN_ADVANCE)
            .path_param("refund_id", "5000002")
            .send::<Value>()
            .await,
        400,
        "PARAM_ERROR",
    );
    assert!(e.message.contains("sub_mchid"), "{}", e.message);

    // None of the refused requests created anything.
    expect_api(
        get(&client, AFTER_SALES, &[("sub_mchid", SUB_MCHID)]).await,
        404,
        "RESOURCE_NOT_EXISTS",
    );
    expect_api(
        get_advance(&client, "5000002", SUB_MCHID).await,
        404,
        "RESOURCE_NOT_EXISTS",
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn unknown_ids_are_resource_not_exists() {
    let sandbox = start(KeyMode::Certificate).await;
    let client = client(&sandbox);
    post(&client, AFTER_SALES, &after_sales("4200000004", 10))
        .await
        .unwrap();
    post_advance(&client, "5000003", &json!({"sub_mchid": SUB_MCHID}))
        .await
        .unwrap();

    let not_exists = [
        get(
            &client,
            AFTER_SALES,
            &[("sub_mchid", SUB_MCHID), ("transaction_id", "4200009999")],
        )
        .await,
        get(&client, AFTER_SALES, &[("sub_mchid", "1900000999")]).await,
        get_advance(&client, "5000999", SUB_MCHID).await,
        get_advance(&client, "5000003", "1900000999").await,
    ];
    for result in not_exists {
        expect_api(result, 404, "RESOURCE_NOT_EXISTS");
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn merchants_see_only_their_own_orders() {
    let sandbox = start(KeyMode::Certificate).await;
    let demo = client(&sandbox);
    post(&demo, AFTER_SALES, &after_sales("4200000005", 10))
        .await
        .unwrap();

    let key = wxpay_core::unstable::generate_private_key().unwrap();
    let merchant = Merchant::with_public_key(
        "1230000109",
        "0A1B2C3D4E5F",
        key.public_key().clone(),
        "abcdefghijklmnopqrstuvwxyz012345",
    )
    .unwrap();
    sandbox.register_merchant(merchant);
    let other = sandbox
        .client_builder()
        .mchid("1230000109")
        .merchant_serial("0A1B2C3D4E5F")
        .private_key(key)
        .build()
        .unwrap();
    let query = [("sub_mchid", SUB_MCHID), ("transaction_id", "4200000005")];
    expect_api(
        get(&other, AFTER_SALES, &query).await,
        404,
        "RESOURCE_NOT_EXISTS",
    );
    // The same transaction is a new split for another merchant.
    let created = post(&other, AFTER_SALES, &after_sales("4200000005", 99))
        .await
        .unwrap();
    assert_eq!(created["amount"], 99);
    assert_eq!(get(&demo, AFTER_SALES, &query).await.unwrap()["amount"], 10);
    sandbox.shutdown().await;
}
