//! The client: signs every request, verifies every signed response, and maps
//! every failure to [`Error`].

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::HeaderMap;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::certificates::AutoRefresh;
use crate::crypto::{random_alphanumeric, sha1_hex, ApiV3Key, PrivateKey, PublicKey};
use crate::error::{ApiError, Error, VerifyError};
use crate::keyring::Certificate;
use crate::keyring::{unix_now, Keyring};
use crate::request::{
    decode_body, json_body, ApiRequest, EncodedRequest, Method, PathBuilder, QueryBuilder,
};
use crate::sign::{authorize, SignInput, Signer};
use crate::verify::{
    self, has_signature_headers, headers, signed_body_for_path, SignedBody, Verifier,
};

/// The production API host.
pub const DEFAULT_BASE_URL: &str = "https://api.mch.weixin.qq.com/";
/// The backup API host WeChat Pay documents for failover.
pub const BACKUP_BASE_URL: &str = "https://api2.wechatpay.cn/";

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
const EXCERPT_BYTES: usize = 256;
const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(12 * 60 * 60);

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
    base: reqwest::Url,
    mchid: String,
    serial_no: String,
    signer: Arc<dyn Signer>,
    verifier: Arc<dyn Verifier>,
    keyring: Keyring,
    max_response_bytes: usize,
    auto_refresh: Option<AutoRefresh>,
    private_key: Option<PrivateKey>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("mchid", &self.inner.mchid)
            .field("serial_no", &self.inner.serial_no)
            .field("base_url", &self.inner.base.as_str())
            .field("keyring", &self.inner.keyring)
            .finish_non_exhaustive()
    }
}

/// A response that passed verification (or an exempt one), before decoding.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// HTTP status (2xx).
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The verified body bytes.
    pub body: Bytes,
}

