//! Typed bill rows: payments and refunds of the trade bill, movements of the
//! fund-flow bill. A row keeps its line as read and the places of its text
//! values in it (one allocation a row); amounts, times and states are
//! parsed when the row is read, so a bad value fails there, naming it.

use std::sync::Arc;

use super::layout::{Columns, Fc, Tc, FUND_COLUMNS, TRADE_COLUMNS};
use super::money::{parse_decimal, parse_fen};
use super::time::parse_bill_time;
use super::{BillError, ChinaTime, Fee, FeeRate};

mod json;
mod kinds;

pub use kinds::*;

/// Where a value sits in its row's line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

/// The values of a row the SDK has no column for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Extras {
    names: Option<Arc<[Box<str>]>>,
    spans: Vec<Span>,
}

/// A row being read: its line, the places of its values, its line number.
pub(crate) struct RawRow<'a> {
    pub(crate) text: &'a str,
    pub(crate) cells: &'a [Span],
    pub(crate) line: u64,
}

impl<'a> RawRow<'a> {
    fn span<const N: usize>(&self, columns: &Columns<N>, column: usize) -> Span {
        columns.at[column]
            .and_then(|i| self.cells.get(usize::from(i)).copied())
            .unwrap_or_default()
    }

    fn value<const N: usize>(&self, columns: &Columns<N>, column: usize) -> &'a str {
        let s = self.span(columns, column);
        self.text
            .get(s.start as usize..s.end as usize)
            .unwrap_or_default()
    }

    fn extras<const N: usize>(&self, columns: &Columns<N>) -> Extras {
        Extras {
            names: columns.extra_names.clone(),
            spans: columns
                .extra_at
                .iter()
                .map(|i| self.cells.get(usize::from(*i)).copied().unwrap_or_default())
                .collect(),
        }
    }

    fn bad(&self, name: &str, value: &str, expected: &'static str) -> BillError {
        BillError::invalid_value(self.line, name, value, expected)
    }

    fn fen<const N: usize>(
        &self,
        columns: &Columns<N>,
        names: &[&str; N],
        column: usize,
    ) -> Result<i64, BillError> {
        if !columns.has(column) {
            return Ok(0);
        }
        let v = self.value(columns, column);
        parse_fen(v).ok_or_else(|| self.bad(names[column], v, "yuan with up to 2 decimals"))
    }

    fn time<const N: usize>(
        &self,
        columns: &Columns<N>,
        names: &[&str; N],
        column: usize,
    ) -> Result<Option<ChinaTime>, BillError> {
        let v = self.value(columns, column);
        if v.is_empty() {
            return Ok(None);
        }
        parse_bill_time(v)
            .map(Some)
            .ok_or_else(|| self.bad(names[column], v, "a time such as 2019-02-19 05:01:46"))
    }
}

/// The text columns of a trade row, in [`TradeRow::spans`].
#[derive(Clone, Copy)]
enum Tt {
    AppId,
    MchId,
    SubMchId,
    DeviceInfo,
    TransactionId,
    OutTradeNo,
    OpenId,
    BankType,
    Currency,
    RefundId,
    OutRefundNo,
    Product,
    Attach,
    FeeNote,
}

const TRADE_TEXT: [(Tt, Tc); 14] = [
    (Tt::AppId, Tc::AppId),
    (Tt::MchId, Tc::MchId),
    (Tt::SubMchId, Tc::SubMchId),
    (Tt::DeviceInfo, Tc::DeviceInfo),
    (Tt::TransactionId, Tc::TransactionId),
    (Tt::OutTradeNo, Tc::OutTradeNo),
    (Tt::OpenId, Tc::OpenId),
    (Tt::BankType, Tc::BankType),
    (Tt::Currency, Tc::Currency),
    (Tt::RefundId, Tc::RefundId),
    (Tt::OutRefundNo, Tc::OutRefundNo),
    (Tt::Product, Tc::Product),
    (Tt::Attach, Tc::Attach),
    (Tt::FeeNote, Tc::FeeNote),
];

