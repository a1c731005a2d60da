// The method is one of GET POST PUT PATCH DELETE, uppercase, as an identifier.
// A caller of `send` gets no follow-up error: the macro error is the only one.
use wxpay_core::wxpay_api;

#[wxpay_api(FETCH, "v3/things", response = ())]
pub struct ListThingsRequest {
    pub limit: u32,
}

#[wxpay_api(post, "v3/things", response = ())]
pub struct CreateThingRequest {
    pub name: String,
}

#[wxpay_api("DELETE", "v3/things/<id>", response = ())]
pub struct DeleteThingRequest {
    pub id: u64,
}

pub async fn call(client: &wxpay_core::Client) {
    let _ = ListThingsRequest { limit: 1 }.send(client).await;
}

fn main() {}
