//! Client-side payment signatures: the parameter sets a JSAPI/mini-program
//! page (`wx.requestPayment`) or an APP SDK needs to start paying a `prepay_id`.

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::crypto::random_alphanumeric;
use crate::error::Error;
use crate::keyring::unix_now;
use crate::sign::Signer;

/// Parameters for JSAPI / mini-program payment (`wx.requestPayment`, `WeixinJSBridge`).
///
/// Serialised as it is, it is the object the page hands to
/// `wx.requestPayment` (mini program) or to
/// `WeixinJSBridge.invoke('getBrandWCPayRequest', ...)` (JSAPI), field
/// names included. [`Client::jsapi_pay_params`](crate::Client::jsapi_pay_params)
/// builds it with the current time, a random nonce and the client's key;
/// [`jsapi_with`] with given ones, as here:
///
/// ```
/// # use wxpay_core::sign::{BoxFuture, Signer};
/// # /// Stands in for the merchant's API key (`PrivateKey`), whose
/// # /// signature is 256 bytes.
/// # struct MerchantKey;
/// # impl Signer for MerchantKey {
/// #     fn sign<'a>(&'a self, _: &'a [u8]) -> BoxFuture<'a, Result<Vec<u8>, wxpay_core::Error>> {
/// #         Box::pin(async { Ok(b"signed by the merchant key".to_vec()) })
/// #     }
/// # }
/// # let merchant_key = MerchantKey;
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// use wxpay_core::paysign::jsapi_with;
///
/// let params = jsapi_with(
///     &merchant_key,
///     "wx8888888888888888",                   // the appid of the prepay
///     "wx201410272009395522657a690389285100", // its prepay_id
///     1414561699,
///     "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
/// )
/// .await?;
/// // What the front end receives:
/// assert_eq!(
///     serde_json::to_value(&params)?,
///     serde_json::json!({
///         "appId": "wx8888888888888888",
///         "timeStamp": "1414561699",
///         "nonceStr": "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
///         "package": "prepay_id=wx201410272009395522657a690389285100",
///         "signType": "RSA",
///         // Base64 of the RSA-SHA256 signature of the four values, one per line.
///         "paySign": "c2lnbmVkIGJ5IHRoZSBtZXJjaGFudCBrZXk=",
///     })
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct JsapiPayParams {
    /// The AppID the prepay order was created for.
    pub app_id: String,
    /// Unix seconds, as text.
    pub time_stamp: String,
    /// Random string.
    pub nonce_str: String,
    /// `prepay_id=...`.
    pub package: String,
    /// Always `RSA`.
    pub sign_type: String,
    /// Base64 RSA-SHA256 signature of `appId\ntimeStamp\nnonceStr\npackage\n`.
    pub pay_sign: String,
}

/// Parameters for APP payment (`PayReq` of the WeChat OpenSDK).
///
/// Serialised as it is, it is what the APP receives to fill `PayReq`
/// (`appId`, `partnerId`, `prepayId`, `packageValue`, `nonceStr`,
/// `timeStamp`, `sign`), under the names of WeChat's APP payment page.
/// [`Client::app_pay_params`](crate::Client::app_pay_params) builds it with
/// the current time, a random nonce, the client's merchant id and key;
/// [`app_with`] with given ones, as here:
///
/// ```
/// # use wxpay_core::sign::{BoxFuture, Signer};
/// # /// Stands in for the merchant's API key (`PrivateKey`), whose
/// # /// signature is 256 bytes.
/// # struct MerchantKey;
/// # impl Signer for MerchantKey {
/// #     fn sign<'a>(&'a self, _: &'a [u8]) -> BoxFuture<'a, Result<Vec<u8>, wxpay_core::Error>> {
/// #         Box::pin(async { Ok(b"signed by the merchant key".to_vec()) })
/// #     }
/// # }
/// # let merchant_key = MerchantKey;
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// use wxpay_core::paysign::app_with;
///
/// let params = app_with(
///     &merchant_key,
///     "wx8888888888888888",             // the mobile application's appid
///     "1900000109",                     // the merchant id
///     "WX1217752501201407033233368018", // the prepay_id
///     1412000000,
///     "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
/// )
/// .await?;
/// // What the APP receives:
/// assert_eq!(
///     serde_json::to_value(&params)?,
///     serde_json::json!({
///         "appid": "wx8888888888888888",
///         "partnerid": "1900000109",
///         "prepayid": "WX1217752501201407033233368018",
///         "package": "Sign=WXPay",
///         "noncestr": "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
///         "timestamp": "1412000000",
///         // Base64 of the RSA-SHA256 signature of appid, timestamp,
///         // noncestr and prepayid, one per line.
///         "sign": "c2lnbmVkIGJ5IHRoZSBtZXJjaGFudCBrZXk=",
///     })
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AppPayParams {
    /// The mobile application's AppID.
    pub appid: String,
    /// The merchant id.
    pub partnerid: String,
    /// The prepay id.
    pub prepayid: String,
    /// Always `Sign=WXPay`.
    pub package: String,
    /// Random string.
    pub noncestr: String,
    /// Unix seconds, as text.
    pub timestamp: String,
    /// Base64 RSA-SHA256 signature of `appid\ntimestamp\nnoncestr\nprepayid\n`.
    pub sign: String,
}

