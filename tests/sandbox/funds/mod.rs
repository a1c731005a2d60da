//! After the payment: profit sharing and merchant transfers with state, and
//! the partner mode made visible, driven by the real client (typed requests
//! from `wxpay-apis` where they exist) against the sandbox over loopback.

mod ecommerce;
mod ecommerce_returns;
mod partner;
mod profitsharing;
mod transfers;

use serde_json::{json, Value};
use wxpay_core::{Client, Method};
use wxpay_sandbox::{Merchant, Sandbox, DEFAULT_SUB_MCHID};

use crate::lifecycle::{jsapi_order, prepay, APPID, OPENID};
use crate::support::post;

/// A JSAPI order made with `settle_info.profit_sharing`, paid; its
/// `transaction_id`. `sub_mchid`: the demo merchant's partner order.
pub async fn paid_shareable_order(
    sandbox: &Sandbox,
    client: &Client,
    out_trade_no: &str,
    total: i64,
    sub_mchid: Option<&str>,
) -> String {
    let mchid = sandbox.merchant().mchid.clone();
    match sub_mchid {
        None => {
            let mut order = jsapi_order(sandbox, out_trade_no, total, "http://127.0.0.1:9/n");
            order["settle_info"] = json!({ "profit_sharing": true });
            prepay(client, "jsapi", &order).await.expect("prepay");
        }
        Some(sub) => {
            let order = json!({
                "sp_appid": APPID, "sp_mchid": mchid, "sub_mchid": sub,
                "description": "partner", "out_trade_no": out_trade_no,
                "notify_url": "http://127.0.0.1:9/n",
                "amount": { "total": total }, "payer": { "sp_openid": OPENID },
                "settle_info": { "profit_sharing": true },
            });
            post(client, "v3/pay/partner/transactions/jsapi", &order)
                .await
                .expect("partner prepay");
        }
    }
    let paid = sandbox.pay_order(&mchid, out_trade_no).expect("paid");
    paid["transaction_id"]
        .as_str()
        .expect("transaction_id")
        .to_owned()
}

/// Adds a receiver through the raw request (its `name` sealed for the
/// platform key when given), for the tests that need exact bodies.
pub async fn add_receiver(client: &Client, body: Value) -> Result<Value, wxpay_core::Error> {
    let (serial, _) = client.encrypt_sensitive("x")?;
    client
        .request(Method::Post, "v3/profitsharing/receivers/add")
        .header("Wechatpay-Serial", serial)
        .json(&body)
        .send()
        .await
}

/// The partner sub-merchant the demo merchant acts for.
pub const SUB: &str = DEFAULT_SUB_MCHID;

/// The APIv3 key of the receiving merchant below.
pub const RECEIVER_APIV3_KEY: &str = "0123456789abcdef0123456789ABCDEF";

/// A second merchant of the sandbox that receives shares, with a client of
/// its own (it sets where it is notified: 分账动账通知).
pub fn receiving_merchant(sandbox: &Sandbox) -> Client {
    let key = wxpay_core::unstable::generate_private_key().unwrap();
    let receiver = Merchant::with_public_key(
        "1900000110",
        "6B46824C852FA29AAC3DCE6BFD852E27",
        key.public_key().clone(),
        RECEIVER_APIV3_KEY,
    )
    .unwrap();
    sandbox.register_merchant(receiver);
    sandbox
        .client_builder()
        .mchid("1900000110")
        .merchant_serial("6B46824C852FA29AAC3DCE6BFD852E27")
        .private_key(key)
        .build()
        .unwrap()
}
