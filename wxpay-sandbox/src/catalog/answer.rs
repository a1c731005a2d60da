//! Answering a catalogued operation the sandbox does not simulate with state:
//! validate the request against the operation's schema (400 `PARAM_ERROR`
//! with WeChat's `detail` otherwise), then answer what the catalog says a
//! success looks like, echoing the request's ids. Requests for operations not
//! in the catalog answer WeChat's 404.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::response::{IntoResponse, Response};
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::{Map, Value};

use super::detail::{field, param_error, Location};
use super::fill::Fill;
use super::schema::{validate, Violation};
use super::sensitive::Plain;
use super::{find, Operation, Param};
use crate::app::App;
use crate::auth::Caller;
use crate::ops::extract::Query;
use crate::reply::WxError;

/// The fallback of the API router: a catalogued operation, or 404.
pub(crate) async fn handle(State(app): State<Arc<App>>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let Some((op, path_params)) = find(&method, &path) else {
        return WxError::not_found(&method, &path).into_response();
    };
    // The gateway has read and capped the body already.
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(_) => return WxError::system().into_response(),
    };
    let query = match Query::from_request_parts(&mut parts, &()).await {
        Ok(query) => query,
        Err(e) => return e.into_response(),
    };
    let query = query.pairs();
    let caller = parts.extensions.get::<Caller>().map(|c| c.mchid.clone());
    let plain = parts.extensions.get::<Plain>().cloned().unwrap_or_default();
    let request = Received {
        path_params: &path_params,
        query,
        headers: &parts.headers,
        body: &body,
        plain: &plain,
    };
    match answer(&app, op, &request, caller) {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

/// What a catalogued operation's request carried.
struct Received<'a> {
    path_params: &'a [(&'static str, String)],
    query: &'a [(String, String)],
    headers: &'a HeaderMap,
    body: &'a Bytes,
    /// Its encrypted fields, decrypted by the gateway.
    plain: &'a Plain,
}

fn answer(
    app: &App,
    op: &Operation,
    request: &Received<'_>,
    caller: Option<String>,
) -> Result<Response, WxError> {
    let (path_params, query) = (request.path_params, request.query);
    check_params(op, path_params, query)?;
    let json_body = check_body(op, request.headers, request.body)?;

    let (status, schema) = op.success();
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let Some(schema) = schema.filter(|s| !is_empty_schema(s)) else {
        if status == StatusCode::OK {
            // A download (an image, a statement, a receipt): bytes, not JSON.
            return Ok(download());
        }
        return Ok(status.into_response());
    };

    let echo = |name: &str| -> Option<String> {
        // An encrypted field is echoed as what it says (and sealed again
        // for the merchant), never as the ciphertext made for the platform.
        if let Some(plain) = request.plain.top_level(name) {
            return Some(plain.to_owned());
        }
        if let Some((_, v)) = path_params.iter().find(|(n, _)| *n == name) {
            return Some(v.clone());
        }
        if let Some((_, v)) = query.iter().find(|(n, _)| n == name) {
            return Some(v.clone());
        }
        match json_body.as_ref().and_then(|b| b.get(name)) {
            Some(Value::String(s)) => return Some(s.clone()),
            Some(Value::Number(n)) => return Some(n.to_string()),
            _ => {}
        }
        (name == "mchid").then(|| caller.clone()).flatten()
    };
    let merchant = caller.as_deref().and_then(|m| app.merchant(m));
    let seal = |plain: &str| -> Option<String> {
        merchant
            .as_ref()
            .and_then(|m| m.public_key.encrypt_oaep_base64(plain).ok())
    };
    let fill = Fill {
        echo: &echo,
        seal: &seal,
    };
    let value = fill.value(schema, None, 0);
    let mut response = (status, axum::Json(value)).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(response)
}

fn is_empty_schema(schema: &Value) -> bool {
    schema.as_object().is_none_or(|m| m.is_empty())
        || (schema.get("properties").is_none()
            && schema.get("items").is_none()
            && schema.get("type").is_none())
}

/// What a download operation answers: some bytes, with their SHA-1 in
/// `Wechatpay-Statement-Sha1` (what a statement's signature covers). Which
/// downloads go unsigned is the gateway's decision (`wire::answer`).
fn download() -> Response {
    const FILE: &[u8] = b"wxpay sandbox file\n";
    let mut response = Response::new(Body::from(FILE));
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Ok(sha1) = HeaderValue::from_str(&crate::digest::sha1_hex(FILE)) {
        headers.insert(crate::wire::answer::STATEMENT_SHA1, sha1);
    }
    response
}

