//! `RedisStore` against a real `redis-server` the tests start on 127.0.0.1
//! (installed with apt-get when absent), beside the in-memory stores of
//! `wxpay-core`: one contract for both, then what a fleet sees through the
//! SDK (certificates downloaded once per interval, a notification handled
//! once across instances, Redis killed and restarted mid-run).

#[path = "support/server.rs"]
mod server;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use wxpay_core::notify::{Handled, Notification, Notifier};
use wxpay_core::store::{
    Admission, CertificateStore, Claim, DeliveryKey, MemoryCertificateStore,
    MemoryNotificationStore, NotificationStore,
};
use wxpay_core::{ApiV3Key, Client};
use wxpay_redis::RedisStore;
use wxpay_sandbox::{NewMerchant, Sandbox};

const MCHID: &str = "1900300001";

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The notification contract, whatever keeps the state.
async fn notification_contract(store: &dyn NotificationStore) {
    let lease = Duration::from_secs(30);
    let expires = unix_now() + 300;
    let delivery = DeliveryKey::new("1700000000", "nonce-1", expires);
    assert!(store.admit("m1", delivery).await.unwrap(), "a new delivery");
    assert!(
        !store.admit("m1", delivery).await.unwrap(),
        "the same delivery again"
    );
    assert!(
        store.admit("m2", delivery).await.unwrap(),
        "another merchant's delivery is its own"
    );
    assert_eq!(
        store
            .admit_and_claim("m1", delivery, "N1", "a", lease)
            .await
            .unwrap(),
        Admission::Replayed,
        "a replay claims nothing"
    );
    let second = DeliveryKey::new("1700000001", "nonce-2", expires);
    assert_eq!(
        store
            .admit_and_claim("m1", second, "N1", "a", lease)
            .await
            .unwrap(),
        Admission::Claim(Claim::Claimed)
    );
    assert_eq!(
        store.claim("m1", "N1", "b", lease).await.unwrap(),
        Claim::Busy
    );
    store.release("m1", "N1", "b").await.unwrap(); // not b's: left alone
    assert_eq!(
        store.claim("m1", "N1", "b", lease).await.unwrap(),
        Claim::Busy
    );
    assert!(store.renew("m1", "N1", "a", lease).await.unwrap());
    assert!(!store.renew("m1", "N1", "b", lease).await.unwrap());
    store.release("m1", "N1", "a").await.unwrap();
    assert_eq!(
        store.claim("m1", "N1", "b", lease).await.unwrap(),
        Claim::Claimed
    );
    store.finish("m1", "N1", "b", lease).await.unwrap();
    assert_eq!(
        store.claim("m1", "N1", "c", lease).await.unwrap(),
        Claim::Done
    );
    // The claim of an instance that died expires with its lease.
    let short = Duration::from_millis(200);
    assert_eq!(
        store.claim("m1", "N2", "dead", short).await.unwrap(),
        Claim::Claimed
    );
    assert_eq!(
        store.claim("m1", "N2", "alive", lease).await.unwrap(),
        Claim::Busy
    );
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(
        store.claim("m1", "N2", "alive", lease).await.unwrap(),
        Claim::Claimed
    );
}

async fn certificate_contract(store: &dyn CertificateStore) {
    assert_eq!(store.load("m1").await.unwrap(), None);
    store.save("m1", b"listing-1").await.unwrap();
    assert_eq!(
        store.load("m1").await.unwrap().as_deref(),
        Some(&b"listing-1"[..])
    );
    assert_eq!(store.load("m2").await.unwrap(), None);
    let lease = Duration::from_secs(30);
    let held = store.lock("m1", lease).await.unwrap().expect("a free lock");
    assert!(store.lock("m1", lease).await.unwrap().is_none(), "held");
    assert!(
        store.lock("m2", lease).await.unwrap().is_some(),
        "per merchant"
    );
    let stranger = wxpay_core::store::LockToken::generate().unwrap();
    store.unlock("m1", &stranger).await.unwrap();
    assert!(
        store.lock("m1", lease).await.unwrap().is_none(),
        "still held"
    );
    store.unlock("m1", &held).await.unwrap();
    assert!(store
        .lock("m1", Duration::from_millis(200))
        .await
        .unwrap()
        .is_some());
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert!(
        store.lock("m1", lease).await.unwrap().is_some(),
        "a dead holder's lock expires"
    );
}

#[tokio::test]
async fn one_contract_in_memory_and_on_redis() {
    notification_contract(&MemoryNotificationStore::new()).await;
    certificate_contract(&MemoryCertificateStore::new()).await;
    let Some(redis) = server::start_or_explain() else {
        return;
    };
    let store = RedisStore::open(&redis.url()).unwrap();
    store.ping().await.unwrap();
    notification_contract(&store).await;
    certificate_contract(&store).await;
    // Every key of a merchant carries its hash tag.
    let keys = redis.command("KEYS *").unwrap();
    for line in keys.lines().filter(|l| l.starts_with("wxpay")) {
        assert!(
            line.starts_with("wxpay:{m1}:") || line.starts_with("wxpay:{m2}:"),
            "{line}"
        );
    }
}

