//! The checks that need no network: which settings are there, who may read
//! the key files, whether the private key, the merchant certificate and the
//! serial belong together, whether the keys trusted as WeChat Pay's are
//! WeChat Pay's, and the APIv3 key's shape.

use std::path::Path;

use wxpay_core::{ApiV3Key, Certificate, Keyring, PrivateKey, PublicKey};

use super::{same_serial, unix_now, Class, Report};
use crate::commands::rfc3339;
use crate::config::{load_certificate, load_public_key, KeySource, Resolved};

/// A merchant API certificate expiring within this many days is warned about.
const EXPIRY_WARNING_DAYS: i64 = 30;

/// What the local checks could load, for the checks against the hosts.
#[derive(Default)]
pub struct Loaded {
    pub mchid: Option<String>,
    pub serial: Option<String>,
    pub private_key: Option<PrivateKey>,
    /// The merchant certificate, when given and it belongs to the private key.
    pub merchant_certificate: Option<Certificate>,
    /// Whether the private key, certificate and serial were found to agree.
    pub identity_checked: bool,
    /// The WeChat Pay public key and its id.
    pub public_key: Option<(String, PublicKey)>,
    pub platform_certificates: Vec<Certificate>,
    pub apiv3_key: Option<ApiV3Key>,
}

impl Loaded {
    /// The trusted WeChat Pay keys, as the client would hold them.
    pub fn keyring(&self) -> Keyring {
        let keyring = Keyring::new();
        if let Some((id, key)) = &self.public_key {
            // The id was checked when it was loaded.
            let _ = keyring.add_public_key(id, key.clone());
        }
        for certificate in &self.platform_certificates {
            keyring.add_certificate(certificate.clone());
        }
        keyring
    }
}

/// Runs the local checks in order and returns what loaded.
pub fn check(config: &Resolved, report: &mut Report) -> Loaded {
    let mut loaded = Loaded::default();
    settings(config, report, &mut loaded);
    permissions(config, report);
    private_key(config, report, &mut loaded);
    merchant_certificate(config, report, &mut loaded);
    public_key(config, report, &mut loaded);
    platform_certificates(config, report, &mut loaded);
    apiv3_key(config, report, &mut loaded);
    loaded
}

fn settings(config: &Resolved, report: &mut Report, loaded: &mut Loaded) {
    let mut missing = Vec::new();
    match config.mchid() {
        Ok(mchid) => loaded.mchid = Some(mchid.to_owned()),
        Err(e) => missing.push(e.to_string()),
    }
    match config.merchant_serial() {
        Ok(serial) if serial.bytes().all(|b| b.is_ascii_hexdigit()) => {
            loaded.serial = Some(serial.to_ascii_uppercase());
        }
        Ok(serial) => missing.push(format!(
            "merchant serial {serial:?} is not hexadecimal (it is the serial number of \
             apiclient_cert.pem, e.g. 5157F09EFDC096DE15EBE81A47057A7232F1B8E1)"
        )),
        // The serial comes from the certificate (checked below).
        Err(_) if config.merchant_certificate_path().is_some() => {}
        Err(_) => missing.push(
            "no merchant certificate: give --merchant-certificate apiclient_cert.pem \
             (or its serial with --merchant-serial)"
                .into(),
        ),
    }
    if config.private_key_path().is_none() {
        missing.push("no merchant private key: give --private-key apiclient_key.pem".into());
    }
    let (id, key) = config.public_key_setting();
    let trusts = (id.is_some() && key.is_some())
        || !config.platform_certificate_paths().is_empty()
        || config.apiv3_key_source().is_some();
    if !trusts {
        missing.push(
            "nothing to verify WeChat Pay's answers with: give the WeChat Pay public key \
             (--public-key-id, --public-key), platform certificates (--platform-certificate) \
             or the APIv3 key (to download the certificates)"
                .into(),
        );
    }
    if missing.is_empty() {
        let mode = match (
            id.is_some(),
            !config.platform_certificate_paths().is_empty(),
        ) {
            (true, true) => "both: WeChat Pay public key and platform certificates (a switch)",
            (true, false) => "public-key mode",
            (false, true) => "certificate mode",
            (false, false) => "certificate mode (certificates downloaded with the APIv3 key)",
        };
        report.ok(
            "settings",
            format!(
                "mchid {}, merchant serial {}, {mode}",
                loaded.mchid.as_deref().unwrap_or_default(),
                loaded
                    .serial
                    .as_deref()
                    .unwrap_or("from the merchant certificate")
            ),
        );
    } else {
        for problem in missing {
            report.fail(
                Class::Settings,
                "settings",
                problem,
                "set it with the flag, the environment variable or the profile key named",
            );
        }
    }
}

