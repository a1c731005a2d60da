use wxpay_core::wxpay_api;

#[wxpay_api(POST, "/v3/ecommerce/refunds/<refund_id>/return-advance", response = ())]
pub struct ReturnAdvanceRequest<'a> {
    pub refund_id: &'a str,
    pub sub_mchid: &'a str,
}

fn main() {}
