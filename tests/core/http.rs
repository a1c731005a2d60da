//! The client over real HTTP: it signs exactly the bytes the server receives,
//! and accepts a response only when its signature verifies.

use base64::Engine;
use wxpay_core::sign::{request_message, Authorization};
use wxpay_core::{DownloadRequest, FileAnswer};
use wxpay_core::{Error, Method, VerifyError};

use crate::server::{Reply, Signing, TestServer};

fn assert_signed_as_received(server: &TestServer) -> Authorization {
    let got = server.last();
    let header = got.headers["authorization"].to_str().unwrap();
    let auth = wxpay_core::unstable::parse_authorization(header).unwrap();
    assert_eq!(auth.mchid, "1900000109");
    assert_eq!(
        auth.serial_no, "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
        "serial is sent uppercase"
    );
    assert_eq!(auth.nonce_str.len(), 32);
    assert!(auth.nonce_str.bytes().all(|b| b.is_ascii_alphanumeric()));
    let message = request_message(
        &got.method,
        &got.target,
        &auth.timestamp,
        &auth.nonce_str,
        &got.body,
    );
    let signature = base64::engine::general_purpose::STANDARD
        .decode(&auth.signature)
        .unwrap();
    assert!(
        server
            .merchant
            .public_key()
            .verify_sha256(&message, &signature),
        "signature must cover the target and body exactly as received: {got:?}"
    );
    auth
}

