//! When a request is tried again, and how long to wait first.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::request::Method;

/// When and how often a request is tried again.
///
/// Every attempt is signed afresh (new timestamp and nonce); a signature is
/// never replayed. Only what is safe is retried:
///
/// - a failure to connect, for any method (nothing reached WeChat Pay);
/// - for `GET` requests, and calls marked idempotent
///   ([`Client::send_idempotent`](crate::Client::send_idempotent),
///   [`DynamicRequest::idempotent`](crate::DynamicRequest::idempotent),
///   [`V2Client::send_idempotent`](crate::v2::V2Client::send_idempotent)):
///   also 5xx and 429 answers, timeouts and broken connections.
///
/// A `POST` that is not marked idempotent is sent once, whatever happens to
/// it: WeChat Pay may have acted on it. WeChat's creations keyed by the
/// merchant's own number are idempotent and may be marked so: prepay
/// (`out_trade_no`; the same content returns the same `prepay_id`), refunds
/// (`out_refund_no`: "同一退款单号多次请求只退一笔"), closing an order, profit
/// sharing (`out_order_no`) and transfers (`out_batch_no` / `out_bill_no`).
///
/// ```
/// use std::time::Duration;
/// use wxpay_core::RetryPolicy;
///
/// let policy = RetryPolicy::new(4)
///     .backoff(Duration::from_millis(200), Duration::from_secs(2))
///     .deadline(Duration::from_secs(20));
/// assert_eq!(policy.max_attempts, 4);
/// assert_eq!(RetryPolicy::never().max_attempts, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1: never retry). Default 3.
    pub max_attempts: u32,
    /// The wait before the second attempt (default 100 ms); it doubles with
    /// each further attempt up to `max_backoff` (default 2 s), and each wait
    /// is drawn at random between half of it and all of it.
    pub initial_backoff: Duration,
    /// The longest wait between two attempts.
    pub max_backoff: Duration,
    /// No new attempt starts once this much time has passed since the first
    /// (default 30 s).
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            deadline: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The default policy with `max_attempts` attempts in all (at least 1).
    pub fn new(max_attempts: u32) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            ..Self::default()
        }
    }

    /// One attempt only.
    pub fn never() -> Self {
        Self::new(1)
    }

    /// Sets the first and the longest wait between attempts.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Sets the overall deadline after which no new attempt starts.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The wait before attempt `next` (2 for the first retry), jittered.
    pub(crate) fn wait_before(&self, next: u32) -> Duration {
        let doublings = next.saturating_sub(2).min(16);
        let full = self
            .initial_backoff
            .saturating_mul(1 << doublings)
            .min(self.max_backoff);
        let mut byte = [0u8; 1];
        // Without randomness the wait is simply the full one.
        let fraction = match getrandom::fill(&mut byte) {
            Ok(()) => 0.5 + f64::from(byte[0]) / 510.0,
            Err(_) => 1.0,
        };
        full.mul_f64(fraction)
    }
}

/// What went wrong with one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The connection could not be made: nothing was sent.
    Connect,
    /// Sent, but no complete answer (timeout, reset).
    Transport,
    /// An answer with this status.
    Status(u16),
}

impl Failure {
    /// Whether a request of `method` (marked `idempotent` or not) may be
    /// sent again after this failure.
    pub(crate) fn retryable(self, method: Method, idempotent: bool) -> bool {
        let safe = idempotent || method == Method::Get;
        match self {
            Failure::Connect => true,
            Failure::Transport => safe,
            Failure::Status(status) => safe && (status == 429 || (500..=599).contains(&status)),
        }
    }

    /// Whether the next attempt should go to the next base URL.
    pub(crate) fn fails_over(self) -> bool {
        matches!(self, Failure::Connect | Failure::Status(500..=599))
    }
}

/// Which failures a request may be sent again after (see [`Failure::retryable`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Retryable {
    method: Method,
    idempotent: bool,
}

impl Retryable {
    pub(crate) fn of(method: Method, idempotent: bool) -> Self {
        Self { method, idempotent }
    }
}

