//! X.509 certificates for the platform key and the demo merchant, built from
//! x509-cert's types and signed with the core's RSA key (SHA256withRSA).
//!
//! Only what WeChat Pay clients read matters here: the serial number (what
//! `serial_no` and `Wechatpay-Serial` name), the validity period and the
//! public key. The certificates are self-signed; no client checks a chain.

use std::str::FromStr;
use std::time::SystemTime;

use wxpay_core::{Certificate, PrivateKey};
use x509_cert::der::asn1::{BitString, GeneralizedTime, UtcTime};
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::der::{Any, Decode, Encode};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::{Time, Validity};
use x509_cert::{TbsCertificate, Version};

use crate::clock::unix_seconds;
use crate::error::SandboxError;

const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");

/// Issues a self-signed certificate for `key` with an RFC 4514 subject.
pub(crate) fn self_signed(
    subject: &str,
    key: &PrivateKey,
    not_before: SystemTime,
    not_after: SystemTime,
) -> Result<Certificate, SandboxError> {
    self_signed_with(subject, key, not_before, not_after, None)
}

/// [`self_signed`] with X.509 extensions (e.g. the subject alternative
/// names a TLS server certificate needs).
pub(crate) fn self_signed_with(
    subject: &str,
    key: &PrivateKey,
    not_before: SystemTime,
    not_after: SystemTime,
    extensions: Option<Vec<x509_cert::ext::Extension>>,
) -> Result<Certificate, SandboxError> {
    if unix_seconds(not_after) <= unix_seconds(not_before) {
        return Err(SandboxError::Config(
            "certificate validity must end after it starts".into(),
        ));
    }
    let algorithm = AlgorithmIdentifierOwned {
        oid: SHA256_WITH_RSA,
        parameters: Some(Any::null()),
    };
    let name = Name::from_str(subject)?;
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::new(&random_serial()?)?,
        signature: algorithm.clone(),
        issuer: name.clone(),
        validity: Validity {
            not_before: x509_time(not_before)?,
            not_after: x509_time(not_after)?,
        },
        subject: name,
        subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(
            key.public_key().to_spki_der(),
        )?,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions,
    };
    let signature = key.sign_sha256(&tbs.to_der()?)?;
    let certificate = x509_cert::Certificate {
        tbs_certificate: tbs,
        signature_algorithm: algorithm,
        signature: BitString::from_bytes(&signature)?,
    };
    Ok(Certificate::from_der(&certificate.to_der()?)?)
}

/// 20 random bytes with the top bit clear and a non-zero first byte: a
/// positive serial without a DER sign byte, 40 hex digits like WeChat's.
fn random_serial() -> Result<[u8; 20], SandboxError> {
    let mut serial = [0u8; 20];
    crate::random::fill(&mut serial)?;
    serial[0] = 0x10 | (serial[0] & 0x6F);
    Ok(serial)
}

/// UTCTime up to 2049, GeneralizedTime after, as RFC 5280 requires.
fn x509_time(t: SystemTime) -> Result<Time, SandboxError> {
    let since_epoch = t.duration_since(SystemTime::UNIX_EPOCH).map_err(|_| {
        SandboxError::Config("certificate validity cannot start before 1970".into())
    })?;
    Ok(match UtcTime::from_unix_duration(since_epoch) {
        Ok(utc) => Time::UtcTime(utc),
        Err(_) => Time::GeneralTime(GeneralizedTime::from_unix_duration(since_epoch)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn certificates_parse_back_with_key_serial_and_validity() {
        let key = wxpay_core::unstable::generate_private_key().unwrap();
        let now = SystemTime::now();
        let start = now - Duration::from_secs(86_400);
        // Past 2049, so the GeneralizedTime branch is taken as well.
        let end = SystemTime::UNIX_EPOCH + Duration::from_secs(2_600_000_000);
        let cert = self_signed("CN=test,O=wxpay,C=CN", &key, start, end).unwrap();
        assert_eq!(cert.public_key(), key.public_key());
        assert_eq!(cert.serial().len(), 40);
        assert!(cert
            .serial()
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase()));
        assert_eq!(cert.not_before(), unix_seconds(start));
        assert_eq!(cert.not_after(), 2_600_000_000);
        assert!(cert.is_valid_at(unix_seconds(now)));
        let again = Certificate::from_pem(&cert.to_pem()).unwrap();
        assert_eq!(again.serial(), cert.serial());
    }

    #[test]
    fn inverted_validity_is_refused() {
        let key = wxpay_core::unstable::generate_private_key().unwrap();
        let now = SystemTime::now();
        assert!(matches!(
            self_signed("CN=x", &key, now, now - Duration::from_secs(1)),
            Err(SandboxError::Config(_))
        ));
    }
}