#[tokio::test]
async fn post_signs_the_exact_target_and_body_sent() {
    let server = TestServer::start().await;
    server.reply(Reply::json(200, r#"{"ok":true}"#));
    let client = server.client();
    let value: serde_json::Value = client
        .request(
            Method::Post,
            "v3/ecommerce/refunds/{refund_id}/return-advance",
        )
        .path_param("refund_id", "a/b?c#d%e f")
        .query_pair("note", "x y&z")
        .json(serde_json::json!({"sub_mchid": "1900000109", "memo": "微信 支付"}))
        .send()
        .await
        .unwrap();
    assert_eq!(value, serde_json::json!({"ok": true}));
    let got = server.last();
    assert_eq!(got.method, "POST");
    assert_eq!(
        got.target,
        "/v3/ecommerce/refunds/a%2Fb%3Fc%23d%25e%20f/return-advance?note=x%20y%26z"
    );
    assert_eq!(
        got.body,
        r#"{"sub_mchid":"1900000109","memo":"微信 支付"}"#.as_bytes()
    );
    assert_eq!(got.headers["content-type"], "application/json");
    assert_eq!(got.headers["accept"], "application/json");
    assert!(got.headers["user-agent"]
        .to_str()
        .unwrap()
        .starts_with("wxpay-rust/"));
    assert_signed_as_received(&server);
}

#[tokio::test]
async fn get_signs_an_empty_body_and_every_request_gets_a_fresh_nonce() {
    let server = TestServer::start().await;
    let client = server.client();
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let _: serde_json::Value = client
            .request(Method::Get, "v3/ecommerce/profitsharing/returnorders")
            .query_pair("sub_mchid", "1900000109")
            .send()
            .await
            .unwrap();
        let got = server.last();
        assert!(got.body.is_empty());
        assert!(got.headers.get("content-type").is_none());
        assert_eq!(
            got.target,
            "/v3/ecommerce/profitsharing/returnorders?sub_mchid=1900000109"
        );
        nonces.push(assert_signed_as_received(&server).nonce_str);
    }
    assert_ne!(nonces[0], nonces[1]);
}

async fn outcome(signing: Signing) -> Result<serde_json::Value, Error> {
    let server = TestServer::start().await;
    server.reply(Reply::json(200, r#"{"amount":100}"#).signing(signing));
    server.client().request(Method::Get, "v3/x").send().await
}

fn verify_error(result: Result<serde_json::Value, Error>) -> VerifyError {
    match result {
        Err(Error::Verification {
            reason, request_id, ..
        }) => {
            assert_eq!(request_id.as_deref(), Some("08F78BB5AF0610D302A7D9BDBA0D"));
            reason
        }
        other => panic!("expected a verification error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_correctly_signed_response_is_accepted() {
    assert_eq!(
        outcome(Signing::Good).await.unwrap(),
        serde_json::json!({"amount": 100})
    );
}

#[tokio::test]
async fn each_verification_failure_has_its_own_error() {
    assert_eq!(
        verify_error(outcome(Signing::TamperedBody).await),
        VerifyError::BadSignature
    );
    assert_eq!(
        verify_error(outcome(Signing::WrongKey).await),
        VerifyError::BadSignature
    );
    assert_eq!(
        verify_error(outcome(Signing::None).await),
        VerifyError::MissingHeader("Wechatpay-Serial")
    );
    assert_eq!(
        verify_error(outcome(Signing::MissingNonce).await),
        VerifyError::MissingHeader("Wechatpay-Nonce")
    );
    assert_eq!(
        verify_error(outcome(Signing::UnknownSerial).await),
        VerifyError::UnknownSerial("PUB_KEY_ID_0199999999999999999999999999".into())
    );
    assert!(matches!(
        verify_error(outcome(Signing::StaleTimestamp).await),
        VerifyError::TimestampSkew {
            skew: 301..,
            allowed: 300,
            ..
        }
    ));
    assert_eq!(
        verify_error(outcome(Signing::SignTestProbe).await),
        VerifyError::SignTestProbe
    );
}

#[tokio::test]
async fn empty_204_decodes_to_unit_and_null() {
    let server = TestServer::start().await;
    server.reply(Reply::json(204, ""));
    let client = server.client();
    client
        .request(Method::Post, "v3/x/close")
        .send::<()>()
        .await
        .unwrap();
    let value: serde_json::Value = client
        .request(Method::Post, "v3/x/close")
        .send()
        .await
        .unwrap();
    assert_eq!(value, serde_json::Value::Null);
    // A 204 is signed too: a forged empty success is refused.
    server.reply(Reply::json(204, "").signing(Signing::WrongKey));
    assert!(matches!(
        client
            .request(Method::Post, "v3/x/close")
            .send::<()>()
            .await,
        Err(Error::Verification {
            reason: VerifyError::BadSignature,
            ..
        })
    ));
}

#[tokio::test]
async fn signed_errors_keep_status_code_message_detail_and_request_id() {
    let server = TestServer::start().await;
    server.reply(Reply::json(
        400,
        r#"{"code":"PARAM_ERROR","message":"sub_mchid is invalid","detail":{"field":"sub_mchid"}}"#,
    ));
    let err = server
        .client()
        .request(Method::Get, "v3/x")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    let api = err.as_api().expect("an API error");
    assert_eq!(api.status, 400);
    assert_eq!(api.code, "PARAM_ERROR");
    assert_eq!(api.message, "sub_mchid is invalid");
    assert_eq!(api.detail, Some(serde_json::json!({"field": "sub_mchid"})));
    assert_eq!(
        api.request_id.as_deref(),
        Some("08F78BB5AF0610D302A7D9BDBA0D")
    );
    assert!(api.signature_verified);

    // An error answer that carries a signature must verify...
    server.reply(
        Reply::json(404, r#"{"code":"ORDER_NOT_EXIST","message":"x"}"#)
            .signing(Signing::TamperedBody),
    );
    let err = server
        .client()
        .request(Method::Get, "v3/x")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Verification { .. }), "{err:?}");

    // ...and one with no signature at all (a gateway's) is reported as unsigned.
    server.reply(Reply::json(502, "<html>Bad Gateway</html>").signing(Signing::None));
    let err = server
        .client()
        .request(Method::Get, "v3/x")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    let api = err.as_api().expect("an API error");
    assert_eq!((api.status, api.code.as_str()), (502, ""));
    assert_eq!(api.message, "<html>Bad Gateway</html>");
    assert!(!api.signature_verified);
    assert!(err.to_string().contains("[unsigned]"));
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = TestServer::start().await;
    server.reply(Reply::json(302, "").header("Location", "http://127.0.0.1:9/steal"));
    let err = server
        .client()
        .request(Method::Get, "v3/x")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedStatus { status: 302, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn oversized_and_undecodable_bodies_are_typed_errors() {
    let server = TestServer::start().await;
    server.reply(Reply::json(
        200,
        &format!(r#"{{"pad":"{}"}}"#, "x".repeat(4096)),
    ));
    let default_limit = server.client();
    let client = server.builder().max_response_bytes(1024).build().unwrap();
    let err = client
        .request(Method::Get, "v3/x")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 1024, .. }),
        "{err:?}"
    );

    server.reply(Reply::json(200, "not json at all"));
    let err = default_limit
        .request(Method::Get, "v3/x")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    match err {
        Error::Decode {
            origin,
            body_excerpt,
            request_id,
            ..
        } => {
            assert_eq!(origin, wxpay_core::Origin::Answer);
            assert_eq!(body_excerpt, "not json at all");
            assert!(request_id.is_some());
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn bill_downloads_are_exempt_but_only_through_download() {
    let server = TestServer::start().await;
    let file = "交易时间,公众账号ID\n`2024-01-01 00:00:00,`wx123\n";
    server.reply(Reply::json(200, file).signing(Signing::None));
    let client = server.client();
    let request = DownloadRequest::from_url(
        "https://api.mch.weixin.qq.com/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2",
        FileAnswer::Unsigned,
    )
    .unwrap();
    let download = client.download(&request).await.unwrap();
    assert_eq!(download.bytes(1 << 20).await.unwrap(), file.as_bytes());
    // Only path and query were used: the request went to our server, signed.
    assert_eq!(
        server.last().target,
        "/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2"
    );
    assert_signed_as_received(&server);
    // The JSON path never accepts an unsigned body, even for a file route.
    server.reply(Reply::json(200, file).signing(Signing::None));
    let err = client
        .request(Method::Get, "v3/billdownload/file")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Verification { .. }), "{err:?}");
    // A download of an operation WeChat signs is verified.
    server.reply(Reply::json(200, r#"{"a":1}"#).signing(Signing::None));
    let signed =
        DownloadRequest::from_url("v3/bill/tradebill?bill_date=2024-01-01", FileAnswer::Signed)
            .unwrap();
    assert!(matches!(
        client.download(&signed).await,
        Err(Error::Verification { .. })
    ));
}

#[tokio::test]
async fn statements_verify_the_signed_sha1_and_the_body_against_it() {
    let server = TestServer::start().await;
    let body = "statement,line\n1,2\n";
    let sha1 = wxpay_core::unstable::sha1_hex(body.as_bytes());
    server.reply(
        Reply::json(200, body)
            .signing(Signing::StatementSha1)
            .header("Wechatpay-Statement-Sha1", &sha1),
    );
    let client = server.client();
    let statement =
        |path: &str| DownloadRequest::from_url(path, FileAnswer::StatementSha1).unwrap();
    let raw = client
        .download(&statement("v3/global/statements?date=20240101"))
        .await
        .unwrap()
        .bytes(1 << 20)
        .await
        .unwrap();
    assert_eq!(raw, body.as_bytes());
    server.reply(
        Reply::json(200, "statement,line\n1,3\n")
            .signing(Signing::StatementSha1)
            .header("Wechatpay-Statement-Sha1", &sha1),
    );
    let err = client
        .download(&statement("hk/v3/statements?date=20240101"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Verification {
                reason: VerifyError::HashMismatch { .. },
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn bad_path_values_fail_before_anything_is_sent() {
    let server = TestServer::start().await;
    let err = server
        .client()
        .request(
            Method::Get,
            "v3/ecommerce/refunds/{refund_id}/return-advance",
        )
        .path_param("refund_id", "..")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidRequest(ref m) if m.contains("refund_id")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let server = TestServer::start().await;
    let client = server
        .builder()
        .base_url(format!("http://{addr}/"))
        .build()
        .unwrap();
    let err = client
        .request(Method::Get, "v3/x")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
}

/// A signer that lives "elsewhere": it counts calls and delegates to a key.
struct CountingSigner {
    key: wxpay_core::PrivateKey,
    calls: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl wxpay_core::sign::Signer for CountingSigner {
    fn sign<'a>(
        &'a self,
        message: &'a [u8],
    ) -> wxpay_core::sign::BoxFuture<'a, Result<Vec<u8>, Error>> {
        Box::pin(async move {
            tokio::task::yield_now().await;
            self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.key.sign_sha256(message)
        })
    }
}

/// A verifier that refuses everything, to show the client obeys it.
struct RefuseAll;

impl wxpay_core::verify::Verifier for RefuseAll {
    fn verify<'a>(
        &'a self,
        _signed: &'a wxpay_core::verify::SignedMessage<'a>,
    ) -> wxpay_core::sign::BoxFuture<'a, Result<(), VerifyError>> {
        Box::pin(async { Err(VerifyError::Other("policy says no".into())) })
    }
}

#[tokio::test]
async fn custom_signer_and_verifier_plug_in() {
    let server = TestServer::start().await;
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let client = server
        .builder()
        .signer(CountingSigner {
            key: server.merchant.clone(),
            calls: calls.clone(),
        })
        .build()
        .unwrap();
    let _: serde_json::Value = client.request(Method::Get, "v3/x").send().await.unwrap();
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_signed_as_received(&server);

    let refusing = server.builder().verifier(RefuseAll).build().unwrap();
    let err = refusing
        .request(Method::Get, "v3/x")
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Verification { reason: VerifyError::Other(ref m), .. } if m == "policy says no"),
        "{err:?}"
    );
}

#[test]
fn builder_refuses_incomplete_or_malformed_configuration() {
    let key = wxpay_core::unstable::generate_private_key().unwrap();
    let base = || {
        wxpay_core::Client::builder()
            .mchid("1900000109")
            .merchant_serial("5157F09E")
            .private_key(key.clone())
            .keyring(wxpay_core::Keyring::new())
    };
    assert!(base().build().is_ok());
    let cases: Vec<(wxpay_core::ClientBuilder, &str)> = vec![
        (wxpay_core::Client::builder(), "mchid"),
        (base().mchid("19\"00"), "mchid"),
        (base().merchant_serial("not-hex!"), "serial"),
        (base().base_url("ftp://example.com/"), "base URL"),
        (base().base_url("not a url"), "base URL"),
        (
            wxpay_core::Client::builder()
                .mchid("1")
                .merchant_serial("AB")
                .keyring(wxpay_core::Keyring::new()),
            "private key",
        ),
        (
            wxpay_core::Client::builder()
                .mchid("1")
                .merchant_serial("AB")
                .private_key(key.clone()),
            "verification key",
        ),
    ];
    for (builder, needle) in cases {
        match builder.build() {
            Err(Error::Config(message)) => assert!(message.contains(needle), "{message}"),
            other => panic!("expected a config error about {needle}, got {other:?}"),
        }
    }
}

#[test]
fn the_blocking_client_works_without_a_runtime_and_refuses_inside_one() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::start());
    server.reply(Reply::json(
        200,
        r#"{"refund_id":"1","advance_return_id":"2","return_amount":3,"payer_mchid":"4","payer_account":"BASIC","payee_mchid":"5","payee_account":"BASIC","result":"SUCCESS"}"#,
    ));
    let client = runtime.block_on(async { server.client() });
    let blocking = wxpay_core::BlockingClient::new(client).unwrap();
    use wxpay_apis::ecommerce::refunds::return_advance::{
        ReturnAdvanceRequest, ReturnAdvanceRequired,
    };
    let request = ReturnAdvanceRequest::new(ReturnAdvanceRequired {
        refund_id: "1",
        sub_mchid: "1900000109",
    });
    // From a plain thread: blocks and returns the verified, typed answer.
    let answer =
        std::thread::scope(|s| s.spawn(|| request.send_blocking(&blocking)).join().unwrap())
            .unwrap();
    assert_eq!(answer.return_amount, 3);
    assert_signed_as_received(&server);
    // From inside a runtime: a typed error, not a panic or a deadlock.
    let err = runtime
        .block_on(async { request.send_blocking(&blocking) })
        .unwrap_err();
    assert!(
        matches!(err, Error::Config(ref m) if m.contains("async runtime")),
        "{err:?}"
    );
}
