//! Bill files in WeChat Pay's layout (`WECHATPAY-LIFECYCLE.md` §5): UTF-8
//! with a BOM, CRLF line ends; a bare header row, detail rows whose every
//! value starts with a backtick, a bare summary header and a summary row.
//! Amounts in yuan with 2 decimals, fees with 5, the sandbox's rate 0.60%.
//!
//! The APIv2 files (`pay/downloadbill`, `pay/downloadfundflow`) have the
//! same columns; the sandbox writes them without the BOM and, as the APIv2
//! pages do, the fund-flow amounts' headers with full-width brackets
//! `收支金额（元）` (both unconfirmed against a live APIv2 bill).

use crate::digest::sha256_hex;

use crate::clock::{bill_time, cst_day};
use crate::ledger::{Order, Refund, RefundStatus};
use crate::store::Store;

/// Which bill: a trade bill of a `bill_type`, or the basic account's fund flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BillFile {
    /// Trade bill, `bill_type=ALL`: payments and refunds.
    TradeAll,
    /// Trade bill, `bill_type=SUCCESS`: payments.
    TradeSuccess,
    /// Trade bill, `bill_type=REFUND`: refunds, with their times.
    TradeRefund,
    /// Fund-flow bill of the basic account (`account_type=BASIC`).
    FundFlow,
}

/// Whose layout a bill is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum BillApi {
    /// APIv3 (`v3/bill/...`): UTF-8 with a BOM.
    #[default]
    V3,
    /// APIv2 (`pay/downloadbill`, `pay/downloadfundflow`): no BOM, `（元）`.
    V2,
}

const ALL_HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
const SUCCESS_HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注";
const REFUND_HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
const ALL_SUMMARY: &str =
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";
const SUCCESS_SUMMARY: &str = "总交易单数,应结订单总金额,手续费总金额,订单总金额";
const FUND_HEADER: &str = "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号";
const FUND_HEADER_V2: &str = "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额（元）,账户结余（元）,资金变更提交申请人,备注,业务凭证号";
const FUND_SUMMARY: &str = "资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额";

const RATE: &str = "0.60%";

/// The sandbox's fee, 0.6 % rounded to the fen, in fen.
fn fee_fen(fen: i64) -> i64 {
    (fen * 6 + 500).div_euclid(1000)
}

/// Fen as yuan with two decimals.
pub(crate) fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Fen as yuan with five decimals, as fees are written.
fn yuan5(fen: i64) -> String {
    format!("{}000", yuan(fen))
}

/// A value as a bill writes it: backtick first; commas and line breaks in
/// free text would break the layout, so they become `，` and spaces.
fn cell(value: &str) -> String {
    let clean: String = value
        .chars()
        .map(|c| match c {
            ',' => '，',
            '\r' | '\n' | '\u{1}' => ' ',
            c => c,
        })
        .collect();
    format!("`{clean}")
}

fn row(values: &[String]) -> String {
    values.iter().map(|v| cell(v)).collect::<Vec<_>>().join(",")
}

fn file(lines: Vec<String>, api: BillApi) -> String {
    let mut text = match api {
        BillApi::V3 => String::from("\u{feff}"),
        BillApi::V2 => String::new(),
    };
    for line in lines {
        text.push_str(&line);
        text.push_str("\r\n");
    }
    text
}

/// The columns every trade-bill row starts with: time to currency.
fn lead(time: i64, order: &Order, state: &str) -> Vec<String> {
    vec![
        bill_time(time),
        order.appid.clone(),
        order.mchid.clone(),
        order.sub_mchid().unwrap_or("0").to_owned(),
        String::new(),
        order.transaction_id.clone().unwrap_or_default(),
        order.out_trade_no.clone(),
        order.openid.clone().unwrap_or_default(),
        order.trade_type.wire().to_owned(),
        state.to_owned(),
        order.bank_type.clone(),
        order.currency.clone(),
    ]
}

