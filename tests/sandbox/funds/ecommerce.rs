//! The e-commerce platform's profit sharing (电商收付通分账) with state,
//! through the typed requests of `wxpay_apis::ecommerce::profitsharing`: the
//! platform's receivers, splits of a second-level merchant's paid order
//! (a partner order made with `settle_info.profit_sharing`) checked against
//! what is left, PROCESSING → FINISHED, finish-order giving the rest back,
//! WeChat's codes for what does not exist, sealed names, and the same
//! `PROFITSHARING.SUCCESS` notifications as the partner family. Returns
//! from these splits: `ecommerce_returns`.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wxpay_apis::ecommerce::profitsharing::finish_order::{
    FinishOrderProfitsharingRequest, FinishOrderProfitsharingRequired,
};
use wxpay_apis::ecommerce::profitsharing::orders::amounts::QueryProfitsharingOrdersAmountsRequest;
use wxpay_apis::ecommerce::profitsharing::orders::{
    CreateProfitsharingOrdersReceiver, CreateProfitsharingOrdersReceiverRequired,
    CreateProfitsharingOrdersRequest, CreateProfitsharingOrdersRequired,
    QueryProfitsharingOrdersRequest, QueryProfitsharingOrdersRequired,
};
use wxpay_apis::ecommerce::profitsharing::receivers::add::{
    AddProfitsharingReceiversRelationType, AddProfitsharingReceiversRequest,
    AddProfitsharingReceiversRequired,
};
use wxpay_apis::ecommerce::profitsharing::receivers::delete::{
    DeleteProfitsharingReceiversRequest, DeleteProfitsharingReceiversRequired,
};
use wxpay_apis::ecommerce::profitsharing::ProfitsharingReceiverType as Kind;
use wxpay_core::sensitive::Sensitive;
use wxpay_core::{Client, Method};
use wxpay_sandbox::{ReceiverRef, Sandbox};

use super::{paid_shareable_order, receiving_merchant, RECEIVER_APIV3_KEY, SUB};
use crate::lifecycle::{started, Shop, OPENID};
use crate::support::expect_api;

pub(super) const APPID: &str = "wx8888888888888888";
const ORDERS: &str = "v3/ecommerce/profitsharing/orders";
/// A merchant receiver on the platform's list.
pub(super) const PARTNER_SHOP: &str = "1900000110";

