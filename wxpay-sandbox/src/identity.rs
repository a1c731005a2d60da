//! Who is who: the sandbox's own platform key (served as a certificate or as
//! a WeChat Pay public key) and the merchants allowed to call it.

use std::fmt;
use std::str::FromStr;

use wxpay_core::{ApiV3Key, Certificate, PrivateKey, PublicKey};

use crate::error::SandboxError;
use crate::wire::PUBLIC_KEY_ID_PREFIX;

/// How the sandbox presents its platform key to clients, chosen at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum KeyMode {
    /// A platform certificate: `Wechatpay-Serial` is the certificate serial and
    /// `GET /v3/certificates` serves it, encrypted with the APIv3 key.
    #[default]
    Certificate,
    /// A WeChat Pay public key: `Wechatpay-Serial` is `PUB_KEY_ID_...` and
    /// `GET /v3/certificates` answers 404 `RESOURCE_NOT_EXISTS`.
    PublicKey,
}

impl fmt::Display for KeyMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyMode::Certificate => "certificate",
            KeyMode::PublicKey => "public-key",
        })
    }
}

impl FromStr for KeyMode {
    type Err = SandboxError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "certificate" | "cert" => Ok(KeyMode::Certificate),
            "public-key" | "pubkey" => Ok(KeyMode::PublicKey),
            other => Err(SandboxError::Config(format!(
                "key mode {other:?}: expected `certificate` or `public-key`"
            ))),
        }
    }
}

/// The demo merchant the sandbox creates (or loads): everything a client needs.
#[derive(Clone)]
#[non_exhaustive]
pub struct DemoMerchant {
    /// Merchant id (商户号).
    pub mchid: String,
    /// Serial of the merchant API certificate, uppercase hex: what `serial_no` must be.
    pub serial_no: String,
    /// The merchant API private key (`apiclient_key.pem`).
    pub private_key: PrivateKey,
    /// The merchant API certificate (`apiclient_cert.pem`).
    pub certificate_pem: String,
    /// The APIv3 key (32 ASCII characters) that encrypts certificate downloads.
    pub apiv3_key: String,
}

impl DemoMerchant {
    /// Assembles a demo merchant from existing parts (e.g. files of an earlier
    /// run), checking that the certificate certifies the private key.
    pub fn from_parts(
        mchid: impl Into<String>,
        private_key: PrivateKey,
        certificate_pem: impl Into<String>,
        apiv3_key: impl Into<String>,
    ) -> Result<Self, SandboxError> {
        let certificate_pem = certificate_pem.into();
        let certificate = Certificate::from_pem(&certificate_pem)?;
        if certificate.public_key() != private_key.public_key() {
            return Err(SandboxError::Config(
                "the merchant certificate does not certify the merchant private key".into(),
            ));
        }
        let merchant = Self {
            mchid: mchid.into(),
            serial_no: certificate.serial().to_owned(),
            private_key,
            certificate_pem,
            apiv3_key: apiv3_key.into(),
        };
        merchant.registration()?;
        Ok(merchant)
    }

    /// The merchant certificate, parsed.
    pub fn certificate(&self) -> Result<Certificate, SandboxError> {
        Ok(Certificate::from_pem(&self.certificate_pem)?)
    }

    pub(crate) fn registration(&self) -> Result<Merchant, SandboxError> {
        Merchant::with_public_key(
            self.mchid.clone(),
            self.serial_no.clone(),
            self.private_key.public_key().clone(),
            &self.apiv3_key,
        )
    }
}

impl fmt::Debug for DemoMerchant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoMerchant")
            .field("mchid", &self.mchid)
            .field("serial_no", &self.serial_no)
            .field("private_key", &self.private_key)
            .field("apiv3_key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// A merchant the sandbox accepts requests from: its id, the serial its
/// requests must name, the key that verifies them, and its APIv3 key.
///
/// Register your own with [`SandboxBuilder::register_merchant`](crate::SandboxBuilder::register_merchant)
/// (or `--merchant-*` on the command line) to test with your real key pair offline.
#[derive(Clone)]
pub struct Merchant {
    pub(crate) mchid: String,
    pub(crate) serial_no: String,
    pub(crate) public_key: PublicKey,
    pub(crate) apiv3_key: ApiV3Key,
    /// As a service provider (服务商): the sub-merchants it may act for.
    pub(crate) sub_merchants: Vec<SubMerchant>,
    /// The appids bound to it (`appid`, or `sp_appid`); empty: any.
    pub(crate) appids: Vec<String>,
    /// Whether it also acts as a direct merchant (普通商户): every merchant
    /// without sub-merchants, and the demo merchant, which is both.
    pub(crate) direct: bool,
    /// Where profit sharing credited to it is notified (分账动账通知, set in
    /// WeChat's merchant platform by the receiver, not by the payer).
    pub(crate) profit_sharing_notify_url: Option<String>,
    /// Its own platform key (`platform.rs`); `None`: the sandbox's.
    pub(crate) own_platform: Option<std::sync::Arc<Platform>>,
}

/// A sub-merchant (特约商户) a service provider acts for, with the appids
/// bound to it (its `sub_appid`s; empty: any).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SubMerchant {
    /// Its merchant id.
    pub sub_mchid: String,
    /// The `sub_appid`s it may use; empty means any.
    pub appids: Vec<String>,
}

