//! Bills written by hand from WeChat Pay's documented layouts
//! (WECHATPAY-LIFECYCLE.md §5): every column, refund rows, empty values,
//! Chinese text, a partner bill, both summary number formats, the APIv2
//! variants; and every way a file can be wrong.

use wxpay_core::bills::{
    BillError, BillKind, FundBusinessType, FundDirection, FundFlowBillReader, RefundStatus,
    RefundType, TradeBillLayout, TradeBillReader, TradeRecord, TradeState, TradeType,
};

use super::{bill, Trickle, ALL_HEADER, ALL_SUMMARY};

/// A partner's ALL bill: a direct-style payment, one of a sub-merchant, a
/// refund (negative fee, returned), empty values, a product name with a
/// comma, the summary written as the 2019 bill writes it (`45.0`, `0.0`).
fn partner_all_bill() -> String {
    bill(&[
        ALL_HEADER,
        "`2024-03-01 00:00:01,`wx2421b1c4370ec43b,`1900000100,`1900000109,`013467007045764,`4200000201202403011234567890,`P-20240301-001,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`SUCCESS,`CMB_CREDIT,`CNY,`99.90,`0.10,`0,`0,`0.00,`0.00,`,`,`Image形象店-深圳腾大-QQ公仔,`order=7,`0.59940,`0.60%,`100.00,`0.00,`",
        "`2024-03-01 12:30:00,`wx2421b1c4370ec43b,`1900000100,`1900000109,`,`4200000201202403011234567891,`P-20240301-002,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`NATIVE,`SUCCESS,`OTHERS,`CNY,`0.01,`0.00,`0,`0,`0.00,`0.00,`,`,`咖啡, 大杯,`,`0.00000,`0.60%,`0.01,`0.00,`",
        "`2024-03-01 23:59:59,`wx2421b1c4370ec43b,`1900000100,`1900000109,`,`4200000201202403011234567890,`P-20240301-001,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`REFUND,`CMB_CREDIT,`CNY,`0.00,`0.00,`50300001112024030112345678901,`R-001,`30.00,`0.00,`ORIGINAL,`SUCCESS,`Image形象店-深圳腾大-QQ公仔,`order=7,`-0.18000,`0.60%,`0.00,`30.00,`",
        ALL_SUMMARY,
        "`3.0,`99.91,`30.00,`0.0,`0.42,`100.01,`30.00",
    ])
}

#[test]
fn a_partner_all_bill_reads_into_payments_and_refunds() {
    let text = partner_all_bill();
    let mut reader = TradeBillReader::new(text.as_bytes());
    let rows: Vec<TradeRecord> = (&mut reader).map(|r| r.expect("row")).collect();
    assert_eq!(reader.layout(), Some(TradeBillLayout::All));
    assert_eq!(rows.len(), 3);

    let p = rows[0].as_payment().expect("a payment");
    assert_eq!(p.time().to_rfc3339(), "2024-03-01T00:00:01+08:00");
    assert_eq!(
        p.time().date().to_string(),
        "2024-03-01",
        "China day, not UTC"
    );
    assert_eq!(p.sub_mchid(), Some("1900000109"));
    assert_eq!(p.device_info(), "013467007045764");
    assert_eq!(*p.trade_type(), TradeType::Jsapi);
    assert_eq!(*p.trade_state(), TradeState::Success);
    assert_eq!(
        (p.settlement_total(), p.coupon(), p.order_total()),
        (9990, 10, 10000)
    );
    assert_eq!(p.fee().milli_fen(), 59_940, "five decimals kept");
    assert_eq!(p.fee_rate().unwrap().parts_per_million(), 6000);
    assert_eq!(p.product(), "Image形象店-深圳腾大-QQ公仔");
    assert_eq!((p.attach(), p.fee_note()), ("order=7", ""));

    let comma = rows[1].as_payment().unwrap();
    assert_eq!(
        comma.product(),
        "咖啡, 大杯",
        "a comma inside a value stays"
    );
    assert_eq!((comma.device_info(), comma.attach()), ("", ""));

    let r = rows[2].as_refund().expect("a refund");
    assert_eq!(r.out_trade_no(), "P-20240301-001");
    assert_eq!(
        (r.refund_id(), r.out_refund_no()),
        ("50300001112024030112345678901", "R-001")
    );
    assert_eq!((r.refund(), r.requested_refund()), (3000, 3000));
    assert_eq!(r.refund_type(), Some(&RefundType::Original));
    assert_eq!(r.refund_status(), Some(&RefundStatus::Success));
    assert_eq!(r.fee().to_string(), "-0.18000");
    assert_eq!(r.requested_at(), r.time());
    assert_eq!(r.succeeded_at(), None, "ALL bills have no success time");

    let s = reader.summary().expect("checked summary");
    assert_eq!(s.count, 3);
    assert_eq!(s.fee_total.to_string(), "0.42000");
    assert_eq!(
        (s.refund_total, s.requested_refund_total),
        (Some(3000), Some(3000))
    );
}