/// Secret files must be readable by their owner only.
fn permissions(config: &Resolved, report: &mut Report) {
    let mut secrets: Vec<(&str, &Path)> = Vec::new();
    if let Some(path) = config.private_key_path() {
        secrets.push(("merchant private key", path));
    }
    if let Some(KeySource::File(path)) = config.apiv3_key_source() {
        secrets.push(("APIv3 key", path));
    }
    if secrets.is_empty() {
        report.skip("key files", "no key file configured");
        return;
    }
    let mut fine = Vec::new();
    for (what, path) in secrets {
        match open_to_others(path) {
            Ok(None) => fine.push(path.display().to_string()),
            Ok(Some(mode)) => report.fail(
                Class::Permissions,
                "key files",
                format!(
                    "{} ({what}) can be read by its group or others (mode {mode:04o})",
                    path.display()
                ),
                format!(
                    "chmod 600 {} (and keep it off shared disks and out of version control)",
                    path.display()
                ),
            ),
            // Unreadable files are reported by the check that loads them.
            Err(_) => {}
        }
    }
    if !fine.is_empty() {
        report.ok(
            "key files",
            format!("{}: readable by the owner only", fine.join(", ")),
        );
    }
}

/// The permission bits beyond the owner's, if any are set.
#[cfg(unix)]
fn open_to_others(path: &Path) -> std::io::Result<Option<u32>> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)?.permissions().mode() & 0o7777;
    Ok((mode & 0o077 != 0).then_some(mode))
}

#[cfg(not(unix))]
fn open_to_others(_: &Path) -> std::io::Result<Option<u32>> {
    // Windows ACLs are not modes; nothing to say here.
    Ok(None)
}

fn private_key(config: &Resolved, report: &mut Report, loaded: &mut Loaded) {
    let Some(path) = config.private_key_path() else {
        return;
    };
    match config.private_key() {
        Ok(key) => {
            report.ok(
                "private key",
                format!("{}: an RSA private key", path.display()),
            );
            loaded.private_key = Some(key);
        }
        Err(e) => report.fail(
            Class::Settings,
            "private key",
            e.to_string(),
            "give the merchant API private key apiclient_key.pem (PEM, PKCS#8 or PKCS#1), \
             as downloaded with the API certificate",
        ),
    }
}

fn merchant_certificate(config: &Resolved, report: &mut Report, loaded: &mut Loaded) {
    let Some(path) = config.merchant_certificate_path() else {
        report.skip(
            "merchant cert",
            "no merchant certificate to check the private key and serial against offline \
             (--merchant-certificate apiclient_cert.pem); the request below checks them",
        );
        return;
    };
    let certificate = match load_certificate(path) {
        Ok(certificate) => certificate,
        Err(e) => {
            report.fail(
                Class::Settings,
                "merchant cert",
                e.to_string(),
                "give the merchant API certificate apiclient_cert.pem (PEM)",
            );
            return;
        }
    };
    let name = path.display();
    let now = unix_now();
    let mut agrees = true;
    if now > certificate.not_after() {
        agrees = false;
        report.fail(
            Class::Merchant,
            "merchant cert",
            format!(
                "{name} expired on {}: WeChat Pay refuses requests signed under it",
                rfc3339(certificate.not_after())
            ),
            "apply for a new API certificate (商户平台 → 账户中心 → API安全 → API证书) \
             and configure its key, file and serial",
        );
    } else if certificate.not_after() - now < EXPIRY_WARNING_DAYS * 86_400 {
        report.warn(
            "merchant cert",
            format!("{name} expires on {}", rfc3339(certificate.not_after())),
            "apply for a new API certificate before then (商户平台 → API安全 → API证书)",
        );
    }
    if let Some(key) = &loaded.private_key {
        if key.public_key() != certificate.public_key() {
            agrees = false;
            report.fail(
                Class::Merchant,
                "merchant cert",
                format!(
                    "the private key {} does not belong to {name}: WeChat Pay answers \
                     SIGN_ERROR to everything it signs",
                    config
                        .private_key_path()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                ),
                "use the apiclient_key.pem generated together with this apiclient_cert.pem \
                 (the certificate tool's output folder), or the certificate of this key",
            );
        }
    }
    if loaded.serial.is_none() && loaded.mchid.is_some() {
        // No serial configured: the client takes the certificate's.
        loaded.serial = Some(certificate.serial().to_ascii_uppercase());
    }
    if let Some(serial) = &loaded.serial {
        if !same_serial(serial, certificate.serial()) {
            agrees = false;
            report.fail(
                Class::Merchant,
                "merchant serial",
                format!(
                    "{serial} is not the serial of {name} ({}): WeChat Pay answers SIGN_ERROR",
                    certificate.serial()
                ),
                format!(
                    "set merchant_serial to {} (--merchant-serial, WXPAY_MERCHANT_SERIAL)",
                    certificate.serial()
                ),
            );
        }
    }
    if agrees && loaded.private_key.is_some() && loaded.serial.is_some() {
        loaded.identity_checked = true;
        report.ok(
            "merchant cert",
            format!(
                "{name}: serial {}, valid until {}, certifies the private key",
                certificate.serial(),
                rfc3339(certificate.not_after())
            ),
        );
    }
    loaded.merchant_certificate = Some(certificate);
}

