//! Encoding in an explicit context: paths, queries, bodies, sensitive
//! values and calling-merchant fields.

use super::*;
use crate::sensitive::Sensitive;
use serde::Serialize;

#[derive(Serialize)]
struct Contact<'a> {
    name: Sensitive<&'a str>,
    phone: Option<Sensitive<&'a str>>,
}

#[derive(Serialize)]
struct Add<'a> {
    #[serde(serialize_with = "calling_merchant")]
    mchid: Option<&'a str>,
    contact: Contact<'a>,
}

impl ApiRequest for Add<'_> {
    type Response = ();
    const METHOD: Method = Method::Post;
    const PATH_TEMPLATE: &'static str = "v3/x";
    fn write_path(&self, path: &mut PathBuilder) -> Result<(), Error> {
        path.literal("v3/x");
        Ok(())
    }
    fn write_body(&self, body: &mut BodyWriter<'_>) -> Result<(), Error> {
        body.json(self)
    }
}

#[derive(Serialize)]
struct Lookup<'a> {
    account: Sensitive<&'a str>,
}

impl ApiRequest for Lookup<'_> {
    type Response = ();
    const METHOD: Method = Method::Get;
    const PATH_TEMPLATE: &'static str = "v3/y";
    fn write_path(&self, path: &mut PathBuilder) -> Result<(), Error> {
        path.literal("v3/y");
        Ok(())
    }
    fn write_query(&self, query: &mut QueryBuilder<'_>) -> Result<(), Error> {
        query.serialize(self)
    }
}

fn key() -> &'static crate::PrivateKey {
    static KEY: std::sync::OnceLock<crate::PrivateKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| crate::PrivateKey::generate().unwrap())
}

#[test]
fn sensitive_fields_encrypt_with_the_given_key_and_name_it() {
    let encryptor = Encryptor::new("PUB_KEY_ID_01", key().public_key().clone());
    let cx = EncodeContext::new("1900000100").with_encryptor(&encryptor);
    let request = Add {
        mchid: None,
        contact: Contact {
            name: Sensitive::new("张三"),
            phone: None,
        },
    };
    let encoded = EncodedRequest::encode(&request, &cx).unwrap();
    let body: serde_json::Value = serde_json::from_slice(encoded.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["mchid"], "1900000100");
    assert_eq!(body["contact"]["phone"], serde_json::Value::Null);
    let ciphertext = body["contact"]["name"].as_str().unwrap();
    assert_eq!(key().decrypt_oaep_base64(ciphertext).unwrap(), "张三");
    assert_eq!(
        encoded.headers,
        vec![(
            Cow::Borrowed("Wechatpay-Serial"),
            "PUB_KEY_ID_01".to_owned()
        )]
    );

    let query = EncodedRequest::encode(
        &Lookup {
            account: Sensitive::new("6222"),
        },
        &cx,
    )
    .unwrap();
    let (name, value) = query.query.split_once('=').unwrap();
    assert_eq!(name, "account");
    let value = percent_encoding::percent_decode_str(value)
        .decode_utf8()
        .unwrap();
    assert_eq!(key().decrypt_oaep_base64(&value).unwrap(), "6222");
    assert_eq!(query.headers.len(), 1);
}

#[test]
fn sensitive_values_in_every_kind_of_container_are_encrypted() {
    #[derive(Serialize)]
    enum Kind<'a> {
        Named { name: Sensitive<&'a str> },
        Pair(Sensitive<&'a str>, u8),
    }
    #[derive(Serialize)]
    struct Many<'a> {
        list: Vec<Sensitive<&'a str>>,
        map: std::collections::BTreeMap<&'a str, Sensitive<&'a str>>,
        tuple: (Sensitive<&'a str>, u8),
        named: Kind<'a>,
        pair: Kind<'a>,
        nested: Option<Box<Contact<'a>>>,
    }
    let encryptor = Encryptor::new("PUB_KEY_ID_01", key().public_key().clone());
    let cx = EncodeContext::new("1900000100").with_encryptor(&encryptor);
    let many = Many {
        list: vec![Sensitive::new("a"), Sensitive::new("b")],
        map: [("k", Sensitive::new("c"))].into_iter().collect(),
        tuple: (Sensitive::new("d"), 1),
        named: Kind::Named {
            name: Sensitive::new("e"),
        },
        pair: Kind::Pair(Sensitive::new("f"), 2),
        nested: Some(Box::new(Contact {
            name: Sensitive::new("g"),
            phone: Some(Sensitive::new("h")),
        })),
    };
    let mut body = BodyWriter::new(&cx);
    body.json(&many).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&body.finish().unwrap()).unwrap();
    let open = |v: &serde_json::Value| key().decrypt_oaep_base64(v.as_str().unwrap()).unwrap();
    assert_eq!(open(&json["list"][0]), "a");
    assert_eq!(open(&json["list"][1]), "b");
    assert_eq!(open(&json["map"]["k"]), "c");
    assert_eq!(open(&json["tuple"][0]), "d");
    assert_eq!(json["tuple"][1], 1);
    assert_eq!(open(&json["named"]["Named"]["name"]), "e");
    assert_eq!(open(&json["pair"]["Pair"][0]), "f");
    assert_eq!(open(&json["nested"]["name"]), "g");
    assert_eq!(open(&json["nested"]["phone"]), "h");
    assert!(cx.encrypted_any());
}

