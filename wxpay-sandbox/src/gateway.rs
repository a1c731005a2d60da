//! What happens to every request, whatever its path: read the body (capped),
//! verify the signature, route, then sign the answer and apply any fault.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::Router;
use base64::Engine;
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use http::{HeaderMap, Request, Response, StatusCode};
use http_body::Frame;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use serde_json::Value;
use tokio::time::Sleep;
use tower::ServiceExt;

use crate::app::App;
use crate::auth::{authenticate, SignedRequest};
use crate::catalog::sensitive;
use crate::error::SandboxError;
use crate::fault::{Fault, FAULT_HEADER, MAX_DELAY};
use crate::identity::{generate_public_key_id, KeyMode};
use crate::ops::extract::Query;
use crate::reply::WxError;
use crate::server::Connection;
use crate::wire::answer::{self, Signing};
use crate::wire::request::SCHEME;

/// Bodies up to this many bytes past the limit are read and dropped, so the
/// client gets the 400 instead of a broken pipe; beyond it the connection closes.
const DRAIN_BYTES: usize = 8 * 1024 * 1024;

/// A client has this long to send its whole body.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// How old a `stale-timestamp` signature is: twice the allowed window.
const STALE_BY_SECS: i64 = 600;

/// The two routers: WeChat Pay's API (verified, signed) and the control API.
#[derive(Clone)]
pub(crate) struct Routers {
    pub(crate) api: Router,
    pub(crate) control: Router,
}

/// An answer before signing.
struct Outcome {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    /// The merchant that signed the request (its platform key signs the
    /// answer); `None` before it is known.
    mchid: Option<String>,
}

impl Outcome {
    fn error(e: WxError) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Outcome {
            status: e.status,
            headers,
            body: Bytes::from(e.to_json().to_string()),
            mchid: None,
        }
    }
}

/// Handles one request of a connection.
pub(crate) async fn handle(
    app: Arc<App>,
    routers: Routers,
    connection: Arc<Connection>,
    request: Request<Incoming>,
) -> Response<Body> {
    if request.uri().path().starts_with(crate::control::PREFIX) {
        return control(&app, routers.control, request).await;
    }
    let router = routers.api;
    let target = raw_target(&request);
    let header_fault = requested_fault(request.headers());
    let fault = match &header_fault {
        Ok(Some(fault)) => Some(*fault),
        Ok(None) => app.next_fault(),
        Err(_) => None,
    };
    // WeChat signs an answer with the key the request names in
    // Wechatpay-Serial, when it holds it (WECHATPAY-DEPLOYMENT.md).
    let named = request
        .headers()
        .get("wechatpay-serial")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let outcome = process(&app, router, request, header_fault.err(), &target).await;
    deliver(&app, &connection, &target, named.as_deref(), outcome, fault).await
}

/// A control API request: body capped like any other, no signatures either way.
async fn control(app: &App, router: Router, request: Request<Incoming>) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let body = match read_body(body, &parts.headers, app.max_body_bytes).await {
        Ok(body) => body,
        Err(e) => return axum::response::IntoResponse::into_response(e),
    };
    match router
        .oneshot(Request::from_parts(parts, Body::from(body)))
        .await
    {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// Path and `?query` exactly as they came on the request line.
fn raw_target<B>(request: &Request<B>) -> String {
    request
        .uri()
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned())
}

fn requested_fault(headers: &HeaderMap) -> Result<Option<Fault>, WxError> {
    let Some(value) = headers.get(FAULT_HEADER) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| WxError::param(format!("{FAULT_HEADER} is not visible ASCII")))?;
    text.parse()
        .map(Some)
        .map_err(|e| WxError::param(format!("{FAULT_HEADER}: {e}")))
}

