// Every mistake in one declaration is reported in one compilation, and
// nothing else: the struct is still emitted (no "cannot find type"), its
// `#[wxpay]`/`#[serde]` attributes are stripped, and callers see no errors.
use wxpay_core::wxpay_api;

#[wxpay_api(FETCH, "v3/things/<thing_id>/<sub-id>", response = (), foo = 1)]
pub struct ThingRequest<'a> {
    #[wxpay(quer)]
    #[serde(rename = "name")]
    pub thing_name: &'a str,
    #[wxpay(header = "")]
    pub serial: &'a str,
}

pub async fn call(client: &wxpay_core::Client) {
    let request = ThingRequest {
        thing_name: "x",
        serial: "y",
    };
    let _ = request.send(client).await;
}

fn main() {}
