//! The sandbox's APIv2 over mutual TLS, and answers a fake server makes bad.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::routing::post;
use wxpay_core::v2::notify::{
    answer_success, decrypt_refund_notification, verify_payment_notification,
};
use wxpay_core::v2::{from_xml, sign, to_xml, ApiV2Key, SignType, V2Client, V2Error};
use wxpay_core::{Error, VerifyError};
use wxpay_sandbox::v2::V2Sandbox;

pub(crate) const APPID: &str = "wxd678efh567hg6787";

pub(crate) async fn micropay(
    client: &V2Client,
    out_trade_no: &str,
    fee: u32,
) -> Result<wxpay_core::v2::V2Response, Error> {
    client
        .call("pay/micropay")
        .param("appid", APPID)
        .param("body", "Image形象店-深圳腾大-QQ公仔")
        .param("out_trade_no", out_trade_no)
        .param("total_fee", fee.to_string())
        .param("spbill_create_ip", "127.0.0.1")
        .param("auth_code", "134567890123456789")
        .send()
        .await
}

#[tokio::test]
async fn micropay_query_refund_and_reverse_over_mutual_tls_with_both_sign_types() {
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
        let no = format!("T{i}");
        let paid = micropay(&client, &no, 100).await.unwrap();
        assert!(paid.verified());
        assert_eq!(paid.get("total_fee"), Some("100"));
        let transaction_id = paid.get("transaction_id").unwrap().to_owned();
        // An answer to an HMAC-SHA256 request is signed the same way.
        let expected_len = if sign_type == SignType::Md5 { 32 } else { 64 };
        assert_eq!(paid.get("sign").unwrap().len(), expected_len);

        let query = client
            .call("v2/pay/orderquery") // the catalog's spelling works too
            .param("appid", APPID)
            .param("transaction_id", &transaction_id)
            .send()
            .await
            .unwrap();
        assert_eq!(query.get("trade_state"), Some("SUCCESS"));
        assert_eq!(query.get("out_trade_no"), Some(no.as_str()));

        let refund = client
            .call("secapi/pay/refund")
            .param("appid", APPID)
            .param("out_trade_no", &no)
            .param("out_refund_no", format!("R{i}"))
            .param("total_fee", "100")
            .param("refund_fee", "30")
            .send()
            .await
            .unwrap();
        assert_eq!(refund.get("refund_fee"), Some("30"));
        // More than is left: a business failure, typed.
        let too_much = client
            .call("secapi/pay/refund")
            .param("appid", APPID)
            .param("out_trade_no", &no)
            .param("out_refund_no", format!("R{i}b"))
            .param("total_fee", "100")
            .param("refund_fee", "71")
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(&too_much, Error::V2(V2Error::Business { err_code, .. }) if err_code == "NOTENOUGH"),
            "{too_much:?}"
        );
        let refunds = client
            .call("pay/refundquery")
            .param("appid", APPID)
            .param("out_trade_no", &no)
            .send()
            .await
            .unwrap();
        assert_eq!(refunds.get("refund_count"), Some("1"));
        assert_eq!(refunds.get("refund_status_0"), Some("SUCCESS"));

        let second = format!("T{i}-reverse");
        micropay(&client, &second, 5).await.unwrap();
        let reversed = client
            .call("secapi/pay/reverse")
            .param("appid", APPID)
            .param("out_trade_no", &second)
            .send()
            .await
            .unwrap();
        assert_eq!(reversed.get("recall"), Some("N"));
        let query = client
            .call("pay/orderquery")
            .param("appid", APPID)
            .param("out_trade_no", &second)
            .send()
            .await
            .unwrap();
        assert_eq!(query.get("trade_state"), Some("REVOKED"));
    }
}

#[tokio::test]
async fn unknown_orders_are_business_errors_and_a_wrong_key_is_refused_by_the_sandbox() {
    let sandbox = V2Sandbox::start().await.unwrap();
    let client = sandbox.client_builder().unwrap().build().unwrap();
    let err = client
        .call("pay/orderquery")
        .param("appid", APPID)
        .param("out_trade_no", "nope")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::V2(V2Error::Business { err_code, .. }) if err_code == "ORDERNOTEXIST"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "APIv2 business failure ORDERNOTEXIST: 此交易订单号不存在"
    );

    let wrong = sandbox
        .client_builder()
        .unwrap()
        .key(ApiV2Key::new("00000000000000000000000000000000").unwrap())
        .build()
        .unwrap();
    let err = micropay(&wrong, "T1", 1).await.unwrap_err();
    assert!(
        matches!(&err, Error::V2(V2Error::Communication { return_code, return_msg }) if return_code == "FAIL" && return_msg == "签名错误"),
        "{err:?}"
    );
}

