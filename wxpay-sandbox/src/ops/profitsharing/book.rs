//! What the sandbox remembers of profit sharing, keyed as WeChat Pay keys it:
//! receivers per (merchant, sub-merchant), orders and returns by the
//! merchant's own numbers (a service provider's numbers span all its
//! sub-merchants), and what is left to share of each transaction.

use std::collections::HashMap;

use super::model::{Receiver, ReceiverKey, ShareOrder, ShareReturn};

/// (merchant, its number): orders by `out_order_no`, returns by `out_return_no`.
pub(crate) type Numbered = (String, String);

#[derive(Debug, Default)]
pub(crate) struct Book {
    receivers: HashMap<ReceiverKey, Receiver>,
    orders: HashMap<Numbered, ShareOrder>,
    /// (merchant, `order_id`) → `out_order_no`.
    order_ids: HashMap<Numbered, String>,
    returns: HashMap<Numbered, ShareReturn>,
}

impl Book {
    pub(crate) fn receiver(&self, key: &ReceiverKey) -> Option<&Receiver> {
        self.receivers.get(key)
    }

    /// Stores a receiver; `true` if it is new.
    pub(crate) fn put_receiver(&mut self, receiver: Receiver) -> bool {
        self.receivers.insert(receiver.key(), receiver).is_none()
    }

    pub(crate) fn remove_receiver(&mut self, key: &ReceiverKey) -> Option<Receiver> {
        self.receivers.remove(key)
    }

    pub(crate) fn receivers(&self) -> impl Iterator<Item = &Receiver> {
        self.receivers.values()
    }

    pub(crate) fn order(&self, mchid: &str, out_order_no: &str) -> Option<&ShareOrder> {
        self.orders
            .get(&(mchid.to_owned(), out_order_no.to_owned()))
    }

    pub(crate) fn order_by_id(&self, mchid: &str, order_id: &str) -> Option<&ShareOrder> {
        let out_order_no = self
            .order_ids
            .get(&(mchid.to_owned(), order_id.to_owned()))?;
        self.order(mchid, out_order_no)
    }

    /// Stores an order, new or changed; `true` if it is new.
    pub(crate) fn put_order(&mut self, order: ShareOrder) -> bool {
        self.order_ids.insert(
            (order.mchid.clone(), order.order_id.clone()),
            order.out_order_no.clone(),
        );
        let key = (order.mchid.clone(), order.out_order_no.clone());
        self.orders.insert(key, order).is_none()
    }

    pub(crate) fn remove_order(&mut self, key: &Numbered) {
        if let Some(order) = self.orders.remove(key) {
            self.order_ids.remove(&(order.mchid, order.order_id));
        }
    }

    pub(crate) fn orders(&self) -> impl Iterator<Item = &ShareOrder> {
        self.orders.values()
    }

    /// The orders of one transaction of a merchant.
    pub(crate) fn orders_of<'a>(
        &'a self,
        mchid: &'a str,
        transaction_id: &'a str,
    ) -> impl Iterator<Item = &'a ShareOrder> {
        self.orders
            .values()
            .filter(move |o| o.mchid == mchid && o.transaction_id == transaction_id)
    }

    /// Whether the rest of a transaction was unfrozen to the payer (after
    /// which nothing more can be shared).
    pub(crate) fn unfrozen(&self, mchid: &str, transaction_id: &str) -> bool {
        self.orders_of(mchid, transaction_id)
            .flat_map(|o| &o.receivers)
            .any(|s| s.unfreeze && s.counts())
    }

    /// What is left to share of a transaction that brought `available` fen
    /// (paid, less refunded): nothing once unfrozen, else less every share
    /// not closed.
    pub(crate) fn unsplit(&self, mchid: &str, transaction_id: &str, available: i64) -> i64 {
        if self.unfrozen(mchid, transaction_id) {
            return 0;
        }
        let shared: i64 = self
            .orders_of(mchid, transaction_id)
            .flat_map(|o| &o.receivers)
            .filter(|s| s.counts())
            .map(|s| s.amount)
            .sum();
        (available - shared).max(0)
    }

    pub(crate) fn share_return(&self, mchid: &str, out_return_no: &str) -> Option<&ShareReturn> {
        self.returns
            .get(&(mchid.to_owned(), out_return_no.to_owned()))
    }

    /// Stores a return; `true` if it is new.
    pub(crate) fn put_return(&mut self, share_return: ShareReturn) -> bool {
        let key = (
            share_return.mchid.clone(),
            share_return.out_return_no.clone(),
        );
        self.returns.insert(key, share_return).is_none()
    }

    pub(crate) fn remove_return(&mut self, key: &Numbered) {
        self.returns.remove(key);
    }

    pub(crate) fn returns(&self) -> impl Iterator<Item = &ShareReturn> {
        self.returns.values()
    }

    /// The successful returns of one order from one merchant receiver: what
    /// was already taken back, and how many returns the order has had.
    pub(crate) fn returned(&self, mchid: &str, order_id: &str, return_mchid: &str) -> (i64, usize) {
        let of_order = self
            .returns
            .values()
            .filter(|r| r.mchid == mchid && r.order_id == order_id);
        let count = of_order.clone().count();
        let amount = of_order
            .filter(|r| r.return_mchid == return_mchid)
            .filter(|r| r.result == super::model::ReturnResult::Success)
            .map(|r| r.amount)
            .sum();
        (amount, count)
    }
}