#[test]
fn refund_and_success_layouts() {
    let refund = bill(&[
        "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注",
        "`2024-03-01 09:00:00,`wx1,`1900000100,`0,`,`4200000001,`A-1,`o1,`APP,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`2024-03-01 10:00:00,`2024-03-01 10:00:05,`5030001,`R-1,`1.00,`0.00,`ORIGINAL,`SUCCESS,`书,`,`-0.01000,`0.60%,`0.00,`1.00,`",
        "`2024-03-01 09:00:00,`wx1,`1900000100,`0,`,`4200000002,`A-2,`o1,`APP,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`2024-03-01 11:00:00,`,`5030002,`R-2,`2.00,`0.00,`BALANCE,`PROCESSING,`书,`,`-0.01000,`0.60%,`0.00,`2.00,`",
        ALL_SUMMARY,
        "`2,`0.00,`3.00,`0.00,`-0.02000,`0.00,`3.00",
    ]);
    let mut reader = TradeBillReader::new(refund.as_bytes());
    let rows: Vec<_> = (&mut reader).map(Result::unwrap).collect();
    assert_eq!(reader.layout(), Some(TradeBillLayout::Refund));
    let r = rows[0].as_refund().unwrap();
    assert_eq!(r.requested_at().to_string(), "2024-03-01 10:00:00");
    assert_eq!(r.succeeded_at().unwrap().to_string(), "2024-03-01 10:00:05");
    let pending = rows[1].as_refund().unwrap();
    assert_eq!(pending.succeeded_at(), None, "an empty time is None");
    assert_eq!(pending.refund_status(), Some(&RefundStatus::Processing));

    // SUCCESS: no refund columns; the summary has four totals; the
    // cloud-run example writes the fee total with five decimals.
    let success = bill(&[
        "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注",
        "`2024-03-01 09:00:00,`wx1,`1900000100,`0,`,`4200000001,`A-1,`o1,`MWEB,`SUCCESS,`OTHERS,`CNY,`0.06,`0.00,`书,`,`0.00036,`0.60%,`0.06,`",
        "总交易单数,应结订单总金额,手续费总金额,订单总金额",
        "`1,`0.06,`0.00036,`0.06",
    ]);
    let mut reader = TradeBillReader::new(success.as_bytes());
    assert_eq!(reader.by_ref().count(), 1);
    assert_eq!(reader.layout(), Some(TradeBillLayout::Success));
    let s = reader.summary().unwrap();
    assert_eq!((s.refund_total, s.fee_total.milli_fen()), (None, 36));
}

