//! The payment-lifecycle mix of `loadgen --op lifecycle`: one unit is a
//! Native prepay, order queries until the sandbox's auto-pay has paid it
//! (TRANSACTION.SUCCESS is notified), and a full refund (settled at once,
//! REFUND.SUCCESS notified), all through [`Client::request`]; the merchant's
//! notification endpoint is a small server in the caller's runtime that
//! counts deliveries and answers 204.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use wxpay_core::{Client, Error, Method};

/// How many times a unit asks for its order before giving up on the auto-pay.
const MAX_QUERIES: usize = 500;

/// The mix's shared state: where notifications go, and what was done.
#[derive(Debug)]
pub struct Mix {
    notify_url: String,
    appid: String,
    next: AtomicU64,
    api_calls: AtomicUsize,
    notified: Arc<AtomicUsize>,
}

/// What a run of the mix did, for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Signed API requests sent (prepay, queries, refunds).
    pub api_calls: usize,
    /// Notifications received by the merchant's endpoint.
    pub notified: usize,
}

impl Mix {
    /// Binds the merchant's notification endpoint on 127.0.0.1 and serves it
    /// on the current tokio runtime.
    pub async fn start() -> std::io::Result<Mix> {
        let notified = Arc::new(AtomicUsize::new(0));
        let counter = notified.clone();
        let app = axum::Router::new().route(
            "/notify",
            axum::routing::post(move || {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, Ordering::Relaxed);
                    http::StatusCode::NO_CONTENT
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let notify_url = format!("http://{}/notify", listener.local_addr()?);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Mix {
            notify_url,
            appid: "wxd678efh567hg6787".into(),
            next: AtomicU64::new(1),
            api_calls: AtomicUsize::new(0),
            notified,
        })
    }

    /// What was done so far.
    pub fn counts(&self) -> Counts {
        Counts {
            api_calls: self.api_calls.load(Ordering::Relaxed),
            notified: self.notified.load(Ordering::Relaxed),
        }
    }

    async fn call(
        &self,
        client: &Client,
        method: Method,
        template: &str,
        build: impl FnOnce(wxpay_core::DynamicRequest<'_>) -> wxpay_core::DynamicRequest<'_>,
    ) -> Result<Value, Error> {
        self.api_calls.fetch_add(1, Ordering::Relaxed);
        build(client.request(method, template)).send().await
    }

    /// One unit: prepay, query until paid, refund in full.
    pub async fn one(&self, client: &Client) -> Result<(), Error> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let out_trade_no = format!("LG{n:020}");
        let mchid = client.mchid().to_owned();
        let order = json!({
            "appid": self.appid, "mchid": mchid, "description": "loadgen",
            "out_trade_no": out_trade_no, "notify_url": self.notify_url,
            "amount": { "total": 100, "currency": "CNY" },
        });
        self.call(client, Method::Post, "v3/pay/transactions/native", |r| {
            r.json(order)
        })
        .await?;
        let mut paid = false;
        for _ in 0..MAX_QUERIES {
            let state = self
                .call(
                    client,
                    Method::Get,
                    "v3/pay/transactions/out-trade-no/{out_trade_no}",
                    |r| {
                        r.path_param("out_trade_no", out_trade_no.clone())
                            .query_pair("mchid", &mchid)
                    },
                )
                .await?;
            if state["trade_state"] == "SUCCESS" {
                paid = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        if !paid {
            return Err(Error::InvalidRequest(format!(
                "order {out_trade_no} still unpaid after {MAX_QUERIES} queries"
            )));
        }
        let refund = json!({
            "out_trade_no": out_trade_no, "out_refund_no": format!("LR{n:020}"),
            "notify_url": self.notify_url,
            "amount": { "refund": 100, "total": 100, "currency": "CNY" },
        });
        self.call(client, Method::Post, "v3/refund/domestic/refunds", |r| {
            r.json(refund)
        })
        .await?;
        Ok(())
    }
}
