//! Profit sharing with state: receivers, orders checked against the paid
//! transaction and what is left, PROCESSING → FINISHED with receivers
//! PENDING → SUCCESS | CLOSED, unfreezing, returns, WeChat's codes for
//! what does not exist, and `PROFITSHARING.*` notifications to merchant
//! receivers.

use std::time::Duration;

use serde_json::{json, Value};
use wxpay_apis::events::Event;
use wxpay_apis::profitsharing::orders::{
    CreateProfitSharingOrderReceiver, CreateProfitSharingOrderReceiverRequired,
    CreateProfitSharingOrderRequest, CreateProfitSharingOrderRequired,
    QueryProfitSharingOrderRequest, QueryProfitSharingOrderRequired,
};
use wxpay_apis::profitsharing::receivers::add::{
    AddProfitSharingReceiverRelationType, AddProfitSharingReceiverRequest,
    AddProfitSharingReceiverRequired,
};
use wxpay_apis::profitsharing::return_orders::{
    CreateProfitSharingReturnOrderRequest, CreateProfitSharingReturnOrderRequired,
    QueryProfitSharingReturnOrderRequest, QueryProfitSharingReturnOrderRequired, SharingOrder,
};
use wxpay_apis::profitsharing::transactions::amounts::QueryProfitSharingAmountsRequest;
use wxpay_apis::profitsharing::ProfitSharingReceiverType;
use wxpay_core::sensitive::Sensitive;
use wxpay_core::{Client, Method};
use wxpay_sandbox::{Merchant, ReceiverRef, Sandbox};

use super::{add_receiver, paid_shareable_order, receiving_merchant, RECEIVER_APIV3_KEY, SUB};
use crate::lifecycle::{started, Shop, OPENID};
use crate::support::{expect_api, get};

const APPID: &str = "wx8888888888888888";

/// A merchant receiver named `account`, added through the typed request.
async fn add_merchant_receiver(client: &Client, account: &str, sub_mchid: Option<&str>) {
    let mut request = AddProfitSharingReceiverRequest::new(AddProfitSharingReceiverRequired {
        account,
        appid: APPID,
        relation_type: AddProfitSharingReceiverRelationType::Partner,
        r#type: ProfitSharingReceiverType::MerchantId,
    });
    request.name = Some(Sensitive::new("深圳某某科技有限公司"));
    request.sub_mchid = sub_mchid;
    let added = request.send(client).await.expect("receiver added");
    assert_eq!(added.account, account);
    // WeChat returns the name encrypted for the merchant.
    let name = added.name.expect("the name comes back");
    assert_eq!(
        name.decrypt(client).unwrap().expose(),
        "深圳某某科技有限公司"
    );
}

async fn split(
    client: &Client,
    transaction_id: &str,
    out_order_no: &str,
    receivers: &[(ProfitSharingReceiverType, &str, i64)],
    unfreeze_unsplit: bool,
) -> Result<wxpay_apis::profitsharing::orders::CreateProfitSharingOrderResponse, wxpay_core::Error>
{
    let receivers: Vec<_> = receivers
        .iter()
        .map(|(kind, account, amount)| {
            CreateProfitSharingOrderReceiver::new(CreateProfitSharingOrderReceiverRequired {
                account,
                amount: *amount,
                description: "分给接收方",
                r#type: kind.clone(),
            })
        })
        .collect();
    let mut request = CreateProfitSharingOrderRequest::new(CreateProfitSharingOrderRequired {
        out_order_no,
        transaction_id,
        unfreeze_unsplit,
    });
    request.appid = Some(APPID);
    request.receivers = Some(&receivers);
    request.send(client).await
}

async fn query_order(client: &Client, out_order_no: &str, transaction_id: &str) -> Value {
    query_partner_order(client, out_order_no, transaction_id, None).await
}

async fn query_partner_order(
    client: &Client,
    out_order_no: &str,
    transaction_id: &str,
    sub_mchid: Option<&str>,
) -> Value {
    let mut request = QueryProfitSharingOrderRequest::new(QueryProfitSharingOrderRequired {
        out_order_no,
        transaction_id,
    });
    request.sub_mchid = sub_mchid;
    serde_json::to_value(request.send(client).await.expect("query")).unwrap()
}

