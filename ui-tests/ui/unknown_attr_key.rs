// Arguments of `#[wxpay_api]` that do not exist or are misused: each names
// the fix, a typo gets "did you mean", and the help lists the arguments of
// APIv3 and of APIv2 separately.
use wxpay_core::wxpay_api;

#[wxpay_api(POST, "v3/things", response = (), foo = 1)]
pub struct UnknownKeyRequest {
    pub a: u32,
}

#[wxpay_api(POST, "v3/things", respose = Vec<u8>)]
pub struct MisspelledKeyRequest {
    pub a: u32,
}

#[wxpay_api(POST, "v3/things", response)]
pub struct ResponseWithoutTypeRequest {
    pub a: u32,
}

#[wxpay_api(POST, "v3/things", path = "v3/other", response = ())]
pub struct UnknownKeyThenResponseRequest {
    pub a: u32,
}

#[wxpay_api(GET, "v3/things", response = (), wechatpay_serail)]
pub struct MisspelledFlagRequest {
    pub a: u32,
}

#[wxpay_api(v2, POST, "v2/pay/micropay", response = (), certificate = true, sign_typ = "MD5")]
pub struct FlagWithValueRequest {
    pub a: u32,
}

#[wxpay_api(v2, POST, "v2/pay/micropay", response = (), sign_type, unsigned_answer, unsigned_answer)]
pub struct SignTypeWithoutValueRequest {
    pub a: u32,
}

#[wxpay_api(POST, "v2/pay/micropay", response = (), v2)]
pub struct MarkerLastRequest {
    pub a: u32,
}

fn main() {}
