//! Where a registry's merchants come from: the application's
//! [`CredentialSource`] (files, a database, a secrets manager), and one
//! such source over a directory ([`DirectorySource`]).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::crypto::{ApiV3Key, PrivateKey, PublicKey};
use crate::sign::BoxFuture;

/// What a [`CredentialSource`] failed with (its own error, boxed).
pub type SourceError = Box<dyn std::error::Error + Send + Sync>;

/// What a client needs to act for one merchant, as a [`CredentialSource`]
/// hands it to a [`MerchantRegistry`](super::MerchantRegistry).
///
/// Built with [`new`](Self::new) from the required parts; by default the
/// merchant's platform certificates are downloaded and refreshed with its
/// APIv3 key; [`wechatpay_public_key`](Self::wechatpay_public_key) puts it
/// in public-key mode instead. Secrets never reach `Debug`.
#[derive(Clone)]
#[non_exhaustive]
pub struct MerchantCredentials {
    pub(crate) mchid: String,
    pub(crate) merchant_serial: String,
    pub(crate) private_key: PrivateKey,
    pub(crate) apiv3_key: ApiV3Key,
    pub(crate) public_key: Option<(String, PublicKey)>,
    pub(crate) sub_merchants: Vec<String>,
}

/// The parts every [`MerchantCredentials`] needs, named at the call site.
#[derive(Clone)]
pub struct MerchantCredentialsRequired {
    /// The merchant id (商户号); a service provider's for its sub-merchants.
    pub mchid: String,
    /// The serial of its merchant API certificate.
    pub merchant_serial: String,
    /// Its merchant API private key.
    pub private_key: PrivateKey,
    /// Its APIv3 key: decrypts notifications and downloaded certificates.
    pub apiv3_key: ApiV3Key,
}

impl MerchantCredentials {
    /// Credentials from their required parts (platform certificates managed).
    pub fn new(required: MerchantCredentialsRequired) -> Self {
        Self {
            mchid: required.mchid,
            merchant_serial: required.merchant_serial,
            private_key: required.private_key,
            apiv3_key: required.apiv3_key,
            public_key: None,
            sub_merchants: Vec::new(),
        }
    }

    /// Public-key mode: trusts this WeChat Pay public key (`PUB_KEY_ID_...`)
    /// and downloads no certificate.
    pub fn wechatpay_public_key(mut self, id: impl Into<String>, key: PublicKey) -> Self {
        self.public_key = Some((id.into(), key));
        self
    }

    /// The sub-merchants (特约商户) this service provider acts for: asked for
    /// one of them, the registry hands out this merchant's client, and a
    /// notification URL naming one routes here.
    pub fn sub_merchants<I, S>(mut self, sub_mchids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.sub_merchants = sub_mchids.into_iter().map(Into::into).collect();
        self
    }

    /// The merchant id.
    pub fn mchid(&self) -> &str {
        &self.mchid
    }
}

impl fmt::Debug for MerchantCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MerchantCredentials")
            .field("mchid", &self.mchid)
            .field("merchant_serial", &self.merchant_serial)
            .field("public_key_id", &self.public_key.as_ref().map(|(id, _)| id))
            .field("sub_merchants", &self.sub_merchants)
            .finish_non_exhaustive()
    }
}

/// Where a [`MerchantRegistry`](super::MerchantRegistry) loads merchants
/// from, on first use and on [`reload`](super::MerchantRegistry::reload):
/// files, a database, a secrets manager. Called once per merchant load,
/// never per request.
pub trait CredentialSource: Send + Sync {
    /// The credentials of `mchid`; `None` if there is no such merchant.
    /// Asked for a sub-merchant, a source may answer with its service
    /// provider's credentials (the registry then serves the sub-merchant
    /// with the service provider's client).
    fn load<'a>(
        &'a self,
        mchid: &'a str,
    ) -> BoxFuture<'a, Result<Option<MerchantCredentials>, SourceError>>;

    /// The merchant whose WeChat Pay key has this serial (a platform
    /// certificate serial or a `PUB_KEY_ID_...`), for routing a
    /// notification to a merchant not loaded yet. The default knows none:
    /// merchants are then found among those loaded (see
    /// [`MerchantRegistry::preload`](super::MerchantRegistry::preload)).
    fn merchant_for_serial<'a>(
        &'a self,
        serial: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, SourceError>> {
        let _ = serial;
        Box::pin(std::future::ready(Ok(None)))
    }
}

