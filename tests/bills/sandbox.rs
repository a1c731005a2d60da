//! Every bill the sandbox makes, read back: trade bills of each type and the
//! fund flow, in the APIv3 and APIv2 layouts, downloaded (plain and gzip)
//! and as files, direct and for a sub-merchant; each checked against the
//! orders and refunds the test made.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use wxpay_core::bills::{
    AsyncFundFlowBillReader, AsyncTradeBillReader, BillDate, BillInfo, FundFlowBillReader,
    TradeBillReader, TradeRecord,
};
use wxpay_core::{Client, Method};
use wxpay_sandbox::{BillApi, BillFile, Sandbox, DEFAULT_SUB_MCHID};

const APPID: &str = "wxd678efh567hg6787";

async fn prepay(client: &Client, path: &str, body: Value) {
    let _: Value = client
        .request(Method::Post, path)
        .json(&body)
        .send()
        .await
        .expect("prepay");
}

/// Makes the day: direct payments, a partner payment, refunds, an unpaid
/// order. Returns (paid order → total, refund → amount).
async fn a_day_of_business(
    sandbox: &Sandbox,
    client: &Client,
) -> (BTreeMap<String, i64>, BTreeMap<String, i64>) {
    let mchid = sandbox.merchant().mchid.clone();
    let mut paid = BTreeMap::new();
    for (i, (total, description)) in [
        (1, "一分钱"),
        (12_345, "Image形象店-深圳腾大-QQ公仔"),
        (99_999_900, "大额, with a comma"),
        (250, "咖啡"),
    ]
    .into_iter()
    .enumerate()
    {
        let no = format!("ROUND-{i}");
        prepay(
            client,
            "v3/pay/transactions/native",
            json!({"appid": APPID, "mchid": mchid, "description": description,
                "out_trade_no": no, "notify_url": "http://127.0.0.1:9/n",
                "amount": {"total": total}}),
        )
        .await;
        sandbox.pay_order(&mchid, &no).expect("paid");
        paid.insert(no, total);
    }
    prepay(
        client,
        "v3/pay/partner/transactions/native",
        json!({"sp_appid": APPID, "sp_mchid": mchid, "sub_mchid": DEFAULT_SUB_MCHID,
            "description": "服务商代下单", "out_trade_no": "RT-PARTNER",
            "notify_url": "http://127.0.0.1:9/n", "amount": {"total": 800}}),
    )
    .await;
    sandbox.pay_order(&mchid, "RT-PARTNER").expect("paid");
    paid.insert("RT-PARTNER".into(), 800);
    prepay(
        client,
        "v3/pay/transactions/native",
        json!({"appid": APPID, "mchid": mchid, "description": "never paid",
            "out_trade_no": "RT-UNPAID", "notify_url": "http://127.0.0.1:9/n",
            "amount": {"total": 5}}),
    )
    .await;
    let mut refunds = BTreeMap::new();
    for (no, order, amount, total) in [
        ("ROUND-R1", "ROUND-1", 345, 12_345),
        ("ROUND-R2", "ROUND-3", 250, 250),
    ] {
        let _: Value = client
            .request(Method::Post, "v3/refund/domestic/refunds")
            .json(json!({"out_trade_no": order, "out_refund_no": no,
                "amount": {"refund": amount, "total": total, "currency": "CNY"}}))
            .send()
            .await
            .expect("refund");
        refunds.insert(no.to_owned(), amount);
    }
    // Refunds settle in the background (at once by default).
    for _ in 0..250 {
        let settled = ["ROUND-1", "ROUND-3"]
            .iter()
            .all(|o| sandbox.order(&mchid, o).unwrap()["refunds"][0]["status"] == "SUCCESS");
        if settled {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    (paid, refunds)
}

/// Payments and refunds of a trade bill, checked summary included.
fn read_trade(text: &str) -> (BTreeMap<String, i64>, BTreeMap<String, i64>) {
    let mut payments = BTreeMap::new();
    let mut refunds = BTreeMap::new();
    let mut reader = TradeBillReader::new(text.as_bytes());
    for row in &mut reader {
        match row.expect("row") {
            TradeRecord::Payment(p) => {
                assert_eq!(p.settlement_total(), p.order_total());
                assert_eq!(
                    p.fee().milli_fen(),
                    (p.order_total() * 6 + 500) / 1000 * 1000
                );
                payments.insert(p.out_trade_no().to_owned(), p.order_total());
            }
            TradeRecord::Refund(r) => {
                refunds.insert(r.out_refund_no().to_owned(), r.refund());
            }
            other => panic!("unexpected row {other:?}"),
        }
    }
    assert!(reader.summary().is_some(), "the summary was checked");
    (payments, refunds)
}

async fn bill_info(client: &Client, path: &str, query: &[(&str, &str)]) -> BillInfo {
    let mut request = client.request(Method::Get, path);
    for (k, v) in query {
        request = request.query_pair(k, v);
    }
    request.send().await.expect("bill answer")
}

#[tokio::test]
async fn every_bill_the_sandbox_makes_reads_back_to_the_days_business() {
    let noon = BillDate::today_in_china().at(12, 0, 0).unwrap();
    let sandbox = Sandbox::builder()
        .start_clock_at(noon.to_system_time())
        .start()
        .await
        .unwrap();
    let client = sandbox.client_builder().build().unwrap();
    let mchid = sandbox.merchant().mchid.clone();
    let (paid, refunds) = a_day_of_business(&sandbox, &client).await;
    let date = sandbox.advance_to_bill_time();
    assert_eq!(date, noon.date().to_string());

    for api in [BillApi::V3, BillApi::V2] {
        let file = |f| {
            sandbox
                .bill_file(&mchid, &date, f, api)
                .unwrap()
                .expect("a bill")
        };
        assert_eq!(
            read_trade(&file(BillFile::TradeAll)),
            (paid.clone(), refunds.clone()),
            "{api:?}"
        );
        assert_eq!(
            read_trade(&file(BillFile::TradeSuccess)),
            (paid.clone(), BTreeMap::new())
        );
        assert_eq!(
            read_trade(&file(BillFile::TradeRefund)),
            (BTreeMap::new(), refunds.clone())
        );
        let fund = file(BillFile::FundFlow);
        let mut reader = FundFlowBillReader::new(fund.as_bytes());
        let net: i64 = (&mut reader).map(|r| r.unwrap().signed_amount()).sum();
        let fees: i64 = paid.values().map(|t| (t * 6 + 500) / 1000).sum();
        let refunded: i64 = refunds.values().sum();
        assert_eq!(net, paid.values().sum::<i64>() - fees - refunded, "{api:?}");
        assert_eq!(
            reader.summary().unwrap().count,
            (paid.len() * 2 + refunds.len()) as u64 - 1
        );
    }

    // Downloaded through the API, plain and gzip, streamed as it arrives.
    for tar in [None, Some("GZIP")] {
        let mut query = vec![("bill_date", date.as_str())];
        query.extend(tar.map(|t| ("tar_type", t)));
        let info = bill_info(&client, "v3/bill/tradebill", &query).await;
        let mut rows =
            AsyncTradeBillReader::new(client.download_bill(&info).await.unwrap().into_reader());
        let mut payments = BTreeMap::new();
        while let Some(row) = rows.next().await {
            if let TradeRecord::Payment(p) = row.unwrap() {
                payments.insert(p.out_trade_no().to_owned(), p.order_total());
            }
        }
        assert_eq!(payments, paid);
        let info = bill_info(&client, "v3/bill/fundflowbill", &query).await;
        let mut rows =
            AsyncFundFlowBillReader::new(client.download_bill(&info).await.unwrap().into_reader());
        let mut count = 0;
        while let Some(row) = rows.next().await {
            row.unwrap();
            count += 1;
        }
        assert_eq!(rows.summary().unwrap().count, count);
    }

    // A service provider's bill of one sub-merchant: 特约商户号 filled.
    let info = bill_info(
        &client,
        "v3/bill/tradebill",
        &[("bill_date", &date), ("sub_mchid", DEFAULT_SUB_MCHID)],
    )
    .await;
    let mut rows =
        AsyncTradeBillReader::new(client.download_bill(&info).await.unwrap().into_reader());
    let mut seen = Vec::new();
    while let Some(row) = rows.next().await {
        let p = row.unwrap();
        let p = p.as_payment().unwrap().clone();
        assert_eq!(p.sub_mchid(), Some(DEFAULT_SUB_MCHID));
        assert_eq!(p.product(), "服务商代下单");
        seen.push(p.out_trade_no().to_owned());
    }
    assert_eq!(seen, ["RT-PARTNER"]);
    sandbox.shutdown().await;
}
