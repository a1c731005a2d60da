//! The operations the sandbox implements, routed by axum. Each checks its
//! request against WeChat Pay's documentation (the API catalog), not against
//! `wxpay-apis`, so a mistake in a typed endpoint shows up as a failing test.

use std::sync::Arc;

use axum::routing::get;
use axum::Router;

use crate::app::App;
use crate::reply::WxError;

mod after_sales;
pub(crate) mod bills;
mod certificates;
pub(crate) mod extract;
pub(crate) mod partner;
pub(crate) mod profitsharing;
pub(crate) mod refunds;
mod return_advance;
pub(crate) mod transactions;
pub(crate) mod transfer;

/// The seed operations, as `(method, path template)`.
pub const SEED_OPERATIONS: [(&str, &str); 4] = [
    ("POST", after_sales::PATH),
    ("GET", after_sales::PATH),
    ("POST", return_advance::PATH),
    ("GET", return_advance::PATH),
];

/// The payment lifecycle's operations, as `(method, path template)`.
pub const PAYMENT_OPERATIONS: [(&str, &str); 19] = [
    ("POST", "v3/pay/transactions/jsapi"),
    ("POST", "v3/pay/transactions/app"),
    ("POST", "v3/pay/transactions/h5"),
    ("POST", "v3/pay/transactions/native"),
    ("GET", "v3/pay/transactions/id/{transaction_id}"),
    ("GET", "v3/pay/transactions/out-trade-no/{out_trade_no}"),
    (
        "POST",
        "v3/pay/transactions/out-trade-no/{out_trade_no}/close",
    ),
    ("POST", "v3/pay/partner/transactions/jsapi"),
    ("POST", "v3/pay/partner/transactions/app"),
    ("POST", "v3/pay/partner/transactions/h5"),
    ("POST", "v3/pay/partner/transactions/native"),
    ("GET", "v3/pay/partner/transactions/id/{transaction_id}"),
    (
        "GET",
        "v3/pay/partner/transactions/out-trade-no/{out_trade_no}",
    ),
    (
        "POST",
        "v3/pay/partner/transactions/out-trade-no/{out_trade_no}/close",
    ),
    ("POST", refunds::CREATE),
    ("GET", refunds::QUERY),
    ("GET", bills::TRADE_BILL),
    ("GET", bills::FUND_FLOW_BILL),
    ("GET", bills::DOWNLOAD),
];

pub(crate) fn router(app: Arc<App>) -> Router {
    let router = Router::new();
    let router = transactions::routes(router);
    let router = refunds::routes(router);
    let router = bills::routes(router);
    let router = profitsharing::routes(router);
    let router = transfer::routes(router);
    router
        .route("/v3/certificates", get(certificates::list))
        .route(
            &route(after_sales::PATH),
            get(after_sales::query).post(after_sales::create),
        )
        .route(
            &route(return_advance::PATH),
            get(return_advance::query).post(return_advance::create),
        )
        .fallback(crate::catalog::answer::handle)
        .method_not_allowed_fallback(crate::catalog::answer::handle)
        .with_state(app)
}

fn route(template: &str) -> String {
    format!("/{template}")
}

/// A failure of the sandbox itself (randomness, encryption) answers as WeChat
/// answers its own failures.
fn internal<E: std::fmt::Display>(_: E) -> WxError {
    WxError::system()
}

/// `SUCCESS` once settled, else `PROCESSING`.
fn result(settled: bool) -> &'static str {
    if settled {
        "SUCCESS"
    } else {
        "PROCESSING"
    }
}
