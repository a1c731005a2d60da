//! The documented columns of each bill (WeChat Pay's 交易账单/资金账单
//! 详细说明, the same in APIv2 and APIv3), found by name in a header row.
//! Columns the SDK does not know are kept as extras; a known one that is
//! missing is an error naming it.

use std::sync::Arc;

use super::BillError;

/// Which rows a trade bill holds, as its header shows (`bill_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum TradeBillLayout {
    /// `ALL`: payments and refunds.
    All,
    /// `SUCCESS`: payments only (no refund columns).
    Success,
    /// `REFUND`: refunds, with their request and success times.
    Refund,
}

/// A column of the trade bill; the discriminant indexes [`TRADE_COLUMNS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tc {
    Time,
    AppId,
    MchId,
    SubMchId,
    DeviceInfo,
    TransactionId,
    OutTradeNo,
    OpenId,
    TradeType,
    TradeState,
    BankType,
    Currency,
    SettlementTotal,
    Coupon,
    RefundRequestedAt,
    RefundSucceededAt,
    RefundId,
    OutRefundNo,
    RefundAmount,
    RechargeCouponRefund,
    RefundType,
    RefundStatus,
    Product,
    Attach,
    Fee,
    FeeRate,
    OrderTotal,
    RequestedRefund,
    FeeNote,
}

pub(crate) const TRADE_COLUMNS: [&str; 29] = [
    "交易时间",
    "公众账号ID",
    "商户号",
    "特约商户号",
    "设备号",
    "微信订单号",
    "商户订单号",
    "用户标识",
    "交易类型",
    "交易状态",
    "付款银行",
    "货币种类",
    "应结订单金额",
    "代金券金额",
    "退款申请时间",
    "退款成功时间",
    "微信退款单号",
    "商户退款单号",
    "退款金额",
    "充值券退款金额",
    "退款类型",
    "退款状态",
    "商品名称",
    "商户数据包",
    "手续费",
    "费率",
    "订单金额",
    "申请退款金额",
    "费率备注",
];

/// The columns of a SUCCESS bill; ALL adds [`REFUND_COLUMNS`], REFUND also the two times.
const PAYMENT_COLUMNS: [Tc; 20] = [
    Tc::Time,
    Tc::AppId,
    Tc::MchId,
    Tc::SubMchId,
    Tc::DeviceInfo,
    Tc::TransactionId,
    Tc::OutTradeNo,
    Tc::OpenId,
    Tc::TradeType,
    Tc::TradeState,
    Tc::BankType,
    Tc::Currency,
    Tc::SettlementTotal,
    Tc::Coupon,
    Tc::Product,
    Tc::Attach,
    Tc::Fee,
    Tc::FeeRate,
    Tc::OrderTotal,
    Tc::FeeNote,
];
const REFUND_COLUMNS: [Tc; 7] = [
    Tc::RefundId,
    Tc::OutRefundNo,
    Tc::RefundAmount,
    Tc::RechargeCouponRefund,
    Tc::RefundType,
    Tc::RefundStatus,
    Tc::RequestedRefund,
];
const REFUND_TIMES: [Tc; 2] = [Tc::RefundRequestedAt, Tc::RefundSucceededAt];

/// A column of the fund-flow bill; the discriminant indexes [`FUND_COLUMNS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fc {
    Time,
    BusinessNo,
    FlowId,
    BusinessName,
    BusinessType,
    Direction,
    Amount,
    Balance,
    Applicant,
    Note,
    Voucher,
}

pub(crate) const FUND_COLUMNS: [&str; 11] = [
    "记账时间",
    "微信支付业务单号",
    "资金流水单号",
    "业务名称",
    "业务类型",
    "收支类型",
    "收支金额(元)",
    "账户结余(元)",
    "资金变更提交申请人",
    "备注",
    "业务凭证号",
];

/// Trade-bill summary columns; SUCCESS bills have the first, second, fifth and sixth.
pub(crate) const TRADE_SUMMARY: [&str; 7] = [
    "总交易单数",
    "应结订单总金额",
    "退款总金额",
    "充值券退款总金额",
    "手续费总金额",
    "订单总金额",
    "申请退款总金额",
];
pub(crate) const FUND_SUMMARY: [&str; 5] = [
    "资金流水总笔数",
    "收入笔数",
    "收入金额",
    "支出笔数",
    "支出金额",
];

/// The same name, written another way: the old APIv2 pages (and bills made
/// from them) write the fund-flow amounts with full-width brackets `（元）`.
fn normalize(name: &str) -> std::borrow::Cow<'_, str> {
    let name = name.trim();
    if name.contains(['（', '）']) {
        name.replace('（', "(").replace('）', ")").into()
    } else {
        name.into()
    }
}

/// Where each known column sits in a header row, and the extra ones.
#[derive(Debug, Clone)]
pub(crate) struct Columns<const N: usize> {
    /// Known column → index of its cell.
    pub(crate) at: [Option<u16>; N],
    /// Cells of the row.
    pub(crate) width: usize,
    /// Names of the columns the SDK does not know, in order, with their cells.
    pub(crate) extra_names: Option<Arc<[Box<str>]>>,
    pub(crate) extra_at: Vec<u16>,
}