#[tokio::test]
async fn certificate_operations_need_the_merchant_certificate() {
    let sandbox = V2Sandbox::start().await.unwrap();
    let bare = sandbox
        .client_builder_without_certificate()
        .unwrap()
        .build()
        .unwrap();
    // Non-certificate operations work without it.
    micropay(&bare, "T1", 100).await.unwrap();
    // The client refuses before sending.
    let refund = || {
        bare.call("secapi/pay/refund")
            .needs_certificate()
            .param("appid", APPID)
            .param("out_trade_no", "T1")
            .param("out_refund_no", "R1")
            .param("total_fee", "100")
            .param("refund_fee", "1")
    };
    let err = refund().send().await.unwrap_err();
    assert!(
        matches!(&err, Error::V2(V2Error::CertificateRequired(p)) if p == "secapi/pay/refund"),
        "{err:?}"
    );

    // And the sandbox refuses a correctly signed request sent without one.
    let http = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(
            sandbox.server_certificate_pem().as_bytes(),
        )
        .unwrap()])
        .no_proxy()
        .build()
        .unwrap();
    let answer = http
        .post(format!("{}secapi/pay/refund", sandbox.base_url()))
        .body(refund().to_xml().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let answer = from_xml(&answer).unwrap();
    assert_eq!(answer["return_code"], "FAIL");
    assert!(answer["return_msg"].starts_with("证书错误"), "{answer:?}");

    // Another merchant's certificate does not get through the handshake.
    let other = V2Sandbox::start().await.unwrap();
    let impostor = sandbox
        .client_builder_without_certificate()
        .unwrap()
        .merchant_certificate_pem(
            other.merchant_certificate_pem().as_bytes(),
            other.merchant_key_pem().as_bytes(),
        )
        .unwrap()
        .build()
        .unwrap();
    let err = micropay(&impostor, "T2", 1).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
}

/// A plain-HTTP server answering every path with `answer`.
pub(crate) async fn fake(answer: &'static str) -> String {
    let app = axum::Router::new().route("/{*path}", post(move || async move { answer }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/")
}

pub(crate) fn client_for(base: &str) -> V2Client {
    V2Client::builder()
        .mchid("10000100")
        .key(ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap())
        .base_url(base)
        .build()
        .unwrap()
}

#[tokio::test]
async fn bad_answers_are_typed_errors() {
    // A sign that does not match.
    let base = fake("<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code><sign>9A0A8659F005D6984697E2CA0A9CF3B7</sign></xml>").await;
    let err = client_for(&base)
        .call("pay/orderquery")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Verification {
                reason: VerifyError::BadSignature,
                ..
            }
        ),
        "{err:?}"
    );
    // No sign at all.
    let base =
        fake("<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code></xml>")
            .await;
    let err = client_for(&base)
        .call("pay/orderquery")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Verification {
                reason: VerifyError::Other(_),
                ..
            }
        ),
        "{err:?}"
    );
    // XXE.
    let base = fake("<!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><xml><return_code>&x;</return_code></xml>").await;
    let err = client_for(&base)
        .call("pay/orderquery")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::V2(V2Error::Doctype)), "{err:?}");
    // Not XML.
    let base = fake("<html>502 Bad Gateway").await;
    let err = client_for(&base)
        .call("pay/orderquery")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::V2(V2Error::Xml(_))), "{err:?}");
    // A bill is raw text, unsigned by design.
    let base = fake("交易时间,公众账号ID\n`2026-01-01 12:00:00,`wx1\n").await;
    let bill = client_for(&base)
        .call("pay/downloadbill")
        .unsigned_answer()
        .param("bill_date", "20260101")
        .send()
        .await
        .unwrap();
    assert!(!bill.verified());
    assert!(std::str::from_utf8(bill.raw())
        .unwrap()
        .starts_with("交易时间"));
    // ... but its XML error answer is still an error.
    let base =
        fake("<xml><return_code>FAIL</return_code><return_msg>No Bill Exist</return_msg></xml>")
            .await;
    let err = client_for(&base)
        .call("pay/downloadbill")
        .unsigned_answer()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "APIv2 call failed: return_code FAIL: No Bill Exist"
    );
}