impl Merchant {
    /// A merchant identified by its API certificate (the serial is the certificate's).
    pub fn with_certificate(
        mchid: impl Into<String>,
        certificate: &Certificate,
        apiv3_key: &str,
    ) -> Result<Self, SandboxError> {
        Self::with_public_key(
            mchid,
            certificate.serial().to_owned(),
            certificate.public_key().clone(),
            apiv3_key,
        )
    }

    /// A merchant identified by a bare public key and the serial its requests name.
    pub fn with_public_key(
        mchid: impl Into<String>,
        serial_no: impl Into<String>,
        public_key: PublicKey,
        apiv3_key: &str,
    ) -> Result<Self, SandboxError> {
        let mchid = mchid.into();
        let serial_no = serial_no.into().to_ascii_uppercase();
        if mchid.is_empty() || !mchid.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(SandboxError::Config(format!(
                "mchid {mchid:?} must be ASCII letters and digits"
            )));
        }
        if serial_no.is_empty() || !serial_no.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(SandboxError::Config(format!(
                "merchant serial {serial_no:?} must be hexadecimal"
            )));
        }
        let apiv3_key = ApiV3Key::new(apiv3_key)?;
        Ok(Self {
            mchid,
            serial_no,
            public_key,
            apiv3_key,
            sub_merchants: Vec::new(),
            appids: Vec::new(),
            direct: true,
            profit_sharing_notify_url: None,
            own_platform: None,
        })
    }

    /// Gives the merchant a WeChat Pay platform key of its own, presented
    /// in `mode`, as WeChat Pay does (its platform certificates and public
    /// keys are per merchant): its answers and notifications are signed
    /// with it, `v3/certificates` lists its certificate, and it rotates
    /// alone ([`Sandbox::rotate_platform_certificate_of`](crate::Sandbox::rotate_platform_certificate_of)).
    /// Without it, a merchant shares the sandbox's key. Registering the
    /// same mchid again keeps the key it has.
    pub fn with_own_platform(mut self, mode: KeyMode) -> Result<Self, SandboxError> {
        self.own_platform = Some(std::sync::Arc::new(crate::platform::generate(mode)?));
        Ok(self)
    }

    /// Makes the merchant a service provider (服务商) for this sub-merchant
    /// too: partner payments, refunds, bills, profit sharing and transfers
    /// naming it are accepted; any other `sub_mchid` is refused
    /// (受理关系不存在). A service provider is not a direct merchant: where an
    /// operation serves both (profit sharing, transfers), it must name the
    /// sub-merchant.
    pub fn with_sub_merchant(mut self, sub_mchid: impl Into<String>) -> Self {
        let sub_mchid = sub_mchid.into();
        if self.sub_merchant(&sub_mchid).is_none() {
            self.sub_merchants.push(SubMerchant {
                sub_mchid,
                appids: Vec::new(),
            });
        }
        self.direct = false;
        self
    }

    /// An appid bound to the merchant (its `appid`, or `sp_appid` as a
    /// service provider). Once it has one, requests naming another answer
    /// 400 `APPID_MCHID_NOT_MATCH`; with none, any appid is accepted.
    pub fn with_appid(mut self, appid: impl Into<String>) -> Self {
        let appid = appid.into();
        if !self.appids.contains(&appid) {
            self.appids.push(appid);
        }
        self
    }

    /// A `sub_appid` bound to a sub-merchant (made one if it was not).
    pub fn with_sub_appid(mut self, sub_mchid: &str, appid: impl Into<String>) -> Self {
        self = self.with_sub_merchant(sub_mchid);
        let appid = appid.into();
        if let Some(sub) = self
            .sub_merchants
            .iter_mut()
            .find(|s| s.sub_mchid == sub_mchid)
        {
            if !sub.appids.contains(&appid) {
                sub.appids.push(appid);
            }
        }
        self
    }

    /// Where profit sharing to this merchant as a receiver is notified
    /// (`PROFITSHARING.SUCCESS` / `.RETURN`, 分账动账通知): WeChat notifies
    /// receivers at the URL they set in the merchant platform.
    pub fn with_profit_sharing_notify_url(mut self, url: impl Into<String>) -> Self {
        self.profit_sharing_notify_url = Some(url.into());
        self
    }

    /// Also a direct merchant, though a service provider (the demo merchant).
    pub(crate) fn also_direct(mut self) -> Self {
        self.direct = true;
        self
    }

    /// The sub-merchants it acts for as a service provider.
    pub fn sub_merchants(&self) -> &[SubMerchant] {
        &self.sub_merchants
    }

    /// Their ids.
    pub fn sub_mchids(&self) -> Vec<&str> {
        self.sub_merchants
            .iter()
            .map(|s| s.sub_mchid.as_str())
            .collect()
    }

    /// One of its sub-merchants.
    pub fn sub_merchant(&self, sub_mchid: &str) -> Option<&SubMerchant> {
        self.sub_merchants.iter().find(|s| s.sub_mchid == sub_mchid)
    }

    /// The appids bound to it; empty: any.
    pub fn appids(&self) -> &[String] {
        &self.appids
    }

    /// Whether it acts as a direct merchant too (see [`with_sub_merchant`](Self::with_sub_merchant)).
    pub fn is_direct(&self) -> bool {
        self.direct
    }

    /// Where profit sharing credited to it is notified, if set.
    pub fn profit_sharing_notify_url(&self) -> Option<&str> {
        self.profit_sharing_notify_url.as_deref()
    }

    /// One line for the startup text: ids, role, appids, sub-merchants.
    pub(crate) fn line(&self) -> String {
        let any = |appids: &[String]| {
            if appids.is_empty() {
                "any appid".to_owned()
            } else {
                appids.join(", ")
            }
        };
        let role = match (self.direct, self.sub_merchants.is_empty()) {
            (true, true) => "direct",
            (true, false) => "direct + service provider",
            (false, _) => "service provider",
        };
        let mut line = format!(
            "{} (serial {}): {role}; {}",
            self.mchid,
            self.serial_no,
            any(&self.appids)
        );
        for sub in &self.sub_merchants {
            line.push_str(&format!(
                "; sub-merchant {} ({})",
                sub.sub_mchid,
                any(&sub.appids)
            ));
        }
        if let Some(url) = &self.profit_sharing_notify_url {
            line.push_str(&format!("; profit sharing notified at {url}"));
        }
        line
    }

    /// What `sandbox.json`, the console and the control API show of it
    /// (no key material).
    pub(crate) fn summary(&self) -> serde_json::Value {
        serde_json::json!({
            "mchid": self.mchid,
            "serial_no": self.serial_no,
            "direct": self.direct,
            "appids": self.appids,
            "sub_merchants": self.sub_merchants.iter().map(|s| serde_json::json!({
                "sub_mchid": s.sub_mchid,
                "appids": s.appids,
            })).collect::<Vec<_>>(),
            "profit_sharing_notify_url": self.profit_sharing_notify_url,
        })
    }

    /// The merchant id.
    pub fn mchid(&self) -> &str {
        &self.mchid
    }

    /// The serial the merchant's requests must name.
    pub fn serial_no(&self) -> &str {
        &self.serial_no
    }
}

