//! The sandbox's memory, bounded: payment orders and refunds (the lifecycle),
//! profit sharing and merchant transfers (their books), orders created
//! through the seed operations, keyed as WeChat Pay keys them, and how seed
//! orders progress from PROCESSING to SUCCESS. Every record of every kind
//! counts against one bound, and what the database keeps is written through.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::clock::unix_now;
use crate::error::SandboxError;
use crate::ledger::{Order, Refund};
use crate::ops::profitsharing::{self, Receiver, ReceiverKey, ShareOrder, ShareReturn};
use crate::ops::transfer::{self, TransferBill};

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
    Advance((String, String)),
    Order(Pair),
    Refund(Pair),
    Receiver(ReceiverKey),
    ShareOrder(Pair),
    ShareReturn(Pair),
    TransferBill(Pair),
}

/// (merchant, id): payment orders by `out_trade_no`, refunds by `out_refund_no`.
pub(crate) type Pair = (String, String);

/// A bill built for a `download_url`, kept until its token expires.
#[derive(Debug, Clone)]
pub(crate) struct Bill {
    pub(crate) mchid: String,
    pub(crate) content: bytes::Bytes,
    pub(crate) gzip: bool,
    pub(crate) expires_unix: i64,
}

/// Bills kept for download at once; each is built on request, so a few suffice.
const MAX_BILLS: usize = 16;

/// Every order, per calling merchant, at most `max_orders` of them: past
/// that the oldest entries are forgotten first.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) after_sales: HashMap<Key, AfterSalesOrder>,
    /// Keyed by (merchant, refund_id): a refund has at most one advance return.
    pub(crate) advances: HashMap<(String, String), AdvanceReturn>,
    orders: HashMap<Pair, Order>,
    /// `prepay_id` and `code_url` token to the order.
    tokens: HashMap<String, Pair>,
    /// (merchant, `transaction_id`) to the order.
    transactions: HashMap<Pair, Pair>,
    refunds: HashMap<Pair, Refund>,
    /// Profit sharing: receivers, orders, returns.
    pub(crate) profit_sharing: profitsharing::Book,
    /// Merchant transfer bills.
    pub(crate) transfers: transfer::Book,
    bills: VecDeque<(String, Bill)>,
    /// Every entry once, oldest first.
    ages: VecDeque<Slot>,
    max_orders: usize,
    seq: u64,
    /// Where orders, refunds, profit sharing and transfers are written
    /// through, if anywhere.
    #[cfg(feature = "sqlite")]
    db: Option<crate::persist::Db>,
}

impl Store {
    pub(crate) fn new(max_orders: usize) -> Self {
        Self {
            after_sales: HashMap::new(),
            advances: HashMap::new(),
            orders: HashMap::new(),
            tokens: HashMap::new(),
            transactions: HashMap::new(),
            refunds: HashMap::new(),
            profit_sharing: profitsharing::Book::default(),
            transfers: transfer::Book::default(),
            bills: VecDeque::new(),
            ages: VecDeque::new(),
            max_orders: max_orders.max(1),
            seq: 0,
            #[cfg(feature = "sqlite")]
            db: None,
        }
    }

    /// A store backed by the SQLite database at `path`: what it holds is
    /// loaded (oldest first, so the bound keeps the newest), and every later
    /// change is written through.
    #[cfg(feature = "sqlite")]
    pub(crate) fn with_database(
        max_orders: usize,
        path: &std::path::Path,
    ) -> Result<Self, SandboxError> {
        let db = crate::persist::Db::open(path)?;
        let loaded = db.load()?;
        let mut store = Self::new(max_orders);
        store.db = Some(db);
        for order in loaded.orders {
            store.put_order(order);
        }
        for refund in loaded.refunds {
            store.put_refund(refund);
        }
        for receiver in loaded.receivers {
            store.put_receiver(receiver);
        }
        for order in loaded.share_orders {
            store.put_share_order(order);
        }
        for share_return in loaded.share_returns {
            store.put_share_return(share_return);
        }
        for bill in loaded.transfer_bills {
            store.put_transfer(bill);
        }
        Ok(store)
    }

    /// Writes a changed record through to the database, if there is one. A
    /// failed write is reported on stderr (if anyone reads it: a closed
    /// stderr is no reason to stop) and the sandbox keeps serving from
    /// memory.
    #[cfg(feature = "sqlite")]
    fn persist(&self, kind: crate::persist::Kind, key: &Pair, body: &impl serde::Serialize) {
        if let Some(db) = &self.db {
            if let Err(e) = db.save(kind, &key.0, &key.1, body) {
                report(format_args!("cannot save {} to the database: {e}", key.1));
            }
        }
    }

