//! The six seed operations: method, path, query/body bytes, and decoding of a
//! verified response, through the typed API over loopback.

use wxpay_apis::ecommerce::profitsharing::after_sales_orders::*;
use wxpay_apis::ecommerce::profitsharing::returnorders::*;
use wxpay_apis::ecommerce::refunds::return_advance::*;
use wxpay_core::{ApiRequest, EncodedRequest, Method};

use crate::server::{Reply, TestServer};

fn encoded<R: ApiRequest>(request: &R) -> EncodedRequest {
    EncodedRequest::from_api(request).unwrap()
}

#[tokio::test]
async fn return_advance_post_binds_the_path_and_sends_the_rest_as_body() {
    let request = ReturnAdvanceRequest::new(ReturnAdvanceRequired {
        refund_id: "50000000382019052709732678859",
        sub_mchid: "1900000109",
    });
    let e = encoded(&request);
    assert_eq!(e.method, Method::Post);
    assert_eq!(
        e.path,
        "v3/ecommerce/refunds/50000000382019052709732678859/return-advance"
    );
    assert_eq!(e.query, "");
    assert_eq!(
        e.body.as_deref(),
        Some(&br#"{"sub_mchid":"1900000109"}"#[..])
    );

    let server = TestServer::start().await;
    server.reply(Reply::json(
        200,
        r#"{"refund_id":"50000000382019052709732678859","advance_return_id":"1215562501201407033233368018","return_amount":888,"payer_mchid":"1900000109","payer_account":"BASIC","payee_mchid":"1900000108","payee_account":"BASIC","result":"SUCCESS","success_time":"2018-06-08T10:34:56+08:00"}"#,
    ));
    let advance = request.send(&server.client()).await.unwrap();
    assert_eq!(advance.return_amount, 888);
    assert_eq!(advance.advance_return_id, "1215562501201407033233368018");
    assert_eq!(
        advance.success_time.as_deref(),
        Some("2018-06-08T10:34:56+08:00")
    );
    assert_eq!(server.last().body, br#"{"sub_mchid":"1900000109"}"#);
}

#[tokio::test]
async fn return_advance_get_puts_sub_mchid_in_the_query() {
    let request = QueryReturnAdvanceRequest::new(QueryReturnAdvanceRequired {
        refund_id: "5000/0000?x",
        sub_mchid: "1900000109",
    });
    let e = encoded(&request);
    assert_eq!(e.method, Method::Get);
    assert_eq!(
        e.path,
        "v3/ecommerce/refunds/5000%2F0000%3Fx/return-advance"
    );
    assert_eq!(e.query, "sub_mchid=1900000109");
    assert_eq!(e.body, None);

    let server = TestServer::start().await;
    server.reply(Reply::json(
        200,
        r#"{"refund_id":"5000/0000?x","advance_return_id":"1","return_amount":1,"payer_mchid":"1","payer_account":"BASIC","payee_mchid":"2","payee_account":"BASIC","result":"PROCESSING"}"#,
    ));
    let advance = request.send(&server.client()).await.unwrap();
    assert_eq!(advance.result, "PROCESSING");
    assert_eq!(advance.success_time, None);
    assert_eq!(
        server.last().target,
        "/v3/ecommerce/refunds/5000%2F0000%3Fx/return-advance?sub_mchid=1900000109"
    );
}

#[tokio::test]
async fn after_sales_order_post_and_get() {
    let create = CreateAfterSalesOrderRequest::new(CreateAfterSalesOrderRequired {
        sub_mchid: "1900000109",
        transaction_id: "4208450740201411110007820472",
        amount: 10,
        refund_id: "3008450740201411110007820472",
        scene: AfterSalesScene::RefundTicket,
        r#type: AfterSalesType::ServiceFeeIncome,
    });
    let e = encoded(&create);
    assert_eq!(
        (e.method, e.path.as_str()),
        (
            Method::Post,
            "v3/ecommerce/profitsharing/after-sales-orders"
        )
    );
    assert_eq!(
        String::from_utf8(e.body.unwrap()).unwrap(),
        r#"{"sub_mchid":"1900000109","transaction_id":"4208450740201411110007820472","amount":10,"refund_id":"3008450740201411110007820472","scene":"REFUND_TICKET","type":"SERVICE_FEE_INCOME"}"#
    );

    // WeChat's typed documentation requires `transaction_id` here though the
    // catalog marks it optional (xtask REQUIRED_OVERRIDES): `new` takes it
    // as a plain `&str`, so it cannot be left out.
    let query = QueryAfterSalesOrderRequest::new(QueryAfterSalesOrderRequired {
        sub_mchid: "1900000109",
        transaction_id: "4208450740201411110007820472",
    });
    let transaction_id: &str = query.transaction_id;
    assert_eq!(transaction_id, "4208450740201411110007820472");
    assert_eq!(
        encoded(&query).query,
        "sub_mchid=1900000109&transaction_id=4208450740201411110007820472"
    );

    let server = TestServer::start().await;
    server.reply(Reply::json(
        200,
        r#"{"sub_mchid":"1900000109","transaction_id":"4208450740201411110007820472","amount":10,"result":"FAILED","finish_time":"2015-05-20T13:29:35.120+08:00","fail_reason":"SOME_NEW_REASON"}"#,
    ));
    let result = query.send(&server.client()).await.unwrap();
    assert_eq!(result.result, AfterSalesResult::Failed);
    // A reason WeChat adds later decodes and round-trips instead of failing.
    let reason = result.fail_reason.clone().unwrap();
    assert!(reason.is_unknown());
    assert_eq!(reason.as_str(), "SOME_NEW_REASON");
    assert!(serde_json::to_string(&result)
        .unwrap()
        .contains(r#""fail_reason":"SOME_NEW_REASON""#));
}

#[tokio::test]
async fn return_order_post_and_get() {
    let create = CreateReturnOrderRequest::new(CreateReturnOrderRequired {
        sub_mchid: "1900000109",
        order: SharingOrder::OrderId("3008450740201411110007820472"),
        out_return_no: "R20190516001",
        return_mchid: "86693852",
        amount: 10,
        description: "分账回退",
    });
    let e = encoded(&create);
    assert_eq!(
        (e.method, e.path.as_str()),
        (Method::Post, "v3/ecommerce/profitsharing/returnorders")
    );
    assert_eq!(
        String::from_utf8(e.body.unwrap()).unwrap(),
        r#"{"sub_mchid":"1900000109","order_id":"3008450740201411110007820472","out_return_no":"R20190516001","return_mchid":"86693852","amount":10,"description":"分账回退"}"#
    );

    let query = QueryReturnOrderRequest::new(QueryReturnOrderRequired {
        sub_mchid: "1900000109",
        order: SharingOrder::OutOrderNo("P20150806125346"),
        out_return_no: "R20190516001",
    });
    let e = encoded(&query);
    assert_eq!(e.method, Method::Get);
    assert_eq!(
        e.query,
        "sub_mchid=1900000109&out_order_no=P20150806125346&out_return_no=R20190516001"
    );

    let server = TestServer::start().await;
    server.reply(Reply::json(
        200,
        r#"{"sub_mchid":"1900000109","order_id":"3008450740201411110007820472","out_order_no":"P20150806125346","out_return_no":"R20190516001","return_mchid":"86693852","amount":10,"return_no":"3008450740201411110007820472","result":"SUCCESS","finish_time":"2015-05-20T13:29:35.120+08:00"}"#,
    ));
    let order = query.send(&server.client()).await.unwrap();
    assert_eq!(order.result, ReturnResult::Success);
    assert_eq!(order.amount, 10);
    assert_eq!(order.fail_reason, None);
}

#[test]
fn templates_and_methods_are_as_declared() {
    assert_eq!(
        <ReturnAdvanceRequest<'_> as ApiRequest>::PATH_TEMPLATE,
        "v3/ecommerce/refunds/<refund_id>/return-advance"
    );
    assert_eq!(
        <QueryReturnAdvanceRequest<'_> as ApiRequest>::METHOD,
        Method::Get
    );
    assert_eq!(
        <CreateReturnOrderRequest<'_> as ApiRequest>::METHOD,
        Method::Post
    );
}
