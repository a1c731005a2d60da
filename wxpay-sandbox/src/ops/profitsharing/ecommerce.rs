//! The e-commerce platform's profit sharing (电商收付通分账,
//! `v3/ecommerce/profitsharing/...`): HTTP adapters over the same book and
//! state machine as `v3/profitsharing/...`. What differs is only what WeChat
//! documents differently (sources in `wxpay-sandbox/docs/funds.md`):
//!
//! - receivers belong to the platform, one list that every second-level
//!   merchant shares to (no `sub_mchid`; a `MERCHANT_ID` receiver's full name
//!   in plain `name`, a person's optional name sealed in `encrypted_name`);
//! - a split names its payer by `sub_mchid` (always) and each receiver by
//!   `receiver_account` (a person's name sealed in `receiver_name`), and
//!   `finish: true` unfreezes the rest to the second-level merchant;
//! - answers say `status` and `receiver_account`; the rest unfrozen shows as
//!   `finish_amount` / `finish_description`, not as a receiver;
//! - `finish-order` (完结分账, now 解冻剩余资金) answers the order's numbers;
//! - `returnorders` (分账回退) names the order by `order_id` or
//!   `out_order_no` in the query too, and answers `return_no` and `result`
//!   `SUCCESS` | `FAIL`.
//!
//! `after-sales-orders` keeps its seed operation (`ops::after_sales`).

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::model::{Receiver, ReceiverType};
use super::orders::{amounts_answer, create_split, find_order, unfreeze_rest, Asked, Split};
use super::receivers::{remove_receiver, store_receiver};
use super::returns::{create_return, find_return, OrderRef, ReturnAsked};
use crate::app::App;
use crate::auth::Caller;
use crate::ops::extract::{Checked, Fields};
use crate::ops::partner::{check_appid, check_sub_merchant};
use crate::reply::{Reply, WxError};

/// The receiver types of the e-commerce family (no `PERSONAL_SUB_OPENID`).
const TYPES: [&str; 2] = ["MERCHANT_ID", "PERSONAL_OPENID"];

/// The receiver a request names, on the platform's own list.
fn platform_receiver(
    app: &App,
    caller: &Caller,
    f: &Fields<'_>,
) -> Result<(ReceiverType, String), WxError> {
    if let Some(appid) = f.optional_str("appid")? {
        check_appid(app, caller, "appid", appid)?;
    }
    let kind = ReceiverType::parse(f.one_of("type", &TYPES)?)
        .ok_or_else(|| WxError::param("`type` is not a receiver type"))?;
    Ok((kind, f.string("account")?.to_owned()))
}

/// The answer of both receiver operations: `type` and `account`.
fn receiver_answer(kind: ReceiverType, account: &str) -> Reply {
    Ok(Json(json!({ "type": kind.wire(), "account": account })))
}

/// `POST v3/ecommerce/profitsharing/receivers/add` (添加分账接收方).
pub(super) async fn add_receiver(
    State(app): State<Arc<App>>,
    caller: Caller,
    checked: Checked,
) -> Reply {
    let f = Fields::of(&checked.body);
    let (kind, account) = platform_receiver(&app, &caller, &f)?;
    let relation_type = f.string("relation_type")?;
    let name = match kind {
        // 商户全称 (必传), in plain text on this family's page.
        ReceiverType::MerchantId => Some(f.optional_str("name")?.ok_or_else(|| {
            WxError::param(
                "missing required field `name`: a MERCHANT_ID receiver's full merchant name \
                 (商户全称, 必传)",
            )
        })?),
        // A person's name is optional, sealed (the gateway checked and
        // decrypted it).
        _ => checked.plain.body("/encrypted_name"),
    };
    store_receiver(
        &app,
        Receiver {
            mchid: caller.mchid.clone(),
            sub_mchid: None,
            kind,
            account: account.clone(),
            name: name.map(str::to_owned),
            relation_type: relation_type.to_owned(),
            custom_relation: None,
            fail_reason: None,
        },
    );
    receiver_answer(kind, &account)
}

/// `POST v3/ecommerce/profitsharing/receivers/delete` (删除分账接收方).
pub(super) async fn delete_receiver(
    State(app): State<Arc<App>>,
    caller: Caller,
    checked: Checked,
) -> Reply {
    let f = Fields::of(&checked.body);
    let (kind, account) = platform_receiver(&app, &caller, &f)?;
    let key = (
        caller.mchid.clone(),
        String::new(),
        kind.wire().to_owned(),
        account.clone(),
    );
    remove_receiver(&app, &key)?;
    receiver_answer(kind, &account)
}

/// The second-level merchant a request names, which must be the platform's.
fn second_level<'a>(app: &App, caller: &Caller, sub_mchid: &'a str) -> Result<&'a str, WxError> {
    check_sub_merchant(app, caller, sub_mchid)?;
    Ok(sub_mchid)
}

