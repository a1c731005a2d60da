//! What encoding a request needs from outside the request: the calling
//! merchant's id and the WeChat Pay key sensitive fields are encrypted with.
//!
//! Both are given explicitly: [`Client::send`](crate::Client::send) builds
//! the context from its own merchant id and its current WeChat Pay key, and
//! [`EncodedRequest::encode`](super::EncodedRequest::encode) takes one from
//! anyone who wants the bytes without sending them (a test, a log, a queue).

use std::cell::Cell;
use std::fmt;

use crate::crypto::PublicKey;
use crate::error::CryptoError;
use crate::keyring::{Certificate, VerificationKey};

/// A WeChat Pay key that sensitive request fields are encrypted with
/// (RSAES-OAEP, SHA-1, MGF1-SHA-1), and the serial or public-key id that
/// names it in `Wechatpay-Serial`.
///
/// ```
/// use wxpay_core::{Encryptor, PrivateKey};
///
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// # let platform = PrivateKey::from_pem(&std::fs::read_to_string("k.pem")?)?;
/// let encryptor = Encryptor::new("PUB_KEY_ID_0114232134912410000000000000", platform.public_key().clone());
/// let ciphertext = encryptor.encrypt("张三")?;
/// assert_eq!(platform.decrypt_oaep_base64(&ciphertext)?, "张三");
/// # Ok(()) }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Encryptor {
    serial: String,
    key: PublicKey,
}

impl Encryptor {
    /// The key `key`, named `serial` (a platform certificate serial or a
    /// `PUB_KEY_ID_...`).
    pub fn new(serial: impl Into<String>, key: PublicKey) -> Self {
        Self {
            serial: serial.into(),
            key,
        }
    }

    /// The key of a platform certificate, named by its serial.
    pub fn from_certificate(certificate: &Certificate) -> Self {
        Self::new(certificate.serial(), certificate.public_key().clone())
    }

    /// What goes into `Wechatpay-Serial`.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// Encrypts one value: base64 of the RSA-OAEP ciphertext.
    pub fn encrypt(&self, plaintext: &str) -> Result<String, CryptoError> {
        self.key.encrypt_oaep_base64(plaintext)
    }
}

impl From<&VerificationKey> for Encryptor {
    fn from(key: &VerificationKey) -> Self {
        Self::new(key.serial(), key.public_key().clone())
    }
}

impl fmt::Debug for Encryptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encryptor")
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

/// The context a request is encoded in: who calls (the merchant id written
/// into calling-merchant fields) and, when there is one, the WeChat Pay key
/// that [`Sensitive`](crate::sensitive::Sensitive) fields are encrypted
/// with. Encoding records whether it encrypted anything, so the request can
/// name the key in `Wechatpay-Serial`.
///
/// ```
/// use wxpay_core::{EncodeContext, Encryptor, PublicKey};
///
/// # fn run(key: PublicKey) {
/// let encryptor = Encryptor::new("PUB_KEY_ID_0114232134912410000000000000", key);
/// let cx = EncodeContext::new("1900000100").with_encryptor(&encryptor);
/// assert_eq!(cx.mchid(), "1900000100");
/// # }
/// ```
pub struct EncodeContext<'a> {
    mchid: &'a str,
    encryptor: Option<&'a Encryptor>,
    encrypted: Cell<bool>,
}

impl<'a> EncodeContext<'a> {
    /// A context for merchant `mchid`, without a key: a sensitive field
    /// fails to encode.
    pub fn new(mchid: &'a str) -> Self {
        Self {
            mchid,
            encryptor: None,
            encrypted: Cell::new(false),
        }
    }

    /// No merchant and no key: calling-merchant fields must be given
    /// explicitly and sensitive fields fail to encode.
    pub fn detached() -> Self {
        Self::new("")
    }

    /// Encrypts sensitive fields with `encryptor`.
    pub fn with_encryptor(mut self, encryptor: &'a Encryptor) -> Self {
        self.encryptor = Some(encryptor);
        self
    }

    /// The calling merchant's id (empty for a detached context).
    pub fn mchid(&self) -> &str {
        self.mchid
    }

    /// The key sensitive fields are encrypted with, if any.
    pub fn encryptor(&self) -> Option<&'a Encryptor> {
        self.encryptor
    }

    /// Whether a sensitive field has been encrypted in this context.
    pub fn encrypted_any(&self) -> bool {
        self.encrypted.get()
    }

    pub(crate) fn mark_encrypted(&self) {
        self.encrypted.set(true);
    }
}

impl fmt::Debug for EncodeContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncodeContext")
            .field("mchid", &self.mchid)
            .field("encryptor", &self.encryptor)
            .field("encrypted", &self.encrypted.get())
            .finish()
    }
}
