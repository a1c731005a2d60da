//! A bounded reader of the PKCS#12 files (RFC 7292) WeChat Pay hands
//! merchants (`apiclient_cert.p12`) and OpenSSL or Python's `cryptography`
//! write: the MAC checked first (HMAC-SHA1 or HMAC-SHA256 keyed by the
//! PKCS#12 KDF), then `data` and `encryptedData` contents, their
//! certificate, key and shrouded key bags.
//!
//! Encryption read: pbeWithSHAAnd3-KeyTripleDES-CBC and
//! pbeWithSHAAnd40BitRC2-CBC (WeChat's legacy files), PBES2 with PBKDF2
//! (HMAC-SHA1/SHA-256) and AES-128/192/256-CBC (OpenSSL 3's default).
//! Every count and the iteration counts are bounded; a file without a MAC
//! or with public-key integrity is refused.

mod der;
mod error;
mod pbe;

use ::der::asn1::{AnyRef, ObjectIdentifier};
use ::der::{Tag, Tagged};
use zeroize::Zeroizing;

use self::der::{
    element, explicit0, fields, implicit0_octets, items, octets, oid, unsigned, Result,
};
pub use self::error::Pkcs12Error;
use self::pbe::{decrypt, verify_mac, Password};

/// The largest file read (WeChat's is about 3 KB).
const MAX_BYTES: usize = 256 * 1024;
/// Content infos in the AuthenticatedSafe (files have two).
const MAX_CONTENTS: usize = 16;
/// Bags in all contents together (a key, its certificate, a few CAs).
const MAX_BAGS: usize = 64;
/// Attributes on one bag (files have one or two).
const MAX_ATTRIBUTES: usize = 16;

const DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.1");
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
const LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");

/// What a PKCS#12 file carries for mutual TLS: the certificate chain (the
/// key's own certificate first) and the private key (PKCS#8 DER, wiped on
/// drop).
pub(crate) struct Identity {
    pub(crate) chain: Vec<Vec<u8>>,
    pub(crate) key: Zeroizing<Vec<u8>>,
}

impl Identity {
    /// The certificates and the key as PEM (`CERTIFICATE` blocks, then
    /// `PRIVATE KEY`), in a buffer wiped on drop.
    pub(crate) fn to_pem(&self) -> Result<Zeroizing<Vec<u8>>> {
        let le = ::der::pem::LineEnding::LF;
        let blocks: Vec<(&str, &[u8])> = self
            .chain
            .iter()
            .map(|c| ("CERTIFICATE", c.as_slice()))
            .chain([("PRIVATE KEY", self.key.as_slice())])
            .collect();
        let mut total = 0;
        for (label, bytes) in &blocks {
            total += ::der::pem::encoded_len(label, le, bytes)
                .map_err(|_| Pkcs12Error::Malformed("PEM encoding"))?;
        }
        // Sized once: no reallocation leaves a copy of the key behind.
        let mut pem = Zeroizing::new(vec![0u8; total]);
        let mut at = 0;
        for (label, bytes) in blocks {
            at += ::der::pem::encode(label, le, bytes, &mut pem[at..])
                .map_err(|_| Pkcs12Error::Malformed("PEM encoding"))?
                .len();
        }
        pem.truncate(at);
        Ok(pem)
    }
}

/// Whether the MAC is checked: always, but for the fuzz target, which
/// could not get past it otherwise (and gets nothing out).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mac {
    Verify,
    Skip,
}

/// What [`merchant_certificate_pkcs12`](crate::v2::V2ClientBuilder::merchant_certificate_pkcs12)
/// presents, as PEM, for the tests to compare with the PEM files a
/// PKCS#12 file was made from.
#[doc(hidden)]
pub fn read_pem(pfx: &[u8], password: &str) -> Result<Zeroizing<Vec<u8>>> {
    read(pfx, password, Mac::Verify)?.to_pem()
}

/// The fuzz target's entry: reads `pfx` with its MAC checked, then again
/// without, and drops what it finds.
#[doc(hidden)]
pub fn fuzz(pfx: &[u8], password: &str) {
    for mac in [Mac::Verify, Mac::Skip] {
        if let Ok(identity) = read(pfx, password, mac) {
            let _ = identity.to_pem();
        }
    }
}

