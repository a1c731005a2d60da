//! The sandbox's memory: orders created through the seed operations, keyed as
//! WeChat Pay keys them, and how they progress from PROCESSING to SUCCESS.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use wxpay_core::crypto::random_alphanumeric;

use crate::clock::unix_now;
use crate::error::SandboxError;

/// When a created order counts as finished.
///
/// The answer to the creating request always says PROCESSING; from `settle_after`
/// after creation on, every read (query, or a repeated creation) says SUCCESS.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Progress {
    created: Instant,
    created_unix: i64,
    settle_after: Duration,
}

impl Progress {
    pub(crate) fn start(settle_after: Duration) -> Self {
        Self {
            created: Instant::now(),
            created_unix: unix_now(),
            settle_after,
        }
    }

    pub(crate) fn is_settled(&self) -> bool {
        self.created.elapsed() >= self.settle_after
    }

    /// Unix seconds at which the order finished (or will finish).
    pub(crate) fn finish_unix(&self) -> i64 {
        let secs = i64::try_from(self.settle_after.as_secs()).unwrap_or(i64::MAX);
        self.created_unix.saturating_add(secs)
    }

    pub(crate) fn created_unix(&self) -> i64 {
        self.created_unix
    }
}

/// `POST /v3/ecommerce/profitsharing/after-sales-orders`.
#[derive(Debug, Clone)]
pub(crate) struct AfterSalesOrder {
    pub(crate) sub_mchid: String,
    pub(crate) transaction_id: String,
    pub(crate) refund_id: String,
    pub(crate) amount: i64,
    pub(crate) scene: String,
    pub(crate) kind: String,
    /// Creation order, so a query without `transaction_id` finds the latest.
    pub(crate) seq: u64,
    pub(crate) progress: Progress,
}

/// `POST /v3/ecommerce/profitsharing/returnorders`.
#[derive(Debug, Clone)]
pub(crate) struct ReturnOrder {
    pub(crate) sub_mchid: String,
    pub(crate) out_return_no: String,
    pub(crate) return_no: String,
    pub(crate) order_id: String,
    pub(crate) out_order_no: String,
    pub(crate) return_mchid: String,
    pub(crate) amount: i64,
    pub(crate) progress: Progress,
}

/// `POST /v3/ecommerce/refunds/{refund_id}/return-advance`.
#[derive(Debug, Clone)]
pub(crate) struct AdvanceReturn {
    pub(crate) refund_id: String,
    pub(crate) sub_mchid: String,
    pub(crate) advance_return_id: String,
    pub(crate) return_amount: i64,
    pub(crate) progress: Progress,
}

/// (merchant, sub-merchant, key) — ids are only unique within a merchant.
type Key = (String, String, String);

/// Every order, per calling merchant.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub(crate) after_sales: HashMap<Key, AfterSalesOrder>,
    pub(crate) return_orders: HashMap<Key, ReturnOrder>,
    /// Keyed by (merchant, refund_id): a refund has at most one advance return.
    pub(crate) advances: HashMap<(String, String), AdvanceReturn>,
    seq: u64,
}

impl Store {
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }
}

pub(crate) fn key(mchid: &str, sub_mchid: &str, id: &str) -> Key {
    (mchid.to_owned(), sub_mchid.to_owned(), id.to_owned())
}

/// A WeChat-style 28-digit id: a prefix, the date-ish unix seconds, random digits.
pub(crate) fn new_id(prefix: &str) -> Result<String, SandboxError> {
    let digits: String = random_alphanumeric(28)?
        .bytes()
        .map(|b| char::from(b'0' + b % 10))
        .collect();
    let mut id = format!("{prefix}{}{digits}", unix_now());
    id.truncate(28);
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_28_digits() {
        let a = new_id("30").unwrap();
        let b = new_id("30").unwrap();
        assert_eq!(a.len(), 28);
        assert!(a.starts_with("30") && a.bytes().all(|c| c.is_ascii_digit()));
        assert_ne!(a, b);
    }

    #[test]
    fn progress_settles_after_the_delay() {
        assert!(Progress::start(Duration::ZERO).is_settled());
        let slow = Progress::start(Duration::from_secs(3600));
        assert!(!slow.is_settled());
        assert_eq!(slow.finish_unix(), slow.created_unix() + 3600);
    }
}
