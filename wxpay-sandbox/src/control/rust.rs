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
use crate::ops::profitsharing;
use crate::ops::transfer::lifecycle::{self as transfer_lifecycle, BillRef};
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

/// A profit-sharing receiver as `receivers/add` registered it: in whose list
/// (the signing `mchid`, and the `sub_mchid` a service provider named), its
/// `type` and its `account`. One constructor per receiver type, so the type
/// cannot be misspelt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverRef {
    mchid: String,
    sub_mchid: Option<String>,
    kind: profitsharing::ReceiverType,
    account: String,
}

impl ReceiverRef {
    fn new(mchid: &str, kind: profitsharing::ReceiverType, account: &str) -> Self {
        ReceiverRef {
            mchid: mchid.to_owned(),
            sub_mchid: None,
            kind,
            account: account.to_owned(),
        }
    }

    /// A `MERCHANT_ID` receiver: the merchant `account` in `mchid`'s list.
    pub fn merchant(mchid: &str, account: &str) -> Self {
        Self::new(mchid, profitsharing::ReceiverType::MerchantId, account)
    }

    /// A `PERSONAL_OPENID` receiver: a person by their openid under the appid.
    pub fn openid(mchid: &str, openid: &str) -> Self {
        Self::new(mchid, profitsharing::ReceiverType::PersonalOpenid, openid)
    }

    /// A `PERSONAL_SUB_OPENID` receiver: a person by their openid under a
    /// sub-merchant's `sub_appid` (service providers only).
    pub fn sub_openid(mchid: &str, sub_mchid: &str, openid: &str) -> Self {
        Self::new(
            mchid,
            profitsharing::ReceiverType::PersonalSubOpenid,
            openid,
        )
        .of_sub_merchant(sub_mchid)
    }

    /// The receiver is in the list of this sub-merchant of the service
    /// provider `mchid` (it was added with `sub_mchid`).
    pub fn of_sub_merchant(mut self, sub_mchid: &str) -> Self {
        self.sub_mchid = Some(sub_mchid.to_owned());
        self
    }
}

fn number(mchid: &str, out_bill_no: &str) -> BillRef {
    BillRef::Number {
        mchid: mchid.to_owned(),
        out_bill_no: out_bill_no.to_owned(),
    }
}

fn trade(mchid: &str, out_trade_no: &str) -> OrderRef {
    OrderRef::Trade {
        mchid: mchid.to_owned(),
        out_trade_no: out_trade_no.to_owned(),
        sub_mchid: None,
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
        self.app().outbox().attempts(None, None)
    }

    /// The delivery attempts of notifications about one sub-merchant.
    pub fn notification_attempts_of_sub_merchant(
        &self,
        sub_mchid: &str,
    ) -> Vec<NotificationAttempt> {
        self.app().outbox().attempts(None, Some(sub_mchid))
    }

    /// Sets (or clears) where profit sharing to a merchant of the sandbox
    /// is notified (分账动账通知, as the receiver sets it in WeChat's
    /// merchant platform); `false` if there is no such merchant.
    pub fn set_profit_sharing_notify_url(&self, mchid: &str, url: Option<&str>) -> bool {
        self.app()
            .set_profit_sharing_notify_url(mchid, url)
            .is_some()
    }

    /// Shares to this receiver (added by `receivers/add`) close with
    /// `fail_reason` (WeChat's, e.g. `ACCOUNT_ABNORMAL`) from now on, or
    /// succeed again with `None`; returns the receiver as the control API
    /// shows it. An unknown receiver or reason is [`SandboxError::Rejected`].
    pub fn set_receiver_outcome(
        &self,
        receiver: &ReceiverRef,
        fail_reason: Option<&str>,
    ) -> Result<Value, SandboxError> {
        let key = (
            receiver.mchid.clone(),
            receiver.sub_mchid.clone().unwrap_or_default(),
            receiver.kind.wire().to_owned(),
            receiver.account.clone(),
        );
        Ok(
            profitsharing::lifecycle::set_receiver_outcome(self.app(), &key, fail_reason)?
                .describe(),
        )
    }

    /// Settles a PROCESSING profit-sharing order now (with
    /// [`profit_sharing_settle_after`](crate::SandboxBuilder::profit_sharing_settle_after)
    /// `None`, orders wait for this); returns its query answer.
    pub fn settle_profit_sharing(
        &self,
        mchid: &str,
        out_order_no: &str,
    ) -> Result<Value, SandboxError> {
        Ok(profitsharing::lifecycle::settle(self.shared(), mchid, out_order_no)?.view())
    }

    /// A transfer bill as the control API shows it; `None` if unknown.
    pub fn transfer(&self, mchid: &str, out_bill_no: &str) -> Option<Value> {
        number(mchid, out_bill_no)
            .find(self.app())
            .ok()
            .map(|b| b.describe())
    }

    /// The user confirms the transfer of this `package_info` (确认收款): it
    /// goes TRANSFERING, then SUCCESS (or FAIL with `fail_reason`).
    pub fn confirm_transfer(
        &self,
        package_info: &str,
        fail_reason: Option<&str>,
    ) -> Result<Value, SandboxError> {
        let target = BillRef::Package(package_info.to_owned());
        Ok(transfer_lifecycle::confirm(self.shared(), &target, fail_reason)?.describe())
    }

    /// The user never takes the money: the transfer fails.
    pub fn reject_transfer(&self, package_info: &str) -> Result<Value, SandboxError> {
        let target = BillRef::Package(package_info.to_owned());
        Ok(transfer_lifecycle::reject(self.shared(), &target)?.describe())
    }

    /// Ends a TRANSFERING or CANCELING transfer now (with
    /// [`transfer_settle_after`](crate::SandboxBuilder::transfer_settle_after)
    /// `None`, they wait for this).
    pub fn finish_transfer(&self, mchid: &str, out_bill_no: &str) -> Result<Value, SandboxError> {
        Ok(transfer_lifecycle::finish(self.shared(), &number(mchid, out_bill_no))?.describe())
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