/// Reads a DER PKCS#12 file: verifies its MAC with `password`, decrypts
/// what is encrypted, and returns the key with its certificate chain.
pub(crate) fn read(pfx: &[u8], password: &str, mac: Mac) -> Result<Identity> {
    if pfx.len() > MAX_BYTES {
        return Err(Pkcs12Error::Limit {
            what: "bytes",
            limit: MAX_BYTES,
        });
    }
    if pfx.get(1) == Some(&0x80) {
        // What some Windows, Java and macOS exports write.
        return Err(Pkcs12Error::Malformed(
            "BER with indefinite lengths, not DER (convert with openssl pkcs12)",
        ));
    }
    let password = Password::new(password);
    // PFX: SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData MacData OPTIONAL }
    let parts = fields(element(pfx, "PFX")?, "PFX", 2, 3)?;
    if unsigned(&parts[0], "PFX version")? != 3 {
        return Err(Pkcs12Error::Malformed("PFX version is not 3"));
    }
    let (content_type, content) = content_info(parts[1], "authSafe")?;
    if content_type != DATA {
        return Err(Pkcs12Error::Unsupported {
            what: "integrity mode (content type)",
            oid: content_type.to_string(),
        });
    }
    let safe = octets(&element(content, "authSafe content")?, "authSafe content")?;
    if mac == Mac::Verify {
        let mac_data = parts.get(2).ok_or(Pkcs12Error::NoMac)?;
        verify_mac(*mac_data, &password, safe)?;
    }
    let mut found = Found::default();
    for info in items(
        element(safe, "AuthenticatedSafe")?,
        Tag::Sequence,
        "content infos",
        MAX_CONTENTS,
    )? {
        let (content_type, content) = content_info(info, "ContentInfo")?;
        if content_type == DATA {
            let contents = octets(&element(content, "data")?, "data")?;
            found.bags(contents, &password)?;
        } else if content_type == ENCRYPTED_DATA {
            let contents = decrypt_content(content, &password)?;
            found.bags(&contents, &password)?;
        } else {
            return Err(Pkcs12Error::Unsupported {
                what: "content type",
                oid: content_type.to_string(),
            });
        }
    }
    found.identity()
}

/// ContentInfo: SEQUENCE { contentType OID, content [0] EXPLICIT ANY }.
fn content_info<'a>(any: AnyRef<'a>, what: &'static str) -> Result<(ObjectIdentifier, &'a [u8])> {
    let parts = fields(any, what, 2, 2)?;
    Ok((oid(&parts[0], what)?, explicit0(&parts[1], what)?))
}

/// EncryptedData: SEQUENCE { version, EncryptedContentInfo { contentType,
/// contentEncryptionAlgorithm, encryptedContent [0] IMPLICIT OCTET STRING } }.
fn decrypt_content(content: &[u8], password: &Password<'_>) -> Result<Zeroizing<Vec<u8>>> {
    let parts = fields(element(content, "EncryptedData")?, "EncryptedData", 2, 2)?;
    unsigned(&parts[0], "EncryptedData version")?;
    let info = fields(parts[1], "EncryptedContentInfo", 3, 3)?;
    if oid(&info[0], "EncryptedContentInfo")? != DATA {
        return Err(Pkcs12Error::Malformed("encrypted content is not data"));
    }
    let data = implicit0_octets(&info[2], "encryptedContent")?;
    decrypt(info[1], password, data)
}

/// A bag's `localKeyId` attribute, which pairs a key with its certificate.
type KeyId = Option<Vec<u8>>;

/// The bags found so far.
#[derive(Default)]
struct Found {
    bags: usize,
    keys: Vec<(Zeroizing<Vec<u8>>, KeyId)>,
    certificates: Vec<(Vec<u8>, KeyId)>,
}

