//! The partner mode made visible: every merchant's sub-merchants and appids
//! in `sandbox.json` and the control API, appids bound where set, the
//! notification log filtered by `sub_mchid`, and `out_trade_no` scoped by
//! the service provider (WeChat: unique across its sub-merchants).

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wxpay_sandbox::Sandbox;

use crate::lifecycle::{control, started, Shop, APPID, OPENID};
use crate::support::{expect_api, post};

const SUB_A: &str = "1900000109";
const SUB_B: &str = "1900000110";
const SUB_APPID: &str = "wx8888888888888889";

fn partner_order(sp_mchid: &str, sub_mchid: &str, out_trade_no: &str, notify_url: &str) -> Value {
    json!({
        "sp_appid": APPID, "sp_mchid": sp_mchid, "sub_mchid": sub_mchid,
        "description": "partner", "out_trade_no": out_trade_no, "notify_url": notify_url,
        "amount": { "total": 100 }, "payer": { "sp_openid": OPENID },
    })
}

async fn sandbox_with_two_subs() -> (Sandbox, wxpay_core::Client) {
    started(
        Sandbox::builder()
            .time_scale(0.001)
            .sub_merchant(SUB_A)
            .sub_merchant(SUB_B)
            .appid(APPID)
            .sub_appid(SUB_B, SUB_APPID),
    )
    .await
}

#[tokio::test]
async fn sandbox_json_and_the_control_api_list_sub_merchants_and_appids() {
    let (sandbox, _) = sandbox_with_two_subs().await;
    let dir = std::env::temp_dir().join(format!("wxpay-sandbox-partner-{}", std::process::id()));
    sandbox.write_dir(&dir).unwrap();
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sandbox.json")).unwrap()).unwrap();
    let demo = &summary["merchants"][0];
    assert_eq!(demo["mchid"], sandbox.merchant().mchid);
    assert_eq!(demo["appids"], json!([APPID]));
    assert_eq!(demo["direct"], true, "the demo merchant is both");
    assert_eq!(
        demo["sub_merchants"],
        json!([{"sub_mchid": SUB_A, "appids": []}, {"sub_mchid": SUB_B, "appids": [SUB_APPID]}])
    );
    assert!(summary["out_trade_no_scope"]
        .as_str()
        .unwrap()
        .contains("service provider"));
    let (status, listed) = control(&sandbox, reqwest::Method::GET, "sandbox/merchants", None).await;
    assert_eq!(status, 200);
    assert_eq!(listed["merchants"][0], *demo);
    let _ = std::fs::remove_dir_all(&dir);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn bound_appids_are_checked() {
    let (sandbox, client) = sandbox_with_two_subs().await;
    let sp = sandbox.merchant().mchid.clone();
    let mut other_app = partner_order(&sp, SUB_A, "APPID-0001", "http://127.0.0.1:9/n");
    other_app["sp_appid"] = json!("wx0000000000000000");
    let e = expect_api(
        post(&client, "v3/pay/partner/transactions/native", &other_app).await,
        400,
        "APPID_MCHID_NOT_MATCH",
    );
    assert!(e.message.contains("AppID和mch_id不匹配"), "{e}");
    let mut sub_app = partner_order(&sp, SUB_B, "APPID-0002", "http://127.0.0.1:9/n");
    sub_app["sub_appid"] = json!("wx0000000000000000");
    expect_api(
        post(&client, "v3/pay/partner/transactions/native", &sub_app).await,
        400,
        "APPID_MCHID_NOT_MATCH",
    );
    sub_app["sub_appid"] = json!(SUB_APPID);
    post(&client, "v3/pay/partner/transactions/native", &sub_app)
        .await
        .expect("bound sub_appid");
    // A sub-merchant without bound appids takes any.
    let mut any = partner_order(&sp, SUB_A, "APPID-0003", "http://127.0.0.1:9/n");
    any["sub_appid"] = json!("wx1111111111111111");
    post(&client, "v3/pay/partner/transactions/native", &any)
        .await
        .expect("any sub_appid");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_sub_merchants_notifications_are_found_by_its_sub_mchid() {
    let (sandbox, client) = sandbox_with_two_subs().await;
    let shop = Shop::open(&sandbox, &client).await;
    let sp = sandbox.merchant().mchid.clone();
    for (sub, no) in [(SUB_A, "SUBLOG-A"), (SUB_B, "SUBLOG-B")] {
        post(
            &client,
            "v3/pay/partner/transactions/native",
            &partner_order(&sp, sub, no, &shop.url),
        )
        .await
        .unwrap();
        // The control API takes the sub-merchant to name the order, too.
        let (status, paid) = control(
            &sandbox,
            reqwest::Method::POST,
            "sandbox/orders/pay",
            Some(json!({"mchid": sp, "sub_mchid": sub, "out_trade_no": no})),
        )
        .await;
        assert_eq!((status, paid["sub_mchid"].as_str()), (200, Some(sub)));
    }
    shop.wait_for(2).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    let attempts = loop {
        let (_, log) = control(
            &sandbox,
            reqwest::Method::GET,
            &format!("sandbox/notifications?sub_mchid={SUB_B}"),
            None,
        )
        .await;
        let attempts = log["attempts"].as_array().cloned().unwrap_or_default();
        if !attempts.is_empty() || Instant::now() > deadline {
            break attempts;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    assert_eq!(attempts[0]["sub_mchid"], SUB_B);
    assert_eq!(
        attempts[0]["mchid"], sp,
        "the service provider is the one notified"
    );
    assert!(attempts[0]["request_body"]
        .as_str()
        .unwrap()
        .contains("TRANSACTION.SUCCESS"));
    assert_eq!(
        sandbox.notification_attempts_of_sub_merchant(SUB_A).len(),
        1
    );
    // Naming the wrong sub-merchant finds nothing.
    let (status, _) = control(
        &sandbox,
        reqwest::Method::GET,
        &format!("sandbox/orders?mchid={sp}&out_trade_no=SUBLOG-A&sub_mchid={SUB_B}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn out_trade_no_is_unique_across_a_service_providers_sub_merchants() {
    let (sandbox, client) = sandbox_with_two_subs().await;
    let sp = sandbox.merchant().mchid.clone();
    post(
        &client,
        "v3/pay/partner/transactions/native",
        &partner_order(&sp, SUB_A, "SCOPE-0001", "http://127.0.0.1:9/n"),
    )
    .await
    .unwrap();
    // The same number for the other sub-merchant is the same order, with
    // other parameters: WeChat's 请求重入 refusal.
    let e = expect_api(
        post(
            &client,
            "v3/pay/partner/transactions/native",
            &partner_order(&sp, SUB_B, "SCOPE-0001", "http://127.0.0.1:9/n"),
        )
        .await,
        400,
        "INVALID_REQUEST",
    );
    assert!(e.message.contains("请求重入"), "{e}");
    // Queried for the other sub-merchant, it is not found.
    let e = client
        .request(
            wxpay_core::Method::Get,
            "v3/pay/partner/transactions/out-trade-no/{out_trade_no}",
        )
        .path_param("out_trade_no", "SCOPE-0001")
        .query_pair("sp_mchid", &sp)
        .query_pair("sub_mchid", SUB_B)
        .send::<Value>()
        .await;
    expect_api(e, 404, "ORDER_NOT_EXIST");
    sandbox.shutdown().await;
}
