//! `POST /v3/ecommerce/profitsharing/after-sales-orders` (请求售后服务分账) and
//! `GET /v3/ecommerce/profitsharing/after-sales-orders` (查询售后服务分账结果).
//!
//! Official documentation: <https://pay.weixin.qq.com/docs/partner/products/ecommerce/introduction.html>

use serde::{Deserialize, Serialize};
use wxpay_core::{string_enum, wxpay_api};

string_enum! {
    /// 场景: why the service fee is split after the sale.
    pub enum AfterSalesScene {
        /// 改签
        ChangeTicket = "CHANGE_TICKET",
        /// 退票
        RefundTicket = "REFUND_TICKET",
        /// 退货
        ReturnGoods = "RETURN_GOODS",
    }
}

string_enum! {
    /// 类型: the kind of after-sales split.
    pub enum AfterSalesType {
        /// 服务费收入
        ServiceFeeIncome = "SERVICE_FEE_INCOME",
    }
}

string_enum! {
    /// 分账结果
    pub enum AfterSalesResult {
        /// 处理中
        Processing = "PROCESSING",
        /// 分账成功
        Success = "SUCCESS",
        /// 分账失败
        Failed = "FAILED",
    }
}

string_enum! {
    /// 分账失败原因
    pub enum AfterSalesFailReason {
        /// 分账接收方账户异常
        AccountAbnormal = "ACCOUNT_ABNORMAL",
        /// 分账关系已解除
        NoRelation = "NO_RELATION",
        /// 高风险接收方
        ReceiverHighRisk = "RECEIVER_HIGH_RISK",
    }
}

/// 请求售后服务分账: `POST /v3/ecommerce/profitsharing/after-sales-orders`.
#[wxpay_api(
    POST,
    "v3/ecommerce/profitsharing/after-sales-orders",
    response = CreateAfterSalesOrderResponse
)]
#[derive(Debug, Clone, PartialEq)]
pub struct CreateAfterSalesOrderRequest<'a> {
    /// 二级商户号
    pub sub_mchid: &'a str,
    /// 微信订单号
    pub transaction_id: &'a str,
    /// 分账金额 (fen)
    pub amount: i64,
    /// 微信退款单号
    pub refund_id: &'a str,
    /// 场景
    pub scene: AfterSalesScene,
    /// 类型
    pub r#type: AfterSalesType,
}

/// The answer to [`CreateAfterSalesOrderRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateAfterSalesOrderResponse {
    /// 二级商户号
    pub sub_mchid: String,
    /// 微信订单号
    pub transaction_id: String,
    /// 分账金额 (fen)
    pub amount: i64,
}

/// 查询售后服务分账结果: `GET /v3/ecommerce/profitsharing/after-sales-orders`.
#[wxpay_api(
    GET,
    "v3/ecommerce/profitsharing/after-sales-orders",
    response = QueryAfterSalesOrderResponse
)]
#[derive(Debug, Clone, PartialEq)]
pub struct QueryAfterSalesOrderRequest<'a> {
    /// 二级商户号
    pub sub_mchid: &'a str,
    /// 微信订单号
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<&'a str>,
}

/// The answer to [`QueryAfterSalesOrderRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryAfterSalesOrderResponse {
    /// 二级商户号
    pub sub_mchid: String,
    /// 微信分账单号
    pub transaction_id: String,
    /// 分账金额 (fen)
    pub amount: i64,
    /// 分账结果
    pub result: AfterSalesResult,
    /// 分账完成时间 (RFC 3339)
    pub finish_time: String,
    /// 分账失败原因
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_reason: Option<AfterSalesFailReason>,
}