#[test]
fn fund_flow_in_both_layouts() {
    let v3 = bill(&[
        "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号",
        "`2018-02-01 04:21:23,`50000305742018020103387128253,`1900009231201802015884652186,`退款,`退款,`支出,`0.02,`0.17,`system,`缺货,`REF4200000068201801293084726067",
        "`2018-02-01 04:22:00,`4200000068201801293084726067,`1900009231201802015884652187,`交易,`交易,`收入,`0.33,`0.50,`1601959334API,`退款总金额0.01元;含手续费0.00元,`4200000068201801293084726067",
        "资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额",
        "`2.0,`1.0,`0.33,`1.0,`0.02",
    ]);
    // APIv2: full-width brackets, no BOM, LF line ends.
    let v2 = v3
        .trim_start_matches('\u{feff}')
        .replace("(元)", "（元）")
        .replace("\r\n", "\n");
    for text in [&v3, &v2] {
        assert_eq!(BillKind::detect(text.as_bytes()), Some(BillKind::FundFlow));
        let mut reader = FundFlowBillReader::new(text.as_bytes());
        let rows: Vec<_> = (&mut reader).map(Result::unwrap).collect();
        assert_eq!(rows[0].signed_amount(), -2);
        assert_eq!(*rows[0].direction(), FundDirection::Expense);
        assert_eq!(*rows[0].business_type(), FundBusinessType::Refund);
        assert_eq!((rows[0].note(), rows[0].applicant()), ("缺货", "system"));
        assert_eq!(rows[1].balance(), 50);
        assert_eq!(rows[1].note(), "退款总金额0.01元;含手续费0.00元");
        assert_eq!(reader.summary().unwrap().income_total, 33);
    }
}

#[test]
fn unknown_values_and_columns_are_kept() {
    let text = bill(&[
        &format!("{ALL_HEADER},新列"),
        "`2024-03-01 09:00:00,`wx1,`1900000100,`0,`,`4200000001,`A-1,`o1,`PALMPAY,`SUCCESS,`OTHERS,`CNY,`1.00,`0.00,`0,`0,`0.00,`0.00,`,`,`书,`,`0.00600,`0.60%,`1.00,`0.00,`,`新值",
        ALL_SUMMARY,
        "`1,`1.00,`0.00,`0.00,`0.00600,`1.00,`0.00",
    ]);
    let row = TradeBillReader::new(text.as_bytes())
        .next()
        .unwrap()
        .unwrap();
    let p = row.as_payment().unwrap();
    assert!(p.trade_type().is_unknown());
    assert_eq!(p.trade_type().as_str(), "PALMPAY");
    assert_eq!(p.extra().collect::<Vec<_>>(), [("新列", "新值")]);
    let json = serde_json::to_value(&row).unwrap();
    assert_eq!(json["trade_type"], "PALMPAY");
    assert_eq!(json["extra"]["新列"], "新值");
    assert_eq!(json["order_total"], 100, "amounts in fen");
}

/// The error at the end of reading `text` as a trade bill, fed a few bytes
/// at a time.
fn trade_error(text: &str) -> BillError {
    let mut last = None;
    for row in TradeBillReader::new(Trickle {
        data: text.as_bytes(),
        step: 7,
    }) {
        if let Err(e) = row {
            last = Some(e);
        }
    }
    last.expect("an error")
}

const ROW: &str = "`2024-03-01 09:00:00,`wx1,`1900000100,`0,`,`4200000001,`A-1,`o1,`JSAPI,`SUCCESS,`OTHERS,`CNY,`1.00,`0.00,`0,`0,`0.00,`0.00,`,`,`书,`,`0.00600,`0.60%,`1.00,`0.00,`";
const SUMMARY_ROW: &str = "`1,`1.00,`0.00,`0.00,`0.00600,`1.00,`0.00";

