//! Fleet benchmarks (not timed tests; run on a quiet machine, compare the
//! ratios of one run): `cargo bench -p wxpay-bench --bench fleet`.
//!
//! 1. A `MerchantRegistry` of 1,000 merchants: the memory each registered
//!    merchant takes (bytes live after loading, counted by this binary's
//!    allocator; public-key mode, so nothing but the registry allocates) and
//!    the first-call latency (credentials loaded, client built, certificates
//!    downloaded, first request answered), against the in-process sandbox,
//!    beside a warm call.
//! 2. Callback handling per second with de-duplication in Redis against
//!    the in-memory store (the same notifications, the same notifier
//!    otherwise), as a ratio; and the Redis round trips one notification
//!    costs, counted on the connection.
//!
//! Redis is a `redis-server` started here on 127.0.0.1 (installed with
//! apt-get when absent; part 2 fails if that is impossible, or is skipped, loudly, with WXPAY_SKIP_REDIS=1).

#[path = "../../wxpay-redis/tests/support/server.rs"]
mod server;

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use wxpay_core::notify::{Handled, Notification, Notifier};
use wxpay_core::registry::{
    CredentialSource, MerchantCredentials, MerchantCredentialsRequired, MerchantRegistry,
    SourceError,
};
use wxpay_core::sign::BoxFuture;
use wxpay_core::store::{MemoryNotificationStore, NotificationStore};
use wxpay_core::{ApiV3Key, Method, PrivateKey};
use wxpay_redis::redis::aio::{ConnectionLike, ConnectionManager};
use wxpay_redis::redis::{Client as RedisClient, Cmd, Pipeline, RedisFuture, Value};
use wxpay_redis::RedisStore;
use wxpay_sandbox::{Merchant, NewMerchant, Sandbox};

/// Counts the bytes live in this process.
struct Counting;

static LIVE: AtomicI64 = AtomicI64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as i64, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as i64, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as i64 - layout.size() as i64, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MERCHANTS: usize = 1000;
const APIV3: &str = "0123456789abcdefghijklmnopqrstuv";

/// Merchants as a database would hand them out: PEM text parsed per load.
struct Table {
    key_pem: String,
    serial: String,
    public_key: Option<(String, String)>,
}

impl CredentialSource for Table {
    fn load<'a>(
        &'a self,
        mchid: &'a str,
    ) -> BoxFuture<'a, Result<Option<MerchantCredentials>, SourceError>> {
        Box::pin(async move {
            let credentials = MerchantCredentials::new(MerchantCredentialsRequired {
                mchid: mchid.to_owned(),
                merchant_serial: self.serial.clone(),
                private_key: PrivateKey::from_pem(&self.key_pem)?,
                apiv3_key: ApiV3Key::new(APIV3)?,
            });
            Ok(Some(match &self.public_key {
                Some((id, pem)) => {
                    credentials.wechatpay_public_key(id, wxpay_core::PublicKey::from_pem(pem)?)
                }
                None => credentials,
            }))
        })
    }
}

fn mchid(i: usize) -> String {
    (1_900_500_000 + i as u64).to_string()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn registry_bench() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let demo = sandbox.merchant().clone();
    for i in 0..MERCHANTS {
        sandbox.register_merchant(
            Merchant::with_public_key(
                mchid(i),
                demo.serial_no.clone(),
                demo.private_key.public_key().clone(),
                APIV3,
            )
            .unwrap(),
        );
    }
    let key_pem = demo.private_key.to_pkcs8_pem();

    // Memory: public-key mode loads without a request.
    let pk_source = Table {
        key_pem: key_pem.clone(),
        serial: demo.serial_no.clone(),
        public_key: Some((
            sandbox.platform_public_key_id(),
            sandbox.platform_public_key().to_pem(),
        )),
    };
    let registry = MerchantRegistry::builder(pk_source)
        .base_url(sandbox.base_url())
        .build()
        .unwrap();
    registry.client(&mchid(0)).await.unwrap(); // the pool and lazy statics
    let before = LIVE.load(Ordering::Relaxed);
    for i in 1..MERCHANTS {
        registry.client(&mchid(i)).await.unwrap();
    }
    let after = LIVE.load(Ordering::Relaxed);
    let per_merchant = (after - before) as f64 / (MERCHANTS - 1) as f64;
    println!(
        "registry, {MERCHANTS} merchants (public-key mode): {:.0} bytes live per registered merchant ({:.1} MiB in all)",
        per_merchant,
        (after - before) as f64 / (1 << 20) as f64
    );
    drop(registry);

    // First-call latency: certificate mode (load, build, download, first request).
    let cert_source = Table {
        key_pem,
        serial: demo.serial_no.clone(),
        public_key: None,
    };
    let registry = MerchantRegistry::builder(cert_source)
        .base_url(sandbox.base_url())
        .build()
        .unwrap();
    let call = |client: wxpay_core::Client| async move {
        // A real signed round trip; the sandbox answers it (404 ORDER_NOT_EXIST is fine).
        let _ = client
            .request(Method::Get, "v3/pay/transactions/out-trade-no/{no}")
            .path_param("no", "FLEET-BENCH")
            .query_pair("mchid", client.mchid())
            .send::<serde_json::Value>()
            .await;
    };
    let mut first = Vec::with_capacity(MERCHANTS);
    let mut warm = Vec::with_capacity(MERCHANTS);
    for i in 0..MERCHANTS {
        let started = Instant::now();
        let client = registry.client(&mchid(i)).await.unwrap();
        call(client).await;
        first.push(started.elapsed());
        let started = Instant::now();
        let client = registry.client(&mchid(i)).await.unwrap();
        call(client).await;
        warm.push(started.elapsed());
    }
    first.sort();
    warm.sort();
    println!(
        "registry, {MERCHANTS} merchants (certificate mode): first call p50 {:?} p99 {:?}; warm call p50 {:?} p99 {:?}; first/warm p50 {:.1}x",
        percentile(&first, 0.5),
        percentile(&first, 0.99),
        percentile(&warm, 0.5),
        percentile(&warm, 0.99),
        percentile(&first, 0.5).as_secs_f64() / percentile(&warm, 0.5).as_secs_f64()
    );
    sandbox.shutdown().await;
}

