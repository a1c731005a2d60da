//! `fleet`: one instance of a shop that serves many merchants; run several
//! behind a load balancer, all on one Redis.
//!
//! - merchants come from a directory, one folder each
//!   (`wxpay_core::registry::DirectorySource`; the sandbox writes one with
//!   `--make-merchants N --out DIR`: use `DIR/merchants`), loaded on first use;
//! - platform certificates are downloaded by one instance per refresh
//!   interval and shared through Redis;
//! - `POST /notify` is the one notify URL of every merchant (routed by the
//!   `Wechatpay-Serial` of the merchant's WeChat Pay key), `POST
//!   /notify/{mchid}` the per-merchant fallback; each notification is
//!   handled once across the fleet (claimed in Redis), a replayed delivery
//!   is refused on any instance, and while Redis is away notifications are
//!   answered FAIL so WeChat Pay retries them;
//! - `POST /orders/{mchid}` sends `{"path": "v3/...", "body": {...}}` with
//!   that merchant's client (a prepay, say); `GET /ready/{mchid}` loads the
//!   merchant and lists the WeChat Pay keys it trusts.
//!
//! ```text
//! cargo run -p wxpay-sandbox -- --make-merchants 3 --out /tmp/sbx --listen 127.0.0.1:8707
//! redis-server --port 6379 &
//! cargo run -p wxpay-examples --bin fleet -- --listen 127.0.0.1:8801 \
//!     --base-url http://127.0.0.1:8707/ --merchants /tmp/sbx/merchants \
//!     --redis redis://127.0.0.1:6379/ --name a
//! ```
//!
//! It prints `listening on http://ADDR` first. With `--handled FILE`, each
//! handler run appends `mchid notification-id out_trade_no instance` to
//! FILE (what the fleet test counts).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use wxpay_core::notify::{Handled, Notification};
use wxpay_core::registry::{DirectorySource, MerchantRegistry};
use wxpay_core::Method;
use wxpay_redis::RedisStore;

/// WeChat Pay's notifications are a few KiB.
const MAX_BODY_BYTES: usize = 64 * 1024;

struct Args {
    listen: SocketAddr,
    base_url: String,
    merchants: PathBuf,
    redis: String,
    name: String,
    handled: Option<PathBuf>,
    refresh: Duration,
}

const USAGE: &str = "usage: fleet --base-url URL --merchants DIR --redis URL \
    [--listen ADDR] [--name NAME] [--handled FILE] [--refresh-secs N]";

fn args() -> Result<Args, String> {
    let mut args = Args {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        base_url: String::new(),
        merchants: PathBuf::new(),
        redis: String::new(),
        name: format!("fleet-{}", std::process::id()),
        handled: None,
        refresh: Duration::from_secs(12 * 60 * 60),
    };
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        let mut value = || given.next().ok_or(format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--listen" => args.listen = value()?.parse().map_err(|e| format!("--listen: {e}"))?,
            "--base-url" => args.base_url = value()?,
            "--merchants" => args.merchants = value()?.into(),
            "--redis" => args.redis = value()?,
            "--name" => args.name = value()?,
            "--handled" => args.handled = Some(value()?.into()),
            "--refresh-secs" => {
                let secs: u64 = value()?
                    .parse()
                    .map_err(|e| format!("--refresh-secs: {e}"))?;
                args.refresh = Duration::from_secs(secs.max(1));
            }
            other => return Err(format!("unknown flag {other}\n{USAGE}")),
        }
    }
    if args.base_url.is_empty() || args.redis.is_empty() || args.merchants.as_os_str().is_empty() {
        return Err(USAGE.to_owned());
    }
    Ok(args)
}

struct Shop {
    registry: MerchantRegistry,
    name: String,
    handled: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args()?;
    let store = Arc::new(RedisStore::open(&args.redis)?);
    let registry = MerchantRegistry::builder(DirectorySource::new(&args.merchants))
        .base_url(args.base_url.clone())
        .certificate_refresh_interval(args.refresh)
        .certificate_store(store.clone())
        .notification_store(store)
        .build()?;
    let shop = Arc::new(Shop {
        registry,
        name: args.name,
        handled: args.handled,
    });
    let app = Router::new()
        .route("/notify", post(notify))
        .route("/notify/{mchid}", post(notify_merchant))
        .route("/orders/{mchid}", post(order))
        .route("/ready/{mchid}", get(ready))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(shop);
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    println!("listening on http://{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    axum::serve(listener, app).await?;
    Ok(())
}

/// The one notify URL of every merchant.
async fn notify(State(shop): State<Arc<Shop>>, headers: HeaderMap, body: Bytes) -> Response {
    let handled = shop
        .registry
        .handle(&headers, &body, |mchid, n| record(shop.clone(), mchid, n))
        .await;
    answer(&shop, handled)
}

/// The per-merchant notify URL (the fallback).
async fn notify_merchant(
    State(shop): State<Arc<Shop>>,
    Path(mchid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let handled = shop
        .registry
        .handle_for(&mchid, &headers, &body, |mchid, n| {
            record(shop.clone(), mchid, n)
        })
        .await;
    answer(&shop, handled)
}

fn answer(shop: &Shop, handled: Handled) -> Response {
    eprintln!("[{}] notification: {handled}", shop.name);
    let (parts, body) = handled.response().into_parts();
    (parts.status, parts.headers, body).into_response()
}

/// The shop's handler: here it writes down what it handled (a real one
/// marks the order paid, in the same transaction as anything else).
async fn record(shop: Arc<Shop>, mchid: String, n: Notification) -> Result<(), String> {
    let out_trade_no = n.resource["out_trade_no"]
        .as_str()
        .unwrap_or("-")
        .to_owned();
    // Long enough that deliveries racing on other instances meet the claim.
    tokio::time::sleep(Duration::from_millis(100)).await;
    if let Some(path) = &shop.handled {
        let line = format!("{mchid} {} {out_trade_no} {}\n", n.envelope.id, shop.name);
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut file| file.write_all(line.as_bytes()))
            .map_err(|e| format!("cannot record {}: {e}", path.display()))?;
    }
    Ok(())
}

/// Sends a request with the merchant's client: `{"path", "body"}`.
async fn order(
    State(shop): State<Arc<Shop>>,
    Path(mchid): Path<String>,
    Json(request): Json<Value>,
) -> Response {
    let Some(path) = request["path"].as_str().filter(|p| p.starts_with("v3/")) else {
        return (
            StatusCode::BAD_REQUEST,
            "give {\"path\": \"v3/...\", \"body\": {...}}",
        )
            .into_response();
    };
    let sent = async {
        let client = shop.registry.client(&mchid).await?;
        client
            .request(Method::Post, path)
            .json(&request["body"])
            .send::<Value>()
            .await
    };
    match sent.await {
        Ok(answer) => Json(answer).into_response(),
        Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    }
}

/// Loads the merchant (and its certificates, when due): the keys it trusts.
async fn ready(State(shop): State<Arc<Shop>>, Path(mchid): Path<String>) -> Response {
    match shop.registry.client(&mchid).await {
        Ok(client) => match client.encryptor().await {
            Ok(_) => Json(json!({ "serials": client.keyring().serials() })).into_response(),
            Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
        },
        Err(e) => (StatusCode::NOT_FOUND, e.to_string()).into_response(),
    }
}
