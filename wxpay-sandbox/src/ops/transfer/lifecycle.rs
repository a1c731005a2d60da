//! What happens to a transfer bill outside the merchant's API calls: the
//! user confirms (or not) in WeChat, the money moves, a cancellation
//! completes, and each end (SUCCESS, FAIL, CANCELLED) is notified as
//! `MCHTRANSFER.BILL.FINISHED` to the bill's `notify_url` on the transfer
//! retry schedule. The confirm page, the control API, the `Sandbox` methods
//! and the timers all go through these functions.

use std::sync::Arc;

use serde_json::Value;

use super::model::{BillState, TransferBill, FAIL_REASONS, NOT_CONFIRMED};
use crate::app::App;
use crate::clock::unix_now;
use crate::notify::{notify, Event, Retries};
use crate::reply::WxError;

/// How the control API and the confirm page name a bill.
#[derive(Debug, Clone)]
pub(crate) enum BillRef {
    /// The `package_info` the user confirms with.
    Package(String),
    /// The merchant (the service provider for a partner) and its `out_bill_no`.
    Number { mchid: String, out_bill_no: String },
}

impl BillRef {
    /// From `{"package_info"}` or `{"mchid","out_bill_no"}`.
    pub(crate) fn from_json(body: &Value) -> Result<Self, WxError> {
        let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_owned);
        if let Some(package) = text("package_info") {
            return Ok(BillRef::Package(package));
        }
        match (text("mchid"), text("out_bill_no")) {
            (Some(mchid), Some(out_bill_no)) => Ok(BillRef::Number { mchid, out_bill_no }),
            _ => Err(WxError::param(
                "name the transfer by `package_info`, or by `mchid` and `out_bill_no`",
            )),
        }
    }

    pub(crate) fn find(&self, app: &App) -> Result<TransferBill, WxError> {
        let store = app.store();
        match self {
            BillRef::Package(package) => store.transfers.bill_by_package(package),
            BillRef::Number { mchid, out_bill_no } => store.transfers.bill(mchid, out_bill_no),
        }
        .cloned()
        .ok_or_else(|| WxError::not_exists("no such transfer bill in the sandbox"))
    }
}

/// Moves a bill to `state` (now) and, at an end, notifies it.
fn advance(
    app: &Arc<App>,
    mut bill: TransferBill,
    state: BillState,
    reason: Option<String>,
) -> TransferBill {
    bill.state = state;
    bill.fail_reason = reason;
    bill.updated_unix = unix_now();
    app.store().put_transfer(bill.clone());
    if let (true, Some(url)) = (state.is_final(), &bill.notify_url) {
        notify(
            app,
            Event {
                mchid: bill.mchid.clone(),
                sub_mchid: bill.sub_mchid.clone(),
                url: url.clone(),
                kind: ("MCHTRANSFER.BILL.FINISHED", "商家转账单据终态通知"),
                original_type: "mch_payment",
                resource: bill.notification(),
                retries: Retries::Transfer,
            },
        );
    }
    bill
}

fn not_waiting(bill: &TransferBill, what: &str) -> WxError {
    WxError::invalid_request(format!(
        "transfer bill {} is {} and cannot be {what}",
        bill.out_bill_no,
        bill.state.wire()
    ))
}

/// The user confirms (确认收款): TRANSFERING, then SUCCESS after the
/// sandbox's delay, or FAIL with `fail_reason` when one is given.
pub(crate) fn confirm(
    app: &Arc<App>,
    target: &BillRef,
    fail_reason: Option<&str>,
) -> Result<TransferBill, WxError> {
    if let Some(reason) = fail_reason.filter(|r| !FAIL_REASONS.contains(r)) {
        return Err(WxError::param(format!(
            "`fail_reason` {reason:?} is not one of {}",
            FAIL_REASONS.join(", ")
        )));
    }
    let mut bill = target.find(app)?;
    if bill.state != BillState::WaitUserConfirm {
        return Err(not_waiting(&bill, "confirmed"));
    }
    bill.fails_with = fail_reason.map(str::to_owned);
    let bill = advance(app, bill, BillState::Transfering, None);
    schedule(app, &bill);
    Ok(bill)
}

/// The user does not take the money: the bill fails as WeChat fails one that
/// waited 24 hours unconfirmed (fast-forwarded).
pub(crate) fn reject(app: &Arc<App>, target: &BillRef) -> Result<TransferBill, WxError> {
    let bill = target.find(app)?;
    if bill.state != BillState::WaitUserConfirm {
        return Err(not_waiting(&bill, "rejected"));
    }
    Ok(advance(
        app,
        bill,
        BillState::Fail,
        Some(NOT_CONFIRMED.to_owned()),
    ))
}

/// The merchant cancels (撤销转账): only before the user confirms; CANCELING,
/// then CANCELLED after the sandbox's delay. Asking again answers the same.
pub(crate) fn cancel(app: &Arc<App>, bill: TransferBill) -> Result<TransferBill, WxError> {
    match bill.state {
        BillState::Canceling | BillState::Cancelled => Ok(bill),
        BillState::WaitUserConfirm => {
            let bill = advance(app, bill, BillState::Canceling, None);
            schedule(app, &bill);
            Ok(bill)
        }
        _ => Err(WxError::invalid_request(format!(
            "当前单据状态不可撤销: transfer bill {} is {}; only a bill the user has not \
             confirmed can be cancelled",
            bill.out_bill_no,
            bill.state.wire()
        ))),
    }
}

/// Ends a TRANSFERING or CANCELING bill as it was set to: SUCCESS, or FAIL
/// with the reason it was confirmed with, or CANCELLED.
pub(crate) fn finish(app: &Arc<App>, target: &BillRef) -> Result<TransferBill, WxError> {
    let bill = target.find(app)?;
    Ok(match bill.state {
        BillState::Transfering => match bill.fails_with.clone() {
            Some(reason) => advance(app, bill, BillState::Fail, Some(reason)),
            None => advance(app, bill, BillState::Success, None),
        },
        BillState::Canceling => advance(app, bill, BillState::Cancelled, None),
        _ => return Err(not_waiting(&bill, "finished")),
    })
}

/// Schedules the end of every bill a database brought back TRANSFERING or
/// CANCELING (its timer did not survive the restart).
pub(crate) fn resume(app: &Arc<App>) {
    let moving: Vec<TransferBill> = app
        .store()
        .transfers
        .bills()
        .filter(|b| matches!(b.state, BillState::Transfering | BillState::Canceling))
        .cloned()
        .collect();
    for bill in &moving {
        schedule(app, bill);
    }
}

/// Finishes a bill after the configured delay, if one is set.
fn schedule(app: &Arc<App>, bill: &TransferBill) {
    let Some(delay) = app.lifecycle.transfer_after else {
        return;
    };
    let target = BillRef::Number {
        mchid: bill.mchid.clone(),
        out_bill_no: bill.out_bill_no.clone(),
    };
    let task_app = app.clone();
    app.spawn(async move {
        tokio::time::sleep(delay).await;
        // Finished through the control API meanwhile: nothing to do.
        let _ = finish(&task_app, &target);
    });
}
