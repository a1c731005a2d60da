//! The state one running sandbox shares between its connections.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, RwLock};
use std::time::Duration;

use crate::auth::NonceCache;
use crate::fault::{Fault, FaultPlan};
use crate::identity::{Merchant, Platform};
use crate::store::Store;

pub(crate) struct App {
    pub(crate) platform: Platform,
    pub(crate) merchants: RwLock<HashMap<String, Merchant>>,
    pub(crate) nonces: Mutex<NonceCache>,
    pub(crate) store: Mutex<Store>,
    pub(crate) faults: Mutex<FaultPlan>,
    pub(crate) settle_after: Duration,
    pub(crate) max_body_bytes: usize,
    pub(crate) limits: Limits,
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

    pub(crate) fn add_merchant(&self, merchant: Merchant) {
        relock(self.merchants.write()).insert(merchant.mchid.clone(), merchant);
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
}
