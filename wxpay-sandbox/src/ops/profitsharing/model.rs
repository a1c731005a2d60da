//! Profit sharing's records and their states, apart from HTTP: receivers,
//! orders (PROCESSING → FINISHED, each receiver PENDING → SUCCESS | CLOSED),
//! returns (synchronous: SUCCESS | FAILED), and the JSON WeChat Pay shows of
//! each, in each family's words. States, fail reasons and shapes: `wxpay-sandbox/docs/funds.md`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::clock::rfc3339_cst;

/// `type` of a receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum ReceiverType {
    MerchantId,
    PersonalOpenid,
    PersonalSubOpenid,
}

impl ReceiverType {
    pub(crate) const ALL: [&'static str; 3] =
        ["MERCHANT_ID", "PERSONAL_OPENID", "PERSONAL_SUB_OPENID"];

    pub(crate) fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "MERCHANT_ID" => ReceiverType::MerchantId,
            "PERSONAL_OPENID" => ReceiverType::PersonalOpenid,
            "PERSONAL_SUB_OPENID" => ReceiverType::PersonalSubOpenid,
            _ => return None,
        })
    }

    pub(crate) fn wire(self) -> &'static str {
        match self {
            ReceiverType::MerchantId => "MERCHANT_ID",
            ReceiverType::PersonalOpenid => "PERSONAL_OPENID",
            ReceiverType::PersonalSubOpenid => "PERSONAL_SUB_OPENID",
        }
    }
}

/// Why a receiver's share closes (`fail_reason`, GO `DetailFailReason`
/// plus the OAS' later additions).
pub(crate) const FAIL_REASONS: [&str; 8] = [
    "ACCOUNT_ABNORMAL",
    "NO_RELATION",
    "RECEIVER_HIGH_RISK",
    "RECEIVER_REAL_NAME_NOT_VERIFIED",
    "NO_AUTH",
    "RECEIVER_RECEIPT_LIMIT",
    "PAYER_ACCOUNT_ABNORMAL",
    "INVALID_REQUEST",
];

/// A receiver added by `receivers/add`, per (merchant, sub-merchant).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Receiver {
    pub(crate) mchid: String,
    pub(crate) sub_mchid: Option<String>,
    pub(crate) kind: ReceiverType,
    pub(crate) account: String,
    /// The name as sent (decrypted); answered encrypted for the merchant.
    pub(crate) name: Option<String>,
    pub(crate) relation_type: String,
    pub(crate) custom_relation: Option<String>,
    /// The sandbox's switch: shares to this receiver close with this reason.
    pub(crate) fail_reason: Option<String>,
}

impl Receiver {
    /// What identifies it within its merchant.
    pub(crate) fn key(&self) -> ReceiverKey {
        (
            self.mchid.clone(),
            self.sub_mchid.clone().unwrap_or_default(),
            self.kind.wire().to_owned(),
            self.account.clone(),
        )
    }

    /// What the control API and the console show (no name: personal data).
    pub(crate) fn describe(&self) -> Value {
        json!({
            "mchid": self.mchid,
            "sub_mchid": self.sub_mchid,
            "type": self.kind.wire(),
            "account": self.account,
            "relation_type": self.relation_type,
            "custom_relation": self.custom_relation,
            "fail_reason": self.fail_reason,
        })
    }
}

/// (merchant, sub-merchant or "", type, account).
pub(crate) type ReceiverKey = (String, String, String, String);

/// `state` of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum OrderState {
    Processing,
    Finished,
}

/// `result` of one receiver's share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum ShareResult {
    Pending,
    Success,
    Closed,
}

impl ShareResult {
    fn wire(self) -> &'static str {
        match self {
            ShareResult::Pending => "PENDING",
            ShareResult::Success => "SUCCESS",
            ShareResult::Closed => "CLOSED",
        }
    }
}

/// What WeChat writes as the description of the rest unfrozen to the payer.
pub(crate) const UNFREEZE_DESCRIPTION: &str = "解冻给分账方";

/// One receiver's part of an order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Share {
    pub(crate) kind: ReceiverType,
    pub(crate) account: String,
    pub(crate) amount: i64,
    pub(crate) description: String,
    pub(crate) result: ShareResult,
    pub(crate) fail_reason: Option<String>,
    pub(crate) detail_id: String,
    /// The rest of the transaction, unfrozen to the payer (not a share to
    /// a receiver: never notified).
    pub(crate) unfreeze: bool,
    /// How it will end: `None` succeeds, a reason closes it.
    pub(crate) closes_with: Option<String>,
}