async fn process(
    app: &App,
    router: Router,
    request: Request<Incoming>,
    bad_fault_header: Option<WxError>,
    target: &str,
) -> Outcome {
    let (mut parts, body) = request.into_parts();
    let body = match read_body(body, &parts.headers, app.max_body_bytes).await {
        Ok(body) => body,
        Err(e) => return Outcome::error(e),
    };
    if let Some(e) = bad_fault_header {
        return Outcome::error(e);
    }
    // An upload is signed over its `meta` part, not the whole multipart body.
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let signed_body = crate::catalog::multipart::part(content_type, &body, "meta").unwrap_or(&body);
    let signed = SignedRequest {
        method: parts.method.as_str(),
        target,
        headers: &parts.headers,
        body: signed_body,
    };
    let now = app.clock.signature_now();
    let caller = match authenticate(&signed, |m| app.merchant(m), &app.nonces, now) {
        Ok(caller) => caller,
        Err(e) => return Outcome::error(e),
    };
    let mchid = caller.mchid.clone();
    let with_mchid = |outcome: Outcome| Outcome {
        mchid: Some(mchid.clone()),
        ..outcome
    };
    parts.extensions.insert(caller);
    // Encrypted fields are checked for every catalogued operation, stateful
    // or not, before it runs; handlers find the plaintexts in the extensions.
    if let Some((op, _)) = crate::catalog::find(parts.method.as_str(), parts.uri.path()) {
        if op.takes_sensitive {
            let query = match Query::parse(parts.uri.query().unwrap_or("")) {
                Ok(query) => query,
                Err(e) => return with_mchid(Outcome::error(e)),
            };
            match sensitive::check(app, &mchid, op, &parts.headers, &body, query.pairs()) {
                Ok(plain) => {
                    parts.extensions.insert(plain);
                }
                Err(e) => return with_mchid(Outcome::error(e)),
            }
        }
    }
    let response = match router
        .oneshot(Request::from_parts(parts, Body::from(body)))
        .await
    {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => Outcome {
            status: parts.status,
            headers: parts.headers,
            body,
            mchid: Some(mchid),
        },
        Err(_) => with_mchid(Outcome::error(WxError::system())),
    }
}

/// Reads the whole body, refusing more than `limit` bytes with a WeChat-shaped 400.
async fn read_body(body: Incoming, headers: &HeaderMap, limit: usize) -> Result<Bytes, WxError> {
    let too_large = |size: String| {
        WxError::param(format!(
            "request body is {size} bytes, over the sandbox limit of {limit} bytes"
        ))
    };
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(declared) = declared.filter(|&d| d > DRAIN_BYTES as u64) {
        return Err(too_large(declared.to_string()));
    }
    let read = async {
        let mut body = body;
        let mut kept = Vec::new();
        let mut total = 0usize;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| WxError::param("request body could not be read"))?;
            let Ok(data) = frame.into_data() else {
                continue;
            };
            total = total.saturating_add(data.len());
            if total <= limit {
                kept.extend_from_slice(&data);
            } else if total > DRAIN_BYTES {
                break;
            }
        }
        if total > limit {
            let size = if total > DRAIN_BYTES {
                format!("more than {DRAIN_BYTES}")
            } else {
                total.to_string()
            };
            return Err(too_large(size));
        }
        Ok(Bytes::from(kept))
    };
    tokio::time::timeout(BODY_TIMEOUT, read)
        .await
        .unwrap_or_else(|_| Err(WxError::param("request body was not received in time")))
}

