//! The credentials directory of a standalone sandbox: what it writes so that
//! an SDK in any language can talk to it, and reads back on a restart.

use std::fmt;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde_json::json;
use wxpay_core::{Certificate, PrivateKey};

use crate::error::SandboxError;
use crate::fault::FAULT_HEADER;
use crate::identity::{DemoMerchant, Platform};
use crate::Sandbox;

/// The sandbox's own signing key (keep it to restart with the same identity).
pub const PLATFORM_KEY_FILE: &str = "platform_key.pem";
/// The platform certificate clients trust in certificate mode.
pub const PLATFORM_CERT_FILE: &str = "platform_cert.pem";
/// The WeChat Pay public key clients trust in public-key mode.
pub const PUBLIC_KEY_FILE: &str = "pub_key.pem";
/// The id of that public key (`PUB_KEY_ID_...`).
pub const PUBLIC_KEY_ID_FILE: &str = "pub_key_id.txt";
/// The demo merchant's API private key.
pub const MERCHANT_KEY_FILE: &str = "apiclient_key.pem";
/// The demo merchant's API certificate.
pub const MERCHANT_CERT_FILE: &str = "apiclient_cert.pem";
/// The demo merchant's id.
pub const MCHID_FILE: &str = "mchid.txt";
/// The serial of the demo merchant's certificate.
pub const MERCHANT_SERIAL_FILE: &str = "merchant_serial.txt";
/// The demo merchant's APIv3 key.
pub const APIV3_KEY_FILE: &str = "apiv3_key.txt";
/// Everything above in one JSON object (base URL, ids, serials, file names,
/// every merchant with its sub-merchants and appids; no secrets).
pub const SUMMARY_FILE: &str = "sandbox.json";
/// A profile for the `wxpay` command line (`wxpay --config DIR/wxpay.toml ...`):
/// the base URL, ids and the names of the files above (no secrets inline).
pub const CLI_CONFIG_FILE: &str = "wxpay.toml";

/// One file [`Sandbox::write_dir`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WrittenFile {
    /// Where.
    pub path: PathBuf,
    /// What it holds, for people.
    pub description: &'static str,
}

impl fmt::Display for WrittenFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}  ({})", self.path.display(), self.description)
    }
}

pub(crate) struct Loaded {
    pub(crate) platform_key: Option<PrivateKey>,
    pub(crate) platform_certificate: Option<Certificate>,
    pub(crate) public_key_id: Option<String>,
    pub(crate) demo_merchant: Option<DemoMerchant>,
}

/// Reads what exists; a file that is absent is `None`, one that is unreadable or invalid an error.
pub(crate) fn load(dir: &Path) -> Result<Loaded, SandboxError> {
    let read = |name: &str| -> Result<Option<String>, SandboxError> {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(error) => Err(SandboxError::File { path, error }),
        }
    };
    let platform_key = read(PLATFORM_KEY_FILE)?
        .map(|pem| PrivateKey::from_pem(&pem))
        .transpose()?;
    let platform_certificate = read(PLATFORM_CERT_FILE)?
        .map(|pem| Certificate::from_pem(&pem))
        .transpose()?;
    let public_key_id = read(PUBLIC_KEY_ID_FILE)?.map(|id| id.trim().to_owned());
    let merchant_parts = (
        read(MCHID_FILE)?,
        read(MERCHANT_KEY_FILE)?,
        read(MERCHANT_CERT_FILE)?,
        read(APIV3_KEY_FILE)?,
    );
    let demo_merchant = match merchant_parts {
        (Some(mchid), Some(key), Some(cert), Some(apiv3_key)) => Some(DemoMerchant::from_parts(
            mchid.trim(),
            PrivateKey::from_pem(&key)?,
            cert,
            apiv3_key.trim(),
        )?),
        // An incomplete set is replaced by a fresh demo merchant.
        _ => None,
    };
    Ok(Loaded {
        platform_key,
        platform_certificate,
        public_key_id,
        demo_merchant,
    })
}

