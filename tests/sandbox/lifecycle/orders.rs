//! Prepay (JSAPI, APP, H5, Native), query by out_trade_no and transaction_id,
//! close, paying through the control API and auto-pay, and WeChat's codes for
//! every refused transition.

use std::time::Duration;

use serde_json::json;
use wxpay_core::Method;
use wxpay_sandbox::Sandbox;

use super::*;

#[tokio::test]
async fn each_trade_type_answers_in_its_shape() {
    let (sandbox, client) = started(Sandbox::builder()).await;
    let mut body = jsapi_order(&sandbox, "JSAPI-0001", 100, "http://127.0.0.1:9/notify");
    let jsapi = prepay(&client, "jsapi", &body).await.unwrap();
    let id = jsapi["prepay_id"].as_str().unwrap();
    assert!(id.starts_with("wx") && id.len() == 36, "{id}");

    body["out_trade_no"] = json!("APP-0001");
    body.as_object_mut().unwrap().remove("payer");
    let app = prepay(&client, "app", &body).await.unwrap();
    assert!(app["prepay_id"].as_str().unwrap().starts_with("wx"));

    body["out_trade_no"] = json!("NATIVE-0001");
    let native = prepay(&client, "native", &body).await.unwrap();
    let code_url = native["code_url"].as_str().unwrap();
    assert!(
        code_url.starts_with("weixin://wxpay/bizpayurl/up?pr="),
        "{code_url}"
    );

    body["out_trade_no"] = json!("H5-0001");
    body["scene_info"] = json!({"payer_client_ip": "127.0.0.1", "h5_info": {"type": "Wap"}});
    let h5 = prepay(&client, "h5", &body).await.unwrap();
    let h5_url = h5["h5_url"].as_str().unwrap();
    assert!(
        h5_url.starts_with(&format!("{}sandbox/pay/wx", sandbox.base_url())),
        "{h5_url}"
    );

    // The pay page of the H5 order shows the amount and the two buttons.
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let page = http.get(h5_url).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("¥1.00") && page.contains("value=\"pay\"") && page.contains("value=\"fail\"")
    );

    // The Native order is paid by its code_url, through the control API.
    let (status, paid) = control(
        &sandbox,
        reqwest::Method::POST,
        "sandbox/orders/pay",
        Some(json!({"code_url": code_url})),
    )
    .await;
    assert_eq!(
        (status, paid["trade_state"].as_str()),
        (200, Some("SUCCESS")),
        "{paid}"
    );
    let native = query(&client, &sandbox, "NATIVE-0001").await.unwrap();
    assert_eq!(
        (
            native["trade_state"].as_str(),
            native["trade_type"].as_str()
        ),
        (Some("SUCCESS"), Some("NATIVE"))
    );

    // The H5 order is paid by a person pressing Pay on its page.
    let token = h5_url
        .split("/sandbox/pay/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap();
    let page = http
        .post(format!("{}sandbox/pay/{token}", sandbox.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("action=pay")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("SUCCESS"), "{page}");
    assert_eq!(
        query(&client, &sandbox, "H5-0001").await.unwrap()["trade_type"],
        "MWEB"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_order_goes_from_notpay_to_success_with_wechats_fields() {
    let (sandbox, client) = started(Sandbox::builder()).await;
    let mchid = sandbox.merchant().mchid.clone();
    prepay(
        &client,
        "jsapi",
        &jsapi_order(&sandbox, "ORDER-0001", 888, "http://127.0.0.1:9/n"),
    )
    .await
    .unwrap();

    let unpaid = query(&client, &sandbox, "ORDER-0001").await.unwrap();
    assert_eq!(unpaid["trade_state"], "NOTPAY");
    assert_eq!(unpaid["trade_state_desc"], "订单未支付");
    assert_eq!(
        unpaid["amount"],
        json!({"total": 888, "payer_currency": "CNY"})
    );
    for absent in [
        "transaction_id",
        "success_time",
        "payer",
        "bank_type",
        "trade_type",
    ] {
        assert!(unpaid.get(absent).is_none(), "{absent} in {unpaid}");
    }

    // A failed attempt leaves it NOTPAY (PAYERROR is only for 付款码 orders).
    sandbox.fail_order(&mchid, "ORDER-0001").unwrap();
    assert_eq!(
        query(&client, &sandbox, "ORDER-0001").await.unwrap()["trade_state"],
        "NOTPAY"
    );

    sandbox.pay_order(&mchid, "ORDER-0001").unwrap();
    let paid = query(&client, &sandbox, "ORDER-0001").await.unwrap();
    assert_eq!(paid["trade_state"], "SUCCESS");
    assert_eq!(paid["trade_state_desc"], "支付成功");
    assert_eq!(paid["trade_type"], "JSAPI");
    assert_eq!(paid["bank_type"], "OTHERS");
    assert_eq!(paid["payer"], json!({"openid": OPENID}));
    assert_eq!(
        paid["amount"],
        json!({"total": 888, "payer_total": 888, "currency": "CNY", "payer_currency": "CNY"})
    );
    assert!(paid["success_time"].as_str().unwrap().ends_with("+08:00"));
    let transaction_id = paid["transaction_id"].as_str().unwrap();
    assert!(
        transaction_id.len() == 28 && transaction_id.starts_with("4200"),
        "{transaction_id}"
    );

    let by_id: Value = client
        .request(Method::Get, "v3/pay/transactions/id/{transaction_id}")
        .path_param("transaction_id", transaction_id)
        .query_pair("mchid", &mchid)
        .send()
        .await
        .unwrap();
    assert_eq!(by_id, paid);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn refused_transitions_get_wechats_codes() {
    let (sandbox, client) = started(Sandbox::builder()).await;
    let mchid = sandbox.merchant().mchid.clone();
    let body = jsapi_order(&sandbox, "ORDER-0002", 100, "http://127.0.0.1:9/n");
    let first = prepay(&client, "jsapi", &body).await.unwrap();

    // Same content (keys in another order): the same order.
    let mut reordered = serde_json::Map::new();
    for (k, v) in body.as_object().unwrap().iter().rev() {
        reordered.insert(k.clone(), v.clone());
    }
    assert_eq!(
        prepay(&client, "jsapi", &Value::Object(reordered))
            .await
            .unwrap(),
        first
    );
    // Other content: 400 INVALID_REQUEST.
    let mut other = body.clone();
    other["amount"]["total"] = json!(101);
    let e = expect_api(
        prepay(&client, "jsapi", &other).await,
        400,
        "INVALID_REQUEST",
    );
    assert!(
        e.message.contains("请求重入时，参数与首次请求时不一致"),
        "{e}"
    );

    // Unknown orders.
    expect_api(
        query(&client, &sandbox, "NO-SUCH-ORDER").await,
        404,
        "ORDER_NOT_EXIST",
    );
    let by_id = client
        .request(Method::Get, "v3/pay/transactions/id/{transaction_id}")
        .path_param("transaction_id", "4200000000202401010000000000")
        .query_pair("mchid", &mchid)
        .send()
        .await;
    expect_api::<Value>(by_id, 404, "ORDER_NOT_EXIST");

    // Close: 204, again 204; a closed order cannot be paid or prepaid again.
    let close = |no: &'static str| {
        let client = client.clone();
        let mchid = mchid.clone();
        async move {
            client
                .request(
                    Method::Post,
                    "v3/pay/transactions/out-trade-no/{out_trade_no}/close",
                )
                .path_param("out_trade_no", no)
                .json(json!({ "mchid": mchid }))
                .send::<()>()
                .await
        }
    };
    close("ORDER-0002").await.expect("204");
    close("ORDER-0002").await.expect("closing again is fine");
    close("NEVER-SEEN-01")
        .await
        .expect("unknown numbers answer 204 too");
    let closed = query(&client, &sandbox, "ORDER-0002").await.unwrap();
    assert_eq!(
        (
            closed["trade_state"].as_str(),
            closed["trade_state_desc"].as_str()
        ),
        (Some("CLOSED"), Some("订单已关闭"))
    );
    match sandbox.pay_order(&mchid, "ORDER-0002") {
        Err(wxpay_sandbox::SandboxError::Rejected { code, .. }) => assert_eq!(code, "ORDER_CLOSED"),
        other => panic!("{other:?}"),
    }
    expect_api(prepay(&client, "jsapi", &body).await, 400, "ORDER_CLOSED");

    // A paid order cannot be closed, paid again or prepaid again.
    paid_order(&sandbox, &client, "ORDER-0003", 100, "http://127.0.0.1:9/n").await;
    let e = close("ORDER-0003").await.unwrap_err();
    assert!(
        matches!(&e, Error::Api(api) if api.code == "ORDER_PAID" && api.status == 400),
        "{e:?}"
    );
    let (status, answer) = control(
        &sandbox,
        reqwest::Method::POST,
        "sandbox/orders/pay",
        Some(json!({"mchid": mchid, "out_trade_no": "ORDER-0003"})),
    )
    .await;
    assert_eq!((status, answer["code"].as_str()), (400, Some("ORDER_PAID")));
    expect_api(
        prepay(
            &client,
            "jsapi",
            &jsapi_order(&sandbox, "ORDER-0003", 100, "http://127.0.0.1:9/n"),
        )
        .await,
        400,
        "ORDER_PAID",
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn fields_are_checked_one_by_one() {
    let (sandbox, client) = started(Sandbox::builder()).await;
    let good = jsapi_order(&sandbox, "ORDER-0004", 100, "http://127.0.0.1:9/n");
    type Change = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Change, &str)> = vec![
        (
            "no appid",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("appid");
            }),
            "`appid`",
        ),
        (
            "zero total",
            Box::new(|b| b["amount"]["total"] = json!(0)),
            "`amount.total`",
        ),
        (
            "float total",
            Box::new(|b| b["amount"]["total"] = json!(1.5)),
            "`amount.total`",
        ),
        (
            "string total",
            Box::new(|b| b["amount"]["total"] = json!("100")),
            "`amount.total`",
        ),
        (
            "currency",
            Box::new(|b| b["amount"]["currency"] = json!("USD")),
            "`amount.currency`",
        ),
        (
            "no openid",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("payer");
            }),
            "`payer.openid`",
        ),
        (
            "short out_trade_no",
            Box::new(|b| b["out_trade_no"] = json!("A1")),
            "`out_trade_no`",
        ),
        (
            "bad out_trade_no",
            Box::new(|b| b["out_trade_no"] = json!("ORDER 0004")),
            "`out_trade_no`",
        ),
        (
            "notify_url query",
            Box::new(|b| b["notify_url"] = json!("http://127.0.0.1/n?x=1")),
            "`notify_url`",
        ),
        (
            "time_expire",
            Box::new(|b| b["time_expire"] = json!("tomorrow")),
            "`time_expire`",
        ),
        (
            "amount type",
            Box::new(|b| b["amount"] = json!(100)),
            "`amount`",
        ),
    ];
    for (what, change, field) in cases {
        let mut body = good.clone();
        change(&mut body);
        let e = expect_api(prepay(&client, "jsapi", &body).await, 400, "PARAM_ERROR");
        assert!(e.message.contains(field), "{what}: {e}");
    }
    // The merchant in the body must be the one that signed.
    let mut body = good.clone();
    body["mchid"] = json!("1230000109");
    expect_api(
        prepay(&client, "jsapi", &body).await,
        400,
        "INVALID_REQUEST",
    );
    // H5 needs scene_info.
    expect_api(prepay(&client, "h5", &good).await, 400, "PARAM_ERROR");
    // Nothing was stored by the refused requests; the good one still works.
    expect_api(
        query(&client, &sandbox, "ORDER-0004").await,
        404,
        "ORDER_NOT_EXIST",
    );
    prepay(&client, "jsapi", &good).await.unwrap();
    sandbox.shutdown().await;
}