/// Everything a trade-bill row holds.
#[derive(Clone, PartialEq, Eq)]
struct TradeRow {
    text: String,
    spans: [Span; 14],
    time: ChinaTime,
    trade_type: TradeType,
    trade_state: TradeState,
    settlement_total: i64,
    coupon: i64,
    refund: i64,
    recharge_coupon_refund: i64,
    order_total: i64,
    requested_refund: i64,
    fee: Fee,
    fee_rate: Option<FeeRate>,
    refund_type: Option<RefundType>,
    refund_status: Option<RefundStatus>,
    refund_requested_at: Option<ChinaTime>,
    refund_succeeded_at: Option<ChinaTime>,
    extras: Extras,
}

impl TradeRow {
    fn text(&self, t: Tt) -> &str {
        let s = self.spans[t as usize];
        self.text
            .get(s.start as usize..s.end as usize)
            .unwrap_or_default()
    }
}

/// One detail row of a trade bill: a payment or a refund.
///
/// Refund rows are those whose 交易状态 is `REFUND` or that carry a refund
/// id; the rest (`SUCCESS`, `REVOKED`) are payments.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TradeRecord {
    /// A payment (or a reversed one: see [`Payment::trade_state`]).
    Payment(Payment),
    /// A refund.
    Refund(Refund),
}

/// A payment row of a trade bill. Amounts are fen.
#[derive(Clone, PartialEq, Eq)]
pub struct Payment(Box<TradeRow>);

/// A refund row of a trade bill: it appears on the day the refund was
/// requested and is not updated later. Amounts are fen.
#[derive(Clone, PartialEq, Eq)]
pub struct Refund(Box<TradeRow>);

/// The accessors payments and refunds share.
macro_rules! order_accessors {
    () => {
        /// 交易时间: when it was paid (a payment) or asked for (a refund), China time.
        pub fn time(&self) -> ChinaTime {
            self.0.time
        }
        /// 公众账号ID.
        pub fn appid(&self) -> &str {
            self.0.text(Tt::AppId)
        }
        /// 商户号.
        pub fn mchid(&self) -> &str {
            self.0.text(Tt::MchId)
        }
        /// 特约商户号 (a partner's sub-merchant); `None` for a direct merchant (`0`).
        pub fn sub_mchid(&self) -> Option<&str> {
            Some(self.0.text(Tt::SubMchId)).filter(|s| !s.is_empty() && *s != "0")
        }
        /// 设备号 (often empty).
        pub fn device_info(&self) -> &str {
            self.0.text(Tt::DeviceInfo)
        }
        /// 微信订单号.
        pub fn transaction_id(&self) -> &str {
            self.0.text(Tt::TransactionId)
        }
        /// 商户订单号.
        pub fn out_trade_no(&self) -> &str {
            self.0.text(Tt::OutTradeNo)
        }
        /// 用户标识 (the payer's openid).
        pub fn openid(&self) -> &str {
            self.0.text(Tt::OpenId)
        }
        /// 交易类型.
        pub fn trade_type(&self) -> &TradeType {
            &self.0.trade_type
        }
        /// 交易状态.
        pub fn trade_state(&self) -> &TradeState {
            &self.0.trade_state
        }
        /// 付款银行, e.g. `OTHERS`, `CMB_CREDIT`.
        pub fn bank_type(&self) -> &str {
            self.0.text(Tt::BankType)
        }
        /// 货币种类, e.g. `CNY`.
        pub fn currency(&self) -> &str {
            self.0.text(Tt::Currency)
        }
        /// 商品名称 (the order's description).
        pub fn product(&self) -> &str {
            self.0.text(Tt::Product)
        }
        /// 商户数据包 (the order's `attach`).
        pub fn attach(&self) -> &str {
            self.0.text(Tt::Attach)
        }
        /// 手续费, exact to five decimals of a yuan (negative when returned with a refund).
        pub fn fee(&self) -> Fee {
            self.0.fee
        }
        /// 费率; `None` where the bill leaves it empty.
        pub fn fee_rate(&self) -> Option<FeeRate> {
            self.0.fee_rate
        }
        /// 费率备注.
        pub fn fee_note(&self) -> &str {
            self.0.text(Tt::FeeNote)
        }
        /// Columns of the row this SDK does not know, by name, in order.
        pub fn extra(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
            extras(&self.0.text, &self.0.extras)
        }
    };
}