pub(crate) fn write(
    sandbox: &Sandbox,
    platform: &Platform,
    dir: &Path,
) -> Result<Vec<WrittenFile>, SandboxError> {
    let merchant = sandbox.merchant();
    let mut files = vec![
        (PLATFORM_KEY_FILE, platform.key.to_pkcs8_pem(), true, "platform private key: the sandbox signs with it; keep it to restart with the same identity"),
    ];
    if let Some(cert) = &platform.certificate {
        files.push((
            PLATFORM_CERT_FILE,
            cert.to_pem(),
            false,
            "platform certificate: trust it in certificate mode",
        ));
    }
    files.extend([
        (
            PUBLIC_KEY_FILE,
            platform.key.public_key().to_pem(),
            false,
            "WeChat Pay public key: trust it in public-key mode",
        ),
        (
            PUBLIC_KEY_ID_FILE,
            line(&platform.public_key_id),
            false,
            "WeChat Pay public key id",
        ),
        (MCHID_FILE, line(&merchant.mchid), false, "demo merchant id"),
        (
            MERCHANT_KEY_FILE,
            merchant.private_key.to_pkcs8_pem(),
            true,
            "demo merchant API private key: sign requests with it",
        ),
        (
            MERCHANT_CERT_FILE,
            merchant.certificate_pem.clone(),
            false,
            "demo merchant API certificate",
        ),
        (
            MERCHANT_SERIAL_FILE,
            line(&merchant.serial_no),
            false,
            "demo merchant certificate serial (serial_no)",
        ),
        (
            APIV3_KEY_FILE,
            line(&merchant.apiv3_key),
            true,
            "demo merchant APIv3 key",
        ),
    ]);
    let mut merchants: Vec<serde_json::Value> = sandbox
        .app()
        .all_merchants()
        .iter()
        .map(|m| sandbox.app().merchant_summary(m))
        .collect();
    merchants.sort_by(|a, b| a["mchid"].as_str().cmp(&b["mchid"].as_str()));
    let summary = json!({
        "base_url": sandbox.base_url(),
        "key_mode": platform.mode.to_string(),
        "platform_serial": platform.serial,
        "public_key_id": platform.public_key_id,
        "mchid": merchant.mchid,
        "merchant_serial": merchant.serial_no,
        "fault_header": FAULT_HEADER,
        // Every merchant accepted: sub-merchants and appids (empty: any).
        "merchants": merchants,
        "out_trade_no_scope": "per merchant that signs: a service provider's numbers span all its sub-merchants",
        "files": {
            "platform_certificate": platform.certificate.as_ref().map(|_| PLATFORM_CERT_FILE),
            "public_key": PUBLIC_KEY_FILE,
            "public_key_id": PUBLIC_KEY_ID_FILE,
            "merchant_private_key": MERCHANT_KEY_FILE,
            "merchant_certificate": MERCHANT_CERT_FILE,
            "apiv3_key": APIV3_KEY_FILE,
        },
    });
    let summary = format!("{:#}\n", summary);
    files.push((
        SUMMARY_FILE,
        summary,
        false,
        "summary: base URL, ids, serials, file names",
    ));
    files.push((
        CLI_CONFIG_FILE,
        cli_config(sandbox, platform),
        false,
        "profile for the wxpay command line: wxpay --config wxpay.toml ...",
    ));

    let files: Vec<_> = files
        .iter()
        .map(|(name, contents, secret, description)| {
            (*name, contents.as_str(), *secret, *description)
        })
        .collect();
    let mut written = write_files(dir, &files)?;
    for made in sandbox.made_merchants() {
        let folder = dir.join(crate::fleet::MERCHANTS_DIR).join(&made.mchid);
        written.extend(crate::fleet::write_merchant(sandbox, &made, &folder)?);
    }
    Ok(written)
}

/// Writes `(name, contents, secret, description)` files into `dir`, secrets
/// readable by the owner only.
pub(crate) fn write_files(
    dir: &Path,
    files: &[(&str, &str, bool, &'static str)],
) -> Result<Vec<WrittenFile>, SandboxError> {
    std::fs::create_dir_all(dir).map_err(|error| SandboxError::File {
        path: dir.to_owned(),
        error,
    })?;
    let mut written = Vec::with_capacity(files.len());
    for &(name, contents, secret, description) in files {
        let path = dir.join(name);
        write_file(&path, contents.as_bytes(), secret).map_err(|error| SandboxError::File {
            path: path.clone(),
            error,
        })?;
        written.push(WrittenFile { path, description });
    }
    Ok(written)
}

/// The `wxpay` command line's profile (TOML; paths relative to the file).
fn cli_config(sandbox: &Sandbox, platform: &Platform) -> String {
    let merchant = sandbox.merchant();
    // serde_json's string escaping is valid TOML basic-string escaping for these values.
    let quoted = |text: &str| serde_json::Value::from(text).to_string();
    let mut toml = format!(
        "# The wxpay command line's profile for this sandbox:\n\
         #   wxpay --config wxpay.toml request GET v3/certificates\n\
         #   wxpay --config wxpay.toml doctor\n\
         # Paths are relative to this file; no secret is written inline.\n\
         [default]\n\
         base_url = {}\n\
         mchid = {}\n\
         merchant_certificate = {}\n\
         private_key = {}\n\
         apiv3_key_file = {}\n",
        quoted(sandbox.base_url()),
        quoted(&merchant.mchid),
        quoted(MERCHANT_CERT_FILE),
        quoted(MERCHANT_KEY_FILE),
        quoted(APIV3_KEY_FILE),
    );
    // Trust what the sandbox signs with in its mode, as WeChat's merchant
    // platform would hand out: the certificate, or the public key and its id.
    if platform.certificate.is_some() {
        toml.push_str(&format!(
            "platform_certificate = {}\n",
            quoted(PLATFORM_CERT_FILE)
        ));
    } else {
        toml.push_str(&format!(
            "public_key_id = {}\npublic_key = {}\n",
            quoted(&platform.public_key_id),
            quoted(PUBLIC_KEY_FILE)
        ));
    }
    toml
}

fn line(text: &str) -> String {
    format!("{text}\n")
}

/// Secrets are written readable by the owner only (on Unix).
fn write_file(path: &Path, contents: &[u8], secret: bool) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    use std::io::Write;
    options.open(path)?.write_all(contents)
}
