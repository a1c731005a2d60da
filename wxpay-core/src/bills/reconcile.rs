//! Reconciliation (对账): the day's trade bill against the merchant's own
//! records, row by row as the bill streams in. Every difference comes out
//! with the ids needed to act on it.

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::money::fen_to_yuan;
use super::record::{RefundStatus, TradeRecord, TradeState};
use super::{BillDate, ChinaTime, Payment, Refund};

/// What the merchant's system knows of an order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct LocalOrder {
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The amount asked for (`amount.total`), in fen.
    pub total: i64,
    /// Whether the merchant saw it paid.
    pub state: LocalOrderState,
    /// When it was paid (its `success_time`), if known.
    pub paid_at: Option<ChinaTime>,
}

impl LocalOrder {
    /// An order the merchant saw paid at `paid_at`.
    pub fn paid(out_trade_no: impl Into<String>, total: i64, paid_at: ChinaTime) -> Self {
        LocalOrder {
            out_trade_no: out_trade_no.into(),
            total,
            state: LocalOrderState::Paid,
            paid_at: Some(paid_at),
        }
    }

    /// An order the merchant has not seen paid (yet).
    pub fn unpaid(out_trade_no: impl Into<String>, total: i64) -> Self {
        LocalOrder {
            out_trade_no: out_trade_no.into(),
            total,
            state: LocalOrderState::Unpaid,
            paid_at: None,
        }
    }

    /// The same order in another state.
    pub fn with_state(mut self, state: LocalOrderState) -> Self {
        self.state = state;
        self
    }
}

/// An order's state in the merchant's system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum LocalOrderState {
    /// Paid (refunded later or not).
    Paid,
    /// Waiting for payment.
    Unpaid,
    /// Closed or cancelled without payment.
    Closed,
}

/// What the merchant's system knows of a refund.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct LocalRefund {
    /// The merchant's refund number.
    pub out_refund_no: String,
    /// The order it refunds.
    pub out_trade_no: String,
    /// The amount asked for, in fen.
    pub amount: i64,
    /// What the merchant knows of its outcome.
    pub state: LocalRefundState,
    /// When it was asked for, if known.
    pub requested_at: Option<ChinaTime>,
}

impl LocalRefund {
    /// A refund of `amount` fen of `out_trade_no` asked for at `requested_at`, outcome unknown yet.
    pub fn requested(
        out_refund_no: impl Into<String>,
        out_trade_no: impl Into<String>,
        amount: i64,
        requested_at: ChinaTime,
    ) -> Self {
        LocalRefund {
            out_refund_no: out_refund_no.into(),
            out_trade_no: out_trade_no.into(),
            amount,
            state: LocalRefundState::Processing,
            requested_at: Some(requested_at),
        }
    }

    /// The same refund in another state.
    pub fn with_state(mut self, state: LocalRefundState) -> Self {
        self.state = state;
        self
    }
}

/// A refund's state in the merchant's system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum LocalRefundState {
    /// Asked for; the outcome is not known.
    Processing,
    /// Refunded.
    Succeeded,
    /// Closed or failed.
    Failed,
}

/// The lookup the application gives the [`Reconciler`]: its orders and
/// refunds by number, and which of them it expects in a day's bill.
pub trait MerchantRecords {
    /// The order with this `out_trade_no`, if the merchant has it.
    fn order(&self, out_trade_no: &str) -> Option<LocalOrder>;
    /// The refund with this `out_refund_no`, if the merchant has it.
    fn refund(&self, out_refund_no: &str) -> Option<LocalRefund>;
    /// The `out_trade_no` of every order the merchant saw paid on `date`
    /// (China calendar): each should be in that day's bill.
    fn paid_on(&self, date: BillDate) -> Vec<String>;
    /// The `out_refund_no` of every refund the merchant asked for on `date`.
    fn refunds_requested_on(&self, date: BillDate) -> Vec<String>;
}

impl<T: MerchantRecords + ?Sized> MerchantRecords for &T {
    fn order(&self, out_trade_no: &str) -> Option<LocalOrder> {
        (**self).order(out_trade_no)
    }
    fn refund(&self, out_refund_no: &str) -> Option<LocalRefund> {
        (**self).refund(out_refund_no)
    }
    fn paid_on(&self, date: BillDate) -> Vec<String> {
        (**self).paid_on(date)
    }
    fn refunds_requested_on(&self, date: BillDate) -> Vec<String> {
        (**self).refunds_requested_on(date)
    }
}

