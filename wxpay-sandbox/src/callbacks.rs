//! Notifications: the sandbox POSTs a callback to a URL exactly as WeChat Pay
//! does, the resource AES-256-GCM encrypted with the merchant's APIv3 key and
//! the envelope signed with the platform key.

use std::time::Duration;

use http::HeaderMap;
use serde_json::Value;

use crate::error::SandboxError;
use crate::notify::{envelope, notification_id, post};
use crate::Sandbox;

const CALLBACK_TIMEOUT: Duration = Duration::from_secs(10);

/// What the merchant's server answered to a callback.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Delivery {
    /// HTTP status: 200/204 means handled; anything else makes WeChat retry.
    pub status: u16,
    /// The answer body (`{"code":"FAIL","message":...}` on failure).
    pub body: String,
}

impl Delivery {
    /// Whether WeChat Pay would count the notification as delivered.
    pub fn accepted(&self) -> bool {
        matches!(self.status, 200 | 204)
    }
}

impl Sandbox {
    /// A signed notification for the demo merchant: its headers and the exact
    /// body bytes. `resource` is encrypted with the demo merchant's APIv3 key
    /// under `associated_data = original_type`.
    pub fn notification(
        &self,
        event_type: &str,
        original_type: &str,
        summary: &str,
        resource: &Value,
    ) -> Result<(HeaderMap, Vec<u8>), SandboxError> {
        let merchant = self
            .app()
            .merchant(&self.merchant().mchid)
            .ok_or_else(|| SandboxError::Config("the demo merchant was removed".into()))?;
        envelope(
            self.app(),
            &merchant,
            &notification_id()?,
            event_type,
            original_type,
            summary,
            resource,
        )
    }

    /// Sends a notification to `url` (the merchant's `notify_url`) once and
    /// reports the answer; no retries, nothing logged (the payment lifecycle
    /// notifies on its own, see [`Sandbox::notification_attempts`]). Only
    /// allowed hosts are called (loopback, and those of
    /// [`allow_notify_host`](crate::SandboxBuilder::allow_notify_host)); the
    /// request times out after 10 s.
    pub async fn send_callback(
        &self,
        url: &str,
        event_type: &str,
        original_type: &str,
        resource: &Value,
    ) -> Result<Delivery, SandboxError> {
        let parsed = self
            .app()
            .notify_hosts
            .check(url)
            .map_err(|e| SandboxError::Config(format!("callback to {url}: {e}")))?;
        let (headers, body) =
            self.notification(event_type, original_type, "sandbox notification", resource)?;
        let (status, body, error) =
            post(&self.app().http, parsed, headers, body, CALLBACK_TIMEOUT).await;
        match (status, error) {
            (Some(status), _) => Ok(Delivery { status, body }),
            (None, error) => Err(SandboxError::Config(format!(
                "callback to {url} failed: {}",
                error.unwrap_or_default()
            ))),
        }
    }
}
