//! Keys and the cryptography WeChat Pay uses: RSA PKCS#1 v1.5 SHA-256
//! signatures, RSA-OAEP (SHA-1, MGF1-SHA-1) for sensitive fields, AES-256-GCM
//! with the APIv3 key, SHA-1/SHA-256 digests.
//!
//! The backend is aws-lc-rs by default, or pure Rust with the `rust-crypto`
//! feature; both give byte-identical signatures. Only this module knows which.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use der::asn1::{AnyRef, BitStringRef};
use der::{Decode, Encode};
use spki::{AlgorithmIdentifierRef, ObjectIdentifier};
use zeroize::Zeroizing;

use crate::error::{CryptoError, Error, KeyError};

pub(crate) mod pem;

#[cfg(feature = "rust-crypto")]
#[path = "rust_crypto.rs"]
mod backend;

#[cfg(all(feature = "aws-lc", not(feature = "rust-crypto")))]
#[path = "aws_lc.rs"]
mod backend;

#[cfg(not(any(feature = "aws-lc", feature = "rust-crypto")))]
compile_error!(
    "wxpay-core needs a crypto backend: enable the `aws-lc` (default) or `rust-crypto` feature"
);

/// The name of the compiled-in crypto backend (`"aws-lc-rs"` or `"rust-crypto"`).
pub const BACKEND: &str = backend::NAME;

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

fn rsa_algorithm() -> AlgorithmIdentifierRef<'static> {
    AlgorithmIdentifierRef {
        oid: RSA_ENCRYPTION,
        parameters: Some(AnyRef::NULL),
    }
}

fn algorithm_name(oid: &ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.2.840.10045.2.1" => "an EC key".into(),
        "1.3.101.112" => "an Ed25519 key".into(),
        "1.3.101.110" => "an X25519 key".into(),
        "1.2.840.113549.1.1.10" => "an RSASSA-PSS-only key".into(),
        "1.2.840.10040.4.1" => "a DSA key".into(),
        "1.2.156.10197.1.301" => "an SM2 key".into(),
        other => format!("a key of algorithm {other}"),
    }
}

fn malformed(what: &'static str) -> impl Fn(String) -> KeyError {
    move |reason| KeyError::Malformed { what, reason }
}

fn read_file(path: &Path) -> Result<Zeroizing<String>, KeyError> {
    std::fs::read_to_string(path)
        .map(Zeroizing::new)
        .map_err(|e| KeyError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
}

fn b64() -> &'static base64::engine::GeneralPurpose {
    &base64::engine::general_purpose::STANDARD
}

/// The merchant API private key (`apiclient_key.pem`): RSA-2048.
///
/// Cheap to clone (shared). Its `Debug` output never shows key material.
#[derive(Clone)]
pub struct PrivateKey(Arc<PrivateInner>);

struct PrivateInner {
    key: backend::RsaPrivate,
    /// Wiped when the last clone is dropped.
    pkcs8: Zeroizing<Vec<u8>>,
    public: PublicKey,
}