impl Share {
    /// Whether its money has left (or is leaving) the transaction.
    pub(crate) fn counts(&self) -> bool {
        self.result != ShareResult::Closed
    }
}

/// A profit-sharing order (`orders`, or `orders/unfreeze`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ShareOrder {
    /// The merchant that signed: `mchid`, or the service provider.
    pub(crate) mchid: String,
    pub(crate) sub_mchid: Option<String>,
    pub(crate) transaction_id: String,
    pub(crate) out_order_no: String,
    pub(crate) order_id: String,
    pub(crate) state: OrderState,
    pub(crate) receivers: Vec<Share>,
    pub(crate) created_unix: i64,
    pub(crate) finished_unix: Option<i64>,
}

impl ShareOrder {
    /// PENDING shares end as they were set to; the order finishes.
    pub(crate) fn settle(&mut self, now: i64) {
        for share in &mut self.receivers {
            if share.result == ShareResult::Pending {
                match share.closes_with.take() {
                    Some(reason) => {
                        share.result = ShareResult::Closed;
                        share.fail_reason = Some(reason);
                    }
                    None => share.result = ShareResult::Success,
                }
            }
        }
        self.state = OrderState::Finished;
        self.finished_unix = Some(now);
    }

    /// What every family shows of one share: amount, description, type,
    /// result, detail id, finish time and, when CLOSED, the reason.
    fn share_fields(&self, share: &Share) -> Map<String, Value> {
        let finished = self.finished_unix.unwrap_or(self.created_unix);
        let mut v = Map::new();
        v.insert("amount".into(), json!(share.amount));
        v.insert("description".into(), json!(share.description));
        v.insert("type".into(), json!(share.kind.wire()));
        v.insert("result".into(), json!(share.result.wire()));
        v.insert("detail_id".into(), json!(share.detail_id));
        // The catalog makes it required: while PENDING it carries the
        // creation time, as the e-commerce seeds did.
        v.insert("finish_time".into(), json!(rfc3339_cst(finished)));
        if let Some(reason) = &share.fail_reason {
            v.insert("fail_reason".into(), json!(reason));
        }
        v
    }

    fn state_wire(&self) -> &'static str {
        match self.state {
            OrderState::Processing => "PROCESSING",
            OrderState::Finished => "FINISHED",
        }
    }

    /// The order's numbers: `sub_mchid` (partner), `transaction_id`,
    /// `out_order_no`, `order_id` (the e-commerce finish-order answer).
    pub(crate) fn ids(&self) -> Map<String, Value> {
        let mut v = Map::new();
        if let Some(sub) = &self.sub_mchid {
            v.insert("sub_mchid".into(), json!(sub));
        }
        v.insert("transaction_id".into(), json!(self.transaction_id));
        v.insert("out_order_no".into(), json!(self.out_order_no));
        v.insert("order_id".into(), json!(self.order_id));
        v
    }

    /// The create, unfreeze and query answer of `v3/profitsharing/...`.
    pub(crate) fn view(&self) -> Value {
        let receivers: Vec<Value> = self
            .receivers
            .iter()
            .map(|share| {
                let mut v = self.share_fields(share);
                v.insert("account".into(), json!(share.account));
                v.insert("create_time".into(), json!(rfc3339_cst(self.created_unix)));
                Value::Object(v)
            })
            .collect();
        let mut v = self.ids();
        v.insert("state".into(), json!(self.state_wire()));
        v.insert("receivers".into(), Value::Array(receivers));
        Value::Object(v)
    }

    /// The create and query answer of the e-commerce platform
    /// (`v3/ecommerce/profitsharing/orders`): `status`, each receiver's
    /// `receiver_account` (and `receiver_mchid` for a merchant). The rest
    /// unfrozen to the second-level merchant is not a receiver there: it
    /// shows as `finish_amount` and `finish_description`, and an order that
    /// only unfroze (finish-order) lists no receivers.
    pub(crate) fn ecommerce_view(&self) -> Value {
        let receivers: Vec<Value> = self
            .receivers
            .iter()
            .filter(|share| !share.unfreeze)
            .map(|share| {
                let mut v = self.share_fields(share);
                v.insert("receiver_account".into(), json!(share.account));
                if share.kind == ReceiverType::MerchantId {
                    v.insert("receiver_mchid".into(), json!(share.account));
                }
                Value::Object(v)
            })
            .collect();
        let mut v = self.ids();
        v.insert("status".into(), json!(self.state_wire()));
        if !receivers.is_empty() {
            v.insert("receivers".into(), Value::Array(receivers));
        }
        if let Some(rest) = self.receivers.iter().find(|share| share.unfreeze) {
            v.insert("finish_amount".into(), json!(rest.amount));
            v.insert("finish_description".into(), json!(rest.description));
        }
        Value::Object(v)
    }
}