/// Signs the outcome and sends it, bent by the fault if there is one.
async fn deliver(
    app: &App,
    connection: &Connection,
    target: &str,
    named: Option<&str>,
    mut outcome: Outcome,
    fault: Option<Fault>,
) -> Response<Body> {
    match fault {
        Some(Fault::Delay(delay)) => tokio::time::sleep(delay.min(MAX_DELAY)).await,
        Some(Fault::ServerError) => {
            outcome = Outcome {
                mchid: outcome.mchid.take(),
                ..Outcome::error(WxError::system())
            }
        }
        Some(Fault::ConnectionReset) => {
            // The connection task drops the socket with a zero linger (a TCP
            // reset); this future is dropped with it and never completes.
            connection.reset();
            return std::future::pending().await;
        }
        Some(Fault::Redirect) => {
            let mut headers = HeaderMap::new();
            if let Ok(location) = HeaderValue::from_str(target) {
                headers.insert(LOCATION, location);
            }
            outcome = Outcome {
                status: StatusCode::FOUND,
                headers,
                body: Bytes::new(),
                mchid: outcome.mchid,
            };
        }
        _ => {}
    }

    let mut response = Response::new(Body::empty());
    *response.status_mut() = outcome.status;
    *response.headers_mut() = outcome.headers;
    let headers = response.headers_mut();
    // The body may change below (tampered, truncated); hyper sets the real length.
    headers.remove(CONTENT_LENGTH);
    if let Ok(id) = request_id(internal_code(outcome.status, &outcome.body)) {
        if let Ok(value) = HeaderValue::from_str(&id) {
            headers.insert(HeaderName::from_static("request-id"), value);
        }
    }
    // Only a successful answer can be a file WeChat Pay does not sign.
    let path = target.split_once('?').map_or(target, |(path, _)| path);
    let signing = match outcome.status {
        StatusCode::OK => answer::signing(path),
        _ => Signing::Body,
    };
    let statement;
    let signed_over: Option<&[u8]> = match signing {
        Signing::Body => Some(&outcome.body),
        Signing::Unsigned => None,
        Signing::StatementSha1 => {
            let sha1 = headers
                .get(answer::STATEMENT_SHA1)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            statement = answer::statement_signed_body(sha1);
            Some(&statement)
        }
    };
    if let (Some(signed_over), false) = (signed_over, fault == Some(Fault::MissingHeaders)) {
        // Failing to sign (the OS refused randomness) leaves the answer unsigned
        // rather than taking the server down; the client reports it as unsigned.
        let mchid = outcome.mchid.as_deref();
        if let Ok(signature) = signature_headers(app, mchid, named, signed_over, fault) {
            for (name, value) in signature {
                if let (Ok(name), Ok(value)) = (
                    HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_str(&value),
                ) {
                    headers.insert(name, value);
                }
            }
        }
    }
    let body = match fault {
        Some(Fault::TamperedBody) => Body::from(tamper(&outcome.body)),
        Some(Fault::TruncatedBody) => {
            headers.insert(CONTENT_LENGTH, HeaderValue::from(outcome.body.len().max(2)));
            let half = outcome.body.slice(..outcome.body.len() / 2);
            Body::new(Truncated::new(half))
        }
        _ => Body::from(outcome.body),
    };
    *response.body_mut() = body;
    response
}

