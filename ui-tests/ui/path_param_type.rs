// A path field's type must be a string or an integer: the error is on the type.
use wxpay_core::wxpay_api;

#[wxpay_api(GET, "v3/things/<id>/<name>", response = ())]
pub struct GetThingRequest {
    pub id: Vec<u8>,
    pub name: Option<&'static str>,
}

#[wxpay_api(GET, "v3/things/<id>", response = ())]
pub struct GenericThingRequest<T> {
    pub id: T,
}

fn main() {}
