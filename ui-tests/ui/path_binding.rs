// `#[wxpay(path = "param")]` binds a path parameter to a field of another
// name. Misuses: a parameter the template does not have (with "did you
// mean"), a parameter bound twice, a binding the field's name makes
// already, and the attribute without a value or with angle brackets.
use wxpay_core::wxpay_api;

#[wxpay_api(GET, "v3/refund/domestic/refunds/<out_refund_no>", response = ())]
pub struct UnknownParameterRequest<'a> {
    #[wxpay(path = "out_refund_num")]
    pub refund: &'a str,
}

#[wxpay_api(GET, "v3/refund/domestic/refunds", response = ())]
pub struct NoParametersRequest<'a> {
    #[wxpay(path = "out_refund_no")]
    pub refund: &'a str,
}

#[wxpay_api(GET, "v3/things/<a>/<b>", response = ())]
pub struct NotAParameterRequest<'a> {
    #[wxpay(path = "thing")]
    pub thing: &'a str,
    pub a: &'a str,
    pub b: &'a str,
}

#[wxpay_api(GET, "v3/refund/domestic/refunds/<out_refund_no>", response = ())]
pub struct BoundTwiceRequest<'a> {
    #[wxpay(path = "out_refund_no")]
    pub refund: &'a str,
    #[wxpay(path = "out_refund_no")]
    pub refund_again: &'a str,
}

#[wxpay_api(POST, "v3/things/<thing_id>/copy", response = ())]
pub struct BoundByNameAndAttributeRequest<'a> {
    #[wxpay(path = "thing_id")]
    pub source: &'a str,
    pub thing_id: &'a str,
}

#[wxpay_api(GET, "v3/things/<thing_id>", response = ())]
pub struct RedundantRequest<'a> {
    #[wxpay(path = "thing_id")]
    pub thing_id: &'a str,
}

#[wxpay_api(GET, "v3/things/<thing_id>", response = ())]
pub struct MalformedRequest<'a> {
    #[wxpay(path)]
    pub id: &'a str,
    #[wxpay(path = "<thing_id>")]
    pub id_again: &'a str,
    #[wxpay(path = "thing-id", query)]
    pub id_once_more: &'a str,
}

fn main() {}