/// [`MerchantRecords`] in memory: for tests, tools, and applications that
/// load a day's orders anyway.
#[derive(Debug, Clone, Default)]
pub struct LocalBook {
    orders: HashMap<String, LocalOrder>,
    refunds: HashMap<String, LocalRefund>,
}

impl LocalBook {
    /// An empty book.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) an order.
    pub fn add_order(&mut self, order: LocalOrder) -> &mut Self {
        self.orders.insert(order.out_trade_no.clone(), order);
        self
    }

    /// Adds (or replaces) a refund.
    pub fn add_refund(&mut self, refund: LocalRefund) -> &mut Self {
        self.refunds.insert(refund.out_refund_no.clone(), refund);
        self
    }
}

impl MerchantRecords for LocalBook {
    fn order(&self, out_trade_no: &str) -> Option<LocalOrder> {
        self.orders.get(out_trade_no).cloned()
    }
    fn refund(&self, out_refund_no: &str) -> Option<LocalRefund> {
        self.refunds.get(out_refund_no).cloned()
    }
    fn paid_on(&self, date: BillDate) -> Vec<String> {
        let mut paid: Vec<String> = self
            .orders
            .values()
            .filter(|o| o.state == LocalOrderState::Paid)
            .filter(|o| o.paid_at.is_some_and(|t| t.date() == date))
            .map(|o| o.out_trade_no.clone())
            .collect();
        paid.sort();
        paid
    }
    fn refunds_requested_on(&self, date: BillDate) -> Vec<String> {
        let mut asked: Vec<String> = self
            .refunds
            .values()
            .filter(|r| r.requested_at.is_some_and(|t| t.date() == date))
            .map(|r| r.out_refund_no.clone())
            .collect();
        asked.sort();
        asked
    }
}

/// One difference between the bill and the merchant's records.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Discrepancy {
    /// Paid that day by the merchant's records, but not in the bill: the
    /// payment may not have happened (query the order before shipping).
    MissingFromBill {
        /// The order.
        out_trade_no: String,
    },
    /// A payment in the bill the merchant does not know: query it, then
    /// fulfil or refund it.
    UnknownPayment {
        /// The order.
        out_trade_no: String,
        /// WeChat Pay's id of the payment.
        transaction_id: String,
        /// 订单金额 in fen.
        amount: i64,
    },
    /// The bill's 订单金额 is not the merchant's `total`.
    AmountMismatch {
        /// The order.
        out_trade_no: String,
        /// WeChat Pay's id of the payment.
        transaction_id: String,
        /// What the bill says, in fen.
        bill: i64,
        /// What the merchant has, in fen.
        local: i64,
    },
    /// Paid (or reversed) in the bill, another state locally: a missed
    /// notification, usually; query the order and update it.
    StateMismatch {
        /// The order.
        out_trade_no: String,
        /// WeChat Pay's id of the payment.
        transaction_id: String,
        /// The bill's 交易状态.
        bill: String,
        /// The merchant's state.
        local: LocalOrderState,
    },
    /// A refund in the bill the merchant does not know.
    UnknownRefund {
        /// The refund.
        out_refund_no: String,
        /// WeChat Pay's id of the refund.
        refund_id: String,
        /// The order refunded.
        out_trade_no: String,
        /// 申请退款金额 in fen.
        amount: i64,
    },
    /// A refund in the bill that differs from the merchant's.
    RefundMismatch {
        /// The refund.
        out_refund_no: String,
        /// WeChat Pay's id of the refund.
        refund_id: String,
        /// The order refunded, as the bill says.
        out_trade_no: String,
        /// What differs.
        problem: RefundProblem,
    },
    /// Asked for that day by the merchant's records, but not in the bill:
    /// query the refund.
    RefundMissingFromBill {
        /// The refund.
        out_refund_no: String,
    },
}

/// What differs between a refund row and the merchant's refund.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "what", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RefundProblem {
    /// 申请退款金额 differs, in fen.
    Amount {
        /// The bill's.
        bill: i64,
        /// The merchant's.
        local: i64,
    },
    /// It refunds another order.
    Order {
        /// The merchant's `out_trade_no` for it.
        local: String,
    },
    /// 退款状态 disagrees with what the merchant knows.
    State {
        /// The bill's 退款状态.
        bill: String,
        /// The merchant's.
        local: LocalRefundState,
    },
}

