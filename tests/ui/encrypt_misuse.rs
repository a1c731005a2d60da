use wxpay_core::wxpay_api;

// Only JSON body fields of POST/PUT/PATCH can be encrypted.
#[wxpay_api(GET, "v3/things/<thing_id>")]
pub struct Query {
    #[wxpay(encrypt)]
    pub thing_id: String,
    #[wxpay(encrypt)]
    pub name: String,
    #[wxpay(encrypt, header = "X-Name")]
    pub header_name: String,
}

// `encrypt` decides how the field is written.
#[wxpay_api(POST, "v3/things")]
pub struct Create {
    #[wxpay(encrypt)]
    #[serde(serialize_with = "my_writer")]
    pub name: String,
    #[wxpay(encrypt = "yes")]
    pub phone: String,
}

// Only text can be encrypted.
#[wxpay_api(POST, "v3/things")]
pub struct Typed {
    #[wxpay(encrypt)]
    pub amount: i64,
}

fn main() {}
