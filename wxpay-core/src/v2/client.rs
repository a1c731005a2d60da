//! The APIv2 client: XML requests signed with the APIv2 key, answers checked
//! (`return_code`, `sign`, `result_code`), the merchant API certificate
//! presented for mutual TLS.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tracing::Instrument;

use super::error::V2Error;
use super::notify::{check_result_code, check_return_code};
use super::operation::{FromV2Response, V2Operation};
use super::sign::{sign, verify, ApiV2Key, SignType};
use super::xml::{from_xml, to_xml, valid_name};
use crate::client::response::read_capped;
use crate::client::retry::{send_with_retries, Retryable, TransportFailure};
use crate::client::target::check_path;
use crate::client::RetryPolicy;
use crate::client::{BACKUP_BASE_URL, DEFAULT_BASE_URL};
use crate::crypto::random_alphanumeric;
use crate::error::Error;
use crate::request::Method;

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// Operations WeChat answers without a `sign` (after the official PHP SDK's
/// list): bills are raw data, the others plain XML. An XML answer from them
/// still has its `return_code`/`result_code` checked.
const UNSIGNED: &[&str] = &[
    "mchrisk/querymchrisk",
    "mchrisk/setmchriskcallback",
    "mchrisk/syncmchriskresult",
    "mmpaymkttransfers/gethbinfo",
    "mmpaymkttransfers/gettransferinfo",
    "mmpaymkttransfers/pay_bank",
    "mmpaysptrans/pay_bank",
    "mmpaymkttransfers/promotion/paywwsptrans2pocket",
    "mmpaymkttransfers/promotion/querywwsptrans2pocket",
    "mmpaymkttransfers/promotion/transfers",
    "mmpaymkttransfers/query_bank",
    "mmpaysptrans/query_bank",
    "mmpaymkttransfers/sendgroupredpack",
    "mmpaymkttransfers/sendminiprogramhb",
    "mmpaymkttransfers/sendredpack",
    "papay/entrustweb",
    "papay/h5entrustweb",
    "papay/partner/entrustweb",
    "papay/partner/h5entrustweb",
    "pay/downloadbill",
    "pay/downloadfundflow",
    "payitil/report",
    "risk/getpublickey",
    "risk/getviolation",
    "sandboxnew/pay/downloadbill",
    "sandboxnew/pay/getsignkey",
    "secapi/mch/submchmanage",
    "xdc/apiv2getsignkey/sign/getsignkey",
];

/// Whether WeChat answers `path` (with the catalog's `v2/` prefix or without) unsigned.
///
/// ```
/// assert!(wxpay_core::v2::answers_unsigned("v2/pay/downloadbill"));
/// assert!(!wxpay_core::v2::answers_unsigned("pay/orderquery"));
/// ```
pub fn answers_unsigned(path: &str) -> bool {
    UNSIGNED.contains(&normalize(path))
}

/// Operations outside `secapi/` that need the merchant API certificate.
const CERTIFICATE: &[&str] = &[
    "deposit/refund",
    "deposit/reverse",
    "mmpaymkttransfers/gethbinfo",
    "mmpaymkttransfers/gettransferinfo",
    "mmpaymkttransfers/promotion/paywwsptrans2pocket",
    "mmpaymkttransfers/promotion/querywwsptrans2pocket",
    "mmpaymkttransfers/promotion/transfers",
    "mmpaymkttransfers/queryworkwxredpack",
    "mmpaymkttransfers/send_coupon",
    "mmpaymkttransfers/sendgroupredpack",
    "mmpaymkttransfers/sendminiprogramhb",
    "mmpaymkttransfers/sendredpack",
    "mmpaymkttransfers/sendworkwxredpack",
    "mmpaysptrans/pay_bank",
    "mmpaysptrans/query_bank",
    "pay/downloadfundflow",
    "risk/getpublickey",
];

