//! The one transport under APIv3 and APIv2: the HTTP client (pool, TLS,
//! proxy, timeouts), the base URLs and their checks ([`target`]), retries
//! and failover ([`retry`]), bounded reads and the tracing span. Both
//! clients build it from the same settings ([`options`]) and send every
//! attempt through [`Transport::send`]; what an attempt carries (a signed
//! JSON request, a signed XML form) is the caller's.

use std::future::Future;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::HeaderMap;
use tracing::Instrument;

use crate::error::Error;
use crate::request::Method;

pub(crate) mod options;
pub(crate) mod retry;
pub(crate) mod target;

pub(crate) use options::{Api, TransportOptions};
pub use options::{BACKUP_BASE_URL, DEFAULT_BASE_URL};
pub use retry::RetryPolicy;
pub(crate) use retry::TransportFailure;
pub(crate) use target::Target;

/// A built transport: shared by every clone of a client (and, cloned, by
/// the clients of a merchant registry: one connection pool).
#[derive(Clone)]
pub(crate) struct Transport {
    pub(crate) api: Api,
    pub(crate) http: reqwest::Client,
    /// The base URLs, in failover order (never empty).
    pub(crate) bases: Vec<reqwest::Url>,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Duration,
    pub(crate) download_timeout: Duration,
    pub(crate) max_response_bytes: usize,
    pub(crate) max_download_bytes: u64,
    pub(crate) max_inflated_bytes: u64,
}

/// How long an exchange may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Deadline {
    /// An API call: the request timeout.
    Request,
    /// A file: the download timeout.
    Download,
}

/// An answer as read off the wire, nothing checked yet.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Transport {
    /// The base URLs as text, in failover order.
    pub(crate) fn base_urls(&self) -> impl Iterator<Item = &str> {
        self.bases.iter().map(reqwest::Url::as_str)
    }

    /// The checked targets of `path` and `query` on every base URL, in
    /// failover order (one check for all: they share their path).
    pub(crate) fn targets(&self, path: &str, query: &str) -> Result<Vec<Target>, Error> {
        self.bases
            .iter()
            .map(|base| Target::new(base, path, query))
            .collect()
    }

    /// Starts the request the way every request goes: `attempt(i, builder)`
    /// finishes one attempt (signs it afresh and sets its headers and body)
    /// on a request builder for `method` at `targets[i]`, with the
    /// deadline's timeout; attempts go across `targets` as the retry policy
    /// allows (`idempotent`: the caller vouches that sending twice does no
    /// harm). Returns the response of the last attempt, its body unread.
    pub(crate) async fn send<F, Fut>(
        &self,
        span: &RequestSpan,
        method: Method,
        targets: &[Target],
        idempotent: bool,
        deadline: Deadline,
        mut attempt: F,
    ) -> Result<reqwest::Response, Error>
    where
        F: FnMut(usize, reqwest::RequestBuilder) -> Fut,
        Fut: Future<Output = Result<reqwest::RequestBuilder, Error>>,
    {
        let timeout = match deadline {
            Deadline::Request => self.timeout,
            Deadline::Download => self.download_timeout,
        };
        let hosts: Vec<&str> = targets
            .iter()
            .map(|t| t.url.host_str().unwrap_or_default())
            .collect();
        retry::send_with_retries(
            &self.retry,
            &hosts,
            retry::Retryable::of(method, idempotent),
            span,
            |base| {
                let builder = self
                    .http
                    .request(method.to_http(), targets[base].url.clone())
                    .timeout(timeout);
                let prepared = attempt(base, builder);
                async move {
                    let builder = prepared.await.map_err(TransportFailure::local)?;
                    builder.send().await.map_err(TransportFailure::transport)
                }
            },
        )
        .await
    }

    /// Reads a whole answer, refusing more than the response limit.
    pub(crate) async fn read(&self, response: reqwest::Response) -> Result<Answer, Error> {
        self.read_limited(response, self.max_response_bytes).await
    }

    /// Reads a whole answer, refusing more than `limit` bytes.
    pub(crate) async fn read_limited(
        &self,
        mut response: reqwest::Response,
        limit: usize,
    ) -> Result<Answer, Error> {
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(Error::BodyTooLarge {
                origin: crate::Origin::Answer,
                limit,
            });
        }
        let status = response.status().as_u16();
        let headers = std::mem::take(response.headers_mut());
        let mut buf = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if buf.len() + chunk.len() > limit {
                return Err(Error::BodyTooLarge {
                    origin: crate::Origin::Answer,
                    limit,
                });
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(Answer {
            status,
            headers,
            body: Bytes::from(buf),
        })
    }
}

/// The tracing span of one request: method, path template, merchant,
/// attempt, and what came back. Never a key, a body, a path value or an id
/// the merchant gave.
pub(crate) struct RequestSpan {
    span: tracing::Span,
    started: Instant,
}

impl RequestSpan {
    pub(crate) fn new(api: Api, method: Method, template: &str, mchid: &str) -> Self {
        let span = tracing::info_span!(
            "wxpay.request",
            api = api.name(),
            method = method.as_str(),
            path = template,
            mchid = mchid,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            code = tracing::field::Empty,
            request_id = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        Self {
            span,
            started: Instant::now(),
        }
    }

    /// Runs `future` inside the span, then records its elapsed time.
    pub(crate) async fn run<T>(&self, future: impl Future<Output = T>) -> T {
        let result = future.instrument(self.span.clone()).await;
        self.span
            .record("elapsed_ms", self.started.elapsed().as_millis() as u64);
        result
    }

    pub(crate) fn attempt(&self, attempt: u32) {
        self.span.record("attempt", attempt);
    }

    pub(crate) fn status(&self, status: u16) {
        self.span.record("status", status);
    }

    pub(crate) fn request_id(&self, id: Option<&str>) {
        if let Some(id) = id {
            self.span.record("request_id", id);
        }
    }

    pub(crate) fn code(&self, code: &str) {
        self.span.record("code", code);
    }

    /// Records what an error says about the answer, when it came from one.
    pub(crate) fn error(&self, error: &Error) {
        match error {
            Error::Api(api) => {
                self.status(api.status);
                self.code(&api.code);
                self.request_id(api.request_id.as_deref());
            }
            Error::V2(crate::v2::V2Error::Business { err_code, .. }) => self.code(err_code),
            Error::V2(crate::v2::V2Error::Communication { return_code, .. }) => {
                self.code(return_code)
            }
            _ => {}
        }
    }
}

pub(crate) fn transport_error(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout
    } else {
        Error::Transport(Box::new(e))
    }
}
