//! What happens to orders and refunds outside the merchant's API calls: a
//! person (or the control API, or the auto-pay timer) pays or fails to pay,
//! refunds settle, and each outcome is notified. The control API, the pay
//! page, the `Sandbox` methods and the timers all go through these functions.

use std::sync::Arc;

use http::StatusCode;
use serde_json::Value;

use crate::app::App;
use crate::clock::rfc3339_cst;
use crate::ledger::{Order, RefundStatus, TradeState};
use crate::notify::{notify, Event, Retries};
use crate::reply::WxError;

/// How the control API and the pay page name an order.
#[derive(Debug, Clone)]
pub(crate) enum OrderRef {
    /// The merchant (`mchid` or `sp_mchid`) and its `out_trade_no`; a
    /// service provider's numbers span its sub-merchants, so `sub_mchid`
    /// only checks the order is that sub-merchant's.
    Trade {
        mchid: String,
        out_trade_no: String,
        sub_mchid: Option<String>,
    },
    /// A `prepay_id`, or the `pr=` token of a `code_url`.
    Token(String),
}

impl OrderRef {
    /// From `{"mchid","out_trade_no"}`, `{"prepay_id"}` or `{"code_url"}`.
    pub(crate) fn from_json(body: &Value) -> Result<Self, WxError> {
        let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_owned);
        if let Some(prepay_id) = text("prepay_id") {
            return Ok(OrderRef::Token(prepay_id));
        }
        if let Some(code_url) = text("code_url") {
            let token = code_url
                .split_once("pr=")
                .map(|(_, rest)| rest.split('&').next().unwrap_or_default().to_owned())
                .filter(|t| !t.is_empty())
                .ok_or_else(|| WxError::param("`code_url` has no pr= token"))?;
            return Ok(OrderRef::Token(token));
        }
        match (text("mchid"), text("out_trade_no")) {
            (Some(mchid), Some(out_trade_no)) => Ok(OrderRef::Trade {
                mchid,
                out_trade_no,
                sub_mchid: text("sub_mchid"),
            }),
            _ => Err(WxError::param(
                "name the order by `mchid` and `out_trade_no`, by `prepay_id` or by `code_url`",
            )),
        }
    }

    pub(crate) fn find(&self, app: &App) -> Result<Order, WxError> {
        let store = app.store();
        let found = match self {
            OrderRef::Trade {
                mchid,
                out_trade_no,
                sub_mchid,
            } => store
                .order(mchid, out_trade_no)
                .filter(|o| sub_mchid.is_none() || o.sub_mchid() == sub_mchid.as_deref()),
            OrderRef::Token(token) => store.order_by_token(token),
        };
        found.cloned().ok_or_else(order_not_exist)
    }
}

pub(crate) fn order_not_exist() -> WxError {
    WxError::new(StatusCode::NOT_FOUND, "ORDER_NOT_EXIST", "订单不存在")
}

pub(crate) fn order_closed() -> WxError {
    WxError::new(
        StatusCode::BAD_REQUEST,
        "ORDER_CLOSED",
        "当前订单已关闭，请重新下单",
    )
}

/// The code name is unconfirmed for v3 (SKL and APIv2 say ORDER_PAID / ORDERPAID).
pub(crate) fn order_paid() -> WxError {
    WxError::new(StatusCode::BAD_REQUEST, "ORDER_PAID", "订单已支付")
}

/// `n` random decimal digits.
pub(crate) fn digits(n: usize) -> Result<String, WxError> {
    crate::random::digits(n).map_err(|_| WxError::system())
}

/// `yyyyMMdd` of a moment in CST.
pub(crate) fn ymd(unix: i64) -> String {
    rfc3339_cst(unix)[..10].replace('-', "")
}

/// The person pays: NOTPAY becomes SUCCESS and TRANSACTION.SUCCESS is sent.
pub(crate) fn pay(
    app: &Arc<App>,
    target: &OrderRef,
    openid: Option<&str>,
) -> Result<Order, WxError> {
    let now = app.now();
    let mut order = target.find(app)?;
    match order.state_at(now) {
        TradeState::NotPay => {}
        TradeState::Closed => return Err(order_closed()),
        TradeState::Success | TradeState::Refund => return Err(order_paid()),
    }
    // 28 digits starting 4200 with the date inside, as live ids are.
    order.transaction_id = Some(format!("4200{}{}", ymd(now), digits(16)?));
    order.state = TradeState::Success;
    order.success_unix = Some(now);
    if let Some(openid) = openid.filter(|o| !o.is_empty()) {
        order.openid = Some(openid.to_owned());
    } else if order.openid.is_none() {
        let id = crate::random::alphanumeric(27).map_err(|_| WxError::system())?;
        order.openid = Some(format!("o{id}"));
    }
    app.store().put_order(order.clone());
    notify(
        app,
        Event {
            mchid: order.mchid.clone(),
            sub_mchid: order.sub_mchid().map(str::to_owned),
            url: order.notify_url.clone(),
            kind: ("TRANSACTION.SUCCESS", "支付成功"),
            original_type: "transaction",
            resource: order.view(now),
            retries: Retries::Standard,
        },
    );
    Ok(order)
}