/// Whether `path` needs the merchant API certificate (mutual TLS): every
/// `secapi/` operation (refund, reverse, profit sharing ...), red packets,
/// transfers, coupon sending, bank payments, the bill of funds, the RSA
/// public key, deposit refunds and reversals. A client without a certificate
/// refuses these before sending ([`V2Error::CertificateRequired`]).
///
/// ```
/// use wxpay_core::v2::needs_certificate;
/// assert!(needs_certificate("v2/secapi/pay/refund"));
/// assert!(needs_certificate("mmpaymkttransfers/promotion/transfers"));
/// assert!(!needs_certificate("pay/micropay"));
/// ```
pub fn needs_certificate(path: &str) -> bool {
    let path = normalize(path);
    path.starts_with("secapi/") || CERTIFICATE.contains(&path)
}

/// `v2/pay/micropay` (the catalog's spelling) and `/pay/micropay` are `pay/micropay`.
fn normalize(path: &str) -> &str {
    let path = path.trim_start_matches('/');
    path.strip_prefix("v2/").unwrap_or(path)
}

/// A WeChat Pay APIv2 client for one merchant: `Clone + Send + Sync`, one
/// connection pool, the merchant API certificate presented when configured.
///
/// ```no_run
/// use wxpay_core::v2::{ApiV2Key, V2Client};
///
/// # async fn run() -> Result<(), wxpay_core::Error> {
/// let client = V2Client::builder()
///     .mchid("1900000100")
///     .key(ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?)
///     .merchant_certificate_pem(
///         &std::fs::read("apiclient_cert.pem").unwrap(),
///         &std::fs::read("apiclient_key.pem").unwrap(),
///     )?
///     .build()?;
/// let answer = client
///     .call("pay/orderquery")
///     .param("appid", "wxd678efh567hg6787")
///     .param("out_trade_no", "1217752501201407033233368018")
///     .send()
///     .await?;
/// println!("{:?}", answer.get("trade_state"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct V2Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// In failover order.
    bases: Vec<reqwest::Url>,
    retry: RetryPolicy,
    mchid: String,
    key: ApiV2Key,
    sign_type: SignType,
    has_certificate: bool,
    max_response_bytes: usize,
    timeout: Duration,
}

impl fmt::Debug for V2Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V2Client")
            .field("mchid", &self.inner.mchid)
            .field(
                "base_urls",
                &self
                    .inner
                    .bases
                    .iter()
                    .map(|b| b.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("sign_type", &self.inner.sign_type)
            .field("has_certificate", &self.inner.has_certificate)
            .finish_non_exhaustive()
    }
}

/// Configures a [`V2Client`].
#[must_use]
pub struct V2ClientBuilder {
    mchid: Option<String>,
    key: Option<ApiV2Key>,
    sign_type: SignType,
    base_urls: Vec<String>,
    retry: RetryPolicy,
    identity: Option<reqwest::Identity>,
    roots: Vec<reqwest::Certificate>,
    timeout: Duration,
    max_response_bytes: usize,
}

impl fmt::Debug for V2ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V2ClientBuilder")
            .field("mchid", &self.mchid)
            .field("base_urls", &self.base_urls)
            .field("sign_type", &self.sign_type)
            .field("has_certificate", &self.identity.is_some())
            .finish_non_exhaustive()
    }
}