impl RawResponse {
    /// The `Request-ID` header.
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers)
    }

    /// Decodes the verified body; an empty body decodes as JSON `null`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        decode_body(&self.body).map_err(|e| Error::Decode {
            status: self.status,
            message: e.to_string(),
            body_excerpt: excerpt(&self.body),
            request_id: self.request_id().map(str::to_owned),
        })
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

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.inner.base.as_str()
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
        if let Some(auto) = &self.inner.auto_refresh {
            // Sensitive fields need a key before encoding.
            auto.maybe_refresh(self, false).await;
        }
        let encoded = self.encode(request)?;
        self.execute(encoded).await?.json()
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
        DynamicRequest {
            client: self,
            method,
            template: template.to_owned(),
            params: Vec::new(),
            query: QueryBuilder::new(),
            headers: Vec::new(),
            body: None,
            error: None,
        }
    }

    /// Signs and sends an encoded request, then verifies the response.
    ///
    /// Returns the verified response for 2xx; [`Error::Api`] for 4xx/5xx.
    /// Paths whose responses WeChat does not sign (file downloads) are refused
    /// here: use [`download`](Self::download), which returns them as bytes.
    pub async fn execute(&self, request: EncodedRequest) -> Result<RawResponse, Error> {
        let signed_body = signed_body_for_path(&request.path);
        if signed_body == SignedBody::Unsigned {
            return Err(Error::InvalidRequest(format!(
                "/{} is a file download WeChat Pay does not sign; use Client::download",
                request.path
            )));
        }
        if let Some(auto) = &self.inner.auto_refresh {
            auto.maybe_refresh(self, false).await;
        }
        let (status, headers, body) = self.fetch(&request).await?;
        let result = self
            .check_response(status, &headers, &body, signed_body)
            .await;
        match (&result, &self.inner.auto_refresh) {
            (
                Err(Error::Verification {
                    source: VerifyError::UnknownSerial(_),
                    ..
                }),
                Some(auto),
            ) => {
                // WeChat may have rotated its certificate: fetch the new ones
                // (rate-limited) and check the same response again, unsent.
                auto.maybe_refresh(self, true).await;
                self.check_response(status, &headers, &body, signed_body)
                    .await
            }
            _ => result,
        }
    }

    /// Signs and sends a request; returns status, headers and the body read up
    /// to the size limit. Nothing is verified yet.
    pub(crate) async fn fetch(
        &self,
        request: &EncodedRequest,
    ) -> Result<(u16, HeaderMap, Bytes), Error> {
        self.fetch_wire(request, None).await
    }

    /// [`fetch`](Self::fetch) with another wire body than the signed one (uploads).
    pub(crate) async fn fetch_wire(
        &self,
        request: &EncodedRequest,
        wire: Option<(String, Vec<u8>)>,
    ) -> Result<(u16, HeaderMap, Bytes), Error> {
        let response = self.dispatch_wire(request, wire).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = read_capped(response, self.inner.max_response_bytes).await?;
        Ok((status, headers, body))
    }

    pub(crate) fn auto_refresh(&self) -> Option<&AutoRefresh> {
        self.inner.auto_refresh.as_ref()
    }

    /// Downloads a file WeChat Pay serves unsigned (bills, images, transfer
    /// receipts, e-invoice files), e.g. the `download_url` of a bill.
    ///
    /// The request is signed and always sent to this client's base URL (only
    /// the path and query of `url` are used, so a URL naming another host can
    /// never receive the signature). The body is *not* verified: WeChat does
    /// not sign it, so check it against the hash its (verified) metadata gave.
    /// A path that WeChat does sign is verified as usual.
    pub async fn download(&self, url: &str) -> Result<Download, Error> {
        let (path, query) = split_download_url(url)?;
        let request = EncodedRequest {
            method: Method::Get,
            path,
            query,
            headers: Vec::new(),
            body: None,
        };
        let signed_body = signed_body_for_path(&request.path);
        let response = self.dispatch(&request).await?;
        let status = response.status().as_u16();
        if signed_body == SignedBody::Unsigned && (200..300).contains(&status) {
            return Ok(Download {
                inner: DownloadInner::Streaming(response),
            });
        }
        let headers = response.headers().clone();
        let body = read_capped(response, self.inner.max_response_bytes).await?;
        let checked = if signed_body == SignedBody::Unsigned {
            SignedBody::Raw
        } else {
            signed_body
        };
        let raw = self
            .check_response(status, &headers, &body, checked)
            .await?;
        Ok(Download {
            inner: DownloadInner::Buffered(Some(raw.body)),
        })
    }

    async fn dispatch(&self, request: &EncodedRequest) -> Result<reqwest::Response, Error> {
        self.dispatch_wire(request, None).await
    }

    /// Sends `request`, signing `request.body`; `wire` replaces what goes on
    /// the wire (a multipart upload, whose signed body is only its `meta` part).
    pub(crate) async fn dispatch_wire(
        &self,
        request: &EncodedRequest,
        wire: Option<(String, Vec<u8>)>,
    ) -> Result<reqwest::Response, Error> {
        let inner = &*self.inner;
        let mut url = inner
            .base
            .join(&request.path)
            .map_err(|e| Error::InvalidRequest(format!("bad path {:?}: {e}", request.path)))?;
        if !request.query.is_empty() {
            url.set_query(Some(&request.query));
        }
        // Sign exactly the target that goes on the wire, as the URL parser left it.
        let target = match url.query() {
            Some(q) => format!("{}?{}", url.path(), q),
            None => url.path().to_owned(),
        };
        let body: &[u8] = request.body.as_deref().unwrap_or_default();
        let nonce = random_alphanumeric(32)?;
        let authorization = authorize(
            &*inner.signer,
            &inner.mchid,
            &inner.serial_no,
            SignInput {
                method: request.method.as_str(),
                target: &target,
                timestamp: unix_now(),
                nonce: &nonce,
                body,
            },
        )
        .await?;

        let mut builder = inner
            .http
            .request(request.method.to_http(), url)
            .header(http::header::AUTHORIZATION, authorization.to_string())
            .header(http::header::ACCEPT, "application/json");
        for (name, value) in &request.headers {
            let name = http::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::InvalidRequest(format!("invalid header name {name:?}")))?;
            let value = http::HeaderValue::from_str(value)
                .map_err(|_| Error::InvalidRequest(format!("invalid value for header {name}")))?;
            builder = builder.header(name, value);
        }
        match (wire, &request.body) {
            (Some((content_type, bytes)), _) => {
                builder = builder
                    .header(http::header::CONTENT_TYPE, content_type)
                    .body(bytes);
            }
            (None, Some(body)) => {
                builder = builder
                    .header(http::header::CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            (None, None) => {}
        }
        tracing::debug!(method = %request.method, target = %target, "wxpay request");
        builder.send().await.map_err(transport_error)
    }

    pub(crate) async fn check_response(
        &self,
        status: u16,
        headers: &HeaderMap,
        body: &Bytes,
        signed_body: SignedBody,
    ) -> Result<RawResponse, Error> {
        let request_id = request_id(headers).map(str::to_owned);
        tracing::debug!(
            status,
            request_id = request_id.as_deref().unwrap_or(""),
            "wxpay response"
        );
        let verification_error = |source| Error::Verification {
            source,
            request_id: request_id.clone(),
        };
        match status {
            200..=299 => {
                self.verify(headers, body, signed_body)
                    .await
                    .map_err(verification_error)?;
                Ok(RawResponse {
                    status,
                    headers: headers.clone(),
                    body: body.clone(),
                })
            }
            400..=599 => {
                let signature_verified = has_signature_headers(headers);
                if signature_verified {
                    self.verify(headers, body, SignedBody::Raw)
                        .await
                        .map_err(verification_error)?;
                }
                Err(api_error(status, body, request_id, signature_verified))
            }
            _ => Err(Error::UnexpectedStatus { status, request_id }),
        }
    }

    async fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        signed_body: SignedBody,
    ) -> Result<(), VerifyError> {
        let verifier = &*self.inner.verifier;
        match signed_body {
            SignedBody::Raw => verify::verify(verifier, headers, body, unix_now()).await,
            SignedBody::Unsigned => Ok(()),
            SignedBody::StatementSha1 => {
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
                verify::verify(verifier, headers, signed.as_bytes(), unix_now()).await?;
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

fn request_id(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(headers::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
}

fn excerpt(body: &[u8]) -> String {
    let cut = body.len().min(EXCERPT_BYTES);
    String::from_utf8_lossy(&body[..cut]).into_owned()
}

fn api_error(
    status: u16,
    body: &[u8],
    request_id: Option<String>,
    signature_verified: bool,
) -> Error {
    #[derive(serde::Deserialize)]
    struct Body {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
        #[serde(default)]
        detail: Option<serde_json::Value>,
    }
    let parsed: Option<Body> = serde_json::from_slice(body).ok();
    let (code, message, detail) = match parsed {
        Some(b) => (b.code, b.message, b.detail),
        None => (String::new(), excerpt(body), None),
    };
    Error::Api(Box::new(ApiError {
        status,
        code,
        message,
        detail,
        request_id,
        signature_verified,
    }))
}

fn transport_error(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout
    } else {
        Error::Transport(Box::new(e))
    }
}

async fn read_capped(mut response: reqwest::Response, limit: usize) -> Result<Bytes, Error> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(Error::ResponseTooLarge { limit });
    }
    let mut buf = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
        if buf.len() + chunk.len() > limit {
            return Err(Error::ResponseTooLarge { limit });
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buf))
}

