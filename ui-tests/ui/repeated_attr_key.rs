use wxpay_core::wxpay_api;

#[wxpay_api(POST, "v3/things", response = serde_json::Value, response = std::collections::HashMap<String, u32>)]
pub struct TwoResponsesRequest {
    pub a: u32,
}

fn main() {}
