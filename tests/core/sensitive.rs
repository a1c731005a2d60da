//! Sensitive fields: encrypted with the WeChat Pay key inside `send`, with
//! `Wechatpay-Serial` naming that key; redacted in `Debug`.

use wxpay_core::{wxpay_api, Error, Method};

use crate::server::{Reply, TestServer, PLATFORM_ID};

#[wxpay_api(POST, "v3/applyment4sub/applyment/")]
#[derive(Debug, Clone)]
pub struct Applyment<'a> {
    pub business_code: &'a str,
    #[wxpay(encrypt)]
    pub contact_name: String,
    #[wxpay(encrypt)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<&'a str>,
    #[wxpay(encrypt)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<&'a str>,
    #[wxpay(header = "Wechatpay-Serial")]
    pub serial: Option<String>,
}

fn applyment() -> Applyment<'static> {
    Applyment {
        business_code: "APPLYMENT_00000000001",
        contact_name: "张三".into(),
        mobile_phone: Some("13800138000"),
        contact_email: None,
        serial: Some("STALE".into()),
    }
}

#[tokio::test]
async fn sensitive_fields_are_encrypted_for_the_wechat_key_and_the_serial_is_sent() {
    let server = TestServer::start().await;
    let client = server.client();
    let _: serde_json::Value = applyment().send(&client).await.unwrap();
    let got = server.last();
    assert_eq!(got.target, "/v3/applyment4sub/applyment/");
    assert_eq!(
        got.headers["wechatpay-serial"], PLATFORM_ID,
        "the key actually used, not the stale value"
    );
    assert_eq!(got.headers.get_all("wechatpay-serial").iter().count(), 1);
    let body: serde_json::Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(body["business_code"], "APPLYMENT_00000000001");
    assert!(body.get("contact_email").is_none());
    for (field, plain) in [("contact_name", "张三"), ("mobile_phone", "13800138000")] {
        let ciphertext = body[field].as_str().unwrap();
        assert_ne!(ciphertext, plain);
        assert_eq!(
            server.platform.decrypt_oaep_base64(ciphertext).unwrap(),
            plain,
            "{field}"
        );
    }
    assert!(!String::from_utf8_lossy(&got.body).contains("13800138000"));
}

#[test]
fn debug_redacts_sensitive_fields() {
    let shown = format!("{:?}", applyment());
    assert!(shown.contains("APPLYMENT_00000000001"), "{shown}");
    assert!(
        !shown.contains("张三") && !shown.contains("13800138000"),
        "{shown}"
    );
    assert_eq!(shown.matches("<redacted>").count(), 3, "{shown}");
}

#[tokio::test]
async fn sensitive_fields_never_leave_in_clear() {
    // Serialised outside `send`: refused rather than written in clear.
    assert!(serde_json::to_string(&applyment()).is_err());
    // No key to encrypt with: a typed error before anything is sent.
    let server = TestServer::start().await;
    let client = server
        .builder()
        .keyring(wxpay_core::Keyring::new())
        .build()
        .unwrap();
    let err = applyment().send(&client).await.unwrap_err();
    assert!(
        matches!(err, Error::InvalidRequest(ref m) if m.contains("no WeChat Pay public key")),
        "{err:?}"
    );
}

#[tokio::test]
async fn hand_built_requests_and_returned_fields() {
    let server = TestServer::start().await;
    server.reply(Reply::json(200, "{}"));
    let client = server.client();
    let (serial, ciphertext) = client.encrypt_sensitive("13800138000").unwrap();
    assert_eq!(serial, PLATFORM_ID);
    assert_eq!(
        server.platform.decrypt_oaep_base64(&ciphertext).unwrap(),
        "13800138000"
    );
    let _: serde_json::Value = client
        .request(Method::Post, "v3/x")
        .header("Wechatpay-Serial", serial)
        .json(&serde_json::json!({ "mobile": ciphertext }))
        .send()
        .await
        .unwrap();
    // A field WeChat returns encrypted for the merchant decrypts with its key.
    let returned = server
        .merchant
        .public_key()
        .encrypt_oaep_base64("李四")
        .unwrap();
    assert_eq!(client.decrypt_sensitive(&returned).unwrap(), "李四");
}
