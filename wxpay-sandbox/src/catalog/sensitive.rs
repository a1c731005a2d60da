//! Encrypted (sensitive) fields, checked as WeChat Pay checks them, on every
//! catalogued operation, whether the sandbox simulates it with state or
//! answers from its schema: the gateway calls [`check`] before routing.
//!
//! A field the catalog marks sensitive (`x-is-sensitive` on its object, or
//! `"sensitive": true` on a query parameter; see `xtask/src/sandbox_schemas.rs`)
//! must be RSA-OAEP (SHA-1) ciphertext, base64, for the key that
//! `Wechatpay-Serial` names: the platform certificate's serial or the WeChat
//! Pay public key id (the same key pair here). What fails answers 400
//! `PARAM_ERROR` `平台私钥解密失败`, WeChat's message for it (seen on the wire
//! in developers' reports, `wxpay-sandbox/docs/funds.md`), with a `detail`
//! naming the field.

use http::HeaderMap;
use serde_json::Value;

use super::detail::{field, param_error_with, Location};
use super::schema::{Violation, MAX_DEPTH};
use super::Operation;
use crate::app::App;
use crate::reply::WxError;

/// Encrypted fields decrypted per request at most (each is an RSA
/// decryption; a body of nothing but ciphertexts must not buy seconds of CPU).
const MAX_SENSITIVE_FIELDS: usize = 64;

/// The request header naming the WeChat Pay key sensitive fields are encrypted with.
const SERIAL_HEADER: &str = "wechatpay-serial";

/// WeChat's message when an encrypted field does not decrypt.
const UNDECRYPTABLE: &str = "平台私钥解密失败";

/// The plaintexts of a request's encrypted fields, which the gateway puts in
/// the request's extensions for the handlers.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plain {
    /// JSON pointer into the body (`/receivers/0/name`) → plaintext.
    body: Vec<(String, String)>,
    /// Query parameter → plaintext.
    query: Vec<(String, String)>,
}

impl Plain {
    /// The plaintext of the body field at `pointer` (`/user_name`).
    pub(crate) fn body(&self, pointer: &str) -> Option<&str> {
        self.body
            .iter()
            .find(|(at, _)| at == pointer)
            .map(|(_, plain)| plain.as_str())
    }

    /// The plaintext of a top-level body field or query parameter `name`.
    pub(crate) fn top_level(&self, name: &str) -> Option<&str> {
        self.body(&format!("/{name}")).or_else(|| {
            self.query
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, plain)| plain.as_str())
        })
    }
}

/// The names of an object schema's encrypted properties (`x-is-sensitive`
/// as a list; a single name marks a field encrypted otherwise, the AES-GCM
/// `ciphertext` of certificate downloads, which is not RSA).
pub(crate) fn sensitive_names(schema: &Value) -> impl Iterator<Item = &str> {
    schema
        .get("x-is-sensitive")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// Whether requests of `op` can carry encrypted fields at all.
pub(crate) fn takes_sensitive(op: &Operation) -> bool {
    fn any(schema: &Value, depth: usize) -> bool {
        depth <= MAX_DEPTH
            && (sensitive_names(schema).next().is_some()
                || schema
                    .get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|props| props.values().any(|s| any(s, depth + 1)))
                || schema.get("items").is_some_and(|s| any(s, depth + 1)))
    }
    op.query.iter().any(|p| p.sensitive) || op.body.as_ref().is_some_and(|b| any(b, 0))
}

