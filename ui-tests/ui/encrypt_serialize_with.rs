// `serialize_with = "wxpay_core::sensitive::encrypt"` is refused too: the
// field would print in `Debug`. At the top of a request the attribute
// says so; nested in a plain serde struct, the function itself does, with
// the field's `Sensitive` form.
use wxpay_core::wxpay_api;

#[derive(Debug, serde::Serialize)]
pub struct Contact {
    #[serde(serialize_with = "wxpay_core::sensitive::encrypt")]
    pub name: String,
}

#[wxpay_api(POST, "v3/applyment4sub/applyment/", response = ())]
#[derive(Debug)]
pub struct ApplymentRequest<'a> {
    #[serde(serialize_with = "wxpay_core::sensitive::encrypt")]
    pub contact_name: &'a str,
    pub contact: Contact,
}

fn main() {}
