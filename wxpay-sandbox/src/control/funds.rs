//! The control API of profit sharing and merchant transfers, and of the
//! merchants themselves (what they are, where profit sharing to them is
//! notified): what a test or a person does that WeChat does not expose.
//!
//! | method and path | body / query | does |
//! | --- | --- | --- |
//! | `GET /sandbox/merchants` | | every merchant: sub-merchants, appids, notify URL |
//! | `POST /sandbox/merchants/profit-sharing-notify-url` | `{"mchid","url"}` (`null` clears) | where profit sharing to it is notified |
//! | `GET /sandbox/profitsharing` | `?mchid=&sub_mchid=` (optional) | receivers, orders, returns |
//! | `POST /sandbox/profitsharing/receivers/outcome` | `{"mchid","sub_mchid"?,"type","account","fail_reason"}` | shares to it close with that reason (`null`: succeed) |
//! | `POST /sandbox/profitsharing/orders/settle` | `{"mchid","out_order_no"}` | PROCESSING → FINISHED now |
//! | `GET /sandbox/transfers` | `?mchid=&sub_mchid=` (optional) | transfer bills |
//! | `POST /sandbox/transfers/confirm` | `{"package_info"}` or `{"mchid","out_bill_no"}`, optional `"fail_reason"` | the user confirms: TRANSFERING, then SUCCESS (or FAIL) |
//! | `POST /sandbox/transfers/reject` | same | the user never confirms: FAIL |
//! | `POST /sandbox/transfers/finish` | `{"mchid","out_bill_no"}` | TRANSFERING / CANCELING ends now |
//! | `GET /sandbox/transfer/{package_info}` | | the confirm page a user sees |

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::json_body;
use crate::app::App;
use crate::ops::extract::Query;
use crate::ops::profitsharing::{self, ReceiverKey, ReceiverType};
use crate::ops::transfer::lifecycle::{confirm, finish, reject, BillRef};
use crate::reply::WxError;

fn text<'a>(body: &'a Value, name: &str) -> Result<&'a str, WxError> {
    body.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| WxError::param(format!("missing string field `{name}`")))
}

/// Whether a record of `mchid` / `sub_mchid` passes the query's filters.
fn wanted(query: &Query, mchid: &str, sub_mchid: Option<&str>) -> Result<bool, WxError> {
    Ok(query.optional("mchid")?.is_none_or(|m| m == mchid)
        && query
            .optional("sub_mchid")?
            .is_none_or(|s| sub_mchid == Some(s)))
}

pub(super) async fn merchants(State(app): State<Arc<App>>) -> Json<Value> {
    let mut merchants: Vec<Value> = app
        .all_merchants()
        .iter()
        .map(|m| app.merchant_summary(m))
        .collect();
    merchants.sort_by(|a, b| a["mchid"].as_str().cmp(&b["mchid"].as_str()));
    Json(json!({ "merchants": merchants }))
}

pub(super) async fn profit_sharing_notify_url(
    State(app): State<Arc<App>>,
    body: Bytes,
) -> Result<Json<Value>, WxError> {
    let body = json_body(&body)?;
    let mchid = text(&body, "mchid")?;
    let url = body.get("url").and_then(Value::as_str);
    if let Some(url) = url {
        crate::ops::transactions::check_notify_url("url", url)?;
    }
    let merchant = app
        .set_profit_sharing_notify_url(mchid, url)
        .ok_or_else(|| WxError::not_exists(format!("no merchant {mchid} in the sandbox")))?;
    Ok(Json(app.merchant_summary(&merchant)))
}