/// `result` of a return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum ReturnResult {
    Success,
    Failed,
}

/// A return (分账回退) of money shared to a merchant receiver.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ShareReturn {
    pub(crate) mchid: String,
    pub(crate) sub_mchid: Option<String>,
    pub(crate) transaction_id: String,
    pub(crate) order_id: String,
    pub(crate) out_order_no: String,
    pub(crate) out_return_no: String,
    pub(crate) return_id: String,
    pub(crate) return_mchid: String,
    pub(crate) amount: i64,
    pub(crate) description: String,
    pub(crate) result: ReturnResult,
    pub(crate) fail_reason: Option<String>,
    pub(crate) created_unix: i64,
}

impl ShareReturn {
    /// What every family shows: the payer (a sub-merchant's), the order's
    /// and the return's numbers, who returned how much, and why it failed.
    fn ids(&self) -> Map<String, Value> {
        let mut v = Map::new();
        if let Some(sub) = &self.sub_mchid {
            v.insert("sub_mchid".into(), json!(sub));
        }
        for (name, value) in [
            ("order_id", &self.order_id),
            ("out_order_no", &self.out_order_no),
            ("out_return_no", &self.out_return_no),
            ("return_mchid", &self.return_mchid),
        ] {
            v.insert(name.into(), json!(value));
        }
        v.insert("amount".into(), json!(self.amount));
        if let Some(reason) = &self.fail_reason {
            v.insert("fail_reason".into(), json!(reason));
        }
        // Returns are synchronous: they finish as they are created.
        v.insert("finish_time".into(), json!(rfc3339_cst(self.created_unix)));
        v
    }

    /// The create and query answer of `v3/profitsharing/return-orders`:
    /// `return_id`, `result` `SUCCESS` | `FAILED`, the description and the
    /// creation time.
    pub(crate) fn view(&self) -> Value {
        let mut v = self.ids();
        v.insert("return_id".into(), json!(self.return_id));
        v.insert("description".into(), json!(self.description));
        let result = match self.result {
            ReturnResult::Success => "SUCCESS",
            ReturnResult::Failed => "FAILED",
        };
        v.insert("result".into(), json!(result));
        v.insert("create_time".into(), json!(rfc3339_cst(self.created_unix)));
        Value::Object(v)
    }

    /// The create and query answer of the e-commerce platform
    /// (`v3/ecommerce/profitsharing/returnorders`): `return_no`, `result`
    /// `SUCCESS` | `FAIL`, no description and no creation time.
    pub(crate) fn ecommerce_view(&self) -> Value {
        let mut v = self.ids();
        v.insert("return_no".into(), json!(self.return_id));
        let result = match self.result {
            ReturnResult::Success => "SUCCESS",
            ReturnResult::Failed => "FAIL",
        };
        v.insert("result".into(), json!(result));
        Value::Object(v)
    }
}

