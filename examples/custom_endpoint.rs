//! Endpoints declared by hand with `#[wxpay_api]`, as a library author does
//! for an operation `wxpay-apis` does not type (or types differently), run
//! against the WeChat Pay sandbox in-process:
//!
//! 1. POSTs with `Sensitive` fields, one of them nested (encrypted by
//!    `send`, redacted in `Debug`): a profit-sharing receiver added, then a
//!    share of a paid order sent to it;
//! 2. a GET with a path parameter (bound to a field of another name) and a
//!    query: that share queried;
//! 3. a POST with a custom header (`Idempotency-Key`);
//! 4. an APIv2 (XML) call, over mutual TLS.
//!
//! Every request is signed and every answer verified, as against WeChat Pay.
//! Exits non-zero if anything fails.
//!
//! Run: `cargo run --example custom_endpoint`

use std::error::Error;

use serde::{Deserialize, Serialize};
use wxpay_core::sensitive::Sensitive;
use wxpay_core::v2::V2Fields;
use wxpay_core::{wxpay_api, EncodedRequest};
use wxpay_sandbox::v2::V2Sandbox;
use wxpay_sandbox::Sandbox;

const APPID: &str = "wxd678efh567hg6787";
const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
const RECEIVER: &str = "oxTWIuGaIt6gTKsQRLau2M0yL16E";

// 1. POST v3/profitsharing/receivers/add (添加分账接收方) and
//    POST v3/profitsharing/orders (请求分账): names encrypted.

/// The answer of `receivers/add`: only what this program reads.
#[derive(Debug, Deserialize)]
pub struct AddedReceiver {
    pub account: String,
    pub relation_type: String,
}

/// `name` is `Sensitive`: `send` encrypts it with the WeChat Pay key and
/// names the key in `Wechatpay-Serial`; `Debug` prints `<redacted>`.
#[wxpay_api(POST, "v3/profitsharing/receivers/add", response = AddedReceiver)]
#[derive(Debug)]
pub struct AddReceiver<'a> {
    pub appid: &'a str,
    pub r#type: &'a str,
    pub account: &'a str,
    pub name: Sensitive<&'a str>,
    pub relation_type: &'a str,
}

/// What the answer is decoded into: only the fields this program reads
/// (serde ignores the others).
#[derive(Debug, Deserialize)]
pub struct ProfitSharingOrder {
    pub order_id: String,
    pub out_order_no: String,
    pub state: String,
}

/// A receiver, nested in the body: its `name` is `Sensitive`, so `send`
/// encrypts it with the WeChat Pay key (and names the key in
/// `Wechatpay-Serial`), and `Debug` prints `<redacted>`.
#[derive(Debug, Serialize)]
pub struct Receiver<'a> {
    pub r#type: &'a str,
    pub account: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Sensitive<&'a str>>,
    pub amount: i64, // fen
    pub description: &'a str,
}

#[wxpay_api(POST, "v3/profitsharing/orders", response = ProfitSharingOrder)]
#[derive(Debug)]
pub struct CreateProfitSharingOrder<'a> {
    pub appid: &'a str,
    pub transaction_id: &'a str,
    pub out_order_no: &'a str,
    pub receivers: Vec<Receiver<'a>>,
    pub unfreeze_unsplit: bool,
}

// 2. GET v3/profitsharing/orders/{out_order_no}: 查询分账结果

/// `<out_order_no>` is filled by `order_number` (a field may keep a name of
/// its own); the other fields of a GET are the query.
#[wxpay_api(GET, "v3/profitsharing/orders/<out_order_no>", response = ProfitSharingOrder)]
#[derive(Debug)]
pub struct QueryProfitSharingOrder<'a> {
    #[wxpay(path = "out_order_no")]
    pub order_number: &'a str,
    pub transaction_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_mchid: Option<&'a str>,
}

// 3. POST v3/marketing/partnerships/build: 建立合作关系, with a header.

#[derive(Debug, Serialize, Deserialize)]
pub struct Partner {
    pub r#type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct AuthorizedData {
    pub business_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stock_id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Partnership {
    pub state: String,
    pub build_time: String,
    pub partner: Partner,
}

/// `Idempotency-Key` travels as a header, not in the body: WeChat uses it
/// to answer a retried build with the first outcome.
#[wxpay_api(POST, "v3/marketing/partnerships/build", response = Partnership)]
#[derive(Debug)]
pub struct BuildPartnership<'a> {
    #[wxpay(header = "Idempotency-Key")]
    pub idempotency_key: &'a str,
    pub partner: Partner,
    pub authorized_data: AuthorizedData,
}

// 4. APIv2: POST /pay/micropay (付款码支付). The template is written as the
// catalog writes APIv2 paths, with a `v2/` prefix that is not in the URL.

#[derive(Debug, Deserialize)]
pub struct MicropayAnswer {
    pub transaction_id: String,
    pub total_fee: u32,
    /// Every other field of the answer, as text.
    #[serde(flatten)]
    pub other: V2Fields,
}

