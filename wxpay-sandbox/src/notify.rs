//! Notifications (回调通知) as WeChat Pay sends them: a signed envelope whose
//! `resource` is AES-256-GCM-encrypted with the merchant's APIv3 key, POSTed
//! to the `notify_url`; an answer other than 200/204 within 5 s is retried on
//! WeChat's schedule (scaled by the sandbox's time scale). Every attempt is
//! logged and any notification can be sent again on demand.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::HeaderMap;
use serde::Serialize;
use serde_json::Value;

use crate::app::App;
use crate::clock::rfc3339_cst;
use crate::error::SandboxError;
use crate::gateway::signature_headers;
use crate::wire::notification::Envelope;

/// The waits between a failed attempt and the next one, as WeChat Pay
/// documents them (15 retries, 24 h 4 min in all), before time scaling.
pub const NOTIFY_RETRY_SCHEDULE: [Duration; 15] = {
    const fn s(secs: u64) -> Duration {
        Duration::from_secs(secs)
    }
    [
        s(15),
        s(15),
        s(30),
        s(180),
        s(600),
        s(1200),
        s(1800),
        s(1800),
        s(1800),
        s(3600),
        s(10_800),
        s(10_800),
        s(10_800),
        s(21_600),
        s(21_600),
    ]
};

/// The waits WeChat Pay documents for merchant transfer notifications
/// (`MCHTRANSFER.BILL.FINISHED`): 0s/15s (10 times)/300s (10 times)/1800s
/// (44 times), 64 retries over 22 h 52 min 30 s, before time scaling.
pub const TRANSFER_NOTIFY_RETRY_SCHEDULE: [Duration; 64] = {
    let mut waits = [Duration::from_secs(1800); 64];
    let mut i = 0;
    while i < 20 {
        waits[i] = Duration::from_secs(if i < 10 { 15 } else { 300 });
        i += 1;
    }
    waits
};

/// Which of WeChat's retry schedules a notification follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retries {
    /// Payments, refunds, profit sharing: [`NOTIFY_RETRY_SCHEDULE`].
    Standard,
    /// Merchant transfers: [`TRANSFER_NOTIFY_RETRY_SCHEDULE`].
    Transfer,
}

impl Retries {
    fn waits(self) -> &'static [Duration] {
        match self {
            Retries::Standard => &NOTIFY_RETRY_SCHEDULE,
            Retries::Transfer => &TRANSFER_NOTIFY_RETRY_SCHEDULE,
        }
    }
}

/// An answer must arrive within this (scaled, but never under 1 s) or the
/// attempt failed.
pub const NOTIFY_ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

/// The floor of the scaled answer timeout, so a fast time scale does not
/// fail handlers merely for being a debug build.
const MIN_ANSWER_TIMEOUT: Duration = Duration::from_secs(1);

/// How much of an answer body the log keeps.
const MAX_LOGGED_ANSWER: usize = 2048;

/// Notifications and attempts remembered (each list), oldest forgotten first.
const MAX_LOGGED: usize = 10_000;

/// One attempt to deliver a notification, as the delivery log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NotificationAttempt {
    /// The envelope's `id` (the same on every attempt of one notification).
    pub notification_id: String,
    /// `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`, ...
    pub event_type: String,
    /// The merchant notified.
    pub mchid: String,
    /// The sub-merchant the notification is about, when a service provider
    /// is notified for one.
    pub sub_mchid: Option<String>,
    /// Where it was sent (the order's or refund's `notify_url`).
    pub url: String,
    /// 1 for the first attempt, then counting retries and re-sends.
    pub attempt: u32,
    /// Whether this attempt was asked for (a re-send) rather than scheduled.
    pub manual: bool,
    /// When it was sent (RFC 3339, `+08:00`).
    pub sent_at: String,
    /// The exact body sent.
    pub request_body: String,
    /// The HTTP status of the answer, if one came.
    pub status: Option<u16>,
    /// The start of the answer body.
    pub answer: String,
    /// Why there was no usable answer (refused host, timeout, connection error).
    pub error: Option<String>,
    /// From sending to the end of the answer.
    pub latency_ms: u64,
    /// Whether WeChat Pay would count it delivered (200 or 204 in time).
    pub accepted: bool,
}

