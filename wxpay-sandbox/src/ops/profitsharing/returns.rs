//! `POST v3/profitsharing/return-orders` (请求分账回退) and
//! `GET .../return-orders/{out_return_no}` (查询分账回退结果): money shared to
//! a merchant receiver comes back to the payer. WeChat handles a return
//! synchronously: the answer carries the result.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;

use super::lifecycle::notify_return;
use super::model::{ReceiverType, ReturnResult, ShareResult, ShareReturn};
use super::{check_number, not_exists};
use crate::app::App;
use crate::auth::Caller;
use crate::clock::unix_now;
use crate::lifecycle::{digits, ymd};
use crate::ops::extract::{Checked, Fields};
use crate::ops::partner::scope;
use crate::reply::{Reply, WxError};

/// Returns one order may have (Go SDK: 对同一笔分账单最多能发起20次分账回退请求).
const MAX_RETURNS_PER_ORDER: usize = 20;

pub(super) async fn create(State(app): State<Arc<App>>, caller: Caller, checked: Checked) -> Reply {
    let f = Fields::of(&checked.body);
    let sub_mchid = scope(&app, &caller, f.optional_str("sub_mchid")?)?;
    let out_return_no = f.string("out_return_no")?;
    check_number("out_return_no", out_return_no)?;
    let return_mchid = f.string("return_mchid")?;
    let amount = f.fen("amount")?;
    let description = f.string("description")?;
    let (order_id, out_order_no) = (f.optional_str("order_id")?, f.optional_str("out_order_no")?);

    let now = unix_now();
    let share_return = {
        let mut store = app.store();
        let book = &store.profit_sharing;
        let order = match (order_id, out_order_no) {
            (Some(id), _) => book.order_by_id(&caller.mchid, id),
            (None, Some(no)) => book.order(&caller.mchid, no),
            (None, None) => {
                return Err(WxError::param(
                    "one of `order_id` and `out_order_no` is required",
                ))
            }
        }
        .filter(|o| o.sub_mchid.as_deref() == sub_mchid)
        .filter(|o| out_order_no.is_none_or(|no| no == o.out_order_no))
        .cloned()
        .ok_or_else(|| {
            WxError::invalid_request(format!(
                "分账单不存在: no profit-sharing order {} of this merchant",
                order_id.or(out_order_no).unwrap_or_default()
            ))
        })?;
        if let Some(existing) = book.share_return(&caller.mchid, out_return_no) {
            let same = existing.order_id == order.order_id
                && existing.return_mchid == return_mchid
                && existing.amount == amount;
            return if same {
                Ok(Json(existing.view()))
            } else {
                Err(WxError::invalid_request(format!(
                    "out_return_no {out_return_no} was used with other parameters"
                )))
            };
        }
        // Only what went to this merchant receiver can come back from it.
        let shared: i64 = order
            .receivers
            .iter()
            .filter(|s| s.kind == ReceiverType::MerchantId && !s.unfreeze)
            .filter(|s| s.account == return_mchid && s.result == ShareResult::Success)
            .map(|s| s.amount)
            .sum();
        if shared == 0 {
            return Err(WxError::invalid_request(format!(
                "回退方不存在: {return_mchid} received nothing of order {} \
                 (only merchant receivers whose share succeeded can return)",
                order.out_order_no
            )));
        }
        let (returned, count) = book.returned(&caller.mchid, &order.order_id, return_mchid);
        if count >= MAX_RETURNS_PER_ORDER {
            return Err(WxError::invalid_request(format!(
                "对同一笔分账单最多能发起{MAX_RETURNS_PER_ORDER}次分账回退请求"
            )));
        }
        if amount > shared - returned {
            return Err(WxError::invalid_request(format!(
                "回退金额超过可回退金额 ({amount} fen asked, {} fen of {shared} left to return \
                 from {return_mchid})",
                shared - returned
            )));
        }
        let fails_with = book
            .receiver(&(
                caller.mchid.clone(),
                sub_mchid.unwrap_or_default().to_owned(),
                ReceiverType::MerchantId.wire().to_owned(),
                return_mchid.to_owned(),
            ))
            .and_then(|r| r.fail_reason.clone());
        let share_return = ShareReturn {
            mchid: caller.mchid.clone(),
            sub_mchid: sub_mchid.map(str::to_owned),
            transaction_id: order.transaction_id.clone(),
            order_id: order.order_id.clone(),
            out_order_no: order.out_order_no.clone(),
            out_return_no: out_return_no.to_owned(),
            return_id: format!("{}{}", ymd(now), digits(20)?),
            return_mchid: return_mchid.to_owned(),
            amount,
            description: description.to_owned(),
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
        notify_return(&app, &share_return);
    }
    Ok(Json(share_return.view()))
}

pub(super) async fn query(State(app): State<Arc<App>>, caller: Caller, checked: Checked) -> Reply {
    let out_return_no = checked.path("out_return_no");
    let out_order_no = checked.query.required("out_order_no")?;
    let sub_mchid = scope(&app, &caller, checked.query.optional("sub_mchid")?)?;
    let store = app.store();
    let share_return = store
        .profit_sharing
        .share_return(&caller.mchid, out_return_no)
        .filter(|r| r.out_order_no == out_order_no && r.sub_mchid.as_deref() == sub_mchid)
        .ok_or_else(|| {
            not_exists(&format!(
                "no return {out_return_no} of profit-sharing order {out_order_no}"
            ))
        })?;
    Ok(Json(share_return.view()))
}
