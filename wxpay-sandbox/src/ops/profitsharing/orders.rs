//! Splits (请求分账), their queries (查询分账结果), unfreezing the rest
//! (解冻剩余资金 / 完结分账) and what is left to share (查询剩余待分金额):
//! one state machine for every family. The functions here take what a
//! request asked, whatever its field names, and act on the book; the HTTP
//! handlers of `v3/profitsharing/...` below, and the e-commerce platform's in
//! `ecommerce`, only read their own request shapes and write their own
//! answers.

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
/// SDK's older text says 20; the e-commerce page of 2025-09: 50).
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

/// One receiver of a split as asked.
pub(super) struct Asked<'a> {
    kind: ReceiverType,
    account: &'a str,
    amount: i64,
    description: &'a str,
}

impl<'a> Asked<'a> {
    /// `receivers.{index}` of a request, its account in the field
    /// `account_field` (`account`; the e-commerce platform's
    /// `receiver_account`).
    pub(super) fn read(
        item: &'a Value,
        index: usize,
        account_field: &str,
    ) -> Result<Self, WxError> {
        let Some(fields) = item.as_object() else {
            return Err(WxError::param(format!(
                "`receivers.{index}` must be an object"
            )));
        };
        let f = Fields::of(fields);
        let kind = ReceiverType::parse(f.one_of("type", &ReceiverType::ALL)?)
            .ok_or_else(|| WxError::param("`type` is not a receiver type"))?;
        let description = f.string("description")?;
        if description.chars().count() > 80 {
            return Err(WxError::param(format!(
                "`receivers.{index}.description` is longer than 80 characters"
            )));
        }
        Ok(Asked {
            kind,
            account: f.string(account_field)?,
            amount: f.fen("amount")?,
            description,
        })
    }

    /// Whether it names a person (`PERSONAL_OPENID`, `PERSONAL_SUB_OPENID`).
    pub(super) fn is_personal(&self) -> bool {
        self.kind != ReceiverType::MerchantId
    }

    /// Every receiver a request lists: 1 to 50 of them.
    pub(super) fn all(
        items: Option<&'a [Value]>,
        account_field: &str,
    ) -> Result<Vec<Self>, WxError> {
        let items = items.unwrap_or_default();
        if items.is_empty() || items.len() > MAX_RECEIVERS {
            return Err(WxError::param(format!(
                "`receivers` must list 1 to {MAX_RECEIVERS} receivers (分账接收方列表格式错误)"
            )));
        }
        items
            .iter()
            .enumerate()
            .map(|(index, item)| Asked::read(item, index, account_field))
            .collect()
    }
}

/// A split as asked, in any family's request.
pub(super) struct Split<'a> {
    /// The payer: the sub-merchant (partner, e-commerce), `None` for a
    /// direct merchant.
    pub(super) sub_mchid: Option<&'a str>,
    /// Whose receivers it may name: the sub-merchant's (partner), or the
    /// merchant's own list (`None`: a direct merchant's, or an e-commerce
    /// platform's, which all its second-level merchants share).
    pub(super) receivers_of: Option<&'a str>,
    pub(super) transaction_id: &'a str,
    pub(super) out_order_no: &'a str,
    pub(super) receivers: Vec<Asked<'a>>,
    /// The rest goes back to the payer (`unfreeze_unsplit`; e-commerce `finish`).
    pub(super) unfreeze_rest: bool,
}

