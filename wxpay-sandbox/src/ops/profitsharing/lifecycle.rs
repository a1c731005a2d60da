//! What happens to profit sharing after an answer: orders settle (after the
//! sandbox's delay, or when the control API says), and every share that
//! reaches a merchant receiver is notified to it (分账动账通知:
//! `PROFITSHARING.SUCCESS`, `PROFITSHARING.RETURN`), at the URL the receiver
//! set, encrypted with the receiver's APIv3 key, on WeChat's usual retry
//! schedule. Only merchants of the sandbox can be notified.

use std::sync::Arc;

use serde_json::json;

use super::model::{notification, ReceiverType, ShareOrder, ShareResult, ShareReturn};
use crate::app::App;
use crate::clock::unix_now;
use crate::notify::{notify, Event, Retries};
use crate::reply::WxError;

/// Schedules the settling of every order a database brought back PROCESSING
/// (its timer did not survive the restart).
pub(crate) fn resume(app: &Arc<App>) {
    let processing: Vec<(String, String)> = app
        .store()
        .profit_sharing
        .orders()
        .filter(|o| o.state == super::model::OrderState::Processing)
        .map(|o| (o.mchid.clone(), o.out_order_no.clone()))
        .collect();
    for (mchid, out_order_no) in processing {
        schedule_settle(app, &mchid, &out_order_no);
    }
}

/// Settles a new order after the configured delay, if one is set.
pub(crate) fn schedule_settle(app: &Arc<App>, mchid: &str, out_order_no: &str) {
    let Some(delay) = app.lifecycle.profit_sharing_after else {
        return;
    };
    let (mchid, out_order_no) = (mchid.to_owned(), out_order_no.to_owned());
    let task_app = app.clone();
    app.spawn(async move {
        tokio::time::sleep(delay).await;
        // Settled through the control API meanwhile, or forgotten: nothing to do.
        let _ = settle(&task_app, &mchid, &out_order_no);
    });
}

/// PROCESSING → FINISHED: each PENDING receiver succeeds or closes as it was
/// set to; merchant receivers are notified of what they got.
pub(crate) fn settle(
    app: &Arc<App>,
    mchid: &str,
    out_order_no: &str,
) -> Result<ShareOrder, WxError> {
    let order = {
        let mut store = app.store();
        let mut order = store
            .profit_sharing
            .order(mchid, out_order_no)
            .cloned()
            .ok_or_else(|| super::not_exists(&format!("no profit-sharing order {out_order_no}")))?;
        if order.state == super::model::OrderState::Finished {
            return Err(WxError::invalid_request(format!(
                "profit-sharing order {out_order_no} is FINISHED already"
            )));
        }
        order.settle(unix_now());
        store.put_share_order(order.clone());
        order
    };
    for share in &order.receivers {
        let to_merchant = share.kind == ReceiverType::MerchantId && !share.unfreeze;
        if to_merchant && share.result == ShareResult::Success {
            let receiver = json!({
                "type": share.kind.wire(),
                "account": share.account,
                "amount": share.amount,
                "description": share.description,
            });
            notify_receiver(
                app,
                &share.account,
                &order.sub_mchid,
                ("PROFITSHARING.SUCCESS", "分账"),
                notification(
                    &order.mchid,
                    order.sub_mchid.as_deref(),
                    &order.transaction_id,
                    (&order.order_id, &order.out_order_no),
                    receiver,
                    order.finished_unix.unwrap_or(order.created_unix),
                ),
            );
        }
    }
    Ok(order)
}

/// Notifies the merchant a return took money back from.
pub(crate) fn notify_return(app: &Arc<App>, share_return: &ShareReturn) {
    let receiver = json!({
        "type": ReceiverType::MerchantId.wire(),
        "account": share_return.return_mchid,
        "amount": share_return.amount,
        "description": share_return.description,
    });
    notify_receiver(
        app,
        &share_return.return_mchid,
        &share_return.sub_mchid,
        ("PROFITSHARING.RETURN", "分账回退"),
        notification(
            &share_return.mchid,
            share_return.sub_mchid.as_deref(),
            &share_return.transaction_id,
            (&share_return.return_id, &share_return.out_return_no),
            receiver,
            share_return.created_unix,
        ),
    );
}

/// Queues a notification to a receiver that is a merchant of the sandbox
/// with a URL set; others are not notified (as WeChat notifies only
/// merchant receivers that configured one).
fn notify_receiver(
    app: &Arc<App>,
    receiver_mchid: &str,
    sub_mchid: &Option<String>,
    kind: (&'static str, &'static str),
    resource: serde_json::Value,
) {
    let Some(receiver) = app.merchant(receiver_mchid) else {
        return;
    };
    let Some(url) = receiver.profit_sharing_notify_url.clone() else {
        return;
    };
    notify(
        app,
        Event {
            mchid: receiver.mchid.clone(),
            sub_mchid: sub_mchid.clone(),
            url,
            kind,
            original_type: "profitsharing",
            resource,
            retries: Retries::Standard,
        },
    );
}

/// The control API's switch: shares to (and returns from) this receiver
/// close with `reason` (one of WeChat's `fail_reason`s), or succeed again
/// with `None`.
pub(crate) fn set_receiver_outcome(
    app: &App,
    key: &super::ReceiverKey,
    reason: Option<&str>,
) -> Result<super::Receiver, WxError> {
    if let Some(reason) = reason.filter(|r| !super::FAIL_REASONS.contains(r)) {
        return Err(WxError::param(format!(
            "`fail_reason` {reason:?} is not one of {}",
            super::FAIL_REASONS.join(", ")
        )));
    }
    let mut store = app.store();
    let mut receiver = store.profit_sharing.receiver(key).cloned().ok_or_else(|| {
        WxError::not_exists(format!(
            "no receiver {} {} of {} (add it with receivers/add first)",
            key.2, key.3, key.0
        ))
    })?;
    receiver.fail_reason = reason.map(str::to_owned);
    store.put_receiver(receiver.clone());
    Ok(receiver)
}
