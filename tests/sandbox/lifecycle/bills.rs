//! Bills built from the sandbox's own orders and refunds, in WeChat's CSV
//! layout, downloaded with `Client::download_bill` (unsigned, hash-checked),
//! available as WeChat Pay makes them: from 10:00 China time the next day,
//! reached by moving the sandbox's business clock. Each sandbox starts its
//! clock at noon China time, so no run straddles midnight.

use std::time::Duration;

use serde_json::json;
use wxpay_core::bills::{
    AsyncTradeBillReader, BillInfo, BillUnavailable, FundFlowBillReader, TradeBillReader,
    TradeRecord,
};
use wxpay_core::Method;
use wxpay_sandbox::Sandbox;

use super::*;

async fn bill(client: &Client, path: &str, query: &[(&str, &str)]) -> Result<BillInfo, Error> {
    let mut request = client.request(Method::Get, path);
    for (k, v) in query {
        request = request.query_pair(k, v);
    }
    request.send().await
}

async fn download(client: &Client, info: &BillInfo) -> String {
    let mut download = client.download_bill(info).await.expect("download starts");
    let mut content = Vec::new();
    while let Some(chunk) = download.chunk().await.expect("hash matches") {
        content.extend_from_slice(&chunk);
    }
    String::from_utf8(content).expect("UTF-8")
}

fn at_noon() -> wxpay_sandbox::SandboxBuilder {
    Sandbox::builder().start_clock_at(noon_in_china())
}