#[tokio::test]
async fn the_sandbox_sends_payment_and_refund_notifications() {
    let sandbox = V2Sandbox::start().await.unwrap();
    let client = sandbox.client_builder().unwrap().build().unwrap();
    micropay(&client, "T1", 100).await.unwrap();
    client
        .call("secapi/pay/refund")
        .param("appid", APPID)
        .param("out_trade_no", "T1")
        .param("out_refund_no", "R1")
        .param("total_fee", "100")
        .param("refund_fee", "100")
        .send()
        .await
        .unwrap();

    let seen: Arc<Mutex<Vec<BTreeMap<String, String>>>> = Arc::default();
    let key = sandbox.key();
    let (k1, k2, s1, s2) = (key.clone(), key.clone(), seen.clone(), seen.clone());
    let app = axum::Router::new()
        .route(
            "/pay",
            post(move |body: axum::body::Bytes| async move {
                let fields = verify_payment_notification(&body, &k1).unwrap();
                s1.lock().unwrap().push(fields);
                answer_success()
            }),
        )
        .route(
            "/refund",
            post(move |body: axum::body::Bytes| async move {
                let fields = decrypt_refund_notification(&body, &k2).unwrap();
                s2.lock().unwrap().push(fields);
                answer_success()
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let answer = sandbox
        .notify_payment(&format!("http://{addr}/pay"), "T1")
        .await
        .unwrap();
    assert_eq!(answer["return_code"], "SUCCESS");
    let answer = sandbox
        .notify_refund(&format!("http://{addr}/refund"), "R1")
        .await
        .unwrap();
    assert_eq!(answer["return_code"], "SUCCESS");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen[0]["out_trade_no"], "T1");
    assert_eq!(seen[0]["total_fee"], "100");
    assert_eq!(seen[1]["out_refund_no"], "R1");
    assert_eq!(seen[1]["refund_status"], "SUCCESS");
    assert!(sandbox
        .notify_payment("http://example.com/pay", "T1")
        .await
        .is_err());

    // A notification signed with another key is refused by the receiver.
    let mut forged = BTreeMap::from([
        ("return_code".to_owned(), "SUCCESS".to_owned()),
        ("out_trade_no".to_owned(), "T1".to_owned()),
    ]);
    let other = ApiV2Key::new("ffffffffffffffffffffffffffffffff").unwrap();
    forged.insert("sign".into(), sign(&forged, &other, SignType::Md5));
    assert!(verify_payment_notification(to_xml(&forged).as_bytes(), &key).is_err());
}

#[tokio::test]
async fn a_micropay_waiting_for_the_password_is_queried_until_paid() {
    let sandbox = V2Sandbox::start().await.unwrap();
    let client = sandbox.client_builder().unwrap().build().unwrap();
    let err = client
        .call("pay/micropay")
        .param("appid", APPID)
        .param("body", "coffee")
        .param("out_trade_no", "T1")
        .param("total_fee", "1500")
        .param("spbill_create_ip", "127.0.0.1")
        .param("auth_code", "144567890123456789")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::V2(V2Error::Business { err_code, .. }) if err_code == "USERPAYING"),
        "{err:?}"
    );
    let query = || {
        client
            .call("pay/orderquery")
            .param("appid", APPID)
            .param("out_trade_no", "T1")
            .send()
    };
    assert_eq!(
        query().await.unwrap().get("trade_state"),
        Some("USERPAYING")
    );
    assert_eq!(query().await.unwrap().get("trade_state"), Some("SUCCESS"));
}

#[tokio::test]
async fn a_bill_is_read_with_the_download_limit_not_the_answer_limit() {
    use wxpay_apis::v2::pay::{DownloadBillRequest, DownloadBillRequired};
    // A 4 KiB bill: over the answer limit below, within the download limit.
    static BILL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let bill = BILL.get_or_init(|| format!("交易时间,公众账号ID\n{}", "`x,`y\n".repeat(700)));
    let base = fake(bill.as_str()).await;
    let builder = || {
        V2Client::builder()
            .mchid("10000100")
            .key(ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap())
            .base_url(&base)
            .max_response_bytes(1024)
    };
    let request = DownloadBillRequest::new(DownloadBillRequired {
        appid: APPID,
        bill_date: "20260101",
    });
    let got = request.send(&builder().build().unwrap()).await.unwrap();
    assert_eq!(got.bytes().len(), bill.len());
    // The download limit still holds.
    let err = request
        .send(&builder().max_download_bytes(2048).build().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 2048, .. }),
        "{err:?}"
    );
    // An ordinary (untyped) call keeps the answer limit.
    let err = builder()
        .build()
        .unwrap()
        .call("pay/downloadbill")
        .unsigned_answer()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 1024, .. }),
        "{err:?}"
    );
}