fn extras<'a>(text: &'a str, extras: &'a Extras) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
    let names = extras.names.as_deref().unwrap_or_default();
    names.iter().zip(&extras.spans).map(move |(name, s)| {
        (
            name.as_ref(),
            text.get(s.start as usize..s.end as usize)
                .unwrap_or_default(),
        )
    })
}

impl Payment {
    order_accessors!();

    /// 应结订单金额: the order amount less non-settling coupons, in fen.
    pub fn settlement_total(&self) -> i64 {
        self.0.settlement_total
    }
    /// 代金券金额 in fen.
    pub fn coupon(&self) -> i64 {
        self.0.coupon
    }
    /// 订单金额: what the order asked for (`amount.total`), in fen.
    pub fn order_total(&self) -> i64 {
        self.0.order_total
    }
}

impl Refund {
    order_accessors!();

    /// 微信退款单号.
    pub fn refund_id(&self) -> &str {
        self.0.text(Tt::RefundId)
    }
    /// 商户退款单号.
    pub fn out_refund_no(&self) -> &str {
        self.0.text(Tt::OutRefundNo)
    }
    /// 退款金额: what was refunded, in fen.
    pub fn refund(&self) -> i64 {
        self.0.refund
    }
    /// 充值券退款金额 in fen.
    pub fn recharge_coupon_refund(&self) -> i64 {
        self.0.recharge_coupon_refund
    }
    /// 申请退款金额: what the merchant asked to refund, in fen.
    pub fn requested_refund(&self) -> i64 {
        self.0.requested_refund
    }
    /// 退款类型.
    pub fn refund_type(&self) -> Option<&RefundType> {
        self.0.refund_type.as_ref()
    }
    /// 退款状态.
    pub fn refund_status(&self) -> Option<&RefundStatus> {
        self.0.refund_status.as_ref()
    }
    /// 退款申请时间 (REFUND bills); [`time`](Self::time) elsewhere, which is the same moment.
    pub fn requested_at(&self) -> ChinaTime {
        self.0.refund_requested_at.unwrap_or(self.0.time)
    }
    /// 退款成功时间 (REFUND bills, once it succeeded).
    pub fn succeeded_at(&self) -> Option<ChinaTime> {
        self.0.refund_succeeded_at
    }
    /// 应结订单金额 of the row (`0.00` on refund rows), in fen.
    pub fn settlement_total(&self) -> i64 {
        self.0.settlement_total
    }
    /// 订单金额 of the row (`0.00` on refund rows), in fen.
    pub fn order_total(&self) -> i64 {
        self.0.order_total
    }
}

impl TradeRecord {
    fn row(&self) -> &TradeRow {
        match self {
            TradeRecord::Payment(p) => &p.0,
            TradeRecord::Refund(r) => &r.0,
        }
    }

    /// 商户订单号 (of the paid order, for a refund too).
    pub fn out_trade_no(&self) -> &str {
        self.row().text(Tt::OutTradeNo)
    }

    /// 微信订单号.
    pub fn transaction_id(&self) -> &str {
        self.row().text(Tt::TransactionId)
    }

    /// 交易时间.
    pub fn time(&self) -> ChinaTime {
        self.row().time
    }