/// A path or query parameter's text, checked against its schema.
fn check_text(param: &Param, text: &str, location: Location) -> Result<(), WxError> {
    let value = match super::schema::type_of(&param.schema) {
        Some("integer") => match text.parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => {
                return Err(param_error(
                    location,
                    field(&param.name, Some(text), "must be an integer"),
                ))
            }
        },
        Some("boolean") => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => {
                return Err(param_error(
                    location,
                    field(&param.name, Some(text), "must be true or false"),
                ))
            }
        },
        // A list in a query: comma-separated values.
        Some("array") => Value::Array(
            text.split(',')
                .map(|item| {
                    let item_schema = param.schema.get("items").unwrap_or(&Value::Null);
                    match super::schema::type_of(item_schema) {
                        Some("integer") => item
                            .parse::<i64>()
                            .map_or_else(|_| Value::String(item.to_owned()), Value::from),
                        _ => Value::String(item.to_owned()),
                    }
                })
                .collect(),
        ),
        Some("number") => match text.parse::<f64>() {
            Ok(n) => Value::from(n),
            Err(_) => {
                return Err(param_error(
                    location,
                    field(&param.name, Some(text), "must be a number"),
                ))
            }
        },
        _ => Value::String(text.to_owned()),
    };
    validate(&param.schema, &value).map_err(|v| {
        param_error(
            location,
            Violation {
                field: param.name.clone(),
                ..v
            },
        )
    })
}

fn check_params(
    op: &Operation,
    path_params: &[(&str, String)],
    query: &[(String, String)],
) -> Result<(), WxError> {
    for (name, value) in path_params {
        if let Some(param) = op.path_params.iter().find(|p| p.name == *name) {
            check_text(param, value, Location::Path)?;
        }
    }
    for param in &op.query {
        match query.iter().find(|(n, _)| *n == param.name) {
            Some((_, value)) => check_text(param, value, Location::Query)?,
            None if param.required => {
                return Err(param_error(
                    Location::Query,
                    field(&param.name, None, "missing required field"),
                ))
            }
            None => {}
        }
    }
    Ok(())
}

/// Checks the body (JSON or multipart) against the schema (the gateway has
/// checked its encrypted fields); returns the JSON body, if any.
fn check_body(op: &Operation, headers: &HeaderMap, body: &Bytes) -> Result<Option<Value>, WxError> {
    if !op.form.is_empty() {
        check_form(op, headers, body)?;
        return Ok(None);
    }
    let Some(schema) = &op.body else {
        return Ok(None);
    };
    let value = if body.is_empty() {
        Value::Object(Map::new())
    } else {
        if !is_json(headers) {
            let content_type = headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            return Err(param_error(
                Location::Header,
                field(
                    "Content-Type",
                    Some(content_type),
                    "a JSON body must be sent as application/json",
                ),
            ));
        }
        serde_json::from_slice::<Value>(body).map_err(|e| {
            param_error(
                Location::Body,
                field("", None, format!("the body is not valid JSON: {e}")),
            )
        })?
    };
    validate(schema, &value).map_err(|v| param_error(Location::Body, v))?;
    Ok(Some(value))
}

/// Whether the request says its body is JSON.
fn is_json(headers: &HeaderMap) -> bool {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or_default().trim();
    media.eq_ignore_ascii_case("application/json")
}

/// A multipart upload carries every required part.
fn check_form(op: &Operation, headers: &HeaderMap, body: &Bytes) -> Result<(), WxError> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("multipart/form-data") {
        return Err(param_error(
            Location::Header,
            field(
                "Content-Type",
                Some(content_type),
                "an upload must be multipart/form-data",
            ),
        ));
    }
    for part in &op.form {
        match super::multipart::part(content_type, body, &part.name) {
            None if part.required => {
                return Err(param_error(
                    Location::Body,
                    field(
                        &part.name,
                        None,
                        "the multipart part is required but missing",
                    ),
                ))
            }
            Some(content)
                if part.name == "meta"
                    && serde_json::from_slice::<Map<String, Value>>(content).is_err() =>
            {
                return Err(param_error(
                    Location::Body,
                    field("meta", None, "the meta part must be a JSON object"),
                ))
            }
            _ => {}
        }
    }
    Ok(())
}
