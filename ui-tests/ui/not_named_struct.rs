use wxpay_core::wxpay_api;

#[wxpay_api(GET, "v3/things", response = ())]
pub enum ThingRequest {
    List,
    Get(u64),
}

#[wxpay_api(GET, "v3/things", response = ())]
pub union ThingUnion {
    pub a: u32,
    pub b: f32,
}

#[wxpay_api(GET, "v3/things/<id>", response = ())]
pub struct TupleRequest<'a>(pub &'a str);

#[wxpay_api(POST, "v3/things/close", response = ())]
pub struct UnitRequest;

#[wxpay_api(GET, "v3/things", response = ())]
pub fn list_things() {}

fn main() {}
