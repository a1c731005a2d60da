// The fields an APIv2 client writes itself cannot be declared: the client's
// `mch_id` would be replaced (WeChat answers `mch_id参数错误`), and its
// nonce, sign and sign type would not match. A rename to one of those wire
// names counts. Transfers name the merchant `mchid`, which is allowed (the
// client then sends no `mch_id`); `merchant` and `Sensitive` are APIv3's.
use wxpay_core::sensitive::Sensitive;
use wxpay_core::wxpay_api;

#[wxpay_api(v2, POST, "v2/pay/orderquery", response = ())]
pub struct OrderQueryRequest<'a> {
    pub appid: &'a str,
    pub mch_id: &'a str,
    pub nonce_str: String,
    pub sign: String,
    pub sign_type: Option<&'a str>,
    #[serde(rename = "mch_id")]
    pub merchant: &'a str,
    #[serde(skip)]
    pub sign_cache: String,
}

#[wxpay_api(v2, POST, "v2/mmpaymkttransfers/promotion/transfers", response = (), certificate)]
pub struct TransferRequest<'a> {
    pub mch_appid: &'a str,
    pub mchid: &'a str,
    pub re_user_name: Sensitive<&'a str>,
}

#[wxpay_api(v2, POST, "v2/pay/refundquery", response = ())]
pub struct RefundQueryRequest<'a> {
    #[wxpay(merchant)]
    pub mch_id: Option<&'a str>,
}

fn main() {}
