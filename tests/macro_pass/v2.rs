//! `#[wxpay_api(v2, ...)]`: the flat text fields an APIv2 operation writes,
//! its sign type, and its answer type.

use serde::Deserialize;
use wxpay_core::wxpay_api;

/// An APIv2 operation declared by hand: `v2` before the method.
#[derive(Debug, Deserialize)]
pub struct CloseOrderResponse {
    pub appid: Option<String>,
    #[serde(flatten)]
    pub other: wxpay_core::v2::V2Fields,
}

#[wxpay_api(v2, POST, "v2/pay/closeorder", response = CloseOrderResponse)]
#[serde(rename_all = "snake_case")]
pub struct CloseOrderV2<'a> {
    pub appid: &'a str,
    pub out_trade_no: &'a str,
    /// Renamed on the wire, as serde does it.
    #[serde(rename = "sub_mch_id")]
    pub sub_merchant: Option<&'a str>,
    pub total_fee: u32,
    /// Sent as JSON text.
    pub scene_info: Option<serde_json::Value>,
}

#[test]
fn a_v2_operation_writes_flat_text_fields() {
    use wxpay_core::v2::V2Operation;

    let request = CloseOrderV2 {
        appid: "wx1",
        out_trade_no: "T1",
        sub_merchant: None,
        total_fee: 100,
        scene_info: Some(serde_json::json!({"store_info": {"id": "SZ1"}})),
    };
    assert_eq!(CloseOrderV2::PATH, "v2/pay/closeorder");
    assert_eq!(CloseOrderV2::SIGN_TYPE, None);
    assert_eq!(
        ShortUrlV2::SIGN_TYPE,
        Some(wxpay_core::v2::SignType::HmacSha256)
    );
    let fields = request.fields().unwrap();
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("appid", "wx1"),
            ("out_trade_no", "T1"),
            ("scene_info", r#"{"store_info":{"id":"SZ1"}}"#),
            ("total_fee", "100"),
        ]
    );
    let with_sub = CloseOrderV2 {
        sub_merchant: Some("1900000109"),
        scene_info: None,
        ..request
    };
    assert_eq!(with_sub.fields().unwrap()["sub_mch_id"], "1900000109");
}

/// `response = V2Response`: the untyped answer.
#[wxpay_api(v2, POST, "v2/tools/shorturl", response = wxpay_core::v2::V2Response, sign_type = "HMAC-SHA256")]
pub struct ShortUrlV2<'a> {
    pub appid: &'a str,
    pub long_url: &'a str,
}

#[test]
fn a_v2_operation_may_answer_untyped() {
    use wxpay_core::v2::{V2Operation, V2Response};

    fn answer_of<O: V2Operation<Response = V2Response>>(_: &O) {}
    answer_of(&ShortUrlV2 {
        appid: "wx1",
        long_url: "weixin://wxpay/bizpayurl?pr=1",
    });
}
