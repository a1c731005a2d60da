//! Requests are held to the catalog's schema; answers satisfy it.

use serde_json::{json, Value};
use wxpay_core::{Client, Error, Method};
use wxpay_sandbox::{KeyMode, Sandbox};

use crate::support::{client, expect_api, start};

const RECEIVERS_ADD: &str = "v3/ecommerce/profitsharing/receivers/add";
const BATCH_BY_OUT_NO: &str = "v3/transfer/batches/out-batch-no/{out_batch_no}";

fn receiver(encrypted_name: &str) -> Value {
    json!({
        "appid": "wx8888888888888888", "type": "MERCHANT_ID", "account": "190001001",
        "relation_type": "SUPPLIER", "name": "张三网络公司", "encrypted_name": encrypted_name,
    })
}

async fn add_receiver(client: &Client, body: &Value, serial: Option<&str>) -> Result<Value, Error> {
    let mut request = client.request(Method::Post, RECEIVERS_ADD).json(body);
    if let Some(serial) = serial {
        request = request.header("Wechatpay-Serial", serial);
    }
    request.send().await
}

fn detail(result: Result<Value, Error>) -> Value {
    let api = expect_api(result, 400, "PARAM_ERROR");
    api.detail.expect("a PARAM_ERROR names the field")
}

#[tokio::test]
async fn a_catalogued_operation_answers_its_schema_and_echoes_the_request_ids() {
    let sandbox = start(KeyMode::Certificate).await;
    let client = client(&sandbox);
    let batch: Value = client
        .request(Method::Get, BATCH_BY_OUT_NO)
        .path_param("out_batch_no", "B20240101")
        .query_pair("need_query_detail", "true")
        .send()
        .await
        .expect("a signed, verified 200");
    assert_eq!(batch["transfer_batch"]["out_batch_no"], "B20240101");
    assert_eq!(batch["transfer_batch"]["mchid"], sandbox.merchant().mchid);
    let op = wxpay_sandbox::catalog::find("GET", "/v3/transfer/batches/out-batch-no/B1")
        .unwrap()
        .0;
    wxpay_sandbox::catalog::validate(op.success().1.unwrap(), &batch)
        .expect("satisfies the schema");
}

#[tokio::test]
async fn no_content_operations_answer_204() {
    let sandbox = start(KeyMode::PublicKey).await;
    let client = client(&sandbox);
    let encoded = client
        .request(Method::Delete, "v3/edu-papay/contracts/{contract_id}")
        .path_param("contract_id", "wxpay-contract-1")
        .encode()
        .unwrap();
    let raw = client.execute(&encoded).await.expect("verified");
    assert_eq!(raw.status, 204);
    assert!(raw.body.is_empty());
}

#[tokio::test]
async fn violations_answer_param_error_with_field_and_location() {
    let sandbox = start(KeyMode::Certificate).await;
    let client = client(&sandbox);

    let missing = client
        .request(Method::Get, BATCH_BY_OUT_NO)
        .path_param("out_batch_no", "B1")
        .send::<Value>()
        .await;
    assert_eq!(
        detail(missing),
        json!({"field": "need_query_detail", "issue": "missing required field", "location": "query"})
    );

    let not_bool = client
        .request(Method::Get, BATCH_BY_OUT_NO)
        .path_param("out_batch_no", "B1")
        .query_pair("need_query_detail", "yes")
        .send::<Value>()
        .await;
    assert_eq!(detail(not_bool)["location"], "query");

    let mut body = receiver("");
    body["type"] = json!("NOBODY");
    assert_eq!(
        detail(add_receiver(&client, &body, None).await),
        json!({"field": "/type", "value": "NOBODY", "issue": "must be one of MERCHANT_ID, PERSONAL_OPENID", "location": "body"})
    );
    let mut body = receiver("");
    body.as_object_mut().unwrap().remove("account");
    assert_eq!(
        detail(add_receiver(&client, &body, None).await),
        json!({"field": "/account", "issue": "missing required field", "location": "body"})
    );
    let nested = client
        .request(Method::Post, "v3/refund/domestic/refunds")
        .json(json!({"out_refund_no": "R1", "amount": {"refund": "1", "total": 1, "currency": "CNY"}}))
        .send::<Value>()
        .await;
    // The refund is simulated with state; its own checks name the field too.
    let api = expect_api(nested, 400, "PARAM_ERROR");
    assert!(api.message.contains("refund"), "{}", api.message);
}