fn split_download_url(url: &str) -> Result<(String, String), Error> {
    let after_host = if let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    {
        rest.find('/').map(|i| &rest[i..]).unwrap_or("/")
    } else {
        url
    };
    let (path, query) = after_host.split_once('?').unwrap_or((after_host, ""));
    let path = path.trim_start_matches('/');
    if path.is_empty() || path.split('/').any(|s| s == "." || s == "..") {
        return Err(Error::InvalidRequest(format!(
            "download URL {url:?} has no usable path"
        )));
    }
    Ok((
        path.to_owned(),
        query.split('#').next().unwrap_or("").to_owned(),
    ))
}

/// A file download: streamed when WeChat does not sign it, so large bills are
/// never held in memory whole.
pub struct Download {
    inner: DownloadInner,
}

enum DownloadInner {
    Streaming(reqwest::Response),
    Buffered(Option<Bytes>),
}

impl Download {
    /// The next chunk of the body, or `None` at the end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        match &mut self.inner {
            DownloadInner::Streaming(r) => r.chunk().await.map_err(transport_error),
            DownloadInner::Buffered(b) => Ok(b.take()),
        }
    }

    /// Reads the rest of the body, refusing more than `limit` bytes.
    pub async fn bytes(mut self, limit: usize) -> Result<Bytes, Error> {
        let mut buf = Vec::new();
        while let Some(chunk) = self.chunk().await? {
            if buf.len() + chunk.len() > limit {
                return Err(Error::ResponseTooLarge { limit });
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(buf))
    }
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download").finish_non_exhaustive()
    }
}

