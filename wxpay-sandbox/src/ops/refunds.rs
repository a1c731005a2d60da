//! `POST v3/refund/domestic/refunds` (退款申请) and
//! `GET v3/refund/domestic/refunds/{out_refund_no}` (查询单笔退款).
//!
//! Partial and full refunds, several per order (at most 50), checked against
//! what was paid and already refunded. A new refund answers PROCESSING and
//! becomes SUCCESS after the sandbox's refund delay (or ABNORMAL / CLOSED /
//! SUCCESS through the control API), each outcome notified to the refund's
//! `notify_url`. Codes follow `WECHATPAY-LIFECYCLE.md` §2 (GO's list).

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};

use super::extract::{segment, Fields, JsonObject, Query};
use super::partner::check_sub_merchant;
use super::transactions::check_notify_url;
use crate::app::App;
use crate::auth::Caller;
use crate::ledger::{Refund, RefundStatus, TradeState};
use crate::lifecycle::{digits, schedule_refund, ymd};
use crate::reply::{Reply, WxError};

pub(crate) const CREATE: &str = "v3/refund/domestic/refunds";
pub(crate) const QUERY: &str = "v3/refund/domestic/refunds/{out_refund_no}";

/// WeChat refuses more partial refunds than this on one order.
const MAX_REFUNDS_PER_ORDER: usize = 50;
/// Refunds are possible for a year after payment.
const REFUND_PERIOD_SECS: i64 = 365 * 86_400;

const DIFFERS: &str = "订单金额或退款金额与之前请求不一致，请核实后再试";

pub(crate) fn routes(router: Router<Arc<App>>) -> Router<Arc<App>> {
    router
        .route(&format!("/{CREATE}"), post(create))
        .route("/v3/refund/domestic/refunds/{out_refund_no}", get(query))
}

/// `out_refund_no`: 1 to 64 of `[0-9A-Za-z_-|*@]`.
fn check_out_refund_no(no: &str) -> Result<(), WxError> {
    let ok = no.len() <= 64
        && no
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-|*@".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(WxError::param(format!(
            "`out_refund_no` must be at most 64 characters of [0-9A-Za-z_-|*@], got {no:?}"
        )))
    }
}

fn not_exists() -> WxError {
    WxError::not_exists("订单不存在")
}

/// `POST v3/refund/domestic/refunds`; the console's Refund button calls it too.
pub(crate) async fn create(
    State(app): State<Arc<App>>,
    caller: Caller,
    JsonObject(body): JsonObject,
) -> Reply {
    let f = Fields::of(&body);
    let sub_mchid = f.optional_str("sub_mchid")?;
    if let Some(sub) = sub_mchid {
        check_sub_merchant(&app, &caller, sub)?;
    }
    let transaction_id = f.optional_str("transaction_id")?;
    let out_trade_no = f.optional_str("out_trade_no")?;
    let out_refund_no = f.string("out_refund_no")?;
    check_out_refund_no(out_refund_no)?;
    let reason = f.optional_str("reason")?.unwrap_or_default();
    if reason.chars().count() > 80 {
        return Err(WxError::param("`reason` is longer than 80 characters"));
    }
    let notify_url = f.optional_str("notify_url")?;
    if let Some(url) = notify_url {
        check_notify_url("notify_url", url)?;
    }
    let funds_account = f.optional_one_of("funds_account", &["AVAILABLE", "UNSETTLED"])?;
    let amount = f.object("amount")?;
    let refund_fen = amount.fen("refund")?;
    let total = amount.fen("total")?;
    amount.one_of("currency", &["CNY"])?;
    amount.optional_array("from")?;
    f.optional_array("goods_detail")?;

    let now = app.now();
    let mut store = app.store();
    let order = match (transaction_id, out_trade_no) {
        (Some(id), _) => store.order_by_transaction(&caller.mchid, id),
        (None, Some(no)) => store.order(&caller.mchid, no),
        (None, None) => {
            return Err(WxError::param(
                "one of `transaction_id` and `out_trade_no` is required",
            ))
        }
    }
    .filter(|o| o.sub_mchid() == sub_mchid)
    .filter(|o| out_trade_no.is_none_or(|no| no == o.out_trade_no))
    .cloned()
    // An unpaid order cannot be refunded: WeChat says it does not exist.
    .filter(|o| o.state_at(now).is_paid())
    .ok_or_else(not_exists)?;

    if let Some(existing) = store.refund(&caller.mchid, out_refund_no) {
        let same = existing.out_trade_no == order.out_trade_no
            && existing.refund == refund_fen
            && existing.total == total;
        return if same {
            Ok(Json(existing.view()))
        } else {
            Err(WxError::invalid_request(DIFFERS))
        };
    }
    if total != order.total {
        return Err(WxError::invalid_request(DIFFERS));
    }
    if refund_fen > order.refundable() {
        return Err(WxError::invalid_request(format!(
            "申请退款金额超过订单可退金额 ({refund_fen} fen asked, {} fen refundable)",
            order.refundable()
        )));
    }
    if store.refunds_of(&order).count() >= MAX_REFUNDS_PER_ORDER {
        return Err(WxError::invalid_request(format!(
            "an order can be refunded at most {MAX_REFUNDS_PER_ORDER} times"
        )));
    }
    if order
        .success_unix
        .is_some_and(|paid| now > paid + REFUND_PERIOD_SECS)
    {
        return Err(WxError::invalid_request(
            "订单已超过退款期限 (one year after payment)",
        ));
    }
    let refund = Refund {
        mchid: caller.mchid.clone(),
        sub_mchid: sub_mchid.map(str::to_owned),
        out_refund_no: out_refund_no.to_owned(),
        // 29 digits, as live refund ids are.
        refund_id: format!("50300{}{}", ymd(now), digits(16)?),
        transaction_id: order.transaction_id.clone().unwrap_or_default(),
        out_trade_no: order.out_trade_no.clone(),
        refund: refund_fen,
        total,
        currency: "CNY".into(),
        reason: reason.to_owned(),
        notify_url: notify_url.map(str::to_owned),
        funds_account: funds_account.map(str::to_owned),
        status: RefundStatus::Processing,
        created_unix: now,
        success_unix: None,
    };
    let mut order = order;
    order.refunded += refund_fen;
    order.state = TradeState::Refund;
    store.put_order(order);
    store.put_refund(refund.clone());
    drop(store);
    schedule_refund(&app, &caller.mchid, out_refund_no);
    Ok(Json(refund.view()))
}

async fn query(
    State(app): State<Arc<App>>,
    caller: Caller,
    path: Result<Path<String>, PathRejection>,
    query: Query,
) -> Reply {
    let out_refund_no = segment("out_refund_no", path)?;
    let sub_mchid = query.optional("sub_mchid")?;
    let store = app.store();
    let refund = store
        .refund(&caller.mchid, &out_refund_no)
        .filter(|r| r.sub_mchid.as_deref() == sub_mchid)
        .ok_or_else(|| WxError::not_exists("退款单不存在"))?;
    Ok(Json(refund.view()))
}