impl V2Client {
    /// Starts configuring a client.
    pub fn builder() -> V2ClientBuilder {
        V2ClientBuilder {
            mchid: None,
            key: None,
            sign_type: SignType::default(),
            base_urls: vec![DEFAULT_BASE_URL.to_owned(), BACKUP_BASE_URL.to_owned()],
            retry: RetryPolicy::default(),
            identity: None,
            roots: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// The merchant id.
    pub fn mchid(&self) -> &str {
        &self.inner.mchid
    }

    /// Starts an untyped call of the operation at `path`, e.g.
    /// `pay/micropay` (the catalog's `v2/pay/micropay` is accepted too).
    /// `mch_id`, `nonce_str`, `sign_type` (for HMAC-SHA256) and `sign` are
    /// added unless given (`mch_id` also not when `mchid` is given, as
    /// transfers name it).
    pub fn call(&self, path: &str) -> V2Request<'_> {
        V2Request {
            client: self,
            path: normalize(path).to_owned(),
            fields: BTreeMap::new(),
            error: None,
            idempotent: false,
        }
    }

    /// Sends a typed operation (declared with `#[wxpay_api(v2, ...)]`) and
    /// decodes its answer. The same path to the wire as [`call`](Self::call):
    /// the operation's fields become a [`V2Request`], signed, sent and checked
    /// alike; only the decoding of the answer is the operation's.
    ///
    /// ```no_run
    /// use std::collections::BTreeMap;
    /// use wxpay_core::v2::{V2Client, V2Operation, V2Response};
    ///
    /// struct CloseOrder<'a> { appid: &'a str, out_trade_no: &'a str }
    ///
    /// impl V2Operation for CloseOrder<'_> {
    ///     const PATH: &'static str = "v2/pay/closeorder";
    ///     type Response = V2Response;
    ///     fn fields(&self) -> Result<BTreeMap<String, String>, wxpay_core::Error> {
    ///         Ok(BTreeMap::from([
    ///             ("appid".to_owned(), self.appid.to_owned()),
    ///             ("out_trade_no".to_owned(), self.out_trade_no.to_owned()),
    ///         ]))
    ///     }
    /// }
    ///
    /// # async fn run(client: V2Client) -> Result<(), wxpay_core::Error> {
    /// let answer = client.send(&CloseOrder { appid: "wx1", out_trade_no: "T1" }).await?;
    /// # let _ = answer; Ok(()) }
    /// ```
    pub async fn send<O: V2Operation + ?Sized>(&self, operation: &O) -> Result<O::Response, Error> {
        self.send_typed(operation, false).await
    }

    /// [`send`](Self::send), also trying again after a timeout, a broken
    /// connection or a 5xx/429 answer (see [`V2ClientBuilder::retry`]): for
    /// queries and bills, and operations WeChat Pay performs once per
    /// merchant number.
    pub async fn send_idempotent<O: V2Operation + ?Sized>(
        &self,
        operation: &O,
    ) -> Result<O::Response, Error> {
        self.send_typed(operation, true).await
    }

    async fn send_typed<O: V2Operation + ?Sized>(
        &self,
        operation: &O,
        idempotent: bool,
    ) -> Result<O::Response, Error> {
        let mut request = self.call(O::PATH);
        request.idempotent = idempotent;
        for (name, value) in operation.fields()? {
            request = request.param(name, value);
        }
        if let Some(sign_type) = O::SIGN_TYPE {
            request = request.param("sign_type", sign_type.as_str());
        }
        O::Response::from_v2_response(request.send().await?)
    }
}

impl V2ClientBuilder {
    /// The merchant id (`mch_id`).
    pub fn mchid(mut self, mchid: impl Into<String>) -> Self {
        self.mchid = Some(mchid.into());
        self
    }

    /// The APIv2 key requests are signed and answers verified with.
    pub fn key(mut self, key: ApiV2Key) -> Self {
        self.key = Some(key);
        self
    }

    /// How requests are signed (default MD5).
    pub fn sign_type(mut self, sign_type: SignType) -> Self {
        self.sign_type = sign_type;
        self
    }

    /// One base URL, no failover; the sandbox's in tests. The default is
    /// WeChat Pay's primary host with its backup host ([`DEFAULT_BASE_URL`],
    /// then [`BACKUP_BASE_URL`]), as for APIv3.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_urls = vec![url.into()];
        self
    }

    /// Base URLs in failover order: a call that cannot connect (nothing was
    /// sent), or an idempotent one answered 5xx, is tried on the next one,
    /// signed afresh.
    pub fn base_urls<I, S>(mut self, urls: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.base_urls = urls.into_iter().map(Into::into).collect();
        self
    }