/// One asked receiver, checked against the merchant's receivers.
fn share(
    app: &App,
    caller: &Caller,
    payer: &str,
    receivers_of: Option<&str>,
    asked: &Asked<'_>,
    index: usize,
) -> Result<Share, WxError> {
    let Asked {
        kind,
        account,
        amount,
        description,
    } = *asked;
    // The payer itself may receive without being added (WeChat: 可以设置
    // 出资商户作为分账接收方); anyone else must have been added.
    let is_payer = kind == ReceiverType::MerchantId && account == payer;
    let key = (
        caller.mchid.clone(),
        receivers_of.unwrap_or_default().to_owned(),
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

/// The order already made under this number: the same request again
/// (同一分账单号多次请求等同一次), unless it shares another transaction.
fn existing(
    app: &App,
    caller: &Caller,
    out_order_no: &str,
    transaction_id: &str,
) -> Result<Option<ShareOrder>, WxError> {
    let store = app.store();
    let Some(existing) = store.profit_sharing.order(&caller.mchid, out_order_no) else {
        return Ok(None);
    };
    if existing.transaction_id != transaction_id {
        return Err(WxError::param(format!(
            "微信支付订单号与原请求不一致 (out_order_no {out_order_no} shares transaction {})",
            existing.transaction_id
        )));
    }
    Ok(Some(existing.clone()))
}

/// Makes a split: PROCESSING, its receivers PENDING, settled later.
pub(super) fn create_split(
    app: &Arc<App>,
    caller: &Caller,
    split: Split<'_>,
) -> Result<ShareOrder, WxError> {
    let Split {
        sub_mchid,
        receivers_of,
        transaction_id,
        out_order_no,
        receivers: asked,
        unfreeze_rest,
    } = split;
    check_number("out_order_no", out_order_no)?;
    if let Some(order) = existing(app, caller, out_order_no, transaction_id)? {
        return Ok(order);
    }
    let paid = shareable_transaction(
        app,
        caller,
        sub_mchid,
        transaction_id,
        "非分账订单不支持分账",
    )?;
    let payer = sub_mchid.unwrap_or(&caller.mchid);
    let mut receivers = Vec::with_capacity(asked.len() + 1);
    for (index, asked) in asked.iter().enumerate() {
        receivers.push(share(app, caller, payer, receivers_of, asked, index)?);
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
        if unfreeze_rest && left > asked {
            receivers.push(unfreeze_share(payer, left - asked, UNFREEZE_DESCRIPTION));
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
    schedule_settle(app, &caller.mchid, out_order_no);
    Ok(order)
}

/// The rest of a transaction, unfrozen to the payer.
fn unfreeze_share(payer: &str, amount: i64, description: &str) -> Share {
    Share {
        kind: ReceiverType::MerchantId,
        account: payer.to_owned(),
        amount,
        description: description.to_owned(),
        result: ShareResult::Pending,
        fail_reason: None,
        detail_id: String::new(),
        unfreeze: true,
        closes_with: None,
    }
}

/// Unfreezes what is left of a transaction to the payer: an order of one
/// share, described as `description`; nothing can be shared after it.
/// `refusal`: the family's message for a transaction that cannot be shared.
pub(super) fn unfreeze_rest(
    app: &Arc<App>,
    caller: &Caller,
    (sub_mchid, transaction_id, out_order_no): (Option<&str>, &str, &str),
    description: &str,
    refusal: &str,
) -> Result<ShareOrder, WxError> {
    check_number("out_order_no", out_order_no)?;
    if let Some(order) = existing(app, caller, out_order_no, transaction_id)? {
        return Ok(order);
    }
    let paid = shareable_transaction(app, caller, sub_mchid, transaction_id, refusal)?;
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
        let mut share = unfreeze_share(sub_mchid.unwrap_or(&caller.mchid), left, description);
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
    schedule_settle(app, &caller.mchid, out_order_no);
    Ok(order)
}

/// The order a query names; 404 `RESOURCE_NOT_EXISTS` if the merchant made
/// none by that number for that transaction (and sub-merchant).
pub(super) fn find_order(
    app: &App,
    caller: &Caller,
    (sub_mchid, transaction_id, out_order_no): (Option<&str>, &str, &str),
) -> Result<ShareOrder, WxError> {
    app.store()
        .profit_sharing
        .order(&caller.mchid, out_order_no)
        .filter(|o| o.transaction_id == transaction_id && o.sub_mchid.as_deref() == sub_mchid)
        .cloned()
        .ok_or_else(|| {
            not_exists(&format!(
                "no profit-sharing order {out_order_no} of transaction {transaction_id}"
            ))
        })
}

/// What is left to share of a transaction of the merchant (any of its
/// sub-merchants'): the `amounts` answer.
pub(super) fn amounts_answer(app: &App, caller: &Caller, transaction_id: &str) -> Reply {
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

// `v3/profitsharing/...`, direct merchants and service providers.

pub(super) async fn create(State(app): State<Arc<App>>, caller: Caller, checked: Checked) -> Reply {
    let f = Fields::of(&checked.body);
    let sub_mchid = scope(&app, &caller, f.optional_str("sub_mchid")?)?;
    let transaction_id = f.string("transaction_id")?;
    let out_order_no = f.string("out_order_no")?;
    let unfreeze_rest = f.optional_bool("unfreeze_unsplit")?.unwrap_or(false);
    let receivers = Asked::all(f.optional_array("receivers")?, "account")?;
    if let Some(appid) = f.optional_str("appid")? {
        check_appid(&app, &caller, "appid", appid)?;
    }
    if let (Some(sub), Some(sub_appid)) = (sub_mchid, f.optional_str("sub_appid")?) {
        check_sub_appid(&app, &caller, sub, sub_appid)?;
    }
    let split = Split {
        sub_mchid,
        receivers_of: sub_mchid,
        transaction_id,
        out_order_no,
        receivers,
        unfreeze_rest,
    };
    Ok(Json(create_split(&app, &caller, split)?.view()))
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
    f.string("description")?;
    let order = unfreeze_rest(
        &app,
        &caller,
        (sub_mchid, transaction_id, out_order_no),
        UNFREEZE_DESCRIPTION,
        "非分账订单不支持解冻剩余资金",
    )?;
    Ok(Json(order.view()))
}

pub(super) async fn query(State(app): State<Arc<App>>, caller: Caller, checked: Checked) -> Reply {
    let out_order_no = checked.path("out_order_no");
    let transaction_id = checked.query.required("transaction_id")?;
    let sub_mchid = scope(&app, &caller, checked.query.optional("sub_mchid")?)?;
    let order = find_order(&app, &caller, (sub_mchid, transaction_id, out_order_no))?;
    Ok(Json(order.view()))
}

pub(super) async fn amounts(
    State(app): State<Arc<App>>,
    caller: Caller,
    checked: Checked,
) -> Reply {
    amounts_answer(&app, &caller, checked.path("transaction_id"))
}
