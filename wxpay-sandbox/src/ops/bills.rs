//! `GET v3/bill/tradebill` (申请交易账单), `GET v3/bill/fundflowbill`
//! (申请资金账单) and the file itself, `GET v3/billdownload/file?token=...`.
//!
//! A bill is built on request from the sandbox's own orders and refunds of
//! that (CST) day. Availability is WeChat Pay's, by the sandbox's business
//! clock (`clock.rs`): today's bill answers 400 `NO_STATEMENT_EXIST`, a past
//! day's answers 400 `STATEMENT_CREATING` until 10:00 China time of the next
//! day (WeChat generates bills from 09:00 and asks merchants to fetch them
//! after 10:00); tests move the clock forward instead of waiting
//! (`Sandbox::advance_to_bill_time`, `POST /sandbox/clock`), or switch to the
//! old same-day bills (`SandboxBuilder::bills_same_day`). The answer carries
//! the SHA-1 of the uncompressed file and a `download_url` valid for 5
//! minutes; the download is signed by the merchant but answered unsigned, as
//! WeChat Pay does, gzip-compressed when `tar_type=GZIP` was asked.

use std::io::Write;
use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, StatusCode};
use serde_json::json;

use super::extract::Query;
use super::partner::check_sub_merchant;
use crate::app::App;
use crate::auth::Caller;
use crate::bill::{day_bill, BillApi, BillFile};
use crate::clock::{bills_ready_unix, cst_day, parse_date};
use crate::reply::{Reply, WxError};
use crate::store::Bill;

pub(crate) const TRADE_BILL: &str = "v3/bill/tradebill";
pub(crate) const FUND_FLOW_BILL: &str = "v3/bill/fundflowbill";
pub(crate) const DOWNLOAD: &str = "v3/billdownload/file";

/// How long a `download_url` works (sources say 30 s or 5 min; the longer one).
const DOWNLOAD_LIFETIME_SECS: i64 = 300;
/// Bills exist for about the last three months.
const HISTORY_DAYS: i64 = 92;

const BILL_TYPES: [&str; 7] = [
    "ALL",
    "SUCCESS",
    "REFUND",
    "RECHARGE_REFUND",
    "ALL_SPECIAL",
    "SUC_SPECIAL",
    "REF_SPECIAL",
];
const ACCOUNT_TYPES: [&str; 3] = ["BASIC", "OPERATION", "FEES"];

pub(crate) fn routes(router: Router<Arc<App>>) -> Router<Arc<App>> {
    router
        .route(&format!("/{TRADE_BILL}"), get(trade))
        .route(&format!("/{FUND_FLOW_BILL}"), get(fund_flow))
        .route(&format!("/{DOWNLOAD}"), get(download))
}

fn no_statement() -> WxError {
    WxError::new(
        StatusCode::BAD_REQUEST,
        "NO_STATEMENT_EXIST",
        "账单文件不存在",
    )
}

fn statement_creating() -> WxError {
    WxError::new(StatusCode::BAD_REQUEST, "STATEMENT_CREATING", "账单生成中")
}

fn one_of<'a>(query: &'a Query, name: &str, allowed: &[&str]) -> Result<Option<&'a str>, WxError> {
    match query.optional(name)? {
        Some(v) if !allowed.contains(&v) => Err(WxError::param(format!(
            "`{name}` must be one of {}, got {v:?}",
            allowed.join(", ")
        ))),
        other => Ok(other),
    }
}

/// What both bill requests share: the day, the sub-merchant, compression.
struct Common<'a> {
    day: i64,
    sub_mchid: Option<&'a str>,
    gzip: bool,
}

