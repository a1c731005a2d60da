//! One pipeline for every way of sending (issue 10): certificates refreshed
//! before encoding everywhere, retries signed afresh, failover, proxies,
//! tracing, metadata and error messages. Against the sandbox on loopback.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use wxpay_core::sensitive::Sensitive;
use wxpay_core::sign::{BoxFuture, Signer};
use wxpay_core::{
    wxpay_api, ApiV3Key, BlockingClient, Client, ClientBuilder, Error, Method, PrivateKey,
    RetryPolicy, Upload, VerifyError,
};
use wxpay_sandbox::{Fault, KeyMode, Sandbox};

use crate::server::{Reply, Signing, TestServer};

async fn sandbox(mode: KeyMode) -> Sandbox {
    Sandbox::builder().key_mode(mode).start().await.unwrap()
}

/// A client for the demo merchant that trusts nothing yet and manages
/// certificates itself.
fn fresh_managed(sandbox: &Sandbox) -> ClientBuilder {
    let m = sandbox.merchant();
    Client::builder()
        .mchid(m.mchid.clone())
        .merchant_serial(m.serial_no.clone())
        .private_key(m.private_key.clone())
        .base_url(sandbox.base_url())
        .auto_certificates(ApiV3Key::new(&m.apiv3_key).unwrap())
}

/// An endpoint with an encrypted field, on a route the sandbox serves (it
/// ignores the extra field).
#[wxpay_api(POST, "v3/ecommerce/refunds/<refund_id>/return-advance", response = Value)]
#[derive(Debug)]
pub struct EncryptedAdvance<'a> {
    pub refund_id: &'a str,
    pub sub_mchid: &'a str,
    pub contact_name: Sensitive<&'a str>,
}

fn assert_verified_api_error(err: &Error) {
    match err {
        Error::Api(api) => assert!(api.signature_verified, "{api:?}"),
        other => panic!("expected a verified API error, got {other:?}"),
    }
}

// Bug 1: `send_blocking` encoded (and so needed a key) before the refresh.
#[test]
fn send_blocking_refreshes_before_encrypting_on_a_fresh_client() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime.block_on(sandbox(KeyMode::Certificate));
    let client = fresh_managed(&sandbox).build().unwrap();
    let blocking = BlockingClient::new(client).unwrap();
    let request = EncryptedAdvance {
        refund_id: "50300000000000000000000000000",
        sub_mchid: "1900000109",
        contact_name: Sensitive::new("张三"),
    };
    // Before the fix: "no WeChat Pay public key or valid platform certificate
    // to encrypt with", as the request was encoded before the refresh.
    let advance = request.send_blocking(&blocking).unwrap();
    assert_eq!(advance["refund_id"], "50300000000000000000000000000");
    runtime.block_on(sandbox.shutdown());
}

// Bug 2: uploads and downloads skipped the refresh (and the unknown-serial
// retry), so on a fresh managed client their answers could not be verified.
#[tokio::test]
async fn uploads_and_downloads_refresh_certificates_first() {
    let sandbox = sandbox(KeyMode::Certificate).await;
    // Before the fix: VerifyError::UnknownSerial, as nothing was trusted yet.
    let client = fresh_managed(&sandbox).build().unwrap();
    let media: Value = client
        .upload(
            "v3/merchant/media/upload",
            &Upload::new("a.jpg", vec![0xFF, 0xD8, 0xFF]),
        )
        .await
        .unwrap();
    assert!(media["media_id"].is_string(), "{media}");

    let client = fresh_managed(&sandbox).build().unwrap();
    let request = wxpay_core::DownloadRequest::from_url(
        "v3/billdownload/file?token=no-such-token",
        wxpay_core::FileAnswer::Unsigned,
    )
    .unwrap();
    let err = client.download(&request).await.unwrap_err();
    assert_verified_api_error(&err);
    sandbox.shutdown().await;
}

/// Signs with the merchant key and remembers every `Authorization` message.
struct RecordingSigner {
    key: PrivateKey,
    messages: Arc<Mutex<Vec<String>>>,
}

impl Signer for RecordingSigner {
    fn sign<'a>(&'a self, message: &'a [u8]) -> BoxFuture<'a, Result<Vec<u8>, Error>> {
        self.messages
            .lock()
            .unwrap()
            .push(String::from_utf8_lossy(message).into_owned());
        Box::pin(std::future::ready(self.key.sign_sha256(message)))
    }
}

