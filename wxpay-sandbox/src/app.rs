//! The state one running sandbox shares between its connections.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use tokio::task::JoinSet;

use crate::auth::NonceCache;
use crate::clock::Clock;
use crate::fault::{Fault, FaultPlan};
use crate::identity::{Merchant, Platform};
use crate::notify::{AllowedHosts, Outbox};
use crate::store::Store;

pub(crate) struct App {
    /// The platform key signing now; swapped by a rotation.
    pub(crate) platform: RwLock<Arc<Platform>>,
    /// Platform keys rotated out: their certificates are still listed by
    /// `v3/certificates` (as WeChat lists an old certificate until it
    /// expires) and they sign an answer only when the request names them.
    pub(crate) retired: RwLock<Vec<Arc<Platform>>>,
    pub(crate) merchants: RwLock<HashMap<String, Merchant>>,
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
    /// Rotates the platform certificate: a new key signs from now on, the
    /// old certificate stays listed until it expires. Returns the new serial.
    pub(crate) fn rotate_platform_certificate(&self) -> Result<String, crate::SandboxError> {
        let mut slot = self.platform.write().unwrap_or_else(|e| e.into_inner());
        let old = slot.clone();
        if old.certificate.is_none() {
            return Err(crate::SandboxError::Config(
                "the sandbox runs in public-key mode: there is no platform certificate to rotate"
                    .into(),
            ));
        }
        let key = wxpay_core::unstable::generate_private_key()?;
        let now = std::time::SystemTime::now();
        let certificate = crate::certgen::self_signed(
            crate::sandbox::PLATFORM_SUBJECT,
            &key,
            now - crate::sandbox::DEFAULT_VALIDITY.0,
            now + crate::sandbox::DEFAULT_VALIDITY.1,
        )?;
        let serial = certificate.serial().to_owned();
        self.retired
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push(old.clone());
        *slot = Arc::new(Platform {
            key,
            mode: old.mode,
            serial: serial.clone(),
            certificate: Some(certificate),
            public_key_id: old.public_key_id.clone(),
        });
        Ok(serial)
    }

    /// The key an answer is signed with: the one `named` (by the request's
    /// `Wechatpay-Serial`) when the sandbox holds it and its certificate is
    /// valid, else the current one.
    pub(crate) fn signing_platform(&self, named: Option<&str>) -> Arc<Platform> {
        let current = self.platform();
        let Some(named) = named.filter(|n| *n != current.serial) else {
            return current;
        };
        let now = crate::clock::unix_now();
        self.retired
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|p| {
                p.serial == named && p.certificate.as_ref().is_some_and(|c| c.is_valid_at(now))
            })
            .cloned()
            .unwrap_or(current)
    }

    /// The platform key signing now.
    pub(crate) fn platform(&self) -> Arc<Platform> {
        self.platform
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
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

    pub(crate) fn add_merchant(&self, merchant: Merchant) {
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
