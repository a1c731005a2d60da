//! Service providers (服务商): partner prepay, query and close for registered
//! sub-merchants; several merchants side by side, each seeing only its own.

use serde_json::json;
use wxpay_core::{Keyring, Method};
use wxpay_sandbox::{Merchant, Sandbox, DEFAULT_SUB_MCHID};

use super::*;

fn partner_order(sp_mchid: &str, sub_mchid: &str, out_trade_no: &str) -> Value {
    json!({
        "sp_appid": APPID,
        "sp_mchid": sp_mchid,
        "sub_mchid": sub_mchid,
        "description": "服务商代下单",
        "out_trade_no": out_trade_no,
        "notify_url": "http://127.0.0.1:9/n",
        "amount": { "total": 100 },
        "payer": { "sp_openid": OPENID },
    })
}

#[tokio::test]
async fn partner_orders_belong_to_registered_sub_merchants() {
    let (sandbox, client) = started(Sandbox::builder()).await;
    let sp = sandbox.merchant().mchid.clone();
    post(
        &client,
        "v3/pay/partner/transactions/jsapi",
        &partner_order(&sp, DEFAULT_SUB_MCHID, "SP-0001"),
    )
    .await
    .unwrap();
    let e = expect_api(
        post(
            &client,
            "v3/pay/partner/transactions/jsapi",
            &partner_order(&sp, "1900000999", "SP-0002"),
        )
        .await,
        400,
        "INVALID_REQUEST",
    );
    assert!(e.message.contains("受理关系不存在"), "{e}");

    let query = |sub: &'static str| {
        let (client, sp) = (client.clone(), sp.clone());
        async move {
            client
                .request(
                    Method::Get,
                    "v3/pay/partner/transactions/out-trade-no/{out_trade_no}",
                )
                .path_param("out_trade_no", "SP-0001")
                .query_pair("sp_mchid", &sp)
                .query_pair("sub_mchid", sub)
                .send::<Value>()
                .await
        }
    };
    let unpaid = query(DEFAULT_SUB_MCHID).await.unwrap();
    assert_eq!(
        (unpaid["sp_mchid"].as_str(), unpaid["sub_mchid"].as_str()),
        (Some(sp.as_str()), Some(DEFAULT_SUB_MCHID))
    );
    assert!(unpaid.get("mchid").is_none());
    // Another sub-merchant does not see it.
    expect_api(query("1900000999").await, 404, "ORDER_NOT_EXIST");

    sandbox.pay_order(&sp, "SP-0001").unwrap();
    let paid = query(DEFAULT_SUB_MCHID).await.unwrap();
    assert_eq!(paid["payer"], json!({"sp_openid": OPENID}));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn merchants_are_kept_apart() {
    // A second merchant with its own key pair, registered in public-key style.
    let key = wxpay_core::unstable::generate_private_key().unwrap();
    let apiv3 = "0123456789abcdef0123456789ABCDEF";
    let other = Merchant::with_public_key(
        "1230000109",
        "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
        key.public_key().clone(),
        apiv3,
    )
    .unwrap();
    let (sandbox, client) = started(Sandbox::builder().register_merchant(other)).await;
    let keyring = Keyring::new();
    match sandbox.platform_certificate() {
        Some(cert) => {
            keyring.add_certificate(cert);
        }
        None => unreachable!("certificate mode by default"),
    }
    let other_client = wxpay_core::Client::builder()
        .mchid("1230000109")
        .merchant_serial("5157F09EFDC096DE15EBE81A47057A7232F1B8E1")
        .private_key(key)
        .base_url(sandbox.base_url())
        .keyring(keyring)
        .build()
        .unwrap();

    prepay(
        &client,
        "jsapi",
        &jsapi_order(&sandbox, "SHARED-0001", 100, "http://127.0.0.1:9/n"),
    )
    .await
    .unwrap();
    let mut theirs = jsapi_order(&sandbox, "SHARED-0001", 200, "http://127.0.0.1:9/n");
    theirs["mchid"] = json!("1230000109");
    // The same out_trade_no at another merchant is another order.
    prepay(&other_client, "jsapi", &theirs).await.unwrap();
    let mine = query(&client, &sandbox, "SHARED-0001").await.unwrap();
    let their_order: Value = other_client
        .request(
            Method::Get,
            "v3/pay/transactions/out-trade-no/{out_trade_no}",
        )
        .path_param("out_trade_no", "SHARED-0001")
        .query_pair("mchid", "1230000109")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (
            mine["amount"]["total"].as_i64(),
            their_order["amount"]["total"].as_i64()
        ),
        (Some(100), Some(200))
    );
    // Asking about another merchant's orders is refused.
    let e = other_client
        .request(
            Method::Get,
            "v3/pay/transactions/out-trade-no/{out_trade_no}",
        )
        .path_param("out_trade_no", "SHARED-0001")
        .query_pair("mchid", &sandbox.merchant().mchid)
        .send::<Value>()
        .await;
    expect_api(e, 400, "INVALID_REQUEST");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn merchants_come_from_a_config_file() {
    let dir = std::env::temp_dir().join(format!(
        "wxpay-sandbox-config-{}",
        wxpay_core::unstable::random_alphanumeric(12).unwrap()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let key = wxpay_core::unstable::generate_private_key().unwrap();
    std::fs::write(dir.join("sp.pem"), key.public_key().to_pem()).unwrap();
    let config = json!({ "merchants": [{
        "mchid": "1900000100", "apiv3_key": "0123456789abcdef0123456789ABCDEF",
        "public_key": "sp.pem", "serial": "4B3D6F2A", "sub_mchids": ["1900000777"]
    }]});
    std::fs::write(dir.join("merchants.json"), config.to_string()).unwrap();
    let merchants = wxpay_sandbox::config::load_merchants(dir.join("merchants.json")).unwrap();
    assert_eq!(merchants[0].sub_mchids(), ["1900000777"]);

    let (sandbox, _) = started(Sandbox::builder().register_merchant(merchants[0].clone())).await;
    let keyring = Keyring::new();
    keyring.add_certificate(sandbox.platform_certificate().unwrap());
    let sp = wxpay_core::Client::builder()
        .mchid("1900000100")
        .merchant_serial("4B3D6F2A")
        .private_key(key)
        .base_url(sandbox.base_url())
        .keyring(keyring)
        .build()
        .unwrap();
    post(&sp, "v3/pay/partner/transactions/native", &{
        let mut o = partner_order("1900000100", "1900000777", "CFG-0001");
        o.as_object_mut().unwrap().remove("payer");
        o
    })
    .await
    .expect("the configured sub-merchant is accepted");
    // The demo merchant's default sub-merchant is not this provider's.
    expect_api(
        post(
            &sp,
            "v3/pay/partner/transactions/native",
            &partner_order("1900000100", DEFAULT_SUB_MCHID, "CFG-0002"),
        )
        .await,
        400,
        "INVALID_REQUEST",
    );

    // Bad files are refused with the reason.
    std::fs::write(
        dir.join("bad.json"),
        r#"{"merchants":[{"mchid":"1","apiv3_key":"k"}]}"#,
    )
    .unwrap();
    let e = wxpay_sandbox::config::load_merchants(dir.join("bad.json")).unwrap_err();
    assert!(e.to_string().contains("give `cert`"), "{e}");
    sandbox.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