#[tokio::test]
async fn the_days_trade_bill_lists_payments_and_refunds_in_wechats_layout() {
    let (sandbox, client) = started(at_noon()).await;
    let date = sandbox.today();
    let unavailable = expect_api(
        bill(&client, "v3/bill/tradebill", &[("bill_date", &date)]).await,
        400,
        "NO_STATEMENT_EXIST",
    );
    assert_eq!(
        unavailable.bill_unavailable(),
        Some(BillUnavailable::NoStatement)
    );

    paid_order(&sandbox, &client, "BILL-0001", 1000, "http://127.0.0.1:9/n").await;
    paid_order(&sandbox, &client, "BILL-0002", 250, "http://127.0.0.1:9/n").await;
    prepay(
        &client,
        "jsapi",
        &jsapi_order(&sandbox, "BILL-UNPAID", 5, "http://127.0.0.1:9/n"),
    )
    .await
    .unwrap();
    refund(
        &client,
        &json!({"out_trade_no": "BILL-0001", "out_refund_no": "BILL-R1",
        "amount": {"refund": 300, "total": 1000, "currency": "CNY"}}),
    )
    .await
    .unwrap();

    // Today's bill never exists, payments or not; the next morning it is
    // being generated until 10:00.
    expect_api(
        bill(&client, "v3/bill/tradebill", &[("bill_date", &date)]).await,
        400,
        "NO_STATEMENT_EXIST",
    );
    sandbox.advance_clock(Duration::from_secs(20 * 3600)); // 08:00 tomorrow
    let creating = expect_api(
        bill(&client, "v3/bill/tradebill", &[("bill_date", &date)]).await,
        400,
        "STATEMENT_CREATING",
    );
    assert_eq!(creating.bill_unavailable(), Some(BillUnavailable::Creating));
    sandbox.advance_clock(Duration::from_secs(2 * 3600)); // 10:00 tomorrow

    let info = bill(&client, "v3/bill/tradebill", &[("bill_date", &date)])
        .await
        .unwrap();
    assert_eq!(info.hash_type, "SHA1");
    let expected_prefix = format!("{}v3/billdownload/file?token=", sandbox.base_url());
    assert!(
        info.download_url.starts_with(&expected_prefix),
        "{}",
        info.download_url
    );
    let text = download(&client, &info).await;

    assert!(text.starts_with('\u{feff}') && text.ends_with("\r\n"));
    let lines: Vec<&str> = text
        .trim_start_matches('\u{feff}')
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(
        lines.len(),
        1 + 3 + 2,
        "header, 2 payments + 1 refund, summary header and row:\n{text}"
    );
    assert!(lines[0].starts_with("交易时间,公众账号ID,商户号,特约商户号"));
    assert_eq!(lines[0].split(',').count(), 27);
    for row in &lines[1..4] {
        assert_eq!(row.split(',').count(), 27, "{row}");
        assert!(row.split(',').all(|v| v.starts_with('`')), "{row}");
        assert!(row.ends_with(",`"), "empty 费率备注 last: {row}");
    }
    let refund_row = lines[1..4].iter().find(|r| r.contains("`REFUND,")).unwrap();
    let cols: Vec<&str> = refund_row.split(',').collect();
    assert_eq!(
        (cols[12], cols[15], cols[16], cols[18], cols[24], cols[25]),
        ("`0.00", "`BILL-R1", "`3.00", "`ORIGINAL", "`0.00", "`3.00")
    );
    let payment = lines[1..4]
        .iter()
        .find(|r| r.contains("`BILL-0001,") && r.contains("`SUCCESS,"))
        .unwrap();
    let cols: Vec<&str> = payment.split(',').collect();
    assert_eq!(
        (cols[3], cols[12], cols[14], cols[22], cols[23], cols[24]),
        ("`0", "`10.00", "`0", "`0.06000", "`0.60%", "`10.00")
    );
    assert!(
        !text.contains("BILL-UNPAID"),
        "unpaid orders are not in bills"
    );
    // Fees: 0.6 % rounded to the fen: 6 + 2 (of 2.50) − 2 (returned with the 3.00 refund).
    assert_eq!(lines[4], "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额");
    assert_eq!(lines[5], "`3,`12.50,`3.00,`0.00,`0.06000,`12.50,`3.00");

    // The SDK reads it back: typed rows, exact money, the summary checked.
    let mut reader = TradeBillReader::new(text.as_bytes());
    let rows: Vec<TradeRecord> = (&mut reader).map(|r| r.expect("row")).collect();
    let paid = rows
        .iter()
        .find_map(|r| r.as_payment().filter(|p| p.out_trade_no() == "BILL-0001"))
        .unwrap();
    assert_eq!(
        (paid.order_total(), paid.fee().milli_fen(), paid.sub_mchid()),
        (1000, 6000, None)
    );
    assert_eq!(paid.product(), "Image形象店-深圳腾大-QQ公仔");
    assert_eq!(paid.time().date().to_string(), date);
    let refunded = rows.iter().find_map(TradeRecord::as_refund).unwrap();
    assert_eq!(
        (
            refunded.out_refund_no(),
            refunded.refund(),
            refunded.requested_refund()
        ),
        ("BILL-R1", 300, 300)
    );
    assert_eq!(reader.summary().unwrap().count, 3);

    // SUCCESS bills leave refunds out; gzip is inflated and checked the
    // same way, and rows stream out of the download as it arrives.
    let info = bill(
        &client,
        "v3/bill/tradebill",
        &[
            ("bill_date", &date),
            ("bill_type", "SUCCESS"),
            ("tar_type", "GZIP"),
        ],
    )
    .await
    .unwrap();
    let success = download(&client, &info).await;
    assert!(!success.contains("BILL-R1") && success.contains("BILL-0002"));
    assert!(success.contains("总交易单数,应结订单总金额,手续费总金额,订单总金额\r\n`2,`12.50,"));
    let mut streamed =
        AsyncTradeBillReader::new(client.download_bill(&info).await.unwrap().into_reader());
    let mut seen = Vec::new();
    while let Some(row) = streamed.next().await {
        seen.push(row.expect("row").out_trade_no().to_owned());
    }
    seen.sort();
    assert_eq!(seen, ["BILL-0001", "BILL-0002"]);
    assert_eq!(streamed.summary().unwrap().settlement_total, 1250);

    // A tampered hash is caught by the client, through the bill reader too.
    let mut forged = info.clone();
    forged.hash_value = "0".repeat(40);
    let mut d = client.download_bill(&forged).await.unwrap();
    let mut caught = false;
    loop {
        match d.chunk().await {
            Ok(Some(_)) => continue,
            Ok(None) => break,
            Err(_) => {
                caught = true;
                break;
            }
        }
    }
    assert!(caught, "hash mismatch detected");
    let mut reader =
        AsyncTradeBillReader::new(client.download_bill(&forged).await.unwrap().into_reader());
    let mut last = None;
    while let Some(row) = reader.next().await {
        last = Some(row);
    }
    let error = last.expect("an error at the end").unwrap_err();
    assert!(
        matches!(error, wxpay_core::bills::BillError::Download(_)),
        "{error:?}"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn fund_flow_bill_and_bad_bill_requests() {
    let (sandbox, client) = started(at_noon()).await;
    let date = sandbox.today();
    paid_order(&sandbox, &client, "FLOW-0001", 1000, "http://127.0.0.1:9/n").await;
    refund(
        &client,
        &json!({"out_trade_no": "FLOW-0001", "out_refund_no": "FLOW-R1",
        "amount": {"refund": 200, "total": 1000, "currency": "CNY"}}),
    )
    .await
    .unwrap();
    // The refund settles in the background (at once by default).
    let deadline = Instant::now() + std::time::Duration::from_secs(5);
    while sandbox
        .order(&sandbox.merchant().mchid, "FLOW-0001")
        .unwrap()["refunds"][0]["status"]
        != "SUCCESS"
    {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(sandbox.advance_to_bill_time(), date);

    let info = bill(&client, "v3/bill/fundflowbill", &[("bill_date", &date)])
        .await
        .unwrap();
    let text = download(&client, &info).await;
    let lines: Vec<&str> = text
        .trim_start_matches('\u{feff}')
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines[0], "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号");
    assert_eq!(lines.len(), 1 + 3 + 2, "{text}");
    assert!(
        lines[1].contains("`交易,`交易,`收入,`10.00,`10.00,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("`扣除交易手续费,`支出,`0.06,`9.94,"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].contains("`退款,`退款,`支出,`2.00,`7.94,"),
        "{}",
        lines[3]
    );
    assert_eq!(lines[5], "`3,`1,`10.00,`2,`2.06");
    let mut reader = FundFlowBillReader::new(text.as_bytes());
    let balances: Vec<i64> = (&mut reader).map(|r| r.unwrap().balance()).collect();
    assert_eq!(balances, [1000, 994, 794]);
    assert_eq!(reader.summary().unwrap().expense_total, 206);

    expect_api(
        bill(
            &client,
            "v3/bill/fundflowbill",
            &[("bill_date", &date), ("account_type", "OPERATION")],
        )
        .await,
        400,
        "NO_STATEMENT_EXIST",
    );
    expect_api(
        bill(&client, "v3/bill/tradebill", &[("bill_date", "2024/01/01")]).await,
        400,
        "PARAM_ERROR",
    );
    expect_api(
        bill(&client, "v3/bill/tradebill", &[("bill_date", "2999-01-01")]).await,
        400,
        "INVALID_REQUEST",
    );
    expect_api(
        bill(
            &client,
            "v3/bill/tradebill",
            &[("bill_date", &date), ("bill_type", "NOPE")],
        )
        .await,
        400,
        "PARAM_ERROR",
    );
    // A made-up token.
    let fake = BillInfo::new(
        format!("{}v3/billdownload/file?token=nope", sandbox.base_url()),
        "0".repeat(40),
    )
    .unwrap();
    assert!(client.download_bill(&fake).await.is_err());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn same_day_bills_on_request_and_the_clock_through_the_control_api() {
    let (sandbox, client) = started(at_noon().bills_same_day(true)).await;
    let date = sandbox.today();
    paid_order(&sandbox, &client, "SAME-DAY-1", 100, "http://127.0.0.1:9/n").await;
    // The old behaviour, for tests that want it: today's bill at once.
    let info = bill(&client, "v3/bill/tradebill", &[("bill_date", &date)])
        .await
        .unwrap();
    assert!(download(&client, &info).await.contains("SAME-DAY-1"));

    // Switched off through the control API: WeChat Pay's availability.
    let (status, clock) = control(
        &sandbox,
        reqwest::Method::POST,
        "sandbox/clock",
        Some(json!({"bills_same_day": false})),
    )
    .await;
    assert_eq!(status, 200, "{clock}");
    assert_eq!(clock["today"], date);
    assert_eq!(clock["bills_same_day"], false);
    expect_api(
        bill(&client, "v3/bill/tradebill", &[("bill_date", &date)]).await,
        400,
        "NO_STATEMENT_EXIST",
    );
    let (status, moved) = control(
        &sandbox,
        reqwest::Method::POST,
        "sandbox/clock",
        Some(json!({"to_bill_time": true})),
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["bills_available"], date);
    assert_eq!(moved["latest_bill_date"], date);
    assert!(
        moved["now"].as_str().unwrap().ends_with("T10:00:00+08:00"),
        "{moved}"
    );
    bill(&client, "v3/bill/tradebill", &[("bill_date", &date)])
        .await
        .expect("available at 10:00 the next day");
    // The clock never goes back.
    let (status, _) = control(
        &sandbox,
        reqwest::Method::POST,
        "sandbox/clock",
        Some(json!({"advance_secs": -60})),
    )
    .await;
    assert_eq!(status, 400);
    // The bill file as the sandbox writes it, in either layout.
    let (status, _) = control(
        &sandbox,
        reqwest::Method::GET,
        &format!(
            "sandbox/bills?mchid={}&bill_date={date}&bill=FUNDFLOW&api=v2",
            sandbox.merchant().mchid
        ),
        None,
    )
    .await;
    // (The answer is text, not JSON: 200 is what counts here.)
    assert_eq!(status, 200);
    sandbox.shutdown().await;
}