/// `mch_id`, `nonce_str`, `sign_type` and `sign` are the client's to add.
#[wxpay_api(v2, POST, "v2/pay/micropay", response = MicropayAnswer)]
#[derive(Debug)]
pub struct Micropay<'a> {
    pub appid: &'a str,
    pub auth_code: &'a str,
    pub body: &'a str,
    pub out_trade_no: &'a str,
    pub spbill_create_ip: &'a str,
    pub total_fee: u32,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let sandbox = Sandbox::builder().start().await?;
    let client = sandbox.client_builder().build()?;
    println!("WeChat Pay sandbox on {}", sandbox.base_url());

    // A paid order whose money may be shared (settle_info.profit_sharing),
    // made with the client's untyped requests and the sandbox's control.
    let mchid = sandbox.merchant().mchid.clone();
    let prepay = serde_json::json!({
        "appid": APPID, "mchid": mchid, "description": "Image形象店-深圳腾大-QQ公仔",
        "out_trade_no": "CUSTOM-SHARE-1", "notify_url": "http://127.0.0.1:9/notify",
        "amount": { "total": 100, "currency": "CNY" }, "payer": { "openid": OPENID },
        "settle_info": { "profit_sharing": true },
    });
    let _: serde_json::Value = client
        .request(wxpay_core::Method::Post, "v3/pay/transactions/jsapi")
        .json(&prepay)
        .send()
        .await?;
    let paid = sandbox.pay_order(&mchid, "CUSTOM-SHARE-1")?;
    let transaction_id = paid["transaction_id"]
        .as_str()
        .ok_or("the paid order has a transaction_id")?
        .to_owned();

    println!(
        "\n1. POST /v3/profitsharing/receivers/add and /orders  (Sensitive fields, one nested)"
    );
    let add = AddReceiver {
        appid: APPID,
        r#type: "PERSONAL_OPENID",
        account: RECEIVER,
        name: Sensitive::new("张三"),
        relation_type: "STAFF",
    };
    let added = add.send(&client).await?; // the sandbox decrypts the name to check it
    println!(
        "   receiver {} added ({})",
        added.account, added.relation_type
    );
    let create = CreateProfitSharingOrder {
        appid: APPID,
        transaction_id: &transaction_id,
        out_order_no: "P20150806125347",
        receivers: vec![Receiver {
            r#type: "PERSONAL_OPENID",
            account: RECEIVER,
            name: Some(Sensitive::new("张三")),
            amount: 88,
            description: "分给个人",
        }],
        unfreeze_unsplit: true,
    };
    let shown = format!("{create:?}");
    println!("   Debug: {shown}");
    assert!(!shown.contains("张三"), "Debug must not show the name");
    // What `send` writes, without sending: the name leaves as RSA-OAEP
    // ciphertext under the sandbox's key, named in `Wechatpay-Serial`.
    let encoded = client.encode(&create)?;
    let body = String::from_utf8(encoded.body.clone().unwrap_or_default())?;
    assert!(
        !body.contains("张三"),
        "the body must not carry the plaintext"
    );
    println!("   headers: {:?}", encoded.headers);
    let order = create.send(&client).await?;
    println!("   order {} is {}", order.order_id, order.state);

    println!("\n2. GET /v3/profitsharing/orders/{{out_order_no}}  (path + query)");
    let query = QueryProfitSharingOrder {
        order_number: "P20150806125347",
        transaction_id: &transaction_id,
        sub_mchid: None,
    };
    let order = query.send(&client).await?;
    println!(
        "   order {} ({}) is {}",
        order.order_id, order.out_order_no, order.state
    );
    assert_eq!(order.out_order_no, "P20150806125347", "the path parameter");

    println!("\n3. POST /v3/marketing/partnerships/build  (a custom header)");
    let build = BuildPartnership {
        idempotency_key: "20240101-partnership-1",
        partner: Partner {
            r#type: "APPID".into(),
            appid: Some("wx4e1916a585d1f4e9".into()),
        },
        authorized_data: AuthorizedData {
            business_type: "FAVOR_STOCK".into(),
            stock_id: Some("2433405".into()),
        },
    };
    let encoded = EncodedRequest::from_api(&build)?;
    assert!(encoded
        .headers
        .iter()
        .any(|(name, value)| name == "Idempotency-Key" && value == "20240101-partnership-1"));
    let partnership = build.send(&client).await?;
    println!(
        "   {} partnership with {} since {}",
        partnership.state, partnership.partner.r#type, partnership.build_time
    );

    println!("\n4. APIv2 POST /pay/micropay  (XML, signed with the APIv2 key, mutual TLS)");
    let v2_sandbox = V2Sandbox::start().await?;
    let v2_client = v2_sandbox.client_builder()?.build()?;
    let paid = Micropay {
        appid: "wxd678efh567hg6787",
        auth_code: "134567890123456789",
        body: "Image形象店-深圳腾大-QQ公仔",
        out_trade_no: "V2CUSTOM001",
        spbill_create_ip: "127.0.0.1",
        total_fee: 1,
    }
    .send(&v2_client)
    .await?;
    println!(
        "   paid {} fen: transaction {} (result_code {})",
        paid.total_fee,
        paid.transaction_id,
        paid.other.get("result_code").map_or("-", String::as_str)
    );

    println!("\nAll five hand-declared operations signed, verified and decoded.");
    sandbox.shutdown().await;
    Ok(())
}