/// The files of one merchant in a [`DirectorySource`], in `DIR/{mchid}/`.
pub mod files {
    /// The merchant API private key (required).
    pub const PRIVATE_KEY: &str = "apiclient_key.pem";
    /// The merchant certificate's serial (or else [`CERTIFICATE`]).
    pub const MERCHANT_SERIAL: &str = "merchant_serial.txt";
    /// The merchant API certificate, read for its serial when
    /// [`MERCHANT_SERIAL`] is absent.
    pub const CERTIFICATE: &str = "apiclient_cert.pem";
    /// The APIv3 key (required).
    pub const APIV3_KEY: &str = "apiv3_key.txt";
    /// The WeChat Pay public key; with [`PUBLIC_KEY_ID`], public-key mode.
    pub const PUBLIC_KEY: &str = "pub_key.pem";
    /// The WeChat Pay public key's id (`PUB_KEY_ID_...`).
    pub const PUBLIC_KEY_ID: &str = "pub_key_id.txt";
    /// Sub-merchant ids, one a line (a service provider's).
    pub const SUB_MCHIDS: &str = "sub_mchids.txt";
}

/// Each file is at most this long (keys and certificates take a few KiB).
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// A [`CredentialSource`] over a directory with one folder per merchant,
/// `DIR/{mchid}/`, holding the files named in [`files`] (the layout the
/// sandbox writes with `--merchants`). A merchant whose folder has a
/// public key and its id is in public-key mode; the others have their
/// platform certificates managed.
#[derive(Debug, Clone)]
pub struct DirectorySource {
    root: PathBuf,
}

impl DirectorySource {
    /// Merchants in folders under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    async fn read(dir: &Path, name: &str) -> Result<Option<String>, SourceError> {
        let path = dir.join(name);
        let metadata = match tokio::fs::metadata(&path).await {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display()).into()),
        };
        if metadata.len() > MAX_FILE_BYTES {
            return Err(format!(
                "{} is {} bytes (at most {MAX_FILE_BYTES} are read)",
                path.display(),
                metadata.len()
            )
            .into());
        }
        tokio::fs::read_to_string(&path)
            .await
            .map(Some)
            .map_err(|e| format!("cannot read {}: {e}", path.display()).into())
    }

    async fn load_dir(dir: &Path, mchid: &str) -> Result<MerchantCredentials, SourceError> {
        let required = |name: &'static str, text: Option<String>| {
            text.ok_or_else(|| -> SourceError { format!("{} has no {name}", dir.display()).into() })
        };
        let private_key = PrivateKey::from_pem(&required(
            files::PRIVATE_KEY,
            Self::read(dir, files::PRIVATE_KEY).await?,
        )?)?;
        let merchant_serial = match Self::read(dir, files::MERCHANT_SERIAL).await? {
            Some(serial) => serial.trim().to_owned(),
            None => crate::Certificate::from_pem(&required(
                files::CERTIFICATE,
                Self::read(dir, files::CERTIFICATE).await?,
            )?)?
            .serial()
            .to_owned(),
        };
        let apiv3_key = ApiV3Key::new(
            required(files::APIV3_KEY, Self::read(dir, files::APIV3_KEY).await?)?.trim(),
        )?;
        let mut credentials = MerchantCredentials::new(MerchantCredentialsRequired {
            mchid: mchid.to_owned(),
            merchant_serial,
            private_key,
            apiv3_key,
        });
        let public = (
            Self::read(dir, files::PUBLIC_KEY_ID).await?,
            Self::read(dir, files::PUBLIC_KEY).await?,
        );
        if let (Some(id), Some(pem)) = public {
            credentials = credentials.wechatpay_public_key(id.trim(), PublicKey::from_pem(&pem)?);
        }
        if let Some(subs) = Self::read(dir, files::SUB_MCHIDS).await? {
            credentials = credentials.sub_merchants(
                subs.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<_>>(),
            );
        }
        Ok(credentials)
    }
}

impl CredentialSource for DirectorySource {
    fn load<'a>(
        &'a self,
        mchid: &'a str,
    ) -> BoxFuture<'a, Result<Option<MerchantCredentials>, SourceError>> {
        Box::pin(async move {
            // The registry checked `mchid` (letters and digits): it names one folder.
            let dir = self.root.join(mchid);
            if tokio::fs::metadata(&dir).await.is_err() {
                return self.service_provider_of(mchid).await;
            }
            Self::load_dir(&dir, mchid).await.map(Some)
        })
    }
}

impl DirectorySource {
    /// A sub-merchant has no folder of its own: the service provider whose
    /// `sub_mchids.txt` names it answers for it.
    async fn service_provider_of(
        &self,
        sub_mchid: &str,
    ) -> Result<Option<MerchantCredentials>, SourceError> {
        let mut entries = match tokio::fs::read_dir(&self.root).await {
            Ok(entries) => entries,
            Err(e) => return Err(format!("cannot list {}: {e}", self.root.display()).into()),
        };
        while let Some(entry) = entries.next_entry().await? {
            let dir = entry.path();
            let Some(subs) = Self::read(&dir, files::SUB_MCHIDS).await? else {
                continue;
            };
            if subs.lines().any(|line| line.trim() == sub_mchid) {
                let Some(mchid) = entry.file_name().to_str().map(str::to_owned) else {
                    continue;
                };
                return Self::load_dir(&dir, &mchid).await.map(Some);
            }
        }
        Ok(None)
    }
}
