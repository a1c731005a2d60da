//! The notifications WeChat Pay sends, typed: [`Event`] has a case for
//! each event type this crate knows, with the same enumerations as the
//! query answers, and keeps any other as it came (hand-written beside the
//! generated code: the catalog describes only the encrypted envelope).
//!
//! One notify URL often receives payments and refunds alike:
//! [`Notifier::parse_event`](wxpay_core::notify::Notifier::parse_event)
//! verifies and decrypts a notification and decodes it by its event type.
//!
//! ```no_run
//! # #[cfg(all(feature = "pay", feature = "refund"))]
//! # async fn handle(
//! #     notifier: &wxpay_core::notify::Notifier,
//! #     headers: &http::HeaderMap,
//! #     body: &[u8],
//! # ) -> Result<(), wxpay_core::Error> {
//! use wxpay_apis::events::Event;
//! use wxpay_apis::pay::PayTradeState;
//!
//! let notification = notifier.parse_event::<Event>(headers, body).await?;
//! match notification.resource {
//!     Event::Transaction(paid) if paid.trade_state == PayTradeState::Success => {
//!         println!("{} paid", paid.out_trade_no);
//!     }
//!     Event::Refund(refund) => println!("{}: {}", refund.out_refund_no, refund.refund_status),
//!     Event::Other { event_type, .. } => println!("not handled: {event_type}"),
//!     _ => {}
//! }
//! # Ok(()) }
//! ```
//!
//! A case exists when its feature is on (payments with `pay`, refunds with
//! `refund`, ...); an event type whose feature is off, or that this crate
//! does not type, is [`Event::Other`], with its type and JSON. An event
//! type it types whose resource does not fit is an error naming the event
//! type, not `Other`. Fields WeChat Pay adds later are ignored, and
//! enumerations keep values they do not name (`is_unknown()`), so a new
//! value never makes a notification undecodable. A notify URL that receives
//! one kind only may decode it directly:
//! `notifier.parse::<TransactionEvent>(headers, body)`.

use serde_json::Value;
use wxpay_core::notify::NotificationEvent;

#[allow(unused_imports)]
use serde::{Deserialize, Serialize};
#[allow(unused_imports)]
use wxpay_core::types::Timestamp;

/// `TRANSACTION.SUCCESS` (支付成功通知) of direct and partner payments (JSAPI,
/// APP, H5, Native, mini program, 付款码).
#[cfg(feature = "pay")]
#[cfg_attr(docsrs, doc(cfg(feature = "pay")))]
#[doc(alias = "支付成功通知", alias = "TRANSACTION.SUCCESS")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TransactionEvent {
    /// 应用ID (direct merchants).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
    /// 商户号 (direct merchants).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mchid: Option<String>,
    /// 服务商应用ID (partners).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sp_appid: Option<String>,
    /// 服务商户号 (partners).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sp_mchid: Option<String>,
    /// 子商户应用ID (partners, when sent at prepay).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_appid: Option<String>,
    /// 子商户号 (partners).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_mchid: Option<String>,
    /// 商户订单号
    pub out_trade_no: String,
    /// 微信支付订单号
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// 交易类型: the enumeration of the order query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_type: Option<crate::pay::PayTradeType>,
    /// 交易状态: the enumeration of the order query (`SUCCESS` here).
    pub trade_state: crate::pay::PayTradeState,
    /// 交易状态描述, e.g. `支付成功`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_state_desc: Option<String>,
    /// 付款银行, e.g. `OTHERS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_type: Option<String>,
    /// 附加数据 (empty when none was sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach: Option<String>,
    /// 支付完成时间
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<Timestamp>,
    /// 支付者
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer: Option<TransactionEventPayer>,
    /// 订单金额
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<TransactionEventAmount>,
}

/// The payer of a [`TransactionEvent`].
#[cfg(feature = "pay")]
#[cfg_attr(docsrs, doc(cfg(feature = "pay")))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TransactionEventPayer {
    /// openid under the merchant's appid (direct merchants).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openid: Option<String>,
    /// openid under the service provider's appid (partners).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sp_openid: Option<String>,
    /// openid under the sub-merchant's appid (partners).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_openid: Option<String>,
}

