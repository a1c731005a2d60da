//! The e-commerce platform's returns (分账回退,
//! `v3/ecommerce/profitsharing/returnorders`) acting on real splits,
//! through the typed requests of `wxpay_apis`: what comes back from a
//! merchant receiver is taken from what it got and shows in the return's
//! queries; more than is left, a person's share, a receiver that got
//! nothing, a split not settled yet and numbers never made are refused with
//! WeChat's codes; the receiving merchant is told (`PROFITSHARING.RETURN`).

use serde_json::{json, Value};
use wxpay_apis::ecommerce::profitsharing::returnorders::{
    CreateReturnOrderRequest, CreateReturnOrderRequired, QueryReturnOrderRequest,
    QueryReturnOrderRequired, ReturnFailReason, ReturnResult, SharingOrder,
};
use wxpay_apis::ecommerce::profitsharing::ProfitsharingReceiverType as Kind;
use wxpay_core::{Client, Error};
use wxpay_sandbox::{ReceiverRef, Sandbox};

use super::ecommerce::{add_platform_receiver, finished, query, split, PARTNER_SHOP};
use super::{paid_shareable_order, receiving_merchant, RECEIVER_APIV3_KEY, SUB};
use crate::lifecycle::{started, Shop, OPENID};
use crate::support::{expect_api, get, post};

const RETURN_ORDERS: &str = "v3/ecommerce/profitsharing/returnorders";

/// A return from `return_mchid` of the order `order` names, through the
/// typed request.
async fn give_back(
    client: &Client,
    order: SharingOrder<'_>,
    out_return_no: &str,
    return_mchid: &str,
    amount: i64,
) -> Result<Value, Error> {
    let answer = CreateReturnOrderRequest::new(CreateReturnOrderRequired {
        sub_mchid: SUB,
        order,
        out_return_no,
        return_mchid,
        amount,
        description: "用户退款",
    })
    .send(client)
    .await?;
    assert_eq!(answer.out_return_no, out_return_no);
    Ok(serde_json::to_value(answer).unwrap())
}

async fn query_return(
    client: &Client,
    order: SharingOrder<'_>,
    out_return_no: &str,
) -> Result<Value, Error> {
    let answer = QueryReturnOrderRequest::new(QueryReturnOrderRequired {
        sub_mchid: SUB,
        order,
        out_return_no,
    })
    .send(client)
    .await?;
    Ok(serde_json::to_value(answer).unwrap())
}

/// A settled split of `EC-RET-…`: 300 to the platform's merchant receiver,
/// 200 to its person; the split's query answer.
async fn settled_split(sandbox: &Sandbox, client: &Client, tag: &str) -> Value {
    let transaction_id = paid_shareable_order(
        sandbox,
        client,
        &format!("EC-RET-PAID-{tag}"),
        1000,
        Some(SUB),
    )
    .await;
    add_platform_receiver(client, Kind::MerchantId, PARTNER_SHOP).await;
    add_platform_receiver(client, Kind::PersonalOpenid, OPENID).await;
    let out_order_no = format!("EC-RET-SPLIT-{tag}");
    split(
        client,
        &transaction_id,
        &out_order_no,
        &[
            (Kind::MerchantId, PARTNER_SHOP, 300),
            (Kind::PersonalOpenid, OPENID, 200),
        ],
        false,
    )
    .await
    .expect("split accepted");
    finished(client, &transaction_id, &out_order_no).await
}

fn text<'a>(value: &'a Value, name: &str) -> &'a str {
    value[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name}: {value}"))
}

