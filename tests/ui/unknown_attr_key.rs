use wxpay_core::wxpay_api;

#[wxpay_api(POST, "v3/things", foo = 1)]
pub struct UnknownKeyRequest {
    pub a: u32,
}

#[wxpay_api(POST, "v3/things", responses = Vec<u8>)]
pub struct MisspelledKeyRequest {
    pub a: u32,
}

#[wxpay_api(POST, "v3/things", response)]
pub struct ResponseWithoutTypeRequest {
    pub a: u32,
}

#[wxpay_api(POST, "v3/things", path = "v3/other", response = serde_json::Value)]
pub struct UnknownKeyThenResponseRequest {
    pub a: u32,
}

fn main() {}
