// Problems inside `#[wxpay(...)]` on one field.
use wxpay_core::wxpay_api;

#[wxpay_api(POST, "v3/things", response = ())]
pub struct FieldAttrRequest<'a> {
    #[wxpay(paht)]
    pub unknown_key: &'a str,
    #[wxpay(query, query)]
    pub repeated_key: &'a str,
    #[wxpay(query)]
    #[wxpay(query)]
    pub repeated_across_attributes: &'a str,
    #[wxpay(query, header = "X-Thing")]
    pub two_roles: &'a str,
    #[wxpay(body, query)]
    pub two_roles_again: &'a str,
    #[wxpay]
    pub no_argument: &'a str,
    #[wxpay()]
    pub empty_argument: &'a str,
    #[wxpay(query = "yes")]
    pub value_on_flag: &'a str,
    #[wxpay(header)]
    pub header_without_name: &'a str,
    #[wxpay(header = Idempotency_Key)]
    pub header_not_literal: &'a str,
    #[wxpay(header = "")]
    pub empty_header: &'a str,
    #[wxpay(header = "Idempotency Key")]
    pub header_with_space: &'a str,
    #[wxpay(header = "Idempotency-Key:")]
    pub header_with_colon: &'a str,
}

fn main() {}
