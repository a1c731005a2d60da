// `v2/` starts an APIv2 template: on an APIv3 declaration the `v2` marker
// was forgotten. An APIv2 template starts with it, as the catalog writes it.
use wxpay_core::wxpay_api;

#[wxpay_api(POST, "v2/pay/micropay", response = ())]
pub struct MarkerForgottenRequest<'a> {
    pub appid: &'a str,
}

#[wxpay_api(v2, POST, "pay/micropay", response = ())]
pub struct PrefixForgottenRequest<'a> {
    pub appid: &'a str,
}

fn main() {}
