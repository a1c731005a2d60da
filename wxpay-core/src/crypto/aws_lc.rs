//! The default backend: aws-lc-rs (the library rustls already builds).

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{
    KeyPair, KeySize, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, PrivateDecryptingKey,
    PublicEncryptingKey, OAEP_SHA1_MGF1SHA1,
};
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};
use aws_lc_rs::{aead, digest};

use crate::error::CryptoError;

pub(crate) const NAME: &str = "aws-lc-rs";

pub(crate) struct RsaPrivate {
    signing: KeyPair,
    decrypting: OaepPrivateDecryptingKey,
}

impl RsaPrivate {
    pub(crate) fn from_pkcs8(der: &[u8]) -> Result<Self, String> {
        let signing = KeyPair::from_pkcs8(der).map_err(|e| e.to_string())?;
        let decrypting = PrivateDecryptingKey::from_pkcs8(der).map_err(|e| e.to_string())?;
        let decrypting = OaepPrivateDecryptingKey::new(decrypting).map_err(|e| e.to_string())?;
        Ok(Self {
            signing,
            decrypting,
        })
    }

    pub(crate) fn generate_pkcs8() -> Result<Vec<u8>, String> {
        let key = KeyPair::generate(KeySize::Rsa2048).map_err(|e| e.to_string())?;
        let der: Pkcs8V1Der<'static> = key.as_der().map_err(|e| e.to_string())?;
        Ok(der.as_ref().to_vec())
    }

    pub(crate) fn modulus_bits(&self) -> usize {
        self.signing.public_modulus_len() * 8
    }

    pub(crate) fn sign_sha256(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let mut signature = vec![0; self.signing.public_modulus_len()];
        self.signing
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .map_err(|e| e.to_string())?;
        Ok(signature)
    }

    pub(crate) fn decrypt_oaep_sha1(&self, ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut out = vec![0; self.decrypting.min_output_size()];
        let len = self
            .decrypting
            .decrypt(&OAEP_SHA1_MGF1SHA1, ciphertext, &mut out, None)
            .map_err(|_| CryptoError::Oaep("decryption failed"))?
            .len();
        out.truncate(len);
        Ok(out)
    }
}

pub(crate) struct RsaPublic {
    verifying: ParsedPublicKey,
    encrypting: OaepPublicEncryptingKey,
    bits: usize,
}

impl RsaPublic {
    pub(crate) fn from_spki(der: &[u8]) -> Result<Self, String> {
        let verifying =
            ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der).map_err(|e| e.to_string())?;
        let encrypting = PublicEncryptingKey::from_der(der).map_err(|e| e.to_string())?;
        let bits = encrypting.key_size_bits();
        let encrypting = OaepPublicEncryptingKey::new(encrypting).map_err(|e| e.to_string())?;
        Ok(Self {
            verifying,
            encrypting,
            bits,
        })
    }

    pub(crate) fn modulus_bits(&self) -> usize {
        self.bits
    }

    pub(crate) fn verify_sha256(&self, message: &[u8], signature: &[u8]) -> bool {
        self.verifying.verify_sig(message, signature).is_ok()
    }

    pub(crate) fn encrypt_oaep_sha1(&self, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut out = vec![0; self.encrypting.ciphertext_size()];
        let len = self
            .encrypting
            .encrypt(&OAEP_SHA1_MGF1SHA1, plaintext, &mut out, None)
            .map_err(|_| CryptoError::Oaep("encryption failed (plaintext too long?)"))?
            .len();
        out.truncate(len);
        Ok(out)
    }
}

fn aes_key(key: &[u8; 32]) -> Result<aead::LessSafeKey, CryptoError> {
    aead::UnboundKey::new(&aead::AES_256_GCM, key)
        .map(aead::LessSafeKey::new)
        .map_err(|_| CryptoError::InvalidApiV3Key(key.len()))
}

pub(crate) fn aes_256_gcm_open(
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    ciphertext_and_tag: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let mut buf = ciphertext_and_tag.to_vec();
    let len = aes_key(key)?
        .open_in_place(
            aead::Nonce::assume_unique_for_key(*nonce),
            aead::Aad::from(aad),
            &mut buf,
        )
        .map_err(|_| CryptoError::AeadAuthentication)?
        .len();
    buf.truncate(len);
    Ok(buf)
}

pub(crate) fn aes_256_gcm_seal(
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let mut buf = plaintext.to_vec();
    aes_key(key)?
        .seal_in_place_append_tag(
            aead::Nonce::assume_unique_for_key(*nonce),
            aead::Aad::from(aad),
            &mut buf,
        )
        .map_err(|_| CryptoError::AeadAuthentication)?;
    Ok(buf)
}

pub(crate) struct Sha1(digest::Context);
impl Sha1 {
    pub(crate) fn new() -> Self {
        Self(digest::Context::new(&digest::SHA1_FOR_LEGACY_USE_ONLY))
    }
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    pub(crate) fn finish(self) -> Vec<u8> {
        self.0.finish().as_ref().to_vec()
    }
}

pub(crate) struct Sha256(digest::Context);
impl Sha256 {
    pub(crate) fn new() -> Self {
        Self(digest::Context::new(&digest::SHA256))
    }
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    pub(crate) fn finish(self) -> Vec<u8> {
        self.0.finish().as_ref().to_vec()
    }
}
