//! The payment lifecycle's records: orders and refunds, their states as
//! WeChat Pay names them, and the JSON WeChat Pay shows for each (query
//! answers, notification payloads). See `WECHATPAY-LIFECYCLE.md` §1, §3, §4.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::clock::rfc3339_cst;

/// How the order is to be paid; `H5` is `MWEB` on the wire of query answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum TradeType {
    Jsapi,
    App,
    H5,
    Native,
}

impl TradeType {
    /// The `trade_type` of query answers and notifications.
    pub(crate) fn wire(self) -> &'static str {
        match self {
            TradeType::Jsapi => "JSAPI",
            TradeType::App => "APP",
            TradeType::H5 => "MWEB",
            TradeType::Native => "NATIVE",
        }
    }

    /// The path segment of the prepay operation.
    pub(crate) fn segment(self) -> &'static str {
        match self {
            TradeType::Jsapi => "jsapi",
            TradeType::App => "app",
            TradeType::H5 => "h5",
            TradeType::Native => "native",
        }
    }
}

/// `trade_state`. REVOKED, USERPAYING and PAYERROR exist only for 付款码
/// (micropay) orders, which the sandbox does not take: a failed payment
/// attempt leaves a JSAPI/APP/H5/Native order NOTPAY, as WeChat Pay does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum TradeState {
    NotPay,
    Success,
    Closed,
    Refund,
}

impl TradeState {
    pub(crate) fn wire(self) -> &'static str {
        match self {
            TradeState::NotPay => "NOTPAY",
            TradeState::Success => "SUCCESS",
            TradeState::Closed => "CLOSED",
            TradeState::Refund => "REFUND",
        }
    }

    /// `trade_state_desc` as seen on the wire (REFUND's text is APIv2's; the
    /// v3 text is unconfirmed).
    pub(crate) fn desc(self) -> &'static str {
        match self {
            TradeState::NotPay => "订单未支付",
            TradeState::Success => "支付成功",
            TradeState::Closed => "订单已关闭",
            TradeState::Refund => "订单发生过退款，退款详情请查询退款单",
        }
    }

    pub(crate) fn is_paid(self) -> bool {
        matches!(self, TradeState::Success | TradeState::Refund)
    }
}

/// A service provider's order carries its sub-merchant's ids as well.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Partner {
    pub(crate) sub_mchid: String,
    pub(crate) sub_appid: Option<String>,
    pub(crate) sub_openid: Option<String>,
}

/// One order, from prepay on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Order {
    /// The calling merchant: `mchid`, or `sp_mchid` for a service provider.
    pub(crate) mchid: String,
    /// `appid`, or `sp_appid`.
    pub(crate) appid: String,
    pub(crate) partner: Option<Partner>,
    pub(crate) trade_type: TradeType,
    pub(crate) out_trade_no: String,
    pub(crate) description: String,
    pub(crate) attach: String,
    pub(crate) notify_url: String,
    pub(crate) total: i64,
    pub(crate) currency: String,
    /// `payer.openid` (`payer.sp_openid` for partners), if the prepay named one.
    pub(crate) openid: Option<String>,
    /// SHA-256 of the prepay body in canonical form: a repeat must match it.
    pub(crate) digest: String,
    pub(crate) prepay_id: String,
    /// The `pr=` token of a Native `code_url`.
    pub(crate) code_token: String,
    pub(crate) created_unix: i64,
    /// After this the order cannot be paid and reads CLOSED.
    pub(crate) expire_unix: i64,
    pub(crate) state: TradeState,
    pub(crate) transaction_id: Option<String>,
    pub(crate) success_unix: Option<i64>,
    pub(crate) bank_type: String,
    /// Refunds accepted and not closed, in fen.
    pub(crate) refunded: i64,
    /// Payment attempts that failed (the order stays NOTPAY).
    pub(crate) failed_attempts: u32,
    /// Made with `settle_info.profit_sharing: true`: its money can be shared.
    #[serde(default)]
    pub(crate) profit_sharing: bool,
}

impl Order {
    /// The state as of `now`: an unpaid order past `time_expire` reads CLOSED.
    pub(crate) fn state_at(&self, now: i64) -> TradeState {
        if self.state == TradeState::NotPay && now >= self.expire_unix {
            TradeState::Closed
        } else {
            self.state
        }
    }