/// What the control API shows of profit sharing, filtered.
pub(crate) fn profit_sharing_state(app: &App, query: &Query) -> Result<Value, WxError> {
    let store = app.store();
    let book = &store.profit_sharing;
    let mut receivers = Vec::new();
    for r in book.receivers() {
        if wanted(query, &r.mchid, r.sub_mchid.as_deref())? {
            receivers.push(r.describe());
        }
    }
    let mut orders = Vec::new();
    for o in book.orders() {
        if wanted(query, &o.mchid, o.sub_mchid.as_deref())? {
            let mut view = o.view();
            view["mchid"] = json!(o.mchid);
            view["created_unix"] = json!(o.created_unix);
            orders.push(view);
        }
    }
    orders.sort_by_key(|o| std::cmp::Reverse(o["created_unix"].as_i64()));
    let mut returns = Vec::new();
    for r in book.returns() {
        if wanted(query, &r.mchid, r.sub_mchid.as_deref())? {
            let mut view = r.view();
            view["mchid"] = json!(r.mchid);
            returns.push(view);
        }
    }
    Ok(json!({ "receivers": receivers, "orders": orders, "returns": returns }))
}

pub(super) async fn profit_sharing(
    State(app): State<Arc<App>>,
    query: Query,
) -> Result<Json<Value>, WxError> {
    Ok(Json(profit_sharing_state(&app, &query)?))
}

pub(super) async fn receiver_outcome(
    State(app): State<Arc<App>>,
    body: Bytes,
) -> Result<Json<Value>, WxError> {
    let body = json_body(&body)?;
    let kind = text(&body, "type")?;
    let kind = ReceiverType::parse(kind)
        .ok_or_else(|| WxError::param(format!("`type` {kind:?} is not a receiver type")))?;
    let key: ReceiverKey = (
        text(&body, "mchid")?.to_owned(),
        body.get("sub_mchid")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        kind.wire().to_owned(),
        text(&body, "account")?.to_owned(),
    );
    let reason = body.get("fail_reason").and_then(Value::as_str);
    let receiver = profitsharing::lifecycle::set_receiver_outcome(&app, &key, reason)?;
    Ok(Json(receiver.describe()))
}

pub(super) async fn settle_order(
    State(app): State<Arc<App>>,
    body: Bytes,
) -> Result<Json<Value>, WxError> {
    let body = json_body(&body)?;
    let order = profitsharing::lifecycle::settle(
        &app,
        text(&body, "mchid")?,
        text(&body, "out_order_no")?,
    )?;
    Ok(Json(order.view()))
}

/// What the control API shows of transfers, filtered, newest first.
pub(crate) fn transfers_state(app: &App, query: &Query) -> Result<Value, WxError> {
    let store = app.store();
    let mut bills = Vec::new();
    for bill in store.transfers.bills() {
        if wanted(query, &bill.mchid, bill.sub_mchid.as_deref())? {
            bills.push((bill.created_unix, bill.describe()));
        }
    }
    bills.sort_by_key(|(created, _)| std::cmp::Reverse(*created));
    let bills: Vec<Value> = bills.into_iter().map(|(_, v)| v).collect();
    Ok(json!({ "transfers": bills }))
}

pub(super) async fn transfers(
    State(app): State<Arc<App>>,
    query: Query,
) -> Result<Json<Value>, WxError> {
    Ok(Json(transfers_state(&app, &query)?))
}

pub(super) async fn confirm_transfer(
    State(app): State<Arc<App>>,
    body: Bytes,
) -> Result<Json<Value>, WxError> {
    let body = json_body(&body)?;
    let bill = confirm(
        &app,
        &BillRef::from_json(&body)?,
        body.get("fail_reason").and_then(Value::as_str),
    )?;
    Ok(Json(bill.describe()))
}

pub(super) async fn reject_transfer(
    State(app): State<Arc<App>>,
    body: Bytes,
) -> Result<Json<Value>, WxError> {
    let bill = reject(&app, &BillRef::from_json(&json_body(&body)?)?)?;
    Ok(Json(bill.describe()))
}

pub(super) async fn finish_transfer(
    State(app): State<Arc<App>>,
    body: Bytes,
) -> Result<Json<Value>, WxError> {
    let bill = finish(&app, &BillRef::from_json(&json_body(&body)?)?)?;
    Ok(Json(bill.describe()))
}
