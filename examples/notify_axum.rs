//! A WeChat Pay callback handler in axum, fed by the sandbox.
//!
//! With wxpay-core's `axum` feature the handler is a few lines: the
//! `Verified` extractor reads the raw body (bounded by the notifier's
//! limit), lets `Notifier` verify the signature and the 300 s window,
//! refuse replayed deliveries and decrypt the resource, and hands the
//! handler the typed payment. A notification that fails any of that never
//! reaches the handler: it is answered `{"code":"FAIL"}`, so WeChat Pay
//! retries. The handler answers `Success` (204) when the event is handled,
//! or `Failure` (500 FAIL) to be asked again later.
//!
//! Run: `cargo run --example notify_axum`

use std::error::Error;

use axum::routing::post;
use axum::Router;
use serde_json::json;
use wxpay_apis::events::TransactionEvent;
use wxpay_core::notify::axum::{Failure, Success, Verified};
use wxpay_core::notify::Notifier;
use wxpay_core::ApiV3Key;
use wxpay_sandbox::{KeyMode, Sandbox};

/// WeChat Pay's notifications are a few KiB.
const MAX_NOTIFICATION_BYTES: usize = 64 * 1024;

/// Orders this shop knows; a notification for anything else fails (and is retried).
const KNOWN_ORDER: &str = "1217752501201407033233368018";

async fn paid(Verified(notification): Verified<TransactionEvent>) -> Result<Success, Failure> {
    let paid = notification.resource;
    if paid.out_trade_no != KNOWN_ORDER {
        return Err(Failure::new(format!("unknown order {}", paid.out_trade_no)));
    }
    // Record the payment idempotently, keyed by notification.envelope.id:
    // WeChat Pay may deliver the same notification more than once.
    let fen = paid.amount.map_or(0, |amount| amount.total);
    println!(
        "   handler: order {} paid, {fen} fen ({})",
        paid.out_trade_no, notification.envelope.id
    );
    Ok(Success)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let sandbox = Sandbox::builder()
        .key_mode(KeyMode::PublicKey)
        .start()
        .await?;
    let client = sandbox.client_builder().build()?;
    // A replayed delivery (the same signed timestamp and nonce) is refused
    // for as long as it could verify; the extractor reads no more than the
    // limit off the socket.
    let notifier = Notifier::for_client(&client, ApiV3Key::new(&sandbox.merchant().apiv3_key)?)
        .with_replay_guard(10_000)
        .with_max_body_bytes(MAX_NOTIFICATION_BYTES);

    let app = Router::new()
        .route("/wxpay/notify", post(paid))
        .with_state(notifier);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/wxpay/notify", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });

    let paid = |out_trade_no: &str| {
        json!({
            "mchid": sandbox.merchant().mchid, "appid": "wxd678efh567hg6787",
            "out_trade_no": out_trade_no, "transaction_id": "4200000000000000000000000000",
            "trade_type": "JSAPI", "trade_state": "SUCCESS", "success_time": "2024-01-01T10:00:00+08:00",
            "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}, "amount": {"total": 100, "payer_total": 100, "currency": "CNY", "payer_currency": "CNY"}
        })
    };
    println!("1. TRANSACTION.SUCCESS for a known order");
    let delivery = sandbox
        .send_callback(
            &url,
            "TRANSACTION.SUCCESS",
            "transaction",
            &paid(KNOWN_ORDER),
        )
        .await?;
    println!(
        "   WeChat Pay sees HTTP {} {}",
        delivery.status, delivery.body
    );
    if !delivery.accepted() {
        return Err("the known order was not accepted".into());
    }

    println!("2. TRANSACTION.SUCCESS for an order the shop does not know");
    let delivery = sandbox
        .send_callback(
            &url,
            "TRANSACTION.SUCCESS",
            "transaction",
            &paid("NO-SUCH-ORDER"),
        )
        .await?;
    println!(
        "   WeChat Pay sees HTTP {} {} (and will retry)",
        delivery.status, delivery.body
    );
    if delivery.accepted() {
        return Err("an unknown order was accepted".into());
    }

    println!("3. A refund notification at the payment URL: it does not decode as a payment");
    let refund = json!({"out_trade_no": KNOWN_ORDER, "out_refund_no": "R1", "refund_id": "50",
                        "refund_status": "SUCCESS", "amount": {"total": 100, "refund": 40}});
    let delivery = sandbox
        .send_callback(&url, "REFUND.SUCCESS", "refund", &refund)
        .await?;
    println!(
        "   WeChat Pay sees HTTP {} {} (the handler never ran)",
        delivery.status, delivery.body
    );
    if delivery.accepted() {
        return Err("a refund was accepted as a payment".into());
    }
    sandbox.shutdown().await;
    Ok(())
}