    /// The query answer, with the fields WeChat Pay returns in each state.
    pub(crate) fn view(&self, now: i64) -> Value {
        let state = self.state_at(now);
        let mut v = Map::new();
        match &self.partner {
            None => {
                v.insert("appid".into(), json!(self.appid));
                v.insert("mchid".into(), json!(self.mchid));
            }
            Some(p) => {
                v.insert("sp_appid".into(), json!(self.appid));
                v.insert("sp_mchid".into(), json!(self.mchid));
                if let Some(sub_appid) = &p.sub_appid {
                    v.insert("sub_appid".into(), json!(sub_appid));
                }
                v.insert("sub_mchid".into(), json!(p.sub_mchid));
            }
        }
        v.insert("out_trade_no".into(), json!(self.out_trade_no));
        v.insert("trade_state".into(), json!(state.wire()));
        v.insert("trade_state_desc".into(), json!(state.desc()));
        v.insert("promotion_detail".into(), json!([]));
        match state {
            TradeState::NotPay => {
                v.insert(
                    "amount".into(),
                    json!({ "total": self.total, "payer_currency": self.currency }),
                );
                v.insert("scene_info".into(), json!({ "device_id": "" }));
            }
            TradeState::Closed => {
                v.insert("attach".into(), json!(self.attach));
                v.insert("payer".into(), json!({}));
            }
            TradeState::Success | TradeState::Refund => {
                v.insert("attach".into(), json!(self.attach));
                v.insert(
                    "transaction_id".into(),
                    json!(self.transaction_id.clone().unwrap_or_default()),
                );
                v.insert("trade_type".into(), json!(self.trade_type.wire()));
                v.insert("bank_type".into(), json!(self.bank_type));
                v.insert(
                    "success_time".into(),
                    json!(rfc3339_cst(self.success_unix.unwrap_or(self.created_unix))),
                );
                v.insert("payer".into(), self.payer());
                v.insert(
                    "amount".into(),
                    json!({
                        "total": self.total,
                        "payer_total": self.total,
                        "currency": self.currency,
                        "payer_currency": self.currency,
                    }),
                );
            }
        }
        Value::Object(v)
    }

    fn payer(&self) -> Value {
        let openid = self.openid.clone().unwrap_or_default();
        match &self.partner {
            None => json!({ "openid": openid }),
            Some(p) => {
                let mut payer = json!({ "sp_openid": openid });
                if let Some(sub) = &p.sub_openid {
                    payer["sub_openid"] = json!(sub);
                }
                payer
            }
        }
    }

    pub(crate) fn sub_mchid(&self) -> Option<&str> {
        self.partner.as_ref().map(|p| p.sub_mchid.as_str())
    }

    /// What is left to refund, in fen.
    pub(crate) fn refundable(&self) -> i64 {
        self.total - self.refunded
    }
}

/// `status` of a refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum RefundStatus {
    Processing,
    Success,
    Closed,
    Abnormal,
}

impl RefundStatus {
    pub(crate) fn wire(self) -> &'static str {
        match self {
            RefundStatus::Processing => "PROCESSING",
            RefundStatus::Success => "SUCCESS",
            RefundStatus::Closed => "CLOSED",
            RefundStatus::Abnormal => "ABNORMAL",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "PROCESSING" => RefundStatus::Processing,
            "SUCCESS" => RefundStatus::Success,
            "CLOSED" => RefundStatus::Closed,
            "ABNORMAL" => RefundStatus::Abnormal,
            _ => return None,
        })
    }

    /// The notification of reaching this status: event type and summary
    /// (the summaries of ABNORMAL and CLOSED are unconfirmed).
    pub(crate) fn event(self) -> Option<(&'static str, &'static str)> {
        match self {
            RefundStatus::Processing => None,
            RefundStatus::Success => Some(("REFUND.SUCCESS", "退款成功")),
            RefundStatus::Abnormal => Some(("REFUND.ABNORMAL", "退款异常")),
            RefundStatus::Closed => Some(("REFUND.CLOSED", "退款关闭")),
        }
    }
}

/// One refund of an order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Refund {
    pub(crate) mchid: String,
    pub(crate) sub_mchid: Option<String>,
    pub(crate) out_refund_no: String,
    pub(crate) refund_id: String,
    pub(crate) transaction_id: String,
    pub(crate) out_trade_no: String,
    pub(crate) refund: i64,
    pub(crate) total: i64,
    pub(crate) currency: String,
    pub(crate) reason: String,
    pub(crate) notify_url: Option<String>,
    pub(crate) funds_account: Option<String>,
    pub(crate) status: RefundStatus,
    pub(crate) created_unix: i64,
    pub(crate) success_unix: Option<i64>,
}

