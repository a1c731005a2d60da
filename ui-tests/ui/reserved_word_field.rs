// A field named with a reserved word: one error (the compiler's, with its
// `r#type` suggestion), not a second one from the attribute.
use wxpay_core::wxpay_api;

#[wxpay_api(GET, "v3/things/<type>", response = ())]
pub struct ThingRequest<'a> {
    pub type: &'a str,
}

fn main() {}
