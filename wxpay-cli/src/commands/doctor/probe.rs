//! One probe: a signed `GET v3/certificates` to one host, sent the way
//! every command sends (the configured key, serial, proxy and timeout), whose
//! client verifies with a recorder that keeps each signed message and
//! accepts it, so the answer is kept whatever its signature and the doctor
//! can verify it itself, to say which key was wrong.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wxpay_core::sign::BoxFuture;
use wxpay_core::verify::{SignedMessage, Verifier};
use wxpay_core::{Error, Method, RawResponse, RetryPolicy, VerifyError};

use super::remote::http_date;
use super::unix_now;
use crate::config::{redact_url, Resolved, NO_PROXY};

/// One signed message as the client handed it to the verifier.
#[derive(Debug, Clone)]
pub struct Recorded {
    serial: String,
    timestamp: String,
    nonce: String,
    signature: Vec<u8>,
    body: Vec<u8>,
}

impl Recorded {
    /// The message, to verify with the configured keys.
    pub fn signed(&self) -> SignedMessage<'_> {
        SignedMessage {
            serial: &self.serial,
            timestamp: &self.timestamp,
            nonce: &self.nonce,
            signature: &self.signature,
            body: &self.body,
        }
    }
}

/// Keeps what it is asked to verify, and accepts it.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Option<Recorded>>>);

impl Verifier for Recorder {
    fn verify<'a>(
        &'a self,
        signed: &'a SignedMessage<'a>,
    ) -> BoxFuture<'a, Result<(), VerifyError>> {
        let recorded = Recorded {
            serial: signed.serial.to_owned(),
            timestamp: signed.timestamp.to_owned(),
            nonce: signed.nonce.to_owned(),
            signature: signed.signature.to_vec(),
            body: signed.body.to_vec(),
        };
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(recorded);
        Box::pin(std::future::ready(Ok(())))
    }
}

/// One request to one host and what came of it.
pub struct Probe {
    pub host: String,
    /// The `Wechatpay-Serial` sent, asking WeChat Pay to sign with that key.
    pub named: Option<String>,
    pub outcome: Result<RawResponse, Error>,
    pub recorded: Option<Recorded>,
    /// Local unix time when the answer arrived.
    pub local_now: i64,
    pub elapsed: Duration,
}

impl Probe {
    /// The HTTP status, when an answer came and was not refused outright.
    pub fn status(&self) -> Option<u16> {
        match &self.outcome {
            Ok(raw) => Some(raw.status),
            Err(Error::Api(e)) => Some(e.status),
            Err(Error::UnexpectedStatus { status, .. }) => Some(*status),
            _ => None,
        }
    }

    pub fn reached(&self) -> bool {
        !matches!(
            self.outcome,
            Err(Error::Transport(_) | Error::Timeout | Error::Config(_))
        )
    }

    /// When WeChat Pay signed the answer (its `Wechatpay-Timestamp`), or
    /// else what its `Date` header says.
    pub fn wechat_time(&self) -> Option<(i64, &'static str)> {
        if let Some(recorded) = &self.recorded {
            if let Ok(t) = recorded.timestamp.parse() {
                return Some((t, "signed Wechatpay-Timestamp"));
            }
        }
        match &self.outcome {
            Err(Error::Verification {
                reason: VerifyError::TimestampSkew { timestamp, .. },
                ..
            }) => Some((*timestamp, "signed Wechatpay-Timestamp")),
            Ok(raw) => raw
                .headers
                .get(http::header::DATE)
                .and_then(|v| v.to_str().ok())
                .and_then(http_date)
                .map(|t| (t, "Date header")),
            _ => None,
        }
    }

    pub fn skewed(&self) -> bool {
        matches!(
            self.outcome,
            Err(Error::Verification {
                reason: VerifyError::TimestampSkew { .. },
                ..
            })
        )
    }
}

/// A signed `GET v3/certificates` to `host`, signed as `serial` (the
/// configured one, or the merchant certificate's).
pub async fn send(
    config: &Resolved,
    serial: &str,
    host: &str,
    named: Option<String>,
) -> Result<Probe, String> {
    let recorder = Recorder::default();
    let client = config
        .client_builder_signing_as(serial)
        .map_err(|e| e.to_string())?
        .base_url(host)
        .retry(RetryPolicy::never())
        .verifier(recorder.clone())
        .build()
        .map_err(|e| e.to_string())?;
    let mut request = client.request(Method::Get, "v3/certificates");
    if let Some(serial) = &named {
        request = request.header("Wechatpay-Serial", serial.clone());
    }
    let started = Instant::now();
    let outcome = request.send_raw().await;
    let elapsed = started.elapsed();
    let recorded = recorder.0.lock().unwrap_or_else(|e| e.into_inner()).take();
    Ok(Probe {
        host: host.to_owned(),
        named,
        outcome,
        recorded,
        local_now: unix_now(),
        elapsed,
    })
}

/// How requests to `host` travel: directly or through which proxy.
pub fn route(config: &Resolved, host: &str) -> String {
    let loopback = reqwest::Url::parse(host).ok().is_some_and(|url| {
        url.host_str().is_some_and(|h| {
            let h = h.trim_start_matches('[').trim_end_matches(']');
            h.eq_ignore_ascii_case("localhost")
                || h.parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        })
    });
    if loopback {
        return "directly: loopback is never proxied".into();
    }
    match config.proxy() {
        Some(NO_PROXY) => "directly (--proxy none)".into(),
        Some(proxy) => format!("through the proxy {}", redact_url(proxy)),
        None => {
            let https = host.starts_with("https:");
            let names: &[&str] = if https {
                &["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
            } else {
                &["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
            };
            names
                .iter()
                .find_map(|name| {
                    std::env::var(name)
                        .ok()
                        .filter(|v| !v.is_empty())
                        .map(|v| format!("through the proxy {} ({name})", redact_url(&v)))
                })
                .unwrap_or_else(|| "directly (no proxy configured)".into())
        }
    }
}