/// Waits (bounded) until the order has settled; its query answer.
async fn finished(
    client: &Client,
    out_order_no: &str,
    transaction_id: &str,
    sub_mchid: Option<&str>,
) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let order = query_partner_order(client, out_order_no, transaction_id, sub_mchid).await;
        if order["state"] == "FINISHED" {
            return order;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{out_order_no} never finished: {order}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_split_settles_to_registered_receivers_within_what_was_paid() {
    let (sandbox, client) = started(Sandbox::builder()).await;
    let transaction_id = paid_shareable_order(&sandbox, &client, "PS-DIRECT-1", 1000, None).await;
    add_merchant_receiver(&client, "1900000110", None).await;
    let personal = add_receiver(
        &client,
        json!({"appid": APPID, "type": "PERSONAL_OPENID", "account": OPENID, "relation_type": "USER"}),
    )
    .await
    .expect("a personal receiver needs no name");
    assert!(personal.get("name").is_none() && personal.get("custom_relation").is_none());

    let created = split(
        &client,
        &transaction_id,
        "PS-ORDER-1",
        &[
            (ProfitSharingReceiverType::MerchantId, "1900000110", 300),
            (ProfitSharingReceiverType::PersonalOpenid, OPENID, 200),
        ],
        false,
    )
    .await
    .expect("split accepted");
    let created = serde_json::to_value(created).unwrap();
    assert_eq!(created["state"], "PROCESSING");
    assert_eq!(created["receivers"][0]["result"], "PENDING");
    assert!(created["order_id"].as_str().unwrap().starts_with("3008"));

    // It finishes (at once by default): both receivers SUCCESS.
    let finished = finished(&client, "PS-ORDER-1", &transaction_id, None).await;
    assert_eq!(finished["state"], "FINISHED");
    assert_eq!(finished["receivers"][0]["result"], "SUCCESS");
    assert_eq!(finished["receivers"][1]["result"], "SUCCESS");
    assert_eq!(
        finished["order_id"], created["order_id"],
        "the same order, not a canned one"
    );

    // 500 of 1000 shared: 500 left; asking for 501 is 403 NOT_ENOUGH.
    let left = QueryProfitSharingAmountsRequest::new(&transaction_id)
        .send(&client)
        .await
        .unwrap();
    assert_eq!(left.unsplit_amount, 500);
    let e = expect_api(
        split(
            &client,
            &transaction_id,
            "PS-ORDER-2",
            &[(ProfitSharingReceiverType::MerchantId, "1900000110", 501)],
            false,
        )
        .await,
        403,
        "NOT_ENOUGH",
    );
    assert!(e.message.contains("分账金额不足"), "{e}");
    // The same out_order_no again is the same order (等同一次).
    let again = split(
        &client,
        &transaction_id,
        "PS-ORDER-1",
        &[(ProfitSharingReceiverType::MerchantId, "1900000110", 300)],
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        serde_json::to_value(again).unwrap()["order_id"],
        created["order_id"]
    );

    // The rest, unfrozen to the merchant: nothing is left after that. (Raw:
    // wxpay-apis types this answer's fail_reason as always present, which
    // WeChat sends only for a CLOSED share; see the contract's list.)
    let unfrozen = client
        .request(Method::Post, "v3/profitsharing/orders/unfreeze")
        .json(json!({"transaction_id": transaction_id, "out_order_no": "PS-UNFREEZE-1", "description": "解冻全部剩余资金"}))
        .send::<Value>()
        .await
        .expect("unfreeze accepted");
    assert_eq!(unfrozen["receivers"][0]["amount"], 500);
    assert_eq!(
        unfrozen["receivers"][0]["account"],
        sandbox.merchant().mchid
    );
    assert_eq!(unfrozen["receivers"][0]["description"], "解冻给分账方");
    let left = QueryProfitSharingAmountsRequest::new(&transaction_id)
        .send(&client)
        .await
        .unwrap();
    assert_eq!(left.unsplit_amount, 0);
    let e = client
        .request(Method::Post, "v3/profitsharing/orders/unfreeze")
        .json(json!({"transaction_id": transaction_id, "out_order_no": "PS-UNFREEZE-2", "description": "again"}))
        .send::<Value>()
        .await;
    expect_api(e, 403, "NOT_ENOUGH");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn what_is_not_shareable_is_refused_with_wechats_codes() {
    let (sandbox, client) = started(Sandbox::builder()).await;
    // A made-up transaction, and one paid without settle_info.profit_sharing.
    let mut plain =
        crate::lifecycle::jsapi_order(&sandbox, "PS-PLAIN-1", 100, "http://127.0.0.1:9/n");
    plain["settle_info"] = json!({ "profit_sharing": false });
    crate::lifecycle::prepay(&client, "jsapi", &plain)
        .await
        .unwrap();
    let paid = sandbox
        .pay_order(&sandbox.merchant().mchid, "PS-PLAIN-1")
        .unwrap();
    let not_shareable = paid["transaction_id"].as_str().unwrap();
    for transaction_id in ["4208450740201411110007820472", not_shareable] {
        let e = expect_api(
            split(
                &client,
                transaction_id,
                "PS-X-1",
                &[(ProfitSharingReceiverType::MerchantId, "1900000110", 1)],
                true,
            )
            .await,
            400,
            "INVALID_REQUEST",
        );
        assert!(e.message.contains("非分账订单不支持分账"), "{e}");
    }
    // A receiver that was never added.
    let transaction_id = paid_shareable_order(&sandbox, &client, "PS-REAL-1", 100, None).await;
    let e = expect_api(
        split(
            &client,
            &transaction_id,
            "PS-X-2",
            &[(ProfitSharingReceiverType::MerchantId, "1900000110", 1)],
            false,
        )
        .await,
        400,
        "INVALID_REQUEST",
    );
    assert!(e.message.contains("分账接收方关系不存在"), "{e}");
    // 99,999,999 fen of a 100 fen order, even to the merchant itself.
    let own = sandbox.merchant().mchid.clone();
    expect_api(
        split(
            &client,
            &transaction_id,
            "PS-X-3",
            &[(ProfitSharingReceiverType::MerchantId, &own, 99_999_999)],
            true,
        )
        .await,
        403,
        "NOT_ENOUGH",
    );
    // Unknown orders and returns: 404 RESOURCE_NOT_EXISTS 记录不存在.
    let e = QueryProfitSharingOrderRequest::new(QueryProfitSharingOrderRequired {
        out_order_no: "NOPE",
        transaction_id: &transaction_id,
    })
    .send(&client)
    .await;
    let e = expect_api(e, 404, "RESOURCE_NOT_EXISTS");
    assert!(e.message.starts_with("记录不存在"), "{e}");
    let e = QueryProfitSharingReturnOrderRequest::new(QueryProfitSharingReturnOrderRequired {
        out_return_no: "NOPE",
        out_order_no: "NOPE",
    })
    .send(&client)
    .await;
    expect_api(e, 404, "RESOURCE_NOT_EXISTS");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn receivers_are_checked_as_wechat_documents_them() {
    let (sandbox, client) = started(Sandbox::builder()).await;
    let base = json!({"appid": APPID, "relation_type": "STORE"});
    let with = |extra: Value| {
        let mut body = base.clone();
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    // A merchant receiver needs its (encrypted) full name.
    let e = expect_api(
        add_receiver(
            &client,
            with(json!({"type": "MERCHANT_ID", "account": "1900000110"})),
        )
        .await,
        400,
        "PARAM_ERROR",
    );
    assert!(e.message.contains("`name`"), "{e}");
    // CUSTOM needs custom_relation; otherwise none is invented.
    let e = expect_api(
        add_receiver(
            &client,
            with(json!({"type": "PERSONAL_OPENID", "account": OPENID, "relation_type": "CUSTOM"})),
        )
        .await,
        400,
        "PARAM_ERROR",
    );
    assert!(e.message.contains("custom_relation"), "{e}");
    // PERSONAL_SUB_OPENID is a service provider's, with a sub_appid.
    expect_api(
        add_receiver(
            &client,
            with(json!({"type": "PERSONAL_SUB_OPENID", "account": OPENID})),
        )
        .await,
        400,
        "PARAM_ERROR",
    );
    // An unregistered sub-merchant: 受理关系不存在.
    let e = expect_api(
        add_receiver(
            &client,
            with(json!({"type": "PERSONAL_OPENID", "account": OPENID, "sub_mchid": "1900000999"})),
        )
        .await,
        400,
        "INVALID_REQUEST",
    );
    assert!(e.message.contains("受理关系不存在"), "{e}");
    // Deleting one that is not there.
    let e = client
        .request(Method::Post, "v3/profitsharing/receivers/delete")
        .json(json!({"appid": APPID, "type": "PERSONAL_OPENID", "account": "o-nobody"}))
        .send::<Value>()
        .await;
    expect_api(e, 400, "INVALID_REQUEST");

    // A service provider (not the demo merchant, which is both) must name
    // the sub-merchant.
    let key = wxpay_core::unstable::generate_private_key().unwrap();
    let sp = Merchant::with_public_key(
        "1900000100",
        "4B3D6F2A",
        key.public_key().clone(),
        "0123456789abcdef0123456789ABCDEF",
    )
    .unwrap()
    .with_sub_merchant("1900000777");
    sandbox.register_merchant(sp);
    let sp_client = sandbox
        .client_builder()
        .mchid("1900000100")
        .merchant_serial("4B3D6F2A")
        .private_key(key)
        .build()
        .unwrap();
    let e = expect_api(
        add_receiver(
            &sp_client,
            with(json!({"type": "PERSONAL_OPENID", "account": OPENID})),
        )
        .await,
        400,
        "PARAM_ERROR",
    );
    assert!(e.message.contains("受理机构必须传入sub_mchid"), "{e}");
    add_receiver(
        &sp_client,
        with(json!({"type": "PERSONAL_OPENID", "account": OPENID, "sub_mchid": "1900000777"})),
    )
    .await
    .expect("with its sub-merchant");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_receiver_set_to_fail_closes_with_its_reason_and_its_money_stays() {
    let (sandbox, client) = started(Sandbox::builder()).await;
    let mchid = sandbox.merchant().mchid.clone();
    let transaction_id =
        paid_shareable_order(&sandbox, &client, "PS-FAIL-1", 1000, Some(SUB)).await;
    add_merchant_receiver(&client, "1900000110", Some(SUB)).await;
    sandbox
        .set_receiver_outcome(
            &ReceiverRef::merchant(&mchid, "1900000110").of_sub_merchant(SUB),
            Some("ACCOUNT_ABNORMAL"),
        )
        .expect("receiver set to fail");
    let own_sub = SUB; // the sub-merchant itself may receive without being added
    let mut request = CreateProfitSharingOrderRequest::new(CreateProfitSharingOrderRequired {
        out_order_no: "PS-FAIL-ORDER",
        transaction_id: &transaction_id,
        unfreeze_unsplit: false,
    });
    let receivers = [
        CreateProfitSharingOrderReceiver::new(CreateProfitSharingOrderReceiverRequired {
            account: "1900000110",
            amount: 400,
            description: "分给商户",
            r#type: ProfitSharingReceiverType::MerchantId,
        }),
        CreateProfitSharingOrderReceiver::new(CreateProfitSharingOrderReceiverRequired {
            account: own_sub,
            amount: 100,
            description: "给自己",
            r#type: ProfitSharingReceiverType::MerchantId,
        }),
    ];
    request.sub_mchid = Some(SUB);
    request.receivers = Some(&receivers);
    request.send(&client).await.expect("split accepted");
    let finished = finished(&client, "PS-FAIL-ORDER", &transaction_id, Some(SUB)).await;
    assert_eq!(finished["sub_mchid"], SUB);
    assert_eq!(finished["state"], "FINISHED");
    assert_eq!(finished["receivers"][0]["result"], "CLOSED");
    assert_eq!(finished["receivers"][0]["fail_reason"], "ACCOUNT_ABNORMAL");
    assert_eq!(finished["receivers"][1]["result"], "SUCCESS");
    // The closed 400 is shareable again: 1000 - 100.
    let left: Value = get(
        &client,
        &format!("v3/profitsharing/transactions/{transaction_id}/amounts"),
        &[],
    )
    .await
    .unwrap();
    assert_eq!(left["unsplit_amount"], 900);
    // Nothing reached 1900000110, so nothing can come back from it.
    let mut back =
        CreateProfitSharingReturnOrderRequest::new(CreateProfitSharingReturnOrderRequired {
            amount: 100,
            description: "回退",
            order: SharingOrder::OutOrderNo("PS-FAIL-ORDER"),
            out_return_no: "R-FAIL-1",
            return_mchid: "1900000110",
        });
    back.sub_mchid = Some(SUB);
    let e = expect_api(back.send(&client).await, 400, "INVALID_REQUEST");
    assert!(e.message.contains("回退方不存在"), "{e}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn merchant_receivers_are_notified_of_shares_and_returns() {
    let (sandbox, client) = started(Sandbox::builder().time_scale(0.001)).await;
    let transaction_id = paid_shareable_order(&sandbox, &client, "PS-NOTE-1", 1000, None).await;
    // The receiving merchant's own endpoint, verifying with its own APIv3 key.
    let receiver = receiving_merchant(&sandbox);
    let shop = Shop::open_with_key(&receiver, RECEIVER_APIV3_KEY).await;
    assert!(sandbox.set_profit_sharing_notify_url("1900000110", Some(&shop.url)));
    add_merchant_receiver(&client, "1900000110", None).await;
    split(
        &client,
        &transaction_id,
        "PS-NOTE-ORDER",
        &[(ProfitSharingReceiverType::MerchantId, "1900000110", 600)],
        false,
    )
    .await
    .unwrap();
    let shared = shop.wait_for(1).await;
    assert_eq!(shared[0].event_type(), "PROFITSHARING.SUCCESS");
    match &shop.events()[0] {
        Event::ProfitSharing(share) => {
            assert_eq!(share.receiver.r#type, ProfitSharingReceiverType::MerchantId);
            assert_eq!(
                (share.receiver.amount, share.out_order_no.as_str()),
                (600, "PS-NOTE-ORDER")
            );
            assert_eq!(
                share.mchid.as_deref(),
                Some(sandbox.merchant().mchid.as_str())
            );
        }
        other => panic!("PROFITSHARING.SUCCESS decoded as {other:?}"),
    }
    let resource = &shared[0].resource;
    assert_eq!(resource["mchid"], sandbox.merchant().mchid);
    assert_eq!(resource["transaction_id"], transaction_id);
    assert_eq!(resource["out_order_no"], "PS-NOTE-ORDER");
    assert_eq!(
        resource["receiver"],
        json!({"type": "MERCHANT_ID", "account": "1900000110", "amount": 600, "description": "分给接收方"})
    );

    // 250 back from the receiver: synchronous SUCCESS, and notified too.
    let back = CreateProfitSharingReturnOrderRequest::new(CreateProfitSharingReturnOrderRequired {
        amount: 250,
        description: "用户退款",
        order: SharingOrder::OutOrderNo("PS-NOTE-ORDER"),
        out_return_no: "R-NOTE-1",
        return_mchid: "1900000110",
    });
    let returned = serde_json::to_value(back.send(&client).await.unwrap()).unwrap();
    assert_eq!(returned["result"], "SUCCESS");
    let notes = shop.wait_for(2).await;
    assert_eq!(notes[1].event_type(), "PROFITSHARING.RETURN");
    match &shop.events()[1] {
        Event::ProfitSharing(back) => assert_eq!(back.receiver.amount, 250),
        other => panic!("PROFITSHARING.RETURN decoded as {other:?}"),
    }
    assert_eq!(notes[1].resource["order_id"], returned["return_id"]);
    assert_eq!(notes[1].resource["receiver"]["amount"], 250);
    // At most what it got: 350 more is too much.
    let more = CreateProfitSharingReturnOrderRequest::new(CreateProfitSharingReturnOrderRequired {
        amount: 351,
        description: "再退",
        order: SharingOrder::OutOrderNo("PS-NOTE-ORDER"),
        out_return_no: "R-NOTE-2",
        return_mchid: "1900000110",
    });
    expect_api(more.send(&client).await, 400, "INVALID_REQUEST");
    let queried =
        QueryProfitSharingReturnOrderRequest::new(QueryProfitSharingReturnOrderRequired {
            out_return_no: "R-NOTE-1",
            out_order_no: "PS-NOTE-ORDER",
        })
        .send(&client)
        .await
        .unwrap();
    assert_eq!(queried.return_id, returned["return_id"].as_str().unwrap());
    // The log shows the receiving merchant was notified.
    let log = sandbox.notification_attempts();
    assert!(log
        .iter()
        .any(|a| a.mchid == "1900000110" && a.event_type == "PROFITSHARING.RETURN"));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn orders_can_wait_for_the_control_api_to_settle_them() {
    let (sandbox, client) = started(Sandbox::builder().profit_sharing_settle_after(None)).await;
    let mchid = sandbox.merchant().mchid.clone();
    let transaction_id = paid_shareable_order(&sandbox, &client, "PS-MANUAL-1", 100, None).await;
    split(
        &client,
        &transaction_id,
        "PS-MANUAL-ORDER",
        &[(ProfitSharingReceiverType::MerchantId, &mchid, 10)],
        false,
    )
    .await
    .unwrap();
    // Left alone a while, it stays PROCESSING.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        query_order(&client, "PS-MANUAL-ORDER", &transaction_id).await["state"],
        "PROCESSING"
    );
    let (status, settled) = crate::lifecycle::control(
        &sandbox,
        reqwest::Method::POST,
        "sandbox/profitsharing/orders/settle",
        Some(json!({"mchid": mchid, "out_order_no": "PS-MANUAL-ORDER"})),
    )
    .await;
    assert_eq!((status, settled["state"].as_str()), (200, Some("FINISHED")));
    assert_eq!(
        query_order(&client, "PS-MANUAL-ORDER", &transaction_id).await["state"],
        "FINISHED"
    );
    sandbox.shutdown().await;
}
