//! What the answers say of WeChat Pay's keys: whether the APIv3 key
//! decrypts the certificate listing, and whether each answer verifies with
//! the configured public key or platform certificates (and if not, which
//! setting is wrong).

use serde::Deserialize;
use wxpay_core::{Certificate, Error, VerifyError, PUBLIC_KEY_ID_PREFIX};

use super::local::Loaded;
use super::probe::Probe;
use super::{same_serial, Class, Report};

#[derive(Deserialize)]
struct Listing {
    data: Vec<ListedCertificate>,
}

#[derive(Deserialize)]
struct ListedCertificate {
    serial_no: String,
    encrypt_certificate: EncryptedCertificate,
}

#[derive(Deserialize)]
struct EncryptedCertificate {
    ciphertext: String,
    nonce: String,
    #[serde(default)]
    associated_data: String,
}

/// Decrypts the certificate listing with the APIv3 key; returns the
/// certificates it holds (they verify the listing's own answer when none
/// are configured).
pub fn listing(
    loaded: &Loaded,
    probes: &[Probe],
    certificate_mode: bool,
    report: &mut Report,
) -> Vec<Certificate> {
    let listed = probes.iter().find_map(|p| match &p.outcome {
        Ok(raw) if raw.status == 200 => Some(raw),
        _ => None,
    });
    let not_found = probes
        .iter()
        .any(|p| matches!(&p.outcome, Err(Error::Api(e)) if e.status == 404));
    let Some(raw) = listed else {
        if not_found && certificate_mode && loaded.public_key.is_none() {
            report.fail(
                Class::WechatPayKeys,
                "platform certs",
                "WeChat Pay has no platform certificate for this merchant (v3/certificates \
                 answered 404): it is in public-key mode",
                "configure the WeChat Pay public key (--public-key-id, --public-key; \
                 商户平台 → 账户中心 → API安全 → 微信支付公钥)",
            );
        } else if not_found {
            report.skip(
                "APIv3 key",
                "public-key mode: no certificate listing to decrypt; check the key on a \
                 captured callback (wxpay notify --headers FILE --body FILE)",
            );
        }
        return Vec::new();
    };
    let Some(key) = &loaded.apiv3_key else {
        report.skip(
            "APIv3 key",
            "none configured: the certificate listing cannot be decrypted",
        );
        return Vec::new();
    };
    let listing: Listing = match raw.json() {
        Ok(listing) => listing,
        Err(e) => {
            report.warn(
                "APIv3 key",
                format!("the certificate listing does not decode: {}", e),
                "check the base URL: is it WeChat Pay's API?",
            );
            return Vec::new();
        }
    };
    let mut certificates = Vec::new();
    for entry in &listing.data {
        let encrypted = &entry.encrypt_certificate;
        let pem = match key.decrypt_to_string(
            &encrypted.ciphertext,
            &encrypted.nonce,
            &encrypted.associated_data,
        ) {
            Ok(pem) => pem,
            Err(_) => {
                report.fail(
                    Class::ApiV3Key,
                    "APIv3 key",
                    format!(
                        "it does not decrypt platform certificate {} of the listing: it is \
                         not this merchant's APIv3 key (callbacks will not decrypt either)",
                        entry.serial_no
                    ),
                    "copy the APIv3 key set in 商户平台 → 账户中心 → API安全 → APIv3密钥 \
                     (32 characters); if it is lost, set a new one there",
                );
                return Vec::new();
            }
        };
        match Certificate::from_pem(&pem) {
            Ok(certificate) if same_serial(certificate.serial(), &entry.serial_no) => {
                certificates.push(certificate)
            }
            _ => report.warn(
                "platform certs",
                format!(
                    "listed certificate {} decrypts to something else",
                    entry.serial_no
                ),
                "report it to WeChat Pay support with the Request-ID",
            ),
        }
    }
    let serials: Vec<&str> = certificates.iter().map(Certificate::serial).collect();
    report.ok(
        "APIv3 key",
        format!("decrypts the certificate listing ({})", serials.join(", ")),
    );
    for configured in &loaded.platform_certificates {
        if !serials.iter().any(|s| same_serial(s, configured.serial())) {
            report.warn(
                "platform certs",
                format!(
                    "the configured certificate {} is no longer listed by WeChat Pay",
                    configured.serial()
                ),
                "download the current ones: wxpay certificates --out DIR",
            );
        }
    }
    certificates
}

