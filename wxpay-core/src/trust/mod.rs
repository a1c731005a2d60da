//! Whom a client trusts: the WeChat Pay keys its answers and callbacks are
//! verified with (a [`Keyring`], or a custom [`Verifier`]), and, when the
//! client manages platform certificates, keeping them fresh ([`refresh`]):
//! before requests when the interval has passed, and when an answer or a
//! callback names a serial it does not know (WeChat rotated its
//! certificate), at most once a minute however many such messages arrive.

use std::sync::Arc;

use http::HeaderMap;

use crate::crypto::sha1_hex;
use crate::error::VerifyError;
use crate::keyring::{unix_now, Keyring};
use crate::verify::{self, headers, Verifier};
use crate::Client;

pub(crate) mod refresh;

pub(crate) use refresh::AutoRefresh;
pub use refresh::RefreshOutcome;

/// What an answer's signature covers (a fact of the operation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signed {
    /// The raw body (every ordinary answer).
    Body,
    /// `{"sha1":"<Wechatpay-Statement-Sha1>"}`, and the body must hash to it
    /// (the overseas statements).
    StatementSha1,
}

/// The keys a client verifies with, and their refresh.
pub(crate) struct Trust {
    verifier: Arc<dyn Verifier>,
    keyring: Keyring,
    refresh: Option<AutoRefresh>,
}

impl Trust {
    pub(crate) fn new(
        verifier: Arc<dyn Verifier>,
        keyring: Keyring,
        refresh: Option<AutoRefresh>,
    ) -> Self {
        Self {
            verifier,
            keyring,
            refresh,
        }
    }

    pub(crate) fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    pub(crate) fn verifier(&self) -> &Arc<dyn Verifier> {
        &self.verifier
    }

    pub(crate) fn refresh(&self) -> Option<&AutoRefresh> {
        self.refresh.as_ref()
    }

    /// Before a request is encoded: refreshes managed certificates when
    /// the interval has passed (a cheap check otherwise). The one place a
    /// request asks for it.
    pub(crate) async fn ready(&self, client: &Client) {
        if let Some(refresh) = &self.refresh {
            refresh.maybe_refresh(client, false).await;
        }
    }

    /// Verifies a signed message (headers and the raw body) at `now`. An
    /// unknown serial, on a client that manages certificates, refreshes them
    /// (rate-limited, shared with every clone and notifier of the client)
    /// and checks the same message again.
    pub(crate) async fn verify(
        &self,
        client: &Client,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<(), VerifyError> {
        let first = verify::verify(&*self.verifier, headers, body, now).await;
        match (first, &self.refresh) {
            (Err(VerifyError::UnknownSerial(_)), Some(refresh)) => {
                refresh.maybe_refresh(client, true).await;
                verify::verify(&*self.verifier, headers, body, now).await
            }
            (result, _) => result,
        }
    }

    /// Verifies a 2xx answer as its operation says it is signed.
    pub(crate) async fn verify_answer(
        &self,
        client: &Client,
        headers: &HeaderMap,
        body: &[u8],
        signed: Signed,
    ) -> Result<(), VerifyError> {
        match signed {
            Signed::Body => self.verify(client, headers, body, unix_now()).await,
            Signed::StatementSha1 => {
                let promised = headers
                    .get(headers::STATEMENT_SHA1)
                    .ok_or(VerifyError::MissingHeader(headers::STATEMENT_SHA1))?
                    .to_str()
                    .map_err(|_| VerifyError::InvalidHeader {
                        name: headers::STATEMENT_SHA1,
                        reason: "not visible ASCII".into(),
                    })?
                    .to_owned();
                let signed = serde_json::json!({ "sha1": promised }).to_string();
                self.verify(client, headers, signed.as_bytes(), unix_now())
                    .await?;
                let actual = sha1_hex(body);
                if !actual.eq_ignore_ascii_case(&promised) {
                    return Err(VerifyError::HashMismatch {
                        expected: promised,
                        actual,
                    });
                }
                Ok(())
            }
        }
    }
}