/// Checks every encrypted field of a request and returns their plaintexts.
/// A body that is not JSON is left to the operation, which refuses it.
pub(crate) fn check(
    app: &App,
    mchid: &str,
    op: &Operation,
    headers: &HeaderMap,
    body: &[u8],
    query: &[(String, String)],
) -> Result<Plain, WxError> {
    let mut in_query: Vec<(&str, &str)> = Vec::new();
    for param in op.query.iter().filter(|p| p.sensitive) {
        if let Some((name, value)) = query
            .iter()
            .find(|(n, v)| *n == param.name && !v.is_empty())
        {
            in_query.push((name, value));
        }
    }
    let json = match &op.body {
        Some(_) if !body.is_empty() => serde_json::from_slice::<Value>(body).ok(),
        _ => None,
    };
    let mut in_body = Vec::new();
    if let (Some(schema), Some(value)) = (&op.body, &json) {
        collect(schema, value, String::new(), &mut in_body, 0);
    }
    if in_query.is_empty() && in_body.is_empty() {
        return Ok(Plain::default());
    }
    if in_query.len() + in_body.len() > MAX_SENSITIVE_FIELDS {
        return Err(param_error_with(
            Location::Body,
            field(
                "",
                None,
                format!("more than {MAX_SENSITIVE_FIELDS} encrypted fields in one request"),
            ),
            "参数错误",
        ));
    }
    let named = headers.get(SERIAL_HEADER).and_then(|v| v.to_str().ok());
    // The key named: the current platform key, or one rotated out and still valid.
    let platform = app.signing_platform(Some(mchid), named);
    match named {
        None => {
            return Err(param_error_with(
                Location::Header,
                field(
                    "Wechatpay-Serial",
                    None,
                    "is required when the request carries encrypted fields: name the \
                     platform certificate serial or the WeChat Pay public key id they \
                     are encrypted with",
                ),
                "参数错误",
            ))
        }
        Some(serial) if serial != platform.serial && serial != platform.public_key_id => {
            return Err(param_error_with(
                Location::Header,
                field(
                    "Wechatpay-Serial",
                    Some(serial),
                    format!(
                        "names no WeChat Pay key of this sandbox; encrypt with the platform \
                         key and send {} or {}",
                        platform.serial, platform.public_key_id
                    ),
                ),
                UNDECRYPTABLE,
            ))
        }
        Some(_) => {}
    }
    let undecryptable = |at: &str, location: Location| {
        param_error_with(
            location,
            Violation {
                field: at.to_owned(),
                value: None,
                issue: "does not decrypt with the WeChat Pay private key: send it RSA-OAEP \
                        (SHA-1) encrypted for the platform certificate or WeChat Pay public \
                        key, base64"
                    .into(),
            },
            UNDECRYPTABLE,
        )
    };
    let mut plain = Plain::default();
    for (name, ciphertext) in in_query {
        let text = platform
            .key
            .decrypt_oaep_base64(ciphertext)
            .map_err(|_| undecryptable(name, Location::Query))?;
        plain.query.push((name.to_owned(), text));
    }
    for (at, ciphertext) in in_body {
        let text = platform
            .key
            .decrypt_oaep_base64(ciphertext)
            .map_err(|_| undecryptable(&at, Location::Body))?;
        plain.body.push((at, text));
    }
    Ok(plain)
}

/// Every non-empty encrypted string of `value`, by JSON pointer.
fn collect<'v>(
    schema: &Value,
    value: &'v Value,
    at: String,
    found: &mut Vec<(String, &'v str)>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(map) => {
            for name in sensitive_names(schema) {
                if let Some(Value::String(text)) = map.get(name) {
                    if !text.is_empty() {
                        found.push((format!("{at}/{name}"), text));
                    }
                }
            }
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, sub) in props {
                    if let Some(v) = map.get(name) {
                        collect(sub, v, format!("{at}/{name}"), found, depth + 1);
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(sub) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    collect(sub, item, format!("{at}/{i}"), found, depth + 1);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn collects_encrypted_strings_at_any_depth() {
        let schema = json!({"type": "object", "x-is-sensitive": ["name"], "properties": {
            "name": {"type": "string"},
            "list": {"type": "array", "items": {"type": "object",
                "x-is-sensitive": ["card"], "properties": {"card": {"type": "string"}}}}}});
        let value = json!({"name": "A", "list": [{"card": "B"}, {"card": ""}]});
        let mut found = Vec::new();
        collect(&schema, &value, String::new(), &mut found, 0);
        assert_eq!(
            found,
            vec![("/name".to_owned(), "A"), ("/list/0/card".to_owned(), "B")]
        );
    }

    #[test]
    fn the_catalog_marks_the_fields_the_issue_found_unchecked() {
        let (op, _) = super::super::find("POST", "/v3/profitsharing/receivers/add").unwrap();
        assert!(takes_sensitive(op));
        let (op, _) =
            super::super::find("POST", "/v3/fund-app/mch-transfer/transfer-bills").unwrap();
        assert!(takes_sensitive(op));
        let (op, _) = super::super::find("GET", "/v3/refund/domestic/refunds/R1").unwrap();
        assert!(!takes_sensitive(op));
    }
}
