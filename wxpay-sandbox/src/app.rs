//! The state one running sandbox shares between its connections.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use tokio::task::JoinSet;

use crate::auth::NonceCache;
use crate::clock::Clock;
use crate::fault::{Fault, FaultPlan};
use crate::identity::{DemoMerchant, Merchant, Platform};
use crate::notify::{AllowedHosts, Outbox};
use crate::platform::Platforms;
use crate::store::Store;

pub(crate) struct App {
    /// The platform keys: the sandbox's, and merchants' own (`platform.rs`).
    pub(crate) platforms: Platforms,
    pub(crate) merchants: RwLock<HashMap<String, Merchant>>,
    /// Merchants the sandbox made, with their private keys (`fleet.rs`).
    pub(crate) generated: RwLock<HashMap<String, DemoMerchant>>,
    /// `GET v3/certificates` calls answered, by merchant.
    pub(crate) certificate_downloads: Mutex<HashMap<String, u64>>,
    pub(crate) nonces: Mutex<NonceCache>,
    pub(crate) store: Mutex<Store>,
    pub(crate) faults: Mutex<FaultPlan>,
    pub(crate) settle_after: Duration,
    pub(crate) max_body_bytes: usize,
    pub(crate) limits: Limits,
    /// `http://127.0.0.1:PORT/`, for the URLs the sandbox hands out.
    pub(crate) base_url: String,
    pub(crate) lifecycle: Lifecycle,
    /// The business clock (see `clock.rs`: signatures use the wall clock).
    pub(crate) clock: Clock,
    pub(crate) notify_hosts: AllowedHosts,
    /// Sends notifications.
    pub(crate) http: reqwest::Client,
    pub(crate) outbox: Mutex<Outbox>,
    /// Background work (auto-pay, settling refunds, notification retries),
    /// aborted when the sandbox stops.
    pub(crate) tasks: Mutex<JoinSet<()>>,
}

impl App {
    /// Rotates the platform certificate of `mchid` (its own, or the shared
    /// one): a new key signs from now on, the old certificate stays listed
    /// until it expires. Returns the new serial.
    pub(crate) fn rotate_platform_certificate(
        &self,
        mchid: Option<&str>,
    ) -> Result<String, crate::SandboxError> {
        self.platforms.rotate(mchid)
    }

    /// The key an answer to `mchid` is signed with: the one `named` (by the
    /// request's `Wechatpay-Serial`) when the merchant's keys include it and
    /// its certificate is valid, else the current one.
    pub(crate) fn signing_platform(
        &self,
        mchid: Option<&str>,
        named: Option<&str>,
    ) -> Arc<Platform> {
        self.platforms.signing(mchid, named)
    }

    /// The sandbox's own platform key signing now (the demo merchant's).
    pub(crate) fn platform(&self) -> Arc<Platform> {
        self.platforms.current(None)
    }

    /// What `sandbox.json`, the console and the control API show of a
    /// merchant (no key material): its registration and its platform key.
    pub(crate) fn merchant_summary(&self, merchant: &Merchant) -> serde_json::Value {
        let mut summary = merchant.summary();
        summary["platform_serial"] = self
            .platforms
            .current(Some(&merchant.mchid))
            .serial
            .clone()
            .into();
        summary["own_platform"] = self.platforms.has_own(&merchant.mchid).into();
        summary
    }

    /// Certificate downloads so far, by merchant.
    pub(crate) fn certificate_downloads(&self) -> HashMap<String, u64> {
        relock(self.certificate_downloads.lock()).clone()
    }

    /// Counts a certificate download by `mchid`.
    pub(crate) fn count_certificate_download(&self, mchid: &str) {
        *relock(self.certificate_downloads.lock())
            .entry(mchid.to_owned())
            .or_default() += 1;
    }
}

