//! A WeChat Pay callback handler in axum, fed by the sandbox.
//!
//! The handler takes the raw body bytes (never a re-serialised JSON value),
//! lets `Notifier` verify the signature and the 300 s window and decrypt the
//! resource (refusing replayed deliveries and oversized bodies), then answers
//! 204 when the event is handled or 500 with `{"code":"FAIL","message":...}`
//! so that WeChat Pay retries later.
//!
//! Run: `cargo run --example notify_axum`

use std::error::Error;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use serde_json::json;
use wxpay_apis::events::Event;
use wxpay_core::notify::Notifier;
use wxpay_core::ApiV3Key;
use wxpay_sandbox::{KeyMode, Sandbox};

/// WeChat Pay's notifications are a few KiB.
const MAX_NOTIFICATION_BYTES: usize = 64 * 1024;

/// Orders this shop knows; a notification for anything else fails (and is retried).
const KNOWN_ORDER: &str = "1217752501201407033233368018";

async fn notify(
    State(notifier): State<Arc<Notifier>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // One URL receives payments, refunds ...: each decodes into its own case.
    let answer = match notifier.parse_event::<Event>(&headers, &body).await {
        Ok(notification) => match notification.resource {
            Event::Transaction(paid) if paid.out_trade_no == KNOWN_ORDER => {
                // Record the payment idempotently, keyed by notification.envelope.id:
                // WeChat Pay may deliver the same notification more than once.
                let fen = paid.amount.map_or(0, |amount| amount.total);
                println!(
                    "   handler: order {} {}, {fen} fen ({})",
                    paid.out_trade_no, paid.trade_state, notification.envelope.id
                );
                Notifier::success()
            }
            Event::Transaction(paid) => {
                Notifier::failure(&format!("unknown order {}", paid.out_trade_no))
            }
            Event::Other { event_type, .. } => {
                println!("   handler: ignoring {event_type}");
                Notifier::success()
            }
            other => {
                println!("   handler: ignoring {other:?}");
                Notifier::success()
            }
        },
        // Not from WeChat Pay (or tampered): refuse, and never act on it.
        Err(e) => Notifier::failure(&format!("rejected: {e}")),
    };
    answer.map(Body::from)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let sandbox = Sandbox::builder()
        .key_mode(KeyMode::PublicKey)
        .start()
        .await?;
    let client = sandbox.client_builder().build()?;
    // A replayed delivery (the same signed timestamp and nonce) is refused
    // for as long as it could verify; bodies are limited before any work.
    let notifier = Arc::new(
        Notifier::for_client(&client, ApiV3Key::new(&sandbox.merchant().apiv3_key)?)
            .with_replay_guard(10_000)
            .with_max_body_bytes(MAX_NOTIFICATION_BYTES),
    );

    let app = Router::new()
        .route("/wxpay/notify", post(notify))
        // Never read more than that off the socket either.
        .layer(DefaultBodyLimit::max(MAX_NOTIFICATION_BYTES))
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
    sandbox.shutdown().await;
    Ok(())
}
