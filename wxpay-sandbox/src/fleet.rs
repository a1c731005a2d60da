//! Many merchants, each with its own keys, as a platform or a fleet of
//! services meets them: merchants the sandbox makes ([`NewMerchant`]:
//! merchant key pair, APIv3 key and a WeChat Pay platform key of its own,
//! sub-merchants for a service provider), their platform keys
//! ([`Sandbox::platform_of`]) and rotation, certificate downloads counted
//! per merchant, notifications signed for any of them, and one
//! notification delivered to several URLs at once.

use std::path::Path;
use std::time::SystemTime;

use http::HeaderMap;
use serde_json::Value;
use wxpay_core::{Client, ClientBuilder, Keyring};

use crate::app::App;
use crate::error::SandboxError;
use crate::files::{WrittenFile, MERCHANT_CERT_FILE, MERCHANT_KEY_FILE, MERCHANT_SERIAL_FILE};
use crate::identity::{DemoMerchant, KeyMode, Merchant};
use crate::notify::{envelope, notification_id, resend_to};
use crate::platform::PlatformKeys;
use crate::sandbox::DEFAULT_VALIDITY;
use crate::{NotificationAttempt, Sandbox};

/// The folder, under a [`Sandbox::write_dir`] directory, where the
/// merchants the sandbox made are written, one folder each
/// (`merchants/{mchid}/`: the layout `wxpay_core::registry::DirectorySource` reads).
pub const MERCHANTS_DIR: &str = "merchants";

/// A merchant for the sandbox to make: its id, how its own platform key is
/// presented, and (for a service provider) its sub-merchants.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewMerchant {
    /// Its id (商户号).
    pub mchid: String,
    /// How its platform key is presented (default [`KeyMode::Certificate`]).
    pub key_mode: KeyMode,
    /// The sub-merchants it acts for as a service provider; none: a direct merchant.
    pub sub_mchids: Vec<String>,
}

impl NewMerchant {
    /// A direct merchant with this id, in certificate mode.
    pub fn new(mchid: impl Into<String>) -> Self {
        Self {
            mchid: mchid.into(),
            key_mode: KeyMode::Certificate,
            sub_mchids: Vec::new(),
        }
    }

    /// Presents its platform key in `mode`.
    pub fn key_mode(mut self, mode: KeyMode) -> Self {
        self.key_mode = mode;
        self
    }

    /// Makes it a service provider for this sub-merchant too.
    pub fn sub_merchant(mut self, sub_mchid: impl Into<String>) -> Self {
        self.sub_mchids.push(sub_mchid.into());
        self
    }
}

/// Makes the keys of a merchant: what a client needs, and its registration.
pub(crate) fn generate(spec: &NewMerchant) -> Result<(DemoMerchant, Merchant), SandboxError> {
    let key = wxpay_core::unstable::generate_private_key()?;
    let now = SystemTime::now();
    let subject = format!("CN={},OU=wxpay sandbox merchant,O=wxpay,C=CN", spec.mchid);
    let certificate = crate::certgen::self_signed(
        &subject,
        &key,
        now - DEFAULT_VALIDITY.0,
        now + DEFAULT_VALIDITY.1,
    )?;
    let demo = DemoMerchant::from_parts(
        spec.mchid.clone(),
        key,
        certificate.to_pem(),
        crate::random::alphanumeric(32)?,
    )?;
    let mut registration = demo.registration()?.with_own_platform(spec.key_mode)?;
    for sub in &spec.sub_mchids {
        registration = registration.with_sub_merchant(sub.clone());
    }
    Ok((demo, registration))
}

impl Sandbox {
    /// Makes a merchant and accepts its requests from now on: a fresh
    /// merchant key pair and certificate, an APIv3 key, and a WeChat Pay
    /// platform key of its own (see [`Merchant::with_own_platform`]).
    /// Returns what a client needs ([`client_builder_for`](Self::client_builder_for)
    /// builds one).
    pub fn add_merchant(&self, merchant: NewMerchant) -> Result<DemoMerchant, SandboxError> {
        add(self.app(), &merchant)
    }

