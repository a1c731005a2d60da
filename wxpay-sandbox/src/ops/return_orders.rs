//! `POST` / `GET /v3/ecommerce/profitsharing/returnorders`
//! (请求分账回退 / 查询分账回退结果).
//!
//! `out_return_no` is unique per (merchant, sub-merchant): repeating it with
//! the same parameters returns the existing return order, as WeChat Pay
//! documents; reusing it for another amount or order answers 400 `INVALID_REQUEST`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::extract::{Fields, JsonObject, Query};
use super::{internal, result};
use crate::app::App;
use crate::auth::Caller;
use crate::clock::rfc3339_cst;
use crate::reply::{Reply, WxError};
use crate::store::{key, new_id, Progress, ReturnOrder};

pub(crate) const PATH: &str = "v3/ecommerce/profitsharing/returnorders";

pub(crate) async fn create(
    State(app): State<Arc<App>>,
    caller: Caller,
    JsonObject(body): JsonObject,
) -> Reply {
    let f = Fields::of(&body);
    let sub_mchid = f.string("sub_mchid")?;
    let order_id = f.optional_str("order_id")?;
    let out_order_no = f.optional_str("out_order_no")?;
    let out_return_no = f.string("out_return_no")?;
    let return_mchid = f.string("return_mchid")?;
    let amount = f.fen("amount")?;
    f.string("description")?;
    // Optional in the schema; accepted and otherwise unused, as by WeChat.
    f.optional_str("transaction_id")?;
    if order_id.is_none() && out_order_no.is_none() {
        return Err(WxError::param(
            "one of `order_id` and `out_order_no` is required (微信分账单号与商户分账单号二选一)",
        ));
    }

    let mut store = app.store();
    let id = key(&caller.mchid, sub_mchid, out_return_no);
    if let Some(existing) = store.return_orders.get(&id) {
        let differs = [
            ("amount", existing.amount != amount),
            ("return_mchid", existing.return_mchid != return_mchid),
            ("order_id", order_id.is_some_and(|o| o != existing.order_id)),
            (
                "out_order_no",
                out_order_no.is_some_and(|o| o != existing.out_order_no),
            ),
        ]
        .into_iter()
        .find(|(_, d)| *d);
        if let Some((field, _)) = differs {
            return Err(WxError::invalid_request(format!(
                "out_return_no {out_return_no} was already used with a different `{field}`"
            )));
        }
        return Ok(Json(view(existing, existing.progress.is_settled())));
    }
    let order_id = match order_id {
        Some(o) => o.to_owned(),
        None => new_id("30").map_err(internal)?,
    };
    let order = ReturnOrder {
        sub_mchid: sub_mchid.to_owned(),
        out_return_no: out_return_no.to_owned(),
        return_no: new_id("30").map_err(internal)?,
        // Without the profit-sharing order itself, the missing one of the two ids is made up.
        out_order_no: out_order_no.map_or_else(|| format!("P{order_id}"), str::to_owned),
        order_id,
        return_mchid: return_mchid.to_owned(),
        amount,
        progress: Progress::start(app.settle_after),
    };
    let answer = view(&order, false);
    store.insert_return_order(id, order);
    Ok(Json(answer))
}

pub(crate) async fn query(State(app): State<Arc<App>>, caller: Caller, query: Query) -> Reply {
    let sub_mchid = query.required("sub_mchid")?;
    let out_return_no = query.required("out_return_no")?;
    let order_id = query.optional("order_id")?;
    let out_order_no = query.optional("out_order_no")?;
    let store = app.store();
    let order = store
        .return_orders
        .get(&key(&caller.mchid, sub_mchid, out_return_no))
        .filter(|o| order_id.is_none_or(|id| id == o.order_id))
        .filter(|o| out_order_no.is_none_or(|no| no == o.out_order_no))
        .ok_or_else(|| {
            WxError::not_exists(format!(
                "no return order with out_return_no {out_return_no} for sub_mchid {sub_mchid}"
            ))
        })?;
    Ok(Json(view(order, order.progress.is_settled())))
}

fn view(order: &ReturnOrder, settled: bool) -> Value {
    let finish = if settled {
        order.progress.finish_unix()
    } else {
        order.progress.created_unix()
    };
    json!({
        "sub_mchid": order.sub_mchid,
        "order_id": order.order_id,
        "out_order_no": order.out_order_no,
        "out_return_no": order.out_return_no,
        "return_no": order.return_no,
        "return_mchid": order.return_mchid,
        "amount": order.amount,
        "result": result(settled),
        "finish_time": rfc3339_cst(finish),
    })
}
