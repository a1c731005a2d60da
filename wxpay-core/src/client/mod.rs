//! The client: signs every request, verifies every signed response, and maps
//! every failure to [`Error`].
//!
//! One responsibility a file: [`builder`] configures, [`target`] builds and
//! checks URLs, [`pipeline`] is the one path to the wire, [`response`]
//! verifies and maps answers, [`dynamic`] and [`download`] are the untyped
//! and file-download entry points.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::certificates::AutoRefresh;
use crate::crypto::PrivateKey;
use crate::error::Error;
use crate::keyring::Keyring;
use crate::request::{ApiRequest, EncodedRequest, Method};
use crate::sign::Signer;
use crate::verify::{headers, Verifier};

mod builder;
mod download;
mod dynamic;
pub(crate) mod pipeline;
pub(crate) mod response;
pub(crate) mod retry;
pub(crate) mod target;

pub(crate) use builder::is_loopback;
pub use builder::ClientBuilder;
pub use download::Download;
pub use dynamic::DynamicRequest;
pub(crate) use pipeline::{Answer, Call, Expect};
pub use response::{RawResponse, Response};
pub use retry::RetryPolicy;

/// The production API host.
pub const DEFAULT_BASE_URL: &str = "https://api.mch.weixin.qq.com/";
/// The backup API host WeChat Pay documents for failover.
pub const BACKUP_BASE_URL: &str = "https://api2.wechatpay.cn/";

