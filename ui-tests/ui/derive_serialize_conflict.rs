use serde::Serialize;
use wxpay_core::wxpay_api;

#[wxpay_api(POST, "v3/things", response = ())]
#[derive(Debug, Serialize)]
pub struct CreateThingRequest {
    #[serde(rename = "thing_name")]
    pub name: String,
}

#[wxpay_api(POST, "v3/things", response = ())]
#[derive(serde::Serialize, Clone)]
pub struct CopyThingRequest {
    pub name: String,
}

fn main() {}

// Written above the attribute, the derive runs after `#[wxpay_api]` has
// added its own: rustc reports the two impls.
#[derive(Serialize)]
#[wxpay_api(POST, "v3/things", response = ())]
pub struct DeriveAboveRequest {
    pub name: String,
}