/// `POST v3/ecommerce/profitsharing/orders` (请求分账).
pub(super) async fn create(State(app): State<Arc<App>>, caller: Caller, checked: Checked) -> Reply {
    let f = Fields::of(&checked.body);
    let sub_mchid = second_level(&app, &caller, f.string("sub_mchid")?)?;
    let transaction_id = f.string("transaction_id")?;
    let out_order_no = f.string("out_order_no")?;
    let finish = f.optional_bool("finish")?.unwrap_or(false);
    let receivers = Asked::all(f.optional_array("receivers")?, "receiver_account")?;
    match f.optional_str("appid")? {
        Some(appid) => check_appid(&app, &caller, "appid", appid)?,
        None if receivers.iter().any(Asked::is_personal) => {
            return Err(WxError::param(
                "missing required field `appid` (分账接收方类型包含PERSONAL_OPENID时必填)",
            ))
        }
        None => {}
    }
    let split = Split {
        sub_mchid: Some(sub_mchid),
        receivers_of: None,
        transaction_id,
        out_order_no,
        receivers,
        unfreeze_rest: finish,
    };
    Ok(Json(create_split(&app, &caller, split)?.ecommerce_view()))
}

/// `GET v3/ecommerce/profitsharing/orders` (查询分账结果).
pub(super) async fn query(State(app): State<Arc<App>>, caller: Caller, checked: Checked) -> Reply {
    let q = &checked.query;
    let sub_mchid = second_level(&app, &caller, q.required("sub_mchid")?)?;
    let numbers = (
        Some(sub_mchid),
        q.required("transaction_id")?,
        q.required("out_order_no")?,
    );
    Ok(Json(find_order(&app, &caller, numbers)?.ecommerce_view()))
}

/// `POST v3/ecommerce/profitsharing/finish-order` (完结分账): what is left
/// goes to the second-level merchant.
pub(super) async fn finish(State(app): State<Arc<App>>, caller: Caller, checked: Checked) -> Reply {
    let f = Fields::of(&checked.body);
    let sub_mchid = second_level(&app, &caller, f.string("sub_mchid")?)?;
    let numbers = (
        Some(sub_mchid),
        f.string("transaction_id")?,
        f.string("out_order_no")?,
    );
    let description = f.string("description")?;
    if description.chars().count() > 80 {
        return Err(WxError::param("`description` is longer than 80 characters"));
    }
    let order = unfreeze_rest(
        &app,
        &caller,
        numbers,
        description,
        "非分账订单不支持解冻剩余资金",
    )?;
    Ok(Json(Value::Object(order.ids())))
}

/// `GET v3/ecommerce/profitsharing/orders/{transaction_id}/amounts`
/// (查询订单剩余待分金额).
pub(super) async fn amounts(
    State(app): State<Arc<App>>,
    caller: Caller,
    checked: Checked,
) -> Reply {
    amounts_answer(&app, &caller, checked.path("transaction_id"))
}

/// `POST v3/ecommerce/profitsharing/returnorders` (请求分账回退): from a
/// receiver on the platform's list, back to the second-level merchant.
pub(super) async fn create_return_order(
    State(app): State<Arc<App>>,
    caller: Caller,
    checked: Checked,
) -> Reply {
    let f = Fields::of(&checked.body);
    let sub_mchid = second_level(&app, &caller, f.string("sub_mchid")?)?;
    let description = f.string("description")?;
    if description.chars().count() > 80 {
        return Err(WxError::param("`description` is longer than 80 characters"));
    }
    let asked = ReturnAsked {
        sub_mchid: Some(sub_mchid),
        receivers_of: None,
        order: OrderRef::new(f.optional_str("order_id")?, f.optional_str("out_order_no")?)?,
        transaction_id: f.optional_str("transaction_id")?,
        out_return_no: f.string("out_return_no")?,
        return_mchid: f.string("return_mchid")?,
        amount: f.fen("amount")?,
        description,
    };
    Ok(Json(create_return(&app, &caller, asked)?.ecommerce_view()))
}

/// `GET v3/ecommerce/profitsharing/returnorders` (查询分账回退结果).
pub(super) async fn query_return_order(
    State(app): State<Arc<App>>,
    caller: Caller,
    checked: Checked,
) -> Reply {
    let q = &checked.query;
    let sub_mchid = second_level(&app, &caller, q.required("sub_mchid")?)?;
    let order = OrderRef::new(q.optional("order_id")?, q.optional("out_order_no")?)?;
    let out_return_no = q.required("out_return_no")?;
    let found = find_return(&app, &caller, Some(sub_mchid), order, out_return_no)?;
    Ok(Json(found.ecommerce_view()))
}
