// A sensitive field says so by its type, `Sensitive<T>`: redacted in
// `Debug` whatever the attribute order, encrypted wherever it is sent. The
// old `#[wxpay(encrypt)]` is refused with the field's own `Sensitive` form,
// also with `#[derive(Debug)]` written above the attribute (which rustc
// runs first, on the struct as written).
use wxpay_core::wxpay_api;

#[derive(Debug)]
#[wxpay_api(POST, "v3/applyment4sub/applyment/", response = ())]
pub struct DebugAboveRequest<'a> {
    #[wxpay(encrypt)]
    pub contact_name: &'a str,
    #[wxpay(encrypt)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
}

#[wxpay_api(GET, "v3/things", response = ())]
#[derive(Debug)]
pub struct QueryRequest<'a> {
    #[wxpay(query, encrypt)]
    pub account: &'a str,
    #[wxpay(encrypt = "yes")]
    pub name: &'a str,
}

#[wxpay_api(v2, POST, "v2/pay/micropay", response = ())]
pub struct ApiV2Request<'a> {
    #[wxpay(encrypt)]
    pub bank_card: &'a str,
}

fn main() {}
