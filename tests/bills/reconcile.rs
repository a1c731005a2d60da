//! Reconciliation: each kind of difference between a day's bill and the
//! merchant's records comes out once, with the ids to act on.

use wxpay_core::bills::{
    BillDate, Discrepancy, LocalBook, LocalOrder, LocalOrderState, LocalRefund, LocalRefundState,
    Reconciler, RefundProblem, TradeBillReader,
};

use super::{bill, ALL_HEADER, ALL_SUMMARY};

fn payment(no: &str, yuan: &str) -> String {
    format!("`2024-03-01 10:00:00,`wx1,`1900000100,`0,`,`42{no},`{no},`o1,`JSAPI,`SUCCESS,`OTHERS,`CNY,`{yuan},`0.00,`0,`0,`0.00,`0.00,`,`,`书,`,`0.00000,`0.60%,`{yuan},`0.00,`")
}

fn refund(no: &str, order: &str, yuan: &str, status: &str) -> String {
    format!("`2024-03-01 11:00:00,`wx1,`1900000100,`0,`,`42{order},`{order},`o1,`JSAPI,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`50{no},`{no},`{yuan},`0.00,`ORIGINAL,`{status},`书,`,`0.00000,`0.60%,`0.00,`{yuan},`")
}

#[test]
fn every_difference_is_reported_with_its_ids() {
    let rows = [
        payment("OK-1", "1.00"),
        payment("UNKNOWN", "2.00"),
        payment("AMOUNT", "3.00"),
        payment("STATE", "4.00"),
        refund("RF-OK", "OK-1", "0.50", "SUCCESS"),
        refund("RF-UNKNOWN", "OK-1", "0.10", "SUCCESS"),
        refund("RF-AMOUNT", "AMOUNT", "1.00", "SUCCESS"),
        refund("RF-STATE", "AMOUNT", "0.20", "SUCCESS"),
        refund("RF-ORDER", "STATE", "0.30", "SUCCESS"),
        refund("RF-PENDING", "OK-1", "0.05", "PROCESSING"),
    ];
    let mut lines: Vec<&str> = vec![ALL_HEADER];
    lines.extend(rows.iter().map(String::as_str));
    lines.push(ALL_SUMMARY);
    lines.push("`10,`10.00,`2.15,`0.00,`0.00000,`10.00,`2.15");
    let text = bill(&lines);

    let date: BillDate = "2024-03-01".parse().unwrap();
    let at = |h| date.at(h, 0, 0).unwrap();
    let mut book = LocalBook::new();
    book.add_order(LocalOrder::paid("OK-1", 100, at(10)))
        .add_order(LocalOrder::paid("AMOUNT", 299, at(10)))
        .add_order(LocalOrder::unpaid("STATE", 400))
        .add_order(LocalOrder::paid("MISSING", 500, at(9)))
        .add_order(LocalOrder::paid(
            "YESTERDAY",
            500,
            at(9).plus_seconds(-86_400),
        ))
        .add_order(LocalOrder::unpaid("NEVER-PAID", 700).with_state(LocalOrderState::Closed))
        .add_refund(
            LocalRefund::requested("RF-OK", "OK-1", 50, at(11))
                .with_state(LocalRefundState::Succeeded),
        )
        .add_refund(LocalRefund::requested("RF-AMOUNT", "AMOUNT", 90, at(11)))
        .add_refund(
            LocalRefund::requested("RF-STATE", "AMOUNT", 20, at(11))
                .with_state(LocalRefundState::Failed),
        )
        .add_refund(LocalRefund::requested("RF-ORDER", "OK-1", 30, at(11)))
        .add_refund(
            LocalRefund::requested("RF-PENDING", "OK-1", 5, at(11))
                .with_state(LocalRefundState::Succeeded),
        )
        .add_refund(LocalRefund::requested("RF-MISSING", "OK-1", 1, at(12)));

    let mut reconciler = Reconciler::new(date, &book);
    for row in TradeBillReader::new(text.as_bytes()) {
        reconciler.check(&row.expect("the bill adds up"));
    }
    let report = reconciler.finish();
    assert_eq!((report.payments, report.refunds), (4, 6));
    assert_eq!(
        report.matched, 3,
        "OK-1, RF-OK, RF-PENDING (a bill's PROCESSING may end in success)"
    );
    assert!(!report.is_clean());
    assert_eq!(
        report.discrepancies,
        vec![
            Discrepancy::UnknownPayment {
                out_trade_no: "UNKNOWN".into(),
                transaction_id: "42UNKNOWN".into(),
                amount: 200
            },
            Discrepancy::AmountMismatch {
                out_trade_no: "AMOUNT".into(),
                transaction_id: "42AMOUNT".into(),
                bill: 300,
                local: 299
            },
            Discrepancy::StateMismatch {
                out_trade_no: "STATE".into(),
                transaction_id: "42STATE".into(),
                bill: "SUCCESS".into(),
                local: LocalOrderState::Unpaid
            },
            Discrepancy::UnknownRefund {
                out_refund_no: "RF-UNKNOWN".into(),
                refund_id: "50RF-UNKNOWN".into(),
                out_trade_no: "OK-1".into(),
                amount: 10
            },
            Discrepancy::RefundMismatch {
                out_refund_no: "RF-AMOUNT".into(),
                refund_id: "50RF-AMOUNT".into(),
                out_trade_no: "AMOUNT".into(),
                problem: RefundProblem::Amount {
                    bill: 100,
                    local: 90
                }
            },
            Discrepancy::RefundMismatch {
                out_refund_no: "RF-STATE".into(),
                refund_id: "50RF-STATE".into(),
                out_trade_no: "AMOUNT".into(),
                problem: RefundProblem::State {
                    bill: "SUCCESS".into(),
                    local: LocalRefundState::Failed
                }
            },
            Discrepancy::RefundMismatch {
                out_refund_no: "RF-ORDER".into(),
                refund_id: "50RF-ORDER".into(),
                out_trade_no: "STATE".into(),
                problem: RefundProblem::Order {
                    local: "OK-1".into()
                }
            },
            Discrepancy::MissingFromBill {
                out_trade_no: "MISSING".into()
            },
            Discrepancy::RefundMissingFromBill {
                out_refund_no: "RF-MISSING".into()
            },
        ]
    );
    // Said for a person, with what to do.
    assert_eq!(
        report.discrepancies[7].to_string(),
        "order MISSING is paid in your records but not in the bill: query it before shipping"
    );
    assert!(report.discrepancies[0]
        .to_string()
        .contains("2.00 yuan for order UNKNOWN (transaction 42UNKNOWN)"));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["discrepancies"][1]["kind"], "amount_mismatch");
    assert_eq!(json["date"], "2024-03-01");
}
