//! Shared helpers: starting sandboxes, calling the seed operations through the
//! client's untyped escape hatch, raw signed HTTP, and exact error matching.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use http::HeaderMap;
use serde_json::Value;
use wxpay_core::sign::request_message;
use wxpay_core::unstable::random_alphanumeric;
use wxpay_core::{ApiError, Client, Error, Keyring, Method, VerifyError};
use wxpay_sandbox::{DemoMerchant, KeyMode, Sandbox};

pub const AFTER_SALES: &str = "v3/ecommerce/profitsharing/after-sales-orders";
pub const RETURN_ADVANCE: &str = "v3/ecommerce/refunds/{refund_id}/return-advance";

pub const SUB_MCHID: &str = "1900000109";

pub async fn start(mode: KeyMode) -> Sandbox {
    Sandbox::builder()
        .key_mode(mode)
        .start()
        .await
        .expect("sandbox starts")
}

pub fn client(sandbox: &Sandbox) -> Client {
    sandbox.client_builder().build().expect("client builds")
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

/// Noon China time today: where tests that fetch bills start the sandbox's
/// business clock, so a run never straddles midnight and every order lands
/// on the day the test expects (`SandboxBuilder::start_clock_at`).
pub fn noon_in_china() -> SystemTime {
    wxpay_core::bills::BillDate::today_in_china()
        .at(12, 0, 0)
        .expect("noon exists")
        .to_system_time()
}

pub async fn post(client: &Client, template: &str, body: &Value) -> Result<Value, Error> {
    client
        .request(Method::Post, template)
        .json(body)
        .send()
        .await
}

pub async fn get(client: &Client, template: &str, query: &[(&str, &str)]) -> Result<Value, Error> {
    let mut request = client.request(Method::Get, template);
    for (name, value) in query {
        request = request.query_pair(name, value);
    }
    request.send().await
}

pub async fn post_advance(client: &Client, refund_id: &str, body: &Value) -> Result<Value, Error> {
    client
        .request(Method::Post, RETURN_ADVANCE)
        .path_param("refund_id", refund_id)
        .json(body)
        .send()
        .await
}

pub async fn get_advance(
    client: &Client,
    refund_id: &str,
    sub_mchid: &str,
) -> Result<Value, Error> {
    client
        .request(Method::Get, RETURN_ADVANCE)
        .path_param("refund_id", refund_id)
        .query_pair("sub_mchid", sub_mchid)
        .send()
        .await
}

pub fn after_sales(transaction_id: &str, amount: i64) -> Value {
    serde_json::json!({
        "sub_mchid": SUB_MCHID,
        "transaction_id": transaction_id,
        "amount": amount,
        "type": "SERVICE_FEE_INCOME",
        "refund_id": "50000000382019052709732678859",
        "scene": "REFUND_TICKET",
    })
}

/// The error must be a *signed* WeChat API error with this status and code.
#[track_caller]
pub fn expect_api<T: std::fmt::Debug>(
    result: Result<T, Error>,
    status: u16,
    code: &str,
) -> ApiError {
    match result {
        Err(Error::Api(e)) => {
            assert_eq!((e.status, e.code.as_str()), (status, code), "{e}");
            assert!(e.signature_verified, "error answer must be signed: {e}");
            assert!(
                e.request_id.as_deref().is_some_and(|id| !id.is_empty()),
                "Request-ID: {e}"
            );
            *e
        }
        other => panic!("expected HTTP {status} {code}, got {other:?}"),
    }
}

/// The error must be a verification failure with exactly this cause.
#[track_caller]
pub fn expect_verification<T: std::fmt::Debug>(result: Result<T, Error>) -> VerifyError {
    match result {
        Err(Error::Verification {
            reason, request_id, ..
        }) => {
            assert!(
                request_id.is_some(),
                "the sandbox sends a Request-ID even when it misbehaves"
            );
            reason
        }
        other => panic!("expected a verification error, got {other:?}"),
    }
}

/// An answer read off a raw socket.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Checks the answer's signature the way the client does.
    pub async fn verify(&self, sandbox: &Sandbox) -> Result<(), VerifyError> {
        let keyring = Keyring::new();
        match sandbox.platform_certificate() {
            Some(cert) => {
                keyring.add_certificate(cert);
            }
            None => keyring
                .add_public_key(
                    &sandbox.platform_public_key_id(),
                    sandbox.platform_public_key(),
                )
                .expect("valid id"),
        }
        wxpay_core::verify::verify(&keyring, &self.headers, &self.body, unix_now()).await
    }

    /// A signed WeChat error with this status and code; returns the message.
    pub async fn expect_error(&self, sandbox: &Sandbox, status: u16, code: &str) -> String {
        assert_eq!(
            self.status,
            status,
            "{:?}",
            String::from_utf8_lossy(&self.body)
        );
        self.verify(sandbox)
            .await
            .expect("error answers are signed");
        assert!(self.headers.contains_key("request-id"));
        let body = self.json();
        assert_eq!(body["code"], code, "{body}");
        body["message"]
            .as_str()
            .expect("message is a string")
            .to_owned()
    }
}

