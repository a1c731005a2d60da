//! `wxpay paysign jsapi|app`: the signed parameters a page or an app needs
//! to start paying a prepay_id.

use std::time::{SystemTime, UNIX_EPOCH};

use wxpay_core::paysign;

use super::print_json;
use crate::args::Paysign;
use crate::config::Resolved;
use crate::error::CliError;

pub async fn run(config: &Resolved, which: Paysign) -> Result<(), CliError> {
    let key = config.private_key()?;
    let (Paysign::Jsapi(args) | Paysign::App(args)) = &which;
    let timestamp = args.timestamp.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    });
    let nonce = match &args.nonce {
        Some(n) => n.clone(),
        None => wxpay_core::unstable::random_alphanumeric(32)?,
    };
    let value = match &which {
        Paysign::Jsapi(args) => serde_json::to_value(
            paysign::jsapi_with(&key, &args.appid, &args.prepay_id, timestamp, &nonce).await?,
        ),
        Paysign::App(args) => serde_json::to_value(
            paysign::app_with(
                &key,
                &args.appid,
                config.mchid()?,
                &args.prepay_id,
                timestamp,
                &nonce,
            )
            .await?,
        ),
    }
    .map_err(|e| CliError::Io(e.to_string()))?;
    print_json(&value)
}