    /// The payment, if this is one.
    pub fn as_payment(&self) -> Option<&Payment> {
        match self {
            TradeRecord::Payment(p) => Some(p),
            TradeRecord::Refund(_) => None,
        }
    }

    /// The refund, if this is one.
    pub fn as_refund(&self) -> Option<&Refund> {
        match self {
            TradeRecord::Refund(r) => Some(r),
            TradeRecord::Payment(_) => None,
        }
    }

    /// The amounts the summary adds up: (应结订单金额, 退款金额,
    /// 充值券退款金额, 手续费, 订单金额, 申请退款金额).
    pub(crate) fn totals(&self) -> (i64, i64, i64, Fee, i64, i64) {
        let r = self.row();
        (
            r.settlement_total,
            r.refund,
            r.recharge_coupon_refund,
            r.fee,
            r.order_total,
            r.requested_refund,
        )
    }

    /// Reads one row of a trade bill.
    pub(crate) fn read(row: &RawRow<'_>, columns: &Columns<29>) -> Result<Self, BillError> {
        let names = &TRADE_COLUMNS;
        let value = |c: Tc| row.value(columns, c as usize);
        let fen = |c: Tc| row.fen(columns, names, c as usize);
        let time = row
            .time(columns, names, Tc::Time as usize)?
            .ok_or_else(|| {
                row.bad(
                    names[Tc::Time as usize],
                    "",
                    "a time such as 2019-02-19 05:01:46",
                )
            })?;
        let fee_text = value(Tc::Fee);
        let fee = parse_decimal(fee_text, 5)
            .map(|(v, _)| Fee::from_milli_fen(v))
            .ok_or_else(|| {
                row.bad(
                    names[Tc::Fee as usize],
                    fee_text,
                    "yuan with up to 5 decimals",
                )
            })?;
        let rate_text = value(Tc::FeeRate);
        let fee_rate = match rate_text {
            "" => None,
            t => Some(t.parse::<FeeRate>().map_err(|e| e.at_line(row.line))?),
        };
        let optional = |c: Tc| Some(value(c)).filter(|v| !v.is_empty());
        let mut spans = [Span::default(); 14];
        for (t, c) in TRADE_TEXT {
            spans[t as usize] = row.span(columns, c as usize);
        }
        let trade_state: TradeState = parse_enum(value(Tc::TradeState));
        // Boxed: the row moves through the readers as a pointer.
        let record = Box::new(TradeRow {
            text: String::new(),
            spans,
            time,
            trade_type: parse_enum(value(Tc::TradeType)),
            settlement_total: fen(Tc::SettlementTotal)?,
            coupon: fen(Tc::Coupon)?,
            refund: fen(Tc::RefundAmount)?,
            recharge_coupon_refund: fen(Tc::RechargeCouponRefund)?,
            order_total: fen(Tc::OrderTotal)?,
            requested_refund: fen(Tc::RequestedRefund)?,
            fee,
            fee_rate,
            refund_type: optional(Tc::RefundType).map(parse_enum),
            refund_status: optional(Tc::RefundStatus).map(parse_enum),
            refund_requested_at: row.time(columns, names, Tc::RefundRequestedAt as usize)?,
            refund_succeeded_at: row.time(columns, names, Tc::RefundSucceededAt as usize)?,
            extras: row.extras(columns),
            trade_state,
        });
        let refund_id = value(Tc::RefundId);
        let is_refund =
            record.trade_state == TradeState::Refund || !(refund_id.is_empty() || refund_id == "0");
        Ok(if is_refund {
            TradeRecord::Refund(Refund(record))
        } else {
            TradeRecord::Payment(Payment(record))
        })
    }

    /// Gives the row its line (moved in once the values were read from it).
    pub(crate) fn with_text(mut self, text: String) -> Self {
        match &mut self {
            TradeRecord::Payment(p) => p.0.text = text,
            TradeRecord::Refund(r) => r.0.text = text,
        }
        self
    }
}