impl fmt::Display for Discrepancy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingFromBill { out_trade_no } => write!(
                f,
                "order {out_trade_no} is paid in your records but not in the bill: query it before shipping"
            ),
            Self::UnknownPayment { out_trade_no, transaction_id, amount } => write!(
                f,
                "the bill has a payment of {} yuan for order {out_trade_no} (transaction {transaction_id}) that your records lack: query it, then fulfil or refund it",
                fen_to_yuan(*amount)
            ),
            Self::AmountMismatch { out_trade_no, transaction_id, bill, local } => write!(
                f,
                "order {out_trade_no} (transaction {transaction_id}): the bill says {} yuan, your records {} yuan",
                fen_to_yuan(*bill),
                fen_to_yuan(*local)
            ),
            Self::StateMismatch { out_trade_no, transaction_id, bill, local } => write!(
                f,
                "order {out_trade_no} (transaction {transaction_id}) is {bill} in the bill but {local:?} in your records: query it and update your records"
            ),
            Self::UnknownRefund { out_refund_no, refund_id, out_trade_no, amount } => write!(
                f,
                "the bill has a refund {out_refund_no} (refund {refund_id}) of {} yuan for order {out_trade_no} that your records lack",
                fen_to_yuan(*amount)
            ),
            Self::RefundMismatch { out_refund_no, refund_id, out_trade_no, problem } => {
                write!(f, "refund {out_refund_no} (refund {refund_id}, order {out_trade_no}): ")?;
                match problem {
                    RefundProblem::Amount { bill, local } => write!(
                        f,
                        "the bill says {} yuan, your records {} yuan",
                        fen_to_yuan(*bill),
                        fen_to_yuan(*local)
                    ),
                    RefundProblem::Order { local } => {
                        write!(f, "your records have it for order {local}")
                    }
                    RefundProblem::State { bill, local } => write!(
                        f,
                        "{bill} in the bill but {local:?} in your records: query the refund"
                    ),
                }
            }
            Self::RefundMissingFromBill { out_refund_no } => write!(
                f,
                "refund {out_refund_no} was asked for in your records but is not in the bill: query it"
            ),
        }
    }
}

/// The outcome of a reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Reconciliation {
    /// The bill's day.
    pub date: BillDate,
    /// Payment rows read.
    pub payments: u64,
    /// Refund rows read.
    pub refunds: u64,
    /// Rows that matched the merchant's records exactly.
    pub matched: u64,
    /// Every difference, in bill order, then the expected rows the bill lacked.
    pub discrepancies: Vec<Discrepancy>,
}

impl Reconciliation {
    /// Whether bill and records agree entirely.
    pub fn is_clean(&self) -> bool {
        self.discrepancies.is_empty()
    }
}

/// Checks a day's trade bill (an ALL bill, which has payments and refunds)
/// against the merchant's records, one row at a time.
///
/// It remembers the numbers it has seen (to find what the bill lacks), a
/// few dozen bytes a row; the rows themselves are not kept.
///
/// ```
/// use wxpay_core::bills::{
///     BillDate, ChinaTime, Discrepancy, LocalBook, LocalOrder, Reconciler, TradeBillReader,
/// };
///
/// let bill = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注\r\n\
///     `2024-03-01 12:00:00,`wx8888,`1900009191,`0,`,`4200000001,`A-1,`openid,`NATIVE,`SUCCESS,`OTHERS,`CNY,`1.00,`0.00,`toy,`,`0.01000,`0.60%,`1.00,`\r\n\
///     总交易单数,应结订单总金额,手续费总金额,订单总金额\r\n\
///     `1,`1.00,`0.01000,`1.00\r\n";
/// let date: BillDate = "2024-03-01".parse()?;
/// let mut book = LocalBook::new();
/// book.add_order(LocalOrder::paid("A-1", 100, date.at(12, 0, 0).unwrap()));
/// book.add_order(LocalOrder::paid("A-2", 50, date.at(13, 0, 0).unwrap()));
///
/// let mut reconciler = Reconciler::new(date, &book);
/// for row in TradeBillReader::new(bill.as_bytes()) {
///     reconciler.check(&row?);
/// }
/// let report = reconciler.finish();
/// assert_eq!(report.matched, 1);
/// assert_eq!(
///     report.discrepancies,
///     [Discrepancy::MissingFromBill { out_trade_no: "A-2".into() }]
/// );
/// # Ok::<(), wxpay_core::bills::BillError>(())
/// ```
#[derive(Debug)]
pub struct Reconciler<M> {
    records: M,
    seen_orders: HashSet<Box<str>>,
    seen_refunds: HashSet<Box<str>>,
    report: Reconciliation,
}

