//! Notifications: the sandbox POSTs a callback to a URL exactly as WeChat Pay
//! does, the resource AES-256-GCM encrypted with the merchant's APIv3 key and
//! the envelope signed with the platform key.

use std::time::Duration;

use http::HeaderMap;
use serde_json::{json, Value};
use wxpay_core::crypto::random_alphanumeric;
use wxpay_core::ApiV3Key;

use crate::clock::{rfc3339_cst, unix_now};
use crate::error::SandboxError;
use crate::gateway::signature_headers;
use crate::Sandbox;

/// What the merchant's server answered to a callback.
#[derive(Debug, Clone, PartialEq, Eq)]
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
        let key = ApiV3Key::new(&self.merchant().apiv3_key).map_err(wxpay_core::Error::from)?;
        let nonce = random_alphanumeric(12)?;
        let ciphertext = key
            .encrypt(resource.to_string().as_bytes(), &nonce, original_type)
            .map_err(wxpay_core::Error::from)?;
        let body = json!({
            "id": format!("EV-{}", random_alphanumeric(24)?),
            "create_time": rfc3339_cst(unix_now()),
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": summary,
            "resource": {
                "original_type": original_type,
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": ciphertext,
                "associated_data": original_type,
                "nonce": nonce,
            }
        })
        .to_string()
        .into_bytes();
        let mut headers = HeaderMap::new();
        for (name, value) in signature_headers(self.app(), &body, None)? {
            let value = value
                .parse()
                .map_err(|_| SandboxError::Config(format!("header {name} is not ASCII")))?;
            headers.insert(name, value);
        }
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        Ok((headers, body))
    }

    /// Sends a notification to `url` (the merchant's `notify_url`) and reports
    /// the answer. Loopback URLs only make sense here; the request times out
    /// after 10 s.
    pub async fn send_callback(
        &self,
        url: &str,
        event_type: &str,
        original_type: &str,
        resource: &Value,
    ) -> Result<Delivery, SandboxError> {
        let (headers, body) =
            self.notification(event_type, original_type, "sandbox notification", resource)?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SandboxError::Config(format!("HTTP client: {e}")))?;
        let response = client
            .post(url)
            .headers(headers)
            .header(
                http::header::USER_AGENT,
                "Mozilla/4.0 (wxpay-sandbox notification)",
            )
            .body(body)
            .send()
            .await
            .map_err(|e| SandboxError::Config(format!("callback to {url} failed: {e}")))?;
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        Ok(Delivery { status, body })
    }
}
