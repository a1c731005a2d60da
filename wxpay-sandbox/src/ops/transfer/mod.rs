//! Merchant transfers of 2025 (商家转账, `v3/fund-app/mch-transfer/...`),
//! direct and service provider, with their lifecycle: a new bill waits in
//! WAIT_USER_CONFIRM with the `package_info` the user confirms with in
//! WeChat (here: the sandbox's confirm page or the control API), then
//! TRANSFERING → SUCCESS | FAIL; the merchant may cancel before the user
//! confirms (CANCELING → CANCELLED); a bill never confirmed fails. Each end
//! is notified as `MCHTRANSFER.BILL.FINISHED` on the transfer retry schedule.
//!
//! - `model`, `book`: the bill, its states and views, what is remembered;
//! - this file: the operations (HTTP); `lifecycle`: what the user, the
//!   clock and the control API do to a bill.
//!
//! Sources: `wxpay-sandbox/docs/funds.md`.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::Value;

use super::extract::{Checked, Fields};
use super::partner::{check_appid, check_sub_merchant};
use super::transactions::check_notify_url;
use crate::app::App;
use crate::auth::Caller;
use crate::clock::unix_now;
use crate::digest::sha256_hex;
use crate::ledger::canonical;
use crate::lifecycle::{digits, ymd};
use crate::reply::{Reply, WxError};

mod book;
pub(crate) mod lifecycle;
mod model;

pub(crate) use book::Book;
pub(crate) use model::{BillState, TransferBill};

/// The operations simulated with state, as `(method, path template)`.
pub const TRANSFER_OPERATIONS: [(&str, &str); 7] = [
    ("POST", DIRECT),
    (
        "GET",
        "v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{out_bill_no}",
    ),
    (
        "GET",
        "v3/fund-app/mch-transfer/transfer-bills/transfer-bill-no/{transfer_bill_no}",
    ),
    (
        "POST",
        "v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{out_bill_no}/cancel",
    ),
    ("POST", PARTNER),
    (
        "GET",
        "v3/fund-app/mch-transfer/partner/transfer-bills/out-bill-no/{out_bill_no}",
    ),
    (
        "POST",
        "v3/fund-app/mch-transfer/partner/transfer-bills/out-bill-no/{out_bill_no}/cancel",
    ),
];

const DIRECT: &str = "v3/fund-app/mch-transfer/transfer-bills";
const PARTNER: &str = "v3/fund-app/mch-transfer/partner/transfer-bills";

/// From this amount on (2,000 yuan) the payee's name is required.
const NAME_REQUIRED_FROM_FEN: i64 = 200_000;

pub(crate) fn routes(router: Router<Arc<App>>) -> Router<Arc<App>> {
    let mut router = router;
    for partner in [false, true] {
        let base = if partner { PARTNER } else { DIRECT };
        router = router
            .route(
                &format!("/{base}"),
                post(move |State(app): State<Arc<App>>, caller: Caller, checked: Checked| async move {
                    create(&app, &caller, &checked, partner)
                }),
            )
            .route(
                &format!("/{base}/out-bill-no/{{out_bill_no}}"),
                get(move |State(app): State<Arc<App>>, caller: Caller, checked: Checked| async move {
                    query(&app, &caller, &checked, partner, Lookup::OutBillNo)
                }),
            )
            .route(
                &format!("/{base}/out-bill-no/{{out_bill_no}}/cancel"),
                post(move |State(app): State<Arc<App>>, caller: Caller, checked: Checked| async move {
                    cancel(&app, &caller, &checked, partner)
                }),
            );
    }
    router.route(
        &format!("/{DIRECT}/transfer-bill-no/{{transfer_bill_no}}"),
        get(
            |State(app): State<Arc<App>>, caller: Caller, checked: Checked| async move {
                query(&app, &caller, &checked, false, Lookup::TransferBillNo)
            },
        ),
    )
}

/// 404 `NOT_FOUND` 记录不存在 (the batch transfers' code for an unknown bill).
fn not_found(number: &str) -> WxError {
    WxError::new(
        http::StatusCode::NOT_FOUND,
        "NOT_FOUND",
        format!("记录不存在: no transfer bill {number} of this merchant"),
    )
}

/// The sub-merchant of a partner request (`sub_mchid`, required and
/// registered), or `None` for a direct one.
fn sub_merchant<'a>(
    app: &App,
    caller: &Caller,
    partner: bool,
    given: Option<&'a str>,
) -> Result<Option<&'a str>, WxError> {
    match (partner, given) {
        (false, _) => Ok(None),
        (true, Some(sub)) => check_sub_merchant(app, caller, sub).map(|()| Some(sub)),
        (true, None) => Err(WxError::param("missing required field `sub_mchid`")),
    }
}