/// What a raw exchange produced: the answer, or how the connection ended.
#[derive(Debug)]
pub enum RawOutcome {
    Answered(RawResponse),
    /// The bytes received before the connection ended without a complete answer.
    Cut {
        received: Vec<u8>,
        error: Option<std::io::ErrorKind>,
    },
}

/// Sends `request` bytes on a fresh connection and reads until the server closes.
pub async fn raw_exchange(addr: SocketAddr, request: Vec<u8>) -> RawOutcome {
    tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream
            .set_write_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.write_all(&request).expect("send");
        let mut received = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        let error = loop {
            match stream.read(&mut buf) {
                Ok(0) => break None,
                Ok(n) => received.extend_from_slice(&buf[..n]),
                Err(e) => break Some(e.kind()),
            }
        };
        match parse_response(&received) {
            Some(response) if error.is_none() => RawOutcome::Answered(response),
            _ => RawOutcome::Cut { received, error },
        }
    })
    .await
    .expect("raw exchange thread")
}

/// Like [`raw_exchange`], requiring a complete answer.
pub async fn raw(addr: SocketAddr, request: Vec<u8>) -> RawResponse {
    match raw_exchange(addr, request).await {
        RawOutcome::Answered(response) => response,
        RawOutcome::Cut { received, error } => panic!(
            "connection ended without a complete answer ({error:?}): {:?}",
            String::from_utf8_lossy(&received)
        ),
    }
}

/// A complete HTTP/1.1 response with a Content-Length body, or `None`.
fn parse_response(bytes: &[u8]) -> Option<RawResponse> {
    let split = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&bytes[..split]).ok()?;
    let body = bytes[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let mut headers = HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':')?;
        headers.append(
            http::HeaderName::from_bytes(name.trim().as_bytes()).ok()?,
            value.trim().parse().ok()?,
        );
    }
    let length: usize = headers.get("content-length")?.to_str().ok()?.parse().ok()?;
    (length == body.len()).then_some(RawResponse {
        status,
        headers,
        body,
    })
}

/// How to sign a raw request; every field defaults to the honest value.
pub struct Signing<'a> {
    pub merchant: &'a DemoMerchant,
    pub nonce: Option<String>,
    pub timestamp: Option<i64>,
    /// Sign these bytes instead of the body that is sent.
    pub signed_body: Option<&'a [u8]>,
    /// Sign this target instead of the one that is sent.
    pub signed_target: Option<&'a str>,
}

impl<'a> Signing<'a> {
    pub fn honest(merchant: &'a DemoMerchant) -> Self {
        Self {
            merchant,
            nonce: None,
            timestamp: None,
            signed_body: None,
            signed_target: None,
        }
    }

    pub fn authorization(&self, method: &str, target: &str, body: &[u8]) -> String {
        let nonce = self
            .nonce
            .clone()
            .unwrap_or_else(|| random_alphanumeric(32).expect("nonce"));
        let timestamp = self.timestamp.unwrap_or_else(unix_now).to_string();
        let message = request_message(
            method,
            self.signed_target.unwrap_or(target),
            &timestamp,
            &nonce,
            self.signed_body.unwrap_or(body),
        );
        let signature = self
            .merchant
            .private_key
            .sign_sha256(&message)
            .expect("sign");
        // Written out here, not with the SDK's type: the sandbox is judged
        // against the header as PROTOCOL.md spells it.
        format!(
            "WECHATPAY2-SHA256-RSA2048 mchid=\"{}\",nonce_str=\"{nonce}\",timestamp=\"{timestamp}\",serial_no=\"{}\",signature=\"{}\"",
            self.merchant.mchid,
            self.merchant.serial_no,
            base64::engine::general_purpose::STANDARD.encode(signature),
        )
    }
}

/// An HTTP/1.1 request with `Connection: close`, signed as `signing` says.
pub fn signed_request(
    signing: &Signing<'_>,
    method: &str,
    target: &str,
    content_type: Option<&str>,
    body: &[u8],
    extra_headers: &[(&str, &str)],
) -> Vec<u8> {
    let authorization = signing.authorization(method, target, body);
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\nAccept: application/json\r\nAuthorization: {authorization}\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(content_type) = content_type {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    for (name, value) in extra_headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    request
}
