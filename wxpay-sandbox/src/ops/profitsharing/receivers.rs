//! `POST v3/profitsharing/receivers/add` (添加分账接收方) and `.../delete`
//! (删除分账接收方): the receivers a (sub-)merchant may share to. Storing
//! and removing are shared with the e-commerce platform's receivers
//! (`ecommerce`), which differ only in their request and answer shapes.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde_json::{json, Map, Value};

use super::model::{Receiver, ReceiverKey, ReceiverType};
use crate::app::App;
use crate::auth::Caller;
use crate::ops::extract::{Checked, Fields};
use crate::ops::partner::{check_appid, check_sub_appid, scope};
use crate::reply::{Reply, WxError};

/// The receiver a request names, after the checks both operations share:
/// the sub-merchant (a service provider must name one), the appids, and a
/// `sub_appid` for a `PERSONAL_SUB_OPENID` receiver.
fn named(app: &App, caller: &Caller, f: &Fields<'_>) -> Result<ReceiverKey, WxError> {
    let sub_mchid = scope(app, caller, f.optional_str("sub_mchid")?)?;
    check_appid(app, caller, "appid", f.string("appid")?)?;
    let kind = ReceiverType::parse(f.one_of("type", &ReceiverType::ALL)?)
        .ok_or_else(|| WxError::param("`type` is not a receiver type"))?;
    let sub_appid = f.optional_str("sub_appid")?;
    match (kind, sub_mchid, sub_appid) {
        (ReceiverType::PersonalSubOpenid, None, _) => {
            return Err(WxError::param(
                "`type` PERSONAL_SUB_OPENID is for service providers (直连商户不需要): \
                 name the sub-merchant and its sub_appid",
            ))
        }
        (ReceiverType::PersonalSubOpenid, Some(_), None) => {
            return Err(WxError::param(
                "missing required field `sub_appid` (分账接收方类型包含PERSONAL_SUB_OPENID时必填)",
            ))
        }
        (_, Some(sub), Some(sub_appid)) => check_sub_appid(app, caller, sub, sub_appid)?,
        _ => {}
    }
    Ok((
        caller.mchid.clone(),
        sub_mchid.unwrap_or_default().to_owned(),
        kind.wire().to_owned(),
        f.string("account")?.to_owned(),
    ))
}

/// What both operations answer: the receiver's ids.
fn answer(receiver_key: &ReceiverKey) -> Map<String, Value> {
    let (_, sub_mchid, kind, account) = receiver_key;
    let mut v = Map::new();
    if !sub_mchid.is_empty() {
        v.insert("sub_mchid".into(), json!(sub_mchid));
    }
    v.insert("type".into(), json!(kind));
    v.insert("account".into(), json!(account));
    v
}

pub(super) async fn add(State(app): State<Arc<App>>, caller: Caller, checked: Checked) -> Reply {
    let f = Fields::of(&checked.body);
    let key = named(&app, &caller, &f)?;
    let kind = ReceiverType::parse(&key.2).unwrap_or(ReceiverType::MerchantId);
    let relation_type = f.string("relation_type")?;
    let custom_relation = match (relation_type, f.optional_str("custom_relation")?) {
        ("CUSTOM", Some(custom)) if custom.chars().count() <= 10 => Some(custom.to_owned()),
        ("CUSTOM", Some(_)) => {
            return Err(WxError::param(
                "`custom_relation` is longer than 10 characters (本字段最多10个字)",
            ))
        }
        ("CUSTOM", None) => {
            return Err(WxError::param(
                "missing required field `custom_relation` (relation_type为CUSTOM时必填)",
            ))
        }
        // Not asked for: WeChat ignores it (无需填写), and so does the answer.
        _ => None,
    };
    // The name arrives encrypted (the gateway checked and decrypted it).
    let name = checked.plain.body("/name").map(str::to_owned);
    if kind == ReceiverType::MerchantId && name.is_none() {
        return Err(WxError::param(
            "missing required field `name`: a MERCHANT_ID receiver's full merchant name \
             (商户全称, 必传), encrypted for the platform key",
        ));
    }
    let receiver = Receiver {
        mchid: key.0.clone(),
        sub_mchid: Some(key.1.clone()).filter(|s| !s.is_empty()),
        kind,
        account: key.3.clone(),
        name,
        relation_type: relation_type.to_owned(),
        custom_relation,
        fail_reason: None,
    };
    let mut v = answer(&key);
    v.insert("relation_type".into(), json!(receiver.relation_type));
    if let Some(custom) = &receiver.custom_relation {
        v.insert("custom_relation".into(), json!(custom));
    }
    if let Some(name) = &receiver.name {
        // Encrypted for the merchant, as WeChat returns it (RSA-OAEP with
        // the merchant's API certificate key): `Encrypted::decrypt` opens it.
        let merchant = app.merchant(&caller.mchid).ok_or_else(WxError::system)?;
        let sealed = merchant
            .public_key
            .encrypt_oaep_base64(name)
            .map_err(|_| WxError::system())?;
        v.insert("name".into(), json!(sealed));
    }
    store_receiver(&app, receiver);
    Ok(Json(Value::Object(v)))
}

/// Stores a receiver. Adding one again updates the relation and keeps the
/// outcome the control API configured for it.
pub(super) fn store_receiver(app: &App, receiver: Receiver) {
    let mut store = app.store();
    let fail_reason = store
        .profit_sharing
        .receiver(&receiver.key())
        .and_then(|r| r.fail_reason.clone());
    store.put_receiver(Receiver {
        fail_reason,
        ..receiver
    });
}

/// Removes a receiver: 400 `INVALID_REQUEST` 无效请求 if there is none.
pub(super) fn remove_receiver(app: &App, key: &ReceiverKey) -> Result<Receiver, WxError> {
    app.store().remove_receiver(key).ok_or_else(|| {
        WxError::invalid_request(format!(
            "无效请求: 分账接收方不存在 ({} {} is not a receiver of this merchant)",
            key.2, key.3
        ))
    })
}

pub(super) async fn delete(State(app): State<Arc<App>>, caller: Caller, checked: Checked) -> Reply {
    let f = Fields::of(&checked.body);
    let key = named(&app, &caller, &f)?;
    remove_receiver(&app, &key)?;
    Ok(Json(Value::Object(answer(&key))))
}
