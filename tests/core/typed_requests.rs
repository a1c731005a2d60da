//! Generated operations of `wxpay-apis` through the real client over
//! loopback: a sensitive query value is sent encrypted and names the key,
//! an operation that names the key does so with nothing to encrypt, and the
//! calling merchant is the client's own.

use wxpay_apis::aggracct_bc::wb_channel::control_orders::{
    QueryWbChannelControlOrdersControlType, QueryWbChannelControlOrdersRequest,
    QueryWbChannelControlOrdersRequired,
};
use wxpay_apis::pay::transactions::out_trade_no::QueryOrderByOutTradeNoRequest;
use wxpay_apis::realname::verify::{VerifyRealnameRequest, VerifyRealnameRequired};
use wxpay_core::sensitive::Sensitive;
use wxpay_core::unstable::encode_component;
use wxpay_core::Error;

use crate::server::{Reply, TestServer, PLATFORM_ID};

/// The values of query parameter `name` in `target` (`/path?a=1&b=2`),
/// percent-decoded.
fn query_values(target: &str, name: &str) -> Vec<String> {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(n, _)| *n == name)
        .map(|(_, v)| {
            let bytes: Vec<u8> = percent_decode(v);
            String::from_utf8(bytes).unwrap()
        })
        .collect()
}

fn percent_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex: String = bytes.by_ref().take(2).map(char::from).collect();
            out.push(u8::from_str_radix(&hex, 16).unwrap());
        } else {
            out.push(b);
        }
    }
    out
}

#[tokio::test]
async fn a_sensitive_query_value_is_sent_encrypted_and_names_the_key() {
    let server = TestServer::start().await;
    server.reply(Reply::json(200, r#"{"verify_result":0}"#));
    let client = server.client();
    let answer = VerifyRealnameRequest::new(VerifyRealnameRequired {
        credential_type: 1,
        encrypted_credential_id: Sensitive::new("110101199003074477"),
        encrypted_name: Sensitive::new("张三"),
        wxp_trade_no: "442100010320250122523549415021",
    })
    .send(&client)
    .await
    .unwrap();
    assert_eq!(answer.verify_result, 0);

    let got = server.last();
    assert_eq!(got.headers["wechatpay-serial"], PLATFORM_ID, "the key used");
    for (name, plaintext) in [
        ("encrypted_credential_id", "110101199003074477"),
        ("encrypted_name", "张三"),
    ] {
        let sent = query_values(&got.target, name);
        assert_eq!(sent.len(), 1, "{name} in {}", got.target);
        assert_eq!(
            server.platform.decrypt_oaep_base64(&sent[0]).unwrap(),
            plaintext,
            "{name} decrypts with the WeChat Pay key"
        );
        assert!(
            !got.target.contains(&encode_component(plaintext)),
            "{}",
            got.target
        );
    }
    assert_eq!(
        query_values(&got.target, "wxp_trade_no"),
        ["442100010320250122523549415021"]
    );
}

#[tokio::test]
async fn an_operation_that_names_the_key_does_so_with_nothing_encrypted() {
    let server = TestServer::start().await;
    let client = server.client();
    let request = QueryWbChannelControlOrdersRequest::new(QueryWbChannelControlOrdersRequired {
        out_request_no: "out_request_no_example",
        control_type: QueryWbChannelControlOrdersControlType::Punish,
        mchid: "1900016681",
    });
    let encoded = client.encode(&request).unwrap();
    let serial: Vec<_> = encoded
        .headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("Wechatpay-Serial"))
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(serial, [PLATFORM_ID]);
    assert_eq!(encoded.query, "control_type=PUNISH&mchid=1900016681");
}

#[tokio::test]
async fn the_calling_merchant_is_filled_and_another_refused_before_sending() {
    let server = TestServer::start().await;
    server.reply(Reply::json(
        200,
        r#"{"appid":"wxd678efh567hg6787","mchid":"1900000109","out_trade_no":"T1","trade_state":"NOTPAY","trade_state_desc":"订单未支付"}"#,
    ));
    let client = server.client();
    let mut query = QueryOrderByOutTradeNoRequest::new("T1");
    query.send(&client).await.unwrap();
    assert_eq!(
        server.last().target,
        "/v3/pay/transactions/out-trade-no/T1?mchid=1900000109"
    );

    let sent = server.count();
    query.mchid = Some("1900000999");
    let err = query.send(&client).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("1900000999") && text.contains("1900000109"),
        "{text}"
    );
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert_eq!(server.count(), sent, "nothing was sent");
}