impl<M: MerchantRecords> Reconciler<M> {
    /// Reconciles `date`'s bill against `records`.
    pub fn new(date: BillDate, records: M) -> Self {
        Reconciler {
            records,
            seen_orders: HashSet::new(),
            seen_refunds: HashSet::new(),
            report: Reconciliation {
                date,
                payments: 0,
                refunds: 0,
                matched: 0,
                discrepancies: Vec::new(),
            },
        }
    }

    /// Checks one row of the bill.
    pub fn check(&mut self, record: &TradeRecord) {
        let found = match record {
            TradeRecord::Payment(p) => {
                self.report.payments += 1;
                self.payment(p)
            }
            TradeRecord::Refund(r) => {
                self.report.refunds += 1;
                self.refund(r)
            }
        };
        match found {
            Some(d) => self.report.discrepancies.push(d),
            None => self.report.matched += 1,
        }
    }

    fn payment(&mut self, p: &Payment) -> Option<Discrepancy> {
        self.seen_orders.insert(p.out_trade_no().into());
        let (no, id) = (p.out_trade_no().to_owned(), p.transaction_id().to_owned());
        let Some(local) = self.records.order(p.out_trade_no()) else {
            return Some(Discrepancy::UnknownPayment {
                out_trade_no: no,
                transaction_id: id,
                amount: p.order_total(),
            });
        };
        let paid_in_bill = *p.trade_state() != TradeState::Revoked;
        if paid_in_bill != (local.state == LocalOrderState::Paid) {
            return Some(Discrepancy::StateMismatch {
                out_trade_no: no,
                transaction_id: id,
                bill: p.trade_state().to_string(),
                local: local.state,
            });
        }
        (local.total != p.order_total()).then(|| Discrepancy::AmountMismatch {
            out_trade_no: no,
            transaction_id: id,
            bill: p.order_total(),
            local: local.total,
        })
    }

    fn refund(&mut self, r: &Refund) -> Option<Discrepancy> {
        self.seen_refunds.insert(r.out_refund_no().into());
        // 申请退款金额 is what was asked for; a bill without it has 退款金额 only.
        let amount = match r.requested_refund() {
            0 => r.refund(),
            asked => asked,
        };
        let Some(local) = self.records.refund(r.out_refund_no()) else {
            return Some(Discrepancy::UnknownRefund {
                out_refund_no: r.out_refund_no().to_owned(),
                refund_id: r.refund_id().to_owned(),
                out_trade_no: r.out_trade_no().to_owned(),
                amount,
            });
        };
        let bill_state = r.refund_status().and_then(|s| match s {
            RefundStatus::Success => Some(LocalRefundState::Succeeded),
            RefundStatus::Closed | RefundStatus::Fail | RefundStatus::RefundClose => {
                Some(LocalRefundState::Failed)
            }
            // PROCESSING, ABNORMAL: a snapshot of the day; any outcome may follow.
            _ => None,
        });
        let problem = if local.out_trade_no != r.out_trade_no() {
            Some(RefundProblem::Order {
                local: local.out_trade_no,
            })
        } else if local.amount != amount {
            Some(RefundProblem::Amount {
                bill: amount,
                local: local.amount,
            })
        } else {
            bill_state
                .filter(|s| *s != local.state)
                .map(|_| RefundProblem::State {
                    bill: r
                        .refund_status()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    local: local.state,
                })
        };
        problem.map(|problem| Discrepancy::RefundMismatch {
            out_refund_no: r.out_refund_no().to_owned(),
            refund_id: r.refund_id().to_owned(),
            out_trade_no: r.out_trade_no().to_owned(),
            problem,
        })
    }

    /// Adds what the records expected that day and the bill lacked, and
    /// gives the report. Call it once the bill was read to its end (and its
    /// summary checked).
    pub fn finish(mut self) -> Reconciliation {
        let date = self.report.date;
        for no in self.records.paid_on(date) {
            if !self.seen_orders.contains(no.as_str()) {
                self.report
                    .discrepancies
                    .push(Discrepancy::MissingFromBill { out_trade_no: no });
            }
        }
        for no in self.records.refunds_requested_on(date) {
            if !self.seen_refunds.contains(no.as_str()) {
                self.report
                    .discrepancies
                    .push(Discrepancy::RefundMissingFromBill { out_refund_no: no });
            }
        }
        self.report
    }
}