fn parse_enum<T: std::str::FromStr<Err = std::convert::Infallible>>(text: &str) -> T {
    match text.parse() {
        Ok(v) => v,
        Err(never) => match never {},
    }
}

/// One movement of money in a fund-flow bill. Amounts are fen.
#[derive(Clone, PartialEq, Eq)]
pub struct FundFlowRecord {
    text: String,
    /// 微信支付业务单号, 资金流水单号, 资金变更提交申请人, 备注, 业务凭证号.
    spans: [Span; 5],
    time: ChinaTime,
    business_name: FundBusinessName,
    business_type: FundBusinessType,
    direction: FundDirection,
    amount: i64,
    balance: i64,
    extras: Extras,
}

impl FundFlowRecord {
    fn text(&self, i: usize) -> &str {
        let s = self.spans[i];
        self.text
            .get(s.start as usize..s.end as usize)
            .unwrap_or_default()
    }

    /// 记账时间 (China time).
    pub fn time(&self) -> ChinaTime {
        self.time
    }
    /// 微信支付业务单号 (e.g. the transaction or refund id).
    pub fn business_no(&self) -> &str {
        self.text(0)
    }
    /// 资金流水单号.
    pub fn flow_id(&self) -> &str {
        self.text(1)
    }
    /// 业务名称.
    pub fn business_name(&self) -> &FundBusinessName {
        &self.business_name
    }
    /// 业务类型.
    pub fn business_type(&self) -> &FundBusinessType {
        &self.business_type
    }
    /// 收支类型.
    pub fn direction(&self) -> &FundDirection {
        &self.direction
    }
    /// 收支金额 in fen, as written (positive for income and expense alike).
    pub fn amount(&self) -> i64 {
        self.amount
    }
    /// The movement with its sign: positive income, negative expense.
    pub fn signed_amount(&self) -> i64 {
        match self.direction {
            FundDirection::Expense => -self.amount,
            _ => self.amount,
        }
    }
    /// 账户结余: the balance after this movement, in fen.
    pub fn balance(&self) -> i64 {
        self.balance
    }
    /// 资金变更提交申请人: `system`, or `<mchid>API` ...
    pub fn applicant(&self) -> &str {
        self.text(2)
    }
    /// 备注.
    pub fn note(&self) -> &str {
        self.text(3)
    }
    /// 业务凭证号.
    pub fn voucher(&self) -> &str {
        self.text(4)
    }
    /// Columns of the row this SDK does not know, by name, in order.
    pub fn extra(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        extras(&self.text, &self.extras)
    }

    /// Reads one row of a fund-flow bill.
    pub(crate) fn read(row: &RawRow<'_>, columns: &Columns<11>) -> Result<Self, BillError> {
        let names = &FUND_COLUMNS;
        let value = |c: Fc| row.value(columns, c as usize);
        let time = row
            .time(columns, names, Fc::Time as usize)?
            .ok_or_else(|| {
                row.bad(
                    names[Fc::Time as usize],
                    "",
                    "a time such as 2019-02-19 05:01:46",
                )
            })?;
        let span = |c: Fc| row.span(columns, c as usize);
        Ok(FundFlowRecord {
            text: String::new(),
            spans: [
                span(Fc::BusinessNo),
                span(Fc::FlowId),
                span(Fc::Applicant),
                span(Fc::Note),
                span(Fc::Voucher),
            ],
            time,
            business_name: parse_enum(value(Fc::BusinessName)),
            business_type: parse_enum(value(Fc::BusinessType)),
            direction: parse_enum(value(Fc::Direction)),
            amount: row.fen(columns, names, Fc::Amount as usize)?,
            balance: row.fen(columns, names, Fc::Balance as usize)?,
            extras: row.extras(columns),
        })
    }

    pub(crate) fn with_text(mut self, text: String) -> Self {
        self.text = text;
        self
    }
}
