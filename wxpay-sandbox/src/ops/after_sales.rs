//! `POST` / `GET /v3/ecommerce/profitsharing/after-sales-orders`
//! (请求售后服务分账 / 查询售后服务分账结果).
//!
//! One after-sales split per (sub-merchant, transaction). Repeating the
//! creation with the same parameters returns the existing order; different
//! parameters for the same transaction answer 400 `INVALID_REQUEST`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::extract::{Fields, JsonObject, Query};
use super::result;
use crate::app::App;
use crate::auth::Caller;
use crate::clock::rfc3339_cst;
use crate::reply::{Reply, WxError};
use crate::store::{key, AfterSalesOrder, Progress};

pub(crate) const PATH: &str = "v3/ecommerce/profitsharing/after-sales-orders";

const SCENES: [&str; 3] = ["CHANGE_TICKET", "REFUND_TICKET", "RETURN_GOODS"];
const TYPES: [&str; 1] = ["SERVICE_FEE_INCOME"];

pub(crate) async fn create(
    State(app): State<Arc<App>>,
    caller: Caller,
    JsonObject(body): JsonObject,
) -> Reply {
    let f = Fields::of(&body);
    let sub_mchid = f.string("sub_mchid")?;
    let transaction_id = f.string("transaction_id")?;
    let amount = f.fen("amount")?;
    let kind = f.one_of("type", &TYPES)?;
    let refund_id = f.string("refund_id")?;
    let scene = f.one_of("scene", &SCENES)?;

    let mut store = app.store();
    let id = key(&caller.mchid, sub_mchid, transaction_id);
    if let Some(existing) = store.after_sales.get(&id) {
        let differs = [
            ("amount", existing.amount != amount),
            ("refund_id", existing.refund_id != refund_id),
            ("scene", existing.scene != scene),
            ("type", existing.kind != kind),
        ]
        .into_iter()
        .find(|(_, d)| *d);
        if let Some((field, _)) = differs {
            return Err(WxError::invalid_request(format!(
                "an after-sales split of transaction_id {transaction_id} already exists with a different `{field}`"
            )));
        }
        return Ok(Json(created(existing)));
    }
    let seq = store.next_seq();
    let order = AfterSalesOrder {
        sub_mchid: sub_mchid.to_owned(),
        transaction_id: transaction_id.to_owned(),
        refund_id: refund_id.to_owned(),
        amount,
        scene: scene.to_owned(),
        kind: kind.to_owned(),
        seq,
        progress: Progress::start(app.settle_after),
    };
    let answer = created(&order);
    store.insert_after_sales(id, order);
    drop(store);
    Ok(Json(answer))
}

fn created(order: &AfterSalesOrder) -> Value {
    json!({
        "sub_mchid": order.sub_mchid,
        "transaction_id": order.transaction_id,
        "amount": order.amount,
    })
}

/// Without `transaction_id` (the catalog makes it optional), the latest
/// after-sales split of the sub-merchant is returned.
pub(crate) async fn query(State(app): State<Arc<App>>, caller: Caller, query: Query) -> Reply {
    let sub_mchid = query.required("sub_mchid")?;
    let transaction_id = query.optional("transaction_id")?;
    let store = app.store();
    let found = match transaction_id {
        Some(t) => store.after_sales.get(&key(&caller.mchid, sub_mchid, t)),
        None => store
            .after_sales
            .iter()
            .filter(|((m, s, _), _)| *m == caller.mchid && s == sub_mchid)
            .map(|(_, o)| o)
            .max_by_key(|o| o.seq),
    };
    let order = found.ok_or_else(|| {
        WxError::not_exists(format!(
            "no after-sales split for transaction_id {} of sub_mchid {sub_mchid}",
            transaction_id.unwrap_or("(any)")
        ))
    })?;
    let settled = order.progress.is_settled();
    // The catalog makes finish_time required: while processing it carries the acceptance time.
    let finish = if settled {
        order.progress.finish_unix()
    } else {
        order.progress.created_unix()
    };
    Ok(Json(json!({
        "sub_mchid": order.sub_mchid,
        "transaction_id": order.transaction_id,
        "amount": order.amount,
        "result": result(settled),
        "finish_time": rfc3339_cst(finish),
    })))
}