    /// The credentials of the demo merchant or of one the sandbox made
    /// ([`add_merchant`](Self::add_merchant)); `None` for others (the
    /// sandbox holds only their public keys).
    pub fn merchant_credentials(&self, mchid: &str) -> Option<DemoMerchant> {
        if self.merchant().mchid == mchid {
            return Some(self.merchant().clone());
        }
        self.app()
            .generated
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(mchid)
            .cloned()
    }

    /// Every merchant the sandbox made, sorted by id.
    pub fn made_merchants(&self) -> Vec<DemoMerchant> {
        let mut made: Vec<DemoMerchant> = self
            .app()
            .generated
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect();
        made.sort_by(|a, b| a.mchid.cmp(&b.mchid));
        made
    }

    /// What a client of `mchid` trusts: its own platform key, or the
    /// sandbox's; `None` if no such merchant is registered.
    pub fn platform_of(&self, mchid: &str) -> Option<PlatformKeys> {
        self.app().merchant(mchid)?;
        Some(self.app().platforms.keys(Some(mchid)))
    }

    /// Rotates `mchid`'s platform certificate (the sandbox's, for a
    /// merchant without one of its own): a new key signs its answers and
    /// notifications from now on, its old certificate stays listed.
    /// Returns the new serial.
    pub fn rotate_platform_certificate_of(&self, mchid: &str) -> Result<String, SandboxError> {
        if self.app().merchant(mchid).is_none() {
            return Err(SandboxError::Config(format!("no merchant {mchid}")));
        }
        self.app().rotate_platform_certificate(Some(mchid))
    }

    /// How many times `mchid` called `GET v3/certificates`.
    pub fn certificate_downloads(&self, mchid: &str) -> u64 {
        self.app()
            .certificate_downloads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(mchid)
            .copied()
            .unwrap_or(0)
    }

    /// A client builder for `mchid` (the demo merchant or one the sandbox
    /// made): its credentials, the base URL, and its platform certificate
    /// or public key.
    pub fn client_builder_for(&self, mchid: &str) -> Result<ClientBuilder, SandboxError> {
        let merchant = self
            .merchant_credentials(mchid)
            .ok_or_else(|| SandboxError::Config(format!("the sandbox holds no keys of {mchid}")))?;
        let platform = self.app().platforms.keys(Some(mchid));
        let builder = Client::builder()
            .mchid(merchant.mchid.clone())
            .merchant_serial(merchant.serial_no.clone())
            .private_key(merchant.private_key.clone())
            .base_url(self.base_url().to_owned());
        Ok(match platform.certificate {
            Some(certificate) => builder.platform_certificate(certificate),
            None => {
                let keyring = Keyring::new();
                keyring.add_public_key(&platform.public_key_id, platform.public_key.clone())?;
                builder.keyring(keyring)
            }
        })
    }

    /// A signed notification for `mchid`, as WeChat Pay sends it: signed
    /// with the merchant's platform key, `resource` encrypted with its
    /// APIv3 key under `associated_data = original_type`. Headers and the
    /// exact body bytes (send them twice to try a replay).
    pub fn notification_for(
        &self,
        mchid: &str,
        event_type: &str,
        original_type: &str,
        resource: &Value,
    ) -> Result<(HeaderMap, Vec<u8>), SandboxError> {
        let merchant = self
            .app()
            .merchant(mchid)
            .ok_or_else(|| SandboxError::Config(format!("no merchant {mchid}")))?;
        envelope(
            self.app(),
            &merchant,
            &notification_id()?,
            event_type,
            original_type,
            "sandbox notification",
            resource,
        )
    }

    /// The same notification body signed afresh for `mchid` (a new
    /// timestamp and nonce), as WeChat Pay signs each retry of a
    /// notification: a delivery that is not a replay, of an id seen before.
    pub fn notification_again(&self, mchid: &str, body: &[u8]) -> Result<HeaderMap, SandboxError> {
        if self.app().merchant(mchid).is_none() {
            return Err(SandboxError::Config(format!("no merchant {mchid}")));
        }
        crate::notify::signed_headers(self.app(), mchid, body)
    }