/// Where refunded money goes back to, in the sandbox: the payer's balance.
const RECEIVED_ACCOUNT: &str = "支付用户零钱";

impl Refund {
    /// The create and query answer.
    pub(crate) fn view(&self) -> Value {
        let mut v = json!({
            "refund_id": self.refund_id,
            "out_refund_no": self.out_refund_no,
            "transaction_id": self.transaction_id,
            "out_trade_no": self.out_trade_no,
            "channel": "ORIGINAL",
            "user_received_account": RECEIVED_ACCOUNT,
            "create_time": rfc3339_cst(self.created_unix),
            "status": self.status.wire(),
            "funds_account": self.funds_account.as_deref().unwrap_or("AVAILABLE"),
            "amount": {
                "total": self.total,
                "refund": self.refund,
                "from": [],
                "payer_total": self.total,
                "payer_refund": self.refund,
                "settlement_refund": self.refund,
                "settlement_total": self.total,
                "discount_refund": 0,
                "currency": self.currency,
                "refund_fee": 0,
            },
            "promotion_detail": [],
        });
        if let Some(success) = self.success_unix {
            v["success_time"] = json!(rfc3339_cst(success));
        }
        v
    }

    /// The decrypted `resource` of a refund notification: `refund_status`
    /// rather than `status`, `mchid` (sp/sub ids for partners), fewer fields.
    pub(crate) fn notification(&self) -> Value {
        let mut v = json!({
            "transaction_id": self.transaction_id,
            "out_trade_no": self.out_trade_no,
            "refund_id": self.refund_id,
            "out_refund_no": self.out_refund_no,
            "refund_status": self.status.wire(),
            "user_received_account": RECEIVED_ACCOUNT,
            "amount": {
                "total": self.total,
                "refund": self.refund,
                "payer_total": self.total,
                "payer_refund": self.refund,
            },
        });
        match &self.sub_mchid {
            None => v["mchid"] = json!(self.mchid),
            Some(sub) => {
                v["sp_mchid"] = json!(self.mchid);
                v["sub_mchid"] = json!(sub);
            }
        }
        if let Some(success) = self.success_unix {
            v["success_time"] = json!(rfc3339_cst(success));
        }
        v
    }
}

/// A JSON value with object keys sorted, so that the same request in another
/// key order digests the same.
pub(crate) fn canonical(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<_> = map.keys().collect();
                keys.sort();
                let mut out = Map::new();
                for k in keys {
                    out.insert(k.clone(), sorted(&map[k]));
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> Order {
        Order {
            mchid: "1900009191".into(),
            appid: "wxd678efh567hg6787".into(),
            partner: None,
            trade_type: TradeType::Jsapi,
            out_trade_no: "T1".into(),
            description: "d".into(),
            attach: String::new(),
            notify_url: "http://127.0.0.1/n".into(),
            total: 100,
            currency: "CNY".into(),
            openid: Some("o1".into()),
            digest: String::new(),
            prepay_id: "wx1".into(),
            code_token: "c".into(),
            created_unix: 1000,
            expire_unix: 2000,
            state: TradeState::NotPay,
            transaction_id: None,
            success_unix: None,
            bank_type: "OTHERS".into(),
            refunded: 0,
            failed_attempts: 0,
            profit_sharing: false,
        }
    }

    #[test]
    fn unpaid_orders_show_only_what_wechat_shows() {
        let v = order().view(1500);
        assert_eq!(v["trade_state"], "NOTPAY");
        assert_eq!(v["trade_state_desc"], "订单未支付");
        assert!(v.get("transaction_id").is_none() && v.get("payer").is_none());
        assert_eq!(v["amount"], json!({"total": 100, "payer_currency": "CNY"}));
        // Past time_expire it reads CLOSED.
        assert_eq!(order().view(2000)["trade_state"], "CLOSED");
    }

    #[test]
    fn canonical_form_ignores_key_order() {
        let a: Value = serde_json::from_str(r#"{"b":1,"a":{"d":2,"c":3}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":{"c":3,"d":2},"b":1}"#).unwrap();
        assert_eq!(canonical(&a), canonical(&b));
    }
}