/// A Redis connection that counts the round trips made on it.
#[derive(Clone)]
struct Counted {
    inner: ConnectionManager,
    round_trips: Arc<AtomicU64>,
}

impl ConnectionLike for Counted {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        self.inner.req_packed_command(cmd)
    }
    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        self.inner.req_packed_commands(pipeline, offset, count)
    }
    fn get_db(&self) -> i64 {
        self.inner.get_db()
    }
}

const NOTIFICATIONS: usize = 2000;
const IN_FLIGHT: usize = 16;
const MCHID: &str = "1900600001";

/// Handles every delivery, IN_FLIGHT at a time; notifications per second.
async fn handle_all(notifier: &Notifier, deliveries: &[(http::HeaderMap, Vec<u8>)]) -> f64 {
    let started = Instant::now();
    for chunk in deliveries.chunks(IN_FLIGHT) {
        let handled = chunk.iter().map(|(headers, body)| {
            notifier.handle(headers, body, |_: Notification| async {
                Ok::<(), String>(())
            })
        });
        for h in join(handled).await {
            assert!(matches!(h, Handled::Processed), "{h:?}");
        }
    }
    deliveries.len() as f64 / started.elapsed().as_secs_f64()
}

async fn join<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("finished")).collect()
}

async fn callback_bench() {
    let Some(redis) = server::start_or_explain() else {
        return;
    };
    let sandbox = Sandbox::builder()
        .add_merchant(NewMerchant::new(MCHID))
        .start()
        .await
        .unwrap();
    let client = sandbox.client_builder_for(MCHID).unwrap().build().unwrap();
    let key = ApiV3Key::new(&sandbox.merchant_credentials(MCHID).unwrap().apiv3_key).unwrap();
    let deliveries = |n: usize| -> Vec<(http::HeaderMap, Vec<u8>)> {
        (0..n)
            .map(|i| {
                sandbox
                    .notification_for(
                        MCHID,
                        "TRANSACTION.SUCCESS",
                        "transaction",
                        &json!({"out_trade_no": format!("B{i}")}),
                    )
                    .unwrap()
            })
            .collect()
    };
    let round_trips = Arc::new(AtomicU64::new(0));
    let connection = ConnectionManager::new(RedisClient::open(redis.url()).unwrap())
        .await
        .unwrap();
    let redis_store: Arc<dyn NotificationStore> = Arc::new(RedisStore::with_connection(Counted {
        inner: connection,
        round_trips: round_trips.clone(),
    }));
    let memory_store: Arc<dyn NotificationStore> = Arc::new(MemoryNotificationStore::new());
    let on_redis = Notifier::for_client(&client, key.clone()).with_store(redis_store);
    let in_memory = Notifier::for_client(&client, key).with_store(memory_store);
    // Warm up: the scripts are loaded into Redis once.
    handle_all(&on_redis, &deliveries(IN_FLIGHT)).await;
    handle_all(&in_memory, &deliveries(IN_FLIGHT)).await;

    let mut rates: HashMap<&str, Vec<f64>> = HashMap::new();
    let mut trips = Vec::new();
    for _ in 0..3 {
        let batch = deliveries(NOTIFICATIONS);
        rates
            .entry("memory")
            .or_default()
            .push(handle_all(&in_memory, &batch).await);
        let batch = deliveries(NOTIFICATIONS);
        let counted = round_trips.load(Ordering::Relaxed);
        rates
            .entry("redis")
            .or_default()
            .push(handle_all(&on_redis, &batch).await);
        trips.push((round_trips.load(Ordering::Relaxed) - counted) as f64 / NOTIFICATIONS as f64);
    }
    let best = |name: &str| rates[name].iter().cloned().fold(0.0, f64::max);
    println!(
        "callbacks, {NOTIFICATIONS} x 3 rounds, {IN_FLIGHT} in flight: in-memory store {:.0}/s, Redis store {:.0}/s (best of 3); Redis/in-memory {:.2}",
        best("memory"),
        best("redis"),
        best("redis") / best("memory")
    );
    println!("Redis round trips per notification: {trips:?}");
    sandbox.shutdown().await;
}

fn main() {
    // `cargo test --benches` runs bench targets with `--test`: build only.
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(registry_bench());
    runtime.block_on(callback_bench());
}