/// A trade bill of the given payments (paid that day) and refunds (asked
/// that day, each with its order); `None` when there is no row at all.
pub(crate) fn trade_bill(
    kind: BillFile,
    payments: &[&Order],
    refunds: &[(&Refund, &Order)],
    api: BillApi,
) -> Option<String> {
    let payments: &[&Order] = if kind == BillFile::TradeRefund {
        &[]
    } else {
        payments
    };
    let refunds: &[(&Refund, &Order)] = if kind == BillFile::TradeSuccess {
        &[]
    } else {
        refunds
    };
    if payments.is_empty() && refunds.is_empty() {
        return None;
    }
    // (time, payment before refund at the same second, the row)
    let mut rows: Vec<(i64, u8, String)> = Vec::new();
    let (mut settled, mut refunded, mut fees, mut ordered) = (0i64, 0i64, 0i64, 0i64);
    for order in payments {
        let time = order.success_unix.unwrap_or(order.created_unix);
        let fee = fee_fen(order.total);
        settled += order.total;
        ordered += order.total;
        fees += fee;
        let mut values = lead(time, order, "SUCCESS");
        values.extend([yuan(order.total), yuan(0)]);
        // (A REFUND bill has no payment rows: `payments` is empty there.)
        if kind == BillFile::TradeAll {
            values.extend([
                "0".into(),
                "0".into(),
                yuan(0),
                yuan(0),
                String::new(),
                String::new(),
            ]);
        }
        values.extend([
            order.description.clone(),
            order.attach.clone(),
            yuan5(fee),
            RATE.into(),
            yuan(order.total),
        ]);
        if kind == BillFile::TradeAll {
            values.push(yuan(0));
        }
        values.push(String::new());
        rows.push((time, 0, row(&values)));
    }
    for (refund, order) in refunds {
        let fee = -fee_fen(refund.refund);
        refunded += refund.refund;
        fees += fee;
        let mut values = lead(refund.created_unix, order, "REFUND");
        values.extend([yuan(0), yuan(0)]);
        if kind == BillFile::TradeRefund {
            values.push(bill_time(refund.created_unix));
            values.push(refund.success_unix.map(bill_time).unwrap_or_default());
        }
        values.extend([
            refund.refund_id.clone(),
            refund.out_refund_no.clone(),
            yuan(refund.refund),
            yuan(0),
            "ORIGINAL".into(),
            refund.status.wire().into(),
            order.description.clone(),
            order.attach.clone(),
            yuan5(fee),
            RATE.into(),
            yuan(0),
            yuan(refund.refund),
            String::new(),
        ]);
        rows.push((refund.created_unix, 1, row(&values)));
    }
    rows.sort();
    let count = rows.len().to_string();
    let (header, summary_header, summary) = match kind {
        BillFile::TradeSuccess => (
            SUCCESS_HEADER,
            SUCCESS_SUMMARY,
            vec![count, yuan(settled), yuan5(fees), yuan(ordered)],
        ),
        _ => (
            if kind == BillFile::TradeAll {
                ALL_HEADER
            } else {
                REFUND_HEADER
            },
            ALL_SUMMARY,
            vec![
                count,
                yuan(settled),
                yuan(refunded),
                yuan(0),
                yuan5(fees),
                yuan(ordered),
                yuan(refunded),
            ],
        ),
    };
    let mut lines = vec![header.to_owned()];
    lines.extend(rows.into_iter().map(|(_, _, r)| r));
    lines.push(summary_header.to_owned());
    lines.push(row(&summary));
    Some(file(lines, api))
}

/// A stable 28-digit flow id for one movement of money.
fn flow_id(source: &str, kind: &str) -> String {
    sha256_hex(format!("{source}/{kind}").as_bytes())
        .bytes()
        .map(|b| char::from(b'0' + b % 10))
        .take(28)
        .collect()
}

