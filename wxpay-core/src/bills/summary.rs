//! The summary block after a bill's rows, and the check that the rows add
//! up to it. Sums are kept in 128-bit integers: no bill overflows them.

use super::layout::{Columns, FUND_SUMMARY, TRADE_SUMMARY};
use super::money::{fen_to_yuan, parse_decimal};
use super::record::{FundDirection, FundFlowRecord, RawRow, TradeRecord};
use super::{BillError, Fee};

/// The summary row of a trade bill (总交易单数 ...). Amounts are fen; the
/// refund totals are `None` in SUCCESS bills, which have no such columns.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct TradeSummary {
    /// 总交易单数: payment and refund rows together.
    pub count: u64,
    /// 应结订单总金额.
    pub settlement_total: i64,
    /// 退款总金额.
    pub refund_total: Option<i64>,
    /// 充值券退款总金额.
    pub recharge_coupon_refund_total: Option<i64>,
    /// 手续费总金额 (bills write it with two or five decimals).
    #[serde(rename = "fee_total_milli_fen", serialize_with = "fee_milli_fen")]
    pub fee_total: Fee,
    /// 订单总金额.
    pub order_total: i64,
    /// 申请退款总金额.
    pub requested_refund_total: Option<i64>,
}

fn fee_milli_fen<S: serde::Serializer>(fee: &Fee, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(fee.milli_fen())
}

/// The summary row of a fund-flow bill. Amounts are fen.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct FundFlowSummary {
    /// 资金流水总笔数.
    pub count: u64,
    /// 收入笔数.
    pub income_count: u64,
    /// 收入金额.
    pub income_total: i64,
    /// 支出笔数.
    pub expense_count: u64,
    /// 支出金额.
    pub expense_total: i64,
}

/// A summary value: (value, decimals written).
fn number(
    row: &RawRow<'_>,
    columns_at: Option<u16>,
    name: &str,
    scale: u32,
) -> Result<Option<(i64, u32)>, BillError> {
    let Some(i) = columns_at else {
        return Ok(None);
    };
    let span = row.cells.get(usize::from(i)).copied().unwrap_or_default();
    let text = row
        .text
        .get(span.start as usize..span.end as usize)
        .unwrap_or_default();
    parse_decimal(text, scale)
        .map(Some)
        .ok_or_else(|| BillError::invalid_value(row.line, name, text, "a number"))
}

fn count(row: &RawRow<'_>, at: Option<u16>, name: &str) -> Result<u64, BillError> {
    let (v, _) = number(row, at, name, 0)?.unwrap_or_default();
    u64::try_from(v)
        .map_err(|_| BillError::invalid_value(row.line, name, &v.to_string(), "a count"))
}

fn mismatch(total: &'static str, summary: String, rows: String) -> BillError {
    BillError::SummaryMismatch {
        total,
        summary,
        rows,
    }
}

fn check_count(name: &'static str, summary: u64, rows: u64) -> Result<(), BillError> {
    if summary == rows {
        Ok(())
    } else {
        Err(mismatch(name, summary.to_string(), rows.to_string()))
    }
}

fn check_fen(name: &'static str, summary: i64, rows: i128) -> Result<(), BillError> {
    if i128::from(summary) == rows {
        return Ok(());
    }
    let rows = i64::try_from(rows).map_or_else(|_| rows.to_string(), fen_to_yuan);
    Err(mismatch(name, fen_to_yuan(summary), rows))
}

/// Running sums of a trade bill's rows.
#[derive(Debug, Default)]
pub(crate) struct TradeTotals {
    count: u64,
    settlement: i128,
    refund: i128,
    recharge: i128,
    fee: i128,
    order: i128,
    requested: i128,
}

impl TradeTotals {
    pub(crate) fn add(&mut self, record: &TradeRecord) {
        let (settlement, refund, recharge, fee, order, requested) = record.totals();
        self.count += 1;
        self.settlement += i128::from(settlement);
        self.refund += i128::from(refund);
        self.recharge += i128::from(recharge);
        self.fee += i128::from(fee.milli_fen());
        self.order += i128::from(order);
        self.requested += i128::from(requested);
    }