async fn sandbox_with_merchant() -> Sandbox {
    Sandbox::builder()
        .add_merchant(NewMerchant::new(MCHID))
        .start()
        .await
        .unwrap()
}

/// A client as one instance of a fleet builds it: certificates managed,
/// shared through `store`.
fn instance(sandbox: &Sandbox, store: Arc<dyn CertificateStore>, interval: Duration) -> Client {
    let merchant = sandbox.merchant_credentials(MCHID).unwrap();
    Client::builder()
        .mchid(MCHID)
        .merchant_serial(merchant.serial_no.clone())
        .private_key(merchant.private_key.clone())
        .base_url(sandbox.base_url())
        .auto_certificates(ApiV3Key::new(&merchant.apiv3_key).unwrap())
        .certificate_refresh_interval(interval)
        .certificate_store(store)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_fleet_downloads_certificates_once_per_interval() {
    let Some(redis) = server::start_or_explain() else {
        return;
    };
    let sandbox = sandbox_with_merchant().await;
    let store: Arc<dyn CertificateStore> = Arc::new(RedisStore::open(&redis.url()).unwrap());
    let interval = Duration::from_secs(2);
    let fleet: Vec<Client> = (0..8)
        .map(|_| instance(&sandbox, store.clone(), interval))
        .collect();
    async fn ready(fleet: &[Client]) {
        for client in fleet {
            client
                .encryptor()
                .await
                .expect("every instance has a key to encrypt with");
        }
    }
    // Eight instances start at once: one downloads, seven read.
    let started: Vec<_> = fleet
        .iter()
        .map(|c| {
            let c = c.clone();
            tokio::spawn(async move { c.encryptor().await.map(drop) })
        })
        .collect();
    for task in started {
        task.await.unwrap().unwrap();
    }
    assert_eq!(sandbox.certificate_downloads(MCHID), 1, "first interval");
    ready(&fleet).await;
    assert_eq!(sandbox.certificate_downloads(MCHID), 1, "still fresh");
    tokio::time::sleep(interval + Duration::from_millis(200)).await;
    ready(&fleet).await;
    assert_eq!(sandbox.certificate_downloads(MCHID), 2, "second interval");
    let expected = sandbox.platform_of(MCHID).unwrap().serial;
    for client in &fleet {
        assert_eq!(client.keyring().serials(), vec![expected.clone()]);
    }
}

/// A notification, and a handler that counts its runs.
struct Deliveries {
    sandbox: Sandbox,
    runs: Arc<AtomicUsize>,
}

impl Deliveries {
    fn notifier(&self, store: Arc<dyn NotificationStore>) -> Notifier {
        let merchant = self.sandbox.merchant_credentials(MCHID).unwrap();
        let client = self
            .sandbox
            .client_builder_for(MCHID)
            .unwrap()
            .build()
            .unwrap();
        Notifier::for_client(&client, ApiV3Key::new(&merchant.apiv3_key).unwrap()).with_store(store)
    }

    async fn handle(&self, notifier: &Notifier, headers: &http::HeaderMap, body: &[u8]) -> Handled {
        let runs = self.runs.clone();
        notifier
            .handle(headers, body, move |n: Notification| async move {
                assert_eq!(n.resource["out_trade_no"], "T1");
                runs.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                Ok::<(), String>(())
            })
            .await
    }
}

#[tokio::test]
async fn a_notification_is_handled_once_across_instances_and_a_replay_is_refused() {
    let Some(redis) = server::start_or_explain() else {
        return;
    };
    let deliveries = Deliveries {
        sandbox: sandbox_with_merchant().await,
        runs: Arc::new(AtomicUsize::new(0)),
    };
    let store: Arc<dyn NotificationStore> = Arc::new(RedisStore::open(&redis.url()).unwrap());
    let instances: Vec<Notifier> = (0..4).map(|_| deliveries.notifier(store.clone())).collect();
    let (headers, body) = deliveries
        .sandbox
        .notification_for(
            MCHID,
            "TRANSACTION.SUCCESS",
            "transaction",
            &json!({"out_trade_no": "T1"}),
        )
        .unwrap();
    // The same notification, signed afresh for each instance (as WeChat's
    // retries are), delivered to all four at once.
    let signed: Vec<_> = instances
        .iter()
        .map(|_| deliveries.sandbox.notification_again(MCHID, &body).unwrap())
        .collect();
    let handled = futures_join(
        instances
            .iter()
            .zip(&signed)
            .map(|(notifier, headers)| deliveries.handle(notifier, headers, &body)),
    )
    .await;
    assert_eq!(deliveries.runs.load(Ordering::SeqCst), 1, "{handled:?}");
    assert_eq!(
        handled
            .iter()
            .filter(|h| matches!(h, Handled::Processed))
            .count(),
        1
    );
    for h in &handled {
        assert!(
            matches!(h, Handled::Processed | Handled::Busy | Handled::Duplicate),
            "{h:?}"
        );
    }
    // A later retry is a duplicate: answered success, not run.
    let retry = deliveries.sandbox.notification_again(MCHID, &body).unwrap();
    let again = deliveries.handle(&instances[2], &retry, &body).await;
    assert!(
        matches!(again, Handled::Duplicate) && again.is_success(),
        "{again:?}"
    );
    // The first delivery's exact bytes, sent to two instances: the second is a replay.
    let first = deliveries.handle(&instances[0], &headers, &body).await;
    assert!(matches!(first, Handled::Duplicate), "{first:?}");
    let replay = deliveries.handle(&instances[3], &headers, &body).await;
    match &replay {
        Handled::Refused(wxpay_core::Error::Verification { reason, .. }) => {
            assert_eq!(*reason, wxpay_core::VerifyError::Replayed)
        }
        other => panic!("expected a refused replay, got {other:?}"),
    }
    assert_eq!(replay.response().status(), 401);
    assert_eq!(deliveries.runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn redis_killed_and_restarted_mid_run_loses_and_duplicates_nothing() {
    let Some(mut redis) = server::start_or_explain() else {
        return;
    };
    let deliveries = Deliveries {
        sandbox: sandbox_with_merchant().await,
        runs: Arc::new(AtomicUsize::new(0)),
    };
    let store = RedisStore::open(&redis.url())
        .unwrap()
        .with_timeout(Duration::from_millis(500));
    let store: Arc<dyn NotificationStore> = Arc::new(store);
    let notifier = deliveries.notifier(store);
    let (_, handled_before) = deliveries
        .sandbox
        .notification_for(
            MCHID,
            "TRANSACTION.SUCCESS",
            "transaction",
            &json!({"out_trade_no": "T1"}),
        )
        .unwrap();
    let headers = deliveries
        .sandbox
        .notification_again(MCHID, &handled_before)
        .unwrap();
    assert!(matches!(
        deliveries
            .handle(&notifier, &headers, &handled_before)
            .await,
        Handled::Processed
    ));

    redis.kill();
    let (headers, during) = deliveries
        .sandbox
        .notification_for(
            MCHID,
            "TRANSACTION.SUCCESS",
            "transaction",
            &json!({"out_trade_no": "T1"}),
        )
        .unwrap();
    let started = std::time::Instant::now();
    let down = deliveries.handle(&notifier, &headers, &during).await;
    assert!(matches!(down, Handled::StoreUnavailable(_)), "{down:?}");
    assert_eq!(down.response().status(), 500, "FAIL: WeChat Pay retries");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "bounded: {:?}",
        started.elapsed()
    );
    assert_eq!(
        deliveries.runs.load(Ordering::SeqCst),
        1,
        "not run while Redis is away"
    );

    redis.restart().unwrap();
    // WeChat's retries after the restart: the one refused is handled now,
    // the one handled before is known done (the append-only file kept it).
    let mut outcome = None;
    for _ in 0..50 {
        let retry = deliveries
            .sandbox
            .notification_again(MCHID, &during)
            .unwrap();
        match deliveries.handle(&notifier, &retry, &during).await {
            Handled::StoreUnavailable(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            other => {
                outcome = Some(other);
                break;
            }
        }
    }
    assert!(matches!(outcome, Some(Handled::Processed)), "{outcome:?}");
    let retry = deliveries
        .sandbox
        .notification_again(MCHID, &handled_before)
        .unwrap();
    let before = deliveries.handle(&notifier, &retry, &handled_before).await;
    assert!(matches!(before, Handled::Duplicate), "{before:?}");
    assert_eq!(
        deliveries.runs.load(Ordering::SeqCst),
        2,
        "each notification once"
    );
}

#[tokio::test]
async fn a_failing_handler_gives_its_claim_up_for_the_retry() {
    let Some(redis) = server::start_or_explain() else {
        return;
    };
    let deliveries = Deliveries {
        sandbox: sandbox_with_merchant().await,
        runs: Arc::new(AtomicUsize::new(0)),
    };
    let store: Arc<dyn NotificationStore> = Arc::new(RedisStore::open(&redis.url()).unwrap());
    let notifier = deliveries.notifier(store);
    let (headers, body) = deliveries
        .sandbox
        .notification_for(
            MCHID,
            "TRANSACTION.SUCCESS",
            "transaction",
            &json!({"out_trade_no": "T1"}),
        )
        .unwrap();
    let failed = notifier
        .handle(&headers, &body, |_: Notification| async {
            Err("the database is down")
        })
        .await;
    assert!(matches!(&failed, Handled::HandlerFailed(m) if m == "the database is down"));
    assert_eq!(failed.response().status(), 500);
    assert!(!String::from_utf8_lossy(failed.response().body()).contains("database"));
    let retry = deliveries.sandbox.notification_again(MCHID, &body).unwrap();
    assert!(matches!(
        deliveries.handle(&notifier, &retry, &body).await,
        Handled::Processed
    ));
}

/// Runs the futures concurrently on this task and collects their outputs in order.
async fn futures_join<F: std::future::Future>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
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
    outputs
        .into_iter()
        .map(|o| o.expect("every future finished"))
        .collect()
}