/// The decrypted resource of a `PROFITSHARING.SUCCESS` / `.RETURN`
/// notification to a receiver (分账动账通知): the payer's ids, the order (or
/// return) numbers, the receiver and the amount that moved.
pub(crate) fn notification(
    mchid: &str,
    sub_mchid: Option<&str>,
    transaction_id: &str,
    (order_id, out_order_no): (&str, &str),
    receiver: Value,
    success_unix: i64,
) -> Value {
    let mut v = Map::new();
    match sub_mchid {
        None => {
            v.insert("mchid".into(), json!(mchid));
        }
        Some(sub) => {
            v.insert("sp_mchid".into(), json!(mchid));
            v.insert("sub_mchid".into(), json!(sub));
        }
    }
    v.insert("transaction_id".into(), json!(transaction_id));
    v.insert("order_id".into(), json!(order_id));
    v.insert("out_order_no".into(), json!(out_order_no));
    v.insert("receiver".into(), receiver);
    v.insert("success_time".into(), json!(rfc3339_cst(success_unix)));
    Value::Object(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> ShareOrder {
        ShareOrder {
            mchid: "1900009191".into(),
            sub_mchid: None,
            transaction_id: "4200".into(),
            out_order_no: "P1".into(),
            order_id: "3008".into(),
            state: OrderState::Processing,
            receivers: vec![
                Share {
                    kind: ReceiverType::MerchantId,
                    account: "1900000110".into(),
                    amount: 10,
                    description: "d".into(),
                    result: ShareResult::Pending,
                    fail_reason: None,
                    detail_id: "36".into(),
                    unfreeze: false,
                    closes_with: None,
                },
                Share {
                    kind: ReceiverType::PersonalOpenid,
                    account: "o1".into(),
                    amount: 20,
                    description: "d".into(),
                    result: ShareResult::Pending,
                    fail_reason: None,
                    detail_id: "37".into(),
                    unfreeze: false,
                    closes_with: Some("ACCOUNT_ABNORMAL".into()),
                },
            ],
            created_unix: 1000,
            finished_unix: None,
        }
    }

    #[test]
    fn settling_finishes_the_order_and_closes_the_failing_receivers() {
        let mut order = order();
        let before = order.view();
        assert_eq!(before["state"], "PROCESSING");
        assert_eq!(before["receivers"][0]["result"], "PENDING");
        assert!(before["receivers"][1].get("fail_reason").is_none());
        order.settle(1060);
        let after = order.view();
        assert_eq!(after["state"], "FINISHED");
        assert_eq!(after["receivers"][0]["result"], "SUCCESS");
        assert_eq!(after["receivers"][1]["result"], "CLOSED");
        assert_eq!(after["receivers"][1]["fail_reason"], "ACCOUNT_ABNORMAL");
        assert!(!order.receivers[1].counts() && order.receivers[0].counts());
    }

    #[test]
    fn the_ecommerce_view_shows_the_rest_unfrozen_apart_from_the_receivers() {
        let mut order = order();
        order.sub_mchid = Some("1900000109".into());
        order.receivers[1].unfreeze = true;
        let v = order.ecommerce_view();
        assert_eq!(v["status"], "PROCESSING");
        assert!(v.get("state").is_none());
        assert_eq!(v["receivers"].as_array().map(Vec::len), Some(1));
        assert_eq!(v["receivers"][0]["receiver_account"], "1900000110");
        assert_eq!(v["receivers"][0]["receiver_mchid"], "1900000110");
        assert_eq!(
            (v["finish_amount"].as_i64(), v["sub_mchid"].as_str()),
            (Some(20), Some("1900000109"))
        );
        // An order that only unfroze (finish-order) lists no receivers.
        order.receivers.remove(0);
        assert!(order.ecommerce_view().get("receivers").is_none());
    }

    #[test]
    fn each_family_shows_a_return_in_its_own_words() {
        let failed = ShareReturn {
            mchid: "1900009191".into(),
            sub_mchid: Some("1900000109".into()),
            transaction_id: "4200".into(),
            order_id: "3008".into(),
            out_order_no: "P1".into(),
            out_return_no: "R1".into(),
            return_id: "20260101".into(),
            return_mchid: "1900000110".into(),
            amount: 10,
            description: "用户退款".into(),
            result: ReturnResult::Failed,
            fail_reason: Some("ACCOUNT_ABNORMAL".into()),
            created_unix: 1000,
        };
        let partner = failed.view();
        assert_eq!(
            (partner["result"].as_str(), partner["return_id"].as_str()),
            (Some("FAILED"), Some("20260101"))
        );
        assert!(partner.get("return_no").is_none() && partner["create_time"].is_string());
        let ecommerce = failed.ecommerce_view();
        assert_eq!(
            (
                ecommerce["result"].as_str(),
                ecommerce["return_no"].as_str()
            ),
            (Some("FAIL"), Some("20260101"))
        );
        assert_eq!(ecommerce["fail_reason"], "ACCOUNT_ABNORMAL");
        for absent in ["return_id", "description", "create_time"] {
            assert!(ecommerce.get(absent).is_none(), "{absent}: {ecommerce}");
        }
    }

    #[test]
    fn notifications_name_the_payer_as_wechat_does() {
        let direct = notification("1", None, "t", ("o", "O"), json!({}), 0);
        assert_eq!(direct["mchid"], "1");
        let partner = notification("1", Some("2"), "t", ("o", "O"), json!({}), 0);
        assert_eq!(
            (partner["sp_mchid"].as_str(), partner["sub_mchid"].as_str()),
            (Some("1"), Some("2"))
        );
        assert!(partner.get("mchid").is_none());
    }
}
