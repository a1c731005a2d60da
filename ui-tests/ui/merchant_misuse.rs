// `#[wxpay(merchant)]` marks the calling merchant's id in the body or the
// query: an `Option` (`None`: the client's own id), always sent. Misuses:
// another type, a path or header field, a serde setting that writes it
// otherwise or leaves it out, a value, and an `Option` of a number.
use wxpay_core::wxpay_api;

#[wxpay_api(POST, "v3/pay/transactions/native", response = ())]
pub struct NotAnOptionRequest<'a> {
    #[wxpay(merchant)]
    pub mchid: &'a str,
}

#[wxpay_api(GET, "v3/merchants/<sub_mchid>", response = ())]
pub struct PathOrHeaderRequest<'a> {
    #[wxpay(merchant)]
    pub sub_mchid: Option<&'a str>,
    #[wxpay(merchant, header = "X-Merchant")]
    pub header_mchid: Option<&'a str>,
}

#[wxpay_api(POST, "v3/pay/transactions/native", response = ())]
pub struct LeftOutRequest<'a> {
    #[wxpay(merchant)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mchid: Option<&'a str>,
    #[wxpay(merchant)]
    #[serde(serialize_with = "my_writer")]
    pub sp_mchid: Option<&'a str>,
    #[wxpay(merchant = "1900000100")]
    pub sub_mchid: Option<&'a str>,
}

// An `Option` of a number: a merchant id is text.
#[wxpay_api(POST, "v3/pay/transactions/native", response = ())]
pub struct NumericMerchantRequest {
    #[wxpay(merchant)]
    pub mchid: Option<u64>,
}

fn main() {}
