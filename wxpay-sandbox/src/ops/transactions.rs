//! Basic payment (基础支付): prepay for JSAPI, APP, H5 and Native, direct
//! (`v3/pay/transactions/*`) and partner (`v3/pay/partner/transactions/*`);
//! query by `transaction_id` and by `out_trade_no`; close.
//!
//! Codes follow `WECHATPAY-LIFECYCLE.md` §2: a repeated `out_trade_no` with the
//! same content returns the same order, with other content 400
//! `INVALID_REQUEST 请求重入时，参数与首次请求时不一致`; a closed order 400
//! `ORDER_CLOSED`; a paid one 400 `ORDER_PAID` (name unconfirmed); unknown
//! orders 404 `ORDER_NOT_EXIST`; closing is 204, also when repeated.

use std::sync::Arc;

use crate::digest::sha256_hex;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use http::StatusCode;
use serde_json::{json, Value};

use super::extract::{segment, Fields, JsonObject, Query};
use super::partner::{check_appid, check_sub_appid, check_sub_merchant, same_merchant};
use crate::app::App;
use crate::auth::Caller;
use crate::clock::{parse_rfc3339, rfc3339_cst};
use crate::ledger::{canonical, Order, Partner, TradeState, TradeType};
use crate::lifecycle::{
    close, digits, order_closed, order_not_exist, order_paid, schedule_auto_pay,
};
use crate::reply::{Reply, WxError};

const DIRECT: &str = "/v3/pay/transactions";
const PARTNER: &str = "/v3/pay/partner/transactions";

/// Without `time_expire` an order can be paid for 7 days; `time_expire` is
/// raised to at least 1 minute and cut to at most 15 days after the order.
const DEFAULT_EXPIRY_SECS: i64 = 7 * 86_400;
const MIN_EXPIRY_SECS: i64 = 60;
const MAX_EXPIRY_SECS: i64 = 15 * 86_400;

pub(crate) fn routes(router: Router<Arc<App>>) -> Router<Arc<App>> {
    let mut router = router;
    for kind in [
        TradeType::Jsapi,
        TradeType::App,
        TradeType::H5,
        TradeType::Native,
    ] {
        for partner in [false, true] {
            let base = if partner { PARTNER } else { DIRECT };
            router = router.route(
                &format!("{base}/{}", kind.segment()),
                post(
                    move |State(app): State<Arc<App>>, caller: Caller, JsonObject(body)| async move {
                        prepay(&app, &caller, &body, kind, partner)
                    },
                ),
            );
        }
    }
    for partner in [false, true] {
        let base = if partner { PARTNER } else { DIRECT };
        router = router
            .route(
                &format!("{base}/id/{{transaction_id}}"),
                get(
                    move |State(app): State<Arc<App>>,
                          caller: Caller,
                          path: Result<Path<String>, PathRejection>,
                          query: Query| async move {
                        let id = segment("transaction_id", path)?;
                        query_order(&app, &caller, &query, partner, Lookup::Transaction(&id))
                    },
                ),
            )
            .route(
                &format!("{base}/out-trade-no/{{out_trade_no}}"),
                get(
                    move |State(app): State<Arc<App>>,
                          caller: Caller,
                          path: Result<Path<String>, PathRejection>,
                          query: Query| async move {
                        let no = segment("out_trade_no", path)?;
                        query_order(&app, &caller, &query, partner, Lookup::OutTradeNo(&no))
                    },
                ),
            )
            .route(
                &format!("{base}/out-trade-no/{{out_trade_no}}/close"),
                post(
                    move |State(app): State<Arc<App>>,
                          caller: Caller,
                          path: Result<Path<String>, PathRejection>,
                          JsonObject(body)| async move {
                        let no = segment("out_trade_no", path)?;
                        close_order(&app, &caller, &body, partner, &no)
                    },
                ),
            );
    }
    router
}

/// `out_trade_no`: 6 to 32 of `[0-9A-Za-z_-|*]`.
fn check_out_trade_no(no: &str) -> Result<(), WxError> {
    let ok = (6..=32).contains(&no.len())
        && no
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-|*".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(WxError::param(format!(
            "`out_trade_no` must be 6 to 32 characters of [0-9A-Za-z_-|*], got {no:?}"
        )))
    }
}

