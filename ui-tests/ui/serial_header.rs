// `Wechatpay-Serial` is decided by the client in one place: it names the key
// `Sensitive` fields were encrypted with (or, with the flag
// `wechatpay_serial`, the current key). A field cannot set it, whatever
// its letter case, and with or without a sensitive field beside it.
use wxpay_core::sensitive::Sensitive;
use wxpay_core::wxpay_api;

#[wxpay_api(POST, "v3/applyment4sub/applyment/", response = ())]
pub struct ApplymentRequest<'a> {
    pub contact_name: Sensitive<&'a str>,
    #[wxpay(header = "Wechatpay-Serial")]
    pub serial: &'a str,
}

#[wxpay_api(GET, "v3/realname/verify", response = ())]
pub struct VerifyRequest<'a> {
    pub encrypted_name: &'a str,
    #[wxpay(header = "wechatpay-serial")]
    pub serial: Option<&'a str>,
}

// The fix: typed sensitive values, and the flag where the header is always sent.
#[wxpay_api(GET, "v3/realname/verify", response = (), wechatpay_serial)]
pub struct FixedRequest<'a> {
    pub name: Sensitive<&'a str>,
}

fn main() {}