    /// When and how often calls are tried again (default
    /// [`RetryPolicy::default`], the same rules as APIv3): a call that could
    /// not connect is always tried again; a timeout, a broken connection or a
    /// 5xx/429 answer only for calls marked idempotent
    /// ([`V2Request::idempotent`], [`V2Client::send_idempotent`]), since
    /// every APIv2 call is a `POST` WeChat Pay may have acted on.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The merchant API certificate and its private key, PEM
    /// (`apiclient_cert.pem`, `apiclient_key.pem`), presented in the TLS
    /// handshake (mutual TLS), which certificate operations need. WeChat's
    /// `apiclient_cert.p12` is read directly by
    /// [`merchant_certificate_pkcs12`](Self::merchant_certificate_pkcs12).
    pub fn merchant_certificate_pem(self, cert: &[u8], key: &[u8]) -> Result<Self, Error> {
        let mut pem = zeroize::Zeroizing::new(Vec::with_capacity(cert.len() + key.len() + 1));
        pem.extend_from_slice(cert);
        pem.push(b'\n');
        pem.extend_from_slice(key);
        self.identity_pem(&pem)
    }

    /// The merchant API certificate and its private key from a PKCS#12 file
    /// (DER), as WeChat Pay hands it out: `apiclient_cert.p12`, whose
    /// password is the merchant id. Presented in the TLS handshake like
    /// [`merchant_certificate_pem`](Self::merchant_certificate_pem)'s.
    ///
    /// The file's MAC is checked first (HMAC-SHA1 or HMAC-SHA256); its
    /// content may be encrypted with pbeWithSHAAnd3-KeyTripleDES-CBC or
    /// pbeWithSHAAnd40BitRC2-CBC (WeChat's files, `openssl pkcs12 -legacy`)
    /// or PBES2 with PBKDF2 and AES-CBC (OpenSSL 3's default). The key's
    /// certificate is found by its `localKeyId`; other certificates in the
    /// file follow it as the chain. A file without a MAC, with an iteration
    /// count over 1,000,000 (or 8,000,000 over the whole file), larger than
    /// 256 KiB, in BER rather than DER or otherwise unreadable is refused with [`V2Error::Pkcs12`] (its source, a
    /// [`Pkcs12Error`](super::Pkcs12Error), says why: a wrong password is
    /// [`MacMismatch`](super::Pkcs12Error::MacMismatch)).
    ///
    /// ```no_run
    /// use wxpay_core::v2::{ApiV2Key, V2Client};
    ///
    /// # fn run() -> Result<(), wxpay_core::Error> {
    /// let client = V2Client::builder()
    ///     .mchid("1900000100")
    ///     .key(ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?)
    ///     .merchant_certificate_pkcs12(&std::fs::read("apiclient_cert.p12").unwrap(), "1900000100")?
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn merchant_certificate_pkcs12(self, der: &[u8], password: &str) -> Result<Self, Error> {
        let identity = super::pkcs12::read(der, password, super::pkcs12::Mac::Verify)
            .map_err(V2Error::Pkcs12)?;
        let pem = identity.to_pem().map_err(V2Error::Pkcs12)?;
        self.identity_pem(&pem)
    }

    /// The one way an identity is loaded: certificates then the key, PEM.
    fn identity_pem(mut self, pem: &[u8]) -> Result<Self, Error> {
        let identity = reqwest::Identity::from_pem(pem)
            .map_err(|e| Error::Config(format!("merchant API certificate: {e}")))?;
        self.identity = Some(identity);
        Ok(self)
    }

    /// Trusts only this PEM certificate as the server's root (a sandbox's
    /// self-signed certificate); the default trusts the platform's roots.
    pub fn tls_root_certificate_pem(mut self, pem: &[u8]) -> Result<Self, Error> {
        let cert = reqwest::Certificate::from_pem(pem)
            .map_err(|e| Error::Config(format!("TLS root certificate: {e}")))?;
        self.roots.push(cert);
        Ok(self)
    }