/// A failed send: how it failed, as far as retrying goes, and the error.
pub(crate) struct TransportFailure {
    /// `None` for a failure before anything left this process (never retried).
    pub(crate) failure: Option<Failure>,
    pub(crate) error: Error,
}

impl TransportFailure {
    pub(crate) fn local(error: Error) -> Self {
        Self {
            failure: None,
            error,
        }
    }

    /// A send that reqwest could not complete: a failed connection (nothing
    /// sent) or a later failure.
    pub(crate) fn transport(error: reqwest::Error) -> Self {
        Self {
            failure: Some(if error.is_connect() {
                Failure::Connect
            } else {
                Failure::Transport
            }),
            error: super::transport_error(error),
        }
    }
}

fn is_retryable_status(status: u16) -> bool {
    status == 429 || (500..=599).contains(&status)
}

/// The attempts of one request, for APIv3 and APIv2 alike: `send(base)`
/// makes one attempt (signed afresh) at `hosts[base]`; a failure `policy`
/// and `retryable` allow is tried again, after a wait, or at once on the
/// next base URL when it failed over (nothing answered, or a 5xx). Returns
/// the last answer (a retryable status included, once the attempts or the
/// deadline are used up) or the last error.
pub(crate) async fn send_with_retries<F, Fut>(
    policy: &RetryPolicy,
    hosts: &[&str],
    retryable: Retryable,
    span: &super::RequestSpan,
    mut send: F,
) -> Result<reqwest::Response, Error>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Result<reqwest::Response, TransportFailure>>,
{
    let started = Instant::now();
    let mut base = 0;
    let mut attempt = 1;
    loop {
        span.attempt(attempt);
        let outcome = send(base).await;
        let failure = match &outcome {
            Ok(response) if is_retryable_status(response.status().as_u16()) => {
                Some(Failure::Status(response.status().as_u16()))
            }
            Ok(_) => None,
            Err(f) => f.failure,
        };
        let retry = failure.filter(|f| {
            f.retryable(retryable.method, retryable.idempotent)
                && (attempt < policy.max_attempts
                    || (f.fails_over() && attempt < policy.max_attempts.max(hosts.len() as u32)))
        });
        let Some(failure) = retry else {
            return outcome.map_err(|f| f.error);
        };
        let wait = if failure.fails_over() && hosts.len() > 1 {
            let from = hosts[base];
            base = (base + 1) % hosts.len();
            tracing::warn!(
                from,
                to = hosts[base],
                ?failure,
                "wxpay: failing over to the next base URL"
            );
            Duration::ZERO
        } else {
            policy.wait_before(attempt + 1)
        };
        if started.elapsed() + wait >= policy.deadline {
            return outcome.map_err(|f| f.error);
        }
        tracing::info!(
            attempt,
            ?failure,
            wait_ms = wait.as_millis() as u64,
            "wxpay: retrying"
        );
        drop(outcome);
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_safe_failures_are_retried() {
        use Failure::*;
        assert!(Connect.retryable(Method::Post, false));
        assert!(!Transport.retryable(Method::Post, false));
        assert!(Transport.retryable(Method::Get, false));
        assert!(Transport.retryable(Method::Post, true));
        assert!(Status(500).retryable(Method::Get, false));
        assert!(Status(429).retryable(Method::Get, false));
        assert!(!Status(500).retryable(Method::Post, false));
        assert!(Status(503).retryable(Method::Post, true));
        assert!(!Status(400).retryable(Method::Get, true));
        assert!(!Status(404).retryable(Method::Get, false));
    }

    #[test]
    fn waits_double_up_to_the_cap_with_jitter() {
        let policy =
            RetryPolicy::new(10).backoff(Duration::from_millis(100), Duration::from_millis(350));
        for (next, full) in [(2, 100), (3, 200), (4, 350), (9, 350)] {
            let wait = policy.wait_before(next).as_millis();
            assert!(
                wait >= full / 2 && wait <= full,
                "attempt {next}: {wait} ms"
            );
        }
    }
}