/// A callback URL: http(s), absolute, without a query (不能携带参数).
pub(crate) fn check_notify_url(name: &str, url: &str) -> Result<(), WxError> {
    let parsed = url::Url::parse(url)
        .map_err(|e| WxError::param(format!("`{name}` is not an absolute URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(WxError::param(format!("`{name}` must be an http(s) URL")));
    }
    if parsed.query().is_some() {
        return Err(WxError::param(format!(
            "`{name}` must not carry query parameters (不能携带参数)"
        )));
    }
    Ok(())
}

/// Validates a prepay body field by field; the order it describes, unsaved.
fn parse_prepay(
    app: &App,
    caller: &Caller,
    body: &serde_json::Map<String, Value>,
    kind: TradeType,
    partner: bool,
    now: i64,
) -> Result<Order, WxError> {
    let f = Fields::of(body);
    let (appid, partner_ids) = if partner {
        let sp_appid = f.string("sp_appid")?;
        same_merchant("sp_mchid", f.string("sp_mchid")?, caller)?;
        let sub_mchid = f.string("sub_mchid")?;
        let sub_appid = f.optional_str("sub_appid")?;
        check_sub_merchant(app, caller, sub_mchid)?;
        check_appid(app, caller, "sp_appid", sp_appid)?;
        if let Some(sub_appid) = sub_appid {
            check_sub_appid(app, caller, sub_mchid, sub_appid)?;
        }
        (
            sp_appid,
            Some(Partner {
                sub_mchid: sub_mchid.to_owned(),
                sub_appid: sub_appid.map(str::to_owned),
                sub_openid: None,
            }),
        )
    } else {
        let appid = f.string("appid")?;
        same_merchant("mchid", f.string("mchid")?, caller)?;
        check_appid(app, caller, "appid", appid)?;
        (appid, None)
    };
    let description = f.string("description")?;
    if description.chars().count() > 127 {
        return Err(WxError::param(
            "`description` is longer than 127 characters",
        ));
    }
    let out_trade_no = f.string("out_trade_no")?;
    check_out_trade_no(out_trade_no)?;
    let attach = f.optional_str("attach")?.unwrap_or_default();
    if attach.chars().count() > 128 {
        return Err(WxError::param("`attach` is longer than 128 characters"));
    }
    let notify_url = f.string("notify_url")?;
    check_notify_url("notify_url", notify_url)?;
    f.optional_str("goods_tag")?;
    f.optional_bool("support_fapiao")?;
    let expire_unix = match f.optional_str("time_expire")? {
        None => now + DEFAULT_EXPIRY_SECS,
        Some(text) => parse_rfc3339(text)
            .ok_or_else(|| {
                WxError::param(format!(
                    "`time_expire` must be RFC 3339 with an offset (2018-06-08T10:34:56+08:00), got {text:?}"
                ))
            })?
            .clamp(now + MIN_EXPIRY_SECS, now + MAX_EXPIRY_SECS),
    };
    let amount = f.object("amount")?;
    let total = amount.fen("total")?;
    let currency = amount
        .optional_one_of("currency", &["CNY"])?
        .unwrap_or("CNY");
    let (openid, sub_openid) = match f.optional_object("payer")? {
        None if kind == TradeType::Jsapi => {
            let field = if partner {
                "payer.sp_openid"
            } else {
                "payer.openid"
            };
            return Err(WxError::param(format!(
                "missing required field `{field}` (JSAPI支付必须传openid)"
            )));
        }
        None => (None, None),
        Some(payer) if partner => {
            let sp = payer.optional_str("sp_openid")?;
            let sub = payer.optional_str("sub_openid")?;
            if kind == TradeType::Jsapi && sp.is_none() && sub.is_none() {
                return Err(WxError::param(
                    "one of `payer.sp_openid` and `payer.sub_openid` is required (JSAPI支付必须传openid)",
                ));
            }
            if sub.is_some() && partner_ids.as_ref().is_some_and(|p| p.sub_appid.is_none()) {
                return Err(WxError::param("`payer.sub_openid` needs `sub_appid`"));
            }
            (sp, sub)
        }
        Some(payer) if kind == TradeType::Jsapi => (Some(payer.string("openid")?), None),
        Some(payer) => (payer.optional_str("openid")?, None),
    };
    let scene = f.optional_object("scene_info")?;
    match (kind, &scene) {
        (TradeType::H5, None) => return Err(WxError::param("missing required field `scene_info`")),
        (TradeType::H5, Some(scene)) => {
            scene.string("payer_client_ip")?;
            scene.object("h5_info")?.string("type")?;
        }
        (_, Some(scene)) => {
            scene.optional_str("payer_client_ip")?;
            scene.optional_str("device_id")?;
            scene.optional_object("store_info")?;
        }
        _ => {}
    }
    if let Some(detail) = f.optional_object("detail")? {
        detail.optional_array("goods_detail")?;
    }
    let profit_sharing = match f.optional_object("settle_info")? {
        Some(settle) => settle.optional_bool("profit_sharing")?.unwrap_or(false),
        None => false,
    };
    let partner_ids = partner_ids.map(|mut p| {
        p.sub_openid = sub_openid.map(str::to_owned);
        p
    });
    Ok(Order {
        mchid: caller.mchid.clone(),
        appid: appid.to_owned(),
        partner: partner_ids,
        trade_type: kind,
        out_trade_no: out_trade_no.to_owned(),
        description: description.to_owned(),
        attach: attach.to_owned(),
        notify_url: notify_url.to_owned(),
        total,
        currency: currency.to_owned(),
        openid: openid.map(str::to_owned),
        digest: sha256_hex(canonical(&Value::Object(body.clone())).as_bytes()),
        prepay_id: String::new(),
        code_token: String::new(),
        created_unix: now,
        expire_unix,
        state: TradeState::NotPay,
        transaction_id: None,
        success_unix: None,
        bank_type: "OTHERS".into(),
        refunded: 0,
        failed_attempts: 0,
        profit_sharing,
    })
}

fn prepay(
    app: &Arc<App>,
    caller: &Caller,
    body: &serde_json::Map<String, Value>,
    kind: TradeType,
    partner: bool,
) -> Reply {
    let now = app.now();
    let mut order = parse_prepay(app, caller, body, kind, partner, now)?;
    let existing = app
        .store()
        .order(&caller.mchid, &order.out_trade_no)
        .cloned();
    if let Some(existing) = existing {
        match existing.state_at(now) {
            TradeState::Closed => return Err(order_closed()),
            TradeState::Success | TradeState::Refund => return Err(order_paid()),
            TradeState::NotPay => {}
        }
        if existing.digest != order.digest || existing.trade_type != kind {
            return Err(WxError::invalid_request(
                "请求重入时，参数与首次请求时不一致 (out_trade_no was used with other parameters)",
            ));
        }
        return Ok(Json(answer(app, &existing)));
    }
    // `wx` + 14-digit time + hex, the shape of every documented prepay_id.
    let stamp = rfc3339_cst(now).replace(['-', ':', 'T'], "");
    let hex = crate::random::hex(20).map_err(|_| WxError::system())?;
    order.prepay_id = format!("wx{}{}", &stamp[..14], &hex[..20]);
    order.code_token = crate::random::alphanumeric(12).map_err(|_| WxError::system())?;
    app.store().put_order(order.clone());
    schedule_auto_pay(app, &order);
    Ok(Json(answer(app, &order)))
}

/// The prepay answer of an order's trade type.
fn answer(app: &App, order: &Order) -> Value {
    match order.trade_type {
        TradeType::Jsapi | TradeType::App => json!({ "prepay_id": order.prepay_id }),
        TradeType::Native => json!({
            "code_url": format!("weixin://wxpay/bizpayurl/up?pr={}&groupid=00", order.code_token)
        }),
        // WeChat's h5_url opens its cashier; the sandbox's opens its pay page.
        TradeType::H5 => json!({
            "h5_url": format!(
                "{}sandbox/pay/{}?package={}",
                app.base_url,
                order.prepay_id,
                digits(10).unwrap_or_default()
            )
        }),
    }
}

enum Lookup<'a> {
    Transaction(&'a str),
    OutTradeNo(&'a str),
}

fn query_order(
    app: &App,
    caller: &Caller,
    query: &Query,
    partner: bool,
    lookup: Lookup<'_>,
) -> Reply {
    let sub_mchid = if partner {
        same_merchant("sp_mchid", query.required("sp_mchid")?, caller)?;
        Some(query.required("sub_mchid")?)
    } else {
        same_merchant("mchid", query.required("mchid")?, caller)?;
        None
    };
    let store = app.store();
    let order = match lookup {
        Lookup::Transaction(id) => store.order_by_transaction(&caller.mchid, id),
        Lookup::OutTradeNo(no) => store.order(&caller.mchid, no),
    }
    .filter(|o| o.sub_mchid() == sub_mchid)
    .ok_or_else(order_not_exist)?;
    Ok(Json(order.view(app.now())))
}

fn close_order(
    app: &App,
    caller: &Caller,
    body: &serde_json::Map<String, Value>,
    partner: bool,
    out_trade_no: &str,
) -> Result<StatusCode, WxError> {
    let f = Fields::of(body);
    let sub_mchid = if partner {
        same_merchant("sp_mchid", f.string("sp_mchid")?, caller)?;
        Some(f.string("sub_mchid")?)
    } else {
        same_merchant("mchid", f.string("mchid")?, caller)?;
        None
    };
    let order = app
        .store()
        .order(&caller.mchid, out_trade_no)
        .filter(|o| o.sub_mchid() == sub_mchid)
        .cloned();
    // WeChat answers 204 for a number it never saw, too (community reports).
    if let Some(order) = order {
        close(app, &order)?;
    }
    Ok(StatusCode::NO_CONTENT)
}
