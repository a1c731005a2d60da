// A header field's type must be a string, an integer or an Option of those.
use wxpay_core::wxpay_api;

#[wxpay_api(GET, "v3/things", response = ())]
pub struct ListThingsRequest {
    #[wxpay(header = "Idempotency-Key")]
    pub serials: Vec<String>,
}

fn main() {}
