//! Typed APIv2 operations: the generated `wxpay_apis::v2` requests and a
//! hand-declared `#[wxpay_api(v2, ...)]` one, sent to the sandbox over mutual
//! TLS through the same path as untyped calls, their answers decoded typed.

use wxpay_apis::v2::pay::{
    DownloadBillRequest, DownloadBillRequired, MicropayRequest, MicropayRequired,
    OrderQueryRequest, RefundQueryRequest, RefundRequest, RefundRequired, ReverseRequest,
    ReverseRequired,
};
use wxpay_core::v2::{SignType, V2Error, V2Fields, V2Operation, V2Response};
use wxpay_core::{wxpay_api, Error};
use wxpay_sandbox::v2::V2Sandbox;

const APPID: &str = "wxd678efh567hg6787";
const AUTH_CODE: &str = "134567890123456789";

fn micropay<'a>(out_trade_no: &'a str, total_fee: i64) -> MicropayRequest<'a> {
    MicropayRequest::new(MicropayRequired {
        appid: APPID,
        auth_code: AUTH_CODE,
        body: "Image形象店-深圳腾大-QQ公仔",
        out_trade_no,
        spbill_create_ip: "127.0.0.1",
        total_fee,
    })
}

#[tokio::test]
async fn typed_micropay_query_refund_refund_query_and_reverse_over_mutual_tls() {
    let sandbox = V2Sandbox::start().await.unwrap();
    for (i, sign_type) in [SignType::Md5, SignType::HmacSha256]
        .into_iter()
        .enumerate()
    {
        let client = sandbox
            .client_builder()
            .unwrap()
            .sign_type(sign_type)
            .build()
            .unwrap();
        let no = format!("TYPED{i}");
        let mut pay = micropay(&no, 100);
        pay.attach = Some("typed");
        let paid = pay.send(&client).await.unwrap();
        assert_eq!(paid.total_fee, Some(100));
        assert_eq!(paid.out_trade_no.as_deref(), Some(no.as_str()));
        let transaction_id = paid.transaction_id.clone().unwrap();
        assert!(transaction_id.starts_with("42000"), "{transaction_id}");
        // The checked protocol fields are kept in `other`.
        assert_eq!(
            paid.other.get("result_code").map(String::as_str),
            Some("SUCCESS")
        );

        let mut query = OrderQueryRequest::new(APPID);
        query.transaction_id = Some(&transaction_id);
        let order = client.send(&query).await.unwrap(); // the trait's way
        assert_eq!(order.trade_state.as_deref(), Some("SUCCESS"));
        assert_eq!(order.out_trade_no.as_deref(), Some(no.as_str()));

        let refund_no = format!("RTYPED{i}");
        let mut refund = RefundRequest::new(RefundRequired {
            appid: APPID,
            out_refund_no: &refund_no,
            refund_fee: 30,
            total_fee: 100,
        });
        refund.out_trade_no = Some(&no);
        let refunded = refund.send(&client).await.unwrap();
        assert_eq!(refunded.refund_fee, Some(30));
        assert!(refunded
            .refund_id
            .as_deref()
            .is_some_and(|id| id.starts_with("50000")));

        let mut refunds = RefundQueryRequest::new(APPID);
        refunds.out_trade_no = Some(&no);
        let refunds = refunds.send(&client).await.unwrap();
        assert_eq!(refunds.refund_count, Some(1));
        // Numbered fields: through `other`.
        assert_eq!(
            refunds.other.indexed("refund_status_$n", &[0]),
            Some("SUCCESS")
        );
        assert_eq!(refunds.other.indexed("refund_fee_$n", &[0]), Some("30"));
        assert_eq!(
            refunds.other.indexed("out_refund_no_$n", &[0]),
            Some(refund_no.as_str())
        );

        let second = format!("TYPED{i}-reverse");
        micropay(&second, 5).send(&client).await.unwrap();
        let reversed = ReverseRequest::new(ReverseRequired {
            appid: APPID,
            out_trade_no: &second,
        })
        .send(&client)
        .await
        .unwrap();
        assert_eq!(reversed.recall.as_deref(), Some("N"));
        let mut query = OrderQueryRequest::new(APPID);
        query.out_trade_no = Some(&second);
        let order = query.send(&client).await.unwrap();
        assert_eq!(order.trade_state.as_deref(), Some("REVOKED"));
    }
}

