//! The console: one page at `/sandbox/` showing merchants (with their
//! sub-merchants and appids), orders, refunds, profit sharing, transfers and
//! every notification attempt (request and answer), with buttons that call
//! the control API (pay, fail, close, refund, settle a refund, confirm or
//! reject a transfer, re-send), refreshed by polling `/sandbox/state`. Served on the sandbox's port and,
//! with [`SandboxBuilder::console`](crate::SandboxBuilder::console), on a port
//! of its own that serves nothing else.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY};
use http::HeaderValue;
use serde_json::{json, Value};

use super::funds::{profit_sharing_state, transfers_state};
use super::{describe, json_body};
use crate::app::App;
use crate::auth::Caller;
use crate::lifecycle::{digits, OrderRef};
use crate::ops::extract::{JsonObject, Query};
use crate::reply::WxError;

/// The page (HTML, CSS and script in one file, no outside resources).
const PAGE: &str = include_str!("console.html");

/// Orders and refunds shown at most (newest first), so a long run's state
/// stays a page, not a download.
const MAX_ROWS: usize = 200;

/// Notification attempts shown at most (newest).
const MAX_ATTEMPTS: usize = 300;

/// `GET /sandbox/`: the console page.
pub(crate) async fn page() -> Response {
    let mut response = Html(PAGE).into_response();
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Only its own inline script and same-origin requests.
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
             connect-src 'self'; img-src 'self' data:",
        ),
    );
    response
}

/// `GET /sandbox/state`: what the console shows, newest first.
pub(crate) async fn state(State(app): State<Arc<App>>) -> Json<Value> {
    let mut merchants: Vec<Value> = app
        .all_merchants()
        .iter()
        .map(|m| app.merchant_summary(m))
        .collect();
    merchants.sort_by(|a, b| a["mchid"].as_str().cmp(&b["mchid"].as_str()));
    let (orders, refunds) = {
        let store = app.store();
        let (mut orders, mut refunds) = store.everything();
        orders.sort_by_key(|o| std::cmp::Reverse(o.created_unix));
        refunds.sort_by_key(|r| std::cmp::Reverse(r.created_unix));
        let orders: Vec<_> = orders.into_iter().take(MAX_ROWS).cloned().collect();
        let refunds: Vec<Value> = refunds
            .into_iter()
            .take(MAX_ROWS)
            .map(|r| {
                let mut view = r.view();
                view["mchid"] = Value::String(r.mchid.clone());
                view
            })
            .collect();
        (orders, refunds)
    };
    let orders: Vec<Value> = orders.iter().map(|o| describe(&app, o)).collect();
    let mut attempts = app.outbox().attempts(None, None);
    let skip = attempts.len().saturating_sub(MAX_ATTEMPTS);
    let attempts: Vec<_> = attempts.drain(skip..).rev().collect();
    let everything = Query::default();
    let mut profit_sharing = profit_sharing_state(&app, &everything).unwrap_or_default();
    for list in ["receivers", "orders", "returns"] {
        if let Some(Value::Array(rows)) = profit_sharing.get_mut(list) {
            rows.truncate(MAX_ROWS);
        }
    }
    let mut transfers = transfers_state(&app, &everything).unwrap_or_default();
    if let Some(Value::Array(rows)) = transfers.get_mut("transfers") {
        rows.truncate(MAX_ROWS);
    }
    Json(json!({
        "merchants": merchants,
        "orders": orders,
        "refunds": refunds,
        "notifications": attempts,
        "profit_sharing": profit_sharing,
        "transfers": transfers["transfers"],
    }))
}

/// `POST /sandbox/refunds/create` `{"mchid","out_trade_no"}`, optional
/// `"amount"` (fen, default: all that is left) and `"out_refund_no"`: a refund
/// requested as the merchant would, through the refund operation itself.
pub(crate) async fn create_refund(
    State(app): State<Arc<App>>,
    body: Bytes,
) -> Result<Response, WxError> {
    let body = json_body(&body)?;
    let order = OrderRef::from_json(&body)?.find(&app)?;
    let amount = match body.get("amount") {
        None => order.refundable(),
        Some(v) => v
            .as_i64()
            .ok_or_else(|| WxError::param("`amount` must be an integer number of fen"))?,
    };
    let out_refund_no = match body.get("out_refund_no").and_then(Value::as_str) {
        Some(no) => no.to_owned(),
        None => format!("RF{}", digits(20)?),
    };
    let mut request = json!({
        "out_trade_no": order.out_trade_no,
        "out_refund_no": out_refund_no,
        "reason": "console",
        "notify_url": order.notify_url,
        "amount": { "refund": amount, "total": order.total, "currency": order.currency },
    });
    if let Some(sub) = order.sub_mchid() {
        request["sub_mchid"] = Value::String(sub.to_owned());
    }
    let Value::Object(request) = request else {
        return Err(WxError::system());
    };
    let caller = Caller {
        mchid: order.mchid.clone(),
    };
    let refund = crate::ops::refunds::create(State(app), caller, JsonObject(request)).await?;
    Ok(refund.into_response())
}
