//! A fleet, for real: one sandbox (three merchants, each with its own
//! WeChat Pay key: one in certificate mode, one in public-key mode, one a
//! service provider with a sub-merchant), one Redis (started here, installed
//! with apt-get when absent), four `fleet` processes. What it shows, with
//! the figures printed (`--nocapture`):
//!
//! 1. certificate downloads across the fleet per refresh interval: 1 per
//!    merchant in certificate mode;
//! 2. a notification delivered to all four instances at once is handled once;
//! 3. a delivery replayed to another instance is refused;
//! 4. Redis killed and restarted mid-run: every notification is handled,
//!    none twice.

#[path = "../../wxpay-redis/tests/support/server.rs"]
mod server;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use wxpay_sandbox::{KeyMode, NewMerchant, Sandbox};

const DIRECT: &str = "1900400001";
const PUBLIC_KEY: &str = "1900400002";
const PROVIDER: &str = "1900400003";
const SUB: &str = "1900400013";
const INSTANCES: usize = 4;
const REFRESH: Duration = Duration::from_secs(3);

/// One `fleet` process; killed when dropped.
struct Instance {
    child: Child,
    url: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(name: &str, sandbox: &Sandbox, merchants: &Path, redis: &str, handled: &Path) -> Instance {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fleet"))
        .args(["--name", name, "--base-url", sandbox.base_url()])
        .arg("--merchants")
        .arg(merchants)
        .args(["--redis", redis])
        .arg("--handled")
        .arg(handled)
        .args(["--refresh-secs", &REFRESH.as_secs().to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the fleet binary runs");
    let stdout = child.stdout.take().expect("piped");
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("the instance says where it listens");
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_owned();
    Instance { child, url }
}

/// Every handler run of every instance: (mchid, notification id, out_trade_no, instance).
fn runs(dir: &Path) -> Vec<(String, String, String, String)> {
    let mut runs = Vec::new();
    for i in 0..INSTANCES {
        let Ok(text) = std::fs::read_to_string(dir.join(format!("handled-{i}.log"))) else {
            continue;
        };
        for line in text.lines() {
            let parts: Vec<&str> = line.split(' ').collect();
            if let [mchid, id, out_trade_no, instance] = parts[..] {
                runs.push((
                    mchid.into(),
                    id.into(),
                    out_trade_no.into(),
                    instance.into(),
                ));
            }
        }
    }
    runs
}

fn runs_of(dir: &Path, out_trade_no: &str) -> usize {
    runs(dir).iter().filter(|r| r.2 == out_trade_no).count()
}

async fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A Native prepay for `mchid` through instance `via`, notified at `notify_url`.
async fn prepay(http: &reqwest::Client, via: &Instance, mchid: &str, no: &str, notify_url: &str) {
    let (path, body) = if mchid == PROVIDER {
        (
            "v3/pay/partner/transactions/native",
            json!({ "sp_appid": "wxd678efh567hg6787", "sp_mchid": PROVIDER, "sub_mchid": SUB,
                    "description": "fleet", "out_trade_no": no, "notify_url": notify_url,
                    "amount": { "total": 100 } }),
        )
    } else {
        (
            "v3/pay/transactions/native",
            json!({ "appid": "wxd678efh567hg6787", "mchid": mchid, "description": "fleet",
                    "out_trade_no": no, "notify_url": notify_url, "amount": { "total": 100 } }),
        )
    };
    let answer = http
        .post(format!("{}/orders/{mchid}", via.url))
        .json(&json!({ "path": path, "body": body }))
        .send()
        .await
        .unwrap();
    let status = answer.status();
    let text = answer.text().await.unwrap();
    assert!(
        status.is_success(),
        "prepay {no} via {}: {status} {text}",
        via.url
    );
}

fn downloads(sandbox: &Sandbox) -> HashMap<&'static str, u64> {
    [DIRECT, PUBLIC_KEY, PROVIDER]
        .into_iter()
        .map(|m| (m, sandbox.certificate_downloads(m)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_instances_one_redis_one_sandbox() {
    let Some(mut redis) = server::start_or_explain() else {
        return;
    };
    let sandbox = Sandbox::builder()
        .add_merchant(NewMerchant::new(DIRECT))
        .add_merchant(NewMerchant::new(PUBLIC_KEY).key_mode(KeyMode::PublicKey))
        .add_merchant(NewMerchant::new(PROVIDER).sub_merchant(SUB))
        .time_scale(0.01) // WeChat's retries in 150 ms, 150 ms, 300 ms, 1.8 s, 6 s ...
        .start()
        .await
        .unwrap();
    let dir: PathBuf = std::env::temp_dir().join(format!("wxpay-fleet-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    sandbox.write_dir(&dir).unwrap();
    let merchants = dir.join(wxpay_sandbox::MERCHANTS_DIR);
    let fleet: Vec<Instance> = (0..INSTANCES)
        .map(|i| {
            spawn(
                &format!("i{i}"),
                &sandbox,
                &merchants,
                &redis.url(),
                &dir.join(format!("handled-{i}.log")),
            )
        })
        .collect();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let notify_urls: Vec<String> = fleet.iter().map(|i| format!("{}/notify", i.url)).collect();

    // 1. Every instance loads every merchant at once: one download each
    // (certificate mode), none in public-key mode.
    let ready = |fleet: &[Instance]| {
        let calls: Vec<_> = fleet
            .iter()
            .flat_map(|i| [DIRECT, PUBLIC_KEY, PROVIDER].map(|m| format!("{}/ready/{m}", i.url)))
            .map(|url| {
                let http = http.clone();
                tokio::spawn(async move {
                    let answer = http.get(&url).send().await.unwrap();
                    assert!(answer.status().is_success(), "{url}: {}", answer.status());
                })
            })
            .collect();
        async move {
            for call in calls {
                call.await.unwrap();
            }
        }
    };
    ready(&fleet).await;
    let first = downloads(&sandbox);
    println!("certificate downloads, first interval, {INSTANCES} instances: {first:?}");
    assert_eq!(first[DIRECT], 1);
    assert_eq!(first[PROVIDER], 1);
    assert_eq!(first[PUBLIC_KEY], 0, "public-key mode downloads nothing");
    tokio::time::sleep(REFRESH + Duration::from_millis(300)).await;
    ready(&fleet).await;
    ready(&fleet).await;
    let second = downloads(&sandbox);
    println!("certificate downloads after the second interval: {second:?}");
    assert_eq!(second[DIRECT], 2);
    assert_eq!(second[PROVIDER], 2);

    // Each merchant's payment, prepaid through one instance and notified
    // at another's URL, as behind a load balancer; routed by serial.
    for (k, mchid) in [DIRECT, PUBLIC_KEY, PROVIDER].into_iter().enumerate() {
        let no = format!("FLEET-LB{k}");
        prepay(
            &http,
            &fleet[k],
            mchid,
            &no,
            &notify_urls[(k + 1) % INSTANCES],
        )
        .await;
        sandbox.pay_order(mchid, &no).unwrap();
    }
    wait_until(
        "the three payments handled",
        Duration::from_secs(20),
        || {
            ["FLEET-LB0", "FLEET-LB1", "FLEET-LB2"]
                .iter()
                .all(|no| runs_of(&dir, no) == 1)
        },
    )
    .await;
    let provider_run = runs(&dir).into_iter().find(|r| r.2 == "FLEET-LB2").unwrap();
    assert_eq!(
        provider_run.0, PROVIDER,
        "a sub-merchant's payment routes to its provider"
    );

    // 2. One notification delivered to all four instances at once. Its
    // first delivery goes nowhere, so no instance has handled it yet.
    prepay(
        &http,
        &fleet[0],
        DIRECT,
        "FLEET-AT-ONCE",
        "http://127.0.0.1:9/nowhere",
    )
    .await;
    sandbox.pay_order(DIRECT, "FLEET-AT-ONCE").unwrap();
    let id = {
        let mut id = None;
        wait_until("the first delivery", Duration::from_secs(10), || {
            id = sandbox
                .notification_attempts()
                .into_iter()
                .find(|a| a.url.ends_with("/nowhere"))
                .map(|a| a.notification_id);
            id.is_some()
        })
        .await;
        id.unwrap()
    };
    let attempts = sandbox
        .resend_notification_to(&id, &notify_urls)
        .await
        .unwrap();
    let statuses: Vec<Option<u16>> = attempts.iter().map(|a| a.status).collect();
    println!("one notification to {INSTANCES} instances at once: answers {statuses:?}");
    assert_eq!(
        runs_of(&dir, "FLEET-AT-ONCE"),
        1,
        "handled once: {statuses:?}"
    );
    let again = sandbox
        .resend_notification_to(&id, &notify_urls)
        .await
        .unwrap();
    assert!(
        again.iter().all(|a| a.status == Some(204)),
        "then a duplicate everywhere"
    );
    assert_eq!(runs_of(&dir, "FLEET-AT-ONCE"), 1);

    // 3. A delivery replayed to another instance.
    let (headers, body) = sandbox
        .notification_for(
            DIRECT,
            "TRANSACTION.SUCCESS",
            "transaction",
            &json!({"out_trade_no": "REPLAYED"}),
        )
        .unwrap();
    let send = |url: &str| {
        let mut request = http.post(format!("{url}/notify")).body(body.clone());
        for (name, value) in &headers {
            request = request.header(name.as_str(), value.as_bytes());
        }
        request.send()
    };
    let original = send(&fleet[1].url).await.unwrap().status().as_u16();
    let replayed = send(&fleet[2].url).await.unwrap();
    let replayed_status = replayed.status().as_u16();
    let replayed_body = replayed.text().await.unwrap();
    println!("delivery to instance 1: {original}; the same bytes to instance 2: {replayed_status} {replayed_body}");
    assert_eq!(original, 204);
    assert_eq!(replayed_status, 401);
    assert!(replayed_body.contains("replayed"), "{replayed_body}");
    assert_eq!(runs_of(&dir, "REPLAYED"), 1);

    // 4. Redis killed mid-run, payments go on, Redis restarted.
    let failed = |sandbox: &Sandbox| {
        sandbox
            .notification_attempts()
            .into_iter()
            .filter(|a| !a.accepted && !a.url.ends_with("/nowhere"))
            .count()
    };
    let failed_before = failed(&sandbox);
    redis.kill();
    for k in 0..6 {
        let mchid = [DIRECT, PUBLIC_KEY, PROVIDER][k % 3];
        let no = format!("FLEET-DOWN{k}");
        prepay(
            &http,
            &fleet[k % INSTANCES],
            mchid,
            &no,
            &notify_urls[k % INSTANCES],
        )
        .await;
        sandbox.pay_order(mchid, &no).unwrap();
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let refused = failed(&sandbox) - failed_before;
    let handled_while_down = (0..6)
        .map(|k| runs_of(&dir, &format!("FLEET-DOWN{k}")))
        .sum::<usize>();
    println!(
        "Redis down 1.5 s: {refused} deliveries not accepted (FAIL), {handled_while_down} handled"
    );
    assert_eq!(
        handled_while_down, 0,
        "nothing is handled without the claim"
    );
    assert!(refused >= 6);
    redis.restart().unwrap();
    wait_until(
        "the payments made while Redis was down",
        Duration::from_secs(60),
        || (0..6).all(|k| runs_of(&dir, &format!("FLEET-DOWN{k}")) >= 1),
    )
    .await;
    // Let the retries still in flight arrive, then count.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let all = runs(&dir);
    let mut per_payment: HashMap<&str, usize> = HashMap::new();
    for run in &all {
        *per_payment.entry(run.2.as_str()).or_default() += 1;
    }
    let mut by_instance: HashMap<&str, usize> = HashMap::new();
    for run in &all {
        *by_instance.entry(run.3.as_str()).or_default() += 1;
    }
    println!("handler runs per payment: {per_payment:?}; per instance: {by_instance:?}");
    assert!(per_payment.values().all(|n| *n == 1), "{per_payment:?}");
    assert_eq!(per_payment.len(), 3 + 1 + 1 + 6);
    let _ = std::fs::remove_dir_all(&dir);
}