/// A payment attempt fails (the person cancels, or the card is declined): the
/// order stays NOTPAY and nothing is notified, as WeChat Pay does.
pub(crate) fn fail(app: &App, target: &OrderRef) -> Result<Order, WxError> {
    let mut order = target.find(app)?;
    match order.state_at(app.now()) {
        TradeState::NotPay => {}
        TradeState::Closed => return Err(order_closed()),
        TradeState::Success | TradeState::Refund => return Err(order_paid()),
    }
    order.failed_attempts = order.failed_attempts.saturating_add(1);
    app.store().put_order(order.clone());
    Ok(order)
}

/// Closes an unpaid order (re-closing is fine); a paid one cannot be closed.
pub(crate) fn close(app: &App, order: &Order) -> Result<(), WxError> {
    match order.state_at(app.now()) {
        TradeState::Success | TradeState::Refund => Err(order_paid()),
        TradeState::Closed if order.state == TradeState::Closed => Ok(()),
        TradeState::NotPay | TradeState::Closed => {
            let mut closed = order.clone();
            closed.state = TradeState::Closed;
            app.store().put_order(closed);
            Ok(())
        }
    }
}

/// Closes an order the control API names.
pub(crate) fn close_ref(app: &App, target: &OrderRef) -> Result<Order, WxError> {
    let order = target.find(app)?;
    close(app, &order)?;
    target.find(app)
}

/// Pays the order after the auto-pay delay, if one is set.
pub(crate) fn schedule_auto_pay(app: &Arc<App>, order: &Order) {
    let Some(delay) = app.lifecycle.auto_pay else {
        return;
    };
    let target = OrderRef::Trade {
        mchid: order.mchid.clone(),
        out_trade_no: order.out_trade_no.clone(),
        sub_mchid: None,
    };
    let task_app = app.clone();
    app.spawn(async move {
        tokio::time::sleep(delay).await;
        // Already paid, closed or forgotten: nothing to do.
        let _ = pay(&task_app, &target, None);
    });
}

/// Moves a refund to `status` and notifies its outcome. PROCESSING and
/// ABNORMAL refunds can still change; SUCCESS and CLOSED are final.
pub(crate) fn settle_refund(
    app: &Arc<App>,
    mchid: &str,
    out_refund_no: &str,
    status: RefundStatus,
) -> Result<Value, WxError> {
    let now = app.now();
    let mut store = app.store();
    let mut refund = store
        .refund(mchid, out_refund_no)
        .cloned()
        .ok_or_else(|| WxError::not_exists("退款单不存在"))?;
    let movable = matches!(
        refund.status,
        RefundStatus::Processing | RefundStatus::Abnormal
    );
    if !movable || status == RefundStatus::Processing || status == refund.status {
        return Err(WxError::invalid_request(format!(
            "refund {out_refund_no} is {} and cannot become {}",
            refund.status.wire(),
            status.wire()
        )));
    }
    refund.status = status;
    if status == RefundStatus::Success {
        refund.success_unix = Some(now);
    }
    if status == RefundStatus::Closed {
        // The money was not refunded: it can be refunded again.
        if let Some(mut order) = store.order(mchid, &refund.out_trade_no).cloned() {
            order.refunded = (order.refunded - refund.refund).max(0);
            store.put_order(order);
        }
    }
    store.put_refund(refund.clone());
    drop(store);
    if let (Some(url), Some(event)) = (&refund.notify_url, status.event()) {
        notify(
            app,
            Event {
                mchid: mchid.to_owned(),
                sub_mchid: refund.sub_mchid.clone(),
                url: url.clone(),
                kind: event,
                original_type: "refund",
                resource: refund.notification(),
                retries: Retries::Standard,
            },
        );
    }
    Ok(refund.view())
}

/// Settles a new refund as SUCCESS after the configured delay, if one is set.
pub(crate) fn schedule_refund(app: &Arc<App>, mchid: &str, out_refund_no: &str) {
    let Some(delay) = app.lifecycle.refund_after else {
        return;
    };
    let (mchid, out_refund_no) = (mchid.to_owned(), out_refund_no.to_owned());
    let task_app = app.clone();
    app.spawn(async move {
        tokio::time::sleep(delay).await;
        let processing = task_app
            .store()
            .refund(&mchid, &out_refund_no)
            .is_some_and(|r| r.status == RefundStatus::Processing);
        if processing {
            let _ = settle_refund(&task_app, &mchid, &out_refund_no, RefundStatus::Success);
        }
    });
}