fn create(app: &Arc<App>, caller: &Caller, checked: &Checked, partner: bool) -> Reply {
    let f = Fields::of(&checked.body);
    let sub_mchid = sub_merchant(app, caller, partner, f.optional_str("sub_mchid")?)?;
    let appid = f.string("appid")?;
    check_appid(app, caller, "appid", appid)?;
    let out_bill_no = f.string("out_bill_no")?;
    if out_bill_no.len() > 32 || !out_bill_no.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(WxError::param(format!(
            "`out_bill_no` must be at most 32 letters and digits, got {out_bill_no:?}"
        )));
    }
    let openid = f.string("openid")?;
    let transfer_amount = f.fen("transfer_amount")?;
    let transfer_remark = f.string("transfer_remark")?;
    if transfer_remark.chars().count() > 32 {
        return Err(WxError::param(
            "`transfer_remark` is longer than 32 characters (最多允许32个字符)",
        ));
    }
    let notify_url = f.optional_str("notify_url")?;
    if let Some(url) = notify_url {
        check_notify_url("notify_url", url)?;
    }
    if transfer_amount >= NAME_REQUIRED_FROM_FEN && checked.plain.body("/user_name").is_none() {
        return Err(WxError::param(
            "missing required field `user_name`: 转账金额 >= 2,000元时，该笔明细必须填写收款用户姓名 \
             (encrypted for the platform key)",
        ));
    }
    let digest = sha256_hex(canonical(&Value::Object(checked.body.clone())).as_bytes());
    let now = unix_now();
    let mut store = app.store();
    if let Some(existing) = store.transfers.bill(&caller.mchid, out_bill_no) {
        // The same request again is the same bill (原单重试).
        if existing.digest == digest {
            return Ok(Json(existing.created_view()));
        }
        return Err(WxError::invalid_request(format!(
            "out_bill_no {out_bill_no} was used with other parameters (商户单号重复)"
        )));
    }
    let bill = TransferBill {
        mchid: caller.mchid.clone(),
        sub_mchid: sub_mchid.map(str::to_owned),
        appid: appid.to_owned(),
        out_bill_no: out_bill_no.to_owned(),
        // 1330 + date + digits, 40 in all, as WeChat's examples are.
        transfer_bill_no: format!("1330{}{}", ymd(now), digits(28)?),
        transfer_scene_id: f.string("transfer_scene_id")?.to_owned(),
        openid: openid.to_owned(),
        transfer_amount,
        transfer_remark: transfer_remark.to_owned(),
        notify_url: notify_url.map(str::to_owned),
        package_info: format!(
            "{}==",
            crate::random::alphanumeric(86).map_err(|_| WxError::system())?
        ),
        state: BillState::WaitUserConfirm,
        fail_reason: None,
        fails_with: None,
        created_unix: now,
        updated_unix: now,
        digest,
    };
    store.put_transfer(bill.clone());
    Ok(Json(bill.created_view()))
}

enum Lookup {
    OutBillNo,
    TransferBillNo,
}

fn query(app: &App, caller: &Caller, checked: &Checked, partner: bool, lookup: Lookup) -> Reply {
    let sub_mchid = match checked.query.optional("sub_mchid")? {
        Some(sub) => sub_merchant(app, caller, partner, Some(sub))?,
        None => None,
    };
    let store = app.store();
    let (number, found) = match lookup {
        Lookup::OutBillNo => {
            let no = checked.path("out_bill_no");
            (no, store.transfers.bill(&caller.mchid, no))
        }
        Lookup::TransferBillNo => {
            let no = checked.path("transfer_bill_no");
            (no, store.transfers.bill_by_number(&caller.mchid, no))
        }
    };
    let bill = found
        .filter(|b| b.sub_mchid.is_some() == partner)
        .filter(|b| sub_mchid.is_none_or(|s| b.sub_mchid.as_deref() == Some(s)))
        .ok_or_else(|| not_found(number))?;
    Ok(Json(bill.query_view()))
}

fn cancel(app: &Arc<App>, caller: &Caller, checked: &Checked, partner: bool) -> Reply {
    let out_bill_no = checked.path("out_bill_no");
    let sub_mchid = sub_merchant(
        app,
        caller,
        partner,
        Fields::of(&checked.body).optional_str("sub_mchid")?,
    )?;
    let bill = app
        .store()
        .transfers
        .bill(&caller.mchid, out_bill_no)
        .filter(|b| b.sub_mchid.as_deref() == sub_mchid)
        .cloned()
        .ok_or_else(|| not_found(out_bill_no))?;
    let bill = lifecycle::cancel(app, bill)?;
    Ok(Json(bill.cancel_view()))
}