fn recording(sandbox: &Sandbox) -> (Client, Arc<Mutex<Vec<String>>>) {
    let messages = Arc::new(Mutex::new(Vec::new()));
    let client = sandbox
        .client_builder()
        .signer(RecordingSigner {
            key: sandbox.merchant().private_key.clone(),
            messages: messages.clone(),
        })
        .retry(RetryPolicy::new(3).backoff(Duration::from_millis(10), Duration::from_millis(50)))
        .build()
        .unwrap();
    (client, messages)
}

fn prepay_body(sandbox: &Sandbox, out_trade_no: &str) -> Value {
    json!({
        "appid": "wxd678efh567hg6787",
        "mchid": sandbox.merchant().mchid,
        "description": "Image形象店-深圳腾大-QQ公仔",
        "out_trade_no": out_trade_no,
        "notify_url": "https://www.weixin.qq.com/wxpay/pay.php",
        "amount": { "total": 100, "currency": "CNY" },
        "payer": { "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" }
    })
}

/// The nonces of the recorded signing messages (line 4 of each).
fn nonces(messages: &Mutex<Vec<String>>) -> Vec<String> {
    messages
        .lock()
        .unwrap()
        .iter()
        .map(|m| m.lines().nth(3).unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_get_answered_500_is_retried_with_a_fresh_signature() {
    let sandbox = sandbox(KeyMode::PublicKey).await;
    let (client, messages) = recording(&sandbox);
    let created: Value = client
        .request(Method::Post, "v3/pay/transactions/jsapi")
        .json(prepay_body(&sandbox, "RETRY-GET-1"))
        .send()
        .await
        .unwrap();
    assert!(created["prepay_id"].is_string());
    messages.lock().unwrap().clear();

    sandbox.inject(Fault::ServerError);
    let order = client
        .request(
            Method::Get,
            "v3/pay/transactions/out-trade-no/{out_trade_no}",
        )
        .path_param("out_trade_no", "RETRY-GET-1")
        .query_pair("mchid", &sandbox.merchant().mchid)
        .send_with_meta::<Value>()
        .await
        .unwrap();
    assert_eq!(order.value["out_trade_no"], "RETRY-GET-1");
    assert!(order.request_id.is_some());
    let nonces = nonces(&messages);
    assert_eq!(nonces.len(), 2, "one retry");
    assert_ne!(nonces[0], nonces[1], "the retry was signed afresh");

    // A broken connection is retried for a GET too.
    messages.lock().unwrap().clear();
    sandbox.inject(Fault::ConnectionReset);
    let _: Value = client
        .request(
            Method::Get,
            "v3/pay/transactions/out-trade-no/{out_trade_no}",
        )
        .path_param("out_trade_no", "RETRY-GET-1")
        .query_pair("mchid", &sandbox.merchant().mchid)
        .send()
        .await
        .unwrap();
    assert_eq!(messages.lock().unwrap().len(), 2);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_post_is_retried_only_when_marked_idempotent() {
    let sandbox = sandbox(KeyMode::PublicKey).await;
    let (client, messages) = recording(&sandbox);

    sandbox.inject(Fault::ServerError);
    let err = client
        .request(Method::Post, "v3/pay/transactions/jsapi")
        .json(prepay_body(&sandbox, "RETRY-POST-1"))
        .send::<Value>()
        .await
        .unwrap_err();
    assert_eq!(err.as_api().map(|a| a.status), Some(500), "{err:?}");
    assert_eq!(
        messages.lock().unwrap().len(),
        1,
        "a plain POST is sent once"
    );

    messages.lock().unwrap().clear();
    sandbox.inject(Fault::ServerError);
    let created: Value = client
        .request(Method::Post, "v3/pay/transactions/jsapi")
        .json(prepay_body(&sandbox, "RETRY-POST-2"))
        .idempotent()
        .send()
        .await
        .unwrap();
    assert!(created["prepay_id"].is_string());
    let nonces = nonces(&messages);
    assert_eq!(nonces.len(), 2);
    assert_ne!(nonces[0], nonces[1]);

    // Retries stop at the policy's attempts.
    messages.lock().unwrap().clear();
    sandbox.set_fault(Some(Fault::ServerError));
    let err = client
        .request(
            Method::Get,
            "v3/pay/transactions/out-trade-no/{out_trade_no}",
        )
        .path_param("out_trade_no", "RETRY-POST-2")
        .query_pair("mchid", &sandbox.merchant().mchid)
        .send::<Value>()
        .await
        .unwrap_err();
    sandbox.set_fault(None);
    assert_eq!(err.as_api().map(|a| a.status), Some(500));
    assert_eq!(messages.lock().unwrap().len(), 3);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_base_url_that_is_down_fails_over_to_the_next() {
    let up = sandbox(KeyMode::PublicKey).await;
    let down = sandbox(KeyMode::PublicKey).await;
    let down_url = down.base_url().to_owned();
    down.shutdown().await;
    let (client, messages) = {
        let messages = Arc::new(Mutex::new(Vec::new()));
        let client = up
            .client_builder()
            .base_urls([down_url.as_str(), up.base_url()])
            .signer(RecordingSigner {
                key: up.merchant().private_key.clone(),
                messages: messages.clone(),
            })
            .retry(RetryPolicy::never())
            .build()
            .unwrap();
        (client, messages)
    };
    // Even a POST fails over: it never reached the host that is down.
    let created: Value = client
        .request(Method::Post, "v3/pay/transactions/jsapi")
        .json(prepay_body(&up, "FAILOVER-1"))
        .send()
        .await
        .unwrap();
    assert!(created["prepay_id"].is_string());
    let messages = messages.lock().unwrap().clone();
    assert_eq!(messages.len(), 2, "one attempt per host");
    // The signed target is the same on both hosts.
    assert_eq!(messages[0].lines().nth(1), messages[1].lines().nth(1));
    assert_ne!(messages[0].lines().nth(3), messages[1].lines().nth(3));
    up.shutdown().await;
}

#[test]
fn the_default_base_urls_are_the_primary_then_the_backup_host() {
    let key = wxpay_core::unstable::generate_private_key().unwrap();
    let client = Client::builder()
        .mchid("1900000109")
        .merchant_serial("5157F09EFDC096DE15EBE81A47057A7232F1B8E1")
        .private_key(key.clone())
        .wechatpay_public_key("PUB_KEY_ID_0100", key.public_key().clone())
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        client.base_urls().collect::<Vec<_>>(),
        [
            "https://api.mch.weixin.qq.com/",
            "https://api2.wechatpay.cn/"
        ]
    );
}

#[tokio::test]
async fn an_explicit_proxy_carries_the_requests() {
    // The capture server answers as WeChat would, whatever host was asked
    // for: as a plain-HTTP proxy it receives `GET http://host/path`.
    let proxy = TestServer::start().await;
    proxy.reply(Reply::json(200, r#"{"ok":true}"#));
    let client = proxy
        .builder()
        .base_url("http://api.wechatpay.test/")
        .proxy(reqwest::Proxy::http(&proxy.base_url).unwrap())
        .build()
        .unwrap();
    let answer: Value = client.request(Method::Get, "v3/x").send().await.unwrap();
    assert_eq!(answer["ok"], true);
    assert_eq!(proxy.last().target, "/v3/x");
    assert_eq!(
        proxy.last().headers["host"].to_str().unwrap(),
        "api.wechatpay.test"
    );
}

#[tokio::test]
async fn errors_say_what_and_why_once() {
    let server = TestServer::start().await;
    server.reply(Reply::json(200, r#"{"a":1}"#).signing(Signing::TamperedBody));
    let err = server
        .client()
        .request(Method::Get, "v3/x")
        .send::<Value>()
        .await
        .unwrap_err();
    // Issue 21: `{e}` alone says what failed and why (once), and nothing
    // returns a source that would repeat it.
    assert!(matches!(
        err,
        Error::Verification {
            reason: VerifyError::BadSignature,
            ..
        }
    ));
    let shown = err.to_string();
    assert!(
        shown.starts_with("the answer failed signature verification and was discarded"),
        "{shown}"
    );
    assert_eq!(
        shown.matches("signature does not match").count(),
        1,
        "{shown}"
    );
    assert!(shown.contains("Request-ID"), "{shown}");
    assert!(std::error::Error::source(&err).is_none(), "{err:?}");

    // Two signatures: which one was meant is a guess, so neither is trusted.
    server.reply(Reply::json(200, "{}").header("Wechatpay-Signature", "AAAA"));
    let err = server
        .client()
        .request(Method::Get, "v3/x")
        .send::<Value>()
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Verification {
                reason: VerifyError::InvalidHeader {
                    name: "Wechatpay-Signature",
                    ..
                },
                ..
            }
        ),
        "{err:?}"
    );

    // An empty answer decoded into a struct names the operation.
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Order {
        trade_state: String,
    }
    server.reply(Reply::json(204, ""));
    let err = server
        .client()
        .request(Method::Get, "v3/pay/transactions/id/{transaction_id}")
        .path_param("transaction_id", "42")
        .send::<Order>()
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("GET /v3/pay/transactions/id/{transaction_id}")
            && message.contains("empty body"),
        "{message}"
    );

    // A client without any way to verify says how to get one.
    let err = Client::builder()
        .mchid("1900000109")
        .merchant_serial("5157F09EFDC096DE15EBE81A47057A7232F1B8E1")
        .private_key(server.merchant.clone())
        .build()
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("auto_certificates") && message.contains("wechatpay_public_key"),
        "{message}"
    );
}

/// A span's or event's fields, as (name, value) text.
type Recorded = Vec<(String, String)>;

/// Records the fields of every span and event, as text.
#[derive(Default, Clone)]
struct Capture {
    spans: Arc<Mutex<Vec<(String, Recorded)>>>,
    events: Arc<Mutex<Vec<Recorded>>>,
}

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut fields = Vec::new();
        span.record(&mut Fields(&mut fields));
        let mut spans = self.spans.lock().unwrap();
        spans.push((span.metadata().name().to_owned(), fields));
        tracing::span::Id::from_u64(spans.len() as u64)
    }
    fn record(&self, id: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        if let Some((_, fields)) = spans.get_mut(id.into_u64() as usize - 1) {
            values.record(&mut Fields(fields));
        }
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = Vec::new();
        event.record(&mut Fields(&mut fields));
        self.events.lock().unwrap().push(fields);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn each_call_has_one_span_with_its_outcome_and_no_secret() {
    let sandbox = sandbox(KeyMode::PublicKey).await;
    let (client, _) = recording(&sandbox);
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());

    sandbox.inject(Fault::ServerError);
    let err = client
        .request(Method::Post, "v3/pay/transactions/jsapi")
        .json(prepay_body(&sandbox, "TRACED-1"))
        .send::<Value>()
        .await
        .unwrap_err();
    assert!(err.as_api().is_some());
    let created: Value = client
        .request(Method::Post, "v3/pay/transactions/jsapi")
        .json(prepay_body(&sandbox, "TRACED-2"))
        .send()
        .await
        .unwrap();
    sandbox.inject(Fault::ServerError);
    let _: Value = client
        .request(
            Method::Get,
            "v3/pay/transactions/out-trade-no/{out_trade_no}",
        )
        .path_param("out_trade_no", "TRACED-2")
        .query_pair("mchid", &sandbox.merchant().mchid)
        .send()
        .await
        .unwrap();

    let spans: Vec<_> = capture
        .spans
        .lock()
        .unwrap()
        .iter()
        .filter(|(name, _)| name == "wxpay.request")
        .cloned()
        .collect();
    assert_eq!(spans.len(), 3, "{spans:?}");
    let field = |span: &[(String, String)], name: &str| -> Option<String> {
        span.iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let failed = &spans[0].1;
    assert_eq!(field(failed, "method").as_deref(), Some("POST"));
    assert_eq!(
        field(failed, "path").as_deref(),
        Some("v3/pay/transactions/jsapi")
    );
    assert_eq!(
        field(failed, "mchid"),
        Some(sandbox.merchant().mchid.clone())
    );
    assert_eq!(field(failed, "status").as_deref(), Some("500"));
    assert_eq!(field(failed, "code").as_deref(), Some("SYSTEM_ERROR"));
    assert!(field(failed, "request_id").is_some());
    assert!(field(failed, "elapsed_ms").is_some());
    let retried = &spans[2].1;
    assert_eq!(
        field(retried, "path").as_deref(),
        Some("v3/pay/transactions/out-trade-no/{out_trade_no}"),
        "the template, not the value"
    );
    assert_eq!(field(retried, "attempt").as_deref(), Some("2"));
    assert_eq!(field(retried, "status").as_deref(), Some("200"));
    let events = capture.events.lock().unwrap().clone();
    assert!(
        events
            .iter()
            .any(|e| e.iter().any(|(_, v)| v.contains("retrying"))),
        "no retry event"
    );

    // Nothing secret or personal anywhere: no key, no body, no path value.
    let everything = format!("{spans:?} {events:?}");
    let prepay_id = created["prepay_id"].as_str().unwrap();
    for secret in [
        sandbox.merchant().apiv3_key.as_str(),
        "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        "TRACED-2",
        prepay_id,
        "Authorization",
        "WECHATPAY2-SHA256-RSA2048 mchid",
    ] {
        assert!(!everything.contains(secret), "{secret:?} was logged");
    }
    sandbox.shutdown().await;
}