impl<const N: usize> Columns<N> {
    /// Finds every known column of `names` in `header` (bare, comma-separated).
    pub(crate) fn find(header: &str, names: &[&str; N]) -> Result<Self, BillError> {
        let cells: Vec<&str> = header.split(',').collect();
        if cells.len() > usize::from(u16::MAX) {
            return Err(BillError::ColumnCount {
                line: 1,
                expected: usize::from(u16::MAX),
                found: cells.len(),
            });
        }
        let mut at = [None; N];
        let mut extra_names = Vec::new();
        let mut extra_at = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            let cell = normalize(cell);
            // Checked above: fits u16.
            let i = i as u16;
            match names.iter().position(|n| *n == cell) {
                Some(known) if at[known].is_none() => at[known] = Some(i),
                _ => {
                    extra_names.push(Box::<str>::from(cell.as_ref()));
                    extra_at.push(i);
                }
            }
        }
        Ok(Columns {
            at,
            width: cells.len(),
            extra_names: (!extra_names.is_empty()).then(|| extra_names.into()),
            extra_at,
        })
    }

    pub(crate) fn has(&self, column: usize) -> bool {
        self.at[column].is_some()
    }

    /// Fails naming the first of `required` that is missing.
    pub(crate) fn require(
        &self,
        bill: &'static str,
        names: &[&'static str; N],
        required: impl IntoIterator<Item = usize>,
    ) -> Result<(), BillError> {
        for column in required {
            if self.at[column].is_none() {
                return Err(BillError::MissingColumn {
                    bill,
                    column: names[column],
                    unknown: self
                        .extra_names
                        .iter()
                        .flat_map(|n| n.iter().map(|n| n.to_string()))
                        .collect(),
                });
            }
        }
        Ok(())
    }
}

/// What a header row says the bill is, by its first column.
pub(crate) fn kind_of(header: &str) -> Option<&'static str> {
    match normalize(header.split(',').next().unwrap_or_default()).as_ref() {
        "交易时间" => Some("trade"),
        "记账时间" => Some("fund-flow"),
        _ => None,
    }
}

/// The trade columns of a header, checked against the layout they show:
/// any refund column makes it ALL (all seven needed), a refund time REFUND.
pub(crate) fn trade_columns(header: &str) -> Result<(TradeBillLayout, Columns<29>), BillError> {
    let columns = Columns::find(header, &TRADE_COLUMNS)?;
    let layout = if REFUND_TIMES.iter().any(|c| columns.has(*c as usize)) {
        TradeBillLayout::Refund
    } else if REFUND_COLUMNS.iter().any(|c| columns.has(*c as usize)) {
        TradeBillLayout::All
    } else {
        TradeBillLayout::Success
    };
    let mut required: Vec<usize> = PAYMENT_COLUMNS.iter().map(|c| *c as usize).collect();
    if layout != TradeBillLayout::Success {
        required.extend(REFUND_COLUMNS.iter().map(|c| *c as usize));
    }
    if layout == TradeBillLayout::Refund {
        required.extend(REFUND_TIMES.iter().map(|c| *c as usize));
    }
    required.sort_unstable();
    columns.require("trade bill header", &TRADE_COLUMNS, required)?;
    Ok((layout, columns))
}

/// The fund-flow columns of a header: all eleven are needed.
pub(crate) fn fund_columns(header: &str) -> Result<Columns<11>, BillError> {
    let columns = Columns::find(header, &FUND_COLUMNS)?;
    columns.require(
        "fund-flow bill header",
        &FUND_COLUMNS,
        0..FUND_COLUMNS.len(),
    )?;
    Ok(columns)
}

/// The trade summary columns of a layout.
pub(crate) fn trade_summary_columns(
    header: &str,
    layout: TradeBillLayout,
) -> Result<Columns<7>, BillError> {
    let columns = Columns::find(header, &TRADE_SUMMARY)?;
    let required: &[usize] = match layout {
        TradeBillLayout::Success => &[0, 1, 4, 5],
        _ => &[0, 1, 2, 3, 4, 5, 6],
    };
    columns.require(
        "trade bill summary",
        &TRADE_SUMMARY,
        required.iter().copied(),
    )?;
    Ok(columns)
}

/// The fund-flow summary columns: all five.
pub(crate) fn fund_summary_columns(header: &str) -> Result<Columns<5>, BillError> {
    let columns = Columns::find(header, &FUND_SUMMARY)?;
    columns.require(
        "fund-flow bill summary",
        &FUND_SUMMARY,
        0..FUND_SUMMARY.len(),
    )?;
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_are_told_by_their_columns() {
        let all = TRADE_COLUMNS
            .iter()
            .filter(|c| !c.starts_with("退款申请") && !c.starts_with("退款成功"))
            .copied()
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(trade_columns(&all).unwrap().0, TradeBillLayout::All);
        let refund = TRADE_COLUMNS.join(",");
        assert_eq!(trade_columns(&refund).unwrap().0, TradeBillLayout::Refund);
        let renamed = all.replace("应结订单金额", "结算金额");
        let e = trade_columns(&renamed).unwrap_err().to_string();
        assert_eq!(
            e,
            "the trade bill header has no column 应结订单金额 (columns it has that this SDK does not know: 结算金额)"
        );
        let e = trade_columns(&all.replace(",商户退款单号", "")).unwrap_err();
        assert!(e.to_string().contains("no column 商户退款单号"), "{e}");
        let full_width = FUND_COLUMNS.join(",").replace("(元)", "（元）");
        assert!(fund_columns(&full_width).is_ok());
        assert_eq!(
            kind_of("\u{feff}交易时间"),
            None,
            "the BOM is stripped before"
        );
        assert_eq!(kind_of("记账时间,x"), Some("fund-flow"));
    }
}
