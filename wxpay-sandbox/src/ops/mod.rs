//! The operations the sandbox implements, routed by axum. Each checks its
//! request against WeChat Pay's documentation (the API catalog), not against
//! `wxpay-apis`, so a mistake in a typed endpoint shows up as a failing test.

use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use http::{Method, Uri};

use crate::app::App;
use crate::reply::WxError;

mod after_sales;
mod certificates;
mod extract;
mod return_advance;
mod return_orders;

/// The seed operations, as `(method, path template)`.
pub const SEED_OPERATIONS: [(&str, &str); 6] = [
    ("POST", after_sales::PATH),
    ("GET", after_sales::PATH),
    ("POST", return_orders::PATH),
    ("GET", return_orders::PATH),
    ("POST", return_advance::PATH),
    ("GET", return_advance::PATH),
];

pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/v3/certificates", get(certificates::list))
        .route(
            &route(after_sales::PATH),
            get(after_sales::query).post(after_sales::create),
        )
        .route(
            &route(return_orders::PATH),
            get(return_orders::query).post(return_orders::create),
        )
        .route(
            &route(return_advance::PATH),
            get(return_advance::query).post(return_advance::create),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .with_state(app)
}

fn route(template: &str) -> String {
    format!("/{template}")
}

async fn not_found(method: Method, uri: Uri) -> WxError {
    WxError::not_found(method.as_str(), uri.path())
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
