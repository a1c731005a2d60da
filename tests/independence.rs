//! The sandbox judges requests by its own code, not the SDK's: with a
//! one-byte defect planted in the SDK's request signing message (the
//! test-only switch of `wxpay-core`'s `test-faults` feature), the sandbox
//! refuses every request with 401 `SIGN_ERROR`; with the switch off, the
//! same request passes. Had the sandbox borrowed the SDK's signing message,
//! both sides would agree on the defect and this test could not fail.
//!
//! Its own test binary: the switch is process-wide, so no other test may
//! run in this process.
//!
//! APIv2 too: a request the SDK signed and that then differs by one byte
//! from what was signed is refused by the sandbox's own sign check.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use wxpay_core::unstable::faults::corrupt_signing_message;
use wxpay_core::{Error, Method};
use wxpay_sandbox::v2::V2Sandbox;
use wxpay_sandbox::Sandbox;

fn prepay_body(sandbox: &Sandbox, out_trade_no: &str) -> Value {
    json!({
        "appid": "wxd678efh567hg6787",
        "mchid": sandbox.merchant().mchid,
        "description": "independence",
        "out_trade_no": out_trade_no,
        "notify_url": "http://127.0.0.1:9/notify",
        "amount": { "total": 1 },
    })
}

#[tokio::test]
async fn a_one_byte_change_in_the_sdk_signing_message_is_refused_by_the_sandbox() {
    let sandbox = Sandbox::builder().start().await.expect("sandbox starts");
    let client = sandbox.client_builder().build().expect("client builds");
    let send = |out_trade_no: &str| {
        client
            .request(Method::Post, "v3/pay/transactions/native")
            .json(prepay_body(&sandbox, out_trade_no))
            .send::<Value>()
    };

    corrupt_signing_message(true);
    let refused = send("INDEP000001").await;
    let get = client
        .request(Method::Get, "v3/certificates")
        .send::<Value>()
        .await;
    corrupt_signing_message(false);

    for result in [refused, get] {
        match result {
            Err(Error::Api(e)) => {
                assert_eq!((e.status, e.code.as_str()), (401, "SIGN_ERROR"), "{e}");
                assert!(e.signature_verified, "the refusal is signed: {e}");
                assert!(
                    e.message.contains("signature does not match"),
                    "the sandbox names the signature: {e}"
                );
            }
            other => panic!("the sandbox accepted a corrupted signature: {other:?}"),
        }
    }

    // The same request, signed over the true message, passes.
    let accepted = send("INDEP000001")
        .await
        .expect("accepted with the switch off");
    assert!(accepted["code_url"]
        .as_str()
        .is_some_and(|u| u.starts_with("weixin://wxpay/bizpayurl")));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_apiv2_request_that_differs_from_what_the_sdk_signed_is_refused() {
    let sandbox = V2Sandbox::start().await.expect("APIv2 sandbox starts");
    let http = reqwest::Client::builder()
        .no_proxy()
        .add_root_certificate(
            reqwest::Certificate::from_pem(sandbox.server_certificate_pem().as_bytes())
                .expect("PEM"),
        )
        .build()
        .expect("client");
    let mut fields = BTreeMap::from([
        ("appid", "wxd678efh567hg6787"),
        ("mch_id", sandbox.mchid()),
        ("nonce_str", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"),
        ("body", "independence"),
        ("out_trade_no", "INDEPV2001"),
        ("total_fee", "1"),
        ("spbill_create_ip", "127.0.0.1"),
        ("auth_code", "120061098828009406"),
    ])
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect::<BTreeMap<_, _>>();
    let sign = wxpay_core::v2::sign(&fields, &sandbox.key(), wxpay_core::v2::SignType::Md5);
    fields.insert("sign".into(), sign);
    let post = |fields: &BTreeMap<String, String>| {
        let xml = format!(
            "<xml>{}</xml>",
            fields
                .iter()
                .map(|(k, v)| format!("<{k}><![CDATA[{v}]]></{k}>"))
                .collect::<String>()
        );
        http.post(format!("{}pay/micropay", sandbox.base_url()))
            .body(xml)
            .send()
    };

    // One byte of a signed field changes after signing: 1 fen becomes 2.
    let mut changed = fields.clone();
    changed.insert("total_fee".into(), "2".into());
    let refused = post(&changed).await.expect("answer").text().await.unwrap();
    assert!(
        refused.contains("<return_code><![CDATA[FAIL]]></return_code>")
            && refused.contains("签名错误"),
        "{refused}"
    );
    let paid = post(&fields).await.expect("answer").text().await.unwrap();
    assert!(
        paid.contains("<result_code><![CDATA[SUCCESS]]></result_code>"),
        "{paid}"
    );
}
