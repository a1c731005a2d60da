use wxpay_core::wxpay_api;

#[wxpay_api]
pub struct NoArgsRequest {
    pub a: u32,
}

#[wxpay_api(POST)]
pub struct NoTemplateRequest {
    pub a: u32,
}

#[wxpay_api("v3/things")]
pub struct NoMethodRequest {
    pub a: u32,
}

#[wxpay_api(POST, response = serde_json::Value)]
pub struct ResponseButNoTemplateRequest {
    pub a: u32,
}

fn main() {}