/// What happened, to be notified: everything but the signature and
/// encryption, which are fresh on every attempt.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    /// The merchant notified (its APIv3 key encrypts the resource).
    pub(crate) mchid: String,
    /// The sub-merchant it is about, for the log.
    pub(crate) sub_mchid: Option<String>,
    pub(crate) url: String,
    /// `event_type` and `summary`.
    pub(crate) kind: (&'static str, &'static str),
    /// `resource.original_type`, also its `associated_data`.
    pub(crate) original_type: &'static str,
    /// The decrypted `resource`.
    pub(crate) resource: Value,
    pub(crate) retries: Retries,
}

/// A notification to (re)send: an event and its envelope id.
#[derive(Debug, Clone)]
pub(crate) struct Notice {
    pub(crate) id: String,
    pub(crate) event: Event,
}

#[derive(Debug, Default)]
pub(crate) struct Outbox {
    notices: VecDeque<(Notice, Delivered)>,
    attempts: VecDeque<NotificationAttempt>,
}

type Delivered = bool;

impl Outbox {
    fn push(&mut self, notice: Notice) {
        self.notices.push_back((notice, false));
        while self.notices.len() > MAX_LOGGED {
            self.notices.pop_front();
        }
    }

    fn find(&self, id: &str) -> Option<&(Notice, Delivered)> {
        self.notices.iter().find(|(n, _)| n.id == id)
    }

    fn log(&mut self, attempt: NotificationAttempt) {
        if attempt.accepted {
            if let Some(entry) = self
                .notices
                .iter_mut()
                .find(|(n, _)| n.id == attempt.notification_id)
            {
                entry.1 = true;
            }
        }
        self.attempts.push_back(attempt);
        while self.attempts.len() > MAX_LOGGED {
            self.attempts.pop_front();
        }
    }

    fn next_attempt(&self, id: &str) -> u32 {
        let sent = self
            .attempts
            .iter()
            .filter(|a| a.notification_id == id)
            .count();
        u32::try_from(sent).unwrap_or(u32::MAX).saturating_add(1)
    }

    /// The log, oldest first, optionally of one merchant or sub-merchant only.
    pub(crate) fn attempts(
        &self,
        mchid: Option<&str>,
        sub_mchid: Option<&str>,
    ) -> Vec<NotificationAttempt> {
        self.attempts
            .iter()
            .filter(|a| mchid.is_none_or(|m| a.mchid == m))
            .filter(|a| sub_mchid.is_none_or(|s| a.sub_mchid.as_deref() == Some(s)))
            .cloned()
            .collect()
    }
}

/// Which hosts notifications may go to.
#[derive(Debug, Clone)]
pub(crate) struct AllowedHosts {
    /// Extra host names or addresses; `*` allows any.
    pub(crate) extra: Vec<String>,
}

impl AllowedHosts {
    /// Loopback always; others only if listed.
    pub(crate) fn check(&self, url: &str) -> Result<reqwest::Url, String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!("scheme {} is not http or https", parsed.scheme()));
        }
        let loopback = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => return Err("no host".into()),
        };
        let host = parsed.host_str().unwrap_or_default();
        let listed = self
            .extra
            .iter()
            .any(|h| h == "*" || h.eq_ignore_ascii_case(host.trim_matches(['[', ']'])));
        if loopback || listed {
            Ok(parsed)
        } else {
            Err(format!(
                "host {host} is not allowed (loopback only; allow it with --notify-allow {host})"
            ))
        }
    }
}