    /// Sends a logged notification (same id) to each of `urls` at once,
    /// each delivery signed afresh as WeChat Pay's retries are, and logs
    /// every attempt: as a fleet behind a load balancer, or a retry racing
    /// the first delivery, would see it. `None` if no notification has this
    /// id. Only allowed hosts are called.
    pub async fn resend_notification_to(
        &self,
        id: &str,
        urls: &[String],
    ) -> Option<Vec<NotificationAttempt>> {
        resend_to(self.shared(), id, urls).await
    }
}

fn add(app: &App, spec: &NewMerchant) -> Result<DemoMerchant, SandboxError> {
    if app.merchant(&spec.mchid).is_some() {
        return Err(SandboxError::Config(format!(
            "mchid {} is registered already",
            spec.mchid
        )));
    }
    let (demo, registration) = generate(spec)?;
    app.add_merchant(registration);
    app.generated
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .insert(demo.mchid.clone(), demo.clone());
    Ok(demo)
}

/// Makes a merchant for the control API and answers its credentials (the
/// sandbox's test keys: anyone who reaches the control API may have them).
pub(crate) fn make(app: &App, spec: &NewMerchant) -> Result<Value, SandboxError> {
    let made = add(app, spec)?;
    let platform = app.platforms.keys(Some(&made.mchid));
    Ok(serde_json::json!({
        "mchid": made.mchid,
        "merchant_serial": made.serial_no,
        "private_key": made.private_key.to_pkcs8_pem(),
        "certificate": made.certificate_pem,
        "apiv3_key": made.apiv3_key,
        "key_mode": platform.mode.to_string(),
        "platform_serial": platform.serial,
        "platform_certificate": platform.certificate.as_ref().map(|c| c.to_pem()),
        "public_key": platform.public_key.to_pem(),
        "public_key_id": platform.public_key_id,
        "sub_mchids": spec.sub_mchids,
    }))
}

/// Writes a made merchant's files into `dir` (the layout
/// `wxpay_core::registry::DirectorySource` reads).
pub(crate) fn write_merchant(
    sandbox: &Sandbox,
    merchant: &DemoMerchant,
    dir: &Path,
) -> Result<Vec<WrittenFile>, SandboxError> {
    let platform = sandbox.app().platforms.keys(Some(&merchant.mchid));
    let registered = sandbox.app().merchant(&merchant.mchid);
    let line = |text: &str| format!("{text}\n");
    let mut files: Vec<(&str, String, bool, &'static str)> = vec![
        (
            MERCHANT_KEY_FILE,
            merchant.private_key.to_pkcs8_pem(),
            true,
            "merchant API private key",
        ),
        (
            MERCHANT_CERT_FILE,
            merchant.certificate_pem.clone(),
            false,
            "merchant API certificate",
        ),
        (
            MERCHANT_SERIAL_FILE,
            line(&merchant.serial_no),
            false,
            "merchant certificate serial",
        ),
        (
            crate::files::APIV3_KEY_FILE,
            line(&merchant.apiv3_key),
            true,
            "APIv3 key",
        ),
    ];
    match &platform.certificate {
        Some(certificate) => files.push((
            crate::files::PLATFORM_CERT_FILE,
            certificate.to_pem(),
            false,
            "its platform certificate (clients download it; for reference)",
        )),
        None => {
            files.push((
                crate::files::PUBLIC_KEY_FILE,
                platform.public_key.to_pem(),
                false,
                "its WeChat Pay public key",
            ));
            files.push((
                crate::files::PUBLIC_KEY_ID_FILE,
                line(&platform.public_key_id),
                false,
                "its WeChat Pay public key id",
            ));
        }
    }
    if let Some(merchant) = registered.filter(|m| !m.sub_merchants().is_empty()) {
        files.push((
            "sub_mchids.txt",
            merchant
                .sub_mchids()
                .iter()
                .map(|s| line(s))
                .collect::<String>(),
            false,
            "its sub-merchants",
        ));
    }
    let files: Vec<_> = files
        .iter()
        .map(|(name, contents, secret, description)| {
            (*name, contents.as_str(), *secret, *description)
        })
        .collect();
    crate::files::write_files(dir, &files)
}