/// The money of a [`TransactionEvent`], in fen.
#[cfg(feature = "pay")]
#[cfg_attr(docsrs, doc(cfg(feature = "pay")))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TransactionEventAmount {
    /// 订单总金额
    pub total: i64,
    /// 用户支付金额
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_total: Option<i64>,
    /// 货币类型, e.g. `CNY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// 用户支付币种
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_currency: Option<String>,
}

/// `REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED` (退款结果通知).
///
/// `refund_status` is the refund query's
/// [`RefundStatus`](crate::refund::domestic::refunds::RefundStatus)
/// (WECHATPAY-LIFECYCLE.md §3: `SUCCESS`, `CLOSED` or `ABNORMAL` here).
#[cfg(feature = "refund")]
#[cfg_attr(docsrs, doc(cfg(feature = "refund")))]
#[doc(alias = "退款结果通知", alias = "REFUND.SUCCESS")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RefundEvent {
    /// 商户号 (direct merchants).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mchid: Option<String>,
    /// 服务商户号 (partners).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sp_mchid: Option<String>,
    /// 子商户号 (partners).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_mchid: Option<String>,
    /// 微信支付订单号
    pub transaction_id: String,
    /// 商户订单号
    pub out_trade_no: String,
    /// 微信支付退款单号
    pub refund_id: String,
    /// 商户退款单号
    pub out_refund_no: String,
    /// 退款状态: the enumeration of the refund query (`SUCCESS`, `CLOSED` or
    /// `ABNORMAL` in a notification).
    pub refund_status: crate::refund::domestic::refunds::RefundStatus,
    /// 退款成功时间 (`REFUND.SUCCESS` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<Timestamp>,
    /// 退款入账账户, e.g. `招商银行信用卡0403`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_received_account: Option<String>,
    /// 金额信息
    pub amount: RefundEventAmount,
}

/// The money of a [`RefundEvent`], in fen.
#[cfg(feature = "refund")]
#[cfg_attr(docsrs, doc(cfg(feature = "refund")))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RefundEventAmount {
    /// 订单金额
    pub total: i64,
    /// 退款金额
    pub refund: i64,
    /// 用户支付金额
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_total: Option<i64>,
    /// 用户退款金额
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_refund: Option<i64>,
}

/// The profit-sharing notifications (分账动账通知): a share or its return
/// reached a receiver.
#[cfg(feature = "profitsharing")]
#[cfg_attr(docsrs, doc(cfg(feature = "profitsharing")))]
#[doc(alias = "分账动账通知", alias = "PROFITSHARING")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProfitSharingEvent {
    /// 直连商户号
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mchid: Option<String>,
    /// 服务商商户号
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sp_mchid: Option<String>,
    /// 子商户号
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_mchid: Option<String>,
    /// 微信订单号
    pub transaction_id: String,
    /// 微信分账/回退单号
    pub order_id: String,
    /// 商户分账/回退单号
    pub out_order_no: String,
    /// 分账接收方
    pub receiver: ProfitSharingEventReceiver,
    /// 成功时间
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<Timestamp>,
}