#[test]
fn sensitive_fields_are_never_written_without_a_key() {
    let request = Add {
        mchid: Some("1900000100"),
        contact: Contact {
            name: Sensitive::new("张三"),
            phone: None,
        },
    };
    for error in [
        EncodedRequest::from_api(&request).unwrap_err().to_string(),
        EncodedRequest::encode(&request, &EncodeContext::new("1900000100"))
            .unwrap_err()
            .to_string(),
        serde_json::to_string(&request).unwrap_err().to_string(),
        serde_json::to_value(&request).unwrap_err().to_string(),
    ] {
        assert!(!error.contains("张三"), "{error}");
        assert!(error.contains("sensitive field"), "{error}");
    }
}

#[test]
fn calling_merchant_fields_are_the_clients_own() {
    let encryptor = Encryptor::new("PUB_KEY_ID_01", key().public_key().clone());
    let cx = EncodeContext::new("1900000100").with_encryptor(&encryptor);
    let mut request = Add {
        mchid: Some("1900000100"),
        contact: Contact {
            name: Sensitive::new("x"),
            phone: None,
        },
    };
    assert!(EncodedRequest::encode(&request, &cx).is_ok());
    request.mchid = Some("1900000999");
    let error = EncodedRequest::encode(&request, &cx)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("1900000999") && error.contains("1900000100"),
        "{error}"
    );
    request.mchid = None;
    let error = EncodedRequest::encode(&request, &EncodeContext::detached())
        .unwrap_err()
        .to_string();
    assert!(error.contains("merchant"), "{error}");
}

#[test]
fn hostile_path_values_stay_in_one_segment() {
    for (raw, encoded) in [
        ("a/b", "a%2Fb"),
        ("a?b=c", "a%3Fb%3Dc"),
        ("a#frag", "a%23frag"),
        ("100%", "100%25"),
        ("a b", "a%20b"),
        ("../x", "..%2Fx"),
        ("a..b", "a..b"),
        (
            "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
            "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        ),
        ("微信", "%E5%BE%AE%E4%BF%A1"),
        ("a+b&c", "a%2Bb%26c"),
    ] {
        let mut p = PathBuilder::new();
        p.literal("v3/x/");
        p.param("id", raw).unwrap();
        assert_eq!(p.finish(), format!("v3/x/{encoded}"), "value {raw:?}");
    }
}

#[test]
fn dot_segments_and_empty_values_are_refused() {
    for raw in ["", ".", ".."] {
        let mut p = PathBuilder::new();
        let err = p.param("refund_id", raw).unwrap_err();
        assert!(
            err.to_string().contains("refund_id"),
            "error names the parameter: {err}"
        );
    }
}

#[test]
fn query_skips_none_and_encodes_values() {
    #[derive(Serialize)]
    struct Q<'a> {
        sub_mchid: &'a str,
        out_order_no: Option<&'a str>,
        limit: u32,
        flag: bool,
        note: &'a str,
        list: Vec<&'a str>,
    }
    let cx = EncodeContext::detached();
    let mut q = QueryBuilder::new(&cx);
    q.serialize(&Q {
        sub_mchid: "1900000109",
        out_order_no: None,
        limit: 10,
        flag: true,
        note: "a b&c=d",
        list: vec!["x", "y"],
    })
    .unwrap();
    assert_eq!(
        q.finish(),
        "sub_mchid=1900000109&limit=10&flag=true&note=a%20b%26c%3Dd&list=x&list=y"
    );
}

#[test]
fn query_refuses_nested_objects() {
    let cx = EncodeContext::detached();
    let mut q = QueryBuilder::new(&cx);
    let err = q
        .serialize(&serde_json::json!({"a": {"b": 1}}))
        .unwrap_err();
    assert!(err.to_string().contains("`a`"));
}

#[test]
fn body_fields_write_exact_json_and_skip_none() {
    let cx = EncodeContext::detached();
    let mut b = BodyWriter::new(&cx);
    b.field("sub_mchid", "1900000109").unwrap();
    b.field("amount", &Option::<i64>::None).unwrap();
    b.field("note", "a\"b").unwrap();
    assert_eq!(
        b.finish().unwrap(),
        br#"{"sub_mchid":"1900000109","note":"a\"b"}"#
    );
    let mut empty = BodyWriter::new(&cx);
    empty.begin_object();
    assert_eq!(empty.finish().unwrap(), b"{}");
    assert_eq!(BodyWriter::new(&cx).finish(), None);
}

#[test]
fn empty_body_decodes_as_null() {
    decode_body::<()>(b"").unwrap();
    assert_eq!(
        decode_body::<serde_json::Value>(b"").unwrap(),
        serde_json::Value::Null
    );
    assert!(decode_body::<std::collections::HashMap<String, i32>>(b"").is_err());
}