/// How the payment lifecycle moves on its own.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lifecycle {
    /// Orders are paid this long after prepay, if set.
    pub(crate) auto_pay: Option<Duration>,
    /// Multiplies WeChat's waits (notification retries and answer timeout).
    pub(crate) time_scale: f64,
    /// How long a refund stays PROCESSING before it succeeds; `None`: until
    /// the control API decides.
    pub(crate) refund_after: Option<Duration>,
    /// How long a profit-sharing order stays PROCESSING; `None`: until the
    /// control API settles it.
    pub(crate) profit_sharing_after: Option<Duration>,
    /// How long a confirmed transfer stays TRANSFERING (and a cancelled one
    /// CANCELING); `None`: until the control API decides.
    pub(crate) transfer_after: Option<Duration>,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self {
            auto_pay: None,
            time_scale: 1.0,
            refund_after: Some(Duration::ZERO),
            profit_sharing_after: Some(Duration::ZERO),
            transfer_after: Some(Duration::ZERO),
        }
    }
}

/// Resource bounds of one sandbox (see the `SandboxBuilder` setters).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_connections: usize,
    pub(crate) idle_timeout: Duration,
    pub(crate) max_orders: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: crate::sandbox::DEFAULT_MAX_CONNECTIONS,
            idle_timeout: crate::sandbox::DEFAULT_IDLE_TIMEOUT,
            max_orders: crate::sandbox::DEFAULT_MAX_ORDERS,
        }
    }
}

/// Every critical section below is a handful of map operations that cannot
/// leave the data half-changed, so a poisoned lock is still safe to use; the
/// server keeps serving instead of failing every later request.
fn relock<T>(r: std::sync::LockResult<T>) -> T {
    r.unwrap_or_else(|e| e.into_inner())
}

impl App {
    pub(crate) fn merchant(&self, mchid: &str) -> Option<Merchant> {
        relock(self.merchants.read()).get(mchid).cloned()
    }

    pub(crate) fn all_merchants(&self) -> Vec<Merchant> {
        relock(self.merchants.read()).values().cloned().collect()
    }

    /// Accepts `merchant` (with the platform key of its own it brings, if any).
    pub(crate) fn add_merchant(&self, merchant: Merchant) {
        if let Some(platform) = &merchant.own_platform {
            self.platforms.give_own(&merchant.mchid, platform.clone());
        }
        relock(self.merchants.write()).insert(merchant.mchid.clone(), merchant);
    }

    /// Now by the business clock, in unix seconds.
    pub(crate) fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Sets (or clears) where profit sharing to a merchant is notified;
    /// `None` if there is no such merchant.
    pub(crate) fn set_profit_sharing_notify_url(
        &self,
        mchid: &str,
        url: Option<&str>,
    ) -> Option<Merchant> {
        let mut merchants = relock(self.merchants.write());
        let merchant = merchants.get_mut(mchid)?;
        merchant.profit_sharing_notify_url = url.map(str::to_owned);
        Some(merchant.clone())
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        relock(self.store.lock())
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, FaultPlan> {
        relock(self.faults.lock())
    }

    pub(crate) fn next_fault(&self) -> Option<Fault> {
        self.faults().next()
    }

    pub(crate) fn outbox(&self) -> MutexGuard<'_, Outbox> {
        relock(self.outbox.lock())
    }

    /// Runs `work` in the background until it ends or the sandbox stops.
    pub(crate) fn spawn(&self, work: impl Future<Output = ()> + Send + 'static) {
        let mut tasks = relock(self.tasks.lock());
        // Reap finished tasks so the set stays as small as the live work.
        while tasks.try_join_next().is_some() {}
        tasks.spawn(work);
    }

    /// Stops all background work.
    pub(crate) fn stop_tasks(&self) {
        relock(self.tasks.lock()).abort_all();
    }

    /// A WeChat wait, scaled by the time scale.
    pub(crate) fn scaled(&self, wait: Duration) -> Duration {
        Duration::try_from_secs_f64(wait.as_secs_f64() * self.lifecycle.time_scale).unwrap_or(wait)
    }
}