/// An untyped call built with [`Client::request`].
#[must_use = "a request does nothing until `send` is awaited"]
pub struct DynamicRequest<'c> {
    client: &'c Client,
    method: Method,
    template: String,
    params: Vec<(String, String)>,
    query: QueryBuilder,
    headers: Vec<(Cow<'static, str>, String)>,
    body: Option<Vec<u8>>,
    error: Option<Error>,
}

impl DynamicRequest<'_> {
    /// Binds path parameter `{name}` (kept exactly, percent-encoded as one segment).
    pub fn path_param(mut self, name: &str, value: impl Into<String>) -> Self {
        self.params.push((name.to_owned(), value.into()));
        self
    }

    /// Adds the fields of `query` (a struct or map) to the query string.
    pub fn query<T: Serialize + ?Sized>(mut self, query: &T) -> Self {
        if let Err(e) = self.query.serialize(query) {
            self.error.get_or_insert(e);
        }
        self
    }

    /// Adds one query pair.
    pub fn query_pair(mut self, name: &str, value: &str) -> Self {
        self.query.pair(name, value);
        self
    }

    /// Adds a request header (e.g. `Wechatpay-Serial`).
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers
            .push((Cow::Owned(name.to_owned()), value.into()));
        self
    }

    /// Sets the JSON body.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match json_body(body) {
            Ok(bytes) => self.body = Some(bytes),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// Sends and decodes the verified response into `T` (`serde_json::Value` works).
    pub async fn send<T: DeserializeOwned>(self) -> Result<T, Error> {
        let client = self.client;
        client.execute(self.encode()?).await?.json()
    }

    /// Encodes the request without sending it.
    pub fn encode(self) -> Result<EncodedRequest, Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let path = expand_template(&self.template, &self.params)?;
        Ok(EncodedRequest {
            method: self.method,
            path,
            query: self.query.finish(),
            headers: self.headers,
            body: self.body,
        })
    }
}