#[test]
fn a_bill_that_does_not_add_up_says_which_total() {
    let e = trade_error(&bill(&[
        ALL_HEADER,
        ROW,
        ALL_SUMMARY,
        "`1,`1.00,`0.00,`0.00,`0.00600,`1.01,`0.00",
    ]));
    assert_eq!(
        e.to_string(),
        "the bill does not add up: its summary says 订单总金额 is 1.01, its rows add up to 1.00"
    );
    let e = trade_error(&bill(&[ALL_HEADER, ROW, ROW, ALL_SUMMARY, SUMMARY_ROW]));
    assert!(
        e.to_string()
            .contains("总交易单数 is 1, its rows add up to 2"),
        "{e}"
    );
    let e = trade_error(&bill(&[
        ALL_HEADER,
        ROW,
        ALL_SUMMARY,
        "`1,`1.00,`0.00,`0.00,`0.02,`1.00,`0.00",
    ]));
    assert!(
        e.to_string()
            .contains("手续费总金额 is 0.02000, its rows add up to 0.00600"),
        "{e}"
    );
    // Two decimals that round the exact sum are what bills write: fine.
    let rounded = bill(&[
        ALL_HEADER,
        ROW,
        ALL_SUMMARY,
        "`1,`1.00,`0.00,`0.00,`0.01,`1.00,`0.00",
    ]);
    assert!(TradeBillReader::new(rounded.as_bytes()).all(|r| r.is_ok()));
}

#[test]
fn broken_files_are_named_errors() {
    let renamed = ALL_HEADER.replace("商户订单号", "商户单号");
    let e = trade_error(&bill(&[&renamed, ROW, ALL_SUMMARY, SUMMARY_ROW]));
    assert_eq!(
        e.to_string(),
        "the trade bill header has no column 商户订单号 (columns it has that this SDK does not know: 商户单号)"
    );
    let e = trade_error(&bill(&[
        ALL_HEADER,
        ROW,
        "总交易单数,应结订单总金额",
        "`1,`1.00",
    ]));
    assert!(
        e.to_string()
            .starts_with("the trade bill summary has no column 退款总金额"),
        "{e}"
    );
    let e = trade_error(&bill(&[ALL_HEADER, ROW]));
    assert!(matches!(e, BillError::MissingSummary), "{e}");
    let e = trade_error("");
    assert!(matches!(e, BillError::Empty), "{e}");
    let e = trade_error(&bill(&[
        ALL_HEADER,
        &ROW.replace("`1.00,`0.00,`0,", "`1.005,`0.00,`0,"),
    ]));
    assert_eq!(
        e.to_string(),
        "line 2, column 应结订单金额: \"1.005\" is not yuan with up to 2 decimals"
    );
    let e = trade_error(&bill(&[
        ALL_HEADER,
        &ROW.replace("2024-03-01 09:00:00", "2024-02-30 09:00:00"),
    ]));
    assert!(e.to_string().contains("column 交易时间"), "{e}");
    let e = trade_error(&bill(&[ALL_HEADER, &ROW[..ROW.len() - 2]]));
    assert_eq!(
        e.to_string(),
        "line 2 has 26 values where the header has 27 columns"
    );
    let e = trade_error(&bill(&[ALL_HEADER, ROW, ALL_SUMMARY, SUMMARY_ROW, "`more"]));
    assert!(matches!(e, BillError::TrailingContent { line: 5 }), "{e}");
    let e = trade_error(&bill(&["记账时间,微信支付业务单号", "`x,`y"]));
    assert_eq!(
        e.to_string(),
        "this is a fund-flow bill, not a trade bill: read it with the fund-flow reader"
    );
    // GBK bytes (a bill "opened and saved" in a spreadsheet).
    let mut gbk = bill(&[ALL_HEADER]).into_bytes();
    gbk.extend_from_slice(b"`\xd6\xd0\xce\xc4\r\n");
    let mut reader = TradeBillReader::new(&gbk[..]);
    let e = reader.find_map(Result::err).unwrap();
    assert!(matches!(e, BillError::NotUtf8 { line: 2 }), "{e}");
    // No line break for megabytes: refused before memory grows.
    let huge = format!("{ALL_HEADER}\n`{}", "x".repeat(200_000));
    let e = trade_error(&huge);
    assert!(matches!(e, BillError::LineTooLong { line: 2, .. }), "{e}");
    // After an error the reader is done.
    let mut reader = TradeBillReader::new("x\n".as_bytes());
    assert!(reader.next().unwrap().is_err());
    assert!(reader.next().is_none());
}
