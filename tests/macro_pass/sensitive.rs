//! `Sensitive<T>` fields: encrypted through the encoding context wherever
//! they are (at the top, nested, in the body, in the query), and redacted by
//! `Debug` whatever the order of `#[derive(Debug)]` and `#[wxpay_api]`.

use std::sync::OnceLock;

use serde::Serialize;
use wxpay_core::sensitive::Sensitive;
use wxpay_core::{wxpay_api, EncodeContext, EncodedRequest, Encryptor, PrivateKey};

const KEY_ID: &str = "PUB_KEY_ID_0100000000000000000000000000";

/// The WeChat Pay key of these tests (generated once: RSA is slow to make).
fn platform() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| wxpay_core::unstable::generate_private_key().expect("an RSA key"))
}

fn encode_with_key<R: wxpay_core::ApiRequest>(request: &R) -> EncodedRequest {
    let encryptor = Encryptor::new(KEY_ID, platform().public_key().clone());
    let cx = EncodeContext::new("1900000100").with_encryptor(&encryptor);
    EncodedRequest::encode(request, &cx).expect("the request encodes")
}

fn decrypt(ciphertext: &str) -> String {
    platform()
        .decrypt_oaep_base64(ciphertext)
        .expect("it decrypts")
}

fn decrypt_json(ciphertext: &serde_json::Value) -> String {
    decrypt(ciphertext.as_str().expect("a ciphertext is text"))
}

/// A plain serde struct nested in a request.
#[derive(Debug, Serialize)]
pub struct Contact<'a> {
    pub name: Sensitive<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile: Option<Sensitive<&'a str>>,
    pub email: &'a str,
}

/// `Debug` derived above the attribute: rustc runs it first, on the struct
/// as written, before `#[wxpay_api]` sees it.
#[derive(Debug)]
#[wxpay_api(POST, "v3/things/<id>/contacts", response = serde_json::Value)]
pub struct AddContactDebugAbove<'a> {
    pub id: &'a str,
    pub holder: Sensitive<String>,
    pub contact: Contact<'a>,
}

/// `Debug` derived below it, as the documentation writes it.
#[wxpay_api(POST, "v3/things/<id>/contacts", response = serde_json::Value)]
#[derive(Debug)]
pub struct AddContactDebugBelow<'a> {
    pub id: &'a str,
    pub holder: Sensitive<String>,
    pub contact: Contact<'a>,
}

fn contact() -> Contact<'static> {
    Contact {
        name: Sensitive::new("张三"),
        mobile: Some(Sensitive::new("13800138000")),
        email: "zhang@example.com",
    }
}

#[test]
fn debug_never_prints_a_secret_whatever_the_attribute_order() {
    let above = AddContactDebugAbove {
        id: "T1",
        holder: Sensitive::new("李四".to_owned()),
        contact: contact(),
    };
    let below = AddContactDebugBelow {
        id: "T1",
        holder: Sensitive::new("李四".to_owned()),
        contact: contact(),
    };
    for shown in [format!("{above:?}"), format!("{below:?}")] {
        for secret in ["张三", "13800138000", "李四"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("zhang@example.com"), "{shown}");
        assert_eq!(shown.matches("Sensitive(<redacted>)").count(), 3, "{shown}");
    }
}

#[test]
fn nested_sensitive_fields_are_encrypted_and_the_key_named() {
    let request = AddContactDebugBelow {
        id: "T1",
        holder: Sensitive::new("李四".to_owned()),
        contact: contact(),
    };
    let encoded = encode_with_key(&request);
    let body: serde_json::Value =
        serde_json::from_slice(encoded.body.as_deref().expect("a body")).expect("JSON");
    assert_eq!(decrypt_json(&body["holder"]), "李四");
    assert_eq!(decrypt_json(&body["contact"]["name"]), "张三");
    assert_eq!(decrypt_json(&body["contact"]["mobile"]), "13800138000");
    assert_eq!(body["contact"]["email"], "zhang@example.com");
    assert_eq!(
        encoded.headers,
        [("Wechatpay-Serial".into(), KEY_ID.to_owned())]
    );
}

/// A sensitive query parameter, on a GET (the query is the struct's own
/// serialisation) and on a POST (`#[wxpay(query)]`, written on its own).
#[wxpay_api(GET, "v3/things/by-account", response = serde_json::Value)]
pub struct FindByAccount<'a> {
    pub account: Sensitive<&'a str>,
    pub limit: u32,
}

#[wxpay_api(POST, "v3/things/by-account/freeze", response = serde_json::Value)]
pub struct FreezeAccount<'a> {
    #[wxpay(query)]
    pub account: Sensitive<&'a str>,
    pub reason: &'a str,
}

fn query_value<'q>(query: &'q str, name: &str) -> std::borrow::Cow<'q, str> {
    let value = query
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {name} in {query}"));
    percent_decode(value)
}

fn percent_decode(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('%') {
        return text.into();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("two hex digits");
            out.push(u8::from_str_radix(hex, 16).expect("hex"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("UTF-8").into()
}

#[test]
fn sensitive_query_parameters_are_encrypted() {
    let encoded = encode_with_key(&FindByAccount {
        account: Sensitive::new("6222021234567890"),
        limit: 5,
    });
    let account = query_value(&encoded.query, "account");
    assert_eq!(decrypt(&account), "6222021234567890");
    assert!(encoded.query.ends_with("&limit=5"), "{}", encoded.query);
    assert_eq!(encoded.headers.len(), 1, "Wechatpay-Serial");

    let encoded = encode_with_key(&FreezeAccount {
        account: Sensitive::new("6222021234567890"),
        reason: "lost",
    });
    let account = query_value(&encoded.query, "account");
    assert_eq!(decrypt(&account), "6222021234567890");
    assert_eq!(encoded.body.as_deref(), Some(&br#"{"reason":"lost"}"#[..]));
}

#[test]
fn without_a_key_a_sensitive_field_is_refused_not_sent_in_clear() {
    let request = FindByAccount {
        account: Sensitive::new("6222021234567890"),
        limit: 5,
    };
    let error = EncodedRequest::encode(&request, &EncodeContext::new("1900000100"))
        .expect_err("no key to encrypt with");
    assert!(
        error.to_string().contains("needs a WeChat Pay key"),
        "{error}"
    );
    assert!(!error.to_string().contains("6222021234567890"), "{error}");
}
