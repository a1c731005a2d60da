//! Who may act for whom: a service provider (服务商) names a registered
//! sub-merchant, a merchant names one of its appids, and the merchant named
//! in a body is the one that signed. Shared by every family of operations.
//!
//! `out_trade_no` (and every other merchant-side number: `out_refund_no`,
//! `out_order_no`, `out_bill_no`) is scoped by the merchant that signs:
//! a service provider's numbers are unique across all its sub-merchants
//! (the official team's knowledge base, wechatpay-skills 基础支付常见问题:
//! "服务商模式下 … 同一服务商下唯一"; WECHATPAY-LIFECYCLE.md §6), so the same
//! number for two of its sub-merchants is one order, and a query naming the
//! other sub-merchant does not find it.

use http::StatusCode;

use crate::app::App;
use crate::auth::Caller;
use crate::reply::WxError;

/// The merchant named in a body or query must be the one that signed.
pub(crate) fn same_merchant(field: &str, value: &str, caller: &Caller) -> Result<(), WxError> {
    if value == caller.mchid {
        Ok(())
    } else {
        Err(WxError::invalid_request(format!(
            "`{field}` {value} is not the merchant that signed the request ({})",
            caller.mchid
        )))
    }
}

/// A partner's `sub_mchid` must be one of its registered sub-merchants.
pub(crate) fn check_sub_merchant(
    app: &App,
    caller: &Caller,
    sub_mchid: &str,
) -> Result<(), WxError> {
    let known = app
        .merchant(&caller.mchid)
        .is_some_and(|m| m.sub_merchant(sub_mchid).is_some());
    if known {
        Ok(())
    } else {
        Err(WxError::invalid_request(format!(
            "受理关系不存在: sub_mchid {sub_mchid} is not a sub-merchant of {} in this sandbox",
            caller.mchid
        )))
    }
}

/// For an operation that serves direct merchants and service providers by
/// the same path (profit sharing, ...): a named sub-merchant must be
/// registered, and a service provider must name one (SKL: 受理机构必须传入
/// sub_mch_id). `None` means direct mode.
pub(crate) fn scope<'a>(
    app: &App,
    caller: &Caller,
    sub_mchid: Option<&'a str>,
) -> Result<Option<&'a str>, WxError> {
    match sub_mchid {
        Some(sub) => check_sub_merchant(app, caller, sub).map(|()| Some(sub)),
        None if app.merchant(&caller.mchid).is_some_and(|m| !m.direct) => {
            Err(WxError::param(format!(
                "受理机构必须传入sub_mchid: {} is a service provider; name the sub-merchant",
                caller.mchid
            )))
        }
        None => Ok(None),
    }
}

/// 400 `APPID_MCHID_NOT_MATCH` (WECHATPAY-LIFECYCLE.md §2).
fn appid_mismatch(field: &str, appid: &str, owner: &str) -> WxError {
    WxError::new(
        StatusCode::BAD_REQUEST,
        "APPID_MCHID_NOT_MATCH",
        format!("AppID和mch_id不匹配: `{field}` {appid} is not bound to {owner} in this sandbox"),
    )
}

/// The merchant's own appid (`appid`, `sp_appid`) must be bound to it, when
/// it has any bound.
pub(crate) fn check_appid(
    app: &App,
    caller: &Caller,
    field: &str,
    appid: &str,
) -> Result<(), WxError> {
    match app.merchant(&caller.mchid) {
        Some(m) if !m.appids.is_empty() && !m.appids.iter().any(|a| a == appid) => {
            Err(appid_mismatch(field, appid, &caller.mchid))
        }
        _ => Ok(()),
    }
}

/// A `sub_appid` must be bound to the sub-merchant, when it has any bound.
pub(crate) fn check_sub_appid(
    app: &App,
    caller: &Caller,
    sub_mchid: &str,
    sub_appid: &str,
) -> Result<(), WxError> {
    let merchant = app.merchant(&caller.mchid);
    match merchant.as_ref().and_then(|m| m.sub_merchant(sub_mchid)) {
        Some(sub) if !sub.appids.is_empty() && !sub.appids.iter().any(|a| a == sub_appid) => {
            Err(appid_mismatch("sub_appid", sub_appid, sub_mchid))
        }
        _ => Ok(()),
    }
}