/// Expands `{name}` (or `<name>`) placeholders; every placeholder needs a value
/// and every value a placeholder.
fn expand_template(template: &str, params: &[(String, String)]) -> Result<String, Error> {
    let template = template.trim_start_matches('/');
    let mut path = PathBuilder::new();
    let mut used = vec![false; params.len()];
    let mut rest = template;
    while let Some(open) = rest.find(['{', '<']) {
        let close_char = if rest.as_bytes()[open] == b'{' {
            '}'
        } else {
            '>'
        };
        path.literal(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find(close_char).ok_or_else(|| {
            Error::InvalidRequest(format!("unbalanced placeholder in template {template:?}"))
        })?;
        let name = &after[..close];
        let index = params.iter().position(|(n, _)| n == name).ok_or_else(|| {
            Error::InvalidRequest(format!(
                "no value for path parameter `{name}` of {template:?}; add .path_param(\"{name}\", ...)"
            ))
        })?;
        used[index] = true;
        path.param(name, params[index].1.as_str())?;
        rest = &after[close + 1..];
    }
    path.literal(rest);
    if let Some(i) = used.iter().position(|u| !u) {
        return Err(Error::InvalidRequest(format!(
            "path parameter `{}` does not appear in {template:?}",
            params[i].0
        )));
    }
    Ok(path.finish())
}

/// Configures a [`Client`].
#[must_use]
pub struct ClientBuilder {
    mchid: Option<String>,
    serial_no: Option<String>,
    signer: Option<Arc<dyn Signer>>,
    private_key: Option<PrivateKey>,
    keyring: Keyring,
    keyring_set: bool,
    verifier: Option<Arc<dyn Verifier>>,
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: Option<String>,
    max_response_bytes: usize,
    auto_certificates: Option<ApiV3Key>,
    refresh_interval: Duration,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            mchid: None,
            serial_no: None,
            signer: None,
            private_key: None,
            keyring: Keyring::new(),
            keyring_set: false,
            verifier: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            auto_certificates: None,
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("mchid", &self.mchid)
            .field("serial_no", &self.serial_no)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The merchant id (商户号).
    pub fn mchid(mut self, mchid: impl Into<String>) -> Self {
        self.mchid = Some(mchid.into());
        self
    }

    /// The serial number of the merchant API certificate (商户API证书序列号).
    pub fn merchant_serial(mut self, serial_no: impl Into<String>) -> Self {
        self.serial_no = Some(serial_no.into());
        self
    }

    /// Signs with this merchant API private key.
    pub fn private_key(mut self, key: PrivateKey) -> Self {
        self.signer = Some(Arc::new(key.clone()));
        self.private_key = Some(key);
        self
    }

    /// Signs with a custom [`Signer`] (remote signing service, HSM).
    pub fn signer(mut self, signer: impl Signer + 'static) -> Self {
        self.signer = Some(Arc::new(signer));
        self.private_key = None;
        self
    }

    /// Trusts a WeChat Pay platform certificate.
    pub fn platform_certificate(mut self, certificate: Certificate) -> Self {
        self.keyring.add_certificate(certificate);
        self.keyring_set = true;
        self
    }

    /// Trusts a WeChat Pay public key with its id (`PUB_KEY_ID_...`).
    pub fn wechatpay_public_key(mut self, id: &str, key: PublicKey) -> Result<Self, Error> {
        self.keyring.add_public_key(id, key)?;
        self.keyring_set = true;
        Ok(self)
    }

    /// Uses (and shares) this keyring of trusted keys.
    pub fn keyring(mut self, keyring: Keyring) -> Self {
        self.keyring = keyring;
        self.keyring_set = true;
        self
    }

    /// Manages platform certificates: downloads `v3/certificates` before the
    /// first request, again every refresh interval (default 12 h) and when a
    /// response names an unknown serial (at most once a minute), decrypting
    /// them with this APIv3 key. A failed refresh keeps the trusted keys
    /// ([`Client::last_certificate_refresh_error`] says why). Works alongside a
    /// configured WeChat Pay public key.
    pub fn auto_certificates(mut self, apiv3_key: ApiV3Key) -> Self {
        self.auto_certificates = Some(apiv3_key);
        self.keyring_set = true;
        self
    }

    /// How often managed certificates are refreshed (default 12 hours).
    pub fn certificate_refresh_interval(mut self, interval: Duration) -> Self {
        self.refresh_interval = interval;
        self
    }

    /// Verifies responses with a custom [`Verifier`] instead of the keyring.
    pub fn verifier(mut self, verifier: impl Verifier + 'static) -> Self {
        self.verifier = Some(Arc::new(verifier));
        self
    }

    /// The base URL (default [`DEFAULT_BASE_URL`]); point it at the sandbox in tests.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Total time allowed for one request (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed to connect (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Replaces the `User-Agent` (default names the SDK, its version and the platform).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The largest response body read into memory (default 16 MiB).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let mchid = self
            .mchid
            .filter(|m| !m.is_empty())
            .ok_or_else(|| Error::Config("mchid is not set".into()))?;
        if !mchid.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::Config(format!(
                "mchid {mchid:?} must be ASCII letters and digits"
            )));
        }
        let serial_no = self
            .serial_no
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Error::Config("merchant certificate serial (merchant_serial) is not set".into())
            })?
            .to_ascii_uppercase();
        if !serial_no.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::Config(format!(
                "merchant certificate serial {serial_no:?} must be hexadecimal"
            )));
        }
        let signer = self.signer.ok_or_else(|| {
            Error::Config("no merchant private key: call private_key(...) or signer(...)".into())
        })?;
        let verifier: Arc<dyn Verifier> = match self.verifier {
            Some(v) => v,
            None if self.keyring_set => Arc::new(self.keyring.clone()),
            None => {
                return Err(Error::Config(
                    "no WeChat Pay verification key: add platform_certificate(...), wechatpay_public_key(...), keyring(...) or verifier(...)".into(),
                ))
            }
        };
        let mut base_url = self.base_url;
        if !base_url.ends_with('/') {
            base_url.push('/');
        }
        let base = reqwest::Url::parse(&base_url)
            .map_err(|e| Error::Config(format!("base URL {base_url:?}: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.query().is_some() {
            return Err(Error::Config(format!(
                "base URL {base_url:?} must be http(s) without a query"
            )));
        }
        let user_agent = self.user_agent.unwrap_or_else(|| {
            format!(
                "wxpay-rust/{} ({} {}; {})",
                env!("CARGO_PKG_VERSION"),
                std::env::consts::OS,
                std::env::consts::ARCH,
                crate::crypto::BACKEND
            )
        });
        let http = reqwest::Client::builder()
            .user_agent(user_agent)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            // A redirect would send a signed request to a target it was not signed for.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                mchid,
                serial_no,
                signer,
                verifier,
                keyring: self.keyring,
                max_response_bytes: self.max_response_bytes,
                auto_refresh: self
                    .auto_certificates
                    .map(|key| AutoRefresh::new(key, self.refresh_interval)),
                private_key: self.private_key,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_expand_with_encoding_and_strictness() {
        let p = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        assert_eq!(
            expand_template(
                "v3/ecommerce/refunds/{refund_id}/return-advance",
                &p(&[("refund_id", "50/00?x")])
            )
            .unwrap(),
            "v3/ecommerce/refunds/50%2F00%3Fx/return-advance"
        );
        assert_eq!(
            expand_template(
                "/v3/x/<openid>",
                &p(&[("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")])
            )
            .unwrap(),
            "v3/x/oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
        );
        assert!(expand_template("v3/x/{a}", &[])
            .unwrap_err()
            .to_string()
            .contains("`a`"));
        assert!(expand_template("v3/x", &p(&[("a", "1")]))
            .unwrap_err()
            .to_string()
            .contains("`a`"));
        assert!(expand_template("v3/x/{a", &p(&[("a", "1")])).is_err());
    }

    #[test]
    fn download_urls_keep_only_path_and_query() {
        assert_eq!(
            split_download_url("https://api.mch.weixin.qq.com/v3/billdownload/file?token=abc#x")
                .unwrap(),
            ("v3/billdownload/file".to_string(), "token=abc".to_string())
        );
        assert_eq!(
            split_download_url("https://evil.example/v3/billdownload/file?token=1")
                .unwrap()
                .0,
            "v3/billdownload/file"
        );
        assert!(split_download_url("https://h/").is_err());
        assert!(split_download_url("/v3/../x").is_err());
    }
}