    /// Total time allowed for one call (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest answer read into memory (default 16 MiB).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<V2Client, Error> {
        let mchid = self
            .mchid
            .filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_alphanumeric()))
            .ok_or_else(|| {
                Error::Config("mchid is not set or not ASCII letters and digits".into())
            })?;
        let key = self
            .key
            .ok_or_else(|| Error::Config("no APIv2 key: call key(ApiV2Key::new(...)?)".into()))?;
        if self.base_urls.is_empty() {
            return Err(Error::Config("no base URL".into()));
        }
        let bases = self
            .base_urls
            .iter()
            .map(|url| {
                let mut text = url.clone();
                if !text.ends_with('/') {
                    text.push('/');
                }
                reqwest::Url::parse(&text)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https") && u.query().is_none())
                    .ok_or_else(|| Error::Config(format!("base URL {url:?} is not an http(s) URL")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut http = reqwest::Client::builder()
            .user_agent(format!("wxpay-rust/{} (APIv2)", env!("CARGO_PKG_VERSION")))
            // A redirect would send the signed fields somewhere else.
            .redirect(reqwest::redirect::Policy::none());
        if bases.iter().all(crate::client::is_loopback) {
            http = http.no_proxy();
        }
        if !self.roots.is_empty() {
            http = http.tls_certs_only(self.roots);
        }
        let has_certificate = self.identity.is_some();
        if let Some(identity) = self.identity {
            http = http.identity(identity);
        }
        let http = http
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
        Ok(V2Client {
            inner: Arc::new(Inner {
                http,
                bases,
                retry: self.retry,
                mchid,
                key,
                sign_type: self.sign_type,
                has_certificate,
                max_response_bytes: self.max_response_bytes,
                timeout: self.timeout,
            }),
        })
    }
}

/// One untyped APIv2 call being built; see [`V2Client::call`].
#[derive(Debug)]
#[must_use]
pub struct V2Request<'c> {
    client: &'c V2Client,
    path: String,
    fields: BTreeMap<String, String>,
    error: Option<V2Error>,
    idempotent: bool,
}

impl V2Request<'_> {
    /// Marks the call safe to send again after a timeout, a broken
    /// connection or a 5xx/429 answer (see [`V2ClientBuilder::retry`]): for
    /// queries (`pay/orderquery`, `pay/refundquery` ...) and bills, and for
    /// calls WeChat Pay performs once per merchant number. A call that could
    /// not connect is tried again either way.
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// Sets one field (an empty value is sent but, as WeChat does, not signed).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        if !valid_name(&name) {
            self.error.get_or_insert(V2Error::InvalidParam(name));
            return self;
        }
        self.fields.insert(name, value.into());
        self
    }

    /// The XML body as it would be sent (signed), e.g. to log a redacted copy
    /// or to send it another way.
    pub fn to_xml(&self) -> Result<String, Error> {
        Ok(to_xml(&self.signed_fields()?))
    }

    fn signed_fields(&self) -> Result<BTreeMap<String, String>, Error> {
        if let Some(e) = &self.error {
            return Err(e.clone().into());
        }
        let inner = &*self.client.inner;
        let mut fields = self.fields.clone();
        fields.remove("sign");
        // Transfers (企业付款) name the merchant `mchid`: no second `mch_id` then.
        if !fields.contains_key("mchid") {
            fields
                .entry("mch_id".to_owned())
                .or_insert_with(|| inner.mchid.clone());
        }
        if !fields.contains_key("nonce_str") {
            fields.insert("nonce_str".to_owned(), random_alphanumeric(32)?);
        }
        let sign_type = match fields.get("sign_type").map(String::as_str) {
            Some("HMAC-SHA256") => SignType::HmacSha256,
            Some("MD5") => SignType::Md5,
            Some(other) => {
                return Err(Error::InvalidRequest(format!(
                    "sign_type {other:?} is neither MD5 nor HMAC-SHA256"
                )))
            }
            None => {
                if inner.sign_type == SignType::HmacSha256 {
                    fields.insert("sign_type".to_owned(), "HMAC-SHA256".to_owned());
                }
                inner.sign_type
            }
        };
        let sign = sign(&fields, &inner.key, sign_type);
        fields.insert("sign".to_owned(), sign);
        Ok(fields)
    }

    /// Signs and sends the call, then checks the answer: `return_code`
    /// ([`V2Error::Communication`]), the `sign` (except on operations WeChat
    /// answers unsigned; a bad one is [`Error::Verification`]), then
    /// `result_code` ([`V2Error::Business`]).
    pub async fn send(self) -> Result<V2Response, Error> {
        let span = tracing::info_span!(
            "wxpay.v2.request",
            path = self.path.as_str(),
            mchid = self.client.inner.mchid.as_str(),
            attempt = tracing::field::Empty,
            code = tracing::field::Empty,
        );
        let result = self.exchange().instrument(span.clone()).await;
        match &result {
            Err(Error::V2(V2Error::Business { err_code, .. })) => {
                span.record("code", err_code.as_str());
            }
            Err(Error::V2(V2Error::Communication { return_code, .. })) => {
                span.record("code", return_code.as_str());
            }
            _ => {}
        }
        result
    }

    /// One attempt, signed afresh (a new `nonce_str`).
    async fn attempt(&self, url: &reqwest::Url) -> Result<reqwest::Response, TransportFailure> {
        let inner = &*self.client.inner;
        let body = to_xml(&self.signed_fields().map_err(TransportFailure::local)?);
        inner
            .http
            .post(url.clone())
            .timeout(inner.timeout)
            .header(http::header::CONTENT_TYPE, "text/xml; charset=utf-8")
            .header(
                http::header::ACCEPT,
                "text/xml, text/plain, application/x-gzip",
            )
            .body(body)
            .send()
            .await
            .map_err(TransportFailure::transport)
    }

    async fn exchange(self) -> Result<V2Response, Error> {
        let inner = &*self.client.inner;
        check_path(&self.path)?;
        if needs_certificate(&self.path) && !inner.has_certificate {
            return Err(V2Error::CertificateRequired(self.path.clone()).into());
        }
        let urls = inner
            .bases
            .iter()
            .map(|base| {
                base.join(&self.path)
                    .map_err(|e| Error::InvalidRequest(format!("path {:?}: {e}", self.path)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let hosts: Vec<&str> = urls
            .iter()
            .map(|u| u.host_str().unwrap_or_default())
            .collect();
        let response = send_with_retries(
            &inner.retry,
            &hosts,
            Retryable::of(Method::Post, self.idempotent),
            &tracing::Span::current(),
            |base| self.attempt(&urls[base]),
        )
        .await?;
        let status = response.status().as_u16();
        let raw = read_capped(response, inner.max_response_bytes).await?;
        if !(200..300).contains(&status) {
            return Err(Error::UnexpectedStatus {
                status,
                request_id: None,
            });
        }
        let unsigned = answers_unsigned(&self.path);
        if unsigned && !raw.trim_ascii_start().starts_with(b"<") {
            // A bill: raw data, nothing to verify.
            return Ok(V2Response {
                fields: BTreeMap::new(),
                raw,
                verified: false,
            });
        }
        let fields = from_xml(&raw)?;
        check_return_code(&fields)?;
        if !unsigned {
            verify(&fields, &inner.key)?;
        }
        check_result_code(&fields)?;
        Ok(V2Response {
            fields,
            raw,
            verified: !unsigned,
        })
    }
}

/// A successful APIv2 answer: its fields (verified unless the operation is
/// answered unsigned) and the bytes as received.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct V2Response {
    fields: BTreeMap<String, String>,
    raw: Bytes,
    verified: bool,
}

impl V2Response {
    /// One field's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    /// All fields (empty for a raw bill).
    pub fn fields(&self) -> &BTreeMap<String, String> {
        &self.fields
    }

    /// The fields, owned.
    pub fn into_fields(self) -> BTreeMap<String, String> {
        self.fields
    }

    /// The body as received (the bill text for `pay/downloadbill`).
    pub fn raw(&self) -> &Bytes {
        &self.raw
    }

    /// Whether the answer's `sign` was checked (false for operations WeChat answers unsigned).
    pub fn verified(&self) -> bool {
        self.verified
    }
}
