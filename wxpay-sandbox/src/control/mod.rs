//! The control API, under `/sandbox/` (outside WeChat Pay's `/v3/` namespace,
//! so never mistaken for it): pay, fail or close an order, settle a refund,
//! read the notification log and re-send a notification; and the pay page a
//! person opens for a `prepay_id`, `code_url` or `h5_url`.
//!
//! Requests here are not signed and answers are not signed: it is a test
//! tool's remote control. Anyone who can reach the port can use it, so keep
//! the sandbox on loopback (the default) unless that is what you want.
//!
//! | method and path | body / query | does |
//! | --- | --- | --- |
//! | `GET /sandbox/orders` | `?mchid=&out_trade_no=` or `?prepay_id=` | the order, its query answer and refunds |
//! | `POST /sandbox/orders/pay` | `{"mchid","out_trade_no"}`, `{"prepay_id"}` or `{"code_url"}`; optional `"openid"` | NOTPAY → SUCCESS, TRANSACTION.SUCCESS sent |
//! | `POST /sandbox/orders/fail` | same | a failed attempt: stays NOTPAY, nothing sent |
//! | `POST /sandbox/orders/close` | same | NOTPAY → CLOSED |
//! | `POST /sandbox/refunds/outcome` | `{"mchid","out_refund_no","status"}` | PROCESSING/ABNORMAL → SUCCESS, ABNORMAL or CLOSED, notified |
//! | `GET /sandbox/notifications` | `?mchid=`, `?sub_mchid=` (optional) | every delivery attempt, oldest first |
//! | `POST /sandbox/notifications/resend` | `{"id"}`, optional `"urls": [...]` | one more attempt, now; with `urls`, one to each at once (signed afresh), answering `{"attempts"}` |
//! | `GET /sandbox/pay/{prepay_id or pr token}` | | the pay page (Pay / Fail buttons) |
//! | `GET /sandbox/` | | the console: merchants, orders, refunds, notifications, live |
//! | `GET /sandbox/state` | | what the console shows, as JSON, newest first |
//! | `POST /sandbox/platform/rotate` | optional `{"mchid"}` | a new platform certificate (the sandbox's, or that merchant's own) signs from now on (the old one stays listed); answers `{"serial"}` |
//! | `GET /sandbox/merchants` | | every merchant: sub-merchants, appids, platform serial |
//! | `GET /sandbox/certificates/downloads` | | `{"downloads": {mchid: n}}`: `GET v3/certificates` calls answered, by merchant |
//! | `POST /sandbox/merchants` | `{"mchid"}`, optional `"key_mode"` (`certificate`, `public-key`), `"sub_mchids"` | makes a merchant with keys of its own and answers its credentials (private key, APIv3 key, platform certificate or public key) |
//! | `POST /sandbox/refunds/create` | `{"mchid","out_trade_no"}`, optional `"amount"`, `"out_refund_no"` | a refund, as the merchant would request it |
//! | `GET /sandbox/clock` | | the business clock: `now`, `today`, `latest_bill_date`, `bills_same_day` |
//! | `POST /sandbox/clock` | `{"advance_secs"}`, `{"to"}` (RFC 3339) or `{"to_bill_time": true}`; `{"bills_same_day": bool}` | moves the clock forward (10:00 China time tomorrow for `to_bill_time`: today's bills become available) |
//! | `GET /sandbox/bills` | `?mchid=&bill_date=&bill=ALL\|SUCCESS\|REFUND\|FUNDFLOW&api=v3\|v2` | a day's bill file as written now, in the APIv3 or APIv2 layout |
//!
//! Orders are named by the merchant that signed (`mchid`: the service
//! provider for a partner's order) and its `out_trade_no`; an optional
//! `"sub_mchid"` (`?sub_mchid=`) must then match. `GET /sandbox/notifications`
//! takes `?sub_mchid=` too. Profit sharing, transfers and merchants: `funds`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http::{Method, StatusCode, Uri};
use serde_json::{json, Value};

use crate::app::App;
use crate::ledger::{Order, RefundStatus};
use crate::lifecycle::{close_ref, fail, pay, settle_refund, OrderRef};
use crate::notify::resend;
use crate::ops::extract::Query;
use crate::reply::WxError;

mod clock;
mod console;
mod funds;
mod page;
mod rust;

pub use rust::ReceiverRef;

/// At most this many URLs get one notification at once.
const MAX_FANOUT: usize = 64;

