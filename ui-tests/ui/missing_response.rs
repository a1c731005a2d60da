// The response type is named in every declaration: without it, a forgotten
// `response =` would only show at the first use of the answer. A type in
// quotes is refused with the unquoted form.
use wxpay_core::wxpay_api;

#[derive(serde::Deserialize)]
pub struct Thing {
    pub status: String,
}

#[wxpay_api(GET, "v3/things/<id>")]
pub struct GetThingRequest<'a> {
    pub id: &'a str,
}

#[wxpay_api(v2, POST, "v2/pay/orderquery")]
pub struct OrderQueryRequest<'a> {
    pub appid: &'a str,
}

#[wxpay_api(GET, "v3/things/<id>", response = "Thing")]
pub struct QuotedResponseRequest<'a> {
    pub id: &'a str,
}

#[wxpay_api(GET, "v3/things/<id>", response = 42)]
pub struct NotATypeRequest<'a> {
    pub id: &'a str,
}

// Callers add no errors of their own.
pub async fn caller(client: &wxpay_core::Client) {
    let _ = GetThingRequest { id: "1" }.send(client).await;
    let _ = QuotedResponseRequest { id: "1" }.send(client).await.map(|t| t.status);
}

fn main() {}
