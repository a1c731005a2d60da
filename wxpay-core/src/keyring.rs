//! The keys WeChat Pay signs with, selected by `Wechatpay-Serial`: platform
//! certificates (serial = certificate serial number, uppercase hex) and WeChat
//! Pay public keys (`PUB_KEY_ID_...`), both at once during a migration.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use der::{Decode, Encode};

use crate::crypto::{hex_upper, PublicKey};
use crate::error::KeyError;

/// The prefix of WeChat Pay public key ids.
pub const PUBLIC_KEY_ID_PREFIX: &str = "PUB_KEY_ID_";

/// A WeChat Pay platform certificate (X.509), reduced to what verification needs.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    serial: String,
    public_key: PublicKey,
    not_before: i64,
    not_after: i64,
    der: Vec<u8>,
}

impl Certificate {
    /// Parses a PEM certificate (`BEGIN CERTIFICATE`; text around the block is ignored).
    ///
    /// Returns in time linear in the input, whatever it holds: PEM is read by
    /// this crate's own bounded reader, then the DER is decoded.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let mut first_other = None;
        for block in crate::crypto::pem::blocks(pem) {
            let block = block.map_err(|reason| KeyError::Malformed {
                what: "certificate",
                reason,
            })?;
            if block.label == "CERTIFICATE" {
                return Self::from_der(&block.der);
            }
            first_other.get_or_insert(block.label);
        }
        Err(match first_other {
            Some(found) => KeyError::WrongPemLabel {
                found,
                expected: "a certificate (`CERTIFICATE`)",
            },
            None => KeyError::NotPem {
                expected: "CERTIFICATE",
            },
        })
    }

    /// Loads a PEM certificate file.
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self, KeyError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| KeyError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::from_pem(&text)
    }

    /// Parses a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        let cert = x509_cert::Certificate::from_der(der).map_err(|e| KeyError::Malformed {
            what: "certificate",
            reason: e.to_string(),
        })?;
        Self::from_parsed(cert)
    }

    fn from_parsed(cert: x509_cert::Certificate) -> Result<Self, KeyError> {
        let malformed = |e: der::Error| KeyError::Malformed {
            what: "certificate",
            reason: e.to_string(),
        };
        let tbs = &cert.tbs_certificate;
        let serial = serial_hex(tbs.serial_number.as_bytes());
        let spki = tbs.subject_public_key_info.to_der().map_err(malformed)?;
        let public_key = PublicKey::from_spki_der(&spki)?;
        let seconds = |t: x509_cert::time::Time| t.to_unix_duration().as_secs() as i64;
        Ok(Self {
            serial,
            public_key,
            not_before: seconds(tbs.validity.not_before),
            not_after: seconds(tbs.validity.not_after),
            der: cert.to_der().map_err(malformed)?,
        })
    }

    /// The serial number as WeChat Pay writes it: uppercase hex, no leading zero byte.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// The certified public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// Start of validity, unix seconds.
    pub fn not_before(&self) -> i64 {
        self.not_before
    }

    /// End of validity, unix seconds.
    pub fn not_after(&self) -> i64 {
        self.not_after
    }

    /// Whether `now` (unix seconds) lies within the validity period.
    pub fn is_valid_at(&self, now: i64) -> bool {
        self.not_before <= now && now <= self.not_after
    }

    /// The certificate in DER.
    pub fn to_der(&self) -> &[u8] {
        &self.der
    }

    /// The certificate in PEM.
    pub fn to_pem(&self) -> String {
        crate::crypto::pem::encode("CERTIFICATE", &self.der)
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("serial", &self.serial)
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

fn serial_hex(bytes: &[u8]) -> String {
    // DER keeps a leading 0x00 on positive serials whose top bit is set; WeChat's serial omits it.
    let trimmed = match bytes {
        [0, rest @ ..] if !rest.is_empty() => rest,
        all => all,
    };
    hex_upper(trimmed)
}

/// A key WeChat Pay may sign with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerificationKey {
    /// A platform certificate, valid for a period.
    Certificate(Certificate),
    /// A WeChat Pay public key, with its `PUB_KEY_ID_...` id.
    PublicKey {
        /// The id, as sent in `Wechatpay-Serial`.
        id: String,
        /// The key.
        key: PublicKey,
    },
}

impl VerificationKey {
    /// The serial or id this key is selected by.
    pub fn serial(&self) -> &str {
        match self {
            VerificationKey::Certificate(c) => c.serial(),
            VerificationKey::PublicKey { id, .. } => id,
        }
    }

    /// The RSA public key.
    pub fn public_key(&self) -> &PublicKey {
        match self {
            VerificationKey::Certificate(c) => c.public_key(),
            VerificationKey::PublicKey { key, .. } => key,
        }
    }
}

/// The set of trusted WeChat Pay keys of one merchant, shared by clones.
///
/// Each client has its own keyring (no global state), so many merchants can
/// live in one process. Cloning shares the set: a certificate added through one
/// clone is seen by all.
#[derive(Clone, Default)]
pub struct Keyring(Arc<RwLock<HashMap<String, VerificationKey>>>);

