//! A merchant transfer bill (商家转账, `transfer-bills`) and its states,
//! apart from HTTP: WAIT_USER_CONFIRM until the user confirms in WeChat,
//! then TRANSFERING → SUCCESS | FAIL; CANCELING → CANCELLED when the
//! merchant cancels before that; FAIL when the user never confirms. The JSON WeChat Pay shows
//! of it in each answer and in `MCHTRANSFER.BILL.FINISHED`. Sources:
//! `wxpay-sandbox/docs/funds.md`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::clock::rfc3339_cst;

/// `state` of a bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum BillState {
    WaitUserConfirm,
    Transfering,
    Success,
    Fail,
    Canceling,
    Cancelled,
}

impl BillState {
    pub(crate) fn wire(self) -> &'static str {
        match self {
            BillState::WaitUserConfirm => "WAIT_USER_CONFIRM",
            BillState::Transfering => "TRANSFERING",
            BillState::Success => "SUCCESS",
            BillState::Fail => "FAIL",
            BillState::Canceling => "CANCELING",
            BillState::Cancelled => "CANCELLED",
        }
    }

    /// SUCCESS, FAIL and CANCELLED end a bill; each is notified.
    pub(crate) fn is_final(self) -> bool {
        matches!(
            self,
            BillState::Success | BillState::Fail | BillState::Cancelled
        )
    }
}

/// `fail_reason` of a bill the user never confirmed (batch transfers' name
/// for a bill closed after the waiting period; unconfirmed for this API).
pub(crate) const NOT_CONFIRMED: &str = "OVERDUE_CLOSE";

/// `fail_reason`s a confirmed transfer may fail with (GO's transferbatch
/// `FailReasonType`, the values the new API's pages list too).
pub(crate) const FAIL_REASONS: [&str; 26] = [
    "ACCOUNT_FROZEN",
    "REAL_NAME_CHECK_FAIL",
    "NAME_NOT_CORRECT",
    "OPENID_INVALID",
    "TRANSFER_QUOTA_EXCEED",
    "DAY_RECEIVED_QUOTA_EXCEED",
    "MONTH_RECEIVED_QUOTA_EXCEED",
    "DAY_RECEIVED_COUNT_EXCEED",
    "PRODUCT_AUTH_CHECK_FAIL",
    "OVERDUE_CLOSE",
    "ID_CARD_NOT_CORRECT",
    "ACCOUNT_NOT_EXIST",
    "TRANSFER_RISK",
    "OTHER_FAIL_REASON_TYPE",
    "REALNAME_ACCOUNT_RECEIVED_QUOTA_EXCEED",
    "RECEIVE_ACCOUNT_NOT_PERMMIT",
    "PAYEE_ACCOUNT_ABNORMAL",
    "PAYER_ACCOUNT_ABNORMAL",
    "TRANSFER_SCENE_UNAVAILABLE",
    "TRANSFER_SCENE_INVALID",
    "TRANSFER_REMARK_SET_FAIL",
    "RECEIVE_ACCOUNT_NOT_CONFIGURE",
    "BLOCK_B2C_USERLIMITAMOUNT_BSRULE_MONTH",
    "BLOCK_B2C_USERLIMITAMOUNT_MONTH",
    "MERCHANT_REJECT",
    "MERCHANT_NOT_CONFIRM",
];

/// One transfer to a user's balance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct TransferBill {
    /// The merchant that signed: `mchid`, or the service provider.
    pub(crate) mchid: String,
    pub(crate) sub_mchid: Option<String>,
    pub(crate) appid: String,
    pub(crate) out_bill_no: String,
    pub(crate) transfer_bill_no: String,
    pub(crate) transfer_scene_id: String,
    pub(crate) openid: String,
    pub(crate) transfer_amount: i64,
    pub(crate) transfer_remark: String,
    pub(crate) notify_url: Option<String>,
    /// What the user confirms with (`wx.requestMerchantTransfer`'s `package`).
    pub(crate) package_info: String,
    pub(crate) state: BillState,
    pub(crate) fail_reason: Option<String>,
    /// The sandbox's switch: a confirmed transfer fails with this reason.
    pub(crate) fails_with: Option<String>,
    pub(crate) created_unix: i64,
    pub(crate) updated_unix: i64,
    /// SHA-256 of the creating body: a repeat must match it.
    pub(crate) digest: String,
}

impl TransferBill {
    /// The payer's ids as answers show them: `mch_id` (direct) or
    /// `mchid` + `sub_mchid` (service provider), as the catalog names them.
    fn ids(&self, v: &mut Map<String, Value>, direct_name: &str) {
        match &self.sub_mchid {
            None => {
                v.insert(direct_name.into(), json!(self.mchid));
            }
            Some(sub) => {
                v.insert("mchid".into(), json!(self.mchid));
                v.insert("sub_mchid".into(), json!(sub));
            }
        }
    }