#[tokio::test]
async fn typed_calls_fail_as_untyped_ones_do() {
    let sandbox = V2Sandbox::start().await.unwrap();
    let client = sandbox.client_builder().unwrap().build().unwrap();
    let mut query = OrderQueryRequest::new(APPID);
    query.out_trade_no = Some("nope");
    let err = query.send(&client).await.unwrap_err();
    assert!(
        matches!(&err, Error::V2(V2Error::Business { err_code, .. }) if err_code == "ORDERNOTEXIST"),
        "{err:?}"
    );

    // A certificate operation is refused before sending by a client without one.
    let no_cert = sandbox
        .client_builder_without_certificate()
        .unwrap()
        .build()
        .unwrap();
    let mut refund = RefundRequest::new(RefundRequired {
        appid: APPID,
        out_refund_no: "R-no-cert",
        refund_fee: 1,
        total_fee: 1,
    });
    refund.out_trade_no = Some("T");
    let err = refund.send(&no_cert).await.unwrap_err();
    assert!(
        matches!(&err, Error::V2(V2Error::CertificateRequired(path)) if path == "secapi/pay/refund"),
        "{err:?}"
    );
}

/// Declared by hand with the attribute: required answer fields, parsed as asked.
#[derive(Debug, serde::Deserialize)]
pub struct Paid {
    pub transaction_id: String,
    pub total_fee: u32,
    pub attach: Option<String>,
    #[serde(flatten)]
    pub other: V2Fields,
}

#[wxpay_api(v2, POST, "v2/pay/micropay", response = Paid)]
#[derive(Debug)]
pub struct HandMicropay<'a> {
    pub appid: &'a str,
    pub auth_code: &'a str,
    pub body: &'a str,
    pub out_trade_no: &'a str,
    pub spbill_create_ip: &'a str,
    pub total_fee: u32,
    pub detail: Option<serde_json::Value>,
}

/// The untyped answer.
#[wxpay_api(v2, POST, "v2/pay/orderquery", response = V2Response)]
pub struct HandQuery<'a> {
    pub appid: &'a str,
    pub out_trade_no: &'a str,
}

/// An answer the sandbox's does not fit: a decoding error naming the field.
#[derive(Debug, serde::Deserialize)]
pub struct WrongAnswer {
    #[allow(dead_code)] // never read: the answer does not decode
    pub trade_type: i64,
}

#[wxpay_api(v2, POST, "v2/pay/orderquery", response = WrongAnswer)]
pub struct WrongQuery<'a> {
    pub appid: &'a str,
    pub out_trade_no: &'a str,
}

/// Signed with HMAC-SHA256 whatever the client's sign type.
#[wxpay_api(v2, POST, "v2/pay/micropay", response = V2Response, sign_type = "HMAC-SHA256")]
pub struct HmacMicropay<'a> {
    pub appid: &'a str,
    pub auth_code: &'a str,
    pub body: &'a str,
    pub out_trade_no: &'a str,
    pub spbill_create_ip: &'a str,
    pub total_fee: u32,
}

#[tokio::test]
async fn an_operation_with_one_sign_type_is_signed_so_by_any_client() {
    let sandbox = V2Sandbox::start().await.unwrap();
    // The default sign type: MD5.
    let client = sandbox.client_builder().unwrap().build().unwrap();
    let plain = micropay("MD5-1", 1).send(&client).await.unwrap();
    assert_eq!(plain.other.get("sign").map(String::len), Some(32));
    let answer = HmacMicropay {
        appid: APPID,
        auth_code: AUTH_CODE,
        body: "body",
        out_trade_no: "HMAC-1",
        spbill_create_ip: "127.0.0.1",
        total_fee: 1,
    }
    .send(&client)
    .await
    .unwrap();
    // The sandbox checked an HMAC-SHA256 sign and answered with one.
    assert!(answer.verified());
    assert_eq!(answer.get("sign").map(str::len), Some(64));
}

