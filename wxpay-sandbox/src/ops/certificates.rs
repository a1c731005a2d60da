//! `GET /v3/certificates`: the caller's platform certificate signing now
//! (its own, or the sandbox's) and those rotated out that are still valid,
//! each encrypted with the caller's APIv3 key; 404 `RESOURCE_NOT_EXISTS` in
//! public-key mode. Every call is counted per merchant (a fleet's downloads).

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde_json::json;

use super::extract::Query;
use super::internal;
use crate::app::App;
use crate::auth::Caller;
use crate::clock::rfc3339_cst;
use crate::reply::{Reply, WxError};

const ALGORITHM_TYPES: [&str; 3] = ["ALL", "RSA", "SM2"];

pub(crate) async fn list(State(app): State<Arc<App>>, caller: Caller, query: Query) -> Reply {
    app.count_certificate_download(&caller.mchid);
    let Some(listed) = app.platforms.listed(Some(&caller.mchid)) else {
        return Err(WxError::not_exists(
            "无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥 (the merchant is in public-key mode)",
        ));
    };
    let algorithm = query.optional("algorithm_type")?.unwrap_or("RSA");
    if !ALGORITHM_TYPES.contains(&algorithm) {
        return Err(WxError::param(format!(
            "`algorithm_type` must be one of {}, got {algorithm:?}",
            ALGORITHM_TYPES.join(", ")
        )));
    }
    if algorithm == "SM2" {
        // The sandbox has no SM2 (国密) certificate.
        return Ok(Json(json!({ "data": [] })));
    }
    let merchant = app
        .merchant(&caller.mchid)
        .ok_or_else(|| WxError::sign("merchant was removed"))?;
    let mut data = Vec::new();
    // The certificate signing now, then those rotated out and still valid.
    for certificate in &listed {
        let nonce = crate::random::alphanumeric(12).map_err(internal)?;
        let associated_data = "certificate";
        let ciphertext = merchant
            .apiv3_key
            .encrypt(certificate.to_pem().as_bytes(), &nonce, associated_data)
            .map_err(internal)?;
        data.push(json!({
            "serial_no": certificate.serial(),
            "effective_time": rfc3339_cst(certificate.not_before()),
            "expire_time": rfc3339_cst(certificate.not_after()),
            "encrypt_certificate": {
                "algorithm": "AEAD_AES_256_GCM",
                "nonce": nonce,
                "associated_data": associated_data,
                "ciphertext": ciphertext,
            }
        }));
    }
    Ok(Json(json!({ "data": data })))
}
