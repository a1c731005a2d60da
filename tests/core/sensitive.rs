//! Sensitive fields: encrypted with the WeChat Pay key of an explicit
//! encoding context (the client's, inside `send`), with `Wechatpay-Serial`
//! naming that key; redacted in `Debug`.

use wxpay_core::sensitive::Sensitive;
use wxpay_core::{wxpay_api, EncodeContext, EncodedRequest, Encryptor, Error, Method};

use crate::server::{Reply, TestServer, PLATFORM_ID};

#[wxpay_api(POST, "v3/applyment4sub/applyment/", response = serde_json::Value)]
#[derive(Debug, Clone)]
pub struct Applyment<'a> {
    pub business_code: &'a str,
    pub contact_name: Sensitive<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<Sensitive<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<Sensitive<&'a str>>,
}

fn applyment() -> Applyment<'static> {
    Applyment {
        business_code: "APPLYMENT_00000000001",
        contact_name: Sensitive::new("张三".into()),
        mobile_phone: Some(Sensitive::new("13800138000")),
        contact_email: None,
    }
}

#[tokio::test]
async fn sensitive_fields_are_encrypted_for_the_wechat_key_and_the_serial_is_sent() {
    let server = TestServer::start().await;
    let client = server.client();
    let _: serde_json::Value = applyment().send(&client).await.unwrap();
    let got = server.last();
    assert_eq!(got.target, "/v3/applyment4sub/applyment/");
    assert_eq!(got.headers["wechatpay-serial"], PLATFORM_ID, "the key used");
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
    assert_eq!(shown.matches("<redacted>").count(), 2, "{shown}");
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
        matches!(err, Error::InvalidRequest(ref m) if m.contains("needs a WeChat Pay key")
            && m.contains("wechatpay_public_key")),
        "{err:?}"
    );
    assert_eq!(server.count(), 0, "nothing was sent");
}

#[test]
fn requests_encode_outside_send_with_a_given_key() {
    // A key of our own, as a test, a log or a queue would hold it: no client.
    let platform = wxpay_core::unstable::generate_private_key().unwrap();
    let encryptor = Encryptor::new(
        "PUB_KEY_ID_0100000000000000000000000000",
        platform.public_key().clone(),
    );
    let cx = EncodeContext::new("1900000100").with_encryptor(&encryptor);
    let encoded = EncodedRequest::encode(&applyment(), &cx).unwrap();
    let body: serde_json::Value = serde_json::from_slice(encoded.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        platform
            .decrypt_oaep_base64(body["contact_name"].as_str().unwrap())
            .unwrap(),
        "张三"
    );
    assert_eq!(
        platform
            .decrypt_oaep_base64(body["mobile_phone"].as_str().unwrap())
            .unwrap(),
        "13800138000"
    );
    assert!(encoded
        .headers
        .iter()
        .any(|(name, value)| name == "Wechatpay-Serial"
            && value == "PUB_KEY_ID_0100000000000000000000000000"));
    // The same context, encoded twice, does not depend on the thread.
    let elsewhere = std::thread::spawn(move || {
        let cx = EncodeContext::new("1900000100").with_encryptor(&encryptor);
        EncodedRequest::encode(&applyment(), &cx).is_ok()
    });
    assert!(elsewhere.join().unwrap());
}

#[tokio::test]
async fn a_caller_serial_that_contradicts_the_key_used_is_refused() {
    let server = TestServer::start().await;
    let client = server.client();
    let err = client
        .request(Method::Post, "v3/applyment4sub/applyment/")
        .header("Wechatpay-Serial", "STALE")
        .json(serde_json::json!({ "contact_name": "张三" }))
        .send::<serde_json::Value>()
        .await;
    // Nothing encrypted by the client: the caller's serial stands.
    assert!(err.is_ok(), "{err:?}");
    assert_eq!(server.last().headers["wechatpay-serial"], "STALE");
    #[derive(serde::Serialize)]
    struct Contact {
        contact_name: Sensitive<&'static str>,
    }
    let err = client
        .request(Method::Post, "v3/applyment4sub/applyment/")
        .header("Wechatpay-Serial", "STALE")
        .json(Contact {
            contact_name: Sensitive::new("张三"),
        })
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.contains("STALE") && m.contains(PLATFORM_ID)),
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
        .json(serde_json::json!({ "mobile": ciphertext }))
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