fn common<'a>(app: &App, caller: &Caller, query: &'a Query) -> Result<Common<'a>, WxError> {
    let date = query.required("bill_date")?;
    let day = parse_date(date)
        .ok_or_else(|| WxError::param(format!("`bill_date` must be yyyy-MM-dd, got {date:?}")))?;
    let now = app.now();
    let today = cst_day(now);
    if day > today {
        return Err(WxError::invalid_request(format!(
            "参数错误: bill_date {date} is in the future"
        )));
    }
    if day < today - HISTORY_DAYS {
        return Err(WxError::invalid_request(format!(
            "参数错误: bill_date {date} is more than three months ago"
        )));
    }
    let sub_mchid = query.optional("sub_mchid")?;
    if let Some(sub) = sub_mchid {
        check_sub_merchant(app, caller, sub)?;
    }
    let gzip = one_of(query, "tar_type", &["GZIP"])?.is_some();
    if !app.clock.same_day_bills() {
        if day == today {
            return Err(no_statement());
        }
        if now < bills_ready_unix(day) {
            return Err(statement_creating());
        }
    }
    Ok(Common {
        day,
        sub_mchid,
        gzip,
    })
}

/// Keeps the bill for download and answers with its hash and URL.
fn offer(app: &App, caller: &Caller, content: String, gzip: bool) -> Reply {
    let hash = crate::digest::sha1_hex(content.as_bytes());
    let content = if gzip {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder
            .write_all(content.as_bytes())
            .and_then(|()| encoder.finish())
            .map(Bytes::from)
            .map_err(|_| WxError::system())?
    } else {
        Bytes::from(content)
    };
    let token = crate::random::alphanumeric(32).map_err(|_| WxError::system())?;
    let download_url = format!("{}{DOWNLOAD}?token={token}", app.base_url);
    app.store().put_bill(
        token,
        Bill {
            mchid: caller.mchid.clone(),
            content,
            gzip,
            expires_unix: app.now() + DOWNLOAD_LIFETIME_SECS,
        },
    );
    Ok(Json(json!({
        "hash_type": "SHA1",
        "hash_value": hash,
        "download_url": download_url,
    })))
}

async fn trade(State(app): State<Arc<App>>, caller: Caller, query: Query) -> Reply {
    let file = match one_of(&query, "bill_type", &BILL_TYPES)?.unwrap_or("ALL") {
        "SUCCESS" | "SUC_SPECIAL" => BillFile::TradeSuccess,
        "REFUND" | "REF_SPECIAL" => BillFile::TradeRefund,
        // No recharge coupons in the sandbox, so no such refunds either.
        "RECHARGE_REFUND" => return Err(no_statement()),
        _ => BillFile::TradeAll,
    };
    let common = common(&app, &caller, &query)?;
    let content = day_bill(
        &app.store(),
        &caller.mchid,
        common.sub_mchid,
        common.day,
        file,
        BillApi::V3,
    );
    offer(
        &app,
        &caller,
        content.ok_or_else(no_statement)?,
        common.gzip,
    )
}

async fn fund_flow(State(app): State<Arc<App>>, caller: Caller, query: Query) -> Reply {
    let account = one_of(&query, "account_type", &ACCOUNT_TYPES)?.unwrap_or("BASIC");
    let common = common(&app, &caller, &query)?;
    if account != "BASIC" {
        // The sandbox's money only moves through the basic account.
        return Err(no_statement());
    }
    let content = day_bill(
        &app.store(),
        &caller.mchid,
        common.sub_mchid,
        common.day,
        BillFile::FundFlow,
        BillApi::V3,
    );
    offer(
        &app,
        &caller,
        content.ok_or_else(no_statement)?,
        common.gzip,
    )
}

async fn download(
    State(app): State<Arc<App>>,
    caller: Caller,
    query: Query,
) -> Result<Response, WxError> {
    let token = query.required("token")?;
    let bill = app
        .store()
        .bill(token, &caller.mchid, app.now())
        .cloned()
        .ok_or_else(|| {
            WxError::invalid_request("参数错误: the download token is invalid or has expired")
        })?;
    let content_type = if bill.gzip {
        "application/x-gzip"
    } else {
        "text/plain;charset=utf-8"
    };
    let mut response = (StatusCode::OK, bill.content).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Unsigned, as WeChat Pay sends it: the gateway knows the path (`wire::answer`).
    Ok(response)
}