/// The receiver of a [`ProfitSharingEvent`].
#[cfg(feature = "profitsharing")]
#[cfg_attr(docsrs, doc(cfg(feature = "profitsharing")))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProfitSharingEventReceiver {
    /// 分账接收方类型: the enumeration of the profit-sharing order query.
    #[serde(rename = "type")]
    pub r#type: crate::profitsharing::ProfitSharingReceiverType,
    /// 分账接收方账号
    pub account: String,
    /// 分账动账金额 (fen)
    pub amount: i64,
    /// 分账/回退描述
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `MCHTRANSFER.BILL.FINISHED` (商家转账回调通知): a transfer bill reached a
/// final state (`SUCCESS`, `FAIL` or `CANCELLED`).
#[cfg(feature = "fund-app")]
#[cfg_attr(docsrs, doc(cfg(feature = "fund-app")))]
#[doc(alias = "商家转账回调通知", alias = "MCHTRANSFER.BILL.FINISHED")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TransferBillEvent {
    /// 商户号: the merchant that transferred (the service provider for a
    /// partner's bill).
    pub mchid: String,
    /// 子商户号 (partners).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_mchid: Option<String>,
    /// 商户单号
    pub out_bill_no: String,
    /// 微信转账单号
    pub transfer_bill_no: String,
    /// 单据状态: the enumeration of the transfer-bill query.
    pub state: crate::fund_app::mch_transfer::MchTransferState,
    /// 转账金额 (fen)
    pub transfer_amount: i64,
    /// 收款用户OpenID
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openid: Option<String>,
    /// 失败原因, e.g. `PAYEE_ACCOUNT_ABNORMAL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_reason: Option<String>,
    /// 单据创建时间
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<Timestamp>,
    /// 最后一次状态变更时间
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<Timestamp>,
}

/// `COMPLAINT.CREATE`, `COMPLAINT.STATE_CHANGE` (投诉通知回调): fetch the
/// complaint's details with its id.
#[cfg(feature = "merchant-service")]
#[cfg_attr(docsrs, doc(cfg(feature = "merchant-service")))]
#[doc(alias = "投诉通知回调", alias = "COMPLAINT.CREATE")]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ComplaintEvent {
    /// 投诉单号
    pub complaint_id: String,
    /// 动作类型, e.g. `CREATE_COMPLAINT`, `CONTINUE_COMPLAINT`, `USER_RESPONSE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_type: Option<String>,
}

/// `TRANSACTION.SUCCESS` of a combined payment (合单支付通知): the payment of
/// several sub-orders at once, sent to the merchant that combined them
/// (`combine_mchid`); told apart from a single payment by that field.
#[cfg(feature = "pay")]
#[cfg_attr(docsrs, doc(cfg(feature = "pay")))]
#[doc(alias = "合单支付通知")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CombineTransactionEvent {
    /// 合单商户appid
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub combine_appid: Option<String>,
    /// 合单商户号: the merchant that combined the sub-orders.
    pub combine_mchid: String,
    /// 合单商户订单号
    pub combine_out_trade_no: String,
    /// 支付者
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub combine_payer_info: Option<TransactionEventPayer>,
    /// 子单信息
    #[serde(default)]
    pub sub_orders: Vec<CombineTransactionEventSubOrder>,
}

/// One sub-order of a [`CombineTransactionEvent`].
#[cfg(feature = "pay")]
#[cfg_attr(docsrs, doc(cfg(feature = "pay")))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CombineTransactionEventSubOrder {
    /// 子单商户号
    pub mchid: String,
    /// 二级商户号 (e-commerce platforms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_mchid: Option<String>,
    /// 子单商户订单号
    pub out_trade_no: String,
    /// 微信支付订单号
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// 交易类型: the enumeration of the order query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_type: Option<crate::pay::PayTradeType>,
    /// 交易状态: the enumeration of the order query.
    pub trade_state: crate::pay::PayTradeState,
    /// 付款银行
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_type: Option<String>,
    /// 附加数据
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach: Option<String>,
    /// 支付完成时间
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<Timestamp>,
    /// 订单金额
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<CombineTransactionEventAmount>,
}

/// The money of a [`CombineTransactionEventSubOrder`], in fen.
#[cfg(feature = "pay")]
#[cfg_attr(docsrs, doc(cfg(feature = "pay")))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CombineTransactionEventAmount {
    /// 标价金额
    pub total_amount: i64,
    /// 现金支付金额
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_amount: Option<i64>,
    /// 标价币种, e.g. `CNY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// 现金支付币种
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_currency: Option<String>,
}

