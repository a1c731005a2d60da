use wxpay_core::wxpay_api;

const PATH: &str = "v3/things";

#[wxpay_api(GET, PATH)]
pub struct ConstPathRequest {
    pub a: u32,
}

#[wxpay_api(GET, 42)]
pub struct NumberPathRequest {
    pub a: u32,
}

#[wxpay_api(GET, b"v3/things")]
pub struct BytesPathRequest {
    pub a: u32,
}

fn main() {}