/// Where the control API lives.
pub(crate) const PREFIX: &str = "/sandbox/";

pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/sandbox/", get(console::page))
        .route("/sandbox/state", get(console::state))
        .route("/sandbox/refunds/create", post(console::create_refund))
        .route("/sandbox/orders", get(order))
        .route("/sandbox/orders/pay", post(pay_order))
        .route("/sandbox/orders/fail", post(fail_order))
        .route("/sandbox/orders/close", post(close_order))
        .route("/sandbox/refunds/outcome", post(refund_outcome))
        .route("/sandbox/notifications", get(notifications))
        .route("/sandbox/clock", get(clock::show).post(clock::set))
        .route("/sandbox/bills", get(clock::bill))
        .route("/sandbox/notifications/resend", post(resend_notification))
        .route("/sandbox/platform/rotate", post(rotate_platform))
        .route("/sandbox/pay/{token}", get(page::show).post(page::act))
        .route(
            "/sandbox/merchants",
            get(funds::merchants).post(make_merchant),
        )
        .route(
            "/sandbox/merchants/profit-sharing-notify-url",
            post(funds::profit_sharing_notify_url),
        )
        .route(
            "/sandbox/certificates/downloads",
            get(certificate_downloads),
        )
        .route("/sandbox/profitsharing", get(funds::profit_sharing))
        .route(
            "/sandbox/profitsharing/receivers/outcome",
            post(funds::receiver_outcome),
        )
        .route(
            "/sandbox/profitsharing/orders/settle",
            post(funds::settle_order),
        )
        .route("/sandbox/transfers", get(funds::transfers))
        .route("/sandbox/transfers/confirm", post(funds::confirm_transfer))
        .route("/sandbox/transfers/reject", post(funds::reject_transfer))
        .route("/sandbox/transfers/finish", post(funds::finish_transfer))
        .route(
            "/sandbox/transfer/{package_info}",
            get(page::show_transfer).post(page::act_transfer),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .with_state(app)
}

async fn not_found(method: Method, uri: Uri) -> WxError {
    WxError::not_found(method.as_str(), uri.path())
}

/// A JSON object body (the control API does not insist on a Content-Type).
pub(crate) fn json_body(body: &Bytes) -> Result<Value, WxError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(WxError::param("body must be a JSON object")),
        Err(e) => Err(WxError::param(format!("body is not valid JSON: {e}"))),
    }
}

/// What the control API shows of an order.
pub(crate) fn describe(app: &App, order: &Order) -> Value {
    let now = app.now();
    let store = app.store();
    let refunds: Vec<Value> = store.refunds_of(order).map(|r| r.view()).collect();
    json!({
        "mchid": order.mchid,
        "sub_mchid": order.sub_mchid(),
        "out_trade_no": order.out_trade_no,
        "trade_type": order.trade_type.wire(),
        "trade_state": order.state_at(now).wire(),
        "description": order.description,
        "total": order.total,
        "refunded": order.refunded,
        "failed_attempts": order.failed_attempts,
        "prepay_id": order.prepay_id,
        "code_url": format!("weixin://wxpay/bizpayurl/up?pr={}&groupid=00", order.code_token),
        "pay_page": format!("{}sandbox/pay/{}", app.base_url, order.prepay_id),
        "notify_url": order.notify_url,
        "transaction_id": order.transaction_id,
        "query": order.view(now),
        "refunds": refunds,
    })
}

async fn order(State(app): State<Arc<App>>, query: Query) -> Result<Json<Value>, WxError> {
    let target = match (
        query.optional("prepay_id")?,
        query.optional("mchid")?,
        query.optional("out_trade_no")?,
    ) {
        (Some(token), _, _) => OrderRef::Token(token.to_owned()),
        (None, Some(mchid), Some(no)) => OrderRef::Trade {
            mchid: mchid.to_owned(),
            out_trade_no: no.to_owned(),
            sub_mchid: query.optional("sub_mchid")?.map(str::to_owned),
        },
        _ => return Err(WxError::param("give ?mchid=&out_trade_no= or ?prepay_id=")),
    };
    let order = target.find(&app)?;
    Ok(Json(describe(&app, &order)))
}

async fn pay_order(State(app): State<Arc<App>>, body: Bytes) -> Result<Json<Value>, WxError> {
    let body = json_body(&body)?;
    let target = OrderRef::from_json(&body)?;
    let order = pay(&app, &target, body.get("openid").and_then(Value::as_str))?;
    Ok(Json(describe(&app, &order)))
}