/// The basic account's fund flow: payments in, fees and successful refunds
/// out (refunds on the day they succeeded); `None` without movements.
pub(crate) fn fund_flow_bill(
    payments: &[&Order],
    refunds: &[&Refund],
    api: BillApi,
) -> Option<String> {
    struct Movement {
        time: i64,
        business_no: String,
        kind: (&'static str, &'static str),
        income: bool,
        fen: i64,
        by: String,
        note: String,
        voucher: String,
    }
    let mut moves = Vec::new();
    for order in payments {
        let time = order.success_unix.unwrap_or(order.created_unix);
        let id = order.transaction_id.clone().unwrap_or_default();
        moves.push(Movement {
            time,
            business_no: id.clone(),
            kind: ("交易", "交易"),
            income: true,
            fen: order.total,
            by: "system".into(),
            note: String::new(),
            voucher: id.clone(),
        });
        let fee = fee_fen(order.total);
        if fee > 0 {
            moves.push(Movement {
                time,
                business_no: id.clone(),
                kind: ("交易", "扣除交易手续费"),
                income: false,
                fen: fee,
                by: "system".into(),
                note: String::new(),
                voucher: id,
            });
        }
    }
    for refund in refunds.iter().filter(|r| r.status == RefundStatus::Success) {
        moves.push(Movement {
            time: refund.success_unix.unwrap_or(refund.created_unix),
            business_no: refund.refund_id.clone(),
            kind: ("退款", "退款"),
            income: false,
            fen: refund.refund,
            by: format!("{}API", refund.mchid),
            note: format!("退款总金额{}元;含手续费0.00元", yuan(refund.refund)),
            voucher: format!("REF{}", refund.transaction_id),
        });
    }
    if moves.is_empty() {
        return None;
    }
    moves.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| b.income.cmp(&a.income)));
    let header = match api {
        BillApi::V3 => FUND_HEADER,
        BillApi::V2 => FUND_HEADER_V2,
    };
    let mut lines = vec![header.to_owned()];
    let (mut balance, mut ins, mut in_fen, mut outs, mut out_fen) = (0i64, 0, 0i64, 0, 0i64);
    for m in &moves {
        if m.income {
            balance += m.fen;
            ins += 1;
            in_fen += m.fen;
        } else {
            balance -= m.fen;
            outs += 1;
            out_fen += m.fen;
        }
        lines.push(row(&[
            bill_time(m.time),
            m.business_no.clone(),
            flow_id(&m.business_no, m.kind.1),
            m.kind.0.into(),
            m.kind.1.into(),
            if m.income { "收入" } else { "支出" }.into(),
            yuan(m.fen),
            yuan(balance),
            m.by.clone(),
            m.note.clone(),
            m.voucher.clone(),
        ]));
    }
    lines.push(FUND_SUMMARY.to_owned());
    lines.push(row(&[
        moves.len().to_string(),
        ins.to_string(),
        yuan(in_fen),
        outs.to_string(),
        yuan(out_fen),
    ]));
    Some(file(lines, api))
}

/// The bill of CST day `day` (days since 1970) of `mchid` (and of one
/// sub-merchant, if given) as it stands now: trade bills list payments that
/// succeeded that day and refunds asked for that day; the fund flow,
/// payments and their fees that day and refunds that succeeded that day.
/// `None` when it has no row (WeChat's `NO_STATEMENT_EXIST`).
pub(crate) fn day_bill(
    store: &Store,
    mchid: &str,
    sub_mchid: Option<&str>,
    day: i64,
    file: BillFile,
    api: BillApi,
) -> Option<String> {
    let (orders, refunds) = store.ledger_of(mchid);
    let mine = |o: &Order| sub_mchid.is_none() || o.sub_mchid() == sub_mchid;
    let payments: Vec<&Order> = orders
        .filter(|o| mine(o))
        .filter(|o| o.success_unix.is_some_and(|t| cst_day(t) == day))
        .collect();
    if file == BillFile::FundFlow {
        let refunds: Vec<&Refund> = refunds
            .filter(|r| sub_mchid.is_none() || r.sub_mchid.as_deref() == sub_mchid)
            .filter(|r| r.success_unix.is_some_and(|t| cst_day(t) == day))
            .collect();
        return fund_flow_bill(&payments, &refunds, api);
    }
    let refunds: Vec<(&Refund, &Order)> = refunds
        .filter(|r| cst_day(r.created_unix) == day)
        .filter_map(|r| Some((r, store.order(&r.mchid, &r.out_trade_no)?)))
        .filter(|(_, o)| mine(o))
        .collect();
    trade_bill(file, &payments, &refunds, api)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_in_yuan() {
        assert_eq!(yuan(1), "0.01");
        assert_eq!(yuan(12345), "123.45");
        assert_eq!(yuan(-5), "-0.05");
        assert_eq!(yuan5(1), "0.01000");
        assert_eq!(fee_fen(100), 1);
        assert_eq!(fee_fen(50), 0);
    }

    #[test]
    fn cells_start_with_a_backtick_and_keep_the_layout() {
        assert_eq!(cell("a,b\r\nc"), "`a，b  c");
        assert_eq!(row(&["x".into(), String::new()]), "`x,`");
    }

    #[test]
    fn no_rows_no_bill() {
        assert!(trade_bill(BillFile::TradeAll, &[], &[], BillApi::V3).is_none());
        assert!(fund_flow_bill(&[], &[], BillApi::V2).is_none());
    }
}