impl fmt::Debug for Merchant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Merchant")
            .field("mchid", &self.mchid)
            .field("serial_no", &self.serial_no)
            .finish_non_exhaustive()
    }
}

/// The sandbox's own signing identity.
pub(crate) struct Platform {
    pub(crate) key: PrivateKey,
    pub(crate) mode: KeyMode,
    /// What `Wechatpay-Serial` carries: the certificate serial or the public key id.
    pub(crate) serial: String,
    /// Present in certificate mode.
    pub(crate) certificate: Option<Certificate>,
    /// Always present, so the files of one run serve either mode later.
    pub(crate) public_key_id: String,
}

/// A fresh `PUB_KEY_ID_` + 30 digits, the shape WeChat Pay issues.
pub(crate) fn generate_public_key_id() -> Result<String, SandboxError> {
    Ok(format!(
        "{PUBLIC_KEY_ID_PREFIX}01{}",
        crate::random::digits(28)?
    ))
}

/// Checks a public key id the way the core's keyring will.
pub(crate) fn check_public_key_id(id: &str) -> Result<(), SandboxError> {
    match id.strip_prefix(PUBLIC_KEY_ID_PREFIX) {
        Some(rest) if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()) => Ok(()),
        _ => Err(SandboxError::Config(format!(
            "public key id {id:?} must be {PUBLIC_KEY_ID_PREFIX} followed by letters or digits"
        ))),
    }
}
