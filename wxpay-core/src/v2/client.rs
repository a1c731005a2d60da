//! The APIv2 client: XML requests signed with the APIv2 key, answers checked
//! (`return_code`, `sign`, `result_code`), the merchant API certificate
//! presented for mutual TLS.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;

use super::builder::V2ClientBuilder;
use super::error::V2Error;
use super::notify::{check_result_code, check_return_code};
use super::operation::{FromV2Response, V2Operation};
use super::sign::{sign, verify, ApiV2Key, SignType};
use super::xml::{from_xml, to_xml, valid_name};
use crate::client::api_error;
use crate::crypto::random_alphanumeric;
use crate::error::Error;
use crate::request::Method;
use crate::transport::{Api, Deadline, RequestSpan, Transport};

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
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) transport: Transport,
    pub(super) mchid: String,
    pub(super) key: ApiV2Key,
    pub(super) sign_type: SignType,
    pub(super) has_certificate: bool,
}

impl fmt::Debug for V2Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V2Client")
            .field("mchid", &self.inner.mchid)
            .field(
                "base_urls",
                &self.inner.transport.base_urls().collect::<Vec<_>>(),
            )
            .field("sign_type", &self.inner.sign_type)
            .field("has_certificate", &self.inner.has_certificate)
            .finish_non_exhaustive()
    }
}

impl V2Client {
    /// Starts configuring a client.
    pub fn builder() -> V2ClientBuilder {
        V2ClientBuilder::new()
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
            needs_certificate: false,
            signed_answer: true,
            file: false,
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
        request.needs_certificate = O::NEEDS_CERTIFICATE;
        request.signed_answer = O::SIGNED_ANSWER;
        request.file = <O::Response as FromV2Response>::FILE;
        for (name, value) in operation.fields()? {
            request = request.param(name, value);
        }
        if let Some(sign_type) = O::SIGN_TYPE {
            request = request.param("sign_type", sign_type.as_str());
        }
        O::Response::from_v2_response(request.send().await?)
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
    needs_certificate: bool,
    signed_answer: bool,
    /// The answer is a file (a bill): read with the download limits.
    file: bool,
}

impl V2Request<'_> {
    /// Says the operation needs the merchant API certificate (mutual TLS):
    /// a client without one refuses the call before sending
    /// ([`V2Error::CertificateRequired`]). Typed operations say it
    /// themselves ([`V2Operation::NEEDS_CERTIFICATE`]).
    pub fn needs_certificate(mut self) -> Self {
        self.needs_certificate = true;
        self
    }

    /// Says WeChat answers the operation without a `sign` (bills, red
    /// packets, transfers ...): its `return_code`/`result_code` are still
    /// checked, and a bill comes back raw. Typed operations say it
    /// themselves ([`V2Operation::SIGNED_ANSWER`]).
    pub fn unsigned_answer(mut self) -> Self {
        self.signed_answer = false;
        self
    }

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
    /// `result_code` ([`V2Error::Business`]). A non-2xx answer (a gateway in
    /// front of WeChat) is [`Error::Api`], unsigned, as for APIv3.
    pub async fn send(self) -> Result<V2Response, Error> {
        let inner = &*self.client.inner;
        let span = RequestSpan::new(Api::V2, Method::Post, &self.path, &inner.mchid);
        let result = span.run(self.exchange(&span)).await;
        if let Err(e) = &result {
            span.error(e);
        }
        result
    }

    async fn exchange(self, span: &RequestSpan) -> Result<V2Response, Error> {
        let inner = &*self.client.inner;
        if self.needs_certificate && !inner.has_certificate {
            return Err(V2Error::CertificateRequired(self.path.clone()).into());
        }
        let targets = inner.transport.targets(&self.path, "")?;
        // A bill is a file: the download timeout and size limit.
        let (deadline, limit) = if self.file {
            let limit = usize::try_from(inner.transport.max_download_bytes).unwrap_or(usize::MAX);
            (Deadline::Download, limit)
        } else {
            (Deadline::Request, inner.transport.max_response_bytes)
        };
        let response = inner
            .transport
            .send(
                span,
                Method::Post,
                &targets,
                self.idempotent,
                deadline,
                |_, builder| {
                    // Signed afresh (a new `nonce_str`) for every attempt.
                    let body = self.signed_fields().map(|fields| to_xml(&fields));
                    async move {
                        Ok(builder
                            .header(http::header::CONTENT_TYPE, "text/xml; charset=utf-8")
                            .header(
                                http::header::ACCEPT,
                                "text/xml, text/plain, application/x-gzip",
                            )
                            .body(body?))
                    }
                },
            )
            .await?;
        let answer = inner.transport.read_limited(response, limit).await?;
        let raw = answer.body;
        if !(200..300).contains(&answer.status) {
            return Err(api_error(answer.status, &raw, None, false));
        }
        if !self.signed_answer && !raw.trim_ascii_start().starts_with(b"<") {
            // A bill: raw data, nothing to verify.
            return Ok(V2Response {
                fields: BTreeMap::new(),
                raw,
                verified: false,
            });
        }
        let fields = from_xml(&raw)?;
        check_return_code(&fields)?;
        if self.signed_answer {
            verify(&fields, &inner.key)?;
        }
        check_result_code(&fields)?;
        Ok(V2Response {
            fields,
            raw,
            verified: self.signed_answer,
        })
    }
}

/// `v2/pay/micropay` (the catalog's spelling) and `/pay/micropay` are `pay/micropay`.
fn normalize(path: &str) -> &str {
    let path = path.trim_start_matches('/');
    path.strip_prefix("v2/").unwrap_or(path)
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
