//! The APIv2 notifications: payment (signed with the APIv2 key, MD5) and
//! refund (`req_info` encrypted with AES-256-ECB), POSTed as XML to a
//! loopback URL; WeChat's answer is returned, parsed.

use std::collections::BTreeMap;

use super::ops::nonce;
use super::V2Sandbox;
use crate::error::SandboxError;
use crate::wire::v2::sign::{sign, SignType};
use crate::wire::v2::{req_info, xml};

impl V2Sandbox {
    /// Sends the payment notification (支付结果通知) of a paid order to
    /// `url` (loopback only) and returns the merchant's answer fields.
    pub async fn notify_payment(
        &self,
        url: &str,
        out_trade_no: &str,
    ) -> Result<BTreeMap<String, String>, SandboxError> {
        let order = self.order(out_trade_no)?;
        let mut fields = BTreeMap::from([
            ("return_code".to_owned(), "SUCCESS".to_owned()),
            ("result_code".to_owned(), "SUCCESS".to_owned()),
            ("appid".to_owned(), order.appid.clone()),
            ("mch_id".to_owned(), self.state.mchid.clone()),
            ("nonce_str".to_owned(), nonce()),
            (
                "openid".to_owned(),
                "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".to_owned(),
            ),
            ("is_subscribe".to_owned(), "N".to_owned()),
            ("trade_type".to_owned(), "MICROPAY".to_owned()),
            ("bank_type".to_owned(), "OTHERS".to_owned()),
            ("total_fee".to_owned(), order.total_fee.to_string()),
            ("cash_fee".to_owned(), order.total_fee.to_string()),
            ("fee_type".to_owned(), "CNY".to_owned()),
            ("transaction_id".to_owned(), order.transaction_id.clone()),
            ("out_trade_no".to_owned(), out_trade_no.to_owned()),
            ("time_end".to_owned(), "20260101120000".to_owned()),
        ]);
        let signature = sign(&fields, &self.state.key, SignType::Md5);
        fields.insert("sign".into(), signature);
        post(url, xml::write("xml", &fields)).await
    }

    /// Sends the refund notification (退款结果通知) of a refund to `url`
    /// (loopback only) and returns the merchant's answer fields.
    pub async fn notify_refund(
        &self,
        url: &str,
        out_refund_no: &str,
    ) -> Result<BTreeMap<String, String>, SandboxError> {
        let refund = super::ops::lock_refund(&self.state, out_refund_no).ok_or_else(|| {
            SandboxError::Rejected {
                code: "REFUNDNOTEXIST".into(),
                message: format!("no refund {out_refund_no}"),
            }
        })?;
        let order = self.order(&refund.out_trade_no)?;
        let info = BTreeMap::from([
            ("transaction_id".to_owned(), order.transaction_id.clone()),
            ("out_trade_no".to_owned(), refund.out_trade_no.clone()),
            ("refund_id".to_owned(), refund.refund_id.clone()),
            ("out_refund_no".to_owned(), out_refund_no.to_owned()),
            ("total_fee".to_owned(), order.total_fee.to_string()),
            ("refund_fee".to_owned(), refund.refund_fee.to_string()),
            (
                "settlement_refund_fee".to_owned(),
                refund.refund_fee.to_string(),
            ),
            ("refund_status".to_owned(), "SUCCESS".to_owned()),
            ("success_time".to_owned(), "2026-01-01 12:00:00".to_owned()),
            ("refund_recv_accout".to_owned(), "支付用户零钱".to_owned()),
            (
                "refund_account".to_owned(),
                "REFUND_SOURCE_RECHARGE_FUNDS".to_owned(),
            ),
            ("refund_request_source".to_owned(), "API".to_owned()),
        ]);
        let fields = BTreeMap::from([
            ("return_code".to_owned(), "SUCCESS".to_owned()),
            ("appid".to_owned(), order.appid.clone()),
            ("mch_id".to_owned(), self.state.mchid.clone()),
            ("nonce_str".to_owned(), nonce()),
            (
                "req_info".to_owned(),
                req_info::encrypt(&info, &self.state.key),
            ),
        ]);
        post(url, xml::write("xml", &fields)).await
    }

    fn order(&self, out_trade_no: &str) -> Result<super::ops::Order, SandboxError> {
        super::ops::lock_order(&self.state, out_trade_no).ok_or_else(|| SandboxError::Rejected {
            code: "ORDERNOTEXIST".into(),
            message: format!("no order {out_trade_no}"),
        })
    }
}

async fn post(url: &str, body: String) -> Result<BTreeMap<String, String>, SandboxError> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| SandboxError::Config(format!("notify URL {url:?}: {e}")))?;
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if !loopback {
        return Err(SandboxError::Config(format!(
            "notify URL {url:?} is not loopback"
        )));
    }
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| SandboxError::Config(format!("HTTP client: {e}")))?;
    let answer = http
        .post(parsed)
        .header(http::header::CONTENT_TYPE, "text/xml; charset=utf-8")
        .body(body)
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| SandboxError::Callback(format!("POST {url}: {e}")))?;
    let bytes = answer
        .bytes()
        .await
        .map_err(|e| SandboxError::Callback(format!("POST {url}: {e}")))?;
    xml::read(&bytes)
        .map_err(|e| SandboxError::Callback(format!("the answer of {url} is not APIv2 XML: {e}")))
}
