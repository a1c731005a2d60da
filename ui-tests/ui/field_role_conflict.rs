// Rules across the template and the fields' roles.
use wxpay_core::wxpay_api;

// `#[wxpay]` above `#[wxpay_api]` is resolved by rustc before the macro runs
// ("cannot find attribute"), so the misplaced one is written below it.
#[wxpay_api(POST, "v3/things/<id>", response = ())]
#[wxpay(query)]
pub struct RolesRequest<'a> {
    #[wxpay(query)]
    pub id: &'a str,
    #[wxpay(header = "Idempotency-Key")]
    pub serial: &'a str,
    #[wxpay(header = "idempotency-key")]
    pub serial_again: &'a str,
    #[wxpay(header = "Authorization")]
    pub token: &'a str,
    #[wxpay(query)]
    #[serde(with = "some_module")]
    pub custom_query: &'a str,
    #[wxpay(query)]
    #[serde(skip)]
    pub never_sent: &'a str,
}

fn main() {}