    /// Reads the summary row and checks the rows against it, total by total.
    pub(crate) fn check(
        &self,
        row: &RawRow<'_>,
        columns: &Columns<7>,
    ) -> Result<TradeSummary, BillError> {
        let at = |i: usize| columns.at[i];
        let fen = |i: usize| -> Result<Option<i64>, BillError> {
            Ok(number(row, at(i), TRADE_SUMMARY[i], 2)?.map(|(v, _)| v))
        };
        let summary_count = count(row, at(0), TRADE_SUMMARY[0])?;
        let (fee, fee_decimals) = number(row, at(4), TRADE_SUMMARY[4], 5)?.unwrap_or_default();
        let summary = TradeSummary {
            count: summary_count,
            settlement_total: fen(1)?.unwrap_or_default(),
            refund_total: fen(2)?,
            recharge_coupon_refund_total: fen(3)?,
            fee_total: Fee::from_milli_fen(fee),
            order_total: fen(5)?.unwrap_or_default(),
            requested_refund_total: fen(6)?,
        };
        check_count(TRADE_SUMMARY[0], summary.count, self.count)?;
        check_fen(TRADE_SUMMARY[1], summary.settlement_total, self.settlement)?;
        if let Some(v) = summary.refund_total {
            check_fen(TRADE_SUMMARY[2], v, self.refund)?;
        }
        if let Some(v) = summary.recharge_coupon_refund_total {
            check_fen(TRADE_SUMMARY[3], v, self.recharge)?;
        }
        // Written with two decimals in some bills and five in others: the
        // rows' exact sum must round to what is written.
        let unit = 10i128.pow(5 - fee_decimals.min(5));
        if 2 * (self.fee - i128::from(fee)).abs() > unit {
            let rows = i64::try_from(self.fee).map_or_else(
                |_| self.fee.to_string(),
                |v| Fee::from_milli_fen(v).to_string(),
            );
            return Err(mismatch(
                TRADE_SUMMARY[4],
                Fee::from_milli_fen(fee).to_string(),
                rows,
            ));
        }
        check_fen(TRADE_SUMMARY[5], summary.order_total, self.order)?;
        if let Some(v) = summary.requested_refund_total {
            check_fen(TRADE_SUMMARY[6], v, self.requested)?;
        }
        Ok(summary)
    }
}

/// Running sums of a fund-flow bill's rows.
#[derive(Debug, Default)]
pub(crate) struct FundTotals {
    count: u64,
    income_count: u64,
    income: i128,
    expense_count: u64,
    expense: i128,
}

impl FundTotals {
    pub(crate) fn add(&mut self, record: &FundFlowRecord) {
        self.count += 1;
        match record.direction() {
            FundDirection::Income => {
                self.income_count += 1;
                self.income += i128::from(record.amount());
            }
            FundDirection::Expense => {
                self.expense_count += 1;
                self.expense += i128::from(record.amount());
            }
            // An unknown direction counts in neither; the total count still
            // matches, the per-direction counts will not.
            _ => {}
        }
    }

    pub(crate) fn check(
        &self,
        row: &RawRow<'_>,
        columns: &Columns<5>,
    ) -> Result<FundFlowSummary, BillError> {
        let at = |i: usize| columns.at[i];
        let fen = |i: usize| -> Result<i64, BillError> {
            Ok(number(row, at(i), FUND_SUMMARY[i], 2)?
                .map(|(v, _)| v)
                .unwrap_or_default())
        };
        let summary = FundFlowSummary {
            count: count(row, at(0), FUND_SUMMARY[0])?,
            income_count: count(row, at(1), FUND_SUMMARY[1])?,
            income_total: fen(2)?,
            expense_count: count(row, at(3), FUND_SUMMARY[3])?,
            expense_total: fen(4)?,
        };
        check_count(FUND_SUMMARY[0], summary.count, self.count)?;
        check_count(FUND_SUMMARY[1], summary.income_count, self.income_count)?;
        check_fen(FUND_SUMMARY[2], summary.income_total, self.income)?;
        check_count(FUND_SUMMARY[3], summary.expense_count, self.expense_count)?;
        check_fen(FUND_SUMMARY[4], summary.expense_total, self.expense)?;
        Ok(summary)
    }
}
