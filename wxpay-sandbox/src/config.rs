//! Merchants registered from a JSON file (`--merchants FILE`), for a sandbox
//! that several teams or services share:
//!
//! ```json
//! { "merchants": [
//!     { "mchid": "1230000109", "apiv3_key": "32 ASCII characters...........",
//!       "cert": "shop/apiclient_cert.pem" },
//!     { "mchid": "1900000100", "apiv3_key": "...", "public_key": "sp/pub.pem",
//!       "serial": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
//!       "sub_mchids": ["1900000109", "1900000110"],
//!       "appids": ["wx8888888888888888"],
//!       "sub_appids": { "1900000109": ["wx8888888888888889"] },
//!       "profit_sharing_notify_url": "https://127.0.0.1:8443/profitsharing",
//!       "own_platform": "certificate" }
//! ] }
//! ```
//!
//! Each merchant gives `cert` (its API certificate) or `public_key` with
//! `serial`; `sub_mchids` (and `sub_appids`' keys) make it a service
//! provider for those sub-merchants; `appids` and `sub_appids` bind appids
//! (none: any appid); `profit_sharing_notify_url` is where profit sharing
//! to it is notified; `own_platform` (`certificate` or `public-key`) gives
//! it a WeChat Pay platform key of its own, as WeChat Pay does (else it
//! shares the sandbox's). Relative paths are read from the file's directory.

use std::path::Path;

use serde::Deserialize;
use wxpay_core::{Certificate, PublicKey};

use crate::error::SandboxError;
use crate::identity::Merchant;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    merchants: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    mchid: String,
    apiv3_key: String,
    cert: Option<String>,
    public_key: Option<String>,
    serial: Option<String>,
    #[serde(default)]
    sub_mchids: Vec<String>,
    #[serde(default)]
    appids: Vec<String>,
    #[serde(default)]
    sub_appids: std::collections::BTreeMap<String, Vec<String>>,
    profit_sharing_notify_url: Option<String>,
    own_platform: Option<String>,
}

/// Reads the merchants of a JSON file in the form shown in the module docs.
pub fn load_merchants(path: impl AsRef<Path>) -> Result<Vec<Merchant>, SandboxError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|error| SandboxError::File {
        path: path.to_owned(),
        error,
    })?;
    let file: File = serde_json::from_str(&text)
        .map_err(|e| SandboxError::Config(format!("{}: {e}", path.display())))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let bad = |mchid: &str, what: String| {
        SandboxError::Config(format!("{}: merchant {mchid}: {what}", path.display()))
    };
    file.merchants
        .into_iter()
        .map(|entry| {
            let merchant = match (&entry.cert, &entry.public_key, &entry.serial) {
                (Some(cert), None, _) => {
                    let cert = Certificate::from_pem_file(dir.join(cert))
                        .map_err(|e| bad(&entry.mchid, e.to_string()))?;
                    Merchant::with_certificate(entry.mchid.clone(), &cert, &entry.apiv3_key)?
                }
                (None, Some(key), Some(serial)) => {
                    let key = PublicKey::from_pem_file(dir.join(key))
                        .map_err(|e| bad(&entry.mchid, e.to_string()))?;
                    Merchant::with_public_key(
                        entry.mchid.clone(),
                        serial.clone(),
                        key,
                        &entry.apiv3_key,
                    )?
                }
                _ => {
                    return Err(bad(
                        &entry.mchid,
                        "give `cert`, or `public_key` with `serial`".into(),
                    ))
                }
            };
            let mut merchant = entry
                .sub_mchids
                .into_iter()
                .fold(merchant, Merchant::with_sub_merchant);
            merchant = entry
                .appids
                .into_iter()
                .fold(merchant, Merchant::with_appid);
            for (sub, appids) in entry.sub_appids {
                merchant = merchant.with_sub_merchant(sub.clone());
                for appid in appids {
                    merchant = merchant.with_sub_appid(&sub, appid);
                }
            }
            if let Some(url) = entry.profit_sharing_notify_url {
                merchant = merchant.with_profit_sharing_notify_url(url);
            }
            if let Some(mode) = &entry.own_platform {
                merchant = merchant.with_own_platform(mode.parse()?)?;
            }
            Ok(merchant)
        })
        .collect()
}
