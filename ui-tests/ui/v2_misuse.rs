use wxpay_core::wxpay_api;

// APIv2 operations are POSTs of XML fields: the GET pages are browser URLs.
#[wxpay_api(v2, GET, "v2/papay/entrustweb", response = ())]
pub struct EntrustWeb<'a> {
    pub appid: &'a str,
}

// No path parameters, field roles or APIv3 encryption.
#[wxpay_api(v2, POST, "v2/things/<thing_id>", response = ())]
pub struct Things<'a> {
    pub thing_id: &'a str,
    #[wxpay(query)]
    pub appid: &'a str,
    #[wxpay(encrypt)]
    pub name: &'a str,
}

// `v2` comes with the method and the path.
#[wxpay_api(v2)]
pub struct Nothing {}

// `sign_type` is MD5 or HMAC-SHA256, and only for APIv2.
#[wxpay_api(v2, POST, "v2/pay/micropay", response = (), sign_type = "SHA1")]
pub struct Sha1 {}

#[wxpay_api(POST, "v3/things", response = (), sign_type = "HMAC-SHA256")]
pub struct V3Things {}

fn main() {}
