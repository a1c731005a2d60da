// @generated-style file: the first lines carry the marker, as wxpay-apis' generated modules do.
//! A file marked `@generated` may still declare a `Wechatpay-Serial` header
//! field (a compile error anywhere else: `ui/serial_header.rs`). wxpay-apis'
//! generator emits one on the operations whose encrypted query values the
//! caller encrypts by hand, until it types them `Sensitive`; this case goes
//! with that allowance.

use wxpay_core::{wxpay_api, EncodedRequest};

#[wxpay_api(GET, "v3/realname/verify", response = serde_json::Value)]
pub struct VerifyRealnameRequest<'a> {
    pub encrypted_name: &'a str,
    #[wxpay(header = "Wechatpay-Serial")]
    pub wechatpay_serial: &'a str,
}

#[test]
fn generated_code_keeps_its_serial_header_field() {
    let encoded = EncodedRequest::from_api(&VerifyRealnameRequest {
        encrypted_name: "c2VhbGVk",
        wechatpay_serial: "PUB_KEY_ID_0100000000000000000000000000",
    })
    .expect("the request encodes");
    assert_eq!(
        encoded.headers,
        [(
            "Wechatpay-Serial".into(),
            "PUB_KEY_ID_0100000000000000000000000000".to_owned()
        )]
    );
}
