//! The business clock and the bill files, through the control API:
//! `GET`/`POST /sandbox/clock` and `GET /sandbox/bills`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, StatusCode};
use serde_json::{json, Value};

use super::json_body;
use crate::app::App;
use crate::bill::{day_bill, BillApi, BillFile};
use crate::clock::{bills_ready_unix, cst_day, format_day, parse_date, parse_rfc3339, rfc3339_cst};
use crate::ops::extract::Query;
use crate::reply::WxError;

/// What `GET /sandbox/clock` shows.
pub(crate) fn describe(app: &App) -> Value {
    let now = app.now();
    let today = cst_day(now);
    let latest = if now >= bills_ready_unix(today - 1) {
        today - 1
    } else {
        today - 2
    };
    json!({
        "now": rfc3339_cst(now),
        "today": format_day(today),
        "offset_secs": now - crate::clock::unix_now(),
        "bills_same_day": app.clock.same_day_bills(),
        "latest_bill_date": format_day(if app.clock.same_day_bills() { today } else { latest }),
    })
}

pub(crate) async fn show(State(app): State<Arc<App>>) -> Json<Value> {
    Json(describe(&app))
}

/// `{"advance_secs": N}`, `{"to": "<RFC 3339>"}` or `{"to_bill_time": true}`
/// (10:00 China time tomorrow), and/or `{"bills_same_day": bool}`.
pub(crate) async fn set(State(app): State<Arc<App>>, body: Bytes) -> Result<Json<Value>, WxError> {
    let body = json_body(&body)?;
    let mut available = None;
    if let Some(v) = body.get("advance_secs") {
        let secs = v.as_i64().filter(|s| *s >= 0).ok_or_else(|| {
            WxError::param(
                "`advance_secs` must be a number of seconds ≥ 0 (the clock never goes back)",
            )
        })?;
        app.clock.advance(secs);
    }
    if let Some(v) = body.get("to") {
        let to = v.as_str().and_then(parse_rfc3339).ok_or_else(|| {
            WxError::param("`to` must be RFC 3339 with an offset, e.g. 2024-03-01T10:00:00+08:00")
        })?;
        if to < app.now() {
            return Err(WxError::param(
                "`to` is in the sandbox's past; the clock never goes back",
            ));
        }
        app.clock.advance_to(to);
    }
    if body.get("to_bill_time").and_then(Value::as_bool) == Some(true) {
        available = Some(format_day(app.clock.advance_to_bill_time()));
    }
    if let Some(v) = body.get("bills_same_day") {
        let on = v
            .as_bool()
            .ok_or_else(|| WxError::param("`bills_same_day` must be true or false"))?;
        app.clock.set_same_day_bills(on);
    }
    let mut answer = describe(&app);
    if let Some(day) = available {
        answer["bills_available"] = json!(day);
    }
    Ok(Json(answer))
}

/// `?mchid=&bill_date=&bill=ALL|SUCCESS|REFUND|FUNDFLOW[&api=v3|v2][&sub_mchid=]`:
/// the bill file as the sandbox writes it now, whatever the clock says.
pub(crate) async fn bill(State(app): State<Arc<App>>, query: Query) -> Result<Response, WxError> {
    let mchid = query.required("mchid")?;
    let date = query.required("bill_date")?;
    let day = parse_date(date)
        .ok_or_else(|| WxError::param(format!("`bill_date` must be yyyy-MM-dd, got {date:?}")))?;
    let file = parse_file(query.optional("bill")?.unwrap_or("ALL"))?;
    let api = parse_api(query.optional("api")?.unwrap_or("v3"))?;
    let sub = query.optional("sub_mchid")?;
    let text = day_bill(&app.store(), mchid, sub, day, file, api).ok_or_else(|| {
        WxError::new(
            StatusCode::NOT_FOUND,
            "NO_STATEMENT_EXIST",
            format!("no row for {date}"),
        )
    })?;
    let mut response = (StatusCode::OK, text).into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain;charset=utf-8"),
    );
    Ok(response)
}

pub(crate) fn parse_file(text: &str) -> Result<BillFile, WxError> {
    Ok(match text {
        "ALL" => BillFile::TradeAll,
        "SUCCESS" => BillFile::TradeSuccess,
        "REFUND" => BillFile::TradeRefund,
        "FUNDFLOW" => BillFile::FundFlow,
        other => {
            return Err(WxError::param(format!(
                "`bill` must be ALL, SUCCESS, REFUND or FUNDFLOW, got {other:?}"
            )))
        }
    })
}

fn parse_api(text: &str) -> Result<BillApi, WxError> {
    match text {
        "v3" => Ok(BillApi::V3),
        "v2" => Ok(BillApi::V2),
        other => Err(WxError::param(format!(
            "`api` must be v3 or v2, got {other:?}"
        ))),
    }
}