/// Adds a receiver to the platform's list through the typed request: a
/// merchant with its full name, a person with their name sealed.
pub(super) async fn add_platform_receiver(client: &Client, kind: Kind, account: &str) {
    let mut request = AddProfitsharingReceiversRequest::new(AddProfitsharingReceiversRequired {
        account,
        appid: APPID,
        relation_type: AddProfitsharingReceiversRelationType::Distributor,
        r#type: kind.clone(),
    });
    match kind {
        Kind::MerchantId => request.name = Some("深圳某某科技有限公司"),
        _ => request.encrypted_name = Some(Sensitive::new("张三")),
    }
    let added = request.send(client).await.expect("receiver added");
    assert_eq!((added.account.as_str(), added.r#type), (account, kind));
}

/// A split of the second-level merchant's transaction, through the typed request.
pub(super) async fn split(
    client: &Client,
    transaction_id: &str,
    out_order_no: &str,
    receivers: &[(Kind, &str, i64)],
    finish: bool,
) -> Result<Value, wxpay_core::Error> {
    let receivers: Vec<_> = receivers
        .iter()
        .map(|(kind, account, amount)| {
            let mut receiver =
                CreateProfitsharingOrdersReceiver::new(CreateProfitsharingOrdersReceiverRequired {
                    amount: *amount,
                    description: "平台抽成",
                    receiver_account: account,
                    r#type: kind.clone(),
                });
            if *kind == Kind::PersonalOpenid {
                receiver.receiver_name = Some(Sensitive::new("张三"));
            }
            receiver
        })
        .collect();
    let mut request = CreateProfitsharingOrdersRequest::new(CreateProfitsharingOrdersRequired {
        finish,
        out_order_no,
        receivers: &receivers,
        sub_mchid: SUB,
        transaction_id,
    });
    request.appid = Some(APPID);
    let created = request.send(client).await?;
    Ok(serde_json::to_value(created).unwrap())
}

pub(super) async fn query(
    client: &Client,
    transaction_id: &str,
    out_order_no: &str,
) -> Result<Value, wxpay_core::Error> {
    let answer = QueryProfitsharingOrdersRequest::new(QueryProfitsharingOrdersRequired {
        sub_mchid: SUB,
        transaction_id,
        out_order_no,
    })
    .send(client)
    .await?;
    Ok(serde_json::to_value(answer).unwrap())
}

/// Waits (bounded) until the order has settled; its query answer.
pub(super) async fn finished(client: &Client, transaction_id: &str, out_order_no: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let order = query(client, transaction_id, out_order_no)
            .await
            .expect("query");
        if order["status"] == "FINISHED" {
            return order;
        }
        assert!(
            Instant::now() < deadline,
            "{out_order_no} never finished: {order}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

pub(super) async fn unsplit(client: &Client, transaction_id: &str) -> i64 {
    QueryProfitsharingOrdersAmountsRequest::new(transaction_id)
        .send(client)
        .await
        .expect("amounts")
        .unsplit_amount
}

#[tokio::test]
async fn a_platform_split_settles_and_finish_order_gives_the_rest_back() {
    let (sandbox, client) = started(Sandbox::builder()).await;
    let transaction_id =
        paid_shareable_order(&sandbox, &client, "EC-PAID-1", 1000, Some(SUB)).await;
    add_platform_receiver(&client, Kind::MerchantId, PARTNER_SHOP).await;
    add_platform_receiver(&client, Kind::PersonalOpenid, OPENID).await;

    let created = split(
        &client,
        &transaction_id,
        "EC-SPLIT-1",
        &[
            (Kind::MerchantId, PARTNER_SHOP, 300),
            (Kind::PersonalOpenid, OPENID, 200),
        ],
        false,
    )
    .await
    .expect("split accepted");
    assert_eq!(created["status"], "PROCESSING");
    assert_eq!(created["sub_mchid"], SUB);
    assert_eq!(created["receivers"][0]["result"], "PENDING");
    assert_eq!(created["receivers"][0]["receiver_account"], PARTNER_SHOP);

    let done = finished(&client, &transaction_id, "EC-SPLIT-1").await;
    assert_eq!(
        done["order_id"], created["order_id"],
        "the order made, not a canned one"
    );
    assert_eq!(done["receivers"][0]["result"], "SUCCESS");
    assert_eq!(done["receivers"][0]["receiver_mchid"], PARTNER_SHOP);
    assert_eq!(done["receivers"][1]["result"], "SUCCESS");
    assert!(done.get("finish_amount").is_none());

    // 500 of 1000 shared: 500 left, and 501 is too much (403 NOT_ENOUGH).
    assert_eq!(unsplit(&client, &transaction_id).await, 500);
    let e = expect_api(
        split(
            &client,
            &transaction_id,
            "EC-SPLIT-2",
            &[(Kind::MerchantId, PARTNER_SHOP, 501)],
            false,
        )
        .await,
        403,
        "NOT_ENOUGH",
    );
    assert!(e.message.contains("分账金额不足"), "{e}");

    // Finishing gives the 500 left to the second-level merchant.
    let finish = FinishOrderProfitsharingRequest::new(FinishOrderProfitsharingRequired {
        description: "分账完结",
        out_order_no: "EC-FINISH-1",
        sub_mchid: SUB,
        transaction_id: &transaction_id,
    })
    .send(&client)
    .await
    .expect("finish accepted");
    assert_eq!(
        (finish.out_order_no.as_str(), finish.sub_mchid.as_str()),
        ("EC-FINISH-1", SUB)
    );
    let rest = finished(&client, &transaction_id, "EC-FINISH-1").await;
    assert_eq!(rest["order_id"], finish.order_id);
    assert_eq!(rest["finish_amount"], 500);
    assert_eq!(rest["finish_description"], "分账完结");
    assert!(rest.get("receivers").is_none(), "{rest}");
    assert_eq!(unsplit(&client, &transaction_id).await, 0);
    expect_api(
        split(
            &client,
            &transaction_id,
            "EC-SPLIT-3",
            &[(Kind::MerchantId, PARTNER_SHOP, 1)],
            false,
        )
        .await,
        403,
        "NOT_ENOUGH",
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn finish_true_gives_the_rest_back_with_the_split() {
    let (sandbox, client) = started(Sandbox::builder()).await;
    let transaction_id = paid_shareable_order(&sandbox, &client, "EC-PAID-2", 100, Some(SUB)).await;
    add_platform_receiver(&client, Kind::MerchantId, PARTNER_SHOP).await;
    split(
        &client,
        &transaction_id,
        "EC-ALL-1",
        &[(Kind::MerchantId, PARTNER_SHOP, 30)],
        true,
    )
    .await
    .expect("split accepted");
    let done = finished(&client, &transaction_id, "EC-ALL-1").await;
    assert_eq!(done["receivers"].as_array().map(Vec::len), Some(1));
    assert_eq!(done["finish_amount"], 70);
    assert_eq!(unsplit(&client, &transaction_id).await, 0);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn what_the_platform_cannot_share_is_refused_with_wechats_codes() {
    let (sandbox, client) = started(Sandbox::builder()).await;
    let transaction_id = paid_shareable_order(&sandbox, &client, "EC-PAID-3", 100, Some(SUB)).await;

    // Unknown order: 404 RESOURCE_NOT_EXISTS 记录不存在.
    let e = expect_api(
        query(&client, &transaction_id, "EC-NOPE").await,
        404,
        "RESOURCE_NOT_EXISTS",
    );
    assert!(e.message.starts_with("记录不存在"), "{e}");

    // A receiver the platform never added; one added for the sub-merchant
    // through the partner family is not on the platform's list either.
    super::add_receiver(
        &client,
        json!({"sub_mchid": SUB, "appid": APPID, "type": "PERSONAL_OPENID",
               "account": OPENID, "relation_type": "USER"}),
    )
    .await
    .expect("a partner receiver");
    for (kind, account) in [
        (Kind::MerchantId, PARTNER_SHOP),
        (Kind::PersonalOpenid, OPENID),
    ] {
        let e = expect_api(
            split(
                &client,
                &transaction_id,
                "EC-X-1",
                &[(kind, account, 1)],
                false,
            )
            .await,
            400,
            "INVALID_REQUEST",
        );
        assert!(e.message.contains("分账接收方关系不存在"), "{e}");
    }
    // The second-level merchant itself may receive without being added.
    split(
        &client,
        &transaction_id,
        "EC-SELF-1",
        &[(Kind::MerchantId, SUB, 1)],
        false,
    )
    .await
    .expect("the payer receives");

    // A transaction that is not this second-level merchant's shareable one.
    let e = expect_api(
        split(
            &client,
            "4208450740201411110007820472",
            "EC-X-2",
            &[(Kind::MerchantId, SUB, 1)],
            false,
        )
        .await,
        400,
        "INVALID_REQUEST",
    );
    assert!(e.message.contains("非分账订单不支持分账"), "{e}");

    // receiver_name is sealed for the platform key, never plain text.
    let (serial, _) = client.encrypt_sensitive("x").unwrap();
    let plain = client
        .request(Method::Post, ORDERS)
        .header("Wechatpay-Serial", serial)
        .json(json!({
            "appid": APPID, "sub_mchid": SUB, "transaction_id": transaction_id,
            "out_order_no": "EC-X-3", "finish": false,
            "receivers": [{"type": "PERSONAL_OPENID", "receiver_account": OPENID,
                           "amount": 1, "description": "d", "receiver_name": "张三"}],
        }))
        .send::<Value>()
        .await;
    let e = expect_api(plain, 400, "PARAM_ERROR");
    assert!(e.message.starts_with("平台私钥解密失败"), "{e}");
    assert_eq!(
        e.detail.expect("names the field")["field"],
        "/receivers/0/receiver_name"
    );

    // A merchant receiver needs its full name (商户全称, 必传).
    let unnamed = client
        .request(Method::Post, "v3/ecommerce/profitsharing/receivers/add")
        .header("Wechatpay-Serial", sandbox.platform_serial())
        .json(
            json!({"appid": APPID, "type": "MERCHANT_ID", "account": PARTNER_SHOP,
                     "relation_type": "SUPPLIER"}),
        )
        .send::<Value>()
        .await;
    let e = expect_api(unnamed, 400, "PARAM_ERROR");
    assert!(e.message.contains("`name`"), "{e}");

    // Deleted, a receiver can no longer be shared to; deleting again is refused.
    add_platform_receiver(&client, Kind::MerchantId, PARTNER_SHOP).await;
    let delete = || {
        DeleteProfitsharingReceiversRequest::new(DeleteProfitsharingReceiversRequired {
            account: PARTNER_SHOP,
            appid: APPID,
            r#type: Kind::MerchantId,
        })
    };
    delete().send(&client).await.expect("deleted");
    expect_api(delete().send(&client).await, 400, "INVALID_REQUEST");
    expect_api(
        split(
            &client,
            &transaction_id,
            "EC-X-4",
            &[(Kind::MerchantId, PARTNER_SHOP, 1)],
            false,
        )
        .await,
        400,
        "INVALID_REQUEST",
    );
    // A second-level merchant the platform does not have.
    let e = expect_api(
        QueryProfitsharingOrdersRequest::new(QueryProfitsharingOrdersRequired {
            sub_mchid: "1900000999",
            transaction_id: &transaction_id,
            out_order_no: "EC-SELF-1",
        })
        .send(&client)
        .await,
        400,
        "INVALID_REQUEST",
    );
    assert!(e.message.contains("受理关系不存在"), "{e}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn platform_receivers_close_as_set_and_merchants_are_notified() {
    let (sandbox, client) = started(Sandbox::builder().time_scale(0.001)).await;
    let platform = sandbox.merchant().mchid.clone();
    let transaction_id =
        paid_shareable_order(&sandbox, &client, "EC-PAID-4", 1000, Some(SUB)).await;
    let receiver = receiving_merchant(&sandbox);
    let shop = Shop::open_with_key(&receiver, RECEIVER_APIV3_KEY).await;
    assert!(sandbox.set_profit_sharing_notify_url(PARTNER_SHOP, Some(&shop.url)));
    add_platform_receiver(&client, Kind::MerchantId, PARTNER_SHOP).await;
    add_platform_receiver(&client, Kind::PersonalOpenid, OPENID).await;
    // The platform's person is set to fail: that share closes, its money stays.
    sandbox
        .set_receiver_outcome(&ReceiverRef::openid(&platform, OPENID), Some("NO_RELATION"))
        .expect("receiver set to fail");
    split(
        &client,
        &transaction_id,
        "EC-NOTE-1",
        &[
            (Kind::MerchantId, PARTNER_SHOP, 400),
            (Kind::PersonalOpenid, OPENID, 100),
        ],
        false,
    )
    .await
    .expect("split accepted");
    let done = finished(&client, &transaction_id, "EC-NOTE-1").await;
    assert_eq!(done["receivers"][0]["result"], "SUCCESS");
    assert_eq!(done["receivers"][1]["result"], "CLOSED");
    assert_eq!(done["receivers"][1]["fail_reason"], "NO_RELATION");
    assert_eq!(unsplit(&client, &transaction_id).await, 600);

    let notes = shop.wait_for(1).await;
    assert_eq!(notes[0].event_type(), "PROFITSHARING.SUCCESS");
    let resource = &notes[0].resource;
    assert_eq!(
        (
            resource["sp_mchid"].as_str(),
            resource["sub_mchid"].as_str()
        ),
        (Some(platform.as_str()), Some(SUB))
    );
    assert_eq!(resource["out_order_no"], "EC-NOTE-1");
    assert_eq!(resource["order_id"], done["order_id"]);
    assert_eq!(resource["receiver"]["amount"], 400);
    sandbox.shutdown().await;
}
