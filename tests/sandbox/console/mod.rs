//! The console (`/sandbox/` on its own port) in a real headless Chromium:
//! a person pays an order from the page and sees the notification delivered,
//! then refunds it and sees that notification too; confirms a merchant
//! transfer as its user and sees it succeed, with the profit sharing and
//! the service provider's sub-merchants (and their appids) on the page.
//! The browser is the distribution's `chromium` (CI installs it); without
//! one the test fails and says how to get it.

mod cdp;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;
use wxpay_sandbox::Sandbox;

use crate::lifecycle::{jsapi_order, prepay, Shop};
use crate::support::client;

const NO_BROWSER: &str = "no Chromium found: the console test drives a real headless browser. \
     Install one (Debian/Ubuntu: `apt-get install -y chromium`) or set WXPAY_CHROMIUM to its path; \
     .ci/run installs it when absent";

async fn console_sandbox() -> Sandbox {
    Sandbox::builder()
        .console(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .time_scale(0.001)
        .start()
        .await
        .expect("sandbox starts")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

#[tokio::test]
async fn the_console_port_serves_the_console_and_nothing_else() {
    let sandbox = console_sandbox().await;
    let console = sandbox.console_url().expect("a console port");
    assert_ne!(
        console,
        format!("{}sandbox/", sandbox.base_url()),
        "its own port"
    );
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let page = http.get(&console).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("wxpay sandbox console"));
    let state: Value = http
        .get(format!("{console}state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["merchants"][0]["mchid"], sandbox.merchant().mchid);
    let origin = console.trim_end_matches("sandbox/");
    let api = http
        .get(format!("{origin}v3/certificates"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        api.status(),
        404,
        "WeChat's API is not served on the console port"
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_pays_and_refunds_from_the_console_and_sees_the_notifications_delivered() {
    let chromium = cdp::find_chromium().expect(NO_BROWSER);
    let sandbox = console_sandbox().await;
    let client = client(&sandbox);
    let shop = Shop::open(&sandbox, &client).await;
    let out_trade_no = "CONSOLE20240101001";
    prepay(
        &client,
        "jsapi",
        &jsapi_order(&sandbox, out_trade_no, 2500, &shop.url),
    )
    .await
    .expect("prepay");

    let url = sandbox.console_url().unwrap();
    let browsing = tokio::task::spawn_blocking(move || {
        let browser = cdp::Browser::launch(&chromium, &url);
        let mut page = browser.page();
        let pay = format!(
            r#"document.querySelector('tr[data-order="{out_trade_no}"] button[data-action="pay"]')"#
        );
        page.wait_until(&format!("!!{pay}"), "the order with its Pay button");
        page.eval(&format!("{pay}.click(), true"));
        page.wait_until(
            &format!(r#"document.querySelector('tr[data-order="{out_trade_no}"]')?.dataset.state === "SUCCESS""#),
            "the order paid",
        );
        page.wait_until(
            r##"[...document.querySelectorAll("#notifications tbody tr")].some(r => r.dataset.event === "TRANSACTION.SUCCESS" && r.dataset.accepted === "true")"##,
            "the notification delivered",
        );
        // Refund it from the page too: the refund settles and is notified.
        let refund = format!(
            r#"document.querySelector('tr[data-order="{out_trade_no}"] button[data-action="refund"]')"#
        );
        page.wait_until(&format!("!!{refund}"), "the paid order's Refund button");
        page.eval(&format!("{refund}.click(), true"));
        page.wait_until(
            r##"[...document.querySelectorAll("#notifications tbody tr")].some(r => r.dataset.event === "REFUND.SUCCESS" && r.dataset.accepted === "true")"##,
            "the refund notification delivered",
        );
        // Open the delivery to show its request and answer in the screenshot.
        page.eval(r##"document.querySelector("#notifications tbody details").open = true, true"##);
        std::thread::sleep(Duration::from_millis(100));
        page.screenshot()
    });
    let png = browsing.await.expect("the browser session");
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    let path = target_dir().join("sandbox-console.png");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &png).unwrap();
    eprintln!("console screenshot: {}", path.display());

    // The merchant's endpoint really received it, verified and decrypted.
    let received = shop.wait_for(2).await;
    assert_eq!(received[0].event_type(), "TRANSACTION.SUCCESS");
    assert_eq!(received[0].resource["out_trade_no"], out_trade_no);
    assert_eq!(received[1].event_type(), "REFUND.SUCCESS");
    assert_eq!(received[1].resource["refund_status"], "SUCCESS");
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_confirms_a_transfer_and_sees_profit_sharing_and_sub_merchants() {
    let chromium = cdp::find_chromium().expect(NO_BROWSER);
    let sandbox = Sandbox::builder()
        .console(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .time_scale(0.001)
        .sub_merchant("1900000109")
        .sub_appid("1900000109", "wx8888888888888889")
        .start()
        .await
        .expect("sandbox starts");
    let client = client(&sandbox);
    let shop = Shop::open(&sandbox, &client).await;
    let transfer: Value = client
        .request(wxpay_core::Method::Post, "v3/fund-app/mch-transfer/transfer-bills")
        .json(serde_json::json!({
            "appid": "wxd678efh567hg6787", "out_bill_no": "CONSOLETB1", "transfer_scene_id": "1000",
            "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "transfer_amount": 888,
            "transfer_remark": "新会员奖励", "notify_url": shop.url,
            "transfer_scene_report_infos": [{"info_type": "活动名称", "info_content": "新会员有礼"}],
        }))
        .send()
        .await
        .expect("transfer");
    assert_eq!(transfer["state"], "WAIT_USER_CONFIRM");
    let transaction_id =
        crate::funds::paid_shareable_order(&sandbox, &client, "CONSOLEPS1", 500, None).await;
    let mchid = sandbox.merchant().mchid.clone();
    let _: Value = client
        .request(wxpay_core::Method::Post, "v3/profitsharing/orders")
        .json(serde_json::json!({
            "transaction_id": transaction_id, "out_order_no": "CONSOLE-SPLIT-1",
            "unfreeze_unsplit": true,
            "receivers": [{"type": "MERCHANT_ID", "account": mchid, "amount": 100, "description": "给自己"}],
        }))
        .send()
        .await
        .expect("split");

    let url = sandbox.console_url().unwrap();
    let browsing = tokio::task::spawn_blocking(move || {
        let browser = cdp::Browser::launch(&chromium, &url);
        let mut page = browser.page();
        // The service provider's sub-merchant and its appid are on the page.
        page.wait_until(
            r##"[...document.querySelectorAll("#merchants tbody td")].some(td => td.textContent.includes("1900000109 (wx8888888888888889)"))"##,
            "the sub-merchant with its appid",
        );
        page.wait_until(
            r#"document.querySelector('tr[data-share="CONSOLE-SPLIT-1"]')?.dataset.state === "FINISHED""#,
            "the split, finished",
        );
        let confirm = r#"document.querySelector('tr[data-transfer="CONSOLETB1"] button[data-action="confirm"]')"#;
        page.wait_until(
            &format!("!!{confirm}"),
            "the transfer with its Confirm button",
        );
        page.eval(&format!("{confirm}.click(), true"));
        page.wait_until(
            r#"document.querySelector('tr[data-transfer="CONSOLETB1"]')?.dataset.state === "SUCCESS""#,
            "the transfer succeeded",
        );
        page.wait_until(
            r##"[...document.querySelectorAll("#notifications tbody tr")].some(r => r.dataset.event === "MCHTRANSFER.BILL.FINISHED" && r.dataset.accepted === "true")"##,
            "the transfer notification delivered",
        );
        std::thread::sleep(Duration::from_millis(100));
        page.screenshot()
    });
    let png = browsing.await.expect("the browser session");
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    let path = target_dir().join("sandbox-console-funds.png");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &png).unwrap();
    eprintln!("console screenshot: {}", path.display());
    let received = shop.wait_for(1).await;
    assert_eq!(received[0].event_type(), "MCHTRANSFER.BILL.FINISHED");
    assert_eq!(received[0].resource["state"], "SUCCESS");
    sandbox.shutdown().await;
}
