//! The payment lifecycle end to end: orders, paying, notifications with
//! retries, refunds and bills, driven by the real client over loopback, with
//! notifications received by an axum handler that verifies them with
//! `Notifier`.

mod bills;
mod notifications;
mod orders;
mod partner;
mod persistence;
mod refunds;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};
use wxpay_apis::events::Event;
use wxpay_core::notify::{Notification, Notifier};
use wxpay_core::{ApiV3Key, Client, Error};
use wxpay_sandbox::{Sandbox, SandboxBuilder};

use crate::support::*;

pub const APPID: &str = "wxd678efh567hg6787";
pub const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

/// Answers to hand out, in order, to successive notifications (then 204).
#[derive(Default)]
pub struct Receiver {
    pub received: Vec<(Instant, Notification<Value>)>,
    /// Each received notification decoded by its event type: a known event
    /// type whose resource does not fit is rejected instead.
    pub events: Vec<Event>,
    pub rejected: Vec<String>,
    /// Status codes to answer with before accepting (e.g. `[500, 500]`).
    pub failures: Vec<u16>,
}

type Shared = (Arc<Notifier>, Arc<Mutex<Receiver>>);

async fn handler(
    State((notifier, seen)): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // Arrival time before verification, so its cost does not blur retry gaps.
    let arrived = Instant::now();
    let parsed = notifier.parse::<Value>(&headers, &body).await;
    let typed = notifier.parse_event::<Event>(&headers, &body).await;
    let mut seen = seen.lock().unwrap();
    let answer = match parsed.and_then(|n| Ok((n, typed?.resource))) {
        Ok((n, event)) => {
            seen.received.push((arrived, n));
            seen.events.push(event);
            if seen.failures.is_empty() {
                Notifier::success()
            } else {
                let status = seen.failures.remove(0);
                let mut r = Notifier::failure("not now");
                *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
                r
            }
        }
        Err(e) => {
            seen.rejected.push(e.to_string());
            Notifier::failure("rejected")
        }
    };
    answer.map(Body::from)
}

/// A merchant's notification endpoint on loopback.
pub struct Shop {
    pub url: String,
    pub seen: Arc<Mutex<Receiver>>,
}

impl Shop {
    pub async fn open(sandbox: &Sandbox, client: &Client) -> Shop {
        Shop::open_with_key(client, &sandbox.merchant().apiv3_key).await
    }

    /// The endpoint of a merchant whose APIv3 key is `apiv3_key`.
    pub async fn open_with_key(client: &Client, apiv3_key: &str) -> Shop {
        let notifier = Arc::new(Notifier::for_client(
            client,
            ApiV3Key::new(apiv3_key).unwrap(),
        ));
        let seen = Arc::new(Mutex::new(Receiver::default()));
        let app = axum::Router::new()
            .route("/notify", axum::routing::post(handler))
            .with_state((notifier, seen.clone()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/notify", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Shop { url, seen }
    }

    /// The notifications received so far, decoded by their event type
    /// (`Notifier::parse_event::<wxpay_apis::events::Event>`).
    pub fn events(&self) -> Vec<Event> {
        self.seen.lock().unwrap().events.clone()
    }

    /// Waits (bounded) until `n` verified notifications have arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Notification<Value>> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            {
                let seen = self.seen.lock().unwrap();
                if seen.received.len() >= n {
                    return seen.received.iter().map(|(_, n)| n.clone()).collect();
                }
                assert!(seen.rejected.is_empty(), "{:?}", seen.rejected);
            }
            assert!(
                Instant::now() < deadline,
                "no {n} notifications within 20 s"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

pub async fn started(builder: SandboxBuilder) -> (Sandbox, Client) {
    let sandbox = builder.start().await.expect("sandbox starts");
    let client = client(&sandbox);
    (sandbox, client)
}

pub fn jsapi_order(sandbox: &Sandbox, out_trade_no: &str, total: i64, notify_url: &str) -> Value {
    json!({
        "appid": APPID,
        "mchid": sandbox.merchant().mchid,
        "description": "Image形象店-深圳腾大-QQ公仔",
        "out_trade_no": out_trade_no,
        "notify_url": notify_url,
        "amount": { "total": total, "currency": "CNY" },
        "payer": { "openid": OPENID },
    })
}

pub async fn prepay(client: &Client, kind: &str, body: &Value) -> Result<Value, Error> {
    post(client, &format!("v3/pay/transactions/{kind}"), body).await
}

pub async fn query(client: &Client, sandbox: &Sandbox, out_trade_no: &str) -> Result<Value, Error> {
    client
        .request(
            wxpay_core::Method::Get,
            "v3/pay/transactions/out-trade-no/{out_trade_no}",
        )
        .path_param("out_trade_no", out_trade_no)
        .query_pair("mchid", &sandbox.merchant().mchid)
        .send()
        .await
}

pub async fn refund(client: &Client, body: &Value) -> Result<Value, Error> {
    post(client, "v3/refund/domestic/refunds", body).await
}

/// A JSAPI order, prepaid and paid.
pub async fn paid_order(
    sandbox: &Sandbox,
    client: &Client,
    out_trade_no: &str,
    total: i64,
    notify_url: &str,
) -> Value {
    prepay(
        client,
        "jsapi",
        &jsapi_order(sandbox, out_trade_no, total, notify_url),
    )
    .await
    .expect("prepay");
    sandbox
        .pay_order(&sandbox.merchant().mchid, out_trade_no)
        .expect("paid");
    query(client, sandbox, out_trade_no).await.expect("query")
}

/// Calls the control API over HTTP (unsigned), returning status and JSON.
pub async fn control(
    sandbox: &Sandbox,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut request = http.request(method, format!("{}{path}", sandbox.base_url()));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("control API answers");
    assert!(
        response.headers().get("wechatpay-signature").is_none(),
        "the control API is not WeChat Pay and does not sign"
    );
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}