/// The five `Wechatpay-*` headers of a signed answer, signed with the
/// platform key of `mchid` (its own, or the sandbox's) `named` (a serial
/// the sandbox still holds for it) or the current one.
pub(crate) fn signature_headers(
    app: &App,
    mchid: Option<&str>,
    named: Option<&str>,
    body: &[u8],
    fault: Option<Fault>,
) -> Result<[(&'static str, String); 5], SandboxError> {
    let platform = app.signing_platform(mchid, named);
    let now = app.clock.signature_now();
    let timestamp = match fault {
        Some(Fault::StaleTimestamp) => now - STALE_BY_SECS,
        _ => now,
    }
    .to_string();
    let nonce = crate::random::alphanumeric(32)?;
    let message = match fault {
        Some(Fault::WrongSignature) => {
            answer::signed_message(&timestamp, &nonce, b"{\"not\":\"the body that was sent\"}")
        }
        _ => answer::signed_message(&timestamp, &nonce, body),
    };
    let signature =
        base64::engine::general_purpose::STANDARD.encode(platform.key.sign_sha256(&message)?);
    let serial = match fault {
        Some(Fault::UnknownSerial) => unknown_serial(platform.mode)?,
        _ => platform.serial.clone(),
    };
    Ok([
        (answer::TIMESTAMP, timestamp),
        (answer::NONCE, nonce),
        (answer::SIGNATURE, signature),
        (answer::SERIAL, serial),
        (answer::SIGNATURE_TYPE, SCHEME.to_owned()),
    ])
}

/// A serial of the right shape that names no key the client has.
fn unknown_serial(mode: KeyMode) -> Result<String, SandboxError> {
    match mode {
        KeyMode::Certificate => Ok(crate::random::hex(40)?.to_ascii_uppercase()),
        KeyMode::PublicKey => generate_public_key_id(),
    }
}

/// WeChat's Request-IDs are long uppercase hex strings ending in `-N`, N being
/// 0 on success and WeChat's internal error number otherwise.
fn request_id(internal: u64) -> Result<String, SandboxError> {
    let hex = crate::random::hex(48)?.to_ascii_uppercase();
    Ok(format!("08{hex}-{internal}"))
}

/// The internal error number WeChat puts in `Request-ID` for an error answer
/// (those published in the official knowledge base; 0 for the others).
fn internal_code(status: StatusCode, body: &[u8]) -> u64 {
    if status.is_success() {
        return 0;
    }
    let Ok(error) = serde_json::from_slice::<Value>(body) else {
        return 0;
    };
    let message = error["message"].as_str().unwrap_or_default();
    match error["code"].as_str().unwrap_or_default() {
        "ORDER_NOT_EXIST" => 268_512_771,
        "ORDER_PAID" => 268_449_538,
        "ORDER_CLOSED" => 268_447_914,
        "SIGN_ERROR" => 268_443_699,
        "PARAM_ERROR" => 268_435_461,
        "INVALID_REQUEST" if message.contains("请求重入时") => 268_498_688,
        "INVALID_REQUEST" if message.contains("受理关系不存在") => 268_447_845,
        _ => 0,
    }
}

/// The body with a meaningful change that still parses: the first integer
/// (an amount, typically) is increased by one, or a field is added.
fn tamper(body: &[u8]) -> Bytes {
    fn bump(value: &mut Value) -> bool {
        match value {
            Value::Number(n) => match n.as_i64() {
                Some(i) => {
                    *n = i.saturating_add(1).into();
                    true
                }
                None => false,
            },
            Value::Object(map) => map.values_mut().any(bump),
            Value::Array(items) => items.iter_mut().any(bump),
            _ => false,
        }
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(mut value) => {
            if !bump(&mut value) {
                if let Value::Object(map) = &mut value {
                    map.insert("result".into(), Value::String("SUCCESS".into()));
                } else {
                    value = serde_json::json!({ "result": "SUCCESS" });
                }
            }
            Bytes::from(value.to_string())
        }
        Err(_) => Bytes::from_static(b"{\"result\":\"SUCCESS\"}"),
    }
}

/// A body that yields its bytes, pauses so they are flushed, then fails, which
/// makes hyper close the connection short of the announced `Content-Length`.
struct Truncated {
    chunk: Option<Bytes>,
    pause: Pin<Box<Sleep>>,
}

impl Truncated {
    fn new(chunk: Bytes) -> Self {
        Self {
            chunk: Some(chunk),
            pause: Box::pin(tokio::time::sleep(Duration::from_millis(50))),
        }
    }
}

impl http_body::Body for Truncated {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if let Some(chunk) = self.chunk.take() {
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
        ready!(self.pause.as_mut().poll(cx));
        Poll::Ready(Some(Err(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            "body truncated by the wxpay sandbox",
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tampering_changes_the_first_amount_and_keeps_json() {
        let body = br#"{"sub_mchid":"1900000109","amount":10,"result":"PROCESSING"}"#;
        let tampered: Value = serde_json::from_slice(&tamper(body)).unwrap();
        assert_eq!(tampered["amount"], 11);
        let no_numbers = br#"{"code":"NOT_FOUND","message":"x"}"#;
        let tampered: Value = serde_json::from_slice(&tamper(no_numbers)).unwrap();
        assert_eq!(tampered["result"], "SUCCESS");
        assert_ne!(tamper(b"").as_ref(), b"");
    }

    #[test]
    fn error_request_ids_carry_wechats_internal_number() {
        let body = r#"{"code":"ORDER_NOT_EXIST","message":"订单不存在"}"#.as_bytes();
        assert_eq!(internal_code(StatusCode::NOT_FOUND, body), 268_512_771);
        assert_eq!(internal_code(StatusCode::OK, b"{}"), 0);
        assert!(request_id(268_512_771).unwrap().ends_with("-268512771"));
    }

    #[test]
    fn request_ids_are_fresh() {
        let a = request_id(0).unwrap();
        assert_ne!(a, request_id(0).unwrap());
        assert_eq!(a.len(), 52);
    }
}