fn lines(parts: &[&str]) -> Vec<u8> {
    let mut m = Vec::new();
    for p in parts {
        m.extend_from_slice(p.as_bytes());
        m.push(b'\n');
    }
    m
}

async fn sign_lines(signer: &dyn Signer, parts: &[&str]) -> Result<String, Error> {
    let signature = signer.sign(&lines(parts)).await?;
    Ok(base64::engine::general_purpose::STANDARD.encode(signature))
}

/// Builds JSAPI parameters with a given timestamp and nonce (for reproducible tests).
pub async fn jsapi_with(
    signer: &dyn Signer,
    app_id: &str,
    prepay_id: &str,
    timestamp: i64,
    nonce: &str,
) -> Result<JsapiPayParams, Error> {
    let time_stamp = timestamp.to_string();
    let package = format!("prepay_id={prepay_id}");
    let pay_sign = sign_lines(signer, &[app_id, &time_stamp, nonce, &package]).await?;
    Ok(JsapiPayParams {
        app_id: app_id.to_owned(),
        time_stamp,
        nonce_str: nonce.to_owned(),
        package,
        sign_type: "RSA".to_owned(),
        pay_sign,
    })
}

/// Builds APP parameters with a given timestamp and nonce (for reproducible tests).
pub async fn app_with(
    signer: &dyn Signer,
    app_id: &str,
    mchid: &str,
    prepay_id: &str,
    timestamp: i64,
    nonce: &str,
) -> Result<AppPayParams, Error> {
    let timestamp = timestamp.to_string();
    let sign = sign_lines(signer, &[app_id, &timestamp, nonce, prepay_id]).await?;
    Ok(AppPayParams {
        appid: app_id.to_owned(),
        partnerid: mchid.to_owned(),
        prepayid: prepay_id.to_owned(),
        package: "Sign=WXPay".to_owned(),
        noncestr: nonce.to_owned(),
        timestamp,
        sign,
    })
}

impl crate::Client {
    /// JSAPI / mini-program payment parameters for `prepay_id`, signed with the merchant key.
    pub async fn jsapi_pay_params(
        &self,
        app_id: &str,
        prepay_id: &str,
    ) -> Result<JsapiPayParams, Error> {
        jsapi_with(
            &*self.signer(),
            app_id,
            prepay_id,
            unix_now(),
            &random_alphanumeric(32)?,
        )
        .await
    }

    /// APP payment parameters for `prepay_id`, signed with the merchant key.
    pub async fn app_pay_params(
        &self,
        app_id: &str,
        prepay_id: &str,
    ) -> Result<AppPayParams, Error> {
        app_with(
            &*self.signer(),
            app_id,
            self.mchid(),
            prepay_id,
            unix_now(),
            &random_alphanumeric(32)?,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jsapi_and_app_sign_their_documented_messages() {
        let key = crate::PrivateKey::generate().unwrap();
        let js = jsapi_with(
            &key,
            "wx8888888888888888",
            "wx201410272009395522657a690389285100",
            1414561699,
            "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
        )
        .await
        .unwrap();
        assert_eq!(js.package, "prepay_id=wx201410272009395522657a690389285100");
        assert_eq!(js.sign_type, "RSA");
        let message = b"wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n";
        let sig = base64::engine::general_purpose::STANDARD
            .decode(&js.pay_sign)
            .unwrap();
        assert!(key.public_key().verify_sha256(message, &sig));
        let json = serde_json::to_value(&js).unwrap();
        for field in [
            "appId",
            "timeStamp",
            "nonceStr",
            "package",
            "signType",
            "paySign",
        ] {
            assert!(json.get(field).is_some(), "{field} in {json}");
        }

        let app = app_with(
            &key,
            "wx8888888888888888",
            "1900000109",
            "WX1217752501201407033233368018",
            1412000000,
            "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
        )
        .await
        .unwrap();
        assert_eq!(
            (app.package.as_str(), app.partnerid.as_str()),
            ("Sign=WXPay", "1900000109")
        );
        let message = b"wx8888888888888888\n1412000000\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nWX1217752501201407033233368018\n";
        let sig = base64::engine::general_purpose::STANDARD
            .decode(&app.sign)
            .unwrap();
        assert!(key.public_key().verify_sha256(message, &sig));
    }
}
