//! Returns (请求分账回退 / 查询分账回退结果): money shared to a merchant
//! receiver comes back to the payer. WeChat handles a return synchronously:
//! the answer carries the result. [`create_return`] and [`find_return`] are
//! what a return does to the book, whatever the request's shape; the HTTP
//! handlers of `v3/profitsharing/return-orders` below, and the e-commerce
//! platform's `v3/ecommerce/profitsharing/returnorders` in `ecommerce`, only
//! read their own requests and write their own answers.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;

use super::lifecycle::notify_return;
use super::model::{ReceiverType, ReturnResult, ShareOrder, ShareResult, ShareReturn};
use super::{check_number, not_exists};
use crate::app::App;
use crate::auth::Caller;
use crate::clock::unix_now;
use crate::lifecycle::{digits, ymd};
use crate::ops::extract::{Checked, Fields};
use crate::ops::partner::scope;
use crate::reply::{Reply, WxError};

/// Returns one order may have (the partner and e-commerce pages of
/// 2025-09: 对同一笔分账单最多能发起50次分账回退请求; the Go SDK's older
/// text says 20).
const MAX_RETURNS_PER_ORDER: usize = 50;

/// The order a return names: WeChat's `order_id` or the merchant's
/// `out_order_no`, one of them at least (二选一).
#[derive(Clone, Copy)]
pub(super) struct OrderRef<'a> {
    pub(super) order_id: Option<&'a str>,
    pub(super) out_order_no: Option<&'a str>,
}

impl<'a> OrderRef<'a> {
    /// The two fields of a request (body or query); 400 `PARAM_ERROR`
    /// without either.
    pub(super) fn new(
        order_id: Option<&'a str>,
        out_order_no: Option<&'a str>,
    ) -> Result<Self, WxError> {
        if order_id.is_none() && out_order_no.is_none() {
            return Err(WxError::param(
                "one of `order_id` and `out_order_no` is required (微信分账单号与商户分账单号二选一)",
            ));
        }
        Ok(Self {
            order_id,
            out_order_no,
        })
    }

    fn matches(self, order_id: &str, out_order_no: &str) -> bool {
        self.order_id.is_none_or(|id| id == order_id)
            && self.out_order_no.is_none_or(|no| no == out_order_no)
    }

    fn shown(self) -> &'a str {
        self.out_order_no.or(self.order_id).unwrap_or_default()
    }
}

/// A return as asked, in any family's request.
pub(super) struct ReturnAsked<'a> {
    /// The payer the money comes back to: the sub-merchant (partner,
    /// e-commerce), `None` for a direct merchant.
    pub(super) sub_mchid: Option<&'a str>,
    /// Whose receivers the sandbox's fail switch is read from: the
    /// sub-merchant's (partner), or the merchant's own list (`None`: a
    /// direct merchant's, or the e-commerce platform's).
    pub(super) receivers_of: Option<&'a str>,
    pub(super) order: OrderRef<'a>,
    /// The paid transaction, when the request names it (e-commerce, 选填).
    pub(super) transaction_id: Option<&'a str>,
    pub(super) out_return_no: &'a str,
    pub(super) return_mchid: &'a str,
    pub(super) amount: i64,
    pub(super) description: &'a str,
}

/// 404 `RESOURCE_NOT_EXISTS` for a return naming an order the merchant
/// never made (message as a community capture shows it; the code is the
/// family's code for what does not exist, unconfirmed for this case).
fn no_such_order(order: OrderRef<'_>) -> WxError {
    WxError::new(
        StatusCode::NOT_FOUND,
        "RESOURCE_NOT_EXISTS",
        format!(
            "分账指令不存在,请检查是否有对应的分账单 (no profit-sharing order {} of this merchant)",
            order.shown()
        ),
    )
}

/// The order a return acts on, as the merchant made it.
fn order_of(app: &App, caller: &Caller, asked: &ReturnAsked<'_>) -> Result<ShareOrder, WxError> {
    let store = app.store();
    let book = &store.profit_sharing;
    let order = match (asked.order.order_id, asked.order.out_order_no) {
        (Some(id), _) => book.order_by_id(&caller.mchid, id),
        (None, Some(no)) => book.order(&caller.mchid, no),
        (None, None) => None,
    };
    order
        .filter(|o| asked.order.matches(&o.order_id, &o.out_order_no))
        .filter(|o| o.sub_mchid.as_deref() == asked.sub_mchid)
        .filter(|o| asked.transaction_id.is_none_or(|t| t == o.transaction_id))
        .cloned()
        .ok_or_else(|| no_such_order(asked.order))
}

/// The same `out_return_no` again: the return made the first time
/// (同一回退单号多次请求等同一次); with other parameters 400
/// `INVALID_REQUEST` naming the one that differs.
fn repeated(
    existing: &ShareReturn,
    order: &ShareOrder,
    asked: &ReturnAsked<'_>,
) -> Result<ShareReturn, WxError> {
    let differs = [
        ("order_id", existing.order_id != order.order_id),
        ("return_mchid", existing.return_mchid != asked.return_mchid),
        ("amount", existing.amount != asked.amount),
    ]
    .into_iter()
    .find(|(_, differs)| *differs);
    match differs {
        None => Ok(existing.clone()),
        Some((field, _)) => Err(WxError::invalid_request(format!(
            "out_return_no {} was already used with a different `{field}`",
            asked.out_return_no
        ))),
    }
}