/// Verifies the answer with the configured keys (and `listed`, the
/// certificates the listing held, when none are configured), naming the key
/// at fault.
pub fn answer_signature(
    loaded: &Loaded,
    probe: &Probe,
    listed: &[Certificate],
    report: &mut Report,
) {
    let check = match &probe.named {
        Some(id) if id.starts_with(PUBLIC_KEY_ID_PREFIX) => "answer signature (public key)",
        _ => "answer signature (certificate)",
    };
    if probe.skewed() {
        report.skip(check, "cannot be judged while the clocks disagree");
        return;
    }
    let Some(recorded) = &probe.recorded else {
        match probe.status() {
            Some(status) if (200..300).contains(&status) => report.fail(
                Class::WechatPayKeys,
                check,
                format!("{} answered HTTP {status} without a signature", probe.host),
                "check the base URL: WeChat Pay signs every API answer",
            ),
            Some(status) => report.warn(
                check,
                format!(
                    "the HTTP {status} answer was not signed (a gateway in front of WeChat Pay?)"
                ),
                "check the base URL and the proxy",
            ),
            None => report.skip(check, "no answer to verify"),
        }
        return;
    };
    let keyring = loaded.keyring();
    for certificate in listed {
        keyring.add_certificate(certificate.clone());
    }
    let signed = recorded.signed();
    let serial = signed.serial;
    let by_public_key = serial.starts_with(PUBLIC_KEY_ID_PREFIX);
    if let Some(asked) = probe.named.as_deref() {
        if asked.starts_with(PUBLIC_KEY_ID_PREFIX) && asked != serial {
            let (detail, fix) = unknown_serial(loaded, serial, by_public_key);
            report.fail(
                Class::WechatPayKeys,
                check,
                format!("asked to sign with public key {asked}, WeChat Pay signed with {serial}: {detail}"),
                fix,
            );
            return;
        }
    }
    match keyring.verify_message(&signed) {
        Ok(()) => report.ok(
            check,
            format!(
                "verified: signed by {} {serial}",
                if by_public_key {
                    "public key"
                } else {
                    "platform certificate"
                }
            ),
        ),
        Err(VerifyError::UnknownSerial(_)) => {
            let (detail, fix) = unknown_serial(loaded, serial, by_public_key);
            report.fail(Class::WechatPayKeys, check, detail, fix);
        }
        Err(VerifyError::BadSignature) => {
            let (what, fix) = if by_public_key {
                (
                    "the public key file is not the key of this id",
                    "download the WeChat Pay public key again (商户平台 → 账户中心 → API安全 → \
                     微信支付公钥) and keep the id and the file together",
                )
            } else {
                (
                    "the certificate with this serial does not hold the key that signed",
                    "download the platform certificates again: wxpay certificates --out DIR",
                )
            };
            report.fail(
                Class::WechatPayKeys,
                check,
                format!("WeChat Pay signed with {serial}, which does not verify: {what}"),
                fix,
            );
        }
        Err(e) => report.fail(
            Class::WechatPayKeys,
            check,
            format!("signed by {serial}: {e}"),
            "download the current platform certificates (wxpay certificates --out DIR) or \
             configure the WeChat Pay public key",
        ),
    }
}

/// Why an answer's serial is unknown, and the fix.
fn unknown_serial(loaded: &Loaded, serial: &str, by_public_key: bool) -> (String, String) {
    let configured = loaded.public_key.as_ref().map(|(id, _)| id.as_str());
    match (by_public_key, configured) {
        (true, Some(id)) => (
            format!("WeChat Pay signs with public key {serial}, but the public key id configured is {id}"),
            format!(
                "set public_key_id to {serial} and public_key to its file (商户平台 → 账户中心 → \
                 API安全 → 微信支付公钥 shows both)"
            ),
        ),
        (true, None) => (
            format!(
                "WeChat Pay signs this merchant's answers with public key {serial}: the \
                 merchant is in public-key mode"
            ),
            format!(
                "configure the WeChat Pay public key: --public-key-id {serial} --public-key \
                 pub_key.pem (商户平台 → 账户中心 → API安全 → 微信支付公钥)"
            ),
        ),
        (false, Some(id)) => (
            format!(
                "WeChat Pay signed with platform certificate {serial}, not with the public key \
                 {id}: it does not know that public key for this merchant"
            ),
            "check public_key_id against 商户平台 → 账户中心 → API安全 → 微信支付公钥, or \
             trust the platform certificates (wxpay certificates --out DIR)"
                .to_owned(),
        ),
        (false, _) => {
            let have: Vec<&str> = loaded
                .platform_certificates
                .iter()
                .map(Certificate::serial)
                .collect();
            (
                format!(
                    "WeChat Pay signed with platform certificate {serial}, which is not among \
                     the trusted ones ({})",
                    if have.is_empty() { "none".to_owned() } else { have.join(", ") }
                ),
                format!(
                    "download the current platform certificates (wxpay certificates --out DIR) \
                     and trust DIR/wechatpay_{serial}.pem"
                ),
            )
        }
    }
}
