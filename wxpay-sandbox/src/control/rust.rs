//! The control API from Rust: the same actions as `/sandbox/...`, as methods
//! of [`Sandbox`], for tests that run the sandbox in process.

use serde_json::Value;

use super::describe;
use crate::bill::{day_bill, BillApi, BillFile};
use crate::clock::{format_day, parse_date, rfc3339_cst};
use crate::error::SandboxError;
use crate::ledger::RefundStatus;
use crate::lifecycle::{close_ref, fail, pay, settle_refund, OrderRef};
use crate::notify::{resend, NotificationAttempt};
use crate::reply::WxError;
use crate::Sandbox;

impl From<WxError> for SandboxError {
    fn from(e: WxError) -> Self {
        SandboxError::Rejected {
            code: e.code.to_owned(),
            message: e.message,
        }
    }
}

fn trade(mchid: &str, out_trade_no: &str) -> OrderRef {
    OrderRef::Trade {
        mchid: mchid.to_owned(),
        out_trade_no: out_trade_no.to_owned(),
    }
}

impl Sandbox {
    /// The order as the control API shows it (`GET /sandbox/orders`): state,
    /// ids, pay page, its query answer and refunds; `None` if unknown.
    pub fn order(&self, mchid: &str, out_trade_no: &str) -> Option<Value> {
        let order = trade(mchid, out_trade_no).find(self.app()).ok()?;
        Some(describe(self.app(), &order))
    }

    /// The person pays the order: NOTPAY becomes SUCCESS and
    /// `TRANSACTION.SUCCESS` is sent to its `notify_url` (retried on failure).
    pub fn pay_order(&self, mchid: &str, out_trade_no: &str) -> Result<Value, SandboxError> {
        let order = pay(self.shared(), &trade(mchid, out_trade_no), None)?;
        Ok(describe(self.app(), &order))
    }

    /// Pays the order of a `prepay_id` (or of a `code_url`'s `pr=` token).
    pub fn pay_prepay_id(&self, prepay_id: &str) -> Result<Value, SandboxError> {
        let order = pay(self.shared(), &OrderRef::Token(prepay_id.to_owned()), None)?;
        Ok(describe(self.app(), &order))
    }

    /// A payment attempt fails: the order stays NOTPAY (PAYERROR is only for
    /// 付款码 orders) and nothing is notified.
    pub fn fail_order(&self, mchid: &str, out_trade_no: &str) -> Result<Value, SandboxError> {
        let order = fail(self.app(), &trade(mchid, out_trade_no))?;
        Ok(describe(self.app(), &order))
    }

    /// Closes an unpaid order, as the close API does.
    pub fn close_order(&self, mchid: &str, out_trade_no: &str) -> Result<Value, SandboxError> {
        let order = close_ref(self.app(), &trade(mchid, out_trade_no))?;
        Ok(describe(self.app(), &order))
    }

    /// Moves a PROCESSING or ABNORMAL refund to `SUCCESS`, `ABNORMAL` or
    /// `CLOSED` and notifies the outcome; returns the refund's query answer.
    pub fn settle_refund(
        &self,
        mchid: &str,
        out_refund_no: &str,
        status: &str,
    ) -> Result<Value, SandboxError> {
        let status = RefundStatus::parse(status).ok_or_else(|| SandboxError::Rejected {
            code: "PARAM_ERROR".into(),
            message: format!("status {status:?}: expected SUCCESS, ABNORMAL or CLOSED"),
        })?;
        Ok(settle_refund(self.shared(), mchid, out_refund_no, status)?)
    }

    /// Every notification delivery attempt so far, oldest first.
    pub fn notification_attempts(&self) -> Vec<NotificationAttempt> {
        self.app().outbox().attempts(None)
    }

    /// Sends a logged notification once more, now; `None` if the id is unknown.
    pub async fn resend_notification(&self, notification_id: &str) -> Option<NotificationAttempt> {
        resend(self.app(), notification_id).await
    }

    /// Now by the sandbox's business clock (see
    /// [`SandboxBuilder::start_clock_at`](crate::SandboxBuilder::start_clock_at)).
    pub fn now(&self) -> std::time::SystemTime {
        let now = self.app().now();
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(u64::try_from(now).unwrap_or(0))
    }

    /// Now by the business clock, RFC 3339 in China time (`2024-03-01T10:00:00+08:00`).
    pub fn now_rfc3339(&self) -> String {
        rfc3339_cst(self.app().now())
    }

    /// Today by the business clock, China calendar (`2024-03-01`).
    pub fn today(&self) -> String {
        format_day(crate::clock::cst_day(self.app().now()))
    }

    /// Moves the business clock forward by `by` (it never goes back).
    pub fn advance_clock(&self, by: std::time::Duration) {
        self.app()
            .clock
            .advance(i64::try_from(by.as_secs()).unwrap_or(i64::MAX));
    }

    /// Moves the business clock to 10:00 China time tomorrow, when WeChat
    /// Pay has today's bills; returns today's date (`yyyy-MM-dd`), the day
    /// whose bills can now be fetched.
    pub fn advance_to_bill_time(&self) -> String {
        format_day(self.app().clock.advance_to_bill_time())
    }

    /// Serves bills of today at once (`true`) or as WeChat Pay does (see
    /// [`SandboxBuilder::bills_same_day`](crate::SandboxBuilder::bills_same_day)).
    pub fn set_bills_same_day(&self, on: bool) {
        self.app().clock.set_same_day_bills(on);
    }

    /// `mchid`'s bill of `bill_date` (`yyyy-MM-dd`) as the sandbox writes it
    /// now, in the APIv3 or APIv2 layout, whatever the clock says; `None`
    /// when the day has no row.
    pub fn bill_file(
        &self,
        mchid: &str,
        bill_date: &str,
        file: BillFile,
        api: BillApi,
    ) -> Result<Option<String>, SandboxError> {
        let day = parse_date(bill_date).ok_or_else(|| SandboxError::Rejected {
            code: "PARAM_ERROR".into(),
            message: format!("bill_date {bill_date:?}: expected yyyy-MM-dd"),
        })?;
        Ok(day_bill(&self.app().store(), mchid, None, day, file, api))
    }
}