/// Whether `key` is the merchant's own, mistaken for WeChat Pay's.
fn is_merchants(loaded: &Loaded, key: &PublicKey) -> bool {
    loaded
        .private_key
        .as_ref()
        .is_some_and(|private| private.public_key() == key)
        || loaded
            .merchant_certificate
            .as_ref()
            .is_some_and(|certificate| certificate.public_key() == key)
}

fn public_key(config: &Resolved, report: &mut Report, loaded: &mut Loaded) {
    let (id, path) = match config.public_key_setting() {
        (None, None) => return,
        (Some(id), Some(path)) => (id, path),
        (Some(_), None) | (None, Some(_)) => {
            report.fail(
                Class::Settings,
                "public key",
                "the WeChat Pay public key needs both its id and its file",
                "give --public-key-id PUB_KEY_ID_... and --public-key pub_key.pem \
                 (商户平台 → 账户中心 → API安全 → 微信支付公钥)",
            );
            return;
        }
    };
    let key = match load_public_key(path) {
        Ok(key) => key,
        Err(e) => {
            report.fail(
                Class::Settings,
                "public key",
                e.to_string(),
                "give the WeChat Pay public key file pub_key.pem (PEM) downloaded from \
                 商户平台 → 账户中心 → API安全 → 微信支付公钥",
            );
            return;
        }
    };
    if let Err(e) = Keyring::new().add_public_key(id, key.clone()) {
        report.fail(
            Class::WechatPayKeys,
            "public key",
            e.to_string(),
            "copy the public key id exactly as the merchant platform shows it: PUB_KEY_ID_ and digits",
        );
        return;
    }
    if is_merchants(loaded, &key) {
        report.fail(
            Class::WechatPayKeys,
            "public key",
            format!(
                "{} is the merchant's own public key, not WeChat Pay's",
                path.display()
            ),
            "download WeChat Pay's public key (商户平台 → 账户中心 → API安全 → 微信支付公钥)",
        );
        return;
    }
    report.ok("public key", format!("{id}: {}", path.display()));
    loaded.public_key = Some((id.to_owned(), key));
}

fn platform_certificates(config: &Resolved, report: &mut Report, loaded: &mut Loaded) {
    let now = unix_now();
    for path in config.platform_certificate_paths() {
        let name = path.display();
        let certificate = match load_certificate(path) {
            Ok(certificate) => certificate,
            Err(e) => {
                report.fail(
                    Class::Settings,
                    "platform cert",
                    e.to_string(),
                    "download the platform certificates: wxpay certificates --out DIR",
                );
                continue;
            }
        };
        let own_serial = loaded
            .serial
            .as_deref()
            .is_some_and(|serial| same_serial(serial, certificate.serial()));
        if own_serial || is_merchants(loaded, certificate.public_key()) {
            report.fail(
                Class::WechatPayKeys,
                "platform cert",
                format!(
                    "{name} is the merchant's own API certificate, not a WeChat Pay platform \
                     certificate: no answer verifies with it"
                ),
                "download the platform certificates (wxpay certificates --out DIR) or \
                 configure the WeChat Pay public key instead",
            );
            continue;
        }
        if !certificate.is_valid_at(now) {
            report.fail(
                Class::WechatPayKeys,
                "platform cert",
                format!(
                    "{name} (serial {}) is valid from {} to {}, not now",
                    certificate.serial(),
                    rfc3339(certificate.not_before()),
                    rfc3339(certificate.not_after())
                ),
                "download the current platform certificates: wxpay certificates --out DIR",
            );
            continue;
        }
        report.ok(
            "platform cert",
            format!(
                "{name}: serial {}, valid until {}",
                certificate.serial(),
                rfc3339(certificate.not_after())
            ),
        );
        loaded.platform_certificates.push(certificate);
    }
}

fn apiv3_key(config: &Resolved, report: &mut Report, loaded: &mut Loaded) {
    let source = match config.apiv3_key_source() {
        None => {
            report.skip(
                "APIv3 key",
                "none configured (needed to download certificates and to decrypt callbacks)",
            );
            return;
        }
        Some(KeySource::File(path)) => path.display().to_string(),
        Some(KeySource::Env) => "WXPAY_APIV3_KEY".to_owned(),
        Some(KeySource::Prompt) => "the terminal".to_owned(),
    };
    match config.apiv3_key() {
        Ok(key) => {
            report.ok(
                "APIv3 key",
                format!("from {source}: 32 characters (checked against WeChat Pay below)"),
            );
            loaded.apiv3_key = Some(key);
        }
        Err(e) => report.fail(
            Class::ApiV3Key,
            "APIv3 key",
            format!("from {source}: {e}"),
            "copy the APIv3 key (32 characters) set in 商户平台 → 账户中心 → API安全 → APIv3密钥; \
             if it is lost, set a new one there",
        ),
    }
}
