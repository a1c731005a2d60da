//! What the sandbox remembers of merchant transfers: bills by the merchant's
//! `out_bill_no` (a service provider's numbers span all its sub-merchants),
//! by WeChat's `transfer_bill_no`, and by the `package_info` the user
//! confirms with.

use std::collections::HashMap;

use super::model::TransferBill;

/// (merchant, `out_bill_no`).
pub(crate) type BillKey = (String, String);

#[derive(Debug, Default)]
pub(crate) struct Book {
    bills: HashMap<BillKey, TransferBill>,
    /// (merchant, `transfer_bill_no`) → `out_bill_no`.
    numbers: HashMap<(String, String), String>,
    /// `package_info` → the bill.
    packages: HashMap<String, BillKey>,
}

impl Book {
    pub(crate) fn bill(&self, mchid: &str, out_bill_no: &str) -> Option<&TransferBill> {
        self.bills.get(&(mchid.to_owned(), out_bill_no.to_owned()))
    }

    pub(crate) fn bill_by_number(
        &self,
        mchid: &str,
        transfer_bill_no: &str,
    ) -> Option<&TransferBill> {
        let out_bill_no = self
            .numbers
            .get(&(mchid.to_owned(), transfer_bill_no.to_owned()))?;
        self.bill(mchid, out_bill_no)
    }

    pub(crate) fn bill_by_package(&self, package_info: &str) -> Option<&TransferBill> {
        self.packages
            .get(package_info)
            .and_then(|key| self.bills.get(key))
    }

    /// Stores a bill, new or changed; `true` if it is new.
    pub(crate) fn put(&mut self, bill: TransferBill) -> bool {
        let key = (bill.mchid.clone(), bill.out_bill_no.clone());
        self.numbers.insert(
            (bill.mchid.clone(), bill.transfer_bill_no.clone()),
            bill.out_bill_no.clone(),
        );
        self.packages.insert(bill.package_info.clone(), key.clone());
        self.bills.insert(key, bill).is_none()
    }

    pub(crate) fn remove(&mut self, key: &BillKey) {
        if let Some(bill) = self.bills.remove(key) {
            self.numbers.remove(&(bill.mchid, bill.transfer_bill_no));
            self.packages.remove(&bill.package_info);
        }
    }

    pub(crate) fn bills(&self) -> impl Iterator<Item = &TransferBill> {
        self.bills.values()
    }
}