    /// The answer to the creating request.
    pub(crate) fn created_view(&self) -> Value {
        let mut v = Map::new();
        if let Some(sub) = &self.sub_mchid {
            v.insert("sub_mchid".into(), json!(sub));
        }
        v.insert("out_bill_no".into(), json!(self.out_bill_no));
        v.insert("transfer_bill_no".into(), json!(self.transfer_bill_no));
        v.insert("create_time".into(), json!(rfc3339_cst(self.created_unix)));
        v.insert("state".into(), json!(self.state.wire()));
        if self.state == BillState::WaitUserConfirm {
            v.insert("package_info".into(), json!(self.package_info));
        }
        if let Some(reason) = &self.fail_reason {
            v.insert("fail_reason".into(), json!(reason));
        }
        Value::Object(v)
    }

    /// The query answer (by either number).
    pub(crate) fn query_view(&self) -> Value {
        let mut v = Map::new();
        self.ids(&mut v, "mch_id");
        for (name, value) in [
            ("out_bill_no", json!(self.out_bill_no)),
            ("transfer_bill_no", json!(self.transfer_bill_no)),
            ("appid", json!(self.appid)),
            ("state", json!(self.state.wire())),
            ("transfer_amount", json!(self.transfer_amount)),
            ("transfer_remark", json!(self.transfer_remark)),
            ("openid", json!(self.openid)),
            ("create_time", json!(rfc3339_cst(self.created_unix))),
            ("update_time", json!(rfc3339_cst(self.updated_unix))),
        ] {
            v.insert(name.into(), value);
        }
        if let Some(reason) = &self.fail_reason {
            v.insert("fail_reason".into(), json!(reason));
        }
        Value::Object(v)
    }

    /// The answer to a cancellation.
    pub(crate) fn cancel_view(&self) -> Value {
        let mut v = Map::new();
        if let Some(sub) = &self.sub_mchid {
            v.insert("sub_mchid".into(), json!(sub));
        }
        v.insert("out_bill_no".into(), json!(self.out_bill_no));
        v.insert("transfer_bill_no".into(), json!(self.transfer_bill_no));
        v.insert("state".into(), json!(self.state.wire()));
        v.insert("update_time".into(), json!(rfc3339_cst(self.updated_unix)));
        Value::Object(v)
    }

    /// The decrypted resource of `MCHTRANSFER.BILL.FINISHED`.
    pub(crate) fn notification(&self) -> Value {
        let mut v = Map::new();
        v.insert("out_bill_no".into(), json!(self.out_bill_no));
        v.insert("transfer_bill_no".into(), json!(self.transfer_bill_no));
        v.insert("state".into(), json!(self.state.wire()));
        self.ids(&mut v, "mchid");
        v.insert("transfer_amount".into(), json!(self.transfer_amount));
        v.insert("openid".into(), json!(self.openid));
        if let Some(reason) = &self.fail_reason {
            v.insert("fail_reason".into(), json!(reason));
        }
        v.insert("create_time".into(), json!(rfc3339_cst(self.created_unix)));
        v.insert("update_time".into(), json!(rfc3339_cst(self.updated_unix)));
        Value::Object(v)
    }

    /// What the control API and the console show.
    pub(crate) fn describe(&self) -> Value {
        let mut v = self.query_view();
        v["mchid"] = json!(self.mchid);
        v["sub_mchid"] = json!(self.sub_mchid);
        v["package_info"] = json!(self.package_info);
        v["notify_url"] = json!(self.notify_url);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bill(sub: Option<&str>) -> TransferBill {
        TransferBill {
            mchid: "1900009191".into(),
            sub_mchid: sub.map(str::to_owned),
            appid: "wx1".into(),
            out_bill_no: "B1".into(),
            transfer_bill_no: "1330".into(),
            transfer_scene_id: "1000".into(),
            openid: "o1".into(),
            transfer_amount: 100,
            transfer_remark: "r".into(),
            notify_url: None,
            package_info: "pkg".into(),
            state: BillState::WaitUserConfirm,
            fail_reason: None,
            fails_with: None,
            created_unix: 1000,
            updated_unix: 1000,
            digest: String::new(),
        }
    }

    #[test]
    fn the_package_is_shown_only_while_the_user_can_confirm() {
        let mut b = bill(None);
        assert_eq!(b.created_view()["package_info"], "pkg");
        b.state = BillState::Transfering;
        assert!(b.created_view().get("package_info").is_none());
        assert!(!b.state.is_final() && BillState::Cancelled.is_final());
    }

    #[test]
    fn direct_and_partner_bills_name_their_payers_as_the_catalog_does() {
        assert_eq!(bill(None).query_view()["mch_id"], "1900009191");
        let partner = bill(Some("1900000109")).query_view();
        assert_eq!(
            (partner["mchid"].as_str(), partner["sub_mchid"].as_str()),
            (Some("1900009191"), Some("1900000109"))
        );
        assert_eq!(bill(None).notification()["mchid"], "1900009191");
    }
}
