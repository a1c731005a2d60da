use wxpay_core::wxpay_api;

#[wxpay_api(GET, "v3/things/<id>/children/<id>", response = ())]
pub struct GetChildRequest<'a> {
    pub id: &'a str,
}

fn main() {}
