//! The pure-Rust backend: `rsa` + `sha1`/`sha2` + `aes-gcm` (feature `rust-crypto`).

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit};
use rand_core::OsRng;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey};
use rsa::signature::{RandomizedSigner, SignatureEncoding, Verifier};
use rsa::traits::PublicKeyParts;
use rsa::{Oaep, RsaPrivateKey, RsaPublicKey};
use sha1::Digest;

use crate::error::CryptoError;

pub(crate) const NAME: &str = "rust-crypto";

pub(crate) struct RsaPrivate {
    key: RsaPrivateKey,
    signing: SigningKey<sha2::Sha256>,
}

impl RsaPrivate {
    pub(crate) fn from_pkcs8(der: &[u8]) -> Result<Self, String> {
        let key = RsaPrivateKey::from_pkcs8_der(der).map_err(|e| e.to_string())?;
        Ok(Self {
            signing: SigningKey::new(key.clone()),
            key,
        })
    }

    pub(crate) fn generate_pkcs8() -> Result<Vec<u8>, String> {
        let key = RsaPrivateKey::new(&mut OsRng, 2048).map_err(|e| e.to_string())?;
        let der = key.to_pkcs8_der().map_err(|e| e.to_string())?;
        Ok(der.as_bytes().to_vec())
    }

    pub(crate) fn modulus_bits(&self) -> usize {
        self.key.size() * 8
    }

    pub(crate) fn sign_sha256(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        // The RNG only blinds the private operation; PKCS#1 v1.5 output is deterministic.
        let signature = self
            .signing
            .try_sign_with_rng(&mut OsRng, message)
            .map_err(|e| e.to_string())?;
        Ok(signature.to_vec())
    }

    pub(crate) fn decrypt_oaep_sha1(&self, ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.key
            .decrypt_blinded(&mut OsRng, Oaep::new::<sha1::Sha1>(), ciphertext)
            .map_err(|_| CryptoError::Oaep("decryption failed"))
    }
}

pub(crate) struct RsaPublic {
    key: RsaPublicKey,
    verifying: VerifyingKey<sha2::Sha256>,
}

impl RsaPublic {
    pub(crate) fn from_spki(der: &[u8]) -> Result<Self, String> {
        let key = RsaPublicKey::from_public_key_der(der).map_err(|e| e.to_string())?;
        Ok(Self {
            verifying: VerifyingKey::new(key.clone()),
            key,
        })
    }

    pub(crate) fn modulus_bits(&self) -> usize {
        self.key.size() * 8
    }

    pub(crate) fn verify_sha256(&self, message: &[u8], signature: &[u8]) -> bool {
        Signature::try_from(signature)
            .map(|sig| self.verifying.verify(message, &sig).is_ok())
            .unwrap_or(false)
    }

    pub(crate) fn encrypt_oaep_sha1(&self, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.key
            .encrypt(&mut OsRng, Oaep::new::<sha1::Sha1>(), plaintext)
            .map_err(|_| CryptoError::Oaep("encryption failed (plaintext too long?)"))
    }
}

pub(crate) fn aes_256_gcm_open(
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    ciphertext_and_tag: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    Aes256Gcm::new(key.into())
        .decrypt(
            nonce.into(),
            Payload {
                msg: ciphertext_and_tag,
                aad,
            },
        )
        .map_err(|_| CryptoError::AeadAuthentication)
}

pub(crate) fn aes_256_gcm_seal(
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    Aes256Gcm::new(key.into())
        .encrypt(
            nonce.into(),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| CryptoError::AeadAuthentication)
}

pub(crate) struct Sha1(sha1::Sha1);
impl Sha1 {
    pub(crate) fn new() -> Self {
        Self(sha1::Sha1::new())
    }
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    pub(crate) fn finish(self) -> Vec<u8> {
        self.0.finalize().to_vec()
    }
}

pub(crate) struct Sha256(sha2::Sha256);
impl Sha256 {
    pub(crate) fn new() -> Self {
        Self(sha2::Sha256::new())
    }
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    pub(crate) fn finish(self) -> Vec<u8> {
        self.0.finalize().to_vec()
    }
}