/// A WeChat Pay APIv3 client for one merchant.
///
/// `Clone + Send + Sync`; clones share one connection pool and one keyring, so
/// build it once and pass clones around. Nothing is global: several merchants
/// can live in one process, each with its own client.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// The base URLs, in failover order (never empty).
    bases: Vec<reqwest::Url>,
    retry: RetryPolicy,
    mchid: String,
    serial_no: String,
    signer: Arc<dyn Signer>,
    verifier: Arc<dyn Verifier>,
    keyring: Keyring,
    max_response_bytes: usize,
    timeout: Duration,
    download_timeout: Duration,
    max_download_bytes: u64,
    max_inflated_bytes: u64,
    auto_refresh: Option<AutoRefresh>,
    private_key: Option<PrivateKey>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("mchid", &self.inner.mchid)
            .field("serial_no", &self.inner.serial_no)
            .field(
                "base_urls",
                &self
                    .inner
                    .bases
                    .iter()
                    .map(reqwest::Url::as_str)
                    .collect::<Vec<_>>(),
            )
            .field("keyring", &self.inner.keyring)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The merchant id.
    pub fn mchid(&self) -> &str {
        &self.inner.mchid
    }

    /// The base URL requests go to first.
    pub fn base_url(&self) -> &str {
        self.inner.bases[0].as_str()
    }

    /// Every base URL, in the order they are tried.
    pub fn base_urls(&self) -> impl Iterator<Item = &str> {
        self.inner.bases.iter().map(reqwest::Url::as_str)
    }

    /// The verifier responses are checked with.
    pub fn verifier(&self) -> Arc<dyn Verifier> {
        self.inner.verifier.clone()
    }

    /// The signer requests are signed with.
    pub fn signer(&self) -> Arc<dyn Signer> {
        self.inner.signer.clone()
    }

    /// The trusted WeChat Pay keys (shared with the client: changes apply at once).
    pub fn keyring(&self) -> &Keyring {
        &self.inner.keyring
    }

    /// Sends a typed request and decodes the verified response.
    pub async fn send<R: ApiRequest + ?Sized>(&self, request: &R) -> Result<R::Response, Error> {
        self.send_typed(request, false).await?.json()
    }

    /// [`send`](Self::send), also retrying 5xx/429 answers, timeouts and
    /// broken connections for a `POST`: for creations keyed by the
    /// merchant's own number, which WeChat Pay performs once whatever the
    /// number of requests (see [`RetryPolicy`]).
    pub async fn send_idempotent<R: ApiRequest + ?Sized>(
        &self,
        request: &R,
    ) -> Result<R::Response, Error> {
        self.send_typed(request, true).await?.json()
    }

    /// [`send`](Self::send), keeping the answer's status, `Request-ID` and
    /// headers beside the decoded value.
    pub async fn send_with_meta<R: ApiRequest + ?Sized>(
        &self,
        request: &R,
    ) -> Result<Response<R::Response>, Error> {
        Response::decode(self.send_typed(request, false).await?)
    }

    async fn send_typed<R: ApiRequest + ?Sized>(
        &self,
        request: &R,
        idempotent: bool,
    ) -> Result<RawResponse, Error> {
        // Sensitive fields need a key before encoding: refresh first, once.
        self.refresh_if_due().await;
        let encoded = self.encode(request)?;
        let options = Options {
            template: R::PATH_TEMPLATE,
            refreshed: true,
            idempotent,
        };
        self.execute_encoded(&encoded, options).await
    }

    /// Encodes a typed request as [`send`](Self::send) would: sensitive fields
    /// are encrypted with the keyring's current WeChat Pay key and
    /// `Wechatpay-Serial` is set to that key.
    pub fn encode<R: ApiRequest + ?Sized>(&self, request: &R) -> Result<EncodedRequest, Error> {
        let (encoded, serial) = crate::sensitive::with_keyring(&self.inner.keyring, || {
            EncodedRequest::from_api(request)
        });
        let mut encoded = encoded?;
        if let Some(serial) = serial {
            encoded
                .headers
                .retain(|(name, _)| !name.eq_ignore_ascii_case(headers::SERIAL));
            encoded
                .headers
                .push((Cow::Borrowed(headers::SERIAL), serial));
        }
        Ok(encoded)
    }

    /// Encrypts one sensitive value for a hand-built request: returns the
    /// serial to send as `Wechatpay-Serial` and the base64 ciphertext.
    pub fn encrypt_sensitive(&self, plaintext: &str) -> Result<(String, String), Error> {
        let key = self.inner.keyring.encryption_key().ok_or_else(|| {
            Error::Config(
                "no WeChat Pay public key or valid platform certificate to encrypt with".into(),
            )
        })?;
        let ciphertext = key.public_key().encrypt_oaep_base64(plaintext)?;
        Ok((key.serial().to_owned(), ciphertext))
    }

    /// Decrypts a sensitive field WeChat Pay returned encrypted, with the
    /// merchant private key given to the builder (not available with a custom signer).
    pub fn decrypt_sensitive(&self, ciphertext: &str) -> Result<String, Error> {
        let key = self.inner.private_key.as_ref().ok_or_else(|| {
            Error::Config("decrypting needs the merchant private key (the client was built with a custom signer)".into())
        })?;
        Ok(key.decrypt_oaep_base64(ciphertext)?)
    }

    /// Starts an untyped call of any operation: a method and a URI template
    /// such as `v3/ecommerce/refunds/{refund_id}/return-advance`. The escape
    /// hatch for endpoints without a typed request.
    pub fn request(&self, method: Method, template: &str) -> DynamicRequest<'_> {
        DynamicRequest::new(self, method, template)
    }

    /// Signs and sends an encoded request, then verifies the response.
    ///
    /// Returns the verified response for 2xx; [`Error::Api`] for 4xx/5xx.
    /// Paths whose responses WeChat does not sign (file downloads) are refused
    /// here: use [`download`](Self::download), which returns them as bytes.
    pub async fn execute(&self, request: EncodedRequest) -> Result<RawResponse, Error> {
        self.execute_encoded(&request, Options::new("(encoded request)"))
            .await
    }

    pub(crate) async fn execute_encoded(
        &self,
        request: &EncodedRequest,
        options: Options<'_>,
    ) -> Result<RawResponse, Error> {
        let call = Call {
            method: request.method,
            template: options.template,
            path: &request.path,
            query: &request.query,
            headers: &request.headers,
            body: request.body.as_deref(),
            wire: None,
            idempotent: options.idempotent,
        };
        self.call_verified(&call, options.refreshed).await
    }

    /// The largest gzip-inflated size of a bill download.
    pub(crate) fn max_inflated_bytes(&self) -> u64 {
        self.inner.max_inflated_bytes
    }

    pub(crate) fn auto_refresh(&self) -> Option<&AutoRefresh> {
        self.inner.auto_refresh.as_ref()
    }
}

/// How an encoded request is sent.
pub(crate) struct Options<'a> {
    /// The path template, for logs.
    pub(crate) template: &'a str,
    /// Certificates were refreshed (if due) already.
    pub(crate) refreshed: bool,
    pub(crate) idempotent: bool,
}

impl<'a> Options<'a> {
    pub(crate) fn new(template: &'a str) -> Self {
        Self {
            template,
            refreshed: false,
            idempotent: false,
        }
    }
}