/// A WeChat-style notification id (live ones are UUIDs).
pub(crate) fn notification_id() -> Result<String, SandboxError> {
    let hex = crate::random::hex(32)?;
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

/// The signed envelope: headers and the exact body bytes (written so that
/// re-encoding it shows, see [`crate::wire::notification`]).
pub(crate) fn envelope(
    app: &App,
    merchant: &crate::Merchant,
    id: &str,
    event_type: &str,
    original_type: &str,
    summary: &str,
    resource: &Value,
) -> Result<(HeaderMap, Vec<u8>), SandboxError> {
    let nonce = crate::random::alphanumeric(12)?;
    let ciphertext =
        merchant
            .apiv3_key
            .encrypt(resource.to_string().as_bytes(), &nonce, original_type)?;
    let create_time = rfc3339_cst(app.now());
    let body = Envelope {
        id,
        create_time: &create_time,
        event_type,
        summary,
        original_type,
        ciphertext: &ciphertext,
        nonce: &nonce,
    }
    .to_bytes();
    let headers = signed_headers(app, &merchant.mchid, &body)?;
    Ok((headers, body))
}

/// The headers of a notification of `mchid` with this exact body: signed
/// now with its platform key.
pub(crate) fn signed_headers(
    app: &App,
    mchid: &str,
    body: &[u8],
) -> Result<HeaderMap, SandboxError> {
    let mut headers = HeaderMap::new();
    for (name, value) in signature_headers(app, Some(mchid), None, body, None)? {
        let value = value
            .parse()
            .map_err(|_| SandboxError::Config(format!("header {name} is not ASCII")))?;
        headers.insert(name, value);
    }
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    headers.insert(
        http::header::USER_AGENT,
        http::HeaderValue::from_static("Mozilla/4.0 (wxpay-sandbox notification)"),
    );
    Ok(headers)
}

/// The HTTP client notifications go out with: no redirects, no proxy.
pub(crate) fn http_client() -> Result<reqwest::Client, SandboxError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .map_err(|e| SandboxError::Config(format!("HTTP client: {e}")))
}

/// POSTs once and reports what happened; never fails.
pub(crate) async fn post(
    client: &reqwest::Client,
    url: reqwest::Url,
    headers: HeaderMap,
    body: Vec<u8>,
    timeout: Duration,
) -> (Option<u16>, String, Option<String>) {
    let exchange = async {
        let response = client.post(url).headers(headers).body(body).send().await?;
        let status = response.status().as_u16();
        let answer = response.bytes().await?;
        let cut = answer.len().min(MAX_LOGGED_ANSWER);
        Ok::<_, reqwest::Error>((status, String::from_utf8_lossy(&answer[..cut]).into_owned()))
    };
    match tokio::time::timeout(timeout, exchange).await {
        Ok(Ok((status, answer))) => (Some(status), answer, None),
        Ok(Err(e)) => (None, String::new(), Some(format!("request failed: {e}"))),
        Err(_) => (
            None,
            String::new(),
            Some(format!("no answer within {} ms", timeout.as_millis())),
        ),
    }
}

/// Sends one attempt of a notice and logs it.
async fn attempt(app: &App, notice: &Notice, manual: bool) -> NotificationAttempt {
    let number = app.outbox().next_attempt(&notice.id);
    let sent_at = rfc3339_cst(app.now());
    let started = Instant::now();
    let event = &notice.event;
    let mut record = NotificationAttempt {
        notification_id: notice.id.clone(),
        event_type: event.kind.0.to_owned(),
        mchid: event.mchid.clone(),
        sub_mchid: event.sub_mchid.clone(),
        url: event.url.clone(),
        attempt: number,
        manual,
        sent_at,
        request_body: String::new(),
        status: None,
        answer: String::new(),
        error: None,
        latency_ms: 0,
        accepted: false,
    };
    let prepared = app.notify_hosts.check(&event.url).and_then(|url| {
        let merchant = app
            .merchant(&event.mchid)
            .ok_or_else(|| format!("merchant {} is no longer registered", event.mchid))?;
        envelope(
            app,
            &merchant,
            &notice.id,
            event.kind.0,
            event.original_type,
            event.kind.1,
            &event.resource,
        )
        .map(|(headers, body)| (url, headers, body))
        .map_err(|e| format!("cannot build the notification: {e}"))
    });
    match prepared {
        Err(e) => record.error = Some(e),
        Ok((url, headers, body)) => {
            record.request_body = String::from_utf8_lossy(&body).into_owned();
            let timeout = app.scaled(NOTIFY_ANSWER_TIMEOUT).max(MIN_ANSWER_TIMEOUT);
            let (status, answer, error) = post(&app.http, url, headers, body, timeout).await;
            record.status = status;
            record.answer = answer;
            record.error = error;
            record.accepted = matches!(status, Some(200 | 204));
        }
    }
    record.latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    app.outbox().log(record.clone());
    record
}

