use wxpay_core::wxpay_api;

#[wxpay_api(POST, "v3/ecommerce/refunds/<refund_id>/return-advance", response = ())]
pub struct ReturnAdvanceRequest<'a> {
    pub refundid: &'a str,
    pub sub_mchid: &'a str,
}

#[wxpay_api(GET, "v3/merchants/<sub_mchid>/things/<thing_id>", response = ())]
pub struct GetThingRequest {
    pub limit: u32,
}

fn main() {}