/// A notification's resource, by its event type: decode one with
/// [`Notifier::parse_event`](wxpay_core::notify::Notifier::parse_event)
/// (`parse_event::<Event>`).
///
/// | event type | case | feature |
/// | --- | --- | --- |
/// | `TRANSACTION.SUCCESS` | [`Transaction`](Event::Transaction), or [`CombineTransaction`](Event::CombineTransaction) when it names a `combine_mchid` | `pay` |
/// | `REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED` | [`Refund`](Event::Refund) | `refund` |
/// | `PROFITSHARING.SUCCESS`, `PROFITSHARING.RETURN` | `ProfitSharing` | `profitsharing` |
/// | `MCHTRANSFER.BILL.FINISHED` | `TransferBill` | `fund-app` |
/// | `COMPLAINT.CREATE`, `COMPLAINT.STATE_CHANGE` | `Complaint` | `merchant-service` |
/// | any other, or its feature off | [`Other`](Event::Other) | |
///
/// Which event type of a family arrived (`REFUND.SUCCESS` against
/// `REFUND.CLOSED`) is
/// [`Notification::event_type`](wxpay_core::notify::Notification::event_type).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// `TRANSACTION.SUCCESS` (支付成功通知): a payment, direct or partner.
    #[cfg(feature = "pay")]
    #[cfg_attr(docsrs, doc(cfg(feature = "pay")))]
    Transaction(TransactionEvent),
    /// `TRANSACTION.SUCCESS` of a combined payment (合单支付通知).
    #[cfg(feature = "pay")]
    #[cfg_attr(docsrs, doc(cfg(feature = "pay")))]
    CombineTransaction(CombineTransactionEvent),
    /// `REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED` (退款结果通知).
    #[cfg(feature = "refund")]
    #[cfg_attr(docsrs, doc(cfg(feature = "refund")))]
    Refund(RefundEvent),
    /// `PROFITSHARING.SUCCESS`, `PROFITSHARING.RETURN` (分账动账通知), to a
    /// receiving merchant.
    #[cfg(feature = "profitsharing")]
    #[cfg_attr(docsrs, doc(cfg(feature = "profitsharing")))]
    ProfitSharing(ProfitSharingEvent),
    /// `MCHTRANSFER.BILL.FINISHED` (商家转账回调通知).
    #[cfg(feature = "fund-app")]
    #[cfg_attr(docsrs, doc(cfg(feature = "fund-app")))]
    TransferBill(TransferBillEvent),
    /// `COMPLAINT.CREATE`, `COMPLAINT.STATE_CHANGE` (投诉通知回调).
    #[cfg(feature = "merchant-service")]
    #[cfg_attr(docsrs, doc(cfg(feature = "merchant-service")))]
    Complaint(ComplaintEvent),
    /// An event type this build does not type (unknown to the crate, or its
    /// feature off): its type and decrypted resource as they came.
    Other {
        /// The event type, e.g. `PAYSCORE.USER_PAID`.
        event_type: String,
        /// The decrypted resource.
        resource: Value,
    },
}

impl NotificationEvent for Event {
    fn from_resource(event_type: &str, resource: Value) -> Result<Self, serde_json::Error> {
        #[allow(unused_imports)]
        use serde_json::from_value;
        Ok(match event_type {
            #[cfg(feature = "pay")]
            "TRANSACTION.SUCCESS" if resource.get("combine_mchid").is_some() => {
                Event::CombineTransaction(from_value(resource)?)
            }
            #[cfg(feature = "pay")]
            "TRANSACTION.SUCCESS" => Event::Transaction(from_value(resource)?),
            #[cfg(feature = "refund")]
            "REFUND.SUCCESS" | "REFUND.ABNORMAL" | "REFUND.CLOSED" => {
                Event::Refund(from_value(resource)?)
            }
            #[cfg(feature = "profitsharing")]
            "PROFITSHARING.SUCCESS" | "PROFITSHARING.RETURN" => {
                Event::ProfitSharing(from_value(resource)?)
            }
            #[cfg(feature = "fund-app")]
            "MCHTRANSFER.BILL.FINISHED" => Event::TransferBill(from_value(resource)?),
            #[cfg(feature = "merchant-service")]
            "COMPLAINT.CREATE" | "COMPLAINT.STATE_CHANGE" => {
                Event::Complaint(from_value(resource)?)
            }
            _ => Event::Other {
                event_type: event_type.to_owned(),
                resource,
            },
        })
    }
}
