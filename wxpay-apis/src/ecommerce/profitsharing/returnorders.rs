//! `POST /v3/ecommerce/profitsharing/returnorders` (请求分账回退) and
//! `GET /v3/ecommerce/profitsharing/returnorders` (查询分账回退结果).
//!
//! Official documentation:
//! <https://pay.weixin.qq.com/wiki/doc/apiv3/wxpay/ecommerce/profitsharing/chapter3_3.shtml>,
//! <https://pay.weixin.qq.com/wiki/doc/apiv3/wxpay/ecommerce/profitsharing/chapter3_4.shtml>

use serde::{Deserialize, Serialize};
use wxpay_core::{string_enum, wxpay_api};

string_enum! {
    /// 回退结果
    pub enum ReturnResult {
        /// 处理中
        Processing = "PROCESSING",
        /// 已成功
        Success = "SUCCESS",
        /// 已失败
        Fail = "FAIL",
    }
}

string_enum! {
    /// 失败原因
    pub enum ReturnFailReason {
        /// 原分账接收方账户异常
        AccountAbnormal = "ACCOUNT_ABNORMAL",
        /// 超时关单
        TimeOutClosed = "TIME_OUT_CLOSED",
    }
}

/// 请求分账回退: `POST /v3/ecommerce/profitsharing/returnorders`.
///
/// Give `order_id` or `out_order_no` to name the split being returned.
/// Repeating a request with the same `out_return_no` returns the same order.
#[wxpay_api(POST, "v3/ecommerce/profitsharing/returnorders", response = CreateReturnOrderResponse)]
#[derive(Debug, Clone, PartialEq)]
pub struct CreateReturnOrderRequest<'a> {
    /// 二级商户号
    pub sub_mchid: &'a str,
    /// 微信分账单号
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<&'a str>,
    /// 商户分账单号
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_order_no: Option<&'a str>,
    /// 商户回退单号
    pub out_return_no: &'a str,
    /// 回退商户号
    pub return_mchid: &'a str,
    /// 回退金额 (fen)
    pub amount: i64,
    /// 回退描述
    pub description: &'a str,
    /// 微信订单号
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<&'a str>,
}

/// A profit-sharing return order (分账回退单), as both operations return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnOrder {
    /// 二级商户号
    pub sub_mchid: String,
    /// 微信分账单号
    pub order_id: String,
    /// 商户分账单号
    pub out_order_no: String,
    /// 商户回退单号
    pub out_return_no: String,
    /// 回退商户号
    pub return_mchid: String,
    /// 回退金额 (fen)
    pub amount: i64,
    /// 微信回退单号
    pub return_no: String,
    /// 回退结果
    pub result: ReturnResult,
    /// 失败原因
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_reason: Option<ReturnFailReason>,
    /// 完成时间 (RFC 3339)
    pub finish_time: String,
}

/// The answer to [`CreateReturnOrderRequest`].
pub type CreateReturnOrderResponse = ReturnOrder;

/// 查询分账回退结果: `GET /v3/ecommerce/profitsharing/returnorders`.
#[wxpay_api(GET, "v3/ecommerce/profitsharing/returnorders", response = QueryReturnOrderResponse)]
#[derive(Debug, Clone, PartialEq)]
pub struct QueryReturnOrderRequest<'a> {
    /// 二级商户号
    pub sub_mchid: &'a str,
    /// 微信分账单号
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<&'a str>,
    /// 商户分账单号
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_order_no: Option<&'a str>,
    /// 商户回退单号
    pub out_return_no: &'a str,
}

/// The answer to [`QueryReturnOrderRequest`].
pub type QueryReturnOrderResponse = ReturnOrder;
