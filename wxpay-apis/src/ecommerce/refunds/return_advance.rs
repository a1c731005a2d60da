//! `POST /v3/ecommerce/refunds/{refund_id}/return-advance` (垫付退款回补) and
//! `GET /v3/ecommerce/refunds/{refund_id}/return-advance` (查询垫付回补结果).
//!
//! Official documentation:
//! <https://pay.weixin.qq.com/docs/partner/apis/ecommerce-refund/refunds/create-return-advance.html>,
//! <https://pay.weixin.qq.com/docs/partner/apis/ecommerce-refund/refunds/query-return-advance.html>

use serde::{Deserialize, Serialize};
use wxpay_core::wxpay_api;

/// 垫付退款回补: `POST /v3/ecommerce/refunds/{refund_id}/return-advance`.
#[wxpay_api(
    POST,
    "v3/ecommerce/refunds/<refund_id>/return-advance",
    response = ReturnAdvanceResponse
)]
#[derive(Debug, Clone, PartialEq)]
pub struct ReturnAdvanceRequest<'a> {
    /// 微信退款单号 (path)
    pub refund_id: &'a str,
    /// 二级商户号
    pub sub_mchid: &'a str,
}

/// An advance return (垫付回补), as both operations return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnAdvance {
    /// 微信退款单号
    pub refund_id: String,
    /// 微信回补单号
    pub advance_return_id: String,
    /// 垫付回补金额 (fen)
    pub return_amount: i64,
    /// 出款方商户号
    pub payer_mchid: String,
    /// 出款方账户
    pub payer_account: String,
    /// 入账方商户号
    pub payee_mchid: String,
    /// 入账方账户
    pub payee_account: String,
    /// 垫付回补结果 (`SUCCESS`, `FAILED`, `PROCESSING`; the catalog gives no enum)
    pub result: String,
    /// 垫付回补完成时间 (RFC 3339)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<String>,
}

/// The answer to [`ReturnAdvanceRequest`].
pub type ReturnAdvanceResponse = ReturnAdvance;

/// 查询垫付回补结果: `GET /v3/ecommerce/refunds/{refund_id}/return-advance`.
#[wxpay_api(
    GET,
    "v3/ecommerce/refunds/<refund_id>/return-advance",
    response = QueryReturnAdvanceResponse
)]
#[derive(Debug, Clone, PartialEq)]
pub struct QueryReturnAdvanceRequest<'a> {
    /// 微信退款单号 (path)
    pub refund_id: &'a str,
    /// 二级商户号
    pub sub_mchid: &'a str,
}

/// The answer to [`QueryReturnAdvanceRequest`].
pub type QueryReturnAdvanceResponse = ReturnAdvance;