#[tokio::test]
async fn auto_pay_pays_after_the_delay_and_time_expire_closes() {
    let (sandbox, client) = started(Sandbox::builder().auto_pay(Duration::from_millis(200))).await;
    prepay(
        &client,
        "jsapi",
        &jsapi_order(&sandbox, "AUTO-0001", 100, "http://127.0.0.1:9/n"),
    )
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let order = query(&client, &sandbox, "AUTO-0001").await.unwrap();
        if order["trade_state"] == "SUCCESS" {
            break;
        }
        assert_eq!(order["trade_state"], "NOTPAY");
        assert!(Instant::now() < deadline, "not auto-paid within 10 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    sandbox.shutdown().await;

    // time_expire in the past is raised to one minute: still payable now.
    let (sandbox, client) = started(Sandbox::builder()).await;
    let mut body = jsapi_order(&sandbox, "EXPIRE-0001", 100, "http://127.0.0.1:9/n");
    body["time_expire"] = json!("2018-06-08T10:34:56+08:00");
    prepay(&client, "jsapi", &body).await.unwrap();
    assert_eq!(
        query(&client, &sandbox, "EXPIRE-0001").await.unwrap()["trade_state"],
        "NOTPAY"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_control_api_refuses_bad_input_and_keeps_serving() {
    let (sandbox, client) = started(Sandbox::builder()).await;
    prepay(
        &client,
        "jsapi",
        &jsapi_order(&sandbox, "CTRL-0001", 100, "http://127.0.0.1:9/n"),
    )
    .await
    .unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!("{}sandbox/orders/pay", sandbox.base_url());
    for body in ["", "not json", "[1]", r#"{"mchid":"1900009191"}"#] {
        let response = http.post(&url).body(body).send().await.unwrap();
        assert_eq!(response.status(), 400, "{body:?}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["code"], "PARAM_ERROR", "{body:?}");
    }
    let (status, answer) = control(
        &sandbox,
        reqwest::Method::POST,
        "sandbox/orders/pay",
        Some(json!({"prepay_id": "wx-unknown"})),
    )
    .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (404, Some("ORDER_NOT_EXIST"))
    );
    let (status, _) = control(&sandbox, reqwest::Method::GET, "sandbox/nothing-here", None).await;
    assert_eq!(status, 404);
    // Nothing was lost; the order is still payable, and its error answers
    // carry WeChat's internal number in Request-ID.
    let mchid = sandbox.merchant().mchid.clone();
    let (status, paid) = control(
        &sandbox,
        reqwest::Method::POST,
        "sandbox/orders/pay",
        Some(json!({"mchid": mchid, "out_trade_no": "CTRL-0001"})),
    )
    .await;
    assert_eq!(
        (status, paid["trade_state"].as_str()),
        (200, Some("SUCCESS"))
    );
    let e = expect_api(
        query(&client, &sandbox, "NO-SUCH-ORDER").await,
        404,
        "ORDER_NOT_EXIST",
    );
    assert!(
        e.request_id.as_deref().unwrap().ends_with("-268512771"),
        "{e}"
    );
    sandbox.shutdown().await;
}

// The typed order query of wxpay-apis decodes what WeChat returns in each
// state: the catalog's schema (the prepay request's) required fields no
// answer carries, so before the generator's ORDER_QUERIES correction an
// unpaid order failed with "missing field `description`".
#[tokio::test]
async fn the_typed_order_query_decodes_unpaid_and_paid_orders() {
    use wxpay_apis::pay::transactions::out_trade_no::QueryOrderByOutTradeNoRequest;
    use wxpay_apis::pay::PayTradeState;

    let (sandbox, client) = started(Sandbox::builder()).await;
    let mchid = sandbox.merchant().mchid.clone();
    prepay(
        &client,
        "jsapi",
        &jsapi_order(&sandbox, "TYPED-0001", 888, "http://127.0.0.1:9/n"),
    )
    .await
    .unwrap();
    // `mchid`, the calling merchant, is the client's own.
    let unpaid = QueryOrderByOutTradeNoRequest::new("TYPED-0001")
        .send(&client)
        .await
        .unwrap();
    assert_eq!(unpaid.trade_state, Some(PayTradeState::Notpay));
    let amount = unpaid.amount.expect("an unpaid order has its amount");
    assert_eq!((amount.total, amount.payer_total), (888, None));
    assert!(unpaid.transaction_id.is_none());

    sandbox.pay_order(&mchid, "TYPED-0001").unwrap();
    let paid = QueryOrderByOutTradeNoRequest::new("TYPED-0001")
        .send(&client)
        .await
        .unwrap();
    assert_eq!(paid.trade_state, Some(PayTradeState::Success));
    assert_eq!(paid.amount.and_then(|a| a.payer_total), Some(888));
    assert!(paid.transaction_id.is_some());
    sandbox.shutdown().await;
}

/// The fields that are the calling merchant (`mchid` of a direct merchant's
/// prepay and query) are filled by the client; the same id given explicitly
/// is sent, another is refused before anything is sent, naming both.
#[tokio::test]
async fn the_calling_merchant_is_the_clients_own() {
    use wxpay_apis::pay::transactions::jsapi::{
        JsapiPrepayPayer, JsapiPrepayRequest, JsapiPrepayRequired,
    };
    use wxpay_apis::pay::transactions::out_trade_no::QueryOrderByOutTradeNoRequest;
    use wxpay_apis::pay::PayAmount;

    let (sandbox, client) = started(Sandbox::builder()).await;
    let mchid = sandbox.merchant().mchid.clone();
    let prepay = JsapiPrepayRequest::new(JsapiPrepayRequired {
        amount: PayAmount::new(100),
        appid: APPID,
        description: "merchant filled",
        notify_url: "http://127.0.0.1:9/n",
        out_trade_no: "CALLER-0001",
        payer: JsapiPrepayPayer::new(OPENID),
    });
    assert!(prepay.mchid.is_none());
    prepay
        .send(&client)
        .await
        .expect("the sandbox takes the client's mchid");
    // Filed under the client's merchant id.
    assert!(sandbox.order(&mchid, "CALLER-0001").is_some());

    let mut query = QueryOrderByOutTradeNoRequest::new("CALLER-0001");
    query.mchid = Some(&mchid);
    assert!(
        query.send(&client).await.is_ok(),
        "the client's own id, given"
    );
    query.mchid = Some("1900000999");
    let err = query.send(&client).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("1900000999") && text.contains(&mchid),
        "{text}"
    );
    // Not an answer of the sandbox (which would refuse another merchant's
    // query with its own code): the client never sent it.
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    sandbox.shutdown().await;
}