impl PrivateKey {
    /// Loads a key from PEM text: PKCS#8 (`BEGIN PRIVATE KEY`, as WeChat Pay
    /// issues it) or PKCS#1 (`BEGIN RSA PRIVATE KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        const EXPECTED: &str = "PRIVATE KEY";
        let mut first_other = None;
        for block in pem::blocks(pem) {
            let block = block.map_err(malformed("PEM"))?;
            match block.label.as_str() {
                "PRIVATE KEY" => return Self::from_pkcs8_der(&block.der),
                "RSA PRIVATE KEY" if block.encrypted_header => return Err(KeyError::Encrypted),
                "RSA PRIVATE KEY" => return Self::from_pkcs1_der(&block.der),
                "ENCRYPTED PRIVATE KEY" => return Err(KeyError::Encrypted),
                "EC PRIVATE KEY" => return Err(KeyError::NotRsa("an EC key".into())),
                "DSA PRIVATE KEY" => return Err(KeyError::NotRsa("a DSA key".into())),
                _ => {
                    first_other.get_or_insert(block.label);
                }
            }
        }
        Err(match first_other {
            Some(found) => KeyError::WrongPemLabel {
                found,
                expected: "a private key (`PRIVATE KEY` or `RSA PRIVATE KEY`)",
            },
            None => KeyError::NotPem { expected: EXPECTED },
        })
    }

    /// Loads a PEM key file such as `apiclient_key.pem`.
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self, KeyError> {
        Self::from_pem(&read_file(path.as_ref())?)
    }

    /// Loads a PKCS#8 DER key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let info = pkcs8::PrivateKeyInfo::from_der(der)
            .map_err(|e| malformed("PKCS#8 private key")(e.to_string()))?;
        if info.algorithm.oid != RSA_ENCRYPTION {
            return Err(KeyError::NotRsa(algorithm_name(&info.algorithm.oid)));
        }
        let key = backend::RsaPrivate::from_pkcs8(der).map_err(malformed("RSA private key"))?;
        let bits = key.modulus_bits();
        if bits != 2048 {
            return Err(KeyError::WrongSize(bits));
        }
        let public = Self::public_from_pkcs1_private(info.private_key)?;
        Ok(Self(Arc::new(PrivateInner {
            key,
            pkcs8: Zeroizing::new(der.to_vec()),
            public,
        })))
    }

    /// Loads a PKCS#1 DER key (`RSAPrivateKey`).
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        let info = pkcs8::PrivateKeyInfo::new(rsa_algorithm(), der);
        let pkcs8 = Zeroizing::new(
            info.to_der()
                .map_err(|e| malformed("PKCS#1 private key")(e.to_string()))?,
        );
        Self::from_pkcs8_der(&pkcs8)
    }

    fn public_from_pkcs1_private(pkcs1: &[u8]) -> Result<PublicKey, KeyError> {
        let key = pkcs1::RsaPrivateKey::from_der(pkcs1)
            .map_err(|e| malformed("RSA private key")(e.to_string()))?;
        let public = pkcs1::RsaPublicKey {
            modulus: key.modulus,
            public_exponent: key.public_exponent,
        }
        .to_der()
        .map_err(|e| malformed("RSA public key")(e.to_string()))?;
        PublicKey::from_pkcs1_der(&public)
    }

    /// Generates a fresh RSA-2048 key (for tests and the sandbox:
    /// [`unstable::generate_private_key`](crate::unstable::generate_private_key)).
    pub(crate) fn generate() -> Result<Self, KeyError> {
        let der = Zeroizing::new(
            backend::RsaPrivate::generate_pkcs8().map_err(malformed("generated key"))?,
        );
        Self::from_pkcs8_der(&der)
    }

    /// The matching public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.0.public
    }

    /// The key as PKCS#8 PEM (`BEGIN PRIVATE KEY`), e.g. to write a generated
    /// key to a file. Treat the result as the secret it is.
    pub fn to_pkcs8_pem(&self) -> String {
        pem::encode("PRIVATE KEY", &self.0.pkcs8)
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`: the raw signature bytes.
    pub fn sign_sha256(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        self.0
            .key
            .sign_sha256(message)
            .map_err(|e| Error::Signing(e.into()))
    }

    /// Decrypts a sensitive field WeChat Pay returned encrypted (base64,
    /// RSA-OAEP with SHA-1 and MGF1-SHA-1) to its text.
    pub fn decrypt_oaep_base64(&self, ciphertext: &str) -> Result<String, CryptoError> {
        let ciphertext = b64()
            .decode(ciphertext.trim())
            .map_err(|_| CryptoError::InvalidBase64)?;
        let plain = self.0.key.decrypt_oaep_sha1(&ciphertext)?;
        String::from_utf8(plain).map_err(|_| CryptoError::NotUtf8)
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("algorithm", &"RSA-2048")
            .field("key", &"<redacted>")
            .finish()
    }
}

/// An RSA public key: a WeChat Pay public key (`PUB_KEY_ID_...`) or the key of
/// a platform certificate.
#[derive(Clone)]
pub struct PublicKey(Arc<PublicInner>);

struct PublicInner {
    key: backend::RsaPublic,
    spki: Vec<u8>,
}

impl PublicKey {
    /// Loads a key from PEM: `BEGIN PUBLIC KEY` (SubjectPublicKeyInfo, as
    /// WeChat Pay issues `pub_key.pem`) or `BEGIN RSA PUBLIC KEY` (PKCS#1).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let mut first_other = None;
        for block in pem::blocks(pem) {
            let block = block.map_err(malformed("PEM"))?;
            match block.label.as_str() {
                "PUBLIC KEY" => return Self::from_spki_der(&block.der),
                "RSA PUBLIC KEY" => return Self::from_pkcs1_der(&block.der),
                _ => {
                    first_other.get_or_insert(block.label);
                }
            }
        }
        Err(match first_other {
            Some(found) => KeyError::WrongPemLabel {
                found,
                expected: "a public key (`PUBLIC KEY`)",
            },
            None => KeyError::NotPem {
                expected: "PUBLIC KEY",
            },
        })
    }

    /// Loads a PEM public key file such as `pub_key.pem`.
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self, KeyError> {
        Self::from_pem(&read_file(path.as_ref())?)
    }

    /// Loads a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        let info = spki::SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|e| malformed("public key")(e.to_string()))?;
        if info.algorithm.oid != RSA_ENCRYPTION {
            return Err(KeyError::NotRsa(algorithm_name(&info.algorithm.oid)));
        }
        let key = backend::RsaPublic::from_spki(der).map_err(malformed("RSA public key"))?;
        if key.modulus_bits() < 2048 {
            return Err(KeyError::WrongSize(key.modulus_bits()));
        }
        Ok(Self(Arc::new(PublicInner {
            key,
            spki: der.to_vec(),
        })))
    }

    /// Loads a DER PKCS#1 `RSAPublicKey`.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        let bits = BitStringRef::from_bytes(der)
            .map_err(|e| malformed("RSA public key")(e.to_string()))?;
        let spki = spki::SubjectPublicKeyInfoRef {
            algorithm: rsa_algorithm(),
            subject_public_key: bits,
        }
        .to_der()
        .map_err(|e| malformed("RSA public key")(e.to_string()))?;
        Self::from_spki_der(&spki)
    }

    /// The key as DER SubjectPublicKeyInfo.
    pub fn to_spki_der(&self) -> &[u8] {
        &self.0.spki
    }

    /// The key as PEM (`BEGIN PUBLIC KEY`).
    pub fn to_pem(&self) -> String {
        pem::encode("PUBLIC KEY", &self.0.spki)
    }

    /// Checks an RSASSA-PKCS1-v1_5 SHA-256 signature.
    pub fn verify_sha256(&self, message: &[u8], signature: &[u8]) -> bool {
        self.0.key.verify_sha256(message, signature)
    }

    /// Encrypts a sensitive field (RSA-OAEP, SHA-1, MGF1-SHA-1, empty label)
    /// and returns it base64-encoded, as WeChat Pay expects.
    pub fn encrypt_oaep_base64(&self, plaintext: &str) -> Result<String, CryptoError> {
        let ciphertext = self.0.key.encrypt_oaep_sha1(plaintext.as_bytes())?;
        Ok(b64().encode(ciphertext))
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.spki == other.0.spki
    }
}
impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("bits", &self.0.key.modulus_bits())
            .field("sha256", &hex_upper(&sha256(&self.0.spki)[..8]))
            .finish()
    }
}

/// The merchant's APIv3 key (32 ASCII characters), the AES-256-GCM key of
/// callbacks and certificate downloads. Its `Debug` output is redacted.
#[derive(Clone)]
pub struct ApiV3Key(Arc<Zeroizing<[u8; 32]>>);

impl ApiV3Key {
    /// Checks and wraps the key text.
    pub fn new(key: &str) -> Result<Self, CryptoError> {
        if key.len() != 32 || !key.is_ascii() {
            return Err(CryptoError::InvalidApiV3Key(key.len()));
        }
        // Written straight into its one shared, wiped-on-drop home: no copy
        // is left on the stack or in a freed clone.
        let mut bytes = Arc::new(Zeroizing::new([0u8; 32]));
        if let Some(slot) = Arc::get_mut(&mut bytes) {
            slot.copy_from_slice(key.as_bytes());
        }
        Ok(Self(bytes))
    }

    /// Decrypts WeChat's `{ciphertext, nonce, associated_data}` triple:
    /// base64 ciphertext with the 16-byte tag appended, a 12-character nonce.
    pub fn decrypt(
        &self,
        ciphertext_b64: &str,
        nonce: &str,
        associated_data: &str,
    ) -> Result<Vec<u8>, CryptoError> {
        let nonce: &[u8; 12] = nonce
            .as_bytes()
            .try_into()
            .map_err(|_| CryptoError::InvalidNonce(nonce.len()))?;
        let data = b64()
            .decode(ciphertext_b64.trim())
            .map_err(|_| CryptoError::InvalidBase64)?;
        if data.len() < 16 {
            return Err(CryptoError::Truncated(data.len()));
        }
        backend::aes_256_gcm_open(&self.0, nonce, associated_data.as_bytes(), &data)
    }

    /// Like [`decrypt`](Self::decrypt), requiring UTF-8 text.
    pub fn decrypt_to_string(
        &self,
        ciphertext_b64: &str,
        nonce: &str,
        associated_data: &str,
    ) -> Result<String, CryptoError> {
        String::from_utf8(self.decrypt(ciphertext_b64, nonce, associated_data)?)
            .map_err(|_| CryptoError::NotUtf8)
    }

    /// Encrypts as WeChat does (used by the sandbox and by tests): base64 of
    /// ciphertext with the tag appended.
    pub fn encrypt(
        &self,
        plaintext: &[u8],
        nonce: &str,
        associated_data: &str,
    ) -> Result<String, CryptoError> {
        let nonce: &[u8; 12] = nonce
            .as_bytes()
            .try_into()
            .map_err(|_| CryptoError::InvalidNonce(nonce.len()))?;
        let sealed =
            backend::aes_256_gcm_seal(&self.0, nonce, associated_data.as_bytes(), plaintext)?;
        Ok(b64().encode(sealed))
    }
}

impl fmt::Debug for ApiV3Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiV3Key(<redacted>)")
    }
}

/// An incremental SHA-1 (bill hashes, `Wechatpay-Statement-Sha1`).
pub(crate) struct Sha1(backend::Sha1);

impl Sha1 {
    /// A fresh hasher.
    pub(crate) fn new() -> Self {
        Self(backend::Sha1::new())
    }
    /// Feeds bytes.
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    /// The digest as lowercase hex.
    pub(crate) fn finish_hex(self) -> String {
        hex_lower(&self.0.finish())
    }
}

impl Default for Sha1 {
    fn default() -> Self {
        Self::new()
    }
}

/// SHA-256 of `data`.
pub(crate) fn sha256(data: &[u8]) -> Vec<u8> {
    let mut h = backend::Sha256::new();
    h.update(data);
    h.finish()
}

/// SHA-256 of `data` as lowercase hex (the media upload `meta.sha256`).
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex_lower(&sha256(data))
}

/// SHA-1 of `data` as lowercase hex.
pub(crate) fn sha1_hex(data: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(data);
    h.finish_hex()
}

pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// `len` characters of `[0-9A-Za-z]` from the operating system's CSPRNG,
/// uniformly distributed (rejection sampling).
pub(crate) fn random_alphanumeric(len: usize) -> Result<String, Error> {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        getrandom::fill(&mut buf).map_err(|e| Error::Signing(e.to_string().into()))?;
        for &b in &buf {
            // 248 = 4 * 62: reject the top bytes so every character is equally likely.
            if b < 248 && out.len() < len {
                out.push(ALPHABET[(b % 62) as usize] as char);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_v3_key_must_be_32_ascii_bytes() {
        assert!(ApiV3Key::new("0123456789abcdef0123456789abcdef").is_ok());
        assert_eq!(
            ApiV3Key::new("short").unwrap_err(),
            CryptoError::InvalidApiV3Key(5)
        );
    }

    #[test]
    fn aes_gcm_round_trip_and_tamper_detection() {
        let key = ApiV3Key::new("0123456789abcdef0123456789abcdef").unwrap();
        let ct = key
            .encrypt(b"hello", "0123456789ab", "certificate")
            .unwrap();
        assert_eq!(
            key.decrypt(&ct, "0123456789ab", "certificate").unwrap(),
            b"hello"
        );
        assert_eq!(
            key.decrypt(&ct, "0123456789ab", "transaction").unwrap_err(),
            CryptoError::AeadAuthentication
        );
        let other = ApiV3Key::new("fedcba9876543210fedcba9876543210").unwrap();
        assert_eq!(
            other
                .decrypt(&ct, "0123456789ab", "certificate")
                .unwrap_err(),
            CryptoError::AeadAuthentication
        );
        assert_eq!(
            key.decrypt("AAAA", "0123456789ab", "").unwrap_err(),
            CryptoError::Truncated(3)
        );
        assert_eq!(
            key.decrypt(&ct, "short", "").unwrap_err(),
            CryptoError::InvalidNonce(5)
        );
        assert_eq!(
            key.decrypt("%%%", "0123456789ab", "").unwrap_err(),
            CryptoError::InvalidBase64
        );
    }

    #[test]
    fn known_digests() {
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn nonces_are_alphanumeric_and_distinct() {
        let a = random_alphanumeric(32).unwrap();
        let b = random_alphanumeric(32).unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let key = ApiV3Key::new("0123456789abcdef0123456789abcdef").unwrap();
        assert!(!format!("{key:?}").contains("0123456789"));
    }
}