impl Keyring {
    /// An empty keyring.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a platform certificate; returns its serial.
    pub fn add_certificate(&self, certificate: Certificate) -> String {
        let serial = certificate.serial().to_owned();
        self.write()
            .insert(serial.clone(), VerificationKey::Certificate(certificate));
        serial
    }

    /// Parses and adds a PEM platform certificate; returns its serial.
    pub fn add_certificate_pem(&self, pem: &str) -> Result<String, KeyError> {
        Ok(self.add_certificate(Certificate::from_pem(pem)?))
    }

    /// Adds (or replaces) a WeChat Pay public key under its id (`PUB_KEY_ID_...`).
    pub fn add_public_key(&self, id: &str, key: PublicKey) -> Result<(), KeyError> {
        if !id.starts_with(PUBLIC_KEY_ID_PREFIX) || id.len() == PUBLIC_KEY_ID_PREFIX.len() {
            return Err(KeyError::Malformed {
                what: "WeChat Pay public key id",
                reason: format!("{id:?} does not start with {PUBLIC_KEY_ID_PREFIX}"),
            });
        }
        self.write().insert(
            id.to_owned(),
            VerificationKey::PublicKey {
                id: id.to_owned(),
                key,
            },
        );
        Ok(())
    }

    /// Parses and adds a PEM WeChat Pay public key (`pub_key.pem`).
    pub fn add_public_key_pem(&self, id: &str, pem: &str) -> Result<(), KeyError> {
        self.add_public_key(id, PublicKey::from_pem(pem)?)
    }

    /// Removes the key with this serial or id; returns whether it was there.
    pub fn remove(&self, serial: &str) -> bool {
        self.write().remove(serial).is_some()
    }

    /// Drops certificates that expired before `now` (unix seconds); returns their serials.
    pub fn remove_expired(&self, now: i64) -> Vec<String> {
        let mut map = self.write();
        let expired: Vec<String> = map
            .values()
            .filter_map(|k| match k {
                VerificationKey::Certificate(c) if c.not_after() < now => Some(c.serial().into()),
                _ => None,
            })
            .collect();
        for serial in &expired {
            map.remove(serial);
        }
        expired
    }

    /// The key with this serial or id.
    pub fn get(&self, serial: &str) -> Option<VerificationKey> {
        self.read().get(serial).cloned()
    }

    /// All serials and ids, sorted.
    pub fn serials(&self) -> Vec<String> {
        let mut serials: Vec<String> = self.read().keys().cloned().collect();
        serials.sort();
        serials
    }

    /// Whether no key is trusted.
    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    /// The key to encrypt sensitive request fields with: the WeChat Pay public
    /// key if one is configured (WeChat's direction for new merchants), else
    /// the currently valid certificate that expires last.
    pub fn encryptor(&self) -> Option<crate::Encryptor> {
        self.encryption_key().as_ref().map(crate::Encryptor::from)
    }

    /// The serial of the valid platform certificate that expires last.
    pub(crate) fn newest_certificate(&self) -> Option<String> {
        let now = unix_now();
        self.read()
            .values()
            .filter_map(|k| match k {
                VerificationKey::Certificate(c) if c.is_valid_at(now) => Some(c),
                _ => None,
            })
            .max_by_key(|c| c.not_after())
            .map(|c| c.serial().to_owned())
    }

    fn encryption_key(&self) -> Option<VerificationKey> {
        let now = unix_now();
        let map = self.read();
        let public = map
            .values()
            .filter(|k| matches!(k, VerificationKey::PublicKey { .. }))
            .min_by(|a, b| a.serial().cmp(b.serial()));
        if let Some(key) = public {
            return Some(key.clone());
        }
        map.values()
            .filter_map(|k| match k {
                VerificationKey::Certificate(c) if c.is_valid_at(now) => Some(c),
                _ => None,
            })
            .max_by_key(|c| c.not_after())
            .cloned()
            .map(VerificationKey::Certificate)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, VerificationKey>> {
        // A panic elsewhere while holding the lock cannot leave the map half-written
        // (every write is a single insert/remove), so a poisoned lock is still usable.
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, VerificationKey>> {
        self.0.write().unwrap_or_else(|e| e.into_inner())
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("serials", &self.serials())
            .finish()
    }
}

pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_drops_the_der_sign_byte() {
        assert_eq!(serial_hex(&[0x00, 0x9A, 0x01]), "9A01");
        assert_eq!(serial_hex(&[0x51, 0x57]), "5157");
        assert_eq!(serial_hex(&[0x00]), "00");
    }

    #[test]
    fn public_key_ids_must_have_the_prefix() {
        let ring = Keyring::new();
        let key = crate::crypto::PrivateKey::generate().unwrap();
        assert!(ring
            .add_public_key("12345", key.public_key().clone())
            .is_err());
        assert!(ring
            .add_public_key("PUB_KEY_ID_0112", key.public_key().clone())
            .is_ok());
        assert_eq!(ring.serials(), vec!["PUB_KEY_ID_0112".to_string()]);
    }
}