/// What went to `return_mchid` as a merchant receiver of the order and
/// succeeded: the most that can ever come back from it. A person's share
/// cannot come back (不支持“分账给个人”的分账单发起分账回退), nor what
/// never reached the receiver (回退方不存在).
fn returnable(order: &ShareOrder, return_mchid: &str) -> Result<i64, WxError> {
    let to_receiver = order
        .receivers
        .iter()
        .filter(|s| !s.unfreeze && s.account == return_mchid);
    if to_receiver
        .clone()
        .any(|s| s.kind != ReceiverType::MerchantId)
    {
        return Err(WxError::invalid_request(format!(
            "不支持“分账给个人”的分账单发起分账回退: {return_mchid} received its share of order {} \
             as a person; returns come only from MERCHANT_ID receivers",
            order.out_order_no
        )));
    }
    let shared: i64 = to_receiver
        .filter(|s| s.result == ShareResult::Success)
        .map(|s| s.amount)
        .sum();
    if shared == 0 {
        return Err(WxError::invalid_request(format!(
            "回退方不存在: {return_mchid} received nothing of order {} \
             (only merchant receivers whose share succeeded can return)",
            order.out_order_no
        )));
    }
    Ok(shared)
}

/// Makes a return: from a merchant receiver whose share succeeded, within
/// what it got less what came back already; synchronous, SUCCESS (or
/// FAILED with `ACCOUNT_ABNORMAL` for a receiver set to fail), and the
/// receiver is notified of a successful one.
pub(super) fn create_return(
    app: &Arc<App>,
    caller: &Caller,
    asked: ReturnAsked<'_>,
) -> Result<ShareReturn, WxError> {
    check_number("out_return_no", asked.out_return_no)?;
    let order = order_of(app, caller, &asked)?;
    let now = unix_now();
    let share_return = {
        let mut store = app.store();
        let book = &store.profit_sharing;
        if let Some(existing) = book.share_return(&caller.mchid, asked.out_return_no) {
            return repeated(existing, &order, &asked);
        }
        let shared = returnable(&order, asked.return_mchid)?;
        let (returned, count) = book.returned(&caller.mchid, &order.order_id, asked.return_mchid);
        if count >= MAX_RETURNS_PER_ORDER {
            return Err(WxError::invalid_request(format!(
                "对同一笔分账单最多能发起{MAX_RETURNS_PER_ORDER}次分账回退请求"
            )));
        }
        if asked.amount > shared - returned {
            return Err(WxError::invalid_request(format!(
                "剩余可回退的金额不足 ({} fen asked, {} fen of {shared} left to return from {})",
                asked.amount,
                shared - returned,
                asked.return_mchid
            )));
        }
        let fails_with = book
            .receiver(&(
                caller.mchid.clone(),
                asked.receivers_of.unwrap_or_default().to_owned(),
                ReceiverType::MerchantId.wire().to_owned(),
                asked.return_mchid.to_owned(),
            ))
            .and_then(|r| r.fail_reason.clone());
        let share_return = ShareReturn {
            mchid: caller.mchid.clone(),
            sub_mchid: asked.sub_mchid.map(str::to_owned),
            transaction_id: order.transaction_id.clone(),
            order_id: order.order_id.clone(),
            out_order_no: order.out_order_no.clone(),
            out_return_no: asked.out_return_no.to_owned(),
            return_id: format!("{}{}", ymd(now), digits(20)?),
            return_mchid: asked.return_mchid.to_owned(),
            amount: asked.amount,
            description: asked.description.to_owned(),
            // A receiver set to fail cannot return either: its account is abnormal.
            result: match fails_with {
                Some(_) => ReturnResult::Failed,
                None => ReturnResult::Success,
            },
            fail_reason: fails_with.map(|_| "ACCOUNT_ABNORMAL".to_owned()),
            created_unix: now,
        };
        store.put_share_return(share_return.clone());
        share_return
    };
    if share_return.result == ReturnResult::Success {
        notify_return(app, &share_return);
    }
    Ok(share_return)
}

/// The return a query names: the merchant's `out_return_no`, of that
/// sub-merchant and order; 404 `RESOURCE_NOT_EXISTS` 记录不存在 otherwise.
pub(super) fn find_return(
    app: &App,
    caller: &Caller,
    sub_mchid: Option<&str>,
    order: OrderRef<'_>,
    out_return_no: &str,
) -> Result<ShareReturn, WxError> {
    app.store()
        .profit_sharing
        .share_return(&caller.mchid, out_return_no)
        .filter(|r| r.sub_mchid.as_deref() == sub_mchid)
        .filter(|r| order.matches(&r.order_id, &r.out_order_no))
        .cloned()
        .ok_or_else(|| {
            not_exists(&format!(
                "no return {out_return_no} of profit-sharing order {}",
                order.shown()
            ))
        })
}

// `v3/profitsharing/return-orders`, direct merchants and service providers.

pub(super) async fn create(State(app): State<Arc<App>>, caller: Caller, checked: Checked) -> Reply {
    let f = Fields::of(&checked.body);
    let sub_mchid = scope(&app, &caller, f.optional_str("sub_mchid")?)?;
    let asked = ReturnAsked {
        sub_mchid,
        receivers_of: sub_mchid,
        order: OrderRef::new(f.optional_str("order_id")?, f.optional_str("out_order_no")?)?,
        transaction_id: None,
        out_return_no: f.string("out_return_no")?,
        return_mchid: f.string("return_mchid")?,
        amount: f.fen("amount")?,
        description: f.string("description")?,
    };
    Ok(Json(create_return(&app, &caller, asked)?.view()))
}

pub(super) async fn query(State(app): State<Arc<App>>, caller: Caller, checked: Checked) -> Reply {
    let out_return_no = checked.path("out_return_no");
    let order = OrderRef::new(None, Some(checked.query.required("out_order_no")?))?;
    let sub_mchid = scope(&app, &caller, checked.query.optional("sub_mchid")?)?;
    Ok(Json(
        find_return(&app, &caller, sub_mchid, order, out_return_no)?.view(),
    ))
}