#[tokio::test]
async fn a_hand_declared_operation_is_sent_and_decoded() {
    let sandbox = V2Sandbox::start().await.unwrap();
    let client = sandbox.client_builder().unwrap().build().unwrap();
    let pay = HandMicropay {
        appid: APPID,
        auth_code: AUTH_CODE,
        body: "body",
        out_trade_no: "HAND1",
        spbill_create_ip: "127.0.0.1",
        total_fee: 7,
        detail: Some(serde_json::json!({"goods_detail": [{"goods_id": "g1", "quantity": 1}]})),
    };
    assert_eq!(HandMicropay::PATH, "v2/pay/micropay");
    let fields = pay.fields().unwrap();
    assert_eq!(fields["total_fee"], "7");
    assert_eq!(
        fields["detail"],
        r#"{"goods_detail":[{"goods_id":"g1","quantity":1}]}"#
    );
    assert!(!fields.contains_key("mch_id") && !fields.contains_key("sign"));

    let paid = pay.send(&client).await.unwrap();
    assert_eq!(paid.total_fee, 7);
    assert!(paid.attach.is_none());
    assert_eq!(
        paid.other.get("trade_type").map(String::as_str),
        Some("MICROPAY")
    );

    let answer: V2Response = HandQuery {
        appid: APPID,
        out_trade_no: "HAND1",
    }
    .send(&client)
    .await
    .unwrap();
    assert!(answer.verified());
    assert_eq!(
        answer.get("transaction_id"),
        Some(paid.transaction_id.as_str())
    );

    let err = WrongQuery {
        appid: APPID,
        out_trade_no: "HAND1",
    }
    .send(&client)
    .await
    .unwrap_err();
    match &err {
        Error::Decode { message, .. } => {
            assert_eq!(
                message,
                r#"field `trade_type`: "MICROPAY" is not an integer"#
            )
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_typed_bill_is_the_raw_bytes_and_an_xml_failure_an_error() {
    const BILL: &str =
        "交易时间,公众账号ID,商户号\n`2014-06-03 10:00:00,`wx2421b1c4370ec43b,`10000100\n";
    let base = crate::roundtrip::fake(BILL).await;
    let bill = DownloadBillRequest::new(DownloadBillRequired {
        appid: APPID,
        bill_date: "20140603",
    })
    .send(&crate::roundtrip::client_for(&base))
    .await
    .unwrap();
    assert_eq!(bill.text(), Some(BILL));
    assert_eq!(bill.bytes().as_ref(), BILL.as_bytes());

    let base = crate::roundtrip::fake(
        "<xml><return_code>FAIL</return_code><return_msg>No Bill Exist</return_msg><error_code>20002</error_code></xml>",
    )
    .await;
    let err = DownloadBillRequest::new(DownloadBillRequired {
        appid: APPID,
        bill_date: "20140603",
    })
    .send(&crate::roundtrip::client_for(&base))
    .await
    .unwrap_err();
    assert!(
        matches!(&err, Error::V2(V2Error::Communication { return_msg, .. }) if return_msg == "No Bill Exist"),
        "{err:?}"
    );
}

#[test]
fn generated_operations_name_the_one_sign_type_wechat_accepts() {
    use wxpay_apis::v2::profitsharing::ProfitSharingRequest;
    assert_eq!(ProfitSharingRequest::SIGN_TYPE, Some(SignType::HmacSha256));
    assert_eq!(
        wxpay_apis::v2::pay::CombinedOrderRequest::SIGN_TYPE,
        Some(SignType::HmacSha256)
    );
    assert_eq!(MicropayRequest::SIGN_TYPE, None);
}

#[test]
fn names_and_paths_users_look_for() {
    assert_eq!(MicropayRequest::PATH, "v2/pay/micropay");
    assert_eq!(OrderQueryRequest::PATH, "v2/pay/orderquery");
    assert_eq!(ReverseRequest::PATH, "v2/secapi/pay/reverse");
    assert_eq!(RefundRequest::PATH, "v2/secapi/pay/refund");
    assert_eq!(RefundQueryRequest::PATH, "v2/pay/refundquery");
    assert_eq!(DownloadBillRequest::PATH, "v2/pay/downloadbill");
    assert_eq!(
        wxpay_apis::v2::redpack::SendRedpackRequest::PATH,
        "v2/mmpaymkttransfers/sendredpack"
    );
    assert_eq!(
        wxpay_apis::v2::transfers::TransfersRequest::PATH,
        "v2/mmpaymkttransfers/promotion/transfers"
    );
    assert_eq!(
        wxpay_apis::v2::coupon::SendCouponRequest::PATH,
        "v2/mmpaymkttransfers/send_coupon"
    );
    assert_eq!(
        wxpay_apis::v2::profitsharing::ProfitSharingRequest::PATH,
        "v2/secapi/pay/profitsharing"
    );
}

#[test]
fn requests_leave_the_client_fields_out_and_json_text_as_given() {
    let mut pay = micropay("T", 1);
    pay.detail = Some(r#"{"goods_detail":[]}"#);
    let fields = pay.fields().unwrap();
    for name in ["mch_id", "nonce_str", "sign", "sign_type", "attach"] {
        assert!(!fields.contains_key(name), "{name}");
    }
    assert_eq!(fields["detail"], r#"{"goods_detail":[]}"#);
    assert_eq!(fields["total_fee"], "1");
}

#[tokio::test]
async fn transfers_name_the_merchant_mchid_and_get_no_second_mch_id() {
    let sandbox = V2Sandbox::start().await.unwrap();
    let client = sandbox.client_builder().unwrap().build().unwrap();
    use wxpay_apis::v2::transfers::{TransfersRequest, TransfersRequired};
    let transfer = TransfersRequest::new(TransfersRequired {
        amount: 100,
        check_name: "NO_CHECK",
        desc: "理赔",
        mch_appid: APPID,
        mchid: sandbox.mchid(),
        openid: "oxTWIuGaIt6gTKsQRLau2M0yL16E",
        partner_trade_no: "10000098201411111234567890",
        spbill_create_ip: "192.168.0.1",
    });
    let mut request = client.call(TransfersRequest::PATH);
    for (name, value) in transfer.fields().unwrap() {
        request = request.param(name, value);
    }
    let xml = request.to_xml().unwrap();
    assert!(xml.contains("<mchid>"), "{xml}");
    assert!(!xml.contains("<mch_id>"), "{xml}");
    let xml = client
        .call("pay/orderquery")
        .param("appid", APPID)
        .to_xml()
        .unwrap();
    assert!(
        xml.contains(&format!("<mch_id><![CDATA[{}]]></mch_id>", sandbox.mchid())),
        "{xml}"
    );
}

#[tokio::test]
async fn the_key_never_reaches_debug_output() {
    const SECRET: &str = "0123456789abcdef0123456789ABCDEF";
    let sandbox = V2Sandbox::builder().key(SECRET).start().await.unwrap();
    let client = sandbox.client_builder().unwrap().build().unwrap();
    // The key works: the sandbox checks the sign.
    let paid = micropay("SECRET1", 1).send(&client).await.unwrap();
    let request = client.call("pay/micropay").param("appid", APPID);
    let debug = format!(
        "{client:?} {:?} {request:?} {paid:?} {:?}",
        sandbox.key(),
        micropay("SECRET2", 1)
    );
    assert!(!debug.contains(SECRET), "{debug}");
    assert!(!debug
        .to_ascii_lowercase()
        .contains(&SECRET.to_ascii_lowercase()));
}
