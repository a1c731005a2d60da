//! The APIv3 client: who the merchant is, whom it trusts, and the ways a
//! request is sent.
//!
//! One responsibility a file: [`builder`] configures; [`send`] is the typed
//! path (encode, sign, send, verify, decode) and the untyped ones that share
//! it; [`transmit`] signs each attempt; [`answer`] checks and decodes what
//! comes back; [`dynamic`], [`upload`] and [`download`] are the untyped,
//! media and file entry points.

use std::fmt;
use std::sync::Arc;

use crate::crypto::PrivateKey;
use crate::error::Error;
use crate::keyring::Keyring;
use crate::request::{ApiRequest, EncodeContext, EncodedRequest, Encryptor, Method};
use crate::sign::Signer;
use crate::transport::Transport;
use crate::trust::Trust;
use crate::verify::Verifier;

mod answer;
mod builder;
mod download;
mod dynamic;
mod send;
mod transmit;
mod upload;

pub(crate) use answer::api_error;
pub use answer::{RawResponse, Response};
pub(crate) use builder::check_mchid;
pub use builder::ClientBuilder;
pub use download::{Download, DownloadRequest, FileAnswer};
pub use dynamic::DynamicRequest;
pub(crate) use transmit::{Call, CallBody};
pub use upload::Upload;

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
    transport: Transport,
    merchant: Merchant,
    trust: Trust,
    /// The key requests are signed with, when it is in this process (not
    /// with a custom signer): it also decrypts fields WeChat returns encrypted.
    private_key: Option<PrivateKey>,
}

/// Who signs the requests.
struct Merchant {
    mchid: String,
    /// The merchant API certificate's serial, uppercase hex.
    serial_no: String,
    signer: Arc<dyn Signer>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("mchid", &self.inner.merchant.mchid)
            .field("serial_no", &self.inner.merchant.serial_no)
            .field("base_urls", &self.base_urls().collect::<Vec<_>>())
            .field("keyring", self.keyring())
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
        &self.inner.merchant.mchid
    }

    /// The base URL requests go to first.
    pub fn base_url(&self) -> &str {
        self.inner.transport.bases[0].as_str()
    }

    /// Every base URL, in the order they are tried.
    pub fn base_urls(&self) -> impl Iterator<Item = &str> {
        self.inner.transport.base_urls()
    }

    /// The verifier responses are checked with.
    pub fn verifier(&self) -> Arc<dyn Verifier> {
        self.trust().verifier().clone()
    }

    /// The signer requests are signed with.
    pub fn signer(&self) -> Arc<dyn Signer> {
        self.inner.merchant.signer.clone()
    }

    /// The trusted WeChat Pay keys (shared with the client: changes apply at once).
    pub fn keyring(&self) -> &Keyring {
        self.trust().keyring()
    }

    /// Encodes a typed request as [`send`](Self::send) would, with this
    /// client's merchant id and its current WeChat Pay key (without
    /// refreshing certificates first); see [`EncodedRequest::encode`] to
    /// choose the context.
    pub fn encode<R: ApiRequest + ?Sized>(&self, request: &R) -> Result<EncodedRequest, Error> {
        let encryptor = self.keyring().encryptor();
        EncodedRequest::encode(request, &self.encode_context(encryptor.as_ref()))
    }

    /// The WeChat Pay key sensitive fields are encrypted with now: the
    /// configured public key, else the valid platform certificate that
    /// expires last (downloading certificates first when managed and due).
    pub async fn encryptor(&self) -> Result<Encryptor, Error> {
        self.trust().ready(self).await;
        self.keyring().encryptor().ok_or_else(no_encryption_key)
    }

    /// Encrypts one sensitive value for a hand-built request: returns the
    /// serial to send as `Wechatpay-Serial` and the base64 ciphertext.
    pub fn encrypt_sensitive(&self, plaintext: &str) -> Result<(String, String), Error> {
        let encryptor = self.keyring().encryptor().ok_or_else(no_encryption_key)?;
        let ciphertext = encryptor
            .encrypt(plaintext)
            .map_err(Error::crypto("encrypt a sensitive value"))?;
        Ok((encryptor.serial().to_owned(), ciphertext))
    }

    /// Decrypts a sensitive field WeChat Pay returned encrypted, with the
    /// merchant private key given to the builder (not available with a custom signer).
    pub fn decrypt_sensitive(&self, ciphertext: &str) -> Result<String, Error> {
        let key = self.inner.private_key.as_ref().ok_or_else(|| {
            Error::Config("decrypting needs the merchant private key (the client was built with a custom signer)".into())
        })?;
        key.decrypt_oaep_base64(ciphertext)
            .map_err(Error::crypto("decrypt a sensitive value"))
    }

    /// Starts an untyped call of any operation: a method and a URI template
    /// such as `v3/ecommerce/refunds/{refund_id}/return-advance`. The escape
    /// hatch for endpoints without a typed request.
    pub fn request(&self, method: Method, template: &str) -> DynamicRequest<'_> {
        DynamicRequest::new(self, method, template)
    }

    /// The context this client's requests are encoded in.
    pub(crate) fn encode_context<'a>(
        &'a self,
        encryptor: Option<&'a Encryptor>,
    ) -> EncodeContext<'a> {
        let cx = EncodeContext::new(self.mchid());
        match encryptor {
            Some(encryptor) => cx.with_encryptor(encryptor),
            None => cx,
        }
    }

    pub(crate) fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    pub(crate) fn trust(&self) -> &Trust {
        &self.inner.trust
    }
}

fn no_encryption_key() -> Error {
    Error::Config(
        "no WeChat Pay public key or valid platform certificate to encrypt with: call \
         wechatpay_public_key(...) or auto_certificates(...) on the builder"
            .into(),
    )
}
