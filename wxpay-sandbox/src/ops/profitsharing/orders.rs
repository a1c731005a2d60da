//! `POST v3/profitsharing/orders` (请求分账), `GET .../orders/{out_order_no}`
//! (查询分账结果), `POST .../orders/unfreeze` (解冻剩余资金) and
//! `GET v3/profitsharing/transactions/{transaction_id}/amounts`
//! (查询剩余待分金额).

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use http::StatusCode;
use serde_json::{json, Value};

use super::lifecycle::schedule_settle;
use super::model::{
    OrderState, ReceiverType, Share, ShareOrder, ShareResult, UNFREEZE_DESCRIPTION,
};
use super::{check_number, not_exists, shareable_transaction};
use crate::app::App;
use crate::auth::Caller;
use crate::clock::unix_now;
use crate::lifecycle::{digits, ymd};
use crate::ops::extract::{Checked, Fields};
use crate::ops::partner::{check_appid, check_sub_appid, scope};
use crate::reply::{Reply, WxError};

/// Receivers one request may name.
const MAX_RECEIVERS: usize = 50;
/// Orders one transaction may have (the partner page of 2025-09: 50; the Go
/// SDK's older text says 20).
const MAX_ORDERS_PER_TRANSACTION: usize = 50;

/// 403 `NOT_ENOUGH`.
fn not_enough(message: String) -> WxError {
    WxError::new(StatusCode::FORBIDDEN, "NOT_ENOUGH", message)
}

/// WeChat's new ids: a prefix, the date, random digits (28 in all).
fn new_id(prefix: &str, now: i64) -> Result<String, WxError> {
    Ok(format!(
        "{prefix}{}{}",
        ymd(now),
        digits(28 - prefix.len() - 8)?
    ))
}

/// One receiver of a request, checked against the merchant's receivers.
fn share(
    app: &App,
    caller: &Caller,
    payer: &str,
    sub_mchid: Option<&str>,
    item: &Value,
    index: usize,
) -> Result<Share, WxError> {
    let Some(fields) = item.as_object() else {
        return Err(WxError::param(format!(
            "`receivers.{index}` must be an object"
        )));
    };
    let f = Fields::of(fields);
    let kind = ReceiverType::parse(f.one_of("type", &ReceiverType::ALL)?)
        .ok_or_else(|| WxError::param("`type` is not a receiver type"))?;
    let account = f.string("account")?;
    let amount = f.fen("amount")?;
    let description = f.string("description")?;
    if description.chars().count() > 80 {
        return Err(WxError::param(format!(
            "`receivers.{index}.description` is longer than 80 characters"
        )));
    }
    // The payer itself may receive without being added (WeChat: 可以设置
    // 出资商户作为分账接收方); anyone else must have been added.
    let is_payer = kind == ReceiverType::MerchantId && account == payer;
    let key = (
        caller.mchid.clone(),
        sub_mchid.unwrap_or_default().to_owned(),
        kind.wire().to_owned(),
        account.to_owned(),
    );
    let registered = app.store().profit_sharing.receiver(&key).cloned();
    if registered.is_none() && !is_payer {
        return Err(WxError::invalid_request(format!(
            "分账接收方关系不存在，请检查参数中每个接收方的关系 (receivers.{index}: {} {account} \
             was not added with receivers/add)",
            kind.wire()
        )));
    }
    Ok(Share {
        kind,
        account: account.to_owned(),
        amount,
        description: description.to_owned(),
        result: ShareResult::Pending,
        fail_reason: None,
        detail_id: String::new(),
        unfreeze: false,
        closes_with: registered.and_then(|r| r.fail_reason),
    })
}

pub(super) async fn create(State(app): State<Arc<App>>, caller: Caller, checked: Checked) -> Reply {
    let f = Fields::of(&checked.body);
    let sub_mchid = scope(&app, &caller, f.optional_str("sub_mchid")?)?;
    let transaction_id = f.string("transaction_id")?;
    let out_order_no = f.string("out_order_no")?;
    check_number("out_order_no", out_order_no)?;
    let unfreeze_unsplit = f.optional_bool("unfreeze_unsplit")?.unwrap_or(false);
    let items = f.optional_array("receivers")?.unwrap_or_default();
    if items.is_empty() || items.len() > MAX_RECEIVERS {
        return Err(WxError::param(format!(
            "`receivers` must list 1 to {MAX_RECEIVERS} receivers (分账接收方列表格式错误)"
        )));
    }
    if let Some(appid) = f.optional_str("appid")? {
        check_appid(&app, &caller, "appid", appid)?;
    }
    if let (Some(sub), Some(sub_appid)) = (sub_mchid, f.optional_str("sub_appid")?) {
        check_sub_appid(&app, &caller, sub, sub_appid)?;
    }

    // The same number again is the same request (同一分账单号多次请求等同一次).
    if let Some(existing) = app
        .store()
        .profit_sharing
        .order(&caller.mchid, out_order_no)
    {
        if existing.transaction_id != transaction_id {
            return Err(WxError::param(format!(
                "微信支付订单号与原请求不一致 (out_order_no {out_order_no} shares transaction {})",
                existing.transaction_id
            )));
        }
        return Ok(Json(existing.view()));
    }
    let paid = shareable_transaction(
        &app,
        &caller,
        sub_mchid,
        transaction_id,
        "非分账订单不支持分账",
    )?;
    let payer = sub_mchid.unwrap_or(&caller.mchid);
    let mut receivers = Vec::with_capacity(items.len() + 1);
    for (index, item) in items.iter().enumerate() {
        receivers.push(share(&app, &caller, payer, sub_mchid, item, index)?);
    }
    let now = unix_now();
    let order = {
        let mut store = app.store();
        let book = &store.profit_sharing;
        if book.orders_of(&caller.mchid, transaction_id).count() >= MAX_ORDERS_PER_TRANSACTION {
            return Err(WxError::invalid_request(format!(
                "对同一笔订单最多能发起{MAX_ORDERS_PER_TRANSACTION}次分账请求"
            )));
        }
        let left = book.unsplit(&caller.mchid, transaction_id, paid.total - paid.refunded);
        let asked: i64 = receivers.iter().map(|s| s.amount).sum();
        if asked > left {
            return Err(not_enough(format!(
                "分账金额不足 ({asked} fen asked, {left} fen left to share of transaction \
                 {transaction_id})"
            )));
        }
        if unfreeze_unsplit && left > asked {
            receivers.push(unfreeze_share(payer, left - asked));
        }
        for share in &mut receivers {
            share.detail_id = new_id("36", now)?;
        }
        let order = ShareOrder {
            mchid: caller.mchid.clone(),
            sub_mchid: sub_mchid.map(str::to_owned),
            transaction_id: transaction_id.to_owned(),
            out_order_no: out_order_no.to_owned(),
            order_id: new_id("3008", now)?,
            state: OrderState::Processing,
            receivers,
            created_unix: now,
            finished_unix: None,
        };
        store.put_share_order(order.clone());
        order
    };
    schedule_settle(&app, &caller.mchid, out_order_no);
    Ok(Json(order.view()))
}

