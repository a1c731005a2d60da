//! Callbacks (notifications): WeChat Pay POSTs a signed JSON envelope whose
//! `resource` is AES-256-GCM encrypted with the merchant's APIv3 key.
//!
//! Framework-neutral: hand [`Notifier::parse`] the raw headers and the raw
//! body bytes exactly as received (never a re-serialised body), then answer
//! with [`Notifier::success`] or [`Notifier::failure`].

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http::HeaderMap;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::crypto::ApiV3Key;
use crate::error::{CryptoError, Error};
use crate::keyring::unix_now;
use crate::verify::{self, Verifier};

/// The only resource algorithm WeChat Pay uses.
pub const RESOURCE_ALGORITHM: &str = "AEAD_AES_256_GCM";

/// The encrypted `resource` of a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedResource {
    /// Always `AEAD_AES_256_GCM`.
    pub algorithm: String,
    /// Base64 ciphertext with the 16-byte tag appended.
    pub ciphertext: String,
    /// The 12-character nonce.
    pub nonce: String,
    /// Associated data (may be absent or empty).
    #[serde(default)]
    pub associated_data: String,
    /// The object type before encryption, e.g. `transaction`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_type: Option<String>,
}

impl EncryptedResource {
    /// Decrypts the resource with the APIv3 key.
    pub fn decrypt(&self, key: &ApiV3Key) -> Result<Vec<u8>, CryptoError> {
        key.decrypt(&self.ciphertext, &self.nonce, &self.associated_data)
    }
}

/// The notification envelope as WeChat Pay sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Notification id (unique; use it to de-duplicate retries).
    pub id: String,
    /// When the notification was created (RFC 3339).
    pub create_time: String,
    /// The event, e.g. `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`.
    pub event_type: String,
    /// `encrypt-resource`.
    pub resource_type: String,
    /// A short human summary (回调摘要).
    #[serde(default)]
    pub summary: String,
    /// The encrypted payload.
    pub resource: EncryptedResource,
}

/// A verified, decrypted notification.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification<T = serde_json::Value> {
    /// The envelope (its `resource` still encrypted, for the record).
    pub envelope: Envelope,
    /// The decrypted resource.
    pub resource: T,
}

impl<T> Notification<T> {
    /// The event type, e.g. `TRANSACTION.SUCCESS`.
    pub fn event_type(&self) -> &str {
        &self.envelope.event_type
    }
}

/// Verifies and decrypts notifications for one merchant.
#[derive(Clone)]
pub struct Notifier {
    verifier: Arc<dyn Verifier>,
    key: ApiV3Key,
}

impl fmt::Debug for Notifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notifier")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl Notifier {
    /// A notifier that trusts what `verifier` trusts (e.g. a [`Keyring`](crate::Keyring)).
    pub fn new(verifier: impl Verifier + 'static, key: ApiV3Key) -> Self {
        Self {
            verifier: Arc::new(verifier),
            key,
        }
    }

    /// A notifier sharing a client's verifier (and so its keyring).
    pub fn for_client(client: &crate::Client, key: ApiV3Key) -> Self {
        Self {
            verifier: client.verifier(),
            key,
        }
    }

    /// Verifies the signature over the raw body and the 300 s window, then
    /// decrypts the resource and decodes it as `T` (`serde_json::Value` for any).
    /// Header names are matched case-insensitively.
    pub async fn parse<T: DeserializeOwned>(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Notification<T>, Error> {
        let request_id = || {
            headers
                .get(verify::headers::REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        verify::verify(&*self.verifier, headers, body, unix_now())
            .await
            .map_err(|source| Error::Verification {
                source,
                request_id: request_id(),
            })?;
        let decode_error = |message: String, bytes: &[u8]| Error::Decode {
            status: 200,
            message,
            body_excerpt: String::from_utf8_lossy(&bytes[..bytes.len().min(256)]).into_owned(),
            request_id: request_id(),
        };
        let envelope: Envelope = serde_json::from_slice(body)
            .map_err(|e| decode_error(format!("notification envelope: {e}"), body))?;
        if envelope.resource.algorithm != RESOURCE_ALGORITHM {
            return Err(decode_error(
                format!(
                    "resource algorithm {:?} is not {RESOURCE_ALGORITHM}",
                    envelope.resource.algorithm
                ),
                body,
            ));
        }
        let plaintext = envelope.resource.decrypt(&self.key)?;
        let resource = serde_json::from_slice(&plaintext).map_err(|e| {
            // The plaintext may hold personal data: report only the decoder's message.
            Error::Decode {
                status: 200,
                message: format!("decrypted resource: {e}"),
                body_excerpt: String::new(),
                request_id: request_id(),
            }
        })?;
        Ok(Notification { envelope, resource })
    }

    /// [`parse`](Self::parse) for an `http::Request` with its whole body.
    pub async fn parse_request<T: DeserializeOwned>(
        &self,
        request: &http::Request<Bytes>,
    ) -> Result<Notification<T>, Error> {
        self.parse(request.headers(), request.body()).await
    }

    /// The answer that tells WeChat Pay the notification was handled: 204, no body.
    pub fn success() -> http::Response<Bytes> {
        let mut response = http::Response::new(Bytes::new());
        *response.status_mut() = http::StatusCode::NO_CONTENT;
        response
    }

    /// The answer that makes WeChat Pay retry later:
    /// 500 with `{"code":"FAIL","message":...}`.
    pub fn failure(message: &str) -> http::Response<Bytes> {
        let body = serde_json::json!({ "code": "FAIL", "message": message }).to_string();
        let mut response = http::Response::new(Bytes::from(body));
        *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        response
    }
}