async fn fail_order(State(app): State<Arc<App>>, body: Bytes) -> Result<Json<Value>, WxError> {
    let target = OrderRef::from_json(&json_body(&body)?)?;
    let order = fail(&app, &target)?;
    Ok(Json(describe(&app, &order)))
}

async fn close_order(State(app): State<Arc<App>>, body: Bytes) -> Result<Json<Value>, WxError> {
    let target = OrderRef::from_json(&json_body(&body)?)?;
    let order = close_ref(&app, &target)?;
    Ok(Json(describe(&app, &order)))
}

async fn refund_outcome(State(app): State<Arc<App>>, body: Bytes) -> Result<Json<Value>, WxError> {
    let body = json_body(&body)?;
    let text = |name: &str| {
        body.get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| WxError::param(format!("missing string field `{name}`")))
    };
    let status = RefundStatus::parse(text("status")?)
        .ok_or_else(|| WxError::param("`status` must be SUCCESS, ABNORMAL or CLOSED"))?;
    let refund = settle_refund(&app, text("mchid")?, text("out_refund_no")?, status)?;
    Ok(Json(refund))
}

async fn notifications(State(app): State<Arc<App>>, query: Query) -> Result<Json<Value>, WxError> {
    let attempts = app
        .outbox()
        .attempts(query.optional("mchid")?, query.optional("sub_mchid")?);
    Ok(Json(json!({ "attempts": attempts })))
}

async fn rotate_platform(State(app): State<Arc<App>>, body: Bytes) -> Result<Json<Value>, WxError> {
    // An empty body rotates the sandbox's own key, as before.
    let mchid = if body.is_empty() {
        None
    } else {
        json_body(&body)?
            .get("mchid")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    if let Some(mchid) = &mchid {
        if app.merchant(mchid).is_none() {
            return Err(WxError::not_exists(format!(
                "no merchant {mchid} in the sandbox"
            )));
        }
    }
    let serial = app
        .rotate_platform_certificate(mchid.as_deref())
        .map_err(|e| WxError::param(e.to_string()))?;
    Ok(Json(json!({ "serial": serial })))
}

async fn certificate_downloads(State(app): State<Arc<App>>) -> Json<Value> {
    Json(json!({ "downloads": app.certificate_downloads() }))
}

async fn make_merchant(State(app): State<Arc<App>>, body: Bytes) -> Result<Json<Value>, WxError> {
    let body = json_body(&body)?;
    let mchid = body
        .get("mchid")
        .and_then(Value::as_str)
        .ok_or_else(|| WxError::param("missing string field `mchid`"))?;
    let mut spec = crate::NewMerchant::new(mchid);
    if let Some(mode) = body.get("key_mode").and_then(Value::as_str) {
        spec = spec.key_mode(
            mode.parse()
                .map_err(|e: crate::SandboxError| WxError::param(e.to_string()))?,
        );
    }
    for sub in body
        .get("sub_mchids")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let sub = sub
            .as_str()
            .ok_or_else(|| WxError::param("`sub_mchids` must be strings"))?;
        spec = spec.sub_merchant(sub);
    }
    let made = crate::fleet::make(&app, &spec).map_err(|e| WxError::param(e.to_string()))?;
    Ok(Json(made))
}

async fn resend_notification(
    State(app): State<Arc<App>>,
    body: Bytes,
) -> Result<Response, WxError> {
    let body = json_body(&body)?;
    let id = body
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| WxError::param("missing string field `id`"))?;
    if let Some(urls) = body.get("urls") {
        let urls: Vec<String> = urls
            .as_array()
            .ok_or_else(|| WxError::param("`urls` must be an array of strings"))?
            .iter()
            .map(|u| u.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| WxError::param("`urls` must be an array of strings"))?;
        if urls.is_empty() || urls.len() > MAX_FANOUT {
            return Err(WxError::param(format!(
                "`urls` must name 1 to {MAX_FANOUT} URLs"
            )));
        }
        return match crate::notify::resend_to(&app, id, &urls).await {
            Some(attempts) => Ok(Json(json!({ "attempts": attempts })).into_response()),
            None => Err(WxError::new(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                format!("no notification {id} in the log"),
            )),
        };
    }
    match resend(&app, id).await {
        Some(attempt) => Ok(Json(attempt).into_response()),
        None => Err(WxError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("no notification {id} in the log"),
        )),
    }
}