#[tokio::test]
async fn sensitive_fields_need_the_platform_serial_and_must_decrypt() {
    for mode in [KeyMode::Certificate, KeyMode::PublicKey] {
        let sandbox = start(mode).await;
        let client = client(&sandbox);
        let (serial, sealed) = client.encrypt_sensitive("张三网络公司").unwrap();
        assert_eq!(serial, sandbox.platform_serial());

        let added = add_receiver(&client, &receiver(&sealed), Some(&serial)).await;
        assert_eq!(added.expect("accepted")["account"], "190001001");

        let no_serial = detail(add_receiver(&client, &receiver(&sealed), None).await);
        assert_eq!(
            (no_serial["field"].as_str(), no_serial["location"].as_str()),
            (Some("Wechatpay-Serial"), Some("header"))
        );

        let other = detail(
            add_receiver(
                &client,
                &receiver(&sealed),
                Some("5157F09EFDC096DE15EBE81A47057A7232F1B8E1"),
            )
            .await,
        );
        assert_eq!(other["field"], "Wechatpay-Serial");
        assert_eq!(other["value"], "5157F09EFDC096DE15EBE81A47057A7232F1B8E1");

        let plain = detail(add_receiver(&client, &receiver("张三网络公司"), Some(&serial)).await);
        assert_eq!(
            (plain["field"].as_str(), plain["location"].as_str()),
            (Some("/encrypted_name"), Some("body"))
        );

        // Encrypted for another key: does not decrypt with the platform's.
        let stranger = wxpay_core::unstable::generate_private_key().unwrap();
        let wrong = stranger.public_key().encrypt_oaep_base64("张三").unwrap();
        assert_eq!(
            detail(add_receiver(&client, &receiver(&wrong), Some(&serial)).await)["field"],
            "/encrypted_name"
        );
    }
}

#[tokio::test]
async fn operations_outside_the_catalog_keep_wechats_signed_404() {
    let sandbox: Sandbox = start(KeyMode::Certificate).await;
    let client = client(&sandbox);
    let unknown = client
        .request(Method::Get, "v3/no-such/operation")
        .send::<Value>()
        .await;
    let api = expect_api(unknown, 404, "NOT_FOUND");
    assert!(api.signature_verified, "the 404 is signed");
    // A catalogued path with a method the catalog does not list.
    let wrong_method = client
        .request(Method::Put, BATCH_BY_OUT_NO)
        .path_param("out_batch_no", "B1")
        .send::<Value>()
        .await;
    expect_api(wrong_method, 404, "NOT_FOUND");
}

#[tokio::test]
async fn a_json_body_must_say_so_and_parse() {
    use crate::support::{raw, signed_request, Signing};
    let sandbox = start(KeyMode::Certificate).await;
    let body = br#"{"appid":"wx8888888888888888","type":"MERCHANT_ID","account":"1","relation_type":"STORE"}"#;
    let signing = Signing::honest(sandbox.merchant());
    let plain = raw(
        sandbox.local_addr(),
        signed_request(
            &signing,
            "POST",
            &format!("/{RECEIVERS_ADD}"),
            Some("text/plain"),
            body,
            &[],
        ),
    )
    .await;
    plain.expect_error(&sandbox, 400, "PARAM_ERROR").await;
    assert_eq!(plain.json()["detail"]["field"], "Content-Type");
    let broken = raw(
        sandbox.local_addr(),
        signed_request(
            &signing,
            "POST",
            &format!("/{RECEIVERS_ADD}"),
            Some("application/json"),
            b"{\"appid\":",
            &[],
        ),
    )
    .await;
    broken.expect_error(&sandbox, 400, "PARAM_ERROR").await;
    assert_eq!(broken.json()["detail"]["location"], "body");
}

#[tokio::test]
async fn encrypted_fields_per_request_are_bounded() {
    const APPLYMENT: &str = "v3/apply4subject/applyment";
    let sandbox = start(KeyMode::Certificate).await;
    let client = client(&sandbox);
    let op = wxpay_sandbox::catalog::find("POST", &format!("/{APPLYMENT}"))
        .unwrap()
        .0;
    let mut body = wxpay_sandbox::catalog::example(op.body.as_ref().unwrap());
    // 22 beneficial owners carry 66 encrypted fields: past the bound, refused
    // before any decryption is spent on them.
    let owner = body["ubo_info_list"][0].clone();
    body["ubo_info_list"] = Value::Array(vec![owner; 22]);
    let refused = client
        .request(Method::Post, APPLYMENT)
        .header("Wechatpay-Serial", sandbox.platform_serial())
        .json(&body)
        .send::<Value>()
        .await;
    let detail = detail(refused);
    assert_eq!(
        detail["issue"],
        "more than 64 encrypted fields in one request"
    );
}