#[tokio::test]
async fn a_return_takes_back_part_of_what_the_receiver_got_and_shows_in_its_queries() {
    let (sandbox, client) = started(Sandbox::builder().time_scale(0.001)).await;
    let platform = sandbox.merchant().mchid.clone();
    let receiver = receiving_merchant(&sandbox);
    let shop = Shop::open_with_key(&receiver, RECEIVER_APIV3_KEY).await;
    assert!(sandbox.set_profit_sharing_notify_url(PARTNER_SHOP, Some(&shop.url)));
    let done = settled_split(&sandbox, &client, "1").await;
    let (order_id, out_order_no) = (text(&done, "order_id"), text(&done, "out_order_no"));
    shop.wait_for(1).await; // PROFITSHARING.SUCCESS of the 300

    // 120 of the 300 back, by WeChat's order number: synchronous SUCCESS.
    let back = give_back(
        &client,
        SharingOrder::OrderId(order_id),
        "EC-R-1",
        PARTNER_SHOP,
        120,
    )
    .await
    .expect("return accepted");
    assert_eq!(back["result"], "SUCCESS");
    assert_eq!(back["amount"], 120);
    assert_eq!(back["sub_mchid"], SUB);
    assert_eq!(back["return_mchid"], PARTNER_SHOP);
    assert_eq!(
        (back["order_id"].as_str(), back["out_order_no"].as_str()),
        (Some(order_id), Some(out_order_no)),
        "the split made, not a canned one"
    );
    let return_no = text(&back, "return_no").to_owned();
    assert!(
        return_no.len() == 28 && return_no.bytes().all(|b| b.is_ascii_digit()),
        "{return_no}"
    );
    assert!(back.get("fail_reason").is_none(), "{back}");

    // Queried back by either number of the split.
    for order in [
        SharingOrder::OutOrderNo(out_order_no),
        SharingOrder::OrderId(order_id),
    ] {
        let queried = query_return(&client, order, "EC-R-1").await.expect("found");
        assert_eq!(queried, back);
    }
    // The same out_return_no again is the same return, never a second one...
    let again = give_back(
        &client,
        SharingOrder::OutOrderNo(out_order_no),
        "EC-R-1",
        PARTNER_SHOP,
        120,
    )
    .await
    .expect("the same return");
    assert_eq!(again["return_no"], return_no.as_str());
    // ... and never for another amount.
    let e = expect_api(
        give_back(
            &client,
            SharingOrder::OrderId(order_id),
            "EC-R-1",
            PARTNER_SHOP,
            121,
        )
        .await,
        400,
        "INVALID_REQUEST",
    );
    assert!(e.message.contains("`amount`"), "{e}");

    // What the receiver got is now 180: exactly that can still come back,
    // and then nothing (剩余可回退的金额不足).
    let e = expect_api(
        give_back(
            &client,
            SharingOrder::OrderId(order_id),
            "EC-R-2",
            PARTNER_SHOP,
            181,
        )
        .await,
        400,
        "INVALID_REQUEST",
    );
    assert!(e.message.contains("剩余可回退的金额不足"), "{e}");
    let rest = give_back(
        &client,
        SharingOrder::OutOrderNo(out_order_no),
        "EC-R-2",
        PARTNER_SHOP,
        180,
    )
    .await
    .expect("the rest comes back");
    assert_eq!(rest["result"], "SUCCESS");
    let e = expect_api(
        give_back(
            &client,
            SharingOrder::OrderId(order_id),
            "EC-R-3",
            PARTNER_SHOP,
            1,
        )
        .await,
        400,
        "INVALID_REQUEST",
    );
    assert!(e.message.contains("剩余可回退的金额不足"), "{e}");
    // Both returns answer their own queries; the split's query is WeChat's
    // record of the split and stays as it was.
    let second = query_return(&client, SharingOrder::OrderId(order_id), "EC-R-2")
        .await
        .unwrap();
    assert_eq!(
        (second["amount"].as_i64(), second["result"].as_str()),
        (Some(180), Some("SUCCESS"))
    );
    let transaction_id = text(&done, "transaction_id");
    assert_eq!(
        query(&client, transaction_id, out_order_no).await.unwrap(),
        done
    );

    // The receiving merchant is told of each, as the second-level
    // merchant's service provider's (sp_mchid + sub_mchid).
    let notes = shop.wait_for(3).await;
    let returns: Vec<_> = notes
        .iter()
        .filter(|n| n.event_type() == "PROFITSHARING.RETURN")
        .collect();
    assert_eq!(returns.len(), 2);
    let first = &returns[0].resource;
    assert_eq!(
        (first["sp_mchid"].as_str(), first["sub_mchid"].as_str()),
        (Some(platform.as_str()), Some(SUB))
    );
    assert_eq!(first["order_id"], return_no.as_str());
    assert_eq!(first["out_order_no"], "EC-R-1");
    assert_eq!(first["receiver"]["amount"], 120);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn what_cannot_come_back_is_refused_with_wechats_codes() {
    let (sandbox, client) = started(Sandbox::builder()).await;
    let done = settled_split(&sandbox, &client, "2").await;
    let order_id = text(&done, "order_id");
    let by_id = || SharingOrder::OrderId(order_id);

    // More than the receiver got.
    let e = expect_api(
        give_back(&client, by_id(), "EC-X-1", PARTNER_SHOP, 301).await,
        400,
        "INVALID_REQUEST",
    );
    assert!(e.message.contains("剩余可回退的金额不足"), "{e}");
    // From a person (分账回退不支持回退给个人).
    let e = expect_api(
        give_back(&client, by_id(), "EC-X-2", OPENID, 1).await,
        400,
        "INVALID_REQUEST",
    );
    assert!(e.message.contains("分账给个人"), "{e}");
    // From a merchant that got nothing of this split.
    let e = expect_api(
        give_back(&client, by_id(), "EC-X-3", "1900000120", 1).await,
        400,
        "INVALID_REQUEST",
    );
    assert!(e.message.contains("回退方不存在"), "{e}");
    // A split the platform never made: 404 RESOURCE_NOT_EXISTS.
    let e = expect_api(
        give_back(
            &client,
            SharingOrder::OutOrderNo("EC-NOPE"),
            "EC-X-4",
            PARTNER_SHOP,
            1,
        )
        .await,
        404,
        "RESOURCE_NOT_EXISTS",
    );
    assert!(e.message.contains("分账指令不存在"), "{e}");

    // A return never made, or made for another split: 404 记录不存在.
    give_back(&client, by_id(), "EC-OK-1", PARTNER_SHOP, 1)
        .await
        .expect("a return");
    for (order, out_return_no) in [
        (by_id(), "EC-R-NOPE"),
        (SharingOrder::OutOrderNo("EC-OTHER"), "EC-OK-1"),
    ] {
        let e = expect_api(
            query_return(&client, order, out_return_no).await,
            404,
            "RESOURCE_NOT_EXISTS",
        );
        assert!(e.message.starts_with("记录不存在"), "{e}");
    }
    // None of the refused returns was made.
    for refused in ["EC-X-1", "EC-X-2", "EC-X-3", "EC-X-4"] {
        expect_api(
            query_return(&client, by_id(), refused).await,
            404,
            "RESOURCE_NOT_EXISTS",
        );
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn only_a_settled_share_comes_back_and_a_failing_receiver_answers_fail() {
    let (sandbox, client) = started(Sandbox::builder().profit_sharing_settle_after(None)).await;
    let platform = sandbox.merchant().mchid.clone();
    let transaction_id =
        paid_shareable_order(&sandbox, &client, "EC-RET-PAID-3", 100, Some(SUB)).await;
    add_platform_receiver(&client, Kind::MerchantId, PARTNER_SHOP).await;
    let created = split(
        &client,
        &transaction_id,
        "EC-RET-SPLIT-3",
        &[(Kind::MerchantId, PARTNER_SHOP, 50)],
        false,
    )
    .await
    .expect("split accepted");
    let by_no = || SharingOrder::OutOrderNo("EC-RET-SPLIT-3");
    // PROCESSING: the share has not reached the receiver yet.
    assert_eq!(created["status"], "PROCESSING");
    let e = expect_api(
        give_back(&client, by_no(), "EC-P-1", PARTNER_SHOP, 10).await,
        400,
        "INVALID_REQUEST",
    );
    assert!(e.message.contains("回退方不存在"), "{e}");
    sandbox
        .settle_profit_sharing(&platform, "EC-RET-SPLIT-3")
        .expect("settled");

    // The receiver's account set to fail: the return answers FAIL with
    // ACCOUNT_ABNORMAL, and takes nothing.
    sandbox
        .set_receiver_outcome(
            &ReceiverRef::merchant(&platform, PARTNER_SHOP),
            Some("ACCOUNT_ABNORMAL"),
        )
        .expect("receiver set to fail");
    let failed = CreateReturnOrderRequest::new(CreateReturnOrderRequired {
        sub_mchid: SUB,
        order: by_no(),
        out_return_no: "EC-P-2",
        return_mchid: PARTNER_SHOP,
        amount: 50,
        description: "用户退款",
    })
    .send(&client)
    .await
    .expect("answered");
    assert_eq!(failed.result, ReturnResult::Fail);
    assert_eq!(failed.fail_reason, Some(ReturnFailReason::AccountAbnormal));
    sandbox
        .set_receiver_outcome(&ReceiverRef::merchant(&platform, PARTNER_SHOP), None)
        .expect("receiver succeeds again");
    let back = give_back(&client, by_no(), "EC-P-3", PARTNER_SHOP, 50)
        .await
        .expect("all 50 come back");
    assert_eq!(back["result"], "SUCCESS");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn missing_and_invalid_fields_are_named_in_param_errors() {
    let (sandbox, client) = started(Sandbox::builder()).await;
    let body = json!({
        "sub_mchid": SUB, "order_id": "3008450740201411110007820472",
        "out_return_no": "EC-V-1", "return_mchid": PARTNER_SHOP,
        "amount": 10, "description": "分账回退",
    });
    let without = |field: &str| {
        let mut body = body.clone();
        body.as_object_mut().unwrap().remove(field);
        body
    };
    let with = |field: &str, value: Value| {
        let mut body = body.clone();
        body[field] = value;
        body
    };
    let mut cases: Vec<(Value, &str)> = [
        "amount",
        "description",
        "out_return_no",
        "return_mchid",
        "sub_mchid",
    ]
    .into_iter()
    .map(|field| (without(field), field))
    .collect();
    cases.extend([
        (with("amount", json!(10.5)), "amount"),
        (with("amount", json!(0)), "amount"),
        (with("amount", json!(-3)), "amount"),
        (with("out_return_no", json!("")), "out_return_no"),
        (with("description", Value::Null), "description"),
        // Neither number of the split (二选一).
        (without("order_id"), "order_id"),
    ]);
    for (body, field) in cases {
        let e = expect_api(
            post(&client, RETURN_ORDERS, &body).await,
            400,
            "PARAM_ERROR",
        );
        assert!(e.message.contains(field), "without/with bad {field}: {e}");
    }
    for (query, field) in [
        (
            vec![("out_return_no", "EC-V-1"), ("order_id", "1")],
            "sub_mchid",
        ),
        (vec![("sub_mchid", SUB), ("order_id", "1")], "out_return_no"),
        (
            vec![("sub_mchid", SUB), ("out_return_no", "EC-V-1")],
            "order_id",
        ),
    ] {
        let e = expect_api(
            get(&client, RETURN_ORDERS, &query).await,
            400,
            "PARAM_ERROR",
        );
        assert!(e.message.contains(field), "{query:?}: {e}");
    }
    sandbox.shutdown().await;
}