/// The rest of a transaction, unfrozen to the payer.
fn unfreeze_share(payer: &str, amount: i64) -> Share {
    Share {
        kind: ReceiverType::MerchantId,
        account: payer.to_owned(),
        amount,
        description: UNFREEZE_DESCRIPTION.to_owned(),
        result: ShareResult::Pending,
        fail_reason: None,
        detail_id: String::new(),
        unfreeze: true,
        closes_with: None,
    }
}

pub(super) async fn unfreeze(
    State(app): State<Arc<App>>,
    caller: Caller,
    checked: Checked,
) -> Reply {
    let f = Fields::of(&checked.body);
    let sub_mchid = scope(&app, &caller, f.optional_str("sub_mchid")?)?;
    let transaction_id = f.string("transaction_id")?;
    let out_order_no = f.string("out_order_no")?;
    check_number("out_order_no", out_order_no)?;
    f.string("description")?;
    if let Some(existing) = app
        .store()
        .profit_sharing
        .order(&caller.mchid, out_order_no)
    {
        if existing.transaction_id != transaction_id {
            return Err(WxError::param(format!(
                "微信支付订单号与原请求不一致 (out_order_no {out_order_no} shares transaction {})",
                existing.transaction_id
            )));
        }
        return Ok(Json(existing.view()));
    }
    let paid = shareable_transaction(
        &app,
        &caller,
        sub_mchid,
        transaction_id,
        "非分账订单不支持解冻剩余资金",
    )?;
    let now = unix_now();
    let order = {
        let mut store = app.store();
        let left =
            store
                .profit_sharing
                .unsplit(&caller.mchid, transaction_id, paid.total - paid.refunded);
        if left == 0 {
            return Err(not_enough(format!(
                "分账金额为0: nothing is left to unfreeze of transaction {transaction_id}"
            )));
        }
        let mut share = unfreeze_share(sub_mchid.unwrap_or(&caller.mchid), left);
        share.detail_id = new_id("36", now)?;
        let order = ShareOrder {
            mchid: caller.mchid.clone(),
            sub_mchid: sub_mchid.map(str::to_owned),
            transaction_id: transaction_id.to_owned(),
            out_order_no: out_order_no.to_owned(),
            order_id: new_id("3008", now)?,
            state: OrderState::Processing,
            receivers: vec![share],
            created_unix: now,
            finished_unix: None,
        };
        store.put_share_order(order.clone());
        order
    };
    schedule_settle(&app, &caller.mchid, out_order_no);
    Ok(Json(order.view()))
}

pub(super) async fn query(State(app): State<Arc<App>>, caller: Caller, checked: Checked) -> Reply {
    let out_order_no = checked.path("out_order_no");
    let transaction_id = checked.query.required("transaction_id")?;
    let sub_mchid = scope(&app, &caller, checked.query.optional("sub_mchid")?)?;
    let store = app.store();
    let order = store
        .profit_sharing
        .order(&caller.mchid, out_order_no)
        .filter(|o| o.transaction_id == transaction_id && o.sub_mchid.as_deref() == sub_mchid)
        .ok_or_else(|| {
            not_exists(&format!(
                "no profit-sharing order {out_order_no} of transaction {transaction_id}"
            ))
        })?;
    Ok(Json(order.view()))
}

pub(super) async fn amounts(
    State(app): State<Arc<App>>,
    caller: Caller,
    checked: Checked,
) -> Reply {
    let transaction_id = checked.path("transaction_id");
    let store = app.store();
    let paid = store
        .order_by_transaction(&caller.mchid, transaction_id)
        .filter(|o| o.state_at(unix_now()).is_paid() && o.profit_sharing)
        .cloned()
        .ok_or_else(|| {
            WxError::invalid_request(format!(
                "非分账订单不支持此查询: transaction_id {transaction_id} is not a paid order of \
                 this merchant made with settle_info.profit_sharing"
            ))
        })?;
    let left =
        store
            .profit_sharing
            .unsplit(&caller.mchid, transaction_id, paid.total - paid.refunded);
    Ok(Json(json!({
        "transaction_id": transaction_id,
        "unsplit_amount": left,
    })))
}