impl Found {
    /// SafeContents: SEQUENCE OF SafeBag { bagId OID, bagValue [0] EXPLICIT
    /// ANY, bagAttributes SET OF Attribute OPTIONAL }. Other bag types
    /// (CRLs, secrets, nested contents) are skipped.
    fn bags(&mut self, contents: &[u8], password: &Password<'_>) -> Result<()> {
        let left = MAX_BAGS - self.bags;
        let bags = items(
            element(contents, "SafeContents")?,
            Tag::Sequence,
            "bags",
            left,
        )
        .map_err(|e| match e {
            Pkcs12Error::Limit { what, .. } => Pkcs12Error::Limit {
                what,
                limit: MAX_BAGS,
            },
            e => e,
        })?;
        self.bags += bags.len();
        for bag in bags {
            let parts = fields(bag, "SafeBag", 2, 3)?;
            let kind = oid(&parts[0], "SafeBag")?;
            let value = explicit0(&parts[1], "SafeBag value")?;
            let key_id = match parts.get(2) {
                Some(attributes) => local_key_id(*attributes)?,
                None => None,
            };
            if kind == KEY_BAG {
                element(value, "PrivateKeyInfo")?;
                self.keys.push((Zeroizing::new(value.to_vec()), key_id));
            } else if kind == SHROUDED_KEY_BAG {
                // EncryptedPrivateKeyInfo: SEQUENCE { algorithm, encryptedData OCTET STRING }
                let info = fields(
                    element(value, "EncryptedPrivateKeyInfo")?,
                    "EncryptedPrivateKeyInfo",
                    2,
                    2,
                )?;
                let data = octets(&info[1], "EncryptedPrivateKeyInfo")?;
                let key = decrypt(info[0], password, data)?;
                element(&key, "PrivateKeyInfo")?;
                self.keys.push((key, key_id));
            } else if kind == CERT_BAG {
                // CertBag: SEQUENCE { certId OID, certValue [0] EXPLICIT OCTET STRING }
                let cert = fields(element(value, "CertBag")?, "CertBag", 2, 2)?;
                if oid(&cert[0], "CertBag")? != X509_CERTIFICATE {
                    continue;
                }
                let der = octets(
                    &element(explicit0(&cert[1], "CertBag")?, "CertBag")?,
                    "CertBag",
                )?;
                let any = element(der, "certificate")?;
                if any.tag() != Tag::Sequence {
                    return Err(Pkcs12Error::Malformed("certificate"));
                }
                self.certificates.push((der.to_vec(), key_id));
            }
        }
        Ok(())
    }

    /// The key and its chain: the certificate whose `localKeyId` is the
    /// key's (or the only certificate, or the one with the RSA key's
    /// modulus) first, the others in file order.
    fn identity(mut self) -> Result<Identity> {
        let (key, key_id) = match self.keys.len() {
            0 => return Err(Pkcs12Error::NoKey),
            1 => self.keys.remove(0),
            _ => return Err(Pkcs12Error::SeveralKeys),
        };
        let leaf = match &key_id {
            Some(id) => self
                .certificates
                .iter()
                .position(|(_, cert_id)| cert_id.as_ref() == Some(id)),
            None => None,
        };
        let leaf = match (leaf, self.certificates.len()) {
            (Some(i), _) => i,
            (None, 1) => 0,
            _ => self
                .certificates
                .iter()
                .position(|(cert, _)| same_rsa_key(&key, cert))
                .ok_or(Pkcs12Error::NoCertificate)?,
        };
        let mut chain = vec![self.certificates.remove(leaf).0];
        chain.extend(self.certificates.into_iter().map(|(cert, _)| cert));
        Ok(Identity { chain, key })
    }
}

/// Whether `cert` is for the RSA key `pkcs8` (the same modulus), for files
/// that pair them without `localKeyId`. Reads the key in place: no copy.
fn same_rsa_key(pkcs8: &[u8], cert: &[u8]) -> bool {
    use ::der::Decode;
    let Ok(info) = pkcs8::PrivateKeyInfo::from_der(pkcs8) else {
        return false;
    };
    let Ok(private) = pkcs1::RsaPrivateKey::from_der(info.private_key) else {
        return false;
    };
    let Ok(cert) = x509_cert::Certificate::from_der(cert) else {
        return false;
    };
    let spki = &cert.tbs_certificate.subject_public_key_info;
    let Some(public) = spki.subject_public_key.as_bytes() else {
        return false;
    };
    pkcs1::RsaPublicKey::from_der(public)
        .is_ok_and(|public| public.modulus.as_bytes() == private.modulus.as_bytes())
}

/// The `localKeyId` among a bag's attributes (SET OF SEQUENCE { attrId
/// OID, attrValues SET OF ANY }), if any.
fn local_key_id(attributes: AnyRef<'_>) -> Result<KeyId> {
    for attribute in items(attributes, Tag::Set, "bag attributes", MAX_ATTRIBUTES)? {
        let parts = fields(attribute, "bag attribute", 2, 2)?;
        if oid(&parts[0], "bag attribute")? != LOCAL_KEY_ID {
            continue;
        }
        let values = items(parts[1], Tag::Set, "localKeyId values", 1)
            .map_err(|_| Pkcs12Error::Malformed("localKeyId"))?;
        let id = values.first().ok_or(Pkcs12Error::Malformed("localKeyId"))?;
        return Ok(Some(octets(id, "localKeyId")?.to_vec()));
    }
    Ok(None)
}

#[cfg(test)]
mod tests;
