//! Merchant transfers (商家转账) with their lifecycle: a bill waits for the
//! user to confirm with its `package_info`, then TRANSFERING → SUCCESS or
//! FAIL; the merchant cancels before confirmation; queries by both numbers;
//! `MCHTRANSFER.BILL.FINISHED` to the bill's `notify_url`.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wxpay_apis::events::Event;
use wxpay_apis::fund_app::mch_transfer::transfer_bills::out_bill_no::cancel::CancelTransferBillRequest;
use wxpay_apis::fund_app::mch_transfer::transfer_bills::out_bill_no::QueryTransferBillByOutBillNoRequest;
use wxpay_apis::fund_app::mch_transfer::transfer_bills::transfer_bill_no::QueryTransferBillByTransferBillNoRequest;
use wxpay_apis::fund_app::mch_transfer::transfer_bills::{
    CreateTransferBillRequest, CreateTransferBillRequired,
};
use wxpay_apis::fund_app::mch_transfer::{
    MchTransferState, MchTransferTransferSceneReportInfo,
    MchTransferTransferSceneReportInfoRequired,
};
use wxpay_core::sensitive::Sensitive;
use wxpay_core::{Client, Method};
use wxpay_sandbox::Sandbox;

use super::SUB;
use crate::lifecycle::{control, started, Shop, OPENID};
use crate::support::expect_api;

const APPID: &str = "wxf636efh567hg4356";

/// Creates a transfer through the typed request; its `package_info`.
async fn transfer(
    client: &Client,
    out_bill_no: &str,
    amount: i64,
    notify_url: Option<&str>,
) -> String {
    let report = [MchTransferTransferSceneReportInfo::new(
        MchTransferTransferSceneReportInfoRequired {
            info_content: "注册会员有礼",
            info_type: "活动名称",
        },
    )];
    let mut request = CreateTransferBillRequest::new(CreateTransferBillRequired {
        appid: APPID,
        openid: OPENID,
        out_bill_no,
        transfer_amount: amount,
        transfer_remark: "新会员奖励",
        transfer_scene_id: "1000",
        transfer_scene_report_infos: &report,
    });
    request.notify_url = notify_url;
    request.user_name = Some(Sensitive::new("张三"));
    let created = request.send(client).await.expect("transfer created");
    let created = serde_json::to_value(created).unwrap();
    assert_eq!(created["state"], "WAIT_USER_CONFIRM");
    assert_eq!(created["out_bill_no"], out_bill_no);
    created["package_info"]
        .as_str()
        .expect("package_info")
        .to_owned()
}

async fn state_of(client: &Client, out_bill_no: &str) -> Value {
    let bill = QueryTransferBillByOutBillNoRequest::new(out_bill_no)
        .send(client)
        .await
        .expect("query");
    serde_json::to_value(bill).unwrap()
}

