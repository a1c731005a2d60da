//! `POST` / `GET /v3/ecommerce/refunds/{refund_id}/return-advance`
//! (请求垫付回补 / 查询垫付回补结果).
//!
//! The sandbox keeps no refunds, so any `refund_id` may be returned once; the
//! amount is derived from the refund id (1 to 100000 fen), so the same refund
//! always returns the same amount. A repeated creation for the same refund
//! returns the existing advance return; for another `sub_mchid` it answers
//! 400 `INVALID_REQUEST`.

use std::sync::Arc;

use crate::digest::sha256;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::extract::{Fields, JsonObject, Query, RefundId};
use super::{internal, result};
use crate::app::App;
use crate::auth::Caller;
use crate::clock::rfc3339_cst;
use crate::reply::{Reply, WxError};
use crate::store::{new_id, AdvanceReturn, Progress};

pub(crate) const PATH: &str = "v3/ecommerce/refunds/{refund_id}/return-advance";

/// The account both sides of an advance return use (基本账户).
const BASIC_ACCOUNT: &str = "BASIC";

pub(crate) async fn create(
    State(app): State<Arc<App>>,
    caller: Caller,
    RefundId(refund_id): RefundId,
    JsonObject(body): JsonObject,
) -> Reply {
    let sub_mchid = Fields::of(&body).string("sub_mchid")?;
    let mut store = app.store();
    let id = (caller.mchid.clone(), refund_id.clone());
    if let Some(existing) = store.advances.get(&id) {
        if existing.sub_mchid != sub_mchid {
            return Err(WxError::invalid_request(format!(
                "refund {refund_id} belongs to another sub_mchid"
            )));
        }
        return Ok(Json(view(
            &caller,
            existing,
            existing.progress.is_settled(),
        )));
    }
    let advance = AdvanceReturn {
        return_amount: amount_for(&refund_id),
        refund_id,
        sub_mchid: sub_mchid.to_owned(),
        advance_return_id: new_id("12").map_err(internal)?,
        progress: Progress::start(app.settle_after),
    };
    let answer = view(&caller, &advance, false);
    store.insert_advance(id, advance);
    Ok(Json(answer))
}

pub(crate) async fn query(
    State(app): State<Arc<App>>,
    caller: Caller,
    RefundId(refund_id): RefundId,
    query: Query,
) -> Reply {
    let sub_mchid = query.required("sub_mchid")?;
    let store = app.store();
    let advance = store
        .advances
        .get(&(caller.mchid.clone(), refund_id.clone()))
        .filter(|a| a.sub_mchid == sub_mchid)
        .ok_or_else(|| {
            WxError::not_exists(format!(
                "no advance return for refund_id {refund_id} of sub_mchid {sub_mchid}"
            ))
        })?;
    Ok(Json(view(&caller, advance, advance.progress.is_settled())))
}

/// 1..=100000 fen, fixed per refund id.
fn amount_for(refund_id: &str) -> i64 {
    let digest = sha256(refund_id.as_bytes());
    let n = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
    i64::from(n % 100_000) + 1
}

fn view(caller: &Caller, advance: &AdvanceReturn, settled: bool) -> Value {
    let mut answer = json!({
        "refund_id": advance.refund_id,
        "advance_return_id": advance.advance_return_id,
        "return_amount": advance.return_amount,
        // The sub-merchant pays back what the platform advanced for the refund.
        "payer_mchid": advance.sub_mchid,
        "payer_account": BASIC_ACCOUNT,
        "payee_mchid": caller.mchid,
        "payee_account": BASIC_ACCOUNT,
        "result": result(settled),
    });
    if settled {
        answer["success_time"] = json!(rfc3339_cst(advance.progress.finish_unix()));
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_stable_and_in_range() {
        let a = amount_for("50000000382019052709732678859");
        assert_eq!(a, amount_for("50000000382019052709732678859"));
        assert!((1..=100_000).contains(&a));
    }
}