/// Queues a notification: first attempt at once, then retries on its
/// schedule until one is accepted.
pub(crate) fn notify(app: &Arc<App>, event: Event) {
    let Ok(id) = notification_id() else {
        return;
    };
    let waits = event.retries.waits();
    let notice = Notice { id, event };
    app.outbox().push(notice.clone());
    let task_app = app.clone();
    app.spawn(async move {
        let app = task_app;
        for &wait in std::iter::once(&Duration::ZERO).chain(waits) {
            tokio::time::sleep(app.scaled(wait)).await;
            let delivered = app.outbox().find(&notice.id).is_none_or(|(_, d)| *d);
            if delivered || attempt(&app, &notice, false).await.accepted {
                return;
            }
        }
    });
}

/// Sends a logged notification to each of `urls` at once (each attempt
/// signed afresh and logged), in the order of `urls`.
pub(crate) async fn resend_to(
    app: &Arc<App>,
    id: &str,
    urls: &[String],
) -> Option<Vec<NotificationAttempt>> {
    let notice = app.outbox().find(id).map(|(n, _)| n.clone())?;
    let mut sending = tokio::task::JoinSet::new();
    for (i, url) in urls.iter().enumerate() {
        let mut notice = notice.clone();
        notice.event.url = url.clone();
        let app = app.clone();
        sending.spawn(async move { (i, attempt(&app, &notice, true).await) });
    }
    let mut attempts: Vec<(usize, NotificationAttempt)> = sending.join_all().await;
    attempts.sort_by_key(|(i, _)| *i);
    Some(attempts.into_iter().map(|(_, a)| a).collect())
}

/// Sends a logged notification once more, now.
pub(crate) async fn resend(app: &App, id: &str) -> Option<NotificationAttempt> {
    let notice = app.outbox().find(id).map(|(n, _)| n.clone())?;
    Some(attempt(app, &notice, true).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_adds_up_to_24_hours_4_minutes() {
        let total: Duration = NOTIFY_RETRY_SCHEDULE.iter().sum();
        assert_eq!(total, Duration::from_secs(24 * 3600 + 4 * 60));
    }

    #[test]
    fn the_transfer_schedule_is_64_retries_over_22_hours_52_minutes() {
        let total: Duration = TRANSFER_NOTIFY_RETRY_SCHEDULE.iter().sum();
        assert_eq!(total, Duration::from_secs(10 * 15 + 10 * 300 + 44 * 1800));
        assert_eq!(TRANSFER_NOTIFY_RETRY_SCHEDULE[9], Duration::from_secs(15));
        assert_eq!(TRANSFER_NOTIFY_RETRY_SCHEDULE[10], Duration::from_secs(300));
        assert_eq!(
            TRANSFER_NOTIFY_RETRY_SCHEDULE[20],
            Duration::from_secs(1800)
        );
    }

    #[test]
    fn only_loopback_and_listed_hosts_are_called() {
        let none = AllowedHosts { extra: vec![] };
        for ok in [
            "http://127.0.0.1:8080/n",
            "http://localhost/n",
            "http://[::1]:1/n",
        ] {
            assert!(none.check(ok).is_ok(), "{ok}");
        }
        for bad in ["http://example.com/n", "ftp://127.0.0.1/", "not a url"] {
            assert!(none.check(bad).is_err(), "{bad}");
        }
        let listed = AllowedHosts {
            extra: vec!["shop.test".into()],
        };
        assert!(listed.check("https://shop.test/notify").is_ok());
        assert!(AllowedHosts {
            extra: vec!["*".into()]
        }
        .check("https://example.com/")
        .is_ok());
    }

    #[test]
    fn ids_look_like_uuids() {
        let id = notification_id().unwrap();
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
    }
}