/// Waits (bounded) until the bill reaches `state`.
async fn until(client: &Client, out_bill_no: &str, state: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let bill = state_of(client, out_bill_no).await;
        if bill["state"] == state {
            return bill;
        }
        assert!(
            Instant::now() < deadline,
            "{out_bill_no} never {state}: {bill}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_confirmed_transfer_succeeds_and_is_notified() {
    let (sandbox, client) = started(Sandbox::builder().time_scale(0.001)).await;
    let shop = Shop::open(&sandbox, &client).await;
    let package = transfer(&client, "TB0001", 2_000, Some(&shop.url)).await;
    let waiting = state_of(&client, "TB0001").await;
    assert_eq!(waiting["state"], "WAIT_USER_CONFIRM");
    assert_eq!(waiting["mch_id"], sandbox.merchant().mchid);
    assert_eq!(waiting["transfer_amount"], 2_000);
    // The same bill by WeChat's number.
    let by_number = QueryTransferBillByTransferBillNoRequest::new(
        waiting["transfer_bill_no"].as_str().unwrap(),
    )
    .send(&client)
    .await
    .unwrap();
    assert_eq!(by_number.out_bill_no, "TB0001");

    // The user confirms on the sandbox's confirm page, as in WeChat.
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let page_url = format!("{}sandbox/transfer/{package}", sandbox.base_url());
    let page = http
        .get(&page_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("确认收款") && page.contains("20.00"),
        "{page}"
    );
    let confirmed = http
        .post(&page_url)
        .body("action=confirm")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(confirmed.contains("已确认收款"), "{confirmed}");

    let done = until(&client, "TB0001", "SUCCESS").await;
    assert!(done.get("fail_reason").is_none());
    let notes = shop.wait_for(1).await;
    assert_eq!(notes[0].event_type(), "MCHTRANSFER.BILL.FINISHED");
    assert_eq!(notes[0].resource["state"], "SUCCESS");
    assert_eq!(notes[0].resource["out_bill_no"], "TB0001");
    assert_eq!(
        notes[0].resource["transfer_bill_no"],
        done["transfer_bill_no"]
    );
    assert_eq!(notes[0].resource["mchid"], sandbox.merchant().mchid);
    match &shop.events()[0] {
        Event::TransferBill(bill) => {
            assert_eq!(bill.state, MchTransferState::Success);
            assert_eq!(
                (bill.out_bill_no.as_str(), bill.transfer_amount),
                ("TB0001", 2_000)
            );
            assert_eq!(bill.mchid, sandbox.merchant().mchid);
        }
        other => panic!("MCHTRANSFER.BILL.FINISHED decoded as {other:?}"),
    }
    // Once confirmed it cannot be cancelled.
    let e = CancelTransferBillRequest::new("TB0001").send(&client).await;
    expect_api(e, 400, "INVALID_REQUEST");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn transfers_fail_when_set_to_or_never_confirmed() {
    let (sandbox, client) = started(Sandbox::builder().time_scale(0.001)).await;
    let shop = Shop::open(&sandbox, &client).await;
    // Confirmed, but the payee's account is abnormal.
    let package = transfer(&client, "TB0002", 100, Some(&shop.url)).await;
    let (status, _) = control(
        &sandbox,
        reqwest::Method::POST,
        "sandbox/transfers/confirm",
        Some(json!({"package_info": package, "fail_reason": "PAYEE_ACCOUNT_ABNORMAL"})),
    )
    .await;
    assert_eq!(status, 200);
    let failed = until(&client, "TB0002", "FAIL").await;
    assert_eq!(failed["fail_reason"], "PAYEE_ACCOUNT_ABNORMAL");
    // Never confirmed: it fails as WeChat fails one after 24 h.
    let package = transfer(&client, "TB0003", 100, Some(&shop.url)).await;
    sandbox.reject_transfer(&package).expect("rejected");
    let rejected = state_of(&client, "TB0003").await;
    assert_eq!(rejected["state"], "FAIL");
    let notes = shop.wait_for(2).await;
    assert!(notes.iter().all(|n| n.resource["state"] == "FAIL"));
    // A package can be confirmed once only.
    let (status, e) = control(
        &sandbox,
        reqwest::Method::POST,
        "sandbox/transfers/confirm",
        Some(json!({"package_info": package})),
    )
    .await;
    assert_eq!((status, e["code"].as_str()), (400, Some("INVALID_REQUEST")));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_merchant_cancels_before_the_user_confirms() {
    let (sandbox, client) = started(
        Sandbox::builder()
            .time_scale(0.001)
            .transfer_settle_after(None),
    )
    .await;
    let shop = Shop::open(&sandbox, &client).await;
    transfer(&client, "TB0004", 100, Some(&shop.url)).await;
    let canceling = CancelTransferBillRequest::new("TB0004")
        .send(&client)
        .await
        .unwrap();
    let canceling = serde_json::to_value(canceling).unwrap();
    assert_eq!(canceling["state"], "CANCELING");
    // Asking again answers the same; the user can no longer confirm.
    let again = serde_json::to_value(
        CancelTransferBillRequest::new("TB0004")
            .send(&client)
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(again["state"], "CANCELING");
    sandbox
        .finish_transfer(&sandbox.merchant().mchid, "TB0004")
        .expect("finished");
    assert_eq!(state_of(&client, "TB0004").await["state"], "CANCELLED");
    assert_eq!(shop.wait_for(1).await[0].resource["state"], "CANCELLED");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn transfer_requests_are_held_to_wechats_rules() {
    let (sandbox, client) = started(Sandbox::builder()).await;
    let body = |out_bill_no: &str, amount: i64| {
        json!({
            "appid": APPID, "out_bill_no": out_bill_no, "transfer_scene_id": "1000",
            "openid": OPENID, "transfer_amount": amount, "transfer_remark": "奖励",
            "transfer_scene_report_infos": [{"info_type": "活动名称", "info_content": "新会员有礼"}],
        })
    };
    let send = |b: Value| {
        client
            .request(Method::Post, "v3/fund-app/mch-transfer/transfer-bills")
            .json(b)
            .send::<Value>()
    };
    // From 2,000 yuan on, the (encrypted) payee name is required.
    let e = expect_api(send(body("TB0005", 200_000)).await, 400, "PARAM_ERROR");
    assert!(e.message.contains("user_name"), "{e}");
    send(body("TB0005", 199_999))
        .await
        .expect("below 2,000 yuan");
    // The same number with other parameters is refused; the same request is the same bill.
    let e = expect_api(send(body("TB0005", 1)).await, 400, "INVALID_REQUEST");
    assert!(e.message.contains("商户单号重复"), "{e}");
    let again = send(body("TB0005", 199_999)).await.unwrap();
    assert_eq!(again["out_bill_no"], "TB0005");
    // Unknown bills: 404 NOT_FOUND.
    expect_api(
        QueryTransferBillByOutBillNoRequest::new("NOPE")
            .send(&client)
            .await,
        404,
        "NOT_FOUND",
    );
    expect_api(
        CancelTransferBillRequest::new("NOPE").send(&client).await,
        404,
        "NOT_FOUND",
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_service_provider_transfers_for_its_sub_merchant() {
    let (sandbox, client) = started(Sandbox::builder()).await;
    let mchid = sandbox.merchant().mchid.clone();
    let body = json!({
        "sub_mchid": SUB, "appid": APPID, "out_bill_no": "TBSP0001", "transfer_scene_id": "1000",
        "openid": OPENID, "transfer_amount": 100, "transfer_remark": "奖励",
        "transfer_scene_report_infos": [{"info_type": "活动名称", "info_content": "新会员有礼"}],
    });
    let created: Value = client
        .request(
            Method::Post,
            "v3/fund-app/mch-transfer/partner/transfer-bills",
        )
        .json(&body)
        .send()
        .await
        .expect("partner transfer");
    assert_eq!(created["sub_mchid"], SUB);
    let package = created["package_info"].as_str().unwrap();
    sandbox.confirm_transfer(package, None).unwrap();
    let bill: Value = client
        .request(
            Method::Get,
            "v3/fund-app/mch-transfer/partner/transfer-bills/out-bill-no/{out_bill_no}",
        )
        .path_param("out_bill_no", "TBSP0001")
        .query_pair("sub_mchid", SUB)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (bill["mchid"].as_str(), bill["sub_mchid"].as_str()),
        (Some(mchid.as_str()), Some(SUB))
    );
    // Another sub-merchant's query does not find it; an unknown one is refused.
    let other = client
        .request(
            Method::Get,
            "v3/fund-app/mch-transfer/partner/transfer-bills/out-bill-no/{out_bill_no}",
        )
        .path_param("out_bill_no", "TBSP0001")
        .query_pair("sub_mchid", "1900000999")
        .send::<Value>()
        .await;
    expect_api(other, 400, "INVALID_REQUEST");
    // The control API and the CLI list it under the sub-merchant.
    let (_, listed) = control(
        &sandbox,
        reqwest::Method::GET,
        &format!("sandbox/transfers?sub_mchid={SUB}"),
        None,
    )
    .await;
    assert_eq!(listed["transfers"][0]["out_bill_no"], "TBSP0001");
    let (_, none) = control(
        &sandbox,
        reqwest::Method::GET,
        "sandbox/transfers?sub_mchid=1900000888",
        None,
    )
    .await;
    assert_eq!(none["transfers"], json!([]));
    sandbox.shutdown().await;
}
