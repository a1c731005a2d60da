//! The sandbox's memory: orders created through the seed operations, keyed as
//! WeChat Pay keys them, and how they progress from PROCESSING to SUCCESS.

use std::collections::{HashMap, VecDeque};
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

/// Which map an entry lives in, and its key there: the store's age list.
#[derive(Debug, Clone)]
pub(crate) enum Slot {
    AfterSales(Key),
    ReturnOrder(Key),
    Advance((String, String)),
}

/// Every order, per calling merchant, at most `max_orders` of them: past
/// that the oldest entries are forgotten first.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) after_sales: HashMap<Key, AfterSalesOrder>,
    pub(crate) return_orders: HashMap<Key, ReturnOrder>,
    /// Keyed by (merchant, refund_id): a refund has at most one advance return.
    pub(crate) advances: HashMap<(String, String), AdvanceReturn>,
    /// Every entry once, oldest first.
    ages: VecDeque<Slot>,
    max_orders: usize,
    seq: u64,
}

impl Store {
    pub(crate) fn new(max_orders: usize) -> Self {
        Self {
            after_sales: HashMap::new(),
            return_orders: HashMap::new(),
            advances: HashMap::new(),
            ages: VecDeque::new(),
            max_orders: max_orders.max(1),
            seq: 0,
        }
    }

    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub(crate) fn insert_after_sales(&mut self, key: Key, order: AfterSalesOrder) {
        if self.after_sales.insert(key.clone(), order).is_none() {
            self.admit(Slot::AfterSales(key));
        }
    }

    pub(crate) fn insert_return_order(&mut self, key: Key, order: ReturnOrder) {
        if self.return_orders.insert(key.clone(), order).is_none() {
            self.admit(Slot::ReturnOrder(key));
        }
    }

    pub(crate) fn insert_advance(&mut self, key: (String, String), advance: AdvanceReturn) {
        if self.advances.insert(key.clone(), advance).is_none() {
            self.admit(Slot::Advance(key));
        }
    }

    /// Records a new entry and forgets the oldest ones past the bound.
    fn admit(&mut self, slot: Slot) {
        self.ages.push_back(slot);
        while self.ages.len() > self.max_orders {
            match self.ages.pop_front() {
                Some(Slot::AfterSales(k)) => {
                    self.after_sales.remove(&k);
                }
                Some(Slot::ReturnOrder(k)) => {
                    self.return_orders.remove(&k);
                }
                Some(Slot::Advance(k)) => {
                    self.advances.remove(&k);
                }
                None => break,
            }
        }
    }

    /// How many entries are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.after_sales.len() + self.return_orders.len() + self.advances.len()
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
    fn the_store_forgets_the_oldest_past_its_bound() {
        let mut store = Store::new(2);
        for n in 0..5 {
            let advance = AdvanceReturn {
                refund_id: format!("R{n}"),
                sub_mchid: "1".into(),
                advance_return_id: "A".into(),
                return_amount: 1,
                progress: Progress::start(Duration::ZERO),
            };
            store.insert_advance(("m".into(), format!("R{n}")), advance);
        }
        assert_eq!(store.len(), 2);
        assert!(store.advances.contains_key(&("m".into(), "R4".into())));
        assert!(!store.advances.contains_key(&("m".into(), "R2".into())));
    }

    #[test]
    fn progress_settles_after_the_delay() {
        assert!(Progress::start(Duration::ZERO).is_settled());
        let slow = Progress::start(Duration::from_secs(3600));
        assert!(!slow.is_settled());
        assert_eq!(slow.finish_unix(), slow.created_unix() + 3600);
    }
}