    #[cfg(feature = "sqlite")]
    fn unpersist(&self, kind: crate::persist::Kind, key: &Pair) {
        if let Some(db) = &self.db {
            if let Err(e) = db.delete(kind, &key.0, &key.1) {
                report(format_args!(
                    "cannot delete {} from the database: {e}",
                    key.1
                ));
            }
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

    pub(crate) fn insert_advance(&mut self, key: (String, String), advance: AdvanceReturn) {
        if self.advances.insert(key.clone(), advance).is_none() {
            self.admit(Slot::Advance(key));
        }
    }

    pub(crate) fn order(&self, mchid: &str, out_trade_no: &str) -> Option<&Order> {
        self.orders
            .get(&(mchid.to_owned(), out_trade_no.to_owned()))
    }

    /// The order of a `prepay_id` or of a `code_url`'s `pr=` token.
    pub(crate) fn order_by_token(&self, token: &str) -> Option<&Order> {
        self.tokens.get(token).and_then(|k| self.orders.get(k))
    }

    pub(crate) fn order_by_transaction(&self, mchid: &str, transaction_id: &str) -> Option<&Order> {
        self.transactions
            .get(&(mchid.to_owned(), transaction_id.to_owned()))
            .and_then(|k| self.orders.get(k))
    }

    /// Stores an order, new or changed.
    pub(crate) fn put_order(&mut self, order: Order) {
        let key = (order.mchid.clone(), order.out_trade_no.clone());
        self.tokens.insert(order.prepay_id.clone(), key.clone());
        self.tokens.insert(order.code_token.clone(), key.clone());
        if let Some(id) = &order.transaction_id {
            self.transactions
                .insert((order.mchid.clone(), id.clone()), key.clone());
        }
        #[cfg(feature = "sqlite")]
        self.persist(crate::persist::Kind::Order, &key, &order);
        if self.orders.insert(key.clone(), order).is_none() {
            self.admit(Slot::Order(key));
        }
    }

    pub(crate) fn refund(&self, mchid: &str, out_refund_no: &str) -> Option<&Refund> {
        self.refunds
            .get(&(mchid.to_owned(), out_refund_no.to_owned()))
    }

    /// Stores a refund, new or changed.
    pub(crate) fn put_refund(&mut self, refund: Refund) {
        let key = (refund.mchid.clone(), refund.out_refund_no.clone());
        #[cfg(feature = "sqlite")]
        self.persist(crate::persist::Kind::Refund, &key, &refund);
        if self.refunds.insert(key.clone(), refund).is_none() {
            self.admit(Slot::Refund(key));
        }
    }

    /// Stores a profit-sharing receiver, new or changed.
    pub(crate) fn put_receiver(&mut self, receiver: Receiver) {
        let key = receiver.key();
        #[cfg(feature = "sqlite")]
        self.persist(
            crate::persist::Kind::Receiver,
            &(key.0.clone(), receiver_id(&key)),
            &receiver,
        );
        if self.profit_sharing.put_receiver(receiver) {
            self.admit(Slot::Receiver(key));
        }
    }

    /// Forgets a receiver (`receivers/delete`); it stays in the age list,
    /// where it is skipped.
    pub(crate) fn remove_receiver(&mut self, key: &ReceiverKey) -> Option<Receiver> {
        #[cfg(feature = "sqlite")]
        self.unpersist(
            crate::persist::Kind::Receiver,
            &(key.0.clone(), receiver_id(key)),
        );
        self.profit_sharing.remove_receiver(key)
    }

    /// Stores a profit-sharing order, new or changed.
    pub(crate) fn put_share_order(&mut self, order: ShareOrder) {
        let key = (order.mchid.clone(), order.out_order_no.clone());
        #[cfg(feature = "sqlite")]
        self.persist(crate::persist::Kind::ShareOrder, &key, &order);
        if self.profit_sharing.put_order(order) {
            self.admit(Slot::ShareOrder(key));
        }
    }

    /// Stores a profit-sharing return, new or changed.
    pub(crate) fn put_share_return(&mut self, share_return: ShareReturn) {
        let key = (
            share_return.mchid.clone(),
            share_return.out_return_no.clone(),
        );
        #[cfg(feature = "sqlite")]
        self.persist(crate::persist::Kind::ShareReturn, &key, &share_return);
        if self.profit_sharing.put_return(share_return) {
            self.admit(Slot::ShareReturn(key));
        }
    }

    /// Stores a transfer bill, new or changed.
    pub(crate) fn put_transfer(&mut self, bill: TransferBill) {
        let key = (bill.mchid.clone(), bill.out_bill_no.clone());
        #[cfg(feature = "sqlite")]
        self.persist(crate::persist::Kind::TransferBill, &key, &bill);
        if self.transfers.put(bill) {
            self.admit(Slot::TransferBill(key));
        }
    }

    /// Every order and refund of a merchant (for bills), in no order.
    pub(crate) fn ledger_of<'a>(
        &'a self,
        mchid: &'a str,
    ) -> (
        impl Iterator<Item = &'a Order>,
        impl Iterator<Item = &'a Refund>,
    ) {
        (
            self.orders.values().filter(move |o| o.mchid == mchid),
            self.refunds.values().filter(move |r| r.mchid == mchid),
        )
    }

    /// Every order and every refund, of every merchant (for the console).
    pub(crate) fn everything(&self) -> (Vec<&Order>, Vec<&Refund>) {
        (
            self.orders.values().collect(),
            self.refunds.values().collect(),
        )
    }

    /// Every refund of one order.
    pub(crate) fn refunds_of<'a>(&'a self, order: &'a Order) -> impl Iterator<Item = &'a Refund> {
        self.refunds
            .values()
            .filter(move |r| r.mchid == order.mchid && r.out_trade_no == order.out_trade_no)
    }

    /// Keeps a bill for download under `token`; the oldest go past [`MAX_BILLS`].
    pub(crate) fn put_bill(&mut self, token: String, bill: Bill) {
        self.bills.push_back((token, bill));
        while self.bills.len() > MAX_BILLS {
            self.bills.pop_front();
        }
    }

    /// The bill of a token, if it is the caller's and has not expired.
    pub(crate) fn bill(&self, token: &str, mchid: &str, now: i64) -> Option<&Bill> {
        self.bills
            .iter()
            .find(|(t, b)| t == token && b.mchid == mchid && b.expires_unix > now)
            .map(|(_, b)| b)
    }

    /// Records a new entry and forgets the oldest ones past the bound.
    fn admit(&mut self, slot: Slot) {
        self.ages.push_back(slot);
        while self.ages.len() > self.max_orders {
            match self.ages.pop_front() {
                Some(Slot::AfterSales(k)) => {
                    self.after_sales.remove(&k);
                }
                Some(Slot::Advance(k)) => {
                    self.advances.remove(&k);
                }
                Some(Slot::Order(k)) => {
                    #[cfg(feature = "sqlite")]
                    self.unpersist(crate::persist::Kind::Order, &k);
                    if let Some(order) = self.orders.remove(&k) {
                        self.tokens.remove(&order.prepay_id);
                        self.tokens.remove(&order.code_token);
                        if let Some(id) = order.transaction_id {
                            self.transactions.remove(&(order.mchid, id));
                        }
                    }
                }
                Some(Slot::Refund(k)) => {
                    #[cfg(feature = "sqlite")]
                    self.unpersist(crate::persist::Kind::Refund, &k);
                    self.refunds.remove(&k);
                }
                Some(Slot::Receiver(k)) => {
                    self.remove_receiver(&k);
                }
                Some(Slot::ShareOrder(k)) => {
                    #[cfg(feature = "sqlite")]
                    self.unpersist(crate::persist::Kind::ShareOrder, &k);
                    self.profit_sharing.remove_order(&k);
                }
                Some(Slot::ShareReturn(k)) => {
                    #[cfg(feature = "sqlite")]
                    self.unpersist(crate::persist::Kind::ShareReturn, &k);
                    self.profit_sharing.remove_return(&k);
                }
                Some(Slot::TransferBill(k)) => {
                    #[cfg(feature = "sqlite")]
                    self.unpersist(crate::persist::Kind::TransferBill, &k);
                    self.transfers.remove(&k);
                }
                None => break,
            }
        }
    }

    /// How many entries are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.after_sales.len() + self.advances.len() + self.orders.len() + self.refunds.len()
    }
}

/// A receiver's id within its merchant, for the database.
#[cfg(feature = "sqlite")]
fn receiver_id(key: &ReceiverKey) -> String {
    format!("{}|{}|{}", key.1, key.2, key.3)
}

pub(crate) fn key(mchid: &str, sub_mchid: &str, id: &str) -> Key {
    (mchid.to_owned(), sub_mchid.to_owned(), id.to_owned())
}

/// A WeChat-style 28-digit id: a prefix, the date-ish unix seconds, random digits.
pub(crate) fn new_id(prefix: &str) -> Result<String, SandboxError> {
    let mut id = format!("{prefix}{}{}", unix_now(), crate::random::digits(28)?);
    id.truncate(28);
    Ok(id)
}

/// A database failure on stderr, never a panic when stderr is closed
/// (`eprintln!` panics then).
#[cfg(feature = "sqlite")]
fn report(what: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "wxpay-sandbox: {what}");
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
