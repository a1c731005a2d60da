//! Profit sharing (分账), direct and service provider, with state: receivers
//! added and deleted per (sub-)merchant; orders accepted only for a paid
//! transaction made with `settle_info.profit_sharing`, to registered
//! receivers, within what is left to share; each order PROCESSING → FINISHED
//! with its receivers PENDING → SUCCESS | CLOSED; unfreezing, returns and
//! the amount left act on the real orders; `PROFITSHARING.SUCCESS` and
//! `.RETURN` are notified to merchant receivers that set a URL.
//!
//! - `model`: records and states, `book`: what is remembered (no HTTP);
//! - `receivers`, `orders`, `returns`: the operations (HTTP), and what they
//!   do to the book apart from their request shapes;
//! - `ecommerce`: the e-commerce platform's operations
//!   (`v3/ecommerce/profitsharing/...`), adapters over the same functions;
//! - `lifecycle`: what happens after an answer (settling, notifying) and the
//!   control API's actions.
//!
//! Codes and texts: `wxpay-sandbox/docs/funds.md` (the official Go SDK's
//! error tables, WeChat's pages and FAQ, community captures). The
//! e-commerce platform's after-sales splits keep their seed operation.

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use http::StatusCode;

use crate::app::App;
use crate::auth::Caller;
use crate::ledger::Order;
use crate::reply::WxError;

mod book;
mod ecommerce;
pub(crate) mod lifecycle;
mod model;
mod orders;
mod receivers;
mod returns;

pub(crate) use book::Book;
pub(crate) use model::{
    Receiver, ReceiverKey, ReceiverType, ShareOrder, ShareReturn, FAIL_REASONS,
};

/// The operations simulated with state, as `(method, path template)`.
pub const PROFIT_SHARING_OPERATIONS: [(&str, &str); 16] = [
    ("POST", "v3/profitsharing/receivers/add"),
    ("POST", "v3/profitsharing/receivers/delete"),
    ("POST", "v3/profitsharing/orders"),
    ("GET", "v3/profitsharing/orders/{out_order_no}"),
    ("POST", "v3/profitsharing/orders/unfreeze"),
    (
        "GET",
        "v3/profitsharing/transactions/{transaction_id}/amounts",
    ),
    ("POST", "v3/profitsharing/return-orders"),
    ("GET", "v3/profitsharing/return-orders/{out_return_no}"),
    ("POST", "v3/ecommerce/profitsharing/receivers/add"),
    ("POST", "v3/ecommerce/profitsharing/receivers/delete"),
    ("POST", "v3/ecommerce/profitsharing/orders"),
    ("GET", "v3/ecommerce/profitsharing/orders"),
    ("POST", "v3/ecommerce/profitsharing/finish-order"),
    (
        "GET",
        "v3/ecommerce/profitsharing/orders/{transaction_id}/amounts",
    ),
    ("POST", "v3/ecommerce/profitsharing/returnorders"),
    ("GET", "v3/ecommerce/profitsharing/returnorders"),
];

pub(crate) fn routes(router: Router<Arc<App>>) -> Router<Arc<App>> {
    router
        .route("/v3/profitsharing/receivers/add", post(receivers::add))
        .route(
            "/v3/profitsharing/receivers/delete",
            post(receivers::delete),
        )
        .route("/v3/profitsharing/orders", post(orders::create))
        .route("/v3/profitsharing/orders/unfreeze", post(orders::unfreeze))
        .route(
            "/v3/profitsharing/orders/{out_order_no}",
            get(orders::query),
        )
        .route(
            "/v3/profitsharing/transactions/{transaction_id}/amounts",
            get(orders::amounts),
        )
        .route("/v3/profitsharing/return-orders", post(returns::create))
        .route(
            "/v3/profitsharing/return-orders/{out_return_no}",
            get(returns::query),
        )
        .route(
            "/v3/ecommerce/profitsharing/receivers/add",
            post(ecommerce::add_receiver),
        )
        .route(
            "/v3/ecommerce/profitsharing/receivers/delete",
            post(ecommerce::delete_receiver),
        )
        .route(
            "/v3/ecommerce/profitsharing/orders",
            get(ecommerce::query).post(ecommerce::create),
        )
        .route(
            "/v3/ecommerce/profitsharing/finish-order",
            post(ecommerce::finish),
        )
        .route(
            "/v3/ecommerce/profitsharing/orders/{transaction_id}/amounts",
            get(ecommerce::amounts),
        )
        .route(
            "/v3/ecommerce/profitsharing/returnorders",
            get(ecommerce::query_return_order).post(ecommerce::create_return_order),
        )
}

/// 404 `RESOURCE_NOT_EXISTS` 记录不存在: an order or return the merchant never made.
fn not_exists(what: &str) -> WxError {
    WxError::new(
        StatusCode::NOT_FOUND,
        "RESOURCE_NOT_EXISTS",
        format!("记录不存在: {what}"),
    )
}

/// The paid transaction a merchant shares from (in its sub-merchant's name
/// for a partner), made with `settle_info.profit_sharing`; otherwise
/// WeChat's `INVALID_REQUEST` with the message of the operation (WeChat's
/// FAQ: a wrong `transaction_id` answers the same as an order made without
/// profit sharing).
fn shareable_transaction(
    app: &App,
    caller: &Caller,
    sub_mchid: Option<&str>,
    transaction_id: &str,
    refusal: &str,
) -> Result<Order, WxError> {
    let now = crate::clock::unix_now();
    app.store()
        .order_by_transaction(&caller.mchid, transaction_id)
        .filter(|o| o.sub_mchid() == sub_mchid)
        .filter(|o| o.state_at(now).is_paid() && o.profit_sharing)
        .cloned()
        .ok_or_else(|| {
            WxError::invalid_request(format!(
                "{refusal}: transaction_id {transaction_id} is not a paid order of \
                 this merchant made with settle_info.profit_sharing"
            ))
        })
}

/// A merchant-side number (`out_order_no`, `out_return_no`): at most 64 of
/// `[0-9A-Za-z_-|*@]`.
fn check_number(name: &str, value: &str) -> Result<(), WxError> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-|*@".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(WxError::param(format!(
            "`{name}` must be 1 to 64 characters of [0-9A-Za-z_-|*@], got {value:?}"
        )))
    }
}
