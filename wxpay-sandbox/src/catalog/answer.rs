//! Answering a catalogued operation the sandbox does not simulate with state:
//! check the request against the operation's schema (`request`), then answer
//! what the catalog says a success looks like, echoing the request's ids.
//! Requests for operations not in the catalog answer WeChat's 404.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::response::{IntoResponse, Response};
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::Value;

use super::fill::Fill;
use super::request::check;
use super::sensitive::Plain;
use super::{find, Operation};
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
    let json_body = check(op, path_params, query, request.headers, request.body)?;

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
